/* tests/http/harness.c — see harness.h: feeds the parser like a server
 * would (keep what was not consumed, append what arrives) over guarded
 * memory, records a trace, and checks the splitting invariants. */
#include "harness.h"
#include "../test.h"

#include "eddy/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Memory whose last usable byte is followed by a PROT_NONE page. */
struct guard {
    char *base;  /* the mapping */
    size_t size; /* usable bytes before the guard page */
};

static struct guard guard_new(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t usable = (n / page + 1) * page;
    char *m = mmap(NULL, usable + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK(mprotect(m + usable, page, PROT_NONE) == 0);
    return (struct guard){m, usable};
}

/* Copies in[0..n) so that it ends at the guard page; `shift` moves it one
 * byte further from the end each call, so the address changes. */
static const char *guard_place(struct guard *g, const char *in, size_t n, int shift)
{
    char *p = g->base + g->size - n - (size_t)(shift & 1);
    memmove(p, in, n);
    if (shift & 1)
        p[n] = '\x7f'; /* a byte past the input that must never be seen */
    return p;
}

static void put_fields(struct eddy_buf *t, const struct eddy_http_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eddy_buf_printf(t, "{%.*s: %.*s}", (int)h[i].name_len, h[i].name, (int)h[i].value_len,
                        h[i].value);
}

static void put_event(struct eddy_buf *t, const struct eddy_http_event *ev, bool *in_body)
{
    const struct eddy_http_head *h = ev->head;
    if (ev->type == EDDY_HTTP_BODY) {
        if (*in_body)
            t->len--; /* merge with the previous BODY line */
        else
            eddy_buf_puts(t, "BODY ");
        eddy_buf_append(t, ev->data, ev->len);
        eddy_buf_putc(t, '\n');
        *in_body = true;
        return;
    }
    *in_body = false;
    switch (ev->type) {
    case EDDY_HTTP_HEAD:
        if (h->method)
            eddy_buf_printf(t, "HEAD %.*s %.*s", (int)h->method_len, h->method, (int)h->target_len,
                            h->target);
        else
            eddy_buf_printf(t, "HEAD %d %.*s", h->status, (int)h->reason_len, h->reason);
        eddy_buf_printf(t, " 1.%d", h->minor);
        switch (h->framing) {
        case EDDY_HTTP_NO_BODY: eddy_buf_puts(t, " nobody"); break;
        case EDDY_HTTP_LENGTH:
            eddy_buf_printf(t, " cl=%llu", (unsigned long long)h->content_length);
            break;
        case EDDY_HTTP_CHUNKED: eddy_buf_puts(t, " chunked"); break;
        case EDDY_HTTP_UNTIL_CLOSE: eddy_buf_puts(t, " eof"); break;
        }
        eddy_buf_puts(t, h->keep_alive ? " ka" : " close");
        if (h->expect_continue)
            eddy_buf_puts(t, " continue");
        if (h->upgrade)
            eddy_buf_puts(t, " upgrade");
        eddy_buf_putc(t, ' ');
        put_fields(t, h->headers, h->nheaders);
        eddy_buf_putc(t, '\n');
        break;
    case EDDY_HTTP_TRAILERS:
        CHECK(ev->ntrailers > 0);
        eddy_buf_puts(t, "TRAILERS ");
        put_fields(t, ev->trailers, ev->ntrailers);
        eddy_buf_putc(t, '\n');
        break;
    case EDDY_HTTP_END: eddy_buf_puts(t, "END\n"); break;
    case EDDY_HTTP_CLOSED: eddy_buf_puts(t, "CLOSED\n"); break;
    case EDDY_HTTP_ERROR:
        CHECK(ev->status >= 400 && ev->reason && *ev->reason);
        eddy_buf_printf(t, "ERROR %d %s\n", ev->status, ev->reason);
        break;
    default: break;
    }
}

/* Next piece size: 0 = everything at once, 1 = bytes, else random 1..16. */
static size_t piece(int mode, unsigned *seed, size_t left)
{
    if (mode == 0)
        return left;
    if (mode == 1)
        return 1;
    *seed = *seed * 1103515245u + 12345u;
    size_t n = 1 + (*seed >> 16) % 16;
    return n < left ? n : left;
}

static void run(const struct http_opts *o, const char *in, size_t len, int mode, unsigned seed,
                struct eddy_buf *t, size_t *consumed)
{
    struct eddy_http_parser *p = eddy_http_parser_new(o->role, &o->limits);
    CHECK(p != NULL);
    if (o->head_request)
        eddy_http_parser_expect_head(p);
    struct guard g = guard_new(len);
    size_t start = 0, avail = 0; /* the caller keeps in[start..avail) */
    bool in_body = false, done = false;
    int calls = 0;
    struct eddy_http_event ev;
    while (!done && avail < len) {
        avail += piece(mode, &seed, len - avail);
        for (;;) {
            const char *b = guard_place(&g, in + start, avail - start, calls++);
            ssize_t n = eddy_http_parse(p, b, avail - start, &ev);
            if (n < 0) {
                CHECK_INT(n, ==, -EPROTO);
                CHECK_INT(ev.type, ==, EDDY_HTTP_ERROR);
            } else {
                CHECK_INT((size_t)n, <=, avail - start);
                CHECK(ev.type != EDDY_HTTP_ERROR);
                start += (size_t)n;
            }
            if (ev.type == EDDY_HTTP_BODY)
                CHECK(ev.len > 0 && ev.data == b + n - ev.len);
            if (ev.type == EDDY_HTTP_NEED_MORE)
                break;
            put_event(t, &ev, &in_body);
            if (ev.type == EDDY_HTTP_ERROR || ev.type == EDDY_HTTP_CLOSED) {
                done = true;
                break;
            }
        }
    }
    if (!done && o->eof) {
        int r = eddy_http_parser_eof(p, &ev);
        CHECK(r == 0 || r == -EPROTO);
        put_event(t, &ev, &in_body);
        if (ev.type == EDDY_HTTP_END) { /* then the connection is over */
            CHECK_INT(eddy_http_parse(p, "", 0, &ev), ==, 0);
            put_event(t, &ev, &in_body);
        }
        done = ev.type != EDDY_HTTP_END;
    }
    if (done && ev.type == EDDY_HTTP_ERROR) {
        /* Dead for good: the same error, nothing consumed, whatever follows. */
        CHECK_INT(eddy_http_parse(p, "GET / HTTP/1.1\r\n\r\n", 18, &ev), ==, -EPROTO);
        CHECK_INT(ev.type, ==, EDDY_HTTP_ERROR);
    }
    munmap(g.base, g.size + (size_t)sysconf(_SC_PAGESIZE));
    eddy_http_parser_free(p);
    *consumed = start;
}

const char *http_trace(const struct http_opts *o, const char *in, size_t len, size_t *consumed)
{
    static char out[16384];
    struct eddy_buf whole = EDDY_BUF_INIT(0), other = EDDY_BUF_INIT(0);
    size_t cw, co;
    run(o, in, len, 0, 0, &whole, &cw);
    for (int mode = 1; mode < 12; mode++) {
        eddy_buf_reset(&other);
        run(o, in, len, mode > 1 ? 2 : 1, (unsigned)mode * 7919u, &other, &co);
        /* After an error the connection is dropped: bytes consumed by framing
         * in the failing call are not counted, so only compare without one. */
        bool error = strstr(eddy_buf_cstr(&whole), "ERROR ") != NULL;
        if (strcmp(eddy_buf_cstr(&whole), eddy_buf_cstr(&other)) != 0 || (!error && cw != co)) {
            fprintf(stderr,
                    "split mode %d differs:\n--- whole (%zu consumed)\n%s--- split (%zu)\n%s", mode,
                    cw, eddy_buf_cstr(&whole), co, eddy_buf_cstr(&other));
            CHECK(!"same trace whatever the split");
        }
    }
    snprintf(out, sizeof out, "%s", eddy_buf_cstr(&whole));
    eddy_buf_free(&whole);
    eddy_buf_free(&other);
    if (consumed)
        *consumed = cw;
    return out;
}

int http_req_status(const char *in, size_t len)
{
    const char *t = http_trace(&(struct http_opts){.role = EDDY_HTTP_REQUEST}, in, len, NULL);
    const char *e = strstr(t, "ERROR ");
    if (!e)
        return 0;
    CHECK(strchr(e, '\n')[1] == 0); /* nothing after an error */
    return atoi(e + 6);
}
