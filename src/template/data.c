/*
 * data.c — the template data interface's own implementations (jansson,
 * C strings and integers, objects and arrays of other values) and the JSON
 * writer the engine uses to show an array or object (`{{ list }}`, |tojson)
 * whatever implements it.  The writer's output is jansson's json_dumps
 * output byte for byte (escapes, real format), so templates render as they
 * did when the data was always a json_t.
 */
#include "eddy/template.h"

#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- jansson ---- */

static enum eddy_tdata_type jv_type(const struct eddy_tdata *v)
{
    switch (json_typeof((const json_t *)v->p)) {
    case JSON_OBJECT: return EDDY_TDATA_OBJECT;
    case JSON_ARRAY: return EDDY_TDATA_ARRAY;
    case JSON_STRING: return EDDY_TDATA_STRING;
    case JSON_INTEGER: return EDDY_TDATA_INT;
    case JSON_REAL: return EDDY_TDATA_REAL;
    case JSON_TRUE:
    case JSON_FALSE: return EDDY_TDATA_BOOL;
    default: return EDDY_TDATA_NULL;
    }
}

static const char *jv_str(const struct eddy_tdata *v, size_t *len)
{
    *len = json_string_length(v->p);
    return json_string_value(v->p);
}

static int64_t jv_int(const struct eddy_tdata *v)
{
    return json_is_boolean((const json_t *)v->p) ? json_is_true((const json_t *)v->p)
                                                 : json_integer_value(v->p);
}

static double jv_dbl(const struct eddy_tdata *v)
{
    return json_real_value(v->p);
}

static size_t jv_len(const struct eddy_tdata *v)
{
    return json_is_array((const json_t *)v->p) ? json_array_size(v->p) : json_object_size(v->p);
}

static struct eddy_tdata jv_at(const struct eddy_tdata *v, size_t i)
{
    return eddy_tdata_json(json_array_get(v->p, i));
}

static struct eddy_tdata jv_get(const struct eddy_tdata *v, const char *key, size_t klen)
{
    return eddy_tdata_json(json_object_getn(v->p, key, klen));
}

static bool jv_next(const struct eddy_tdata *v, const void **it, const char **key, size_t *klen,
                    struct eddy_tdata *value)
{
    json_t *o = (json_t *)v->p;
    void *i = *it ? json_object_iter_next(o, (void *)*it) : json_object_iter(o);
    if (!i)
        return false;
    *it = i;
    *key = json_object_iter_key(i);
    *klen = json_object_iter_key_len(i);
    *value = eddy_tdata_json(json_object_iter_value(i));
    return true;
}

static const struct eddy_tdata_ops jv_ops = {jv_type, jv_str, jv_int, jv_dbl,
                                             jv_len,  jv_at,  jv_get, jv_next};

struct eddy_tdata eddy_tdata_json(const json_t *j)
{
    return (struct eddy_tdata){j ? &jv_ops : NULL, j, 0};
}

/* ---- C values ---- */

static enum eddy_tdata_type cstr_type(const struct eddy_tdata *v)
{
    return v->p ? EDDY_TDATA_STRING : EDDY_TDATA_NULL;
}

static const char *cstr_str(const struct eddy_tdata *v, size_t *len)
{
    *len = (size_t)v->n;
    return v->p;
}

static const struct eddy_tdata_ops cstr_ops = {.type = cstr_type, .str = cstr_str};

struct eddy_tdata eddy_tdata_str(const char *s)
{
    return (struct eddy_tdata){&cstr_ops, s, s ? (int64_t)strlen(s) : 0};
}

static enum eddy_tdata_type int_type(const struct eddy_tdata *v)
{
    (void)v;
    return EDDY_TDATA_INT;
}

static int64_t int_int(const struct eddy_tdata *v)
{
    return v->n;
}

static const struct eddy_tdata_ops int_ops = {.type = int_type, .integer = int_int};

struct eddy_tdata eddy_tdata_int(int64_t i)
{
    return (struct eddy_tdata){&int_ops, NULL, i};
}

static enum eddy_tdata_type bool_type(const struct eddy_tdata *v)
{
    (void)v;
    return EDDY_TDATA_BOOL;
}

static const struct eddy_tdata_ops bool_ops = {.type = bool_type, .integer = int_int};

struct eddy_tdata eddy_tdata_bool(bool b)
{
    return (struct eddy_tdata){&bool_ops, NULL, b};
}

static enum eddy_tdata_type fields_type(const struct eddy_tdata *v)
{
    (void)v;
    return EDDY_TDATA_OBJECT;
}

static size_t items_len(const struct eddy_tdata *v)
{
    return (size_t)v->n;
}

/* A linear scan: these objects are a view's handful of names. */
static struct eddy_tdata fields_get(const struct eddy_tdata *v, const char *key, size_t klen)
{
    const struct eddy_tfield *f = v->p;
    for (int64_t i = 0; i < v->n; i++)
        if (!strncmp(f[i].name, key, klen) && !f[i].name[klen])
            return f[i].value;
    return (struct eddy_tdata){0};
}

static bool fields_next(const struct eddy_tdata *v, const void **it, const char **key, size_t *klen,
                        struct eddy_tdata *value)
{
    const struct eddy_tfield *f = *it ? (const struct eddy_tfield *)*it + 1 : v->p;
    if (f == (const struct eddy_tfield *)v->p + v->n)
        return false;
    *it = f;
    *key = f->name;
    *klen = strlen(f->name);
    *value = f->value;
    return true;
}

static const struct eddy_tdata_ops fields_ops = {
    .type = fields_type, .len = items_len, .get = fields_get, .next = fields_next};

struct eddy_tdata eddy_tdata_object(const struct eddy_tfield *fields, size_t n)
{
    return (struct eddy_tdata){&fields_ops, fields, (int64_t)n};
}

static enum eddy_tdata_type items_type(const struct eddy_tdata *v)
{
    (void)v;
    return EDDY_TDATA_ARRAY;
}

static struct eddy_tdata items_at(const struct eddy_tdata *v, size_t i)
{
    return ((const struct eddy_tdata *)v->p)[i];
}

static const struct eddy_tdata_ops items_ops = {
    .type = items_type, .len = items_len, .at = items_at};

struct eddy_tdata eddy_tdata_array(const struct eddy_tdata *items, size_t n)
{
    return (struct eddy_tdata){&items_ops, items, (int64_t)n};
}

/* ---- JSON text, as json_dumps writes it ---- */

static enum eddy_tdata_type type_of(const struct eddy_tdata *v)
{
    return v->ops ? v->ops->type(v) : EDDY_TDATA_UNDEFINED;
}

int eddy__tdata_write_string(struct eddy_buf *b, const char *s, size_t n)
{
    int err = eddy_buf_putc(b, '"');
    for (size_t i = 0; !err && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        static const char short_esc[] = "btn\0fr"; /* \b \t \n, \f \r (8..13) */
        if (c == '"' || c == '\\')
            err = eddy_buf_printf(b, "\\%c", c);
        else if (c >= 8 && c <= 13 && short_esc[c - 8])
            err = eddy_buf_printf(b, "\\%c", short_esc[c - 8]);
        else if (c < 0x20)
            err = eddy_buf_printf(b, "\\u%04X", c);
        else
            err = eddy_buf_putc(b, (char)c);
    }
    return err ? err : eddy_buf_putc(b, '"');
}

/* jansson's real format: %.17g, a ".0" when it would read as an integer,
 * and no '+' or leading zeros in the exponent. */
int eddy__tdata_write_real(struct eddy_buf *b, double d)
{
    char buf[64], *e;
    snprintf(buf, sizeof buf, "%.17g", d);
    if (!strpbrk(buf, ".e") && strspn(buf, "-0123456789") == strlen(buf))
        strcat(buf, ".0");
    if ((e = strchr(buf, 'e'))) {
        char *p = e + 1, *q = p;
        if (*q == '+')
            q++;
        else if (*q == '-')
            p++, q++;
        while (*q == '0' && q[1])
            q++;
        memmove(p, q, strlen(q) + 1);
    }
    return eddy_buf_puts(b, buf);
}

struct member {
    const char *key;
    size_t klen;
    struct eddy_tdata value;
};

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

static int write_object(struct eddy_buf *b, const struct eddy_tdata *v, int flags, int depth)
{
    size_t n = v->ops->len(v), i = 0;
    struct member *m = calloc(n ? n : 1, sizeof *m);
    if (!m)
        return -ENOMEM;
    for (const void *it = NULL; i < n && v->ops->next(v, &it, &m[i].key, &m[i].klen, &m[i].value);)
        i++;
    if (flags & EDDY__JSON_SORT)
        qsort(m, i, sizeof *m, by_key);
    int err = eddy_buf_putc(b, '{');
    for (size_t k = 0; !err && k < i; k++) {
        if (k)
            err = eddy_buf_puts(b, flags & EDDY__JSON_COMPACT ? "," : ", ");
        if (!err)
            err = eddy__tdata_write_string(b, m[k].key, m[k].klen);
        if (!err)
            err = eddy_buf_puts(b, flags & EDDY__JSON_COMPACT ? ":" : ": ");
        if (!err)
            err = eddy__tdata_write_json(b, m[k].value, flags | (depth + 1) << 8);
    }
    free(m);
    return err ? err : eddy_buf_putc(b, '}');
}

int eddy__tdata_write_json(struct eddy_buf *b, struct eddy_tdata v, int flags)
{
    int depth = flags >> 8;
    if (depth > 2048) /* jansson's own limit on nesting */
        return -ELOOP;
    size_t n;
    const char *s;
    switch (type_of(&v)) {
    case EDDY_TDATA_BOOL: return eddy_buf_puts(b, v.ops->integer(&v) ? "true" : "false");
    case EDDY_TDATA_INT: return eddy_buf_printf(b, "%" PRId64, v.ops->integer(&v));
    case EDDY_TDATA_REAL: return eddy__tdata_write_real(b, v.ops->real(&v));
    case EDDY_TDATA_STRING: s = v.ops->str(&v, &n); return eddy__tdata_write_string(b, s, n);
    case EDDY_TDATA_ARRAY: {
        n = v.ops->len(&v);
        int err = eddy_buf_putc(b, '[');
        for (size_t i = 0; !err && i < n; i++) {
            if (i)
                err = eddy_buf_puts(b, flags & EDDY__JSON_COMPACT ? "," : ", ");
            if (!err)
                err =
                    eddy__tdata_write_json(b, v.ops->at(&v, i), (flags & 0xff) | (depth + 1) << 8);
        }
        return err ? err : eddy_buf_putc(b, ']');
    }
    case EDDY_TDATA_OBJECT: return write_object(b, &v, flags & 0xff, depth);
    default: return eddy_buf_puts(b, "null");
    }
}
