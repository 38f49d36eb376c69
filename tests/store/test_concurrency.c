/* Tests of store/ under concurrency and crashes: reads answer while a write
 * transaction is held, from threads and from tasks on the loop; readers and
 * writers at once; kill -9 in the middle of writing loses nothing that was
 * reported committed and never corrupts the file. */
#include "../test.h"

#include "eddy/loop.h"
#include "eddy/store.h"
#include "../../src/store/internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static struct eddy_store *open_tmp(void)
{
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    return s;
}

/* Fills `v` (n entries, strings in `buf`) with entries "<prefix>-<i>". */
static void make_batch(struct eddy_store_entry_in *v, char (*buf)[48], size_t n, const char *prefix,
                       int64_t date)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], 48, "%s-%zu", prefix, i);
        v[i] = (struct eddy_store_entry_in){.guid = buf[i],
                                            .title = buf[i],
                                            .content = "some words to index",
                                            .date = date,
                                            .date_source = EDDY_STORE_DATE_PARSED};
    }
}

/* --------------------------------------------- a held write, reads answer */

/* Another connection holds a write transaction (a long refresh, say) until
 * told to commit. */
struct holder {
    char path[512];
    atomic_int holding, release, committed;
};

static void *hold_write(void *arg)
{
    struct holder *h = arg;
    sqlite3 *db;
    if (sqlite3_open(h->path, &db) != SQLITE_OK)
        return NULL;
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE;"
                     "INSERT INTO feeds (url) VALUES ('http://uncommitted/')",
                     NULL, NULL, NULL) == SQLITE_OK) {
        atomic_store(&h->holding, 1);
        while (!atomic_load(&h->release))
            usleep(1000);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
            atomic_store(&h->committed, 1);
    }
    sqlite3_close(db);
    atomic_store(&h->holding, 0);
    return NULL;
}

TEST(store_reads_answer_while_a_write_is_held)
{
    struct eddy_store *s = open_tmp();
    int64_t f = 0;
    CHECK_INT(eddy_store_feed_add(s, "http://f/", NULL, NULL, &f), ==, 0);
    struct eddy_store_entry_in v[15];
    char buf[15][48];
    make_batch(v, buf, 15, "e", 100);
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 15, 1000, NULL), ==, 0);

    static struct holder h;
    snprintf(h.path, sizeof h.path, "%s/eddy.db", test_tmpdir());
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, hold_write, &h), ==, 0);
    while (!atomic_load(&h.holding))
        usleep(1000);
    /* The writer holds its transaction until we release it: each read
     * below answers (from the last committed state) while it does. */
    struct eddy_store_page p;
    struct eddy_store_query q = {0};
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 15);
    eddy_store_page_fini(&p);
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.feeds, ==, 1); /* the uncommitted feed is not seen */
    struct eddy_store_feed fd;
    CHECK_INT(eddy_store_feed_by_url(s, "http://uncommitted/", &fd), ==, -ENOENT);
    CHECK_INT(atomic_load(&h.holding), ==, 1);
    CHECK_INT(atomic_load(&h.committed), ==, 0);
    atomic_store(&h.release, 1);
    pthread_join(t, NULL);
    CHECK_INT(atomic_load(&h.committed), ==, 1);
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.feeds, ==, 2);
    eddy_store_close(s);
}

/* The same from the loop: many tasks' writes wait behind the held
 * transaction while another task's reads are answered — and it is that
 * other task that ends the held transaction, so the writes can only finish
 * if the loop kept running and a pool thread stayed free for the reads
 * (more writers than the pool has threads). */
#define LOOP_WRITERS 8

struct loop_case {
    struct eddy_store *s;
    struct holder *h;
    int64_t feed;
    int order[LOOP_WRITERS + 1], norder;
    int write_result[LOOP_WRITERS], read_result;
};

struct writer_ctx {
    struct loop_case *c;
    int i;
};

static int writer_task(void *arg)
{
    struct writer_ctx *w = arg;
    struct eddy_store_entry_in v[15];
    char buf[15][48], prefix[16];
    snprintf(prefix, sizeof prefix, "late%d", w->i);
    make_batch(v, buf, 15, prefix, 200);
    struct eddy_store_upsert r;
    w->c->write_result[w->i] = eddy_store_upsert_await(w->c->s, w->c->feed, v, 15, 1000, &r);
    w->c->order[w->c->norder++] = 2;
    return 0;
}

static int reader_task(void *arg)
{
    struct loop_case *c = arg;
    CHECK_INT(eddy_yield(), ==, 0); /* let the writer tasks start their calls */
    struct eddy_store_page p;
    struct eddy_store_query q = {0};
    c->read_result = eddy_store_entries_await(c->s, &q, &p);
    c->order[c->norder++] = 1;
    CHECK_INT(p.n, ==, 15);
    eddy_store_page_fini(&p);
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats_await(c->s, &st), ==, 0);
    CHECK_INT(st.entries, ==, 15);
    atomic_store(&c->h->release, 1);
    return 0;
}

static int loop_main(void *arg)
{
    struct loop_case *c = arg;
    struct writer_ctx w[LOOP_WRITERS];
    struct eddy_task *t[LOOP_WRITERS + 1];
    for (int i = 0; i < LOOP_WRITERS; i++) {
        w[i] = (struct writer_ctx){c, i};
        CHECK((t[i] = eddy_spawn(writer_task, &w[i], "store-writer")));
    }
    CHECK((t[LOOP_WRITERS] = eddy_spawn(reader_task, c, "store-reader")));
    for (int i = 0; i <= LOOP_WRITERS; i++)
        CHECK_INT(eddy_join(t[i], NULL), ==, 0);
    return 0;
}

TEST(store_loop_keeps_serving_while_writes_wait)
{
    struct eddy_store *s = open_tmp();
    static struct loop_case c;
    static struct holder h;
    c.s = s;
    c.h = &h;
    CHECK_INT(eddy_store_feed_add(s, "http://f/", NULL, NULL, &c.feed), ==, 0);
    struct eddy_store_entry_in v[15];
    char buf[15][48];
    make_batch(v, buf, 15, "e", 100);
    CHECK_INT(eddy_store_entries_upsert(s, c.feed, v, 15, 1000, NULL), ==, 0);

    snprintf(h.path, sizeof h.path, "%s/eddy.db", test_tmpdir());
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, hold_write, &h), ==, 0);
    while (!atomic_load(&h.holding))
        usleep(1000);
    CHECK_INT(eddy_run(loop_main, &c, NULL), ==, 0);
    pthread_join(t, NULL);
    CHECK_INT(c.read_result, ==, 0);
    for (int i = 0; i < LOOP_WRITERS; i++)
        CHECK_INT(c.write_result[i], ==, 0);
    CHECK_INT(c.norder, ==, LOOP_WRITERS + 1);
    CHECK_INT(c.order[0], ==, 1); /* the read answered first */
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.entries, ==, 15 * (LOOP_WRITERS + 1));
    eddy_store_close(s);
}

/* eddy_store_run_await: a sequence of calls off the loop, as a write. */
static int subscribe_two(struct eddy_store *s, void *arg)
{
    int64_t *ids = arg;
    int err = eddy_store_feed_add(s, "http://one/", "One", "x", &ids[0]);
    return err < 0 ? err : eddy_store_feed_add(s, "http://two/", NULL, "x", &ids[1]);
}

static int run_main(void *arg)
{
    struct eddy_store *s = arg;
    int64_t ids[2] = {0, 0};
    CHECK_INT(eddy_store_run_await(s, true, subscribe_two, ids), ==, 0);
    CHECK(ids[0] > 0 && ids[1] > ids[0]);
    CHECK_INT(eddy_store_run_await(s, true, subscribe_two, ids), ==, -EEXIST);
    struct eddy_store_feed *due;
    size_t n;
    CHECK_INT(eddy_store_due_await(s, 0, 0, &due, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    eddy_store_feeds_free(due, n);
    return 0;
}

TEST(store_run_await_any_call)
{
    struct eddy_store *s = open_tmp();
    CHECK_INT(eddy_run(run_main, s, NULL), ==, 0);
    eddy_store_close(s);
}

TEST(store_awaits_fail_cleanly_outside_a_task)
{
    struct eddy_store *s = open_tmp();
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats_await(s, &st), ==, -EPERM);
    eddy_store_close(s);
}

/* ------------------------------------------- readers and writers at once */

#define WRITERS   2
#define BATCHES   40
#define PER_BATCH 20

struct mix {
    struct eddy_store *s;
    int64_t feeds[WRITERS];
    atomic_int writers_left;
    atomic_int failures;
};

struct writer_arg {
    struct mix *m;
    int w;
};

static void *mix_writer(void *arg)
{
    struct writer_arg *wa = arg;
    struct eddy_store_entry_in v[PER_BATCH];
    char buf[PER_BATCH][48];
    for (int b = 0; b < BATCHES; b++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "w%d-b%d", wa->w, b);
        make_batch(v, buf, PER_BATCH, prefix, 1000 + b);
        struct eddy_store_upsert r;
        if (eddy_store_entries_upsert(wa->m->s, wa->m->feeds[wa->w], v, PER_BATCH, 5000, &r) < 0 ||
            r.added != PER_BATCH)
            atomic_fetch_add(&wa->m->failures, 1);
        if (b % 8 == 0 && eddy_store_index_pending(wa->m->s, 0) < 0)
            atomic_fetch_add(&wa->m->failures, 1);
    }
    atomic_fetch_sub(&wa->m->writers_left, 1);
    return NULL;
}

static void *mix_reader(void *arg)
{
    struct mix *m = arg;
    int64_t last = 0;
    int rounds = 0;
    /* At least a few rounds even if the writers are done first. */
    while (atomic_load(&m->writers_left) > 0 || rounds < 5) {
        rounds++;
        struct eddy_store_stats st;
        struct eddy_store_page p;
        struct eddy_store_query q = {.limit = 100};
        if (eddy_store_stats(m->s, &st) < 0 || st.entries < last ||
            st.entries % PER_BATCH != 0) /* a batch is seen whole or not at all */
            atomic_fetch_add(&m->failures, 1);
        last = st.entries;
        if (eddy_store_entries(m->s, &q, &p) < 0) {
            atomic_fetch_add(&m->failures, 1);
            continue;
        }
        for (size_t i = 1; i < p.n; i++)
            if (p.entries[i].date > p.entries[i - 1].date)
                atomic_fetch_add(&m->failures, 1);
        eddy_store_page_fini(&p);
        struct eddy_store_query sq = {.search = "words", .limit = 10};
        if (eddy_store_entries(m->s, &sq, &p) < 0)
            atomic_fetch_add(&m->failures, 1);
        eddy_store_page_fini(&p);
    }
    return NULL;
}

TEST(store_concurrent_readers_and_writers)
{
    static struct mix m;
    m.s = open_tmp();
    for (int w = 0; w < WRITERS; w++) {
        char url[32];
        snprintf(url, sizeof url, "http://w%d/", w);
        CHECK_INT(eddy_store_feed_add(m.s, url, NULL, NULL, &m.feeds[w]), ==, 0);
    }
    atomic_store(&m.writers_left, WRITERS);
    pthread_t wt[WRITERS], rt[6];
    struct writer_arg wa[WRITERS];
    for (int i = 0; i < 6; i++) /* more readers than pooled connections */
        CHECK_INT(pthread_create(&rt[i], NULL, mix_reader, &m), ==, 0);
    for (int w = 0; w < WRITERS; w++) {
        wa[w] = (struct writer_arg){&m, w};
        CHECK_INT(pthread_create(&wt[w], NULL, mix_writer, &wa[w]), ==, 0);
    }
    for (int w = 0; w < WRITERS; w++)
        pthread_join(wt[w], NULL);
    for (int i = 0; i < 6; i++)
        pthread_join(rt[i], NULL);
    CHECK_INT(atomic_load(&m.failures), ==, 0);
    while (eddy_store_index_pending(m.s, 0) > 0)
        ;
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(m.s, &st), ==, 0);
    CHECK_INT(st.entries, ==, WRITERS * BATCHES * PER_BATCH);
    CHECK_INT(st.unindexed, ==, 0);
    eddy_store_close(m.s);
}

/* -------------------------------------------------------- crash safety */

#define ROUNDS      20
#define CRASH_BATCH 15

/* The child: writes batch after batch and reports each one's number on the
 * pipe once its COMMIT has returned.  Never returns. */
static _Noreturn void crash_child(int64_t feed, int round, int fd)
{
    struct eddy_store *s = NULL;
    if (eddy_store_open(test_tmpdir(), &s) < 0)
        _exit(2);
    struct eddy_store_entry_in v[CRASH_BATCH];
    char buf[CRASH_BATCH][48];
    for (int32_t b = 0;; b++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "r%d-b%d", round, (int)b);
        make_batch(v, buf, CRASH_BATCH, prefix, 1000 + b);
        if (eddy_store_entries_upsert(s, feed, v, CRASH_BATCH, 5000, NULL) < 0)
            _exit(3);
        if (write(fd, &b, sizeof b) != sizeof b)
            _exit(4);
        if (b % 3 == 0 && eddy_store_index_pending(s, 0) < 0) /* the index too */
            _exit(5);
    }
}

static int64_t count_guid(sqlite3 *db, const char *guid)
{
    sqlite3_stmt *q;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM entries WHERE guid = ?", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, guid, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return n;
}

static void check_ok(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &q, NULL), ==, SQLITE_OK);
    CHECK_INT(sqlite3_step(q), ==, SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
}

TEST(store_kill_9_while_writing_loses_nothing_committed)
{
    struct eddy_store *s = open_tmp();
    int64_t feed = 0;
    CHECK_INT(eddy_store_feed_add(s, "http://crash/", NULL, NULL, &feed), ==, 0);
    eddy_store_close(s); /* no SQLite connection crosses a fork */
    srand((unsigned)getpid());
    int64_t total = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        CHECK_INT(pipe(fds), ==, 0);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(feed, round, fds[1]);
        }
        close(fds[1]);
        /* Let it commit a random number of batches, then kill it at a
         * random moment of the next ones. */
        int want = 1 + rand() % 25;
        int32_t b;
        for (int i = 0; i < want; i++)
            CHECK_INT(read(fds[0], &b, sizeof b), ==, sizeof b);
        usleep((useconds_t)(rand() % 3000));
        kill(pid, SIGKILL);
        int st;
        CHECK_INT(waitpid(pid, &st, 0), ==, pid);
        CHECK(WIFSIGNALED(st)); /* it died writing, not of an error */
        int32_t last = b;
        while (read(fds[0], &b, sizeof b) == sizeof b)
            last = b;
        close(fds[0]);

        /* Reopen through the store (recovery, migrations), then check the
         * file and every reported batch. */
        CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
        check_ok(s->writer.db, "PRAGMA integrity_check");
        CHECK_INT(sqlite3_exec(s->writer.db,
                               "INSERT INTO entries_fts(entries_fts) VALUES('integrity-check')",
                               NULL, NULL, NULL),
                  ==, SQLITE_OK);
        for (int32_t k = 0; k <= last; k++) {
            char guid[64];
            snprintf(guid, sizeof guid, "r%d-b%d-%d", round, (int)k, CRASH_BATCH - 1);
            CHECK_INT(count_guid(s->writer.db, guid), ==, 1);
        }
        struct eddy_store_stats stats;
        CHECK_INT(eddy_store_stats(s, &stats), ==, 0);
        CHECK(stats.entries >= total + (last + 1) * CRASH_BATCH);
        CHECK_INT(stats.entries % CRASH_BATCH, ==, 0); /* no half batch */
        total = stats.entries;
        eddy_store_close(s);
    }
}

/* The same for a refresh pass's batches (eddy_store_feeds_fetched): each
 * batch writes CRASH_FEEDS feeds, every feed's entries with a fetch record
 * whose etag names the batch.  After kill -9: every reported batch is there,
 * and no feed's etag names a batch whose entries for that feed are missing
 * (validators never outlive the entries they vouch for). */
#define CRASH_FEEDS 4

static _Noreturn void batch_child(const int64_t *feeds, int round, int fd)
{
    struct eddy_store *s = NULL;
    if (eddy_store_open(test_tmpdir(), &s) < 0)
        _exit(2);
    struct eddy_store_entry_in v[CRASH_FEEDS][CRASH_BATCH];
    char buf[CRASH_FEEDS][CRASH_BATCH][48], etag[32];
    struct eddy_store_fetched w[CRASH_FEEDS];
    for (int32_t b = 0;; b++) {
        snprintf(etag, sizeof etag, "r%d-b%d", round, (int)b);
        struct eddy_store_fetch rec = {
            .fetched_at = 5000, .next_check = 9000, .status = 200, .etag = etag};
        for (int f = 0; f < CRASH_FEEDS; f++) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "r%d-b%d-f%d", round, (int)b, f);
            make_batch(v[f], buf[f], CRASH_BATCH, prefix, 1000 + b);
            w[f] = (struct eddy_store_fetched){
                .feed_id = feeds[f], .entries = v[f], .n = CRASH_BATCH, .fetch = &rec};
        }
        if (eddy_store_feeds_fetched(s, w, CRASH_FEEDS, 5000) != CRASH_FEEDS)
            _exit(3);
        if (write(fd, &b, sizeof b) != sizeof b)
            _exit(4);
    }
}

TEST(store_kill_9_while_writing_batches_keeps_feeds_whole)
{
    struct eddy_store *s = open_tmp();
    int64_t feeds[CRASH_FEEDS];
    for (int f = 0; f < CRASH_FEEDS; f++) {
        char url[32];
        snprintf(url, sizeof url, "http://crash/%d", f);
        CHECK_INT(eddy_store_feed_add(s, url, NULL, NULL, &feeds[f]), ==, 0);
    }
    eddy_store_close(s); /* no SQLite connection crosses a fork */
    srand((unsigned)getpid());
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        CHECK_INT(pipe(fds), ==, 0);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            batch_child(feeds, round, fds[1]);
        }
        close(fds[1]);
        int want = 1 + rand() % 10;
        int32_t b;
        for (int i = 0; i < want; i++)
            CHECK_INT(read(fds[0], &b, sizeof b), ==, sizeof b);
        usleep((useconds_t)(rand() % 3000));
        kill(pid, SIGKILL);
        int st;
        CHECK_INT(waitpid(pid, &st, 0), ==, pid);
        CHECK(WIFSIGNALED(st));
        int32_t last = b;
        while (read(fds[0], &b, sizeof b) == sizeof b)
            last = b;
        close(fds[0]);

        CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
        check_ok(s->writer.db, "PRAGMA integrity_check");
        for (int f = 0; f < CRASH_FEEDS; f++) {
            for (int32_t k = 0; k <= last; k++) {
                char guid[64];
                snprintf(guid, sizeof guid, "r%d-b%d-f%d-%d", round, (int)k, f, CRASH_BATCH - 1);
                CHECK_INT(count_guid(s->writer.db, guid), ==, 1);
            }
            struct eddy_store_feed rec;
            CHECK_INT(eddy_store_feed(s, feeds[f], &rec), ==, 0);
            int r = -1, k = -1;
            CHECK(rec.etag && sscanf(rec.etag, "r%d-b%d", &r, &k) == 2);
            CHECK_INT(r, ==, round);
            CHECK(k >= last);
            for (int i = 0; i < CRASH_BATCH; i++) { /* the entries its etag vouches for */
                char guid[64];
                snprintf(guid, sizeof guid, "r%d-b%d-f%d-%d", r, k, f, i);
                CHECK_INT(count_guid(s->writer.db, guid), ==, 1);
            }
            eddy_store_feed_fini(&rec);
        }
        struct eddy_store_stats stats;
        CHECK_INT(eddy_store_stats(s, &stats), ==, 0);
        CHECK_INT(stats.entries % (CRASH_FEEDS * CRASH_BATCH), ==, 0); /* no half batch */
        eddy_store_close(s);
    }
}
