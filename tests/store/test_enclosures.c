/* Tests of store/'s enclosures (a podcast's files) on a real SQLite file:
 * stored in order with their limits, read back by eddy_store_entry and by a
 * page that asks, replaced when the entry is rewritten, part of what makes
 * an entry changed, gone with their entry, and through a database made
 * before they were stored. */
#include "../test.h"

#include "eddy/store.h"
#include "../../src/store/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct eddy_store *open_store(void)
{
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    return s;
}

static int64_t feed(struct eddy_store *s)
{
    int64_t id = 0;
    CHECK_INT(eddy_store_feed_add(s, "http://pod.example/feed.rss", NULL, NULL, &id), ==, 0);
    return id;
}

static struct eddy_store_entry_in episode(const char *guid, const struct eddy_store_enclosure_in *x,
                                          size_t n)
{
    return (struct eddy_store_entry_in){.guid = guid,
                                        .title = guid,
                                        .content = "notes",
                                        .date = 100,
                                        .date_source = EDDY_STORE_DATE_PARSED,
                                        .enclosures = x,
                                        .nenclosures = n};
}

static int64_t id_of(struct eddy_store *s, const char *guid)
{
    struct eddy_store_page p;
    int64_t id = 0;
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){0}, &p), ==, 0);
    for (size_t i = 0; i < p.n; i++)
        if (p.entries[i].guid && !strcmp(p.entries[i].guid, guid))
            id = p.entries[i].id;
    eddy_store_page_fini(&p);
    CHECK(id > 0);
    return id;
}

static int64_t rows(struct eddy_store *s)
{
    sqlite3_stmt *q;
    int64_t n = -1;
    CHECK_INT(sqlite3_prepare_v2(s->writer.db, "SELECT count(*) FROM enclosures", -1, &q, NULL), ==,
              SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

TEST(store_enclosures_stored_in_order_within_limits)
{
    struct eddy_store *s = open_store();
    int64_t f = feed(s);
    /* 20 given: one empty, one too long, the first 16 of the rest kept
     * in order (0, 3..17). */
    static char urls[20][48], long_url[EDDY_STORE_ENCLOSURE_URL_MAX + 2], long_type[300];
    struct eddy_store_enclosure_in x[20];
    for (int i = 0; i < 20; i++) {
        snprintf(urls[i], sizeof urls[i], "http://pod.example/%02d.mp3", i);
        x[i] = (struct eddy_store_enclosure_in){.url = urls[i], .type = "audio/mpeg", .length = i};
    }
    memset(long_url, 'a', sizeof long_url - 1);
    memcpy(long_url, "http://", 7);
    memset(long_type, 't', sizeof long_type - 1);
    x[1].url = "";
    x[2].url = long_url;
    x[3].type = long_type;
    x[4].length = -5;
    x[5].type = NULL;
    struct eddy_store_entry_in e = episode("ep1", x, 20);
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, f, &e, 1, 1000, &r), ==, 0);
    CHECK_INT(r.added, ==, 1);

    struct eddy_store_entry got;
    CHECK_INT(eddy_store_entry(s, id_of(s, "ep1"), &got), ==, 0);
    CHECK_INT(got.nenclosures, ==, EDDY_STORE_ENCLOSURES_MAX);
    CHECK_STR(got.enclosures[0].url, "http://pod.example/00.mp3");
    CHECK_STR(got.enclosures[1].url, "http://pod.example/03.mp3");
    CHECK(got.enclosures[1].type == NULL); /* a 299-byte type: dropped */
    CHECK_INT(got.enclosures[2].length, ==, 0);
    CHECK(got.enclosures[3].type == NULL);
    CHECK_STR(got.enclosures[4].type, "audio/mpeg");
    CHECK_INT(got.enclosures[4].length, ==, 6);
    CHECK_STR(got.enclosures[15].url, "http://pod.example/17.mp3");
    eddy_store_entry_fini(&got);
    CHECK(got.enclosures == NULL && got.nenclosures == 0);

    /* A page fills them only when asked. */
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){0}, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    CHECK(p.entries[0].enclosures == NULL && p.entries[0].nenclosures == 0);
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){.enclosures = true}, &p), ==, 0);
    CHECK_INT(p.entries[0].nenclosures, ==, EDDY_STORE_ENCLOSURES_MAX);
    CHECK_STR(p.entries[0].enclosures[15].url, "http://pod.example/17.mp3");
    eddy_store_page_fini(&p);
    eddy_store_close(s);
}

TEST(store_enclosures_replaced_when_they_change)
{
    struct eddy_store *s = open_store();
    int64_t f = feed(s);
    struct eddy_store_enclosure_in a[] = {{"http://pod.example/a.mp3", "audio/mpeg", 10},
                                          {"http://pod.example/a.mp4", "video/mp4", 20}};
    struct eddy_store_entry_in e[] = {episode("ep1", a, 2), episode("plain", NULL, 0)};
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, f, e, 2, 1000, &r), ==, 0);
    CHECK_INT(r.added, ==, 2);
    int64_t id = id_of(s, "ep1");
    CHECK_INT(eddy_store_entries_mark(s, &id, 1, EDDY_STORE_READ, true), ==, 1);

    /* The same again: nothing rewritten. */
    CHECK_INT(eddy_store_entries_upsert(s, f, e, 2, 1100, &r), ==, 0);
    CHECK_INT(r.unchanged, ==, 2);
    /* Enclosures that are skipped anyway change nothing either. */
    struct eddy_store_enclosure_in empty = {"", "audio/mpeg", 1};
    e[1] = episode("plain", &empty, 1);
    CHECK_INT(eddy_store_entries_upsert(s, f, e, 2, 1150, &r), ==, 0);
    CHECK_INT(r.unchanged, ==, 2);

    /* Only an enclosure's length differs: the entry changed. */
    a[1].length = 21;
    CHECK_INT(eddy_store_entries_upsert(s, f, e, 2, 1200, &r), ==, 0);
    CHECK_INT(r.updated, ==, 1);
    CHECK_INT(r.unchanged, ==, 1);
    struct eddy_store_entry got;
    CHECK_INT(eddy_store_entry(s, id, &got), ==, 0);
    CHECK_INT(got.nenclosures, ==, 2);
    CHECK_INT(got.enclosures[1].length, ==, 21);
    CHECK(got.read); /* an update keeps the marks */
    eddy_store_entry_fini(&got);

    /* One in place of two: the old ones are gone, not appended to. */
    struct eddy_store_enclosure_in b = {"http://pod.example/b.ogg", "audio/ogg", 30};
    e[0] = episode("ep1", &b, 1);
    CHECK_INT(eddy_store_entries_upsert(s, f, e, 1, 1300, &r), ==, 0);
    CHECK_INT(r.updated, ==, 1);
    CHECK_INT(eddy_store_entry(s, id, &got), ==, 0);
    CHECK_INT(got.nenclosures, ==, 1);
    CHECK_STR(got.enclosures[0].url, "http://pod.example/b.ogg");
    CHECK_STR(got.enclosures[0].type, "audio/ogg");
    eddy_store_entry_fini(&got);
    CHECK_INT(rows(s), ==, 1);
    /* A page sees the same (it looks up only entries counted as having some). */
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){.enclosures = true}, &p), ==, 0);
    CHECK_INT(p.n, ==, 2);
    for (size_t i = 0; i < p.n; i++) {
        CHECK_INT(p.entries[i].nenclosures, ==, p.entries[i].id == id ? 1 : 0);
        if (p.entries[i].id == id)
            CHECK_STR(p.entries[i].enclosures[0].url, "http://pod.example/b.ogg");
    }
    eddy_store_page_fini(&p);

    /* None at all now: none kept. */
    e[0] = episode("ep1", NULL, 0);
    CHECK_INT(eddy_store_entries_upsert(s, f, e, 1, 1400, &r), ==, 0);
    CHECK_INT(r.updated, ==, 1);
    CHECK_INT(eddy_store_entry(s, id, &got), ==, 0);
    CHECK_INT(got.nenclosures, ==, 0);
    CHECK(got.enclosures == NULL);
    eddy_store_entry_fini(&got);
    CHECK_INT(rows(s), ==, 0);
    eddy_store_close(s);
}

/* The refresh pass's path (many feeds in one transaction) stores them too,
 * and they go with their feed. */
TEST(store_enclosures_batch_and_removal)
{
    struct eddy_store *s = open_store();
    int64_t f = feed(s);
    struct eddy_store_enclosure_in a = {"http://pod.example/a.mp3", "audio/mpeg", 10};
    struct eddy_store_entry_in e = episode("ep1", &a, 1);
    struct eddy_store_fetch rec = {.fetched_at = 1000, .status = 200};
    struct eddy_store_fetched v = {.feed_id = f, .entries = &e, .n = 1, .fetch = &rec};
    CHECK_INT(eddy_store_feeds_fetched(s, &v, 1, 1000), ==, 1);
    CHECK_INT(v.err, ==, 0);
    CHECK_INT(rows(s), ==, 1);
    struct eddy_store_entry got;
    CHECK_INT(eddy_store_entry(s, id_of(s, "ep1"), &got), ==, 0);
    CHECK_INT(got.nenclosures, ==, 1);
    CHECK_STR(got.enclosures[0].url, "http://pod.example/a.mp3");
    eddy_store_entry_fini(&got);
    CHECK_INT(eddy_store_feed_remove(s, f), ==, 0);
    CHECK_INT(rows(s), ==, 0);
    eddy_store_close(s);
}

/* A database from before enclosures were stored: it migrates, its entry is
 * found again, and the next fetch that carries enclosures rewrites it with
 * them (they are part of its hash). */
TEST(store_enclosures_after_migration)
{
    char path[512];
    snprintf(path, sizeof path, "%s/eddy.db", test_tmpdir());
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), ==, SQLITE_OK);
    CHECK_INT(eddy__store_migrate(db, eddy_store_schema_version() - 1), ==, 0);
    CHECK_INT(sqlite3_exec(db,
                           "INSERT INTO feeds (id, url) VALUES (4, 'http://old/');"
                           "INSERT INTO entries (feed_id, key, hash, guid, title, content, date,"
                           " first_seen, updated_at) VALUES (4, 'g:ep1', 1, 'ep1', 'ep1', 'notes',"
                           " 100, 100, 100);",
                           NULL, NULL, NULL),
              ==, SQLITE_OK);
    sqlite3_close(db);
    struct eddy_store *s = open_store();
    struct eddy_store_enclosure_in a = {"http://old/ep1.mp3", "audio/mpeg", 10};
    struct eddy_store_entry_in e = episode("ep1", &a, 1);
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, 4, &e, 1, 1000, &r), ==, 0);
    CHECK_INT(r.updated, ==, 1);
    struct eddy_store_entry got;
    CHECK_INT(eddy_store_entry(s, id_of(s, "ep1"), &got), ==, 0);
    CHECK_INT(got.nenclosures, ==, 1);
    CHECK_STR(got.enclosures[0].url, "http://old/ep1.mp3");
    eddy_store_entry_fini(&got);
    eddy_store_close(s);
}
