/*
 * store_bench.c — figures for the store (layer store/).  Prints, never
 * judges.
 *
 *   store_bench [DIR|""] [FEEDS] [ENTRIES] [PARTS]
 *
 * In DIR (default: a new folder under $TMPDIR), for FEEDS feeds (10,000) and
 * ENTRIES entries (148,500) of ~3 KB stored 15 per transaction, as a refresh
 * pass stores them:
 *   feeds       subscribing FEEDS feeds (one transaction each)
 *   trailing    storing every entry, search index left to the indexer
 *   batched     the same into a fresh database as a refresh pass writes it:
 *               eddy_store_feeds_fetched, each feed's entries with its fetch
 *               record, FEEDS_PER_TX feeds per transaction
 *   indexer     eddy_store_index_pending() until caught up
 *   unchanged   the same entries again (a pass where nothing changed)
 *   inline      a fresh database, each batch indexed right after it is stored
 *   bare        SQLite alone: the same rows into one table without index,
 *               same pragmas and transactions (the floor the store adds to)
 *   list/search the first page of the river, a two-word search
 * PARTS (a fourth argument, e.g. "trailing,batched") runs only those.
 * Texts are windows into one megabyte of pseudo-random words (the same
 * entry gets the same text in both passes; making it costs a memcpy).
 */
#include "eddy/store.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH        15
#define CONTENT      2800
#define SUMMARY      200
#define CORPUS       (1 << 20)
#define FEEDS_PER_TX 64

static char corpus[CORPUS + 1];
static int nfeeds = 10000, nentries = 148500;
static int64_t *feed_ids;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process: on a shared machine the
 * wall clock also counts other people's work. */
static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    return x;
}

/* Text drawn from a vocabulary of 20,000 words of 2-11 letters with Zipf's
 * law (word k has frequency ~ 1/k), as in natural language: what decides the
 * size of a full-text index is how many distinct words it sees. */
#define VOCAB 20000
static void make_corpus(void)
{
    static char words[VOCAB][12];
    static double cdf[VOCAB];
    uint64_t r = 42;
    double sum = 0;
    for (int k = 0; k < VOCAB; k++) {
        r = mix(r + 0x9e3779b97f4a7c15u);
        int len = 2 + (int)(r % 10);
        for (int i = 0; i < len; i++)
            words[k][i] = (char)('a' + (int)((r >> (8 + i * 5)) % 26));
        sum += 1.0 / (k + 1);
        cdf[k] = sum;
    }
    size_t i = 0;
    while (i < CORPUS) {
        r = mix(r + 0x9e3779b97f4a7c15u);
        double x = (double)(r >> 11) / 9007199254740992.0 * sum;
        int lo = 0, hi = VOCAB - 1;
        while (lo < hi) { /* the first word whose cdf reaches x */
            int mid = (lo + hi) / 2;
            if (cdf[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (const char *w = words[lo]; *w && i < CORPUS; w++)
            corpus[i++] = *w;
        if (i < CORPUS)
            corpus[i++] = ' ';
    }
}

struct batch {
    struct eddy_store_entry_in v[BATCH];
    char guid[BATCH][48], link[BATCH][64], title[BATCH][48];
    char summary[BATCH][SUMMARY + 1], content[BATCH][CONTENT + 1];
};

/* Batch b: entries b*BATCH.. of feed b % nfeeds. */
static int fill(struct batch *bt, int b)
{
    int n = 0;
    for (int k = 0; k < BATCH && b * BATCH + k < nentries; k++, n++) {
        int e = b * BATCH + k;
        snprintf(bt->guid[k], 48, "tag:bench,2026:%d", e);
        snprintf(bt->link[k], 64, "https://feeds.example/%d/posts/%d", b % nfeeds, e);
        snprintf(bt->title[k], 48, "Entry %d", e);
        size_t off = mix((uint64_t)e) % (CORPUS - CONTENT - SUMMARY);
        memcpy(bt->summary[k], corpus + off, SUMMARY);
        bt->summary[k][SUMMARY] = 0;
        memcpy(bt->content[k], corpus + off + SUMMARY, CONTENT);
        bt->content[k][CONTENT] = 0;
        bt->v[k] = (struct eddy_store_entry_in){.guid = bt->guid[k],
                                                .link = bt->link[k],
                                                .title = bt->title[k],
                                                .summary = bt->summary[k],
                                                .content = bt->content[k],
                                                .date = 1700000000 + e,
                                                .date_source = EDDY_STORE_DATE_PARSED};
    }
    return n;
}

static struct eddy_store *open_fresh(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return NULL;
    struct eddy_store *s;
    int err = eddy_store_open(dir, &s);
    if (err < 0) {
        fprintf(stderr, "open %s: %s\n", dir, strerror(-err));
        exit(1);
    }
    double t = now_s(), c = cpu_s();
    for (int f = 0; f < nfeeds; f++) {
        char url[64];
        snprintf(url, sizeof url, "https://feeds.example/%d/feed.xml", f);
        if (eddy_store_feed_add(s, url, NULL, f % 10 ? "blogs" : "news", &feed_ids[f]) < 0)
            exit(1);
    }
    printf("feeds      %6d feeds added        %7.2f s  cpu %6.2f s\n", nfeeds, now_s() - t,
           cpu_s() - c);
    return s;
}

/* Stores every batch; with `inline_index`, indexes each right after. */
static void pass(struct eddy_store *s, const char *name, int inline_index)
{
    static struct batch bt;
    struct eddy_store_upsert total = {0};
    double t = now_s(), c = cpu_s();
    for (int b = 0; b * BATCH < nentries; b++) {
        int n = fill(&bt, b);
        struct eddy_store_upsert r;
        int err =
            eddy_store_entries_upsert(s, feed_ids[b % nfeeds], bt.v, (size_t)n, 1800000000, &r);
        if (err < 0 || (inline_index && eddy_store_index_pending(s, 0) < 0)) {
            fprintf(stderr, "%s: batch %d: %s\n", name, b, strerror(-err));
            exit(1);
        }
        total.added += r.added;
        total.updated += r.updated;
        total.unchanged += r.unchanged;
    }
    double dt = now_s() - t;
    printf("%-10s %6d entries           %7.2f s  cpu %6.2f s  (%.0f entries/s; added %zu,"
           " updated %zu, unchanged %zu)\n",
           name, nentries, dt, cpu_s() - c, nentries / dt, total.added, total.updated,
           total.unchanged);
}

/* The refresh pass's way: FEEDS_PER_TX feeds (a batch of entries and a
 * fetch record each) per transaction. */
static void batched(struct eddy_store *s)
{
    static struct batch bt[FEEDS_PER_TX];
    struct eddy_store_fetched w[FEEDS_PER_TX];
    struct eddy_store_fetch rec = {.fetched_at = 1800000000,
                                   .next_check = 1800003600,
                                   .status = 200,
                                   .etag = "\"bench\"",
                                   .last_modified = "Sat, 05 Dec 2026 10:00:00 GMT"};
    size_t added = 0;
    double t = now_s(), c = cpu_s();
    for (int b = 0; b * BATCH < nentries;) {
        int k = 0;
        for (; k < FEEDS_PER_TX && b * BATCH < nentries; k++, b++) {
            int n = fill(&bt[k], b);
            w[k] = (struct eddy_store_fetched){
                .feed_id = feed_ids[b % nfeeds], .entries = bt[k].v, .n = (size_t)n, .fetch = &rec};
        }
        int err = eddy_store_feeds_fetched(s, w, (size_t)k, 1800000000);
        if (err < 0) {
            fprintf(stderr, "batched: batch %d: %s\n", b, strerror(-err));
            exit(1);
        }
        for (int i = 0; i < k; i++)
            added += w[i].up.added;
    }
    double dt = now_s() - t;
    printf("%-10s %6d entries           %7.2f s  cpu %6.2f s  (%.0f entries/s; added %zu;"
           " %d feeds per transaction)\n",
           "batched", nentries, dt, cpu_s() - c, nentries / dt, added, FEEDS_PER_TX);
}

static void bare(const char *dir)
{
    static struct batch bt;
    char path[1100];
    snprintf(path, sizeof path, "%s/bare.db", dir);
    sqlite3 *db;
    sqlite3_stmt *ins;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA secure_delete=OFF; PRAGMA cache_size=-16000;"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, feed INTEGER, guid TEXT,"
                     " link TEXT, title TEXT, summary TEXT, content TEXT, date INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO t (feed, guid, link, title, summary, content,"
                           " date) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &ins, NULL) != SQLITE_OK)
        exit(1);
    double t = now_s(), c = cpu_s();
    for (int b = 0; b * BATCH < nentries; b++) {
        int n = fill(&bt, b);
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (int k = 0; k < n; k++) {
            const struct eddy_store_entry_in *e = &bt.v[k];
            sqlite3_bind_int64(ins, 1, b % nfeeds);
            sqlite3_bind_text(ins, 2, e->guid, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, e->link, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 4, e->title, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 5, e->summary, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 6, e->content, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 7, e->date);
            if (sqlite3_step(ins) != SQLITE_DONE)
                exit(1);
            sqlite3_reset(ins);
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            exit(1);
    }
    double dt = now_s() - t;
    printf("%-10s %6d entries           %7.2f s  cpu %6.2f s  (%.0f entries/s)\n", "bare", nentries,
           dt, cpu_s() - c, nentries / dt);
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

static void catch_up(struct eddy_store *s)
{
    struct eddy_store_stats st;
    eddy_store_stats(s, &st);
    double t = now_s(), c = cpu_s();
    int n, calls = 0;
    while ((n = eddy_store_index_pending(s, 1000)) > 0)
        calls++;
    double dt = now_s() - t;
    if (n < 0)
        exit(1);
    printf("indexer    %6lld entries indexed  %7.2f s  cpu %6.2f s  (%d transactions of <= 1000)\n",
           (long long)st.unindexed, dt, cpu_s() - c, calls);
}

static void reads(struct eddy_store *s)
{
    struct eddy_store_page p;
    struct eddy_store_query q = {0};
    double t = now_s();
    eddy_store_entries(s, &q, &p);
    printf("list       first page of %zu       %7.2f ms\n", p.n, (now_s() - t) * 1e3);
    eddy_store_page_fini(&p);
    /* two words of the corpus */
    char w[32];
    snprintf(w, sizeof w, "%.*s", (int)strcspn(corpus + 1000, " "), corpus + 1000);
    struct eddy_store_query sq = {.search = w};
    t = now_s();
    eddy_store_entries(s, &sq, &p);
    printf("search     '%s': page of %zu      %7.2f ms\n", w, p.n, (now_s() - t) * 1e3);
    eddy_store_page_fini(&p);
}

static void size_of(const char *dir)
{
    char path[1100];
    struct stat st;
    snprintf(path, sizeof path, "%s/eddy.db", dir);
    if (stat(path, &st) == 0)
        printf("size       eddy.db %.0f MB\n", (double)st.st_size / 1e6);
}

int main(int argc, char **argv)
{
    char dir[1024];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/eddy-store-bench-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    if (argc > 1 && *argv[1]) /* "" keeps the default */
        snprintf(dir, sizeof dir, "%s", argv[1]);
    if (argc > 2)
        nfeeds = atoi(argv[2]);
    if (argc > 3)
        nentries = atoi(argv[3]);
    if (nfeeds < 1 || nentries < 1)
        return 2;
    feed_ids = calloc((size_t)nfeeds, sizeof *feed_ids);
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it comes, also into a file */
    make_corpus();
    printf("store_bench: %d feeds, %d entries of ~%d bytes, %d per transaction, in %s\n", nfeeds,
           nentries, CONTENT + SUMMARY, BATCH, dir);

    const char *parts = argc > 4 ? argv[4] : NULL;
#define PART(name) (!parts || strstr(parts, name))
    struct eddy_store *s;
    if (PART("trailing")) {
        s = open_fresh(dir);
        pass(s, "trailing", 0);
        if (PART("indexer"))
            catch_up(s);
        if (PART("unchanged"))
            pass(s, "unchanged", 0);
        reads(s);
        size_of(dir);
        eddy_store_close(s);
    }
    if (PART("batched")) {
        s = open_fresh(dir);
        batched(s);
        size_of(dir);
        eddy_store_close(s);
    }
    if (PART("inline")) {
        s = open_fresh(dir);
        pass(s, "inline", 1);
        eddy_store_close(s);
    }
    if (PART("bare"))
        bare(dir);

    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    free(feed_ids);
    return system(cmd) == 0 ? 0 : 1;
}
