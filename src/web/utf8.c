/*
 * utf8.c — the UTF-8 repair shared by the form parsers: decoded request
 * data must be valid UTF-8 before it meets jansson or a template.
 */
#include "internal.h"

#include "eddy/buf.h"

#include "../base/text.h"

int eddy__utf8_append(struct eddy_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* valid bytes not yet appended */
    for (size_t i = 0; i < n;) {
        size_t bad, l = eddy__utf8_seq(p + i, n - i, &bad);
        if (l) {
            i += l;
            run += l;
            continue;
        }
        int err = eddy_buf_append(out, p + i - run, run);
        if (!err)
            err = eddy_buf_append(out, "\xEF\xBF\xBD", 3);
        if (err)
            return err;
        run = 0;
        i += bad;
    }
    return eddy_buf_append(out, p + n - run, run);
}
