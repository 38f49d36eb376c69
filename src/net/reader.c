/*
 * reader.c — a bounded buffered reader over a socket (asyncio.StreamReader).
 *
 * One eddy_buf holds [consumed prefix | unconsumed bytes | spare room].
 * Consuming only moves `off`; the prefix is dropped (one memmove) when the
 * room it takes is needed, and for free when everything has been consumed,
 * which is the common case of a request parsed whole.  So a parser peeks
 * straight into the socket buffer and nothing is copied per message.
 */
#include "eddy/net.h"

#include "eddy/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The first read: 16 KiB with the buffer's NUL, so the first allocation is
 * exactly 16 KiB and a typical request arrives in one read.  A read that
 * fills what it asked for doubles the next one (up to max), so a stream of
 * large messages soon takes one read each, while an idle keep-alive
 * connection keeps its 16 KiB (Netty's adaptive receive buffer, simplified:
 * it never shrinks). */
#define FIRST_READ (16 * 1024 - 1)

struct eddy_reader {
    int fd;              /* the socket read from; not owned */
    size_t off;          /* buf.data[off, buf.len) is unconsumed */
    struct eddy_buf buf; /* buf.max bounds what is kept, consumed prefix included */
    bool drained;        /* the last read got less than it asked: the socket
                          * was empty, so the next fill waits before reading */
    size_t chunk;        /* the next read asks for at least this much */
};

struct eddy_reader *eddy_reader_new(int fd, size_t max)
{
    if (max == 0) {
        errno = EINVAL;
        return NULL;
    }
    struct eddy_reader *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->fd = fd;
    r->off = 0;
    r->drained = false;
    r->chunk = FIRST_READ;
    eddy_buf_init(&r->buf, max);
    return r;
}

void eddy_reader_free(struct eddy_reader *r)
{
    if (!r)
        return;
    eddy_buf_free(&r->buf);
    free(r);
}

void eddy_reader_reset(struct eddy_reader *r, int fd)
{
    r->fd = fd;
    r->off = 0;
    r->drained = false;
    eddy_buf_reset(&r->buf);
}

const char *eddy_reader_peek(const struct eddy_reader *r, size_t *len)
{
    *len = r->buf.len - r->off;
    return eddy_buf_cstr(&r->buf) + r->off;
}

void eddy_reader_consume(struct eddy_reader *r, size_t n)
{
    r->off += n < r->buf.len - r->off ? n : r->buf.len - r->off;
    if (r->off == r->buf.len) {
        eddy_buf_reset(&r->buf);
        r->off = 0;
    }
}

ssize_t eddy_reader_fill(struct eddy_reader *r, int64_t deadline)
{
    struct eddy_buf *b = &r->buf;
    size_t room = b->max - (b->len - r->off);
    if (room == 0)
        return -EMSGSIZE;
    size_t spare = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
    size_t want = spare > r->chunk ? spare : r->chunk;
    if (want > room)
        want = room;
    if (r->off && (b->len + want > b->max || b->len + want + 1 > b->cap)) {
        eddy_buf_consume(b, r->off); /* reuse the consumed prefix's room */
        r->off = 0;
    }
    int err = eddy_buf_reserve(b, want);
    if (err)
        return err;
    /* After a short read the socket is almost surely empty: wait first and
     * save the read that would fail with EAGAIN (libuv's trick; it is a
     * third of the syscalls of a request/response exchange).  The wait's
     * error is not lost: a read that must wait gets it again (cancellation
     * and deadlines are sticky), one that finds data returns it. */
    if (r->drained)
        eddy_wait_fd(r->fd, EDDY_READ, deadline);
    ssize_t n = eddy_sock_read(r->fd, b->data + b->len, want, deadline);
    r->drained = n > 0 && (size_t)n < want;
    if (n > 0 && (size_t)n == want && r->chunk < b->max)
        r->chunk = r->chunk * 2 + 1; /* 2^k - 1: the buffer with its NUL stays 2^k */
    if (n > 0) {
        b->len += (size_t)n;
        b->data[b->len] = 0;
    }
    return n;
}

/* What a call that needed more bytes returns at end of stream. */
static ssize_t at_eof(const struct eddy_reader *r)
{
    return r->buf.len > r->off ? -EPROTO : 0;
}

ssize_t eddy_reader_until(struct eddy_reader *r, const void *delim, size_t dlen, size_t max,
                          int64_t deadline)
{
    if (dlen == 0)
        return -EINVAL;
    if (max == 0 || max > r->buf.max)
        max = r->buf.max;
    size_t scanned = 0; /* unconsumed bytes already searched in vain */
    for (;;) {
        size_t len;
        const char *p = eddy_reader_peek(r, &len);
        size_t lim = len < max ? len : max;
        /* Resume the search where a delimiter split across reads may start. */
        size_t from = scanned >= dlen ? scanned - (dlen - 1) : 0;
        const char *hit = lim > from ? memmem(p + from, lim - from, delim, dlen) : NULL;
        if (hit)
            return hit - p + (ssize_t)dlen;
        if (lim >= max)
            return -EMSGSIZE;
        scanned = lim;
        ssize_t n = eddy_reader_fill(r, deadline);
        if (n <= 0)
            return n == 0 ? at_eof(r) : n;
    }
}

ssize_t eddy_reader_exact(struct eddy_reader *r, size_t n, int64_t deadline)
{
    if (n > r->buf.max)
        return -EMSGSIZE;
    while (r->buf.len - r->off < n) {
        ssize_t got = eddy_reader_fill(r, deadline);
        if (got <= 0)
            return got == 0 ? at_eof(r) : got;
    }
    return (ssize_t)n;
}

ssize_t eddy_reader_read(struct eddy_reader *r, void *dst, size_t n, int64_t deadline)
{
    if (r->buf.len == r->off) {
        ssize_t got = eddy_reader_fill(r, deadline);
        if (got <= 0)
            return got;
    }
    size_t len;
    const char *p = eddy_reader_peek(r, &len);
    if (n > len)
        n = len;
    memcpy(dst, p, n);
    eddy_reader_consume(r, n);
    return (ssize_t)n;
}
