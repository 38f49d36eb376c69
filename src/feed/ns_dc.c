/*
 * ns_dc.c — Dublin Core elements and terms (feedparser's namespaces/dc.py):
 * mostly aliases of the core handlers (dc:creator is an author, dc:date an
 * updated date, dc:subject a category...), plus dcterms:valid.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void end_dc_title(struct eddy__mixin *p)
{
    eddy__end_title(p);
}

static void start_dcterms_valid(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "validity", true);
}

/* One "key=value" piece of dcterms:valid ("start=...; end=..."). */
static void validity_piece(struct eddy__mixin *p, char *piece)
{
    char *eq = strchr(piece, '=');
    if (!eq)
        return;
    *eq = 0;
    const char *key = piece, *value = eq + 1;
    if (!strcmp(key, "start")) {
        eddy__save(p, "validity_start", eddy__str_value(p, value), true);
        eddy__save(p, "validity_start_parsed", eddy__date_value(p, value), true);
    } else if (!strcmp(key, "end")) {
        eddy__save(p, "validity_end", eddy__str_value(p, value), true);
        eddy__save(p, "validity_end_parsed", eddy__date_value(p, value), true);
    }
}

static void end_dcterms_valid(struct eddy__mixin *p)
{
    eddy__pop_split(p, "validity", ';', validity_piece);
}

static void start_dc_contributor(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    p->incontributor = 1;
    struct eddy_feed_value *ctx = eddy__ctx(p);
    struct eddy_feed_value *c = eddy__fp_setdefault(p, ctx, "contributors", eddy__v_arr(p->arena));
    if (c && c->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, c, eddy__v_obj(p->arena));
    eddy__push(p, "name", false);
}

static void end_dc_contributor(struct eddy__mixin *p)
{
    eddy__end_name(p);
    p->incontributor = 0;
}

/* Sorted by name (strcmp order). */
const struct eddy__handler eddy__ns_dc[] = {
    {"dc_author", eddy__start_author, eddy__end_author},
    {"dc_contributor", start_dc_contributor, end_dc_contributor},
    {"dc_creator", eddy__start_author, eddy__end_author},
    {"dc_date", eddy__start_updated, eddy__end_updated},
    {"dc_description", eddy__start_description, eddy__end_description},
    {"dc_language", eddy__start_language, eddy__end_language},
    {"dc_publisher", eddy__start_webmaster, eddy__end_webmaster},
    {"dc_rights", eddy__start_rights, eddy__end_rights},
    {"dc_subject", eddy__start_category, eddy__end_category},
    {"dc_title", eddy__start_title, end_dc_title},
    {"dcterms_created", eddy__start_created, eddy__end_created},
    {"dcterms_issued", eddy__start_published, eddy__end_published},
    {"dcterms_modified", eddy__start_updated, eddy__end_updated},
    {"dcterms_valid", start_dcterms_valid, end_dcterms_valid},
};
const size_t eddy__ns_dc_n = sizeof eddy__ns_dc / sizeof eddy__ns_dc[0];
