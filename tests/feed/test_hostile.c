/*
 * Hostile shapes of documents (issue 11): every structure keyed by a name
 * must stay sub-quadratic.  Each test parses a document with one element
 * carrying many attributes, many namespace declarations, or many distinct
 * children, and compares its CPU time with a well-formed feed of about the
 * same size: a generous ratio, not a wall-clock limit.  Before the fix the
 * 40,000 attributes took 11 s (the good feed: 0.01 s).
 */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eddy/feed.h"

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
