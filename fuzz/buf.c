/* fuzz/buf.c — libFuzzer target for base/buf: random operations must keep
 * the invariants (len <= max, data NUL-terminated). */
#include "eddy/buf.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eddy_buf b = EDDY_BUF_INIT(size / 2);
    for (size_t i = 0; i + 1 < size; i += 2) {
        switch (data[i] % 4) {
        case 0: eddy_buf_append(&b, data + i, (data[i + 1] % 64) % (size - i)); break;
        case 1: eddy_buf_consume(&b, data[i + 1]); break;
        case 2: eddy_buf_printf(&b, "%u", data[i + 1]); break;
        case 3: eddy_buf_reset(&b); break;
        }
        if ((b.max && b.len > b.max) || (b.data && b.data[b.len] != 0))
            abort();
    }
    eddy_buf_free(&b);
    return 0;
}
