/*
 * ns_cc.c — Creative Commons licenses (feedparser's namespaces/cc.py): both
 * the RDF form (cc:license rdf:resource) and the RSS module form become a
 * link with rel "license".
 */
#include "internal.h"

static void add_license(struct eddy__mixin *p, const char *href)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *link = eddy__v_obj(p->arena);
    eddy__obj_set(p->arena, link, "rel", false, eddy__str_value(p, "license"));
    if (href && *href)
        eddy__obj_set(p->arena, link, "href", false, eddy__str_value(p, href));
    struct eddy_feed_value *links = eddy__fp_setdefault(p, ctx, "links", eddy__v_arr(p->arena));
    if (links && links->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, links, link);
}

static void start_cc_license(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    add_license(p, eddy__get_attribute(p, a, "rdf:resource"));
}

static void start_cc_rss_license(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "license", true);
}

static void end_cc_rss_license(struct eddy__mixin *p)
{
    const char *value = eddy__pop(p, "license", true);
    add_license(p, value);
    eddy__obj_del(eddy__ctx(p), "license");
}

/* Sorted by name (strcmp order). */
const struct eddy__handler eddy__ns_cc[] = {
    {"cc_license", start_cc_license, NULL},
    /* the loose parser's key: its lower-cased prefix maps to feedparser's
     * canonical "creativeCommons" (cc.py aliases the handler the same way) */
    {"creativeCommons_license", start_cc_rss_license, end_cc_rss_license},
    {"creativecommons_license", start_cc_rss_license, end_cc_rss_license},
};
const size_t eddy__ns_cc_n = sizeof eddy__ns_cc / sizeof eddy__ns_cc[0];
