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

#include "../base/text.h" /* eddy__utf8_append: decoded text made valid UTF-8 */

#endif
