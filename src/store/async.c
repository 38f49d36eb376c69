/*
 * async.c — the store's calls from a task: each packs its arguments, runs
 * the blocking twin with eddy_to_thread() and returns its result.  The
 * arguments live on the suspended task's stack, which eddy_to_thread keeps
 * valid until the call has ended (even when the task is cancelled).
 *
 * Writes pass through the store's gate first (see internal.h): at most one
 * pool thread waits for the writer connection, the others stay free for
 * reads however many tasks want to write.
 */
#include "internal.h"

struct call {
    struct eddy_store *s;
    int (*fn)(struct eddy_store *s, void *arg); /* eddy_store_run_await's */
    int64_t id, now;
    size_t n;
    const void *in;
    void *out, *out2;
    int flag;
    bool on;
};

/* eddy_to_thread(fn, c) for a write: one at a time through the gate. */
static int write_to_thread(struct eddy_store *s, int (*fn)(void *), struct call *c)
{
    int err = eddy_lock_acquire(s->gate, EDDY_FOREVER);
    if (err < 0)
        return err;
    err = eddy_to_thread(fn, c);
    eddy_lock_release(s->gate);
    return err;
}

static int run_upsert(void *a)
{
    struct call *c = a;
    return eddy_store_entries_upsert(c->s, c->id, c->in, c->n, c->now, c->out);
}

EDDY_AWAITS int eddy_store_upsert_await(struct eddy_store *s, int64_t feed_id,
                                        const struct eddy_store_entry_in *entries, size_t n,
                                        int64_t now, struct eddy_store_upsert *r)
{
    struct call c = {.s = s, .id = feed_id, .in = entries, .n = n, .now = now, .out = r};
    return write_to_thread(s, run_upsert, &c);
}

static int run_fetched(void *a)
{
    struct call *c = a;
    return eddy_store_feed_fetched(c->s, c->id, c->in);
}

EDDY_AWAITS int eddy_store_fetched_await(struct eddy_store *s, int64_t id,
                                         const struct eddy_store_fetch *f)
{
    struct call c = {.s = s, .id = id, .in = f};
    return write_to_thread(s, run_fetched, &c);
}

static int run_due(void *a)
{
    struct call *c = a;
    return eddy_store_feeds_due(c->s, c->now, c->n, c->out, c->out2);
}

EDDY_AWAITS int eddy_store_due_await(struct eddy_store *s, int64_t now, size_t max,
                                     struct eddy_store_feed **out, size_t *n)
{
    struct call c = {.s = s, .now = now, .n = max, .out = out, .out2 = n};
    return eddy_to_thread(run_due, &c);
}

static int run_list(void *a)
{
    struct call *c = a;
    return eddy_store_entries(c->s, c->in, c->out);
}

EDDY_AWAITS int eddy_store_entries_await(struct eddy_store *s, const struct eddy_store_query *q,
                                         struct eddy_store_page *out)
{
    struct call c = {.s = s, .in = q, .out = out};
    return eddy_to_thread(run_list, &c);
}

static int run_mark(void *a)
{
    struct call *c = a;
    return eddy_store_entries_mark(c->s, c->in, c->n, (enum eddy_store_flag)c->flag, c->on);
}

EDDY_AWAITS int eddy_store_mark_await(struct eddy_store *s, const int64_t *ids, size_t n,
                                      enum eddy_store_flag flag, bool on)
{
    struct call c = {.s = s, .in = ids, .n = n, .flag = (int)flag, .on = on};
    return write_to_thread(s, run_mark, &c);
}

static int run_index(void *a)
{
    struct call *c = a;
    return eddy_store_index_pending(c->s, c->n);
}

EDDY_AWAITS int eddy_store_index_await(struct eddy_store *s, size_t max)
{
    struct call c = {.s = s, .n = max};
    return write_to_thread(s, run_index, &c);
}

static int run_stats(void *a)
{
    struct call *c = a;
    return eddy_store_stats(c->s, c->out);
}

EDDY_AWAITS int eddy_store_stats_await(struct eddy_store *s, struct eddy_store_stats *out)
{
    struct call c = {.s = s, .out = out};
    return eddy_to_thread(run_stats, &c);
}

static int run_any(void *a)
{
    struct call *c = a;
    return c->fn(c->s, c->out);
}

EDDY_AWAITS int eddy_store_run_await(struct eddy_store *s, bool writes,
                                     int (*fn)(struct eddy_store *s, void *arg), void *arg)
{
    struct call c = {.s = s, .fn = fn, .out = arg};
    return writes ? write_to_thread(s, run_any, &c) : eddy_to_thread(run_any, &c);
}
