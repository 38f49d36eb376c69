/*
 * add.c — `eddy add`: subscribe to feeds given on the command line.  Each
 * URL is fetched once: a feed is subscribed as it is, an HTML page through
 * the feed it announces (<link rel="alternate">).  The owner at the command
 * line is trusted: the feed may live on a private or loopback address
 * (refresh fetches it without the SSRF guard).  A page that announced the
 * feed is its site link until a fetch of the feed says otherwise (the feed's
 * own <link>, recorded by the refresh).
 */
#include "cli.h"

#include "eddy/app.h"
#include "eddy/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct add {
    struct eddy_store *store;
    const char *category;
    char **urls;
    int n;
    int64_t timeout_ns;
    int status;
};

static void subscribe(struct add *a, const char *url, const char *via)
{
    int64_t id = 0;
    int err = eddy_store_feed_add(a->store, url, NULL, a->category, &id);
    if (err == 0 && via) {
        /* A feed just added was never fetched: a fetch record with only the
         * site link leaves every other field as it was (zeros and NULLs). */
        int serr =
            eddy_store_feed_fetched(a->store, id, &(struct eddy_store_fetch){.site_link = via});
        if (serr < 0)
            fprintf(stderr, "eddy add: %s: site link not recorded: %s\n", url, eddy_strerror(serr));
    }
    if (err == 0 || err == -EEXIST) {
        printf("%s %" PRId64 " %s", err ? "exists" : "added", id, url);
        if (via)
            printf(" (announced by %s)", via);
        putchar('\n');
    } else {
        fprintf(stderr, "eddy add: %s: %s\n", url, eddy_strerror(err));
        a->status = 1;
    }
}

static int run(void *arg)
{
    struct add *a = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    if (!s)
        return -errno;
    for (int i = 0; i < a->n; i++) {
        struct eddy_app_found f;
        int err = eddy_app_find_feed(s, a->urls[i], a->timeout_ns, &f);
        if (err == 0) {
            subscribe(a, f.url, strcmp(f.url, a->urls[i]) ? a->urls[i] : NULL);
        } else if (err == -ENOENT) {
            fprintf(stderr, "eddy add: %s: no feed there, and the page announces none\n",
                    a->urls[i]);
            a->status = 1;
        } else if (f.error) {
            fprintf(stderr, "eddy add: %s: %s; subscribed as given (refresh retries)\n", a->urls[i],
                    f.error);
            subscribe(a, a->urls[i], NULL);
        } else {
            fprintf(stderr, "eddy add: %s: %s\n", a->urls[i], eddy_strerror(err));
            a->status = 1;
        }
        eddy_app_found_clear(&f);
    }
    eddy_session_free(s);
    return 0;
}

int cmd_add(int argc, char **argv)
{
    const char *data = NULL;
    struct add a = {.timeout_ns = 15 * EDDY_SEC};
    bool no_fetch = false;
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&data),
        {.name = "category",
         .type = CLI_STRING,
         .dst = &a.category,
         .arg = "NAME",
         .help = "file the feeds under category NAME"},
        {.name = "no-fetch",
         .type = CLI_FLAG,
         .dst = &no_fetch,
         .help = "subscribe to the URLs as given, without fetching them first"},
        {.name = "timeout",
         .type = CLI_DURATION,
         .dst = &a.timeout_ns,
         .arg = "TIME",
         .help = "give up fetching a URL after TIME",
         .min = EDDY_MSEC,
         .max = 3600 * EDDY_SEC},
    };
    const struct cli_command cmd = {
        .name = "add",
        .usage = "[OPTIONS] URL...",
        .about =
            "Subscribes to the feeds at the URLs (http or https); the next `eddy refresh`\n"
            "fetches their entries.  Each URL is fetched first: a feed is subscribed as it\n"
            "is; an HTML page through the first feed it announces (<link rel=\"alternate\">\n"
            "with a feed's type); a URL that cannot be fetched now is subscribed as given.\n"
            "One line per feed: \"added ID URL\", or \"exists ID URL\" when already subscribed.",
        .footer = "exit status: 0 every URL is subscribed (new or already), 1 a page had no feed\n"
                  "or the store failed, 2 bad usage (a URL that is not http or https included)",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .min_args = 1,
        .max_args = INT32_MAX,
        .args_name = "URLs",
    };
    int status, n = cli_parse(&cmd, argc, argv, &status);
    if (n < 0)
        return status;
    for (int i = 0; i < n; i++)
        if (strncasecmp(argv[i], "http://", 7) && strncasecmp(argv[i], "https://", 8))
            return cli_usage_error(&cmd, "'%s' is no http or https URL", argv[i]);
    if ((status = cli_store_open(&cmd, data, &a.store)))
        return status;
    a.urls = argv, a.n = n;
    if (no_fetch) {
        for (int i = 0; i < n; i++)
            subscribe(&a, argv[i], NULL);
    } else {
        int err = eddy_run(run, &a, NULL);
        if (err < 0) {
            fprintf(stderr, "eddy add: %s\n", eddy_strerror(err));
            a.status = 1;
        }
    }
    eddy_store_close(a.store);
    return a.status;
}
