/*
 * xfast.h — a tokenizer of its own for well-formed XML (xfast.c), tried
 * before libxml2 in buffered mode.  It knows the XML a feed is made of and
 * gives up (EDDY__XFAST_GIVE_UP) at anything else — any error, a DOCTYPE,
 * an entity other than XML's five — so that libxml2 then parses the
 * document from the start and reports what it reports.  Its events are
 * libxml2's SAX2 ones, with the same arguments: the driver's handlers serve
 * both.
 */
#ifndef EDDY_FEED_XFAST_H
#define EDDY_FEED_XFAST_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy/arena.h"
#include "eddy/buf.h"

/* libxml2's startElementNsSAX2Func, endElementNsSAX2Func and
 * charactersSAXFunc, with xmlChar spelled out. */
struct eddy__xfast_sax {
    void (*start)(void *ud, const unsigned char *localname, const unsigned char *prefix,
                  const unsigned char *uri, int nb_namespaces, const unsigned char **namespaces,
                  int nb_attributes, int nb_defaulted, const unsigned char **attributes);
    void (*end)(void *ud, const unsigned char *localname, const unsigned char *prefix,
                const unsigned char *uri);
    void (*characters)(void *ud, const unsigned char *s, int len);
};

struct eddy__xname;

struct eddy__xfast {
    size_t at; /* the start of the markup or text being handled */
    bool stop; /* a handler said stop (eddy__xfast_stop) */
    bool utf8; /* set by the caller: the document is known to be valid UTF-8 */
    int max_depth;
    /* names and namespace names, interned as libxml2's dictionary does:
     * a name's pointer is its identity, until eddy__xfast_free */
    struct eddy_arena names;
    struct eddy__xname **tab;
    size_t tabcap, tabcount;
    /* scratch, kept across documents */
    struct xf_frame *stack;
    size_t capstack;
    struct xf_ns *ns;
    size_t nns, capns;
    const unsigned char **attrs; /* libxml2's 5 pointers an attribute, then 2 a declaration */
    size_t capattrs;
    struct eddy_buf vals; /* attribute values that differ from their text */
    struct eddy_buf text; /* text that differs from the document's bytes */
};

enum { EDDY__XFAST_DONE = 0, EDDY__XFAST_GIVE_UP = 1 };

/* False turns the tokenizer off (tests compare both ways; nothing else sets it). */
extern bool eddy__xfast_enabled;

/* Documents this thread's tokenizer read to the end (tests: it was used). */
extern _Thread_local size_t eddy__xfast_done;

/* Reads d[0..n) (UTF-8, n <= INT_MAX), calling sax with ud.  Returns
 * EDDY__XFAST_DONE when the whole document was read (or a handler stopped
 * it), EDDY__XFAST_GIVE_UP at anything this tokenizer does not take (the
 * events so far are to be thrown away), or -ENOMEM.  x starts zeroed and
 * is freed with eddy__xfast_free; names it handed out stay valid till then. */
int eddy__xfast_parse(struct eddy__xfast *x, const char *d, size_t n,
                      const struct eddy__xfast_sax *sax, void *ud);

/* From a handler: no more events. */
void eddy__xfast_stop(struct eddy__xfast *x);

void eddy__xfast_free(struct eddy__xfast *x);

#endif
