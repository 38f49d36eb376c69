/*
 * api_entries.c — /api/v1/entries: the river with its filters and stable
 * cursor pages, one entry, and read/starred marks on one entry or many.
 */
#include "api.h"
#include "cache.h"

#include "../base/text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_MAX 256 /* bytes of a search */

/* s as a JSON string (NULL: null), escaped as jansson's compact dump
 * escapes (", \\, control characters; other UTF-8 as it is).  Written
 * straight into b: building a jansson tree of 50 entries' content and
 * dumping it was 70% of a page's CPU.  An invalid UTF-8 sequence becomes
 * U+FFFD (jansson refused the whole reply). */
static int put_str(struct eddy_buf *b, const char *s)
{
    if (!s)
        return eddy_buf_puts(b, "null");
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    int err = eddy_buf_putc(b, '"');
    while (!err && p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if ((err = eddy_buf_append(b, run, (size_t)(p - run))) || p == end)
            break;
        size_t bad, n = *p >= 0x80 ? eddy__utf8_seq(p, (size_t)(end - p), &bad) : 0;
        if (n) {
            err = eddy_buf_append(b, p, n);
            p += n;
            continue;
        }
        static const char esc[] = "\"\"\\\\\bb\ff\nn\rr\tt";
        const char *e = *p < 0x80 ? memchr(esc, *p, sizeof esc - 1) : NULL;
        if (*p >= 0x80)
            err = eddy_buf_puts(b, "\xef\xbf\xbd"), p += bad - 1;
        else if (e && (e - esc) % 2 == 0)
            err = eddy_buf_printf(b, "\\%c", e[1]);
        else
            err = eddy_buf_printf(b, "\\u%04X", *p);
        p++;
    }
    return err ? err : eddy_buf_putc(b, '"');
}

/* An entry as the API gives it: the JSON object docs/api.md shows. */
static int put_entry(struct eddy_buf *b, const struct eddy_store_entry *e)
{
    static const char *const sources[] = {"missing", "parsed", "guessed"};
    unsigned src = (unsigned)e->date_source;
    const struct {
        const char *name, *value;
    } strs[] = {{"guid", e->guid},        {"link", e->link},       {"title", e->title},
                {"author", e->author},    {"summary", e->summary}, {"content", e->content},
                {"date_raw", e->date_raw}};
    int err = eddy_buf_printf(b, "{\"id\":%" PRId64 ",\"feed_id\":%" PRId64, e->id, e->feed_id);
    for (size_t i = 0; !err && i < sizeof strs / sizeof strs[0]; i++) {
        if (i == 6) /* date_raw comes after date */
            err = eddy_buf_printf(b, ",\"date\":%" PRId64, e->date);
        err = err ? err : eddy_buf_printf(b, ",\"%s\":", strs[i].name);
        err = err ? err : put_str(b, strs[i].value);
    }
    err = err ? err
              : eddy_buf_printf(
                    b,
                    ",\"date_claimed\":%" PRId64 ",\"date_source\":\"%s\",\"first_seen\":%" PRId64
                    ",\"updated_at\":%" PRId64 ",\"read\":%s,\"starred\":%s,\"enclosures\":[",
                    e->date_claimed, src < 3 ? sources[src] : "missing", e->first_seen,
                    e->updated_at, e->read ? "true" : "false", e->starred ? "true" : "false");
    for (size_t i = 0; !err && i < e->nenclosures; i++) {
        err = eddy_buf_puts(b, i ? ",{\"url\":" : "{\"url\":");
        err = err ? err : put_str(b, e->enclosures[i].url);
        err = err ? err : eddy_buf_puts(b, ",\"type\":");
        err = err ? err : put_str(b, e->enclosures[i].type);
        err = err ? err : eddy_buf_printf(b, ",\"length\":%" PRId64 "}", e->enclosures[i].length);
    }
    return err ? err : eddy_buf_puts(b, "]}");
}

/* b's text, detached for eddy__api_reply (NULL after an error). */
static int detach(struct eddy_buf *b, int err, char **text)
{
    *text = err ? NULL : eddy_buf_detach(b, NULL);
    eddy_buf_free(b);
    return err ? err : *text ? 0 : -ENOMEM;
}

/* The cursor is opaque to clients: the (date, id) of a page's last entry,
 * both in hex ("67522a80-2a"), read back strictly. */
static bool hex64(const char *s, size_t len, uint64_t *out)
{
    if (!len || len > 16 || strspn(s, "0123456789abcdef") < len)
        return false;
    *out = 0;
    for (size_t i = 0; i < len; i++)
        *out = *out << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
    return true;
}

void eddy__cursor_format(const struct eddy_store_cursor *c, char out[40])
{
    snprintf(out, 40, "%" PRIx64 "-%" PRIx64, (uint64_t)c->date, (uint64_t)c->id);
}

bool eddy__cursor_parse(const char *s, struct eddy_store_cursor *c)
{
    const char *dash = strchr(s, '-');
    uint64_t date, id;
    if (!dash || !hex64(s, (size_t)(dash - s), &date) || !hex64(dash + 1, strlen(dash + 1), &id) ||
        !id || id > INT64_MAX)
        return false;
    c->date = (int64_t)date, c->id = (int64_t)id;
    return true;
}

/* ------------------------------------------------------------------ list */

struct list_job {
    struct eddy_store_query q;
    struct eddy_store_cursor after;
    char *text; /* out */
};

static int list_reads(struct eddy_store *s, void *arg)
{
    struct list_job *j = arg;
    struct eddy_store_feed f = {0};
    int err = j->q.feed_id ? eddy_store_feed(s, j->q.feed_id, &f) : 0;
    eddy_store_feed_fini(&f);
    struct eddy_store_page page = {0};
    if (err < 0 || (err = eddy_store_entries(s, &j->q, &page)) < 0)
        return err;
    struct eddy_buf b = EDDY_BUF_INIT(0);
    err = eddy_buf_puts(&b, "{\"entries\":[");
    for (size_t i = 0; !err && i < page.n; i++) {
        err = i ? eddy_buf_putc(&b, ',') : 0;
        err = err ? err : put_entry(&b, &page.entries[i]);
    }
    char next[40];
    eddy__cursor_format(&page.next, next);
    err = err ? err : eddy_buf_puts(&b, "],\"next\":");
    err = err ? err : put_str(&b, page.more ? next : NULL);
    err = err ? err : eddy_buf_putc(&b, '}');
    eddy_store_page_fini(&page);
    return detach(&b, err, &j->text);
}

static int list_job(struct eddy_store *s, void *arg)
{
    return eddy_store_read_tx(s, list_reads, arg);
}

/* GET /entries and /feeds/<id>/entries (feed_id > 0: that feed's, and no
 * 'feed' parameter). */
static int list(struct eddy_request *req, struct eddy_response *res, int64_t feed_id)
{
    enum { FEED, CATEGORY, UNREAD, STARRED, SINCE, Q, SEARCH, LIMIT, CURSOR, N };
    static const char *const names[N] = {"feed", "category", "unread", "starred", "since",
                                         "q",    "search",   "limit",  "cursor"};
    const char *v[N] = {0};
    struct list_job j = {.q.feed_id = feed_id, .q.enclosures = true};
    int64_t n;
    bool ok = eddy__api_query(req, res, names + !!feed_id, v + !!feed_id, N - !!feed_id);
    if (ok && !feed_id && v[FEED])
        ok = eddy__api_int(res, "feed", v[FEED], 1, INT64_MAX, &j.q.feed_id);
    if (ok && (j.q.category = v[CATEGORY]) && !*v[CATEGORY])
        ok = eddy__api_bad(res, "'category' must not be empty");
    if (ok && v[UNREAD])
        ok = eddy__api_flag(res, "unread", v[UNREAD], &j.q.unread);
    if (ok && v[STARRED])
        ok = eddy__api_flag(res, "starred", v[STARRED], &j.q.starred);
    if (ok && v[SINCE])
        ok = eddy__api_int(res, "since", v[SINCE], 0, INT64_MAX, &j.q.since);
    if (ok && v[Q] && v[SEARCH])
        ok = eddy__api_bad(res, "'q' and 'search' are the same: give one");
    if (ok && (j.q.search = v[Q] ? v[Q] : v[SEARCH]) &&
        (!*j.q.search || strlen(j.q.search) > SEARCH_MAX))
        ok = eddy__api_bad(res, "'q' must have 1 to %d bytes", SEARCH_MAX);
    if (ok && v[LIMIT] && (ok = eddy__api_int(res, "limit", v[LIMIT], 1, EDDY_STORE_LIMIT_MAX, &n)))
        j.q.limit = (size_t)n;
    if (ok && v[CURSOR] && !eddy__cursor_parse(v[CURSOR], &j.after))
        ok = eddy__api_bad(res, "'cursor' is not one this API gave (use the reply's 'next')");
    j.q.after = v[CURSOR] ? &j.after : NULL;
    if (!ok)
        return 0;
    /* The reply depends on the path, the query and the store only (the
     * auth hook ran before): kept in the loop's cache (cache.h). */
    struct eddy__site *site = eddy__api_site(req);
    struct eddy__cache_key k;
    int err = eddy__cache_lookup(site->cache, site->store, req, res, NULL, &k, "api\n%s?%s",
                                 eddy_request_path(req), eddy_request_query(req));
    if (err)
        return err < 0 ? err : 0;
    err = eddy_store_run_await(site->store, false, list_job, &j);
    if (err < 0)
        return eddy__api_store_error(res, err, "feed");
    err = eddy__api_reply(res, 200, j.text);
    return err < 0 || !site->cache ? err
                                   : eddy__cache_keep(site->cache, req, k.key, k.len, k.gen,
                                                      "application/json", res, NULL);
}

static int v_list(struct eddy_request *req, struct eddy_response *res)
{
    return list(req, res, 0);
}

static int v_feed_entries(struct eddy_request *req, struct eddy_response *res)
{
    return list(req, res, eddy_request_param_int(req, "id"));
}

/* ----------------------------------------------------------------- marks */

/* One entry: marked as asked (-1: leave the flag), then read back. */
struct entry_job {
    int64_t id;
    int read, starred;
    char *text; /* out */
};

static int entry_job(struct eddy_store *s, void *arg)
{
    struct entry_job *j = arg;
    struct eddy_store_entry e = {0};
    int err = eddy_store_entry(s, j->id, &e);
    eddy_store_entry_fini(&e);
    if (!err && j->read >= 0)
        err = eddy_store_entries_mark(s, &j->id, 1, EDDY_STORE_READ, j->read);
    if (err >= 0 && j->starred >= 0)
        err = eddy_store_entries_mark(s, &j->id, 1, EDDY_STORE_STARRED, j->starred);
    if (err < 0 || (err = eddy_store_entry(s, j->id, &e)) < 0)
        return err;
    struct eddy_buf b = EDDY_BUF_INIT(0);
    err = put_entry(&b, &e);
    eddy_store_entry_fini(&e);
    return detach(&b, err, &j->text);
}

static int run_entry_job(struct eddy_request *req, struct eddy_response *res, struct entry_job *j)
{
    if (!eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    bool writes = j->read >= 0 || j->starred >= 0;
    int err = eddy_store_run_await(eddy__api_site(req)->store, writes, entry_job, j);
    return err < 0 ? eddy__api_store_error(res, err, "entry") : eddy__api_reply(res, 200, j->text);
}

int eddy__api_marks_decode(const json_t *body, struct eddy__api_marks *out, char *why)
{
    static const char *const one[] = {"read", "starred", NULL};
    static const char *const many[] = {"ids", "read", "starred", NULL};
    int64_t *ids = out->ids;
    *out = (struct eddy__api_marks){.read = -1, .starred = -1, .ids = ids};
    int err = eddy__api_body_check(body, ids ? many : one, why);
    if (!err)
        err = eddy__api_bool_decode(body, "read", &out->read, why);
    if (!err)
        err = eddy__api_bool_decode(body, "starred", &out->starred, why);
    if (!err && out->read < 0 && out->starred < 0)
        err = eddy__api_refuse(why, "nothing to mark: give 'read' or 'starred'");
    if (err || !ids)
        return err;
    json_t *list = json_object_get(body, "ids"), *id;
    size_t n = json_array_size(list), i;
    if (!json_is_array(list) || !n || n > EDDY_STORE_LIMIT_MAX)
        return eddy__api_refuse(why, "'ids' must be an array of 1 to %d entry ids",
                                EDDY_STORE_LIMIT_MAX);
    json_array_foreach(list, i, id)
    {
        if (!json_is_integer(id) || json_integer_value(id) < 1)
            return eddy__api_refuse(why, "'ids' must hold positive integers");
        ids[i] = json_integer_value(id);
    }
    out->n = n;
    return 0;
}

static int v_entry(struct eddy_request *req, struct eddy_response *res)
{
    struct entry_job j = {.id = eddy_request_param_int(req, "id"), .read = -1, .starred = -1};
    return run_entry_job(req, res, &j);
}

static int v_mark(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__api_marks m = {.ids = NULL};
    char why[EDDY__API_WHY];
    json_t *body = eddy__api_body(req, res);
    if (!body)
        return 0;
    if (eddy__api_marks_decode(body, &m, why) < 0)
        return eddy__api_error(res, 400, "%s", why);
    struct entry_job j = {
        .id = eddy_request_param_int(req, "id"), .read = m.read, .starred = m.starred};
    return run_entry_job(req, res, &j);
}

struct mark_job {
    int64_t *ids;
    size_t n;
    int read, starred;
    int changed; /* out */
};

static int mark_job(struct eddy_store *s, void *arg)
{
    struct mark_job *j = arg;
    int a = 0, b = 0;
    if (j->read >= 0)
        a = eddy_store_entries_mark(s, j->ids, j->n, EDDY_STORE_READ, j->read);
    if (a >= 0 && j->starred >= 0)
        b = eddy_store_entries_mark(s, j->ids, j->n, EDDY_STORE_STARRED, j->starred);
    if (a < 0 || b < 0)
        return a < 0 ? a : b;
    j->changed = a + b;
    return 0;
}

static int v_mark_many(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__api_marks m = {.ids =
                                    eddy_request_alloc(req, EDDY_STORE_LIMIT_MAX * sizeof *m.ids)};
    char why[EDDY__API_WHY];
    if (!m.ids)
        return -ENOMEM;
    json_t *body = eddy__api_body(req, res);
    if (!body || !eddy__api_query(req, res, NULL, NULL, 0))
        return 0;
    if (eddy__api_marks_decode(body, &m, why) < 0)
        return eddy__api_error(res, 400, "%s", why);
    struct mark_job j = {.ids = m.ids, .n = m.n, .read = m.read, .starred = m.starred};
    int err = eddy_store_run_await(eddy__api_site(req)->store, true, mark_job, &j);
    if (err < 0)
        return eddy__api_store_error(res, err, "entry");
    char *text;
    return eddy__api_dump(json_pack("{s:i}", "changed", j.changed), &text) < 0
               ? -ENOMEM
               : eddy__api_reply(res, 200, text);
}

int eddy__api_entry_routes(struct eddy_blueprint *bp)
{
    static const struct eddy__api_route routes[] = {
        {"GET", "/entries", v_list, "entries"},
        {"GET", "/feeds/<int:id>/entries", v_feed_entries, "feed_entries"},
        {"GET", "/entries/<int:id>", v_entry, "entry"},
        {"PUT,POST", "/entries/<int:id>", v_mark, "entry_mark"},
        {"POST", "/entries/mark", v_mark_many, "entries_mark"},
    };
    return eddy__api_add_routes(bp, routes, sizeof routes / sizeof routes[0]);
}
