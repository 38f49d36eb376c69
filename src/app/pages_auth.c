/*
 * pages_auth.c — the pages' login (GET/POST /login, POST /logout), the gate
 * that sends a visitor without one there, and /settings: the refresh
 * interval and the password (set, change, remove).  The password, the
 * sessions and the checks are auth.c's.
 *
 * With a password set, every page needs a login but /login, /static/,
 * /demo/ and /metrics; /api/ answers 401 itself (auth.c); the merged feeds
 * (/feeds/river.atom, .json) take a session or the API token (Bearer) and
 * answer 401, not a redirect, without one: their readers are programs.
 */
#include "pages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NEXT_MAX 2048 /* bytes of the page to go back to after the login */

static bool open_path(const char *p)
{
    return !strcmp(p, "/login") || !strncmp(p, "/static/", 8) || !strncmp(p, "/demo/", 6) ||
           !strncmp(p, "/api/", 5) || !strcmp(p, "/metrics");
}

/* Before every request: with a password set, no page without a login. */
static int gate(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const char *path = eddy_request_path(req);
    if (!site || !eddy__auth_required(site) || open_path(path) || eddy__authorized(site, req))
        return 0;
    if (!strcmp(path, "/feeds/river.atom") || !strcmp(path, "/feeds/river.json")) {
        int err = eddy_response_error(res, 401, "log in, or send Authorization: Bearer TOKEN");
        return err ? err
                   : eddy_response_set_header(res, "WWW-Authenticate", "Bearer realm=\"eddy\"");
    }
    const char *m = eddy_request_method(req);
    if (strcmp(m, "GET") && strcmp(m, "HEAD"))
        return eddy_response_error(res, 403, "not logged in");
    /* Back to this page after the login: its path and query, encoded. */
    struct eddy_buf here = EDDY_BUF_INIT(0), to = EDDY_BUF_INIT(0);
    const char *q = eddy_request_query(req);
    int err = eddy_url_encode(path, strlen(path), "/-._~", false, &here);
    err = err || !*q ? err : eddy_buf_printf(&here, "?%s", q);
    err = err ? err : eddy_buf_puts(&to, "/login");
    if (!err && strcmp(eddy_buf_cstr(&here), "/") && here.len <= NEXT_MAX) {
        err = eddy_buf_puts(&to, "?next=");
        err = err ? err : eddy_url_encode(here.data, here.len, NULL, false, &to);
    }
    err = err ? err : eddy_response_redirect(res, 303, eddy_buf_cstr(&to));
    eddy_buf_free(&here);
    eddy_buf_free(&to);
    return err;
}

int eddy__pages_login_ctx(struct eddy_request *req, json_t *ctx)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    bool in = site && eddy__auth_session(site, req);
    return json_object_set_new(ctx, "logged_in", json_boolean(in)) < 0 ? -ENOMEM : 0;
}

static void ctx_free(void *ctx)
{
    json_decref(ctx);
}

/* A page's context: the CSRF token, the page's name, the login; owned by
 * the request.  NULL on ENOMEM. */
static json_t *page_ctx(struct eddy_request *req, struct eddy_response *res, const char *page)
{
    const char *csrf = eddy__pages_csrf(req, res);
    json_t *ctx = csrf ? json_pack("{s:s, s:s}", "csrf", csrf, "page", page) : NULL;
    if (!ctx || eddy_request_defer(req, ctx_free, ctx) < 0)
        return NULL;
    return eddy__pages_login_ctx(req, ctx) < 0 ? NULL : ctx;
}

/* ---------------------------------------------------------------- login */

static int login_page(struct eddy_request *req, struct eddy_response *res, const char *next,
                      const char *msg, int status)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    json_t *ctx = page_ctx(req, res, "login");
    if (!ctx || json_object_set_new(ctx, "next", json_string(next ? next : "")) < 0 ||
        json_object_set_new(ctx, "msg", msg ? json_string(msg) : json_null()) < 0 ||
        json_object_set_new(ctx, "token_only",
                            json_boolean(!eddy__auth_required(site) && site->token)) < 0)
        return -ENOMEM;
    int err = eddy_render(res, "login.html", ctx);
    if (err == 0 && status != 200)
        eddy_response_set_status(res, status);
    return err;
}

/* A `next` that is a path of this site (eddy__pages_back checks it again). */
static const char *next_of(const char *next)
{
    return next && next[0] == '/' && next[1] != '/' && strlen(next) <= NEXT_MAX ? next : NULL;
}

static int login_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const char *next = next_of(eddy_request_arg(req, "next"));
    if (!eddy__auth_required(site) && !site->token)
        return eddy_response_redirect(res, 303, "/settings?msg=nopassword");
    if (eddy__auth_session(site, req))
        return eddy__pages_back(res, next, "/");
    return login_page(req, res, next, NULL, 200);
}

static int login_post(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    const char *next = next_of(eddy_form_value(form, "next"));
    if (!eddy__auth_required(site) && !site->token)
        return eddy_response_redirect(res, 303, "/");
    if (!eddy__auth_attempt(site, req))
        return login_page(req, res, next, "busy", 429);
    int err = eddy__auth_check(req, eddy_form_value(form, "password"));
    eddy__auth_attempt_end(site, req);
    if (err == -EACCES)
        return login_page(req, res, next, "wrong", 403);
    if (err < 0 || (err = eddy__auth_login(req, res)) < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    return eddy__pages_back(res, next, "/");
}

static int logout_post(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    int err = eddy__auth_logout(req, res);
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    return eddy_response_redirect(res, 303, eddy__auth_required(site) ? "/login" : "/");
}

/* ------------------------------------------------------------- settings */

static int settings_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    json_t *ctx = page_ctx(req, res, "settings");
    const char *msg = eddy_request_arg(req, "msg");
    if (!ctx || json_object_set_new(ctx, "msg", msg ? json_string(msg) : json_null()) < 0 ||
        json_object_set_new(ctx, "password", json_boolean(eddy__auth_required(site))) < 0 ||
        json_object_set_new(ctx, "token", json_boolean(site->token)) < 0 ||
        json_object_set_new(ctx, "exposed", json_boolean(site->exposed)) < 0 ||
        json_object_set_new(
            ctx, "minutes",
            json_integer((site->interval ? site->interval : site->interval_flag) / 60)) < 0 ||
        json_object_set_new(ctx, "own_interval", json_boolean(site->interval)) < 0 ||
        json_object_set_new(ctx, "flag_minutes", json_integer(site->interval_flag / 60)) < 0)
        return -ENOMEM;
    return eddy_render(res, "settings.html", ctx);
}

static int back(struct eddy_response *res, const char *msg)
{
    char to[64];
    snprintf(to, sizeof to, "/settings?msg=%s", msg);
    return eddy_response_redirect(res, 303, to);
}

static int store_error(struct eddy_response *res, int err)
{
    return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
}

/* POST /settings/interval: minutes (1 to 1440), or action=reset. */
static int interval_post(struct eddy_request *req, struct eddy_response *res)
{
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    const char *action = eddy_form_value(form, "action");
    const char *v = eddy_form_value(form, "minutes");
    long long minutes = 0;
    if (!action || strcmp(action, "reset")) {
        char *end = NULL;
        minutes = v ? strtoll(v, &end, 10) : 0;
        if (!v || end == v || *end || minutes < 1 || minutes > EDDY_APP_BACKOFF_MAX / 60)
            return back(res, "badinterval");
    }
    int err = eddy__auth_set_interval(req, minutes * 60);
    return err < 0 ? store_error(res, err) : back(res, minutes ? "interval" : "intervalreset");
}

/* The current password, checked as the login checks it (one attempt at a
 * time per address, a second's wait when wrong).  NULL: right; else the
 * message code, or "" after answering an error. */
static const char *current_ok(struct eddy_request *req, struct eddy_response *res,
                              const struct eddy_form *form)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    if (!eddy__auth_attempt(site, req))
        return "busy";
    int err = eddy__auth_check(req, eddy_form_value(form, "current"));
    eddy__auth_attempt_end(site, req);
    if (err == -EACCES)
        return "wrong";
    return err < 0 ? (store_error(res, err), "") : NULL;
}

/* POST /settings/password: action set (new, confirm), change (current,
 * new, confirm) or remove (current). */
static int password_post(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    const char *action = eddy_form_value(form, "action");
    const char *pw = eddy_form_value(form, "new"), *confirm = eddy_form_value(form, "confirm");
    bool has = eddy__auth_required(site), remove = action && !strcmp(action, "remove");
    if (!action || (strcmp(action, "set") && strcmp(action, "change") && !remove))
        return eddy_response_error(res, 400, "expected action=set, change or remove");
    if (!strcmp(action, "set") && has)
        return back(res, "isset");
    if (!has && strcmp(action, "set"))
        return back(res, "notset");
    if (remove && site->exposed && !site->token)
        return back(res, "exposed");
    if (!remove) {
        size_t n = pw ? strlen(pw) : 0;
        if (n < EDDY_APP_PASSWORD_MIN || n > EDDY_APP_PASSWORD_MAX)
            return back(res, "length");
        if (!confirm || strcmp(pw, confirm))
            return back(res, "mismatch");
    }
    const char *why = has ? current_ok(req, res, form) : NULL;
    if (why)
        return *why ? back(res, why) : 0;
    int err = eddy__auth_set_password(req, remove ? NULL : pw, !remove);
    /* A first password: this browser is logged in with it at once. */
    if (err >= 0 && !has)
        err = eddy__auth_login(req, res);
    else if (err >= 0 && remove)
        err = eddy__auth_logout(req, res);
    if (err < 0)
        return store_error(res, err);
    return back(res, remove ? "removed" : has ? "changed" : "set");
}

int eddy__pages_auth_routes(struct eddy_app *web)
{
    int err = eddy_app_on_startup(web, eddy__auth_startup);
    err = err ? err : eddy_app_on_shutdown(web, eddy__auth_shutdown);
    err = err ? err : eddy_app_background(web, eddy__auth_task, web, "login");
    err = err ? err : eddy_app_before_request(web, gate);
    err = err ? err : eddy_app_route(web, "GET", "/login", login_view, "login_page");
    err = err ? err : eddy_app_route(web, "POST", "/login", login_post, "login");
    err = err ? err : eddy_app_route(web, "POST", "/logout", logout_post, "logout");
    err = err ? err : eddy_app_route(web, "GET", "/settings", settings_view, "settings");
    err =
        err ? err
            : eddy_app_route(web, "POST", "/settings/interval", interval_post, "settings_interval");
    return err ? err
               : eddy_app_route(web, "POST", "/settings/password", password_post,
                                "settings_password");
}
