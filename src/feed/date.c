/* date.c — PLACEHOLDER until the date parsers land: parses nothing. */
#include "date.h"

bool eddy__date_parse(const char *s, size_t len, struct eddy__date *out)
{
    (void)s; (void)len; (void)out;
    return false;
}
