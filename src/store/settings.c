/*
 * settings.c — the owner's settings (a name/value table) and the login
 * sessions (by the hash of their id, with an expiry).  Both are small: a
 * few rows each, read at start and when they change.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int eddy_store_setting(struct eddy_store *s, const char *name, char **value)
{
    static const char sql[] = "SELECT value FROM settings WHERE name = ?";
    *value = NULL;
    if (!name)
        return -EINVAL;
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    int err = st ? 0 : -EIO, oom = 0, rc;
    if (st) {
        eddy__bind_str(st, 1, name);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *value = eddy__col_str(st, 0, &oom);
        err = oom ? -ENOMEM : rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : eddy__err(rc);
        sqlite3_reset(st);
    }
    eddy__reader_done(s, c);
    return err;
}

int eddy_store_setting_set(struct eddy_store *s, const char *name, const char *value)
{
    static const char set[] = "INSERT INTO settings (name, value) VALUES (?1, ?2)"
                              " ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    static const char del[] = "DELETE FROM settings WHERE name = ?1";
    if (!name)
        return -EINVAL;
    struct eddy__conn *c = eddy__writer(s);
    sqlite3_stmt *st = eddy__stmt(c, value ? set : del);
    if (st) {
        eddy__bind_str(st, 1, name);
        if (value)
            eddy__bind_str(st, 2, value);
    }
    int err = eddy__step_done(st);
    eddy__writer_done(s);
    return err;
}

int eddy_store_session_add(struct eddy_store *s, const unsigned char key[EDDY_STORE_SESSION_KEY],
                           int64_t now, int64_t expires)
{
    static const char prune[] = "DELETE FROM sessions WHERE expires <= ?1";
    static const char add[] = "INSERT INTO sessions (key, created, expires) VALUES (?1, ?2, ?3)";
    struct eddy__conn *c = eddy__writer(s);
    sqlite3_stmt *st = eddy__stmt(c, prune);
    if (st)
        sqlite3_bind_int64(st, 1, now);
    int err = eddy__step_done(st);
    if (!err && (st = eddy__stmt(c, add))) {
        sqlite3_bind_blob(st, 1, key, EDDY_STORE_SESSION_KEY, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        sqlite3_bind_int64(st, 3, expires);
    }
    err = err ? err : eddy__step_done(st);
    eddy__writer_done(s);
    return err;
}

int eddy_store_session_remove(struct eddy_store *s, const unsigned char *key)
{
    static const char one[] = "DELETE FROM sessions WHERE key = ?1";
    static const char all[] = "DELETE FROM sessions";
    struct eddy__conn *c = eddy__writer(s);
    sqlite3_stmt *st = eddy__stmt(c, key ? one : all);
    if (st && key)
        sqlite3_bind_blob(st, 1, key, EDDY_STORE_SESSION_KEY, SQLITE_STATIC);
    int err = eddy__step_done(st);
    int n = err < 0 ? err : sqlite3_changes(c->db);
    eddy__writer_done(s);
    return n;
}

int eddy_store_sessions(struct eddy_store *s, int64_t now, struct eddy_store_session **out,
                        size_t *n)
{
    static const char sql[] = "SELECT key, expires FROM sessions WHERE expires > ?1"
                              " ORDER BY expires";
    struct eddy_store_session *v = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *n = 0;
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    int err = st ? 0 : -EIO, rc = SQLITE_DONE;
    if (st)
        sqlite3_bind_int64(st, 1, now);
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != EDDY_STORE_SESSION_KEY)
            continue; /* not a key this code wrote */
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            struct eddy_store_session *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                err = -ENOMEM;
                break;
            }
            v = nv, cap = ncap;
        }
        memcpy(v[len].key, sqlite3_column_blob(st, 0), EDDY_STORE_SESSION_KEY);
        v[len++].expires = sqlite3_column_int64(st, 1);
    }
    if (!err && rc != SQLITE_DONE)
        err = eddy__err(rc);
    if (st)
        sqlite3_reset(st);
    eddy__reader_done(s, c);
    if (err < 0) {
        free(v);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}
