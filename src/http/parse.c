/*
 * src/http/parse.c — the incremental HTTP/1.1 request/response parser.
 *
 * Heads are parsed line by line in one pass over the caller's buffer (a
 * table lookup per byte, no allocation, no copy).  A head is consumed only
 * when it is complete, so the field slices can point into the caller's
 * buffer; until then the parser keeps offsets, never pointers, because the
 * caller may move its buffer between calls.  `pos` is the start of the first
 * line not parsed yet and `scan` how far that incomplete line is known to
 * hold no LF nor forbidden byte: a resumed call looks only at the new bytes
 * and reparses the line once it can end, so a head fed byte by byte costs
 * O(n).  Errors inside an incomplete line are held back until the line ends,
 * a forbidden byte arrives or the size limit is hit: then the answer never
 * depends on how the input was split (the tests check this).
 *
 * Body framing follows RFC 9112 §6; every framing decision is taken once the
 * head is complete (finish_head), in one place.
 */
#include "eddy/http.h"
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The byte classes (internal.h).  GNU range designators keep it readable. */
#define TVT (EDDY__HTTP_TOKEN | EDDY__HTTP_VALUE | EDDY__HTTP_TARGET)
#define VT  (EDDY__HTTP_VALUE | EDDY__HTTP_TARGET)
#define H   EDDY__HTTP_HOST
const uint8_t eddy__http_class[256] = {
    [0x00 ... 0x08] = EDDY__HTTP_STOP,
    ['\t'] = EDDY__HTTP_VALUE,
    ['\n'] = EDDY__HTTP_STOP,
    [0x0b ... 0x0c] = EDDY__HTTP_STOP,
    [0x0e ... 0x1f] = EDDY__HTTP_STOP,
    [' '] = EDDY__HTTP_VALUE,
    ['!'] = TVT | H,
    ['"'] = VT,
    ['#'] = EDDY__HTTP_TOKEN | EDDY__HTTP_VALUE,
    ['$' ... '\''] = TVT | H,
    ['(' ... ')'] = VT | H,
    ['*' ... '+'] = TVT | H,
    [','] = VT | H,
    ['-' ... '.'] = TVT | H,
    ['/'] = VT,
    ['0' ... '9'] = TVT | H,
    [':' ... ';'] = VT | H,
    ['<'] = VT,
    ['='] = VT | H,
    ['>' ... '@'] = VT,
    ['A' ... 'Z'] = TVT | H,
    ['['] = VT | H,
    ['\\'] = VT,
    [']'] = VT | H,
    ['^'] = TVT,
    ['_'] = TVT | H,
    ['`'] = TVT,
    ['a' ... 'z'] = TVT | H,
    ['{'] = VT,
    ['|'] = TVT,
    ['}'] = VT,
    ['~'] = TVT | H,
    [0x7f] = EDDY__HTTP_STOP,
    [0x80 ... 0xff] = EDDY__HTTP_VALUE,
};
#undef H

#define IS(c, cls) eddy__http_is((unsigned char)(c), EDDY__HTTP_##cls)

/* SWAR: are the 8 bytes at p all in 0x20..0x7e (lo = 0x20) or 0x21..0x7e
 * but '#' (lo = 0x21, request targets)?  Field values and targets are
 * almost always plain ASCII, and this checks them a word at a time; any
 * other byte falls back to the table, which has the last word. */
static inline bool plain8(const char *p, uint64_t lo)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t x, del, hash;
    memcpy(&x, p, 8);
    del = x ^ (ones * 0x7f);
    hash = lo == 0x21 ? x ^ (ones * '#') : ~0ull;
    return !((x | ((x - ones * lo) & ~x) | ((del - ones) & ~del) | ((hash - ones) & ~hash)) & high);
}

/* Compares validated token or value bytes with a lower-case literal.  `| 0x20`
 * folds only letters right, but no token or value byte folds onto one of
 * the literals' non-letters ('-' would need CR, digits a CTL). */
static inline bool lower_eq(const char *s, size_t n, const char *lit)
{
    for (size_t i = 0; i < n; i++)
        if (!lit[i] || (s[i] | 0x20) != lit[i])
            return false;
    return lit[n] == 0;
}

enum state {
    S_HEAD,        /* start line and header section */
    S_BODY,        /* Content-Length body: `remaining` bytes left */
    S_CHUNK_SIZE,  /* chunk-size line */
    S_CHUNK_DATA,  /* chunk data: `remaining` bytes left */
    S_CHUNK_CRLF,  /* the CRLF after chunk data */
    S_TRAILERS,    /* trailer section (after the last chunk) */
    S_UNTIL_CLOSE, /* response body delimited by EOF */
    S_END,         /* message complete, END not reported yet */
    S_CLOSED,      /* no more messages on this connection */
    S_ERROR,       /* dead: err_status, err_reason */
};

/* Per-message facts gathered from the header fields. */
enum {
    F_CL = 1 << 0,         /* Content-Length seen */
    F_TE = 1 << 1,         /* Transfer-Encoding seen */
    F_TE_CHUNKED = 1 << 2, /* chunked listed */
    F_TE_LAST = 1 << 3,    /* ... and it is the last coding so far */
    F_TE_TWICE = 1 << 4,   /* chunked listed more than once */
    F_TE_OTHER = 1 << 5,   /* a coding other than chunked */
    F_CLOSE = 1 << 6,      /* Connection: close */
    F_KEEP = 1 << 7,       /* Connection: keep-alive */
    F_UPGRADE = 1 << 8,    /* Connection: upgrade */
    F_HOST = 1 << 9,       /* Host seen */
    F_CONTINUE = 1 << 10,  /* Expect: 100-continue */
};

/* A field as offsets from the section start (the buffer may move). */
struct field {
    uint32_t name, name_len, value, value_len;
};

struct eddy_http_parser {
    enum eddy_http_role role;
    struct eddy_http_limits lim; /* defaults filled in */
    enum state state;
    size_t pos;                        /* section: first line not parsed yet */
    size_t scan;                       /* section: bytes of that line checked */
    size_t err_pos;                    /* where the last line error was found */
    size_t nfields;                    /* fields parsed in this section */
    struct field *fields;              /* [lim.max_headers] */
    struct eddy_http_header *headers;  /* [lim.max_headers] of the head */
    struct eddy_http_header *trailers; /* [lim.max_headers] */
    uint32_t method, method_len, target, target_len, reason, reason_len;
    unsigned flags;             /* F_* of the current message */
    struct eddy_http_head head; /* reported with HEAD */
    uint64_t content_length;    /* from Content-Length, when F_CL */
    uint64_t remaining;         /* bytes left in the body or chunk */
    uint64_t body_total;        /* body bytes so far (max_body) */
    size_t held;                /* bytes left unconsumed by the last call */
    bool head_request;          /* response answers a HEAD request */
    int err_status;             /* ERROR: status to answer */
    const char *err_reason;     /* ERROR: why */
};

/* ------------------------------------------------------------ lifecycle */

struct eddy_http_parser *eddy_http_parser_new(enum eddy_http_role role,
                                              const struct eddy_http_limits *limits)
{
    struct eddy_http_limits l = limits ? *limits : (struct eddy_http_limits){0};
    if (!l.max_line)
        l.max_line = 8192;
    if (!l.max_head)
        l.max_head = 16384;
    if (!l.max_headers)
        l.max_headers = 100;
    if (!l.max_body)
        l.max_body = role == EDDY_HTTP_REQUEST ? 1 << 20 : UINT64_MAX;
    if (!l.max_chunk_ext)
        l.max_chunk_ext = 256;
    if (l.max_head > UINT32_MAX)
        l.max_head = UINT32_MAX; /* offsets are 32 bits */
    if (l.max_headers > 65536)
        l.max_headers = 65536; /* tables stay sane */
    struct eddy_http_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->fields = malloc(l.max_headers * sizeof *p->fields);
    p->headers = malloc(2 * l.max_headers * sizeof *p->headers);
    if (!p->fields || !p->headers) {
        eddy_http_parser_free(p);
        return NULL;
    }
    p->trailers = p->headers + l.max_headers;
    p->role = role;
    p->lim = l;
    return p;
}

void eddy_http_parser_free(struct eddy_http_parser *p)
{
    if (!p)
        return;
    free(p->fields);
    free(p->headers);
    free(p);
}

/* Per-message state back to "before a start line". */
static void next_message(struct eddy_http_parser *p)
{
    p->state = S_HEAD;
    p->pos = p->scan = p->nfields = 0;
    p->flags = 0;
    p->content_length = p->remaining = p->body_total = 0;
    p->held = 0;
}

void eddy_http_parser_reset(struct eddy_http_parser *p)
{
    next_message(p);
    p->head_request = false;
    p->err_status = 0;
    p->err_reason = NULL;
}

void eddy_http_parser_expect_head(struct eddy_http_parser *p)
{
    p->head_request = true;
}

/* ------------------------------------------------------------- helpers */

/* Records a line error at `at`; line parsers return -1 through this. */
static ssize_t line_err(struct eddy_http_parser *p, size_t at, int status, const char *why)
{
    p->err_pos = at;
    p->err_status = status;
    p->err_reason = why;
    return -1;
}

static ssize_t fail(struct eddy_http_parser *p, struct eddy_http_event *ev, int status,
                    const char *why)
{
    if (status) {
        p->err_status = status;
        p->err_reason = why;
    }
    p->state = S_ERROR;
    *ev = (struct eddy_http_event){
        .type = EDDY_HTTP_ERROR, .status = p->err_status, .reason = p->err_reason};
    return -EPROTO;
}

/* The line end at b[i]: returns the offset after it, 0 if more bytes are
 * needed, -1 (error) if b[i] is no line end; `why` names that error. */
static ssize_t eol(struct eddy_http_parser *p, const char *b, size_t i, size_t e, const char *why)
{
    if (i == e)
        return 0;
    if (b[i] == '\r') {
        if (i + 1 == e)
            return 0;
        if (b[i + 1] == '\n')
            return (ssize_t)(i + 2);
        return line_err(p, i, 400, "bare CR (not followed by LF)");
    }
    if (b[i] == '\n') {
        if (p->lim.allow_bare_lf)
            return (ssize_t)(i + 1);
        return line_err(p, i, 400, "bare LF line ending (CRLF required)");
    }
    return line_err(p, i, 400, why);
}

/* "HTTP/" DIGIT "." DIGIT at b[i]: returns the offset after it, 0 for more
 * bytes, -1 when malformed.  Stores major*10+minor in *v. */
static ssize_t version(struct eddy_http_parser *p, const char *b, size_t i, size_t e, int *v)
{
    static const char pat[] = "HTTP/0.0";
    if (e - i >= 8 && !memcmp(b + i, "HTTP/", 5) && b[i + 5] >= '0' && b[i + 5] <= '9' &&
        b[i + 6] == '.' && b[i + 7] >= '0' && b[i + 7] <= '9') { /* the usual case */
        *v = (b[i + 5] - '0') * 10 + (b[i + 7] - '0');
        return (ssize_t)(i + 8);
    }
    for (size_t k = 0; k < 8; k++, i++) {
        if (i == e)
            return 0;
        bool ok = pat[k] == '0' ? b[i] >= '0' && b[i] <= '9' : b[i] == pat[k];
        if (!ok)
            return line_err(p, i, 400, "malformed HTTP version");
    }
    *v = (b[i - 3] - '0') * 10 + (b[i - 1] - '0');
    return (ssize_t)i;
}

static ssize_t check_version(struct eddy_http_parser *p, size_t at, int v)
{
    if (v / 10 != 1)
        return line_err(p, at, 505, "HTTP version not supported (only HTTP/1.x)");
    p->head.minor = v % 10 ? 1 : 0;
    return 0;
}

/* ------------------------------------------------------ the start line */

/* Is the request-target in origin, absolute or asterisk form (RFC 9112 §3.2)? */
static bool target_form_ok(const char *t, size_t n, bool options)
{
    if (t[0] == '/')
        return true;
    if (n == 1 && t[0] == '*')
        return options;
    size_t i = 0; /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    for (char c; i < n && (c = eddy__http_lower(t[i]),
                          (c >= 'a' && c <= 'z') || (i && ((c >= '0' && c <= '9') || c == '+' ||
                                                           c == '-' || c == '.')));)
        i++;
    if (i == 0)
        return false;
    if (n - i < 4 || memcmp(t + i, "://", 3) != 0 || t[i + 3] == '/' || t[i + 3] == '?')
        return false;
    for (i += 3; i < n && t[i] != '/' && t[i] != '?'; i++)
        if (t[i] == '@') /* userinfo: deprecated, and a way to fool logs */
            return false;
    return true;
}

static ssize_t request_line(struct eddy_http_parser *p, const char *b, size_t e)
{
    size_t i = 0;
    while (i < e && IS(b[i], TOKEN))
        i++;
    if (i == e)
        return 0;
    if (b[i] != ' ' || i == 0)
        return line_err(p, i, 400, i ? "invalid character in method" : "invalid method");
    p->method_len = (uint32_t)i;
    size_t t = ++i;
    while (e - i >= 8 && plain8(b + i, 0x21))
        i += 8;
    while (i < e && IS(b[i], TARGET))
        i++;
    if (i == e)
        return 0;
    if (b[i] != ' ' || i == t)
        return line_err(p, i, 400,
                        b[i] == '#' ? "fragment in request target"
                                    : "invalid character in request target");
    p->target = (uint32_t)t;
    p->target_len = (uint32_t)(i - t);
    int v;
    ssize_t r = version(p, b, i + 1, e, &v);
    if (r <= 0)
        return r;
    size_t lf = (size_t)r;
    r = eol(p, b, lf, e, "malformed HTTP version");
    if (r <= 0)
        return r;
    if (check_version(p, lf, v) < 0)
        return -1;
    if (p->method_len == 7 && !memcmp(b, "CONNECT", 7))
        return line_err(p, lf, 501, "CONNECT is not supported");
    bool options = p->method_len == 7 && !memcmp(b, "OPTIONS", 7);
    if (!target_form_ok(b + t, p->target_len, options))
        return line_err(p, lf, 400, "request target not in origin, absolute or asterisk form");
    return r;
}

static ssize_t status_line(struct eddy_http_parser *p, const char *b, size_t e)
{
    int v;
    ssize_t r = version(p, b, 0, e, &v);
    if (r <= 0)
        return r;
    size_t i = (size_t)r;
    int status = 0;
    for (size_t k = 0; k < 4; k++, i++) {
        if (i == e)
            return 0;
        bool ok = k == 0 ? b[i] == ' ' : b[i] >= '0' && b[i] <= '9';
        if (!ok)
            return line_err(p, i, 400, "malformed status code");
        if (k)
            status = status * 10 + (b[i] - '0');
    }
    size_t reason = i;
    if (i < e && b[i] == ' ')
        for (reason = ++i; i < e && IS(b[i], VALUE);)
            i++;
    p->reason = (uint32_t)reason;
    p->reason_len = (uint32_t)(i - reason);
    size_t lf = i;
    r = eol(p, b, i, e, "invalid character in reason phrase");
    if (r <= 0)
        return r;
    if (check_version(p, lf, v) < 0)
        return -1;
    if (status < 100)
        return line_err(p, lf, 400, "status code below 100");
    p->head.status = status;
    return r;
}

/* ------------------------------------------------------ header fields */

/* Content-Length: 1#DIGIT, identical duplicates allowed (RFC 9110 §8.6).
 * Returns 0, -1 when invalid, -2 when it contradicts an earlier value. */
static int content_length(struct eddy_http_parser *p, const char *v, size_t n)
{
    for (size_t i = 0;;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        uint64_t x = 0;
        size_t d = i;
        for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
            uint64_t digit = (uint64_t)(v[i] - '0');
            if (x > (UINT64_MAX - digit) / 10)
                return -1;
            x = x * 10 + digit;
        }
        if (i == d)
            return -1;
        if ((p->flags & F_CL) && x != p->content_length)
            return -2;
        p->flags |= F_CL;
        p->content_length = x;
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        if (i == n)
            return 0;
        if (v[i++] != ',')
            return -1;
    }
}

/* Transfer-Encoding: 1#transfer-coding; remembers what matters for framing. */
static int transfer_encoding(struct eddy_http_parser *p, const char *v, size_t n)
{
    size_t i = 0;
    p->flags |= F_TE;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t t = i;
        while (i < n && IS(v[i], TOKEN))
            i++;
        if (i == t)
            return i == n ? 0 : -1;
        if (lower_eq(v + t, i - t, "chunked")) {
            if (p->flags & F_TE_CHUNKED)
                p->flags |= F_TE_TWICE;
            p->flags |= F_TE_CHUNKED | F_TE_LAST;
        } else {
            p->flags = (p->flags & ~(unsigned)F_TE_LAST) | F_TE_OTHER;
        }
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        if (i < n && v[i] == ';') { /* chunked has no parameters */
            if (p->flags & F_TE_LAST)
                return -1;
            while (i < n && v[i] != ',')
                i++;
        }
        if (i < n && v[i] != ',')
            return -1;
    }
    return 0;
}

/* Connection: a list of tokens (RFC 9110 §7.6.1), one pass. */
static void connection(struct eddy_http_parser *p, const char *v, size_t n)
{
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (lower_eq(v + s, i - s, "close"))
            p->flags |= F_CLOSE;
        else if (lower_eq(v + s, i - s, "keep-alive"))
            p->flags |= F_KEEP;
        else if (lower_eq(v + s, i - s, "upgrade"))
            p->flags |= F_UPGRADE;
    }
}

/* Host = uri-host [ ":" port ]: reg-name, IP-literal or IPv4 bytes only. */
static bool host_ok(const char *v, size_t n)
{
    const uint8_t *c = eddy__http_class;
    unsigned all = EDDY__HTTP_HOST; /* and-ed, not branched on: short and hot */
    size_t i = 0;
    for (; n - i >= 4; i += 4)
        all &=
            c[(uint8_t)v[i]] & c[(uint8_t)v[i + 1]] & c[(uint8_t)v[i + 2]] & c[(uint8_t)v[i + 3]];
    for (; i < n; i++)
        all &= c[(uint8_t)v[i]];
    return all;
}

/* The fields that decide framing and persistence; 0 or a line error. */
static ssize_t special_field(struct eddy_http_parser *p, const char *name, size_t nl, const char *v,
                             size_t vl, size_t at)
{
    switch (nl) {
    case 4:
        if (p->role == EDDY_HTTP_REQUEST && lower_eq(name, nl, "host")) {
            if (p->flags & F_HOST)
                return line_err(p, at, 400, "more than one Host header");
            if (!host_ok(v, vl))
                return line_err(p, at, 400, "invalid Host header");
            p->flags |= F_HOST;
        }
        break;
    case 6:
        if (p->role == EDDY_HTTP_REQUEST && p->head.minor == 1 && lower_eq(name, nl, "expect")) {
            if (!lower_eq(v, vl, "100-continue"))
                return line_err(p, at, 417, "unsupported expectation (only 100-continue)");
            p->flags |= F_CONTINUE;
        }
        break;
    case 10:
        if (lower_eq(name, nl, "connection"))
            connection(p, v, vl);
        break;
    case 14:
        if (lower_eq(name, nl, "content-length")) {
            int r = content_length(p, v, vl);
            if (r == -2)
                return line_err(p, at, 400, "conflicting Content-Length values");
            if (r < 0)
                return line_err(p, at, 400, "invalid Content-Length");
        }
        break;
    case 17:
        if (lower_eq(name, nl, "transfer-encoding") && transfer_encoding(p, v, vl) < 0)
            return line_err(p, at, 400, "invalid Transfer-Encoding");
        break;
    }
    return 0;
}

/* One field line at b[s..e) of a header (or trailer) section, or the empty
 * line that ends it.  Returns the offset after the line, 0, or -1. */
static ssize_t field_line(struct eddy_http_parser *p, const char *b, size_t s, size_t e,
                          bool trailer)
{
    size_t i = s;
    if (i == e)
        return 0;
    if (b[i] == '\r' || b[i] == '\n')
        return eol(p, b, i, e, "");
    while (e - i >= 4 && IS(b[i], TOKEN) && IS(b[i + 1], TOKEN) && IS(b[i + 2], TOKEN) &&
           IS(b[i + 3], TOKEN))
        i += 4;
    while (i < e && IS(b[i], TOKEN))
        i++;
    if (i == e)
        return 0;
    if (b[i] != ':' || i == s) {
        if (i == s && (b[i] == ' ' || b[i] == '\t'))
            return line_err(p, i, 400,
                            p->nfields ? "obsolete line folding (obs-fold)"
                                       : "whitespace before the first header field");
        if (b[i] == ' ' || b[i] == '\t')
            return line_err(p, i, 400, "whitespace between header name and colon");
        return line_err(p, i, 400,
                        i == s ? "empty header name" : "invalid character in header name");
    }
    size_t name_end = i++;
    while (i < e && (b[i] == ' ' || b[i] == '\t'))
        i++;
    size_t v = i;
    while (e - i >= 8 && plain8(b + i, 0x20))
        i += 8;
    while (i < e && IS(b[i], VALUE))
        i++;
    size_t ve = i;
    ssize_t r = eol(p, b, i, e, "invalid character in header value");
    if (r <= 0)
        return r;
    while (ve > v && (b[ve - 1] == ' ' || b[ve - 1] == '\t'))
        ve--;
    if (p->nfields == p->lim.max_headers)
        return line_err(p, i, 431, trailer ? "too many trailer fields" : "too many header fields");
    if (!trailer && special_field(p, b + s, name_end - s, b + v, ve - v, i) < 0)
        return -1;
    p->fields[p->nfields++] =
        (struct field){(uint32_t)s, (uint32_t)(name_end - s), (uint32_t)v, (uint32_t)(ve - v)};
    return r;
}

/* Parses lines of the section starting at b until its empty line.  Returns
 * the section length (> 0), 0 for more bytes, -1 with err_* set. */
static ssize_t section(struct eddy_http_parser *p, const char *b, size_t n, bool trailer)
{
    if (n < p->scan) { /* the caller broke the contract: start the section over */
        p->pos = p->scan = p->nfields = 0;
        if (!trailer)
            p->flags = 0;
    }
    for (;;) {
        size_t s = p->pos;
        bool start = !trailer && s == 0;
        size_t lim = p->lim.max_head - s;
        if (start && p->lim.max_line < lim)
            lim = p->lim.max_line;
        bool full = n - s >= lim;
        size_t e = full ? s + lim : n;
        if (p->scan > s) { /* resumed: reparse only if the line can end */
            size_t i = p->scan;
            while (i < e && !IS(b[i], STOP))
                i++;
            if (i == e && !full) {
                p->scan = e;
                return 0;
            }
        }
        ssize_t r =
            start ? (p->role == EDDY_HTTP_REQUEST ? request_line(p, b, e) : status_line(p, b, e))
                  : field_line(p, b, s, e, trailer);
        if (r < 0) {
            /* Report it only once the answer no longer depends on splitting. */
            size_t i = p->err_pos;
            while (i < e && !IS(b[i], STOP))
                i++;
            if (i < e || full)
                return -1;
            p->scan = e;
            return 0;
        }
        if (r == 0) {
            if (!full) {
                p->scan = e;
                return 0;
            }
            if (start && lim == p->lim.max_line)
                return line_err(p, e, 414,
                                p->role == EDDY_HTTP_REQUEST ? "request line too long"
                                                             : "status line too long");
            return line_err(p, e, 431,
                            trailer ? "trailer section too large" : "header section too large");
        }
        p->pos = p->scan = (size_t)r;
        if (!start && (b[s] == '\r' || b[s] == '\n'))
            return r;
    }
}

/* Slices of the section at b for the fields parsed. */
static void fill(struct eddy_http_parser *p, const char *b, struct eddy_http_header *h)
{
    for (size_t i = 0; i < p->nfields; i++) {
        const struct field *f = &p->fields[i];
        h[i] = (struct eddy_http_header){b + f->name, f->name_len, b + f->value, f->value_len};
    }
}

/* All framing and persistence decisions, once the head is complete
 * (RFC 9112 §6.1, §6.3, §9.3).  Returns 0 or a line error. */
static ssize_t finish_head(struct eddy_http_parser *p)
{
    struct eddy_http_head *h = &p->head;
    unsigned f = p->flags;
    bool req = p->role == EDDY_HTTP_REQUEST;
    h->framing = req ? EDDY_HTTP_NO_BODY : EDDY_HTTP_UNTIL_CLOSE;
    h->keep_alive = h->minor ? !(f & F_CLOSE) : (f & F_KEEP) && !(f & F_CLOSE);
    h->expect_continue = f & F_CONTINUE;
    h->upgrade = f & F_UPGRADE;
    h->content_length = 0;
    if (req && h->minor == 1 && !(f & F_HOST))
        return line_err(p, 0, 400, "missing Host header");
    if (!req && (h->status < 200 || h->status == 204 || h->status == 304 || (p->head_request))) {
        h->framing = EDDY_HTTP_NO_BODY;
        return 0;
    }
    if (f & F_TE) {
        if (h->minor == 0)
            return line_err(p, 0, 400, "Transfer-Encoding in an HTTP/1.0 message");
        if (f & F_CL)
            return line_err(p, 0, 400, "both Content-Length and Transfer-Encoding");
        if (!(f & F_TE_LAST)) {
            if (req || !(f & (F_TE_CHUNKED | F_TE_OTHER)))
                return line_err(p, 0, 400,
                                f & (F_TE_CHUNKED | F_TE_OTHER)
                                    ? "chunked is not the final transfer coding"
                                    : "empty Transfer-Encoding");
            h->keep_alive = false; /* response delimited by close */
            return 0;
        }
        if (f & F_TE_TWICE)
            return line_err(p, 0, 400, "chunked applied more than once");
        if (f & F_TE_OTHER)
            return line_err(p, 0, 501, "unsupported transfer coding (only chunked)");
        h->framing = EDDY_HTTP_CHUNKED;
    } else if (f & F_CL) {
        if (p->content_length > p->lim.max_body)
            return line_err(p, 0, 413, "body larger than the limit (Content-Length)");
        h->framing = EDDY_HTTP_LENGTH;
        h->content_length = p->content_length;
    } else if (!req) {
        h->keep_alive = false;
    }
    return 0;
}

/* The head state: skips leading empty lines, then the whole head. */
static ssize_t parse_head(struct eddy_http_parser *p, const char *buf, size_t len,
                          struct eddy_http_event *ev)
{
    size_t skip = 0;
    if (p->pos == 0 && p->role == EDDY_HTTP_REQUEST) {
        for (;;) {
            if (len - skip >= 2 && buf[skip] == '\r' && buf[skip + 1] == '\n')
                skip += 2;
            else if (len - skip >= 1 && buf[skip] == '\n' && p->lim.allow_bare_lf)
                skip += 1;
            else
                break;
        }
        p->scan = p->scan > skip ? p->scan - skip : 0;
    }
    const char *b = buf + skip;
    ssize_t r = section(p, b, len - skip, false);
    if (r > 0 && finish_head(p) < 0)
        r = -1;
    if (r < 0)
        return fail(p, ev, 0, NULL);
    if (r == 0) {
        *ev = (struct eddy_http_event){.type = EDDY_HTTP_NEED_MORE};
        p->held = len - skip;
        return (ssize_t)skip;
    }
    struct eddy_http_head *h = &p->head;
    fill(p, b, p->headers);
    h->headers = p->headers;
    h->nheaders = p->nfields;
    if (p->role == EDDY_HTTP_REQUEST) {
        h->method = b;
        h->method_len = p->method_len;
        h->target = b + p->target;
        h->target_len = p->target_len;
    } else {
        h->reason = b + p->reason;
        h->reason_len = p->reason_len;
        if (h->status >= 200)
            p->head_request = false;
    }
    switch (h->framing) {
    case EDDY_HTTP_NO_BODY: p->state = S_END; break;
    case EDDY_HTTP_LENGTH:
        p->remaining = h->content_length;
        p->state = h->content_length ? S_BODY : S_END;
        break;
    case EDDY_HTTP_CHUNKED: p->state = S_CHUNK_SIZE; break;
    case EDDY_HTTP_UNTIL_CLOSE: p->state = S_UNTIL_CLOSE; break;
    }
    p->pos = p->scan = p->nfields = 0;
    *ev = (struct eddy_http_event){.type = EDDY_HTTP_HEAD, .head = h};
    return (ssize_t)skip + r;
}

/* ---------------------------------------------------------------- body */

/* chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1).  Returns its length, 0 for
 * more bytes, -1 with err_* set. */
static ssize_t chunk_line(struct eddy_http_parser *p, const char *b, size_t n)
{
    size_t i = 0;
    uint64_t size = 0;
    for (int d; i < n && (d = eddy__http_hexval(b[i])) >= 0; i++) {
        if (i == 16)
            return line_err(p, i, 400, "chunk size too long");
        size = size << 4 | (uint64_t)d;
    }
    if (i == n)
        return 0;
    if (i == 0)
        return line_err(p, i, 400, "invalid chunk size");
    size_t x = i;
    while (i < n && IS(b[i], VALUE)) {
        if (++i - x > p->lim.max_chunk_ext)
            return line_err(p, i, 400, "chunk extension too long");
    }
    if (i == n)
        return 0;
    if (b[i] != '\r')
        return line_err(p, i, 400,
                        b[i] == '\n' ? "bare LF in chunked framing"
                                     : "invalid chunk size or extension");
    if (i + 1 == n)
        return 0;
    if (b[i + 1] != '\n')
        return line_err(p, i, 400, "bare CR in chunked framing");
    if (i > x) { /* chunk-ext = *( BWS ";" ... ) */
        while (b[x] == ' ' || b[x] == '\t')
            x++;
        if (b[x] != ';')
            return line_err(p, i, 400, "invalid chunk size or extension");
    }
    if (size > p->lim.max_body - p->body_total)
        return line_err(p, i, 413, "body larger than the limit (chunked)");
    p->remaining = size;
    return (ssize_t)(i + 2);
}

static ssize_t body_event(struct eddy_http_parser *p, const char *b, size_t n,
                          struct eddy_http_event *ev, size_t off)
{
    *ev = (struct eddy_http_event){.type = EDDY_HTTP_BODY, .head = &p->head, .data = b, .len = n};
    p->body_total += n;
    return (ssize_t)(off + n);
}

/* One piece: the state machine's dispatch, each state a short case that
 * calls out to the helpers above. */
ssize_t eddy_http_parse(struct eddy_http_parser *p, const char *buf, size_t len,
                        struct eddy_http_event *ev)
{
    size_t off = 0; /* consumed without an event (chunk framing) */
    for (;;) {
        const char *b = buf + off;
        size_t n = len - off;
        ssize_t r;
        switch (p->state) {
        case S_HEAD: r = parse_head(p, b, n, ev); return r < 0 ? r : r + (ssize_t)off;
        case S_BODY:
        case S_CHUNK_DATA:
            if (n == 0)
                goto need_more;
            if (n > p->remaining)
                n = (size_t)p->remaining;
            p->remaining -= n;
            if (p->remaining == 0)
                p->state = p->state == S_BODY ? S_END : S_CHUNK_CRLF;
            return body_event(p, b, n, ev, off);
        case S_UNTIL_CLOSE:
            if (n == 0)
                goto need_more;
            /* Up to the limit, then the error: the same events however split. */
            if (p->body_total == p->lim.max_body)
                return fail(p, ev, 413, "body larger than the limit");
            if (n > p->lim.max_body - p->body_total)
                n = (size_t)(p->lim.max_body - p->body_total);
            return body_event(p, b, n, ev, off);
        case S_CHUNK_SIZE:
            r = chunk_line(p, b, n);
            if (r < 0)
                return fail(p, ev, 0, NULL);
            if (r == 0)
                goto need_more;
            off += (size_t)r;
            p->state = p->remaining ? S_CHUNK_DATA : S_TRAILERS;
            continue;
        case S_CHUNK_CRLF:
            if (n >= 1 && b[0] != '\r')
                return fail(p, ev, 400,
                            b[0] == '\n' ? "bare LF after chunk data"
                                         : "chunk data longer than its size");
            if (n < 2)
                goto need_more;
            if (b[1] != '\n')
                return fail(p, ev, 400, "bare CR after chunk data");
            off += 2;
            p->state = S_CHUNK_SIZE;
            continue;
        case S_TRAILERS:
            r = section(p, b, n, true);
            if (r < 0)
                return fail(p, ev, 0, NULL);
            if (r == 0)
                goto need_more;
            off += (size_t)r;
            p->state = S_END;
            if (p->nfields == 0)
                continue;
            fill(p, b, p->trailers);
            *ev = (struct eddy_http_event){.type = EDDY_HTTP_TRAILERS,
                                           .head = &p->head,
                                           .trailers = p->trailers,
                                           .ntrailers = p->nfields};
            p->pos = p->scan = p->nfields = 0;
            return (ssize_t)off;
        case S_END:
            *ev = (struct eddy_http_event){.type = EDDY_HTTP_END, .head = &p->head};
            if (!p->head.keep_alive || p->head.status == 101) {
                p->state = S_CLOSED;
            } else {
                next_message(p); /* head_request survives a 1xx */
            }
            return (ssize_t)off;
        case S_CLOSED:
            *ev = (struct eddy_http_event){.type = EDDY_HTTP_CLOSED};
            return (ssize_t)off;
        case S_ERROR: return fail(p, ev, 0, NULL);
        }
    }
need_more:
    p->held = len - off;
    *ev = (struct eddy_http_event){.type = EDDY_HTTP_NEED_MORE, .head = &p->head};
    return (ssize_t)off;
}

int eddy_http_parser_eof(struct eddy_http_parser *p, struct eddy_http_event *ev)
{
    if (p->state == S_UNTIL_CLOSE || p->state == S_END) {
        *ev = (struct eddy_http_event){.type = EDDY_HTTP_END, .head = &p->head};
        p->state = S_CLOSED;
        return 0;
    }
    if (p->state == S_CLOSED || (p->state == S_HEAD && p->held == 0)) {
        *ev = (struct eddy_http_event){.type = EDDY_HTTP_CLOSED};
        p->state = S_CLOSED;
        return 0;
    }
    if (p->state != S_ERROR)
        return (int)fail(p, ev, 400, "connection closed in the middle of a message");
    return (int)fail(p, ev, 0, NULL);
}
