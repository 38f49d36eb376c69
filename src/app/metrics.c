/*
 * metrics.c — what `eddy serve` counts, and GET /metrics in Prometheus's
 * text format (0.0.4).
 *
 * Counters live on the serving loop and are touched only from it (the
 * refresh pass's progress callback, the request hooks), so they are plain
 * integers.  The gauges come from the store at scrape time, off the loop
 * (feeds, entries, the 200/304 counts every feed keeps, the last parse's
 * repairs), and from the loop's own statistics (the watchdog).
 *
 * A request's latency: the before-request hook stamps the request on a
 * list of requests in progress, the after-request hook finds its stamp
 * (few requests are in progress at once on one loop: the walk is short)
 * and records status class and duration; a deferred call unlinks the stamp
 * whatever happens (a streamed response skips the after hooks).
 */
#include "serve.h"

#include "cache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds of the latency histogram's buckets, in seconds. */
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                 0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct stamp {
    struct eddy_request *req;
    int64_t t0; /* eddy_now() before the first hook */
    struct stamp *prev, *next;
    struct eddy__metrics *m;
};

struct eddy__metrics {
    struct eddy_loop *loop;
    /* Feed fetches by outcome. */
    uint64_t fetch_200, fetch_304, fetch_error, fetch_gone;
    uint64_t entries_added, entries_updated;
    uint64_t passes, pass_feeds;
    int64_t last_pass_ns;
    /* Requests: by status class (1xx..5xx), and the latency histogram
     * (counts per bucket, not cumulative; the last is +Inf). */
    uint64_t requests[5];
    uint64_t latency[NBUCKETS + 1];
    double latency_sum;
    struct stamp *stamps;  /* requests in progress, newest first */
    uint64_t digests_sent; /* digest_sched.c */
};

struct eddy__metrics *eddy__metrics_new(struct eddy_loop *loop)
{
    struct eddy__metrics *m = calloc(1, sizeof *m);
    if (m)
        m->loop = loop;
    return m;
}

void eddy__metrics_free(struct eddy__metrics *m)
{
    free(m);
}

void eddy__metrics_feed_done(void *arg, const struct eddy_app_feed_done *d)
{
    struct eddy__metrics *m = arg;
    if (d->status == 410)
        m->fetch_gone++;
    else if (d->error)
        m->fetch_error++;
    else if (d->not_modified)
        m->fetch_304++;
    else
        m->fetch_200++;
    m->entries_added += d->added;
    m->entries_updated += d->updated;
}

void eddy__metrics_pass(struct eddy__metrics *m, size_t feeds, int64_t ns)
{
    m->passes++;
    m->pass_feeds += feeds;
    m->last_pass_ns = ns;
}

/* ---------------------------------------------------------------- requests */

static void unstamp(void *arg)
{
    struct stamp *s = arg;
    if (!s->m)
        return; /* counted and unlinked already */
    if (s->prev)
        s->prev->next = s->next;
    else
        s->m->stamps = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->m = NULL;
}

int eddy__metrics_before(struct eddy_request *req, struct eddy_response *res)
{
    (void)res;
    struct eddy__site *site = eddy_request_loop_data(req);
    struct eddy__metrics *m = site ? site->metrics : NULL;
    if (!m)
        return 0;
    struct stamp *s = eddy_request_alloc(req, sizeof *s);
    if (!s)
        return -ENOMEM;
    *s = (struct stamp){.req = req, .t0 = eddy_now(), .next = m->stamps, .m = m};
    if (m->stamps)
        m->stamps->prev = s;
    m->stamps = s;
    return eddy_request_defer(req, unstamp, s);
}

int eddy__metrics_after(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct eddy__metrics *m = site ? site->metrics : NULL;
    struct stamp *s = m ? m->stamps : NULL;
    while (s && s->req != req)
        s = s->next;
    if (!s)
        return 0; /* the before hook did not run (out of memory) */
    int status = eddy_response_status(res);
    if (status >= 100 && status < 600)
        m->requests[status / 100 - 1]++;
    double secs = (double)(eddy_now() - s->t0) / (double)EDDY_SEC;
    size_t b = 0;
    while (b < NBUCKETS && secs > buckets[b])
        b++;
    m->latency[b]++;
    m->latency_sum += secs;
    unstamp(s);
    return 0;
}

/* ------------------------------------------------------------------ scrape */

/* What the store says, gathered off the loop. */
struct gauges {
    struct eddy_store_stats st;
    int64_t count_200, count_304; /* every feed's, since it was added */
    int64_t repaired;             /* feeds whose last parse needed repairs */
    int64_t repairs;              /* those repairs */
};

/* The number of repairs in a feed's repairs text (store.h): one a line, the
 * last "... and N more" standing for N. */
static int64_t count_repairs(const char *text)
{
    int64_t n = 0;
    for (const char *p = text; p; p = strchr(p, '\n')) {
        p += *p == '\n';
        unsigned long more;
        if (sscanf(p, "... and %lu more", &more) == 1)
            n += (int64_t)more;
        else if (*p)
            n++;
    }
    return n;
}

static int read_gauges(struct eddy_store *s, void *arg)
{
    struct gauges *g = arg;
    int err = eddy_store_stats(s, &g->st);
    struct eddy_store_feed *feeds = NULL;
    size_t n = 0;
    if (err >= 0)
        err = eddy_store_feeds(s, &feeds, &n);
    for (size_t i = 0; i < n; i++) {
        g->count_200 += feeds[i].count_200;
        g->count_304 += feeds[i].count_304;
        if (feeds[i].repairs) {
            g->repaired++;
            g->repairs += count_repairs(feeds[i].repairs);
        }
    }
    eddy_store_feeds_free(feeds, n);
    return err;
}

static void metric(struct eddy_buf *b, const char *name, const char *type, const char *help)
{
    eddy_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric of one sample without labels. */
static void single(struct eddy_buf *b, const char *name, const char *type, const char *help,
                   int64_t v)
{
    metric(b, name, type, help);
    eddy_buf_printf(b, "%s %" PRId64 "\n", name, v);
}

/* A label value as the format wants it: \\, \" and \n escaped. */
static void label_value(struct eddy_buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            eddy_buf_putc(b, '\\');
        if (*v == '\n')
            eddy_buf_puts(b, "\\n");
        else
            eddy_buf_putc(b, *v);
    }
}

static void counters(struct eddy_buf *b, const struct eddy__metrics *m)
{
    metric(b, "eddy_fetches_total", "counter", "Feed fetches since start, by outcome.");
    eddy_buf_printf(b,
                    "eddy_fetches_total{outcome=\"200\"} %" PRIu64 "\n"
                    "eddy_fetches_total{outcome=\"304\"} %" PRIu64 "\n"
                    "eddy_fetches_total{outcome=\"error\"} %" PRIu64 "\n"
                    "eddy_fetches_total{outcome=\"gone\"} %" PRIu64 "\n",
                    m->fetch_200, m->fetch_304, m->fetch_error, m->fetch_gone);
    metric(b, "eddy_entries_stored_total", "counter", "Entries written since start.");
    eddy_buf_printf(b,
                    "eddy_entries_stored_total{kind=\"added\"} %" PRIu64 "\n"
                    "eddy_entries_stored_total{kind=\"updated\"} %" PRIu64 "\n",
                    m->entries_added, m->entries_updated);
    single(b, "eddy_refresh_passes_total", "counter", "Refresh passes since start.",
           (int64_t)m->passes);
    single(b, "eddy_refresh_pass_feeds_total", "counter", "Feeds taken by those passes.",
           (int64_t)m->pass_feeds);
    metric(b, "eddy_refresh_last_pass_seconds", "gauge", "How long the last pass took.");
    eddy_buf_printf(b, "eddy_refresh_last_pass_seconds %.6f\n",
                    (double)m->last_pass_ns / (double)EDDY_SEC);
    metric(b, "eddy_http_requests_total", "counter", "HTTP requests answered, by status class.");
    for (int c = 0; c < 5; c++)
        eddy_buf_printf(b, "eddy_http_requests_total{class=\"%dxx\"} %" PRIu64 "\n", c + 1,
                        m->requests[c]);
    metric(b, "eddy_http_request_duration_seconds", "histogram",
           "From the first before-request hook to the last after-request hook.");
    uint64_t cum = 0;
    for (size_t i = 0; i <= NBUCKETS; i++) {
        cum += m->latency[i];
        if (i < NBUCKETS)
            eddy_buf_printf(b, "eddy_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                            buckets[i], cum);
        else
            eddy_buf_printf(
                b, "eddy_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
    }
    eddy_buf_printf(b,
                    "eddy_http_request_duration_seconds_sum %.6f\n"
                    "eddy_http_request_duration_seconds_count %" PRIu64 "\n",
                    m->latency_sum, cum);
}

void eddy__metrics_digest_sent(struct eddy__metrics *m)
{
    m->digests_sent++;
}

static void loop_stats(struct eddy_buf *b, struct eddy_loop *loop)
{
    struct eddy_loop_stats ls;
    eddy_loop_stats(loop, &ls);
    single(b, "eddy_loop_watchdog_reports_total", "counter",
           "Times a task ran too long without suspending (the loop's watchdog).",
           (int64_t)ls.watchdog_reports);
    metric(b, "eddy_loop_watchdog_worst_seconds", "gauge",
           "The longest run without suspending that the watchdog reported, and its task.");
    eddy_buf_puts(b, "eddy_loop_watchdog_worst_seconds{task=\"");
    label_value(b, ls.watchdog_worst_task);
    eddy_buf_printf(b, "\"} %.6f\n", (double)ls.watchdog_worst_ns / (double)EDDY_SEC);
    single(b, "eddy_loop_tasks_alive", "gauge", "Tasks on the serving loop.",
           (int64_t)ls.tasks_alive);
    single(b, "eddy_loop_switches_total", "counter", "Task resumptions on the serving loop.",
           (int64_t)ls.switches);
}

static void store_gauges(struct eddy_buf *b, const struct gauges *g)
{
    single(b, "eddy_feeds", "gauge", "Subscribed feeds.", g->st.feeds);
    single(b, "eddy_feeds_dead", "gauge", "Feeds marked dead (410 Gone).", g->st.dead);
    single(b, "eddy_feeds_failing", "gauge", "Feeds whose last fetch failed.", g->st.errors);
    single(b, "eddy_feeds_repaired", "gauge", "Feeds whose last parse needed repairs.",
           g->repaired);
    /* A gauge: each feed's last parse replaces its count (a feed fixed
     * upstream, or removed, takes its repairs away), no event total. */
    single(b, "eddy_feeds_last_parse_repairs", "gauge",
           "Repairs of the last parse of every feed, summed.", g->repairs);
    metric(b, "eddy_feed_responses", "gauge",
           "Responses every feed got since it was added, by status (the 304 ratio's inputs).");
    eddy_buf_printf(b,
                    "eddy_feed_responses{status=\"200\"} %" PRId64 "\n"
                    "eddy_feed_responses{status=\"304\"} %" PRId64 "\n",
                    g->count_200, g->count_304);
    single(b, "eddy_entries", "gauge", "Stored entries.", g->st.entries);
    single(b, "eddy_entries_unread", "gauge", "Unread entries.", g->st.unread);
    single(b, "eddy_entries_unindexed", "gauge", "Entries not yet in the search index.",
           g->st.unindexed);
}

int eddy__metrics_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    if (!site || !site->metrics)
        return eddy_response_error(res, 404, "no metrics kept");
    struct gauges g = {0};
    int err = eddy_store_run_await(site->store, false, read_gauges, &g);
    if (err < 0)
        return eddy_response_error(res, 503, eddy_strerror(err));
    struct eddy_buf b = EDDY_BUF_INIT(0);
    counters(&b, site->metrics);
    single(&b, "eddy_digests_sent_total", "counter", "Digests mailed since start.",
           (int64_t)site->metrics->digests_sent);
    loop_stats(&b, site->metrics->loop);
    store_gauges(&b, &g);
    uint64_t hits, misses; /* the response cache (cache.h) */
    eddy__cache_counts(site->cache, &hits, &misses);
    metric(&b, "eddy_response_cache_total", "counter",
           "Lookups of the response cache (the river, the API's lists), by outcome.");
    eddy_buf_printf(&b,
                    "eddy_response_cache_total{outcome=\"hit\"} %" PRIu64 "\n"
                    "eddy_response_cache_total{outcome=\"miss\"} %" PRIu64 "\n",
                    hits, misses);
    size_t entries, bytes;
    eddy__cache_size(site->cache, &entries, &bytes);
    single(&b, "eddy_response_cache_entries", "gauge", "Responses kept.", (int64_t)entries);
    single(&b, "eddy_response_cache_bytes", "gauge", "Their bodies' bytes.", (int64_t)bytes);
    err = eddy_response_set_body(res, b.data, b.len);
    eddy_buf_free(&b);
    if (err < 0)
        return err;
    eddy_response_set_status(res, 200);
    return eddy_response_set_header(res, "Content-Type",
                                    "text/plain; version=0.0.4; charset=utf-8");
}
