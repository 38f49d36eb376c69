/*
 * sync.c — event, lock, semaphore, bounded channel.
 *
 * All FIFO by construction: waiters queue in arrival order and a release
 * hands the lock / permit / item directly to the first waiter (it is woken
 * owning it), so a task arriving later can never barge ahead of a woken one.
 * A woken waiter that is cancelled before it runs keeps what it was handed:
 * eddy__wake() is first-wins, so the handoff result (0) stands.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

/* ================================================================ event */

struct eddy_event {
    bool set;             /* flag */
    struct eddy__waitq q; /* waiters */
};

struct eddy_event *eddy_event_new(void)
{
    return calloc(1, sizeof(struct eddy_event));
}

void eddy_event_free(struct eddy_event *ev)
{
    if (!ev)
        return;
    eddy__waitq_wake_all(&ev->q, -EPIPE);
    free(ev);
}

void eddy_event_set(struct eddy_event *ev)
{
    ev->set = true;
    eddy__waitq_wake_all(&ev->q, 0);
}

void eddy_event_clear(struct eddy_event *ev)
{
    ev->set = false;
}

bool eddy_event_is_set(const struct eddy_event *ev)
{
    return ev->set;
}

EDDY_AWAITS int eddy_event_wait(struct eddy_event *ev, int64_t deadline)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0 || ev->set)
        return r;
    struct eddy__waiter w;
    return eddy__wait_on(t, &ev->q, &w, deadline, __builtin_return_address(0));
}

/* ================================================================= lock */

struct eddy_lock {
    bool locked;          /* held (ownership passes directly to waiters) */
    struct eddy__waitq q; /* waiters, FIFO */
};

struct eddy_lock *eddy_lock_new(void)
{
    return calloc(1, sizeof(struct eddy_lock));
}

void eddy_lock_free(struct eddy_lock *l)
{
    if (!l)
        return;
    eddy__waitq_wake_all(&l->q, -EPIPE);
    free(l);
}

bool eddy_lock_try(struct eddy_lock *l)
{
    if (l->locked)
        return false;
    l->locked = true;
    return true;
}

EDDY_AWAITS int eddy_lock_acquire(struct eddy_lock *l, int64_t deadline)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    if (eddy_lock_try(l))
        return 0;
    struct eddy__waiter w;
    return eddy__wait_on(t, &l->q, &w, deadline, __builtin_return_address(0));
}

void eddy_lock_release(struct eddy_lock *l)
{
    if (l->q.head)
        eddy__wake(l->q.head->task, 0); /* handoff: stays locked */
    else
        l->locked = false;
}

/* ============================================================ semaphore */

struct eddy_sem {
    unsigned value;       /* free permits */
    struct eddy__waitq q; /* waiters, FIFO */
};

struct eddy_sem *eddy_sem_new(unsigned value)
{
    struct eddy_sem *s = calloc(1, sizeof *s);
    if (s)
        s->value = value;
    return s;
}

void eddy_sem_free(struct eddy_sem *s)
{
    if (!s)
        return;
    eddy__waitq_wake_all(&s->q, -EPIPE);
    free(s);
}

bool eddy_sem_try(struct eddy_sem *s)
{
    if (!s->value)
        return false;
    s->value--;
    return true;
}

EDDY_AWAITS int eddy_sem_acquire(struct eddy_sem *s, int64_t deadline)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    if (eddy_sem_try(s))
        return 0;
    struct eddy__waiter w;
    return eddy__wait_on(t, &s->q, &w, deadline, __builtin_return_address(0));
}

void eddy_sem_release(struct eddy_sem *s)
{
    if (s->q.head)
        eddy__wake(s->q.head->task, 0); /* the permit goes to it */
    else
        s->value++;
}

/* ============================================================== channel */

struct eddy_chan {
    void **ring;                           /* capacity slots */
    size_t cap, head, len;                 /* ring geometry */
    bool closed;                           /* eddy_chan_close() was called */
    struct eddy__waitq senders, receivers; /* a sender's item rides in its waiter */
};

struct eddy_chan *eddy_chan_new(size_t capacity)
{
    if (!capacity) {
        errno = EINVAL;
        return NULL;
    }
    struct eddy_chan *ch = calloc(1, sizeof *ch);
    if (ch && !(ch->ring = calloc(capacity, sizeof *ch->ring))) {
        free(ch);
        return NULL;
    }
    if (ch)
        ch->cap = capacity;
    return ch;
}

void eddy_chan_free(struct eddy_chan *ch)
{
    if (!ch)
        return;
    eddy__waitq_wake_all(&ch->senders, -EPIPE);
    eddy__waitq_wake_all(&ch->receivers, -EPIPE);
    free(ch->ring);
    free(ch);
}

int eddy_chan_try_send(struct eddy_chan *ch, void *item)
{
    if (ch->closed)
        return -EPIPE;
    if (ch->receivers.head) { /* the ring is empty: hand it over */
        struct eddy__waiter *w = ch->receivers.head;
        w->item = item;
        eddy__wake(w->task, 0);
        return 0;
    }
    if (ch->len == ch->cap)
        return -EAGAIN;
    ch->ring[(ch->head + ch->len++) % ch->cap] = item;
    return 0;
}

int eddy_chan_try_recv(struct eddy_chan *ch, void **item)
{
    if (!ch->len)
        return ch->closed ? -EPIPE : -EAGAIN;
    *item = ch->ring[ch->head];
    ch->head = (ch->head + 1) % ch->cap;
    ch->len--;
    if (ch->senders.head) { /* refill from the first blocked sender */
        struct eddy__waiter *w = ch->senders.head;
        ch->ring[(ch->head + ch->len++) % ch->cap] = w->item;
        eddy__wake(w->task, 0);
    }
    return 0;
}

EDDY_AWAITS int eddy_chan_send(struct eddy_chan *ch, void *item, int64_t deadline)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    if ((r = eddy_chan_try_send(ch, item)) != -EAGAIN)
        return r;
    struct eddy__waiter w = {.task = t, .item = item};
    eddy__waitq_push(&ch->senders, &w);
    return eddy__suspend(t, &w, 1, deadline, false, false, __builtin_return_address(0));
}

EDDY_AWAITS int eddy_chan_recv(struct eddy_chan *ch, void **item, int64_t deadline)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    if ((r = eddy_chan_try_recv(ch, item)) != -EAGAIN)
        return r;
    struct eddy__waiter w = {.task = t};
    eddy__waitq_push(&ch->receivers, &w);
    r = eddy__suspend(t, &w, 1, deadline, false, false, __builtin_return_address(0));
    if (r == 0)
        *item = w.item;
    return r;
}

void eddy_chan_close(struct eddy_chan *ch)
{
    ch->closed = true;
    /* Blocked senders fail; receivers only wait when the ring is empty. */
    eddy__waitq_wake_all(&ch->senders, -EPIPE);
    eddy__waitq_wake_all(&ch->receivers, -EPIPE);
}

size_t eddy_chan_len(const struct eddy_chan *ch)
{
    return ch->len;
}
