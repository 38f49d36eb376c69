/*
 * sgml.c — sgmllib's scanners with feedparser's regexes (sgml.h): each
 * function names the pattern it hand-matches, in one pass without
 * backtracking.  Shared by loose.c and html.c; no output, no state.
 */
#include "sgml.h"

#include <string.h>
/* ([^'"<>] | "[^"]*"(?=>|/|\s|\w+=) | '[^']*'(?=...))*(?=[<>])  |  .*?(?=[<>]) */
size_t eddy__sgml_endbracket(const char *s, size_t n, size_t i)
{
    for (size_t k = i; (k = find_any4(s, n, k, '<', '>', '"', '\'')) < n;) {
        char c = s[k];
        if (c == '<' || c == '>')
            return k;
        const char *q = memchr(s + k + 1, c, n - k - 1);
        if (!q)
            break;
        k = (size_t)(q - s) + 1;
        size_t w = k, d;
        while ((d = word_at(s, n, w)))
            w += d;
        if (!(k < n &&
              (s[k] == '>' || s[k] == '/' || space_at(s, n, k) || (w > k && w < n && s[w] == '='))))
            break;
    }
    for (size_t k = i; k < n && s[k] != '\n'; k++) /* '.' is anything but '\n' */
        if (s[k] == '<' || s[k] == '>')
            return k;
    return EDDY__SGML_INCOMPLETE;
}

size_t eddy__sgml_tagname(const char *s, size_t n, size_t i)
{
    size_t k = i + 1;
    while (k < n && (is_alnum(s[k]) || s[k] == '-' || s[k] == '_' || s[k] == '.' || s[k] == ':'))
        k++;
    return k;
}

/* shorttagopen <[a-zA-Z][-.a-zA-Z0-9]*\/, then shorttag <tag/data/ */
size_t eddy__sgml_shorttag(const char *s, size_t n, size_t i, size_t *slash)
{
    if (i + 1 >= n || !is_alpha(s[i + 1]))
        return EDDY__SGML_NO_MATCH;
    size_t e = i + 2;
    while (e < n && (is_alnum(s[e]) || s[e] == '-' || s[e] == '.'))
        e++;
    if (e >= n || s[e] != '/')
        return EDDY__SGML_NO_MATCH;
    const char *q = memchr(s + e + 1, '/', n - e - 1);
    if (!q)
        return EDDY__SGML_INCOMPLETE;
    *slash = e;
    return (size_t)(q - s) + 1;
}

/* \s*([a-zA-Z_][-:.a-zA-Z_0-9]*)[$]?(\s*=\s*('[^']*'|"[^"]*"|[][\-a-zA-Z0-9./,:;+*%?!&$()_#=~'"@]*))?
 */
size_t eddy__sgml_attr(const char *s, size_t n, size_t k, struct eddy__sgml_attr *a)
{
    size_t i = skip_spaces(s, n, k);
    if (i >= n || !(is_alpha(s[i]) || s[i] == '_'))
        return EDDY__SGML_NO_MATCH;
    a->name = i++;
    while (i < n && (is_alnum(s[i]) || s[i] == '-' || s[i] == ':' || s[i] == '.' || s[i] == '_'))
        i++;
    a->name_end = i;
    i += i < n && s[i] == '$';
    size_t j = skip_spaces(s, n, i);
    a->has_value = j < n && s[j] == '=';
    if (!a->has_value) {
        a->val = a->name, a->val_end = a->name_end;
        return i;
    }
    size_t v = j = skip_spaces(s, n, j + 1), v_end;
    const char *q =
        j < n && (s[j] == '\'' || s[j] == '"') ? memchr(s + j + 1, s[j], n - j - 1) : NULL;
    if (q) {
        v_end = (size_t)(q - s) + 1;
    } else {
        static const char unquoted[] = "[]-./,:;+*%?!&$()_#=~'\"@";
        while (j < n && (is_alnum(s[j]) || (s[j] && strchr(unquoted, s[j]))))
            j++;
        v_end = j;
    }
    i = v_end;
    /* quotes at both ends are stripped ("'" alone gives "") */
    if (v_end > v && (s[v] == '\'' || s[v] == '"') && s[v_end - 1] == s[v])
        v++, v_end -= v_end > v;
    a->val = v, a->val_end = v_end;
    return i;
}

/* feedparser 6.0.14 (on feedparser-sgmllib) finds the end of an end tag
 * with its quote-aware endbracket, as for start tags; 6.0.10 (on
 * sgmllib3k) used sgmllib's plain [<>] there. */
size_t eddy__sgml_endtag(const char *s, size_t n, size_t i, size_t *a, size_t *b)
{
    size_t j = eddy__sgml_endbracket(s, n, i + 1);
    if (j == EDDY__SGML_INCOMPLETE)
        return j;
    *a = skip_spaces(s, j, i + 2), *b = j;
    while (*b > *a) { /* strip() at the end: find the start of the last character */
        size_t k = 1;
        while (k < 4 && k < *b - *a && ((unsigned char)s[*b - k] & 0xc0) == 0x80)
            k++;
        if (!space_at(s, j, *b - k))
            break;
        *b -= k;
    }
    return j + (s[j] == '>');
}

/* <!--(.*?)--\s*> */
size_t eddy__sgml_comment(const char *s, size_t n, size_t i, size_t limit, size_t *text_end)
{
    for (size_t k = i + 4; k + 1 < n && k < limit; k++) {
        if (s[k] != '-' || s[k + 1] != '-')
            continue;
        size_t e = skip_spaces(s, n, k + 2);
        if (e < n && s[e] == '>') {
            *text_end = k;
            return e + 1;
        }
    }
    return EDDY__SGML_INCOMPLETE;
}

size_t eddy__sgml_pi(const char *s, size_t n, size_t i)
{
    const char *gt = memchr(s + i + 2, '>', n - i - 2);
    return gt ? (size_t)(gt - s) + 1 : EDDY__SGML_INCOMPLETE;
}

size_t eddy__sgml_reference(const char *s, size_t n, size_t i, size_t *a, size_t *b, bool *charref)
{
    /* charref (feedparser's): &#(\d+|[xX][0-9a-fA-F]+); */
    size_t d = i + 2, e = d;
    if (d < n && s[i + 1] == '#') {
        bool x = (s[d] | 32) == 'x';
        e += x;
        while (e < n && (x ? is_hex(s[e]) : is_digit(s[e])))
            e++;
        if (e > d + x && e < n && s[e] == ';') {
            *a = d, *b = e, *charref = true;
            return e + 1;
        }
    }
    /* entityref: &([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9] -- the name may
     * give back a trailing run after a '-' or '.' to find its end */
    if (i + 1 < n && is_alpha(s[i + 1])) {
        e = i + 2;
        while (e < n && (is_alnum(s[e]) || s[e] == '-' || s[e] == '.'))
            e++;
        while (e == n && e > i + 2) {
            size_t c = e - 1;
            while (c > i + 1 && s[c] != '-' && s[c] != '.')
                c--;
            e = c > i + 1 ? c : e;
            if (c <= i + 1)
                break;
        }
        if (e < n) {
            *a = i + 1, *b = e, *charref = false;
            return e + (s[e] == ';');
        }
    }
    return EDDY__SGML_NO_MATCH;
}

/* &([a-zA-Z][a-zA-Z0-9]*|#[0-9]*)? | <([a-zA-Z][^<>]*|/([a-zA-Z][^<>]*)?|![^<>]*)? */
size_t eddy__sgml_incomplete(const char *s, size_t n, size_t i)
{
    size_t k = i + 1;
    if (s[i] == '&') {
        if (k < n && is_alpha(s[k]))
            while (k < n && is_alnum(s[k]))
                k++;
        else if (k < n && s[k] == '#')
            while (++k < n && is_digit(s[k]))
                ;
        return k;
    }
    if (k < n && (is_alpha(s[k]) || s[k] == '!')) {
        while (++k < n && s[k] != '<' && s[k] != '>')
            ;
    } else if (k < n && s[k] == '/') {
        if (++k < n && is_alpha(s[k]))
            while (k < n && s[k] != '<' && s[k] != '>')
                k++;
    }
    return k;
}
