/* The merged feeds (Atom, JSON Feed) read back by eddy's own parser, and the
 * digest compiled from a real store: grouping, the lookback, links, the MIME
 * message's shape.  tests/app/digest.py checks the same outputs with
 * feedparser, Python's email and mailbox modules and a real SMTP server. */
#include "../test.h"

#include "eddy/app.h"
#include "eddy/feed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct eddy_store_feed feeds[] = {
    {.id = 7,
     .url = "http://a.example/feed.xml",
     .title = "Feed & <Co> \"A\"",
     .site_link = "http://a.example/"},
    {.id = 9, .url = "http://b.example/rss", .title = NULL, .site_link = "javascript:alert(1)"},
};

/* Hostile text: markup characters, a control character, an invalid byte,
 * U+FFFE, a non-IRI guid, a javascript: link, an entry of a feed not given. */
static struct eddy_store_entry entries[] = {
    {.id = 3,
     .feed_id = 7,
     .guid = "a-1",
     .link = "http://a.example/1?x=1&y=2",
     .title = "<b>A & B</b> \"q\"\x01 \xff end\xef\xbf\xbe",
     .author = "Ann",
     .content = "<p>One &amp; <a href=\"http://a.example/x\">two</a> ]]&gt; \xe2\x80\x94</p>",
     .date = 1796500000},
    {.id = 2,
     .feed_id = 9,
     .guid = "http://b.example/guid/2",
     .link = "javascript:alert(2)",
     .title = "Second",
     .summary = "<p>Short</p>",
     .content = "<p>Long</p>",
     .date = 1796400000},
    {.id = 1, .feed_id = 42, .title = "Orphan", .content = "x", .date = 1796300000},
};
#define N (sizeof entries / sizeof entries[0])

static struct eddy_feed *parse(const struct eddy_buf *b)
{
    struct eddy_feed *f = NULL;
    CHECK_INT(eddy_feed_parse(b->data, b->len, NULL, &f), ==, 0);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    if (eddy_feed_bool(eddy_feed_get(root, "bozo")))
        test_fail(__FILE__, __LINE__, "bozo: %s", eddy_feed_get_str(root, "bozo_exception"));
    for (size_t i = 0; i < eddy_feed_diag_count(f); i++)
        fprintf(stderr, "repair: %s\n", eddy_feed_diag(f, i, NULL));
    CHECK_INT(eddy_feed_diag_count(f), ==, 0);
    return f;
}

static const struct eddy_feed_value *entry(const struct eddy_feed *f, size_t i)
{
    return eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), i);
}

/* What a reader gets for entries[0]'s title: controls and U+FFFE dropped,
 * the invalid byte as U+FFFD. */
#define TITLE0 "<b>A & B</b> \"q\" \xef\xbf\xbd end"

TEST(river_atom_reads_back_clean)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    const struct eddy_app_river r = {.title = "River & co",
                                     .self_url = "http://me.example/river.atom"};
    CHECK_INT(eddy_app_river_atom(&r, entries, N, feeds, 2, &b), ==, 0);
    struct eddy_feed *f = parse(&b);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK_STR(eddy_feed_get_str(root, "version"), "atom10");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"), "River & co");
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "id"), "http://me.example/river.atom");
    CHECK_INT(eddy_feed_len(eddy_feed_get(root, "entries")), ==, 3);

    const struct eddy_feed_value *e = entry(f, 0);
    CHECK_STR(eddy_feed_get_str(e, "title"), TITLE0);
    CHECK_STR(eddy_feed_get_str(e, "id"), "tag:eddy,2026:entry/3"); /* "a-1" is no IRI */
    CHECK_STR(eddy_feed_get_str(e, "link"), "http://a.example/1?x=1&y=2");
    CHECK_STR(eddy_feed_get_str(e, "author"), "Ann");
    CHECK_STR(eddy_feed_get_str(e, "updated"), "2026-12-05T19:46:40Z");
    const struct eddy_feed_value *content = eddy_feed_at(eddy_feed_get(e, "content"), 0);
    CHECK_STR(eddy_feed_get_str(content, "type"), "text/html");
    CHECK_STR(eddy_feed_get_str(content, "value"), entries[0].content);
    const struct eddy_feed_value *src = eddy_feed_get(e, "source");
    CHECK_STR(eddy_feed_get_str(src, "title"), "Feed & <Co> \"A\"");
    CHECK_STR(eddy_feed_get_str(src, "id"), "http://a.example/feed.xml");
    CHECK_STR(eddy_feed_get_str(src, "link"), "http://a.example/");

    e = entry(f, 1);
    CHECK_STR(eddy_feed_get_str(e, "id"), "http://b.example/guid/2"); /* an IRI: kept */
    /* javascript: left out; a reader takes the id as link (feedparser's guidislink) */
    CHECK_STR(eddy_feed_get_str(e, "link"), "http://b.example/guid/2");
    CHECK_STR(eddy_feed_get_str(e, "summary"), "<p>Short</p>");
    src = eddy_feed_get(e, "source");
    CHECK_STR(eddy_feed_get_str(src, "title"), "http://b.example/rss"); /* no title: its URL */
    CHECK_STR(eddy_feed_get_str(src, "author"), "http://b.example/rss");
    CHECK(!strstr(b.data, "javascript:"));

    CHECK(!eddy_feed_get(entry(f, 2), "source")); /* its feed was not given */
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

TEST(river_json_reads_back_clean)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    const struct eddy_app_river r = {.title = "River", .home_url = "http://me.example/"};
    CHECK_INT(eddy_app_river_json(&r, entries, N, feeds, 2, &b), ==, 0);
    struct eddy_feed *f = parse(&b);
    CHECK_STR(eddy_feed_get_str(eddy_feed_root(f), "version"), "json11");
    const struct eddy_feed_value *e = entry(f, 0);
    CHECK_STR(eddy_feed_get_str(e, "title"), TITLE0);
    CHECK_STR(eddy_feed_get_str(e, "id"), "tag:eddy,2026:entry/3");
    CHECK_STR(eddy_feed_get_str(e, "link"), "http://a.example/1?x=1&y=2");
    CHECK_STR(eddy_feed_get_str(e, "author"), "Ann");
    CHECK_STR(eddy_feed_get_str(eddy_feed_at(eddy_feed_get(e, "content"), 0), "value"),
              entries[0].content);
    CHECK(!eddy_feed_get(entry(f, 1), "link"));
    CHECK_STR(eddy_feed_get_str(entry(f, 1), "author"), "http://b.example/rss");
    /* The source feed, under the extension key. */
    CHECK(strstr(b.data, "\"_eddy\":{\"feed\":{\"id\":7,\"title\":\"Feed & <Co> \\\"A\\\"\","
                         "\"feed_url\":\"http://a.example/feed.xml\","
                         "\"home_page_url\":\"http://a.example/\"}}"));
    CHECK(strstr(b.data, "\"_eddy\":{\"feed\":{\"id\":9,\"title\":\"http://b.example/rss\","
                         "\"feed_url\":\"http://b.example/rss\"}}"));
    eddy_feed_free(f);
    eddy_buf_free(&b);
}

TEST(river_buffer_cap_leaves_nothing_half_written)
{
    struct eddy_buf b = EDDY_BUF_INIT(300);
    const struct eddy_app_river r = {0};
    CHECK_INT(eddy_buf_puts(&b, "keep"), ==, 0);
    CHECK_INT(eddy_app_river_atom(&r, entries, N, feeds, 2, &b), ==, -E2BIG);
    CHECK_STR(eddy_buf_cstr(&b), "keep");
    CHECK_INT(eddy_app_river_json(&r, entries, N, feeds, 2, &b), ==, -E2BIG);
    CHECK_STR(eddy_buf_cstr(&b), "keep");
    eddy_buf_free(&b);
}

/* ------------------------------------------------------------ digest */

#define NOW 1796500000

static struct eddy_store *filled_store(void)
{
    struct eddy_store *s;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    int64_t a, b, c;
    CHECK_INT(eddy_store_feed_add(s, "http://a.example/feed",
                                  "Zeta \xc3\xa9"
                                  "crits",
                                  NULL, &a),
              ==, 0);
    CHECK_INT(eddy_store_feed_add(s, "http://b.example/feed", "Alpha", NULL, &b), ==, 0);
    CHECK_INT(eddy_store_feed_add(s, "http://c.example/feed", "Quiet", NULL, &c), ==, 0);
    /* Seen long ago: not in a digest since NOW - 3600. */
    const struct eddy_store_entry_in old = {
        .guid = "old", .title = "Old", .link = "http://a.example/old"};
    CHECK_INT(eddy_store_entries_upsert(s, a, &old, 1, NOW - 86400, NULL), ==, 0);
    CHECK_INT(eddy_store_entries_upsert(s, c, &old, 1, NOW - 86400, NULL), ==, 0);
    const struct eddy_store_entry_in in_a[] = {
        {.guid = "a1",
         .title = "Relative links",
         .link = "http://a.example/posts/1/",
         .content = "<p>See <a href=\"/about\">about</a>, <a href=\"\">empty</a>, "
                    "<a href=\"javascript:alert(1)\">js</a> and <img src=\"cat.png\" alt=\"a cat\">"
                    "<img src=\"data:image/png;base64,AAAA\" alt=\"inline\"></p>"
                    "<script>alert(1)</script><p onclick=\"alert(2)\">From here.</p>"
                    "<blockquote><p>Quoted words, enough of them to wrap the line once at least, "
                    "as replies and quotations are.</p><blockquote>Nested.</blockquote>"
                    "</blockquote><ol><li>first</li><li>second<ul><li>dot</li></ul></li><li>third</"
                    "li></ol>"},
        /* First seen now, dated 3 days ago: in (late publication). */
        {.guid = "a2",
         .title = "Late",
         .link = "http://a.example/late",
         .content = "late",
         .date = NOW - 3 * 86400,
         .date_source = EDDY_STORE_DATE_PARSED},
        /* First seen now, dated a year ago: a back catalogue, out. */
        {.guid = "a3",
         .title = "Archive",
         .link = "http://a.example/archive",
         .date = NOW - 365 * 86400,
         .date_source = EDDY_STORE_DATE_PARSED},
    };
    CHECK_INT(eddy_store_entries_upsert(s, a, in_a, 3, NOW, NULL), ==, 0);
    const struct eddy_store_entry_in in_b[] = {
        {.guid = "b1", .title = "B one", .link = "http://b.example/1", .content = "<p>b1</p>"},
        {.guid = "b2", .title = "B two", .link = "http://b.example/2", .content = "<p>b2</p>"},
    };
    CHECK_INT(eddy_store_entries_upsert(s, b, in_b, 2, NOW - 60, NULL), ==, 0);
    return s;
}

TEST(digest_groups_new_entries_by_feed)
{
    struct eddy_store *s = filled_store();
    struct eddy_app_digest *d;
    CHECK_INT(eddy_app_digest_compile(
                  s, &(struct eddy_app_digest_opts){.since = NOW - 3600, .now = NOW}, &d),
              ==, 0);
    size_t omitted, nfeeds;
    CHECK_INT(eddy_app_digest_count(d, &omitted, &nfeeds), ==, 4);
    CHECK_INT(omitted, ==, 0);
    CHECK_INT(nfeeds, ==, 2);
    char *subject = eddy_app_digest_subject(d);
    CHECK_STR(subject, "Letters from a Feed: 4 new entries from Alpha and Zeta \xc3\xa9"
                       "crits");
    free(subject);

    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_app_digest_text(d, &b), ==, 0);
    /* Feeds by title, entries newest first; the old and the archive left out. */
    const char *alpha = strstr(b.data, "== Alpha =="), *zeta = strstr(b.data, "== Zeta");
    CHECK(alpha && zeta && alpha < zeta);
    CHECK(strstr(b.data, "B two") < strstr(b.data, "B one"));
    CHECK(strstr(b.data, "Relative links") < strstr(b.data, "Late"));
    CHECK(!strstr(b.data, "Archive") && !strstr(b.data, "Old") && !strstr(b.data, "Quiet"));
    /* Links absolute, the empty and javascript: ones plain text, images as
     * links (a data: one dropped), the script gone. */
    CHECK(strstr(b.data, "See about <http://a.example/about>, empty, js and [image: a cat]\n"
                         "<http://a.example/posts/1/cat.png>\n\nFrom here.\n"));
    /* Quotations as in mail: "> " before each of their lines. */
    CHECK(strstr(b.data, "\n\n> Quoted words, enough of them to wrap the line once at least, as\n"
                         "> replies and quotations are.\n\n> > Nested.\n\n"
                         "1. first\n2. second\n- dot\n3. third\n"));
    CHECK(!strstr(b.data, "inline") && !strstr(b.data, "alert"));
    /* Dates in the reader's time zone (TZ). */
    setenv("TZ", "UTC", 1);
    tzset();
    eddy_buf_reset(&b);
    CHECK_INT(eddy_app_digest_text(d, &b), ==, 0);
    CHECK(strstr(b.data, "\nhttp://b.example/2\n2026-12-05 19:45 UTC\n"));
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    eddy_buf_reset(&b);
    CHECK_INT(eddy_app_digest_text(d, &b), ==, 0);
    CHECK(strstr(b.data, "\nhttp://b.example/2\n2026-12-05 20:45 CET\n"));
    for (const char *line = b.data; *line; line += strcspn(line, "\n") + 1)
        CHECK_INT(strcspn(line, "\n"), <=, 72);

    eddy_buf_reset(&b);
    CHECK_INT(eddy_app_digest_html(d, &b), ==, 0);
    CHECK(strstr(b.data, "<a href=\"http://a.example/about\">about</a>"));
    CHECK(strstr(b.data, "<a>empty</a>") && strstr(b.data, "<a>js</a>"));
    CHECK(strstr(b.data, "<a href=\"http://a.example/posts/1/cat.png\">[image: a cat]</a>"));
    CHECK(!strstr(b.data, "<img") && !strstr(b.data, "<script") && !strstr(b.data, "onclick") &&
          !strstr(b.data, "javascript:") && !strstr(b.data, "data:"));
    eddy_buf_free(&b);
    eddy_app_digest_free(d);

    /* --max: the newest kept, the rest counted. */
    CHECK_INT(eddy_app_digest_compile(
                  s,
                  &(struct eddy_app_digest_opts){.since = NOW - 3600, .now = NOW, .max_entries = 1},
                  &d),
              ==, 0);
    CHECK_INT(eddy_app_digest_count(d, &omitted, NULL), ==, 1);
    CHECK_INT(omitted, ==, 3);
    eddy_app_digest_free(d);
    eddy_store_close(s);
}

TEST(digest_message_shape)
{
    struct eddy_store *s = filled_store();
    struct eddy_app_digest *d;
    CHECK_INT(eddy_app_digest_compile(
                  s, &(struct eddy_app_digest_opts){.since = NOW - 3600, .now = NOW}, &d),
              ==, 0);
    eddy_store_close(s);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    const struct eddy_app_mail m = {.from = "me@example.com",
                                    .to = "you@example.com, them@example.org"};
    CHECK_INT(eddy_app_digest_message(d, &m, false, &b), ==, 0);
    CHECK(!strncmp(b.data,
                   "From: eddy <me@example.com>\r\nTo: you@example.com, them@example.org\r\n"
                   "Subject: =?UTF-8?B?",
                   80));
    CHECK(strstr(b.data, "\r\nDate: Sat, 05 Dec 2026 19:46:40 +0000\r\n"));
    CHECK(strstr(b.data, "\r\nMessage-ID: <eddy.digest.1796500000."));
    CHECK(strstr(b.data, "Content-Type: multipart/alternative;\r\n boundary=\"=_eddy_"));
    CHECK(strstr(b.data, "Content-Type: text/plain; charset=utf-8"));
    CHECK(strstr(b.data, "Content-Type: text/html; charset=utf-8"));
    /* Every line CRLF-terminated and at most 76 characters; no bare LF. */
    size_t lines = 0;
    for (const char *p = b.data; *p; lines++) {
        const char *nl = strchr(p, '\n');
        CHECK(nl && nl > p && nl[-1] == '\r');
        CHECK_INT(nl - p - 1, <=, 76);
        p = nl + 1;
    }
    CHECK(lines > 40);
    CHECK(strstr(b.data, "\r\n=46rom here.")); /* "From " never starts a line */

    eddy_buf_reset(&b);
    CHECK_INT(eddy_app_digest_message(d, &m, true, &b), ==, 0);
    CHECK(!strncmp(b.data, "From me@example.com Sat Dec  5 19:46:40 2026\nFrom: eddy", 55));
    CHECK(!strchr(b.data, '\r'));
    CHECK(!strcmp(b.data + b.len - 2, "\n\n"));

    /* Addresses that would break the header or the envelope. */
    const struct eddy_app_mail bad[] = {
        {.from = "me", .to = "you@example.com"},
        {.from = "me@example.com", .to = ""},
        {.from = "me@example.com", .to = "you@example.com,"},
        {.from = "me@example.com", .to = "you@example.com\r\nBcc: x@y"},
        {.from = "a b@example.com", .to = "you@example.com"},
        {.from = "me@example.com", .to = "<you@example.com>"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        eddy_buf_reset(&b);
        CHECK_INT(eddy_app_digest_message(d, &bad[i], false, &b), ==, -EINVAL);
        CHECK_INT(b.len, ==, 0);
    }
    CHECK_INT(eddy_app_mail_check("me@example.com", "a@b.c , d@e.f"), ==, 0);
    eddy_buf_free(&b);

    /* Past the buffer's cap: an error, and the buffer as it was. */
    struct eddy_buf small = EDDY_BUF_INIT(600);
    CHECK_INT(eddy_buf_puts(&small, "keep"), ==, 0);
    CHECK_INT(eddy_app_digest_html(d, &small), ==, -E2BIG);
    CHECK_INT(eddy_app_digest_text(d, &small), ==, -E2BIG);
    CHECK_INT(eddy_app_digest_message(d, &m, false, &small), ==, -E2BIG);
    CHECK_INT(eddy_app_digest_message(d, &m, true, &small), ==, -E2BIG);
    CHECK_STR(eddy_buf_cstr(&small), "keep");
    eddy_buf_free(&small);
    eddy_app_digest_free(d);
}

struct from_task {
    struct eddy_store *s;
    struct eddy_app_digest *d;
};

static int compile_task(void *arg)
{
    struct from_task *t = arg;
    const struct eddy_app_digest_opts o = {.since = NOW - 3600, .now = NOW};
    return eddy_app_digest_compile_await(t->s, &o, &t->d);
}

TEST(digest_compile_from_a_task)
{
    struct from_task t = {.s = filled_store()};
    CHECK_INT(eddy_run(compile_task, &t, NULL), ==, 0);
    CHECK(t.d != NULL);
    CHECK_INT(eddy_app_digest_count(t.d, NULL, NULL), ==, 4);
    eddy_app_digest_free(t.d);
    /* Outside a task: refused, nothing compiled. */
    CHECK_INT(compile_task(&t), ==, -EPERM);
    CHECK(t.d == NULL);
    eddy_store_close(t.s);
}

/* Random bytes in every text field: both documents stay well-formed. */
TEST(river_random_bytes_stay_well_formed)
{
    uint32_t seed = 12345;
    char text[4][64];
    for (int round = 0; round < 300; round++) {
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 63; i++) {
                seed = seed * 1103515245 + 12345;
                text[k][i] = (char)(1 + (seed >> 16) % 255);
            }
            text[k][63] = 0;
        }
        struct eddy_store_feed f = {.id = 1, .url = "http://x.example/", .title = text[0]};
        struct eddy_store_entry e = {.id = 1,
                                     .feed_id = 1,
                                     .guid = text[1],
                                     .title = text[2],
                                     .content = text[3],
                                     .author = text[0]};
        for (int json = 0; json < 2; json++) {
            struct eddy_buf b = EDDY_BUF_INIT(0);
            const struct eddy_app_river r = {.title = text[1]};
            CHECK_INT((json ? eddy_app_river_json : eddy_app_river_atom)(&r, &e, 1, &f, 1, &b), ==,
                      0);
            struct eddy_feed *doc = parse(&b);
            CHECK_INT(eddy_feed_len(eddy_feed_get(eddy_feed_root(doc), "entries")), ==, 1);
            eddy_feed_free(doc);
            eddy_buf_free(&b);
        }
    }
}

/* Nothing new: every output still well-formed ("Nothing new.", an empty
 * feed).  Under UBSan this also caught qsort being given NULL. */
TEST(digest_empty)
{
    struct eddy_store *s;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    struct eddy_app_digest *d;
    CHECK_INT(
        eddy_app_digest_compile(s, &(struct eddy_app_digest_opts){.since = NOW, .now = NOW}, &d),
        ==, 0);
    eddy_store_close(s);
    CHECK_INT(eddy_app_digest_count(d, NULL, NULL), ==, 0);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_app_digest_html(d, &b), ==, 0);
    CHECK(strstr(b.data, "<p>Nothing new.</p>"));
    eddy_buf_reset(&b);
    CHECK_INT(eddy_app_digest_feed(d, &(struct eddy_app_river){0}, "atom", &b), ==, 0);
    struct eddy_feed *f = parse(&b);
    CHECK_INT(eddy_feed_len(eddy_feed_get(eddy_feed_root(f), "entries")), ==, 0);
    eddy_feed_free(f);
    eddy_buf_reset(&b);
    CHECK_INT(eddy_app_digest_feed(d, &(struct eddy_app_river){0}, "rss", &b), ==, -EINVAL);
    eddy_buf_free(&b);
    eddy_app_digest_free(d);
}

/* eddy_app_digest_mail: nothing new sends nothing (no connection is even
 * tried); with entries, the server's failure comes back with its URL. */
TEST(digest_mail_in_one_call)
{
    struct eddy_store *s = filled_store();
    const struct eddy_app_mail m = {.from = "me@example.com", .to = "you@example.com"};
    const struct eddy_app_smtp smtp = {.url = "smtp://127.0.0.1:1", .timeout = 5};
    size_t sent = 99;
    char *why = (char *)"untouched";
    CHECK_INT(eddy_app_digest_mail(s, &(struct eddy_app_digest_opts){.since = NOW + 1, .now = NOW},
                                   &m, &smtp, &sent, &why),
              ==, 0);
    CHECK_INT(sent, ==, 0);
    CHECK(why == NULL);
    CHECK_INT(eddy_app_digest_mail(s,
                                   &(struct eddy_app_digest_opts){.since = NOW - 3600, .now = NOW},
                                   &m, &smtp, &sent, &why),
              ==, -ECONNREFUSED);
    CHECK(why && !strncmp(why, "smtp://127.0.0.1:1: ", 20));
    free(why);
    const struct eddy_app_mail bad = {.from = "me", .to = "you@example.com"};
    CHECK_INT(eddy_app_digest_mail(s,
                                   &(struct eddy_app_digest_opts){.since = NOW - 3600, .now = NOW},
                                   &bad, &smtp, NULL, NULL),
              ==, -EINVAL);
    eddy_store_close(s);
}
