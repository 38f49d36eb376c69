/* Tests of server/: a real server on loopback, in-process, answered to by
 * real clients — curl and Python's http.client run on the thread pool
 * (eddy_to_thread) while the loop serves, and raw sockets for what no
 * polite client sends. */
#include "../test.h"

#include "eddy/net.h"
#include "eddy/server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        static const struct eddy_http_header h[] = {
            {"Content-Length", 14, "5", 1}, {"Transfer-Encoding", 17, "chunked", 7},
            {"Connection", 10, "close", 5}, {"X-Kept", 6, "yes", 3}};
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
    struct test_cmd *c = TEST_SH("curl -sv http://127.0.0.1:%d/ http://127.0.0.1:%d/header -H 'X-Test: two'",
                       port, port);
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
    raw(port, "HEAD /stream/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", out,
        sizeof out, 2 * EDDY_SEC);
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
    struct test_cmd *c = TEST_SH("%s -c \"\n"
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
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "400"},
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

static int slowloris(void *arg)
{
    int port = *(int *)arg;
    char out[1024];
    /* Half a head, then silence.  The client would wait 30 s: an answer
     * means the server's header timeout fired, and it must be a 408. */
    raw(port, "GET / HTTP/1.1\r\nHost: a\r\n", out, sizeof out, 30 * EDDY_SEC);
    if (strncmp(out, "HTTP/1.1 408 ", 13))
        test_fail(__FILE__, __LINE__, "got '%s'", out);
    return 0;
}

static void body_slow_clients(struct eddy_server *s, int port)
{
    struct eddy_task *t[20];
    for (int i = 0; i < 20; i++)
        t[i] = eddy_spawn(slowloris, &port, "slowloris");
    eddy_sleep(50 * EDDY_MSEC);
    /* Everyone else is served while the 20 slow clients still hold their
     * connections (the header timeout is seconds away). */
    struct test_cmd *c = TEST_SH("curl -s http://127.0.0.1:%d/", port);
    CHECK_STR(c->out, "Hello, World!");
    struct eddy_server_stats st;
    eddy_server_stats(s, &st);
    CHECK_INT(st.requests, ==, 1);
    for (int i = 0; i < 20; i++)
        CHECK(!eddy_task_done(t[i]));
    CHECK_INT(eddy_gather(t, 20, NULL), ==, 0);
    eddy_server_stats(s, &st);
    CHECK_INT(st.rejected_4xx, ==, 20);
}

TEST(server_slowloris_times_out_and_others_are_served)
{
    struct eddy_server_opts o = {.header_timeout_ns = 3 * EDDY_SEC};
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

static void body_backpressure(struct eddy_server *s, int port)
{
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    int fd[3];
    for (int i = 0; i < 3; i++)
        fd[i] = eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC)); /* the backlog takes the 3rd */
    eddy_sleep(100 * EDDY_MSEC);
    struct eddy_server_stats st;
    eddy_server_stats(s, &st);
    CHECK_INT(st.connections_accepted, ==, 2);
    eddy_sock_close(fd[0]);
    eddy_sleep(100 * EDDY_MSEC);
    eddy_server_stats(s, &st);
    CHECK_INT(st.connections_accepted, ==, 3);
    eddy_sock_close(fd[1]);
    eddy_sock_close(fd[2]);
}

TEST(server_max_connections_pauses_accepting)
{
    struct eddy_server_opts o = {.max_connections = 2};
    serve(body_backpressure, &o);
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
    int idle = eddy_sock_connect(addr, eddy_deadline_in(EDDY_SEC));
    struct eddy_task *t[5];
    for (int i = 0; i < 5; i++)
        t[i] = eddy_spawn(slow_client, &m, "in-flight");
    eddy_sleep(150 * EDDY_MSEC);
    CHECK_INT(in_flight, ==, 5);
    /* In-flight requests finish (with Connection: close); the idle
     * keep-alive connection is closed at once; new connections are refused. */
    CHECK_INT(eddy_server_stop(s, eddy_deadline_in(3 * EDDY_SEC)), ==, 0);
    CHECK_INT(eddy_gather(t, 5, NULL), ==, 0);
    CHECK_INT(m.ok, ==, 5);
    char c;
    CHECK_INT(eddy_sock_read(idle, &c, 1, eddy_deadline_in(EDDY_SEC)), ==, 0);
    eddy_sock_close(idle);
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

TEST(server_graceful_shutdown_with_requests_in_flight)
{
    CHECK_INT(eddy_run(shutdown_main, NULL, NULL), ==, 0);
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
    raw(port, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        out, sizeof out, 2 * EDDY_SEC);
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
    CHECK_INT(sscanf(line, "127.0.0.1 - - [%63[^]]] \"%63[^\"]\" %d %d \"http://ref/\" \"agent/1.0\"",
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
    struct eddy_server_opts o = {.listen = "127.0.0.1:0", .handler = handler,
                                 .worker_start = failing_start, .worker_stop = counting_stop};
    CHECK_INT(eddy_server_run(&o, NULL, NULL), ==, -EIO);
    CHECK_INT(starts, ==, 1);
    CHECK_INT(stops, ==, 1);
}
