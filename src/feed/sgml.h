/*
 * sgml.h — sgmllib's tokenizer as feedparser patches it (its endbracket,
 * attrfind, charref...), shared by the loose feed parser (loose.c) and the
 * HTML sanitizer and URI resolver (html.c).
 *
 * The scanners only find where a construct ends and where its parts are;
 * what to do with them (emit, escape as "&lt;", drop, hand to the mixin) is
 * the caller's.  Character classes are Python's for str patterns (\s and \w
 * Unicode-aware: see html.c's top comment for the approximations).
 *
 * One convention: a scanner returns the index just after what it matched,
 * or one of these (all above any index, so `k <= n` means a match):
 */
#ifndef EDDY_FEED_SGML_H
#define EDDY_FEED_SGML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ran into the end of the text (sgmllib's -1): goahead leaves the rest as text */
#define EDDY__SGML_INCOMPLETE SIZE_MAX
/* markupbase's parse error (only html.c's declarations give it) */
#define EDDY__SGML_ERROR (SIZE_MAX - 1)
/* not this construct: goahead goes on to `incomplete` */
#define EDDY__SGML_NO_MATCH (SIZE_MAX - 2)

/* ---- character classes (Python's, for str patterns) ---- */

static inline bool is_alpha(int c)
{
    return (unsigned)((c | 32) - 'a') < 26;
}
static inline bool is_digit(int c)
{
    return (unsigned)(c - '0') < 10;
}
static inline bool is_alnum(int c)
{
    return is_alpha(c) || is_digit(c);
}
static inline bool is_hex(int c)
{
    return is_digit(c) || (unsigned)((c | 32) - 'a') < 6;
}
static inline char lower(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* Length of the UTF-8 character at s[i] (1 for a stray byte). */
static inline size_t char_len(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    size_t len = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (len > n - i)
        return 1;
    for (size_t k = 1; k < len; k++)
        if (((unsigned char)s[i + k] & 0xc0) != 0x80)
            return 1;
    return len;
}

/* The code point of the UTF-8 character of `len` bytes at s (char_len). */
static inline uint32_t code_point(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 1)
        return u[0];
    uint32_t c = u[0] & (0x7f >> len);
    for (size_t k = 1; k < len; k++)
        c = c << 6 | (u[k] & 0x3f);
    return c;
}

size_t eddy__sgml_space_utf8(const char *s, size_t n, size_t i);
size_t eddy__sgml_word_utf8(const char *s, size_t n, size_t i);

/* Length of the whitespace character (Python's \s / str.isspace) at s[i], or
 * 0.  Non-ASCII: U+0085 U+00A0 U+1680 U+2000-200A U+2028 U+2029 U+202F
 * U+205F U+3000.  Inline ASCII case: called for each byte of names and tags,
 * the call was 4% of html_bench. */
static inline size_t space_at(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    unsigned char c = (unsigned char)s[i];
    if (c <= ' ')
        return c == ' ' || (c >= '\t' && c <= '\r') || c >= 0x1c;
    return c < 0xc2 ? 0 : eddy__sgml_space_utf8(s, n, i);
}

static inline size_t skip_spaces(const char *s, size_t n, size_t i)
{
    for (size_t k; (k = space_at(s, n, i));)
        i += k;
    return i;
}

/* Length of the \w character at s[i], or 0.  Outside ASCII, Python's table
 * for the BMP; above it, letters except the emoji planes' symbols. */
static inline size_t word_at(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) /* inlined: the call was 2% of html_bench */
        return is_alnum(c) || c == '_';
    return eddy__sgml_word_utf8(s, n, i);
}

/* The first k >= i with s[k] one of c1..c4, or n.  Sixteen bytes at a
 * time with SSE2 (tags and attribute values are scanned for a few bytes
 * each: a byte loop was several % of the HTML pass). */
static inline size_t find_any4(const char *s, size_t n, size_t k, char c1, char c2, char c3,
                               char c4)
{
#ifdef __SSE2__
    for (; k + 16 <= n; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(c1)),
                                              _mm_cmpeq_epi8(v, _mm_set1_epi8(c2))),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(c3)),
                                              _mm_cmpeq_epi8(v, _mm_set1_epi8(c4))));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return k + (size_t)__builtin_ctz(bits);
    }
#endif
    for (; k < n; k++)
        if (s[k] == c1 || s[k] == c2 || s[k] == c3 || s[k] == c4)
            return k;
    return n;
}

/* ---- scanners (s[0..n), at index i) ---- */

/* feedparser's endbracket at i: the position of the '<' or '>' ending a tag
 * (quoted values may hold brackets), or INCOMPLETE. */
size_t eddy__sgml_endbracket(const char *s, size_t n, size_t i);

/* tagfind at i ([a-zA-Z][-_.:a-zA-Z0-9]*, first letter already checked):
 * the end of the name. */
size_t eddy__sgml_tagname(const char *s, size_t n, size_t i);

/* sgmllib's shorttag "<tag/data/" at the '<' (s[i]): the index after the
 * second '/', with the name s[i+1..*slash) and the data up to the end - 1;
 * NO_MATCH when it is none, INCOMPLETE when the second '/' is missing. */
size_t eddy__sgml_shorttag(const char *s, size_t n, size_t i, size_t *slash);

/* One attribute (attrfind) at k: the end of the match, or NO_MATCH.  The
 * value has its quotes stripped; without '=' the value is the name. */
struct eddy__sgml_attr {
    size_t name, name_end, val, val_end;
    bool has_value;
};
size_t eddy__sgml_attr(const char *s, size_t n, size_t k, struct eddy__sgml_attr *a);

/* "</" at s[i]: the end (after its '>' if that ends it), the name between,
 * stripped, in s[*a..*b); or INCOMPLETE. */
size_t eddy__sgml_endtag(const char *s, size_t n, size_t i, size_t *a, size_t *b);

/* "<!--" at s[i]: the end of "--\s*>", the text s[i+4..*text_end); or
 * INCOMPLETE.  Only a "--" before `limit` is tried (a caller that knows
 * there is none after some point passes it; else n). */
size_t eddy__sgml_comment(const char *s, size_t n, size_t i, size_t limit, size_t *text_end);

/* "<?" at s[i]: the end of the processing instruction (the first '>'), or
 * INCOMPLETE. */
size_t eddy__sgml_pi(const char *s, size_t n, size_t i);

/* A reference at '&' (s[i]): charref &#(\d+|[xX][0-9a-fA-F]+); or entityref
 * &([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9].  The end (after ';' if any), the
 * number ("123", "x1F") or name in s[*a..*b), *charref set; or NO_MATCH. */
size_t eddy__sgml_reference(const char *s, size_t n, size_t i, size_t *a, size_t *b, bool *charref);

/* sgmllib's `incomplete` at the '<' or '&' (s[i]): the end of its match
 * (it always matches). */
size_t eddy__sgml_incomplete(const char *s, size_t n, size_t i);

#endif
