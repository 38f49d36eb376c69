/*
 * store.c — opening the store: the data folder, the database file, the
 * writer connection and the pool of readers; the small SQLite helpers the
 * other files share.
 *
 * Why a pool: in WAL mode a reader sees the last committed state and never
 * waits for the writer, but one SQLite connection runs one statement at a
 * time.  One writer (SQLite allows only one anyway) plus a few readers lets
 * the API's reads go on while a refresh writes.
 */
#include "internal.h"

#include <assert.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* -------------------------------------------------------------- helpers */

int eddy__err(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return -EBUSY;
    case SQLITE_NOMEM: return -ENOMEM;
    case SQLITE_FULL: return -ENOSPC;
    case SQLITE_CONSTRAINT:
        return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? -EEXIST
                                                                                    : -EINVAL;
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG: return -EINVAL;
    case SQLITE_CANTOPEN: return -EACCES;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return -EACCES;
    default: return -EIO;
    }
}

sqlite3_stmt *eddy__stmt(struct eddy__conn *c, const char *sql)
{
    int i;
    for (i = 0; i < EDDY__STORE_STMTS && c->sql[i]; i++)
        if (c->sql[i] == sql) {
            sqlite3_reset(c->stmt[i]);
            sqlite3_clear_bindings(c->stmt[i]);
            return c->stmt[i];
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    /* Evicting could finalize a statement a caller is stepping: the cache
     * is sized above the statements the layer has instead. */
    assert(i < EDDY__STORE_STMTS);
    if (i == EDDY__STORE_STMTS) {
        sqlite3_finalize(st);
        return NULL;
    }
    c->sql[i] = sql;
    c->stmt[i] = st;
    return st;
}

int eddy__exec(struct eddy__conn *c, const char *sql)
{
    return eddy__err(sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

int eddy__begin(struct eddy__conn *c)
{
    static const char sql[] = "BEGIN IMMEDIATE";
    return eddy__step_done(eddy__stmt(c, sql));
}

int eddy__commit(struct eddy__conn *c)
{
    static const char sql[] = "COMMIT";
    int err = eddy__step_done(eddy__stmt(c, sql));
    if (err < 0)
        eddy__rollback(c);
    return err;
}

void eddy__rollback(struct eddy__conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

int eddy__bind_str(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

char *eddy__col_str(sqlite3_stmt *st, int i, int *oom)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    char *d = strdup((const char *)t);
    if (!d)
        *oom = 1;
    return d;
}

int eddy__step_done(sqlite3_stmt *st)
{
    if (!st)
        return -EIO;
    int rc = sqlite3_step(st);
    int err = rc == SQLITE_DONE || rc == SQLITE_ROW
                  ? 0
                  : eddy__err(sqlite3_extended_errcode(sqlite3_db_handle(st)));
    sqlite3_reset(st);
    return err;
}

int eddy__step_int(sqlite3_stmt *st, int64_t *v)
{
    if (!st)
        return -EIO;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int err = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : eddy__err(rc);
    sqlite3_reset(st);
    return err;
}

/* ------------------------------------------------------------ the folder */

int eddy_store_dir(const char *flag, char **out)
{
    const char *v;
    int r;
    *out = NULL;
    if (flag && *flag)
        r = asprintf(out, "%s", flag);
    else if ((v = getenv("EDDY_DATA")) && *v)
        r = asprintf(out, "%s", v);
    else if ((v = getenv("XDG_DATA_HOME")) && *v)
        r = asprintf(out, "%s/eddy", v);
    else if ((v = getenv("HOME")) && *v)
        r = asprintf(out, "%s/.local/share/eddy", v);
    else
        return -ENOENT;
    if (r < 0) {
        *out = NULL;
        return -ENOMEM;
    }
    return 0;
}

/* mkdir -p with mode 0700 for the folders it creates. */
static int make_dir(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return -ENOMEM;
    int err = 0;
    for (char *q = p + 1;; q++) {
        if (*q && *q != '/')
            continue;
        char c = *q;
        *q = 0;
        if (mkdir(p, 0700) < 0 && errno != EEXIST) {
            err = -errno;
            break;
        }
        *q = c;
        if (!c)
            break;
    }
    free(p);
    struct stat st;
    if (!err && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)))
        err = -ENOTDIR;
    return err;
}

/* ---------------------------------------------------------- connections */

static int conn_open(struct eddy__conn *c, const char *path, int reader)
{
    memset(c, 0, sizeof *c);
    int rc = sqlite3_open_v2(
        path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return eddy__err(rc);
    sqlite3_busy_timeout(c->db, EDDY__STORE_BUSY_MS);
    sqlite3_extended_result_codes(c->db, 1);
    /* secure_delete (on in Debian's build) zeroes freed pages: a cost on
     * every update that a feed reader's public data does not need. */
    /* temp_store: a batch's savepoints journal the pages they change in
     * memory, not in a temporary file. */
    int err = eddy__exec(c, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
                            "PRAGMA secure_delete=OFF; PRAGMA cache_size=-16000;"
                            "PRAGMA temp_store=MEMORY");
    if (!err && reader)
        err = eddy__exec(c, "PRAGMA query_only=ON");
    return err;
}

static void conn_close(struct eddy__conn *c)
{
    for (int i = 0; i < EDDY__STORE_STMTS && c->sql[i]; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    c->db = NULL;
}

int eddy_store_open(const char *dir, struct eddy_store **out)
{
    *out = NULL;
    if (!dir || !*dir)
        return -EINVAL;
    int err = make_dir(dir);
    if (err < 0)
        return err;
    char *path;
    if (asprintf(&path, "%s/eddy.db", dir) < 0)
        return -ENOMEM;
    struct eddy_store *s = calloc(1, sizeof *s);
    if (!s) {
        free(path);
        return -ENOMEM;
    }
    pthread_mutex_init(&s->wlock, NULL);
    pthread_mutex_init(&s->rlock, NULL);
    pthread_cond_init(&s->rcond, NULL);
    s->gate = eddy_lock_new(); /* plain memory: any loop's tasks may use it */
    err = s->gate ? 0 : -ENOMEM;
    if (!err)
        err = conn_open(&s->writer, path, 0);
    if (!err) /* WAL is a property of the file: set once, by the writer */
        err = eddy__exec(&s->writer, "PRAGMA journal_mode=WAL");
    if (!err)
        err = eddy__store_migrate(s->writer.db, eddy_store_schema_version());
    for (int i = 0; !err && i < EDDY__STORE_READERS; i++) {
        err = conn_open(&s->readers[i], path, 1);
        s->rfree[s->nfree++] = i;
    }
    free(path);
    if (err < 0) {
        eddy_store_close(s);
        return err;
    }
    *out = s;
    return 0;
}

void eddy_store_close(struct eddy_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < EDDY__STORE_READERS; i++)
        conn_close(&s->readers[i]);
    conn_close(&s->writer); /* the last close checkpoints the WAL */
    pthread_mutex_destroy(&s->wlock);
    pthread_mutex_destroy(&s->rlock);
    pthread_cond_destroy(&s->rcond);
    eddy_lock_free(s->gate);
    free(s);
}

struct eddy__conn *eddy__writer(struct eddy_store *s)
{
    pthread_mutex_lock(&s->wlock);
    s->wchanges = sqlite3_total_changes64(s->writer.db);
    return &s->writer;
}

void eddy__writer_done(struct eddy_store *s)
{
    eddy__rollback(&s->writer); /* a no-op unless an error path left a transaction */
    /* After the commit, before the next writer: a reader that sees the new
     * generation began its transaction after the commit.  A rolled-back
     * change bumps it too (harmless: one cache miss). */
    if (sqlite3_total_changes64(s->writer.db) != s->wchanges)
        atomic_fetch_add_explicit(&s->gen, 1, memory_order_release);
    pthread_mutex_unlock(&s->wlock);
}

uint64_t eddy_store_generation(struct eddy_store *s)
{
    return atomic_load_explicit(&s->gen, memory_order_acquire);
}

/* The read transaction eddy_store_read_tx opened on this thread: the
 * reader every read of the store uses until it ends. */
static _Thread_local struct {
    struct eddy_store *s;
    struct eddy__conn *c;
} pinned;

int eddy_store_read_tx(struct eddy_store *s, int (*fn)(struct eddy_store *s, void *arg), void *arg)
{
    if (pinned.s) /* nested: already inside one */
        return fn(s, arg);
    struct eddy__conn *c = eddy__reader(s);
    static const char begin[] = "BEGIN", commit[] = "COMMIT";
    int err = eddy__step_done(eddy__stmt(c, begin));
    if (err == 0) {
        pinned.s = s, pinned.c = c;
        err = fn(s, arg);
        pinned.s = NULL, pinned.c = NULL;
        int end = eddy__step_done(eddy__stmt(c, commit)); /* a read: ends the snapshot */
        if (end < 0)
            eddy__rollback(c);
    }
    eddy__reader_done(s, c);
    return err;
}

struct eddy__conn *eddy__reader(struct eddy_store *s)
{
    if (pinned.s == s)
        return pinned.c;
    pthread_mutex_lock(&s->rlock);
    while (s->nfree == 0)
        pthread_cond_wait(&s->rcond, &s->rlock);
    struct eddy__conn *c = &s->readers[s->rfree[--s->nfree]];
    pthread_mutex_unlock(&s->rlock);
    return c;
}

void eddy__reader_done(struct eddy_store *s, struct eddy__conn *c)
{
    if (pinned.s == s && pinned.c == c)
        return; /* eddy_store_read_tx returns it */
    pthread_mutex_lock(&s->rlock);
    s->rfree[s->nfree++] = (int)(c - s->readers);
    pthread_cond_signal(&s->rcond);
    pthread_mutex_unlock(&s->rlock);
}
