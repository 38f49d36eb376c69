/* Tests of what the response cache relies on (app/cache.h), on a real
 * SQLite file: eddy_store_generation moves after every write that changed
 * a row and stays put for reads and for writes that changed nothing;
 * eddy_store_read_tx reads one snapshot (a commit made meanwhile is not
 * seen inside, and is after it). */
#include "../test.h"

#include "eddy/store.h"

#include <stdlib.h>
#include <string.h>

static struct eddy_store *open_tmp(void)
{
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    return s;
}

static int64_t entries(struct eddy_store *s)
{
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    return st.entries;
}

TEST(store_generation_moves_on_writes_only)
{
    struct eddy_store *s = open_tmp();
    uint64_t g = eddy_store_generation(s);
    int64_t f = 0;
    CHECK_INT(eddy_store_feed_add(s, "http://a.example/feed", NULL, NULL, &f), ==, 0);
    CHECK(eddy_store_generation(s) != g);
    g = eddy_store_generation(s);
    entries(s);
    struct eddy_store_feed rec;
    CHECK_INT(eddy_store_feed(s, f, &rec), ==, 0);
    eddy_store_feed_fini(&rec);
    CHECK(eddy_store_generation(s) == g); /* reads */
    struct eddy_store_entry_in e = {
        .guid = "g1", .title = "one", .date = 100, .date_source = EDDY_STORE_DATE_PARSED};
    CHECK_INT(eddy_store_entries_upsert(s, f, &e, 1, 1000, NULL), ==, 0);
    CHECK(eddy_store_generation(s) != g);
    g = eddy_store_generation(s);
    CHECK_INT(eddy_store_index_pending(s, 0), ==, 1); /* the search index is the store's too */
    CHECK(eddy_store_generation(s) != g);
    g = eddy_store_generation(s);
    CHECK_INT(eddy_store_index_pending(s, 0), ==, 0); /* caught up: nothing written */
    CHECK(eddy_store_generation(s) == g);
    CHECK_INT(eddy_store_setting_set(s, "interval", "600"), ==, 0);
    CHECK(eddy_store_generation(s) != g);
    g = eddy_store_generation(s);
    CHECK_INT(eddy_store_feed_remove(s, f), ==, 0);
    CHECK(eddy_store_generation(s) != g);
    eddy_store_close(s);
}

struct snap {
    int64_t feed;
    int64_t before, after; /* entries seen inside, before and after the commit */
};

/* Inside the read transaction: counts, commits an entry on the writer
 * connection (a test's shortcut for "another writer meanwhile"), counts
 * again. */
static int snap_job(struct eddy_store *s, void *arg)
{
    struct snap *sn = arg;
    sn->before = entries(s);
    struct eddy_store_entry_in e = {
        .guid = "new", .title = "new", .date = 200, .date_source = EDDY_STORE_DATE_PARSED};
    CHECK_INT(eddy_store_entries_upsert(s, sn->feed, &e, 1, 1000, NULL), ==, 0);
    sn->after = entries(s);
    return 7;
}

TEST(store_read_tx_is_one_snapshot)
{
    struct eddy_store *s = open_tmp();
    struct snap sn = {0};
    CHECK_INT(eddy_store_feed_add(s, "http://a.example/feed", NULL, NULL, &sn.feed), ==, 0);
    struct eddy_store_entry_in e = {
        .guid = "old", .title = "old", .date = 100, .date_source = EDDY_STORE_DATE_PARSED};
    CHECK_INT(eddy_store_entries_upsert(s, sn.feed, &e, 1, 1000, NULL), ==, 0);
    CHECK_INT(eddy_store_read_tx(s, snap_job, &sn), ==, 7); /* fn's result */
    CHECK_INT(sn.before, ==, 1);
    CHECK_INT(sn.after, ==, 1); /* the same snapshot */
    CHECK_INT(entries(s), ==, 2);
    eddy_store_close(s);
}
