/*
 * test_uri.c — feed/uri.c against what feedparser's _urljoin and
 * make_safe_absolute_uri return in feedparser's own cases (the tables of
 * html_cases.h), plus Python urljoin's corner cases.
 */
#include "../test.h"

#include <stdlib.h>

#include "../../src/feed/uri.h"

struct html_case;
#include "html_cases.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char *join(const char *base, const char *ref, bool safe)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT((safe ? eddy__uri_resolve_safe : eddy__uri_resolve)(&b, base, ref), ==, 0);
    return eddy_buf_detach(&b, NULL);
}

static void run_cases(const struct uri_case *cases, size_t n, bool safe)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char *got = join(cases[i].base, cases[i].ref, safe);
        if (strcmp(got, cases[i].out) != 0 && bad++ < 20)
            fprintf(stderr, "  %s: (\"%s\", \"%s\") gives \"%s\", expected \"%s\"\n", cases[i].from,
                    cases[i].base, cases[i].ref ? cases[i].ref : "(none)", got, cases[i].out);
        free(got);
    }
    if (bad)
        test_fail(__FILE__, __LINE__, "%d of %zu cases differ", bad, n);
}

TEST(uri_feedparser_urljoin_cases)
{
    CHECK_INT(COUNT(urljoin_cases), >, 100); /* a regenerated table lost nothing */
    run_cases(urljoin_cases, COUNT(urljoin_cases), false);
}
TEST(uri_feedparser_safe_cases)
{
    CHECK_INT(COUNT(safe_cases), >, 100);
    run_cases(safe_cases, COUNT(safe_cases), true);
}

/* uri.c keeps the last base it parsed: feedparser's cases again in the
 * reverse order and interleaved with other bases, a base too long for the
 * memo, one with a tab (cleaned in a buffer), one that is a ValueError. */
TEST(uri_base_memo)
{
    size_t n = COUNT(urljoin_cases);
    struct uri_case *rev = malloc(n * sizeof *rev);
    for (size_t i = 0; i < n; i++)
        rev[i] = urljoin_cases[n - 1 - i];
    run_cases(rev, n, false);
    free(rev);
    struct eddy_buf base = EDDY_BUF_INIT(0), want = EDDY_BUF_INIT(0);
    eddy_buf_puts(&base, "http://a/");
    for (int i = 0; i < 600; i++)
        eddy_buf_putc(&base, 'x');
    eddy_buf_puts(&want, eddy_buf_cstr(&base));
    eddy_buf_puts(&base, "/c");
    eddy_buf_puts(&want, "/d");
    const struct uri_case cases[] = {
        {"http://a/b/c", "d", "http://a/b/d", ""},
        {eddy_buf_cstr(&base), "d", eddy_buf_cstr(&want), ""},
        {"http://a/b/c", "d", "http://a/b/d", ""},
        {"http://a/b\t/c", "d", "http://a/b/d", ""},
        {"http://[::1/b/c", "d", "", ""},
        {"http://a/b/c", "d", "http://a/b/d", ""},
        {"http://[::1/b/c", "d", "", ""},
    };
    run_cases(cases, COUNT(cases), false);
    eddy_buf_free(&base);
    eddy_buf_free(&want);
}

/* Python 3.11's urljoin, as feedparser calls it (values checked with it). */
TEST(uri_python_urljoin)
{
    static const struct uri_case cases[] = {
        {"http://a/b/c/d;p?q", "g", "http://a/b/c/g", ""},
        {"http://a/b/c/d;p?q", "./g", "http://a/b/c/g", ""},
        {"http://a/b/c/d;p?q", "g/", "http://a/b/c/g/", ""},
        {"http://a/b/c/d;p?q", "/g", "http://a/g", ""},
        {"http://a/b/c/d;p?q", "//g", "http://g", ""},
        {"http://a/b/c/d;p?q", "?y", "http://a/b/c/d;p?y", ""},
        {"http://a/b/c/d;p?q", "g?y", "http://a/b/c/g?y", ""},
        {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s", ""},
        {"http://a/b/c/d;p?q", ";x", "http://a/b/c/;x", ""},
        {"http://a/b/c/d;p?q", "g;x?y#s", "http://a/b/c/g;x?y#s", ""},
        {"http://a/b/c/d;p?q", ".", "http://a/b/c/", ""},
        {"http://a/b/c/d;p?q", "..", "http://a/b/", ""},
        {"http://a/b/c/d;p?q", "../..", "http://a/", ""},
        {"http://a/b/c/d;p?q", "../../../g", "http://a/g", ""},
        {"http://a/b/c/d;p?q", "g.", "http://a/b/c/g.", ""},
        {"http://a/b/c/d;p?q", "./../g", "http://a/b/g", ""},
        {"http://a/b/c/d;p?q", "g;x=1/../y", "http://a/b/c/y", ""},
        {"http://a/b/c/d;p?q", "http:g", "http://a/b/c/g", ""},
        {"http://a/b/c/d;p?q", "HTTP://x//y", "http://x//y", ""},
        {"http://a/b/c/d;p?q", "ftp://x/y", "ftp://x/y", ""},
        {"http://a/b/c/d;p?q", "mailto:x@y", "mailto:x@y", ""},
        {"http://a/b/", " g\t", "http://a/b/g", ""},
        {"http://a/b/", "http://[::1]:80/x", "http://[::1]:80/x", ""},
        {"http://a/b/", "http://[::1/x", "", ""},
        {"http://a/b/", "http://[1.2.3.4]/", "", ""},
        {"http://a/b/", "http:///////x", "http://x", ""},
        {"", "g", "g", ""},
        {"http://a/b", "", "http://a/b", ""},
        {"tag:x,2004:/a", "b", "b", ""},
    };
    run_cases(cases, COUNT(cases), false);
}

TEST(uri_safe)
{
    static const struct uri_case cases[] = {
        {"http://a/b/", "javascript:alert(1)", "", ""},
        {"http://a/b/", "JAVASCRIPT:x", "", ""},
        {"http://a/b/", "c", "http://a/b/c", ""},
        {"", " javascript:x", " javascript:x", ""},
        {"javascript:x", NULL, "", ""},
        {"http://a/", NULL, "http://a/", ""},
        {"/relative", "x", "", ""},
        {"http://[::1/", NULL, "", ""},
    };
    run_cases(cases, COUNT(cases), true);
    CHECK(eddy__uri_scheme_ok("http://x/"));
    CHECK(eddy__uri_scheme_ok("relative/path"));
    CHECK(eddy__uri_scheme_ok(" \tHTTPS://x/"));
    CHECK(!eddy__uri_scheme_ok("java\nscript:x"));
    CHECK(!eddy__uri_scheme_ok("data:text/html,x"));
    CHECK(eddy__uri_scheme_acceptable("svn+ssh", 7));
    CHECK(!eddy__uri_scheme_acceptable("svn+", 4));
}

/* uses_params decides where ";params" go (a bsearch'ed table) */
TEST(uri_params_schemes)
{
    static const struct uri_case cases[] = {
        {"sftp://h/a;p/b;q", "c", "sftp://h/a;p/c", ""},
        {"shttp://h/a/b;q", "c", "shttp://h/a/c", ""},
        {"https://h/a/b;q", ";x", "https://h/a/;x", ""},
        {"svn://h/a/b;q", "c", "svn://h/a/c", ""},
    };
    run_cases(cases, COUNT(cases), false);
}
