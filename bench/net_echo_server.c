/*
 * net_echo_server.c — the TCP echo server of the uvloop benchmark, on eddy.
 *
 *   net_echo_server [--addr HOST:PORT | --port N] [--reuseport] [--threads N]
 *
 * One loop on the calling thread, one task per connection doing what an
 * asyncio protocol's data_received(d): transport.write(d) does: read what
 * is there, write it all back.  bench/echo.sh runs it against asyncio and
 * uvloop serving the same protocol.  --threads N runs N such loops, one per
 * thread, on SO_REUSEPORT sockets (how a server uses every core).  Runs
 * until killed.
 */
#include "eddy/loop.h"
#include "eddy/net.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int conn_task(void *arg)
{
    int fd = (int)(intptr_t)arg;
    /* The buffered reader, as the HTTP server reads requests: echo whatever
     * one read brought, straight from its buffer. */
    struct eddy_reader *r = eddy_reader_new(fd, 64 * 1024);
    eddy_sock_nodelay(fd, true); /* as uvloop does by default */
    while (r && eddy_reader_fill(r, EDDY_FOREVER) > 0) {
        size_t len;
        const char *p = eddy_reader_peek(r, &len);
        if (eddy_sock_write(fd, p, len, EDDY_FOREVER) < 0)
            break;
        eddy_reader_consume(r, len);
    }
    eddy_reader_free(r);
    eddy_sock_close(fd);
    return 0;
}

struct server {
    const char *addr;             /* where to listen */
    struct eddy_listen_opts opts; /* backlog, reuseport */
};

static int server_main(void *arg)
{
    struct server *s = arg;
    int lfd = eddy_sock_listen(s->addr, &s->opts);
    if (lfd < 0) {
        fprintf(stderr, "net_echo_server: listen %s: %s\n", s->addr, eddy_strerror(lfd));
        return lfd;
    }
    for (;;) {
        int fd = eddy_sock_accept(lfd, NULL, EDDY_FOREVER);
        if (fd < 0) {
            fprintf(stderr, "net_echo_server: accept: %s\n", eddy_strerror(fd));
            eddy_sleep(10 * EDDY_MSEC); /* EMFILE and the like: don't spin */
            continue;
        }
        struct eddy_task *t = eddy_spawn(conn_task, (void *)(intptr_t)fd, "echo");
        if (!t)
            eddy_sock_close(fd);
        else
            eddy_detach(t);
    }
}

static void *server_thread(void *arg)
{
    struct eddy_loop_config cfg = {.watchdog_ns = -1};
    eddy_run(server_main, arg, &cfg);
    return NULL;
}

int main(int argc, char **argv)
{
    static char addr[64] = "127.0.0.1:25000";
    struct server s = {addr, {0, false}};
    int threads = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc)
            snprintf(addr, sizeof addr, "127.0.0.1:%s", argv[++i]);
        else if (!strcmp(argv[i], "--addr") && i + 1 < argc)
            snprintf(addr, sizeof addr, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--reuseport"))
            s.opts.reuseport = true;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc && (threads = atoi(argv[++i])) > 0)
            s.opts.reuseport = threads > 1;
        else {
            fprintf(stderr, "usage: %s [--addr HOST:PORT | --port N] [--reuseport] [--threads N]\n",
                    argv[0]);
            return 2;
        }
    }
    /* One loop per thread, each with its own SO_REUSEPORT listener: the
     * kernel spreads the connections, the loops share nothing. */
    for (int i = 1; i < threads; i++) {
        pthread_t th;
        if (pthread_create(&th, NULL, server_thread, &s) != 0)
            return 1;
    }
    struct eddy_loop_config cfg = {.watchdog_ns = -1};
    int err = eddy_run(server_main, &s, &cfg);
    return err < 0 ? 1 : 0;
}
