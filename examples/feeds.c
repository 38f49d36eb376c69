/*
 * feeds.c — the article's example: one view fetches every feed named in the
 * query concurrently (a task group; each body streams into the sans-IO
 * parser) and renders them.  Then open
 * http://127.0.0.1:8080/?url=https://...&url=https://...
 *
 *   feeds [--port N] [--templates DIR] [--allow CIDR]...
 *
 * Anyone who can reach the page makes it fetch URLs, so the client refuses
 * loopback, private and link-local targets (the SSRF guard) unless --allow
 * names them.
 */
#include "eddy/feedfetch.h"
#include "eddy/web.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FEEDS 32

static const char *allow[16]; /* --allow CIDRs, NULL-terminated */

struct job {
    struct eddy_session *session;
    const char *url;
    struct eddy_feed_fetch_result result; /* the feed, or why there is none */
};

/* One task per feed; a broken feed does not cancel the others. */
static int fetch_feed(void *arg)
{
    struct job *j = arg;
    eddy_feed_fetch(j->session,
                    &(struct eddy_feed_fetch_opts){.url = j->url, .timeout_ns = 10 * EDDY_SEC},
                    &j->result);
    return 0;
}

/* Whether urls[i] came earlier in the query: each feed is fetched once. */
static bool duplicate(const char *const *urls, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(urls[k], urls[i]))
            return true;
    return false;
}

static void clear_result(void *result)
{
    eddy_feed_fetch_result_clear(result);
}

/* GET /?url=...&url=... : fetch every feed concurrently, then render them. */
static int show_feeds(struct eddy_request *req, struct eddy_response *res)
{
    const char *urls[MAX_FEEDS + 1];
    size_t given = eddy_request_args(req, "url", urls, MAX_FEEDS + 1), n = 0;
    struct job *jobs = eddy_request_alloc(req, MAX_FEEDS * sizeof *jobs);
    struct eddy_tdata *items = eddy_request_alloc(req, MAX_FEEDS * sizeof *items);
    if (!jobs || !items)
        return -ENOMEM;
    int64_t t0 = eddy_now();
    struct eddy_group g;
    eddy_group_init(&g);
    int err = 0;
    for (size_t i = 0; i < given && n < MAX_FEEDS && !err; i++) {
        if (!*urls[i] || duplicate(urls, i))
            continue; /* an empty field, or a URL already asked for */
        jobs[n] = (struct job){.session = eddy_request_loop_data(req), .url = urls[i]};
        if (!(err = eddy_request_defer(req, clear_result, &jobs[n].result)))
            err = eddy_group_spawn(&g, fetch_feed, &jobs[n++], "fetch");
    }
    int werr = eddy_group_wait(&g); /* the only suspension */
    eddy_group_fini(&g);
    if (err < 0 || werr < 0)
        return err < 0 ? err : werr;
    for (size_t i = 0; i < n; i++)
        items[i] = eddy_feed_fetch_tdata(&jobs[i].result);
    struct eddy_tfield ctx[] = {{"feeds", eddy_tdata_array(items, n)},
                                {"elapsed_ms", eddy_tdata_int((eddy_now() - t0) / EDDY_MSEC)},
                                {"max_feeds", eddy_tdata_int(MAX_FEEDS)},
                                {"capped", eddy_tdata_bool(given > MAX_FEEDS)}};
    return eddy_render_data(res, "feeds.html", eddy_tdata_object(ctx, 4));
}

/* One client session per serving loop (a session belongs to its loop). */
static int open_session(struct eddy_app *app, void **loop_data)
{
    (void)app;
    struct eddy_session_opts o = {.ssrf_guard = true, .ssrf_allow = allow};
    return (*loop_data = eddy_session_new(&o)) ? 0 : -errno;
}

static void close_session(struct eddy_app *app, void *session)
{
    (void)app;
    eddy_session_free(session);
}

/* The templates: --templates DIR, else examples/templates of the source tree
 * this program was built in (it lives in BUILD/examples/), else ./templates. */
static const char *find_templates(const char *given, char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    const char *dir = dirname(exe);
    const char *fmt[] = {"%s", "%s/../../examples/templates", "%s/templates", "templates"};
    for (size_t i = given ? 0 : 1; i < (given ? 1 : 4); i++) {
        snprintf(buf, size, fmt[i], given ? given : dir);
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/feeds.html", buf);
        if (access(probe, R_OK) == 0)
            return buf;
        fprintf(stderr, "feeds: no feeds.html in %s\n", buf);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    char listen[64] = "127.0.0.1:8080", dir[4096];
    const char *templates = NULL;
    size_t nallow = 0;
    for (int i = 1; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        long port = val && !strcmp(opt, "--port") ? strtol(val, &end, 10) : -1;
        if (end && !*end && port >= 0 && port <= 65535)
            snprintf(listen, sizeof listen, "127.0.0.1:%ld", port);
        else if (val && !strcmp(opt, "--templates"))
            templates = val;
        else if (val && !strcmp(opt, "--allow") && nallow + 1 < sizeof allow / sizeof *allow)
            allow[nallow++] = val;
        else {
            fprintf(stderr, "usage: feeds [--port N] [--templates DIR] [--allow CIDR]...\n");
            return 2;
        }
    }
    if (!(templates = find_templates(templates, dir, sizeof dir)))
        return 1;
    struct eddy_app *app = eddy_app_new();
    if (!app || eddy_app_route(app, "GET", "/", show_feeds, "feeds") < 0 ||
        eddy_app_templates(app, templates) < 0 || eddy_app_on_startup(app, open_session) < 0 ||
        eddy_app_on_shutdown(app, close_session) < 0) {
        fprintf(stderr, "feeds: cannot set up the app\n");
        return 1;
    }
    int err = eddy_app_serve(app, &(struct eddy_server_opts){.listen = listen});
    eddy_app_free(app);
    if (err < 0)
        fprintf(stderr, "feeds: %s\n", eddy_strerror(err));
    return err < 0 ? 1 : 0;
}
