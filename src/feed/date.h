/*
 * date.h — feedparser's date parsers, in C (internal to feed/).
 *
 * eddy__date_parse() tries, in feedparser's order, every format feedparser's
 * date handler chain knows (RFC 822 and its broken variants, W3DTF / ISO 8601
 * variants, asctime, Greek, Hungarian, Korean OnBlog and Nate, Perforce,
 * MSSQL...) and converts the result to UTC.  Pure function: no locale, no
 * global state, no allocation; safe from any thread.  The one outside input
 * is the clock: like feedparser, an ISO 8601 date without a year, month or
 * day ("--12-31", "2013-xx-27", "10:14") takes it from today's UTC date.
 */
#ifndef EDDY_FEED_DATE_H
#define EDDY_FEED_DATE_H

#include <stdbool.h>
#include <stddef.h>

/* A parsed date in UTC, shaped like Python's time.struct_time, which is what
 * feedparser returns in its *_parsed keys. */
struct eddy__date {
    int year; /* e.g. 2004; ISO 8601's mktime() normalisation can reach
                 -99 .. 10000 ("00" is century 0, year -99) */
    int mon;  /* 1..12 */
    int mday; /* 1..31 */
    int hour; /* 0..23 */
    int min;  /* 0..59 */
    int sec;  /* 0..59: every handler validates or normalises it */
    int wday; /* day of the week, Monday = 0 */
    int yday; /* day of the year, 1..366 */
};

/* Parses s[0..len) (not necessarily NUL-terminated).  Returns true and fills
 * *out when some handler accepts it, false (out untouched) when none does,
 * exactly where feedparser's _parse_date returns None. */
bool eddy__date_parse(const char *s, size_t len, struct eddy__date *out);

#endif
