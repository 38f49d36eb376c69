/*
 * net_echo_client.c — load generator for the echo benchmark (bench/echo.sh).
 *
 *   net_echo_client [--addr HOST:PORT | --port N] [--conns N] [--size BYTES]
 *                   [--duration SECONDS]
 *
 * N connections, each sending one message of SIZE bytes, reading the whole
 * echo back, checking it and sending the next (uvloop's echoclient does the
 * same: one message in flight per connection).  Plain blocking sockets
 * multiplexed with epoll and no eddy code, so the client measures the
 * server and not the runtime under test.  It polls epoll without sleeping:
 * a client that sleeps between replies costs about what a fast server
 * costs per message (a wake-up per message, expensive in a VM) and caps
 * every server at the same figure.  Prints one line:
 *   msgs=M secs=S msgs_per_s=R mb_per_s=B
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;     /* blocking socket */
    size_t got; /* bytes of the current echo received */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
    fprintf(stderr, "net_echo_client: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Connects to addr, retrying for a few seconds while the server starts. */
static int connect_retry(const struct sockaddr_in *sa)
{
    for (int tries = 0;; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            die("socket");
        if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        close(fd);
        if (errno != ECONNREFUSED || tries > 100)
            die("connect");
        usleep(50 * 1000);
    }
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write");
        p += w, n -= (size_t)w;
    }
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 25000, nconns = 10;
    size_t size = 1024;
    double duration = 5;
    char hostbuf[64];
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            goto usage;
        if (!strcmp(a, "--port"))
            port = atoi(v);
        else if (!strcmp(a, "--addr")) {
            const char *c = strrchr(v, ':');
            if (!c || (size_t)(c - v) >= sizeof hostbuf)
                goto usage;
            memcpy(hostbuf, v, (size_t)(c - v));
            hostbuf[c - v] = 0;
            host = hostbuf;
            port = atoi(c + 1);
        } else if (!strcmp(a, "--conns"))
            nconns = atoi(v);
        else if (!strcmp(a, "--size"))
            size = (size_t)atol(v);
        else if (!strcmp(a, "--duration"))
            duration = atof(v);
        else
            goto usage;
    }
    if (nconns < 1 || size < 1)
        goto usage;

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        goto usage;
    char *msg = malloc(size), *buf = malloc(size);
    struct conn *conns = calloc((size_t)nconns, sizeof *conns);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!msg || !buf || !conns || ep < 0)
        die("setup");
    for (size_t i = 0; i < size; i++)
        msg[i] = (char)('a' + i % 26);
    for (int i = 0; i < nconns; i++) {
        conns[i].fd = connect_retry(&sa);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0)
            die("epoll_ctl");
    }

    uint64_t msgs = 0;
    double t0 = now_s(), end = t0 + duration, t = t0;
    for (int i = 0; i < nconns; i++)
        send_all(conns[i].fd, msg, size);
    while (t < end) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, 0); /* spin: see the top */
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            ssize_t r = read(c->fd, buf + c->got, size - c->got);
            if (r <= 0) {
                errno = r == 0 ? ECONNRESET : errno;
                die("read");
            }
            /* Check the echo, not just its length. */
            if (memcmp(buf + c->got, msg + c->got, (size_t)r) != 0) {
                fprintf(stderr, "net_echo_client: echo differs from what was sent\n");
                return 1;
            }
            c->got += (size_t)r;
            if (c->got == size) {
                c->got = 0;
                msgs++;
                send_all(c->fd, msg, size);
            }
        }
        t = now_s();
    }
    double secs = t - t0;
    printf("msgs=%llu secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f\n", (unsigned long long)msgs, secs,
           msgs / secs, msgs * (double)size / secs / 1e6);
    for (int i = 0; i < nconns; i++)
        close(conns[i].fd);
    close(ep);
    free(conns), free(msg), free(buf);
    return 0;
usage:
    fprintf(stderr,
            "usage: %s [--addr HOST:PORT | --port N] [--conns N] [--size BYTES] "
            "[--duration SECONDS]\n",
            argv[0]);
    return 2;
}
