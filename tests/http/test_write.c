/* Tests of the serializer: exact bytes, refusal of header injection, and
 * round trips through the response and request parsers. */
#include "../test.h"
#include "harness.h"

#include "eddy/buf.h"

#include <errno.h>

TEST(http_write_response_with_content_length)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_http_write_status(&b, 200, NULL), ==, 0);
    CHECK_INT(eddy_http_write_header(&b, "Content-Type", "text/plain", 10), ==, 0);
    CHECK_INT(eddy_http_write_content_length(&b, 5), ==, 0);
    CHECK_INT(eddy_http_write_date(&b, 784111777), ==, 0);
    CHECK_INT(eddy_http_write_end_head(&b), ==, 0);
    CHECK_INT(eddy_buf_append(&b, "hello", 5), ==, 0);
    CHECK_STR(b.data, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                      "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\nhello");
    CHECK_STR(http_trace(&(struct http_opts){.role = EDDY_HTTP_RESPONSE, .eof = true}, b.data,
                         b.len, NULL),
              "HEAD 200 OK 1.1 cl=5 ka {Content-Type: text/plain}{Content-Length: 5}"
              "{Date: Sun, 06 Nov 1994 08:49:37 GMT}\nBODY hello\nEND\nCLOSED\n");
    eddy_buf_free(&b);
}

TEST(http_write_chunked_round_trip_with_trailers)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_http_write_status(&b, 404, "Nope"), ==, 0);
    CHECK_INT(eddy_http_write_chunked(&b), ==, 0);
    CHECK_INT(eddy_http_write_end_head(&b), ==, 0);
    char big[300];
    memset(big, 'z', sizeof big);
    CHECK_INT(eddy_http_write_chunk(&b, "abc", 3), ==, 0);
    CHECK_INT(eddy_http_write_chunk(&b, "", 0), ==, 0); /* nothing, not an end */
    CHECK_INT(eddy_http_write_chunk(&b, big, sizeof big), ==, 0);
    struct eddy_http_header tr[] = {{"Digest", 6, "x=1", 3}};
    CHECK_INT(eddy_http_write_last_chunk(&b, tr, 1), ==, 0);
    CHECK(strstr(b.data, "\r\n\r\n3\r\nabc\r\n12c\r\nzzz"));
    CHECK(strstr(b.data, "zzz\r\n0\r\nDigest: x=1\r\n\r\n"));
    const char *t = http_trace(&(struct http_opts){.role = EDDY_HTTP_RESPONSE, .eof = true}, b.data,
                               b.len, NULL);
    const char *start = "HEAD 404 Nope 1.1 chunked ka {Transfer-Encoding: chunked}\nBODY abczzz";
    if (strncmp(t, start, strlen(start)))
        test_fail(__FILE__, __LINE__, "got %s", t);
    CHECK(strstr(t, "zzz\nTRAILERS {Digest: x=1}\nEND\nCLOSED\n"));
    eddy_buf_free(&b);
}

TEST(http_write_request_round_trip)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_http_write_request(&b, "POST", "/submit?a=b"), ==, 0);
    CHECK_INT(eddy_http_write_header(&b, "Host", "example.com", 11), ==, 0);
    CHECK_INT(eddy_http_write_content_length(&b, 2), ==, 0);
    CHECK_INT(eddy_http_write_end_head(&b), ==, 0);
    CHECK_INT(eddy_buf_append(&b, "ok", 2), ==, 0);
    CHECK_STR(
        http_trace(&(struct http_opts){0}, b.data, b.len, NULL),
        "HEAD POST /submit?a=b 1.1 cl=2 ka {Host: example.com}{Content-Length: 2}\nBODY ok\nEND\n");
    eddy_buf_free(&b);
}

TEST(http_write_refuses_injection_and_leaves_buffer)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_http_write_status(&b, 200, NULL), ==, 0);
    size_t len = b.len;
    CHECK_INT(eddy_http_write_header(&b, "X", "a\r\nSet-Cookie: x", 16), ==, -EINVAL);
    CHECK_INT(eddy_http_write_header(&b, "X", "a\nb", 3), ==, -EINVAL);
    CHECK_INT(eddy_http_write_header(&b, "X", "a\0b", 3), ==, -EINVAL);
    CHECK_INT(eddy_http_write_header(&b, "Bad Name", "v", 1), ==, -EINVAL);
    CHECK_INT(eddy_http_write_header(&b, "", "v", 1), ==, -EINVAL);
    CHECK_INT(eddy_http_write_status(&b, 200, "O\r\nK"), ==, -EINVAL);
    CHECK_INT(eddy_http_write_status(&b, 42, NULL), ==, -EINVAL);
    CHECK_INT(eddy_http_write_request(&b, "GET", "/a b"), ==, -EINVAL);
    struct eddy_http_header bad[] = {{"T", 1, "ok", 2}, {"T", 1, "x\ry", 3}};
    CHECK_INT(eddy_http_write_last_chunk(&b, bad, 2), ==, -EINVAL);
    CHECK_INT(b.len, ==, len);
    CHECK_STR(b.data, "HTTP/1.1 200 OK\r\n");
    eddy_buf_free(&b);
}

TEST(http_write_respects_buffer_cap)
{
    struct eddy_buf b = EDDY_BUF_INIT(20);
    CHECK_INT(eddy_http_write_status(&b, 200, NULL), ==, 0);
    CHECK_INT(eddy_http_write_header(&b, "Server", "eddy", 4), ==, -E2BIG);
    CHECK_STR(b.data, "HTTP/1.1 200 OK\r\n");
    eddy_buf_free(&b);
}

TEST(http_write_chunk_line)
{
    char l[19];
    CHECK_INT(eddy_http_chunk_line(l, 1), ==, 3);
    CHECK_MEM(l, 3, "1\r\n", 3);
    CHECK_INT(eddy_http_chunk_line(l, 0xabcdef), ==, 8);
    CHECK_MEM(l, 8, "abcdef\r\n", 8);
    CHECK_INT(eddy_http_chunk_line(l, SIZE_MAX), ==, 18);
    CHECK_MEM(l, 18, "ffffffffffffffff\r\n", 18);
}
