/*
 * app/internal.h — what the HTTP side of `eddy serve` shares between the
 * files of app/: the site.  `eddy serve` runs one loop; the site lives on it
 * and is every request's loop_data (eddy_request_loop_data), so a view of
 * the JSON API, the pages or /metrics finds the store and the sessions there.
 */
#ifndef EDDY_APP_INTERNAL_H
#define EDDY_APP_INTERNAL_H

#include "eddy/app.h"
#include "eddy/web.h"

struct eddy__metrics; /* serve's counters (metrics.c) */

struct eddy__site {
    struct eddy_store *store;
    /* Fetches of feeds the owner added (eddy add, eddy import, the demo):
     * they may live on private addresses. */
    struct eddy_session *session;
    /* Fetches of URLs that arrived over HTTP (the API, the pages: parse,
     * add, discover, and every later refresh of a feed added that way,
     * store.h's `guarded`): ssrf_guard on, with the configured allow-list. */
    struct eddy_session *guarded;
    /* A feed was made due now (added, "refresh now"): the scheduler looks
     * at the due list again.  NULL when no scheduler runs (tests). */
    void (*wake)(struct eddy__site *site);
    void *sched;                   /* the scheduler's state, for wake */
    struct eddy__metrics *metrics; /* NULL: none kept */
    /* Access (auth.c): the API's bearer token (NULL: none configured), and
     * the pages' password login, a hook they set (NULL: none yet). */
    const char *token;
    bool (*logged_in)(struct eddy__site *site, struct eddy_request *req);
};

/* auth.c: whether req may change state: no credential is configured, or it
 * carries `Authorization: Bearer TOKEN` (compared in constant time), or
 * site->logged_in says so.  The API's routes get it as a before-request
 * hook (401 JSON otherwise); the pages call it for their forms. */
bool eddy__authorized(struct eddy__site *site, struct eddy_request *req);

/* api.c: the JSON API's routes under /api/v1 on `web`.  Its views read the
 * site from eddy_request_loop_data(req). */
int eddy__api_routes(struct eddy_app *web);

#endif
