/*
 * events.c — the live feed of the refresh passes (events.h): the hub, the
 * SSE framing, the events a pass publishes, and GET /events.
 *
 * The stream writes whatever the ring holds past its cursor in one write,
 * then waits for the hub (a keep-alive comment every 15 s meanwhile).  A
 * write that blocks holds only that stream: the server's write timeout
 * ends a reader that stops reading, and a slow one finds a gap when it
 * comes back, never a queue that grew.
 */
#include "events.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENT_MAX    32 /* bytes of an event name, NUL included */
#define KEEPALIVE_NS (15 * EDDY_SEC)
#define ERROR_MAX    300 /* bytes of an error message in an event */

struct item {
    uint64_t seq; /* 0: empty */
    char event[EVENT_MAX];
    char *data;
};

struct eddy__hub {
    struct item *ring;
    size_t cap;
    uint64_t last;  /* newest sequence number; 0: none */
    uint64_t epoch; /* this hub's run: ms since 1970 at creation */
    struct eddy__hub_sub *subs;
    size_t nsubs;
    bool closed;
    struct eddy__pass pass;
};

struct eddy__hub *eddy__hub_new(size_t capacity)
{
    struct eddy__hub *h = capacity ? calloc(1, sizeof *h) : NULL;
    if (!h || !(h->ring = calloc(capacity, sizeof *h->ring))) {
        free(h);
        return NULL;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    h->epoch = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    h->cap = capacity;
    return h;
}

void eddy__hub_free(struct eddy__hub *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->cap; i++)
        free(h->ring[i].data);
    free(h->ring);
    free(h);
}

static bool name_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n >= max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

static void wake_all(struct eddy__hub *h)
{
    for (struct eddy__hub_sub *s = h->subs; s; s = s->next)
        eddy_event_set(s->ev);
}

int64_t eddy__hub_publish(struct eddy__hub *h, const char *event, const char *data)
{
    if (!name_ok(event, EVENT_MAX) || strchr(event, '.') || !data ||
        strlen(data) > EDDY__HUB_DATA_MAX)
        return -EINVAL;
    char *copy = strdup(data);
    if (!copy)
        return -ENOMEM;
    struct item *it = &h->ring[h->last % h->cap];
    free(it->data);
    it->seq = ++h->last;
    snprintf(it->event, sizeof it->event, "%s", event);
    it->data = copy;
    wake_all(h);
    return (int64_t)it->seq;
}

void eddy__hub_id(const struct eddy__hub *h, uint64_t seq, char out[48])
{
    snprintf(out, 48, "%" PRIu64 "-%" PRIu64, h->epoch, seq);
}

uint64_t eddy__hub_last(const struct eddy__hub *h)
{
    return h->last;
}

/* Where a reader with last_id starts (events.h). */
static uint64_t start_after(const struct eddy__hub *h, const char *last_id)
{
    if (!last_id || !*last_id)
        return h->last + 1;
    char *end;
    errno = 0;
    uint64_t epoch = strtoull(last_id, &end, 10);
    if (errno || *end != '-' || epoch != h->epoch || end[1] < '0' || end[1] > '9')
        return 1; /* another run's, or none of ours: all we still have */
    uint64_t seq = strtoull(end + 1, &end, 10);
    if (errno || *end)
        return 1;
    return seq < h->last ? seq + 1 : h->last + 1;
}

int eddy__hub_subscribe(struct eddy__hub *h, struct eddy__hub_sub *sub, const char *last_id)
{
    if (h->nsubs >= EDDY__HUB_SUBSCRIBERS)
        return -EBUSY;
    *sub = (struct eddy__hub_sub){.want = start_after(h, last_id), .ev = eddy_event_new()};
    if (!sub->ev)
        return -ENOMEM;
    sub->next = h->subs;
    if (h->subs)
        h->subs->prev = sub;
    h->subs = sub;
    h->nsubs++;
    if (sub->want <= h->last || h->closed)
        eddy_event_set(sub->ev);
    return 0;
}

void eddy__hub_unsubscribe(struct eddy__hub *h, struct eddy__hub_sub *sub)
{
    if (!sub->ev)
        return;
    if (sub->prev)
        sub->prev->next = sub->next;
    else
        h->subs = sub->next;
    if (sub->next)
        sub->next->prev = sub->prev;
    h->nsubs--;
    eddy_event_free(sub->ev);
    *sub = (struct eddy__hub_sub){0};
}

int eddy__hub_next(struct eddy__hub *h, struct eddy__hub_sub *sub, uint64_t *seq,
                   const char **event, const char **data, uint64_t *missed)
{
    *missed = 0;
    if (sub->want > h->last)
        return 0;
    uint64_t oldest = h->last > h->cap ? h->last - h->cap + 1 : 1;
    if (sub->want < oldest) {
        *missed = oldest - sub->want;
        sub->want = oldest;
    }
    const struct item *it = &h->ring[(sub->want - 1) % h->cap];
    *seq = it->seq;
    *event = it->event;
    *data = it->data;
    sub->want++;
    return 1;
}

void eddy__hub_close(struct eddy__hub *h)
{
    if (!h)
        return;
    h->closed = true;
    wake_all(h);
}

bool eddy__hub_closed(const struct eddy__hub *h)
{
    return h->closed;
}

/* ------------------------------------------------------------- framing */

int eddy__sse_frame(struct eddy_buf *out, const char *id, const char *event, const char *data,
                    size_t len)
{
    if (!name_ok(id, 64) || !name_ok(event, EVENT_MAX))
        return -EINVAL;
    size_t mark = out->len;
    int err = eddy_buf_printf(out, "id: %s\nevent: %s\ndata: ", id, event);
    for (size_t i = 0, run = 0; !err && i <= len; i++) {
        char c = i < len ? data[i] : 0;
        if (i < len && c != '\n' && c != '\r' && c != 0)
            continue;
        err = eddy_buf_append(out, data + run, i - run);
        if (!err && i < len)
            err = eddy_buf_puts(out, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\u0000");
        run = i + 1;
    }
    err = err ? err : eddy_buf_puts(out, "\n\n");
    if (err)
        out->len = mark; /* nothing half-written */
    return err;
}

/* ------------------------------------------------------ what passes say */

static void publish_json(struct eddy__hub *h, const char *event, json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL; /* one line: jansson escapes controls */
    if (s)
        eddy__hub_publish(h, event, s);
    free(s);
    json_decref(v);
}

const struct eddy__pass *eddy__hub_pass(const struct eddy__hub *h)
{
    return &h->pass;
}

void eddy__events_pass_start(struct eddy__hub *h)
{
    if (!h)
        return;
    h->pass.running = true;
    h->pass.started = (int64_t)time(NULL);
    publish_json(h, "pass",
                 json_pack("{s:s, s:I}", "state", "start", "at", (json_int_t)time(NULL)));
}

void eddy__events_pass_end(struct eddy__hub *h, const struct eddy_app_summary *sum, int64_t ms)
{
    if (!h)
        return;
    h->pass = (struct eddy__pass){
        .started = h->pass.started, .ended = (int64_t)time(NULL), .ms = ms, .sum = *sum};
    publish_json(h, "pass",
                 json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "state", "end", "at",
                           (json_int_t)time(NULL), "ms", (json_int_t)ms, "feeds",
                           (json_int_t)sum->feeds, "errors", (json_int_t)sum->errors,
                           "not_modified", (json_int_t)sum->not_modified, "added",
                           (json_int_t)sum->added));
}

void eddy__events_step(struct eddy__hub *hub, int64_t feed_id, enum eddy_app_step step)
{
    static const char *const names[] = {
        [EDDY_APP_QUEUED] = "queued",
        [EDDY_APP_CONNECTING] = "connecting",
        [EDDY_APP_WAITING] = "waiting",
        [EDDY_APP_RECEIVING] = "receiving",
    };
    if (hub && step >= EDDY_APP_QUEUED && step <= EDDY_APP_RECEIVING)
        publish_json(hub, "feed",
                     json_pack("{s:I, s:s}", "id", (json_int_t)feed_id, "state", names[step]));
}

void eddy__events_done(struct eddy__hub *h, const struct eddy_app_feed_done *d)
{
    if (!h)
        return;
    const struct eddy_store_fetch *rec = d->rec;
    const struct eddy_store_timing *t = rec ? &rec->timing : &(struct eddy_store_timing){0};
    char error[ERROR_MAX];
    if (d->error)
        snprintf(error, sizeof error, "%s", d->error); /* bounded; see below */
    size_t repairs = 0;
    for (const char *p = rec ? rec->repairs : NULL; p && *p; p = strchr(p, '\n'), p += !!p)
        repairs++;
    json_t *v = json_pack(
        "{s:I, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "id",
        (json_int_t)d->feed_id, "state",
        d->error          ? "error"
        : d->not_modified ? "304"
                          : "parsed",
        "status", d->status, "added", (json_int_t)d->added, "updated", (json_int_t)d->updated,
        "bytes", (json_int_t)t->bytes, "next_check", (json_int_t)(rec ? rec->next_check : 0),
        "repairs", (json_int_t)repairs, "us", "dns", (json_int_t)t->dns_us, "connect",
        (json_int_t)t->connect_us, "tls", (json_int_t)t->tls_us, "wait", (json_int_t)t->wait_us,
        "receive", (json_int_t)t->receive_us, "parse", (json_int_t)t->parse_us);
    /* An error cut mid-character is no UTF-8: jansson refuses it, so cut
     * back to a character boundary. */
    if (v && d->error) {
        size_t n = strlen(error);
        while (n && json_object_set_new(v, "error", json_stringn(error, n)) < 0)
            n--;
        if (!n)
            json_object_set_new(v, "error", json_string("(a message that is no UTF-8)"));
    }
    publish_json(h, "feed", v);
}

/* ------------------------------------------------------------ /events */

struct stream {
    struct eddy__hub *hub;
    struct eddy__hub_sub sub;
};

static void stream_end(void *arg)
{
    struct stream *s = arg;
    eddy__hub_unsubscribe(s->hub, &s->sub);
}

/* Appends the events s has not read yet to b. */
static int drain(struct stream *s, struct eddy_buf *b)
{
    uint64_t seq, missed;
    const char *event, *data;
    char id[48];
    int err = 0;
    while (!err && eddy__hub_next(s->hub, &s->sub, &seq, &event, &data, &missed) == 1) {
        if (missed) {
            char gap[64];
            int n = snprintf(gap, sizeof gap, "{\"missed\":%" PRIu64 "}", missed);
            eddy__hub_id(s->hub, seq - 1, id);
            err = eddy__sse_frame(b, id, "gap", gap, (size_t)n);
        }
        eddy__hub_id(s->hub, seq, id);
        err = err ? err : eddy__sse_frame(b, id, event, data, strlen(data));
    }
    return err;
}

/* GET /events[?after=ID]: the hub as Server-Sent Events, from after the
 * Last-Event-ID header (a reconnecting EventSource's) or ?after= (the id a
 * page was rendered at), else from now. */
static int events_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct stream *s = eddy_request_alloc(req, sizeof *s);
    if (!s)
        return -ENOMEM;
    if (!site || !site->hub || eddy__hub_closed(site->hub))
        return eddy_response_error(res, 503, "no refresh runs here");
    const char *last = eddy_request_header(req, "Last-Event-ID");
    if (!last)
        last = eddy_request_arg(req, "after");
    s->hub = site->hub;
    int err = eddy__hub_subscribe(s->hub, &s->sub, last);
    if (err == -EBUSY)
        return eddy_response_error(res, 503, "too many live streams: try again later");
    if (err < 0 || (err = eddy_request_defer(req, stream_end, s)) < 0)
        return err;
    err = eddy_response_sse_begin(res);
    /* Reconnect after 3 s (the default varies by browser). */
    err = err ? err : eddy_response_write(res, "retry: 3000\n\n", 13);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    while (!err && !eddy__hub_closed(s->hub)) {
        eddy_event_clear(s->sub.ev);
        eddy_buf_reset(&b);
        err = drain(s, &b);
        if (!err && b.len)
            err = eddy_response_write(res, b.data, b.len);
        if (!err && !eddy_event_is_set(s->sub.ev))
            err = eddy_response_sse_wait(res, s->sub.ev, KEEPALIVE_NS);
    }
    eddy_buf_free(&b);
    /* The client left, the hub closed, or cancelled: the stream just ends. */
    return err == -EPIPE || err == -ECANCELED ? 0 : err;
}

int eddy__events_routes(struct eddy_app *web)
{
    return eddy_app_route(web, "GET", "/events", events_view, "events");
}
