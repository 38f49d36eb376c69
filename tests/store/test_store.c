/* Tests of store/ on a real SQLite file: the data folder, feeds, entries
 * (dedupe, updates that keep read/starred, GUID churn, dates), pagination,
 * search with a trailing index, stats, and a migration from schema v1. */
#include "../test.h"

#include "eddy/store.h"
#include "../../src/store/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct eddy_store *open_tmp(void)
{
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    return s;
}

static int64_t add_feed(struct eddy_store *s, const char *url, const char *category)
{
    int64_t id = 0;
    CHECK_INT(eddy_store_feed_add(s, url, NULL, category, &id), ==, 0);
    CHECK(id > 0);
    return id;
}

/* An entry with every text field derived from `tag`. */
static struct eddy_store_entry_in entry(const char *guid, const char *link, const char *title,
                                        const char *content, int64_t date)
{
    struct eddy_store_entry_in e = {.guid = guid,
                                    .link = link,
                                    .title = title,
                                    .content = content,
                                    .date = date,
                                    .date_source =
                                        date ? EDDY_STORE_DATE_PARSED : EDDY_STORE_DATE_MISSING};
    return e;
}

static int64_t count_entries(struct eddy_store *s)
{
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    return st.entries;
}

/* --------------------------------------------------------------- folder */

TEST(store_dir_resolution)
{
    setenv("HOME", "/h", 1);
    setenv("XDG_DATA_HOME", "/x", 1);
    setenv("EDDY_DATA", "/e", 1);
    char *d;
    CHECK_INT(eddy_store_dir("/flag", &d), ==, 0);
    CHECK_STR(d, "/flag");
    free(d);
    CHECK_INT(eddy_store_dir(NULL, &d), ==, 0);
    CHECK_STR(d, "/e");
    free(d);
    setenv("EDDY_DATA", "", 1); /* empty counts as unset */
    CHECK_INT(eddy_store_dir("", &d), ==, 0);
    CHECK_STR(d, "/x/eddy");
    free(d);
    unsetenv("XDG_DATA_HOME");
    CHECK_INT(eddy_store_dir(NULL, &d), ==, 0);
    CHECK_STR(d, "/h/.local/share/eddy");
    free(d);
    unsetenv("HOME");
    unsetenv("EDDY_DATA");
    CHECK_INT(eddy_store_dir(NULL, &d), ==, -ENOENT);
    CHECK(d == NULL);
}

TEST(store_open_creates_private_folder_wal_schema)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/a/b", test_tmpdir());
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(dir, &s), ==, 0);
    struct stat st;
    CHECK_INT(stat(dir, &st), ==, 0);
    CHECK_INT(st.st_mode & 0777, ==, 0700);
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(s->writer.db, "PRAGMA journal_mode", -1, &q, NULL), ==, SQLITE_OK);
    CHECK_INT(sqlite3_step(q), ==, SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    CHECK_INT(sqlite3_prepare_v2(s->readers[0].db, "PRAGMA foreign_keys", -1, &q, NULL), ==,
              SQLITE_OK);
    CHECK_INT(sqlite3_step(q), ==, SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(q, 0), ==, 1);
    sqlite3_finalize(q);
    CHECK_INT(eddy_store_schema_version(), >=, 2);
    eddy_store_close(s);
    /* A second open finds the schema in place. */
    CHECK_INT(eddy_store_open(dir, &s), ==, 0);
    eddy_store_close(s);
}

TEST(store_refuses_newer_schema)
{
    char path[512];
    snprintf(path, sizeof path, "%s/eddy.db", test_tmpdir());
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), ==, SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "PRAGMA user_version=999", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close(db);
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, -EPROTO);
    CHECK(s == NULL);
}

/* ---------------------------------------------------------------- feeds */

TEST(store_feeds_add_get_rename_categorize_remove)
{
    struct eddy_store *s = open_tmp();
    int64_t a = add_feed(s, "https://a.example/feed", "News");
    int64_t b = add_feed(s, "https://b.example/feed", NULL);
    int64_t again = 0;
    CHECK_INT(eddy_store_feed_add(s, "https://a.example/feed", NULL, NULL, &again), ==, -EEXIST);
    CHECK_INT(again, ==, a);
    CHECK_INT(eddy_store_feed_add(s, "", NULL, NULL, NULL), ==, -EINVAL);

    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed_by_url(s, "https://a.example/feed", &f), ==, 0);
    CHECK_INT(f.id, ==, a);
    CHECK_STR(f.category, "News");
    CHECK(f.title == NULL);
    CHECK_INT(f.next_check, ==, 0);
    eddy_store_feed_fini(&f);

    CHECK_INT(eddy_store_feed_set_title(s, b, "Bee"), ==, 0);
    CHECK_INT(eddy_store_feed_set_category(s, b, "News"), ==, 0);
    CHECK_INT(eddy_store_feed_set_title(s, 999, "x"), ==, -ENOENT);
    CHECK_INT(eddy_store_feed(s, 999, &f), ==, -ENOENT);

    struct eddy_store_category *cats;
    size_t ncats;
    CHECK_INT(eddy_store_categories(s, &cats, &ncats), ==, 0);
    CHECK_INT(ncats, ==, 1);
    CHECK_STR(cats[0].name, "News");
    CHECK_INT(cats[0].feeds, ==, 2);
    eddy_store_categories_free(cats, ncats);

    CHECK_INT(eddy_store_feed_set_category(s, a, ""), ==, 0);
    struct eddy_store_feed *list;
    size_t n;
    CHECK_INT(eddy_store_feeds(s, &list, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    CHECK_INT(list[0].id, ==, b); /* categorized first */
    CHECK_STR(list[0].title, "Bee");
    CHECK(list[1].category == NULL);
    eddy_store_feeds_free(list, n);

    struct eddy_store_entry_in e = entry("g1", NULL, "t", "c", 100);
    CHECK_INT(eddy_store_entries_upsert(s, b, &e, 1, 1000, NULL), ==, 0);
    CHECK_INT(eddy_store_feed_remove(s, b), ==, 0);
    CHECK_INT(eddy_store_feed_remove(s, b), ==, -ENOENT);
    CHECK_INT(count_entries(s), ==, 0); /* its entries went with it */
    CHECK_INT(eddy_store_entries_upsert(s, b, &e, 1, 1000, NULL), ==, -ENOENT);
    eddy_store_close(s);
}

TEST(store_feed_set_url_moves_and_drops_validators)
{
    struct eddy_store *s = open_tmp();
    int64_t a = add_feed(s, "http://127.0.0.1:8080/demo/a.rss", NULL);
    int64_t b = add_feed(s, "http://127.0.0.1:8080/demo/b.rss", NULL);
    struct eddy_store_fetch f = {.fetched_at = 10,
                                 .next_check = 500,
                                 .status = 200,
                                 .etag = "\"v1\"",
                                 .last_modified = "Mon, 07 Dec 2026 00:00:00 GMT"};
    CHECK_INT(eddy_store_feed_fetched(s, a, &f), ==, 0);
    CHECK_INT(eddy_store_feed_set_url(s, a, "http://127.0.0.1:9090/demo/a.rss"), ==, 0);
    struct eddy_store_feed got;
    CHECK_INT(eddy_store_feed(s, a, &got), ==, 0);
    CHECK_STR(got.url, "http://127.0.0.1:9090/demo/a.rss");
    CHECK(got.etag == NULL);
    CHECK(got.last_modified == NULL);
    CHECK_INT(got.next_check, ==, 0);
    CHECK_INT(got.count_200, ==, 1); /* its history stays */
    eddy_store_feed_fini(&got);
    CHECK_INT(eddy_store_feed_set_url(s, b, "http://127.0.0.1:9090/demo/a.rss"), ==, -EEXIST);
    CHECK_INT(eddy_store_feed_set_url(s, 999, "http://x/"), ==, -ENOENT);
    CHECK_INT(eddy_store_feed_set_url(s, b, ""), ==, -EINVAL);
    eddy_store_close(s);
}

TEST(store_fetch_outcomes_and_due_list)
{
    struct eddy_store *s = open_tmp();
    int64_t a = add_feed(s, "http://a/", NULL);
    int64_t b = add_feed(s, "http://b/", NULL);
    struct eddy_store_feed *due;
    size_t n;
    CHECK_INT(eddy_store_feeds_due(s, 10, 0, &due, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    eddy_store_feeds_free(due, n);
    CHECK_INT(eddy_store_feeds_due(s, 10, 1, &due, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    eddy_store_feeds_free(due, n);

    struct eddy_store_fetch ok = {.fetched_at = 100,
                                  .next_check = 200,
                                  .status = 200,
                                  .etag = "\"v1\"",
                                  .last_modified = "Mon",
                                  .title = "Feed A",
                                  .site_link = "http://a.site/",
                                  .repairs = "[\"fixed\"]"};
    CHECK_INT(eddy_store_feed_fetched(s, a, &ok), ==, 0);
    struct eddy_store_fetch fail = {
        .fetched_at = 110, .next_check = 150, .status = 500, .error = "HTTP 500"};
    CHECK_INT(eddy_store_feed_fetched(s, b, &fail), ==, 0);
    fail.fetched_at = 150;
    fail.next_check = 300;
    CHECK_INT(eddy_store_feed_fetched(s, b, &fail), ==, 0);

    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed(s, b, &f), ==, 0);
    CHECK_INT(f.consecutive_errors, ==, 2);
    CHECK_STR(f.last_error, "HTTP 500");
    CHECK_INT(f.last_status, ==, 500);
    eddy_store_feed_fini(&f);

    /* Due at 250: a (200), not b (300). */
    CHECK_INT(eddy_store_feeds_due(s, 250, 0, &due, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    CHECK_INT(due[0].id, ==, a);
    eddy_store_feeds_free(due, n);

    /* A 304 keeps the validators, counts, resets the errors. */
    struct eddy_store_fetch nm = {.fetched_at = 300, .next_check = 400, .status = 304};
    CHECK_INT(eddy_store_feed_fetched(s, a, &nm), ==, 0);
    CHECK_INT(eddy_store_feed_fetched(s, b, &nm), ==, 0);
    CHECK_INT(eddy_store_feed(s, a, &f), ==, 0);
    CHECK_STR(f.etag, "\"v1\"");
    CHECK_STR(f.last_modified, "Mon");
    CHECK_STR(f.title, "Feed A");
    CHECK_STR(f.site_link, "http://a.site/");
    CHECK_STR(f.repairs, "[\"fixed\"]");
    CHECK_INT(f.count_200, ==, 1);
    CHECK_INT(f.count_304, ==, 1);
    CHECK_INT(f.last_check, ==, 300);
    eddy_store_feed_fini(&f);
    CHECK_INT(eddy_store_feed(s, b, &f), ==, 0);
    CHECK_INT(f.consecutive_errors, ==, 0);
    CHECK(f.last_error == NULL);
    eddy_store_feed_fini(&f);

    /* A 200 without validators clears them; a user's title is kept. */
    CHECK_INT(eddy_store_feed_set_title(s, a, "Mine"), ==, 0);
    struct eddy_store_fetch plain = {
        .fetched_at = 400, .next_check = 500, .status = 200, .title = "Feed A2"};
    CHECK_INT(eddy_store_feed_fetched(s, a, &plain), ==, 0);
    CHECK_INT(eddy_store_feed(s, a, &f), ==, 0);
    CHECK(f.etag == NULL && f.last_modified == NULL && f.repairs == NULL);
    CHECK_STR(f.title, "Mine");
    eddy_store_feed_fini(&f);

    /* A permanent redirect moves the URL; onto a taken URL it is refused. */
    struct eddy_store_fetch moved = {
        .fetched_at = 500, .next_check = 600, .status = 200, .new_url = "http://b/"};
    CHECK_INT(eddy_store_feed_fetched(s, a, &moved), ==, -EEXIST);
    moved.new_url = "http://a2/";
    CHECK_INT(eddy_store_feed_fetched(s, a, &moved), ==, 0);
    CHECK_INT(eddy_store_feed_by_url(s, "http://a2/", &f), ==, 0);
    CHECK_INT(f.id, ==, a);
    eddy_store_feed_fini(&f);

    /* 410: dead, listed, never due. */
    struct eddy_store_fetch gone = {
        .fetched_at = 600, .next_check = 0, .status = 410, .error = "gone", .gone = true};
    CHECK_INT(eddy_store_feed_fetched(s, a, &gone), ==, 0);
    CHECK_INT(eddy_store_feeds_due(s, 1000000, 0, &due, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    CHECK_INT(due[0].id, ==, b);
    eddy_store_feeds_free(due, n);
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.feeds, ==, 2);
    CHECK_INT(st.dead, ==, 1);
    CHECK_INT(st.errors, ==, 1);
    CHECK_INT(eddy_store_feed_fetched(s, 999, &gone), ==, -ENOENT);

    /* "Refresh now": due at once, even the dead one (revived). */
    CHECK_INT(eddy_store_feed_set_next_check(s, a, 0), ==, 0);
    CHECK_INT(eddy_store_feed_set_next_check(s, 999, 0), ==, -ENOENT);
    CHECK_INT(eddy_store_feeds_due(s, 1, 0, &due, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    CHECK_INT(due[0].id, ==, a);
    CHECK(!due[0].dead);
    eddy_store_feeds_free(due, n);
    eddy_store_close(s);
}

/* -------------------------------------------------------------- entries */

TEST(store_dedupe_by_guid_link_hash)
{
    struct eddy_store *s = open_tmp();
    int64_t f = add_feed(s, "http://f/", NULL);
    int64_t g = add_feed(s, "http://g/", NULL);
    struct eddy_store_entry_in batch[] = {
        entry("id-1", "http://f/1", "One", "first", 100),
        entry(NULL, "http://f/2", "Two", "second", 200), entry(NULL, NULL, "Three", "third", 300),
        entry("id-1", "http://f/1", "One", "first", 100), /* twice in one batch */
    };
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, f, batch, 4, 1000, &r), ==, 0);
    CHECK_INT(r.added, ==, 3);
    CHECK_INT(r.unchanged, ==, 1);
    /* The same batch again: nothing new, nothing written. */
    CHECK_INT(eddy_store_entries_upsert(s, f, batch, 3, 2000, &r), ==, 0);
    CHECK_INT(r.added, ==, 0);
    CHECK_INT(r.updated, ==, 0);
    CHECK_INT(r.unchanged, ==, 3);
    /* Dedupe is per feed: the same entries in another feed are new. */
    CHECK_INT(eddy_store_entries_upsert(s, g, batch, 3, 2000, &r), ==, 0);
    CHECK_INT(r.added, ==, 3);
    CHECK_INT(count_entries(s), ==, 6);
    /* No guid, no link: a changed text is another entry. */
    batch[2].content = "third, edited";
    CHECK_INT(eddy_store_entries_upsert(s, f, &batch[2], 1, 3000, &r), ==, 0);
    CHECK_INT(r.added, ==, 1);
    eddy_store_close(s);
}

TEST(store_update_keeps_read_starred_unchanged_not_rewritten)
{
    struct eddy_store *s = open_tmp();
    int64_t f = add_feed(s, "http://f/", NULL);
    struct eddy_store_entry_in e = entry("g", "http://f/1", "Title", "v1", 100);
    CHECK_INT(eddy_store_entries_upsert(s, f, &e, 1, 1000, NULL), ==, 0);
    struct eddy_store_page p;
    struct eddy_store_query q = {0};
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    int64_t id = p.entries[0].id;
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_entries_mark(s, &id, 1, EDDY_STORE_READ, true), ==, 1);
    CHECK_INT(eddy_store_entries_mark(s, &id, 1, EDDY_STORE_READ, true), ==, 0);
    CHECK_INT(eddy_store_entries_mark(s, &id, 1, EDDY_STORE_STARRED, true), ==, 1);

    /* Unchanged: updated_at stays at the first write. */
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, f, &e, 1, 2000, &r), ==, 0);
    CHECK_INT(r.unchanged, ==, 1);
    struct eddy_store_entry got;
    CHECK_INT(eddy_store_entry(s, id, &got), ==, 0);
    CHECK_INT(got.updated_at, ==, 1000);
    eddy_store_entry_fini(&got);

    /* Changed: content replaced, marks kept. */
    e.content = "v2";
    e.author = "Ann";
    CHECK_INT(eddy_store_entries_upsert(s, f, &e, 1, 3000, &r), ==, 0);
    CHECK_INT(r.updated, ==, 1);
    CHECK_INT(eddy_store_entry(s, id, &got), ==, 0);
    CHECK_STR(got.content, "v2");
    CHECK_STR(got.author, "Ann");
    CHECK(got.read && got.starred);
    CHECK_INT(got.first_seen, ==, 1000);
    CHECK_INT(got.updated_at, ==, 3000);
    eddy_store_entry_fini(&got);
    CHECK_INT(count_entries(s), ==, 1);

    int64_t ids[] = {id, 12345};
    CHECK_INT(eddy_store_entries_mark(s, ids, 2, EDDY_STORE_READ, false), ==, 1);
    CHECK_INT(eddy_store_entry(s, 12345, &got), ==, -ENOENT);
    eddy_store_close(s);
}

/* A platform move: the feed serves the same ten entries under new guids.
 * They are found again by link+title, take the new guids, keep their marks;
 * a genuinely new entry among them is new. */
TEST(store_guid_churn_replay)
{
    struct eddy_store *s = open_tmp();
    int64_t f = add_feed(s, "http://f/", NULL);
    char guids[11][48], links[11][48], titles[11][48];
    struct eddy_store_entry_in v[11];
    for (int i = 0; i < 11; i++) {
        snprintf(guids[i], 48, "tag:old,%d", i);
        snprintf(links[i], 48, "http://f/post/%d", i);
        snprintf(titles[i], 48, "Post %d", i);
        v[i] = entry(guids[i], links[i], titles[i], "body", 100 + i);
    }
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 10, 1000, &r), ==, 0);
    CHECK_INT(r.added, ==, 10);
    struct eddy_store_query q = {.feed_id = f};
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    int64_t starred = p.entries[3].id;
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_entries_mark(s, &starred, 1, EDDY_STORE_STARRED, true), ==, 1);

    for (int i = 0; i < 11; i++)
        snprintf(guids[i], 48, "https://new.example/p/%d", i);
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 11, 2000, &r), ==, 0);
    CHECK_INT(r.added, ==, 1);
    CHECK_INT(r.updated, ==, 10);
    CHECK_INT(count_entries(s), ==, 11);
    /* Again under the new guids: all known, nothing rewritten. */
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 11, 3000, &r), ==, 0);
    CHECK_INT(r.unchanged, ==, 11);
    struct eddy_store_entry e;
    CHECK_INT(eddy_store_entry(s, starred, &e), ==, 0);
    CHECK(e.starred);
    CHECK(strncmp(e.guid, "https://new.example/p/", 22) == 0);
    eddy_store_entry_fini(&e);
    eddy_store_close(s);
}

/* Two entries that share link and title but have their own guids stay two,
 * and are not merged back and forth on every refresh. */
TEST(store_same_link_title_distinct_guids_stay_apart)
{
    struct eddy_store *s = open_tmp();
    int64_t f = add_feed(s, "http://f/", NULL);
    struct eddy_store_entry_in v[] = {
        entry("a", "http://f/", "Update", "one", 100),
        entry("b", "http://f/", "Update", "two", 200),
    };
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 2, 1000, &r), ==, 0);
    CHECK_INT(r.added, ==, 2);
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 2, 2000, &r), ==, 0);
    CHECK_INT(r.unchanged, ==, 2);
    CHECK_INT(count_entries(s), ==, 2);
    eddy_store_close(s);
}

TEST(store_dates_with_provenance)
{
    struct eddy_store *s = open_tmp();
    int64_t f = add_feed(s, "http://f/", NULL);
    struct eddy_store_entry_in v[] = {
        {.guid = "past",
         .title = "p",
         .date_raw = "Mon, 01 Jan 2024 00:00:00 GMT",
         .date = 500,
         .date_source = EDDY_STORE_DATE_PARSED},
        {.guid = "future",
         .title = "f",
         .date_raw = "2099-01-01",
         .date = 9000,
         .date_source = EDDY_STORE_DATE_PARSED},
        {.guid = "none", .title = "n"},
        {.guid = "guess",
         .title = "g",
         .date_raw = "yesterday-ish",
         .date = 700,
         .date_source = EDDY_STORE_DATE_GUESSED},
    };
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 4, 1000, NULL), ==, 0);
    struct eddy_store_query q = {0};
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 4);
    /* Newest first: future (clamped to 1000), none (first seen 1000), guess, past;
     * the two at 1000 by id descending. */
    CHECK_STR(p.entries[0].guid, "none");
    CHECK_INT(p.entries[0].date, ==, 1000);
    CHECK_INT(p.entries[0].date_source, ==, EDDY_STORE_DATE_MISSING);
    CHECK(p.entries[0].date_raw == NULL);
    CHECK_INT(p.entries[0].date_claimed, ==, 0);
    CHECK_STR(p.entries[1].guid, "future");
    CHECK_INT(p.entries[1].date, ==, 1000);
    CHECK_INT(p.entries[1].date_claimed, ==, 9000);
    CHECK_STR(p.entries[1].date_raw, "2099-01-01");
    CHECK_STR(p.entries[2].guid, "guess");
    CHECK_INT(p.entries[2].date_source, ==, EDDY_STORE_DATE_GUESSED);
    CHECK_STR(p.entries[3].guid, "past");
    CHECK_INT(p.entries[3].date, ==, 500);
    eddy_store_page_fini(&p);

    /* Later edits keep the clamped and the first-seen dates: the river does
     * not reshuffle because a text changed. */
    v[1].title = "f2";
    v[2].title = "n2";
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 4, 5000, NULL), ==, 0);
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.entries[0].date, ==, 1000);
    CHECK_INT(p.entries[1].date, ==, 1000);
    CHECK_STR(p.entries[1].title, "f2");
    eddy_store_page_fini(&p);
    eddy_store_close(s);
}

/* ---------------------------------------------------------- pagination */

TEST(store_list_filters_and_stable_cursor)
{
    struct eddy_store *s = open_tmp();
    int64_t a = add_feed(s, "http://a/", "tech");
    int64_t b = add_feed(s, "http://b/", NULL);
    char guid[120][24];
    struct eddy_store_entry_in v[120];
    for (int i = 0; i < 120; i++) {
        snprintf(guid[i], sizeof guid[i], "e%d", i);
        /* pairs share a date: the cursor must order ties by id */
        v[i] = entry(guid[i], NULL, guid[i], "x", 1000 + i / 2);
    }
    CHECK_INT(eddy_store_entries_upsert(s, a, v, 60, 5000, NULL), ==, 0);
    CHECK_INT(eddy_store_entries_upsert(s, b, v + 60, 60, 5000, NULL), ==, 0);

    /* Walk every entry 7 at a time; add newer entries midway: the walk still
     * sees each of the 120 once, in order. */
    struct eddy_store_query q = {.limit = 7};
    struct eddy_store_cursor cur;
    int seen = 0, pages = 0;
    int64_t last_date = INT64_MAX, last_id = INT64_MAX;
    for (;;) {
        struct eddy_store_page p;
        CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
        for (size_t i = 0; i < p.n; i++) {
            int64_t d = p.entries[i].date, id = p.entries[i].id;
            CHECK(d < last_date || (d == last_date && id < last_id));
            last_date = d;
            last_id = id;
        }
        seen += (int)p.n;
        if (++pages == 3) {
            struct eddy_store_entry_in late = entry("late", NULL, "late", "x", 4000);
            CHECK_INT(eddy_store_entries_upsert(s, b, &late, 1, 5000, NULL), ==, 0);
        }
        bool more = p.more;
        cur = p.next;
        eddy_store_page_fini(&p);
        if (!more)
            break;
        q.after = &cur;
    }
    CHECK_INT(seen, ==, 120);
    CHECK_INT(pages, ==, 18);

    struct eddy_store_page p;
    struct eddy_store_query byfeed = {.feed_id = a, .limit = 1000};
    CHECK_INT(eddy_store_entries(s, &byfeed, &p), ==, 0);
    CHECK_INT(p.n, ==, 60);
    CHECK(!p.more);
    eddy_store_page_fini(&p);
    struct eddy_store_query bycat = {.category = "tech", .since = 1020, .limit = 5000};
    CHECK_INT(eddy_store_entries(s, &bycat, &p), ==, 0);
    CHECK_INT(p.n, ==, 20); /* e40..e59 */
    int64_t ids[3] = {p.entries[0].id, p.entries[1].id, p.entries[2].id};
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_entries_mark(s, ids, 3, EDDY_STORE_READ, true), ==, 3);
    CHECK_INT(eddy_store_entries_mark(s, ids, 1, EDDY_STORE_STARRED, true), ==, 1);
    struct eddy_store_query unread = {.feed_id = a, .unread = true, .limit = 1000};
    CHECK_INT(eddy_store_entries(s, &unread, &p), ==, 0);
    CHECK_INT(p.n, ==, 57);
    eddy_store_page_fini(&p);
    struct eddy_store_query starred = {.starred = true};
    CHECK_INT(eddy_store_entries(s, &starred, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    CHECK_INT(p.entries[0].id, ==, ids[0]);
    eddy_store_page_fini(&p);
    struct eddy_store_query dflt = {0};
    CHECK_INT(eddy_store_entries(s, &dflt, &p), ==, 0);
    CHECK_INT(p.n, ==, EDDY_STORE_LIMIT_DEFAULT);
    eddy_store_page_fini(&p);

    struct eddy_store_category *cats;
    size_t n;
    CHECK_INT(eddy_store_categories(s, &cats, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    CHECK_INT(cats[0].unread, ==, 57);
    eddy_store_categories_free(cats, n);
    eddy_store_close(s);
}

/* --------------------------------------------------------------- search */

TEST(store_search_trails_then_finds)
{
    struct eddy_store *s = open_tmp();
    int64_t f = add_feed(s, "http://f/", NULL);
    struct eddy_store_entry_in v[] = {
        entry("1", NULL, "Kestrels over the harbour", "birds of prey", 100),
        entry("2", NULL, "Tide tables", "the harbour at low water", 200),
        entry("3", NULL, "Bread", "sourdough \"starter\" notes from the Café", 300),
    };
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 3, 1000, NULL), ==, 0);
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.unindexed, ==, 3);
    struct eddy_store_query q = {.search = "harbour"};
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 0); /* not indexed yet */
    eddy_store_page_fini(&p);

    CHECK_INT(eddy_store_index_pending(s, 2), ==, 2);
    CHECK_INT(eddy_store_index_pending(s, 0), ==, 1);
    CHECK_INT(eddy_store_index_pending(s, 0), ==, 0);
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.unindexed, ==, 0);
    /* Stored again unchanged: not rewritten, so not queued for the index. */
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 3, 1500, NULL), ==, 0);
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.unindexed, ==, 0);

    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 2);
    eddy_store_page_fini(&p);
    q.search = "HARBOUR  low";
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    CHECK_STR(p.entries[0].guid, "2");
    eddy_store_page_fini(&p);
    /* Query syntax in the words is taken literally, never an error. */
    q.search = "\"starter\" OR NOT* (";
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 0);
    eddy_store_page_fini(&p);
    q.search = "\"starter\"";
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    eddy_store_page_fini(&p);
    q.search = "CAFE"; /* case and diacritics folded (unicode61) */
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    eddy_store_page_fini(&p);
    static const char *const odd[] = {"-", "*", "\"", "AND", "NEAR(", ":", "^x", "' OR 1=1 --"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        q.search = odd[i];
        CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
        CHECK_INT(p.n, ==, 0);
        eddy_store_page_fini(&p);
    }

    /* An edit takes the old words out of the index at once and the new ones
     * in once the indexer has run. */
    v[1].content = "the estuary at low water";
    v[1].title = "Tides";
    CHECK_INT(eddy_store_entries_upsert(s, f, &v[1], 1, 2000, NULL), ==, 0);
    q.search = "harbour";
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    CHECK_STR(p.entries[0].guid, "1");
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_index_pending(s, 0), ==, 1);
    q.search = "estuary";
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    eddy_store_page_fini(&p);

    /* Removing the feed empties the index (FTS5 integrity check agrees). */
    CHECK_INT(eddy_store_feed_remove(s, f), ==, 0);
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 0);
    CHECK_INT(sqlite3_exec(s->writer.db,
                           "INSERT INTO entries_fts(entries_fts) VALUES('integrity-check')", NULL,
                           NULL, NULL),
              ==, SQLITE_OK);
    eddy_store_close(s);
}

/* ----------------------------------------------------------- migration */

/* A database made by schema v1 (what an older eddy wrote) opens, migrates
 * and keeps its feeds, entries and marks; its entries become searchable. */
TEST(store_migrates_v1_database)
{
    char path[512];
    snprintf(path, sizeof path, "%s/eddy.db", test_tmpdir());
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), ==, SQLITE_OK);
    CHECK_INT(eddy__store_migrate(db, 1), ==, 0);
    CHECK_INT(sqlite3_exec(
                  db,
                  "INSERT INTO feeds (id, url, title) VALUES (7, 'http://old/', 'Old');"
                  "INSERT INTO entries (feed_id, key, hash, guid, title, content, date, first_seen,"
                  " updated_at, read, starred) VALUES (7, 'g:x', 1, 'x', 'Ancient lighthouse', 'c',"
                  " 100, 100, 100, 1, 1);",
                  NULL, NULL, NULL),
              ==, SQLITE_OK);
    sqlite3_close(db);

    struct eddy_store *s = open_tmp();
    sqlite3_stmt *q;
    CHECK_INT(sqlite3_prepare_v2(s->writer.db, "PRAGMA user_version", -1, &q, NULL), ==, SQLITE_OK);
    CHECK_INT(sqlite3_step(q), ==, SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(q, 0), ==, eddy_store_schema_version());
    sqlite3_finalize(q);
    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed(s, 7, &f), ==, 0);
    CHECK_STR(f.title, "Old");
    eddy_store_feed_fini(&f);
    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.entries, ==, 1);
    CHECK_INT(st.starred, ==, 1);
    CHECK_INT(st.unindexed, ==, 1);
    CHECK_INT(eddy_store_index_pending(s, 0), ==, 1);
    struct eddy_store_query sq = {.search = "lighthouse"};
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &sq, &p), ==, 0);
    CHECK_INT(p.n, ==, 1);
    CHECK(p.entries[0].read);
    eddy_store_page_fini(&p);
    /* The old entry is found again by its guid after the upgrade. */
    struct eddy_store_entry_in e = entry("x", NULL, "Ancient lighthouse", "c2", 100);
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, 7, &e, 1, 1000, &r), ==, 0);
    CHECK_INT(r.updated, ==, 1);
    eddy_store_close(s);
}

/* A v1 database already checked above; a v2 one (the last released schema
 * before the scheduler's columns) gains them with their defaults. */
TEST(store_migrates_v2_database)
{
    char path[512];
    snprintf(path, sizeof path, "%s/eddy.db", test_tmpdir());
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), ==, SQLITE_OK);
    CHECK_INT(eddy__store_migrate(db, 2), ==, 0);
    CHECK_INT(sqlite3_exec(db, "INSERT INTO feeds (id, url, etag) VALUES (3, 'http://v2/', 'e');",
                           NULL, NULL, NULL),
              ==, SQLITE_OK);
    sqlite3_close(db);
    struct eddy_store *s = open_tmp();
    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed(s, 3, &f), ==, 0);
    CHECK_STR(f.etag, "e");
    CHECK(!f.guarded);
    CHECK_INT(f.min_interval, ==, 0);
    CHECK_INT(f.skip_hours, ==, 0);
    eddy_store_feed_fini(&f);
    eddy_store_close(s);
}

/* ---------------------------------------------------------- batch, schedule */

/* A batch is one transaction: ids and per-record outcomes come back, a URL
 * twice in one batch is added once, the guard flag is kept. */
TEST(store_feeds_add_batch)
{
    struct eddy_store *s = open_tmp();
    int64_t old = add_feed(s, "http://old/", NULL);
    struct eddy_store_feed_new in[] = {
        {.url = "http://a/", .category = "news"},
        {.url = "http://old/"},
        {.url = ""},
        {.url = "http://b/", .title = "B", .guarded = true},
        {.url = "http://a/"},
    };
    CHECK_INT(eddy_store_feeds_add(s, in, 5), ==, 2);
    CHECK_INT(in[0].err, ==, 0);
    CHECK_INT(in[1].err, ==, -EEXIST);
    CHECK_INT(in[1].id, ==, old);
    CHECK_INT(in[2].err, ==, -EINVAL);
    CHECK_INT(in[3].err, ==, 0);
    CHECK_INT(in[4].err, ==, -EEXIST);
    CHECK_INT(in[4].id, ==, in[0].id);
    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed(s, in[3].id, &f), ==, 0);
    CHECK(f.guarded);
    CHECK_STR(f.title, "B");
    eddy_store_feed_fini(&f);
    CHECK_INT(eddy_store_feed(s, in[0].id, &f), ==, 0);
    CHECK(!f.guarded);
    CHECK_STR(f.category, "news");
    eddy_store_feed_fini(&f);
    eddy_store_close(s);
}

/* What the feed asked for survives a 304 that does not repeat it; a 304's
 * own max-age replaces it; the next 200 replaces everything. */
TEST(store_fetch_keeps_what_the_feed_asked_for)
{
    struct eddy_store *s = open_tmp();
    int64_t id = add_feed(s, "http://a/", NULL);
    struct eddy_store_fetch ok = {.fetched_at = 100,
                                  .next_check = 200,
                                  .status = 200,
                                  .min_interval = 7200,
                                  .skip_hours = 1u << 3 | 1u << 23,
                                  .skip_days = 1u << 0};
    CHECK_INT(eddy_store_feed_fetched(s, id, &ok), ==, 0);
    struct eddy_store_fetch nm = {.fetched_at = 200, .next_check = 300, .status = 304};
    CHECK_INT(eddy_store_feed_fetched(s, id, &nm), ==, 0);
    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed(s, id, &f), ==, 0);
    CHECK_INT(f.min_interval, ==, 7200);
    CHECK_INT(f.skip_hours, ==, (1u << 3 | 1u << 23));
    CHECK_INT(f.skip_days, ==, 1);
    eddy_store_feed_fini(&f);
    nm.min_interval = 600;
    CHECK_INT(eddy_store_feed_fetched(s, id, &nm), ==, 0);
    CHECK_INT(eddy_store_feed(s, id, &f), ==, 0);
    CHECK_INT(f.min_interval, ==, 600);
    CHECK_INT(f.skip_days, ==, 1);
    eddy_store_feed_fini(&f);
    ok.min_interval = 0, ok.skip_hours = 0, ok.skip_days = 0;
    CHECK_INT(eddy_store_feed_fetched(s, id, &ok), ==, 0);
    CHECK_INT(eddy_store_feed(s, id, &f), ==, 0);
    CHECK_INT(f.min_interval, ==, 0);
    CHECK_INT(f.skip_hours, ==, 0);
    CHECK_INT(f.skip_days, ==, 0);
    eddy_store_feed_fini(&f);
    eddy_store_close(s);
}

/* ------------------------------------------------ a refresh pass's batch */

static int64_t feed_entries(struct eddy_store *s, int64_t feed)
{
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){.feed_id = feed, .limit = 1000}, &p),
              ==, 0);
    int64_t n = (int64_t)p.n;
    eddy_store_page_fini(&p);
    return n;
}

TEST(store_feeds_fetched_batch_all_or_nothing_per_feed)
{
    struct eddy_store *s = open_tmp();
    int64_t a = add_feed(s, "http://a/", NULL), b = add_feed(s, "http://b/", NULL),
            c = add_feed(s, "http://c/", NULL);
    struct eddy_store_entry_in ea[2] = {entry("a1", NULL, "A1", "x", 100),
                                        entry("a2", NULL, "A2", "y", 200)};
    struct eddy_store_entry_in eb[1] = {entry("b1", NULL, "B1", "z", 100)};
    struct eddy_store_entry_in ec[3] = {entry("c1", NULL, "C1", "u", 100),
                                        entry("c2", NULL, "C2", "v", 200),
                                        entry("c3", NULL, "C3", "w", 300)};
    struct eddy_store_fetch ra = {
        .fetched_at = 1000, .next_check = 2000, .status = 200, .etag = "\"a\""};
    /* b moved onto c's URL: refused, and with it b's entries and validators. */
    struct eddy_store_fetch rb = {.fetched_at = 1000,
                                  .next_check = 2000,
                                  .status = 200,
                                  .etag = "\"b\"",
                                  .new_url = "http://c/"};
    struct eddy_store_fetch rc = {
        .fetched_at = 1000, .next_check = 2000, .status = 200, .etag = "\"c\"", .title = "C"};
    struct eddy_store_fetched v[] = {
        {.feed_id = a, .entries = ea, .n = 2, .fetch = &ra},
        {.feed_id = b, .entries = eb, .n = 1, .fetch = &rb},
        {.feed_id = 999, .entries = eb, .n = 1, .fetch = &ra}, /* no such feed */
        {.feed_id = c, .entries = ec, .n = 3, .fetch = &rc},
    };
    CHECK_INT(eddy_store_feeds_fetched(s, v, 4, 1000), ==, 2);
    CHECK_INT(v[0].err, ==, 0);
    CHECK_INT(v[0].up.added, ==, 2);
    CHECK_INT(v[1].err, ==, -EEXIST);
    CHECK_INT(v[1].up.added, ==, 0);
    CHECK_INT(v[2].err, ==, -ENOENT);
    CHECK_INT(v[3].err, ==, 0);
    CHECK_INT(v[3].up.added, ==, 3);
    CHECK_INT(feed_entries(s, a), ==, 2);
    CHECK_INT(feed_entries(s, b), ==, 0); /* its savepoint was rolled back */
    CHECK_INT(feed_entries(s, c), ==, 3);
    struct eddy_store_feed f;
    CHECK_INT(eddy_store_feed(s, b, &f), ==, 0);
    CHECK(f.etag == NULL); /* no validators without the entries they vouch for */
    CHECK_INT(f.last_check, ==, 0);
    CHECK_STR(f.url, "http://b/");
    eddy_store_feed_fini(&f);
    CHECK_INT(eddy_store_feed(s, c, &f), ==, 0);
    CHECK_STR(f.etag, "\"c\"");
    CHECK_STR(f.title, "C");
    CHECK_INT(f.count_200, ==, 1);
    eddy_store_feed_fini(&f);

    /* Again, b without the move; a unchanged, a 304 for c (no entries). */
    rb.new_url = NULL;
    struct eddy_store_fetch nm = {.fetched_at = 2000, .next_check = 3000, .status = 304};
    struct eddy_store_fetched w[] = {
        {.feed_id = a, .entries = ea, .n = 2, .fetch = &ra},
        {.feed_id = b, .entries = eb, .n = 1, .fetch = &rb},
        {.feed_id = c, .fetch = &nm},
    };
    CHECK_INT(eddy_store_feeds_fetched(s, w, 3, 2000), ==, 3);
    CHECK_INT(w[0].up.unchanged, ==, 2);
    CHECK_INT(w[1].up.added, ==, 1);
    CHECK_INT(feed_entries(s, b), ==, 1);
    CHECK_INT(eddy_store_feed(s, c, &f), ==, 0);
    CHECK_STR(f.etag, "\"c\"");
    CHECK_INT(f.count_304, ==, 1);
    eddy_store_feed_fini(&f);
    /* A record alone (no entries) that fails: that feed only. */
    struct eddy_store_fetch taken = {
        .fetched_at = 3000, .next_check = 4000, .status = 304, .new_url = "http://c/"};
    struct eddy_store_fetched x[] = {{.feed_id = a, .fetch = &taken}, {.feed_id = b, .fetch = &nm}};
    CHECK_INT(eddy_store_feeds_fetched(s, x, 2, 3000), ==, 1);
    CHECK_INT(x[0].err, ==, -EEXIST);
    CHECK_INT(x[1].err, ==, 0);
    CHECK_INT(eddy_store_feed(s, a, &f), ==, 0);
    CHECK_STR(f.url, "http://a/");
    CHECK_INT(f.count_304, ==, 0);
    eddy_store_feed_fini(&f);
    CHECK_INT(eddy_store_feeds_fetched(s, NULL, 0, 3000), ==, 0);
    eddy_store_close(s);
}

/* A feed's first batch takes the insert-first path: an entry given twice in
 * it is still one entry (the later one's content), as in a later batch. */
TEST(store_first_batch_dedupes_within_itself)
{
    struct eddy_store *s = open_tmp();
    int64_t f = add_feed(s, "http://f/", NULL), g = add_feed(s, "http://g/", NULL);
    struct eddy_store_entry_in v[] = {
        entry("same", NULL, "First", "one", 100),
        entry("other", "http://x/1", "T", "two", 100),
        entry("same", NULL, "Second", "three", 100),
        entry(NULL, "http://x/1", "T", "four", 100), /* no guid: its link is its key */
        entry("same", NULL, "Second", "three", 100),
    };
    struct eddy_store_upsert r;
    CHECK_INT(eddy_store_entries_upsert(s, f, v, 5, 1000, &r), ==, 0);
    CHECK_INT(r.added, ==, 3);
    CHECK_INT(r.updated, ==, 1);
    CHECK_INT(r.unchanged, ==, 1);
    CHECK_INT(feed_entries(s, f), ==, 3);
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){.feed_id = f}, &p), ==, 0);
    int seen = 0;
    for (size_t i = 0; i < p.n; i++)
        if (p.entries[i].guid && !strcmp(p.entries[i].guid, "same")) {
            CHECK_STR(p.entries[i].title, "Second");
            seen++;
        }
    CHECK_INT(seen, ==, 1);
    eddy_store_page_fini(&p);
    /* The same batch into a feed that has entries already: the same counts. */
    struct eddy_store_entry_in old = entry("old", NULL, "Old", "zero", 50);
    CHECK_INT(eddy_store_entries_upsert(s, g, &old, 1, 1000, NULL), ==, 0);
    CHECK_INT(eddy_store_entries_upsert(s, g, v, 5, 1000, &r), ==, 0);
    CHECK_INT(r.added, ==, 3);
    CHECK_INT(r.updated, ==, 1);
    CHECK_INT(r.unchanged, ==, 1);
    eddy_store_close(s);
}

/* The counts the river shows (stats, categories) come from feed_counts,
 * kept by triggers: they follow inserts, updates that keep the marks, marks,
 * and a feed removed with its entries. */
TEST(store_counts_follow_entries_and_marks)
{
    struct eddy_store *s = open_tmp();
    int64_t a = add_feed(s, "http://a/", "News"), b = add_feed(s, "http://b/", "News");
    int64_t c = add_feed(s, "http://c/", "Tech");
    struct eddy_store_entry_in in[] = {entry("1", NULL, "one", "x", 100),
                                       entry("2", NULL, "two", "x", 200),
                                       entry("3", NULL, "three", "x", 300)};
    CHECK_INT(eddy_store_entries_upsert(s, a, in, 3, 1000, NULL), ==, 0);
    CHECK_INT(eddy_store_entries_upsert(s, b, in, 2, 1000, NULL), ==, 0);
    CHECK_INT(eddy_store_entries_upsert(s, c, in, 1, 1000, NULL), ==, 0);
    struct eddy_store_query q = {.feed_id = a};
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &q, &p), ==, 0);
    CHECK_INT(p.n, ==, 3);
    int64_t ids[2] = {p.entries[0].id, p.entries[1].id};
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_entries_mark(s, ids, 2, EDDY_STORE_READ, true), ==, 2);
    CHECK_INT(eddy_store_entries_mark(s, ids, 1, EDDY_STORE_STARRED, true), ==, 1);
    in[0].content = "changed"; /* an update keeps the marks and the counts */
    CHECK_INT(eddy_store_entries_upsert(s, a, in, 3, 1000, NULL), ==, 0);

    struct eddy_store_stats st;
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.entries, ==, 6);
    CHECK_INT(st.unread, ==, 4);
    CHECK_INT(st.starred, ==, 1);
    struct eddy_store_category *cats;
    size_t n;
    CHECK_INT(eddy_store_categories(s, &cats, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    CHECK_STR(cats[0].name, "News");
    CHECK_INT(cats[0].feeds, ==, 2);
    CHECK_INT(cats[0].unread, ==, 3);
    CHECK_INT(cats[1].unread, ==, 1);
    eddy_store_categories_free(cats, n);

    CHECK_INT(eddy_store_entries_mark(s, ids, 2, EDDY_STORE_READ, false), ==, 2);
    CHECK_INT(eddy_store_feed_remove(s, b), ==, 0);
    CHECK_INT(eddy_store_stats(s, &st), ==, 0);
    CHECK_INT(st.entries, ==, 4);
    CHECK_INT(st.unread, ==, 4);
    CHECK_INT(st.starred, ==, 1);
    CHECK_INT(eddy_store_categories(s, &cats, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    CHECK_INT(cats[0].feeds, ==, 1);
    CHECK_INT(cats[0].unread, ==, 3);
    eddy_store_categories_free(cats, n);
    eddy_store_close(s);
}
