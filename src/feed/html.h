/*
 * html.h — HTML fragments inside feeds (internal to feed/): sanitizing,
 * relative-URI resolution and HTML's named character references.
 *
 * These are feedparser's _HTMLSanitizer and _RelativeURIResolver in C.  The
 * input is an HTML fragment as UTF-8 (what a feed's text construct holds once
 * XML-decoded); output is appended to an eddy_buf.  No allocation survives a
 * call, no global state; safe from any thread.
 *
 * Returns 0, or a negative errno from the output buffer (-ENOMEM, -E2BIG).
 */
#ifndef EDDY_FEED_HTML_H
#define EDDY_FEED_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy/buf.h"

/* Removes everything a browser could run or load unasked (feedparser's
 * acceptable elements, attributes, URI schemes and CSS properties): the output
 * is safe to put in a web page.  `xhtml` true renders empty elements as
 * "<br />", as feedparser does for type application/xhtml+xml. */
int eddy__html_sanitize(struct eddy_buf *out, const char *html, size_t len, bool xhtml);

/* Rewrites relative URIs in the URI-carrying attributes (a href, img src, ...)
 * as absolute ones against `base` (NUL-terminated; may be NULL or "": then
 * references stay as they are). */
int eddy__html_resolve_uris(struct eddy_buf *out, const char *html, size_t len,
                            const char *base, bool xhtml);

/* Looks up an HTML named character reference without '&' and ';' ("nbsp").
 * Writes its UTF-8 encoding (at most 8 bytes, NUL-terminated) into `utf8` and
 * returns its length, or returns 0 when the name is unknown. */
size_t eddy__html_entity(const char *name, size_t len, char utf8[9]);

#endif
