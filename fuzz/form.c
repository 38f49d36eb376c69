/* fuzz/form.c — libFuzzer target for web/'s request-data parsers and router:
 * the input is parsed as a query string, a Cookie header, a multipart body
 * (with a fixed Content-Type, and with its first line as the boundary) and
 * routed as a path.  Nothing may crash or over-read; every field must be
 * NUL-terminated at its length; a matched route's url_for must route back
 * to the same values. */
#include "eddy/webutil.h"

#include <stdlib.h>
#include <string.h>

static void check(struct eddy_form *f, int err)
{
    if (err < 0 && !*eddy_form_error(f))
        abort(); /* an error always says why */
    for (size_t i = 0; i < eddy_form_count(f); i++) {
        const struct eddy_form_field *fd = eddy_form_field(f, i);
        if (fd->name[fd->name_len] || fd->value[fd->value_len] || strlen(fd->name) > fd->name_len)
            abort();
    }
}

static void route(const char *path, size_t n)
{
    static char h1, h2, h3;
    struct eddy_router *r = eddy_router_new();
    if (!r || eddy_router_add(r, "GET", "/f/<int:id>", "f", &h1) ||
        eddy_router_add(r, "GET POST", "/t/<name>/x", "t", &h2) ||
        eddy_router_add(r, NULL, "/s/<path:p>", "s", &h3))
        abort();
    struct eddy_route_match m, m2;
    struct eddy_buf url = EDDY_BUF_INIT(0);
    if (eddy_router_match(r, "GET", path, n, &m) == 0 && m.status == EDDY_ROUTE_FOUND &&
        m.nparams == 1 && strlen(m.params[0].value) == m.params[0].len) {
        const char *params[] = {m.params[0].name, m.params[0].value, NULL};
        if (eddy_router_url_for(r, m.endpoint, params, &url) == 0 &&
            url.len <= EDDY_ROUTE_MAX_PATH) { /* encoding may make it too long */
            if (eddy_router_match(r, "GET", url.data, url.len, &m2) != 0 ||
                m2.status != EDDY_ROUTE_FOUND || strcmp(m2.params[0].value, m.params[0].value))
                abort();
        }
    }
    eddy_buf_free(&url);
    eddy_router_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct eddy_form *f = eddy_form_new();
    if (!f)
        abort();
    check(f, eddy_form_parse_urlencoded(f, s, size));
    check(f, eddy_form_parse_cookies(f, s, size));
    check(f, eddy_form_parse_multipart(f, "multipart/form-data; boundary=XyZ", s, size));
    const char *nl = memchr(s, '\n', size);
    if (nl && nl - s < 200) {
        char ct[256] = "multipart/form-data; boundary=";
        size_t l = strlen(ct);
        memcpy(ct + l, s, (size_t)(nl - s));
        ct[l + (size_t)(nl - s)] = 0;
        check(f, eddy_form_parse_multipart(f, ct, nl + 1, size - (size_t)(nl + 1 - s)));
        check(f, eddy_form_parse_multipart(f, ct + l, nl + 1, size - (size_t)(nl + 1 - s)));
    }
    eddy_form_free(f);
    route(s, size);
    return 0;
}
