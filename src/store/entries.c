/*
 * entries.c — storing a fetched batch (dedupe, GUID churn, dates), reading
 * the river a page at a time, read/starred marks.
 *
 * Identity, in order: the guid; else the link; else a hash of title, summary
 * and content (the entry's `key`, unique per feed).  A second identity, the
 * link+title fingerprint, catches a feed that re-published everything under
 * new guids (a platform move): an entry whose key is new but whose
 * fingerprint matches a stored entry of the same feed is that entry — unless
 * that entry's own key is also in the batch (then they are two entries that
 * happen to share a link and a title, and merging them would flip-flop).
 */
#include "internal.h"

#include "eddy/buf.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- records */

void eddy_store_entry_fini(struct eddy_store_entry *e)
{
    free(e->guid);
    free(e->link);
    free(e->title);
    free(e->author);
    free(e->summary);
    free(e->content);
    free(e->date_raw);
    for (size_t i = 0; i < e->nenclosures; i++) {
        free(e->enclosures[i].url);
        free(e->enclosures[i].type);
    }
    free(e->enclosures);
    memset(e, 0, sizeof *e);
}

void eddy_store_entries_free(struct eddy_store_entry *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++)
        eddy_store_entry_fini(&e[i]);
    free(e);
}

void eddy_store_page_fini(struct eddy_store_page *p)
{
    eddy_store_entries_free(p->entries, p->n);
    memset(p, 0, sizeof *p);
}

int eddy__entry_row(sqlite3_stmt *st, struct eddy_store_entry *e)
{
    int oom = 0;
    e->id = sqlite3_column_int64(st, 0);
    e->feed_id = sqlite3_column_int64(st, 1);
    e->guid = eddy__col_str(st, 2, &oom);
    e->link = eddy__col_str(st, 3, &oom);
    e->title = eddy__col_str(st, 4, &oom);
    e->author = eddy__col_str(st, 5, &oom);
    e->summary = eddy__col_str(st, 6, &oom);
    e->content = eddy__col_str(st, 7, &oom);
    e->date = sqlite3_column_int64(st, 8);
    e->date_raw = eddy__col_str(st, 9, &oom);
    e->date_claimed = sqlite3_column_int64(st, 10);
    e->date_source = (enum eddy_store_date_source)sqlite3_column_int(st, 11);
    e->first_seen = sqlite3_column_int64(st, 12);
    e->updated_at = sqlite3_column_int64(st, 13);
    e->read = sqlite3_column_int(st, 14) != 0;
    e->starred = sqlite3_column_int(st, 15) != 0;
    if (oom) {
        eddy_store_entry_fini(e);
        return -ENOMEM;
    }
    return 0;
}

/* e's enclosures, read on c (a reader).  One lookup per entry (a single
 * IN (...) statement for a page was no cheaper): a page asks only for the
 * entries whose count says they have some. */
static int read_enclosures(struct eddy__conn *c, struct eddy_store_entry *e)
{
    static const char sql[] =
        "SELECT url, type, length FROM enclosures WHERE entry_id = ? ORDER BY pos";
    sqlite3_stmt *st = eddy__stmt(c, sql);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, e->id);
    int rc, oom = 0;
    while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (e->nenclosures == EDDY_STORE_ENCLOSURES_MAX) /* rows written another way */
            continue;
        if (!e->enclosures &&
            !(e->enclosures = calloc(EDDY_STORE_ENCLOSURES_MAX, sizeof *e->enclosures))) {
            oom = 1;
            break;
        }
        struct eddy_store_enclosure *x = &e->enclosures[e->nenclosures++];
        x->url = eddy__col_str(st, 0, &oom);
        x->type = eddy__col_str(st, 1, &oom);
        x->length = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return oom ? -ENOMEM : rc == SQLITE_DONE ? 0 : eddy__err(rc);
}

int eddy_store_entry(struct eddy_store *s, int64_t id, struct eddy_store_entry *out)
{
    static const char sql[] = "SELECT " EDDY__ENTRY_COLS " FROM entries e WHERE e.id = ?";
    memset(out, 0, sizeof *out);
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    int err = -EIO;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        err = rc == SQLITE_ROW    ? eddy__entry_row(st, out)
              : rc == SQLITE_DONE ? -ENOENT
                                  : eddy__err(rc);
        sqlite3_reset(st);
        if (!err && (err = read_enclosures(c, out)) < 0)
            eddy_store_entry_fini(out);
    }
    eddy__reader_done(s, c);
    return err;
}

/* -------------------------------------------------------------- upsert */

/* A 64-bit hash over NUL-separated fields, eight bytes per step (FNV-1a's
 * byte per step was a third of an unchanged pass): identity and change
 * detection, not security (a collision costs one missed update).  Stored
 * keys depend on it: a new function would duplicate the entries that have
 * neither guid nor link, and rewrite every other entry once. */
static uint64_t hash_fields(const char *const *f, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15u;
    uint64_t h = 0xcbf29ce484222325u, w;
    for (size_t i = 0; i < n; i++) {
        const char *p = f[i] ? f[i] : "";
        size_t len = strlen(p);
        for (; len >= 8; p += 8, len -= 8) {
            memcpy(&w, p, 8);
            h = (h ^ le64toh(w)) * k; /* the same hash on every machine */
            h ^= h >> 29;
        }
        w = 0;
        for (size_t j = 0; j < len; j++)
            w |= (uint64_t)(unsigned char)p[j] << (8 * j);
        /* the tail's length, and NULL apart from "" */
        w |= (uint64_t)(len | (f[i] ? 0x10 : 0x20)) << 56;
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    return h ^ (h >> 32);
}

static int nonempty(const char *s)
{
    return s && *s;
}

/* The entry's key (malloc'ed) as described at the top. */
static char *entry_key(const struct eddy_store_entry_in *e)
{
    char *k = NULL;
    int r;
    if (nonempty(e->guid))
        r = asprintf(&k, "g:%s", e->guid);
    else if (nonempty(e->link))
        r = asprintf(&k, "l:%s", e->link);
    else {
        const char *f[] = {e->title, e->summary, e->content};
        r = asprintf(&k, "h:%016llx", (unsigned long long)hash_fields(f, 3));
    }
    return r < 0 ? NULL : k;
}

/* Whether an enclosure is stored (store.h: the limits). */
static int enclosure_kept(const struct eddy_store_enclosure_in *x)
{
    return nonempty(x->url) && strlen(x->url) <= EDDY_STORE_ENCLOSURE_URL_MAX;
}

static const char *enclosure_type(const struct eddy_store_enclosure_in *x)
{
    return x->type && strlen(x->type) <= 255 ? x->type : NULL;
}

/* How many of e's enclosures are stored. */
static int enclosures_kept(const struct eddy_store_entry_in *e)
{
    int kept = 0;
    for (size_t i = 0; i < e->nenclosures && kept < EDDY_STORE_ENCLOSURES_MAX; i++)
        kept += enclosure_kept(&e->enclosures[i]);
    return kept;
}

#define HASHED_FIELDS 8

/* What is compared to decide whether a stored entry changed: the fields,
 * then the enclosures kept, if any (an entry without any hashes as it did
 * before enclosures were stored, so it is not rewritten for them). */
static int64_t content_hash(const struct eddy_store_entry_in *e)
{
    char date[24], len[EDDY_STORE_ENCLOSURES_MAX][24];
    snprintf(date, sizeof date, "%d:%lld", (int)e->date_source,
             e->date_source == EDDY_STORE_DATE_MISSING ? 0LL : (long long)e->date);
    const char *f[HASHED_FIELDS + 3 * EDDY_STORE_ENCLOSURES_MAX] = {
        e->guid, e->link, e->title, e->author, e->summary, e->content, e->date_raw, date};
    size_t n = HASHED_FIELDS, kept = 0;
    for (size_t i = 0; i < e->nenclosures && kept < EDDY_STORE_ENCLOSURES_MAX; i++) {
        const struct eddy_store_enclosure_in *x = &e->enclosures[i];
        if (!enclosure_kept(x))
            continue;
        snprintf(len[kept], sizeof len[kept], "%lld", (long long)(x->length > 0 ? x->length : 0));
        f[n++] = x->url, f[n++] = enclosure_type(x), f[n++] = len[kept++];
    }
    return (int64_t)hash_fields(f, n);
}

/* Writes the enclosures of entry `id` (replacing its old ones when
 * `replace`). */
static int write_enclosures(struct eddy__conn *c, int64_t id, const struct eddy_store_entry_in *e,
                            int replace)
{
    static const char del[] = "DELETE FROM enclosures WHERE entry_id = ?";
    static const char ins[] =
        "INSERT INTO enclosures (entry_id, pos, url, type, length) VALUES (?, ?, ?, ?, ?)";
    int err = 0, kept = 0;
    sqlite3_stmt *st;
    if (replace) {
        if ((st = eddy__stmt(c, del)))
            sqlite3_bind_int64(st, 1, id);
        err = eddy__step_done(st);
    }
    for (size_t i = 0; !err && i < e->nenclosures && kept < EDDY_STORE_ENCLOSURES_MAX; i++) {
        const struct eddy_store_enclosure_in *x = &e->enclosures[i];
        if (!enclosure_kept(x))
            continue;
        if ((st = eddy__stmt(c, ins))) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int(st, 2, kept++);
            eddy__bind_str(st, 3, x->url);
            eddy__bind_str(st, 4, enclosure_type(x));
            sqlite3_bind_int64(st, 5, x->length > 0 ? x->length : 0);
        }
        err = eddy__step_done(st);
    }
    return err;
}

/* NULL-aware: a link and a title are both needed for a fingerprint (a link
 * alone is often the site's home page for every entry). */
static int fingerprint(const struct eddy_store_entry_in *e, int64_t *fp)
{
    if (!nonempty(e->link) || !nonempty(e->title))
        return 0;
    const char *f[] = {e->link, e->title};
    *fp = (int64_t)hash_fields(f, 2);
    return 1;
}

static int key_in(char *const *keys, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return 1;
    return 0;
}

/* The stored entry this one is (by key, else by fingerprint): its id, hash
 * and date in *found; 0 when new. */
struct stored {
    int64_t id, hash, date, claimed;
    int same_key;
};

static int find_stored(struct eddy__conn *c, int64_t feed_id, const char *key, int has_fp,
                       int64_t fp, char *const *keys, size_t nkeys, struct stored *out)
{
    static const char by_key[] =
        "SELECT id, hash, date, date_claimed FROM entries WHERE feed_id = ? AND key = ?";
    static const char by_fp[] = "SELECT id, hash, date, date_claimed, key FROM entries"
                                " WHERE feed_id = ? AND fingerprint = ? ORDER BY id";
    sqlite3_stmt *st = eddy__stmt(c, by_key);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, feed_id);
    eddy__bind_str(st, 2, key);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        out->same_key = 1;
        found = 1;
    } else if (rc == SQLITE_DONE && has_fp) {
        sqlite3_reset(st);
        if (!(st = eddy__stmt(c, by_fp)))
            return -EIO;
        sqlite3_bind_int64(st, 1, feed_id);
        sqlite3_bind_int64(st, 2, fp);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            if (!key_in(keys, nkeys, (const char *)sqlite3_column_text(st, 4))) {
                out->same_key = 0;
                found = 1;
                break;
            }
    }
    if (found) {
        out->id = sqlite3_column_int64(st, 0);
        out->hash = sqlite3_column_int64(st, 1);
        out->date = sqlite3_column_int64(st, 2);
        out->claimed = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (!found && rc != SQLITE_DONE)
        return eddy__err(rc);
    return found;
}

/* Binds the columns shared by INSERT and UPDATE: ?1..?14, ?16. */
static void bind_entry(sqlite3_stmt *st, const struct eddy_store_entry_in *e, const char *key,
                       int has_fp, int64_t fp, int64_t hash, int64_t date, int64_t now)
{
    eddy__bind_str(st, 1, key);
    if (has_fp)
        sqlite3_bind_int64(st, 2, fp);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, hash);
    eddy__bind_str(st, 4, e->guid);
    eddy__bind_str(st, 5, e->link);
    eddy__bind_str(st, 6, e->title);
    eddy__bind_str(st, 7, e->author);
    eddy__bind_str(st, 8, e->summary);
    eddy__bind_str(st, 9, e->content);
    sqlite3_bind_int64(st, 10, date);
    eddy__bind_str(st, 11, e->date_raw);
    if (e->date_source == EDDY_STORE_DATE_MISSING)
        sqlite3_bind_null(st, 12);
    else
        sqlite3_bind_int64(st, 12, e->date);
    sqlite3_bind_int(st, 13, (int)e->date_source);
    sqlite3_bind_int64(st, 14, now);
    sqlite3_bind_int(st, 16, enclosures_kept(e));
}

/* `fresh`: the feed had no entry when the batch began, so nothing can be
 * found but an earlier entry of this batch with the same key (entries of one
 * batch never merge by fingerprint): the insert is tried first, and only a
 * key seen twice takes the lookup.  That spares two index probes per entry
 * of a feed's first fetch. */
static int store_one(struct eddy__conn *c, int64_t feed_id, const struct eddy_store_entry_in *e,
                     const char *key, char *const *keys, size_t nkeys, int64_t now, int fresh,
                     struct eddy_store_upsert *r)
{
    static const char ins[] =
        "INSERT INTO entries (key, fingerprint, hash, guid, link, title, author, summary,"
        " content, date, date_raw, date_claimed, date_source, first_seen, updated_at, feed_id,"
        " enclosures)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16)";
    static const char ins_new[] =
        "INSERT INTO entries (key, fingerprint, hash, guid, link, title, author, summary,"
        " content, date, date_raw, date_claimed, date_source, first_seen, updated_at, feed_id,"
        " enclosures)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16)"
        " ON CONFLICT (feed_id, key) DO NOTHING";
    static const char upd[] =
        "UPDATE entries SET key = ?1, fingerprint = ?2, hash = ?3, guid = ?4, link = ?5,"
        " title = ?6, author = ?7, summary = ?8, content = ?9, date = ?10, date_raw = ?11,"
        " date_claimed = ?12, date_source = ?13, updated_at = ?14, enclosures = ?16"
        " WHERE id = ?15";
    int64_t fp = 0, hash = content_hash(e);
    int has_fp = fingerprint(e, &fp);
    /* Venus's rule: never in the future; no date: first seen. */
    int64_t date = e->date_source == EDDY_STORE_DATE_MISSING ? now : e->date > now ? now : e->date;
    int err;
    if (fresh) {
        sqlite3_stmt *st = eddy__stmt(c, ins_new);
        if (!st)
            return -EIO;
        bind_entry(st, e, key, has_fp, fp, hash, date, now);
        sqlite3_bind_int64(st, 15, feed_id);
        if ((err = eddy__step_done(st)) < 0)
            return err;
        if (sqlite3_changes(c->db)) {
            err = write_enclosures(c, sqlite3_last_insert_rowid(c->db), e, 0);
            if (!err)
                r->added++;
            return err;
        }
    }
    struct stored old = {0};
    int found = find_stored(c, feed_id, key, has_fp, fp, keys, nkeys, &old);
    if (found < 0)
        return found;
    if (found && old.same_key && old.hash == hash) {
        r->unchanged++;
        return 0;
    }
    /* An update keeps the date it had unless the feed's claim changed. */
    if (found && (e->date_source == EDDY_STORE_DATE_MISSING || e->date == old.claimed))
        date = old.date;
    sqlite3_stmt *st = eddy__stmt(c, found ? upd : ins);
    if (!st)
        return -EIO;
    bind_entry(st, e, key, has_fp, fp, hash, date, now);
    sqlite3_bind_int64(st, 15, found ? old.id : feed_id);
    err = eddy__step_done(st);
    if (!err)
        err = write_enclosures(c, found ? old.id : sqlite3_last_insert_rowid(c->db), e, found);
    if (!err)
        (found ? r->updated++ : r->added++);
    return err;
}

int eddy__upsert_tx(struct eddy__conn *c, int64_t feed_id,
                    const struct eddy_store_entry_in *entries, size_t n, int64_t now,
                    struct eddy_store_upsert *r)
{
    static const char feed_exists[] = "SELECT count(*) FROM feeds WHERE id = ?";
    static const char has_entries[] = "SELECT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?)";
    memset(r, 0, sizeof *r);
    int64_t exists = 0, stored = 1;
    sqlite3_stmt *st = eddy__stmt(c, feed_exists);
    if (st)
        sqlite3_bind_int64(st, 1, feed_id);
    int err = eddy__step_int(st, &exists);
    if (!err && !exists)
        err = -ENOENT;
    if (err || !n)
        return err;
    if ((st = eddy__stmt(c, has_entries)))
        sqlite3_bind_int64(st, 1, feed_id);
    if ((err = eddy__step_int(st, &stored)) < 0)
        return err;
    char **keys = calloc(n, sizeof *keys);
    if (!keys)
        return -ENOMEM;
    for (size_t i = 0; i < n && !err; i++)
        if (!(keys[i] = entry_key(&entries[i])))
            err = -ENOMEM;
    for (size_t i = 0; i < n && !err; i++)
        err = store_one(c, feed_id, &entries[i], keys[i], keys, n, now, !stored, r);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    if (err < 0)
        memset(r, 0, sizeof *r);
    return err;
}

int eddy_store_entries_upsert(struct eddy_store *s, int64_t feed_id,
                              const struct eddy_store_entry_in *entries, size_t n, int64_t now,
                              struct eddy_store_upsert *r)
{
    struct eddy_store_upsert local;
    if (!r)
        r = &local;
    memset(r, 0, sizeof *r);
    struct eddy__conn *c = eddy__writer(s);
    int err = eddy__begin(c);
    if (!err)
        err = eddy__upsert_tx(c, feed_id, entries, n, now, r);
    if (!err)
        err = eddy__commit(c);
    if (err < 0)
        memset(r, 0, sizeof *r);
    eddy__writer_done(s); /* rolls back after an error */
    return err;
}

/* ---------------------------------------------------------------- marks */

int eddy_store_entries_mark(struct eddy_store *s, const int64_t *ids, size_t n,
                            enum eddy_store_flag flag, bool on)
{
    static const char read_sql[] = "UPDATE entries SET read = ?2 WHERE id = ?1 AND read != ?2";
    static const char star_sql[] =
        "UPDATE entries SET starred = ?2 WHERE id = ?1 AND starred != ?2";
    if (flag != EDDY_STORE_READ && flag != EDDY_STORE_STARRED)
        return -EINVAL;
    struct eddy__conn *c = eddy__writer(s);
    int err = eddy__begin(c), changed = 0;
    for (size_t i = 0; i < n && !err; i++) {
        sqlite3_stmt *st = eddy__stmt(c, flag == EDDY_STORE_READ ? read_sql : star_sql);
        if (st) {
            sqlite3_bind_int64(st, 1, ids[i]);
            sqlite3_bind_int(st, 2, on);
        }
        err = eddy__step_done(st);
        changed += sqlite3_changes(c->db);
    }
    if (!err)
        err = eddy__commit(c);
    eddy__writer_done(s);
    return err < 0 ? err : changed;
}

/* -------------------------------------------------------------- listing */

/* The statement for the filters given; each filter is a bound parameter,
 * never text pasted into SQL.  match receives the FTS5 query, if any. */
static int query_sql(const struct eddy_store_query *q, struct eddy_buf *sql, struct eddy_buf *match)
{
/* EDDY__ENTRY_COLS with summary and content cut (q->excerpt) */
#define STR(x)   STR_(x)
#define STR_(x)  #x
#define CUT(col) "substr(" col ", 1, " STR(EDDY_STORE_EXCERPT_CHARS) ")"
    static const char excerpt_cols[] =
        "SELECT e.id, e.feed_id, e.guid, e.link, e.title, e.author, " CUT("e.summary") ", " CUT(
            "e.content") ", e.date, e.date_raw, e.date_claimed, e.date_source, "
                         "e.first_seen, e.updated_at, e.read, e.starred";
    int err = eddy_buf_puts(sql, q->excerpt ? excerpt_cols : "SELECT " EDDY__ENTRY_COLS);
    /* with enclosures: their count, column 16 (after eddy__entry_row's) */
    err = err ? err
              : eddy_buf_puts(sql,
                              q->enclosures ? ", e.enclosures FROM entries e" : " FROM entries e");
    /* A search walks the river's index newest first and stops at the page's
     * end, taking the FTS matches as a set: SQLite's own plan fetched every
     * match's row to sort them (a row's date lies past its content, on
     * overflow pages): 110 ms for a word in 2% of 100,000 entries, 6 ms so.
     * Bounded by the index (ids only) when the word is rare. */
    if (!err && q->search && !q->feed_id)
        err = eddy_buf_puts(sql, " INDEXED BY entries_river");
    if (!err && q->category)
        err = eddy_buf_puts(sql, " JOIN feeds f ON f.id = e.feed_id AND f.category = ?1");
    if (!err)
        err = eddy_buf_puts(sql, " WHERE 1");
    if (!err && q->feed_id)
        err = eddy_buf_puts(sql, " AND e.feed_id = ?2");
    if (!err && q->unread)
        err = eddy_buf_puts(sql, " AND e.read = 0");
    if (!err && q->starred)
        err = eddy_buf_puts(sql, " AND e.starred = 1");
    if (!err && q->since)
        err = eddy_buf_puts(sql, " AND e.date >= ?3");
    if (!err && q->after)
        err = eddy_buf_puts(sql, " AND (e.date, e.id) < (?4, ?5)");
    if (!err && q->search) {
        int empty = 0;
        err = eddy__fts_query(match, q->search, &empty);
        if (!err && !empty)
            err = eddy_buf_puts(sql, " AND e.id IN (SELECT rowid FROM entries_fts"
                                     " WHERE entries_fts MATCH ?6)");
    }
    if (!err)
        err = eddy_buf_puts(sql, " ORDER BY e.date DESC, e.id DESC LIMIT ?7");
    return err;
}

int eddy_store_entries(struct eddy_store *s, const struct eddy_store_query *q,
                       struct eddy_store_page *out)
{
    memset(out, 0, sizeof *out);
    size_t limit = q->limit ? q->limit : EDDY_STORE_LIMIT_DEFAULT;
    if (limit > EDDY_STORE_LIMIT_MAX)
        limit = EDDY_STORE_LIMIT_MAX;
    struct eddy_buf sql = EDDY_BUF_INIT(0), match = EDDY_BUF_INIT(0);
    int err = query_sql(q, &sql, &match);
    if (err < 0) {
        eddy_buf_free(&sql);
        eddy_buf_free(&match);
        return err;
    }

    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql.data, (int)sql.len, &st, NULL);
    err = eddy__err(rc);
    struct eddy_store_entry *v = NULL;
    size_t len = 0;
    if (!err) {
        eddy__bind_str(st, 1, q->category);
        sqlite3_bind_int64(st, 2, q->feed_id);
        sqlite3_bind_int64(st, 3, q->since);
        if (q->after) {
            sqlite3_bind_int64(st, 4, q->after->date);
            sqlite3_bind_int64(st, 5, q->after->id);
        }
        if (match.data)
            sqlite3_bind_text(st, 6, match.data, (int)match.len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, (int64_t)limit + 1); /* one more: is there a next page? */
        v = calloc(limit + 1, sizeof *v);
        if (!v)
            err = -ENOMEM;
        while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (len == limit) {
                out->more = true;
                break;
            }
            if ((err = eddy__entry_row(st, &v[len])) == 0 && q->enclosures &&
                sqlite3_column_int(st, 16) > 0) /* only those that have some */
                err = read_enclosures(c, &v[len]);
            if (err == 0)
                len++;
            else
                eddy_store_entry_fini(&v[len]);
        }
        if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
            err = eddy__err(rc);
    }
    sqlite3_finalize(st);
    eddy__reader_done(s, c);
    eddy_buf_free(&sql);
    eddy_buf_free(&match);
    if (err < 0) {
        eddy_store_entries_free(v, len);
        out->more = false;
        return err;
    }
    if (len == 0) {
        free(v);
        v = NULL;
    }
    out->entries = v;
    out->n = len;
    if (out->more) {
        out->next.date = v[len - 1].date;
        out->next.id = v[len - 1].id;
    }
    return 0;
}

/* ----------------------------------------------------------- feed names */

void eddy_store_feeds_unread_free(struct eddy_store_feed_unread *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        free(f[i].name);
    free(f);
}

int eddy_store_feeds_unread(struct eddy_store *s, size_t max, int64_t also,
                            struct eddy_store_feed_unread **out, size_t *n)
{
    /* The top few of feed_counts' 500 small rows first, then their feeds
     * by id: a scan of feeds (wide rows) cost 0.4 ms.  `also` sorts last. */
    static const char sql[] =
        "SELECT f.id, coalesce(nullif(f.title, ''), f.url), c.unread"
        " FROM (SELECT feed_id, unread FROM feed_counts WHERE unread > 0"
        "  ORDER BY unread DESC, feed_id LIMIT ?1) c JOIN feeds f ON f.id = c.feed_id"
        " UNION ALL SELECT f.id, coalesce(nullif(f.title, ''), f.url), 0 FROM feeds f"
        " WHERE f.id = ?2"
        " ORDER BY 3 DESC, 1";
    *out = NULL;
    *n = 0;
    struct eddy_store_feed_unread *v = calloc(max + 2, sizeof *v);
    if (!v)
        return -ENOMEM;
    struct eddy__conn *c = eddy__reader(s);
    sqlite3_stmt *st = eddy__stmt(c, sql);
    size_t len = 0;
    ssize_t also_at = -1;
    int rc = SQLITE_ERROR, err = st ? 0 : -EIO, oom = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, (int64_t)max);
        sqlite3_bind_int64(st, 2, also);
    }
    while (!oom && st && len < max + 2 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        bool twice = false; /* `also` is among the top: its 0 row goes */
        for (size_t i = 0; i < len; i++)
            twice |= v[i].id == id;
        if (twice)
            continue;
        if (id == also && also_at < 0)
            also_at = (ssize_t)len;
        v[len].id = id;
        v[len].name = eddy__col_str(st, 1, &oom);
        v[len++].unread = sqlite3_column_int64(st, 2);
    }
    if (oom)
        err = -ENOMEM;
    else if (st && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = eddy__err(rc);
    if (st)
        sqlite3_reset(st);
    eddy__reader_done(s, c);
    if (err < 0 || len == 0) {
        eddy_store_feeds_unread_free(v, len);
        return err < 0 ? err : 0;
    }
    if (also_at >= 0) { /* last */
        struct eddy_store_feed_unread a = v[also_at];
        memmove(&v[also_at], &v[also_at + 1], (len - (size_t)also_at - 1) * sizeof *v);
        v[len - 1] = a;
    }
    *out = v;
    *n = len;
    return 0;
}

int eddy_store_feed_names(struct eddy_store *s, const int64_t *ids, size_t n, char **names)
{
    static const char sql[] = "SELECT coalesce(nullif(title, ''), url) FROM feeds WHERE id = ?";
    struct eddy__conn *c = eddy__reader(s);
    int err = 0, oom = 0;
    for (size_t i = 0; i < n; i++)
        names[i] = NULL;
    for (size_t i = 0; !err && i < n; i++) {
        sqlite3_stmt *st = eddy__stmt(c, sql);
        if (!st) {
            err = -EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, ids[i]);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            names[i] = eddy__col_str(st, 0, &oom);
        else if (rc != SQLITE_DONE)
            err = eddy__err(rc);
        sqlite3_reset(st);
        if (oom)
            err = -ENOMEM;
    }
    eddy__reader_done(s, c);
    if (err < 0)
        for (size_t i = 0; i < n; i++)
            free(names[i]), names[i] = NULL;
    return err;
}
