/*
 * data.c — what the aggregator's commands share: the data folder and its store.
 */
#include "cli.h"

#include "eddy/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int cli_store_open(const struct cli_command *cmd, const char *flag, struct eddy_store **out)
{
    char *dir = NULL;
    int err = eddy_store_dir(flag, &dir);
    if (err < 0) {
        fprintf(stderr, "eddy %s: no data folder: %s (give --data DIR or set EDDY_DATA)\n",
                cmd->name, eddy_strerror(err));
        return 1;
    }
    err = eddy_store_open(dir, out);
    if (err < 0)
        fprintf(stderr, "eddy %s: %s: %s\n", cmd->name, dir,
                err == -EPROTO ? "the database was made by a newer eddy" : eddy_strerror(err));
    free(dir);
    return err < 0 ? 1 : 0;
}

int cli_parse_store(const struct cli_command *cmd, int argc, char **argv, const char *const *data,
                    struct eddy_store **out, int *status)
{
    int n = cli_parse(cmd, argc, argv, status);
    if (n < 0 || (*status = cli_store_open(cmd, *data, out)))
        return -1;
    return n;
}
