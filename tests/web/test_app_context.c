/* Tests of the framework's per-loop state (startup/shutdown hooks and
 * eddy_request_loop_data, over several workers), request-scoped memory
 * (eddy_request_alloc / strdup / defer) and options the app refuses. */
#include "../test.h"

#include "eddy/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------- per-loop state, workers */

#define WORKERS 3

struct per_loop {
    struct eddy_loop *loop; /* the loop whose startup hook made it */
    int requests;           /* served on that loop (no lock: one loop, one thread) */
    bool background_saw_it; /* eddy_app_loop_data() from a background task */
};

static atomic_int startups, shutdowns, requests_total, wrong_loop, backgrounds_ok;
static struct eddy_loop *loops[WORKERS];
static pthread_mutex_t loops_lock = PTHREAD_MUTEX_INITIALIZER;

static int start_loop(struct eddy_app *app, void **loop_data)
{
    (void)app;
    CHECK(*loop_data == NULL); /* a fresh loop starts empty */
    struct per_loop *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->loop = eddy_loop_current();
    CHECK(d->loop != NULL && eddy_task_current() != NULL);
    pthread_mutex_lock(&loops_lock);
    int i = atomic_fetch_add(&startups, 1);
    if (i < WORKERS)
        loops[i] = d->loop;
    pthread_mutex_unlock(&loops_lock);
    *loop_data = d;
    return 0;
}

static void stop_loop(struct eddy_app *app, void *loop_data)
{
    (void)app;
    struct per_loop *d = loop_data;
    if (d->loop != eddy_loop_current())
        atomic_fetch_add(&wrong_loop, 1);
    if (d->background_saw_it)
        atomic_fetch_add(&backgrounds_ok, 1);
    atomic_fetch_add(&requests_total, d->requests);
    atomic_fetch_add(&shutdowns, 1);
    free(d);
}

static int background(void *arg)
{
    struct per_loop *d = eddy_app_loop_data(arg);
    if (d && d->loop == eddy_loop_current())
        d->background_saw_it = true;
    return eddy_sleep(3600 * EDDY_SEC) == -ECANCELED ? 0 : -EIO;
}

static int v_which_loop(struct eddy_request *req, struct eddy_response *res)
{
    struct per_loop *d = eddy_request_loop_data(req);
    if (!d || d->loop != eddy_loop_current())
        return eddy_response_text(res, 500, "wrong loop data");
    d->requests++;
    return eddy_response_text(res, 200, "same loop");
}

struct serve {
    struct eddy_app *app;
    int port;
    int result;
};

static void *serve_thread(void *arg)
{
    struct serve *s = arg;
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
    s->result =
        eddy_app_serve(s->app, &(struct eddy_server_opts){.listen = listen, .workers = WORKERS});
    return NULL;
}

/* A free port, found by binding port 0 (the server binds it right after). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
          getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* One HTTP/1.0 GET on a blocking socket; the whole answer into out.
 * Returns false while nothing listens yet. */
static bool get(int port, char *out, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return false;
    }
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";
    CHECK_INT(write(fd, req, sizeof req - 1), ==, sizeof req - 1);
    size_t n = 0;
    for (ssize_t r; n < size - 1 && (r = read(fd, out + n, size - 1 - n)) > 0;)
        n += (size_t)r;
    out[n] = 0;
    close(fd);
    return true;
}

TEST(web_loop_data_per_worker_loop)
{
    struct eddy_app *app = eddy_app_new();
    CHECK(app != NULL);
    CHECK_INT(eddy_app_route(app, "GET", "/", v_which_loop, NULL), ==, 0);
    CHECK_INT(eddy_app_on_startup(app, start_loop), ==, 0);
    CHECK_INT(eddy_app_on_shutdown(app, stop_loop), ==, 0);
    CHECK_INT(eddy_app_background(app, background, app, "bg"), ==, 0);
    struct serve s = {.app = app, .port = free_port()};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, serve_thread, &s), ==, 0);
    char out[4096];
    /* Wait until it listens (a readiness poll, not a timing assertion). */
    for (int i = 0; !get(s.port, out, sizeof out); i++) {
        CHECK(i < 5000);
        usleep(1000);
    }
    CHECK(strstr(out, "same loop"));
    int sent = 1;
    for (; sent < 60; sent++) {
        CHECK(get(s.port, out, sizeof out));
        CHECK(strstr(out, "200 OK") && strstr(out, "same loop"));
    }
    /* The serving thread turns SIGTERM into a graceful stop. */
    CHECK_INT(pthread_kill(t, SIGTERM), ==, 0);
    CHECK_INT(pthread_join(t, NULL), ==, 0);
    CHECK_INT(s.result, ==, 0);
    CHECK_INT(startups, ==, WORKERS);
    CHECK_INT(shutdowns, ==, WORKERS);
    CHECK_INT(wrong_loop, ==, 0);
    CHECK_INT(backgrounds_ok, ==, WORKERS);
    CHECK_INT(requests_total, ==, sent);
    /* Each worker's hook ran on a loop of its own. */
    CHECK(loops[0] != loops[1] && loops[1] != loops[2] && loops[0] != loops[2]);
    eddy_app_free(app);
}

static int failing_start(struct eddy_app *app, void **loop_data)
{
    (void)app;
    *loop_data = malloc(16); /* what the shutdown hook must undo */
    return -EIO;
}

static void undo_start(struct eddy_app *app, void *loop_data)
{
    (void)app;
    atomic_fetch_add(&shutdowns, 1);
    free(loop_data);
}

static int start_twice_main(void *arg)
{
    struct eddy_app *app = arg;
    struct eddy_server_opts o = {.listen = "127.0.0.1:0"};
    /* A failing startup hook: no server, the shutdown hooks undid it. */
    CHECK(eddy_app_start(app, &o) == NULL);
    CHECK_INT(errno, ==, EIO);
    CHECK_INT(shutdowns, ==, 1);
    return 0;
}

TEST(web_failed_startup_runs_shutdown_hooks_on_that_loop)
{
    struct eddy_app *app = eddy_app_new();
    CHECK_INT(eddy_app_on_startup(app, failing_start), ==, 0);
    CHECK_INT(eddy_app_on_shutdown(app, undo_start), ==, 0);
    CHECK_INT(eddy_run(start_twice_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

/* ------------------------------------------------- options the app owns */

static int some_handler(void *arg, struct eddy_exchange *x)
{
    (void)arg;
    (void)x;
    return 0;
}

static int some_worker_start(void *arg)
{
    (void)arg;
    return 0;
}

static int refused_start_main(void *arg)
{
    struct eddy_app *app = arg;
    CHECK(eddy_app_start(app, &(struct eddy_server_opts){.handler = some_handler}) == NULL);
    CHECK_INT(errno, ==, EINVAL);
    /* Started once on this loop: a second start is refused, not stacked. */
    struct eddy_server *s =
        eddy_app_start(app, &(struct eddy_server_opts){.listen = "127.0.0.1:0"});
    CHECK(s != NULL);
    CHECK(eddy_app_start(app, &(struct eddy_server_opts){.listen = "127.0.0.1:0"}) == NULL);
    CHECK_INT(errno, ==, EALREADY);
    CHECK_INT(eddy_app_stop(app, s, eddy_deadline_in(EDDY_SEC)), ==, 0);
    return 0;
}

TEST(web_app_serve_refuses_options_it_would_ignore)
{
    struct eddy_app *app = eddy_app_new();
    /* Before: the handler was silently replaced by the app's. */
    CHECK_INT(eddy_app_serve(app, &(struct eddy_server_opts){.handler = some_handler}), ==,
              -EINVAL);
    CHECK_INT(eddy_app_serve(app, &(struct eddy_server_opts){.worker_start = some_worker_start}),
              ==, -EINVAL);
    CHECK_INT(eddy_run(refused_start_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

/* ------------------------------------------------- request-scoped memory */

static char order[16];
static size_t norder;

static void note(void *arg)
{
    order[norder++] = *(const char *)arg;
}

/* Registers three deferred calls over request memory, then maybe fails. */
static int deferring_view(struct eddy_request *req, struct eddy_response *res, bool fail)
{
    for (const char *s = "abc"; *s; s++) {
        char *c = eddy_request_alloc(req, 1);
        CHECK(c != NULL);
        *c = *s;
        CHECK_INT(eddy_request_defer(req, note, c), ==, 0);
    }
    /* Big enough for a chunk of its own: ASan reports it if it leaks. */
    CHECK(eddy_request_alloc(req, 3 << 20) != NULL);
    char *copy = eddy_request_strdup(req, eddy_request_path(req));
    CHECK_STR(copy, eddy_request_path(req));
    CHECK(copy != eddy_request_path(req));
    if (fail)
        return -EIO;
    return eddy_response_text(res, 200, copy);
}

static int v_defer_ok(struct eddy_request *req, struct eddy_response *res)
{
    return deferring_view(req, res, false);
}

static int v_defer_fail(struct eddy_request *req, struct eddy_response *res)
{
    return deferring_view(req, res, true);
}

static int defer_main(void *arg)
{
    struct eddy_app *app = arg;
    struct eddy_test_reply *r;
    CHECK_INT(eddy_app_test(app, "GET", "/ok", NULL, NULL, 0, &r), ==, 0);
    CHECK_INT(eddy_test_reply_status(r), ==, 200);
    CHECK_STR(eddy_test_reply_body(r, NULL), "/ok");
    eddy_test_reply_free(r);
    CHECK_STR(order, "cba"); /* reverse order of registration */
    memset(order, 0, sizeof order);
    norder = 0;
    /* A failing view: the 500 goes out and the deferred calls still run. */
    CHECK_INT(eddy_app_test(app, "GET", "/fail", NULL, NULL, 0, &r), ==, 0);
    CHECK_INT(eddy_test_reply_status(r), ==, 500);
    eddy_test_reply_free(r);
    CHECK_STR(order, "cba");
    return 0;
}

TEST(web_request_memory_and_deferred_calls)
{
    struct eddy_app *app = eddy_app_new();
    CHECK_INT(eddy_app_route(app, "GET", "/ok", v_defer_ok, NULL), ==, 0);
    CHECK_INT(eddy_app_route(app, "GET", "/fail", v_defer_fail, NULL), ==, 0);
    CHECK_INT(eddy_run(defer_main, app, NULL), ==, 0);
    eddy_app_free(app);
}

/* ------------------------------------------------- eddy_request_args past max */

static int v_three_args(struct eddy_request *req, struct eddy_response *res)
{
    const char *out[4] = {NULL, NULL, NULL, "untouched"};
    size_t got = eddy_request_args(req, "u", out, 3);
    eddy_response_set_status(res, 200);
    for (size_t i = 0; i < got; i++)
        CHECK_INT(eddy_response_printf(res, "%s,", out[i]), ==, 0);
    return eddy_response_printf(res, "got=%zu %s", got, out[3]);
}

static int args_main(void *arg)
{
    static const struct {
        const char *target, *body;
    } cases[] = {
        {"/?u=a&u=b&u=c&u=d&u=e", "a,b,c,got=3 untouched"}, /* capped, in order */
        {"/?u=a&x=1&u=b", "a,b,got=2 untouched"},
        {"/?u=a&u=b&u=c", "a,b,c,got=3 untouched"},
        {"/", "got=0 untouched"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct eddy_test_reply *r;
        CHECK_INT(eddy_app_test(arg, "GET", cases[i].target, NULL, NULL, 0, &r), ==, 0);
        CHECK_STR(eddy_test_reply_body(r, NULL), cases[i].body);
        eddy_test_reply_free(r);
    }
    return 0;
}

TEST(web_request_args_past_max_are_dropped)
{
    struct eddy_app *app = eddy_app_new();
    CHECK_INT(eddy_app_route(app, "GET", "/", v_three_args, NULL), ==, 0);
    CHECK_INT(eddy_run(args_main, app, NULL), ==, 0);
    eddy_app_free(app);
}
