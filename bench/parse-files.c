/*
 * parse-files.c — parses every file named on the command line in one
 * process (full feedparser model: sanitizing and URI resolution included;
 * the result is discarded) and prints the number of entries.  The command
 * shared/bench/parse-throughput times.  Files are read whole, then pushed
 * in 64 KiB chunks as a network client would.
 */
#include <stdio.h>
#include <stdlib.h>

#include "eddy/buf.h"
#include "eddy/feed.h"

int main(int argc, char **argv)
{
    size_t entries = 0;
    int status = 0;
    struct eddy_buf b = EDDY_BUF_INIT(0);
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            status = 1;
            continue;
        }
        eddy_buf_reset(&b);
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            if (eddy_buf_append(&b, chunk, n)) {
                fprintf(stderr, "%s: out of memory\n", argv[i]);
                return 1;
            }
        fclose(f);
        struct eddy_feed_parser *p = eddy_feed_parser_new(NULL);
        if (!p)
            return 1;
        for (size_t off = 0; off < b.len; off += sizeof chunk)
            if (eddy_feed_parser_push(p, b.data + off, b.len - off < sizeof chunk ? b.len - off : sizeof chunk))
                break;
        struct eddy_feed *res = eddy_feed_parser_finish(p);
        if (!res) {
            fprintf(stderr, "%s: out of memory\n", argv[i]);
            status = 1;
        } else {
            entries += eddy_feed_len(eddy_feed_get(eddy_feed_root(res), "entries"));
        }
        eddy_feed_free(res);
        eddy_feed_parser_free(p);
    }
    eddy_buf_free(&b);
    printf("%zu\n", entries);
    return status;
}
