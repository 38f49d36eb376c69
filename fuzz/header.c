/* fuzz/header.c — libFuzzer target for eddy_http_header_parse, the
 * "Name: value" a person types (`eddy parse --header`).  Checked: a refusal
 * gives a reason and no slices; an accepted line gives slices of the input,
 * a token name, a value with no CTL but HTAB and no space at either end;
 * the serializer writes it, the codec reads the written line back as the
 * same name and value (only the framing fields may be refused there, for
 * their value), and "name: value" parses again to the same pair. */
#include "eddy/buf.h"
#include "eddy/http.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool same(const struct eddy_http_header *a, const struct eddy_http_header *b)
{
    return a->name_len == b->name_len && a->value_len == b->value_len &&
           !memcmp(a->name, b->name, a->name_len) && !memcmp(a->value, b->value, a->value_len);
}

/* The written line as the head of a 204: the same field must come back. */
static void codec_reads_back(const struct eddy_buf *line, const struct eddy_http_header *h)
{
    static const char start[] = "HTTP/1.1 204 No Content\r\n";
    size_t n = sizeof start - 1 + line->len + 2;
    char *msg = malloc(n); /* exact size: ASan sees an over-read */
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_RESPONSE, NULL);
    if (!msg || !p)
        abort();
    memcpy(msg, start, sizeof start - 1);
    memcpy(msg + sizeof start - 1, line->data, line->len);
    memcpy(msg + n - 2, "\r\n", 2);
    struct eddy_http_event ev;
    ssize_t used = eddy_http_parse(p, msg, n, &ev);
    if (ev.type == EDDY_HTTP_ERROR) {
        static const char *const framing[] = {"content-length", "transfer-encoding"};
        bool ok = false;
        for (size_t i = 0; i < 2; i++)
            ok |=
                h->name_len == strlen(framing[i]) && !strncasecmp(h->name, framing[i], h->name_len);
        if (!ok)
            abort(); /* the codec refused a field the line parser let through */
    } else if (used != (ssize_t)n || ev.type != EDDY_HTTP_HEAD || ev.head->nheaders != 1 ||
               !same(&ev.head->headers[0], h)) {
        abort(); /* written, then read back as something else */
    }
    eddy_http_parser_free(p);
    free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > EDDY_HTTP_HEADER_LINE_MAX + 16)
        return 0;
    char *line = malloc(size ? size : 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    struct eddy_http_header h;
    const char *why = NULL;
    int err = eddy_http_header_parse(line, size, &h, &why);
    if (err < 0) {
        if (!why || !*why || h.name || h.value || h.name_len || h.value_len)
            abort(); /* a refusal says why and hands out nothing */
        free(line);
        return 0;
    }
    if (why || err != 0 || size > EDDY_HTTP_HEADER_LINE_MAX)
        abort();
    if (h.name < line || h.name + h.name_len > line + size || h.value < h.name + h.name_len ||
        h.value + h.value_len > line + size || !h.name_len)
        abort(); /* slices of the input, the name first */
    for (size_t i = 0; i < h.name_len; i++)
        if (!tchar((unsigned char)h.name[i]))
            abort();
    for (size_t i = 0; i < h.value_len; i++) {
        unsigned char c = (unsigned char)h.value[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            abort(); /* no CR, LF, NUL, other CTL */
    }
    if (h.value_len && (strchr(" \t", h.value[0]) || strchr(" \t", h.value[h.value_len - 1])))
        abort(); /* trimmed */

    char *name = malloc(h.name_len + 1);
    if (!name)
        abort();
    memcpy(name, h.name, h.name_len);
    name[h.name_len] = 0;
    struct eddy_buf out = EDDY_BUF_INIT(0);
    if (eddy_http_write_header(&out, name, h.value, h.value_len) < 0)
        abort(); /* the serializer refuses what the line parser let through */
    codec_reads_back(&out, &h);

    /* "name: value" again (without the written CRLF): the same pair. */
    struct eddy_http_header again;
    if (eddy_http_header_parse(out.data, out.len - 2, &again, &why) < 0 || !same(&again, &h))
        abort();
    eddy_buf_free(&out);
    free(name);
    free(line);
    return 0;
}
