/*
 * eddy/client.h — the async HTTP client (layer client/): aiohttp's
 * ClientSession on libcurl, driven by eddy's loop.
 *
 * A session owns one libcurl multi handle whose sockets are watched by the
 * loop (eddy_watch) and whose timer is a loop timer (eddy_timer): libcurl's
 * multi_socket API, no extra thread, no polling.  eddy_fetch() suspends only
 * the calling task until its transfer ends; thousands of tasks may fetch at
 * once.  Connections, DNS answers and TLS sessions are reused across the
 * session's requests; HTTP/2 is multiplexed where the server offers it.
 *
 * Depends on loop/ and libcurl.  A session belongs to the loop (thread) that
 * created it.  Creating one sets SIGPIPE to ignored when it is at its
 * default (TLS writes to a vanished peer would otherwise end the process).  Proxies come from the
 * environment as libcurl reads them (http_proxy, https_proxy, no_proxy...).
 *
 * Time: two clocks bound a fetch, and the earlier wins.
 *  - The relative options of struct eddy_fetch_opts (timeout_ns,
 *    connect_timeout_ns, stall_ns) are durations of the transfer itself:
 *    they start when the request leaves the queue for a connection slot
 *    (max_concurrency, max_per_host), so time spent queued never counts
 *    against them.  They are relative because libcurl's are; a caller with
 *    a deadline passes `deadline - eddy_now()`.
 *  - The calling task's timeout scope (eddy_timeout_begin in loop.h, an
 *    absolute deadline) bounds the whole call, queueing included, like
 *    every other suspension point: when it passes first eddy_fetch returns
 *    -ETIMEDOUT with "timed out while queued" or "timed out (timeout
 *    scope)" and the transfer is aborted.  eddy_fetch takes no deadline of
 *    its own: to bound "this fetch, however long the queue" use a scope.
 *
 * Redirects (301, 302, 303, 307, 308, and 300 with a Location) are followed
 * by eddy, one transfer per hop, each in its own host's slot: a hop to
 * another host gives up the previous host's slot and waits for the new
 * one's like any request to it, so max_per_host holds across redirects.
 * Per hop, as libcurl and browsers do: a relative Location is resolved
 * against the URL asked; only http and https are followed; POST becomes a
 * GET without body on 301 and 302, and any method but HEAD on 303, while 307
 * and 308 keep method and body; Authorization and Cookie header lines (the
 * session's and the request's) go only to the first URL's origin (scheme,
 * host, port); the SSRF guard judges every hop's connection.  timeout_ns
 * covers all hops' transfer time together; connect_timeout_ns and stall_ns
 * hold per hop.
 *
 * Errors: eddy_fetch() returns 0 when an HTTP response arrived (whatever its
 * status) and a negative errno otherwise; the response then still carries a
 * precise message (eddy_reply_error):
 *   -ETIMEDOUT      total/connect timeout, stall, or the task's timeout scope
 *   -ECANCELED      the task was cancelled (the transfer is aborted and freed)
 *   -ECONNREFUSED   connection refused
 *   -ENXIO          the host name could not be resolved
 *   -EHOSTUNREACH   (ssrf_guard sessions) refused by the guard, unresolvable,
 *                   or unreachable: one error for all
 *   -ELOOP          more redirects than allowed, or a redirect back to a
 *                   URL already asked with the same method (not checked in
 *                   a session with cookies: a new cookie may change the answer)
 *   -EFBIG          the body exceeded the maximum size
 *   -EKEYREJECTED   TLS certificate verification failed
 *   -ECONNABORTED   the data callback asked to stop
 *   -EINVAL         the URL is malformed or not http/https
 *   -EPROTO         the server's reply is no HTTP, a redirect to another
 *                   scheme, or any other transfer error (message from libcurl)
 */
#ifndef EDDY_CLIENT_H
#define EDDY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/loop.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_session;
struct eddy_reply;

/* Where a transfer is (eddy_fetch_opts.on_phase). */
enum eddy_fetch_phase { EDDY_FETCH_CONNECTING = 1, EDDY_FETCH_WAITING, EDDY_FETCH_RECEIVING };

struct eddy_session_opts {
    const char *user_agent; /* NULL: "eddy/<version>" */
    const char *const
        *headers; /* "Name: value" sent with every request, NULL-terminated; may be NULL */
    unsigned max_concurrency; /* transfers at once; 0: 256 (also capped by the fd limit) */
    /* Transfers at once per host; 0: 8.  A host is one however its URLs
     * spell it (case, numeric IPv4 forms such as 2130706433, IPv6 forms, a
     * trailing dot); ports and schemes share it. */
    unsigned max_per_host;
    bool cookies;        /* keep a cookie jar in memory (default off) */
    const char *ca_file; /* CA bundle to trust instead of the system's; NULL: system */
    bool insecure;       /* skip TLS verification (never the default) */
    /* SSRF guard, for a server that fetches URLs its users give (off by
     * default: a command-line tool may fetch from its own network).  On, the
     * session refuses to connect to loopback, private (RFC 1918, unique
     * local), link-local, carrier-grade NAT, multicast, reserved and
     * unspecified addresses, IPv4 and IPv6 alike (v4-mapped, v4-compatible,
     * NAT64 and 6to4 forms judged by their IPv4 address), in whatever form
     * the URL spells them (localhost, 2130706433, 0x7f.1, [::ffff:7f00:1]).
     * The check is on the resolved address each connection really uses
     * (curl's open-socket hook: every redirect hop, no DNS-rebinding gap);
     * environment proxies are ignored.  Every refused, unresolvable or
     * unreachable target gives the same -EHOSTUNREACH and message, so the
     * guard is no port scanner. */
    bool ssrf_guard;
    /* Ranges the guard lets through, NULL-terminated: "10.1.0.0/16",
     * "127.0.0.1" (one host), "fd00::/8".  Invalid: eddy_session_new fails
     * with EINVAL.  Ignored without ssrf_guard. */
    const char *const *ssrf_allow;
};

/* A session on the current loop (opts may be NULL: defaults).  Raises the
 * process's soft open-file limit to its hard limit once, and keeps its
 * concurrency below what that limit allows (further requests queue).  Owned
 * by the caller; NULL (errno) on failure. */
struct eddy_session *eddy_session_new(const struct eddy_session_opts *opts);
/* Frees the session.  No request may be in flight.  NULL is a no-op. */
void eddy_session_free(struct eddy_session *s);

/* One request (aiohttp.ClientSession.request's arguments).  Zero-initialise
 * and set what you need. */
struct eddy_fetch_opts {
    const char *url;            /* required */
    const char *method;         /* NULL: GET (or POST when body is set) */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated */
    const void *body;           /* request body; must live until eddy_fetch returns */
    size_t body_len;
    /* Conditional GET: sent as If-None-Match / If-Modified-Since; a 304 answer
     * sets eddy_reply_not_modified(). */
    const char *etag;
    const char *last_modified;
    size_t max_body; /* bytes; 0: 32 MiB.  Past it: -EFBIG */
    /* Relative, from the moment the transfer leaves the queue (see "Time"
     * at the top); the task's timeout scope bounds the call as well. */
    int64_t timeout_ns;         /* whole transfer; 0: none */
    int64_t connect_timeout_ns; /* 0: 10 s */
    int64_t stall_ns;           /* abort when no byte arrives for this long; 0: 30 s; < 0: never */
    int max_redirects;          /* 0: 10; < 0: do not follow redirects (see the top) */
    /* Streaming: when set, body bytes go to on_data as they arrive instead of
     * being collected (called on the loop, outside any task: it must not
     * suspend).  Return 0 to go on, < 0 to abort (-ECONNABORTED). */
    int (*on_data)(void *arg, const char *data, size_t len);
    /* Called once, on the loop, when the final response's status and headers
     * are known: before the first body byte, or at the end for an empty body
     * (a streaming parser needs Content-Type before the bytes).  Return < 0
     * to abort (-ECONNABORTED). */
    int (*on_response)(void *arg, const struct eddy_reply *r);
    void *arg; /* passed to on_data and on_response */
    /* Called on the loop (it must not suspend) as the transfer moves on,
     * for a live display; each phase may repeat on a redirect hop:
     * CONNECTING  a socket was opened for a new connection (none when an
     *             idle one is reused),
     * WAITING     connected (or reused), the request about to be sent,
     * RECEIVING   the first byte of the final response's body arrived. */
    void (*on_phase)(void *arg, enum eddy_fetch_phase phase);
};

/* Sends `req` and suspends the calling task until the transfer ends.  *out
 * receives the response (also on failure, for its error message), owned by
 * the caller and freed with eddy_reply_free().  Returns 0 when a response
 * arrived, else a negative errno (see the top of this file). */
EDDY_AWAITS int eddy_fetch(struct eddy_session *s, const struct eddy_fetch_opts *req,
                           struct eddy_reply **out);

/* A GET collecting the body, with the session's defaults. */
EDDY_AWAITS int eddy_get(struct eddy_session *s, const char *url, struct eddy_reply **out);

void eddy_reply_free(struct eddy_reply *r);
int eddy_reply_status(const struct eddy_reply *r); /* 0 when none arrived */
/* The last URL after redirects. */
const char *eddy_reply_url(const struct eddy_reply *r);
/* The first header of that name (case-insensitive), NULL when absent.  Only
 * the final response's headers are kept; repeated headers stay separate. */
const char *eddy_reply_header(const struct eddy_reply *r, const char *name);
/* The i-th header (name and value) in arrival order; false past the end. */
bool eddy_reply_header_at(const struct eddy_reply *r, size_t i, const char **name,
                          const char **value);
/* The collected body (NUL-terminated; empty when streamed). */
const char *eddy_reply_body(const struct eddy_reply *r, size_t *len);
/* The redirect chain: how many redirects were followed, the i-th hop's URL
 * (before it was redirected) and status, and whether every one was
 * permanent (301, 308) — a feed reader then updates the stored URL to
 * eddy_reply_url (after a 302 on the way, that URL is a temporary one). */
size_t eddy_reply_redirects(const struct eddy_reply *r);
const char *eddy_reply_redirect_url(const struct eddy_reply *r, size_t i, int *status);
bool eddy_reply_permanent_redirect(const struct eddy_reply *r);
/* The server answered 304 to a conditional request. */
bool eddy_reply_not_modified(const struct eddy_reply *r);
/* Why the transfer failed ("" on success). */
const char *eddy_reply_error(const struct eddy_reply *r);
/* Bytes of body received (after decompression), and seconds spent in the
 * transfers (every hop's; not queued). */
size_t eddy_reply_body_bytes(const struct eddy_reply *r);
double eddy_reply_seconds(const struct eddy_reply *r);

/* What the transfer cost, from libcurl (CURLINFO_*_TIME_T): microseconds
 * from its start to the end of each step, cumulative as curl counts them
 * (0: the step did not happen, e.g. no TLS, a reused connection's DNS and
 * connect), and the body bytes as they came over the wire (before any
 * decompression; CURLINFO_SIZE_DOWNLOAD_T).  Zero when no transfer ran. */
struct eddy_fetch_timings {
    int64_t namelookup_us;    /* name resolved */
    int64_t connect_us;       /* TCP connected */
    int64_t appconnect_us;    /* TLS handshake done */
    int64_t pretransfer_us;   /* about to send the request */
    int64_t starttransfer_us; /* first response byte */
    int64_t total_us;         /* done */
    int64_t redirect_us;      /* of those, the redirect hops before the final request */
    int64_t wire_bytes;
};
void eddy_reply_timings(const struct eddy_reply *r, struct eddy_fetch_timings *out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
