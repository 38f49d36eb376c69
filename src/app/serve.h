/*
 * app/serve.h — what the parts of `eddy serve` share (serve.c, sched.c,
 * metrics.c, auth.c).  Everything here runs on the one serving loop.
 */
#ifndef EDDY_APP_SERVE_H
#define EDDY_APP_SERVE_H

#include "internal.h"

/* ---- serve.c ------------------------------------------------------------ */

/* One line (no newline) to the serve options' logger. */
void eddy__serve_log(struct eddy__site *site, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- metrics.c: counters and GET /metrics ------------------------------- */

/* Counters of one serving loop (`loop`: whose watchdog /metrics reports).
 * NULL on ENOMEM; eddy__metrics_free (NULL is a no-op). */
struct eddy__metrics *eddy__metrics_new(struct eddy_loop *loop);
void eddy__metrics_free(struct eddy__metrics *m);
/* A refresh pass's progress callback (arg: the metrics): one feed's outcome. */
void eddy__metrics_feed_done(void *arg, const struct eddy_app_feed_done *d);
/* A pass ended: the feeds it took, its duration. */
void eddy__metrics_pass(struct eddy__metrics *m, size_t feeds, int64_t ns);
/* Hooks: a stamp before each request, its status class and latency after. */
int eddy__metrics_before(struct eddy_request *req, struct eddy_response *res);
int eddy__metrics_after(struct eddy_request *req, struct eddy_response *res);
/* GET /metrics (Prometheus text format 0.0.4). */
int eddy__metrics_view(struct eddy_request *req, struct eddy_response *res);

/* ---- sched.c: the refresh scheduler ------------------------------------- */

/* Sets site->sched and site->wake: passes with *o as their options (the
 * progress callback and the sessions are the scheduler's).  0 or -ENOMEM. */
int eddy__sched_new(struct eddy__site *site, const struct eddy_app_refresh_opts *o);
void eddy__sched_free(struct eddy__site *site);
/* The background task (arg: the web app): passes over the due feeds, the
 * search index caught up after each, then a sleep until the next feed is
 * due, a wake, or a minute.  Returns 0 when cancelled. */
int eddy__sched_task(void *arg);

/* ---- digest_sched.c: the digest on a schedule --------------------------- */

/* Sets site->digest from o (nothing when o->digest_to is unset): the state
 * file is dir/digest-last-sent.  0 or -ENOMEM. */
int eddy__digest_new(struct eddy__site *site, const struct eddy_app_serve_opts *o, const char *dir);
void eddy__digest_free(struct eddy__site *site);
/* The background task (arg: the web app): with a daily digest configured,
 * sleeps until its local time, sends it, records it; else returns at once.
 * Returns 0 when cancelled. */
int eddy__digest_task(void *arg);
/* metrics.c: a digest was mailed. */
void eddy__metrics_digest_sent(struct eddy__metrics *m);

/* ---- auth.c ------------------------------------------------------------- */

/* Before-request hook: /api/ requests need eddy__authorized (401 JSON). */
int eddy__auth_before(struct eddy_request *req, struct eddy_response *res);
/* Whether a listen address ("127.0.0.1:8080", "[::1]:80", "unix:/x") only
 * takes connections from this machine: loopback or a Unix socket.  -EINVAL
 * when it is no numeric address. */
int eddy__listen_local(const char *listen);

#endif
