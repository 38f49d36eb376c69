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

/* The body as JSON: Content-Type application/json (which a cross-site form
 * cannot send without a CORS preflight), at most EDDY__API_BODY_MAX bytes.
 * Borrowed from the request.  NULL after answering (413, 415, 400). */
json_t *eddy__api_body(struct eddy_request *req, struct eddy_response *res);

/* A URL given over HTTP that eddy may fetch (http or https, printable
 * ASCII, at most EDDY__API_URL_MAX bytes). */
#define EDDY__API_URL_MAX 4096
bool eddy__api_url_valid(const char *url);
/* The same, answering 400 "'<name>' must be an http or https URL". */
bool eddy__api_url_ok(struct eddy_response *res, const char *name, const char *url);

/* Request bodies decoded without the request, so fuzz/api_body.c runs the
 * decoding the views run: each returns 0, or -EINVAL with the 400's message
 * in why (EDDY__API_WHY bytes, UTF-8).  Strings point into body. */
#define EDDY__API_WHY          512
#define EDDY__API_TITLE_MAX    1024 /* bytes of a title the user sets */
#define EDDY__API_CATEGORY_MAX 256
/* Formats the message into why; returns -EINVAL. */
int eddy__api_refuse(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* body is an object whose keys are all among keys (NULL-terminated). */
int eddy__api_body_check(const json_t *body, const char *const *keys, char *why);
/* body[key] as a boolean: *out -1 when absent, else 0 or 1. */
int eddy__api_bool_decode(const json_t *body, const char *key, int *out, char *why);

/* POST /feeds: {"url", "title"?, "category"?}; title and category NULL when
 * absent, null or "". */
struct eddy__api_feed_add {
    const char *url, *title, *category;
};
int eddy__api_feed_add_decode(const json_t *body, struct eddy__api_feed_add *out, char *why);
/* PATCH /feeds/N: {"title"?, "category"?}, at least one; set_* says which
 * was given (NULL: cleared). */
struct eddy__api_feed_patch {
    bool set_title, set_category;
    const char *title, *category;
};
int eddy__api_feed_patch_decode(const json_t *body, struct eddy__api_feed_patch *out, char *why);
/* PUT /entries/N {"read"?, "starred"?}, and with ids set (room for
 * EDDY_STORE_LIMIT_MAX) POST /entries/mark {"ids", "read"?, "starred"?}:
 * read and starred -1 when absent, at least one given; ids[0..n) positive. */
struct eddy__api_marks {
    int read, starred;
    int64_t *ids;
    size_t n;
};
int eddy__api_marks_decode(const json_t *body, struct eddy__api_marks *out, char *why);

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
