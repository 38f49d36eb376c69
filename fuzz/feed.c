/*
 * fuzz/feed.c — libFuzzer target for the whole feed parser, through its
 * public API only (include/eddy/feed.h).
 *
 * Input: two parameter bytes, then the document (at most 64 KiB).
 *   byte 0  how the document is split into pushes: low 3 bits pick 1-, 2-,
 *           3-, 7-, 64- or 511-byte chunks or sizes drawn from the upper bits
 *           (1..16 or 1..4096 bytes, varying from chunk to chunk);
 *   byte 1  bit 0: pass a URL; bits 1-3: Content-Type (none, text/xml,
 *           application/xml, application/rss+xml, application/atom+xml,
 *           text/plain, application/json, application/feed+json); bits 5-7:
 *           its charset parameter (none, utf-8, iso-8859-1, utf-16,
 *           windows-1252, gb2312, koi8-r, a bogus name); bit 4: ETag,
 *           Last-Modified, Content-Location and Content-Language headers.
 *
 * Checks, besides "no crash, no leak, no undefined behaviour":
 *   a. the document in one push gives a result (NULL only on ENOMEM, and
 *      inputs are small) whose every value, walked with the accessors, is
 *      consistent (strings NUL-terminated, valid UTF-8, lengths and indexes
 *      agree), whose JSON is valid (jansson reads it back) and holds exactly
 *      the same tree (no duplicate key, no lost or changed value);
 *   b. the same document pushed in the chunks byte 0 picks gives
 *      byte-identical JSON and the same diagnostics (chunking never changes
 *      the result);
 *   c. in callback mode (on_entry), one push and chunked pushes give the
 *      same entries (their JSON, in order) and the same final result; each
 *      entry passes the checks of (a); when the buffered parse was clean
 *      (no bozo, no HTTP charset rules in play) the callback sees as many
 *      entries as (a) has — callback mode has no loose second pass and reads
 *      the encoding as libxml2 does (feed.h), so for bozo documents or a
 *      Content-Type charset the counts may legitimately differ.
 */
#include "eddy/feed.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOC (64 * 1024)

static const char *phase = ""; /* which parse a failure is in */

static void fail(const char *why, const char *a, const char *b)
{
    fprintf(stderr, "fuzz/feed: %s (%s)\n", why, phase);
    if (a)
        fprintf(stderr, "--- first:\n%.4000s\n", a);
    if (b)
        fprintf(stderr, "--- second:\n%.4000s\n", b);
    abort();
}

/* ---- the value tree ------------------------------------------------------- */

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). */
static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k;
        unsigned min, cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1, min = 0x80, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2, min = 0x800, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Walks v with the public accessors and compares it with j, jansson's
 * reading of its JSON. */
static void walk(const struct eddy_feed_value *v, const json_t *j, const char *doc)
{
    if (!v)
        fail("NULL value in the tree", doc, NULL);
    switch (eddy_feed_type(v)) {
    case EDDY_FEED_NULL:
        if (!json_is_null(j))
            fail("null is not JSON null", doc, NULL);
        break;
    case EDDY_FEED_BOOL:
        if (!json_is_boolean(j) || json_is_true(j) != eddy_feed_bool(v))
            fail("boolean differs in JSON", doc, NULL);
        break;
    case EDDY_FEED_INT:
        if (!json_is_integer(j) || json_integer_value(j) != eddy_feed_int(v))
            fail("integer differs in JSON", doc, NULL);
        break;
    case EDDY_FEED_REAL: {
        double d = eddy_feed_real(v);
        if (!isfinite(d)) { /* GeoRSS "nan", "inf": float() takes them; JSON has no such numbers */
            if (!json_is_null(j))
                fail("NaN or infinity is not JSON null", doc, NULL);
            break;
        }
        /* "%.17g" of an integral double reads back as a JSON integer */
        double r = json_is_real(j)      ? json_real_value(j)
                   : json_is_integer(j) ? (double)json_integer_value(j)
                                        : d + 1;
        if (r != d)
            fail("real differs in JSON", doc, NULL);
        break;
    }
    case EDDY_FEED_STRING: {
        size_t len = (size_t)-1;
        const char *s = eddy_feed_str(v, &len);
        if (!s || len == (size_t)-1 || s[len] != 0)
            fail("string without its NUL", doc, NULL);
        if (!utf8_ok((const unsigned char *)s, len))
            fail("string is not valid UTF-8", s, doc);
        if (eddy_feed_str(v, NULL) != s)
            fail("eddy_feed_str(v, NULL) differs", s, doc);
        if (!json_is_string(j) || json_string_length(j) != len ||
            memcmp(json_string_value(j), s, len))
            fail("string differs in JSON", s, doc);
        break;
    }
    case EDDY_FEED_ARRAY: {
        size_t n = eddy_feed_len(v);
        if (!json_is_array(j) || json_array_size(j) != n)
            fail("array differs in JSON", doc, NULL);
        for (size_t i = 0; i < n; i++)
            walk(eddy_feed_at(v, i), json_array_get(j, i), doc);
        if (eddy_feed_at(v, n) || eddy_feed_first(v))
            fail("array accessors out of range", doc, NULL);
        break;
    }
    case EDDY_FEED_OBJECT: {
        size_t n = 0;
        if (!json_is_object(j))
            fail("object is not a JSON object", doc, NULL);
        for (const struct eddy_feed_member *m = eddy_feed_first(v); m; m = eddy_feed_next(m), n++) {
            const char *key = eddy_feed_member_key(m);
            if (!key || !utf8_ok((const unsigned char *)key, strlen(key)))
                fail("object key NULL or not UTF-8", key, doc);
            const struct eddy_feed_value *mv = eddy_feed_member_value(m);
            if (eddy_feed_get(v, key) != mv)
                fail("eddy_feed_get differs from the member (duplicate key?)", key, doc);
            walk(mv, json_object_get(j, key), doc);
        }
        if (n != eddy_feed_len(v) || json_object_size(j) != n)
            fail("object length differs (duplicate key?)", doc, NULL);
        if (eddy_feed_at(v, 0))
            fail("eddy_feed_at on an object", doc, NULL);
        break;
    }
    default: fail("unknown value type", doc, NULL);
    }
}

/* JSON of v (caller frees), checked: valid, and the same tree as v. */
static char *checked_json(const struct eddy_feed_value *v, size_t *len, const char *doc)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    if (eddy_feed_to_json(v, &b) || !b.len)
        fail("eddy_feed_to_json failed", doc, NULL);
    json_error_t err;
    json_t *j = json_loadb(b.data, b.len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);
    if (!j) {
        fprintf(stderr, "jansson: %s at %d:%d\n", err.text, err.line, err.column);
        fail("invalid JSON", eddy_buf_cstr(&b), doc);
    }
    walk(v, j, doc);
    json_decref(j);
    return eddy_buf_detach(&b, len);
}

/* ---- parameters ----------------------------------------------------------- */

struct params {
    uint8_t split, flags;
    struct eddy_feed_header h[5];
    char ctype[96];
    struct eddy_feed_opts o;
    size_t chunk_state;
};

static const char *const types[] = {NULL,
                                    "text/xml",
                                    "application/xml",
                                    "application/rss+xml",
                                    "application/atom+xml",
                                    "text/plain",
                                    "application/json",
                                    "application/feed+json"};
static const char *const charsets[] = {NULL,           "utf-8",  "iso-8859-1", "utf-16",
                                       "windows-1252", "gb2312", "koi8-r",     "x-bogus"};

static void params_init(struct params *P, uint8_t split, uint8_t flags)
{
    memset(P, 0, sizeof *P);
    P->split = split;
    P->flags = flags;
    size_t n = 0;
    const char *t = types[(flags >> 1) & 7], *cs = charsets[flags >> 5];
    if (t) {
        snprintf(P->ctype, sizeof P->ctype, "%s%s%s", t, cs ? "; charset=" : "", cs ? cs : "");
        P->h[n++] = (struct eddy_feed_header){"Content-Type", P->ctype};
    }
    if (flags & 16) {
        P->h[n++] = (struct eddy_feed_header){"ETag", "\"abc\""};
        P->h[n++] = (struct eddy_feed_header){"Last-Modified", "Wed, 25 Nov 2026 08:00:00 GMT"};
        P->h[n++] = (struct eddy_feed_header){"Content-Location", "../other/feed.xml"};
        P->h[n++] = (struct eddy_feed_header){"content-language", "en_US"};
    }
    P->o.headers = n ? P->h : NULL;
    P->o.nheaders = n;
    P->o.url = flags & 1 ? "http://example.com/feeds/main.xml" : NULL;
}

/* The size of the next chunk. */
static size_t next_chunk(struct params *P)
{
    static const size_t fixed[] = {1, 2, 3, 7, 64, 511};
    unsigned mode = P->split & 7;
    if (mode < 6)
        return fixed[mode];
    P->chunk_state = P->chunk_state * 1103515245u + 12345u + (P->split >> 3);
    size_t r = (P->chunk_state >> 8) & 0xFFFF;
    return mode == 6 ? r % 16 + 1 : r % 4096 + 1;
}

/* Pushes doc whole (chunked false) or in chunks; finishes. */
static struct eddy_feed *run(struct params *P, const struct eddy_feed_opts *o, const uint8_t *doc,
                             size_t n, bool chunked)
{
    struct eddy_feed_parser *p = eddy_feed_parser_new(o);
    if (!p)
        fail("eddy_feed_parser_new gave NULL", NULL, NULL);
    P->chunk_state = P->split;
    for (size_t off = 0; off < n;) {
        size_t k = chunked ? next_chunk(P) : n;
        if (k > n - off)
            k = n - off;
        int err = eddy_feed_parser_push(p, doc + off, k);
        if (err)
            fail("eddy_feed_parser_push failed on a small document", NULL, NULL);
        off += k;
    }
    struct eddy_feed *f;
    int err = eddy_feed_parser_finish(p, &f);
    eddy_feed_parser_free(p);
    if (err)
        fail("eddy_feed_parser_finish failed", NULL, NULL);
    return f;
}

/* ---- callback mode ---------------------------------------------------------- */

struct cb {
    struct eddy_buf log; /* the entries' JSON, one a line */
    size_t n;            /* entries seen */
    const char *doc;
};

static int on_entry(void *arg, const struct eddy_feed_value *entry)
{
    struct cb *c = arg;
    if (eddy_feed_type(entry) != EDDY_FEED_OBJECT)
        fail("an entry is not an object", c->doc, NULL);
    size_t len;
    char *j = checked_json(entry, &len, c->doc);
    if (eddy_buf_append(&c->log, j, len) || eddy_buf_putc(&c->log, '\n'))
        abort();
    free(j);
    c->n++;
    return 0;
}

static void diags_equal(const struct eddy_feed *a, const struct eddy_feed *b, const char *what)
{
    size_t n = eddy_feed_diag_count(a);
    if (eddy_feed_diag_count(b) != n)
        fail(what, "diagnostic counts differ", NULL);
    for (size_t i = 0; i < n; i++) {
        size_t oa, ob;
        const char *ma = eddy_feed_diag(a, i, &oa), *mb = eddy_feed_diag(b, i, &ob);
        if (!ma || !mb || strcmp(ma, mb) || oa != ob)
            fail(what, ma, mb);
    }
    if (eddy_feed_diag(a, n, NULL))
        fail("eddy_feed_diag out of range gave a record", NULL, NULL);
}

/* The JSON of a result without bozo_exception. */
static char *values_json(const struct eddy_feed_value *root)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    for (const struct eddy_feed_member *m = eddy_feed_first(root); m; m = eddy_feed_next(m))
        if (strcmp(eddy_feed_member_key(m), "bozo_exception"))
            if (eddy_buf_printf(&b, "%s:", eddy_feed_member_key(m)) ||
                eddy_feed_to_json(eddy_feed_member_value(m), &b) || eddy_buf_putc(&b, '\n'))
                abort();
    return eddy_buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size - 2 > MAX_DOC)
        return 0;
    struct params P;
    params_init(&P, data[0], data[1]);
    const uint8_t *doc = data + 2;
    size_t n = size - 2;
    /* a NUL-terminated copy, only to print the document in failure messages */
    char *shown = malloc(n + 1);
    memcpy(shown, doc, n);
    shown[n] = 0;

    /* a. one push */
    phase = "one push";
    struct eddy_feed *fa = run(&P, &P.o, doc, n, false);
    const struct eddy_feed_value *root = eddy_feed_root(fa);
    if (eddy_feed_type(root) != EDDY_FEED_OBJECT ||
        eddy_feed_type(eddy_feed_get(root, "bozo")) != EDDY_FEED_BOOL)
        fail("the result has no bozo", shown, NULL);
    size_t la;
    char *ja = checked_json(root, &la, shown);
    bool bozo = eddy_feed_bool(eddy_feed_get(root, "bozo"));
    size_t nentries = eddy_feed_len(eddy_feed_get(root, "entries"));

    /* b. chunked pushes: the same JSON, the same diagnostics */
    phase = "chunked";
    struct eddy_feed *fb = run(&P, &P.o, doc, n, true);
    size_t lb;
    struct eddy_buf jb = EDDY_BUF_INIT(0);
    if (eddy_feed_to_json(eddy_feed_root(fb), &jb))
        abort();
    lb = jb.len;
    if (la != lb || memcmp(ja, jb.data, la))
        fail("chunked pushes changed the result", ja, eddy_buf_cstr(&jb));
    diags_equal(fa, fb, "chunked pushes changed the diagnostics");
    eddy_buf_free(&jb);
    eddy_feed_free(fb);

    /* c. callback mode, one push then chunks */
    struct cb c1 = {EDDY_BUF_INIT(0), 0, shown}, c2 = {EDDY_BUF_INIT(0), 0, shown};
    struct eddy_feed_opts o1 = P.o, o2 = P.o;
    o1.on_entry = o2.on_entry = on_entry;
    o1.arg = &c1;
    o2.arg = &c2;
    phase = "callback mode, one push";
    struct eddy_feed *f1 = run(&P, &o1, doc, n, false);
    phase = "callback mode, chunked";
    struct eddy_feed *f2 = run(&P, &o2, doc, n, true);
    phase = "callback mode, comparing";
    size_t l1, l2;
    char *j1 = checked_json(eddy_feed_root(f1), &l1, shown);
    char *j2 = checked_json(eddy_feed_root(f2), &l2, shown);
    if (c1.log.len != c2.log.len ||
        memcmp(eddy_buf_cstr(&c1.log), eddy_buf_cstr(&c2.log), c1.log.len))
        fail("chunked pushes changed the entries given to on_entry", eddy_buf_cstr(&c1.log),
             eddy_buf_cstr(&c2.log));
    if (eddy_feed_bool(eddy_feed_get(eddy_feed_root(f1), "bozo"))) {
        /* Known: for an ill-formed document the first error found (the
         * exception) and the order of the diagnostics may depend on where
         * the chunks end (the '&' repair scanner runs ahead of libxml2), so
         * only the values are compared. */
        char *v1 = values_json(eddy_feed_root(f1)), *v2 = values_json(eddy_feed_root(f2));
        if (strcmp(v1, v2))
            fail("chunked pushes changed the result in callback mode", v1, v2);
        free(v1);
        free(v2);
    } else {
        if (l1 != l2 || memcmp(j1, j2, l1))
            fail("chunked pushes changed the result in callback mode", j1, j2);
        diags_equal(f1, f2, "chunked pushes changed the diagnostics in callback mode");
    }
    if (eddy_feed_len(eddy_feed_get(eddy_feed_root(f1), "entries")))
        fail("callback mode kept entries in the result", j1, NULL);
    bool charset = (P.flags >> 1) & 7 && P.flags >> 5;
    if (!bozo && !charset && c1.n != nentries) {
        char msg[96];
        snprintf(msg, sizeof msg, "on_entry saw %zu entries, the buffered result has %zu", c1.n,
                 nentries);
        fail(msg, ja, shown);
    }

    free(j1);
    free(j2);
    eddy_buf_free(&c1.log);
    eddy_buf_free(&c2.log);
    eddy_feed_free(f1);
    eddy_feed_free(f2);
    free(ja);
    eddy_feed_free(fa);
    free(shown);
    return 0;
}
