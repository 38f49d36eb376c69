/*
 * test_reader.c — the buffered reader over real loopback TCP: delimiters
 * split across writes, the size limit, exact reads, end of stream in the
 * middle of a message, and reuse of the consumed prefix.
 */
#include "../test.h"
#include "net_util.h"

#include "eddy/net.h"

#include <errno.h>
#include <stdlib.h>

/* A writer task sending pieces with a pause between them, so they arrive as
 * separate reads, then optionally shutting down its side. */
struct pieces {
    int fd;               /* the writing side */
    const char *const *p; /* NULL-terminated pieces */
    bool shut;            /* SHUT_WR after the last */
};

static int writer_task(void *arg)
{
    struct pieces *w = arg;
    for (const char *const *p = w->p; *p; p++) {
        CHECK_INT(eddy_sock_write(w->fd, *p, strlen(*p), EDDY_FOREVER), ==, strlen(*p));
        eddy_sleep(2 * EDDY_MSEC); /* not needed for correctness: makes reads split */
    }
    if (w->shut)
        CHECK_INT(eddy_sock_shutdown(w->fd, SHUT_WR), ==, 0);
    return 0;
}

/* Runs fn with a reader of `max` bytes over a TCP pair whose other end
 * writes `pieces`. */
struct reader_case {
    const char *const *pieces;
    bool shut;
    size_t max;
    void (*fn)(struct eddy_reader *r);
};

static int reader_main(void *arg)
{
    struct reader_case *c = arg;
    int fds[2];
    tcp_pair(fds);
    struct pieces w = {fds[1], c->pieces, c->shut};
    struct eddy_task *t = eddy_spawn(writer_task, &w, "writer");
    struct eddy_reader *r = eddy_reader_new(fds[0], c->max);
    CHECK(t && r);
    c->fn(r);
    int res;
    CHECK_INT(eddy_join(t, &res), ==, 0);
    eddy_reader_free(r);
    eddy_sock_close(fds[0]);
    eddy_sock_close(fds[1]);
    return res;
}

static void run_reader(const char *const *pieces, bool shut, size_t max,
                       void (*fn)(struct eddy_reader *r))
{
    struct reader_case c = {pieces, shut, max, fn};
    CHECK_INT(eddy_run(reader_main, &c, NULL), ==, 0);
}

#define DL eddy_deadline_in(10 * EDDY_SEC)

/* Expects the next message to be `want` (delimiter included) and consumes it. */
static void expect_until(struct eddy_reader *r, const char *delim, const char *want)
{
    ssize_t n = eddy_reader_until(r, delim, strlen(delim), 0, DL);
    CHECK_INT(n, ==, strlen(want));
    size_t len;
    const char *p = eddy_reader_peek(r, &len);
    CHECK_INT(len, >=, (size_t)n);
    CHECK_MEM(p, (size_t)n, want, strlen(want));
    eddy_reader_consume(r, (size_t)n);
}

/* ---------------------------------------------------------------- tests */

static void until_split(struct eddy_reader *r)
{
    expect_until(r, "\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    expect_until(r, "\n", "line two\n");
    CHECK_INT(eddy_reader_exact(r, 4, DL), ==, 4);
    size_t len;
    CHECK_MEM(eddy_reader_peek(r, &len), 4, "BODY", 4);
    eddy_reader_consume(r, 4);
    /* Clean end of stream between messages. */
    CHECK_INT(eddy_reader_until(r, "\n", 1, 0, DL), ==, 0);
}

TEST(reader_until_across_split_writes)
{
    /* The 4-byte delimiter arrives split in every possible place. */
    static const char *const pieces[] = {"GET / HT", "TP/1.1\r", "\nHost: a\r", "\n\r",
                                         "\nline",   " two\nBO", "DY",          NULL};
    run_reader(pieces, true, 1024, until_split);
}

static void until_too_long(struct eddy_reader *r)
{
    /* 60 bytes and no newline: more than the 50 allowed. */
    CHECK_INT(eddy_reader_until(r, "\n", 1, 50, DL), ==, -EMSGSIZE);
    /* Within the buffer's own limit (64) it is found. */
    expect_until(r, "\n", "0123456789012345678901234567890123456789012345678901234567890\n");
    /* A line longer than the whole buffer. */
    CHECK_INT(eddy_reader_until(r, "\n", 1, 0, DL), ==, -EMSGSIZE);
    size_t len;
    eddy_reader_peek(r, &len);
    CHECK_INT(len, ==, 64);
    CHECK_INT(eddy_reader_fill(r, DL), ==, -EMSGSIZE);
    CHECK_INT(eddy_reader_exact(r, 65, DL), ==, -EMSGSIZE);
}

TEST(reader_max_exceeded)
{
    static const char *const pieces[] = {
        "012345678901234567890123456789", "0123456789012345678901234567890\n",
        "0123456789012345678901234567890123456789012345678901234567890123456789", NULL};
    run_reader(pieces, true, 64, until_too_long);
}

static void exact_n(struct eddy_reader *r)
{
    CHECK_INT(eddy_reader_exact(r, 26, DL), ==, 26);
    size_t len;
    const char *p = eddy_reader_peek(r, &len);
    CHECK_MEM(p, 26, "abcdefghijklmnopqrstuvwxyz", 26);
    eddy_reader_consume(r, 26);
    char b[100];
    CHECK_INT(eddy_reader_read(r, b, 3, DL), ==, 3);
    CHECK_MEM(b, 3, "ABC", 3);
    /* What is left of the last piece at most: never blocks for more. */
    ssize_t n = eddy_reader_read(r, b, sizeof b, DL);
    CHECK_INT(n, >, 0);
    CHECK_MEM(b, (size_t)n, "DEFGH", (size_t)n);
}

TEST(reader_exact_n)
{
    static const char *const pieces[] = {"abc", "defghijklm", "nopqrstuvwxyzABC", "DEFGH", NULL};
    run_reader(pieces, false, 1024, exact_n);
}

static void eof_mid_message(struct eddy_reader *r)
{
    expect_until(r, "\n", "whole\n");
    CHECK_INT(eddy_reader_until(r, "\n", 1, 0, DL), ==, -EPROTO);
    size_t len;
    const char *p = eddy_reader_peek(r, &len);
    CHECK_MEM(p, len, "partial", 7); /* what arrived stays buffered */
    CHECK_INT(eddy_reader_exact(r, 100, DL), ==, -EPROTO);
    eddy_reader_consume(r, len);
    CHECK_INT(eddy_reader_exact(r, 1, DL), ==, 0);
    char b[4];
    CHECK_INT(eddy_reader_read(r, b, sizeof b, DL), ==, 0);
}

TEST(reader_eof_mid_message)
{
    static const char *const pieces[] = {"whole\npar", "tial", NULL};
    run_reader(pieces, true, 1024, eof_mid_message);
}

static void many_lines(struct eddy_reader *r)
{
    char want[32];
    for (int i = 0; i < 200; i++) {
        snprintf(want, sizeof want, "line %03d\n", i);
        expect_until(r, "\n", want);
    }
    CHECK_INT(eddy_reader_until(r, "\n", 1, 0, DL), ==, 0);
}

TEST(reader_reuses_consumed_room)
{
    /* 200 lines (1800 bytes) through a 24-byte reader: it works only if the
     * consumed prefix is given back. */
    static char text[200 * 9 + 1];
    static const char *pieces[40];
    for (int i = 0; i < 200; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %03d\n", i);
        memcpy(text + i * 9, line, 9);
    }
    /* 40 pieces of 45 bytes: lines are split across writes. */
    static char chunks[40][46];
    for (int i = 0; i < 40; i++) {
        memcpy(chunks[i], text + i * 45, 45);
        chunks[i][45] = 0;
        pieces[i] = chunks[i];
    }
    const char *list[41];
    memcpy(list, pieces, sizeof pieces);
    list[40] = NULL;
    run_reader(list, true, 24, many_lines);
}

static int past_deadline_main(void *arg)
{
    (void)arg;
    int fds[2];
    tcp_pair(fds);
    struct eddy_reader *r = eddy_reader_new(fds[0], 1024);
    CHECK(r);
    CHECK_INT(eddy_sock_write(fds[1], "abc", 3, EDDY_FOREVER), ==, 3);
    CHECK_INT(eddy_reader_fill(r, DL), ==, 3); /* a short read: next fill waits first */
    CHECK_INT(eddy_reader_fill(r, eddy_deadline_in(10 * EDDY_MSEC)), ==, -ETIMEDOUT);
    /* With data there, a deadline already past still reads it. */
    CHECK_INT(eddy_sock_write(fds[1], "def", 3, EDDY_FOREVER), ==, 3);
    ssize_t n;
    while ((n = eddy_reader_fill(r, 0)) == -ETIMEDOUT)
        eddy_yield(); /* until the bytes cross loopback */
    CHECK_INT(n, ==, 3);
    size_t len;
    const char *p = eddy_reader_peek(r, &len);
    CHECK_MEM(p, len, "abcdef", 6);
    eddy_reader_free(r);
    eddy_sock_close(fds[0]);
    eddy_sock_close(fds[1]);
    return 0;
}

TEST(reader_deadlines)
{
    CHECK_INT(eddy_run(past_deadline_main, NULL, NULL), ==, 0);
}

static int reset_main(void *arg)
{
    (void)arg;
    int a[2], b[2];
    tcp_pair(a);
    tcp_pair(b);
    struct eddy_reader *r = eddy_reader_new(a[0], 1024);
    CHECK(r);
    CHECK_INT(eddy_sock_write(a[1], "from a", 6, EDDY_FOREVER), ==, 6);
    CHECK_INT(eddy_reader_exact(r, 6, DL), ==, 6);
    /* Unconsumed bytes of the old socket are dropped; reads come from the new one. */
    eddy_reader_reset(r, b[0]);
    size_t len;
    eddy_reader_peek(r, &len);
    CHECK_INT(len, ==, 0);
    CHECK_INT(eddy_sock_write(b[1], "from b", 6, EDDY_FOREVER), ==, 6);
    CHECK_INT(eddy_reader_exact(r, 6, DL), ==, 6);
    const char *p = eddy_reader_peek(r, &len);
    CHECK_MEM(p, len, "from b", 6);
    eddy_reader_free(r);
    for (int i = 0; i < 2; i++) {
        eddy_sock_close(a[i]);
        eddy_sock_close(b[i]);
    }
    return 0;
}

TEST(reader_reset_moves_to_another_socket)
{
    CHECK_INT(eddy_run(reset_main, NULL, NULL), ==, 0);
}
