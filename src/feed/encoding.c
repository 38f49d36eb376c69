/* encoding.c — PLACEHOLDER until feedparser's encoding rules land: assumes
 * the document is UTF-8 (a UTF-8 byte order mark is dropped) and copies it. */
#include "encoding.h"

#include <string.h>

int eddy__encoding_to_utf8(const char *data, size_t len, const char *content_type, bool http,
                           struct eddy_buf *out, struct eddy__encoding *res)
{
    (void)content_type; (void)http;
    memset(res, 0, sizeof *res);
    strcpy(res->encoding, "utf-8");
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        data += 3;
        len -= 3;
    }
    return eddy_buf_append(out, data, len);
}
