/*
 * encoding.h — feedparser's character-encoding rules (internal to feed/).
 *
 * feedparser converts every document to UTF-8 before parsing it
 * (encodings.py convert_to_utf8): the HTTP charset per RFC 3023, the XML
 * declaration and the byte order mark are weighed against each other, with
 * fallbacks, and some outcomes are reported as bozo conditions
 * (CharacterEncodingOverride, CharacterEncodingUnknown, NonXMLContentType).
 * The SAX driver (sax_driver.c) calls eddy__encoding_to_utf8() once on the
 * whole buffered document at finish, then parses the UTF-8 result (in
 * callback mode the eddy__decoder below decodes the declared encoding).
 * Pure function, no global state.
 */
#ifndef EDDY_FEED_ENCODING_H
#define EDDY_FEED_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy/buf.h"

struct eddy__encoding {
    char encoding[48]; /* as feedparser spells it: "utf-8", "us-ascii", "windows-1252"... "" unknown
                        */
    bool bozo;         /* an encoding condition feedparser reports */
    char exception[256]; /* "CharacterEncodingOverride: ..." when bozo */
    bool nonxml;         /* content type is not XML (feedparser's NonXMLContentType) */
    bool utf8_checked;   /* the input was UTF-8: its bytes were checked, and are the output's */
    /* how the UTF-8 maps back to the input, for diagnostic offsets: */
    size_t bom_len;      /* input bytes of the byte order mark, not decoded */
    size_t decl_written; /* the UTF-8 starts with this many bytes of a new XML declaration */
    size_t decl_dropped; /* ... replacing this many of the decoded text (the old declaration) */
};

/* feedparser's convert_to_utf8: decides the encoding of the whole document data[0..len) given the
 * HTTP Content-Type header (NULL when not fetched over HTTP) and appends the document as UTF-8 to
 * out (XML declaration rewritten as feedparser does). Returns 0 or a negative errno from out. */
int eddy__encoding_to_utf8(const char *data, size_t len, const char *content_type, bool http,
                           struct eddy_buf *out, struct eddy__encoding *res);

/* The same for a document in a buffer of its own, which out (empty) may
 * take over instead of copying it when the document is UTF-8 already: doc
 * is then left empty.  doc is freed by the caller either way. */
int eddy__encoding_to_utf8_take(struct eddy_buf *doc, const char *content_type, bool http,
                                struct eddy_buf *out, struct eddy__encoding *res);

/* Callback mode's decoder: a document in one encoding to UTF-8, chunk by
 * chunk, the same text whatever the chunks.  The name is looked up as
 * Python looks it up; glibc decodes (with the FIX_ output rules, not the
 * code tables), and each byte the codec rejects (or a character Python
 * rejects) reads as U+FFFD, told to `bad` with its offset in out and a
 * message.  A sequence cut by a chunk's end waits for the next chunk.
 * Open gives *out NULL (and 0) when the text is to be read as UTF-8: an
 * unknown name, UTF-8 itself, UTF-7, HZ, or UTF-16/32 without a BOM (bom
 * false).  Returns 0 or -ENOMEM; *out is freed with eddy__decoder_free. */
struct eddy__decoder;
typedef void (*eddy__decode_bad_fn)(void *arg, size_t at, const char *msg);
int eddy__decoder_open(const char *name, bool bom, struct eddy__decoder **out);
/* Appends the UTF-8 of in[0..n) to out; `last`: the document ends there.
 * 0 or a negative errno from out. */
int eddy__decoder_run(struct eddy__decoder *d, const char *in, size_t n, bool last,
                      struct eddy_buf *out, eddy__decode_bad_fn bad, void *arg);
void eddy__decoder_free(struct eddy__decoder *d);

#endif
