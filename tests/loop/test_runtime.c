/* Tests of loop/ as a runtime: 100k tasks, loops in several threads, the
 * stack guard page, spawn failing cleanly, signals, the watchdog, freeing a
 * loop with tasks still waiting. */
#include "../test.h"

#include "eddy/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* ----------------------------------------------------------- 100k tasks */

struct many {
    struct eddy_event *go;
    long done;
};

static int many_child(void *arg)
{
    struct many *m = arg;
    int r = eddy_event_wait(m->go, EDDY_FOREVER);
    if (r < 0)
        return r;
    r = eddy_yield();
    m->done++;
    return r;
}

static int many_main(void *arg)
{
    long n = (long)(intptr_t)arg;
    struct many m = {eddy_event_new(), 0};
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    for (long i = 0; i < n; i++)
        CHECK_INT(eddy_group_spawn(g, many_child, &m, "many"), ==, 0);
    CHECK_INT(eddy_yield(), ==, 0); /* all of them now wait on the event */
    struct eddy_loop_stats st;
    eddy_loop_stats(eddy_loop_current(), &st);
    CHECK_INT(st.tasks_alive, ==, n + 1);
    eddy_event_set(m.go);
    CHECK_INT(eddy_group_wait(g), ==, 0);
    CHECK_INT(m.done, ==, n);
    eddy_group_fini(g);
    eddy_event_free(m.go);
    return 0;
}

TEST(loop_100k_concurrent_tasks)
{
    CHECK_INT(eddy_run(many_main, (void *)(intptr_t)100000, NULL), ==, 0);
}

/* The same with guards forced to mprotect: on kernels before 6.13 that is
 * the default, and 100k guarded stacks would need 200k VMAs, over the stock
 * vm.max_map_count of 65530.  The guard budget must keep it working. */
TEST(loop_100k_tasks_with_mprotect_guards)
{
    setenv("EDDY_STACK_GUARD", "mprotect", 1);
    CHECK_INT(eddy_run(many_main, (void *)(intptr_t)100000, NULL), ==, 0);
}

/* --------------------------------------------------- loops in threads */

static int thread_child(void *arg)
{
    int *v = arg;
    for (int i = 0; i < 100; i++) {
        if (eddy_yield() < 0)
            return -1;
        ++*v;
    }
    return eddy_sleep(EDDY_MSEC);
}

static int double_it(void *arg)
{
    return *(int *)arg * 2;
}

static int thread_loop_main(void *arg)
{
    int *out = arg;
    int v = 0;
    struct eddy_task *t[10];
    for (int i = 0; i < 10; i++)
        t[i] = eddy_spawn(thread_child, &v, "child");
    int res[10];
    CHECK_INT(eddy_gather(t, 10, res), ==, 0);
    *out = eddy_to_thread(double_it, &v);
    return 0;
}

static void *thread_fn(void *arg)
{
    struct eddy_loop *mine = NULL;
    (void)mine;
    if (eddy_run(thread_loop_main, arg, NULL) != 0)
        *(int *)arg = -1;
    return NULL;
}

TEST(loop_several_loops_in_several_threads)
{
    pthread_t th[4];
    int out[4] = {0};
    for (int i = 0; i < 4; i++)
        CHECK_INT(pthread_create(&th[i], NULL, thread_fn, &out[i]), ==, 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(out[i], ==, 2000);
    }
}

/* ------------------------------------------------------- stack guard */

static volatile int depth_limit = 1 << 30; /* volatile: the compiler cannot see the end */

static int recurse(int depth)
{
    volatile char buf[512];
    buf[0] = (char)depth;
    return depth < depth_limit ? recurse(depth + 1) + buf[0] : 0;
}

static int overflow_task(void *arg)
{
    (void)arg;
    return recurse(0);
}

static int overflow_child(const char *guard_mode)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (guard_mode)
            setenv("EDDY_STACK_GUARD", guard_mode, 1);
        signal(SIGSEGV, SIG_DFL); /* no sanitizer handler: die of the signal */
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        eddy_run(overflow_task, NULL, NULL);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st) ? WTERMSIG(st) : -WEXITSTATUS(st);
}

TEST(loop_stack_overflow_hits_guard_page)
{
    CHECK_INT(overflow_child(NULL), ==, SIGSEGV);
    CHECK_INT(overflow_child("mprotect"), ==, SIGSEGV);
}

/* ------------------------------------------------- spawn fails cleanly */

static int nothing(void *arg)
{
    (void)arg;
    return 0;
}

static int enomem_main(void *arg)
{
    (void)arg;
    /* A stack no address space can hold. */
    struct eddy_task_opts o = {.name = "huge", .stack_size = (size_t)1 << 50};
    CHECK(eddy_spawn_opts(nothing, NULL, &o) == NULL);
    CHECK_INT(errno, ==, ENOMEM);
    o.stack_size = (size_t)-1;
    CHECK(eddy_spawn_opts(nothing, NULL, &o) == NULL);
    CHECK_INT(errno, ==, ENOMEM);
    /* A custom size works and is really usable. */
    o.stack_size = 1 << 20;
    struct eddy_task *t = eddy_spawn_opts(nothing, NULL, &o);
    CHECK(t != NULL);
    CHECK_INT(eddy_join(t, NULL), ==, 0);
#if !defined(__SANITIZE_ADDRESS__)
    /* Out of address space after a few thousand: NULL, then all still fine. */
    struct rlimit rl = {(rlim_t)1 << 30, (rlim_t)1 << 30};
    struct rlimit old;
    getrlimit(RLIMIT_AS, &old);
    rl.rlim_max = old.rlim_max;
    CHECK_INT(setrlimit(RLIMIT_AS, &rl), ==, 0);
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    long n = 0;
    int r;
    /* ~15k stacks fit in 1 GiB; the cap turns "limit ignored" (qemu-user
     * ignores RLIMIT_AS) into a failure instead of a hang. */
    while (n < 100000 && (r = eddy_group_spawn(g, nothing, NULL, "filler")) == 0)
        n++;
    CHECK_INT(r, ==, -ENOMEM);
    CHECK_INT(n, >, 100);
    CHECK_INT(eddy_group_wait(g), ==, 0);
    eddy_group_fini(g);
    setrlimit(RLIMIT_AS, &old);
#endif
    return 0;
}

TEST(loop_spawn_fails_cleanly_with_enomem)
{
    CHECK_INT(eddy_run(enomem_main, NULL, NULL), ==, 0);
}

/* vm.max_map_count reached (65530 VMAs on a stock Debian; a stack with an
 * mprotect guard costs 2): spawn must fail with -ENOMEM, not crash, the
 * tasks already there must run, and spawning works again once maps are
 * given back. */
#if !defined(__SANITIZE_ADDRESS__) /* ASan itself needs maps to work */
struct filler {
    char *p;    /* the region whose pages alternate protections */
    size_t len; /* its length */
};

static int maps_main(void *arg)
{
    struct filler *f = arg;
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    int r = 0;
    long n = 0;
    while (n < 100000 && (r = eddy_group_spawn(g, nothing, NULL, "filler")) == 0)
        n++;
    CHECK_INT(r, ==, -ENOMEM);
    CHECK_INT(n, <, 100000);
    CHECK_INT(eddy_group_wait(g), ==, 0);
    munmap(f->p, f->len); /* maps given back */
    f->p = NULL;
    for (int i = 0; i < 100; i++)
        CHECK_INT(eddy_group_spawn(g, nothing, NULL, "after"), ==, 0);
    CHECK_INT(eddy_group_wait(g), ==, 0);
    eddy_group_fini(g);
    return 0;
}

TEST(loop_spawn_fails_cleanly_when_maps_run_out)
{
    setenv("EDDY_STACK_GUARD", "mprotect", 1);
    struct eddy_loop *l = eddy_loop_new(NULL); /* its threads and fds first */
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), pages = 200000, i;
    struct filler f = {
        mmap(NULL, pages * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
        pages * pg};
    CHECK(f.p != MAP_FAILED);
    /* Every other page readable: each one splits off two VMAs. */
    for (i = 1; i < pages; i += 2)
        if (mprotect(f.p + i * pg, pg, PROT_READ) < 0)
            break;
    CHECK_INT(errno, ==, ENOMEM);
    CHECK_INT(i, <, pages);
    /* Give back a few, for malloc and the first stacks. */
    for (int k = 0; k < 16 && i >= 2; k++) {
        i -= 2;
        mprotect(f.p + i * pg, pg, PROT_NONE);
    }
    struct eddy_task *t = eddy_spawn(maps_main, &f, "main");
    CHECK(t != NULL);
    CHECK_INT(eddy_loop_run(l), ==, 0);
    CHECK(eddy_task_done(t));
    eddy_loop_free(l);
    CHECK(f.p == NULL);
}
#endif

/* --------------------------------------------------------------- signals */

static int signal_main(void *arg)
{
    (void)arg;
    struct eddy_event *hup = eddy_signal_event(SIGHUP);
    struct eddy_event *term = eddy_signal_event(SIGTERM);
    CHECK(hup != NULL && term != NULL);
    CHECK(eddy_signal_event(SIGHUP) == hup);
    CHECK(eddy_signal_event(SIGKILL) == NULL);
    CHECK_INT(raise(SIGHUP), ==, 0); /* blocked: waits in the signalfd */
    CHECK_INT(eddy_event_wait(hup, eddy_deadline_in(5 * EDDY_SEC)), ==, 0);
    CHECK(eddy_event_is_set(hup));
    CHECK(!eddy_event_is_set(term));
    eddy_event_clear(hup);
    CHECK_INT(kill(getpid(), SIGTERM), ==, 0); /* process-directed too */
    CHECK_INT(eddy_event_wait(term, eddy_deadline_in(5 * EDDY_SEC)), ==, 0);
    CHECK(!eddy_event_is_set(hup));
    return 0;
}

TEST(loop_signals_become_events)
{
    CHECK_INT(eddy_run(signal_main, NULL, NULL), ==, 0);
    /* The loop unblocked what it blocked. */
    sigset_t m;
    pthread_sigmask(SIG_BLOCK, NULL, &m);
    CHECK(!sigismember(&m, SIGHUP));
    CHECK(!sigismember(&m, SIGTERM));
}

/* -------------------------------------------------------------- watchdog */

static struct {
    atomic_int reports;
    char name[32];
    char where[256];
    int64_t ran;
} wd;

static void on_report(void *arg, const char *task, const char *where, int64_t ran_ns)
{
    (void)arg;
    if (atomic_fetch_add(&wd.reports, 1) == 0) {
        snprintf(wd.name, sizeof wd.name, "%s", task);
        snprintf(wd.where, sizeof wd.where, "%s", where);
        wd.ran = ran_ns;
    }
}

static int busy(void *arg)
{
    (void)arg;
    int64_t end = eddy_now() + 300 * EDDY_MSEC;
    while (eddy_now() < end)
        ; /* no suspension: what the watchdog is for */
    return 0;
}

static int polite(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++)
        eddy_sleep(10 * EDDY_MSEC);
    return 0;
}

static int watchdog_main(void *arg)
{
    int busy_too = *(int *)arg;
    struct eddy_task *t[2] = {eddy_spawn(polite, NULL, "polite"),
                              busy_too ? eddy_spawn(busy, NULL, "busy-loop") : NULL};
    CHECK_INT(eddy_gather(t, busy_too ? 2 : 1, NULL), ==, 0);
    struct eddy_loop_stats st;
    eddy_loop_stats(eddy_loop_current(), &st);
    if (busy_too) {
        CHECK_INT(st.watchdog_reports, ==, 1); /* once per run, not per sample */
        CHECK_STR(st.watchdog_worst_task, "busy-loop");
        CHECK_INT(st.watchdog_worst_ns, >=, 20 * EDDY_MSEC);
    } else {
        CHECK_INT(st.watchdog_reports, ==, 0);
    }
    return 0;
}

TEST(loop_watchdog_names_a_busy_task)
{
    struct eddy_loop_config cfg = {.watchdog_ns = 20 * EDDY_MSEC, .watchdog_report = on_report};
    int busy_too = 1;
    CHECK_INT(eddy_run(watchdog_main, &busy_too, &cfg), ==, 0);
    CHECK_INT(atomic_load(&wd.reports), ==, 1);
    CHECK_STR(wd.name, "busy-loop");
    CHECK(wd.where[0] != '\0');
    CHECK_INT(wd.ran, >=, 20 * EDDY_MSEC);
}

TEST(loop_watchdog_quiet_for_suspending_tasks)
{
    struct eddy_loop_config cfg = {.watchdog_ns = 20 * EDDY_MSEC, .watchdog_report = on_report};
    int busy_too = 0;
    CHECK_INT(eddy_run(watchdog_main, &busy_too, &cfg), ==, 0);
    CHECK_INT(atomic_load(&wd.reports), ==, 0);
}

static void busy_callback(void *arg)
{
    busy(arg);
}

TEST(loop_watchdog_names_a_busy_callback)
{
    struct eddy_loop_config cfg = {.watchdog_ns = 20 * EDDY_MSEC, .watchdog_report = on_report};
    struct eddy_loop *l = eddy_loop_new(&cfg);
    struct eddy_timer *tm = eddy_timer_new(busy_callback, NULL);
    eddy_timer_set(tm, eddy_now());
    CHECK_INT(eddy_loop_run(l), ==, 0);
    struct eddy_loop_stats st;
    eddy_loop_stats(l, &st);
    CHECK_INT(st.watchdog_reports, ==, 1);
    CHECK_STR(st.watchdog_worst_task, "(callback)");
    eddy_timer_free(tm);
    eddy_loop_free(l);
    CHECK_INT(atomic_load(&wd.reports), ==, 1);
    CHECK_STR(wd.name, "(callback)");
    CHECK(wd.where[0] != '\0');
}

/* ------------------------------------------- freeing a loop mid-flight */

struct abandoned {
    struct eddy_event *ev;
    struct eddy_chan *ch;
    struct eddy_lock *lk;
};

static int wait_ev(void *arg)
{
    return eddy_event_wait(((struct abandoned *)arg)->ev, EDDY_FOREVER);
}

static int wait_ch(void *arg)
{
    void *item;
    return eddy_chan_recv(((struct abandoned *)arg)->ch, &item, EDDY_FOREVER);
}

static int wait_lk(void *arg)
{
    return eddy_lock_acquire(((struct abandoned *)arg)->lk, eddy_deadline_in(EDDY_SEC));
}

static int stopper(void *arg)
{
    (void)arg;
    eddy_loop_stop(eddy_loop_current());
    return 5;
}

TEST(loop_free_with_waiting_tasks)
{
    struct eddy_loop *l = eddy_loop_new(NULL);
    struct abandoned a = {eddy_event_new(), eddy_chan_new(1), eddy_lock_new()};
    CHECK(eddy_lock_try(a.lk));
    eddy_detach(eddy_spawn(wait_ev, &a, "ev"));
    struct eddy_task *kept = eddy_spawn(wait_ch, &a, "ch"); /* handle never joined */
    (void)kept;
    eddy_detach(eddy_spawn(wait_lk, &a, "lk"));
    eddy_detach(eddy_spawn(stopper, NULL, "stop"));
    CHECK_INT(eddy_loop_run(l), ==, 0);
    struct eddy_loop_stats st;
    eddy_loop_stats(l, &st);
    CHECK_INT(st.tasks_alive, ==, 3);
    CHECK_INT(st.timers_pending, ==, 1);
    eddy_loop_free(l); /* frees the three without running them */
    /* The primitives outlive the loop: their queues must be empty now. */
    eddy_event_free(a.ev);
    eddy_chan_free(a.ch);
    eddy_lock_free(a.lk);
}

static int stop_main(void *arg)
{
    (void)arg;
    eddy_detach(eddy_spawn(polite, NULL, "left-behind"));
    eddy_loop_stop(eddy_loop_current());
    return 5;
}

TEST(loop_run_returns_main_result_after_stop)
{
    CHECK_INT(eddy_run(stop_main, NULL, NULL), ==, 5);
}
