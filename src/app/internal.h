/*
 * app/internal.h — what the HTTP side of `eddy serve` shares between the
 * files of app/: the site.  `eddy serve` runs one loop; the site lives on it
 * and is every request's loop_data (eddy_request_loop_data), so a view of
 * the JSON API, the pages or /metrics finds the store and the sessions there.
 */
#ifndef EDDY_APP_INTERNAL_H
#define EDDY_APP_INTERNAL_H

#include "eddy/app.h"
#include "eddy/store.h"
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
    /* The digest's recipients and schedule (digest_sched.c); NULL: no
     * recipient configured (the /digest page then only shows it). */
    struct eddy__digest *digest;
};

/* auth.c: whether req may change state: no credential is configured, or it
 * carries `Authorization: Bearer TOKEN` (compared in constant time), or
 * site->logged_in says so.  The API's routes get it as a before-request
 * hook (401 JSON otherwise); the pages call it for their forms. */
bool eddy__authorized(struct eddy__site *site, struct eddy_request *req);

/* api.c: the JSON API's routes under /api/v1 on `web`.  Its views read the
 * site from eddy_request_loop_data(req). */
int eddy__api_routes(struct eddy_app *web);

/* api_entries.c: a river cursor as clients see it, opaque ("67522a80-2a":
 * the date and id in hex), and read back strictly (false: malformed). */
void eddy__cursor_format(const struct eddy_store_cursor *c, char out[40]);
bool eddy__cursor_parse(const char *s, struct eddy_store_cursor *c);

/* api_feeds.c: subscribes to feed->url, a URL that came over HTTP (the API,
 * the pages): discovery through site->guarded, stored guarded, the
 * scheduler woken.  0 with feed->id; -EEXIST subscribed already (feed->id
 * that feed's); else an error, *fetched telling whether it came from the
 * fetch (-ENOENT: no feed there, and the page announces none; *detail,
 * borrowed from req, says what the target answered) or from the store. */
int eddy__subscribe(struct eddy_request *req, struct eddy_store_feed_new *feed, bool *fetched,
                    const char **detail);

/* api.c: an OPML document body[0..len) read off the loop and its feeds
 * subscribed (guarded, the owner's categories) in one transaction, the
 * scheduler woken.  0 with *out; -EFBIG larger than the API takes, -EBADMSG
 * not OPML, -E2BIG too many feeds, else a store error. */
struct eddy__imported {
    int found, added; /* outlines with a feed URL; feeds subscribed */
    size_t existing;  /* subscribed already */
};
int eddy__opml_import(struct eddy_request *req, const char *body, size_t len,
                      struct eddy__imported *out);

/* pages*.c: the reader's pages (/, /feeds, /static/) on `web`, their
 * templates and static files in dir/templates and dir/static (dir NULL:
 * none found, the pages answer 503). */
int eddy__pages_routes(struct eddy_app *web, const char *dir);

/* digest_sched.c: sends the digest of the entries first seen since `since`
 * (Unix seconds) to the configured recipients, from a task: compiled on the
 * store's pool, written and mailed on a thread (libcurl blocks).  0 with
 * *sent the entries mailed (0: nothing new, nothing sent); else an error
 * and *why (malloc'ed, the caller frees; may be NULL) a one-line reason.
 * -ENOENT when no recipient is configured. */
EDDY_AWAITS int eddy__digest_send(struct eddy__site *site, int64_t since, size_t *sent, char **why);
/* The configured recipients, or NULL. */
const char *eddy__digest_to(const struct eddy__site *site);

#endif
