/*
 * remove.c — `eddy remove`: unsubscribe from one feed, by URL or by id.
 */
#include "cli.h"

#include "eddy/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_remove(int argc, char **argv)
{
    const char *data = NULL;
    const struct cli_opt table[] = {CLI_OPT_DATA(&data)};
    const struct cli_command cmd = {
        .name = "remove",
        .usage = "[OPTIONS] URL|ID",
        .about = "Unsubscribes from the feed with that URL or id (as `eddy list` shows them)\n"
                 "and deletes its entries.",
        .footer = "exit status: 0 removed, 1 no such feed or the store failed, 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .min_args = 1,
        .max_args = 1,
        .args_name = "one URL or ID",
    };
    int status;
    struct eddy_store *s;
    if (cli_parse_store(&cmd, argc, argv, &data, &s, &status) < 0)
        return status;
    const char *key = argv[0];
    struct eddy_store_feed f = {0};
    int err;
    if (*key && strspn(key, "0123456789") == strlen(key))
        err = eddy_store_feed(s, strtoll(key, NULL, 10), &f);
    else
        err = eddy_store_feed_by_url(s, key, &f);
    if (err == 0)
        err = eddy_store_feed_remove(s, f.id);
    if (err == 0)
        printf("removed %s\n", f.url);
    else
        fprintf(stderr, "eddy remove: %s: %s\n", key,
                err == -ENOENT ? "no such feed (`eddy list` shows them)" : eddy_strerror(err));
    eddy_store_feed_fini(&f);
    eddy_store_close(s);
    return err < 0;
}
