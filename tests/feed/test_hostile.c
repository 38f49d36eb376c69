/*
 * Hostile shapes of documents (issue 11): every structure keyed by a name
 * must stay sub-quadratic.  Each test parses a document with one element
 * carrying many attributes, many namespace declarations, or many distinct
 * children, and compares its CPU time with a well-formed feed of about the
 * same size: a generous ratio, not a wall-clock limit.  Before the fix the
 * 40,000 attributes took 11 s (the good feed: 0.01 s).  Then huge values
 * (attributes, text, HTML the sanitizer walks), and XXE: no shape of
 * external entity, DTD or XInclude reads a file or opens a connection.
 */
#include "../test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "eddy/feed.h"

#include "../../src/feed/budget.h"
#include "../../src/feed/html.h"

#define N 40000

static int count_entry(void *arg, const struct eddy_feed_value *e)
{
    (void)e;
    ++*(size_t *)arg;
    return 0;
}

/* CPU seconds of the best of two parses of doc. */
static double parse_cpu(const struct eddy_buf *doc, bool callback)
{
    double best = 1e9;
    for (int r = 0; r < 2; r++) {
        size_t entries = 0;
        struct eddy_feed_opts o = {.on_entry = callback ? count_entry : NULL, .arg = &entries};
        clock_t t0 = clock();
        struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
        CHECK(p != NULL);
        for (size_t off = 0; off < doc->len; off += 65536)
            eddy_feed_parser_push(p, doc->data + off,
                                  doc->len - off < 65536 ? doc->len - off : 65536);
        struct eddy_feed *f;
        CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
        eddy_feed_free(f);
        eddy_feed_parser_free(p);
        double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
        if (t < best)
            best = t;
    }
    return best;
}

/* A well-formed feed of at least `bytes` bytes. */
static void good_feed(struct eddy_buf *b, size_t bytes)
{
    eddy_buf_reset(b);
    CHECK_INT(eddy_buf_printf(
                  b, "%s", "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>"),
              ==, 0);
    for (int i = 0; b->len < bytes; i++)
        CHECK_INT(eddy_buf_printf(b,
                                  "<item><title>entry %d</title><link>http://example.com/%d</link>"
                                  "<description>text of entry %d</description></item>",
                                  i, i, i),
                  ==, 0);
    CHECK_INT(eddy_buf_printf(b, "%s", "</channel></rss>"), ==, 0);
}

static void check_ratio(const char *what, const struct eddy_buf *doc)
{
    struct eddy_buf good = EDDY_BUF_INIT(0);
    good_feed(&good, doc->len);
    for (int callback = 0; callback < 2; callback++) {
        double t_good = parse_cpu(&good, callback), t_bad = parse_cpu(doc, callback);
        /* 10x the linear time, with a floor for clock()'s granularity */
        if (getenv("EDDY_TEST_VERBOSE"))
            fprintf(stderr, "%s %d: %.3f vs %.3f\n", what, callback, t_bad, t_good);
        double bound = 10 * (t_good > 0.01 ? t_good : 0.01);
        if (t_bad > bound)
            test_fail(__FILE__, __LINE__, "%s (%s): %.3f s of CPU, a same-size feed %.3f s", what,
                      callback ? "callback" : "buffered", t_bad, t_good);
    }
    eddy_buf_free(&good);
}

static void open_doc(struct eddy_buf *b)
{
    CHECK_INT(
        eddy_buf_printf(b, "%s",
                        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>"
                        "<item><title>x</title>"),
        ==, 0);
}

TEST(feed_many_attributes_parse_in_linear_time)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    open_doc(&b);
    CHECK_INT(eddy_buf_printf(&b, "%s", "<foo"), ==, 0);
    for (int i = 0; i < N; i++)
        CHECK_INT(eddy_buf_printf(&b, " a%d=\"v\"", i), ==, 0);
    CHECK_INT(eddy_buf_printf(&b, "%s", "/></item></channel></rss>"), ==, 0);
    check_ratio("attributes", &b);
    /* the cap says so */
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(b.data, b.len, NULL, &f), ==, 0);
    CHECK(eddy_feed_bool(eddy_feed_get(eddy_feed_root(f), "bozo")));
    bool told = false;
    for (size_t i = 0; i < eddy_feed_diag_count(f); i++)
        told |= strstr(eddy_feed_diag(f, i, NULL), "attributes on one element") != NULL;
    CHECK(told);
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

/* Below the cap, attributes all arrive (the hash index of large objects). */
TEST(feed_900_attributes_all_kept)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    open_doc(&b);
    CHECK_INT(eddy_buf_printf(&b, "%s", "<foo"), ==, 0);
    for (int i = 0; i < 900; i++)
        CHECK_INT(eddy_buf_printf(&b, " a%d=\"v%d\"", i, i), ==, 0);
    CHECK_INT(eddy_buf_printf(&b, "%s", "/></item></channel></rss>"), ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(b.data, b.len, NULL, &f), ==, 0);
    const struct eddy_feed_value *foo =
        eddy_feed_get(eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 0), "foo");
    CHECK_INT(eddy_feed_len(foo), ==, 900);
    CHECK_STR(eddy_feed_get_str(foo, "a0"), "v0");
    CHECK_STR(eddy_feed_get_str(foo, "a899"), "v899");
    CHECK_STR(eddy_feed_member_key(eddy_feed_first(foo)), "a0"); /* insertion order */
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

TEST(feed_many_distinct_children_parse_in_linear_time)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    open_doc(&b);
    for (int i = 0; i < N; i++)
        CHECK_INT(eddy_buf_printf(&b, "<e%d>v</e%d>", i, i), ==, 0);
    CHECK_INT(eddy_buf_printf(&b, "%s", "</item></channel></rss>"), ==, 0);
    check_ratio("children", &b);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(b.data, b.len, NULL, &f), ==, 0);
    const struct eddy_feed_value *e = eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 0);
    CHECK_STR(eddy_feed_get_str(e, "e39999"), "v");
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

TEST(feed_many_namespace_declarations_parse_in_linear_time)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_buf_printf(&b, "%s", "<?xml version=\"1.0\"?><rss version=\"2.0\""), ==, 0);
    for (int i = 0; i < N; i++)
        CHECK_INT(eddy_buf_printf(&b, " xmlns:p%d=\"http://example.com/%d\"", i, i), ==, 0);
    CHECK_INT(
        eddy_buf_printf(&b, "%s",
                        "><channel><title>t</title><item><title>x</title></item></channel></rss>"),
        ==, 0);
    check_ratio("namespace declarations on one element", &b);
    eddy_buf_reset(&b);
    open_doc(&b);
    for (int i = 0; i < N / 2; i++)
        CHECK_INT(
            eddy_buf_printf(&b, "<p%d:e xmlns:p%d=\"http://example.com/%d\">v</p%d:e>", i, i, i, i),
            ==, 0);
    CHECK_INT(eddy_buf_printf(&b, "%s", "</item></channel></rss>"), ==, 0);
    check_ratio("a namespace per element", &b);
    eddy_buf_free(&b);
}

/* ---- huge values: one attribute, one text, both as HTML ---- */

#define HUGE (1u << 20)

static void huge_doc(struct eddy_buf *b, const char *pre, const char *unit, const char *post)
{
    eddy_buf_reset(b);
    open_doc(b);
    CHECK_INT(eddy_buf_printf(b, "%s", pre), ==, 0);
    while (b->len < HUGE)
        CHECK_INT(eddy_buf_printf(b, "%s", unit), ==, 0);
    CHECK_INT(eddy_buf_printf(b, "%s</item></channel></rss>", post), ==, 0);
}

TEST(feed_huge_attribute_and_text_parse_in_linear_time)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    huge_doc(&b, "<foo a=\"", "0123456789abcdef", "\"/>");
    check_ratio("a 1 MB attribute", &b);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(b.data, b.len, NULL, &f), ==, 0);
    const struct eddy_feed_value *foo =
        eddy_feed_get(eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 0), "foo");
    const char *a = eddy_feed_get_str(foo, "a");
    CHECK(a && strlen(a) >= HUGE - 200); /* kept whole, as feedparser keeps it */
    eddy_feed_free(f);
    huge_doc(&b, "<description>", "0123456789abcdef", "</description>");
    check_ratio("a 1 MB text", &b);
    /* The sanitizer's share: one HTML attribute, many tags, deep tags. */
    huge_doc(&b, "<description>&lt;a title=\"", "0123456789abcdef",
             "\"&gt;x&lt;/a&gt;</description>");
    check_ratio("a 1 MB attribute in HTML", &b);
    huge_doc(&b, "<description>", "&lt;b id=x&gt;y&lt;/b&gt;", "</description>");
    check_ratio("many HTML elements", &b);
    huge_doc(&b, "<description>", "&lt;div&gt;", "</description>");
    check_ratio("deeply nested HTML", &b);
    huge_doc(&b, "<description>&lt;p", " a=1 b=2 c=3 d=4", "&gt;</description>");
    check_ratio("many attributes on one HTML element", &b);
    eddy_buf_free(&b);
}

/* ---- XXE: no external entity, DTD or parameter entity is ever read ---- */

#define SECRET "EDDY-XXE-SECRET-7f3a"

/* A listening loopback socket nobody should connect to; *port set. */
static int trap(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    CHECK_INT(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
    CHECK_INT(listen(fd, 16), ==, 0);
    CHECK_INT(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    *port = ntohs(a.sin_port);
    return fd;
}

TEST(feed_external_entities_are_never_read)
{
    char path[512], dtd[512];
    snprintf(path, sizeof path, "%s/secret.txt", test_tmpdir());
    snprintf(dtd, sizeof dtd, "%s/evil.dtd", test_tmpdir());
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    fputs(SECRET, fp);
    fclose(fp);
    fp = fopen(dtd, "w");
    CHECK(fp != NULL);
    fprintf(fp, "<!ENTITY leak \"" SECRET "\"><!ENTITY %% file SYSTEM \"file://%s\">", path);
    fclose(fp);
    int port, fd = trap(&port);
    /* Each way an XML document can pull in a file or a URL, in a
     * well-formed feed (the XML pass) and cut short (the loose pass). */
    static const char *const shapes[] = {
        "<!DOCTYPE rss [\n<!ENTITY x SYSTEM \"file://%1$s\">\n]>\n"
        "<rss version=\"2.0\"><channel><title>&x;</title><item><title a=\"&x;\">&x;</title>"
        "<description>&x;</description></item></channel></rss>",
        "<!DOCTYPE rss SYSTEM \"file://%2$s\">\n<rss version=\"2.0\"><channel><title>&leak;</title>"
        "</channel></rss>",
        "<!DOCTYPE rss [\n<!ENTITY %% p SYSTEM \"file://%2$s\">\n%%p;\n%%file;\n]>\n"
        "<rss version=\"2.0\"><channel><title>&leak;</title></channel></rss>",
        "<!DOCTYPE rss [\n<!ENTITY x SYSTEM \"http://127.0.0.1:%3$d/x\">\n"
        "<!ENTITY %% p SYSTEM \"http://127.0.0.1:%3$d/p.dtd\">\n%%p;\n]>\n"
        "<rss version=\"2.0\"><channel><title>&x;</title></channel></rss>",
        "<!DOCTYPE rss PUBLIC \"-//x//y\" \"http://127.0.0.1:%3$d/d.dtd\">\n"
        "<rss version=\"2.0\"><channel><title>&leak;</title></channel></rss>",
        "<rss version=\"2.0\" "
        "xmlns:xi=\"http://www.w3.org/2001/XInclude\"><channel><title>t</title>"
        "<item><xi:include href=\"file://%1$s\" parse=\"text\"/><description><xi:include "
        "href=\"http://127.0.0.1:%3$d/i\" parse=\"text\"/></description></item></channel></rss>",
    };
    struct eddy_buf doc = EDDY_BUF_INIT(0), json = EDDY_BUF_INIT(0);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        for (int cut = 0; cut < 2; cut++) {
            eddy_buf_reset(&doc);
            CHECK_INT(eddy_buf_printf(&doc, "<?xml version=\"1.0\"?>\n"), ==, 0);
            CHECK_INT(eddy_buf_printf(&doc, shapes[i], path, dtd, port), ==, 0);
            if (cut) /* ill-formed: the loose pass reads it again */
                doc.len -= strlen("</channel></rss>");
            struct eddy_feed *f;
            CHECK_INT(eddy_feed_parse(doc.data, doc.len, NULL, &f), ==, 0);
            eddy_buf_reset(&json);
            CHECK_INT(eddy_feed_to_json(eddy_feed_root(f), &json), ==, 0);
            CHECK_INT(eddy_buf_putc(&json, 0), ==, 0);
            if (strstr(json.data, SECRET))
                test_fail(__FILE__, __LINE__, "shape %zu%s: the secret leaked: %s", i,
                          cut ? " (cut)" : "", json.data);
            eddy_feed_free(f);
        }
    }
    /* Nobody came to the trap. */
    CHECK_INT(accept(fd, NULL, NULL), ==, -1);
    CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
    close(fd);
    eddy_buf_free(&doc);
    eddy_buf_free(&json);
}

/* ---- JSON Feed items: typed and sanitized, and within the budget ---- */

static const struct eddy_feed_value *json_entry(struct eddy_feed **f, const char *doc, size_t i)
{
    CHECK_INT(eddy_feed_parse(doc, strlen(doc), NULL, f), ==, 0);
    return eddy_feed_at(eddy_feed_get(eddy_feed_root(*f), "entries"), i);
}

TEST(feed_json_item_title_and_summary_are_typed_and_sanitized)
{
    /* They came out as the JSON had them, untyped: a page showing them as
     * HTML ran the script (tests/feed/xss.py). */
    static const char doc[] =
        "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":["
        "{\"id\":\"1\",\"title\":\"<b>bold</b><img src=x onerror=alert(1)> &amp;\","
        "\"summary\":\"<p onclick=alert(1)>hi</p>\"},"
        "{\"id\":\"2\",\"title\":\" <img src=x onerror=alert(1)> \",\"summary\":\"a < b\"},"
        "{\"id\":\"3\",\"title\":7}]}";
    struct eddy_feed *f;
    const struct eddy_feed_value *e = json_entry(&f, doc, 0);
    CHECK_STR(eddy_feed_get_str(e, "title"), "<b>bold</b><img src=\"x\" /> &amp;");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(e, "title_detail"), "type"), "text/html");
    CHECK_STR(eddy_feed_get_str(e, "summary"), "<p>hi</p>");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(e, "summary_detail"), "type"), "text/html");
    /* Plain text stays as it is (a page escapes it), typed text/plain. */
    e = eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 1);
    CHECK_STR(eddy_feed_get_str(e, "title"), " <img src=x onerror=alert(1)> ");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(e, "title_detail"), "type"), "text/plain");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(e, "summary_detail"), "value"), "a < b");
    /* A value that is no string is kept as it is, without a detail. */
    e = eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 2);
    CHECK_INT(eddy_feed_int(eddy_feed_get(e, "title")), ==, 7);
    CHECK(eddy_feed_get(e, "title_detail") == NULL);
    eddy_feed_free(f);
}

TEST(feed_budget_stops_a_json_feed)
{
    /* The items' HTML went through the sanitizer without the budget. */
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_buf_printf(&b, "%s",
                              "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"Big\","
                              "\"items\":["),
              ==, 0);
    for (int i = 0; i < 20000; i++)
        CHECK_INT(eddy_buf_printf(&b,
                                  "%s{\"id\":\"%d\",\"title\":\"<b>Item</b> %d\",\"content_html\":"
                                  "\"<p>Text of <i>item</i> %d</p>\"}",
                                  i ? "," : "", i, i, i),
                  ==, 0);
    CHECK_INT(eddy_buf_printf(&b, "%s", "]}"), ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(b.data, b.len, &(struct eddy_feed_opts){.max_cpu_ns = 1000000}, &f),
              ==, 0);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
    const char *exc = eddy_feed_get_str(root, "bozo_exception");
    CHECK(exc && !strncmp(exc, "TimeoutError: the parse exceeded its CPU budget of 1 ms", 55));
    CHECK_INT(eddy_feed_len(eddy_feed_get(root, "entries")), <, 20000);
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"), "Big");
    eddy_feed_free(f);
    /* the default budget parses it all */
    CHECK_INT(eddy_feed_parse(b.data, b.len, NULL, &f), ==, 0);
    CHECK(!eddy_feed_bool(eddy_feed_get(eddy_feed_root(f), "bozo")));
    CHECK_INT(eddy_feed_len(eddy_feed_get(eddy_feed_root(f), "entries")), ==, 20000);
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

/* ---- relative URIs against a hostile base ---- */

TEST(feed_long_base_and_many_links_stay_bounded)
{
    /* 165 KB (a 20 KB xml:base, 5,000 relative links) became 200 MB. */
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_buf_printf(&b, "%s",
                              "<rss version=\"2.0\"><channel><title>t</title><item xml:base=\""
                              "http://example.com/"),
              ==, 0);
    for (int i = 0; i < 20000; i++)
        CHECK_INT(eddy_buf_putc(&b, 'a'), ==, 0);
    CHECK_INT(eddy_buf_printf(&b, "%s", "/\"><title>x</title><description>"), ==, 0);
    size_t start = b.len;
    for (int i = 0; i < 5000; i++)
        CHECK_INT(eddy_buf_printf(&b, "%s", "&lt;a href=\"x\"&gt;l&lt;/a&gt;"), ==, 0);
    size_t text = b.len - start;
    CHECK_INT(eddy_buf_printf(&b, "%s", "</description></item></channel></rss>"), ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(b.data, b.len, NULL, &f), ==, 0);
    const char *d =
        eddy_feed_get_str(eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 0), "summary");
    CHECK(d != NULL);
    CHECK_INT(strlen(d), <, 16 * text + 65536 + 25000);
    CHECK(!strncmp(d, "<a href=\"http://example.com/aaaa", 32)); /* the first ones resolved */
    CHECK(strstr(d, "<a href=\"x\">") != NULL);                  /* the rest as written */
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

/* The resolver stops at the budget too, keeping nothing half-done. */
TEST(feed_budget_stops_the_uri_resolver)
{
    struct eddy_buf html = EDDY_BUF_INIT(0), out = EDDY_BUF_INIT(0);
    for (int i = 0; i < 1000; i++)
        eddy_buf_puts(&html, "<p><a href=\"x\">a</a><img src=\"y\"></p>");
    eddy_buf_puts(&out, "kept");
    struct eddy__budget bu = {.limit = 1, .t0 = eddy__thread_cpu_ns()};
    CHECK_INT(eddy__html_resolve_uris_within(&out, html.data, html.len, "http://example.com/",
                                             false, &bu),
              ==, -ETIME);
    CHECK(bu.over);
    CHECK_STR(eddy_buf_cstr(&out), "kept");
    CHECK_INT(eddy__html_resolve_uris_within(&out, html.data, html.len, "http://example.com/",
                                             false, NULL),
              ==, 0);
    CHECK(strstr(eddy_buf_cstr(&out), "href=\"http://example.com/x\"") != NULL);
    eddy_buf_free(&out);
    eddy_buf_free(&html);
}
