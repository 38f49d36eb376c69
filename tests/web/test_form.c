/* Tests of web/form.c: urlencoded forms and query strings, cookies,
 * Set-Cookie, multipart/form-data (good and malformed). */
#include "../test.h"

#include "eddy/webutil.h"

#include <errno.h>
#include <stdlib.h>

/* The form as "name=value|name=value|..." (static buffer). */
static const char *dump(const struct eddy_form *f)
{
    static char s[2048];
    s[0] = 0;
    for (size_t i = 0; i < eddy_form_count(f); i++) {
        const struct eddy_form_field *fd = eddy_form_field(f, i);
        size_t l = strlen(s);
        snprintf(s + l, sizeof s - l, "%s%s=%s", i ? "|" : "", fd->name, fd->value);
    }
    return s;
}

static const char *parse_qs(const char *q)
{
    struct eddy_form *f = eddy_form_new();
    CHECK(f);
    CHECK_INT(eddy_form_parse_urlencoded(f, q, strlen(q)), ==, 0);
    const char *s = dump(f);
    eddy_form_free(f);
    return s;
}

TEST(form_urlencoded_decoding)
{
    CHECK_STR(parse_qs("a=1&b=two+words&c=%3D%26%2B"), "a=1|b=two words|c==&+");
    CHECK_STR(parse_qs(""), "");
    CHECK_STR(parse_qs("&&a&=x&b=&&"), "a=|=x|b="); /* WHATWG: blanks kept, empty pieces skipped */
    CHECK_STR(parse_qs("a=b=c"), "a=b=c");          /* first '=' splits */
    CHECK_STR(parse_qs("a;b=1"), "a;b=1");          /* ';' is not a separator */
    CHECK_STR(parse_qs("p=%&q=%z1&r=%4&s=%41%42"), "p=%|q=%z1|r=%4|s=AB"); /* malformed kept */
    CHECK_STR(parse_qs("n=caf%C3%A9&k%20y=v"), "n=café|k y=v");
    CHECK_STR(parse_qs("bad=%FF%C3x"),
              "bad=\xEF\xBF\xBD\xEF\xBF\xBDx"); /* invalid UTF-8 -> U+FFFD */
    CHECK_STR(parse_qs("plus=%2B+%2b"), "plus=+ +");
    /* One U+FFFD per maximal invalid subpart, as WHATWG and Python do. */
    CHECK_STR(parse_qs("t=%E2%82x%F0%9F%98%E2%82%AC%ED%A0%80"),
              "t=\xEF\xBF\xBDx\xEF\xBF\xBD\xE2\x82\xAC\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(form_repeated_keys_in_order)
{
    struct eddy_form *f = eddy_form_new();
    const char *q = "url=http%3A%2F%2Fa&x=1&url=http%3A%2F%2Fb&url=c";
    CHECK_INT(eddy_form_parse_urlencoded(f, q, strlen(q)), ==, 0);
    const char *urls[8];
    CHECK_INT(eddy_form_values(f, "url", urls, 8), ==, 3);
    CHECK_STR(urls[0], "http://a");
    CHECK_STR(urls[1], "http://b");
    CHECK_STR(urls[2], "c");
    CHECK_INT(eddy_form_values(f, "url", urls, 2), ==, 2);
    CHECK_STR(eddy_form_value(f, "url"), "http://a");
    CHECK_STR(eddy_form_value(f, "x"), "1");
    CHECK(eddy_form_value(f, "nope") == NULL);
    CHECK(eddy_form_field(f, 99) == NULL);
    /* %00 survives with its length. */
    CHECK_INT(eddy_form_parse_urlencoded(f, "z=a%00b", 7), ==, 0);
    const struct eddy_form_field *z = eddy_form_field(f, 4);
    CHECK_MEM(z->value, z->value_len, "a\0b", 3);
    eddy_form_free(f);
}

TEST(form_too_many_fields)
{
    struct eddy_buf q = EDDY_BUF_INIT(0);
    for (int i = 0; i <= EDDY_FORM_MAX_FIELDS; i++)
        eddy_buf_puts(&q, "a=1&");
    struct eddy_form *f = eddy_form_new();
    CHECK_INT(eddy_form_parse_urlencoded(f, q.data, q.len), ==, -E2BIG);
    CHECK_STR(eddy_form_error(f), "more than 10000 fields");
    CHECK_INT(eddy_form_count(f), ==, EDDY_FORM_MAX_FIELDS);
    eddy_form_free(f);
    eddy_buf_free(&q);
}

TEST(form_url_encode_decode)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_url_encode("a b/é~", strlen("a b/é~"), NULL, false, &b), ==, 0);
    CHECK_STR(b.data, "a%20b%2F%C3%A9~");
    eddy_buf_reset(&b);
    CHECK_INT(eddy_url_encode("a b/c", 5, "/", true, &b), ==, 0);
    CHECK_STR(b.data, "a+b/c");
    eddy_buf_reset(&b);
    CHECK_INT(eddy_url_decode("a+b%2f", 6, false, &b), ==, 0);
    CHECK_STR(b.data, "a+b/");
    eddy_buf_free(&b);
}

TEST(form_cookies)
{
    struct eddy_form *f = eddy_form_new();
    const char *h = " sid=abc123; theme = dark ;empty=; q=\"quoted value\"; novalue; =x;"
                    " enc=a%20b; sid=second";
    CHECK_INT(eddy_form_parse_cookies(f, h, strlen(h)), ==, 0);
    /* What Werkzeug's parse_cookie gives (in header order). */
    CHECK_STR(dump(f), "sid=abc123|theme=dark|empty=|q=quoted value|novalue=|enc=a%20b|sid=second");
    CHECK_STR(eddy_form_value(f, "sid"), "abc123");
    const char *q = "a=\"x\\\"y\"; b=\"\\303\\251\"; c=\"unterminated;d=b=c";
    CHECK_INT(eddy_form_parse_cookies(f, q, strlen(q)), ==, 0);
    CHECK_STR(
        dump(f) +
            strlen("sid=abc123|theme=dark|empty=|q=quoted value|novalue=|enc=a%20b|sid=second|"),
        "a=x\"y|b=é|c=\"unterminated|d=b=c");
    eddy_form_free(f);
}

static const char *cookie(const struct eddy_cookie *c)
{
    static char s[512];
    struct eddy_buf b = EDDY_BUF_INIT(0);
    int err = eddy_cookie_format(c, &b);
    snprintf(s, sizeof s, "%s", err ? (err == -EINVAL ? "EINVAL" : "ERR") : b.data);
    eddy_buf_free(&b);
    return s;
}

TEST(form_set_cookie)
{
    CHECK_STR(cookie(&(struct eddy_cookie){.name = "sid", .value = "abc"}), "sid=abc");
    CHECK_STR(cookie(&(struct eddy_cookie){.name = "sid",
                                           .value = "abc",
                                           .path = "/",
                                           .domain = "example.org",
                                           .max_age = 3600,
                                           .expires = 1700000000,
                                           .secure = true,
                                           .http_only = true,
                                           .same_site = "lax"}),
              "sid=abc; Path=/; Domain=example.org; Max-Age=3600; "
              "Expires=Tue, 14 Nov 2023 22:13:20 GMT; Secure; HttpOnly; SameSite=Lax");
    CHECK_STR(cookie(&(struct eddy_cookie){.name = "sid", .value = "", .max_age = -1}),
              "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:01 GMT");
    CHECK_STR(cookie(&(struct eddy_cookie){.name = "q", .value = "\"abc\""}), "q=\"abc\"");
    CHECK_STR(cookie(&(struct eddy_cookie){
                  .name = "a", .value = "x", .secure = true, .same_site = "None"}),
              "a=x; Secure; SameSite=None");
    /* Invalid input is refused, never fixed silently. */
    struct eddy_cookie bad[] = {
        {.name = "", .value = "x"},
        {.name = "a b", .value = "x"},
        {.name = "a=b", .value = "x"},
        {.name = "a", .value = "x y"},
        {.name = "a", .value = "x;y"},
        {.name = "a", .value = "x,y"},
        {.name = "a", .value = "\"x"},
        {.name = "a", .value = "é"},
        {.name = "a", .value = NULL},
        {.name = "a", .value = "x", .path = "/;Secure"},
        {.name = "a", .value = "x", .domain = "a\r\nb"},
        {.name = "a", .value = "x", .same_site = "Loose"},
        {.name = "a", .value = "x", .same_site = "None"}, /* None needs Secure */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strcmp(cookie(&bad[i]), "EINVAL"))
            test_fail(__FILE__, __LINE__, "bad cookie %zu accepted: %s", i, cookie(&bad[i]));
}

#define CT "multipart/form-data; boundary=XyZ"

static int parse_mp(struct eddy_form *f, const char *ct, const char *body)
{
    return eddy_form_parse_multipart(f, ct, body, strlen(body));
}

TEST(form_multipart_good)
{
    struct eddy_form *f = eddy_form_new();
    const char body[] =
        "preamble to ignore\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"title\"\r\n"
        "\r\n"
        "Hello, caf\xC3\xA9\r\n"
        "--XyZ  \r\n" /* transport padding */
        "content-disposition: form-data; name=\"up\"; filename=\"a \\\"b\\\".txt\"\r\n"
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
        "bin\0\xFF\r\ndata\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=empty\r\n"
        "\r\n"
        "\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"u\"; filename=\"x\"; "
        "filename*=UTF-8''na%C3%AFve.txt\r\n"
        "\r\n"
        "n\r\n"
        "--XyZ--\r\n"
        "epilogue";
    CHECK_INT(eddy_form_parse_multipart(f, CT, body, sizeof body - 1), ==, 0);
    CHECK_INT(eddy_form_count(f), ==, 4);
    const struct eddy_form_field *t = eddy_form_field(f, 0), *u = eddy_form_field(f, 1),
                                 *e = eddy_form_field(f, 2), *n = eddy_form_field(f, 3);
    CHECK_STR(t->name, "title");
    CHECK_STR(t->value, "Hello, café");
    CHECK(t->filename == NULL && t->content_type == NULL);
    CHECK_STR(u->name, "up");
    CHECK_STR(u->filename, "a \"b\".txt");
    CHECK_STR(u->content_type, "application/octet-stream");
    CHECK_MEM(u->value, u->value_len, "bin\0\xFF\r\ndata", 11); /* bytes kept exactly */
    CHECK_STR(e->name, "empty");
    CHECK_INT(e->value_len, ==, 0);
    CHECK_STR(n->filename, "naïve.txt");
    CHECK_STR(eddy_form_value(f, "title"), "Hello, café");
    eddy_form_free(f);

    /* Quoted boundary, body starting with the delimiter, no preamble. */
    f = eddy_form_new();
    CHECK_INT(parse_mp(f, "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"",
                       "--a b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b--"),
              ==, 0);
    CHECK_STR(dump(f), "x=1");
    eddy_form_free(f);

    /* Bare LF line endings, as Werkzeug accepts them; a CR inside content stays. */
    f = eddy_form_new();
    CHECK_INT(parse_mp(f, CT,
                       "--XyZ\nContent-Disposition: form-data; name=\"x\"\n\nLF\ronly\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=y\r\n\r\n\r\r\n--XyZ--\n"),
              ==, 0);
    CHECK_STR(dump(f), "x=LF\ronly|y=\r");
    eddy_form_free(f);
}

TEST(form_multipart_malformed)
{
    struct {
        const char *ct, *body, *err;
    } cases[] = {
        {"text/plain", "", "multipart: Content-Type is not multipart/form-data"},
        {"multipart/form-data", "", "multipart: no valid boundary in Content-Type"},
        {"multipart/form-data; boundary=\"unterminated", "",
         "multipart: no valid boundary in Content-Type"},
        {"multipart/form-data; "
         "boundary=0123456789012345678901234567890123456789012345678901234567890123456789X",
         "", "multipart: invalid (1 to 70 characters) boundary in Content-Type"},
        {CT, "no delimiter here", "multipart: no boundary in the body"},
        {CT, "--XyZ", "multipart: body ends without the closing boundary"},
        {CT, "--XyZjunk\r\n", "multipart: part 1: boundary line not ended by CRLF"},
        {CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n",
         "multipart: part 1: headers not ended by an empty line"},
        {CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\ntruncated",
         "multipart: part 1: no boundary after its content"},
        {CT, "--XyZ\r\n\r\nx\r\n--XyZ--", "multipart: part 1: no Content-Disposition header"},
        {CT, "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
         "multipart: part 1: no Content-Disposition header"},
        {CT, "--XyZ\r\nbroken header\r\n\r\nx\r\n--XyZ--",
         "multipart: part 1: header line without ':'"},
        {CT, "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--XyZ--",
         "multipart: part 1: Content-Disposition is not form-data"},
        {CT, "--XyZ\r\nContent-Disposition: form-data; filename=a\r\n\r\nx\r\n--XyZ--",
         "multipart: part 1: Content-Disposition has no name"},
        {CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--",
         "multipart: part 1: unterminated quoted string in Content-Disposition"},
        {CT,
         "--XyZ\r\nContent-Disposition: form-data; "
         "name=a\r\n\r\nx\r\n--XyZ\r\nbad\r\n\r\n\r\n--XyZ--",
         "multipart: part 2: header line without ':'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct eddy_form *f = eddy_form_new();
        int err = parse_mp(f, cases[i].ct, cases[i].body);
        if (err >= 0 || strcmp(eddy_form_error(f), cases[i].err))
            test_fail(__FILE__, __LINE__, "case %zu: %d \"%s\", expected \"%s\"", i, err,
                      eddy_form_error(f), cases[i].err);
        eddy_form_free(f);
    }
}

TEST(form_multipart_limits)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    for (int i = 0; i < 1001; i++)
        eddy_buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n");
    eddy_buf_puts(&b, "--XyZ--");
    struct eddy_form *f = eddy_form_new();
    CHECK_INT(eddy_form_parse_multipart(f, CT, b.data, b.len), ==, -E2BIG);
    CHECK_STR(eddy_form_error(f), "multipart: more than 1000 parts");
    eddy_form_free(f);
    eddy_buf_reset(&b);
    eddy_buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-Long: ");
    for (int i = 0; i < 9000; i++)
        eddy_buf_putc(&b, 'x');
    eddy_buf_puts(&b, "\r\n\r\nx\r\n--XyZ--");
    f = eddy_form_new();
    CHECK_INT(eddy_form_parse_multipart(f, CT, b.data, b.len), ==, -EINVAL);
    CHECK_STR(eddy_form_error(f), "multipart: part 1: headers longer than 8 KiB");
    eddy_form_free(f);
    eddy_buf_free(&b);
}
