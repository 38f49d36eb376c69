/*
 * src/http/write.c — the serializer: start lines, header fields, chunked
 * body parts, appended to a caller's eddy_buf.
 *
 * Stateless on purpose: the caller decides the framing (Content-Length or
 * chunked) and writes exactly what it asked for; nothing is added behind its
 * back.  What is checked is what would let data become framing: a CR or LF
 * in a value (header injection / response splitting) or a name that is not
 * a token is refused with -EINVAL, and the buffer is left as it was.
 */
#include "eddy/http.h"
#include "eddy/buf.h"
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Appends n pieces, all or nothing. */
static int put(struct eddy_buf *b, const char *const *s, const size_t *n, int count)
{
    size_t total = 0;
    for (int i = 0; i < count; i++)
        total += n[i];
    int r = eddy_buf_reserve(b, total);
    if (r < 0)
        return r;
    for (int i = 0; i < count; i++)
        eddy_buf_append(b, s[i], n[i]); /* cannot fail after the reserve */
    return 0;
}

static bool is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!eddy__http_is((unsigned char)s[i], EDDY__HTTP_TOKEN))
            return false;
    return true;
}

static bool is_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!eddy__http_is((unsigned char)s[i], EDDY__HTTP_VALUE))
            return false;
    return true;
}

int eddy_http_write_status(struct eddy_buf *b, int status, const char *reason)
{
    if (status < 100 || status > 999)
        return -EINVAL;
    if (!reason)
        reason = eddy_http_reason(status);
    size_t rl = strlen(reason);
    if (!is_value(reason, rl))
        return -EINVAL;
    char code[14] = "HTTP/1.1 000 ";
    code[9] = (char)('0' + status / 100);
    code[10] = (char)('0' + status / 10 % 10);
    code[11] = (char)('0' + status % 10);
    return put(b, (const char *[]){code, reason, "\r\n"}, (size_t[]){13, rl, 2}, 3);
}

int eddy_http_write_request(struct eddy_buf *b, const char *method, const char *target)
{
    size_t ml = strlen(method), tl = strlen(target);
    if (!is_token(method, ml) || tl == 0)
        return -EINVAL;
    for (size_t i = 0; i < tl; i++)
        if (!eddy__http_is((unsigned char)target[i], EDDY__HTTP_TARGET))
            return -EINVAL;
    return put(b, (const char *[]){method, " ", target, " HTTP/1.1\r\n"}, (size_t[]){ml, 1, tl, 11},
               4);
}

int eddy_http_write_header(struct eddy_buf *b, const char *name, const char *value,
                           size_t value_len)
{
    size_t nl = strlen(name);
    if (!is_token(name, nl) || !is_value(value, value_len))
        return -EINVAL;
    return put(b, (const char *[]){name, ": ", value, "\r\n"}, (size_t[]){nl, 2, value_len, 2}, 4);
}

int eddy_http_write_content_length(struct eddy_buf *b, uint64_t n)
{
    /* By hand: snprintf was a visible share of a hello-world response. */
    char num[24], *p = num + sizeof num;
    do
        *--p = (char)('0' + n % 10);
    while (n /= 10);
    return eddy_http_write_header(b, "Content-Length", p, (size_t)(num + sizeof num - p));
}

int eddy_http_write_chunked(struct eddy_buf *b)
{
    return eddy_http_write_header(b, "Transfer-Encoding", "chunked", 7);
}

int eddy_http_write_date(struct eddy_buf *b, time_t t)
{
    char d[EDDY_HTTP_DATE_LEN + 1];
    int r = eddy_http_date_format(t, d);
    return r < 0 ? r : eddy_http_write_header(b, "Date", d, EDDY_HTTP_DATE_LEN);
}

int eddy_http_write_end_head(struct eddy_buf *b)
{
    return eddy_buf_append(b, "\r\n", 2);
}

size_t eddy_http_chunk_line(char out[19], size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0;
    do
        tmp[n++] = hex[len & 15];
    while (len >>= 4);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\r';
    out[n + 1] = '\n';
    return n + 2;
}

int eddy_http_write_chunk(struct eddy_buf *b, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    char line[19];
    size_t ll = eddy_http_chunk_line(line, len);
    return put(b, (const char *[]){line, data, "\r\n"}, (size_t[]){ll, len, 2}, 3);
}

int eddy_http_write_last_chunk(struct eddy_buf *b, const struct eddy_http_header *trailers,
                               size_t n)
{
    size_t old = b->len;
    int r = eddy_buf_append(b, "0\r\n", 3);
    for (size_t i = 0; r == 0 && i < n; i++) {
        const struct eddy_http_header *h = &trailers[i];
        if (!is_token(h->name, h->name_len) || !is_value(h->value, h->value_len))
            r = -EINVAL;
        else
            r = put(b, (const char *[]){h->name, ": ", h->value, "\r\n"},
                    (size_t[]){h->name_len, 2, h->value_len, 2}, 4);
    }
    if (r == 0)
        r = eddy_buf_append(b, "\r\n", 2);
    if (r < 0 && b->data) { /* all or nothing */
        b->len = old;
        b->data[old] = 0;
    }
    return r;
}
