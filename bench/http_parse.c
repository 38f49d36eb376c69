/*
 * bench/http_parse.c — how fast the http/ request parser is, in ns per
 * request and MB/s, on two heads: a browser-like GET (~600 bytes, 12 fields)
 * and the tiny request wrk sends.  Each request is parsed whole (the common
 * case: one read holds it) through HEAD and END, and also as a pipelined
 * stream of 64 requests in one buffer.  It prints figures; it never fails
 * on a timing.  Times are this thread's CPU time.
 *
 *   build/bench/http_parse [SECONDS_PER_CASE]
 */
#include "eddy/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char browser[] =
    "GET /feeds/atom.xml?page=2&sort=new HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
    "Accept: "
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://www.example.com/index.html\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=0123456789abcdef0123456789abcdef; theme=dark; lang=en\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
    "\r\n";
static const char wrk[] = "GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n";

/* CPU time of this thread, not wall time: on a shared, loaded machine the
 * figure stays about what the parser costs. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses buf (n requests back to back) until all are done; returns headers
 * seen, so the work cannot be optimized away. */
static size_t parse_all(struct eddy_http_parser *p, const char *buf, size_t len)
{
    struct eddy_http_event ev;
    size_t fields = 0;
    for (;;) {
        ssize_t r = eddy_http_parse(p, buf, len, &ev);
        if (r < 0) {
            fprintf(stderr, "http_parse: unexpected error %s\n", ev.reason);
            exit(1);
        }
        buf += r;
        len -= (size_t)r;
        if (ev.type == EDDY_HTTP_HEAD)
            fields += ev.head->nheaders;
        else if (ev.type == EDDY_HTTP_NEED_MORE)
            return fields;
    }
}

static void bench(const char *name, const char *req, size_t per, double seconds)
{
    size_t rlen = strlen(req), len = rlen * per;
    char *buf = malloc(len);
    for (size_t i = 0; i < per; i++)
        memcpy(buf + i * rlen, req, rlen);
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, NULL);
    size_t sink = 0, reqs = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 1000; i++)
            sink += parse_all(p, buf, len);
        reqs += 1000 * per;
    } while ((t = now() - t0) < seconds);
    printf("%-28s %4zu bytes  %7.1f ns/req  %7.0f MB/s  (%zu fields)\n", name, rlen,
           t * 1e9 / (double)reqs, (double)reqs * (double)rlen / t / 1e6, sink / reqs);
    eddy_http_parser_free(p);
    free(buf);
}

int main(int argc, char **argv)
{
    double s = argc > 1 ? atof(argv[1]) : 1.0;
    bench("browser GET, one per read", browser, 1, s);
    bench("browser GET, 64 pipelined", browser, 64, s);
    bench("wrk GET, one per read", wrk, 1, s);
    bench("wrk GET, 64 pipelined", wrk, 64, s);
    return 0;
}
