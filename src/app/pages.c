/*
 * pages.c — the reader's pages: the river at /, its marks, and what every
 * page shares (security headers, the CSRF token, the forms' checks).  The
 * feed management page is pages_feeds.c.
 *
 * Server-rendered (the .html files of templates/); every page works without JavaScript:
 * filters are a GET form, marks are POST forms answered 303 back to the page.
 * static/eddy.js adds keyboard shortcuts, and loads an entry's text into
 * the river when it is expanded (without it, the entry's page shows it).
 *
 * Safe by construction: entry HTML goes through the feed sanitizer again at
 * render (the store keeps a text/plain value as it came, so what is stored
 * is not proof of anything), every feed-supplied URL through the |url
 * filter, and every page carries a CSP that allows no inline script and no
 * third-party script or style.  Forms carry a token that must equal the
 * SameSite=Lax HttpOnly cookie's (double submit, compared in constant time).
 */
#include "pages.h"

#include "cache.h"
#include "river.h"

#include "../feed/html.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define CSRF_COOKIE "eddy_csrf"
#define CSRF_LEN    32  /* hex digits: 128 random bits */
#define SEARCH_MAX  256 /* bytes of a search */
#define MARK_MAX    200 /* ids in one mark form ("all in view": a page is 50) */
_Static_assert(CSRF_LEN == EDDY__CACHE_HOLE, "the token fills the cache's hole");

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src * data:; media-src *; object-src 'none'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'";

/* After every request: the page headers (harmless on JSON and files). */
static int headers_after(struct eddy_request *req, struct eddy_response *res)
{
    /* The digest's e-mail sets its own, stricter one (pages_digest.c). */
    const char *ep = eddy_request_endpoint(req);
    int err = ep && !strcmp(ep, "digest_mail")
                  ? 0
                  : eddy_response_set_header(res, "Content-Security-Policy", csp);
    err = err ? err : eddy_response_set_header(res, "X-Content-Type-Options", "nosniff");
    err = err ? err : eddy_response_set_header(res, "Referrer-Policy", "same-origin");
    return err;
}

/* ------------------------------------------------------------------ CSRF */

static bool token_ok(const char *t)
{
    return t && strlen(t) == CSRF_LEN && strspn(t, "0123456789abcdef") == CSRF_LEN;
}

/* Every byte compared, whatever differs first. */
static bool same(const char *a, const char *b)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < CSRF_LEN; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

const char *eddy__pages_csrf(struct eddy_request *req, struct eddy_response *res)
{
    const char *c = eddy_request_cookie(req, CSRF_COOKIE);
    if (token_ok(c))
        return c;
    unsigned char raw[CSRF_LEN / 2];
    char *t = eddy_request_alloc(req, CSRF_LEN + 1);
    if (!t || getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return NULL;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(t + 2 * i, 3, "%02x", raw[i]);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    int err = eddy_cookie_format(
        &(struct eddy_cookie){
            .name = CSRF_COOKIE, .value = t, .path = "/", .http_only = true, .same_site = "Lax"},
        &b);
    if (err == 0)
        err = eddy_response_add_header(res, "Set-Cookie", eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return err == 0 ? t : NULL;
}

const struct eddy_form *eddy__pages_post(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const struct eddy_form *form = NULL;
    const char *why = NULL;
    if (eddy_request_form(req, &form) < 0)
        return eddy_response_error(res, 400, "expected a form"), NULL;
    const char *cookie = eddy_request_cookie(req, CSRF_COOKIE);
    const char *field = eddy_form_value(form, "csrf");
    const char *ep = eddy_request_endpoint(req); /* logging in or out needs no login */
    bool way_in = ep && (!strcmp(ep, "login") || !strcmp(ep, "logout"));
    if (!site || (!way_in && !eddy__authorized(site, req)))
        why = "not logged in";
    else if (!eddy__same_origin(req))
        why = "a form from another site";
    else if (!token_ok(cookie) || !token_ok(field) || !same(cookie, field))
        why = "the form's token is missing or stale: reload the page and try again";
    if (why)
        return eddy_response_error(res, 403, why), NULL;
    return form;
}

int eddy__pages_back(struct eddy_response *res, const char *back, const char *fallback)
{
    /* Only a path of this site: no "//host", no scheme, no header break. */
    bool ok = back && back[0] == '/' && back[1] != '/' && back[1] != '\\' &&
              !strpbrk(back, "\r\n\\") && strlen(back) < 2048;
    return eddy_response_redirect(res, 303, ok ? back : fallback);
}

/* -------------------------------------------------------------- helpers */

void eddy__pages_ago(int64_t now, int64_t t, char *out, size_t size)
{
    int64_t d = now - t;
    bool future = d < 0;
    if (future)
        d = -d;
    const char *unit = "s";
    int64_t n = d;
    if (d < 60 && !future) {
        snprintf(out, size, "just now");
        return;
    } else if (d < 3600)
        n = d / 60, unit = " min";
    else if (d < 86400)
        n = d / 3600, unit = " h";
    else if (d < 30 * 86400)
        n = d / 86400, unit = n == 1 ? " day" : " days";
    else {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(out, size, "%-d %b %Y", &tm);
        return;
    }
    snprintf(out, size, future ? "in %" PRId64 "%s" : "%" PRId64 "%s ago", n, unit);
}

/* -------------------------------------------------------- entry HTML */

#define DEPTH_MAX 128 /* open elements tracked; deeper start tags are dropped */
#define NAME_MAX  32

static bool is_void(const char *name)
{
    static const char *const voids[] = {"area",  "base",   "br",    "col",  "embed",
                                        "hr",    "img",    "input", "link", "meta",
                                        "param", "source", "track", "wbr",  "keygen"};
    for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
        if (!strcmp(name, voids[i]))
            return true;
    return false;
}

/* A tag's name at s, lower-cased into name; its length (0: none, or too long). */
static size_t tag_name(const char *s, char name[NAME_MAX])
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
           (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == ':') {
        if (n == NAME_MAX - 1)
            return 0;
        name[n] = (char)(s[n] | (s[n] >= 'A' && s[n] <= 'Z' ? 0x20 : 0));
        n++;
    }
    name[n] = 0;
    return n;
}

/* The attributes of a start tag, a[0..n), copied but for `autofocus` (a
 * feed's form field must not take the keyboard) and, on img, `loading`
 * (ours is added). */
static int copy_attrs(struct eddy_buf *out, const char *a, size_t n, bool img)
{
    size_t i = 0;
    int err = 0;
    while (!err && i < n) {
        if (a[i] == ' ' || a[i] == '\t' || a[i] == '\n' || a[i] == '\r' || a[i] == '\f' ||
            a[i] == '/') {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && !strchr(" \t\n\r\f/=", a[i]))
            i++;
        size_t name_len = i - start;
        if (i < n && a[i] == '=') {
            i++;
            char q = i < n && (a[i] == '"' || a[i] == '\'') ? a[i] : 0;
            if (q) {
                const char *close = memchr(a + i + 1, q, n - i - 1);
                i = close ? (size_t)(close - a) + 1 : n;
            } else {
                while (i < n && !strchr(" \t\n\r\f", a[i]))
                    i++;
            }
        }
        bool drop = (name_len == 9 && !strncasecmp(a + start, "autofocus", 9)) ||
                    (img && name_len == 7 && !strncasecmp(a + start, "loading", 7));
        if (!drop && (err = eddy_buf_puts(out, " ")) == 0)
            err = eddy_buf_append(out, a + start, i - start);
    }
    return err;
}

/* The sanitizer's output made a closed fragment: it may leave a tag open
 * (<textarea>, <a>, <noscript> would swallow the rest of the page) or close
 * one it never opened (</article> would end the page's own).  Start and end
 * tags are matched on a stack: a stray end tag is dropped, the elements
 * still open are closed at the end, comments, declarations, <form> and
 * <plaintext> are dropped.
 * The sanitizer writes '<' of text and '<', '>', '"' of attribute values as
 * references, so a tag ends at the first '>'.  Images get loading="lazy". */
static int contain_html(const char *p, struct eddy_buf *out)
{
    char stack[DEPTH_MAX][NAME_MAX], name[NAME_MAX];
    size_t depth = 0, foreign = 0; /* foreign: open svg/math elements */
    int err = 0;
    while (!err && *p) {
        const char *lt = strchr(p, '<');
        if (!lt)
            return eddy_buf_puts(out, p);
        if ((err = eddy_buf_append(out, p, (size_t)(lt - p))))
            break;
        const char *gt = strchr(lt, '>');
        bool end = lt[1] == '/';
        size_t n = tag_name(lt + 1 + end, name);
        if (!gt) /* a tag cut short: the rest is no text anyone wrote */
            break;
        p = gt + 1;
        if (!n) {
            if (lt[1] != '!' && lt[1] != '?' && !end) /* a lone '<': text */
                err = eddy_buf_puts(out, "&lt;"), p = lt + 1;
            continue;
        }
        if (end) {
            size_t i = depth;
            while (i > 0 && strcmp(stack[i - 1], name))
                i--;
            while (!err && i > 0 && depth >= i) {
                depth--;
                foreign -= !strcmp(stack[depth], "svg") || !strcmp(stack[depth], "math");
                err = eddy_buf_printf(out, "</%s>", stack[depth]);
            }
            continue;
        }
        bool self = gt > lt && gt[-1] == '/';
        bool keep_open = !is_void(name) && !(self && foreign) &&
                         !(self && (!strcmp(name, "svg") || !strcmp(name, "math")));
        /* plaintext cannot be closed; a feed's form could only mislead (a
         * password field posting away), and would nest in the page's own. */
        if (!strcmp(name, "plaintext") || !strcmp(name, "form") ||
            (keep_open && depth == DEPTH_MAX))
            continue;
        const char *attrs = lt + 1 + n;
        err = eddy_buf_printf(out, "<%s", name);
        err = err ? err : copy_attrs(out, attrs, (size_t)(gt - attrs), !strcmp(name, "img"));
        if (!err && !strcmp(name, "img"))
            err = eddy_buf_puts(out, " loading=\"lazy\"");
        err = err ? err : eddy_buf_puts(out, self && !keep_open ? " />" : ">");
        if (keep_open) {
            memcpy(stack[depth++], name, NAME_MAX);
            foreign += !strcmp(name, "svg") || !strcmp(name, "math");
        }
    }
    while (!err && depth > 0)
        err = eddy_buf_printf(out, "</%s>", stack[--depth]);
    return err;
}

/* html sanitized and contained: what an entry's content shows.
 * malloc'ed, or NULL (ENOMEM). */
char *eddy__pages_safe_html(const char *html)
{
    struct eddy_buf clean = EDDY_BUF_INIT(0), out = EDDY_BUF_INIT(0);
    int err = eddy__html_sanitize(&clean, html, strlen(html), false);
    err = err ? err : contain_html(eddy_buf_cstr(&clean), &out);
    char *s = err ? NULL : strdup(eddy_buf_cstr(&out));
    eddy_buf_free(&clean);
    eddy_buf_free(&out);
    return s;
}

/* ----------------------------------------------------------------- river */

struct river {
    struct eddy_store_query q;
    struct eddy_store_cursor after;
    int64_t now;
    bool side_known; /* the loop has the stats, feeds and categories (river_view) */
    json_t *ctx;     /* out */
};

/* The river shows an excerpt; the text is fetched when an entry is
 * expanded (/entries/ID/content, pages_entry.c): sanitizing 50 entries'
 * content for every page made it 200 KB and most of its CPU time. */
static json_t *entry_json(const struct eddy_store_entry *e, const char *feed, int64_t now)
{
    char ago[64];
    eddy__pages_ago(now, e->date, ago, sizeof ago);
    const char *excerpt = e->summary && *e->summary ? e->summary : e->content;
    return json_pack("{s:I, s:s?, s:s?, s:s?, s:I, s:I, s:s, s:s?, s:s?, s:b, s:b, s:b}", "id",
                     (json_int_t)e->id, "title", e->title && *e->title ? e->title : NULL, "link",
                     e->link, "feed", feed, "feed_id", (json_int_t)e->feed_id, "date",
                     (json_int_t)e->date, "ago", ago, "excerpt", excerpt, "author", e->author,
                     "read", e->read, "starred", e->starred, "more", e->content && *e->content);
}

#define SIDE_FEEDS 20 /* feeds listed beside the river (most unread); /feeds has all */

/* On the pool, in one read transaction (river_job): the page's entries
 * (excerpts only) and their feeds' names, the categories and the feeds with
 * the most unread for the filters, the counts; the context (without the
 * request's parts) as JSON. */
static int river_reads(struct eddy_store *s, void *arg)
{
    struct river *r = arg;
    struct eddy_store_stats st = {0};
    struct eddy_store_feed_unread *feeds = NULL;
    struct eddy_store_category *cats = NULL;
    struct eddy_store_page page = {0};
    size_t nfeeds = 0, ncats = 0;
    int64_t ids[EDDY_STORE_LIMIT_MAX];
    char *names[EDDY_STORE_LIMIT_MAX] = {0};
    r->q.excerpt = true;
    int err = r->side_known ? 0 : eddy_store_stats(s, &st);
    if (!r->side_known && err >= 0)
        err = eddy_store_feeds_unread(s, SIDE_FEEDS, r->q.feed_id, &feeds, &nfeeds);
    if (!r->side_known && err >= 0)
        err = eddy_store_categories(s, &cats, &ncats);
    err = err < 0 ? err : eddy_store_entries(s, &r->q, &page);
    for (size_t i = 0; err >= 0 && i < page.n; i++)
        ids[i] = page.entries[i].feed_id;
    err = err < 0 ? err : eddy_store_feed_names(s, ids, page.n, names);
    json_t *ctx = err < 0 ? NULL : json_object(), *list = json_array(), *fl = json_array(),
           *cl = json_array();
    /* Invalid UTF-8 another program stored is shown as U+FFFD (river.h). */
    for (size_t i = 0; ctx && i < page.n; i++)
        if (eddy__app_entry_utf8(&page.entries[i]) < 0 || eddy__app_utf8(&names[i]) < 0 ||
            json_array_append_new(list, entry_json(&page.entries[i], names[i], r->now)) < 0)
            err = -ENOMEM;
    const char *shown = NULL;
    for (size_t i = 0; ctx && i < nfeeds; i++) {
        bool selected = feeds[i].id == r->q.feed_id;
        if (eddy__app_utf8(&feeds[i].name) < 0)
            err = -ENOMEM;
        if (selected)
            shown = feeds[i].name;
        if (json_array_append_new(fl,
                                  json_pack("{s:I, s:s, s:I, s:b}", "id", (json_int_t)feeds[i].id,
                                            "title", feeds[i].name, "unread",
                                            (json_int_t)feeds[i].unread, "selected", selected)) < 0)
            err = -ENOMEM;
    }
    for (size_t i = 0; ctx && i < ncats; i++)
        if (eddy__app_utf8(&cats[i].name) < 0 ||
            json_array_append_new(
                cl, json_pack("{s:s, s:I, s:I, s:b}", "name", cats[i].name, "unread",
                              (json_int_t)cats[i].unread, "feeds", (json_int_t)cats[i].feeds,
                              "selected", r->q.category && !strcmp(r->q.category, cats[i].name))) <
                0)
            err = -ENOMEM;
    char next[40];
    eddy__cursor_format(&page.next, next);
    if (ctx &&
        (json_object_set(ctx, "entries", list) < 0 ||
         (!r->side_known &&
          (json_object_set(ctx, "feeds", fl) < 0 || json_object_set(ctx, "categories", cl) < 0)) ||
         json_object_set_new(ctx, "next", page.more ? json_string(next) : json_null()) < 0 ||
         json_object_set_new(ctx, "feed_title", shown ? json_string(shown) : json_null()) < 0 ||
         (!r->side_known &&
          json_object_set_new(ctx, "stats",
                              json_pack("{s:I, s:I, s:I, s:I, s:I}", "feeds", (json_int_t)st.feeds,
                                        "entries", (json_int_t)st.entries, "unread",
                                        (json_int_t)st.unread, "starred", (json_int_t)st.starred,
                                        "errors", (json_int_t)st.errors)) < 0)))
        err = -ENOMEM;
    json_decref(list), json_decref(fl), json_decref(cl);
    for (size_t i = 0; i < page.n; i++)
        free(names[i]);
    eddy_store_page_fini(&page);
    eddy_store_feeds_unread_free(feeds, nfeeds);
    eddy_store_categories_free(cats, ncats);
    if (err < 0 || !ctx) {
        json_decref(ctx);
        return err < 0 ? err : -ENOMEM;
    }
    r->ctx = ctx;
    return 0;
}

static int river_job(struct eddy_store *s, void *arg)
{
    return eddy_store_read_tx(s, river_reads, arg);
}

static void ctx_free(void *ctx)
{
    json_decref(ctx);
}

/* name=value& with the value percent-encoded, when value is set. */
static int query_add(struct eddy_buf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return 0;
    int err = eddy_buf_printf(b, "%s%s=", b->len ? "&" : "", name);
    return err ? err : eddy_url_encode(value, strlen(value), NULL, false, b);
}

static int river_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct river *r = eddy_request_alloc(req, sizeof *r);
    if (!r)
        return -ENOMEM;
    *r = (struct river){.q.limit = EDDY_STORE_LIMIT_DEFAULT, .now = time(NULL)};
    const char *feed = eddy_request_arg(req, "feed"), *cat = eddy_request_arg(req, "category");
    const char *unread = eddy_request_arg(req, "unread"),
               *starred = eddy_request_arg(req, "starred");
    const char *q = eddy_request_arg(req, "q"), *after = eddy_request_arg(req, "after");
    char *end = NULL;
    if (feed && *feed && ((r->q.feed_id = strtoll(feed, &end, 10)) <= 0 || *end))
        return eddy_response_error(res, 400, "'feed' is a feed's number");
    if (q && strlen(q) > SEARCH_MAX)
        return eddy_response_error(res, 400, "the search is too long");
    if (after && *after && !eddy__cursor_parse(after, &r->after))
        return eddy_response_error(res, 400, "'after' is not a page this river gave");
    r->q.category = cat && *cat ? cat : NULL;
    r->q.unread = unread && !strcmp(unread, "1");
    r->q.starred = starred && !strcmp(starred, "1");
    r->q.search = q && *q ? q : NULL;
    r->q.after = after && *after ? &r->after : NULL;
    const char *csrf = eddy__pages_csrf(req, res);
    if (!csrf)
        return -ENOMEM;
    /* The cache's key: all the page depends on but the store (the
     * generation) and the token (a hole in the kept page). */
    const char *host = eddy_request_header(req, "Host");
    bool in = eddy__auth_session(site, req);
    struct eddy__cache_key k;
    int err =
        eddy__cache_lookup(site->cache, site->store, req, res, csrf, &k, "river\n%s\n%s\n%d\n%lld",
                           eddy_request_query(req), host ? host : "", in, (long long)(r->now / 60));
    if (err)
        return err < 0 ? err : 0;
    /* The counts, the top feeds and the categories are the store's whole,
     * the same for every page of the unfiltered river (no feed or category
     * selected in them): kept in the cache under the generation too. */
    bool plain = !r->q.feed_id && !r->q.category;
    json_t *side = plain && site->cache ? json_incref(eddy__cache_value(site->cache, k.gen)) : NULL;
    if (side && eddy_request_defer(req, ctx_free, side) < 0) /* held across the await */
        return -ENOMEM;
    r->side_known = side != NULL;
    err = eddy_store_run_await(site->store, false, river_job, r);
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    if ((err = eddy_request_defer(req, ctx_free, r->ctx)) < 0)
        return err;
    if (side && json_object_update(r->ctx, side) < 0)
        return -ENOMEM;
    if (!side && plain && site->cache) {
        side = json_pack("{s:O, s:O, s:O}", "feeds", json_object_get(r->ctx, "feeds"), "categories",
                         json_object_get(r->ctx, "categories"), "stats",
                         json_object_get(r->ctx, "stats"));
        if (!side)
            return -ENOMEM;
        eddy__cache_set_value(site->cache, k.gen, side);
    }
    /* The filters as a query string: the next page's link, and where the
     * forms come back to. */
    struct eddy_buf qs = EDDY_BUF_INIT(0), here = EDDY_BUF_INIT(0);
    err = query_add(&qs, "feed", r->q.feed_id ? feed : NULL);
    err = err ? err : query_add(&qs, "category", r->q.category);
    err = err ? err : query_add(&qs, "unread", r->q.unread ? "1" : NULL);
    err = err ? err : query_add(&qs, "starred", r->q.starred ? "1" : NULL);
    err = err ? err : query_add(&qs, "q", r->q.search);
    err = err ? err : eddy_buf_puts(&here, eddy_buf_cstr(&qs));
    err = err ? err : query_add(&here, "after", r->q.after ? after : NULL);
    const char *path = err ? NULL : eddy_buf_cstr(&here);
    char origin[300];
    snprintf(origin, sizeof origin, "http://%s", host ? host : "HOST:PORT");
    if (!err &&
        (json_object_set_new(r->ctx, "csrf",
                             json_string(site->cache ? eddy__cache_hole(site->cache) : csrf)) < 0 ||
         json_object_set_new(r->ctx, "page", json_string("river")) < 0 ||
         json_object_set_new(r->ctx, "query", json_string(eddy_buf_cstr(&qs))) < 0 ||
         json_object_set_new(r->ctx, "here", json_pack("s++", "/", *path ? "?" : "", path)) < 0 ||
         json_object_set_new(r->ctx, "origin", json_string(origin)) < 0 ||
         json_object_set_new(r->ctx, "filter",
                             json_pack("{s:I, s:s?, s:b, s:b, s:s?, s:b}", "feed",
                                       (json_int_t)r->q.feed_id, "category", r->q.category,
                                       "unread", r->q.unread, "starred", r->q.starred, "q",
                                       r->q.search, "paged", r->q.after != NULL)) < 0))
        err = -ENOMEM;
    eddy_buf_free(&qs);
    eddy_buf_free(&here);
    err = err < 0 ? err : eddy__pages_login_ctx(req, r->ctx);
    err = err < 0 ? err : eddy_render(res, "river.html", r->ctx);
    if (err < 0 || !site->cache)
        return err;
    return eddy__cache_keep(site->cache, req, k.key, k.len, k.gen, "text/html; charset=utf-8", res,
                            csrf);
}

/* ----------------------------------------------------------------- marks */

struct mark {
    int64_t ids[MARK_MAX];
    size_t n;
    enum eddy_store_flag flag;
    bool on;
};

/* Parses an entry id into m; false when it is not one or m is full. */
static bool mark_add(struct mark *m, const char *s, size_t len)
{
    char digits[24], *end;
    if (len == 0 || len >= sizeof digits || m->n == MARK_MAX)
        return false;
    memcpy(digits, s, len);
    digits[len] = 0;
    long long id = strtoll(digits, &end, 10);
    if (id <= 0 || *end)
        return false;
    m->ids[m->n++] = id;
    return true;
}

/* POST /entries/mark: id (repeated) or ids (comma-separated), action
 * read|unread|star|unstar, back (the page to return to); js=1 (eddy.js's
 * fetch): 204 instead of 303.  The river's buttons share one form: a button
 * named as the action, its value the entry's id (then back returns to it). */
static int mark_view(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const struct eddy_form *form = eddy__pages_post(req, res);
    if (!form)
        return 0;
    struct mark m = {0};
    static const struct {
        const char *name;
        enum eddy_store_flag flag;
        bool on;
    } actions[] = {{"read", EDDY_STORE_READ, true},
                   {"unread", EDDY_STORE_READ, false},
                   {"star", EDDY_STORE_STARRED, true},
                   {"unstar", EDDY_STORE_STARRED, false}};
    const size_t na = sizeof actions / sizeof actions[0];
    const char *ids[MARK_MAX + 1], *action = eddy_form_value(form, "action"), *button = NULL;
    size_t a = 0, n = 0;
    while (a < na && !(button = eddy_form_value(form, actions[a].name)))
        a++;
    if (button) /* one entry's button */
        n = 1, ids[0] = button;
    else {
        for (a = 0; action && a < na && strcmp(action, actions[a].name);)
            a++;
        n = eddy_form_values(form, "id", ids, MARK_MAX + 1);
    }
    bool ok = a < na && n <= MARK_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = mark_add(&m, ids[i], strlen(ids[i]));
    const char *list = button ? NULL : eddy_form_value(form, "ids");
    for (const char *p = list; ok && p && *p;) {
        size_t len = strcspn(p, ",");
        ok = mark_add(&m, p, len);
        p += len + (p[len] == ',');
    }
    if (!ok)
        return eddy_response_error(res, 400, "expected ids (at most 200) and an action");
    int err = eddy_store_mark_await(site->store, m.ids, m.n, actions[a].flag, actions[a].on);
    if (err < 0)
        return eddy_response_error(res, err == -EBUSY ? 503 : 500, eddy_strerror(err));
    const char *js = eddy_form_value(form, "js");
    if (js && !strcmp(js, "1")) {
        eddy_response_set_status(res, 204);
        return 0;
    }
    const char *back = eddy_form_value(form, "back");
    char *anchored = NULL; /* back to the entry */
    if (button && back && !strchr(back, '#') && strlen(back) < 2048 &&
        (anchored = eddy_request_alloc(req, strlen(back) + 24)))
        sprintf(anchored, "%s#e%" PRId64, back, m.ids[0]);
    return eddy__pages_back(res, anchored ? anchored : back, "/");
}

/* ------------------------------------------------------------- the site */

static int unavailable(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    return eddy_response_error(res, 503,
                               "the pages' templates were not found (templates/river.html beside "
                               "the build folder, or PREFIX/share/eddy/templates)");
}

int eddy__pages_routes(struct eddy_app *web, const char *dir)
{
    int err = eddy_app_after_request(web, headers_after);
    err = err ? err : eddy__cache_hooks(web);
    err = err ? err : eddy__pages_river_routes(web);
    err = err ? err : eddy__pages_auth_routes(web);
    if (err < 0 || !dir)
        return err < 0 ? err : eddy_app_route(web, "GET", "/", unavailable, "river");
    char path[4200];
    snprintf(path, sizeof path, "%s/templates", dir);
    err = eddy_app_templates(web, path);
    snprintf(path, sizeof path, "%s/static", dir);
    err = err ? err : eddy_app_static(web, "/static", path);
    err = err ? err : eddy_app_route(web, "GET", "/", river_view, "river");
    err = err ? err : eddy_app_route(web, "POST", "/entries/mark", mark_view, "mark");
    err = err ? err : eddy__pages_entry_routes(web);
    err = err ? err : eddy__pages_status_routes(web);
    err = err ? err : eddy__pages_digest_routes(web);
    return err ? err : eddy__pages_feed_routes(web);
}
