/*
 * fetch.c — `eddy fetch`: fetch and parse many feeds concurrently.
 *
 * Each thread (one per CPU by default) runs its own loop and client session
 * with its share of the concurrency and of the per-host limit, and takes the
 * next URL from a shared counter: parsing is CPU work, and one core would cap
 * the rate at its parsing speed while the network waits.  In each thread a
 * pool of worker tasks (never more than there are URLs) fetches one URL at a
 * time; the body streams from the client straight into a sans-IO feed parser
 * as it arrives (nothing is buffered twice).  The session queues fairly
 * behind its global and per-host limits.
 *
 * Output: one line per feed as it completes, or with --json one JSON object
 * per feed and a summary object.  On a terminal a progress line on stderr
 * shows done/total, rate and errors; it is cleared before each result line
 * and drawn again after it.  Options, defaults and exit status: cmd_fetch's
 * table, or `eddy fetch --help`.
 */
#include "cli.h"

#include "../base/text.h"

#include "eddy/feedfetch.h"
#include "eddy/loop.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct job {
    const char *url;
    int err; /* 0, or the fetch's negative errno */
    int status;
    char *final_url;
    char *error; /* message when err < 0 */
    char *title;
    size_t entries;
    bool bozo;
    double seconds;
};

struct run {
    struct job *jobs;
    size_t njobs;
    _Atomic size_t next, done, failed;
    unsigned concurrency, per_host, threads;
    int64_t timeout_ns;
    bool json;
    bool progress;      /* stderr is a terminal: show the progress line */
    bool redraw;        /* stdout is one too: clear that line before each result */
    int progress_width; /* of the progress line on screen; under out */
    int64_t started;
    pthread_mutex_t out; /* one line at a time on stdout and stderr */
};

/* One thread's part: its loop, session and workers. */
struct shard {
    struct run *run;
    unsigned workers, per_host;
    bool ticker; /* shows the progress line */
    struct eddy_session *session;
    pthread_t thread;
    int err;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The client streams the body into the parser (feedfetch.h). */
static void fetch_one(struct shard *sh, struct job *j)
{
    struct eddy_feed_fetch_result r;
    struct eddy_feed_fetch_opts o = {.url = j->url, .timeout_ns = sh->run->timeout_ns};
    j->err = eddy_feed_fetch(sh->session, &o, &r);
    j->status = r.status;
    j->seconds = r.seconds;
    j->final_url = r.final_url, r.final_url = NULL;
    if (j->err < 0)
        j->error = r.error, r.error = NULL;
    if (r.feed) {
        const struct eddy_feed_value *root = eddy_feed_root(r.feed);
        j->bozo = eddy_feed_bool(eddy_feed_get(root, "bozo"));
        j->title = dup_or_null(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"));
        j->entries = eddy_feed_len(eddy_feed_get(root, "entries"));
    }
    eddy_feed_fetch_result_clear(&r);
}

/* Seconds as people read them: to the millisecond, and printed that way in
 * JSON too (with JSON_REAL_PRECISION(15), 0.003 is "0.003", not
 * "0.0030000000000000001"). */
#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
static double ms_round(double seconds)
{
    return round(seconds * 1000) / 1000;
}

static void print_json(json_t *o)
{
    char *line = o ? json_dumps(o, JSON_FLAGS) : NULL;
    if (line)
        puts(line);
    free(line);
    json_decref(o);
}

/* A JSON string of s (NULL: null): invalid UTF-8 — a URL given as bytes,
 * a title in a broken feed — becomes U+FFFD instead of dropping the line. */
static json_t *json_text(const char *s)
{
    if (!s)
        return json_null();
    struct eddy_buf b = EDDY_BUF_INIT(0);
    json_t *v = eddy__utf8_append(&b, s, strlen(s)) ? NULL : json_stringn(b.data, b.len);
    eddy_buf_free(&b);
    return v;
}

static void print_job(const struct job *j, bool json)
{
    if (json)
        print_json(json_pack("{s:o, s:i, s:o, s:o, s:o, s:I, s:b, s:f}", "url", json_text(j->url),
                             "status", j->status, "final_url", json_text(j->final_url), "error",
                             json_text(j->error), "title", json_text(j->title), "entries",
                             (json_int_t)j->entries, "bozo", j->bozo, "elapsed",
                             ms_round(j->seconds)));
    else if (j->error)
        printf("ERR %3d  %6.2fs  %s  %s\n", j->status, j->seconds, j->url, j->error);
    else
        printf("%3d  %5zu entries  %6.2fs  %s  %s\n", j->status, j->entries, j->seconds, j->url,
               j->title ? j->title : "");
}

/* Draws the progress line over the previous one; call with run->out held. */
static void draw_progress(struct run *run, bool last)
{
    double secs = (double)(eddy_now() - run->started) / 1e9;
    size_t done = run->done;
    char line[128];
    int len = snprintf(line, sizeof line, "%zu/%zu done, %.0f/s, %zu errors", done, run->njobs,
                       secs > 0 ? (double)done / secs : 0.0, (size_t)run->failed);
    /* Padded to the previous width: a shorter line leaves no tail behind. */
    fprintf(stderr, "\r%-*s%s", run->progress_width, line, last ? "\n" : "");
    run->progress_width = len > run->progress_width ? len : run->progress_width;
}

/* One result line; on a terminal the progress line makes way for it. */
static void report(struct run *run, const struct job *j)
{
    pthread_mutex_lock(&run->out);
    if (run->redraw)
        fprintf(stderr, "\r%*s\r", run->progress_width, "");
    print_job(j, run->json);
    if (run->redraw) {
        fflush(stdout);
        draw_progress(run, false);
    }
    pthread_mutex_unlock(&run->out);
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
        report(run, j);
        if (eddy_task_cancelled(eddy_task_current()))
            return -ECANCELED;
    }
    return 0;
}

static int ticker(void *arg)
{
    struct run *run = arg;
    while (eddy_sleep(100 * EDDY_MSEC) == 0) {
        pthread_mutex_lock(&run->out);
        draw_progress(run, false);
        pthread_mutex_unlock(&run->out);
    }
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
    struct eddy_group g;
    eddy_group_init(&g);
    int err = 0;
    for (unsigned i = 0; i < sh->workers && !err; i++)
        err = eddy_group_spawn(&g, worker, sh, "fetch");
    int werr = eddy_group_wait(&g);
    eddy_group_fini(&g);
    if (tick) {
        eddy_cancel(tick);
        if (eddy_join(tick, NULL) < 0)
            eddy_detach(tick); /* we were cancelled: it ends on its own */
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
    if (run->progress)
        draw_progress(run, true); /* the final count, once every thread is done */
    return err;
}

static int add_url(struct run *run, const char *url, size_t *cap)
{
    if (run->njobs == *cap) {
        size_t n = *cap ? *cap * 2 : 64;
        struct job *jobs = realloc(run->jobs, n * sizeof *jobs);
        if (!jobs)
            return -ENOMEM;
        run->jobs = jobs, *cap = n;
    }
    char *copy = strdup(url);
    if (!copy)
        return -ENOMEM;
    run->jobs[run->njobs++] = (struct job){.url = copy};
    return 0;
}

/* --file PATH: one URL a line; blank lines and # comments skipped.  Returns
 * 0, or the exit status after saying what was wrong. */
static int read_urls(const char *path, struct run *run, size_t *cap)
{
    const char *name = strcmp(path, "-") ? path : "<stdin>";
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0) {
        fprintf(stderr, "eddy fetch: --file %s: %s\n", name, strerror(errno));
        return 2;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "eddy fetch: --file %s: is a directory, not a list of URLs\n", name);
        fclose(f);
        return 2;
    }
    size_t before = run->njobs;
    char *line = NULL;
    size_t n = 0;
    int err = 0;
    for (ssize_t len; !err && (len = getline(&line, &n, f)) >= 0;) {
        while (len && strchr("\r\n \t", line[len - 1]))
            line[--len] = 0;
        char *u = line + strspn(line, " \t");
        if (*u && *u != '#')
            err = add_url(run, u, cap);
    }
    if (!err && ferror(f))
        err = -errno;
    free(line);
    if (f != stdin)
        fclose(f);
    if (err) {
        fprintf(stderr, "eddy fetch: --file %s: %s\n", name, strerror(-err));
        return 2;
    }
    if (run->njobs == before) {
        fprintf(stderr,
                "eddy fetch: --file %s: no URLs in it (one a line; blank lines and "
                "# comments are skipped)\n",
                name);
        return 2;
    }
    return 0;
}

static void print_summary(struct run *run)
{
    print_json(json_pack("{s:{s:I, s:I, s:I, s:f}}", "summary", "feeds", (json_int_t)run->njobs,
                         "ok", (json_int_t)(run->done - run->failed), "failed",
                         (json_int_t)(run->failed + (run->njobs - run->done)), "elapsed",
                         ms_round((double)(eddy_now() - run->started) / 1e9)));
}

/* Long because of its option table (one declaration per option, with its
 * help): the logic is in run_shard and fetch_one. */
int cmd_fetch(int argc, char **argv)
{
    /* No per-host limit unless asked (aiohttp's default): one host serving
     * many feeds is the benchmark's case and a mirror's. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct run run = {
        .concurrency = 64, .timeout_ns = 30 * EDDY_SEC, .threads = cpus > 0 ? (unsigned)cpus : 1};
    const char *file = NULL;
    char threads_def[48];
    snprintf(threads_def, sizeof threads_def, "one per CPU, %u here", run.threads);
    const struct cli_opt table[] = {
        {.name = "concurrency",
         .type = CLI_COUNT,
         .dst = &run.concurrency,
         .arg = "N",
         .help = "feeds fetched at once, over all threads (at most one per URL)",
         .min = 1,
         .max = 100000},
        {.name = "per-host",
         .type = CLI_COUNT,
         .dst = &run.per_host,
         .arg = "N",
         .help = "feeds fetched at once from one host",
         .def = "same as --concurrency",
         .min = 1,
         .max = 100000},
        {.name = "timeout",
         .type = CLI_DURATION,
         .dst = &run.timeout_ns,
         .arg = "TIME",
         .help = "give up on a feed after TIME: 30s, 250ms, 2m, 1h; a plain number is seconds",
         .min = EDDY_MSEC,
         .max = 3600 * EDDY_SEC},
        {.name = "threads",
         .type = CLI_COUNT,
         .dst = &run.threads,
         .arg = "N",
         .help = "threads, each with its own loop and session",
         .def = threads_def,
         .min = 1,
         .max = 1024},
        {.name = "file",
         .type = CLI_STRING,
         .dst = &file,
         .arg = "FILE",
         .help = "read URLs from FILE (- for stdin), one a line; blank lines and # comments are "
                 "skipped"},
        {.name = "json",
         .type = CLI_FLAG,
         .dst = &run.json,
         .help = "print one JSON object per feed, then a summary object"},
    };
    const struct cli_command cmd = {
        .name = "fetch",
        .usage = "[OPTIONS] URL...\n[OPTIONS] --file FILE [URL...]",
        .about = "Fetches the feeds at the URLs concurrently and parses each as it arrives.\n"
                 "One line per feed as it completes: status, entries, seconds, URL, title (or\n"
                 "ERR, status, seconds, URL, what went wrong).  On a terminal a progress line\n"
                 "on stderr shows done/total, rate and errors.",
        .footer = "exit status: 0 every feed was fetched and parsed, 1 any failed (HTTP error,\n"
                  "network error, or no feed in the body), 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .max_args = INT32_MAX,
        .args_name = "URLs",
    };
    int status;
    int n = cli_parse(&cmd, argc, argv, &status);
    if (n < 0)
        return status;
    size_t cap = 0;
    status = 0;
    for (int i = 0; i < n && !status; i++) {
        if (!*argv[i])
            status = cli_usage_error(&cmd, "empty URL");
        else if (add_url(&run, argv[i], &cap) < 0)
            status = 1;
    }
    if (!status && file)
        status = read_urls(file, &run, &cap);
    if (!status && !run.njobs)
        status = cli_usage_error(&cmd, "no URLs: give them as arguments or with --file FILE");
    if (!status) {
        /* A worker per URL at most: more would only wait, each on its own stack. */
        if (run.concurrency > run.njobs)
            run.concurrency = (unsigned)run.njobs;
        if (!run.per_host || run.per_host > run.concurrency)
            run.per_host = run.concurrency;
        run.progress = isatty(2);
        run.redraw = run.progress && isatty(1);
        pthread_mutex_init(&run.out, NULL);
        int err = run_all(&run);
        pthread_mutex_destroy(&run.out);
        if (run.json)
            print_summary(&run);
        if (err < 0 && err != -ECANCELED)
            fprintf(stderr, "eddy fetch: %s\n", strerror(-err));
        status = err < 0 || run.failed || run.done < run.njobs ? 1 : 0;
    }
    for (size_t i = 0; i < run.njobs; i++) {
        free((char *)run.jobs[i].url);
        free(run.jobs[i].final_url);
        free(run.jobs[i].error);
        free(run.jobs[i].title);
    }
    free(run.jobs);
    return status;
}
