/* The malformed-input and request-smuggling corpus: every input must be
 * rejected with the right status, however it is split, and nothing after
 * the rejection may be parsed (a pipelined request is appended to each one
 * to prove it is never seen). */
#include "../test.h"
#include "harness.h"

#include <stdlib.h>

#define H    "Host: a\r\n"
#define TAIL "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"

static const struct bad {
    const char *name; /* what it tries */
    const char *in;   /* the bytes, before TAIL is appended */
    size_t len;       /* their length (they may hold NUL) */
    int status;       /* the answer */
} corpus[] = {
#define BAD(name, s, status)                                                                       \
    {                                                                                              \
        name, s, sizeof(s) - 1, status                                                             \
    }
    BAD("CL.TE",
        "POST / HTTP/1.1\r\n" H "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
        400),
    BAD("TE.CL",
        "POST / HTTP/1.1\r\n" H
        "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n",
        400),
    BAD("TE xchunked", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: xchunked\r\n\r\n", 400),
    BAD("TE chunkedx", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunkedx\r\n\r\n", 400),
    BAD("TE space before colon", "POST / HTTP/1.1\r\n" H "Transfer-Encoding : chunked\r\n\r\n",
        400),
    BAD("TE chunked, identity",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked, identity\r\n\r\n", 400),
    BAD("TE identity, chunked",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: identity, chunked\r\n\r\n", 501),
    BAD("TE gzip, chunked", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: gzip, chunked\r\n\r\n",
        501),
    BAD("TE gzip only", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: gzip\r\n\r\n", 400),
    BAD("TE chunked twice", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked, chunked\r\n\r\n",
        400),
    BAD("TE chunked on two lines",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        400),
    BAD("TE chunked then other line",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n", 400),
    BAD("TE quoted", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: \"chunked\"\r\n\r\n", 400),
    BAD("TE with parameter", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked;q=1\r\n\r\n", 400),
    BAD("TE vertical tab", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\x0b\r\n\r\n", 400),
    BAD("TE empty", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: \r\n\r\n", 400),
    BAD("TE obs-fold", "POST / HTTP/1.1\r\n" H "Transfer-Encoding:\r\n chunked\r\n\r\n", 400),
    BAD("TE hidden in fold", "POST / HTTP/1.1\r\n" H "X: y\r\n Transfer-Encoding: chunked\r\n\r\n",
        400),
    BAD("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    BAD("TE name with NUL", "POST / HTTP/1.1\r\n" H "Transfer-Encoding\x00: chunked\r\n\r\n", 400),
    BAD("CL differing lines",
        "POST / HTTP/1.1\r\n" H "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
    BAD("CL differing list", "POST / HTTP/1.1\r\n" H "Content-Length: 5, 6\r\n\r\nhello!", 400),
    BAD("CL negative", "POST / HTTP/1.1\r\n" H "Content-Length: -1\r\n\r\n", 400),
    BAD("CL plus sign", "POST / HTTP/1.1\r\n" H "Content-Length: +5\r\n\r\nhello", 400),
    BAD("CL overflow", "POST / HTTP/1.1\r\n" H "Content-Length: 184467440737095516160\r\n\r\n",
        400),
    BAD("CL hex", "POST / HTTP/1.1\r\n" H "Content-Length: 0x10\r\n\r\n", 400),
    BAD("CL empty", "POST / HTTP/1.1\r\n" H "Content-Length: \r\n\r\n", 400),
    BAD("CL inner space", "POST / HTTP/1.1\r\n" H "Content-Length: 1 0\r\n\r\n", 400),
    BAD("CL empty list element", "POST / HTTP/1.1\r\n" H "Content-Length: 5,\r\n\r\nhello", 400),
    BAD("CL huge", "POST / HTTP/1.1\r\n" H "Content-Length: 18446744073709551615\r\n\r\n", 413),
    BAD("chunk size 0x",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400),
    BAD("chunk size empty",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", 400),
    BAD("chunk size overflow",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n",
        400),
    BAD("chunk size non-hex", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\ng\r\n",
        400),
    BAD("chunk size negative",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n", 400),
    BAD("chunk size trailing space",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", 400),
    BAD("chunk size LF only",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400),
    BAD("chunk data LF terminator",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", 400),
    BAD("chunk data too long",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n", 400),
    BAD("chunk data bare CR",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n", 400),
    BAD("chunk ext bare CR",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n", 400),
    BAD("chunk ext bare LF",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n5;a\nhello\r\n", 400),
    BAD("last chunk LF only", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n0\n\r\n",
        400),
    BAD("trailer obs-fold",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n 2\r\n\r\n", 400),
    BAD("trailer bare LF",
        "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n0\r\nT: 1\n\r\n", 400),
    BAD("NUL in value", "GET / HTTP/1.1\r\n" H "X: a\x00b\r\n\r\n", 400),
    BAD("NUL in target", "GET /a\x00 HTTP/1.1\r\n" H "\r\n", 400),
    BAD("NUL in method", "G\x00T / HTTP/1.1\r\n" H "\r\n", 400),
    BAD("DEL in value", "GET / HTTP/1.1\r\n" H "X: a\x7f\r\n\r\n", 400),
    BAD("bare CR in value", "GET / HTTP/1.1\r\n" H "X: a\rb\r\n\r\n", 400),
    BAD("bare CR line end", "GET / HTTP/1.1\r" H "\r\n", 400),
    BAD("bare LF line end", "GET / HTTP/1.1\n" H "\r\n", 400),
    BAD("bare LF ends head", "GET / HTTP/1.1\r\n" H "\n", 400),
    BAD("name with space", "GET / HTTP/1.1\r\n" H "Foo Bar: x\r\n\r\n", 400),
    BAD("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    BAD("tab before colon", "GET / HTTP/1.1\r\n" H "X\t: a\r\n\r\n", 400),
    BAD("empty name", "GET / HTTP/1.1\r\n" H ": x\r\n\r\n", 400),
    BAD("name non-token", "GET / HTTP/1.1\r\n" H "X(y): x\r\n\r\n", 400),
    BAD("name without colon", "GET / HTTP/1.1\r\n" H "NoColon\r\n\r\n", 400),
    BAD("obs-fold", "GET / HTTP/1.1\r\n" H "X: a\r\n\tb\r\n\r\n", 400),
    BAD("space before first field", "GET / HTTP/1.1\r\n " H "\r\n", 400),
    BAD("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
    BAD("duplicate Host", "GET / HTTP/1.1\r\n" H "Host: b\r\n\r\n", 400),
    BAD("Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    BAD("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    BAD("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
    BAD("double space", "GET  / HTTP/1.1\r\n" H "\r\n", 400),
    BAD("tab separator", "GET\t/ HTTP/1.1\r\n" H "\r\n", 400),
    BAD("space in target", "GET /a b HTTP/1.1\r\n" H "\r\n", 400),
    BAD("fragment", "GET /a#b HTTP/1.1\r\n" H "\r\n", 400),
    BAD("control in target", "GET /a\x01 HTTP/1.1\r\n" H "\r\n", 400),
    BAD("non-ASCII target", "GET /caf\xc3\xa9 HTTP/1.1\r\n" H "\r\n", 400),
    BAD("empty target", "GET  HTTP/1.1\r\n" H "\r\n", 400),
    BAD("relative target", "GET a/b HTTP/1.1\r\n" H "\r\n", 400),
    BAD("absolute-form userinfo", "GET http://u@a/ HTTP/1.1\r\n" H "\r\n", 400),
    BAD("absolute-form no authority", "GET http:/x HTTP/1.1\r\n" H "\r\n", 400),
    BAD("absolute-form bad scheme", "GET 1http://a/ HTTP/1.1\r\n" H "\r\n", 400),
    BAD("HTTP/2.0", "GET / HTTP/2.0\r\n" H "\r\n", 505),
    BAD("HTTP/0.9 version", "GET / HTTP/0.9\r\n" H "\r\n", 505),
    BAD("HTTP/3.0", "GET / HTTP/3.0\r\n" H "\r\n", 505),
    BAD("h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    BAD("lowercase http", "GET / http/1.1\r\n" H "\r\n", 400),
    BAD("HTTP/1.10", "GET / HTTP/1.10\r\n" H "\r\n", 400),
    BAD("HTTP/11", "GET / HTTP/11\r\n" H "\r\n", 400),
    BAD("no version", "GET /\r\n" H "\r\n", 400),
    BAD("space after version", "GET / HTTP/1.1 \r\n" H "\r\n", 400),
    BAD("empty method", " / HTTP/1.1\r\n" H "\r\n", 400),
    BAD("method with slash", "GE/T / HTTP/1.1\r\n" H "\r\n", 400),
    BAD("unknown expectation",
        "POST / HTTP/1.1\r\n" H "Expect: 100-continue, x\r\nContent-Length: 1\r\n\r\nx", 417),
    BAD("CONNECT", "CONNECT a:443 HTTP/1.1\r\n" H "\r\n", 501),
    BAD("TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400),
};

TEST(http_smuggle_corpus_rejected)
{
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        const struct bad *b = &corpus[i];
        char in[1024];
        memcpy(in, b->in, b->len);
        memcpy(in + b->len, TAIL, strlen(TAIL));
        const char *t = http_trace(&(struct http_opts){0}, in, b->len + strlen(TAIL), NULL);
        const char *e = strstr(t, "ERROR ");
        if (!e || atoi(e + 6) != b->status || strstr(t, "smuggled") || strchr(e, '\n')[1])
            test_fail(__FILE__, __LINE__, "%s: expected ERROR %d, got:\n%s", b->name, b->status, t);
    }
}

/* Near misses that are valid and must stay accepted. */
TEST(http_smuggle_valid_near_misses_accepted)
{
    CHECK(strstr(REQ("POST / HTTP/1.1\r\n" H "Transfer-Encoding:\tchunked \r\n\r\n0\r\n\r\n"),
                 "chunked ka"));
    CHECK(strstr(REQ("POST / HTTP/1.1\r\n" H "Transfer-Encoding: ,chunked,\r\n\r\n0\r\n\r\n"),
                 "chunked ka"));
    CHECK(strstr(REQ("POST / HTTP/1.1\r\n" H "Content-Length:  2  \r\n\r\nab"), "BODY ab\nEND"));
    CHECK(strstr(REQ("POST / HTTP/1.1\r\n" H "content-length: 002\r\n\r\nab"), "BODY ab\nEND"));
    CHECK(strstr(REQ("get / HTTP/1.1\r\n" H "\r\n"), "HEAD get /"));
    CHECK(strstr(REQ("POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
                     "000005\r\nhello\r\n0;last\r\n\r\n"),
                 "BODY hello\nEND"));
}
