/*
 * parse.c — `eddy parse`: one document to feedparser-shaped JSON.
 *
 * Reads FILE (or stdin) in chunks, pushes them into the sans-IO feed parser
 * and prints the result as ONE JSON object on stdout, the contract of
 * shared/conformance/README.md.  Messages on stderr name the input.
 *
 * Exit status: 0 when the result holds a feed, bozo feeds included; 1 when
 * the input cannot be read, or it is no feed (eddy_feed_not_a_feed: no feed
 * element, no entries, and ill-formed or empty at feed level) — the JSON is
 * printed all the same; 2 on bad usage.  None of feedparser's conformance
 * cases is "no feed" by that rule (CDF channels, which have no version, are
 * feeds), so the suite's "exit 0 whenever a result was produced" holds there.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eddy/feed.h"
#include "eddy/http.h"

#define MAX_HEADERS 64
#define STR_(x)     #x
#define STR(x)      STR_(x)

struct headers {
    struct eddy_feed_header h[MAX_HEADERS];
    size_t n;
};

/* --header 'Name: value', checked by the codec and cut in place (the string
 * is argv's: the name and the value become C strings inside it). */
static const char *add_header(void *dst, char *value)
{
    static char expected[128];
    struct headers *hs = dst;
    struct eddy_http_header h;
    const char *why;
    if (eddy_http_header_parse(value, strlen(value), &h, &why) < 0) {
        snprintf(expected, sizeof expected, "'Name: value' (%s)", why);
        return expected;
    }
    if (hs->n == MAX_HEADERS)
        return "at most " STR(MAX_HEADERS) " headers";
    ((char *)h.name)[h.name_len] = 0; /* a ':' or a space */
    ((char *)h.value)[h.value_len] = 0;
    hs->h[hs->n++] = (struct eddy_feed_header){h.name, h.value};
    return NULL;
}

/* Pushes all of fd into p.  Returns 0, or -1 after saying why. */
static int read_all(int fd, const char *name, struct eddy_feed_parser *p)
{
    static char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        int err = n < 0 ? -errno : n ? eddy_feed_parser_push(p, chunk, (size_t)n) : 0;
        if (err) {
            fprintf(stderr, "eddy parse: %s: %s\n", name, strerror(-err));
            return -1;
        }
        if (n == 0)
            return 0;
    }
}

/* Prints the result and, when asked, the parser's repairs, and frees f.
 * Returns the exit status. */
static int report(struct eddy_feed *f, const char *name, bool diags)
{
    struct eddy_buf out = EDDY_BUF_INIT(0);
    if (!f || eddy_feed_to_json(eddy_feed_root(f), &out) || eddy_buf_putc(&out, '\n')) {
        fprintf(stderr, "eddy parse: %s: out of memory\n", name);
        eddy_buf_free(&out);
        eddy_feed_free(f);
        return 1;
    }
    fwrite(out.data, 1, out.len, stdout);
    eddy_buf_free(&out);
    int status = fflush(stdout) ? 1 : 0;
    for (size_t i = 0; diags && i < eddy_feed_diag_count(f); i++) {
        size_t off;
        const char *msg = eddy_feed_diag(f, i, &off);
        fprintf(stderr, "eddy parse: %s: offset %zu: %s\n", name, off, msg);
    }
    const char *why = eddy_feed_not_a_feed(f);
    if (why) {
        fprintf(stderr, "eddy parse: %s: not a feed: %s\n", name, why);
        status = 1;
    }
    eddy_feed_free(f);
    return status;
}

int cmd_parse(int argc, char **argv)
{
    struct eddy_feed_opts opts = {0};
    struct headers hs = {.n = 0};
    bool diags = false;
    const struct cli_opt table[] = {
        {.name = "url",
         .type = CLI_STRING,
         .dst = &opts.url,
         .arg = "URL",
         .help = "the URL the document came from: href, and the base of relative links"},
        {.name = "header",
         .type = CLI_CALL,
         .dst = &hs,
         .arg = "'NAME: VALUE'",
         .call = add_header,
         .help = "an HTTP response header it came with (Content-Type...); repeatable",
         .def = "none"},
        {.name = "diagnostics",
         .type = CLI_FLAG,
         .dst = &diags,
         .help = "list the parser's repairs on stderr (FILE: offset N: message)"},
    };
    const struct cli_command cmd = {
        .name = "parse",
        .usage = "[--url URL] [--header 'NAME: VALUE']... [--diagnostics] FILE|-",
        .about = "Parses one feed document (RSS, Atom, RDF, CDF or JSON Feed) read from FILE,\n"
                 "or from standard input for -, and prints feedparser's result as one JSON\n"
                 "object.  It fetches nothing: --url and --header say how it was served.",
        .footer = "exit status: 0 a feed (ill-formed ones included: see \"bozo\"), 1 FILE cannot\n"
                  "be read or holds no feed (no feed element, no entries, and ill-formed or\n"
                  "empty; the JSON is printed anyway), 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .min_args = 1,
        .max_args = 1,
        .args_name = "one FILE, or - for standard input",
    };
    int status;
    if (cli_parse(&cmd, argc, argv, &status) < 0)
        return status;
    const char *path = argv[0], *name = strcmp(path, "-") ? path : "<stdin>";
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "eddy parse: %s: %s\n", name, strerror(errno));
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "eddy parse: %s: is a directory, not a feed document\n", name);
        close(fd);
        return 1;
    }
    opts.headers = hs.n ? hs.h : NULL;
    opts.nheaders = hs.n;
    struct eddy_feed_parser *p = eddy_feed_parser_new(&opts);
    status = 1;
    if (!p)
        fprintf(stderr, "eddy parse: out of memory\n");
    else if (read_all(fd, name, p) == 0) {
        struct eddy_feed *f = NULL;
        eddy_feed_parser_finish(p, &f); /* f stays NULL on ENOMEM: report says so */
        status = report(f, name, diags);
    }
    if (fd)
        close(fd);
    eddy_feed_parser_free(p);
    return status;
}
