/* fuzz/reader.c — libFuzzer target for net/'s buffered reader.
 *
 * Input: byte 0 picks the buffer's max and how the writer cuts the stream;
 * byte 1 is n, then n bytes of program (two bytes an operation: until with a
 * 1-3 byte delimiter and a max, exact, read, fill, consume), then the
 * stream, which a writer task sends over a socketpair in pieces, with the
 * reader's task running between them, then ends.
 *
 * Checked against a model that knows the whole stream and what was
 * consumed: what peek shows is always the stream's next bytes; until returns
 * the end of the delimiter's first occurrence when it lies within the
 * limit, -EMSGSIZE when the limit's worth of bytes hold none, else 0 / -EPROTO
 * at the end of the stream; exact, read and fill likewise. */
#include "eddy/loop.h"
#include "eddy/net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct run {
    const uint8_t *prog, *stream;
    size_t nprog, size, max;
    uint8_t cfg;
    int fds[2];
};

static int writer(void *arg)
{
    struct run *r = arg;
    unsigned seed = r->cfg * 2654435761u | 1;
    for (size_t off = 0; off < r->size;) {
        size_t piece = r->size - off;
        if (r->cfg & 0x10) {
            seed = seed * 1103515245u + 12345u;
            size_t cut = 1 + (seed >> 16) % 32;
            if (cut < piece)
                piece = cut;
        }
        if (eddy_sock_write(r->fds[1], r->stream + off, piece, EDDY_FOREVER) < 0)
            abort();
        off += piece;
        eddy_yield();
    }
    eddy_sock_shutdown(r->fds[1], SHUT_WR);
    return 0;
}

/* The end of delim's first occurrence in s[0..n), or SIZE_MAX. */
static size_t find(const uint8_t *s, size_t n, const uint8_t *delim, size_t dlen)
{
    for (size_t i = 0; i + dlen <= n; i++)
        if (!memcmp(s + i, delim, dlen))
            return i + dlen;
    return SIZE_MAX;
}

static int reader_main(void *arg)
{
    struct run *r = arg;
    struct eddy_reader *rd = eddy_reader_new(r->fds[0], r->max);
    if (!rd)
        abort();
    struct eddy_task *w = eddy_spawn(writer, r, "writer");
    size_t pos = 0; /* consumed */
    uint8_t copy[256];
    for (size_t pc = 0; pc + 1 < r->nprog; pc += 2) {
        uint8_t op = r->prog[pc], arg8 = r->prog[pc + 1];
        size_t left = r->size - pos, len;
        const char *view = eddy_reader_peek(rd, &len);
        if (len > left || (len && memcmp(view, r->stream + pos, len)))
            abort(); /* the buffer is the stream's next bytes */
        ssize_t n;
        switch (op % 5) {
        case 0: { /* until: delimiter from the stream's own bytes or the op's */
            size_t dlen = 1 + (op >> 3) % 3, limit = (op & 0x80) ? arg8 : 0;
            uint8_t delim[3] = {arg8, (uint8_t)(op >> 1), '\n'};
            n = eddy_reader_until(rd, delim, dlen, limit, EDDY_FOREVER);
            size_t m = limit && limit <= r->max ? limit : r->max;
            size_t end = find(r->stream + pos, left, delim, dlen);
            if (end <= m) {
                if (n != (ssize_t)end)
                    abort();
                eddy_reader_consume(rd, end);
                pos += end;
            } else if (left >= m) {
                if (n != -EMSGSIZE)
                    abort();
            } else if (n != (left ? -EPROTO : 0)) {
                abort();
            }
            break;
        }
        case 1: /* exact */
            n = eddy_reader_exact(rd, arg8, EDDY_FOREVER);
            if (arg8 > r->max  ? n != -EMSGSIZE
                : arg8 <= left ? n != arg8
                               : n != (left ? -EPROTO : 0))
                abort();
            break;
        case 2: /* read: copies out and consumes */
            n = eddy_reader_read(rd, copy, 1 + arg8 % sizeof copy, EDDY_FOREVER);
            if (n < 0 || (n == 0) != (left == 0) || (size_t)n > 1 + arg8 % sizeof copy ||
                memcmp(copy, r->stream + pos, (size_t)n))
                abort();
            pos += (size_t)n;
            break;
        case 3: /* fill */
            n = eddy_reader_fill(rd, EDDY_FOREVER);
            if (n == -EMSGSIZE ? len != r->max : n < 0 || (n == 0 && len < left))
                abort();
            break;
        default: /* consume some of what is buffered */
            view = eddy_reader_peek(rd, &len);
            if (len) {
                eddy_reader_consume(rd, arg8 % (len + 1));
                pos += arg8 % (len + 1);
            }
        }
    }
    /* Drain: the rest of the stream arrives whole. */
    for (;;) {
        ssize_t n = eddy_reader_read(rd, copy, sizeof copy, EDDY_FOREVER);
        if (n < 0 || (size_t)n > r->size - pos || memcmp(copy, r->stream + pos, (size_t)n))
            abort();
        if (n == 0)
            break;
        pos += (size_t)n;
    }
    if (pos != r->size || eddy_join(w, NULL) < 0)
        abort();
    eddy_reader_free(rd);
    eddy_sock_close(r->fds[0]);
    eddy_sock_close(r->fds[1]);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 65536)
        return 0;
    static const size_t maxes[] = {1, 2, 3, 7, 16, 64, 255, 4096};
    struct run r = {.cfg = data[0], .max = maxes[data[0] & 7]};
    r.nprog = data[1] < size - 2 ? data[1] : size - 2;
    r.prog = data + 2;
    r.stream = data + 2 + r.nprog;
    r.size = size - 2 - r.nprog;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, r.fds) < 0)
        abort();
    struct eddy_loop_config cfg = {.watchdog_ns = -1};
    if (eddy_run(reader_main, &r, &cfg) != 0)
        abort();
    return 0;
}
