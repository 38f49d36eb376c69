/*
 * refresh.c — `eddy refresh`: one refresh pass (app.h) over the due feeds,
 * or all of them, then exit.  Feeds the owner added at the command line
 * (`eddy add`, `eddy import`) go through a session without SSRF guard: a
 * self-hosted feed on the home network is fetched.  Feeds added over HTTP
 * (the API) go through a guarded one (eddy_app_refresh_threads does that).
 */
#include "cli.h"

#include "eddy/app.h"
#include "eddy/store.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

struct refresh {
    struct eddy_store *store;
    struct eddy_app_refresh_opts o;
    unsigned per_host, threads;
    bool index; /* catch the search index up after the pass */
    struct eddy_app_summary sum;
    size_t done, total, errors;
    bool progress; /* stderr is a terminal */
    int width;     /* of the progress line on screen */
    int64_t drawn; /* when it was last drawn */
};

/* Draws the progress line over the previous one, padded to its width so a
 * shorter line leaves no tail. */
static void draw(struct refresh *r, bool last)
{
    char line[96];
    int len = snprintf(line, sizeof line, "%zu/%zu done, %zu errors", r->done, r->total, r->errors);
    fprintf(stderr, "\r%-*s%s", r->width, line, last ? "\n" : "");
    r->width = len > r->width ? len : r->width;
}

/* Failures on stderr (the feed's state also keeps them: `eddy list`). */
static void on_feed(void *arg, const struct eddy_app_feed_done *d)
{
    struct refresh *r = arg;
    r->done = d->done, r->total = d->total;
    if (d->error) {
        r->errors++;
        if (r->progress)
            fprintf(stderr, "\r%*s\r", r->width, "");
        fprintf(stderr, "eddy refresh: %s: %s\n", d->url, d->error);
    }
    if (r->progress && (d->error || eddy_now() - r->drawn > 100 * EDDY_MSEC)) {
        draw(r, false);
        r->drawn = eddy_now();
    }
}

/* Long because of its option table (one declaration per option, with its
 * help): the pass itself is eddy_app_refresh_threads. */
int cmd_refresh(int argc, char **argv)
{
    const char *data = NULL;
    int64_t interval_ns = EDDY_APP_INTERVAL_DEFAULT * EDDY_SEC;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct refresh r = {.o = {.workers = 64, .timeout_ns = 30 * EDDY_SEC},
                        .per_host = 8,
                        .threads = cpus > 0 ? (unsigned)cpus : 1};
    char threads_def[48];
    snprintf(threads_def, sizeof threads_def, "one per CPU, %u here", r.threads);
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&data),
        {.name = "all",
         .type = CLI_FLAG,
         .dst = &r.o.all,
         .help = "fetch every feed (dead ones excepted), due or not"},
        CLI_OPT_CONCURRENCY(&r.o.workers),
        CLI_OPT_PER_HOST(&r.per_host),
        CLI_OPT_TIMEOUT(&r.o.timeout_ns),
        {.name = "threads",
         .type = CLI_COUNT,
         .dst = &r.threads,
         .arg = "N",
         .help = "threads parsing feeds, each with its share of the limits above",
         .def = threads_def,
         .min = 1,
         .max = 1024},
        {.name = "index",
         .type = CLI_FLAG,
         .dst = &r.index,
         .help = "then bring the search index up to date (it trails the stored entries:"
                 " `eddy serve` indexes in the background)"},
        CLI_OPT_INTERVAL(&interval_ns),
    };
    const struct cli_command cmd = {
        .name = "refresh",
        .usage = "[OPTIONS]",
        .about = "Fetches every due feed once, concurrently, with conditional GET; stores the new\n"
                 "and changed entries and each feed's outcome, then exits.  A feed is due when\n"
                 "its next check has come: --interval after a success, later when the feed asks\n"
                 "so (<ttl>, Cache-Control max-age, Expires; at most 24 hours); after errors an\n"
                 "exponential backoff from 5 minutes, capped at 24 hours and never giving up,\n"
                 "and never before a 429's or 503's Retry-After; never in the hours and days\n"
                 "its <skipHours> and <skipDays> name.  A permanent redirect moves the feed to\n"
                 "its new URL; 410 Gone marks it dead (listed, no longer fetched).  On a\n"
                 "terminal a progress line on stderr; each failed feed on stderr; then one\n"
                 "summary line on stdout: feeds, fetched, not modified (304), errors, new and\n"
                 "updated entries.",
        .footer = "exit status: 0 the pass ran (feeds that failed are counted in the summary and\n"
                  "shown by `eddy list`), 1 it could not run (store, memory), 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .args_name = "no argument",
    };
    int status;
    if (cli_parse_store(&cmd, argc, argv, &data, &r.store, &status) < 0)
        return status;
    r.o.interval = interval_ns / EDDY_SEC;
    r.o.progress = on_feed;
    r.o.arg = &r;
    r.progress = isatty(2);
    int err = eddy_app_refresh_threads(
        r.store,
        &(struct eddy_session_opts){.max_concurrency = r.o.workers, .max_per_host = r.per_host},
        r.threads, &r.o, &r.sum);
    if (r.progress && r.done)
        draw(&r, true);
    if (err < 0) {
        eddy_store_close(r.store);
        fprintf(stderr, "eddy refresh: %s\n", eddy_strerror(err));
        return 1;
    }
    printf("%zu feeds: %zu fetched, %zu not modified, %zu errors, %zu new entries, %zu updated\n",
           r.sum.feeds, r.sum.fetched, r.sum.not_modified, r.sum.errors, r.sum.added,
           r.sum.updated);
    if (r.index) {
        fflush(stdout);
        int64_t t0 = eddy_now();
        long indexed = 0;
        int n;
        while ((n = eddy_store_index_pending(r.store, 0)) > 0)
            indexed += n;
        if (n < 0) {
            eddy_store_close(r.store);
            fprintf(stderr, "eddy refresh: indexing: %s\n", eddy_strerror(n));
            return 1;
        }
        printf("%ld entries indexed in %.1f s\n", indexed, (double)(eddy_now() - t0) / EDDY_SEC);
    }
    eddy_store_close(r.store);
    return 0;
}
