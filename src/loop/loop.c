/*
 * loop.c — the event loop: epoll, the timer heap, fd waits, callback-level
 * watches and timers, and the scheduler that resumes ready tasks.
 *
 * One iteration (eddy_loop_run):
 *   1. resume every task that was ready when the iteration began, in FIFO
 *      order (tasks made ready meanwhile, e.g. by eddy_yield, wait for the
 *      next iteration, so I/O is polled between two yields of a task); a
 *      suspending task switches directly to the next one (eddy__park);
 *   2. poll epoll — without blocking when tasks are ready, and not at all
 *      when no fd is registered (a pure-compute loop makes no system call);
 *   3. fire the due timers.
 * It ends when no task is alive and no timer or watch is armed.
 *
 * fd waits are level-triggered and their epoll interest is dropped lazily:
 * a task that waits for reading again and again on a busy socket costs no
 * epoll_ctl; interest is removed only when an event arrives that nobody
 * waits for (one MOD), so level triggering never spins.  A paused watch
 * keeps its interest the same way until an event comes (then it is
 * unregistered): libcurl pauses and re-arms a kept-alive connection's
 * socket around every transfer, which cost an epoll_ctl DEL and ADD each.
 *
 * Timers: a 4-ary min-heap of (deadline, node) pairs; the node keeps its slot
 * index so cancelling a wait removes its timer in O(log n).  4-ary halves the
 * depth of a binary heap; the four siblings compared at each level are 64
 * contiguous bytes.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

_Thread_local struct eddy_loop *eddy__loop;

int64_t eddy_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * EDDY_SEC + ts.tv_nsec;
}

int64_t eddy_deadline_in(int64_t ns)
{
    int64_t now = eddy_now();
    if (ns <= 0)
        return now;
    return ns > EDDY_FOREVER - now ? EDDY_FOREVER : now + ns;
}

const char *eddy_strerror(int err)
{
    return strerror(err < 0 ? -err : err);
}

/* ================================================================ timers */

static void heap_put(struct eddy_loop *l, size_t i, struct eddy__heap_ent e)
{
    l->heap[i] = e;
    e.node->idx = i;
}

static void sift_up(struct eddy_loop *l, size_t i)
{
    struct eddy__heap_ent e = l->heap[i];
    while (i) {
        size_t p = (i - 1) / 4;
        if (l->heap[p].deadline <= e.deadline)
            break;
        heap_put(l, i, l->heap[p]);
        i = p;
    }
    heap_put(l, i, e);
}

static void sift_down(struct eddy_loop *l, size_t i)
{
    struct eddy__heap_ent e = l->heap[i];
    for (;;) {
        size_t c = 4 * i + 1, best = c;
        if (c >= l->nheap)
            break;
        size_t end = c + 4 < l->nheap ? c + 4 : l->nheap;
        for (size_t k = c + 1; k < end; k++)
            if (l->heap[k].deadline < l->heap[best].deadline)
                best = k;
        if (l->heap[best].deadline >= e.deadline)
            break;
        heap_put(l, i, l->heap[best]);
        i = best;
    }
    heap_put(l, i, e);
}

static void heap_fix(struct eddy_loop *l, size_t i)
{
    if (i && l->heap[(i - 1) / 4].deadline > l->heap[i].deadline)
        sift_up(l, i);
    else
        sift_down(l, i);
}

int eddy__timer_arm(struct eddy_loop *l, struct eddy__tnode *n, int64_t deadline)
{
    if (deadline == EDDY_FOREVER) {
        eddy__timer_disarm(l, n);
        return 0;
    }
    n->deadline = deadline;
    if (n->idx != EDDY__NOT_ARMED) {
        l->heap[n->idx].deadline = deadline;
        heap_fix(l, n->idx);
        return 0;
    }
    if (l->nheap == l->heap_cap) {
        size_t cap = l->heap_cap ? 2 * l->heap_cap : 64;
        void *h = realloc(l->heap, cap * sizeof *l->heap);
        if (!h)
            return -ENOMEM;
        l->heap = h;
        l->heap_cap = cap;
    }
    l->heap[l->nheap] = (struct eddy__heap_ent){deadline, n};
    n->idx = l->nheap++;
    sift_up(l, n->idx);
    atomic_store_explicit(&l->timers, l->nheap, memory_order_relaxed);
    return 0;
}

void eddy__timer_disarm(struct eddy_loop *l, struct eddy__tnode *n)
{
    size_t i = n->idx;
    if (i == EDDY__NOT_ARMED)
        return;
    n->idx = EDDY__NOT_ARMED;
    struct eddy__heap_ent last = l->heap[--l->nheap];
    if (i < l->nheap) {
        heap_put(l, i, last);
        heap_fix(l, i);
    }
    atomic_store_explicit(&l->timers, l->nheap, memory_order_relaxed);
}

/* Fires what is due.  At most the timers due when it began: a callback that
 * re-arms itself in the past runs again next iteration, not forever now. */
static void run_timers(struct eddy_loop *l)
{
    int64_t now = eddy_now();
    for (size_t budget = l->nheap; budget && l->nheap && l->heap[0].deadline <= now; budget--) {
        struct eddy__tnode *n = l->heap[0].node;
        eddy__timer_disarm(l, n);
        n->fire(n);
    }
}

/* epoll_wait until the first timer (or forever, or not at all).  Uses
 * epoll_pwait2 (Linux 5.11) for a nanosecond timeout — with epoll_wait's
 * milliseconds a 100 us sleep would take 1 ms — and epoll_wait where the
 * kernel lacks it. */
static int poll_events(struct eddy_loop *l, struct epoll_event *evs, int max, bool nowait)
{
    static _Atomic bool no_pwait2;
    bool forever = !nowait && !l->nheap;
    int64_t d = nowait || forever ? 0 : l->heap[0].deadline - eddy_now();
    if (d < 0)
        d = 0;
    if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
        struct timespec ts = {d / EDDY_SEC, d % EDDY_SEC};
        int n = epoll_pwait2(l->epfd, evs, max, forever ? NULL : &ts, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        atomic_store_explicit(&no_pwait2, true, memory_order_relaxed);
    }
    /* round up: never wake before the deadline */
    int64_t ms = forever ? -1 : (d + EDDY_MSEC - 1) / EDDY_MSEC;
    return epoll_wait(l->epfd, evs, max, ms > INT_MAX ? INT_MAX : (int)ms);
}

struct eddy_timer {
    struct eddy__tnode node; /* first: the heap hands back this pointer */
    struct eddy_loop *loop;  /* the loop it belongs to */
    void (*cb)(void *arg);   /* what to call */
    void *arg;               /* with this */
};

/* Callbacks are watched like tasks: a run counter and what runs. */
static void cb_enter(struct eddy_loop *l, void *fn)
{
    EDDY__BUMP(l->cb_runs, 1);
    atomic_store_explicit(&l->cb_fn, fn, memory_order_relaxed);
}

static void cb_leave(struct eddy_loop *l)
{
    atomic_store_explicit(&l->cb_fn, NULL, memory_order_relaxed);
}

static void timer_fire(struct eddy__tnode *n)
{
    struct eddy_timer *t = (struct eddy_timer *)n;
    struct eddy_loop *l = t->loop;
    cb_enter(l, (void *)t->cb);
    t->cb(t->arg); /* may free t */
    cb_leave(l);
}

struct eddy_timer *eddy_timer_new(void (*cb)(void *arg), void *arg)
{
    if (!eddy__loop) {
        errno = EPERM;
        return NULL;
    }
    struct eddy_timer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->node.idx = EDDY__NOT_ARMED;
    t->node.fire = timer_fire;
    t->loop = eddy__loop;
    t->cb = cb;
    t->arg = arg;
    return t;
}

void eddy_timer_set(struct eddy_timer *t, int64_t deadline)
{
    /* ENOMEM growing the heap leaves the timer disarmed; the heap doubles,
     * so this needs malloc to fail on a few hundred bytes. */
    if (eddy__timer_arm(t->loop, &t->node, deadline) < 0)
        eddy__timer_disarm(t->loop, &t->node);
}

void eddy_timer_free(struct eddy_timer *t)
{
    if (!t)
        return;
    eddy__timer_disarm(t->loop, &t->node);
    free(t);
}

/* ============================================================ fd table */

struct eddy__fd *eddy__fd_get(struct eddy_loop *l, int fd, bool create)
{
    if (fd < 0)
        return NULL;
    size_t c = (size_t)fd / EDDY__FD_CHUNK;
    if (c >= l->nfd_chunks) {
        if (!create)
            return NULL;
        size_t n = c + 1 > 2 * l->nfd_chunks ? c + 1 : 2 * l->nfd_chunks;
        struct eddy__fd **p = realloc(l->fds, n * sizeof *p);
        if (!p)
            return NULL;
        memset(p + l->nfd_chunks, 0, (n - l->nfd_chunks) * sizeof *p);
        l->fds = p;
        l->nfd_chunks = n;
    }
    if (!l->fds[c]) {
        if (!create)
            return NULL;
        l->fds[c] = calloc(EDDY__FD_CHUNK, sizeof **l->fds);
        if (!l->fds[c])
            return NULL;
    }
    return &l->fds[c][fd % EDDY__FD_CHUNK];
}

/* Makes epoll's interest for fd equal `want` (0: not registered). */
static int fd_register(struct eddy_loop *l, struct eddy__fd *f, int fd, uint32_t want)
{
    if (f->registered && want == f->interest)
        return 0;
    struct epoll_event ev = {.events = want, .data.u64 = (uint64_t)f->gen << 32 | (uint32_t)fd};
    int r;
    if (!want) {
        if (!f->registered)
            return 0;
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, &ev);
        f->registered = false; /* errors ignored: a closed fd is already gone */
        f->interest = 0;
        l->nregistered--;
        return 0;
    }
    if (f->registered) {
        r = epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
        if (r < 0 && errno == ENOENT) /* closed and reopened behind our back */
            r = epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
    } else {
        r = epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
        if (r < 0 && errno == EEXIST)
            r = epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
        if (r == 0) {
            f->registered = true;
            l->nregistered++;
        }
    }
    if (r < 0)
        return -errno;
    f->interest = want;
    return 0;
}

static uint32_t to_epoll(int events)
{
    return (events & EDDY_READ ? EPOLLIN | EPOLLRDHUP : 0) | (events & EDDY_WRITE ? EPOLLOUT : 0);
}

EDDY_AWAITS int eddy_wait_fd(int fd, int events, int64_t deadline)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    events &= EDDY_READ | EDDY_WRITE;
    if (fd < 0 || !events)
        return -EINVAL;
    struct eddy_loop *l = t->loop;
    struct eddy__fd *f = eddy__fd_get(l, fd, true);
    if (!f)
        return -ENOMEM;
    if (f->watch || (events & EDDY_READ && f->rd.head) || (events & EDDY_WRITE && f->wr.head))
        return -EBUSY;
    r = fd_register(l, f, fd, f->interest | to_epoll(events));
    if (r == -EPERM) /* a regular file or directory: always ready, as poll(2) says */
        return events;
    if (r < 0)
        return r;
    struct eddy__waiter w[2];
    size_t n = 0;
    if (events & EDDY_READ) {
        w[n] = (struct eddy__waiter){.task = t};
        eddy__waitq_push(&f->rd, &w[n++]);
    }
    if (events & EDDY_WRITE) {
        w[n] = (struct eddy__waiter){.task = t};
        eddy__waitq_push(&f->wr, &w[n++]);
    }
    r = eddy__suspend(t, w, n, deadline, false, false, __builtin_return_address(0));
    if (r < 0)
        return r;
    return (w[0].events | (n > 1 ? w[1].events : 0)) & events;
}

void eddy_fd_forget(int fd)
{
    struct eddy_loop *l = eddy__loop;
    struct eddy__fd *f = l ? eddy__fd_get(l, fd, false) : NULL;
    if (!f || f->watch)
        return;
    eddy__waitq_wake_all(&f->rd, -EBADF);
    eddy__waitq_wake_all(&f->wr, -EBADF);
    if (f->registered)
        fd_register(l, f, fd, 0);
    f->gen++;
}

/* ============================================================== watches */

struct eddy_watch {
    struct eddy_loop *loop;                   /* owner */
    int fd;                                   /* watched descriptor */
    int events;                               /* EDDY_READ|EDDY_WRITE, 0: paused */
    void (*cb)(void *arg, int fd, int ready); /* readiness callback */
    void *arg;                                /* its argument */
};

struct eddy_watch *eddy_watch_new(int fd, int events, void (*cb)(void *arg, int fd, int ready),
                                  void *arg)
{
    struct eddy_loop *l = eddy__loop;
    if (!l) {
        errno = EPERM;
        return NULL;
    }
    struct eddy__fd *f = eddy__fd_get(l, fd, true);
    if (!f) {
        errno = fd < 0 ? EBADF : ENOMEM;
        return NULL;
    }
    if (f->watch || f->rd.head || f->wr.head) {
        errno = EBUSY;
        return NULL;
    }
    struct eddy_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    *w = (struct eddy_watch){l, fd, 0, cb, arg};
    /* Drop interest left over from earlier task waits on this fd. */
    if (f->registered)
        fd_register(l, f, fd, 0);
    f->watch = w;
    int r = eddy_watch_set(w, events);
    if (r < 0) {
        f->watch = NULL;
        free(w);
        errno = -r;
        return NULL;
    }
    return w;
}

int eddy_watch_set(struct eddy_watch *w, int events)
{
    struct eddy_loop *l = w->loop;
    struct eddy__fd *f = eddy__fd_get(l, w->fd, false);
    events &= EDDY_READ | EDDY_WRITE;
    /* Paused keeps the registration until an event comes (fd_event drops
     * it then: unregistered, as an empty interest set would still report
     * hang-ups and spin); re-armed alike, it costs no system call. */
    int r = events ? fd_register(l, f, w->fd, to_epoll(events)) : 0;
    if (r < 0)
        return r;
    l->watches_armed += (events != 0) - (w->events != 0);
    w->events = events;
    return 0;
}

void eddy_watch_free(struct eddy_watch *w)
{
    if (!w)
        return;
    eddy_watch_set(w, 0);
    struct eddy__fd *f = eddy__fd_get(w->loop, w->fd, false);
    fd_register(w->loop, f, w->fd, 0); /* now: the owner may close fd next */
    f->watch = NULL;
    f->gen++;
    free(w);
}

static void fd_event(struct eddy_loop *l, uint64_t data, uint32_t e)
{
    int fd = (int)(uint32_t)data;
    struct eddy__fd *f = eddy__fd_get(l, fd, false);
    if (!f || f->gen != (uint32_t)(data >> 32) || !f->registered)
        return; /* forgotten or re-registered since this batch was read */
    int ready = (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR) ? EDDY_READ : 0) |
                (e & (EPOLLOUT | EPOLLHUP | EPOLLERR) ? EDDY_WRITE : 0);
    if (f->watch) {
        struct eddy_watch *w = f->watch;
        if (!w->events) { /* paused: nobody wants it now */
            fd_register(l, f, fd, 0);
            return;
        }
        int mine = ready & w->events;
        cb_enter(l, (void *)w->cb);
        w->cb(w->arg, fd, mine ? mine : w->events); /* may free w */
        cb_leave(l);
        return;
    }
    /* Both nodes first: a task waiting for both directions is one wake. */
    struct eddy__waiter *rd = ready & EDDY_READ ? f->rd.head : NULL;
    struct eddy__waiter *wr = ready & EDDY_WRITE ? f->wr.head : NULL;
    uint32_t unwanted = (ready & EDDY_READ && !rd ? EPOLLIN | EPOLLRDHUP : 0) |
                        (ready & EDDY_WRITE && !wr ? EPOLLOUT : 0);
    if (rd)
        rd->events = ready;
    if (wr)
        wr->events = ready;
    if (rd)
        eddy__wake(rd->task, 0);
    if (wr)
        eddy__wake(wr->task, 0);
    if (f->interest & unwanted)
        fd_register(l, f, fd, f->interest & ~unwanted);
}

/* ============================================================ the loop */

struct eddy_loop *eddy_loop_new(const struct eddy_loop_config *cfg)
{
    if (eddy__loop) {
        errno = EBUSY;
        return NULL;
    }
    struct eddy_loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->sigfd = -1;
    int r = l->epfd < 0 ? -errno : eddy__ctx_main_init(&l->main_ctx);
    if (r < 0) {
        if (l->epfd >= 0)
            close(l->epfd);
        free(l);
        errno = -r;
        return NULL;
    }
    l->stack_size = cfg && cfg->stack_size ? cfg->stack_size : EDDY_STACK_DEFAULT;
    l->wd_ns = !cfg || !cfg->watchdog_ns ? 100 * EDDY_MSEC : cfg->watchdog_ns;
    l->wd_report = cfg ? cfg->watchdog_report : NULL;
    l->wd_arg = cfg ? cfg->watchdog_arg : NULL;
    pthread_mutex_init(&l->wd_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the watchdog's timed waits */
    pthread_cond_init(&l->wd_cond, &ca);
    pthread_condattr_destroy(&ca);
    eddy__loop = l;
    if (l->wd_ns > 0 && (r = eddy__watchdog_start(l)) < 0) {
        eddy_loop_free(l);
        errno = -r;
        return NULL;
    }
    return l;
}

void eddy_loop_free(struct eddy_loop *l)
{
    if (!l)
        return;
    eddy__watchdog_stop(l);
    /* Threads first: a to_thread job may still use a task's stack. */
    eddy__pool_free(l);
    while (l->all) {
        struct eddy_task *t = l->all;
        /* Unhook it from queues of objects that may outlive the loop. */
        for (size_t i = 0; i < t->nwnodes; i++)
            if (t->wnodes[i].q)
                eddy__waitq_unlink(&t->wnodes[i]);
        eddy__timer_disarm(l, &t->timer);
        eddy__task_release(t);
    }
    eddy__signal_free(l);
    for (size_t c = 0; c < l->nfd_chunks; c++)
        free(l->fds[c]);
    free(l->fds);
    free(l->heap);
    eddy__stack_pool_free(l);
    eddy__ctx_main_fini(&l->main_ctx);
    close(l->epfd);
    pthread_mutex_destroy(&l->wd_lock);
    pthread_cond_destroy(&l->wd_cond);
    if (eddy__loop == l)
        eddy__loop = NULL;
    free(l);
}

struct eddy_loop *eddy_loop_current(void)
{
    return eddy__loop;
}

void eddy_loop_stop(struct eddy_loop *l)
{
    l->stop = true;
}

static struct eddy_task *ready_pop(struct eddy_loop *l)
{
    struct eddy_task *t = l->ready_head;
    if (!(l->ready_head = t->next_ready))
        l->ready_tail = NULL;
    l->nready--;
    return t;
}

/* Runs `t` until control comes back to the loop: `t` or a task it switched
 * to directly suspended through the loop, or ended. */
static void resume(struct eddy_loop *l, struct eddy_task *t)
{
    t->state = EDDY__RUNNING;
    atomic_store_explicit(&l->current, t, memory_order_release);
    EDDY__BUMP(l->switches, 1);
    eddy__switch(&l->main_ctx, &t->ctx, t->stack.lo, eddy__stack_usable(t), false);
    struct eddy_task *back = atomic_load_explicit(&l->current, memory_order_relaxed);
    atomic_store_explicit(&l->current, NULL, memory_order_relaxed);
    if (back->state == EDDY__DONE && back->detached)
        eddy__task_release(back); /* not before: we stood on its stack */
}

/* A suspending task hands the CPU straight to the next task of the batch
 * (one context switch instead of two through the loop).  When the batch is
 * over and the loop would have nothing to do between two batches (no fd
 * registered, no timer), it starts the next batch itself.  A finished
 * detached task returns to the loop, which must free the stack it stands
 * on; a finished joinable one keeps its stack until eddy_join(). */
void eddy__park(struct eddy_task *t)
{
    struct eddy_loop *l = t->loop;
    bool done = t->state == EDDY__DONE;
    if (l->ready_head && !(done && t->detached) && !l->stop) {
        if (!l->batch_left && !l->nregistered && !l->nheap)
            l->batch_left = l->nready;
        if (l->batch_left) {
            struct eddy_task *n = ready_pop(l);
            l->batch_left--;
            n->state = EDDY__RUNNING;
            atomic_store_explicit(&l->current, n, memory_order_release);
            EDDY__BUMP(l->switches, 1);
            if (n == t) /* a lone task yielding: it simply goes on */
                return;
            eddy__switch(&t->ctx, &n->ctx, n->stack.lo, eddy__stack_usable(n), done);
            return;
        }
    }
    eddy__switch(&t->ctx, &l->main_ctx, l->main_stack, l->main_stack_size, done);
}

int eddy_loop_run(struct eddy_loop *l)
{
    if (l != eddy__loop)
        return -EPERM;
    if (l->running)
        return -EBUSY;
    l->running = true;
    l->stop = false;
    int err = 0;
    struct epoll_event evs[256];
    while (!l->stop) {
        l->batch_left = l->nready;
        while (l->batch_left && !l->stop) {
            l->batch_left--;
            resume(l, ready_pop(l));
        }
        if (l->stop)
            break;
        bool ready = l->ready_head != NULL;
        if (!ready && !l->alive && !l->nheap && !l->watches_armed)
            break;
        if (l->nregistered || !ready) {
            int n = poll_events(l, evs, 256, ready);
            if (n < 0 && errno != EINTR) {
                err = -errno;
                break;
            }
            for (int i = 0; i < n; i++) {
                uint64_t d = evs[i].data.u64;
                if (d == EDDY__TAG_POOL)
                    eddy__pool_on_wake(l);
                else if (d == EDDY__TAG_SIGNAL)
                    eddy__signal_on_read(l);
                else
                    fd_event(l, d, evs[i].events);
            }
        }
        if (l->nheap)
            run_timers(l);
    }
    l->running = false;
    return err;
}

void eddy_loop_stats(struct eddy_loop *l, struct eddy_loop_stats *out)
{
    memset(out, 0, sizeof *out);
    out->switches = atomic_load_explicit(&l->switches, memory_order_relaxed);
    out->tasks_spawned = atomic_load_explicit(&l->spawned, memory_order_relaxed);
    out->tasks_alive = atomic_load_explicit(&l->alive, memory_order_relaxed);
    out->timers_pending = atomic_load_explicit(&l->timers, memory_order_relaxed);
    pthread_mutex_lock(&l->wd_lock);
    out->watchdog_reports = l->wd_reports;
    out->watchdog_worst_ns = l->wd_worst_ns;
    memcpy(out->watchdog_worst_task, l->wd_worst_task, sizeof out->watchdog_worst_task);
    pthread_mutex_unlock(&l->wd_lock);
}
