/*
 * server.c — the HTTP/1.1 server: a task per connection with a request in
 * progress, on eddy's loop.
 *
 * The acceptor accepts while there is room (max_connections), parks each new
 * connection (idle.c: a watched descriptor, no task) and, at the limit,
 * gives the oldest parked connection's place to a client waiting in the
 * backlog.  A connection's first byte spawns its task (conn.c), which reads
 * into a bounded reader, feeds the sans-IO codec, copies each complete head
 * into its own buffer (the codec's slices point into the reader, which
 * moves when it refills for a body), reads the body, calls the handler,
 * answers with one writev (head + body), and parks the connection again
 * when no further request comes within a moment (WAIT_NEXT_NS).  The buffers a request needs are
 * lent by a pool, so nothing is allocated per request once the server is
 * warm.
 *
 * Every wait has a deadline: the head (slowloris) from its first byte (the
 * first head: from the accept), the idle keep-alive gap before it, the
 * body, each write.  A graceful stop closes the listener, closes parked
 * connections at once (answering a request that already arrived), ends
 * streams waiting for their client to leave, lets busy connections finish
 * their request (answered with Connection: close) until the deadline, then
 * cancels the rest.
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
#define DEFAULT_HEADER_NS       (10 * EDDY_SEC)
#define DEFAULT_BODY_NS         (60 * EDDY_SEC)
#define DEFAULT_IDLE_NS         (5 * EDDY_SEC)
#define DEFAULT_WRITE_NS        (30 * EDDY_SEC)
#define DEFAULT_SHUTDOWN_NS     (10 * EDDY_SEC)
#define LOG_FLUSH_BYTES         8192

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

void eddy__conn_list_push(struct conn_list *l, struct conn *c)
{
    c->list = l;
    c->next = NULL;
    c->prev = l->tail;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
    l->n++;
}

void eddy__conn_list_remove(struct conn *c)
{
    struct conn_list *l = c->list;
    if (!l)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    l->n--;
    c->list = NULL;
}

void eddy__conn_close(struct conn *c)
{
    struct eddy_server *s = c->srv;
    eddy__conn_list_remove(c);
    eddy_watch_free(c->watch);
    eddy_sock_close(c->fd);
    free(c);
    s->stats.connections_open--;
    eddy_event_set(s->room); /* a place for a new client */
}

static unsigned nconns(const struct eddy_server *s)
{
    return s->active.n + s->fresh.n + s->idle.n;
}

/* Waits until a connection may be accepted: below the limit, or at it with
 * a parked connection to give up for a client that is waiting (idle.c).
 * 0, or a negative errno (cancelled). */
static int wait_for_room(struct eddy_server *s)
{
    while (nconns(s) >= s->max_conns) {
        int err;
        if (s->idle.n || s->fresh.n) {
            err = eddy_wait_fd(s->lfd, EDDY_READ, EDDY_FOREVER);
            if (err > 0 && nconns(s) >= s->max_conns)
                eddy__server_reclaim(s);
        } else {
            /* Every connection is busy: the kernel's backlog pushes back
             * until one closes or parks. */
            eddy_event_clear(s->room);
            err = eddy_event_wait(s->room, EDDY_FOREVER);
        }
        if (err < 0)
            return err;
    }
    return 0;
}

/* The acceptor (a child of the group).  Returns 0 when cancelled.  A new
 * connection is parked at once: its first byte gives it a task. */
static int acceptor(void *arg)
{
    struct eddy_server *s = arg;
    s->acceptor = eddy_task_current();
    while (!s->stopping && wait_for_room(s) == 0) {
        struct eddy_addr peer;
        int fd = eddy_sock_accept(s->lfd, &peer, EDDY_FOREVER);
        if (fd == -ECANCELED || fd == -EBADF)
            break;
        /* Out of descriptors: a parked connection's is worth more to the
         * client waiting; with none parked, back off instead of spinning. */
        if ((fd == -EMFILE || fd == -ENFILE) && eddy__server_reclaim(s))
            continue;
        if (fd < 0) {
            if (eddy_sleep(10 * EDDY_MSEC) < 0)
                break;
            continue;
        }
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            eddy_sock_close(fd);
            continue;
        }
        c->srv = s;
        c->fd = fd;
        c->peer = peer;
        eddy_sock_nodelay(fd, true);
        s->stats.connections_open++;
        s->stats.connections_accepted++;
        eddy__conn_park(c, eddy_now());
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
    eddy__session_pool_free(s);
    eddy_event_free(s->room);
    eddy_timer_free(s->sweep);
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
    s->max_conns = opts->max_connections ? opts->max_connections : DEFAULT_MAX_CONNECTIONS;
    s->max_headers = opts->limits.max_headers ? opts->limits.max_headers : 100;
    /* The reader holds one head at a time (plus whatever a pipelining client
     * sent behind it); bodies go to their own buffer. */
    s->reader_max = (opts->limits.max_head ? opts->limits.max_head : 16384) * 4;
    s->log_fd = -1;
    eddy_buf_init(&s->log, 0);
    s->lfd = -1;
    s->sweep_at = EDDY_FOREVER;
    int err = -ENOMEM;
    if (!s->opts.listen || !s->opts.server_name || (opts->access_log && !s->opts.access_log))
        goto fail;
    if (!(s->room = eddy_event_new()) || !(s->sweep = eddy_timer_new(eddy__server_sweep, s)) ||
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
    out->connections_idle = s->fresh.n + s->idle.n;
}

int eddy_server_stop(struct eddy_server *s, int64_t deadline)
{
    /* The group waits for every child even when the deadline passes (it
     * cancels them then), so no connection outlives its server. */
    struct eddy_timeout to;
    int err = eddy_timeout_begin(&to, deadline);
    if (err < 0)
        return err; /* not in a task: nothing was done */
    s->stopping = true;
    if (s->acceptor)
        eddy_cancel(s->acceptor);
    /* Parked connections go now; busy ones finish their request (and close,
     * since we stop).  A handler has read its request whole, so the only
     * reads left are of a stream waiting for its client to leave (SSE,
     * eddy_exchange_wait_closed): shutting our reading side makes them see
     * end-of-stream now, and such streams end instead of holding the stop
     * until the deadline. */
    eddy__server_end_parked(s);
    /* A task waiting a moment for a next request sees end-of-stream the same
     * way.  Cancelling it instead would race: when the request has already
     * arrived, the wait returns it, and the cancellation, sticky, would cut
     * the response to it at the handler's first await. */
    for (struct conn *c = s->active.head; c; c = c->next)
        if (c->waiting || c->in_handler)
            eddy_sock_shutdown(c->fd, SHUT_RD);
    err = eddy_group_wait(&s->group);
    if (eddy_timeout_end(&to))
        err = -ETIMEDOUT;
    if (s->addr.u.sa.sa_family == AF_UNIX && s->addr.u.un.sun_path[0])
        unlink(s->addr.u.un.sun_path);
    server_free(s);
    return err;
}
