/*
 * form.c — request data of include/eddy/webutil.h: urlencoded forms and
 * query strings, Cookie and Set-Cookie, multipart/form-data, and the
 * percent-encoding they share.
 *
 * A form is an array of fields whose strings live in one arena; parsers
 * decode into a reusable scratch buffer and copy the result in.  The
 * multipart parser works on the whole body (the server already bounds and
 * buffers bodies); a streaming variant would need the same boundary search
 * over a window, left for when uploads bigger than memory matter.
 */
#include "eddy/webutil.h"

#include "internal.h"

#include "../base/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_PARTS      1000
#define MAX_PART_HEADS 8192

struct eddy_form {
    struct eddy_form_field *fields; /* in order of appearance */
    size_t n, cap;
    struct eddy_arena arena; /* every string of every field */
    struct eddy_buf scratch; /* decoding space, reused */
    char err[160];           /* why the last parse failed */
};

struct eddy_form *eddy_form_new(void)
{
    return calloc(1, sizeof(struct eddy_form));
}

void eddy_form_free(struct eddy_form *f)
{
    if (!f)
        return;
    free(f->fields);
    eddy_arena_free(&f->arena);
    eddy_buf_free(&f->scratch);
    free(f);
}

__attribute__((format(printf, 3, 4))) static int fail(struct eddy_form *f, int err, const char *fmt,
                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof f->err, fmt, ap);
    va_end(ap);
    return err;
}

/* Appends a field; the strings are copied (filename, ctype may be NULL). */
static int add(struct eddy_form *f, const char *name, size_t nl, const char *val, size_t vl,
               const char *filename, size_t fl, const char *ctype, size_t cl)
{
    if (f->n == EDDY_FORM_MAX_FIELDS)
        return fail(f, -E2BIG, "more than %d fields", EDDY_FORM_MAX_FIELDS);
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        struct eddy_form_field *nf = realloc(f->fields, cap * sizeof *nf);
        if (!nf)
            return fail(f, -ENOMEM, "out of memory");
        f->fields = nf;
        f->cap = cap;
    }
    struct eddy_form_field *fd = &f->fields[f->n];
    *fd = (struct eddy_form_field){eddy_arena_strndup(&f->arena, name, nl),
                                   nl,
                                   eddy_arena_strndup(&f->arena, val, vl),
                                   vl,
                                   NULL,
                                   NULL};
    if (filename)
        fd->filename = eddy_arena_strndup(&f->arena, filename, fl);
    if (ctype)
        fd->content_type = eddy_arena_strndup(&f->arena, ctype, cl);
    if (!fd->name || !fd->value || (filename && !fd->filename) || (ctype && !fd->content_type))
        return fail(f, -ENOMEM, "out of memory");
    f->n++;
    return 0;
}

size_t eddy_form_count(const struct eddy_form *f)
{
    return f->n;
}

const struct eddy_form_field *eddy_form_field(const struct eddy_form *f, size_t i)
{
    return i < f->n ? &f->fields[i] : NULL;
}

const char *eddy_form_value(const struct eddy_form *f, const char *name)
{
    const char *v = NULL;
    eddy_form_values(f, name, &v, 1);
    return v;
}

size_t eddy_form_values(const struct eddy_form *f, const char *name, const char **values,
                        size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n && k < max; i++)
        if (!strcmp(f->fields[i].name, name))
            values[k++] = f->fields[i].value;
    return k;
}

const char *eddy_form_error(const struct eddy_form *f)
{
    return f->err;
}

/* ------------------------------------------------------------------ */
/* Percent-encoding                                                    */

int eddy_url_decode(const char *s, size_t n, bool plus, struct eddy_buf *out)
{
    char stack[256] = "", *tmp = n <= sizeof stack ? stack : malloc(n);
    if (!tmp)
        return -ENOMEM;
    size_t len = eddy__percent_decode(s, n, tmp, plus);
    int err = eddy__utf8_append(out, tmp, len);
    if (tmp != stack)
        free(tmp);
    return err;
}

int eddy_url_encode(const char *s, size_t n, const char *keep, bool plus, struct eddy_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    int err = eddy_buf_reserve(out, n <= SIZE_MAX / 3 ? 3 * n : SIZE_MAX);
    for (size_t i = 0; !err && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char *w = out->data + out->len;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            (c && strchr("-._~", c)) || (c && keep && strchr(keep, c)))
            *w = (char)c, out->len++;
        else if (plus && c == ' ')
            *w = '+', out->len++;
        else
            w[0] = '%', w[1] = hex[c >> 4], w[2] = hex[c & 15], out->len += 3;
    }
    if (!err)
        out->data[out->len] = 0;
    return err;
}

/* ------------------------------------------------------------------ */
/* urlencoded and cookies                                              */

int eddy_form_parse_urlencoded(struct eddy_form *f, const char *s, size_t n)
{
    f->err[0] = 0;
    for (size_t i = 0; i < n;) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - s) : n;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t nend = eq ? (size_t)(eq - s) : end, nl;
            eddy_buf_reset(&f->scratch);
            int err = eddy_url_decode(s + i, nend - i, true, &f->scratch);
            nl = f->scratch.len;
            if (!err && eq)
                err = eddy_url_decode(eq + 1, end - nend - 1, true, &f->scratch);
            const char *d = eddy_buf_cstr(&f->scratch);
            if (err || (err = add(f, d, nl, d + nl, f->scratch.len - nl, NULL, 0, NULL, 0)))
                return f->err[0] ? err : fail(f, err, "out of memory");
        }
        i = end + 1;
    }
    return 0;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* A quoted cookie value's escapes, as Python's http.cookies writes them
 * (\" and \ooo octal) and Werkzeug reads them, into raw bytes. */
static size_t unquote(const char *v, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '\\' || i + 1 == n)
            out[k++] = v[i];
        else if (n - i > 3 && v[i + 1] >= '0' && v[i + 1] <= '3' && v[i + 2] >= '0' &&
                 v[i + 2] <= '7' && v[i + 3] >= '0' && v[i + 3] <= '7') {
            out[k++] = (char)((v[i + 1] - '0') * 64 + (v[i + 2] - '0') * 8 + (v[i + 3] - '0'));
            i += 3;
        } else
            out[k++] = v[++i];
    }
    return k;
}

int eddy_form_parse_cookies(struct eddy_form *f, const char *s, size_t n)
{
    f->err[0] = 0;
    for (size_t i = 0; i < n;) {
        const char *semi = memchr(s + i, ';', n - i), *name = s + i;
        size_t end = semi ? (size_t)(semi - s) : n;
        const char *eq = memchr(name, '=', end - i), *val = eq ? eq + 1 : "";
        size_t nl = (size_t)((eq ? eq : s + end) - name), vl = eq ? (size_t)(s + end - val) : 0;
        trim(&name, &nl);
        trim(&val, &vl);
        if (nl) {
            char stack[256], *raw = vl <= sizeof stack ? stack : malloc(vl);
            if (raw && vl >= 2 && val[0] == '"' && val[vl - 1] == '"')
                vl = unquote(val + 1, vl - 2, raw), val = raw;
            eddy_buf_reset(&f->scratch);
            int err = raw ? eddy__utf8_append(&f->scratch, name, nl) : -ENOMEM;
            size_t dnl = f->scratch.len;
            if (!err && !(err = eddy__utf8_append(&f->scratch, val, vl))) {
                const char *d = eddy_buf_cstr(&f->scratch);
                err = add(f, d, dnl, d + dnl, f->scratch.len - dnl, NULL, 0, NULL, 0);
            }
            if (raw != stack)
                free(raw);
            if (err)
                return f->err[0] ? err : fail(f, err, "out of memory");
        }
        i = end + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* multipart/form-data                                                 */

/* Finds parameter `key` (case-insensitive) in a header value such as
 * `form-data; name="a"; filename="b"` and appends its value, unquoted, to
 * out.  Returns 1 if found, 0 if not, -EINVAL for an unterminated quote,
 * or out's error. */
static int get_param(const char *s, size_t n, const char *key, struct eddy_buf *out)
{
    const char *semi = memchr(s, ';', n);
    size_t i = semi ? (size_t)(semi - s) + 1 : n, klen = strlen(key);
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t ks = i;
        while (i < n && s[i] != '=' && s[i] != ';')
            i++;
        size_t ke = i;
        while (ke > ks && (s[ke - 1] == ' ' || s[ke - 1] == '\t'))
            ke--;
        bool match = ke - ks == klen && !strncasecmp(s + ks, key, klen);
        if (i < n && s[i] == '=') {
            for (i++; i < n && (s[i] == ' ' || s[i] == '\t');)
                i++;
            if (i < n && s[i] == '"') {
                size_t start = out->len;
                for (i++; i < n && s[i] != '"'; i++) {
                    if (s[i] == '\\' && i + 1 < n)
                        i++;
                    int err = match ? eddy_buf_putc(out, s[i]) : 0;
                    if (err)
                        return err;
                }
                if (i == n) {
                    out->len = start;
                    return -EINVAL;
                }
                if (match)
                    return 1;
            } else {
                size_t vs = i;
                while (i < n && s[i] != ';')
                    i++;
                size_t ve = i;
                while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
                    ve--;
                if (match) {
                    int err = eddy_buf_append(out, s + vs, ve - vs);
                    return err ? err : 1;
                }
            }
        }
        while (i < n && s[i] != ';')
            i++;
        i++;
    }
    return 0;
}

/* Parses one part's header block h[0..n) (lines ended by CRLF or LF) and
 * adds the field with content c[0..cl). */
static int add_part(struct eddy_form *f, int part, const char *h, size_t n, const char *c,
                    size_t cl)
{
    const char *cd = NULL, *ct = NULL;
    size_t cdl = 0, ctl = 0;
    for (size_t i = 0; i < n;) {
        const char *lf = memchr(h + i, '\n', n - i);
        size_t end = lf ? (size_t)(lf - h) : n, next = end + 1;
        if (end > i && h[end - 1] == '\r')
            end--;
        const char *line = h + i, *colon = memchr(line, ':', end - i);
        if (!colon)
            return fail(f, -EINVAL, "multipart: part %d: header line without ':'", part);
        const char *name = line, *val = colon + 1;
        size_t nl = (size_t)(colon - line), vl = (size_t)(h + end - val);
        trim(&name, &nl);
        trim(&val, &vl);
        if (nl == 19 && !strncasecmp(name, "Content-Disposition", 19))
            cd = val, cdl = vl;
        else if (nl == 12 && !strncasecmp(name, "Content-Type", 12))
            ct = val, ctl = vl;
        i = next;
    }
    if (!cd)
        return fail(f, -EINVAL, "multipart: part %d: no Content-Disposition header", part);
    const char *semi = memchr(cd, ';', cdl);
    size_t tl = semi ? (size_t)(semi - cd) : cdl;
    while (tl && (cd[tl - 1] == ' ' || cd[tl - 1] == '\t'))
        tl--;
    if (tl != 9 || strncasecmp(cd, "form-data", 9))
        return fail(f, -EINVAL, "multipart: part %d: Content-Disposition is not form-data", part);
    /* scratch: name, then filename, then filename* decoded */
    struct eddy_buf *s = &f->scratch, raw = EDDY_BUF_INIT(0);
    eddy_buf_reset(s);
    int has_name = get_param(cd, cdl, "name", &raw), has_file = 0, has_file_star = 0, err = 0;
    if (has_name < 0 || (has_name && eddy__utf8_append(s, eddy_buf_cstr(&raw), raw.len)))
        err = has_name == -EINVAL ? -EINVAL : -ENOMEM;
    size_t nl = s->len;
    eddy_buf_reset(&raw);
    if (!err && (has_file_star = get_param(cd, cdl, "filename*", &raw)) > 0 && raw.len >= 7 &&
        !strncasecmp(raw.data, "UTF-8''", 7))
        err = eddy_url_decode(raw.data + 7, raw.len - 7, false, s);
    else if (!err && has_file_star >= 0) {
        eddy_buf_reset(&raw);
        has_file_star = 0;
        if ((has_file = get_param(cd, cdl, "filename", &raw)) > 0)
            err = eddy__utf8_append(s, eddy_buf_cstr(&raw), raw.len);
    }
    if (!err && (has_file < 0 || has_file_star < 0))
        err = -EINVAL;
    eddy_buf_free(&raw);
    if (err == -EINVAL)
        return fail(f, err, "multipart: part %d: unterminated quoted string in Content-Disposition",
                    part);
    if (err)
        return fail(f, err, "out of memory");
    if (!has_name)
        return fail(f, -EINVAL, "multipart: part %d: Content-Disposition has no name", part);
    bool file = has_file > 0 || has_file_star > 0;
    size_t fl = s->len - nl;
    if (!file) { /* a text field: repair its UTF-8 after the name */
        if ((err = eddy__utf8_append(s, c, cl)))
            return fail(f, err, "out of memory");
        c = s->data + nl;
        cl = s->len - nl;
    }
    const char *d = eddy_buf_cstr(s);
    return add(f, d, nl, c, cl, file ? d + nl : NULL, fl, ct, ctl);
}

/* The position of the next LF + delim at or after `from` (of delim itself
 * at `from` if at_start), or n. */
static size_t find_delim(const char *body, size_t n, size_t from, const char *delim, size_t dl,
                         bool at_start)
{
    if (at_start && n - from >= dl && !memcmp(body + from, delim, dl))
        return from;
    for (const char *p = body + from; (p = memchr(p, '\n', (size_t)(body + n - p))); p++)
        if ((size_t)(body + n - p) > dl && !memcmp(p + 1, delim, dl))
            return (size_t)(p - body) + (at_start ? 1 : 0);
    return n;
}

int eddy_form_parse_multipart(struct eddy_form *f, const char *content_type, const char *body,
                              size_t n)
{
    f->err[0] = 0;
    const char *ct = content_type ? content_type : "";
    size_t ctn = strlen(ct);
    while (*ct == ' ' || *ct == '\t')
        ct++, ctn--;
    if (ctn < 19 || strncasecmp(ct, "multipart/form-data", 19) ||
        (ct[19] && !strchr("; \t", ct[19])))
        return fail(f, -EINVAL, "multipart: Content-Type is not multipart/form-data");
    struct eddy_buf bnd = EDDY_BUF_INIT(80);
    int found = eddy_buf_puts(&bnd, "--") ? -ENOMEM : get_param(ct, ctn, "boundary", &bnd);
    size_t dl = bnd.len;
    char delim[80];
    if (found > 0)
        memcpy(delim, bnd.data, dl);
    eddy_buf_free(&bnd);
    if (found == -ENOMEM)
        return fail(f, -ENOMEM, "out of memory");
    if (found <= 0 || dl < 3 || dl > 72)
        return fail(f, -EINVAL, "multipart: %s boundary in Content-Type",
                    found > 0 || found == -E2BIG ? "invalid (1 to 70 characters)" : "no valid");
    /* Lines may end in CRLF or, as Werkzeug also accepts, a bare LF: so
     * delimiters are searched as LF + "--boundary" and a CR before is not
     * content.  The first one may also start the body (no preamble). */
    size_t pos = find_delim(body, n, 0, delim, dl, true);
    if (pos == n)
        return fail(f, -EINVAL, "multipart: no boundary in the body");
    pos += dl;
    for (int part = 1;; part++) {
        if (n - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-')
            return 0; /* the close delimiter; the epilogue is ignored */
        while (pos < n && (body[pos] == ' ' || body[pos] == '\t'))
            pos++; /* transport padding */
        pos += pos < n && body[pos] == '\r';
        if (pos >= n || body[pos] != '\n')
            return fail(f, -EINVAL,
                        pos >= n ? "multipart: body ends without the closing boundary"
                                 : "multipart: part %d: boundary line not ended by CRLF",
                        part);
        if (part > MAX_PARTS)
            return fail(f, -E2BIG, "multipart: more than %d parts", MAX_PARTS);
        /* The headers end at the first empty line. */
        size_t hs = ++pos, he;
        for (;;) {
            const char *lf = memchr(body + pos, '\n', n - pos);
            if (!lf || (size_t)(lf - body) - hs > MAX_PART_HEADS)
                return fail(f, -EINVAL, "multipart: part %d: headers %s", part,
                            lf ? "longer than 8 KiB" : "not ended by an empty line");
            he = pos;
            pos = (size_t)(lf - body) + 1;
            if (lf - body == (ptrdiff_t)he || (lf - body == (ptrdiff_t)he + 1 && body[he] == '\r'))
                break;
        }
        size_t ce = find_delim(body, n, pos, delim, dl, false);
        if (ce == n)
            return fail(f, -EINVAL, "multipart: part %d: no boundary after its content", part);
        size_t next = ce + 1 + dl; /* past LF + delimiter */
        ce -= ce > pos && body[ce - 1] == '\r';
        int err = add_part(f, part, body + hs, he - hs, body + pos, ce - pos);
        if (err)
            return err;
        pos = next;
    }
}

/* ------------------------------------------------------------------ */
/* Set-Cookie                                                          */

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_cookie_octet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/* An attribute value: no control character, no ';'. */
static bool attr_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F || *s == ';')
            return false;
    return true;
}

int eddy_cookie_format(const struct eddy_cookie *c, struct eddy_buf *out)
{
    static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const same[] = {"Strict", "Lax", "None"};
    if (!c->name || !*c->name || !c->value)
        return -EINVAL;
    for (const char *p = c->name; *p; p++)
        if (!is_tchar((unsigned char)*p))
            return -EINVAL;
    const char *v = c->value;
    size_t vl = strlen(v);
    if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') /* a quoted value is allowed as is */
        v++, vl -= 2;
    for (size_t i = 0; i < vl; i++)
        if (!is_cookie_octet((unsigned char)v[i]))
            return -EINVAL;
    if ((c->path && !attr_ok(c->path)) || (c->domain && !attr_ok(c->domain)))
        return -EINVAL;
    const char *ss = NULL;
    for (int i = 0; c->same_site && i < 3; i++)
        if (!strcasecmp(c->same_site, same[i]))
            ss = same[i];
    if ((c->same_site && !ss) || (ss && !strcmp(ss, "None") && !c->secure))
        return -EINVAL; /* browsers drop SameSite=None without Secure */
    size_t len0 = out->len;
    int err = eddy_buf_printf(out, "%s=%s", c->name, c->value);
    if (!err && c->path)
        err = eddy_buf_printf(out, "; Path=%s", c->path);
    if (!err && c->domain)
        err = eddy_buf_printf(out, "; Domain=%s", c->domain);
    if (!err && c->max_age)
        err = eddy_buf_printf(out, "; Max-Age=%lld", c->max_age > 0 ? c->max_age : 0);
    long long exp = c->max_age < 0 ? 1 : c->expires;
    struct tm tm;
    time_t t = (time_t)exp;
    if (!err && exp && gmtime_r(&t, &tm))
        err = eddy_buf_printf(out, "; Expires=%s, %02d %s %04d %02d:%02d:%02d GMT",
                              days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (!err && c->secure)
        err = eddy_buf_puts(out, "; Secure");
    if (!err && c->http_only)
        err = eddy_buf_puts(out, "; HttpOnly");
    if (!err && ss)
        err = eddy_buf_printf(out, "; SameSite=%s", ss);
    if (err && out->data) {
        out->len = len0;
        out->data[len0] = 0;
    }
    return err;
}
