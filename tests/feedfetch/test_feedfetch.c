/* Tests of feedfetch/: eddy_feed_fetch against a real HTTP server on
 * loopback (tests/client/support/httpd.py), and feeds rendered by the
 * template engine through eddy_feed_tdata. */
#include "../test.h"
#include "../client/support/httpd.h"

#include "eddy/feedfetch.h"
#include "eddy/loop.h"

#include <errno.h>

/* One eddy_feed_fetch in a task on a fresh session; the result stays in *r. */
struct call {
    struct eddy_feed_fetch_opts o;
    struct eddy_feed_fetch_result r;
    int err;
};

static int do_fetch(void *arg)
{
    struct call *c = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    CHECK(s);
    c->err = eddy_feed_fetch(s, &c->o, &c->r);
    eddy_session_free(s);
    return 0;
}

static void fetch(struct call *c)
{
    CHECK_INT(eddy_run(do_fetch, c, NULL), ==, 0);
}

static const char *root_str(const struct eddy_feed_fetch_result *r, const char *obj,
                            const char *key)
{
    const struct eddy_feed_value *v = eddy_feed_root(r->feed);
    return eddy_feed_get_str(obj ? eddy_feed_get(v, obj) : v, key);
}

TEST(feedfetch_charset_from_content_type)
{
    /* KOI8-R bytes declared only by the reply's Content-Type: without the
     * headers the parser would fall back to windows-1252 and mangle them. */
    server_start(NULL, NULL);
    struct call c = {.o = {.url = url("/feed/koi8")}};
    fetch(&c);
    CHECK_INT(c.err, ==, 0);
    CHECK_INT(c.r.status, ==, 200);
    CHECK_STR(c.r.error, "");
    CHECK_STR(root_str(&c.r, "feed", "title"), "Привет");
    CHECK_STR(root_str(&c.r, NULL, "encoding"), "koi8-r");
    CHECK_STR(c.r.etag, "\"f1\"");
    CHECK_STR(c.r.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    CHECK_STR(c.r.final_url, url("/feed/koi8"));
    CHECK(!c.r.moved && !c.r.not_modified);
    CHECK(c.r.bytes > 50);
    /* Relative links resolve against the final URL the parser was given. */
    const struct eddy_feed_value *e =
        eddy_feed_at(eddy_feed_get(eddy_feed_root(c.r.feed), "entries"), 0);
    CHECK_STR(eddy_feed_get_str(e, "link"), url("/one"));
    eddy_feed_fetch_result_clear(&c.r);
    CHECK(!c.r.feed && !c.r.error);
    server_stop();
}

/* A collected reply parsed by eddy_feed_parse_reply gets the same headers
 * and final URL as eddy_feed_fetch's stream (the discovery path). */
static int do_parse_reply(void *arg)
{
    struct eddy_feed **f = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    struct eddy_reply *r = NULL;
    CHECK(s && eddy_get(s, url("/moved"), &r) == 0);
    CHECK_INT(eddy_feed_parse_reply(r, f), ==, 0);
    eddy_reply_free(r);
    eddy_session_free(s);
    return 0;
}

TEST(feedfetch_parse_reply_uses_headers_and_final_url)
{
    server_start(NULL, NULL);
    struct eddy_feed *f = NULL;
    CHECK_INT(eddy_run(do_parse_reply, &f, NULL), ==, 0);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"), "Привет");
    CHECK_STR(eddy_feed_get_str(root, "encoding"), "koi8-r");
    CHECK_STR(eddy_feed_get_str(root, "href"), url("/feed/koi8"));
    eddy_feed_free(f);
    server_stop();
}

TEST(feedfetch_json_feed_by_content_type)
{
    server_start(NULL, NULL);
    struct call c = {.o = {.url = url("/feed/json")}};
    fetch(&c);
    CHECK_INT(c.err, ==, 0);
    CHECK_STR(root_str(&c.r, NULL, "version"), "json11");
    CHECK_STR(root_str(&c.r, "headers", "content-type"), "application/feed+json");
    CHECK_STR(root_str(&c.r, "feed", "title"), "J");
    eddy_feed_fetch_result_clear(&c.r);
    server_stop();
}

TEST(feedfetch_conditional_get_304_keeps_validators)
{
    server_start(NULL, NULL);
    struct call c = {.o = {.url = url("/feed/koi8"),
                           .etag = "\"f1\"",
                           .last_modified = "Wed, 21 Oct 2015 07:28:00 GMT"}};
    fetch(&c);
    CHECK_INT(c.err, ==, 0);
    CHECK_INT(c.r.status, ==, 304);
    CHECK(c.r.not_modified);
    CHECK(c.r.feed == NULL);
    CHECK_STR(c.r.error, "");
    CHECK_STR(c.r.etag, "\"f1\"");
    /* The 304 has no Last-Modified: the one sent still holds. */
    CHECK_STR(c.r.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    eddy_feed_fetch_result_clear(&c.r);
    server_stop();
}

TEST(feedfetch_permanent_redirect_reported)
{
    server_start(NULL, NULL);
    struct call c = {.o = {.url = url("/moved")}};
    fetch(&c);
    CHECK_INT(c.err, ==, 0);
    CHECK(c.r.moved);
    CHECK_STR(c.r.final_url, url("/feed/koi8"));
    CHECK_STR(root_str(&c.r, NULL, "href"), url("/feed/koi8"));
    CHECK_STR(root_str(&c.r, "feed", "title"), "Привет");
    eddy_feed_fetch_result_clear(&c.r);
    /* A temporary one is followed but not reported as a move. */
    char to[160];
    snprintf(to, sizeof to, "/to/%s", url("/feed/json"));
    struct call t = {.o = {.url = url(to)}};
    fetch(&t);
    CHECK_INT(t.err, ==, 0);
    CHECK(!t.r.moved);
    CHECK_STR(t.r.final_url, url("/feed/json"));
    eddy_feed_fetch_result_clear(&t.r);
    /* A 301 then a 302: the final URL is a temporary one, no move (it was
     * reported as one when any hop was permanent). */
    char mixed[160];
    snprintf(mixed, sizeof mixed, "/redirect/1/301/to/%s", url("/feed/json"));
    struct call m = {.o = {.url = url(mixed)}};
    fetch(&m);
    CHECK_INT(m.err, ==, 0);
    CHECK(!m.r.moved);
    CHECK_STR(m.r.final_url, url("/feed/json"));
    eddy_feed_fetch_result_clear(&m.r);
    server_stop();
}

TEST(feedfetch_errors)
{
    server_start(NULL, NULL);
    struct call c = {.o = {.url = url("/nope")}};
    fetch(&c);
    CHECK_INT(c.err, ==, -EREMOTEIO);
    CHECK_INT(c.r.status, ==, 404);
    CHECK_STR(c.r.error, "HTTP status 404");
    CHECK(c.r.feed == NULL);
    eddy_feed_fetch_result_clear(&c.r);

    struct call t = {.o = {.url = url("/feed/text")}};
    fetch(&t);
    CHECK_INT(t.err, ==, -EBADMSG);
    CHECK(t.r.feed != NULL); /* kept: the caller may show the parser's view */
    CHECK(t.r.error[0] != 0);
    eddy_feed_fetch_result_clear(&t.r);

    struct call b = {.o = {.url = url("/size/100000"), .max_body = 1000}};
    fetch(&b);
    CHECK_INT(b.err, ==, -EFBIG);
    CHECK(b.r.feed == NULL);
    eddy_feed_fetch_result_clear(&b.r);
    server_stop();

    /* Nothing listens there any more. */
    struct call d = {.o = {.url = url("/feed/json")}};
    fetch(&d);
    CHECK(d.err < 0);
    CHECK_INT(d.r.status, ==, 0);
    CHECK(d.r.error[0] != 0);
    eddy_feed_fetch_result_clear(&d.r);
}

static int count_entry(void *arg, const struct eddy_feed_value *entry)
{
    CHECK_STR(eddy_feed_get_str(entry, "title"), "one");
    ++*(int *)arg;
    return 0;
}

TEST(feedfetch_on_entry_mode)
{
    server_start(NULL, NULL);
    int n = 0;
    struct call c = {.o = {.url = url("/feed/json"), .on_entry = count_entry, .arg = &n}};
    fetch(&c);
    CHECK_INT(c.err, ==, 0);
    CHECK_INT(n, ==, 1);
    CHECK_INT(eddy_feed_len(eddy_feed_get(eddy_feed_root(c.r.feed), "entries")), ==, 0);
    eddy_feed_fetch_result_clear(&c.r);
    server_stop();
}

/* ------------------------------------------------- feeds in templates */

static const char doc[] =
    "<rss version='2.0'><channel><title>T &amp; co</title><ttl>5</ttl>"
    "<item><title>a</title><link>http://x.test/a</link></item>"
    "<item><title>b</title><link>javascript:alert(1)</link></item></channel></rss>";

static const char *render(const char *src, struct eddy_tdata ctx)
{
    static char result[4096];
    struct eddy_templates *ts = eddy_templates_new(NULL);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_templates_add(ts, "t.html", src, strlen(src)), ==, 0);
    int err = eddy_templates_render_data(ts, "t.html", ctx, &out);
    if (err)
        snprintf(result, sizeof result, "ERR %d: %s", err, eddy_templates_error(ts));
    else
        snprintf(result, sizeof result, "%s", eddy_buf_cstr(&out));
    eddy_buf_free(&out);
    eddy_templates_free(ts);
    return result;
}

TEST(feedfetch_feed_renders_through_tdata)
{
    struct eddy_feed *f = NULL;
    CHECK(eddy_feed_parse(doc, sizeof doc - 1, NULL, &f) == 0);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    struct eddy_tdata ctx = eddy_feed_tdata(root);
    CHECK_STR(render("{{ feed.title }}|{{ feed.ttl }}|{{ bozo }}|{{ entries|length }}"
                     "{% for e in entries %}|{{ loop.index }}:{{ e.title }}{% endfor %}"
                     "|{{ entries[-1].title }}|{{ nope|default('d') }}|{{ 'title' in feed }}",
                     ctx),
              "T &amp; co|5|False|2|1:a|2:b|b|d|True");
    /* {{ object }} writes compact JSON in the feed's key order, as
     * eddy_feed_to_json does. */
    struct eddy_buf j = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(eddy_feed_at(eddy_feed_get(root, "entries"), 0), &j), ==, 0);
    CHECK_STR(render("{{ entries[0]|safe }}", ctx), eddy_buf_cstr(&j));
    eddy_buf_free(&j);
    /* Mixed with C values: a view's own fields around the feed. */
    struct eddy_tfield fields[] = {
        {"feed", ctx}, {"who", eddy_tdata_str("me")}, {"n", eddy_tdata_int(3)}};
    struct eddy_tdata items[] = {eddy_tdata_object(fields, 3), eddy_tdata_object(fields, 3)};
    struct eddy_tfield top[] = {{"feeds", eddy_tdata_array(items, 2)}};
    CHECK_STR(
        render("{% for f in feeds %}{{ f.who }}{{ f.n + 1 }}:{{ f.feed.feed.title }};{% endfor %}"
               "{% for k, v in feeds[0] %}{{ k }},{% endfor %}{{ feeds[0].n|tojson }}",
               eddy_tdata_object(top, 1)),
        "me4:T &amp; co;me4:T &amp; co;feed,who,n,3");
    eddy_feed_free(f);
}

TEST(feedfetch_result_renders_through_tdata)
{
    server_start(NULL, NULL);
    struct call ok = {.o = {.url = url("/moved")}}, bad = {.o = {.url = url("/nope")}};
    fetch(&ok);
    fetch(&bad);
    struct eddy_tdata items[] = {eddy_feed_fetch_tdata(&ok.r), eddy_feed_fetch_tdata(&bad.r)};
    struct eddy_tfield ctx[] = {{"feeds", eddy_tdata_array(items, 2)}};
    char want[512];
    snprintf(want, sizeof want,
             "%s|200|True|&#34;f1&#34;|Привет|1|один|rss20|True|;"
             "%s|404|False|||0|||True|HTTP status 404;",
             url("/feed/koi8"), url("/nope"));
    CHECK_STR(render("{% for f in feeds %}{{ f.url }}|{{ f.status }}|{{ f.moved }}|{{ f.etag }}|"
                     "{{ f.feed.title }}|{{ f.entries|length }}|{{ f.entries[0].title }}|"
                     "{{ f.version }}|{{ f.seconds > 0 }}|{{ f.error }};{% endfor %}",
                     eddy_tdata_object(ctx, 1)),
              want);
    CHECK_STR(render("{% for k, v in f %}{{ k }} {% endfor %}",
                     eddy_tdata_object((struct eddy_tfield[]){{"f", items[1]}}, 1)),
              "url status error not_modified moved etag last_modified seconds bozo version feed "
              "entries ");
    eddy_feed_fetch_result_clear(&ok.r);
    eddy_feed_fetch_result_clear(&bad.r);
    server_stop();
}

TEST(feedfetch_outside_a_task_is_eperm)
{
    struct eddy_feed_fetch_result r;
    struct eddy_feed_fetch_opts o = {.url = "http://127.0.0.1:1/"};
    CHECK_INT(eddy_feed_fetch(NULL, &o, &r), ==, -EPERM);
    CHECK(r.feed == NULL);
    CHECK_STR(r.error, "not called from a task");
    eddy_feed_fetch_result_clear(&r);
}

/* The transfer's phases as on_phase tells them, and what the fetch cost. */
struct phases {
    enum eddy_fetch_phase seen[16];
    int n;
};

static void on_phase(void *arg, enum eddy_fetch_phase p)
{
    struct phases *ph = arg;
    if (ph->n < 16)
        ph->seen[ph->n++] = p;
}

TEST(feedfetch_phases_and_timings)
{
    server_start(NULL, NULL);
    struct phases ph = {0};
    struct call c = {.o = {.url = url("/feed/koi8"), .on_phase = on_phase, .phase_arg = &ph}};
    fetch(&c);
    CHECK_INT(c.err, ==, 0);
    CHECK_INT(c.r.status, ==, 200);
    /* A fresh session: a new connection, the request, the body. */
    CHECK_INT(ph.n, ==, 3);
    CHECK_INT(ph.seen[0], ==, EDDY_FETCH_CONNECTING);
    CHECK_INT(ph.seen[1], ==, EDDY_FETCH_WAITING);
    CHECK_INT(ph.seen[2], ==, EDDY_FETCH_RECEIVING);
    const struct eddy_fetch_timings *t = &c.r.timings;
    CHECK(t->total_us > 0);
    CHECK(t->connect_us >= t->namelookup_us);
    CHECK(t->pretransfer_us >= t->connect_us);
    CHECK(t->starttransfer_us >= t->pretransfer_us);
    CHECK(t->total_us >= t->starttransfer_us);
    CHECK_INT(t->appconnect_us, ==, 0);               /* no TLS */
    CHECK_INT(t->wire_bytes, ==, (int64_t)c.r.bytes); /* no Content-Encoding here */
    CHECK(c.r.parse_us > 0);
    eddy_feed_fetch_result_clear(&c.r);
    /* A 304: no body to receive, nothing parsed. */
    ph.n = 0;
    c = (struct call){
        .o = {.url = url("/feed/koi8"), .etag = "\"f1\"", .on_phase = on_phase, .phase_arg = &ph}};
    fetch(&c);
    CHECK_INT(c.r.status, ==, 304);
    CHECK_INT(ph.n, ==, 2);
    CHECK_INT(ph.seen[1], ==, EDDY_FETCH_WAITING);
    CHECK_INT(c.r.parse_us, ==, 0);
    CHECK_INT(c.r.timings.wire_bytes, ==, 0);
    CHECK(c.r.timings.total_us > 0);
    eddy_feed_fetch_result_clear(&c.r);
    server_stop();
}
