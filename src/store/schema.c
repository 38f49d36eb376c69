/*
 * schema.c — the database schema and its migrations.
 *
 * PRAGMA user_version is the schema version.  migrations[v] takes a database
 * from version v to v + 1; each runs in its own transaction together with
 * the new user_version, so a crash leaves the database at one version or the
 * next, never between.  Migrations are append-only: a released step is
 * never edited (an older eddy's database must go through exactly the steps
 * it missed).  A fresh database runs them all.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>

static const char *const migrations[] = {
    /* v0 -> v1: feeds and entries. */
    "CREATE TABLE feeds ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL UNIQUE,"
    "  title TEXT,"
    "  user_title INTEGER NOT NULL DEFAULT 0," /* title set by the user: fetches keep it */
    "  site_link TEXT,"
    "  category TEXT,"
    "  etag TEXT,"
    "  last_modified TEXT,"
    "  last_status INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  consecutive_errors INTEGER NOT NULL DEFAULT 0,"
    "  last_check INTEGER NOT NULL DEFAULT 0,"
    "  next_check INTEGER NOT NULL DEFAULT 0,"
    "  repairs TEXT,"
    "  count_200 INTEGER NOT NULL DEFAULT 0,"
    "  count_304 INTEGER NOT NULL DEFAULT 0,"
    "  dead INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX feeds_due ON feeds(next_check) WHERE dead = 0;"
    "CREATE TABLE entries ("
    "  id INTEGER PRIMARY KEY,"
    "  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"     /* identity in its feed: g:guid, l:link or h:hash */
    "  fingerprint INTEGER,"   /* hash of link+title, for GUID churn; NULL: none */
    "  hash INTEGER NOT NULL," /* hash of the content: unchanged entries are not rewritten */
    "  guid TEXT, link TEXT, title TEXT, author TEXT, summary TEXT, content TEXT,"
    "  date INTEGER NOT NULL,"
    "  first_seen INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  read INTEGER NOT NULL DEFAULT 0,"
    "  starred INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (feed_id, key));"
    "CREATE INDEX entries_river ON entries(date, id);"
    "CREATE INDEX entries_feed ON entries(feed_id, date, id);"
    "CREATE INDEX entries_fingerprint ON entries(feed_id, fingerprint) WHERE fingerprint IS NOT "
    "NULL;",

    /* v1 -> v2: where dates came from, and full-text search.  The index is
     * external-content FTS5 over entries, filled by the background indexer:
     * fts_pending lists the entries written since they were indexed.  The
     * triggers keep the index exact: an indexed entry's old text is removed
     * before it changes or goes (FTS5 needs the old values for that). */
    "ALTER TABLE entries ADD COLUMN date_raw TEXT;"
    "ALTER TABLE entries ADD COLUMN date_claimed INTEGER;"
    "ALTER TABLE entries ADD COLUMN date_source INTEGER NOT NULL DEFAULT 1;"
    "CREATE VIRTUAL TABLE entries_fts USING fts5("
    "  title, summary, content, content='entries', content_rowid='id');"
    /* Merging segments less eagerly than the default (4) cut the
     * indexer's CPU time by a quarter in bench/store_bench; searches stayed
     * in milliseconds. */
    "INSERT INTO entries_fts(entries_fts, rank) VALUES('automerge', 16);"
    "CREATE TABLE fts_pending (entry_id INTEGER PRIMARY KEY);"
    "INSERT INTO fts_pending SELECT id FROM entries;"
    "CREATE TRIGGER entries_fts_new AFTER INSERT ON entries BEGIN"
    "  INSERT INTO fts_pending VALUES (new.id);"
    "END;"
    "CREATE TRIGGER entries_fts_change BEFORE UPDATE OF title, summary, content ON entries"
    "  WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE entry_id = old.id) BEGIN"
    "  INSERT INTO entries_fts (entries_fts, rowid, title, summary, content)"
    "    VALUES ('delete', old.id, old.title, old.summary, old.content);"
    "  INSERT INTO fts_pending VALUES (old.id);"
    "END;"
    "CREATE TRIGGER entries_fts_gone AFTER DELETE ON entries BEGIN"
    "  INSERT INTO entries_fts (entries_fts, rowid, title, summary, content)"
    "    SELECT 'delete', old.id, old.title, old.summary, old.content"
    "    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE entry_id = old.id);"
    "  DELETE FROM fts_pending WHERE entry_id = old.id;"
    "END;",

    /* v2 -> v3: what the scheduler keeps between fetches.  guarded: the
     * feed's URL came over HTTP (the API), so every fetch of it goes through
     * the SSRF guard; min_interval, skip_hours, skip_days: what the feed
     * asked for (RSS <ttl>, Cache-Control, <skipHours>/<skipDays>), kept
     * across 304 replies that do not repeat it. */
    "ALTER TABLE feeds ADD COLUMN guarded INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN min_interval INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;",

    /* enclosures: the files an entry carries (a podcast's episodes), in its
     * feed's order (pos); entries.enclosures counts them, so a page looks
     * up only the entries that have some.  Entries stored before keep none
     * until their feed next sends them: the enclosures count in the entry's
     * hash, so that fetch rewrites the entry with them. */
    "ALTER TABLE entries ADD COLUMN enclosures INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE enclosures ("
    "  entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL,"
    "  url TEXT NOT NULL,"
    "  type TEXT,"
    "  length INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (entry_id, pos)) WITHOUT ROWID;",
    /* login: the owner's settings, small named values (the
     * password's yescrypt hash, the refresh interval), and the login
     * sessions, known by the SHA-256 of their secret id (a copy of the
     * database lets no one in). */
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE sessions ("
    "  key BLOB PRIMARY KEY,"
    "  created INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL) WITHOUT ROWID;",
    /* status page: what the last fetch cost (store.h's eddy_store_timing):
     * bytes over the wire and microseconds per phase. */
    "ALTER TABLE feeds ADD COLUMN fetch_bytes INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN t_dns INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN t_connect INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN t_tls INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN t_wait INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN t_receive INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE feeds ADD COLUMN t_parse INTEGER NOT NULL DEFAULT 0;",
    /* vN -> vN+1 (the reader's speed, bench/reader.sh): every feed's entry,
     * unread and starred counts, kept by triggers.  Counting them from
     * entries on each river page read the whole table (its rows carry the
     * content): 7 s for the stats and 46 s for the categories at 100,000
     * entries; from these 500 rows, under a millisecond. */
    "CREATE TABLE feed_counts ("
    "  feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,"
    "  entries INTEGER NOT NULL DEFAULT 0,"
    "  unread INTEGER NOT NULL DEFAULT 0,"
    "  starred INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO feed_counts SELECT feed_id, count(*), sum(read = 0), sum(starred != 0)"
    "  FROM entries GROUP BY feed_id;"
    "CREATE TRIGGER feed_counts_new AFTER INSERT ON entries BEGIN"
    "  INSERT OR IGNORE INTO feed_counts (feed_id) VALUES (new.feed_id);"
    "  UPDATE feed_counts SET entries = entries + 1, unread = unread + (new.read = 0),"
    "    starred = starred + (new.starred != 0) WHERE feed_id = new.feed_id;"
    "END;"
    "CREATE TRIGGER feed_counts_change AFTER UPDATE OF read, starred, feed_id ON entries BEGIN"
    "  UPDATE feed_counts SET entries = entries - 1, unread = unread - (old.read = 0),"
    "    starred = starred - (old.starred != 0) WHERE feed_id = old.feed_id;"
    "  INSERT OR IGNORE INTO feed_counts (feed_id) VALUES (new.feed_id);"
    "  UPDATE feed_counts SET entries = entries + 1, unread = unread + (new.read = 0),"
    "    starred = starred + (new.starred != 0) WHERE feed_id = new.feed_id;"
    "END;"
    "CREATE TRIGGER feed_counts_gone AFTER DELETE ON entries BEGIN"
    "  UPDATE feed_counts SET entries = entries - 1, unread = unread - (old.read = 0),"
    "    starred = starred - (old.starred != 0) WHERE feed_id = old.feed_id;"
    "END;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int eddy_store_schema_version(void)
{
    return NMIGRATIONS;
}

int eddy__store_migrate(sqlite3 *db, int target)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return eddy__err(rc);
    rc = sqlite3_step(st);
    int v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return eddy__err(rc);
    if (v > NMIGRATIONS || target > NMIGRATIONS)
        return -EPROTO;
    for (; v < target; v++) {
        char set[64];
        snprintf(set, sizeof set, "PRAGMA user_version=%d", v + 1);
        rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, set, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            int err = eddy__err(sqlite3_extended_errcode(db));
            if (!sqlite3_get_autocommit(db))
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return err < 0 ? err : -EIO;
        }
    }
    return 0;
}
