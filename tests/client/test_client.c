/* Tests of client/: real libcurl against a real HTTP server on loopback
 * (tests/client/support/httpd.py, started per test), driven by eddy's loop. */
#include "../test.h"

#include "eddy/client.h"
#include "eddy/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <netinet/in.h>
#include <unistd.h>

#include "support/httpd.h"

/* --------------------------------------------------- running in a task */

struct one {
    struct eddy_session_opts sopts;
    struct eddy_fetch_opts req;
    int err;
    int status;
    char body[2048];
    size_t body_len;
    char error[256];
    char header[64]; /* value of req_header, if asked */
    const char *req_header;
    size_t hops;
    bool permanent, not_modified;
    int hop0_status;
    char final_url[256];
};

static int fetch_one(void *arg)
{
    struct one *o = arg;
    struct eddy_session *s = eddy_session_new(&o->sopts);
    if (!s)
        return -errno;
    struct eddy_reply *r;
    o->err = eddy_fetch(s, &o->req, &r);
    o->status = eddy_reply_status(r);
    const char *b = eddy_reply_body(r, &o->body_len);
    snprintf(o->body, sizeof o->body, "%s", b);
    snprintf(o->error, sizeof o->error, "%s", eddy_reply_error(r));
    if (o->req_header) {
        const char *v = eddy_reply_header(r, o->req_header);
        snprintf(o->header, sizeof o->header, "%s", v ? v : "(none)");
    }
    o->hops = eddy_reply_redirects(r);
    if (o->hops)
        eddy_reply_redirect_url(r, 0, &o->hop0_status);
    o->permanent = eddy_reply_permanent_redirect(r);
    o->not_modified = eddy_reply_not_modified(r);
    snprintf(o->final_url, sizeof o->final_url, "%s", eddy_reply_url(r));
    eddy_reply_free(r);
    eddy_session_free(s);
    return 0;
}

static void run_one(struct one *o)
{
    CHECK_INT(eddy_run(fetch_one, o, NULL), ==, 0);
}

/* ------------------------------------------------------------ the tests */

TEST(client_get_ok_headers_case_insensitive_and_repeated)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/ok")}, .req_header = "content-TYPE"};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_INT(o.status, ==, 200);
    CHECK_STR(o.body, "ok");
    CHECK_STR(o.header, "text/plain");
    CHECK_STR(o.error, "");
    server_stop();
}

static int repeated(void *arg)
{
    (void)arg;
    struct eddy_session *s = eddy_session_new(NULL);
    struct eddy_reply *r;
    CHECK_INT(eddy_get(s, url("/ok"), &r), ==, 0);
    const char *n, *v;
    int dups = 0;
    for (size_t i = 0; eddy_reply_header_at(r, i, &n, &v); i++)
        if (!strcmp(n, "X-Dup"))
            CHECK_STR(v, dups++ ? "two" : "one");
    CHECK_INT(dups, ==, 2);
    eddy_reply_free(r);
    eddy_session_free(s);
    return 0;
}

TEST(client_repeated_headers_kept_in_order)
{
    server_start(NULL, NULL);
    CHECK_INT(eddy_run(repeated, NULL, NULL), ==, 0);
    server_stop();
}

TEST(client_permanent_redirect_chain)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/redirect/3/301")}};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_INT(o.status, ==, 200);
    CHECK_STR(o.body, "ok");
    CHECK_INT(o.hops, ==, 3);
    CHECK_INT(o.hop0_status, ==, 301);
    CHECK(o.permanent);
    server_stop();
}

TEST(client_temporary_redirect_is_not_permanent)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/redirect/2/302")}};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_INT(o.hops, ==, 2);
    CHECK(!o.permanent);
    /* Not following: the 3xx itself is the response, and no hop. */
    struct one o2 = {.req = {.url = url("/redirect/2/308"), .max_redirects = -1}};
    run_one(&o2);
    CHECK_INT(o2.err, ==, 0);
    CHECK_INT(o2.status, ==, 308);
    CHECK_INT(o2.hops, ==, 0);
    CHECK(!o2.permanent);
    server_stop();
}

TEST(client_permanent_redirect_then_304_keeps_the_hop)
{
    /* A moved feed fetched conditionally: the 304 at the end is not a
     * redirect, and the 301 before it must still be reported. */
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/redirect/1/301/etag"), .etag = "\"v1\""}};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_INT(o.status, ==, 304);
    CHECK(o.not_modified);
    CHECK_INT(o.hops, ==, 1);
    CHECK_INT(o.hop0_status, ==, 301);
    CHECK(o.permanent);
    server_stop();
}

TEST(client_redirect_loop_is_eloop)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/loop"), .max_redirects = 5}};
    run_one(&o);
    CHECK_INT(o.err, ==, -ELOOP);
    CHECK(strstr(o.error, "redirect") != NULL);
    server_stop();
}

TEST(client_conditional_get_304)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/etag")}};
    run_one(&o);
    CHECK_INT(o.status, ==, 200);
    CHECK(!o.not_modified);
    struct one e = {.req = {.url = url("/etag"), .etag = "\"v1\""}};
    run_one(&e);
    CHECK_INT(e.err, ==, 0);
    CHECK_INT(e.status, ==, 304);
    CHECK(e.not_modified);
    struct one m = {.req = {.url = url("/etag"), .last_modified = "Wed, 21 Oct 2015 07:28:00 GMT"}};
    run_one(&m);
    CHECK_INT(m.status, ==, 304);
    CHECK(m.not_modified);
    server_stop();
}

TEST(client_gzip_and_chunked_bodies)
{
    server_start(NULL, NULL);
    struct one g = {.req = {.url = url("/gzip")}};
    run_one(&g);
    CHECK_INT(g.err, ==, 0);
    CHECK_INT(g.body_len, ==, 1100);
    CHECK(!strncmp(g.body, "compressed compressed ", 22));
    struct one c = {.req = {.url = url("/chunked/10000")}};
    run_one(&c);
    CHECK_INT(c.err, ==, 0);
    CHECK_INT(c.body_len, ==, 10000);
    server_stop();
}

TEST(client_total_timeout)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/slow/5000"), .timeout_ns = 200 * EDDY_MSEC}};
    run_one(&o);
    CHECK_INT(o.err, ==, -ETIMEDOUT);
    CHECK(strstr(o.error, "timed out") != NULL);
    server_stop();
}

TEST(client_stall_detected_despite_long_total_timeout)
{
    server_start(NULL, NULL);
    struct one o = {
        .req = {.url = url("/stall"), .timeout_ns = 60 * EDDY_SEC, .stall_ns = EDDY_SEC}};
    run_one(&o);
    CHECK_INT(o.err, ==, -ETIMEDOUT);
    CHECK(strstr(o.error, "slow") != NULL);
    server_stop();
}

TEST(client_body_over_limit)
{
    server_start(NULL, NULL);
    /* Content-Length known up front, and a chunked body that grows past it. */
    struct one o = {.req = {.url = url("/size/100000"), .max_body = 1000}};
    run_one(&o);
    CHECK_INT(o.err, ==, -EFBIG);
    CHECK(strstr(o.error, "too large") != NULL);
    struct one c = {.req = {.url = url("/chunked/100000"), .max_body = 1000}};
    run_one(&c);
    CHECK_INT(c.err, ==, -EFBIG);
    CHECK(strstr(c.error, "too large") != NULL);
    server_stop();
}

TEST(client_connection_refused)
{
    /* A port that was free a moment ago. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", ntohs(a.sin_port));
    struct one o = {.req = {.url = url("/")}};
    run_one(&o);
    CHECK_INT(o.err, ==, -ECONNREFUSED);
}

TEST(client_unresolvable_host)
{
    struct one o = {.req = {.url = "http://no-such-host.invalid/feed"}};
    run_one(&o);
    CHECK_INT(o.err, ==, -ENXIO);
    CHECK(strstr(o.error, "resolve") != NULL);
}

TEST(client_bad_url)
{
    struct one o = {.req = {.url = "not a url at all"}};
    run_one(&o);
    CHECK_INT(o.err, ==, -EINVAL);
    struct one f = {.req = {.url = "file:///etc/passwd"}};
    run_one(&f);
    CHECK_INT(f.err, ==, -EINVAL);
}

TEST(client_post_body)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/echo"), .body = "hello=world", .body_len = 11}};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_STR(o.body, "hello=world");
    server_stop();
}

TEST(client_outside_task_is_eperm)
{
    struct eddy_reply *r = (void *)1;
    struct eddy_fetch_opts req = {.url = "http://127.0.0.1:1/"};
    CHECK_INT(eddy_fetch(NULL, &req, &r), ==, -EPERM);
    CHECK(r == NULL);
}

/* ------------------------------------------------ streaming and aborting */

struct stream {
    size_t bytes, calls;
    size_t stop_after; /* abort once this many bytes arrived (0: never) */
};

static int on_data(void *arg, const char *p, size_t n)
{
    struct stream *st = arg;
    for (size_t i = 0; i < n; i++)
        if (p[i] != 'y')
            return -1;
    st->bytes += n;
    st->calls++;
    return st->stop_after && st->bytes >= st->stop_after ? -1 : 0;
}

TEST(client_streams_body_to_callback)
{
    server_start(NULL, NULL);
    struct stream st = {0};
    struct one o = {.req = {.url = url("/chunked/300000"), .on_data = on_data, .arg = &st}};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_INT(st.bytes, ==, 300000);
    CHECK(st.calls > 1);
    CHECK_INT(o.body_len, ==, 0);
    /* max_body holds for streamed bodies too: an endless feed must end. */
    struct stream st3 = {0};
    struct one b = {
        .req = {.url = url("/chunked/300000"), .on_data = on_data, .arg = &st3, .max_body = 1000}};
    run_one(&b);
    CHECK_INT(b.err, ==, -EFBIG);
    CHECK(strstr(b.error, "too large") != NULL);
    CHECK_INT(st3.bytes, <=, 1000);
    struct stream st2 = {.stop_after = 1};
    struct one a = {.req = {.url = url("/chunked/300000"), .on_data = on_data, .arg = &st2}};
    run_one(&a);
    CHECK_INT(a.err, ==, -ECONNABORTED);
    server_stop();
}

/* A gzip bomb (40 MiB of zeros in 40 KB) against the 32 MiB cap, with a
 * task beside it that runs every loop turn and measures the turns that took
 * body bytes in the loop thread's CPU time (not wall time: the test holds on
 * a loaded machine).  curl read and inflated the whole cap in one turn; now
 * no turn takes more than a slice of the body, nor a third of the CPU the
 * body took. */
struct bomb {
    bool done;
    int err;
    char error[256];
    size_t bytes, turn_bytes_max;
    int64_t body_cpu, turn_cpu_max; /* of the turns that took body bytes */
};

static int64_t thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * EDDY_SEC + t.tv_nsec;
}

static int bomb_data(void *arg, const char *data, size_t len)
{
    (void)data;
    ((struct bomb *)arg)->bytes += len;
    return 0;
}

static int bomb_turns(void *arg)
{
    struct bomb *b = arg;
    while (!b->done) {
        size_t bytes = b->bytes;
        int64_t cpu = thread_cpu();
        if (eddy_yield() < 0)
            return -ECANCELED;
        if (b->bytes == bytes)
            continue;
        cpu = thread_cpu() - cpu;
        b->body_cpu += cpu;
        if (cpu > b->turn_cpu_max)
            b->turn_cpu_max = cpu;
        if (b->bytes - bytes > b->turn_bytes_max)
            b->turn_bytes_max = b->bytes - bytes;
    }
    return 0;
}

static int bomb_fetch(void *arg)
{
    struct bomb *b = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    struct eddy_reply *r;
    b->err = eddy_fetch(
        s, &(struct eddy_fetch_opts){.url = url("/bomb/40"), .on_data = bomb_data, .arg = b}, &r);
    snprintf(b->error, sizeof b->error, "%s", eddy_reply_error(r));
    eddy_reply_free(r);
    eddy_session_free(s);
    b->done = true;
    return 0;
}

static int bomb_main(void *arg)
{
    struct eddy_task *t[2] = {eddy_spawn(bomb_turns, arg, "turns"),
                              eddy_spawn(bomb_fetch, arg, "fetch")};
    CHECK(t[0] && t[1]);
    return eddy_gather(t, 2, NULL);
}

TEST(client_gzip_bomb_never_holds_the_loop)
{
    server_start(NULL, NULL);
    struct bomb b = {0};
    CHECK_INT(eddy_run(bomb_main, &b, NULL), ==, 0);
    printf(
        "gzip bomb: the longest turn took %.1f ms of CPU and %zu body bytes; all turns %.1f ms\n",
        b.turn_cpu_max / 1e6, b.turn_bytes_max, b.body_cpu / 1e6);
    CHECK_INT(b.err, ==, -EFBIG);
    CHECK(strstr(b.error, "once decoded (Content-Encoding: gzip)") != NULL);
    CHECK_INT(b.bytes, <=, 32u << 20);
    CHECK_INT(b.turn_bytes_max, <=, 512u << 10);  /* was the whole 32 MiB */
    CHECK_INT(b.turn_cpu_max * 3, <, b.body_cpu); /* was nearly all of it */
    server_stop();
}

/* --------------------------------------------- cancellation and scopes */

static int slow_fetch(void *arg)
{
    struct eddy_session *s = arg;
    struct eddy_reply *r;
    int err = eddy_get(s, url("/slow/10000"), &r);
    eddy_reply_free(r);
    return err;
}

static int cancel_mid_transfer(void *arg)
{
    (void)arg;
    struct eddy_session *s = eddy_session_new(NULL);
    struct eddy_task *t = eddy_spawn(slow_fetch, s, "slow");
    eddy_sleep(200 * EDDY_MSEC);
    CHECK(!eddy_task_done(t));
    eddy_cancel(t);
    int result = 0;
    CHECK_INT(eddy_join(t, &result), ==, 0);
    CHECK_INT(result, ==, -ECANCELED); /* aborted, not waited out */
    /* The session is still usable afterwards. */
    struct eddy_reply *r;
    CHECK_INT(eddy_get(s, url("/ok"), &r), ==, 0);
    CHECK_INT(eddy_reply_status(r), ==, 200);
    eddy_reply_free(r);
    eddy_session_free(s);
    return 0;
}

TEST(client_cancel_mid_transfer_frees_it)
{
    server_start(NULL, NULL);
    CHECK_INT(eddy_run(cancel_mid_transfer, NULL, NULL), ==, 0);
    server_stop();
}

static int scoped(void *arg)
{
    (void)arg;
    struct eddy_session *s = eddy_session_new(NULL);
    struct eddy_timeout to;
    eddy_timeout_begin(&to, eddy_deadline_in(200 * EDDY_MSEC));
    struct eddy_reply *r;
    int err = eddy_get(s, url("/slow/10000"), &r);
    CHECK(eddy_timeout_end(&to));
    CHECK_INT(err, ==, -ETIMEDOUT);
    eddy_reply_free(r);
    eddy_session_free(s);
    return 0;
}

TEST(client_timeout_scope_aborts_transfer)
{
    server_start(NULL, NULL);
    CHECK_INT(eddy_run(scoped, NULL, NULL), ==, 0);
    server_stop();
}

/* A scope that expires while the request is still queued (the host's one
 * slot is busy) says so: timed out, not cancelled. */
static int scoped_queued(void *arg)
{
    (void)arg;
    struct eddy_session_opts so = {.max_per_host = 1};
    struct eddy_session *s = eddy_session_new(&so);
    struct eddy_task *busy = eddy_spawn(slow_fetch, s, "busy");
    eddy_yield(); /* it takes the slot */
    struct eddy_timeout to;
    eddy_timeout_begin(&to, eddy_deadline_in(100 * EDDY_MSEC));
    struct eddy_reply *r;
    int err = eddy_get(s, url("/ok"), &r);
    CHECK(eddy_timeout_end(&to));
    CHECK_INT(err, ==, -ETIMEDOUT);
    CHECK(strstr(eddy_reply_error(r), "timed out") != NULL);
    eddy_reply_free(r);
    eddy_cancel(busy);
    CHECK_INT(eddy_join(busy, NULL), ==, 0);
    eddy_session_free(s);
    return 0;
}

TEST(client_timeout_scope_while_queued_says_timed_out)
{
    server_start(NULL, NULL);
    CHECK_INT(eddy_run(scoped_queued, NULL, NULL), ==, 0);
    server_stop();
}

/* ------------------------------------------------- many at once, limits */

struct many {
    struct eddy_session *s;
    int ok, failed;
    char path[32];
};

static int one_of_many(void *arg)
{
    struct many *m = arg;
    struct eddy_reply *r;
    int err = eddy_get(m->s, url(m->path), &r);
    if (err == 0 && eddy_reply_status(r) == 200)
        m->ok++;
    else
        m->failed++;
    eddy_reply_free(r);
    return 0;
}

struct many_args {
    int n;
    struct eddy_session_opts opts;
    int ok, failed, peak;
};

static int run_many(void *arg)
{
    struct many_args *a = arg;
    struct many m = {.s = eddy_session_new(&a->opts)};
    snprintf(m.path, sizeof m.path, "/size/100");
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    for (int i = 0; i < a->n; i++)
        CHECK_INT(eddy_group_spawn(g, one_of_many, &m, "get"), ==, 0);
    CHECK_INT(eddy_group_wait(g), ==, 0);
    eddy_group_fini(g);
    struct eddy_reply *r;
    CHECK_INT(eddy_get(m.s, url("/stats"), &r), ==, 0);
    a->peak = atoi(eddy_reply_body(r, NULL));
    eddy_reply_free(r);
    eddy_session_free(m.s);
    a->ok = m.ok;
    a->failed = m.failed;
    return 0;
}

TEST(client_1000_concurrent_requests_respect_per_host_limit)
{
    server_start(NULL, NULL);
    struct many_args a = {.n = 1000, .opts = {.max_per_host = 6}};
    CHECK_INT(eddy_run(run_many, &a, NULL), ==, 0);
    CHECK_INT(a.ok, ==, 1000);
    CHECK_INT(a.failed, ==, 0);
    CHECK_INT(a.peak, <=, 6);
    CHECK_INT(a.peak, >=, 2); /* and they did overlap */
    server_stop();
}

TEST(client_10000_urls_within_a_small_fd_limit)
{
    server_start(NULL, NULL);
    /* 128 descriptors in all: the session must queue, not fail. */
    struct rlimit rl = {128, 128};
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    struct many_args a = {.n = 10000, .opts = {.max_concurrency = 10000, .max_per_host = 10000}};
    CHECK_INT(eddy_run(run_many, &a, NULL), ==, 0);
    CHECK_INT(a.ok, ==, 10000);
    CHECK_INT(a.failed, ==, 0);
    server_stop();
}

/* ----------------------------------------------------------------- TLS */

TEST(client_https_self_signed_fails_then_verifies_with_ca)
{
    char cert[512], key[512], cmd[2048];
    snprintf(cert, sizeof cert, "%s/cert.pem", test_tmpdir());
    snprintf(key, sizeof key, "%s/key.pem", test_tmpdir());
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
             "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout %s -out %s 2>/dev/null",
             key, cert);
    CHECK_INT(system(cmd), ==, 0);
    server_start(cert, key);
    struct one o = {.req = {.url = url("/ok")}};
    run_one(&o);
    CHECK_INT(o.err, ==, -EKEYREJECTED);
    CHECK(strstr(o.error, "TLS") != NULL);
    struct one v = {.req = {.url = url("/ok")}, .sopts = {.ca_file = cert}};
    run_one(&v);
    CHECK_INT(v.err, ==, 0);
    CHECK_INT(v.status, ==, 200);
    CHECK_STR(v.body, "ok");
    server_stop();
}

/* ------------------------------------------------------------ SSRF guard */

#define UNREACHABLE "could not reach the host (unreachable or not allowed)"

TEST(client_ssrf_guard_refuses_internal_targets_with_one_error)
{
    server_start(NULL, NULL);
    char urls[9][128];
    const char *forms[] = {"127.0.0.1",  "localhost", "2130706433",         "0x7f.1",
                           "0177.0.0.1", "[::1]",     "[::ffff:127.0.0.1]", "0.0.0.0"};
    for (size_t i = 0; i < 8; i++)
        snprintf(urls[i], sizeof urls[i], "http://%s:%d/ok", forms[i], server_port);
    snprintf(urls[8], sizeof urls[8], "http://no-such-host.invalid/ok");
    for (size_t i = 0; i < 9; i++) {
        struct one o = {.sopts = {.ssrf_guard = true}, .req = {.url = urls[i]}};
        run_one(&o);
        if (o.err != -EHOSTUNREACH || strcmp(o.error, UNREACHABLE))
            test_fail(__FILE__, __LINE__, "%s: %d %s", urls[i], o.err, o.error);
        CHECK_INT(o.status, ==, 0);
    }
    server_stop();
    /* A closed port reads the same as a refused address. */
    struct one c = {
        .sopts = {.ssrf_guard = true, .ssrf_allow = (const char *[]){"127.0.0.1", NULL}},
        .req = {.url = "http://127.0.0.1:1/"}};
    run_one(&c);
    CHECK_INT(c.err, ==, -EHOSTUNREACH);
    CHECK_STR(c.error, UNREACHABLE);
}

static int bad_session(void *arg)
{
    struct eddy_session *s = eddy_session_new(arg);
    int err = s ? 0 : -errno;
    eddy_session_free(s);
    return err;
}

TEST(client_ssrf_allow_list)
{
    server_start(NULL, NULL);
    const char *allow[] = {"10.0.0.0/8", "127.0.0.0/8", NULL};
    char num[128], hex[128];
    snprintf(num, sizeof num, "http://2130706433:%d/ok", server_port);
    snprintf(hex, sizeof hex, "http://0x7f.1:%d/ok", server_port);
    const char *urls[] = {url("/ok"), num, hex};
    for (size_t i = 0; i < 3; i++) {
        struct one o = {.sopts = {.ssrf_guard = true, .ssrf_allow = allow},
                        .req = {.url = urls[i]}};
        run_one(&o);
        CHECK_INT(o.err, ==, 0);
        CHECK_STR(o.body, "ok");
    }
    /* Unguarded, the allow-list means nothing and loopback is reachable. */
    struct one u = {.sopts = {.ssrf_allow = (const char *[]){"::1/128", NULL}},
                    .req = {.url = url("/ok")}};
    run_one(&u);
    CHECK_INT(u.err, ==, 0);
    server_stop();
    const char *bad[][2] = {
        {"127.0.0.1/33", NULL}, {"nonsense", NULL}, {"10.0.0.0/", NULL}, {"::1/129", NULL}};
    for (size_t i = 0; i < 4; i++) {
        struct eddy_session_opts so = {.ssrf_guard = true, .ssrf_allow = bad[i]};
        CHECK_INT(eddy_run(bad_session, &so, NULL), ==, -EINVAL);
    }
}

TEST(client_ssrf_guard_checks_every_redirect_hop)
{
    /* Server B on 127.0.0.2, outside the allowed 127.0.0.1: a redirect from
     * A to B is refused at B's connection. */
    pid_t b = server_start_on("127.0.0.2", NULL, NULL);
    char target[128];
    snprintf(target, sizeof target, "http://127.0.0.2:%d/ok", server_port);
    server_start(NULL, NULL);
    char path[160];
    snprintf(path, sizeof path, "/to/%s", target);
    const char *only_a[] = {"127.0.0.1/32", NULL}, *both[] = {"127.0.0.0/8", NULL};
    struct one o = {.sopts = {.ssrf_guard = true, .ssrf_allow = only_a}, .req = {.url = url(path)}};
    run_one(&o);
    CHECK_INT(o.err, ==, -EHOSTUNREACH);
    CHECK_STR(o.error, UNREACHABLE);
    struct one ok = {.sopts = {.ssrf_guard = true, .ssrf_allow = both}, .req = {.url = url(path)}};
    run_one(&ok);
    CHECK_INT(ok.err, ==, 0);
    CHECK_STR(ok.body, "ok");
    server_stop();
    server_stop_pid(b);
}

TEST(client_non_http_reply_is_a_protocol_error)
{
    /* It used to read "bad URL" (-EINVAL): the URL was fine. */
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/garbage")}};
    run_one(&o);
    CHECK_INT(o.err, ==, -EPROTO);
    CHECK(strstr(o.error, "protocol error") != NULL);
    CHECK(strstr(o.error, "bad URL") == NULL);
    server_stop();
    struct one f = {.req = {.url = "ftp://127.0.0.1/feed"}};
    run_one(&f);
    CHECK_INT(f.err, ==, -EINVAL);
    CHECK(strstr(f.error, "bad URL") != NULL);
}

/* ------------------------------------------------------- the host table */

size_t eddy__session_hosts(const struct eddy_session *s); /* client.c, for tests */

struct hosts_args {
    size_t during, after;
    int refused;
};

static int many_hosts(void *arg)
{
    struct hosts_args *a = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    CHECK(s != NULL);
    for (int i = 1; i <= 300; i++) {
        char u[64];
        snprintf(u, sizeof u, "http://127.0.%d.%d:1/", i / 250, i % 250 + 1);
        struct eddy_reply *r;
        a->refused += eddy_get(s, u, &r) == -ECONNREFUSED;
        eddy_reply_free(r);
    }
    a->after = eddy__session_hosts(s);
    eddy_session_free(s);
    return 0;
}

/* Issue 12: a session kept a slot for every host it ever fetched from, so a
 * long-running aggregator's table grew with every host it met.  Slots now
 * live while a fetch uses them. */
TEST(client_host_table_holds_only_hosts_in_use)
{
    struct hosts_args a = {0};
    CHECK_INT(eddy_run(many_hosts, &a, NULL), ==, 0);
    CHECK_INT(a.refused, ==, 300);
    CHECK_INT(a.after, ==, 0);
}

/* ------------------------------------------------- reused easy handles */

size_t eddy__session_idle(const struct eddy_session *s); /* client.c, for tests */

struct reuse_args {
    char body[6][32];
    size_t len[6], idle[6];
    int err[6];
};

/* One session, one fetch after the other: each takes the handle the one
 * before gave back, and must find none of its options there. */
static int reuse_fetches(void *arg)
{
    struct reuse_args *a = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    CHECK(s != NULL);
    const struct eddy_fetch_opts reqs[6] = {
        {.url = url("/method"), .body = "hello=world", .body_len = 11},
        {.url = url("/method")},
        {.url = url("/ok"), .method = "HEAD"},
        {.url = url("/ok")},
        {.url = url("/size/3000"), .max_body = 100},
        {.url = url("/size/3000")},
    };
    for (size_t i = 0; i < 6; i++) {
        struct eddy_reply *r;
        a->err[i] = eddy_fetch(s, &reqs[i], &r);
        snprintf(a->body[i], sizeof a->body[i], "%s", eddy_reply_body(r, NULL));
        eddy_reply_body(r, &a->len[i]);
        a->idle[i] = eddy__session_idle(s);
        eddy_reply_free(r);
    }
    eddy_session_free(s);
    return 0;
}

TEST(client_reused_handle_keeps_no_option_of_the_fetch_before)
{
    server_start(NULL, NULL);
    struct reuse_args a = {0};
    CHECK_INT(eddy_run(reuse_fetches, &a, NULL), ==, 0);
    CHECK_STR(a.body[0], "POST 11");
    CHECK_STR(a.body[1], "GET 0"); /* not the POST again */
    CHECK_INT(a.len[2], ==, 0);
    CHECK_STR(a.body[3], "ok"); /* not a HEAD again */
    CHECK_INT(a.err[4], ==, -EFBIG);
    CHECK_INT(a.err[5], ==, 0);
    CHECK_INT(a.len[5], ==, 3000); /* not the 100-byte cap again */
    for (size_t i = 0; i < 6; i++)
        CHECK_INT(a.idle[i], ==, 1); /* one handle served them all */
    server_stop();
}

/* A fetch cancelled mid-transfer does not give its handle back. */
static int cancel_then_fetch(void *arg)
{
    size_t *idle = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    CHECK(s != NULL);
    struct eddy_timeout to;
    eddy_timeout_begin(&to, eddy_deadline_in(100 * EDDY_MSEC));
    struct eddy_reply *r;
    int err = eddy_get(s, url("/slow/10000"), &r);
    CHECK(eddy_timeout_end(&to));
    CHECK_INT(err, ==, -ETIMEDOUT);
    eddy_reply_free(r);
    idle[0] = eddy__session_idle(s);
    CHECK_INT(eddy_get(s, url("/ok"), &r), ==, 0);
    CHECK_STR(eddy_reply_body(r, NULL), "ok");
    eddy_reply_free(r);
    idle[1] = eddy__session_idle(s);
    eddy_session_free(s);
    return 0;
}

TEST(client_handle_of_an_aborted_transfer_is_not_reused)
{
    server_start(NULL, NULL);
    size_t idle[2] = {9, 9};
    CHECK_INT(eddy_run(cancel_then_fetch, idle, NULL), ==, 0);
    CHECK_INT(idle[0], ==, 0);
    CHECK_INT(idle[1], ==, 1);
    server_stop();
}

/* A connection's socket watch is kept, paused, between its transfers (no
 * epoll_ctl each time) and freed when curl closes the socket: a server that
 * closes every connection makes each fetch a new socket, most likely on the
 * descriptor number just closed, which must be watched afresh (a stale
 * watch taken for it would leave it out of epoll: the fetch would hang). */
static int closing_server(void *arg)
{
    int *ok = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    CHECK(s != NULL);
    for (int i = 0; i < 20; i++) {
        struct eddy_reply *r;
        const char *u = url(i % 2 ? "/reply?h=Connection:close" : "/ok");
        *ok += eddy_get(s, u, &r) == 0 && eddy_reply_status(r) == 200;
        eddy_reply_free(r);
    }
    eddy_session_free(s);
    return 0;
}

TEST(client_connections_closed_by_the_server_are_watched_afresh)
{
    server_start(NULL, NULL);
    int ok = 0;
    CHECK_INT(eddy_run(closing_server, &ok, NULL), ==, 0);
    CHECK_INT(ok, ==, 20);
    server_stop();
}

/* ------------------------------------------------------------ redirects */

struct gets {
    struct eddy_session *s;
    const char *url;
    int ok;
};

static int get_ok(void *arg)
{
    struct gets *g = arg;
    struct eddy_reply *r;
    if (eddy_get(g->s, g->url, &r) == 0 && eddy_reply_status(r) == 200)
        g->ok++;
    eddy_reply_free(r);
    return 0;
}

/* Four tasks fetch `a`, four `b`, at once, in a session of one slot per
 * host; then the server behind `stats` says the most requests it had in
 * flight. */
struct limit_args {
    const char *a, *b, *stats;
    int ok, peak;
    size_t hosts_after;
};

static int per_host_run(void *arg)
{
    struct limit_args *l = arg;
    struct eddy_session_opts so = {.max_per_host = 1};
    struct eddy_session *s = eddy_session_new(&so);
    struct gets a = {.s = s, .url = l->a}, b = {.s = s, .url = l->b};
    struct eddy_group group;
    eddy_group_init(&group);
    for (int i = 0; i < 4; i++) {
        CHECK_INT(eddy_group_spawn(&group, get_ok, &a, "a"), ==, 0);
        CHECK_INT(eddy_group_spawn(&group, get_ok, &b, "b"), ==, 0);
    }
    CHECK_INT(eddy_group_wait(&group), ==, 0);
    eddy_group_fini(&group);
    l->ok = a.ok + b.ok;
    l->hosts_after = eddy__session_hosts(s);
    struct eddy_reply *r;
    CHECK_INT(eddy_get(s, l->stats, &r), ==, 0);
    l->peak = atoi(eddy_reply_body(r, NULL));
    eddy_reply_free(r);
    eddy_session_free(s);
    return 0;
}

/* Issue 12: a request redirected from host A to host B held A's slot while
 * it talked to B, so B's limit did not hold: with one slot per host, four
 * requests to B and four redirected to it from A had two at once at B. */
TEST(client_per_host_limit_follows_redirects_to_another_host)
{
    pid_t b = server_start_on("127.0.0.2", NULL, NULL);
    char at_b[96], via_a[192], stats[96];
    snprintf(at_b, sizeof at_b, "%s/slow/200", base);
    snprintf(stats, sizeof stats, "%s/stats", base);
    server_start(NULL, NULL);
    snprintf(via_a, sizeof via_a, "%s/to/%s", base, at_b);
    struct limit_args l = {.a = via_a, .b = at_b, .stats = stats};
    CHECK_INT(eddy_run(per_host_run, &l, NULL), ==, 0);
    CHECK_INT(l.ok, ==, 8);
    CHECK_INT(l.peak, ==, 1);
    CHECK_INT(l.hosts_after, ==, 0);
    server_stop();
    server_stop_pid(b);
}

/* One host, two spellings: libcurl gives "127.1" for a percent-encoded
 * host and "127.0.0.1" for the plain one; they used to be two slots. */
TEST(client_per_host_limit_holds_for_every_spelling_of_an_address)
{
    server_start(NULL, NULL);
    char plain[96], encoded[96];
    snprintf(plain, sizeof plain, "%s/slow/200", base);
    snprintf(encoded, sizeof encoded, "http://%%31%%32%%37.1:%d/slow/200", server_port);
    struct limit_args l = {.a = plain, .b = encoded, .stats = url("/stats")};
    CHECK_INT(eddy_run(per_host_run, &l, NULL), ==, 0);
    CHECK_INT(l.ok, ==, 8);
    CHECK_INT(l.peak, ==, 1);
    server_stop();
}

TEST(client_relative_location_resolved)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/rel/a/b")}};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_STR(o.body, "ok");
    CHECK_INT(o.hops, ==, 1);
    CHECK_INT(o.hop0_status, ==, 302);
    CHECK_STR(o.final_url, url("/ok"));
    server_stop();
}

TEST(client_redirect_methods_after_post)
{
    server_start(NULL, NULL);
    static const struct {
        const char *path, *body;
    } cases[] = {
        {"/redirect/1/303/method", "GET 0"},   {"/redirect/1/302/method", "GET 0"},
        {"/redirect/1/301/method", "GET 0"},   {"/redirect/1/307/method", "POST 11"},
        {"/redirect/1/308/method", "POST 11"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct one o = {.req = {.url = url(cases[i].path), .body = "hello=world", .body_len = 11}};
        run_one(&o);
        CHECK_INT(o.err, ==, 0);
        CHECK_STR(o.body, cases[i].body);
        CHECK_INT(o.hops, ==, 1);
    }
    /* A 303 answering a HEAD keeps it a HEAD. */
    struct one h = {.req = {.url = url("/redirect/1/303/ok"), .method = "HEAD"}};
    run_one(&h);
    CHECK_INT(h.err, ==, 0);
    CHECK_INT(h.status, ==, 200);
    CHECK_INT(h.body_len, ==, 0);
    server_stop();
}

TEST(client_credentials_not_sent_to_another_host)
{
    pid_t b = server_start_on("127.0.0.2", NULL, NULL);
    char at_b[96];
    snprintf(at_b, sizeof at_b, "%s/headers", base);
    server_start(NULL, NULL);
    char cross[192], same[192];
    snprintf(cross, sizeof cross, "/to/%s", at_b);
    snprintf(same, sizeof same, "/to/%s", url("/headers"));
    const char *session[] = {"Cookie: c=session", NULL};
    const char *request[] = {"Authorization: Bearer secret", "X-Keep: yes", NULL};
    struct one o = {.sopts = {.headers = session}, .req = {.url = url(cross), .headers = request}};
    run_one(&o);
    CHECK_INT(o.err, ==, 0);
    CHECK_INT(o.hops, ==, 1);
    CHECK(strstr(o.body, "X-Keep: yes") != NULL);
    CHECK(strstr(o.body, "Bearer secret") == NULL);
    CHECK(strstr(o.body, "c=session") == NULL);
    /* The same host still gets them. */
    struct one k = {.sopts = {.headers = session}, .req = {.url = url(same), .headers = request}};
    run_one(&k);
    CHECK_INT(k.err, ==, 0);
    CHECK(strstr(k.body, "Authorization: Bearer secret") != NULL);
    CHECK(strstr(k.body, "c=session") != NULL);
    server_stop();
    server_stop_pid(b);
}

TEST(client_redirect_loop_and_limit_have_precise_errors)
{
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/loop")}};
    run_one(&o);
    CHECK_INT(o.err, ==, -ELOOP);
    CHECK(!strncmp(o.error, "redirect loop: ", 15));
    CHECK_INT(o.hops, ==, 1);
    struct one m = {.req = {.url = url("/redirect/7/302"), .max_redirects = 5}};
    run_one(&m);
    CHECK_INT(m.err, ==, -ELOOP);
    CHECK(!strncmp(m.error, "too many redirects: past the limit (5)", 38));
    CHECK_INT(m.hops, ==, 5);
    CHECK_INT(m.status, ==, 302);
    struct one f = {.req = {.url = url("/to/ftp://127.0.0.1/feed")}};
    run_one(&f);
    CHECK_INT(f.err, ==, -EPROTO);
    CHECK(strstr(f.error, "not http or https") != NULL);
    server_stop();
}

/* A feed reader stores the final URL only when every hop was permanent:
 * after a 302 the URL reached is a temporary one. */
TEST(client_permanent_only_when_every_hop_is)
{
    server_start(NULL, NULL);
    struct one mixed = {.req = {.url = url("/redirect/1/301/redirect/1/302")}};
    run_one(&mixed);
    CHECK_INT(mixed.err, ==, 0);
    CHECK_INT(mixed.hops, ==, 2);
    CHECK(!mixed.permanent);
    struct one late = {.req = {.url = url("/redirect/1/302/redirect/1/308")}};
    run_one(&late);
    CHECK_INT(late.hops, ==, 2);
    CHECK(!late.permanent);
    struct one all = {.req = {.url = url("/redirect/2/301/redirect/1/308")}};
    run_one(&all);
    CHECK_INT(all.err, ==, 0);
    CHECK_INT(all.hops, ==, 3);
    CHECK(all.permanent);
    CHECK_STR(all.final_url, url("/ok"));
    server_stop();
}

TEST(client_timeout_covers_every_hop)
{
    /* Five hops of 300 ms each: each alone is within the 1 s, all are not. */
    server_start(NULL, NULL);
    struct one o = {.req = {.url = url("/slowhop/5/300"), .timeout_ns = EDDY_SEC}};
    run_one(&o);
    CHECK_INT(o.err, ==, -ETIMEDOUT);
    CHECK(strstr(o.error, "timed out") != NULL);
    server_stop();
}
