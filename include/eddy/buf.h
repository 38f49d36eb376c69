/*
 * eddy/buf.h — growable byte buffers with a hard cap (layer base/).
 *
 * The one helper every layer shares: a byte string that grows by doubling and
 * refuses to grow past `max`, so a buffer fed by the network is also its own
 * denial-of-service limit (curl's dynbuf idea).  The content is always
 * NUL-terminated (data[len] == 0) so it can be passed to C string functions.
 * No I/O, no global state, not thread-safe (one owner at a time).
 *
 * Errors: int returns are 0 on success, -ENOMEM when malloc fails, -E2BIG when
 * the result would exceed `max`.  On error the buffer is left unchanged.
 */
#ifndef EDDY_BUF_H
#define EDDY_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_buf {
    char *data; /* owned; NULL until the first append; data[len] == 0 */
    size_t len; /* bytes used, not counting the terminating NUL */
    size_t cap; /* bytes allocated (>= len + 1 once data != NULL) */
    size_t max; /* largest len allowed; 0 means no cap */
};

/* An empty buffer that may hold at most `max` bytes (0: unlimited). */
#define EDDY_BUF_INIT(max_)                                                                        \
    {                                                                                              \
        NULL, 0, 0, (max_)                                                                         \
    }
void eddy_buf_init(struct eddy_buf *b, size_t max);

/* Makes room for `n` more bytes without changing len. */
int eddy_buf_reserve(struct eddy_buf *b, size_t n);
int eddy_buf_append(struct eddy_buf *b, const void *p, size_t n);
int eddy_buf_puts(struct eddy_buf *b, const char *s);
int eddy_buf_putc(struct eddy_buf *b, int c);
int eddy_buf_printf(struct eddy_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int eddy_buf_vprintf(struct eddy_buf *b, const char *fmt, va_list ap);

/* The content as a C string: "" for an empty buffer, never NULL. */
const char *eddy_buf_cstr(const struct eddy_buf *b);
/* Drops the first `n` bytes (a consumed prefix), keeping the rest. */
void eddy_buf_consume(struct eddy_buf *b, size_t n);
/* Empties the buffer, keeping its memory. */
void eddy_buf_reset(struct eddy_buf *b);
/* Hands the content to the caller, who frees it with free(); never NULL on
 * success (an empty buffer gives a malloc'ed ""), NULL on ENOMEM.  The
 * buffer is left empty.  *len (if not NULL) receives the length. */
char *eddy_buf_detach(struct eddy_buf *b, size_t *len);
/* Frees the memory; the buffer is empty (and reusable) afterwards. */
void eddy_buf_free(struct eddy_buf *b);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
