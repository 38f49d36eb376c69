/*
 * internal.h — what the files of web/ share and do not export.
 *
 * Templates, parsed forms and renders own their many small strings through
 * an arena (base/'s eddy_arena): everything is freed at once, and a render
 * drops its temporaries after each `{{ }}` with a mark/release pair.
 */
#ifndef EDDY_WEB_INTERNAL_H
#define EDDY_WEB_INTERNAL_H

#include <stddef.h>

#include "eddy/arena.h" /* templates, forms and renders allocate from arenas */

/* Appends s[0..n) to out with every invalid UTF-8 sequence replaced by
 * U+FFFD (what browsers and Python's errors='replace' do), so decoded text
 * is always safe to hand to jansson or a template.  Returns 0 or -errno. */
struct eddy_buf;
int eddy__utf8_append(struct eddy_buf *out, const char *s, size_t n);

#endif
