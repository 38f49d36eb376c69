/*
 * app/cache.h — a loop's cache of rendered responses: the river page and
 * the API's entry lists, the views that every client asks for again and
 * again while nothing changed.
 *
 * Correct by construction: an entry is kept under the store's generation
 * (eddy_store_generation) read before the view's read transaction began,
 * and is served only while the generation is unchanged, so any write of
 * this process (a refresh, a mark, a removed feed, a setting) makes every
 * entry stale at once.  Another process writing the same data folder
 * (`eddy add`, `eddy passwd`, a second `eddy serve`) does not change the
 * generation: an entry older than EDDY__CACHE_TTL_NS is stale too, so what
 * such a write changed shows within a second (the price: one miss per key
 * and second under load).  The key is everything else the body depends on,
 * built by the view (query string, Host, login state, the minute of the
 * relative dates).
 *
 * The CSRF token is never part of a stored body: the page is rendered with
 * eddy__cache_hole()'s placeholder in its place and each response gets its
 * own request's token there, so a client without cookies (each request a
 * new token) still hits, and no session ever sees another's token.
 *
 * One cache per serving loop, used only from that loop's thread: no locks.
 * Bounded by EDDY__CACHE_ENTRIES entries and EDDY__CACHE_BYTES bytes of
 * bodies, the least recently used evicted first.
 */
#ifndef EDDY_APP_CACHE_H
#define EDDY_APP_CACHE_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

#define EDDY__CACHE_ENTRIES 64
#define EDDY__CACHE_BYTES   (8 << 20)
/* The backstop for other processes' writes; $EDDY_CACHE_TTL_MS, read when
 * the cache is made, replaces it (tests). */
#define EDDY__CACHE_TTL_NS (1000 * EDDY_MSEC)
#define EDDY__CACHE_HOLE   32 /* bytes of the placeholder (a CSRF token's) */

struct eddy__cache;

/* A new, empty cache (owned by the caller: eddy__cache_free), or NULL on
 * ENOMEM. */
struct eddy__cache *eddy__cache_new(void);
void eddy__cache_free(struct eddy__cache *c);

/* The placeholder a page is rendered with where the request's CSRF token
 * goes: EDDY__CACHE_HOLE random hex digits, the cache's own (borrowed). */
const char *eddy__cache_hole(const struct eddy__cache *c);

/* Answers res from the cache when key[0..len) is there, made under `gen`
 * and not older than the TTL: status 200, its Content-Type, its body with
 * `token` (EDDY__CACHE_HOLE bytes, or NULL when it has no hole) in the
 * holes.  When another request of this loop is building that body, waits
 * for it first (from req's task).  Returns 1 answered, 0 a miss (res
 * untouched: build it, then eddy__cache_keep), or a negative errno
 * (-ENOMEM, -ECANCELED).  Counts the hit or miss. */
EDDY_AWAITS int eddy__cache_answer(struct eddy__cache *c, struct eddy_request *req, const void *key,
                                   size_t len, uint64_t gen, struct eddy_response *res,
                                   const char *token);

/* A view's key and the generation it looked up under. */
struct eddy__cache_key {
    char *key; /* freed with the request */
    size_t len;
    uint64_t gen;
};

/* A view's first step: k := the key printf'd from fmt and the store's
 * generation now, then eddy__cache_answer with token.  1 answered, 0 a
 * miss or no cache (c NULL: build it, then eddy__cache_keep under k), or
 * a negative errno. */
EDDY_AWAITS int eddy__cache_lookup(struct eddy__cache *c, struct eddy_store *store,
                                   struct eddy_request *req, struct eddy_response *res,
                                   const char *token, struct eddy__cache_key *k, const char *fmt,
                                   ...) __attribute__((format(printf, 7, 8)));

/* After a miss, the view having rendered res (status 200, `type` its
 * Content-Type, the placeholder where the token goes): keeps a copy of the
 * body under key (when it fits the bounds), and puts `token` in the
 * response's holes.  `gen` is the generation read before the view's store
 * reads began.  A body without holes (no token in it: the API's) is also
 * kept gzipped when req's client takes gzip (compressed on the thread
 * pool), and answered so to such clients, with Vary: Accept-Encoding.
 * 0, or a negative errno (-ENOMEM, -ECANCELED; res then unusable). */
EDDY_AWAITS int eddy__cache_keep(struct eddy__cache *c, struct eddy_request *req, const void *key,
                                 size_t len, uint64_t gen, const char *type,
                                 struct eddy_response *res, const char *token);

/* One JSON value kept beside the bodies under a generation (the river's
 * counts and side lists, shared by all its pages): borrowed, NULL when none
 * was kept under `gen` within the TTL.  eddy__cache_set_value takes v's
 * reference (replacing the value kept before: a caller that awaits while
 * using a value takes its own reference first). */
json_t *eddy__cache_value(struct eddy__cache *c, uint64_t gen);
void eddy__cache_set_value(struct eddy__cache *c, uint64_t gen, json_t *v);

/* Hits and misses since the cache was made (/metrics; c may be NULL: 0). */
void eddy__cache_counts(const struct eddy__cache *c, uint64_t *hits, uint64_t *misses);
/* Entries and body bytes held now (/metrics; c may be NULL: 0). */
void eddy__cache_size(const struct eddy__cache *c, size_t *entries, size_t *bytes);

/* The startup and shutdown hooks that give every serving loop's site its
 * cache (site->cache), registered on web. */
int eddy__cache_hooks(struct eddy_app *web);

#endif
