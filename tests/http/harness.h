/*
 * tests/http/harness.h — drives the HTTP parser the way a server does and
 * turns what it reports into a text trace, so tests compare one string.
 *
 * Every input is run fed whole, one byte at a time and in random splits; the
 * traces and byte counts must be identical (the parser's promise).  The
 * bytes handed to the parser always end right before a PROT_NONE page, and
 * are moved to a new address before each call (as a caller's growing buffer
 * would be), so an over-read crashes and a stale pointer shows.
 *
 * Trace lines:  HEAD GET /x 1.1 cl=5 ka continue {Host: a}{X: b}
 *               HEAD 200 OK 1.1 chunked close {...}
 *               BODY <bytes of consecutive BODY events, merged>
 *               TRAILERS {name: value}...
 *               END | CLOSED | ERROR <status> <reason>
 */
#ifndef EDDY_TEST_HTTP_HARNESS_H
#define EDDY_TEST_HTTP_HARNESS_H

#include "eddy/http.h"

#include <stdbool.h>
#include <stddef.h>

struct http_opts {
    enum eddy_http_role role;       /* which parser */
    struct eddy_http_limits limits; /* zeros: defaults */
    bool eof;                       /* report EOF after the input */
    bool head_request;              /* responses: they answer a HEAD */
};

/* The trace of `in` (static storage, valid until the next call); *consumed
 * (if not NULL) receives the bytes the parser consumed in total. */
const char *http_trace(const struct http_opts *o, const char *in, size_t len, size_t *consumed);

/* Shorthands for string literals. */
#define REQ(s) http_trace(&(struct http_opts){.role = EDDY_HTTP_REQUEST}, (s), sizeof(s) - 1, NULL)
#define RESP(s)                                                                                    \
    http_trace(&(struct http_opts){.role = EDDY_HTTP_RESPONSE, .eof = true}, (s), sizeof(s) - 1,   \
               NULL)

/* The status of the ERROR a request input ends with, 0 if none. */
int http_req_status(const char *in, size_t len);
#define REQ_STATUS(s) http_req_status((s), sizeof(s) - 1)

#endif
