/*
 * uri.h — URI references in feeds (internal to feed/): RFC 3986 resolution
 * with feedparser's rules (_urljoin, _makeSafeAbsoluteURI).  Pure functions.
 */
#ifndef EDDY_FEED_URI_H
#define EDDY_FEED_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy/buf.h"

/* Appends `ref` resolved against `base` (both NUL-terminated; base may be
 * NULL or "") to out, as feedparser's _urljoin does.  Returns 0 or a negative
 * errno from the buffer. */
int eddy__uri_resolve(struct eddy_buf *out, const char *base, const char *ref);

/* Like eddy__uri_resolve, then feedparser's _makeSafeAbsoluteURI: a result
 * whose scheme is not in feedparser's acceptable list becomes "". */
int eddy__uri_resolve_safe(struct eddy_buf *out, const char *base, const char *ref);

/* True when the scheme of `uri` is one feedparser accepts (http, https, ftp,
 * mailto, ... — its ACCEPTABLE_URI_SCHEMES), or when it has no scheme. */
bool eddy__uri_scheme_ok(const char *uri);

/* True when scheme[0..len) (lower case, no ':') is one of feedparser's
 * ACCEPTABLE_URI_SCHEMES. */
bool eddy__uri_scheme_acceptable(const char *scheme, size_t len);

#endif
