/*
 * eddy/loop.h — the coroutine runtime (layer loop/): eddy's asyncio.
 *
 * An event loop on epoll runs stackful coroutines ("tasks").  A task runs
 * until it calls a function marked EDDY_AWAITS; nothing else switches tasks.
 * Depends on nothing else of eddy.  One loop per thread (the loop a thread
 * runs is its "current" loop); several threads may each run their own loop.
 * Objects of one loop (tasks, groups, sync primitives, watches, timers) are
 * used only from that loop's thread.
 *
 * The rules of every eddy header (names, errors, time, ownership) are in
 * include/eddy/README.md.  Errors: int returns are >= 0 on success and a
 * negative errno on failure; constructors return NULL (errno set) only on
 * failure.  Results marked EDDY_NODISCARD must be checked.  Every
 * EDDY_AWAITS function:
 *   - returns -EPERM when called outside a task (never crashes);
 *   - returns -ECANCELED once the calling task has been cancelled
 *     (cancellation is sticky: every later suspension returns it too, so the
 *     task leaves through its own error paths — nothing is unwound); as in
 *     asyncio, a call that completes without suspending (an uncontended
 *     lock, a set event, a finished join) still succeeds, so cleanup works;
 *   - returns -ETIMEDOUT once its own deadline or the task's innermost
 *     timeout scope (eddy_timeout_begin) has passed.
 *
 * Time is int64_t nanoseconds of CLOCK_MONOTONIC.  A wait that takes a
 * time takes an absolute deadline (eddy_deadline_in(5 * EDDY_SEC));
 * EDDY_FOREVER means none.  Waits for the caller's own children (eddy_join,
 * eddy_gather, eddy_wait_any, eddy_group_wait) take none: they are bounded by
 * the task's timeout scope, the one way to give up on children.  Relative
 * durations appear only in option fields named *_ns (counted from the start
 * of what they bound) and in eddy_sleep(), whose duration is the wait.
 */
#ifndef EDDY_LOOP_H
#define EDDY_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

/* Marks a function that may suspend the calling task.  Expands to nothing. */
#define EDDY_AWAITS
/* Marks a result that must be checked: ignoring it is a bug (a lost task
 * handle, a lock not held, a child's failure unseen).  The compiler warns. */
#define EDDY_NODISCARD __attribute__((warn_unused_result))

#define EDDY_NSEC    INT64_C(1)
#define EDDY_USEC    INT64_C(1000)
#define EDDY_MSEC    INT64_C(1000000)
#define EDDY_SEC     INT64_C(1000000000)
#define EDDY_FOREVER INT64_MAX

/* CLOCK_MONOTONIC now, in ns. */
int64_t eddy_now(void);
/* now + ns, saturating at EDDY_FOREVER (ns < 0 counts as 0). */
int64_t eddy_deadline_in(int64_t ns);

/* strerror() for eddy's negative errno values ("-ETIMEDOUT" -> text). */
const char *eddy_strerror(int err);

/* ------------------------------------------------------------------ loop */

struct eddy_loop;

struct eddy_loop_config {
    size_t stack_size;   /* default task stack in bytes; 0: EDDY_STACK_DEFAULT */
    int64_t watchdog_ns; /* report a task that runs this long without
                          * suspending; 0: 100 ms; < 0: watchdog off */
    /* Called (on the watchdog's thread) for each report; NULL: one line on
     * stderr.  `where` is the code address the task last resumed at,
     * symbolized when possible.  A watch or timer callback that runs too
     * long is reported too, as task "(callback)" with the callback's address. */
    void (*watchdog_report)(void *arg, const char *task_name, const char *where, int64_t ran_ns);
    void *watchdog_arg;
};

/* Stack size when neither the loop nor the task says: small enough that
 * a million parked tasks fit in memory (see src/loop/stack.c for why). */
#define EDDY_STACK_DEFAULT (64 * 1024)

/* A new loop for the calling thread (cfg may be NULL: defaults).  The caller
 * owns it and frees it with eddy_loop_free() from the same thread.  Returns
 * NULL on failure, errno set: EBUSY (the thread already has a loop),
 * ENOMEM, or epoll's error. */
struct eddy_loop *eddy_loop_new(const struct eddy_loop_config *cfg);
/* Frees the loop; tasks still alive are freed without running again.
 * NULL is a no-op. */
void eddy_loop_free(struct eddy_loop *loop);
/* Runs until no task is alive and no timer or watch is armed, or until
 * eddy_loop_stop().  Returns 0 or a negative errno (epoll failure). */
int eddy_loop_run(struct eddy_loop *loop);
/* Makes eddy_loop_run() return after the current iteration. */
void eddy_loop_stop(struct eddy_loop *loop);
/* The calling thread's loop, or NULL. */
struct eddy_loop *eddy_loop_current(void);

/* asyncio.run(): a new loop on this thread (cfg may be NULL), `fn(arg)` as its
 * first task named "main", run until everything has ended, loop freed.
 * Returns fn's result, or a negative errno when the loop could not start. */
int eddy_run(int (*fn)(void *arg), void *arg, const struct eddy_loop_config *cfg);

struct eddy_loop_stats {
    uint64_t switches;            /* task resumptions since the loop started */
    uint64_t tasks_spawned;       /* tasks created */
    uint64_t tasks_alive;         /* tasks not yet finished */
    uint64_t timers_pending;      /* armed timers and sleeping tasks */
    uint64_t watchdog_reports;    /* tasks reported as running too long */
    int64_t watchdog_worst_ns;    /* longest run without suspending, reported */
    char watchdog_worst_task[32]; /* its name */
};
/* Counters of `loop` (any thread may call this; values are a snapshot). */
void eddy_loop_stats(struct eddy_loop *loop, struct eddy_loop_stats *out);

/* ----------------------------------------------------------------- tasks */

struct eddy_task;

/* A task's body.  Its return value is the task's result: >= 0 success,
 * negative errno failure (that is what task groups count as failure). */
typedef int (*eddy_task_fn)(void *arg);

struct eddy_task_opts {
    const char *name;  /* for diagnostics (copied, truncated to 31 bytes); NULL: "task" */
    size_t stack_size; /* 0: the loop's default */
};

/* Creates a task on the current loop that will run fn(arg); it starts at the
 * loop's next turn (spawning never switches).  The handle (and the task's
 * stack) belongs to the caller until eddy_join() or eddy_detach() releases
 * it.  Returns NULL (errno set: EPERM without a loop, ENOMEM) on failure. */
EDDY_NODISCARD struct eddy_task *eddy_spawn(eddy_task_fn fn, void *arg, const char *name);
EDDY_NODISCARD struct eddy_task *eddy_spawn_opts(eddy_task_fn fn, void *arg,
                                                 const struct eddy_task_opts *opts);

/* Waits for `t` to finish; no deadline of its own: bounded by the task's
 * timeout scope.  Returns 0 and stores its result in *result (may be NULL)
 * and frees the handle; or -ECANCELED / -ETIMEDOUT when the *waiting* task
 * was cancelled or timed out (then `t` is still running and the handle still
 * valid: join it again, or cancel and detach it). */
EDDY_NODISCARD EDDY_AWAITS int eddy_join(struct eddy_task *t, int *result);
/* Gives up the handle: the task frees itself when it ends. */
void eddy_detach(struct eddy_task *t);
/* Requests cancellation: `t` gets -ECANCELED from its current suspension
 * (it is woken now) or its next one.  Idempotent; a finished task is left
 * alone.  Never switches. */
void eddy_cancel(struct eddy_task *t);
/* True once the task has returned. */
bool eddy_task_done(const struct eddy_task *t);
/* True once eddy_cancel() was called on the task. */
bool eddy_task_cancelled(const struct eddy_task *t);
const char *eddy_task_name(const struct eddy_task *t);
/* The running task, or NULL on the loop itself / outside a loop. */
struct eddy_task *eddy_task_current(void);

/* "await asyncio.sleep(0)": lets every other ready task run once. */
EDDY_AWAITS int eddy_yield(void);
/* Sleeps for ns (relative: the duration is the wait) / until an absolute
 * deadline.  0 when the time has come; -ECANCELED, or -ETIMEDOUT when the
 * timeout scope ends first. */
EDDY_AWAITS int eddy_sleep(int64_t ns);
EDDY_AWAITS int eddy_sleep_until(int64_t deadline);

/* Joining waits: no deadline of their own, bounded by the timeout scope.
 * Waits for every task of tasks[0..n) to finish (asyncio.gather), storing
 * each result in results[i] (may be NULL) and freeing every handle.  Returns
 * 0; or -ECANCELED / -ETIMEDOUT when the waiting task is interrupted: then
 * nothing is freed and the handles stay valid. */
EDDY_NODISCARD EDDY_AWAITS int eddy_gather(struct eddy_task **tasks, size_t n, int *results);
/* Waits until at least one task of tasks[0..n) has finished
 * (asyncio.wait FIRST_COMPLETED) and returns the index of one that has;
 * frees nothing (join it to get its result).  Negative errno as above. */
EDDY_NODISCARD EDDY_AWAITS int eddy_wait_any(struct eddy_task **tasks, size_t n);

/* ------------------------------------------------------ timeout scopes */

/* asyncio.timeout(): every suspension between begin and end returns
 * -ETIMEDOUT once `deadline` has passed.  Scopes nest (the earliest deadline
 * wins) and live on the caller's stack; end them in reverse order.
 *
 *     struct eddy_timeout to;
 *     eddy_timeout_begin(&to, eddy_deadline_in(2 * EDDY_SEC));
 *     err = fetch_everything();
 *     if (eddy_timeout_end(&to)) ...   // this scope's deadline fired
 */
struct eddy_timeout {
    int64_t deadline;           /* absolute; this scope's own */
    struct eddy_timeout *outer; /* private: the enclosing scope */
    bool expired;               /* private: a suspension returned -ETIMEDOUT for it */
};
/* Returns 0, or -EPERM outside a task. */
int eddy_timeout_begin(struct eddy_timeout *to, int64_t deadline);
/* Ends the scope; true when its deadline expired inside it. */
bool eddy_timeout_end(struct eddy_timeout *to);
/* The effective deadline of the running task (EDDY_FOREVER when none). */
int64_t eddy_timeout_deadline(void);

/* ----------------------------------------------------------- task groups */

/* Structured concurrency (asyncio.TaskGroup, trio nurseries): children
 * spawned into a group; eddy_group_wait() returns when all have ended; the
 * first child that fails (result < 0) cancels its siblings; no child outlives
 * the group.  A group lives in the caller's storage (like struct
 * eddy_timeout), so making one cannot fail:
 *
 *     struct eddy_group g;
 *     eddy_group_init(&g);
 *     for (size_t i = 0; i < n; i++)
 *         if ((err = eddy_group_spawn(&g, fetch_one, &jobs[i], "fetch")) < 0)
 *             break;                    // the children spawned so far still run
 *     int werr = eddy_group_wait(&g);   // always empties the group
 *     eddy_group_fini(&g);
 */
struct eddy__waiter;
struct eddy__waitq { /* private */
    struct eddy__waiter *head, *tail;
};
struct eddy_group {             /* every field private */
    struct eddy_task *children; /* live children */
    size_t n;                   /* how many */
    int error;                  /* first failing child's result, 0 if none */
    bool cancelled;             /* eddy_group_cancel() or a failure happened */
    struct eddy__waitq waiters; /* the task in eddy_group_wait */
};

/* An empty group (cannot fail).  Its children run on the loop of the task
 * that spawns them; use it from that loop only. */
void eddy_group_init(struct eddy_group *g);
/* Spawns fn(arg) into the group.  Returns 0, -ENOMEM, -EPERM outside a loop,
 * or -ECANCELED when the group is already cancelled (nothing spawned). */
EDDY_NODISCARD int eddy_group_spawn(struct eddy_group *g, eddy_task_fn fn, void *arg,
                                    const char *name);
/* Waits for every child; no deadline of its own: bounded by the task's
 * timeout scope.  Returns 0 when all succeeded, else the first failing
 * child's result.  When the waiting task is cancelled or times out, the
 * children are cancelled and still waited for (the group is always empty on
 * return), and -ECANCELED / -ETIMEDOUT is returned. */
EDDY_NODISCARD EDDY_AWAITS int eddy_group_wait(struct eddy_group *g);
/* Cancels every child (never switches). */
void eddy_group_cancel(struct eddy_group *g);
/* Ends an empty group (it may be initialised again).  A group that still has
 * children is a bug: it aborts with a message naming them. */
void eddy_group_fini(struct eddy_group *g);

/* ------------------------------------------------------ sync primitives */

/* All of these belong to one loop (NULL, errno ENOMEM, on failure), are
 * owned by their creator, freed with their _free (NULL is a no-op; freeing
 * one that tasks wait on wakes them with -EPIPE), and their waits are
 * cancellable and take a deadline. */

/* asyncio.Event. */
struct eddy_event;
struct eddy_event *eddy_event_new(void);
void eddy_event_free(struct eddy_event *ev);
void eddy_event_set(struct eddy_event *ev); /* wakes every waiter */
void eddy_event_clear(struct eddy_event *ev);
bool eddy_event_is_set(const struct eddy_event *ev);
EDDY_AWAITS int eddy_event_wait(struct eddy_event *ev, int64_t deadline);

/* asyncio.Lock: FIFO, not reentrant. */
struct eddy_lock;
struct eddy_lock *eddy_lock_new(void);
void eddy_lock_free(struct eddy_lock *l);
EDDY_NODISCARD EDDY_AWAITS int eddy_lock_acquire(struct eddy_lock *l, int64_t deadline);
EDDY_NODISCARD bool eddy_lock_try(struct eddy_lock *l); /* true: acquired */
void eddy_lock_release(struct eddy_lock *l);

/* asyncio.Semaphore: FIFO. */
struct eddy_sem;
struct eddy_sem *eddy_sem_new(unsigned value);
void eddy_sem_free(struct eddy_sem *s);
EDDY_NODISCARD EDDY_AWAITS int eddy_sem_acquire(struct eddy_sem *s, int64_t deadline);
EDDY_NODISCARD bool eddy_sem_try(struct eddy_sem *s);
void eddy_sem_release(struct eddy_sem *s);

/* A bounded FIFO queue of pointers (asyncio.Queue with maxsize, Go channel)
 * with close: after eddy_chan_close() sends fail with -EPIPE and receives
 * drain what is queued, then fail with -EPIPE. */
struct eddy_chan;
struct eddy_chan *eddy_chan_new(size_t capacity); /* capacity >= 1 */
void eddy_chan_free(struct eddy_chan *ch);
EDDY_NODISCARD EDDY_AWAITS int eddy_chan_send(struct eddy_chan *ch, void *item, int64_t deadline);
EDDY_NODISCARD EDDY_AWAITS int eddy_chan_recv(struct eddy_chan *ch, void **item, int64_t deadline);
EDDY_NODISCARD int eddy_chan_try_send(struct eddy_chan *ch, void *item);  /* -EAGAIN when full */
EDDY_NODISCARD int eddy_chan_try_recv(struct eddy_chan *ch, void **item); /* -EAGAIN when empty */
void eddy_chan_close(struct eddy_chan *ch);
size_t eddy_chan_len(const struct eddy_chan *ch);

/* ----------------------------------------------------- thread offload */

/* Runs fn(arg) on the loop's thread pool (asyncio.to_thread) and suspends
 * the calling task until it returns; the result is fn's.  fn must not touch
 * the loop.  A cancelled or timed-out caller still waits for fn to finish —
 * arg is the caller's memory — and then returns -ECANCELED / -ETIMEDOUT. */
EDDY_NODISCARD EDDY_AWAITS int eddy_to_thread(int (*fn)(void *arg), void *arg);

/* ------------------------------------------------------ file descriptors */

enum { EDDY_READ = 1, EDDY_WRITE = 2 };

/* Suspends until fd is readable and/or writable (events: EDDY_READ |
 * EDDY_WRITE) or the deadline passes.  Returns the ready events (> 0; error
 * and hang-up conditions count as ready), or a negative errno.  One task may
 * wait for reading and another for writing the same fd at once.  Call
 * eddy_fd_forget(fd) before closing an fd that was waited on (the loop keeps
 * its epoll registration between waits).  A regular file, which epoll
 * refuses, is reported ready at once (poll(2) semantics). */
EDDY_AWAITS int eddy_wait_fd(int fd, int events, int64_t deadline);
/* Drops the loop's registration of fd (waiters get -EBADF). */
void eddy_fd_forget(int fd);

/* Callback-level hooks, for libraries that own their own state machine
 * (libcurl's multi_socket API): a callback runs on the loop, outside any
 * task, and must not suspend.  An fd is either waited on by tasks or watched
 * here, not both. */
struct eddy_watch;
/* Watches fd for `events` (0 allowed: paused) and calls cb(arg, fd, ready)
 * on readiness (level-triggered).  Owned by the caller (eddy_watch_free);
 * NULL (errno) on failure. */
struct eddy_watch *eddy_watch_new(int fd, int events, void (*cb)(void *arg, int fd, int ready),
                                  void *arg);
int eddy_watch_set(struct eddy_watch *w, int events);
void eddy_watch_free(struct eddy_watch *w);

/* A one-shot timer calling cb(arg) on the loop at a deadline.  Owned by the
 * caller (eddy_timer_free); NULL (errno) on failure. */
struct eddy_timer;
struct eddy_timer *eddy_timer_new(void (*cb)(void *arg), void *arg);
/* Arms (or re-arms) at `deadline`; EDDY_FOREVER disarms. */
void eddy_timer_set(struct eddy_timer *t, int64_t deadline);
void eddy_timer_free(struct eddy_timer *t);

/* --------------------------------------------------------------- signals */

/* An event of the current loop that is set whenever `signo` (SIGINT,
 * SIGTERM, SIGHUP, ...) arrives.  The signal is blocked in the calling thread
 * and read from a signalfd; start other threads after this call so they
 * inherit the mask.  The loop owns the event (do not free it); waiters clear
 * it to wait for the next delivery.  NULL (errno) on failure. */
struct eddy_event *eddy_signal_event(int signo);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
