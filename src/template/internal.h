/*
 * internal.h — what the files of template/ share and do not export.
 */
#ifndef EDDY_TEMPLATE_INTERNAL_H
#define EDDY_TEMPLATE_INTERNAL_H

#include <inttypes.h>
#include <stddef.h>

#include "eddy/buf.h"
#include "eddy/template.h"

enum { EDDY__JSON_COMPACT = 1, EDDY__JSON_SORT = 2 };

/* Appends v as JSON, as jansson's json_dumps would with JSON_ENCODE_ANY and
 * the flags (EDDY__JSON_COMPACT: "," ":" separators, else ", " ": ";
 * EDDY__JSON_SORT: object keys sorted).  Returns 0 or a negative errno. */
int eddy__tdata_write_json(struct eddy_buf *b, struct eddy_tdata v, int flags);
/* A finite real as jansson writes it (%.17g, ".0" added). */
int eddy__tdata_write_real(struct eddy_buf *b, double d);
/* A JSON string literal of s[0..n) (UTF-8 assumed). */
int eddy__tdata_write_string(struct eddy_buf *b, const char *s, size_t n);

#endif
