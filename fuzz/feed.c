/* fuzz/feed.c — libFuzzer target for the feed parser (feed/feed.c, parser.c,
 * loose.c): any bytes give a result (bozo or not) in both modes — buffered
 * (with its loose second pass on XML errors) and callback mode pushed in
 * chunks whose size the first byte picks — and the result serializes to
 * JSON.  Memory errors and leaks are the sanitizers' to find. */
#include "eddy/feed.h"

#include <stdint.h>
#include <stdlib.h>

static int on_entry(void *arg, const struct eddy_feed_value *entry)
{
    struct eddy_buf *b = arg;
    eddy_buf_reset(b);
    return eddy_feed_to_json(entry, b);
}

static void check(struct eddy_feed *f)
{
    if (!f)
        abort(); /* only ENOMEM may give NULL, and inputs are small */
    struct eddy_buf b = EDDY_BUF_INIT(0);
    if (eddy_feed_to_json(eddy_feed_root(f), &b) || !b.len)
        abort();
    eddy_buf_free(&b);
    eddy_feed_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eddy_feed_header h[] = {{"Content-Type", "application/rss+xml; charset=utf-8"}};
    struct eddy_feed_opts o = {.url = "http://example.com/feed/", .headers = h, .nheaders = 1};
    check(eddy_feed_parse(data, size, size & 1 ? &o : NULL));

    struct eddy_buf entry = EDDY_BUF_INIT(0);
    struct eddy_feed_opts co = {.on_entry = on_entry, .arg = &entry};
    struct eddy_feed_parser *p = eddy_feed_parser_new(&co);
    if (!p)
        abort();
    size_t step = size ? data[0] % 64 + 1 : 1;
    for (size_t off = 0; off < size; off += step)
        if (eddy_feed_parser_push(p, data + off, size - off < step ? size - off : step))
            break;
    check(eddy_feed_parser_finish(p));
    eddy_feed_parser_free(p);
    eddy_buf_free(&entry);
    return 0;
}
