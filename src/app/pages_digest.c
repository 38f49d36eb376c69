/*
 * pages_digest.c — the digest as a page: GET /digest (?since=24h, as `eddy
 * digest --since`) in the site's layout, with "Send now" (POST /digest/send)
 * when a recipient is configured; the e-mail's HTML part itself is GET
 * /digest/mail.html, shown in a sandboxed iframe.
 *
 * Why a frame: the e-mail's HTML carries inline CSS (mail clients read no
 * style sheet), which the site's CSP forbids.  Loosening the layout's CSP
 * for one route would let entry HTML style the page around the controls;
 * the frame keeps every site page's CSP as it is, and the e-mail gets its
 * own, stricter one: nothing loads (default-src 'none': no image, no
 * script), inline style only, sandboxed (an opaque origin: no cookie, no
 * script even if one slipped through), framed by this site only.
 */
#include "pages.h"
#include "serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SINCE_DEFAULT "24h"
#define SINCE_MAX     (366 * 24 * 3600)

static const char mail_csp[] =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

/* "24h", "90m", "7d", "3600s", "3600": seconds (1 s to 366 days), else -1. */
static int64_t parse_since(const char *s)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    long long n = strtoll(s, &end, 10);
    int64_t unit = !*end               ? 1
                   : !strcmp(end, "s") ? 1
                   : !strcmp(end, "m") ? 60
                   : !strcmp(end, "h") ? 3600
                   : !strcmp(end, "d") ? 86400
                                       : 0;
    if (!unit || n <= 0 || n > SINCE_MAX / unit)
        return -1;
    return (int64_t)n * unit;
}

/* The request's ?since (or `value`), its seconds in *secs; NULL after a 400. */
static const char *since_arg(const char *value, struct eddy_response *res, int64_t *secs)
{
    const char *s = value && *value ? value : SINCE_DEFAULT;
    if ((*secs = parse_since(s)) < 0) {
        eddy_response_error(res, 400, "'since' is a time like 24h, 90m or 7d");
        return NULL;
    }
    return s;
}

static void ctx_free(void *ctx)
{
    json_decref(ctx);
}

/* GET /digest */
static int digest_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    int64_t secs;
    const char *since = since_arg(eddy_request_arg(req, "since"), res, &secs);
    if (!since)
        return 0;
    const char *csrf = eddy__pages_csrf(req, res);
    if (!csrf)
        return -ENOMEM;
    struct eddy_app_digest *d = NULL;
    int err = eddy_app_digest_compile_await(
        site->store, &(struct eddy_app_digest_opts){.since = (int64_t)time(NULL) - secs}, &d);
    if (err < 0)
        return err == -ECANCELED
                   ? err
                   : eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    size_t omitted, feeds, n = eddy_app_digest_count(d, &omitted, &feeds);
    eddy_app_digest_free(d);
    const char *msg = eddy_request_arg(req, "msg"), *sent = eddy_request_arg(req, "n");
    json_t *ctx = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s?, s:s, s:s?, s:s?}", "page", "digest",
                            "since", since, "count", (json_int_t)n, "feeds", (json_int_t)feeds,
                            "omitted", (json_int_t)omitted, "to", eddy__digest_to(site), "csrf",
                            csrf, "msg", msg, "n", sent);
    if (!ctx || (err = eddy_request_defer(req, ctx_free, ctx)) < 0)
        return ctx ? err : -ENOMEM;
    return eddy_render(res, "digest.html", ctx);
}

struct html_job {
    const struct eddy_app_digest *d;
    struct eddy_buf out;
};

/* On a thread: every entry's HTML is parsed again (libxml2) to rework it. */
static int html_job(void *arg)
{
    struct html_job *j = arg;
    return eddy_app_digest_html(j->d, &j->out);
}

/* GET /digest/mail.html: the e-mail's HTML part; links open a new tab. */
static int mail_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    int64_t secs;
    if (!since_arg(eddy_request_arg(req, "since"), res, &secs))
        return 0;
    struct html_job j = {.out = EDDY_BUF_INIT(0)};
    struct eddy_app_digest *d = NULL;
    int err = eddy_app_digest_compile_await(
        site->store, &(struct eddy_app_digest_opts){.since = (int64_t)time(NULL) - secs}, &d);
    j.d = d;
    err = err < 0 ? err : eddy_to_thread(html_job, &j);
    eddy_app_digest_free(d);
    const char *head = err < 0 ? NULL : strstr(eddy_buf_cstr(&j.out), "<head>");
    if (head) {
        size_t at = (size_t)(head - j.out.data) + 6;
        static const char extra[] =
            "<base target=\"_blank\"><meta name=\"referrer\" content=\"no-referrer\">";
        err = eddy_response_set_body(res, j.out.data, at);
        err = err ? err : eddy_response_append(res, extra, sizeof extra - 1);
        err = err ? err : eddy_response_append(res, j.out.data + at, j.out.len - at);
        err = err ? err : eddy_response_set_header(res, "Content-Security-Policy", mail_csp);
        err = err ? err : eddy_response_set_header(res, "Content-Type", "text/html; charset=utf-8");
        eddy_response_set_status(res, 200);
    } else if (err >= 0) {
        err = -EPROTO; /* the writer always writes a <head> */
    }
    eddy_buf_free(&j.out);
    if (err == -ECANCELED || err >= 0)
        return err;
    return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
}

/* POST /digest/send: since (as ?since), csrf. */
static int send_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    int64_t secs;
    const char *since = since_arg(eddy_form_value(form, "since"), res, &secs);
    if (!since)
        return 0;
    if (!eddy__digest_to(site))
        return eddy_response_error(res, 409, "no recipient configured (eddy serve --digest-to)");
    size_t sent;
    char *why = NULL;
    int err = eddy__digest_send(site, (int64_t)time(NULL) - secs, &sent, &why);
    if (err == -ECANCELED) {
        free(why);
        return err;
    }
    if (err < 0)
        eddy__serve_log(site, "digest (send now): %s", why ? why : eddy_strerror(err));
    free(why);
    char to[200];
    snprintf(to, sizeof to, "/digest?since=%s&msg=%s&n=%zu", since,
             err < 0 ? "failed"
             : sent  ? "sent"
                     : "nothing",
             sent);
    return eddy_response_redirect(res, 303, to);
}

int eddy__pages_digest_routes(struct eddy_app *web)
{
    int err = eddy_app_route(web, "GET", "/digest", digest_view, "digest");
    err = err ? err : eddy_app_route(web, "GET", "/digest/mail.html", mail_view, "digest_mail");
    return err ? err : eddy_app_route(web, "POST", "/digest/send", send_view, "digest_send");
}
