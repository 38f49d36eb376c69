/*
 * src/http/util.c — small helpers around the codec that a server, a web
 * framework and tools all need: case-insensitive names and lists, reason
 * phrases, HTTP-dates (formatting for Date/Last-Modified, parsing for
 * If-Modified-Since) and request-target splitting and percent-decoding.
 *
 * Dates are converted with our own civil-calendar arithmetic instead of
 * timegm()/strptime(): both depend on the locale or the TZ environment, and
 * the three HTTP-date forms are fixed-width enough to parse by position.
 */
#include "eddy/http.h"
#include "internal.h"

#include <errno.h>
#include <string.h>

#include "../base/text.h"

bool eddy_http_token_eq(const char *s, size_t len, const char *name)
{
    for (size_t i = 0; i < len; i++, name++)
        if (!*name || eddy__http_lower(s[i]) != eddy__http_lower(*name))
            return false;
    return *name == 0;
}

const struct eddy_http_header *eddy_http_header_find(const struct eddy_http_header *h, size_t n,
                                                     const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (eddy_http_token_eq(h[i].name, h[i].name_len, name))
            return &h[i];
    return NULL;
}

bool eddy_http_list_has(const char *v, size_t n, const char *token)
{
    for (size_t i = 0; i < n;) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',' && v[i] != ';' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (i > s && eddy_http_token_eq(v + s, i - s, token))
            return true;
        while (i < n && v[i] != ',')
            i++;
    }
    return false;
}

const char *eddy_http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

/* ---------------------------------------------------------------- dates */

static const char wkdays[7][10] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                   "Thursday", "Friday", "Saturday"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse: year, month (1..12), day of `z` days since the epoch. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
}

int eddy_http_date_format(time_t t, char out[EDDY_HTTP_DATE_LEN + 1])
{
    int64_t days = (int64_t)t / 86400, secs = (int64_t)t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return -EOVERFLOW;
    int wd = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    memcpy(out, wkdays[wd], 3);
    memcpy(out + 3, ", ", 2);
    put2(out + 5, d);
    out[7] = ' ';
    memcpy(out + 8, months[m - 1], 3);
    out[11] = ' ';
    put2(out + 12, (int)(y / 100));
    put2(out + 14, (int)(y % 100));
    out[16] = ' ';
    put2(out + 17, (int)(secs / 3600));
    out[19] = ':';
    put2(out + 20, (int)(secs / 60 % 60));
    out[22] = ':';
    put2(out + 23, (int)(secs % 60));
    memcpy(out + 25, " GMT", 5); /* with the NUL */
    return EDDY_HTTP_DATE_LEN;
}

/* Exactly n digits at s, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int month_of(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (!memcmp(s, months[i], 3))
            return i + 1;
    return -1;
}

static bool wkday_ok(const char *s, size_t n, bool full)
{
    for (int i = 0; i < 7; i++)
        if (full ? strlen(wkdays[i]) == n && !memcmp(s, wkdays[i], n)
                 : n == 3 && !memcmp(s, wkdays[i], 3))
            return true;
    return false;
}

/* "HH:MM:SS" at s into seconds of the day, or -1. */
static int hms(const char *s)
{
    int h = digits(s, 2), m = digits(s + 3, 2), sec = digits(s + 6, 2);
    if (h < 0 || m < 0 || sec < 0 || s[2] != ':' || s[5] != ':' || h > 23 || m > 59 || sec > 60)
        return -1;
    return h * 3600 + m * 60 + (sec == 60 ? 59 : sec); /* a leap second */
}

int eddy_http_date_parse(const char *in, size_t len, time_t *t)
{
    char s[40]; /* a NUL-padded copy: every form is shorter, indexing is safe */
    if (len >= sizeof s)
        return -EINVAL;
    memset(s, 0, sizeof s);
    memcpy(s, in, len);
    int y, m, d, secs;
    if (len == 29 && s[3] == ',') { /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        if (!wkday_ok(s, 3, false) || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
            memcmp(s + 25, " GMT", 4))
            return -EINVAL;
        d = digits(s + 5, 2), m = month_of(s + 8), y = digits(s + 12, 4), secs = hms(s + 17);
    } else if (len == 24 && s[3] == ' ') { /* asctime: Sun Nov  6 08:49:37 1994 */
        if (!wkday_ok(s, 3, false) || s[7] != ' ' || s[10] != ' ' || s[19] != ' ')
            return -EINVAL;
        m = month_of(s + 4), d = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
        secs = hms(s + 11), y = digits(s + 20, 4);
    } else { /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
        const char *c = memchr(s, ',', len);
        if (!c || len - (size_t)(c - s) != 24 || !wkday_ok(s, (size_t)(c - s), true))
            return -EINVAL;
        c += 2;
        if (c[-1] != ' ' || c[2] != '-' || c[6] != '-' || c[9] != ' ' || memcmp(c + 18, " GMT", 4))
            return -EINVAL;
        d = digits(c, 2), m = month_of(c + 3), y = digits(c + 7, 2), secs = hms(c + 10);
        if (y >= 0) /* two-digit years: 70..99 are 19xx, the rest 20xx */
            y += y >= 70 ? 1900 : 2000;
    }
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 0 || m < 0 || secs < 0 || d < 1 || d > mdays[m - 1])
        return -EINVAL;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return -EINVAL;
    *t = (time_t)(days_from_civil(y, m, d) * 86400 + secs);
    return 0;
}

/* -------------------------------------------------------------- targets */

int eddy_http_target_split(const char *t, size_t len, struct eddy_http_target *out)
{
    *out = (struct eddy_http_target){0};
    if (len == 0 || memchr(t, '#', len))
        return -EINVAL;
    size_t i = 0;
    if (t[0] != '/' && !(len == 1 && t[0] == '*')) { /* absolute-form */
        const char *sep = memmem(t, len, "://", 3);
        if (!sep)
            return -EINVAL;
        size_t a = (size_t)(sep - t) + 3;
        for (i = a; i < len && t[i] != '/' && t[i] != '?'; i++)
            if (t[i] == '@') /* userinfo is deprecated and a phishing tool */
                return -EINVAL;
        if (i == a)
            return -EINVAL;
        out->authority = t + a;
        out->authority_len = i - a;
    }
    const char *q = memchr(t + i, '?', len - i);
    size_t pe = q ? (size_t)(q - t) : len;
    out->path = pe > i ? t + i : "/";
    out->path_len = pe > i ? pe - i : 1;
    if (q) {
        out->query = q + 1;
        out->query_len = len - pe - 1;
    }
    return 0;
}

ssize_t eddy_http_percent_decode(const char *in, size_t len, char *out, bool plus_is_space)
{
    /* stricter than the URL standard's decoder: a '%' that is no escape
     * is refused here, not kept */
    for (size_t i = 0; i < len; i++)
        if (in[i] == '%' &&
            (len - i < 3 || eddy__http_hexval(in[i + 1]) < 0 || eddy__http_hexval(in[i + 2]) < 0))
            return -EINVAL;
    size_t o = eddy__percent_decode(in, len, out, plus_is_space);
    return memchr(out, 0, o) ? -EINVAL : (ssize_t)o;
}

/* ------------------------------------------------------- a typed header */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims SP and HTAB off both ends of s[*start..*end). */
static void trim_ows(const char *s, size_t *start, size_t *end)
{
    while (*start < *end && is_ows(s[*start]))
        ++*start;
    while (*end > *start && is_ows(s[*end - 1]))
        --*end;
}

static bool all_in(const char *s, size_t start, size_t end, int cls)
{
    for (size_t i = start; i < end; i++)
        if (!eddy__http_is((unsigned char)s[i], cls))
            return false;
    return true;
}

_Static_assert(EDDY_HTTP_HEADER_LINE_MAX == 8192, "the message below says 8192");

int eddy_http_header_parse(const char *line, size_t len, struct eddy_http_header *out,
                           const char **why)
{
    *out = (struct eddy_http_header){0};
    *why = NULL;
    const char *colon = memchr(line, ':', len);
    size_t ns = 0, ne = colon ? (size_t)(colon - line) : 0, vs = ne + 1, ve = len;
    trim_ows(line, &ns, &ne);
    if (colon)
        trim_ows(line, &vs, &ve);
    if (len > EDDY_HTTP_HEADER_LINE_MAX)
        *why = "at most 8192 bytes";
    else if (!colon)
        *why = "a ':' after the name";
    else if (ns == ne)
        *why = "a name before the ':'";
    else if (!all_in(line, ns, ne, EDDY__HTTP_TOKEN))
        *why = "a name of letters, digits and !#$%&'*+-.^_`|~ only";
    else if (!all_in(line, vs, ve, EDDY__HTTP_VALUE))
        *why = "a value without CR, LF, NUL or another control character";
    if (*why)
        return -EINVAL;
    *out = (struct eddy_http_header){line + ns, ne - ns, line + vs, ve - vs};
    return 0;
}
