/*
 * pages_feeds.c — /feeds: the subscriptions with how their fetches went
 * (the feed doctor's first view: last status, error, next check, errors in
 * a row, the parser's repairs), and the forms that add (with discovery,
 * through the SSRF guard: eddy__subscribe, as the API), rename,
 * categorize, refresh now and remove.  Each form answers 303 back to
 * /feeds with a `msg` code the page turns into a sentence.
 */
#include "api.h"
#include "pages.h"
#include "river.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define URL_MAX 2048

struct list {
    int64_t now;
    json_t *ctx; /* out */
};

json_t *eddy__pages_feed_json(const struct eddy_store_feed *f, int64_t now)
{
    char checked[64] = "never", next[64] = "now";
    if (f->last_check)
        eddy__pages_ago(now, f->last_check, checked, sizeof checked);
    if (f->dead)
        snprintf(next, sizeof next, "never (gone)");
    else if (f->next_check > now)
        eddy__pages_ago(now, f->next_check, next, sizeof next);
    return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:i, s:s?, s:i, s:s, s:I, s:s, s:I, s:s?, "
                     "s:b, s:I, s:I}",
                     "id", (json_int_t)f->id, "url", f->url, "title", f->title, "site_link",
                     f->site_link, "category", f->category, "last_status", f->last_status,
                     "last_error", f->last_error, "consecutive_errors", f->consecutive_errors,
                     "checked", checked, "last_check", (json_int_t)f->last_check, "next", next,
                     "next_check", (json_int_t)f->next_check, "repairs", f->repairs, "dead",
                     f->dead, "count_200", (json_int_t)f->count_200, "count_304",
                     (json_int_t)f->count_304);
}

static int list_job(struct eddy_store *s, void *arg)
{
    struct list *l = arg;
    struct eddy_store_feed *f;
    size_t n;
    int err = eddy_store_feeds(s, &f, &n);
    if (err < 0)
        return err;
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if (eddy__app_feed_utf8(&f[i]) < 0 || /* as pages_entry.c's feed_job */
            json_array_append_new(list, eddy__pages_feed_json(&f[i], l->now)) < 0)
            json_decref(list), list = NULL;
    eddy_store_feeds_free(f, n);
    l->ctx = list ? json_pack("{s:o}", "feeds", list) : NULL;
    return l->ctx ? 0 : -ENOMEM;
}

static void ctx_free(void *ctx)
{
    json_decref(ctx);
}

static int feeds_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct list l = {.now = time(NULL)};
    const char *csrf = eddy__pages_csrf(req, res);
    if (!csrf)
        return -ENOMEM;
    int err = eddy_store_run_await(site->store, false, list_job, &l);
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    if ((err = eddy_request_defer(req, ctx_free, l.ctx)) < 0)
        return err;
    const char *msg = eddy_request_arg(req, "msg"), *n = eddy_request_arg(req, "n");
    const char *existing = eddy_request_arg(req, "existing");
    if (json_object_set_new(l.ctx, "csrf", json_string(csrf)) < 0 ||
        json_object_set_new(l.ctx, "page", json_string("feeds")) < 0 ||
        json_object_set_new(l.ctx, "msg", msg ? json_string(msg) : json_null()) < 0 ||
        json_object_set_new(l.ctx, "n", n ? json_string(n) : json_null()) < 0 ||
        json_object_set_new(l.ctx, "existing", existing ? json_string(existing) : json_null()) <
            0 ||
        eddy__pages_login_ctx(req, l.ctx) < 0)
        return -ENOMEM;
    return eddy_render(res, "feeds.html", l.ctx);
}

static int back(struct eddy_response *res, const char *msg)
{
    char to[64];
    snprintf(to, sizeof to, "/feeds?msg=%s", msg);
    return eddy_response_redirect(res, 303, to);
}

/* A URL a person typed: http(s), printable ASCII, bounded. */
static bool url_ok(const char *url)
{
    size_t n = url ? strlen(url) : 0;
    if (!n || n > URL_MAX || (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f)
            return false;
    return true;
}

/* A form's text: NULL for absent or "" (no title, uncategorized). */
static const char *text(const struct eddy_form *form, const char *name)
{
    const char *v = eddy_form_value(form, name);
    return v && *v ? v : NULL;
}

static int add_view(struct eddy_request *req, struct eddy_response *res)
{
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    struct eddy_store_feed_new feed = {.url = text(form, "url"),
                                       .category = text(form, "category")};
    if (!url_ok(feed.url))
        return back(res, "badurl");
    if (feed.category && strlen(feed.category) > EDDY__API_CATEGORY_MAX)
        return back(res, "toolong");
    bool fetched;
    const char *detail;
    int err = eddy__subscribe(req, &feed, &fetched, &detail);
    if (err == -EEXIST)
        return back(res, "exists");
    if (err == -EBUSY)
        return back(res, "busy");
    if (err == -ENOENT && !fetched)
        return back(res, "nofeed");
    if (err < 0)
        return back(res, fetched ? "fetch" : "error");
    return back(res, "added");
}

/* POST /feeds/import: an OPML file uploaded (multipart, field "opml"). */
static int import_view(struct eddy_request *req, struct eddy_response *res)
{
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    const struct eddy_form_field *file = NULL;
    for (size_t i = 0; i < eddy_form_count(form) && !file; i++)
        if (!strcmp(eddy_form_field(form, i)->name, "opml"))
            file = eddy_form_field(form, i);
    if (!file || !file->value_len)
        return back(res, "noopml");
    struct eddy__imported r;
    int err = eddy__opml_import(req, file->value, file->value_len, &r);
    if (err == -EBADMSG)
        return back(res, "noopml");
    if (err == -E2BIG)
        return back(res, "toolong");
    if (err < 0)
        return back(res, "error");
    char to[80];
    snprintf(to, sizeof to, "/feeds?msg=imported&n=%d&existing=%zu", r.added, r.existing);
    return eddy_response_redirect(res, 303, to);
}

/* One feed changed: renamed and categorized, refreshed, or removed. */
struct change {
    int64_t id;
    enum { EDIT, REFRESH, REMOVE } what;
    const char *title, *category;
    const char *back; /* the page to return to (a feed's page); NULL: /feeds */
};

static int change_job(struct eddy_store *s, void *arg)
{
    struct change *c = arg;
    int err;
    switch (c->what) {
    case EDIT:
        err = eddy_store_feed_set_title(s, c->id, c->title);
        return err ? err : eddy_store_feed_set_category(s, c->id, c->category);
    case REFRESH: return eddy_store_feed_set_next_check(s, c->id, 0);
    default: return eddy_store_feed_remove(s, c->id);
    }
}

static int change(struct eddy_request *req, struct eddy_response *res, struct change *c,
                  const char *done)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    c->id = eddy_request_param_int(req, "id");
    int err = eddy_store_run_await(site->store, true, change_job, c);
    if (err == -ENOENT)
        return back(res, "nosuch");
    if (err < 0)
        return back(res, "error");
    if (c->what == REFRESH && site->wake)
        site->wake(site);
    return c->back ? eddy__pages_back(res, c->back, "/feeds") : back(res, done);
}

static int edit_view(struct eddy_request *req, struct eddy_response *res)
{
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    struct change c = {.what = EDIT,
                       .title = text(form, "title"),
                       .category = text(form, "category"),
                       .back = text(form, "back")};
    if ((c.title && strlen(c.title) > EDDY__API_TITLE_MAX) ||
        (c.category && strlen(c.category) > EDDY__API_CATEGORY_MAX))
        return back(res, "toolong");
    return change(req, res, &c, "saved");
}

static int refresh_view(struct eddy_request *req, struct eddy_response *res)
{
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    return change(req, res, &(struct change){.what = REFRESH, .back = text(form, "back")},
                  "refreshing");
}

static int remove_view(struct eddy_request *req, struct eddy_response *res)
{
    if (!eddy__pages_post(req, res))
        return 0;
    return change(req, res, &(struct change){.what = REMOVE}, "removed");
}

int eddy__pages_feed_routes(struct eddy_app *web)
{
    int err = eddy_app_route(web, "GET", "/feeds", feeds_view, "feeds");
    err = err ? err : eddy_app_route(web, "POST", "/feeds/add", add_view, "feed_add");
    err = err ? err : eddy_app_route(web, "POST", "/feeds/import", import_view, "feed_import");
    err = err ? err : eddy_app_route(web, "POST", "/feeds/<int:id>/edit", edit_view, "feed_edit");
    err =
        err ? err
            : eddy_app_route(web, "POST", "/feeds/<int:id>/refresh", refresh_view, "feed_refresh");
    return err ? err
               : eddy_app_route(web, "POST", "/feeds/<int:id>/remove", remove_view, "feed_remove");
}
