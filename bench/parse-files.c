/*
 * parse-files.c — parses every file named on the command line in one
 * process (full feedparser model: sanitizing and URI resolution included;
 * the result is discarded) and prints the number of entries.  The command
 * shared/bench/parse-throughput times.  Files are read in 64 KiB chunks,
 * each pushed as it is read, as a network client would.  EDDY_MAX_CPU_NS
 * sets the CPU budget of each document (eddy_feed_opts.max_cpu_ns): under
 * valgrind the default one cuts the big documents short, at points that
 * differ from run to run.  EDDY_URL sets the document's URL (relative URIs
 * are then resolved against it, as `eddy fetch` does).
 */
#include <stdio.h>
#include <stdlib.h>

#include "eddy/feed.h"

int main(int argc, char **argv)
{
    size_t entries = 0;
    struct eddy_feed_opts opts = {0};
    const char *cpu = getenv("EDDY_MAX_CPU_NS");
    if (cpu)
        opts.max_cpu_ns = strtoll(cpu, NULL, 10);
    opts.url = getenv("EDDY_URL");
    int status = 0;
    static char chunk[65536];
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            status = 1;
            continue;
        }
        struct eddy_feed_parser *p = eddy_feed_parser_new(&opts);
        if (!p)
            return 1;
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            if (eddy_feed_parser_push(p, chunk, n))
                break;
        fclose(f);
        struct eddy_feed *res;
        if (eddy_feed_parser_finish(p, &res)) {
            fprintf(stderr, "%s: out of memory\n", argv[i]);
            status = 1;
        } else {
            entries += eddy_feed_len(eddy_feed_get(eddy_feed_root(res), "entries"));
        }
        eddy_feed_free(res);
        eddy_feed_parser_free(p);
    }
    printf("%zu\n", entries);
    return status;
}
