/*
 * serve.c — `eddy serve`: the store, the JSON API, /metrics, the demo and a
 * reader's pages, and the refresh scheduler, on one loop in one process.
 *
 * The loop is this thread's (eddy_run); the web app is started on it with
 * eddy_app_start, so the signals are this loop's events (SIGTERM, SIGINT:
 * a graceful stop) and the loop's watchdog counts reach /metrics.  The site
 * (internal.h) is the loop_data a startup hook builds and a shutdown hook
 * frees: every view finds the store and the sessions there.
 */
#include "serve.h"

#include "events.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_MARKER    "demo-subscribed" /* in the data folder: the demo was offered */
#define DRAIN_NS       (10 * EDDY_SEC)   /* in-flight requests get this long at a stop */
#define DEFAULT_LISTEN "127.0.0.1:8080"

/* One run of eddy_app_serve_main. */
struct serve {
    const struct eddy_app_serve_opts *o;
    const char *listen;
    char *dir;         /* the data folder */
    const char *demo;  /* the demo folder; NULL: none */
    const char *pages; /* the folder of templates/ and static/; NULL: none */
    struct eddy_app *web;
    bool failed; /* the startup hook said why it failed */
};

/* The site and what only serve.c needs beside it. */
struct serve_site {
    struct eddy__site site; /* first: loop_data points here */
    struct serve *sv;
};

static void vlog(const struct serve *sv, const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    if (sv->o->log)
        sv->o->log(sv->o->log_arg, line);
    else
        fprintf(stderr, "eddy serve: %s\n", line);
}

static void say(const struct serve *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct serve *sv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(sv, fmt, ap);
    va_end(ap);
}

void eddy__serve_log(struct eddy__site *site, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(((struct serve_site *)site)->sv, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- the site */

static int open_store(void *arg)
{
    struct serve_site *ss = arg;
    return eddy_store_open(ss->sv->dir, &ss->site.store);
}

/* Startup hook: the site on this loop.  What it made is freed by
 * close_site, also after a failure half-way. */
static int open_site(struct eddy_app *web, void **loop_data)
{
    struct serve *sv = eddy_app_data(web);
    const struct eddy_app_serve_opts *o = sv->o;
    struct serve_site *ss = calloc(1, sizeof *ss);
    if (!ss)
        return -ENOMEM;
    *loop_data = ss;
    ss->sv = sv;
    struct eddy__site *site = &ss->site;
    site->token = o->token && *o->token ? o->token : NULL;
    site->exposed = eddy__listen_local(sv->listen) == 0;
    site->interval_flag = o->interval > 0 ? o->interval : EDDY_APP_INTERVAL_DEFAULT;
    int err = eddy_to_thread(open_store, ss);
    if (err < 0) {
        sv->failed = true;
        say(sv, "%s: %s", sv->dir,
            err == -EPROTO ? "the database was made by a newer eddy" : eddy_strerror(err));
        return err;
    }
    struct eddy_session_opts so = {.max_concurrency = o->workers, .max_per_host = o->per_host};
    if (!(site->session = eddy_session_new(&so)))
        return -errno;
    so.ssrf_guard = true;
    so.ssrf_allow = o->allow;
    if (!(site->guarded = eddy_session_new(&so))) {
        err = -errno;
        sv->failed = true;
        say(sv, "--allow: %s",
            err == -EINVAL ? "expected CIDRs like 10.1.0.0/16" : eddy_strerror(err));
        return err;
    }
    if (!(site->metrics = eddy__metrics_new(eddy_loop_current())))
        return -ENOMEM;
    if ((err = eddy__digest_new(site, o, sv->dir)) < 0)
        return err;
    return eddy__sched_new(site, &(struct eddy_app_refresh_opts){.interval = o->interval,
                                                                 .workers = o->workers,
                                                                 .timeout_ns = o->timeout_ns});
}

static void close_site(struct eddy_app *web, void *loop_data)
{
    (void)web;
    struct serve_site *ss = loop_data;
    if (!ss)
        return;
    eddy__sched_free(&ss->site);
    eddy__digest_free(&ss->site);
    eddy__metrics_free(ss->site.metrics);
    eddy_session_free(ss->site.guarded);
    eddy_session_free(ss->site.session);
    eddy_store_close(ss->site.store); /* checkpoints the WAL: nothing else runs now */
    free(ss);
}

/* The web app: hooks, routes, the site's startup and shutdown. */
static struct eddy_app *make_app(struct serve *sv)
{
    struct eddy_app *web = eddy_app_new();
    if (!web)
        return NULL;
    eddy_app_set_data(web, sv);
    int err = 0;
    /* The stamp first: the latency includes the other hooks. */
    err = err ? err : eddy_app_before_request(web, eddy__metrics_before);
    err = err ? err : eddy_app_before_request(web, eddy__auth_before);
    err = err ? err : eddy_app_after_request(web, eddy__metrics_after);
    err = err ? err : eddy_app_on_startup(web, open_site);
    err = err ? err : eddy_app_on_shutdown(web, close_site);
    err = err ? err : eddy_app_background(web, eddy__sched_task, web, "scheduler");
    err = err ? err : eddy_app_background(web, eddy__digest_task, web, "digest");
    err = err ? err : eddy__pages_routes(web, sv->pages);
    err = err ? err : eddy_app_route(web, "GET", "/metrics", eddy__metrics_view, "metrics");
    err = err ? err : eddy__api_routes(web);
    if (!err && sv->demo)
        err = eddy_app_static(web, "/demo", sv->demo);
    if (err < 0) {
        eddy_app_free(web);
        errno = -err;
        return NULL;
    }
    return web;
}

/* ---------------------------------------------------------------- the demo */

struct demo {
    const char *folder, *data, *origin;
    int added, moved;
};

static int feed_file(const struct dirent *d)
{
    const char *dot = strrchr(d->d_name, '.');
    if (d->d_name[0] == '.' || !dot)
        return 0;
    static const char *const kinds[] = {".xml", ".rss", ".atom", ".rdf", ".json"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(dot, kinds[i]))
            return 1;
    return 0;
}

/* The demo feeds live on this server, so their URLs name its origin: when
 * the marker says they were subscribed at another one (the server moved to
 * another port), the feeds still pointing there follow it. */
static int move_demo(struct eddy_store *s, struct demo *d, FILE *m)
{
    char line[512], old[512];
    if (!fgets(line, sizeof line, m) || !fgets(line, sizeof line, m) ||
        sscanf(line, "origin %500s", old) != 1 || !strcmp(old, d->origin))
        return 0;
    struct eddy_store_feed *feeds;
    size_t n;
    int err = eddy_store_feeds(s, &feeds, &n);
    if (err < 0)
        return err;
    size_t len = strlen(old);
    for (size_t i = 0; err >= 0 && i < n; i++) {
        const char *u = feeds[i].url;
        if (strncmp(u, old, len) || strncmp(u + len, "/demo/", 6))
            continue;
        struct eddy_buf to = EDDY_BUF_INIT(0);
        err = eddy_buf_printf(&to, "%s%s", d->origin, u + len);
        if (err >= 0 && (err = eddy_store_feed_set_url(s, feeds[i].id, to.data)) == 0)
            d->moved++;
        if (err == -EEXIST) /* the user subscribed it there too */
            err = 0;
        eddy_buf_free(&to);
    }
    eddy_store_feeds_free(feeds, n);
    return err < 0 ? err : 1;
}

/* Subscribes the demo feeds when the store is empty and the demo was never
 * offered, then leaves the marker (with the origin they were subscribed
 * at); or moves them (move_demo).  On the pool: directory, file, store. */
static int subscribe_demo(struct eddy_store *s, void *arg)
{
    struct demo *d = arg;
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/" DEMO_MARKER, d->data);
    FILE *m = fopen(marker, "r");
    if (m) {
        int moved = move_demo(s, d, m);
        fclose(m);
        if (moved <= 0)
            return moved;
    }
    struct eddy_store_stats st;
    int err = eddy_store_stats(s, &st);
    struct dirent **names = NULL;
    int n = err < 0 || st.feeds ? 0 : scandir(d->folder, &names, feed_file, alphasort);
    if (n < 0)
        err = -errno;
    struct eddy_store_feed_new *feeds = n > 0 ? calloc((size_t)n, sizeof *feeds) : NULL;
    struct eddy_buf *urls = n > 0 ? calloc((size_t)n, sizeof *urls) : NULL;
    if (n > 0 && (!feeds || !urls))
        err = -ENOMEM;
    for (int i = 0; err >= 0 && i < n; i++) {
        const char *name = names[i]->d_name;
        if ((err = eddy_buf_printf(&urls[i], "%s/demo/", d->origin)) < 0 ||
            (err = eddy_url_encode(name, strlen(name), NULL, false, &urls[i])) < 0)
            break;
        feeds[i] = (struct eddy_store_feed_new){.url = urls[i].data, .category = "Demo"};
    }
    if (err >= 0 && n > 0)
        err = d->added = eddy_store_feeds_add(s, feeds, (size_t)n);
    for (int i = 0; i < n; i++) {
        if (urls)
            eddy_buf_free(&urls[i]);
        free(names[i]);
    }
    free(names);
    free(urls);
    free(feeds);
    if (err < 0)
        return err;
    if (!(m = fopen(marker, "w")))
        return -errno;
    fprintf(m,
            "eddy serve subscribed the demo feeds once (when the store was empty);"
            " delete this file to have them offered again\norigin %s\n",
            d->origin);
    return fclose(m) == 0 ? 0 : -errno;
}

/* http://HOST:PORT as this machine reaches the server: an unspecified
 * address (0.0.0.0, ::) becomes loopback.  Empty for a Unix socket. */
static void origin_of(struct eddy_server *srv, char *out, size_t size)
{
    struct eddy_addr a = *eddy_server_addr(srv);
    char text[EDDY_ADDR_STRLEN] = "";
    if (a.u.sa.sa_family == AF_INET && a.u.in.sin_addr.s_addr == htonl(INADDR_ANY))
        a.u.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (a.u.sa.sa_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a.u.in6.sin6_addr))
        a.u.in6.sin6_addr = in6addr_loopback;
    else if (a.u.sa.sa_family == AF_UNIX)
        a.len = 0;
    if (a.len && eddy_addr_format(&a, text, sizeof text) > 0)
        snprintf(out, size, "http://%s", text);
    else
        snprintf(out, size, "%s", "");
}

/* The first of `dirs` that holds `probe` (a folder or file), or NULL and a
 * line saying where `what` was looked for. */
static const char *find_dir(const struct serve *sv, const char *const *dirs, const char *probe,
                            const char *what)
{
    struct stat st;
    char path[4200];
    for (size_t i = 0; dirs && dirs[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dirs[i], probe);
        if (stat(path, &st) == 0)
            return dirs[i];
    }
    if (!dirs || !dirs[0])
        return NULL;
    char looked[1024] = "";
    for (size_t i = 0, len = 0; dirs[i] && len < sizeof looked; i++)
        len += (size_t)snprintf(looked + len, sizeof looked - len, "%s%s", i ? ", " : "", dirs[i]);
    say(sv, "no %s: no folder at %s", what, looked);
    return NULL;
}

/* ------------------------------------------------------------------- main */

/* The data folder's store has a password (auth.c): a credential for a
 * non-loopback address.  Read before any loop runs (blocking is fine);
 * a folder without a database has none, and is not created here. */
static bool has_password(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/eddy.db", dir);
    struct eddy_store *s = NULL;
    char *v = NULL;
    bool has = access(path, F_OK) == 0 && eddy_store_open(dir, &s) == 0 &&
               eddy_store_setting(s, "password", &v) == 0 && v && *v;
    free(v);
    eddy_store_close(s);
    return has;
}

/* SIGINT does what SIGTERM does. */
static int forward_sigint(void *arg)
{
    struct eddy_event *intr = eddy_signal_event(SIGINT);
    while (intr && eddy_event_wait(intr, EDDY_FOREVER) == 0) {
        eddy_event_clear(intr);
        eddy_event_set(arg);
    }
    return 0;
}

static int serve_task(void *arg)
{
    struct serve *sv = arg;
    /* Before any thread starts (the store's pool, libcurl's resolver), so
     * every thread inherits the blocked signals and only the loop sees them. */
    struct eddy_event *term = eddy_signal_event(SIGTERM);
    if (!term || !eddy_signal_event(SIGINT))
        return -errno;
    struct eddy_task *fwd = eddy_spawn(forward_sigint, term, "sigint");
    if (!fwd)
        return -errno;
    struct eddy_server *srv = eddy_app_start(sv->web, &(struct eddy_server_opts){
                                                          .listen = sv->listen,
                                                          .shutdown_timeout_ns = DRAIN_NS,
                                                      });
    int err = srv ? 0 : -errno;
    if (!srv && !sv->failed) {
        say(sv, "cannot serve on %s: %s", sv->listen, eddy_strerror(err));
    } else if (srv) {
        struct eddy__site *site = eddy_app_loop_data(sv->web);
        char origin[EDDY_ADDR_STRLEN + 16];
        origin_of(srv, origin, sizeof origin);
        say(sv, "serving %s/ (data folder %s)", *origin ? origin : sv->listen, sv->dir);
        if (sv->demo && *origin) {
            struct demo d = {.folder = sv->demo, .data = sv->dir, .origin = origin};
            int derr = eddy_store_run_await(site->store, true, subscribe_demo, &d);
            if (derr < 0)
                say(sv, "demo feeds not subscribed: %s", eddy_strerror(derr));
            else if (d.added > 0)
                say(sv, "first start: subscribed %d demo feeds at %s/demo/", d.added, origin);
            else if (d.moved > 0)
                say(sv, "moved %d demo feeds to %s/demo/", d.moved, origin);
            if (d.added > 0 || d.moved > 0)
                site->wake(site);
        }
        eddy_event_wait(term, EDDY_FOREVER);
        say(sv, "stopping");
        eddy__hub_close(site->hub); /* live streams end now, not at the drain's deadline */
        if (eddy_app_stop(sv->web, srv, eddy_deadline_in(DRAIN_NS)) == -ETIMEDOUT)
            say(sv, "requests still running after %d s were cancelled", (int)(DRAIN_NS / EDDY_SEC));
    }
    eddy_cancel(fwd);
    if (eddy_join(fwd, NULL) < 0)
        eddy_detach(fwd);
    return err;
}

int eddy_app_serve_main(const struct eddy_app_serve_opts *opts)
{
    struct serve sv = {.o = opts, .listen = opts->listen ? opts->listen : DEFAULT_LISTEN};
    int local = eddy__listen_local(sv.listen);
    if (local < 0) {
        say(&sv,
            "cannot listen on '%s': expected a numeric HOST:PORT such as 127.0.0.1:8080,"
            " [::1]:8080, 0.0.0.0:8080 or unix:/path",
            sv.listen);
        return -EINVAL;
    }
    int err = eddy_store_dir(opts->data, &sv.dir);
    if (err < 0) {
        say(&sv, "no data folder: %s (give --data DIR or set EDDY_DATA)", eddy_strerror(err));
        return err;
    }
    if (!local && !(opts->token && *opts->token) && !has_password(sv.dir)) {
        say(&sv,
            "%s is reachable from other machines: set a password first (eddy passwd --data %s),"
            " or an API token (EDDY_TOKEN=... or --token-file FILE), or listen on 127.0.0.1",
            sv.listen, sv.dir);
        free(sv.dir);
        return -EACCES;
    }
    sv.demo = find_dir(&sv, opts->demo, ".", "demo feeds");
    sv.pages = find_dir(&sv, opts->pages, "templates/river.html", "pages (templates/river.html)");
    if (!(sv.web = make_app(&sv)))
        err = -errno;
    else
        err = eddy_run(serve_task, &sv, NULL);
    eddy_app_free(sv.web);
    free(sv.dir);
    return err;
}
