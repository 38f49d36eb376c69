/*
 * signal.c — signals as events: eddy_signal_event(SIGHUP) blocks the signal
 * in the calling thread and reads it from one signalfd per loop, so a
 * handler never runs at an arbitrary point; the event is set on the loop.
 * eddy_loop_free() drains the signalfd and unblocks what it blocked.
 */
#include "internal.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct eddy_event *eddy_signal_event(int signo)
{
    struct eddy_loop *l = eddy__loop;
    if (!l) {
        errno = EPERM;
        return NULL;
    }
    if (signo <= 0 || signo >= 65 || signo == SIGKILL || signo == SIGSTOP) {
        errno = EINVAL;
        return NULL;
    }
    if (l->sig_events[signo])
        return l->sig_events[signo];
    struct eddy_event *ev = eddy_event_new();
    if (!ev)
        return NULL;
    bool first = l->sigfd < 0;
    if (first) {
        sigemptyset(&l->sigmask);
        pthread_sigmask(SIG_BLOCK, NULL, &l->sig_oldmask);
    }
    sigset_t one, mask = l->sigmask;
    sigemptyset(&one);
    sigaddset(&one, signo);
    sigaddset(&mask, signo);
    /* Block first: a signal arriving in between then waits in the fd. */
    pthread_sigmask(SIG_BLOCK, &one, NULL);
    int fd = signalfd(l->sigfd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd >= 0 && first) {
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = EDDY__TAG_SIGNAL};
        if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
            int err = errno;
            close(fd);
            fd = -1;
            errno = err;
        }
    }
    if (fd < 0) {
        int err = errno;
        if (!sigismember(&l->sig_oldmask, signo))
            pthread_sigmask(SIG_UNBLOCK, &one, NULL);
        eddy_event_free(ev);
        errno = err;
        return NULL;
    }
    if (first)
        l->nregistered++;
    l->sigfd = fd;
    l->sigmask = mask;
    l->sig_events[signo] = ev;
    return ev;
}

void eddy__signal_on_read(struct eddy_loop *l)
{
    struct signalfd_siginfo si[16];
    ssize_t n;
    while ((n = read(l->sigfd, si, sizeof si)) > 0)
        for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++)
            if (si[i].ssi_signo < 65 && l->sig_events[si[i].ssi_signo])
                eddy_event_set(l->sig_events[si[i].ssi_signo]);
}

void eddy__signal_free(struct eddy_loop *l)
{
    if (l->sigfd < 0)
        return;
    struct signalfd_siginfo si[16];
    while (read(l->sigfd, si, sizeof si) > 0)
        ; /* consume pending ones: unblocking them would run their default action */
    close(l->sigfd);
    l->sigfd = -1;
    sigset_t unblock;
    sigemptyset(&unblock);
    for (int s = 1; s < 65; s++) {
        if (l->sig_events[s]) {
            if (!sigismember(&l->sig_oldmask, s))
                sigaddset(&unblock, s);
            eddy_event_free(l->sig_events[s]);
            l->sig_events[s] = NULL;
        }
    }
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
}
