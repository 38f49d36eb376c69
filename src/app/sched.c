/*
 * sched.c — `eddy serve`'s scheduler: one background task on the serving
 * loop that runs refresh passes (refresh.c) over the due feeds, lets the
 * search indexer catch up after each, then sleeps until the earliest next
 * check the store holds, a wake (a feed added, "refresh now"), or a minute
 * at most (a feed added by `eddy add` from another process is found then).
 *
 * Stopping: the web app cancels the task at shutdown.  A pass cancelled
 * mid-way leaves every feed whole: a feed's entries are one transaction
 * (eddy_store_entries_upsert), written before its outcome and validators
 * (refresh.c), so a feed cut short between the two only gets its entries
 * again, unchanged, on the next fetch; and a store call already running
 * finishes before the cancelled task goes on (store.h).
 */
#include "serve.h"

#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define SLEEP_MAX   (60 * EDDY_SEC) /* the longest sleep between passes */
#define PASS_GAP    EDDY_SEC        /* the shortest, unless woken (see next_pass) */
#define INDEX_BATCH 1000            /* entries indexed per transaction */
#define HUB_EVENTS  4096            /* live events kept (events.h): a pass of ~800 feeds */

struct sched {
    struct eddy_event *wake;
    bool announced; /* the pass under way told the hub it started */
    struct eddy_app_refresh_opts o;
};

static void wake(struct eddy__site *site)
{
    struct sched *s = site->sched;
    eddy_event_set(s->wake);
}

int eddy__sched_new(struct eddy__site *site, const struct eddy_app_refresh_opts *o)
{
    struct sched *s = calloc(1, sizeof *s);
    if (!s || !(s->wake = eddy_event_new()) || !(site->hub = eddy__hub_new(HUB_EVENTS))) {
        if (s)
            eddy_event_free(s->wake);
        free(s);
        return -ENOMEM;
    }
    s->o = *o;
    site->sched = s;
    site->wake = wake;
    return 0;
}

void eddy__sched_free(struct eddy__site *site)
{
    struct sched *s = site->sched;
    if (!s)
        return;
    eddy_event_free(s->wake);
    free(s);
    eddy__hub_free(site->hub);
    site->hub = NULL;
    site->sched = NULL;
    site->wake = NULL;
}

/* The monotonic deadline of the next pass: when the earliest live feed is
 * due (the store's due list at the end of time, first record), at least
 * *gap and at most SLEEP_MAX from now.  A feed still due right after a pass
 * could not be recorded (the store busy or failing): *gap then doubles, so
 * such a feed is not fetched again every second; else it is PASS_GAP. */
static int64_t next_pass(struct eddy__site *site, int64_t *gap)
{
    struct eddy_store_feed *f = NULL;
    size_t n = 0;
    int64_t wait = SLEEP_MAX;
    if (eddy_store_due_await(site->store, INT64_MAX, 1, &f, &n) >= 0 && n == 1) {
        int64_t secs = f->next_check - (int64_t)time(NULL);
        if (secs < SLEEP_MAX / EDDY_SEC)
            wait = secs * EDDY_SEC;
    }
    eddy_store_feeds_free(f, n);
    *gap = wait > 0 ? PASS_GAP : *gap * 2 < SLEEP_MAX ? *gap * 2 : SLEEP_MAX;
    return eddy_deadline_in(wait > *gap ? wait : *gap);
}

/* Indexes what the pass wrote, a batch per transaction (each call yields). */
static int catch_up(struct eddy__site *site)
{
    int n;
    while ((n = eddy_store_index_await(site->store, INDEX_BATCH)) > 0)
        ;
    return n;
}

/* A feed recorded: counted, and told to the live page. */
static void feed_done(void *arg, const struct eddy_app_feed_done *d)
{
    struct eddy__site *site = arg;
    if (site->metrics)
        eddy__metrics_feed_done(site->metrics, d);
    eddy__events_done(site->hub, d);
}

/* A feed moved: the hub hears of the pass with its first feed (a pass
 * with nothing due stays quiet). */
static void feed_step(void *arg, int64_t feed_id, enum eddy_app_step step)
{
    struct eddy__site *site = arg;
    struct sched *s = site->sched;
    if (!s->announced)
        eddy__events_pass_start(site->hub);
    s->announced = true;
    eddy__events_step(site->hub, feed_id, step);
}

int eddy__sched_task(void *arg)
{
    struct eddy__site *site = eddy_app_loop_data(arg);
    struct sched *s = site->sched;
    int64_t gap = PASS_GAP / 2; /* doubled at once when a feed is still due */
    for (;;) {
        /* A wake from now on (during the pass too) means one more pass. */
        eddy_event_clear(s->wake);
        struct eddy_app_refresh_opts o = s->o;
        if (site->interval > 0) /* the owner's, from /settings */
            o.interval = site->interval;
        o.progress = feed_done;
        o.arg = site;
        o.step = feed_step;
        o.step_arg = site;
        o.guarded = site->guarded; /* feeds added over HTTP: through the SSRF guard */
        struct eddy_app_summary sum = {0};
        int64_t t0 = eddy_now();
        s->announced = false;
        int err = eddy_app_refresh(site->store, site->session, &o, &sum);
        if (err == -ECANCELED)
            return 0;
        if (s->announced)
            eddy__events_pass_end(site->hub, &sum, (eddy_now() - t0) / EDDY_MSEC);
        if (err < 0)
            eddy__serve_log(site, "refresh pass: %s", eddy_strerror(err));
        if (site->metrics)
            eddy__metrics_pass(site->metrics, sum.feeds, eddy_now() - t0);
        err = catch_up(site);
        if (err == -ECANCELED)
            return 0;
        if (err < 0)
            eddy__serve_log(site, "search index: %s", eddy_strerror(err));
        if (eddy_event_wait(s->wake, next_pass(site, &gap)) == -ECANCELED)
            return 0;
    }
}
