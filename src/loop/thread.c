/*
 * thread.c — eddy_to_thread(): a small thread pool per loop, started on
 * first use, that runs blocking functions off the loop.
 *
 * The caller's job record lives on its own stack; a worker runs it, pushes
 * it on the finished list and writes the loop's eventfd, which epoll turns
 * into a wake-up of the waiting task.  The wait is shielded: a cancelled or
 * timed-out caller still waits for fn (which uses the caller's memory) and
 * only then returns -ECANCELED / -ETIMEDOUT.
 *
 * Size: EDDY_THREADS in the environment (1..64), default 4 — enough for a
 * few blocking calls (DNS, file I/O, SQLite) at once without oversubscribing
 * a small machine.  Workers block every signal (signals are the loop's).
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct job {
    int (*fn)(void *arg);   /* what to run */
    void *arg;              /* with what */
    int result;             /* fn's return value */
    struct eddy_task *task; /* who waits */
    struct job *next;       /* queue / finished list */
};

struct eddy__pool {
    pthread_mutex_t mu;      /* guards everything below */
    pthread_cond_t cv;       /* work queued or stop */
    struct job *head, *tail; /* queued jobs, FIFO */
    struct job *done;        /* finished jobs, for the loop */
    bool stop;               /* eddy_loop_free */
    int efd;                 /* eventfd the loop polls */
    size_t n;                /* threads started */
    pthread_t threads[];     /* them */
};

int eddy__thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int r = pthread_create(th, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return -r;
}

static void *worker(void *arg)
{
    struct eddy__pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && !p->head)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop)
            break;
        struct job *j = p->head;
        if (!(p->head = j->next))
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        int r = j->fn(j->arg);
        pthread_mutex_lock(&p->mu);
        j->result = r;
        j->next = p->done;
        p->done = j;
        uint64_t one = 1;
        if (write(p->efd, &one, sizeof one) < 0) {
            /* cannot fail: the counter would need 2^64 - 1 pending wakes */
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static int pool_start(struct eddy_loop *l)
{
    const char *env = getenv("EDDY_THREADS");
    long n = env ? strtol(env, NULL, 10) : 4;
    if (n < 1 || n > 64)
        n = 4;
    struct eddy__pool *p = calloc(1, sizeof *p + (size_t)n * sizeof(pthread_t));
    if (!p)
        return -ENOMEM;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EDDY__TAG_POOL};
    int r = p->efd < 0 ? -errno : epoll_ctl(l->epfd, EPOLL_CTL_ADD, p->efd, &ev) < 0 ? -errno : 0;
    l->pool_threads = p;
    if (r < 0) {
        eddy__pool_free(l);
        return r;
    }
    l->nregistered++;
    for (; p->n < (size_t)n; p->n++)
        if ((r = eddy__thread_start(&p->threads[p->n], worker, p)) < 0)
            break;
    if (!p->n) {
        eddy__pool_free(l);
        return r;
    }
    return 0;
}

void eddy__pool_on_wake(struct eddy_loop *l)
{
    struct eddy__pool *p = l->pool_threads;
    uint64_t v;
    if (read(p->efd, &v, sizeof v) < 0) {
        /* EAGAIN: a previous read already took this count */
    }
    pthread_mutex_lock(&p->mu);
    struct job *j = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->mu);
    while (j) {
        struct job *next = j->next; /* j dies once its task runs */
        eddy__wake(j->task, 0);
        j = next;
    }
}

void eddy__pool_free(struct eddy_loop *l)
{
    struct eddy__pool *p = l->pool_threads;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    if (p->efd >= 0) {
        if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, p->efd, NULL) == 0)
            l->nregistered--;
        close(p->efd);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    l->pool_threads = NULL;
}

EDDY_AWAITS int eddy_to_thread(int (*fn)(void *arg), void *arg)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    struct eddy_loop *l = t->loop;
    /* An interrupted task does not start new work. */
    if (t->cancelled)
        return -ECANCELED;
    int64_t d = eddy_timeout_deadline();
    if (d != EDDY_FOREVER && d <= eddy_now()) {
        eddy__timeout_expire(t, d);
        return -ETIMEDOUT;
    }
    if (!l->pool_threads && (r = pool_start(l)) < 0)
        return r;
    struct eddy__pool *p = l->pool_threads;
    struct job j = {fn, arg, 0, t, NULL};
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = &j;
    else
        p->head = &j;
    p->tail = &j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    eddy__suspend(t, NULL, 0, EDDY_FOREVER, true, false, __builtin_return_address(0));
    if (t->cancelled)
        return -ECANCELED;
    d = eddy_timeout_deadline();
    if (d != EDDY_FOREVER && d <= eddy_now()) {
        eddy__timeout_expire(t, d);
        return -ETIMEDOUT;
    }
    return j.result;
}
