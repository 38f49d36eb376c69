/*
 * export.c — `eddy export`: the subscriptions as OPML 2.0 on stdout.
 */
#include "cli.h"

#include "eddy/app.h"
#include "eddy/store.h"

#include <errno.h>
#include <stdio.h>

int cmd_export(int argc, char **argv)
{
    const char *data = NULL;
    const struct cli_opt table[] = {CLI_OPT_DATA(&data)};
    const struct cli_command cmd = {
        .name = "export",
        .usage = "[OPTIONS]",
        .about = "Prints every subscription as OPML 2.0: one outline per category holding its\n"
                 "feeds, uncategorized feeds at the top.  `eddy import` reads it back.",
        .footer = "exit status: 0 done, 1 the store failed, 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .args_name = "no argument",
    };
    int status;
    struct eddy_store *s;
    if (cli_parse_store(&cmd, argc, argv, &data, &s, &status) < 0)
        return status;
    struct eddy_store_feed *feeds;
    size_t n;
    int err = eddy_store_feeds(s, &feeds, &n);
    eddy_store_close(s);
    struct eddy_buf b;
    eddy_buf_init(&b, 0);
    if (err == 0) {
        err = eddy_app_opml_write(feeds, n, &b);
        eddy_store_feeds_free(feeds, n);
    }
    if (err == 0 && fwrite(b.data, 1, b.len, stdout) != b.len)
        err = -EIO;
    eddy_buf_free(&b);
    if (err < 0)
        fprintf(stderr, "eddy export: %s\n", eddy_strerror(err));
    return err < 0;
}
