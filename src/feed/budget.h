/*
 * budget.h — the CPU budget of one document (eddy_feed_opts.max_cpu_ns),
 * kept by sax_driver.c and checked by every tokenizer of feed/: libxml2's
 * callbacks, the loose parser (loose.c) and the sanitizer (html.c).
 */
#ifndef EDDY_FEED_BUDGET_H
#define EDDY_FEED_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Thread CPU time spent on one document, summed over push and finish calls
 * (each measured on the thread it ran on), on_entry's time left out.  The
 * tokenizers (libxml2's callbacks, loose.c) ask eddy__over_budget() at each
 * token; it reads the clock every 1024th call only (a clock_gettime of
 * CLOCK_THREAD_CPUTIME_ID is a system call, ~1 us here), so a check costs an
 * increment.  Past the limit they stop: what was parsed is kept. */
struct eddy__budget {
    int64_t limit; /* ns, plus per_byte_ns for each byte pushed */
    int64_t per_byte_ns;
    size_t bytes;  /* pushed so far */
    int64_t spent; /* ns, of the calls that ended */
    int64_t t0;    /* thread CPU clock when the current call began; -1: none */
    size_t at;     /* where the tokenizer stopped (byte offset of its text) */
    unsigned ticks;
    bool over;
};
int64_t eddy__thread_cpu_ns(void);
bool eddy__budget_spent(struct eddy__budget *b); /* reads the clock; sets b->over */
static inline bool eddy__over_budget(struct eddy__budget *b)
{
    return b && (b->over || ((++b->ticks & 1023) == 0 && eddy__budget_spent(b)));
}

#endif
