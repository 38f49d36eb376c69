/* Tests of the framework (web/app.c): through the in-process test client,
 * and through a real server on loopback with curl and Python's http.client
 * (static files with Range and sendfile, SSE read incrementally). */
#include "../test.h"

#include "eddy/web.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- views */

static int v_index(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    return eddy_response_text(res, 200, "index");
}

static int v_feed(struct eddy_request *req, struct eddy_response *res)
{
    eddy_response_set_status(res, 200);
    return eddy_response_printf(res, "feed %lld", (long long)eddy_request_param_int(req, "id"));
}

static int v_args(struct eddy_request *req, struct eddy_response *res)
{
    const char *urls[8];
    size_t n = eddy_request_args(req, "url", urls, 8);
    eddy_response_set_status(res, 200);
    for (size_t i = 0; i < n; i++)
        eddy_response_printf(res, "%s;", urls[i]);
    const char *ua = eddy_request_header(req, "user-agent"), *c = eddy_request_cookie(req, "sid");
    return eddy_response_printf(res, "ua=%s sid=%s", ua ? ua : "-", c ? c : "-");
}

static int v_form(struct eddy_request *req, struct eddy_response *res)
{
    const struct eddy_form *f;
    int err = eddy_request_form(req, &f);
    if (err < 0)
        return eddy_response_error(res, 400, err == -ENOMSG ? "not a form" : eddy_strerror(err));
    CHECK(f != NULL);
    eddy_response_set_status(res, 200);
    for (size_t i = 0; i < eddy_form_count(f); i++) {
        const struct eddy_form_field *fl = eddy_form_field(f, i);
        eddy_response_printf(res, "%s=%s%s%s;", fl->name, fl->value, fl->filename ? "@" : "",
                             fl->filename ? fl->filename : "");
    }
    return 0;
}

static int v_json(struct eddy_request *req, struct eddy_response *res)
{
    json_t *j;
    int err = eddy_request_json(req, &j);
    if (err < 0) {
        CHECK(j == NULL);
        return eddy_response_error(res, err == -ENOMSG ? 415 : 400, eddy_request_json_error(req));
    }
    CHECK_STR(eddy_request_json_error(req), "");
    json_t *out = json_pack("{s:O, s:s}", "got", json_object_get(j, "a"), "ok", "yes");
    err = eddy_response_json(res, 201, out);
    json_decref(out);
    return err;
}

static int v_fail(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    (void)res;
    return -EIO;
}

static int v_nothing(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    (void)res;
    return 0;
}

static int v_redirect(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy_buf url = EDDY_BUF_INIT(0);
    const char *params[] = {"id", "7", "page", "2", NULL};
    eddy_url_for(eddy_request_app(req), &url, "feed", params);
    int err = eddy_response_redirect(res, 302, eddy_buf_cstr(&url));
    eddy_buf_free(&url);
    struct eddy_cookie c = {.name = "sid", .value = "abc", .path = "/", .http_only = true};
    return err ? err : eddy_response_set_cookie(res, &c);
}

static int v_page(struct eddy_request *req, struct eddy_response *res)
{
    json_t *ctx = json_pack("{s:s, s:[{s:s},{s:s}]}", "title", eddy_request_arg(req, "t"), "items",
                            "name", "<one>", "name", "two");
    int err = eddy_render(res, "page.html", ctx);
    json_decref(ctx);
    return err;
}

static int v_broken_template(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    return eddy_render(res, "broken.html", NULL);
}

static int v_stream(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    int err = eddy_response_stream(res, 200, "text/plain");
    for (int i = 0; i < 3 && !err; i++)
        err = eddy_response_write(res, "chunk\n", 6);
    return err;
}

static int many_refused;

static int v_many_headers(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    int err = 0;
    for (int i = 0; i < 200 && !err; i++)
        err = eddy_response_add_header(res, "X-Many", "1");
    many_refused = err == -ENOSPC;
    eddy_response_set_status(res, 200);
    return eddy_response_set_body(res, "many", 4);
}

/* An SSE wait whose event is freed meanwhile returns -EPIPE (sync
 * primitives wake their waiters so when freed). */
static struct eddy_event *doomed;
static int doomed_result = 1;

static int v_sse_doomed(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    int err = eddy_response_sse_begin(res);
    doomed_result = err ? err : eddy_response_sse_wait(res, doomed, 10 * EDDY_SEC);
    return 0;
}

static int free_doomed(void *arg)
{
    (void)arg;
    eddy_sleep(20 * EDDY_MSEC); /* the view is waiting by then */
    eddy_event_free(doomed);
    return 0;
}

static int v_custom_404(struct eddy_request *req, struct eddy_response *res)
{
    eddy_response_set_header(res, "Content-Type", "text/html");
    return eddy_response_printf(res, "<h1>nothing at %s</h1>", eddy_request_path(req));
}

static int v_bp_item(struct eddy_request *req, struct eddy_response *res)
{
    return eddy_response_text(res, 200, eddy_request_param(req, "name"));
}

/* before: /admin needs a token; after: every response gets X-Served-By */
static int h_auth(struct eddy_request *req, struct eddy_response *res)
{
    if (strncmp(eddy_request_path(req), "/admin", 6))
        return 0;
    const char *t = eddy_request_header(req, "X-Token");
    if (t && !strcmp(t, "secret"))
        return 0;
    return eddy_response_text(res, 401, "no"); /* answering ends the request */
}

static int h_stamp(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    return eddy_response_set_header(res, "X-Served-By", "eddy");
}

static int v_admin(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    return eddy_response_text(res, 200, "admin");
}

/* A body the response borrows (eddy_response_set_body_shared): large, so
 * that a real socket sends it in several writes; released once each. */
static char shared_body[256 * 1024];
static int shared_released;

static void shared_release(void *arg)
{
    CHECK(arg == shared_body);
    shared_released++;
}

static int v_shared(struct eddy_request *req, struct eddy_response *res)
{
    memset(shared_body, 'a', sizeof shared_body - 1);
    shared_body[sizeof shared_body - 2] = 'z';
    eddy_response_set_status(res, 200);
    int err = eddy_response_set_body_shared(res, shared_body, sizeof shared_body - 1,
                                            shared_release, shared_body);
    const char *more = eddy_request_arg(req, "append"); /* copies it first, then releases */
    return err ? err : more ? eddy_response_append(res, more, strlen(more)) : 0;
}

/* --------------------------------------------------------- the app */

static char dir[512];

static void write_file(const char *name, const char *content)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(content, f);
    fclose(f);
}

static struct eddy_app *make_app(void)
{
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    char sub[600];
    snprintf(sub, sizeof sub, "%s/static", dir);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/tpl", dir);
    mkdir(sub, 0755);
    write_file("static/hello.txt", "0123456789abcdef");
    write_file("secret.txt", "top secret");
    write_file("tpl/base.html", "<title>{{ title }}</title>{% block body %}{% endblock %}");
    write_file("tpl/page.html", "{% extends \"base.html\" %}{% block body %}{% for i in items %}"
                                "[{{ i.name }}]{% endfor %}<a href=\"{{ url_for('feed', id=3) }}\">"
                                "{% endblock %}");
    write_file("tpl/broken.html", "{% if %}");
    char link[1200], target[600];
    snprintf(target, sizeof target, "%s/secret.txt", dir);
    snprintf(link, sizeof link, "%s/static/escape.txt", dir);
    CHECK(symlink(target, link) == 0);

    struct eddy_app *app = eddy_app_new();
    CHECK(app != NULL);
    CHECK_INT(eddy_app_route(app, "GET", "/", v_index, "index"), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/feeds/<int:id>", v_feed, "feed"), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/args", v_args, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "POST", "/form", v_form, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "POST", "/json", v_json, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/fail", v_fail, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/nothing", v_nothing, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/go", v_redirect, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/page", v_page, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/broken", v_broken_template, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/stream", v_stream, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/many-headers", v_many_headers, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/sse-doomed", v_sse_doomed, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/admin/panel", v_admin, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/shared", v_shared, NULL), ==, 0);
    struct eddy_blueprint *bp = eddy_blueprint_new("api");
    CHECK_INT(eddy_blueprint_route(bp, "GET", "/items/<name>", v_bp_item, "item"), ==, 0);
    CHECK_INT(eddy_app_register(app, bp, "/api/v1"), ==, 0);
    eddy_blueprint_free(bp);
    CHECK_INT(eddy_app_error_handler(app, 404, v_custom_404), ==, 0);
    CHECK_INT(eddy_app_before_request(app, h_auth), ==, 0);
    CHECK_INT(eddy_app_after_request(app, h_stamp), ==, 0);
    snprintf(sub, sizeof sub, "%s/static", dir);
    CHECK_INT(eddy_app_static(app, "/static", sub), ==, 0);
    snprintf(sub, sizeof sub, "%s/tpl", dir);
    CHECK_INT(eddy_app_templates(app, sub), ==, 0);
    return app;
}

/* One request through the test client: returns the reply (caller frees). */
static struct eddy_test_reply *req(struct eddy_app *app, const char *method, const char *target,
                                   const char *const *headers, const char *body)
{
    struct eddy_test_reply *r;
    CHECK_INT(eddy_app_test(app, method, target, headers, body, body ? strlen(body) : 0, &r), ==,
              0);
    return r;
}

#define EXPECT(reply, status, body)                                                                \
    do {                                                                                           \
        struct eddy_test_reply *r_ = (reply);                                                      \
        CHECK_INT(eddy_test_reply_status(r_), ==, status);                                         \
        CHECK_STR(eddy_test_reply_body(r_, NULL), body);                                           \
        eddy_test_reply_free(r_);                                                                  \
    } while (0)

static int client_main(void *arg)
{
    struct eddy_app *app = arg;
    struct eddy_test_reply *r;

    /* a borrowed body: released once; appending to it copies it first */
    shared_released = 0;
    size_t blen;
    r = req(app, "GET", "/shared", NULL, NULL);
    CHECK_INT(eddy_test_reply_status(r), ==, 200);
    CHECK(eddy_test_reply_body(r, &blen)[blen - 1] == 'z' && blen == sizeof shared_body - 1);
    eddy_test_reply_free(r);
    CHECK_INT(shared_released, ==, 1);
    r = req(app, "GET", "/shared?append=!!", NULL, NULL);
    CHECK(eddy_test_reply_body(r, &blen)[blen - 3] == 'z' && blen == sizeof shared_body + 1);
    eddy_test_reply_free(r);
    CHECK_INT(shared_released, ==, 2);

    /* routing */
    r = req(app, "GET", "/", NULL, NULL);
    CHECK_STR(eddy_test_reply_header(r, "content-type"), "text/plain; charset=utf-8");
    CHECK_STR(eddy_test_reply_header(r, "X-Served-By"), "eddy");
    EXPECT(r, 200, "index");
    EXPECT(req(app, "GET", "/feeds/42", NULL, NULL), 200, "feed 42");
    EXPECT(req(app, "GET", "/feeds/x", NULL, NULL), 404, "<h1>nothing at /feeds/x</h1>");
    EXPECT(req(app, "GET", "/api/v1/items/a%20b", NULL, NULL), 200, "a b");
    /* absolute-form, which a server must accept (RFC 9112 §3.2.2) */
    EXPECT(req(app, "GET", "http://example.org/feeds/42?x=1", NULL, NULL), 200, "feed 42");
    EXPECT(req(app, "GET", "http://example.org", NULL, NULL), 200, "index");
    r = req(app, "DELETE", "/", NULL, NULL);
    CHECK(strstr(eddy_test_reply_header(r, "Allow"), "GET") != NULL);
    CHECK_INT(eddy_test_reply_status(r), ==, 405);
    eddy_test_reply_free(r);

    /* request data */
    const char *h[] = {"User-Agent: test/1", "Cookie: a=1; sid=xyz", NULL};
    EXPECT(req(app, "GET", "/args?url=http%3A%2F%2Fa&url=b+c&x=1", h, NULL), 200,
           "http://a;b c;ua=test/1 sid=xyz");
    const char *fh[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    EXPECT(req(app, "POST", "/form", fh, "a=1&b=%C3%A9&a=2"), 200, "a=1;b=\xc3\xa9;a=2;");
    const char *mh[] = {"Content-Type: multipart/form-data; boundary=XX", NULL};
    EXPECT(req(app, "POST", "/form", mh,
               "--XX\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nhi\r\n"
               "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
               "Content-Type: text/plain\r\n\r\nfile body\r\n--XX--\r\n"),
           200, "t=hi;f=file body@a.txt;");
    EXPECT(req(app, "POST", "/form", NULL, "a=1"), 400, "400 Bad Request: not a form\n");
    r = req(app, "POST", "/form", mh, "no boundary here");
    CHECK_INT(eddy_test_reply_status(r), ==, 400);
    CHECK(!strstr(eddy_test_reply_body(r, NULL), "not a form")); /* malformed, told apart */
    eddy_test_reply_free(r);
    EXPECT(req(app, "POST", "/json", NULL, "{}"), 415,
           "415 Unsupported Media Type: Content-Type is not application/json\n");
    const char *jh[] = {"Content-Type: application/json", NULL};
    EXPECT(req(app, "POST", "/json", jh, "{\"a\": [1, 2]}"), 201, "{\"got\":[1,2],\"ok\":\"yes\"}");
    r = req(app, "POST", "/json", jh, "{\"a\": ");
    CHECK_INT(eddy_test_reply_status(r), ==, 400);
    CHECK(strstr(eddy_test_reply_body(r, NULL), "invalid JSON") != NULL);
    eddy_test_reply_free(r);

    /* failures, hooks, redirect and cookies */
    EXPECT(req(app, "GET", "/fail", NULL, NULL), 500, "500 Internal Server Error\n");
    EXPECT(req(app, "GET", "/nothing", NULL, NULL), 500,
           "500 Internal Server Error: the view gave no response\n");
    EXPECT(req(app, "GET", "/admin/panel", NULL, NULL), 401, "no");
    const char *th[] = {"X-Token: secret", NULL};
    EXPECT(req(app, "GET", "/admin/panel", th, NULL), 200, "admin");
    r = req(app, "GET", "/go", NULL, NULL);
    CHECK_STR(eddy_test_reply_header(r, "Location"), "/feeds/7?page=2");
    CHECK_STR(eddy_test_reply_header(r, "Set-Cookie"), "sid=abc; Path=/; HttpOnly");
    CHECK_INT(eddy_test_reply_status(r), ==, 302);
    eddy_test_reply_free(r);

    /* templates: inheritance, loops, autoescape, url_for; errors give 500 */
    EXPECT(req(app, "GET", "/page?t=A%26B", NULL, NULL), 200,
           "<title>A&amp;B</title>[&lt;one&gt;][two]<a href=\"/feeds/3\">");
    EXPECT(req(app, "GET", "/broken", NULL, NULL), 500, "500 Internal Server Error\n");

    /* Past the headers a response can carry, adding one fails instead of
     * the header being dropped on the wire: here the after hook's
     * X-Served-By (a CSP, say) cannot be added, so the answer is a 500,
     * not a response without it. */
    EXPECT(req(app, "GET", "/many-headers", NULL, NULL), 500, "500 Internal Server Error\n");
    CHECK(many_refused);

    doomed = eddy_event_new();
    struct eddy_task *freer = eddy_spawn(free_doomed, NULL, "freer");
    EXPECT(req(app, "GET", "/sse-doomed", NULL, NULL), 200, "");
    CHECK_INT(doomed_result, ==, -EPIPE);
    CHECK_INT(eddy_join(freer, NULL), ==, 0);

    /* streaming through the test client is collected */
    EXPECT(req(app, "GET", "/stream", NULL, NULL), 200, "chunk\nchunk\nchunk\n");
    return 0;
}

TEST(web_test_client_routes_requests_responses_templates)
{
    struct eddy_app *app = make_app();
    CHECK_INT(eddy_run(client_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

static int static_main(void *arg)
{
    struct eddy_app *app = arg;
    char sub[600];
    snprintf(sub, sizeof sub, "%s/static/sub", dir);
    CHECK(mkdir(sub, 0755) == 0);
    write_file("static/sub/x.txt", "in a subfolder");
    EXPECT(req(app, "GET", "/static/sub/x.txt", NULL, NULL), 200, "in a subfolder");
    /* A FIFO is not a file: 404 at once (opening it must not block the loop). */
    snprintf(sub, sizeof sub, "%s/static/fifo", dir);
    CHECK(mkfifo(sub, 0644) == 0);
    EXPECT(req(app, "GET", "/static/fifo", NULL, NULL), 404, "<h1>nothing at /static/fifo</h1>");
    struct eddy_test_reply *r = req(app, "GET", "/static/hello.txt", NULL, NULL);
    CHECK_STR(eddy_test_reply_header(r, "Content-Type"), "text/plain; charset=utf-8");
    char etag[64];
    snprintf(etag, sizeof etag, "%s", eddy_test_reply_header(r, "ETag"));
    char lm[64];
    snprintf(lm, sizeof lm, "%s", eddy_test_reply_header(r, "Last-Modified"));
    EXPECT(r, 200, "0123456789abcdef");
    char inm[128], ims[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    snprintf(ims, sizeof ims, "If-Modified-Since: %s", lm);
    const char *h1[] = {inm, NULL}, *h2[] = {ims, NULL};
    EXPECT(req(app, "GET", "/static/hello.txt", h1, NULL), 304, "");
    EXPECT(req(app, "GET", "/static/hello.txt", h2, NULL), 304, "");
    const char *r1[] = {"Range: bytes=2-5", NULL}, *r2[] = {"Range: bytes=-3", NULL},
               *r3[] = {"Range: bytes=100-", NULL};
    r = req(app, "GET", "/static/hello.txt", r1, NULL);
    CHECK_STR(eddy_test_reply_header(r, "Content-Range"), "bytes 2-5/16");
    EXPECT(r, 206, "2345");
    EXPECT(req(app, "GET", "/static/hello.txt", r2, NULL), 206, "def");
    r = req(app, "GET", "/static/hello.txt", r3, NULL);
    CHECK_STR(eddy_test_reply_header(r, "Content-Range"), "bytes */16");
    CHECK_INT(eddy_test_reply_status(r), ==, 416);
    eddy_test_reply_free(r);
    /* Range edge cases: overflowing numbers, reversed or several ranges
     * (ignored: the whole file, as RFC 9110 allows), an empty suffix. */
    static const struct {
        const char *range;
        int status;
        const char *body;
    } ranges[] = {
        {"Range: bytes=0-99999999999999999999999", 206, "0123456789abcdef"},
        {"Range: bytes=99999999999999999999999-", 416, ""},
        {"Range: bytes=-99999999999999999999999", 206, "0123456789abcdef"},
        {"Range: bytes=5-2", 200, "0123456789abcdef"},
        {"Range: bytes=0-1,4-5", 200, "0123456789abcdef"},
        {"Range: bytes=-0", 416, ""},
        {"Range: bytes=15-", 206, "f"},
        {"Range: items=0-1", 200, "0123456789abcdef"},
        {"Range: bytes=a-b", 200, "0123456789abcdef"},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        const char *h[] = {ranges[i].range, NULL};
        r = req(app, "GET", "/static/hello.txt", h, NULL);
        if (eddy_test_reply_status(r) != ranges[i].status)
            test_fail(__FILE__, __LINE__, "%s gave %d", ranges[i].range, eddy_test_reply_status(r));
        EXPECT(r, ranges[i].status, ranges[i].body);
    }
    /* no way out of the folder */
    static const char *const escapes[] = {
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/escape.txt",
        "/static//etc/passwd",
        "/static/%00",
        "/static/nope.txt",
        /* web.h: NUL and encoded slashes are 404, even where they lead to a
         * file inside the folder */
        "/static/hello.txt%00.png",
        "/static/sub%2Fx.txt",
        "/static/sub%2fx.txt",
        "/static/sub%5Cx.txt",
        "/static/%zz",
        "/static/hello.txt%z",
    };
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        r = req(app, "GET", escapes[i], NULL, NULL);
        if (eddy_test_reply_status(r) != 404)
            test_fail(__FILE__, __LINE__, "%s gave %d", escapes[i], eddy_test_reply_status(r));
        CHECK(!strstr(eddy_test_reply_body(r, NULL), "top secret"));
        eddy_test_reply_free(r);
    }
    return 0;
}

TEST(web_static_files_conditional_range_no_traversal)
{
    struct eddy_app *app = make_app();
    CHECK_INT(eddy_run(static_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

/* ------------------------------------------------ over a real socket */

static struct eddy_event *release;
static int sse_ended, sse_result;

static int v_sse(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    int err = eddy_response_sse_begin(res);
    if (!err)
        err = eddy_response_sse_send(res, "greeting", "first\nline two", "1");
    if (!err)
        err = eddy_response_sse_wait(res, release, 50 * EDDY_MSEC);
    if (!err)
        err = eddy_response_sse_send(res, NULL, "second", "2");
    /* Then wait for the client to go away. */
    struct eddy_event *never = eddy_event_new();
    if (!err)
        err = eddy_response_sse_wait(res, never, 50 * EDDY_MSEC);
    eddy_event_free(never);
    sse_result = err;
    sse_ended = 1;
    return 0;
}

/* Streams a part, then fails: the client must see a truncated body, not a
 * complete one. */
static int v_stream_fail(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    int err = eddy_response_stream(res, 200, "text/plain");
    if (!err)
        err = eddy_response_write(res, "part\n", 5);
    return err ? err : -EIO;
}

/* SSE views sharing one event (the broadcast case): each wake must be a
 * real set of the event, not another client's disconnect. */
static struct eddy_event *shared;
static int shared_gen, shared_spurious, shared_ended;

static int v_sse_shared(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    int err = eddy_response_sse_begin(res), seen = shared_gen;
    while (!err && shared_spurious < 100) {
        if ((err = eddy_response_sse_wait(res, shared, EDDY_SEC)) < 0)
            break;
        if (shared_gen == seen)
            shared_spurious++;
        seen = shared_gen;
        err = eddy_response_sse_send(res, NULL, "news", NULL);
    }
    shared_ended++;
    return 0;
}

static int v_release(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    eddy_event_set(release);
    return eddy_response_text(res, 200, "released");
}

static int background_ticks, started, stopped;

static int ticker(void *arg)
{
    (void)arg;
    while (eddy_sleep(5 * EDDY_MSEC) == 0)
        background_ticks++;
    return 0;
}

static int on_start(struct eddy_app *app, void **loop_data)
{
    (void)app;
    (void)loop_data;
    started++;
    return 0;
}

static void on_stop(struct eddy_app *app, void *loop_data)
{
    (void)app;
    (void)loop_data;
    stopped++;
}

static int socket_main(void *arg)
{
    struct eddy_app *app = arg;
    release = eddy_event_new();
    struct eddy_server_opts o = {.listen = "127.0.0.1:0"};
    struct eddy_server *s = eddy_app_start(app, &o);
    CHECK(s != NULL);
    CHECK_INT(started, ==, 1);
    int port = eddy_server_port(s);

    /* Range + sendfile, and HEAD, through curl. */
    struct test_cmd *c = TEST_SH("curl -s -r 4-9 http://127.0.0.1:%d/static/hello.txt", port);
    CHECK_STR(c->out, "456789");
    c = TEST_SH("curl -sI http://127.0.0.1:%d/static/hello.txt", port);
    CHECK(strstr(c->out, "Content-Length: 16\r\n") && strstr(c->out, "ETag: \""));

    /* A borrowed body crosses the socket whole and is released once. */
    shared_released = 0;
    c = TEST_SH("curl -s http://127.0.0.1:%d/shared | /usr/bin/python3 -c \"import sys; "
                "d = sys.stdin.buffer.read(); print(len(d), d.count(b'a'), d[-1:].decode())\"",
                port);
    CHECK_STR(c->out, "262143 262142 z\n");
    CHECK_INT(shared_released, ==, 1);

    /* A view failing mid-stream: the body is cut short, never completed. */
    c = TEST_SH("curl -s http://127.0.0.1:%d/stream-fail; echo \" exit=$?\"", port);
    CHECK(strstr(c->out, "part\n exit=18")); /* curl: partial file */

    /* SSE read incrementally: the first event arrives while the stream is
     * still open (the view is parked until /release), then the second. */
    c = TEST_SH("/usr/bin/python3 -c \"\n"
                "import http.client, urllib.request\n"
                "c = http.client.HTTPConnection('127.0.0.1', %d)\n"
                "c.request('GET', '/sse'); r = c.getresponse()\n"
                "print(r.status, r.getheader('Content-Type'))\n"
                "lines = []\n"
                "while True:\n"
                "    l = r.readline().decode()\n"
                "    lines.append(l.strip())\n"
                "    if l == '\\n' and 'id: 1' in lines: break\n"
                "print('|'.join(lines))\n"
                "keep = r.readline().decode().strip()\n"
                "print(keep)\n"
                "print(urllib.request.urlopen('http://127.0.0.1:%d/release').read().decode())\n"
                "rest = []\n"
                "while True:\n"
                "    l = r.readline().decode().strip()\n"
                "    if l.startswith(':') or not l: continue\n"
                "    rest.append(l)\n"
                "    if l.startswith('data'): break\n"
                "print('|'.join(rest))\n"
                "\"",
                port, port);
    CHECK_STR(c->out, "200 text/event-stream\n"
                      "event: greeting|id: 1|data: first|data: line two|\n"
                      ": keep-alive\n"
                      "released\n"
                      "id: 2|data: second\n");
    /* The client has gone: the view noticed (sse_wait gave -EPIPE). */
    for (int i = 0; i < 100 && !sse_ended; i++)
        eddy_sleep(10 * EDDY_MSEC);
    CHECK(sse_ended);
    CHECK_INT(sse_result, ==, -EPIPE);

    CHECK(background_ticks > 0);
    CHECK_INT(eddy_app_stop(app, s, eddy_deadline_in(2 * EDDY_SEC)), ==, 0);
    CHECK_INT(stopped, ==, 1);
    int ticks = background_ticks;
    eddy_sleep(30 * EDDY_MSEC);
    CHECK_INT(background_ticks, ==, ticks); /* cancelled with the app */
    eddy_event_free(release);
    return 0;
}

/* Static text sent gzipped, over a real socket with curl: both variants
 * (each with its own ETag, both with Vary), their 304s, no variant for a
 * range or a q=0, and the variant made once and kept. */
static int gzip_main(void *arg)
{
    struct eddy_app *app = arg;
    char css[4096] = "";
    for (int i = 0; strlen(css) + 48 < sizeof css; i++)
        snprintf(css + strlen(css), sizeof css - strlen(css),
                 ".r%d { color: var(--fg); margin: 0; }\n", i);
    write_file("static/site.css", css);
    write_file("static/pic.png", "not really a PNG, but named so");
    struct eddy_server_opts o = {.listen = "127.0.0.1:0"};
    struct eddy_server *s = eddy_app_start(app, &o);
    CHECK(s != NULL);
    char get[1200]; /* curl printing status, Content-Encoding, Vary, ETag */
    snprintf(get, sizeof get,
             "cd %s && curl -s -w '%%{http_code} [%%header{content-encoding}] [%%header{vary}] "
             "%%header{etag}' http://127.0.0.1:%d/static",
             dir, eddy_server_port(s));

    struct test_cmd *c = TEST_SH("%s/site.css -o gz -H 'Accept-Encoding: gzip'", get);
    char etag_gz[64] = "", etag[64] = "";
    CHECK(sscanf(c->out, "200 [gzip] [Accept-Encoding] %63s", etag_gz) == 1);
    CHECK(strstr(etag_gz, "-gz\""));
    c = TEST_SH("cd %s && gunzip -c gz | cmp - static/site.css && wc -c <gz", dir);
    CHECK(atoi(c->out) > 0 && atoi(c->out) < (int)strlen(css) / 4);
    c = TEST_SH("%s/site.css -o plain && cmp plain static/site.css", get);
    CHECK(sscanf(c->out, "200 [] [Accept-Encoding] %63s", etag) == 1);
    CHECK(strcmp(etag, etag_gz) != 0);

    /* Each variant's 304; the other variant's ETag is no match. */
    c = TEST_SH("%s/site.css -H 'Accept-Encoding: gzip' -H 'If-None-Match: %s'", get, etag_gz);
    CHECK(strncmp(c->out, "304 [] [Accept-Encoding] ", 25) == 0 && strstr(c->out, etag_gz));
    c = TEST_SH("%s/site.css -H 'If-None-Match: %s'", get, etag);
    CHECK(strncmp(c->out, "304 [] [Accept-Encoding] ", 25) == 0 && strstr(c->out, etag));
    c = TEST_SH("%s/site.css -o /dev/null -H 'Accept-Encoding: gzip' -H 'If-None-Match: %s'", get,
                etag);
    CHECK(strncmp(c->out, "200 [gzip]", 10) == 0);
    c = TEST_SH("%s/site.css -o /dev/null -H 'If-None-Match: %s'", get, etag_gz);
    CHECK(strncmp(c->out, "200 []", 6) == 0);

    /* A range is of the file as it is; HEAD tells the variant's length. */
    c = TEST_SH("%s/site.css -H 'Accept-Encoding: gzip' -r 0-3", get);
    CHECK(strncmp(c->out, ".r0 206 [] [Accept-Encoding] ", 29) == 0);
    c = TEST_SH(
        "cd %s && curl -sI -H 'Accept-Encoding: gzip' http://127.0.0.1:%d/static/site.css | "
        "tr -d '\\r' | grep -i '^content-length: ' | cut -d' ' -f2; wc -c <gz",
        dir, eddy_server_port(s));
    int head_len = 0, gz_len = -1;
    CHECK(sscanf(c->out, "%d %d", &head_len, &gz_len) == 2 && head_len == gz_len);

    /* Accept-Encoding as RFC 9110 reads it. */
    static const struct {
        const char *ae, *encoding;
    } accepts[] = {
        {"gzip;q=0", ""},
        {"GZIP", "gzip"},
        {"x-gzip", "gzip"},
        {"*", "gzip"},
        {"*;q=0", ""},
        {"identity", ""},
        {"br, gzip;q=0.5", "gzip"},
        {"gzip; q=0.000, *", ""},
        {"deflate, *;q=0.1", "gzip"},
        {"gzip;q=0.001", "gzip"},
        {"gzipped", ""},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof accepts / sizeof accepts[0]; i++) {
        c = TEST_SH("%s/site.css -o /dev/null -H 'Accept-Encoding: %s'", get, accepts[i].ae);
        char want[64];
        snprintf(want, sizeof want, "200 [%s] ", accepts[i].encoding);
        if (strncmp(c->out, want, strlen(want)))
            test_fail(__FILE__, __LINE__, "Accept-Encoding: %s gave %s", accepts[i].ae, c->out);
    }
    /* Too small to gain (sent as it is, still varying), not text (no Vary). */
    c = TEST_SH("%s/hello.txt -H 'Accept-Encoding: gzip'", get);
    CHECK(strncmp(c->out, "0123456789abcdef200 [] [Accept-Encoding] ", 41) == 0);
    c = TEST_SH("%s/pic.png -o /dev/null -H 'Accept-Encoding: gzip'", get);
    CHECK(strncmp(c->out, "200 [] [] ", 10) == 0);

    /* Made once and kept: the file rewritten behind the server's back with
     * its size and mtime kept still gets the first variant; with a new size,
     * a new one. */
    c = TEST_SH(
        "cd %s && touch -r static/site.css when && sed -i 's/margin/MARGIN/' static/site.css &&"
        " touch -r when static/site.css && %s/site.css -o gz2 -H 'Accept-Encoding: gzip' >/dev/null"
        " && gunzip -c gz2 | cmp - plain && echo kept",
        dir, get);
    CHECK(strstr(c->out, "kept\n"));
    c = TEST_SH("cd %s && echo '.new {}' >>static/site.css && %s/site.css -o gz3 "
                "-H 'Accept-Encoding: gzip' >/dev/null && gunzip -c gz3 | cmp - static/site.css && "
                "echo remade",
                dir, get);
    CHECK(strstr(c->out, "remade\n"));

    CHECK_INT(eddy_app_stop(app, s, eddy_deadline_in(2 * EDDY_SEC)), ==, 0);
    return 0;
}

TEST(web_static_text_gzipped_once_with_its_own_etag)
{
    struct eddy_app *app = make_app();
    CHECK_INT(eddy_run(gzip_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

/* Opens an SSE stream on a raw socket and reads its head. */
static int sse_open(int port)
{
    char addr[32], head[1024];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    int fd = eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC));
    CHECK(fd >= 0);
    static const char get[] = "GET /sse-shared HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_INT(eddy_sock_write(fd, get, sizeof get - 1, eddy_deadline_in(EDDY_SEC)), ==,
              sizeof get - 1);
    size_t got = 0;
    while (got < sizeof head - 1 && !memmem(head, got, "\r\n\r\n", 4)) {
        ssize_t n =
            eddy_sock_read(fd, head + got, sizeof head - 1 - got, eddy_deadline_in(2 * EDDY_SEC));
        CHECK(n > 0);
        got += (size_t)n;
    }
    return fd;
}

static int sse_shared_main(void *arg)
{
    struct eddy_app *app = arg;
    shared = eddy_event_new();
    struct eddy_server_opts o = {.listen = "127.0.0.1:0"};
    struct eddy_server *s = eddy_app_start(app, &o);
    CHECK(s != NULL);
    int port = eddy_server_port(s);
    int a = sse_open(port), b = sse_open(port);
    /* A goes away; its view ends. */
    eddy_sock_close(a);
    for (int i = 0; i < 200 && shared_ended < 1; i++)
        eddy_sleep(10 * EDDY_MSEC);
    CHECK_INT(shared_ended, ==, 1);
    /* Now real news: B gets it, and was never woken for nothing before. */
    shared_gen++;
    eddy_event_set(shared);
    eddy_event_clear(shared);
    char buf[256];
    size_t got = 0;
    while (got < sizeof buf - 1 && !memmem(buf, got, "data: news\n", 11)) {
        ssize_t n =
            eddy_sock_read(b, buf + got, sizeof buf - 1 - got, eddy_deadline_in(2 * EDDY_SEC));
        CHECK(n > 0);
        got += (size_t)n;
    }
    CHECK_INT(shared_spurious, ==, 0);
    eddy_sock_close(b);
    CHECK_INT(eddy_app_stop(app, s, eddy_deadline_in(2 * EDDY_SEC)), ==, 0);
    CHECK_INT(shared_ended, ==, 2);
    eddy_event_free(shared);
    return 0;
}

/* A graceful stop ends open SSE streams at once (their views see the
 * client as gone) instead of waiting for the deadline and cancelling. */
static int sse_stop_main(void *arg)
{
    struct eddy_app *app = arg;
    shared = eddy_event_new();
    struct eddy_server_opts o = {.listen = "127.0.0.1:0"};
    struct eddy_server *s = eddy_app_start(app, &o);
    CHECK(s != NULL);
    int fd = sse_open(eddy_server_port(s));
    CHECK_INT(eddy_app_stop(app, s, eddy_deadline_in(3 * EDDY_SEC)), ==, 0);
    CHECK_INT(shared_ended, ==, 1);
    /* The stream was ended properly: the last chunk, then the close. */
    char buf[256];
    size_t got = 0;
    ssize_t n;
    while ((n = eddy_sock_read(fd, buf + got, sizeof buf - 1 - got, eddy_deadline_in(EDDY_SEC))) >
           0)
        got += (size_t)n;
    CHECK_INT(n, ==, 0);
    buf[got] = 0;
    CHECK(strstr(buf, "0\r\n\r\n") != NULL);
    eddy_sock_close(fd);
    eddy_event_free(shared);
    return 0;
}

/* The same for a stream whose request was still arriving when the stop
 * began. */
struct stopper {
    struct eddy_app *app;
    struct eddy_server *s;
};

static int stopper(void *arg)
{
    struct stopper *st = arg;
    return eddy_app_stop(st->app, st->s, eddy_deadline_in(3 * EDDY_SEC));
}

static int sse_late_main(void *arg)
{
    struct eddy_app *app = arg;
    shared = eddy_event_new();
    struct eddy_server_opts o = {.listen = "127.0.0.1:0"};
    struct eddy_server *s = eddy_app_start(app, &o);
    CHECK(s != NULL);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", eddy_server_port(s));
    int fd = eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC));
    CHECK(fd >= 0);
    static const char part[] = "GET /sse-shared HTTP/1.1\r\nHost: a\r\n";
    CHECK_INT(eddy_sock_write(fd, part, sizeof part - 1, eddy_deadline_in(EDDY_SEC)), ==,
              sizeof part - 1);
    eddy_sleep(20 * EDDY_MSEC); /* the server has the partial head */
    struct stopper st = {app, s};
    struct eddy_task *t = eddy_spawn(stopper, &st, "stopper");
    eddy_yield(); /* the stop has begun */
    CHECK_INT(eddy_sock_write(fd, "\r\n", 2, eddy_deadline_in(EDDY_SEC)), ==, 2);
    int result = 1;
    CHECK_INT(eddy_join(t, &result), ==, 0);
    CHECK_INT(result, ==, 0);
    CHECK_INT(shared_ended, ==, 1);
    eddy_sock_close(fd);
    eddy_event_free(shared);
    return 0;
}

TEST(web_graceful_stop_ends_sse_streams_begun_during_it)
{
    struct eddy_app *app = make_app();
    CHECK_INT(eddy_app_route(app, "GET", "/sse-shared", v_sse_shared, NULL), ==, 0);
    CHECK_INT(eddy_run(sse_late_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

TEST(web_graceful_stop_ends_sse_streams)
{
    struct eddy_app *app = make_app();
    CHECK_INT(eddy_app_route(app, "GET", "/sse-shared", v_sse_shared, NULL), ==, 0);
    CHECK_INT(eddy_run(sse_stop_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

TEST(web_sse_disconnect_does_not_wake_views_sharing_the_event)
{
    struct eddy_app *app = make_app();
    CHECK_INT(eddy_app_route(app, "GET", "/sse-shared", v_sse_shared, NULL), ==, 0);
    CHECK_INT(eddy_run(sse_shared_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

TEST(web_real_socket_static_sse_background_hooks)
{
    struct eddy_app *app = make_app();
    CHECK_INT(eddy_app_route(app, "GET", "/sse", v_sse, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/release", v_release, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/stream-fail", v_stream_fail, NULL), ==, 0);
    CHECK_INT(eddy_app_background(app, ticker, NULL, "ticker"), ==, 0);
    CHECK_INT(eddy_app_on_startup(app, on_start), ==, 0);
    CHECK_INT(eddy_app_on_shutdown(app, on_stop), ==, 0);
    CHECK_INT(eddy_run(socket_main, app, NULL), ==, 0);
    eddy_app_free(app);
}
