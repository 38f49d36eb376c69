/*
 * run.c — eddy_server_run(): the whole serving process, like Hypercorn's
 * --workers or nginx's worker processes, with threads.
 *
 * The calling thread turns SIGINT, SIGTERM and SIGHUP into loop events
 * before any worker starts (so every worker inherits the blocked mask and
 * only the signalfd sees them), then starts N threads, each running its own
 * loop and server on a SO_REUSEPORT listener: the kernel spreads connections
 * over them.  Worker 0 binds first so that port 0 resolves to one port for
 * all.  Each worker waits on two eventfds: "stop" (graceful shutdown) and
 * "hup" (reopen the access log).
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

struct worker {
    pthread_t thread;
    bool started;                 /* thread is running (join it) */
    struct eddy_server_opts opts; /* the shared options, with this worker's listen */
    char listen[EDDY_ADDR_STRLEN];
    int stopfd, hupfd; /* eventfds the main thread writes */
    int readyfd;       /* the main thread's: one count per worker ready */
    int port, err;     /* set before readyfd is written */
    struct eddy_server *srv;
};

static void poke(int fd)
{
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);
    (void)n; /* an eventfd only fails on overflow, which cannot happen here */
}

/* Waits until eventfd fd has been written; 0 or a negative errno. */
static int await_poke(int fd)
{
    for (;;) {
        uint64_t v;
        if (read(fd, &v, sizeof v) == sizeof v)
            return 0;
        if (errno != EAGAIN)
            return -errno;
        int r = eddy_wait_fd(fd, EDDY_READ, EDDY_FOREVER);
        if (r < 0)
            return r;
    }
}

static int hup_task(void *arg)
{
    struct worker *w = arg;
    while (await_poke(w->hupfd) == 0)
        eddy_server_reopen_log(w->srv);
    return 0;
}

static int worker_main(void *arg)
{
    struct worker *w = arg;
    if (w->opts.worker_start && (w->err = w->opts.worker_start(w->opts.arg)) < 0) {
        if (w->opts.worker_stop) /* undoes what the failed start did */
            w->opts.worker_stop(w->opts.arg);
        poke(w->readyfd);
        return w->err;
    }
    w->srv = eddy_server_start(&w->opts);
    if (!w->srv) {
        w->err = -errno;
        if (w->opts.worker_stop)
            w->opts.worker_stop(w->opts.arg);
        poke(w->readyfd);
        return w->err;
    }
    w->port = eddy_server_port(w->srv);
    poke(w->readyfd);
    struct eddy_task *hup = eddy_spawn(hup_task, w, "sighup");
    await_poke(w->stopfd);
    if (hup) {
        eddy_cancel(hup);
        if (eddy_join(hup, NULL) < 0)
            eddy_detach(hup); /* we were cancelled: it ends on its own */
    }
    eddy_fd_forget(w->stopfd);
    eddy_fd_forget(w->hupfd);
    int err = eddy_server_stop(w->srv, eddy_deadline_in(w->opts.shutdown_timeout_ns > 0
                                                            ? w->opts.shutdown_timeout_ns
                                                            : 10 * EDDY_SEC));
    if (w->opts.worker_stop)
        w->opts.worker_stop(w->opts.arg);
    return err;
}

static void *worker_thread(void *arg)
{
    struct worker *w = arg;
    int err = eddy_run(worker_main, w, NULL);
    if (err < 0 && !w->err)
        w->err = err;
    return NULL;
}

struct run {
    const struct eddy_server_opts *opts;
    struct worker *workers;
    unsigned n;
    void (*on_ready)(void *arg, int port);
    void *ready_arg;
    int readyfd;
    struct eddy_event *stop;
    int err; /* run_main's own failure */
};

static int start_worker(struct run *r, unsigned i, const char *listen)
{
    struct worker *w = &r->workers[i];
    w->opts = *r->opts;
    snprintf(w->listen, sizeof w->listen, "%s", listen);
    w->opts.listen = w->listen;
    w->opts.reuseport = r->n > 1 || r->opts->reuseport;
    w->readyfd = r->readyfd;
    w->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->hupfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->stopfd < 0 || w->hupfd < 0)
        return -errno;
    if ((errno = pthread_create(&w->thread, NULL, worker_thread, w)))
        return -errno;
    w->started = true;
    int err = await_poke(r->readyfd);
    return err < 0 ? err : w->err;
}

/* A signal task: SIGHUP fans out to the workers; the others stop us. */
struct sig {
    struct run *run;
    int signo;
};

static int signal_task(void *arg)
{
    struct sig *s = arg;
    struct eddy_event *ev = eddy_signal_event(s->signo);
    if (!ev)
        return -errno;
    while (eddy_event_wait(ev, EDDY_FOREVER) == 0) {
        eddy_event_clear(ev);
        if (s->signo != SIGHUP) {
            eddy_event_set(s->run->stop);
            return 0;
        }
        for (unsigned i = 0; i < s->run->n; i++)
            if (s->run->workers[i].started)
                poke(s->run->workers[i].hupfd);
    }
    return 0;
}

static int run_main(void *arg)
{
    struct run *r = arg;
    int err = 0;
    struct sig sigs[3] = {{r, SIGINT}, {r, SIGTERM}, {r, SIGHUP}};
    struct eddy_task *sigt[3] = {0};
    /* Block the signals here, before any worker thread exists. */
    for (int i = 0; i < 3; i++)
        if (!eddy_signal_event(sigs[i].signo))
            return -errno;
    for (int i = 0; i < 3; i++)
        sigt[i] = eddy_spawn(signal_task, &sigs[i], "signals");
    const char *listen = r->opts->listen ? r->opts->listen : "127.0.0.1:8080";
    err = start_worker(r, 0, listen);
    if (!err && r->n > 1) {
        /* Port 0 means one free port for every worker. */
        struct eddy_addr a;
        char resolved[EDDY_ADDR_STRLEN];
        if (eddy_addr_parse(&a, listen) < 0 || a.u.sa.sa_family == AF_UNIX) {
            err = -EINVAL; /* Unix sockets cannot be shared with SO_REUSEPORT */
        } else {
            if (a.u.sa.sa_family == AF_INET)
                a.u.in.sin_port = htons((uint16_t)r->workers[0].port);
            else
                a.u.in6.sin6_port = htons((uint16_t)r->workers[0].port);
            eddy_addr_format(&a, resolved, sizeof resolved);
            for (unsigned i = 1; i < r->n && !err; i++)
                err = start_worker(r, i, resolved);
        }
    }
    if (!err) {
        if (r->on_ready)
            r->on_ready(r->ready_arg, r->workers[0].port);
        eddy_event_wait(r->stop, EDDY_FOREVER);
    }
    for (unsigned i = 0; i < r->n; i++)
        if (r->workers[i].started)
            poke(r->workers[i].stopfd);
    for (int i = 0; i < 3; i++)
        if (sigt[i]) {
            eddy_cancel(sigt[i]);
            if (eddy_join(sigt[i], NULL) < 0)
                eddy_detach(sigt[i]);
        }
    eddy_fd_forget(r->readyfd);
    r->err = err;
    return err;
}

/* A server's connections are descriptors: the soft limit (often 1024) goes
 * up to the hard one, as Go's runtime does at start. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int eddy_server_run(const struct eddy_server_opts *opts, void (*on_ready)(void *arg, int port),
                    void *ready_arg)
{
    raise_fd_limit();
    struct run r = {.opts = opts,
                    .n = opts->workers ? opts->workers : 1,
                    .on_ready = on_ready,
                    .ready_arg = ready_arg};
    r.workers = calloc(r.n, sizeof *r.workers);
    r.readyfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct eddy_loop *loop = NULL;
    int err = -ENOMEM;
    if (!r.workers || r.readyfd < 0)
        goto out;
    for (unsigned i = 0; i < r.n; i++)
        r.workers[i].stopfd = r.workers[i].hupfd = -1;
    if (!(loop = eddy_loop_new(NULL))) {
        err = -errno;
        goto out;
    }
    if (!(r.stop = eddy_event_new()))
        goto out;
    struct eddy_task *t = eddy_spawn(run_main, &r, "main");
    if (!t)
        goto out;
    eddy_detach(t);
    eddy_loop_run(loop);
    err = r.err;
    for (unsigned i = 0; i < r.n; i++) {
        struct worker *w = &r.workers[i];
        if (w->started)
            pthread_join(w->thread, NULL);
        if (w->err && !err)
            err = w->err;
    }
out:
    for (unsigned i = 0; r.workers && i < r.n; i++) {
        if (r.workers[i].stopfd >= 0)
            close(r.workers[i].stopfd);
        if (r.workers[i].hupfd >= 0)
            close(r.workers[i].hupfd);
    }
    if (r.readyfd >= 0)
        close(r.readyfd);
    eddy_event_free(r.stop);
    eddy_loop_free(loop);
    free(r.workers);
    return err;
}
