/*
 * app/pages.h — what the reader's pages (pages*.c) share.
 */
#ifndef EDDY_APP_PAGES_H
#define EDDY_APP_PAGES_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* The request's CSRF token: its cookie's, or a new random one set as a
 * SameSite=Lax HttpOnly cookie on res.  Borrowed from req; NULL on ENOMEM
 * or when no randomness could be had. */
const char *eddy__pages_csrf(struct eddy_request *req, struct eddy_response *res);
/* A state-changing POST's form, checked: authorized (auth.c), the Origin
 * (when sent) this server's, the form's `csrf` field equal to the cookie's.
 * Borrowed from req; NULL after answering (400, 403). */
const struct eddy_form *eddy__pages_post(struct eddy_request *req, struct eddy_response *res);
/* 303 to `back` when it is a path of this site, else to `fallback`. */
int eddy__pages_back(struct eddy_response *res, const char *back, const char *fallback);
/* t relative to now as words ("5 min ago", "in 2 h", "3 Dec 2026"). */
void eddy__pages_ago(int64_t now, int64_t t, char *out, size_t size);

/* pages_feeds.c: /feeds and its forms. */
int eddy__pages_feed_routes(struct eddy_app *web);
/* pages_river.c: /feeds/river.atom and /feeds/river.json (no template needed). */
int eddy__pages_river_routes(struct eddy_app *web);
/* pages_auth.c: /login, /logout, /settings, and the gate sending a visitor
 * without a login to /login when a password is set; with the login's
 * startup hook and reloading task (auth.c). */
int eddy__pages_auth_routes(struct eddy_app *web);
/* Sets "logged_in" in a page's ctx: the request carries a live session
 * (base.html then shows the Log out button).  0 or -ENOMEM. */
int eddy__pages_login_ctx(struct eddy_request *req, json_t *ctx);

/* pages.c: entry HTML as a page shows it, sanitized and closed (see
 * there).  malloc'ed (the caller frees it), or NULL on ENOMEM. */
char *eddy__pages_safe_html(const char *html);
/* pages_feeds.c: a feed's record and fetch status as the pages show them
 * (new reference, NULL on ENOMEM). */
json_t *eddy__pages_feed_json(const struct eddy_store_feed *f, int64_t now);
/* pages_entry.c: GET /entries/<id> (an entry's page: its text, its
 * enclosures' players) and GET /feeds/<id> (a feed's status, its entries,
 * its forms). */
int eddy__pages_entry_routes(struct eddy_app *web);
/* pages_status.c: /status (the feed doctor), POST /refresh, /events. */
int eddy__pages_status_routes(struct eddy_app *web);
/* pages_digest.c: /digest, /digest/mail.html (its own CSP: headers_after
 * leaves that endpoint's alone) and POST /digest/send. */
int eddy__pages_digest_routes(struct eddy_app *web);

#endif
