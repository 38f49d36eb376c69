/*
 * arena.c — the bump allocator of include/eddy/arena.h.
 *
 * Chunks are singly linked newest first.  Each new chunk is twice the
 * current top, up to 1 MiB, so a big document costs O(log n) mallocs while a
 * small form or template costs one 4 KiB chunk.
 */
#include "eddy/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CHUNK 4096
#define MAX_CHUNK   (1u << 20)

struct eddy__chunk {
    struct eddy__chunk *prev; /* older chunk */
    size_t cap;               /* bytes in data[] */
    size_t used;              /* bytes handed out */
    max_align_t data[];       /* the memory */
};

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
        size_t cap = !c ? FIRST_CHUNK : c->cap < MAX_CHUNK ? c->cap * 2 : MAX_CHUNK;
        if (cap < n)
            cap = n;
        struct eddy__chunk *nc = malloc(sizeof *nc + cap);
        if (!nc)
            return NULL;
        *nc = (struct eddy__chunk){c, cap, 0};
        a->top = c = nc;
        a->total += cap;
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
        free(a->top);
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
