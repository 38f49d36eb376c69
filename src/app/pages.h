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
/* pages_digest.c: /digest, /digest/mail.html (its own CSP: headers_after
 * leaves that endpoint's alone) and POST /digest/send. */
int eddy__pages_digest_routes(struct eddy_app *web);

#endif
