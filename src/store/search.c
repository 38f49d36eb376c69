/*
 * search.c — the full-text index (FTS5) and the store's counters.
 *
 * Indexing trails the writes on purpose: indexing each refresh batch as it
 * is stored made storing 148,500 entries of ~3 KB 7.7x costlier in
 * bench/store_bench (4.9 -> 37.8 CPU seconds; the indexer catches up with
 * all of them in 20 CPU seconds, in transactions of 1,000).  The
 * entries written since they were last indexed are listed in fts_pending
 * (by triggers, see schema.c); eddy_store_index_pending() indexes a slice of
 * them per transaction, so it never holds the writer for long.
 */
#include "internal.h"

#include "eddy/buf.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

int eddy__fts_query(struct eddy_buf *b, const char *words, int *empty)
{
    *empty = 1;
    const char *p = words;
    int err = 0;
    while (!err && *p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        /* "word" — a quoted string is a plain phrase in FTS5's syntax; a
         * quote inside is doubled. */
        err = eddy_buf_puts(b, *empty ? "\"" : " \"");
        for (; !err && *p && !isspace((unsigned char)*p); p++)
            err = *p == '"' ? eddy_buf_puts(b, "\"\"") : eddy_buf_putc(b, *p);
        if (!err)
            err = eddy_buf_putc(b, '"');
        *empty = 0;
    }
    return err;
}

int eddy_store_index_pending(struct eddy_store *s, size_t max)
{
    static const char pick[] = "SELECT e.id, e.title, e.summary, e.content FROM fts_pending p"
                               " JOIN entries e ON e.id = p.entry_id ORDER BY p.entry_id LIMIT ?";
    static const char add[] =
        "INSERT INTO entries_fts (rowid, title, summary, content) VALUES (?, ?, ?, ?)";
    /* After the scan: deleting rows of the table being scanned is avoided. */
    static const char done[] = "DELETE FROM fts_pending WHERE entry_id IN"
                               " (SELECT entry_id FROM fts_pending ORDER BY entry_id LIMIT ?)";
    if (max == 0)
        max = 1000;
    struct eddy__conn *c = eddy__writer(s);
    int err = eddy__begin(c), rc = SQLITE_DONE, n = 0;
    sqlite3_stmt *sel = err ? NULL : eddy__stmt(c, pick);
    if (!err && !sel)
        err = -EIO;
    if (!err)
        sqlite3_bind_int64(sel, 1, (int64_t)max);
    while (!err && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        sqlite3_stmt *ins = eddy__stmt(c, add);
        if (!ins) {
            err = -EIO;
            break;
        }
        int64_t id = sqlite3_column_int64(sel, 0);
        sqlite3_bind_int64(ins, 1, id);
        for (int i = 1; i <= 3; i++) /* SQLITE_STATIC: sel stays on this row */
            sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        err = eddy__step_done(ins);
        n++;
    }
    if (!err && rc != SQLITE_DONE)
        err = eddy__err(rc);
    if (sel)
        sqlite3_reset(sel);
    if (!err && n) {
        sqlite3_stmt *del = eddy__stmt(c, done);
        if (del)
            sqlite3_bind_int64(del, 1, n);
        err = eddy__step_done(del);
    }
    if (!err)
        err = eddy__commit(c);
    eddy__writer_done(s);
    return err < 0 ? err : n;
}

int eddy_store_stats(struct eddy_store *s, struct eddy_store_stats *out)
{
    static const char sql[] = "SELECT (SELECT count(*) FROM feeds),"
                              " (SELECT count(*) FROM feeds WHERE dead),"
                              " (SELECT count(*) FROM feeds WHERE last_error IS NOT NULL),"
                              " (SELECT coalesce(sum(entries), 0) FROM feed_counts),"
                              " (SELECT coalesce(sum(unread), 0) FROM feed_counts),"
                              " (SELECT coalesce(sum(starred), 0) FROM feed_counts),"
                              " (SELECT count(*) FROM fts_pending)";
    memset(out, 0, sizeof *out);
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    int err = -EIO;
    if (st) {
        int rc = sqlite3_step(st);
        err = rc == SQLITE_ROW ? 0 : eddy__err(rc);
        if (rc == SQLITE_ROW) {
            out->feeds = sqlite3_column_int64(st, 0);
            out->dead = sqlite3_column_int64(st, 1);
            out->errors = sqlite3_column_int64(st, 2);
            out->entries = sqlite3_column_int64(st, 3);
            out->unread = sqlite3_column_int64(st, 4);
            out->starred = sqlite3_column_int64(st, 5);
            out->unindexed = sqlite3_column_int64(st, 6);
        }
        sqlite3_reset(st);
    }
    eddy__reader_done(s, c);
    return err;
}
