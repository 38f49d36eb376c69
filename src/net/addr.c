/*
 * addr.c — socket addresses: parse and format "host:port", "[v6]:port",
 * "unix:/path" and "unix:@abstract", and resolve host names.
 *
 * Parsing is numeric only, so it never blocks and never surprises: a name
 * goes through eddy_resolve(), which runs getaddrinfo() on the loop's thread
 * pool because glibc's resolver blocks (and reads files, and may talk DNS).
 */
#include "eddy/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIX_PREFIX "unix:"

/* Splits "host:port" / "[v6]:port" into host (brackets removed) and port.
 * 0, or -EINVAL when malformed. */
static int split_hostport(const char *s, char *host, size_t hostsz, unsigned *port)
{
    const char *h = s, *colon;
    size_t hlen;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -EINVAL;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -EINVAL;
        hlen = (size_t)(colon - s);
        if (memchr(s, ':', hlen)) /* a bare IPv6 address: brackets required */
            return -EINVAL;
    }
    if (hlen >= hostsz)
        return -EINVAL;
    const char *p = colon + 1;
    unsigned long v = 0;
    if (!*p)
        return -EINVAL;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || (v = v * 10 + (unsigned long)(*p - '0')) > 65535)
            return -EINVAL;
    }
    memcpy(host, h, hlen);
    host[hlen] = 0;
    *port = (unsigned)v;
    return 0;
}

static int parse_unix(struct eddy_addr *out, const char *path)
{
    size_t n = strlen(path);
    struct sockaddr_un *un = &out->u.un;
    if (n == 0 || n >= sizeof un->sun_path || (path[0] == '@' && n == 1))
        return -EINVAL;
    memset(out, 0, sizeof *out);
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, n);
    if (path[0] == '@') {
        /* Abstract: the name is the bytes after a leading NUL, no terminator. */
        un->sun_path[0] = 0;
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return 0;
}

int eddy_addr_parse(struct eddy_addr *out, const char *s)
{
    if (!strncmp(s, UNIX_PREFIX, strlen(UNIX_PREFIX)))
        return parse_unix(out, s + strlen(UNIX_PREFIX));
    char host[INET6_ADDRSTRLEN];
    unsigned port;
    int err = split_hostport(s, host, sizeof host, &port);
    if (err)
        return err;
    memset(out, 0, sizeof *out);
    if (*s == '[') {
        if (inet_pton(AF_INET6, host, &out->u.in6.sin6_addr) != 1)
            return -EINVAL;
        out->u.in6.sin6_family = AF_INET6;
        out->u.in6.sin6_port = htons((uint16_t)port);
        out->len = sizeof out->u.in6;
        return 0;
    }
    if (!host[0])
        out->u.in.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &out->u.in.sin_addr) != 1)
        return -EINVAL;
    out->u.in.sin_family = AF_INET;
    out->u.in.sin_port = htons((uint16_t)port);
    out->len = sizeof out->u.in;
    return 0;
}

int eddy_addr_format(const struct eddy_addr *a, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    int n;
    switch (a->u.sa.sa_family) {
    case AF_INET:
        inet_ntop(AF_INET, &a->u.in.sin_addr, host, sizeof host);
        n = snprintf(buf, size, "%s:%u", host, ntohs(a->u.in.sin_port));
        break;
    case AF_INET6:
        inet_ntop(AF_INET6, &a->u.in6.sin6_addr, host, sizeof host);
        n = snprintf(buf, size, "[%s]:%u", host, ntohs(a->u.in6.sin6_port));
        break;
    case AF_UNIX: {
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t plen = a->len > off ? a->len - off : 0; /* 0: unnamed (a client) */
        const char *p = a->u.un.sun_path;
        if (plen && p[0] == 0) /* abstract */
            n = snprintf(buf, size, UNIX_PREFIX "@%.*s", (int)plen - 1, p + 1);
        else
            n = snprintf(buf, size, UNIX_PREFIX "%.*s", (int)strnlen(p, plen), p);
        break;
    }
    default: return -EAFNOSUPPORT;
    }
    return n < 0 ? -EINVAL : (size_t)n >= size ? -ENOSPC : n;
}

int eddy_addr_port(const struct eddy_addr *a)
{
    switch (a->u.sa.sa_family) {
    case AF_INET: return ntohs(a->u.in.sin_port);
    case AF_INET6: return ntohs(a->u.in6.sin6_port);
    default: return -EAFNOSUPPORT;
    }
}

/* ------------------------------------------------------------- resolving */

/* One getaddrinfo() call, run on the thread pool; lives on the caller's
 * stack, which eddy_to_thread keeps alive until the call returns. */
struct resolve_job {
    const char *host;     /* the name to resolve */
    struct addrinfo *res; /* the answer; freed by the caller */
};

static int resolve_on_thread(void *arg)
{
    struct resolve_job *job = arg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int rc = getaddrinfo(job->host, NULL, &hints, &job->res);
    switch (rc) {
    case 0: return 0;
    case EAI_AGAIN: return -EAGAIN;
    case EAI_MEMORY: return -ENOMEM;
    case EAI_SYSTEM: return errno ? -errno : -EIO;
    default: return -ENOENT; /* no such name, no address of that kind */
    }
}

int eddy_resolve(const char *hostport, struct eddy_addr *out, size_t max, int64_t deadline)
{
    if (max == 0)
        return -EINVAL;
    if (eddy_addr_parse(&out[0], hostport) == 0)
        return 1;
    char host[256];
    unsigned port;
    int err = split_hostport(hostport, host, sizeof host, &port);
    if (err || !host[0])
        return -EINVAL;

    struct eddy_timeout to;
    if ((err = eddy_timeout_begin(&to, deadline)) < 0)
        return err;
    struct resolve_job job = {host, NULL};
    err = eddy_to_thread(resolve_on_thread, &job);
    eddy_timeout_end(&to);

    int n = 0;
    for (struct addrinfo *ai = job.res; err == 0 && ai && (size_t)n < max; ai = ai->ai_next) {
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            ai->ai_addrlen > sizeof out[n].u)
            continue;
        memset(&out[n], 0, sizeof out[n]);
        memcpy(&out[n].u, ai->ai_addr, ai->ai_addrlen);
        out[n].len = ai->ai_addrlen;
        if (ai->ai_family == AF_INET)
            out[n].u.in.sin_port = htons((uint16_t)port);
        else
            out[n].u.in6.sin6_port = htons((uint16_t)port);
        n++;
    }
    if (job.res)
        freeaddrinfo(job.res);
    return err < 0 ? err : n ? n : -ENOENT;
}
