/* fuzz/opml.c — libFuzzer target for OPML import (eddy_app_opml_parse).
 * Checked: the count returned is the number of outlines handed out, each
 * with a URL, all strings whole C strings; a stop asked by the callback
 * stops the walk at once and is returned; the same bytes give the same
 * outlines twice (no state kept between parses). */
#include "eddy/app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct walk {
    size_t n, stop_at; /* stop_at: 0 = never */
    uint64_t hash;
};

static uint64_t mix(uint64_t h, const char *s)
{
    if (!s)
        return (h ^ 0xff) * 0x100000001b3ull;
    for (size_t n = strlen(s), i = 0; i <= n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static int outline(void *arg, const struct eddy_app_outline *o)
{
    struct walk *w = arg;
    if (!o || !o->url)
        abort(); /* only outlines with an xmlUrl come out */
    w->hash = mix(mix(mix(w->hash, o->url), o->title), o->category);
    if (++w->n == w->stop_at)
        return -ECANCELED;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    struct walk a = {.hash = 0xcbf29ce484222325ull}, b = a;
    int n = eddy_app_opml_parse(data, size, outline, &a);
    if (n == -ENOMEM)
        return 0;
    if (n != -EBADMSG && (n < 0 || (size_t)n != a.n))
        abort(); /* the count is what was handed out */
    if (n == -EBADMSG && a.n)
        abort(); /* no OPML, no outlines */
    int m = eddy_app_opml_parse(data, size, outline, &b);
    if (m != n || b.hash != a.hash)
        abort(); /* deterministic */
    if (n > 0) {
        struct walk c = {.stop_at = (size_t)n};
        if (eddy_app_opml_parse(data, size, outline, &c) != -ECANCELED || c.n != (size_t)n)
            abort(); /* the callback's stop is returned, at once */
    }
    return 0;
}
