/*
 * What fuzz/sax_driver.c found in the feed parser, one test per bug, through the
 * public API (the inputs are also in fuzz/regression/feed/).  Most are in
 * callback mode (on_entry), where an entry's values live in an arena reset
 * when the next entry starts, and where the body streams into libxml2.
 */
#include "../test.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eddy/feed.h"

/* Entries seen by the callback, as JSON, one a line. */
struct seen {
    struct eddy_buf json;
    size_t n;
};

static int on_entry(void *arg, const struct eddy_feed_value *entry)
{
    struct seen *s = arg;
    s->n++;
    int err = eddy_feed_to_json(entry, &s->json);
    return err ? err : eddy_buf_putc(&s->json, '\n');
}

/* Parses doc in callback mode, pushed in chunks of `step` bytes (0: one
 * push); returns the result's JSON (caller frees), entries in *s. */
/* doc pushed whole (step 0) or step bytes at a time; the result. */
static struct eddy_feed *push_all(const struct eddy_feed_opts *o, const char *doc, size_t step)
{
    struct eddy_feed_parser *p = eddy_feed_parser_new(o);
    CHECK(p != NULL);
    size_t len = strlen(doc);
    for (size_t off = 0; off < len;) {
        size_t k = step && len - off > step ? step : len - off;
        CHECK_INT(eddy_feed_parser_push(p, doc + off, k), ==, 0);
        off += k;
    }
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    eddy_feed_parser_free(p);
    CHECK(f != NULL);
    return f;
}

static char *parse_cb(const char *doc, size_t step, struct seen *s)
{
    struct eddy_feed_opts o = {.on_entry = on_entry, .arg = s};
    struct eddy_feed *f = push_all(&o, doc, step);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(eddy_feed_root(f), &b), ==, 0);
    eddy_feed_free(f);
    return eddy_buf_detach(&b, NULL);
}

/* Strict UTF-8, no surrogates. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], cp;
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, cp = c & 0x07;
        else
            return false;
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < (k == 1   ? 0x80u
                  : k == 2 ? 0x800u
                           : 0x10000u) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

static bool strings_utf8(const struct eddy_feed_value *v)
{
    switch (eddy_feed_type(v)) {
    case EDDY_FEED_STRING: {
        size_t n;
        const char *s = eddy_feed_str(v, &n);
        return s[n] == 0 && utf8_ok((const unsigned char *)s, n);
    }
    case EDDY_FEED_ARRAY:
        for (size_t i = 0; i < eddy_feed_len(v); i++)
            if (!strings_utf8(eddy_feed_at(v, i)))
                return false;
        return true;
    case EDDY_FEED_OBJECT:
        for (const struct eddy_feed_member *m = eddy_feed_first(v); m; m = eddy_feed_next(m))
            if (!strings_utf8(eddy_feed_member_value(m)))
                return false;
        return true;
    default: return true;
    }
}

static int check_utf8_entry(void *arg, const struct eddy_feed_value *entry)
{
    (void)arg;
    return strings_utf8(entry) ? 0 : -EILSEQ;
}

/* <image> inside an <item> writes to the feed's image (feedparser's
 * _get_context); in callback mode those values went to the entry arena, so
 * the feed kept pointers into memory the next entry reused: a crash or
 * garbage in a well-formed feed. */
TEST(fuzz_callback_item_image_writes_to_the_feed_image)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><image><url>http://i/</url></image>"
        "<item><image><width>7</width><title>IMG</title></image></item>"
        "<item><title>BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB</title>"
        "<description>CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC</description></item>"
        "</channel></rss>";
    struct eddy_feed *ref;
    CHECK_INT(eddy_feed_parse(doc, strlen(doc), NULL, &ref), ==, 0);
    CHECK(ref != NULL);
    struct eddy_buf want = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(eddy_feed_get(eddy_feed_root(ref), "feed"), &want), ==, 0);
    CHECK(strstr(eddy_buf_cstr(&want), "\"width\":7") != NULL);
    for (size_t step = 0; step < 40; step += 13) {
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(doc, step, &s);
        CHECK_INT(s.n, ==, 2);
        CHECK(strstr(got, eddy_buf_cstr(&want)) != NULL);
        free(got);
        eddy_buf_free(&s.json);
    }
    eddy_buf_free(&want);
    eddy_feed_free(ref);
}

/* The same for <textinput> inside an item. */
TEST(fuzz_callback_item_textinput_writes_to_the_feed)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><textinput><title>T</title></textinput>"
        "<item><textinput><name>NNNN</name><link>http://t/</link></textinput></item>"
        "<item><title>BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB</title></item>"
        "</channel></rss>";
    struct eddy_feed *ref;
    CHECK_INT(eddy_feed_parse(doc, strlen(doc), NULL, &ref), ==, 0);
    CHECK(ref != NULL);
    struct eddy_buf want = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(eddy_feed_get(eddy_feed_root(ref), "feed"), &want), ==, 0);
    struct seen s = {EDDY_BUF_INIT(0), 0};
    char *got = parse_cb(doc, 0, &s);
    CHECK_INT(s.n, ==, 2);
    CHECK(strstr(got, eddy_buf_cstr(&want)) != NULL);
    free(got);
    eddy_buf_free(&s.json);
    eddy_buf_free(&want);
    eddy_feed_free(ref);
}

/* A <feed xml:lang> inside an entry sets the feed's language; in callback
 * mode the string lived in the entry arena (crash in eddy_feed_to_json). */
TEST(fuzz_callback_nested_feed_language)
{
    static const char doc[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><feed "
        "xml:lang=\"AAAAAAAAAAAAAAAA\"></feed></entry>"
        "<entry><title>BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB</title></entry></feed>";
    struct seen s = {EDDY_BUF_INIT(0), 0};
    char *got = parse_cb(doc, 0, &s);
    CHECK_INT(s.n, ==, 2);
    CHECK(strstr(got, "\"feed\":{\"language\":\"AAAAAAAAAAAAAAAA\"}") != NULL);
    free(got);
    eddy_buf_free(&s.json);
}

/* An entry inside an entry's <source> (or a </source> missing before the
 * next entry): the source's values, in the entry arena, outlived its reset
 * (SEGV in eddy__obj_find). */
TEST(fuzz_callback_entry_inside_source)
{
    static const char *const docs[] = {
        "<feed "
        "xmlns=\"http://www.w3.org/2005/Atom\"><entry><source><contributor><uri>x</uri></"
        "contributor>"
        "<entry><source><contributor><uri>y</uri></contributor></source></entry></source></entry></"
        "feed>",
        "<feed "
        "xmlns=\"http://www.w3.org/2005/Atom\"><entry><source><contributor><name>a</name></"
        "contributor>"
        "<category term=\"t\"/></entry><entry><contributor><name>b</name></contributor><category "
        "term=\"u\"/>"
        "</entry><entry><title>c</title></entry></source></feed>",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        for (size_t step = 0; step < 10; step += 3) {
            struct seen s = {EDDY_BUF_INIT(0), 0};
            char *got = parse_cb(docs[i], step, &s);
            CHECK(s.n >= 1);
            free(got);
            eddy_buf_free(&s.json);
        }
}

/* Invalid UTF-8 in callback mode: libxml2, told the body is UTF-8, passed
 * the raw bytes on to the values, and reported the same byte again at every
 * chunk boundary.  Each invalid byte now becomes U+FFFD before libxml2 sees
 * it (sax_driver.c, clean_utf8): values are UTF-8 and the result does not depend
 * on the chunks. */
TEST(fuzz_callback_invalid_utf8_becomes_replacement_characters)
{
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE rss [<!ENTITY e \"\xff\">]>"
        "<rss version=\"2.0\"><channel><title>a\xff\xfe\xc0\xaf \xed\xa0\x80 \xe2\x82 &e;</title>"
        "<item><title>\xc3\xa9 ok \xe2\x82\xac</title><link>http://x/\x80</link>"
        "<description><![CDATA[ \xa9 ]]></description></item></channel></rss>";
    char *one = NULL;
    size_t ndiags = 0;
    for (size_t step = 0; step < 8; step++) {
        struct eddy_feed_opts o = {.on_entry = check_utf8_entry};
        struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
        CHECK(p != NULL);
        size_t len = strlen(doc);
        for (size_t off = 0; off < len;) {
            size_t k = step && len - off > step ? step : len - off;
            CHECK_INT(eddy_feed_parser_push(p, doc + off, k), ==, 0);
            off += k;
        }
        struct eddy_feed *f;
        CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
        eddy_feed_parser_free(p);
        CHECK(f != NULL);
        const struct eddy_feed_value *root = eddy_feed_root(f);
        CHECK(strings_utf8(root));
        CHECK(eddy_feed_bool(eddy_feed_get(root, "bozo")));
        CHECK(strstr(eddy_feed_get_str(eddy_feed_get(root, "feed"), "title"), "a\xef\xbf\xbd") !=
              NULL);
        struct eddy_buf b = EDDY_BUF_INIT(0);
        CHECK_INT(eddy_feed_to_json(eddy_feed_get(root, "feed"), &b), ==, 0);
        if (!one) {
            one = eddy_buf_detach(&b, NULL);
            ndiags = eddy_feed_diag_count(f);
        } else {
            CHECK_STR(eddy_buf_cstr(&b), one);
            CHECK_INT(eddy_feed_diag_count(f), ==, ndiags); /* no report per chunk */
        }
        eddy_buf_free(&b);
        eddy_feed_free(f);
    }
    free(one);
}

/* Callback mode reads the encoding from the XML declaration itself: it
 * looked past the prolog for the declaration's '>' (so an "encoding"
 * attribute of the first element counted or not depending on the chunks),
 * and copied any bytes as the name (so "encoding" was not UTF-8). */
TEST(fuzz_callback_declared_encoding)
{
    static const char cut[] =
        "<?xml version=\"1.0\" <rss encoding=\"koi8-r\" version=\"2.0\"><channel>"
        "<title>t</title></channel></rss>";
    static const char bad[] =
        "<?xml version=\"1.0\" encoding=\"iso-\xff\xff\x1f)8859-1\"?><rss version=\"2.0\">"
        "<channel><title>t</title></channel></rss>";
    for (size_t step = 0; step < 5; step++) {
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(cut, step, &s);
        CHECK(strstr(got, "\"encoding\":\"utf-8\"") != NULL);
        free(got);
        got = parse_cb(bad, step, &s);
        CHECK(strstr(got, "\"encoding\":\"utf-8\"") != NULL);
        free(got);
        eddy_buf_free(&s.json);
    }
}

/* Invalid bytes in a declared multibyte encoding, in callback mode: libxml2
 * reported the failed conversion through its global handler, which printed
 * "encoding error : input conversion failed..." to stderr.  Library code
 * never prints; the error is still bozo. */
TEST(fuzz_callback_encoding_errors_are_not_printed)
{
    static const char *const encs[] = {"shift_jis", "euc-jp", "gb2312", "big5"};
    for (size_t i = 0; i < sizeof encs / sizeof encs[0]; i++) {
        char doc[256];
        snprintf(doc, sizeof doc,
                 "<?xml version=\"1.0\" encoding=\"%s\"?><rss version=\"2.0\"><channel>"
                 "<title>\xf0\x74\xff\xff\x80</title></channel></rss>",
                 encs[i]);
        fflush(stderr);
        int saved = dup(2);
        FILE *capture = tmpfile();
        CHECK(saved >= 0 && capture != NULL);
        CHECK(dup2(fileno(capture), 2) == 2);
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(doc, 3, &s);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        long printed =
            ftell(capture) >= 0 && fseek(capture, 0, SEEK_END) == 0 ? ftell(capture) : -1;
        fclose(capture);
        CHECK_INT(printed, ==, 0);
        CHECK(strstr(got, "\"bozo\":true") != NULL);
        free(got);
        eddy_buf_free(&s.json);
    }
}

/* An element name longer than the parser's name buffer was cut inside a
 * UTF-8 sequence, so the key of an unknown element was not UTF-8 (buffered
 * mode too).  The cut now falls before the sequence. */
TEST(fuzz_long_non_ascii_element_name_gives_a_utf8_key)
{
    struct eddy_buf doc = EDDY_BUF_INIT(0), name = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_buf_puts(&name, "xy"), ==, 0);
    for (int i = 0; i < 100; i++)
        CHECK_INT(eddy_buf_puts(&name, "\xe2\x82\xac"), ==, 0); /* U+20AC */
    CHECK_INT(eddy_buf_printf(&doc, "<rss version=\"2.0\"><channel><%s>v</%s></channel></rss>",
                              eddy_buf_cstr(&name), eddy_buf_cstr(&name)),
              ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc.data, doc.len, NULL, &f), ==, 0);
    CHECK(f != NULL);
    CHECK(strings_utf8(eddy_feed_root(f)));
    const struct eddy_feed_member *m = eddy_feed_first(eddy_feed_get(eddy_feed_root(f), "feed"));
    CHECK(m != NULL);
    const char *key = eddy_feed_member_key(m);
    CHECK(!strncmp(key, "xy\xe2\x82\xac", 5));
    CHECK(utf8_ok((const unsigned char *)key, strlen(key)));
    eddy_feed_free(f);
    struct seen s = {EDDY_BUF_INIT(0), 0};
    char *got = parse_cb(eddy_buf_cstr(&doc), 7, &s);
    free(got);
    eddy_buf_free(&s.json);
    eddy_buf_free(&doc);
    eddy_buf_free(&name);
}

/* Pushes doc[0..len) in chunks of `step` bytes with check_utf8_entry as the
 * callback; every string of the entries and of the result must be UTF-8. */
static void callback_utf8_in_steps(const char *doc, size_t len, size_t step)
{
    struct eddy_feed_opts o = {.on_entry = check_utf8_entry};
    struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
    CHECK(p != NULL);
    for (size_t off = 0; off < len; off += step)
        if (eddy_feed_parser_push(p, doc + off, len - off < step ? len - off : step))
            test_fail(__FILE__, __LINE__, "invalid UTF-8 in an entry, chunks of %zu bytes", step);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    eddy_feed_parser_free(p);
    if (!strings_utf8(eddy_feed_root(f)))
        test_fail(__FILE__, __LINE__, "invalid UTF-8 in the result, chunks of %zu bytes", step);
    eddy_feed_free(f);
}

/* Issue 11: a Shift_JIS document without a declaration, pushed in 4- or
 * 7-byte chunks, gave entries with invalid UTF-8 ("ea 82 cd 90"): a chunk
 * with a replaced byte and a sequence cut at its end whose cleaned length
 * happened to equal the raw length lost the cut (clean_utf8 took
 * "ready == n" for "nothing cut"). */
TEST(fuzz_callback_shift_jis_without_declaration_stays_utf8)
{
    /* <rss version="2.0"><channel><title>t</title><item><title>日本語のタイトル</title>
     * <description>これは説明です。テスト</description></item></channel></rss>, in Shift_JIS */
    static const char doc[] =
        "<rss version=\"2.0\"><channel><title>t</title><item><title>"
        "\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x5e\x83\x43\x83\x67\x83\x8b</title><description>"
        "\x82\xb1\x82\xea\x82\xcd\x90\xe0\x96\xbe\x82\xc5\x82\xb7\x81\x42\x83\x65\x83\x58\x83\x67"
        "</description></item></channel></rss>";
    for (size_t step = 1; step <= 16; step++)
        callback_utf8_in_steps(doc, sizeof doc - 1, step);
}

/* The same over random bytes in text, in every chunk size up to 13. */
TEST(fuzz_callback_random_bytes_stay_utf8)
{
    uint32_t seed = 12345;
    for (int round = 0; round < 20; round++) {
        struct eddy_buf b = EDDY_BUF_INIT(0);
        CHECK_INT(eddy_buf_printf(&b, "%s", "<rss version=\"2.0\"><channel><item><title>"), ==, 0);
        for (int i = 0; i < 200; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned char c = (unsigned char)(seed >> 16);
            if (c == '<' || c == '&' || c < 0x20)
                c = 0x80 | (c & 0x3F);
            CHECK_INT(eddy_buf_putc(&b, (char)c), ==, 0);
        }
        CHECK_INT(eddy_buf_printf(&b, "%s", "</title></item></channel></rss>"), ==, 0);
        for (size_t step = 1; step <= 13; step++)
            callback_utf8_in_steps(b.data, b.len, step);
        eddy_buf_free(&b);
    }
}

/* Issue 11: a NUL in text cut the value ("a\0b" gave "a"); feedparser
 * (its loose parser, after expat's error) keeps it, and strings carry
 * their length. */
TEST(fuzz_nul_in_text_is_kept)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><title>a\0b</title><item>"
        "<description>e\0f &lt;b&gt;g&lt;/b&gt;</description></item></channel></rss>";
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc, sizeof doc - 1, NULL, &f), ==, 0);
    const struct eddy_feed_value *root = eddy_feed_root(f);
    size_t n = 0;
    const char *t = eddy_feed_str(eddy_feed_get(eddy_feed_get(root, "feed"), "title"), &n);
    CHECK_INT(n, ==, 3);
    CHECK(!memcmp(t, "a\0b", 4));
    const char *s = eddy_feed_str(
        eddy_feed_get(eddy_feed_at(eddy_feed_get(root, "entries"), 0), "summary"), &n);
    CHECK(n > 3 && !memcmp(s, "e\0f", 3));
    eddy_feed_free(f);
}

/* In callback mode a NUL stopped libxml2's push parser for the whole
 * document (no feed title, no entry); it now reads as U+FFFD there. */
TEST(fuzz_callback_nul_does_not_end_the_document)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><title>a\0b</title><item><title>c\0d</title>"
        "</item><item><title>x</title></item></channel></rss>";
    struct seen s = {EDDY_BUF_INIT(0), 0};
    struct eddy_feed_opts o = {.on_entry = on_entry, .arg = &s};
    struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
    CHECK(p != NULL);
    CHECK_INT(eddy_feed_parser_push(p, doc, sizeof doc - 1), ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    eddy_feed_parser_free(p);
    CHECK_INT(s.n, ==, 2);
    CHECK(strstr(eddy_buf_cstr(&s.json), "\"title\":\"c\xef\xbf\xbd"
                                         "d\"") != NULL);
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(eddy_feed_root(f), "feed"), "title"), "a\xef\xbf\xbd"
                                                                                    "b");
    eddy_feed_free(f);
    eddy_buf_free(&s.json);
}

/* An object key: an element's namespace prefix longer than 127 bytes was
 * cut inside a UTF-8 sequence before "_local" was added, so the key was
 * not UTF-8 (fuzz/regression/feed/callback-key-not-utf8; buffered mode too). */
TEST(fuzz_long_non_ascii_prefix_gives_a_utf8_key)
{
    struct eddy_buf doc = EDDY_BUF_INIT(0), pfx = EDDY_BUF_INIT(0);
    for (int i = 0; i < 126; i++)
        CHECK_INT(eddy_buf_putc(&pfx, 'p'), ==, 0);
    CHECK_INT(eddy_buf_puts(&pfx, "\xc3\xa9\xc3\xa9"), ==, 0); /* bytes 127..130: "éé" */
    const char *P = eddy_buf_cstr(&pfx);
    CHECK_INT(eddy_buf_printf(&doc,
                              "<rss version=\"2.0\"><channel><item xmlns:%s=\"http://u.example/\">"
                              "<%s:x>v</%s:x></item></channel></rss>",
                              P, P, P),
              ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parse(doc.data, doc.len, NULL, &f), ==, 0);
    const struct eddy_feed_value *e = eddy_feed_at(eddy_feed_get(eddy_feed_root(f), "entries"), 0);
    size_t keys = 0;
    for (const struct eddy_feed_member *m = eddy_feed_first(e); m; m = eddy_feed_next(m), keys++) {
        const char *key = eddy_feed_member_key(m);
        CHECK(utf8_ok((const unsigned char *)key, strlen(key)));
    }
    CHECK(keys > 0);
    eddy_feed_free(f);
    struct seen s = {EDDY_BUF_INIT(0), 0};
    char *got = parse_cb(eddy_buf_cstr(&doc), 0, &s);
    CHECK_INT(s.n, ==, 1);
    CHECK(strstr(eddy_buf_cstr(&s.json), "ppp_x\":\"v\"") != NULL);
    CHECK(utf8_ok((const unsigned char *)s.json.data, s.json.len));
    free(got);
    eddy_buf_free(&s.json);
    eddy_buf_free(&doc);
    eddy_buf_free(&pfx);
}

/* A declaration libxml2 did not take (malformed, or "UTF-16" without a
 * BOM) left it reading UTF-8: callback mode, trusting the declared name,
 * let the raw bytes into the entries.  A UTF-16 declaration in a document
 * without a BOM still means UTF-8, the bytes read as U+FFFD, and "encoding"
 * says UTF-8 (fuzz/regression/feed/callback-utf16-declaration-bytes-undecoded,
 * callback-string-not-utf8); a malformed one naming another encoding is
 * decoded in it (eddy decodes, as feedparser reads the name), valid UTF-8
 * either way. */
TEST(fuzz_callback_declaration_libxml2_ignores)
{
    static const char *const docs[] = {
        "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><item>"
        "<title>\xe9t\xe9</title></item></channel></rss>",
        "<?xml\"ver=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><item>"
        "<title>\xe9t\xe9</title></item></channel></rss>",
    };
    static const char euckr[] =
        "<?xml ver\xe9ion=\"1.0\" encoding=\"euc-kr\"?><rss version=\"2.0\"><channel><item>"
        "<description>\xb3\xe2</description></item></channel></rss>";
    for (size_t step = 1; step <= 7; step += 3) {
        callback_utf8_in_steps(euckr, strlen(euckr), step);
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(euckr, step, &s);
        CHECK_INT(s.n, ==, 1);
        CHECK(strstr(eddy_buf_cstr(&s.json), "\"summary\":\"\xeb\x85\x84\"") != NULL);
        CHECK(strstr(got, "\"encoding\":\"euc-kr\"") != NULL);
        free(got);
        eddy_buf_free(&s.json);
    }
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++)
        for (size_t step = 1; step <= 7; step += 3) {
            callback_utf8_in_steps(docs[d], strlen(docs[d]), step);
            struct seen s = {EDDY_BUF_INIT(0), 0};
            char *got = parse_cb(docs[d], step, &s);
            CHECK_INT(s.n, ==, 1);
            CHECK(strstr(eddy_buf_cstr(&s.json), "\xef\xbf\xbd") != NULL);
            CHECK(strstr(got, "\"encoding\":\"utf-8\"") != NULL);
            free(got);
            eddy_buf_free(&s.json);
        }
}

/* "]]>" in text: libxml2's push parser dropped the text before it, all of
 * it in one push and less in small chunks, so the chunks changed the
 * result (fuzz/regression/feed/callback-chunking-changes-result).  It is
 * text now, as in feedparser's loose parser, and bozo. */
TEST(fuzz_callback_cdata_end_in_text)
{
    static const char doc[] = "<rss version=\"2.0\"><channel><title>a ]]]> b ]]> c ] d</title>"
                              "<item><title>x ]]> y</title></item></channel></rss>";
    for (size_t step = 0; step <= 5; step++) {
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(doc, step, &s);
        CHECK(strstr(got, "\"title\":\"a ]]]> b ]]> c ] d\"") != NULL);
        CHECK(strstr(got, "\"bozo\":true") != NULL);
        CHECK(strstr(eddy_buf_cstr(&s.json), "\"title\":\"x ]]> y\"") != NULL);
        free(got);
        eddy_buf_free(&s.json);
    }
}

/* Every object key under v is UTF-8, and one of them is `want`. */
static bool keys_utf8(const struct eddy_feed_value *v, const char *want, bool *seen)
{
    if (eddy_feed_type(v) == EDDY_FEED_ARRAY)
        for (size_t i = 0; i < eddy_feed_len(v); i++)
            if (!keys_utf8(eddy_feed_at(v, i), want, seen))
                return false;
    if (eddy_feed_type(v) != EDDY_FEED_OBJECT)
        return true;
    for (const struct eddy_feed_member *m = eddy_feed_first(v); m; m = eddy_feed_next(m)) {
        const char *key = eddy_feed_member_key(m);
        if (!utf8_ok((const unsigned char *)key, strlen(key)) ||
            !keys_utf8(eddy_feed_member_value(m), want, seen))
            return false;
        *seen |= !strcmp(key, want);
    }
    return true;
}

/* A malformed declaration naming another encoding, with a byte that is
 * not UTF-8 in the prolog: libxml2 read on a byte a character from there,
 * so in callback mode the (cleaned, UTF-8) body's element names were cut
 * inside a character, "<\xef\xbf\xbd..." named "\xef", "<café>" "caf\xc3"
 * (fuzz/regression/feed/callback-key-cut-after-bad-prolog).  The body is
 * EUC-KR now, as declared: "caf\xc3\xa9" is "caf" and U+CC55. */
TEST(fuzz_callback_bad_prolog_byte_keeps_names_whole)
{
    static const char *const docs[] = {
        "<?xml ver\xb6ion=\"1.0\" encoding=\"euc-kr\"?><rss version=\"2.0\"><channel>"
        "<caf\xc3\xa9>v</caf\xc3\xa9><\xff\xfex>w</\xff\xfex></channel></rss>",
        "<?xml version=1.0 encoding=\"euc-kr\"?><!-- \xb3\xe2 --><rss version=\"2.0\"><channel>"
        "<caf\xc3\xa9>v</caf\xc3\xa9><\xff\xfex>w</\xff\xfex></channel></rss>",
    };
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++)
        for (size_t step = 0; step <= 7; step += 7) {
            struct eddy_feed_opts o = {.on_entry = check_utf8_entry};
            struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
            size_t len = strlen(docs[d]);
            for (size_t off = 0; off < len;) {
                size_t k = step && len - off > step ? step : len - off;
                CHECK_INT(eddy_feed_parser_push(p, docs[d] + off, k), ==, 0);
                off += k;
            }
            struct eddy_feed *f;
            CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
            eddy_feed_parser_free(p);
            const struct eddy_feed_value *feed = eddy_feed_get(eddy_feed_root(f), "feed");
            bool seen = false;
            CHECK(keys_utf8(eddy_feed_root(f), "\xef\xbf\xbd\xef\xbf\xbdx", &seen));
            CHECK(seen);
            CHECK_STR(eddy_feed_get_str(feed, "caf\xec\xb1\x95"), "v");
            eddy_feed_free(f);
        }
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) { /* buffered: decoded whole */
        struct eddy_feed *f;
        CHECK_INT(eddy_feed_parse(docs[d], strlen(docs[d]), NULL, &f), ==, 0);
        bool seen = false;
        CHECK(keys_utf8(eddy_feed_root(f), "", &seen));
        eddy_feed_free(f);
    }
}

/* Callback mode, a document declaring big5 whose root start tag is broken
 * by bytes big5 cannot decode: libxml2, decoding by itself, stopped the
 * whole parse at the first push that began with such a byte, and how much
 * of the text before it it had parsed by then depended on where the chunks
 * ended: one push gave version "rss20", 7-byte chunks ""
 * (fuzz/regression/feed/callback-big5-chunking-drops-version).  eddy
 * decodes now, each such byte read as U+FFFD, and libxml2 reads UTF-8. */
TEST(fuzz_callback_big5_undecodable_bytes_whatever_the_chunks)
{
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"big5\"?><rss version=\"2.0g=\"big5\"?>"
        "<rss ver\xf0t\xff\xff\x80</title></channel></rss>";
    struct seen s1 = {EDDY_BUF_INIT(0), 0};
    char *one = parse_cb(doc, 0, &s1);
    CHECK(strstr(one, "\"version\":\"rss20\"") != NULL);
    CHECK(strstr(one, "\"bozo\":true") != NULL);
    for (size_t step = 1; step <= 16; step++) {
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(doc, step, &s);
        CHECK_STR(got, one);
        free(got);
        eddy_buf_free(&s.json);
    }
    free(one);
    eddy_buf_free(&s1.json);
}

/* The class: random bytes, undecodable ones among them, in the text and
 * the tags of documents in multi-byte and single-byte encodings give the
 * same entries and result in any chunks as in one push. */
TEST(fuzz_callback_undecodable_bytes_any_chunks_same_result)
{
    static const char *const encs[] = {"big5",   "shift_jis",   "euc-jp",      "gb2312",
                                       "euc-kr", "iso-2022-jp", "windows-1252"};
    uint32_t seed = 4242;
    for (size_t e = 0; e < sizeof encs / sizeof encs[0]; e++)
        for (int round = 0; round < 4; round++) {
            struct eddy_buf b = EDDY_BUF_INIT(0);
            CHECK_INT(eddy_buf_printf(&b,
                                      "<?xml version=\"1.0\" encoding=\"%s\"?><rss version=\"2.0\">"
                                      "<channel><title>t</title><item><title>",
                                      encs[e]),
                      ==, 0);
            for (int i = 0; i < 60; i++) {
                seed = seed * 1103515245u + 12345u;
                unsigned char c = (unsigned char)(seed >> 16);
                CHECK_INT(eddy_buf_putc(&b, (char)(c ? c : 0x80)), ==, 0);
                if (i == 30)
                    CHECK_INT(eddy_buf_puts(&b, "</title><link a=\""), ==, 0);
            }
            CHECK_INT(eddy_buf_puts(&b, "\">x</link></item><item><title>u</title></item>"
                                        "</channel></rss>"),
                      ==, 0);
            struct seen s1 = {EDDY_BUF_INIT(0), 0};
            char *one = parse_cb(eddy_buf_cstr(&b), 0, &s1);
            for (size_t step = 1; step <= 13; step++) {
                struct seen s = {EDDY_BUF_INIT(0), 0};
                char *got = parse_cb(eddy_buf_cstr(&b), step, &s);
                if (strcmp(got, one) || strcmp(eddy_buf_cstr(&s.json), eddy_buf_cstr(&s1.json)))
                    test_fail(__FILE__, __LINE__, "%s, round %d: %zu-byte chunks differ", encs[e],
                              round, step);
                free(got);
                eddy_buf_free(&s.json);
            }
            free(one);
            eddy_buf_free(&s1.json);
            eddy_buf_free(&b);
        }
}

/* A UTF-16 byte order mark before a document that is not UTF-16 ("<?xml"
 * in ASCII after it): callback mode took the mark's word and found no
 * feed, where buffered mode, which takes it only when the whole document
 * decodes in UTF-16, read UTF-8 and an entry
 * (fuzz/regression/feed/callback-utf16-bom-before-utf8).  The mark counts
 * when '<' or a space follows it in UTF-16. */
TEST(fuzz_callback_utf16_bom_before_utf8)
{
    static const char body[] = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item>"
                               "<title>caf\xc3\xa9</title></item></channel></rss>";
    static const char *const boms[] = {"\xfe\xff", "\xff\xfe"};
    for (size_t b = 0; b < 2; b++) {
        char doc[256];
        snprintf(doc, sizeof doc, "%s%s", boms[b], body);
        for (size_t step = 0; step <= 7; step++) {
            struct seen s = {EDDY_BUF_INIT(0), 0};
            char *got = parse_cb(doc, step, &s);
            CHECK_INT(s.n, ==, 1);
            CHECK(strstr(eddy_buf_cstr(&s.json), "\"title\":\"caf\xc3\xa9\"") != NULL);
            CHECK(strstr(got, "\"encoding\":\"utf-8\"") != NULL);
            free(got);
            eddy_buf_free(&s.json);
        }
    }
    /* a real UTF-16LE document with its mark is still read as UTF-16 (each
     * ASCII byte and a 0; é, C3 A9 in UTF-8, is E9 00) */
    struct eddy_buf u = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_buf_append(&u, "\xff\xfe", 2), ==, 0);
    for (const char *p = body; *p; p++)
        CHECK_INT(eddy_buf_append(&u, (const char[]){*p == '\xc3' ? '\xe9' : *p, 0},
                                  *p == '\xa9' ? 0 : 2),
                  ==, 0);
    struct seen s = {EDDY_BUF_INIT(0), 0};
    struct eddy_feed_opts o = {.on_entry = on_entry, .arg = &s};
    struct eddy_feed_parser *p = eddy_feed_parser_new(&o);
    for (size_t off = 0; off < u.len; off += 3)
        CHECK_INT(eddy_feed_parser_push(p, u.data + off, u.len - off < 3 ? u.len - off : 3), ==, 0);
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    eddy_feed_parser_free(p);
    CHECK_INT(s.n, ==, 1);
    CHECK(strstr(eddy_buf_cstr(&s.json), "\"title\":\"caf\xc3\xa9\"") != NULL);
    CHECK_STR(eddy_feed_get_str(eddy_feed_root(f), "encoding"), "utf-16le");
    eddy_feed_free(f);
    eddy_buf_free(&s.json);
    eddy_buf_free(&u);
}

/* An HTML entity in an attribute value, in callback mode (no loose pass):
 * libxml2 copies only the first byte of an entity it takes for predefined
 * (as getEntity's are) into an attribute value, so "&nbsp;" gave a lone
 * 0xC2, not UTF-8 (fuzz/regression/feed/callback-entity-in-attribute-cut).
 * The repair scanner writes such a reference's text itself now. */
TEST(fuzz_callback_entity_in_attribute_is_whole)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><item><enclosure url=\"http://x/a&eacute;&nbsp;b&amp;c"
        "&bogus;&lt;\" type=\"audio/mpeg\"/></item></channel></rss>";
    for (size_t step = 0; step <= 7; step++) {
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(doc, step, &s);
        CHECK(utf8_ok((const unsigned char *)s.json.data, s.json.len));
        CHECK(strstr(eddy_buf_cstr(&s.json), "\"href\":\"http://x/a\xc3\xa9\xc2\xa0"
                                             "b&c&bogus;<\"") != NULL);
        CHECK(strstr(got, "\"bozo\":true") != NULL);
        free(got);
        eddy_buf_free(&s.json);
    }
}

/* An HTML entity in an attribute value the '&' repair scanner did not see
 * as one (it read "<!-->" as the start of a comment, libxml2 did not):
 * libxml2 copied the entity's first byte only, a lone 0xC2 in the tree
 * (fuzz/regression/feed/callback-entity-in-unseen-attribute).  An
 * attribute value that is not UTF-8 now reads as U+FFFD there. */
TEST(fuzz_callback_entity_in_unseen_attribute_is_utf8)
{
    static const char doc[] = "<!--><r\"<?<\xe9 n=\"&nbsp;";
    for (int cb = 0; cb < 2; cb++)
        for (size_t step = 0; step <= 7; step++) {
            struct seen s = {EDDY_BUF_INIT(0), 0};
            struct eddy_feed_opts o = {.on_entry = cb ? on_entry : NULL, .arg = &s};
            struct eddy_feed *f = push_all(&o, doc, step);
            CHECK(strings_utf8(eddy_feed_root(f)));
            eddy_feed_free(f);
            eddy_buf_free(&s.json);
        }
}

/* A malformed XML declaration: feedparser replaces it (up to its first
 * '>') with its own, and so does buffered mode, so "<?xml>" is no error;
 * callback mode gave it to libxml2, which stopped there: no entry
 * (fuzz/regression/feed/callback-malformed-xml-declaration).  A DOCTYPE
 * after a declaration on the same line is still not feedparser's to
 * remove (its ^ is a line start), whichever mode. */
TEST(fuzz_callback_malformed_xml_declaration_is_replaced)
{
    static const char doc[] = "<?xml><feed n=\"\"><entry><title>t</title></entry></feed>";
    for (size_t step = 0; step <= 7; step++) {
        struct seen s = {EDDY_BUF_INIT(0), 0};
        char *got = parse_cb(doc, step, &s);
        CHECK_INT(s.n, ==, 1);
        CHECK(strstr(got, "\"bozo\":false") != NULL);
        CHECK(strstr(eddy_buf_cstr(&s.json), "\"title\":\"t\"") != NULL);
        free(got);
        eddy_buf_free(&s.json);
    }
}

/* A loose-mode end tag whose name is longer than the 127 bytes kept was cut
 * inside a UTF-8 character, and the xhtml title it was written back into
 * held that half character (fuzz/regression/feed/loose-xhtml-title-cut-utf8,
 * a windows-1252 document).  Names are cut at a character boundary. */
TEST(fuzz_loose_long_tag_name_cut_at_a_character)
{
    static const char doc[] =
        "<channel<title</tot \xa6\xa6\xa6itleitl\xa6\xa6\xa6\xa6\xa6\xa6\xa6"
        "\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6"
        "\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6utfversion=\"2-41</title><"
        "><\xd2\x9chan>\xff\xff\xff\"\n</title>";
    for (int cb = 0; cb < 2; cb++) {
        struct seen s = {EDDY_BUF_INIT(0), 0};
        struct eddy_feed_opts o = {.on_entry = cb ? on_entry : NULL, .arg = &s};
        struct eddy_feed *f = push_all(&o, doc, 0);
        CHECK(strings_utf8(eddy_feed_root(f)));
        eddy_feed_free(f);
        eddy_buf_free(&s.json);
    }
}
