/*
 * pages_river.c — the river as feeds another reader can subscribe to:
 * /feeds/river.atom and /feeds/river.json, the newest 50 entries of every
 * feed or of one category (?category=NAME), each attributed to its source
 * feed (river.c writes them).
 */
#include "pages.h"

#include "eddy/buf.h"

#include <errno.h>
#include <string.h>

#define RIVER_MAX (16 << 20) /* bytes of one document: 50 entries fit many times */

struct river_job {
    const char *category; /* NULL: every feed */
    bool json;
    struct eddy_app_river r;
    struct eddy_buf out;
};

static int river_job(struct eddy_store *s, void *arg)
{
    struct river_job *j = arg;
    struct eddy_store_page page = {0};
    struct eddy_store_feed *feeds = NULL;
    size_t nfeeds = 0;
    int err = eddy_store_entries(
        s, &(struct eddy_store_query){.category = j->category, .enclosures = true}, &page);
    if (err == 0)
        err = eddy_store_feeds(s, &feeds, &nfeeds);
    if (err == 0)
        err = (j->json ? eddy_app_river_json : eddy_app_river_atom)(&j->r, page.entries, page.n,
                                                                    feeds, nfeeds, &j->out);
    eddy_store_feeds_free(feeds, nfeeds);
    eddy_store_page_fini(&page);
    return err;
}

static int river_feed(struct eddy_request *req, struct eddy_response *res, bool json)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const char *category = eddy_request_arg(req, "category");
    const char *host = eddy_request_header(req, "Host");
    struct eddy_buf self = EDDY_BUF_INIT(4096), home = EDDY_BUF_INIT(4096),
                    title = EDDY_BUF_INIT(512);
    if (host && !strpbrk(host, " \"<>\\^`{|}")) { /* a Host fit for a URL */
        eddy_buf_printf(&self, "http://%s%s%s%s", host, eddy_request_path(req),
                        *eddy_request_query(req) ? "?" : "", eddy_request_query(req));
        eddy_buf_printf(&home, "http://%s/", host);
    }
    eddy_buf_printf(&title, "eddy%s%s", category && *category ? ": " : "",
                    category && *category ? category : "");
    struct river_job j = {
        .category = category && *category ? category : NULL,
        .json = json,
        .r = {.title = eddy_buf_cstr(&title),
              .self_url = self.len ? eddy_buf_cstr(&self) : NULL,
              .home_url = home.len ? eddy_buf_cstr(&home) : NULL},
    };
    eddy_buf_init(&j.out, RIVER_MAX);
    int err = eddy_store_run_await(site->store, false, river_job, &j);
    if (err == 0) {
        eddy_response_set_status(res, 200);
        eddy_response_set_header(res, "Content-Type",
                                 json ? "application/feed+json" : "application/atom+xml");
        err = eddy_response_set_body(res, j.out.data, j.out.len);
    }
    eddy_buf_free(&j.out);
    eddy_buf_free(&self);
    eddy_buf_free(&home);
    eddy_buf_free(&title);
    if (err == -ECANCELED)
        return err;
    return err < 0 ? eddy_response_error(res, 500, eddy_strerror(err)) : 0;
}

static int river_atom(struct eddy_request *req, struct eddy_response *res)
{
    return river_feed(req, res, false);
}

static int river_json(struct eddy_request *req, struct eddy_response *res)
{
    return river_feed(req, res, true);
}

int eddy__pages_river_routes(struct eddy_app *web)
{
    int err = eddy_app_route(web, "GET", "/feeds/river.atom", river_atom, "river_atom");
    return err ? err : eddy_app_route(web, "GET", "/feeds/river.json", river_json, "river_json");
}
