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

/* The outlines, gathered to be added in one transaction: the strings are
 * copied (the parser lends them for the call only). */
struct import {
    struct eddy_store_feed_new *feeds;
    size_t n, cap;
};

static int gather(void *arg, const struct eddy_app_outline *o)
{
    struct import *im = arg;
    if (im->n == im->cap) {
        size_t cap = im->cap ? im->cap * 2 : 64;
        struct eddy_store_feed_new *v = realloc(im->feeds, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        im->feeds = v, im->cap = cap;
    }
    struct eddy_store_feed_new *f = &im->feeds[im->n];
    *f = (struct eddy_store_feed_new){.url = strdup(o->url),
                                      .title = o->title ? strdup(o->title) : NULL,
                                      .category = o->category ? strdup(o->category) : NULL};
    im->n++;
    if (!f->url || (o->title && !f->title) || (o->category && !f->category))
        return -ENOMEM;
    return 0;
}

static void import_fini(struct import *im)
{
    for (size_t i = 0; i < im->n; i++) {
        free((char *)im->feeds[i].url);
        free((char *)im->feeds[i].title);
        free((char *)im->feeds[i].category);
    }
    free(im->feeds);
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
    err = eddy_app_opml_parse(bytes, len, gather, &im);
    free(bytes);
    if (err == -EBADMSG) {
        fprintf(stderr, "eddy import: %s: no OPML document\n", argv[0]);
        import_fini(&im);
        return 1;
    }
    struct eddy_store *s = NULL;
    if (err >= 0 && (status = cli_store_open(&cmd, data, &s))) {
        import_fini(&im);
        return status;
    }
    if (err >= 0)
        err = eddy_store_feeds_add(s, im.feeds, im.n);
    eddy_store_close(s);
    if (err < 0) {
        fprintf(stderr, "eddy import: %s: %s\n", argv[0], eddy_strerror(err));
        import_fini(&im);
        return 1;
    }
    size_t existed = 0;
    for (size_t i = 0; i < im.n; i++) {
        existed += im.feeds[i].err == -EEXIST;
        if (im.feeds[i].err < 0 && im.feeds[i].err != -EEXIST)
            fprintf(stderr, "eddy import: %s: %s\n", im.feeds[i].url,
                    eddy_strerror(im.feeds[i].err));
    }
    printf("imported %d feeds (%zu already subscribed)\n", err, existed);
    import_fini(&im);
    return 0;
}
