/*
 * river.h — what the merged feeds (river.c) and the digest (digest.c) share,
 * internal to app/: text made safe for XML, HTML and JSON, RFC 3339 dates,
 * the link filter, and a feed looked up by id.
 */
#ifndef EDDY_APP_RIVER_H
#define EDDY_APP_RIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/buf.h"
#include "eddy/store.h"

enum eddy__esc {
    EDDY__ESC_XML,  /* & < > " and CR as references (also right for HTML) */
    EDDY__ESC_JSON, /* " \ and control characters as JSON escapes */
    EDDY__ESC_NONE, /* only the cleaning below */
};

/* Appends s (NULL: nothing) escaped for `mode`, cleaned on the way: invalid
 * UTF-8 becomes U+FFFD, and what XML 1.0 forbids (C0 controls but tab, LF
 * and CR; U+FFFE, U+FFFF) is dropped, so the output is always valid UTF-8
 * that any XML or JSON parser reads.  0 or the buffer's error. */
int eddy__app_put(struct eddy_buf *out, const char *s, enum eddy__esc mode);

/* Returns err; when it is an error, first takes out back to its first
 * `start` bytes: a writer that fails leaves nothing half-written. */
int eddy__app_undo(struct eddy_buf *out, size_t start, int err);

/* t (Unix seconds) as RFC 3339 UTC, "2026-12-06T21:32:09Z". */
#define EDDY__RFC3339_LEN 20
void eddy__app_rfc3339(int64_t t, char out[EDDY__RFC3339_LEN + 1]);

/* True when url is absolute http:, https: or (mailto true) mailto: — the only
 * links eddy writes into the documents it makes (feeds carry javascript:). */
bool eddy__app_link_ok(const char *url, bool mailto);

/* The feed of feeds[0..n) with that id, or NULL. */
const struct eddy_store_feed *eddy__app_feed(const struct eddy_store_feed *feeds, size_t n,
                                             int64_t id);

/* The feed's title, else its URL. */
const char *eddy__app_feed_title(const struct eddy_store_feed *f);

/* Makes *s (malloc'ed; NULL: nothing to do) valid UTF-8, replacing it with
 * a copy where each invalid sequence is U+FFFD when it has any.  eddy never
 * stores invalid UTF-8, but another program or an older eddy may have, and
 * jansson refuses such a string (a page built from it failed: 500).  0 or
 * -ENOMEM (*s unchanged).  The _entry and _feed forms do every string of a
 * store record, as the pages' jobs read them. */
int eddy__app_utf8(char **s);
int eddy__app_entry_utf8(struct eddy_store_entry *e);
int eddy__app_feed_utf8(struct eddy_store_feed *f);

#endif
