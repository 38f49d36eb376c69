/* Tests of base/text.c: the UTF-8 and percent-decoding helpers every layer
 * uses (four UTF-8 encoders, four validators and three percent-decoders with
 * three rules for a malformed escape were merged into these). */
#include "../test.h"

#include <string.h>

#include "../../src/base/text.h"

TEST(text_utf8_encode)
{
    char u[4];
    CHECK_INT(eddy__utf8_encode(0x41, u), ==, 1);
    CHECK(u[0] == 'A');
    CHECK_INT(eddy__utf8_encode(0xE9, u), ==, 2);
    CHECK(!memcmp(u, "\xC3\xA9", 2));
    CHECK_INT(eddy__utf8_encode(0x20AC, u), ==, 3);
    CHECK(!memcmp(u, "\xE2\x82\xAC", 3));
    CHECK_INT(eddy__utf8_encode(0x1F600, u), ==, 4);
    CHECK(!memcmp(u, "\xF0\x9F\x98\x80", 4));
    CHECK_INT(eddy__utf8_encode(0x10FFFF, u), ==, 4);
    CHECK_INT(eddy__utf8_encode(0x110000, u), ==, 0);
}

TEST(text_utf8_seq_and_valid)
{
    size_t bad;
    CHECK_INT(eddy__utf8_seq((const unsigned char *)"\xE2\x82\xAC", 3, &bad), ==, 3);
    CHECK_INT(eddy__utf8_seq((const unsigned char *)"\xE2\x82", 2, &bad), ==, 0);
    CHECK_INT(bad, ==, 2); /* maximal subpart: one U+FFFD for both bytes */
    CHECK_INT(eddy__utf8_seq((const unsigned char *)"\xC0\xAF", 2, &bad), ==, 0); /* overlong */
    CHECK_INT(bad, ==, 1);
    CHECK_INT(eddy__utf8_seq((const unsigned char *)"\xED\xA0\x80", 3, NULL), ==,
              0); /* surrogate */
    CHECK_INT(eddy__utf8_seq((const unsigned char *)"\xF4\x90\x80\x80", 4, NULL), ==,
              0); /* > U+10FFFF */
    CHECK(eddy__utf8_valid((const unsigned char *)"plain ascii text, long enough \xC3\xA9!", 33));
    CHECK(!eddy__utf8_valid((const unsigned char *)"plain ascii text, long enough \xC3", 31));
    CHECK(!eddy__utf8_valid((const unsigned char *)"abcdefgh\xFF", 9));
    CHECK(eddy__utf8_valid((const unsigned char *)"", 0));
}

/* The definition: character by character. */
static bool ref_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0, q; i < n; i += q)
        if (!(q = eddy__utf8_seq(s + i, n - i, NULL)))
            return false;
    return true;
}

/* eddy__utf8_valid skips ASCII sixteen bytes at a time: every position of
 * a bad or cut sequence, in and across those blocks, against the
 * character-by-character definition (eddy__utf8_seq). */
TEST(text_utf8_valid_at_every_offset)
{
    static const char *const seqs[] = {"\xC3\xA9",     "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                       "\xC3",         "\xE2\x82",     "\xFF",
                                       "\xED\xA0\x80", "\x80",         "\xC0\xAF"};
    unsigned char s[80];
    for (size_t k = 0; k < sizeof seqs / sizeof *seqs; k++)
        for (size_t at = 0; at < 48; at++)
            for (size_t tail = 0; tail < 20; tail += 19) {
                size_t len = strlen(seqs[k]), n = at + len + tail;
                memset(s, 'a', sizeof s);
                memcpy(s + at, seqs[k], len);
                bool want = ref_valid(s, n);
                CHECK(want == (k < 3)); /* the first three are valid */
                CHECK(eddy__utf8_valid(s, n) == want);
            }
}

TEST(text_percent_decode_keeps_malformed_escapes)
{
    char out[32];
    size_t n = eddy__percent_decode("a%20b%2Fc%c3%A9+", 16, out, false);
    CHECK_INT(n, ==, 8);
    CHECK(!memcmp(out, "a b/c\xC3\xA9+", 8));
    n = eddy__percent_decode("a+b", 3, out, true);
    CHECK(n == 3 && !memcmp(out, "a b", 3));
    /* the URL standard: a '%' not followed by two hex digits stays */
    n = eddy__percent_decode("%zz%4%", 6, out, false);
    CHECK(n == 6 && !memcmp(out, "%zz%4%", 6));
    n = eddy__percent_decode("x%00y", 5, out, false);
    CHECK(n == 3 && !memcmp(out, "x\0y", 3));
    char inplace[] = "%41%42c";
    n = eddy__percent_decode(inplace, 7, inplace, false);
    CHECK(n == 3 && !memcmp(inplace, "ABc", 3));
    CHECK_INT(eddy__hex_digit('f'), ==, 15);
    CHECK_INT(eddy__hex_digit('G'), ==, -1);
}

/* eddy__utf8_valid checks sixteen bytes at a time by masks of byte classes:
 * random strings of valid and invalid pieces (the edges of each lead's
 * ranges, cut sequences, stray continuation bytes) against the
 * character-by-character definition. */
TEST(text_utf8_valid_random_pieces)
{
    static const char *const pieces[] = {
        "a", "abcdefg", "\xC2\x80", "\xDF\xBF", "\xC3\xA9", "\xE0\xA0\x80", "\xE0\xBF\xBF",
        "\xE1\x80\x80", "\xEC\xBF\xBF", "\xED\x80\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
        "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\xF3\xBF\xBF\xBF",
        /* invalid from here */
        "\xC0\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF", "\xF0\x8F\xBF\xBF",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "\xBF", "\xC3", "\xE2\x82",
        "\xF0\x9F\x98", "\xC3\xC3", "\xE2\x28\xA1"};
    enum { VALID = 16 };
    uint32_t x = 12345;
    unsigned char s[128];
    unsigned invalid = 0;
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = 0;
        bool bad_piece = false;
        while (n < 96) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            /* mostly valid pieces: an invalid one in a quarter of the strings */
            size_t k = x % 64 < 60 || iter % 4 ? (x >> 8) % VALID
                                               : (x >> 8) % (sizeof pieces / sizeof *pieces);
            size_t len = strlen(pieces[k]);
            if (n + len > 96 || x % 97 == 0)
                break;
            memcpy(s + n, pieces[k], len);
            n += len;
            bad_piece |= k >= VALID;
        }
        if (bad_piece && !ref_valid(s, n))
            invalid++;
        for (size_t from = 0; from < 3 && from <= n; from++) /* and not starting a character */
            if (eddy__utf8_valid(s + from, n - from) != ref_valid(s + from, n - from))
                test_fail(__FILE__, __LINE__, "iteration %d, from %zu: not as defined", iter, from);
    }
    CHECK(invalid > 10000); /* both answers were asked for */
}
