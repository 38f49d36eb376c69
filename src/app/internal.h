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
    /* The login's state (auth.c): whether a password is set, the live
     * sessions; NULL until loaded at start. */
    struct eddy__auth *auth;
    bool exposed;          /* listening beyond loopback */
    int64_t interval;      /* the refresh interval the owner set (s); 0: interval_flag */
    int64_t interval_flag; /* the command line's (--interval, else the default) */
    /* The refresh passes' live events (events.h), made and freed with the
     * scheduler; NULL when none runs. */
    struct eddy__hub *hub;
    /* The digest's recipients and schedule (digest_sched.c); NULL: no
     * recipient configured (the /digest page then only shows it). */
    struct eddy__digest *digest;
    /* The rendered responses kept (cache.h); NULL: none (tests). */
    struct eddy__cache *cache;
    /* api.c: the fetches asked over HTTP (/parse, subscribing with
     * discovery) that may run at once (its startup hook; see
     * eddy__fetch_slot). */
    struct eddy_sem *fetch_slots;
};

/* auth.c: whether req may change state: no credential is configured, or it
 * carries `Authorization: Bearer TOKEN` (compared in constant time), or
 * site->logged_in says so.  The API's routes get it as a before-request
 * hook (401 JSON otherwise); the pages call it for their forms. */
bool eddy__authorized(struct eddy__site *site, struct eddy_request *req);

/* api.c: the JSON API's routes under /api/v1 on `web`.  Its views read the
 * site from eddy_request_loop_data(req); its startup hook (the /parse
 * slots) needs the site made by one registered before this call. */
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
/* api.c: takes one of the loop's slots for a fetch a request asked for
 * (/parse, subscribing), given back when the request is done (its response
 * sent).  0 (also when the site has no slots); -EBUSY when none was free
 * within a few seconds (answer 503 with eddy__api_busy); another negative
 * errno (-ECANCELED: the client or the server is going away). */
EDDY_AWAITS int eddy__fetch_slot(struct eddy_request *req);
int eddy__api_busy(struct eddy_response *res);

int eddy__subscribe(struct eddy_request *req, struct eddy_store_feed_new *feed, bool *fetched,
                    const char **detail);

/* api.c: an OPML document body[0..len) read off the loop and its feeds
 * subscribed (guarded, the owner's categories) in one transaction, the
 * scheduler woken.  0 with *out; -EBADMSG not OPML, -E2BIG too many feeds,
 * else a store error.  Its size is the request body's, bounded by the server. */
struct eddy__imported {
    int found, added; /* outlines with a feed URL; feeds subscribed */
    size_t existing;  /* subscribed already */
};
int eddy__opml_import(struct eddy_request *req, const char *body, size_t len,
                      struct eddy__imported *out);

/* auth.c: the pages' login.  The startup hook and the background task
 * (registered by pages_auth.c) load the password's presence, the sessions
 * and the settings from the store, and again every 30 s (another process,
 * `eddy passwd`, may have changed them).  Sessions are checked in memory:
 * a page costs no store read for its login. */
struct eddy__auth;
int eddy__auth_startup(struct eddy_app *web, void **loop_data);
void eddy__auth_shutdown(struct eddy_app *web, void *loop_data);
int eddy__auth_task(void *web);
/* A password is set: every page but /login needs a login. */
bool eddy__auth_required(struct eddy__site *site);
/* The request carries a live session's cookie. */
bool eddy__auth_session(struct eddy__site *site, struct eddy_request *req);
/* Whether `password` opens the pages: the stored password's, or the API
 * token when no password is set.  Runs the hash off the loop; a wrong one
 * costs a second (whose caller holds its address's one attempt, see
 * eddy__auth_attempt).  0 right, -EACCES wrong (or nothing to log in
 * with), else an error. */
EDDY_AWAITS int eddy__auth_check(struct eddy_request *req, const char *password);
/* One attempt at a time per client address: true with the address's slot
 * taken (eddy__auth_attempt_end frees it), false when its other attempt
 * still runs or too many addresses try at once. */
bool eddy__auth_attempt(struct eddy__site *site, struct eddy_request *req);
void eddy__auth_attempt_end(struct eddy__site *site, struct eddy_request *req);
/* A new session for this browser: stored, remembered, its cookie set on res
 * (HttpOnly, SameSite=Lax, Path=/, Secure when the request came as https
 * through a proxy: X-Forwarded-Proto). */
EDDY_AWAITS int eddy__auth_login(struct eddy_request *req, struct eddy_response *res);
/* Ends this browser's session (its cookie cleared). */
EDDY_AWAITS int eddy__auth_logout(struct eddy_request *req, struct eddy_response *res);
/* Sets (NULL: removes) the password, off the loop; every session ends but
 * this request's when `keep` (a change made by a logged-in owner). */
EDDY_AWAITS int eddy__auth_set_password(struct eddy_request *req, const char *password, bool keep);
/* Stores the refresh interval (seconds; 0: back to the command line's). */
EDDY_AWAITS int eddy__auth_set_interval(struct eddy_request *req, int64_t seconds);
/* The Origin header, when sent, is this server's (scheme://Host). */
bool eddy__same_origin(struct eddy_request *req);

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
