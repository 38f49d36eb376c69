/*
 * value.c — the result tree of the feed parser: generic values (object /
 * array / string / int / real / bool / null) in an arena (base/arena.c),
 * the public read accessors of include/eddy/feed.h, and a small JSON writer.
 *
 * Why a generic tree: feedparser sets many keys conditionally and nests
 * dictionaries freely (FeedParserDict); a tree mirrors it exactly.  Why an
 * arena: one result has thousands of small nodes that all die together, so
 * bump allocation from big chunks avoids a malloc per node and frees in one
 * go.  Objects are linked lists of members (insertion order, like Python's
 * dict): feedparser's objects have a handful to a few dozen keys, where a
 * linear scan beats hashing; an object that grows past OBJ_INDEX_MIN members
 * (a hostile element with 100,000 attributes or distinct children) gets a
 * hash index, so that building it stays linear in the input.  Arrays are vectors that double (the
 * old storage stays in the arena: at most 2x waste) so entries[i] is O(1).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- construction --------------------------------------------------------- */

/* Constructors return a static null on ENOMEM?  No: they return NULL and the
 * parser records the failure once (p->oom) — see internal.h. */
static struct eddy_feed_value *mk(struct eddy_arena *a, enum eddy_feed_type t)
{
    struct eddy_feed_value *v = eddy_arena_alloc(a, sizeof *v);
    if (v) {
        memset(v, 0, sizeof *v);
        v->type = t;
    }
    return v;
}

struct eddy_feed_value *eddy__v_null(struct eddy_arena *a)
{
    return mk(a, EDDY_FEED_NULL);
}
struct eddy_feed_value *eddy__v_obj(struct eddy_arena *a)
{
    return mk(a, EDDY_FEED_OBJECT);
}
struct eddy_feed_value *eddy__v_arr(struct eddy_arena *a)
{
    return mk(a, EDDY_FEED_ARRAY);
}

struct eddy_feed_value *eddy__v_bool(struct eddy_arena *a, bool b)
{
    struct eddy_feed_value *v = mk(a, EDDY_FEED_BOOL);
    if (v)
        v->u.b = b;
    return v;
}

struct eddy_feed_value *eddy__v_int(struct eddy_arena *a, int64_t i)
{
    struct eddy_feed_value *v = mk(a, EDDY_FEED_INT);
    if (v)
        v->u.i = i;
    return v;
}

struct eddy_feed_value *eddy__v_real(struct eddy_arena *a, double d)
{
    struct eddy_feed_value *v = mk(a, EDDY_FEED_REAL);
    if (v)
        v->u.d = d;
    return v;
}

struct eddy_feed_value *eddy__v_str(struct eddy_arena *a, const char *s, size_t len)
{
    /* the node and its bytes in one allocation (strings are most nodes) */
    if (len > SIZE_MAX / 2)
        return NULL;
    struct eddy_feed_value *v = eddy_arena_alloc(a, sizeof *v + len + 1);
    if (!v)
        return NULL;
    char *p = (char *)(v + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = 0;
    v->type = EDDY_FEED_STRING;
    v->nmembers = 0;
    v->u.s.p = p;
    v->u.s.len = len;
    return v;
}

struct eddy_feed_value *eddy__v_cstr(struct eddy_arena *a, const char *s)
{
    return eddy__v_str(a, s, strlen(s));
}

#define OBJ_INDEX_MIN 32

static uint32_t key_hash(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *k = (const unsigned char *)key; *k; k++)
        h = (h ^ *k) * 16777619u;
    return h;
}

/* Puts m into a free slot of idx (its key is not there yet). */
static void index_put(struct eddy__obj_index *idx, struct eddy__member *m)
{
    size_t i = key_hash(m->key) & (idx->cap - 1);
    while (idx->slot[i])
        i = (i + 1) & (idx->cap - 1);
    idx->slot[i] = m;
}

/* (Re)builds o's index for at least `want` members; on ENOMEM the object
 * keeps its old index (or none) and lookups stay correct, only slower. */
static void index_build(struct eddy_arena *a, struct eddy_feed_value *o, size_t want)
{
    size_t cap = 64;
    while (cap < 2 * want)
        cap *= 2;
    struct eddy__obj_index *idx = eddy_arena_alloc(a, sizeof *idx + cap * sizeof idx->slot[0]);
    if (!idx)
        return;
    idx->cap = cap;
    memset(idx->slot, 0, cap * sizeof idx->slot[0]);
    for (struct eddy__member *m = o->u.o.first; m; m = m->next)
        index_put(idx, m);
    o->u.o.index = idx;
}

/* The slot of key in o's index, or of the free slot where it would go. */
static size_t index_slot(const struct eddy__obj_index *idx, const char *key)
{
    size_t i = key_hash(key) & (idx->cap - 1);
    while (idx->slot[i] && strcmp(idx->slot[i]->key, key))
        i = (i + 1) & (idx->cap - 1);
    return i;
}

/* Empties slot i and moves back the members of its probe run that hashed
 * before it (deletion without tombstones). */
static void index_remove(struct eddy__obj_index *idx, size_t i)
{
    size_t mask = idx->cap - 1;
    idx->slot[i] = NULL;
    for (size_t j = (i + 1) & mask; idx->slot[j]; j = (j + 1) & mask) {
        size_t home = key_hash(idx->slot[j]->key) & mask;
        /* slot[j] may move to i when i lies cyclically in [home, j) */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            idx->slot[i] = idx->slot[j];
            idx->slot[j] = NULL;
            i = j;
        }
    }
}

/* The member of key in o (an object), or NULL. */
static inline struct eddy__member *find(const struct eddy_feed_value *o, const char *key)
{
    if (o->u.o.index)
        return o->u.o.index->slot[index_slot(o->u.o.index, key)];
    for (struct eddy__member *m = o->u.o.first; m; m = m->next)
        if (m->key[0] == key[0] && (!key[0] || m->key[1] == key[1]) && !strcmp(m->key, key))
            return m;
    return NULL;
}

struct eddy__member *eddy__obj_find(const struct eddy_feed_value *o, const char *key)
{
    if (!o || o->type != EDDY_FEED_OBJECT)
        return NULL;
    return find(o, key);
}

struct eddy_feed_value *eddy__obj_get(const struct eddy_feed_value *o, const char *key)
{
    if (!o || o->type != EDDY_FEED_OBJECT || !o->u.o.first)
        return NULL;
    struct eddy__member *m = find(o, key);
    return m ? m->v : NULL;
}

/* Appends key: v to o (an object without key). */
static int append(struct eddy_arena *a, struct eddy_feed_value *o, const char *key, bool copy_key,
                  struct eddy_feed_value *v)
{
    struct eddy__member *m;
    if (copy_key) { /* the member and its key in one allocation */
        size_t n = strlen(key);
        m = eddy_arena_alloc(a, sizeof *m + n + 1);
        if (!m)
            return -ENOMEM;
        memcpy(m + 1, key, n + 1);
        m->key = (const char *)(m + 1);
    } else {
        m = eddy_arena_alloc(a, sizeof *m);
        if (!m)
            return -ENOMEM;
        m->key = key;
    }
    m->v = v;
    m->next = NULL;
    m->prev = o->u.o.last;
    if (o->u.o.last)
        o->u.o.last->next = m;
    else
        o->u.o.first = m;
    o->u.o.last = m;
    o->nmembers++;
    struct eddy__obj_index *idx = o->u.o.index;
    if (idx && 2 * o->nmembers <= idx->cap)
        index_put(idx, m);
    else if (o->nmembers >= OBJ_INDEX_MIN) {
        index_build(a, o,
                    2 * o->nmembers); /* grows geometrically: the old index stays in the arena */
        if (o->u.o.index == idx)
            o->u.o.index = NULL; /* ENOMEM: the old index lacks m; the linear scan stays correct */
    }
    return 0;
}

int eddy__obj_set(struct eddy_arena *a, struct eddy_feed_value *o, const char *key, bool copy_key,
                  struct eddy_feed_value *v)
{
    if (!o || !v)
        return -ENOMEM;
    struct eddy__member *m = o->type == EDDY_FEED_OBJECT ? find(o, key) : NULL;
    if (m) {
        m->v = v; /* Python keeps the original position on overwrite */
        return 0;
    }
    return append(a, o, key, copy_key, v);
}

int eddy__obj_add(struct eddy_arena *a, struct eddy_feed_value *o, const char *key, bool copy_key,
                  struct eddy_feed_value *v)
{
    if (!o || !v)
        return -ENOMEM;
    return append(a, o, key, copy_key, v);
}

bool eddy__obj_del(struct eddy_feed_value *o, const char *key)
{
    if (!o || o->type != EDDY_FEED_OBJECT)
        return false;
    struct eddy__member *m = eddy__obj_find(o, key);
    if (!m)
        return false;
    if (o->u.o.index)
        index_remove(o->u.o.index, index_slot(o->u.o.index, key));
    if (m->prev)
        m->prev->next = m->next;
    else
        o->u.o.first = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        o->u.o.last = m->prev;
    o->nmembers--;
    return true;
}

void eddy__obj_clear(struct eddy_feed_value *o)
{
    o->u.o.first = o->u.o.last = NULL;
    o->u.o.index = NULL;
    o->nmembers = 0;
}

int eddy__arr_push(struct eddy_arena *a, struct eddy_feed_value *arr, struct eddy_feed_value *v)
{
    if (!arr || !v)
        return -ENOMEM;
    if (arr->u.a.n == arr->u.a.cap) {
        size_t cap = arr->u.a.cap ? arr->u.a.cap * 2 : 4;
        struct eddy_feed_value **items = eddy_arena_alloc(a, cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        if (arr->u.a.n)
            memcpy(items, arr->u.a.items, arr->u.a.n * sizeof *items);
        arr->u.a.items = items;
        arr->u.a.cap = cap;
    }
    arr->u.a.items[arr->u.a.n++] = v;
    return 0;
}

struct eddy_feed_value *eddy__deepcopy(struct eddy_arena *a, const struct eddy_feed_value *v)
{
    if (!v)
        return NULL;
    switch (v->type) {
    case EDDY_FEED_STRING: return eddy__v_str(a, v->u.s.p, v->u.s.len);
    case EDDY_FEED_ARRAY: {
        struct eddy_feed_value *c = eddy__v_arr(a);
        for (size_t i = 0; c && i < v->u.a.n; i++)
            if (eddy__arr_push(a, c, eddy__deepcopy(a, v->u.a.items[i])))
                return NULL;
        return c;
    }
    case EDDY_FEED_OBJECT: {
        struct eddy_feed_value *c = eddy__v_obj(a);
        if (!c)
            return NULL;
        for (struct eddy__member *m = v->u.o.first; m; m = m->next) {
            struct eddy_feed_value *mv = eddy__deepcopy(a, m->v);
            if (!mv || append(a, c, m->key, true, mv)) /* the keys are distinct already */
                return NULL;
        }
        return c;
    }
    default: {
        struct eddy_feed_value *c = mk(a, v->type);
        if (c)
            c->u = v->u;
        return c;
    }
    }
}

bool eddy__equal(const struct eddy_feed_value *x, const struct eddy_feed_value *y)
{
    if (x == y)
        return true;
    if (!x || !y)
        return false;
    /* Python: None == None, True == 1, ... keep it simple: same type */
    if (x->type != y->type)
        return false;
    switch (x->type) {
    case EDDY_FEED_NULL: return true;
    case EDDY_FEED_BOOL: return x->u.b == y->u.b;
    case EDDY_FEED_INT: return x->u.i == y->u.i;
    case EDDY_FEED_REAL: return x->u.d == y->u.d;
    case EDDY_FEED_STRING:
        return x->u.s.len == y->u.s.len && !memcmp(x->u.s.p, y->u.s.p, x->u.s.len);
    case EDDY_FEED_ARRAY:
        if (x->u.a.n != y->u.a.n)
            return false;
        for (size_t i = 0; i < x->u.a.n; i++)
            if (!eddy__equal(x->u.a.items[i], y->u.a.items[i]))
                return false;
        return true;
    case EDDY_FEED_OBJECT:
        if (x->nmembers != y->nmembers)
            return false;
        for (struct eddy__member *m = x->u.o.first; m; m = m->next)
            if (!eddy__equal(m->v, eddy__obj_get(y, m->key)))
                return false;
        return true;
    }
    return false;
}

/* ---- public accessors ----------------------------------------------------- */

enum eddy_feed_type eddy_feed_type(const struct eddy_feed_value *v)
{
    return v ? v->type : EDDY_FEED_NULL;
}

const struct eddy_feed_value *eddy_feed_get(const struct eddy_feed_value *obj, const char *key)
{
    return eddy__obj_get(obj, key);
}

const char *eddy_feed_get_str(const struct eddy_feed_value *obj, const char *key)
{
    return eddy_feed_str(eddy__obj_get(obj, key), NULL);
}

const char *eddy_feed_str(const struct eddy_feed_value *v, size_t *len)
{
    if (!v || v->type != EDDY_FEED_STRING)
        return NULL;
    if (len)
        *len = v->u.s.len;
    return v->u.s.p;
}

int64_t eddy_feed_int(const struct eddy_feed_value *v)
{
    if (!v)
        return 0;
    if (v->type == EDDY_FEED_INT)
        return v->u.i;
    if (v->type == EDDY_FEED_BOOL)
        return v->u.b;
    return 0;
}

double eddy_feed_real(const struct eddy_feed_value *v)
{
    if (!v)
        return 0;
    if (v->type == EDDY_FEED_REAL)
        return v->u.d;
    if (v->type == EDDY_FEED_INT)
        return (double)v->u.i;
    return 0;
}

bool eddy_feed_bool(const struct eddy_feed_value *v)
{
    return v && ((v->type == EDDY_FEED_BOOL && v->u.b) || (v->type == EDDY_FEED_INT && v->u.i));
}

size_t eddy_feed_len(const struct eddy_feed_value *v)
{
    if (!v)
        return 0;
    if (v->type == EDDY_FEED_ARRAY)
        return v->u.a.n;
    if (v->type == EDDY_FEED_OBJECT)
        return v->nmembers;
    return 0;
}

const struct eddy_feed_value *eddy_feed_at(const struct eddy_feed_value *arr, size_t i)
{
    if (!arr || arr->type != EDDY_FEED_ARRAY || i >= arr->u.a.n)
        return NULL;
    return arr->u.a.items[i];
}

const struct eddy_feed_member *eddy_feed_first(const struct eddy_feed_value *obj)
{
    if (!obj || obj->type != EDDY_FEED_OBJECT)
        return NULL;
    return (const struct eddy_feed_member *)obj->u.o.first;
}

const struct eddy_feed_member *eddy_feed_next(const struct eddy_feed_member *m)
{
    return m ? (const struct eddy_feed_member *)((const struct eddy__member *)m)->next : NULL;
}

const char *eddy_feed_member_key(const struct eddy_feed_member *m)
{
    return m ? ((const struct eddy__member *)m)->key : NULL;
}

const struct eddy_feed_value *eddy_feed_member_value(const struct eddy_feed_member *m)
{
    return m ? ((const struct eddy__member *)m)->v : NULL;
}

void eddy__concat(char *dst, size_t cap, const char *a, char sep, const char *b)
{
    size_t i = 0;
    while (*a && i + 1 < cap)
        dst[i++] = *a++;
    if (sep && i + 1 < cap)
        dst[i++] = sep;
    while (b && *b && i + 1 < cap)
        dst[i++] = *b++;
    /* cut inside a UTF-8 sequence (the next byte continues it): cut before
     * it, so that a long element name still gives a UTF-8 key */
    const char *next = *a ? a : b ? b : "";
    if (((unsigned char)*next & 0xC0) == 0x80) {
        while (i && ((unsigned char)dst[i - 1] & 0xC0) == 0x80)
            i--;
        if (i && (unsigned char)dst[i - 1] >= 0xC0)
            i--;
    }
    dst[i] = 0;
}

void eddy__lower(char *s, size_t n)
{
    unsigned char *u = (unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, u + i, 8), !(w & 0x8080808080808080u))) {
            /* 8 ASCII bytes at once: a byte b gets 0x80 in ge_a when b >= 'A'
             * and in gt_z when b > 'Z' (no carry: every byte is < 0x80) */
            uint64_t ge_a = w + 0x3F3F3F3F3F3F3F3Fu, gt_z = w + 0x2525252525252525u;
            uint64_t upper = ge_a & ~gt_z & 0x8080808080808080u;
            if (upper) {
                w |= upper >> 2; /* + 0x20 */
                memcpy(u + i, &w, 8);
            }
            i += 7;
            continue;
        }
        if (u[i] < 0x80) {
            if (u[i] >= 'A' && u[i] <= 'Z')
                u[i] += 32;
            continue;
        }
        if (i + 1 >= n || (u[i] & 0xE0) != 0xC0 || (u[i + 1] & 0xC0) != 0x80)
            continue;
        unsigned cp = (u[i] & 0x1Fu) << 6 | (u[i + 1] & 0x3Fu), lc = cp;
        if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
            (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F))
            lc = cp + 0x20;
        else if (cp >= 0x400 && cp <= 0x40F)
            lc = cp + 0x50;
        else if (cp == 0x178)
            lc = 0xFF; /* Ÿ -> ÿ */
        else if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x138 && cp != 0x149 &&
                 cp != 0x17F && ((cp < 0x139 || cp > 0x148) && (cp < 0x179) ? !(cp & 1) : (cp & 1)))
            lc = cp + 1;
        if (lc != cp && lc < 0x800) {
            u[i] = (unsigned char)(0xC0 | lc >> 6);
            u[i + 1] = (unsigned char)(0x80 | (lc & 0x3F));
        }
        i++;
    }
}

/* ---- JSON ----------------------------------------------------------------- */

/* Escapes a string for JSON: '"', '\\' and control characters; invalid
 * UTF-8 becomes U+FFFD so the output is always valid UTF-8.  Runs of plain
 * bytes are copied in one append. */
static int json_str(struct eddy_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int err = eddy_buf_putc(out, '"');
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;
    for (size_t i = 0; i < n && !err;) {
        unsigned c = u[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t seq = c >= 0x80 ? eddy__utf8_seq(u + i, n - i, NULL) : 0;
        if (seq) {
            i += seq;
            continue;
        }
        err = eddy_buf_append(out, s + run, i - run);
        if (err)
            break;
        char esc[8];
        switch (c) {
        case '"': err = eddy_buf_append(out, "\\\"", 2); break;
        case '\\': err = eddy_buf_append(out, "\\\\", 2); break;
        case '\n': err = eddy_buf_append(out, "\\n", 2); break;
        case '\r': err = eddy_buf_append(out, "\\r", 2); break;
        case '\t': err = eddy_buf_append(out, "\\t", 2); break;
        default:
            if (c < 0x20) {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                err = eddy_buf_append(out, esc, 6);
            } else {
                err = eddy_buf_append(out, "\xEF\xBF\xBD", 3);
            }
        }
        i++;
        run = i;
    }
    if (!err)
        err = eddy_buf_append(out, s + run, n - run);
    return err ? err : eddy_buf_putc(out, '"');
}

int eddy_feed_to_json(const struct eddy_feed_value *v, struct eddy_buf *out)
{
    int err = 0;
    if (!v)
        return eddy_buf_append(out, "null", 4);
    switch (v->type) {
    case EDDY_FEED_NULL: return eddy_buf_append(out, "null", 4);
    case EDDY_FEED_BOOL:
        return v->u.b ? eddy_buf_append(out, "true", 4) : eddy_buf_append(out, "false", 5);
    case EDDY_FEED_INT: return eddy_buf_printf(out, "%lld", (long long)v->u.i);
    case EDDY_FEED_REAL:
        if (v->u.d != v->u.d || v->u.d - v->u.d != 0)
            return eddy_buf_append(out, "null", 4); /* NaN/inf are not JSON */
        return eddy_buf_printf(out, "%.17g", v->u.d);
    case EDDY_FEED_STRING: return json_str(out, v->u.s.p, v->u.s.len);
    case EDDY_FEED_ARRAY:
        err = eddy_buf_putc(out, '[');
        for (size_t i = 0; !err && i < v->u.a.n; i++) {
            if (i)
                err = eddy_buf_putc(out, ',');
            if (!err)
                err = eddy_feed_to_json(v->u.a.items[i], out);
        }
        return err ? err : eddy_buf_putc(out, ']');
    case EDDY_FEED_OBJECT:
        err = eddy_buf_putc(out, '{');
        for (struct eddy__member *m = v->u.o.first; !err && m; m = m->next) {
            if (m != v->u.o.first)
                err = eddy_buf_putc(out, ',');
            if (!err)
                err = json_str(out, m->key, strlen(m->key));
            if (!err)
                err = eddy_buf_putc(out, ':');
            if (!err)
                err = eddy_feed_to_json(m->v, out);
        }
        return err ? err : eddy_buf_putc(out, '}');
    }
    return 0;
}
