/*
 * river_page_bench.c — what a page of the river costs the store, with and
 * without its entries' enclosures.  Prints, never judges.
 *
 *   river_page_bench [DIR|""] [ENTRIES] [ROUNDS] [PARTS]
 *
 * In DIR (default: a new folder under $TMPDIR), ENTRIES entries (100,000)
 * of ~1.5 KB in 1,000 feeds, every third one a podcast episode with one
 * enclosure (built without enclosures when the store has none: the same
 * figures for the code before them).  Then ROUNDS (2,000) reads of each:
 *   first       the river's first page (50 entries), as the page asks it
 *   deep        a page 20,000 entries down (its cursor)
 *   feed        one feed's first page
 *   first+enc   the first page with its enclosures (as the API asks it)
 *   entry       one entry (eddy_store_entry: with its enclosures)
 * Each as the median and the 99th percentile of the thread's CPU time per
 * call.  A DIR given is kept, and filled only when it has fewer entries.
 * PARTS (e.g. "first,entry") runs only those: under valgrind --tool=callgrind
 * --toggle-collect=eddy_store_entries, the instructions of one kind of call.
 */
#include "eddy/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FEEDS 1000
#define TEXT  1500

/* This thread's CPU time: on a shared machine wall time also counts other
 * people's work. */
static double cpu_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp);
    printf("%-10s median %7.1f us   p99 %7.1f us\n", name, t[n / 2], t[n * 99 / 100]);
}

static void fill(struct eddy_store *s, int nentries)
{
    static char text[TEXT + 1];
    for (int i = 0; i < TEXT; i++)
        text[i] = "abcdefgh ijklmnop"[i % 17];
    int per = nentries / FEEDS;
    struct eddy_store_entry_in *v = calloc((size_t)per, sizeof *v);
    char(*strs)[3][80] = calloc((size_t)per, sizeof *strs);
#ifdef EDDY_STORE_ENCLOSURES_MAX
    struct eddy_store_enclosure_in *x = calloc((size_t)per, sizeof *x);
#endif
    for (int f = 0; f < FEEDS; f++) {
        char url[64];
        int64_t id;
        snprintf(url, sizeof url, "http://feed%d.example/rss", f);
        if (eddy_store_feed_add(s, url, NULL, NULL, &id) < 0)
            exit(1);
        for (int k = 0; k < per; k++) {
            int e = f * per + k;
            snprintf(strs[k][0], 80, "g%d", e);
            snprintf(strs[k][1], 80, "http://feed%d.example/%d", f, e);
            snprintf(strs[k][2], 80, "http://feed%d.example/%d.mp3", f, e);
            v[k] = (struct eddy_store_entry_in){.guid = strs[k][0],
                                                .link = strs[k][1],
                                                .title = strs[k][0],
                                                .content = text,
                                                .date = 1700000000 + (int64_t)(e * 7919 % nentries),
                                                .date_source = EDDY_STORE_DATE_PARSED};
#ifdef EDDY_STORE_ENCLOSURES_MAX
            if (e % 3 == 0) {
                x[k] = (struct eddy_store_enclosure_in){strs[k][2], "audio/mpeg", 1234567};
                v[k].enclosures = &x[k], v[k].nenclosures = 1;
            }
#endif
        }
        if (eddy_store_entries_upsert(s, id, v, (size_t)per, 1800000000, NULL) < 0)
            exit(1);
    }
#ifdef EDDY_STORE_ENCLOSURES_MAX
    free(x);
#endif
    free(v);
    free(strs);
}

static void rounds(struct eddy_store *s, const char *name, struct eddy_store_query q, int n)
{
    double *t = calloc((size_t)n, sizeof *t);
    for (int i = 0; i < n; i++) {
        struct eddy_store_page p;
        double t0 = cpu_us();
        if (eddy_store_entries(s, &q, &p) < 0 || p.n != 50)
            exit(1);
        t[i] = cpu_us() - t0;
        eddy_store_page_fini(&p);
    }
    report(name, t, n);
    free(t);
}

int main(int argc, char **argv)
{
    char dir[1024];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/eddy-river-bench-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    if (argc > 1 && *argv[1])
        snprintf(dir, sizeof dir, "%s", argv[1]);
    int nentries = argc > 2 ? atoi(argv[2]) : 100000, n = argc > 3 ? atoi(argv[3]) : 2000;
    if (nentries < FEEDS * 60 || n < 1)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct eddy_store *s;
    if (eddy_store_open(dir, &s) < 0)
        return 1;
    struct eddy_store_stats st;
    double t0 = now_us();
    if (eddy_store_stats(s, &st) < 0)
        return 1;
    if (st.entries < nentries)
        fill(s, nentries);
    printf("river_page_bench: %d entries in %d feeds (stored in %.1f s), in %s\n", nentries, FEEDS,
           (now_us() - t0) / 1e6, dir);

    const char *parts = argc > 4 ? argv[4] : NULL;
#define PART(name) (!parts || strstr(parts, name))
    struct eddy_store_page p;
    struct eddy_store_query deep = {.limit = 1000};
    for (int i = 0; i < 20 && PART("deep"); i++) { /* walk 20,000 entries down */
        if (eddy_store_entries(s, &deep, &p) < 0 || !p.more)
            return 1;
        static struct eddy_store_cursor c;
        c = p.next;
        deep.after = &c;
        eddy_store_page_fini(&p);
    }
    deep.limit = 50;
    if (PART("first"))
        rounds(s, "first", (struct eddy_store_query){0}, n);
    if (PART("deep"))
        rounds(s, "deep", deep, n);
    if (PART("feed"))
        rounds(s, "feed", (struct eddy_store_query){.feed_id = 500}, n);
#ifdef EDDY_STORE_ENCLOSURES_MAX
    if (PART("enc"))
        rounds(s, "first+enc", (struct eddy_store_query){.enclosures = true}, n);
#endif
    double *t = calloc((size_t)n, sizeof *t);
    for (int i = 0; i < n && PART("entry"); i++) {
        struct eddy_store_entry e;
        double t1 = cpu_us();
        if (eddy_store_entry(s, 1 + (i * 7919) % nentries, &e) < 0)
            return 1;
        t[i] = cpu_us() - t1;
        eddy_store_entry_fini(&e);
    }
    if (PART("entry"))
        report("entry", t, n);
    free(t);
    eddy_store_close(s);
    if (argc > 1 && *argv[1])
        return 0;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
