/* fuzz/encoding.c — libFuzzer target for feed/encoding.c (feedparser's
 * convert_to_utf8).  The first byte picks the HTTP Content-Type (or none)
 * and whether the output buffer has a small cap; the rest is the document.
 * Whatever the bytes, the call must succeed (or fail with -E2BIG leaving the
 * buffer as it was), produce valid UTF-8 that starts with feedparser's XML
 * declaration unless the document is JSON, and return C strings that fit. */
#include "../src/feed/encoding.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const content_types[] = {
    NULL,
    "text/xml",
    "application/xml",
    "application/atom+xml; charset=utf-8",
    "text/plain",
    "application/json",
    "text/xml; charset=\"shift_jis\"",
    "application/rss+xml;charset=gb2312",
};

static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = s[i] < 0x80                    ? 0
                   : s[i] >= 0xC2 && s[i] <= 0xDF ? 1
                   : s[i] >= 0xE0 && s[i] <= 0xEF ? 2
                   : s[i] >= 0xF0 && s[i] <= 0xF4 ? 3
                                                  : 9;
        if (k == 9 || n - i <= k)
            return 0;
        if ((s[i] == 0xE0 && s[i + 1] < 0xA0) || (s[i] == 0xED && s[i + 1] > 0x9F) ||
            (s[i] == 0xF0 && s[i + 1] < 0x90) || (s[i] == 0xF4 && s[i + 1] > 0x8F))
            return 0;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    const char *ct = content_types[sel % 8];
    int http = ct != NULL || (sel & 8);
    struct eddy_buf out = EDDY_BUF_INIT(sel & 16 ? 64 : 0);
    struct eddy__encoding res;
    int rc = eddy__encoding_to_utf8((const char *)data + 1, size - 1, ct, http, &out, &res);
    if (rc < 0) {
        if (rc != -E2BIG || !(sel & 16) || out.len != 0)
            abort();
    } else {
        static const char decl[] = "<?xml version='1.0' encoding='utf-8'?>";
        int xml = out.len >= sizeof decl - 1 && !memcmp(out.data, decl, sizeof decl - 1);
        if (rc != 0 || !res.encoding[0] || !utf8_ok((const unsigned char *)out.data, out.len))
            abort();
        if (!xml && (ct == NULL || strcmp(ct, "application/json")) && out.len && out.data[0] == '<')
            abort(); /* only JSON documents keep their own beginning */
        if (res.bozo != (res.exception[0] != 0) ||
            memchr(res.encoding, 0, sizeof res.encoding) == NULL ||
            !utf8_ok((const unsigned char *)res.exception, strlen(res.exception)))
            abort();
    }
    eddy_buf_free(&out);
    return 0;
}
