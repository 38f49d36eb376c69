/*
 * watchdog.c — names a task that runs too long without suspending.
 *
 * Cost on the loop: nothing beyond the switch counter it already keeps (one
 * relaxed store per resume) and the `current` pointer; no clock is read per
 * switch.  A thread per loop samples both every threshold/2: if the same
 * task is still current and the counter has not moved, the task has been
 * running at least since the earlier sample; once that reaches the
 * threshold it is reported, once per run, with its name and the code address
 * it last resumed at (symbolized with dladdr: exported symbols get a name,
 * others "binary+0xoffset" for addr2line).  The duration reported is a lower
 * bound, accurate to threshold/2.  Watch and timer callbacks, which run on
 * the loop outside any task, are watched the same way (their own run
 * counter) and reported as "(callback)" with the callback's address.
 *
 * Safety of reading another thread's task: task memory is only unmapped
 * under wd_lock (stack.c), which the sampler holds while it copies the name;
 * memory recycled in the stack pool stays mapped, and the counter is
 * re-read after the copy, so a task that moved on is not reported.  The
 * loop publishes `current` with a release store (a plain mov on x86-64), so
 * the name written at spawn is visible here.  `where` is read racily: a
 * stale value can only make a report point at the previous resume site.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void symbolize(void *addr, char *out, size_t n)
{
    Dl_info info;
    if (dladdr(addr, &info) && info.dli_sname)
        snprintf(out, n, "%s+0x%zx (%s)", info.dli_sname,
                 (size_t)((char *)addr - (char *)info.dli_saddr), info.dli_fname);
    else if (dladdr(addr, &info) && info.dli_fname)
        snprintf(out, n, "%s+0x%zx", info.dli_fname,
                 (size_t)((char *)addr - (char *)info.dli_fbase));
    else
        snprintf(out, n, "%p", addr);
}

static void *wd_main(void *arg)
{
    struct eddy_loop *l = arg;
    int64_t period = l->wd_ns / 2 ? l->wd_ns / 2 : 1;
    uint64_t seen = UINT64_MAX;
    int64_t since = 0;
    bool reported = false;
    pthread_mutex_lock(&l->wd_lock);
    while (!l->wd_stop) {
        int64_t wake = eddy_now() + period;
        struct timespec ts = {wake / EDDY_SEC, wake % EDDY_SEC};
        pthread_cond_timedwait(&l->wd_cond, &l->wd_lock, &ts);
        if (l->wd_stop)
            break;
        uint64_t c = atomic_load_explicit(&l->switches, memory_order_relaxed) +
                     atomic_load_explicit(&l->cb_runs, memory_order_relaxed);
        struct eddy_task *t = atomic_load_explicit(&l->current, memory_order_acquire);
        void *cb = atomic_load_explicit(&l->cb_fn, memory_order_relaxed);
        int64_t now = eddy_now();
        if ((!t && !cb) || c != seen) {
            seen = c;
            since = now;
            reported = false;
            continue;
        }
        int64_t ran = now - since;
        if (ran < l->wd_ns)
            continue;
        char name[32] = "(callback)";
        void *where = cb;
        if (t) {
            memcpy(name, t->name, sizeof name);
            where = t->where;
        }
        if (atomic_load_explicit(&l->switches, memory_order_relaxed) +
                atomic_load_explicit(&l->cb_runs, memory_order_relaxed) !=
            c)
            continue;
        if (ran > l->wd_worst_ns) {
            l->wd_worst_ns = ran;
            memcpy(l->wd_worst_task, name, sizeof name);
        }
        if (reported)
            continue;
        reported = true;
        l->wd_reports++;
        pthread_mutex_unlock(&l->wd_lock);
        char sym[512];
        symbolize(where, sym, sizeof sym);
        if (l->wd_report)
            l->wd_report(l->wd_arg, name, sym, ran);
        else
            fprintf(stderr,
                    "eddy: watchdog: %s \"%s\" has run %.1f ms without suspending"
                    " (%s %s)\n",
                    t ? "task" : "callback", name, (double)ran / EDDY_MSEC,
                    t ? "last resumed at" : "function", sym);
        pthread_mutex_lock(&l->wd_lock);
    }
    pthread_mutex_unlock(&l->wd_lock);
    return NULL;
}

int eddy__watchdog_start(struct eddy_loop *l)
{
    int r = eddy__thread_start(&l->wd_thread, wd_main, l);
    l->wd_started = r == 0;
    return r;
}

void eddy__watchdog_stop(struct eddy_loop *l)
{
    if (!l->wd_started)
        return;
    pthread_mutex_lock(&l->wd_lock);
    l->wd_stop = true;
    pthread_cond_signal(&l->wd_cond);
    pthread_mutex_unlock(&l->wd_lock);
    pthread_join(l->wd_thread, NULL);
    l->wd_started = false;
}
