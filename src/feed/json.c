/*
 * json.c — JSON Feed 1.0 and 1.1 (feedparser's parsers/json.py JSONParser),
 * internal to feed/.
 *
 * sax_driver.c hands us the whole document as UTF-8 (encoding.c has re-encoded
 * it and, for JSON, left it without an XML declaration) when the
 * Content-Type says JSON or when the XML parse found nothing; we fill the
 * same model the XML parser fills.  The JSON text is parsed by jansson (a
 * well-kept Debian library: no hand-written JSON parser), then walked the way
 * feedparser's newest JSONParser walks Python's json.load() result:
 *
 *   version        "json1" / "json11" from the version URL, "json" for any
 *                  other JSON document that parsed
 *   feed           title/subtitle/info (+ _detail {value, type}, stripped,
 *                  text/html when it looks like HTML, then sanitized), id and
 *                  the "self" link from feed_url (titled like the feed),
 *                  link and the "alternate" link from home_page_url, the
 *                  "next" link, image {href} from icon, icon from favicon,
 *                  complete from expired (only JSON true is true), hubs,
 *                  author/author_detail/authors {name, href, email from a
 *                  mailto: URL up to '?', image from avatar}
 *   entries        id (strings stripped; scalars coerced as feedparser does,
 *                  a missing id included: "null"), link (url), source
 *                  (external_url), as the JSON has them; title and summary
 *                  too, but with a detail (see item_fields)
 *
 * Where feedparser's entry code has bugs we give the model the rest of
 * eddy (and the documentation) promises, and say so here: content is
 * [{type "text/plain" | "text/html", language null, base, value}] (feedparser
 * stores one dict with type "text"/"html"; content_html is sanitized as it
 * does); published and updated (+ _parsed) come from date_published and
 * date_modified (feedparser tests for "date_updated" and then reads
 * "date_modified"); tags are [{term, scheme null, label null}] (feedparser
 * stores the raw list as "category", which its own FeedParserDict then
 * hides); the item's author is kept like the feed's (feedparser parses and
 * drops it); attachments are links {rel "enclosure", href, type, length}
 * (feedparser's "enclosures" key is shadowed by its FeedParserDict, which
 * derives enclosures from links).
 *
 * Which feedparser: the newest JSONParser (kurtmckee/feedparser master, with
 * its coerce_scalar, hubs, expired...).  The 6.0.11-6.0.14 one is older:
 * raw feed fields, "description" as summary, and a ValueError for a version
 * it does not know; both give the same for feeds like the conformance case.
 *
 * Errors as feedparser reports them: a document that is not JSON gives
 * "JSONDecodeError: ..." and no version; a JSON value that is not an object
 * gives version "json" and "AttributeError: '<type>' object has no attribute
 * 'get'".  jansson differs from Python's json module in what it refuses:
 * NaN/Infinity literals and integers beyond 64 bits are parse errors here.
 */
#include "json.h"

#include "html.h"
#include "internal.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* feedparser's JSON_VERSIONS */
static const struct {
    const char *url;
    const char *version;
} versions[] = {
    {"https://jsonfeed.org/version/1", "json1"},
    {"https://jsonfeed.org/version/1.1", "json11"},
};

/* ---- small helpers --------------------------------------------------------- */

static void oom(struct eddy__mixin *p, int err)
{
    if (err < 0)
        p->oom = true;
}

static void set(struct eddy__mixin *p, struct eddy_feed_value *o, const char *key,
                struct eddy_feed_value *v)
{
    oom(p, eddy__obj_set(p->arena, o, key, false, v));
}

static struct eddy_feed_value *str(struct eddy__mixin *p, const char *s, size_t n)
{
    return eddy__v_str(p->arena, s, n);
}

/* Python's str.isspace() for the code point at s (UTF-8, n bytes left):
 * the length of that whitespace character, 0 when it is none. */
static size_t space_len(const unsigned char *s, size_t n)
{
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r') || (s[0] >= 0x1C && s[0] <= 0x1F))
        return 1;
    if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (n >= 3 && s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80) /* U+1680 */
        return 3;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 &&
        (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 ||
         s[2] == 0xAF)) /* U+2000-200A, 2028, 2029, 202F */
        return 3;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) /* U+205F */
        return 3;
    if (n >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 */
        return 3;
    return 0;
}

/* str.strip(): s[0..*n) without leading and trailing whitespace. */
static const char *strip(const char *s, size_t *n)
{
    const unsigned char *b = (const unsigned char *)s;
    size_t len = *n, k;
    while (len && (k = space_len(b, len)) > 0)
        b += k, len -= k;
    /* trailing: step back over whole characters */
    for (;;) {
        size_t start = len;
        while (start && (b[start - 1] & 0xC0) == 0x80)
            start--;
        if (!start)
            break;
        start--;
        if (space_len(b + start, len - start) != len - start)
            break;
        len = start;
    }
    *n = len;
    return (const char *)b;
}

/* A JSON string, stripped; NULL when v is not a string. */
static const char *json_str_stripped(json_t *v, size_t *n)
{
    if (!json_is_string(v))
        return NULL;
    *n = json_string_length(v);
    return strip(json_string_value(v), n);
}

/* Python's repr() of a float: the shortest digits that read back, in
 * fixed notation for 1e-4 <= |x| < 1e16 (with ".0" when integral), else
 * d[.ddd]e+XX. */
static void py_float_repr(double x, char *out, size_t cap)
{
    char e[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, x);
        if (strtod(e, NULL) == x)
            break;
    }
    /* e = [-]d[.ddd]e[+-]XX */
    const char *s = e;
    bool neg = *s == '-';
    if (neg)
        s++;
    char digits[20];
    size_t nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.')
            digits[nd++] = *s;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int exp10 = atoi(s + 1), decpt = exp10 + 1;
    size_t o = 0;
#define PUT(c) (o + 1 < cap ? (void)(out[o++] = (char)(c)) : (void)0)
    if (neg)
        PUT('-');
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            PUT('0');
            PUT('.');
            for (int i = 0; i < -decpt; i++)
                PUT('0');
            for (size_t i = 0; i < nd; i++)
                PUT(digits[i]);
        } else {
            for (int i = 0; i < decpt; i++)
                PUT((size_t)i < nd ? digits[i] : '0');
            PUT('.');
            if ((size_t)decpt >= nd)
                PUT('0');
            for (size_t i = (size_t)decpt; i < nd; i++)
                PUT(digits[i]);
        }
    } else {
        PUT(digits[0]);
        if (nd > 1) {
            PUT('.');
            for (size_t i = 1; i < nd; i++)
                PUT(digits[i]);
        }
        char ex[16];
        snprintf(ex, sizeof ex, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
        for (const char *q = ex; *q; q++)
            PUT(*q);
    }
#undef PUT
    out[o] = 0;
}

/* A JSON value as a model value (raw fields feedparser copies as they are). */
static struct eddy_feed_value *from_json(struct eddy__mixin *p, json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        struct eddy_feed_value *o = eddy__v_obj(p->arena);
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) oom(p, eddy__obj_set(p->arena, o, k, true, from_json(p, v)));
        return o;
    }
    case JSON_ARRAY: {
        struct eddy_feed_value *a = eddy__v_arr(p->arena);
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) oom(p, eddy__arr_push(p->arena, a, from_json(p, v)));
        return a;
    }
    case JSON_STRING: return str(p, json_string_value(j), json_string_length(j));
    case JSON_INTEGER: return eddy__v_int(p->arena, (int64_t)json_integer_value(j));
    case JSON_REAL: return eddy__v_real(p->arena, json_real_value(j));
    case JSON_TRUE: return eddy__v_bool(p->arena, true);
    case JSON_FALSE: return eddy__v_bool(p->arena, false);
    default: return eddy__v_null(p->arena);
    }
}

/* HTML sanitized within the document's CPU budget: past it the value is
 * dropped (""), not kept half-sanitized, as the XML side does. */
static struct eddy_feed_value *sanitized(struct eddy__mixin *p, const char *s, size_t n)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    int err = eddy__html_sanitize_within(&b, s, n, false, p->budget);
    oom(p, err == -ETIME ? 0 : err);
    struct eddy_feed_value *v = str(p, err ? "" : eddy_buf_cstr(&b), err ? 0 : b.len);
    eddy_buf_free(&b);
    return v;
}

/* A text: key = value, key_detail = {value, type}; the value is sanitized
 * when it looks like HTML (feedparser's title, description and
 * user_comment handling). */
static void text_value(struct eddy__mixin *p, struct eddy_feed_value *o, const char *key,
                       const char *detail_key, const char *s, size_t n)
{
    bool html = eddy__looks_like_html(s, n);
    struct eddy_feed_value *value = html && p->sanitize_html ? sanitized(p, s, n) : str(p, s, n);
    set(p, o, key, value);
    struct eddy_feed_value *d = eddy__v_obj(p->arena);
    set(p, d, "value", value);
    set(p, d, "type", eddy__v_cstr(p->arena, html ? "text/html" : "text/plain"));
    set(p, o, detail_key, d);
}

/* The same, stripped, from a JSON string (nothing for any other value). */
static void text_construct(struct eddy__mixin *p, struct eddy_feed_value *o, const char *key,
                           const char *detail_key, json_t *j)
{
    size_t n;
    const char *s = json_str_stripped(j, &n);
    if (s)
        text_value(p, o, key, detail_key, s, n);
}

/* feeddata.setdefault("links", []).append({href, rel}) */
static struct eddy_feed_value *add_link(struct eddy__mixin *p, struct eddy_feed_value *o,
                                        const char *href, size_t n, const char *rel)
{
    struct eddy_feed_value *links = eddy__obj_get(o, "links");
    if (!links) {
        links = eddy__v_arr(p->arena);
        set(p, o, "links", links);
    }
    struct eddy_feed_value *l = eddy__v_obj(p->arena);
    set(p, l, "href", str(p, href, n));
    set(p, l, "rel", eddy__v_cstr(p->arena, rel));
    oom(p, eddy__arr_push(p->arena, links, l));
    return l;
}

/* _parse_author: {name, href, email, image}, NULL when it has none of them. */
static struct eddy_feed_value *parse_author(struct eddy__mixin *p, json_t *info)
{
    struct eddy_feed_value *a = eddy__v_obj(p->arena);
    size_t n;
    const char *s;
    bool any = false;
    if ((s = json_str_stripped(json_object_get(info, "name"), &n))) {
        set(p, a, "name", str(p, s, n));
        any = true;
    }
    if ((s = json_str_stripped(json_object_get(info, "url"), &n))) {
        set(p, a, "href", str(p, s, n));
        if (n >= 7 && !memcmp(s, "mailto:", 7)) {
            const char *q = memchr(s + 7, '?', n - 7);
            set(p, a, "email", str(p, s + 7, q ? (size_t)(q - s - 7) : n - 7));
        }
        any = true;
    }
    if ((s = json_str_stripped(json_object_get(info, "avatar"), &n))) {
        set(p, a, "image", str(p, s, n));
        any = true;
    }
    return any ? a : NULL;
}

/* author_detail, authors and author (the name) on o, from a JSON object. */
static void set_author(struct eddy__mixin *p, struct eddy_feed_value *o, json_t *info)
{
    if (!json_is_object(info))
        return;
    struct eddy_feed_value *a = parse_author(p, info);
    if (!a)
        return;
    struct eddy_feed_value *list = eddy__v_arr(p->arena);
    oom(p, eddy__arr_push(p->arena, list, a));
    set(p, o, "authors", list);
    set(p, o, "author_detail", a);
    struct eddy_feed_value *name = eddy__obj_get(a, "name");
    if (name)
        set(p, o, "author", name);
}

/* ---- the feed -------------------------------------------------------------- */

static void parse_feed_keys(struct eddy__mixin *p, json_t *data)
{
    struct eddy_feed_value *f = p->feeddata;
    size_t n;
    const char *s;

    text_construct(p, f, "title", "title_detail", json_object_get(data, "title"));
    text_construct(p, f, "subtitle", "subtitle_detail", json_object_get(data, "description"));
    if ((s = json_str_stripped(json_object_get(data, "feed_url"), &n))) {
        /* "The feed URL is also...sigh...the feed ID." */
        set(p, f, "id", str(p, s, n));
        struct eddy_feed_value *l = add_link(p, f, s, n, "self");
        struct eddy_feed_value *title = eddy__obj_get(f, "title");
        if (title)
            set(p, l, "title", title);
    }
    if ((s = json_str_stripped(json_object_get(data, "home_page_url"), &n))) {
        set(p, f, "link", str(p, s, n));
        add_link(p, f, s, n, "alternate");
    }
    if ((s = json_str_stripped(json_object_get(data, "icon"), &n))) {
        struct eddy_feed_value *img = eddy__v_obj(p->arena);
        set(p, img, "href", str(p, s, n));
        set(p, f, "image", img);
    }
    if ((s = json_str_stripped(json_object_get(data, "favicon"), &n)))
        set(p, f, "icon", str(p, s, n));
    text_construct(p, f, "info", "info_detail", json_object_get(data, "user_comment"));
    if ((s = json_str_stripped(json_object_get(data, "next_url"), &n)))
        add_link(p, f, s, n, "next");
    json_t *expired = json_object_get(data, "expired");
    if (expired) /* "only boolean true means finished" */
        set(p, f, "complete", eddy__v_bool(p->arena, json_is_true(expired)));
    json_t *hubs = json_object_get(data, "hubs");
    if (hubs) {
        struct eddy_feed_value *list = eddy__v_arr(p->arena);
        set(p, f, "hubs", list);
        size_t i;
        json_t *hub;
        json_array_foreach(hubs, i, hub)
        { /* a non-array gives no iterations */
            size_t un, tn;
            const char *url = json_str_stripped(json_object_get(hub, "url"), &un);
            const char *type = json_str_stripped(json_object_get(hub, "type"), &tn);
            if (!url || !type)
                continue;
            struct eddy_feed_value *h = eddy__v_obj(p->arena);
            set(p, h, "url", str(p, url, un));
            set(p, h, "type", str(p, type, tn));
            oom(p, eddy__arr_push(p->arena, list, h));
        }
    }
    set_author(p, f, json_object_get(data, "author"));
}

/* ---- the entries ----------------------------------------------------------- */

/* coerce_scalar: the id of an item given as a JSON scalar. */
static struct eddy_feed_value *coerce_scalar(struct eddy__mixin *p, json_t *v)
{
    char b[40];
    if (!v || json_is_null(v))
        return eddy__v_cstr(p->arena, "null");
    if (json_is_boolean(v))
        return eddy__v_cstr(p->arena, json_is_true(v) ? "true" : "false");
    if (json_is_integer(v)) {
        snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return eddy__v_cstr(p->arena, b);
    }
    double d = json_real_value(v);
    if (isnan(d))
        return eddy__v_cstr(p->arena, "NaN");
    if (isinf(d))
        return eddy__v_cstr(p->arena, d < 0 ? "-Infinity" : "Infinity");
    py_float_repr(d, b, sizeof b);
    return eddy__v_cstr(p->arena, b);
}

/* JSON Feed 1.1 defines title and summary as plain text; feedparser returns
 * them as they are, untyped, so a page that shows an untyped value as HTML
 * (as it must for RSS) runs what a JSON Feed puts there.  They get a detail
 * and HTML in them is sanitized, as for the feed's title and for RSS. */
static const struct {
    const char *src, *dst, *detail;
} item_fields[] = {
    {"title", "title", "title_detail"},
    {"url", "link", NULL},
    {"summary", "summary", "summary_detail"},
    {"external_url", "source", NULL},
};

/* Whether parse_entry() below gives the item any key: feedparser drops
 * empty entries.  An id that is not an object or array always counts, even
 * a missing one ("null"), so only items with such an id can be empty. */
static bool entry_has_keys(json_t *item)
{
    json_t *id = json_object_get(item, "id");
    if (!json_is_object(id) && !json_is_array(id))
        return true;
    static const char *const keys[] = {
        "title",          "url",           "summary", "external_url", "content_text",
        "date_published", "date_modified", NULL};
    for (const char *const *k = keys; *k; k++)
        if (json_object_get(item, *k))
            return true;
    if (json_is_string(json_object_get(item, "content_html")) ||
        json_is_array(json_object_get(item, "tags")))
        return true;
    json_t *author = json_object_get(item, "author");
    static const char *const author_keys[] = {"name", "url", "avatar", NULL};
    for (const char *const *k = author_keys; *k; k++)
        if (json_is_string(json_object_get(author, *k)))
            return true;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(item, "attachments"), i, a)
    {
        if (json_is_string(json_object_get(a, "url")))
            return true;
    }
    return false;
}

/* published / updated: the raw value and its parse. */
static void date_pair(struct eddy__mixin *p, struct eddy_feed_value *e, const char *key,
                      const char *parsed_key, json_t *v)
{
    if (!v)
        return;
    set(p, e, key, from_json(p, v));
    set(p, e, parsed_key, eddy__date_value(p, json_is_string(v) ? json_string_value(v) : NULL));
}

static void parse_entry(struct eddy__mixin *p, struct eddy_feed_value *e, json_t *item)
{
    size_t n;
    const char *s;
    json_t *v = json_object_get(item, "id");
    if ((s = json_str_stripped(v, &n)))
        set(p, e, "id", str(p, s, n));
    else if (!json_is_object(v) && !json_is_array(v))
        set(p, e, "id", coerce_scalar(p, v));

    for (size_t i = 0; i < sizeof item_fields / sizeof item_fields[0]; i++) {
        if (!(v = json_object_get(item, item_fields[i].src)))
            continue;
        if (item_fields[i].detail && json_is_string(v))
            text_value(p, e, item_fields[i].dst, item_fields[i].detail, json_string_value(v),
                       json_string_length(v));
        else
            set(p, e, item_fields[i].dst, from_json(p, v));
    }

    json_t *text = json_object_get(item, "content_text"),
           *html = json_object_get(item, "content_html");
    if (text || json_is_string(html)) {
        struct eddy_feed_value *c = eddy__v_obj(p->arena);
        set(p, c, "type", eddy__v_cstr(p->arena, text ? "text/plain" : "text/html"));
        set(p, c, "language", eddy__v_null(p->arena));
        set(p, c, "base", eddy__v_cstr(p->arena, eddy_buf_cstr(&p->baseuri)));
        if (text) {
            set(p, c, "value", from_json(p, text));
        } else { /* content_html is always sanitized */
            set(p, c, "value", sanitized(p, json_string_value(html), json_string_length(html)));
        }
        struct eddy_feed_value *list = eddy__v_arr(p->arena);
        oom(p, eddy__arr_push(p->arena, list, c));
        set(p, e, "content", list);
    }

    date_pair(p, e, "published", "published_parsed", json_object_get(item, "date_published"));
    date_pair(p, e, "updated", "updated_parsed", json_object_get(item, "date_modified"));

    json_t *tags = json_object_get(item, "tags");
    if (json_is_array(tags)) {
        struct eddy_feed_value *list = eddy__v_arr(p->arena);
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            if (!json_is_string(t))
                continue;
            struct eddy_feed_value *tag = eddy__v_obj(p->arena);
            set(p, tag, "term", str(p, json_string_value(t), json_string_length(t)));
            set(p, tag, "scheme", eddy__v_null(p->arena));
            set(p, tag, "label", eddy__v_null(p->arena));
            oom(p, eddy__arr_push(p->arena, list, tag));
        }
        set(p, e, "tags", list);
    }

    set_author(p, e, json_object_get(item, "author"));

    json_t *atts = json_object_get(item, "attachments");
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        if (!json_is_object(a))
            continue;
        json_t *url = json_object_get(a, "url");
        if (!json_is_string(url))
            continue;
        struct eddy_feed_value *l =
            add_link(p, e, json_string_value(url), json_string_length(url), "enclosure");
        json_t *type = json_object_get(a, "mime_type"), *size = json_object_get(a, "size_in_bytes");
        if (type)
            set(p, l, "type", from_json(p, type));
        if (size)
            set(p, l, "length", from_json(p, size));
    }
}

/* ---- entry point ----------------------------------------------------------- */

static const char *python_type(json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_ARRAY: return "list";
    case JSON_STRING: return "str";
    case JSON_INTEGER: return "int";
    case JSON_REAL: return "float";
    case JSON_TRUE:
    case JSON_FALSE: return "bool";
    case JSON_NULL: return "NoneType";
    default: return "dict";
    }
}

int eddy__json_parse(struct eddy__mixin *p, const char *data, size_t len, char *exc, size_t excsize)
{
    json_error_t jerr;
    /* Python's json: any value at the top, NUL allowed in strings, the
     * last of duplicate keys wins (jansson's default too). */
    json_t *root = json_loadb(data ? data : "", len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        if (exc && excsize)
            snprintf(exc, excsize, "JSONDecodeError: %s: line %d column %d (char %d)", jerr.text,
                     jerr.line, jerr.column, jerr.position);
        return -EINVAL;
    }

    snprintf(p->version, sizeof p->version, "json");
    size_t n;
    const char *v = json_str_stripped(json_object_get(root, "version"), &n);
    for (size_t i = 0; v && i < sizeof versions / sizeof versions[0]; i++)
        if (n == strlen(versions[i].url) && !memcmp(v, versions[i].url, n))
            snprintf(p->version, sizeof p->version, "%s", versions[i].version);

    if (!json_is_object(root)) {
        if (exc && excsize)
            snprintf(exc, excsize, "AttributeError: '%s' object has no attribute 'get'",
                     python_type(root));
        json_decref(root);
        return -EINVAL;
    }

    parse_feed_keys(p, root);

    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(root, "items"), i, item)
    {
        if (!json_is_object(item) || !entry_has_keys(item))
            continue;
        if (eddy__over_budget(p->budget))
            break;
        eddy__entry_begin(p);
        struct eddy_feed_value *entries = p->entries;
        size_t ne = entries ? entries->u.a.n : 0;
        struct eddy_feed_value *e = ne ? entries->u.a.items[ne - 1] : NULL;
        if (e)
            parse_entry(p, e, item);
        else
            p->oom = true;
        eddy__entry_end(p);
    }
    json_decref(root);
    if (p->budget && p->budget->over)
        p->budget->at = len; /* jansson read it all; no offset of an item is known */
    return p->oom ? -ENOMEM : 0;
}
