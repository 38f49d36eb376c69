/*
 * net_util.c — see net_util.h.
 */
#include "net_util.h"

#include "../test.h"

void listen_name(int lfd, char *name, size_t size)
{
    struct eddy_addr a;
    CHECK_INT(eddy_sock_local_addr(lfd, &a), ==, 0);
    CHECK_INT(eddy_addr_format(&a, name, size), >, 0);
}

void tcp_pair(int fds[2])
{
    int lfd = eddy_sock_listen("127.0.0.1:0", NULL);
    CHECK_INT(lfd, >=, 0);
    char name[EDDY_ADDR_STRLEN];
    listen_name(lfd, name, sizeof name);
    /* A loopback connect completes from the backlog before accept runs. */
    fds[0] = eddy_sock_connect(name, eddy_deadline_in(10 * EDDY_SEC));
    CHECK_INT(fds[0], >=, 0);
    fds[1] = eddy_sock_accept(lfd, NULL, eddy_deadline_in(10 * EDDY_SEC));
    CHECK_INT(fds[1], >=, 0);
    eddy_sock_close(lfd);
}

void fill_pattern(void *p, size_t n, unsigned seed)
{
    unsigned char *b = p;
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
        b[i] = (unsigned char)x;
    }
}
