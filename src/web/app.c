/*
 * app.c — the framework: an app (routes, hooks, error handlers, static
 * folders, templates, background tasks), the request and response objects a
 * view sees, and the glue to the server and to the in-process test client.
 *
 * A request runs inside the connection's task: route, before-request hooks,
 * the view (which may suspend), error handler, after-request hooks, then the
 * response goes out in one writev (or sendfile).  Streaming views and SSE
 * send the head at once and write as they go.  The test client runs the very
 * same dispatch() with no exchange behind it and collects what would have
 * been sent.
 *
 * Templates are not thread-safe, so each serving thread compiles its own set
 * (a thread-local, made on first use): workers share nothing.
 */
#include "eddy/web.h"
#include "eddy/arena.h"
#include "eddy/template.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../base/text.h"

#define MAX_HOOKS            16
#define MAX_HANDLERS         16
#define MAX_RESPONSE_HEADERS 64
#define BODY_CAP             (64u << 20) /* a view building more than this in memory is a bug */

/* What a route's handler pointer in the router really is. */
struct target {
    eddy_view_fn view; /* or NULL for a static folder */
    struct static_dir *dir;
    struct target *next; /* every target of the app, for freeing */
};

/* A static file's gzip variant, made once and kept: the folder's files do
 * not change while the server runs (one whose size or mtime did is made
 * again, the old variant left in place: nothing in the list is freed before
 * the app, so a pointer into it stays valid without the lock). */
struct gz_file {
    char *path; /* realpath */
    off_t size;
    struct timespec mtime;
    unsigned char *data; /* NULL: the file goes out as it is */
    size_t len;
    struct gz_file *next;
};

#define GZ_FILE_MAX  (1 << 20)  /* a larger file goes out as it is (sendfile) */
#define GZ_TOTAL_MAX (16 << 20) /* the variants of one folder, at most */

struct static_dir {
    char *real;           /* realpath of the folder */
    pthread_mutex_t lock; /* gz and gz_total: the serving threads share them */
    struct gz_file *gz;
    size_t gz_total;
    struct static_dir *next;
};

struct eddy_app {
    struct eddy_router *router;
    struct target *targets;
    struct static_dir *statics;
    eddy_hook_fn before[MAX_HOOKS], after[MAX_HOOKS];
    size_t nbefore, nafter;
    struct {
        int status;
        eddy_view_fn view;
    } errors[MAX_HANDLERS];
    size_t nerrors;
    eddy_startup_fn startup[MAX_HANDLERS];
    eddy_shutdown_fn shutdown[MAX_HANDLERS];
    size_t nstartup, nshutdown;
    struct {
        eddy_task_fn fn;
        void *arg;
        const char *name;
    } background[MAX_HANDLERS];
    size_t nbackground;
    char *templates_dir;
    void *data;
    void (*log)(void *arg, const char *message); /* NULL: stderr */
    void *log_arg;
};

struct eddy_blueprint {
    char *name;
    struct eddy_router *router;
    struct target *targets; /* handed to the app on registration */
};

/* One serving thread's state. */
static _Thread_local struct {
    const struct eddy_app *app; /* whose templates these are */
    struct eddy_templates *templates;
} tls;

/* What one app has on one serving loop: the startup hooks' data and the
 * background tasks.  A loop is a thread, so the thread's list holds one per
 * app started on it (tests start several); users never see a thread-local. */
struct loop_ctx {
    const struct eddy_app *app;
    void *data; /* eddy_request_loop_data() */
    struct eddy_group background;
    struct loop_ctx *next;
};
static _Thread_local struct loop_ctx *loop_ctxs;

static struct loop_ctx *loop_ctx(const struct eddy_app *app)
{
    struct loop_ctx *c = loop_ctxs;
    while (c && c->app != app)
        c = c->next;
    return c;
}

struct eddy_request {
    struct eddy_app *app;
    void *loop_data;         /* the startup hooks' for this loop */
    struct eddy_exchange *x; /* NULL under the test client (struct test_request) */
    const char *method;
    const char *target; /* raw (encoded) path of the target */
    size_t target_len;
    struct eddy_buf path;  /* decoded path */
    struct eddy_buf query; /* raw query, NUL-terminated */
    const char *body;
    size_t body_len;
    bool matched;
    bool oom; /* a lookup lost data to ENOMEM: the answer is a 500 */
    struct eddy_form *args, *cookies, *form;
    int form_err, json_err; /* eddy_request_form/json's result, once tried */
    bool form_tried, json_tried;
    json_t *json;
    char json_error[256];
    char remote[EDDY_ADDR_STRLEN];
    struct eddy_arena arena;       /* eddy_request_alloc, freed with the request */
    struct deferred *deferred;     /* newest first: run in reverse order */
    struct eddy_route_match match; /* last: 2 KiB that only the router fills */
};

struct deferred {
    void (*fn)(void *arg);
    void *arg;
    struct deferred *next;
};

struct eddy_response {
    struct eddy_request *req;
    int status;              /* 0: no response yet */
    struct eddy_buf headers; /* "name\0value\0" pairs */
    size_t nheaders;
    struct eddy_buf body;
    const char *shared; /* the body instead of `body` (eddy_response_set_body_shared) */
    size_t shared_len;
    void (*shared_release)(void *);
    void *shared_arg;
    int file_fd; /* a file to send after the head, or -1 */
    off_t file_off;
    size_t file_len;
    bool streaming;        /* the head has been sent */
    bool in_error_handler; /* no recursion into error views */
};

/* ------------------------------------------------------------------ app */

struct eddy_app *eddy_app_new(void)
{
    struct eddy_app *app = calloc(1, sizeof *app);
    if (app && !(app->router = eddy_router_new())) {
        free(app);
        return NULL;
    }
    return app;
}

static void free_targets(struct target *t)
{
    while (t) {
        struct target *next = t->next;
        free(t);
        t = next;
    }
}

void eddy_app_free(struct eddy_app *app)
{
    if (!app)
        return;
    eddy_router_free(app->router);
    free_targets(app->targets);
    for (struct static_dir *d = app->statics, *next; d; d = next) {
        next = d->next;
        for (struct gz_file *g = d->gz, *gn; g; g = gn) {
            gn = g->next;
            free(g->path);
            free(g->data);
            free(g);
        }
        pthread_mutex_destroy(&d->lock);
        free(d->real);
        free(d);
    }
    if (tls.app == app) {
        eddy_templates_free(tls.templates);
        tls.templates = NULL;
        tls.app = NULL;
    }
    free(app->templates_dir);
    free(app);
}

void eddy_app_set_data(struct eddy_app *app, void *data)
{
    app->data = data;
}

void eddy_app_set_logger(struct eddy_app *app, void (*log)(void *arg, const char *message),
                         void *arg)
{
    app->log = log;
    app->log_arg = arg;
}

/* The app's error log: what a view's 500 was about. */
static void app_log(const struct eddy_app *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void app_log(const struct eddy_app *app, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (app->log)
        app->log(app->log_arg, line);
    else
        fprintf(stderr, "eddy: %s\n", line);
}
void *eddy_app_data(const struct eddy_app *app)
{
    return app->data;
}

static struct target *new_target(struct target **list, eddy_view_fn view, struct static_dir *dir)
{
    struct target *t = calloc(1, sizeof *t);
    if (t) {
        t->view = view;
        t->dir = dir;
        t->next = *list;
        *list = t;
    }
    return t;
}

int eddy_app_route(struct eddy_app *app, const char *methods, const char *pattern,
                   eddy_view_fn view, const char *endpoint)
{
    struct target *t = new_target(&app->targets, view, NULL);
    return t ? eddy_router_add(app->router, methods, pattern, endpoint, t) : -ENOMEM;
}

struct eddy_blueprint *eddy_blueprint_new(const char *name)
{
    struct eddy_blueprint *bp = calloc(1, sizeof *bp);
    if (!bp)
        return NULL;
    bp->name = name ? strdup(name) : NULL;
    bp->router = eddy_router_new();
    if ((name && !bp->name) || !bp->router) {
        eddy_blueprint_free(bp);
        return NULL;
    }
    return bp;
}

void eddy_blueprint_free(struct eddy_blueprint *bp)
{
    if (!bp)
        return;
    eddy_router_free(bp->router);
    free_targets(bp->targets);
    free(bp->name);
    free(bp);
}

int eddy_blueprint_route(struct eddy_blueprint *bp, const char *methods, const char *pattern,
                         eddy_view_fn view, const char *endpoint)
{
    struct target *t = new_target(&bp->targets, view, NULL);
    return t ? eddy_router_add(bp->router, methods, pattern, endpoint, t) : -ENOMEM;
}

int eddy_app_register(struct eddy_app *app, struct eddy_blueprint *bp, const char *prefix)
{
    int err = eddy_router_mount(app->router, prefix, bp->name, bp->router);
    if (err)
        return err;
    /* The app's router now points at bp's targets: the app owns them. */
    struct target **tail = &bp->targets;
    while (*tail)
        tail = &(*tail)->next;
    *tail = app->targets;
    app->targets = bp->targets;
    bp->targets = NULL;
    return 0;
}

#define ADD(arr, n, v)                                                                             \
    do {                                                                                           \
        if ((n) >= sizeof(arr) / sizeof((arr)[0]))                                                 \
            return -ENOSPC;                                                                        \
        (arr)[(n)++] = (v);                                                                        \
    } while (0)

int eddy_app_before_request(struct eddy_app *app, eddy_hook_fn hook)
{
    ADD(app->before, app->nbefore, hook);
    return 0;
}

int eddy_app_after_request(struct eddy_app *app, eddy_hook_fn hook)
{
    ADD(app->after, app->nafter, hook);
    return 0;
}

int eddy_app_on_startup(struct eddy_app *app, eddy_startup_fn fn)
{
    ADD(app->startup, app->nstartup, fn);
    return 0;
}

int eddy_app_on_shutdown(struct eddy_app *app, eddy_shutdown_fn fn)
{
    ADD(app->shutdown, app->nshutdown, fn);
    return 0;
}

int eddy_app_error_handler(struct eddy_app *app, int status, eddy_view_fn view)
{
    if (app->nerrors >= MAX_HANDLERS)
        return -ENOSPC;
    app->errors[app->nerrors].status = status;
    app->errors[app->nerrors++].view = view;
    return 0;
}

int eddy_app_background(struct eddy_app *app, eddy_task_fn fn, void *arg, const char *name)
{
    if (app->nbackground >= MAX_HANDLERS)
        return -ENOSPC;
    app->background[app->nbackground].fn = fn;
    app->background[app->nbackground].arg = arg;
    app->background[app->nbackground++].name = name;
    return 0;
}

int eddy_app_static(struct eddy_app *app, const char *prefix, const char *dir)
{
    struct static_dir *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    if (!(d->real = realpath(dir, NULL))) {
        int err = -errno;
        free(d);
        return err;
    }
    pthread_mutex_init(&d->lock, NULL);
    d->next = app->statics;
    app->statics = d;
    char pattern[512];
    if ((size_t)snprintf(pattern, sizeof pattern, "%s/<path:filename>",
                         strcmp(prefix, "/") ? prefix : "") >= sizeof pattern)
        return -ENAMETOOLONG;
    struct target *t = new_target(&app->targets, NULL, d);
    if (!t)
        return -ENOMEM;
    return eddy_router_add(app->router, "GET", pattern, NULL, t);
}

int eddy_app_templates(struct eddy_app *app, const char *dir)
{
    char *copy = strdup(dir);
    if (!copy)
        return -ENOMEM;
    free(app->templates_dir);
    app->templates_dir = copy;
    return 0;
}

int eddy_url_for(const struct eddy_app *app, struct eddy_buf *out, const char *endpoint,
                 const char *const *params)
{
    return eddy_router_url_for(app->router, endpoint, params, out);
}

/* {{ url_for('endpoint', id=3) }} in templates. */
static int template_url_for(void *data, const char *const *args, size_t nargs,
                            const char *const *kwargs, struct eddy_buf *out)
{
    return nargs == 1 ? eddy_url_for(data, out, args[0], kwargs) : -EINVAL;
}

/* This thread's template set for `app`, made on first use. */
static struct eddy_templates *thread_templates(const struct eddy_app *app)
{
    if (tls.app != app || !tls.templates) {
        eddy_templates_free(tls.templates);
        tls.templates = eddy_templates_new(app->templates_dir);
        tls.app = app;
        if (tls.templates)
            eddy_templates_set_function(tls.templates, "url_for", template_url_for, (void *)app);
    }
    return tls.templates;
}

/* -------------------------------------------------------------- request */

/* The test client's request: a request without an exchange, whose headers
 * are the caller's "Name: value" lines (kept out of the production struct). */
struct test_request {
    struct eddy_request req; /* first: a request pointer is a test_request pointer */
    const char *const *headers;
};

static const char *test_header(const char *const *lines, const char *name)
{
    size_t n = strlen(name);
    for (; lines && *lines; lines++)
        if (!strncasecmp(*lines, name, n) && (*lines)[n] == ':') {
            const char *v = *lines + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return v;
        }
    return NULL;
}

struct eddy_app *eddy_request_app(const struct eddy_request *req)
{
    return req->app;
}
void *eddy_request_loop_data(const struct eddy_request *req)
{
    return req->loop_data;
}

void *eddy_app_loop_data(const struct eddy_app *app)
{
    struct loop_ctx *c = loop_ctx(app);
    return c ? c->data : NULL;
}
const char *eddy_request_method(const struct eddy_request *req)
{
    return req->method;
}
const char *eddy_request_path(const struct eddy_request *req)
{
    return eddy_buf_cstr(&req->path);
}
const char *eddy_request_query(const struct eddy_request *req)
{
    return eddy_buf_cstr(&req->query);
}

const char *eddy_request_endpoint(const struct eddy_request *req)
{
    return req->matched ? req->match.endpoint : NULL;
}

const char *eddy_request_header(struct eddy_request *req, const char *name)
{
    return req->x ? eddy_exchange_header(req->x, name)
                  : test_header(((const struct test_request *)req)->headers, name);
}

/* A form parsed on first use.  Lookups must mean "absent" when they return
 * NULL, so running out of memory here marks the request, which then ends in
 * a 500 whatever the view made of the missing value. */
static struct eddy_form *lazy_form(struct eddy_request *req, struct eddy_form **f,
                                   int (*parse)(struct eddy_form *, const char *, size_t),
                                   const char *s, size_t n)
{
    if (*f)
        return *f;
    if (!(*f = eddy_form_new()) || parse(*f, s, n) == -ENOMEM)
        req->oom = true;
    return *f;
}

static struct eddy_form *query_args(struct eddy_request *req)
{
    return lazy_form(req, &req->args, eddy_form_parse_urlencoded,
                     req->query.data ? req->query.data : "", req->query.len);
}

const char *eddy_request_arg(struct eddy_request *req, const char *name)
{
    struct eddy_form *f = query_args(req);
    return f ? eddy_form_value(f, name) : NULL;
}

size_t eddy_request_args(struct eddy_request *req, const char *name, const char **out, size_t max)
{
    struct eddy_form *f = query_args(req);
    return f ? eddy_form_values(f, name, out, max) : 0;
}

const char *eddy_request_cookie(struct eddy_request *req, const char *name)
{
    const char *c = req->cookies ? NULL : eddy_request_header(req, "Cookie");
    struct eddy_form *f =
        lazy_form(req, &req->cookies, eddy_form_parse_cookies, c ? c : "", c ? strlen(c) : 0);
    return f ? eddy_form_value(f, name) : NULL;
}

const char *eddy_request_param(const struct eddy_request *req, const char *name)
{
    return req->matched ? eddy_route_param(&req->match, name) : NULL;
}

int64_t eddy_request_param_int(const struct eddy_request *req, const char *name)
{
    for (size_t i = 0; req->matched && i < req->match.nparams; i++)
        if (!strcmp(req->match.params[i].name, name))
            return req->match.params[i].num;
    return 0;
}

const char *eddy_request_body(const struct eddy_request *req, size_t *len)
{
    if (len)
        *len = req->body_len;
    return req->body ? req->body : "";
}

static bool content_type_is(struct eddy_request *req, const char *type)
{
    const char *ct = eddy_request_header(req, "Content-Type");
    size_t n = strlen(type);
    return ct && !strncasecmp(ct, type, n) && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

int eddy_request_form(struct eddy_request *req, const struct eddy_form **out)
{
    if (!req->form_tried) {
        req->form_tried = true;
        struct eddy_form *f = eddy_form_new();
        const char *body = req->body ? req->body : "";
        if (!f)
            req->form_err = -ENOMEM;
        else if (content_type_is(req, "application/x-www-form-urlencoded"))
            req->form_err = eddy_form_parse_urlencoded(f, body, req->body_len);
        else if (content_type_is(req, "multipart/form-data"))
            req->form_err = eddy_form_parse_multipart(f, eddy_request_header(req, "Content-Type"),
                                                      body, req->body_len);
        else
            req->form_err = -ENOMSG;
        if (req->form_err)
            eddy_form_free(f);
        else
            req->form = f;
    }
    *out = req->form;
    return req->form_err;
}

int eddy_request_json(struct eddy_request *req, json_t **out)
{
    if (!req->json_tried) {
        req->json_tried = true;
        json_error_t e;
        if (!content_type_is(req, "application/json")) {
            snprintf(req->json_error, sizeof req->json_error,
                     "Content-Type is not application/json");
            req->json_err = -ENOMSG;
        } else if (!(req->json = json_loadb(req->body ? req->body : "", req->body_len,
                                            JSON_REJECT_DUPLICATES, &e))) {
            snprintf(req->json_error, sizeof req->json_error,
                     "invalid JSON at line %d column %d: %s", e.line, e.column, e.text);
            req->json_err = json_error_code(&e) == json_error_out_of_memory ? -ENOMEM : -EINVAL;
        }
    }
    *out = req->json;
    return req->json_err;
}

const char *eddy_request_json_error(const struct eddy_request *req)
{
    return req->json_error;
}

void *eddy_request_alloc(struct eddy_request *req, size_t size)
{
    return eddy_arena_alloc(&req->arena, size);
}

char *eddy_request_strdup(struct eddy_request *req, const char *s)
{
    return eddy_arena_strndup(&req->arena, s, strlen(s));
}

int eddy_request_defer(struct eddy_request *req, void (*fn)(void *arg), void *arg)
{
    struct deferred *d = eddy_arena_alloc(&req->arena, sizeof *d);
    if (!d) {
        fn(arg); /* now rather than never: the caller's cleanup still happens once */
        return -ENOMEM;
    }
    *d = (struct deferred){fn, arg, req->deferred};
    req->deferred = d;
    return 0;
}

const char *eddy_request_remote(struct eddy_request *req)
{
    /* Formatted on demand: inet_ntop was a visible share of a small request. */
    if (!req->remote[0] && req->x) {
        const struct eddy_addr *peer = eddy_exchange_peer(req->x);
        if (peer->u.sa.sa_family == AF_UNIX)
            snprintf(req->remote, sizeof req->remote, "unix");
        else if (eddy_addr_format(peer, req->remote, sizeof req->remote) > 0)
            *strrchr(req->remote, ':') = 0; /* the host alone */
    }
    return req->remote;
}

/* ------------------------------------------------------------- response */

void eddy_response_set_status(struct eddy_response *res, int status)
{
    res->status = status;
}
int eddy_response_status(const struct eddy_response *res)
{
    return res->status;
}

static bool header_safe(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return false;
    return true;
}

int eddy_response_add_header(struct eddy_response *res, const char *name, const char *value)
{
    if (!*name || !header_safe(name) || !header_safe(value) || strchr(name, ':'))
        return -EINVAL;
    if (res->nheaders >= MAX_RESPONSE_HEADERS)
        return -ENOSPC; /* what the server is handed; more would be dropped silently */
    size_t before = res->headers.len;
    int err = eddy_buf_append(&res->headers, name, strlen(name) + 1);
    if (!err)
        err = eddy_buf_append(&res->headers, value, strlen(value) + 1);
    if (err) {
        res->headers.len = before;
        return err;
    }
    res->nheaders++;
    return 0;
}

int eddy_response_set_header(struct eddy_response *res, const char *name, const char *value)
{
    /* Rebuild without the old ones: responses carry a handful of headers. */
    struct eddy_buf keep = EDDY_BUF_INIT(0);
    const char *p = res->headers.data;
    size_t kept = 0;
    for (size_t i = 0; i < res->nheaders; i++) {
        const char *v = p + strlen(p) + 1, *next = v + strlen(v) + 1;
        if (strcasecmp(p, name)) {
            if (eddy_buf_append(&keep, p, (size_t)(next - p)) < 0) {
                eddy_buf_free(&keep);
                return -ENOMEM;
            }
            kept++;
        }
        p = next;
    }
    eddy_buf_free(&res->headers);
    res->headers = keep;
    res->nheaders = kept;
    return eddy_response_add_header(res, name, value);
}

static void shared_drop(struct eddy_response *res)
{
    if (res->shared && res->shared_release)
        res->shared_release(res->shared_arg);
    res->shared = NULL;
}

/* Back to a body of our own (a copy of the shared one), before a change. */
static int body_own(struct eddy_response *res)
{
    if (!res->shared)
        return 0;
    eddy_buf_reset(&res->body);
    int err = eddy_buf_append(&res->body, res->shared, res->shared_len);
    shared_drop(res);
    return err;
}

int eddy_response_set_body(struct eddy_response *res, const void *data, size_t len)
{
    shared_drop(res);
    eddy_buf_reset(&res->body);
    return eddy_buf_append(&res->body, data, len);
}

int eddy_response_set_body_shared(struct eddy_response *res, const void *data, size_t len,
                                  void (*release)(void *arg), void *arg)
{
    shared_drop(res);
    eddy_buf_reset(&res->body);
    res->shared = data ? data : "";
    res->shared_len = len;
    res->shared_release = release;
    res->shared_arg = arg;
    return 0;
}

int eddy_response_append(struct eddy_response *res, const void *data, size_t len)
{
    int err = body_own(res);
    return err ? err : eddy_buf_append(&res->body, data, len);
}

const char *eddy_response_body(const struct eddy_response *res, size_t *len)
{
    if (res->shared) {
        *len = res->shared_len;
        return res->shared;
    }
    *len = res->body.len;
    return eddy_buf_cstr(&res->body);
}

int eddy_response_printf(struct eddy_response *res, const char *fmt, ...)
{
    int err = body_own(res);
    if (err)
        return err;
    va_list ap;
    va_start(ap, fmt);
    err = eddy_buf_vprintf(&res->body, fmt, ap);
    va_end(ap);
    return err;
}

static int whole(struct eddy_response *res, int status, const char *type, const void *body,
                 size_t len)
{
    res->status = status;
    int err = eddy_response_set_header(res, "Content-Type", type);
    return err ? err : eddy_response_set_body(res, body, len);
}

int eddy_response_text(struct eddy_response *res, int status, const char *text)
{
    return whole(res, status, "text/plain; charset=utf-8", text, strlen(text));
}

int eddy_response_html(struct eddy_response *res, int status, const char *html)
{
    return whole(res, status, "text/html; charset=utf-8", html, strlen(html));
}

int eddy_response_json(struct eddy_response *res, int status, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        return -ENOMEM;
    int err = whole(res, status, "application/json", s, strlen(s));
    free(s);
    return err;
}

int eddy_response_redirect(struct eddy_response *res, int status, const char *location)
{
    int err = eddy_response_set_header(res, "Location", location);
    if (err)
        return err;
    return eddy_response_text(res, status ? status : 302, "Redirecting\n");
}

static void reset(struct eddy_response *res)
{
    eddy_buf_reset(&res->headers);
    res->nheaders = 0;
    shared_drop(res);
    eddy_buf_reset(&res->body);
    if (res->file_fd >= 0)
        close(res->file_fd);
    res->file_fd = -1;
}

/* The app's view for `status`, if any. */
static eddy_view_fn error_view(const struct eddy_app *app, int status)
{
    eddy_view_fn any = NULL;
    for (size_t i = 0; i < app->nerrors; i++) {
        if (app->errors[i].status == status)
            return app->errors[i].view;
        if (!app->errors[i].status)
            any = app->errors[i].view;
    }
    return any;
}

int eddy_response_error(struct eddy_response *res, int status, const char *message)
{
    if (res->streaming)
        return -EALREADY;
    reset(res);
    eddy_view_fn view = res->in_error_handler ? NULL : error_view(res->req->app, status);
    if (view) {
        res->status = status;
        res->in_error_handler = true;
        int err = view(res->req, res);
        res->in_error_handler = false;
        if (err >= 0 && res->status)
            return 0;
        reset(res); /* the error view failed: fall back to plain text */
    }
    char line[256];
    snprintf(line, sizeof line, "%d %s%s%s\n", status, eddy_http_reason(status),
             message && *message ? ": " : "", message ? message : "");
    return eddy_response_text(res, status, line);
}

int eddy_response_set_cookie(struct eddy_response *res, const struct eddy_cookie *c)
{
    struct eddy_buf v = EDDY_BUF_INIT(4096);
    int err = eddy_cookie_format(c, &v);
    if (!err)
        err = eddy_response_add_header(res, "Set-Cookie", eddy_buf_cstr(&v));
    eddy_buf_free(&v);
    return err;
}

int eddy_render(struct eddy_response *res, const char *name, const json_t *ctx)
{
    return eddy_render_data(res, name, eddy_tdata_json(ctx));
}

int eddy_render_data(struct eddy_response *res, const char *name, struct eddy_tdata ctx)
{
    struct eddy_templates *ts = thread_templates(res->req->app);
    if (!ts)
        return -ENOMEM;
    shared_drop(res);
    eddy_buf_reset(&res->body);
    int err = eddy_templates_render_data(ts, name, ctx, &res->body);
    if (err < 0) {
        /* The log gets the precise reason; the client a plain 500. */
        app_log(res->req->app, "template error: %s", eddy_templates_error(ts));
        return err;
    }
    res->status = 200;
    return eddy_response_set_header(res, "Content-Type", "text/html; charset=utf-8");
}

/* ---------------------------------------------------------------- files */

static const char *mime_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"txt", "text/plain; charset=utf-8"},
        {"xml", "application/xml"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"ico", "image/x-icon"},
        {"woff2", "font/woff2"},
        {"pdf", "application/pdf"},
        {"atom", "application/atom+xml"},
        {"rss", "application/rss+xml"},
        {"rdf", "application/rdf+xml"},
        {"opml", "text/x-opml"},
        {"mp3", "audio/mpeg"},
        {"ogg", "audio/ogg"},
        {"wav", "audio/wav"},
        {"mp4", "video/mp4"},
    };
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcasecmp(dot + 1, types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}

/* Does If-None-Match's list name etag (or "*")?  Weak comparison. */
static bool etag_matches(const char *list, const char *etag)
{
    if (!strcmp(list, "*"))
        return true;
    const char *e = etag[0] == 'W' ? etag + 2 : etag;
    size_t n = strlen(e);
    for (const char *p = list; (p = strstr(p, e)); p += n)
        if ((p == list || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
            (p[n] == 0 || p[n] == ',' || p[n] == ' '))
            return true;
    return false;
}

/* Parses a single "bytes=a-b" / "bytes=a-" / "bytes=-n" range against size.
 * Returns 1 with [*from, *to] set, 0 to ignore the header (several ranges,
 * garbage: the whole file is sent, which RFC 9110 allows), -1 when
 * unsatisfiable (416). */
static int parse_range(const char *h, off_t size, off_t *from, off_t *to)
{
    if (strncmp(h, "bytes=", 6) || strchr(h, ','))
        return 0;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        long long n = strtoll(p + 1, &end, 10);
        if (end == p + 1 || *end || n < 0)
            return 0;
        if (n == 0 || size == 0)
            return -1;
        *from = n >= size ? 0 : size - n;
        *to = size - 1;
        return 1;
    }
    if (*p < '0' || *p > '9')
        return 0;
    long long a = strtoll(p, &end, 10), b;
    if (*end != '-')
        return 0;
    p = end + 1;
    if (!*p) {
        b = size - 1;
    } else {
        if (*p < '0' || *p > '9')
            return 0;
        b = strtoll(p, &end, 10);
        if (*end || b < a)
            return 0;
        if (b >= size)
            b = size - 1;
    }
    if (a >= size)
        return -1;
    *from = a;
    *to = b;
    return 1;
}

/* Puts a file's validators on res (its ETag: size and mtime, then `tag`,
 * copied to etag[64]; Last-Modified) and answers 304 when If-None-Match, or
 * else If-Modified-Since, says the client's copy is current.  Returns 1
 * (304), 0, or a negative errno. */
static int file_validators(struct eddy_response *res, const struct stat *st, const char *tag,
                           char etag[64])
{
    char modified[EDDY_HTTP_DATE_LEN + 1];
    snprintf(etag, 64, "\"%llx-%llx%s\"", (unsigned long long)st->st_size,
             (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st->st_mtim.tv_nsec,
             tag);
    eddy_http_date_format(st->st_mtime, modified);
    int err = eddy_response_add_header(res, "ETag", etag);
    if (!err)
        err = eddy_response_add_header(res, "Last-Modified", modified);
    if (err)
        return err;
    struct eddy_request *req = res->req;
    const char *inm = eddy_request_header(req, "If-None-Match");
    const char *ims = eddy_request_header(req, "If-Modified-Since");
    time_t since;
    if ((inm && etag_matches(inm, etag)) ||
        (!inm && ims && eddy_http_date_parse(ims, strlen(ims), &since) == 0 &&
         since >= st->st_mtime)) {
        res->status = 304;
        return 1;
    }
    return 0;
}

int eddy_response_file(struct eddy_response *res, const char *path, const char *content_type)
{
    /* O_NONBLOCK: opening a FIFO would otherwise block the whole loop. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return eddy_response_error(res, 404, NULL);
    }
    reset(res);
    char etag[64], value[96];
    int fresh = file_validators(res, &st, "", etag);
    int err = fresh < 0 ? fresh : eddy_response_add_header(res, "Accept-Ranges", "bytes");
    if (err || fresh) {
        close(fd);
        return err;
    }
    struct eddy_request *req = res->req;
    eddy_response_add_header(res, "Content-Type", content_type ? content_type : mime_type(path));
    off_t from = 0, to = st.st_size - 1;
    const char *range = eddy_request_header(req, "Range");
    const char *if_range = eddy_request_header(req, "If-Range");
    int r = range && (!if_range || !strcmp(if_range, etag))
                ? parse_range(range, st.st_size, &from, &to)
                : 0;
    if (r < 0) {
        close(fd);
        snprintf(value, sizeof value, "bytes */%lld", (long long)st.st_size);
        eddy_response_add_header(res, "Content-Range", value);
        res->status = 416;
        return 0;
    }
    if (r > 0) {
        snprintf(value, sizeof value, "bytes %lld-%lld/%lld", (long long)from, (long long)to,
                 (long long)st.st_size);
        eddy_response_add_header(res, "Content-Range", value);
    }
    res->status = r > 0 ? 206 : 200;
    res->file_fd = fd;
    res->file_off = from;
    res->file_len = st.st_size ? (size_t)(to - from + 1) : 0;
    return 0;
}

/* Does the raw path hold an encoded '/', '\\' or NUL?  The router decodes
 * parameters, so "a%2Fb" would reach the file a/b and "x%00.png" the file x. */
static bool encoded_separator(const char *t, size_t n)
{
    for (size_t i = 0; i + 2 < n && t[i] != '?'; i++)
        if (t[i] == '%') {
            /* "%zz" is no escape (the URL standard's rule): not a NUL */
            int hi = eddy__hex_digit(t[i + 1]), lo = eddy__hex_digit(t[i + 2]);
            int c = hi >= 0 && lo >= 0 ? hi << 4 | lo : -1;
            if (c == '/' || c == '\\' || c == 0)
                return true;
        }
    return false;
}

bool eddy_request_accepts_gzip(struct eddy_request *req)
{
    const char *h = eddy_request_header(req, "Accept-Encoding");
    int gzip = -1, any = -1; /* -1 unnamed, 0 refused (q=0), 1 taken */
    for (const char *p = h; p && *p;) {
        p += strspn(p, " \t,");
        const char *name = p;
        size_t n = strcspn(p, " \t,;");
        int ok = 1;
        for (p += n; *p && *p != ',';) { /* parameters: only q matters */
            p += strspn(p, " \t;");
            if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
                const char *v = p + 2; /* zero: "0", "0.", "0.000" */
                if (*v++ == '0') {
                    v += *v == '.';
                    v += strspn(v, "0");
                    ok = *v >= '1' && *v <= '9';
                }
            }
            p += strcspn(p, ";,");
        }
        if ((n == 4 && !strncasecmp(name, "gzip", 4)) ||
            (n == 6 && !strncasecmp(name, "x-gzip", 6)))
            gzip = ok;
        else if (n == 1 && *name == '*')
            any = ok;
    }
    return gzip >= 0 ? gzip : any > 0;
}

/* Was g made from the file as st describes it (size, mtime)? */
static bool gz_same(const struct gz_file *g, const struct stat *st)
{
    return g->size == st->st_size && g->mtime.tv_sec == st->st_mtim.tv_sec &&
           g->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The file's gzip variant in d, if made for this size and mtime. */
static struct gz_file *gz_find(struct static_dir *d, const char *path, const struct stat *st)
{
    pthread_mutex_lock(&d->lock);
    struct gz_file *g = d->gz;
    while (g && (strcmp(g->path, path) || !gz_same(g, st)))
        g = g->next;
    pthread_mutex_unlock(&d->lock);
    return g;
}

/* On the loop's thread pool: reads the file (g->size bytes, as stat saw it)
 * and compresses it at zlib's best level into g->data (left NULL when gzip
 * would not be smaller).  Returns 0 or a negative errno (the file changed,
 * or could not be read). */
static int gz_compress(void *arg)
{
    struct gz_file *g = arg;
    size_t size = (size_t)g->size, got = 0;
    unsigned char *in = malloc(size ? size : 1);
    int fd = open(g->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), err = in ? 0 : -ENOMEM;
    struct stat st;
    if (!err && (fd < 0 || fstat(fd, &st) < 0))
        err = -errno;
    else if (!err && (!S_ISREG(st.st_mode) || !gz_same(g, &st)))
        err = -EAGAIN; /* not the file stat saw: changed meanwhile */
    while (!err && got < size) {
        ssize_t r = read(fd, in + got, size - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0)
            err = -EAGAIN;
        else if (errno != EINTR)
            err = -errno;
    }
    if (fd >= 0)
        close(fd);
    void *out = NULL;
    if (!err && (err = eddy_gzip(in, size, Z_BEST_COMPRESSION, &out, &g->len)) == -EAGAIN)
        err = 0; /* not smaller: kept as "as it is" */
    g->data = out;
    free(in);
    return err;
}

int eddy_gzip(const void *data, size_t len, int level, void **out, size_t *out_len)
{
    z_stream z = {0};
    *out = NULL;
    *out_len = 0;
    if (len > UINT_MAX / 2)
        return -EAGAIN; /* (not for bodies a server keeps in memory) */
    /* 15 + 16: a gzip wrapper (mtime 0, no name) */
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return -ENOMEM;
    size_t cap = deflateBound(&z, (uLong)len);
    unsigned char *buf = malloc(cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int err = !buf                                                         ? -ENOMEM
              : deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < len ? 0
                                                                           : -EAGAIN;
    deflateEnd(&z);
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *out_len = z.total_out;
    return 0;
}

/* The file's gzip variant: found, or made now (once: later requests find
 * it); NULL when the file is to go out as it is. */
static const struct gz_file *gz_variant(struct static_dir *d, const char *path,
                                        const struct stat *st)
{
    struct gz_file *g = gz_find(d, path, st);
    if (g)
        return g->data ? g : NULL;
    if (!(g = calloc(1, sizeof *g)) || !(g->path = strdup(path))) {
        free(g);
        return NULL;
    }
    g->size = st->st_size;
    g->mtime = st->st_mtim;
    if (eddy_to_thread(gz_compress, g) < 0) {
        free(g->data);
        free(g->path);
        free(g);
        return NULL;
    }
    pthread_mutex_lock(&d->lock);
    if (g->len > GZ_TOTAL_MAX - d->gz_total) { /* kept as "as it is" */
        free(g->data);
        g->data = NULL;
        g->len = 0;
    }
    d->gz_total += g->len;
    g->next = d->gz; /* (two first requests at once: two entries, one found) */
    d->gz = g;
    pthread_mutex_unlock(&d->lock);
    return g->data ? g : NULL;
}

/* Sends the file at path gzipped, if the client takes gzip and it is worth
 * it: 1 when answered, 0 for the file as it is, or a negative errno. */
static int serve_gzip(struct eddy_request *req, struct eddy_response *res, struct static_dir *d,
                      const char *path, const char *type)
{
    struct stat st;
    const struct gz_file *g;
    /* A range is of the file as it is (Range on the gzip variant: not served). */
    if (eddy_request_header(req, "Range") || !eddy_request_accepts_gzip(req) ||
        stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > GZ_FILE_MAX ||
        !(g = gz_variant(d, path, &st)))
        return 0;
    reset(res);
    char etag[64];
    int fresh = file_validators(res, &st, "-gz", etag);
    if (fresh)
        return fresh;
    res->status = 200;
    int err = eddy_response_add_header(res, "Content-Type", type);
    err = err ? err : eddy_response_add_header(res, "Content-Encoding", "gzip");
    err = err ? err : eddy_response_set_body(res, g->data, g->len);
    return err ? err : 1;
}

/* A static folder: the path must stay inside it, symlinks included.  Text
 * (CSS, JS, SVG...) goes out gzipped to a client that takes it; pages never
 * do (src/app's views: they carry CSRF tokens beside reflected input, which
 * compression would leak to an attacker who measures sizes: BREACH). */
static int serve_static(struct eddy_request *req, struct eddy_response *res, struct static_dir *d)
{
    const char *rest = eddy_request_param(req, "filename");
    if (!rest || rest[0] == '/' || strstr(rest, "..") || strchr(rest, '\\') ||
        encoded_separator(req->target, req->target_len))
        return eddy_response_error(res, 404, NULL);
    char joined[PATH_MAX], real[PATH_MAX];
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", d->real, rest) >= sizeof joined ||
        !realpath(joined, real))
        return eddy_response_error(res, 404, NULL);
    size_t n = strlen(d->real);
    if (strncmp(real, d->real, n) || real[n] != '/')
        return eddy_response_error(res, 404, NULL);
    const char *type = mime_type(real);
    if (strncmp(type, "text/", 5) && !strstr(type, "json") && !strstr(type, "xml"))
        return eddy_response_file(res, real, type);
    int err = serve_gzip(req, res, d, real, type);
    if (!err)
        err = eddy_response_file(res, real, type);
    /* Both variants say so, for caches between. */
    return err < 0 ? err : eddy_response_add_header(res, "Vary", "Accept-Encoding");
}

/* ------------------------------------------------------------ streaming */

/* The response's headers as the server takes them (slices into res). */
static size_t header_array(const struct eddy_response *res, struct eddy_http_header *h)
{
    size_t n = 0;
    const char *p = res->headers.data;
    for (size_t i = 0; i < res->nheaders && n < MAX_RESPONSE_HEADERS; i++, n++) {
        const char *v = p + strlen(p) + 1;
        h[n] = (struct eddy_http_header){p, strlen(p), v, strlen(v)};
        p = v + strlen(v) + 1;
    }
    return n;
}

/* Sends the head now: status, the headers so far, chunked. */
int eddy_response_stream(struct eddy_response *res, int status, const char *content_type)
{
    if (res->streaming)
        return -EALREADY;
    res->status = status;
    int err = eddy_response_set_header(res, "Content-Type", content_type);
    if (err)
        return err;
    res->streaming = true;
    shared_drop(res);
    eddy_buf_reset(&res->body);
    struct eddy_exchange *x = res->req->x;
    if (!x)
        return 0; /* the test client collects the body */
    struct eddy_http_header h[MAX_RESPONSE_HEADERS];
    return eddy_exchange_begin(x, status, h, header_array(res, h), -1);
}

int eddy_response_write(struct eddy_response *res, const void *data, size_t len)
{
    if (!res->streaming)
        return -EINVAL;
    if (!res->req->x)
        return eddy_buf_append(&res->body, data, len);
    return eddy_exchange_write(res->req->x, data, len);
}

int eddy_response_sse_begin(struct eddy_response *res)
{
    int err = eddy_response_set_header(res, "Cache-Control", "no-cache");
    return err ? err : eddy_response_stream(res, 200, "text/event-stream");
}

int eddy_response_sse_send(struct eddy_response *res, const char *event, const char *data,
                           const char *id)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    int err = 0;
    if (event && header_safe(event))
        err = eddy_buf_printf(&b, "event: %s\n", event);
    if (!err && id && header_safe(id))
        err = eddy_buf_printf(&b, "id: %s\n", id);
    /* One "data:" line per line of data: a newline must not end the event. */
    for (const char *p = data ? data : ""; !err;) {
        size_t n = strcspn(p, "\r\n");
        err = eddy_buf_printf(&b, "data: %.*s\n", (int)n, p);
        if (!p[n])
            break;
        p += n + (p[n] == '\r' && p[n + 1] == '\n' ? 2 : 1);
    }
    if (!err)
        err = eddy_buf_putc(&b, '\n');
    if (!err)
        err = eddy_response_write(res, b.data, b.len);
    eddy_buf_free(&b);
    return err;
}

/* The view waits on a private event that two children set: one waiting
 * for the caller's event, one for the client to close.  The caller's event
 * is never set by us: it is often shared by every stream (a broadcast), and
 * one client leaving must not wake the others. */
struct sse_wait {
    struct eddy_exchange *x; /* NULL under the test client */
    struct eddy_event *ev;   /* the caller's */
    struct eddy_event *wake; /* ours */
    bool fired, closed;
    int result; /* of the wait on ev, once fired (-EPIPE: ev freed) */
};

static int sse_waiter(void *arg)
{
    struct sse_wait *w = arg;
    int r = eddy_event_wait(w->ev, EDDY_FOREVER);
    if (r != -ECANCELED) { /* cancelled: by us, on the way out */
        w->result = r;
        w->fired = true;
        eddy_event_set(w->wake);
    }
    return 0;
}

static int sse_watcher(void *arg)
{
    struct sse_wait *w = arg;
    if (eddy_exchange_wait_closed(w->x, EDDY_FOREVER) == 0) {
        w->closed = true;
        eddy_event_set(w->wake);
    }
    return 0;
}

int eddy_response_sse_wait(struct eddy_response *res, struct eddy_event *ev, int64_t keepalive_ns)
{
    if (!res->streaming)
        return -EINVAL;
    struct sse_wait w = {.x = res->req->x, .ev = ev, .wake = eddy_event_new()};
    struct eddy_group g;
    eddy_group_init(&g);
    int err = w.wake ? 0 : -ENOMEM;
    if (!err)
        err = eddy_group_spawn(&g, sse_waiter, &w, "sse-wait");
    if (!err && w.x)
        err = eddy_group_spawn(&g, sse_watcher, &w, "sse-watch");
    while (!err) {
        int r = eddy_event_wait(w.wake,
                                eddy_deadline_in(keepalive_ns > 0 ? keepalive_ns : 15 * EDDY_SEC));
        if (w.closed) {
            err = -EPIPE;
            break;
        }
        if (w.fired || r != -ETIMEDOUT || eddy_now() >= eddy_timeout_deadline()) {
            /* the event (-EPIPE: it was freed), cancellation, or the task's
             * own timeout scope */
            err = w.fired ? w.result : r;
            break;
        }
        err = eddy_response_write(res, ": keep-alive\n\n", 14);
    }
    eddy_group_cancel(&g);
    int werr = eddy_group_wait(&g); /* the children return 0: only our own interruption */
    eddy_group_fini(&g);
    eddy_event_free(w.wake);
    if (!err)
        err = werr;
    return err;
}

/* ------------------------------------------------------------- dispatch */

/* Returns what a streaming view returned (its failure must reach the
 * server, which then closes instead of ending the body cleanly), else 0. */
static int dispatch(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy_app *app = req->app;
    eddy_router_match(app->router, req->method, req->target, req->target_len, &req->match);
    req->matched = req->match.status == EDDY_ROUTE_FOUND;
    int err = 0;
    for (size_t i = 0; i < app->nbefore && !err && !res->status; i++)
        err = app->before[i](req, res);
    if (err < 0 || req->oom) {
        eddy_response_error(res, 500, NULL);
        goto after;
    }
    if (res->status) /* a hook answered: no view */
        goto after;
    switch (req->match.status) {
    case EDDY_ROUTE_FOUND: {
        struct target *t = req->match.handler;
        err = t->view ? t->view(req, res) : serve_static(req, res, t->dir);
        if (res->streaming)
            return err < 0 ? err : 0;
        if (err < 0 || !res->status || req->oom)
            eddy_response_error(res, 500, err < 0 || req->oom ? NULL : "the view gave no response");
        break;
    }
    case EDDY_ROUTE_OPTIONS:
        res->status = 204;
        eddy_response_set_header(res, "Allow", req->match.allow);
        break;
    case EDDY_ROUTE_NOT_ALLOWED:
        eddy_response_error(res, 405, NULL);
        eddy_response_set_header(res, "Allow", req->match.allow);
        break;
    case EDDY_ROUTE_TOO_LONG: eddy_response_error(res, 414, NULL); break;
    default: eddy_response_error(res, 404, NULL); break;
    }
after:
    if (res->streaming)
        return 0;
    /* Flask runs after-request hooks in reverse order of registration. */
    for (size_t i = app->nafter; i-- > 0;)
        if (app->after[i](req, res) < 0) {
            eddy_response_error(res, 500, NULL);
            break;
        }
    return 0;
}

static void request_init(struct eddy_request *req, struct eddy_app *app, const char *method,
                         const char *target, size_t target_len)
{
    memset(req, 0, offsetof(struct eddy_request, match));
    req->app = app;
    req->loop_data = eddy_app_loop_data(app);
    req->method = method;
    req->target = target;
    req->target_len = target_len;
    eddy_buf_init(&req->path, 0);
    eddy_buf_init(&req->query, 0);
    struct eddy_http_target t;
    if (eddy_http_target_split(target, target_len, &t) == 0) {
        /* Route on the path alone: an absolute-form target
         * ("http://host/path") must reach the same view (RFC 9112 §3.2.2). */
        req->target = t.path;
        req->target_len = t.path_len;
        if (eddy_url_decode(t.path, t.path_len, false, &req->path) < 0 ||
            (t.query && eddy_buf_append(&req->query, t.query, t.query_len) < 0))
            req->oom = true;
    }
}

static void request_free(struct eddy_request *req)
{
    for (struct deferred *d = req->deferred; d; d = d->next)
        d->fn(d->arg);
    eddy_arena_free(&req->arena);
    eddy_buf_free(&req->path);
    eddy_buf_free(&req->query);
    eddy_form_free(req->args);
    eddy_form_free(req->cookies);
    eddy_form_free(req->form);
    json_decref(req->json);
}

static void response_init(struct eddy_response *res, struct eddy_request *req)
{
    memset(res, 0, sizeof *res);
    res->req = req;
    res->file_fd = -1;
    eddy_buf_init(&res->headers, 64 * 1024);
    eddy_buf_init(&res->body, BODY_CAP);
}

static void response_free(struct eddy_response *res)
{
    if (res->file_fd >= 0)
        close(res->file_fd);
    shared_drop(res);
    eddy_buf_free(&res->headers);
    eddy_buf_free(&res->body);
}

/* Sends a built (not streamed) response through the exchange. */
static int send_response(struct eddy_response *res)
{
    struct eddy_exchange *x = res->req->x;
    struct eddy_http_header h[MAX_RESPONSE_HEADERS];
    size_t n = header_array(res, h);
    size_t len;
    const char *body = eddy_response_body(res, &len);
    if (res->file_fd < 0)
        return eddy_exchange_respond(x, res->status, h, n, body, len);
    int err = eddy_exchange_begin(x, res->status, h, n, (int64_t)res->file_len);
    if (!err)
        err = eddy_exchange_sendfile(x, res->file_fd, res->file_off, res->file_len);
    return err ? err : eddy_exchange_end(x);
}

static int app_handler(void *arg, struct eddy_exchange *x)
{
    struct eddy_app *app = arg;
    const struct eddy_http_head *head = eddy_exchange_head(x);
    struct eddy_request req;
    struct eddy_response res;
    request_init(&req, app, head->method, head->target, head->target_len);
    req.x = x;
    req.body = eddy_exchange_body(x, &req.body_len);
    response_init(&res, &req);
    int err = dispatch(&req, &res);
    if (!res.streaming)
        err = send_response(&res);
    response_free(&res);
    request_free(&req);
    return err;
}

/* -------------------------------------------------------------- serving */

/* On each serving loop, from a task; a failure is undone by worker_stop. */
static int worker_start(void *arg)
{
    struct eddy_app *app = arg;
    struct loop_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->app = app;
    eddy_group_init(&c->background);
    c->next = loop_ctxs;
    loop_ctxs = c;
    if (!thread_templates(app))
        return -ENOMEM;
    for (size_t i = 0; i < app->nstartup; i++) {
        int err = app->startup[i](app, &c->data);
        if (err < 0)
            return err;
    }
    for (size_t i = 0; i < app->nbackground; i++) {
        int err = eddy_group_spawn(&c->background, app->background[i].fn, app->background[i].arg,
                                   app->background[i].name);
        if (err < 0)
            return err;
    }
    return 0;
}

static void worker_stop(void *arg)
{
    struct eddy_app *app = arg;
    struct loop_ctx **link = &loop_ctxs;
    while (*link && (*link)->app != app)
        link = &(*link)->next;
    struct loop_ctx *c = *link;
    if (c) {
        eddy_group_cancel(&c->background);
        int err = eddy_group_wait(&c->background);
        if (err < 0 && err != -ECANCELED)
            app_log(app, "background task failed: %s", eddy_strerror(err));
        eddy_group_fini(&c->background);
        /* Reverse order: a later hook may use what an earlier one made. */
        for (size_t i = app->nshutdown; i-- > 0;)
            app->shutdown[i](app, c->data);
        *link = c->next;
        free(c);
    }
    eddy_templates_free(tls.templates);
    tls.templates = NULL;
    tls.app = NULL;
}

static void announce(void *arg, int port)
{
    const struct eddy_server_opts *o = arg;
    fprintf(stderr, "eddy: serving on %s (port %d), %u worker(s)\n",
            o->listen ? o->listen : "127.0.0.1:8080", port, o->workers ? o->workers : 1);
}

/* The fields the app fills itself: a caller's value would be lost. */
static bool app_owned_opts_set(const struct eddy_server_opts *o)
{
    return o->handler || o->arg || o->worker_start || o->worker_stop;
}

int eddy_app_serve(struct eddy_app *app, const struct eddy_server_opts *opts)
{
    if (app_owned_opts_set(opts))
        return -EINVAL;
    struct eddy_server_opts o = *opts;
    o.handler = app_handler;
    o.arg = app;
    o.worker_start = worker_start;
    o.worker_stop = worker_stop;
    return eddy_server_run(&o, announce, &o);
}

struct eddy_server *eddy_app_start(struct eddy_app *app, const struct eddy_server_opts *opts)
{
    if (app_owned_opts_set(opts)) {
        errno = EINVAL;
        return NULL;
    }
    struct eddy_server_opts o = *opts;
    o.handler = app_handler;
    o.arg = app;
    if (loop_ctx(app)) {
        errno = EALREADY; /* one start per app and loop */
        return NULL;
    }
    int err = worker_start(app);
    if (err < 0) {
        worker_stop(app);
        errno = -err;
        return NULL;
    }
    struct eddy_server *s = eddy_server_start(&o);
    if (!s) {
        err = errno;
        worker_stop(app);
        errno = err;
    }
    return s;
}

int eddy_app_stop(struct eddy_app *app, struct eddy_server *s, int64_t deadline)
{
    int err = eddy_server_stop(s, deadline);
    worker_stop(app);
    return err;
}

/* ---------------------------------------------------------- test client */

struct eddy_test_reply {
    int status;
    struct eddy_buf headers; /* "name\0value\0" */
    size_t nheaders;
    struct eddy_buf body;
};

int eddy_app_test(struct eddy_app *app, const char *method, const char *target,
                  const char *const *headers, const void *body, size_t len,
                  struct eddy_test_reply **out)
{
    *out = NULL;
    if (!eddy_task_current())
        return -EPERM;
    struct eddy_test_reply *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    struct test_request treq = {.headers = headers};
    struct eddy_request *req = &treq.req;
    struct eddy_response res;
    request_init(req, app, method, target, strlen(target));
    snprintf(req->remote, sizeof req->remote, "127.0.0.1");
    /* A copy with a terminating NUL, as the server gives views. */
    struct eddy_buf b = EDDY_BUF_INIT(0);
    if (eddy_buf_append(&b, body ? body : "", body ? len : 0) < 0)
        req->oom = true;
    req->body = eddy_buf_cstr(&b);
    req->body_len = b.len;
    response_init(&res, req);
    dispatch(req, &res);
    if (res.file_fd >= 0 && !(!strcmp(method, "HEAD"))) {
        eddy_buf_reset(&res.body);
        if (eddy_buf_reserve(&res.body, res.file_len) == 0) {
            ssize_t n = pread(res.file_fd, res.body.data, res.file_len, res.file_off);
            res.body.len = n > 0 ? (size_t)n : 0;
            res.body.data[res.body.len] = 0;
        }
    }
    if (body_own(&res) < 0)
        req->oom = true;
    r->status = res.status;
    r->headers = res.headers;
    r->nheaders = res.nheaders;
    r->body = res.body;
    res.headers = (struct eddy_buf)EDDY_BUF_INIT(0);
    res.body = (struct eddy_buf)EDDY_BUF_INIT(0);
    response_free(&res);
    request_free(req);
    eddy_buf_free(&b);
    *out = r;
    return 0;
}

int eddy_test_reply_status(const struct eddy_test_reply *r)
{
    return r->status;
}

const char *eddy_test_reply_header(const struct eddy_test_reply *r, const char *name)
{
    const char *p = r->headers.data;
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *v = p + strlen(p) + 1;
        if (!strcasecmp(p, name))
            return v;
        p = v + strlen(v) + 1;
    }
    return NULL;
}

const char *eddy_test_reply_body(const struct eddy_test_reply *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return eddy_buf_cstr(&r->body);
}

void eddy_test_reply_free(struct eddy_test_reply *r)
{
    if (!r)
        return;
    eddy_buf_free(&r->headers);
    eddy_buf_free(&r->body);
    free(r);
}
