/*
 * parse.c — `eddy parse [--url URL] [--header 'Name: value']... [--diagnostics] FILE|-`
 *
 * Reads FILE (or stdin) in chunks, pushes them into the sans-IO feed parser
 * and prints the result as ONE JSON object on stdout, the contract of
 * shared/conformance/README.md.  Exit 0 whenever a result was produced (bozo
 * feeds included); 1 when the input cannot be read; 2 on usage errors.
 * --diagnostics lists the parser's repairs on stderr ("offset: message").
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eddy/feed.h"

#define MAX_HEADERS 64

static int usage(void)
{
    fprintf(stderr, "usage: eddy parse [--url URL] [--header 'Name: value']... [--diagnostics] FILE|-\n");
    return 2;
}

int cmd_parse(int argc, char **argv)
{
    const char *url = NULL, *path = NULL;
    struct eddy_feed_header headers[MAX_HEADERS];
    char *hbuf[MAX_HEADERS];
    size_t nh = 0;
    bool diags = false;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--url") && i + 1 < argc) {
            url = argv[++i];
        } else if (!strcmp(argv[i], "--header") && i + 1 < argc) {
            const char *h = argv[++i];
            const char *colon = strchr(h, ':');
            if (!colon || nh == MAX_HEADERS) {
                fprintf(stderr, "eddy parse: bad --header '%s' (want 'Name: value')\n", h);
                goto out;
            }
            char *copy = strdup(h);
            if (!copy)
                goto out;
            hbuf[nh] = copy;
            char *c = copy + (colon - h);
            *c = 0;
            char *name = copy, *value = c + 1;
            while (*name == ' ' || *name == '\t')
                name++;
            for (char *e = name + strlen(name); e > name && (e[-1] == ' ' || e[-1] == '\t');)
                *--e = 0;
            while (*value == ' ' || *value == '\t')
                value++;
            for (char *e = value + strlen(value); e > value && (e[-1] == ' ' || e[-1] == '\t');)
                *--e = 0;
            headers[nh++] = (struct eddy_feed_header){name, value};
        } else if (!strcmp(argv[i], "--diagnostics")) {
            diags = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage();
            status = 0;
            goto out;
        } else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
            path = argv[i];
        } else {
            usage();
            goto out;
        }
    }
    if (!path) {
        usage();
        goto out;
    }
    status = 1;
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
    if (fd < 0) {
        fprintf(stderr, "eddy parse: %s: %s\n", path, strerror(errno));
        goto out;
    }
    struct eddy_feed_opts opts = {.url = url, .headers = nh ? headers : NULL, .nheaders = nh};
    struct eddy_feed_parser *p = eddy_feed_parser_new(&opts);
    if (!p) {
        fprintf(stderr, "eddy parse: out of memory\n");
        if (fd)
            close(fd);
        goto out;
    }
    static char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "eddy parse: %s: %s\n", path, strerror(errno));
            break;
        }
        if (n == 0) {
            status = 0;
            break;
        }
        int err = eddy_feed_parser_push(p, chunk, (size_t)n);
        if (err) {
            fprintf(stderr, "eddy parse: %s: %s\n", path, strerror(-err));
            break;
        }
    }
    if (fd)
        close(fd);
    if (status == 0) {
        struct eddy_feed *f;
        struct eddy_buf out = EDDY_BUF_INIT(0);
        if (eddy_feed_parser_finish(p, &f) || eddy_feed_to_json(eddy_feed_root(f), &out) || eddy_buf_putc(&out, '\n')) {
            fprintf(stderr, "eddy parse: out of memory\n");
            status = 1;
        } else {
            fwrite(out.data, 1, out.len, stdout);
            if (fflush(stdout))
                status = 1;
            if (diags)
                for (size_t i = 0; i < eddy_feed_diag_count(f); i++) {
                    size_t off;
                    const char *msg = eddy_feed_diag(f, i, &off);
                    fprintf(stderr, "%zu: %s\n", off, msg);
                }
        }
        eddy_buf_free(&out);
        eddy_feed_free(f);
    }
    eddy_feed_parser_free(p);
out:
    for (size_t i = 0; i < nh; i++)
        free(hbuf[i]);
    return status;
}
