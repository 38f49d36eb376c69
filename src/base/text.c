/*
 * text.c — UTF-8, hex digits and percent-decoding, once for every layer
 * (see text.h).
 */
#include "text.h"

#include "eddy/buf.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t eddy__utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp < 0x110000) {
        out[0] = (char)(0xF0 | cp >> 18);
        out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

#ifdef __SSE2__
/* The 16 bytes v (high bits hi, not 0) starting a character: how many of
 * them are whole valid characters (14 to 16: a sequence the block's end
 * cuts is left to the next block), or 0 for the slow path (a character of
 * 4 bytes, C0/C1, or an invalid sequence).  Each byte is classed by a
 * signed compare (0x80-0xBF are -128..-65), the classes kept as 16-bit
 * masks: the sequence structure is then that the continuation bytes are
 * exactly the one or two bytes after each lead. */
static unsigned utf8_block(__m128i v, unsigned hi)
{
    unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-64)));
    unsigned to_c1 = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-62)));
    unsigned from_e0 = (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(v, _mm_set1_epi8(-33))) & hi;
    unsigned from_f0 = (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(v, _mm_set1_epi8(-17))) & hi;
    if (from_f0 || to_c1 != cont)
        return 0;
    unsigned leads = hi & ~cont; /* C2-EF */
    unsigned cut = (leads & 0x8000) | (from_e0 & 0x4000);
    unsigned limit = cut ? (unsigned)__builtin_ctz(cut) : 16, keep = (1u << limit) - 1;
    unsigned lead3 = from_e0 & keep;
    if (((leads & keep) << 1 | lead3 << 2) != (cont & keep))
        return 0;
    if (lead3) { /* E0 then A0-BF (no overlong form), ED then 80-9F (no surrogate) */
        unsigned e0 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(-32))) & keep;
        unsigned ed = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(-19))) & keep;
        unsigned to_9f = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-96)));
        if ((e0 << 1 & to_9f) | (ed << 1 & cont & ~to_9f))
            return 0;
    }
    return limit;
}
#endif

bool eddy__utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    /* Feeds are mostly ASCII with a non-ASCII letter every few words (8% of
     * the corpus's bytes): sixteen bytes a step, each block starting at a
     * character, one with non-ASCII bytes checked whole by utf8_block (a
     * character at a time from the first of them was 1.6 times the
     * instructions on fm100's 80 UTF-8 feeds). */
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned hi = (unsigned)_mm_movemask_epi8(v), k, at = hi ? (unsigned)__builtin_ctz(hi) : 0;
        if (!hi) {
            i += 16;
        } else if (hi == 3u << at && s[i + at] - 0xC2u < 30 && (s[i + at + 1] & 0xC0) == 0x80) {
            i += 16; /* one 2-byte character: 43% of fm100's blocks with non-ASCII */
        } else if ((k = utf8_block(v, hi))) {
            i += k;
        } else { /* one character at a time past the block */
            for (size_t end = i + 16; i < end;) {
                size_t q = eddy__utf8_seq(s + i, n - i, NULL);
                if (!q)
                    return false;
                i += q;
            }
        }
    }
    /* the tail: done when its last 16 bytes, checked before or not, are ASCII */
    if (i < n && n >= 16 &&
        !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + n - 16))))
        return true;
#endif
    while (i < n) {
        size_t k = eddy__utf8_seq(s + i, n - i, NULL);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

size_t eddy__percent_decode(const char *in, size_t len, char *out, bool plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (in[i] == '%' && len - i >= 3 && (hi = eddy__hex_digit(in[i + 1])) >= 0 &&
            (lo = eddy__hex_digit(in[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = plus_is_space && in[i] == '+' ? ' ' : in[i];
        }
    }
    return o;
}

int eddy__utf8_append(struct eddy_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* valid bytes not yet appended */
    for (size_t i = 0; i < n;) {
        size_t bad, l = eddy__utf8_seq(p + i, n - i, &bad);
        if (l) {
            i += l;
            run += l;
            continue;
        }
        int err = eddy_buf_append(out, p + i - run, run);
        if (!err)
            err = eddy_buf_append(out, "\xEF\xBF\xBD", 3);
        if (err)
            return err;
        run = 0;
        i += bad;
    }
    return eddy_buf_append(out, p + n - run, run);
}
