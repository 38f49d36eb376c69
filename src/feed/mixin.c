/*
 * mixin.c — feedparser's _FeedParserMixin in C: what happens at each start
 * tag, end tag and piece of text, independent of the tokenizer: sax_driver.c
 * drives it from libxml2's SAX2 callbacks, loose.c (p->loose) from a port of
 * feedparser's loose SGML parser for ill-formed documents.
 *
 * This is a faithful port of feedparser 6's mixin.py (element dispatch by
 * canonical namespace prefix, the elementstack of text pieces, push/pop with
 * its base64 / relative URI / HTML detection / sanitizing steps, xml:base and
 * xml:lang scopes, contentparams, authors, tags).  Quirks are kept on
 * purpose where they change results (e.g. the scope stack is not popped for
 * a <div> inside escaped content), because the goal is feedparser's output.
 * One deliberate difference: _start_content pushes 'content' once, not twice
 * (feedparser leaks one elementstack entry per Atom <content>; nothing reads
 * it, and dropping it keeps memory bounded on huge feeds).
 *
 * Memory: values go to p->arena (the result arena, or the entry arena in
 * callback mode); the element stack, scopes and contentparams reuse their
 * buffers, so steady-state parsing does not call malloc.
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "entities4.h"
#include "html.h"
#include "uri.h"

/* ---- small helpers -------------------------------------------------------- */

static void oom(struct eddy__mixin *p, int err)
{
    if (err)
        p->oom = true;
}

struct eddy_feed_value *eddy__str_value(struct eddy__mixin *p, const char *s)
{
    struct eddy_feed_value *v = s ? eddy__v_cstr(p->arena, s) : eddy__v_null(p->arena);
    if (!v)
        p->oom = true;
    return v;
}

/* eddy_buf_cstr and eddy_feed_str inline: as calls they were 0.4% of
 * parsing (pop reads its buffers a few dozen times) */
static inline const char *cstr(const struct eddy_buf *b)
{
    return b->data ? b->data : "";
}

/* entries[-1], NULL when there is none (the public accessors are calls) */
static struct eddy_feed_value *last_entry(const struct eddy__mixin *p)
{
    const struct eddy_feed_value *e = p->entries;
    return e && e->type == EDDY_FEED_ARRAY && e->u.a.n ? e->u.a.items[e->u.a.n - 1] : NULL;
}

static const char *vstr(const struct eddy_feed_value *v)
{
    return v && v->type == EDDY_FEED_STRING ? v->u.s.p : NULL;
}
static bool truthy_str(const char *s)
{
    return s && *s;
}
static bool streq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

static bool in_set(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (s[0] == (*set)[0] && !strcmp(s, *set))
            return true;
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !memcmp(s + n - m, suffix, m);
}

/* Python's str.isspace() for one code point at s (UTF-8); returns its byte
 * length when it is whitespace, else 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
    if (!n)
        return 0;
    unsigned c = s[0];
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F))
        return 1;
    if (c < 0x80)
        return 0;
    size_t len = eddy__utf8_seq(s, n, NULL);
    if (!len)
        return 0;
    unsigned cp = len == 2   ? (c & 0x1F) << 6 | (s[1] & 0x3F)
                  : len == 3 ? (c & 0x0F) << 12 | (s[1] & 0x3F) << 6 | (s[2] & 0x3F)
                             : 0;
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return len;
    return 0;
}

/* str.strip() on s[*off .. *off+*len) */
static void strip_span(const char *s, size_t *off, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t b = *off, e = *off + *len, k;
    while (b < e && (k = space_at(u + b, e - b)))
        b += k;
    while (e > b) {
        /* find the start of the last code point */
        size_t st = e - 1;
        while (st > b && (u[st] & 0xC0) == 0x80)
            st--;
        if (!space_at(u + st, e - st))
            break;
        e = st;
    }
    *off = b;
    *len = e - b;
}

static bool is_blank(const char *s, size_t n)
{
    size_t off = 0, len = n;
    strip_span(s, &off, &len);
    return len == 0;
}

/* out and tmp trade their memory: a result built in tmp becomes out, no copy */
static void swap_bufs(struct eddy_buf *a, struct eddy_buf *b)
{
    struct eddy_buf t = *a;
    *a = *b;
    *b = t;
    cstr(a);
    if (!a->data)
        eddy_buf_reserve(a, 1);
}

static void set_buf(struct eddy__mixin *p, struct eddy_buf *b, const char *s, size_t n);

/* ---- FeedParserDict semantics -------------------------------------------- */

/* keymap of FeedParserDict.__setitem__ (a list maps to its first key),
 * by the key's first letter: most keys have none of these letters and leave
 * at the switch, the others compare a few (scanning the whole map was 2% of
 * parsing, in strcmp) */
static const char *const setmap_c[][2] = {{"channel", "feed"},
                                          {"copyright", "rights"},
                                          {"copyright_detail", "rights_detail"},
                                          {NULL, NULL}};
static const char *const setmap_d[][2] = {{"date", "updated"},
                                          {"date_parsed", "updated_parsed"},
                                          {"description", "summary"},
                                          {"description_detail", "summary_detail"},
                                          {NULL, NULL}};
static const char *const setmap_g[][2] = {{"guid", "id"}, {NULL, NULL}};
static const char *const setmap_i[][2] = {{"items", "entries"},
                                          {"issued", "published"},
                                          {"issued_parsed", "published_parsed"},
                                          {NULL, NULL}};
static const char *const setmap_m[][2] = {
    {"modified", "updated"}, {"modified_parsed", "updated_parsed"}, {NULL, NULL}};
static const char *const setmap_t[][2] = {
    {"tagline", "subtitle"}, {"tagline_detail", "subtitle_detail"}, {NULL, NULL}};
static const char *const setmap_u[][2] = {{"url", "href"}, {NULL, NULL}};

static const char *mapkey(const char *key)
{
    const char *const(*m)[2];
    switch (key[0]) {
    case 'c': m = setmap_c; break;
    case 'd': m = setmap_d; break;
    case 'g': m = setmap_g; break;
    case 'i': m = setmap_i; break;
    case 'm': m = setmap_m; break;
    case 't': m = setmap_t; break;
    case 'u': m = setmap_u; break;
    default: return key;
    }
    /* (the second letter first: "title" is no "tagline", "content" no "copyright") */
    for (; (*m)[0]; m++)
        if (key[1] == (*m)[0][1] && !strcmp(key, (*m)[0]))
            return (*m)[1];
    return key;
}

void eddy__fp_set(struct eddy__mixin *p, struct eddy_feed_value *o, const char *key,
                  struct eddy_feed_value *v)
{
    const char *k = mapkey(key);
    /* keys that are not literals must be copied into the arena */
    bool copy = k == key;
    oom(p, eddy__obj_set(p->arena, o, k, copy, v));
}

/* FeedParserDict.__getitem__ without the warnings; NULL for KeyError.  The
 * computed keys (category, enclosures, license) are not needed by the
 * parser itself except 'license', handled by its caller. */
struct eddy_feed_value *eddy__fp_get(const struct eddy_feed_value *o, const char *key)
{
    if (key[0] == 'd' && (!strcmp(key, "description") || !strcmp(key, "description_detail"))) {
        const char *a = key[11] ? "summary_detail" : "summary";
        const char *b = key[11] ? "subtitle_detail" : "subtitle";
        struct eddy_feed_value *v = eddy__obj_get(o, a);
        return v ? v : eddy__obj_get(o, b);
    }
    if (key[0] == 'u' && (!strcmp(key, "updated") || !strcmp(key, "updated_parsed"))) {
        struct eddy_feed_value *v = eddy__obj_get(o, key);
        if (v)
            return v;
        return eddy__obj_get(o, key[7] ? "published_parsed" : "published");
    }
    const char *k = mapkey(key);
    struct eddy_feed_value *v = eddy__obj_get(o, k);
    return v || k == key ? v : eddy__obj_get(o, key);
}

/* `key in d`: d[key], or NULL when not in d (the updated keys' fallback
 * to published is for reading, not for `in`) */
static struct eddy_feed_value *fp_in(const struct eddy_feed_value *o, const char *key)
{
    if (key[0] == 'u' && (!strcmp(key, "updated") || !strcmp(key, "updated_parsed")))
        return eddy__obj_get(o, key);
    return eddy__fp_get(o, key);
}

static bool fp_has(const struct eddy_feed_value *o, const char *key)
{
    return fp_in(o, key) != NULL;
}

struct eddy_feed_value *eddy__fp_setdefault(struct eddy__mixin *p, struct eddy_feed_value *o,
                                            const char *key, struct eddy_feed_value *dflt)
{
    struct eddy_feed_value *v = fp_in(o, key);
    if (v)
        return v;
    /* mapkey(key) was just looked up and is not in o: no second lookup */
    const char *k = mapkey(key);
    oom(p, eddy__obj_add(p->arena, o, k, k == key, dflt));
    return dflt;
}

const char *eddy__attr(const struct eddy_feed_value *attrs, const char *key)
{
    return vstr(eddy__obj_get(attrs, key));
}

void eddy__attr_set(struct eddy__mixin *p, struct eddy_feed_value *attrs, const char *key,
                    const char *value)
{
    struct eddy_feed_value *v = eddy__v_cstr(&p->scratch, value);
    oom(p, eddy__obj_set(&p->scratch, attrs, key, true, v));
}

/* ---- contentparams -------------------------------------------------------- */

static void cp_clear(struct eddy__mixin *p)
{
    p->cp.has_type = p->cp.has_lang = p->cp.has_base = p->cp.has_src = false;
    p->cp.xhtml = p->cp.htmlish = p->cp.xmlish = false;
    p->cp.base64 = false;
}

/* contentparams.get('type', dflt) */
static const char *cp_type(struct eddy__mixin *p, const char *dflt)
{
    return p->cp.has_type ? cstr(&p->cp.type) : dflt;
}

/* ASCII case-insensitive a == b (b lower case) */
static bool ascii_ieq(const char *a, const char *b)
{
    for (; *b; a++, b++)
        if (*a != *b && !(*a >= 'A' && *a <= 'Z' && *a + 32 == *b))
            return false;
    return !*a;
}

/* Whether eddy__map_content_type(t) is text/html or application/xhtml+xml,
 * without its copy: the map lowers the type (non-ASCII bytes stay
 * non-ASCII) and maps "html" and "xhtml". */
static bool maps_to_html(const char *t)
{
    return ascii_ieq(t, "text/html") || ascii_ieq(t, "application/xhtml+xml") ||
           ascii_ieq(t, "html") || ascii_ieq(t, "xhtml");
}

static void cp_set_type(struct eddy__mixin *p, const char *t)
{
    /* the type of the last content again (each title, each description):
     * its text and what it is are still there */
    if (p->cp.type.data == t || !p->cp.type.data || strcmp(p->cp.type.data, t)) {
        if (p->cp.type.data != t) {
            eddy_buf_reset(&p->cp.type);
            oom(p, eddy_buf_puts(&p->cp.type, t));
        }
        const char *type = cstr(&p->cp.type);
        p->cp.type_xhtml = !strcmp(type, "application/xhtml+xml");
        p->cp.type_htmlish = maps_to_html(type);
        p->cp.type_xmlish = ends_with(type, "xml");
    }
    p->cp.has_type = true;
    p->cp.xhtml = p->cp.type_xhtml;
    p->cp.htmlish = p->cp.type_htmlish;
    p->cp.xmlish = p->cp.type_xmlish;
}

/* copy.deepcopy(self.contentparams) + value (the value node is shared:
 * values are never modified in place) */
/* A string value equal to b, reusing the last one made for this slot when
 * the text is the same (type, language and base repeat in every detail). */
static struct eddy_feed_value *cached_str(struct eddy__mixin *p, int slot, const struct eddy_buf *b,
                                          bool null)
{
    struct eddy_feed_value *v = p->strcache[slot];
    if (v && p->strcache_arena[slot] == p->arena &&
        (null ? v->type == EDDY_FEED_NULL
              : v->type == EDDY_FEED_STRING && v->u.s.len == b->len &&
                    !memcmp(v->u.s.p, cstr(b), b->len)))
        return v;
    v = eddy__str_value(p, null ? NULL : cstr(b));
    p->strcache[slot] = v;
    p->strcache_arena[slot] = p->arena;
    return v;
}

static struct eddy_feed_value *cp_detail(struct eddy__mixin *p, struct eddy_feed_value *value)
{
    struct eddy_feed_value *d = eddy__v_obj(p->arena);
    if (p->cp.has_type)
        oom(p, eddy__obj_add(p->arena, d, "type", false, cached_str(p, 0, &p->cp.type, false)));
    if (p->cp.has_lang)
        oom(p, eddy__obj_add(p->arena, d, "language", false,
                             cached_str(p, 1, &p->cp.lang, p->cp.lang_null)));
    if (p->cp.has_base)
        oom(p, eddy__obj_add(p->arena, d, "base", false, cached_str(p, 2, &p->cp.base, false)));
    if (p->cp.has_src)
        oom(p, eddy__obj_add(p->arena, d, "src", false, eddy__str_value(p, cstr(&p->cp.src))));
    oom(p, eddy__obj_add(p->arena, d, "value", false, value));
    return d;
}

/* ---- URIs ----------------------------------------------------------------- */

/* make_safe_absolute_uri(base, rel) into out */
static void safe_abs(struct eddy__mixin *p, struct eddy_buf *out, const char *base, const char *rel)
{
    eddy_buf_reset(out);
    if (!base || !*base) {
        oom(p, eddy_buf_puts(out, rel ? rel : ""));
        return;
    }
    if (!rel || !*rel) {
        if (eddy__uri_scheme_ok(base))
            oom(p, eddy_buf_puts(out, base));
        return;
    }
    oom(p, eddy__uri_resolve_safe(out, base, rel));
}

const char *eddy__resolve_uri(struct eddy__mixin *p, const char *uri)
{
    eddy_buf_reset(&p->tmp);
    oom(p, eddy__uri_resolve(&p->tmp, cstr(&p->baseuri), uri));
    return cstr(&p->tmp);
}

const char *eddy__map_content_type(struct eddy__mixin *p, const char *type)
{
    if (!type)
        type = "";
    bool lower = true;
    for (const char *s = type; *s && lower; s++)
        lower = !(*s >= 'A' && *s <= 'Z') && !((unsigned char)*s >= 0x80);
    if (lower && strlen(type) > 5)
        return type; /* nothing to map (the common case: no copy) */
    eddy_buf_reset(&p->tmp2);
    oom(p, eddy_buf_puts(&p->tmp2, type));
    if (p->tmp2.data)
        eddy__lower(p->tmp2.data, p->tmp2.len);
    const char *t = cstr(&p->tmp2);
    if (!strcmp(t, "text") || !strcmp(t, "plain"))
        return "text/plain";
    if (!strcmp(t, "html"))
        return "text/html";
    if (!strcmp(t, "xhtml"))
        return "application/xhtml+xml";
    return t;
}

/* ---- dates ---------------------------------------------------------------- */

struct eddy_feed_value *eddy__date_value(struct eddy__mixin *p, const char *s)
{
    struct eddy__date d;
    if (!s || !eddy__date_parse(s, strlen(s), &d))
        return eddy__str_value(p, NULL);
    /* the array, its items and its 9 ints in one allocation: pushed one by
     * one they were 19 allocations and 544 bytes (6% of the result of the
     * bench corpus's feeds) */
    struct date_block {
        struct eddy_feed_value arr, ints[9];
        struct eddy_feed_value *items[9];
    } *b = eddy_arena_alloc(p->arena, sizeof *b);
    if (!b) {
        p->oom = true;
        return NULL;
    }
    int64_t f[9] = {d.year, d.mon, d.mday, d.hour, d.min, d.sec, d.wday, d.yday, 0};
    memset(b, 0, sizeof *b);
    b->arr.type = EDDY_FEED_ARRAY;
    b->arr.u.a.items = b->items;
    b->arr.u.a.n = b->arr.u.a.cap = 9;
    for (int i = 0; i < 9; i++) {
        b->ints[i].type = EDDY_FEED_INT;
        b->ints[i].u.i = f[i];
        b->items[i] = &b->ints[i];
    }
    return &b->arr;
}

/* ---- the element stack ---------------------------------------------------- */

/* feedparser's elementstack can only grow where a handler pushes a name it
 * never pops (itunes:link pushes 'itunes_image'...): past this many open
 * entries the document is absurd and pushes are dropped, to bound memory. */
#define MAX_FRAMES 4096

void eddy__push(struct eddy__mixin *p, const char *element, bool expecting_text)
{
    if (p->nframes >= MAX_FRAMES)
        return;
    if (p->nframes == p->capframes) {
        size_t cap = p->capframes ? p->capframes * 2 : 16;
        struct eddy__frame *f = realloc(p->frames, cap * sizeof *f);
        if (!f) {
            p->oom = true;
            return;
        }
        memset(f + p->capframes, 0, (cap - p->capframes) * sizeof *f);
        p->frames = f;
        p->capframes = cap;
    }
    struct eddy__frame *f = &p->frames[p->nframes++];
    eddy_buf_reset(&f->text);
    size_t n = strlen(element);
    if (f->name.cap > n) { /* the frame's buffer, reused: no call */
        memcpy(f->name.data, element, n + 1);
        f->name.len = n;
    } else {
        eddy_buf_reset(&f->name);
        oom(p, eddy_buf_append(&f->name, element, n));
    }
    f->expecting_text = expecting_text;
    f->npieces = 0;
}

/* Appends a piece to the top frame (handle_data).  Consecutive text pieces
 * are merged: only the markup pieces' boundaries matter to pop(). */
static void add_piece(struct eddy__mixin *p, const char *s, size_t n, bool markup)
{
    if (!p->nframes)
        return;
    struct eddy__frame *f = &p->frames[p->nframes - 1];
    if (markup || !f->npieces || f->pieces[f->npieces - 1].markup) {
        if (f->npieces == f->cappieces) {
            size_t cap = f->cappieces ? f->cappieces * 2 : 8;
            struct eddy__piece *np = realloc(f->pieces, cap * sizeof *np);
            if (!np) {
                p->oom = true;
                return;
            }
            f->pieces = np;
            f->cappieces = cap;
        }
        f->pieces[f->npieces++] = (struct eddy__piece){(uint32_t)f->text.len, markup};
    }
    oom(p, eddy_buf_append(&f->text, s, n));
}

/* xml.sax.saxutils.escape */
static void append_escaped(struct eddy__mixin *p, struct eddy_buf *b, const char *s, size_t n,
                           bool quot)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = s[i] == '&'             ? "&amp;"
                          : s[i] == '<'           ? "&lt;"
                          : s[i] == '>'           ? "&gt;"
                          : (quot && s[i] == '"') ? "&quot;"
                                                  : NULL;
        if (!rep)
            continue;
        oom(p, eddy_buf_append(b, s + run, i - run));
        oom(p, eddy_buf_puts(b, rep));
        run = i + 1;
    }
    oom(p, eddy_buf_append(b, s + run, n - run));
}

static __attribute__((noinline)) void handle_data_slow(struct eddy__mixin *p, const char *s,
                                                       size_t n)
{
    if (p->cp.xhtml) {
        eddy_buf_reset(&p->tmp);
        append_escaped(p, &p->tmp, s, n, false);
        add_piece(p, p->tmp.data ? p->tmp.data : "", p->tmp.len, false);
        return;
    }
    add_piece(p, s, n, false);
}

void eddy__handle_data(struct eddy__mixin *p, const char *s, size_t n)
{
    if (!p->nframes)
        return;
    /* add_piece's common case inline: more text after text, and room (a
     * call per text node and entity was 3% of parsing); memcpy last, as a
     * tail call, so that this path saves no registers */
    struct eddy__frame *f = &p->frames[p->nframes - 1];
    struct eddy_buf *t = &f->text;
    if (!p->cp.xhtml && f->npieces && !f->pieces[f->npieces - 1].markup && t->cap > t->len + n) {
        char *dst = t->data + t->len;
        t->len += n;
        t->data[t->len] = 0;
        memcpy(dst, s, n);
        return;
    }
    handle_data_slow(p, s, n);
}

static void replace_all(struct eddy__mixin *p, struct eddy_buf *b, const char *from,
                        const char *to);

/* handle_data(text, escape=0) for text (CDATA in the loose parser) */
void eddy__handle_data_raw(struct eddy__mixin *p, const char *s, size_t n)
{
    add_piece(p, s, n, false);
}

static void append_utf8(struct eddy__mixin *p, struct eddy_buf *b, unsigned long cp)
{
    char u[4];
    oom(p, eddy_buf_append(b, u, eddy__utf8_encode((uint32_t)cp, u)));
}

/* mixin.handle_charref (the loose parser's references) */
void eddy__handle_charref(struct eddy__mixin *p, const char *ref, size_t n)
{
    if (!p->nframes || !n || n > 16)
        return;
    char r[20];
    for (size_t i = 0; i < n; i++)
        r[i] = (char)tolower((unsigned char)ref[i]);
    r[n] = 0;
    static const char *const kept[] = {"34",  "38",  "39",  "60",  "62", "x22",
                                       "x26", "x27", "x3c", "x3e", NULL};
    eddy_buf_reset(&p->tmp);
    if (in_set(r, kept)) {
        oom(p, eddy_buf_printf(&p->tmp, "&#%s;", r));
    } else {
        unsigned long cp = r[0] == 'x' ? strtoul(r + 1, NULL, 16) : strtoul(r, NULL, 10);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return; /* Python raises here; keep going without it */
        append_utf8(p, &p->tmp, cp);
    }
    add_piece(p, cstr(&p->tmp), p->tmp.len, false);
}

/* mixin.handle_entityref (the loose parser's references) */
void eddy__handle_entityref(struct eddy__mixin *p, const char *name, size_t n)
{
    if (!p->nframes)
        return;
    char ref[64];
    if (n >= sizeof ref)
        n = sizeof ref - 1;
    memcpy(ref, name, n);
    ref[n] = 0;
    static const char *const xml5[] = {"lt", "gt", "quot", "amp", "apos", NULL};
    eddy_buf_reset(&p->tmp);
    if (in_set(ref, xml5)) {
        oom(p, eddy_buf_printf(&p->tmp, "&%s;", ref));
    } else {
        const char *val = NULL;
        for (size_t i = 0; i < p->nentities; i++)
            if (!strcmp(p->entities[i].name, ref))
                val = p->entities[i].raw;
        char u[5];
        if (val) {
            size_t vl = strlen(val);
            if (vl > 2 && val[0] == '&' && val[1] == '#' && val[vl - 1] == ';') {
                /* feedparser recurses with the reference itself as a name:
                 * it is no HTML entity, so "&" + it + ";" */
                oom(p, eddy_buf_printf(&p->tmp, "&%s;", val));
            } else {
                oom(p, eddy_buf_puts(&p->tmp, val));
            }
        } else if (eddy__entity4(ref, n, u)) {
            oom(p, eddy_buf_puts(&p->tmp, u));
        } else {
            oom(p, eddy_buf_printf(&p->tmp, "&%s;", ref));
        }
    }
    add_piece(p, cstr(&p->tmp), p->tmp.len, false);
}

/* _LooseFeedParser.decode_entities */
static void decode_entities(struct eddy__mixin *p, struct eddy_buf *b)
{
    static const char *const always[][2] = {
        {"&#60;", "&lt;"},   {"&#x3c;", "&lt;"},   {"&#x3C;", "&lt;"},  {"&#62;", "&gt;"},
        {"&#x3e;", "&gt;"},  {"&#x3E;", "&gt;"},   {"&#38;", "&amp;"},  {"&#x26;", "&amp;"},
        {"&#34;", "&quot;"}, {"&#x22;", "&quot;"}, {"&#39;", "&apos;"}, {"&#x27;", "&apos;"},
    };
    static const char *const nonxml[][2] = {
        {"&lt;", "<"},   {"&gt;", ">"},   {"&amp;", "&"},  {"&quot;", "\""},
        {"&apos;", "'"}, {"&#x2f;", "/"}, {"&#x2F;", "/"},
    };
    if (!b->data || !memchr(b->data, '&', b->len))
        return;
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        replace_all(p, b, always[i][0], always[i][1]);
    if (!ends_with(cp_type(p, "xml"), "xml"))
        for (size_t i = 0; i < sizeof nonxml / sizeof nonxml[0]; i++)
            replace_all(p, b, nonxml[i][0], nonxml[i][1]);
}

/* base64.decodebytes(output).decode('utf8'), false on error */
static bool b64decode(struct eddy_buf *out, const char *s, size_t n)
{
    static signed char map[256];
    if (!map['B']) { /* idempotent init of a constant table */
        signed char m[256];
        memset(m, -1, sizeof m);
        const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; i++)
            m[(unsigned char)abc[i]] = (signed char)i;
        memcpy(map, m, sizeof m);
    }
    unsigned acc = 0;
    int bits = 0, pads = 0;
    size_t quads = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '=') {
            pads++;
            quads++;
            continue;
        }
        if (map[c] < 0)
            continue; /* binascii ignores non-alphabet characters */
        if (pads)
            return false;
        quads++;
        acc = acc << 6 | (unsigned)map[c];
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (eddy_buf_putc(out, (int)((acc >> bits) & 0xFF)))
                return false;
        }
    }
    if (quads % 4)
        return false; /* "Incorrect padding" */
    /* must be valid UTF-8 */
    if (!eddy__utf8_valid((const unsigned char *)cstr(out), out->len))
        return false;
    return true;
}

static int cmp_entity4(const void *key, const void *elem)
{
    return strcmp(key, ((const struct eddy__entity4 *)elem)->name);
}

size_t eddy__entity4(const char *name, size_t len, char utf8[5])
{
    char key[16];
    if (!len || len >= sizeof key)
        return 0;
    memcpy(key, name, len);
    key[len] = 0;
    const struct eddy__entity4 *e =
        bsearch(key, eddy__entities4, sizeof eddy__entities4 / sizeof eddy__entities4[0],
                sizeof eddy__entities4[0], cmp_entity4);
    if (!e)
        return 0;
    size_t n = eddy__utf8_encode(e->cp, utf8);
    utf8[n] = 0;
    return n;
}

static bool wordc(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

/* mixin/util.looks_like_html: a close tag or an entity, only acceptable
 * elements, only HTML 4 entity names (used by the XML and JSON Feed paths). */
bool eddy__looks_like_html(const char *s, size_t n)
{
    bool close = false, ent = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<' && i + 1 < n && s[i + 1] == '/') {
            size_t e = i + 2;
            while (e < n && wordc((unsigned char)s[e]))
                e++;
            close |= e > i + 2 && e < n && s[e] == '>';
        } else if (s[i] == '&') {
            size_t st = i + 1 + (i + 1 < n && s[i + 1] == '#'), e = st;
            while (e < n && wordc((unsigned char)s[e]))
                e++;
            ent |= e > st && e < n && s[e] == ';';
        }
    }
    if (!close && !ent)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<') {
            size_t st = i + 1 + (i + 1 < n && s[i + 1] == '/'), e = st;
            while (e < n && wordc((unsigned char)s[e]))
                e++;
            if (e > st) {
                char tag[32];
                if (e - st >= sizeof tag)
                    return false;
                for (size_t k = 0; k < e - st; k++)
                    tag[k] = (char)(s[st + k] >= 'A' && s[st + k] <= 'Z' ? s[st + k] - 'A' + 'a'
                                                                         : s[st + k]);
                tag[e - st] = 0;
                if (!eddy__html_acceptable_element(tag, e - st))
                    return false;
            }
        } else if (s[i] == '&') {
            size_t st = i + 1, e = st;
            while (e < n && wordc((unsigned char)s[e]))
                e++;
            char u[5];
            if (e > st && e < n && s[e] == ';' && !eddy__entity4(s + st, e - st, u))
                return false;
        }
    }
    return true;
}

/* re.sub("&([A-Za-z0-9_]+);", r"&\1", s) in place */
static void fix_query_amps(struct eddy_buf *b)
{
    char *s = b->data;
    if (!s)
        return;
    size_t w = 0;
    for (size_t r = 0; r < b->len;) {
        if (s[r] == '&') {
            size_t e = r + 1;
            while (e < b->len && (isalnum((unsigned char)s[e]) || s[e] == '_'))
                e++;
            if (e > r + 1 && e < b->len && s[e] == ';') {
                memmove(s + w, s + r, e - r);
                w += e - r;
                r = e + 1;
                continue;
            }
        }
        s[w++] = s[r++];
    }
    b->len = w;
    s[w] = 0;
}

static void replace_all(struct eddy__mixin *p, struct eddy_buf *b, const char *from, const char *to)
{
    if (!b->data || !strstr(b->data, from))
        return;
    eddy_buf_reset(&p->tmp2);
    size_t fl = strlen(from);
    const char *s = b->data, *q;
    while ((q = strstr(s, from))) {
        oom(p, eddy_buf_append(&p->tmp2, s, (size_t)(q - s)));
        oom(p, eddy_buf_puts(&p->tmp2, to));
        s = q + fl;
    }
    oom(p, eddy_buf_puts(&p->tmp2, s));
    swap_bufs(b, &p->tmp2);
}

/* output.encode('iso-8859-1').decode('utf-8') when both succeed */
/* The length of the ASCII run that starts s[0..n), 32 bytes a step: every
 * value is scanned for the two fixes below, which only non-ASCII text needs. */
static size_t ascii_run(const unsigned char *s, size_t n)
{
    const uint64_t high = 0x8080808080808080u;
    size_t i = 0;
    uint64_t w[4];
    for (; i + 32 <= n; i += 32) {
        memcpy(w, s + i, 32);
        if ((w[0] | w[1] | w[2] | w[3]) & high)
            break;
    }
    for (; i + 8 <= n; i += 8) {
        memcpy(w, s + i, 8);
        if (w[0] & high)
            break;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

/* (b[0..ascii) is ASCII) */
static void fix_double_utf8(struct eddy__mixin *p, struct eddy_buf *b, size_t ascii)
{
    const unsigned char *u = (const unsigned char *)b->data;
    bool high = false;
    for (size_t i = ascii; i < b->len;) {
        if (u[i] < 0x80) {
            /* ASCII a word at a time */
            uint64_t w;
            if (i + 8 <= b->len && (memcpy(&w, u + i, 8), !(w & 0x8080808080808080u)))
                i += 8;
            else
                i++;
            continue;
        }
        if (u[i] != 0xC2 && u[i] != 0xC3)
            return; /* a code point above U+00FF: not latin-1 encodable */
        high = true;
        i += 2;
    }
    if (!high)
        return;
    /* the Latin-1 bytes, written in place (never longer than the text) */
    eddy_buf_reset(&p->tmp2);
    if (eddy_buf_reserve(&p->tmp2, b->len)) {
        p->oom = true;
        return;
    }
    unsigned char *w = (unsigned char *)p->tmp2.data;
    memcpy(w, u, ascii);
    w += ascii;
    for (size_t i = ascii; i < b->len; i++) {
        unsigned c = u[i];
        if (c >= 0x80) {
            c = (c & 0x1F) << 6 | (u[i + 1] & 0x3F);
            i++;
        }
        *w++ = (unsigned char)c;
    }
    p->tmp2.len = (size_t)(w - (unsigned char *)p->tmp2.data);
    p->tmp2.data[p->tmp2.len] = 0;
    if (!eddy__utf8_valid((const unsigned char *)p->tmp2.data, p->tmp2.len))
        return;
    swap_bufs(b, &p->tmp2);
}

/* output.translate(_cp1252): U+0080..U+009F -> the windows-1252 characters */
static void fix_cp1252(struct eddy__mixin *p, struct eddy_buf *b, size_t ascii)
{
    static const char *const tab[32] = {
        "\u20ac", NULL,     "\u201a", "\u0192", "\u201e", "\u2026", "\u2020", "\u2021",
        "\u02c6", "\u2030", "\u0160", "\u2039", "\u0152", NULL,     "\u017d", NULL,
        NULL,     "\u2018", "\u2019", "\u201c", "\u201d", "\u2022", "\u2013", "\u2014",
        "\u02dc", "\u2122", "\u0161", "\u203a", "\u0153", NULL,     "\u017e", "\u0178",
    };
    const unsigned char *u = (const unsigned char *)b->data;
    bool any = false;
    /* memchr for the lead byte: a bytewise scan of every value was 1% of parsing */
    for (const unsigned char *q = u + ascii, *end = u + b->len;
         b->len > 1 && (q = memchr(q, 0xC2, (size_t)(end - q))) && q + 1 < end; q++)
        if (q[1] >= 0x80 && q[1] <= 0x9F && tab[q[1] - 0x80]) {
            any = true;
            break;
        }
    if (!any)
        return;
    eddy_buf_reset(&p->tmp2);
    for (size_t i = 0; i < b->len; i++) {
        if (i + 1 < b->len && u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F &&
            tab[u[i + 1] - 0x80]) {
            oom(p, eddy_buf_puts(&p->tmp2, tab[u[i + 1] - 0x80]));
            i++;
            continue;
        }
        oom(p, eddy_buf_putc(&p->tmp2, u[i]));
    }
    eddy_buf_reset(b);
    oom(p, eddy_buf_append(b, p->tmp2.data, p->tmp2.len));
}

/* The index of key in the current entry's property_depth_map, or
 * p->ndepth_map when absent. */
static size_t depth_map_find(struct eddy__mixin *p, const char *key)
{
    if (p->depth_map_entry != last_entry(p)) {
        p->depth_map_entry = last_entry(p);
        p->ndepth_map = 0;
    }
    size_t i = 0;
    while (i < p->ndepth_map &&
           (p->depth_map[i].key[0] != key[0] || strcmp(p->depth_map[i].key, key)))
        i++;
    return i;
}

/* depth_map[key] = depth at index i (depth_map_find's) */
static void depth_map_set(struct eddy__mixin *p, size_t i, const char *key, int depth)
{
    if (i < p->ndepth_map) {
        p->depth_map[i].depth = depth;
        return;
    }
    if (p->ndepth_map < sizeof p->depth_map / sizeof p->depth_map[0] &&
        strlen(key) < sizeof p->depth_map[0].key) {
        strcpy(p->depth_map[p->ndepth_map].key, key);
        p->depth_map[p->ndepth_map++].depth = depth;
    }
}

/* What pop() tests an element name for (feedparser's can_be_relative_uri
 * and can_contain_markup, and the names it treats apart), found with a
 * switch and a strcmp or two: a dozen strcmp per pop were 1.3% of parsing. */
enum el_kind {
    EL_OTHER,
    EL_CATEGORY,
    EL_TAGS,
    EL_ITUNES_KEYWORDS,
    EL_TITLE,
    EL_CONTENT,
    EL_LINK,
    EL_DESCRIPTION,
    EL_ID
};
#define EL_RELURI 1u /* can_be_relative_uri */
#define EL_MARKUP 2u /* can_contain_markup */
struct el_class {
    const char *name;
    unsigned char kind, flags;
};

static struct el_class el_classify(const char *el)
{
    static const struct el_class c[] = {{"category", EL_CATEGORY, 0},
                                        {"comments", EL_OTHER, EL_RELURI},
                                        {"content", EL_CONTENT, EL_MARKUP},
                                        {"copyright", EL_OTHER, EL_MARKUP},
                                        {NULL, 0, 0}},
                                 d[] = {{"description", EL_DESCRIPTION, EL_MARKUP},
                                        {"docs", EL_OTHER, EL_RELURI},
                                        {NULL, 0, 0}},
                                 h[] = {{"href", EL_OTHER, EL_RELURI}, {NULL, 0, 0}},
                                 i[] = {{"icon", EL_OTHER, EL_RELURI},
                                        {"id", EL_ID, EL_RELURI},
                                        {"info", EL_OTHER, EL_MARKUP},
                                        {"itunes_keywords", EL_ITUNES_KEYWORDS, 0},
                                        {NULL, 0, 0}},
                                 l[] = {{"link", EL_LINK, EL_RELURI},
                                        {"logo", EL_OTHER, EL_RELURI},
                                        {NULL, 0, 0}},
                                 r[] = {{"rights", EL_OTHER, EL_MARKUP}, {NULL, 0, 0}},
                                 s[] = {{"subtitle", EL_OTHER, EL_MARKUP},
                                        {"summary", EL_OTHER, EL_MARKUP},
                                        {NULL, 0, 0}},
                                 t[] = {{"tagline", EL_OTHER, EL_MARKUP},
                                        {"tags", EL_TAGS, 0},
                                        {"title", EL_TITLE, EL_MARKUP},
                                        {NULL, 0, 0}},
                                 u[] = {{"url", EL_OTHER, EL_RELURI}, {NULL, 0, 0}},
                                 w[] = {{"wfw_comment", EL_OTHER, EL_RELURI},
                                        {"wfw_commentrss", EL_OTHER, EL_RELURI},
                                        {NULL, 0, 0}};
    const struct el_class *e;
    switch (el[0]) {
    case 'c': e = c; break;
    case 'd': e = d; break;
    case 'h': e = h; break;
    case 'i': e = i; break;
    case 'l': e = l; break;
    case 'r': e = r; break;
    case 's': e = s; break;
    case 't': e = t; break;
    case 'u': e = u; break;
    case 'w': e = w; break;
    default: return (struct el_class){NULL, EL_OTHER, 0};
    }
    for (; e->name; e++)
        if (e->name[1] == el[1] && !strcmp(e->name, el))
            return *e;
    return (struct el_class){NULL, EL_OTHER, 0};
}

void eddy__pop_split(struct eddy__mixin *p, const char *element, char sep,
                     void (*each)(struct eddy__mixin *p, char *piece))
{
    const char *v = eddy__pop(p, element, true);
    if (!v)
        return;
    char *copy = strdup(v);
    if (!copy) {
        p->oom = true;
        return;
    }
    for (char *s = copy, *end;; s = end + 1) {
        end = strchr(s, sep);
        if (end)
            *end = 0;
        each(p, s);
        if (!end)
            break;
    }
    free(copy);
}

char *eddy__strip(char *s, const char *lead, const char *trail)
{
    while (*s && strchr(lead, *s))
        s++;
    size_t n = strlen(s);
    while (n && strchr(trail, s[n - 1]))
        s[--n] = 0;
    return s;
}

/* pop()'s output as a string value: with its length, so that a NUL in the
 * text (kept by the loose parser, as feedparser keeps it) does not cut it. */
static struct eddy_feed_value *out_value(struct eddy__mixin *p)
{
    return eddy__v_str(p->arena, p->out.data ? p->out.data : "", p->out.len);
}

/* Atom's xhtml content: the text range [*b, *e) of frame f without an
 * enclosing <div>, when all the content is inside it (feedparser's pop). */
static void unwrap_xhtml_div(const struct eddy__frame *f, const char *text, size_t *b, size_t *e)
{
    size_t first = 0, last = f->npieces - 1;
#define PEND(i) ((i) + 1 < f->npieces ? f->pieces[(i) + 1].off : (uint32_t)f->text.len)
    while (last > first && !f->pieces[last].markup &&
           is_blank(text + f->pieces[last].off, PEND(last) - f->pieces[last].off))
        last--;
    while (last > first && !f->pieces[first].markup &&
           is_blank(text + f->pieces[first].off, PEND(first) - f->pieces[first].off))
        first++;
    *b = f->pieces[first].off;
    *e = PEND(last);
    const char *p0 = text + f->pieces[first].off;
    size_t l0 = PEND(first) - f->pieces[first].off;
    const char *pl = text + f->pieces[last].off;
    size_t ll = PEND(last) - f->pieces[last].off;
    if (!(last > first && f->pieces[first].markup && f->pieces[last].markup &&
          ((l0 == 5 && !memcmp(p0, "<div>", 5)) || (l0 >= 5 && !memcmp(p0, "<div ", 5))) &&
          ll == 6 && !memcmp(pl, "</div>", 6)))
        return;
    int depth = 0;
    for (size_t i = first; i < last; i++) {
        const char *ps = text + f->pieces[i].off;
        size_t pn = PEND(i) - f->pieces[i].off;
        if (pn >= 2 && ps[0] == '<' && ps[1] == '/') {
            if (--depth == 0)
                return; /* the div closes before the end: kept */
        } else if (pn >= 1 && ps[0] == '<' &&
                   !(pn >= 2 && ps[pn - 2] == '/' && ps[pn - 1] == '>')) {
            depth++;
        }
    }
    *b = PEND(first);
    *e = f->pieces[last].off;
#undef PEND
}

/* pop()'s decoding of an expected text in p->out: base64, relative URI
 * resolution, the loose parser's entities, text/plain that looks like HTML. */
static void pop_decode(struct eddy__mixin *p, struct el_class ec)
{
    struct eddy_buf *out = &p->out;
    if (p->cp.base64) {
        eddy_buf_reset(&p->tmp);
        if (b64decode(&p->tmp, out->data, out->len)) {
            swap_bufs(out, &p->tmp);
        }
    }

    if ((ec.flags & EL_RELURI) && out->len) {
        if (ec.kind != EL_ID || p->guidislink) {
            const char *r = eddy__resolve_uri(p, cstr(out));
            eddy_buf_reset(&p->tmp2);
            oom(p, eddy_buf_puts(&p->tmp2, r));
            eddy_buf_reset(out);
            oom(p, eddy_buf_append(out, cstr(&p->tmp2), p->tmp2.len));
        }
    }

    if (p->loose && !p->cp.base64)
        decode_entities(p, out);

    if (p->cp.has_type && memcmp(p->version, "atom", 4) && !strcmp(cstr(&p->cp.type), "text/plain"))
        if (eddy__looks_like_html(out->data ? out->data : "", out->len))
            cp_set_type(p, "text/html");

    p->cp.base64 = false; /* del contentparams['mode'], ['base64'] */
}

/* pop()'s HTML passes over p->out for an element that can contain markup:
 * relative URIs resolved, then the sanitizer. */
static void pop_clean_markup(struct eddy__mixin *p, struct el_class ec)
{
    struct eddy_buf *out = &p->out;
    /* the type is contentparams.get('type', 'text/html') */
    bool htmlish = p->cp.has_type ? p->cp.htmlish : true;
    bool xhtml = p->cp.has_type && p->cp.xhtml;
    /* Without '<' or '&' both HTML passes are the identity except for the
     * sanitizer's final strip() and "\r\n" -> "\n" (sgmllib passes such
     * text through verbatim): skip the HTML parsers then. */
    bool markup =
        out->len && (memchr(out->data, '<', out->len) || memchr(out->data, '&', out->len));
    bool html_el = htmlish && (ec.flags & EL_MARKUP);
    if (html_el && !markup && p->sanitize_html) {
        size_t so = 0, sl = out->len;
        strip_span(out->data, &so, &sl);
        size_t w = 0;
        for (size_t r = so; r < so + sl; r++) {
            if (out->data[r] == '\r' && r + 1 < so + sl && out->data[r + 1] == '\n')
                continue;
            out->data[w++] = out->data[r];
        }
        out->len = w;
        out->data[w] = 0;
    }
    if (html_el && markup && p->resolve_relative_uris && p->sanitize_html) {
        eddy_buf_reset(&p->tmp); /* both passes at once; the same bytes */
        int err = eddy__html_clean_within(&p->tmp, cstr(out), out->len, cstr(&p->baseuri), xhtml,
                                          p->budget);
        oom(p, err == -ETIME ? 0 : err); /* past the budget: dropped, as below */
        swap_bufs(out, &p->tmp);
        return;
    }
    if (html_el && markup && p->resolve_relative_uris) {
        eddy_buf_reset(&p->tmp);
        int err = eddy__html_resolve_uris_within(&p->tmp, cstr(out), out->len, cstr(&p->baseuri),
                                                 xhtml, p->budget);
        oom(p, err == -ETIME ? 0 : err); /* past the budget: dropped, as below */
        swap_bufs(out, &p->tmp);
    }
    if (html_el && markup && p->sanitize_html) {
        eddy_buf_reset(&p->tmp);
        /* past the budget the text is dropped, not kept half-sanitized */
        int err = eddy__html_sanitize_within(&p->tmp, cstr(out), out->len, xhtml, p->budget);
        oom(p, err == -ETIME ? 0 : err);
        swap_bufs(out, &p->tmp);
    }
}

/* pop()'s store of p->out into the current entry (returns the output,
 * which a link rewrites). */
static const char *pop_store_entry(struct eddy__mixin *p, const char *element, struct el_class ec,
                                   struct eddy_feed_value *entry)
{
    struct eddy_buf *out = &p->out;
    const char *output = cstr(out);
    if (ec.kind == EL_CONTENT) {
        struct eddy_feed_value *arr =
            eddy__fp_setdefault(p, entry, "content", eddy__v_arr(p->arena));
        if (arr && arr->type == EDDY_FEED_ARRAY)
            oom(p, eddy__arr_push(p->arena, arr, cp_detail(p, out_value(p))));
    } else if (ec.kind == EL_LINK) {
        if (!p->inimage) {
            replace_all(p, out, "&amp;", "&");
            fix_query_amps(out);
            output = cstr(out);
            /* feedparser 6.0.11+: an enclosure link without href does not
             * replace the entry's link */
            if (p->isentrylink || !truthy_str(vstr(eddy__fp_get(entry, "link"))))
                eddy__fp_set(p, entry, "link", out_value(p));
            struct eddy_feed_value *links = eddy__obj_get(entry, "links");
            if (*output && eddy_feed_len(links))
                oom(p, eddy__obj_set(
                           p->arena,
                           (struct eddy_feed_value *)eddy_feed_at(links, eddy_feed_len(links) - 1),
                           "href", false, out_value(p)));
        }
    } else {
        const char *el = ec.kind == EL_DESCRIPTION ? "summary" : element;
        size_t i = depth_map_find(p, el);
        struct eddy_feed_value *ov = out_value(p);
        if (i == p->ndepth_map || p->depth <= p->depth_map[i].depth) {
            depth_map_set(p, i, el, p->depth);
            eddy__fp_set(p, entry, el, ov);
        }
        if (p->incontent) {
            char key[96];
            eddy__concat(key, sizeof key, el, '_', "detail");
            struct eddy_feed_value *d = cp_detail(p, ov);
            const char *k = mapkey(key);
            oom(p, eddy__obj_set(p->arena, entry, k, k == key, d));
        }
    }
    return output;
}

/* pop()'s store of p->out into the feed (or the source) context. */
static const char *pop_store_feed(struct eddy__mixin *p, const char *element, struct el_class ec)
{
    struct eddy_buf *out = &p->out;
    const char *output = cstr(out);
    struct eddy_feed_value *ctx = eddy__ctx(p);
    const char *el = ec.kind == EL_DESCRIPTION ? "subtitle" : element;
    struct eddy_feed_value *ov = out_value(p);
    eddy__fp_set(p, ctx, el, ov);
    if (ec.kind == EL_LINK) {
        fix_query_amps(out);
        output = cstr(out);
        eddy__fp_set(p, ctx, el, out_value(p));
        struct eddy_feed_value *links = eddy__obj_get(ctx, "links");
        if (eddy_feed_len(links))
            oom(p, eddy__obj_set(
                       p->arena,
                       (struct eddy_feed_value *)eddy_feed_at(links, eddy_feed_len(links) - 1),
                       "href", false, out_value(p)));
    } else if (p->incontent) {
        char key[96];
        eddy__concat(key, sizeof key, el, '_', "detail");
        const char *k = mapkey(key);
        oom(p, eddy__obj_set(p->arena, ctx, k, k == key, cp_detail(p, ov)));
    }
    return output;
}

/* An <hour> of <skipHours> or a <day> of <skipDays> (RSS 0.91 and 2.0; an
 * hour 24 is 0), into p->skip_*.  Cheap for every other element. */
static void skip_rule(struct eddy__mixin *p, const char *element, const char *text)
{
    static const char *const days[] = {"sunday",   "monday", "tuesday", "wednesday",
                                       "thursday", "friday", "saturday"};
    if ((element[0] != 'h' && element[0] != 'd') || !p->nframes || p->inentry)
        return;
    const char *parent = cstr(&p->frames[p->nframes - 1].name);
    if (!strcmp(element, "hour") && !strcmp(parent, "skiphours")) {
        char *end;
        long h = strtol(text, &end, 10);
        if (end != text && !*end && h >= 0 && h <= 24)
            p->skip_hours |= 1u << (h % 24);
    } else if (!strcmp(element, "day") && !strcmp(parent, "skipdays")) {
        for (unsigned d = 0; d < 7; d++)
            if (!strcasecmp(text, days[d]))
                p->skip_days |= (uint8_t)(1u << d);
    }
}

const char *eddy__pop(struct eddy__mixin *p, const char *element, bool strip)
{
    if (!p->nframes)
        return NULL;
    struct eddy__frame *f = &p->frames[p->nframes - 1];
    if (strcmp(cstr(&f->name), element))
        return NULL;
    p->nframes--;
    struct eddy_buf *out = &p->out;
    eddy_buf_reset(out);

    const char *text = cstr(&f->text);
    size_t b = 0, e = f->text.len; /* the joined pieces kept: text[b..e) */
    if (f->npieces && p->cp.xhtml && !strcmp(p->version, "atom10"))
        unwrap_xhtml_div(f, text, &b, &e);
    size_t off = b, len = e - b;
    if (strip)
        strip_span(text, &off, &len);
    /* the frame's text becomes the output, its old buffer the frame's:
     * no copy (the frame is popped; its next push resets the text) */
    struct eddy_buf t = f->text;
    f->text = *out;
    *out = t;
    if (out->data) {
        if (off)
            memmove(out->data, out->data + off, len);
        out->len = len;
        out->data[len] = 0;
    } else {
        oom(p, eddy_buf_reserve(out, 1));
    }
    if (strip)
        skip_rule(p, element, cstr(out));
    if (!f->expecting_text)
        return cstr(out);

    struct el_class ec = el_classify(element);
    pop_decode(p, ec);
    pop_clean_markup(p, ec);
    size_t ascii = ascii_run((const unsigned char *)out->data, out->len);
    if (ascii < out->len) {
        fix_double_utf8(p, out, ascii);
        fix_cp1252(p, out, ascii);
    }
    const char *output = cstr(out);

    if (ec.kind == EL_CATEGORY || ec.kind == EL_TAGS || ec.kind == EL_ITUNES_KEYWORDS)
        return output;
    if (ec.kind == EL_TITLE && -1 < p->title_depth && p->title_depth <= p->depth)
        return output;

    if (p->inentry && !p->insource) {
        struct eddy_feed_value *entry = last_entry(p);
        return entry ? pop_store_entry(p, element, ec, entry) : output;
    }
    if (p->infeed || p->insource)
        return pop_store_feed(p, element, ec);
    return output;
}

/* _is_base64 */
static bool is_base64(struct eddy__mixin *p, const struct eddy_feed_value *attrs)
{
    if (streq(eddy__attr(attrs, "mode"), "base64"))
        return true;
    const char *t = cp_type(p, "");
    if (!strncmp(t, "text/", 5) || ends_with(t, "+xml") || ends_with(t, "/xml"))
        return false;
    return true;
}

void eddy__push_content(struct eddy__mixin *p, const char *tag, struct eddy_feed_value *attrs,
                        const char *default_type, bool expecting_text)
{
    p->incontent++;
    if (!p->lang_null)
        for (char *s = p->lang.data; s && *s; s++)
            if (*s == '_')
                *s = '-';
    cp_clear(p);
    const char *t = eddy__attr(attrs, "type");
    /* (the default types are mapped already: lower case, longer than 5) */
    cp_set_type(p, t ? eddy__map_content_type(p, t) : default_type);
    p->cp.has_lang = true;
    p->cp.lang_null = p->lang_null;
    const char *lang = cstr(&p->lang), *base = cstr(&p->baseuri);
    set_buf(p, &p->cp.lang, lang, strlen(lang)); /* no copy when unchanged */
    p->cp.has_base = true;
    set_buf(p, &p->cp.base, base, strlen(base));
    p->cp.base64 = is_base64(p, attrs);
    eddy__push(p, tag, expecting_text);
}

const char *eddy__pop_content(struct eddy__mixin *p, const char *tag)
{
    const char *v = eddy__pop(p, tag, true);
    p->incontent--;
    cp_clear(p);
    return v;
}

struct eddy_feed_value *eddy__ctx(struct eddy__mixin *p)
{
    if (p->insource)
        return p->sourcedata;
    if (p->inimage && fp_has(p->feeddata, "image")) {
        struct eddy_feed_value *img = eddy__fp_get(p->feeddata, "image");
        if (img && img->type == EDDY_FEED_OBJECT)
            return img;
    }
    if (p->intextinput) {
        struct eddy_feed_value *ti = eddy__fp_get(p->feeddata, "textinput");
        if (ti && ti->type == EDDY_FEED_OBJECT)
            return ti;
        /* feedparser raises KeyError here; keep the value somewhere harmless */
        ti = eddy__v_obj(p->arena);
        eddy__fp_set(p, p->feeddata, "textinput", ti);
        return ti;
    }
    if (p->inentry) {
        struct eddy_feed_value *e = last_entry(p);
        if (e)
            return e;
    }
    return p->feeddata;
}

void eddy__save(struct eddy__mixin *p, const char *key, struct eddy_feed_value *v, bool overwrite)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    if (overwrite)
        eddy__fp_set(p, ctx, key, v);
    else
        eddy__fp_setdefault(p, ctx, key, v);
}

void eddy__save_author(struct eddy__mixin *p, const char *key, const char *value,
                       const char *prefix)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    char dk[64];
    eddy__concat(dk, sizeof dk, prefix, '_', "detail"); /* (snprintf was 1/4 of the call) */
    const char *k = mapkey(dk);
    struct eddy_feed_value *d = eddy__obj_get(ctx, k);
    if (!d) {
        d = eddy__v_obj(p->arena);
        oom(p, eddy__obj_set(p->arena, ctx, k, k == dk, d));
    }
    if (d && d->type == EDDY_FEED_OBJECT)
        oom(p, eddy__obj_set(p->arena, d, key, false, eddy__str_value(p, value)));
    eddy__sync_author_detail(p, "author");
    struct eddy_feed_value *authors = eddy__obj_get(ctx, "authors");
    if (!authors) {
        authors = eddy__v_arr(p->arena);
        oom(p, eddy__arr_push(p->arena, authors, eddy__v_obj(p->arena)));
        oom(p, eddy__obj_set(p->arena, ctx, "authors", false, authors));
    }
    struct eddy_feed_value *last =
        (struct eddy_feed_value *)eddy_feed_at(authors, eddy_feed_len(authors) - 1);
    if (last && last->type == EDDY_FEED_OBJECT)
        oom(p, eddy__obj_set(p->arena, last, key, false, eddy__str_value(p, value)));
}

void eddy__save_contributor(struct eddy__mixin *p, const char *key, const char *value)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *c = eddy__obj_get(ctx, "contributors");
    if (!c) {
        c = eddy__v_arr(p->arena);
        oom(p, eddy__arr_push(p->arena, c, eddy__v_obj(p->arena)));
        oom(p, eddy__obj_set(p->arena, ctx, "contributors", false, c));
    }
    struct eddy_feed_value *last = (struct eddy_feed_value *)eddy_feed_at(c, eddy_feed_len(c) - 1);
    if (last && last->type == EDDY_FEED_OBJECT)
        oom(p, eddy__obj_set(p->arena, last, key, false, eddy__str_value(p, value)));
}

static const char email_re[] =
    "(([a-zA-Z0-9_.+-]+)@((\\[[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.)|(([a-zA-Z0-9-]+\\.)+))"
    "([a-zA-Z]{2,4}|[0-9]{1,3})(\\]?))(\\?subject=[^[:space:]]+)?";

void eddy__sync_author_detail(struct eddy__mixin *p, const char *key)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    char k2[64];
    eddy__concat(k2, sizeof k2, key, 0, "s"); /* (snprintf was 1/4 of the call) */
    struct eddy_feed_value *list = eddy__fp_get(ctx, k2);
    struct eddy_feed_value *detail = NULL;
    if (list && list->type == EDDY_FEED_ARRAY) {
        if (!list->u.a.n)
            return; /* IndexError in feedparser */
        detail = list->u.a.items[list->u.a.n - 1];
    } else {
        detail = eddy__v_obj(p->arena);
    }
    if (detail && detail->type == EDDY_FEED_OBJECT && detail->nmembers) {
        const char *name = vstr(eddy__obj_get(detail, "name"));
        const char *email = vstr(eddy__obj_get(detail, "email"));
        eddy_buf_reset(&p->tmp);
        if (truthy_str(name) && truthy_str(email))
            oom(p, eddy_buf_printf(&p->tmp, "%s (%s)", name, email));
        else if (truthy_str(name))
            oom(p, eddy_buf_puts(&p->tmp, name));
        else if (truthy_str(email))
            oom(p, eddy_buf_puts(&p->tmp, email));
        else
            return;
        eddy__fp_set(p, ctx, key, eddy__str_value(p, cstr(&p->tmp)));
        return;
    }
    const char *author = vstr(eddy__fp_get(ctx, key));
    if (!truthy_str(author))
        return;
    /* the pattern needs an '@': without one, neither compile nor run it
     * (regexec on every author name was 1% of parsing), nor copy the name */
    bool at = strchr(author, '@') != NULL;
    struct eddy_buf a = EDDY_BUF_INIT(0), email = EDDY_BUF_INIT(0);
    if (at)
        oom(p, eddy_buf_puts(&a, author));
    if (at && !p->email_re_ok && !regcomp(&p->email_re, email_re, REG_EXTENDED))
        p->email_re_ok = true; /* compiled once per parser */
    if (at && p->email_re_ok) {
        regmatch_t m[1];
        if (!regexec(&p->email_re, author, 1, m, 0)) {
            oom(p, eddy_buf_append(&email, author + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so)));
            replace_all(p, &a, cstr(&email), "");
            replace_all(p, &a, "()", "");
            replace_all(p, &a, "<>", "");
            replace_all(p, &a, "&lt;&gt;", "");
            size_t off = 0, len = a.len;
            strip_span(cstr(&a), &off, &len);
            if (len && a.data[off] == '(')
                off++, len--;
            if (len && a.data[off + len - 1] == ')')
                len--;
            strip_span(cstr(&a), &off, &len);
            memmove(a.data, a.data + off, len);
            a.len = len;
            a.data[len] = 0;
        }
    }
    const char *name = at ? cstr(&a) : author;
    size_t name_len = at ? a.len : strlen(author);
    if (name_len || email.len) {
        char dk[64];
        eddy__concat(dk, sizeof dk, key, '_', "detail");
        const char *k = mapkey(dk);
        if (!eddy__obj_get(ctx, k))
            oom(p, eddy__obj_add(p->arena, ctx, k, k == dk, detail));
    }
    if (name_len)
        oom(p, eddy__obj_set(p->arena, detail, "name", false, eddy__str_value(p, name)));
    if (email.len)
        oom(p, eddy__obj_set(p->arena, detail, "email", false, eddy__str_value(p, cstr(&email))));
    eddy_buf_free(&a);
    eddy_buf_free(&email);
}

void eddy__add_tag(struct eddy__mixin *p, const char *term, const char *scheme, const char *label)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *tags = eddy__fp_setdefault(p, ctx, "tags", eddy__v_arr(p->arena));
    if (!truthy_str(term) && !truthy_str(scheme) && !truthy_str(label))
        return;
    if (!tags || tags->type != EDDY_FEED_ARRAY)
        return;
    struct eddy_feed_value *v = eddy__v_obj(p->arena);
    oom(p, eddy__obj_add(p->arena, v, "term", false, eddy__str_value(p, term)));
    oom(p, eddy__obj_add(p->arena, v, "scheme", false, eddy__str_value(p, scheme)));
    oom(p, eddy__obj_add(p->arena, v, "label", false, eddy__str_value(p, label)));
    for (size_t i = 0; i < tags->u.a.n; i++)
        if (eddy__equal(tags->u.a.items[i], v))
            return;
    oom(p, eddy__arr_push(p->arena, tags, v));
}

void eddy__enforce_href(struct eddy__mixin *p, struct eddy_feed_value *attrs)
{
    const char *href = eddy__attr(attrs, "url");
    if (!href)
        href = eddy__attr(attrs, "uri");
    if (!href)
        href = eddy__attr(attrs, "href");
    if (truthy_str(href)) {
        char *h = eddy_arena_strndup(&p->scratch, href, strlen(href));
        eddy__obj_del(attrs, "url");
        eddy__obj_del(attrs, "uri");
        if (h)
            eddy__attr_set(p, attrs, "href", h);
    }
}

const char *eddy__get_attribute(struct eddy__mixin *p, const struct eddy_feed_value *attrs,
                                const char *name)
{
    const char *colon = strchr(name, ':');
    if (!colon)
        return eddy__attr(attrs, name);
    char key[128];
    size_t pl = (size_t)(colon - name);
    const char *prefix = NULL;
    for (size_t i = 0; i < p->nnsmap; i++)
        if (strlen(p->nsmap[i].prefix) == pl && !memcmp(p->nsmap[i].prefix, name, pl))
            prefix = p->nsmap[i].canonical;
    if (!prefix && strlen(name) < sizeof key)
        return eddy__attr(attrs, name);
    /* "prefix:local" or name, cut as snprintf(key, sizeof key, ...) would
     * (snprintf itself was a third of a start_item) */
    size_t k = 0;
    for (const char *s = prefix; s && *s && k + 1 < sizeof key; s++)
        key[k++] = *s;
    if (prefix && k + 1 < sizeof key)
        key[k++] = ':';
    for (const char *s = prefix ? colon + 1 : name; *s && k + 1 < sizeof key; s++)
        key[k++] = *s;
    key[k] = 0;
    return eddy__attr(attrs, key);
}

/* ---- handler lookup ------------------------------------------------------- */

static const struct {
    const struct eddy__handler *table;
    const size_t *n;
} modules[] = {
    {eddy__ns_base, &eddy__ns_base_n},     {eddy__ns_dc, &eddy__ns_dc_n},
    {eddy__ns_itunes, &eddy__ns_itunes_n}, {eddy__ns_media, &eddy__ns_media_n},
    {eddy__ns_georss, &eddy__ns_georss_n}, {eddy__ns_psc, &eddy__ns_psc_n},
    {eddy__ns_cc, &eddy__ns_cc_n},
};

/* Every module's handlers in one hash table (open addressing), built once
 * per process under pthread_once and only read afterwards: a bsearch in
 * each module was ~30 strcmp per element name a parser had not seen yet. */
#define HANDLER_SLOTS 1024 /* a power of two, several times the handler count */
static const struct eddy__handler *handler_slot[HANDLER_SLOTS];
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *s = (const unsigned char *)name; *s; s++)
        h = (h ^ *s) * 16777619u;
    return h ^ h >> 16;
}

static void handler_table_build(void)
{
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
        for (size_t j = 0; j < *modules[i].n; j++) {
            const struct eddy__handler *h = &modules[i].table[j];
            size_t k = name_hash(h->name) & (HANDLER_SLOTS - 1);
            while (handler_slot[k] && strcmp(handler_slot[k]->name, h->name))
                k = (k + 1) & (HANDLER_SLOTS - 1);
            if (!handler_slot[k]) /* a name in two modules: the first module's */
                handler_slot[k] = h;
        }
}

const struct eddy__handler *eddy__find_handler(const char *name)
{
    pthread_once(&handler_once, handler_table_build);
    size_t k = name_hash(name) & (HANDLER_SLOTS - 1);
    for (const struct eddy__handler *h; (h = handler_slot[k]); k = (k + 1) & (HANDLER_SLOTS - 1))
        if (h->name[0] == name[0] && !strcmp(h->name, name))
            return h;
    return NULL;
}

/* ---- scopes (xml:base, xml:lang) ------------------------------------------ */

static void set_buf(struct eddy__mixin *p, struct eddy_buf *b, const char *s, size_t n)
{
    if (b->len == n && (!n || !memcmp(b->data, s, n)))
        return;
    eddy_buf_reset(b);
    oom(p, eddy_buf_append(b, s, n));
    cstr(b);
}

/* namespaces_in_use.get(prefix, '') */
static const char *ns_in_use(struct eddy__mixin *p, const char *prefix)
{
    return vstr(eddy__obj_get(p->namespaces, prefix));
}

static void strattrs(struct eddy__mixin *p, struct eddy_buf *b, const struct eddy_feed_value *attrs)
{
    for (struct eddy__member *m = attrs ? attrs->u.o.first : NULL; m; m = m->next) {
        const char *v = vstr(m->v);
        oom(p, eddy_buf_printf(b, " %s=\"", m->key));
        if (p->loose) { /* _LooseFeedParser.strattrs: only '"' */
            for (const char *c = v ? v : ""; *c; c++)
                oom(p, *c == '"' ? eddy_buf_puts(b, "&quot;") : eddy_buf_putc(b, *c));
        } else {
            append_escaped(p, b, v ? v : "", v ? strlen(v) : 0, true);
        }
        oom(p, eddy_buf_putc(b, '"'));
    }
}

/* unknown_starttag's "match namespaces": the tag's prefix through
 * namespacemap, "<prefix>_<local>" or "<local>" into name[0..cap), and
 * its handler. */
void eddy__tag_key(struct eddy__mixin *p, const char *tag, char *name, size_t cap,
                   struct eddy__tagkey *k)
{
    const char *colon = strchr(tag, ':');
    bool has_prefix = false;
    if (colon) {
        char prefix[128];
        size_t pl = (size_t)(colon - tag);
        if (pl >= sizeof prefix) { /* cut, but not inside a UTF-8 sequence: keys stay UTF-8 */
            pl = sizeof prefix - 1;
            while (pl && ((unsigned char)tag[pl] & 0xC0) == 0x80)
                pl--;
        }
        memcpy(prefix, tag, pl);
        prefix[pl] = 0;
        const char *mapped = prefix;
        for (size_t i = 0; i < p->nnsmap; i++)
            if (!strcmp(p->nsmap[i].prefix, prefix))
                mapped = p->nsmap[i].canonical;
        has_prefix = *mapped;
        if (has_prefix)
            eddy__concat(name, cap, mapped, '_', colon + 1);
        else
            eddy__concat(name, cap, colon + 1, 0, NULL);
    } else {
        eddy__concat(name, cap, tag, 0, NULL);
    }
    k->name = name;
    k->has_prefix = has_prefix;
    k->h = eddy__find_handler(name);
}

/* unknown_starttag: tag is "prefix:local" or "local", lower case, with
 * feedparser's canonical prefix; attrs in the scratch arena. */
void eddy__start_tag(struct eddy__mixin *p, const char *tag, struct eddy_feed_value *attrs)
{
    char name[256];
    struct eddy__tagkey k;
    eddy__tag_key(p, tag, name, sizeof name, &k);
    eddy__start_tag_k(p, tag, &k, attrs);
}

/* unknown_starttag's xml:base and xml:lang: the new base URI and language,
 * and the feed's language from the root element. */
static void start_base_and_lang(struct eddy__mixin *p, const char *tag,
                                const struct eddy_feed_value *attrs)
{
    /* normalize attrs: rel and type values are lower-cased (done by sax_driver.c) */
    /* attrs.get('xml:base', attrs.get('base')) and the same for lang, in
     * one pass over the (few) attributes rather than four lookups */
    const char *xml_base = NULL, *base = NULL, *xml_lang = NULL, *lang = NULL;
    for (const struct eddy__member *m = attrs ? attrs->u.o.first : NULL; m; m = m->next) {
        const char *k = m->key;
        if (k[0] == 'x' && !strcmp(k, "xml:base"))
            xml_base = vstr(m->v);
        else if (k[0] == 'b' && !strcmp(k, "base"))
            base = vstr(m->v);
        else if (k[0] == 'x' && !strcmp(k, "xml:lang"))
            xml_lang = vstr(m->v);
        else if (k[0] == 'l' && !strcmp(k, "lang"))
            lang = vstr(m->v);
    }
    if (xml_base)
        base = xml_base;
    if (xml_lang)
        lang = xml_lang;
    if (!truthy_str(base))
        base = NULL;
    if (p->baseuri.len && base) {
        /* without xml:base, make_safe_absolute_uri(b, b) leaves b as it is */
        struct eddy_buf nb = EDDY_BUF_INIT(0);
        safe_abs(p, &nb, cstr(&p->baseuri), base);
        if (nb.len)
            set_buf(p, &p->baseuri, nb.data, nb.len);
        eddy_buf_free(&nb);
    } else if (base && !p->baseuri.len) {
        eddy_buf_reset(&p->tmp);
        oom(p, eddy__uri_resolve(&p->tmp, "", base));
        set_buf(p, &p->baseuri, cstr(&p->tmp), p->tmp.len);
    }
    if (lang && !*lang) {
        p->lang_null = true;
        eddy_buf_reset(&p->lang);
    } else if (lang) {
        p->lang_null = false;
        set_buf(p, &p->lang, lang, strlen(lang));
    }
    if (!p->lang_null && p->lang.len &&
        (!strcmp(tag, "feed") ||
         !strcmp(tag, "rss"))) { /* "rdf:RDF" never matches: tags are lower-cased */
        eddy_buf_reset(&p->tmp);
        for (const char *s = cstr(&p->lang); *s; s++)
            oom(p, eddy_buf_putc(&p->tmp, *s == '_' ? '-' : *s));
        struct eddy_arena *save = p->arena; /* a <feed> inside an entry in callback mode: */
        p->arena = &p->main;                /* feeddata outlives the entry arena */
        eddy__fp_set(p, p->feeddata, "language", eddy__str_value(p, cstr(&p->tmp)));
        p->arena = save;
    }
}

/* unknown_starttag's basestack / langstack push (false on ENOMEM). */
static bool push_scope(struct eddy__mixin *p)
{
    /* basestack / langstack */
    if (p->nscopes == p->capscopes) {
        size_t cap = p->capscopes ? p->capscopes * 2 : 32;
        struct eddy__scope *s = realloc(p->scopes, cap * sizeof *s);
        if (!s) {
            p->oom = true;
            return false;
        }
        p->scopes = s;
        p->capscopes = cap;
    }
    struct eddy__scope *sc = &p->scopes[p->nscopes++];
    sc->pool_len = p->pool.len;
    struct eddy__scope *parent = p->nscopes > 1 ? sc - 1 : NULL;
    if (parent && parent->base_len == p->baseuri.len &&
        !memcmp(p->pool.data + parent->base_off, cstr(&p->baseuri), p->baseuri.len)) {
        sc->base_off = parent->base_off, sc->base_len = parent->base_len;
    } else {
        sc->base_off = p->pool.len, sc->base_len = p->baseuri.len;
        oom(p, eddy_buf_append(&p->pool, cstr(&p->baseuri), p->baseuri.len));
    }
    sc->lang_null = p->lang_null;
    if (parent && parent->lang_len == p->lang.len &&
        !memcmp(p->pool.data + parent->lang_off, cstr(&p->lang), p->lang.len)) {
        sc->lang_off = parent->lang_off, sc->lang_len = parent->lang_len;
    } else {
        sc->lang_off = p->pool.len, sc->lang_len = p->lang.len;
        oom(p, eddy_buf_append(&p->pool, cstr(&p->lang), p->lang.len));
    }
    return true;
}

/* An element inside xhtml content: written back as markup into the
 * content's text (unknown_starttag's "track inline content"). */
static void inline_xhtml_start(struct eddy__mixin *p, const char *tag,
                               const struct eddy_feed_value *attrs)
{
    const char *t = tag, *colon = strchr(tag, ':');
    bool addns = false;
    const char *ns = NULL;
    if (colon) {
        char prefix[64];
        size_t pl =
            (size_t)(colon - tag) < sizeof prefix - 1 ? (size_t)(colon - tag) : sizeof prefix - 1;
        memcpy(prefix, tag, pl);
        prefix[pl] = 0;
        t = colon + 1;
        ns = ns_in_use(p, prefix);
        if (!ns)
            ns = "";
        if ((!strcmp(t, "math") && !strcmp(ns, "http://www.w3.org/1998/Math/MathML")) ||
            (!strcmp(t, "svg") && !strcmp(ns, "http://www.w3.org/2000/svg")))
            addns = true;
    }
    if (!strcmp(t, "svg"))
        p->svgok++;
    eddy_buf_reset(&p->tmp);
    oom(p, eddy_buf_printf(&p->tmp, "<%s", t));
    strattrs(p, &p->tmp, attrs);
    if (addns) {
        oom(p, eddy_buf_puts(&p->tmp, " xmlns=\""));
        append_escaped(p, &p->tmp, ns, strlen(ns), true);
        oom(p, eddy_buf_putc(&p->tmp, '"'));
    }
    oom(p, eddy_buf_putc(&p->tmp, '>'));
    add_piece(p, cstr(&p->tmp), p->tmp.len, true);
}

void eddy__start_tag_k(struct eddy__mixin *p, const char *tag, const struct eddy__tagkey *k,
                       struct eddy_feed_value *attrs)
{
    unsigned ns_gen = p->ns_gen;
    p->depth++;
    start_base_and_lang(p, tag, attrs);
    if (!push_scope(p))
        return;
    /* track namespaces declared as attributes (xlink declarations, the
     * xmlns feedparser adds to math and svg) */
    for (struct eddy__member *m = attrs ? attrs->u.o.first : NULL; m; m = m->next) {
        if (m->key[0] == 'x' && !strncmp(m->key, "xmlns", 5) && (m->key[5] == ':' || !m->key[5]) &&
            vstr(m->v))
            eddy__track_namespace(p, m->key[5] ? m->key + 6 : NULL, vstr(m->v));
    }
    /* the key was computed before: again if namespacemap changed since */
    char kname[256];
    struct eddy__tagkey k2;
    if (p->ns_gen != ns_gen) {
        eddy__tag_key(p, tag, kname, sizeof kname, &k2);
        k = &k2;
    }

    /* track inline content */
    if (p->incontent && !ends_with(cp_type(p, "xml"), "xml")) {
        if (!strcmp(tag, "xhtml:div") || !strcmp(tag, "div"))
            return; /* typepad does this 10/2007 */
        cp_set_type(p, "application/xhtml+xml");
    }
    if (p->incontent && p->cp.xhtml) {
        inline_xhtml_start(p, tag, attrs);
        return;
    }

    /* match namespaces (k) */
    const char *name = k->name;
    bool has_prefix = k->has_prefix;
    /* (tested only when set: these strcmp were 1% of parsing) */
    if (p->intextinput && !has_prefix && strcmp(tag, "title") && strcmp(tag, "link") &&
        strcmp(tag, "description") && strcmp(tag, "name"))
        p->intextinput = 0;
    if (p->inimage && !has_prefix && strcmp(tag, "title") && strcmp(tag, "link") &&
        strcmp(tag, "description") && strcmp(tag, "url") && strcmp(tag, "href") &&
        strcmp(tag, "width") && strcmp(tag, "height"))
        p->inimage = 0;

    const struct eddy__handler *h = k->h;
    if (h && h->start) {
        h->start(p, attrs);
        return;
    }
    if (!attrs || !attrs->nmembers) {
        eddy__push(p, name, true);
    } else {
        struct eddy_feed_value *ctx = eddy__ctx(p);
        oom(p, eddy__obj_set(p->arena, ctx, mapkey(name), true, eddy__deepcopy(p->arena, attrs)));
    }
}

void eddy__end_tag(struct eddy__mixin *p, const char *tag)
{
    char name[256];
    struct eddy__tagkey k;
    eddy__tag_key(p, tag, name, sizeof name, &k);
    eddy__end_tag_k(p, tag, &k);
}

void eddy__end_tag_k(struct eddy__mixin *p, const char *tag, const struct eddy__tagkey *k)
{
    const char *colon = strchr(tag, ':');
    const char *suffix = colon ? colon + 1 : tag;
    if (p->svgok && !strcmp(suffix, "svg"))
        p->svgok--;
    const struct eddy__handler *h = p->svgok ? NULL : k->h;
    if (h && h->end)
        h->end(p);
    else
        eddy__pop(p, k->name, true);

    if (p->incontent && !ends_with(cp_type(p, "xml"), "xml")) {
        if (!strcmp(tag, "xhtml:div") || !strcmp(tag, "div"))
            return; /* typepad does this 10/2007 (and skips the scope pop) */
        cp_set_type(p, "application/xhtml+xml");
    }
    if (p->incontent && p->cp.xhtml) {
        eddy_buf_reset(&p->tmp);
        oom(p, eddy_buf_printf(&p->tmp, "</%s>", suffix));
        add_piece(p, cstr(&p->tmp), p->tmp.len, true);
    }

    if (p->nscopes) {
        struct eddy__scope *sc = &p->scopes[--p->nscopes];
        size_t restore = sc->pool_len;
        if (p->nscopes) {
            struct eddy__scope *top = &p->scopes[p->nscopes - 1];
            if (top->base_len)
                set_buf(p, &p->baseuri, p->pool.data + top->base_off, top->base_len);
            p->lang_null = top->lang_null;
            set_buf(p, &p->lang, p->pool.data + top->lang_off, top->lang_len);
            if (p->lang_null)
                eddy_buf_reset(&p->lang);
        }
        p->pool.len = restore;
    }
    p->depth--;
}

/* ---- namespaces ------------------------------------------------------------ */

/* feedparser's _FeedParserMixin.namespaces (lower-cased URIs) */
/* (with their lengths: the lookup compares lengths before bytes) */
#define NS(uri, canon)                                                                             \
    {                                                                                              \
        uri, canon, sizeof uri - 1                                                                 \
    }
static const struct {
    const char *uri, *canon;
    size_t len;
} known_ns[] = {
    NS("", ""),
    NS("http://backend.userland.com/rss", ""),
    NS("http://blogs.law.harvard.edu/tech/rss", ""),
    NS("http://purl.org/rss/1.0/", ""),
    NS("http://my.netscape.com/rdf/simple/0.9/", ""),
    NS("http://example.com/newformat#", ""),
    NS("http://example.com/necho", ""),
    NS("http://purl.org/echo/", ""),
    NS("uri/of/echo/namespace#", ""),
    NS("http://purl.org/pie/", ""),
    NS("http://purl.org/atom/ns#", ""),
    NS("http://www.w3.org/2005/atom", ""),
    NS("http://purl.org/rss/1.0/modules/rss091#", ""),
    NS("http://webns.net/mvcb/", "admin"),
    NS("http://purl.org/rss/1.0/modules/aggregation/", "ag"),
    NS("http://purl.org/rss/1.0/modules/annotate/", "annotate"),
    NS("http://media.tangent.org/rss/1.0/", "audio"),
    NS("http://backend.userland.com/blogchannelmodule", "blogChannel"),
    NS("http://creativecommons.org/ns#license", "cc"),
    NS("http://web.resource.org/cc/", "cc"),
    NS("http://cyber.law.harvard.edu/rss/creativecommonsrssmodule.html", "creativeCommons"),
    NS("http://backend.userland.com/creativecommonsrssmodule", "creativeCommons"),
    NS("http://purl.org/rss/1.0/modules/company", "co"),
    NS("http://purl.org/rss/1.0/modules/content/", "content"),
    NS("http://my.theinfo.org/changed/1.0/rss/", "cp"),
    NS("http://purl.org/dc/elements/1.1/", "dc"),
    NS("http://purl.org/dc/terms/", "dcterms"),
    NS("http://purl.org/rss/1.0/modules/email/", "email"),
    NS("http://purl.org/rss/1.0/modules/event/", "ev"),
    NS("http://rssnamespace.org/feedburner/ext/1.0", "feedburner"),
    NS("http://freshmeat.net/rss/fm/", "fm"),
    NS("http://xmlns.com/foaf/0.1/", "foaf"),
    NS("http://www.w3.org/2003/01/geo/wgs84_pos#", "geo"),
    NS("http://www.georss.org/georss", "georss"),
    NS("http://www.opengis.net/gml", "gml"),
    NS("http://postneo.com/icbm/", "icbm"),
    NS("http://purl.org/rss/1.0/modules/image/", "image"),
    NS("http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"),
    NS("http://example.com/dtds/podcast-1.0.dtd", "itunes"),
    NS("http://purl.org/rss/1.0/modules/link/", "l"),
    NS("http://search.yahoo.com/mrss", "media"),
    NS("http://search.yahoo.com/mrss/", "media"),
    NS("http://madskills.com/public/xml/rss/module/pingback/", "pingback"),
    NS("http://prismstandard.org/namespaces/1.2/basic/", "prism"),
    NS("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"),
    NS("http://www.w3.org/2000/01/rdf-schema#", "rdfs"),
    NS("http://purl.org/rss/1.0/modules/reference/", "ref"),
    NS("http://purl.org/rss/1.0/modules/richequiv/", "reqv"),
    NS("http://purl.org/rss/1.0/modules/search/", "search"),
    NS("http://purl.org/rss/1.0/modules/slash/", "slash"),
    NS("http://schemas.xmlsoap.org/soap/envelope/", "soap"),
    NS("http://purl.org/rss/1.0/modules/servicestatus/", "ss"),
    NS("http://hacks.benhammersley.com/rss/streaming/", "str"),
    NS("http://purl.org/rss/1.0/modules/subscription/", "sub"),
    NS("http://purl.org/rss/1.0/modules/syndication/", "sy"),
    NS("http://schemas.pocketsoap.com/rss/mydescmodule/", "szf"),
    NS("http://purl.org/rss/1.0/modules/taxonomy/", "taxo"),
    NS("http://purl.org/rss/1.0/modules/threading/", "thr"),
    NS("http://purl.org/rss/1.0/modules/textinput/", "ti"),
    NS("http://madskills.com/public/xml/rss/module/trackback/", "trackback"),
    NS("http://wellformedweb.org/commentapi/", "wfw"),
    NS("http://purl.org/rss/1.0/modules/wiki/", "wiki"),
    NS("http://www.w3.org/1999/xhtml", "xhtml"),
    NS("http://www.w3.org/1999/xlink", "xlink"),
    NS("http://www.w3.org/xml/1998/namespace", "xml"),
    NS("http://podlove.org/simple-chapters", "psc"),
};
#undef NS

/* _matchnamespaces.get(lower_uri): the canonical prefix or NULL */
const char *eddy__match_namespace(const char *lower_uri)
{
    size_t n = strlen(lower_uri);
    for (size_t i = 0; i < sizeof known_ns / sizeof known_ns[0]; i++)
        if (known_ns[i].len == n && !memcmp(lower_uri, known_ns[i].uri, n))
            return known_ns[i].canon;
    return NULL;
}

void eddy__track_namespace(struct eddy__mixin *p, const char *prefix, const char *uri)
{
    char lower[512];
    size_t n = strlen(uri);
    if (n >= sizeof lower)
        n = sizeof lower - 1;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)uri[i]);
    lower[n] = 0;
    if (!p->version[0]) {
        if (!prefix && !strcmp(lower, "http://my.netscape.com/rdf/simple/0.9/"))
            strcpy(p->version, "rss090");
        else if (!strcmp(lower, "http://purl.org/rss/1.0/"))
            strcpy(p->version, "rss10");
        else if (!strcmp(lower, "http://www.w3.org/2005/atom"))
            strcpy(p->version, "atom10");
    }
    if (strstr(lower, "backend.userland.com/rss")) {
        uri = "http://backend.userland.com/rss";
        strcpy(lower, uri);
    }
    const char *canon = eddy__match_namespace(lower);
    struct eddy_arena *A = &p->main; /* namespaces outlive entries */
    if (eddy_feed_len(p->namespaces) >= EDDY__MAX_NAMESPACES) {
        p->namespaces_capped =
            true; /* each element name looks prefixes up by URI: keep that short */
        return;
    }
    /* A declaration that changes nothing (each entry's xhtml div declares
     * its namespace again) keeps ns_gen, and with it sax_driver.c's name
     * caches. */
    const char *had = eddy_feed_str(eddy__obj_get(p->namespaces, canon    ? canon
                                                                 : prefix ? prefix
                                                                          : ""),
                                    NULL);
    if (had && !strcmp(had, uri)) {
        size_t i = 0;
        while (canon && prefix && i < p->nnsmap && strcmp(p->nsmap[i].prefix, prefix))
            i++;
        if (!canon || !prefix || (i < p->nnsmap && p->nsmap[i].canonical == canon))
            return;
    }
    p->ns_gen++;
    if (canon) {
        if (prefix) {
            size_t i;
            for (i = 0; i < p->nnsmap; i++)
                if (!strcmp(p->nsmap[i].prefix, prefix))
                    break;
            if (i == p->nnsmap) {
                if (p->nnsmap == p->capnsmap) {
                    size_t cap = p->capnsmap ? p->capnsmap * 2 : 8;
                    struct eddy__nsmap *m = realloc(p->nsmap, cap * sizeof *m);
                    if (!m) {
                        p->oom = true;
                        return;
                    }
                    p->nsmap = m;
                    p->capnsmap = cap;
                }
                p->nsmap[i].prefix = strdup(prefix);
                if (!p->nsmap[i].prefix) {
                    p->oom = true;
                    return;
                }
                p->nnsmap++;
            }
            p->nsmap[i].canonical = canon;
        }
        oom(p, eddy__obj_set(A, p->namespaces, canon, false, eddy__v_cstr(A, uri)));
    } else {
        oom(p, eddy__obj_set(A, p->namespaces, prefix ? prefix : "", true, eddy__v_cstr(A, uri)));
    }
}

/* ---- lifetime --------------------------------------------------------------- */

int eddy__mixin_init(struct eddy__mixin *p)
{
    memset(p, 0, sizeof *p);
    p->arena = &p->main;
    p->feeddata = eddy__v_obj(&p->main);
    p->entries = eddy__v_arr(&p->main);
    p->namespaces = eddy__v_obj(&p->main);
    p->sourcedata = eddy__v_obj(&p->main);
    p->title_depth = -1;
    p->lang_null = true;
    p->resolve_relative_uris = true;
    p->sanitize_html = true;
    return p->feeddata && p->entries && p->namespaces && p->sourcedata ? 0 : -ENOMEM;
}

void eddy__mixin_free(struct eddy__mixin *p)
{
    for (size_t i = 0; i < p->capframes; i++) {
        eddy_buf_free(&p->frames[i].name);
        eddy_buf_free(&p->frames[i].text);
        free(p->frames[i].pieces);
    }
    free(p->frames);
    free(p->scopes);
    if (p->email_re_ok)
        regfree(&p->email_re);
    for (size_t i = 0; i < p->nnsmap; i++)
        free(p->nsmap[i].prefix);
    free(p->nsmap);
    for (size_t i = 0; i < p->nentities; i++) {
        free(p->entities[i].name);
        free(p->entities[i].value);
        free(p->entities[i].raw);
    }
    free(p->entities);
    struct eddy_buf *bufs[] = {&p->cp.type, &p->cp.lang, &p->cp.base, &p->cp.src, &p->baseuri,
                               &p->lang,    &p->pool,    &p->out,     &p->tmp,    &p->tmp2};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        eddy_buf_free(bufs[i]);
    eddy_arena_free(&p->entry);
    eddy_arena_free(&p->scratch);
    /* p->main is handed to the result or freed by the caller */
}
