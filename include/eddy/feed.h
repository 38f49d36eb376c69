/*
 * eddy/feed.h — the sans-IO feed parser (layer feed/).
 *
 * Bytes in, a feedparser-shaped result out: RSS 0.90-2.0, RDF, Atom 0.3/1.0,
 * CDF and JSON Feed documents give the same keys and values Python's
 * feedparser (6.0.11+) gives (bozo, encoding, version, namespaces, feed,
 * entries...).  The parser never reads a file or a socket: the caller pushes
 * chunks of any size as they arrive and calls finish.  It depends on libxml2
 * (SAX2 push parser, no network, no DTD loading, no entity expansion inside
 * libxml2) and eddy's base/ buffers.  No global state of its own (libxml2's
 * one-time initialisation is done once, thread-safely): any number of
 * parsers may run at once, each used by one thread at a time.  Nothing here
 * suspends.
 *
 * Ill-formed documents: feedparser parses with expat and, on the first
 * error, again with its loose SGML parser; eddy does the same with libxml2
 * (recovering, no DTD, no entity expansion) and a port of that loose parser
 * (src/feed/loose.c), so bozo feeds give feedparser's values too.  In
 * callback mode the document is not kept, so there is no second pass:
 * libxml2's recovery, helped by the loose parser's repairs of '&' and of
 * undeclared HTML entities, gives the values instead.
 *
 * The result is a tree of values (object with insertion-ordered keys, array,
 * string, integer, real, boolean, null) that mirrors feedparser's
 * FeedParserDict, allocated in one arena owned by the struct eddy_feed and
 * freed at once by eddy_feed_free().  Every value pointer obtained from a
 * result lives as long as the result.
 *
 * The model (top-level object, as feedparser.parse() returns it):
 *   bozo             boolean: the document was not well-formed XML or an
 *                    encoding condition was found
 *   bozo_exception   "ClassName: message", only when bozo
 *   encoding         "utf-8", "us-ascii", "windows-1252", ...
 *   version          "rss20", "rss10", "atom10", "atom03", "cdf", ... or ""
 *   namespaces       {prefix: uri} of the namespaces the document uses
 *   feed             {title, title_detail{type,language,base,value}, link,
 *                    links[{rel,type,href,title?,length?}], subtitle(_detail),
 *                    rights(_detail), author, author_detail{name,email,href},
 *                    authors[], contributors[], publisher(_detail), updated,
 *                    updated_parsed, published(_parsed), id, generator,
 *                    generator_detail, image{...}, textinput{...}, cloud{...},
 *                    tags[{term,scheme,label}], language, docs, ttl, icon,
 *                    logo, info(_detail), itunes_*, media_*, psc_chapters...}
 *   entries          [{title(_detail), link, links, id, guidislink, summary,
 *                    summary_detail, content[{type,language,base,value}],
 *                    author(s), contributors, tags, published, updated,
 *                    created, expired (+ *_parsed), comments, source{...},
 *                    enclosures come from links with rel "enclosure",
 *                    media_*, itunes_*, georss where, psc_chapters...}]
 *   headers          {lower-cased name: value} of the headers given ({} without)
 *   href, status     the document URL and 200, when a URL was given
 *   etag, modified, modified_parsed   from the ETag / Last-Modified headers
 *                    (with a URL; feedparser's dict stores "modified" under
 *                    its alias "updated", eddy under the contract's name)
 * Dates: the raw string under the key and <key>_parsed = [year, mon, mday,
 * hour, min, sec, wday (Monday=0), yday, 0] in UTC, or null when unparsable.
 * Keys are set exactly when feedparser sets them; see feedparser's
 * documentation for each element.
 *
 * Errors: int returns are 0 or a negative errno (-ENOMEM; -E2BIG when the
 * document exceeds opts.max_bytes); constructors return NULL on ENOMEM.  An
 * ill-formed document is not an error: it gives a result with bozo true.
 */
#ifndef EDDY_FEED_H
#define EDDY_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/buf.h"

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_feed_parser; /* opaque: one document being parsed */
struct eddy_feed;        /* opaque: a finished result (arena + tree) */
struct eddy_feed_value;  /* opaque: one node of a result tree */
struct eddy_feed_member; /* opaque: one key/value pair of an object */

/* One HTTP response header, as received. */
struct eddy_feed_header {
    const char *name; /* any case; repeated names are joined with ", " */
    const char *value;
};

/* Called for each entry when it ends, in document order.  The entry and all
 * values under it are valid only during the call; they are not kept in the
 * result.  Return 0 to go on, a negative errno to stop parsing (finish then
 * returns that result with what was parsed so far, and push returns it). */
typedef int (*eddy_feed_entry_fn)(void *arg, const struct eddy_feed_value *entry);

struct eddy_feed_opts {
    const char *url; /* document URL (href, base of relative links) or NULL */
    const struct eddy_feed_header
        *headers; /* HTTP response headers, or NULL when not fetched over HTTP */
    size_t nheaders;
    eddy_feed_entry_fn on_entry; /* NULL: entries are kept in the result */
    void *arg;                   /* passed to on_entry */
    size_t max_bytes;            /* cap on the document size when buffered; 0: 512 MiB */
    /* CPU budget of the document, in ns of thread CPU time summed over its
     * pushes and finish (on_entry's time left out); 0: 2 s plus 1 s per
     * 4 MB pushed, over 10x what real feeds take.  Past it the tokenizers
     * (XML, loose, sanitizer) stop where they are: finish returns what was
     * parsed before, with bozo, bozo_exception "TimeoutError: the parse
     * exceeded its CPU budget of 2 s at byte N" (N: offset in the UTF-8
     * text parsed) and a diagnostic; later pushes are ignored.  Checked at
     * every 1024th token, so a check costs an increment. */
    int64_t max_cpu_ns;
};

/* A parser for one document.  opts may be NULL; its strings are copied.
 * Returns NULL on ENOMEM.
 *
 * Without on_entry the document is buffered until finish (feedparser decides
 * the encoding from the whole document).  With on_entry the bytes stream
 * into libxml2 as they come (once the prolog up to the first element has
 * arrived) so memory stays independent of the feed's length.  The encoding
 * is then the BOM's (a UTF-16 one when '<' or a space follows it in
 * UTF-16) or the XML declaration's (default UTF-8; a name Python does not
 * know, or UTF-16/32 without a BOM, means UTF-8), and "encoding"
 * reports that name: the same outcome for UTF-8 and for documents that
 * declare their encoding, but none of feedparser's HTTP charset rules (RFC
 * 3023) or fallbacks, and no CharacterEncoding* bozo.  Values are always
 * UTF-8, the same whatever the chunks: each byte the encoding cannot
 * decode (invalid UTF-8 in a UTF-8 body), and a NUL (which would stop
 * libxml2's push parser), reads as U+FFFD, with bozo.  (Buffered mode keeps a NUL in text, as
 * feedparser does: strings carry their length.)  A JSON Feed (first byte '{' or a JSON
 * Content-Type) is always buffered; its entries still go to the callback. */
struct eddy_feed_parser *eddy_feed_parser_new(const struct eddy_feed_opts *opts);

/* Adds len bytes of the document.  Without on_entry it only appends them
 * (the parse is all in finish); with on_entry it parses them (bounded by
 * the budget).  Returns 0, -ENOMEM, -E2BIG, or the callback's error. */
int eddy_feed_parser_push(struct eddy_feed_parser *p, const void *bytes, size_t len);

/* Ends the document and stores the result in *out, owned by the caller (free
 * it with eddy_feed_free; it outlives the parser).  Returns 0, or -ENOMEM, or
 * -EINVAL when p is NULL or was finished already; *out is NULL on error.
 * Call once.  A push that failed (-E2BIG, a callback's error) still leaves a
 * result to finish: what was parsed so far. */
int eddy_feed_parser_finish(struct eddy_feed_parser *p, struct eddy_feed **out);

/* Frees the parser (NULL is a no-op).  A result already returned stays valid. */
void eddy_feed_parser_free(struct eddy_feed_parser *p);

/* One-shot convenience: new + push + finish + free.  Returns 0 with the
 * result in *out (owned by the caller), or push's or finish's error with
 * *out NULL. */
int eddy_feed_parse(const void *bytes, size_t len, const struct eddy_feed_opts *opts,
                    struct eddy_feed **out);

void eddy_feed_free(struct eddy_feed *f);

/* ---- reading a result ---------------------------------------------------- */

enum eddy_feed_type {
    EDDY_FEED_NULL,
    EDDY_FEED_BOOL,
    EDDY_FEED_INT,
    EDDY_FEED_REAL,
    EDDY_FEED_STRING,
    EDDY_FEED_ARRAY,
    EDDY_FEED_OBJECT,
};

/* The top-level object (bozo, encoding, version, namespaces, feed, entries...). */
const struct eddy_feed_value *eddy_feed_root(const struct eddy_feed *f);

/* NULL-safe accessors: a NULL or wrongly typed value gives NULL / 0 / false. */
enum eddy_feed_type eddy_feed_type(const struct eddy_feed_value *v);
/* obj[key] (literal key, no feedparser aliases), NULL when absent. */
const struct eddy_feed_value *eddy_feed_get(const struct eddy_feed_value *obj, const char *key);
/* Shorthand: the string at obj[key] or NULL. */
const char *eddy_feed_get_str(const struct eddy_feed_value *obj, const char *key);
/* A string's bytes (UTF-8, NUL-terminated; *len may be NULL). */
const char *eddy_feed_str(const struct eddy_feed_value *v, size_t *len);
int64_t eddy_feed_int(const struct eddy_feed_value *v);
double eddy_feed_real(const struct eddy_feed_value *v);
bool eddy_feed_bool(const struct eddy_feed_value *v);
/* Number of elements of an array or of members of an object. */
size_t eddy_feed_len(const struct eddy_feed_value *v);
/* arr[i], NULL when out of range.  O(1). */
const struct eddy_feed_value *eddy_feed_at(const struct eddy_feed_value *arr, size_t i);
/* Members of an object in insertion order:
 *   for (m = eddy_feed_first(obj); m; m = eddy_feed_next(m)) ... */
const struct eddy_feed_member *eddy_feed_first(const struct eddy_feed_value *obj);
const struct eddy_feed_member *eddy_feed_next(const struct eddy_feed_member *m);
const char *eddy_feed_member_key(const struct eddy_feed_member *m);
const struct eddy_feed_value *eddy_feed_member_value(const struct eddy_feed_member *m);

/* Appends v as compact JSON (UTF-8, RFC 8259 escaping) to out.  Returns 0 or
 * a negative errno from the buffer. */
int eddy_feed_to_json(const struct eddy_feed_value *v, struct eddy_buf *out);

/* Why a result is no feed, or NULL when it is one.  A feed has a version,
 * or entries, or (well-formed) feed-level data: CDF channels have no version
 * and are feeds; an HTML page, plain text or an empty file are not.  The
 * reason is the bozo exception when there is one; valid as long as f.  The
 * one rule `eddy parse`, `eddy fetch` and eddy_feed_fetch() share. */
const char *eddy_feed_not_a_feed(const struct eddy_feed *f);

/* The hours and days an RSS feed asks not to be checked (<skipHours><hour>,
 * <skipDays><day>): bit h of *hours for UTC hour h (0-23; 24 counts as 0),
 * bit d of *days for day d (0 = Sunday).  Kept apart from the tree, which
 * holds only the last "hour" and "day", as feedparser does.  0: none (and
 * for a NULL f). */
void eddy_feed_skip(const struct eddy_feed *f, uint32_t *hours, uint8_t *days);

/* ---- diagnostics: the repairs the parser made ----------------------------- */

/* Each time the document is not what XML or feedparser expects (an
 * undeclared entity, a bare '&', a mismatched tag, an encoding override...)
 * the parser repairs it and records what it did and where.  This list is kept
 * apart from the feedparser-shaped tree.  Returns the number of records. */
size_t eddy_feed_diag_count(const struct eddy_feed *f);
/* Record i: a message (valid as long as f) and its byte offset in the
 * input (the bytes pushed) into *offset (may be NULL); NULL when out of
 * range.  Exact for UTF-8 and for encodings of 1, 2 (UTF-16 without
 * surrogate pairs) or 4 bytes a character; for other multi-byte encodings
 * (Shift_JIS, GB18030...) it counts the decoded text's UTF-8 bytes.  An
 * XML error's offset is where libxml2 noticed it (after an undefined
 * entity's ';', say). */
const char *eddy_feed_diag(const struct eddy_feed *f, size_t i, size_t *offset);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
