/*
 * sock.c — stream sockets on the loop: listen, accept, connect, read, write,
 * writev, sendfile.
 *
 * Every call tries the syscall first and waits with eddy_wait_fd() only on
 * EAGAIN, then tries again: on a busy connection most reads and writes
 * complete at once and never touch the loop.  Waiting through eddy_wait_fd
 * is also what gives every call its deadline, the task's timeout scope and
 * cancellation without any code here.
 */
#include "eddy/net.h"

#include <errno.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int sock_new(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd < 0 ? -errno : fd;
}

/* Closes fd keeping errno-style result `err` (for error paths). */
static int fail_close(int fd, int err)
{
    eddy_sock_close(fd);
    return err;
}

void eddy_sock_close(int fd)
{
    if (fd < 0)
        return;
    eddy_fd_forget(fd);
    close(fd);
}

static int setopt(int fd, int level, int name, int on)
{
    return setsockopt(fd, level, name, &on, sizeof on) < 0 ? -errno : 0;
}

/* ------------------------------------------------------------- listening */

int eddy_sock_listen_addr(const struct eddy_addr *addr, const struct eddy_listen_opts *opts)
{
    int family = addr->u.sa.sa_family;
    int fd = sock_new(family);
    if (fd < 0)
        return fd;
    int err = 0;
    if (family != AF_UNIX)
        err = setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (!err && opts && opts->reuseport)
        err = setopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    if (err)
        return fail_close(fd, err);
    if (family == AF_UNIX && addr->u.un.sun_path[0]) {
        /* A socket file left by a previous run would make bind() fail; only
         * a socket is removed, never a regular file by mistake. */
        struct stat st;
        if (lstat(addr->u.un.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(addr->u.un.sun_path);
    }
    int backlog = opts && opts->backlog > 0 ? opts->backlog : SOMAXCONN;
    if (bind(fd, &addr->u.sa, addr->len) < 0 || listen(fd, backlog) < 0)
        return fail_close(fd, -errno);
    return fd;
}

int eddy_sock_listen(const char *addr, const struct eddy_listen_opts *opts)
{
    struct eddy_addr a;
    int err = eddy_addr_parse(&a, addr);
    return err < 0 ? err : eddy_sock_listen_addr(&a, opts);
}

int eddy_sock_accept(int lfd, struct eddy_addr *peer, int64_t deadline)
{
    for (;;) {
        struct eddy_addr tmp;
        struct eddy_addr *a = peer ? peer : &tmp;
        a->len = sizeof a->u;
        int fd = accept4(lfd, &a->u.sa, &a->len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            return fd;
        /* ECONNABORTED: the client gave up while queued; take the next one. */
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno != EAGAIN)
            return -errno;
        int r = eddy_wait_fd(lfd, EDDY_READ, deadline);
        if (r < 0)
            return r;
    }
}

/* ------------------------------------------------------------ connecting */

int eddy_sock_connect_addr(const struct eddy_addr *addr, int64_t deadline)
{
    int fd = sock_new(addr->u.sa.sa_family);
    if (fd < 0)
        return fd;
    while (connect(fd, &addr->u.sa, addr->len) < 0) {
        if (errno == EAGAIN) {
            /* Unix domain only: the listener's backlog is full.  Nothing
             * signals room, so poll gently until the deadline. */
            if (eddy_now() >= deadline)
                return fail_close(fd, -ETIMEDOUT);
            int64_t next = eddy_deadline_in(EDDY_MSEC);
            int r = eddy_sleep_until(next < deadline ? next : deadline);
            if (r < 0)
                return fail_close(fd, r);
            continue;
        }
        /* EINTR: a non-blocking connect carries on in the background. */
        if (errno != EINPROGRESS && errno != EINTR)
            return fail_close(fd, -errno);
        int r = eddy_wait_fd(fd, EDDY_WRITE, deadline);
        if (r < 0)
            return fail_close(fd, r);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
            return fail_close(fd, -errno);
        return soerr ? fail_close(fd, -soerr) : fd;
    }
    return fd;
}

int eddy_sock_connect(const char *addr, int64_t deadline)
{
    struct eddy_addr addrs[16];
    int n = eddy_resolve(addr, addrs, sizeof addrs / sizeof addrs[0], deadline);
    int r = n;
    for (int i = 0; i < n; i++) {
        r = eddy_sock_connect_addr(&addrs[i], deadline);
        /* Refused or unreachable: try the next address.  Out of time or
         * cancelled: the next one would fail the same way. */
        if (r >= 0 || r == -ETIMEDOUT || r == -ECANCELED || r == -EPERM)
            break;
    }
    return r;
}

/* ---------------------------------------------------------- reading, writing */

ssize_t eddy_sock_read(int fd, void *buf, size_t n, int64_t deadline)
{
    for (;;) {
        ssize_t got = read(fd, buf, n);
        if (got >= 0)
            return got;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return -errno;
        int r = eddy_wait_fd(fd, EDDY_READ, deadline);
        if (r < 0)
            return r;
    }
}

/* After a call failed with errno set: 0 to try again (EINTR, or the socket
 * has become writable), else a negative errno. */
static int wait_writable(int fd, int64_t deadline)
{
    if (errno == EINTR)
        return 0;
    if (errno != EAGAIN)
        return -errno;
    int r = eddy_wait_fd(fd, EDDY_WRITE, deadline);
    return r < 0 ? r : 0;
}

ssize_t eddy_sock_write(int fd, const void *buf, size_t n, int64_t deadline)
{
    struct iovec v = {(void *)buf, n};
    return eddy_sock_writev(fd, &v, 1, deadline);
}

ssize_t eddy_sock_writev(int fd, struct iovec *iov, int iovcnt, int64_t deadline)
{
    size_t total = 0;
    while (iovcnt > 0 && iov->iov_len == 0)
        iov++, iovcnt--;
    while (iovcnt > 0) {
        struct msghdr msg = {.msg_iov = iov,
                             .msg_iovlen = (size_t)(iovcnt < IOV_MAX ? iovcnt : IOV_MAX)};
        /* MSG_NOSIGNAL: a closed peer is -EPIPE, not the death of the process. */
        ssize_t sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (sent < 0) {
            int r = wait_writable(fd, deadline);
            if (r < 0)
                return r;
            continue;
        }
        total += (size_t)sent;
        size_t left = (size_t)sent;
        while (iovcnt > 0 && left >= iov->iov_len) /* also skips empty entries */
            left -= iov->iov_len, iov++, iovcnt--;
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
    return (ssize_t)total;
}

/* sendfile(2) has no MSG_NOSIGNAL: block SIGPIPE in this thread around it and
 * swallow the one it raised, unless one was already pending (the usual
 * technique; it costs three cheap syscalls per call, nothing per byte). */
static ssize_t sendfile_nosigpipe(int out, int in, off_t *off, size_t n)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t r = sendfile(out, in, off, n);
    int e = errno;
    if (r < 0 && e == EPIPE && !was_pending) {
        const struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return r;
}

ssize_t eddy_sock_sendfile(int fd, int file_fd, off_t offset, size_t count, int64_t deadline)
{
    size_t total = 0;
    while (total < count) {
        size_t chunk = count - total > 0x7ffff000 ? 0x7ffff000 : count - total;
        ssize_t sent = sendfile_nosigpipe(fd, file_fd, &offset, chunk);
        if (sent > 0) {
            total += (size_t)sent;
            continue;
        }
        if (sent == 0) /* the file is shorter than count */
            break;
        int r = wait_writable(fd, deadline);
        if (r < 0)
            return r;
    }
    return (ssize_t)total;
}

/* ------------------------------------------------------------------ misc */

int eddy_sock_shutdown(int fd, int how)
{
    return shutdown(fd, how) < 0 ? -errno : 0;
}

int eddy_sock_nodelay(int fd, bool on)
{
    return setopt(fd, IPPROTO_TCP, TCP_NODELAY, on);
}

int eddy_sock_local_addr(int fd, struct eddy_addr *out)
{
    out->len = sizeof out->u;
    return getsockname(fd, &out->u.sa, &out->len) < 0 ? -errno : 0;
}

int eddy_sock_peer_addr(int fd, struct eddy_addr *out)
{
    out->len = sizeof out->u;
    return getpeername(fd, &out->u.sa, &out->len) < 0 ? -errno : 0;
}

int eddy_sock_port(int fd)
{
    struct eddy_addr a;
    int err = eddy_sock_local_addr(fd, &a);
    return err < 0 ? err : eddy_addr_port(&a);
}
