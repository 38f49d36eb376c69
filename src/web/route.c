/*
 * route.c — the router of include/eddy/webutil.h.
 *
 * Routes are kept in one array sorted by the priority rule of webutil.h
 * (literal < int < string < path, segment by segment; then fewer segments;
 * then registration order), and a lookup tries them in that order, walking
 * the raw path and decoding each segment on the fly.  A linear scan: an
 * application has tens of routes and a match costs a few hundred
 * nanoseconds, so a trie would buy nothing measurable for its code.
 */
#include "eddy/webutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/text.h"

enum { S_LIT, S_INT, S_STR, S_PATH }; /* also the priority rank */

struct seg {
    unsigned char kind; /* S_* */
    const char *text;   /* S_LIT: the literal; else the parameter's name (in route.strs) */
    size_t len;         /* its length */
};

struct route {
    char *pattern;    /* as given, owned */
    char *endpoint;   /* owned, or NULL */
    void *handler;    /* the caller's */
    unsigned methods; /* M_* bits */
    char *strs;       /* owned: the pattern cut into segments */
    struct seg *segs; /* owned */
    size_t nsegs;
};

struct eddy_router {
    struct route *routes; /* sorted by priority */
    size_t n, cap;
};

static const char *const method_names[] = {"GET",   "HEAD",   "POST",   "PUT",
                                           "PATCH", "DELETE", "OPTIONS"};
enum { M_GET = 1, M_HEAD = 2, M_OPTIONS = 64, NMETHODS = 7 };

static unsigned method_bit(const char *s, size_t n)
{
    for (int i = 0; i < NMETHODS; i++)
        if (strlen(method_names[i]) == n && !memcmp(method_names[i], s, n))
            return 1u << i;
    return 0;
}

struct eddy_router *eddy_router_new(void)
{
    return calloc(1, sizeof(struct eddy_router));
}

static void route_free(struct route *rt)
{
    free(rt->pattern);
    free(rt->endpoint);
    free(rt->strs);
    free(rt->segs);
}

void eddy_router_free(struct eddy_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        route_free(&r->routes[i]);
    free(r->routes);
    free(r);
}

static bool is_ident(const char *s, size_t n)
{
    if (!n || (*s >= '0' && *s <= '9'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* Cuts rt->pattern into rt->segs. */
static int compile(struct route *rt)
{
    const char *pat = rt->pattern;
    size_t len = strlen(pat), nparams = 0;
    if (pat[0] != '/' || len > EDDY_ROUTE_MAX_PATH)
        return -EINVAL;
    size_t nsegs = 1;
    for (const char *p = pat + 1; *p; p++)
        nsegs += *p == '/';
    if (!(rt->strs = strdup(pat + 1)) || !(rt->segs = calloc(nsegs, sizeof *rt->segs)))
        return -ENOMEM;
    char *s = rt->strs;
    for (size_t i = 0; i < nsegs; i++) {
        size_t n = strcspn(s, "/");
        bool last = !s[n];
        s[n] = 0;
        struct seg *g = &rt->segs[i];
        *g = (struct seg){S_LIT, s, n};
        if (n && s[0] == '<') {
            if (s[n - 1] != '>' || ++nparams > EDDY_ROUTE_MAX_PARAMS)
                return -EINVAL;
            s[n - 1] = 0;
            char *name = s + 1, *colon = strchr(name, ':');
            g->kind = S_STR;
            if (colon) {
                *colon = 0;
                if (!strcmp(name, "int"))
                    g->kind = S_INT;
                else if (!strcmp(name, "path") && i == nsegs - 1)
                    g->kind = S_PATH;
                else if (strcmp(name, "string"))
                    return -EINVAL; /* unknown converter, or <path> not last */
                name = colon + 1;
            }
            g->text = name;
            g->len = strlen(name);
            if (!is_ident(name, g->len))
                return -EINVAL;
            for (size_t j = 0; j < i; j++)
                if (rt->segs[j].kind != S_LIT && !strcmp(rt->segs[j].text, name))
                    return -EINVAL; /* the same name twice */
        } else if (memchr(s, '<', n) || memchr(s, '>', n))
            return -EINVAL; /* a parameter must be a whole segment */
        s += n + !last;
    }
    rt->nsegs = nsegs;
    return 0;
}

/* The priority order of webutil.h; 0 for ties (then registration order). */
static int cmp_routes(const struct route *a, const struct route *b)
{
    for (size_t i = 0; i < a->nsegs && i < b->nsegs; i++)
        if (a->segs[i].kind != b->segs[i].kind)
            return a->segs[i].kind - b->segs[i].kind;
    return (a->nsegs > b->nsegs) - (a->nsegs < b->nsegs);
}

static int add_bits(struct eddy_router *r, unsigned methods, const char *pattern,
                    const char *endpoint, void *handler)
{
    if (!methods || !pattern)
        return -EINVAL;
    for (size_t i = 0; endpoint && i < r->n; i++)
        if (r->routes[i].endpoint && !strcmp(r->routes[i].endpoint, endpoint))
            return -EEXIST;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        struct route *nr = realloc(r->routes, cap * sizeof *nr);
        if (!nr)
            return -ENOMEM;
        r->routes = nr;
        r->cap = cap;
    }
    struct route rt = {.methods = methods, .handler = handler};
    int err = 0;
    if (!(rt.pattern = strdup(pattern)) || (endpoint && !(rt.endpoint = strdup(endpoint))))
        err = -ENOMEM;
    if (err || (err = compile(&rt))) {
        route_free(&rt);
        return err;
    }
    size_t at = r->n;
    while (at > 0 && cmp_routes(&rt, &r->routes[at - 1]) < 0)
        at--;
    memmove(&r->routes[at + 1], &r->routes[at], (r->n - at) * sizeof rt);
    r->routes[at] = rt;
    r->n++;
    return 0;
}

int eddy_router_add(struct eddy_router *r, const char *methods, const char *pattern,
                    const char *endpoint, void *handler)
{
    unsigned bits = 0;
    const char *s = methods ? methods : "GET";
    while (*s) {
        size_t n = strcspn(s, ", ");
        if (n) {
            unsigned b = method_bit(s, n);
            if (!b)
                return -EINVAL;
            bits |= b;
        }
        s += n + (s[n] != 0);
    }
    return add_bits(r, bits, pattern, endpoint, handler);
}

int eddy_router_mount(struct eddy_router *r, const char *prefix, const char *name,
                      const struct eddy_router *bp)
{
    size_t plen = prefix ? strlen(prefix) : 0;
    while (plen && prefix[plen - 1] == '/')
        plen--;
    for (size_t i = 0; i < bp->n; i++) {
        const struct route *rt = &bp->routes[i];
        struct eddy_buf pat = EDDY_BUF_INIT(0), ep = EDDY_BUF_INIT(0);
        int err = eddy_buf_printf(&pat, "%.*s%s", (int)plen, prefix ? prefix : "", rt->pattern);
        if (!err && rt->endpoint)
            err = name && *name ? eddy_buf_printf(&ep, "%s.%s", name, rt->endpoint)
                                : eddy_buf_puts(&ep, rt->endpoint);
        if (!err)
            err = add_bits(r, rt->methods, pat.data, rt->endpoint ? ep.data : NULL, rt->handler);
        eddy_buf_free(&pat);
        eddy_buf_free(&ep);
        if (err)
            return err;
    }
    return 0;
}

/* Decodes the byte at s[*i] (a %XX escape or a plain byte) and advances. */
static unsigned char next_byte(const char *s, size_t n, size_t *i)
{
    int hi, lo;
    if (s[*i] == '%' && n - *i >= 3 && (hi = eddy__hex_digit(s[*i + 1])) >= 0 &&
        (lo = eddy__hex_digit(s[*i + 2])) >= 0) {
        *i += 3;
        return (unsigned char)(hi << 4 | lo);
    }
    return (unsigned char)s[(*i)++];
}

static bool seg_equals(const char *raw, size_t n, const char *lit, size_t litlen)
{
    size_t i = 0, j = 0;
    while (i < n && j < litlen)
        if (next_byte(raw, n, &i) != (unsigned char)lit[j++])
            return false;
    return i == n && j == litlen;
}

static bool parse_int(const char *raw, size_t n, int64_t *out)
{
    size_t i = 0;
    int64_t v = 0;
    if (!n)
        return false;
    while (i < n) {
        unsigned char c = next_byte(raw, n, &i);
        if (c < '0' || c > '9' || v > (INT64_MAX - (c - '0')) / 10)
            return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

/* Whether rt matches path[0..len) (which starts with '/'); with m, stores
 * the parameters too. */
static bool match_route(const struct route *rt, const char *path, size_t len,
                        struct eddy_route_match *m)
{
    const char *p = path + 1, *end = path + len;
    size_t used = 0;
    for (size_t i = 0; i < rt->nsegs; i++) {
        if (p > end)
            return false; /* the path has fewer segments */
        const struct seg *g = &rt->segs[i];
        const char *slash = g->kind == S_PATH ? NULL : memchr(p, '/', (size_t)(end - p));
        size_t n = (size_t)((slash ? slash : end) - p);
        int64_t num = 0;
        if ((g->kind == S_LIT && !seg_equals(p, n, g->text, g->len)) ||
            (g->kind == S_INT && !parse_int(p, n, &num)) || (g->kind != S_LIT && n == 0))
            return false;
        if (m && g->kind != S_LIT) {
            struct eddy_route_param *prm = &m->params[m->nparams++];
            char *v = m->buf + used;
            size_t vl = 0;
            for (size_t j = 0; j < n;)
                v[vl++] = (char)next_byte(p, n, &j);
            v[vl] = 0;
            used += vl + 1;
            *prm = (struct eddy_route_param){g->text, v, vl, num};
        }
        p += n + 1;
    }
    return p == end + 1;
}

/* The verdict of eddy_router_match, an EDDY_ROUTE_* status. */
static int match_status(const struct eddy_router *r, const char *method, const char *path,
                        size_t len, struct eddy_route_match *m)
{
    for (size_t i = 0; i < len; i++)
        if (path[i] == '?' || path[i] == '#')
            len = i;
    m->handler = NULL;
    m->endpoint = NULL;
    m->nparams = 0;
    m->allow[0] = 0;
    if (len > EDDY_ROUTE_MAX_PATH)
        return EDDY_ROUTE_TOO_LONG;
    if (!len || path[0] != '/')
        return EDDY_ROUTE_NOT_FOUND;
    unsigned want = method_bit(method, strlen(method)), allowed = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct route *rt = &r->routes[i];
        if (!match_route(rt, path, len, NULL))
            continue;
        unsigned accept = rt->methods | (rt->methods & M_GET ? M_HEAD : 0);
        allowed |= accept;
        if (want & accept) {
            match_route(rt, path, len, m);
            m->handler = rt->handler;
            m->endpoint = rt->endpoint;
            return EDDY_ROUTE_FOUND;
        }
    }
    if (!allowed)
        return EDDY_ROUTE_NOT_FOUND;
    allowed |= M_OPTIONS;
    size_t n = 0;
    for (int i = 0; i < NMETHODS; i++)
        if (allowed & (1u << i))
            n += (size_t)snprintf(m->allow + n, sizeof m->allow - n, "%s%s", n ? ", " : "",
                                  method_names[i]);
    return want == M_OPTIONS ? EDDY_ROUTE_OPTIONS : EDDY_ROUTE_NOT_ALLOWED;
}

int eddy_router_match(const struct eddy_router *r, const char *method, const char *path, size_t len,
                      struct eddy_route_match *m)
{
    m->status = match_status(r, method, path, len, m);
    return m->status == EDDY_ROUTE_TOO_LONG ? -ENAMETOOLONG : 0;
}

const char *eddy_route_param(const struct eddy_route_match *m, const char *name)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (!strcmp(m->params[i].name, name))
            return m->params[i].value;
    return NULL;
}

/* The value given for `name` in a NULL-terminated name/value list. */
static const char *param_value(const char *const *params, const char *name)
{
    for (size_t i = 0; params && params[i] && params[i + 1]; i += 2)
        if (!strcmp(params[i], name))
            return params[i + 1];
    return NULL;
}

static bool has_param(const struct route *rt, const char *name)
{
    for (size_t i = 0; i < rt->nsegs; i++)
        if (rt->segs[i].kind != S_LIT && !strcmp(rt->segs[i].text, name))
            return true;
    return false;
}

static int build_url(const struct route *rt, const char *const *params, struct eddy_buf *out)
{
    int err = 0;
    for (size_t i = 0; !err && i < rt->nsegs; i++) {
        const struct seg *g = &rt->segs[i];
        const char *v = g->kind == S_LIT ? g->text : param_value(params, g->text);
        int64_t num;
        if (!v || (g->kind != S_LIT && !*v) || (g->kind == S_INT && !parse_int(v, strlen(v), &num)))
            return -EINVAL;
        if (g->kind == S_INT && strchr(v, '%'))
            return -EINVAL; /* digits only: "%31" would not be canonical */
        if (!(err = eddy_buf_putc(out, '/')))
            err = eddy_url_encode(v, strlen(v), g->kind == S_PATH ? "/" : NULL, false, out);
    }
    char sep = '?';
    for (size_t i = 0; !err && params && params[i] && params[i + 1]; i += 2) {
        if (has_param(rt, params[i]))
            continue;
        if (!(err = eddy_buf_putc(out, sep)) &&
            !(err = eddy_url_encode(params[i], strlen(params[i]), NULL, true, out)) &&
            !(err = eddy_buf_putc(out, '=')))
            err = eddy_url_encode(params[i + 1], strlen(params[i + 1]), NULL, true, out);
        sep = '&';
    }
    return err;
}

int eddy_router_url_for(const struct eddy_router *r, const char *endpoint,
                        const char *const *params, struct eddy_buf *out)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct route *rt = &r->routes[i];
        if (!rt->endpoint || strcmp(rt->endpoint, endpoint))
            continue;
        size_t len0 = out->len;
        int err = build_url(rt, params, out);
        if (err && out->data) {
            out->len = len0;
            out->data[len0] = 0;
        }
        return err;
    }
    return -ENOENT;
}
