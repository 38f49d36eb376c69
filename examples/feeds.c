/*
 * feeds.c — the article's example: one view fetches every feed named in the
 * query concurrently (a task group, the client streaming each body into the
 * sans-IO parser) and renders them.  `feeds [--port N] [--templates DIR]`,
 * then open http://127.0.0.1:8080/?url=https://...&url=https://...
 */
#include "eddy/client.h"
#include "eddy/feed.h"
#include "eddy/web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FEEDS 32
#define MAX_ENTRIES 20

/* One HTTP session per serving thread (a session belongs to its loop). */
static _Thread_local struct eddy_session *session;

struct job {
    const char *url;
    struct eddy_feed_parser *parser;
    struct eddy_feed *feed;    /* NULL on failure */
    char error[256];
};

static int on_response(void *arg, const struct eddy_reply *r)
{
    struct job *j = arg;
    struct eddy_feed_header h[32];
    size_t n = 0;
    const char *name, *value;
    while (n < 32 && eddy_reply_header_at(r, n, &name, &value))
        h[n++] = (struct eddy_feed_header){name, value};
    struct eddy_feed_opts o = {.url = eddy_reply_url(r), .headers = h, .nheaders = n};
    return (j->parser = eddy_feed_parser_new(&o)) ? 0 : -ENOMEM;
}

static int on_data(void *arg, const char *data, size_t len)
{
    return eddy_feed_parser_push(((struct job *)arg)->parser, data, len);
}

/* One task per feed: the body streams into the parser as it arrives. */
static int fetch_feed(void *arg)
{
    struct job *j = arg;
    struct eddy_fetch_opts q = {.url = j->url, .timeout_ns = 10 * EDDY_SEC,
                                .on_response = on_response, .on_data = on_data, .arg = j};
    struct eddy_reply *r;
    int err = eddy_fetch(session, &q, &r);
    if (err < 0)
        snprintf(j->error, sizeof j->error, "%s", eddy_reply_error(r));
    else if (eddy_reply_status(r) >= 400)
        snprintf(j->error, sizeof j->error, "HTTP %d", eddy_reply_status(r));
    else if (j->parser)
        eddy_feed_parser_finish(j->parser, &j->feed); /* j->feed stays NULL on ENOMEM */
    eddy_feed_parser_free(j->parser);
    eddy_reply_free(r);
    return 0; /* one broken feed does not cancel the others */
}

/* The template's view of one feed. */
static json_t *feed_json(const struct job *j)
{
    const struct eddy_feed_value *root = eddy_feed_root(j->feed), *feed = eddy_feed_get(root, "feed");
    const struct eddy_feed_value *entries = eddy_feed_get(root, "entries");
    json_t *list = json_array();
    for (size_t i = 0; i < eddy_feed_len(entries) && i < MAX_ENTRIES; i++) {
        const struct eddy_feed_value *e = eddy_feed_at(entries, i);
        json_array_append_new(list, json_pack("{s:s?, s:s?, s:s?}", "title", eddy_feed_get_str(e, "title"),
                                              "link", eddy_feed_get_str(e, "link"), "published",
                                              eddy_feed_get_str(e, "published")));
    }
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:o}", "url", j->url, "title",
                     eddy_feed_get_str(feed, "title"), "link", eddy_feed_get_str(feed, "link"),
                     "error", j->error[0] ? j->error : NULL, "entries", list);
}

/* GET /?url=...&url=... : fetch every feed concurrently, then render them. */
static int show_feeds(struct eddy_request *req, struct eddy_response *res)
{
    const char *urls[MAX_FEEDS];
    size_t n = eddy_request_args(req, "url", urls, MAX_FEEDS);
    struct job jobs[MAX_FEEDS] = {{0}};
    int64_t t0 = eddy_now();
    struct eddy_group *g = eddy_group_new();           /* no child outlives it */
    for (size_t i = 0; g && i < n; i++) {
        jobs[i].url = urls[i];
        eddy_group_spawn(g, fetch_feed, &jobs[i], "fetch");
    }
    int err = g ? eddy_group_wait(g) : -ENOMEM;         /* the only suspension */
    eddy_group_free(g);
    json_t *feeds = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!jobs[i].feed && !jobs[i].error[0])
            snprintf(jobs[i].error, sizeof jobs[i].error, "%s", err < 0 ? eddy_strerror(err) : "no feed");
        json_array_append_new(feeds, feed_json(&jobs[i]));
        eddy_feed_free(jobs[i].feed);
    }
    json_t *ctx = json_pack("{s:o, s:I}", "feeds", feeds, "elapsed_ms",
                            (json_int_t)((eddy_now() - t0) / EDDY_MSEC));
    err = eddy_render(res, "feeds.html", ctx);
    json_decref(ctx);
    return err;
}

static int open_session(struct eddy_app *app)
{
    (void)app;
    return (session = eddy_session_new(NULL)) ? 0 : -errno;
}

static int close_session(struct eddy_app *app)
{
    (void)app;
    eddy_session_free(session);
    session = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    char listen[64] = "127.0.0.1:8080";
    const char *templates = "examples/templates";
    for (int i = 1; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (val && !strcmp(opt, "--port"))
            snprintf(listen, sizeof listen, "127.0.0.1:%d", atoi(val));
        else if (val && !strcmp(opt, "--templates"))
            templates = val;
        else {
            fprintf(stderr, "usage: feeds [--port N] [--templates DIR]\n");
            return 2;
        }
    }
    struct eddy_app *app = eddy_app_new();
    if (!app)
        return 1;
    eddy_app_route(app, "GET", "/", show_feeds, "feeds");
    eddy_app_templates(app, templates);
    eddy_app_on_startup(app, open_session);
    eddy_app_on_shutdown(app, close_session);
    int err = eddy_app_serve(app, &(struct eddy_server_opts){.listen = listen});
    eddy_app_free(app);
    if (err < 0)
        fprintf(stderr, "feeds: %s\n", eddy_strerror(err));
    return err < 0 ? 1 : 0;
}
