/*
 * xfast.c — well-formed XML, tokenized without libxml2.
 *
 * Most feeds are well-formed XML, and for them libxml2's pull parser did
 * more than needed: its input copies, dictionary lookups, a check of every
 * character, and a character at a time (with a copy) for CDATA sections,
 * non-ASCII text and references.  This tokenizer reads the subset of XML
 * feeds are written in:
 * an XML declaration; comments and processing instructions; elements
 * with ASCII names, namespace prefixes and quoted attribute values;
 * text with the five predefined entities and character references; CDATA
 * sections.  At anything else it gives up and the caller parses the
 * document again with libxml2 from the start: a DOCTYPE (sax_driver.c
 * removes most before), another entity, a non-ASCII name, more than
 * XF_MAX_ATTRS attributes on one element — and every well-formedness or
 * namespace error libxml2 would report, since only libxml2 words its
 * messages.  So it must give up wherever libxml2 reports an error: the
 * differential tests (tests/feed/test_xfast.c) and fuzz/xfast compare the
 * two on the same documents.
 *
 * What libxml2 (2.9, options of parse_xml: no entity substitution) hands
 * its SAX2 handlers, and so what this tokenizer hands them:
 *   - text: line ends normalized ("\r\n" and a lone "\r" -> "\n"), each
 *     reference replaced by its character;
 *   - CDATA: its content, line ends normalized, even when empty;
 *   - attribute values: each "\t", "\n", "\r" or "\r\n" -> " ", references
 *     replaced, except that '&' (from "&amp;" or a character reference)
 *     stays "&#38;" (the driver turns it back);
 *   - names and namespace names interned: equal strings, equal pointers.
 * Text may come in other pieces than libxml2's; the handlers join them.
 */
#include "xfast.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/text.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

bool eddy__xfast_enabled = true;
_Thread_local size_t eddy__xfast_done;

#define XF_MAX_ATTRS 32 /* attributes plus namespace declarations of one tag */
#define XF_MAX_NAME  1000

struct eddy__xname {
    uint64_t hash;
    size_t len;
    const unsigned char *local, *prefix; /* a qname's parts (interned); local NULL until split */
    unsigned char s[];                   /* the name, NUL-terminated */
};

struct xf_frame {
    const struct eddy__xname *q;
    const unsigned char *uri;
    size_t nns; /* declarations in scope when the element started */
};

struct xf_ns {
    const unsigned char *prefix, *uri; /* prefix NULL: the default namespace */
};

enum { C_START = 1, C_NAME = 2, C_WS = 4 };
static unsigned char cls[256];

static void cls_init(void)
{
    for (int c = 0; c < 256; c++) {
        unsigned char k = 0;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
            k |= C_START | C_NAME;
        if ((c >= '0' && c <= '9') || c == '.' || c == '-')
            k |= C_NAME;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            k |= C_WS;
        cls[c] = k;
    }
}

#define WS(c) (cls[(unsigned char)(c)] & C_WS)

/* ---- the checks every character of the document gets ---------------------- */

/* Whether d[0..n) holds XML Chars only: valid UTF-8, no control byte but
 * tab, line feed and carriage return, no U+FFFE or U+FFFF.  An error about
 * any other character anywhere is libxml2's to report.  (Checking each
 * non-ASCII character where a block has one took 1.4% more instructions
 * on the 100 feeds than eddy__utf8_valid's pass over the whole.) */
static bool chars_ok(const unsigned char *d, size_t n, bool utf8)
{
    size_t i = 0;
    unsigned high = 0;
#ifdef __SSE2__
    const __m128i c1f = _mm_set1_epi8(0x1F), tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r');
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
        __m128i ctrl = _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x);
        __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, lf)),
                                  _mm_cmpeq_epi8(x, cr));
        if (_mm_movemask_epi8(_mm_andnot_si128(ok, ctrl)))
            return false;
        high |= (unsigned)_mm_movemask_epi8(x);
    }
#endif
    for (; i < n; i++) {
        if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r')
            return false;
        high |= d[i] & 0x80;
    }
    if (!high)
        return true;
    if (!utf8 && !eddy__utf8_valid(d, n))
        return false;
    for (const unsigned char *p = d, *end = d + n; (p = memchr(p, 0xEF, (size_t)(end - p))); p++)
        if (end - p >= 3 && p[1] == 0xBF && p[2] >= 0xBE)
            return false;
    return true;
}

/* ---- interned names ------------------------------------------------------ */

static uint64_t hash(const unsigned char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 32);
}

static int grow_tab(struct eddy__xfast *x)
{
    size_t cap = x->tabcap ? x->tabcap * 2 : 256;
    struct eddy__xname **t = calloc(cap, sizeof *t);
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < x->tabcap; i++) {
        struct eddy__xname *e = x->tab[i];
        if (!e)
            continue;
        size_t k = (size_t)e->hash & (cap - 1);
        while (t[k])
            k = (k + 1) & (cap - 1);
        t[k] = e;
    }
    free(x->tab);
    x->tab = t;
    x->tabcap = cap;
    return 0;
}

/* The interned copy of s[0..n); NULL on ENOMEM. */
static struct eddy__xname *intern(struct eddy__xfast *x, const unsigned char *s, size_t n)
{
    if (2 * (x->tabcount + 1) > x->tabcap && grow_tab(x))
        return NULL;
    uint64_t h = hash(s, n);
    size_t k = (size_t)h & (x->tabcap - 1);
    for (struct eddy__xname *e; (e = x->tab[k]); k = (k + 1) & (x->tabcap - 1))
        if (e->hash == h && e->len == n && !memcmp(e->s, s, n))
            return e;
    struct eddy__xname *e = eddy_arena_alloc(&x->names, sizeof *e + n + 1);
    if (!e)
        return NULL;
    e->hash = h;
    e->len = n;
    e->local = e->prefix = NULL;
    memcpy(e->s, s, n);
    e->s[n] = 0;
    x->tab[k] = e;
    x->tabcount++;
    return e;
}

/* ---- scanners ------------------------------------------------------------ */

/* The index of the first '<', '&', ']' or '\r' in d[i..n), or n. */
static size_t text_stop(const unsigned char *d, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), rb = _mm_set1_epi8(']'),
                  cr = _mm_set1_epi8('\r');
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, lt), _mm_cmpeq_epi8(x, amp)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, rb), _mm_cmpeq_epi8(x, cr))));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && d[i] != '<' && d[i] != '&' && d[i] != ']' && d[i] != '\r')
        i++;
    return i;
}

/* The index of the first quote q, '<', '&' or control byte in d[i..n), or n. */
static size_t value_stop(const unsigned char *d, size_t i, size_t n, unsigned char q)
{
#ifdef __SSE2__
    const __m128i qq = _mm_set1_epi8((char)q), lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'),
                  c1f = _mm_set1_epi8(0x1F);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, qq), _mm_cmpeq_epi8(x, lt)),
            _mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x))));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && d[i] != q && d[i] != '<' && d[i] != '&' && d[i] >= 0x20)
        i++;
    return i;
}

/* The index of `s` (2 or 3 bytes) in d[i..n), or n. */
static size_t find(const unsigned char *d, size_t i, size_t n, const char *s, size_t sl)
{
    for (const unsigned char *hit; i + sl <= n && (hit = memchr(d + i, s[0], n - i - sl + 1));
         i = (size_t)(hit - d) + 1)
        if (!memcmp(hit, s, sl))
            return (size_t)(hit - d);
    return n;
}

static size_t skip_ws(const unsigned char *d, size_t i, size_t n)
{
    while (i < n && WS(d[i]))
        i++;
    return i;
}

/* The QName at d[*i] (at most one colon, between two non-empty parts),
 * interned and split; NULL when there is none or on ENOMEM (*oom set). */
static struct eddy__xname *name_at(struct eddy__xfast *x, const unsigned char *d, size_t n,
                                   size_t *i, bool *oom)
{
    size_t s = *i, p = s, colon = 0;
    if (p >= n || !(cls[d[p]] & C_START))
        return NULL;
    for (p++; p < n; p++) {
        if (cls[d[p]] & C_NAME)
            continue;
        if (d[p] != ':' || colon)
            break;
        colon = p;
        if (p + 1 >= n || !(cls[d[p + 1]] & C_START))
            return NULL; /* "a:" or "a:1": libxml2 says more than we would */
    }
    if (p < n && (d[p] >= 0x80 || d[p] == ':'))
        return NULL; /* a non-ASCII name, or a second colon */
    if (p - s > XF_MAX_NAME)
        return NULL;
    struct eddy__xname *e = intern(x, d + s, p - s);
    if (!e) {
        *oom = true;
        return NULL;
    }
    if (!e->local) {
        if (colon) {
            struct eddy__xname *pf = intern(x, d + s, colon - s),
                               *lo = intern(x, d + colon + 1, p - colon - 1);
            if (!pf || !lo) {
                *oom = true;
                return NULL;
            }
            e->prefix = pf->s;
            e->local = lo->s;
        } else {
            e->local = e->s;
        }
    }
    *i = p;
    return e;
}

/* The reference at d[i] ('&'): its character into out (UTF-8), the index
 * just past it into *end; 0 when it is not one of XML's five entities or
 * a character reference to an XML Char. */
static size_t ref_at(const unsigned char *d, size_t i, size_t n, char out[4], size_t *end)
{
    const unsigned char *s = d + i + 1;
    size_t left = n - i - 1;
    if (left >= 2 && s[0] == '#') {
        uint32_t v = 0;
        size_t k = 1;
        bool hex = s[1] == 'x';
        k += hex;
        size_t digits = k;
        for (int dv; k < left && k < digits + 8; k++) {
            if ((dv = eddy__hex_digit(s[k])) < 0 || (!hex && dv > 9))
                break;
            v = v * (hex ? 16 : 10) + (uint32_t)dv;
        }
        if (k == digits || k >= left || s[k] != ';')
            return 0;
        if (!(v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) ||
              (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)))
            return 0;
        *end = i + 1 + k + 1;
        return eddy__utf8_encode(v, out);
    }
    size_t l;
    if (left >= 4 && !memcmp(s, "amp;", 4))
        out[0] = '&', l = 4;
    else if (left >= 3 && (s[0] == 'l' || s[0] == 'g') && s[1] == 't' && s[2] == ';')
        out[0] = s[0] == 'l' ? '<' : '>', l = 3;
    else if (left >= 5 && !memcmp(s, "quot;", 5))
        out[0] = '"', l = 5;
    else if (left >= 5 && !memcmp(s, "apos;", 5))
        out[0] = '\'', l = 5;
    else
        return 0;
    *end = i + 1 + l;
    return 1;
}

/* ---- markup -------------------------------------------------------------- */

/* The end of the comment at d[i] ("<!--"), or 0. */
static size_t comment_end(const unsigned char *d, size_t i, size_t n)
{
    size_t k = find(d, i + 4, n, "--", 2);
    return k + 2 < n && d[k + 2] == '>' ? k + 3 : 0;
}

/* The end of the processing instruction at d[i] ("<?"), or 0 (also for
 * the target "xml" in any case: a declaration out of place). */
static size_t pi_end(const unsigned char *d, size_t i, size_t n)
{
    size_t p = i + 2;
    if (p >= n || !(cls[d[p]] & C_START))
        return 0;
    while (p < n && (cls[d[p]] & C_NAME))
        p++;
    if (p - (i + 2) == 3 && (d[i + 2] | 0x20) == 'x' && (d[i + 3] | 0x20) == 'm' &&
        (d[i + 4] | 0x20) == 'l')
        return 0;
    if (p + 1 < n && d[p] == '?' && d[p + 1] == '>')
        return p + 2;
    if (p >= n || !WS(d[p]))
        return 0;
    size_t k = find(d, p, n, "?>", 2);
    return k < n ? k + 2 : 0;
}

static bool lit(const unsigned char *d, size_t n, size_t i, const char *s)
{
    size_t l = strlen(s);
    return i + l <= n && !memcmp(d + i, s, l);
}

/* ` name = 'value'` of the XML declaration at d[*i], the value into
 * [*vs, *ve); false (*i unchanged) if absent or malformed. */
static bool decl_attr(const unsigned char *d, size_t n, size_t *i, const char *name, size_t *vs,
                      size_t *ve)
{
    size_t p = skip_ws(d, *i, n);
    if (p == *i || !lit(d, n, p, name))
        return false;
    p = skip_ws(d, p + strlen(name), n);
    if (p >= n || d[p] != '=')
        return false;
    p = skip_ws(d, p + 1, n);
    if (p >= n || (d[p] != '"' && d[p] != '\''))
        return false;
    const unsigned char *q = memchr(d + p + 1, d[p], n - p - 1);
    if (!q)
        return false;
    *vs = p + 1;
    *ve = (size_t)(q - d);
    *i = *ve + 1;
    return true;
}

/* The end of the XML declaration at d[0], or 0 when it is not one
 * libxml2 takes without a word. */
static size_t xml_decl_end(const unsigned char *d, size_t n)
{
    size_t p = 5, vs, ve;
    if (!decl_attr(d, n, &p, "version", &vs, &ve) || ve - vs != 3 || memcmp(d + vs, "1.0", 3))
        return 0;
    if (decl_attr(d, n, &p, "encoding", &vs, &ve)) {
        if (vs == ve || !((d[vs] | 0x20) >= 'a' && (d[vs] | 0x20) <= 'z'))
            return 0;
        for (size_t k = vs + 1; k < ve; k++)
            if (!(cls[d[k]] & C_NAME) || d[k] == ':')
                return 0;
    }
    if (decl_attr(d, n, &p, "standalone", &vs, &ve) &&
        !((ve - vs == 3 && !memcmp(d + vs, "yes", 3)) ||
          (ve - vs == 2 && !memcmp(d + vs, "no", 2))))
        return 0;
    p = skip_ws(d, p, n);
    return lit(d, n, p, "?>") ? p + 2 : 0;
}

/* Comments, processing instructions and white space from d[*i]: false at
 * anything else but the end or a '<' that starts an element. */
static bool misc(const unsigned char *d, size_t n, size_t *i)
{
    for (size_t p = *i;;) {
        p = skip_ws(d, p, n);
        size_t e = 0;
        if (p >= n || (d[p] == '<' && p + 1 < n && (cls[d[p + 1]] & C_START))) {
            *i = p;
            return true;
        }
        if (lit(d, n, p, "<!--"))
            e = comment_end(d, p, n);
        else if (lit(d, n, p, "<?"))
            e = pi_end(d, p, n);
        if (!e)
            return false;
        p = e;
    }
}

static const unsigned char xml_ns[] = "http://www.w3.org/XML/1998/namespace";
static const unsigned char xmlns_ns[] = "http://www.w3.org/2000/xmlns/";

/* The namespace of prefix (NULL: the default one) in scope; *known false
 * for an undeclared prefix. */
static const unsigned char *ns_of(const struct eddy__xfast *x, const unsigned char *prefix,
                                  bool *known)
{
    *known = true;
    for (size_t k = x->nns; k-- > 0;)
        if (x->ns[k].prefix == prefix)
            return *x->ns[k].uri ? x->ns[k].uri : NULL;
    *known = prefix == NULL;
    return NULL;
}

enum { R_OK, R_GIVE_UP, R_OOM };

struct tag_attr {
    const struct eddy__xname *q;
    size_t vs, vl;
    bool inbuf; /* the value is x->vals[vs..vs+vl), else d[vs..vs+vl) */
};

/* The attribute value quoted at d[*i]; false where libxml2 would report
 * an error or read a reference we leave to it. */
static bool value_at(struct eddy__xfast *x, const unsigned char *d, size_t n, size_t *i,
                     struct tag_attr *a, bool *oom)
{
    unsigned char q = d[*i];
    size_t s = *i + 1, p = value_stop(d, s, n, q);
    if (p >= n || d[p] == '<')
        return false;
    if (d[p] == q) {
        *a = (struct tag_attr){a->q, s, p - s, false};
        *i = p + 1;
        return true;
    }
    /* references or white space to replace: the value is no longer than
     * its text, whatever it holds ("&amp;" -> "&#38;" is 5 for 5) */
    const unsigned char *e = memchr(d + p, q, n - p);
    if (!e)
        return false;
    size_t end = (size_t)(e - d), start = x->vals.len;
    if (eddy_buf_reserve(&x->vals, end - s)) {
        *oom = true;
        return false;
    }
    char *w0 = x->vals.data + start, *w = w0;
    memcpy(w, d + s, p - s);
    w += p - s;
    while (p < end) {
        if (d[p] == '<')
            return false;
        if (d[p] == '&') {
            size_t next, rl = ref_at(d, p, n, w, &next);
            if (!rl)
                return false;
            if (rl == 1 && *w == '&')
                memcpy(w, "&#38;", 5), rl = 5;
            w += rl;
            p = next;
        } else { /* tab, line feed, carriage return */
            *w++ = ' ';
            p += 1 + (d[p] == '\r' && d[p + 1] == '\n');
        }
        size_t k = value_stop(d, p, end, q);
        memcpy(w, d + p, k - p);
        w += k - p;
        p = k;
    }
    x->vals.len = start + (size_t)(w - w0);
    *a = (struct tag_attr){a->q, start, (size_t)(w - w0), true};
    *i = end + 1;
    return true;
}

/* The text from d[ts], which has a reference, ']' or '\r' at d[*i],
 * with its references replaced and line ends normalized, into x->text;
 * *i gets the '<' after it. */
static int text_decode(struct eddy__xfast *x, const unsigned char *d, size_t n, size_t ts,
                       size_t *i)
{
    size_t p = *i;
    const unsigned char *lt = memchr(d + p, '<', n - p);
    if (!lt)
        return R_GIVE_UP;
    size_t end = (size_t)(lt - d);
    x->text.len = 0;
    if (eddy_buf_reserve(&x->text, end - ts)) /* no longer than its text */
        return R_OOM;
    char *w0 = x->text.data, *w = w0;
    memcpy(w, d + ts, p - ts);
    w += p - ts;
    while (p < end) {
        if (d[p] == '&') {
            size_t next, rl = ref_at(d, p, n, w, &next);
            if (!rl)
                return R_GIVE_UP;
            w += rl;
            p = next;
        } else if (d[p] == '\r') {
            *w++ = '\n';
            p += 1 + (d[p + 1] == '\n');
        } else { /* ']' */
            if (d[p + 1] == ']' && d[p + 2] == '>')
                return R_GIVE_UP;
            *w++ = ']';
            p++;
        }
        size_t k = text_stop(d, p, end);
        memcpy(w, d + p, k - p);
        w += k - p;
        p = k;
    }
    x->text.len = (size_t)(w - w0);
    *i = end;
    return R_OK;
}

static int push_ns(struct eddy__xfast *x, const unsigned char *prefix, const unsigned char *uri)
{
    if (x->nns == x->capns) {
        size_t cap = x->capns ? x->capns * 2 : 32;
        struct xf_ns *t = realloc(x->ns, cap * sizeof *t);
        if (!t)
            return -ENOMEM;
        x->ns = t;
        x->capns = cap;
    }
    x->ns[x->nns++] = (struct xf_ns){prefix, uri};
    return 0;
}

/* The start tag at d[*i] ('<' and a name start): its declarations pushed,
 * start() called (and end() for an empty one), the element pushed on the
 * stack (*depth) unless it was empty. */
static int start_tag(struct eddy__xfast *x, const unsigned char *d, size_t n, size_t *i,
                     size_t *depth, const struct eddy__xfast_sax *sax, void *ud)
{
    bool oom = false;
    size_t p = *i + 1;
    struct eddy__xname *q = name_at(x, d, n, &p, &oom);
    if (!q)
        return oom ? R_OOM : R_GIVE_UP;
    struct tag_attr at[XF_MAX_ATTRS];
    size_t na = 0;
    bool empty = false;
    x->vals.len = 0;
    for (;;) {
        size_t ws = p;
        p = skip_ws(d, p, n);
        if (p >= n)
            return R_GIVE_UP;
        if (d[p] == '>') {
            p++;
            break;
        }
        if (d[p] == '/') {
            if (p + 1 >= n || d[p + 1] != '>')
                return R_GIVE_UP;
            p += 2;
            empty = true;
            break;
        }
        if (p == ws || na == XF_MAX_ATTRS)
            return R_GIVE_UP;
        struct tag_attr *a = &at[na++];
        if (!(a->q = name_at(x, d, n, &p, &oom)))
            return oom ? R_OOM : R_GIVE_UP;
        p = skip_ws(d, p, n);
        if (p >= n || d[p] != '=')
            return R_GIVE_UP;
        p = skip_ws(d, p + 1, n);
        if (p >= n || (d[p] != '"' && d[p] != '\''))
            return R_GIVE_UP;
        if (!value_at(x, d, n, &p, a, &oom))
            return oom ? R_OOM : R_GIVE_UP;
    }
    if (*depth >= (size_t)x->max_depth)
        return R_GIVE_UP;

    /* the namespace declarations, in document order */
    size_t nns0 = x->nns, ndecl = 0, nattr = 0;
    const unsigned char **nsv = x->attrs + 5 * XF_MAX_ATTRS;
    for (size_t k = 0; k < na; k++) {
        const struct eddy__xname *aq = at[k].q;
        const unsigned char *pfx;
        if (aq->len == 5 && !memcmp(aq->s, "xmlns", 5))
            pfx = NULL;
        else if (aq->prefix && !strcmp((const char *)aq->prefix, "xmlns"))
            pfx = aq->local;
        else {
            at[nattr++] = at[k];
            continue;
        }
        const unsigned char *v =
            at[k].inbuf ? (const unsigned char *)x->vals.data + at[k].vs : d + at[k].vs;
        size_t vl = at[k].vl;
        if ((pfx &&
             (!vl || !strcmp((const char *)pfx, "xml") || !strcmp((const char *)pfx, "xmlns"))) ||
            (vl == sizeof xml_ns - 1 && !memcmp(v, xml_ns, vl)) ||
            (vl == sizeof xmlns_ns - 1 && !memcmp(v, xmlns_ns, vl)))
            return R_GIVE_UP;
        for (size_t j = nns0; j < x->nns; j++)
            if (x->ns[j].prefix == pfx)
                return R_GIVE_UP; /* declared twice */
        struct eddy__xname *u = intern(x, v, vl);
        if (!u || push_ns(x, pfx, u->s))
            return R_OOM;
        nsv[2 * ndecl] = pfx;
        nsv[2 * ndecl + 1] = u->s;
        ndecl++;
    }

    bool known;
    if (q->prefix &&
        (!strcmp((const char *)q->prefix, "xml") || !strcmp((const char *)q->prefix, "xmlns")))
        return R_GIVE_UP;
    const unsigned char *uri = ns_of(x, q->prefix, &known);
    if (!known)
        return R_GIVE_UP;
    const unsigned char **av = x->attrs;
    for (size_t k = 0; k < nattr; k++) {
        const struct eddy__xname *aq = at[k].q;
        const unsigned char *auri = NULL;
        if (aq->prefix) {
            if (!strcmp((const char *)aq->prefix, "xml")) {
                struct eddy__xname *u = intern(x, xml_ns, sizeof xml_ns - 1);
                if (!u)
                    return R_OOM;
                auri = u->s;
            } else if (!(auri = ns_of(x, aq->prefix, &known)) || !known) {
                return R_GIVE_UP;
            }
        }
        for (size_t j = 0; j < k; j++)
            if (at[j].q == aq || (auri && at[j].q->local == aq->local && av[5 * j + 2] == auri))
                return R_GIVE_UP; /* the same attribute twice */
        const unsigned char *v =
            at[k].inbuf ? (const unsigned char *)x->vals.data + at[k].vs : d + at[k].vs;
        av[5 * k] = aq->local;
        av[5 * k + 1] = aq->prefix;
        av[5 * k + 2] = auri;
        av[5 * k + 3] = v;
        av[5 * k + 4] = v + at[k].vl;
    }

    x->at = *i;
    sax->start(ud, q->local, q->prefix, uri, (int)ndecl, nsv, (int)nattr, 0, av);
    if (empty) {
        if (!x->stop)
            sax->end(ud, q->local, q->prefix, uri);
        x->nns = nns0;
    } else {
        x->stack[(*depth)++] = (struct xf_frame){q, uri, nns0};
    }
    *i = p;
    return R_OK;
}

/* The text d[s..e) or x->text when `buffered`, to characters(). */
static void deliver(struct eddy__xfast *x, const unsigned char *d, size_t s, size_t e,
                    bool buffered, const struct eddy__xfast_sax *sax, void *ud)
{
    x->at = s;
    if (buffered)
        sax->characters(ud, (const unsigned char *)x->text.data, (int)x->text.len);
    else
        sax->characters(ud, d + s, (int)(e - s));
}

/* A CDATA section's content d[s..e) with its line ends normalized. */
static int cdata(struct eddy__xfast *x, const unsigned char *d, size_t s, size_t e,
                 const struct eddy__xfast_sax *sax, void *ud)
{
    const unsigned char *cr = memchr(d + s, '\r', e - s);
    if (!cr) {
        deliver(x, d, s, e, false, sax, ud);
        return R_OK;
    }
    x->text.len = 0;
    for (size_t p = s; p < e; p++) {
        if (d[p] == '\r' && p + 1 < e && d[p + 1] == '\n')
            continue;
        if (eddy_buf_putc(&x->text, d[p] == '\r' ? '\n' : d[p]))
            return R_OOM;
    }
    deliver(x, d, s, e, true, sax, ud);
    return R_OK;
}

static int content(struct eddy__xfast *x, const unsigned char *d, size_t n, size_t i,
                   const struct eddy__xfast_sax *sax, void *ud)
{
    size_t depth = 0;
    int r = start_tag(x, d, n, &i, &depth, sax, ud);
    while (r == R_OK && depth && !x->stop) {
        /* text, up to the next markup */
        size_t ts = i;
        i = text_stop(d, i, n);
        if (i >= n)
            return R_GIVE_UP;
        bool buffered = d[i] != '<';
        if (buffered && (r = text_decode(x, d, n, ts, &i)))
            return r;
        if (i > ts) {
            deliver(x, d, ts, i, buffered, sax, ud);
            if (x->stop)
                break;
        }

        /* markup at d[i] */
        if (i + 1 >= n)
            return R_GIVE_UP;
        unsigned char c = d[i + 1];
        if (c == '/') {
            const struct xf_frame *f = &x->stack[depth - 1];
            size_t p = i + 2, l = f->q->len;
            if (p + l > n || memcmp(d + p, f->q->s, l))
                return R_GIVE_UP;
            p = skip_ws(d, p + l, n);
            if (p >= n || d[p] != '>')
                return R_GIVE_UP;
            x->at = i;
            sax->end(ud, f->q->local, f->q->prefix, f->uri);
            x->nns = f->nns;
            depth--;
            i = p + 1;
        } else if (c == '!') {
            size_t e;
            if (lit(d, n, i, "<!--")) {
                if (!(e = comment_end(d, i, n)))
                    return R_GIVE_UP;
            } else if (lit(d, n, i, "<![CDATA[")) {
                size_t k = find(d, i + 9, n, "]]>", 3);
                if (k >= n)
                    return R_GIVE_UP;
                if ((r = cdata(x, d, i + 9, k, sax, ud)))
                    return r;
                e = k + 3;
            } else {
                return R_GIVE_UP;
            }
            i = e;
        } else if (c == '?') {
            size_t e = pi_end(d, i, n);
            if (!e)
                return R_GIVE_UP;
            i = e;
        } else if (cls[c] & C_START) {
            r = start_tag(x, d, n, &i, &depth, sax, ud);
        } else {
            return R_GIVE_UP;
        }
    }
    if (r != R_OK || x->stop)
        return r;
    return misc(d, n, &i) && i >= n ? R_OK : R_GIVE_UP;
}

int eddy__xfast_parse(struct eddy__xfast *x, const char *doc, size_t n,
                      const struct eddy__xfast_sax *sax, void *ud)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cls_init);
    const unsigned char *d = (const unsigned char *)doc;
    x->stop = false;
    x->nns = 0;
    x->at = 0;
    if (!chars_ok(d, n, x->utf8))
        return EDDY__XFAST_GIVE_UP;
    size_t i = 0;
    if (n >= 6 && !memcmp(d, "<?xml", 5) && WS(d[5]) && !(i = xml_decl_end(d, n)))
        return EDDY__XFAST_GIVE_UP;
    if (!misc(d, n, &i) || i >= n)
        return EDDY__XFAST_GIVE_UP;
    if (!x->stack) {
        x->stack = malloc(((size_t)x->max_depth + 1) * sizeof *x->stack);
        x->attrs = malloc(7 * XF_MAX_ATTRS * sizeof *x->attrs);
        if (!x->stack || !x->attrs)
            return -ENOMEM;
    }
    int r = content(x, d, n, i, sax, ud);
    if (r == R_OOM)
        return -ENOMEM;
    if (r == R_GIVE_UP)
        return EDDY__XFAST_GIVE_UP;
    if (!x->stop) /* a handler's stop: not read to the end (libxml2 may parse it) */
        eddy__xfast_done++;
    return EDDY__XFAST_DONE;
}

void eddy__xfast_stop(struct eddy__xfast *x)
{
    x->stop = true;
}

void eddy__xfast_free(struct eddy__xfast *x)
{
    eddy_arena_free(&x->names);
    free(x->tab);
    free(x->stack);
    free(x->ns);
    free(x->attrs);
    eddy_buf_free(&x->vals);
    eddy_buf_free(&x->text);
    memset(x, 0, sizeof *x);
}
