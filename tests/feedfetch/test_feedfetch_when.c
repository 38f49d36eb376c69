/* Tests of feedfetch/: what a reply says about when to come back —
 * Retry-After and the freshness lifetime (Cache-Control max-age, Expires
 * less Date) — against the loopback server's /reply path
 * (tests/client/support/httpd.py). */
#include "../test.h"
#include "../client/support/httpd.h"

#include "eddy/feedfetch.h"
#include "eddy/loop.h"

#include <errno.h>

struct when {
    const char *path;
    const char *etag; /* sent as If-None-Match */
    struct eddy_feed_fetch_result r;
    int err;
};

static int when_task(void *arg)
{
    struct when *w = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    CHECK(s);
    w->err = eddy_feed_fetch(
        s, &(struct eddy_feed_fetch_opts){.url = url(w->path), .etag = w->etag}, &w->r);
    eddy_session_free(s);
    return 0;
}

/* Fetches path; checks the status, retry_after and fresh_for. */
static void expect(const char *path, const char *etag, int status, int64_t retry_after,
                   int64_t fresh_for)
{
    struct when w = {.path = path, .etag = etag};
    CHECK_INT(eddy_run(when_task, &w, NULL), ==, 0);
    if (w.r.status != status || w.r.retry_after != retry_after || w.r.fresh_for != fresh_for)
        test_fail(__FILE__, __LINE__, "%s: status %d retry_after %" PRId64 " fresh_for %" PRId64,
                  path, w.r.status, w.r.retry_after, w.r.fresh_for);
    eddy_feed_fetch_result_clear(&w.r);
}

#define DATE    "h=Date:Sun,%2006%20Dec%202026%2012:00:00%20GMT"
#define IN_2H   "Sun,%2006%20Dec%202026%2014:00:00%20GMT"
#define IN_PAST "Sun,%2006%20Dec%202026%2011:00:00%20GMT"

TEST(feedfetch_retry_after)
{
    server_start(NULL, NULL);
    expect("/reply?status=429&h=Retry-After:120", NULL, 429, 120, 0);
    expect("/reply?status=503&h=Retry-After:%207200%20", NULL, 503, 7200, 0);
    /* An HTTP-date counts from the reply's Date, not from this clock. */
    expect("/reply?status=429&" DATE "&h=Retry-After:" IN_2H, NULL, 429, 7200, 0);
    expect("/reply?status=503&" DATE "&h=Retry-After:" IN_PAST, NULL, 503, 0, 0);
    /* Any 5xx that carries it; none, or garbage, is 0; a huge one is clamped. */
    expect("/reply?status=500&h=Retry-After:60", NULL, 500, 60, 0);
    expect("/reply?status=503", NULL, 503, 0, 0);
    expect("/reply?status=503&h=Retry-After:soon", NULL, 503, 0, 0);
    expect("/reply?status=429&h=Retry-After:-5", NULL, 429, 0, 0);
    expect("/reply?status=429&h=Retry-After:99999999999999999999999", NULL, 429, INT32_MAX, 0);
    /* Not on a 404, nor on a 200 (where it means nothing to a reader). */
    expect("/reply?status=404&h=Retry-After:60", NULL, 404, 0, 0);
    expect("/reply?h=Retry-After:60", NULL, 200, 0, 0);
    server_stop();
}

TEST(feedfetch_freshness)
{
    server_start(NULL, NULL);
    expect("/reply?h=Cache-Control:max-age=600", NULL, 200, 0, 600);
    expect("/reply?h=Cache-Control:public,%20MAX-AGE%20=%20\"900\",%20no-cache", NULL, 200, 0, 900);
    expect("/reply?h=Cache-Control:no-store&h=Cache-Control:max-age=60", NULL, 200, 0, 60);
    /* A shared cache's s-maxage is not ours; max-age=0 is "stale now". */
    expect("/reply?h=Cache-Control:s-maxage=600", NULL, 200, 0, 0);
    expect("/reply?h=Cache-Control:max-age=0", NULL, 200, 0, 0);
    /* Expires less Date; max-age wins over it; an invalid one is stale;
     * a number is no HTTP-date. */
    expect("/reply?" DATE "&h=Expires:" IN_2H, NULL, 200, 0, 7200);
    expect("/reply?" DATE "&h=Expires:" IN_2H "&h=Cache-Control:max-age=60", NULL, 200, 0, 60);
    expect("/reply?" DATE "&h=Expires:" IN_PAST, NULL, 200, 0, 0);
    expect("/reply?h=Expires:0", NULL, 200, 0, 0);
    expect("/reply?h=Expires:3600", NULL, 200, 0, 0);
    /* A 304 says it too; an error reply does not. */
    expect("/reply?etag=e&h=Cache-Control:max-age=1800", "\"e\"", 304, 0, 1800);
    expect("/reply?status=500&h=Cache-Control:max-age=1800", NULL, 500, 0, 0);
    server_stop();
}
