/*
 * feeds.c — subscriptions: add, remove, rename, categorize, list, the due
 * list, and what a fetch leaves behind; categories.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FEED_COLS                                                                                  \
    "id, url, title, site_link, category, etag, last_modified, last_status,"                       \
    " last_error, consecutive_errors, last_check, next_check, repairs,"                            \
    " count_200, count_304, dead, guarded, min_interval, skip_hours, skip_days,"                   \
    " fetch_bytes, t_dns, t_connect, t_tls, t_wait, t_receive, t_parse"

void eddy_store_feed_fini(struct eddy_store_feed *f)
{
    free(f->url);
    free(f->title);
    free(f->site_link);
    free(f->category);
    free(f->etag);
    free(f->last_modified);
    free(f->last_error);
    free(f->repairs);
    memset(f, 0, sizeof *f);
}

void eddy_store_feeds_free(struct eddy_store_feed *feeds, size_t n)
{
    for (size_t i = 0; feeds && i < n; i++)
        eddy_store_feed_fini(&feeds[i]);
    free(feeds);
}

int eddy__feed_row(sqlite3_stmt *st, struct eddy_store_feed *f)
{
    int oom = 0;
    f->id = sqlite3_column_int64(st, 0);
    f->url = eddy__col_str(st, 1, &oom);
    f->title = eddy__col_str(st, 2, &oom);
    f->site_link = eddy__col_str(st, 3, &oom);
    f->category = eddy__col_str(st, 4, &oom);
    f->etag = eddy__col_str(st, 5, &oom);
    f->last_modified = eddy__col_str(st, 6, &oom);
    f->last_status = sqlite3_column_int(st, 7);
    f->last_error = eddy__col_str(st, 8, &oom);
    f->consecutive_errors = sqlite3_column_int(st, 9);
    f->last_check = sqlite3_column_int64(st, 10);
    f->next_check = sqlite3_column_int64(st, 11);
    f->repairs = eddy__col_str(st, 12, &oom);
    f->count_200 = sqlite3_column_int64(st, 13);
    f->count_304 = sqlite3_column_int64(st, 14);
    f->dead = sqlite3_column_int(st, 15) != 0;
    f->guarded = sqlite3_column_int(st, 16) != 0;
    f->min_interval = sqlite3_column_int64(st, 17);
    f->skip_hours = (uint32_t)sqlite3_column_int64(st, 18) & 0xffffffu;
    f->skip_days = (uint8_t)(sqlite3_column_int(st, 19) & 0x7f);
    struct eddy_store_timing *t = &f->last_timing;
    int64_t *cost[] = {&t->bytes,   &t->dns_us,     &t->connect_us, &t->tls_us,
                       &t->wait_us, &t->receive_us, &t->parse_us};
    for (int i = 0; i < 7; i++)
        *cost[i] = sqlite3_column_int64(st, 20 + i);
    if (oom) {
        eddy_store_feed_fini(f);
        return -ENOMEM;
    }
    return 0;
}

/* Steps `st` (bound, on reader c) collecting every row into a new array. */
static int collect_feeds(sqlite3_stmt *st, struct eddy_store_feed **out, size_t *n)
{
    struct eddy_store_feed *v = NULL;
    size_t len = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            struct eddy_store_feed *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                err = -ENOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        memset(&v[len], 0, sizeof v[len]);
        if ((err = eddy__feed_row(st, &v[len])) < 0)
            break;
        len++;
    }
    if (!err && rc != SQLITE_DONE)
        err = eddy__err(rc);
    sqlite3_reset(st);
    if (err < 0) {
        eddy_store_feeds_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}

/* Runs `sql` with up to two bound integers on a reader into a list. */
static int list_feeds(struct eddy_store *s, const char *sql, int nargs, int64_t a, int64_t b,
                      struct eddy_store_feed **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    int err = st ? 0 : -EIO;
    if (st && nargs > 0)
        sqlite3_bind_int64(st, 1, a);
    if (st && nargs > 1)
        sqlite3_bind_int64(st, 2, b);
    if (st)
        err = collect_feeds(st, out, n);
    eddy__reader_done(s, c);
    return err;
}

int eddy_store_feeds(struct eddy_store *s, struct eddy_store_feed **out, size_t *n)
{
    static const char sql[] = "SELECT " FEED_COLS " FROM feeds"
                              " ORDER BY category IS NULL, category, title, id";
    return list_feeds(s, sql, 0, 0, 0, out, n);
}

int eddy_store_feeds_due(struct eddy_store *s, int64_t now, size_t max,
                         struct eddy_store_feed **out, size_t *n)
{
    static const char sql[] = "SELECT " FEED_COLS " FROM feeds"
                              " WHERE dead = 0 AND next_check <= ?1"
                              " ORDER BY next_check, id LIMIT ?2";
    return list_feeds(s, sql, 2, now, max ? (int64_t)max : -1, out, n);
}

/* Reads one feed by id (key == NULL) or by url (key). */
static int get_feed(struct eddy_store *s, int64_t id, const char *url, struct eddy_store_feed *out)
{
    static const char by_id[] = "SELECT " FEED_COLS " FROM feeds WHERE id = ?";
    static const char by_url[] = "SELECT " FEED_COLS " FROM feeds WHERE url = ?";
    memset(out, 0, sizeof *out);
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, url ? by_url : by_id);
    int err = -EIO;
    if (st) {
        if (url)
            eddy__bind_str(st, 1, url);
        else
            sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        err = rc == SQLITE_ROW    ? eddy__feed_row(st, out)
              : rc == SQLITE_DONE ? -ENOENT
                                  : eddy__err(rc);
        sqlite3_reset(st);
    }
    eddy__reader_done(s, c);
    return err;
}

int eddy_store_feed(struct eddy_store *s, int64_t id, struct eddy_store_feed *out)
{
    return get_feed(s, id, NULL, out);
}

int eddy_store_feed_by_url(struct eddy_store *s, const char *url, struct eddy_store_feed *out)
{
    if (!url)
        return -EINVAL;
    return get_feed(s, 0, url, out);
}

int eddy_store_feeds_add(struct eddy_store *s, struct eddy_store_feed_new *feeds, size_t n)
{
    static const char ins[] = "INSERT INTO feeds (url, title, user_title, category, guarded)"
                              " VALUES (?1, ?2, ?2 IS NOT NULL, ?3, ?4)";
    static const char find[] = "SELECT id FROM feeds WHERE url = ?";
    struct eddy__conn *c = eddy__writer(s);
    int err = eddy__begin(c), added = 0;
    for (size_t i = 0; i < n && err == 0; i++) {
        struct eddy_store_feed_new *f = &feeds[i];
        f->id = 0;
        if (!f->url || !*f->url) {
            f->err = -EINVAL;
            continue;
        }
        const char *category = f->category && *f->category ? f->category : NULL;
        sqlite3_stmt *st = eddy__stmt(c, ins);
        if (!st) {
            err = -EIO;
            break;
        }
        eddy__bind_str(st, 1, f->url);
        eddy__bind_str(st, 2, f->title);
        eddy__bind_str(st, 3, category);
        sqlite3_bind_int(st, 4, f->guarded);
        f->err = eddy__step_done(st);
        if (f->err == 0) {
            f->id = sqlite3_last_insert_rowid(c->db);
            added++;
        } else if (f->err == -EEXIST && (st = eddy__stmt(c, find))) {
            eddy__bind_str(st, 1, f->url);
            eddy__step_int(st, &f->id);
        } else {
            err = f->err; /* not the row's fault: the transaction fails */
        }
    }
    if (err == 0)
        err = eddy__commit(c);
    else
        eddy__rollback(c);
    eddy__writer_done(s);
    return err < 0 ? err : added;
}

int eddy_store_feed_add(struct eddy_store *s, const char *url, const char *title,
                        const char *category, int64_t *id)
{
    struct eddy_store_feed_new f = {.url = url, .title = title, .category = category};
    int err = eddy_store_feeds_add(s, &f, 1);
    if (err < 0)
        return err;
    if (id && (f.err == 0 || f.err == -EEXIST))
        *id = f.id;
    return f.err;
}

/* Runs a one-row write `sql` binding ?1 = id, and ?2 = text and ?3 = n
 * where the statement has them; -ENOENT when no row changed. */
static int write_feed(struct eddy_store *s, const char *sql, int64_t id, const char *text,
                      int64_t n)
{
    struct eddy__conn *c = eddy__writer(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    int err = -EIO;
    if (st) {
        int params = sqlite3_bind_parameter_count(st);
        sqlite3_bind_int64(st, 1, id);
        if (params >= 2)
            eddy__bind_str(st, 2, text);
        if (params >= 3)
            sqlite3_bind_int64(st, 3, n);
        err = eddy__step_done(st);
        if (!err && sqlite3_changes(c->db) == 0)
            err = -ENOENT;
    }
    eddy__writer_done(s);
    return err;
}

int eddy_store_feed_remove(struct eddy_store *s, int64_t id)
{
    static const char sql[] = "DELETE FROM feeds WHERE id = ?1";
    return write_feed(s, sql, id, NULL, 0);
}

int eddy_store_feed_set_next_check(struct eddy_store *s, int64_t id, int64_t when)
{
    static const char sql[] = "UPDATE feeds SET next_check = ?3, dead = 0 WHERE id = ?1";
    return write_feed(s, sql, id, NULL, when);
}

int eddy_store_feed_set_title(struct eddy_store *s, int64_t id, const char *title)
{
    static const char sql[] =
        "UPDATE feeds SET title = ?2, user_title = ?2 IS NOT NULL WHERE id = ?1";
    return write_feed(s, sql, id, title, 0);
}

int eddy_store_feed_set_category(struct eddy_store *s, int64_t id, const char *category)
{
    static const char sql[] = "UPDATE feeds SET category = ?2 WHERE id = ?1";
    return write_feed(s, sql, id, category && *category ? category : NULL, 0);
}

int eddy_store_feed_set_url(struct eddy_store *s, int64_t id, const char *url)
{
    static const char sql[] = "UPDATE feeds SET url = ?2, etag = NULL, last_modified = NULL,"
                              " next_check = 0, dead = 0 WHERE id = ?1";
    return url && *url ? write_feed(s, sql, id, url, 0) : -EINVAL;
}

/* The fetch's cost, beside its outcome (a statement of its own: the
 * outcome's is long enough). */
static int timing_tx(struct eddy__conn *c, int64_t id, const struct eddy_store_timing *t)
{
    static const char sql[] = "UPDATE feeds SET fetch_bytes = ?2, t_dns = ?3, t_connect = ?4,"
                              " t_tls = ?5, t_wait = ?6, t_receive = ?7, t_parse = ?8"
                              " WHERE id = ?1";
    sqlite3_stmt *st = eddy__stmt(c, sql);
    if (!st)
        return -EIO;
    const int64_t v[] = {t->bytes,   t->dns_us,     t->connect_us, t->tls_us,
                         t->wait_us, t->receive_us, t->parse_us};
    sqlite3_bind_int64(st, 1, id);
    for (int i = 0; i < 7; i++)
        sqlite3_bind_int64(st, 2 + i, v[i] > 0 ? v[i] : 0);
    return eddy__step_done(st);
}

int eddy__fetched_tx(struct eddy__conn *c, int64_t id, const struct eddy_store_fetch *f)
{
    static const char sql[] =
        "UPDATE feeds SET"
        " last_check = ?2, next_check = ?3, last_status = ?4, last_error = ?5,"
        " consecutive_errors = CASE WHEN ?5 IS NULL THEN 0 ELSE consecutive_errors + 1 END,"
        " etag = CASE WHEN ?4 = 200 OR ?6 IS NOT NULL THEN ?6 ELSE etag END,"
        " last_modified = CASE WHEN ?4 = 200 OR ?7 IS NOT NULL THEN ?7 ELSE last_modified END,"
        " title = CASE WHEN ?8 IS NOT NULL AND user_title = 0 THEN ?8 ELSE title END,"
        " site_link = coalesce(?9, site_link),"
        " repairs = CASE WHEN ?4 = 200 OR ?10 IS NOT NULL THEN ?10 ELSE repairs END,"
        " url = coalesce(?11, url),"
        " dead = dead OR ?12,"
        " count_200 = count_200 + (?4 = 200),"
        " count_304 = count_304 + (?4 = 304),"
        " min_interval = CASE WHEN ?4 = 200 OR ?13 > 0 THEN ?13 ELSE min_interval END,"
        " skip_hours = CASE WHEN ?4 = 200 THEN ?14 ELSE skip_hours END,"
        " skip_days = CASE WHEN ?4 = 200 THEN ?15 ELSE skip_days END"
        " WHERE id = ?1";
    sqlite3_stmt *st = eddy__stmt(c, sql);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, f->fetched_at);
    sqlite3_bind_int64(st, 3, f->next_check);
    sqlite3_bind_int(st, 4, f->status);
    eddy__bind_str(st, 5, f->error);
    eddy__bind_str(st, 6, f->etag);
    eddy__bind_str(st, 7, f->last_modified);
    eddy__bind_str(st, 8, f->title);
    eddy__bind_str(st, 9, f->site_link);
    eddy__bind_str(st, 10, f->repairs);
    eddy__bind_str(st, 11, f->new_url && *f->new_url ? f->new_url : NULL);
    sqlite3_bind_int(st, 12, f->gone);
    sqlite3_bind_int64(st, 13, f->min_interval > 0 ? f->min_interval : 0);
    sqlite3_bind_int64(st, 14, f->skip_hours & 0xffffffu);
    sqlite3_bind_int(st, 15, f->skip_days & 0x7f);
    int err = eddy__step_done(st);
    if (!err && sqlite3_changes(c->db) == 0)
        err = -ENOENT;
    return err ? err : timing_tx(c, id, &f->timing);
}

int eddy_store_feed_fetched(struct eddy_store *s, int64_t id, const struct eddy_store_fetch *f)
{
    int err = eddy__fetched_tx(eddy__writer(s), id, f);
    eddy__writer_done(s);
    return err;
}

/* A feed's own failure: its savepoint is rolled back, the others go on.
 * Anything else (I/O, a full disk, memory) fails the transaction. */
static int feed_failure(int err)
{
    return err == -ENOENT || err == -EEXIST || err == -EINVAL;
}

/* One feed of a batch: its entries and its record together or not at all.
 * A record alone is one statement, atomic by itself; with entries a
 * savepoint undoes the feed's part, whatever becomes of its neighbours. */
static int write_fetched(struct eddy__conn *c, struct eddy_store_fetched *w, int64_t now)
{
    static const char save[] = "SAVEPOINT feed", release[] = "RELEASE feed",
                      undo[] = "ROLLBACK TO feed";
    if (!w->n && w->fetch) /* the record says whether the feed exists */
        return w->err = eddy__fetched_tx(c, w->feed_id, w->fetch);
    int err = eddy__step_done(eddy__stmt(c, save));
    if (err < 0)
        return err;
    w->err = eddy__upsert_tx(c, w->feed_id, w->entries, w->n, now, &w->up);
    if (!w->err && w->fetch)
        w->err = eddy__fetched_tx(c, w->feed_id, w->fetch);
    if (w->err < 0 && feed_failure(w->err))
        err = eddy__step_done(eddy__stmt(c, undo));
    if (!err)
        err = eddy__step_done(eddy__stmt(c, release));
    return err < 0 ? err : w->err;
}

int eddy_store_feeds_fetched(struct eddy_store *s, struct eddy_store_fetched *v, size_t n,
                             int64_t now)
{
    struct eddy__conn *c = eddy__writer(s);
    int err = eddy__begin(c), written = 0;
    for (size_t i = 0; i < n; i++) {
        memset(&v[i].up, 0, sizeof v[i].up);
        v[i].err = err;
    }
    for (size_t i = 0; i < n && !err; i++) {
        int e = write_fetched(c, &v[i], now);
        if (e < 0 && !feed_failure(e))
            err = e; /* the transaction's failure, not the feed's */
        else if (e < 0)
            memset(&v[i].up, 0, sizeof v[i].up);
        else
            written++;
    }
    if (!err)
        err = eddy__commit(c);
    eddy__writer_done(s); /* rolls back after an error */
    if (err < 0)
        for (size_t i = 0; i < n; i++) {
            memset(&v[i].up, 0, sizeof v[i].up);
            v[i].err = err;
        }
    return err < 0 ? err : written;
}

/* ------------------------------------------------------------ categories */

void eddy_store_categories_free(struct eddy_store_category *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        free(c[i].name);
    free(c);
}

int eddy_store_categories(struct eddy_store *s, struct eddy_store_category **out, size_t *n)
{
    static const char sql[] =
        "SELECT f.category, count(*), coalesce(sum(c.unread), 0)"
        " FROM feeds f LEFT JOIN feed_counts c ON c.feed_id = f.id"
        " WHERE f.category IS NOT NULL GROUP BY f.category ORDER BY f.category";
    *out = NULL;
    *n = 0;
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    struct eddy_store_category *v = NULL;
    size_t len = 0;
    int rc = SQLITE_ERROR, err = st ? 0 : -EIO;
    while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct eddy_store_category *nv = realloc(v, (len + 1) * sizeof *nv);
        int oom = !nv;
        if (nv) {
            v = nv;
            v[len].name = eddy__col_str(st, 0, &oom);
            v[len].feeds = sqlite3_column_int64(st, 1);
            v[len].unread = sqlite3_column_int64(st, 2);
        }
        if (oom) {
            err = -ENOMEM;
            break;
        }
        len++;
    }
    if (st && !err && rc != SQLITE_DONE)
        err = eddy__err(rc);
    if (st)
        sqlite3_reset(st);
    eddy__reader_done(s, c);
    if (err < 0) {
        eddy_store_categories_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}
