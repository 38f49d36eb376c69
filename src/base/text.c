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

bool eddy__utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
#ifdef __SSE2__
        /* Feeds are mostly ASCII with a non-ASCII letter every few words
         * (8% of the corpus's bytes): skip to the next one sixteen bytes a
         * step (8 a step, stopping at each run's first word, was 3.5% of
         * the whole parser on the --big corpus). */
        if (i + 16 <= n) {
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
            if (!m) {
                i += 16;
                continue;
            }
            i += (size_t)__builtin_ctz(m);
        }
#endif
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = eddy__utf8_seq(s + i, n - i, NULL);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

int eddy__hex_digit(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
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
