/* fuzz/uri.c — libFuzzer target for feed/uri.c (feedparser's _urljoin and
 * _makeSafeAbsoluteURI).
 *
 * Input: one flag byte (bit 0: base NULL, bit 1: ref NULL), then
 * "base\0ref" (no NUL: all of it is the base, ref is "").  Besides "no crash,
 * no leak": every function appends to what the buffer held, the output is
 * NUL-terminated with no NUL inside, and eddy__uri_resolve_safe keeps only
 * what feedparser keeps — with a base, either "" or a result whose scheme
 * (before the first ':' once stripped) is in the acceptable list, or, without
 * a ref, the base itself when its scheme is acceptable; without a base, the
 * ref as it is (feedparser returns rel unchanged then). */
#include "../src/feed/uri.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "[kept]"

static void fail(const char *why, const char *base, const char *ref, const struct eddy_buf *out)
{
    fprintf(stderr, "fuzz/uri: %s\nbase: %s\nref:  %s\nout:  %s\n", why, base ? base : "(null)",
            ref ? ref : "(null)", out->data ? out->data : "(null)");
    abort();
}

/* The output after PREFIX, checked: prefix kept, NUL-terminated, no NUL. */
static const char *result(const struct eddy_buf *out, const char *base, const char *ref, size_t *n)
{
    size_t k = strlen(PREFIX);
    if (out->len < k || !out->data || memcmp(out->data, PREFIX, k))
        fail("what the buffer held was not kept", base, ref, out);
    if (out->data[out->len] != 0 || memchr(out->data, 0, out->len))
        fail("output not NUL-terminated or holding a NUL", base, ref, out);
    *n = out->len - k;
    return out->data + k;
}

static bool py_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* feedparser: uri.strip().split(':', 1)[0] in ACCEPTABLE_URI_SCHEMES */
static bool safe_scheme(const char *s, size_t n)
{
    while (n && py_space((unsigned char)*s))
        s++, n--;
    while (n && py_space((unsigned char)s[n - 1]))
        n--;
    const char *colon = memchr(s, ':', n);
    return eddy__uri_scheme_acceptable(s, colon ? (size_t)(colon - s) : n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    const char *base = text;
    const char *ref = text + strlen(text) + (strlen(text) < size - 1);
    if (data[0] & 1)
        base = NULL;
    if (data[0] & 2)
        ref = NULL;

    struct eddy_buf out = EDDY_BUF_INIT(0);
    size_t n;
    if (eddy_buf_puts(&out, PREFIX) || eddy__uri_resolve(&out, base, ref))
        fail("eddy__uri_resolve failed", base, ref, &out);
    result(&out, base, ref, &n);

    eddy_buf_reset(&out);
    if (eddy_buf_puts(&out, PREFIX) || eddy__uri_resolve_safe(&out, base, ref))
        fail("eddy__uri_resolve_safe failed", base, ref, &out);
    const char *s = result(&out, base, ref, &n);
    if (!base || !*base) {
        if (strcmp(s, ref ? ref : ""))
            fail("without a base the ref is not kept as it is", base, ref, &out);
    } else if (!ref || !*ref) {
        if (n && (strcmp(s, base) || !eddy__uri_scheme_ok(base)))
            fail("without a ref, not the base or a base with an unsafe scheme", base, ref, &out);
    } else if (n && !safe_scheme(s, n)) {
        fail("eddy__uri_resolve_safe kept an unacceptable scheme", base, ref, &out);
    }

    (void)eddy__uri_scheme_ok(base);
    (void)eddy__uri_scheme_ok(ref);
    eddy_buf_free(&out);
    free(text);
    return 0;
}
