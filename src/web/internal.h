/*
 * internal.h — what the files of web/ share and do not export.
 *
 * An arena (bump allocator over a list of chunks) gives templates, parsed
 * forms and renders one owner for many small strings: everything is freed at
 * once, and a render can drop its temporaries after each `{{ }}` with a
 * mark/release pair instead of tracking each one.
 */
#ifndef EDDY_WEB_INTERNAL_H
#define EDDY_WEB_INTERNAL_H

#include <stddef.h>

struct eddy__chunk;
struct eddy__arena {
    struct eddy__chunk *top; /* newest chunk; NULL when empty */
};
/* A point to go back to: everything allocated after it is freed at once. */
struct eddy__arena_mark {
    struct eddy__chunk *top; /* the arena's top chunk when marked */
    size_t used;             /* bytes used in it then */
};

/* max_align_t-aligned memory, valid until the arena is freed or released
 * past it; NULL on ENOMEM. */
void *eddy__arena_alloc(struct eddy__arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *eddy__arena_strndup(struct eddy__arena *a, const char *s, size_t n);
struct eddy__arena_mark eddy__arena_mark(const struct eddy__arena *a);
void eddy__arena_release(struct eddy__arena *a, struct eddy__arena_mark m);
void eddy__arena_free(struct eddy__arena *a);

/* Appends s[0..n) to out with every invalid UTF-8 sequence replaced by
 * U+FFFD (what browsers and Python's errors='replace' do), so decoded text
 * is always safe to hand to jansson or a template.  Returns 0 or -errno. */
struct eddy_buf;
int eddy__utf8_append(struct eddy_buf *out, const char *s, size_t n);

#endif
