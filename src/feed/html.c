/* html.c — PLACEHOLDER until the sanitizer lands: escapes all markup, so the
 * output is safe but not what feedparser gives. */
#include "html.h"

static int escape(struct eddy_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int err = s[i] == '<' ? eddy_buf_puts(out, "&lt;")
                : s[i] == '>' ? eddy_buf_puts(out, "&gt;")
                : s[i] == '&' ? eddy_buf_puts(out, "&amp;")
                : s[i] == '"' ? eddy_buf_puts(out, "&quot;")
                : eddy_buf_putc(out, s[i]);
        if (err)
            return err;
    }
    return 0;
}

int eddy__html_sanitize(struct eddy_buf *out, const char *html, size_t len, bool xhtml)
{
    (void)xhtml;
    return escape(out, html, len);
}

int eddy__html_resolve_uris(struct eddy_buf *out, const char *html, size_t len,
                            const char *base, bool xhtml)
{
    (void)base; (void)xhtml;
    return eddy_buf_append(out, html, len);
}

size_t eddy__html_entity(const char *name, size_t len, char utf8[9])
{
    (void)name; (void)len; (void)utf8;
    return 0;
}
