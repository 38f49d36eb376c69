/* Tests of web/route.c: parameter types, priority, 404/405/OPTIONS,
 * blueprints, url_for round trips. */
#include "../test.h"

#include "eddy/webutil.h"

#include <errno.h>
#include <stdlib.h>

/* Handlers are opaque to the router: distinct addresses are enough. */
static char h_index, h_feeds, h_feed, h_new, h_create, h_tag, h_static, h_api, h_put;

/* The verdict, m->status; the return value must agree with it. */
static int match(const struct eddy_router *r, const char *method, const char *path,
                 struct eddy_route_match *m)
{
    int rc = eddy_router_match(r, method, path, strlen(path), m);
    CHECK_INT(rc, ==, m->status == EDDY_ROUTE_TOO_LONG ? -ENAMETOOLONG : 0);
    return m->status;
}

static struct eddy_router *app(void)
{
    struct eddy_router *r = eddy_router_new();
    CHECK(r);
    CHECK_INT(eddy_router_add(r, "GET", "/", "index", &h_index), ==, 0);
    CHECK_INT(eddy_router_add(r, "GET", "/feeds/", "feeds", &h_feeds), ==, 0);
    CHECK_INT(eddy_router_add(r, "GET", "/feeds/<int:id>", "feed", &h_feed), ==, 0);
    CHECK_INT(eddy_router_add(r, "PUT DELETE", "/feeds/<int:id>", "feed_put", &h_put), ==, 0);
    /* Registered after the dynamic routes, still matched first: literal beats int/string. */
    CHECK_INT(eddy_router_add(r, "GET", "/feeds/new", "new", &h_new), ==, 0);
    CHECK_INT(eddy_router_add(r, "POST", "/feeds/<name>", "create", &h_create), ==, 0);
    CHECK_INT(eddy_router_add(r, "GET", "/tags/<string:tag>/entries", "tag", &h_tag), ==, 0);
    CHECK_INT(eddy_router_add(r, "GET", "/static/<path:file>", "static", &h_static), ==, 0);
    return r;
}

TEST(route_static_and_typed_params)
{
    struct eddy_router *r = app();
    struct eddy_route_match m;
    CHECK_INT(match(r, "GET", "/", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_index);
    CHECK_STR(m.endpoint, "index");
    CHECK_INT(match(r, "GET", "/feeds/", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_feeds);
    CHECK_INT(match(r, "GET", "/feeds/42?x=1", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_feed);
    CHECK_INT(m.nparams, ==, 1);
    CHECK_STR(m.params[0].name, "id");
    CHECK_STR(m.params[0].value, "42");
    CHECK_INT(m.params[0].num, ==, 42);
    CHECK_INT(match(r, "GET", "/feeds/9223372036854775807", &m), ==, EDDY_ROUTE_FOUND);
    CHECK_INT(m.params[0].num, ==, INT64_MAX);
    CHECK_INT(match(r, "GET", "/feeds/new", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_new);
    CHECK_INT(match(r, "GET", "/tags/c%20c%2B%2B/entries", &m), ==, EDDY_ROUTE_FOUND);
    CHECK_STR(eddy_route_param(&m, "tag"), "c c++");
    CHECK(eddy_route_param(&m, "nope") == NULL);
    /* '%' without two hex digits is kept literally (the URL standard's rule);
     * a literal segment compares it byte for byte (ASan caught an overflow here) */
    CHECK_INT(match(r, "GET", "/tags/%zz%4/entries", &m), ==, EDDY_ROUTE_FOUND);
    CHECK_STR(eddy_route_param(&m, "tag"), "%zz%4");
    CHECK_INT(match(r, "GET", "/feeds/ne%zz", &m), ==, EDDY_ROUTE_NOT_ALLOWED);
    /* %2F inside a segment is part of the value, not a separator. */
    CHECK_INT(match(r, "GET", "/tags/a%2Fb/entries", &m), ==, EDDY_ROUTE_FOUND);
    CHECK_STR(eddy_route_param(&m, "tag"), "a/b");
    CHECK_INT(match(r, "GET", "/static/css/site.css", &m), ==, EDDY_ROUTE_FOUND);
    CHECK_STR(eddy_route_param(&m, "file"), "css/site.css");
    CHECK(m.handler == &h_static);
    /* A literal matches its percent-encoded spelling. */
    CHECK_INT(match(r, "GET", "/f%65eds/n%65w", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_new);
    eddy_router_free(r);
}

TEST(route_not_found_cases)
{
    struct eddy_router *r = app();
    struct eddy_route_match m;
    /* Not an <int>: only POST /feeds/<name> matches these. */
    const char *not_int[] = {"/feeds/-1", "/feeds/+1", "/feeds/9223372036854775808",
                             "/feeds/99999999999999999999", "/feeds/1x"};
    for (size_t i = 0; i < sizeof not_int / sizeof not_int[0]; i++) {
        CHECK_INT(match(r, "GET", not_int[i], &m), ==, EDDY_ROUTE_NOT_ALLOWED);
        CHECK_STR(m.allow, "POST, OPTIONS");
    }
    const char *paths[] = {
        "/feeds",         /* strict slashes */
        "/feeds/1/",      /* strict slashes */
        "/tags//entries", /* empty <string> */
        "/static/",       /* empty <path> */
        "/nothing",       "", "relative", "/feeds/1/2",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int got = match(r, "GET", paths[i], &m);
        if (got != EDDY_ROUTE_NOT_FOUND)
            test_fail(__FILE__, __LINE__, "%s: %d, not 404", paths[i], got);
    }
    eddy_router_free(r);
}

TEST(route_405_allow_head_options)
{
    struct eddy_router *r = app();
    struct eddy_route_match m;
    CHECK_INT(match(r, "POST", "/", &m), ==, EDDY_ROUTE_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD, OPTIONS");
    CHECK_INT(match(r, "PATCH", "/feeds/7", &m), ==, EDDY_ROUTE_NOT_ALLOWED);
    /* Union of every route matching the path: GET (feed), PUT/DELETE (feed_put),
     * POST (create, <name> matches "7" too). */
    CHECK_STR(m.allow, "GET, HEAD, POST, PUT, DELETE, OPTIONS");
    CHECK_INT(match(r, "HEAD", "/feeds/7", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_feed);
    CHECK_INT(match(r, "DELETE", "/feeds/7", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_put);
    /* A method mismatch on a better route falls through to a later one. */
    CHECK_INT(match(r, "POST", "/feeds/new", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_create);
    CHECK_STR(eddy_route_param(&m, "name"), "new");
    CHECK_INT(match(r, "OPTIONS", "/feeds/", &m), ==, EDDY_ROUTE_OPTIONS);
    CHECK_STR(m.allow, "GET, HEAD, OPTIONS");
    CHECK_INT(match(r, "OPTIONS", "/nothing", &m), ==, EDDY_ROUTE_NOT_FOUND);
    CHECK_INT(match(r, "BREW", "/", &m), ==, EDDY_ROUTE_NOT_ALLOWED);
    eddy_router_free(r);
}

TEST(route_priority_is_independent_of_order)
{
    /* Same routes, opposite registration orders: same winners. */
    for (int order = 0; order < 2; order++) {
        struct eddy_router *r = eddy_router_new();
        static char a, b, c, d;
        struct {
            const char *pat;
            char *h;
        } routes[] = {{"/x/<path:p>", &a}, {"/x/<s>", &b}, {"/x/<int:i>", &c}, {"/x/1", &d}};
        for (int i = 0; i < 4; i++) {
            int k = order ? 3 - i : i;
            CHECK_INT(eddy_router_add(r, NULL, routes[k].pat, NULL, routes[k].h), ==, 0);
        }
        struct eddy_route_match m;
        CHECK_INT(match(r, "GET", "/x/1", &m), ==, EDDY_ROUTE_FOUND);
        CHECK(m.handler == &d);
        CHECK_INT(match(r, "GET", "/x/2", &m), ==, EDDY_ROUTE_FOUND);
        CHECK(m.handler == &c);
        CHECK_INT(match(r, "GET", "/x/y", &m), ==, EDDY_ROUTE_FOUND);
        CHECK(m.handler == &b);
        CHECK_INT(match(r, "GET", "/x/y/z", &m), ==, EDDY_ROUTE_FOUND);
        CHECK(m.handler == &a);
        eddy_router_free(r);
    }
}

TEST(route_bad_patterns)
{
    struct eddy_router *r = eddy_router_new();
    const char *bad[] = {"feeds",    "/a/<int:id", "/a/x<id>", "/a/<float:x>", "/<path:p>/x",
                         "/<a>/<a>", "/<1x>",      "/<>",      "/a<b>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (eddy_router_add(r, "GET", bad[i], NULL, NULL) != -EINVAL)
            test_fail(__FILE__, __LINE__, "pattern %s accepted", bad[i]);
    CHECK_INT(eddy_router_add(r, "GET,FETCH", "/", NULL, NULL), ==, -EINVAL);
    CHECK_INT(eddy_router_add(r, "", "/", NULL, NULL), ==, -EINVAL);
    CHECK_INT(eddy_router_add(r, "GET", "/a", "dup", NULL), ==, 0);
    CHECK_INT(eddy_router_add(r, "POST", "/b", "dup", NULL), ==, -EEXIST);
    char longp[EDDY_ROUTE_MAX_PATH + 10];
    memset(longp, 'a', sizeof longp);
    longp[0] = '/';
    struct eddy_route_match m;
    CHECK_INT(eddy_router_match(r, "GET", longp, sizeof longp, &m), ==, -ENAMETOOLONG);
    CHECK_INT(m.status, ==, 414);
    eddy_router_free(r);
}

TEST(route_blueprints)
{
    struct eddy_router *api = eddy_router_new(), *r = app();
    CHECK_INT(eddy_router_add(api, "GET", "/feeds/<int:id>", "feed", &h_api), ==, 0);
    CHECK_INT(eddy_router_add(api, "GET", "/", "root", &h_api), ==, 0);
    CHECK_INT(eddy_router_mount(r, "/api/v1/", "api", api), ==, 0);
    eddy_router_free(api); /* routes were copied */
    struct eddy_route_match m;
    CHECK_INT(match(r, "GET", "/api/v1/feeds/3", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_api);
    CHECK_STR(m.endpoint, "api.feed");
    CHECK_INT(m.params[0].num, ==, 3);
    CHECK_INT(match(r, "GET", "/api/v1/", &m), ==, EDDY_ROUTE_FOUND);
    CHECK_STR(m.endpoint, "api.root");
    CHECK_INT(match(r, "GET", "/feeds/3", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &h_feed);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_router_url_for(r, "api.feed", (const char *[]){"id", "3", NULL}, &out), ==, 0);
    CHECK_STR(out.data, "/api/v1/feeds/3");
    eddy_buf_free(&out);
    eddy_router_free(r);
}

TEST(route_url_for_round_trip)
{
    struct eddy_router *r = app();
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_router_url_for(r, "index", NULL, &out), ==, 0);
    CHECK_STR(out.data, "/");
    eddy_buf_reset(&out);
    CHECK_INT(eddy_router_url_for(
                  r, "feed", (const char *[]){"id", "17", "page", "2", "q", "a b&c", NULL}, &out),
              ==, 0);
    CHECK_STR(out.data, "/feeds/17?page=2&q=a+b%26c");
    eddy_buf_reset(&out);
    const char *tags[] = {"c++", "a/b", "é t?#%", "..", "x%2Fy"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        eddy_buf_reset(&out);
        CHECK_INT(eddy_router_url_for(r, "tag", (const char *[]){"tag", tags[i], NULL}, &out), ==,
                  0);
        struct eddy_route_match m;
        CHECK_INT(eddy_router_match(r, "GET", out.data, out.len, &m), ==, 0);
        CHECK(m.handler == &h_tag);
        CHECK_STR(eddy_route_param(&m, "tag"), tags[i]);
    }
    eddy_buf_reset(&out);
    CHECK_INT(eddy_router_url_for(r, "tag", (const char *[]){"tag", "é t", NULL}, &out), ==, 0);
    CHECK_STR(out.data, "/tags/%C3%A9%20t/entries");
    eddy_buf_reset(&out);
    CHECK_INT(eddy_router_url_for(r, "static", (const char *[]){"file", "css/a b.css", NULL}, &out),
              ==, 0);
    CHECK_STR(out.data, "/static/css/a%20b.css");
    /* Errors leave out unchanged. */
    CHECK_INT(eddy_router_url_for(r, "feed", (const char *[]){"id", "-1", NULL}, &out), ==,
              -EINVAL);
    CHECK_INT(eddy_router_url_for(r, "feed", (const char *[]){"id", "x", NULL}, &out), ==, -EINVAL);
    CHECK_INT(
        eddy_router_url_for(r, "feed", (const char *[]){"id", "99999999999999999999", NULL}, &out),
        ==, -EINVAL);
    CHECK_INT(eddy_router_url_for(r, "feed", NULL, &out), ==, -EINVAL);
    CHECK_INT(eddy_router_url_for(r, "tag", (const char *[]){"tag", "", NULL}, &out), ==, -EINVAL);
    CHECK_INT(eddy_router_url_for(r, "nope", NULL, &out), ==, -ENOENT);
    CHECK_STR(out.data, "/static/css/a%20b.css");
    eddy_buf_free(&out);
    eddy_router_free(r);
}

TEST(route_explicit_options_and_encoded_literals)
{
    static char opt, cafe;
    struct eddy_router *r = eddy_router_new();
    CHECK_INT(eddy_router_add(r, "GET, OPTIONS", "/cors", "cors", &opt), ==, 0);
    CHECK_INT(eddy_router_add(r, "GET", "/café/menu", "cafe", &cafe), ==, 0);
    struct eddy_route_match m;
    CHECK_INT(match(r, "OPTIONS", "/cors", &m), ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &opt);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_router_url_for(r, "cafe", NULL, &out), ==, 0);
    CHECK_STR(out.data, "/caf%C3%A9/menu");
    CHECK_INT(eddy_router_match(r, "GET", out.data, out.len, &m), ==, 0);
    CHECK_INT(m.status, ==, EDDY_ROUTE_FOUND);
    CHECK(m.handler == &cafe);
    CHECK_INT(match(r, "GET", "/café/menu", &m), ==, EDDY_ROUTE_FOUND); /* raw UTF-8 too */
    eddy_buf_free(&out);
    eddy_router_free(r);
}
