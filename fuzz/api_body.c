/* fuzz/api_body.c — libFuzzer target for the JSON API's request bodies
 * (src/app/api*.c): the first byte picks the endpoint (POST /feeds, PATCH
 * /feeds/N, PUT /entries/N, POST /entries/mark), the rest is the body,
 * parsed as the framework parses it (jansson, duplicate keys refused) and
 * decoded by the function the view calls.  Checked: a refusal has a message
 * a JSON error can carry (non-empty UTF-8: json_pack takes it); what is
 * accepted keeps every documented bound (an http(s) URL, titles and
 * categories NULL or short whole C strings, marks -1/0/1 with one given,
 * 1 to 1000 positive ids); decoding is deterministic, and the decoded
 * request written back as JSON decodes to the same request. */
#include "../src/app/api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { ADD, PATCH, MARK, MARK_MANY, ENDPOINTS };

struct decoded {
    int err;
    struct eddy__api_feed_add add;
    struct eddy__api_feed_patch patch;
    struct eddy__api_marks marks;
    int64_t ids[EDDY_STORE_LIMIT_MAX];
    char why[EDDY__API_WHY];
};

static void decode(int which, const json_t *body, struct decoded *d)
{
    memset(d->why, 0, sizeof d->why);
    d->marks = (struct eddy__api_marks){.ids = which == MARK_MANY ? d->ids : NULL};
    switch (which) {
    case ADD: d->err = eddy__api_feed_add_decode(body, &d->add, d->why); break;
    case PATCH: d->err = eddy__api_feed_patch_decode(body, &d->patch, d->why); break;
    default: d->err = eddy__api_marks_decode(body, &d->marks, d->why); break;
    }
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static bool same(int which, const struct decoded *a, const struct decoded *b)
{
    if (a->err != b->err)
        return false;
    if (a->err)
        return !strcmp(a->why, b->why);
    switch (which) {
    case ADD:
        return same_str(a->add.url, b->add.url) && same_str(a->add.title, b->add.title) &&
               same_str(a->add.category, b->add.category);
    case PATCH:
        return a->patch.set_title == b->patch.set_title &&
               a->patch.set_category == b->patch.set_category &&
               same_str(a->patch.title, b->patch.title) &&
               same_str(a->patch.category, b->patch.category);
    default:
        return a->marks.read == b->marks.read && a->marks.starred == b->marks.starred &&
               a->marks.n == b->marks.n && !memcmp(a->ids, b->ids, a->marks.n * sizeof a->ids[0]);
    }
}

/* NULL, or a non-empty C string of at most max bytes: the JSON string it
 * came from had no NUL (jansson refuses \u0000 without JSON_ALLOW_NUL). */
static void check_text(const char *s, size_t max)
{
    if (s && (!*s || strlen(s) > max))
        abort();
}

static void check(int which, const struct decoded *d)
{
    if (d->err) {
        json_t *msg = json_pack("{s:s}", "error", d->why);
        if (d->err != -EINVAL || !d->why[0] || !msg)
            abort(); /* no 400 could say this */
        json_decref(msg);
        return;
    }
    switch (which) {
    case ADD:
        if (!d->add.url || !eddy__api_url_valid(d->add.url))
            abort();
        check_text(d->add.title, EDDY__API_TITLE_MAX);
        check_text(d->add.category, EDDY__API_CATEGORY_MAX);
        break;
    case PATCH:
        if (!d->patch.set_title && !d->patch.set_category)
            abort(); /* nothing to change is refused */
        if ((d->patch.title && !d->patch.set_title) ||
            (d->patch.category && !d->patch.set_category))
            abort();
        check_text(d->patch.title, EDDY__API_TITLE_MAX);
        check_text(d->patch.category, EDDY__API_CATEGORY_MAX);
        break;
    default:
        if (d->marks.read < -1 || d->marks.read > 1 || d->marks.starred < -1 ||
            d->marks.starred > 1 || (d->marks.read < 0 && d->marks.starred < 0))
            abort();
        if (which == MARK && d->marks.n)
            abort();
        if (which == MARK_MANY && (!d->marks.n || d->marks.n > EDDY_STORE_LIMIT_MAX))
            abort();
        for (size_t i = 0; i < d->marks.n; i++)
            if (d->ids[i] < 1)
                abort();
    }
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int set_flag(json_t *o, const char *key, int v)
{
    return v < 0 ? 0 : json_object_set_new(o, key, json_boolean(v));
}

/* The decoded request as the JSON a client would send for it. */
static json_t *rewrite(int which, const struct decoded *d)
{
    json_t *o = json_object();
    int err = !o;
    switch (which) {
    case ADD:
        err |= json_object_set_new(o, "url", json_string(d->add.url));
        err |= json_object_set_new(o, "title", text_or_null(d->add.title));
        err |= json_object_set_new(o, "category", text_or_null(d->add.category));
        break;
    case PATCH:
        if (d->patch.set_title)
            err |= json_object_set_new(o, "title", text_or_null(d->patch.title));
        if (d->patch.set_category)
            err |= json_object_set_new(o, "category", text_or_null(d->patch.category));
        break;
    default:
        err |= set_flag(o, "read", d->marks.read) | set_flag(o, "starred", d->marks.starred);
        if (which == MARK_MANY) {
            json_t *ids = json_array();
            for (size_t i = 0; ids && i < d->marks.n; i++)
                err |= json_array_append_new(ids, json_integer(d->ids[i]));
            err |= json_object_set_new(o, "ids", ids);
        }
    }
    if (err)
        abort();
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > EDDY__API_BODY_MAX)
        return 0;
    int which = data[0] % ENDPOINTS;
    json_error_t e;
    json_t *body = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &e);
    if (!body)
        return 0; /* the framework's 400 "invalid JSON" */
    static struct decoded a, b, c;
    decode(which, body, &a);
    check(which, &a);
    decode(which, body, &b);
    if (!same(which, &a, &b))
        abort(); /* deterministic */
    if (!a.err) {
        json_t *w = rewrite(which, &a);
        char *text = json_dumps(w, JSON_COMPACT);
        json_decref(w);
        json_t *again = text ? json_loads(text, JSON_REJECT_DUPLICATES, &e) : NULL;
        if (!again)
            abort();
        decode(which, again, &c);
        if (!same(which, &a, &c))
            abort(); /* written back, decoded as another request */
        json_decref(again);
        free(text);
    }
    json_decref(body);
    return 0;
}
