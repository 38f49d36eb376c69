/*
 * pages_entry.c — one entry's page, /entries/<id> (a permalink: its text,
 * its enclosures as players, its marks), its text alone as a fragment for
 * the river (/entries/<id>/content), and one feed's, /feeds/<id> (how
 * its fetches go, its entries a page at a time, its forms).
 *
 * Same rules as the river (pages.c): the store is read on the pool, the
 * entry's HTML is sanitized there, every feed-supplied URL goes through the
 * templates' |url filter.  Opening an entry's page marks it read, as
 * Miniflux does: only for a request that may change state (auth.c), and
 * through the same store call as the mark forms — but not when its own
 * forms come back to it (?keep=1), or "Mark unread" would undo itself.
 */
#include "pages.h"
#include "river.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *feed_name(const struct eddy_store_feed *f)
{
    return f->title && *f->title ? f->title : f->url;
}

static void ctx_free(void *ctx)
{
    json_decref(ctx);
}

/* 16044 -> "16 KB", as a person reads a file's size. */
static void size_text(int64_t n, char *out, size_t size)
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB"};
    double v = (double)n;
    size_t u = 0;
    while (v >= 1000 && u < sizeof units / sizeof units[0] - 1)
        v /= 1000, u++;
    snprintf(out, size, u && v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* What plays an enclosure: its MIME type's, else its file name's. */
static const char *media_kind(const char *type, const char *url)
{
    static const struct {
        const char *ext, *kind;
    } exts[] = {{".mp3", "audio"}, {".m4a", "audio"},  {".aac", "audio"},  {".ogg", "audio"},
                {".oga", "audio"}, {".opus", "audio"}, {".wav", "audio"},  {".flac", "audio"},
                {".mp4", "video"}, {".m4v", "video"},  {".webm", "video"}, {".mov", "video"},
                {".ogv", "video"}};
    if (type && *type)
        return !strncasecmp(type, "audio/", 6)   ? "audio"
               : !strncasecmp(type, "video/", 6) ? "video"
                                                 : "file";
    size_t n = strcspn(url, "?#");
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t len = strlen(exts[i].ext);
        if (n > len && !strncasecmp(url + n - len, exts[i].ext, len))
            return exts[i].kind;
    }
    return "file";
}

static json_t *enclosure_json(const struct eddy_store_enclosure *x)
{
    char size[32] = "";
    if (x->length > 0)
        size_text(x->length, size, sizeof size);
    /* its name: the path's last segment ("" when none: the page says "the file") */
    size_t end = strcspn(x->url, "?#"), start = end;
    while (start > 0 && x->url[start - 1] != '/')
        start--;
    return json_pack("{s:s, s:s?, s:s, s:s%, s:s?}", "url", x->url, "type", x->type, "kind",
                     media_kind(x->type, x->url), "name", x->url + start, end - start, "size",
                     *size ? size : NULL);
}

/* ------------------------------------------------------------ an entry */

struct entry_page {
    int64_t id, now;
    bool read;   /* out: it was read before this request */
    json_t *ctx; /* out */
};

static int entry_job(struct eddy_store *s, void *arg)
{
    struct entry_page *p = arg;
    struct eddy_store_entry e;
    struct eddy_store_feed f = {0};
    int err = eddy_store_entry(s, p->id, &e);
    if (err < 0)
        return err;
    if ((err = eddy_store_feed(s, e.feed_id, &f)) == -ENOENT) /* removed meanwhile */
        err = 0;
    /* Invalid UTF-8 another program stored is shown as U+FFFD (river.h). */
    err = err ? err : eddy__app_entry_utf8(&e);
    err = err ? err : eddy__app_feed_utf8(&f);
    const char *html = e.content && *e.content ? e.content : e.summary;
    char *content = html && *html ? eddy__pages_safe_html(html) : NULL;
    char ago[64];
    eddy__pages_ago(p->now, e.date, ago, sizeof ago);
    json_t *enc = json_array();
    for (size_t i = 0; enc && i < e.nenclosures; i++)
        if (json_array_append_new(enc, enclosure_json(&e.enclosures[i])) < 0)
            json_decref(enc), enc = NULL;
    json_t *ctx = NULL;
    if (!err && (content || !html || !*html))
        ctx = json_pack("{s:{s:I, s:s?, s:s?, s:s?, s:I, s:s, s:s?, s:b, s:b, s:I}, s:{s:I, s:s?, "
                        "s:s?}, s:o, s:s}",
                        "entry", "id", (json_int_t)e.id, "title",
                        e.title && *e.title ? e.title : NULL, "link", e.link, "author", e.author,
                        "date", (json_int_t)e.date, "ago", ago, "content", content, "read", e.read,
                        "starred", e.starred, "feed_id", (json_int_t)e.feed_id, "feed", "id",
                        (json_int_t)e.feed_id, "name", f.url ? feed_name(&f) : NULL, "site_link",
                        f.site_link, "enclosures", enc, "page", "entry");
    else
        json_decref(enc);
    p->read = e.read;
    free(content);
    eddy_store_entry_fini(&e);
    eddy_store_feed_fini(&f);
    if (err < 0)
        return err;
    return (p->ctx = ctx) ? 0 : -ENOMEM;
}

static int entry_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct entry_page p = {.id = eddy_request_param_int(req, "id"), .now = time(NULL)};
    const char *csrf = eddy__pages_csrf(req, res);
    if (!csrf)
        return -ENOMEM;
    int err = eddy_store_run_await(site->store, false, entry_job, &p);
    if (err == -ENOENT)
        return eddy_response_error(res, 404, "no such entry");
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    if ((err = eddy_request_defer(req, ctx_free, p.ctx)) < 0)
        return err;
    /* Opened: read.  A failure leaves it unread and the page still shown. */
    const char *keep = eddy_request_arg(req, "keep");
    bool marked = !p.read && !(keep && !strcmp(keep, "1")) && eddy__authorized(site, req) &&
                  eddy_store_mark_await(site->store, &p.id, 1, EDDY_STORE_READ, true) > 0;
    if (marked)
        json_object_set_new(json_object_get(p.ctx, "entry"), "read", json_true());
    char here[64];
    snprintf(here, sizeof here, "/entries/%" PRId64 "?keep=1", p.id);
    if (json_object_set_new(p.ctx, "csrf", json_string(csrf)) < 0 ||
        json_object_set_new(p.ctx, "here", json_string(here)) < 0 ||
        json_object_set_new(p.ctx, "marked", json_boolean(marked)) < 0 ||
        eddy__pages_login_ctx(req, p.ctx) < 0)
        return -ENOMEM;
    return eddy_render(res, "entry.html", p.ctx);
}

/* ---------------------------------------------------- an entry's text */

struct entry_text {
    int64_t id;
    char *html; /* out: malloc'ed */
};

static int text_job(struct eddy_store *s, void *arg)
{
    struct entry_text *t = arg;
    struct eddy_store_entry e;
    int err = eddy_store_entry(s, t->id, &e);
    if (err < 0)
        return err;
    /* what the entry's page shows (its strings made UTF-8 first) */
    err = eddy__app_entry_utf8(&e);
    const char *html = e.content && *e.content ? e.content : e.summary;
    t->html = err ? NULL : eddy__pages_safe_html(html ? html : "");
    eddy_store_entry_fini(&e);
    return t->html ? 0 : -ENOMEM;
}

/* GET /entries/ID/content: the entry's text as the entry's page shows it
 * (sanitized, contained), a fragment the river's eddy.js puts in place
 * when the entry is expanded; under every page's CSP. */
static int text_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct entry_text t = {.id = eddy_request_param_int(req, "id")};
    int err = eddy_store_run_await(site->store, false, text_job, &t);
    if (err == -ENOENT)
        return eddy_response_error(res, 404, "no such entry");
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    err = eddy_response_html(res, 200, t.html);
    free(t.html);
    return err;
}

/* -------------------------------------------------------------- a feed */

struct feed_page {
    int64_t id, now;
    struct eddy_store_cursor after;
    bool paged;
    json_t *ctx; /* out */
};

static int feed_job(struct eddy_store *s, void *arg)
{
    struct feed_page *p = arg;
    struct eddy_store_feed f;
    struct eddy_store_page page = {0};
    int err = eddy_store_feed(s, p->id, &f);
    if (err < 0)
        return err;
    err = eddy_store_entries(
        s, &(struct eddy_store_query){.feed_id = p->id, .after = p->paged ? &p->after : NULL},
        &page);
    err = err ? err : eddy__app_feed_utf8(&f);
    for (size_t i = 0; !err && i < page.n; i++)
        err = eddy__app_entry_utf8(&page.entries[i]);
    json_t *list = json_array();
    for (size_t i = 0; !err && list && i < page.n; i++) {
        const struct eddy_store_entry *e = &page.entries[i];
        char ago[64];
        eddy__pages_ago(p->now, e->date, ago, sizeof ago);
        const char *excerpt = e->summary && *e->summary ? e->summary : e->content;
        if (json_array_append_new(
                list, json_pack("{s:I, s:s?, s:s?, s:I, s:s, s:s?, s:b, s:b}", "id",
                                (json_int_t)e->id, "title", e->title && *e->title ? e->title : NULL,
                                "link", e->link, "date", (json_int_t)e->date, "ago", ago, "excerpt",
                                excerpt, "read", e->read, "starred", e->starred)) < 0)
            json_decref(list), list = NULL;
    }
    char next[40];
    eddy__cursor_format(&page.next, next);
    json_t *ctx = err < 0 || !list ? NULL
                                   : json_pack("{s:o, s:O, s:s?, s:b, s:s, s:s}", "feed",
                                               eddy__pages_feed_json(&f, p->now), "entries", list,
                                               "next", page.more ? next : NULL, "paged", p->paged,
                                               "name", feed_name(&f), "page", "feed");
    json_decref(list);
    eddy_store_page_fini(&page);
    eddy_store_feed_fini(&f);
    if (err < 0)
        return err;
    return (p->ctx = ctx) ? 0 : -ENOMEM;
}

static int feed_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct feed_page p = {.id = eddy_request_param_int(req, "id"), .now = time(NULL)};
    const char *after = eddy_request_arg(req, "after");
    if (after && *after && !(p.paged = eddy__cursor_parse(after, &p.after)))
        return eddy_response_error(res, 400, "'after' is not a page this feed gave");
    const char *csrf = eddy__pages_csrf(req, res);
    if (!csrf)
        return -ENOMEM;
    int err = eddy_store_run_await(site->store, false, feed_job, &p);
    if (err == -ENOENT)
        return eddy_response_error(res, 404, "no such feed");
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    if ((err = eddy_request_defer(req, ctx_free, p.ctx)) < 0)
        return err;
    const char *msg = eddy_request_arg(req, "msg");
    if (json_object_set_new(p.ctx, "csrf", json_string(csrf)) < 0 ||
        json_object_set_new(p.ctx, "msg", msg ? json_string(msg) : json_null()) < 0 ||
        eddy__pages_login_ctx(req, p.ctx) < 0)
        return -ENOMEM;
    return eddy_render(res, "feed.html", p.ctx);
}

int eddy__pages_entry_routes(struct eddy_app *web)
{
    int err = eddy_app_route(web, "GET", "/entries/<int:id>", entry_view, "entry_page");
    err = err ? err
              : eddy_app_route(web, "GET", "/entries/<int:id>/content", text_view, "entry_text");
    return err ? err : eddy_app_route(web, "GET", "/feeds/<int:id>", feed_view, "feed_page");
}
