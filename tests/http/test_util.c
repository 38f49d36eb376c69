/* Tests of the helpers: names and lists, reason phrases, HTTP-dates,
 * target splitting and percent-decoding. */
#include "../test.h"

#include "eddy/http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

TEST(http_util_token_eq_and_find)
{
    CHECK(eddy_http_token_eq("Content-Length", 14, "content-length"));
    CHECK(!eddy_http_token_eq("Content-Lengt", 13, "content-length"));
    CHECK(!eddy_http_token_eq("Content-Length2", 15, "content-length"));
    CHECK(!eddy_http_token_eq("a\r", 2, "a-")); /* no case folding of non-letters */
    struct eddy_http_header h[] = {{"Host", 4, "a", 1}, {"X-Y", 3, "1", 1}, {"x-y", 3, "2", 1}};
    CHECK(eddy_http_header_find(h, 3, "x-Y") == &h[1]);
    CHECK(eddy_http_header_find(h, 3, "x") == NULL);
}

TEST(http_util_list_has)
{
    CHECK(eddy_http_list_has("keep-alive, Upgrade", 19, "upgrade"));
    CHECK(eddy_http_list_has(" ,close", 7, "close"));
    CHECK(eddy_http_list_has("gzip;q=0.5, br", 14, "gzip"));
    CHECK(!eddy_http_list_has("closed, xclose", 14, "close"));
    CHECK(!eddy_http_list_has("", 0, "close"));
}

TEST(http_util_reason)
{
    CHECK_STR(eddy_http_reason(200), "OK");
    CHECK_STR(eddy_http_reason(431), "Request Header Fields Too Large");
    CHECK_STR(eddy_http_reason(599), "");
}

TEST(http_util_date_format)
{
    char d[EDDY_HTTP_DATE_LEN + 1];
    CHECK_INT(eddy_http_date_format(784111777, d), ==, 29);
    CHECK_STR(d, "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK_INT(eddy_http_date_format(0, d), ==, 29);
    CHECK_STR(d, "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK_INT(eddy_http_date_format(951782400, d), ==, 29); /* a leap day */
    CHECK_STR(d, "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK_INT(eddy_http_date_format(-1, d), ==, 29);
    CHECK_STR(d, "Wed, 31 Dec 1969 23:59:59 GMT");
    CHECK_INT(eddy_http_date_format((time_t)253402300800, d), ==, -EOVERFLOW); /* year 10000 */
}

TEST(http_util_date_parse_three_forms)
{
    time_t t = 0;
    CHECK_INT(eddy_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t), ==, 0);
    CHECK_INT(t, ==, 784111777);
    t = 0;
    CHECK_INT(eddy_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", 30, &t), ==, 0);
    CHECK_INT(t, ==, 784111777);
    t = 0;
    CHECK_INT(eddy_http_date_parse("Sun Nov  6 08:49:37 1994", 24, &t), ==, 0);
    CHECK_INT(t, ==, 784111777);
    CHECK_INT(eddy_http_date_parse("Tue, 29 Feb 2000 00:00:00 GMT", 29, &t), ==, 0);
    CHECK_INT(t, ==, 951782400);
    CHECK_INT(eddy_http_date_parse("Wednesday, 01-Jan-25 00:00:00 GMT", 33, &t), ==, 0);
    CHECK_INT(t, ==, 1735689600);
    /* Round trip over a range of times. */
    for (time_t x = -86400 * 3; x < (time_t)4102444800; x += 86400 * 37 + 3607) {
        char d[EDDY_HTTP_DATE_LEN + 1];
        CHECK_INT(eddy_http_date_format(x, d), ==, 29);
        CHECK_INT(eddy_http_date_parse(d, 29, &t), ==, 0);
        CHECK_INT(t, ==, x);
    }
}

TEST(http_util_date_parse_rejects)
{
    time_t t;
    const char *bad[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 29 Feb 1900 08:49:37 GMT",
        "Sun, 06 Now 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT and more text",
        "Sun, 06 Nov 1994 08:4a:37 GMT",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (eddy_http_date_parse(bad[i], strlen(bad[i]), &t) != -EINVAL)
            test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
}

TEST(http_util_target_split)
{
    struct eddy_http_target t;
    CHECK_INT(eddy_http_target_split("/a/b?x=1&y", 10, &t), ==, 0);
    CHECK_MEM(t.path, t.path_len, "/a/b", 4);
    CHECK_MEM(t.query, t.query_len, "x=1&y", 5);
    CHECK(t.authority == NULL);
    CHECK_INT(eddy_http_target_split("/", 1, &t), ==, 0);
    CHECK_MEM(t.path, t.path_len, "/", 1);
    CHECK(t.query == NULL);
    CHECK_INT(eddy_http_target_split("/?", 2, &t), ==, 0);
    CHECK(t.query != NULL && t.query_len == 0);
    CHECK_INT(eddy_http_target_split("http://h.example:8080?q", 23, &t), ==, 0);
    CHECK_MEM(t.authority, t.authority_len, "h.example:8080", 14);
    CHECK_MEM(t.path, t.path_len, "/", 1);
    CHECK_MEM(t.query, t.query_len, "q", 1);
    CHECK_INT(eddy_http_target_split("*", 1, &t), ==, 0);
    CHECK_MEM(t.path, t.path_len, "*", 1);
    CHECK_INT(eddy_http_target_split("http://u@h/", 11, &t), ==, -EINVAL);
    CHECK_INT(eddy_http_target_split("http:///x", 9, &t), ==, -EINVAL);
    CHECK_INT(eddy_http_target_split("", 0, &t), ==, -EINVAL);
}

TEST(http_util_percent_decode)
{
    char out[64];
    CHECK_INT(eddy_http_percent_decode("/a%20b%2Fc%c3%A9+", 17, out, false), ==, 9);
    CHECK_MEM(out, 9, "/a b/c\xc3\xa9+", 9);
    CHECK_INT(eddy_http_percent_decode("a+b%2B", 6, out, true), ==, 4);
    CHECK_MEM(out, 4, "a b+", 4);
    char inplace[] = "x%41y";
    CHECK_INT(eddy_http_percent_decode(inplace, 5, inplace, false), ==, 3);
    CHECK_MEM(inplace, 3, "xAy", 3);
    CHECK_INT(eddy_http_percent_decode("%", 1, out, false), ==, -EINVAL);
    CHECK_INT(eddy_http_percent_decode("%4", 2, out, false), ==, -EINVAL);
    CHECK_INT(eddy_http_percent_decode("%4g", 3, out, false), ==, -EINVAL);
    CHECK_INT(eddy_http_percent_decode("a%00b", 5, out, false), ==, -EINVAL);
    CHECK_INT(eddy_http_percent_decode("", 0, out, false), ==, 0);
}

/* parse_header(line) -> "name|value", or "!" and the reason. */
static const char *header(const char *line, size_t len)
{
    static char out[256];
    struct eddy_http_header h;
    const char *why = "unset";
    if (eddy_http_header_parse(line, len, &h, &why) < 0) {
        CHECK(h.name == NULL && h.value == NULL);
        snprintf(out, sizeof out, "!%s", why);
    } else {
        CHECK(why == NULL);
        snprintf(out, sizeof out, "%.*s|%.*s", (int)h.name_len, h.name, (int)h.value_len, h.value);
    }
    return out;
}

TEST(http_util_header_parse)
{
#define H(s) header(s, sizeof s - 1)
    CHECK_STR(H("Content-Type: text/xml"), "Content-Type|text/xml");
    CHECK_STR(H(" X-Test :  a value \t"), "X-Test|a value");
    CHECK_STR(H("A:"), "A|");
    CHECK_STR(H("A:b:c"), "A|b:c");
    CHECK_STR(H("X-Feed: caf\xc3\xa9"), "X-Feed|caf\xc3\xa9"); /* obs-text, as the codec */
    CHECK_STR(H("Content-Type"), "!a ':' after the name");
    CHECK_STR(H(""), "!a ':' after the name");
    CHECK_STR(H(": v"), "!a name before the ':'");
    CHECK_STR(H(" \t: v"), "!a name before the ':'");
    CHECK_STR(H("X Y: v"), "!a name of letters, digits and !#$%&'*+-.^_`|~ only");
    CHECK_STR(H("X(: v"), "!a name of letters, digits and !#$%&'*+-.^_`|~ only");
    CHECK_STR(H("X\xc3\xa9: v"), "!a name of letters, digits and !#$%&'*+-.^_`|~ only");
    CHECK_STR(H("A: b\r\nEvil: 1"), "!a value without CR, LF, NUL or another control character");
    CHECK_STR(H("A: b\nc"), "!a value without CR, LF, NUL or another control character");
    CHECK_STR(H("A: b\0c"), "!a value without CR, LF, NUL or another control character");
    CHECK_STR(H("A: \x7f"), "!a value without CR, LF, NUL or another control character");
    CHECK_STR(H("A\0: b"), "!a name of letters, digits and !#$%&'*+-.^_`|~ only");
#undef H
    static char big[EDDY_HTTP_HEADER_LINE_MAX + 1];
    memset(big, 'v', sizeof big);
    memcpy(big, "A: ", 3);
    CHECK(!strncmp(header(big, EDDY_HTTP_HEADER_LINE_MAX), "A|vvv", 5));
    CHECK_STR(header(big, sizeof big), "!at most 8192 bytes");
}
