/*
 * fetch.c — `eddy fetch`: fetch and parse many feeds concurrently.
 *
 *   eddy fetch [--concurrency N] [--per-host N] [--timeout S] [--threads N]
 *              [--json] URL... | --file FILE
 *
 * Defaults: 64 at once, no per-host limit beyond that, 30 s per feed, one
 * thread per CPU.  Each thread runs its own loop and client session with its
 * share of the concurrency (and of the per-host limit) and takes the next URL
 * from a shared counter: parsing is CPU work, and one core would cap the
 * rate at its parsing speed while the network waits. *
 * A pool of N worker tasks takes URLs in order; each body streams from the
 * client straight into a sans-IO feed parser as it arrives (nothing is
 * buffered twice).  The session queues fairly behind its global and per-host
 * limits.  On a terminal a progress line on stderr shows done/total, rate and
 * errors; --json prints one JSON object per feed and a summary object.  Exit
 * status: 0 when every feed was fetched and parsed, 1 when any failed, 2 on
 * bad usage.
 */
#include "cli.h"

#include "eddy/client.h"
#include "eddy/feed.h"
#include "eddy/loop.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
    const char *url;
    int err;               /* 0, or the fetch's negative errno */
    int status;
    char *final_url;
    char *error;           /* message when err < 0 or status >= 400 */
    char *title;
    size_t entries;
    bool bozo;
    double seconds;
    struct eddy_feed_parser *parser; /* while the body streams */
};

struct run {
    struct job *jobs;
    size_t njobs;
    _Atomic size_t next, done, failed;
    unsigned concurrency, per_host, threads;
    int64_t timeout_ns;
    bool json, progress;
    int64_t started;
    pthread_mutex_t out;   /* one line at a time on stdout */
};

/* One thread's part: its loop, session and workers. */
struct shard {
    struct run *run;
    unsigned workers, per_host;
    bool ticker;           /* shows the progress line */
    struct eddy_session *session;
    pthread_t thread;
    int err;
};

static int on_response(void *arg, const struct eddy_reply *r)
{
    struct job *j = arg;
    /* The parser wants what feedparser gets from the HTTP layer. */
    struct eddy_feed_header h[64];
    size_t n = 0;
    const char *name, *value;
    for (size_t i = 0; n < 64 && eddy_reply_header_at(r, i, &name, &value); i++)
        h[n++] = (struct eddy_feed_header){name, value};
    struct eddy_feed_opts o = {.url = eddy_reply_url(r), .headers = h, .nheaders = n};
    j->parser = eddy_feed_parser_new(&o);
    return j->parser ? 0 : -ENOMEM;
}

static int on_data(void *arg, const char *data, size_t len)
{
    struct job *j = arg;
    return eddy_feed_parser_push(j->parser, data, len);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void fetch_one(struct shard *sh, struct job *j)
{
    struct run *run = sh->run;
    struct eddy_fetch_opts q = {
        .url = j->url,
        .timeout_ns = run->timeout_ns,
        .on_response = on_response,
        .on_data = on_data,
        .arg = j,
    };
    struct eddy_reply *r;
    int64_t t0 = eddy_now();
    j->err = eddy_fetch(sh->session, &q, &r);
    j->status = eddy_reply_status(r);
    j->final_url = dup_or_null(eddy_reply_url(r));
    if (j->err < 0) {
        j->error = dup_or_null(eddy_reply_error(r));
    } else if (j->status >= 400) {
        char msg[32];
        snprintf(msg, sizeof msg, "HTTP status %d", j->status);
        j->error = strdup(msg);
    } else if (j->parser && j->status != 304) {
        struct eddy_feed *f;
        int ferr = eddy_feed_parser_finish(j->parser, &f); /* f NULL then: the getters are NULL-safe */
        const struct eddy_feed_value *root = eddy_feed_root(f);
        j->bozo = eddy_feed_bool(eddy_feed_get(root, "bozo"));
        j->title = dup_or_null(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"));
        j->entries = eddy_feed_len(eddy_feed_get(root, "entries"));
        if (ferr) {
            j->error = strdup(strerror(-ferr));
        } else if (!eddy_feed_get_str(root, "version") || !*eddy_feed_get_str(root, "version")) {
            const char *why = eddy_feed_get_str(root, "bozo_exception");
            j->error = strdup(why ? why : "not a feed");
        }
        eddy_feed_free(f);
    }
    eddy_feed_parser_free(j->parser);
    j->parser = NULL;
    eddy_reply_free(r);
    j->seconds = (double)(eddy_now() - t0) / 1e9;
}

static void print_job(const struct job *j, bool json)
{
    if (json) {
        json_t *o = json_pack("{s:s, s:i, s:s?, s:s?, s:s?, s:I, s:b, s:f}", "url", j->url, "status",
                              j->status, "final_url", j->final_url, "error", j->error, "title",
                              j->title, "entries", (json_int_t)j->entries, "bozo", j->bozo,
                              "elapsed", j->seconds);
        char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (line)
            puts(line);
        free(line);
        json_decref(o);
        return;
    }
    if (j->error)
        printf("ERR %3d  %6.2fs  %s  %s\n", j->status, j->seconds, j->url, j->error);
    else
        printf("%3d  %5zu entries  %6.2fs  %s  %s\n", j->status, j->entries, j->seconds, j->url,
               j->title ? j->title : "");
}

static void show_progress(struct run *run, bool last)
{
    double secs = (double)(eddy_now() - run->started) / 1e9;
    size_t done = run->done;
    fprintf(stderr, "\r%zu/%zu done, %.0f/s, %zu errors%s", done, run->njobs,
            secs > 0 ? (double)done / secs : 0.0, (size_t)run->failed, last ? "\n" : "   ");
}

static int worker(void *arg)
{
    struct shard *sh = arg;
    struct run *run = sh->run;
    for (size_t i; (i = run->next++) < run->njobs;) {
        struct job *j = &run->jobs[i];
        fetch_one(sh, j);
        if (j->error)
            run->failed++;
        run->done++;
        pthread_mutex_lock(&run->out);
        print_job(j, run->json);
        pthread_mutex_unlock(&run->out);
        if (eddy_task_cancelled(eddy_task_current()))
            return -ECANCELED;
    }
    return 0;
}

static int ticker(void *arg)
{
    struct run *run = arg;
    while (eddy_sleep(100 * EDDY_MSEC) == 0)
        show_progress(run, false);
    return 0;
}

static int run_shard(void *arg)
{
    struct shard *sh = arg;
    struct run *run = sh->run;
    struct eddy_session_opts so = {.max_concurrency = sh->workers, .max_per_host = sh->per_host};
    if (!(sh->session = eddy_session_new(&so)))
        return -errno;
    struct eddy_task *tick = sh->ticker ? eddy_spawn(ticker, run, "progress") : NULL;
    struct eddy_group *g = eddy_group_new();
    int err = g ? 0 : -ENOMEM;
    for (unsigned i = 0; i < sh->workers && !err; i++)
        err = eddy_group_spawn(g, worker, sh, "fetch");
    int werr = g ? eddy_group_wait(g) : 0;
    eddy_group_free(g);
    if (tick) {
        eddy_cancel(tick);
        eddy_join(tick, NULL);
        show_progress(run, true);
    }
    eddy_session_free(sh->session);
    return err ? err : werr;
}

static void *shard_thread(void *arg)
{
    struct shard *sh = arg;
    sh->err = eddy_run(run_shard, sh, NULL);
    return NULL;
}

/* Splits the work over threads (this one included) and waits for all. */
static int run_all(struct run *run)
{
    unsigned n = run->threads;
    if (n > run->concurrency)
        n = run->concurrency;
    /* Each thread's session needs at least one slot per host: more threads
     * than --per-host would exceed it. */
    if (n > run->per_host)
        n = run->per_host;
    if (n > run->njobs)
        n = (unsigned)run->njobs;
    struct shard *shards = calloc(n, sizeof *shards);
    if (!shards)
        return -ENOMEM;
    run->started = eddy_now();
    for (unsigned i = 0; i < n; i++) {
        shards[i].run = run;
        shards[i].workers = run->concurrency / n + (i < run->concurrency % n);
        shards[i].per_host = run->per_host / n + (i < run->per_host % n);
    }
    shards[0].ticker = run->progress;
    unsigned started = 1;
    for (; started < n; started++)
        if (pthread_create(&shards[started].thread, NULL, shard_thread, &shards[started]))
            break; /* fewer threads: the counter hands their URLs to the others */
    shards[0].err = eddy_run(run_shard, &shards[0], NULL);
    int err = shards[0].err;
    for (unsigned i = 1; i < started; i++) {
        pthread_join(shards[i].thread, NULL);
        if (shards[i].err < 0 && !err)
            err = shards[i].err;
    }
    free(shards);
    return err;
}

static int read_urls(const char *path, struct run *run, size_t *cap)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "eddy fetch: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t n = 0;
    ssize_t len;
    while ((len = getline(&line, &n, f)) > 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = 0;
        char *u = line;
        while (*u == ' ' || *u == '\t')
            u++;
        if (!*u || *u == '#')
            continue;
        if (run->njobs == *cap) {
            *cap = *cap ? *cap * 2 : 256;
            struct job *jobs = realloc(run->jobs, *cap * sizeof *jobs);
            if (!jobs)
                return -1;
            run->jobs = jobs;
        }
        run->jobs[run->njobs++] = (struct job){.url = strdup(u)};
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: eddy fetch [--concurrency N] [--per-host N] [--timeout S] [--threads N]\n"
                 "                  [--json] URL... | --file FILE\n");
}

int cmd_fetch(int argc, char **argv)
{
    /* No per-host limit unless asked (aiohttp's default): one host serving
     * many feeds is the benchmark's case and a mirror's. */
    struct run run = {.concurrency = 64, .timeout_ns = 30 * EDDY_SEC,
                      .threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN)};
    pthread_mutex_init(&run.out, NULL);
    size_t cap = 0;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            run.json = true;
        } else if (v && !strcmp(a, "--concurrency") && atoi(v) > 0) {
            run.concurrency = (unsigned)atoi(v), i++;
        } else if (v && !strcmp(a, "--per-host") && atoi(v) > 0) {
            run.per_host = (unsigned)atoi(v), i++;
        } else if (v && !strcmp(a, "--threads") && atoi(v) > 0) {
            run.threads = (unsigned)atoi(v), i++;
        } else if (v && !strcmp(a, "--timeout") && atof(v) > 0) {
            run.timeout_ns = (int64_t)(atof(v) * 1e9), i++;
        } else if (v && !strcmp(a, "--file")) {
            file = v, i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "eddy fetch: bad option or value: %s\n", a);
            usage(stderr);
            return 2;
        } else {
            if (run.njobs == cap) {
                cap = cap ? cap * 2 : 16;
                run.jobs = realloc(run.jobs, cap * sizeof *run.jobs);
                if (!run.jobs)
                    return 2;
            }
            run.jobs[run.njobs++] = (struct job){.url = strdup(a)};
        }
    }
    if (file && read_urls(file, &run, &cap) < 0)
        return 2;
    if (!run.njobs) {
        usage(stderr);
        return 2;
    }
    run.progress = isatty(2);
    if (!run.per_host)
        run.per_host = run.concurrency;
    if (!run.threads)
        run.threads = 1;
    int err = run_all(&run);
    if (run.json) {
        json_t *o = json_pack("{s:{s:I, s:I, s:I, s:f}}", "summary", "feeds", (json_int_t)run.njobs,
                              "ok", (json_int_t)(run.done - run.failed), "failed",
                              (json_int_t)(run.failed + (run.njobs - run.done)), "elapsed",
                              (double)(eddy_now() - run.started) / 1e9);
        char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (line)
            puts(line);
        free(line);
        json_decref(o);
    }
    for (size_t i = 0; i < run.njobs; i++) {
        free((char *)run.jobs[i].url);
        free(run.jobs[i].final_url);
        free(run.jobs[i].error);
        free(run.jobs[i].title);
    }
    free(run.jobs);
    pthread_mutex_destroy(&run.out);
    if (err < 0 && err != -ECANCELED)
        fprintf(stderr, "eddy fetch: %s\n", strerror(-err));
    return err < 0 || run.failed || run.done < run.njobs ? 1 : 0;
}
