/*
 * pages_status.c — /status, the feed doctor: every feed's last fetch (its
 * status, 304 or not, bytes, the time each phase took), its error and next
 * check, and what the parser repaired in its last document, with the
 * passes' summary at the top; "Refresh all now" (POST /refresh); and the
 * live stream the page follows (GET /events, events.c).
 *
 * Server-rendered and complete without JavaScript: sorting is a link
 * (?sort=errors|name|slow|next).  static/eddy.js's status section moves
 * each row through a pass's states as the events arrive.
 */
#include "events.h"
#include "pages.h"
#include "river.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum order { BY_ERRORS, BY_NAME, BY_SLOW, BY_NEXT };

struct status {
    int64_t now;
    enum order order;
    json_t *ctx; /* out */
};

static const char *name_of(const struct eddy_store_feed *f)
{
    return f->title && *f->title ? f->title : f->url;
}

static int64_t total_us(const struct eddy_store_timing *t)
{
    return t->dns_us + t->connect_us + t->tls_us + t->wait_us + t->receive_us + t->parse_us;
}

/* Failing (an error or dead) first, then by name. */
static int cmp_errors(const void *a, const void *b)
{
    const struct eddy_store_feed *x = a, *y = b;
    int fx = x->last_error || x->dead, fy = y->last_error || y->dead;
    if (fx != fy)
        return fy - fx;
    if (x->consecutive_errors != y->consecutive_errors)
        return y->consecutive_errors - x->consecutive_errors;
    return strcasecmp(name_of(x), name_of(y));
}

static int cmp_name(const void *a, const void *b)
{
    return strcasecmp(name_of(a), name_of(b));
}

static int cmp_slow(const void *a, const void *b)
{
    int64_t x = total_us(&((const struct eddy_store_feed *)a)->last_timing);
    int64_t y = total_us(&((const struct eddy_store_feed *)b)->last_timing);
    return (x < y) - (x > y);
}

static int cmp_next(const void *a, const void *b)
{
    const struct eddy_store_feed *x = a, *y = b;
    int64_t nx = x->dead ? INT64_MAX : x->next_check, ny = y->dead ? INT64_MAX : y->next_check;
    return (nx > ny) - (nx < ny);
}

/* "12.3" ms from microseconds; 0: "" (the phase did not happen). */
static json_t *ms(int64_t us)
{
    char s[32] = "";
    if (us > 0 && us < 100)
        snprintf(s, sizeof s, "<0.1");
    else if (us > 0)
        snprintf(s, sizeof s, us < 10000 ? "%.1f" : "%.0f", (double)us / 1000.0);
    return json_string(s);
}

static json_t *size_text(int64_t bytes)
{
    char s[32];
    if (bytes < 1000)
        snprintf(s, sizeof s, "%" PRId64 " B", bytes);
    else if (bytes < 1000000)
        snprintf(s, sizeof s, "%.1f kB", (double)bytes / 1e3);
    else
        snprintf(s, sizeof s, "%.1f MB", (double)bytes / 1e6);
    return json_string(s);
}

/* The stored repairs (refresh.c: "offset N: message" a line, libxml2's
 * messages starting "<unknown>:LINE:COL: ") as a list of
 * {line, col, byte, msg}; other lines are kept whole as msg. */
static json_t *repairs_list(const char *text)
{
    json_t *list = json_array();
    for (const char *p = text; list && p && *p;) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        p += n + (p[n] == '\n');
        if (!line) {
            json_decref(list);
            return NULL;
        }
        long long byte = -1;
        int line_no = 0, col = 0, used = 0;
        const char *msg = line;
        if (sscanf(line, "offset %lld: %n", &byte, &used) == 1 && used > 0) {
            msg = line + used;
            int u2 = 0;
            if (sscanf(msg, "<unknown>:%d:%d: %n", &line_no, &col, &u2) == 2 && u2 > 0)
                msg += u2;
        }
        json_t *r = json_pack("{s:s%, s:I, s:i, s:i}", "msg", msg, strlen(msg), "byte",
                              (json_int_t)byte, "line", line_no, "col", col);
        if (!r) /* not UTF-8 after all: say so rather than drop the page */
            r = json_pack("{s:s, s:I, s:i, s:i}", "msg", "(a message that is no UTF-8)", "byte",
                          (json_int_t)byte, "line", line_no, "col", col);
        free(line);
        if (json_array_append_new(list, r) < 0)
            json_decref(list), list = NULL;
    }
    return list;
}

static json_t *feed_json(const struct eddy_store_feed *f, int64_t now)
{
    char checked[64] = "never", next[64] = "now";
    if (f->last_check)
        eddy__pages_ago(now, f->last_check, checked, sizeof checked);
    if (f->dead)
        snprintf(next, sizeof next, "never (gone)");
    else if (f->next_check > now)
        eddy__pages_ago(now, f->next_check, next, sizeof next);
    const struct eddy_store_timing *t = &f->last_timing;
    const char *state = f->dead                 ? "dead"
                        : f->last_error         ? "error"
                        : !f->last_check        ? "new"
                        : f->last_status == 304 ? "304"
                                                : "ok";
    json_t *v = json_pack(
        "{s:I, s:s, s:s, s:s?, s:s, s:i, s:s?, s:i, s:s, s:I, s:s, s:I, s:b,"
        " s:I, s:I, s:o, s:I, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o}}",
        "id", (json_int_t)f->id, "name", name_of(f), "url", f->url, "category", f->category,
        "state", state, "status", f->last_status, "error", f->last_error, "errors",
        f->consecutive_errors, "checked", checked, "last_check", (json_int_t)f->last_check, "next",
        next, "next_check", (json_int_t)f->next_check, "dead", f->dead, "count_200",
        (json_int_t)f->count_200, "count_304", (json_int_t)f->count_304, "size",
        size_text(t->bytes), "bytes", (json_int_t)t->bytes, "ms", "dns", ms(t->dns_us), "connect",
        ms(t->connect_us), "tls", ms(t->tls_us), "wait", ms(t->wait_us), "receive",
        ms(t->receive_us), "parse", ms(t->parse_us), "total", ms(total_us(t)));
    json_t *r = v && f->repairs ? repairs_list(f->repairs) : NULL;
    if (v && f->repairs && (!r || json_object_set_new(v, "repairs", r) < 0))
        json_decref(v), v = NULL;
    return v;
}

/* On the pool: the feeds, sorted, and the counts. */
static int status_job(struct eddy_store *s, void *arg)
{
    struct status *st = arg;
    struct eddy_store_stats stats;
    struct eddy_store_feed *f = NULL;
    size_t n = 0;
    int err = eddy_store_stats(s, &stats);
    err = err < 0 ? err : eddy_store_feeds(s, &f, &n);
    if (err < 0)
        return err;
    static int (*const cmp[])(const void *, const void *) = {cmp_errors, cmp_name, cmp_slow,
                                                             cmp_next};
    if (n)
        qsort(f, n, sizeof *f, cmp[st->order]);
    json_t *list = json_array();
    int64_t failing = 0, dead = 0;
    for (size_t i = 0; list && i < n; i++) {
        failing += f[i].last_error && !f[i].dead;
        dead += f[i].dead;
        if (eddy__app_feed_utf8(&f[i]) < 0 || /* as pages_entry.c's feed_job */
            json_array_append_new(list, feed_json(&f[i], st->now)) < 0)
            json_decref(list), list = NULL;
    }
    eddy_store_feeds_free(f, n);
    st->ctx = list ? json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "feeds", list, "summary",
                               "feeds", (json_int_t)n, "failing", failing, "dead", dead, "entries",
                               (json_int_t)stats.entries, "unread", (json_int_t)stats.unread)
                   : NULL;
    return st->ctx ? 0 : -ENOMEM;
}

static void ctx_free(void *ctx)
{
    json_decref(ctx);
}

/* The hub's view of the passes: the last one, whether one runs, and the
 * event id the page starts from (so the stream misses nothing after it). */
static int add_passes(json_t *ctx, struct eddy__hub *hub, int64_t now)
{
    json_t *p = json_object();
    if (!p || json_object_set_new(ctx, "pass", p) < 0)
        return -ENOMEM;
    if (!hub)
        return 0;
    const struct eddy__pass *last = eddy__hub_pass(hub);
    char ago[64] = "", id[48];
    if (last->ended)
        eddy__pages_ago(now, last->ended, ago, sizeof ago);
    eddy__hub_id(hub, eddy__hub_last(hub), id);
    int err = json_object_update_new(
        p,
        json_pack("{s:b, s:b, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "live", 1, "running",
                  last->running, "ended", (json_int_t)last->ended, "ago", ago, "ms",
                  (json_int_t)last->ms, "feeds", (json_int_t)last->sum.feeds, "errors",
                  (json_int_t)last->sum.errors, "not_modified", (json_int_t)last->sum.not_modified,
                  "added", (json_int_t)last->sum.added, "after", id));
    return err < 0 ? -ENOMEM : 0;
}

static int status_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    static const char *const orders[] = {"errors", "name", "slow", "next"};
    const char *sort = eddy_request_arg(req, "sort");
    struct status st = {.now = time(NULL)};
    for (size_t i = 0; sort && i < sizeof orders / sizeof orders[0]; i++)
        if (!strcmp(sort, orders[i]))
            st.order = (enum order)i;
    const char *csrf = eddy__pages_csrf(req, res);
    if (!csrf)
        return -ENOMEM;
    int err = eddy_store_run_await(site->store, false, status_job, &st);
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    if ((err = eddy_request_defer(req, ctx_free, st.ctx)) < 0)
        return err;
    const char *msg = eddy_request_arg(req, "msg");
    json_t *sorts =
        json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "key", "errors", "label",
                  "failing first", "key", "name", "label", "name", "key", "slow", "label",
                  "slowest first", "key", "next", "label", "next check");
    json_t *phases = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s},"
                               " {s:s, s:s}]",
                               "key", "dns", "label", "DNS", "key", "connect", "label", "connect",
                               "key", "tls", "label", "TLS", "key", "wait", "label", "wait", "key",
                               "receive", "label", "receive", "key", "parse", "label", "parse");
    if (json_object_set_new(st.ctx, "sorts", sorts) < 0 ||
        json_object_set_new(st.ctx, "phases", phases) < 0 ||
        add_passes(st.ctx, site->hub, st.now) < 0 ||
        json_object_set_new(st.ctx, "csrf", json_string(csrf)) < 0 ||
        json_object_set_new(st.ctx, "page", json_string("status")) < 0 ||
        json_object_set_new(st.ctx, "sort", json_string(orders[st.order])) < 0 ||
        json_object_set_new(st.ctx, "msg", msg ? json_string(msg) : json_null()) < 0)
        return -ENOMEM;
    return eddy_render(res, "status.html", st.ctx);
}

/* POST /refresh: every live feed due now, the scheduler woken. */
static int make_due(struct eddy_store *s, void *arg)
{
    (void)arg;
    struct eddy_store_feed *f = NULL;
    size_t n = 0;
    int err = eddy_store_feeds(s, &f, &n);
    for (size_t i = 0; err == 0 && i < n; i++)
        if (!f[i].dead)
            err = eddy_store_feed_set_next_check(s, f[i].id, 0);
    eddy_store_feeds_free(f, n);
    return err;
}

static int refresh_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    if (!eddy__pages_post(req, res))
        return 0;
    int err = eddy_store_run_await(site->store, true, make_due, NULL);
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    if (site->wake)
        site->wake(site);
    return eddy_response_redirect(res, 303, "/status?msg=refreshing");
}

int eddy__pages_status_routes(struct eddy_app *web)
{
    int err = eddy_app_route(web, "GET", "/status", status_view, "status");
    err = err ? err : eddy_app_route(web, "POST", "/refresh", refresh_view, "refresh_all");
    return err ? err : eddy__events_routes(web);
}
