/*
 * idle.c — connections between requests: parked, swept, reclaimed.
 *
 * A connection waiting for a request (its first, or the next one on a
 * keep-alive connection) has no task.  A task there would hold its stack,
 * whose touched pages stay resident (4-16 KiB, more after a deep handler),
 * and its session (read buffer, parser tables, head copy: ~30 KiB, conn.c).
 * So the task ends, the session goes back to the pool, and the descriptor
 * is watched: the first byte (or the client's close) spawns a task again —
 * nginx's keep-alive handler, with tasks.  A parked connection is its
 * struct conn and the watch: with the loop's per-descriptor entry, ~320
 * bytes of RSS each (316 per connection over 19,000 parked at once; the
 * socket's ~4 KiB of kernel memory is not ours to save).  Parking and waking cost two epoll_ctl
 * calls (the watch is added, then removed) and a spawn, ~10% of a
 * hello-world keep-alive request; so a task first waits a moment for the
 * next request (conn.c, WAIT_NEXT_NS, while not too many do) and parks
 * only when none came.
 *
 * Deadlines.  Parked connections wait in two queues, in the order they
 * parked: `fresh` ones expire header_timeout after their accept, `idle`
 * ones idle_timeout after their last response.  A queue's head expires
 * first, so one timer serves both, armed at the earlier head; a connection
 * that wakes just leaves its queue (a timer armed for it fires, finds
 * nothing expired and re-arms).  Expiry closes the connection silently, as
 * a timed-out wait between requests always did.
 *
 * At the limit (max_connections, or no descriptor left) the acceptor closes
 * the oldest parked connection for a client waiting in the backlog: an
 * idle keep-alive one first (its client has been served and reconnects as
 * after an idle timeout; nginx reuses its "reusable" connections the same
 * way), else one that never sent a request (a flood of silent connections
 * must not lock real clients out for a whole header timeout).
 */
#include "internal.h"

#include <stdlib.h>
#include <sys/socket.h>

#define SWEEP_BATCH 512

static int64_t expiry(const struct eddy_server *s, const struct conn *c)
{
    int64_t t = c->list == &s->fresh ? s->opts.header_timeout_ns : s->opts.idle_timeout_ns;
    return t < EDDY_FOREVER - c->since ? c->since + t : EDDY_FOREVER;
}

static void arm_sweep(struct eddy_server *s, int64_t at)
{
    if (at < s->sweep_at) {
        s->sweep_at = at;
        eddy_timer_set(s->sweep, at);
    }
}

/* The watch's callback (on the loop, outside any task): bytes, or the
 * client's close, arrived.  The task finds out which. */
static void wake(void *arg, int fd, int ready)
{
    (void)fd;
    (void)ready;
    struct conn *c = arg;
    struct eddy_server *s = c->srv;
    eddy_watch_free(c->watch);
    c->watch = NULL;
    eddy__conn_list_remove(c);
    eddy__conn_list_push(&s->active, c);
    if (eddy_group_spawn(&s->group, eddy__conn_main, c, "http-conn") < 0)
        eddy__conn_close(c);
}

void eddy__conn_park(struct conn *c, int64_t since)
{
    struct eddy_server *s = c->srv;
    eddy__conn_list_remove(c);
    c->watch = eddy_watch_new(c->fd, EDDY_READ, wake, c);
    if (!c->watch) {
        eddy__conn_close(c);
        return;
    }
    c->since = since;
    eddy__conn_list_push(c->served ? &s->idle : &s->fresh, c);
    arm_sweep(s, expiry(s, c));
    eddy_event_set(s->room); /* a parked connection can be reclaimed */
}

/* Closes up to *budget expired connections at the head of q. */
static void close_expired(struct eddy_server *s, struct conn_list *q, int64_t now, int *budget)
{
    for (; *budget > 0 && q->head && expiry(s, q->head) <= now; --*budget)
        eddy__conn_close(q->head);
}

void eddy__server_sweep(void *arg)
{
    struct eddy_server *s = arg;
    int64_t now = eddy_now();
    /* Thousands of connections can expire together (clients that came in
     * a burst): closing them in batches, a close(2) each, keeps the loop
     * answering requests in between. */
    int budget = SWEEP_BATCH;
    s->sweep_at = EDDY_FOREVER;
    close_expired(s, &s->fresh, now, &budget);
    close_expired(s, &s->idle, now, &budget);
    if (s->fresh.head)
        arm_sweep(s, expiry(s, s->fresh.head));
    if (s->idle.head)
        arm_sweep(s, expiry(s, s->idle.head));
}

bool eddy__server_reclaim(struct eddy_server *s)
{
    struct conn *c = s->idle.head ? s->idle.head : s->fresh.head;
    if (!c)
        return false;
    eddy__conn_close(c);
    s->stats.connections_reclaimed++;
    return true;
}

void eddy__server_end_parked(struct eddy_server *s)
{
    struct conn_list *queues[] = {&s->idle, &s->fresh};
    for (int i = 0; i < 2; i++) {
        while (queues[i]->head) {
            struct conn *c = queues[i]->head;
            /* A request already here is answered (with Connection: close,
             * like every answer during a stop); closing a socket with
             * unread bytes would reset it instead. */
            char byte;
            if (recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
                wake(c, c->fd, EDDY_READ);
            else
                eddy__conn_close(c);
        }
    }
}
