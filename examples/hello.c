/*
 * hello.c — the benchmark target: `hello --port PORT [--workers N]` answers
 * every GET / with 200 "Hello, World!" (text/plain) and anything else with
 * 404, through eddy's HTTP/1.1 server.
 */
#include "eddy/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hello(void *arg, struct eddy_exchange *x)
{
    (void)arg;
    static const struct eddy_http_header ct = {"Content-Type", 12, "text/plain", 10};
    const struct eddy_http_target *t = eddy_exchange_target(x);
    if (t->path_len == 1 && t->path[0] == '/')
        return eddy_exchange_respond(x, 200, &ct, 1, "Hello, World!", 13);
    return eddy_exchange_respond(x, 404, &ct, 1, "Not Found", 9);
}

static void ready(void *arg, int port)
{
    (void)arg;
    fprintf(stderr, "hello: listening on port %d\n", port);
}

int main(int argc, char **argv)
{
    char listen[64] = "127.0.0.1:8080";
    struct eddy_server_opts o = {.handler = hello};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port"))
            snprintf(listen, sizeof listen, "127.0.0.1:%d", atoi(argv[i + 1]));
        else if (!strcmp(argv[i], "--listen"))
            snprintf(listen, sizeof listen, "%s", argv[i + 1]);
        else if (!strcmp(argv[i], "--workers"))
            o.workers = (unsigned)atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: hello [--port N | --listen ADDR] [--workers N]\n");
            return 2;
        }
    }
    o.listen = listen;
    int err = eddy_server_run(&o, ready, NULL);
    if (err < 0)
        fprintf(stderr, "hello: %s\n", eddy_strerror(err));
    return err < 0 ? 1 : 0;
}
