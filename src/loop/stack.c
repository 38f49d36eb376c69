/*
 * stack.c — task stacks: mmap'ed, guarded, pooled.
 *
 * Size.  EDDY_STACK_DEFAULT is 64 KiB of address space, of which a parked
 * task touches only the pages its frames reach (typically one or two: the
 * task struct shares the top page).  64 KiB holds glibc's deepest common
 * paths (printf with floats ~3 KiB, getaddrinfo ~20 KiB, libxml2's SAX
 * recursion for a nesting depth of a few hundred), and a million of them is
 * 64 GiB of *virtual* space — free on a 47-bit address space, and
 * MAP_NORESERVE keeps it out of the overcommit accounting.  Larger stacks
 * are per task (eddy_task_opts.stack_size) or per loop.
 *
 * Guard page.  The lowest page of each stack is made inaccessible, so an
 * overflow is a clean SIGSEGV instead of silent corruption.  A guard made
 * with mprotect(PROT_NONE) splits the mapping: 2 VMAs per stack, and Linux
 * caps VMAs per process at vm.max_map_count (65530 on a stock Debian), so
 * ~32k guarded stacks would exhaust it.  Therefore:
 *   1. Linux >= 6.13 has MADV_GUARD_INSTALL: a guard kept in the page tables,
 *      no VMA split, and adjacent stacks even merge into one VMA.  Used when
 *      the kernel accepts it — a million guarded tasks then cost a handful
 *      of VMAs.
 *   2. Otherwise mprotect guards, but only for a budget of max_map_count/4
 *      stacks per process (half the VMAs); stacks beyond it are unguarded
 *      (plain anonymous maps, which the kernel merges).  Safety where it is
 *      affordable, and 100k or 1M tasks still work on a default machine.
 * EDDY_STACK_GUARD=mprotect|none in the environment forces a mode (tests).
 * When mmap itself fails (address space, RLIMIT_AS, maps) spawn gets -ENOMEM.
 *
 * Pool.  Finished tasks park their default-size stack in a per-loop LIFO of
 * at most POOL_CAP entries, so spawn+join costs no system call.  Parked
 * stacks keep their touched pages (usually 1, at most a few: <= 4-8 MiB for
 * the whole pool).  madvise(MADV_DONTNEED) on each park would return them,
 * but costs a system call plus a page fault on reuse: measured with
 * `loop_bench spawn 200000` on the development VM, 5.8-6.8 us per
 * spawn+join with it against 0.16-0.18 us without.  Not worth it.
 */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#define POOL_CAP 1024
/* Below this even the task struct and one libc call would not fit. */
#define MIN_STACK (16 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* A task freed mid-function leaves ASan poison on its stack's shadow; clear
 * it before the memory is reused or unmapped (the address can come back). */
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { GUARD_MADVISE, GUARD_MPROTECT, GUARD_NONE };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static size_t page;
static _Atomic int mode;          /* GUARD_*; MADVISE demotes on EINVAL */
static _Atomic long guard_budget; /* mprotect guards still allowed */

static void init(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    long maps = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
    if (f) {
        if (fscanf(f, "%ld", &maps) != 1)
            maps = 65530;
        fclose(f);
    }
    guard_budget = maps / 4;
    const char *env = getenv("EDDY_STACK_GUARD");
    mode = !env                       ? GUARD_MADVISE
           : !strcmp(env, "none")     ? GUARD_NONE
           : !strcmp(env, "mprotect") ? GUARD_MPROTECT
                                      : GUARD_MADVISE;
}

static bool add_guard(void *base)
{
    if (mode == GUARD_MADVISE) {
        if (madvise(base, page, MADV_GUARD_INSTALL) == 0)
            return true;
        if (errno != EINVAL)
            return false;
        mode = GUARD_MPROTECT; /* kernel < 6.13 */
    }
    if (mode == GUARD_MPROTECT) {
        if (atomic_fetch_sub(&guard_budget, 1) > 0 && mprotect(base, page, PROT_NONE) == 0)
            return true;
        atomic_fetch_add(&guard_budget, 1); /* over budget or out of maps: unguarded */
    }
    return false;
}

/* Mapping length for a stack of `want` usable bytes; 0 when absurd. */
static size_t map_len(size_t want)
{
    if (want > SIZE_MAX / 2) /* would wrap when rounded */
        return 0;
    if (want < MIN_STACK)
        want = MIN_STACK;
    return ((want + page - 1) & ~(page - 1)) + page;
}

int eddy__stack_get(struct eddy_loop *loop, size_t size, struct eddy__stack *out)
{
    pthread_once(&once, init);
    size_t len = map_len(size ? size : loop->stack_size);
    if (!len)
        return -ENOMEM;
    if (loop->npool && len == map_len(loop->stack_size)) {
        *out = loop->pool[--loop->npool];
        return 0;
    }
    void *base =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return -ENOMEM;
    *out = (struct eddy__stack){base, (char *)base + page, len, add_guard(base)};
    return 0;
}

static void unmap(struct eddy_loop *loop, const struct eddy__stack *s)
{
    UNPOISON(s->lo, s->len - page);
    /* The watchdog may be reading the task struct that lives in it. */
    pthread_mutex_lock(&loop->wd_lock);
    munmap(s->base, s->len);
    pthread_mutex_unlock(&loop->wd_lock);
    if (s->guarded && mode == GUARD_MPROTECT)
        atomic_fetch_add(&guard_budget, 1);
}

void eddy__stack_put(struct eddy_loop *loop, const struct eddy__stack *s)
{
    if (s->len == map_len(loop->stack_size)) {
        if (!loop->pool) {
            loop->pool = malloc(POOL_CAP * sizeof *loop->pool);
        }
        if (loop->pool && loop->npool < POOL_CAP) {
            UNPOISON(s->lo, s->len - page);
            loop->pool[loop->npool++] = *s;
            return;
        }
    }
    unmap(loop, s);
}

void eddy__stack_pool_free(struct eddy_loop *loop)
{
    while (loop->npool)
        unmap(loop, &loop->pool[--loop->npool]);
    free(loop->pool);
    loop->pool = NULL;
}
