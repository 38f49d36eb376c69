/*
 * app/api.h — what the files of the JSON API (api*.c) share: strict input
 * checks that answer 4xx themselves, the JSON error shape, and replies whose
 * JSON text was built on the store's thread pool.
 *
 * Convention: a checker returns true when the input is good; false means it
 * has already answered (400, 413, 415...) and the view returns 0.
 */
#ifndef EDDY_APP_API_H
#define EDDY_APP_API_H

#include "internal.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define EDDY__API_BODY_MAX (64 * 1024) /* a JSON body; OPML has its own cap */

/* The site of the request's loop (internal.h). */
struct eddy__site *eddy__api_site(struct eddy_request *req);

/* {"error": message} with status.  Returns what eddy_response_json does. */
int eddy__api_error(struct eddy_response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers 400 with the message; returns false (for a checker). */
bool eddy__api_bad(struct eddy_response *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A store error as the status it means: -ENOENT 404 "no such <what>",
 * -EEXIST 409, -EINVAL 400, -EBUSY 503, else 500. */
int eddy__api_store_error(struct eddy_response *res, int err, const char *what);
/* Serializes v (reference stolen) into *text (malloc'ed; the caller frees
 * it, or hands it to eddy__api_reply).  Runs anywhere: the pool builds
 * replies.  0 or -ENOMEM. */
int eddy__api_dump(json_t *v, char **text);
/* Answers status with the JSON text (owned: freed here, also on failure). */
int eddy__api_reply(struct eddy_response *res, int status, char *text);

/* A GET with no parameters whose reply job(store, &text) builds on the
 * store's pool (text: char *, the JSON text); store errors as above. */
int eddy__api_get(struct eddy_request *req, struct eddy_response *res,
                  int (*job)(struct eddy_store *s, void *text), const char *what);

/* The query string's parameters, checked: each must be one of names[0..n)
 * and appear once; values[i] gets names[i]'s value or NULL. */
bool eddy__api_query(struct eddy_request *req, struct eddy_response *res, const char *const *names,
                     const char **values, size_t n);
/* A decimal integer in [min, max] (digits only, '-' when min < 0). */
bool eddy__api_int(struct eddy_response *res, const char *name, const char *value, int64_t min,
                   int64_t max, int64_t *out);
/* true/false/1/0. */
bool eddy__api_flag(struct eddy_response *res, const char *name, const char *value, bool *out);

/* The body as a JSON object: Content-Type application/json (which a
 * cross-site form cannot send without a CORS preflight), at most
 * EDDY__API_BODY_MAX bytes, every key among keys (NULL-terminated).
 * Borrowed from the request.  NULL after answering. */
json_t *eddy__api_body(struct eddy_request *req, struct eddy_response *res,
                       const char *const *keys);
/* body[key] as a boolean: *out -1 when absent, else 0 or 1. */
bool eddy__api_bool_field(struct eddy_response *res, json_t *body, const char *key, int *out);

/* A URL given over HTTP that eddy may fetch (http or https, printable
 * ASCII, bounded length). */
bool eddy__api_url_ok(struct eddy_response *res, const char *name, const char *url);
/* Answers a failed fetch through site->guarded: 502 "could not fetch" for
 * every transfer error (refused, unresolvable, unreachable alike: no port
 * scanner), with `detail` only when the target answered (-EREMOTEIO, "HTTP
 * status N"); 400 for a malformed URL. */
int eddy__api_fetch_error(struct eddy_response *res, int err, const char *detail);

/* A feed with how its fetches went (the names of `eddy list --json`, and
 * guarded, min_interval).  New reference; NULL on ENOMEM. */
json_t *eddy__api_feed_json(const struct eddy_store_feed *f);
/* An array of the feeds f[0..n) (failing: only those whose last fetch
 * failed, and dead ones).  New reference; NULL on ENOMEM. */
json_t *eddy__api_feeds_json(const struct eddy_store_feed *f, size_t n, bool failing);

/* A route of the API's blueprint (pattern below /api/v1). */
struct eddy__api_route {
    const char *methods, *pattern;
    eddy_view_fn view;
    const char *endpoint;
};
int eddy__api_add_routes(struct eddy_blueprint *bp, const struct eddy__api_route *r, size_t n);
/* The routes of api_entries.c and api_feeds.c. */
int eddy__api_entry_routes(struct eddy_blueprint *bp);
int eddy__api_feed_routes(struct eddy_blueprint *bp);

#endif
