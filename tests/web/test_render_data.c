/* Tests of eddy_render_data: a view renders C values (or any template
 * data) without building a json_t. */
#include "../test.h"

#include "eddy/web.h"

#include <stdio.h>

static int v_page(struct eddy_request *req, struct eddy_response *res)
{
    (void)req;
    struct eddy_tdata items[] = {eddy_tdata_str("a<b"), eddy_tdata_str("javascript:x")};
    struct eddy_tfield ctx[] = {{"title", eddy_tdata_str("T")},
                                {"n", eddy_tdata_int(2)},
                                {"links", eddy_tdata_array(items, 2)}};
    return eddy_render_data(res, "page.html", eddy_tdata_object(ctx, 3));
}

struct run {
    struct eddy_app *app;
    int status;
    char body[256], type[64];
};

static int get(void *arg)
{
    struct run *r = arg;
    struct eddy_test_reply *rep;
    CHECK_INT(eddy_app_test(r->app, "GET", "/", NULL, NULL, 0, &rep), ==, 0);
    r->status = eddy_test_reply_status(rep);
    snprintf(r->body, sizeof r->body, "%s", eddy_test_reply_body(rep, NULL));
    snprintf(r->type, sizeof r->type, "%s", eddy_test_reply_header(rep, "Content-Type"));
    eddy_test_reply_free(rep);
    return 0;
}

TEST(web_render_data)
{
    char path[512];
    snprintf(path, sizeof path, "%s/page.html", test_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs("{{ title }} {{ n + 1 }}{% for l in links %} <a href=\"{{ l|url }}\">{{ l }}</a>{% "
          "endfor %}",
          f);
    fclose(f);
    struct run r = {.app = eddy_app_new()};
    CHECK_INT(eddy_app_route(r.app, "GET", "/", v_page, NULL), ==, 0);
    CHECK_INT(eddy_app_templates(r.app, test_tmpdir()), ==, 0);
    CHECK_INT(eddy_run(get, &r, NULL), ==, 0);
    CHECK_INT(r.status, ==, 200);
    CHECK_STR(r.type, "text/html; charset=utf-8");
    CHECK_STR(r.body, "T 3 <a href=\"a&lt;b\">a&lt;b</a> <a href=\"\">javascript:x</a>");
    eddy_app_free(r.app);
}
