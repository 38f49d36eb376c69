/*
 * store/internal.h — what the files of store/ share: the store object, its
 * connections and their statement caches, and small SQLite helpers.
 *
 * A connection is used by one thread at a time: the writer under its mutex,
 * a reader while checked out of the pool.  That is why the connections are
 * opened SQLITE_OPEN_NOMUTEX: the store's locks already serialize them.
 */
#ifndef EDDY_STORE_INTERNAL_H
#define EDDY_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdint.h>

#include "eddy/store.h"

#define EDDY__STORE_READERS 4 /* reader connections in the pool */
#define EDDY__STORE_STMTS                                                                          \
    48                           /* cached statements per connection: more                         \
                                  * than the layer has (25), never evicted */
#define EDDY__STORE_BUSY_MS 5000 /* busy timeout */

struct eddy__conn {
    sqlite3 *db;
    /* Prepared statements keyed by the address of their SQL text (a static
     * string at each call site), so a hot statement is prepared once. */
    const char *sql[EDDY__STORE_STMTS];
    sqlite3_stmt *stmt[EDDY__STORE_STMTS];
};

struct eddy_store {
    pthread_mutex_t wlock; /* held while the writer is in use */
    struct eddy__conn writer;
    pthread_mutex_t rlock; /* guards rfree */
    pthread_cond_t rcond;  /* signalled when a reader is returned */
    struct eddy__conn readers[EDDY__STORE_READERS];
    int rfree[EDDY__STORE_READERS]; /* stack of free reader indexes */
    int nfree;
    /* Taken by the write *_await wrappers around their eddy_to_thread: tasks
     * waiting to write wait here, suspended, instead of each blocking a
     * thread of the loop's small pool on wlock — which would leave no
     * thread for the reads. */
    struct eddy_lock *gate;
    /* eddy_store_generation: bumped when a use of the writer changed a row
     * (wchanges: the writer's total_changes when it was taken). */
    _Atomic uint64_t gen;
    int64_t wchanges;
};

/* store.c: borrowing connections. */
struct eddy__conn *eddy__writer(struct eddy_store *s);
void eddy__writer_done(struct eddy_store *s);
struct eddy__conn *eddy__reader(struct eddy_store *s);
void eddy__reader_done(struct eddy_store *s, struct eddy__conn *c);

/* The cached statement for `sql` (a string literal: its address is the
 * key), reset and with its bindings cleared; NULL on a prepare error. */
sqlite3_stmt *eddy__stmt(struct eddy__conn *c, const char *sql);
/* A SQLite result code as a negative errno (SQLITE_OK/ROW/DONE: 0). */
int eddy__err(int rc);
/* Runs SQL without results (several statements allowed). */
int eddy__exec(struct eddy__conn *c, const char *sql);
/* Transactions on the writer: BEGIN IMMEDIATE, COMMIT, ROLLBACK. */
int eddy__begin(struct eddy__conn *c);
int eddy__commit(struct eddy__conn *c);
void eddy__rollback(struct eddy__conn *c);
/* Binds a string (NULL binds NULL); SQLITE_STATIC: the caller keeps it alive
 * until the statement is reset. */
int eddy__bind_str(sqlite3_stmt *st, int i, const char *v);
/* A malloc'ed copy of a text column, NULL when the column is NULL.  Sets
 * *oom when the copy failed. */
char *eddy__col_str(sqlite3_stmt *st, int i, int *oom);
/* Runs a statement that returns no rows; returns 0 or a negative errno. */
int eddy__step_done(sqlite3_stmt *st);
/* Runs a statement returning one integer (first column of the first row);
 * *v = 0 when it returns no row. */
int eddy__step_int(sqlite3_stmt *st, int64_t *v);

/* schema.c: migrates `db` from its user_version to `target` (one
 * transaction per step).  -EPROTO when the database is newer. */
int eddy__store_migrate(sqlite3 *db, int target);

/* Inside the writer's open transaction: eddy_store_entries_upsert and
 * eddy_store_feed_fetched without their own transaction. */
int eddy__upsert_tx(struct eddy__conn *c, int64_t feed_id,
                    const struct eddy_store_entry_in *entries, size_t n, int64_t now,
                    struct eddy_store_upsert *r);
int eddy__fetched_tx(struct eddy__conn *c, int64_t id, const struct eddy_store_fetch *f);

/* feeds.c / entries.c: reading one row into a record. */
int eddy__feed_row(sqlite3_stmt *st, struct eddy_store_feed *f);
int eddy__entry_row(sqlite3_stmt *st, struct eddy_store_entry *e);
/* The column list eddy__entry_row reads, with table alias "e". */
#define EDDY__ENTRY_COLS                                                                           \
    "e.id, e.feed_id, e.guid, e.link, e.title, e.author, e.summary, "                              \
    "e.content, e.date, e.date_raw, e.date_claimed, e.date_source, "                               \
    "e.first_seen, e.updated_at, e.read, e.starred"

/* search.c: appends an FTS5 query that requires every word of `words`
 * (each quoted, so no word is read as query syntax) to b.  Returns 0, or
 * -ENOMEM; *empty is set when `words` had no word. */
struct eddy_buf;
int eddy__fts_query(struct eddy_buf *b, const char *words, int *empty);

#endif
