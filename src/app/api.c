/*
 * api.c — the JSON API under /api/v1 (docs/api.md): the shared checks,
 * categories, status, OPML and the parse endpoint; feeds are in
 * api_feeds.c, entries in api_entries.c.
 *
 * Every store call runs on the store's pool (eddy_store_run_await), and a
 * reply's JSON is built and serialized there too, so a page of 1,000
 * entries never holds the loop.  Errors are {"error": "..."} with the
 * status that fits.  A URL that arrives here is fetched only through
 * site->guarded (the SSRF guard); a refused, unresolvable or unreachable
 * target is one generic 502, so the API is no port scanner.
 */
#include "api.h"

#include "eddy/feedfetch.h"
#include "eddy/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An imported OPML document is one request body: the server's limit on
 * those (1 MiB, http.h) is its size limit, answered 413 by the server
 * itself, saying the limit, before any view runs (the framework has no
 * per-route limit): a larger cap here would never be reached. */
#define OPML_FEEDS_MAX 100000    /* subscriptions in one import */
#define PARSE_MAX      (8 << 20) /* bytes fetched by /parse */
#define FETCH_TIMEOUT  (15 * EDDY_SEC)
/* Fetches asked over HTTP running at once, on one loop (/parse, and
 * subscribing: the API's and the pages').  Each can hold PARSE_MAX of
 * document (discovery: a page, then its feed), its parsed tree and its JSON
 * (several times the document) until its response is sent, and the parse
 * takes a core: without a bound, many clients at once took all the memory
 * and CPU.  A request beyond them waits FETCH_WAIT for a slot (a short
 * burst is served, in order), then is answered 503 with Retry-After:
 * waiting longer would only hold more connections, and a fetch may take
 * FETCH_TIMEOUT. */
#define FETCH_SLOTS       4
#define FETCH_WAIT        (2 * EDDY_SEC)
#define FETCH_RETRY_AFTER "5" /* seconds */

struct eddy__site *eddy__api_site(struct eddy_request *req)
{
    return eddy_request_loop_data(req);
}

int eddy__api_error(struct eddy_response *res, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *v = json_pack("{s:s}", "error", msg);
    if (!v)
        return -ENOMEM;
    int err = eddy_response_json(res, status, v);
    json_decref(v);
    return err;
}

bool eddy__api_bad(struct eddy_response *res, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    eddy__api_error(res, 400, "%s", msg);
    return false;
}

int eddy__api_store_error(struct eddy_response *res, int err, const char *what)
{
    switch (err) {
    case -ENOENT: return eddy__api_error(res, 404, "no such %s", what);
    case -EEXIST: return eddy__api_error(res, 409, "already subscribed");
    case -EINVAL: return eddy__api_error(res, 400, "invalid %s", what);
    case -EBUSY:
        eddy_response_set_header(res, "Retry-After", "1");
        return eddy__api_error(res, 503, "the store is busy; try again");
    case -ECANCELED: return err; /* the client or the server is going away */
    default: return eddy__api_error(res, 500, "store: %s", eddy_strerror(err));
    }
}

int eddy__api_dump(json_t *v, char **text)
{
    *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    return *text ? 0 : -ENOMEM;
}

int eddy__api_reply(struct eddy_response *res, int status, char *text)
{
    if (!text)
        return -ENOMEM;
    eddy_response_set_status(res, status);
    int err = eddy_response_set_header(res, "Content-Type", "application/json");
    if (!err)
        err = eddy_response_set_body(res, text, strlen(text));
    free(text);
    return err;
}

int eddy__api_get(struct eddy_request *req, struct eddy_response *res,
                  int (*job)(struct eddy_store *s, void *text), const char *what)
{
    char *text = NULL;
    if (!eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    int err = eddy_store_run_await(eddy__api_site(req)->store, false, job, &text);
    return err < 0 ? eddy__api_store_error(res, err, what) : eddy__api_reply(res, 200, text);
}

int eddy__api_add_routes(struct eddy_blueprint *bp, const struct eddy__api_route *r, size_t n)
{
    int err = 0;
    for (size_t i = 0; !err && i < n; i++)
        err = eddy_blueprint_route(bp, r[i].methods, r[i].pattern, r[i].view, r[i].endpoint);
    return err;
}

static void form_free(void *f)
{
    eddy_form_free(f);
}

bool eddy__api_query(struct eddy_request *req, struct eddy_response *res, const char *const *names,
                     const char **values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        values[i] = NULL;
    const char *q = eddy_request_query(req);
    if (!*q)
        return true;
    struct eddy_form *f = eddy_form_new();
    if (!f || eddy_request_defer(req, form_free, f) < 0) {
        eddy__api_error(res, 500, "out of memory");
        return false;
    }
    if (eddy_form_parse_urlencoded(f, q, strlen(q)) < 0)
        return eddy__api_bad(res, "bad query string: %s", eddy_form_error(f));
    for (size_t k = 0; k < eddy_form_count(f); k++) {
        const struct eddy_form_field *fl = eddy_form_field(f, k);
        size_t i = 0;
        while (i < n && strcmp(fl->name, names[i]))
            i++;
        if (i == n)
            return eddy__api_bad(res, "unknown parameter '%.64s'", fl->name);
        if (values[i])
            return eddy__api_bad(res, "parameter '%s' given twice", names[i]);
        if (strlen(fl->value) != fl->value_len)
            return eddy__api_bad(res, "parameter '%s' holds a NUL byte", names[i]);
        values[i] = fl->value;
    }
    return true;
}

bool eddy__api_int(struct eddy_response *res, const char *name, const char *value, int64_t min,
                   int64_t max, int64_t *out)
{
    const char *d = value + (min < 0 && *value == '-');
    bool ok = *d && strlen(d) <= 19 && strspn(d, "0123456789") == strlen(d);
    if (ok) {
        errno = 0;
        long long v = strtoll(value, NULL, 10);
        ok = !errno && v >= min && v <= max;
        *out = v;
    }
    if (!ok)
        eddy__api_error(res, 400, "'%s' must be an integer from %lld to %lld", name, (long long)min,
                        (long long)max);
    return ok;
}

bool eddy__api_flag(struct eddy_response *res, const char *name, const char *value, bool *out)
{
    *out = !strcmp(value, "true") || !strcmp(value, "1");
    if (*out || !strcmp(value, "false") || !strcmp(value, "0"))
        return true;
    return eddy__api_bad(res, "'%s' must be true, false, 1 or 0", name);
}

json_t *eddy__api_body(struct eddy_request *req, struct eddy_response *res)
{
    size_t len;
    eddy_request_body(req, &len);
    if (len > EDDY__API_BODY_MAX) {
        eddy__api_error(res, 413, "the body is larger than %d bytes", EDDY__API_BODY_MAX);
        return NULL;
    }
    json_t *v;
    int err = eddy_request_json(req, &v);
    if (err == -ENOMSG)
        eddy__api_error(res, 415, "the body must be JSON, sent as Content-Type: application/json");
    else if (err == -ENOMEM)
        eddy__api_error(res, 500, "out of memory");
    else if (err < 0)
        eddy__api_error(res, 400, "invalid JSON: %s", eddy_request_json_error(req));
    return err < 0 ? NULL : v;
}

/* ------------------------------------------------------- body decoding */

int eddy__api_refuse(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, EDDY__API_WHY, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* How many bytes of s, at most max, end on a character boundary (s is
 * UTF-8: jansson checks every string and key). */
static int utf8_prefix(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80) /* s[n]: the next byte, or NUL */
        n--;
    return (int)n;
}

int eddy__api_body_check(const json_t *body, const char *const *keys, char *why)
{
    if (!json_is_object(body))
        return eddy__api_refuse(why, "the body must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value)
    {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], key))
            i++;
        if (!keys[i]) /* quoted in part, cut between characters */
            return eddy__api_refuse(why, "unknown field '%.*s'", utf8_prefix(key, 64), key);
    }
    return 0;
}

int eddy__api_bool_decode(const json_t *body, const char *key, int *out, char *why)
{
    json_t *v = json_object_get(body, key);
    *out = v ? json_is_true(v) : -1;
    return !v || json_is_boolean(v) ? 0 : eddy__api_refuse(why, "'%s' must be true or false", key);
}

/* ------------------------------------------------------------ categories */

static int categories_job(struct eddy_store *s, void *arg)
{
    struct eddy_store_category *c;
    size_t n;
    int err = eddy_store_categories(s, &c, &n);
    if (err < 0)
        return err;
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (json_array_append_new(list, json_pack("{s:s, s:I, s:I}", "name", c[i].name, "feeds",
                                                  (json_int_t)c[i].feeds, "unread",
                                                  (json_int_t)c[i].unread)) < 0)
            json_decref(list), list = NULL;
    eddy_store_categories_free(c, n);
    return eddy__api_dump(list ? json_pack("{s:o}", "categories", list) : NULL, arg);
}

static int v_categories(struct eddy_request *req, struct eddy_response *res)
{
    return eddy__api_get(req, res, categories_job, "category");
}

/* ---------------------------------------------------------------- status */

static int status_job(struct eddy_store *s, void *arg)
{
    struct eddy_store_stats st;
    struct eddy_store_feed *f;
    size_t n;
    int err = eddy_store_stats(s, &st);
    if (err < 0 || (err = eddy_store_feeds(s, &f, &n)) < 0)
        return err;
    json_t *failing = eddy__api_feeds_json(f, n, true);
    eddy_store_feeds_free(f, n);
    json_t *v = !failing
                    ? NULL
                    : json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "feeds",
                                (json_int_t)st.feeds, "dead", (json_int_t)st.dead, "errors",
                                (json_int_t)st.errors, "entries", (json_int_t)st.entries, "unread",
                                (json_int_t)st.unread, "starred", (json_int_t)st.starred,
                                "unindexed", (json_int_t)st.unindexed, "failing", failing);
    return eddy__api_dump(v, arg);
}

static int v_status(struct eddy_request *req, struct eddy_response *res)
{
    return eddy__api_get(req, res, status_job, "feed");
}

/* ------------------------------------------------------------------ OPML */

static int export_job(struct eddy_store *s, void *arg)
{
    struct eddy_store_feed *f;
    size_t n;
    int err = eddy_store_feeds(s, &f, &n);
    if (err < 0)
        return err;
    err = eddy_app_opml_write(f, n, arg);
    eddy_store_feeds_free(f, n);
    return err;
}

static int v_opml_export(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy_buf out = EDDY_BUF_INIT(0);
    if (!eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    int err = eddy_store_run_await(eddy__api_site(req)->store, false, export_job, &out);
    if (err < 0) {
        eddy_buf_free(&out);
        return eddy__api_store_error(res, err, "feed");
    }
    eddy_response_set_status(res, 200);
    err = eddy_response_set_header(res, "Content-Type", "application/xml; charset=utf-8");
    if (!err)
        err = eddy_response_set_header(res, "Content-Disposition",
                                       "attachment; filename=\"eddy.opml\"");
    if (!err)
        err = eddy_response_set_body(res, out.data, out.len);
    eddy_buf_free(&out);
    return err;
}

/* An import: the outlines read off the loop, then stored in one transaction. */
struct import {
    const char *body;
    size_t len;
    struct eddy_store_feed_new *feeds;
    size_t n, cap;
    size_t skipped; /* no http(s) URL */
    int parsed;     /* eddy_app_opml_parse's result */
};

static bool http_url(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

static int import_outline(void *arg, const struct eddy_app_outline *o)
{
    struct import *im = arg;
    if (!http_url(o->url)) {
        im->skipped++;
        return 0;
    }
    if (im->n == OPML_FEEDS_MAX)
        return -E2BIG;
    if (im->n == im->cap) {
        size_t cap = im->cap ? 2 * im->cap : 64;
        void *p = realloc(im->feeds, cap * sizeof *im->feeds);
        if (!p)
            return -ENOMEM;
        im->feeds = p, im->cap = cap;
    }
    struct eddy_store_feed_new *f = &im->feeds[im->n];
    *f = (struct eddy_store_feed_new){.url = strdup(o->url),
                                      .title = o->title ? strdup(o->title) : NULL,
                                      .category = o->category ? strdup(o->category) : NULL,
                                      .guarded = true};
    im->n++; /* counted before the check: import_free frees what was copied */
    if (!f->url || (o->title && !f->title) || (o->category && !f->category))
        return -ENOMEM;
    return 0;
}

static int import_parse(void *arg)
{
    struct import *im = arg;
    return im->parsed = eddy_app_opml_parse(im->body, im->len, import_outline, im);
}

static int import_store(struct eddy_store *s, void *arg)
{
    struct import *im = arg;
    return eddy_store_feeds_add(s, im->feeds, im->n);
}

static void import_free(void *arg)
{
    struct import *im = arg;
    for (size_t i = 0; i < im->n; i++) {
        free((char *)im->feeds[i].url);
        free((char *)im->feeds[i].title);
        free((char *)im->feeds[i].category);
    }
    free(im->feeds);
}

/* The media types an OPML upload may have.  Not the three a cross-site form
 * can send without a CORS preflight (urlencoded, multipart, text/plain). */
static bool opml_type(const char *ct)
{
    static const char *const types[] = {"application/xml", "text/xml", "text/x-opml",
                                        "application/x-opml", "application/opml+xml"};
    if (!ct)
        return false;
    size_t len = strcspn(ct, "; \t");
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (len == strlen(types[i]) && !strncasecmp(ct, types[i], len))
            return true;
    return false;
}

int eddy__opml_import(struct eddy_request *req, const char *body, size_t len,
                      struct eddy__imported *out)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct import *im = eddy_request_alloc(req, sizeof *im);
    if (!im)
        return -ENOMEM;
    *im = (struct import){.body = body, .len = len};
    if (eddy_request_defer(req, import_free, im) < 0)
        return -ENOMEM;
    int err = eddy_to_thread(import_parse, im);
    if (err < 0)
        return err;
    if ((err = eddy_store_run_await(site->store, true, import_store, im)) < 0)
        return err;
    size_t existing = 0;
    for (size_t i = 0; i < im->n; i++)
        existing += im->feeds[i].err == -EEXIST;
    if (err > 0 && site->wake)
        site->wake(site);
    *out = (struct eddy__imported){.found = im->parsed, .added = err, .existing = existing};
    return 0;
}

static int v_opml_import(struct eddy_request *req, struct eddy_response *res)
{
    size_t len;
    const char *body = eddy_request_body(req, &len);
    struct eddy__imported r;
    if (!eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    if (!opml_type(eddy_request_header(req, "Content-Type")))
        return eddy__api_error(res, 415,
                               "an OPML document is sent as Content-Type: "
                               "text/x-opml, application/xml or text/xml");
    if (!len)
        return eddy__api_error(res, 400, "the body is empty: send an OPML document");
    int err = eddy__opml_import(req, body, len, &r);
    if (err == -EBADMSG)
        return eddy__api_error(res, 400, "not an OPML document");
    if (err == -E2BIG)
        return eddy__api_error(res, 413, "more than %d feeds in one document", OPML_FEEDS_MAX);
    if (err < 0)
        return eddy__api_store_error(res, err, "document");
    json_t *v = json_pack("{s:i, s:i, s:I, s:I}", "found", r.found, "added", r.added, "existing",
                          (json_int_t)r.existing, "skipped",
                          (json_int_t)(r.found - r.added - (json_int_t)r.existing));
    char *text;
    return eddy__api_dump(v, &text) < 0 ? -ENOMEM : eddy__api_reply(res, 200, text);
}

/* ----------------------------------------------------------------- parse */

struct parse {
    struct eddy_feed_fetch_result r;
    struct eddy_buf json;
};

static int parse_json(void *arg)
{
    struct parse *p = arg;
    return eddy_feed_to_json(eddy_feed_root(p->r.feed), &p->json);
}

static void parse_free(void *arg)
{
    struct parse *p = arg;
    eddy_feed_fetch_result_clear(&p->r);
    eddy_buf_free(&p->json);
}

/* A URL given over HTTP that eddy may fetch: http(s), printable ASCII with
 * no spaces (an IRI arrives percent-encoded), and not absurdly long. */
bool eddy__api_url_valid(const char *url)
{
    bool ok = http_url(url) && strlen(url) <= EDDY__API_URL_MAX && url[strcspn(url, "/") + 2];
    for (const char *c = url; ok && *c; c++)
        ok = *c > ' ' && *c < 0x7f;
    return ok;
}

bool eddy__api_url_ok(struct eddy_response *res, const char *name, const char *url)
{
    if (eddy__api_url_valid(url))
        return true;
    eddy__api_error(res, 400, "'%s' must be an http or https URL", name);
    return false;
}

int eddy__api_fetch_error(struct eddy_response *res, int err, const char *detail)
{
    if (err == -ECANCELED)
        return err;
    if (err == -EINVAL)
        return eddy__api_error(res, 400, "'url' is no valid http or https URL");
    /* Only a target that answered says more than the generic message. */
    if (err == -EREMOTEIO && detail)
        return eddy__api_error(res, 502, "could not fetch: %s", detail);
    return eddy__api_error(res, 502, "could not fetch");
}

static void fetch_slot_release(void *slots)
{
    eddy_sem_release(slots);
}

EDDY_AWAITS int eddy__fetch_slot(struct eddy_request *req)
{
    struct eddy_sem *slots = eddy__api_site(req)->fetch_slots;
    int err = slots ? eddy_sem_acquire(slots, eddy_deadline_in(FETCH_WAIT)) : 0;
    if (err == -ETIMEDOUT)
        return -EBUSY;
    if (err < 0 || !slots)
        return err;
    if ((err = eddy_request_defer(req, fetch_slot_release, slots)) < 0)
        eddy_sem_release(slots);
    return err;
}

int eddy__api_busy(struct eddy_response *res)
{
    eddy_response_set_header(res, "Retry-After", FETCH_RETRY_AFTER);
    return eddy__api_error(res, 503, "%d documents are being fetched; try again later",
                           FETCH_SLOTS);
}

static int v_parse(struct eddy_request *req, struct eddy_response *res)
{
    static const char *const names[] = {"url"};
    const char *url;
    if (!eddy__api_query(req, res, names, &url, 1))
        return 0;
    if (!url)
        return eddy__api_error(res, 400, "'url' is required: /api/v1/parse?url=...");
    if (!eddy__api_url_ok(res, "url", url))
        return 0;
    int err = eddy__fetch_slot(req);
    if (err < 0)
        return err == -EBUSY ? eddy__api_busy(res) : err;
    struct parse *p = eddy_request_alloc(req, sizeof *p);
    if (!p)
        return -ENOMEM;
    *p = (struct parse){.json = EDDY_BUF_INIT(0)};
    if (eddy_request_defer(req, parse_free, p) < 0)
        return -ENOMEM;
    err = eddy_feed_fetch(eddy__api_site(req)->guarded,
                          &(struct eddy_feed_fetch_opts){
                              .url = url, .timeout_ns = FETCH_TIMEOUT, .max_body = PARSE_MAX},
                          &p->r);
    /* Not a feed: feedparser's answer all the same (bozo says why). */
    if (err < 0 && !(err == -EBADMSG && p->r.feed))
        return eddy__api_fetch_error(res, err, p->r.error);
    if (!p->r.feed)
        return eddy__api_fetch_error(res, -EIO, NULL);
    if ((err = eddy_to_thread(parse_json, p)) < 0)
        return err;
    eddy_response_set_status(res, 200);
    err = eddy_response_set_header(res, "Content-Type", "application/json");
    return err ? err : eddy_response_set_body(res, p->json.data, p->json.len);
}

/* ---------------------------------------------------------------- errors */

/* The framework's own errors (404 no route, 405 wrong method, 500 a view
 * that failed) on an API path answer JSON too; other paths keep the
 * framework's (a failing error view falls back to its plain text). */
static int v_error(struct eddy_request *req, struct eddy_response *res)
{
    if (strncmp(eddy_request_path(req), "/api/", 5))
        return -ENOENT;
    int status = eddy_response_status(res);
    return eddy__api_error(res, status, "%s", eddy_http_reason(status));
}

/* The loop's /parse slots, beside the site its earlier startup hook made. */
static int fetch_slots_new(struct eddy_app *web, void **loop_data)
{
    (void)web;
    struct eddy__site *site = *loop_data;
    if (!site)
        return -EINVAL;
    return (site->fetch_slots = eddy_sem_new(FETCH_SLOTS)) ? 0 : -ENOMEM;
}

static void fetch_slots_free(struct eddy_app *web, void *loop_data)
{
    (void)web;
    struct eddy__site *site = loop_data;
    if (site) {
        eddy_sem_free(site->fetch_slots);
        site->fetch_slots = NULL;
    }
}

int eddy__api_routes(struct eddy_app *web)
{
    static const struct eddy__api_route routes[] = {
        {"GET", "/categories", v_categories, "categories"},
        {"GET", "/status", v_status, "status"},
        {"GET", "/opml", v_opml_export, "opml_export"},
        {"POST", "/opml", v_opml_import, "opml_import"},
        {"GET", "/parse", v_parse, "parse"},
    };
    struct eddy_blueprint *bp = eddy_blueprint_new("api");
    if (!bp)
        return -errno;
    int err = eddy__api_feed_routes(bp);
    if (!err)
        err = eddy__api_entry_routes(bp);
    if (!err)
        err = eddy__api_add_routes(bp, routes, sizeof routes / sizeof routes[0]);
    if (!err)
        err = eddy_app_register(web, bp, "/api/v1");
    eddy_blueprint_free(bp);
    if (!err)
        err = eddy_app_error_handler(web, 0, v_error);
    if (!err)
        err = eddy_app_on_startup(web, fetch_slots_new);
    if (!err)
        err = eddy_app_on_shutdown(web, fetch_slots_free);
    return err;
}
