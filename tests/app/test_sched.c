/* The polite fetcher: eddy_app_next_check's rules, then refresh passes at a
 * fixed `now` against the loopback server (tests/client/support/httpd.py,
 * its /reply path for statuses and headers): what each reply makes of the
 * next check, what the store keeps across 304s, the guarded session. */
#include "../client/support/httpd.h"

#include "eddy/app.h"
#include "eddy/feed.h"

#include <errno.h>
#include <string.h>

#define NEXT(...) eddy_app_next_check(&(struct eddy_app_schedule){__VA_ARGS__})

#define T0   INT64_C(1796515200) /* Sunday 2026-12-06 00:00 UTC */
#define HOUR 3600

TEST(sched_next_check_interval_and_min_interval)
{
    CHECK_INT(NEXT(.now = 1000), ==, 1000 + EDDY_APP_INTERVAL_DEFAULT);
    CHECK_INT(NEXT(.now = 1000, .interval = 600), ==, 1600);
    /* What the feed asks for wins when longer; the interval is the floor
     * (a max-age=0 is no "at once"); nothing pushes past the cap. */
    CHECK_INT(NEXT(.now = 1000, .interval = 600, .min_interval = 7200), ==, 8200);
    CHECK_INT(NEXT(.now = 1000, .interval = 3600, .min_interval = 60), ==, 4600);
    CHECK_INT(NEXT(.now = 0, .min_interval = 30 * 86400), ==, EDDY_APP_BACKOFF_MAX);
    /* A Retry-After means nothing without an error. */
    CHECK_INT(NEXT(.now = 0, .retry_after = 7200), ==, 3600);
}

TEST(sched_next_check_backoff_and_retry_after)
{
    /* Without jitter (rnd 0): 5 min, doubling, capped at 24 h however many. */
    CHECK_INT(NEXT(.errors = 1), ==, 300);
    CHECK_INT(NEXT(.errors = 2), ==, 600);
    CHECK_INT(NEXT(.errors = 5), ==, 4800);
    CHECK_INT(NEXT(.errors = 20), ==, EDDY_APP_BACKOFF_MAX);
    CHECK_INT(NEXT(.errors = 1 << 30), ==, EDDY_APP_BACKOFF_MAX);
    /* What the feed asked for plays no part after an error. */
    CHECK_INT(NEXT(.errors = 1, .min_interval = 86400), ==, 300);
    /* Jitter takes off at most a quarter, and different draws differ. */
    int64_t lo = NEXT(.errors = 3, .rnd = UINT32_MAX),
            mid = NEXT(.errors = 3, .rnd = UINT32_MAX / 2);
    CHECK_INT(lo, ==, 1200 - 300);
    CHECK(mid > lo && mid < 1200);
    /* Retry-After: never earlier (jitter included), never past the cap; a
     * shorter one leaves the backoff as it is. */
    CHECK_INT(NEXT(.errors = 1, .retry_after = 7200), ==, 7200);
    CHECK_INT(NEXT(.errors = 3, .retry_after = 1000, .rnd = UINT32_MAX), ==, 1000);
    CHECK_INT(NEXT(.errors = 1, .retry_after = 100), ==, 300);
    CHECK_INT(NEXT(.errors = 1, .retry_after = 10 * 86400), ==, EDDY_APP_BACKOFF_MAX);
    CHECK_INT(NEXT(.errors = 20, .retry_after = 3600), ==, EDDY_APP_BACKOFF_MAX);
}

TEST(sched_next_check_skip_hours_and_days)
{
    const uint32_t h1_2 = 1u << 1 | 1u << 2;
    /* 00:00 + 1 h lands in 01:00, skipped with 02:00: the check moves to
     * 03:00 sharp; from 00:30, 01:30 moves there too. */
    CHECK_INT(NEXT(.now = T0, .skip_hours = h1_2), ==, T0 + 3 * HOUR);
    CHECK_INT(NEXT(.now = T0 + 1800, .skip_hours = h1_2), ==, T0 + 3 * HOUR);
    CHECK_INT(NEXT(.now = T0 + 3 * HOUR, .skip_hours = h1_2), ==, T0 + 4 * HOUR);
    /* Hour 23 skipped: 23:30 moves over midnight. */
    CHECK_INT(NEXT(.now = T0 + 22 * HOUR + 1800, .skip_hours = 1u << 23), ==, T0 + 24 * HOUR);
    /* Saturday and Sunday skipped: Saturday noon + 1 h waits for Monday. */
    const uint8_t weekend = 1u << 0 | 1u << 6;
    CHECK_INT(NEXT(.now = T0 - 12 * HOUR, .skip_days = weekend), ==, T0 + 24 * HOUR);
    CHECK_INT(NEXT(.now = T0 + 24 * HOUR, .skip_days = weekend), ==, T0 + 25 * HOUR);
    /* Both: Monday only, 05:00 only. */
    CHECK_INT(NEXT(.now = T0, .skip_hours = 0xffffffu & ~(1u << 5), .skip_days = 0x7f & ~(1u << 1)),
              ==, T0 + 29 * HOUR);
    /* A rule that skips everything is ignored (the other still holds). */
    CHECK_INT(NEXT(.now = T0, .skip_hours = 0xffffff), ==, T0 + HOUR);
    CHECK_INT(NEXT(.now = T0, .skip_days = 0x7f, .skip_hours = h1_2), ==, T0 + 3 * HOUR);
    /* After an error too: a retry is no reason to call in a skipped hour. */
    CHECK_INT(NEXT(.now = T0 + 58 * 60, .errors = 1, .skip_hours = h1_2), ==, T0 + 3 * HOUR);
}

/* Parses doc; returns its skip rules as hours | days << 24. */
static uint64_t skip_of(const char *doc)
{
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, strlen(doc), NULL, &f), ==, 0);
    uint32_t hours;
    uint8_t days;
    eddy_feed_skip(f, &hours, &days);
    eddy_feed_free(f);
    return hours | (uint64_t)days << 24;
}

TEST(sched_skip_rules_from_the_document)
{
    /* Every hour and day, not only the last one the tree keeps; 24 is 0;
     * day names in any case; junk, out of range, and the rules of an item
     * are no rules; loose (ill-formed) documents too. */
    CHECK_INT(skip_of("<rss version='2.0'><channel><skipHours><hour>0</hour><hour> 7 </hour>"
                      "<hour>24</hour><hour>25</hour><hour>-1</hour><hour>x</hour><hour>23</hour>"
                      "</skipHours><skipDays><day>monday</day><day>SATURDAY</day><day>Mon</day>"
                      "</skipDays><item><skipHours><hour>3</hour></skipHours></item>"
                      "</channel></rss>"),
              ==, (1u << 0 | 1u << 7 | 1u << 23) | (uint64_t)(1u << 1 | 1u << 6) << 24);
    CHECK_INT(skip_of("<rss version='2.0'><channel><title>a & b</title><skipDays><day>Sunday</day>"
                      "</skipDays><skipHours><hour>5</hour></skipHours></channel></rss>"),
              ==, 1u << 5 | (uint64_t)1 << 24);
    CHECK_INT(
        skip_of("<rss version='2.0'><channel><hour>4</hour><day>Friday</day></channel></rss>"), ==,
        0);
    CHECK_INT(skip_of("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}"), ==, 0);
}

/* ---- refresh passes at a fixed now ---- */

struct run {
    struct eddy_store *store;
    struct eddy_app_refresh_opts o;
    struct eddy_app_summary sum;
    bool guard; /* a guarded session beside the trusted one */
};

static int pass_task(void *arg)
{
    struct run *r = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    CHECK(s);
    r->o.guarded =
        r->guard ? eddy_session_new(&(struct eddy_session_opts){.ssrf_guard = true}) : NULL;
    CHECK(!r->guard || r->o.guarded);
    int err = eddy_app_refresh(r->store, s, &r->o, &r->sum);
    eddy_session_free(r->o.guarded);
    eddy_session_free(s);
    return err;
}

/* One pass at `now` (all: every live feed, due or not). */
static void pass(struct run *r, int64_t now, bool all)
{
    r->o.now = now;
    r->o.all = all;
    r->sum = (struct eddy_app_summary){0};
    CHECK_INT(eddy_run(pass_task, r, NULL), ==, 0);
}

static void open_store(struct run *r)
{
    *r = (struct run){.o = {.timeout_ns = 5 * EDDY_SEC}};
    CHECK_INT(eddy_store_open(test_tmpdir(), &r->store), ==, 0);
}

static int64_t add(struct run *r, const char *path)
{
    int64_t id;
    char u[2048]; /* url()'s are short */
    snprintf(u, sizeof u, "%s%s", base, path);
    CHECK_INT(eddy_store_feed_add(r->store, u, NULL, NULL, &id), ==, 0);
    return id;
}

static struct eddy_store_feed cur; /* feed()'s record */

/* Feed id as stored (valid until the next call). */
static const struct eddy_store_feed *feed(struct run *r, int64_t id)
{
    eddy_store_feed_fini(&cur);
    CHECK_INT(eddy_store_feed(r->store, id, &cur), ==, 0);
    return &cur;
}

static void done(struct run *r)
{
    eddy_store_feed_fini(&cur);
    eddy_store_close(r->store);
    server_stop();
}

static int64_t wait_of(struct run *r, int64_t id)
{
    const struct eddy_store_feed *f = feed(r, id);
    return f->next_check - f->last_check;
}

#define TTL_180 "rss=%3Cttl%3E180%3C/ttl%3E"
#define DATE    "h=Date:Sun,%2006%20Dec%202026%2012:00:00%20GMT"

TEST(sched_ttl_max_age_expires_and_what_a_304_keeps)
{
    server_start(NULL, NULL);
    struct run r;
    open_store(&r);
    int64_t ttl = add(&r, "/reply?etag=a&" TTL_180);
    int64_t age = add(&r, "/reply?etag=b&h=Cache-Control:max-age=7200");
    int64_t both = add(&r, "/reply?etag=c&" TTL_180 "&h=Cache-Control:max-age=60");
    int64_t zero = add(&r, "/reply?etag=d&h=Cache-Control:no-cache,max-age=0");
    int64_t huge = add(&r, "/reply?etag=e&h=Cache-Control:max-age=9999999");
    int64_t exp =
        add(&r, "/reply?etag=f&" DATE "&h=Expires:Sun,%2006%20Dec%202026%2017:00:00%20GMT");
    int64_t plain = add(&r, "/reply?etag=g");
    int64_t now = T0 + 12 * HOUR;
    pass(&r, now, false);
    CHECK_INT(r.sum.fetched, ==, 7);
    CHECK_INT(r.sum.errors, ==, 0);
    /* <ttl>180</ttl> is 3 hours; the longer of <ttl> and max-age; max-age=0
     * and none: the interval; past 24 h: 24 h; Expires less Date: 5 h. */
    const int64_t want[][2] = {{ttl, 3 * HOUR}, {age, 2 * HOUR}, {both, 3 * HOUR}, {zero, HOUR},
                               {huge, 86400},   {exp, 5 * HOUR}, {plain, HOUR}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_INT(feed(&r, want[i][0])->last_check, ==, now);
        CHECK_INT(wait_of(&r, want[i][0]), ==, want[i][1]);
    }
    CHECK_INT(feed(&r, ttl)->min_interval, ==, 3 * HOUR);
    CHECK_INT(feed(&r, zero)->min_interval, ==, 0);

    /* Nothing is due an hour later but the feeds asking for an hour. */
    pass(&r, now + HOUR, false);
    CHECK_INT(r.sum.feeds, ==, 2);
    CHECK_INT(r.sum.not_modified, ==, 2);

    /* A day later, every feed answers 304 to its ETag: the schedule holds
     * (the <ttl> is in the stored document; a 304's shorter max-age does
     * not undo it). */
    now += 86400;
    pass(&r, now, true);
    CHECK_INT(r.sum.not_modified, ==, 7);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_INT(feed(&r, want[i][0])->last_check, ==, now);
        CHECK_INT(wait_of(&r, want[i][0]), ==, want[i][1]);
    }
    CHECK_INT(feed(&r, ttl)->count_304, ==, 1);
    CHECK_INT(feed(&r, zero)->count_304, ==, 2);
    CHECK_INT(feed(&r, ttl)->min_interval, ==, 3 * HOUR);
    CHECK_INT(feed(&r, both)->min_interval, ==, 3 * HOUR);
    done(&r);
}

#define SKIP_1_2 "rss=%3CskipHours%3E%3Chour%3E1%3C/hour%3E%3Chour%3E2%3C/hour%3E%3C/skipHours%3E"
#define SKIP_SUN "rss=%3CskipDays%3E%3Cday%3ESunday%3C/day%3E%3C/skipDays%3E"

TEST(sched_skip_hours_and_days)
{
    server_start(NULL, NULL);
    struct run r;
    open_store(&r);
    int64_t hours = add(&r, "/reply?etag=h&" SKIP_1_2);
    int64_t days = add(&r, "/reply?etag=d&" SKIP_SUN);
    char every[1024] = "/reply?rss=%3CskipHours%3E";
    for (int h = 0; h < 24; h++)
        snprintf(every + strlen(every), sizeof every - strlen(every), "%%3Chour%%3E%d%%3C/hour%%3E",
                 h);
    strcat(every, "%3C/skipHours%3E");
    int64_t all = add(&r, every);
    int64_t now = T0 + 1800; /* Sunday 00:30 */
    pass(&r, now, false);
    CHECK_INT(r.sum.fetched, ==, 3);
    CHECK_INT(feed(&r, hours)->skip_hours, ==, 1u << 1 | 1u << 2);
    CHECK_INT(feed(&r, hours)->next_check, ==, T0 + 3 * HOUR);
    CHECK_INT(feed(&r, days)->skip_days, ==, 1);
    CHECK_INT(feed(&r, days)->next_check, ==, T0 + 24 * HOUR); /* Monday 00:00 */
    CHECK_INT(feed(&r, all)->skip_hours, ==, 0xffffff);
    CHECK_INT(feed(&r, all)->next_check, ==, now + HOUR);
    /* A 304 keeps the rules. */
    pass(&r, now, true);
    CHECK_INT(r.sum.not_modified, ==, 2);
    CHECK_INT(feed(&r, hours)->skip_hours, ==, 1u << 1 | 1u << 2);
    CHECK_INT(feed(&r, hours)->next_check, ==, T0 + 3 * HOUR);
    CHECK_INT(feed(&r, days)->next_check, ==, T0 + 24 * HOUR);
    done(&r);
}

TEST(sched_retry_after_429_503)
{
    server_start(NULL, NULL);
    struct run r;
    open_store(&r);
    int64_t secs = add(&r, "/reply?status=429&h=Retry-After:7200");
    int64_t date =
        add(&r, "/reply?status=429&" DATE "&h=Retry-After:Sun,%2006%20Dec%202026%2014:00:00%20GMT");
    int64_t busy = add(&r, "/reply?status=503&h=Retry-After:600");
    int64_t soon = add(&r, "/reply?status=503&h=Retry-After:30");
    int64_t far = add(&r, "/reply?status=429&h=Retry-After:9999999");
    int64_t none = add(&r, "/reply?status=503");
    int64_t now = T0 + 12 * HOUR;
    pass(&r, now, false);
    CHECK_INT(r.sum.errors, ==, 6);
    CHECK_INT(feed(&r, secs)->last_status, ==, 429);
    CHECK_INT(feed(&r, secs)->consecutive_errors, ==, 1);
    CHECK_INT(wait_of(&r, secs), ==, 7200);
    CHECK_INT(wait_of(&r, date), ==, 7200);
    CHECK_INT(wait_of(&r, busy), ==, 600);
    CHECK(wait_of(&r, soon) >= 225 && wait_of(&r, soon) <= 300);
    CHECK_INT(wait_of(&r, far), ==, EDDY_APP_BACKOFF_MAX);
    CHECK(wait_of(&r, none) >= 225 && wait_of(&r, none) <= 300);
    /* Not due before it asked: a pass 10 minutes later takes only the
     * backed-off ones and the 600 s one. */
    pass(&r, now + 600, false);
    CHECK_INT(r.sum.feeds, ==, 3);
    CHECK_INT(wait_of(&r, busy), ==, 600);
    CHECK(wait_of(&r, soon) >= 450 && wait_of(&r, soon) <= 600);
    CHECK_INT(feed(&r, soon)->consecutive_errors, ==, 2);
    done(&r);
}

TEST(sched_backoff_timings)
{
    server_start(NULL, NULL);
    struct run r;
    open_store(&r);
    int64_t bad = add(&r, "/reply?status=500");
    int64_t now = T0;
    for (int k = 1; k <= 12; k++) {
        pass(&r, now, false); /* always due: each pass is at its next check */
        CHECK_INT(r.sum.feeds, ==, 1);
        const struct eddy_store_feed *f = feed(&r, bad);
        CHECK_INT(f->consecutive_errors, ==, k);
        int64_t full = k >= 10 ? EDDY_APP_BACKOFF_MAX : INT64_C(300) << (k - 1);
        int64_t wait = f->next_check - now;
        if (wait > full || wait < full - full / 4)
            test_fail(__FILE__, __LINE__,
                      "error %d: waits %" PRId64 " s, not in [%" PRId64 ", %" PRId64 "]", k, wait,
                      full - full / 4, full);
        now = f->next_check;
    }
    done(&r);
}

TEST(sched_moves_gone_and_a_stalled_server)
{
    server_start(NULL, NULL);
    struct run r;
    open_store(&r);
    r.o.timeout_ns = 1 * EDDY_SEC;
    int64_t m301 = add(&r, "/moved");
    int64_t m308 = add(&r, "/redirect/1/308/reply");
    int64_t gone = add(&r, "/reply?status=410");
    int64_t stall = add(&r, "/stall");
    int64_t good = add(&r, "/reply?etag=x");
    pass(&r, T0, false);
    CHECK_INT(r.sum.fetched, ==, 3);
    CHECK_INT(r.sum.moved, ==, 2);
    CHECK_INT(r.sum.gone, ==, 1);
    CHECK_STR(feed(&r, m301)->url, url("/feed/koi8"));
    CHECK_STR(feed(&r, m308)->url, url("/reply"));
    CHECK(feed(&r, gone)->dead);
    /* The stalled one timed out alone; the others were stored. */
    CHECK(strstr(feed(&r, stall)->last_error, "timed out"));
    CHECK_INT(feed(&r, good)->last_status, ==, 200);
    CHECK(feed(&r, good)->last_error == NULL);
    /* The dead feed is never taken again. */
    pass(&r, T0 + 10 * 86400, true);
    CHECK_INT(r.sum.feeds, ==, 4);
    CHECK_INT(feed(&r, gone)->last_check, ==, T0);
    done(&r);
}

/* ---- the guarded session ---- */

static void add_guarded(struct run *r, int64_t *trusted, int64_t *guarded)
{
    struct eddy_store_feed_new n[] = {{.url = url("/feed/json")},
                                      {.url = url("/reply?etag=g"), .guarded = true}};
    CHECK_INT(eddy_store_feeds_add(r->store, n, 2), ==, 2);
    *trusted = n[0].id, *guarded = n[1].id;
}

/* The guarded feed refused with the guard's one message, the trusted one
 * on the same loopback server fetched. */
static void check_refused(struct run *r, int64_t trusted, int64_t guarded)
{
    CHECK_INT(r->sum.fetched, ==, 1);
    CHECK_INT(r->sum.errors, ==, 1);
    CHECK_INT(feed(r, trusted)->last_status, ==, 200);
    const struct eddy_store_feed *f = feed(r, guarded);
    CHECK_INT(f->last_status, ==, 0);
    CHECK_STR(f->last_error, "could not reach the host (unreachable or not allowed)");
}

TEST(sched_guarded_feeds_go_through_the_guard)
{
    server_start(NULL, NULL);
    struct run r;
    open_store(&r);
    int64_t trusted, guarded;
    add_guarded(&r, &trusted, &guarded);
    r.guard = true;
    pass(&r, T0, true);
    check_refused(&r, trusted, guarded);
    /* Without a guarded session every feed goes through `session`. */
    r.guard = false;
    pass(&r, T0, true);
    CHECK_INT(r.sum.fetched, ==, 2);
    CHECK_INT(feed(&r, guarded)->last_status, ==, 200);
    done(&r);
}

TEST(sched_guarded_feeds_in_the_threaded_pass)
{
    server_start(NULL, NULL);
    struct run r;
    open_store(&r);
    int64_t trusted, guarded;
    add_guarded(&r, &trusted, &guarded);
    r.o.all = true;
    r.o.now = T0;
    /* Each shard guards guarded feeds, with no option asked. */
    CHECK_INT(eddy_app_refresh_threads(r.store, NULL, 2, &r.o, &r.sum), ==, 0);
    check_refused(&r, trusted, guarded);
    /* guarded_so's allow-list lets this one host through. */
    static const char *const allow[] = {"127.0.0.1", NULL};
    r.o.guarded_so = &(struct eddy_session_opts){.ssrf_allow = allow};
    r.sum = (struct eddy_app_summary){0};
    CHECK_INT(eddy_app_refresh_threads(r.store, NULL, 2, &r.o, &r.sum), ==, 0);
    CHECK_INT(r.sum.fetched, ==, 2);
    CHECK_INT(feed(&r, guarded)->last_status, ==, 200);
    done(&r);
}
