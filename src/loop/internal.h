/*
 * internal.h — what the files of src/loop/ share: the loop, task, wait-queue
 * and timer structures, and the few cross-file functions (names eddy__).
 *
 * The model in one paragraph: a task that must wait links one "waiter" node
 * (on its own stack) into a wait queue, optionally arms its timer node in
 * the loop's timer heap, and switches to the loop.  Whoever satisfies the
 * wait (event set, fd ready, timer, cancel) calls eddy__wake(), which unlinks
 * the node, disarms the timer and queues the task to run with a result code.
 * eddy__wake() is idempotent, so the first waker wins and the others (a timer
 * firing after a handoff, a second cancel) do nothing.
 */
#ifndef EDDY_LOOP_INTERNAL_H
#define EDDY_LOOP_INTERNAL_H

#include "eddy/loop.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

/* ------------------------------------------------------ context switch */

/* A suspended execution context.  asm backends: the saved stack pointer
 * (registers live on the stack).  ucontext backend: a ucontext_t *. */
struct eddy__ctx {
    void *p;
};
/* Prepares the loop's own context (ucontext needs storage); 0 or -errno. */
int eddy__ctx_main_init(struct eddy__ctx *c);
void eddy__ctx_main_fini(struct eddy__ctx *c);
/* Makes `c` start fn(arg) on the stack [lo, lo + size) at its first switch.
 * fn must never return (a task's end switches away for good). */
void eddy__ctx_make(struct eddy__ctx *c, void *lo, size_t size, void (*fn)(void *), void *arg);
/* Saves the current context into *from and resumes *to. */
void eddy__ctx_switch(struct eddy__ctx *from, struct eddy__ctx *to);

/* --------------------------------------------------------------- stacks */

/* One task's memory: a mapping [guard page][stack ...][task struct], so a
 * task costs one mmap and its struct shares the stack's topmost page. */
struct eddy__stack {
    void *base;   /* the mapping (guard page included) */
    char *lo;     /* lowest usable byte (base + one page) */
    size_t len;   /* its length */
    bool guarded; /* the lowest page is a guard */
};
/* A stack with at least `size` usable bytes; 0 or -ENOMEM. */
int eddy__stack_get(struct eddy_loop *loop, size_t size, struct eddy__stack *out);
void eddy__stack_put(struct eddy_loop *loop, const struct eddy__stack *s);
/* Unmaps the loop's pool. */
void eddy__stack_pool_free(struct eddy_loop *loop);

/* ----------------------------------------------------------- wait queues */

struct eddy__waitq;

/* One task waiting in one queue; lives on the waiting task's stack. */
struct eddy__waiter {
    struct eddy__waiter *prev, *next; /* neighbours in the queue */
    struct eddy__waitq *q;            /* the queue, NULL once unlinked */
    struct eddy_task *task;           /* who waits */
    void *item;                       /* chan: the item handed over */
    int events;                       /* fd waits: what is waited for / ready */
};
/* struct eddy__waitq (loop.h, inside struct eddy_group): a FIFO of
 * waiters, intrusive, doubly linked for O(1) removal. */

void eddy__waitq_push(struct eddy__waitq *q, struct eddy__waiter *w);
void eddy__waitq_unlink(struct eddy__waiter *w);
/* Wakes every waiter of q with `result`. */
void eddy__waitq_wake_all(struct eddy__waitq *q, int result);

/* ---------------------------------------------------------------- timers */

/* An entry of the timer heap.  `idx` makes removal O(log n). */
struct eddy__tnode {
    int64_t deadline;                       /* absolute, ns */
    size_t idx;                             /* heap slot, EDDY__NOT_ARMED when out */
    void (*fire)(struct eddy__tnode *node); /* called on the loop when due */
};
#define EDDY__NOT_ARMED ((size_t)-1)

/* (Re)arms or disarms (EDDY_FOREVER) a node; 0 or -ENOMEM. */
int eddy__timer_arm(struct eddy_loop *loop, struct eddy__tnode *n, int64_t deadline);
void eddy__timer_disarm(struct eddy_loop *loop, struct eddy__tnode *n);

/* ----------------------------------------------------------------- tasks */

enum eddy__state { EDDY__READY, EDDY__RUNNING, EDDY__WAITING, EDDY__DONE };

struct eddy_group;

struct eddy_task {
    struct eddy__ctx ctx;         /* saved context while not running */
    struct eddy_loop *loop;       /* the loop it belongs to */
    eddy_task_fn fn;              /* body */
    void *arg;                    /* its argument */
    int result;                   /* fn's return value, once DONE */
    int wake_result;              /* what the current suspension returns */
    int timer_result;             /* what it returns if its timer fires */
    uint8_t state;                /* enum eddy__state */
    bool cancelled;               /* eddy_cancel() was called (sticky) */
    bool detached;                /* no handle: free itself when done */
    bool shielded;                /* current wait ignores cancel (to_thread, group cleanup) */
    struct eddy_task *next_ready; /* ready queue link */
    struct eddy_task *prev_all, *next_all; /* the loop's list of live handles */
    struct eddy__waiter *wnodes;           /* the waiter nodes of the current wait */
    size_t nwnodes;                        /* how many */
    struct eddy__tnode timer;              /* deadline of the current wait */
    struct eddy_timeout *timeout;          /* innermost timeout scope */
    struct eddy__waitq joinq;              /* tasks waiting for this one to end */
    struct eddy_group *group;              /* owning group, or NULL */
    struct eddy_task *gprev, *gnext;       /* siblings in the group */
    void *where;                           /* code address it last resumed at (watchdog) */
    struct eddy__stack stack;              /* the memory this struct lives in */
    char name[32];                         /* for diagnostics */
};

/* The running task of this thread's loop, or NULL. */
struct eddy_task *eddy__current(void);
/* Queues a waiting task to resume with `result`; no-op unless it waits. */
void eddy__wake(struct eddy_task *t, int result);
/* The core suspension: the running task `t` (caller checked) waits in the
 * nodes w[0..n) already linked by the caller, until woken or `deadline`
 * (own; the timeout scopes are added here).  shield: ignore cancel and
 * deadlines (the caller re-checks after).  sleep: an own deadline that
 * fires returns 0 instead of -ETIMEDOUT.  Returns the wake result; every
 * node is unlinked on return. */
int eddy__suspend(struct eddy_task *t, struct eddy__waiter *w, size_t n, int64_t deadline,
                  bool shield, bool sleep, void *where);
/* Entry checks of an EDDY_AWAITS function: -EPERM outside a task,
 * -ECANCELED once cancelled, else 0 with *tp set. */
int eddy__enter(struct eddy_task **tp);
/* Waits in one queue (q may be NULL: only a deadline or a wake ends it). */
int eddy__wait_on(struct eddy_task *t, struct eddy__waitq *q, struct eddy__waiter *w,
                  int64_t deadline, void *where);
/* Marks the task's timeout scopes whose deadline is <= `when` expired. */
void eddy__timeout_expire(struct eddy_task *t, int64_t when);
/* Frees a finished (or, at loop free, abandoned) task's memory. */
void eddy__task_release(struct eddy_task *t);
/* Group bookkeeping when a child ends (group.c). */
void eddy__group_child_done(struct eddy_task *t);

/* ------------------------------------------------------------------ loop */

/* Per-fd state.  Allocated in fixed chunks so addresses stay put (waiter
 * nodes point at the queues inside). */
struct eddy__fd {
    struct eddy__waitq rd, wr; /* the reader and the writer waiting */
    struct eddy_watch *watch;  /* or a callback-level watch */
    uint32_t interest;         /* EPOLLIN|EPOLLOUT currently registered */
    uint32_t gen;              /* bumped on forget: stale epoll events are ignored */
    bool registered;           /* known to epoll */
};
#define EDDY__FD_CHUNK 256

/* Thread pool of eddy_to_thread (thread.c). */
struct eddy__pool;
void eddy__pool_on_wake(struct eddy_loop *loop);
void eddy__pool_free(struct eddy_loop *loop);

/* Signals (signal.c). */
void eddy__signal_on_read(struct eddy_loop *loop);
void eddy__signal_free(struct eddy_loop *loop);

/* Starts a thread with every signal blocked (signals belong to loops). */
int eddy__thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

/* Watchdog (watchdog.c). */
int eddy__watchdog_start(struct eddy_loop *loop);
void eddy__watchdog_stop(struct eddy_loop *loop);

/* epoll data tags for the loop's own descriptors (fd table entries use
 * gen << 32 | fd, and fds are < 2^31). */
#define EDDY__TAG_POOL   (UINT64_C(1) << 63)
#define EDDY__TAG_SIGNAL (UINT64_C(1) << 62)

/* Single-writer counter that other threads may read: a relaxed load+store,
 * not a locked add (that would cost ~20 cycles per switch). */
#define EDDY__BUMP(x, n)                                                                           \
    atomic_store_explicit(&(x), atomic_load_explicit(&(x), memory_order_relaxed) + (n),            \
                          memory_order_relaxed)

struct eddy_loop {
    int epfd;                  /* epoll instance */
    struct eddy__ctx main_ctx; /* the scheduler's context */
    const void *main_stack;    /* its stack bounds (ASan only) */
    size_t main_stack_size;
    struct eddy_task *_Atomic current;         /* running task (read by the watchdog) */
    struct eddy_task *ready_head, *ready_tail; /* FIFO of READY tasks */
    size_t nready;                             /* its length */
    size_t batch_left;                         /* tasks of this iteration's batch not yet resumed */
    struct eddy_task *all;                     /* every task whose handle is not released */
    bool running;                              /* inside eddy_loop_run */
    bool stop;                                 /* eddy_loop_stop() was called */
    size_t stack_size;                         /* default task stack */
    size_t nregistered;                        /* fds known to epoll (skip polling at 0) */
    size_t watches_armed;                      /* watches with events != 0 */

    /* timer heap: 4-ary min-heap of (deadline, node) */
    struct eddy__heap_ent {
        int64_t deadline;
        struct eddy__tnode *node;
    } * heap;
    size_t nheap, heap_cap;

    /* fd table */
    struct eddy__fd **fds; /* chunks of EDDY__FD_CHUNK */
    size_t nfd_chunks;

    /* stack pool: LIFO of default-size stacks */
    struct eddy__stack *pool;
    size_t npool;

    /* counters (eddy_loop_stats); written by the loop thread only */
    _Atomic uint64_t switches, spawned, alive, timers;
    /* callback runs (watch and timer callbacks), for the watchdog */
    _Atomic uint64_t cb_runs;
    void *_Atomic cb_fn; /* the callback running, or NULL */

    /* watchdog (watchdog.c) */
    int64_t wd_ns; /* threshold, < 0 off */
    void (*wd_report)(void *, const char *, const char *, int64_t);
    void *wd_arg;
    pthread_t wd_thread;
    bool wd_started;
    pthread_mutex_t wd_lock; /* stats below; wd_stop; memory release vs. sampling */
    pthread_cond_t wd_cond;
    bool wd_stop;
    uint64_t wd_reports;
    int64_t wd_worst_ns;
    char wd_worst_task[32];

    struct eddy__pool *pool_threads; /* to_thread pool, lazily started */

    /* signals */
    int sigfd;                         /* signalfd, -1 until the first eddy_signal_event */
    sigset_t sigmask;                  /* the signals it reads */
    sigset_t sig_oldmask;              /* thread mask before we blocked them */
    struct eddy_event *sig_events[65]; /* per signal number */
};

/* AddressSanitizer must be told when the stack changes, or it reports
 * false positives (and misses real ones) on task stacks.  These wrap every
 * switch; they compile to nothing without ASan. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define EDDY__ASAN 1
#else
#define EDDY__ASAN 0
#endif

/* Bounds of a task's usable stack (below its struct). */
static inline size_t eddy__stack_usable(const struct eddy_task *t)
{
    return (size_t)((const char *)t - t->stack.lo);
}

/* Switches from `from` to `to`, whose stack is [bottom, bottom + size).
 * dying: `from` will never be resumed (ASan frees its fake stack). */
static inline void eddy__switch(struct eddy__ctx *from, struct eddy__ctx *to, const void *bottom,
                                size_t size, bool dying)
{
#if EDDY__ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(dying ? NULL : &fake, bottom, size);
    eddy__ctx_switch(from, to);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    (void)bottom, (void)size, (void)dying;
    eddy__ctx_switch(from, to);
#endif
}

/* Queues a task to run at the loop's next turn. */
static inline void eddy__ready_push(struct eddy_loop *loop, struct eddy_task *t)
{
    t->state = EDDY__READY;
    t->next_ready = NULL;
    loop->nready++;
    if (loop->ready_tail)
        loop->ready_tail->next_ready = t;
    else
        loop->ready_head = t;
    loop->ready_tail = t;
}
/* Leaves the running task `t` (suspended, queued by a yield, or finished):
 * to the next ready task of the batch when possible, else to the loop. */
void eddy__park(struct eddy_task *t);

/* The fd table entry of fd, created when `create` (NULL on ENOMEM). */
struct eddy__fd *eddy__fd_get(struct eddy_loop *loop, int fd, bool create);
/* The thread's current loop. */
extern _Thread_local struct eddy_loop *eddy__loop;

#endif
