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

#include "eddy/arena.h"
/* The shared allocator under the names this layer's files use. */
#define eddy__arena eddy_arena
#define eddy__arena_mark eddy_arena_mark
#define eddy__arena_alloc eddy_arena_alloc
#define eddy__arena_strndup eddy_arena_strndup
#define eddy__arena_release eddy_arena_release
#define eddy__arena_reset eddy_arena_reset
#define eddy__arena_free eddy_arena_free

/* Appends s[0..n) to out with every invalid UTF-8 sequence replaced by
 * U+FFFD (what browsers and Python's errors='replace' do), so decoded text
 * is always safe to hand to jansson or a template.  Returns 0 or -errno. */
struct eddy_buf;
int eddy__utf8_append(struct eddy_buf *out, const char *s, size_t n);

#endif
