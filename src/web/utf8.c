/*
 * utf8.c — the UTF-8 repair shared by the form parsers: decoded request
 * data must be valid UTF-8 before it meets jansson or a template.
 */
#include "internal.h"

#include "eddy/buf.h"


/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 with *bad set to the length of
 * the maximal invalid subpart: what the WHATWG decoder (and Python's
 * errors='replace') turns into one U+FFFD. */
static size_t utf8_len(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    *bad = 1;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    for (size_t i = 1; i < len; i++, lo = 0x80, hi = 0xBF)
        if (i >= n || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
    return len;
}

int eddy__utf8_append(struct eddy_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* valid bytes not yet appended */
    for (size_t i = 0; i < n;) {
        size_t bad, l = utf8_len(p + i, n - i, &bad);
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
