/* fuzz/html.c — libFuzzer target for feed/html.c and feed/uri.c.
 *
 * The first byte picks what runs (sanitizer for text/html or XHTML, the
 * relative-URI resolver, then the sanitizer on its output, as feed/ does);
 * the rest is the HTML.  Or (mode 4) the rest is "base\0ref" for the URI
 * functions.  In modes 2 and 3 the one-pass eddy__html_clean_within (what
 * feed/ calls) must give the same bytes as the two passes.  Besides "no
 * crash, no leak", the sanitized output
 * must be safe in a web page, as a browser would read it: no script, style,
 * iframe... element, no on* event attribute, no script: scheme in a URI
 * attribute (character references decoded, tab/newline dropped), no style
 * with a url( or an expression( holding more than digits, commas and spaces
 * (inert: feedparser keeps "color: expression(1)"), no comment a browser
 * would close early, no IE conditional comment. */
#include "../src/base/text.h"
#include "../src/feed/html.h"
#include "../src/feed/uri.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the white space character (as Python's str.isspace, the
 * gauntlet's \s) at p, or 0. */
static size_t py_space(const unsigned char *p)
{
    static const char *const multi[] = {"\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80",
                                        "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf",
                                        "\xe2\x81\x9f", "\xe3\x80\x80"};
    if ((*p >= 0x09 && *p <= 0x0d) || (*p >= 0x1c && *p <= 0x20))
        return 1;
    if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x80 && p[2] <= 0x8a) /* U+2000..U+200A */
        return 3;
    for (size_t i = 0; i < sizeof multi / sizeof *multi; i++)
        if (!strncmp((const char *)p, multi[i], strlen(multi[i])))
            return strlen(multi[i]);
    return 0;
}

/* Whether style value d holds a call of fn ("expression(", "url(") that
 * could run code or load from anywhere: the sanitizer (feedparser's
 * gauntlet) lets only digits, commas and white space (Python's,
 * \x1c-\x1f included) into parentheses.  IE evaluates "expression(1)" to
 * the number 1, and "url(7)" (as `cursor` takes it) is a same-origin path. */
static int live_call(const char *d, const char *fn)
{
    for (const char *x = strstr(d, fn); x; x = strstr(x + 1, fn)) {
        const unsigned char *p = (const unsigned char *)x + strlen(fn);
        for (size_t k; (k = (*p >= '0' && *p <= '9') || *p == ',' ? 1 : py_space(p));)
            p += k;
        if (*p != ')')
            return 1;
    }
    return 0;
}

static int low(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int starts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (low((unsigned char)s[i]) != lit[i])
            return 0;
    return 1;
}

static void fail(const char *why, const char *out)
{
    fprintf(stderr, "unsafe output (%s):\n%s\n", why, out);
    abort();
}

/* An attribute value as a browser decodes it, lower case, without tab,
 * newline and leading spaces/controls (enough to find a scheme). */
static void decode(const char *v, size_t n, char *d, size_t cap)
{
    size_t w = 0;
    for (size_t i = 0; i < n && w + 1 < cap;) {
        unsigned c = (unsigned char)v[i++];
        int ref = c == '&';
        if (c == '&' && i < n && v[i] == '#') {
            int hex = i + 1 < n && (v[i + 1] | 32) == 'x';
            size_t j = i + 1 + hex;
            c = 0;
            while (j < n &&
                   (hex ? strchr("0123456789abcdefABCDEF", v[j]) : strchr("0123456789", v[j])) &&
                   v[j]) {
                unsigned dgt = (unsigned)(v[j] <= '9' ? v[j] - '0' : (v[j] | 32) - 'a' + 10);
                c = c < 0x110000 ? c * (hex ? 16 : 10) + dgt : c;
                j++;
            }
            i = j + (j < n && v[j] == ';');
        } else if (c == '&') {
            static const char *const named[][2] = {
                {"colon;", ":"}, {"tab;", "\t"}, {"newline;", "\n"}, {"amp;", "&"}, {"lpar;", "("}};
            for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
                if (starts(v + i, n - i, named[k][0])) {
                    c = (unsigned char)named[k][1][0];
                    i += strlen(named[k][0]);
                    break;
                }
        }
        if (c == '\t' || c == '\n' || c == '\r' || (w == 0 && c <= 0x20))
            continue;
        if (ref && c >= 0x80 && c < 0x110000 && (c < 0xD800 || c > 0xDFFF)) {
            char u[4]; /* as UTF-8, as the document's own bytes are (never longer than the
                          reference) */
            size_t k = eddy__utf8_encode(c, u);
            for (size_t j = 0; j < k && w + 1 < cap; j++)
                d[w++] = u[j];
            continue;
        }
        d[w++] = (char)low((int)(c && (c < 0x80 || !ref) ? c : 0x80));
    }
    d[w] = 0;
}

static void check_tag(const char *t, size_t n, const char *out)
{
    static const char *const banned[] = {"script", "style", "iframe", "object", "embed",   "applet",
                                         "link",   "meta",  "base",   "frame",  "frameset"};
    size_t name = 0;
    while (name < n && t[name] != ' ' && t[name] != '>' && t[name] != '/')
        name++;
    for (size_t k = 0; k < sizeof banned / sizeof banned[0]; k++)
        if (name == strlen(banned[k]) && starts(t, n, banned[k]))
            fail("element", out);
    int animation = starts(t, n, "animate") || starts(t, n, "set ");
    for (size_t i = name; i < n;) {
        if (t[i] != ' ') {
            i++;
            continue;
        }
        size_t a = ++i;
        while (i < n && t[i] != '=' && t[i] != ' ' && t[i] != '>')
            i++;
        if (i + 1 >= n || t[i] != '=' || t[i + 1] != '"')
            continue;
        size_t an = i - a, v = i + 2, e = v;
        while (e < n && t[e] != '"')
            e++;
        /* the whole value (a decoded one is never longer): a prefix cut at
         * a fixed size could end in "href" where the value does not */
        char *d = malloc(e - v + 1);
        if (!d)
            abort();
        decode(t + v, e - v, d, e - v + 1);
        if (an >= 2 && low(t[a]) == 'o' && low(t[a + 1]) == 'n')
            fail("event handler", out);
        static const char *const uri[] = {"href",       "src",      "action", "background",
                                          "cite",       "codebase", "data",   "dynsrc",
                                          "lowsrc",     "longdesc", "poster", "usemap",
                                          "xlink:href", "xml:base", "icon",   "formaction"};
        for (size_t k = 0; k < sizeof uri / sizeof uri[0]; k++)
            if (an == strlen(uri[k]) && starts(t + a, an, uri[k]) &&
                (starts(d, strlen(d), "javascript:") || starts(d, strlen(d), "vbscript:")))
                fail("script URI", out);
        if (an == 5 && starts(t + a, an, "style") &&
            (live_call(d, "url(") || live_call(d, "expression(")))
            fail("style", out);
        size_t dl = strlen(d);
        while (dl && (unsigned char)d[dl - 1] <= ' ')
            dl--;
        if (animation && an == 13 && starts(t + a, an, "attributename") && dl >= 4 &&
            !memcmp(d + dl - 4, "href", 4))
            fail("animated href", out);
        free(d);
        i = e + 1;
    }
}

static void check_safe(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<')
            continue;
        if (starts(s + i, n - i, "<!--")) {
            const char *end = memmem(s + i + 4, n - i - 4, "-->", 3);
            if (!end)
                fail("unclosed comment", s);
            size_t cn = (size_t)(end - s) - i - 4;
            const char *c = s + i + 4;
            if ((cn && c[0] == '>') || (cn >= 2 && c[0] == '-' && c[1] == '>'))
                fail("comment closed early", s);
            if (starts(c, cn, "[if"))
                fail("IE conditional comment", s);
            if (memmem(c, cn, "</", 2))
                fail("end tag in a comment (live inside textarea)", s);
            for (size_t k = 0; k + 3 < cn; k++)
                if (!memcmp(c + k, "--!>", 4))
                    fail("comment closed early", s);
            i = (size_t)(end - s) + 2;
            continue;
        }
        if (starts(s + i + 1, n - i - 1, "/script") || starts(s + i + 1, n - i - 1, "/style"))
            continue; /* an end tag runs nothing */
        size_t j = i + 1;
        int letter = j < n && ((s[j] | 32) >= 'a' && (s[j] | 32) <= 'z');
        if (!letter)
            continue;
        const char *gt = memchr(s + j, '>', n - j);
        if (!gt) /* a tag the rest of the page could close */
            fail("unterminated tag", s);
        check_tag(s + j, (size_t)(gt - s) - j + 1, s);
        i = (size_t)(gt - s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int mode = data[0] % 5;
    const char *html = (const char *)data + 1;
    size_t n = size - 1;
    struct eddy_buf out = EDDY_BUF_INIT(0), res = EDDY_BUF_INIT(0), fused = EDDY_BUF_INIT(0);
    if (mode == 4) {
        char *base = malloc(n + 1);
        memcpy(base, html, n);
        base[n] = 0;
        const char *ref = base + strlen(base) + (strlen(base) < n);
        if (eddy__uri_resolve(&out, base, ref) || eddy__uri_resolve_safe(&res, base, ref) ||
            eddy__uri_resolve_safe(&res, base, NULL))
            abort();
        (void)eddy__uri_scheme_ok(base);
        (void)eddy__uri_scheme_ok(ref);
        free(base);
        eddy_buf_free(&out);
        eddy_buf_free(&res);
        return 0;
    }
    if (mode >= 2) { /* resolve first, as feed/ does, then sanitize that */
        const char *base = mode == 2 ? "http://example.com/a/b" : "";
        if (eddy__html_clean_within(&fused, html, n, base, mode == 3, NULL) ||
            eddy__html_resolve_uris(&res, html, n, base, mode == 3))
            abort();
        html = eddy_buf_cstr(&res);
        n = res.len;
    }
    if (eddy__html_sanitize(&out, html, n, mode % 2))
        abort();
    check_safe(eddy_buf_cstr(&out), out.len);
    if (mode >= 2 &&
        (fused.len != out.len || memcmp(eddy_buf_cstr(&fused), eddy_buf_cstr(&out), out.len))) {
        fprintf(stderr, "one pass:\n%s\ntwo passes:\n%s\n", eddy_buf_cstr(&fused),
                eddy_buf_cstr(&out));
        abort();
    }
    eddy_buf_free(&out);
    eddy_buf_free(&res);
    eddy_buf_free(&fused);
    return 0;
}
