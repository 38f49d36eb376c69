/*
 * internal.h — what server.c (listener, lifecycle, log), conn.c (a
 * connection's task: reading, the codec, the exchange API) and idle.c
 * (connections between requests: parked, swept, reclaimed) share.
 *
 * A connection is in one of three lists: `active` while a task serves a
 * request on it, `fresh` while it waits for its first request, `idle` while
 * it waits (keep-alive) for the next.  Fresh and idle connections are
 * parked: no task, no buffers, only their struct conn and a watch on the
 * descriptor (idle.c says why).
 */
#ifndef EDDY_SERVER_INTERNAL_H
#define EDDY_SERVER_INTERNAL_H

#include "eddy/buf.h"
#include "eddy/server.h"

struct conn;
struct session;

/* A list of connections.  The parked ones are queued in the order they were
 * parked, so a queue's head is the oldest, the next to expire. */
struct conn_list {
    struct conn *head, *tail;
    unsigned n;
};

struct eddy_server {
    struct eddy_server_opts opts; /* copied; strings owned */
    int lfd;                      /* listening socket, -1 once closed */
    struct eddy_addr addr;        /* bound address */
    struct eddy_group group;      /* the acceptor and every connection task */
    struct eddy_task *acceptor;   /* set when it starts running */
    unsigned max_conns;           /* max_connections resolved */
    struct conn_list active;      /* a task serves a request on them */
    struct conn_list fresh;       /* parked, before their first request */
    struct conn_list idle;        /* parked keep-alive connections */
    struct eddy_event *room;      /* set when a connection closes or parks:
                                   * the acceptor waits on it at the limit */
    struct eddy_timer *sweep;     /* closes parked connections that expired */
    int64_t sweep_at;             /* when it fires; EDDY_FOREVER: disarmed */
    unsigned nwaiting;            /* tasks waiting a moment for a next request */
    struct session *pool;         /* sessions no connection uses (a LIFO) */
    unsigned npool;
    bool stopping;                /* eddy_server_stop() was called */
    size_t max_headers;           /* limits.max_headers resolved */
    size_t reader_max;            /* a connection's read buffer cap */
    int log_fd;                   /* access log, -1: none */
    struct eddy_buf log;          /* lines not yet written */
    struct eddy_timer *log_timer; /* flushes a partial buffer soon */
    struct eddy_server_stats stats;
};

/* One connection.  Its task owns it while it is active; the server's lists
 * own it while it is parked. */
struct conn {
    struct eddy_server *srv;
    struct conn_list *list;   /* &srv->active, &srv->fresh or &srv->idle */
    struct conn *prev, *next; /* in that list */
    int fd;
    bool served;               /* a request was answered: no longer fresh */
    bool in_handler;           /* the handler runs (the request has been read whole) */
    int64_t since;             /* parked: since when idle (fresh: the accept) */
    struct eddy_task *waiting; /* its task, while it waits a moment for the next request */
    struct eddy_watch *watch;  /* parked: the first byte resumes it */
    struct session *ss;        /* active: what serving a request takes */
    struct eddy_addr peer;
};

/* What a connection needs only while it serves a request, lent by the
 * server's pool (conn.c): an idle connection holds none of it. */
struct session {
    struct session *next;       /* in the pool */
    struct eddy_reader *reader; /* bytes from the client */
    struct eddy_http_parser *parser;
    struct eddy_http_header *headers; /* the head's fields, pointing into head_copy */
    struct eddy_buf head_copy;        /* the current request's head bytes, pinned */
    struct eddy_buf body;             /* the current request's body */
    struct eddy_buf out;              /* the response head being built */
};

/* One request/response on a connection (on the connection task's stack). */
struct eddy_exchange {
    struct conn *conn;
    struct eddy_http_head head; /* copy; slices into the session's head_copy */
    struct eddy_http_target target;
    bool head_request;    /* method HEAD: no body is sent */
    bool keep_alive;      /* the connection may serve another request */
    bool started, ended;  /* response head sent / response complete */
    bool chunked;         /* the response body is chunked */
    bool close_delimited; /* HTTP/1.0 response of unknown length */
    bool broken;          /* a write failed: the connection must close */
    int status;
    int64_t remaining;  /* fixed-length responses: bytes still owed */
    uint64_t body_sent; /* for the access log */
};

/* server.c: the lists, and the end of a connection (from any list). */
void eddy__conn_list_push(struct conn_list *l, struct conn *c);
void eddy__conn_list_remove(struct conn *c);
void eddy__conn_close(struct conn *c);

/* conn.c: the connection task: serves requests while bytes keep coming,
 * then parks the connection or closes it.  Always returns 0. */
int eddy__conn_main(void *arg);
/* Frees the pooled sessions (at the server's end). */
void eddy__session_pool_free(struct eddy_server *s);

/* idle.c */
/* Parks an open connection, idle since `since`: its descriptor is watched
 * and its first byte spawns eddy__conn_main again.  Closes it on failure. */
void eddy__conn_park(struct conn *c, int64_t since);
/* At the limit: closes the oldest parked connection, keep-alive ones first.
 * False when none is parked. */
bool eddy__server_reclaim(struct eddy_server *s);
/* Graceful stop: every parked connection is closed, or served one last
 * time when its next request has already arrived. */
void eddy__server_end_parked(struct eddy_server *s);
/* The sweep timer's callback. */
void eddy__server_sweep(void *arg);

/* The current Date header value (cached per second, per thread). */
const char *eddy__server_date(void);
/* Appends the exchange's line to the access log. */
void eddy__server_log(struct eddy_server *s, struct eddy_exchange *x);

#endif
