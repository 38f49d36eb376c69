/* Tests of base/buf.c: growth, the cap, and the NUL-terminated invariant. */
#include "../test.h"

#include "eddy/buf.h"

#include <errno.h>
#include <stdlib.h>

TEST(buf_append_grows_and_terminates)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_STR(eddy_buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        CHECK_INT(eddy_buf_putc(&b, 'a' + i % 26), ==, 0);
    CHECK_INT(b.len, ==, 1000);
    CHECK_INT(b.data[1000], ==, 0);
    CHECK_INT(eddy_buf_printf(&b, "%d-%s", 42, "x"), ==, 0);
    CHECK_STR(b.data + 1000, "42-x");
    eddy_buf_free(&b);
    CHECK(b.data == NULL);
}

TEST(buf_cap_refuses_and_keeps_content)
{
    struct eddy_buf b = EDDY_BUF_INIT(8);
    CHECK_INT(eddy_buf_puts(&b, "12345678"), ==, 0);
    CHECK_INT(eddy_buf_putc(&b, '9'), ==, -E2BIG);
    CHECK_INT(eddy_buf_printf(&b, "%s", "more"), ==, -E2BIG);
    CHECK_STR(eddy_buf_cstr(&b), "12345678");
    CHECK_INT(eddy_buf_append(&b, "x", (size_t)-1), ==, -E2BIG);
    eddy_buf_free(&b);
}

TEST(buf_consume_and_detach)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_buf_puts(&b, "hello world"), ==, 0);
    eddy_buf_consume(&b, 6);
    CHECK_STR(eddy_buf_cstr(&b), "world");
    size_t n;
    char *s = eddy_buf_detach(&b, &n);
    CHECK_STR(s, "world");
    CHECK_INT(n, ==, 5);
    CHECK_INT(b.len, ==, 0);
    free(s);
    s = eddy_buf_detach(&b, NULL);
    CHECK_STR(s, "");
    free(s);
}
