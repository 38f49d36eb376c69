/*
 * conn.c — a connection's task: read, parse, call the handler, answer, as
 * long as requests keep coming; and the exchange API handlers use to read
 * the request and write the response.
 *
 * The task starts when a parked connection's first byte arrives (idle.c)
 * and ends when no further request is buffered: it parks the connection
 * again, or closes it.  What serving takes (reader, parser, head copy,
 * buffers: the session) is borrowed from the server's pool for that time,
 * so idle connections hold none of it and a warm server allocates nothing
 * per request.
 *
 * The head of each request is copied once into the session's head_copy
 * (a few hundred bytes) and its slices rebased there; that pins them while
 * the reader refills for the body and lets us NUL-terminate every field in
 * place, so eddy_exchange_header() hands out C strings without allocating.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define LINGER_NS    (2 * EDDY_SEC)
#define LINGER_BYTES (256 * 1024)
/* How long a connection's task waits for the next request before it parks
 * the connection (idle.c), and how many tasks may wait so at once.  Parking
 * and waking cost two epoll_ctl calls and a spawn, ~10% of a hello-world
 * keep-alive request; a client that keeps its connection busy sends the
 * next request well within this (wrk's 256 connections on a loaded machine
 * came back every ~20 ms), an idle one gives its task and session back
 * soon.  The cap bounds what waiting tasks hold (a stack and a session,
 * ~40 KiB each: 10 MiB) when thousands of clients come at once. */
#define WAIT_NEXT_NS  (50 * EDDY_MSEC)
#define WAIT_NEXT_MAX 256
/* Sessions kept for reuse: enough for the requests a loop serves at once
 * in the common case, few enough to bound what they hold. */
#define POOL_CAP 64
/* A pooled session keeps a request body's buffer up to this size. */
#define KEEP_BODY (64 * 1024)

/* ------------------------------------------------------------ writing */

static int64_t write_deadline(const struct conn *c)
{
    return eddy_deadline_in(c->srv->opts.write_timeout_ns);
}

static int send_iov(struct eddy_exchange *x, struct iovec *iov, int n)
{
    ssize_t w = eddy_sock_writev(x->conn->fd, iov, n, write_deadline(x->conn));
    if (w < 0) {
        x->broken = true;
        return w == -ECONNRESET ? -EPIPE : (int)w;
    }
    return 0;
}

static bool status_has_body(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

/* Builds the response head in the session's out.  content_length < 0: chunked (1.1) or
 * close-delimited (1.0). */
static int build_head(struct eddy_exchange *x, int status, const struct eddy_http_header *h,
                      size_t n, int64_t content_length)
{
    struct conn *c = x->conn;
    struct eddy_server *s = c->srv;
    struct eddy_buf *b = &c->ss->out;
    eddy_buf_reset(b);
    if (s->stopping)
        x->keep_alive = false;
    int err = eddy_http_write_status(b, status, NULL);
    if (!err)
        err = eddy_http_write_header(b, "Server", s->opts.server_name, strlen(s->opts.server_name));
    if (!err)
        err = eddy_http_write_header(b, "Date", eddy__server_date(), EDDY_HTTP_DATE_LEN);
    for (size_t i = 0; i < n && !err; i++) {
        char name[128];
        if (h[i].name_len >= sizeof name)
            return -EINVAL;
        memcpy(name, h[i].name, h[i].name_len);
        name[h[i].name_len] = 0;
        /* The framing is ours: a second Content-Length or a Transfer-Encoding
         * from the handler would make us and the client (or a proxy)
         * disagree on where this response ends.  A handler's "close" is
         * honoured through our own Connection header. */
        if (!strcasecmp(name, "Connection")) {
            if (eddy_http_list_has(h[i].value, h[i].value_len, "close"))
                x->keep_alive = false;
            continue;
        }
        if (!strcasecmp(name, "Content-Length") || !strcasecmp(name, "Transfer-Encoding") ||
            !strcasecmp(name, "Date") || !strcasecmp(name, "Server"))
            continue;
        err = eddy_http_write_header(b, name, h[i].value, h[i].value_len);
    }
    if (err)
        return err;
    x->chunked = x->close_delimited = false;
    if (!status_has_body(status)) {
        x->remaining = 0;
    } else if (content_length >= 0) {
        err = eddy_http_write_content_length(b, (uint64_t)content_length);
        x->remaining = content_length;
    } else if (x->head.minor >= 1) {
        err = eddy_http_write_chunked(b);
        x->chunked = true;
    } else {
        x->close_delimited = true;
        x->keep_alive = false;
    }
    if (!err && !x->keep_alive)
        err = eddy_buf_puts(b, "Connection: close\r\n");
    else if (!err && x->head.minor == 0)
        err = eddy_buf_puts(b, "Connection: keep-alive\r\n");
    if (!err)
        err = eddy_http_write_end_head(b);
    x->status = status;
    return err;
}

int eddy_exchange_respond(struct eddy_exchange *x, int status,
                          const struct eddy_http_header *headers, size_t nheaders, const void *body,
                          size_t len)
{
    if (x->started)
        return -EALREADY;
    int err = build_head(x, status, headers, nheaders, (int64_t)len);
    if (err)
        return err;
    x->started = x->ended = true;
    bool send_body = !x->head_request && status_has_body(status) && len;
    struct iovec iov[2] = {{x->conn->ss->out.data, x->conn->ss->out.len}, {(void *)body, len}};
    err = send_iov(x, iov, send_body ? 2 : 1);
    if (!err && send_body)
        x->body_sent = len;
    return err;
}

int eddy_exchange_begin(struct eddy_exchange *x, int status, const struct eddy_http_header *headers,
                        size_t nheaders, int64_t content_length)
{
    if (x->started)
        return -EALREADY;
    int err = build_head(x, status, headers, nheaders, content_length);
    if (err)
        return err;
    x->started = true;
    struct iovec iov = {x->conn->ss->out.data, x->conn->ss->out.len};
    return send_iov(x, &iov, 1);
}

int eddy_exchange_write(struct eddy_exchange *x, const void *data, size_t len)
{
    if (!x->started || x->ended)
        return -EINVAL;
    if (x->broken)
        return -EPIPE;
    if (!len || x->head_request || !status_has_body(x->status))
        return 0;
    if (!x->chunked && !x->close_delimited) {
        if ((int64_t)len > x->remaining)
            return -EMSGSIZE;
        x->remaining -= (int64_t)len;
    }
    char line[19];
    struct iovec iov[3];
    int n = 0;
    if (x->chunked)
        iov[n++] = (struct iovec){line, eddy_http_chunk_line(line, len)};
    iov[n++] = (struct iovec){(void *)data, len};
    if (x->chunked)
        iov[n++] = (struct iovec){"\r\n", 2};
    int err = send_iov(x, iov, n);
    if (!err)
        x->body_sent += len;
    return err;
}

int eddy_exchange_sendfile(struct eddy_exchange *x, int file_fd, off_t offset, size_t len)
{
    if (!x->started || x->ended || x->chunked || x->close_delimited)
        return -EINVAL;
    if (x->broken)
        return -EPIPE;
    if (x->head_request || !len)
        return 0;
    if ((int64_t)len > x->remaining)
        return -EMSGSIZE;
    ssize_t n = eddy_sock_sendfile(x->conn->fd, file_fd, offset, len, write_deadline(x->conn));
    if (n < 0 || (size_t)n < len) {
        x->broken = true; /* the file shrank, or the peer went: framing is lost */
        return n < 0 ? (int)n : -EIO;
    }
    x->remaining -= (int64_t)len;
    x->body_sent += len;
    return 0;
}

int eddy_exchange_end(struct eddy_exchange *x)
{
    if (!x->started)
        return -EINVAL;
    if (x->ended)
        return 0;
    x->ended = true;
    if (x->broken)
        return -EPIPE;
    if (x->chunked && !x->head_request) {
        struct iovec iov = {"0\r\n\r\n", 5};
        return send_iov(x, &iov, 1);
    }
    if (!x->chunked && !x->close_delimited && x->remaining > 0 && !x->head_request) {
        x->broken = true; /* promised bytes never came: the client must not wait */
        return -EMSGSIZE;
    }
    return 0;
}

bool eddy_exchange_started(const struct eddy_exchange *x)
{
    return x->started;
}

int eddy_exchange_wait_closed(struct eddy_exchange *x, int64_t deadline)
{
    for (;;) {
        ssize_t n = eddy_reader_fill(x->conn->ss->reader, deadline);
        if (n == 0 || n == -ECONNRESET || n == -EPROTO) {
            x->keep_alive = false;
            return 0;
        }
        if (n == -EMSGSIZE) { /* a client pipelining that much gets no more reads */
            int err = eddy_sleep_until(deadline);
            return err < 0 ? err : -ETIMEDOUT;
        }
        if (n < 0)
            return (int)n;
    }
}

/* ------------------------------------------------------- request side */

const struct eddy_http_head *eddy_exchange_head(const struct eddy_exchange *x)
{
    return &x->head;
}

const struct eddy_http_target *eddy_exchange_target(const struct eddy_exchange *x)
{
    return &x->target;
}

const char *eddy_exchange_header(struct eddy_exchange *x, const char *name)
{
    const struct eddy_http_header *h =
        eddy_http_header_find(x->head.headers, x->head.nheaders, name);
    return h ? h->value : NULL; /* NUL-terminated in the session's head_copy */
}

const char *eddy_exchange_body(const struct eddy_exchange *x, size_t *len)
{
    if (len)
        *len = x->conn->ss->body.len;
    return eddy_buf_cstr(&x->conn->ss->body);
}

const struct eddy_addr *eddy_exchange_peer(const struct eddy_exchange *x)
{
    return &x->conn->peer;
}

int eddy_exchange_fd(const struct eddy_exchange *x)
{
    return x->conn->fd;
}

/* ------------------------------------------------------- the connection */

/* Copies the head's bytes (src[0..n)) into the session's head_copy and points x->head
 * there, NUL-terminating method, target and every field name and value (the
 * byte after each is a separator we no longer need). */
static int pin_head(struct conn *c, struct eddy_exchange *x, const char *src, size_t n,
                    const struct eddy_http_head *h)
{
    struct session *ss = c->ss;
    eddy_buf_reset(&ss->head_copy);
    int err = eddy_buf_append(&ss->head_copy, src, n);
    if (err)
        return err;
    char *base = ss->head_copy.data;
#define REBASE(p) ((p) ? base + ((p)-src) : NULL)
    x->head = *h;
    x->head.method = REBASE(h->method);
    x->head.target = REBASE(h->target);
    x->head.reason = REBASE(h->reason);
    for (size_t i = 0; i < h->nheaders && i < c->srv->max_headers; i++) {
        ss->headers[i] = h->headers[i];
        ss->headers[i].name = REBASE(h->headers[i].name);
        ss->headers[i].value = REBASE(h->headers[i].value);
    }
#undef REBASE
    x->head.headers = ss->headers;
    /* Every slice is followed by a separator (SP, ':', CR or the value's
     * trailing whitespace) that the copy no longer needs. */
    for (size_t i = 0; i < x->head.nheaders; i++) {
        ((char *)ss->headers[i].name)[ss->headers[i].name_len] = 0;
        ((char *)ss->headers[i].value)[ss->headers[i].value_len] = 0;
    }
    ((char *)x->head.method)[x->head.method_len] = 0;
    ((char *)x->head.target)[x->head.target_len] = 0;
    return 0;
}

/* Lingering close (RFC 9112 §9.6): after an error answer the client may
 * still be sending; closing at once would reset the connection and can
 * destroy our answer before it is read.  Shut our side, drain a little. */
static void linger(struct conn *c)
{
    eddy_sock_shutdown(c->fd, SHUT_WR);
    char buf[4096];
    int64_t deadline = eddy_deadline_in(LINGER_NS);
    for (size_t total = 0; total < LINGER_BYTES;) {
        ssize_t n = eddy_sock_read(c->fd, buf, sizeof buf, deadline);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
}

/* Answers a request the server refuses itself (malformed, over a limit,
 * too slow), then closes. */
static void reject(struct conn *c, struct eddy_exchange *x, int status, const char *reason)
{
    struct eddy_server *s = c->srv;
    if (!x->head.method) { /* no head: answer as HTTP/1.1 */
        x->head.minor = 1;
    }
    x->keep_alive = false;
    char body[200], limit[48] = "";
    if (status == 413) /* what may be sent: the client can act on that */
        snprintf(limit, sizeof limit, "; at most %llu bytes",
                 s->opts.limits.max_body ? (unsigned long long)s->opts.limits.max_body
                                         : 1ull << 20 /* http.h's default */);
    int len = snprintf(body, sizeof body, "%d %s: %s%s\n", status, eddy_http_reason(status),
                       reason ? reason : "", limit);
    static const struct eddy_http_header ct = {"Content-Type", 12, "text/plain; charset=utf-8", 25};
    if (status >= 500)
        s->stats.responses_5xx++;
    else
        s->stats.rejected_4xx++;
    int err = eddy_exchange_respond(x, status, &ct, 1, body, (size_t)len);
    eddy__server_log(s, x); /* as nginx does: probes must not be invisible */
    if (err == 0)
        linger(c);
}

/* Reads one whole request: the head (pinned into head_copy, so the reader
 * may move while the body arrives), then the body into the session's body.  Each phase
 * has its own deadline.  Returns 1, or 0 when the connection is done (EOF,
 * timeout, rejected: the answer has been sent). */
static int read_request(struct conn *c, struct eddy_exchange *x, int64_t deadline)
{
    struct eddy_server *s = c->srv;
    struct session *ss = c->ss;
    bool have_head = false;
    eddy_buf_reset(&ss->body);
    for (;;) {
        size_t len;
        const char *p = eddy_reader_peek(ss->reader, &len);
        struct eddy_http_event ev;
        ssize_t n = eddy_http_parse(ss->parser, p, len, &ev);
        if (n < 0) {
            reject(c, x, ev.status, ev.reason);
            return 0;
        }
        if (ev.type == EDDY_HTTP_HEAD) {
            if (pin_head(c, x, p, (size_t)n, ev.head) < 0) {
                reject(c, x, 500, "out of memory");
                return 0;
            }
            have_head = true;
            deadline = eddy_deadline_in(s->opts.body_timeout_ns);
            bool has_body = x->head.framing == EDDY_HTTP_CHUNKED ||
                            (x->head.framing == EDDY_HTTP_LENGTH && x->head.content_length > 0);
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            if (has_body && x->head.expect_continue &&
                eddy_sock_write(c->fd, cont, sizeof cont - 1, write_deadline(c)) < 0)
                return 0;
        } else if (ev.type == EDDY_HTTP_BODY && eddy_buf_append(&ss->body, ev.data, ev.len) < 0) {
            reject(c, x, 413, "request body too large");
            return 0;
        }
        eddy_reader_consume(ss->reader, (size_t)n);
        if (ev.type == EDDY_HTTP_END)
            return 1;
        if (ev.type == EDDY_HTTP_CLOSED || ev.type == EDDY_HTTP_ERROR)
            return 0;
        if (ev.type != EDDY_HTTP_NEED_MORE)
            continue;
        ssize_t got = eddy_reader_fill(ss->reader, deadline);
        if (got == 0 || got == -EPROTO) {
            if (eddy_http_parser_eof(ss->parser, &ev) < 0 && (len || have_head))
                reject(c, x, 400, "connection closed in the middle of a request");
            return 0;
        }
        if (got == -ETIMEDOUT)
            reject(c, x, 408,
                   have_head ? "the request body took too long" : "the request head took too long");
        else if (got == -EMSGSIZE)
            reject(c, x, 431, "request head too large");
        if (got < 0)
            return 0;
    }
}

/* After the handler: whatever it left undone. */
static void finish(struct conn *c, struct eddy_exchange *x, int err)
{
    struct eddy_server *s = c->srv;
    if (!x->started) {
        static const struct eddy_http_header ct = {"Content-Type", 12, "text/plain; charset=utf-8",
                                                   25};
        static const char body[] = "500 Internal Server Error\n";
        eddy_exchange_respond(x, 500, &ct, 1, body, sizeof body - 1);
    } else if (!x->ended) {
        if (err < 0)
            x->broken = true; /* the framing is unknown: close */
        else
            eddy_exchange_end(x);
    }
    if (x->status >= 500)
        s->stats.responses_5xx++;
    s->stats.requests++;
}

/* After a response, with no request buffered behind it: a busy client
 * sends its next one at once, so the task waits for it a moment, where that
 * costs no system call, and parks the connection only when none came. */
enum next { NEXT_REQUEST, PARK, CLOSE };

static enum next wait_next(struct conn *c)
{
    struct eddy_server *s = c->srv;
    int64_t idle = s->opts.idle_timeout_ns, wait = idle < WAIT_NEXT_NS ? idle : WAIT_NEXT_NS;
    c->since = eddy_now();
    if (s->nwaiting == WAIT_NEXT_MAX)
        return PARK;
    c->waiting = eddy_task_current(); /* a graceful stop ends the wait (SHUT_RD) */
    s->nwaiting++;
    ssize_t got = eddy_reader_fill(c->ss->reader, eddy_deadline_in(wait));
    s->nwaiting--;
    c->waiting = NULL;
    if (got > 0)
        return NEXT_REQUEST;
    return got == -ETIMEDOUT && wait < idle ? PARK : CLOSE;
}

/* Serves requests while they keep coming: the first head is due by
 * head_deadline.  Returns true when the connection is to park, false when
 * it must close. */
static bool serve(struct conn *c, int64_t head_deadline)
{
    struct eddy_server *s = c->srv;
    for (;;) {
        struct eddy_exchange x = {.conn = c};
        if (!read_request(c, &x, head_deadline))
            return false;
        x.head_request = eddy_http_token_eq(x.head.method, x.head.method_len, "HEAD");
        x.keep_alive = x.head.keep_alive && !s->stopping;
        if (eddy_http_target_split(x.head.target, x.head.target_len, &x.target) < 0) {
            reject(c, &x, 400, "invalid request target");
            return false;
        }
        c->in_handler = true;
        if (s->stopping) /* as eddy_server_stop does for handlers already running */
            eddy_sock_shutdown(c->fd, SHUT_RD);
        int err = s->opts.handler(s->opts.arg, &x);
        c->in_handler = false;
        finish(c, &x, err);
        eddy__server_log(s, &x);
        c->served = true;
        if (!x.keep_alive || x.broken)
            return false;
        size_t len;
        eddy_reader_peek(c->ss->reader, &len);
        enum next next = len ? NEXT_REQUEST : wait_next(c);
        if (next != NEXT_REQUEST)
            return next == PARK;
        /* The next request: its head is due header_timeout from now. */
        head_deadline = eddy_deadline_in(s->opts.header_timeout_ns);
    }
}

/* ------------------------------------------------------------ sessions */

static void session_free(struct session *ss)
{
    eddy_reader_free(ss->reader);
    eddy_http_parser_free(ss->parser);
    eddy_buf_free(&ss->head_copy);
    eddy_buf_free(&ss->body);
    eddy_buf_free(&ss->out);
    free(ss->headers);
    free(ss);
}

/* A session ready for connection c: from the pool, else new.  NULL when
 * memory is short. */
static struct session *session_get(struct eddy_server *s, struct conn *c)
{
    struct session *ss = s->pool;
    if (ss) {
        s->pool = ss->next;
        s->npool--;
        eddy_http_parser_reset(ss->parser);
    } else {
        if (!(ss = calloc(1, sizeof *ss)))
            return NULL;
        ss->reader = eddy_reader_new(c->fd, s->reader_max);
        ss->parser = eddy_http_parser_new(EDDY_HTTP_REQUEST, &s->opts.limits);
        ss->headers = calloc(s->max_headers, sizeof *ss->headers);
        if (!ss->reader || !ss->parser || !ss->headers) {
            session_free(ss);
            return NULL;
        }
    }
    eddy_reader_reset(ss->reader, c->fd);
    return ss;
}

static void session_put(struct eddy_server *s, struct session *ss)
{
    if (s->npool >= POOL_CAP) {
        session_free(ss);
        return;
    }
    if (ss->body.cap > KEEP_BODY)
        eddy_buf_free(&ss->body);
    ss->next = s->pool;
    s->pool = ss;
    s->npool++;
}

void eddy__session_pool_free(struct eddy_server *s)
{
    while (s->pool) {
        struct session *ss = s->pool;
        s->pool = ss->next;
        session_free(ss);
    }
    s->npool = 0;
}

/* --------------------------------------------------------- the task */

int eddy__conn_main(void *arg)
{
    struct conn *c = arg;
    struct eddy_server *s = c->srv;
    /* The first head must be complete within header_timeout of the accept,
     * later ones within header_timeout of their first byte (the idle gap
     * before it is idle.c's). */
    int64_t due = s->opts.header_timeout_ns - (c->served ? 0 : eddy_now() - c->since);
    int64_t head_deadline = eddy_deadline_in(due);
    bool keep = false;
    if ((c->ss = session_get(s, c))) {
        keep = serve(c, head_deadline);
        session_put(s, c->ss);
        c->ss = NULL;
    }
    if (keep && !s->stopping)
        eddy__conn_park(c, c->since);
    else
        eddy__conn_close(c);
    return 0; /* a failing connection must not cancel its siblings */
}
