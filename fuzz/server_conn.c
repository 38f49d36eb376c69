/* fuzz/server_conn.c — libFuzzer target for the server's connection state
 * machine (server/ over net/ and the http/ codec).  The first byte picks
 * small limits and how the stream is cut into writes; the rest is what one
 * client sends on one connection to a real server on a Unix socket (no
 * TIME_WAIT, no port), in pieces with the server running between them,
 * then end of stream.
 *
 * Checked: the requests the handler sees are exactly the ones the codec
 * alone accepts from the same bytes (method, target, body), in order, up to
 * where the connection must end (an error, Connection: close, a target the
 * server refuses); everything the server writes parses as responses (HEAD
 * answered without a body), one final answer per request plus at most one
 * refusal (status >= 400) at the end; the server leaves no connection open.
 * The handler answers in every way a handler can (whole, chunked, fixed
 * length in parts, 204, 500 by failing, Connection: close), chosen by the
 * path's second byte. */
#include "eddy/http.h"
#include "eddy/net.h"
#include "eddy/server.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REQUESTS 256
#define MAX_OUT      (1 << 20)

static uint64_t hash(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* A request as the handler (or the model) saw it. */
struct seen {
    uint64_t id[MAX_REQUESTS];   /* hash of method, target, body */
    bool head[MAX_REQUESTS + 1]; /* method HEAD: its answer has no body (the
                                  * model: also for a refused request n) */
    size_t n;
    bool more; /* more than MAX_REQUESTS */
};

static void see(struct seen *s, const char *m, size_t ml, const char *t, size_t tl, uint64_t body)
{
    if (s->n == MAX_REQUESTS) {
        s->more = true;
        return;
    }
    uint64_t h = hash(0xcbf29ce484222325ull, m, ml);
    h = hash(h, " ", 1);
    h = hash(h, t, tl);
    s->id[s->n] = hash(h, &body, sizeof body);
    s->head[s->n++] = ml == 4 && !memcmp(m, "HEAD", 4);
}

/* What the path's second byte asks the handler to do ('/x...'). */
static char action(const char *target, size_t len)
{
    struct eddy_http_target t;
    if (eddy_http_target_split(target, len, &t) < 0 || t.path_len < 2)
        return 0;
    return t.path[1];
}

/* ------------------------------------------------------------ the model */

/* The requests the codec alone accepts from data, as the server must see
 * them. */
static void model(const uint8_t *data, size_t size, const struct eddy_http_limits *lim,
                  struct seen *out)
{
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, lim);
    if (!p)
        abort();
    const char *buf = (const char *)data;
    size_t len = size;
    uint64_t body = 0xcbf29ce484222325ull;
    const struct eddy_http_head *head = NULL;
    for (;;) {
        struct eddy_http_event ev;
        ssize_t n = eddy_http_parse(p, buf, len, &ev);
        if (n < 0 || ev.type == EDDY_HTTP_NEED_MORE || ev.type == EDDY_HTTP_CLOSED)
            break;
        if (ev.type == EDDY_HTTP_HEAD) {
            struct eddy_http_target t;
            if (eddy_http_target_split(ev.head->target, ev.head->target_len, &t) < 0) {
                /* The server answers 400 (without a body, to HEAD). */
                out->head[out->n] =
                    eddy_http_token_eq(ev.head->method, ev.head->method_len, "HEAD");
                break;
            }
            head = ev.head;
            body = 0xcbf29ce484222325ull;
        } else if (ev.type == EDDY_HTTP_BODY) {
            body = hash(body, ev.data, ev.len);
        } else if (ev.type == EDDY_HTTP_END) {
            see(out, head->method, head->method_len, head->target, head->target_len, body);
            char a = action(head->target, head->target_len);
            if (a == 'k' || (a == 'c' && head->minor == 0))
                break; /* the handler's Connection: close; a close-delimited answer */
        }
        /* The head's slices stay valid: the bytes do not move. */
        buf += n;
        len -= (size_t)n;
    }
    eddy_http_parser_free(p);
}

/* ---------------------------------------------------------- the server */

static int handler(void *arg, struct eddy_exchange *x)
{
    struct seen *seen = arg;
    const struct eddy_http_head *h = eddy_exchange_head(x);
    size_t blen;
    const char *body = eddy_exchange_body(x, &blen);
    see(seen, h->method, h->method_len, h->target, h->target_len,
        hash(0xcbf29ce484222325ull, body, blen));
    const char *host = eddy_exchange_header(x, "Host");
    if (host && strlen(host) > h->target_len + 16384)
        abort(); /* a C string within the head */
    static const struct eddy_http_header close = {"Connection", 10, "close", 5};
    int err;
    switch (action(h->target, h->target_len)) {
    case 'c': /* chunked (close-delimited for HTTP/1.0) */
        err = eddy_exchange_begin(x, 200, NULL, 0, -1);
        if (!err && blen)
            err = eddy_exchange_write(x, body, blen);
        if (!err)
            err = eddy_exchange_write(x, "+", 1);
        return err ? err : eddy_exchange_end(x);
    case 'l': /* a fixed length, in two writes */
        err = eddy_exchange_begin(x, 200, NULL, 0, (int64_t)blen + 1);
        if (!err)
            err = eddy_exchange_write(x, body, blen);
        if (!err)
            err = eddy_exchange_write(x, "+", 1);
        return err ? err : eddy_exchange_end(x);
    case 'n': return eddy_exchange_respond(x, 204, NULL, 0, NULL, 0);
    case 'f': return -EIO; /* 500, and the connection goes on */
    case 'k': return eddy_exchange_respond(x, 200, &close, 1, "bye", 3);
    default: return eddy_exchange_respond(x, 200, NULL, 0, body, blen);
    }
}

struct run {
    const uint8_t *data;
    size_t size;
    uint8_t cfg;
    struct eddy_http_limits lim;
    struct seen seen; /* by the handler */
    char *out;        /* what the server wrote */
    size_t out_len;
    int fd; /* the client's socket */
    struct eddy_server_stats stats;
};

/* The client's writing half: the stream in pieces (sizes from cfg), with
 * the server running between them, then end of stream. */
static int writer(void *arg)
{
    struct run *r = arg;
    unsigned seed = r->cfg * 2654435761u | 1;
    for (size_t off = 0; off < r->size;) {
        size_t piece = r->size - off;
        if (r->cfg & 4) {
            seed = seed * 1103515245u + 12345u;
            size_t cut = 1 + (seed >> 16) % 64;
            if (cut < piece)
                piece = cut;
        }
        if (eddy_sock_write(r->fd, r->data + off, piece, EDDY_FOREVER) < 0)
            return 0; /* the server closed: what is left is never read */
        off += piece;
        eddy_yield();
    }
    eddy_sock_shutdown(r->fd, SHUT_WR);
    return 0;
}

static int client_main(void *arg)
{
    struct run *r = arg;
    char listen[64];
    snprintf(listen, sizeof listen, "unix:@eddy-fuzz-server-%d", (int)getpid());
    struct eddy_server_opts o = {.listen = listen,
                                 .handler = handler,
                                 .arg = &r->seen,
                                 .limits = r->lim,
                                 .header_timeout_ns = 60 * EDDY_SEC,
                                 .body_timeout_ns = 60 * EDDY_SEC};
    struct eddy_server *s = eddy_server_start(&o);
    if (!s)
        abort();
    r->fd = eddy_sock_connect(listen, EDDY_FOREVER);
    if (r->fd < 0)
        abort();
    struct eddy_task *w = eddy_spawn(writer, r, "writer");
    for (;;) {
        if (r->out_len == MAX_OUT)
            abort(); /* more answer than any input here can ask for */
        ssize_t n = eddy_sock_read(r->fd, r->out + r->out_len, MAX_OUT - r->out_len, EDDY_FOREVER);
        if (n <= 0)
            break;
        r->out_len += (size_t)n;
    }
    if (eddy_join(w, NULL) < 0)
        abort(); /* nothing cancels this task */
    eddy_sock_close(r->fd);
    /* The server notices the client has gone (a lingering close reads
     * until then) and keeps nothing open. */
    for (int i = 0; i < 10000; i++) {
        eddy_server_stats(s, &r->stats);
        if (!r->stats.connections_open)
            break;
        eddy_sleep(100 * EDDY_USEC);
    }
    if (eddy_server_stop(s, eddy_deadline_in(10 * EDDY_SEC)) != 0)
        abort();
    return 0;
}

/* ------------------------------------------------------------ the check */

/* Counts the final responses in out and checks they parse; the i-th answers
 * request i (HEAD: no body).  Returns the count; *last_status the last's. */
static size_t responses(const struct run *r, const struct seen *want, int *last_status)
{
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_RESPONSE, NULL);
    const char *buf = r->out;
    size_t len = r->out_len, finals = 0;
    if (want->head[0])
        eddy_http_parser_expect_head(p);
    for (;;) {
        struct eddy_http_event ev;
        ssize_t n = eddy_http_parse(p, buf, len, &ev);
        if (n < 0)
            abort(); /* the server wrote something that is not a response */
        buf += n;
        len -= (size_t)n;
        if (ev.type == EDDY_HTTP_NEED_MORE) {
            if (eddy_http_parser_eof(p, &ev) < 0)
                abort();                  /* a response cut short */
            if (ev.type == EDDY_HTTP_END) /* close-delimited: the last */
                finals++;
            break;
        }
        if (ev.type == EDDY_HTTP_CLOSED)
            break;
        if (ev.type == EDDY_HTTP_HEAD && ev.head->status >= 200)
            *last_status = ev.head->status;
        if (ev.type == EDDY_HTTP_END && ev.head->status >= 200 && ++finals <= want->n &&
            want->head[finals])
            eddy_http_parser_expect_head(p);
    }
    if (len)
        abort(); /* bytes after the last response */
    eddy_http_parser_free(p);
    return finals;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 65536)
        return 0;
    struct run *r = calloc(1, sizeof *r);
    r->cfg = data[0];
    r->data = data + 1;
    r->size = size - 1;
    if (r->cfg & 1)
        r->lim = (struct eddy_http_limits){
            .max_line = 64, .max_head = 256, .max_headers = 4, .max_body = 100, .max_chunk_ext = 8};
    r->lim.allow_bare_lf = r->cfg & 2;
    r->out = malloc(MAX_OUT);
    struct eddy_loop_config cfg = {.watchdog_ns = -1};
    if (eddy_run(client_main, r, &cfg) != 0)
        abort();

    struct seen *want = calloc(1, sizeof *want);
    model(r->data, r->size, &r->lim, want);
    if (r->seen.more || want->more) /* beyond what we record: compare the prefix */
        want->n = r->seen.n = MAX_REQUESTS;
    if (want->n != r->seen.n || memcmp(want->id, r->seen.id, want->n * sizeof *want->id))
        abort(); /* the server read the stream unlike the codec */
    int last = 0;
    size_t finals = responses(r, want, &last);
    if (!r->seen.more && finals != r->seen.n && !(finals == r->seen.n + 1 && last >= 400))
        abort(); /* one answer per request, then at most a refusal */
    if (r->stats.connections_open != 0)
        abort();
    free(want);
    free(r->out);
    free(r);
    return 0;
}
