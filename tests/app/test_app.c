/* The app layer: OPML, and a refresh pass on the caller's loop (the
 * schedule: test_sched.c). */
#include "../client/support/httpd.h"

#include "eddy/app.h"

#include <errno.h>
#include <string.h>

struct seen {
    char urls[8][64], cats[8][32], titles[8][32];
    int n;
};

static int collect(void *arg, const struct eddy_app_outline *o)
{
    struct seen *s = arg;
    if (s->n == 8)
        return -E2BIG;
    snprintf(s->urls[s->n], 64, "%s", o->url);
    snprintf(s->cats[s->n], 32, "%s", o->category ? o->category : "-");
    snprintf(s->titles[s->n], 32, "%s", o->title ? o->title : "-");
    s->n++;
    return 0;
}

static int collect_url(void *arg, const char *url, const char *title)
{
    struct seen *s = arg;
    (void)title;
    if (s->n == 8)
        return -E2BIG;
    snprintf(s->urls[s->n++], 64, "%s", url);
    return 0;
}

/* A page may announce javascript:, data: or file: URLs as feeds: they were
 * returned, and would have been fetched or put in a page's href. */
TEST(app_discover_announces_only_http_feeds)
{
    static const char page[] =
        "<html><head>"
        "<link rel=alternate type=application/rss+xml href='javascript:alert(1)'>"
        "<link rel=alternate type=application/rss+xml href=' JavaScript:alert(2)'>"
        "<link rel=alternate type=application/atom+xml href='file:///etc/passwd'>"
        "<link rel=alternate type=application/rss+xml href='data:text/xml,<rss/>'>"
        "<link rel=alternate type=application/rss+xml href='/feed.xml'>"
        "<link rel=alternate type=application/atom+xml href='HTTPS://b.example/atom'>"
        "</head></html>";
    struct seen s = {0};
    CHECK_INT(eddy_app_discover(page, sizeof page - 1, "http://a.example/blog/", collect_url, &s),
              ==, 2);
    CHECK_INT(s.n, ==, 2);
    CHECK_STR(s.urls[0], "http://a.example/feed.xml");
    CHECK(!strncmp(s.urls[1], "HTTPS://b.example/atom", 22) ||
          !strncmp(s.urls[1], "https://b.example/atom", 22));
}

/* "At any depth": an outline inside a feed's outline was skipped. */
TEST(app_opml_outline_inside_a_feed_outline)
{
    static const char doc[] = "<opml version='2.0'><body><outline text='News'>"
                              "<outline text='A' xmlUrl='http://a/'>"
                              "<outline text='B' xmlUrl='http://b/'/></outline>"
                              "</outline></body></opml>";
    struct seen s = {0};
    CHECK_INT(eddy_app_opml_parse(doc, sizeof doc - 1, collect, &s), ==, 2);
    CHECK_STR(s.urls[1], "http://b/");
    CHECK_STR(s.cats[1], "News");
}

TEST(app_opml_nesting_and_escapes)
{
    static const char doc[] =
        "<?xml version='1.0'?><opml version='1.0'><head/><body>"
        "<outline text='Top' xmlUrl='http://a/1'/>"
        "<outline title='Tech &amp; Co'><outline text='B' title='B title' xmlUrl='http://b/2'/>"
        "<outline text='Inner'><outline xmlUrl='http://c/3'/></outline></outline>"
        "</body></opml>";
    struct seen s = {0};
    CHECK_INT(eddy_app_opml_parse(doc, strlen(doc), collect, &s), ==, 3);
    CHECK_STR(s.urls[0], "http://a/1");
    CHECK_STR(s.cats[0], "-");
    CHECK_STR(s.titles[0], "Top");
    CHECK_STR(s.cats[1], "Tech & Co");
    CHECK_STR(s.titles[1], "B title");
    CHECK_STR(s.cats[2], "Inner"); /* the nearest enclosing outline */
    CHECK_STR(s.titles[2], "-");

    /* What eddy writes reads back the same, quotes and ampersands included. */
    struct eddy_store_feed feeds[] = {
        {.url = "http://x/?a=1&b=\"2\"", .title = "<X>", .category = "Q & A"},
        {.url = "http://y/", .category = NULL},
        {.url = "http://z/", .title = "Z", .category = "Q & A"},
    };
    struct eddy_buf b;
    eddy_buf_init(&b, 0);
    CHECK_INT(eddy_app_opml_write(feeds, 3, &b), ==, 0);
    struct seen t = {0};
    CHECK_INT(eddy_app_opml_parse(b.data, b.len, collect, &t), ==, 3);
    CHECK_STR(t.urls[0], "http://y/");
    CHECK_STR(t.cats[0], "-");
    CHECK_STR(t.urls[1], "http://x/?a=1&b=\"2\"");
    CHECK_STR(t.titles[1], "<X>");
    CHECK_STR(t.cats[1], "Q & A");
    CHECK_STR(t.urls[2], "http://z/");
    CHECK_STR(t.cats[2], "Q & A");
    eddy_buf_free(&b);
}

TEST(app_opml_refuses_what_is_no_opml)
{
    struct seen s = {0};
    static const char html[] = "<html><body><outline xmlUrl='http://a/'/></body></html>";
    CHECK_INT(eddy_app_opml_parse(html, strlen(html), collect, &s), ==, -EBADMSG);
    CHECK_INT(eddy_app_opml_parse("not xml at all", 14, collect, &s), ==, -EBADMSG);
    CHECK_INT(s.n, ==, 0);
}

/* eddy_app_refresh on the caller's loop and session, against the client
 * tests' loopback server (tests/client/support/httpd.py). */
struct loop_run {
    struct eddy_store *store;
    struct eddy_app_refresh_opts o;
    struct eddy_app_summary sum;
    size_t calls;
};

static void count_call(void *arg, const struct eddy_app_feed_done *d)
{
    struct loop_run *r = arg;
    (void)d;
    r->calls++;
}

static int refresh_task(void *arg)
{
    struct loop_run *r = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    if (!s)
        return -ENOMEM;
    int err = eddy_app_refresh(r->store, s, &r->o, &r->sum);
    eddy_session_free(s);
    return err;
}

TEST(app_refresh_on_the_callers_loop)
{
    server_start(NULL, NULL);
    struct loop_run r = {.o = {.timeout_ns = 1 * EDDY_SEC, .progress = count_call}};
    r.o.arg = &r;
    CHECK_INT(eddy_store_open(test_tmpdir(), &r.store), ==, 0);
    int64_t koi8, moved;
    CHECK_INT(eddy_store_feed_add(r.store, url("/feed/koi8"), NULL, NULL, &koi8), ==, 0);
    CHECK_INT(eddy_store_feed_add(r.store, url("/feed/json"), NULL, NULL, NULL), ==, 0);
    CHECK_INT(eddy_store_feed_add(r.store, url("/stall"), NULL, NULL, NULL), ==, 0);
    /* 301 onto a URL another subscription has: recorded where it is. */
    CHECK_INT(eddy_store_feed_add(r.store, url("/moved"), NULL, NULL, &moved), ==, 0);

    CHECK_INT(eddy_run(refresh_task, &r, NULL), ==, 0);
    CHECK_INT(r.sum.feeds, ==, 4);
    CHECK_INT(r.sum.fetched, ==, 3);
    CHECK_INT(r.sum.errors, ==, 1);
    CHECK_INT(r.sum.added, ==, 3);
    CHECK_INT(r.sum.moved, ==, 0);
    CHECK_INT(r.calls, ==, 4);
    struct eddy_store_feed f = {0};
    CHECK_INT(eddy_store_feed(r.store, moved, &f), ==, 0);
    CHECK_STR(f.url, url("/moved"));
    CHECK_INT(f.last_status, ==, 200);
    CHECK(f.last_error == NULL);
    eddy_store_feed_fini(&f);
    CHECK_INT(eddy_store_feed(r.store, koi8, &f), ==, 0);
    CHECK_STR(f.title, "Привет");
    CHECK_STR(f.etag, "\"f1\"");
    eddy_store_feed_fini(&f);

    /* Nothing is due now; with all, the koi8 feed answers 304 (the /moved
     * one too: it carries the same validators). */
    r.sum = (struct eddy_app_summary){0};
    CHECK_INT(eddy_run(refresh_task, &r, NULL), ==, 0);
    CHECK_INT(r.sum.feeds, ==, 0);
    r.o.all = true;
    CHECK_INT(eddy_run(refresh_task, &r, NULL), ==, 0);
    CHECK_INT(r.sum.feeds, ==, 4);
    CHECK_INT(r.sum.not_modified, ==, 2);
    CHECK_INT(r.sum.fetched, ==, 1);
    CHECK_INT(r.sum.added, ==, 0);
    CHECK_INT(r.sum.errors, ==, 1);
    eddy_store_close(r.store);
    server_stop();
}
