/* fuzz/date.c — libFuzzer target for feed/date.c: any bytes must parse or
 * be refused without reading past the input, and a parsed date must be a
 * consistent calendar date (month, day, weekday and day of the year agree). */
#include "../src/feed/date.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    struct eddy__date d;
    if (!eddy__date_parse((const char *)data, size, &d))
        return 0;
    int leap = d.year % 4 == 0 && (d.year % 100 != 0 || d.year % 400 == 0);
    if (d.mon < 1 || d.mon > 12 || d.mday < 1 || d.mday > 31 || d.hour < 0 || d.hour > 23 ||
        d.min < 0 || d.min > 59 || d.sec < 0 || d.sec > 59 || d.wday < 0 || d.wday > 6 ||
        d.yday != before[d.mon - 1] + (leap && d.mon > 2) + d.mday)
        abort();
    return 0;
}
