/*
 * eddy/store.h — the aggregator's store (layer store/): feeds, entries, read
 * and starred state, full-text search.  SQLite is the embedded backend; this
 * header names no SQLite type, so another backend (PostgreSQL) can implement
 * the same functions without the scheduler or the views changing.
 *
 * Depends on base/, on loop/ for the EDDY_AWAITS wrappers only, and on SQLite
 * (FTS5).  One database file, `eddy.db`, in a data folder (see
 * eddy_store_dir()); WAL journal, foreign keys on, a busy timeout, and a
 * schema version (PRAGMA user_version) whose migrations run at open.
 *
 * Threads: every function below is synchronous (SQLite blocks) and safe to
 * call from any number of threads at once on the same store.  The store
 * holds one writer connection, used by one caller at a time (writes are
 * serialized), and a pool of 4 reader connections: reads run concurrently
 * with each other and with a write (WAL) and never wait for a write
 * transaction to end (a fifth concurrent read waits for a free connection).
 * Never call a blocking function on the loop's thread: from a task,
 * use the EDDY_AWAITS wrappers at the end (eddy_to_thread underneath).
 *
 * Durability: synchronous=NORMAL in WAL mode — a committed transaction
 * survives the process being killed at any moment; a power cut may lose the
 * last transactions, never the database's integrity.
 *
 * Errors, one rule: int returns are >= 0 on success and a negative errno on
 * failure: -ENOENT no such feed or entry, -EEXIST a feed with that URL
 * exists, -EINVAL a bad argument, -EBUSY the database stayed locked past the
 * busy timeout, -EACCES the file cannot be opened or written, -EPROTO the
 * database is from a newer eddy, -ENOMEM, -ENOSPC, -EIO anything else.
 *
 * Time: int64_t Unix seconds (UTC), wall clock — not the loop's monotonic
 * nanoseconds.  Strings: UTF-8, NUL-terminated.  Strings passed in are
 * borrowed for the call; strings in records handed out are owned by the
 * record and released by its *_fini (a record in the caller's storage) or
 * *_free (an array the store allocated).
 */
#ifndef EDDY_STORE_H
#define EDDY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/loop.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_store;

/* ------------------------------------------------------------ open/close */

/* The data folder: `flag` (--data DIR) when not NULL, else $EDDY_DATA, else
 * $XDG_DATA_HOME/eddy, else $HOME/.local/share/eddy (empty values count as
 * unset).  On success *out is a malloc'ed path the caller frees.  -ENOENT
 * when not even $HOME is set, -ENOMEM. */
int eddy_store_dir(const char *flag, char **out);

/* Opens (creating when needed) the store in folder `dir`: the folder is
 * created with mode 0700 (parents too), the database `dir`/eddy.db is
 * created or migrated to the current schema.  On success *out owns the store
 * (close it with eddy_store_close).  -EPROTO: the database was made by a
 * newer eddy (a schema version this one does not know). */
int eddy_store_open(const char *dir, struct eddy_store **out);
/* Closes every connection (no call may be running).  NULL is a no-op. */
void eddy_store_close(struct eddy_store *s);
/* The schema version this build creates and migrates to. */
int eddy_store_schema_version(void);

/* ----------------------------------------------------------------- feeds */

/* What one fetch cost, for the feed doctor: the body's bytes as they came
 * over the wire, and microseconds per phase (0: did not happen): name
 * lookup, TCP connect, TLS handshake, waiting for the first byte after the
 * request, receiving the rest, parsing. */
struct eddy_store_timing {
    int64_t bytes;
    int64_t dns_us, connect_us, tls_us, wait_us, receive_us, parse_us;
};

struct eddy_store_feed {
    int64_t id;
    char *url;       /* where it is fetched (updated on a permanent redirect) */
    char *title;     /* NULL: none known yet */
    char *site_link; /* the feed's web site; NULL: unknown */
    char *category;  /* NULL: uncategorized */
    char *etag;      /* validators for the next conditional GET; NULL: none */
    char *last_modified;
    int last_status;        /* HTTP status of the last fetch; 0: none or no response */
    char *last_error;       /* NULL when the last fetch succeeded */
    int consecutive_errors; /* fetches that failed in a row (0 after a success) */
    int64_t last_check;     /* when it was last fetched; 0: never */
    int64_t next_check;     /* when it is due; 0: at once */
    char *repairs;          /* the last parse's diagnostics (text or JSON, as given); NULL: none */
    int64_t count_200;      /* fetches answered 200 */
    int64_t count_304;      /* fetches answered 304 */
    bool dead;              /* 410 Gone: listed, never due again */
    bool guarded;           /* its URL came over HTTP (the API): fetched only
                             * through the SSRF guard (client.h) */
    /* What the feed asked for in its last document or reply (kept across
     * replies that do not repeat it): the seconds it wants between checks
     * (RSS <ttl>, Cache-Control max-age; 0: none), and the UTC hours (bit h,
     * 0-23) and days (bit d, 0 = Sunday) not to check it (<skipHours>,
     * <skipDays>; 0: none). */
    int64_t min_interval;
    uint32_t skip_hours;
    uint8_t skip_days;
    struct eddy_store_timing last_timing; /* what the last fetch cost (the status page) */
};

/* Frees the strings of one record (not the record) and zeroes it; a zeroed
 * record is a no-op. */
void eddy_store_feed_fini(struct eddy_store_feed *f);
/* Frees an array of n records (eddy_store_feeds, _due).  NULL is a no-op. */
void eddy_store_feeds_free(struct eddy_store_feed *feeds, size_t n);

/* Subscribes to `url` with an optional title and category (NULL: none);
 * due at once.  A title given here is the user's: fetches do not replace it
 * (as after eddy_store_feed_set_title).  *id (may be NULL) receives the new
 * feed's id.  -EEXIST when a feed with that URL exists (its id is still
 * stored in *id). */
int eddy_store_feed_add(struct eddy_store *s, const char *url, const char *title,
                        const char *category, int64_t *id);

/* One subscription of a batch: the fields above, and what became of it. */
struct eddy_store_feed_new {
    const char *url;
    const char *title;    /* NULL: none (fetches set it) */
    const char *category; /* NULL or "": uncategorized */
    bool guarded;         /* the URL came over HTTP: see eddy_store_feed */
    int64_t id;           /* out: the new feed's id, or the existing one's on -EEXIST */
    int err;              /* out: 0 added, -EEXIST subscribed already, -EINVAL no URL */
};
/* Subscribes to feeds[0..n) in one transaction (an OPML import of 10,000
 * feeds is one commit, not 10,000).  Each record's id and err say what
 * became of it.  Returns how many were added, or a negative errno when the
 * transaction failed (then none was). */
int eddy_store_feeds_add(struct eddy_store *s, struct eddy_store_feed_new *feeds, size_t n);
/* Removes a feed and its entries.  -ENOENT when there is none. */
int eddy_store_feed_remove(struct eddy_store *s, int64_t id);
/* Sets the title (NULL clears it, and fetches set it again).  -ENOENT when
 * there is no such feed. */
int eddy_store_feed_set_title(struct eddy_store *s, int64_t id, const char *title);
/* Sets the category (NULL or "": uncategorized).  -ENOENT as above. */
int eddy_store_feed_set_category(struct eddy_store *s, int64_t id, const char *category);
/* Moves the feed to `url` (validators dropped: they belong to the old
 * one) and makes it due at once.  -ENOENT as above, -EEXIST another feed
 * has that URL. */
int eddy_store_feed_set_url(struct eddy_store *s, int64_t id, const char *url);
/* Makes the feed due at `when` (0: at once) — "refresh now" — and revives
 * it if it was dead (a 410 marks it dead again).  -ENOENT as above. */
int eddy_store_feed_set_next_check(struct eddy_store *s, int64_t id, int64_t when);
/* Fills *out (owned by the caller: eddy_store_feed_fini) with feed `id`, or
 * with the feed whose URL is `url`.  -ENOENT when there is none. */
int eddy_store_feed(struct eddy_store *s, int64_t id, struct eddy_store_feed *out);
int eddy_store_feed_by_url(struct eddy_store *s, const char *url, struct eddy_store_feed *out);
/* Every feed, by category then title then id.  *out is a malloc'ed array of
 * *n records (NULL when none), freed with eddy_store_feeds_free. */
int eddy_store_feeds(struct eddy_store *s, struct eddy_store_feed **out, size_t *n);
/* Feeds due at `now` (next_check <= now, not dead), most overdue first, at
 * most `max` (0: no limit).  Ownership as eddy_store_feeds. */
int eddy_store_feeds_due(struct eddy_store *s, int64_t now, size_t max,
                         struct eddy_store_feed **out, size_t *n);

/* The outcome of one fetch of a feed, as the scheduler saw it. */
struct eddy_store_fetch {
    int64_t fetched_at; /* when */
    int64_t next_check; /* when the scheduler wants it again */
    int status;         /* HTTP status; 0: no response (network error) */
    const char *error;  /* NULL: success (consecutive errors reset to 0);
                         * else the message (consecutive errors + 1) */
    /* Validators.  After a 200 they replace the stored ones (NULL clears);
     * after any other status NULL keeps the stored one. */
    const char *etag;
    const char *last_modified;
    const char *title; /* the parsed feed's title/link; NULL keeps the stored one */
    const char *site_link;
    const char *repairs; /* the parse's diagnostics; NULL: none (cleared after a 200) */
    const char *new_url; /* a permanent redirect's target; NULL: unchanged */
    bool gone;           /* 410: the feed is marked dead */
    /* What the feed asked for (see eddy_store_feed).  After a 200 they
     * replace the stored ones; after any other status the stored ones stay,
     * except that a min_interval > 0 (a 304's Cache-Control) replaces it. */
    int64_t min_interval;
    uint32_t skip_hours;
    uint8_t skip_days;
    struct eddy_store_timing timing; /* always stored (the last fetch's cost) */
};
/* Records a fetch: the fields above, 200/304 counters.  A title given here
 * does not replace a title the user set (eddy_store_feed_set_title with
 * non-NULL).  -ENOENT no such feed; -EEXIST `new_url` belongs to another feed
 * (nothing recorded: call again without it). */
int eddy_store_feed_fetched(struct eddy_store *s, int64_t id, const struct eddy_store_fetch *f);

/* ------------------------------------------------------------ categories */

struct eddy_store_category {
    char *name;     /* owned */
    int64_t feeds;  /* feeds in it */
    int64_t unread; /* unread entries of those feeds */
};
/* Every category in use, by name.  *out is a malloc'ed array of *n records
 * (NULL when none), freed with eddy_store_categories_free. */
int eddy_store_categories(struct eddy_store *s, struct eddy_store_category **out, size_t *n);
void eddy_store_categories_free(struct eddy_store_category *c, size_t n);

/* --------------------------------------------------------------- entries */

/* Where an entry's date came from. */
enum eddy_store_date_source {
    EDDY_STORE_DATE_MISSING = 0, /* the feed gave none: the entry's first-seen time */
    EDDY_STORE_DATE_PARSED,      /* the feed's date string, parsed */
    EDDY_STORE_DATE_GUESSED,     /* a repaired string or another field (e.g. updated
                                  * for published): the parser's guess */
};

/* A file an entry carries (RSS <enclosure>, Atom rel="enclosure"): a
 * podcast's episode.  An entry keeps at most EDDY_STORE_ENCLOSURES_MAX of
 * them, in its feed's order; one with an empty URL or a URL longer than
 * EDDY_STORE_ENCLOSURE_URL_MAX bytes is skipped, a type longer than 255
 * bytes is dropped (NULL).  The URL is stored as given: whoever puts it in a
 * page filters its scheme. */
#define EDDY_STORE_ENCLOSURES_MAX    16
#define EDDY_STORE_ENCLOSURE_URL_MAX 2048
struct eddy_store_enclosure_in {
    const char *url;  /* borrowed */
    const char *type; /* MIME type; NULL: unknown */
    int64_t length;   /* bytes as the feed claims; 0: unknown */
};

/* One entry as the parser gave it (every string borrowed; NULL: absent). */
struct eddy_store_entry_in {
    const char *guid; /* id/guid */
    const char *link;
    const char *title;
    const char *author;
    const char *summary;
    const char *content;
    const char *date_raw; /* the date string as found in the feed */
    int64_t date;         /* the parsed date; ignored when MISSING */
    enum eddy_store_date_source date_source;
    /* Its enclosures[0..nenclosures) (borrowed; may be NULL when 0): an
     * update replaces the stored ones, a change in them is a change of the
     * entry. */
    const struct eddy_store_enclosure_in *enclosures;
    size_t nenclosures;
};

/* What one upsert did. */
struct eddy_store_upsert {
    size_t added;     /* new entries */
    size_t updated;   /* existing entries rewritten (content changed,
                       * or found again under a new guid) */
    size_t unchanged; /* existing entries left as they were */
};

/* Stores a batch of entries of feed `feed_id`, fetched at `now`, in one
 * transaction (all or nothing).  An entry is the same as a stored one of the
 * same feed when its guid matches, else (no guid) its link, else (neither)
 * the hash of its title, summary and content; failing that, when its
 * link+title match an entry whose guid this batch does not carry (the feed
 * re-published its entries under new guids), it is that entry and takes the
 * new guid.  An update replaces the content and keeps read/starred; an
 * unchanged entry is not written.  Dates: a date after `now` is clamped to
 * `now`; a missing date becomes the first-seen time.  The search index is
 * not updated here: eddy_store_index_pending() catches up.  *r may be NULL.
 * -ENOENT when the feed does not exist. */
int eddy_store_entries_upsert(struct eddy_store *s, int64_t feed_id,
                              const struct eddy_store_entry_in *entries, size_t n, int64_t now,
                              struct eddy_store_upsert *r);

/* One feed's part of eddy_store_feeds_fetched: its entries (as
 * eddy_store_entries_upsert takes them; n may be 0) and the outcome of its
 * fetch (as eddy_store_feed_fetched takes it; NULL: entries only). */
struct eddy_store_fetched {
    int64_t feed_id;
    const struct eddy_store_entry_in *entries; /* borrowed for the call */
    size_t n;
    const struct eddy_store_fetch *fetch; /* borrowed for the call */
    struct eddy_store_upsert up;          /* out: what the upsert did */
    int err; /* out: 0 written; else nothing of this feed was: -ENOENT no such
              * feed, -EEXIST its new_url belongs to another feed, or the
              * transaction's error */
};
/* What a refresh pass writes, many feeds in one transaction (one commit per
 * batch instead of two per feed).  Each feed's entries and its record are
 * written together or not at all (validators are never saved without the
 * entries they vouch for): a feed that fails is rolled back alone, with its
 * err set, and the others are committed.  `now` as in the upsert.  Returns
 * how many feeds were written, or a negative errno when the transaction
 * failed (then none was, and every err says so). */
int eddy_store_feeds_fetched(struct eddy_store *s, struct eddy_store_fetched *v, size_t n,
                             int64_t now);

/* An entry as stored. */
struct eddy_store_entry {
    int64_t id;
    int64_t feed_id;
    char *guid, *link, *title, *author, *summary, *content; /* owned; NULL: absent */
    int64_t date;         /* the date it sorts by (clamped / first seen as above) */
    char *date_raw;       /* owned; the feed's date string; NULL: none */
    int64_t date_claimed; /* the feed's parsed date (may be in the future); 0: missing */
    enum eddy_store_date_source date_source;
    int64_t first_seen; /* first stored */
    int64_t updated_at; /* last rewritten (== first_seen when never) */
    bool read, starred;
    /* Its enclosures, in the feed's order: filled by eddy_store_entry, and
     * by eddy_store_entries only when the query asks (else NULL, 0). */
    struct eddy_store_enclosure *enclosures; /* owned (freed by *_fini) */
    size_t nenclosures;
};
/* An enclosure as stored (strings owned by the entry). */
struct eddy_store_enclosure {
    char *url;
    char *type; /* NULL: unknown */
    int64_t length;
};
void eddy_store_entry_fini(struct eddy_store_entry *e);
void eddy_store_entries_free(struct eddy_store_entry *e, size_t n);
/* Fills *out (owned by the caller: eddy_store_entry_fini) with entry `id`.
 * -ENOENT when there is none. */
int eddy_store_entry(struct eddy_store *s, int64_t id, struct eddy_store_entry *out);

/* A position in the river: the (date, id) of the last entry of a page.
 * Stable: entries added later never shift the pages after it. */
struct eddy_store_cursor {
    int64_t date;
    int64_t id;
};

#define EDDY_STORE_LIMIT_DEFAULT 50
#define EDDY_STORE_LIMIT_MAX     1000

/* Filters of a listing; zero-initialized means "every entry, first page". */
struct eddy_store_query {
    int64_t feed_id;                       /* 0: any feed */
    const char *category;                  /* NULL: any */
    bool unread;                           /* only unread ones */
    bool starred;                          /* only starred ones */
    int64_t since;                         /* only date >= since; 0: any */
    const char *search;                    /* words that must all occur in the title, summary
                                            * or content (indexed entries only); NULL: none */
    const struct eddy_store_cursor *after; /* the page after this; NULL: first */
    size_t limit;                          /* 0: EDDY_STORE_LIMIT_DEFAULT; capped at _MAX */
    bool enclosures;                       /* fill each entry's enclosures (one more
                                            * indexed lookup per entry) */
    bool excerpt; /* summary and content cut to their first EDDY_STORE_EXCERPT_CHARS
                   * characters (a list that shows an excerpt, not the text:
                   * less to copy; "" stays "", NULL stays NULL) */
};
#define EDDY_STORE_EXCERPT_CHARS 1000

/* A page of entries, newest first (date, then id, descending). */
struct eddy_store_page {
    struct eddy_store_entry *entries; /* owned: eddy_store_page_fini */
    size_t n;
    bool more;                     /* another page follows */
    struct eddy_store_cursor next; /* pass as `after` for it (when more) */
};
int eddy_store_entries(struct eddy_store *s, const struct eddy_store_query *q,
                       struct eddy_store_page *out);
/* Frees the entries of a page and zeroes it.  A zeroed page is a no-op. */
void eddy_store_page_fini(struct eddy_store_page *p);

enum eddy_store_flag { EDDY_STORE_READ, EDDY_STORE_STARRED };
/* Sets (on) or clears a flag on entries ids[0..n).  Returns how many entries
 * changed (ids that do not exist, or already had it, are not counted). */
int eddy_store_entries_mark(struct eddy_store *s, const int64_t *ids, size_t n,
                            enum eddy_store_flag flag, bool on);

/* A feed's name and unread count (eddy_store_feeds_unread). */
struct eddy_store_feed_unread {
    int64_t id;
    char *name; /* owned: its title, else its URL */
    int64_t unread;
};
/* The `max` feeds with the most unread entries (ties: lowest id first),
 * none without unread; with `also` > 0, that feed too, wherever it ranks
 * (last, even when it has no unread; not when it does not exist).  *out is
 * a malloc'ed array of *n records (NULL when none), freed with
 * eddy_store_feeds_unread_free.  Reads the per-feed counts, not entries. */
int eddy_store_feeds_unread(struct eddy_store *s, size_t max, int64_t also,
                            struct eddy_store_feed_unread **out, size_t *n);
void eddy_store_feeds_unread_free(struct eddy_store_feed_unread *f, size_t n);
/* names[i] (malloc'ed, the caller frees each) is feed ids[i]'s title, else
 * its URL; NULL when there is no such feed.  For a page of entries: one
 * indexed lookup per id. */
int eddy_store_feed_names(struct eddy_store *s, const int64_t *ids, size_t n, char **names);

/* ---------------------------------------------------------------- search */

/* Adds up to `max` (0: 1000) entries written since they were last indexed
 * to the full-text index, in one transaction.  Returns how many it indexed
 * (0: caught up).  Meant for a background loop, off the refresh's path. */
int eddy_store_index_pending(struct eddy_store *s, size_t max);

/* ----------------------------------------------------------------- stats */

struct eddy_store_stats {
    int64_t feeds;
    int64_t dead;   /* feeds marked dead (410) */
    int64_t errors; /* feeds whose last fetch failed */
    int64_t entries;
    int64_t unread;
    int64_t starred;
    int64_t unindexed; /* entries not yet in the search index */
};
int eddy_store_stats(struct eddy_store *s, struct eddy_store_stats *out);

/* ------------------------------------------------ snapshots, generations */

/* A number that changes after every write of this store object that
 * changed a row (any write call, eddy_store_run_await's writes included),
 * once the write is committed or rolled back.  What was read in a
 * transaction begun after reading generation g is at least as new as g,
 * so a response built then and kept under g is current while the
 * generation is still g.  Another process writing the same database file
 * does not change it.  Never blocks; any thread. */
uint64_t eddy_store_generation(struct eddy_store *s);
/* Runs fn(s, arg) with every read it makes of s in one read transaction
 * on one reader connection (one snapshot, one WAL lock instead of one per
 * statement).  fn must not write.  Inside one already, fn just runs.
 * Returns what fn returns. */
int eddy_store_read_tx(struct eddy_store *s, int (*fn)(struct eddy_store *s, void *arg), void *arg);

/* -------------------------------------------------- settings, sessions */

/* The owner's settings: small named values ("password": the login's hash,
 * "interval": the refresh interval in seconds).  *value (malloc'ed, the
 * caller frees it) is `name`'s value; -ENOENT when it is not set. */
int eddy_store_setting(struct eddy_store *s, const char *name, char **value);
/* Sets `name` to `value`; NULL removes it (no error when it was not set). */
int eddy_store_setting_set(struct eddy_store *s, const char *name, const char *value);

/* A login session, known by a hash of its secret id (the caller's: the
 * store never sees the id), until `expires` (Unix seconds). */
#define EDDY_STORE_SESSION_KEY 32
struct eddy_store_session {
    unsigned char key[EDDY_STORE_SESSION_KEY];
    int64_t expires;
};
/* Adds a session made at `now`; the sessions expired at `now` are deleted
 * meanwhile.  -EEXIST when that key is stored already. */
int eddy_store_session_add(struct eddy_store *s, const unsigned char key[EDDY_STORE_SESSION_KEY],
                           int64_t now, int64_t expires);
/* Removes one session (key NULL: every session, as after a password
 * change).  Returns how many were removed. */
int eddy_store_session_remove(struct eddy_store *s, const unsigned char *key);
/* The sessions not expired at `now`, soonest expiry first.  *out is a
 * malloc'ed array of *n records (NULL when none), freed with free(). */
int eddy_store_sessions(struct eddy_store *s, int64_t now, struct eddy_store_session **out,
                        size_t *n);

/* ------------------------------------------------------ from a task */

/* The same calls from a task: each runs its blocking twin on the loop's
 * thread pool and suspends the calling task until it returns (arguments
 * must stay valid until then, as they do on the caller's stack).  They
 * return what the twin returns, or -EPERM outside a task; a cancelled or
 * timed-out task still waits for the call to end, then gets -ECANCELED /
 * -ETIMEDOUT (the write may have been committed).  The writes (upsert,
 * fetched, mark, index) queue as suspended tasks and occupy one pool thread
 * at a time, so reads always find a thread (a task cancelled while queued
 * returns at once, nothing written): call them from the tasks of one loop
 * at a time. */
EDDY_NODISCARD EDDY_AWAITS int eddy_store_upsert_await(struct eddy_store *s, int64_t feed_id,
                                                       const struct eddy_store_entry_in *entries,
                                                       size_t n, int64_t now,
                                                       struct eddy_store_upsert *r);
EDDY_NODISCARD EDDY_AWAITS int eddy_store_fetched_await(struct eddy_store *s, int64_t id,
                                                        const struct eddy_store_fetch *f);
EDDY_NODISCARD EDDY_AWAITS int eddy_store_due_await(struct eddy_store *s, int64_t now, size_t max,
                                                    struct eddy_store_feed **out, size_t *n);
EDDY_NODISCARD EDDY_AWAITS int eddy_store_entries_await(struct eddy_store *s,
                                                        const struct eddy_store_query *q,
                                                        struct eddy_store_page *out);
EDDY_NODISCARD EDDY_AWAITS int eddy_store_mark_await(struct eddy_store *s, const int64_t *ids,
                                                     size_t n, enum eddy_store_flag flag, bool on);
EDDY_NODISCARD EDDY_AWAITS int eddy_store_index_await(struct eddy_store *s, size_t max);
EDDY_NODISCARD EDDY_AWAITS int eddy_store_stats_await(struct eddy_store *s,
                                                      struct eddy_store_stats *out);
/* Any other call, or several in a row: runs fn(s, arg) on the pool and
 * returns its result.  `writes`: fn writes (it then queues with the writes
 * above, see there). */
EDDY_NODISCARD EDDY_AWAITS int eddy_store_run_await(struct eddy_store *s, bool writes,
                                                    int (*fn)(struct eddy_store *s, void *arg),
                                                    void *arg);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
