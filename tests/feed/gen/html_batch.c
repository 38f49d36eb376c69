/*
 * html_batch.c — feed/html.c and feed/uri.c behind a pipe, for
 * tests/feed/gen/html_diff.py (differential tests against Python feedparser).
 *
 *   cc -O1 -std=c11 -D_GNU_SOURCE -Iinclude tests/feed/gen/html_batch.c \
 *      src/feed/html.c src/feed/uri.c src/base/buf.c -o html_batch
 *
 * Reads records "kind NUL base NUL input NUL" (kind: s/sx sanitize html/xhtml,
 * r/rx resolve, j urljoin, m make_safe_absolute_uri, m1 the same with one
 * argument) and writes "output NUL" for each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../../src/feed/html.h"
#include "../../../src/feed/uri.h"
/* records: kind '\0' base '\0' input '\0' -> output '\0' */
static char *rd(FILE *f, size_t *n)
{
    size_t cap = 256, len = 0;
    char *s = malloc(cap);
    int c;
    while ((c = getc(f)) != EOF && c != 0) {
        if (len + 1 >= cap)
            s = realloc(s, cap *= 2);
        s[len++] = (char)c;
    }
    if (c == EOF && len == 0) {
        free(s);
        return NULL;
    }
    s[len] = 0;
    *n = len;
    return s;
}
int main(void)
{
    size_t kn, bn, in_n;
    char *k, *b, *in;
    while ((k = rd(stdin, &kn)) && (b = rd(stdin, &bn)) && (in = rd(stdin, &in_n))) {
        struct eddy_buf o = EDDY_BUF_INIT(0);
        if (k[0] == 's')
            eddy__html_sanitize(&o, in, in_n, k[1] == 'x');
        else if (k[0] == 'r')
            eddy__html_resolve_uris(&o, in, in_n, b, k[1] == 'x');
        else if (k[0] == 'j')
            eddy__uri_resolve(&o, b, in);
        else if (k[0] == 'm')
            eddy__uri_resolve_safe(&o, b, k[1] == '1' ? NULL : in);
        fwrite(eddy_buf_cstr(&o), 1, o.len, stdout);
        putchar(0);
        eddy_buf_free(&o);
        free(k);
        free(b);
        free(in);
    }
    return 0;
}
