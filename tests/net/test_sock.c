/*
 * test_sock.c — sockets on real loopback connections: echo over IPv4, IPv6
 * and Unix sockets, many clients in one loop, several loops in threads,
 * deadlines, cancellation of blocked accept/read/connect, refused and
 * resolved connects, writev, sendfile, closed peers, SO_REUSEPORT.
 */
#include "../test.h"
#include "net_util.h"

#include "eddy/net.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---------------------------------------------------------- echo harness */

/* One echo run: a server accepting `clients` connections, each echoed by a
 * task of its own, and `clients` client tasks doing `rounds` round trips of
 * `size` bytes, all in one loop. */
struct echo_case {
    const char *listen;          /* address to listen on */
    int clients;                 /* concurrent client tasks */
    int rounds;                  /* round trips per client */
    size_t size;                 /* bytes per message */
    char name[EDDY_ADDR_STRLEN]; /* filled in: where clients connect */
    int next_id;                 /* filled in: client numbering, for the patterns */
    int lfd;                     /* filled in: the listening socket */
};

static int echo_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[4096];
    ssize_t n;
    while ((n = eddy_sock_read(fd, buf, sizeof buf, EDDY_FOREVER)) > 0) {
        ssize_t w = eddy_sock_write(fd, buf, (size_t)n, EDDY_FOREVER);
        if (w < 0) {
            n = w;
            break;
        }
        CHECK_INT(w, ==, n);
    }
    eddy_sock_close(fd);
    return (int)n;
}

static int echo_server(void *arg)
{
    struct echo_case *c = arg;
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    CHECK(g);
    int err = 0;
    for (int i = 0; i < c->clients && !err; i++) {
        struct eddy_addr peer;
        int fd = eddy_sock_accept(c->lfd, &peer, EDDY_FOREVER);
        if (fd < 0) {
            err = fd;
            break;
        }
        CHECK_INT(peer.u.sa.sa_family, ==,
                  c->listen[0] == 'u'   ? AF_UNIX
                  : c->listen[0] == '[' ? AF_INET6
                                        : AF_INET);
        err = eddy_group_spawn(g, echo_conn, (void *)(intptr_t)fd, "echo");
    }
    int werr = eddy_group_wait(g);
    eddy_group_fini(g);
    return err ? err : werr;
}

static int echo_client(void *arg)
{
    struct echo_case *c = arg;
    unsigned id = (unsigned)c->next_id++;
    int fd = eddy_sock_connect(c->name, eddy_deadline_in(30 * EDDY_SEC));
    if (fd < 0)
        return fd;
    struct eddy_reader *r = eddy_reader_new(fd, c->size);
    char *msg = malloc(c->size);
    CHECK(r && msg);
    int err = 0;
    for (int round = 0; round < c->rounds && !err; round++) {
        fill_pattern(msg, c->size, id * 1000 + (unsigned)round);
        ssize_t n = eddy_sock_write(fd, msg, c->size, EDDY_FOREVER);
        if (n < 0) {
            err = (int)n;
            break;
        }
        n = eddy_reader_exact(r, c->size, EDDY_FOREVER);
        if (n < 0) {
            err = (int)n;
            break;
        }
        CHECK_INT(n, ==, c->size);
        size_t len;
        const char *got = eddy_reader_peek(r, &len);
        CHECK_INT(len, ==, c->size);
        CHECK(memcmp(got, msg, c->size) == 0);
        eddy_reader_consume(r, c->size);
    }
    free(msg);
    eddy_reader_free(r);
    eddy_sock_close(fd);
    return err;
}

static int echo_main(void *arg)
{
    struct echo_case *c = arg;
    c->lfd = eddy_sock_listen(c->listen, NULL);
    if (c->lfd < 0)
        return c->lfd;
    listen_name(c->lfd, c->name, sizeof c->name);
    struct eddy_group group, *g = &group;
    eddy_group_init(g);
    CHECK(g);
    int err = eddy_group_spawn(g, echo_server, c, "server");
    for (int i = 0; i < c->clients && !err; i++)
        err = eddy_group_spawn(g, echo_client, c, "client");
    int werr = eddy_group_wait(g);
    eddy_group_fini(g);
    eddy_sock_close(c->lfd);
    return err ? err : werr;
}

static void run_echo(const char *listen, int clients, int rounds, size_t size)
{
    struct echo_case c = {.listen = listen, .clients = clients, .rounds = rounds, .size = size};
    int err = eddy_run(echo_main, &c, NULL);
    if (err)
        test_fail(__FILE__, __LINE__, "echo on %s: %s", listen, eddy_strerror(err));
}

/* ------------------------------------------------------------ echo tests */

TEST(echo_ipv4)
{
    run_echo("127.0.0.1:0", 1, 3, 100);
    run_echo("127.0.0.1:0", 4, 3, 200000); /* larger than the socket buffers */
}

TEST(echo_ipv6)
{
    /* Probe outside any loop: listening does not need one. */
    int fd = eddy_sock_listen("[::1]:0", NULL);
    if (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT) {
        printf("    skip: ::1 is not configured on this machine (%s)\n", eddy_strerror(fd));
        return;
    }
    CHECK_INT(fd, >=, 0);
    eddy_sock_close(fd);
    run_echo("[::1]:0", 3, 3, 5000);
}

TEST(echo_unix_path)
{
    char addr[200];
    snprintf(addr, sizeof addr, "unix:%s/echo.sock", test_tmpdir());
    run_echo(addr, 3, 3, 5000);
    /* A stale socket file from a previous listener is replaced. */
    run_echo(addr, 1, 1, 10);
}

TEST(echo_unix_abstract)
{
    char addr[64];
    snprintf(addr, sizeof addr, "unix:@eddy-test-%d", (int)getpid());
    run_echo(addr, 3, 3, 5000);
}

TEST(echo_many_clients)
{
    /* 500 clients and 500 server connections, each a task, in one loop. */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2048 && rl.rlim_max >= 2048) {
        rl.rlim_cur = 2048;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    run_echo("127.0.0.1:0", 500, 5, 1000);
}

static void *echo_thread(void *arg)
{
    struct echo_case *c = arg;
    return (void *)(intptr_t)eddy_run(echo_main, c, NULL);
}

TEST(echo_loops_in_threads)
{
    /* Each thread runs its own loop with its own server and clients. */
    enum { NTHREADS = 4 };
    struct echo_case cases[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        cases[i] =
            (struct echo_case){.listen = "127.0.0.1:0", .clients = 20, .rounds = 10, .size = 3000};
        CHECK_INT(pthread_create(&th[i], NULL, echo_thread, &cases[i]), ==, 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        void *res;
        pthread_join(th[i], &res);
        CHECK_INT((intptr_t)res, ==, 0);
    }
}

/* ------------------------------------------------- deadlines, cancelling */

static int read_deadline_main(void *arg)
{
    (void)arg;
    int fds[2];
    tcp_pair(fds);
    char b[8];
    /* Its own deadline. */
    CHECK_INT(eddy_sock_read(fds[0], b, sizeof b, eddy_deadline_in(20 * EDDY_MSEC)), ==,
              -ETIMEDOUT);
    /* The task's timeout scope. */
    struct eddy_timeout to;
    CHECK_INT(eddy_timeout_begin(&to, eddy_deadline_in(20 * EDDY_MSEC)), ==, 0);
    CHECK_INT(eddy_sock_read(fds[0], b, sizeof b, EDDY_FOREVER), ==, -ETIMEDOUT);
    CHECK(eddy_timeout_end(&to));
    /* A deadline in the past still reads what is there. */
    CHECK_INT(eddy_sock_write(fds[1], "hi", 2, EDDY_FOREVER), ==, 2);
    ssize_t n;
    while ((n = eddy_sock_read(fds[0], b, sizeof b, 0)) == -ETIMEDOUT)
        eddy_yield(); /* until the bytes cross loopback */
    CHECK_INT(n, ==, 2);
    /* Accept has deadlines too. */
    int lfd = eddy_sock_listen("127.0.0.1:0", NULL);
    CHECK_INT(eddy_sock_accept(lfd, NULL, eddy_deadline_in(10 * EDDY_MSEC)), ==, -ETIMEDOUT);
    eddy_sock_close(lfd);
    eddy_sock_close(fds[0]);
    eddy_sock_close(fds[1]);
    return 0;
}

TEST(read_deadline_expires)
{
    CHECK_INT(eddy_run(read_deadline_main, NULL, NULL), ==, 0);
}

static int accept_task(void *arg)
{
    return eddy_sock_accept(*(int *)arg, NULL, EDDY_FOREVER);
}

static int read_task(void *arg)
{
    char b[16];
    return (int)eddy_sock_read(*(int *)arg, b, sizeof b, EDDY_FOREVER);
}

static int connect_task(void *arg)
{
    int fd = eddy_sock_connect(arg, EDDY_FOREVER);
    eddy_sock_close(fd); /* only if it (wrongly) connected */
    return fd;
}

/* Spawns fn(arg), lets it block, cancels it and returns its result. */
static int cancel_blocked(eddy_task_fn fn, void *arg)
{
    struct eddy_task *t = eddy_spawn(fn, arg, "blocked");
    CHECK(t);
    for (int i = 0; i < 3; i++)
        eddy_yield();
    CHECK(!eddy_task_done(t));
    eddy_cancel(t);
    int res = 0;
    CHECK_INT(eddy_join(t, &res), ==, 0);
    return res;
}

static int cancel_main(void *arg)
{
    (void)arg;
    int lfd = eddy_sock_listen("127.0.0.1:0", &(struct eddy_listen_opts){.backlog = 1});
    CHECK_INT(lfd, >=, 0);
    CHECK_INT(cancel_blocked(accept_task, &lfd), ==, -ECANCELED);

    int fds[2];
    tcp_pair(fds);
    CHECK_INT(cancel_blocked(read_task, &fds[0]), ==, -ECANCELED);
    eddy_sock_close(fds[0]);
    eddy_sock_close(fds[1]);

    /* A connect that blocks: fill lfd's accept queue (backlog 1) so the
     * kernel drops further SYNs.  The connect that times out proves it. */
    char name[EDDY_ADDR_STRLEN];
    listen_name(lfd, name, sizeof name);
    int held[8], nheld = 0, r = 0;
    while (nheld < 8 && (r = eddy_sock_connect(name, eddy_deadline_in(200 * EDDY_MSEC))) >= 0)
        held[nheld++] = r;
    CHECK_INT(r, ==, -ETIMEDOUT);
    CHECK_INT(cancel_blocked(connect_task, name), ==, -ECANCELED);
    while (nheld > 0)
        eddy_sock_close(held[--nheld]);
    eddy_sock_close(lfd);
    return 0;
}

static int unix_backlog_main(void *arg)
{
    (void)arg;
    /* A Unix listener whose queue is full makes connect fail with EAGAIN;
     * eddy_sock_connect keeps trying until the deadline or until there is
     * room. */
    char name[200];
    snprintf(name, sizeof name, "unix:%s/full.sock", test_tmpdir());
    int lfd = eddy_sock_listen(name, &(struct eddy_listen_opts){.backlog = 1});
    CHECK_INT(lfd, >=, 0);
    int held[8], nheld = 0, r = 0;
    while (nheld < 8 && (r = eddy_sock_connect(name, eddy_deadline_in(50 * EDDY_MSEC))) >= 0)
        held[nheld++] = r;
    CHECK_INT(r, ==, -ETIMEDOUT);
    CHECK_INT(cancel_blocked(connect_task, name), ==, -ECANCELED);
    /* Make room while a connect waits: it goes through. */
    struct eddy_task *t = eddy_spawn(connect_task, name, "connect");
    for (int i = 0; i < 3; i++)
        eddy_yield();
    int afd = eddy_sock_accept(lfd, NULL, EDDY_FOREVER);
    CHECK_INT(afd, >=, 0);
    int res = -1;
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, >=, 0); /* connect_task closed it */
    eddy_sock_close(afd);
    while (nheld > 0)
        eddy_sock_close(held[--nheld]);
    eddy_sock_close(lfd);
    return 0;
}

TEST(unix_connect_full_backlog)
{
    CHECK_INT(eddy_run(unix_backlog_main, NULL, NULL), ==, 0);
}

static int close_wakes_main(void *arg)
{
    (void)arg;
    /* Closing a listener (a server shutting down) wakes its acceptor. */
    int lfd = eddy_sock_listen("127.0.0.1:0", NULL);
    CHECK_INT(lfd, >=, 0);
    struct eddy_task *t = eddy_spawn(accept_task, &lfd, "acceptor");
    for (int i = 0; i < 3; i++)
        eddy_yield();
    /* One task per fd and direction waits at a time: the loop's rule. */
    CHECK_INT(eddy_sock_accept(lfd, NULL, EDDY_FOREVER), ==, -EBUSY);
    eddy_sock_close(lfd);
    int res = 0;
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, ==, -EBADF);
    return 0;
}

TEST(close_wakes_blocked_accept)
{
    CHECK_INT(eddy_run(close_wakes_main, NULL, NULL), ==, 0);
}

TEST(cancel_blocked_accept_read_connect)
{
    /* The framework's fd check proves the cancelled connect closed its socket. */
    CHECK_INT(eddy_run(cancel_main, NULL, NULL), ==, 0);
}

static int outside_main(void *arg)
{
    (void)arg;
    return 0;
}

TEST(wait_outside_task_is_eperm)
{
    int sv[2];
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), ==, 0);
    char b[4];
    CHECK_INT(eddy_sock_read(sv[0], b, sizeof b, EDDY_FOREVER), ==, -EPERM);
    CHECK_INT(eddy_sock_write(sv[1], "x", 1, EDDY_FOREVER), ==, 1); /* no wait needed */
    CHECK_INT(eddy_sock_read(sv[0], b, sizeof b, EDDY_FOREVER), ==, 1);
    close(sv[0]);
    close(sv[1]);
    CHECK_INT(eddy_run(outside_main, NULL, NULL), ==, 0);
}

/* ------------------------------------------------------------ connecting */

static int refused_main(void *arg)
{
    (void)arg;
    int lfd = eddy_sock_listen("127.0.0.1:0", NULL);
    CHECK_INT(lfd, >=, 0);
    char name[EDDY_ADDR_STRLEN];
    listen_name(lfd, name, sizeof name);
    eddy_sock_close(lfd); /* nobody listens there any more */
    CHECK_INT(eddy_sock_connect(name, eddy_deadline_in(10 * EDDY_SEC)), ==, -ECONNREFUSED);
    char path[200];
    snprintf(path, sizeof path, "unix:%s/none.sock", test_tmpdir());
    CHECK_INT(eddy_sock_connect(path, EDDY_FOREVER), ==, -ENOENT);
    CHECK_INT(eddy_sock_connect("nonsense", EDDY_FOREVER), ==, -EINVAL);
    return 0;
}

TEST(connect_refused)
{
    CHECK_INT(eddy_run(refused_main, NULL, NULL), ==, 0);
}

static int localhost_main(void *arg)
{
    (void)arg;
    struct eddy_addr addrs[8];
    int n = eddy_resolve("localhost:80", addrs, 8, eddy_deadline_in(30 * EDDY_SEC));
    CHECK_INT(n, >=, 1);
    for (int i = 0; i < n; i++)
        CHECK_INT(eddy_addr_port(&addrs[i]), ==, 80);
    /* A deadline already past: the lookup's result (if it ran) is freed. */
    CHECK_INT(eddy_resolve("localhost:80", addrs, 8, eddy_now() - 1), ==, -ETIMEDOUT);
    CHECK_INT(eddy_sock_connect("localhost:80", eddy_now() - 1), ==, -ETIMEDOUT);

    /* Wherever localhost points first (::1 on some machines), connect tries
     * each address until 127.0.0.1 answers. */
    int lfd = eddy_sock_listen("127.0.0.1:0", NULL);
    CHECK_INT(lfd, >=, 0);
    char name[64];
    snprintf(name, sizeof name, "localhost:%d", eddy_sock_port(lfd));
    int fd = eddy_sock_connect(name, eddy_deadline_in(30 * EDDY_SEC));
    CHECK_INT(fd, >=, 0);
    struct eddy_addr peer;
    int afd = eddy_sock_accept(lfd, &peer, eddy_deadline_in(10 * EDDY_SEC));
    CHECK_INT(afd, >=, 0);
    CHECK_INT(eddy_addr_port(&peer), ==, eddy_sock_port(fd));
    CHECK_INT(eddy_sock_write(fd, "ping", 4, EDDY_FOREVER), ==, 4);
    char b[8];
    CHECK_INT(eddy_sock_read(afd, b, sizeof b, EDDY_FOREVER), ==, 4);
    CHECK_MEM(b, 4, "ping", 4);
    eddy_sock_close(fd);
    eddy_sock_close(afd);
    eddy_sock_close(lfd);
    return 0;
}

TEST(connect_localhost_resolves_on_thread_pool)
{
    CHECK_INT(eddy_run(localhost_main, NULL, NULL), ==, 0);
}

/* ------------------------------------------------- bulk writes, closing */

/* Reads fd to end of stream into a malloc'ed buffer; returns its length. */
static size_t read_all(int fd, char **out)
{
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    CHECK(b);
    for (;;) {
        if (len == cap)
            CHECK((b = realloc(b, cap *= 2)));
        ssize_t n = eddy_sock_read(fd, b + len, cap - len, eddy_deadline_in(30 * EDDY_SEC));
        CHECK_INT(n, >=, 0);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = b;
    return len;
}

struct bulk {
    int fd;     /* the writing side */
    char *data; /* what is written */
    size_t len; /* its length */
    int file;   /* for sendfile: the file holding data; -1 for writev */
};

static int bulk_writer(void *arg)
{
    struct bulk *w = arg;
    ssize_t n;
    if (w->file < 0) {
        /* Uneven pieces and empty entries, larger than the socket buffer. */
        size_t a = w->len / 3, b = 3;
        struct iovec iov[5] = {
            {NULL, 0}, {w->data, a}, {w->data + a, b}, {NULL, 0}, {w->data + a + b, w->len - a - b},
        };
        n = eddy_sock_writev(w->fd, iov, 5, EDDY_FOREVER);
        CHECK_INT(n, ==, w->len);
    } else {
        /* From offset 100, asking for more than the file has. */
        n = eddy_sock_sendfile(w->fd, w->file, 100, w->len + 5000, EDDY_FOREVER);
        CHECK_INT(n, ==, w->len - 100);
    }
    CHECK_INT(eddy_sock_shutdown(w->fd, SHUT_WR), ==, 0);
    return 0;
}

static int bulk_main(void *arg)
{
    struct bulk *w = arg;
    int fds[2];
    tcp_pair(fds);
    w->fd = fds[0];
    struct eddy_task *t = eddy_spawn(bulk_writer, w, "writer");
    char *got;
    size_t len = read_all(fds[1], &got);
    int res;
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, ==, 0);
    size_t skip = w->file < 0 ? 0 : 100;
    CHECK_INT(len, ==, w->len - skip);
    CHECK(memcmp(got, w->data + skip, len) == 0);
    free(got);
    eddy_sock_close(fds[0]);
    eddy_sock_close(fds[1]);
    return 0;
}

TEST(writev_all_bytes)
{
    struct bulk w = {.len = 3 * 1024 * 1024 + 17, .file = -1};
    CHECK((w.data = malloc(w.len)));
    fill_pattern(w.data, w.len, 1);
    CHECK_INT(eddy_run(bulk_main, &w, NULL), ==, 0);
    free(w.data);
}

TEST(sendfile_temp_file)
{
    struct bulk w = {.len = 3 * 1024 * 1024 + 123};
    CHECK((w.data = malloc(w.len)));
    fill_pattern(w.data, w.len, 2);
    char path[200];
    snprintf(path, sizeof path, "%s/data", test_tmpdir());
    w.file = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    CHECK_INT(w.file, >=, 0);
    CHECK_INT(write(w.file, w.data, w.len), ==, w.len);
    CHECK_INT(eddy_run(bulk_main, &w, NULL), ==, 0);
    close(w.file);
    free(w.data);
}

static int closed_peer_main(void *arg)
{
    (void)arg;
    int fds[2];
    char b[16];
    /* Peer shuts down writing: end of stream, and the other way still works. */
    tcp_pair(fds);
    CHECK_INT(eddy_sock_shutdown(fds[1], SHUT_WR), ==, 0);
    CHECK_INT(eddy_sock_read(fds[0], b, sizeof b, eddy_deadline_in(10 * EDDY_SEC)), ==, 0);
    CHECK_INT(eddy_sock_write(fds[0], "late", 4, EDDY_FOREVER), ==, 4);
    CHECK_INT(eddy_sock_read(fds[1], b, sizeof b, eddy_deadline_in(10 * EDDY_SEC)), ==, 4);
    /* Peer closes: a blocked reader wakes with end of stream. */
    struct eddy_task *t = eddy_spawn(read_task, &fds[0], "reader");
    eddy_yield();
    eddy_sock_close(fds[1]);
    int res = -1;
    CHECK_INT(eddy_join(t, &res), ==, 0);
    CHECK_INT(res, ==, 0);
    /* Writing to the closed peer fails with an error, never SIGPIPE. */
    static char chunk[65536];
    ssize_t n = 0;
    for (int i = 0; i < 100 && n >= 0; i++)
        n = eddy_sock_write(fds[0], chunk, sizeof chunk, eddy_deadline_in(10 * EDDY_SEC));
    CHECK(n == -EPIPE || n == -ECONNRESET);
    eddy_sock_close(fds[0]);

    /* The same for sendfile, which has no MSG_NOSIGNAL. */
    tcp_pair(fds);
    eddy_sock_close(fds[1]);
    char path[200];
    snprintf(path, sizeof path, "%s/chunk", test_tmpdir());
    int file = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    CHECK_INT(write(file, chunk, sizeof chunk), ==, sizeof chunk);
    n = 0;
    for (int i = 0; i < 100 && n >= 0; i++)
        n = eddy_sock_sendfile(fds[0], file, 0, sizeof chunk, eddy_deadline_in(10 * EDDY_SEC));
    CHECK(n == -EPIPE || n == -ECONNRESET);
    close(file);
    eddy_sock_close(fds[0]);
    return 0;
}

TEST(closed_peer)
{
    CHECK_INT(eddy_run(closed_peer_main, NULL, NULL), ==, 0);
}

/* ------------------------------------------------------------ reuseport */

struct acceptor {
    int lfd;      /* its listening socket */
    int accepted; /* connections it took */
    int *total;   /* shared count */
};

static int acceptor_task(void *arg)
{
    struct acceptor *a = arg;
    for (;;) {
        int fd = eddy_sock_accept(a->lfd, NULL, EDDY_FOREVER);
        if (fd < 0)
            return fd;
        a->accepted++;
        (*a->total)++;
        eddy_sock_close(fd);
    }
}

static int reuseport_main(void *arg)
{
    (void)arg;
    enum { N = 40 };
    struct eddy_listen_opts opts = {.reuseport = true};
    int l1 = eddy_sock_listen("127.0.0.1:0", &opts);
    CHECK_INT(l1, >=, 0);
    char name[EDDY_ADDR_STRLEN];
    listen_name(l1, name, sizeof name);
    int l2 = eddy_sock_listen(name, &opts);
    CHECK_INT(l2, >=, 0);
    CHECK_INT(eddy_sock_port(l2), ==, eddy_sock_port(l1));
    /* Without the option the port is taken. */
    CHECK_INT(eddy_sock_listen(name, NULL), ==, -EADDRINUSE);

    int total = 0;
    struct acceptor a[2] = {{l1, 0, &total}, {l2, 0, &total}};
    struct eddy_task *t[2] = {eddy_spawn(acceptor_task, &a[0], "acc1"),
                              eddy_spawn(acceptor_task, &a[1], "acc2")};
    for (int i = 0; i < N; i++) {
        int fd = eddy_sock_connect(name, eddy_deadline_in(10 * EDDY_SEC));
        CHECK_INT(fd, >=, 0);
        eddy_sock_close(fd);
    }
    while (total < N)
        CHECK_INT(eddy_sleep(EDDY_MSEC), ==, 0);
    for (int i = 0; i < 2; i++) {
        int res;
        eddy_cancel(t[i]);
        CHECK_INT(eddy_join(t[i], &res), ==, 0);
        CHECK_INT(res, ==, -ECANCELED);
    }
    CHECK_INT(a[0].accepted + a[1].accepted, ==, N);
    printf("    SO_REUSEPORT spread %d connections as %d + %d\n", N, a[0].accepted, a[1].accepted);
    eddy_sock_close(l1);
    eddy_sock_close(l2);
    return 0;
}

TEST(reuseport_two_listeners)
{
    CHECK_INT(eddy_run(reuseport_main, NULL, NULL), ==, 0);
}
