/*
 * cache.c — the loop's response cache (cache.h says what it guarantees).
 *
 * 64 slots searched linearly by a hash of the key: a lookup is a few
 * hundred nanoseconds, beside the milliseconds a river page costs to build.
 */
#include "cache.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define HOLES_MAX   8               /* token places in a body; a body with more is not kept */
#define PENDING_MAX 16              /* bodies being built at once that others wait for */
#define WAIT_NS     (10 * EDDY_SEC) /* then a waiter builds it itself */
#define GZ_MIN      1024            /* a smaller body goes out as it is */
/* zlib's fastest: 193 KB of API JSON to 51 KB in 2.5 ms (46 KB in 12 ms at 6) */
#define GZ_LEVEL 1

/* A kept body, shared by the slot and the responses still sending it (an
 * API page is 190 KB: answered without a copy, and evicting it while it is
 * being sent is safe). */
struct blob {
    size_t refs;
    char data[];
};

static void blob_unref(void *arg)
{
    struct blob *b = arg;
    if (b && --b->refs == 0)
        free(b);
}

struct slot {
    char *key; /* NULL: a free slot */
    size_t key_len;
    uint64_t hash, gen, used; /* used: the LRU clock when last served */
    int64_t made;             /* eddy_now() */
    const char *type;         /* a static string */
    struct blob *body;
    size_t len;
    size_t holes[HOLES_MAX];
    size_t nholes;
    struct blob *gz; /* the body gzipped (no holes only), or NULL */
    size_t gz_len;
    bool gz_tried; /* made, or found not worth it: gz is final */
};

struct eddy__cache {
    struct slot slots[EDDY__CACHE_ENTRIES];
    size_t entries, bytes;
    uint64_t clock, hits, misses;
    int64_t ttl; /* EDDY__CACHE_TTL_NS, or $EDDY_CACHE_TTL_MS (tests) */
    struct pending *pending[PENDING_MAX];
    json_t *value; /* eddy__cache_value's, made under value_gen at value_made */
    uint64_t value_gen;
    int64_t value_made;
    char hole[EDDY__CACHE_HOLE + 1];
};

struct eddy__cache *eddy__cache_new(void)
{
    struct eddy__cache *c = calloc(1, sizeof *c);
    unsigned char raw[EDDY__CACHE_HOLE / 2];
    if (!c || getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        free(c);
        return NULL;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(c->hole + 2 * i, 3, "%02x", raw[i]);
    /* Tests make it long, so that only the generation can make a page
     * stale (a missed invalidation then shows). */
    const char *ttl = getenv("EDDY_CACHE_TTL_MS");
    c->ttl = ttl && *ttl ? strtoll(ttl, NULL, 10) * EDDY_MSEC : EDDY__CACHE_TTL_NS;
    return c;
}

static void drop(struct eddy__cache *c, struct slot *s)
{
    c->entries--;
    c->bytes -= s->len;
    free(s->key);
    blob_unref(s->body);
    blob_unref(s->gz);
    *s = (struct slot){0};
}

void eddy__cache_free(struct eddy__cache *c)
{
    for (size_t i = 0; c && i < EDDY__CACHE_ENTRIES; i++)
        if (c->slots[i].key)
            drop(c, &c->slots[i]);
    if (c)
        json_decref(c->value);
    free(c);
}

const char *eddy__cache_hole(const struct eddy__cache *c)
{
    return c->hole;
}

static uint64_t hash(const unsigned char *p, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a: keys are short */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

static struct slot *find(struct eddy__cache *c, const void *key, size_t len, uint64_t h)
{
    for (size_t i = 0; i < EDDY__CACHE_ENTRIES; i++) {
        struct slot *s = &c->slots[i];
        if (s->key && s->hash == h && s->key_len == len && !memcmp(s->key, key, len))
            return s;
    }
    return NULL;
}

/* res := s's body with token in its holes; gzipped when it has none and
 * the client takes it (a body with a hole carries a CSRF token: never
 * compressed, see eddy_gzip). */
static int answer_with(struct eddy_response *res, const struct slot *s, const char *token,
                       bool gzip)
{
    eddy_response_set_status(res, 200);
    int err = eddy_response_set_header(res, "Content-Type", s->type);
    if (!err && !s->nholes) {
        struct blob *b = gzip && s->gz ? s->gz : s->body;
        err = eddy_response_set_header(res, "Vary", "Accept-Encoding");
        if (!err && b == s->gz)
            err = eddy_response_set_header(res, "Content-Encoding", "gzip");
        if (err)
            return err;
        b->refs++;
        return eddy_response_set_body_shared(res, b->data, b == s->gz ? s->gz_len : s->len,
                                             blob_unref, b);
    }
    size_t at = 0;
    err = err ? err : eddy_response_set_body(res, NULL, 0);
    for (size_t i = 0; !err && i < s->nholes; i++) {
        err = eddy_response_append(res, s->body->data + at, s->holes[i] - at);
        err = err ? err : eddy_response_append(res, token, EDDY__CACHE_HOLE);
        at = s->holes[i] + EDDY__CACHE_HOLE;
    }
    return err ? err : eddy_response_append(res, s->body->data + at, s->len - at);
}

/* A body being built: the other requests for the same key and generation
 * wait for it instead of each building it (64 connections asking for the
 * river right after a write would otherwise build 64 copies at once). */
struct pending {
    struct eddy__cache *c;
    char *key;
    size_t len;
    uint64_t gen;
    struct eddy_event *done;
    int refs;      /* the builder's request's and each waiter's */
    bool released; /* kept, or the builder's request ended */
};

static void pending_unref(struct pending *p)
{
    if (--p->refs > 0)
        return;
    eddy_event_free(p->done);
    free(p->key);
    free(p);
}

/* The body is kept, or will not be: wakes the waiters (they look again). */
static void pending_release(struct pending *p)
{
    if (p->released)
        return;
    p->released = true;
    for (size_t i = 0; i < PENDING_MAX; i++)
        if (p->c->pending[i] == p)
            p->c->pending[i] = NULL;
    eddy_event_set(p->done);
}

/* The builder's request ends (deferred): whatever happened to it. */
static void pending_end(void *arg)
{
    pending_release(arg);
    pending_unref(arg);
}

static struct pending *pending_find(struct eddy__cache *c, const void *key, size_t len,
                                    uint64_t gen)
{
    for (size_t i = 0; i < PENDING_MAX; i++) {
        struct pending *p = c->pending[i];
        if (p && p->gen == gen && p->len == len && !memcmp(p->key, key, len))
            return p;
    }
    return NULL;
}

/* Registers req as the builder of key (when there is room): released by
 * eddy__cache_keep or, whatever happens, when the request ends. */
static int pending_start(struct eddy__cache *c, struct eddy_request *req, const void *key,
                         size_t len, uint64_t gen)
{
    size_t i = 0;
    while (i < PENDING_MAX && c->pending[i])
        i++;
    if (i == PENDING_MAX)
        return 0; /* many builds at once: this one is not waited for */
    struct pending *p = calloc(1, sizeof *p);
    if (!p || !(p->key = malloc(len ? len : 1)) || !(p->done = eddy_event_new())) {
        if (p)
            free(p->key);
        free(p);
        return -ENOMEM;
    }
    memcpy(p->key, key, len);
    *p =
        (struct pending){.c = c, .key = p->key, .len = len, .gen = gen, .done = p->done, .refs = 1};
    c->pending[i] = p;
    return eddy_request_defer(req, pending_end, p);
}

static struct slot *lookup(struct eddy__cache *c, const void *key, size_t len, uint64_t gen,
                           bool *build)
{
    struct slot *s = find(c, key, len, hash(key, len));
    *build = true;
    if (s && s->gen != gen)
        drop(c, s), s = NULL;
    else if (s && eddy_now() - s->made > c->ttl) {
        /* Only the TTL (another process's writes): this request builds it
         * again while the others are still answered the kept one (stale
         * while revalidating: at most the TTL twice, a failed build
         * included). */
        s->made = eddy_now();
        return NULL;
    }
    *build = s == NULL;
    return s;
}

EDDY_AWAITS int eddy__cache_answer(struct eddy__cache *c, struct eddy_request *req, const void *key,
                                   size_t len, uint64_t gen, struct eddy_response *res,
                                   const char *token)
{
    bool build;
    struct slot *s = lookup(c, key, len, gen, &build);
    struct pending *p = s ? NULL : pending_find(c, key, len, gen);
    if (p) { /* another request builds it: wait, then look again */
        p->refs++;
        int err = eddy_event_wait(p->done, eddy_now() + WAIT_NS);
        pending_unref(p);
        if (err < 0 && err != -ETIMEDOUT)
            return err;
        s = lookup(c, key, len, gen, &build);
    }
    bool gzip = eddy_request_accepts_gzip(req);
    if (s && s->nholes && !token)
        s = NULL;
    else if (s && gzip && !s->nholes && !s->gz_tried)
        s = NULL, build = true; /* kept by a client that does not take gzip: made again, gzipped */
    if (!s) {
        c->misses++;
        return build && !pending_find(c, key, len, gen) ? pending_start(c, req, key, len, gen) : 0;
    }
    c->hits++;
    s->used = ++c->clock;
    int err = answer_with(res, s, token, gzip);
    return err < 0 ? err : 1;
}

EDDY_AWAITS int eddy__cache_lookup(struct eddy__cache *c, struct eddy_store *store,
                                   struct eddy_request *req, struct eddy_response *res,
                                   const char *token, struct eddy__cache_key *k, const char *fmt,
                                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vasprintf(&k->key, fmt, ap);
    va_end(ap);
    if (len < 0 || eddy_request_defer(req, free, k->key) < 0)
        return -ENOMEM;
    k->len = (size_t)len;
    k->gen = eddy_store_generation(store);
    return c ? eddy__cache_answer(c, req, k->key, k->len, k->gen, res, token) : 0;
}

struct gz_job {
    const void *data;
    size_t len;
    struct blob *out;
    size_t out_len;
};

/* On the thread pool: j->out := the body gzipped, or NULL when not worth it. */
static int gz_job(void *arg)
{
    struct gz_job *j = arg;
    void *z;
    int err = eddy_gzip(j->data, j->len, GZ_LEVEL, &z, &j->out_len);
    if (err)
        return err == -EAGAIN ? 0 : err;
    j->out = malloc(sizeof *j->out + j->out_len);
    if (j->out) {
        j->out->refs = 1;
        memcpy(j->out->data, z, j->out_len);
    }
    free(z);
    return j->out ? 0 : -ENOMEM;
}

EDDY_AWAITS int eddy__cache_keep(struct eddy__cache *c, struct eddy_request *req, const void *key,
                                 size_t len, uint64_t gen, const char *type,
                                 struct eddy_response *res, const char *token)
{
    size_t blen;
    const char *body = eddy_response_body(res, &blen);
    struct slot t = {.type = type, .len = blen, .gen = gen};
    for (const char *p = body;
         (p = memmem(p, blen - (size_t)(p - body), c->hole, EDDY__CACHE_HOLE));
         p += EDDY__CACHE_HOLE) {
        if (t.nholes == HOLES_MAX)
            return -E2BIG; /* not with our templates: a bug, a 500 */
        t.holes[t.nholes++] = (size_t)(p - body);
    }
    if (t.nholes && !token)
        return -EINVAL;
    /* Gzipped once here, when this client takes it (one that takes it
     * later and finds no variant makes the body again: answer). */
    bool gzip = !t.nholes && eddy_request_accepts_gzip(req);
    if (gzip && blen >= GZ_MIN) {
        struct gz_job j = {.data = body, .len = blen};
        int err = eddy_to_thread(gz_job, &j);
        if (err < 0) {
            blob_unref(j.out); /* (made, the caller cancelled meanwhile) */
            return err;
        }
        t.gz = j.out;
        t.gz_len = j.out_len;
    }
    t.gz_tried = gzip;
    t.made = eddy_now();
    t.key = malloc(len ? len : 1);
    t.body = t.key ? malloc(sizeof *t.body + blen) : NULL;
    if (!t.body) {
        free(t.key);
        blob_unref(t.gz);
        return -ENOMEM;
    }
    t.body->refs = 1;
    memcpy(t.key, key, len);
    memcpy(t.body->data, body, blen);
    t.key_len = len;
    t.hash = hash(key, len);
    struct slot *s = find(c, key, len, t.hash);
    if (s)
        drop(c, s);
    bool fits = blen <= EDDY__CACHE_BYTES / 4;
    while (fits && (c->entries == EDDY__CACHE_ENTRIES || c->bytes + blen > EDDY__CACHE_BYTES)) {
        struct slot *old = NULL;
        for (size_t i = 0; i < EDDY__CACHE_ENTRIES; i++)
            if (c->slots[i].key && (!old || c->slots[i].used < old->used))
                old = &c->slots[i];
        drop(c, old);
    }
    /* The response gets its token, or the kept body (gzipped, or not copied) */
    int err = answer_with(res, &t, token, gzip);
    struct pending *p = pending_find(c, key, len, gen);
    for (size_t i = 0; fits && i < EDDY__CACHE_ENTRIES; i++)
        if (!c->slots[i].key) {
            t.used = ++c->clock;
            c->slots[i] = t;
            c->entries++;
            c->bytes += blen;
            if (p) /* the waiters find it now */
                pending_release(p);
            return err;
        }
    free(t.key);
    blob_unref(t.body);
    blob_unref(t.gz);
    return err;
}

json_t *eddy__cache_value(struct eddy__cache *c, uint64_t gen)
{
    bool fresh = c->value && c->value_gen == gen && eddy_now() - c->value_made <= c->ttl;
    return fresh ? c->value : NULL;
}

void eddy__cache_set_value(struct eddy__cache *c, uint64_t gen, json_t *v)
{
    json_decref(c->value);
    c->value = v;
    c->value_gen = gen;
    c->value_made = eddy_now();
}

void eddy__cache_counts(const struct eddy__cache *c, uint64_t *hits, uint64_t *misses)
{
    *hits = c ? c->hits : 0;
    *misses = c ? c->misses : 0;
}

void eddy__cache_size(const struct eddy__cache *c, size_t *entries, size_t *bytes)
{
    *entries = c ? c->entries : 0;
    *bytes = c ? c->bytes : 0;
}

static int cache_start(struct eddy_app *web, void **loop_data)
{
    (void)web;
    struct eddy__site *site = *loop_data;
    if (site && !(site->cache = eddy__cache_new()))
        return -ENOMEM;
    return 0;
}

static void cache_stop(struct eddy_app *web, void *loop_data)
{
    (void)web;
    struct eddy__site *site = loop_data;
    if (site) {
        eddy__cache_free(site->cache);
        site->cache = NULL;
    }
}

int eddy__cache_hooks(struct eddy_app *web)
{
    int err = eddy_app_on_startup(web, cache_start);
    return err ? err : eddy_app_on_shutdown(web, cache_stop);
}
