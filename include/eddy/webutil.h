/*
 * eddy/webutil.h — the I/O-free parts of the web framework (layer web/):
 * a router with typed path parameters and reverse routing, and the parsers
 * of request data (query strings and urlencoded forms, cookies and
 * Set-Cookie, multipart/form-data).  Nothing here does I/O or suspends;
 * objects are not thread-safe (one owner at a time).  Errors follow eddy's
 * rule: negative errno, constructors return NULL.
 */
#ifndef EDDY_WEBUTIL_H
#define EDDY_WEBUTIL_H

#include "eddy/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

/* ------------------------------------------------------------------ */
/* Router                                                              */
/*
 * Patterns are paths whose segments are literals or parameters, each a
 * whole segment: "/feeds/<int:id>", "/tags/<name>" (= <string:name>: one
 * non-empty segment), "/static/<path:rest>" (the non-empty rest, slashes
 * included; last segment only).  <int> is decimal digits, no sign, at most
 * INT64_MAX (so "-1" and overflowing numbers are a 404).  Slashes are strict:
 * "/feeds" and "/feeds/" are different routes.
 *
 * Matching is on the raw path (before '?'), each segment percent-decoded
 * separately, so "%2F" inside a <name> is a '/' of the value, not a
 * separator: what url_for() builds reads back the same.  Values are bytes as
 * sent (not checked for UTF-8).
 *
 * Priority (deterministic, independent of registration order except for
 * ties): patterns are compared segment by segment from the left, a literal
 * beating <int>, beating <string>, beating <path>; then the pattern with
 * fewer segments; then the one registered first.  The first route in that
 * order whose pattern and method both match wins; if some pattern matched
 * but no method did, the answer is 405 with the Allow list.  HEAD is allowed
 * wherever GET is; OPTIONS is answered for every path that has a route.
 */
struct eddy_router;

#define EDDY_ROUTE_MAX_PARAMS 8    /* parameters in one pattern */
#define EDDY_ROUTE_MAX_PATH   2048 /* longest path matched (longer: -ENAMETOOLONG, a 414) */

/* The verdicts of eddy_router_match in m->status: the HTTP status to answer. */
enum {
    EDDY_ROUTE_FOUND = 200,       /* m->handler, m->params are set */
    EDDY_ROUTE_OPTIONS = 204,     /* OPTIONS with no explicit route: answer with m->allow */
    EDDY_ROUTE_NOT_FOUND = 404,   /* no pattern matches the path */
    EDDY_ROUTE_NOT_ALLOWED = 405, /* patterns match, methods don't: m->allow */
    EDDY_ROUTE_TOO_LONG = 414,    /* longer than EDDY_ROUTE_MAX_PATH */
};

struct eddy_route_param {
    const char *name;  /* from the pattern; owned by the router */
    const char *value; /* percent-decoded, NUL-terminated, in the match's buf */
    size_t len;        /* value's length */
    int64_t num;       /* <int:...> parameters: the number */
};

struct eddy_route_match {
    int status;           /* an EDDY_ROUTE_* verdict */
    void *handler;        /* as given to eddy_router_add */
    const char *endpoint; /* the route's endpoint name (NULL if none) */
    size_t nparams;
    struct eddy_route_param params[EDDY_ROUTE_MAX_PARAMS];
    char allow[64]; /* for 204/405: e.g. "GET, HEAD, POST, OPTIONS" */
    char buf[EDDY_ROUTE_MAX_PATH + EDDY_ROUTE_MAX_PARAMS]; /* storage of decoded values */
};

/* Owned by the caller (eddy_router_free); NULL on ENOMEM. */
struct eddy_router *eddy_router_new(void);
/* NULL is a no-op. */
void eddy_router_free(struct eddy_router *r);

/* Adds a route.  methods: "GET", "GET,POST", "GET POST"... (NULL means GET)
 * among GET HEAD POST PUT PATCH DELETE OPTIONS.  endpoint (may be NULL)
 * names the route for eddy_router_url_for and must be unique.  handler is
 * returned as is by eddy_router_match.  Strings are copied.  Returns 0,
 * -EINVAL (bad pattern or method), -EEXIST (endpoint taken), -ENOMEM. */
int eddy_router_add(struct eddy_router *r, const char *methods, const char *pattern,
                    const char *endpoint, void *handler);

/* Blueprints: copies every route of `bp` into `r` with `prefix` ("/api",
 * no trailing slash) before its pattern and "name." before its endpoint
 * (name may be NULL: endpoints unchanged).  bp stays the caller's.  Same
 * errors as eddy_router_add; on error r may hold some of bp's routes. */
int eddy_router_mount(struct eddy_router *r, const char *prefix, const char *name,
                      const struct eddy_router *bp);

/* Looks up (method, path[0..len)); path may include a query, ignored.
 * The verdict is m->status (EDDY_ROUTE_*, an HTTP status).  Returns 0, or
 * -ENAMETOOLONG (m->status 414).  m is filled (no allocation; its values
 * live in m->buf). */
int eddy_router_match(const struct eddy_router *r, const char *method, const char *path, size_t len,
                      struct eddy_route_match *m);

/* The value of parameter `name`, or NULL. */
const char *eddy_route_param(const struct eddy_route_match *m, const char *name);

/* Reverse routing: appends the path of `endpoint` to out, with params, a
 * NULL-terminated list of name, value strings, filling the pattern's
 * parameters (percent-encoded; '/' kept only in <path>); the others become
 * the query string ("?k=v&...", form-encoded).  Returns 0, -ENOENT (no such
 * endpoint), -EINVAL (a parameter missing, or not valid for its type),
 * -E2BIG/-ENOMEM; on error out is unchanged. */
int eddy_router_url_for(const struct eddy_router *r, const char *endpoint,
                        const char *const *params, struct eddy_buf *out);

/* ------------------------------------------------------------------ */
/* Request data                                                        */
/*
 * A form is an ordered list of (name, value) fields, repeated names kept in
 * order: what query strings, urlencoded bodies, Cookie headers and
 * multipart bodies all parse into.  It owns copies of every string.
 *
 * application/x-www-form-urlencoded (and query strings) follow the WHATWG
 * URL standard, which Python's parse_qsl(keep_blank_values=True) also
 * follows: split on '&' (not ';'), empty pieces skipped, the first '='
 * separates name from value ("a" alone is a = ""), '+' is a space, %XX
 * decodes when both X are hex digits and is kept literally otherwise ("%",
 * "%zz" stay as they are), and invalid UTF-8 becomes U+FFFD.
 */
struct eddy_form;

struct eddy_form_field {
    const char *name; /* decoded, NUL-terminated */
    size_t name_len;
    const char *value; /* decoded, NUL-terminated; files may hold NULs: use value_len */
    size_t value_len;
    const char *filename;     /* multipart file parts: as sent (untrusted!), else NULL */
    const char *content_type; /* multipart: the part's Content-Type, else NULL */
};

#define EDDY_FORM_MAX_FIELDS 10000 /* per form: more is -E2BIG */

/* Owned by the caller (eddy_form_free); NULL on ENOMEM. */
struct eddy_form *eddy_form_new(void);
/* NULL is a no-op. */
void eddy_form_free(struct eddy_form *f);

/* Each parser appends fields to f.  Returns 0 or -errno (-EINVAL malformed
 * input, -E2BIG too many fields, -ENOMEM) with eddy_form_error() saying
 * why; fields parsed before an error stay. */
int eddy_form_parse_urlencoded(struct eddy_form *f, const char *s, size_t n);
/* A Cookie header value: "a=1; b=2", read as Werkzeug (Flask, Quart) reads
 * it: spaces around names and values trimmed, a piece without '=' is a name
 * with an empty value, an empty name is skipped, a "quoted" value loses its
 * quotes and its \" and \ooo (octal) escapes are decoded; no percent-
 * decoding (cookie values are opaque); invalid UTF-8 becomes U+FFFD.
 * Unlike Werkzeug, a ';' ends a cookie even inside quotes (browsers split
 * there) and only ASCII spaces and tabs are trimmed (tests/web/form_diff.py
 * compares the two). */
int eddy_form_parse_cookies(struct eddy_form *f, const char *s, size_t n);
/* A multipart/form-data body (RFC 7578) with the request's Content-Type
 * (which carries the boundary).  Every part needs a Content-Disposition
 * "form-data" with a name; filename (or filename*=UTF-8''...) makes it a
 * file, whose bytes are kept exactly; text fields are UTF-8-repaired.  Lines
 * end in CRLF (or LF alone, which Werkzeug accepts too); a part's headers
 * are at most 8 KiB; at most 1000 parts. */
int eddy_form_parse_multipart(struct eddy_form *f, const char *content_type, const char *body,
                              size_t n);

size_t eddy_form_count(const struct eddy_form *f);
/* Field i (< count); valid until the next parse into f or its free. */
const struct eddy_form_field *eddy_form_field(const struct eddy_form *f, size_t i);
/* The first value named `name` (borrowed from f), or NULL when absent. */
const char *eddy_form_value(const struct eddy_form *f, const char *name);
/* Stores the first min(n, max) values named `name` in values[0..), in
 * order, and returns how many it stored (never more than max; values[got..]
 * untouched).  Values are borrowed from f. */
size_t eddy_form_values(const struct eddy_form *f, const char *name, const char **values,
                        size_t max);
/* Why the last parse failed ("" if it did not). */
const char *eddy_form_error(const struct eddy_form *f);

/* Percent-decoding of s[0..n) appended to out ('+' as space if plus), with
 * the rules above (malformed escapes kept, invalid UTF-8 -> U+FFFD). */
int eddy_url_decode(const char *s, size_t n, bool plus, struct eddy_buf *out);
/* Percent-encoding: everything but A-Z a-z 0-9 - . _ ~ and the bytes in
 * `keep` (may be NULL); a space becomes '+' if plus. */
int eddy_url_encode(const char *s, size_t n, const char *keep, bool plus, struct eddy_buf *out);

/* Set-Cookie: a zero-initialized struct plus name and value is a session
 * cookie; set what you need. */
struct eddy_cookie {
    const char *name;   /* a token (RFC 6265), required */
    const char *value;  /* cookie-octets (no space, '"', ',', ';', '\\'), may be "" */
    const char *path;   /* NULL: not sent */
    const char *domain; /* NULL: not sent */
    long long max_age;  /* > 0: Max-Age; 0: not sent; < 0: delete (Max-Age=0 + Expires 1970) */
    long long expires;  /* unix time; 0: not sent */
    bool secure;
    bool http_only;
    const char *same_site; /* "Strict", "Lax", "None" (needs secure) or NULL */
};

/* Appends the Set-Cookie header value ("name=value; Path=/; ...") to out.
 * Returns 0, -EINVAL (invalid name, value or attribute: nothing is
 * quoted or fixed silently), -E2BIG/-ENOMEM; on error out is unchanged. */
int eddy_cookie_format(const struct eddy_cookie *c, struct eddy_buf *out);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
