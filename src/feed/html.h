/*
 * html.h — HTML fragments inside feeds (internal to feed/): sanitizing,
 * relative-URI resolution and HTML's named character references.
 *
 * These are feedparser's _HTMLSanitizer and _RelativeURIResolver in C.  The
 * input is an HTML fragment as UTF-8 (what a feed's text construct holds once
 * XML-decoded); output is appended to an eddy_buf.  The only shared state is
 * a set of read-only lookup indexes built once per process (pthread_once),
 * so any thread may call these at any time; each thread keeps its scratch
 * buffers (at most 64 KB each) from call to call, freed when it exits.  Time and memory are linear
 * in the input, whatever it holds (no element stack: nesting costs nothing).
 *
 * `xhtml` is the text construct's type: true for application/xhtml+xml, false
 * for text/html.  With it, "<a .../>" also ends the element (feedparser's
 * rule); without it, inline <svg> and <math> get their implicit namespace.
 * Empty elements are written "<br />" either way.
 *
 * Returns 0, or a negative errno from the output buffer (-ENOMEM, -E2BIG); on
 * error nothing is appended.
 */
#ifndef EDDY_FEED_HTML_H
#define EDDY_FEED_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy/buf.h"

/* Removes everything a browser could run or load unasked (feedparser's
 * acceptable elements, attributes, URI schemes and CSS properties): the output
 * is safe to put in a web page.  Byte for byte what feedparser's
 * _sanitize_html returns (stripped, CRLF as LF), except where feedparser lets
 * script through (listed at the top of html.c). */
int eddy__html_sanitize(struct eddy_buf *out, const char *html, size_t len, bool xhtml);
/* The same within budget b (NULL: none): past it, -ETIME with out as it was
 * (nothing half-sanitized is kept). */
struct eddy__budget;
int eddy__html_sanitize_within(struct eddy_buf *out, const char *html, size_t len, bool xhtml,
                               struct eddy__budget *b);

/* Rewrites relative URIs in the URI-carrying attributes (a href, img src, ...)
 * as absolute ones against `base` (NUL-terminated, may be NULL or ""), as
 * feedparser's resolve_relative_uris does: a URI whose result would have an
 * unacceptable scheme stays as written; with no base, URIs are only stripped
 * of surrounding spaces.  Not a sanitizer: the rest is re-serialized as is. */
int eddy__html_resolve_uris(struct eddy_buf *out, const char *html, size_t len, const char *base,
                            bool xhtml);
/* The same within budget b (NULL: none): past it, -ETIME with out as it was. */
int eddy__html_resolve_uris_within(struct eddy_buf *out, const char *html, size_t len,
                                   const char *base, bool xhtml, struct eddy__budget *b);

/* eddy__html_sanitize_within of what eddy__html_resolve_uris_within gives,
 * the same bytes (or error), mostly in one pass over the text: input the
 * one pass might read differently than the two (comments, declarations,
 * unparsed text...) gets the two passes. */
int eddy__html_clean_within(struct eddy_buf *out, const char *html, size_t len, const char *base,
                            bool xhtml, struct eddy__budget *b);

/* Looks up an HTML named character reference without '&' and ';' ("nbsp").
 * Writes its UTF-8 encoding (at most 8 bytes, NUL-terminated) into `utf8` and
 * returns its length, or returns 0 when the name is unknown. */
size_t eddy__html_entity(const char *name, size_t len, char utf8[9]);

/* Whether the sanitizer keeps the element `tag` (lower case, len bytes):
 * feedparser's _HTMLSanitizer.acceptable_elements. */
bool eddy__html_acceptable_element(const char *tag, size_t len);

#endif
