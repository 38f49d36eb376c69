/* The JSON API (src/app/api*.c) over real HTTP: three sites on the test's
 * loop, each an eddy app on loopback over one real store in a temporary
 * folder, asked with eddy's libcurl client.  Their guarded sessions differ
 * only in the SSRF allow-list:
 *   strict   none: every loopback URL given over the API is refused;
 *   partial  127.0.0.2 only: a first hop there is fetched, a redirect from
 *            it to 127.0.0.1 is refused;
 *   open     127.0.0.0/8: adding and parsing succeed.
 * The open site listens on 127.0.0.2 and also serves the test's documents
 * under /t/ (a feed, a page announcing it, a redirect), the others on
 * 127.0.0.1. */
#include "../test.h"

#include "../../src/app/internal.h"
#include "eddy/app.h"
#include "eddy/client.h"
#include "eddy/store.h"
#include "eddy/web.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { STRICT, PARTIAL, OPEN, SITES };

struct env {
    struct eddy_store *store;
    struct eddy_session *trusted, *client;
    struct eddy__site site[SITES];
    struct eddy_app *app[SITES];
    struct eddy_server *srv[SITES];
    int port[SITES];
    int wakes;
    int64_t feed_a, feed_b; /* filled through the store */
    void (*body)(struct env *e);
};

static struct env *env; /* the running test's, for the helpers below */

static void count_wake(struct eddy__site *site)
{
    (*(int *)site->sched)++;
}

static int site_startup(struct eddy_app *app, void **loop_data)
{
    *loop_data = eddy_app_data(app);
    return 0;
}

/* ------------------------------------------------ documents under /t/ */

static const char rss[] =
    "<?xml version='1.0'?><rss version='2.0'><channel><title>Test feed</title>"
    "<link>http://example.com/</link>"
    "<item><title>First</title><link>http://example.com/1</link><guid>g1</guid></item>"
    "<item><title>Second</title><link>http://example.com/2</link><guid>g2</guid></item>"
    "</channel></rss>";

static int t_feed(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    eddy_response_set_status(res, 200);
    CHECK_INT(eddy_response_set_header(res, "Content-Type", "application/rss+xml"), ==, 0);
    return eddy_response_set_body(res, rss, sizeof rss - 1);
}

static int t_page(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    return eddy_response_html(res, 200,
                              "<html><head><link rel=alternate type='application/rss+xml' "
                              "href='feed.xml'></head><body>hi</body></html>");
}

static int t_blank(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    return eddy_response_html(res, 200, "<html><body>no feed here</body></html>");
}

static int t_to(struct eddy_request *req, struct eddy_response *res)
{
    return eddy_response_redirect(res, 302, eddy_request_arg(req, "u"));
}

/* ------------------------------------------------------------- the client */

struct resp {
    int status;
    char body[1 << 16];
    char ctype[128], allow[128], location[128];
    json_t *json; /* the body parsed, or NULL */
};

/* One request to site `which`.  type NULL: no body sent. */
static struct resp *call_as(int which, const char *method, const char *path, const char *type,
                            const char *body, size_t len)
{
    static struct resp r;
    json_decref(r.json);
    memset(&r, 0, sizeof r);
    char url[4096], ct[160];
    snprintf(url, sizeof url, "http://127.0.0.%d:%d%s", which == OPEN ? 2 : 1, env->port[which],
             path);
    snprintf(ct, sizeof ct, "Content-Type: %s", type ? type : "");
    const char *headers[] = {ct, NULL};
    struct eddy_reply *rep = NULL;
    CHECK_INT(eddy_fetch(env->client,
                         &(struct eddy_fetch_opts){.url = url,
                                                   .method = method,
                                                   .headers = type ? headers : NULL,
                                                   .body = body,
                                                   .body_len = len,
                                                   .max_redirects = -1},
                         &rep),
              ==, 0);
    r.status = eddy_reply_status(rep);
    size_t n;
    const char *b = eddy_reply_body(rep, &n);
    CHECK(n < sizeof r.body);
    memcpy(r.body, b, n);
    const char *h;
    snprintf(r.ctype, sizeof r.ctype, "%s", (h = eddy_reply_header(rep, "Content-Type")) ? h : "");
    snprintf(r.allow, sizeof r.allow, "%s", (h = eddy_reply_header(rep, "Allow")) ? h : "");
    snprintf(r.location, sizeof r.location, "%s",
             (h = eddy_reply_header(rep, "Location")) ? h : "");
    eddy_reply_free(rep);
    if (!strncmp(r.ctype, "application/json", 16))
        r.json = json_loads(r.body, 0, NULL);
    return &r;
}

static struct resp *call(const char *method, const char *path, const char *json)
{
    return call_as(OPEN, method, path, json ? "application/json" : NULL, json,
                   json ? strlen(json) : 0);
}

static struct resp *get(const char *path)
{
    return call("GET", path, NULL);
}

/* The reply is the JSON error the API gives with that status. */
static void check_error(const struct resp *r, int status, const char *contains)
{
    if (r->status != status || !json_is_string(json_object_get(r->json, "error")) ||
        !strstr(json_string_value(json_object_get(r->json, "error")), contains))
        test_fail(__FILE__, __LINE__, "expected %d with \"%s\", got %d: %s", status, contains,
                  r->status, r->body);
}

static int64_t num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    CHECK(json_is_integer(v));
    return json_integer_value(v);
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---------------------------------------------------------- the harness */

static int run_env(void *arg)
{
    struct env *e = arg;
    static const char *const partial[] = {"127.0.0.2/32", NULL};
    static const char *const open[] = {"127.0.0.0/8", NULL};
    const char *const *allow[SITES] = {NULL, partial, open};
    CHECK((e->trusted = eddy_session_new(NULL)) && (e->client = eddy_session_new(NULL)));
    for (int i = 0; i < SITES; i++) {
        struct eddy__site *s = &e->site[i];
        *s = (struct eddy__site){
            .store = e->store, .session = e->trusted, .wake = count_wake, .sched = &e->wakes};
        s->guarded = eddy_session_new(
            &(struct eddy_session_opts){.ssrf_guard = true, .ssrf_allow = allow[i]});
        CHECK(s->guarded && (e->app[i] = eddy_app_new()));
        eddy_app_set_data(e->app[i], s);
        CHECK_INT(eddy_app_on_startup(e->app[i], site_startup), ==, 0);
        CHECK_INT(eddy__api_routes(e->app[i]), ==, 0);
        CHECK_INT(eddy_app_route(e->app[i], "GET", "/t/feed.xml", t_feed, NULL), ==, 0);
        CHECK_INT(eddy_app_route(e->app[i], "GET", "/t/page", t_page, NULL), ==, 0);
        CHECK_INT(eddy_app_route(e->app[i], "GET", "/t/blank", t_blank, NULL), ==, 0);
        CHECK_INT(eddy_app_route(e->app[i], "GET", "/t/to", t_to, NULL), ==, 0);
        e->srv[i] = eddy_app_start(
            e->app[i],
            &(struct eddy_server_opts){.listen = i == OPEN ? "127.0.0.2:0" : "127.0.0.1:0"});
        CHECK(e->srv[i] != NULL);
        e->port[i] = eddy_server_port(e->srv[i]);
    }
    env = e;
    e->body(e);
    for (int i = 0; i < SITES; i++) {
        CHECK_INT(eddy_app_stop(e->app[i], e->srv[i], eddy_deadline_in(5 * EDDY_SEC)), ==, 0);
        eddy_app_free(e->app[i]);
        eddy_session_free(e->site[i].guarded);
    }
    eddy_session_free(e->trusted);
    eddy_session_free(e->client);
    return 0;
}

/* Opens a store in the test's folder with two feeds the owner added (A in
 * category "Tech" with `na` entries, B uncategorized with `nb`), dated
 * 1,000,000 + i seconds, runs body on a loop with the three sites. */
static void with_env(void (*body)(struct env *e), int na, int nb)
{
    struct env e = {.body = body};
    CHECK_INT(eddy_store_open(test_tmpdir(), &e.store), ==, 0);
    CHECK_INT(eddy_store_feed_add(e.store, "http://a.example/feed", "A", "Tech", &e.feed_a), ==, 0);
    CHECK_INT(eddy_store_feed_add(e.store, "http://b.example/feed", NULL, NULL, &e.feed_b), ==, 0);
    for (int f = 0; f < 2; f++) {
        int n = f ? nb : na;
        struct eddy_store_entry_in *in = calloc((size_t)n + 1, sizeof *in);
        char(*guid)[32] = calloc((size_t)n + 1, 32), (*title)[64] = calloc((size_t)n + 1, 64);
        CHECK(in && guid && title);
        for (int i = 0; i < n; i++) {
            snprintf(guid[i], 32, "%c%d", 'a' + f, i);
            snprintf(title[i], 64, "%s number %d", i % 10 == 7 ? "zebra" : "plain", i);
            in[i] = (struct eddy_store_entry_in){.guid = guid[i],
                                                 .title = title[i],
                                                 .content = "<p>body</p>",
                                                 .date = 1000000 + 2 * i + f,
                                                 .date_source = EDDY_STORE_DATE_PARSED};
        }
        CHECK_INT(eddy_store_entries_upsert(e.store, f ? e.feed_b : e.feed_a, in, (size_t)n,
                                            2000000, NULL),
                  ==, 0);
        free(in), free(guid), free(title);
    }
    while (eddy_store_index_pending(e.store, 0) > 0)
        ;
    CHECK_INT(eddy_run(run_env, &e, NULL), ==, 0);
    eddy_store_close(e.store);
}

/* ------------------------------------------------------------------ feeds */

static void feeds_body(struct env *e)
{
    char path[256], body[512];
    struct resp *r = get("/api/v1/feeds");
    CHECK_INT(r->status, ==, 200);
    json_t *feeds = json_object_get(r->json, "feeds");
    CHECK_INT(json_array_size(feeds), ==, 2);
    json_t *a = json_array_get(feeds, 0);
    CHECK_INT(num(a, "id"), ==, e->feed_a);
    CHECK_STR(str(a, "category"), "Tech");
    CHECK_STR(str(a, "url"), "http://a.example/feed");
    CHECK(json_is_false(json_object_get(a, "guarded")));
    CHECK_INT(num(a, "consecutive_errors"), ==, 0);
    CHECK(json_is_null(json_object_get(json_array_get(feeds, 1), "category")));

    /* Subscribing through a page that announces its feed: the feed, guarded. */
    snprintf(body, sizeof body,
             "{\"url\": \"http://127.0.0.2:%d/t/page\", \"category\": \"News\", "
             "\"title\": \"Mine\"}",
             e->port[OPEN]);
    int wakes = e->wakes;
    r = call("POST", "/api/v1/feeds", body);
    CHECK_INT(r->status, ==, 201);
    int64_t id = num(r->json, "id");
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.2:%d/t/feed.xml", e->port[OPEN]);
    CHECK_STR(str(r->json, "url"), want);
    CHECK_STR(str(r->json, "category"), "News");
    CHECK_STR(str(r->json, "title"), "Mine");
    CHECK(json_is_true(json_object_get(r->json, "guarded")));
    snprintf(path, sizeof path, "/api/v1/feeds/%" PRId64, id);
    CHECK_STR(r->location, path);
    CHECK_INT(e->wakes, ==, wakes + 1);
    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed(e->store, id, &f), ==, 0);
    CHECK(f.guarded);
    eddy_store_feed_fini(&f);

    /* Subscribed already: through the page (after discovery) and as given. */
    r = call("POST", "/api/v1/feeds", body);
    check_error(r, 409, "already subscribed");
    CHECK_INT(num(r->json, "id"), ==, id);
    snprintf(body, sizeof body, "{\"url\": \"%s\"}", want);
    check_error(call("POST", "/api/v1/feeds", body), 409, "already subscribed");

    /* The same URL through the strict site: refused by the SSRF guard,
     * nothing subscribed. */
    snprintf(body, sizeof body, "{\"url\": \"http://127.0.0.2:%d/t/feed.xml?x\"}", e->port[OPEN]);
    r = call_as(STRICT, "POST", "/api/v1/feeds", "application/json", body, strlen(body));
    check_error(r, 502, "could not fetch");
    CHECK_STR(r->body, "{\"error\":\"could not fetch\"}");
    /* No feed there; a target that answered 404. */
    snprintf(body, sizeof body, "{\"url\": \"http://127.0.0.2:%d/t/blank\"}", e->port[OPEN]);
    check_error(call("POST", "/api/v1/feeds", body), 422, "no feed");
    snprintf(body, sizeof body, "{\"url\": \"http://127.0.0.2:%d/t/none\"}", e->port[OPEN]);
    check_error(call("POST", "/api/v1/feeds", body), 502, "could not fetch: HTTP status 404");
    CHECK_INT(json_array_size(json_object_get(get("/api/v1/feeds")->json, "feeds")), ==, 3);

    /* Bad input, each with its message. */
    check_error(call("POST", "/api/v1/feeds", "{}"), 400, "'url' is required");
    check_error(call("POST", "/api/v1/feeds", "{\"url\": 5}"), 400, "'url' is required");
    check_error(call("POST", "/api/v1/feeds", "{\"url\": \"ftp://x/\"}"), 400, "http or https");
    check_error(call("POST", "/api/v1/feeds", "{\"url\": \"http://x/\\u0000y\"}"), 400,
                "invalid JSON");
    char title[1100] = "{\"url\": \"http://x/\", \"title\": \"";
    memset(title + strlen(title), 't', 1025);
    strcat(title, "\"}");
    check_error(call("POST", "/api/v1/feeds", title), 400, "at most 1024 bytes");
    check_error(call("POST", "/api/v1/feeds", "{\"url\": \"http://x/ y\"}"), 400, "http or https");
    check_error(call("POST", "/api/v1/feeds", "{\"url\": \"http://x/\", \"tags\": 1}"), 400,
                "unknown field 'tags'");
    check_error(call("POST", "/api/v1/feeds", "{\"url\": \"http://x/\", \"title\": 1}"), 400,
                "'title' must be a string");
    /* An unknown key is quoted to 64 bytes, never cut inside a character (a
     * cut made the message invalid UTF-8: no JSON error could carry it, 500). */
    char key[300] = "{\"x", quoted[100] = "unknown field 'x";
    for (int i = 0; i < 40; i++)
        strcat(key, "\u00e9");
    strcat(key, "\": 1}");
    for (int i = 0; i < 31; i++)
        strcat(quoted, "\xc3\xa9");
    strcat(quoted, "'");
    check_error(call("POST", "/api/v1/feeds", key), 400, quoted);
    check_error(call("POST", "/api/v1/feeds", "{\"url\": \"http://x/\", \"url\": \"http://y/\"}"),
                400, "duplicate");
    char category[400] = "{\"url\": \"http://x/\", \"category\": \"";
    memset(category + strlen(category), 'c', 257);
    strcat(category, "\"}");
    check_error(call("POST", "/api/v1/feeds", category), 400,
                "'category' must be at most 256 bytes");
    check_error(call("POST", "/api/v1/feeds", "[1]"), 400, "JSON object");
    check_error(call("POST", "/api/v1/feeds", "{\"url\": "), 400, "invalid JSON");
    check_error(call_as(OPEN, "POST", "/api/v1/feeds", "application/x-www-form-urlencoded",
                        "url=http://x/", 13),
                415, "application/json");
    char *big = malloc(70000);
    CHECK(big != NULL);
    memset(big, ' ', 70000);
    memcpy(big, "{\"url\": \"http://x/\"}", 20);
    check_error(call_as(OPEN, "POST", "/api/v1/feeds", "application/json", big, 70000), 413,
                "larger than");
    free(big);

    /* Show, rename, categorize. */
    r = get(path);
    CHECK_INT(r->status, ==, 200);
    CHECK_INT(num(r->json, "id"), ==, id);
    r = call("PATCH", path, "{\"title\": \"Renamed\", \"category\": \"Reading\"}");
    CHECK_INT(r->status, ==, 200);
    CHECK_STR(str(r->json, "title"), "Renamed");
    CHECK_STR(str(r->json, "category"), "Reading");
    r = call("PATCH", path, "{\"category\": null}");
    CHECK_INT(r->status, ==, 200);
    CHECK(json_is_null(json_object_get(r->json, "category")));
    CHECK_STR(str(r->json, "title"), "Renamed");
    check_error(call("PATCH", path, "{}"), 400, "nothing to change");
    check_error(call("PATCH", path, "{\"category\": [\"x\"]}"), 400, "string or null");
    check_error(call("PATCH", "/api/v1/feeds/999999", "{\"title\": \"x\"}"), 404, "no such feed");
    check_error(get("/api/v1/feeds/999999"), 404, "no such feed");
    check_error(get("/api/v1/feeds/abc"), 404, "Not Found");

    /* Refresh now: due at once, the scheduler woken. */
    CHECK_INT(eddy_store_feed_set_next_check(e->store, id, 5000000000), ==, 0);
    wakes = e->wakes;
    snprintf(path, sizeof path, "/api/v1/feeds/%" PRId64 "/refresh", id);
    r = call("POST", path, NULL);
    CHECK_INT(r->status, ==, 202);
    CHECK_INT(num(r->json, "next_check"), ==, 0);
    CHECK_INT(e->wakes, ==, wakes + 1);
    check_error(call("POST", "/api/v1/feeds/999999/refresh", NULL), 404, "no such feed");

    /* Categories and status. */
    r = get("/api/v1/categories");
    CHECK_INT(r->status, ==, 200);
    json_t *cats = json_object_get(r->json, "categories");
    CHECK_INT(json_array_size(cats), ==, 1);
    CHECK_STR(str(json_array_get(cats, 0), "name"), "Tech");
    CHECK_INT(num(json_array_get(cats, 0), "feeds"), ==, 1);
    CHECK_INT(num(json_array_get(cats, 0), "unread"), ==, 12);
    /* A failing feed: its outcome in the status and in its record. */
    CHECK_INT(eddy_store_fetched_await(e->store, e->feed_b,
                                       &(struct eddy_store_fetch){.fetched_at = 100,
                                                                  .next_check = 400,
                                                                  .status = 500,
                                                                  .error = "HTTP status 500"}),
              ==, 0);
    r = get("/api/v1/status");
    CHECK_INT(r->status, ==, 200);
    CHECK_INT(num(r->json, "feeds"), ==, 3);
    CHECK_INT(num(r->json, "entries"), ==, 17);
    CHECK_INT(num(r->json, "errors"), ==, 1);
    json_t *failing = json_object_get(r->json, "failing");
    CHECK_INT(json_array_size(failing), ==, 1);
    CHECK_INT(num(json_array_get(failing, 0), "id"), ==, e->feed_b);
    CHECK_STR(str(json_array_get(failing, 0), "last_error"), "HTTP status 500");
    snprintf(path, sizeof path, "/api/v1/feeds/%" PRId64, e->feed_b);
    r = get(path);
    CHECK_INT(num(r->json, "last_status"), ==, 500);
    CHECK_INT(num(r->json, "consecutive_errors"), ==, 1);
    CHECK_INT(num(r->json, "last_check"), ==, 100);
    CHECK_INT(num(r->json, "next_check"), ==, 400);
    check_error(get("/api/v1/status?verbose=1"), 400, "unknown parameter 'verbose'");

    /* Unsubscribe. */
    snprintf(path, sizeof path, "/api/v1/feeds/%" PRId64, id);
    r = call("DELETE", path, NULL);
    CHECK_INT(r->status, ==, 204);
    check_error(call("DELETE", path, NULL), 404, "no such feed");
    CHECK_INT(json_array_size(json_object_get(get("/api/v1/feeds")->json, "feeds")), ==, 2);

    /* The framework's own errors on API paths are JSON too. */
    r = call("DELETE", "/api/v1/feeds", NULL);
    check_error(r, 405, "Method Not Allowed");
    CHECK(strstr(r->allow, "POST") != NULL);
    check_error(get("/api/v1/nothing"), 404, "Not Found");
    r = get("/t/nothing"); /* other paths keep the framework's text */
    CHECK_INT(r->status, ==, 404);
    CHECK(r->json == NULL);
}

TEST(api_feeds_add_list_rename_remove)
{
    with_env(feeds_body, 12, 5);
}

/* ---------------------------------------------------------------- entries */

static json_t *entries(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *entries(const char *fmt, ...)
{
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    struct resp *r = get(path);
    if (r->status != 200)
        test_fail(__FILE__, __LINE__, "GET %s: %d %s", path, r->status, r->body);
    /* Kept past the next request (which frees r->json): the last 8. */
    static json_t *kept[8];
    static unsigned k;
    json_decref(kept[k % 8]);
    return kept[k++ % 8] = json_incref(json_object_get(r->json, "entries"));
}

static void entries_body(struct env *e)
{
    /* The first page: 50, newest first, with a cursor. */
    struct resp *r = get("/api/v1/entries");
    CHECK_INT(r->status, ==, 200);
    json_t *list = json_object_get(r->json, "entries");
    CHECK_INT(json_array_size(list), ==, 50);
    CHECK(str(r->json, "next") != NULL);
    for (size_t i = 1; i < 50; i++)
        CHECK(num(json_array_get(list, i - 1), "date") > num(json_array_get(list, i), "date"));
    json_t *first = json_array_get(list, 0);
    CHECK_INT(num(first, "date"), ==, 1000000 + 2 * 99);
    CHECK_STR(str(first, "date_source"), "parsed");
    CHECK_STR(str(first, "content"), "<p>body</p>");

    /* Pages of 40 over all 130, while newer entries arrive between pages:
     * each old entry exactly once, no new one. */
    char cursor[64] = "", page[128];
    int seen[2][100] = {{0}}, pages = 0, total = 0;
    for (;;) {
        snprintf(page, sizeof page, "/api/v1/entries?limit=40%s%s", *cursor ? "&cursor=" : "",
                 cursor);
        r = get(page);
        CHECK_INT(r->status, ==, 200);
        list = json_object_get(r->json, "entries");
        size_t i;
        json_t *x;
        json_array_foreach(list, i, x)
        {
            int64_t date = num(x, "date") - 1000000;
            CHECK(date >= 0 && date < 200);
            seen[date % 2][date / 2]++;
            total++;
        }
        const char *next = str(r->json, "next");
        if (!next)
            break;
        snprintf(cursor, sizeof cursor, "%s", next);
        char guid[32];
        snprintf(guid, sizeof guid, "new%d", pages++);
        struct eddy_store_entry_in in = {
            .guid = guid, .title = "late", .date = 1900000, .date_source = EDDY_STORE_DATE_PARSED};
        CHECK_INT(eddy_store_upsert_await(e->store, e->feed_a, &in, 1, 2000000, NULL), ==, 0);
    }
    CHECK_INT(total, ==, 130);
    CHECK_INT(pages, ==, 3);
    for (int i = 0; i < 100; i++)
        CHECK_INT(seen[0][i], ==, 1);
    for (int i = 0; i < 30; i++)
        CHECK_INT(seen[1][i], ==, 1);

    /* Filters. */
    list = entries("/api/v1/entries?feed=%" PRId64 "&limit=1000", e->feed_b);
    CHECK_INT(json_array_size(list), ==, 30);
    CHECK_INT(num(json_array_get(list, 0), "feed_id"), ==, e->feed_b);
    json_t *same = entries("/api/v1/feeds/%" PRId64 "/entries?limit=1000", e->feed_b);
    CHECK(json_equal(list, same));
    CHECK_INT(json_array_size(entries("/api/v1/entries?category=Tech&limit=1000")), ==, 103);
    CHECK_INT(json_array_size(entries("/api/v1/entries?since=%d&limit=1000", 1000000 + 190)), ==,
              8); /* 95..99 of A, 3 late ones */
    CHECK_INT(json_array_size(entries("/api/v1/entries?q=zebra&limit=1000")), ==, 13);
    CHECK_INT(json_array_size(entries("/api/v1/entries?search=zebra&feed=%" PRId64, e->feed_b)), ==,
              3);
    CHECK_INT(json_array_size(entries("/api/v1/entries?q=%%22unbalanced*&limit=1000")), ==, 0);

    /* Marks: one entry, then many. */
    int64_t id = num(json_array_get(list, 0), "id");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/entries/%" PRId64, id);
    r = get(path);
    CHECK_INT(r->status, ==, 200);
    CHECK(json_is_false(json_object_get(r->json, "read")));
    r = call("PUT", path, "{\"read\": true}");
    CHECK_INT(r->status, ==, 200);
    CHECK(json_is_true(json_object_get(r->json, "read")));
    CHECK(json_is_false(json_object_get(r->json, "starred")));
    r = call("POST", path, "{\"starred\": true, \"read\": false}");
    CHECK_INT(r->status, ==, 200);
    CHECK(json_is_false(json_object_get(r->json, "read")));
    CHECK(json_is_true(json_object_get(r->json, "starred")));
    list = entries("/api/v1/entries?starred=true");
    CHECK_INT(json_array_size(list), ==, 1);
    CHECK_INT(num(json_array_get(list, 0), "id"), ==, id);

    list = entries("/api/v1/entries?feed=%" PRId64 "&limit=1000", e->feed_b);
    char body[4096] = "{\"read\": true, \"ids\": [";
    for (size_t i = 0; i < 10; i++)
        snprintf(body + strlen(body), 32, "%s%" PRId64, i ? ", " : "",
                 num(json_array_get(list, i), "id"));
    strcat(body, ", 999999]}");
    r = call("POST", "/api/v1/entries/mark", body);
    CHECK_INT(r->status, ==, 200);
    CHECK_INT(num(r->json, "changed"), ==, 10);
    CHECK_INT(json_array_size(entries("/api/v1/entries?unread=1&limit=1000")), ==, 123);
    CHECK_INT(json_array_size(entries("/api/v1/entries?unread=0&limit=1000")), ==, 133);
    CHECK_INT(num(call("POST", "/api/v1/entries/mark", body)->json, "changed"), ==, 0);

    /* Strict input. */
    check_error(get("/api/v1/entries?limit=0"), 400, "'limit' must be an integer from 1 to 1000");
    check_error(get("/api/v1/entries?limit=1001"), 400, "'limit'");
    check_error(get("/api/v1/entries?limit=5x"), 400, "'limit'");
    check_error(get("/api/v1/entries?limit=5&limit=6"), 400, "given twice");
    check_error(get("/api/v1/entries?cursor=zz"), 400, "'cursor'");
    check_error(get("/api/v1/entries?cursor=10-0"), 400, "'cursor'");
    check_error(get("/api/v1/entries?unread=yes"), 400, "'unread' must be");
    check_error(get("/api/v1/entries?feed=0"), 400, "'feed'");
    check_error(get("/api/v1/entries?feed=999999"), 404, "no such feed");
    check_error(get("/api/v1/feeds/999999/entries"), 404, "no such feed");
    check_error(get("/api/v1/feeds/1/entries?feed=2"), 400, "unknown parameter 'feed'");
    check_error(get("/api/v1/entries?since=-5"), 400, "'since'");
    check_error(get("/api/v1/entries?q="), 400, "'q'");
    check_error(get("/api/v1/entries?q=a&search=b"), 400, "give one");
    check_error(get("/api/v1/entries?category="), 400, "'category'");
    check_error(get("/api/v1/entries?sort=asc"), 400, "unknown parameter 'sort'");
    check_error(get("/api/v1/entries/999999"), 404, "no such entry");
    check_error(call("PUT", "/api/v1/entries/999999", "{\"read\": true}"), 404, "no such entry");
    check_error(call("PUT", path, "{}"), 400, "nothing to mark");
    check_error(call("PUT", path, "{\"read\": 1}"), 400, "'read' must be true or false");
    check_error(call("PUT", path, "{\"seen\": true}"), 400, "unknown field 'seen'");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true}"), 400, "'ids'");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true, \"ids\": []}"), 400,
                "'ids'");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true, \"ids\": [1, \"2\"]}"), 400,
                "positive integers");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true, \"ids\": [0]}"), 400,
                "positive integers");
    check_error(call("POST", "/api/v1/entries/mark", "{\"ids\": [1]}"), 400, "nothing to mark");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true, \"ids\": 5}"), 400,
                "'ids' must be an array");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true, \"ids\": [1.5]}"), 400,
                "positive integers");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true, \"ids\": [-3]}"), 400,
                "positive integers");
    check_error(call("POST", "/api/v1/entries/mark", "{\"starred\": null, \"ids\": [1]}"), 400,
                "'starred' must be true or false");
    check_error(call("POST", "/api/v1/entries/mark", "{\"read\": true, \"ids\": [1], \"all\": 1}"),
                400, "unknown field 'all'");
    char *many = malloc(8000);
    CHECK(many != NULL);
    strcpy(many, "{\"read\": true, \"ids\": [1");
    for (int i = 0; i < 1000; i++)
        strcat(many, ",1");
    strcat(many, "]}");
    check_error(call("POST", "/api/v1/entries/mark", many), 400, "1 to 1000");
    free(many);
}

TEST(api_entries_filters_pages_marks)
{
    with_env(entries_body, 100, 30);
}

/* ------------------------------------------------------------------- OPML */

static void opml_body(struct env *e)
{
    (void)e;
    struct resp *r = get("/api/v1/opml");
    CHECK_INT(r->status, ==, 200);
    CHECK(!strncmp(r->ctype, "application/xml", 15));
    CHECK(strstr(r->body, "<opml version=\"2.0\">") != NULL);
    CHECK(strstr(r->body, "xmlUrl=\"http://a.example/feed\"") != NULL);
    CHECK(strstr(r->body, "text=\"Tech\"") != NULL);
    static char exported[1 << 16];
    snprintf(exported, sizeof exported, "%s", r->body);

    /* The export read back: every feed there already. */
    r = call_as(OPEN, "POST", "/api/v1/opml", "text/x-opml", exported, strlen(exported));
    if (r->status != 200)
        test_fail(__FILE__, __LINE__, "%d %s", r->status, r->body);
    CHECK_INT(num(r->json, "found"), ==, 2);
    CHECK_INT(num(r->json, "added"), ==, 0);
    CHECK_INT(num(r->json, "existing"), ==, 2);

    /* New feeds: one transaction, guarded, categories from the nesting. */
    static const char doc[] =
        "<?xml version='1.0'?><opml version='1.0'><body>"
        "<outline text='Blogs'><outline text='C' xmlUrl='http://c.example/feed'/>"
        "<outline text='D' xmlUrl='http://d.example/feed'/></outline>"
        "<outline text='A again' xmlUrl='http://a.example/feed'/>"
        "<outline text='mail' xmlUrl='mailto:x@example.com'/>"
        "</body></opml>";
    int wakes = e->wakes;
    r = call_as(OPEN, "POST", "/api/v1/opml", "application/xml; charset=utf-8", doc,
                sizeof doc - 1);
    CHECK_INT(r->status, ==, 200);
    CHECK_INT(num(r->json, "found"), ==, 4);
    CHECK_INT(num(r->json, "added"), ==, 2);
    CHECK_INT(num(r->json, "existing"), ==, 1);
    CHECK_INT(num(r->json, "skipped"), ==, 1);
    CHECK_INT(e->wakes, ==, wakes + 1);
    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed_by_url(e->store, "http://d.example/feed", &f), ==, 0);
    CHECK(f.guarded);
    CHECK_STR(f.category, "Blogs");
    CHECK_STR(f.title, "D");
    eddy_store_feed_fini(&f);

    /* Round trip: the new export holds all four, each in its category. */
    r = get("/api/v1/opml");
    CHECK(strstr(r->body, "text=\"Blogs\"") && strstr(r->body, "http://c.example/feed") &&
          strstr(r->body, "http://d.example/feed") && strstr(r->body, "http://b.example/feed"));

    check_error(call_as(OPEN, "POST", "/api/v1/opml", "text/plain", doc, sizeof doc - 1), 415,
                "text/x-opml");
    check_error(call_as(OPEN, "POST", "/api/v1/opml", "text/xml", "<html/>", 7), 400,
                "not an OPML document");
    check_error(call_as(OPEN, "POST", "/api/v1/opml", "text/xml", "", 0), 400, "empty");
}

TEST(api_opml_export_import_round_trip)
{
    with_env(opml_body, 1, 1);
}

/* ------------------------------------------------------- parse and SSRF */

static void parse_body(struct env *e)
{
    char path[512], target[256];
    int p1 = e->port[STRICT], p2 = e->port[OPEN];

    /* A feed on an allowed address: feedparser's shape. */
    snprintf(path, sizeof path, "/api/v1/parse?url=http://127.0.0.2:%d/t/feed.xml", p2);
    struct resp *r = get(path);
    CHECK_INT(r->status, ==, 200);
    CHECK_STR(str(json_object_get(r->json, "feed"), "title"), "Test feed");
    CHECK_INT(json_array_size(json_object_get(r->json, "entries")), ==, 2);
    CHECK_STR(str(json_array_get(json_object_get(r->json, "entries"), 1), "title"), "Second");
    CHECK_STR(str(r->json, "version"), "rss20");

    /* Every loopback spelling through the strict site, and a redirect to
     * loopback through the partial one: the same reply, byte for byte. */
    const char *refused[] = {"http://127.0.0.1:%d/t/feed.xml", "http://127.1:%d/t/feed.xml",
                             "http://localhost:%d/t/feed.xml", "http://0x7f.1:%d/t/feed.xml",
                             "http://[::1]:%d/t/feed.xml",     "http://2130706433:%d/t/feed.xml",
                             "http://127.0.0.1:1/closed"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(target, sizeof target, refused[i], p1);
        snprintf(path, sizeof path, "/api/v1/parse?url=%s", target);
        r = call_as(STRICT, "GET", path, NULL, NULL, 0);
        CHECK_INT(r->status, ==, 502);
        CHECK_STR(r->body, "{\"error\":\"could not fetch\"}");
    }
    snprintf(target, sizeof target,
             "http://127.0.0.2:%d/t/to?u=http%%3A%%2F%%2F127.0.0.1%%3A%d%%2Ft%%2Ffeed.xml", p2, p1);
    snprintf(path, sizeof path, "/api/v1/parse?url=%s", target);
    r = call_as(PARTIAL, "GET", path, NULL, NULL, 0);
    CHECK_INT(r->status, ==, 502);
    CHECK_STR(r->body, "{\"error\":\"could not fetch\"}");
    /* The partial site does fetch its allowed address, and the redirect's
     * target is there: what refused it was the guard. */
    snprintf(path, sizeof path, "/api/v1/parse?url=http://127.0.0.2:%d/t/feed.xml", p2);
    CHECK_INT(call_as(PARTIAL, "GET", path, NULL, NULL, 0)->status, ==, 200);
    snprintf(path, sizeof path, "/api/v1/parse?url=%s", target);
    r = call_as(OPEN, "GET", path, NULL, NULL, 0);
    CHECK_INT(r->status, ==, 200);
    CHECK_STR(str(json_object_get(r->json, "feed"), "title"), "Test feed");

    /* No feed: feedparser's answer, bozo.  A 404 upstream says so. */
    snprintf(path, sizeof path, "/api/v1/parse?url=http://127.0.0.2:%d/t/blank", p2);
    r = get(path);
    CHECK_INT(r->status, ==, 200);
    CHECK(json_is_true(json_object_get(r->json, "bozo")) ||
          json_integer_value(json_object_get(r->json, "bozo")) == 1);
    snprintf(path, sizeof path, "/api/v1/parse?url=http://127.0.0.2:%d/t/none", p2);
    check_error(get(path), 502, "could not fetch: HTTP status 404");

    check_error(get("/api/v1/parse"), 400, "'url' is required");
    check_error(get("/api/v1/parse?url=file:///etc/passwd"), 400, "http or https");
    check_error(get("/api/v1/parse?url=http://"), 400, "http or https");
    check_error(get("/api/v1/parse?url=http://x/%00y"), 400, "NUL byte");
    check_error(get("/api/v1/parse?url=http://x/&url=http://y/"), 400, "given twice");
    check_error(get("/api/v1/parse?url=http://x/&follow=1"), 400, "unknown parameter");
}

TEST(api_parse_and_the_ssrf_guard)
{
    with_env(parse_body, 1, 1);
}
