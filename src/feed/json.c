/* json.c — PLACEHOLDER until JSON Feed lands: reports that it is not built,
 * and feed.c then keeps the XML outcome. */
#include "json.h"

#include <errno.h>

int eddy__json_parse(struct eddy__fp *p, const char *data, size_t len, char *exc, size_t excsize)
{
    (void)p; (void)data; (void)len; (void)exc; (void)excsize;
    return -ENOTSUP;
}
