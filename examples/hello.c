/*
 * hello.c — the hello world of eddy's web framework, and the benchmark
 * target: `hello --port PORT [--workers N]` answers GET / with 200
 * "Hello, World!" (text/plain).  Quart's version:
 *
 *     @app.route("/")
 *     async def hello():
 *         return "Hello, World!", 200, {"Content-Type": "text/plain"}
 */
#include "eddy/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hello(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    eddy_response_set_status(res, 200);
    eddy_response_add_header(res, "Content-Type", "text/plain");
    return eddy_response_set_body(res, "Hello, World!", 13);
}

int main(int argc, char **argv)
{
    char listen[64] = "127.0.0.1:8080";
    struct eddy_server_opts o = {0};
    for (int i = 1; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (val && !strcmp(opt, "--port"))
            snprintf(listen, sizeof listen, "127.0.0.1:%d", atoi(val));
        else if (val && !strcmp(opt, "--listen"))
            snprintf(listen, sizeof listen, "%s", val);
        else if (val && !strcmp(opt, "--workers"))
            o.workers = (unsigned)atoi(val);
        else if (val && !strcmp(opt, "--access-log"))
            o.access_log = val;
        else {
            fprintf(stderr,
                    "usage: hello [--port N | --listen ADDR] [--workers N] [--access-log FILE]\n");
            return 2;
        }
    }
    o.listen = listen;
    struct eddy_app *app = eddy_app_new();
    if (!app || eddy_app_route(app, "GET", "/", hello, "hello") < 0)
        return 1;
    int err = eddy_app_serve(app, &o);
    eddy_app_free(app);
    if (err < 0)
        fprintf(stderr, "hello: %s\n", eddy_strerror(err));
    return err < 0 ? 1 : 0;
}
