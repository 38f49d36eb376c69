/*
 * eddy/net.h — async sockets on eddy's loop (layer net/): asyncio's
 * open_connection / start_server / StreamReader, in C.
 *
 * TCP over IPv4 and IPv6 and stream sockets in the Unix domain: listen,
 * accept, connect (host names resolved with getaddrinfo on the loop's thread
 * pool), read, write-everything, writev, sendfile, and a bounded buffered
 * reader that a sans-IO parser is fed from without copies.  Depends on loop/
 * and base/.  Every socket belongs to the loop of the thread that uses it.
 *
 * Object model: a socket is a plain int fd (non-blocking, close-on-exec).
 * The loop already keys its readiness registration by fd (eddy_wait_fd), so a
 * wrapper struct would add an allocation and an indirection and hold no state
 * of its own; plain fds also pass unchanged to what the layers above hand
 * them to (libcurl, sendfile, setsockopt).  The one stateful object is the
 * buffered reader, which is opaque.  Close sockets that a task has waited on
 * with eddy_sock_close(), which drops the loop's registration first and
 * wakes the tasks blocked on them with -EBADF.  The loop lets one task at a
 * time wait to read and one to write a socket: a second gets -EBUSY (one
 * acceptor task per listening socket; for more, SO_REUSEPORT sockets).
 *
 * Errors follow loop.h: >= 0 success, negative errno failure.  Every
 * EDDY_AWAITS function takes an absolute deadline (EDDY_FOREVER: none) and
 * also returns -ETIMEDOUT when the task's timeout scope expires, -ECANCELED
 * when the task is cancelled, -EPERM when it had to wait outside a task.
 * A call that can complete without waiting does, even past its deadline or
 * in a cancelled task (as eddy_join does): both take effect at the first
 * wait.  Writes never raise SIGPIPE: a closed peer gives -EPIPE.
 *
 * An echo server, one task per connection (see bench/net_echo_server.c):
 *
 *     static int echo(void *arg)
 *     {
 *         int fd = (int)(intptr_t)arg;
 *         char buf[4096];
 *         ssize_t n;
 *         while ((n = eddy_sock_read(fd, buf, sizeof buf, eddy_deadline_in(60 * EDDY_SEC))) > 0)
 *             if (eddy_sock_write(fd, buf, (size_t)n, EDDY_FOREVER) < 0)
 *                 break;
 *         eddy_sock_close(fd);
 *         return 0;
 *     }
 *     ...
 *     int lfd = eddy_sock_listen("[::]:8080", NULL);
 *     for (int fd; (fd = eddy_sock_accept(lfd, NULL, EDDY_FOREVER)) >= 0;)
 *         eddy_detach(eddy_spawn(echo, (void *)(intptr_t)fd, "echo"));
 */
#ifndef EDDY_NET_H
#define EDDY_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "eddy/loop.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

/* ------------------------------------------------------------- addresses */

/* A socket address of any family eddy speaks; plain data, copy freely. */
struct eddy_addr {
    union {
        struct sockaddr sa;
        struct sockaddr_in in;   /* AF_INET */
        struct sockaddr_in6 in6; /* AF_INET6 */
        struct sockaddr_un un;   /* AF_UNIX: path, or abstract when sun_path[0] == 0 */
        struct sockaddr_storage ss;
    } u;
    socklen_t len; /* bytes of u in use */
};

/* Longest text eddy_addr_format() writes, NUL included. */
#define EDDY_ADDR_STRLEN 120 /* "unix:@" + 107 bytes of sun_path + NUL */

/* Parses a numeric address:
 *   "127.0.0.1:8080", ":8080" (0.0.0.0), "[::1]:8080", "[::]:0",
 *   "unix:/run/eddy.sock", "unix:@name" (Linux abstract namespace).
 * Returns 0, or -EINVAL when `s` is malformed or names a host (resolve those
 * with eddy_resolve or let eddy_sock_connect do it). */
int eddy_addr_parse(struct eddy_addr *out, const char *s);
/* Writes `a` in the form eddy_addr_parse() reads ("[::1]:80", "unix:@x") into
 * buf (size bytes, EDDY_ADDR_STRLEN is always enough).  Returns the length,
 * or -ENOSPC (truncated) / -EAFNOSUPPORT. */
int eddy_addr_format(const struct eddy_addr *a, char *buf, size_t size);
/* The TCP port of an IPv4/IPv6 address, -EAFNOSUPPORT for others. */
int eddy_addr_port(const struct eddy_addr *a);

/* Resolves "host:port" ("[v6]:port", or any numeric form above) to at most
 * `max` addresses in getaddrinfo's order of preference.  Names go to
 * getaddrinfo on the loop's thread pool (eddy_to_thread); a cancelled or
 * timed-out caller still waits for that call to end.  Returns the number of
 * addresses (>= 1), -ENOENT when the name does not resolve, -EINVAL. */
EDDY_AWAITS int eddy_resolve(const char *hostport, struct eddy_addr *out, size_t max,
                             int64_t deadline);

/* --------------------------------------------------------------- sockets */

struct eddy_listen_opts {
    int backlog;    /* listen() backlog; 0: SOMAXCONN */
    bool reuseport; /* SO_REUSEPORT: several sockets (one loop per core) share
                     * the port and the kernel spreads connections over them */
};

/* A listening stream socket on a numeric address (see eddy_addr_parse; port
 * 0 picks a free port, see eddy_sock_local_addr).  TCP sockets get
 * SO_REUSEADDR; a socket file already at a Unix path (left by an earlier
 * run) is replaced, never another kind of file; the caller unlinks the path
 * when done.  opts may be NULL.  Returns the fd, owned by
 * the caller, or a negative errno. */
int eddy_sock_listen(const char *addr, const struct eddy_listen_opts *opts);
int eddy_sock_listen_addr(const struct eddy_addr *addr, const struct eddy_listen_opts *opts);

/* Accepts one connection on listening socket `lfd`; stores the peer's
 * address in *peer (may be NULL).  Returns the connected socket, owned by
 * the caller, or a negative errno (-EMFILE etc. are returned, not retried). */
EDDY_AWAITS int eddy_sock_accept(int lfd, struct eddy_addr *peer, int64_t deadline);

/* Connects to "host:port" or any form of eddy_addr_parse.  Host names are
 * resolved (eddy_resolve) and each address is tried in turn until one
 * accepts; the error of the last attempt is returned when none does
 * (-ECONNREFUSED, -ETIMEDOUT...).  Returns the connected socket, owned by the
 * caller, or a negative errno; nothing is left open on failure. */
EDDY_AWAITS int eddy_sock_connect(const char *addr, int64_t deadline);
EDDY_AWAITS int eddy_sock_connect_addr(const struct eddy_addr *addr, int64_t deadline);

/* Reads at most n (> 0) bytes as soon as any are available.  Returns the count
 * (> 0), 0 at end of stream (peer closed or shut down writing), or a
 * negative errno. */
EDDY_AWAITS ssize_t eddy_sock_read(int fd, void *buf, size_t n, int64_t deadline);
/* Writes all n bytes, waiting while the socket buffer is full.  Returns n,
 * or a negative errno (then an unknown prefix may have been sent). */
EDDY_AWAITS ssize_t eddy_sock_write(int fd, const void *buf, size_t n, int64_t deadline);
/* Writes every byte of iov[0..iovcnt) (gathered, one syscall when the
 * socket has room).  The iov array is modified while the write progresses.
 * Returns the total, or a negative errno as eddy_sock_write. */
EDDY_AWAITS ssize_t eddy_sock_writev(int fd, struct iovec *iov, int iovcnt, int64_t deadline);
/* Sends `count` bytes of file `file_fd` from `offset` (kernel copy, the file
 * position is not used or moved).  Returns the bytes sent, which is less
 * than count only when the file ended first, or a negative errno. */
EDDY_AWAITS ssize_t eddy_sock_sendfile(int fd, int file_fd, off_t offset, size_t count,
                                       int64_t deadline);

/* shutdown(2): SHUT_WR sends end-of-stream and keeps reading possible. */
int eddy_sock_shutdown(int fd, int how);
/* Drops the loop's registration of fd (waiters get -EBADF) and closes it.
 * Negative fds are ignored. */
void eddy_sock_close(int fd);
/* TCP_NODELAY on or off (Nagle's algorithm off when on). */
int eddy_sock_nodelay(int fd, bool on);
/* The socket's own / its peer's address.  0 or a negative errno. */
int eddy_sock_local_addr(int fd, struct eddy_addr *out);
int eddy_sock_peer_addr(int fd, struct eddy_addr *out);
/* The local TCP port of fd (e.g. after listening on port 0), or a negative errno. */
int eddy_sock_port(int fd);

/* ---------------------------------------------------------- the reader */

/* A buffered reader over a socket (asyncio.StreamReader): reads in large
 * chunks into one bounded buffer and hands out views of it, so a sans-IO
 * parser is fed with eddy_reader_peek() / eddy_reader_consume() and nothing
 * is copied.  The buffer never holds more than `max` bytes, which is also
 * the longest line or message it can wait for: the DoS limit.
 *
 * End of stream: a call that needs more bytes returns 0 when the peer ended
 * the stream with nothing buffered, and -EPROTO when it ended mid-message
 * (what had arrived stays buffered for peek). */
struct eddy_reader;

/* A reader of fd with a buffer of at most max bytes (> 0), owned by the
 * caller (eddy_reader_free).  It does not own fd.  NULL (errno) on failure. */
struct eddy_reader *eddy_reader_new(int fd, size_t max);
/* Frees the reader and its buffer (not the fd); NULL is a no-op. */
void eddy_reader_free(struct eddy_reader *r);
/* Empties the reader and makes it read `fd` from now on, keeping the
 * buffer's memory: one reader can serve connection after connection (a
 * server lends readers to the connections that have a request in progress,
 * so an idle one holds no buffer). */
void eddy_reader_reset(struct eddy_reader *r, int fd);

/* The buffered, not yet consumed bytes: *len of them at the returned
 * pointer (valid until the next call that reads or consumes). */
const char *eddy_reader_peek(const struct eddy_reader *r, size_t *len);
/* Drops the first n buffered bytes (n <= the buffered length). */
void eddy_reader_consume(struct eddy_reader *r, size_t n);
/* Reads once more from the socket, appending to the buffer (waits only when
 * nothing is available).  Returns the bytes added (> 0), 0 at end of stream,
 * -EMSGSIZE when the buffer is full, or a negative errno. */
EDDY_AWAITS ssize_t eddy_reader_fill(struct eddy_reader *r, int64_t deadline);

/* Reads until the buffer holds `delim` (dlen > 0 bytes) within its first
 * `max` bytes (delimiter included; 0 or more than the buffer's max: the
 * buffer's max).  Returns the length up to and including the delimiter —
 * peek that many bytes, then consume them — or -EMSGSIZE when max bytes
 * arrived without it, 0 / -EPROTO at end of stream (see above). */
EDDY_AWAITS ssize_t eddy_reader_until(struct eddy_reader *r, const void *delim, size_t dlen,
                                      size_t max, int64_t deadline);
/* Reads until at least n bytes are buffered (asyncio readexactly, minus the
 * copy).  Returns n, -EMSGSIZE when n exceeds the buffer's max, 0 / -EPROTO
 * at end of stream. */
EDDY_AWAITS ssize_t eddy_reader_exact(struct eddy_reader *r, size_t n, int64_t deadline);
/* Copies out up to n (> 0) bytes: the buffered ones, or, with none buffered,
 * whatever one read brings.  Returns the count, 0 at end of stream, or a
 * negative errno. */
EDDY_AWAITS ssize_t eddy_reader_read(struct eddy_reader *r, void *dst, size_t n, int64_t deadline);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
