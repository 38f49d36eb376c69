/*
 * eddy/feedfetch.h — one call from a URL to a parsed feed (layer feedfetch/).
 *
 * eddy_feed_fetch() does what every feed reader otherwise writes by hand:
 * a conditional GET through a client session (client.h), the body streamed
 * into the sans-IO push parser (feed.h) as it arrives, with the response's
 * headers and final URL given to the parser — so feedparser's HTTP charset
 * rules (RFC 3023) and JSON Feed detection by Content-Type always apply —
 * and the HTTP outcome a reader stores (new validators, permanent redirect,
 * status) returned beside the feed.
 *
 *     struct eddy_feed_fetch_result r;
 *     int err = eddy_feed_fetch(session, &(struct eddy_feed_fetch_opts){
 *         .url = url, .etag = old_etag, .last_modified = old_lm}, &r);
 *     if (err == 0 && r.feed) ... eddy_feed_root(r.feed) ...
 *     eddy_feed_fetch_result_clear(&r);
 *
 * It also adapts a parsed feed to the template engine's data interface
 * (template.h), so a feed renders without a detour through JSON text.
 *
 * Depends on client/, feed/, http/ (HTTP-dates) and template/ (for
 * eddy_tdata only).
 */
#ifndef EDDY_FEEDFETCH_H
#define EDDY_FEEDFETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/client.h"
#include "eddy/feed.h"
#include "eddy/template.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

/* Zero-initialise and set what you need; only url is required. */
struct eddy_feed_fetch_opts {
    const char *url;
    /* Validators from the previous fetch (NULL: unconditional GET). */
    const char *etag;
    const char *last_modified;
    const char *const *headers; /* extra "Name: value" request lines, NULL-terminated */
    int64_t timeout_ns;         /* whole transfer, relative; 0: none (see client.h's time rule) */
    size_t max_body;            /* bytes; 0: the client's default (32 MiB) */
    /* Callback mode (feed.h): entries go to on_entry as they end instead of
     * into the result, so memory stays flat on long feeds.  Called on the
     * loop outside any task: it must not suspend. */
    eddy_feed_entry_fn on_entry;
    void *arg;
    int64_t max_cpu_ns; /* the parse's CPU budget (feed.h); 0: its default */
    /* The transfer's phases as they happen (client.h's on_phase), with
     * phase_arg; on the loop, must not suspend.  NULL: not told. */
    void (*on_phase)(void *phase_arg, enum eddy_fetch_phase phase);
    void *phase_arg;
};

/* What one fetch gave.  Strings are owned by the result (never NULL unless
 * said so) and freed, with the feed, by eddy_feed_fetch_result_clear(). */
struct eddy_feed_fetch_result {
    struct eddy_feed *feed; /* the parsed feed, or NULL (304, transfer or HTTP error) */
    int status;             /* HTTP status of the final response; 0 when none arrived */
    bool not_modified;      /* 304: the feed is unchanged since the validators */
    bool moved;             /* every redirect followed was permanent (301/308): store final_url */
    char *final_url;        /* the URL after redirects */
    char *etag;             /* validators to send next time: the response's, else  */
    char *last_modified;    /*   the ones given (on a 304); NULL when neither */
    char *error;            /* why it failed; "" on success */
    size_t bytes;           /* body bytes received (after decompression) */
    double seconds;         /* time in the call, queueing for a connection slot included */
    /* What the server said about when to come back, in seconds from its
     * reply (0: nothing, or "now"; for a scheduler, within its own bounds):
     * retry_after: Retry-After (delta-seconds, or an HTTP-date less the
     *   reply's Date) of a 429, 5xx or 3xx (not 304) reply;
     * fresh_for: the reply's freshness lifetime (RFC 9111 §4.2.1) on a 200
     *   or 304: Cache-Control max-age, else Expires less Date (an invalid
     *   Expires is already stale).  s-maxage is a shared cache's and a
     *   reader is a private one: ignored; no-cache and no-store are about
     *   storing and revalidating, which a conditional GET does anyway. */
    int64_t retry_after;
    int64_t fresh_for;
    /* What it cost: the transfer's steps (client.h; zero when none ran) and
     * the parse's wall-clock microseconds (0: nothing parsed; with on_entry
     * the streamed pushes are counted too). */
    struct eddy_fetch_timings timings;
    int64_t parse_us;
};

/* Fetches o->url with session s and parses the body.  Suspends the calling
 * task.  The loop is not held by a parse: without on_entry the body is only
 * buffered as it arrives and parsed at the end, on the loop's thread pool
 * (eddy_to_thread) when it is larger than 64 KiB (smaller ones parse on the
 * loop in a few ms at most, sparing the pool).  With on_entry the body is
 * parsed as it arrives, on the loop, each chunk's work bounded by its size
 * and the whole by the CPU budget (max_cpu_ns); a parse past its budget
 * ends the feed there (bozo, a TimeoutError, feed.h).  A task cancelled
 * during a parse on the thread pool returns -ECANCELED once the parse has
 * ended.  *out is always filled (zeroed first) and must be cleared with
 * eddy_feed_fetch_result_clear().  Returns:
 *   0           a feed was parsed (out->feed set; it may be bozo), or the
 *               server answered 304 (out->not_modified, out->feed NULL)
 *   -EBADMSG    the body is no feed (eddy_feed_not_a_feed): out->feed is
 *               still set, out->error is "not a feed: " and the parser's reason
 *   -EREMOTEIO  the server answered with a status other than 2xx / 304
 *               (out->status, out->error "HTTP status N"); the body is dropped
 *   other       a transfer error from eddy_fetch() (client.h), e.g.
 *               -ETIMEDOUT, -EHOSTUNREACH, -ECANCELED, -EFBIG, or the
 *               parser's (-ENOMEM) or on_entry's error
 */
EDDY_AWAITS int eddy_feed_fetch(struct eddy_session *s, const struct eddy_feed_fetch_opts *o,
                                struct eddy_feed_fetch_result *out);

/* Parses a reply whose body was collected (eddy_fetch without on_data) as
 * eddy_feed_fetch would: with its headers and final URL, on the thread pool
 * when the body is large.  For a caller that needs the body too (feed
 * discovery reads a page that may be no feed).  Suspends the calling task
 * for a large body.  *out, owned by the caller (eddy_feed_free), is NULL on
 * failure.  Returns 0 or a negative errno (-ENOMEM, -E2BIG, -ECANCELED). */
EDDY_AWAITS int eddy_feed_parse_reply(const struct eddy_reply *r, struct eddy_feed **out);

/* Frees what a result owns and zeroes it; a zeroed result is a no-op. */
void eddy_feed_fetch_result_clear(struct eddy_feed_fetch_result *r);

/* A feed value (and everything under it) as template data: objects, arrays
 * and scalars read in place, no copy.  v must outlive the render; NULL gives
 * an undefined value. */
struct eddy_tdata eddy_feed_tdata(const struct eddy_feed_value *v);

/* A fetch result as template data: an object with url (the final URL),
 * status, error, not_modified, moved, etag, last_modified, seconds, and the
 * parsed feed's bozo, version, feed and entries (undefined without a feed).
 * r must outlive the render.  So a page of fetched feeds is
 *     items[i] = eddy_feed_fetch_tdata(&results[i]);
 *     struct eddy_tfield ctx[] = {{"feeds", eddy_tdata_array(items, n)}};
 *     eddy_render_data(res, "feeds.html", eddy_tdata_object(ctx, 1));
 * with {% for f in feeds %}{{ f.feed.title }}{{ f.error }}... in the template. */
struct eddy_tdata eddy_feed_fetch_tdata(const struct eddy_feed_fetch_result *r);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
