/*
 * import.c — `eddy import`: subscribe to every feed of an OPML file, each in
 * the category of the outline that holds it.  Trusted like `eddy add`.
 */
#include "cli.h"

#include "eddy/app.h"
#include "eddy/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct import {
    struct eddy_store *s;
    size_t added, existed;
};

static int add_one(void *arg, const struct eddy_app_outline *o)
{
    struct import *im = arg;
    int err = eddy_store_feed_add(im->s, o->url, o->title, o->category, NULL);
    if (err == -EEXIST)
        im->existed++;
    else if (err == 0)
        im->added++;
    else
        fprintf(stderr, "eddy import: %s: %s\n", o->url, eddy_strerror(err));
    return err == -EEXIST ? 0 : err;
}

static int read_all(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return -errno;
    struct eddy_buf b;
    eddy_buf_init(&b, 0);
    char chunk[65536];
    int err = 0;
    for (size_t n; !err && (n = fread(chunk, 1, sizeof chunk, f)) > 0;)
        err = eddy_buf_append(&b, chunk, n);
    if (!err && ferror(f))
        err = -EIO;
    if (f != stdin)
        fclose(f);
    if (err) {
        eddy_buf_free(&b);
        return err;
    }
    *out = eddy_buf_detach(&b, len);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    const char *data = NULL;
    const struct cli_opt table[] = {CLI_OPT_DATA(&data)};
    const struct cli_command cmd = {
        .name = "import",
        .usage = "[OPTIONS] FILE.opml",
        .about = "Subscribes to every feed (outline with an xmlUrl, at any depth) of the OPML\n"
                 "file (- for stdin), filed under the title of the outline that holds it.\n"
                 "Feeds already subscribed are left as they are.  Exports of Miniflux,\n"
                 "FreshRSS, newsboat and `eddy export` import.",
        .footer = "exit status: 0 done, 1 the file is unreadable or no OPML, or the store failed,\n"
                  "2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .min_args = 1,
        .max_args = 1,
        .args_name = "one FILE",
    };
    int status, n = cli_parse(&cmd, argc, argv, &status);
    if (n < 0)
        return status;
    char *bytes = NULL;
    size_t len = 0;
    int err = read_all(argv[0], &bytes, &len);
    if (err < 0) {
        fprintf(stderr, "eddy import: %s: %s\n", argv[0], strerror(-err));
        return 1;
    }
    struct import im = {0};
    if ((status = cli_store_open(&cmd, data, &im.s))) {
        free(bytes);
        return status;
    }
    err = eddy_app_opml_parse(bytes, len, add_one, &im);
    free(bytes);
    eddy_store_close(im.s);
    if (err == -EBADMSG) {
        fprintf(stderr, "eddy import: %s: no OPML document\n", argv[0]);
        return 1;
    }
    printf("imported %zu feeds (%zu already subscribed)\n", im.added, im.existed);
    return err < 0;
}
