/*
 * test_addr.c — address parsing and formatting (no loop, no sockets).
 */
#include "../test.h"

#include "eddy/net.h"

#include <errno.h>

/* Parses s, formats it back and expects `want` (NULL: same as s). */
static void roundtrip(const char *s, const char *want)
{
    struct eddy_addr a;
    char out[EDDY_ADDR_STRLEN];
    int err = eddy_addr_parse(&a, s);
    if (err)
        test_fail(__FILE__, __LINE__, "parse \"%s\": %s", s, eddy_strerror(err));
    CHECK_INT(eddy_addr_format(&a, out, sizeof out), >, 0);
    CHECK_STR(out, want ? want : s);
}

TEST(addr_parse_format)
{
    roundtrip("127.0.0.1:8080", NULL);
    roundtrip(":80", "0.0.0.0:80");
    roundtrip("[::1]:443", NULL);
    roundtrip("[::]:0", NULL);
    roundtrip("[2001:db8::7]:65535", NULL);
    roundtrip("unix:/run/eddy.sock", NULL);
    roundtrip("unix:@eddy-abstract", NULL);

    struct eddy_addr a;
    CHECK_INT(eddy_addr_parse(&a, "10.1.2.3:9"), ==, 0);
    CHECK_INT(eddy_addr_port(&a), ==, 9);
    CHECK_INT(a.u.sa.sa_family, ==, AF_INET);
    CHECK_INT(eddy_addr_parse(&a, "[::1]:70"), ==, 0);
    CHECK_INT(eddy_addr_port(&a), ==, 70);
    CHECK_INT(eddy_addr_parse(&a, "unix:@x"), ==, 0);
    CHECK_INT(eddy_addr_port(&a), ==, -EAFNOSUPPORT);
    /* Abstract names are not NUL-terminated: the length is the name's. */
    CHECK_INT(a.len, ==, offsetof(struct sockaddr_un, sun_path) + 2);

    char small[8];
    CHECK_INT(eddy_addr_parse(&a, "127.0.0.1:8080"), ==, 0);
    CHECK_INT(eddy_addr_format(&a, small, sizeof small), ==, -ENOSPC);
}

TEST(addr_parse_rejects)
{
    static const char *bad[] = {
        "",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:65536",
        "127.0.0.1:8x",
        "1.2.3:80",
        "::1:80",
        "[::1]80",
        "[::1",
        "[1.2.3.4]:80",
        "unix:",
        "unix:@",
        "localhost:80", /* a name: eddy_resolve's job */
    };
    struct eddy_addr a;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int err = eddy_addr_parse(&a, bad[i]);
        if (err != -EINVAL)
            test_fail(__FILE__, __LINE__, "\"%s\": got %d, want -EINVAL", bad[i], err);
    }
    char longpath[200];
    memset(longpath, 'a', sizeof longpath);
    memcpy(longpath, "unix:/", 6);
    longpath[sizeof longpath - 1] = 0;
    CHECK_INT(eddy_addr_parse(&a, longpath), ==, -EINVAL);
}

TEST(addr_format_longest_unix_path)
{
    /* The longest path sun_path holds formats within EDDY_ADDR_STRLEN. */
    char s[5 + 108], out[EDDY_ADDR_STRLEN];
    memcpy(s, "unix:/", 6);
    memset(s + 6, 'p', sizeof s - 7);
    s[sizeof s - 1] = 0; /* 106 path bytes after the slash: 107 with it */
    struct eddy_addr a;
    CHECK_INT(eddy_addr_parse(&a, s), ==, 0);
    CHECK_INT(eddy_addr_format(&a, out, sizeof out), ==, strlen(s));
    CHECK_STR(out, s);
    s[5] = '@'; /* the same length in the abstract namespace */
    CHECK_INT(eddy_addr_parse(&a, s), ==, 0);
    CHECK_INT(eddy_addr_format(&a, out, sizeof out), ==, strlen(s));
    CHECK_STR(out, s);
}
