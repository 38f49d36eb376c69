/* fuzz/encoding.c — libFuzzer target for feed/encoding.c (feedparser's
 * convert_to_utf8).  The first byte picks the HTTP Content-Type (or none)
 * and whether the output buffer has a small cap; the rest is the document.
 * Whatever the bytes, the call must succeed (or fail with -E2BIG leaving the
 * buffer as it was), produce valid UTF-8 that starts with feedparser's XML
 * declaration unless the document is JSON, and return C strings that fit.
 * Then callback mode's decoder (eddy__decoder) reads the document in the
 * encoding bits 5-7 pick, in one run and in chunks of the size bits 0-2
 * pick: valid UTF-8, and the same text and the same replacements (offsets
 * and messages) whatever the chunks. */
#include "../src/feed/encoding.h"

#include <errno.h>
#include <stdbool.h>
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

struct bads {
    struct eddy_buf log; /* "offset message" lines */
};

static void on_bad(void *arg, size_t at, const char *msg)
{
    struct bads *b = arg;
    if (eddy_buf_printf(&b->log, "%zu %s\n", at, msg))
        abort();
}

/* The document through a decoder of `name` in chunks of `step` bytes (0:
 * one run); the text into *out, the replacements into *bad. */
static void decode_in_chunks(const char *name, bool bom, const char *d, size_t n, size_t step,
                             struct eddy_buf *out, struct bads *bad)
{
    struct eddy__decoder *dec;
    if (eddy__decoder_open(name, bom, &dec) || !dec)
        abort(); /* all the names below are decoded in chunks */
    size_t off = 0;
    do {
        size_t k = step && n - off > step ? step : n - off;
        if (eddy__decoder_run(dec, d + off, k, off + k == n, out, on_bad, bad))
            abort();
        off += k;
    } while (off < n);
    eddy__decoder_free(dec);
}

static void check_decoder(unsigned sel, const char *d, size_t n)
{
    static const char *const names[] = {"big5",        "shift_jis", "euc-jp",   "gb2312",
                                        "iso-2022-jp", "euc-kr",    "utf-16le", "mac-roman"};
    static const size_t steps[] = {1, 2, 3, 5, 7, 13, 64, 4096};
    const char *name = names[sel >> 5];
    struct eddy_buf a = EDDY_BUF_INIT(0), b = EDDY_BUF_INIT(0);
    struct bads ba = {EDDY_BUF_INIT(0)}, bb = {EDDY_BUF_INIT(0)};
    decode_in_chunks(name, true, d, n, 0, &a, &ba);
    decode_in_chunks(name, true, d, n, steps[sel & 7], &b, &bb);
    if (!utf8_ok((const unsigned char *)a.data, a.len) || a.len != b.len ||
        (a.len && memcmp(a.data, b.data, a.len)) || ba.log.len != bb.log.len ||
        (ba.log.len && memcmp(ba.log.data, bb.log.data, ba.log.len)))
        abort();
    eddy_buf_free(&a);
    eddy_buf_free(&b);
    eddy_buf_free(&ba.log);
    eddy_buf_free(&bb.log);
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
    check_decoder(sel, (const char *)data + 1, size - 1);
    return 0;
}
