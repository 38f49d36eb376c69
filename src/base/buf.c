/*
 * buf.c — growable byte buffers with a hard cap.  See include/eddy/buf.h.
 */
#include "eddy/buf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eddy_buf_init(struct eddy_buf *b, size_t max)
{
    *b = (struct eddy_buf)EDDY_BUF_INIT(max);
}

int eddy_buf_reserve(struct eddy_buf *b, size_t n)
{
    size_t limit = b->max ? b->max : (size_t)-1 / 2;
    if (n > limit || b->len > limit - n)
        return -E2BIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return -ENOMEM;
    if (!b->data)
        p[0] = 0;
    b->data = p;
    b->cap = cap;
    return 0;
}

/* Whether n more bytes (and the NUL) fit as the buffer is, within max:
 * the appends' fast path (the parser's pieces and escapes append a few
 * bytes at a time, and eddy_buf_reserve's call and checks were 2% of
 * parsing). */
static bool room(const struct eddy_buf *b, size_t n)
{
    return n < b->cap - b->len && (!b->max || n <= b->max - b->len);
}

int eddy_buf_append(struct eddy_buf *b, const void *p, size_t n)
{
    int err = room(b, n) ? 0 : eddy_buf_reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int eddy_buf_puts(struct eddy_buf *b, const char *s)
{
    return eddy_buf_append(b, s, strlen(s));
}

int eddy_buf_putc(struct eddy_buf *b, int c)
{
    if (room(b, 1)) {
        b->data[b->len++] = (char)c;
        b->data[b->len] = 0;
        return 0;
    }
    char ch = (char)c;
    return eddy_buf_append(b, &ch, 1);
}

int eddy_buf_vprintf(struct eddy_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -EINVAL;
    int err = eddy_buf_reserve(b, (size_t)n);
    if (err)
        return err;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int eddy_buf_printf(struct eddy_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int err = eddy_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

const char *eddy_buf_cstr(const struct eddy_buf *b)
{
    return b->data ? b->data : "";
}

void eddy_buf_consume(struct eddy_buf *b, size_t n)
{
    if (n >= b->len) {
        eddy_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = 0;
}

void eddy_buf_reset(struct eddy_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

char *eddy_buf_detach(struct eddy_buf *b, size_t *len)
{
    char *p = b->data ? b->data : strdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void eddy_buf_free(struct eddy_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
