/* fuzz/http.c — libFuzzer target for the http/ codec.  The first byte picks
 * the role, small limits and bare-LF leniency; the rest is the stream.  It
 * is parsed whole and again in random splits (seeded by the input), each
 * piece in an exact-size heap copy so ASan sees any over-read, and the two
 * runs must report the same events.  Invariants checked on the way:
 * consumed <= given; nothing but the same error after an ERROR; BODY only
 * inside a message; a Content-Length body delivers exactly that many bytes;
 * CLOSED follows a non-persistent message; the ERROR status is one of the
 * documented ones; an accepted request head serializes and parses back the
 * same.  The helpers (dates, targets, percent-decoding) get the bytes too. */
#include "eddy/http.h"
#include "eddy/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void mix(uint64_t *h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * 0x100000001b3ull;
}

static void mix_head(uint64_t *h, const struct eddy_http_head *hd)
{
    mix(h, hd->method ? hd->method : "", hd->method_len);
    mix(h, hd->target ? hd->target : "", hd->target_len);
    int facts[] = {hd->status,     hd->minor,           (int)hd->framing,
                   hd->keep_alive, hd->expect_continue, hd->upgrade};
    mix(h, facts, sizeof facts);
    mix(h, &hd->content_length, sizeof hd->content_length);
    for (size_t i = 0; i < hd->nheaders; i++) {
        mix(h, hd->headers[i].name, hd->headers[i].name_len);
        mix(h, ":", 1);
        mix(h, hd->headers[i].value, hd->headers[i].value_len);
    }
    if (hd->target) {
        struct eddy_http_target t;
        if (eddy_http_target_split(hd->target, hd->target_len, &t) == 0 && t.path_len < 4096) {
            char out[4096];
            eddy_http_percent_decode(t.path, t.path_len, out, false);
        }
    }
}

/* An HTTP/1.1 request head the parser accepted must serialize (nothing in
 * it can be refused as injection) and parse back to the same fields. */
static void round_trip(const struct eddy_http_head *hd, const struct eddy_http_limits *lim)
{
    char method[64], target[16384];
    if (hd->minor != 1 || hd->method_len >= sizeof method || hd->target_len >= sizeof target)
        return;
    memcpy(method, hd->method, hd->method_len);
    method[hd->method_len] = 0;
    memcpy(target, hd->target, hd->target_len);
    target[hd->target_len] = 0;
    struct eddy_buf b = EDDY_BUF_INIT(0);
    if (eddy_http_write_request(&b, method, target) < 0)
        abort();
    for (size_t i = 0; i < hd->nheaders; i++) {
        char name[16384];
        const struct eddy_http_header *f = &hd->headers[i];
        memcpy(name, f->name, f->name_len);
        name[f->name_len] = 0;
        if (eddy_http_write_header(&b, name, f->value, f->value_len) < 0)
            abort();
    }
    eddy_http_write_end_head(&b);
    /* The copy is not the same size: CRLF for a bare LF, one SP after each
     * colon, no padding around values.  Its size limits are the original's
     * or its own length, whichever is larger (a 255-byte head with bare LFs
     * comes back longer than a 256-byte limit). */
    struct eddy_http_limits lim2 = *lim;
    if (lim2.max_head && lim2.max_head < b.len)
        lim2.max_head = b.len;
    if (lim2.max_line && lim2.max_line < b.len)
        lim2.max_line = b.len;
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, &lim2);
    struct eddy_http_event ev;
    if (eddy_http_parse(p, b.data, b.len, &ev) != (ssize_t)b.len || ev.type != EDDY_HTTP_HEAD)
        abort();
    const struct eddy_http_head *h2 = ev.head;
    if (h2->nheaders != hd->nheaders || h2->framing != hd->framing ||
        h2->keep_alive != hd->keep_alive || h2->content_length != hd->content_length)
        abort();
    for (size_t i = 0; i < hd->nheaders; i++)
        if (h2->headers[i].value_len != hd->headers[i].value_len ||
            memcmp(h2->headers[i].value, hd->headers[i].value, hd->headers[i].value_len))
            abort();
    eddy_http_parser_free(p);
    eddy_buf_free(&b);
}

/* Runs the stream; split == 0 feeds it whole.  Returns a hash of the events. */
static uint64_t run(const uint8_t *data, size_t size, uint8_t cfg, unsigned split)
{
    struct eddy_http_limits lim = {0};
    if (cfg & 2) {
        lim.max_line = 64;
        lim.max_head = 256;
        lim.max_headers = 4;
        lim.max_body = 100;
        lim.max_chunk_ext = 8;
    }
    lim.allow_bare_lf = cfg & 4;
    enum eddy_http_role role = cfg & 1 ? EDDY_HTTP_RESPONSE : EDDY_HTTP_REQUEST;
    struct eddy_http_parser *p = eddy_http_parser_new(role, &lim);
    if (!p)
        abort();
    if (cfg & 8)
        eddy_http_parser_expect_head(p);
    uint64_t h = 0xcbf29ce484222325ull;
    size_t start = 0, avail = 0;
    bool in_msg = false, in_body = false, dead = false, closing = false;
    uint64_t body = 0, declared = 0;
    enum eddy_http_framing framing = EDDY_HTTP_NO_BODY;
    struct eddy_http_event ev;
    bool whole = split == 0;
    while (!dead && avail < size) {
        split = split * 1103515245u + 12345u;
        size_t piece = whole ? size : 1 + (split >> 16) % 9;
        avail += piece < size - avail ? piece : size - avail;
        for (;;) {
            size_t n = avail - start;
            char *copy = malloc(n ? n : 1);
            memcpy(copy, data + start, n);
            ssize_t r = eddy_http_parse(p, copy, n, &ev);
            if (r >= 0 && (size_t)r > n)
                abort();
            if ((r < 0) != (ev.type == EDDY_HTTP_ERROR) || (r < 0 && r != -EPROTO))
                abort();
            if (r > 0)
                start += (size_t)r;
            if (ev.type != EDDY_HTTP_BODY && ev.type != EDDY_HTTP_NEED_MORE)
                in_body = false;
            switch (ev.type) {
            case EDDY_HTTP_NEED_MORE: break;
            case EDDY_HTTP_HEAD:
                if (in_msg || closing)
                    abort();
                in_msg = true;
                body = 0;
                framing = ev.head->framing;
                declared = ev.head->content_length;
                mix(&h, "H", 1);
                mix_head(&h, ev.head);
                if (whole && role == EDDY_HTTP_REQUEST)
                    round_trip(ev.head, &lim);
                break;
            case EDDY_HTTP_BODY:
                if (!in_msg || ev.len == 0 || ev.data + ev.len != copy + r)
                    abort();
                body += ev.len;
                if (!in_body)
                    mix(&h, "B", 1);
                in_body = true;
                mix(&h, ev.data, ev.len);
                break;
            case EDDY_HTTP_TRAILERS:
                if (!in_msg || framing != EDDY_HTTP_CHUNKED || ev.ntrailers == 0)
                    abort();
                mix(&h, "T", 1);
                for (size_t i = 0; i < ev.ntrailers; i++)
                    mix(&h, ev.trailers[i].value, ev.trailers[i].value_len);
                break;
            case EDDY_HTTP_END:
                if (!in_msg || (framing == EDDY_HTTP_LENGTH && body != declared) ||
                    (framing == EDDY_HTTP_NO_BODY && body))
                    abort();
                in_msg = false;
                closing = !ev.head->keep_alive || ev.head->status == 101;
                mix(&h, "E", 1);
                break;
            case EDDY_HTTP_CLOSED:
                if (in_msg || !closing)
                    abort();
                mix(&h, "C", 1);
                dead = true;
                break;
            case EDDY_HTTP_ERROR:
                switch (ev.status) {
                case 400:
                case 413:
                case 414:
                case 417:
                case 431:
                case 501:
                case 505: break;
                default: abort();
                }
                mix(&h, ev.reason, strlen(ev.reason));
                dead = true;
                /* Dead for good. */
                if (eddy_http_parse(p, "GET / HTTP/1.1\r\n\r\n", 18, &ev) != -EPROTO)
                    abort();
                break;
            }
            free(copy);
            if (dead || ev.type == EDDY_HTTP_NEED_MORE)
                break;
        }
    }
    if (!dead) {
        int r = eddy_http_parser_eof(p, &ev);
        if (r != 0 && r != -EPROTO)
            abort();
        if (ev.type == EDDY_HTTP_END && framing == EDDY_HTTP_LENGTH)
            abort(); /* only a body delimited by close ends at EOF */
        mix(&h, &ev.type, sizeof ev.type);
    }
    eddy_http_parser_free(p);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t cfg = data[0];
    data++, size--;
    uint64_t whole = run(data, size, cfg, 0);
    uint64_t split = run(data, size, cfg, (unsigned)size * 2654435761u | 1);
    if (whole != split)
        abort();
    time_t t;
    if (eddy_http_date_parse((const char *)data, size, &t) == 0) {
        char d[EDDY_HTTP_DATE_LEN + 1];
        time_t back;
        if (eddy_http_date_format(t, d) == EDDY_HTTP_DATE_LEN &&
            (eddy_http_date_parse(d, EDDY_HTTP_DATE_LEN, &back) != 0 || back != t))
            abort();
    }
    return 0;
}
