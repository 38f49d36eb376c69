/*
 * digest_sched.c — `eddy serve`'s digest: "Send now" from /digest, and a
 * background task that mails it every day at a local time.
 *
 * The digest is compiled on the store's pool; the message is written and
 * mailed on a thread (eddy_to_thread): libcurl's SMTP transfer blocks.
 *
 * The state is one small file in the data folder, digest-last-sent: the
 * scheduled time (Unix seconds) last handled.  The store has no settings
 * table yet; a file also survives a store rebuilt from an export.  It is
 * written when the schedule first starts (so a later start can tell a
 * missed send from a new schedule) and after each send.  At start, a
 * scheduled time after the recorded one that has passed (the server was
 * down then) is sent at once; the recorded one never again.  A send that
 * fails is logged and not recorded: the next day's (or the next start)
 * tries again.
 */
#include "serve.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY         (24 * 3600)
#define STATE_FILE  "digest-last-sent"
#define DEFAULT_URL "smtp://localhost:25"

struct eddy__digest {
    const char *to;
    char from[320];
    struct eddy_app_smtp smtp;
    bool daily;
    int64_t at, since; /* seconds after local midnight; the window's length */
    char *state;       /* the state file's path */
};

int eddy__digest_new(struct eddy__site *site, const struct eddy_app_serve_opts *o, const char *dir)
{
    if (!o->digest_to || !*o->digest_to)
        return 0;
    struct eddy__digest *d = calloc(1, sizeof *d);
    if (!d || asprintf(&d->state, "%s/" STATE_FILE, dir) < 0) {
        free(d);
        return -ENOMEM;
    }
    d->to = o->digest_to;
    if (o->digest_from)
        snprintf(d->from, sizeof d->from, "%s", o->digest_from);
    else /* the first recipient */
        snprintf(d->from, sizeof d->from, "%.*s", (int)strcspn(d->to, ", "), d->to);
    if (o->smtp)
        d->smtp = *o->smtp;
    if (!d->smtp.url)
        d->smtp.url = DEFAULT_URL;
    d->daily = o->digest_daily;
    d->at = o->digest_at;
    d->since = o->digest_since > 0 ? o->digest_since : DAY;
    site->digest = d;
    return 0;
}

void eddy__digest_free(struct eddy__site *site)
{
    if (!site->digest)
        return;
    free(site->digest->state);
    free(site->digest);
    site->digest = NULL;
}

const char *eddy__digest_to(const struct eddy__site *site)
{
    return site->digest ? site->digest->to : NULL;
}

/* ------------------------------------------------------------- sending */

struct send_job {
    const struct eddy__digest *cfg;
    const struct eddy_app_digest *d;
    char *why;
};

/* On a thread: the message written and mailed. */
static int send_job(void *arg)
{
    struct send_job *j = arg;
    const struct eddy_app_mail m = {.from = j->cfg->from, .to = j->cfg->to};
    struct eddy_buf msg = EDDY_BUF_INIT(0);
    int err = eddy_app_digest_message(j->d, &m, false, &msg);
    if (err < 0)
        j->why = strdup(eddy_strerror(err));
    else
        err = eddy_app_mail_send(&j->cfg->smtp, m.from, m.to, msg.data, msg.len, &j->why);
    eddy_buf_free(&msg);
    return err;
}

EDDY_AWAITS int eddy__digest_send(struct eddy__site *site, int64_t since, size_t *sent, char **why)
{
    *sent = 0;
    if (why)
        *why = NULL;
    if (!site->digest)
        return -ENOENT;
    struct eddy_app_digest *d = NULL;
    const struct eddy_app_digest_opts o = {.since = since};
    int err = eddy_app_digest_compile_await(site->store, &o, &d);
    struct send_job j = {.cfg = site->digest, .d = d};
    size_t n = err < 0 ? 0 : eddy_app_digest_count(d, NULL, NULL);
    if (n)
        err = eddy_to_thread(send_job, &j);
    eddy_app_digest_free(d);
    if (err >= 0 && n) {
        *sent = n;
        if (site->metrics)
            eddy__metrics_digest_sent(site->metrics);
    }
    if (err < 0 && why && !j.why) {
        const char *where = n ? site->digest->smtp.url : "the store";
        if (asprintf(&j.why, "%s: %s", where, eddy_strerror(err)) < 0)
            j.why = NULL;
    }
    if (why)
        *why = j.why;
    else
        free(j.why);
    return err;
}

/* ------------------------------------------------------------ the schedule */

/* The first local time of day `at` (seconds after midnight) later than t. */
static int64_t next_time(int64_t t, int64_t at)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    for (int day = 0; day < 3; day++) { /* tomorrow at the latest; a DST day may skip it */
        struct tm c = tm;
        c.tm_mday += day;
        c.tm_hour = (int)(at / 3600), c.tm_min = (int)(at / 60 % 60), c.tm_sec = (int)(at % 60);
        c.tm_isdst = -1;
        int64_t r = (int64_t)mktime(&c);
        if (r > t)
            return r;
    }
    return t + DAY;
}

struct state {
    const char *path;
    int64_t value; /* 0: no file */
    bool write;
};

/* On a thread: reads, or (write) replaces, the state file. */
static int state_job(void *arg)
{
    struct state *s = arg;
    if (!s->write) {
        FILE *f = fopen(s->path, "r");
        if (!f)
            return errno == ENOENT ? 0 : -errno;
        long long v = 0;
        int ok = fscanf(f, "%lld", &v) == 1 && v > 0;
        fclose(f);
        s->value = ok ? v : 0;
        return 0;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", s->path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -errno;
    int ok = fprintf(f, "%" PRId64 "\n", s->value) > 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, s->path) < 0) {
        int err = ok ? -errno : -EIO;
        remove(tmp);
        return err;
    }
    return 0;
}

static int record(struct eddy__site *site, int64_t t)
{
    struct state s = {.path = site->digest->state, .value = t, .write = true};
    int err = eddy_to_thread(state_job, &s);
    if (err < 0 && err != -ECANCELED)
        eddy__serve_log(site, "digest: cannot record the send in %s: %s", s.path,
                        eddy_strerror(err));
    return err;
}

/* Sends the digest scheduled at t; records it when it went (or there was
 * nothing to send). */
static int scheduled(struct eddy__site *site, int64_t t)
{
    size_t sent;
    char *why = NULL;
    int err = eddy__digest_send(site, t - site->digest->since, &sent, &why);
    if (err == -ECANCELED) {
        free(why);
        return err;
    }
    if (err < 0)
        eddy__serve_log(site, "digest: not sent, next try tomorrow: %s",
                        why ? why : eddy_strerror(err));
    else if (sent)
        eddy__serve_log(site, "digest: sent %zu entries to %s", sent, site->digest->to);
    else
        eddy__serve_log(site, "digest: nothing new, nothing sent");
    free(why);
    return err < 0 ? 0 : record(site, t);
}

/* Sleeps until the wall clock reads t (a sleep is monotonic: check again). */
static int sleep_until_time(int64_t t)
{
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t left = (t - (int64_t)ts.tv_sec) * EDDY_SEC - ts.tv_nsec;
        if (left <= 0)
            return 0;
        int err = eddy_sleep(left);
        if (err < 0)
            return err;
    }
}

int eddy__digest_task(void *arg)
{
    struct eddy__site *site = eddy_app_loop_data(arg);
    struct eddy__digest *d = site ? site->digest : NULL;
    if (!d || !d->daily)
        return 0;
    struct state s = {.path = d->state};
    int err = eddy_to_thread(state_job, &s);
    if (err == -ECANCELED)
        return 0;
    int64_t now = (int64_t)time(NULL), last = s.value;
    if (err < 0)
        eddy__serve_log(site, "digest: %s: %s", s.path, eddy_strerror(err));
    if (!last) { /* a new schedule: its first send is the next one */
        if (record(site, now) == -ECANCELED)
            return 0;
        last = now;
    } else {
        /* The latest scheduled time that has passed, when none was handled
         * since: the server was down then. */
        int64_t missed = next_time(now - 2 * DAY, d->at), t;
        while ((t = next_time(missed, d->at)) <= now)
            missed = t;
        if (missed > last && missed <= now) {
            eddy__serve_log(site, "digest: the one due at %" PRId64 " was missed: sending it now",
                            missed);
            if (scheduled(site, missed) == -ECANCELED)
                return 0;
            last = missed;
        }
    }
    for (;;) {
        now = (int64_t)time(NULL);
        int64_t t = next_time(now > last ? now : last, d->at);
        if (sleep_until_time(t) < 0 || scheduled(site, t) == -ECANCELED)
            return 0;
        last = t;
    }
}
