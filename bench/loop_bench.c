/*
 * loop_bench.c — figures for the runtime (layer loop/).  Prints, never
 * judges: bench/loop.sh runs it.
 *
 *   loop_bench [switch|spawn|timers|rss|kernel] [N]
 *
 * switch  two tasks eddy_yield() to each other: ns per switch (one task
 *         suspends, the other resumes — through the loop's scheduler).
 * spawn   a task spawns a trivial task and joins it: ns per spawn+join.
 * timers  1M callback timers pending; then arm+disarm one at a random
 *         deadline: ns per insert+remove.  Then 1M tasks asleep, and two
 *         tasks ping-ponging on events with deadlines: ns per round trip.
 * rss     N tasks parked on an event: RSS growth per task (from
 *         /proc/self/statm) and VMAs added (/proc/self/maps), at N = 100k
 *         and 1M unless N is given.  EDDY_STACK_GUARD=mprotect shows the
 *         guard mode of kernels before 6.13.
 * kernel  the system-call and page-fault cost of one fresh stack (mmap,
 *         guard, first touch, munmap), without the runtime.
 */
#include "eddy/loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long n_arg;

/* -------------------------------------------------------------- switch */

static long iters;

static int pingpong(void *arg)
{
    (void)arg;
    for (long i = 0; i < iters; i++)
        eddy_yield();
    return 0;
}

static int bench_switch(void *arg)
{
    (void)arg;
    iters = n_arg ? n_arg : 10000000;
    struct eddy_task *t[2] = {eddy_spawn(pingpong, NULL, "ping"),
                              eddy_spawn(pingpong, NULL, "pong")};
    int64_t t0 = eddy_now();
    if (eddy_gather(t, 2, NULL) < 0)
        return 1;
    int64_t dt = eddy_now() - t0;
    printf("switch: %.1f ns per switch (2 tasks x %ld yields, watchdog %s)\n",
           (double)dt / (2.0 * iters), iters, arg ? "off" : "on");
    return 0;
}

/* --------------------------------------------------------------- spawn */

static int trivial(void *arg)
{
    return (int)(intptr_t)arg;
}

static int bench_spawn(void *arg)
{
    (void)arg;
    long n = n_arg ? n_arg : 1000000;
    int64_t t0 = eddy_now();
    for (long i = 0; i < n; i++) {
        struct eddy_task *t = eddy_spawn(trivial, NULL, "t");
        if (!t || eddy_join(t, NULL) < 0)
            return 1;
    }
    int64_t dt = eddy_now() - t0;
    printf("spawn+join: %.1f ns per spawn+join (%ld, stacks from the pool)\n", (double)dt / n, n);
    return 0;
}

/* -------------------------------------------------------------- timers */

static void nop(void *arg)
{
    (void)arg;
}

static uint64_t rng = 88172645463325252u;
static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int sleeper(void *arg)
{
    return eddy_sleep_until(*(int64_t *)arg);
}

struct pingarg {
    struct eddy_event *a, *b; /* a: waiter waits, b: setter waits */
    long rounds;
};

static int waiter(void *arg)
{
    struct pingarg *p = arg;
    for (long i = 0; i < p->rounds; i++) {
        eddy_event_clear(p->a);
        eddy_event_set(p->b);
        if (eddy_event_wait(p->a, eddy_now() + 3600 * EDDY_SEC) < 0)
            return -1;
    }
    eddy_event_set(p->b);
    return 0;
}

static int setter(void *arg)
{
    struct pingarg *p = arg;
    for (long i = 0; i < p->rounds; i++) {
        if (eddy_event_wait(p->b, EDDY_FOREVER) < 0)
            return -1;
        eddy_event_clear(p->b);
        eddy_event_set(p->a);
    }
    return 0;
}

static int bench_timers(void *arg)
{
    (void)arg;
    long n = n_arg ? n_arg : 1000000;
    struct eddy_timer **tm = malloc((size_t)n * sizeof *tm);
    int64_t base = eddy_now() + 3600 * EDDY_SEC;
    for (long i = 0; i < n; i++) {
        tm[i] = eddy_timer_new(nop, NULL);
        eddy_timer_set(tm[i], base + (int64_t)(xorshift() % (3600 * EDDY_SEC)));
    }
    struct eddy_timer *x = eddy_timer_new(nop, NULL);
    long churn = 1000000;
    int64_t t0 = eddy_now();
    for (long i = 0; i < churn; i++) {
        eddy_timer_set(x, base + (int64_t)(xorshift() % (3600 * EDDY_SEC)));
        eddy_timer_set(x, EDDY_FOREVER);
    }
    int64_t dt = eddy_now() - t0;
    printf("timers: %.1f ns per insert+remove with %ld timers pending\n", (double)dt / churn, n);
    /* Re-arm every pending timer (remove + insert at a new place). */
    t0 = eddy_now();
    for (long i = 0; i < n; i++)
        eddy_timer_set(tm[i], base + (int64_t)(xorshift() % (3600 * EDDY_SEC)));
    dt = eddy_now() - t0;
    printf("timers: %.1f ns per re-arm of a pending timer (%ld pending)\n", (double)dt / n, n);
    for (long i = 0; i < n; i++)
        eddy_timer_free(tm[i]);
    eddy_timer_free(x);
    free(tm);

    /* Task level: with n tasks asleep (n pending deadlines), one task
     * waits on an event with a deadline (timer inserted) and another sets it
     * (timer removed on wake-up): ns per wait/wake round trip. */
    struct eddy_group g;
    eddy_group_init(&g);
    int64_t far = eddy_now() + 3600 * EDDY_SEC;
    for (long i = 0; i < n; i++)
        if (eddy_group_spawn(&g, sleeper, &far, "sleeper") < 0)
            break;
    eddy_yield(); /* all asleep */
    struct pingarg pa = {eddy_event_new(), eddy_event_new(), 1000000};
    struct eddy_task *t[2] = {eddy_spawn(waiter, &pa, "waiter"), eddy_spawn(setter, &pa, "setter")};
    t0 = eddy_now();
    if (eddy_gather(t, 2, NULL) < 0)
        return 1;
    dt = eddy_now() - t0;
    printf("timers: %.1f ns per event wait with a deadline + wake (timer insert+remove, "
           "2 switches) with %ld sleeping tasks\n",
           (double)dt / pa.rounds, n);
    eddy_event_free(pa.a);
    eddy_event_free(pa.b);
    eddy_group_cancel(&g);
    int err = eddy_group_wait(&g);
    eddy_group_fini(&g);
    return err == -ECANCELED ? 0 : err;
}

/* ----------------------------------------------------------------- rss */

static long rss_pages(void)
{
    long size, rss;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, &rss) != 2)
        rss = -1;
    if (f)
        fclose(f);
    return rss;
}

static long vmas(void)
{
    long n = 0;
    int c;
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

static int parked(void *arg)
{
    return eddy_event_wait(arg, EDDY_FOREVER);
}

static int rss_one(long n)
{
    struct eddy_event *ev = eddy_event_new();
    struct eddy_group g;
    eddy_group_init(&g);
    long before = rss_pages(), vbefore = vmas();
    int64_t t0 = eddy_now();
    long spawned = 0;
    for (; spawned < n; spawned++)
        if (eddy_group_spawn(&g, parked, ev, "parked") < 0)
            break;
    eddy_yield(); /* every task runs to its wait */
    int64_t dt = eddy_now() - t0;
    long after = rss_pages(), vafter = vmas();
    double per = (double)(after - before) * (double)sysconf(_SC_PAGESIZE) / (double)spawned;
    printf("rss: %ld parked tasks: %.0f bytes (%.2f KiB) RSS per task, %ld more VMAs; "
           "spawn+first run %.0f ns per task%s\n",
           spawned, per, per / 1024, vafter - vbefore, (double)dt / (double)spawned,
           spawned < n ? " (spawn failed early: ENOMEM)" : "");
    eddy_event_set(ev);
    int err = eddy_group_wait(&g);
    eddy_group_fini(&g);
    eddy_event_free(ev);
    return err;
}

static int bench_rss(void *arg)
{
    (void)arg;
    if (n_arg)
        return rss_one(n_arg);
    rss_one(100000);
    return rss_one(1000000);
}

/* -------------------------------------------------------------- kernel */

/* What a fresh (not pooled) stack costs in system calls and page faults,
 * without the runtime: explains the "spawn+first run" figure of rss. */
static int bench_kernel(void *arg)
{
    (void)arg;
    long n = n_arg ? n_arg : 100000;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), len = EDDY_STACK_DEFAULT + pg;
    char **p = malloc((size_t)n * sizeof *p);
    int64_t t[5];
    t[0] = eddy_now();
    for (long i = 0; i < n; i++)
        p[i] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                    -1, 0);
    t[1] = eddy_now();
    int guard = 102; /* MADV_GUARD_INSTALL, Linux >= 6.13 */
    for (long i = 0; i < n; i++)
        if (madvise(p[i], pg, guard) < 0)
            guard = -1, mprotect(p[i], pg, PROT_NONE);
    t[2] = eddy_now();
    for (long i = 0; i < n; i++)
        p[i][len - 64] = 1;
    t[3] = eddy_now();
    for (long i = 0; i < n; i++)
        munmap(p[i], len);
    t[4] = eddy_now();
    printf(
        "kernel: per %zu-byte stack: mmap %.0f ns, guard page (%s) %.0f ns, first touch %.0f ns, "
        "munmap %.0f ns (%ld stacks)\n",
        len, (double)(t[1] - t[0]) / n, guard < 0 ? "mprotect" : "MADV_GUARD_INSTALL",
        (double)(t[2] - t[1]) / n, (double)(t[3] - t[2]) / n, (double)(t[4] - t[3]) / n, n);
    free(p);
    return 0;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    n_arg = argc > 2 ? atol(argv[2]) : 0;
    /* The switch figure is taken with the watchdog on, as in production;
     * the others turn it off because mass spawns would be reported. */
    struct eddy_loop_config cfg = {.watchdog_ns = -1};
    struct {
        const char *name;
        int (*fn)(void *);
    } b[] = {{"switch", bench_switch},
             {"spawn", bench_spawn},
             {"timers", bench_timers},
             {"rss", bench_rss},
             {"kernel", bench_kernel}};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        if (!strcmp(what, "all") || !strcmp(what, b[i].name))
            if (eddy_run(b[i].fn, NULL, !strcmp(b[i].name, "switch") ? NULL : &cfg) != 0)
                return 1;
    /* The watchdog's cost on switches: the same run with it off. */
    if (!strcmp(what, "all") || !strcmp(what, "switch"))
        if (eddy_run(bench_switch, &cfg, &cfg) != 0)
            return 1;
    return 0;
}
