/*
 * digest.c — "Letters from a Feed": the entries new since a time, grouped by
 * feed, as an HTML document for mail clients, as plain text, as a MIME
 * message (or an mbox record) and as a merged feed; and sending a message
 * through libcurl's SMTP.
 *
 * Entry HTML is the parser's sanitized output; it is parsed once more with
 * libxml2's HTML parser (lenient, no network) to make its links absolute,
 * turn images into links and render the text part from the same tree.
 */
#include "river.h"

#include "eddy/app.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/uri.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define WRAP 72 /* columns of the text part */

struct item {
    size_t feed; /* index in d->feeds: the grouping key */
    struct eddy_store_entry e;
};

struct eddy_app_digest {
    struct eddy_store_feed *feeds; /* the store's order: category, title */
    size_t nfeeds;
    struct item *items; /* by feed, then newest first */
    size_t n, omitted, groups;
    int64_t since, now;
};

/* ------------------------------------------------------------ compile */

static int by_feed_then_date(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->feed != y->feed)
        return x->feed < y->feed ? -1 : 1;
    if (x->e.date != y->e.date)
        return x->e.date > y->e.date ? -1 : 1;
    return x->e.id > y->e.id ? -1 : x->e.id < y->e.id;
}

/* Takes the page's entries first seen since d->since into d->items (at most
 * max; the rest counted as omitted). */
static int take(struct eddy_app_digest *d, struct eddy_store_page *page, size_t max, size_t *cap)
{
    for (size_t i = 0; i < page->n; i++) {
        struct eddy_store_entry *e = &page->entries[i];
        if (e->first_seen < d->since)
            continue;
        const struct eddy_store_feed *f = eddy__app_feed(d->feeds, d->nfeeds, e->feed_id);
        if (!f) /* removed meanwhile */
            continue;
        if (d->n == max) {
            d->omitted++;
            continue;
        }
        if (d->n == *cap) {
            size_t c = *cap ? *cap * 2 : 64;
            struct item *p = realloc(d->items, c * sizeof *p);
            if (!p)
                return -ENOMEM;
            d->items = p, *cap = c;
        }
        if (eddy__app_entry_utf8(e) < 0) /* its HTML goes through libxml2, which keeps bad bytes */
            return -ENOMEM;
        d->items[d->n++] = (struct item){.feed = (size_t)(f - d->feeds), .e = *e};
        *e = (struct eddy_store_entry){0}; /* moved: page_fini frees nothing of it */
    }
    return 0;
}

int eddy_app_digest_compile(struct eddy_store *s, const struct eddy_app_digest_opts *o,
                            struct eddy_app_digest **out)
{
    *out = NULL;
    if (!s || !o || o->since < 0)
        return -EINVAL;
    struct eddy_app_digest *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->since = o->since;
    d->now = o->now ? o->now : (int64_t)time(NULL);
    size_t max = o->max_entries ? o->max_entries : 500, cap = 0;
    int err = eddy_store_feeds(s, &d->feeds, &d->nfeeds);
    /* Pages newest first down to the lookback; entries first seen before
     * `since` are skipped on the way. */
    struct eddy_store_cursor after;
    struct eddy_store_query q = {
        .since = o->since > EDDY_APP_DIGEST_LOOKBACK ? o->since - EDDY_APP_DIGEST_LOOKBACK : 0,
        .limit = EDDY_STORE_LIMIT_MAX,
    };
    for (bool more = err >= 0; more;) {
        struct eddy_store_page page = {0};
        err = eddy_store_entries(s, &q, &page);
        if (err >= 0)
            err = take(d, &page, max, &cap);
        more = err >= 0 && page.more;
        after = page.next, q.after = &after;
        eddy_store_page_fini(&page);
    }
    if (err < 0) {
        eddy_app_digest_free(d);
        return err;
    }
    if (d->n)
        qsort(d->items, d->n, sizeof *d->items, by_feed_then_date);
    for (size_t i = 0; i < d->n; i++)
        d->groups += !i || d->items[i].feed != d->items[i - 1].feed;
    *out = d;
    return 0;
}

struct compile_call {
    const struct eddy_app_digest_opts *o;
    struct eddy_app_digest **out;
};

static int compile_call(struct eddy_store *s, void *arg)
{
    struct compile_call *c = arg;
    return eddy_app_digest_compile(s, c->o, c->out);
}

int eddy_app_digest_compile_await(struct eddy_store *s, const struct eddy_app_digest_opts *o,
                                  struct eddy_app_digest **out)
{
    *out = NULL;
    struct compile_call c = {o, out};
    int err = eddy_store_run_await(s, false, compile_call, &c);
    if (err < 0 && *out) { /* cancelled after the compile ended */
        eddy_app_digest_free(*out);
        *out = NULL;
    }
    return err;
}

void eddy_app_digest_free(struct eddy_app_digest *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        eddy_store_entry_fini(&d->items[i].e);
    free(d->items);
    eddy_store_feeds_free(d->feeds, d->nfeeds);
    free(d);
}

size_t eddy_app_digest_count(const struct eddy_app_digest *d, size_t *omitted, size_t *feeds)
{
    if (omitted)
        *omitted = d->omitted;
    if (feeds)
        *feeds = d->groups;
    return d->n;
}

char *eddy_app_digest_subject(const struct eddy_app_digest *d)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    int err =
        eddy_buf_printf(&b, "Letters from a Feed: %zu new entr%s", d->n, d->n == 1 ? "y" : "ies");
    /* The first two feeds by name, then how many more. */
    for (size_t i = 0, shown = 0; i < d->n && !err; i++) {
        if (i && d->items[i].feed == d->items[i - 1].feed)
            continue;
        if (shown == 2) {
            err = eddy_buf_printf(&b, " and %zu more", d->groups - 2);
            break;
        }
        const char *sep = !shown ? " from " : d->groups == 2 ? " and " : ", ";
        err = eddy_buf_puts(&b, sep);
        err = err ? err
                  : eddy__app_put(&b, eddy__app_feed_title(&d->feeds[d->items[i].feed]),
                                  EDDY__ESC_NONE);
        shown++;
    }
    /* A title's line breaks would break the header. */
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\n' || b.data[i] == '\r' || b.data[i] == '\t')
            b.data[i] = ' ';
    if (err) {
        eddy_buf_free(&b);
        return NULL;
    }
    return eddy_buf_detach(&b, NULL);
}

/* ------------------------------------------------- entry HTML, reworked */

static bool is(const xmlNode *n, const char *names)
{
    /* names: "|a|b|c|" */
    char key[16];
    size_t len = strlen((const char *)n->name);
    if (len + 3 > sizeof key)
        return false;
    snprintf(key, sizeof key, "|%s|", (const char *)n->name);
    return strstr(names, key) != NULL;
}

#define DROPPED                                                                                    \
    "|script|style|iframe|frame|frameset|object|embed|applet|form|base|meta|link|noscript|"
#define BLOCKS                                                                                     \
    "|p|div|h1|h2|h3|h4|h5|h6|ul|ol|li|dl|dt|dd|blockquote|pre|table|tr|hr|figure|figcaption|"     \
    "section|article|header|footer|aside|nav|address|details|summary|"
#define URL_ATTR "|href|src|cite|action|formaction|poster|background|longdesc|srcset|usemap|data|"

/* `ref` (taken: freed here) resolved against `base` when the result is a
 * link eddy writes (http, https, mailto); malloc'ed (xmlFree), else NULL. */
static xmlChar *absolute(xmlChar *ref, const char *base)
{
    if (!ref)
        return NULL;
    const xmlChar *r = ref;
    while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
        r++;
    /* An empty href (the sanitizer's leftover of a javascript: one) would
     * resolve to the base itself. */
    xmlChar *u = *r ? xmlBuildURI(r, (const xmlChar *)(base ? base : "")) : NULL;
    xmlFree(ref);
    if (u && !eddy__app_link_ok((const char *)u, true)) {
        xmlFree(u);
        u = NULL;
    }
    return u;
}

/* Rewrites the tree under n for mail: see eddy_app_digest_html in app.h. */
static void rework(xmlNode *n, const char *base)
{
    for (xmlNode *next; n; n = next) {
        next = n->next;
        if (n->type != XML_ELEMENT_NODE) {
            if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
                xmlUnlinkNode(n);
                xmlFreeNode(n);
            }
            continue;
        }
        if (is(n, DROPPED)) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            continue;
        }
        if (is(n, "|img|")) {
            xmlChar *src = absolute(xmlGetProp(n, (const xmlChar *)"src"), base);
            xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");
            xmlNode *a = src ? xmlNewDocNode(n->doc, NULL, (const xmlChar *)"a", NULL) : NULL;
            if (a) {
                xmlNewProp(a, (const xmlChar *)"href", src);
                xmlNodeAddContent(a, (const xmlChar *)(alt && *alt ? "[image: " : "[image"));
                xmlNodeAddContent(a, alt ? alt : (const xmlChar *)"");
                xmlNodeAddContent(a, (const xmlChar *)"]");
                xmlReplaceNode(n, a);
            } else {
                xmlUnlinkNode(n);
            }
            xmlFreeNode(n);
            xmlFree(src);
            xmlFree(alt);
            continue;
        }
        /* URL attributes: an <a href> made absolute; the others dropped
         * (nothing is loaded from a mail). */
        for (xmlAttr *at = n->properties, *an; at; at = an) {
            an = at->next;
            char key[40];
            snprintf(key, sizeof key, "|%.30s|", (const char *)at->name);
            bool url = strstr(URL_ATTR, key) != NULL;
            if (!url && strncasecmp((const char *)at->name, "on", 2))
                continue;
            xmlChar *v = url && is(n, "|a|") && !strcmp((const char *)at->name, "href")
                             ? absolute(xmlGetProp(n, at->name), base)
                             : NULL;
            if (v)
                xmlSetProp(n, at->name, v);
            else
                xmlRemoveProp(at);
            xmlFree(v);
        }
        if (is(n, "|pre|"))
            xmlSetProp(n, (const xmlChar *)"style",
                       (const xmlChar *)"white-space:pre-wrap;background:#f6f6f6;padding:8px");
        else if (is(n, "|blockquote|"))
            xmlSetProp(n, (const xmlChar *)"style",
                       (const xmlChar *)"margin:0 0 0 4px;padding-left:12px;border-left:3px solid "
                                        "#ccc;color:#555");
        rework(n->children, base);
    }
}

/* The text part, written as it is walked: words wrapped at WRAP columns. */
struct text {
    struct eddy_buf *out;
    int breaks; /* line ends owed before the next word (2: a blank line) */
    bool space; /* a space owed before the next word */
    size_t col; /* characters on the current line */
    int pre;    /* inside <pre>: text as is */
    int quote;  /* <blockquote> depth: lines start with "> " that many times */
    int item;   /* the next <li>'s number in an <ol>; 0: bullets */
    int err;
};

static size_t width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

static void block(struct text *t, int breaks)
{
    if (t->col || t->breaks)
        t->breaks = breaks > t->breaks ? breaks : t->breaks;
    t->space = false;
}

static void word(struct text *t, const char *w, size_t n)
{
    if (t->err || !n)
        return;
    size_t wd = width(w, n);
    if (t->breaks) {
        for (int i = 0; i < t->breaks && !t->err; i++)
            t->err = eddy_buf_putc(t->out, '\n');
        t->col = 0, t->breaks = 0;
    } else if (t->space && t->col) {
        bool wrap = t->col + 1 + wd > WRAP;
        t->err = eddy_buf_putc(t->out, wrap ? '\n' : ' ');
        t->col = wrap ? 0 : t->col + 1;
    }
    for (int i = 0; i < t->quote && !t->col && !t->err; i++)
        t->err = eddy_buf_puts(t->out, "> ");
    t->col += t->col ? 0 : 2 * (size_t)t->quote;
    t->space = false;
    t->err = t->err ? t->err : eddy_buf_append(t->out, w, n);
    t->col += wd;
}

/* Text, cleaned (eddy__app_put) and split into words. */
static void words(struct text *t, const char *s)
{
    struct eddy_buf clean = EDDY_BUF_INIT(0);
    if ((t->err = t->err ? t->err : eddy__app_put(&clean, s, EDDY__ESC_NONE)))
        return;
    const char *p = eddy_buf_cstr(&clean);
    if (t->pre) { /* as is, line by line */
        for (size_t n; *p; p += n + (p[n] == '\n')) {
            n = strcspn(p, "\n");
            word(t, p, n);
            if (p[n] == '\n')
                t->breaks = t->breaks ? t->breaks : 1;
        }
    } else {
        for (size_t n; *p; p += n) {
            size_t sp = strspn(p, " \t\r\n\f");
            t->space |= sp > 0;
            p += sp;
            n = strcspn(p, " \t\r\n\f");
            word(t, p, n);
        }
    }
    eddy_buf_free(&clean);
}

static void to_text(struct text *t, xmlNode *n)
{
    for (; n && !t->err; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            words(t, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "|br|")) {
            block(t, 1);
            continue;
        }
        bool blk = is(n, BLOCKS), pre = is(n, "|pre|");
        /* A line apart: items, rows, and a list inside an item. */
        int breaks = is(n, "|li|tr|dt|dd|") || (n->parent && is(n->parent, "|li|")) ? 1 : 2;
        if (blk)
            block(t, breaks);
        if (is(n, "|li|")) {
            char mark[16];
            int len = t->item ? snprintf(mark, sizeof mark, "%d.", t->item++) : 1;
            word(t, t->item ? mark : "-", (size_t)len);
            t->space = true;
        }
        int item = t->item;
        if (is(n, "|ol|ul|"))
            t->item = is(n, "|ol|");
        bool quote = is(n, "|blockquote|");
        t->pre += pre, t->quote += quote;
        to_text(t, n->children);
        t->pre -= pre, t->quote -= quote;
        t->item = item;
        xmlChar *href = is(n, "|a|") ? xmlGetProp(n, (const xmlChar *)"href") : NULL;
        if (href) { /* "text <url>", unless the text is the URL */
            xmlChar *content = xmlNodeGetContent(n);
            if (!content || !strstr((const char *)content, (const char *)href)) {
                char *s = NULL;
                if (asprintf(&s, "<%s>", (const char *)href) < 0)
                    t->err = -ENOMEM;
                t->space = true;
                words(t, s);
                free(s);
            }
            xmlFree(content);
            xmlFree(href);
        }
        if (blk)
            block(t, breaks);
    }
}

/* Parses one entry's stored HTML and appends it reworked for mail (html,
 * may be NULL) and as text (text, may be NULL). */
static int render_entry_html(const char *content, const char *base, struct eddy_buf *html,
                             struct text *text)
{
    if (!content || !*content)
        return 0;
    htmlDocPtr doc = htmlReadMemory(content, (int)strnlen(content, INT32_MAX), NULL, "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!doc)
        return -ENOMEM;
    xmlNode *body = xmlDocGetRootElement(doc);
    body = body ? body->children : NULL;
    while (body && !(body->type == XML_ELEMENT_NODE && is(body, "|body|")))
        body = body->next;
    int err = 0;
    if (body) {
        rework(body->children, base);
        if (text) {
            to_text(text, body->children);
            err = text->err;
        }
        for (xmlNode *c = body->children; c && html && !err; c = c->next) {
            xmlBufferPtr b = xmlBufferCreate();
            if (!b || htmlNodeDump(b, doc, c) < 0)
                err = -ENOMEM;
            else
                err = eddy_buf_append(html, xmlBufferContent(b), (size_t)xmlBufferLength(b));
            xmlBufferFree(b);
        }
    }
    xmlFreeDoc(doc);
    return err;
}

/* ------------------------------------------------------ HTML and text */

#define H(s) eddy__app_put(out, (s), EDDY__ESC_XML)

/* "2026-12-06 22:32 CET": the reader's local time (the process's TZ). */
static void mail_date(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        tm = (struct tm){.tm_year = 70, .tm_mday = 1};
    strftime(out, 32, "%Y-%m-%d %H:%M %Z", &tm);
}

/* <a href="url" style="...">text</a>, or the text alone when url is no link. */
static int html_link(struct eddy_buf *out, const char *url, const char *style, const char *text)
{
    int err = 0;
    if (eddy__app_link_ok(url, false)) {
        err = eddy_buf_puts(out, "<a href=\"");
        err = err ? err : H(url);
        err = err ? err : eddy_buf_printf(out, "\" style=\"%s\">", style);
    }
    err = err ? err : H(text);
    return err ? err : eddy__app_link_ok(url, false) ? eddy_buf_puts(out, "</a>") : 0;
}

static int html_entry(struct eddy_buf *out, const struct eddy_store_entry *e)
{
    char date[32];
    mail_date(e->date, date);
    int err = eddy_buf_puts(out, "<div style=\"margin:0 0 28px\">\n"
                                 "<h3 style=\"font-size:18px;line-height:1.3;margin:0 0 2px\">");
    err = err ? err
              : html_link(out, e->link, "color:#1a4f8b;text-decoration:none",
                          e->title && *e->title ? e->title : "(untitled)");
    err = err ? err
              : eddy_buf_puts(out, "</h3>\n<p style=\"color:#777;font-size:13px;margin:0 0 8px\">");
    if (!err && e->author && *e->author)
        err = (err = H(e->author)) ? err : eddy_buf_puts(out, " &middot; ");
    err =
        err ? err : eddy_buf_printf(out, "%s</p>\n<div style=\"overflow-wrap:break-word\">", date);
    err = err ? err : render_entry_html(e->content ? e->content : e->summary, e->link, out, NULL);
    return err ? err : eddy_buf_puts(out, "</div>\n</div>\n");
}

int eddy_app_digest_html(const struct eddy_app_digest *d, struct eddy_buf *out)
{
    size_t start = out->len;
    char since[32];
    mail_date(d->since, since);
    char *subject = eddy_app_digest_subject(d);
    int err = subject ? 0 : -ENOMEM;
    err = err ? err
              : eddy_buf_puts(out,
                              "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
                              "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    err = err ? err : H(subject);
    free(subject);
    err = err ? err
              : eddy_buf_printf(
                    out,
                    "</title></head>\n<body style=\"margin:0;padding:0;background:#f3f1ec\">\n"
                    "<div style=\"max-width:640px;margin:0 auto;padding:24px 20px;background:#fff;"
                    "color:#222;font-family:Georgia,'Times New Roman',serif;font-size:17px;"
                    "line-height:1.55\">\n"
                    "<h1 style=\"font-size:26px;margin:0 0 4px\">Letters from a Feed</h1>\n"
                    "<p style=\"color:#777;font-size:14px;margin:0 0 24px\">%zu new entr%s from "
                    "%zu feed%s since %s</p>\n",
                    d->n, d->n == 1 ? "y" : "ies", d->groups, d->groups == 1 ? "" : "s", since);
    for (size_t i = 0; i < d->n && !err; i++) {
        const struct eddy_store_feed *f = &d->feeds[d->items[i].feed];
        if (!i || d->items[i].feed != d->items[i - 1].feed) {
            err = eddy_buf_puts(out, "<h2 style=\"font-size:20px;margin:32px 0 14px;padding-bottom:"
                                     "4px;border-bottom:1px solid #ddd\">");
            err = err ? err
                      : html_link(out, f->site_link, "color:#222;text-decoration:none",
                                  eddy__app_feed_title(f));
            err = err ? err : eddy_buf_puts(out, "</h2>\n");
        }
        err = err ? err : html_entry(out, &d->items[i].e);
    }
    if (!err && !d->n)
        err = eddy_buf_puts(out, "<p>Nothing new.</p>\n");
    if (!err && d->omitted)
        err = eddy_buf_printf(out, "<p style=\"color:#777\">%zu more entries are not shown.</p>\n",
                              d->omitted);
    err = err ? err
              : eddy_buf_puts(out, "<p style=\"color:#999;font-size:12px;margin:32px 0 0\">"
                                   "Sent by eddy.</p>\n</div>\n</body></html>\n");
    return eddy__app_undo(out, start, err);
}

int eddy_app_digest_text(const struct eddy_app_digest *d, struct eddy_buf *out)
{
    char since[32], date[32];
    mail_date(d->since, since);
    struct text t = {.out = out};
    size_t start = out->len;
    t.err =
        eddy_buf_printf(out, "Letters from a Feed\n\n%zu new entr%s from %zu feed%s since %s", d->n,
                        d->n == 1 ? "y" : "ies", d->groups, d->groups == 1 ? "" : "s", since);
    t.col = 1; /* on that line */
    for (size_t i = 0; i < d->n && !t.err; i++) {
        const struct eddy_store_feed *f = &d->feeds[d->items[i].feed];
        const struct eddy_store_entry *e = &d->items[i].e;
        if (!i || d->items[i].feed != d->items[i - 1].feed) {
            /* "== Title ==" heading, then the site */
            block(&t, 2);
            t.breaks = 3;
            words(&t, "==");
            t.space = true;
            words(&t, eddy__app_feed_title(f));
            t.space = true;
            words(&t, "==");
            if (eddy__app_link_ok(f->site_link, false)) {
                block(&t, 1);
                words(&t, f->site_link);
            }
        }
        block(&t, 2);
        words(&t, e->title && *e->title ? e->title : "(untitled)");
        if (eddy__app_link_ok(e->link, false)) {
            block(&t, 1);
            words(&t, e->link);
        }
        block(&t, 1);
        mail_date(e->date, date);
        if (e->author && *e->author) {
            words(&t, e->author);
            words(&t, ",");
            t.space = true;
        }
        words(&t, date);
        block(&t, 2);
        if (!t.err)
            t.err = render_entry_html(e->content ? e->content : e->summary, e->link, NULL, &t);
    }
    if (!t.err && d->omitted) {
        char more[64];
        snprintf(more, sizeof more, "%zu more entries are not shown.", d->omitted);
        block(&t, 2);
        words(&t, more);
    }
    block(&t, 2);
    t.breaks = 2;
    word(&t, "-- ", 3);
    block(&t, 1);
    words(&t, "Sent by eddy.");
    return eddy__app_undo(out, start, t.err ? t.err : eddy_buf_putc(out, '\n'));
}

/* ------------------------------------------------------------ MIME */

/* Appends s[0..n) (LF line ends) as quoted-printable with CRLF line ends,
 * every line at most 76 characters (RFC 2045 6.7).  "From " and "." at the
 * start of a line are encoded too, so no mbox or SMTP layer alters them. */
static int put_qp(struct eddy_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    int err = 0;
    for (size_t i = 0; i < n && !err; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            err = eddy_buf_puts(out, "\r\n");
            col = 0;
            continue;
        }
        bool eol = i + 1 == n || s[i + 1] == '\n';
        bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !eol);
        if (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 && !memcmp(s + i, "From ", 5))))
            lit = false;
        size_t w = lit ? 1 : 3;
        /* A soft break ("=" ends the line: 76 at most) before what would
         * not fit. */
        if (col + w > (eol ? 76u : 75u)) {
            err = eddy_buf_puts(out, "=\r\n");
            col = 0;
        }
        if (lit)
            err = err ? err : eddy_buf_putc(out, c);
        else
            err = err ? err : eddy_buf_printf(out, "=%c%c", hex[c >> 4], hex[c & 15]);
        col += w;
    }
    return err ? err : col ? eddy_buf_puts(out, "\r\n") : 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int put_b64(struct eddy_buf *out, const unsigned char *s, size_t n)
{
    int err = 0;
    for (size_t i = 0; i < n && !err; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        char q[4] = {b64[v >> 18], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        err = eddy_buf_append(out, q, 4);
    }
    return err;
}

/* "Name: value\r\n": value as is when it is printable ASCII and fits the
 * line, else as RFC 2047 encoded words (B, UTF-8) of whole characters,
 * one per folded line, each line within 76 characters. */
static int put_header_text(struct eddy_buf *out, const char *name, const char *value)
{
    size_t n = strlen(value);
    bool ascii = strlen(name) + 2 + n <= 76;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = value[i] >= 32 && value[i] < 127 && !(value[i] == '=' && value[i + 1] == '?');
    if (ascii)
        return eddy_buf_printf(out, "%s: %s\r\n", name, value);
    int err = eddy_buf_printf(out, "%s:", name);
    const unsigned char *p = (const unsigned char *)value;
    for (size_t i = 0; i < n && !err;) {
        /* 39 bytes: 52 base64 characters + 12 of "=?UTF-8?B??=" + " " and
         * the name on the first line stay within 76. */
        size_t take = n - i < 39 ? n - i : 39;
        while (take < n - i && (p[i + take] & 0xC0) == 0x80)
            take--; /* never split a character */
        err = eddy_buf_puts(out, i ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
        err = err ? err : put_b64(out, p + i, take);
        err = err ? err : eddy_buf_puts(out, "?=");
        i += take;
    }
    return err ? err : eddy_buf_puts(out, "\r\n");
}

/* An address as SMTP and headers take it: local@domain, printable ASCII,
 * none of the characters that would need quoting. */
static bool address_ok(const char *a, size_t n)
{
    const char *at = memchr(a, '@', n);
    if (!at || at == a || at == a + n - 1 || memchr(at + 1, '@', (size_t)(a + n - at - 1)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (a[i] <= 32 || a[i] >= 127 || strchr("<>()[],;:\\\"", a[i]))
            return false;
    return true;
}

/* Calls fn for each address of the comma-separated list (spaces around
 * ignored); -EINVAL for a malformed or empty address, an empty list too. */
static int each_address(const char *list, int (*fn)(void *arg, const char *a, size_t n), void *arg)
{
    for (const char *p = list; p;) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, ","), m = n;
        while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
            m--;
        if (!address_ok(p, m))
            return -EINVAL;
        int err = fn(arg, p, m);
        if (err < 0 || !p[n])
            return err < 0 ? err : 0;
        p += n + 1;
    }
    return -EINVAL;
}

struct to_line {
    struct eddy_buf *out;
    size_t col;
};

/* Appends one address to the To: header, folding before it past 76. */
static int to_address(void *arg, const char *a, size_t n)
{
    struct to_line *t = arg;
    bool first = t->col == 3;
    if (!first && t->col + 2 + n > 76) {
        t->col = 1;
        if (eddy_buf_puts(t->out, ",\r\n "))
            return -ENOMEM;
    } else if (eddy_buf_puts(t->out, first ? " " : ", ")) {
        return -ENOMEM;
    } else {
        t->col += first ? 1 : 2;
    }
    t->col += n;
    return eddy_buf_append(t->out, a, n);
}

static int count_address(void *arg, const char *a, size_t n)
{
    (void)arg, (void)a, (void)n;
    return 0;
}

int eddy_app_mail_check(const char *from, const char *to)
{
    if (!from || !address_ok(from, strlen(from)) || !to ||
        each_address(to, count_address, NULL) < 0)
        return -EINVAL;
    return 0;
}

static int put_message(const struct eddy_app_digest *d, const struct eddy_app_mail *m,
                       struct eddy_buf *out)
{
    if (eddy_app_mail_check(m->from, m->to) < 0)
        return -EINVAL;
    unsigned char rnd[8];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        for (size_t i = 0; i < sizeof rnd; i++) /* no entropy: still unique enough */
            rnd[i] = (unsigned char)(d->now >> (i % 8 * 8) ^ (uintptr_t)d >> (i % 4 * 8));
    char token[17], date[64];
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(token + 2 * i, 3, "%02x", rnd[i]);
    time_t now = (time_t)d->now;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char *subject = m->subject ? NULL : eddy_app_digest_subject(d);
    if (!m->subject && !subject)
        return -ENOMEM;
    int err = eddy_buf_printf(out, "From: eddy <%s>\r\nTo:", m->from);
    struct to_line tl = {out, 3};
    err = err ? err : each_address(m->to, to_address, &tl);
    err = err ? err : eddy_buf_puts(out, "\r\n");
    err = err ? err : put_header_text(out, "Subject", m->subject ? m->subject : subject);
    free(subject);
    /* The boundary starts with "=_": quoted-printable never writes that. */
    err = err ? err
              : eddy_buf_printf(
                    out,
                    "Date: %s\r\nMessage-ID: <eddy.digest.%" PRId64 ".%s@%s>\r\n"
                    "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
                    "Content-Type: multipart/alternative;\r\n boundary=\"=_eddy_%s\"\r\n\r\n"
                    "This is a message in MIME format.\r\n",
                    date, d->now, token, strchr(m->from, '@') + 1, token);
    struct eddy_buf part = EDDY_BUF_INIT(0);
    for (int html = 0; html < 2 && !err; html++) {
        eddy_buf_reset(&part);
        err = html ? eddy_app_digest_html(d, &part) : eddy_app_digest_text(d, &part);
        err = err ? err
                  : eddy_buf_printf(out,
                                    "\r\n--=_eddy_%s\r\nContent-Type: text/%s; charset=utf-8\r\n"
                                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                                    token, html ? "html" : "plain");
        err = err ? err : put_qp(out, part.data, part.len);
    }
    eddy_buf_free(&part);
    return err ? err : eddy_buf_printf(out, "\r\n--=_eddy_%s--\r\n", token);
}

int eddy_app_digest_message(const struct eddy_app_digest *d, const struct eddy_app_mail *m,
                            bool mbox, struct eddy_buf *out)
{
    struct eddy_buf msg = EDDY_BUF_INIT(out->max);
    int err = put_message(d, m, &msg);
    if (!err && !mbox)
        err = eddy_buf_append(out, msg.data, msg.len);
    else if (!err) {
        /* mboxrd: LF line ends, ">" before any ">*From " line, a blank line after. */
        size_t start = out->len;
        char date[32];
        time_t now = (time_t)d->now;
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
        err = eddy_buf_printf(out, "From %s %s\n", m->from, date);
        for (const char *p = msg.data, *end = msg.data + msg.len; p < end && !err;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            size_t gt = strspn(p, ">");
            if (gt + 5 <= len && !memcmp(p + gt, "From ", 5))
                err = eddy_buf_putc(out, '>');
            err = err ? err : eddy_buf_append(out, p, len && p[len - 1] == '\r' ? len - 1 : len);
            err = err ? err : eddy_buf_putc(out, '\n');
            p += len + 1;
        }
        err = eddy__app_undo(out, start, err ? err : eddy_buf_putc(out, '\n'));
    }
    eddy_buf_free(&msg);
    return err;
}

static int newest_first(const void *a, const void *b)
{
    const struct eddy_store_entry *x = a, *y = b;
    if (x->date != y->date)
        return x->date > y->date ? -1 : 1;
    return x->id > y->id ? -1 : x->id < y->id;
}

int eddy_app_digest_feed(const struct eddy_app_digest *d, const struct eddy_app_river *r,
                         const char *format, struct eddy_buf *out)
{
    bool atom = format && !strcmp(format, "atom");
    if (!atom && !(format && !strcmp(format, "json")))
        return -EINVAL;
    /* The writers take entries side by side, newest first: a shallow copy. */
    struct eddy_store_entry *e = malloc((d->n ? d->n : 1) * sizeof *e);
    if (!e)
        return -ENOMEM;
    for (size_t i = 0; i < d->n; i++)
        e[i] = d->items[i].e;
    if (d->n)
        qsort(e, d->n, sizeof *e, newest_first);
    int err = atom ? eddy_app_river_atom(r, e, d->n, d->feeds, d->nfeeds, out)
                   : eddy_app_river_json(r, e, d->n, d->feeds, d->nfeeds, out);
    free(e);
    return err;
}

/* ------------------------------------------------------------ SMTP */

struct upload {
    const char *p;
    size_t left;
};

static size_t read_message(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(dst, u->p, n);
    u->p += n, u->left -= n;
    return n;
}

static int add_rcpt(void *arg, const char *a, size_t n)
{
    char buf[320];
    if (n + 3 > sizeof buf)
        return -EINVAL;
    snprintf(buf, sizeof buf, "<%.*s>", (int)n, a);
    struct curl_slist *l = curl_slist_append(*(struct curl_slist **)arg, buf);
    if (!l)
        return -ENOMEM;
    *(struct curl_slist **)arg = l;
    return 0;
}

static int curl_errno(CURLcode c)
{
    switch (c) {
    case CURLE_OK: return 0;
    case CURLE_OUT_OF_MEMORY: return -ENOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return -EINVAL;
    case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
    case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
    case CURLE_LOGIN_DENIED: return -EACCES;
    default: return -EIO;
    }
}

int eddy_app_mail_send(const struct eddy_app_smtp *smtp, const char *from, const char *to,
                       const void *message, size_t len, char **error)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    const char *why = NULL;
    struct curl_slist *rcpt = NULL;
    CURL *c = NULL;
    int err = 0;
    if (error)
        *error = NULL;
    const char *url = smtp ? smtp->url : NULL;
    bool smtps = url && !strncasecmp(url, "smtps://", 8);
    /* smtp+starttls://HOST is smtp://HOST with STARTTLS required. */
    bool starttls = url && !strncasecmp(url, "smtp+starttls://", 16);
    char plain[1024];
    if (starttls && snprintf(plain, sizeof plain, "smtp://%s", url + 16) < (int)sizeof plain)
        url = plain;
    starttls |= smtp && smtp->starttls;
    if (!url || (!smtps && strncasecmp(url, "smtp://", 7)))
        err = -EINVAL, why = "the server must be an smtp://, smtp+starttls:// or smtps:// URL";
    else if (!from || !address_ok(from, strlen(from)))
        err = -EINVAL, why = "the sender is no address (a@b)";
    else if (each_address(to, add_rcpt, &rcpt) < 0)
        err = -EINVAL, why = "a recipient is no address (a@b, comma-separated)";
    else if (!(c = curl_easy_init()))
        err = -ENOMEM;
    if (!err) {
        char mail_from[320];
        snprintf(mail_from, sizeof mail_from, "<%s>", from);
        struct upload u = {message, len};
        long timeout = smtp->timeout > 0 ? (long)smtp->timeout : 60;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
        curl_easy_setopt(c, CURLOPT_READDATA, &u);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* safe in a thread */
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 15 ? timeout : 15L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
        /* smtps:// is TLS from the start; smtp:// with starttls must upgrade
         * or fail (never fall back to plain with the password). */
        if (smtps || starttls)
            curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        if (smtp->ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, smtp->ca_file);
        if (smtp->user) {
            curl_easy_setopt(c, CURLOPT_USERNAME, smtp->user);
            curl_easy_setopt(c, CURLOPT_PASSWORD, smtp->password ? smtp->password : "");
        }
        CURLcode rc = curl_easy_perform(c);
        if (rc != CURLE_OK) {
            err = curl_errno(rc);
            why = *errbuf ? errbuf : curl_easy_strerror(rc);
        }
    }
    if (err && error)
        *error = strdup(why ? why : strerror(-err));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return err;
}

int eddy_app_digest_mail(struct eddy_store *s, const struct eddy_app_digest_opts *o,
                         const struct eddy_app_mail *m, const struct eddy_app_smtp *smtp,
                         size_t *sent, char **error)
{
    struct eddy_app_digest *d = NULL;
    struct eddy_buf msg = EDDY_BUF_INIT(0);
    char *why = NULL;
    size_t n = 0;
    int err = eddy_app_mail_check(m->from, m->to) < 0 ? -EINVAL : eddy_app_digest_compile(s, o, &d);
    const char *where = err == -EINVAL ? "the addresses" : "the store";
    if (!err && (n = d->n)) {
        err = eddy_app_digest_message(d, m, false, &msg);
        where = "the message";
    }
    if (!err && n) {
        err = eddy_app_mail_send(smtp, m->from, m->to, msg.data, msg.len, &why);
        where = smtp->url;
    }
    if (error)
        *error = NULL;
    if (err < 0 && error && asprintf(error, "%s: %s", where, why ? why : eddy_strerror(err)) < 0)
        *error = NULL;
    if (sent)
        *sent = err < 0 ? 0 : n;
    free(why);
    eddy_buf_free(&msg);
    eddy_app_digest_free(d);
    return err;
}
