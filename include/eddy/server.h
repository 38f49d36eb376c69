/*
 * eddy/server.h — the HTTP/1.1 server (layer server/): Hypercorn in C.
 *
 * A task per connection with a request in progress, on eddy's loop, reads
 * bytes into a bounded reader, feeds them to the sans-IO codec (http.h) and
 * calls the handler once per request, in order (pipelined requests are
 * answered in order).  A connection idle for more than a moment (50 ms)
 * has no task and no buffers (a few hundred bytes: a watched descriptor),
 * so one worker holds as many idle keep-alive connections as it has
 * descriptors.  Keep-alive, timeouts for every phase (slowloris header
 * read, body read, idle keep-alive, write), a maximum number of connections
 * (at the limit the oldest idle one gives its place to a new client; with
 * none idle, accepting pauses), Date and Server headers, correct HEAD, a
 * 500 answer when a handler fails (the connection stays healthy), an access
 * log in combined format.  The handler runs inside the connection's task
 * and may await (fetch ten feeds, then answer).
 *
 * Two ways to run it:
 *   - eddy_server_start() inside a task on the current loop (tests, programs
 *     that own their loop), eddy_server_stop() for a graceful stop;
 *   - eddy_server_run(): the whole process — N worker threads, one loop each,
 *     SO_REUSEPORT listeners (like Hypercorn's --workers), SIGTERM/SIGINT for
 *     a graceful shutdown (stop accepting, finish in-flight requests up to a
 *     deadline, then close), SIGHUP to reopen the access log.
 *
 * Depends on http/, net/, loop/, base/.  Errors: negative errno.
 */
#ifndef EDDY_SERVER_H
#define EDDY_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eddy/http.h"
#include "eddy/loop.h"
#include "eddy/net.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

/* One request and its response, valid during the handler call. */
struct eddy_exchange;

/* Handles one request: reads it through eddy_exchange_* and answers with
 * eddy_exchange_respond() (or begin/write/end).  May suspend.  Returning
 * < 0 without having started a response makes the server answer 500; after
 * a response has started, the connection is closed instead (the framing is
 * unknown).  A handler that does not answer at all gets a 500 too. */
typedef int (*eddy_server_handler)(void *arg, struct eddy_exchange *x);

struct eddy_server_opts {
    const char *listen; /* "127.0.0.1:8080", "[::]:8080", "unix:/path"; NULL: "127.0.0.1:8080" */
    eddy_server_handler handler;
    void *arg;                /* passed to handler */
    unsigned workers;         /* eddy_server_run: worker threads; 0: 1 */
    unsigned max_connections; /* per worker; 0: 10000.  At the limit, a client waiting
                               * in the backlog takes the place of the oldest idle
                               * connection (keep-alive ones first, then ones that
                               * have not sent a request); with none idle, accepting
                               * pauses.  Each connection is a descriptor: see
                               * RLIMIT_NOFILE (eddy_server_run raises it) */
    /* Durations (relative, include/eddy/README.md "Time"), each counted from
     * the start of the phase it bounds; 0: the default shown. */
    int64_t header_timeout_ns;      /* whole request head must arrive within: 0: 10 s */
    int64_t body_timeout_ns;        /* whole request body: 0: 60 s */
    int64_t idle_timeout_ns;        /* keep-alive wait for the next request: 0: 5 s */
    int64_t write_timeout_ns;       /* each response write: 0: 30 s */
    int64_t shutdown_timeout_ns;    /* graceful stop: in-flight requests get this long: 0: 10 s */
    struct eddy_http_limits limits; /* request limits (0 fields: http.h's defaults) */
    const char *access_log;         /* file path, "-" for stdout, NULL: none */
    const char *server_name;        /* Server header; NULL: "eddy" */
    bool reuseport;                 /* SO_REUSEPORT on the listener (always on with workers > 1) */
    /* eddy_server_run only: called in each worker's loop, from a task,
     * before it listens (a failure stops the server) and after it stopped
     * (also after a failed worker_start, to undo what it did): the place
     * for per-loop state (templates, background tasks). */
    int (*worker_start)(void *arg);
    void (*worker_stop)(void *arg);
};

struct eddy_server;

/* Starts serving on the current loop: listens, spawns the accept task and
 * returns.  Must be called from a task.  Owned by the caller; stop it with
 * eddy_server_stop().  NULL (errno) on failure (EADDRINUSE, EPERM...). */
struct eddy_server *eddy_server_start(const struct eddy_server_opts *opts);
/* The address actually bound (port 0 -> the chosen port). */
int eddy_server_port(const struct eddy_server *s);
const struct eddy_addr *eddy_server_addr(const struct eddy_server *s);
/* Graceful stop: closes the listener, closes idle connections at once (a
 * request that has already arrived on one is answered, with Connection:
 * close, like every answer during the stop), lets in-flight requests
 * finish until `deadline` (then cancels their tasks),
 * waits for every connection task, frees the server.  Returns 0, or
 * -ETIMEDOUT when some requests had to be cancelled. */
EDDY_AWAITS int eddy_server_stop(struct eddy_server *s, int64_t deadline);
/* Reopens the access log (what SIGHUP does). */
int eddy_server_reopen_log(struct eddy_server *s);

/* Counters of one server (one loop). */
struct eddy_server_stats {
    uint64_t connections_accepted;
    uint64_t connections_open;
    uint64_t requests;
    uint64_t responses_5xx;
    uint64_t rejected_4xx;     /* malformed or over-limit requests answered by the server itself */
    uint64_t connections_idle; /* parked: open, without a request for more than a
                                * moment (or not sent the first yet) */
    uint64_t connections_reclaimed; /* idle ones closed at the limit for a new client */
};
void eddy_server_stats(const struct eddy_server *s, struct eddy_server_stats *out);

/* The process-level runner: `workers` threads with a loop and a listener
 * each (SO_REUSEPORT), signals handled on the calling thread.  Blocks until
 * SIGTERM/SIGINT (graceful) or an error.  on_ready (may be NULL) is called
 * once every worker listens, with the bound port (for tests and scripts).
 * Returns 0 after a clean shutdown, else a negative errno. */
int eddy_server_run(const struct eddy_server_opts *opts, void (*on_ready)(void *arg, int port),
                    void *ready_arg);

/* ----------------------------------------------------- the request side */

/* The parsed head: method, target, version, headers (slices valid during the
 * handler call). */
const struct eddy_http_head *eddy_exchange_head(const struct eddy_exchange *x);
/* The target split into path (still percent-encoded) and query. */
const struct eddy_http_target *eddy_exchange_target(const struct eddy_exchange *x);
/* The first request header of that name (case-insensitive) as a
 * NUL-terminated copy valid during the call, or NULL. */
const char *eddy_exchange_header(struct eddy_exchange *x, const char *name);
/* The request body.  The server reads it whole (up to limits.max_body; it
 * answered 413 itself beyond) before the handler runs, sending
 * "100 Continue" first when the client asked.  NUL-terminated. */
const char *eddy_exchange_body(const struct eddy_exchange *x, size_t *len);
const struct eddy_addr *eddy_exchange_peer(const struct eddy_exchange *x);
/* The connection's socket, for sendfile and readiness checks.  Do not close. */
int eddy_exchange_fd(const struct eddy_exchange *x);

/* ---------------------------------------------------- the response side */

/* A whole response: status, extra headers (Date, Server, Content-Length and
 * Connection are the server's), body.  For HEAD requests the body is not
 * sent but Content-Length is.  One syscall in the common case. */
EDDY_AWAITS int eddy_exchange_respond(struct eddy_exchange *x, int status,
                                      const struct eddy_http_header *headers, size_t nheaders,
                                      const void *body, size_t len);
/* A response sent in parts: content_length >= 0 fixes the length, < 0 uses
 * chunked encoding (HTTP/1.1) or close-delimiting (HTTP/1.0).  Then
 * eddy_exchange_write() any number of times (each write is one chunk) and
 * eddy_exchange_end().  Writes return -EPIPE once the client has gone. */
EDDY_AWAITS int eddy_exchange_begin(struct eddy_exchange *x, int status,
                                    const struct eddy_http_header *headers, size_t nheaders,
                                    int64_t content_length);
EDDY_AWAITS int eddy_exchange_write(struct eddy_exchange *x, const void *data, size_t len);
/* Part of a file, with sendfile (fixed-length responses only). */
EDDY_AWAITS int eddy_exchange_sendfile(struct eddy_exchange *x, int file_fd, off_t offset,
                                       size_t len);
EDDY_AWAITS int eddy_exchange_end(struct eddy_exchange *x);
/* True once a response has begun. */
bool eddy_exchange_started(const struct eddy_exchange *x);
/* Suspends until the client closes the connection (returns 0) or the
 * deadline passes (-ETIMEDOUT) — what a Server-Sent Events stream waits on
 * between events to notice a disconnect.  Bytes the client sends meanwhile
 * (a pipelined request) are kept for later. */
EDDY_AWAITS int eddy_exchange_wait_closed(struct eddy_exchange *x, int64_t deadline);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
