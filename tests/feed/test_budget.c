/*
 * The CPU budget of one document (issue 11, defect 2): a parse past
 * eddy_feed_opts.max_cpu_ns ends where it is, with bozo, a TimeoutError
 * naming the budget and the byte, a diagnostic, and what was parsed before
 * kept — in the XML pass, the loose pass, the sanitizer and callback mode
 * (where the budget sums over the pushes).  A tiny budget (1 ms) against a document
 * that takes far longer (~50 ms), so no timing is asserted.
 */
#include "../test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/feed.h"

#include "../../src/feed/budget.h"
#include "../../src/feed/html.h"

#define ITEMS 20000
#define MS    1000000

/* An RSS feed of ITEMS items (~2.4 MB); ill: an XML error the XML pass
 * stops at (extra content after a first root) so the loose pass parses it all. */
static void big_feed(struct eddy_buf *b, bool ill)
{
    eddy_buf_init(b, 0);
    if (ill)
        eddy_buf_puts(b, "<x/>");
    eddy_buf_puts(b, "<rss version=\"2.0\"><channel><title>Big</title>\n");
    for (int i = 0; i < ITEMS; i++) {
        char item[256];
        snprintf(item, sizeof item,
                 "<item><title>Item %d</title><link>http://example.com/%d</link>"
                 "<description>&lt;p&gt;Text of item %d&lt;/p&gt;</description></item>\n",
                 i, i, i);
        eddy_buf_puts(b, item);
    }
    eddy_buf_puts(b, "</channel></rss>\n");
}

/* The budget's outcome on f: bozo, the message, a diagnostic saying the same. */
static void check_stopped(const struct eddy_feed *f, const char *budget)
{
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
    char want[96];
    snprintf(want, sizeof want, "TimeoutError: the parse exceeded its CPU budget of %s at byte ",
             budget);
    const char *exc = eddy_feed_get_str(root, "bozo_exception");
    CHECK(exc && !strncmp(exc, want, strlen(want)));
    bool told = false;
    for (size_t i = 0; i < eddy_feed_diag_count(f); i++)
        told = told || strstr(eddy_feed_diag(f, i, NULL), "exceeded its CPU budget");
    CHECK(told);
}

static size_t entries_of(const struct eddy_feed *f)
{
    return eddy_feed_len(eddy_feed_get(eddy_feed_root(f), "entries"));
}

TEST(feed_budget_stops_the_xml_pass)
{
    struct eddy_buf doc;
    big_feed(&doc, false);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc.data, doc.len, &(struct eddy_feed_opts){.max_cpu_ns = MS}, &f),
              ==, 0);
    check_stopped(f, "1 ms");
    CHECK(entries_of(f) < ITEMS); /* what was parsed before is kept */
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(eddy_feed_root(f), "feed"), "title"), "Big");
    eddy_feed_free(f);
    /* the default budget parses it all */
    CHECK_INT(eddy_feed_parse(doc.data, doc.len, NULL, &f), ==, 0);
    CHECK(!eddy_feed_bool(eddy_feed_get(eddy_feed_root(f), "bozo")));
    CHECK_INT(entries_of(f), ==, ITEMS);
    eddy_feed_free(f);
    eddy_buf_free(&doc);
}

TEST(feed_budget_stops_the_loose_pass)
{
    struct eddy_buf doc;
    big_feed(&doc, true);
    struct eddy_feed *f;
    /* 20 ms: more than the XML pass takes to stop at the second root */
    CHECK_INT(
        eddy_feed_parse(doc.data, doc.len, &(struct eddy_feed_opts){.max_cpu_ns = 20 * MS}, &f), ==,
        0);
    check_stopped(f, "20 ms");
    size_t n = entries_of(f);
    CHECK(n > 0 && n < ITEMS); /* the loose pass's, cut */
    eddy_feed_free(f);
    CHECK_INT(eddy_feed_parse(doc.data, doc.len, NULL, &f), ==, 0);
    CHECK_INT(entries_of(f), ==, ITEMS);
    CHECK(strncmp(eddy_feed_get_str(eddy_feed_root(f), "bozo_exception"), "TimeoutError", 12));
    eddy_feed_free(f);
    eddy_buf_free(&doc);
}

static int count_entry(void *arg, const struct eddy_feed_value *e)
{
    (void)e;
    ++*(size_t *)arg;
    return 0;
}

TEST(feed_budget_sums_over_pushes_in_callback_mode)
{
    struct eddy_buf doc;
    big_feed(&doc, false);
    size_t n = 0;
    struct eddy_feed_parser *p = eddy_feed_parser_new(
        &(struct eddy_feed_opts){.on_entry = count_entry, .arg = &n, .max_cpu_ns = MS});
    CHECK(p);
    /* 1 KiB pushes: each is far below the budget, their sum is not */
    for (size_t off = 0; off < doc.len; off += 1024)
        CHECK_INT(
            eddy_feed_parser_push(p, doc.data + off, doc.len - off < 1024 ? doc.len - off : 1024),
            ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    eddy_feed_parser_free(p);
    check_stopped(f, "1 ms");
    CHECK(n < ITEMS);
    eddy_feed_free(f);
    eddy_buf_free(&doc);
}

/* The sanitizer stops at the budget too, and keeps nothing half-sanitized. */
TEST(feed_budget_stops_the_sanitizer)
{
    struct eddy_buf html = EDDY_BUF_INIT(0), out = EDDY_BUF_INIT(0);
    for (int i = 0; i < 1000; i++)
        eddy_buf_puts(&html, "<p>a<script>alert(1)</script><b>b</b></p>");
    eddy_buf_puts(&out, "kept");
    /* 1 ns, spent at the first look at the clock (the 1024th token) */
    struct eddy__budget b = {.limit = 1, .t0 = eddy__thread_cpu_ns()};
    CHECK_INT(eddy__html_sanitize_within(&out, html.data, html.len, false, &b), ==, -ETIME);
    CHECK(b.over);
    CHECK_STR(eddy_buf_cstr(&out), "kept");
    /* no budget: all of it */
    CHECK_INT(eddy__html_sanitize_within(&out, html.data, html.len, false, NULL), ==, 0);
    CHECK(out.len > 4000 && !strstr(eddy_buf_cstr(&out), "script"));
    eddy_buf_free(&out);
    eddy_buf_free(&html);
}
