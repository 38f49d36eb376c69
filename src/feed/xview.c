/*
 * xview.c — what libxml2 reads in buffered mode, made cheap for it.
 *
 * libxml2 2.9's pull parser reads some text one character at a time,
 * through xmlCurrentChar and a copy: every CDATA section (xmlParseCDSect),
 * and the rest of a text after its first non-ASCII character
 * (xmlParseCharDataComplex); and each reference costs it a name lookup
 * (xmlParseReference, ~360 instructions for "&lt;").  On the bench corpus
 * that was over 40% of the instructions of parsing.  Plain ASCII text, though,
 * it delivers as slices of its input buffer.  So libxml2 reads a view of
 * the document in which, in element content, each non-ASCII byte of text,
 * each reference to one of XML's five entities or to a character, and each
 * CDATA section is made of 'x' (a section keeps its newlines, so lines
 * still count): the same length, the same markup, ASCII text only.  The
 * text handler gets slices of the view at known offsets and delivers the
 * document's text instead (eddy__xview_map): the bytes at those offsets, a
 * reference's character, a section's content with its line ends
 * normalized as xmlParseCDSect does ("\r\n" and a lone "\r" become
 * "\n").
 *
 * The scanner follows the markup of a well-formed document (tags with
 * quoted attribute values, comments, processing instructions, CDATA),
 * ahead of libxml2's reads, and stops making edits at anything else: there
 * libxml2 reports an error, or reads the rest as it always did.  It leaves
 * alone the text libxml2 may send to its slow path anyway, whose copies are
 * not slices of the view (so that a view 'x' would come out as 'x'): text
 * with a CR, a control character or invalid UTF-8, and CDATA content that
 * libxml2 rejects.  Columns in libxml2's messages count a view 'x' as one
 * character: once an edit reached libxml2, anything reported makes
 * sax_driver.c parse again without the view, so that messages and
 * positions are libxml2's own.
 */
#include "xview.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/text.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

bool eddy__xview_enabled = true;

/* Length of the non-ASCII character at s[0..n) when it is valid UTF-8 and
 * an XML Char (so no U+FFFE or U+FFFF; surrogates are not valid UTF-8), else 0. */
static size_t xml_char(const unsigned char *s, size_t n)
{
    size_t k = eddy__utf8_seq(s, n, NULL);
    if (k == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE)
        return 0;
    return k;
}

/* The length of the run at s[0..n) of bytes in 0x20..0x7F other than
 * '&': text libxml2 and the view read alike.  SSE2 takes 16 at a time (a
 * signed compare with 0x20 catches both the control bytes and those >=
 * 0x80); else 8 at a time, where none is >= 0x80, none borrows (< 0x20)
 * when 0x20 is taken from each, and none is zero once xored with '&'. */
static size_t plain_run(const unsigned char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi8(0x20), amp = _mm_set1_epi8('&');
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, amp)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#else
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, a;
        memcpy(&w, s + i, 8);
        a = w ^ (ones * '&');
        if (((w | (w - ones * 0x20)) & high) || ((a - ones) & ~a & high))
            break;
    }
#endif
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '&')
        i++;
    return i;
}

/* The index just past `end` (of el bytes) searched from s[i..n), or 0
 * when absent.  (memchr on its first byte: glibc's memmem took 5
 * instructions a byte for these.) */
static size_t past(const unsigned char *s, size_t n, size_t i, const char *end, size_t el)
{
    for (const unsigned char *hit; i + el <= n && (hit = memchr(s + i, end[0], n - i - el + 1));
         i = (size_t)(hit - s) + 1)
        if (!memcmp(hit, end, el))
            return (size_t)(hit - s) + el;
    return 0;
}

static int add_edit(struct eddy__xview *v, size_t start, size_t end, int kind, const char *rep,
                    size_t rl)
{
    if (v->nedits == v->capedits) {
        size_t cap = v->capedits ? v->capedits * 2 : 64;
        struct eddy__xedit *e = realloc(v->edits, cap * sizeof *e);
        if (!e)
            return -ENOMEM;
        v->edits = e;
        v->capedits = cap;
    }
    struct eddy__xedit *e = &v->edits[v->nedits++];
    *e = (struct eddy__xedit){(uint32_t)start, (uint32_t)end, (uint8_t)kind, (uint8_t)rl, {0}};
    for (size_t k = 0; k < rl; k++) /* (1 to 4 bytes: memcpy was a call) */
        e->rep[k] = rep[k];
    return 0;
}

/* The reference at s[i] ('&') when libxml2 reads it as one of XML's five
 * entities or a character reference to an XML Char, without a word: its
 * length, its text in rep[0..*rl).  Else 0 (other entities go to our
 * getEntity handler: libxml2 reads those). */
static size_t reference(const unsigned char *s, size_t i, size_t t, char rep[4], size_t *rl)
{
    if (t - i < 4)
        return 0;
    if (s[i + 1] != '#') {
        const unsigned char *r = s + i + 1;
        size_t n = 0;
        char c = 0;
        switch (r[0]) { /* "&lt;", "&gt;", "&amp;", "&apos;", "&quot;" */
        case 'l':
        case 'g':
            if (r[1] == 't' && r[2] == ';')
                n = 4, c = r[0] == 'l' ? '<' : '>';
            break;
        case 'a':
            if (t - i >= 5 && r[1] == 'm' && r[2] == 'p' && r[3] == ';')
                n = 5, c = '&';
            else if (t - i >= 6 && !memcmp(r, "apos;", 5))
                n = 6, c = '\'';
            break;
        case 'q':
            if (t - i >= 6 && !memcmp(r, "quot;", 5))
                n = 6, c = '"';
            break;
        }
        rep[0] = c;
        *rl = 1;
        return n;
    }
    bool hex = s[i + 2] == 'x';
    size_t d = i + 2 + hex, j = d;
    uint32_t cp = 0;
    for (; j < t && j - d < 7; j++) { /* 7 digits: no overflow */
        unsigned c = s[j], low = c | 0x20;
        if (c - '0' < 10u)
            cp = cp * (hex ? 16 : 10) + (c - '0');
        else if (hex && low - 'a' < 6u)
            cp = cp * 16 + (low - 'a' + 10);
        else
            break;
    }
    if (j == d || j >= t || s[j] != ';')
        return 0;
    if (!(cp == 9 || cp == 10 || cp == 13 || (cp >= 0x20 && cp <= 0xD7FF) ||
          (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF)))
        return 0;
    *rl = eddy__utf8_encode(cp, rep);
    return j + 1 - i;
}

/* Text s[i..t) of element content, or the content of a CDATA section
 * (cdata): adds the edits of text (its non-ASCII characters, its
 * references), or sets *slow when libxml2 may read part of it character
 * by character all the same: a CR (even in "\r\n": at the end of
 * libxml2's buffer one sends it to the slow path), a control character,
 * invalid UTF-8, a character that is no XML Char, or "]]>" (which the
 * fast path misses across its buffer's end).  In a CDATA section CRs are
 * fine: the whole section is replaced.  Returns 0 or -ENOMEM. */
static int text_scan(struct eddy__xview *v, const unsigned char *s, size_t i, size_t t, bool cdata,
                     bool *slow)
{
    size_t first = 0, last = 0; /* non-ASCII characters not yet in an edit */
    if (!cdata && past(s, t, i, "]]>", 3)) {
        *slow = true;
        return 0;
    }
    while ((i += plain_run(s + i, t - i)) < t) {
        unsigned char c = s[i];
        char rep[4];
        size_t k, rl;
        if (c == '\n' || c == '\t' || (c == '\r' && cdata) || (c == '&' && cdata)) {
            i++;
        } else if (c == '&') {
            if (!(k = reference(s, i, t, rep, &rl))) {
                i++;
                continue;
            }
            if ((last && add_edit(v, first, last, EDDY__X_TEXT, NULL, 0)) ||
                add_edit(v, i, i + k, EDDY__X_REF, rep, rl))
                return -ENOMEM;
            first = last = 0;
            i += k;
        } else if (c < 0x80 || !(k = xml_char(s + i, t - i))) {
            *slow = true;
            return 0;
        } else {
            if (!last)
                first = i;
            i += k; /* and the non-ASCII characters right after it */
            while (i < t && s[i] >= 0x80 && (k = xml_char(s + i, t - i)))
                i += k;
            last = i;
        }
    }
    return last && !cdata ? add_edit(v, first, last, EDDY__X_TEXT, NULL, 0) : 0;
}

/* The end of the start tag at s[i] ('<' then a name start): past its '>'
 * (*empty when it is "/>"), or 0 when it is not a well-formed one. */
static size_t tag_end(const unsigned char *s, size_t n, size_t i, bool *empty)
{
    unsigned char quote = 0;
    for (size_t j = i + 1; j < n; j++) {
        unsigned char c = s[j];
        if (c == '<')
            return 0;
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            *empty = s[j - 1] == '/';
            return j + 1;
        }
    }
    return 0;
}

void eddy__xview_init(struct eddy__xview *v, const char *doc, size_t n)
{
    memset(v, 0, sizeof *v);
    v->d = doc;
    v->n = n;
    v->done = !eddy__xview_enabled;
    v->final = v->done ? n : 0;
}

/* The scanner's end: the edits of an unfinished run are dropped too. */
static void scan_done(struct eddy__xview *v)
{
    v->nedits = v->run0;
    v->done = true;
    v->final = v->n;
}

/* One step of the scanner: the text up to the next '<' and the markup
 * there.  A run (the text and CDATA sections between two other markups)
 * is one text to libxml2 in the view; once its slow path starts, it
 * copies to the run's end: a run with anything slow keeps no edit.  The
 * edits before the current run (its first is run0; its text starts at
 * final) are final. */
static void scan_step(struct eddy__xview *v)
{
    const unsigned char *s = (const unsigned char *)v->d;
    size_t n = v->n, i = v->i;
    const unsigned char *lt = memchr(s + i, '<', n - i);
    size_t t = lt ? (size_t)(lt - s) : n;
    if (v->depth && t > i && text_scan(v, s, i, t, false, &v->slow))
        return scan_done(v); /* ENOMEM: no more edits is fine */
    if (!lt || n - t < 2) {
        if (!v->slow)
            v->run0 = v->nedits;
        return scan_done(v);
    }
    i = t;
    bool cdata = n - i >= 9 && !memcmp(s + i, "<![CDATA[", 9);
    size_t next = cdata && v->depth ? past(s, n, i + 9, "]]>", 3) : 0;
    if (next) {
        if (text_scan(v, s, i + 9, next - 3, true, &v->slow) ||
            add_edit(v, i, next, EDDY__X_CDATA, NULL, 0))
            return scan_done(v);
        v->i = next;
        return; /* the run goes on */
    }
    if (v->slow) /* other markup: the run ends */
        v->nedits = v->run0;
    v->slow = false;
    v->run0 = v->nedits;
    unsigned char c = s[i + 1];
    if (cdata) {
        next = 0; /* not finished, or out of the root */
    } else if (n - i >= 4 && !memcmp(s + i, "<!--", 4)) {
        next = past(s, n, i + 4, "-->", 3);
    } else if (c == '?') {
        next = past(s, n, i + 2, "?>", 2);
    } else if (c == '/') {
        const unsigned char *gt = v->depth ? memchr(s + i, '>', n - i) : NULL;
        next = gt ? (size_t)(gt - s) + 1 : 0;
        v->depth -= v->depth > 0;
    } else if (c >= 0x80 || c == '_' || c == ':' || (unsigned)((c | 0x20) - 'a') < 26u) {
        bool empty = false;
        next = tag_end(s, n, i, &empty);
        v->depth += !empty;
    } else {
        next = 0; /* a DOCTYPE or a stray '<': leave the rest to libxml2 */
    }
    if (!next)
        return scan_done(v);
    v->i = v->final = next;
}

size_t eddy__xview_scan(struct eddy__xview *v, const char *doc, size_t n)
{
    eddy__xview_init(v, doc, n);
    while (!v->done)
        scan_step(v);
    return v->nedits;
}

void eddy__xview_read(struct eddy__xview *v, size_t at, char *out, size_t k)
{
    memcpy(out, v->d + at, k);
    if (v->off)
        return;
    size_t end = at + k;
    if (v->cd > 1024 && v->cd > v->nedits / 2) { /* edits mapped already: memory stays small */
        memmove(v->edits, v->edits + v->cd, (v->nedits - v->cd) * sizeof *v->edits);
        v->nedits -= v->cd;
        v->rd -= v->cd;
        v->run0 -= v->cd;
        v->cd = 0;
    }
    while (v->final < end)
        scan_step(v);
    for (; v->rd < v->nedits && v->edits[v->rd].start < end; v->rd++) {
        const struct eddy__xedit *e = &v->edits[v->rd];
        v->applied = true;
        size_t s = e->start > at ? e->start : at, t = e->end < end ? e->end : end;
        if (e->kind == EDDY__X_REF) {
            memset(out + (s - at), 'x', t - s);
        } else if (e->kind == EDDY__X_CDATA) {
            memset(out + (s - at), 'x', t - s);
            for (const char *nl = memchr(v->d + s, '\n', t - s); nl;
                 nl = memchr(nl + 1, '\n', (size_t)(v->d + t - nl - 1)))
                out[nl - v->d - at] = '\n';
        } else {
            size_t j = s;
            for (; j + 8 <= t; j += 8) { /* each byte >= 0x80 of 8 becomes 'x' */
                uint64_t w, high;
                memcpy(&w, out + (j - at), 8);
                high = ((w & 0x8080808080808080ull) >> 7) * 0xFF;
                w = (w & ~high) | (0x7878787878787878ull & high);
                memcpy(out + (j - at), &w, 8);
            }
            for (; j < t; j++)
                if (out[j - at] & 0x80)
                    out[j - at] = 'x';
        }
        if (e->end > end)
            break; /* the rest of it in the next read */
    }
}

/* CDATA content d[s..t), its line ends as xmlCurrentChar reads them. */
static void cdata_text(const char *d, size_t s, size_t t, void (*fn)(void *, const char *, size_t),
                       void *arg)
{
    while (s < t) {
        const char *cr = memchr(d + s, '\r', t - s);
        size_t r = cr ? (size_t)(cr - d) : t;
        if (r > s)
            fn(arg, d + s, r - s);
        if (!cr)
            return;
        if (d[r + 1] != '\n') /* (content is followed by "]]>") */
            fn(arg, "\n", 1);
        s = r + 1;
    }
}

/* The pieces of one slice, joined before they reach the handler: a text
 * full of references ("&lt;p&gt;...") came as a call per piece (the
 * handler's cost per call was more than the copy).  A piece that does
 * not fit goes through as it is when long; an empty one too, in order. */
struct sink {
    void (*fn)(void *arg, const char *s, size_t n);
    void *arg;
    size_t n;
    char buf[512];
};

static void sink_flush(struct sink *k)
{
    if (k->n)
        k->fn(k->arg, k->buf, k->n);
    k->n = 0;
}

static void sink_put(void *sink, const char *s, size_t n)
{
    struct sink *k = sink;
    if (n && k->n + n <= sizeof k->buf) {
        memcpy(k->buf + k->n, s, n);
        k->n += n;
        return;
    }
    sink_flush(k);
    if (n && n <= sizeof k->buf / 4) {
        memcpy(k->buf, s, n);
        k->n = n;
        return;
    }
    k->fn(k->arg, s, n);
}

static void map_pieces(struct eddy__xview *v, size_t at, size_t len,
                       void (*fn)(void *arg, const char *s, size_t n), void *arg)
{
    size_t end = at + len, pos = at;
    while (v->cd < v->nedits && v->edits[v->cd].end <= at)
        v->cd++;
    for (size_t k = v->cd; k < v->nedits && v->edits[k].start < end; k++) {
        const struct eddy__xedit *e = &v->edits[k];
        if (e->kind == EDDY__X_TEXT)
            continue; /* its text is the document's at the same offsets */
        if (e->start > pos) {
            fn(arg, v->d + pos, e->start - pos);
            pos = e->start;
        }
        bool begins = e->start == pos; /* (else its start was in an earlier slice) */
        if (e->kind == EDDY__X_REF) {
            if (begins)
                fn(arg, e->rep, e->rl);
        } else {
            size_t cs = e->start + 9, ce = e->end - 3; /* the content */
            if (begins && cs == ce)
                fn(arg, "", 0); /* an empty section: libxml2 reports it too */
            size_t s = pos > cs ? pos : cs, t = end < ce ? end : ce;
            if (s < t)
                cdata_text(v->d, s, t, fn, arg);
        }
        pos = e->end < end ? e->end : end;
    }
    if (pos < end)
        fn(arg, v->d + pos, end - pos);
}

void eddy__xview_map(struct eddy__xview *v, size_t at, size_t len,
                     void (*fn)(void *arg, const char *s, size_t n), void *arg)
{
    struct sink sink; /* (buf is not zeroed: only its first n bytes are read) */
    sink.fn = fn;
    sink.arg = arg;
    sink.n = 0;
    map_pieces(v, at, len, sink_put, &sink);
    sink_flush(&sink);
}

void eddy__xview_free(struct eddy__xview *v)
{
    free(v->edits);
    memset(v, 0, sizeof *v);
}
