/*
 * Tests of the view libxml2 reads in buffered mode (src/feed/xview.c): CDATA
 * sections and non-ASCII text made ASCII for it and mapped back.  The
 * oracle is the same document parsed with the view off (libxml2 reading
 * the document itself): the result, bozo and every diagnostic must match,
 * whatever the pushes.  Each test also checks that the view was used.
 */
#include "../test.h"

#include <stdlib.h>
#include <string.h>

#include "eddy/feed.h"
#include "eddy/buf.h"
#include "../../src/feed/xview.h"

/* p's result as JSON, then its diagnostics ("offset message" lines); p is freed. */
static char *finish(struct eddy_feed_parser *p)
{
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    eddy_feed_parser_free(p);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(eddy_feed_root(f), &b), ==, 0);
    for (size_t i = 0; i < eddy_feed_diag_count(f); i++) {
        size_t at;
        const char *m = eddy_feed_diag(f, i, &at);
        eddy_buf_printf(&b, "\n%zu %s", at, m);
    }
    eddy_feed_free(f);
    return eddy_buf_detach(&b, NULL);
}

/* The outcome of doc pushed in pieces of `step` bytes (0: one push). */
static char *outcome(const char *doc, size_t len, size_t step, bool view)
{
    eddy__xview_enabled = view;
    struct eddy_feed_parser *p = eddy_feed_parser_new(NULL);
    CHECK(p != NULL);
    for (size_t off = 0; off < len;) {
        size_t n = step && len - off > step ? step : len - off;
        CHECK_INT(eddy_feed_parser_push(p, doc + off, n), ==, 0);
        off += n;
    }
    char *out = finish(p);
    eddy__xview_enabled = true;
    return out;
}

/* The number of edits the view makes in doc (as parse_whole gives it:
 * the same bytes for a UTF-8 document without a DOCTYPE). */
static size_t edits(const char *doc, size_t len)
{
    struct eddy__xview v;
    size_t n = eddy__xview_scan(&v, doc, len);
    eddy__xview_free(&v);
    return n;
}

/* doc gives the same outcome with the view and without, in one push and
 * split in two at every byte; returns the outcome. */
static char *same_both_ways(const char *doc, size_t len)
{
    char *off = outcome(doc, len, 0, false), *on = outcome(doc, len, 0, true);
    CHECK_STR(on, off);
    free(on);
    for (size_t cut = 1; cut < len; cut++) {
        struct eddy_feed_parser *p = eddy_feed_parser_new(NULL);
        CHECK_INT(eddy_feed_parser_push(p, doc, cut), ==, 0);
        CHECK_INT(eddy_feed_parser_push(p, doc + cut, len - cut), ==, 0);
        char *split = finish(p);
        CHECK_STR(split, off);
        free(split);
    }
    return off;
}

#define HEAD "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
#define TAIL "</channel></rss>\n"

TEST(feed_xview_cdata_is_delivered_as_libxml2_reads_it)
{
    static const char doc[] =
        HEAD "<title>caf\xc3\xa9 <![CDATA[<b>\xe2\x82\xac</b> a]]b ]]]]></title>\n"
             "<description>x<![CDATA[l1\r\nl2\rl3\r\r\n\xf0\x9d\x84\x9e]]>&amp;"
             "<![CDATA[]]>\xc3\xa9<![CDATA[]]]>y</description>"
             "<item><title><![CDATA[\xe6\x97\xa5\xe6\x9c\xac]]></title>"
             "<description><![CDATA[<p>&nbsp;</p>]]></description></item>"
             "<item><description>&lt;p&gt;caf&#233; &amp;&#x20AC;&#x1d11e;&quot;&apos;&#13;&#9;"
             "\xc3\xa9&#65;&#x41;&#1114111;&#0065;</description></item>" TAIL;
    CHECK(edits(doc, sizeof doc - 1) >= 16);
    char *json = same_both_ways(doc, sizeof doc - 1);
    /* the content as libxml2 gives it, line ends normalized */
    CHECK(strstr(json, "caf\xc3\xa9 <b>\xe2\x82\xac</b> a]]b ]]") != NULL);
    CHECK(strstr(json, "l1\\nl2\\nl3\\n\\n\xf0\x9d\x84\x9e&") != NULL);
    CHECK(strstr(json, "\xe6\x97\xa5\xe6\x9c\xac") != NULL);
    /* references: as libxml2 resolves them (the mixin then escapes '<', '&'...) */
    CHECK(strstr(json, "caf\xc3\xa9 &\xe2\x82\xac\xf0\x9d\x84\x9e\\\"'\\r\\t\xc3\xa9"
                       "AA\xf4\x8f\xbf\xbf"
                       "A") != NULL);
    CHECK(strstr(json, "\"bozo\": false") || strstr(json, "\"bozo\":false"));
    free(json);
}

/* Where "<![CDATA[" is no CDATA section, or its content is not what XML
 * allows, the view leaves it alone: libxml2's outcome, errors included. */
TEST(feed_xview_leaves_what_is_no_cdata_section_alone)
{
    static const char *const docs[] = {
        /* in an attribute value, a comment, a processing instruction */
        HEAD "<title><![CDATA[\xc3\xa9]]></title><item><title a=\"<![CDATA[\xc3\xa9]]>\">"
             "\xc3\xa9</title></item>" TAIL,
        HEAD
        "<item><title a='x>y' b=\"'\">t\xc3\xa9<!-- <![CDATA[\xc3\xa9]]> --></title>"
        "<?pi <![CDATA[\xc3\xa9]]> ?><description><![CDATA[d\xc3\xa9]]></description></item>" TAIL,
        /* before the root (the view stops there), after it */
        "<?xml version=\"1.0\"?><![CDATA[\xc3\xa9]]><rss version=\"2.0\"><channel>"
        "<title><![CDATA[\xc3\xa9]]></title>" TAIL,
        HEAD "<title><![CDATA[\xc3\xa9]]></title>" TAIL "<![CDATA[\xc3\xa9]]>",
        /* content libxml2 rejects: a control character, U+FFFE, invalid UTF-8 */
        HEAD "<title><![CDATA[\xc3\xa9]]></title><description><![CDATA[a\x01"
             "b]]></description>" TAIL,
        HEAD "<title><![CDATA[\xc3\xa9]]></title><description><![CDATA[a\xef\xbf\xbe"
             "b]]></description>" TAIL,
        HEAD "<title><![CDATA[\xc3\xa9]]></title><description><![CDATA[a\xc3"
             "b]]></description>" TAIL,
        /* references libxml2 rejects or hands to getEntity */
        HEAD "<title>&lt;\xc3\xa9&#0;</title>" TAIL,
        HEAD "<title>&lt;\xc3\xa9&#X41;</title>" TAIL,
        HEAD "<title>&lt;\xc3\xa9&#xD800;&#1114112;</title>" TAIL,
        HEAD "<title>&lt;\xc3\xa9&nbsp;&amp</title>" TAIL,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY e \"\xc3\xa9\">\n]>\n<rss "
        "version=\"2.0\">"
        "<channel><title>&e; &lt;\xc3\xa9<![CDATA[\xc3\xa9]]>&e;</title>" TAIL,
        /* not finished */
        HEAD "<title><![CDATA[\xc3\xa9]]></title><description><![CDATA[a\xc3\xa9" TAIL,
        /* text libxml2 reads slowly: a lone CR next to a section, a control character */
        HEAD "<title>a\xc3\xa9\r<![CDATA[\xc3\xa9 x]]>\xc3\xa9</title><description>\xc3\xa9"
             "</description>" TAIL,
        HEAD "<title>\xc3\xa9<![CDATA[\xc3\xa9]]></title><description>\x02\xc3\xa9"
             "<![CDATA[\xc3\xa9]]></description>" TAIL,
        /* ill-formed: undefined entity, mismatched tag, "]]>" in text (the loose pass) */
        HEAD "<title><![CDATA[\xc3\xa9]]> &bogus; \xc3\xa9</title><item><title>"
             "<![CDATA[t\xc3\xa9]]></title></item>" TAIL,
        HEAD "<title><![CDATA[\xc3\xa9]]></title><item><title>\xc3\xa9</titl></item>"
             "<item><description><![CDATA[<i>d\xc3\xa9</i>]]></description></item>" TAIL,
        HEAD "<title><![CDATA[\xc3\xa9]]></title><description>\xc3\xa9 ]]> "
             "<![CDATA[\xc3\xa9]]></description>" TAIL,
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        /* (the view starts after the DOCTYPE parse_whole takes out) */
        CHECK(edits(docs[i], strlen(docs[i])) > 0 || strstr(docs[i], "CDATA[\xc3\xa9]]><rss") ||
              strstr(docs[i], "DOCTYPE"));
        free(same_both_ways(docs[i], strlen(docs[i])));
    }
}

/* libxml2 reads the document in 4 KB pieces and delivers text up to each
 * piece's end: sections, multi-byte characters and CRLF cut by those
 * boundaries at every alignment, in element content and in Atom's xhtml
 * content (escaped piece by piece). */
TEST(feed_xview_sections_across_libxml2_reads)
{
    for (size_t pad = 0; pad < 8; pad++) {
        struct eddy_buf doc = EDDY_BUF_INIT(0);
        eddy_buf_puts(&doc, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>");
        for (size_t i = 0; i < pad; i++)
            eddy_buf_putc(&doc, 'p');
        eddy_buf_puts(&doc, "</title>");
        for (int e = 0; e < 6; e++) {
            eddy_buf_puts(&doc, "<entry><summary>");
            for (int i = 0; i < 400; i++)
                eddy_buf_puts(&doc, "&lt;b&gt;caf&#233;\xc3\xa9 &amp;&#x1D11E;\n");
            eddy_buf_puts(&doc, "</summary><rights>t\xc3\xa9"); /* CRs in text: no view */
            for (int i = 0; i < 700; i++)
                eddy_buf_puts(&doc, "\xe2\x82\xac\r\n");
            eddy_buf_puts(&doc, "</rights><title>t\xc3\xa9<![CDATA[");
            for (int i = 0; i < 900; i++)
                eddy_buf_puts(&doc, i % 3 ? "\xc3\xa9\r\n" : "]\r<\xf0\x9d\x84\x9e&");
            eddy_buf_puts(&doc,
                          "]]></title><content type=\"xhtml\"><div "
                          "xmlns=\"http://www.w3.org/1999/xhtml\">\xc3\xa9&lt;&#xe9;<![CDATA[<b>");
            for (int i = 0; i < 1100; i++)
                eddy_buf_puts(&doc, "\xc3\xa9\xe2\x82\xac");
            eddy_buf_puts(&doc, "</b>]]>x</div></content></entry>");
        }
        eddy_buf_puts(&doc, "</feed>");
        CHECK(edits(doc.data, doc.len) >= 12);
        char *off = outcome(doc.data, doc.len, 0, false);
        static const size_t steps[] = {0, 1000, 4096, 4099};
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            char *on = outcome(doc.data, doc.len, steps[s], true);
            CHECK_STR(on, off);
            free(on);
        }
        CHECK(strstr(off, "\"bozo\": false") || strstr(off, "\"bozo\":false"));
        free(off);
        eddy_buf_free(&doc);
    }
}

/* An error libxml2 reports before the view changed anything it read: the
 * view is off from there (no second parse), and the outcome is the same. */
TEST(feed_xview_error_before_any_edit)
{
    struct eddy_buf doc = EDDY_BUF_INIT(0);
    eddy_buf_puts(&doc, HEAD "<title>&bogus; a</title><description>");
    for (int i = 0; i < 2000; i++)
        eddy_buf_puts(&doc, "plain text ");
    eddy_buf_puts(&doc, "</description>");
    for (int i = 0; i < 50; i++)
        eddy_buf_puts(&doc, "<item><title><![CDATA[caf\xc3\xa9]]> &lt;\xc3\xa9</title></item>");
    eddy_buf_puts(&doc, TAIL);
    CHECK(edits(doc.data, doc.len) >= 100);
    char *off = outcome(doc.data, doc.len, 0, false), *on = outcome(doc.data, doc.len, 0, true);
    CHECK_STR(on, off);
    CHECK(strstr(off, "undefined entity") != NULL);
    free(on);
    free(off);
    eddy_buf_free(&doc);
}
