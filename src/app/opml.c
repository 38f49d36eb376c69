/*
 * opml.c — OPML in and out.  Readers nest their exports differently
 * (Miniflux and FreshRSS: a category outline holding feed outlines; newsboat:
 * feeds flat under <body>), so the reader takes an xmlUrl outline at any
 * depth and its category from the nearest enclosing outline without one.
 */
#include "eddy/app.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

struct walk {
    int (*fn)(void *arg, const struct eddy_app_outline *o);
    void *arg;
    int count;
};

static const char *attr(xmlNode *n, const char *name)
{
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (!xmlStrcmp(a->name, (const xmlChar *)name) && a->children &&
            a->children->type == XML_TEXT_NODE && a->children->content && *a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

static int walk(struct walk *w, xmlNode *parent, const char *category)
{
    for (xmlNode *n = parent->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, (const xmlChar *)"outline"))
            continue;
        const char *text = attr(n, "text"), *title = attr(n, "title");
        const char *url = attr(n, "xmlUrl");
        if (!url)
            url = attr(n, "xmlurl"); /* seen in hand-written files */
        int err;
        if (url) {
            struct eddy_app_outline o = {url, title ? title : text, category};
            if ((err = w->fn(w->arg, &o)) < 0)
                return err;
            w->count++;
        }
        /* A feed's outline may hold more (some exporters nest them): they
         * share its category; a folder's name is the category below it. */
        if ((err = walk(w, n, url ? category : text ? text : title)) < 0)
            return err;
    }
    return 0;
}

int eddy_app_opml_parse(const void *bytes, size_t len,
                        int (*fn)(void *arg, const struct eddy_app_outline *o), void *arg)
{
    if (len > INT32_MAX)
        return -EFBIG;
    xmlDoc *doc = xmlReadMemory(bytes, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    if (!doc)
        return -EBADMSG;
    xmlNode *root = xmlDocGetRootElement(doc);
    int err = -EBADMSG;
    if (root && !xmlStrcmp(root->name, (const xmlChar *)"opml")) {
        struct walk w = {fn, arg, 0};
        err = 0;
        for (xmlNode *n = root->children; n && !err; n = n->next)
            if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, (const xmlChar *)"body"))
                err = walk(&w, n, NULL);
        if (!err)
            err = w.count;
    }
    xmlFreeDoc(doc);
    return err;
}

/* An attribute value: the five XML escapes, and tabs and newlines as
 * character references so they survive attribute normalisation. */
static int put_attr(struct eddy_buf *b, const char *name, const char *v)
{
    if (!v)
        return 0;
    int err = eddy_buf_printf(b, " %s=\"", name);
    for (const char *p = v; !err && *p; p++) {
        switch (*p) {
        case '&': err = eddy_buf_puts(b, "&amp;"); break;
        case '<': err = eddy_buf_puts(b, "&lt;"); break;
        case '>': err = eddy_buf_puts(b, "&gt;"); break;
        case '"': err = eddy_buf_puts(b, "&quot;"); break;
        case '\t': err = eddy_buf_puts(b, "&#9;"); break;
        case '\n': err = eddy_buf_puts(b, "&#10;"); break;
        case '\r': err = eddy_buf_puts(b, "&#13;"); break;
        default: err = eddy_buf_putc(b, *p);
        }
    }
    return err ? err : eddy_buf_putc(b, '"');
}

static int put_feed(struct eddy_buf *b, const struct eddy_store_feed *f, const char *indent)
{
    const char *name = f->title ? f->title : f->url;
    int err = eddy_buf_printf(b, "%s<outline type=\"rss\"", indent);
    if (!err)
        err = put_attr(b, "text", name);
    if (!err)
        err = put_attr(b, "title", name);
    if (!err)
        err = put_attr(b, "xmlUrl", f->url);
    if (!err)
        err = put_attr(b, "htmlUrl", f->site_link);
    return err ? err : eddy_buf_puts(b, "/>\n");
}

static bool same(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

int eddy_app_opml_write(const struct eddy_store_feed *feeds, size_t n, struct eddy_buf *out)
{
    int err = eddy_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                 "<opml version=\"2.0\">\n"
                                 "  <head><title>eddy subscriptions</title></head>\n"
                                 "  <body>\n");
    for (size_t i = 0; !err && i < n; i++)
        if (!feeds[i].category || !*feeds[i].category)
            err = put_feed(out, &feeds[i], "    ");
    /* Each category once, with every feed of it, in the order first met. */
    for (size_t i = 0; !err && i < n; i++) {
        const char *c = feeds[i].category;
        if (!c || !*c)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same(feeds[j].category, c);
        if (seen)
            continue;
        err = eddy_buf_puts(out, "    <outline");
        if (!err)
            err = put_attr(out, "text", c);
        if (!err)
            err = put_attr(out, "title", c);
        if (!err)
            err = eddy_buf_puts(out, ">\n");
        for (size_t j = i; !err && j < n; j++)
            if (same(feeds[j].category, c))
                err = put_feed(out, &feeds[j], "      ");
        if (!err)
            err = eddy_buf_puts(out, "    </outline>\n");
    }
    if (!err)
        err = eddy_buf_puts(out, "  </body>\n</opml>\n");
    return err;
}
