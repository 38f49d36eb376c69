/*
 * net_echo_epoll.c — the floor for bench/echo.sh: the same echo served by a
 * bare epoll loop with no runtime at all (no tasks, no buffers, no
 * deadlines).  What eddy costs above this is the price of its coroutines;
 * what this costs is the kernel's TCP stack, which no runtime can beat.
 *
 *   net_echo_epoll [--port N]
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int port = argc == 3 && !strcmp(argv[1], "--port") ? atoi(argv[2]) : 25000;
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1024) < 0 ||
        ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) {
        perror("net_echo_epoll");
        return 1;
    }
    static char buf[256 * 1024];
    for (;;) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0)
                    continue;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                continue;
            }
            /* Blocking socket, read only when readable: one read, one write
             * (a write of a few KiB to an echo client never blocks long). */
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0 || write(fd, buf, (size_t)r) != r)
                close(fd); /* also leaves the epoll set */
        }
    }
}
