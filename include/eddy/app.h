/*
 * eddy/app.h — the aggregator's engine (layer app/): the refresh pass that
 * fetches due feeds into the store, its polite schedule, and OPML.
 *
 * Depends on store/ (eddy_store_*), feedfetch/ (eddy_feed_fetch), client/
 * (a session carries the global and per-host limits), loop/ and feed/, and
 * libxml2 for OPML.
 *
 * Errors: int returns are >= 0 on success and a negative errno on failure.
 * Time: int64_t Unix seconds (wall clock), as in store.h.
 */
#ifndef EDDY_APP_H
#define EDDY_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/buf.h"
#include "eddy/client.h"
#include "eddy/loop.h"
#include "eddy/store.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

/* ---------------------------------------------------------------- refresh */

/* Seconds between checks of a healthy feed, and the longest wait: after
 * errors, for a <ttl>, a max-age or a Retry-After. */
#define EDDY_APP_INTERVAL_DEFAULT 3600
#define EDDY_APP_BACKOFF_MAX      (24 * 3600)

/* What became of one feed in a pass (for a progress display). */
struct eddy_app_feed_done {
    int64_t feed_id;
    const char *url;       /* the URL fetched (borrowed for the call) */
    int status;            /* HTTP status; 0: no response */
    bool not_modified;     /* 304 */
    const char *error;     /* NULL: success */
    size_t added, updated; /* entries */
    size_t done, total;    /* feeds of the pass finished (this one included), and all */
    const struct eddy_store_fetch *rec; /* what was recorded: cost, next check, repairs */
};

/* A feed's steps in a pass before it is done (eddy_app_refresh_opts.step):
 * a worker took it (it may still wait for a connection slot), then the
 * transfer's phases as client.h's on_phase tells them. */
enum eddy_app_step {
    EDDY_APP_QUEUED = 1,
    EDDY_APP_CONNECTING,
    EDDY_APP_WAITING,
    EDDY_APP_RECEIVING,
};

/* Zero-initialise and set what you need. */
struct eddy_app_refresh_opts {
    bool all;           /* every live feed, due or not (dead ones never) */
    int64_t now;        /* the pass's wall-clock time; 0: time(NULL) */
    unsigned workers;   /* feeds in flight at once; 0: 64.  The session's
                         * max_concurrency / max_per_host limit the transfers */
    int64_t timeout_ns; /* one feed's whole transfer; 0: 30 s */
    int64_t interval;   /* seconds to the next check of a healthy feed; 0: the default
                         * (a floor: a feed asking for less gets this) */
    /* eddy_app_refresh: the session for feeds whose URL came over HTTP
     * (store.h's `guarded`), made with ssrf_guard; the others go through
     * `session`.  NULL: every feed through `session` (give one unless that
     * session is guarded itself). */
    struct eddy_session *guarded;
    /* eddy_app_refresh_threads: each shard's session for guarded feeds is
     * made from *guarded_so (NULL: from the pass's *so) with ssrf_guard
     * forced on and the shard's share of the limits, when the pass has
     * guarded feeds.  Guarded feeds are never fetched unguarded there. */
    const struct eddy_session_opts *guarded_so;
    /* Called on the loop after each feed is recorded; must not suspend.
     * The pass's counts are locked meanwhile: keep it short. */
    void (*progress)(void *arg, const struct eddy_app_feed_done *d);
    void *arg;
    /* Called on the loop as each feed moves (a live display); must not
     * suspend.  One call at a time, as progress.  NULL: not told. */
    void (*step)(void *step_arg, int64_t feed_id, enum eddy_app_step step);
    void *step_arg;
};

struct eddy_app_summary {
    size_t feeds;        /* feeds the pass took */
    size_t fetched;      /* answered 200 with a feed */
    size_t not_modified; /* answered 304 */
    size_t errors;       /* failed: network, HTTP status, no feed, store */
    size_t moved;        /* permanent redirects recorded */
    size_t gone;         /* 410: marked dead */
    size_t added;        /* new entries */
    size_t updated;      /* entries rewritten */
};

/* One refresh pass, from a task: takes the due feeds (every live one with
 * opts->all), fetches them concurrently through `session` with a
 * conditional GET from their stored validators, stores each feed's entries
 * in one transaction and records the outcome: validators, status, error,
 * consecutive errors, a permanent redirect's URL, 410 as dead, the parser's
 * repairs, what the feed asked for (<ttl>, Cache-Control max-age or
 * Expires, <skipHours>, <skipDays>: kept across 304s), and the next check
 * (eddy_app_next_check, with the reply's Retry-After).  Feeds marked
 * guarded go through opts->guarded.  One feed failing or
 * stalling never stops the others (each has its own timeout).  *sum (may be
 * NULL) gets the counts.  Returns 0 when the pass ran (feeds that failed
 * are counted in sum->errors, not returned), or a negative errno when it
 * could not (the store unreadable, -ECANCELED, -ENOMEM). */
EDDY_NODISCARD EDDY_AWAITS int eddy_app_refresh(struct eddy_store *store,
                                                struct eddy_session *session,
                                                const struct eddy_app_refresh_opts *opts,
                                                struct eddy_app_summary *sum);

/* The same pass on `threads` loops (one per thread, this one included: call
 * it outside any loop; it blocks until the pass ends), each with a session
 * made from *so (NULL: defaults) with its share of max_concurrency,
 * max_per_host and opts->workers: parsing is CPU work, and one thread caps
 * a pass at its parsing speed.  Fewer threads when the limits or the feeds
 * are fewer.  opts->progress is then called from those threads, one call
 * at a time.  Returns as eddy_app_refresh. */
int eddy_app_refresh_threads(struct eddy_store *store, const struct eddy_session_opts *so,
                             unsigned threads, const struct eddy_app_refresh_opts *opts,
                             struct eddy_app_summary *sum);

/* What the schedule of one feed goes by (zero-initialise; set what applies). */
struct eddy_app_schedule {
    int64_t now;          /* when it was fetched (Unix seconds) */
    int64_t interval;     /* the configured wait for a healthy feed; 0: the default */
    int64_t min_interval; /* what the feed asked for (seconds: RSS <ttl>,
                           * Cache-Control max-age, Expires); 0: nothing */
    int64_t retry_after;  /* the server's Retry-After (seconds); 0: none */
    int errors;           /* consecutive errors, this fetch included; 0: it succeeded */
    uint32_t skip_hours;  /* UTC hours not to check it (bit h), as store.h */
    uint8_t skip_days;    /* days not to check it (bit d, 0 = Sunday) */
    uint32_t rnd;         /* any uniformly random 32-bit value (the jitter) */
};

/* The schedule: when a feed is due again.
 *   errors == 0: now + interval, or + min_interval when it is longer (the
 *                interval is the floor: a max-age=0 does not mean "at
 *                once"), at most EDDY_APP_BACKOFF_MAX;
 *   errors  > 0: exponential backoff from 5 minutes (×2 per consecutive
 *                error) capped at EDDY_APP_BACKOFF_MAX, of which a random
 *                quarter is taken off (jitter: feeds that failed together do
 *                not come back together); never gives up; and never before
 *                retry_after (itself capped at EDDY_APP_BACKOFF_MAX).
 * Then a time in a skipped hour or on a skipped day moves to the start of
 * the first hour allowed after it (a rule that skips every hour, or every
 * day, is ignored). */
int64_t eddy_app_next_check(const struct eddy_app_schedule *s);

/* ------------------------------------------------------------------ OPML */

/* One subscription found in an OPML document (strings borrowed for the call). */
struct eddy_app_outline {
    const char *url;      /* xmlUrl */
    const char *title;    /* title, else text; NULL when neither */
    const char *category; /* text (else title) of the nearest enclosing outline
                           * without xmlUrl; NULL at the top level */
};

/* Parses an OPML document (any version; libxml2, no network, no entity
 * expansion, recovering from small faults) and calls fn for each outline
 * with an xmlUrl, at any depth, in document order.  fn's negative return
 * stops the walk and is returned.  Returns the number of outlines, or
 * -EBADMSG when the bytes are no OPML (not XML, or the root is not <opml>),
 * -ENOMEM. */
int eddy_app_opml_parse(const void *bytes, size_t len,
                        int (*fn)(void *arg, const struct eddy_app_outline *o), void *arg);

/* Appends an OPML 2.0 document of feeds[0..n) to out: one outline per
 * category (in the order met) holding its feeds, uncategorized feeds at the
 * top level.  0 or -ENOMEM. */
int eddy_app_opml_write(const struct eddy_store_feed *feeds, size_t n, struct eddy_buf *out);

/* ------------------------------------------------------------- discovery */

/* The feeds an HTML page announces: each <link rel="alternate"> whose type
 * is a feed's (application/rss+xml, atom+xml, feed+json, json, rdf+xml,
 * xml, text/xml), in document order, its href resolved against page_url
 * (and a <base href>; page_url NULL: hrefs as written), http and https only
 * (a "javascript:" or "file:" feed is skipped).  Calls fn(arg, url,
 * title) for each (both borrowed for the call; title NULL when absent);
 * fn's negative return stops and is returned.  Returns how many were found
 * (0 for anything that is no HTML with such links), or -ENOMEM. */
int eddy_app_discover(const void *html, size_t len, const char *page_url,
                      int (*fn)(void *arg, const char *url, const char *title), void *arg);

/* What is at a URL someone wants to subscribe to. */
struct eddy_app_found {
    char *url;   /* the feed's URL: the one given when it is a feed, else the
                  * first the page announces; NULL when none */
    char *error; /* why the URL could not be fetched; NULL when it was */
};
/* Fetches `url` (from a task, through session s, within timeout_ns; 0: no
 * limit but the session's): a feed is itself, an HTML page gives the first
 * feed it announces (eddy_app_discover).  Fills *out (owned by the caller:
 * eddy_app_found_clear) and returns 0 when a feed was found, -ENOENT when
 * the page was fetched but is no feed and announces none, or the transfer's
 * error (-EREMOTEIO: a status other than 2xx; out->error says why). */
EDDY_AWAITS int eddy_app_find_feed(struct eddy_session *s, const char *url, int64_t timeout_ns,
                                   struct eddy_app_found *out);
void eddy_app_found_clear(struct eddy_app_found *f);

/* ----------------------------------------------------------------- serve */

/* `eddy serve`'s options.  Zero-initialise and set what you need. */
struct eddy_app_serve_opts {
    const char *data;   /* the data folder, as eddy_store_dir's flag; NULL: the default */
    const char *listen; /* a numeric address as server.h takes it; NULL: "127.0.0.1:8080" */
    /* The API's bearer token.  NULL or "": none, and then only a loopback
     * address or a Unix socket may be listened on (else -EACCES). */
    const char *token;
    /* CIDRs the SSRF guard lets through (client.h's ssrf_allow) when it
     * fetches URLs that arrived over HTTP; NULL-terminated, may be NULL. */
    const char *const *allow;
    /* Where the demo feeds may be: folders, NULL-terminated (may be NULL:
     * no demo).  The first that exists is served at /demo/, and its feeds
     * (*.xml *.rss *.atom *.rdf *.json) are subscribed at their /demo/ URL
     * (trusted, category "Demo") on the first start with an empty store,
     * never again after it (a marker file in the data folder).  None: a
     * start-up line says where it looked. */
    const char *const *demo;
    /* Where the reader's pages may be: folders, NULL-terminated (may be
     * NULL); the first holding templates/river.html gives the templates,
     * its static/ is served at /static/.  None: the pages answer 503. */
    const char *const *pages;
    /* The refresh passes, as eddy_app_refresh_opts (0: its defaults);
     * `workers` also caps the transfers at once, per_host those per host
     * (0: 8). */
    int64_t interval;
    unsigned workers;
    unsigned per_host;
    int64_t timeout_ns;
    /* Start-up lines and failures, one line a call (no newline; borrowed
     * for the call); NULL: stderr, each line prefixed "eddy serve: ". */
    void (*log)(void *arg, const char *line);
    void *log_arg;
    /* The digest (digest_sched.c): with digest_to set, /digest offers
     * "Send now", and with digest_daily it is also sent every day at
     * digest_at seconds after local midnight, of the entries first seen in
     * the digest_since seconds before (0: a day).  digest_from NULL: the
     * first recipient; smtp NULL or its url NULL: smtp://localhost:25
     * (borrowed for the serve, as every string here).  The last
     * scheduled send is kept in the data folder (digest-last-sent), so a
     * restart neither resends a window nor, when one was missed while the
     * server was down, forgets it (sent at start then). */
    const char *digest_to;
    const char *digest_from;
    const struct eddy_app_smtp *smtp;
    bool digest_daily;
    int64_t digest_at;
    int64_t digest_since;
};

/* The aggregator as one process, on one loop in the calling thread (which
 * must run none): opens the store, serves on opts->listen the JSON API
 * (/api/v1/, the token required when one is set), GET /metrics (Prometheus
 * text), the demo at /demo/ and a front page listing the newest entries,
 * and runs the refresh scheduler in the background: passes over the due
 * feeds, the search index caught up after each, a sleep until the next
 * feed is due or a feed is added.  Blocks until SIGTERM or SIGINT, then
 * stops gracefully: the server drains (10 s at most), the scheduler is
 * cancelled (no feed is half-written: its entries are one transaction), the
 * store is closed.  Returns 0 after that, or a negative errno when it could
 * not start: -EACCES a non-loopback address without a token (or a password,
 * eddy_app_set_password), -EINVAL no numeric address, the store's or the
 * listener's error. */
int eddy_app_serve_main(const struct eddy_app_serve_opts *opts);

/* The pages' login (auth.c): a password of EDDY_APP_PASSWORD_MIN to _MAX
 * bytes.  Once set, every page needs a login (a session cookie) or the
 * API token; the pages can change or remove it (/settings). */
#define EDDY_APP_PASSWORD_MIN 8
#define EDDY_APP_PASSWORD_MAX 1024
/* Sets the pages' password of store s, stored as its yescrypt hash
 * (libcrypt), and ends every login session; NULL removes it.  Blocking and
 * slow on purpose (yescrypt's default cost, tens of ms): from a task, run it
 * with eddy_store_run_await.  A running `eddy serve` sees the change within
 * 30 s.  -EINVAL a length out of range; the store's errors. */
int eddy_app_set_password(struct eddy_store *s, const char *password);

/* ------------------------------------------- merged feeds (river.c) */

/* What the merged document says about itself (zero-initialise). */
struct eddy_app_river {
    const char *title;    /* NULL: "eddy river" */
    const char *id;       /* the document's id (an IRI); NULL: self_url, else
                           * "tag:eddy,2026:river" */
    const char *self_url; /* where the document is served (atom:link rel="self",
                           * JSON Feed feed_url); NULL: none */
    const char *home_url; /* the page it mirrors (rel="alternate", home_page_url) */
    int64_t updated;      /* the document's date; 0: the newest entry's (else now) */
};

/* Appends an Atom 1.0 document of entries[0..n) (the store's order: newest
 * first), each attributed to its source feed, found by feed_id in
 * feeds[0..nfeeds): an atom:source with the feed's URL as id, its title and
 * its self and alternate links (an entry whose feed is missing gets none).
 * Entry ids: the guid when it is an absolute IRI (it stays the entry's id
 * wherever it is republished, as RFC 4287 asks), else
 * "tag:eddy,2026:entry/<entry id>", stable for the store's life.  Dates are
 * RFC 3339: atom:updated is the entry's date as stored (a future date
 * clamped, a missing one its first-seen time: the feed's own string is not
 * repeated); title as text; summary and content as type="html" carrying
 * the stored HTML (the parser's sanitized output), escaped.  Links other
 * than absolute http(s) are left out; invalid XML characters are dropped
 * (eddy__app_put).  An entry without author gets the feed's title as
 * author of its atom:source, so every entry has one.  0, -ENOMEM, -E2BIG. */
int eddy_app_river_atom(const struct eddy_app_river *r, const struct eddy_store_entry *entries,
                        size_t n, const struct eddy_store_feed *feeds, size_t nfeeds,
                        struct eddy_buf *out);

/* The same as JSON Feed 1.1: items with id, url, title, content_html,
 * summary, date_published (the same date), authors (the entry's, else the
 * feed's title; also as 1.0's author, for 1.0 readers); the source feed
 * under the extension key "_eddy": {"feed": {"id": N, "title", "feed_url",
 * "home_page_url"}} (extensions start with '_', which readers ignore).
 * Same ids, links and cleaning as the Atom writer.  0, -ENOMEM, -E2BIG. */
int eddy_app_river_json(const struct eddy_app_river *r, const struct eddy_store_entry *entries,
                        size_t n, const struct eddy_store_feed *feeds, size_t nfeeds,
                        struct eddy_buf *out);

/* ------------------------------------------------ the digest (digest.c) */

/* Entries dated more than this before `since` are left out of a digest even
 * when first seen after it: a new subscription's back catalogue, not news. */
#define EDDY_APP_DIGEST_LOOKBACK (7 * 24 * 3600)

struct eddy_app_digest_opts {
    int64_t since;      /* entries first seen at or after (Unix seconds) */
    int64_t now;        /* the digest's date; 0: time(NULL) */
    size_t max_entries; /* at most this many (the newest); 0: 500.  The rest are counted */
};

/* A compiled digest: the new entries, grouped by feed (feeds in the store's
 * order: category, title), newest first in each.  Opaque. */
struct eddy_app_digest;

/* Compiles the digest of store s: the entries with first_seen >= since (and
 * a date no older than EDDY_APP_DIGEST_LOOKBACK before it).  Blocking (it
 * reads the store): from a task, call eddy_app_digest_compile_await.  On
 * success *out is owned by the caller (eddy_app_digest_free); an empty
 * digest is a success.  Errors: the store's, -EINVAL, -ENOMEM. */
int eddy_app_digest_compile(struct eddy_store *s, const struct eddy_app_digest_opts *o,
                            struct eddy_app_digest **out);
/* The same from a task: runs on the loop's thread pool (eddy_store_run_await). */
EDDY_NODISCARD EDDY_AWAITS int eddy_app_digest_compile_await(struct eddy_store *s,
                                                             const struct eddy_app_digest_opts *o,
                                                             struct eddy_app_digest **out);
void eddy_app_digest_free(struct eddy_app_digest *d);
/* Entries in the digest, entries left out by max_entries, feeds with entries. */
size_t eddy_app_digest_count(const struct eddy_app_digest *d, size_t *omitted, size_t *feeds);
/* The default subject: "Letters from a Feed: N new entries from T1, T2 and K
 * more" (UTF-8); malloc'ed (the caller frees it), NULL on ENOMEM. */
char *eddy_app_digest_subject(const struct eddy_app_digest *d);

/* The writers below append to out; one that fails leaves out as it was. */

/* The digest as one HTML document made for mail clients (the text/html
 * part; also what a /digest page can serve): inline CSS only, no script, no
 * external resource.  Entry HTML is the stored sanitized HTML, rewritten:
 * links made absolute against the entry's link (those that cannot be, or
 * are not http(s)/mailto, lose their href), and images replaced by a link
 * "[image: ALT]" to them — remote images in mail are tracking pixels, are
 * blocked by most clients, and would show as broken boxes.  Anything
 * runnable that reached this far (script, style, iframe, object, embed,
 * form) is dropped again.  CPU work that grows with the entries (libxml2
 * parses each one): from a task, call it through eddy_to_thread, as the
 * text and message writers below.  0, -ENOMEM, -E2BIG. */
int eddy_app_digest_html(const struct eddy_app_digest *d, struct eddy_buf *out);
/* The plain-text rendering (the text/plain part): per feed a heading, per
 * entry its title, link, date and its text wrapped at 72 columns, links as
 * "text <url>", quotations as "> " lines.  Dates here and in the HTML are
 * in the local time zone (TZ).  0, -ENOMEM, -E2BIG. */
int eddy_app_digest_text(const struct eddy_app_digest *d, struct eddy_buf *out);

/* The envelope of a digest message (zero-initialise; strings borrowed). */
struct eddy_app_mail {
    const char *from;    /* one address, a@b (required) */
    const char *to;      /* addresses, comma-separated, a@b,c@d (required) */
    const char *subject; /* NULL: eddy_app_digest_subject() */
};

/* 0 when `from` is one address (a@b: printable ASCII, nothing that needs
 * quoting) and `to` a comma-separated list of them, else -EINVAL. */
int eddy_app_mail_check(const char *from, const char *to);

/* Appends the digest as an RFC 5322 message, CRLF line ends, every line
 * within 76 characters (but a From or Message-ID of a very long address):
 * From, To, Subject (RFC 2047 encoded when not ASCII), Date, Message-ID,
 * MIME-Version, Auto-Submitted, then multipart/alternative with the
 * text/plain and text/html parts, quoted-printable UTF-8.  With mbox true,
 * an mbox record instead: a "From ADDR DATE" line, the message with LF line
 * ends and ">From " quoting, a blank line.  -EINVAL a missing or malformed
 * address, -ENOMEM, -E2BIG. */
int eddy_app_digest_message(const struct eddy_app_digest *d, const struct eddy_app_mail *m,
                            bool mbox, struct eddy_buf *out);

/* The digest's entries and feeds as a merged feed: `format` "atom" or
 * "json" (eddy_app_river_atom/_json).  0, -EINVAL, -ENOMEM, -E2BIG. */
int eddy_app_digest_feed(const struct eddy_app_digest *d, const struct eddy_app_river *r,
                         const char *format, struct eddy_buf *out);

/* Where and how to send mail (zero-initialise; strings borrowed). */
struct eddy_app_smtp {
    const char *url;      /* smtp://HOST[:PORT] (plain), smtp+starttls://HOST[:PORT]
                           * (STARTTLS required: the send fails when the server
                           * does not offer it) or smtps://HOST[:PORT] (TLS from
                           * the start) */
    bool starttls;        /* smtp:// as smtp+starttls:// */
    const char *user;     /* NULL: no authentication */
    const char *password; /* with user */
    const char *ca_file;  /* CA bundle to trust instead of the system's; NULL: system */
    int64_t timeout;      /* seconds for the whole transfer; 0: 60 */
};

/* Sends message[0..len) (a whole RFC 5322 message with CRLF line ends, as
 * eddy_app_digest_message writes it) from `from` to every address of the
 * comma-separated list `to`, through libcurl's SMTP: a blocking call (from
 * a task: eddy_to_thread).  TLS certificates are verified.  Returns 0; or
 * -EINVAL (a bad URL or address), -ECONNREFUSED, -ETIMEDOUT, -EACCES (login
 * refused), -EIO (anything else the server or transfer refused), -ENOMEM,
 * with *error (may be NULL) a malloc'ed one-line reason the caller frees. */
int eddy_app_mail_send(const struct eddy_app_smtp *smtp, const char *from, const char *to,
                       const void *message, size_t len, char **error);

/* The newsletter in one blocking call, for a scheduler (from a task:
 * eddy_to_thread): compiles the digest of store s (o as for
 * eddy_app_digest_compile) and, when it has entries, writes the message
 * (m) and sends it (smtp).  *sent (may be NULL) gets the number of entries
 * sent: 0 when there was nothing new and nothing was sent.  Errors as
 * eddy_app_digest_compile, _message and eddy_app_mail_send, with *error
 * (may be NULL) a malloc'ed one-line reason ("smtp://host:587: Login
 * denied", "the store: ...") the caller frees. */
int eddy_app_digest_mail(struct eddy_store *s, const struct eddy_app_digest_opts *o,
                         const struct eddy_app_mail *m, const struct eddy_app_smtp *smtp,
                         size_t *sent, char **error);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
