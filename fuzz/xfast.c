/*
 * fuzz/xfast.c — libFuzzer target for the tokenizer buffered mode tries
 * before libxml2 (src/feed/xfast.c: well-formed XML read without libxml2,
 * which parses from the start wherever the tokenizer gives up).
 *
 * Input: the document (at most 64 KiB), parsed in one push.
 * Check: with the tokenizer and without it, the result's JSON and the
 * diagnostics (offsets and messages) are byte-identical.
 */
#include "eddy/buf.h"
#include "eddy/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/feed/xfast.h"

static char *outcome(const uint8_t *data, size_t size, bool fast)
{
    eddy__xfast_enabled = fast;
    /* no CPU budget: where a slow run stops must not differ */
    struct eddy_feed_opts o = {.max_cpu_ns = 1000000000000};
    struct eddy_feed *f;
    int err = eddy_feed_parse(data, size, &o, &f);
    eddy__xfast_enabled = true;
    if (err)
        return NULL; /* ENOMEM */
    struct eddy_buf b = EDDY_BUF_INIT(0);
    if (eddy_feed_to_json(eddy_feed_root(f), &b))
        abort();
    for (size_t i = 0; i < eddy_feed_diag_count(f); i++) {
        size_t at;
        const char *m = eddy_feed_diag(f, i, &at);
        eddy_buf_printf(&b, "\n%zu %s", at, m);
    }
    eddy_feed_free(f);
    return eddy_buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *off = outcome(data, size, false), *on = outcome(data, size, true);
    if (off && on && strcmp(off, on)) {
        fprintf(stderr, "with the tokenizer:\n%s\nwithout:\n%s\n", on, off);
        abort();
    }
    free(off);
    free(on);
    return 0;
}
