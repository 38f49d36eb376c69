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
 * The scanning is sgml.c's, shared with html.c; what stays here is this
 * parser's policy (comments and processing instructions dropped, CDATA as
 * escaped text, a declaration skipped to its '>').  The whole document is
 * tokenized at once, so sgmllib's "incomplete, wait for more data" cases all
 * become its end-of-data behaviour (the rest is text).
 */
#include "internal.h"
#include "sgml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lx {
    struct eddy__mixin *p;
    const char *s; /* the document (after feed()'s rewrites) */
    size_t n;
    char lasttag[128]; /* sgmllib's lasttag, for "<>" and "/>" */
};

/* ASCII whitespace, for feed()'s rewrites (the tokenizer's \s is sgml.h's) */
static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ---- _BaseHTMLProcessor.feed's rewrites -------------------------------------- */

static const char *const no_end_tag[] = {
    "area",  "base",    "basefont", "br",   "col",  "command", "embed",  "frame", "hr",  "img",
    "input", "isindex", "keygen",   "link", "meta", "param",   "source", "track", "wbr", NULL,
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
        if ((left >= 7 && !memcmp(r, "DOCTYPE", 7)) || (left >= 2 && !memcmp(r, "--", 2)) ||
            (left >= 1 && *r == '['))
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
        } else if (t[i] == '&' && i + 4 < tn && t[i + 1] == '#' && t[i + 2] == '3' &&
                   t[i + 4] == ';' && (t[i + 3] == '9' || t[i + 3] == '4')) {
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

/* ---- attributes ----------------------------------------------------------------- */

/* mixin._normalize_attributes (loose): key lower-cased, rel/type values
 * lower-cased, '&amp;' -> '&'; stored in the scratch arena */
static void add_attr(struct lx *L, struct eddy_feed_value *attrs, const char *k, size_t kl,
                     const char *v, size_t vl)
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

/* A tag name, cut to cap - 1 bytes at most (a character boundary: the name
 * becomes a key of the result, which is UTF-8). */
static void lower_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        for (n = cap - 1; n && ((unsigned char)s[n] & 0xC0) == 0x80;)
            n--;
    memcpy(dst, s, n);
    dst[n] = 0;
    eddy__lower(dst, n);
}

/* parse_starttag at '<' (s[i]): the index after the tag (or after sgmllib's
 * shorttag <tag/text/), or INCOMPLETE. */
static size_t parse_starttag(struct lx *L, size_t i)
{
    const char *s = L->s;
    size_t n = L->n, e;
    struct eddy__mixin *p = L->p;
    char tag[128];
    size_t j = eddy__sgml_shorttag(s, n, i, &e);
    if (j == EDDY__SGML_INCOMPLETE)
        return j;
    if (j != EDDY__SGML_NO_MATCH) {
        lower_copy(tag, sizeof tag, s + i + 1, e - i - 1);
        eddy_arena_reset(&p->scratch);
        eddy__start_tag(p, tag, eddy__v_obj(&p->scratch));
        eddy__handle_data(p, s + e + 1, j - e - 2);
        eddy__end_tag(p, tag);
        return j;
    }
    if ((j = eddy__sgml_endbracket(s, n, i + 1)) == EDDY__SGML_INCOMPLETE)
        return j;
    eddy_arena_reset(&p->scratch);
    struct eddy_feed_value *attrs = eddy__v_obj(&p->scratch);
    size_t k = j;
    if (s[i + 1] == '>') {
        snprintf(tag, sizeof tag, "%s", L->lasttag);
    } else {
        k = eddy__sgml_tagname(s, n, i + 1);
        lower_copy(tag, sizeof tag, s + i + 1, k - i - 1);
        snprintf(L->lasttag, sizeof L->lasttag, "%s", tag);
    }
    struct eddy__sgml_attr a;
    while (k < j && (k = eddy__sgml_attr(s, n, k, &a)) != EDDY__SGML_NO_MATCH)
        add_attr(L, attrs, s + a.name, a.name_end - a.name, s + a.val, a.val_end - a.val);
    if (s[j] == '>')
        j++;
    eddy__start_tag(p, tag, attrs);
    /* _BaseHTMLProcessor.parse_starttag: "/>" closes the element (xhtml) */
    if (j > 2 && s[j - 2] == '/' && s[j - 1] == '>')
        eddy__end_tag(p, L->lasttag);
    return j;
}

/* ---- goahead --------------------------------------------------------------------- */

/* The mixin's parse_declaration at "<!" (s[i]): a CDATA section's text
 * goes on escaped; the index after it, or INCOMPLETE. */
static size_t parse_declaration(struct lx *L, size_t i)
{
    const char *s = L->s;
    size_t n = L->n;
    if (n - i >= 9 && !memcmp(s + i, "<![CDATA[", 9)) {
        const char *e = memmem(s + i + 9, n - i - 9, "]]>", 3);
        if (!e)
            return n; /* an unfinished CDATA block is dropped */
        struct eddy_buf esc = EDDY_BUF_INIT(0);
        for (const char *c = s + i + 9; c < e; c++)
            if (*c == '&')
                eddy_buf_append(&esc, "&amp;", 5);
            else if (*c == '<')
                eddy_buf_append(&esc, "&lt;", 4);
            else if (*c == '>')
                eddy_buf_append(&esc, "&gt;", 4);
            else
                eddy_buf_putc(&esc, *c);
        eddy__handle_data_raw(L->p, eddy_buf_cstr(&esc), esc.len);
        eddy_buf_free(&esc);
        return (size_t)(e - s) + 3;
    }
    const char *gt = memchr(s + i, '>', n - i);
    return gt ? (size_t)(gt - s) + 1 : EDDY__SGML_INCOMPLETE;
}

/* The markup at '<' (s[i]): the index after it, INCOMPLETE (the parse
 * stops) or NO_MATCH (sgmllib's `incomplete` follows). */
static size_t parse_markup(struct lx *L, size_t i)
{
    const char *s = L->s;
    size_t n = L->n, a, b;
    char c = i + 1 < n ? s[i + 1] : 0, tag[128];
    if (c == '>' || is_alpha(c))
        return parse_starttag(L, i);
    if (c == '/') {
        size_t j = eddy__sgml_endtag(s, n, i, &a, &b);
        if (j != EDDY__SGML_INCOMPLETE) {
            lower_copy(tag, sizeof tag, s + a, b - a);
            eddy__end_tag(L->p, tag);
        }
        return j;
    }
    if (n - i >= 4 && !memcmp(s + i, "<!--", 4))
        return eddy__sgml_comment(s, n, i, n, &a); /* not reported */
    if (c == '?')
        return eddy__sgml_pi(s, n, i);
    if (c == '!')
        return parse_declaration(L, i);
    return EDDY__SGML_NO_MATCH;
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
        size_t k = EDDY__SGML_NO_MATCH, a, b;
        bool charref;
        if (s[i] == '<')
            k = parse_markup(&L, i);
        else if ((k = eddy__sgml_reference(s, n, i, &a, &b, &charref)) != EDDY__SGML_NO_MATCH)
            (charref ? eddy__handle_charref : eddy__handle_entityref)(p, s + a, b - a);
        if (k <= n) {
            i = k;
            continue;
        }
        if (k == EDDY__SGML_INCOMPLETE)
            break;
        size_t e = eddy__sgml_incomplete(s, n, i);
        if (e == n)
            break;
        eddy__handle_data(p, s + i, e - i);
        i = e;
    }
    if (i < n && !(p->budget && p->budget->over))
        eddy__handle_data(p, s + i, n - i);
    eddy_buf_free(&doc);
}
