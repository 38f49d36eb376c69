/* Tests of the HTTP/1.1 parser on valid traffic: requests, bodies (length,
 * chunked, trailers), pipelining with exact byte accounting, persistence,
 * Expect, limits and responses.  Every input also runs byte by byte and in
 * random splits (harness.c). */
#include "../test.h"
#include "harness.h"

#include <errno.h>
#include <stdlib.h>

TEST(http_parse_simple_get)
{
    CHECK_STR(REQ("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"),
              "HEAD GET /index.html?q=1 1.1 nobody ka {Host: example.com}{Accept: */*}\nEND\n");
}

TEST(http_parse_value_whitespace_trimmed_and_empty_values)
{
    CHECK_STR(REQ("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t spaced  out \t\r\nX-E:\r\nX-F:   \r\n\r\n"),
              "HEAD GET / 1.1 nobody ka {Host: a}{X-A: spaced  out}{X-E: }{X-F: }\nEND\n");
}

TEST(http_parse_obs_text_allowed_in_values)
{
    CHECK_STR(REQ("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"),
              "HEAD GET / 1.1 nobody ka {Host: a}{X: caf\xc3\xa9}\nEND\n");
}

TEST(http_parse_content_length_body)
{
    size_t used;
    const char in[] = "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world";
    CHECK_STR(http_trace(&(struct http_opts){0}, in, sizeof in - 1, &used),
              "HEAD POST /f 1.1 cl=11 ka {Host: a}{Content-Length: 11}\nBODY hello world\nEND\n");
    CHECK_INT(used, ==, sizeof in - 1);
}

TEST(http_parse_content_length_zero_and_identical_duplicates)
{
    CHECK_STR(REQ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
              "HEAD POST / 1.1 cl=0 ka {Host: a}{Content-Length: 0}\nEND\n");
    CHECK_STR(
        REQ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc"),
        "HEAD POST / 1.1 cl=3 ka {Host: a}{Content-Length: 3, 3}{Content-Length: 3}\n"
        "BODY abc\nEND\n");
}

TEST(http_parse_chunked_body_with_extensions_and_trailers)
{
    size_t used;
    const char in[] = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n"
                      "6;name=value ; x=\"q\"\r\n world\r\n"
                      "A\r\n0123456789\r\n"
                      "0\r\nChecksum: abc\r\nX-T: 1\r\n\r\n";
    CHECK_STR(http_trace(&(struct http_opts){0}, in, sizeof in - 1, &used),
              "HEAD POST / 1.1 chunked ka {Host: a}{Transfer-Encoding: chunked}\n"
              "BODY hello world0123456789\n"
              "TRAILERS {Checksum: abc}{X-T: 1}\nEND\n");
    CHECK_INT(used, ==, sizeof in - 1);
}

TEST(http_parse_chunked_without_trailers_and_case)
{
    CHECK_STR(REQ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
                  "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"),
              "HEAD POST / 1.1 chunked ka {Host: a}{Transfer-Encoding: CHUNKED}\n"
              "BODY abcdefghijklmnopqrstuvwxyz\nEND\n");
}

TEST(http_parse_pipelined_requests_in_order)
{
    size_t used;
    const char in[] =
        "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
        "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
        "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
        "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"
        "GET /5 HTTP/1.1\r\nHo"; /* incomplete: not consumed */
    CHECK_STR(http_trace(&(struct http_opts){0}, in, sizeof in - 1, &used),
              "HEAD GET /1 1.1 nobody ka {Host: a}\nEND\n"
              "HEAD POST /2 1.1 cl=3 ka {Host: a}{Content-Length: 3}\nBODY xyz\nEND\n"
              "HEAD POST /3 1.1 chunked ka {Host: a}{Transfer-Encoding: chunked}\nBODY hi\nEND\n"
              "HEAD GET /4 1.1 nobody ka {Host: a}\nEND\n");
    CHECK_INT(used, ==, sizeof in - 1 - strlen("GET /5 HTTP/1.1\r\nHo"));
}

TEST(http_parse_connection_close_stops_the_connection)
{
    size_t used;
    const char in[] =
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\nGET /x HTTP/1.1\r\n\r\n";
    CHECK_STR(http_trace(&(struct http_opts){0}, in, sizeof in - 1, &used),
              "HEAD GET / 1.1 nobody close {Host: a}{Connection: foo, Close}\nEND\nCLOSED\n");
    CHECK_INT(used, ==, sizeof in - 1 - strlen("GET /x HTTP/1.1\r\n\r\n"));
}

TEST(http_parse_http10_keep_alive_rules)
{
    CHECK_STR(REQ("GET / HTTP/1.0\r\n\r\n"), "HEAD GET / 1.0 nobody close \nEND\nCLOSED\n");
    CHECK_STR(REQ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n"),
              "HEAD GET / 1.0 nobody ka {Connection: keep-alive}\nEND\n"
              "HEAD GET /2 1.0 nobody close \nEND\nCLOSED\n");
    CHECK_STR(REQ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"),
              "HEAD GET / 1.0 nobody close {Connection: keep-alive, close}\nEND\nCLOSED\n");
}

TEST(http_parse_minor_versions_above_1_are_1_1)
{
    CHECK_STR(REQ("GET / HTTP/1.7\r\nHost: a\r\n\r\n"),
              "HEAD GET / 1.1 nobody ka {Host: a}\nEND\n");
}

TEST(http_parse_expect_100_continue)
{
    CHECK_STR(
        REQ("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok"),
        "HEAD PUT / 1.1 cl=2 ka continue {Host: a}{Expect: 100-Continue}{Content-Length: 2}\n"
        "BODY ok\nEND\n");
    /* HTTP/1.0 must ignore the expectation (RFC 9110 §10.1.1). */
    CHECK_STR(REQ("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"),
              "HEAD PUT / 1.0 cl=0 close {Expect: 100-continue}{Content-Length: 0}\nEND\nCLOSED\n");
    CHECK_INT(REQ_STATUS("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n"), ==, 417);
}

TEST(http_parse_upgrade_flag)
{
    CHECK_STR(
        REQ("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"),
        "HEAD GET /ws 1.1 nobody ka upgrade {Host: a}{Connection: Upgrade}{Upgrade: "
        "websocket}\nEND\n");
}

TEST(http_parse_leading_empty_lines_skipped)
{
    size_t used;
    const char in[] = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_STR(http_trace(&(struct http_opts){0}, in, sizeof in - 1, &used),
              "HEAD GET / 1.1 nobody ka {Host: a}\nEND\n");
    CHECK_INT(used, ==, sizeof in - 1);
}

TEST(http_parse_target_forms)
{
    CHECK_STR(REQ("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
              "HEAD OPTIONS * 1.1 nobody ka {Host: a}\nEND\n");
    CHECK_STR(REQ("GET http://h.example:80/p?q HTTP/1.1\r\nHost: h.example\r\n\r\n"),
              "HEAD GET http://h.example:80/p?q 1.1 nobody ka {Host: h.example}\nEND\n");
    CHECK_INT(REQ_STATUS("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), ==, 400);
    CHECK_INT(REQ_STATUS("GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n"), ==, 400);
    CHECK_INT(REQ_STATUS("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n"), ==, 400);
    CHECK_INT(REQ_STATUS("CONNECT a.example:443 HTTP/1.1\r\nHost: a\r\n\r\n"), ==, 501);
}

TEST(http_parse_bare_lf_only_when_allowed)
{
    const char in[] = "GET / HTTP/1.1\nHost: a\n\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_INT(http_req_status(in, sizeof in - 1), ==, 400);
    struct http_opts o = {.limits.allow_bare_lf = true};
    CHECK_STR(
        http_trace(&o, in, sizeof in - 1, NULL),
        "HEAD GET / 1.1 nobody ka {Host: a}\nEND\nHEAD GET /2 1.1 nobody ka {Host: a}\nEND\n");
    /* Chunk framing stays strict either way. */
    const char ch[] = "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n1\nx\n0\n\n";
    CHECK(strstr(http_trace(&o, ch, sizeof ch - 1, NULL), "ERROR 400 bare LF in chunked framing"));
}

TEST(http_parse_limits_line_head_count_body)
{
    struct http_opts o = {
        .limits = {.max_line = 32, .max_head = 100, .max_headers = 3, .max_body = 10}};
    char in[512];
    int n;
    n = snprintf(in, sizeof in, "GET /%s HTTP/1.1\r\nHost: a\r\n\r\n", "aaaaaaaaaaaaaaaaaaaaaa");
    CHECK(strstr(http_trace(&o, in, (size_t)n, NULL), "ERROR 414 request line too long"));
    n = snprintf(in, sizeof in, "GET /%s HTTP/1.1\r\nHost: a\r\n\r\n",
                 "aaaaaaaaaaaaaaaa"); /* 32: fits */
    CHECK(strstr(http_trace(&o, in, (size_t)n, NULL), "HEAD GET /"));
    n = snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: a\r\nX: %080d\r\n\r\n", 0);
    CHECK(strstr(http_trace(&o, in, (size_t)n, NULL), "ERROR 431 header section too large"));
    n = snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
    CHECK(strstr(http_trace(&o, in, (size_t)n, NULL), "ERROR 431 too many header fields"));
    n = snprintf(in, sizeof in, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n");
    CHECK(strstr(http_trace(&o, in, (size_t)n, NULL), "ERROR 413"));
    n = snprintf(in, sizeof in,
                 "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789");
    CHECK(strstr(http_trace(&o, in, (size_t)n, NULL), "BODY 0123456789\nEND\n"));
    n = snprintf(in, sizeof in,
                 "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "8\r\n01234567\r\n3\r\n");
    CHECK_STR(http_trace(&o, in, (size_t)n, NULL),
              "HEAD POST / 1.1 chunked ka {Host: a}{Transfer-Encoding: chunked}\n"
              "BODY 01234567\nERROR 413 body larger than the limit (chunked)\n");
}

TEST(http_parse_head_exactly_at_the_limit)
{
    /* The limit counts the whole head, final CRLF included. */
    const char in[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    struct http_opts o = {.limits.max_head = sizeof in - 1};
    CHECK(strstr(http_trace(&o, in, sizeof in - 1, NULL), "HEAD GET"));
    o.limits.max_head--;
    CHECK(strstr(http_trace(&o, in, sizeof in - 1, NULL), "ERROR 431"));
}

TEST(http_parse_chunk_extension_limit)
{
    struct http_opts o = {.limits.max_chunk_ext = 8};
    const char ok[] = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n1;abcdef\r\nx\r\n0\r\n\r\n";
    CHECK(strstr(http_trace(&o, ok, sizeof ok - 1, NULL), "BODY x\nEND\n"));
    const char bad[] = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n1;abcdefgh\r\nx\r\n0\r\n\r\n";
    CHECK(strstr(http_trace(&o, bad, sizeof bad - 1, NULL), "ERROR 400 chunk extension too long"));
}

TEST(http_parse_many_headers_are_all_reported)
{
    char in[8192];
    size_t n = (size_t)snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 99; i++)
        n += (size_t)snprintf(in + n, sizeof in - n, "X-%d: v%d\r\n", i, i);
    n += (size_t)snprintf(in + n, sizeof in - n, "\r\n");
    const char *t = http_trace(&(struct http_opts){0}, in, n, NULL);
    CHECK(strstr(t, "{X-98: v98}\nEND\n"));
    memcpy(in + n - 2, "Y: 1\r\n\r\n", 8); /* the 101st */
    t = http_trace(&(struct http_opts){0}, in, n + 6, NULL);
    CHECK(strstr(t, "ERROR 431 too many header fields"));
}

TEST(http_parse_eof_rules)
{
    struct http_opts o = {.eof = true};
    CHECK_STR(http_trace(&o, "", 0, NULL), "CLOSED\n");
    CHECK_STR(http_trace(&o, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, NULL),
              "HEAD GET / 1.1 nobody ka {Host: a}\nEND\nCLOSED\n");
    CHECK_STR(http_trace(&o, "GET / HT", 8, NULL),
              "ERROR 400 connection closed in the middle of a message\n");
    const char body[] = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab";
    CHECK_STR(http_trace(&o, body, sizeof body - 1, NULL),
              "HEAD POST / 1.1 cl=5 ka {Host: a}{Content-Length: 5}\nBODY ab\n"
              "ERROR 400 connection closed in the middle of a message\n");
}

TEST(http_parse_reset_and_reuse)
{
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, NULL);
    struct eddy_http_event ev;
    CHECK_INT(eddy_http_parse(p, "\x16\x03\x01", 3, &ev), ==, -EPROTO);
    CHECK_INT(ev.status, ==, 400);
    eddy_http_parser_reset(p);
    const char in[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_INT(eddy_http_parse(p, in, sizeof in - 1, &ev), ==, sizeof in - 1);
    CHECK_INT(ev.type, ==, EDDY_HTTP_HEAD);
    CHECK_INT(eddy_http_parse(p, "", 0, &ev), ==, 0);
    CHECK_INT(ev.type, ==, EDDY_HTTP_END);
    eddy_http_parser_free(p);
    eddy_http_parser_free(NULL);
}

TEST(http_parse_tls_handshake_rejected_at_once)
{
    /* A TLS ClientHello on the plain port must not wait for a line end. */
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, NULL);
    struct eddy_http_event ev;
    CHECK_INT(eddy_http_parse(p, "\x16", 1, &ev), ==, -EPROTO);
    CHECK_INT(ev.status, ==, 400);
    eddy_http_parser_free(p);
}

/* ------------------------------------------------------------ responses */

TEST(http_parse_response_length_chunked_and_close)
{
    CHECK_STR(RESP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
              "HEAD 200 OK 1.1 cl=2 ka {Content-Length: 2}\nBODY hi\nEND\nCLOSED\n");
    CHECK_STR(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"),
              "HEAD 200 OK 1.1 chunked ka {Transfer-Encoding: chunked}\nBODY hi\nEND\nCLOSED\n");
    CHECK_STR(RESP("HTTP/1.1 200 OK\r\n\r\nuntil the end"),
              "HEAD 200 OK 1.1 eof close \nBODY until the end\nEND\nCLOSED\n");
    CHECK_STR(RESP("HTTP/1.0 200\r\n\r\nx"), "HEAD 200  1.0 eof close \nBODY x\nEND\nCLOSED\n");
    CHECK_STR(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz"),
              "HEAD 200 OK 1.1 eof close {Transfer-Encoding: gzip}\nBODY zz\nEND\nCLOSED\n");
}

TEST(http_parse_response_without_body_statuses)
{
    CHECK_STR(
        RESP("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
             "HTTP/1.1 304 Not Modified\r\n\r\n"),
        "HEAD 100 Continue 1.1 nobody ka \nEND\n"
        "HEAD 204 No Content 1.1 nobody ka {Content-Length: 5}\nEND\n"
        "HEAD 304 Not Modified 1.1 nobody ka \nEND\nCLOSED\n");
    CHECK_STR(RESP("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nbinary"),
              "HEAD 101 Switching Protocols 1.1 nobody ka {Upgrade: x}\nEND\nCLOSED\n");
}

TEST(http_parse_response_to_head_request)
{
    struct http_opts o = {.role = EDDY_HTTP_RESPONSE, .eof = true, .head_request = true};
    const char in[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
    CHECK_STR(http_trace(&o, in, sizeof in - 1, NULL),
              "HEAD 100 Continue 1.1 nobody ka \nEND\n"
              "HEAD 200 OK 1.1 nobody ka {Content-Length: 50}\nEND\n" /* the HEAD answer */
              "HEAD 200 OK 1.1 cl=1 ka {Content-Length: 1}\nBODY x\nEND\nCLOSED\n");
}

TEST(http_parse_response_errors)
{
    CHECK(strstr(RESP("HTTP/1.1 20 OK\r\n\r\n"), "ERROR 400 malformed status code"));
    CHECK(strstr(RESP("HTTP/2 200 OK\r\n\r\n"), "ERROR 400 malformed HTTP version"));
    CHECK(strstr(RESP("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"),
                 "ERROR 400 connection closed"));
    CHECK(strstr(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab"),
                 "ERROR 400 connection closed"));
}

TEST(http_parse_response_until_close_body_limit)
{
    /* Up to the limit, then 413: the same events however the input is split. */
    struct http_opts o = {.role = EDDY_HTTP_RESPONSE, .eof = true, .limits.max_body = 4};
    CHECK_STR(http_trace(&o, "HTTP/1.1 200 OK\r\n\r\n0123456789", 29, NULL),
              "HEAD 200 OK 1.1 eof close \nBODY 0123\nERROR 413 body larger than the limit\n");
    CHECK_STR(http_trace(&o, "HTTP/1.1 200 OK\r\n\r\n0123", 23, NULL),
              "HEAD 200 OK 1.1 eof close \nBODY 0123\nEND\nCLOSED\n");
}

/* Every byte value, at every position of a long value and target (so the
 * word-at-a-time fast path sees it in each lane), against the RFC classes. */
TEST(http_parse_every_byte_in_values_and_targets)
{
    for (int c = 0; c < 256; c++) {
        bool vchar = c >= 0x21 && c <= 0x7e;
        bool value_ok = vchar || c == ' ' || c == '\t' || c >= 0x80;
        bool target_ok = vchar && c != '#';
        for (int at = 0; at < 17; at++) {
            char in[128];
            char v[24];
            memset(v, 'a', sizeof v);
            v[at + 2] = (char)c;
            /* Printed with a placeholder, then patched: %s would stop at a NUL. */
            int n = snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: a\r\nX: %24s\r\n\r\n", "");
            memcpy(in + 28, v, 24);
            struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, NULL);
            struct eddy_http_event ev;
            bool ok = eddy_http_parse(p, in, (size_t)n, &ev) > 0;
            if (ok != value_ok)
                test_fail(__FILE__, __LINE__, "value byte 0x%02x at %d: %s", c, at,
                          ok ? "accepted" : ev.reason);
            eddy_http_parser_reset(p);
            n = snprintf(in, sizeof in, "GET /%24s HTTP/1.1\r\nHost: a\r\n\r\n", "");
            memcpy(in + 5, v, 24);
            ok = eddy_http_parse(p, in, (size_t)n, &ev) > 0;
            if (ok != target_ok)
                test_fail(__FILE__, __LINE__, "target byte 0x%02x at %d: %s", c, at,
                          ok ? "accepted" : ev.reason);
            eddy_http_parser_free(p);
        }
    }
}

/* Zero copy: every slice of a head points into the caller's own buffer. */
TEST(http_parse_slices_point_into_the_callers_buffer)
{
    const char in[] = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, NULL);
    struct eddy_http_event ev;
    ssize_t n = eddy_http_parse(p, in, sizeof in - 1, &ev);
    CHECK_INT(n, ==, sizeof in - 4);
    const struct eddy_http_head *h = ev.head;
    CHECK(h->method == in && h->target == in + 5);
    CHECK(h->headers[0].name == in + 19 && h->headers[0].value == in + 25);
    CHECK(h->headers[1].value == in + 44);
    CHECK_INT(eddy_http_parse(p, in + n, 3, &ev), ==, 3);
    CHECK(ev.type == EDDY_HTTP_BODY && ev.data == in + n && ev.len == 3);
    CHECK(ev.head == h && h->headers[1].value == in + 44); /* still valid */
    eddy_http_parser_free(p);
}

/* A caller whose buffer holds max_head bytes always gets a verdict. */
TEST(http_parse_verdict_within_max_head_bytes)
{
    struct eddy_http_limits lim = {.max_head = 64};
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_REQUEST, &lim);
    char in[64];
    memcpy(in, "GET / HTTP/1.1\r\nHost: a\r\nX: ", 28);
    memset(in + 28, 'v', sizeof in - 28);
    struct eddy_http_event ev;
    CHECK_INT(eddy_http_parse(p, in, sizeof in - 1, &ev), ==, 0);
    CHECK_INT(ev.type, ==, EDDY_HTTP_NEED_MORE);
    CHECK_INT(eddy_http_parse(p, in, sizeof in, &ev), ==, -EPROTO);
    CHECK_INT(ev.status, ==, 431);
    eddy_http_parser_free(p);
}

TEST(http_parse_trailer_limits)
{
    struct http_opts o = {.limits = {.max_head = 64, .max_headers = 2}};
    const char many[] = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "1\r\nx\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    CHECK(strstr(http_trace(&o, many, sizeof many - 1, NULL),
                 "BODY x\nERROR 431 too many trailer fields\n"));
    o.limits.max_headers = 0;
    char big[256];
    int n = snprintf(big, sizeof big,
                     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "0\r\nT: %0150d\r\n\r\n",
                     0);
    o.limits.max_head = 128;
    CHECK(strstr(http_trace(&o, big, (size_t)n, NULL), "ERROR 431 trailer section too large\n"));
    /* Framing fields in trailers are data, never applied. */
    const char framing[] =
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\nContent-Length: 5\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK_STR(REQ(framing), "HEAD POST / 1.1 chunked ka {Host: a}{Transfer-Encoding: chunked}\n"
                            "TRAILERS {Content-Length: 5}{Connection: close}\nEND\n"
                            "HEAD GET / 1.1 nobody ka {Host: a}\nEND\n");
}

TEST(http_parse_response_framing_conflicts)
{
    CHECK(strstr(RESP("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
                 "ERROR 400 both Content-Length and Transfer-Encoding"));
    CHECK(strstr(RESP("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
                 "ERROR 400 conflicting Content-Length values"));
    CHECK(strstr(RESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), "ERROR 501"));
    CHECK(strstr(RESP("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), "ERROR 400"));
    CHECK(strstr(RESP("HTTP/2.0 200 OK\r\n\r\n"), "ERROR 505"));
    CHECK(strstr(RESP("HTTP/1.1 099 Low\r\n\r\n"), "ERROR 400 status code below 100"));
    CHECK(strstr(RESP("HTTP/1.1 200 O\x01K\r\n\r\n"),
                 "ERROR 400 invalid character in reason phrase"));
    /* A body-less status ignores framing fields entirely. */
    CHECK_STR(RESP("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"),
              "HEAD 304 Not Modified 1.1 nobody ka {Transfer-Encoding: chunked}\nEND\nCLOSED\n");
}

TEST(http_parse_eof_inside_chunked_framing)
{
    struct http_opts o = {.eof = true};
    const char in[] =
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nT: 1\r\n";
    CHECK_STR(http_trace(&o, in, sizeof in - 1, NULL),
              "HEAD POST / 1.1 chunked ka {Host: a}{Transfer-Encoding: chunked}\nBODY ab\n"
              "ERROR 400 connection closed in the middle of a message\n");
}
