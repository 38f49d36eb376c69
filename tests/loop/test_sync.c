/* Tests of loop/: task groups, event, lock, semaphore, channel, to_thread —
 * results, FIFO fairness, deadlines, and cancellation of every kind of wait. */
#include "../test.h"

#include "eddy/loop.h"

#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int log_[64], nlog;

/* ---------------------------------------------------------------- groups */

static int child_ok(void *arg)
{
    int ms = (int)(intptr_t)arg;
    int r = eddy_sleep(ms * EDDY_MSEC);
    if (r < 0)
        return r;
    log_[nlog++] = ms;
    return 0;
}

static int child_fail(void *arg)
{
    int r = eddy_sleep((int)(intptr_t)arg * EDDY_MSEC);
    return r < 0 ? r : -EIO;
}

static int group_main(void *arg)
{
    (void)arg;
    /* All succeed. */
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    CHECK_INT(eddy_group_spawn(g, child_ok, (void *)(intptr_t)2, "a"), ==, 0);
    CHECK_INT(eddy_group_spawn(g, child_ok, (void *)(intptr_t)1, "b"), ==, 0);
    CHECK_INT(eddy_group_wait(g), ==, 0);
    CHECK_INT(nlog, ==, 2);
    eddy_group_fini(g);
    /* The first failure cancels the siblings and is the result. */
    nlog = 0;
    eddy_group_init(g);
    CHECK_INT(eddy_group_spawn(g, child_ok, (void *)(intptr_t)10000, "slow"), ==, 0);
    CHECK_INT(eddy_group_spawn(g, child_fail, (void *)(intptr_t)5, "bad"), ==, 0);
    CHECK_INT(eddy_group_spawn(g, child_fail, (void *)(intptr_t)20, "bad-later"), ==, 0);
    CHECK_INT(eddy_group_wait(g), ==, -EIO);
    CHECK_INT(nlog, ==, 0); /* the slow one was cancelled, not finished */
    CHECK_INT(eddy_group_spawn(g, child_ok, NULL, "late"), ==, -ECANCELED);
    eddy_group_fini(g);
    /* A timeout of the waiter cancels the children; the group is empty after. */
    eddy_group_init(g);
    CHECK_INT(eddy_group_spawn(g, child_ok, (void *)(intptr_t)10000, "slow"), ==, 0);
    struct eddy_timeout to;
    eddy_timeout_begin(&to, eddy_deadline_in(5 * EDDY_MSEC));
    CHECK_INT(eddy_group_wait(g), ==, -ETIMEDOUT);
    CHECK(eddy_timeout_end(&to));
    eddy_group_fini(g); /* would abort if a child were left */
    struct eddy_loop_stats st;
    eddy_loop_stats(eddy_loop_current(), &st);
    CHECK_INT(st.tasks_alive, ==, 1);
    return 0;
}

TEST(loop_group_failure_cancels_siblings)
{
    nlog = 0;
    CHECK_INT(eddy_run(group_main, NULL, NULL), ==, 0);
}

static int group_waiter(void *arg)
{
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    CHECK_INT(eddy_group_spawn(g, child_ok, (void *)(intptr_t)10000, "deep"), ==, 0);
    int r = eddy_group_wait(g);
    eddy_group_fini(g);
    *(int *)arg = r;
    return r;
}

static int group_cancel_main(void *arg)
{
    (void)arg;
    int r = 0, res;
    struct eddy_task *t = eddy_spawn(group_waiter, &r, "waiter");
    CHECK_INT(eddy_sleep(EDDY_MSEC), ==, 0);
    eddy_cancel(t); /* propagates to the child */
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, ==, -ECANCELED);
    return 0;
}

TEST(loop_group_waiter_cancel_propagates)
{
    CHECK_INT(eddy_run(group_cancel_main, NULL, NULL), ==, 0);
}

static void on_free_abort(void)
{
    struct eddy_loop *l = eddy_loop_new(NULL);
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    CHECK_INT(eddy_group_spawn(g, child_ok, NULL, "orphan-child"), ==, 0);
    eddy_group_fini(g); /* a bug: must abort naming the child */
    eddy_loop_free(l);
}

TEST(loop_group_fini_with_children_aborts)
{
    int p[2];
    CHECK_INT(pipe(p), ==, 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 2);
        on_free_abort();
        _exit(0);
    }
    close(p[1]);
    char buf[256] = {0};
    ssize_t n = 0, k;
    while ((k = read(p[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += k;
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    CHECK(strstr(buf, "orphan-child") != NULL);
}

/* ---------------------------------------------------------------- event */

static int ev_waiter(void *arg)
{
    int r = eddy_event_wait(arg, EDDY_FOREVER);
    log_[nlog++] = r;
    return r;
}

static int event_main(void *arg)
{
    (void)arg;
    struct eddy_event *ev = eddy_event_new();
    struct eddy_task *t[3];
    for (int i = 0; i < 3; i++)
        t[i] = eddy_spawn(ev_waiter, ev, "w");
    CHECK_INT(eddy_yield(), ==, 0);
    CHECK(!eddy_event_is_set(ev));
    eddy_cancel(t[1]);
    eddy_event_set(ev); /* wakes every waiter */
    int res[3];
    CHECK_INT(eddy_gather(t, 3, res), ==, 0);
    CHECK_INT(res[0], ==, 0);
    CHECK_INT(res[1], ==, -ECANCELED);
    CHECK_INT(res[2], ==, 0);
    CHECK_INT(eddy_event_wait(ev, EDDY_FOREVER), ==, 0); /* set: no wait */
    eddy_event_clear(ev);
    CHECK_INT(eddy_event_wait(ev, eddy_deadline_in(EDDY_MSEC)), ==, -ETIMEDOUT);
    /* Freeing an event with waiters wakes them with -EPIPE. */
    t[0] = eddy_spawn(ev_waiter, ev, "w");
    CHECK_INT(eddy_yield(), ==, 0);
    eddy_event_free(ev);
    CHECK_INT(eddy_join(t[0], &res[0]), ==, 0);
    CHECK_INT(res[0], ==, -EPIPE);
    return 0;
}

TEST(loop_event_set_cancel_timeout_free)
{
    nlog = 0;
    CHECK_INT(eddy_run(event_main, NULL, NULL), ==, 0);
}

/* ----------------------------------------------------------------- lock */

struct lockarg {
    struct eddy_lock *l;
    int id;
};

static int locker(void *arg)
{
    struct lockarg *a = arg;
    int r = eddy_lock_acquire(a->l, EDDY_FOREVER);
    if (r < 0)
        return r;
    log_[nlog++] = a->id;
    CHECK_INT(eddy_yield(), ==, 0); /* hold it across a suspension */
    eddy_lock_release(a->l);
    return 0;
}

static int lock_main(void *arg)
{
    (void)arg;
    struct eddy_lock *l = eddy_lock_new();
    CHECK(eddy_lock_try(l));
    CHECK(!eddy_lock_try(l));
    struct lockarg a[5];
    struct eddy_task *t[5];
    for (int i = 0; i < 5; i++) {
        a[i] = (struct lockarg){l, i};
        t[i] = eddy_spawn(locker, &a[i], "locker");
    }
    CHECK_INT(eddy_yield(), ==, 0); /* all five queue up in order */
    eddy_cancel(t[2]);              /* one leaves the queue */
    CHECK_INT(eddy_lock_acquire(l, eddy_deadline_in(EDDY_MSEC)), ==, -ETIMEDOUT);
    eddy_lock_release(l);
    /* A newcomer does not barge ahead of the queue (handoff). */
    CHECK(!eddy_lock_try(l));
    int res[5];
    CHECK_INT(eddy_gather(t, 5, res), ==, 0);
    CHECK_INT(res[2], ==, -ECANCELED);
    int want[] = {0, 1, 3, 4};
    CHECK_INT(nlog, ==, 4);
    for (int i = 0; i < 4; i++)
        CHECK_INT(log_[i], ==, want[i]);
    CHECK(eddy_lock_try(l));
    eddy_lock_release(l);
    eddy_lock_free(l);
    return 0;
}

TEST(loop_lock_fifo_handoff_cancel_timeout)
{
    nlog = 0;
    CHECK_INT(eddy_run(lock_main, NULL, NULL), ==, 0);
}

/* ------------------------------------------------------------ semaphore */

struct semarg {
    struct eddy_sem *s;
    int id;
};

static int sem_user(void *arg)
{
    struct semarg *a = arg;
    int r = eddy_sem_acquire(a->s, EDDY_FOREVER);
    if (r < 0)
        return r;
    log_[nlog++] = a->id;
    eddy_sleep(EDDY_MSEC);
    eddy_sem_release(a->s);
    return 0;
}

static int sem_main(void *arg)
{
    (void)arg;
    struct eddy_sem *s = eddy_sem_new(2);
    CHECK(eddy_sem_try(s));
    CHECK(eddy_sem_try(s));
    CHECK(!eddy_sem_try(s));
    CHECK_INT(eddy_sem_acquire(s, eddy_deadline_in(EDDY_MSEC)), ==, -ETIMEDOUT);
    struct semarg a[6];
    struct eddy_task *t[6];
    for (int i = 0; i < 6; i++) {
        a[i] = (struct semarg){s, i};
        t[i] = eddy_spawn(sem_user, &a[i], "sem");
    }
    CHECK_INT(eddy_yield(), ==, 0);
    eddy_cancel(t[4]);
    eddy_sem_release(s);
    eddy_sem_release(s);
    int res[6];
    CHECK_INT(eddy_gather(t, 6, res), ==, 0);
    CHECK_INT(res[4], ==, -ECANCELED);
    int want[] = {0, 1, 2, 3, 5};
    CHECK_INT(nlog, ==, 5);
    for (int i = 0; i < 5; i++)
        CHECK_INT(log_[i], ==, want[i]);
    CHECK(eddy_sem_try(s) && eddy_sem_try(s) && !eddy_sem_try(s)); /* 2 permits back */
    eddy_sem_free(s);
    return 0;
}

TEST(loop_sem_fifo_cancel_timeout)
{
    nlog = 0;
    CHECK_INT(eddy_run(sem_main, NULL, NULL), ==, 0);
}

/* -------------------------------------------------------------- channel */

static int producer(void *arg)
{
    struct eddy_chan *ch = arg;
    for (intptr_t i = 1; i <= 100; i++) {
        int r = eddy_chan_send(ch, (void *)i, EDDY_FOREVER);
        if (r < 0)
            return r;
    }
    return 0;
}

static int consumer(void *arg)
{
    struct eddy_chan *ch = arg;
    intptr_t sum = 0;
    void *item;
    int r;
    while ((r = eddy_chan_recv(ch, &item, EDDY_FOREVER)) == 0)
        sum += (intptr_t)item;
    return r == -EPIPE ? (int)sum : r;
}

static int chan_main(void *arg)
{
    (void)arg;
    struct eddy_chan *ch = eddy_chan_new(3);
    struct eddy_task *c = eddy_spawn(consumer, ch, "consumer");
    struct eddy_task *p[2] = {eddy_spawn(producer, ch, "p1"), eddy_spawn(producer, ch, "p2")};
    int res[2], sum;
    CHECK_INT(eddy_gather(p, 2, res), ==, 0);
    CHECK_INT(res[0], ==, 0);
    eddy_chan_close(ch);
    CHECK_INT(eddy_join(c, &sum), ==, 0);
    CHECK_INT(sum, ==, 2 * 5050);
    CHECK_INT(eddy_chan_send(ch, NULL, EDDY_FOREVER), ==, -EPIPE);
    eddy_chan_free(ch);

    /* FIFO order, close drains, try_*, deadlines, cancel of send and recv. */
    ch = eddy_chan_new(2);
    void *item;
    CHECK_INT(eddy_chan_try_recv(ch, &item), ==, -EAGAIN);
    CHECK_INT(eddy_chan_try_send(ch, (void *)1), ==, 0);
    CHECK_INT(eddy_chan_send(ch, (void *)2, EDDY_FOREVER), ==, 0);
    CHECK_INT(eddy_chan_try_send(ch, (void *)3), ==, -EAGAIN);
    CHECK_INT(eddy_chan_send(ch, (void *)3, eddy_deadline_in(EDDY_MSEC)), ==, -ETIMEDOUT);
    CHECK_INT(eddy_chan_len(ch), ==, 2);
    struct eddy_task *s = eddy_spawn(producer, ch, "blocked-sender");
    CHECK_INT(eddy_yield(), ==, 0);
    eddy_cancel(s);
    CHECK_INT(eddy_join(s, &res[0]), ==, 0);
    CHECK_INT(res[0], ==, -ECANCELED);
    eddy_chan_close(ch);
    CHECK_INT(eddy_chan_recv(ch, &item, EDDY_FOREVER), ==, 0);
    CHECK(item == (void *)1);
    CHECK_INT(eddy_chan_try_recv(ch, &item), ==, 0);
    CHECK(item == (void *)2);
    CHECK_INT(eddy_chan_recv(ch, &item, EDDY_FOREVER), ==, -EPIPE);
    eddy_chan_free(ch);

    ch = eddy_chan_new(1);
    struct eddy_task *r = eddy_spawn(consumer, ch, "blocked-receiver");
    CHECK_INT(eddy_yield(), ==, 0);
    eddy_cancel(r);
    CHECK_INT(eddy_join(r, &res[0]), ==, 0);
    CHECK_INT(res[0], ==, -ECANCELED);
    CHECK_INT(eddy_chan_recv(ch, &item, eddy_deadline_in(EDDY_MSEC)), ==, -ETIMEDOUT);
    eddy_chan_free(ch);
    return 0;
}

TEST(loop_chan_fifo_close_cancel_timeout)
{
    CHECK_INT(eddy_run(chan_main, NULL, NULL), ==, 0);
}

/* ------------------------------------------------------------ to_thread */

static int blocking_sum(void *arg)
{
    int *v = arg;
    usleep(20000);
    return *v * 2;
}

static int offload(void *arg)
{
    return eddy_to_thread(blocking_sum, arg);
}

static int ticker(void *arg)
{
    /* Keeps running while the pool works: the loop is not blocked. */
    int *ticks = arg;
    for (int i = 0; i < 5; i++) {
        eddy_sleep(EDDY_MSEC);
        ++*ticks;
    }
    return 0;
}

static int thread_main(void *arg)
{
    (void)arg;
    int v[8], ticks = 0, res[9];
    struct eddy_task *t[9];
    for (int i = 0; i < 8; i++) {
        v[i] = i;
        t[i] = eddy_spawn(offload, &v[i], "offload");
    }
    t[8] = eddy_spawn(ticker, &ticks, "ticker");
    CHECK_INT(eddy_gather(t, 9, res), ==, 0);
    for (int i = 0; i < 8; i++)
        CHECK_INT(res[i], ==, 2 * i);
    CHECK_INT(ticks, ==, 5);
    /* Cancelled while fn runs: still waits for fn, then -ECANCELED. */
    int x = 21;
    struct eddy_task *c = eddy_spawn(offload, &x, "cancelled");
    CHECK_INT(eddy_sleep(5 * EDDY_MSEC), ==, 0);
    eddy_cancel(c);
    int64_t t0 = eddy_now();
    CHECK_INT(eddy_join(c, &res[0]), ==, 0);
    CHECK_INT(res[0], ==, -ECANCELED);
    CHECK_INT(eddy_now() - t0, >, 0);
    /* Timed out inside a scope: same. */
    struct eddy_timeout to;
    eddy_timeout_begin(&to, eddy_deadline_in(5 * EDDY_MSEC));
    CHECK_INT(eddy_to_thread(blocking_sum, &x), ==, -ETIMEDOUT);
    CHECK(eddy_timeout_end(&to));
    CHECK_INT(eddy_to_thread(blocking_sum, &x), ==, 42);
    return 0;
}

TEST(loop_to_thread_results_cancel_timeout)
{
    CHECK_INT(eddy_run(thread_main, NULL, NULL), ==, 0);
}

/* A group lives in the caller's storage: initialising one cannot fail (not
 * even without a loop), a finished group can be initialised again, and one
 * embedded in a struct works like one on the stack. */
struct job_with_group {
    int tag;
    struct eddy_group g;
};

static int embedded_main(void *arg)
{
    struct job_with_group *j = arg;
    for (int round = 0; round < 2; round++) {
        eddy_group_init(&j->g);
        nlog = 0;
        CHECK_INT(eddy_group_spawn(&j->g, child_ok, (void *)(intptr_t)1, "a"), ==, 0);
        CHECK_INT(eddy_group_spawn(&j->g, child_ok, (void *)(intptr_t)2, "b"), ==, 0);
        CHECK_INT(eddy_group_wait(&j->g), ==, 0);
        CHECK_INT(nlog, ==, 2);
        eddy_group_fini(&j->g);
    }
    return 0;
}

TEST(loop_group_in_caller_storage)
{
    struct eddy_group g;
    eddy_group_init(&g);
    CHECK_INT(eddy_group_spawn(&g, child_ok, NULL, "no-loop"), ==, -EPERM);
    eddy_group_fini(&g);
    struct job_with_group *j = malloc(sizeof *j);
    CHECK(j != NULL);
    CHECK_INT(eddy_run(embedded_main, j, NULL), ==, 0);
    free(j);
}
