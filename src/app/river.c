/*
 * river.c — the river (entries of many feeds) as Atom 1.0 and JSON Feed 1.1,
 * each entry attributed to its source feed, and the text cleaning both
 * writers and the digest share (river.h).
 */
#include "river.h"

#include "eddy/app.h"

#include "../base/text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int eddy__app_undo(struct eddy_buf *out, size_t start, int err)
{
    if (err && out->data)
        out->data[out->len = start] = 0;
    return err;
}

int eddy__app_put(struct eddy_buf *out, const char *s, enum eddy__esc mode)
{
    if (!s)
        return 0;
    size_t start = out->len;
    int err = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && !err;) {
        /* Runs of plain ASCII are copied at once. */
        const unsigned char *q = p;
        while (*q >= 0x20 && *q < 0x7F &&
               !strchr(mode == EDDY__ESC_XML    ? "&<>\""
                       : mode == EDDY__ESC_JSON ? "\"\\"
                                                : "",
                       *q))
            q++;
        if (q > p) {
            err = eddy_buf_append(out, p, (size_t)(q - p));
            p = q;
            continue;
        }
        size_t bad, n = eddy__utf8_seq(p, 4, &bad); /* (stops at the NUL) */
        if (n > 1) { /* U+FFFE and U+FFFF are not allowed in XML 1.0: dropped */
            if (!(n == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE))
                err = eddy_buf_append(out, p, n);
            p += n;
            continue;
        }
        if (!n) { /* invalid: U+FFFD for its maximal subpart, as eddy__utf8_append */
            err = eddy_buf_puts(out, "\xEF\xBF\xBD");
            p += bad;
            continue;
        }
        unsigned c = *p++;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            continue; /* not allowed in XML 1.0: dropped */
        if (mode == EDDY__ESC_XML && (c == '&' || c == '<' || c == '>' || c == '"' || c == '\r'))
            err = eddy_buf_puts(out, c == '&'   ? "&amp;"
                                     : c == '<' ? "&lt;"
                                     : c == '>' ? "&gt;"
                                     : c == '"' ? "&quot;"
                                                : "&#13;");
        else if (mode == EDDY__ESC_JSON && (c == '"' || c == '\\' || c < 0x20))
            err = eddy_buf_puts(out, c == '"'    ? "\\\""
                                     : c == '\\' ? "\\\\"
                                     : c == '\n' ? "\\n"
                                     : c == '\r' ? "\\r"
                                                 : "\\t");
        else
            err = eddy_buf_append(out, &(char){(char)c}, 1);
    }
    return eddy__app_undo(out, start, err);
}

void eddy__app_rfc3339(int64_t t, char out[EDDY__RFC3339_LEN + 1])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
        tm = (struct tm){.tm_year = 70, .tm_mday = 1};
    strftime(out, EDDY__RFC3339_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool eddy__app_link_ok(const char *url, bool mailto)
{
    if (!url)
        return false;
    if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8))
        return url[strcspn(url, ":") + 3] != 0;
    return mailto && !strncasecmp(url, "mailto:", 7) && url[7];
}

const struct eddy_store_feed *eddy__app_feed(const struct eddy_store_feed *feeds, size_t n,
                                             int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (feeds[i].id == id)
            return &feeds[i];
    return NULL;
}

/* An absolute IRI: a scheme ("[a-z][a-z0-9+.-]*:") and something after it. */
static bool absolute_iri(const char *s)
{
    if (!s || !((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
        return false;
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    return s[n] == ':' && s[n + 1] && !strpbrk(s, " \t\r\n<>\"");
}

/* The entry's id: its guid when it is an absolute IRI, else a tag: URI. */
static int put_entry_id(struct eddy_buf *out, const struct eddy_store_entry *e, enum eddy__esc m)
{
    if (absolute_iri(e->guid))
        return eddy__app_put(out, e->guid, m);
    return eddy_buf_printf(out, "tag:eddy,2026:entry/%" PRId64, e->id);
}

const char *eddy__app_feed_title(const struct eddy_store_feed *f)
{
    return f->title && *f->title ? f->title : f->url;
}

int eddy__app_utf8(char **s)
{
    if (!*s || eddy__utf8_valid((const unsigned char *)*s, strlen(*s)))
        return 0;
    struct eddy_buf b = EDDY_BUF_INIT(0);
    char *t = eddy__utf8_append(&b, *s, strlen(*s)) < 0 ? NULL : eddy_buf_detach(&b, NULL);
    eddy_buf_free(&b);
    if (!t)
        return -ENOMEM;
    free(*s);
    *s = t;
    return 0;
}

int eddy__app_entry_utf8(struct eddy_store_entry *e)
{
    char **s[] = {&e->guid,    &e->link,    &e->title,   &e->author,
                  &e->summary, &e->content, &e->date_raw};
    int err = 0;
    for (size_t i = 0; !err && i < sizeof s / sizeof s[0]; i++)
        err = eddy__app_utf8(s[i]);
    for (size_t i = 0; !err && i < e->nenclosures; i++)
        if (!(err = eddy__app_utf8(&e->enclosures[i].url)))
            err = eddy__app_utf8(&e->enclosures[i].type);
    return err;
}

int eddy__app_feed_utf8(struct eddy_store_feed *f)
{
    char **s[] = {&f->url,  &f->title,         &f->site_link,  &f->category,
                  &f->etag, &f->last_modified, &f->last_error, &f->repairs};
    int err = 0;
    for (size_t i = 0; !err && i < sizeof s / sizeof s[0]; i++)
        err = eddy__app_utf8(s[i]);
    return err;
}

/* The document's date: r->updated, else the newest entry's, else now. */
static int64_t doc_updated(const struct eddy_app_river *r, const struct eddy_store_entry *e,
                           size_t n)
{
    int64_t t = r->updated;
    for (size_t i = 0; i < n && !r->updated; i++)
        t = e[i].date > t ? e[i].date : t;
    return t ? t : (int64_t)time(NULL);
}

/* Appends a sequence of pieces: literal text, and strings escaped for XML. */
#define X(s) eddy__app_put(out, (s), EDDY__ESC_XML)

static int atom_link(struct eddy_buf *out, const char *rel, const char *href)
{
    if (!eddy__app_link_ok(href, false))
        return 0;
    int err = eddy_buf_printf(out, "<link rel=\"%s\" href=\"", rel);
    return err ? err : (err = X(href)) ? err : eddy_buf_puts(out, "\"/>");
}

/* <name>text</name>, escaped; nothing when text is NULL. */
static int element(struct eddy_buf *out, const char *name, const char *attrs, const char *text)
{
    if (!text)
        return 0;
    int err = eddy_buf_printf(out, "<%s%s>", name, attrs);
    return err ? err : (err = X(text)) ? err : eddy_buf_printf(out, "</%s>", name);
}

static int author(struct eddy_buf *out, const char *name)
{
    int err = eddy_buf_puts(out, "<author>");
    err = err ? err : element(out, "name", "", name);
    return err ? err : eddy_buf_puts(out, "</author>");
}

/* A podcast's episodes: rel="enclosure" links, the URLs as the store kept
 * them (http and https only). */
static int atom_enclosures(struct eddy_buf *out, const struct eddy_store_entry *e)
{
    int err = 0;
    for (size_t i = 0; !err && i < e->nenclosures; i++) {
        const struct eddy_store_enclosure *x = &e->enclosures[i];
        if (!eddy__app_link_ok(x->url, false))
            continue;
        err = eddy_buf_puts(out, "<link rel=\"enclosure\" href=\"");
        err = err ? err : X(x->url);
        if (!err && x->type) {
            err = eddy_buf_puts(out, "\" type=\"");
            err = err ? err : X(x->type);
        }
        if (!err && x->length > 0)
            err = eddy_buf_printf(out, "\" length=\"%" PRId64, x->length);
        err = err ? err : eddy_buf_puts(out, "\"/>");
    }
    return err;
}

static int atom_entry(struct eddy_buf *out, const struct eddy_store_entry *e,
                      const struct eddy_store_feed *f)
{
    char date[EDDY__RFC3339_LEN + 1];
    eddy__app_rfc3339(e->date, date);
    int err = eddy_buf_puts(out, "<entry><id>");
    err = err ? err : put_entry_id(out, e, EDDY__ESC_XML);
    err = err ? err : eddy_buf_puts(out, "</id>");
    err = err ? err : element(out, "title", " type=\"text\"", e->title ? e->title : "");
    err = err ? err : atom_link(out, "alternate", e->link);
    err = err ? err : atom_enclosures(out, e);
    err = err ? err : element(out, "updated", "", date);
    if (!err && e->author && *e->author)
        err = author(out, e->author);
    /* content always: an entry without it would need an alternate link. */
    const char *content = e->content ? e->content : e->summary ? e->summary : "";
    if (!err && e->summary && e->content && strcmp(e->summary, e->content))
        err = element(out, "summary", " type=\"html\"", e->summary);
    err = err ? err : element(out, "content", " type=\"html\"", content);
    if (!err && f) {
        err = eddy_buf_puts(out, "<source><id>");
        err = err ? err : X(f->url);
        err = err ? err : eddy_buf_puts(out, "</id>");
        err = err ? err : element(out, "title", " type=\"text\"", eddy__app_feed_title(f));
        err = err ? err : atom_link(out, "self", f->url);
        err = err ? err : atom_link(out, "alternate", f->site_link);
        char checked[EDDY__RFC3339_LEN + 1];
        eddy__app_rfc3339(f->last_check, checked);
        err = err ? err : element(out, "updated", "", f->last_check ? checked : NULL);
        if (!err && !(e->author && *e->author))
            err = author(out, eddy__app_feed_title(f));
        err = err ? err : eddy_buf_puts(out, "</source>");
    }
    return err ? err : eddy_buf_puts(out, "</entry>\n");
}

int eddy_app_river_atom(const struct eddy_app_river *r, const struct eddy_store_entry *entries,
                        size_t n, const struct eddy_store_feed *feeds, size_t nfeeds,
                        struct eddy_buf *out)
{
    size_t start = out->len;
    char date[EDDY__RFC3339_LEN + 1];
    eddy__app_rfc3339(doc_updated(r, entries, n), date);
    const char *id = r->id ? r->id : r->self_url ? r->self_url : "tag:eddy,2026:river";
    int err = eddy_buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                 "<feed xmlns=\"http://www.w3.org/2005/Atom\">");
    err = err ? err : element(out, "title", " type=\"text\"", r->title ? r->title : "eddy river");
    err = err ? err : element(out, "id", "", id);
    err = err ? err : element(out, "updated", "", date);
    err = err ? err : atom_link(out, "self", r->self_url);
    err = err ? err : atom_link(out, "alternate", r->home_url);
    err = err ? err : eddy_buf_puts(out, "<generator>eddy</generator>\n");
    for (size_t i = 0; i < n && !err; i++)
        err = atom_entry(out, &entries[i], eddy__app_feed(feeds, nfeeds, entries[i].feed_id));
    err = err ? err : eddy_buf_puts(out, "</feed>\n");
    return eddy__app_undo(out, start, err);
}

/* "key": "escaped value", — nothing when value is NULL. */
static int json_member(struct eddy_buf *out, const char *key, const char *value)
{
    if (!value)
        return 0;
    int err = eddy_buf_printf(out, "\"%s\":\"", key);
    err = err ? err : eddy__app_put(out, value, EDDY__ESC_JSON);
    return err ? err : eddy_buf_puts(out, "\",");
}

static void drop_last(struct eddy_buf *out)
{
    out->data[--out->len] = 0;
}

static int json_link(struct eddy_buf *out, const char *key, const char *url)
{
    return eddy__app_link_ok(url, false) ? json_member(out, key, url) : 0;
}

/* JSON Feed's attachments, as atom_enclosures. */
static int json_attachments(struct eddy_buf *out, const struct eddy_store_entry *e)
{
    int err = 0;
    bool any = false;
    for (size_t i = 0; !err && i < e->nenclosures; i++) {
        const struct eddy_store_enclosure *x = &e->enclosures[i];
        if (!eddy__app_link_ok(x->url, false))
            continue;
        err = eddy_buf_puts(out, any ? "{" : "\"attachments\":[{");
        any = true;
        err = err ? err : json_member(out, "url", x->url);
        err = err ? err
                  : json_member(out, "mime_type", x->type ? x->type : "application/octet-stream");
        if (!err && x->length > 0)
            err = eddy_buf_printf(out, "\"size_in_bytes\":%" PRId64 ",", x->length);
        if (!err)
            drop_last(out); /* the last member's ',' */
        err = err ? err : eddy_buf_puts(out, "},");
    }
    if (!err && any) {
        drop_last(out);
        err = eddy_buf_puts(out, "],");
    }
    return err;
}

static int json_item(struct eddy_buf *out, const struct eddy_store_entry *e,
                     const struct eddy_store_feed *f)
{
    char date[EDDY__RFC3339_LEN + 1];
    eddy__app_rfc3339(e->date, date);
    int err = eddy_buf_puts(out, "{\"id\":\"");
    err = err ? err : put_entry_id(out, e, EDDY__ESC_JSON);
    err = err ? err : eddy_buf_puts(out, "\",");
    err = err ? err : json_link(out, "url", e->link);
    err = err ? err : json_member(out, "title", e->title ? e->title : "");
    err = err ? err
              : json_member(out, "content_html",
                            e->content   ? e->content
                            : e->summary ? e->summary
                                         : "");
    if (!err && e->summary && e->content && strcmp(e->summary, e->content))
        err = json_member(out, "summary", e->summary);
    err = err ? err : json_attachments(out, e);
    err = err ? err : json_member(out, "date_published", date);
    const char *who = e->author && *e->author ? e->author : f ? eddy__app_feed_title(f) : NULL;
    /* authors (1.1) and the deprecated author (1.0), which readers of 1.0
     * (feedparser, eddy) read. */
    for (int one = 0; one < 2 && !err && who; one++) {
        err = eddy_buf_puts(out, one ? "\"author\":{" : "\"authors\":[{");
        err = err ? err : json_member(out, "name", who);
        if (!err)
            drop_last(out); /* the member's ',' */
        err = err ? err : eddy_buf_puts(out, one ? "}," : "}],");
    }
    if (!err && f) {
        err = eddy_buf_printf(out, "\"_eddy\":{\"feed\":{\"id\":%" PRId64 ",", f->id);
        err = err ? err : json_member(out, "title", eddy__app_feed_title(f));
        err = err ? err : json_link(out, "feed_url", f->url);
        err = err ? err : json_link(out, "home_page_url", f->site_link);
        if (!err)
            drop_last(out);
        err = err ? err : eddy_buf_puts(out, "}},");
    }
    if (!err)
        out->data[out->len - 1] = '}'; /* in place of the last ',' */
    return err;
}

int eddy_app_river_json(const struct eddy_app_river *r, const struct eddy_store_entry *entries,
                        size_t n, const struct eddy_store_feed *feeds, size_t nfeeds,
                        struct eddy_buf *out)
{
    size_t start = out->len;
    int err = eddy_buf_puts(out, "{\"version\":\"https://jsonfeed.org/version/1.1\",");
    err = err ? err : json_member(out, "title", r->title ? r->title : "eddy river");
    err = err ? err : json_link(out, "home_page_url", r->home_url);
    err = err ? err : json_link(out, "feed_url", r->self_url);
    err = err ? err : eddy_buf_puts(out, "\"items\":[\n");
    for (size_t i = 0; i < n && !err; i++) {
        err = i ? eddy_buf_puts(out, ",\n") : 0;
        err = err ? err
                  : json_item(out, &entries[i], eddy__app_feed(feeds, nfeeds, entries[i].feed_id));
    }
    err = err ? err : eddy_buf_puts(out, "]}\n");
    return eddy__app_undo(out, start, err);
}
