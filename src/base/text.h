/*
 * text.h — byte-level text helpers written once for every layer (private:
 * include it as "../base/text.h"; nothing here is public API): UTF-8
 * encoding, validation and repair, hex digits, and percent-decoding.
 */
#ifndef EDDY_BASE_TEXT_H
#define EDDY_BASE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the UTF-8 form of cp into out and returns its length (1 to 4), or
 * 0 for cp > U+10FFFF (nothing written).  Surrogates are encoded like any
 * code point: callers that need valid UTF-8 exclude them first. */
size_t eddy__utf8_encode(uint32_t cp, char out[4]);

/* Length of the valid UTF-8 sequence at s[0..n) (RFC 3629, as Python's
 * strict decoder: no overlong forms, no surrogates, nothing above
 * U+10FFFF), or 0.  When 0 and bad is not NULL, *bad is the length of the
 * maximal invalid subpart: what the WHATWG decoder (and Python's
 * errors='replace') turns into one U+FFFD. */
static inline size_t eddy__utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    /* inline: the validators call it for every non-ASCII character */
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (bad)
        *bad = 1;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++, lo = 0x80, hi = 0xBF)
        if (i >= n || s[i] < lo || s[i] > hi) {
            if (bad)
                *bad = i;
            return 0;
        }
    return len;
}

/* Whether s[0..n) is all valid UTF-8 (with SSE2, 16 bytes at a time). */
bool eddy__utf8_valid(const unsigned char *s, size_t n);

struct eddy_buf;
/* Appends s[0..n) to out with every invalid UTF-8 sequence replaced by
 * U+FFFD (as the WHATWG decoder does), so the result meets jansson or a
 * template safely.  0 or -ENOMEM. */
int eddy__utf8_append(struct eddy_buf *out, const char *s, size_t n);

/* The value of a hex digit, or -1.  (Inline: the XML tokenizer calls it
 * for every digit of a character reference.) */
static inline int eddy__hex_digit(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes in[0..len) into out (room for len bytes; out == in is
 * allowed) as the URL standard does: "%XX" with two hex digits is the byte
 * 0xXX, a '%' not followed by two hex digits stays literally; with
 * plus_is_space '+' becomes ' '.  Returns the decoded length.  The bytes
 * may include NUL and need not be UTF-8: the caller decides. */
size_t eddy__percent_decode(const char *in, size_t len, char *out, bool plus_is_space);

#endif
