/*
 * group.c — task groups (structured concurrency, asyncio.TaskGroup).
 *
 * The group is the caller's memory (loop.h shows its fields).  Children
 * are ordinary tasks marked detached (the group, not the user,
 * holds them) and linked into the group's list.  A child that ends removes
 * itself; the first failure (result < 0) records its result and cancels the
 * siblings.  eddy_group_wait() waits until the list is empty; if the waiter
 * is cancelled or times out it cancels the children and keeps waiting,
 * shielded, so that no child outlives the call.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void eddy_group_init(struct eddy_group *g)
{
    *g = (struct eddy_group){0};
}

int eddy_group_spawn(struct eddy_group *g, eddy_task_fn fn, void *arg, const char *name)
{
    if (g->cancelled)
        return -ECANCELED;
    struct eddy_task *t = eddy_spawn(fn, arg, name);
    if (!t)
        return -errno;
    t->detached = true;
    t->group = g;
    t->gnext = g->children;
    if (g->children)
        g->children->gprev = t;
    g->children = t;
    g->n++;
    return 0;
}

void eddy_group_cancel(struct eddy_group *g)
{
    g->cancelled = true;
    for (struct eddy_task *t = g->children; t; t = t->gnext)
        eddy_cancel(t);
}

void eddy__group_child_done(struct eddy_task *t)
{
    struct eddy_group *g = t->group;
    if (t->gprev)
        t->gprev->gnext = t->gnext;
    else
        g->children = t->gnext;
    if (t->gnext)
        t->gnext->gprev = t->gprev;
    t->group = NULL;
    g->n--;
    if (t->result < 0 && !g->error) {
        g->error = t->result;
        eddy_group_cancel(g);
    }
    if (!g->n)
        eddy__waitq_wake_all(&g->waiters, 0);
}

EDDY_AWAITS int eddy_group_wait(struct eddy_group *g)
{
    struct eddy_task *t;
    int r = eddy__enter(&t);
    if (r < 0)
        return r;
    void *where = __builtin_return_address(0);
    int err = 0;
    while (g->n) {
        struct eddy__waiter w = {.task = t};
        eddy__waitq_push(&g->waiters, &w);
        /* Once interrupted, wait shielded: the children must end first. */
        r = eddy__suspend(t, &w, 1, EDDY_FOREVER, err != 0, false, where);
        if (r < 0 && !err) {
            err = r;
            eddy_group_cancel(g);
        }
    }
    return err ? err : g->error;
}

void eddy_group_fini(struct eddy_group *g)
{
    if (g->n) {
        fprintf(stderr, "eddy: eddy_group_fini: group still has %zu child(ren):", g->n);
        for (struct eddy_task *t = g->children; t; t = t->gnext)
            fprintf(stderr, " \"%s\"", t->name);
        fprintf(stderr, "\n");
        abort();
    }
}
