/*
 * sax_driver.c — the public feed parser (include/eddy/feed.h): bytes in, libxml2's
 * SAX2 push parser in the middle, feedparser's mixin (mixin.c) on its
 * events, and the result tree out.
 *
 * The path of a document, as feedparser's api.parse() does it:
 *   1. encoding: the whole document is converted to UTF-8 by
 *      eddy__encoding_to_utf8 (feedparser's convert_to_utf8; encoding.c);
 *   2. the DOCTYPE is taken out (feedparser's replace_doctype): a Netscape
 *      DOCTYPE means rss091n, and only "safe" entity declarations (plain text
 *      or one character reference) are kept, in a table — so no entity
 *      expansion ever happens inside libxml2 and entity bombs cannot exist;
 *   3. libxml2 parses with XML_PARSE_RECOVER | XML_PARSE_NONET, no DTD
 *      loading, no entity substitution.  An entity reference that XML does
 *      not define reaches our getEntity callback: a safe DOCTYPE entity gives
 *      its text; any other name is an error (bozo, as expat reports it to
 *      feedparser) repaired as feedparser's loose parser does (an HTML entity
 *      gives its character, anything else stays as "&name;").  In buffered
 *      mode a well-formed document is read by xfast.c's tokenizer instead,
 *      which gives up (and libxml2 parses) at anything else;
 *   4. like feedparser, which parses with expat and on the first error
 *      parses again with its loose SGML parser, an XML error (bozo) makes
 *      the buffered document go again through loose.c, a port of that
 *      parser; the results are then the loose parser's, bozo and the
 *      exception stay those of the XML pass.
 *
 * With an entry callback the bytes are not buffered: once the prolog (up to
 * the first element) has been seen, they are decoded from the declared
 * encoding (BOM / XML declaration) by encoding.c's eddy__decoder, chunk by
 * chunk, and stream into libxml2 as UTF-8.  Memory then
 * depends on the largest entry, not on the feed's length; there is no loose
 * second pass (see include/eddy/feed.h).
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/entities.h>
#include <libxml/xmlerror.h>

#include "../base/text.h"
#include "encoding.h"
#include "html.h"
#include "json.h"
#include "uri.h"
#include "xfast.h"

#define MAX_DEPTH         1024 /* deeper documents stop with bozo (libxml2's pull parser stops at 256) */
#define MAX_DIAGS         1000       /* records kept; the count goes on */
#define MAX_ATTRS         1000       /* attributes of one start tag (cap_attributes) */
#define MAX_HEAD          (1u << 20) /* prolog buffered before the first element */
#define DEFAULT_MAX_BYTES (512u << 20)
/* The default CPU budget: 2 s + 250 ns a byte (1 s per 4 MB).  A document
 * parses at ~55 MB/s here (~18 ns a byte; ill-formed ones, parsed twice,
 * ~60), an ASan build ~8x slower: the budget is 14x the normal cost of a
 * big feed and catches what is 4x slower than an ill-formed one. */
#define DEFAULT_MAX_CPU_NS      2000000000
#define DEFAULT_CPU_NS_PER_BYTE 250

struct header {
    char *name;
    char *value;
};

struct mem_reader {
    const char *p;
    size_t left;
}; /* parse_xml's input */

struct eddy_feed_parser {
    struct eddy__mixin mixin; /* the mixin state; mixin.main becomes the result */
    char *url;                /* opts.url copy, or NULL */
    struct header *headers;   /* lower-cased names, repeated ones joined */
    size_t nheaders;
    bool streaming; /* on_entry given: no buffering */
    size_t max_bytes;
    struct eddy_buf doc; /* the document (buffered mode) or the prolog (streaming) */
    bool head_done;      /* the prolog went through replace_doctype */
    xmlParserCtxtPtr ctxt;
    struct mem_reader mem; /* the document libxml2 reads (buffered mode) */
    xmlSAXHandler sax;
    char version_hint[16]; /* "rss091n" from the DOCTYPE */
    char encoding[48];
    bool bozo;
    char *bozo_exception; /* malloc'ed "Class: message" */
    bool xml_bozo;        /* an XML error was seen (it overrides the encoding message) */
    size_t bozo_at;       /* where the error bozo_exception names is */
    bool strict;          /* feedparser would use its strict parser (encoding known) */
    struct eddy__diag *diags;
    size_t ndiags, capdiags;
    xmlEntityPtr *ents; /* entities handed to libxml2 by getEntity */
    size_t nents, capents;
    size_t offset_base; /* bytes removed by the prolog rewrite, for offsets */
    char tag[512];      /* scratch for element names */
    int xml_depth;      /* open elements, for MAX_DEPTH */
    struct tcache {     /* element names by interned (localname, URI) */
        const xmlChar *local, *uri;
        unsigned gen; /* mixin.ns_gen when computed */
        size_t len;
        char tag[48];
        char key[48]; /* its eddy__tagkey */
        bool has_prefix;
        const struct eddy__handler *h;
    } tcache[64];
    struct acache { /* attribute keys by interned (local, URI or prefix) */
        const xmlChar *local, *other;
        unsigned char pass, len;
        char key[46];
    } acache[32];
    int rstate;            /* the '&' repair scanner: R_TEXT... */
    char rquote;           /* quote of the attribute value being scanned */
    size_t rpos;           /* body bytes scanned so far (diagnostic offsets) */
    struct eddy_buf carry; /* body bytes waiting for a decision */
    struct eddy_buf rbuf;  /* repaired body bytes for libxml2 */
    bool finished;
    bool is_json;               /* the document was read as JSON Feed */
    bool quiet;                 /* the loose pass: no diagnostics (the XML pass made them) */
    size_t rattrs;              /* attribute values in the tag being scanned (MAX_ATTRS) */
    bool cut;                   /* callback mode: the document was ended early (MAX_ATTRS) */
    bool namespaces_cap_told;   /* the diagnostic of EDDY__MAX_NAMESPACES was given */
    struct eddy__budget budget; /* CPU time of this document (opts.max_cpu_ns) */
    bool budget_told;           /* the parse was stopped at the budget and said so */
    struct eddy__decoder *dec;  /* callback mode, not UTF-8: the body's decoder */
    struct eddy_buf dtext;      /* its UTF-8 of the latest push */
    size_t dpos;                /* UTF-8 bytes it gave before that */
    struct eddy__xfast xf;      /* buffered mode: the tokenizer tried first (xfast.c) */
    bool xf_on;                 /* it is running */
    bool xf_failed;             /* something was reported while it ran: libxml2 parses */
};

struct eddy_feed {
    struct eddy_arena arena; /* every value of the result */
    struct eddy_feed_value *root;
    struct eddy__diag *diags; /* messages in the arena */
    size_t ndiags;
    uint32_t skip_hours; /* eddy_feed_skip */
    uint8_t skip_days;
};

/* ---- diagnostics and bozo ---------------------------------------------------- */

/* n, or less so that s[0..n) does not end inside a UTF-8 sequence: a
 * message cut to fit its buffer must stay valid UTF-8. */
static size_t utf8_fit(const char *s, size_t n)
{
    size_t lead = n;
    while (lead && n - lead < 4 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (!lead || ((unsigned char)s[lead - 1] & 0xC0) != 0xC0)
        return n; /* ASCII last, or no lead byte in reach: nothing cut */
    size_t have = n - lead + 1;
    unsigned c = (unsigned char)s[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    return have < need ? lead - 1 : n;
}

static void diag(struct eddy_feed_parser *parser, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void diag(struct eddy_feed_parser *parser, size_t offset, const char *fmt, ...)
{
    if (parser->xf_on && !parser->budget.over) {
        /* only libxml2 words and places messages as before: it parses */
        parser->xf_failed = true;
        eddy__xfast_stop(&parser->xf);
        return;
    }
    if (parser->ndiags >= MAX_DIAGS || parser->quiet)
        return;
    if (parser->ndiags == parser->capdiags) {
        size_t cap = parser->capdiags ? parser->capdiags * 2 : 8;
        struct eddy__diag *d = realloc(parser->diags, cap * sizeof *d);
        if (!d)
            return;
        parser->diags = d;
        parser->capdiags = cap;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (len >= (int)sizeof msg)
        msg[utf8_fit(msg, sizeof msg - 1)] = 0;
    char *m = strdup(msg);
    if (!m)
        return;
    parser->diags[parser->ndiags++] = (struct eddy__diag){offset, m};
}

static size_t cur_offset(struct eddy_feed_parser *parser)
{
    if (parser->xf_on)
        return parser->xf.at + parser->offset_base;
    if (!parser->ctxt)
        return 0;
    xmlParserInputPtr in = parser->ctxt->input;
    if (!in || !in->cur || !in->base)
        return parser->offset_base;
    return (size_t)in->consumed + (size_t)(in->cur - in->base) + parser->offset_base;
}

static void set_bozo(struct eddy_feed_parser *parser, const char *exc)
{
    parser->bozo = true;
    free(parser->bozo_exception);
    parser->bozo_exception = strdup(exc);
}

/* An XML error at byte `at`: bozo_exception names the first in document
 * order, as expat reports it, whatever order the repairs (which run ahead
 * of libxml2 by up to a chunk) and libxml2 found them in. */
static void first_xml_error(struct eddy_feed_parser *parser, size_t at, const char *exc)
{
    if (parser->xml_bozo && at >= parser->bozo_at)
        return;
    parser->xml_bozo = true;
    parser->bozo_at = at;
    set_bozo(parser, exc);
}

static void xml_error(struct eddy_feed_parser *parser, int line, int col, const char *msg)
{
    char buf[512];
    /* libxml2 quotes the document cut at a byte count: a character it cut in
     * two would make bozo_exception and the diagnostic invalid UTF-8. */
    char whole[512];
    snprintf(whole, sizeof whole, "%s", msg);
    for (size_t i = 0, len = strlen(whole), k, bad; i < len; i += k ? k : bad)
        if (!(k = eddy__utf8_seq((const unsigned char *)whole + i, len - i, &bad)))
            memset(whole + i, '?', bad);
    msg = whole;
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    if (snprintf(buf, sizeof buf, "SAXParseException: <unknown>:%d:%d: %.*s", line, col, (int)n,
                 msg) >= (int)sizeof buf)
        buf[utf8_fit(buf, sizeof buf - 1)] = 0;
    size_t at = cur_offset(parser);
    diag(parser, at, "%s", buf + 19);
    if (parser->strict)
        first_xml_error(parser, at, buf);
}

/* ---- the CPU budget ---------------------------------------------------------- */

int64_t eddy__thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool eddy__budget_spent(struct eddy__budget *b)
{
    if (b->t0 >= 0 &&
        b->spent + (eddy__thread_cpu_ns() - b->t0) > b->limit + (int64_t)b->bytes * b->per_byte_ns)
        b->over = true;
    return b->over;
}

/* Around each push and finish that parses: the budget sums their CPU time. */
static void budget_begin(struct eddy_feed_parser *parser)
{
    parser->budget.t0 = eddy__thread_cpu_ns();
}

static void budget_end(struct eddy_feed_parser *parser)
{
    parser->budget.spent += eddy__thread_cpu_ns() - parser->budget.t0;
    parser->budget.t0 = -1;
}

/* The tokenizer stopped at the budget, at byte `at` of the text it read:
 * bozo with a TimeoutError (as Python names it) and a diagnostic, once.
 * In callback mode the rest of the document is ignored (cut). */
static void budget_exceeded(struct eddy_feed_parser *parser, size_t at)
{
    parser->cut = true;
    if (parser->budget_told)
        return;
    parser->budget_told = true;
    int64_t ns = parser->budget.limit + (int64_t)parser->budget.bytes * parser->budget.per_byte_ns;
    char lim[32];
    if (ns % 1000000000 == 0)
        snprintf(lim, sizeof lim, "%lld s", (long long)(ns / 1000000000));
    else if (ns > 1000000000)
        snprintf(lim, sizeof lim, "%.3f s", (double)ns / 1e9);
    else if (ns % 1000000 == 0)
        snprintf(lim, sizeof lim, "%lld ms", (long long)(ns / 1000000));
    else
        snprintf(lim, sizeof lim, "%lld us", (long long)(ns / 1000));
    char msg[128];
    snprintf(msg, sizeof msg, "the parse exceeded its CPU budget of %s at byte %zu", lim, at);
    bool quiet = parser->quiet;
    parser->quiet = false;
    diag(parser, at, "%s: the document ends there", msg);
    parser->quiet = quiet;
    char exc[160];
    snprintf(exc, sizeof exc, "TimeoutError: %s", msg);
    parser->xml_bozo = true;
    parser->bozo_at = 0; /* the parse ends: no other error replaces this one */
    set_bozo(parser, exc);
}

/* For libxml2's callbacks: true (and the parser stopped) past the budget. */
static bool xml_over_budget(struct eddy_feed_parser *parser)
{
    if (!eddy__over_budget(&parser->budget))
        return false;
    if (!parser->budget_told)
        budget_exceeded(parser, cur_offset(parser));
    if (parser->xf_on)
        eddy__xfast_stop(&parser->xf);
    else
        xmlStopParser(parser->ctxt);
    return true;
}

/* libxml2 2.9 checks each attribute of a start tag against all the ones
 * before it: 200,000 attributes on one element took minutes.  So the
 * document ends before a start tag with more than MAX_ATTRS attributes
 * (namespace declarations included), far above real feeds, with bozo and a
 * diagnostic. */
static void too_many_attributes(struct eddy_feed_parser *parser, size_t offset)
{
    diag(parser, offset, "more than %d attributes on one element: the document ends before it",
         MAX_ATTRS);
    first_xml_error(parser, offset,
                    "SAXParseException: <unknown>: too many attributes on one element");
}

/* Attribute values ('=' outside quotes) of the tag at s[0..n), counted up to MAX_ATTRS + 1. */
static size_t count_attributes(const char *s, size_t n)
{
    size_t count = 0;
    char quote = 0;
    for (size_t i = 0; i < n && count <= MAX_ATTRS; i++) {
        if (quote)
            quote = s[i] == quote ? 0 : quote;
        else if (s[i] == '"' || s[i] == '\'')
            quote = s[i];
        else if (s[i] == '=')
            count++;
    }
    return count;
}

/* The length of s[0..n) to parse: all of it, or up to a start tag with too
 * many attributes.  Only tags longer than 3 bytes per allowed attribute are
 * counted: found as windows of that length without a '>' (one memrchr
 * skips a window's many tags at once; the scan costs about 0.5%). */
static size_t cap_attributes(struct eddy_feed_parser *parser, const char *s, size_t n)
{
    const size_t longest = 3 * MAX_ATTRS;
    const char *end = s + n, *from = s;
    while ((size_t)(end - from) > longest) {
        const char *gt = memrchr(from, '>', longest + 1);
        if (gt) {
            from = gt + 1; /* no gap longer than `longest` before gt */
            continue;
        }
        gt = memchr(from, '>', (size_t)(end - from));
        const char *stop = gt ? gt : end;
        const char *lt = memrchr(from, '<', (size_t)(stop - from));
        if (lt && count_attributes(lt, (size_t)(stop - lt)) > MAX_ATTRS) {
            too_many_attributes(parser, (size_t)(lt - s));
            return (size_t)(lt - s);
        }
        if (!gt)
            return n;
        from = gt + 1;
    }
    return n;
}

/* ---- libxml2 SAX2 callbacks ---------------------------------------------------- */

static void on_serror(void *ud, xmlErrorPtr e)
{
    struct eddy_feed_parser *parser = ud;
    if (!e || e->level < XML_ERR_ERROR)
        return; /* warnings: expat does not report these either */
    if (xml_over_budget(parser))
        return; /* recovery can make an error per byte without an element */
    if (e->code == XML_WAR_NS_URI || e->code == XML_WAR_NS_URI_RELATIVE)
        return; /* expat does not check that namespace names are URIs */
    xml_error(parser, e->line, e->int2, e->message ? e->message : "error");
}

static void lower_into(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < cap; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = 0;
}

/* _matchnamespaces.get(lower(uri)) for a libxml2-interned URI, with the
 * userland rewrite; *ns_out gets the namespace as feedparser then sees it. */
static const char *canon_ns(struct eddy__mixin *p, const xmlChar *URI, const char **ns_out)
{
    if (!URI) { /* no namespace (RSS 2.0's elements): "" is feedparser's '' prefix */
        *ns_out = NULL;
        return "";
    }
    for (unsigned i = 0; i < 8; i++)
        if (p->nscache[i].uri == URI && URI) {
            *ns_out = p->nscache[i].ns;
            return p->nscache[i].canon;
        }
    char lowerns[512];
    const char *ns = (const char *)URI;
    lower_into(lowerns, sizeof lowerns, ns);
    if (strstr(lowerns, "backend.userland.com/rss")) {
        ns = "http://backend.userland.com/rss";
        strcpy(lowerns, ns);
    }
    const char *canon = eddy__match_namespace(lowerns);
    if (URI) {
        unsigned i = p->nscache_next++ % 8;
        p->nscache[i].uri = URI;
        p->nscache[i].canon = canon;
        p->nscache[i].ns = ns;
    }
    *ns_out = ns;
    return canon;
}

static void element_name_slow(struct eddy_feed_parser *parser, const xmlChar *localname,
                              const xmlChar *URI);

/* The slot hash of tcache and acache: two interned pointers. */
static unsigned pair_hash(const void *a, const void *b)
{
    uintptr_t h = (uintptr_t)a * 31 + (uintptr_t)b;
    return (unsigned)((h >> 4) ^ (h >> 12));
}

/* The element's name as feedparser's startElementNS/endElementNS make it:
 * "canonical:local", "docprefix:local" for unknown namespaces, lower case,
 * into parser->tag; and its handler key and handler (eddy__tag_key) into *k,
 * with the key's text in key[0..256). */
static void element_name(struct eddy_feed_parser *parser, const xmlChar *localname,
                         const xmlChar *URI, struct eddy__tagkey *k, char *key)
{
    struct eddy__mixin *p = &parser->mixin;
    /* libxml2 interns names and URIs: (localname, URI) pointers are a key,
     * valid while no namespace declaration changes the mapping.  The
     * handler key is cached with the name: computing it for every start
     * and end tag (namespacemap scan, handler hash) was 2% of parsing. */
    struct tcache *tc = &parser->tcache[pair_hash(localname, URI) & 63];
    if (tc->local == localname && tc->uri == URI && tc->gen == p->ns_gen) {
        memcpy(parser->tag, tc->tag, tc->len + 1);
        memcpy(key, tc->key, sizeof tc->key);
        *k = (struct eddy__tagkey){key, tc->has_prefix, tc->h};
        return;
    }
    element_name_slow(parser, localname, URI);
    eddy__tag_key(p, parser->tag, key, 256, k);
    size_t len = strlen(parser->tag);
    if (len < sizeof tc->tag && strlen(key) < sizeof tc->key) {
        tc->local = localname;
        tc->uri = URI;
        tc->gen = p->ns_gen;
        tc->len = len;
        memcpy(tc->tag, parser->tag, len + 1);
        memcpy(tc->key, key, strlen(key) + 1);
        tc->has_prefix = k->has_prefix;
        tc->h = k->h;
    }
}

static void element_name_slow(struct eddy_feed_parser *parser, const xmlChar *localname,
                              const xmlChar *URI)
{
    struct eddy__mixin *p = &parser->mixin;
    const char *ns;
    const char *canon = canon_ns(p, URI, &ns);
    const char *local = (const char *)localname;
    if (canon && *canon) {
        eddy__concat(parser->tag, sizeof parser->tag, canon, ':', local);
    } else {
        eddy__concat(parser->tag, sizeof parser->tag, local, 0, NULL);
        if (ns && *ns && !canon) {
            for (const struct eddy__member *m = p->namespaces->u.o.first; m; m = m->next)
                if (m->key[0] && !strcmp(eddy_feed_str(m->v, NULL), ns)) {
                    snprintf(parser->tag, sizeof parser->tag, "%s:%s", m->key, local);
                    break;
                }
        }
    }
    eddy__lower(parser->tag, strlen(parser->tag)); /* str.lower() */
}

/* In callback mode an entry's values live in the entry arena, reset when
 * the next entry starts.  But inside an entry, <image> and <textinput> write
 * to the feed's image and textinput (feedparser's _get_context): the values
 * of those events must go to the result arena, or the feed would keep
 * pointers into a reset arena.  Decided per event, because handlers allocate
 * before and after eddy__ctx() in no fixed order. */
static void pick_arena(struct eddy__mixin *p)
{
    if (p->on_entry && eddy_feed_len(p->entries) == 1) /* inside an entry */
        p->arena = p->inimage || p->intextinput ? &p->main : &p->entry;
}

/* startPrefixMapping for each declaration of an element, in order. */
static void start_prefix_mappings(struct eddy_feed_parser *parser, struct eddy_feed_value *attrs,
                                  int nb_namespaces, const xmlChar **namespaces)
{
    struct eddy__mixin *p = &parser->mixin;
    for (int i = 0; i < nb_namespaces; i++) {
        const char *pfx = (const char *)namespaces[2 * i],
                   *uri = (const char *)namespaces[2 * i + 1];
        if (!uri || !*uri)
            continue;
        eddy__track_namespace(p, pfx && *pfx ? pfx : NULL, uri);
        if (p->namespaces_capped && !parser->namespaces_cap_told) {
            parser->namespaces_cap_told = true;
            diag(parser, cur_offset(parser), "more than %d namespaces: later declarations ignored",
                 EDDY__MAX_NAMESPACES);
        }
        if (pfx && *pfx && !strcmp(uri, "http://www.w3.org/1999/xlink")) {
            char k[256];
            snprintf(k, sizeof k, "xmlns:%s", pfx);
            eddy__attr_set(p, attrs, k, uri);
        }
    }
}

/* The element's attributes into attrs as expat gives them to feedparser:
 * namespaced keys first, then plain local names (expat's qnames). */
static void collect_attributes(struct eddy_feed_parser *parser, struct eddy_feed_value *attrs,
                               int nb_attributes, const xmlChar **attributes)
{
    struct eddy__mixin *p = &parser->mixin;
    char key[512];
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nb_attributes; i++) {
            const xmlChar **a = attributes + 5 * i;
            const char *alocal = (const char *)a[0], *auri = (const char *)a[2];
            /* the key depends on interned names only (canon_ns on the
             * URI alone): cached like tcache */
            const xmlChar *other = pass ? a[1] : a[2];
            struct acache *ac = &parser->acache[(pair_hash(a[0], other) + (unsigned)pass) & 31];
            if (ac->local == a[0] && ac->other == other && ac->pass == pass) {
                memcpy(key, ac->key, ac->len + 1u);
            } else {
                if (pass == 0) {
                    const char *ans;
                    const char *ap = auri ? canon_ns(p, a[2], &ans) : NULL;
                    if (ap && *ap)
                        eddy__concat(key, sizeof key, ap, ':', alocal);
                    else
                        eddy__concat(key, sizeof key, alocal, 0, NULL);
                } else {
                    /* expat with namespace_prefixes: the qname as written */
                    const char *apfx = (const char *)a[1];
                    eddy__concat(key, sizeof key, apfx ? apfx : alocal, apfx ? ':' : 0,
                                 apfx ? alocal : NULL);
                }
                size_t kl = strlen(key);
                eddy__lower(key, kl);
                if (kl < sizeof ac->key) {
                    *ac = (struct acache){a[0], other, (unsigned char)pass, (unsigned char)kl, {0}};
                    memcpy(ac->key, key, kl + 1);
                }
            }
            const char *val = (const char *)a[3];
            size_t vlen = (size_t)(a[4] - a[3]);
            struct eddy_buf fixed = EDDY_BUF_INIT(0);
            if (parser->nents && !eddy__utf8_valid(a[3], vlen)) {
                /* libxml2 copies only the first byte of an entity it takes
                 * for predefined (as ours are) into an attribute value:
                 * "&nbsp;" where the repair scanner saw no attribute (it
                 * read a comment there) became a lone 0xC2.  The tree
                 * holds UTF-8 only: such a byte reads as U+FFFD.  (Without
                 * such an entity the text libxml2 read was UTF-8.) */
                if (eddy__utf8_append(&fixed, val, vlen))
                    p->oom = true;
                val = eddy_buf_cstr(&fixed);
                vlen = fixed.len;
            }
            struct eddy_feed_value *v;
            if ((key[0] == 'r' && !strcmp(key, "rel")) || (key[0] == 't' && !strcmp(key, "type"))) {
                char *low = eddy_arena_strndup(&p->scratch, val, vlen);
                if (low)
                    eddy__lower(low, vlen);
                v = low ? eddy__v_cstr(&p->scratch, low) : NULL;
            } else if (memchr(val, '&', vlen) && memmem(val, vlen, "&#38;", 5)) {
                /* without entity substitution libxml2 keeps '&' as "&#38;" in
                 * attribute values; the value feedparser sees has '&' */
                char *d = eddy_arena_strndup(&p->scratch, val, vlen);
                size_t w = 0;
                for (size_t r = 0; d && r < vlen; w++) {
                    if (!memcmp(d + r, "&#38;", 5 <= vlen - r ? 5 : vlen - r) && vlen - r >= 5)
                        d[w] = '&', r += 5;
                    else
                        d[w] = d[r++];
                }
                v = d ? eddy__v_str(&p->scratch, d, w) : NULL;
            } else {
                v = eddy__v_str(&p->scratch, val, vlen);
            }
            eddy_buf_free(&fixed);
            if (eddy__obj_set(&p->scratch, attrs, key, true, v))
                p->oom = true;
        }
    }
}

static void on_start(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    (void)prefix;
    (void)nb_defaulted;
    struct eddy_feed_parser *parser = ud;
    struct eddy__mixin *p = &parser->mixin;
    if (xml_over_budget(parser))
        return;
    if (++parser->xml_depth > MAX_DEPTH) {
        int line = parser->ctxt && parser->ctxt->input ? parser->ctxt->input->line : 0;
        xml_error(parser, line, 0, "elements nested too deeply; parsing stopped");
        xmlStopParser(parser->ctxt);
        return;
    }
    eddy_arena_reset(&p->scratch);
    struct eddy_feed_value *attrs = eddy__v_obj(&p->scratch);
    if (!attrs) {
        p->oom = true;
        return;
    }
    start_prefix_mappings(parser, attrs, nb_namespaces, namespaces);
    {
        const char *ns;
        canon_ns(p, URI, &ns);
        const char *local = (const char *)localname;
        if (ns && local[0] == 'm' && !strcmp(local, "math") &&
            !strcmp(ns, "http://www.w3.org/1998/Math/MathML"))
            eddy__attr_set(p, attrs, "xmlns", ns);
        if (ns && local[0] == 's' && !strcmp(local, "svg") &&
            !strcmp(ns, "http://www.w3.org/2000/svg"))
            eddy__attr_set(p, attrs, "xmlns", ns);
    }
    struct eddy__tagkey tk;
    char tkey[256];
    element_name(parser, localname, URI, &tk, tkey);
    collect_attributes(parser, attrs, nb_attributes, attributes);
    pick_arena(p);
    eddy__start_tag_k(p, parser->tag, &tk, attrs);
}

static void on_end(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI)
{
    (void)prefix;
    struct eddy_feed_parser *parser = ud;
    struct eddy__mixin *p = &parser->mixin;
    if (parser->xml_depth-- > MAX_DEPTH || xml_over_budget(parser))
        return;
    pick_arena(p);
    struct eddy__tagkey tk;
    char tkey[256];
    element_name(parser, localname, URI, &tk, tkey);
    eddy__end_tag_k(p, parser->tag, &tk);
}

static void on_chars(void *ud, const xmlChar *ch, int len)
{
    struct eddy_feed_parser *parser = ud;
    if (xml_over_budget(parser))
        return;
    eddy__handle_data(&parser->mixin, (const char *)ch, (size_t)len);
}

/* An xmlEntity of the predefined kind: libxml2 then passes its content to
 * characters() (or into the attribute value) without any expansion. */
static xmlEntityPtr make_entity(struct eddy_feed_parser *parser, const char *name,
                                const char *value)
{
    for (size_t i = 0; i < parser->nents; i++)
        if (!strcmp((const char *)parser->ents[i]->name, name))
            return parser->ents[i];
    if (parser->nents == parser->capents) {
        size_t cap = parser->capents ? parser->capents * 2 : 16;
        xmlEntityPtr *e = realloc(parser->ents, cap * sizeof *e);
        if (!e)
            return NULL;
        parser->ents = e;
        parser->capents = cap;
    }
    xmlEntityPtr e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->type = XML_ENTITY_DECL;
    e->name = (const xmlChar *)strdup(name);
    e->content = (xmlChar *)strdup(value);
    e->orig = (xmlChar *)strdup(value);
    if (!e->name || !e->content || !e->orig) {
        free((void *)e->name);
        free(e->content);
        free(e->orig);
        free(e);
        return NULL;
    }
    e->length = (int)strlen(value);
    e->etype = XML_INTERNAL_PREDEFINED_ENTITY;
    parser->ents[parser->nents++] = e;
    return e;
}

static xmlEntityPtr on_get_entity(void *ud, const xmlChar *xname)
{
    struct eddy_feed_parser *parser = ud;
    const char *name = (const char *)xname;
    for (size_t i = 0; i < parser->mixin.nentities; i++) {
        if (strcmp(parser->mixin.entities[i].name, name))
            continue;
        const char *v = parser->mixin.entities[i].value;
        if (strpbrk(v, "<&")) {
            /* expat parses the replacement text as markup: a lone '<' or
             * '&' there is an error (and the loose pass takes over) */
            int line = parser->ctxt && parser->ctxt->input ? parser->ctxt->input->line : 0;
            xml_error(parser, line, 0,
                      "not well-formed (invalid token) in an entity's replacement text");
        }
        return make_entity(parser, name, v);
    }
    /* undefined in XML: expat fails here, feedparser's loose parser decodes
     * HTML entities and keeps anything else as text */
    char utf8[5], msg[300];
    size_t n = eddy__entity4(name, strlen(name), utf8);
    snprintf(msg, sizeof msg, "undefined entity &%.*s;", (int)utf8_fit(name, strnlen(name, 200)),
             name);
    int line = parser->ctxt && parser->ctxt->input ? parser->ctxt->input->line : 0;
    int col = parser->ctxt && parser->ctxt->input ? parser->ctxt->input->col : 0;
    xml_error(parser, line, col, msg);
    if (n)
        return make_entity(parser, name, utf8);
    char raw[300];
    snprintf(raw, sizeof raw, "&%.200s;", name);
    return make_entity(parser, name, raw);
}

/* ---- replace_doctype ----------------------------------------------------------- */

static bool wchar(unsigned char c)
{
    return isalnum(c) || c == '_';
}
static bool pyspace(unsigned char c)
{
    return c == ' ' || (c >= 9 && c <= 13);
}

/* Finds `^\s*<!KEYWORD([^>]*?)>` (MULTILINE) starting at a line start at or
 * after *pos in s[0..n).  Returns true with the match [*ms, *me) and the
 * group [*gs, *ge). */
static bool find_decl(const char *s, size_t n, size_t from, const char *kw, size_t *ms, size_t *me,
                      size_t *gs, size_t *ge)
{
    size_t kl = strlen(kw);
    for (size_t i = from; i <= n; i++) {
        if (i && s[i - 1] != '\n')
            continue;
        size_t j = i;
        while (j < n && pyspace((unsigned char)s[j]))
            j++;
        if (n - j < kl || memcmp(s + j, kw, kl))
            continue;
        const char *gt = memchr(s + j + kl, '>', n - j - kl);
        if (!gt)
            continue;
        *ms = i;
        *gs = j + kl;
        *ge = (size_t)(gt - s);
        *me = *ge + 1;
        return true;
    }
    return false;
}

static void add_entity(struct eddy__mixin *p, const char *name, size_t nl, const char *val,
                       size_t vl)
{
    struct eddy__entity *e = realloc(p->entities, (p->nentities + 1) * sizeof *e);
    if (!e) {
        p->oom = true;
        return;
    }
    p->entities = e;
    char *nm = strndup(name, nl);
    struct eddy_buf v = EDDY_BUF_INIT(0);
    if (vl > 2 && val[0] == '&' && val[1] == '#') {
        /* a character reference: expat expands it when the entity is used */
        unsigned long cp = val[2] == 'x' || val[2] == 'X' ? strtoul(val + 3, NULL, 16)
                                                          : strtoul(val + 2, NULL, 10);
        char u[4];
        eddy_buf_append(&v, u, cp < 0x110000 ? eddy__utf8_encode((uint32_t)cp, u) : 0);
    } else {
        eddy_buf_append(&v, val, vl);
    }
    char *vv = eddy_buf_detach(&v, NULL);
    char *raw = strndup(val, vl);
    if (!nm || !vv || !raw) {
        free(nm);
        free(vv);
        free(raw);
        p->oom = true;
        return;
    }
    p->entities[p->nentities++] = (struct eddy__entity){nm, vv, raw};
}

/* RE_SAFE_ENTITY_PATTERN.match(e): \s+(\w+)\s+"(&#\w+;|[^&"]*)" */
static bool safe_entity(const char *e, size_t n, size_t *ns, size_t *nl, size_t *vs, size_t *vl)
{
    size_t i = 0;
    if (i >= n || !pyspace((unsigned char)e[i]))
        return false;
    while (i < n && pyspace((unsigned char)e[i]))
        i++;
    *ns = i;
    while (i < n && wchar((unsigned char)e[i]))
        i++;
    if (i == *ns)
        return false;
    *nl = i - *ns;
    if (i >= n || !pyspace((unsigned char)e[i]))
        return false;
    while (i < n && pyspace((unsigned char)e[i]))
        i++;
    if (i >= n || e[i] != '"')
        return false;
    i++;
    *vs = i;
    if (i + 1 < n && e[i] == '&' && e[i + 1] == '#') {
        size_t j = i + 2;
        while (j < n && wchar((unsigned char)e[j]))
            j++;
        if (j > i + 2 && j + 1 < n && e[j] == ';' && e[j + 1] == '"') {
            *vl = j + 1 - i;
            return true;
        }
    }
    while (i < n && e[i] != '&' && e[i] != '"')
        i++;
    if (i >= n || e[i] != '"')
        return false;
    *vl = i - *vs;
    return true;
}

/* Rewrites the prolog head[0..n) into out: entity declarations and the
 * DOCTYPE removed, safe entities kept in the mixin table. */
static void replace_doctype(struct eddy_feed_parser *parser, const char *head, size_t n,
                            struct eddy_buf *out)
{
    struct eddy__mixin *p = &parser->mixin;
    struct eddy_buf h = EDDY_BUF_INIT(0);
    struct {
        size_t s, n;
    } ents[64];
    size_t nents = 0, pos = 0, ms, me, gs, ge;
    while (pos <= n && find_decl(head, n, pos, "<!ENTITY", &ms, &me, &gs, &ge)) {
        eddy_buf_append(&h, head + pos, ms - pos);
        if (nents < 64)
            ents[nents].s = gs, ents[nents++].n = ge - gs;
        pos = me;
    }
    if (pos < n)
        eddy_buf_append(&h, head + pos, n - pos);
    const char *hd = eddy_buf_cstr(&h);
    size_t hn = h.len, ndoctypes = 0;
    pos = 0;
    struct eddy_buf o2 = EDDY_BUF_INIT(0);
    while (pos <= hn && find_decl(hd, hn, pos, "<!DOCTYPE", &ms, &me, &gs, &ge)) {
        if (!ndoctypes) {
            char low[1024];
            size_t gl = ge - gs < sizeof low - 1 ? ge - gs : sizeof low - 1;
            for (size_t i = 0; i < gl; i++)
                low[i] = (char)tolower((unsigned char)hd[gs + i]);
            low[gl] = 0;
            if (strstr(low, "netscape"))
                strcpy(parser->version_hint, "rss091n");
        }
        ndoctypes++;
        eddy_buf_append(&o2, hd + pos, ms - pos);
        pos = me;
    }
    if (pos < hn)
        eddy_buf_append(&o2, hd + pos, hn - pos);
    if (ndoctypes == 1) {
        for (size_t i = 0; i < nents; i++) {
            size_t ns, nl, vs, vl;
            const char *e = head + ents[i].s;
            if (safe_entity(e, ents[i].n, &ns, &nl, &vs, &vl))
                add_entity(p, e + ns, nl, e + vs, vl);
        }
    }
    if (nents || ndoctypes)
        diag(parser, 0, "DOCTYPE removed (%zu entity declarations, %zu kept)", nents, p->nentities);
    parser->offset_base = n > o2.len ? n - o2.len : 0;
    eddy_buf_append(out, o2.data ? o2.data : "", o2.len);
    eddy_buf_free(&h);
    eddy_buf_free(&o2);
}

/* Index just past the '<' of the first `<\w`, or 0 when not found yet. */
static size_t head_end(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '<' && wchar((unsigned char)s[i + 1]))
            return i + 1;
    return 0;
}

/* ---- libxml2 driving ----------------------------------------------------------- */

/* The SAX2 callbacks both ways of parsing use (push, and the whole buffered
 * document through a read callback). */
static void init_sax(struct eddy_feed_parser *parser)
{
    memset(&parser->sax, 0, sizeof parser->sax);
    parser->sax.initialized = XML_SAX2_MAGIC;
    parser->sax.startElementNs = on_start;
    parser->sax.endElementNs = on_end;
    parser->sax.characters = on_chars;
    parser->sax.cdataBlock = on_chars;
    parser->sax.ignorableWhitespace = on_chars;
    parser->sax.getEntity = on_get_entity;
    parser->sax.serror = on_serror;
}

/* Callback mode's push parser, reading UTF-8 whatever the declaration says. */
static int start_xml(struct eddy_feed_parser *parser)
{
    init_sax(parser);
    parser->ctxt = xmlCreatePushParserCtxt(&parser->sax, parser, NULL, 0, NULL);
    if (!parser->ctxt)
        return -ENOMEM;
    xmlCtxtUseOptions(parser->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOWARNING |
                                        XML_PARSE_NOERROR | XML_PARSE_IGNORE_ENC);
    xmlSwitchEncoding(parser->ctxt, XML_CHAR_ENCODING_UTF8);
    return 0;
}

/* Some libxml2 errors have no parser context (a failed conversion from the
 * declared encoding, in callback mode): they go to this thread's global
 * handlers, which print to stderr (library code never prints), and the
 * parse then stops without any error reaching on_serror (no bozo).  So
 * while libxml2 runs, the structured handler is on_serror for this parser
 * and the generic one is silent; then the caller's are back.  (An entry
 * callback that uses libxml2 itself runs under these handlers too.) */
struct xml_handlers {
    xmlGenericErrorFunc generic;
    void *generic_ctx;
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
};

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static struct xml_handlers handlers_take(struct eddy_feed_parser *parser)
{
    struct xml_handlers h = {xmlGenericError, xmlGenericErrorContext, xmlStructuredError,
                             xmlStructuredErrorContext};
    xmlSetGenericErrorFunc(NULL, silent);
    xmlSetStructuredErrorFunc(parser, on_serror);
    return h;
}

static void handlers_restore(struct xml_handlers h)
{
    xmlSetGenericErrorFunc(h.generic_ctx, h.generic);
    xmlSetStructuredErrorFunc(h.structured_ctx, h.structured);
}

static int feed_xml(struct eddy_feed_parser *parser, const char *s, size_t n, bool last)
{
    struct xml_handlers h = handlers_take(parser);
    /* xmlParseChunk takes an int size */
    while (n > (1u << 30)) {
        xmlParseChunk(parser->ctxt, s, 1 << 30, 0);
        s += 1u << 30;
        n -= 1u << 30;
    }
    xmlParseChunk(parser->ctxt, s, (int)n, last);
    handlers_restore(h);
    if (parser->mixin.oom)
        return -ENOMEM;
    return parser->mixin.cb_err;
}

/* ---- the '&' repairs of feedparser's loose parser ------------------------------------ */

/* libxml2's recovery drops a bare '&' with the name after it ("?a=1&b=2"
 * becomes "?a=1=2"); feedparser's loose (sgmllib) parser keeps the text.  So
 * before libxml2 sees the body, a small scanner that knows tags, quoted
 * attribute values, comments, CDATA and processing instructions rewrites
 * each '&' that does not start a reference the way sgmllib reads it, and
 * reports it (bozo, as expat reports it to feedparser):
 *   in text:  "&name" + non-';'  ->  the HTML 4 entity if name is one, else
 *             the text "&name;" (sgmllib's handle_entityref);
 *             "&#X41;" -> "&#x41;"; any other '&' -> "&amp;";
 *   in attribute values: any such '&' -> "&amp;".
 * The scanner keeps its state across chunks; a reference cut by a chunk
 * boundary waits (at most LOOKAHEAD bytes) for the next chunk. */
enum { R_TEXT, R_TAG, R_ATTR, R_COMMENT, R_CDATA, R_PI, R_DECL };
#define LOOKAHEAD 64

static bool name_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c == ':' || c >= 0x80;
}
static bool name_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == ':' || c == '-' || c == '.' || c >= 0x80;
}

/* "&name;" in an attribute value, name[0..nl) not one of XML's five:
 * written here as the text on_get_entity would give.  libxml2 copies only
 * the first byte of an entity it takes for predefined (as ours are) into
 * an attribute value, so a multi-byte one ("&nbsp;") became invalid UTF-8. */
static void attr_entity(struct eddy_feed_parser *parser, const char *name, size_t nl,
                        struct eddy_buf *out, size_t at)
{
    static const char *const xml5[] = {"amp", "lt", "gt", "quot", "apos"};
    char nm[64], utf8[5], raw[80];
    snprintf(nm, sizeof nm, "%.*s", (int)nl, name);
    for (size_t i = 0; i < 5; i++)
        if (!strcmp(nm, xml5[i])) {
            eddy_buf_printf(out, "&%s;", nm);
            return;
        }
    const char *v = NULL;
    for (size_t i = 0; i < parser->mixin.nentities && !v; i++)
        if (!strcmp(parser->mixin.entities[i].name, nm))
            v = parser->mixin.entities[i].value;
    const char *err = v && strpbrk(v, "<&") ? "not well-formed (invalid token) in an entity's "
                                              "replacement text"
                      : v                   ? NULL
                                            : "undefined entity";
    if (!v) {
        size_t k = eddy__entity4(nm, strlen(nm), utf8);
        snprintf(raw, sizeof raw, "&%s;", nm);
        v = k ? utf8 : raw;
    }
    if (err) {
        diag(parser, at, "%s &%s;", err, nm);
        if (parser->strict) {
            char exc[200];
            snprintf(exc, sizeof exc, "SAXParseException: <unknown>: %s &%s;", err, nm);
            first_xml_error(parser, at, exc);
        }
    }
    for (; *v; v++) /* as character references where markup would read them */
        if (strchr("&<\"'", *v))
            eddy_buf_printf(out, "&#%d;", *v);
        else
            eddy_buf_putc(out, *v);
}

/* Decides the '&' at s[0] (n bytes available).  Returns the bytes consumed
 * and appends their replacement, or 0 when more data is needed. */
static size_t repair_amp(struct eddy_feed_parser *parser, const char *s, size_t n, bool last,
                         bool in_attr, struct eddy_buf *out, size_t abs_off)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 1;
    if (i < n && u[i] == '#') {
        i++;
        bool hex = i < n && (u[i] == 'x' || u[i] == 'X');
        size_t st = i + hex;
        size_t j = st;
        while (j < n && (hex ? isxdigit(u[j]) : isdigit(u[j])) && j - st < 16)
            j++;
        if (j == n && !last && n < LOOKAHEAD)
            return 0;
        if (j > st && j < n && u[j] == ';') {
            if (hex && u[i] == 'X') {
                eddy_buf_append(out, "&#x", 3);
                eddy_buf_append(out, s + st, j + 1 - st);
                diag(parser, abs_off, "character reference with 'X' read as 'x'");
                if (parser->strict)
                    first_xml_error(
                        parser, abs_off,
                        "SAXParseException: <unknown>: reference to invalid character number");
                return j + 1;
            }
            eddy_buf_append(out, s, j + 1);
            return j + 1;
        }
        /* not a character reference: a bare '&' */
    } else if (i < n && name_start(u[i])) {
        size_t j = i;
        while (j < n && name_char(u[j]) && j - i < 48)
            j++;
        if (j == n && !last && n < LOOKAHEAD)
            return 0;
        if (j < n && u[j] == ';') {
            if (in_attr)
                attr_entity(parser, s + i, j - i, out, abs_off);
            else
                eddy_buf_append(out, s, j + 1);
            return j + 1;
        }
        if (!in_attr && isalpha(u[i])) {
            /* sgmllib: entityref = &([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9] */
            size_t k = i;
            while (k < j && (isalnum(u[k]) || u[k] == '-' || u[k] == '.'))
                k++;
            char utf8[5];
            if (eddy__entity4(s + i, k - i, utf8)) {
                eddy_buf_append(out, s, k); /* "&name" */
                eddy_buf_putc(out, ';');    /* getEntity decodes it */
            } else {
                eddy_buf_append(out, "&amp;", 5);
                eddy_buf_append(out, s + i, k - i);
                eddy_buf_putc(out, ';');
            }
            diag(parser, abs_off, "'&%.*s' without ';' read as a reference", (int)(k - i), s + i);
            if (parser->strict)
                first_xml_error(parser, abs_off,
                                "SAXParseException: <unknown>: not well-formed (invalid token)");
            return k;
        }
    } else if (i == n && !last) {
        return 0;
    }
    eddy_buf_append(out, "&amp;", 5);
    diag(parser, abs_off, "bare '&' read as text");
    if (parser->strict)
        first_xml_error(parser, abs_off,
                        "SAXParseException: <unknown>: not well-formed (invalid token)");
    return 1;
}

/* The '<' at s[i] in text: the state it opens, and i past its opening
 * (comment, CDATA, processing instruction, declaration or tag).  False
 * when fewer bytes than "<![CDATA[" are left and more may come. */
static bool repair_open(struct eddy_feed_parser *parser, const char *s, size_t n, bool last,
                        size_t *i)
{
    size_t left = n - *i;
    const char *t = s + *i;
    if (left < 9 && !last)
        return false;
    if (left >= 4 && !memcmp(t, "<!--", 4))
        parser->rstate = R_COMMENT, *i += 4;
    else if (left >= 9 && !memcmp(t, "<![CDATA[", 9))
        parser->rstate = R_CDATA, *i += 9;
    else if (left >= 2 && t[1] == '?')
        parser->rstate = R_PI, *i += 2;
    else if (left >= 2 && t[1] == '!')
        parser->rstate = R_DECL, *i += 2;
    else
        parser->rstate = R_TAG, parser->rattrs = 0, *i += 1;
    return true;
}

/* In a comment, CDATA section, PI or declaration: i past its end (state
 * back to text) or at n.  False when the end may be cut by the chunk. */
static bool repair_skip(struct eddy_feed_parser *parser, const char *s, size_t n, bool last,
                        size_t *i)
{
    const char *end = parser->rstate == R_COMMENT ? "-->"
                      : parser->rstate == R_CDATA ? "]]>"
                      : parser->rstate == R_PI    ? "?>"
                                                  : ">";
    size_t el = strlen(end);
    const char *hit = memchr(s + *i, end[0], n - *i);
    if (!hit) {
        *i = n;
        return true;
    }
    *i = (size_t)(hit - s);
    if (n - *i < el && !last)
        return false;
    if (n - *i >= el && !memcmp(s + *i, end, el)) {
        parser->rstate = R_TEXT;
        *i += el;
    } else {
        *i += 1;
    }
    return true;
}

/* Scans s[0..n) from state parser->rstate, appending the repaired text to out.
 * Returns the bytes consumed (the rest must be offered again with more).
 * One loop over the states: the hot path of callback mode, kept together
 * so that runs of plain bytes are appended in one piece. */
static size_t repair(struct eddy_feed_parser *parser, const char *s, size_t n, bool last,
                     struct eddy_buf *out)
{
    size_t i = 0, run = 0;
    while (i < n) {
        char c = s[i];
        switch (parser->rstate) {
        case R_TEXT:
            while (c != '&' && c != '<' && c != ']' && ++i < n)
                c = s[i];
            if (i == n)
                continue;
            if (c == ']') {
                /* "]]>" in text: libxml2's push parser drops the text before
                 * it, more or less of it as the chunks fall; sgmllib keeps
                 * it as text, so it goes on as "]]&gt;" */
                if (n - i < 3 && !last) {
                    eddy_buf_append(out, s + run, i - run);
                    return i;
                }
                if (n - i < 3 || s[i + 1] != ']' || s[i + 2] != '>') {
                    i++;
                    continue;
                }
                eddy_buf_append(out, s + run, i + 2 - run);
                eddy_buf_append(out, "&gt;", 4);
                diag(parser, parser->rpos + i, "']]>' in text read as text");
                if (parser->strict)
                    first_xml_error(
                        parser, parser->rpos + i,
                        "SAXParseException: <unknown>: not well-formed (invalid token)");
                i += 3;
                run = i;
                continue;
            }
            if (c == '&') {
                eddy_buf_append(out, s + run, i - run);
                size_t k = repair_amp(parser, s + i, n - i, last, false, out, parser->rpos + i);
                if (!k)
                    return i;
                i += k;
                run = i;
                continue;
            }
            if (!repair_open(parser, s, n, last, &i)) {
                eddy_buf_append(out, s + run, i - run);
                return i;
            }
            continue;
        case R_TAG:
            while (c != '"' && c != '\'' && c != '>' && ++i < n)
                c = s[i];
            if (i == n)
                continue;
            if ((c == '"' || c == '\'') && ++parser->rattrs > MAX_ATTRS) {
                too_many_attributes(parser, parser->rpos + i);
                parser->cut = true;
                eddy_buf_append(out, s + run, i - run);
                return n; /* the rest is dropped */
            }
            if (c == '"' || c == '\'')
                parser->rquote = c, parser->rstate = R_ATTR;
            else if (c == '>')
                parser->rstate = R_TEXT;
            i++;
            continue;
        case R_ATTR:
            while (c != parser->rquote && c != '&' && c != '<' && ++i < n)
                c = s[i];
            if (i == n)
                continue;
            if (c == parser->rquote) {
                parser->rstate = R_TAG;
            } else if (c == '&') {
                eddy_buf_append(out, s + run, i - run);
                size_t k = repair_amp(parser, s + i, n - i, last, true, out, parser->rpos + i);
                if (!k)
                    return i;
                i += k;
                run = i;
                continue;
            } else if (c == '<') {
                parser->rstate = R_TEXT; /* an unclosed quote: libxml2 gives up on the tag */
                continue;
            }
            i++;
            continue;
        default:
            if (!repair_skip(parser, s, n, last, &i)) {
                eddy_buf_append(out, s + run, i - run);
                return i;
            }
            continue;
        }
    }
    eddy_buf_append(out, s + run, n - run);
    return n;
}

/* ---- invalid UTF-8 in callback mode ------------------------------------------------ */

/* Told that the body is UTF-8 (XML_PARSE_IGNORE_ENC), libxml2 reports the
 * first invalid byte and then hands the raw bytes on to the SAX callbacks,
 * so values would not be UTF-8; its push parser also reports the same byte
 * again at each chunk boundary.  So in callback mode each invalid byte
 * becomes U+FFFD before the repair scanner and libxml2 see it, and the text
 * is the same whatever the chunks (buffered mode converts the whole document
 * first, encoding.c).  Sets *ready to the bytes that may go on: a sequence cut
 * by the end of s (not last) stays after them.  When something was replaced
 * the cleaned text is in *out (else out stays empty and s is clean).
 * Offsets of the diagnostics are in the cleaned text, from abs_off.
 * A NUL becomes U+FFFD too: libxml2's push parser stops the whole document
 * at one (buffered mode keeps it, as feedparser's loose parser does). */
static bool utf8_cut(const unsigned char *u, size_t n)
{
    size_t len = u[0] >= 0xC2 && u[0] <= 0xDF   ? 2
                 : u[0] >= 0xE0 && u[0] <= 0xEF ? 3
                 : u[0] >= 0xF0 && u[0] <= 0xF4 ? 4
                                                : 0;
    if (n >= len)
        return false;
    for (size_t i = 1; i < n; i++)
        if ((u[i] & 0xC0) != 0x80)
            return false;
    return true;
}

static int clean_utf8(struct eddy_feed_parser *parser, const char *s, size_t n, bool last,
                      struct eddy_buf *out, size_t *ready, size_t abs_off)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    bool cut = false;
    *ready = n;
    while (i < n) {
        if (u[i] < 0x80 && u[i]) {
            i++;
            continue;
        }
        size_t k = u[i] ? eddy__utf8_seq(u + i, n - i, NULL) : 0;
        if (k) {
            i += k;
            continue;
        }
        if (!last && utf8_cut(u + i, n - i)) {
            *ready = i - run + out->len; /* in the cleaned text when out is used */
            cut = true;
            break;
        }
        if (eddy_buf_append(out, s + run, i - run) || eddy_buf_append(out, "\xEF\xBF\xBD", 3))
            return -ENOMEM;
        diag(parser, abs_off + out->len - 3,
             u[i] ? "invalid UTF-8 byte 0x%02X read as U+FFFD" : "NUL read as U+FFFD", u[i]);
        if (parser->strict)
            first_xml_error(parser, abs_off + out->len - 3,
                            "SAXParseException: <unknown>: not well-formed (invalid token)");
        run = ++i;
    }
    if (out->len) {
        if (!cut) /* (*ready == n is no sign of it: the cleaned text is longer) */
            *ready = out->len + (n - run);
        if (eddy_buf_append(out, s + run, n - run))
            return -ENOMEM;
    }
    return 0;
}

/* Repairs and parses s[0..n) (a piece of the body, UTF-8), keeping an undecided tail. */
static int feed_text(struct eddy_feed_parser *parser, const char *s, size_t n, bool last)
{
    if (parser->cut)
        return 0;
    struct eddy_buf in = EDDY_BUF_INIT(0), clean = EDDY_BUF_INIT(0);
    if (parser->carry.len) {
        if (eddy_buf_append(&parser->carry, s, n))
            return -ENOMEM;
        in = parser->carry;
        parser->carry = (struct eddy_buf)EDDY_BUF_INIT(0);
        s = in.data;
        n = in.len;
    }
    size_t m = n; /* s[0..m) is scanned now; s[m..n) is a cut UTF-8 sequence */
    int err = clean_utf8(parser, s, n, last, &clean, &m, parser->rpos);
    if (clean.len)
        s = clean.data, n = clean.len;
    eddy_buf_reset(&parser->rbuf);
    size_t k = err ? 0 : repair(parser, s, m, last, &parser->rbuf);
    parser->rpos += k;
    if (!err && k < n)
        err = eddy_buf_append(&parser->carry, s + k, n - k);
    if (!err)
        err = feed_xml(parser, eddy_buf_cstr(&parser->rbuf), parser->rbuf.len, last || parser->cut);
    eddy_buf_free(&in);
    eddy_buf_free(&clean);
    return err;
}

/* A byte the declared encoding cannot decode read as U+FFFD (callback
 * mode): an XML error, as an invalid UTF-8 byte is. */
static void decode_bad(void *arg, size_t at, const char *msg)
{
    struct eddy_feed_parser *parser = arg;
    diag(parser, parser->dpos + at, "%s", msg);
    if (parser->strict)
        first_xml_error(parser, parser->dpos + at,
                        "SAXParseException: <unknown>: not well-formed (invalid token)");
}

/* s[0..n) in the document's encoding into parser->dtext, as UTF-8: libxml2
 * gets UTF-8 only.  (libxml2 decoding by itself stops at a byte it cannot
 * convert, and how much of the text before it it has parsed by then
 * depends on where the chunks ended.) */
static int decode_text(struct eddy_feed_parser *parser, const char *s, size_t n, bool last)
{
    parser->dpos += parser->dtext.len;
    eddy_buf_reset(&parser->dtext);
    return eddy__decoder_run(parser->dec, s, n, last, &parser->dtext, decode_bad, parser);
}

/* s[0..n), a piece of the body as it came, to feed_text (decoded in
 * slices, so that the UTF-8 buffer stays small). */
static int feed_body(struct eddy_feed_parser *parser, const char *s, size_t n, bool last)
{
    if (!parser->dec || parser->cut)
        return feed_text(parser, s, n, last);
    const size_t slice = 64 * 1024;
    int err = 0;
    for (size_t off = 0; !err && (off < n || !off); off += slice) {
        size_t k = n - off < slice ? n - off : slice;
        bool end = last && off + k == n;
        err = decode_text(parser, s + off, k, end);
        if (!err)
            err = feed_text(parser, parser->dtext.data, parser->dtext.len, end);
    }
    return err;
}

/* ---- entries in callback mode ----------------------------------------------------- */

static void deliver(struct eddy__mixin *p)
{
    struct eddy_feed_value *e = (struct eddy_feed_value *)eddy_feed_at(p->entries, 0);
    if (e && !p->cb_err) {
        /* the caller's time is not the parse's */
        int64_t t = eddy__thread_cpu_ns();
        p->cb_err = p->on_entry(p->arg, e);
        p->budget->spent -= eddy__thread_cpu_ns() - t;
    }
    p->arena = &p->main;
    p->entries = NULL;
}

void eddy__entry_begin(struct eddy__mixin *p)
{
    if (!p->on_entry) {
        if (eddy__arr_push(p->arena, p->entries, eddy__v_obj(p->arena)))
            p->oom = true;
        return;
    }
    if (p->entries)
        deliver(p); /* an entry nested in an unclosed one */
    /* a <source> still open holds values of the entry arena (an entry
     * inside a <source>, or a </source> missing): drop them with it */
    eddy__obj_clear(p->sourcedata);
    eddy_arena_reset(&p->entry);
    memset(p->strcache, 0, sizeof p->strcache); /* they may point into the entry arena */
    p->arena = &p->entry;
    p->entries = eddy__v_arr(&p->entry);
    if (eddy__arr_push(p->arena, p->entries, eddy__v_obj(p->arena)))
        p->oom = true;
    p->depth_map_entry = NULL;
}

void eddy__entry_end(struct eddy__mixin *p)
{
    if (p->on_entry && p->entries)
        deliver(p);
}

/* ---- public API ----------------------------------------------------------------- */

static bool json_type(const char *ct);
static bool xml_type(const char *ct);
static bool starts_with_brace(const char *s, size_t n);

static const char *header(const struct eddy_feed_parser *parser, const char *name)
{
    for (size_t i = 0; i < parser->nheaders; i++)
        if (!strcmp(parser->headers[i].name, name))
            return parser->headers[i].value;
    return NULL;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
    xmlInitParser();
}

struct eddy_feed_parser *eddy_feed_parser_new(const struct eddy_feed_opts *opts)
{
    /* libxml2's one-time global set-up is not safe to race: do it once */
    pthread_once(&xml_once, xml_init);
    struct eddy_feed_parser *parser = calloc(1, sizeof *parser);
    if (!parser)
        return NULL;
    if (eddy__mixin_init(&parser->mixin))
        goto fail;
    struct eddy_feed_opts o = opts ? *opts : (struct eddy_feed_opts){0};
    parser->max_bytes = o.max_bytes ? o.max_bytes : DEFAULT_MAX_BYTES;
    parser->budget =
        (struct eddy__budget){.limit = o.max_cpu_ns > 0 ? o.max_cpu_ns : DEFAULT_MAX_CPU_NS,
                              .per_byte_ns = o.max_cpu_ns > 0 ? 0 : DEFAULT_CPU_NS_PER_BYTE,
                              .t0 = -1};
    parser->mixin.budget = &parser->budget;
    eddy_buf_init(&parser->doc, parser->max_bytes);
    if (o.url && !(parser->url = strdup(o.url)))
        goto fail;
    if (o.nheaders) {
        parser->headers = calloc(o.nheaders, sizeof *parser->headers);
        if (!parser->headers)
            goto fail;
        for (size_t i = 0; i < o.nheaders; i++) {
            char low[256];
            lower_into(low, sizeof low, o.headers[i].name);
            /* strip the name and value as feedparser-reference does */
            const char *v = o.headers[i].value ? o.headers[i].value : "";
            struct header *h = NULL;
            for (size_t j = 0; j < parser->nheaders; j++)
                if (!strcmp(parser->headers[j].name, low))
                    h = &parser->headers[j];
            if (h) {
                size_t n = strlen(h->value) + strlen(v) + 3;
                char *nv = malloc(n);
                if (!nv)
                    goto fail;
                snprintf(nv, n, "%s, %s", h->value, v);
                free(h->value);
                h->value = nv;
            } else {
                h = &parser->headers[parser->nheaders];
                h->name = strdup(low);
                h->value = strdup(v);
                parser->nheaders++;
                if (!h->name || !h->value)
                    goto fail;
            }
        }
    }
    parser->mixin.on_entry = o.on_entry;
    parser->mixin.arg = o.arg;
    parser->streaming = o.on_entry != NULL;
    parser->strict = true;
    return parser;
fail:
    eddy_feed_parser_free(parser);
    return NULL;
}

static void init_mixin(struct eddy_feed_parser *parser)
{
    struct eddy__mixin *p = &parser->mixin;
    /* baseuri = make_safe_absolute_uri(href, contentloc) or make_safe_absolute_uri(contentloc) or
     * href */
    const char *href = parser->url ? parser->url : "";
    const char *loc = header(parser, "content-location");
    struct eddy_buf b = EDDY_BUF_INIT(0);
    if (loc && *loc) {
        if (*href)
            eddy__uri_resolve_safe(&b, href, loc);
        else
            eddy_buf_puts(&b, loc);
        if (!b.len && eddy__uri_scheme_ok(loc))
            eddy_buf_puts(&b, loc);
    } else if (*href && eddy__uri_scheme_ok(href)) {
        eddy_buf_puts(&b, href);
    }
    if (!b.len)
        eddy_buf_puts(&b, href);
    eddy_buf_append(&p->baseuri, eddy_buf_cstr(&b), b.len);
    eddy_buf_free(&b);
    const char *lang = header(parser, "content-language");
    if (lang) {
        p->lang_null = false;
        eddy_buf_puts(&p->lang, lang);
        if (*lang) {
            struct eddy_buf l = EDDY_BUF_INIT(0);
            for (const char *s = lang; *s; s++)
                eddy_buf_putc(&l, *s == '_' ? '-' : *s);
            eddy__fp_set(p, p->feeddata, "language", eddy__str_value(p, eddy_buf_cstr(&l)));
            eddy_buf_free(&l);
        }
    }
}

/* Streaming mode: the encoding name from BOM / XML declaration / charset.
 * *skip: the bytes of a UTF-16 BOM at s.  True when that BOM gave the name:
 * only when '<' or a space follows it in UTF-16 (as an XML document
 * starts).  Else the text after it is read: feedparser, which takes the
 * BOM's encoding only when the whole document decodes in it, mostly ends
 * there too (an odd length, say), and does not find a feed in what is not
 * UTF-16 either way. */
static bool sniff_encoding(struct eddy_feed_parser *parser, const char *s, size_t n, size_t *skip)
{
    const char *enc = "utf-8";
    char decl[48] = "";
    const unsigned char *u = (const unsigned char *)s;
    bool be = n >= 2 && u[0] == 0xFE && u[1] == 0xFF, le = n >= 2 && u[0] == 0xFF && u[1] == 0xFE;
    unsigned c = n >= 4 && be ? u[2] << 8 | u[3] : n >= 4 && le ? u[3] << 8 | u[2] : 0;
    bool bom = c && c < 0x80 && strchr("< \t\r\n", (int)c);
    *skip = be || le ? 2 : 0;
    s += *skip;
    n -= *skip;
    if (bom)
        enc = be ? "utf-16be" : "utf-16le";
    else if (n > 5 && !memcmp(s, "<?xml", 5)) {
        const char *end = memchr(s, '>', n);
        const char *e = end ? memmem(s, (size_t)(end - s), "encoding", 8) : NULL;
        if (e) {
            const char *q = e + 8;
            while (q < end && (*q == ' ' || *q == '='))
                q++;
            if (q < end && (*q == '"' || *q == '\'')) {
                char quote = *q++;
                size_t i = 0;
                while (q < end && *q != quote && i + 1 < sizeof decl)
                    decl[i++] = (char)tolower((unsigned char)*q++);
                decl[i] = 0;
                /* XML's EncName, [A-Za-z][A-Za-z0-9._-]*: anything else is
                 * no encoding (and must not reach "encoding": not UTF-8) */
                bool ok = isalpha((unsigned char)decl[0]);
                for (size_t k = 1; k < i; k++)
                    ok = ok && (isalnum((unsigned char)decl[k]) || strchr("._-", decl[k]));
                if (ok)
                    enc = decl;
            }
        }
    }
    snprintf(parser->encoding, sizeof parser->encoding, "%s", enc);
    return bom;
}

/* The document reaches libxml2 through a read callback, in its 4 KB reads:
 * xmlCreateMemoryParserCtxt (libxml2 2.9) first copies the whole document
 * into a buffer of its own; on the 56 MB bench corpus that copy and its page
 * faults were 4% of parse-files' CPU time (1.01 s -> 0.97 s) and 37 MB of
 * peak memory on its biggest feed.  A static input buffer is no way out:
 * libxml2 2.9.14 misreads big documents from one (a spurious "not proper
 * UTF-8" error, then a crash), as the TODO in its xmlCreateMemoryParserCtxt
 * warns. */
static int mem_read(void *ctx, char *buf, int len)
{
    struct mem_reader *r = ctx;
    size_t k = r->left < (size_t)len ? r->left : (size_t)len;
    memcpy(buf, r->p, k);
    r->p += k;
    r->left -= k;
    return (int)k;
}

static int mem_close(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Buffered mode: the whole document is here, so libxml2 pulls it (through
 * mem_read: no copy into a push buffer, and no '&' repair pass — any
 * error sends the document through the loose pass anyway).  XML_PARSE_HUGE
 * lifts libxml2's 10 MB text-node and 256-level limits; MAX_DEPTH still
 * applies. */
/* The mixin set up, and the document as a parser reads it into *d, *dn:
 * s[0..n) with its prolog s[0..hend) through replace_doctype (a copy in
 * doc when that changed it). */
static int prepare(struct eddy_feed_parser *parser, const char *s, size_t n, size_t hend,
                   struct eddy_buf *doc, const char **d, size_t *dn)
{
    init_mixin(parser);
    size_t plen = hend ? hend - 1 : 0; /* the prolog, without the first element's '<' */
    replace_doctype(parser, s, plen, doc);
    parser->head_done = true;
    *d = s;
    *dn = n;
    if (doc->len != plen || (plen && memcmp(doc->data, s, plen))) {
        if (eddy_buf_append(doc, s + plen, n - plen)) {
            eddy_buf_free(doc);
            return -ENOMEM;
        }
        *d = doc->data;
        *dn = doc->len;
    }
    if (*dn > INT_MAX) {
        eddy_buf_free(doc);
        return -E2BIG;
    }
    return 0;
}

/* xfast.c's tokenizer on the document: 0 when it read it all (or the
 * budget stopped it), 1 when libxml2 is to parse it, or a negative errno. */
static int parse_fast(struct eddy_feed_parser *parser, const char *s, size_t n, size_t hend,
                      bool utf8)
{
    static const struct eddy__xfast_sax sax = {on_start, on_end, on_chars};
    struct eddy_buf doc = EDDY_BUF_INIT(0);
    const char *d;
    size_t dn;
    int err = prepare(parser, s, n, hend, &doc, &d, &dn);
    if (err)
        return err;
    parser->xf.max_depth = MAX_DEPTH;
    parser->xf.utf8 = utf8;
    parser->xf_on = true;
    int r = eddy__xfast_parse(&parser->xf, d, dn, &sax, parser);
    parser->xf_on = false;
    eddy_buf_free(&doc);
    if (r < 0 || parser->mixin.oom)
        return r < 0 ? r : -ENOMEM;
    return r == EDDY__XFAST_GIVE_UP || parser->xf_failed;
}

static int parse_xml(struct eddy_feed_parser *parser, const char *s, size_t n, size_t hend)
{
    struct eddy_buf doc = EDDY_BUF_INIT(0);
    const char *d;
    size_t dn;
    int err = prepare(parser, s, n, hend, &doc, &d, &dn);
    if (err)
        return err;
    init_sax(parser);
    parser->mem = (struct mem_reader){dn ? d : " ", dn ? dn : 1};
    parser->ctxt = xmlCreateIOParserCtxt(NULL, NULL, mem_read, mem_close, &parser->mem,
                                         XML_CHAR_ENCODING_NONE);
    if (!parser->ctxt) {
        eddy_buf_free(&doc);
        return -ENOMEM;
    }
    xmlSAXHandlerPtr own = parser->ctxt->sax;
    parser->ctxt->sax = &parser->sax;
    parser->ctxt->userData = parser;
    xmlCtxtUseOptions(parser->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOWARNING |
                                        XML_PARSE_NOERROR | XML_PARSE_IGNORE_ENC | XML_PARSE_HUGE);
    xmlSwitchEncoding(parser->ctxt, XML_CHAR_ENCODING_UTF8);
    struct xml_handlers h = handlers_take(parser);
    xmlParseDocument(parser->ctxt);
    handlers_restore(h);
    parser->ctxt->sax = own; /* libxml2 frees its own handler with the context */
    eddy_buf_free(&doc);
    return parser->mixin.oom ? -ENOMEM : 0;
}

/* The mixin afresh, for another pass over the document. */
static bool mixin_reset(struct eddy_feed_parser *parser)
{
    struct eddy__mixin *p = &parser->mixin;
    eddy_feed_entry_fn on_entry = p->on_entry;
    void *arg = p->arg;
    struct eddy__budget *budget = p->budget;
    eddy__mixin_free(p);
    eddy_arena_free(&p->main);
    if (eddy__mixin_init(p)) {
        p->oom = true;
        return false;
    }
    p->on_entry = on_entry;
    p->arg = arg;
    p->budget = budget;
    return true;
}

static void free_ctxt(struct eddy_feed_parser *parser)
{
    if (!parser->ctxt)
        return;
    /* an internal subset that reached libxml2 gets a document to hold it */
    if (parser->ctxt->myDoc)
        xmlFreeDoc(parser->ctxt->myDoc);
    xmlFreeParserCtxt(parser->ctxt);
    parser->ctxt = NULL;
}

/* What a parse of the whole document changes outside the mixin. */
struct before {
    size_t ndiags, bozo_at;
    bool bozo, xml_bozo;
    char *exc;
};

/* Back to *b for another pass over the document; false on ENOMEM. */
static bool restart(struct eddy_feed_parser *parser, const struct before *b)
{
    free_ctxt(parser);
    while (parser->ndiags > b->ndiags)
        free(parser->diags[--parser->ndiags].msg);
    parser->bozo = b->bozo;
    parser->xml_bozo = b->xml_bozo;
    parser->bozo_at = b->bozo_at;
    free(parser->bozo_exception);
    parser->bozo_exception = b->exc ? strdup(b->exc) : NULL;
    memset(parser->tcache, 0, sizeof parser->tcache); /* keyed by the old pass's names */
    memset(parser->acache, 0, sizeof parser->acache);
    parser->xml_depth = 0;
    parser->namespaces_cap_told = parser->budget_told = parser->cut = false;
    return (!b->exc || parser->bozo_exception) && mixin_reset(parser);
}

/* xfast.c's tokenizer (told whether s is known to be valid UTF-8); where
 * it gives up, libxml2 (parse_xml) from the same state, so that the
 * messages, their positions and bozo of an ill-formed document are
 * libxml2's own. */
static int parse_whole(struct eddy_feed_parser *parser, const char *s, size_t n, size_t hend,
                       bool utf8)
{
    struct before b = {parser->ndiags, parser->bozo_at, parser->bozo, parser->xml_bozo,
                       parser->bozo_exception ? strdup(parser->bozo_exception) : NULL};
    if (parser->bozo_exception && !b.exc)
        return -ENOMEM;
    int err = eddy__xfast_enabled ? parse_fast(parser, s, n, hend, utf8) : 1;
    if (err == 1)
        err = restart(parser, &b) ? parse_xml(parser, s, n, hend) : -ENOMEM;
    free(b.exc);
    return err;
}

/* Sends the document start s[0..n) (UTF-8) through replace_doctype (its
 * prolog is s[0..hend)) and starts libxml2 with it. */
static int begin_xml(struct eddy_feed_parser *parser, const char *s, size_t n, size_t hend,
                     bool last)
{
    int err = start_xml(parser);
    if (err)
        return err;
    init_mixin(parser);
    struct eddy_buf head = EDDY_BUF_INIT(0), clean = EDDY_BUF_INIT(0);
    size_t plen = hend ? hend - 1 : 0; /* the prolog, without the first element's '<' */
    size_t hlen = plen;
    if (clean_utf8(parser, s, plen, true, &clean, &hlen, 0))
        parser->mixin.oom = true;
    /* feedparser (and buffered mode: encoding.c) first replaces the XML
     * declaration, up to its first '>', with its own, so a malformed one
     * ("<?xml>") is no error, then finds the DOCTYPE in that text.  The
     * same here; then libxml2 reads the prolog without a declaration (it
     * reads UTF-8 whatever one says). */
    const char *h = clean.len ? clean.data : s;
    const char *gt = hlen >= 5 && !memcmp(h, "<?xml", 5) ? memchr(h + 5, '>', hlen - 5) : NULL;
    size_t decl = gt ? (size_t)(gt - h) + 1 : 0;
    if (decl) {
        struct eddy_buf t = EDDY_BUF_INIT(0), o = EDDY_BUF_INIT(0);
        static const char own[] = "<?xml version='1.0' encoding='utf-8'?>";
        if (eddy_buf_append(&t, own, sizeof own - 1) || eddy_buf_append(&t, h + decl, hlen - decl))
            parser->mixin.oom = true;
        replace_doctype(parser, eddy_buf_cstr(&t), t.len, &o);
        parser->offset_base += decl; /* (replace_doctype's counts `own`'s bytes) */
        if (o.len >= sizeof own - 1)
            eddy_buf_append(&head, o.data + sizeof own - 1, o.len - (sizeof own - 1));
        eddy_buf_free(&t);
        eddy_buf_free(&o);
    } else {
        replace_doctype(parser, h, hlen, &head);
    }
    eddy_buf_free(&clean);
    parser->head_done = true;
    parser->rpos = hlen;
    err = feed_xml(parser, eddy_buf_cstr(&head), head.len, false);
    eddy_buf_free(&head);
    /* in slices, so that libxml2's input buffer and ours stay small */
    const size_t slice = 256 * 1024;
    for (size_t off = plen; !err && off < n; off += slice) {
        size_t k = n - off < slice ? n - off : slice;
        err = feed_text(parser, s + off, k, last && off + k == n);
    }
    if (!err && last && plen == n)
        err = feed_text(parser, "", 0, true);
    return err;
}

/* Callback mode: the document's start, s[0..n) as it came, its prolog
 * s[0..hend) (or all of it when hend is 0), decides the encoding and
 * starts the parse.  A name that is not decoded here (UTF-8, an unknown
 * one, a UTF-16/32 declaration without a BOM...) means UTF-8, invalid bytes
 * read as U+FFFD; else the text is decoded, chunk by chunk, by
 * parser->dec.  Either way libxml2 reads UTF-8 and ignores the
 * declaration. */
static int begin_doc(struct eddy_feed_parser *parser, const char *s, size_t n, size_t hend,
                     bool last)
{
    if (!hend)
        hend = n;
    size_t skip; /* a UTF-16 BOM: believed, it would decode to U+FEFF; else not UTF-8 */
    bool bom =
        sniff_encoding(parser, s, hend, &skip); /* the prolog only: the same whatever the chunks */
    s += skip;
    n -= skip;
    if (strcmp(parser->encoding, "utf-8") && strcmp(parser->encoding, "us-ascii")) {
        int err = eddy__decoder_open(parser->encoding, bom, &parser->dec);
        if (err)
            return err;
        if (!parser->dec)
            snprintf(parser->encoding, sizeof parser->encoding, "utf-8");
    }
    if (!parser->dec)
        return begin_xml(parser, s, n, hend - skip, last);
    int err = decode_text(parser, s, n, last);
    if (err)
        return err;
    /* the decoded text so far is a prefix of the whole one, so its first
     * element is where the whole text has it */
    const char *t = eddy_buf_cstr(&parser->dtext);
    size_t tn = parser->dtext.len, th = head_end(t, tn);
    return begin_xml(parser, t, tn, th ? th : tn, last);
}

int eddy_feed_parser_push(struct eddy_feed_parser *parser, const void *bytes, size_t len)
{
    if (!parser || parser->finished)
        return -EINVAL;
    if (!len)
        return 0;
    parser->budget.bytes += len;
    if (!parser->streaming || !parser->head_done) {
        /* a fetched document comes in reads of a few KB: doubling from
         * eddy_buf's 64 bytes was 2% of parsing the 100 fetch-many feeds */
        size_t first = len > 65536 ? len : 65536;
        if (parser->doc.max && first > parser->doc.max)
            first = len; /* (more is E2BIG below, as before) */
        int err = parser->doc.data ? 0 : eddy_buf_reserve(&parser->doc, first);
        if (!err)
            err = eddy_buf_append(&parser->doc, bytes, len);
        if (err)
            return err;
        if (!parser->streaming)
            return 0;
        const char *ct = header(parser, "content-type");
        if (json_type(ct) ||
            (!xml_type(ct) && starts_with_brace(parser->doc.data, parser->doc.len))) {
            parser->streaming = false; /* JSON Feed: buffered, entries still go to the callback */
            return 0;
        }
        size_t hend = head_end(parser->doc.data, parser->doc.len);
        if (!hend && parser->doc.len < MAX_HEAD)
            return 0;
        budget_begin(parser);
        err = begin_doc(parser, parser->doc.data, parser->doc.len, hend, false);
        budget_end(parser);
        eddy_buf_free(&parser->doc);
        return err;
    }
    budget_begin(parser);
    int err = feed_body(parser, bytes, len, false);
    budget_end(parser);
    return err;
}

static void set_str(struct eddy_arena *A, struct eddy_feed_value *o, const char *k, const char *v)
{
    eddy__obj_set(A, o, k, false, eddy__v_cstr(A, v ? v : ""));
}

/* feedparser's second parse of an ill-formed document with its loose
 * parser: a fresh mixin (the DOCTYPE's safe entities kept), loose.c's
 * tokenizer over the document with its prolog rewritten.  Bozo, the
 * exception and the diagnostics stay those of the XML pass. */
static void loose_pass(struct eddy_feed_parser *parser, const char *s, size_t n, size_t hend)
{
    struct eddy__mixin *p = &parser->mixin;
    struct eddy__budget *budget = p->budget;
    if (!mixin_reset(parser))
        return;
    p->loose = true;
    parser->quiet = true;
    init_mixin(parser);
    size_t plen = hend ? hend - 1 : 0;
    struct eddy_buf doc = EDDY_BUF_INIT(0);
    replace_doctype(parser, s, plen, &doc); /* the safe entities again, for the fresh mixin */
    if (eddy_buf_append(&doc, s + plen, n - plen))
        p->oom = true;
    else
        eddy__loose_parse(p, eddy_buf_cstr(&doc), doc.len);
    eddy_buf_free(&doc);
    parser->quiet = false;
    if (budget->over)
        budget_exceeded(parser, budget->at);
}

/* Content-Type application/json or application/feed+json */
static bool json_type(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; ");
    return (n == 16 && !strncasecmp(ct, "application/json", 16)) ||
           (n == 21 && !strncasecmp(ct, "application/feed+json", 21));
}

/* An explicit XML Content-Type: a media type ending in "/xml" or "+xml". */
static bool xml_type(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; ");
    return (n >= 4 && !strncasecmp(ct + n - 4, "/xml", 4)) ||
           (n >= 4 && !strncasecmp(ct + n - 4, "+xml", 4));
}

/* The first byte that is not XML whitespace is '{'. */
static bool starts_with_brace(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i < n && s[i] == '{';
}

/* JSON Feed (feedparser 6.0.11+) when the type or the first byte says so
 * (by_type), or as a fallback when the XML parse failed and found nothing:
 * then a JSON Feed makes the XML bozo forgotten, and anything else keeps
 * the XML outcome. */
static void try_json(struct eddy_feed_parser *parser, const char *data, size_t len, bool by_type)
{
    struct eddy__mixin *p = &parser->mixin;
    struct eddy_feed_value *feed = p->feeddata, *entries = p->entries;
    p->feeddata = eddy__v_obj(&p->main);
    p->entries = p->on_entry ? NULL : eddy__v_arr(&p->main);
    char exc[256] = "";
    int err = eddy__json_parse(p, data, len, exc, sizeof exc);
    if (err == -ENOTSUP || (err == -EINVAL && !by_type)) {
        /* not built, or no JSON either: keep the XML outcome (its error
         * says more about a document that is neither) */
        p->feeddata = feed;
        p->entries = entries;
        p->version[0] = 0;
        return;
    }
    parser->is_json = true;
    parser->version_hint[0] = 0;
    if (!by_type) {
        parser->bozo = parser->xml_bozo = false;
        free(parser->bozo_exception);
        parser->bozo_exception = NULL;
    }
    if (err == -ENOMEM)
        p->oom = true;
    else if (err) {
        parser->bozo = true;
        free(parser->bozo_exception);
        parser->bozo_exception = strdup(exc[0] ? exc : "ValueError: not a JSON feed");
    }
    if (parser->budget.over)
        budget_exceeded(parser, parser->budget.at);
}

/* Diagnostic offsets from `first` on, in the converted UTF-8 text t[0..tn),
 * moved to the input's bytes (input_len of them): past the XML declaration
 * the conversion wrote, then byte for byte for UTF-8, or through the code
 * points when each took 1, 2 (UTF-16 without surrogates) or 4 input bytes.
 * Other multi-byte encodings keep offsets in the decoded text's UTF-8. */
static void offsets_to_input(struct eddy_feed_parser *parser, size_t first, const char *t,
                             size_t tn, size_t input_len, const struct eddy__encoding *enc)
{
    if (first >= parser->ndiags)
        return;
    const unsigned char *d = (const unsigned char *)t + enc->decl_written;
    size_t dn = tn - enc->decl_written, body = input_len - enc->bom_len, cps = 0, wide = 0;
    bool utf8 = !strcmp(enc->encoding, "utf-8") || !strcmp(enc->encoding, "us-ascii");
    for (size_t i = 0; i < dn && !utf8; i++) { /* (byte for byte for UTF-8: no count) */
        cps += (d[i] & 0xC0) != 0x80;
        wide += d[i] >= 0xF0;
    }
    dn += enc->decl_dropped;  /* the decoded text before the rewrite */
    cps += enc->decl_dropped; /* the old declaration is ASCII */
    size_t unit = utf8                       ? 0
                  : cps == body              ? 1
                  : 2 * cps == body && !wide ? 2
                  : 4 * cps == body          ? 4
                                             : 0;
    size_t at = enc->decl_dropped,
           before = enc->decl_dropped; /* code points before `at` (offsets mostly grow) */
    for (size_t k = first; k < parser->ndiags; k++) {
        size_t o = parser->diags[k].offset;
        if (o <= enc->decl_written) {
            parser->diags[k].offset = 0;
            continue;
        }
        size_t in_d = o - enc->decl_written + enc->decl_dropped; /* offset in the decoded text */
        if (in_d > dn)
            in_d = dn;
        if (unit) {
            if (in_d < at)
                at = before = enc->decl_dropped;
            for (; at < in_d; at++)
                before += (d[at - enc->decl_dropped] & 0xC0) != 0x80;
            in_d = before * unit;
        }
        parser->diags[k].offset = enc->bom_len + in_d;
    }
}

/* Buffered mode at finish: the document converted to UTF-8 (feedparser's
 * convert_to_utf8), parsed as XML, again by the loose parser when that
 * failed, and as JSON Feed when it says so or when XML found nothing. */
static void parse_buffered(struct eddy_feed_parser *parser)
{
    struct eddy__mixin *p = &parser->mixin;
    struct eddy_buf utf8 = EDDY_BUF_INIT(0);
    struct eddy__encoding enc;
    const char *ct = header(parser, "content-type");
    bool http = parser->nheaders > 0; /* feedparser: HTTP rules apply when headers came */
    size_t input_len = parser->doc.len;
    /* text that is neither XML nor JSON gets its own message: libxml2's
     * would point at the XML declaration the conversion wrote */
    size_t ws = 0;
    while (ws < parser->doc.len && strchr(" \t\r\n", parser->doc.data[ws]) && parser->doc.data[ws])
        ws++;
    bool text = ws < parser->doc.len && !strchr("<{", parser->doc.data[ws]) &&
                (unsigned char)parser->doc.data[ws] < 0x80 && parser->doc.data[ws];
    /* a UTF-8 document's buffer becomes utf8's, uncopied */
    if (eddy__encoding_to_utf8_take(&parser->doc, ct, http, &utf8, &enc)) {
        eddy_buf_free(&parser->doc);
        p->oom = true;
    } else {
        eddy_buf_free(&parser->doc);
        snprintf(parser->encoding, sizeof parser->encoding, "%s", enc.encoding);
        if (enc.bozo) {
            set_bozo(parser, enc.exception);
            diag(parser, 0, "%s", enc.exception);
        }
        parser->strict = enc.encoding[0] != 0;
        size_t first_diag = parser->ndiags;
        size_t hend = head_end(utf8.data, utf8.len);
        if (!hend)
            hend = utf8.len;
        /* JSON Feed by type, or by its first byte unless typed as XML */
        bool json = json_type(ct) || (!xml_type(ct) && starts_with_brace(utf8.data, utf8.len));
        size_t xml_len = json ? 0 : cap_attributes(parser, utf8.data, utf8.len);
        if (hend > xml_len + 1)
            hend = xml_len + 1;
        if (!json)
            parse_whole(parser, utf8.data, xml_len, hend, enc.utf8_checked);
        /* not in callback mode: its entries were delivered already */
        bool over = parser->budget.over; /* the XML pass stopped at the budget: no other pass */
        if (!json && parser->xml_bozo && !p->oom && !p->on_entry && !over)
            loose_pass(parser, utf8.data, xml_len, hend);
        over = parser->budget.over;
        if (!json && parser->xml_bozo && text && !over)
            set_bozo(parser, "SAXParseException: <unknown>:1:1: not XML: the document is text, it "
                             "does not start with '<'");
        offsets_to_input(parser, first_diag, utf8.data, utf8.len, input_len, &enc);
        /* JSON as a fallback only when XML failed and found nothing */
        if (json || (parser->xml_bozo && !over && !eddy_feed_len(p->entries) &&
                     !eddy_feed_len(p->feeddata) && !p->version[0] && !parser->version_hint[0]))
            try_json(parser, utf8.data, utf8.len, json);
    }
    eddy_buf_free(&utf8);
}

/* The result's top-level object (feedparser.parse()'s dict) in the main
 * arena; NULL on ENOMEM. */
static struct eddy_feed_value *result_root(struct eddy_feed_parser *parser, bool empty)
{
    struct eddy__mixin *p = &parser->mixin;
    struct eddy_arena *A = &p->main;
    struct eddy_feed_value *root = eddy__v_obj(A);
    eddy__obj_set(A, root, "bozo", false, eddy__v_bool(A, parser->bozo));
    struct eddy_feed_value *entries =
        parser->streaming || !p->entries ? eddy__v_arr(A) : p->entries;
    eddy__obj_set(A, root, "entries", false, empty ? eddy__v_arr(A) : entries);
    eddy__obj_set(A, root, "feed", false, empty ? eddy__v_obj(A) : p->feeddata);
    struct eddy_feed_value *hdrs = eddy__v_obj(A);
    for (size_t i = 0; i < parser->nheaders; i++)
        eddy__obj_set(A, hdrs, parser->headers[i].name, true,
                      eddy__v_cstr(A, parser->headers[i].value));
    eddy__obj_set(A, root, "headers", false, hdrs);
    if (parser->url) {
        const char *etag = header(parser, "etag"), *lm = header(parser, "last-modified");
        if (etag)
            set_str(A, root, "etag", etag);
        if (lm && *lm) {
            set_str(A, root, "modified", lm);
            struct eddy_arena *save = p->arena;
            p->arena = A;
            eddy__obj_set(A, root, "modified_parsed", false, eddy__date_value(p, lm));
            p->arena = save;
        }
        set_str(A, root, "href", parser->url);
        eddy__obj_set(A, root, "status", false, eddy__v_int(A, 200));
    }
    if (!empty) {
        if (parser->bozo && parser->bozo_exception)
            set_str(A, root, "bozo_exception", parser->bozo_exception);
        set_str(A, root, "encoding", parser->encoding);
        set_str(A, root, "version", parser->version_hint[0] ? parser->version_hint : p->version);
        eddy__obj_set(A, root, "namespaces", false,
                      parser->is_json ? eddy__v_obj(A) : p->namespaces);
    }
    return root;
}

int eddy_feed_parser_finish(struct eddy_feed_parser *parser, struct eddy_feed **out)
{
    *out = NULL;
    if (!parser || parser->finished)
        return -EINVAL;
    parser->finished = true;
    struct eddy__mixin *p = &parser->mixin;
    bool empty = parser->doc.len == 0;
    budget_begin(parser);
    if (!parser->streaming) {
        if (!empty)
            parse_buffered(parser);
    } else if (!parser->head_done) {
        if (!empty)
            begin_doc(parser, parser->doc.data, parser->doc.len,
                      head_end(parser->doc.data, parser->doc.len), true);
    } else {
        empty = false;
        feed_body(parser, "", 0, true);
    }
    if (parser->streaming && p->entries)
        deliver(p); /* an entry the document never closed */
    budget_end(parser);
    p->arena = &p->main;

    struct eddy_feed *f = calloc(1, sizeof *f);
    if (!f || p->oom) {
        free(f);
        return -ENOMEM;
    }
    struct eddy_arena *A = &p->main;
    struct eddy_feed_value *root = result_root(parser, empty);
    /* diagnostics move into the result's arena, in document order: the
     * UTF-8 repair of callback mode reports a chunk's bytes before libxml2
     * reaches them, so the order of arrival depends on the chunking.  An
     * insertion sort, stable and linear on the nearly sorted list this is;
     * at one offset a repair goes before libxml2's errors ("<unknown>:..."),
     * as it does when the document comes in one piece. */
    for (size_t i = 1; i < parser->ndiags; i++) {
        struct eddy__diag d = parser->diags[i];
        size_t j = i;
        for (; j && (parser->diags[j - 1].offset > d.offset ||
                     (parser->diags[j - 1].offset == d.offset && *d.msg != '<' &&
                      *parser->diags[j - 1].msg == '<'));
             j--)
            parser->diags[j] = parser->diags[j - 1];
        parser->diags[j] = d;
    }
    f->diags = eddy_arena_alloc(A, (parser->ndiags ? parser->ndiags : 1) * sizeof *f->diags);
    for (size_t i = 0; f->diags && i < parser->ndiags; i++) {
        f->diags[i].offset = parser->diags[i].offset;
        f->diags[i].msg = eddy_arena_strndup(A, parser->diags[i].msg, strlen(parser->diags[i].msg));
        if (f->diags[i].msg)
            f->ndiags++;
    }
    f->root = root;
    f->skip_hours = p->skip_hours;
    f->skip_days = p->skip_days;
    f->arena = p->main;
    memset(&p->main, 0, sizeof p->main);
    if (!root || !f->diags) {
        eddy_feed_free(f);
        return -ENOMEM;
    }
    *out = f;
    return 0;
}

void eddy_feed_parser_free(struct eddy_feed_parser *parser)
{
    if (!parser)
        return;
    free_ctxt(parser);
    eddy__xfast_free(&parser->xf);
    eddy__mixin_free(&parser->mixin);
    eddy_arena_free(&parser->mixin.main);
    free(parser->url);
    for (size_t i = 0; i < parser->nheaders; i++) {
        free(parser->headers[i].name);
        free(parser->headers[i].value);
    }
    free(parser->headers);
    eddy_buf_free(&parser->doc);
    eddy_buf_free(&parser->carry);
    eddy_buf_free(&parser->rbuf);
    eddy__decoder_free(parser->dec);
    eddy_buf_free(&parser->dtext);
    free(parser->bozo_exception);
    for (size_t i = 0; i < parser->ndiags; i++)
        free(parser->diags[i].msg);
    free(parser->diags);
    for (size_t i = 0; i < parser->nents; i++) {
        free((void *)parser->ents[i]->name);
        free(parser->ents[i]->content);
        free(parser->ents[i]->orig);
        free(parser->ents[i]);
    }
    free(parser->ents);
    free(parser);
}

int eddy_feed_parse(const void *bytes, size_t len, const struct eddy_feed_opts *opts,
                    struct eddy_feed **out)
{
    *out = NULL;
    struct eddy_feed_parser *parser = eddy_feed_parser_new(opts);
    if (!parser)
        return -ENOMEM;
    int err = eddy_feed_parser_push(parser, bytes, len);
    if (!err)
        err = eddy_feed_parser_finish(parser, out);
    eddy_feed_parser_free(parser);
    return err;
}

size_t eddy__feed_parser_memory(const struct eddy_feed_parser *parser)
{
    const struct eddy__mixin *p = &parser->mixin;
    size_t n = p->main.total + p->entry.total + p->scratch.total + parser->doc.cap + p->pool.cap +
               p->out.cap + parser->carry.cap + parser->rbuf.cap;
    for (size_t i = 0; i < p->capframes; i++)
        n += p->frames[i].text.cap + p->frames[i].name.cap +
             p->frames[i].cappieces * sizeof *p->frames[i].pieces;
    return n;
}

void eddy_feed_free(struct eddy_feed *f)
{
    if (!f)
        return;
    eddy_arena_free(&f->arena);
    free(f);
}

const struct eddy_feed_value *eddy_feed_root(const struct eddy_feed *f)
{
    return f ? f->root : NULL;
}

void eddy_feed_skip(const struct eddy_feed *f, uint32_t *hours, uint8_t *days)
{
    *hours = f ? f->skip_hours : 0;
    *days = f ? f->skip_days : 0;
}

size_t eddy_feed_diag_count(const struct eddy_feed *f)
{
    return f ? f->ndiags : 0;
}

const char *eddy_feed_diag(const struct eddy_feed *f, size_t i, size_t *offset)
{
    if (!f || i >= f->ndiags)
        return NULL;
    if (offset)
        *offset = f->diags[i].offset;
    return f->diags[i].msg;
}
