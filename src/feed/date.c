/*
 * date.c — feedparser's date handler chain (feedparser/datetimes/), in C.
 *
 * feedparser tries its handlers in a fixed order and keeps the first result:
 * W3DTF (with MSSQL's space separators), RFC 822, ISO 8601, asctime,
 * Perforce, Hungarian, Greek, Korean Nate and Korean OnBlog.  A feed's date
 * must give what feedparser gives, so each handler is ported with its quirks
 * rather than "fixed": RFC 822's two-digit years (90 -> 1990, 89 -> 2089) and
 * "+0530"-style slicing, W3DTF's "one 't' at most", ISO 8601's regex
 * templates tried in order with mktime() normalising out-of-range fields
 * (which is why "2003-12-31T25:14:55Z" is a date), the current year, month or
 * day filled in where an ISO 8601 template has none, and so on.  The fix of the
 * newer feedparser (the 6.0.14 development tree) for "Fri,24 Nov 2023 ..."
 * is included.
 *
 * Hungarian, Nate and OnBlog are not ported: each of their regexes starts
 * with \d{4}, and any string starting with four digits is already claimed by
 * ISO 8601's "YYYY" template (which cannot fail for it), so in the chain they
 * never decide anything.  Python's number parsing is emulated where it shows:
 * int() and float() strip whitespace and accept a sign, '_' between digits
 * and any Unicode decimal digit (which \d also matches), and
 * int(float("59.99999999999999999")) is 60.  So is case mapping where it can
 * reach ASCII: str.lower() makes U+0130 "i\u0307" (one code point more, and
 * "FR\u0130DAY" a day name), str.upper() makes U+017F 'S'.  One
 * approximation remains, for non-ASCII text only: Perforce's \w takes any
 * non-ASCII code point but a space for a letter (Python's also excludes
 * punctuation and symbols), which only changes the zone it captures.  The
 * input is UTF-8 and is never read past len; an invalid byte is an ordinary
 * non-letter.
 *
 * Where feedparser itself raises an uncaught exception (a Perforce month above
 * 12 is an IndexError that aborts feedparser.parse()), this returns false.
 *
 * All arithmetic is on int64 seconds since 1970 on the proleptic Gregorian
 * calendar, like Python's datetime and glibc's mktime/gmtime in UTC.  The only
 * thing read besides the input is the clock, and only for the ISO 8601 forms
 * that lack a year, month or day or give two digits of the year (feedparser
 * uses time.gmtime() there).
 */
#include "date.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

/* A slice of text: the input, or one of the constant strings below. */
struct span {
    const char *p; /* first byte */
    size_t n;      /* length in bytes */
};

#define SPAN(lit) ((struct span){lit, sizeof lit - 1})
#define NONE      ((int64_t)-1)               /* an ISO 8601 group that did not participate */
#define BIG       ((int64_t)1000000000000000) /* |values| saturate here: all invalid */

/* ---------------------------------------------------------------- text ---- */

/* The code point at s[*i] (*i < n), advancing *i past it.  A byte that does
 * not start a well-formed UTF-8 sequence is returned alone as BAD_CP, which
 * no class below contains (a decoder would have made it U+FFFD). */
#define BAD_CP 0xFFFFFFFFu
static uint32_t next_cp_utf8(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    size_t left = n - *i, k;
    uint32_t c = u[0], min;
    if (c >= 0xC2 && c < 0xE0)
        k = 1, c &= 0x1F, min = 0x80;
    else if (c >= 0xE0 && c < 0xF0)
        k = 2, c &= 0x0F, min = 0x800;
    else if (c >= 0xF0 && c < 0xF5)
        k = 3, c &= 0x07, min = 0x10000;
    else
        k = 0, min = 0;
    if (k == 0 || k >= left)
        goto bad;
    for (size_t j = 1; j <= k; j++) {
        if ((u[j] & 0xC0) != 0x80)
            goto bad;
        c = c << 6 | (u[j] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))
        goto bad;
    *i += k + 1;
    return c;
bad:
    ++*i;
    return BAD_CP;
}

static inline uint32_t next_cp(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        ++*i;
        return c;
    }
    return next_cp_utf8(s, n, i);
}

static size_t cp_count(struct span s)
{
    size_t k = 0;
    for (size_t i = 0; i < s.n; k++)
        next_cp(s.p, s.n, &i);
    return k;
}

/* Python's str.isspace(): what split() splits on and what \s matches. */
static inline bool is_space(uint32_t c)
{
    if (c <= 0x20)
        return c == 0x20 || (c >= 0x09 && c <= 0x0D) || c >= 0x1C;
    return c >= 0x85 && (c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
                         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000);
}

/* What int() and float() strip: the same minus U+001C..U+001F, which CPython
 * keeps as ASCII before its own (ASCII-only) isspace() test. */
static bool is_num_space(uint32_t c)
{
    return is_space(c) && !(c >= 0x1C && c <= 0x1F);
}

/* The zero of every run of ten Unicode decimal digits (category Nd, Unicode
 * 14 as in Python 3.11): \d matches them and int() reads them. */
static const uint32_t digit_zeros[] = {
    0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6,  0x0A66,  0x0AE6,  0x0B66,  0x0BE6,  0x0C66,
    0x0CE6,  0x0D66,  0x0DE6,  0x0E50,  0x0ED0,  0x0F20,  0x1040,  0x1090,  0x17E0,  0x1810,
    0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,
    0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066, 0x110F0,
    0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
    0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
};

/* The value of a decimal digit, -1 for anything else. */
static int digit_value(uint32_t c)
{
    if (c - '0' < 10)
        return (int)(c - '0');
    if (c < 0x660 || c == BAD_CP)
        return -1;
    for (size_t i = 0; i < sizeof digit_zeros / sizeof digit_zeros[0]; i++)
        if (c - digit_zeros[i] < 10)
            return (int)(c - digit_zeros[i]);
    return -1;
}

/* Perforce's \w, ASCII-exact; see the top of the file for the rest. */
static bool is_word(uint32_t c)
{
    if (c < 0x80)
        return (c | 0x20) - 'a' < 26 || c - '0' < 10 || c == '_';
    return c != BAD_CP && !is_space(c);
}

/* Reads exactly `count` \d at s[*i], the first restricted to the ASCII
 * characters of `first` when it is not NULL (the templates' [01] and
 * [0123]).  Returns the value or -1 (then *i is undefined). */
static int64_t read_digits(const char *s, size_t n, size_t *i, int count, const char *first)
{
    int64_t v = 0;
    for (int k = 0; k < count; k++) {
        if (*i >= n)
            return -1;
        if (k == 0 && first && !memchr(first, s[*i], strlen(first)))
            return -1;
        int d = digit_value(next_cp(s, n, i));
        if (d < 0)
            return -1;
        v = v * 10 + d;
    }
    return v;
}

/* str.split(): stores the first `max` words in w, returns how many there are. */
static size_t split_ws(struct span s, struct span *w, size_t max)
{
    size_t count = 0;
    for (size_t i = 0, at; i < s.n;) {
        at = i;
        if (is_space(next_cp(s.p, s.n, &i)))
            continue;
        /* a word: printable ASCII goes fast, the rest is decoded */
        size_t end = i;
        while (end < s.n) {
            unsigned char c = (unsigned char)s.p[end];
            if (c > 0x20 && c < 0x7F) {
                end++;
                continue;
            }
            size_t next = end;
            if (is_space(next_cp(s.p, s.n, &next)))
                break;
            end = next;
        }
        if (count < max)
            w[count] = (struct span){s.p + at, end - at};
        count++;
        i = end;
    }
    return count;
}

/* str.lower() for ASCII; other bytes are left alone (see the top). */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* ASCII case-insensitive: does s start with the lower-case `prefix`? */
static bool starts_with(struct span s, const char *prefix)
{
    size_t k = strlen(prefix);
    if (s.n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (lower(s.p[i]) != prefix[i])
            return false;
    return true;
}

/* `str.lower()[:3] in table`: the 1-based index of the three-letter name
 * that starts s in table ("janfeb..."), else 0. */
static int name3(struct span s, const char *table)
{
    char key[4];
    if (s.n < 3)
        return 0;
    for (int i = 0; i < 3; i++) {
        if ((unsigned char)s.p[i] < 0x80)
            key[i] = lower(s.p[i]);
        else if (i == 2 && s.n > 3 && !memcmp(s.p + 2, "\xc4\xb0", 2))
            key[i] = 'i'; /* U+0130 lowers to "i\u0307": "FR\u0130DAY" is a day */
        else
            return 0;
    }
    key[3] = 0;
    for (int i = 0; table[3 * i]; i++)
        if (!memcmp(table + 3 * i, key, 3))
            return i + 1;
    return 0;
}

static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
static const char day_names[] = "montuewedthufrisatsun";

/* --------------------------------------------------------- Python numbers -- */

/* The usual case of both below, fast: 1 to 15 ASCII digits. */
static bool plain_number(struct span s, int64_t *v)
{
    int64_t acc = 0;
    if (s.n == 0 || s.n > 15)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        acc = acc * 10 + (s.p[i] - '0');
    }
    *v = acc;
    return true;
}

/* How py_int_slice() counts the code points of a time zone. */
enum {
    NO_COLONS = 1, /* every ':' removed first (RFC 822's ''.join(tz.split(':'))) */
    LOWERED = 2,   /* the text went through str.lower(), which makes U+0130
                      two code points, "i\u0307" */
};

/* Python's int() of the code points [from, to) of s, counted as `how` says.
 * False where int() raises ValueError; *v saturates at +-BIG. */
static bool py_int_slice(struct span s, size_t from, size_t to, int how, int64_t *v)
{
    enum { LEAD, SIGN, DIGIT, UNDERSCORE, TRAIL } st = LEAD;
    int64_t acc = 0;
    size_t ndigits = 0, idx = 0;
    bool neg = false;
    if (from == 0 && to >= s.n && plain_number(s, v))
        return true;
    for (size_t i = 0; i < s.n;) {
        uint32_t c = next_cp(s.p, s.n, &i);
        if ((how & NO_COLONS) && c == ':')
            continue;
        size_t k = idx++;
        if (c == 0x130 && (how & LOWERED) && idx++ >= from && k < to)
            return false; /* 'i' or U+0307 in the slice */
        if (k < from)
            continue;
        if (k >= to)
            break;
        int d = digit_value(c);
        if (d >= 0 && st != TRAIL) {
            acc = acc >= BIG ? BIG : acc * 10 + d;
            ndigits++;
            st = DIGIT;
        } else if (is_num_space(c) && (st == LEAD || st == DIGIT || st == TRAIL)) {
            st = st == LEAD ? LEAD : TRAIL;
        } else if ((c == '+' || c == '-') && st == LEAD) {
            neg = c == '-';
            st = SIGN;
        } else if (c == '_' && st == DIGIT) {
            st = UNDERSCORE;
        } else {
            return false;
        }
    }
    /* 4300: CPython's default limit on digits converted by int(). */
    if ((st != DIGIT && st != TRAIL) || ndigits > 4300)
        return false;
    *v = neg ? -acc : acc;
    return true;
}

static bool py_int(struct span s, int64_t *v)
{
    return py_int_slice(s, 0, SIZE_MAX, 0, v);
}

/* 1 - 2**-k to k decimal places, k = 44..54: a decimal fraction at least this
 * large rounds up to the next integer when converted to a double whose
 * integer part needs 53 - k + 1 bits (k = 54 for integer part 0). */
static const char *const round_up_at[] = {
    "99999999999994315658113919198513031005859375",
    "999999999999971578290569595992565155029296875",
    "9999999999999857891452847979962825775146484375",
    "99999999999999289457264239899814128875732421875",
    "999999999999996447286321199499070644378662109375",
    "9999999999999982236431605997495353221893310546875",
    "99999999999999911182158029987476766109466552734375",
    "999999999999999555910790149937383830547332763671875",
    "9999999999999997779553950749686919152736663818359375",
    "99999999999999988897769753748434595763683319091796875",
    "999999999999999944488848768742172978818416595458984375",
};

/* Python's int(float(s)): false where it raises (ValueError, or OverflowError
 * for "inf", which the chain treats alike).  float() first rounds to the
 * nearest double, so the truncation has to know when a fraction rounds up;
 * only values below 1000 are computed exactly, larger ones saturate (W3DTF
 * wants hours, minutes and seconds, all below 60). */
/* A decimal float's digits as py_float_int needs them: the first
 * significant digits, how many the integer part has, the zeros after the
 * point before the first one, the exponent and the signs. */
struct float_digits {
    char sig[64];
    size_t nsig, int_sig, frac_zeros;
    int64_t exp;
    bool neg, exp_neg;
};

/* [sign] (digits ["." [digits]] | "." digits) [e [sign] digits] in
 * s.p[i..end), '_' only between two digits ("inf" and "nan" fail, as int()
 * of them does).  False when it is no such number. */
static bool scan_float(struct span s, size_t i, size_t end, struct float_digits *f)
{
    memset(f, 0, sizeof *f);
    bool point = false, mantissa = false, in_exp = false, exp_digits = false, prev_digit = false;
    if (s.p[i] == '+' || s.p[i] == '-')
        f->neg = s.p[i++] == '-';
    while (i < end) {
        size_t j = i;
        uint32_t c = next_cp(s.p, end, &j);
        int d = digit_value(c);
        if (d >= 0 && in_exp) {
            f->exp = f->exp > 100000000 ? f->exp : f->exp * 10 + d;
            exp_digits = true;
        } else if (d >= 0) {
            if (f->nsig || d) {
                if (f->nsig < sizeof f->sig)
                    f->sig[f->nsig] = (char)('0' + d);
                f->nsig++;
                f->int_sig += !point;
            } else {
                f->frac_zeros += point;
            }
            mantissa = true;
        } else if (c == '_' && prev_digit && j < end &&
                   digit_value(next_cp(s.p, end, &(size_t){j})) >= 0) {
            /* a separator between two digits */
        } else if (c == '.' && !point && !in_exp) {
            point = true;
        } else if ((c == 'e' || c == 'E') && mantissa && !in_exp) {
            in_exp = true;
            if (j < end && (s.p[j] == '+' || s.p[j] == '-'))
                f->exp_neg = s.p[j++] == '-';
        } else {
            return false;
        }
        prev_digit = d >= 0;
        i = j;
    }
    return mantissa && !(in_exp && !exp_digits);
}

static bool py_float_int(struct span s, int64_t *v)
{
    if (plain_number(s, v))
        return true;
    /* Strip: [i, end) lies between the leading and trailing spaces. */
    size_t i = s.n, end = 0;
    for (size_t j = 0, at; j < s.n;) {
        at = j;
        if (!is_num_space(next_cp(s.p, s.n, &j))) {
            i = i == s.n ? at : i;
            end = j;
        }
    }
    if (end == 0)
        return false;

    struct float_digits f;
    if (!scan_float(s, i, end, &f))
        return false;

    /* L = how many digits the integer part has. */
    int64_t L =
        (f.int_sig ? (int64_t)f.int_sig : -(int64_t)f.frac_zeros) + (f.exp_neg ? -f.exp : f.exp);
    int64_t ip = 0;
    if (f.nsig && L > 3) {
        *v = f.neg ? -BIG : BIG;
        return true;
    }
    if (f.nsig && L >= 0) { /* below 0.1 (L < 0) nothing rounds up */
        for (int64_t k = 0; k < L; k++)
            ip = ip * 10 + ((size_t)k < f.nsig ? f.sig[k] - '0' : 0);
        int bits = 0;
        for (int64_t x = ip; x > 1; x >>= 1)
            bits++;
        int k = ip == 0 ? 54 : 53 - bits;
        const char *t = round_up_at[k - 44];
        bool up = true;
        for (int q = 0; q < k; q++) {
            size_t at = (size_t)L + (size_t)q;
            char d = at < f.nsig ? f.sig[at] : '0'; /* at < 57 <= sizeof sig */
            if (d != t[q]) {
                up = d > t[q];
                break;
            }
        }
        ip += up;
    }
    *v = f.neg ? -ip : ip;
    return true;
}

/* --------------------------------------------------------------- calendar -- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date, month 1..12
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400), yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097), doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* mktime()/timegm() arithmetic: every field may be out of range. */
static int64_t timegm64(int64_t y, int64_t mon, int64_t d, int64_t h, int64_t mi, int64_t s)
{
    y += floor_div(mon - 1, 12);
    mon = mon - 1 - floor_div(mon - 1, 12) * 12 + 1;
    return ((days_from_civil(y, mon, 1) + d - 1) * 24 + h) * 3600 + mi * 60 + s;
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Python's datetime.datetime(y, mon, d, h, mi, s) accepts it. */
static bool datetime_ok(int64_t y, int64_t mon, int64_t d, int64_t h, int64_t mi, int64_t s)
{
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1 && y <= 9999 && mon >= 1 && mon <= 12 && d >= 1 &&
           d <= mdays[mon - 1] + (mon == 2 && is_leap(y)) && h >= 0 && h <= 23 && mi >= 0 &&
           mi <= 59 && s >= 0 && s <= 59;
}

/* datetime(...) - timedelta(hours=tzh, minutes=tzm), which must stay within
 * datetime's years 1..9999 (else OverflowError). */
static bool datetime_minus(int64_t y, int64_t mon, int64_t d, int64_t h, int64_t mi, int64_t s,
                           int64_t tzh, int64_t tzm, int64_t *t)
{
    if (!datetime_ok(y, mon, d, h, mi, s) || tzm > BIG / 1000 || tzm < -BIG / 1000)
        return false;
    *t = timegm64(y, mon, d, h, mi, s) - tzh * 3600 - tzm * 60;
    return *t >= -62135596800 && *t < 253402300800; /* 0001-01-01, 10000-01-01 */
}

/* What every handler gets: the string and its first words, split once. */
struct input {
    struct span s;    /* the whole string */
    struct span w[7]; /* str.split()'s first words */
    size_t nw;        /* how many words there are in all */
};

/* ---------------------------------------------------------- time zones ---- */

/* rfc822.timezone_names; W3DTF's timezonenames lacks the last two. */
static const struct {
    char name[5];      /* lower case */
    signed char hours; /* offset from UTC */
} tz_names[] = {
    {"ut", 0},   {"gmt", 0},  {"z", 0},   {"adt", -3}, {"ast", -4}, {"at", -4},
    {"edt", -4}, {"est", -5}, {"et", -5}, {"cdt", -5}, {"cst", -6}, {"ct", -6},
    {"mdt", -6}, {"mst", -7}, {"mt", -7}, {"pdt", -7}, {"pst", -8}, {"pt", -8},
    {"a", -1},   {"n", 1},    {"m", -12}, {"y", 12},   {"met", 1},  {"mest", 2},
};
#define TZ_NAMES_W3DTF (sizeof tz_names / sizeof tz_names[0] - 2)

/* `names.get(s.lower(), 0)`, ':' skipped when skip_colons. */
static int tz_hours(struct span s, bool skip_colons, size_t count)
{
    char key[5] = {0};
    size_t k = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (skip_colons && s.p[i] == ':')
            continue;
        if (k == 4 || (unsigned char)s.p[i] >= 0x80 || !s.p[i]) /* NUL: not padding */
            return 0;
        key[k++] = lower(s.p[i]);
    }
    for (size_t i = 0; i < count; i++)
        if (!memcmp(tz_names[i].name, key, sizeof key))
            return tz_names[i].hours;
    return 0;
}

/* ----------------------------------------------------------------- W3DTF -- */

/* s[0].split(sep, 2) into s[0..2]; the parts it does not find keep their
 * defaults. */
static void split3(struct span s[3], char sep)
{
    for (int k = 0; k < 2; k++) {
        const char *c = memchr(s[k].p, sep, s[k].n);
        if (!c)
            return;
        s[k + 1] = (struct span){c + 1, s[k].n - (size_t)(c + 1 - s[k].p)};
        s[k].n = (size_t)(c - s[k].p);
    }
}

/* _parse_date_w3dtf: "2003-12-31T10:14:55-08:00", "2003-12", and MSSQL's
 * "2004-07-08 23:56:58 -00:20". */
static bool parse_w3dtf(const struct input *in, int64_t *out)
{
    struct span s = in->s, date, tm, tz;
    bool has_tz3 = false;
    if (in->nw == 0) /* not datestr.strip() */
        return false;
    /* parts = datestr.lower().split('t') */
    const char *t1 = NULL;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] == 't' || s.p[i] == 'T') {
            if (t1)
                return false;
            t1 = s.p + i;
        }
    if (t1) {
        date = (struct span){s.p, (size_t)(t1 - s.p)};
        tm = (struct span){t1 + 1, s.n - (size_t)(t1 + 1 - s.p)};
    } else {
        date = in->w[0];
        tm = in->nw == 1 ? SPAN("00:00:00z") : in->w[1];
        has_tz3 = in->nw > 2;
    }

    /* date = parts[0].split('-', 2), padded with '1' */
    struct span d[3] = {date, SPAN("1"), SPAN("1")};
    split3(d, '-');
    int64_t year, mon, day;
    if (cp_count(d[0]) != 4 || !py_int(d[0], &year) || !py_int(d[1], &mon) || !py_int(d[2], &day))
        return false;

    /* A trailing 'z' becomes the zone, else what follows the first '-' or
     * '+'; MSSQL's third word wins over both. */
    bool z = tm.n && lower(tm.p[tm.n - 1]) == 'z';
    tm.n -= z;
    const char *sign = memchr(tm.p, '-', tm.n);
    if (!sign)
        sign = memchr(tm.p, '+', tm.n);
    size_t loc = sign ? (size_t)(sign - tm.p) : tm.n;
    tz = has_tz3 ? in->w[2] : z ? SPAN("z") : (struct span){tm.p + loc, tm.n - loc};
    tm.n = loc;

    int64_t tzh = 0, tzm = 0;
    if (tz.n && (tz.p[0] == '-' || tz.p[0] == '+')) {
        if (!py_int_slice(tz, 1, 3, LOWERED, &tzh) || !py_int_slice(tz, 4, SIZE_MAX, LOWERED, &tzm))
            return false;
        if (tz.p[0] == '-')
            tzh = -tzh, tzm = -tzm;
    } else {
        tzh = tz_hours(tz, false, TZ_NAMES_W3DTF);
    }

    /* time = parts[1].split(':', 2), padded with '0', each int(float(x)) */
    struct span f[3] = {tm, SPAN("0"), SPAN("0")};
    split3(f, ':');
    int64_t h, mi, sec;
    if (!py_float_int(f[0], &h) || !py_float_int(f[1], &mi) || !py_float_int(f[2], &sec))
        return false;
    return datetime_minus(year, mon, day, h, mi, sec, tzh, tzm, out);
}

/* --------------------------------------------------------------- RFC 822 -- */

/* _parse_date_rfc822 after `date.lower().split()`: p[0..n) are the words
 * (only the first six are read; n counts them all). */
static bool rfc822_words(const struct span *words, size_t n, int64_t *out)
{
    static const struct span midnight = SPAN("00:00:00"), zero = SPAN("0000");
    struct span p[8];
    size_t np = 0;
    for (; np < n && np < 6; np++)
        p[np] = words[np];
    if (n < 5) { /* assume the time and zone are missing */
        p[np++] = midnight;
        p[np++] = zero;
        n += 2;
    }
    const struct span *q = p;
    if (name3(p[0], day_names)) {
        /* "fri,24": the day follows the comma (the newer feedparser) */
        const char *c = NULL;
        for (size_t i = 0; i < p[0].n; i++)
            if (p[0].p[i] == ',')
                c = p[0].p + i;
        if (c && c != p[0].p + p[0].n - 1)
            p[0] = (struct span){c + 1, p[0].n - (size_t)(c + 1 - p[0].p)};
        else
            q++, n--;
    }
    if (n < 5)
        return false;

    int64_t day, year, mon = name3(q[1], months);
    if (!py_int(q[0], &day)) {
        /* day and month swapped */
        if (!(mon = name3(q[0], months)) || !py_int(q[1], &day))
            return false;
    }
    if (!mon || !py_int(q[2], &year))
        return false;
    if (cp_count(q[2]) <= 2)
        year += year < 90 ? 2000 : 1900;

    /* hh:mm[:ss], missing parts 0, more than three an error */
    int64_t hms[3] = {0, 0, 0};
    struct span t = q[3];
    for (int k = 0;; k++) {
        const char *c = memchr(t.p, ':', t.n);
        struct span part = {t.p, c ? (size_t)(c - t.p) : t.n};
        if (k == 3 || !py_int(part, &hms[k]))
            return false;
        if (!c)
            break;
        t = (struct span){c + 1, t.n - part.n - 1};
    }

    /* "Etc/GMT", "GMT-05:00" (colons dropped), "-0500", "+05:00", "EST" */
    struct span tz = q[4];
    bool gmt = false;
    int64_t tzh = 0, tzm = 0;
    if (starts_with(tz, "etc/"))
        tz.p += 4, tz.n -= 4;
    if (starts_with(tz, "gmt"))
        tz.p += 3, tz.n -= 3, gmt = true;
    size_t first = 0;
    while (gmt && first < tz.n && tz.p[first] == ':')
        first++;
    if (first < tz.n && (tz.p[first] == '-' || tz.p[first] == '+')) {
        bool colon = !gmt && memchr(tz.p, ':', tz.n);
        int how = LOWERED | (gmt ? NO_COLONS : 0);
        if (!py_int_slice(tz, 1, 3, how, &tzh) ||
            !py_int_slice(tz, colon ? 4 : 3, SIZE_MAX, how, &tzm))
            return false;
        if (tz.p[first] == '-')
            tzh = -tzh, tzm = -tzm;
    } else {
        tzh = tz_hours(tz, gmt, sizeof tz_names / sizeof tz_names[0]);
    }
    return datetime_minus(year, mon, day, hms[0], hms[1], hms[2], tzh, tzm, out);
}

static bool parse_rfc822(const struct input *in, int64_t *out)
{
    return rfc822_words(in->w, in->nw, out);
}

/* --------------------------------------------------------------- ISO 8601 -- */

/* feedparser's templates, tried in order; the first that matches is used
 * even if a later one would match more.  Y = (?P<year>\d{4}),
 * y = (?P<year>\d\d), M = (?P<month>[01]\d), D = (?P<day>[0123]\d),
 * O = (?P<ordinal>[0123]\d\d), C = (?P<century>\d\d$); '-' and '0' are
 * literal and '?' makes the element before it optional (greedy). */
static const char *const iso_templates[] = {
    "Y-?M-?D", "Y-0M?-?D", "Y-M",    "Y-?O", "y-?M-?D", "y-?O", "Y", "-y-?M",
    "-O",      "-y",       "--M-?D", "--M",  "---D",    "C",    "",
};

/* The template groups' values; NONE for those that did not participate. */
struct iso_groups {
    int64_t year, month, day, ordinal, century;
    bool short_year; /* the year had two digits */
};

static bool iso_element(char e, const char *s, size_t n, size_t *i, struct iso_groups *g)
{
    switch (e) {
    case '-':
    case '0': return *i < n && s[*i] == e && ++*i;
    case 'Y':
    case 'y':
        g->short_year = e == 'y';
        return (g->year = read_digits(s, n, i, e == 'Y' ? 4 : 2, NULL)) >= 0;
    case 'M': return (g->month = read_digits(s, n, i, 2, "01")) >= 0;
    case 'D': return (g->day = read_digits(s, n, i, 2, "0123")) >= 0;
    case 'O': return (g->ordinal = read_digits(s, n, i, 3, "0123")) >= 0;
    default: /* 'C': \d\d$, where $ also matches before a final newline */
        return (g->century = read_digits(s, n, i, 2, NULL)) >= 0 &&
               (*i == n || (*i + 1 == n && s[*i] == '\n'));
    }
}

/* Backtracking over the template's optional elements, like re.match. */
static bool iso_match(const char *pat, const char *s, size_t n, size_t i, struct iso_groups *g,
                      size_t *end)
{
    if (!*pat) {
        *end = i;
        return true;
    }
    bool optional = pat[1] == '?';
    struct iso_groups saved = *g;
    size_t j = i;
    if (iso_element(pat[0], s, n, &j, g) && iso_match(pat + 1 + optional, s, n, j, g, end))
        return true;
    *g = saved;
    return optional && iso_match(pat + 1 + optional, s, n, i, g, end);
}

/* The current UTC date, for the fields feedparser takes from time.gmtime(). */
static void today(int64_t *y, int *m, int *d)
{
    civil_from_days(floor_div((int64_t)time(NULL), 86400), y, m, d);
}

/* _parse_date_iso8601: "20040105", "2003-335", "-03-12", "--12-31", "T10:14". */
static bool parse_iso8601(const struct input *in, int64_t *out)
{
    const char *s = in->s.p;
    size_t n = in->s.n, i = 0, k;
    struct iso_groups g;
    const char *const *tmpl = iso_templates;
    for (;; tmpl++) {
        g = (struct iso_groups){NONE, NONE, NONE, NONE, NONE, false};
        if (iso_match(*tmpl, s, n, 0, &g, &i))
            break; /* "" always matches */
    }

    /* (T?hh:mm(:ss)?(\.\d+)?([+-]hh(:mm)?|Z)?)?  -- each part is optional, so
     * greedy matching never has to back out of one. */
    int64_t hour = 0, minute = 0, second = 0, v;
    k = i + (i < n && s[i] == 'T');
    if ((hour = read_digits(s, n, &k, 2, NULL)) >= 0 && k < n && s[k] == ':' &&
        (k++, minute = read_digits(s, n, &k, 2, NULL)) >= 0) {
        i = k;
        if (i < n && s[i] == ':' && (k = i + 1, v = read_digits(s, n, &k, 2, NULL)) >= 0)
            second = v, i = k;
        if (i < n && s[i] == '.' && (k = i + 1, read_digits(s, n, &k, 1, NULL)) >= 0) {
            for (i = k; k < n && digit_value(next_cp(s, n, &k)) >= 0; i = k)
                ;
        }
        if (i < n && (s[i] == '+' || s[i] == '-') &&
            (k = i + 1, v = read_digits(s, n, &k, 2, NULL)) >= 0) {
            int64_t tzh = v, tzm = 0, sign = s[i] == '-' ? 1 : -1;
            size_t k2 = k + 1;
            if (k < n && s[k] == ':' && (v = read_digits(s, n, &k2, 2, NULL)) >= 0)
                tzm = v;
            hour += sign * tzh;
            minute += sign * tzm;
        }
    } else {
        hour = minute = 0;
    }
    if (i == 0) /* m.span() == (0, 0) */
        return false;

    int64_t now_y = 0;
    int now_m = 0, now_d = 0;
    if (g.year == NONE || g.short_year || g.month == NONE || g.day == NONE)
        today(&now_y, &now_m, &now_d);
    int64_t ordinal = g.ordinal == NONE ? 0 : g.ordinal;
    int64_t year = g.year == NONE ? now_y : g.short_year ? now_y / 100 * 100 + g.year : g.year;
    int64_t month = g.month != NONE ? g.month : ordinal ? 1 : now_m;
    int64_t day = g.day != NONE                                            ? g.day
                  : ordinal                                                ? ordinal
                  : g.century != NONE || g.year != NONE || g.month != NONE ? 1
                                                                           : now_d;
    if (g.century != NONE)
        year = (g.century - 1) * 100 + 1;
    *out = timegm64(year, month, day, hour, minute, second);
    return true;
}

/* ---------------------------------------------------------------- asctime -- */

/* _parse_date_asctime: "Sun Jan  4 16:29:06 2004", with an optional zone
 * before the year, reordered for RFC 822. */
static bool parse_asctime(const struct input *in, int64_t *out)
{
    const struct span *w = in->w;
    if (in->nw != 5 && in->nw != 6)
        return false;
    const struct span r[6] = {
        w[0], w[2], w[1], in->nw == 5 ? w[4] : w[5], w[3], in->nw == 5 ? SPAN("+0000") : w[4]};
    return rfc822_words(r, 6, out);
}

/* --------------------------------------------------------------- Perforce -- */

/* Reads a run of at most `max` \d followed by the ASCII `stop`, moving *i
 * past the stop.  Returns the run, .p NULL when it does not match. */
static struct span digits_then(const char *s, size_t n, size_t *i, size_t max, char stop)
{
    struct span run = {s + *i, 0};
    size_t count = 0, j = *i;
    while (j < n && s[j] != stop) {
        if (++count > max || digit_value(next_cp(s, n, &j)) < 0)
            return (struct span){NULL, 0};
    }
    if (j == n)
        return (struct span){NULL, 0};
    run.n = j - *i;
    *i = j + 1;
    return run;
}

/* s.upper() into key[0..3) (NUL-padded), if it is that short and ASCII.
 * The non-ASCII letters whose upper case is ASCII are in the table. */
static bool upper_key(struct span s, char key[4])
{
    static const struct {
        uint32_t c;
        char upper[4];
    } special[] = {
        {0xDF, "SS"},   {0x131, "I"},    {0x17F, "S"},    {0xFB00, "FF"}, {0xFB01, "FI"},
        {0xFB02, "FL"}, {0xFB03, "FFI"}, {0xFB04, "FFL"}, {0xFB05, "ST"}, {0xFB06, "ST"},
    };
    size_t k = 0;
    for (size_t i = 0; i < s.n;) {
        uint32_t c = next_cp(s.p, s.n, &i);
        const char *up = NULL;
        char one[2] = {(char)(c >= 'a' && c <= 'z' ? c - 32 : c), 0};
        if (c < 0x80 && c)
            up = one;
        for (size_t j = 0; !up && j < sizeof special / sizeof special[0]; j++)
            if (special[j].c == c)
                up = special[j].upper;
        if (!up || k + strlen(up) > 3)
            return false;
        memcpy(key + k, up, strlen(up));
        k += strlen(up);
    }
    return true;
}

/* _parse_date_perforce: "Fri, 2006/09/15 08:19:53 EDT" found anywhere in the
 * string, reassembled and given to email.utils.parsedate_tz(). */
static bool parse_perforce(const struct input *in, int64_t *out)
{
    const char *s = in->s.p;
    size_t n = in->s.n;
    struct span year, mon, day, hour, min, sec, tz;
    /* (\w{,3}), (\d{,4})/(\d{,2})/(\d{2}) (\d{,2}):(\d{2}):(\d{2}) (\w{,3}):
     * the day name cannot change the match or the result, so the first ", "
     * that the rest follows is the match. */
    for (size_t at = 0;; at++) {
        const char *c = at + 1 < n ? memchr(s + at, ',', n - at - 1) : NULL;
        if (!c)
            return false;
        at = (size_t)(c - s);
        if (c[1] != ' ')
            continue;
        size_t i = at + 2;
        if (!(year = digits_then(s, n, &i, 4, '/')).p || !(mon = digits_then(s, n, &i, 2, '/')).p ||
            !(day = digits_then(s, n, &i, 2, ' ')).p || cp_count(day) != 2 ||
            !(hour = digits_then(s, n, &i, 2, ':')).p || !(min = digits_then(s, n, &i, 2, ':')).p ||
            cp_count(min) != 2 || !(sec = digits_then(s, n, &i, 2, ' ')).p || cp_count(sec) != 2)
            continue;
        tz.p = s + i;
        for (int k = 0; k < 3 && i < n; k++) {
            size_t j = i;
            if (!is_word(next_cp(s, n, &j)))
                break;
            i = j;
        }
        tz.n = (size_t)(s + i - tz.p);
        break;
    }

    /* months[int(month) - 1]: 0 is December; past 12 it raises IndexError */
    int64_t m, y, d, hh, mm, ss, off = 0;
    if (!py_int(mon, &m) || m > 12)
        return false;
    m = m ? m : 12;
    /* parsedate_tz of "dow, dd Mon yyyy hh:mm:ss tz": without a year it takes
     * a zone that starts with a digit for the year instead. */
    if (year.n == 0) {
        if (tz.n == 0)
            return false;
        year = tz;
        tz.n = 0;
    }
    if (!py_int(year, &y) || !py_int(day, &d) || !py_int(hour, &hh) || !py_int(min, &mm) ||
        !py_int(sec, &ss))
        return false;
    if (y < 100)
        y += y > 68 ? 1900 : 2000;
    /* email.utils' _timezones, looked up with tz.upper() */
    static const struct {
        char name[4];
        short hhmm;
    } zones[] = {
        {"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},      {"AST", -400},
        {"ADT", -300}, {"EST", -500}, {"EDT", -400}, {"CST", -600}, {"CDT", -500},
        {"MST", -700}, {"MDT", -600}, {"PST", -800}, {"PDT", -700},
    };
    char key[4] = {0};
    bool found = false;
    if (upper_key(tz, key))
        for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++)
            if (!memcmp(zones[k].name, key, sizeof key))
                off = zones[k].hhmm, found = true;
    if (!found && !py_int(tz, &off))
        off = 0;
    int64_t sign = off < 0 ? -1 : 1;
    off *= sign;
    off = sign * (off / 100 * 3600 + off % 100 * 60);
    /* calendar.timegm(): datetime.date(y, m, 1) must exist; then linear */
    if (y < 1 || y > 9999)
        return false;
    *out = timegm64(y, m, d, hh, mm, ss) - off;
    return true;
}

/* ------------------------------------------------------------------ Greek -- */

/* _parse_date_greek: "Κυρ, 11 Ιούλ 2004 12:00:00 EST", names in UTF-8. */
static const struct {
    const char *greek; /* UTF-8 */
    const char *english;
} greek_names[] = {
    /* weekdays, "sun," .. "sat," */
    {"\xce\x9a\xcf\x85\xcf\x81", "sun,"}, /* Κυρ */
    {"\xce\x94\xce\xb5\xcf\x85", "mon,"}, /* Δευ */
    {"\xce\xa4\xcf\x81\xce\xb9", "tue,"}, /* Τρι */
    {"\xce\xa4\xce\xb5\xcf\x84", "wed,"}, /* Τετ */
    {"\xce\xa0\xce\xb5\xce\xbc", "thu,"}, /* Πεμ */
    {"\xce\xa0\xce\xb1\xcf\x81", "fri,"}, /* Παρ */
    {"\xce\xa3\xce\xb1\xce\xb2", "sat,"}, /* Σαβ */
    /* months */
    {"\xce\x99\xce\xb1\xce\xbd", "jan"},         /* Ιαν */
    {"\xce\xa6\xce\xb5\xce\xb2", "feb"},         /* Φεβ */
    {"\xce\x9c\xce\xac\xcf\x8e", "mar"},         /* Μάώ */
    {"\xce\x9c\xce\xb1\xcf\x8e", "mar"},         /* Μαώ */
    {"\xce\x91\xcf\x80\xcf\x81", "apr"},         /* Απρ */
    {"\xce\x9c\xce\xac\xce\xb9", "may"},         /* Μάι */
    {"\xce\x9c\xce\xb1\xcf\x8a", "may"},         /* Μαϊ */
    {"\xce\x9c\xce\xb1\xce\xb9", "may"},         /* Μαι */
    {"\xce\x99\xce\xbf\xcf\x8d\xce\xbd", "jun"}, /* Ιούν */
    {"\xce\x99\xce\xbf\xce\xbd", "jun"},         /* Ιον */
    {"\xce\x99\xce\xbf\xcf\x8d\xce\xbb", "jul"}, /* Ιούλ */
    {"\xce\x99\xce\xbf\xce\xbb", "jul"},         /* Ιολ */
    {"\xce\x91\xcf\x8d\xce\xb3", "aug"},         /* Αύγ */
    {"\xce\x91\xcf\x85\xce\xb3", "aug"},         /* Αυγ */
    {"\xce\xa3\xce\xb5\xcf\x80", "sep"},         /* Σεπ */
    {"\xce\x9f\xce\xba\xcf\x84", "oct"},         /* Οκτ */
    {"\xce\x9d\xce\xbf\xce\xad", "nov"},         /* Νοέ */
    {"\xce\x9d\xce\xbf\xce\xb5", "nov"},         /* Νοε */
    {"\xce\x94\xce\xb5\xce\xba", "dec"},         /* Δεκ */
};
#define GREEK_WEEKDAYS 7

/* The English name of a Greek weekday (from 0) or month (from
 * GREEK_WEEKDAYS), as a span; .p NULL if s is none (feedparser's KeyError). */
static struct span greek_name(struct span s, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        if (strlen(greek_names[k].greek) == s.n && !memcmp(greek_names[k].greek, s.p, s.n))
            return (struct span){greek_names[k].english, strlen(greek_names[k].english)};
    return (struct span){NULL, 0};
}

/* \s+ at s[*i], then a run of non-space (\S+) or, if digits > 0, exactly that
 * many \d ("hh:mm:ss" when digits == 6).  .p NULL when it does not match. */
static struct span greek_field(const char *s, size_t n, size_t *i, int digits)
{
    size_t j = *i, spaces = 0, start;
    while (j < n) {
        size_t k = j;
        if (!is_space(next_cp(s, n, &k)))
            break;
        j = k, spaces++;
    }
    start = j;
    if (!spaces)
        return (struct span){NULL, 0};
    if (digits == 0) {
        while (j < n) {
            size_t k = j;
            if (is_space(next_cp(s, n, &k)))
                break;
            j = k;
        }
        if (j == start)
            return (struct span){NULL, 0};
    } else if (digits == 6) {
        if (read_digits(s, n, &j, 2, NULL) < 0 || j >= n || s[j++] != ':' ||
            read_digits(s, n, &j, 2, NULL) < 0 || j >= n || s[j++] != ':' ||
            read_digits(s, n, &j, 2, NULL) < 0)
            return (struct span){NULL, 0};
    } else if (read_digits(s, n, &j, digits, NULL) < 0) {
        return (struct span){NULL, 0};
    }
    *i = j;
    return (struct span){s + start, j - start};
}

static bool parse_greek(const struct input *in, int64_t *out)
{
    struct span str = in->s;
    /* ([^,]+),\s+(\d{2})\s+(\S+)\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(\S+) */
    const char *comma = memchr(str.p, ',', str.n);
    if (!comma || comma == str.p)
        return false;
    size_t i = (size_t)(comma - str.p) + 1;
    struct span w[6];
    w[0] = greek_name((struct span){str.p, (size_t)(comma - str.p)}, 0, GREEK_WEEKDAYS);
    static const int digits[] = {2, 0, 4, 6, 0};
    for (int k = 0; k < 5; k++)
        if (!(w[k + 1] = greek_field(str.p, str.n, &i, digits[k])).p)
            return false;
    w[2] = greek_name(w[2], GREEK_WEEKDAYS, sizeof greek_names / sizeof greek_names[0]);
    return w[0].p && w[2].p && rfc822_words(w, 6, out);
}

/* ------------------------------------------------------------------ chain -- */

bool eddy__date_parse(const char *s, size_t len, struct eddy__date *out)
{
    static bool (*const handlers[])(const struct input *, int64_t *) = {
        parse_w3dtf, parse_rfc822, parse_iso8601, parse_asctime, parse_perforce, parse_greek,
    };
    struct input in = {.s = {s, len}};
    int64_t t;
    size_t k = 0;
    if (len == 0)
        return false;
    in.nw = split_ws(in.s, in.w, sizeof in.w / sizeof in.w[0]);
    while (!handlers[k](&in, &t))
        if (++k == sizeof handlers / sizeof handlers[0])
            return false;

    int64_t days = floor_div(t, 86400), secs = t - days * 86400, year;
    int mon, mday;
    civil_from_days(days, &year, &mon, &mday);
    *out = (struct eddy__date){
        .year = (int)year,
        .mon = mon,
        .mday = mday,
        .hour = (int)(secs / 3600),
        .min = (int)(secs / 60 % 60),
        .sec = (int)(secs % 60),
        .wday = (int)((days % 7 + 7 + 3) % 7), /* 1970-01-01 was a Thursday */
        .yday = (int)(days - days_from_civil(year, 1, 1) + 1),
    };
    return true;
}
