/*
 * internal.h — what the files of feed/ share: the arena and value tree
 * (value.c), the parser state that feedparser's _FeedParserMixin keeps
 * (mixin.c), and the handler tables of the namespace modules (ns_*.c).
 *
 * How an element is dispatched (feedparser's unknown_starttag): the element
 * gets feedparser's canonical prefix for its namespace URI ("dc", "media",
 * "" for RSS/Atom...) and the handler name "<prefix>_<localname>" (or just
 * "<localname>"), all lower case.  eddy__find_handler() looks that name up in
 * every module's table.  A start handler runs when the element starts (with
 * its attributes, feedparser's attrs_d), an end handler when it ends.  No
 * start handler: the element is kept as feedparser keeps unknown elements
 * (its text under "<prefix>_<name>", or its attributes as an object).  No end
 * handler: eddy__pop(p, name) — feedparser's default.
 *
 * How to add a namespace module (say feedparser's namespaces/foo.py):
 *   1. its URI -> canonical prefix goes in the namespace table of mixin.c
 *      (feedparser's _FeedParserMixin.namespaces) if not already there;
 *   2. write src/feed/ns_foo.c: static start/end functions that port the
 *      _start_foo_x / _end_foo_x methods with the helpers below, and
 *      `const struct eddy__handler eddy__ns_foo[]` sorted by name
 *      with `const size_t eddy__ns_foo_n`;
 *   3. declare both below, add them to the modules[] table of mixin.c and
 *      to handler_tabs in tests/feed/test_parser.c.
 * The Makefile picks up the new file by itself.  Port the methods exactly,
 * quirks included: the conformance suite and a diff against Python
 * feedparser on real feeds are the judges.
 */
#ifndef EDDY_FEED_INTERNAL_H
#define EDDY_FEED_INTERNAL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/buf.h"
#include "eddy/feed.h"

#include "../base/text.h"

/* ---- arena (base/arena.c) -------------------------------------------------- */

#include "eddy/arena.h"

/* ---- values (value.c) ----------------------------------------------------- */

struct eddy__member {
    const char *key; /* NUL-terminated; static or in the arena */
    struct eddy_feed_value *v;
    struct eddy__member *next; /* insertion order */
    struct eddy__member *prev; /* so that deleting is O(1) once indexed */
};

/* An object's hash index (value.c), built once it has OBJ_INDEX_MIN
 * members: open addressing, linear probing, cap a power of two >= 2 n. */
struct eddy__obj_index {
    size_t cap;
    struct eddy__member *slot[];
};

struct eddy_feed_value {
    enum eddy_feed_type type;
    uint32_t nmembers; /* objects: member count (in the padding after type) */
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            const char *p;
            size_t len;
        } s; /* NUL-terminated */
        struct {
            struct eddy_feed_value **items;
            size_t n, cap;
        } a;
        struct {
            struct eddy__member *first, *last;
            struct eddy__obj_index *index;
        } o; /* index NULL: small */
    } u;
};

/* Constructors allocate in `a` and return NULL on ENOMEM; every function
 * taking a value accepts NULL and then fails with -ENOMEM, so callers may
 * chain them and check the arena once. */
struct eddy_feed_value *eddy__v_null(struct eddy_arena *a);
struct eddy_feed_value *eddy__v_bool(struct eddy_arena *a, bool b);
struct eddy_feed_value *eddy__v_int(struct eddy_arena *a, int64_t i);
struct eddy_feed_value *eddy__v_real(struct eddy_arena *a, double d);
struct eddy_feed_value *eddy__v_str(struct eddy_arena *a, const char *s, size_t len);
struct eddy_feed_value *eddy__v_cstr(struct eddy_arena *a, const char *s);
struct eddy_feed_value *eddy__v_obj(struct eddy_arena *a);
struct eddy_feed_value *eddy__v_arr(struct eddy_arena *a);
/* Literal (dict) operations, no feedparser key aliases.  copy_key: copy the
 * key into the arena (else it must outlive the tree, e.g. a literal). */
struct eddy__member *eddy__obj_find(const struct eddy_feed_value *o, const char *key);
struct eddy_feed_value *eddy__obj_get(const struct eddy_feed_value *o, const char *key);
int eddy__obj_set(struct eddy_arena *a, struct eddy_feed_value *o, const char *key, bool copy_key,
                  struct eddy_feed_value *v);
/* Appends key: v to o, which must not have key (a new object being filled
 * with distinct keys, a key just looked up): obj_set without its lookup. */
int eddy__obj_add(struct eddy_arena *a, struct eddy_feed_value *o, const char *key, bool copy_key,
                  struct eddy_feed_value *v);
bool eddy__obj_del(struct eddy_feed_value *o, const char *key);
void eddy__obj_clear(struct eddy_feed_value *o);
int eddy__arr_push(struct eddy_arena *a, struct eddy_feed_value *arr, struct eddy_feed_value *v);
struct eddy_feed_value *eddy__deepcopy(struct eddy_arena *a, const struct eddy_feed_value *v);
bool eddy__equal(const struct eddy_feed_value *x, const struct eddy_feed_value *y);
/* HTML 4's named character references (what feedparser's loose parser and
 * looks_like_html know): the UTF-8 of name[0..len) into utf8 and its length,
 * 0 when unknown. */
size_t eddy__entity4(const char *name, size_t len, char utf8[5]);
/* feedparser's looks_like_html on s[0..n): a closing tag or an entity, and
 * only acceptable elements and HTML 4 entity names (mixin.c). */
bool eddy__looks_like_html(const char *s, size_t n);
/* Python's str.lower() in place for ASCII, Latin-1, Latin Extended-A,
 * Greek and Cyrillic (same byte length there); other bytes are kept. */
void eddy__lower(char *s, size_t n);
/* dst = a + sep + b (sep 0: none), truncated to cap; a cheap snprintf for hot paths. */
void eddy__concat(char *dst, size_t cap, const char *a, char sep, const char *b);

#include "budget.h"

/* ---- parser state (mixin.c): feedparser's _FeedParserMixin ---------------- */

/* One entry of feedparser's elementstack: [element, expecting_text, pieces]. */
struct eddy__piece {
    uint32_t off; /* start of the piece in text */
    bool markup;  /* a tag written back (handle_data escape=0) */
};
struct eddy__frame {
    struct eddy_buf name; /* the element's key, e.g. "title", "dc_foo" */
    bool expecting_text;
    struct eddy_buf text;       /* the pieces, concatenated */
    struct eddy__piece *pieces; /* owned; for Atom's xhtml <div> unwrapping */
    size_t npieces, cappieces;
};

/* feedparser's contentparams (a dict cleared by pop_content). */
struct eddy__contentparams {
    bool has_type;
    struct eddy_buf type;
    bool has_lang;
    bool lang_null;
    struct eddy_buf lang;
    bool has_base;
    struct eddy_buf base;
    bool has_src;
    struct eddy_buf src;
    bool base64;  /* 'base64' key present and true */
    bool xhtml;   /* has_type and type is "application/xhtml+xml" (tested at every piece of text) */
    bool htmlish; /* has_type and the type maps to HTML or XHTML (tested at every pop) */
    bool xmlish;  /* has_type and the type ends with "xml" */
    bool type_xhtml, type_htmlish, type_xmlish; /* the three for type's text, kept past a clear */
};

/* basestack / langstack entries: slices of fp.pool (LIFO). */
struct eddy__scope {
    size_t base_off, base_len;
    size_t lang_off, lang_len;
    bool lang_null;
    size_t pool_len; /* pool length to restore at the end tag */
};

struct eddy__nsmap {
    char *prefix;
    const char *canonical;
}; /* namespacemap */
struct eddy__entity {
    char *name;
    char *value;
    char *raw;
}; /* safe DOCTYPE entities: value decoded, raw as declared */
struct eddy__diag {
    size_t offset;
    char *msg;
};

struct eddy__mixin {
    struct eddy_arena *arena;  /* arena for result values now: main, or entry in callback mode */
    struct eddy_arena main;    /* the result */
    struct eddy_arena entry;   /* the current entry in callback mode */
    struct eddy_arena scratch; /* attrs_d of the element being started */
    struct eddy_feed_value *feeddata, *entries, *namespaces, *sourcedata;
    char version[16]; /* "" until detected */

    int infeed, inentry, incontent, intextinput, inimage, inauthor, incontributor, inpublisher,
        insource;
    struct eddy__contentparams cp;
    const char *summary_key; /* _summaryKey: NULL, "summary" or "content" */
    bool guidislink;
    bool isentrylink; /* feedparser 6.0.11+: the link being read is rel=alternate html */
    int svgok, title_depth, depth, has_content;
    bool psc_chapters_flag;
    int ingeometry; /* georss: 0, point, linestring, polygon */

    struct eddy_buf baseuri; /* self.baseuri */
    struct eddy_buf lang;    /* self.lang ... */
    bool lang_null;          /* ... or None */
    struct eddy_buf pool;    /* strings of the scope stack */
    struct eddy__scope *scopes;
    size_t nscopes, capscopes;

    struct eddy__frame *frames;
    size_t nframes, capframes; /* elementstack */

    struct eddy__nsmap *nsmap;
    size_t nnsmap, capnsmap;
    bool namespaces_capped; /* declarations past EDDY__MAX_NAMESPACES were ignored */
    struct eddy__entity *entities;
    size_t nentities;

    /* property_depth_map of the current entry (keys are element names) */
    const struct eddy_feed_value *depth_map_entry;
    struct {
        char key[32];
        int depth;
    } depth_map[32];
    size_t ndepth_map;

    struct eddy_buf out;       /* pop()'s result, valid until the next pop */
    struct eddy_buf tmp, tmp2; /* scratch for helpers */

    bool resolve_relative_uris, sanitize_html;
    bool loose;       /* feedparser's loose parser conventions (loose.c drives) */
    regex_t email_re; /* _sync_author_detail's e-mail pattern, compiled on first use */
    bool email_re_ok;
    /* canonical prefixes of the last namespace URIs seen (libxml2 interns
     * URIs, so the pointer is the key) */
    struct {
        const void *uri;
        const char *canon;
        const char *ns;
    } nscache[8];
    unsigned nscache_next;
    /* the last type / language / base values of a detail, shared by the next
     * equal ones (values are immutable); valid only in the arena they were
     * made in, which entry callbacks reset */
    struct eddy_feed_value *strcache[3];
    const struct eddy_arena *strcache_arena[3];
    unsigned ns_gen; /* bumped whenever namespaces change: element name caches check it */
    bool oom;
    /* <skipHours>/<skipDays> (bit h UTC hour, bit d day, 0 = Sunday): kept
     * beside the tree, which holds only the last <hour> and <day> as
     * feedparser does (eddy_feed_skip) */
    uint32_t skip_hours;
    uint8_t skip_days;
    struct eddy__budget *budget; /* the parser's (NULL: no limit) */
    /* entry callback */
    eddy_feed_entry_fn on_entry;
    void *arg;
    int cb_err;
};

/* The mixin's lifetime: 0 or -ENOMEM; free takes what init and parsing
 * allocated (not the arenas' values handed out as a result). */
int eddy__mixin_init(struct eddy__mixin *p);
void eddy__mixin_free(struct eddy__mixin *p);

/* What a tokenizer calls (sax_driver.c for libxml2, loose.c): feedparser's
 * unknown_starttag / unknown_endtag (the handler key computed here),
 * handle_data (text; escaped inside xhtml content), raw text (taken as
 * it is: the loose parser's escaped CDATA), and the loose parser's
 * references. */
void eddy__start_tag(struct eddy__mixin *p, const char *tag, struct eddy_feed_value *attrs);
void eddy__end_tag(struct eddy__mixin *p, const char *tag);
void eddy__handle_data(struct eddy__mixin *p, const char *s, size_t n);
void eddy__handle_data_raw(struct eddy__mixin *p, const char *s, size_t n);
void eddy__handle_charref(struct eddy__mixin *p, const char *ref, size_t n);
void eddy__handle_entityref(struct eddy__mixin *p, const char *name, size_t n);
/* feedparser's _matchnamespaces: the canonical prefix of a lower-cased
 * namespace URI, NULL when unknown. */
const char *eddy__match_namespace(const char *lower_uri);

/* A start or end handler for one element name. */
struct eddy__handler {
    const char *name; /* "title", "dc_creator", ... (lower case) */
    void (*start)(struct eddy__mixin *p, struct eddy_feed_value *attrs);
    void (*end)(struct eddy__mixin *p);
};
const struct eddy__handler *eddy__find_handler(const char *name);
/* What a start or end tag dispatches on (unknown_starttag's "match
 * namespaces"): the handler key ("dc_creator"), whether the tag's prefix
 * maps to a non-empty one, and the key's handler (NULL: none).  It depends
 * on the tag and namespacemap only, so sax_driver.c caches it per element name
 * (until p->ns_gen changes). */
struct eddy__tagkey {
    const char *name;
    bool has_prefix;
    const struct eddy__handler *h;
};
void eddy__tag_key(struct eddy__mixin *p, const char *tag, char *name, size_t cap,
                   struct eddy__tagkey *k);
/* unknown_starttag / unknown_endtag with the key computed (eddy__start_tag
 * and eddy__end_tag compute it) */
void eddy__start_tag_k(struct eddy__mixin *p, const char *tag, const struct eddy__tagkey *k,
                       struct eddy_feed_value *attrs);
void eddy__end_tag_k(struct eddy__mixin *p, const char *tag, const struct eddy__tagkey *k);

/* feedparser's mixin, for the handlers of ns_*.c */
void eddy__push(struct eddy__mixin *p, const char *element, bool expecting_text);
/* pop(): NULL when the top element is not `element` (feedparser returns
 * None); else the output, valid until the next pop. */
const char *eddy__pop(struct eddy__mixin *p, const char *element, bool strip);
/* Pops `element` and calls each(p, piece) for every piece of its text split
 * at `sep` (pieces writable, NUL-terminated, unstripped): the shape of the
 * handlers that split a value (tags, keywords, dcterms:valid). */
void eddy__pop_split(struct eddy__mixin *p, const char *element, char sep,
                     void (*each)(struct eddy__mixin *p, char *piece));
/* Strips the bytes of `lead` from the start of s and of `trail` from its
 * end, in place; returns the new start. */
char *eddy__strip(char *s, const char *lead, const char *trail);
/* What Python's str.strip() removes, in ASCII. */
#define EDDY__PY_SPACE " \t\n\r\v\f\x1c\x1d\x1e\x1f"
void eddy__push_content(struct eddy__mixin *p, const char *tag, struct eddy_feed_value *attrs,
                        const char *default_type, bool expecting_text);
const char *eddy__pop_content(struct eddy__mixin *p, const char *tag);
struct eddy_feed_value *eddy__ctx(struct eddy__mixin *p); /* _get_context */
void eddy__save(struct eddy__mixin *p, const char *key, struct eddy_feed_value *v, bool overwrite);
void eddy__save_author(struct eddy__mixin *p, const char *key, const char *value,
                       const char *prefix);
void eddy__save_contributor(struct eddy__mixin *p, const char *key, const char *value);
void eddy__sync_author_detail(struct eddy__mixin *p, const char *key);
void eddy__add_tag(struct eddy__mixin *p, const char *term, const char *scheme, const char *label);
void eddy__enforce_href(struct eddy__mixin *p, struct eddy_feed_value *attrs);
const char *eddy__resolve_uri(struct eddy__mixin *p, const char *uri);       /* in p->tmp */
const char *eddy__map_content_type(struct eddy__mixin *p, const char *type); /* in p->tmp2 */
/* A string value in the current result arena (NULL s: null). */
struct eddy_feed_value *eddy__str_value(struct eddy__mixin *p, const char *s);
/* [y, mon, mday, h, min, s, wday, yday, 0] or null. */
struct eddy_feed_value *eddy__date_value(struct eddy__mixin *p, const char *s);

/* FeedParserDict semantics: key aliases on set/get, setdefault. */
void eddy__fp_set(struct eddy__mixin *p, struct eddy_feed_value *o, const char *key,
                  struct eddy_feed_value *v);
struct eddy_feed_value *eddy__fp_get(const struct eddy_feed_value *o, const char *key);
struct eddy_feed_value *eddy__fp_setdefault(struct eddy__mixin *p, struct eddy_feed_value *o,
                                            const char *key, struct eddy_feed_value *dflt);
/* attrs_d.get(key) as a C string, NULL when absent or not a string. */
const char *eddy__attr(const struct eddy_feed_value *attrs, const char *key);
/* _get_attribute: the key's prefix mapped through namespacemap. */
const char *eddy__get_attribute(struct eddy__mixin *p, const struct eddy_feed_value *attrs,
                                const char *name);
/* Sets attrs[key] = value (a copy) in the scratch arena. */
void eddy__attr_set(struct eddy__mixin *p, struct eddy_feed_value *attrs, const char *key,
                    const char *value);

/* An entry starts / ends (sax_driver.c): in callback mode the entry lives in its
 * own arena and is handed to the callback at its end. */
void eddy__entry_begin(struct eddy__mixin *p);
void eddy__entry_end(struct eddy__mixin *p);

/* feedparser's track_namespace: version detection, namespacemap and
 * namespaces_in_use (prefix NULL: the default namespace).  Past
 * EDDY__MAX_NAMESPACES distinct ones (far above real feeds), declarations
 * are ignored and p->namespaces_capped is set: element names look their
 * prefix up by URI, a scan that must stay short. */
#define EDDY__MAX_NAMESPACES 512
void eddy__track_namespace(struct eddy__mixin *p, const char *prefix, const char *uri);

/* The loose parser (loose.c): tokenizes data[0..len) as feedparser's
 * sgmllib-based parser does and drives the mixin; p->loose must be set.
 * Stops at p->budget's limit (b->at: where, in data). */
void eddy__loose_parse(struct eddy__mixin *p, const char *data, size_t len);

/* Handlers implemented in ns_base.c and called from other modules. */
void eddy__start_author(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_author(struct eddy__mixin *p);
void eddy__start_category(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_category(struct eddy__mixin *p);
void eddy__start_title(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_title(struct eddy__mixin *p);
void eddy__start_description(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_description(struct eddy__mixin *p);
void eddy__start_summary(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_summary(struct eddy__mixin *p);
void eddy__start_subtitle(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_subtitle(struct eddy__mixin *p);
void eddy__start_name(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_name(struct eddy__mixin *p);
void eddy__start_email(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_email(struct eddy__mixin *p);
void eddy__start_updated(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_updated(struct eddy__mixin *p);
void eddy__start_published(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_published(struct eddy__mixin *p);
void eddy__start_created(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_created(struct eddy__mixin *p);
void eddy__start_language(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_language(struct eddy__mixin *p);
void eddy__start_webmaster(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_webmaster(struct eddy__mixin *p);
void eddy__start_rights(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_rights(struct eddy__mixin *p);
void eddy__start_content(struct eddy__mixin *p, struct eddy_feed_value *attrs);
void eddy__end_content(struct eddy__mixin *p);

/* Bytes the parser holds now (arenas, buffers, element stack): lets tests
 * check that callback mode stays bounded on huge feeds. */
size_t eddy__feed_parser_memory(const struct eddy_feed_parser *p);

/* The modules: name-sorted handler tables. */
extern const struct eddy__handler eddy__ns_base[];
extern const size_t eddy__ns_base_n;
extern const struct eddy__handler eddy__ns_dc[];
extern const size_t eddy__ns_dc_n;
extern const struct eddy__handler eddy__ns_itunes[];
extern const size_t eddy__ns_itunes_n;
extern const struct eddy__handler eddy__ns_media[];
extern const size_t eddy__ns_media_n;
extern const struct eddy__handler eddy__ns_georss[];
extern const size_t eddy__ns_georss_n;
extern const struct eddy__handler eddy__ns_psc[];
extern const size_t eddy__ns_psc_n;
extern const struct eddy__handler eddy__ns_cc[];
extern const size_t eddy__ns_cc_n;
/* feedparser ships namespaces/admin.py but never mixes it in (6.0.10 to
 * 6.0.14): admin:* elements are unknown elements there, so here too. */

#endif
