/*
 * internal.h — what server.c (listener, lifecycle, log) and conn.c (one
 * connection: reading, the codec, the exchange API) share.
 */
#ifndef EDDY_SERVER_INTERNAL_H
#define EDDY_SERVER_INTERNAL_H

#include "eddy/buf.h"
#include "eddy/server.h"

struct conn;

struct eddy_server {
    struct eddy_server_opts opts;   /* copied; strings owned */
    int lfd;                        /* listening socket, -1 once closed */
    struct eddy_addr addr;          /* bound address */
    struct eddy_group group;        /* the acceptor and every connection task */
    struct eddy_task *acceptor;     /* set when it starts running */
    struct eddy_sem *slots;         /* max_connections permits */
    struct conn *conns;             /* live connections */
    unsigned nconns;
    bool stopping;                  /* eddy_server_stop() was called */
    size_t max_headers;             /* limits.max_headers resolved */
    size_t reader_max;              /* a connection's read buffer cap */
    int log_fd;                     /* access log, -1: none */
    struct eddy_buf log;            /* lines not yet written */
    struct eddy_timer *log_timer;   /* flushes a partial buffer soon */
    struct eddy_server_stats stats;
};

/* One connection; its task owns it. */
struct conn {
    struct eddy_server *srv;
    struct conn *prev, *next;       /* srv->conns */
    struct eddy_task *task;         /* set when the task starts */
    int fd;
    struct eddy_addr peer;
    struct eddy_reader *reader;     /* bytes from the client */
    struct eddy_http_parser *parser;
    bool busy;                      /* between a request's first byte and its response's end */
    bool in_handler;                /* the handler runs (the request has been read whole) */
    struct eddy_buf head_copy;      /* the current request's head bytes, pinned */
    struct eddy_http_header *headers; /* the head's fields, pointing into head_copy */
    struct eddy_buf body;           /* the current request's body */
    struct eddy_buf out;            /* the response head being built */
    struct eddy_buf scratch;        /* NUL-terminated header values for the handler */
};

/* One request/response on a connection (on the connection task's stack). */
struct eddy_exchange {
    struct conn *conn;
    struct eddy_http_head head;     /* copy; slices into conn->head_copy */
    struct eddy_http_target target;
    bool head_request;              /* method HEAD: no body is sent */
    bool keep_alive;                /* the connection may serve another request */
    bool started, ended;            /* response head sent / response complete */
    bool chunked;                   /* the response body is chunked */
    bool close_delimited;           /* HTTP/1.0 response of unknown length */
    bool broken;                    /* a write failed: the connection must close */
    int status;
    int64_t remaining;              /* fixed-length responses: bytes still owed */
    uint64_t body_sent;             /* for the access log */
};

/* Serves requests on c until it closes (conn.c). */
void eddy__conn_serve(struct conn *c);
/* The current Date header value (cached per second, per thread). */
const char *eddy__server_date(void);
/* Appends the exchange's line to the access log. */
void eddy__server_log(struct eddy_server *s, struct eddy_exchange *x);

#endif
