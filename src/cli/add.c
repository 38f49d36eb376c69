/*
 * add.c — `eddy add`: subscribe to feeds given on the command line.  The
 * owner at the command line is trusted: the feed may live on a private or
 * loopback address (refresh fetches it without the SSRF guard).
 */
#include "cli.h"

#include "eddy/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int cmd_add(int argc, char **argv)
{
    const char *data = NULL, *category = NULL;
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&data),
        {.name = "category",
         .type = CLI_STRING,
         .dst = &category,
         .arg = "NAME",
         .help = "file the feeds under category NAME"},
    };
    const struct cli_command cmd = {
        .name = "add",
        .usage = "[OPTIONS] URL...",
        .about = "Subscribes to the feeds at the URLs (http or https); the next `eddy refresh`\n"
                 "fetches them.  One line per URL: \"added ID URL\", or \"exists ID URL\" when\n"
                 "already subscribed.",
        .footer = "exit status: 0 every URL is subscribed (new or already), 1 the store failed,\n"
                  "2 bad usage (a URL that is not http or https included)",
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
    struct eddy_store *s;
    if ((status = cli_store_open(&cmd, data, &s)))
        return status;
    for (int i = 0; i < n; i++) {
        int64_t id = 0;
        int err = eddy_store_feed_add(s, argv[i], NULL, category, &id);
        if (err == 0 || err == -EEXIST) {
            printf("%s %" PRId64 " %s\n", err ? "exists" : "added", id, argv[i]);
        } else {
            fprintf(stderr, "eddy add: %s: %s\n", argv[i], eddy_strerror(err));
            status = 1;
        }
    }
    eddy_store_close(s);
    return status;
}
