/*
 * eddy/arena.h — a bump allocator (layer base/).
 *
 * Many small objects that die together (a parsed feed's value tree, a
 * compiled template, a form's fields) are carved from large chunks and
 * freed at once: no malloc per object, no free per object.  A mark/release
 * pair drops everything allocated after the mark (a render's temporaries).
 * Chunks start at 4 KiB and double up to 2 MiB (huge pages where Linux has
 * them); a larger request gets a chunk of its own.  Not thread-safe (one
 * owner at a time).
 */
#ifndef EDDY_ARENA_H
#define EDDY_ARENA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy__chunk;

struct eddy_arena {
    struct eddy__chunk *top; /* newest chunk; NULL when empty */
    size_t total;            /* bytes of chunks held (for memory bounds and tests) */
};

#define EDDY_ARENA_INIT                                                                            \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

/* A point to go back to with eddy_arena_release(). */
struct eddy_arena_mark {
    struct eddy__chunk *top; /* the top chunk when marked */
    size_t used;             /* bytes used in it then */
};

/* n bytes aligned for any type (max_align_t), valid until the arena is
 * freed, reset, or released past them; NULL on ENOMEM. */
void *eddy_arena_alloc(struct eddy_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n); NULL on ENOMEM. */
char *eddy_arena_strndup(struct eddy_arena *a, const char *s, size_t n);
struct eddy_arena_mark eddy_arena_mark(const struct eddy_arena *a);
/* Frees everything allocated since the mark. */
void eddy_arena_release(struct eddy_arena *a, struct eddy_arena_mark m);
/* Empties the arena but keeps its newest chunk for reuse. */
void eddy_arena_reset(struct eddy_arena *a);
/* Frees every chunk; the arena is empty (and reusable) afterwards. */
void eddy_arena_free(struct eddy_arena *a);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
