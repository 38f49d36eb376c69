/*
 * eddy/web.h — the web framework (layer web/): Quart's surface in C.
 *
 * An app holds routes (router of webutil.h), hooks, error handlers, static
 * folders and templates (template.h); the server (server.h) calls it once per
 * request inside the connection's task, so a view may await: fetch ten feeds
 * concurrently in a task group, then render.  The app owns the loop(s) when
 * served with eddy_app_serve(); users never create loops or threads.
 *
 *     static int hello(struct eddy_request *req, struct eddy_response *res)
 *     {
 *         return eddy_response_text(res, 200, "Hello, World!");
 *     }
 *     ...
 *     struct eddy_app *app = eddy_app_new();
 *     eddy_app_route(app, "GET", "/", hello, "hello");
 *     return eddy_app_serve(app, &(struct eddy_server_opts){.listen = "127.0.0.1:8080"});
 *
 * Views build the response in memory (status, headers, body) and the
 * framework sends it after the view returns — after-request hooks can still
 * change it — unless the view streams (eddy_response_stream / SSE), which
 * sends the head at once.  A view returning < 0 without a response gets the
 * 500 error handler; the server keeps serving everyone else.
 *
 * The request/response objects live for one request; every string they
 * return is valid until the view (and the after hooks) return.  Depends on
 * server/, http/, net/, loop/, base/ and jansson.  Errors: negative errno.
 */
#ifndef EDDY_WEB_H
#define EDDY_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/loop.h"
#include "eddy/server.h"
#include "eddy/webutil.h"
#include "eddy/template.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_app;
struct eddy_request;
struct eddy_response;

/* A view: fills `res` (may suspend).  Returns 0, or < 0 for a 500. */
typedef int (*eddy_view_fn)(struct eddy_request *req, struct eddy_response *res);
/* Hooks return 0 or a negative errno (a 500).  A before-request hook that
 * answers — sets a status on res, e.g. with eddy_response_text(res, 401,
 * ...) — ends the request there: later before hooks and the view are
 * skipped, the after hooks still run.  After-request hooks may change the
 * response (not a streamed one). */
typedef int (*eddy_hook_fn)(struct eddy_request *req, struct eddy_response *res);

/* ------------------------------------------------------------------ app */

/* NULL on ENOMEM.  Owned by the caller; free after serving ends. */
struct eddy_app *eddy_app_new(void);
void eddy_app_free(struct eddy_app *app);
/* The user's own state, reachable from every request. */
void eddy_app_set_data(struct eddy_app *app, void *data);
void *eddy_app_data(const struct eddy_app *app);
/* Where the app's error log goes (template errors and the like; Flask's
 * app.logger).  Default, log == NULL: one line on stderr.  Called from the
 * serving threads. */
void eddy_app_set_logger(struct eddy_app *app, void (*log)(void *arg, const char *message),
                         void *arg);

/* Routes (see webutil.h for patterns, priority, 404/405).  methods NULL: GET.
 * endpoint names the route for eddy_url_for (NULL: unnamed).  The strings
 * are copied. */
int eddy_app_route(struct eddy_app *app, const char *methods, const char *pattern,
                   eddy_view_fn view, const char *endpoint);
/* Blueprints: a group of routes registered under a prefix, endpoints named
 * "<name>.<endpoint>".  A blueprint is owned by the caller, NULL on ENOMEM,
 * and freed with eddy_blueprint_free() (also after eddy_app_register, which
 * copies its routes into the app). */
struct eddy_blueprint *eddy_blueprint_new(const char *name);
void eddy_blueprint_free(struct eddy_blueprint *bp);
int eddy_blueprint_route(struct eddy_blueprint *bp, const char *methods, const char *pattern,
                         eddy_view_fn view, const char *endpoint);
int eddy_app_register(struct eddy_app *app, struct eddy_blueprint *bp, const char *prefix);

int eddy_app_before_request(struct eddy_app *app, eddy_hook_fn hook);
int eddy_app_after_request(struct eddy_app *app, eddy_hook_fn hook);
/* The view for responses with `status` (404, 405, 500...; 0: any error the
 * framework produces).  It sees the status already set on res. */
int eddy_app_error_handler(struct eddy_app *app, int status, eddy_view_fn view);
/* Per-loop state (Quart's app context), without thread-locals: each serving
 * loop (each worker thread; eddy_app_start's loop) has one pointer,
 * *loop_data, NULL at first, that startup hooks set and every request on
 * that loop reads with eddy_request_loop_data().  A client session per loop:
 *
 *     static int open_session(struct eddy_app *app, void **loop_data)
 *     {
 *         return (*loop_data = eddy_session_new(NULL)) ? 0 : -errno;
 *     }
 *     static void close_session(struct eddy_app *app, void *loop_data)
 *     {
 *         eddy_session_free(loop_data);
 *     }
 *
 * Startup hooks run on each serving loop, from a task, in registration
 * order, before it listens; one that fails (< 0) stops the server.  Shutdown
 * hooks run on the same loop after the last request and the background
 * tasks have ended, in reverse order — also after a failed startup, to undo
 * what was done (loop_data is whatever the startup hooks left).  All hooks
 * of a loop share the one pointer: several pieces of state go in a struct. */
typedef int (*eddy_startup_fn)(struct eddy_app *app, void **loop_data);
typedef void (*eddy_shutdown_fn)(struct eddy_app *app, void *loop_data);
int eddy_app_on_startup(struct eddy_app *app, eddy_startup_fn fn);
int eddy_app_on_shutdown(struct eddy_app *app, eddy_shutdown_fn fn);
/* The calling loop's loop_data for `app` (for background tasks); NULL when
 * the app does not serve on this loop. */
void *eddy_app_loop_data(const struct eddy_app *app);
/* A task started with the app on each serving loop, after the startup
 * hooks, and cancelled (then awaited) at shutdown: refreshing feeds,
 * sending digests.  arg and name are kept as given (not copied). */
int eddy_app_background(struct eddy_app *app, eddy_task_fn fn, void *arg, const char *name);

/* Serves files under `dir` at URL `prefix` ("/static"): ETag, Last-Modified,
 * 304, Range (206/416), sendfile; no path traversal (.., symlinks out of dir,
 * NUL, encoded slashes are 404). */
int eddy_app_static(struct eddy_app *app, const char *prefix, const char *dir);
/* Templates from `dir` (template.h), one compiled set per serving thread. */
int eddy_app_templates(struct eddy_app *app, const char *dir);

/* Serves until SIGTERM/SIGINT (graceful), like `hypercorn app:app`.
 * handler, arg, worker_start and worker_stop are the app's own: -EINVAL when
 * opts sets any of them.  Everything else as server.h says. */
int eddy_app_serve(struct eddy_app *app, const struct eddy_server_opts *opts);
/* On an existing loop (from a task): runs the startup hooks, starts the
 * background tasks and the server, and returns it; eddy_app_stop() stops the
 * server gracefully, then the background tasks, then runs the shutdown
 * hooks.  For tests and programs that own their loop.  The server is the
 * caller's until eddy_app_stop frees it.  NULL with errno: EINVAL (opts as
 * for eddy_app_serve), EALREADY (the app already runs on this loop), or a
 * failing startup hook's or the server's error. */
struct eddy_server *eddy_app_start(struct eddy_app *app, const struct eddy_server_opts *opts);
EDDY_AWAITS int eddy_app_stop(struct eddy_app *app, struct eddy_server *s, int64_t deadline);

/* Reverse routing: appends the URL path of `endpoint` with params (NULL-
 * terminated name, value list; extra ones go to the query string) to the
 * caller's out.  Errors as eddy_router_url_for. */
int eddy_url_for(const struct eddy_app *app, struct eddy_buf *out, const char *endpoint,
                 const char *const *params);

/* -------------------------------------------------------------- request */

struct eddy_app *eddy_request_app(const struct eddy_request *req);
/* The serving loop's loop_data (see eddy_app_on_startup); NULL under
 * eddy_app_test unless the app was started on the test's loop. */
void *eddy_request_loop_data(const struct eddy_request *req);
const char *eddy_request_method(const struct eddy_request *req);
/* The path, percent-decoded; the raw query string (without '?', "" if none). */
const char *eddy_request_path(const struct eddy_request *req);
const char *eddy_request_query(const struct eddy_request *req);
/* The matched route's endpoint (NULL when none matched). */
const char *eddy_request_endpoint(const struct eddy_request *req);
/* Query arguments, decoded.  eddy_request_arg: the first value of `name`.
 * eddy_request_args: stores the first min(n, max) values of `name` in
 * out[0..), in order, and returns how many it stored (never more than max,
 * so `for (i = 0; i < got; i++)` is safe); values past max are dropped and
 * out[got..max) is untouched.  To refuse more than N, pass max = N + 1 and
 * check got > N.
 *
 * Lookups (arg, args, header, cookie, param) return NULL only when the value
 * is absent.  They parse lazily; when that runs out of memory the request
 * ends in a 500 after the view, whatever the view answered. */
const char *eddy_request_arg(struct eddy_request *req, const char *name);
size_t eddy_request_args(struct eddy_request *req, const char *name, const char **out, size_t max);
/* Headers (case-insensitive); cookies by name. */
const char *eddy_request_header(struct eddy_request *req, const char *name);
const char *eddy_request_cookie(struct eddy_request *req, const char *name);
/* Path parameters of the matched route (<int:id> also as a number; 0 for
 * a name that is no <int> parameter of the route, a programming error). */
const char *eddy_request_param(const struct eddy_request *req, const char *name);
int64_t eddy_request_param_int(const struct eddy_request *req, const char *name);
/* The body (read whole by the server, bounded); NUL-terminated. */
const char *eddy_request_body(const struct eddy_request *req, size_t *len);
/* The fields of an urlencoded or multipart body (files included, see
 * eddy_form_field), parsed on first use; *out is borrowed from the request.
 * Returns 0 with *out set, or, with *out NULL: -ENOMSG (the Content-Type is
 * neither form type), -EINVAL (malformed), -E2BIG (too many fields),
 * -ENOMEM.  Look fields up with eddy_form_value(*out, name). */
int eddy_request_form(struct eddy_request *req, const struct eddy_form **out);
/* The JSON body, parsed on first use; *out is borrowed from the request.
 * Returns 0 with *out set, or, with *out NULL: -ENOMSG (the Content-Type is
 * not application/json), -EINVAL (invalid JSON), -ENOMEM;
 * eddy_request_json_error() then says why in words ("" after success). */
int eddy_request_json(struct eddy_request *req, json_t **out);
const char *eddy_request_json_error(const struct eddy_request *req);
/* The client's address as text ("127.0.0.1", "unix"). */
const char *eddy_request_remote(struct eddy_request *req);
/* Whether the client takes a gzip body: Accept-Encoding names gzip (or
 * x-gzip), else "*", with a q-value above 0 (RFC 9110 12.5.3). */
bool eddy_request_accepts_gzip(struct eddy_request *req);

/* Request-scoped memory (lwan's coro_malloc / coro_defer): freed by the
 * framework when the request is done — after the response was sent, and
 * also when the view failed or was cancelled — so a view does not free its
 * objects by hand on every path.
 *
 *     struct eddy_feed_parser *p = eddy_feed_parser_new(url);
 *     if (!p || eddy_request_defer(req, free_parser, p) < 0)
 *         return -ENOMEM;
 *
 * eddy_request_alloc: size bytes aligned for any type, or NULL (ENOMEM);
 * eddy_request_strdup: a copy of s, or NULL (ENOMEM).  Owned by the request:
 * never free them.  eddy_request_defer: fn(arg) runs exactly once when the
 * request is done, deferred calls in reverse order of registration, before
 * the request's memory is freed (a deferred call may still read it).
 * Returns 0, or -ENOMEM after calling fn(arg) at once (so arg is never
 * leaked: do not use it after a failure). */
void *eddy_request_alloc(struct eddy_request *req, size_t size);
char *eddy_request_strdup(struct eddy_request *req, const char *s);
EDDY_NODISCARD int eddy_request_defer(struct eddy_request *req, void (*fn)(void *arg), void *arg);

/* ------------------------------------------------------------- response */

void eddy_response_set_status(struct eddy_response *res, int status);
int eddy_response_status(const struct eddy_response *res);
/* Adds a header (repeats allowed) / replaces every header of that name.
 * -EINVAL for CR/LF/NUL (header injection refused). */
int eddy_response_add_header(struct eddy_response *res, const char *name, const char *value);
int eddy_response_set_header(struct eddy_response *res, const char *name, const char *value);
/* Body: replace / append / printf-append. */
int eddy_response_set_body(struct eddy_response *res, const void *data, size_t len);
int eddy_response_append(struct eddy_response *res, const void *data, size_t len);
int eddy_response_printf(struct eddy_response *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The body built so far: borrowed from res, valid until the body changes;
 * *len its length.  (A response cache reads what a view rendered.) */
const char *eddy_response_body(const struct eddy_response *res, size_t *len);
/* The body is data[0..len), not copied: res holds it until the response is
 * sent or dropped, then calls release(arg) once (release may be NULL).
 * Setting or appending to the body afterwards copies it first.  For large
 * bodies kept elsewhere (a response cache): no copy per answer. */
int eddy_response_set_body_shared(struct eddy_response *res, const void *data, size_t len,
                                  void (*release)(void *arg), void *arg);
/* Whole responses in one call: text/plain, text/html, application/json
 * (v is borrowed), a redirect (Location), an error page (text/plain; the
 * app's error handler for that status runs instead when there is one). */
int eddy_response_text(struct eddy_response *res, int status, const char *text);
int eddy_response_html(struct eddy_response *res, int status, const char *html);
int eddy_response_json(struct eddy_response *res, int status, const json_t *v);
int eddy_response_redirect(struct eddy_response *res, int status, const char *location);
int eddy_response_error(struct eddy_response *res, int status, const char *message);
int eddy_response_set_cookie(struct eddy_response *res, const struct eddy_cookie *c);
/* Renders template `name` with ctx (borrowed) as text/html, status 200.  A
 * template error gives a 500 with "file:line: message" in the log. */
int eddy_render(struct eddy_response *res, const char *name, const json_t *ctx);
/* The same with any template data (template.h): a feed (feedfetch.h's
 * eddy_feed_tdata), a store's rows, or C values built in place. */
int eddy_render_data(struct eddy_response *res, const char *name, struct eddy_tdata ctx);
/* A file with ETag, Last-Modified, 304, Range; sent with sendfile.
 * content_type NULL: guessed from the extension.  A missing or non-regular
 * file is answered 404 (returns 0).  The open file belongs to the response. */
int eddy_response_file(struct eddy_response *res, const char *path, const char *content_type);

/* data[0..len) compressed as gzip (RFC 1952) at zlib's `level` (1 fastest
 * ... 9 smallest) into *out (malloc'd, owned by the caller: free) of *out_len
 * bytes.  Returns 0; -EAGAIN when the result would not be smaller (*out
 * NULL: send it as it is); -ENOMEM.  Costs about a millisecond per 100 KB at
 * level 1: run it with eddy_to_thread, not on the loop.  Compress only
 * bodies that carry no secret beside input an attacker chooses (a page with
 * a CSRF token and a reflected query would leak the token: BREACH). */
int eddy_gzip(const void *data, size_t len, int level, void **out, size_t *out_len);

/* Streaming: sends the head now (chunked on HTTP/1.1), then each write is
 * sent as it comes.  Writes return -EPIPE once the client has gone. */
EDDY_AWAITS int eddy_response_stream(struct eddy_response *res, int status,
                                     const char *content_type);
EDDY_AWAITS int eddy_response_write(struct eddy_response *res, const void *data, size_t len);

/* Server-Sent Events (text/event-stream): begin, then send events.
 * eddy_response_sse_wait() suspends until `ev` is set, sending a
 * ": keep-alive" comment every keepalive_ns (<= 0: 15 s) meanwhile, and
 * returns 0, or -EPIPE as soon as the client disconnects (or -ECANCELED /
 * -ETIMEDOUT).  No deadline of its own: bounded by the task's timeout scope. */
EDDY_AWAITS int eddy_response_sse_begin(struct eddy_response *res);
EDDY_AWAITS int eddy_response_sse_send(struct eddy_response *res, const char *event,
                                       const char *data, const char *id);
EDDY_AWAITS int eddy_response_sse_wait(struct eddy_response *res, struct eddy_event *ev,
                                       int64_t keepalive_ns);

/* ---------------------------------------------------------- test client */

/* Quart's test_client: runs a request through the app (hooks, routing,
 * views, error handlers) without sockets, from a task.  headers are
 * "Name: value" lines (NULL-terminated, may be NULL).  *out is owned by the
 * caller (eddy_test_reply_free).  Streamed bodies are collected whole. */
struct eddy_test_reply;
EDDY_AWAITS int eddy_app_test(struct eddy_app *app, const char *method, const char *target,
                              const char *const *headers, const void *body, size_t len,
                              struct eddy_test_reply **out);
int eddy_test_reply_status(const struct eddy_test_reply *r);
const char *eddy_test_reply_header(const struct eddy_test_reply *r, const char *name);
const char *eddy_test_reply_body(const struct eddy_test_reply *r, size_t *len);
void eddy_test_reply_free(struct eddy_test_reply *r);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
