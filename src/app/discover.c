/*
 * discover.c — the feeds an HTML page announces, with libxml2's HTML parser
 * (lenient like a browser's tokenizer, no network, no entities loaded).
 */
#include "eddy/app.h"

#include "eddy/feedfetch.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const feed_types[] = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
};

static const char *attr(xmlNode *n, const char *name)
{
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (!xmlStrcasecmp(a->name, (const xmlChar *)name) && a->children &&
            a->children->type == XML_TEXT_NODE)
            return (const char *)a->children->content;
    return NULL;
}

/* rel is a space-separated list of tokens: "alternate" must be one of them. */
static bool has_token(const char *list, const char *token)
{
    size_t len = strlen(token);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " \t\r\n\f");
        size_t n = strcspn(p, " \t\r\n\f");
        if (n == len && !strncasecmp(p, token, len))
            return true;
        p += n;
    }
    return false;
}

static bool feed_type(const char *type)
{
    if (!type)
        return false;
    type += strspn(type, " \t");
    for (size_t i = 0; i < sizeof feed_types / sizeof feed_types[0]; i++) {
        size_t n = strlen(feed_types[i]);
        if (!strncasecmp(type, feed_types[i], n) && strchr("; \t", type[n]))
            return true;
    }
    return false;
}

/* A feed is fetched over HTTP: a page may announce "javascript:..." or
 * "file:///..." as a feed, and such a URL must reach neither the client nor a
 * page's href.  Relative (no base to resolve against) stays as written. */
static bool fetchable(const char *url)
{
    const char *p = url;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || p == url)
        return true; /* no scheme: relative */
    size_t n = (size_t)(p - url);
    return (n == 4 && !strncasecmp(url, "http", 4)) || (n == 5 && !strncasecmp(url, "https", 5));
}

struct found {
    const char *base;
    xmlChar *base_owned; /* a <base href> resolved */
    int (*fn)(void *arg, const char *url, const char *title);
    void *arg;
    int count;
};

static int visit(struct found *f, xmlNode *n)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (!xmlStrcasecmp(n->name, (const xmlChar *)"base") && attr(n, "href") && f->base) {
            /* <base href> changes what relative hrefs resolve against. */
            xmlChar *b = xmlBuildURI((const xmlChar *)attr(n, "href"), (const xmlChar *)f->base);
            if (b) {
                xmlFree(f->base_owned);
                f->base = (const char *)(f->base_owned = b);
            }
        }
        const char *href = attr(n, "href");
        if (!xmlStrcasecmp(n->name, (const xmlChar *)"link") && href && *href &&
            has_token(attr(n, "rel"), "alternate") && feed_type(attr(n, "type"))) {
            xmlChar *abs = f->base ? xmlBuildURI((const xmlChar *)href, (const xmlChar *)f->base)
                                   : xmlStrdup((const xmlChar *)href);
            /* NULL: an href that is no URI reference (xmlBuildURI cannot
             * tell that from no memory): not a feed to fetch. */
            int err = 0;
            if (abs && fetchable((const char *)abs)) {
                err = f->fn(f->arg, (const char *)abs, attr(n, "title"));
                f->count++;
            }
            xmlFree(abs);
            if (err < 0)
                return err;
        }
        int err = visit(f, n->children);
        if (err < 0)
            return err;
    }
    return 0;
}

int eddy_app_discover(const void *html, size_t len, const char *page_url,
                      int (*fn)(void *arg, const char *url, const char *title), void *arg)
{
    if (len > INT32_MAX)
        return -EFBIG;
    htmlDocPtr doc = htmlReadMemory(html, (int)len, page_url, NULL,
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_RECOVER);
    if (!doc)
        return 0; /* nothing parsable: no feed announced */
    struct found f = {.base = page_url, .fn = fn, .arg = arg};
    int err = visit(&f, xmlDocGetRootElement(doc));
    xmlFree(f.base_owned);
    xmlFreeDoc(doc);
    return err < 0 ? err : f.count;
}

static int first(void *arg, const char *url, const char *title)
{
    struct eddy_app_found *out = arg;
    (void)title;
    return (out->url = strdup(url)) ? -ECANCELED /* the first one will do */ : -ENOMEM;
}

int eddy_app_find_feed(struct eddy_session *s, const char *url, int64_t timeout_ns,
                       struct eddy_app_found *out)
{
    *out = (struct eddy_app_found){0};
    struct eddy_reply *r = NULL;
    int err = eddy_fetch(
        s, &(struct eddy_fetch_opts){.url = url, .timeout_ns = timeout_ns, .max_body = 16 << 20},
        &r);
    int status = eddy_reply_status(r);
    if (err == 0 && (status < 200 || status > 299))
        err = -EREMOTEIO;
    if (err < 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "HTTP status %d", status);
        out->error = strdup(err == -EREMOTEIO           ? msg
                            : r && *eddy_reply_error(r) ? eddy_reply_error(r)
                                                        : eddy_strerror(err));
        eddy_reply_free(r);
        return out->error ? err : -ENOMEM;
    }
    size_t len;
    const char *body = eddy_reply_body(r, &len);
    struct eddy_feed *feed;
    if ((err = eddy_feed_parse_reply(r, &feed)) < 0) {
        eddy_reply_free(r);
        return err;
    }
    if (!eddy_feed_not_a_feed(feed)) {
        out->url = strdup(url);
        err = out->url ? 0 : -ENOMEM;
    } else {
        err = eddy_app_discover(body, len, eddy_reply_url(r), first, out);
        err = out->url ? 0 : err < 0 ? err : -ENOENT;
    }
    eddy_feed_free(feed);
    eddy_reply_free(r);
    return err;
}

void eddy_app_found_clear(struct eddy_app_found *f)
{
    free(f->url);
    free(f->error);
    *f = (struct eddy_app_found){0};
}
