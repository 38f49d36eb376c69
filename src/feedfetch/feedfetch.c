/*
 * feedfetch.c — eddy_feed_fetch(): client + push parser + conditional GET.
 *
 * The parser is made in the client's on_response callback, when the final
 * response's headers are known (the parser needs Content-Type before the
 * first byte), and fed by on_data; both run on the loop outside the task.
 * Bodies of error statuses are not parsed.
 *
 * Without on_entry the parser only buffers in on_data (a memcpy) and the
 * whole parse is finish's, which runs on the thread pool for a body above
 * ON_LOOP_MAX: a hostile or merely big document must not hold the loop
 * (issue 11).  With on_entry the parse happens in on_data, on the loop
 * (the callback must run there), bounded by the parser's CPU budget.
 */
#include "eddy/feedfetch.h"
#include "eddy/http.h"
#include "eddy/loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Bodies up to this size are parsed on the loop.  Measured on the bench
 * corpus (2 shared cores, loaded): an eddy_to_thread round trip costs
 * 31-63 us; a 15 KB feed parses in ~0.85 ms, a 47 KB one in ~1.5 ms, an
 * 80 KB one in ~4 ms.  So at 64 KiB the loop is held at most a few ms per
 * feed (the parse of a cut, ill-formed 64 KiB piece, parsed twice: ~6 ms),
 * the pool (shared with blocking file and SQLite work) is spared the many
 * small feeds, and above it a hop is ~1% of the parse. */
#define ON_LOOP_MAX (64 * 1024)

struct job {
    const struct eddy_feed_fetch_opts *o;
    struct eddy_feed_parser *parser; /* NULL until a 2xx response begins */
    int64_t push_ns;                 /* spent in pushes (what parses with on_entry) */
};

static bool is_success(int status)
{
    return status >= 200 && status < 300;
}

/* The reply's headers as the parser takes them, and its final URL: what
 * every parse of a fetched document must be given.  Returns a parser or
 * NULL (ENOMEM). */
static struct eddy_feed_parser *reply_parser(const struct eddy_reply *r, struct eddy_feed_opts fo)
{
    const char *name, *value;
    size_t n = 0;
    while (eddy_reply_header_at(r, n, &name, &value))
        n++;
    struct eddy_feed_header *h = calloc(n ? n : 1, sizeof *h);
    if (!h)
        return NULL;
    for (size_t i = 0; i < n; i++)
        eddy_reply_header_at(r, i, &h[i].name, &h[i].value);
    fo.url = eddy_reply_url(r);
    fo.headers = h;
    fo.nheaders = n;
    struct eddy_feed_parser *p = eddy_feed_parser_new(&fo); /* copies what it keeps */
    free(h);
    return p;
}

static int on_response(void *arg, const struct eddy_reply *r)
{
    struct job *j = arg;
    if (!is_success(eddy_reply_status(r)))
        return 0;
    j->parser = reply_parser(r, (struct eddy_feed_opts){.on_entry = j->o->on_entry,
                                                        .arg = j->o->arg,
                                                        .max_cpu_ns = j->o->max_cpu_ns});
    return j->parser ? 0 : -ENOMEM;
}

static int on_data(void *arg, const char *data, size_t len)
{
    struct job *j = arg;
    if (!j->parser)
        return 0;
    if (!j->o->on_entry) /* a push only appends (a read's worth): nothing to time */
        return eddy_feed_parser_push(j->parser, data, len);
    int64_t t0 = eddy_now();
    int err = eddy_feed_parser_push(j->parser, data, len);
    j->push_ns += eddy_now() - t0;
    return err;
}

static void on_phase(void *arg, enum eddy_fetch_phase phase)
{
    struct job *j = arg;
    j->o->on_phase(j->o->phase_arg, phase);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

struct finish {
    struct eddy_feed_parser *p;
    struct eddy_feed *feed;
};

static int finish_parse(void *arg)
{
    struct finish *f = arg;
    return eddy_feed_parser_finish(f->p, &f->feed);
}

/* Ends p's document into *out: on the thread pool when `on_loop` is false.
 * eddy_to_thread returns only once finish_parse has, cancelled or not, so
 * the parser and f live on this stack long enough. */
static int finish(struct eddy_feed_parser *p, bool on_loop, struct eddy_feed **out)
{
    struct finish f = {p, NULL};
    int err = on_loop ? finish_parse(&f) : eddy_to_thread(finish_parse, &f);
    if (err < 0) {
        eddy_feed_free(f.feed); /* set when the task was cancelled during the parse */
        return err;
    }
    *out = f.feed;
    return 0;
}

/* The parser's outcome: 0 for a feed, -EBADMSG (with the reason) for none. */
static int take_feed(struct eddy_feed_fetch_result *out, struct eddy_feed_parser *p, bool on_loop)
{
    int err = finish(p, on_loop, &out->feed);
    if (err < 0)
        return err;
    const char *why = eddy_feed_not_a_feed(out->feed);
    if (!why)
        return 0;
    free(out->error);
    if (asprintf(&out->error, "not a feed: %s", why) < 0)
        out->error = NULL;
    return -EBADMSG;
}

int eddy_feed_parse_reply(const struct eddy_reply *r, struct eddy_feed **out)
{
    *out = NULL;
    size_t len;
    const char *body = eddy_reply_body(r, &len);
    struct eddy_feed_parser *p = reply_parser(r, (struct eddy_feed_opts){0});
    int err = p ? eddy_feed_parser_push(p, body, len) : -ENOMEM;
    if (!err)
        err = finish(p, len <= ON_LOOP_MAX, out);
    eddy_feed_parser_free(p);
    return err;
}

/* ---- when to come back: Retry-After and freshness ---- */

#define SECONDS_MAX ((int64_t)INT32_MAX) /* past any scheduler's cap */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Delta-seconds (digits only) in v[0..n), clamped; -1 when it is none. */
static int64_t delta_seconds(const char *v, size_t n)
{
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x < SECONDS_MAX ? x * 10 + (v[i] - '0') : SECONDS_MAX;
    }
    return n ? (x < SECONDS_MAX ? x : SECONDS_MAX) : -1;
}

/* A header value that is an HTTP-date (or delta-seconds, when `delta`), as
 * seconds after `date` (the reply's Date); -1 when it is neither. */
static int64_t seconds_after(const char *v, bool delta, time_t date)
{
    size_t n = strlen(v);
    while (n && is_ows(*v))
        v++, n--;
    while (n && is_ows(v[n - 1]))
        n--;
    int64_t d = delta ? delta_seconds(v, n) : -1;
    time_t t;
    if (d >= 0 || eddy_http_date_parse(v, n, &t) < 0)
        return d;
    return t <= date ? 0 : t - date < SECONDS_MAX ? (int64_t)(t - date) : SECONDS_MAX;
}

/* The max-age of one Cache-Control value ("no-cache, max-age=600",
 * max-age="600" too); -1 when it has none. */
static int64_t max_age(const char *v)
{
    for (const char *d = v; *d; d += strcspn(d, ",")) {
        d += strspn(d, ", \t");
        if (strncasecmp(d, "max-age", 7) || (d[7] != '=' && d[7] != ' ' && d[7] != '\t'))
            continue;
        const char *a = d + 7 + strspn(d + 7, " \t");
        if (*a++ != '=')
            continue;
        a += strspn(a, " \t\"");
        return delta_seconds(a, strspn(a, "0123456789"));
    }
    return -1;
}

/* Fills out->retry_after and out->fresh_for from reply r (see feedfetch.h). */
static void when_back(struct eddy_feed_fetch_result *out, const struct eddy_reply *r)
{
    const char *h = eddy_reply_header(r, "Date");
    time_t date;
    if (!h || eddy_http_date_parse(h, strlen(h), &date) < 0)
        date = time(NULL);
    int st = out->status;
    if (st == 429 || (st >= 300 && st < 400 && !out->not_modified) || st >= 500) {
        h = eddy_reply_header(r, "Retry-After");
        int64_t s = h ? seconds_after(h, true, date) : -1;
        out->retry_after = s > 0 ? s : 0;
        return;
    }
    if (!is_success(st) && !out->not_modified)
        return;
    const char *name, *value;
    for (size_t i = 0; eddy_reply_header_at(r, i, &name, &value); i++) {
        int64_t s = strcasecmp(name, "Cache-Control") ? -1 : max_age(value);
        if (s >= 0) { /* max-age wins over Expires (RFC 9111 §5.3) */
            out->fresh_for = s;
            return;
        }
    }
    h = eddy_reply_header(r, "Expires");
    int64_t s = h ? seconds_after(h, false, date) : -1;
    out->fresh_for = s > 0 ? s : 0; /* an invalid date is in the past */
}

int eddy_feed_fetch(struct eddy_session *s, const struct eddy_feed_fetch_opts *o,
                    struct eddy_feed_fetch_result *out)
{
    *out = (struct eddy_feed_fetch_result){0};
    int64_t t0 = eddy_now();
    struct job j = {.o = o};
    struct eddy_fetch_opts q = {
        .url = o->url,
        .headers = o->headers,
        .etag = o->etag,
        .last_modified = o->last_modified,
        .max_body = o->max_body,
        .timeout_ns = o->timeout_ns,
        .on_response = on_response,
        .on_data = on_data,
        .arg = &j,
        .on_phase = o->on_phase ? on_phase : NULL,
    };
    struct eddy_reply *r = NULL;
    int err = eddy_fetch(s, &q, &r);
    if (!r) {
        out->error = strdup(err == -EPERM ? "not called from a task" : strerror(-err));
        eddy_feed_parser_free(j.parser);
        return err;
    }
    out->status = eddy_reply_status(r);
    out->not_modified = eddy_reply_not_modified(r);
    out->moved = eddy_reply_permanent_redirect(r);
    out->final_url = strdup(eddy_reply_url(r));
    out->bytes = eddy_reply_body_bytes(r);
    eddy_reply_timings(r, &out->timings);
    when_back(out, r);
    const char *etag = eddy_reply_header(r, "ETag");
    const char *lm = eddy_reply_header(r, "Last-Modified");
    /* A 304 may omit the validators: the old ones still hold. */
    out->etag = dup_or_null(etag || !out->not_modified ? etag : o->etag);
    out->last_modified = dup_or_null(lm || !out->not_modified ? lm : o->last_modified);
    if (err < 0) {
        out->error = strdup(eddy_reply_error(r));
    } else if (out->not_modified) {
        out->error = strdup("");
    } else if (!is_success(out->status)) {
        char msg[32];
        snprintf(msg, sizeof msg, "HTTP status %d", out->status);
        out->error = strdup(msg);
        err = -EREMOTEIO;
    } else {
        out->error = strdup("");
        bool on_loop = o->on_entry || out->bytes <= ON_LOOP_MAX;
        int64_t parse0 = eddy_now();
        err = j.parser ? take_feed(out, j.parser, on_loop) : -ENOMEM;
        out->parse_us = (eddy_now() - parse0 + j.push_ns) / 1000;
        if (err < 0 && err != -EBADMSG && out->error && !*out->error) {
            free(out->error);
            out->error = strdup(strerror(-err));
        }
    }
    eddy_feed_parser_free(j.parser);
    eddy_reply_free(r);
    out->seconds = (double)(eddy_now() - t0) / 1e9;
    if (!out->final_url || !out->error)
        return -ENOMEM; /* the result is still clearable */
    return err;
}

void eddy_feed_fetch_result_clear(struct eddy_feed_fetch_result *r)
{
    eddy_feed_free(r->feed);
    free(r->final_url);
    free(r->etag);
    free(r->last_modified);
    free(r->error);
    *r = (struct eddy_feed_fetch_result){0};
}

/* ---- a feed as template data ---- */

static enum eddy_tdata_type feed_type(const struct eddy_tdata *v)
{
    static const enum eddy_tdata_type types[] = {
        [EDDY_FEED_NULL] = EDDY_TDATA_NULL,     [EDDY_FEED_BOOL] = EDDY_TDATA_BOOL,
        [EDDY_FEED_INT] = EDDY_TDATA_INT,       [EDDY_FEED_REAL] = EDDY_TDATA_REAL,
        [EDDY_FEED_STRING] = EDDY_TDATA_STRING, [EDDY_FEED_ARRAY] = EDDY_TDATA_ARRAY,
        [EDDY_FEED_OBJECT] = EDDY_TDATA_OBJECT,
    };
    return types[eddy_feed_type(v->p)];
}

static const char *feed_str(const struct eddy_tdata *v, size_t *len)
{
    return eddy_feed_str(v->p, len);
}

static int64_t feed_int(const struct eddy_tdata *v)
{
    return eddy_feed_type(v->p) == EDDY_FEED_BOOL ? eddy_feed_bool(v->p) : eddy_feed_int(v->p);
}

static double feed_real(const struct eddy_tdata *v)
{
    return eddy_feed_real(v->p);
}

static size_t feed_len(const struct eddy_tdata *v)
{
    return eddy_feed_len(v->p);
}

static struct eddy_tdata feed_at(const struct eddy_tdata *v, size_t i)
{
    return eddy_feed_tdata(eddy_feed_at(v->p, i));
}

static struct eddy_tdata feed_get(const struct eddy_tdata *v, const char *key, size_t klen)
{
    (void)klen; /* key is NUL-terminated */
    return eddy_feed_tdata(eddy_feed_get(v->p, key));
}

static bool feed_next(const struct eddy_tdata *v, const void **it, const char **key, size_t *klen,
                      struct eddy_tdata *value)
{
    const struct eddy_feed_member *m = *it ? eddy_feed_next(*it) : eddy_feed_first(v->p);
    if (!m)
        return false;
    *it = m;
    *key = eddy_feed_member_key(m);
    *klen = strlen(*key);
    *value = eddy_feed_tdata(eddy_feed_member_value(m));
    return true;
}

static const struct eddy_tdata_ops feed_ops = {feed_type, feed_str, feed_int, feed_real,
                                               feed_len,  feed_at,  feed_get, feed_next};

struct eddy_tdata eddy_feed_tdata(const struct eddy_feed_value *v)
{
    return (struct eddy_tdata){v ? &feed_ops : NULL, v, 0};
}

/* ---- a fetch result as template data ---- */

/* The members, in this order: the fetch's outcome, then the parsed feed's
 * top-level keys a page shows. */
static const char *const result_keys[] = {"url",   "status",  "error",         "not_modified",
                                          "moved", "etag",    "last_modified", "seconds",
                                          "bozo",  "version", "feed",          "entries"};
enum { NKEYS = sizeof result_keys / sizeof result_keys[0] };

static enum eddy_tdata_type object_type(const struct eddy_tdata *v)
{
    (void)v;
    return EDDY_TDATA_OBJECT;
}

static size_t result_len(const struct eddy_tdata *v)
{
    (void)v;
    return NKEYS;
}

static double seconds_real(const struct eddy_tdata *v)
{
    return ((const struct eddy_feed_fetch_result *)v->p)->seconds;
}

static enum eddy_tdata_type real_type(const struct eddy_tdata *v)
{
    (void)v;
    return EDDY_TDATA_REAL;
}

static const struct eddy_tdata_ops seconds_ops = {.type = real_type, .real = seconds_real};

static struct eddy_tdata result_member(const struct eddy_feed_fetch_result *r, size_t i)
{
    const struct eddy_feed_value *root = r->feed ? eddy_feed_root(r->feed) : NULL;
    switch (i) {
    case 0: return eddy_tdata_str(r->final_url);
    case 1: return eddy_tdata_int(r->status);
    case 2: return eddy_tdata_str(r->error);
    case 3: return eddy_tdata_bool(r->not_modified);
    case 4: return eddy_tdata_bool(r->moved);
    case 5: return eddy_tdata_str(r->etag);
    case 6: return eddy_tdata_str(r->last_modified);
    case 7: return (struct eddy_tdata){&seconds_ops, r, 0};
    default: return eddy_feed_tdata(eddy_feed_get(root, result_keys[i]));
    }
}

static struct eddy_tdata result_get(const struct eddy_tdata *v, const char *key, size_t klen)
{
    (void)klen;
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(result_keys[i], key))
            return result_member(v->p, i);
    return (struct eddy_tdata){0};
}

static bool result_next(const struct eddy_tdata *v, const void **it, const char **key, size_t *klen,
                        struct eddy_tdata *value)
{
    const char *const *k = *it ? (const char *const *)*it + 1 : result_keys;
    if (k == result_keys + NKEYS)
        return false;
    *it = k;
    *key = *k;
    *klen = strlen(*k);
    *value = result_member(v->p, (size_t)(k - result_keys));
    return true;
}

static const struct eddy_tdata_ops result_ops = {
    .type = object_type, .len = result_len, .get = result_get, .next = result_next};

struct eddy_tdata eddy_feed_fetch_tdata(const struct eddy_feed_fetch_result *r)
{
    return (struct eddy_tdata){&result_ops, r, 0};
}
