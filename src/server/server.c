/*
 * server.c — the HTTP/1.1 server: one task per connection on eddy's loop.
 *
 * The acceptor task takes a connection slot (a semaphore of max_connections:
 * at the limit it stops accepting and the kernel's backlog pushes back),
 * accepts, and spawns a connection task.  The connection task reads into a
 * bounded reader, feeds the sans-IO codec, copies each complete head into its
 * own buffer (the codec's slices point into the reader, which moves when it
 * refills for a body), reads the body, and calls the handler.  Responses are
 * built in one buffer and sent with one writev (head + body); nothing is
 * allocated per request once a connection is warm.
 *
 * Every wait has a deadline: the head (slowloris) from its first byte, the
 * idle keep-alive gap before it, the body, each write.  A graceful stop closes
 * the listener, cancels idle connections at once, ends streams waiting for
 * their client to leave, lets busy ones finish their request (answered with
 * Connection: close) until the deadline, then cancels the rest.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_CONNECTIONS 10000
#define DEFAULT_HEADER_NS (10 * EDDY_SEC)
#define DEFAULT_BODY_NS (60 * EDDY_SEC)
#define DEFAULT_IDLE_NS (5 * EDDY_SEC)
#define DEFAULT_WRITE_NS (30 * EDDY_SEC)
#define DEFAULT_SHUTDOWN_NS (10 * EDDY_SEC)
#define LOG_FLUSH_BYTES 8192

static int64_t or_default(int64_t v, int64_t d)
{
    return v > 0 ? v : d;
}

/* ------------------------------------------------------------- the date */

/* The Date header changes once a second: format it then, not per request. */
static _Thread_local struct {
    time_t when;
    char text[EDDY_HTTP_DATE_LEN + 1];
} date_cache;

const char *eddy__server_date(void)
{
    time_t now = time(NULL);
    if (now != date_cache.when) {
        eddy_http_date_format(now, date_cache.text);
        date_cache.when = now;
    }
    return date_cache.text;
}

/* ------------------------------------------------------- the access log */

static void log_flush(struct eddy_server *s)
{
    if (s->log_fd >= 0 && s->log.len) {
        /* O_APPEND: whole buffered lines land atomically even when several
         * workers share the file. */
        ssize_t n = write(s->log_fd, s->log.data, s->log.len);
        (void)n; /* a full disk must not take the server down */
    }
    eddy_buf_reset(&s->log);
}

static void log_timer_cb(void *arg)
{
    log_flush(arg);
}

int eddy_server_reopen_log(struct eddy_server *s)
{
    if (!s->opts.access_log)
        return 0;
    log_flush(s);
    if (!strcmp(s->opts.access_log, "-")) {
        s->log_fd = 1;
        return 0;
    }
    int fd = open(s->opts.access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    if (s->log_fd > 2)
        close(s->log_fd);
    s->log_fd = fd;
    return 0;
}

/* Appends s[0..n) for a quoted log field, escaping as nginx does: '"', '\\'
 * and bytes outside printable ASCII become \xHH, so a client cannot forge
 * or shift the line's fields. */
static void log_escaped(struct eddy_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            eddy_buf_printf(b, "\\x%02X", c);
        else
            eddy_buf_putc(b, c);
    }
}

/* One line in combined format:
 *   127.0.0.1 - - [25/Nov/2026:07:39:45 +0000] "GET / HTTP/1.1" 200 13 "-" "curl/7.88.1" */
void eddy__server_log(struct eddy_server *s, struct eddy_exchange *x)
{
    if (s->log_fd < 0)
        return;
    static _Thread_local time_t when;
    static _Thread_local char stamp[40];
    time_t now = time(NULL);
    if (now != when) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%d/%b/%Y:%H:%M:%S +0000", &tm);
        when = now;
    }
    char peer[EDDY_ADDR_STRLEN] = "-";
    if (x->conn->peer.u.sa.sa_family == AF_INET || x->conn->peer.u.sa.sa_family == AF_INET6) {
        eddy_addr_format(&x->conn->peer, peer, sizeof peer);
        /* "[::1]:5000" / "1.2.3.4:5000" -> the host alone, as nginx logs it */
        char *colon = strrchr(peer, ':');
        if (colon)
            *colon = 0;
        if (peer[0] == '[') {
            memmove(peer, peer + 1, strlen(peer));
            peer[strlen(peer) - 1] = 0;
        }
    }
    const struct eddy_http_head *h = &x->head;
    const char *referer = eddy_exchange_header(x, "Referer");
    const char *agent = eddy_exchange_header(x, "User-Agent");
    struct eddy_buf *b = &s->log;
    eddy_buf_printf(b, "%s - - [%s] \"", peer, stamp);
    if (h->method) {
        eddy_buf_printf(b, "%.*s ", (int)h->method_len, h->method);
        log_escaped(b, h->target, h->target_len);
        eddy_buf_printf(b, " HTTP/1.%d", h->minor);
    } else {
        eddy_buf_putc(b, '-'); /* refused before a whole head arrived */
    }
    eddy_buf_printf(b, "\" %d %llu \"", x->status, (unsigned long long)x->body_sent);
    log_escaped(b, referer ? referer : "-", referer ? strlen(referer) : 1);
    eddy_buf_puts(b, "\" \"");
    log_escaped(b, agent ? agent : "-", agent ? strlen(agent) : 1);
    eddy_buf_puts(b, "\"\n");
    if (s->log.len >= LOG_FLUSH_BYTES)
        log_flush(s);
    else
        eddy_timer_set(s->log_timer, eddy_deadline_in(200 * EDDY_MSEC));
}

/* ---------------------------------------------------------- connections */

static void conn_unlink(struct eddy_server *s, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    s->stats.connections_open--;
}

static void conn_free(struct conn *c)
{
    eddy_reader_free(c->reader);
    eddy_http_parser_free(c->parser);
    eddy_buf_free(&c->head_copy);
    eddy_buf_free(&c->body);
    eddy_buf_free(&c->out);
    eddy_buf_free(&c->scratch);
    free(c->headers);
    free(c);
}

/* A connection task (a child of the server's group).  Always returns 0: a
 * failing connection must not cancel its siblings. */
static int conn_main(void *arg)
{
    struct conn *c = arg;
    struct eddy_server *s = c->srv;
    c->task = eddy_task_current();
    if (!s->stopping) {
        eddy_sock_nodelay(c->fd, true);
        eddy__conn_serve(c);
    }
    eddy_sock_close(c->fd);
    conn_unlink(s, c);
    conn_free(c);
    eddy_sem_release(s->slots);
    return 0;
}

static struct conn *conn_new(struct eddy_server *s, int fd, const struct eddy_addr *peer)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->srv = s;
    c->fd = fd;
    c->peer = *peer;
    eddy_buf_init(&c->head_copy, 0);
    eddy_buf_init(&c->body, 0);
    eddy_buf_init(&c->out, 0);
    eddy_buf_init(&c->scratch, 0);
    c->reader = eddy_reader_new(fd, s->reader_max);
    c->parser = eddy_http_parser_new(EDDY_HTTP_REQUEST, &s->opts.limits);
    c->headers = calloc(s->max_headers, sizeof *c->headers);
    if (!c->reader || !c->parser || !c->headers) {
        conn_free(c);
        return NULL;
    }
    return c;
}

/* The acceptor (also a child of the group).  Returns 0 when cancelled. */
static int acceptor(void *arg)
{
    struct eddy_server *s = arg;
    s->acceptor = eddy_task_current();
    while (!s->stopping) {
        if (eddy_sem_acquire(s->slots, EDDY_FOREVER) < 0)
            break;
        struct eddy_addr peer;
        int fd = eddy_sock_accept(s->lfd, &peer, EDDY_FOREVER);
        if (fd < 0) {
            eddy_sem_release(s->slots);
            if (fd == -ECANCELED || fd == -EBADF)
                break;
            /* EMFILE and friends: back off instead of spinning. */
            if (eddy_sleep(10 * EDDY_MSEC) < 0)
                break;
            continue;
        }
        struct conn *c = conn_new(s, fd, &peer);
        if (!c || eddy_group_spawn(&s->group, conn_main, c, "http-conn") < 0) {
            if (c)
                conn_free(c);
            eddy_sock_close(fd);
            eddy_sem_release(s->slots);
            continue;
        }
        c->next = s->conns;
        if (s->conns)
            s->conns->prev = c;
        s->conns = c;
        s->nconns++;
        s->stats.connections_open++;
        s->stats.connections_accepted++;
    }
    /* Stop accepting now: the kernel must not queue more for us. */
    eddy_sock_close(s->lfd);
    s->lfd = -1;
    return 0;
}

/* ------------------------------------------------------------ lifecycle */

static char *dup_opt(const char *v)
{
    return v ? strdup(v) : NULL;
}

static void server_free(struct eddy_server *s)
{
    if (s->lfd >= 0)
        eddy_sock_close(s->lfd);
    log_flush(s);
    if (s->log_fd > 2)
        close(s->log_fd);
    eddy_group_fini(&s->group);
    eddy_sem_free(s->slots);
    eddy_timer_free(s->log_timer);
    eddy_buf_free(&s->log);
    free((char *)s->opts.listen);
    free((char *)s->opts.access_log);
    free((char *)s->opts.server_name);
    free(s);
}

struct eddy_server *eddy_server_start(const struct eddy_server_opts *opts)
{
    if (!eddy_task_current()) {
        errno = EPERM;
        return NULL;
    }
    struct eddy_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    eddy_group_init(&s->group);
    s->opts = *opts;
    s->opts.listen = dup_opt(opts->listen ? opts->listen : "127.0.0.1:8080");
    s->opts.access_log = dup_opt(opts->access_log);
    s->opts.server_name = dup_opt(opts->server_name ? opts->server_name : "eddy");
    s->opts.header_timeout_ns = or_default(opts->header_timeout_ns, DEFAULT_HEADER_NS);
    s->opts.body_timeout_ns = or_default(opts->body_timeout_ns, DEFAULT_BODY_NS);
    s->opts.idle_timeout_ns = or_default(opts->idle_timeout_ns, DEFAULT_IDLE_NS);
    s->opts.write_timeout_ns = or_default(opts->write_timeout_ns, DEFAULT_WRITE_NS);
    s->opts.shutdown_timeout_ns = or_default(opts->shutdown_timeout_ns, DEFAULT_SHUTDOWN_NS);
    unsigned maxc = opts->max_connections ? opts->max_connections : DEFAULT_MAX_CONNECTIONS;
    s->max_headers = opts->limits.max_headers ? opts->limits.max_headers : 100;
    /* The reader holds one head at a time (plus whatever a pipelining client
     * sent behind it); bodies go to their own buffer. */
    s->reader_max = (opts->limits.max_head ? opts->limits.max_head : 16384) * 4;
    s->log_fd = -1;
    eddy_buf_init(&s->log, 0);
    s->lfd = -1;
    int err = -ENOMEM;
    if (!s->opts.listen || !s->opts.server_name || (opts->access_log && !s->opts.access_log))
        goto fail;
    if (!(s->slots = eddy_sem_new(maxc)) ||
        !(s->log_timer = eddy_timer_new(log_timer_cb, s)))
        goto fail;
    if ((err = eddy_server_reopen_log(s)) < 0)
        goto fail;
    struct eddy_listen_opts lo = {.reuseport = opts->reuseport || opts->workers > 1};
    if ((s->lfd = eddy_sock_listen(s->opts.listen, &lo)) < 0) {
        err = s->lfd;
        goto fail;
    }
    eddy_sock_local_addr(s->lfd, &s->addr);
    if ((err = eddy_group_spawn(&s->group, acceptor, s, "http-accept")) < 0)
        goto fail;
    return s;
fail:
    server_free(s);
    errno = -err;
    return NULL;
}

int eddy_server_port(const struct eddy_server *s)
{
    return eddy_addr_port(&s->addr);
}

const struct eddy_addr *eddy_server_addr(const struct eddy_server *s)
{
    return &s->addr;
}

void eddy_server_stats(const struct eddy_server *s, struct eddy_server_stats *out)
{
    *out = s->stats;
}

int eddy_server_stop(struct eddy_server *s, int64_t deadline)
{
    s->stopping = true;
    if (s->acceptor)
        eddy_cancel(s->acceptor);
    /* Idle connections go now; busy ones finish their request.  A handler
     * has read its request whole, so the only reads left are of a stream
     * waiting for its client to leave (SSE, eddy_exchange_wait_closed):
     * shutting our reading side makes them see end-of-stream now, and such
     * streams end instead of holding the stop until the deadline. */
    for (struct conn *c = s->conns; c; c = c->next)
        if (!c->busy && c->task)
            eddy_cancel(c->task);
        else if (c->in_handler)
            eddy_sock_shutdown(c->fd, SHUT_RD);
    /* The group waits for every child even when the deadline passes (it
     * cancels them then), so no connection outlives its server. */
    struct eddy_timeout to;
    int err = eddy_timeout_begin(&to, deadline);
    if (err < 0)
        return err; /* not in a task: nothing was freed */
    err = eddy_group_wait(&s->group);
    if (eddy_timeout_end(&to))
        err = -ETIMEDOUT;
    if (s->addr.u.sa.sa_family == AF_UNIX && s->addr.u.un.sun_path[0])
        unlink(s->addr.u.un.sun_path);
    server_free(s);
    return err;
}
