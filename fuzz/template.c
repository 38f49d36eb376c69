/* fuzz/template.c — libFuzzer target for template/: any source must
 * compile or fail cleanly, and render within the step and size bounds.
 * The input is up to three templates separated by NUL bytes: "main.html",
 * "inc.html" and "base.html", so include/extends/super are reachable; a
 * function f() echoes its arguments. */
#include "eddy/template.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char ctx_json[] =
    "{\"s\": \"<b>&'\\\"</b> caf\\u00e9\", \"n\": 42, \"r\": -2.5, \"t\": true, \"z\": null,"
    " \"l\": [1, \"two\", {\"a\": \"x\"}], \"o\": {\"k\": \"v\", \"n\": [0]},"
    " \"e\": [{\"title\": \"T<1>\", \"date\": \"2024-01-02T03:04:05Z\", \"u\": 1700000000}]}";

/* f(...): echoes its arguments; fails with more than three. */
static int echo(void *data, const char *const *args, size_t nargs, const char *const *kwargs,
                struct eddy_buf *out)
{
    (void)data;
    for (size_t i = 0; i < nargs; i++)
        if (!args[i] || eddy_buf_puts(out, args[i]) < 0)
            return -E2BIG;
    for (size_t i = 0; kwargs[i]; i += 2)
        if (!kwargs[i + 1] || eddy_buf_printf(out, "%s=%s", kwargs[i], kwargs[i + 1]) < 0)
            return -E2BIG;
    return nargs > 3 ? -EINVAL : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"main.html", "inc.html", "base.html"};
    if (size > 8192)
        return 0;
    json_t *ctx = json_loads(ctx_json, 0, NULL);
    struct eddy_templates *ts = eddy_templates_new(NULL);
    if (!ctx || !ts)
        abort();
    eddy_templates_set_max_steps(ts, 20000);
    if (eddy_templates_set_function(ts, "f", echo, NULL) < 0)
        abort();
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < 3 && p <= end; i++) {
        const char *z = memchr(p, 0, (size_t)(end - p));
        size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
        if (eddy_templates_add(ts, names[i], p, n) < 0 && !*eddy_templates_error(ts))
            abort(); /* an error always comes with a message */
        p += n + 1;
    }
    struct eddy_buf out = EDDY_BUF_INIT(1 << 16);
    int err = eddy_templates_render(ts, "main.html", ctx, &out);
    if ((err < 0 && out.len != 0) || (err < 0 && !*eddy_templates_error(ts)))
        abort();
    eddy_buf_free(&out);
    eddy_templates_free(ts);
    json_decref(ctx);
    return 0;
}
