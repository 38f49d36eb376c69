/*
 * net_util.h — helpers shared by the tests of net/: a connected TCP pair on
 * loopback, and the address a listening socket can be reached at.
 */
#ifndef EDDY_TESTS_NET_UTIL_H
#define EDDY_TESTS_NET_UTIL_H

#include "eddy/net.h"

/* Inside a task: a connected pair over 127.0.0.1 (fds[0] the client side,
 * fds[1] the accepted side).  Ends the test on failure. */
void tcp_pair(int fds[2]);
/* "127.0.0.1:PORT", "[::1]:PORT", "unix:/path"... for listening socket lfd. */
void listen_name(int lfd, char *name, size_t size);
/* Fills p[0..n) with a pattern that depends on seed, to compare at the end. */
void fill_pattern(void *p, size_t n, unsigned seed);

#endif
