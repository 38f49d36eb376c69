/*
 * arena.c — the bump allocator of include/eddy/arena.h.
 *
 * Chunks are singly linked newest first.  Each new chunk is twice the
 * current top, up to 2 MiB, so a big document costs O(log n) mallocs while a
 * small form or template costs one 4 KiB chunk.
 *
 * Chunks of 2 MiB and more are mapped here, 2 MiB-aligned, and marked
 * MADV_HUGEPAGE (Linux): a big feed's tree is about twice the document, all
 * of it memory touched for the first time, and in 4 KiB pages that is a
 * page fault per 4 KiB (~1 ms of kernel time per MB here, 5x what huge
 * pages cost; the faults were most of the parser's 15% in the kernel).
 * Where transparent huge pages are off the hint does nothing: they are
 * plain mappings, unmapped when freed.  Sanitizer builds keep malloc: their
 * leak checker does not scan our mappings.
 */
#include "eddy/arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDDY_ARENA_MALLOC_ONLY
#endif
#endif
#ifdef __SANITIZE_ADDRESS__
#define EDDY_ARENA_MALLOC_ONLY
#endif
#if defined(__linux__) && !defined(EDDY_ARENA_MALLOC_ONLY)
#include <sys/mman.h>
#ifdef MADV_HUGEPAGE
#define HUGE_CHUNKS
#endif
#endif

#define FIRST_CHUNK 4096       /* bytes of a chunk, header included */
#define MAX_CHUNK   (2u << 20) /* and a huge page */

struct eddy__chunk {
    struct eddy__chunk *prev; /* older chunk */
    size_t cap;               /* bytes in data[] */
    size_t used;              /* bytes handed out */
    bool mapped;              /* mmap'ed here (else malloc'ed) */
    max_align_t data[];       /* the memory */
};

/* A chunk of `size` bytes, header included (a mapped one: rounded up to
 * whole huge pages). */
static struct eddy__chunk *chunk_new(size_t size)
{
    struct eddy__chunk *c = NULL;
#ifdef HUGE_CHUNKS
    if (size >= MAX_CHUNK) {
        if (size > SIZE_MAX - 2 * MAX_CHUNK)
            return NULL;
        size = (size + MAX_CHUNK - 1) & ~(size_t)(MAX_CHUNK - 1);
        /* one huge page more, to cut an aligned range out of */
        char *m = mmap(NULL, size + MAX_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        char *al = (char *)(((uintptr_t)m + MAX_CHUNK - 1) & ~(uintptr_t)(MAX_CHUNK - 1));
        if (al > m)
            munmap(m, (size_t)(al - m));
        munmap(al + size, (size_t)(m + MAX_CHUNK - al));
        madvise(al, size, MADV_HUGEPAGE); /* a hint: failing is harmless */
        c = (struct eddy__chunk *)(void *)al;
        c->mapped = true;
    }
#endif
    if (!c) {
        if (!(c = malloc(size)))
            return NULL;
        c->mapped = false;
    }
    c->cap = size - sizeof *c;
    c->used = 0;
    return c;
}

static void chunk_free(struct eddy__chunk *c)
{
#ifdef HUGE_CHUNKS
    if (c->mapped) {
        munmap(c, sizeof *c + c->cap);
        return;
    }
#endif
    free(c);
}

void *eddy_arena_alloc(struct eddy_arena *a, size_t n)
{
    const size_t al = alignof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = n ? (n + al - 1) & ~(al - 1) : al;
    struct eddy__chunk *c = a->top;
    if (!c || c->cap - c->used < n) {
        /* Twice the current top, so that after a release the next chunk
         * is sized by what is still held, not by a past peak. */
        size_t size = !c                       ? FIRST_CHUNK
                      : c->cap < MAX_CHUNK / 2 ? 2 * (sizeof *c + c->cap)
                                               : MAX_CHUNK;
        if (size - sizeof *c < n)
            size = sizeof *c + n;
        struct eddy__chunk *nc = chunk_new(size);
        if (!nc)
            return NULL;
        nc->prev = c;
        a->top = c = nc;
        a->total += c->cap;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

char *eddy_arena_strndup(struct eddy_arena *a, const char *s, size_t n)
{
    char *p = eddy_arena_alloc(a, n + 1);
    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

struct eddy_arena_mark eddy_arena_mark(const struct eddy_arena *a)
{
    return (struct eddy_arena_mark){a->top, a->top ? a->top->used : 0};
}

void eddy_arena_release(struct eddy_arena *a, struct eddy_arena_mark m)
{
    while (a->top != m.top) {
        struct eddy__chunk *prev = a->top->prev;
        a->total -= a->top->cap;
        chunk_free(a->top);
        a->top = prev;
    }
    if (a->top)
        a->top->used = m.used;
}

void eddy_arena_reset(struct eddy_arena *a)
{
    if (!a->top)
        return;
    struct eddy__chunk *keep = a->top;
    a->top = keep->prev;
    eddy_arena_release(a, (struct eddy_arena_mark){NULL, 0});
    keep->prev = NULL;
    keep->used = 0;
    a->top = keep;
    a->total = keep->cap;
}

void eddy_arena_free(struct eddy_arena *a)
{
    eddy_arena_release(a, (struct eddy_arena_mark){NULL, 0});
    a->total = 0;
}
