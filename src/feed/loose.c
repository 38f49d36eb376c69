/*
 * loose.c — feedparser's loose parser: sgmllib's tokenizer (as feedparser
 * 6 patches it, sgml.py) with _BaseHTMLProcessor.feed's rewrites, driving
 * the same mixin (mixin.c) with p->loose set.
 *
 * Why: feedparser parses with expat and, on the first XML error, parses the
 * whole document again with this SGML-ish parser, which recovers very
 * differently from libxml2 ("A < B" in a title, "<br>" in a description,
 * unclosed tags: libxml2 may drop the rest of the document, sgmllib keeps
 * it as text or tags).  To give feedparser's results for ill-formed feeds,
 * sax_driver.c runs this over the buffered document when libxml2 reported an
 * error (bozo stays as the XML pass set it).  Only the tokenizer lives
 * here; the loose conventions of the mixin (attributes as written,
 * decode_entities, entity and character references) are in mixin.c.
 *
 * The regular expressions of sgmllib are hand-matched below; each function
 * names the pattern it implements.  The whole document is tokenized at
 * once, so sgmllib's "incomplete, wait for more data" cases all become its
 * end-of-data behaviour (the rest is text).
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct lx {
    struct eddy__mixin *p;
    const char *s;         /* the document (after feed()'s rewrites) */
    size_t n;
    char lasttag[128];     /* sgmllib's lasttag, for "<>" and "/>" */
};

static bool alpha(char c) { return isalpha((unsigned char)c); }
static bool alnum(char c) { return isalnum((unsigned char)c); }
static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* ---- _BaseHTMLProcessor.feed's rewrites -------------------------------------- */

static const char *const no_end_tag[] = {
    "area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input",
    "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr", NULL,
};

static void prepare(struct eddy__mixin *p, const char *s, size_t n, struct eddy_buf *out)
{
    struct eddy_buf a = EDDY_BUF_INIT(0);
    /* re.sub(r'<!((?!DOCTYPE|--|\[))', r'&lt;!\1', data, re.IGNORECASE):
     * the flag lands in `count`, so only the first 2, case-sensitively */
    int count = 0;
    size_t run = 0;
    for (size_t i = 0; i + 1 < n && count < 2; i++) {
        if (s[i] != '<' || s[i + 1] != '!')
            continue;
        const char *r = s + i + 2;
        size_t left = n - i - 2;
        if ((left >= 7 && !memcmp(r, "DOCTYPE", 7)) || (left >= 2 && !memcmp(r, "--", 2)) || (left >= 1 && *r == '['))
            continue;
        eddy_buf_append(&a, s + run, i - run);
        eddy_buf_append(&a, "&lt;!", 5);
        run = i + 2;
        i++;
        count++;
    }
    eddy_buf_append(&a, s + run, n - run);

    /* re.sub(r'<([^<>\s]+?)\s*\/>', _shorttag_replace, data), then
     * '&#39;' -> "'" and '&#34;' -> '"' */
    const char *t = eddy_buf_cstr(&a);
    size_t tn = a.len;
    for (size_t i = 0; i < tn;) {
        if (t[i] == '<') {
            size_t j = i + 1; /* the run of [^<>\s] */
            while (j < tn && t[j] != '<' && t[j] != '>' && !space(t[j]))
                j++;
            size_t name_end = 0, end = 0;
            if (j < tn && t[j] == '>' && j >= i + 3 && t[j - 1] == '/') {
                name_end = j - 1; /* "<name/>" */
                end = j + 1;
            } else if (j > i + 1) {
                size_t k = j;
                while (k < tn && space(t[k]))
                    k++;
                if (k + 1 < tn && t[k] == '/' && t[k + 1] == '>') {
                    name_end = j; /* "<name  />" */
                    end = k + 2;
                }
            }
            char tag[64];
            size_t tl = name_end - (i + 1);
            if (name_end && tl < sizeof tag) {
                memcpy(tag, t + i + 1, tl);
                tag[tl] = 0;
                bool empty = false;
                for (const char *const *e = no_end_tag; *e; e++)
                    if (!strcmp(*e, tag))
                        empty = true;
                if (empty)
                    eddy_buf_printf(out, "<%s />", tag);
                else
                    eddy_buf_printf(out, "<%s></%s>", tag, tag);
                i = end;
                continue;
            }
        } else if (t[i] == '&' && i + 4 < tn && t[i + 1] == '#' && t[i + 2] == '3' && t[i + 4] == ';' &&
                   (t[i + 3] == '9' || t[i + 3] == '4')) {
            eddy_buf_putc(out, t[i + 3] == '9' ? '\'' : '"');
            i += 5;
            continue;
        }
        eddy_buf_putc(out, t[i]);
        i++;
    }
    eddy_buf_free(&a);
    if (!out->data)
        p->oom = p->oom || eddy_buf_reserve(out, 1) != 0;
}

/* ---- sgmllib's patterns ----------------------------------------------------- */

/* feedparser's endbracket, matched at i: the position of the '<' or '>'
 * ending a tag (quoted attribute values may hold brackets), or -1.
 *   (?:[^'"<>]|"[^"]*"(?=>|/|\s|\w+=)|'[^']*'(?=>|/|\s|\w+=))*(?=[<>])
 *   | .*?(?=[<>]) */
static bool quote_follow(const char *s, size_t n, size_t k)
{
    if (k >= n)
        return false;
    if (s[k] == '>' || s[k] == '/' || space(s[k]))
        return true;
    size_t w = k;
    while (w < n && (alnum(s[w]) || s[w] == '_' || (unsigned char)s[w] >= 0x80))
        w++;
    return w > k && w < n && s[w] == '=';
}

static long endbracket(const char *s, size_t n, size_t i)
{
    size_t k = i;
    while (k < n) {
        char c = s[k];
        if (c == '<' || c == '>')
            return (long)k;
        if (c == '"' || c == '\'') {
            const char *q = memchr(s + k + 1, c, n - k - 1);
            if (q && quote_follow(s, n, (size_t)(q - s) + 1)) {
                k = (size_t)(q - s) + 1;
                continue;
            }
            break; /* the first alternative fails here */
        }
        k++;
    }
    /* .*?(?=[<>]) — '.' does not cross a newline */
    for (k = i; k < n && s[k] != '\n'; k++)
        if (s[k] == '<' || s[k] == '>')
            return (long)k;
    return -1;
}

/* sgmllib.incomplete at i: the end of the match (it always matches) */
static size_t incomplete(const char *s, size_t n, size_t i)
{
    size_t k = i + 1;
    if (s[i] == '&') {
        if (k < n && alpha(s[k])) {
            while (k < n && alnum(s[k]))
                k++;
        } else if (k < n && s[k] == '#') {
            k++;
            while (k < n && isdigit((unsigned char)s[k]))
                k++;
        }
        return k;
    }
    /* '<' */
    if (k < n && (alpha(s[k]) || s[k] == '!')) {
        k++;
        while (k < n && s[k] != '<' && s[k] != '>')
            k++;
    } else if (k < n && s[k] == '/') {
        k++;
        if (k < n && alpha(s[k]))
            while (k < n && s[k] != '<' && s[k] != '>')
                k++;
    }
    return k;
}

/* ---- attributes ----------------------------------------------------------------- */

static bool attr_name_start(char c) { return alpha(c) || c == '_'; }
static bool attr_name_char(char c) { return alnum(c) || c == '_' || c == '-' || c == ':' || c == '.'; }
static bool attr_unquoted(char c)
{
    return alnum(c) || (c && strchr("][-./,:;+*%?!&$()_#=~'\"@", c));
}

/* mixin._normalize_attributes (loose): key lower-cased, rel/type values
 * lower-cased, '&amp;' -> '&'; stored in the scratch arena */
static void add_attr(struct lx *L, struct eddy_feed_value *attrs, const char *k, size_t kl, const char *v, size_t vl)
{
    struct eddy__mixin *p = L->p;
    char key[128];
    if (kl >= sizeof key)
        kl = sizeof key - 1;
    memcpy(key, k, kl);
    key[kl] = 0;
    eddy__lower(key, kl);
    bool low = !strcmp(key, "rel") || !strcmp(key, "type");
    char *val = eddy_arena_alloc(&p->scratch, vl + 1);
    if (!val) {
        p->oom = true;
        return;
    }
    size_t w = 0;
    for (size_t r = 0; r < vl;) {
        if (vl - r >= 5 && !memcmp(v + r, "&amp;", 5)) {
            val[w++] = '&';
            r += 5;
            continue;
        }
        val[w++] = v[r++];
    }
    val[w] = 0;
    if (low)
        eddy__lower(val, w);
    eddy__attr_set(p, attrs, key, val);
}

/* ---- tags ------------------------------------------------------------------------ */

static void lower_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
    eddy__lower(dst, n);
}

/* parse_starttag: returns the index after the tag, or -1 */
/* sgmllib's shorttag <tag/text/ at s[i]: the index after it, -1 when
 * unfinished, -2 when it is none. */
static long parse_shorttag(struct lx *L, size_t i)
{
    const char *s = L->s;
    size_t n = L->n;
    struct eddy__mixin *p = L->p;
    /* shorttagopen: <[a-zA-Z][-.a-zA-Z0-9]*\/ */
    size_t k = i + 1;
    if (k < n && alpha(s[k])) {
        size_t t = k + 1;
        while (t < n && (alnum(s[t]) || s[t] == '-' || s[t] == '.'))
            t++;
        if (t < n && s[t] == '/') {
            /* shorttag: <([a-zA-Z][-.a-zA-Z0-9]*)/([^/]*)/ */
            const char *q = memchr(s + t + 1, '/', n - t - 1);
            if (!q)
                return -1;
            char tag[128];
            lower_copy(tag, sizeof tag, s + k, t - k);
            eddy_arena_reset(&p->scratch);
            eddy__start_tag(p, tag, eddy__v_obj(&p->scratch));
            eddy__handle_data(p, s + t + 1, (size_t)(q - s) - t - 1);
            eddy__end_tag(p, tag);
            return (long)(q - s) + 1;
        }
    }
    return -2;
}

/* sgmllib's attrfind over s[k..j) into attrs. */
static void parse_attrs(struct lx *L, struct eddy_feed_value *attrs, size_t k, size_t j)
{
    const char *s = L->s;
    size_t n = L->n;
    /* attrfind: \s*([a-zA-Z_][-:.a-zA-Z_0-9]*)[$]?(\s*=\s*('[^']*'|"[^"]*"|[...]*))? */
    while (k < j) {
        size_t a = k;
        while (a < n && space(s[a]))
            a++;
        if (a >= n || !attr_name_start(s[a]))
            break;
        size_t ne = a + 1;
        while (ne < n && attr_name_char(s[ne]))
            ne++;
        size_t m = ne;
        if (m < n && s[m] == '$')
            m++;
        size_t e = m;
        while (e < n && space(s[e]))
            e++;
        const char *v = s + a;
        size_t vl = ne - a;
        if (e < n && s[e] == '=') {
            e++;
            while (e < n && space(s[e]))
                e++;
            size_t vs = e;
            const char *q = NULL;
            if (e < n && (s[e] == '\'' || s[e] == '"'))
                q = memchr(s + e + 1, s[e], n - e - 1);
            if (q) {
                e = (size_t)(q - s) + 1;
            } else {
                while (e < n && attr_unquoted(s[e]))
                    e++;
            }
            v = s + vs;
            vl = e - vs;
            if (vl >= 2 && (v[0] == '\'' || v[0] == '"') && v[vl - 1] == v[0])
                v++, vl -= 2;
            m = e;
        }
        add_attr(L, attrs, s + a, ne - a, v, vl);
        k = m;
    }
}

static long parse_starttag(struct lx *L, size_t i)
{
    const char *s = L->s;
    size_t n = L->n;
    struct eddy__mixin *p = L->p;
    long st = parse_shorttag(L, i);
    if (st != -2)
        return st;
    size_t k;
    long jb = endbracket(s, n, i + 1);
    if (jb < 0)
        return -1;
    size_t j = (size_t)jb;
    eddy_arena_reset(&p->scratch);
    struct eddy_feed_value *attrs = eddy__v_obj(&p->scratch);
    char tag[128];
    if (s[i + 1] == '>') {
        k = j;
        snprintf(tag, sizeof tag, "%s", L->lasttag);
    } else {
        /* tagfind: [a-zA-Z][-_.:a-zA-Z0-9]* */
        k = i + 2;
        while (k < n && (alnum(s[k]) || s[k] == '-' || s[k] == '_' || s[k] == '.' || s[k] == ':'))
            k++;
        lower_copy(tag, sizeof tag, s + i + 1, k - i - 1);
        snprintf(L->lasttag, sizeof L->lasttag, "%s", tag);
    }
    parse_attrs(L, attrs, k, j);
    if (s[j] == '>')
        j++;
    eddy__start_tag(p, tag, attrs);
    /* _BaseHTMLProcessor.parse_starttag: "/>" closes the element (xhtml) */
    if (j > 2 && s[j - 2] == '/' && s[j - 1] == '>')
        eddy__end_tag(p, L->lasttag);
    return (long)j;
}

static long parse_endtag(struct lx *L, size_t i)
{
    long jb = endbracket(L->s, L->n, i + 1);
    if (jb < 0)
        return -1;
    size_t j = (size_t)jb, a = i + 2, b = j;
    while (a < b && space(L->s[a]))
        a++;
    while (b > a && space(L->s[b - 1]))
        b--;
    char tag[128];
    lower_copy(tag, sizeof tag, L->s + a, b - a);
    if (L->s[j] == '>')
        j++;
    eddy__end_tag(L->p, tag);
    return (long)j;
}

/* ---- goahead --------------------------------------------------------------------- */

/* parse_comment: "<!--" at s[i] up to --\s*>; the index after it, -1 when unfinished. */
static long parse_comment(const char *s, size_t n, size_t i)
{
    for (size_t c = i + 4; c + 1 < n; c++) {
        if (s[c] == '-' && s[c + 1] == '-') {
            size_t e = c + 2;
            while (e < n && space(s[e]))
                e++;
            if (e < n && s[e] == '>')
                return (long)e + 1;
        }
    }
    return -1;
}

/* The mixin's parse_declaration at "<!" (s[i]): a CDATA section's text
 * goes on escaped; the index after it, -1 when unfinished. */
static long parse_declaration(struct lx *L, size_t i)
{
    const char *s = L->s;
    size_t n = L->n;
    if (n - i >= 9 && !memcmp(s + i, "<![CDATA[", 9)) {
        const char *e = memmem(s + i + 9, n - i - 9, "]]>", 3);
        if (!e)
            return (long)n; /* an unfinished CDATA block is dropped */
        struct eddy_buf esc = EDDY_BUF_INIT(0);
        for (const char *c = s + i + 9; c < e; c++)
            if (*c == '&') eddy_buf_append(&esc, "&amp;", 5);
            else if (*c == '<') eddy_buf_append(&esc, "&lt;", 4);
            else if (*c == '>') eddy_buf_append(&esc, "&gt;", 4);
            else eddy_buf_putc(&esc, *c);
        eddy__handle_data_raw(L->p, eddy_buf_cstr(&esc), esc.len);
        eddy_buf_free(&esc);
        return (long)(e - s) + 3;
    }
    const char *gt = memchr(s + i, '>', n - i);
    return gt ? (long)(gt - s) + 1 : -1;
}

/* The markup at '<' (s[i]): the index after it, -1 when unfinished (the
 * parse stops), -2 when it is no markup (sgmllib's `incomplete`). */
static long parse_markup(struct lx *L, size_t i)
{
    const char *s = L->s;
    size_t n = L->n;
    if (i + 1 < n && (s[i + 1] == '>' || alpha(s[i + 1])))
        return parse_starttag(L, i);
    if (i + 1 < n && s[i + 1] == '/')
        return parse_endtag(L, i);
    if (n - i >= 4 && !memcmp(s + i, "<!--", 4))
        return parse_comment(s, n, i);
    if (i + 1 < n && s[i + 1] == '?') {
        const char *gt = memchr(s + i + 2, '>', n - i - 2);
        return gt ? (long)(gt - s) + 1 : -1;
    }
    if (i + 1 < n && s[i + 1] == '!')
        return parse_declaration(L, i);
    return -2;
}

/* A character or entity reference at '&' (s[i]), handed to the mixin:
 * true with *next after it, false when it is none. */
static bool parse_reference(struct lx *L, size_t i, size_t *next)
{
    const char *s = L->s;
    size_t n = L->n, c = i + 1;
    if (c < n && s[c] == '#') {
        /* charref (feedparser's): &#(\d+|[xX][0-9a-fA-F]+); */
        size_t d = c + 1;
        bool hex = d < n && (s[d] == 'x' || s[d] == 'X');
        size_t st = d + hex, e = st;
        while (e < n && (hex ? isxdigit((unsigned char)s[e]) : isdigit((unsigned char)s[e])))
            e++;
        if (e > st && e < n && s[e] == ';') {
            eddy__handle_charref(L->p, s + d, e - d);
            *next = e + 1;
            return true;
        }
    } else if (c < n && alpha(s[c])) {
        /* entityref: &([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9] */
        size_t e = c + 1;
        while (e < n && (alnum(s[e]) || s[e] == '-' || s[e] == '.'))
            e++;
        if (e < n) {
            eddy__handle_entityref(L->p, s + c, e - c);
            *next = s[e] == ';' ? e + 1 : e;
            return true;
        }
    }
    return false;
}

void eddy__loose_parse(struct eddy__mixin *p, const char *data, size_t len)
{
    struct eddy_buf doc = EDDY_BUF_INIT(0);
    prepare(p, data, len, &doc);
    struct lx L = {p, eddy_buf_cstr(&doc), doc.len, "???"};
    const char *s = L.s;
    size_t n = L.n, i = 0;
    while (i < n) {
        if (eddy__over_budget(p->budget)) {
            p->budget->at = i;
            break;
        }
        size_t j = i;
        while (j < n && s[j] != '<' && s[j] != '&')
            j++;
        if (i < j)
            eddy__handle_data(p, s + i, j - i);
        i = j;
        if (i == n)
            break;
        long k = -2; /* -2: not handled, fall to `incomplete` */
        if (s[i] == '<') {
            k = parse_markup(&L, i);
        } else if (parse_reference(&L, i, &j)) {
            i = j;
            continue;
        }
        if (k == -1)
            break;
        if (k >= 0) {
            i = (size_t)k;
            continue;
        }
        size_t e = incomplete(s, n, i);
        if (e == n)
            break;
        eddy__handle_data(p, s + i, e - i);
        i = e;
    }
    if (i < n && !(p->budget && p->budget->over))
        eddy__handle_data(p, s + i, n - i);
    eddy_buf_free(&doc);
}
