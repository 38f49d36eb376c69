/*
 * Tests of the feed parser core (src/feed/sax_driver.c, mixin.c, value.c): the
 * sans-IO contract (chunking never changes the result, callback mode gives
 * the same entries and stays bounded), hostile documents (entity bombs, deep
 * nesting) ending with bozo, the value tree and its JSON, diagnostics.
 * Real feeds come from the conformance cases in tests/feed/feedparser.
 */
#include "../test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/feed.h"
#include "../../src/base/text.h"
#include "../../src/feed/internal.h"

static char *read_case(const char *rel, size_t *len)
{
    const char *top = getenv("EDDY_TOP");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/feed/feedparser/cases/%s", top ? top : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        test_fail(__FILE__, __LINE__, "cannot open %s", path);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        CHECK_INT(eddy_buf_append(&b, chunk, n), ==, 0);
    fclose(f);
    return eddy_buf_detach(&b, len);
}

static char *to_json(const struct eddy_feed_value *v)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(v, &b), ==, 0);
    return eddy_buf_detach(&b, NULL);
}

/* Parses doc in chunks of `step` bytes (0: one push); returns the JSON. */
static char *parse_json(const char *doc, size_t len, size_t step, const struct eddy_feed_opts *o)
{
    struct eddy_feed_parser *p = eddy_feed_parser_new(o);
    CHECK(p != NULL);
    for (size_t off = 0; off < len;) {
        size_t n = step && len - off > step ? step : len - off;
        CHECK_INT(eddy_feed_parser_push(p, doc + off, n), ==, 0);
        off += n;
    }
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    CHECK(f != NULL);
    char *json = to_json(eddy_feed_root(f));
    eddy_feed_free(f);
    eddy_feed_parser_free(p);
    return json;
}

static const char *const samples[] = {
    "wellformed/rss/item_description.xml",
    "wellformed/atom10/entry_content_inline_markup.xml",
    "wellformed/atom10/entry_author_email.xml",
    "wellformed/rdf/rdf_item_description.xml",
    "wellformed/itunes/itunes_channel_owner_email.xml",
    "wellformed/geo/gml_polygon.xml",
    "wellformed/psc/atomsimplechapter.xml",
    "wellformed/media-rss/item_media_category_multiple.xml",
    "illformed/rss_item_link_corrupted_ampersands.xml",
    "entities/160.xml",
};

TEST(feed_one_byte_chunks_give_the_same_json)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t len;
        char *doc = read_case(samples[i], &len);
        char *whole = parse_json(doc, len, 0, NULL);
        char *bytes = parse_json(doc, len, 1, NULL);
        char *sevens = parse_json(doc, len, 7, NULL);
        CHECK_STR(bytes, whole);
        CHECK_STR(sevens, whole);
        CHECK(strstr(whole, "\"version\":\"") != NULL);
        free(whole);
        free(bytes);
        free(sevens);
        free(doc);
    }
}

struct collect {
    struct eddy_buf json; /* entries as a JSON array, built as they come */
    size_t n;
};

static int on_entry(void *arg, const struct eddy_feed_value *entry)
{
    struct collect *c = arg;
    if (eddy_buf_putc(&c->json, c->n++ ? ',' : '['))
        return -ENOMEM;
    return eddy_feed_to_json(entry, &c->json);
}

TEST(feed_entry_callback_gives_the_same_entries_streaming)
{
    static const char doc[] =
        "<?xml version='1.0' encoding='utf-8'?>\n"
        "<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><title>T</title>\n"
        "<item><title>one &amp; only</title><dc:creator>Ann (ann@example.com)</dc:creator>"
        "<category>a</category><pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate></item>\n"
        "<item><title>two</title><enclosure url='http://e/x.mp3' length='3' type='audio/mpeg'/>"
        "<guid isPermaLink='false'>g2</guid></item>\n"
        "<item><title>three</title><source url='http://s/'>S</source></item>\n"
        "</channel></rss>";
    size_t len = sizeof doc - 1;
    /* reference: entries kept in the result */
    struct eddy_feed *ref;
    CHECK_INT(eddy_feed_parse(doc, len, NULL, &ref), ==, 0);
    CHECK(ref != NULL);
    char *want = to_json(eddy_feed_get(eddy_feed_root(ref), "entries"));
    char *want_feed = to_json(eddy_feed_get(eddy_feed_root(ref), "feed"));
    CHECK_INT(eddy_feed_len(eddy_feed_get(eddy_feed_root(ref), "entries")), ==, 3);

    for (size_t step = 1; step <= len; step = step * 3 + 1) {
        struct collect c = {EDDY_BUF_INIT(0), 0};
        struct eddy_feed_opts o = {.on_entry = on_entry, .arg = &c};
        char *got_root = parse_json(doc, len, step, &o);
        CHECK_INT(eddy_buf_putc(&c.json, ']'), ==, 0);
        CHECK_INT(c.n, ==, 3);
        CHECK_STR(eddy_buf_cstr(&c.json), want);
        CHECK(strstr(got_root, "\"entries\":[]") != NULL); /* not kept */
        CHECK(strstr(got_root, want_feed) != NULL);
        free(got_root);
        eddy_buf_free(&c.json);
    }
    free(want);
    free(want_feed);
    eddy_feed_free(ref);
}

static int count_entry(void *arg, const struct eddy_feed_value *entry)
{
    size_t *n = arg;
    if (!eddy_feed_get_str(entry, "title"))
        return -EINVAL;
    (*n)++;
    return 0;
}

TEST(feed_huge_feed_in_callback_mode_stays_bounded)
{
    struct eddy_feed_parser *p;
    size_t n = 0, peak = 0;
    struct eddy_feed_opts o = {.on_entry = count_entry, .arg = &n};
    CHECK((p = eddy_feed_parser_new(&o)) != NULL);
    const char *head = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>big</title>";
    CHECK_INT(eddy_feed_parser_push(p, head, strlen(head)), ==, 0);
    char item[512];
    const size_t entries = 100000;
    for (size_t i = 0; i < entries; i++) {
        int k = snprintf(item, sizeof item,
                         "<item><title>Entry %zu</title><link>http://example.com/%zu</link>"
                         "<description>&lt;p&gt;Body of entry %zu&lt;/p&gt;</description>"
                         "<guid>http://example.com/%zu</guid></item>\n",
                         i, i, i, i);
        CHECK_INT(eddy_feed_parser_push(p, item, (size_t)k), ==, 0);
        size_t m = eddy__feed_parser_memory(p);
        if (m > peak)
            peak = m;
    }
    CHECK_INT(eddy_feed_parser_push(p, "</channel></rss>", 16), ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    CHECK(f != NULL);
    CHECK_INT(n, ==, entries);
    CHECK(!eddy_feed_bool(eddy_feed_get(eddy_feed_root(f), "bozo")));
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(eddy_feed_root(f), "feed"), "title"), "big");
    /* ~20 MB of feed, parser memory independent of it */
    CHECK_INT(peak, <, 2u << 20);
    eddy_feed_free(f);
    eddy_feed_parser_free(p);
}

TEST(feed_billion_laughs_ends_with_bozo)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    eddy_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    eddy_buf_puts(&b, "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for (int i = 2; i <= 9; i++)
        eddy_buf_printf(
            &b,
            "<!ENTITY lol%d "
            "\"&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;\">\n",
            i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    eddy_buf_puts(&b, "]>\n<rss version=\"2.0\"><channel><title>&lol9;</title>"
                      "<description>&lol;</description></channel></rss>");
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(b.data, b.len, NULL, &f), ==, 0);
    CHECK(f != NULL);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
    const char *title = eddy_feed_get_str(eddy_feed_get(root, "feed"), "title");
    CHECK(title != NULL);
    CHECK_INT(strlen(title), <, 100); /* never expanded */
    /* a plain, safe entity is kept, as feedparser keeps it */
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "subtitle"), "lol");
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

TEST(feed_deep_nesting_ends_with_bozo)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    eddy_buf_puts(&b, "<rss version=\"2.0\"><channel><title>deep</title>");
    for (int i = 0; i < 100000; i++)
        eddy_buf_puts(&b, "<x>");
    for (int i = 0; i < 100000; i++)
        eddy_buf_puts(&b, "</x>");
    eddy_buf_puts(&b, "</channel></rss>");
    for (int streaming = 0; streaming < 2; streaming++) {
        size_t n = 0;
        struct eddy_feed_opts o = {.on_entry = streaming ? count_entry : NULL, .arg = &n};
        struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
        CHECK(p != NULL);
        for (size_t off = 0; off < b.len; off += 4096)
            CHECK_INT(
                eddy_feed_parser_push(p, b.data + off, b.len - off < 4096 ? b.len - off : 4096), ==,
                0);
        CHECK_INT(eddy__feed_parser_memory(p), <, streaming ? (4u << 20) : (16u << 20));
        struct eddy_feed *f;
        CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
        CHECK(f != NULL);
        CHECK(eddy_feed_bool(eddy_feed_get(eddy_feed_root(f), "bozo")));
        CHECK_STR(eddy_feed_get_str(eddy_feed_get(eddy_feed_root(f), "feed"), "title"), "deep");
        eddy_feed_free(f);
        eddy_feed_parser_free(p);
    }
    eddy_buf_free(&b);
}

TEST(feed_undefined_entity_is_bozo_and_diagnosed)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><title>a &bogus; b</title></channel></rss>";
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, sizeof doc - 1, NULL, &f), ==, 0);
    CHECK(f != NULL);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
    CHECK(strstr(eddy_feed_get_str(root, "bozo_exception"), "undefined entity") != NULL);
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"), "a &bogus; b");
    CHECK_INT(eddy_feed_diag_count(f), >=, 1);
    size_t off = 0;
    const char *msg = eddy_feed_diag(f, 0, &off);
    CHECK(msg && strstr(msg, "&bogus;"));
    CHECK_INT(off, >, 30);
    CHECK_INT(off, <=,
              sizeof doc + 64); /* in the UTF-8 document as parsed (a declaration may be added) */
    CHECK(eddy_feed_diag(f, eddy_feed_diag_count(f), NULL) == NULL);
    eddy_feed_free(f);
}

TEST(feed_empty_document_and_headers)
{
    struct eddy_feed_header h[] = {
        {"Content-Type", "text/xml"}, {"ETag", "\"x\""}, {"X-A", "1"}, {"x-a", "2"}};
    struct eddy_feed_opts o = {.url = "http://example.com/feed", .headers = h, .nheaders = 4};
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse("", 0, &o, &f), ==, 0);
    CHECK(f != NULL);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(!eddy_feed_bool(eddy_feed_get(root, "bozo")));
    CHECK_INT(eddy_feed_len(eddy_feed_get(root, "entries")), ==, 0);
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "headers"), "x-a"), "1, 2");
    CHECK_STR(eddy_feed_get_str(root, "etag"), "\"x\"");
    CHECK_STR(eddy_feed_get_str(root, "href"), "http://example.com/feed");
    CHECK(eddy_feed_get(root, "version") == NULL); /* feedparser returns early */
    eddy_feed_free(f);
}

TEST(feed_json_escaping)
{
    struct eddy_arena a = {0};
    struct eddy_feed_value *o = eddy__v_obj(&a);
    CHECK_INT(eddy__obj_set(&a, o, "s", false, eddy__v_str(&a, "q\"b\\n\n\x01\xff\xc3\xa9", 10)),
              ==, 0);
    CHECK_INT(eddy__obj_set(&a, o, "r", false, eddy__v_real(&a, 0.1)), ==, 0);
    CHECK_INT(eddy__obj_set(&a, o, "s", false, eddy__v_str(&a, "x", 1)), ==,
              0); /* keeps its place */
    CHECK_INT(eddy__obj_set(&a, o, "n", false, eddy__v_null(&a)), ==, 0);
    char *j = to_json(o);
    CHECK_STR(j, "{\"s\":\"x\",\"r\":0.10000000000000001,\"n\":null}");
    free(j);
    CHECK_INT(eddy__obj_set(&a, o, "s", false, eddy__v_str(&a, "q\"b\\n\n\x01\xff\xc3\xa9", 10)),
              ==, 0);
    j = to_json(eddy__obj_get(o, "s"));
    CHECK_STR(j, "\"q\\\"b\\\\n\\n\\u0001\xef\xbf\xbd\xc3\xa9\"");
    free(j);
    CHECK(eddy__obj_del(o, "r"));
    CHECK_INT(eddy_feed_len(o), ==, 2);
    eddy_arena_free(&a);
}

/* every module's handler table (pointers to the counts: an extern const is
 * no constant expression for a static initializer) */
static const struct {
    const struct eddy__handler *t;
    const size_t *n;
} handler_tabs[] = {
    {eddy__ns_base, &eddy__ns_base_n},     {eddy__ns_dc, &eddy__ns_dc_n},
    {eddy__ns_itunes, &eddy__ns_itunes_n}, {eddy__ns_media, &eddy__ns_media_n},
    {eddy__ns_georss, &eddy__ns_georss_n}, {eddy__ns_psc, &eddy__ns_psc_n},
    {eddy__ns_cc, &eddy__ns_cc_n},
};

TEST(feed_handler_tables_are_sorted)
{
    for (size_t i = 0; i < sizeof handler_tabs / sizeof handler_tabs[0]; i++)
        for (size_t j = 1; j < *handler_tabs[i].n; j++)
            if (strcmp(handler_tabs[i].t[j - 1].name, handler_tabs[i].t[j].name) >= 0)
                test_fail(__FILE__, __LINE__, "table %zu: '%s' before '%s'", i,
                          handler_tabs[i].t[j - 1].name, handler_tabs[i].t[j].name);
    CHECK(eddy__find_handler("dc_creator") != NULL);
    CHECK(eddy__find_handler("media_thumbnail") != NULL);
    CHECK(eddy__find_handler("nonexistent") == NULL);
}

TEST(feed_callback_mode_matches_buffered_on_real_cases)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        size_t len;
        char *doc = read_case(samples[i], &len);
        struct eddy_feed *ref;
        CHECK_INT(eddy_feed_parse(doc, len, NULL, &ref), ==, 0);
        CHECK(ref != NULL);
        struct eddy_buf want = EDDY_BUF_INIT(0);
        const struct eddy_feed_value *entries = eddy_feed_get(eddy_feed_root(ref), "entries");
        for (size_t k = 0; k < eddy_feed_len(entries); k++) {
            CHECK_INT(eddy_buf_putc(&want, k ? ',' : '['), ==, 0);
            CHECK_INT(eddy_feed_to_json(eddy_feed_at(entries, k), &want), ==, 0);
        }
        char *want_feed = to_json(eddy_feed_get(eddy_feed_root(ref), "feed"));
        struct collect c = {EDDY_BUF_INIT(0), 0};
        struct eddy_feed_opts o = {.on_entry = on_entry, .arg = &c};
        char *got_root = parse_json(doc, len, 13, &o);
        CHECK_INT(c.n, ==, eddy_feed_len(entries));
        CHECK_STR(eddy_buf_cstr(&c.json), eddy_buf_cstr(&want));
        CHECK(strstr(got_root, want_feed) != NULL);
        free(got_root);
        free(want_feed);
        eddy_buf_free(&c.json);
        eddy_buf_free(&want);
        eddy_feed_free(ref);
        free(doc);
    }
}

TEST(feed_internal_subset_not_at_line_start_is_never_expanded)
{
    /* feedparser's DOCTYPE stripping only sees declarations at line starts;
     * whatever reaches libxml2 is never expanded or loaded either. */
    static const char doc[] =
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
        "\"&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<rss version=\"2.0\"><channel><title>&c;&x;</title></channel></rss>";
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, sizeof doc - 1, NULL, &f), ==, 0);
    CHECK(f != NULL);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
    const char *title = eddy_feed_get_str(eddy_feed_get(root, "feed"), "title");
    CHECK(title != NULL);
    CHECK(strstr(title, "aaaa") == NULL);
    CHECK(strstr(title, "root:") == NULL);
    eddy_feed_free(f);
}

TEST(feed_leaked_element_stack_entries_stay_bounded)
{
    /* <itunes:link> pushes an entry feedparser never pops: one per item */
    size_t n = 0, peak = 0;
    struct eddy_feed_opts o = {.on_entry = count_entry, .arg = &n};
    struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
    CHECK(p != NULL);
    const char *head = "<rss version=\"2.0\" "
                       "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>";
    CHECK_INT(eddy_feed_parser_push(p, head, strlen(head)), ==, 0);
    char item[256];
    for (int i = 0; i < 50000; i++) {
        int k =
            snprintf(item, sizeof item,
                     "<item><title>t%d</title><itunes:link href=\"http://x/%d\"/></item>\n", i, i);
        CHECK_INT(eddy_feed_parser_push(p, item, (size_t)k), ==, 0);
        size_t m = eddy__feed_parser_memory(p);
        if (m > peak)
            peak = m;
    }
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    CHECK(f != NULL);
    CHECK_INT(n, ==, 50000);
    CHECK_INT(peak, <, 4u << 20);
    eddy_feed_free(f);
    eddy_feed_parser_free(p);
}

TEST(feed_ill_formed_feed_goes_through_the_loose_parser)
{
    /* values checked against feedparser 6.0.10 on the same bytes */
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n"
        "<rss version=\"2.0\"><channel><title>A < B & C</title><link>http://example.com/</link>\n"
        "<item><title>Item one</title><description>Line one<br>Line two<p>para</description>"
        "<link>http://example.com/1</link></item>\n"
        "<item><title>Item two</title><description>ok</description></item>\n"
        "</channel></rss>\n";
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, sizeof doc - 1, NULL, &f), ==, 0);
    CHECK(f != NULL);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"), "A < B & C");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "link"), "http://example.com/");
    const struct eddy_feed_value *entries = eddy_feed_get(root, "entries");
    CHECK_INT(eddy_feed_len(entries), ==, 2);
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(entries, 0), "summary"),
              "Line one<br />Line two<p>para");
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(entries, 1), "title"), "Item two");
    eddy_feed_free(f);
}

/* The loose parser's tokenizer (src/feed/sgml.c) takes Python's \s between
 * an attribute and its tag, and before the '>' of a comment or end tag:
 * U+00A0 and \x1c are spaces there (feedparser 6.0.10 on the same bytes). */
TEST(feed_loose_tokenizer_spaces_are_pythons)
{
    static const char *const middles[] = {
        "<item><category\xc2\xa0"
        "domain=\"d\">C</category><title>T</title></item>",
        "<item><category\x1c"
        "domain=\"d\">C</category><title>T</title></item>",
        "<item><!-- c --\xc2\xa0><title>T</title></item>",
        "<item><title>T</title\xc2\xa0></item>",
    };
    for (size_t i = 0; i < sizeof middles / sizeof *middles; i++) {
        char doc[512];
        int n = snprintf(doc, sizeof doc,
                         "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>A < B</title>"
                         "%s</channel></rss>",
                         middles[i]);
        struct eddy_feed *f;
        CHECK_INT(eddy_feed_parse(doc, (size_t)n, NULL, &f), ==, 0);
        CHECK(f != NULL);
        const struct eddy_feed_value *root = eddy_feed_root(f);
        CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
        const struct eddy_feed_value *e = eddy_feed_at(eddy_feed_get(root, "entries"), 0);
        CHECK_STR(eddy_feed_get_str(e, "title"), "T");
        if (i < 2)
            CHECK_STR(eddy_feed_get_str(eddy_feed_at(eddy_feed_get(e, "tags"), 0), "scheme"), "d");
        eddy_feed_free(f);
    }
}

/* Keyword and tag lists are split and each term stripped as Python's
 * str.strip() does (vertical tab, form feed and \x1c-\x1f included). */
TEST(feed_split_terms_stripped_like_python)
{
    static const char doc[] =
        "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\""
        " xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>t</title>"
        "<itunes:keywords> a ,\tb\v, ,c\x1f\n</itunes:keywords><item><title>e</title>"
        "<media:keywords> x\x1c , y\f,  , z </media:keywords></item></channel></rss>";
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, sizeof doc - 1, NULL, &f), ==, 0);
    CHECK(f != NULL);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    const struct eddy_feed_value *ft = eddy_feed_get(eddy_feed_get(root, "feed"), "tags");
    const struct eddy_feed_value *et =
        eddy_feed_get(eddy_feed_at(eddy_feed_get(root, "entries"), 0), "tags");
    CHECK_INT(eddy_feed_len(ft), ==, 3);
    CHECK_INT(eddy_feed_len(et), ==, 3);
    static const char *const want_f[] = {"a", "b", "c"}, *const want_e[] = {"x", "y", "z"};
    for (size_t i = 0; i < 3; i++) {
        CHECK_STR(eddy_feed_get_str(eddy_feed_at(ft, i), "term"), want_f[i]);
        CHECK_STR(eddy_feed_get_str(eddy_feed_at(et, i), "term"), want_e[i]);
    }
    eddy_feed_free(f);
}

/* finish says why it gives no result: -EINVAL for a second call or a NULL
 * parser (it returned NULL for those and for ENOMEM alike); parse passes
 * push's error (-E2BIG past max_bytes) with no result. */
TEST(feed_finish_and_parse_report_one_reason_each)
{
    struct eddy_feed_parser *p = eddy_feed_parser_new(NULL);
    CHECK(p != NULL);
    CHECK_INT(eddy_feed_parser_push(p, "<rss/>", 6), ==, 0);
    struct eddy_feed *f = NULL, *again = (struct eddy_feed *)p;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    CHECK(f != NULL);
    CHECK_INT(eddy_feed_parser_finish(p, &again), ==, -EINVAL);
    CHECK(again == NULL);
    CHECK_INT(eddy_feed_parser_finish(NULL, &again), ==, -EINVAL);
    eddy_feed_free(f);
    eddy_feed_parser_free(p);

    struct eddy_feed_opts o = {.max_bytes = 4};
    f = (struct eddy_feed *)&o;
    CHECK_INT(eddy_feed_parse("<rss/>", 6, &o, &f), ==, -E2BIG);
    CHECK(f == NULL);
}

static struct eddy_feed *parse_str(const char *doc)
{
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, strlen(doc), NULL, &f), ==, 0);
    return f;
}

/* Issue 8: JSON is a fallback only when XML failed.  A well-formed XML
 * document that is no feed, or an encoding bozo, was reported as a JSON
 * error ("JSONDecodeError: invalid token near '<'"); so was a text file. */
TEST(feed_json_only_when_xml_failed_or_by_its_first_byte)
{
    struct eddy_feed *f = parse_str("<?xml version=\"1.0\"?><note/>");
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK(!eddy_feed_bool(eddy_feed_get(root, "bozo")));
    CHECK(eddy_feed_get(root, "bozo_exception") == NULL);
    CHECK_STR(eddy_feed_get_str(root, "version"), "");
    eddy_feed_free(f);

    f = parse_str("<?xml version=\"1.0\" encoding=\"us-ascii\"?><note>\xe9</note>");
    CHECK(!strncmp(eddy_feed_get_str(eddy_feed_root(f), "bozo_exception"),
                   "CharacterEncodingOverride", 25));
    eddy_feed_free(f);

    f = parse_str("hello world, this is just text\n");
    const char *exc = eddy_feed_get_str(eddy_feed_root(f), "bozo_exception");
    CHECK(exc && !strstr(exc, "JSON") && strstr(exc, "not XML"));
    eddy_feed_free(f);

    /* a JSON Feed without a Content-Type: read as JSON first, no XML error */
    f = parse_str(
        " {\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J\", \"items\": []}");
    root = eddy_feed_root(f);
    CHECK_STR(eddy_feed_get_str(root, "version"), "json11");
    CHECK(!eddy_feed_bool(eddy_feed_get(root, "bozo")));
    CHECK_INT(eddy_feed_diag_count(f), ==, 0);
    eddy_feed_free(f);
}

/* Issue 8: diagnostic offsets are in the input's bytes.  They were in the
 * converted UTF-8, which starts with an XML declaration the conversion
 * writes (39 bytes off for a document without one) and counts 2 bytes for
 * a Latin-1 'é' and 1 for a UTF-16 'a'. */
static size_t first_diag_offset(const char *doc, size_t len)
{
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, len, NULL, &f), ==, 0);
    size_t off = (size_t)-1;
    for (size_t i = 0; i < eddy_feed_diag_count(f) && off == (size_t)-1; i++)
        if (strstr(eddy_feed_diag(f, i, NULL), "bogus"))
            eddy_feed_diag(f, i, &off);
    eddy_feed_free(f);
    return off;
}

TEST(feed_diagnostic_offsets_are_in_input_bytes)
{
    static const char u8[] =
        "<rss version=\"2.0\"><channel><title>a &bogus; b</title></channel></rss>";
    size_t at = (size_t)(strstr(u8, "&bogus") - u8), off = first_diag_offset(u8, sizeof u8 - 1);
    CHECK(off >= at && off <= at + 7);
    static const char l1[] =
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel>"
        "<title>\xe9\xe9\xe9 &bogus; b</title></channel></rss>";
    at = (size_t)(strstr(l1, "&bogus") - l1), off = first_diag_offset(l1, sizeof l1 - 1);
    CHECK(off >= at && off <= at + 7);
    /* in UTF-16LE with a BOM: 2 bytes a character */
    static const char decl[] = "<?xml version=\"1.0\" encoding=\"utf-16\"?>";
    char u16[400];
    size_t n = 0;
    u16[n++] = (char)0xFF, u16[n++] = (char)0xFE;
    for (const char *s = decl; *s; s++)
        u16[n++] = *s, u16[n++] = 0;
    for (const char *s = u8; *s; s++)
        u16[n++] = *s, u16[n++] = 0;
    at = 2 + 2 * (sizeof decl - 1 + (size_t)(strstr(u8, "&bogus") - u8)),
    off = first_diag_offset(u16, n);
    CHECK(off >= at && off <= at + 14);
}

/* Issue 12: the loose parser lower-cases the prefix, which namespacemap maps
 * to feedparser's camel-case "creativeCommons"; the handler was only known
 * by the strict parser's lower-case key, so an ill-formed feed kept
 * feed.creativeCommons_license instead of a license link.  (A sweep over
 * every handler of every namespace module, strict and loose, against
 * feedparser 6.0.10 found no other.) */
TEST(feed_loose_creative_commons_license_is_a_link)
{
    struct eddy_feed *f =
        parse_str("<?xml version=\"1.0\"?><rss version=\"2.0\" "
                  "xmlns:creativeCommons=\"http://backend.userland.com/creativeCommonsRssModule\">"
                  "<channel><title>t\x01</title>"
                  "<creativeCommons:license>http://cc/l</creativeCommons:license></channel></rss>");
    const struct eddy_feed_value *feed = eddy_feed_get(eddy_feed_root(f), "feed");
    CHECK(eddy_feed_bool(eddy_feed_get(eddy_feed_root(f), "bozo")));
    CHECK(eddy_feed_get(feed, "creativeCommons_license") == NULL);
    const struct eddy_feed_value *link = eddy_feed_at(eddy_feed_get(feed, "links"), 0);
    CHECK_STR(eddy_feed_get_str(link, "rel"), "license");
    CHECK_STR(eddy_feed_get_str(link, "href"), "http://cc/l");
    eddy_feed_free(f);
}

static int ignore_entry(void *arg, const struct eddy_feed_value *entry)
{
    (void)arg, (void)entry;
    return 0;
}

/* bozo_exception and every diagnostic, one per line, of doc parsed in
 * callback mode in chunks of `step` bytes (0: one push). */
static char *callback_diags(const char *doc, size_t len, size_t step)
{
    struct eddy_feed_opts o = {.on_entry = ignore_entry};
    struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
    CHECK(p != NULL);
    for (size_t off = 0; off < len;) {
        size_t n = step && len - off > step ? step : len - off;
        CHECK_INT(eddy_feed_parser_push(p, doc + off, n), ==, 0);
        off += n;
    }
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    eddy_buf_printf(&b, "%s\n", eddy_feed_get_str(eddy_feed_root(f), "bozo_exception"));
    for (size_t i = 0; i < eddy_feed_diag_count(f); i++) {
        size_t off;
        const char *m = eddy_feed_diag(f, i, &off);
        eddy_buf_printf(&b, "%zu %s\n", off, m);
    }
    eddy_feed_free(f);
    eddy_feed_parser_free(p);
    return eddy_buf_detach(&b, NULL);
}

/* Issue 12: in callback mode the UTF-8 repair reports a chunk's bytes
 * before libxml2 parses them, so the diagnostics came in another order, and
 * bozo_exception named another error, when the same bytes came in smaller
 * chunks.  Both now follow the document's order. */
TEST(feed_diagnostics_do_not_depend_on_chunking)
{
    static const char *const docs[] = {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
        "<title>t</title><item><title>a</title><ch x></item>\n"
        "<item><title>caf\xe9 \xe3\x81</title></item></channel></rss>\n",
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><!-- a -- b -->"
        "<item><title>x\xff</title><description>a & b</description></item></channel></rss>",
    };
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        size_t len = strlen(docs[d]);
        char *whole = callback_diags(docs[d], len, 0);
        CHECK(strstr(whole, "SAXParseException") != NULL);
        static const size_t steps[] = {1, 4, 7, 64};
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            char *chunked = callback_diags(docs[d], len, steps[s]);
            CHECK_STR(chunked, whole);
            free(chunked);
        }
        free(whole);
    }
}

/* Issue 12: a message longer than its buffer (libxml2 quotes a long element
 * name) was cut inside a UTF-8 character: bozo_exception and the diagnostic
 * were no longer valid UTF-8. */
TEST(feed_long_messages_are_not_cut_inside_a_character)
{
    static const char *const chars[] = {"\xe2\x82\xac", "x\xe2\x82\xac", "\xf0\x9d\x84\x9e"};
    for (size_t c = 0; c < sizeof chars / sizeof chars[0]; c++) {
        struct eddy_buf doc = EDDY_BUF_INIT(0);
        eddy_buf_puts(&doc, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><");
        for (int i = 0; i < 200; i++)
            eddy_buf_puts(&doc, chars[c]);
        eddy_buf_puts(&doc, "></x></channel></rss>");
        struct eddy_feed *f = parse_str(eddy_buf_cstr(&doc));
        const char *exc = eddy_feed_get_str(eddy_feed_root(f), "bozo_exception");
        CHECK(exc && strlen(exc) > 400);
        CHECK(eddy__utf8_valid((const unsigned char *)exc, strlen(exc)));
        CHECK(eddy_feed_diag_count(f) > 0);
        for (size_t i = 0; i < eddy_feed_diag_count(f); i++) {
            const char *m = eddy_feed_diag(f, i, NULL);
            CHECK(eddy__utf8_valid((const unsigned char *)m, strlen(m)));
        }
        eddy_feed_free(f);
        eddy_buf_free(&doc);
    }
}

/* Element and attribute names are cached by libxml2's interned pointers,
 * and a namespace declaration that changes nothing keeps the caches.  A
 * prefix declared again with another URI must still change the names;
 * the same URI under a new prefix and attributes in any case must keep
 * theirs. */
TEST(feed_namespace_redeclarations_and_cached_names)
{
    struct eddy_feed *f = parse_str(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:a=\"http://x.example/\""
        " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
        "<a:foo>1</a:foo>"
        "<entry xmlns:a=\"http://y.example/\"><a:foo>2</a:foo></entry>"
        "<entry xmlns:a=\"http://y.example/\"><a:foo>3</a:foo>"
        "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">p</div></content>"
        "</entry>"
        "<entry xmlns:a=\"http://x.example/\"><a:foo>4</a:foo>"
        "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">q</div></content>"
        "<link href=\"http://h/1\" rel=\"Alternate\"/><link href=\"http://h/2\" REL=\"enclosure\"/>"
        "</entry>"
        "<entry xmlns:b=\"http://x.example/\"><b:foo>5</b:foo></entry>"
        "<entry xmlns:a=\"http://y.example/\" xmlns:c=\"http://x.example/\"><c:foo>6</c:foo>"
        "</entry>"
        "<entry xmlns:d2=\"http://purl.org/dc/elements/1.1/\"><d2:creator>me</d2:creator>"
        "</entry></feed>");
    const struct eddy_feed_value *root = eddy_feed_root(f);
    const struct eddy_feed_value *ns = eddy_feed_get(root, "namespaces");
    CHECK_STR(eddy_feed_get_str(ns, "a"), "http://y.example/");
    CHECK_STR(eddy_feed_get_str(ns, "c"), "http://x.example/");
    CHECK_STR(eddy_feed_get_str(ns, "b"), "http://x.example/");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "a_foo"), "1");
    const struct eddy_feed_value *es = eddy_feed_get(root, "entries");
    CHECK_INT(eddy_feed_len(es), ==, 6);
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(es, 5), "author"), "me"); /* d2: is dc: */
    /* feedparser names an unknown namespace by its first prefix: "b:foo"
     * is a_foo, and once "a" is another URI, "c:foo" is b_foo */
    static const char *const want[][2] = {
        {"a_foo", "2"}, {"a_foo", "3"}, {"a_foo", "4"}, {"a_foo", "5"}, {"b_foo", "6"}};
    for (size_t i = 0; i < 5; i++)
        CHECK_STR(eddy_feed_get_str(eddy_feed_at(es, i), want[i][0]), want[i][1]);
    const struct eddy_feed_value *links = eddy_feed_get(eddy_feed_at(es, 2), "links");
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(links, 0), "rel"), "alternate");
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(links, 1), "rel"), "enclosure");
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(es, 2), "summary"), "q");
    eddy_feed_free(f);

    /* the loose parser (an ill-formed document) maps prefixes by nsmap */
    f = parse_str("<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
                  "<item><dc:creator>a</dc:creator></item>"
                  "<item xmlns:d2=\"http://purl.org/dc/elements/1.1/\"><d2:creator>b &amp x"
                  "</d2:creator></item></channel></rss>");
    root = eddy_feed_root(f);
    CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
    es = eddy_feed_get(root, "entries");
    CHECK_INT(eddy_feed_len(es), ==, 2);
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(es, 1), "author"), "b &amp; x");
    eddy_feed_free(f);
}

/* The handler table (one hash table for every module): each name finds its
 * handler, the first module's for a name in two, and near names miss. */
TEST(feed_every_handler_is_found_by_its_name)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof handler_tabs / sizeof handler_tabs[0]; i++)
        for (size_t j = 0; j < *handler_tabs[i].n; j++, n++) {
            const char *name = handler_tabs[i].t[j].name;
            const struct eddy__handler *want = &handler_tabs[i].t[j];
            for (size_t k = 0; k < i && want == &handler_tabs[i].t[j]; k++)
                for (size_t m = 0; m < *handler_tabs[k].n; m++)
                    if (!strcmp(handler_tabs[k].t[m].name, name))
                        want = &handler_tabs[k].t[m];
            if (eddy__find_handler(name) != want)
                test_fail(__FILE__, __LINE__, "'%s' does not find its handler", name);
        }
    CHECK(n > 100);
    static const char *const misses[] = {"", "titl", "titlex", "dc_", "Title", "media_"};
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++)
        CHECK(eddy__find_handler(misses[i]) == NULL);
}

TEST(feed_known_namespaces_match_whole_uris_only)
{
    CHECK_STR(eddy__match_namespace("http://purl.org/dc/elements/1.1/"), "dc");
    CHECK_STR(eddy__match_namespace("http://www.w3.org/2005/atom"), "");
    CHECK_STR(eddy__match_namespace(""), "");
    CHECK_STR(eddy__match_namespace("http://podlove.org/simple-chapters"), "psc");
    CHECK(eddy__match_namespace("http://purl.org/dc/elements/1.1") == NULL);
    CHECK(eddy__match_namespace("http://purl.org/dc/elements/1.1/x") == NULL);
    CHECK(eddy__match_namespace("http://www.w3.org/2005/Atom") == NULL); /* lower case only */
}

/* Strings and copied keys share their node's allocation; obj_add appends
 * without a lookup; deepcopy copies keys as well as values. */
TEST(feed_value_strings_keys_and_copies)
{
    struct eddy_arena a = {0};
    struct eddy_feed_value *s = eddy__v_str(&a, "a\0b", 3);
    size_t len;
    const char *p = eddy_feed_str(s, &len);
    CHECK_MEM(p, len, "a\0b", 3);
    CHECK_INT(p[3], ==, 0);
    p = eddy_feed_str(eddy__v_str(&a, "", 0), &len);
    CHECK_INT(len, ==, 0);
    CHECK_INT(p[0], ==, 0);

    char key[16] = "k1";
    struct eddy_feed_value *o = eddy__v_obj(&a);
    CHECK_INT(eddy__obj_set(&a, o, key, true, eddy__v_cstr(&a, "v1")), ==, 0);
    CHECK_INT(eddy__obj_add(&a, o, "k2", false, eddy__v_cstr(&a, "v2")), ==, 0);
    strcpy(key, "k3");
    CHECK_INT(eddy__obj_add(&a, o, key, true, eddy__v_cstr(&a, "v3")), ==, 0);
    strcpy(key, "xx");
    CHECK_INT(eddy__obj_add(&a, o, "k4", false, NULL), ==, -ENOMEM);
    struct eddy_arena b = {0};
    struct eddy_feed_value *c = eddy__deepcopy(&b, o);
    eddy_arena_free(&a); /* the copy shares nothing with it (ASan checks) */
    char *j = to_json(c);
    CHECK_STR(j, "{\"k1\":\"v1\",\"k2\":\"v2\",\"k3\":\"v3\"}");
    free(j);
    CHECK_STR(eddy_feed_get_str(c, "k3"), "v3");
    CHECK(eddy__obj_get(c, "xx") == NULL);
    eddy_arena_free(&b);
}

/* eddy__lower takes 8 ASCII bytes at a time: every byte value around 'A'
 * and 'Z' at every position, and non-ASCII text after and between. */
TEST(feed_lower_ascii_words_like_bytes)
{
    char s[64], want[64];
    for (int start = 0x20; start < 0x80; start++)
        for (size_t len = 0; len < 40; len += 3) {
            for (size_t i = 0; i < len; i++) {
                int c = 0x20 + (start - 0x20 + (int)i * 7) % 0x60;
                s[i] = (char)c;
                want[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            eddy__lower(s, len);
            CHECK_MEM(s, len, want, len);
        }
    char u[] = "ABCDEFGH\xc3\x80\xc3\x89IJKLMNOPQ\xd0\x96Z";
    eddy__lower(u, strlen(u));
    CHECK_STR(u, "abcdefgh\xc3\xa0\xc3\xa9ijklmnopq\xd0\xb6z");
}

/* Whether a content type is HTML is kept with the type (pop tests it for
 * every element): the same as mapping it (html, text/html, any case). */
TEST(feed_html_content_types_are_sanitized_others_not)
{
    static const struct {
        const char *type, *want;
    } cases[] = {
        {"html", "<p>s</p>"},
        {"text/html", "<p>s</p>"},
        {"HTML", "<p>s</p>"},
        {"text", "<p onclick=\"x\">s</p>"},
        {"plain", "<p onclick=\"x\">s</p>"},
        {"texthtml", "<p onclick=\"x\">s</p>"},
        {"text/html;charset=utf-8", "<p onclick=\"x\">s</p>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[512];
        snprintf(doc, sizeof doc,
                 "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><summary type=\"%s\">"
                 "&lt;p onclick=\"x\"&gt;s&lt;/p&gt;</summary></entry></feed>",
                 cases[i].type);
        struct eddy_feed *f = parse_str(doc);
        const struct eddy_feed_value *e =
            eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 0);
        CHECK_STR(eddy_feed_get_str(e, "summary"), cases[i].want);
        eddy_feed_free(f);
    }
}
