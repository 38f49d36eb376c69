/*
 * xview.h — the document as libxml2 reads it in buffered mode (xview.c):
 * the same bytes, except that the text it would read one character at a
 * time is made ASCII, and the text handler maps what libxml2 delivers back
 * to the document's bytes.
 */
#ifndef EDDY_FEED_XVIEW_H
#define EDDY_FEED_XVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EDDY__X_TEXT, EDDY__X_CDATA, EDDY__X_REF };

struct eddy__xedit {
    uint32_t start, end; /* d[start..end) (parse_whole takes at most INT_MAX bytes) */
    uint8_t kind;        /* EDDY__X_TEXT: text with non-ASCII characters, EDDY__X_CDATA: a whole
                            section, EDDY__X_REF: a reference libxml2 would resolve itself */
    uint8_t rl;
    char rep[4]; /* EDDY__X_REF: its text, rep[0..rl) */
};

/* The edits are found as libxml2 reads: only those between what it has
 * delivered and what it has read are kept. */
struct eddy__xview {
    const char *d; /* the document libxml2 parses */
    size_t n;
    struct eddy__xedit *edits; /* sorted, disjoint */
    size_t nedits, capedits;
    size_t rd;    /* the first edit eddy__xview_read may still meet */
    size_t cd;    /* the first edit eddy__xview_map may still meet */
    size_t i;     /* the scanner: where it goes on */
    size_t depth; /* open elements */
    size_t run0;  /* the first edit of the current run */
    size_t final; /* the edits of d[0..final) are final */
    bool slow;    /* the current run keeps no edit */
    bool done;    /* no edit after d[final..) */
    bool applied; /* an edit reached libxml2 */
    bool off;     /* the view was turned off before any edit reached libxml2 */
};

/* False turns the view off (tests compare both ways; nothing else sets it). */
extern bool eddy__xview_enabled;

/* The view of d[0..n) (owned by the caller, and it must outlive the
 * view); free it with eddy__xview_free. */
void eddy__xview_init(struct eddy__xview *v, const char *d, size_t n);

/* eddy__xview_init, then all the edits found at once (tests): their number. */
size_t eddy__xview_scan(struct eddy__xview *v, const char *d, size_t n);

/* d[at..at+k) as libxml2 reads it, into out; calls come in document order. */
void eddy__xview_read(struct eddy__xview *v, size_t at, char *out, size_t k);

/* The text libxml2 delivered as d[at..at+len) of the view: fn gets the
 * document's text it stands for (CDATA content with its line ends
 * normalized as libxml2 does, in one or more pieces); calls come in
 * document order. */
void eddy__xview_map(struct eddy__xview *v, size_t at, size_t len,
                     void (*fn)(void *arg, const char *s, size_t n), void *arg);

void eddy__xview_free(struct eddy__xview *v);

#endif
