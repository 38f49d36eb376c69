/*
 * ns_itunes.c — Apple podcast elements (feedparser's namespaces/itunes.py):
 * owner as publisher, categories and keywords as tags, image, block and
 * explicit (true / false / null, as feedparser 6.0.11+ gives it).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void start_owner(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    p->inpublisher = 1;
    eddy__push(p, "publisher", false);
}

static void end_owner(struct eddy__mixin *p)
{
    eddy__pop(p, "publisher", true);
    p->inpublisher = 0;
    eddy__sync_author_detail(p, "publisher");
}

static void add_keyword(struct eddy__mixin *p, char *word)
{
    word = eddy__strip(word, EDDY__PY_SPACE, EDDY__PY_SPACE);
    if (*word)
        eddy__add_tag(p, word, "http://www.itunes.com/", NULL);
}

/* feedparser: with no value, an AttributeError, then a second pop that does
 * nothing. */
static void end_keywords(struct eddy__mixin *p)
{
    eddy__pop_split(p, "itunes_keywords", ',', add_keyword);
}

static void start_category(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__add_tag(p, eddy__attr(a, "text"), "http://www.itunes.com/", NULL);
    eddy__push(p, "category", true);
}

static void start_image(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__push(p, "itunes_image", false);
    const char *href = eddy__attr(a, "href");
    if (!href || !*href)
        href = eddy__attr(a, "url");
    if (href && *href) {
        struct eddy_feed_value *img = eddy__v_obj(p->arena);
        eddy__obj_set(p->arena, img, "href", false, eddy__str_value(p, href));
        eddy__fp_set(p, eddy__ctx(p), "image", img);
    }
}

/* feedparser's itunes:link starts like itunes:image (push 'itunes_image')
 * but has no end handler, so its elementstack entry is never popped and one
 * leaks per element.  Popping it here keeps memory bounded on huge podcast
 * feeds; feedparser's only visible difference is text after the element
 * going to the leaked entry instead of the enclosing element. */
static void end_link(struct eddy__mixin *p)
{
    eddy__pop(p, "itunes_image", true);
}

static void end_block(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "itunes_block", false);
    bool yes = v && (!strcmp(v, "yes") || !strcmp(v, "Yes"));
    eddy__fp_set(p, eddy__ctx(p), "itunes_block", eddy__v_int(p->arena, yes));
}

static void end_explicit(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "itunes_explicit", false);
    /* feedparser 6.0.11+: yes/true -> True, clean/no/false -> False, else None */
    bool t = v && (!strcmp(v, "yes") || !strcmp(v, "true"));
    bool f = v && (!strcmp(v, "clean") || !strcmp(v, "no") || !strcmp(v, "false"));
    struct eddy_feed_value *r = t   ? eddy__v_bool(p->arena, true)
                                : f ? eddy__v_bool(p->arena, false)
                                    : eddy__v_null(p->arena);
    eddy__fp_set(p, eddy__ctx(p), "itunes_explicit", r);
}

/* Sorted by name (strcmp order). */
const struct eddy__handler eddy__ns_itunes[] = {
    {"itunes_author", eddy__start_author, eddy__end_author},
    {"itunes_block", NULL, end_block},
    {"itunes_category", start_category, eddy__end_category},
    {"itunes_email", eddy__start_email, eddy__end_email},
    {"itunes_explicit", NULL, end_explicit},
    {"itunes_image", start_image, NULL},
    {"itunes_keywords", NULL, end_keywords},
    {"itunes_link", start_image, end_link},
    {"itunes_name", eddy__start_name, eddy__end_name},
    {"itunes_owner", start_owner, end_owner},
    {"itunes_subtitle", eddy__start_subtitle, eddy__end_subtitle},
    {"itunes_summary", eddy__start_summary, eddy__end_summary},
};
const size_t eddy__ns_itunes_n = sizeof eddy__ns_itunes / sizeof eddy__ns_itunes[0];
