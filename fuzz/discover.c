/* fuzz/discover.c — libFuzzer target for feed discovery in HTML pages
 * (eddy_app_discover).  The first byte picks the page URL (none, an http
 * URL with a path, an https origin, a URL with a query and fragment).
 * Checked: the count returned is the number of feeds handed out, each
 * with a URL; a stop asked by the callback is returned at once; the same
 * bytes give the same feeds twice (no state kept between parses). */
#include "eddy/app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct walk {
    size_t n, stop_at;
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

static int found(void *arg, const char *url, const char *title)
{
    struct walk *w = arg;
    if (!url)
        abort();
    w->hash = mix(mix(w->hash, url), title);
    if (++w->n == w->stop_at)
        return -ECANCELED;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 1 << 20)
        return 0;
    static const char *const pages[] = {NULL, "http://example.com/a/b?c", "https://example.org",
                                        "http://[::1]:8080/p/q.html?x=1#frag"};
    const char *page = pages[data[0] % 4];
    data++, size--;
    struct walk a = {.hash = 0xcbf29ce484222325ull}, b = a;
    int n = eddy_app_discover(data, size, page, found, &a);
    if (n == -ENOMEM)
        return 0;
    if (n < 0 || (size_t)n != a.n)
        abort();
    if (eddy_app_discover(data, size, page, found, &b) != n || b.hash != a.hash)
        abort();
    if (n > 0) {
        struct walk c = {.stop_at = 1};
        if (eddy_app_discover(data, size, page, found, &c) != -ECANCELED || c.n != 1)
            abort();
    }
    return 0;
}
