/*
 * task.c — tasks: spawn, the suspension core, join/detach/cancel, yield,
 * sleep, gather, wait_any, timeout scopes, eddy_run.
 *
 * Cancellation and deadlines are checked where a call would actually
 * suspend (asyncio's rule): a call that can complete at once (an uncontended
 * lock, a join of a finished task, a recv from a non-empty channel) does so
 * even in a cancelled task, which lets cleanup paths release things; every
 * real suspension of a cancelled task returns -ECANCELED (sticky).  Nothing
 * is unwound: the error comes back through ordinary returns.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ========================================================= wait queues */

void eddy__waitq_push(struct eddy__waitq *q, struct eddy__waiter *w)
{
    w->q = q;
    w->next = NULL;
    w->prev = q->tail;
    if (q->tail)
        q->tail->next = w;
    else
        q->head = w;
    q->tail = w;
}

void eddy__waitq_unlink(struct eddy__waiter *w)
{
    struct eddy__waitq *q = w->q;
    if (w->prev)
        w->prev->next = w->next;
    else
        q->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->tail = w->prev;
    w->q = NULL;
}

void eddy__waitq_wake_all(struct eddy__waitq *q, int result)
{
    while (q->head) {
        struct eddy__waiter *w = q->head;
        eddy__wake(w->task, result);
        if (w->q) /* its task was not waiting any more */
            eddy__waitq_unlink(w);
    }
}

/* ======================================================= the core */

struct eddy_task *eddy__current(void)
{
    struct eddy_loop *l = eddy__loop;
    return l ? atomic_load_explicit(&l->current, memory_order_relaxed) : NULL;
}

struct eddy_task *eddy_task_current(void)
{
    return eddy__current();
}

int eddy__enter(struct eddy_task **tp)
{
    *tp = eddy__current();
    return *tp ? 0 : -EPERM;
}

void eddy__wake(struct eddy_task *t, int result)
{
    if (t->state != EDDY__WAITING)
        return;
    t->wake_result = result;
    for (size_t i = 0; i < t->nwnodes; i++)
        if (t->wnodes[i].q)
            eddy__waitq_unlink(&t->wnodes[i]);
    eddy__timer_disarm(t->loop, &t->timer);
    eddy__ready_push(t->loop, t);
}

static void task_timer_fire(struct eddy__tnode *n)
{
    struct eddy_task *t = (struct eddy_task *)((char *)n - offsetof(struct eddy_task, timer));
    eddy__wake(t, t->timer_result);
}

void eddy__timeout_expire(struct eddy_task *t, int64_t when)
{
    for (struct eddy_timeout *to = t->timeout; to; to = to->outer)
        if (to->deadline <= when)
            to->expired = true;
}

static void unlink_all(struct eddy__waiter *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w[i].q)
            eddy__waitq_unlink(&w[i]);
}

int eddy__suspend(struct eddy_task *t, struct eddy__waiter *w, size_t n, int64_t deadline,
                  bool shield, bool sleep, void *where)
{
    int64_t eff = EDDY_FOREVER;
    if (!shield) {
        if (t->cancelled) {
            unlink_all(w, n);
            return -ECANCELED;
        }
        bool scope = false;
        eff = deadline;
        for (struct eddy_timeout *to = t->timeout; to; to = to->outer)
            if (to->deadline < eff) {
                eff = to->deadline;
                scope = true;
            }
        /* A sleep that ends by its own deadline succeeds (ties included). */
        t->timer_result = sleep && !scope ? 0 : -ETIMEDOUT;
        if (eff != EDDY_FOREVER) {
            int r;
            if (eff <= eddy_now()) {
                r = t->timer_result;
                if (r == -ETIMEDOUT)
                    eddy__timeout_expire(t, eff);
            } else if ((r = eddy__timer_arm(t->loop, &t->timer, eff)) == 0) {
                goto wait;
            }
            unlink_all(w, n);
            return r;
        }
    }
wait:
    t->wnodes = w;
    t->nwnodes = n;
    t->shielded = shield;
    t->where = where;
    t->state = EDDY__WAITING;
    eddy__park(t);
    t->wnodes = NULL;
    t->nwnodes = 0;
    t->shielded = false;
    if (t->wake_result == -ETIMEDOUT && eff != EDDY_FOREVER)
        eddy__timeout_expire(t, eff);
    return t->wake_result;
}

int eddy__wait_on(struct eddy_task *t, struct eddy__waitq *q, struct eddy__waiter *w,
                  int64_t deadline, void *where)
{
    *w = (struct eddy__waiter){.task = t};
    if (!q)
        return eddy__suspend(t, w, 0, deadline, false, false, where);
    eddy__waitq_push(q, w);
    return eddy__suspend(t, w, 1, deadline, false, false, where);
}

/* ============================================================ spawn */

/* First code of every task: run the body, publish the result, wake the
 * joiners, and leave for good (the loop frees the stack we stand on). */
static void task_main(void *arg)
{
    struct eddy_task *t = arg;
#if EDDY__ASAN
    /* Arrived from the loop (always, for a loop's first task) or from a
     * task; the loop's own stack bounds are learnt on the first arrival. */
    const void *from;
    size_t from_size;
    __sanitizer_finish_switch_fiber(NULL, &from, &from_size);
    if (!t->loop->main_stack_size) {
        t->loop->main_stack = from;
        t->loop->main_stack_size = from_size;
    }
#endif
    t->result = t->fn(t->arg);
    t->state = EDDY__DONE;
    EDDY__BUMP(t->loop->alive, (uint64_t)-1);
    eddy__waitq_wake_all(&t->joinq, 0);
    if (t->group)
        eddy__group_child_done(t);
    eddy__park(t);
    abort(); /* a finished task is never resumed */
}

struct eddy_task *eddy_spawn_opts(eddy_task_fn fn, void *arg, const struct eddy_task_opts *opts)
{
    struct eddy_loop *l = eddy__loop;
    if (!l) {
        errno = EPERM;
        return NULL;
    }
    struct eddy__stack s;
    if (eddy__stack_get(l, opts ? opts->stack_size : 0, &s) < 0) {
        errno = ENOMEM;
        return NULL;
    }
    /* The task struct takes the top of its own stack. */
    uintptr_t top = (uintptr_t)s.base + s.len;
    struct eddy_task *t = (struct eddy_task *)((top - sizeof *t) & ~(uintptr_t)63);
    /* Copying a zero template, not memset: gcc emits `rep stos` for the
     * memset, whose startup cost was ~10% of spawn+join (perf). */
    static const struct eddy_task zero;
    *t = zero;
    t->loop = l;
    t->fn = fn;
    t->arg = arg;
    t->stack = s;
    t->timer.idx = EDDY__NOT_ARMED;
    t->timer.fire = task_timer_fire;
    t->where = (void *)fn;
    const char *name = opts && opts->name ? opts->name : "task";
    size_t len = strnlen(name, sizeof t->name - 1);
    memcpy(t->name, name, len);
    t->name[len] = '\0';
    eddy__ctx_make(&t->ctx, s.lo, (size_t)((char *)t - s.lo), task_main, t);
    t->next_all = l->all;
    if (l->all)
        l->all->prev_all = t;
    l->all = t;
    EDDY__BUMP(l->spawned, 1);
    EDDY__BUMP(l->alive, 1);
    eddy__ready_push(l, t);
    return t;
}

struct eddy_task *eddy_spawn(eddy_task_fn fn, void *arg, const char *name)
{
    struct eddy_task_opts o = {.name = name};
    return eddy_spawn_opts(fn, arg, &o);
}

void eddy__task_release(struct eddy_task *t)
{
    struct eddy_loop *l = t->loop;
    if (t->prev_all)
        t->prev_all->next_all = t->next_all;
    else
        l->all = t->next_all;
    if (t->next_all)
        t->next_all->prev_all = t->prev_all;
    if (t->state != EDDY__DONE) /* abandoned at eddy_loop_free */
        EDDY__BUMP(l->alive, (uint64_t)-1);
    struct eddy__stack s = t->stack; /* t lives in it */
    eddy__stack_put(l, &s);
}

/* ====================================================== handles */

EDDY_AWAITS int eddy_join(struct eddy_task *t, int *result)
{
    struct eddy_task *self;
    int r = eddy__enter(&self);
    if (r < 0)
        return r;
    if (!t)
        return -EINVAL;
    if (t == self)
        return -EDEADLK;
    while (t->state != EDDY__DONE) {
        struct eddy__waiter w;
        r = eddy__wait_on(self, &t->joinq, &w, EDDY_FOREVER, __builtin_return_address(0));
        if (r < 0)
            return r;
    }
    if (result)
        *result = t->result;
    eddy__task_release(t);
    return 0;
}

void eddy_detach(struct eddy_task *t)
{
    if (!t)
        return;
    t->detached = true;
    if (t->state == EDDY__DONE)
        eddy__task_release(t);
}

void eddy_cancel(struct eddy_task *t)
{
    if (!t || t->state == EDDY__DONE)
        return;
    t->cancelled = true;
    if (t->state == EDDY__WAITING && !t->shielded)
        eddy__wake(t, -ECANCELED);
}

bool eddy_task_done(const struct eddy_task *t)
{
    return t->state == EDDY__DONE;
}

bool eddy_task_cancelled(const struct eddy_task *t)
{
    return t->cancelled;
}

const char *eddy_task_name(const struct eddy_task *t)
{
    return t->name;
}

/* ===================================================== suspensions */

EDDY_AWAITS int eddy_yield(void)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    if (t->cancelled)
        return -ECANCELED;
    if (t->timeout) {
        int64_t d = eddy_timeout_deadline(), now;
        if (d != EDDY_FOREVER && d <= (now = eddy_now())) {
            eddy__timeout_expire(t, now);
            return -ETIMEDOUT;
        }
    }
    t->where = __builtin_return_address(0);
    eddy__ready_push(t->loop, t);
    eddy__park(t);
    return 0;
}

static int sleep_until(int64_t deadline, void *where)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    struct eddy__waiter w;
    return eddy__suspend(t, &w, 0, deadline, false, true, where);
}

EDDY_AWAITS int eddy_sleep_until(int64_t deadline)
{
    return sleep_until(deadline, __builtin_return_address(0));
}

EDDY_AWAITS int eddy_sleep(int64_t ns)
{
    return sleep_until(eddy_deadline_in(ns), __builtin_return_address(0));
}

EDDY_AWAITS int eddy_gather(struct eddy_task **tasks, size_t n, int *results)
{
    struct eddy_task *self;
    int r = eddy__enter(&self);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        if (tasks[i] == self)
            return -EDEADLK;
        while (tasks[i]->state != EDDY__DONE) {
            struct eddy__waiter w;
            r = eddy__wait_on(self, &tasks[i]->joinq, &w, EDDY_FOREVER,
                              __builtin_return_address(0));
            if (r < 0)
                return r;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (results)
            results[i] = tasks[i]->result;
        eddy__task_release(tasks[i]);
    }
    return 0;
}

EDDY_AWAITS int eddy_wait_any(struct eddy_task **tasks, size_t n)
{
    struct eddy_task *self;
    int r = eddy__enter(&self);
    if (r < 0)
        return r;
    if (!n)
        return -EINVAL;
    for (;;) {
        for (size_t i = 0; i < n; i++)
            if (tasks[i]->state == EDDY__DONE)
                return (int)i;
        struct eddy__waiter small[8], *w = n <= 8 ? small : malloc(n * sizeof *w);
        if (!w)
            return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
            w[i] = (struct eddy__waiter){.task = self};
            eddy__waitq_push(&tasks[i]->joinq, &w[i]);
        }
        r = eddy__suspend(self, w, n, EDDY_FOREVER, false, false, __builtin_return_address(0));
        if (w != small)
            free(w);
        if (r < 0)
            return r;
    }
}

/* ====================================================== timeout scopes */

int eddy_timeout_begin(struct eddy_timeout *to, int64_t deadline)
{
    struct eddy_task *t = eddy__current();
    if (!t)
        return -EPERM;
    to->deadline = deadline;
    to->outer = t->timeout;
    to->expired = false;
    t->timeout = to;
    return 0;
}

bool eddy_timeout_end(struct eddy_timeout *to)
{
    struct eddy_task *t = eddy__current();
    if (t && t->timeout == to)
        t->timeout = to->outer;
    return to->expired;
}

int64_t eddy_timeout_deadline(void)
{
    struct eddy_task *t = eddy__current();
    int64_t d = EDDY_FOREVER;
    for (struct eddy_timeout *to = t ? t->timeout : NULL; to; to = to->outer)
        if (to->deadline < d)
            d = to->deadline;
    return d;
}

/* ================================================================ run */

int eddy_run(int (*fn)(void *arg), void *arg, const struct eddy_loop_config *cfg)
{
    struct eddy_loop *l = eddy_loop_new(cfg);
    if (!l)
        return -errno;
    struct eddy_task *t = eddy_spawn(fn, arg, "main");
    int r = t ? eddy_loop_run(l) : -errno;
    if (t && r == 0)
        r = t->state == EDDY__DONE ? t->result : -ECANCELED; /* stopped early */
    eddy_loop_free(l);
    return r;
}
