/*
 * ctx_ucontext.c — portable context switch on makecontext/swapcontext, for
 * architectures without a ctx_<arch>.S (or `make CORO=ucontext`).
 *
 * Much slower than the assembly (glibc's swapcontext makes a sigprocmask
 * system call on every switch, and we add one to keep the thread's mask) but correct everywhere
 * glibc runs.  A task's ucontext_t is carved from the top of its own stack, so it costs no
 * allocation; the loop's own context is malloc'ed.
 */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

int eddy__ctx_main_init(struct eddy__ctx *c)
{
    c->p = calloc(1, sizeof(ucontext_t));
    return c->p ? 0 : -ENOMEM;
}

void eddy__ctx_main_fini(struct eddy__ctx *c)
{
    free(c->p);
    c->p = NULL;
}

struct start {
    void (*fn)(void *);
    void *arg;
};

/* makecontext passes ints only: the pointer to `struct start` (on the new
 * stack) travels as two halves. */
static void trampoline(unsigned hi, unsigned lo)
{
    struct start *s = (struct start *)(((uintptr_t)hi << 16 << 16) | lo);
    s->fn(s->arg);
    abort(); /* fn never returns */
}

void eddy__ctx_make(struct eddy__ctx *c, void *lo, size_t size, void (*fn)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
    ucontext_t *uc = (ucontext_t *)((top - sizeof(ucontext_t)) & ~(uintptr_t)15);
    struct start *s = (struct start *)(((uintptr_t)uc - sizeof *s) & ~(uintptr_t)15);
    s->fn = fn;
    s->arg = arg;
    getcontext(uc);
    uc->uc_link = NULL;
    uc->uc_stack.ss_sp = lo;
    uc->uc_stack.ss_size = (uintptr_t)s - (uintptr_t)lo;
    uintptr_t p = (uintptr_t)s;
    makecontext(uc, (void (*)(void))trampoline, 2, (unsigned)(p >> 16 >> 16), (unsigned)p);
    c->p = uc;
}

void eddy__ctx_switch(struct eddy__ctx *from, struct eddy__ctx *to)
{
    /* swapcontext also restores the signal mask saved in `to`, but the mask
     * belongs to the thread (eddy_signal_event blocks signals from inside a
     * task): carry the current one over. */
    ucontext_t *uc = to->p;
    pthread_sigmask(SIG_SETMASK, NULL, &uc->uc_sigmask);
    swapcontext(from->p, to->p);
}
