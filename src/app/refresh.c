/*
 * refresh.c — one refresh pass: due feeds fetched concurrently into the store.
 *
 * A pool of worker tasks (never more than there are feeds) takes the next
 * feed from a shared index; the client session queues the transfers behind
 * its global and per-host limits, so a worker waiting on a busy host holds
 * only its stack.  Each feed's body streams into the parser (feedfetch.h);
 * its entries are then handed to the store in one transaction on the thread
 * pool, and the outcome recorded with the next check time.
 *
 * Writes are batched: a worker hands its fetched feed (parsed entries and
 * outcome) to its shard's committer and takes the next feed; the committer
 * writes every feed handed over meanwhile in one transaction
 * (eddy_store_feeds_fetched: each feed's entries and record together or
 * not at all), then counts them.  One commit per batch instead of two per
 * feed, and while a batch is written the next one gathers: a pass of
 * 10,000 feeds commits tens of times, not 20,000.
 *
 * eddy_app_refresh_threads runs the same workers on several loops, one per
 * thread (a shard each, with its own session and write gate), taking feeds
 * from one shared atomic index: parsing is CPU work, and one thread caps a
 * pass at its parsing speed.  The store's own write gate belongs to one
 * loop, so a shard passes its writes through a gate of its own instead.
 */
#include "eddy/app.h"

#include "eddy/arena.h"
#include "eddy/feedfetch.h"

#include "../feed/uri.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_BASE 300 /* seconds after the first error */
#define REPAIRS_MAX  20  /* diagnostics kept per fetch: the feed doctor's first page */

#define ALL_HOURS 0xffffffu
#define ALL_DAYS  0x7fu

static int64_t at_most_max(int64_t seconds)
{
    return seconds < EDDY_APP_BACKOFF_MAX ? seconds : EDDY_APP_BACKOFF_MAX;
}

/* Whether Unix time t falls in a skipped hour or on a skipped day (a rule
 * that skips everything is no rule). */
static bool skipped(const struct eddy_app_schedule *s, int64_t t)
{
    int64_t day = t / 86400 - (t % 86400 < 0);
    unsigned hour = (unsigned)((t - day * 86400) / 3600);
    unsigned wday = (unsigned)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    uint32_t h = s->skip_hours & ALL_HOURS, d = s->skip_days & ALL_DAYS;
    return (h != ALL_HOURS && (h >> hour & 1)) || (d != ALL_DAYS && (d >> wday & 1));
}

int64_t eddy_app_next_check(const struct eddy_app_schedule *s)
{
    int64_t interval = s->interval > 0 ? s->interval : EDDY_APP_INTERVAL_DEFAULT;
    int64_t wait;
    if (s->errors > 0) {
        wait = BACKOFF_BASE;
        for (int i = 1; i < s->errors && wait < EDDY_APP_BACKOFF_MAX; i++)
            wait *= 2;
        wait = at_most_max(wait);
        wait -= (int64_t)((uint64_t)(wait / 4) * s->rnd / UINT32_MAX);
        if (s->retry_after > wait)
            wait = at_most_max(s->retry_after);
    } else {
        wait = at_most_max(s->min_interval > interval ? s->min_interval : interval);
    }
    int64_t t = s->now + wait;
    /* At most 7 × 24 hours skipped in a row: past them the rule allows one. */
    for (int i = 0; i <= 7 * 24 && skipped(s, t); i++)
        t = (t / 3600 - (t % 3600 < 0) + 1) * 3600;
    return t;
}

/* What the shards of a pass share. */
struct pass {
    struct eddy_store *store;
    struct eddy_app_refresh_opts o;
    struct eddy_store_feed *feeds;
    size_t n;
    _Atomic size_t next;
    pthread_mutex_t mu; /* sum and progress calls */
    struct eddy_app_summary sum;
    size_t done; /* feeds finished */
};

/* A fetched feed on its way to the store: it owns the fetch result (the
 * parsed feed whose strings the entries and the record borrow). */
struct job {
    struct job *next;
    const struct eddy_store_feed *f;
    struct eddy_feed_fetch_result r;
    struct eddy_store_fetch rec;
    struct eddy_store_entry_in *in; /* the entries to store; NULL: none */
    size_t n;
    char *repairs;
    struct eddy_arena links;       /* entry links resolved against the feed's URL */
    struct eddy_app_schedule when; /* how next_check was computed */
    bool retried;                  /* rewritten after a failure already */
    char errbuf[96];
};

/* A batch's bounds: a commit stays short (the writer is shared with the
 * API's writes) and a pass's memory bounded. */
#define BATCH_FEEDS   256
#define BATCH_ENTRIES 4096
/* How long a batch gathers after its first feed: a 304 is written in
 * microseconds, and without it a pass of 304s committed every few feeds. */
#define GATHER_NS (20 * EDDY_MSEC)

/* One loop's part. */
struct shard {
    struct pass *p;
    struct eddy_session *session;
    struct eddy_session *guarded;       /* guarded feeds; NULL: through session */
    struct eddy_lock *gate;             /* threaded: this shard's writes, one at a time;
                                         * NULL: the store's await wrappers */
    const struct eddy_session_opts *so; /* threaded: the session to make */
    struct eddy_session_opts gso;       /* threaded: the guarded one (when needed) */
    unsigned workers;
    uint64_t rnd;
    pthread_t thread;
    int err;
    /* The committer's queue (this loop's tasks only: no lock). */
    struct job *head, **tail;
    size_t queued;
    int64_t first;           /* when the oldest queued job was queued */
    unsigned live;           /* workers still running */
    bool closing;            /* the last worker has ended */
    bool gone;               /* the committer has ended: nothing more is written */
    struct eddy_event *wake; /* a job was queued, or closing */
    struct eddy_event *room; /* the queue shrank */
};

static uint32_t next_rnd(struct shard *sh) /* xorshift64*: jitter needs no more */
{
    sh->rnd ^= sh->rnd >> 12, sh->rnd ^= sh->rnd << 25, sh->rnd ^= sh->rnd >> 27;
    return (uint32_t)((sh->rnd * 2685821657736338717ULL) >> 32);
}

static void job_free(struct job *j)
{
    eddy_arena_free(&j->links);
    free(j->in);
    free(j->repairs);
    eddy_feed_fetch_result_clear(&j->r);
    free(j);
}

/* A batch on the pool: `ran` tells a cancelled caller whether it was written. */
struct batch {
    struct eddy_store *s;
    struct eddy_store_fetched *v;
    size_t n;
    int64_t now;
    int result;
    bool ran;
};

static int run_batch(void *arg)
{
    struct batch *b = arg;
    b->result = eddy_store_feeds_fetched(b->s, b->v, b->n, b->now);
    b->ran = true;
    return b->result;
}

static int run_batch_store(struct eddy_store *s, void *arg)
{
    (void)s;
    return run_batch(arg);
}

/* Writes a batch: through the store's write queue, or through the shard's
 * gate to the pool when several loops share the store. */
static int write_batch(struct shard *sh, struct batch *b)
{
    if (!sh->gate)
        return eddy_store_run_await(b->s, true, run_batch_store, b);
    int err = eddy_lock_acquire(sh->gate, EDDY_FOREVER);
    if (err < 0)
        return err;
    err = eddy_to_thread(run_batch, b);
    eddy_lock_release(sh->gate);
    return err;
}

static void queue(struct shard *sh, struct job *j)
{
    if (!sh->head)
        sh->first = eddy_now();
    j->next = NULL;
    *sh->tail = j;
    sh->tail = &j->next;
    if (++sh->queued == 1 || sh->queued == BATCH_FEEDS)
        eddy_event_set(sh->wake);
}

/* Hands a fetched feed to the committer (which frees it); waits while the
 * queue is full. */
static void submit(struct shard *sh, struct job *j)
{
    while (!sh->gone && sh->queued >= sh->workers + BATCH_FEEDS) {
        eddy_event_clear(sh->room);
        if (eddy_event_wait(sh->room, EDDY_FOREVER) < 0)
            break;
    }
    if (sh->gone || eddy_task_cancelled(eddy_task_current())) {
        job_free(j); /* the pass is stopping: nothing recorded for it */
        return;
    }
    queue(sh, j);
}

/* After a batch: counts a written feed, or queues it again rewritten. */
static void settle(struct shard *sh, struct job *j, const struct eddy_store_fetched *w)
{
    struct pass *p = sh->p;
    struct eddy_store_fetch *rec = &j->rec;
    int err = w->err;
    if (err == -EEXIST && rec->new_url) {
        /* Moved onto a URL another subscription has: keep this one as it is. */
        rec->new_url = NULL;
        queue(sh, j);
        return;
    }
    if (err < 0 && err != -ENOENT && !j->retried) {
        /* Not stored: record the failure without entries and without
         * validators, so that the next fetch gets the entries again, not
         * a 304. */
        j->retried = true;
        if (!rec->error) {
            snprintf(j->errbuf, sizeof j->errbuf, "%s: %s",
                     j->n ? "storing entries" : "recording the fetch", eddy_strerror(err));
            rec->error = j->errbuf;
            rec->etag = rec->last_modified = NULL;
            j->when.errors = j->f->consecutive_errors + 1;
            j->when.rnd = next_rnd(sh);
            rec->next_check = eddy_app_next_check(&j->when);
        }
        j->n = 0;
        queue(sh, j);
        return;
    }
    if (err < 0 && !rec->error) {
        snprintf(j->errbuf, sizeof j->errbuf, "recording the fetch: %s", eddy_strerror(err));
        rec->error = j->errbuf;
    }
    pthread_mutex_lock(&p->mu);
    p->sum.added += w->up.added, p->sum.updated += w->up.updated;
    if (rec->error)
        p->sum.errors++;
    else if (j->r.not_modified)
        p->sum.not_modified++;
    else
        p->sum.fetched++;
    p->sum.moved += rec->new_url && err == 0;
    p->sum.gone += rec->gone;
    p->done++;
    if (p->o.progress)
        p->o.progress(p->o.arg, &(struct eddy_app_feed_done){.feed_id = j->f->id,
                                                             .url = j->f->url,
                                                             .status = j->r.status,
                                                             .not_modified = j->r.not_modified,
                                                             .error = rec->error,
                                                             .added = w->up.added,
                                                             .updated = w->up.updated,
                                                             .done = p->done,
                                                             .total = p->n,
                                                             .rec = rec});
    pthread_mutex_unlock(&p->mu);
    job_free(j);
}

/* The shard's committer: writes what the workers hand over, a batch at a
 * time, until the last worker has ended and the queue is empty.  Cancelled,
 * it drops what is queued (those feeds are recorded as not fetched: nothing). */
static int committer(void *arg)
{
    struct shard *sh = arg;
    struct eddy_store_fetched v[BATCH_FEEDS];
    struct job *jobs[BATCH_FEEDS];
    for (;;) {
        int64_t until = !sh->head                                  ? EDDY_FOREVER
                        : sh->queued >= BATCH_FEEDS || sh->closing ? 0
                                                                   : sh->first + GATHER_NS;
        if (!sh->head && sh->closing)
            break;
        if (until && until > eddy_now()) {
            eddy_event_clear(sh->wake);
            if (eddy_event_wait(sh->wake, until) == -ECANCELED)
                break;
            continue;
        }
        size_t k = 0, entries = 0;
        while (sh->head && k < BATCH_FEEDS && (k == 0 || entries + sh->head->n <= BATCH_ENTRIES)) {
            struct job *j = sh->head;
            if (!(sh->head = j->next))
                sh->tail = &sh->head;
            jobs[k] = j;
            v[k++] = (struct eddy_store_fetched){
                .feed_id = j->f->id, .entries = j->in, .n = j->n, .fetch = &j->rec};
            entries += j->n;
        }
        sh->queued -= k;
        eddy_event_set(sh->room);
        struct batch b = {.s = sh->p->store, .v = v, .n = k, .now = sh->p->o.now};
        write_batch(sh, &b); /* b.ran and each v[i].err say what happened */
        for (size_t i = 0; i < k; i++) {
            if (b.ran)
                settle(sh, jobs[i], &v[i]);
            else
                job_free(jobs[i]); /* cancelled before it was written */
        }
        if (!b.ran)
            break;
    }
    sh->gone = true;
    for (struct job *j = sh->head, *next; j; j = next) {
        next = j->next;
        job_free(j);
    }
    sh->head = NULL, sh->tail = &sh->head, sh->queued = 0;
    eddy_event_set(sh->room);
    return 0;
}

/* feedparser's *_parsed tuple [year, mon, mday, hour, min, sec, ...] in UTC. */
static bool tuple_time(const struct eddy_feed_value *v, int64_t *out)
{
    if (eddy_feed_type(v) != EDDY_FEED_ARRAY || eddy_feed_len(v) < 6)
        return false;
    struct tm tm = {
        .tm_year = (int)eddy_feed_int(eddy_feed_at(v, 0)) - 1900,
        .tm_mon = (int)eddy_feed_int(eddy_feed_at(v, 1)) - 1,
        .tm_mday = (int)eddy_feed_int(eddy_feed_at(v, 2)),
        .tm_hour = (int)eddy_feed_int(eddy_feed_at(v, 3)),
        .tm_min = (int)eddy_feed_int(eddy_feed_at(v, 4)),
        .tm_sec = (int)eddy_feed_int(eddy_feed_at(v, 5)),
    };
    *out = (int64_t)timegm(&tm);
    return true;
}

/* One parsed entry as the store takes it; strings stay in the feed. */
static void entry_in(const struct eddy_feed_value *e, struct eddy_store_entry_in *in)
{
    *in = (struct eddy_store_entry_in){
        .guid = eddy_feed_get_str(e, "id"),
        .link = eddy_feed_get_str(e, "link"),
        .title = eddy_feed_get_str(e, "title"),
        .author = eddy_feed_get_str(e, "author"),
        .summary = eddy_feed_get_str(e, "summary"),
    };
    in->content = eddy_feed_get_str(eddy_feed_at(eddy_feed_get(e, "content"), 0), "value");
    if (!in->content)
        in->content = in->summary;
    const char *published = eddy_feed_get_str(e, "published");
    in->date_raw = published ? published : eddy_feed_get_str(e, "updated");
    if (tuple_time(eddy_feed_get(e, "published_parsed"), &in->date))
        in->date_source = EDDY_STORE_DATE_PARSED;
    else if (tuple_time(eddy_feed_get(e, "updated_parsed"), &in->date))
        in->date_source = EDDY_STORE_DATE_GUESSED; /* store.h: updated for published */
    else
        in->date_source = EDDY_STORE_DATE_MISSING;
}

/* The parser's diagnostics as text, one "offset N: message" a line. */
static char *repairs_text(const struct eddy_feed *feed)
{
    size_t n = eddy_feed_diag_count(feed);
    if (!n)
        return NULL;
    struct eddy_buf b;
    eddy_buf_init(&b, 0);
    for (size_t i = 0; i < n && i < REPAIRS_MAX; i++) {
        size_t off = 0;
        const char *msg = eddy_feed_diag(feed, i, &off);
        eddy_buf_printf(&b, "%soffset %zu: %s", i ? "\n" : "", off, msg ? msg : "");
    }
    if (n > REPAIRS_MAX)
        eddy_buf_printf(&b, "\n... and %zu more", n - REPAIRS_MAX);
    return eddy_buf_detach(&b, NULL);
}

/* Whether uri starts with a scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+"
 * / "-" / "." ) ":"): then it is absolute. */
static bool has_scheme(const char *uri)
{
    if (!isalpha((unsigned char)*uri))
        return false;
    while (isalnum((unsigned char)*uri) || *uri == '+' || *uri == '-' || *uri == '.')
        uri++;
    return *uri == ':';
}

/* The entry's enclosures (its links rel="enclosure") into in, in `links`:
 * resolved against the feed's URL, http(s) only (a file to play or fetch),
 * at most the store's maximum.  Returns 0 or -ENOMEM. */
static int enclosures_of(const struct eddy_feed_value *e, const char *base,
                         struct eddy_arena *links, struct eddy_buf *b,
                         struct eddy_store_entry_in *in)
{
    const struct eddy_feed_value *l = eddy_feed_get(e, "links");
    struct eddy_store_enclosure_in *x = NULL;
    size_t n = 0;
    for (size_t i = 0; i < eddy_feed_len(l) && n < EDDY_STORE_ENCLOSURES_MAX; i++) {
        const struct eddy_feed_value *link = eddy_feed_at(l, i);
        const char *rel = eddy_feed_get_str(link, "rel"), *href = eddy_feed_get_str(link, "href");
        if (!rel || strcmp(rel, "enclosure") || !href || !*href)
            continue;
        eddy_buf_reset(b);
        if (eddy__uri_resolve_safe(b, base, href) < 0)
            return -ENOMEM;
        if (strncasecmp(eddy_buf_cstr(b), "http://", 7) &&
            strncasecmp(eddy_buf_cstr(b), "https://", 8))
            continue;
        if (!x && !(x = eddy_arena_alloc(links, EDDY_STORE_ENCLOSURES_MAX * sizeof *x)))
            return -ENOMEM;
        const char *len = eddy_feed_get_str(link, "length");
        x[n] = (struct eddy_store_enclosure_in){.url = eddy_arena_strndup(links, b->data, b->len),
                                                .type = eddy_feed_get_str(link, "type"),
                                                .length = len ? strtoll(len, NULL, 10) : 0};
        if (!x[n++].url)
            return -ENOMEM;
    }
    in->enclosures = x, in->nenclosures = n;
    return 0;
}

/* The entries of a parsed feed as the store takes them (strings borrowed
 * from the feed).  A relative link is resolved against the feed's URL into
 * `links` (feedparser resolves them in RSS and Atom, not in JSON Feed: a
 * link must work outside its feed); one with an unsafe scheme is dropped.
 * Enclosures: enclosures_of.
 * Returns 0 or -ENOMEM. */
static int entries_of(const struct eddy_feed_value *entries, const char *base,
                      struct eddy_arena *links, struct eddy_store_entry_in **out, size_t *n)
{
    *n = eddy_feed_len(entries);
    *out = NULL;
    if (!*n)
        return 0;
    if (!(*out = calloc(*n, sizeof **out))) {
        *n = 0;
        return -ENOMEM;
    }
    struct eddy_buf b = EDDY_BUF_INIT(0);
    int err = 0;
    for (size_t i = 0; i < *n && !err; i++) {
        struct eddy_store_entry_in *e = &(*out)[i];
        entry_in(eddy_feed_at(entries, i), e);
        if ((err = enclosures_of(eddy_feed_at(entries, i), base, links, &b, e)) < 0)
            break;
        if (!e->link || !base || has_scheme(e->link))
            continue; /* absolute (or no link): as the parser gave it */
        eddy_buf_reset(&b);
        err = eddy__uri_resolve_safe(&b, base, e->link);
        e->link = b.len ? eddy_arena_strndup(links, b.data, b.len) : NULL;
        if (!err && b.len && !e->link)
            err = -ENOMEM;
    }
    eddy_buf_free(&b);
    if (err) {
        free(*out), *out = NULL, *n = 0;
    }
    return err;
}

/* What a parsed feed asks for: <ttl> (minutes) or the reply's freshness,
 * whichever is longer, and its skipped hours and days, into rec. */
static void asked_by_feed(struct eddy_store_fetch *rec, const struct eddy_feed_fetch_result *r,
                          const struct eddy_feed_value *feed)
{
    const char *t = eddy_feed_get_str(feed, "ttl"); /* a string in feedparser */
    long minutes = t ? strtol(t, NULL, 10) : 0;
    int64_t ttl = minutes <= 0                          ? 0
                  : minutes < EDDY_APP_BACKOFF_MAX / 60 ? minutes * 60
                                                        : EDDY_APP_BACKOFF_MAX;
    int64_t fresh = at_most_max(r->fresh_for);
    rec->min_interval = ttl > fresh ? ttl : fresh;
    eddy_feed_skip(r->feed, &rec->skip_hours, &rec->skip_days);
}

/* A feed's step, told to the pass's step callback. */
struct stepping {
    struct pass *p;
    int64_t feed_id;
};

static void step(struct stepping *st, enum eddy_app_step s)
{
    struct pass *p = st->p;
    pthread_mutex_lock(&p->mu);
    p->o.step(p->o.step_arg, st->feed_id, s);
    pthread_mutex_unlock(&p->mu);
}

static void on_phase(void *arg, enum eddy_fetch_phase phase)
{
    step(arg, phase == EDDY_FETCH_CONNECTING ? EDDY_APP_CONNECTING
              : phase == EDDY_FETCH_WAITING  ? EDDY_APP_WAITING
                                             : EDDY_APP_RECEIVING);
}

/* end - start, for a step that happened (end > 0); never negative. */
static int64_t gap(int64_t end, int64_t start)
{
    return end > 0 && end > start ? end - start : 0;
}

/* curl's cumulative step times as the time each phase took. */
static struct eddy_store_timing timing_of(const struct eddy_feed_fetch_result *r)
{
    const struct eddy_fetch_timings *t = &r->timings;
    return (struct eddy_store_timing){
        .bytes = t->wire_bytes,
        .dns_us = t->namelookup_us,
        .connect_us = gap(t->connect_us, t->namelookup_us),
        .tls_us = gap(t->appconnect_us, t->connect_us),
        .wait_us = gap(t->starttransfer_us, t->pretransfer_us),
        .receive_us = t->starttransfer_us > 0 ? gap(t->total_us, t->starttransfer_us) : 0,
        .parse_us = r->parse_us,
    };
}

static void refresh_one(struct shard *sh, const struct eddy_store_feed *f)
{
    struct pass *p = sh->p;
    struct eddy_feed_fetch_result r;
    struct stepping st = {p, f->id};
    if (p->o.step)
        step(&st, EDDY_APP_QUEUED);
    int err =
        eddy_feed_fetch(f->guarded && sh->guarded ? sh->guarded : sh->session,
                        &(struct eddy_feed_fetch_opts){.url = f->url,
                                                       .etag = f->etag,
                                                       .last_modified = f->last_modified,
                                                       .timeout_ns = p->o.timeout_ns,
                                                       .on_phase = p->o.step ? on_phase : NULL,
                                                       .phase_arg = &st},
                        &r);
    int64_t t0 = eddy_now();
    if (err == -ECANCELED && eddy_task_cancelled(eddy_task_current())) {
        /* The pass is stopping: this feed was not fetched, nothing to record. */
        eddy_feed_fetch_result_clear(&r);
        return;
    }
    struct eddy_store_fetch rec = {
        .fetched_at = p->o.now,
        .status = r.status,
        .etag = r.etag,
        .last_modified = r.last_modified,
        .gone = r.status == 410,
        .timing = timing_of(&r),
    };
    struct eddy_store_entry_in *in = NULL;
    size_t n = 0;
    struct eddy_arena links = EDDY_ARENA_INIT;
    char *repairs = NULL, errbuf[96];
    if (err == 0 && r.feed) {
        const struct eddy_feed_value *root = eddy_feed_root(r.feed);
        const struct eddy_feed_value *feed = eddy_feed_get(root, "feed");
        rec.title = eddy_feed_get_str(feed, "title");
        rec.site_link = eddy_feed_get_str(feed, "link");
        asked_by_feed(&rec, &r, feed);
        rec.repairs = repairs = repairs_text(r.feed);
        err = entries_of(eddy_feed_get(root, "entries"), r.final_url, &links, &in, &n);
        rec.timing.parse_us += (eddy_now() - t0) / 1000; /* the entries made ready too */
        if (err < 0) {
            snprintf(errbuf, sizeof errbuf, "storing entries: %s", eddy_strerror(err));
            rec.error = errbuf;
            /* No validators: the next fetch gets the entries again, not a 304. */
            rec.etag = rec.last_modified = NULL;
        }
    } else if (err < 0) {
        rec.error = r.error && *r.error ? r.error : eddy_strerror(err);
    } else if (r.fresh_for > 0) {
        /* A 304's max-age: the <ttl> of the unchanged document, folded into
         * the stored value, still holds. */
        int64_t fresh = at_most_max(r.fresh_for);
        rec.min_interval = fresh > f->min_interval ? fresh : f->min_interval;
    }
    if (err == 0 && r.moved && r.final_url && strcmp(r.final_url, f->url))
        rec.new_url = r.final_url;
    /* After a 200 the document's wishes replace the stored ones (store.h);
     * otherwise the stored ones hold. */
    bool doc = rec.status == 200;
    struct eddy_app_schedule when = {.now = p->o.now,
                                     .interval = p->o.interval,
                                     .min_interval = doc || rec.min_interval ? rec.min_interval
                                                                             : f->min_interval,
                                     .retry_after = r.retry_after,
                                     .errors = rec.error ? f->consecutive_errors + 1 : 0,
                                     .skip_hours = doc ? rec.skip_hours : f->skip_hours,
                                     .skip_days = doc ? rec.skip_days : f->skip_days,
                                     .rnd = next_rnd(sh)};
    rec.next_check = eddy_app_next_check(&when);
    struct job *j = malloc(sizeof *j);
    if (!j) {
        eddy_arena_free(&links);
        free(in);
        free(repairs);
        eddy_feed_fetch_result_clear(&r);
        pthread_mutex_lock(&p->mu);
        p->sum.errors++, p->done++; /* not recorded: fetched again next time */
        pthread_mutex_unlock(&p->mu);
        return;
    }
    *j = (struct job){.f = f,
                      .r = r,
                      .rec = rec,
                      .in = in,
                      .n = n,
                      .repairs = repairs,
                      .links = links,
                      .when = when};
    if (rec.error == errbuf) {
        memcpy(j->errbuf, errbuf, sizeof errbuf);
        j->rec.error = j->errbuf;
    }
    submit(sh, j);
}

static int worker(void *arg)
{
    struct shard *sh = arg;
    struct pass *p = sh->p;
    for (size_t i; !eddy_task_cancelled(eddy_task_current()) && (i = p->next++) < p->n;)
        refresh_one(sh, &p->feeds[i]);
    if (--sh->live == 0) {
        sh->closing = true;
        eddy_event_set(sh->wake);
    }
    return 0;
}

/* Runs a shard's workers (never more than there are feeds) to the end. */
static int run_workers(struct shard *sh)
{
    unsigned workers = sh->workers < sh->p->n ? sh->workers : (unsigned)sh->p->n;
    sh->rnd = ((uint64_t)eddy_now() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)sh) | 1;
    sh->head = NULL, sh->tail = &sh->head;
    sh->wake = eddy_event_new();
    sh->room = eddy_event_new();
    struct eddy_group g;
    eddy_group_init(&g);
    int err = sh->wake && sh->room ? 0 : -ENOMEM;
    if (!err)
        err = eddy_group_spawn(&g, committer, sh, "refresh-commit");
    for (unsigned i = 0; i < workers && !err; i++)
        if ((err = eddy_group_spawn(&g, worker, sh, "refresh")) == 0)
            sh->live++;
    if (sh->live == 0) { /* no worker: the committer ends at once */
        sh->closing = true;
        eddy_event_set(sh->wake);
    }
    int werr = eddy_group_wait(&g);
    eddy_group_fini(&g);
    eddy_event_free(sh->wake);
    eddy_event_free(sh->room);
    return err < 0 ? err : werr;
}

/* Every live feed (all): dead ones stay listed but are never fetched. */
static int live_feeds(struct eddy_store *s, void *arg)
{
    struct pass *p = arg;
    int err = eddy_store_feeds(s, &p->feeds, &p->n);
    if (err < 0)
        return err;
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->feeds[i].dead)
            eddy_store_feed_fini(&p->feeds[i]);
        else
            p->feeds[k++] = p->feeds[i];
    }
    p->n = k;
    return 0;
}

static int due_feeds(struct eddy_store *s, void *arg)
{
    struct pass *p = arg;
    return p->o.all ? live_feeds(s, p) : eddy_store_feeds_due(s, p->o.now, 0, &p->feeds, &p->n);
}

static void pass_init(struct pass *p, struct eddy_store *store,
                      const struct eddy_app_refresh_opts *opts)
{
    *p = (struct pass){.store = store};
    if (opts)
        p->o = *opts;
    if (!p->o.now)
        p->o.now = (int64_t)time(NULL);
    if (!p->o.workers)
        p->o.workers = 64;
    if (!p->o.timeout_ns)
        p->o.timeout_ns = 30 * EDDY_SEC;
    pthread_mutex_init(&p->mu, NULL);
}

static void pass_fini(struct pass *p, struct eddy_app_summary *sum)
{
    eddy_store_feeds_free(p->feeds, p->n);
    pthread_mutex_destroy(&p->mu);
    if (sum)
        *sum = p->sum;
}

int eddy_app_refresh(struct eddy_store *store, struct eddy_session *session,
                     const struct eddy_app_refresh_opts *opts, struct eddy_app_summary *sum)
{
    struct pass p;
    pass_init(&p, store, opts);
    int err = eddy_store_run_await(store, false, due_feeds, &p);
    p.sum.feeds = p.n;
    struct shard sh = {.p = &p, .session = session, .guarded = p.o.guarded, .workers = p.o.workers};
    if (err == 0)
        err = run_workers(&sh);
    pass_fini(&p, sum);
    return err;
}

static int shard_main(void *arg)
{
    struct shard *sh = arg;
    if (!(sh->session = eddy_session_new(sh->so)) || !(sh->gate = eddy_lock_new()) ||
        (sh->gso.ssrf_guard && !(sh->guarded = eddy_session_new(&sh->gso)))) {
        int err = errno == EINVAL ? -EINVAL : -ENOMEM; /* EINVAL: a bad ssrf_allow */
        eddy_lock_free(sh->gate);
        eddy_session_free(sh->session);
        return err;
    }
    int err = run_workers(sh);
    eddy_lock_free(sh->gate);
    eddy_session_free(sh->session);
    eddy_session_free(sh->guarded);
    return err;
}

static void *shard_thread(void *arg)
{
    struct shard *sh = arg;
    sh->err = eddy_run(shard_main, sh, NULL);
    return NULL;
}

static bool any_guarded(const struct pass *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->feeds[i].guarded)
            return true;
    return false;
}

/* A's share i of n: the remainder goes to the first shares. */
static unsigned share(unsigned a, unsigned i, unsigned n)
{
    return a ? a / n + (i < a % n) : 0;
}

int eddy_app_refresh_threads(struct eddy_store *store, const struct eddy_session_opts *so,
                             unsigned threads, const struct eddy_app_refresh_opts *opts,
                             struct eddy_app_summary *sum)
{
    struct pass p;
    pass_init(&p, store, opts);
    int err = due_feeds(store, &p);
    p.sum.feeds = p.n;
    struct eddy_session_opts base = so ? *so : (struct eddy_session_opts){0};
    unsigned conc = base.max_concurrency ? base.max_concurrency : 256;
    unsigned per_host = base.max_per_host ? base.max_per_host : 8;
    /* Each shard needs a worker, a transfer slot and a slot per host. */
    unsigned n = threads ? threads : 1;
    n = n < p.o.workers ? n : p.o.workers;
    n = n < conc ? n : conc;
    n = n < per_host ? n : per_host;
    n = n < p.n ? n : (unsigned)(p.n ? p.n : 1);
    struct shard *shards = err ? NULL : calloc(n, sizeof *shards);
    struct eddy_session_opts *sos = err ? NULL : calloc(n, sizeof *sos);
    if (!err && (!shards || !sos))
        err = -ENOMEM;
    unsigned started = 1;
    bool guard = !err && any_guarded(&p);
    if (!err) {
        for (unsigned i = 0; i < n; i++) {
            sos[i] = base;
            sos[i].max_concurrency = share(conc, i, n);
            sos[i].max_per_host = share(per_host, i, n);
            shards[i] = (struct shard){.p = &p, .so = &sos[i], .workers = share(p.o.workers, i, n)};
            if (guard) {
                shards[i].gso = p.o.guarded_so ? *p.o.guarded_so : sos[i];
                shards[i].gso.ssrf_guard = true;
                shards[i].gso.max_concurrency = sos[i].max_concurrency;
                shards[i].gso.max_per_host = sos[i].max_per_host;
            }
        }
        for (; started < n; started++)
            if (pthread_create(&shards[started].thread, NULL, shard_thread, &shards[started]))
                break; /* fewer threads: the shared index hands their feeds to the others */
        shard_thread(&shards[0]);
        err = shards[0].err;
        for (unsigned i = 1; i < started; i++) {
            pthread_join(shards[i].thread, NULL);
            err = err ? err : shards[i].err;
        }
    }
    free(shards);
    free(sos);
    pass_fini(&p, sum);
    return err;
}
