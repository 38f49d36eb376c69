/*
 * ns_base.c — the elements of RSS, RDF, Atom and CDF themselves (feedparser's
 * namespaces/_base.py and the _start_tags/_end_tags of mixin.py), as start
 * and end handlers.  Aliases share functions (pubDate, issued -> published...).
 * Where feedparser 6.0.11+ (the version the conformance cases come from)
 * differs from 6.0.10, the newer behaviour is ported (isentrylink).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "uri.h"

static const char *S(const struct eddy_feed_value *v)
{
    return eddy_feed_str(v, NULL);
}
static bool truthy(const char *s)
{
    return s && *s;
}

static void set(struct eddy__mixin *p, struct eddy_feed_value *o, const char *key,
                struct eddy_feed_value *v)
{
    eddy__fp_set(p, o, key, v);
}

/* ---- feed types ------------------------------------------------------------ */

static void start_rss(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    if (!p->version[0] || strncmp(p->version, "rss", 3)) {
        const char *v = eddy__attr(a, "version");
        if (!v)
            v = "";
        const char *ver = !strcmp(v, "0.91")     ? "rss091u"
                          : !strcmp(v, "0.92")   ? "rss092"
                          : !strcmp(v, "0.93")   ? "rss093"
                          : !strcmp(v, "0.94")   ? "rss094"
                          : !strncmp(v, "2.", 2) ? "rss20"
                                                 : "rss";
        strcpy(p->version, ver);
    }
}

static void start_link(struct eddy__mixin *p, struct eddy_feed_value *a);
static void end_link(struct eddy__mixin *p);

static void cdf_common(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    const char *lastmod = eddy__attr(a, "lastmod");
    if (lastmod) {
        eddy__start_updated(p, NULL);
        if (p->nframes) {
            struct eddy__frame *f = &p->frames[p->nframes - 1];
            eddy_buf_reset(&f->text);
            eddy_buf_puts(&f->text, lastmod);
            f->npieces = 0;
        }
        eddy__end_updated(p);
    }
    const char *href = eddy__attr(a, "href");
    if (href) {
        struct eddy_feed_value *none = eddy__v_obj(&p->scratch);
        start_link(p, none);
        if (p->nframes) {
            struct eddy__frame *f = &p->frames[p->nframes - 1];
            eddy_buf_reset(&f->text);
            eddy_buf_puts(&f->text, href);
            f->npieces = 0;
        }
        end_link(p);
    }
}

static void start_channel(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    p->infeed = 1;
    cdf_common(p, a);
}

static void start_feed(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    p->infeed = 1;
    if (!p->version[0]) {
        const char *v = eddy__attr(a, "version");
        const char *ver = !v                  ? "atom"
                          : !strcmp(v, "0.1") ? "atom01"
                          : !strcmp(v, "0.2") ? "atom02"
                          : !strcmp(v, "0.3") ? "atom03"
                                              : "atom";
        strcpy(p->version, ver);
    }
}

static void end_channel(struct eddy__mixin *p)
{
    p->infeed = 0;
}

/* ---- image, textinput -------------------------------------------------------- */

static void start_image(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    struct eddy_feed_value *ctx = eddy__ctx(p);
    if (!p->inentry)
        eddy__fp_setdefault(p, ctx, "image", eddy__v_obj(p->arena));
    p->inimage = 1;
    p->title_depth = -1;
    eddy__push(p, "image", false);
}

static void end_image(struct eddy__mixin *p)
{
    eddy__pop(p, "image", true);
    p->inimage = 0;
}

static void start_textinput(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    struct eddy_feed_value *ctx = eddy__ctx(p);
    eddy__fp_setdefault(p, ctx, "textinput", eddy__v_obj(p->arena));
    p->intextinput = 1;
    p->title_depth = -1;
    eddy__push(p, "textinput", false);
}

static void end_textinput(struct eddy__mixin *p)
{
    eddy__pop(p, "textinput", true);
    p->intextinput = 0;
}

/* ---- people ---------------------------------------------------------------- */

void eddy__start_author(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    p->inauthor = 1;
    eddy__push(p, "author", true);
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *authors = eddy__fp_setdefault(p, ctx, "authors", eddy__v_arr(p->arena));
    if (authors && authors->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, authors, eddy__v_obj(p->arena));
}

void eddy__end_author(struct eddy__mixin *p)
{
    eddy__pop(p, "author", true);
    p->inauthor = 0;
    eddy__sync_author_detail(p, "author");
}

static void start_contributor(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    p->incontributor = 1;
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *c = eddy__fp_setdefault(p, ctx, "contributors", eddy__v_arr(p->arena));
    if (c && c->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, c, eddy__v_obj(p->arena));
    eddy__push(p, "contributor", false);
}

static void end_contributor(struct eddy__mixin *p)
{
    eddy__pop(p, "contributor", true);
    p->incontributor = 0;
}

void eddy__start_name(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "name", false);
}

void eddy__end_name(struct eddy__mixin *p)
{
    const char *value = eddy__pop(p, "name", true);
    if (p->inpublisher)
        eddy__save_author(p, "name", value, "publisher");
    else if (p->inauthor)
        eddy__save_author(p, "name", value, "author");
    else if (p->incontributor)
        eddy__save_contributor(p, "name", value);
    else if (p->intextinput)
        set(p, eddy__ctx(p), "name", eddy__str_value(p, value));
}

static void start_width(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "width", false);
}
static void start_height(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "height", false);
}

/* int(value) or 0 (Python's int() accepts surrounding whitespace and a sign) */
static long long to_int(const char *s)
{
    if (!s)
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s)
        return 0;
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    return *end ? 0 : v;
}

static void end_dim(struct eddy__mixin *p, const char *key)
{
    const char *value = eddy__pop(p, key, true);
    if (p->inimage)
        set(p, eddy__ctx(p), key, eddy__v_int(p->arena, to_int(value)));
}
static void end_width(struct eddy__mixin *p)
{
    end_dim(p, "width");
}
static void end_height(struct eddy__mixin *p)
{
    end_dim(p, "height");
}

static void start_url(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "href", true);
}

static void end_url(struct eddy__mixin *p)
{
    const char *value = eddy__pop(p, "href", true);
    if (p->inauthor)
        eddy__save_author(p, "href", value, "author");
    else if (p->incontributor)
        eddy__save_contributor(p, "href", value);
}

void eddy__start_email(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "email", false);
}

void eddy__end_email(struct eddy__mixin *p)
{
    const char *value = eddy__pop(p, "email", true);
    if (p->inpublisher)
        eddy__save_author(p, "email", value, "publisher");
    else if (p->inauthor)
        eddy__save_author(p, "email", value, "author");
    else if (p->incontributor)
        eddy__save_contributor(p, "email", value);
}

/* ---- text constructs --------------------------------------------------------- */

void eddy__start_subtitle(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__push_content(p, "subtitle", a, "text/plain", true);
}
void eddy__end_subtitle(struct eddy__mixin *p)
{
    eddy__pop_content(p, "subtitle");
}
void eddy__start_rights(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__push_content(p, "rights", a, "text/plain", true);
}
void eddy__end_rights(struct eddy__mixin *p)
{
    eddy__pop_content(p, "rights");
}

static bool in_any(struct eddy__mixin *p)
{
    return p->infeed || p->inentry || p->insource;
}

void eddy__start_title(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    if (p->svgok) {
        /* feedparser re-enters unknown_starttag('title'): inside svg this
         * writes the tag back as markup */
        extern void eddy__start_tag(struct eddy__mixin *, const char *, struct eddy_feed_value *);
        eddy__start_tag(p, "title", a);
        return;
    }
    eddy__push_content(p, "title", a, "text/plain", in_any(p));
}

void eddy__end_title(struct eddy__mixin *p)
{
    if (p->svgok)
        return;
    const char *value = eddy__pop_content(p, "title");
    if (!truthy(value))
        return;
    p->title_depth = p->depth;
}

void eddy__start_description(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    if (eddy__fp_get(ctx, "summary") && !p->has_content) {
        p->summary_key = "content";
        eddy__start_content(p, a);
    } else {
        eddy__push_content(p, "description", a, "text/html", in_any(p));
    }
}

static void start_abstract(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__push_content(p, "description", a, "text/plain", in_any(p));
}

void eddy__end_description(struct eddy__mixin *p)
{
    if (p->summary_key && !strcmp(p->summary_key, "content"))
        eddy__end_content(p);
    else
        eddy__pop_content(p, "description");
    p->summary_key = NULL;
}

static void start_info(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__push_content(p, "info", a, "text/plain", true);
}
static void end_info(struct eddy__mixin *p)
{
    eddy__pop_content(p, "info");
}

void eddy__start_summary(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    if (eddy__fp_get(ctx, "summary") && !p->has_content) {
        p->summary_key = "content";
        eddy__start_content(p, a);
    } else {
        p->summary_key = "summary";
        eddy__push_content(p, "summary", a, "text/plain", true);
    }
}

void eddy__end_summary(struct eddy__mixin *p)
{
    if (p->summary_key && !strcmp(p->summary_key, "content"))
        eddy__end_content(p);
    else
        eddy__pop_content(p, p->summary_key ? p->summary_key : "summary");
    p->summary_key = NULL;
}

void eddy__start_content(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    p->has_content = 1;
    eddy__push_content(p, "content", a, "text/plain", true);
    const char *src = eddy__attr(a, "src");
    if (truthy(src)) {
        p->cp.has_src = true;
        eddy_buf_reset(&p->cp.src);
        eddy_buf_puts(&p->cp.src, src);
    }
    /* feedparser pushes 'content' a second time here; see mixin.c */
}

static void start_body(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__push_content(p, "content", a, "application/xhtml+xml", true);
}

static void start_content_encoded(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    p->has_content = 1;
    eddy__push_content(p, "content", a, "text/html", true);
}

void eddy__end_content(struct eddy__mixin *p)
{
    const char *t = eddy__map_content_type(p, p->cp.has_type ? eddy_buf_cstr(&p->cp.type) : NULL);
    bool copy =
        !strcmp(t, "text/plain") || !strcmp(t, "text/html") || !strcmp(t, "application/xhtml+xml");
    const char *value = eddy__pop_content(p, "content");
    if (copy) {
        /* _save(..., overwrite=False) without its copy of the text when
         * summary is already there (an RSS description before
         * content:encoded): that dead copy was 14 MB of the 93 MB result
         * arena of the bench corpus's biggest feed */
        struct eddy_feed_value *ctx = eddy__ctx(p);
        if (!eddy__fp_get(ctx, "summary"))
            eddy__fp_set(p, ctx, "summary", eddy__str_value(p, value));
    }
}

/* ---- entries ----------------------------------------------------------------- */

static void start_item(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    extern void eddy__entry_begin(struct eddy__mixin *);
    eddy__entry_begin(p);
    eddy__push(p, "item", false);
    p->inentry = 1;
    p->guidislink = false;
    p->title_depth = -1;
    const char *id = eddy__get_attribute(p, a, "rdf:about");
    if (truthy(id))
        set(p, eddy__ctx(p), "id", eddy__str_value(p, id));
    cdf_common(p, a);
}

static void end_item(struct eddy__mixin *p)
{
    extern void eddy__entry_end(struct eddy__mixin *);
    eddy__pop(p, "item", true);
    p->inentry = 0;
    p->has_content = 0;
    eddy__entry_end(p);
}

void eddy__start_language(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "language", true);
}

void eddy__end_language(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "language", true);
    eddy_buf_reset(&p->lang);
    p->lang_null = !v;
    if (v)
        eddy_buf_puts(&p->lang, v);
}

void eddy__start_webmaster(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "publisher", true);
}

void eddy__end_webmaster(struct eddy__mixin *p)
{
    eddy__pop(p, "publisher", true);
    eddy__sync_author_detail(p, "publisher");
}

/* ---- dates ------------------------------------------------------------------- */

void eddy__start_published(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "published", true);
}
void eddy__end_published(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "published", true);
    eddy__save(p, "published_parsed", eddy__date_value(p, v), true);
}

void eddy__start_updated(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "updated", true);
}
void eddy__end_updated(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "updated", true);
    eddy__save(p, "updated_parsed", eddy__date_value(p, v), true);
}

void eddy__start_created(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "created", true);
}
void eddy__end_created(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "created", true);
    eddy__save(p, "created_parsed", eddy__date_value(p, v), true);
}

static void start_expirationdate(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "expired", true);
}
static void end_expirationdate(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "expired", true);
    eddy__save(p, "expired_parsed", eddy__date_value(p, v), true);
}

/* ---- categories -------------------------------------------------------------- */

void eddy__start_category(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    const char *term = eddy__attr(a, "term");
    const char *scheme = eddy__attr(a, "scheme");
    if (!scheme)
        scheme = eddy__attr(a, "domain");
    const char *label = eddy__attr(a, "label");
    eddy__add_tag(p, term, scheme, label);
    eddy__push(p, "category", true);
}

void eddy__end_category(struct eddy__mixin *p)
{
    const char *value = eddy__pop(p, "category", true);
    if (!truthy(value))
        return;
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *tags = eddy__fp_get(ctx, "tags");
    size_t n = eddy_feed_len(tags);
    struct eddy_feed_value *last = n ? (struct eddy_feed_value *)eddy_feed_at(tags, n - 1) : NULL;
    if (last && !truthy(S(eddy__obj_get(last, "term"))))
        eddy__obj_set(p->arena, last, "term", false, eddy__str_value(p, value));
    else
        eddy__add_tag(p, value, NULL, NULL);
}

static void start_tags(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "tags", true);
}

static void add_term(struct eddy__mixin *p, char *term)
{
    /* term.strip() */
    eddy__add_tag(p, eddy__strip(term, EDDY__PY_SPACE, EDDY__PY_SPACE), NULL, NULL);
}

static void end_tags(struct eddy__mixin *p)
{
    eddy__pop_split(p, "tags", ',', add_term);
}

static void start_cloud(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    set(p, eddy__ctx(p), "cloud", eddy__deepcopy(p->arena, a));
}

/* ---- links ------------------------------------------------------------------- */

static void start_link(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    if (!eddy__attr(a, "rel"))
        eddy__attr_set(p, a, "rel", "alternate");
    if (!eddy__attr(a, "type"))
        eddy__attr_set(p, a, "type",
                       !strcmp(eddy__attr(a, "rel"), "self") ? "application/atom+xml"
                                                             : "text/html");
    struct eddy_feed_value *ctx = eddy__ctx(p);
    eddy__enforce_href(p, a);
    const char *href = eddy__attr(a, "href");
    if (href)
        eddy__attr_set(p, a, "href", eddy__resolve_uri(p, href));
    if (!strcmp(eddy__attr(a, "rel"), "alternate") &&
        (!strcmp(eddy__map_content_type(p, eddy__attr(a, "type")), "text/html") ||
         !strcmp(eddy__map_content_type(p, eddy__attr(a, "type")), "application/xhtml+xml")))
        p->isentrylink = true;
    bool expecting = in_any(p);
    struct eddy_feed_value *links = eddy__fp_setdefault(p, ctx, "links", eddy__v_arr(p->arena));
    if (!(p->inentry && p->inimage) && links && links->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, links, eddy__deepcopy(p->arena, a));
    href = eddy__attr(a, "href");
    if (href) {
        if (p->isentrylink)
            set(p, ctx, "link", eddy__str_value(p, href));
    } else {
        eddy__push(p, "link", expecting);
    }
}

static void end_link(struct eddy__mixin *p)
{
    eddy__pop(p, "link", true);
    p->isentrylink = false;
}

static void start_guid(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    const char *perma = eddy__attr(a, "ispermalink");
    p->guidislink = !perma || !strcmp(perma, "true");
    eddy__push(p, "id", true);
}

static void end_guid(struct eddy__mixin *p)
{
    const char *value = eddy__pop(p, "id", true);
    struct eddy_feed_value *ctx = eddy__ctx(p);
    bool gil = p->guidislink && !eddy__fp_get(ctx, "link");
    eddy__save(p, "guidislink", eddy__v_bool(p->arena, gil), false);
    if (p->guidislink)
        eddy__save(p, "link", eddy__str_value(p, value), false);
}

static void start_generator(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    if (a && a->nmembers) {
        eddy__enforce_href(p, a);
        const char *href = eddy__attr(a, "href");
        if (href)
            eddy__attr_set(p, a, "href", eddy__resolve_uri(p, href));
    }
    set(p, eddy__ctx(p), "generator_detail", eddy__deepcopy(p->arena, a));
    eddy__push(p, "generator", true);
}

static void end_generator(struct eddy__mixin *p)
{
    const char *value = eddy__pop(p, "generator", true);
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *d = eddy__fp_get(ctx, "generator_detail");
    if (d && d->type == EDDY_FEED_OBJECT)
        eddy__obj_set(p->arena, d, "name", false, eddy__str_value(p, value));
}

static void start_enclosure(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__enforce_href(p, a);
    struct eddy_feed_value *ctx = eddy__ctx(p);
    eddy__attr_set(p, a, "rel", "enclosure");
    struct eddy_feed_value *links = eddy__fp_setdefault(p, ctx, "links", eddy__v_arr(p->arena));
    if (links && links->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, links, eddy__deepcopy(p->arena, a));
}

static void start_source(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    const char *url = eddy__attr(a, "url");
    if (url)
        set(p, p->sourcedata, "href", eddy__str_value(p, url));
    eddy__push(p, "source", true);
    p->insource = 1;
    p->title_depth = -1;
}

static void end_source(struct eddy__mixin *p)
{
    p->insource = 0;
    const char *value = eddy__pop(p, "source", true);
    if (truthy(value))
        set(p, p->sourcedata, "title", eddy__str_value(p, value));
    set(p, eddy__ctx(p), "source", eddy__deepcopy(p->arena, p->sourcedata));
    eddy__obj_clear(p->sourcedata);
}

static void start_newlocation(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "newlocation", true);
}

static void end_newlocation(struct eddy__mixin *p)
{
    const char *url = eddy__pop(p, "newlocation", true);
    struct eddy_feed_value *ctx = eddy__ctx(p);
    if (ctx != p->feeddata || !url)
        return;
    /* make_safe_absolute_uri(self.baseuri, url.strip()) */
    struct eddy_buf out = EDDY_BUF_INIT(0);
    const char *base = eddy_buf_cstr(&p->baseuri);
    if (!*base)
        eddy_buf_puts(&out, url);
    else if (!*url) {
        if (eddy__uri_scheme_ok(base))
            eddy_buf_puts(&out, base);
    } else
        eddy__uri_resolve_safe(&out, base, url);
    set(p, ctx, "newlocation", eddy__str_value(p, eddy_buf_cstr(&out)));
    eddy_buf_free(&out);
}

static void start_managingeditor(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__start_author(p, a);
}

/* Sorted by name (strcmp order): looked up with bsearch. */
const struct eddy__handler eddy__ns_base[] = {
    {"abstract", start_abstract, eddy__end_description},
    {"author", eddy__start_author, eddy__end_author},
    {"body", start_body, eddy__end_content},
    {"category", eddy__start_category, eddy__end_category},
    {"channel", start_channel, end_channel},
    {"cloud", start_cloud, NULL},
    {"content", eddy__start_content, eddy__end_content},
    {"content_encoded", start_content_encoded, eddy__end_content},
    {"contributor", start_contributor, end_contributor},
    {"copyright", eddy__start_rights, eddy__end_rights},
    {"created", eddy__start_created, eddy__end_created},
    {"description", eddy__start_description, eddy__end_description},
    {"email", eddy__start_email, eddy__end_email},
    {"enclosure", start_enclosure, NULL},
    {"entry", start_item, end_item},
    {"expirationdate", start_expirationdate, end_expirationdate},
    {"feed", start_feed, end_channel},
    {"feedburner_browserfriendly", start_info, end_info},
    {"fullitem", start_content_encoded, eddy__end_content},
    {"generator", start_generator, end_generator},
    {"guid", start_guid, end_guid},
    {"height", start_height, end_height},
    {"homepage", start_url, end_url},
    {"id", start_guid, end_guid},
    {"image", start_image, end_image},
    {"info", start_info, end_info},
    {"issued", eddy__start_published, eddy__end_published},
    {"item", start_item, end_item},
    {"keywords", eddy__start_category, eddy__end_category},
    {"language", eddy__start_language, eddy__end_language},
    {"lastbuilddate", eddy__start_updated, eddy__end_updated},
    {"link", start_link, end_link},
    {"managingeditor", start_managingeditor, eddy__end_author},
    {"modified", eddy__start_updated, eddy__end_updated},
    {"name", eddy__start_name, eddy__end_name},
    {"newlocation", start_newlocation, end_newlocation},
    {"pubdate", eddy__start_published, eddy__end_published},
    {"published", eddy__start_published, eddy__end_published},
    {"rights", eddy__start_rights, eddy__end_rights},
    {"rss", start_rss, NULL},
    {"source", start_source, end_source},
    {"subtitle", eddy__start_subtitle, eddy__end_subtitle},
    {"summary", eddy__start_summary, eddy__end_summary},
    {"tagline", eddy__start_subtitle, eddy__end_subtitle},
    {"tags", start_tags, end_tags},
    {"textinput", start_textinput, end_textinput},
    {"title", eddy__start_title, eddy__end_title},
    {"updated", eddy__start_updated, eddy__end_updated},
    {"uri", start_url, end_url},
    {"url", start_url, end_url},
    {"webmaster", eddy__start_webmaster, eddy__end_webmaster},
    {"width", start_width, end_width},
    {"xhtml_body", start_body, eddy__end_content},
};
const size_t eddy__ns_base_n = sizeof eddy__ns_base / sizeof eddy__ns_base[0];
