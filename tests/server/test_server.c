/* Tests of server/: a real server on loopback, in-process, answered to by
 * real clients — curl and Python's http.client run on the thread pool
 * (eddy_to_thread) while the loop serves, and raw sockets for what no
 * polite client sends. */
#include "../test.h"

#include "eddy/net.h"
#include "eddy/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ handler */

static int in_flight;

static int handler(void *arg, struct eddy_exchange *x)
{
    (void)arg;
    static const struct eddy_http_header text = {"Content-Type", 12, "text/plain", 10};
    const struct eddy_http_target *t = eddy_exchange_target(x);
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)t->path_len, t->path);
    if (!strcmp(path, "/"))
        return eddy_exchange_respond(x, 200, &text, 1, "Hello, World!", 13);
    if (!strcmp(path, "/echo")) {
        size_t len;
        const char *b = eddy_exchange_body(x, &len);
        return eddy_exchange_respond(x, 200, &text, 1, b, len);
    }
    if (!strncmp(path, "/slow/", 6)) {
        in_flight++;
        int err = eddy_sleep(atoi(path + 6) * EDDY_MSEC);
        in_flight--;
        if (err < 0)
            return err;
        return eddy_exchange_respond(x, 200, &text, 1, "slow", 4);
    }
    if (!strncmp(path, "/drip/", 6)) {
        /* A response in parts, 10 ms apart: in flight for a while. */
        int n = atoi(path + 6), err = eddy_exchange_begin(x, 200, &text, 1, -1);
        for (int i = 0; i < n && !err; i++) {
            err = eddy_exchange_write(x, "drop\n", 5);
            if (!err)
                err = eddy_sleep(10 * EDDY_MSEC);
        }
        return err ? err : eddy_exchange_end(x);
    }
    if (!strcmp(path, "/fail"))
        return -EIO;
    if (!strcmp(path, "/fail-midway")) {
        eddy_exchange_begin(x, 200, &text, 1, -1);
        eddy_exchange_write(x, "part", 4);
        return -EIO;
    }
    if (!strncmp(path, "/stream/", 8)) {
        int n = atoi(path + 8), err = eddy_exchange_begin(x, 200, &text, 1, -1);
        for (int i = 0; i < n && !err; i++) {
            char line[32];
            err = eddy_exchange_write(x, line, (size_t)snprintf(line, sizeof line, "line %d\n", i));
        }
        return err ? err : eddy_exchange_end(x);
    }
    if (!strcmp(path, "/framing")) {
        /* Framing headers are the server's: a handler's must not reach the wire. */
        static const struct eddy_http_header h[] = {{"Content-Length", 14, "5", 1},
                                                    {"Transfer-Encoding", 17, "chunked", 7},
                                                    {"Connection", 10, "close", 5},
                                                    {"X-Kept", 6, "yes", 3}};
        return eddy_exchange_respond(x, 200, h, 4, "Hello, World!", 13);
    }
    if (!strcmp(path, "/header")) {
        const char *v = eddy_exchange_header(x, "x-test");
        return eddy_exchange_respond(x, 200, &text, 1, v ? v : "(none)", v ? strlen(v) : 6);
    }
    return eddy_exchange_respond(x, 404, &text, 1, "Not Found", 9);
}

/* ------------------------------------------------------------ harness */

static const char *python(void)
{
    const char *p = getenv("PYTHON");
    return p ? p : "/usr/bin/python3";
}

typedef void (*body_fn)(struct eddy_server *s, int port);
struct run {
    struct eddy_server_opts opts;
    body_fn body;
};

static int run_main(void *arg)
{
    struct run *r = arg;
    if (!r->opts.listen)
        r->opts.listen = "127.0.0.1:0";
    r->opts.handler = handler;
    struct eddy_server *s = eddy_server_start(&r->opts);
    CHECK(s != NULL);
    r->body(s, eddy_server_port(s));
    CHECK_INT(eddy_server_stop(s, eddy_deadline_in(5 * EDDY_SEC)), ==, 0);
    return 0;
}

static void serve(body_fn body, const struct eddy_server_opts *opts)
{
    struct run r = {.body = body};
    if (opts)
        r.opts = *opts;
    CHECK_INT(eddy_run(run_main, &r, NULL), ==, 0);
}

/* A raw exchange: sends `req`, reads until the server closes or `timeout`. */
static int raw(int port, const char *req, char *out, size_t cap, int64_t timeout)
{
    size_t len = strlen(req);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    int fd = eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC));
    CHECK(fd >= 0);
    CHECK_INT(eddy_sock_write(fd, req, len, eddy_deadline_in(EDDY_SEC)), ==, (ssize_t)len);
    size_t got = 0;
    int64_t deadline = eddy_deadline_in(timeout);
    ssize_t n;
    while (got < cap - 1 && (n = eddy_sock_read(fd, out + got, cap - 1 - got, deadline)) > 0)
        got += (size_t)n;
    out[got] = 0;
    eddy_sock_close(fd);
    return (int)got;
}

/* ------------------------------------------------------------- tests */

static void body_curl_basic(struct eddy_server *s, int port)
{
    (void)s;
    struct test_cmd *c = TEST_SH("curl -si http://127.0.0.1:%d/", port);
    CHECK_INT(c->status, ==, 0);
    CHECK(strstr(c->out, "HTTP/1.1 200 OK\r\n"));
    CHECK(strstr(c->out, "\r\nServer: eddy\r\n"));
    CHECK(strstr(c->out, "\r\nDate: "));
    CHECK(strstr(c->out, "\r\nContent-Length: 13\r\n"));
    CHECK(strstr(c->out, "\r\n\r\nHello, World!"));
    c = TEST_SH("curl -s http://127.0.0.1:%d/nope -o /dev/null -w '%%{http_code}'", port);
    CHECK_STR(c->out, "404");
}

TEST(server_curl_get)
{
    serve(body_curl_basic, NULL);
}

static void body_keepalive(struct eddy_server *s, int port)
{
    struct test_cmd *c = TEST_SH(
        "curl -sv http://127.0.0.1:%d/ http://127.0.0.1:%d/header -H 'X-Test: two'", port, port);
    CHECK(strstr(c->out, "Re-using existing connection"));
    CHECK(strstr(c->out, "Hello, World!"));
    struct eddy_server_stats st;
    eddy_server_stats(s, &st);
    CHECK_INT(st.connections_accepted, ==, 1);
    CHECK_INT(st.requests, ==, 2);
    /* HTTP/1.0 closes unless asked to keep alive. */
    c = TEST_SH("curl -s0v http://127.0.0.1:%d/ http://127.0.0.1:%d/", port, port);
    CHECK(!strstr(c->out, "Re-using existing connection"));
    eddy_server_stats(s, &st);
    CHECK_INT(st.connections_accepted, ==, 3);
}

TEST(server_keep_alive_rules)
{
    serve(body_keepalive, NULL);
}

static void body_pipelining(struct eddy_server *s, int port)
{
    (void)s;
    static const char req[] = "GET /slow/50 HTTP/1.1\r\nHost: a\r\n\r\n"
                              "GET /header HTTP/1.1\r\nHost: a\r\nX-Test: second\r\n\r\n"
                              "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                              "Connection: close\r\n\r\nthird";
    char out[4096];
    raw(port, req, out, sizeof out, 2 * EDDY_SEC);
    char *a = strstr(out, "\r\n\r\nslow"), *b = strstr(out, "\r\n\r\nsecond"),
         *c = strstr(out, "\r\n\r\nthird");
    CHECK(a && b && c);
    CHECK(a < b && b < c);
    CHECK(strstr(out, "Connection: close\r\n"));
}

TEST(server_pipelined_requests_answered_in_order)
{
    serve(body_pipelining, NULL);
}

static void body_upload(struct eddy_server *s, int port)
{
    (void)s;
    char path[512];
    snprintf(path, sizeof path, "%s/upload", test_tmpdir());
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 20000; i++)
        fprintf(f, "%05d\n", i);
    fclose(f);
    /* Chunked upload, then 100-continue with a body large enough for curl to ask. */
    struct test_cmd *c = TEST_SH("curl -s -H 'Transfer-Encoding: chunked' --data-binary @%s "
                                 "http://127.0.0.1:%d/echo | cmp - %s && echo SAME",
                                 path, port, path);
    CHECK(strstr(c->out, "SAME"));
    c = TEST_SH("curl -sv -H 'Expect: 100-continue' --data-binary @%s http://127.0.0.1:%d/echo "
                "-o /dev/null",
                path, port);
    CHECK(strstr(c->out, "HTTP/1.1 100 Continue"));
    CHECK(strstr(c->out, "HTTP/1.1 200 OK"));
}

TEST(server_chunked_upload_and_100_continue)
{
    serve(body_upload, NULL);
}

static void body_head(struct eddy_server *s, int port)
{
    (void)s;
    char out[2048];
    raw(port, "HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", out, sizeof out,
        2 * EDDY_SEC);
    CHECK(strstr(out, "Content-Length: 13\r\n"));
    CHECK(!strstr(out, "Hello"));
    /* A streamed (chunked) answer to HEAD has no body either. */
    raw(port, "HEAD /stream/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", out, sizeof out,
        2 * EDDY_SEC);
    CHECK(strstr(out, "Transfer-Encoding: chunked\r\n"));
    CHECK(!strstr(out, "line"));
}

static void body_framing(struct eddy_server *s, int port)
{
    (void)s;
    char out[2048];
    raw(port, "GET /framing HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", out,
        sizeof out, 2 * EDDY_SEC);
    CHECK(strstr(out, "\r\nContent-Length: 13\r\n"));
    CHECK(!strstr(out, "Content-Length: 5"));
    CHECK(!strstr(out, "Transfer-Encoding"));
    CHECK(strstr(out, "\r\nX-Kept: yes\r\n"));
    /* The handler's "Connection: close" is honoured, once: the pipelined
     * request behind it is not answered. */
    char *c = strstr(out, "Connection: close\r\n");
    CHECK(c && !strstr(c + 1, "Connection: close"));
    CHECK(!strstr(out, "Hello, World!HTTP/1.1"));
}

TEST(server_handler_framing_headers_are_the_servers)
{
    serve(body_framing, NULL);
}

TEST(server_head_has_no_body)
{
    serve(body_head, NULL);
}

static void body_failures(struct eddy_server *s, int port)
{
    /* http.client on one connection: a failing handler gives 500 and the
     * connection keeps serving; a handler failing mid-stream closes it. */
    struct test_cmd *c =
        TEST_SH("%s -c \"\n"
                "import http.client\n"
                "c = http.client.HTTPConnection('127.0.0.1', %d)\n"
                "for p in ['/fail', '/', '/fail', '/stream/2']:\n"
                "    c.request('GET', p); r = c.getresponse()\n"
                "    print(r.status, r.read().decode().strip().replace(chr(10), '|'))\n"
                "\"",
                python(), port);
    CHECK_STR(c->out, "500 500 Internal Server Error\n200 Hello, World!\n"
                      "500 500 Internal Server Error\n200 line 0|line 1\n");
    struct eddy_server_stats st;
    eddy_server_stats(s, &st);
    CHECK_INT(st.connections_accepted, ==, 1);
    CHECK_INT(st.responses_5xx, ==, 2);
    c = TEST_SH("curl -s http://127.0.0.1:%d/fail-midway; echo \" exit=$?\"", port);
    CHECK(strstr(c->out, "exit=18")); /* curl: partial file (the chunked body never ended) */
}

TEST(server_handler_failure_is_500_and_connection_survives)
{
    serve(body_failures, NULL);
}

static void body_malformed(struct eddy_server *s, int port)
{
    static const struct {
        const char *req;
        const char *status;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
         "400"},
        {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "400"},
        {"GET / HTTP/1.1\r\n\r\n", "400"}, /* no Host */
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "505"},
        {"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", "400"},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "400"},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "501"},
        {"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n", "413"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[2048];
        /* A second, valid request behind the bad one must never be answered. */
        char req[512];
        snprintf(req, sizeof req, "%sGET / HTTP/1.1\r\nHost: a\r\n\r\n", cases[i].req);
        raw(port, req, out, sizeof out, 3 * EDDY_SEC);
        char want[32];
        snprintf(want, sizeof want, "HTTP/1.1 %s ", cases[i].status);
        if (strncmp(out, want, strlen(want)))
            test_fail(__FILE__, __LINE__, "case %zu: got %.40s", i, out);
        CHECK(strstr(out, "Connection: close\r\n"));
        CHECK(!strstr(out, "Hello, World!"));
    }
    struct eddy_server_stats st;
    eddy_server_stats(s, &st);
    CHECK_INT(st.rejected_4xx + st.responses_5xx, ==, 8);
    CHECK_INT(st.requests, ==, 0);
}

TEST(server_rejects_malformed_and_smuggling_then_closes)
{
    serve(body_malformed, NULL);
}

/* Waits until `cond` holds, a bounded number of short sleeps: what a
 * client did reaches the server's side of the loop a little later. */
#define WAIT_FOR(cond)                                                                             \
    do {                                                                                           \
        for (int i_ = 0; i_ < 1000 && !(cond); i_++)                                               \
            eddy_sleep(10 * EDDY_MSEC);                                                            \
        CHECK(cond);                                                                               \
    } while (0)

static struct eddy_server_stats stats_of(const struct eddy_server *s)
{
    struct eddy_server_stats st;
    eddy_server_stats(s, &st);
    return st;
}

static int connect_to(int port)
{
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    int fd = eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC));
    CHECK(fd >= 0);
    return fd;
}

/* GET / on keep-alive connection fd, and its answer read. */
static void get_hello(int fd)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_INT(eddy_sock_write(fd, req, sizeof req - 1, eddy_deadline_in(EDDY_SEC)), ==,
              sizeof req - 1);
    char buf[512];
    size_t got = 0;
    while (!memmem(buf, got, "Hello, World!", 13)) {
        ssize_t n = eddy_sock_read(fd, buf + got, sizeof buf - got, eddy_deadline_in(EDDY_SEC));
        CHECK(n > 0);
        got += (size_t)n;
    }
}

/* A keep-alive connection answered once: idle on the server from now on. */
static int idle_conn(int port)
{
    int fd = connect_to(port);
    get_hello(fd);
    return fd;
}

/* The server has closed fd (end of stream is there to read), without
 * waiting: false while the connection is open and quiet. */
static bool closed_by_server(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

struct trickle {
    int port;
    int answered; /* got the 408 */
};

/* A slowloris client: a head that never ends, one byte every 50 ms.  The
 * client would go on for ever: an answer means the server's header timeout
 * fired, and it must be a 408. */
static int trickle(void *arg)
{
    struct trickle *t = arg;
    int fd = connect_to(t->port);
    static const char head[] = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ";
    CHECK(eddy_sock_write(fd, head, sizeof head - 1, eddy_deadline_in(EDDY_SEC)) > 0);
    char out[1024];
    size_t got = 0;
    for (;;) {
        ssize_t n =
            eddy_sock_read(fd, out + got, sizeof out - 1 - got, eddy_deadline_in(50 * EDDY_MSEC));
        if (n == -ETIMEDOUT) {
            n = eddy_sock_write(fd, "z", 1, eddy_deadline_in(EDDY_SEC));
            if (n == 1)
                continue;
        }
        if (n <= 0 || (got += (size_t)n) == sizeof out - 1)
            break;
    }
    out[got] = 0;
    eddy_sock_close(fd);
    if (strncmp(out, "HTTP/1.1 408 ", 13))
        test_fail(__FILE__, __LINE__, "got '%s'", out);
    t->answered++;
    return 0;
}

#define TRICKLERS 300

static void body_slow_clients(struct eddy_server *s, int port)
{
    static struct eddy_task *t[TRICKLERS];
    struct trickle tr = {.port = port};
    for (int i = 0; i < TRICKLERS; i++)
        t[i] = eddy_spawn(trickle, &tr, "slowloris");
    WAIT_FOR(stats_of(s).connections_accepted == TRICKLERS && stats_of(s).connections_idle == 0);
    /* Everyone else is served while the slow clients still trickle (the
     * header timeout is seconds away). */
    for (int i = 0; i < 2; i++) {
        struct test_cmd *c = TEST_SH("curl -s http://127.0.0.1:%d/", port);
        CHECK_STR(c->out, "Hello, World!");
    }
    CHECK_INT(stats_of(s).requests, ==, 2);
    CHECK_INT(tr.answered, ==, 0);
    CHECK_INT(eddy_gather(t, TRICKLERS, NULL), ==, 0);
    CHECK_INT(tr.answered, ==, TRICKLERS);
    CHECK_INT(stats_of(s).rejected_4xx, ==, TRICKLERS);
}

TEST(server_slowloris_times_out_and_others_are_served)
{
    struct eddy_server_opts o = {.header_timeout_ns = 4 * EDDY_SEC};
    serve(body_slow_clients, &o);
}

struct many {
    int port, ok;
};

static int client(void *arg)
{
    struct many *m = arg;
    char out[512];
    raw(m->port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", out, sizeof out,
        10 * EDDY_SEC);
    if (strstr(out, "\r\n\r\nHello, World!"))
        m->ok++;
    return 0;
}

static void body_many(struct eddy_server *s, int port)
{
    struct many m = {.port = port};
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    for (int i = 0; i < 1000; i++)
        CHECK_INT(eddy_group_spawn(g, client, &m, "client"), ==, 0);
    CHECK_INT(eddy_group_wait(g), ==, 0);
    eddy_group_fini(g);
    CHECK_INT(m.ok, ==, 1000);
    struct eddy_server_stats st;
    eddy_server_stats(s, &st);
    CHECK_INT(st.connections_accepted, ==, 1000);
}

TEST(server_1000_concurrent_connections)
{
    serve(body_many, NULL);
}

static int slow_close(void *arg)
{
    int port = *(int *)arg;
    char out[512];
    raw(port, "GET /slow/200 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", out, sizeof out,
        5 * EDDY_SEC);
    CHECK(strstr(out, "\r\n\r\nslow"));
    return 0;
}

static void body_backpressure(struct eddy_server *s, int port)
{
    /* Both places busy: a third client waits in the backlog. */
    struct eddy_task *t[2];
    for (int i = 0; i < 2; i++)
        t[i] = eddy_spawn(slow_close, &port, "busy");
    WAIT_FOR(in_flight == 2);
    int fd = connect_to(port); /* the backlog completes the handshake */
    eddy_sleep(100 * EDDY_MSEC);
    CHECK_INT(stats_of(s).connections_accepted, ==, 2);
    CHECK_INT(eddy_gather(t, 2, NULL), ==, 0);
    WAIT_FOR(stats_of(s).connections_accepted == 3);
    CHECK_INT(stats_of(s).connections_reclaimed, ==, 0);
    eddy_sock_close(fd);
}

TEST(server_max_connections_pauses_accepting_when_all_are_busy)
{
    struct eddy_server_opts o = {.max_connections = 2};
    serve(body_backpressure, &o);
}

static void get_close(int port)
{
    char out[512];
    raw(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", out, sizeof out,
        5 * EDDY_SEC);
    CHECK(strstr(out, "\r\n\r\nHello, World!"));
}

static void body_reclaim(struct eddy_server *s, int port)
{
    /* The limit (3) is reached with idle connections: A and B answered
     * once (keep-alive), C silent (waiting for its first request). */
    int a = idle_conn(port), b = idle_conn(port), c = connect_to(port);
    WAIT_FOR(stats_of(s).connections_idle == 3);
    /* A new client takes the place of the oldest keep-alive one... */
    get_close(port);
    CHECK(closed_by_server(a));
    CHECK(!closed_by_server(b) && !closed_by_server(c));
    int a2 = idle_conn(port); /* a place was free: nothing reclaimed */
    CHECK_INT(stats_of(s).connections_reclaimed, ==, 1);
    /* ...keep-alive ones first, even when a silent one is older... */
    get_close(port);
    CHECK(closed_by_server(b));
    CHECK(!closed_by_server(c) && !closed_by_server(a2));
    /* ...then the oldest silent one. */
    eddy_sock_close(a2);
    WAIT_FOR(stats_of(s).connections_open == 1);
    int c2 = connect_to(port), c3 = connect_to(port);
    WAIT_FOR(stats_of(s).connections_idle == 3);
    get_close(port);
    CHECK(closed_by_server(c));
    CHECK(!closed_by_server(c2) && !closed_by_server(c3));
    struct eddy_server_stats st = stats_of(s);
    CHECK_INT(st.connections_reclaimed, ==, 3);
    CHECK_INT(st.connections_accepted, ==, 9);
    int fds[] = {a, b, c, c2, c3};
    for (int i = 0; i < 5; i++)
        eddy_sock_close(fds[i]);
}

TEST(server_at_the_limit_the_oldest_idle_connection_gives_way)
{
    struct eddy_server_opts o = {.max_connections = 3};
    serve(body_reclaim, &o);
}

static void body_expiry(struct eddy_server *s, int port)
{
    /* More than one sweep's batch of silent connections, and keep-alive
     * ones: each kind is closed at its own timeout. */
    enum { SILENT = 700, KA = 5 };
    static int fd[SILENT + KA];
    for (int i = 0; i < SILENT; i++)
        fd[i] = connect_to(port);
    for (int i = SILENT; i < SILENT + KA; i++)
        fd[i] = idle_conn(port);
    WAIT_FOR(stats_of(s).connections_open == 0);
    for (int i = 0; i < SILENT + KA; i++) {
        char c;
        CHECK_INT(eddy_sock_read(fd[i], &c, 1, eddy_deadline_in(EDDY_SEC)), ==, 0);
        eddy_sock_close(fd[i]);
    }
    struct eddy_server_stats st = stats_of(s);
    CHECK_INT(st.connections_accepted, ==, SILENT + KA);
    CHECK_INT(st.requests, ==, KA);
    CHECK_INT(st.rejected_4xx, ==, 0); /* closed silently, as nothing had begun */
}

TEST(server_idle_connections_expire)
{
    struct eddy_server_opts o = {.header_timeout_ns = 300 * EDDY_MSEC,
                                 .idle_timeout_ns = 200 * EDDY_MSEC};
    serve(body_expiry, &o);
}

/* ------------------------------------------ many idle connections */

/* Client processes that hold idle connections: one process runs out of
 * descriptors (the hard limit is 20,000 here) before the server does. */
struct holders {
    pid_t pid[8];
    int n;
    int release; /* closing this write end lets them go */
    int report;  /* read end: one byte per holder, twice */
};

/* In a forked child: `count` connections, each answered once (keep-alive,
 * idle on the server from then on); one byte to `report` when all are
 * held; then, when `release` ends, one byte more: the count of connections
 * the server closed meanwhile (capped at 255).  Plain blocking calls: the
 * child has the loop's memory but must not run it. */
static _Noreturn void hold(int port, int count, int report, int release, int *fds)
{
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    static const char req[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for (int i = 0; i < count; i++) {
        char buf[512];
        size_t got = 0;
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        /* Ended with a reset, not a FIN: thousands of TIME_WAIT ports
         * would slow every later connect on this machine. */
        struct linger abort_close = {1, 0};
        if (fds[i] < 0 ||
            setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close) ||
            connect(fds[i], (struct sockaddr *)&sin, sizeof sin) < 0 ||
            write(fds[i], req, sizeof req - 1) != sizeof req - 1)
            _exit(2);
        while (!memmem(buf, got, "Hello, World!", 13)) {
            ssize_t n = read(fds[i], buf + got, sizeof buf - got);
            if (n <= 0)
                _exit(3);
            got += (size_t)n;
        }
    }
    char byte = 0;
    if (write(report, &byte, 1) != 1 || read(release, &byte, 1) != 0)
        _exit(4);
    int closed = 0;
    for (int i = 0; i < count; i++) {
        struct pollfd p = {fds[i], POLLIN, 0};
        if (poll(&p, 1, 0) == 1 && read(fds[i], &byte, 1) == 0)
            closed++;
    }
    byte = (char)(closed > 255 ? 255 : closed);
    _exit(write(report, &byte, 1) == 1 ? 0 : 5);
}

static void holders_start(struct holders *h, int port, int total, int procs)
{
    int rep[2], rel[2];
    CHECK(pipe2(rep, O_CLOEXEC) == 0 && pipe2(rel, O_CLOEXEC) == 0);
    int per = (total + procs - 1) / procs;
    int *fds = malloc((size_t)per * sizeof *fds); /* before fork: the child only calls syscalls */
    CHECK(fds != NULL);
    h->n = 0;
    for (int i = 0; i < procs; i++) {
        int count = total - i * per < per ? total - i * per : per;
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            /* Only the pipes stay open: the server's sockets are the
             * parent's alone (a copy here would keep them open). */
            int lo = rep[1] < rel[0] ? rep[1] : rel[0], hi = rep[1] ^ rel[0] ^ lo;
            close_range(3, (unsigned)lo - 1, 0);
            close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
            close_range((unsigned)hi + 1, ~0U, 0);
            hold(port, count, rep[1], rel[0], fds);
        }
        h->pid[h->n++] = pid;
    }
    free(fds);
    close(rep[1]);
    close(rel[0]);
    h->report = rep[0];
    h->release = rel[1];
    fcntl(h->report, F_SETFL, O_NONBLOCK);
}

/* One byte from each holder (the loop keeps serving meanwhile); their sum. */
static int holders_collect(struct holders *h)
{
    int sum = 0;
    for (int got = 0; got < h->n;) {
        unsigned char b[8];
        ssize_t n = read(h->report, b, (size_t)(h->n - got));
        if (n > 0) {
            for (ssize_t i = 0; i < n; i++)
                sum += b[i];
            got += (int)n;
            continue;
        }
        CHECK(n < 0 && errno == EAGAIN); /* EOF: a holder failed */
        CHECK(eddy_wait_fd(h->report, EDDY_READ, eddy_deadline_in(60 * EDDY_SEC)) > 0);
    }
    return sum;
}

/* Lets the holders go; returns how many connections the server had closed. */
static int holders_end(struct holders *h)
{
    close(h->release);
    int closed = holders_collect(h);
    eddy_fd_forget(h->report);
    close(h->report);
    for (int i = 0; i < h->n; i++) {
        int st;
        pid_t r;
        while ((r = waitpid(h->pid[i], &st, WNOHANG)) == 0) /* without blocking the loop */
            eddy_sleep(10 * EDDY_MSEC);
        CHECK_INT(r, ==, h->pid[i]);
        CHECK_INT(st, ==, 0);
    }
    return closed;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static int idle_count(void)
{
    const char *e = getenv("EDDY_IDLE_CONNS"); /* to measure more by hand */
    return e ? atoi(e) : 10200;
}

static void body_idle_many(struct eddy_server *s, int port)
{
    int n = idle_count();
    /* A first request warms what serving takes (a session, a stack), so
     * what grows from here is what idle connections hold. */
    int ka = idle_conn(port);
    long before = rss_kib();
    struct holders h;
    holders_start(&h, port, n, 3);
    CHECK_INT(holders_collect(&h), ==, 0);
    WAIT_FOR(stats_of(s).connections_idle == (uint64_t)n + 1);
    long grown = rss_kib() - before;
    printf("%d idle connections: RSS +%ld KiB, %ld bytes each\n", n, grown, grown * 1024 / n);
#if !defined(__SANITIZE_ADDRESS__)
    CHECK_INT(grown * 1024 / n, <=, 8192); /* was ~22 KB: a task, a read buffer, a parser each */
#endif
    /* Normal clients are served meanwhile: a new one, and one of the idle. */
    int64_t start = eddy_now();
    get_close(port);
    printf("a new client beside them: answered in %.2f ms\n", (eddy_now() - start) / 1e6);
    int64_t worst = 0;
    for (int i = 0; i < 20; i++) {
        int64_t t0 = eddy_now();
        get_hello(ka);
        if (eddy_now() - t0 > worst)
            worst = eddy_now() - t0;
    }
    printf("20 requests beside them: the slowest took %.2f ms\n", worst / 1e6);
    eddy_sock_close(ka);
    struct eddy_server_stats st = stats_of(s);
    CHECK_INT(st.requests, ==, (uint64_t)n + 22);
    CHECK_INT(holders_end(&h), ==, 0); /* none was closed while held */
    WAIT_FOR(stats_of(s).connections_open == 0);
}

TEST(server_holds_10000_idle_connections_and_serves_others)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < (rlim_t)idle_count() + 200) {
        printf("skip: the descriptor limit (%lu) is too low\n", (unsigned long)rl.rlim_max);
        return;
    }
    rl.rlim_cur = rl.rlim_max;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    struct eddy_server_opts o = {.max_connections = 19500,
                                 .idle_timeout_ns = 120 * EDDY_SEC,
                                 .header_timeout_ns = 120 * EDDY_SEC};
    serve(body_idle_many, &o);
}

/* ------------------------------------------------- graceful shutdown */

static int slow_client(void *arg)
{
    struct many *m = arg;
    char out[512];
    raw(m->port, "GET /slow/400 HTTP/1.1\r\nHost: a\r\n\r\n", out, sizeof out, 5 * EDDY_SEC);
    if (strstr(out, "\r\n\r\nslow") && strstr(out, "Connection: close\r\n"))
        m->ok++;
    return 0;
}

static int shutdown_main(void *arg)
{
    (void)arg;
    struct eddy_server_opts o = {.listen = "127.0.0.1:0", .handler = handler};
    struct eddy_server *s = eddy_server_start(&o);
    struct many m = {.port = eddy_server_port(s)};
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", m.port);
    /* Idle connections of every kind: silent since accepted, keep-alive
     * (parked), one about to send its next request, one answered just now
     * (its task still waits a moment for the next request). */
    int silent = connect_to(m.port), ka = idle_conn(m.port), next = idle_conn(m.port);
    struct eddy_task *t[5];
    for (int i = 0; i < 5; i++)
        t[i] = eddy_spawn(slow_client, &m, "in-flight");
    WAIT_FOR(in_flight == 5 && stats_of(s).connections_idle == 3);
    int hot = idle_conn(m.port);
    static const char req[] = "GET /header HTTP/1.1\r\nHost: a\r\nX-Test: last\r\n\r\n";
    CHECK_INT(eddy_sock_write(next, req, sizeof req - 1, eddy_deadline_in(EDDY_SEC)), ==,
              sizeof req - 1);
    /* In-flight requests finish (with Connection: close); idle connections
     * are closed at once, the request that has arrived is answered first
     * (with Connection: close); new connections are refused. */
    CHECK_INT(eddy_server_stop(s, eddy_deadline_in(3 * EDDY_SEC)), ==, 0);
    CHECK_INT(eddy_gather(t, 5, NULL), ==, 0);
    CHECK_INT(m.ok, ==, 5);
    int idle[] = {silent, ka, hot};
    for (int i = 0; i < 3; i++) {
        char c;
        CHECK_INT(eddy_sock_read(idle[i], &c, 1, eddy_deadline_in(EDDY_SEC)), ==, 0);
        eddy_sock_close(idle[i]);
    }
    char out[1024];
    size_t got = 0;
    ssize_t n;
    while ((n = eddy_sock_read(next, out + got, sizeof out - 1 - got, eddy_deadline_in(EDDY_SEC))) >
           0)
        got += (size_t)n;
    out[got] = 0;
    CHECK_INT(n, ==, 0);
    CHECK(strstr(out, "Connection: close\r\n") && strstr(out, "\r\n\r\nlast"));
    eddy_sock_close(next);
    CHECK_INT(eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC)), ==, -ECONNREFUSED);

    /* Past the deadline, requests still running are cancelled. */
    s = eddy_server_start(&o);
    m = (struct many){.port = eddy_server_port(s)};
    struct eddy_task *late = eddy_spawn(slow_client, &m, "late");
    eddy_sleep(100 * EDDY_MSEC);
    CHECK_INT(eddy_server_stop(s, eddy_deadline_in(100 * EDDY_MSEC)), ==, -ETIMEDOUT);
    CHECK_INT(eddy_join(late, NULL), ==, 0);
    CHECK_INT(m.ok, ==, 0);
    return 0;
}

TEST(server_graceful_stop_closes_idle_connections_and_finishes_requests)
{
    CHECK_INT(eddy_run(shutdown_main, NULL, NULL), ==, 0);
}

/* ------------------------------------------------- SIGTERM under load */

struct load {
    pid_t server;
    int port;
    bool termed;   /* SIGTERM was sent */
    int completed; /* responses read whole */
    int streaming; /* drip responses begun and not ended yet */
    int straddled; /* responses begun before SIGTERM and ended after it */
    int cut;       /* responses that ended in the middle */
};

/* Reads one response.  1: whole (*closing: the server ends the connection
 * after it); 0: the connection ended before any byte of it; -1: cut. */
static int read_response(struct load *L, int fd, struct eddy_http_parser *p, bool *closing)
{
    char buf[8192];
    size_t len = 0;
    bool started = false, before_term = false, drip = false;
    for (;;) {
        struct eddy_http_event ev;
        ssize_t n = eddy_http_parse(p, buf, len, &ev);
        if (n < 0 || ev.type == EDDY_HTTP_CLOSED)
            return -1;
        memmove(buf, buf + n, len - (size_t)n);
        len -= (size_t)n;
        if (ev.type == EDDY_HTTP_HEAD) {
            *closing = !ev.head->keep_alive;
            drip = ev.head->framing == EDDY_HTTP_CHUNKED;
            L->streaming += drip;
        }
        if (ev.type == EDDY_HTTP_END) {
            L->streaming -= drip;
            L->straddled += before_term && L->termed;
            return 1;
        }
        if (ev.type != EDDY_HTTP_NEED_MORE)
            continue;
        ssize_t got =
            eddy_sock_read(fd, buf + len, sizeof buf - len, eddy_deadline_in(10 * EDDY_SEC));
        if (got <= 0)
            return started ? -1 : 0;
        if (!started)
            before_term = !L->termed;
        started = true;
        len += (size_t)got;
    }
}

/* A keep-alive client: requests one after the other (quick, streamed in
 * parts over 200 ms, chunked), reconnecting until SIGTERM was sent. */
static int load_client(void *arg)
{
    struct load *L = arg;
    static const char *const paths[] = {"/", "/drip/20", "/stream/300", "/slow/20"};
    static unsigned turn;
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_RESPONSE, NULL);
    CHECK(p != NULL);
    while (!L->termed) {
        char addr[32];
        snprintf(addr, sizeof addr, "127.0.0.1:%d", L->port);
        int fd = eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC));
        if (fd < 0)
            break; /* the listener is gone */
        eddy_http_parser_reset(p);
        for (;;) {
            char req[64];
            int n =
                snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", paths[turn++ % 4]);
            if (eddy_sock_write(fd, req, (size_t)n, eddy_deadline_in(EDDY_SEC)) < 0)
                break;
            bool closing = false;
            int r = read_response(L, fd, p, &closing);
            L->cut += r < 0;
            L->completed += r > 0;
            if (r <= 0 || closing)
                break;
        }
        eddy_sock_close(fd);
    }
    eddy_http_parser_free(p);
    return 0;
}

static int load_main(void *arg)
{
    struct load *L = arg;
    struct eddy_task *t[32];
    for (int i = 0; i < 32; i++)
        t[i] = eddy_spawn(load_client, L, "load");
    WAIT_FOR(L->completed >= 300 && L->streaming >= 4);
    kill(L->server, SIGTERM);
    L->termed = true;
    CHECK_INT(eddy_gather(t, 32, NULL), ==, 0);
    /* Gone within the graceful timeout (3 s), with a clean exit. */
    int st;
    pid_t r;
    for (int i = 0; i < 300 && (r = waitpid(L->server, &st, WNOHANG)) == 0; i++)
        eddy_sleep(10 * EDDY_MSEC);
    if (r == 0)
        kill(L->server, SIGKILL);
    CHECK_INT(r, ==, L->server);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}

static void port_to_pipe(void *arg, int port)
{
    if (write(*(int *)arg, &port, sizeof port) != sizeof port)
        abort();
}

TEST(server_sigterm_under_load_cuts_no_response)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        struct eddy_server_opts o = {.listen = "127.0.0.1:0",
                                     .handler = handler,
                                     .workers = 2,
                                     .shutdown_timeout_ns = 3 * EDDY_SEC};
        _exit(eddy_server_run(&o, port_to_pipe, &fds[1]) == 0 ? 0 : 1);
    }
    close(fds[1]);
    struct load L = {.server = pid};
    CHECK_INT(read(fds[0], &L.port, sizeof L.port), ==, sizeof L.port);
    close(fds[0]);
    CHECK_INT(eddy_run(load_main, &L, NULL), ==, 0);
    printf("%d responses, %d of them begun before SIGTERM and ended after it, %d cut\n",
           L.completed, L.straddled, L.cut);
    CHECK_INT(L.cut, ==, 0);
    CHECK_INT(L.straddled, >=, 4); /* the streams in flight at SIGTERM */
}

/* ------------------------------------------- log, unix, IPv6, streams */

static void body_log(struct eddy_server *s, int port)
{
    (void)s;
    TEST_SH("curl -s -A 'agent/1.0' -e 'http://ref/' http://127.0.0.1:%d/nope", port);
    /* Quotes, backslashes and non-ASCII bytes from the client are escaped
     * (as nginx does): they must not forge or shift the line's fields. */
    char out[1024];
    raw(port,
        "GET /\"q HTTP/1.1\r\nHost: a\r\nUser-Agent: x\" 200 1 \"\\\xff\r\n"
        "Connection: close\r\n\r\n",
        out, sizeof out, 2 * EDDY_SEC);
    /* Requests the server refuses itself are logged too (as nginx does):
     * probes and smuggling attempts must not be invisible. */
    raw(port, "GET / HTTP/1.1\r\n\r\n", out, sizeof out, 2 * EDDY_SEC); /* no Host */
    raw(port, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", out,
        sizeof out, 2 * EDDY_SEC);
}

TEST(server_access_log_combined_format)
{
    char path[512];
    snprintf(path, sizeof path, "%s/access.log", test_tmpdir());
    struct eddy_server_opts o = {.access_log = path};
    serve(body_log, &o);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    char line[512] = {0};
    CHECK(fgets(line, sizeof line, f) != NULL);
    fclose(f);
    char date[64], req[64];
    int status, bytes;
    CHECK_INT(sscanf(line,
                     "127.0.0.1 - - [%63[^]]] \"%63[^\"]\" %d %d \"http://ref/\" \"agent/1.0\"",
                     date, req, &status, &bytes),
              ==, 4);
    CHECK_STR(req, "GET /nope HTTP/1.1");
    CHECK_INT(status, ==, 404);
    CHECK_INT(bytes, ==, 9);
    CHECK(strstr(date, " +0000") != NULL);
    f = fopen(path, "r");
    CHECK(fgets(line, sizeof line, f) && fgets(line, sizeof line, f));
    fclose(f);
    char *fields = strchr(line, ']');
    CHECK(fields != NULL);
    CHECK_STR(fields, "] \"GET /\\x22q HTTP/1.1\" 404 9 \"-\" \"x\\x22 200 1 \\x22\\x5C\\xFF\"\n");
    char lines[4][512];
    f = fopen(path, "r");
    for (int i = 0; i < 4; i++)
        CHECK(fgets(lines[i], sizeof lines[i], f) != NULL);
    fclose(f);
    CHECK(strstr(lines[2], "] \"-\" 400 ") != NULL); /* no head to show */
    CHECK(strstr(lines[3], "] \"-\" 400 ") != NULL);
}

static void body_unix(struct eddy_server *s, int port)
{
    (void)port;
    const struct eddy_addr *a = eddy_server_addr(s);
    struct test_cmd *c = TEST_SH("curl -s --unix-socket %s http://x/", a->u.un.sun_path);
    CHECK_STR(c->out, "Hello, World!");
}

TEST(server_unix_socket)
{
    char listen[256];
    snprintf(listen, sizeof listen, "unix:%s/s.sock", test_tmpdir());
    struct eddy_server_opts o = {.listen = listen};
    serve(body_unix, &o);
}

static void body_v6(struct eddy_server *s, int port)
{
    (void)s;
    struct test_cmd *c = TEST_SH("curl -sg http://[::1]:%d/", port);
    CHECK_STR(c->out, "Hello, World!");
}

TEST(server_ipv6)
{
    int fd = eddy_sock_listen("[::1]:0", NULL);
    if (fd < 0) {
        printf("skip: no IPv6 loopback here\n");
        return;
    }
    eddy_sock_close(fd);
    struct eddy_server_opts o = {.listen = "[::1]:0"};
    serve(body_v6, &o);
}

static void body_stream(struct eddy_server *s, int port)
{
    (void)s;
    struct test_cmd *c = TEST_SH("curl -s http://127.0.0.1:%d/stream/1000 | wc -l", port);
    CHECK_INT(atoi(c->out), ==, 1000);
}

TEST(server_chunked_streaming_response)
{
    serve(body_stream, NULL);
}

/* ------------------------------------------------- eddy_server_run */

static int starts, stops;

static int failing_start(void *arg)
{
    (void)arg;
    starts++;
    return -EIO;
}

static void counting_stop(void *arg)
{
    (void)arg;
    stops++;
}

TEST(server_run_failed_worker_start_is_cleaned_up)
{
    /* worker_stop undoes what a failed worker_start did (an app's templates,
     * its background tasks), as when the listener cannot be opened. */
    struct eddy_server_opts o = {.listen = "127.0.0.1:0",
                                 .handler = handler,
                                 .worker_start = failing_start,
                                 .worker_stop = counting_stop};
    CHECK_INT(eddy_server_run(&o, NULL, NULL), ==, -EIO);
    CHECK_INT(starts, ==, 1);
    CHECK_INT(stops, ==, 1);
}
