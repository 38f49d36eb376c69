/*
 * test_jsonfeed.c — JSON Feed 1.0/1.1 (src/feed/json.c) through the public
 * parser: feedparser's keys and values for the feed, eddy's model for the
 * entries, feedparser's errors (not JSON, not an object), how it turns
 * scalar ids into strings, and the entry callback.  The one conformance
 * case (json/example.json) is checked whole, key by key in JSON form.
 */
#include "../test.h"

#include <stdlib.h>
#include <string.h>

#include "eddy/feed.h"

/* The result of parsing doc (with a Content-Type when ct is not NULL). */
static struct eddy_feed *parse(const char *doc, const char *ct)
{
    struct eddy_feed_header h = {"Content-Type", ct};
    struct eddy_feed_opts o = {.headers = ct ? &h : NULL, .nheaders = ct ? 1 : 0};
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, strlen(doc), &o, &f), ==, 0);
    CHECK(f != NULL);
    return f;
}

/* root[key] ([sub]) as compact JSON, in a static buffer. */
static const char *json_of(const struct eddy_feed *f, const char *key, const char *sub)
{
    static char out[8192];
    const struct eddy_feed_value *v = eddy_feed_get(eddy_feed_root(f), key);
    if (sub)
        v = eddy_feed_get(v, sub);
    if (!v)
        return "(absent)";
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(v, &b), ==, 0);
    snprintf(out, sizeof out, "%s", b.data);
    eddy_buf_free(&b);
    return out;
}

static const struct eddy_feed_value *entry(const struct eddy_feed *f, size_t i)
{
    return eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), i);
}

static char *read_case(const char *rel)
{
    const char *top = getenv("EDDY_TOP");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/feed/feedparser/cases/%s", top ? top : ".", rel);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        test_fail(__FILE__, __LINE__, "cannot open %s (is EDDY_TOP set? tests/run sets it)", path);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    char chunk[4096];
    for (size_t n; (n = fread(chunk, 1, sizeof chunk, fp)) > 0;)
        CHECK_INT(eddy_buf_append(&b, chunk, n), ==, 0);
    fclose(fp);
    return eddy_buf_detach(&b, NULL);
}

TEST(jsonfeed_example_case)
{
    char *doc = read_case("json/example.json");
    struct eddy_feed *f = parse(doc, NULL); /* no Content-Type: sniffed by its '{' */
    CHECK_STR(json_of(f, "bozo", NULL), "false");
    CHECK_STR(json_of(f, "version", NULL), "\"json1\"");
    CHECK_STR(json_of(f, "encoding", NULL), "\"utf-8\"");
    CHECK_STR(json_of(f, "namespaces", NULL), "{}");
    CHECK_STR(
        json_of(f, "feed", NULL),
        "{\"title\":\"My Example Feed\",\"title_detail\":{\"value\":\"My Example "
        "Feed\",\"type\":\"text/plain\"},"
        "\"id\":\"https://example.org/feed.json\",\"links\":[{\"href\":\"https://example.org/"
        "feed.json\","
        "\"rel\":\"self\",\"title\":\"My Example "
        "Feed\"},{\"href\":\"https://example.org/\",\"rel\":\"alternate\"}],"
        "\"link\":\"https://example.org/\",\"image\":{\"href\":\"https://example.org/feed.png\"},"
        "\"authors\":[{\"name\":\"me\"}],\"author_detail\":{\"name\":\"me\"},\"author\":\"me\"}");
    CHECK_STR(json_of(f, "entries", NULL),
              "[{\"id\":\"2\",\"title\":\"post "
              "2\",\"title_detail\":{\"value\":\"post "
              "2\",\"type\":\"text/plain\"},\"link\":\"https://example.org/"
              "second-item\",\"content\":[{\"type\":"
              "\"text/plain\",\"language\":null,\"base\":\"\",\"value\":\"This is a second "
              "item.\"}],\"tags\":[{\"term\":"
              "\"test\",\"scheme\":null,\"label\":null},{\"term\":\"JSON\",\"scheme\":null,"
              "\"label\":null}],\"links\":"
              "[{\"href\":\"https://example.org/"
              "second-item-show.mp4\",\"rel\":\"enclosure\",\"type\":\"video/mp4\","
              "\"length\":12000000}]},{\"id\":\"1\",\"link\":\"https://example.org/"
              "initial-post\",\"content\":[{\"type\":"
              "\"text/html\",\"language\":null,\"base\":\"\",\"value\":\"<p>Hello, "
              "world!</p>\"}],\"authors\":[{\"name\":"
              "\"you\",\"href\":\"http://example.net/"
              "~you\"}],\"author_detail\":{\"name\":\"you\",\"href\":"
              "\"http://example.net/~you\"},\"author\":\"you\"}]");
    eddy_feed_free(f);
    free(doc);
}

TEST(jsonfeed_versions)
{
    struct eddy_feed *f = parse("{\"version\": \"https://jsonfeed.org/version/1.1\"}", NULL);
    CHECK_STR(json_of(f, "version", NULL), "\"json11\"");
    eddy_feed_free(f);
    f = parse("{\"version\": \"  https://jsonfeed.org/version/1\\n\"}", NULL); /* .strip() */
    CHECK_STR(json_of(f, "version", NULL), "\"json1\"");
    eddy_feed_free(f);
    f = parse("{\"version\": \"https://jsonfeed.org/version/2\", \"title\": \"t\"}", NULL);
    CHECK_STR(json_of(f, "version", NULL), "\"json\"");
    CHECK_STR(json_of(f, "feed", "title"), "\"t\"");
    CHECK_STR(json_of(f, "bozo", NULL), "false");
    eddy_feed_free(f);
}

TEST(jsonfeed_errors)
{
    /* typed as JSON but not JSON: JSONDecodeError, no version */
    struct eddy_feed *f = parse("{\"title\": ", "application/feed+json");
    CHECK_STR(json_of(f, "bozo", NULL), "true");
    const char *exc = eddy_feed_get_str(eddy_feed_root(f), "bozo_exception");
    CHECK(exc && !strncmp(exc, "JSONDecodeError: ", 17));
    CHECK_STR(json_of(f, "version", NULL), "\"\"");
    eddy_feed_free(f);
    /* JSON, but a list: feedparser's AttributeError, version "json" */
    f = parse("[1, 2]", "application/json");
    CHECK_STR(json_of(f, "bozo", NULL), "true");
    CHECK_STR(eddy_feed_get_str(eddy_feed_root(f), "bozo_exception"),
              "AttributeError: 'list' object has no attribute 'get'");
    CHECK_STR(json_of(f, "version", NULL), "\"json\"");
    CHECK_STR(json_of(f, "entries", NULL), "[]");
    eddy_feed_free(f);
}

TEST(jsonfeed_item_ids)
{
    struct eddy_feed *f = parse(
        "{\"items\": [{\"id\": \" a \"}, {\"id\": 7}, {\"id\": 1.5}, {\"id\": 100.0}, {\"id\": "
        "1e20},"
        " {\"id\": 0.00001}, {\"id\": 0.0001}, {\"id\": -0.0}, {\"id\": true}, {\"id\": null}, {},"
        " {\"id\": {}}, {\"id\": [1], \"title\": \"kept\"}]}",
        NULL);
    static const char *const want[] = {"a",      "7",    "1.5",  "100.0", "1e+20", "1e-05",
                                       "0.0001", "-0.0", "true", "null",  "null"};
    size_t n = eddy_feed_len(eddy_feed_get(eddy_feed_root(f), "entries"));
    CHECK_INT(n, ==, 12); /* {"id": {}} alone makes an empty entry: dropped */
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK_STR(eddy_feed_get_str(entry(f, i), "id"), want[i]);
    CHECK(eddy_feed_get(entry(f, 11), "id") == NULL);
    CHECK_STR(eddy_feed_get_str(entry(f, 11), "title"), "kept");
    eddy_feed_free(f);
}

TEST(jsonfeed_text_constructs)
{
    struct eddy_feed *f = parse("{\"title\": \"  <b>A</b> &amp; <script>x</script> \", "
                                "\"description\": \"1 < 2\", \"user_comment\": \"<em>hi</em>\"}",
                                NULL);
    /* <script> is not an acceptable element: not HTML for looks_like_html */
    CHECK_STR(json_of(f, "feed", "title_detail"),
              "{\"value\":\"<b>A</b> &amp; <script>x</script>\",\"type\":\"text/plain\"}");
    CHECK_STR(json_of(f, "feed", "subtitle_detail"),
              "{\"value\":\"1 < 2\",\"type\":\"text/plain\"}");
    CHECK_STR(json_of(f, "feed", "info_detail"),
              "{\"value\":\"<em>hi</em>\",\"type\":\"text/html\"}");
    eddy_feed_free(f);
    /* HTML is sanitized (typed: sax_driver.c tries XML first on an untyped body) */
    f = parse("{\"title\": \"<p onclick=\\\"x()\\\">A</p>\"}", "application/feed+json");
    CHECK_STR(json_of(f, "feed", "title"), "\"<p>A</p>\"");
    eddy_feed_free(f);
}

TEST(jsonfeed_feed_keys)
{
    struct eddy_feed *f = parse(
        "{\"favicon\": \" f.ico \", \"next_url\": \"n\", \"expired\": \"true\", "
        "\"hubs\": [{\"url\": \" u \", \"type\": \"WebSub\"}, {\"url\": 1, \"type\": \"x\"}, 3], "
        "\"author\": {\"name\": \" N \", \"url\": \"mailto:a@b.example?subject=x\", \"avatar\": "
        "\"av\"}}",
        NULL);
    CHECK_STR(
        json_of(f, "feed", NULL),
        "{\"icon\":\"f.ico\",\"links\":[{\"href\":\"n\",\"rel\":\"next\"}],\"complete\":false,"
        "\"hubs\":[{\"url\":\"u\",\"type\":\"WebSub\"}],\"authors\":[{\"name\":\"N\",\"href\":"
        "\"mailto:a@b.example?subject=x\",\"email\":\"a@b.example\",\"image\":\"av\"}],\"author_"
        "detail\":"
        "{\"name\":\"N\",\"href\":\"mailto:a@b.example?subject=x\",\"email\":\"a@b.example\","
        "\"image\":\"av\"},"
        "\"author\":\"N\"}");
    eddy_feed_free(f);
    f = parse("{\"expired\": true, \"hubs\": \"no\", \"author\": {}}", NULL);
    CHECK_STR(json_of(f, "feed", NULL), "{\"complete\":true,\"hubs\":[]}");
    eddy_feed_free(f);
}

TEST(jsonfeed_entry_model)
{
    struct eddy_feed *f =
        parse("{\"items\": [{\"id\": \"x\", \"summary\": \"s\", \"external_url\": \"e\", "
              "\"content_html\": \"<p>a</p><script>b()</script>\", \"date_published\": "
              "\"2010-02-07T14:04:00-05:00\", "
              "\"date_modified\": \"not a date\", \"tags\": [\"t\", 3], "
              "\"attachments\": [{\"url\": \"a.mp3\", \"mime_type\": \"audio/mpeg\"}, "
              "{\"mime_type\": \"x\"}]}]}",
              NULL);
    const struct eddy_feed_value *e = entry(f, 0);
    CHECK_STR(eddy_feed_get_str(e, "summary"), "s");
    CHECK_STR(eddy_feed_get_str(e, "source"), "e");
    const struct eddy_feed_value *c = eddy_feed_at(eddy_feed_get(e, "content"), 0);
    CHECK_STR(eddy_feed_get_str(c, "type"), "text/html");
    CHECK_STR(eddy_feed_get_str(c, "value"), "<p>a</p>");
    CHECK_STR(eddy_feed_get_str(e, "published"), "2010-02-07T14:04:00-05:00");
    const struct eddy_feed_value *pp = eddy_feed_get(e, "published_parsed");
    CHECK_INT(eddy_feed_len(pp), ==, 9);
    CHECK_INT(eddy_feed_int(eddy_feed_at(pp, 0)), ==, 2010);
    CHECK_INT(eddy_feed_int(eddy_feed_at(pp, 3)), ==, 19); /* in UTC */
    CHECK_STR(eddy_feed_get_str(e, "updated"), "not a date");
    CHECK_INT(eddy_feed_type(eddy_feed_get(e, "updated_parsed")), ==, EDDY_FEED_NULL);
    CHECK_INT(eddy_feed_len(eddy_feed_get(e, "tags")), ==, 1);
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(eddy_feed_get(e, "tags"), 0), "term"), "t");
    const struct eddy_feed_value *links = eddy_feed_get(e, "links");
    CHECK_INT(eddy_feed_len(links), ==, 1); /* the attachment without url is skipped */
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(links, 0), "rel"), "enclosure");
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(links, 0), "type"), "audio/mpeg");
    eddy_feed_free(f);
}

struct counter {
    int n;
    char ids[64];
};

static int on_entry(void *arg, const struct eddy_feed_value *e)
{
    struct counter *c = arg;
    c->n++;
    strncat(c->ids, eddy_feed_get_str(e, "id") ? eddy_feed_get_str(e, "id") : "?",
            sizeof c->ids - strlen(c->ids) - 1);
    return 0;
}

TEST(jsonfeed_entry_callback)
{
    char *doc = read_case("json/example.json");
    struct counter c = {0};
    struct eddy_feed_opts o = {.on_entry = on_entry, .arg = &c};
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, strlen(doc), &o, &f), ==, 0);
    CHECK(f != NULL);
    CHECK_INT(c.n, ==, 2);
    CHECK_STR(c.ids, "21");
    CHECK_STR(json_of(f, "feed", "title"), "\"My Example Feed\"");
    CHECK_STR(json_of(f, "version", NULL), "\"json1\"");
    eddy_feed_free(f);
    free(doc);
}

TEST(jsonfeed_empty_entries_are_dropped)
{
    /* an item whose id is an object or array and which gives no other key */
    struct eddy_feed *f =
        parse("{\"items\": [{\"id\": {}, \"author\": {}}, {\"id\": [], \"attachments\": [{}]},"
              " {\"id\": {}, \"author\": {\"name\": \"kept\"}}, {\"id\": [], \"tags\": []}, 5]}",
              NULL);
    CHECK_INT(eddy_feed_len(eddy_feed_get(eddy_feed_root(f), "entries")), ==, 2);
    CHECK_STR(eddy_feed_get_str(entry(f, 0), "author"), "kept");
    CHECK_STR(json_of(f, "entries", NULL),
              "[{\"authors\":[{\"name\":\"kept\"}],\"author_detail\":{\"name\":\"kept\"},"
              "\"author\":\"kept\"},{\"tags\":[]}]");
    eddy_feed_free(f);
}
