/* uri.c — PLACEHOLDER until URI resolution lands: returns ref unchanged. */
#include "uri.h"

int eddy__uri_resolve(struct eddy_buf *out, const char *base, const char *ref)
{
    (void)base;
    return eddy_buf_puts(out, ref);
}

int eddy__uri_resolve_safe(struct eddy_buf *out, const char *base, const char *ref)
{
    return eddy__uri_resolve(out, base, ref);
}

bool eddy__uri_scheme_ok(const char *uri)
{
    (void)uri;
    return true;
}
