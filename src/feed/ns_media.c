/*
 * ns_media.c — Media RSS (feedparser's namespaces/mediarss.py): content,
 * thumbnails, player, credit, rating, restriction, license as objects of
 * their attributes (+ "content" text); media:category / keywords as tags;
 * media:title / description as the item's own.
 */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

static void start_category(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    if (!eddy__attr(a, "scheme"))
        eddy__attr_set(p, a, "scheme", "http://search.yahoo.com/mrss/category_schema");
    eddy__start_category(p, a);
}

static void add_keyword(struct eddy__mixin *p, char *word)
{
    word = eddy__strip(word, EDDY__PY_SPACE, EDDY__PY_SPACE);
    if (*word)
        eddy__add_tag(p, word, NULL, NULL);
}

static void end_keywords(struct eddy__mixin *p)
{
    eddy__pop_split(p, "media_keywords", ',', add_keyword);
}

static void end_title(struct eddy__mixin *p)
{
    int depth = p->title_depth;
    eddy__end_title(p);
    p->title_depth = depth;
}

/* context.setdefault(key, attrs_d); push(element) */
static void start_attr_obj(struct eddy__mixin *p, struct eddy_feed_value *a, const char *key,
                           const char *element)
{
    eddy__fp_setdefault(p, eddy__ctx(p), key, eddy__deepcopy(p->arena, a));
    eddy__push(p, element, true);
}

static void end_attr_obj(struct eddy__mixin *p, const char *key, const char *element)
{
    const char *v = eddy__pop(p, element, true);
    if (!blank(v)) {
        struct eddy_feed_value *o = eddy__fp_get(eddy__ctx(p), key);
        if (o && o->type == EDDY_FEED_OBJECT)
            eddy__obj_set(p->arena, o, "content", false, eddy__str_value(p, v));
    }
}

static void start_rating(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    start_attr_obj(p, a, "media_rating", "rating");
}
static void end_rating(struct eddy__mixin *p)
{
    end_attr_obj(p, "media_rating", "rating");
}
static void start_license(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    start_attr_obj(p, a, "media_license", "license");
}
static void end_license(struct eddy__mixin *p)
{
    end_attr_obj(p, "media_license", "license");
}
static void start_restriction(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    start_attr_obj(p, a, "media_restriction", "restriction");
}

static void end_restriction(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "restriction", true);
    if (blank(v))
        return;
    struct eddy_feed_value *o = eddy__fp_get(eddy__ctx(p), "media_restriction");
    if (!o || o->type != EDDY_FEED_OBJECT)
        return;
    /* [cc.strip().lower() for cc in restriction.split(' ')] */
    struct eddy_feed_value *arr = eddy__v_arr(p->arena);
    char *copy = strdup(v);
    if (!copy) {
        p->oom = true;
        return;
    }
    for (char *s = copy, *sp;; s = sp + 1) {
        sp = strchr(s, ' ');
        if (sp)
            *sp = 0;
        char *t = s;
        while (isspace((unsigned char)*t))
            t++;
        size_t n = strlen(t);
        while (n && isspace((unsigned char)t[n - 1]))
            t[--n] = 0;
        for (char *q = t; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        eddy__arr_push(p->arena, arr, eddy__str_value(p, t));
        if (!sp)
            break;
    }
    free(copy);
    eddy__obj_set(p->arena, o, "content", false, arr);
}

/* context.setdefault(key, []).append(attrs_d) */
static struct eddy_feed_value *append_attrs(struct eddy__mixin *p, struct eddy_feed_value *a,
                                            const char *key)
{
    struct eddy_feed_value *list = eddy__fp_setdefault(p, eddy__ctx(p), key, eddy__v_arr(p->arena));
    struct eddy_feed_value *copy = eddy__deepcopy(p->arena, a);
    if (list && list->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, list, copy);
    return copy;
}

static void start_credit(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    append_attrs(p, a, "media_credit");
    eddy__push(p, "credit", true);
}

static void end_credit(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "credit", true);
    if (blank(v))
        return;
    struct eddy_feed_value *list = eddy__fp_get(eddy__ctx(p), "media_credit");
    size_t n = eddy_feed_len(list);
    if (n)
        eddy__obj_set(p->arena, (struct eddy_feed_value *)eddy_feed_at(list, n - 1), "content",
                      false, eddy__str_value(p, v));
}

static void start_content(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    append_attrs(p, a, "media_content");
}

static void start_thumbnail(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    struct eddy_feed_value *list =
        eddy__fp_setdefault(p, eddy__ctx(p), "media_thumbnail", eddy__v_arr(p->arena));
    eddy__push(p, "url", true);
    if (list && list->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, list, eddy__deepcopy(p->arena, a));
}

static void end_thumbnail(struct eddy__mixin *p)
{
    const char *url = eddy__pop(p, "url", true);
    struct eddy_feed_value *list = eddy__fp_get(eddy__ctx(p), "media_thumbnail");
    if (!blank(url)) {
        size_t n = eddy_feed_len(list);
        struct eddy_feed_value *last =
            n ? (struct eddy_feed_value *)eddy_feed_at(list, n - 1) : NULL;
        if (last && !eddy__obj_get(last, "url"))
            eddy__obj_set(p->arena, last, "url", false, eddy__str_value(p, url));
    }
}

static void start_player(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    eddy__push(p, "media_player", false);
    eddy__fp_set(p, eddy__ctx(p), "media_player", eddy__deepcopy(p->arena, a));
}

static void end_player(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "media_player", true);
    struct eddy_feed_value *o = eddy__fp_get(eddy__ctx(p), "media_player");
    if (o && o->type == EDDY_FEED_OBJECT)
        eddy__obj_set(p->arena, o, "content", false, eddy__str_value(p, v));
}

static void start_group(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)p;
    (void)a;
}

/* Sorted by name (strcmp order). */
const struct eddy__handler eddy__ns_media[] = {
    {"media_category", start_category, eddy__end_category},
    {"media_content", start_content, NULL},
    {"media_credit", start_credit, end_credit},
    {"media_description", eddy__start_description, eddy__end_description},
    {"media_group", start_group, NULL},
    {"media_keywords", NULL, end_keywords},
    {"media_license", start_license, end_license},
    {"media_player", start_player, end_player},
    {"media_rating", start_rating, end_rating},
    {"media_restriction", start_restriction, end_restriction},
    {"media_thumbnail", start_thumbnail, end_thumbnail},
    {"media_title", eddy__start_title, end_title},
};
const size_t eddy__ns_media_n = sizeof eddy__ns_media / sizeof eddy__ns_media[0];
