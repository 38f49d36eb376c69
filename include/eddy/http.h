/*
 * eddy/http.h — sans-IO HTTP/1.1 codec (layer http/; depends on base/buf only).
 *
 * Bytes in, events out; no sockets, no threads, no suspension, no global
 * state.  One parser per connection and direction: a server parses requests,
 * a client parses responses.  The serializer helpers append to an eddy_buf
 * and add nothing the caller did not ask for.
 *
 * Zero copy, picohttpparser-style: the parser never copies the head.  Until a
 * whole head (start line + header fields, or a trailer section) is in the
 * caller's buffer, eddy_http_parse() consumes nothing and asks for more; the
 * caller appends what it reads next and presents the same bytes again from
 * the same start (they may have moved: the parser keeps offsets, never
 * pointers, between calls).  The parser remembers how far it validated, so
 * feeding a head one byte at a time costs O(n), not O(n^2).  When the head is
 * complete it is consumed at once and every slice (method, target, header
 * names and values) points into the caller's buffer: they stay valid as long
 * as the caller keeps those bytes where they are.  Body bytes are consumed as
 * they arrive and handed out as slices of the input.
 *
 * The caller's loop, the same for requests and responses:
 *
 *     for (;;) {
 *         ssize_t n = eddy_http_parse(p, buf, len, &ev);
 *         if (n < 0) { answer ev.status (ev.reason says why), then close; }
 *         buf += n; len -= n;                       // drop what was consumed
 *         if (ev.type == EDDY_HTTP_NEED_MORE) read more, append, continue;
 *         if (ev.type == EDDY_HTTP_CLOSED) close the connection;
 *         handle ev (HEAD, BODY, TRAILERS, END);    // END may come with len 0
 *     }
 *
 * Strictness (RFC 9110/9112, chosen so that no front end and eddy can
 * disagree about where a message ends).  Each rejection names the reason and
 * the status to answer; after it the parser is dead (every later call returns
 * the same error) and the connection must be closed:
 *   400  obs-fold; whitespace before the first field or between a field name
 *        and its colon; bare CR; bare LF line endings (unless allow_bare_lf:
 *        off by default, because a peer that splits on LF only is the classic
 *        smuggling partner); invalid token/name/value characters (CTLs other
 *        than HTAB, DEL, NUL); anything but single SPs in the request line;
 *        request targets with CTLs, spaces, '#' or non-ASCII bytes, or not in
 *        origin, absolute ("scheme://authority...", no userinfo) or
 *        asterisk (OPTIONS only) form;
 *        Content-Length together with Transfer-Encoding; an invalid or
 *        conflicting Content-Length (identical duplicates, "5, 5" or two "5"
 *        lines, are accepted as RFC 9110 §8.6 allows: they cannot desync);
 *        chunked not the final transfer coding (requests), applied twice, or
 *        with parameters; any Transfer-Encoding in an HTTP/1.0 message;
 *        invalid chunk sizes (empty, non-hex, "0x", more than 16 digits);
 *        chunk-size lines with anything but ";" extensions; chunk data not
 *        followed by exactly CRLF; missing or repeated Host in HTTP/1.1, a
 *        Host with bytes outside reg-name/IP-literal/port (e.g. '/', '@').
 *        Chunk framing always requires CRLF, whatever allow_bare_lf says.
 *   414  request line longer than max_line.
 *   431  header (or trailer) section longer than max_head, or more than
 *        max_headers fields.
 *   413  body longer than max_body (Content-Length checked up front; a
 *        chunked or until-close body is delivered up to the limit first).
 *   417  an Expect other than 100-continue.
 *   501  a transfer coding other than chunked; the CONNECT method (tunnels
 *        are not supported).
 *   505  a version other than HTTP/1.x (HTTP/1.2+ is answered as 1.1).
 * A leading empty line (CRLF) before a request line is skipped (RFC 9112
 * §2.2).  Errors are reported once the line holding them is complete, or as
 * soon as a byte that is invalid everywhere (NUL, a CTL, DEL) arrives, so the
 * same input gives the same events however it is split.  Responses follow
 * RFC 9112 §6.3: no body for HEAD (see eddy_http_parser_expect_head), 1xx,
 * 204 and 304; Transfer-Encoding without final chunked or neither header
 * means "until close"; Content-Length with Transfer-Encoding is refused here
 * too (RFC 9112 lets TE win; a client has no reason to trust such a peer).
 * After 101 the connection leaves HTTP: CLOSED.  For responses ev->status
 * only classifies the error (the client treats the response as broken).
 *
 * Errors: eddy_http_parse returns bytes consumed (>= 0) or -EPROTO with
 * ev->type == EDDY_HTTP_ERROR, ev->status and ev->reason (a static string).
 * After an error the connection is to be dropped, so how many bytes the
 * failing call had consumed is not reported.
 *
 * Memory: a parser is one malloc'ed object plus its field tables (about
 * 8 KiB with the default 100 fields); parsing itself never allocates.
 */
#ifndef EDDY_HTTP_H
#define EDDY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_buf;

/* ---------------------------------------------------------------- parser */

/* A header (or trailer) field: slices into the caller's buffer, without the
 * surrounding whitespace of the value.  Plain data; not NUL-terminated. */
struct eddy_http_header {
    const char *name; /* field name as received (case preserved) */
    size_t name_len;
    const char *value; /* field value, leading/trailing SP and HTAB trimmed */
    size_t value_len;
};

/* How the body of a message is delimited (RFC 9112 §6.3). */
enum eddy_http_framing {
    EDDY_HTTP_NO_BODY,     /* no body at all */
    EDDY_HTTP_LENGTH,      /* content_length bytes (possibly 0) */
    EDDY_HTTP_CHUNKED,     /* chunked transfer coding */
    EDDY_HTTP_UNTIL_CLOSE, /* responses only: the body ends at EOF */
};

/* A parsed request or response head.  Owned by the parser; it stays valid
 * through the END of its message (until the parser starts on the next one,
 * is reset or freed).  The slices point into the caller's buffer and are
 * valid as long as the caller keeps those bytes in place. */
struct eddy_http_head {
    const char *method; /* requests: method token, e.g. "GET" */
    size_t method_len;
    const char *target; /* requests: request-target as received */
    size_t target_len;
    int status;         /* responses: 100..999 */
    const char *reason; /* responses: reason phrase (may be empty) */
    size_t reason_len;
    int minor;                              /* HTTP/1.<minor>: 0 or 1 (1.2+ counts as 1) */
    const struct eddy_http_header *headers; /* in order received */
    size_t nheaders;
    enum eddy_http_framing framing;
    uint64_t content_length; /* body size when framing == EDDY_HTTP_LENGTH */
    bool keep_alive;         /* the connection may carry another message */
    bool expect_continue;    /* HTTP/1.1 request with Expect: 100-continue:
                                send "100 Continue" before reading the body */
    bool upgrade;            /* Connection lists "upgrade" */
};

enum eddy_http_event_type {
    EDDY_HTTP_NEED_MORE, /* append more input and call again */
    EDDY_HTTP_HEAD,      /* ev->head is complete */
    EDDY_HTTP_BODY,      /* ev->data, ev->len: body bytes (never 0 bytes) */
    EDDY_HTTP_TRAILERS,  /* ev->trailers, ev->ntrailers (chunked only, >= 1) */
    EDDY_HTTP_END,       /* the message is complete */
    EDDY_HTTP_CLOSED,    /* no further message on this connection (after a
                            non-persistent message, 101, or EOF): close */
    EDDY_HTTP_ERROR,     /* ev->status, ev->reason; the parser is dead */
};

struct eddy_http_event {
    enum eddy_http_event_type type;
    const struct eddy_http_head *head; /* HEAD (and later events of the
                                          same message) */
    const char *data;                  /* BODY */
    size_t len;
    const struct eddy_http_header *trailers; /* TRAILERS: owned by the parser,
                                                valid until the next call */
    size_t ntrailers;
    int status;         /* ERROR: status to answer */
    const char *reason; /* ERROR: static, precise */
};

/* Limits; a 0 field means the default shown. */
struct eddy_http_limits {
    size_t max_line;      /* request/status line incl. CRLF: 8192 (414) */
    size_t max_head;      /* header or trailer section incl. the start line
                             and final CRLF: 16384 (431).  A read buffer of
                             max_head bytes always reaches a verdict */
    size_t max_headers;   /* fields per section: 100 (431); the parser
                             allocates 80 bytes per field up front */
    uint64_t max_body;    /* body bytes: 1 MiB for requests, unlimited
                             (UINT64_MAX) for responses (413) */
    size_t max_chunk_ext; /* chunk-extension bytes per chunk: 256 (400) */
    bool allow_bare_lf;   /* accept LF alone as a head line ending */
};

enum eddy_http_role { EDDY_HTTP_REQUEST, EDDY_HTTP_RESPONSE };

struct eddy_http_parser;

/* A parser of requests (server side) or responses (client side).  `limits`
 * may be NULL (defaults); it is copied.  Owned by the caller
 * (eddy_http_parser_free); NULL on ENOMEM. */
struct eddy_http_parser *eddy_http_parser_new(enum eddy_http_role role,
                                              const struct eddy_http_limits *limits);
/* Frees the parser; NULL is a no-op.  Slices of the caller's buffer are
 * untouched (the parser never owned them). */
void eddy_http_parser_free(struct eddy_http_parser *p);
/* Back to the state of a new parser (same role and limits), errors included. */
void eddy_http_parser_reset(struct eddy_http_parser *p);

/* Parses from `buf` (len bytes, the first not-yet-consumed byte of the
 * stream) and reports one event in *ev.  Returns how many bytes of `buf` were
 * consumed (0..len), or -EPROTO with an ERROR event.  See the loop above:
 * call again after every event other than NEED_MORE, CLOSED and ERROR, even
 * with len == 0 (END can need no input).  Never reads outside buf[0..len). */
ssize_t eddy_http_parse(struct eddy_http_parser *p, const char *buf, size_t len,
                        struct eddy_http_event *ev);

/* The peer closed its side.  Returns 0 with END (a body delimited by close),
 * CLOSED (between messages, no pending bytes), or -EPROTO with ERROR 400
 * when a message was cut short. */
int eddy_http_parser_eof(struct eddy_http_parser *p, struct eddy_http_event *ev);

/* Response parsers: the next response answers a HEAD request, so it has no
 * body whatever its headers say.  Applies to one final response. */
void eddy_http_parser_expect_head(struct eddy_http_parser *p);

/* --------------------------------------------------------------- helpers */

/* Case-insensitive ASCII comparison of a slice with a C string. */
bool eddy_http_token_eq(const char *s, size_t len, const char *name);
/* The first header named `name` (case-insensitive), or NULL. */
const struct eddy_http_header *eddy_http_header_find(const struct eddy_http_header *h, size_t n,
                                                     const char *name);
/* Does the comma-separated list in `value` contain `token` (case-insensitive,
 * parameters after ';' ignored)?  For Connection, Accept-Encoding... */
bool eddy_http_list_has(const char *value, size_t len, const char *token);

/* The standard reason phrase of a status ("Not Found"), or "" if unknown. */
const char *eddy_http_reason(int status);

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is always 29 bytes. */
#define EDDY_HTTP_DATE_LEN 29
/* Formats `t` into out (EDDY_HTTP_DATE_LEN + 1 bytes, NUL-terminated).
 * Returns EDDY_HTTP_DATE_LEN, or -EOVERFLOW for a year outside 0..9999. */
int eddy_http_date_format(time_t t, char out[EDDY_HTTP_DATE_LEN + 1]);
/* Parses an HTTP-date in any of the three forms a recipient must accept
 * (IMF-fixdate, RFC 850, asctime; RFC 9110 §5.6.7).  Returns 0 and sets *t,
 * or -EINVAL. */
int eddy_http_date_parse(const char *s, size_t len, time_t *t);

/* A request-target split into parts (slices of the target). */
struct eddy_http_target {
    const char *authority; /* absolute-form only ("host:port"), else NULL */
    size_t authority_len;
    const char *path; /* "/..." ("*" for asterisk-form); "/" if an
                         absolute-form target has an empty path */
    size_t path_len;
    const char *query; /* after '?', without it; NULL if no '?' */
    size_t query_len;
};
/* Splits a target the parser accepted.  For absolute-form, use authority in
 * place of the Host header (RFC 9112 §3.2.2).  Returns 0 or -EINVAL. */
int eddy_http_target_split(const char *t, size_t len, struct eddy_http_target *out);

/* Percent-decodes in[0..len) into out (at least len bytes; out == in is
 * allowed).  With plus_is_space (query strings), '+' becomes ' '.  Returns
 * the decoded length, or -EINVAL for a malformed escape or an encoded NUL
 * ("%00": never let it reach a C string or a file name). */
ssize_t eddy_http_percent_decode(const char *in, size_t len, char *out, bool plus_is_space);

/* A header as a person types it, "Name: value" (a command line's --header):
 * SP and HTAB around the name and the value are dropped.  Returns 0 with
 * *out slices of line, or -EINVAL with *why saying what was expected (a
 * static phrase such as "a ':' after the name"): at most
 * EDDY_HTTP_HEADER_LINE_MAX bytes, a ':', a token name (RFC 9110 tchar), a
 * value of field-vchar, SP, HTAB and obs-text (no CR, LF, NUL or other
 * control character).  What it accepts, eddy_http_write_header() writes and
 * eddy_http_parse() reads back as the same name and value. */
#define EDDY_HTTP_HEADER_LINE_MAX 8192
int eddy_http_header_parse(const char *line, size_t len, struct eddy_http_header *out,
                           const char **why);

/* ------------------------------------------------------------ serializer */

/* Each appends to `b` and returns 0, or the eddy_buf error (-ENOMEM,
 * -E2BIG), or -EINVAL for bytes that would break the framing (CR, LF, NUL or
 * CTLs in a value, non-token names): header injection is refused, not
 * escaped.  On error `b` is unchanged.  Nothing is added implicitly: the
 * caller chooses Content-Length or chunked, Date, Connection. */

/* "HTTP/1.1 <status> <reason>\r\n"; reason NULL means eddy_http_reason(). */
int eddy_http_write_status(struct eddy_buf *b, int status, const char *reason);
/* "<method> <target> HTTP/1.1\r\n" (client side, for tools and tests). */
int eddy_http_write_request(struct eddy_buf *b, const char *method, const char *target);
/* "<name>: <value>\r\n". */
int eddy_http_write_header(struct eddy_buf *b, const char *name, const char *value,
                           size_t value_len);
/* "Content-Length: <n>\r\n". */
int eddy_http_write_content_length(struct eddy_buf *b, uint64_t n);
/* "Transfer-Encoding: chunked\r\n". */
int eddy_http_write_chunked(struct eddy_buf *b);
/* "Date: <IMF-fixdate of t>\r\n". */
int eddy_http_write_date(struct eddy_buf *b, time_t t);
/* "\r\n": the end of the head. */
int eddy_http_write_end_head(struct eddy_buf *b);
/* One chunk: "<hex len>\r\n<data>\r\n".  len == 0 appends nothing (an empty
 * chunk would end the body). */
int eddy_http_write_chunk(struct eddy_buf *b, const void *data, size_t len);
/* The chunk-size line alone into out (>= 19 bytes), for writev() callers
 * that send data from their own memory; returns its length (the data must
 * be followed by "\r\n").  len must be > 0. */
size_t eddy_http_chunk_line(char out[19], size_t len);
/* The last chunk "0\r\n", the trailer fields, and the final "\r\n". */
int eddy_http_write_last_chunk(struct eddy_buf *b, const struct eddy_http_header *trailers,
                               size_t n);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
