/*
 * api_feeds.c — /api/v1/feeds: list, subscribe (with discovery, through the
 * SSRF guard), show, rename and categorize, unsubscribe, refresh now.
 */
#include "api.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIND_TIMEOUT (15 * EDDY_SEC)

json_t *eddy__api_feed_json(const struct eddy_store_feed *f)
{
    return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:b, s:b, s:i, s:s?, s:i, s:I, s:I, s:I, s:I, "
                     "s:s?, s:I}",
                     "id", (json_int_t)f->id, "url", f->url, "title", f->title, "site_link",
                     f->site_link, "category", f->category, "guarded", f->guarded, "dead", f->dead,
                     "last_status", f->last_status, "last_error", f->last_error,
                     "consecutive_errors", f->consecutive_errors, "last_check",
                     (json_int_t)f->last_check, "next_check", (json_int_t)f->next_check,
                     "count_200", (json_int_t)f->count_200, "count_304", (json_int_t)f->count_304,
                     "repairs", f->repairs, "min_interval", (json_int_t)f->min_interval);
}

json_t *eddy__api_feeds_json(const struct eddy_store_feed *f, size_t n, bool failing)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        if ((!failing || f[i].last_error || f[i].dead) &&
            json_array_append_new(list, eddy__api_feed_json(&f[i])) < 0)
            json_decref(list), list = NULL;
    return list;
}

static int list_job(struct eddy_store *s, void *arg)
{
    struct eddy_store_feed *f;
    size_t n;
    int err = eddy_store_feeds(s, &f, &n);
    if (err < 0)
        return err;
    json_t *list = eddy__api_feeds_json(f, n, false);
    eddy_store_feeds_free(f, n);
    return eddy__api_dump(list ? json_pack("{s:o}", "feeds", list) : NULL, arg);
}

static int v_list(struct eddy_request *req, struct eddy_response *res)
{
    return eddy__api_get(req, res, list_job, "feed");
}

/* One feed: changed as asked (PATCH, refresh), then read back as JSON. */
struct feed_job {
    int64_t id;
    bool set_title, set_category, refresh;
    const char *title, *category;
    char *text; /* out */
};

static int feed_job(struct eddy_store *s, void *arg)
{
    struct feed_job *j = arg;
    int err = 0;
    if (j->set_title)
        err = eddy_store_feed_set_title(s, j->id, j->title);
    if (!err && j->set_category)
        err = eddy_store_feed_set_category(s, j->id, j->category);
    if (!err && j->refresh)
        err = eddy_store_feed_set_next_check(s, j->id, 0);
    struct eddy_store_feed f = {0};
    if (err < 0 || (err = eddy_store_feed(s, j->id, &f)) < 0)
        return err;
    err = eddy__api_dump(eddy__api_feed_json(&f), &j->text);
    eddy_store_feed_fini(&f);
    return err;
}

static int run_feed_job(struct eddy_request *req, struct eddy_response *res, struct feed_job *j,
                        int status)
{
    if (!eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    struct eddy__site *site = eddy__api_site(req);
    bool writes = j->set_title || j->set_category || j->refresh;
    int err = eddy_store_run_await(site->store, writes, feed_job, j);
    if (err < 0)
        return eddy__api_store_error(res, err, "feed");
    if (j->refresh && site->wake)
        site->wake(site);
    return eddy__api_reply(res, status, j->text);
}

/* body[key]: absent (*set false), null or a string of at most max bytes
 * ("" counts as null: no title, uncategorized). */
static int text_decode(const json_t *body, const char *key, size_t max, bool *set, const char **out,
                       char *why)
{
    json_t *v = json_object_get(body, key);
    *set = v != NULL;
    *out = json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
    if (v && !json_is_null(v) && !json_is_string(v))
        return eddy__api_refuse(why, "'%s' must be a string or null", key);
    if (*out && json_string_length(v) > max) /* (the framework refuses \u0000) */
        return eddy__api_refuse(why, "'%s' must be at most %zu bytes", key, max);
    return 0;
}

int eddy__api_feed_patch_decode(const json_t *body, struct eddy__api_feed_patch *out, char *why)
{
    static const char *const keys[] = {"title", "category", NULL};
    *out = (struct eddy__api_feed_patch){0};
    int err = eddy__api_body_check(body, keys, why);
    if (!err)
        err = text_decode(body, "title", EDDY__API_TITLE_MAX, &out->set_title, &out->title, why);
    if (!err)
        err = text_decode(body, "category", EDDY__API_CATEGORY_MAX, &out->set_category,
                          &out->category, why);
    if (!err && !out->set_title && !out->set_category)
        err = eddy__api_refuse(why, "nothing to change: give 'title' or 'category'");
    return err;
}

int eddy__api_feed_add_decode(const json_t *body, struct eddy__api_feed_add *out, char *why)
{
    static const char *const keys[] = {"url", "title", "category", NULL};
    *out = (struct eddy__api_feed_add){0};
    bool set;
    int err = eddy__api_body_check(body, keys, why);
    if (err)
        return err;
    json_t *url = json_object_get(body, "url");
    if (!json_is_string(url))
        return eddy__api_refuse(why, "'url' is required, a string");
    if (!eddy__api_url_valid(json_string_value(url)))
        return eddy__api_refuse(why, "'url' must be an http or https URL");
    if ((err = text_decode(body, "title", EDDY__API_TITLE_MAX, &set, &out->title, why)) ||
        (err = text_decode(body, "category", EDDY__API_CATEGORY_MAX, &set, &out->category, why)))
        return err;
    out->url = json_string_value(url);
    return 0;
}

static int v_show(struct eddy_request *req, struct eddy_response *res)
{
    struct feed_job j = {.id = eddy_request_param_int(req, "id")};
    return run_feed_job(req, res, &j, 200);
}

static int v_patch(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__api_feed_patch p;
    char why[EDDY__API_WHY];
    json_t *body = eddy__api_body(req, res);
    if (!body)
        return 0;
    if (eddy__api_feed_patch_decode(body, &p, why) < 0)
        return eddy__api_error(res, 400, "%s", why);
    struct feed_job j = {.id = eddy_request_param_int(req, "id"),
                         .set_title = p.set_title,
                         .set_category = p.set_category,
                         .title = p.title,
                         .category = p.category};
    return run_feed_job(req, res, &j, 200);
}

static int v_refresh(struct eddy_request *req, struct eddy_response *res)
{
    struct feed_job j = {.id = eddy_request_param_int(req, "id"), .refresh = true};
    return run_feed_job(req, res, &j, 202);
}

static int remove_job(struct eddy_store *s, void *arg)
{
    return eddy_store_feed_remove(s, *(int64_t *)arg);
}

static int v_remove(struct eddy_request *req, struct eddy_response *res)
{
    int64_t id = eddy_request_param_int(req, "id");
    if (!eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    int err = eddy_store_run_await(eddy__api_site(req)->store, true, remove_job, &id);
    if (err < 0)
        return eddy__api_store_error(res, err, "feed");
    eddy_response_set_status(res, 204);
    return 0;
}

/* ------------------------------------------------------------- subscribe */

static int exists_job(struct eddy_store *s, void *arg)
{
    struct eddy_store_feed_new *feed = arg;
    struct eddy_store_feed f;
    int err = eddy_store_feed_by_url(s, feed->url, &f);
    if (err == 0)
        feed->id = f.id, feed->err = -EEXIST;
    eddy_store_feed_fini(&f);
    return err == -ENOENT ? 0 : err;
}

static int add_job(struct eddy_store *s, void *arg)
{
    int err = eddy_store_feeds_add(s, arg, 1);
    return err < 0 ? err : 0;
}

static void found_clear(void *arg)
{
    eddy_app_found_clear(arg);
}

int eddy__subscribe(struct eddy_request *req, struct eddy_store_feed_new *feed, bool *fetched,
                    const char **detail)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    *fetched = false, *detail = NULL;
    feed->guarded = true, feed->err = 0;
    /* Subscribed already under the URL given: no fetch needed to say so. */
    int err = eddy_store_run_await(site->store, false, exists_job, feed);
    if (err < 0 || feed->err < 0)
        return err < 0 ? err : feed->err;
    struct eddy_app_found *found = eddy_request_alloc(req, sizeof *found);
    if (!found)
        return -ENOMEM;
    *found = (struct eddy_app_found){0};
    if (eddy_request_defer(req, found_clear, found) < 0)
        return -ENOMEM;
    if ((err = eddy__fetch_slot(req)) < 0)
        return err;
    err = eddy_app_find_feed(site->guarded, feed->url, FIND_TIMEOUT, found);
    if (err < 0) {
        *fetched = err != -ENOENT, *detail = found->error;
        return err;
    }
    feed->url = found->url;
    if ((err = eddy_store_run_await(site->store, true, add_job, feed)) < 0 || feed->err < 0)
        return err < 0 ? err : feed->err;
    if (site->wake)
        site->wake(site);
    return 0;
}

static int conflict(struct eddy_response *res, int64_t id)
{
    json_t *v = json_pack("{s:s, s:I}", "error", "already subscribed", "id", (json_int_t)id);
    int err = v ? eddy_response_json(res, 409, v) : -ENOMEM;
    json_decref(v);
    return err;
}

static int v_add(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__api_feed_add add;
    bool fetched;
    const char *detail;
    char why[EDDY__API_WHY];
    json_t *body = eddy__api_body(req, res);
    if (!body || !eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    if (eddy__api_feed_add_decode(body, &add, why) < 0)
        return eddy__api_error(res, 400, "%s", why);
    struct eddy_store_feed_new feed = {
        .url = add.url, .title = add.title, .category = add.category};
    int err = eddy__subscribe(req, &feed, &fetched, &detail);
    if (err == -EEXIST)
        return conflict(res, feed.id);
    if (err == -EBUSY)
        return eddy__api_busy(res);
    if (err == -ENOENT && !fetched)
        return eddy__api_error(res, 422, "no feed at this URL, and the page announces none");
    if (err < 0)
        return fetched ? eddy__api_fetch_error(res, err, detail)
                       : eddy__api_store_error(res, err, "feed");
    char location[64];
    snprintf(location, sizeof location, "/api/v1/feeds/%" PRId64, feed.id);
    eddy_response_set_header(res, "Location", location);
    struct feed_job j = {.id = feed.id};
    return run_feed_job(req, res, &j, 201);
}

int eddy__api_feed_routes(struct eddy_blueprint *bp)
{
    static const struct eddy__api_route routes[] = {
        {"GET", "/feeds", v_list, "feeds"},
        {"POST", "/feeds", v_add, "feed_add"},
        {"GET", "/feeds/<int:id>", v_show, "feed"},
        {"PATCH", "/feeds/<int:id>", v_patch, "feed_patch"},
        {"DELETE", "/feeds/<int:id>", v_remove, "feed_remove"},
        {"POST", "/feeds/<int:id>/refresh", v_refresh, "feed_refresh"},
    };
    return eddy__api_add_routes(bp, routes, sizeof routes / sizeof routes[0]);
}
