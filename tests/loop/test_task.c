/* Tests of loop/: tasks, the scheduler, sleep, fd waits, watches, timers,
 * cancellation and timeout scopes.  Each test runs its body in eddy_run and
 * checks at the end that no task was left alive. */
#include "../test.h"

#include "eddy/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* Runs fn in a fresh loop and checks it returned 0 and left nothing alive. */
static int run_checked(int (*fn)(void *), void *arg)
{
    return eddy_run(fn, arg, NULL);
}

/* ----------------------------------------------------------- basics */

static int add_one(void *arg)
{
    int *p = arg;
    return ++*p;
}

static int spawn_join_main(void *arg)
{
    (void)arg;
    int v = 41, res = 0;
    struct eddy_task *t = eddy_spawn(add_one, &v, "adder");
    CHECK(t != NULL);
    CHECK_STR(eddy_task_name(t), "adder");
    CHECK(!eddy_task_done(t)); /* spawning never switches */
    CHECK_INT(v, ==, 41);
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, ==, 42);
    struct eddy_loop_stats st;
    eddy_loop_stats(eddy_loop_current(), &st);
    CHECK_INT(st.tasks_spawned, ==, 2);
    CHECK_INT(st.tasks_alive, ==, 1); /* main */
    return 7;
}

TEST(loop_spawn_join_and_result)
{
    CHECK_INT(run_checked(spawn_join_main, NULL), ==, 7);
    CHECK(eddy_loop_current() == NULL);
}

TEST(loop_awaits_outside_task_are_eperm)
{
    CHECK_INT(eddy_yield(), ==, -EPERM);
    CHECK_INT(eddy_sleep(1), ==, -EPERM);
    CHECK_INT(eddy_wait_fd(0, EDDY_READ, EDDY_FOREVER), ==, -EPERM);
    CHECK_INT(eddy_to_thread(add_one, NULL), ==, -EPERM);
    CHECK_INT(eddy_join(NULL, NULL), ==, -EPERM);
    CHECK_INT(eddy_gather(NULL, 0, NULL), ==, -EPERM);
    CHECK_INT(eddy_wait_any(NULL, 0), ==, -EPERM);
    struct eddy_timeout to;
    CHECK_INT(eddy_timeout_begin(&to, 0), ==, -EPERM);
    CHECK(eddy_spawn(add_one, NULL, "x") == NULL);
    CHECK_INT(errno, ==, EPERM);
    /* With a loop but outside its tasks: still -EPERM, for every primitive. */
    struct eddy_loop *l = eddy_loop_new(NULL);
    CHECK(l != NULL);
    CHECK(eddy_loop_new(NULL) == NULL); /* one per thread */
    struct eddy_event *ev = eddy_event_new();
    struct eddy_lock *lk = eddy_lock_new();
    struct eddy_sem *s = eddy_sem_new(0);
    struct eddy_chan *ch = eddy_chan_new(1);
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    void *item;
    CHECK_INT(eddy_event_wait(ev, EDDY_FOREVER), ==, -EPERM);
    CHECK_INT(eddy_lock_acquire(lk, EDDY_FOREVER), ==, -EPERM);
    CHECK_INT(eddy_sem_acquire(s, EDDY_FOREVER), ==, -EPERM);
    CHECK_INT(eddy_chan_send(ch, NULL, EDDY_FOREVER), ==, -EPERM);
    CHECK_INT(eddy_chan_recv(ch, &item, EDDY_FOREVER), ==, -EPERM);
    CHECK_INT(eddy_group_wait(g), ==, -EPERM);
    CHECK_INT(eddy_yield(), ==, -EPERM);
    eddy_group_fini(g);
    eddy_chan_free(ch);
    eddy_sem_free(s);
    eddy_lock_free(lk);
    eddy_event_free(ev);
    eddy_loop_free(l);
}

static int order_log[64], order_n;

static int yielder(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 3; i++) {
        order_log[order_n++] = id;
        CHECK_INT(eddy_yield(), ==, 0);
    }
    return 0;
}

static int yield_order_main(void *arg)
{
    (void)arg;
    struct eddy_task *t[3];
    for (int i = 0; i < 3; i++)
        t[i] = eddy_spawn(yielder, (void *)(intptr_t)i, "y");
    int res[3];
    CHECK_INT(eddy_gather(t, 3, res), ==, 0);
    return 0;
}

TEST(loop_yield_round_robin_fifo)
{
    order_n = 0;
    CHECK_INT(run_checked(yield_order_main, NULL), ==, 0);
    int want[] = {0, 1, 2, 0, 1, 2, 0, 1, 2};
    CHECK_INT(order_n, ==, 9);
    for (int i = 0; i < 9; i++)
        CHECK_INT(order_log[i], ==, want[i]);
}

static int sleeper(void *arg)
{
    int64_t ms = (int64_t)(intptr_t)arg;
    CHECK_INT(eddy_sleep(ms * EDDY_MSEC), ==, 0);
    order_log[order_n++] = (int)ms;
    return 0;
}

static int sleep_main(void *arg)
{
    (void)arg;
    int64_t t0 = eddy_now();
    /* Spawned in reverse: they must wake in deadline order. */
    for (int ms = 30; ms >= 10; ms -= 10)
        eddy_detach(eddy_spawn(sleeper, (void *)(intptr_t)ms, "sleeper"));
    CHECK_INT(eddy_sleep(50 * EDDY_MSEC), ==, 0);
    CHECK_INT(eddy_now() - t0, >=, 50 * EDDY_MSEC); /* never early */
    /* Sub-millisecond sleeps are not rounded up to a millisecond (the
     * bound is loose: a loaded machine may be late, never early). */
    int64_t t1 = eddy_now();
    for (int i = 0; i < 10; i++)
        CHECK_INT(eddy_sleep(50 * EDDY_USEC), ==, 0);
    CHECK_INT(eddy_now() - t1, >=, 500 * EDDY_USEC);
    CHECK_INT(eddy_sleep(-5), ==, 0);
    CHECK_INT(eddy_sleep_until(0), ==, 0);
    return 0;
}

TEST(loop_sleep_wakes_in_deadline_order)
{
    order_n = 0;
    CHECK_INT(run_checked(sleep_main, NULL), ==, 0);
    CHECK_INT(order_n, ==, 3);
    CHECK_INT(order_log[0], ==, 10);
    CHECK_INT(order_log[1], ==, 20);
    CHECK_INT(order_log[2], ==, 30);
}

/* ------------------------------------------------------------ fd waits */

static int reader(void *arg)
{
    int fd = *(int *)arg;
    char c;
    int r = eddy_wait_fd(fd, EDDY_READ, EDDY_FOREVER);
    if (r < 0)
        return r;
    CHECK_INT(r, ==, EDDY_READ);
    CHECK_INT(read(fd, &c, 1), ==, 1);
    return c;
}

static int fd_main(void *arg)
{
    (void)arg;
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), ==, 0);
    struct eddy_task *t = eddy_spawn(reader, &sv[0], "reader");
    CHECK_INT(eddy_yield(), ==, 0); /* reader now waits */
    /* A second reader of the same fd is refused; a writer is fine. */
    CHECK_INT(eddy_wait_fd(sv[0], EDDY_READ, eddy_deadline_in(EDDY_MSEC)), ==, -EBUSY);
    CHECK_INT(eddy_wait_fd(sv[0], EDDY_WRITE, EDDY_FOREVER), ==, EDDY_WRITE);
    /* Both directions at once: both reported when both are ready. */
    CHECK_INT(write(sv[0], "y", 1), ==, 1);
    CHECK_INT(eddy_wait_fd(sv[1], EDDY_READ | EDDY_WRITE, EDDY_FOREVER), ==,
              EDDY_READ | EDDY_WRITE);
    char y;
    CHECK_INT(read(sv[1], &y, 1), ==, 1);
    /* Deadline with nothing to read. */
    CHECK_INT(eddy_wait_fd(sv[1], EDDY_READ, eddy_deadline_in(5 * EDDY_MSEC)), ==, -ETIMEDOUT);
    CHECK_INT(write(sv[1], "x", 1), ==, 1);
    int res;
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, ==, 'x');
    /* Hang-up counts as ready; forget wakes a waiter with -EBADF. */
    t = eddy_spawn(reader, &sv[0], "reader2");
    CHECK_INT(eddy_yield(), ==, 0);
    eddy_fd_forget(sv[0]);
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, ==, -EBADF);
    close(sv[1]);
    CHECK_INT(eddy_wait_fd(sv[0], EDDY_READ, EDDY_FOREVER), ==, EDDY_READ);
    eddy_fd_forget(sv[0]);
    close(sv[0]);
    /* A regular file is always ready (epoll refuses it; poll(2) semantics). */
    char path[512];
    snprintf(path, sizeof path, "%s/file", test_tmpdir());
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    CHECK_INT(eddy_wait_fd(fd, EDDY_READ | EDDY_WRITE, EDDY_FOREVER), ==, EDDY_READ | EDDY_WRITE);
    eddy_fd_forget(fd);
    close(fd);
    return 0;
}

TEST(loop_wait_fd_ready_deadline_busy_forget)
{
    CHECK_INT(run_checked(fd_main, NULL), ==, 0);
}

/* A ping-pong over a socketpair: lazy interest must never spin or lose. */
static int pinger(void *arg)
{
    int fd = *(int *)arg;
    char c = 0;
    for (int i = 0; i < 1000; i++) {
        CHECK_INT(write(fd, &c, 1), ==, 1);
        CHECK_INT(eddy_wait_fd(fd, EDDY_READ, eddy_deadline_in(5 * EDDY_SEC)), ==, EDDY_READ);
        CHECK_INT(read(fd, &c, 1), ==, 1);
    }
    eddy_fd_forget(fd);
    return 0;
}

static int ponger(void *arg)
{
    int fd = *(int *)arg;
    char c;
    for (int i = 0; i < 1000; i++) {
        CHECK_INT(eddy_wait_fd(fd, EDDY_READ, eddy_deadline_in(5 * EDDY_SEC)), ==, EDDY_READ);
        CHECK_INT(read(fd, &c, 1), ==, 1);
        CHECK_INT(write(fd, &c, 1), ==, 1);
    }
    eddy_fd_forget(fd);
    return 0;
}

static int pingpong_main(void *arg)
{
    (void)arg;
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), ==, 0);
    struct eddy_task *t[2] = {eddy_spawn(pinger, &sv[0], "ping"),
                              eddy_spawn(ponger, &sv[1], "pong")};
    int res[2];
    CHECK_INT(eddy_gather(t, 2, res), ==, 0);
    CHECK_INT(res[0], ==, 0);
    CHECK_INT(res[1], ==, 0);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

TEST(loop_wait_fd_pingpong)
{
    CHECK_INT(run_checked(pingpong_main, NULL), ==, 0);
}

/* ------------------------------------------------ watches and timers */

struct cbstate {
    int fd;
    int reads;
    struct eddy_watch *w;
    struct eddy_timer *tm;
    int fired;
};

static void on_ready(void *arg, int fd, int ready)
{
    struct cbstate *s = arg;
    CHECK(eddy_task_current() == NULL); /* callbacks run outside tasks */
    CHECK_INT(ready & EDDY_READ, ==, EDDY_READ);
    char buf[16];
    CHECK_INT(read(fd, buf, sizeof buf), >, 0);
    if (++s->reads == 2) {
        eddy_watch_free(s->w); /* freeing from inside its callback is allowed */
        s->w = NULL;
    }
}

static void on_timer(void *arg)
{
    struct cbstate *s = arg;
    CHECK(eddy_task_current() == NULL);
    if (++s->fired == 1) {
        CHECK_INT(write(s->fd, "a", 1), ==, 1);
        eddy_timer_set(s->tm, eddy_deadline_in(EDDY_MSEC)); /* re-arm from the callback */
    } else {
        CHECK_INT(write(s->fd, "b", 1), ==, 1);
    }
}

TEST(loop_watch_and_timer_callbacks_without_tasks)
{
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), ==, 0);
    struct eddy_loop *l = eddy_loop_new(NULL);
    struct cbstate s = {.fd = sv[1]};
    s.w = eddy_watch_new(sv[0], EDDY_READ, on_ready, &s);
    CHECK(s.w != NULL);
    CHECK(eddy_watch_new(sv[0], EDDY_READ, on_ready, &s) == NULL); /* one per fd */
    CHECK_INT(errno, ==, EBUSY);
    s.tm = eddy_timer_new(on_timer, &s);
    eddy_timer_set(s.tm, eddy_deadline_in(2 * EDDY_MSEC));
    /* The loop runs while the watch is armed, and ends once it is freed. */
    CHECK_INT(eddy_loop_run(l), ==, 0);
    CHECK_INT(s.fired, ==, 2);
    CHECK_INT(s.reads, ==, 2);
    /* Disarmed timers and paused watches do not keep the loop alive. */
    struct eddy_watch *w = eddy_watch_new(sv[0], 0, on_ready, &s);
    CHECK(w != NULL);
    eddy_timer_set(s.tm, eddy_deadline_in(EDDY_SEC));
    eddy_timer_set(s.tm, EDDY_FOREVER);
    CHECK_INT(eddy_loop_run(l), ==, 0);
    CHECK_INT(eddy_watch_set(w, EDDY_WRITE), ==, 0);
    CHECK_INT(eddy_watch_set(w, 0), ==, 0);
    eddy_watch_free(w);
    eddy_timer_free(s.tm);
    eddy_loop_free(l);
    close(sv[0]);
    close(sv[1]);
}

/* A paused watch keeps its epoll registration until an event comes (then
 * it is dropped, not reported: level triggering would spin), and re-arming
 * it registers it again. */
struct paused {
    struct eddy_watch *w;
    struct eddy_timer *tm;
    bool rearmed;
    int calls;
};

static void paused_ready(void *arg, int fd, int ready)
{
    struct paused *p = arg;
    CHECK(p->rearmed); /* never while paused */
    CHECK_INT(ready, ==, EDDY_READ);
    char c;
    CHECK_INT(read(fd, &c, 1), ==, 1);
    p->calls++;
    eddy_watch_free(p->w);
}

static void rearm(void *arg)
{
    struct paused *p = arg;
    p->rearmed = true;
    CHECK_INT(eddy_watch_set(p->w, EDDY_READ), ==, 0);
}

TEST(loop_paused_watch_is_quiet_then_rearms)
{
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), ==, 0);
    struct eddy_loop *l = eddy_loop_new(NULL);
    struct paused p = {0};
    /* The event comes (and drops the registration) before the timer re-arms. */
    p.w = eddy_watch_new(sv[0], EDDY_READ, paused_ready, &p);
    CHECK(p.w != NULL);
    CHECK_INT(eddy_watch_set(p.w, 0), ==, 0);
    CHECK_INT(write(sv[1], "a", 1), ==, 1); /* readable while paused */
    p.tm = eddy_timer_new(rearm, &p);
    eddy_timer_set(p.tm, eddy_deadline_in(20 * EDDY_MSEC));
    CHECK_INT(eddy_loop_run(l), ==, 0); /* ends once the callback freed it */
    CHECK_INT(p.calls, ==, 1);
    eddy_timer_free(p.tm);
    /* Paused and re-armed with no event between: still registered. */
    p.rearmed = false;
    p.w = eddy_watch_new(sv[0], EDDY_READ, paused_ready, &p);
    CHECK_INT(eddy_watch_set(p.w, 0), ==, 0);
    rearm(&p);
    CHECK_INT(write(sv[1], "b", 1), ==, 1);
    CHECK_INT(eddy_loop_run(l), ==, 0);
    CHECK_INT(p.calls, ==, 2);
    eddy_loop_free(l);
    close(sv[0]);
    close(sv[1]);
}

/* --------------------------------------------------------- cancellation */

static int sleep_forever(void *arg)
{
    (void)arg;
    int r = eddy_sleep(EDDY_FOREVER);
    /* Sticky: every later suspension fails too. */
    CHECK_INT(eddy_yield(), ==, -ECANCELED);
    CHECK_INT(eddy_sleep(1), ==, -ECANCELED);
    return r;
}

static int wait_fd_forever(void *arg)
{
    return eddy_wait_fd(*(int *)arg, EDDY_READ, EDDY_FOREVER);
}

static int join_forever(void *arg)
{
    return eddy_join(arg, NULL);
}

static int cancel_main(void *arg)
{
    (void)arg;
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), ==, 0);
    struct eddy_task *s = eddy_spawn(sleep_forever, NULL, "sleep");
    struct eddy_task *f = eddy_spawn(wait_fd_forever, &sv[0], "fd");
    struct eddy_task *j = eddy_spawn(join_forever, s, "join");
    CHECK_INT(eddy_yield(), ==, 0);
    struct eddy_loop_stats st;
    eddy_loop_stats(eddy_loop_current(), &st);
    CHECK_INT(st.timers_pending, ==, 0); /* EDDY_FOREVER arms nothing */
    /* Cancel the joiner first: `s` must survive it (handle still valid). */
    eddy_cancel(j);
    eddy_cancel(j); /* idempotent */
    CHECK(eddy_task_cancelled(j));
    int r;
    CHECK_INT(eddy_join(j, &r), ==, 0);
    CHECK_INT(r, ==, -ECANCELED);
    CHECK(!eddy_task_done(s));
    eddy_cancel(s);
    eddy_cancel(f);
    CHECK_INT(eddy_join(s, &r), ==, 0);
    CHECK_INT(r, ==, -ECANCELED);
    CHECK_INT(eddy_join(f, &r), ==, 0);
    CHECK_INT(r, ==, -ECANCELED);
    /* A cancelled task that has not run yet gets it at its first wait. */
    s = eddy_spawn(sleep_forever, NULL, "early");
    eddy_cancel(s);
    CHECK_INT(eddy_join(s, &r), ==, 0);
    CHECK_INT(r, ==, -ECANCELED);
    eddy_fd_forget(sv[0]);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

TEST(loop_cancel_sleep_fd_join)
{
    CHECK_INT(run_checked(cancel_main, NULL), ==, 0);
}

/* ------------------------------------------------------- timeout scopes */

static int timeout_main(void *arg)
{
    (void)arg;
    struct eddy_timeout outer, inner;
    CHECK_INT(eddy_timeout_deadline(), ==, EDDY_FOREVER);
    CHECK_INT(eddy_timeout_begin(&outer, eddy_deadline_in(20 * EDDY_MSEC)), ==, 0);
    CHECK_INT(eddy_timeout_begin(&inner, eddy_deadline_in(10 * EDDY_SEC)), ==, 0);
    CHECK_INT(eddy_timeout_deadline(), ==, outer.deadline); /* the earliest wins */
    /* A sleep longer than the scope is cut short. */
    CHECK_INT(eddy_sleep(EDDY_SEC), ==, -ETIMEDOUT);
    CHECK_INT(eddy_now(), >=, outer.deadline);
    CHECK_INT(eddy_yield(), ==, -ETIMEDOUT); /* every later suspension too */
    CHECK(!eddy_timeout_end(&inner));        /* its own deadline did not pass */
    CHECK(eddy_timeout_end(&outer));
    CHECK_INT(eddy_yield(), ==, 0); /* out of the scope: fine again */
    /* A sleep that ends before the scope succeeds; the scope is not marked. */
    CHECK_INT(eddy_timeout_begin(&outer, eddy_deadline_in(EDDY_SEC)), ==, 0);
    CHECK_INT(eddy_sleep(EDDY_MSEC), ==, 0);
    int p[2];
    CHECK_INT(pipe(p), ==, 0);
    CHECK_INT(eddy_wait_fd(p[0], EDDY_READ, 0), ==, -ETIMEDOUT); /* own deadline */
    eddy_fd_forget(p[0]);
    close(p[0]);
    close(p[1]);
    CHECK(!eddy_timeout_end(&outer));
    /* Nested: the inner one fires first and only it is marked. */
    CHECK_INT(eddy_timeout_begin(&outer, eddy_deadline_in(EDDY_SEC)), ==, 0);
    CHECK_INT(eddy_timeout_begin(&inner, eddy_deadline_in(5 * EDDY_MSEC)), ==, 0);
    CHECK_INT(eddy_sleep(EDDY_SEC), ==, -ETIMEDOUT);
    CHECK(eddy_timeout_end(&inner));
    CHECK_INT(eddy_sleep(EDDY_MSEC), ==, 0);
    CHECK(!eddy_timeout_end(&outer));
    return 0;
}

TEST(loop_timeout_scopes_nest)
{
    CHECK_INT(run_checked(timeout_main, NULL), ==, 0);
}

/* ------------------------------------------------------ gather/wait_any */

static int sleep_then(void *arg)
{
    int ms = (int)(intptr_t)arg;
    int r = eddy_sleep(ms * EDDY_MSEC);
    return r < 0 ? r : ms;
}

static int gather_main(void *arg)
{
    (void)arg;
    struct eddy_task *t[3];
    t[0] = eddy_spawn(sleep_then, (void *)(intptr_t)30, "a");
    t[1] = eddy_spawn(sleep_then, (void *)(intptr_t)5, "b");
    t[2] = eddy_spawn(sleep_then, (void *)(intptr_t)100, "c");
    CHECK_INT(eddy_wait_any(t, 3), ==, 1);
    CHECK_INT(eddy_wait_any(t, 3), ==, 1); /* still done, still not freed */
    int r;
    CHECK_INT(eddy_join(t[1], &r), ==, 0);
    CHECK_INT(r, ==, 5);
    t[1] = t[2];
    /* gather interrupted by a timeout: nothing freed, handles valid. */
    struct eddy_timeout to;
    eddy_timeout_begin(&to, eddy_deadline_in(10 * EDDY_MSEC));
    int res[2] = {0, 0};
    CHECK_INT(eddy_gather(t, 2, res), ==, -ETIMEDOUT);
    CHECK(eddy_timeout_end(&to));
    CHECK(!eddy_task_done(t[1]));
    CHECK_INT(eddy_gather(t, 2, res), ==, 0);
    CHECK_INT(res[0], ==, 30);
    CHECK_INT(res[1], ==, 100);
    /* wait_any on more tasks than fit its small array. */
    struct eddy_task *many[20];
    for (int i = 0; i < 20; i++)
        many[i] = eddy_spawn(sleep_then, (void *)(intptr_t)(i == 13 ? 1 : 1000), "m");
    CHECK_INT(eddy_wait_any(many, 20), ==, 13);
    for (int i = 0; i < 20; i++)
        eddy_cancel(many[i]);
    CHECK_INT(eddy_gather(many, 20, NULL), ==, 0);
    return 0;
}

TEST(loop_gather_and_wait_any)
{
    CHECK_INT(run_checked(gather_main, NULL), ==, 0);
}

/* ------------------------------------------------------------ fairness */

struct starve {
    int fd;
    bool read_done, slept;
};

static int starve_reader(void *arg)
{
    struct starve *s = arg;
    char c;
    int r = eddy_wait_fd(s->fd, EDDY_READ, EDDY_FOREVER);
    CHECK_INT(read(s->fd, &c, 1), ==, 1);
    s->read_done = true;
    eddy_fd_forget(s->fd);
    return r;
}

static int starve_sleeper(void *arg)
{
    struct starve *s = arg;
    int r = eddy_sleep(2 * EDDY_MSEC);
    s->slept = true;
    return r;
}

static int starve_main(void *arg)
{
    (void)arg;
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), ==, 0);
    struct starve s = {.fd = sv[0]};
    struct eddy_task *t[2] = {eddy_spawn(starve_reader, &s, "reader"),
                              eddy_spawn(starve_sleeper, &s, "sleeper")};
    CHECK_INT(eddy_yield(), ==, 0);
    CHECK_INT(write(sv[1], "x", 1), ==, 1);
    /* A task that only yields must not starve I/O or timers. */
    long yields = 0;
    while (!(s.read_done && s.slept)) {
        CHECK_INT(eddy_yield(), ==, 0);
        CHECK_INT(++yields, <, 100000000);
    }
    CHECK_INT(eddy_gather(t, 2, NULL), ==, 0);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

TEST(loop_yielding_task_does_not_starve_io_or_timers)
{
    CHECK_INT(eddy_run(starve_main, NULL, NULL), ==, 0);
}
