/*
 * ns_psc.c — Podlove Simple Chapters (feedparser's namespaces/psc.py):
 * psc:chapters becomes {..attributes, chapters: [{start, title, href?,
 * image?, start_parsed}]}; start_parsed is a number of seconds (feedparser's
 * timedelta) or null when "start" is not [[hh:]mm:]ss[.mmm].
 */
#include "internal.h"

#include <ctype.h>
#include <string.h>

static void start_chapters(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    struct eddy_feed_value *ctx = eddy__ctx(p);
    if (eddy__fp_get(ctx, "psc_chapters"))
        return;
    p->psc_chapters_flag = true;
    struct eddy_feed_value *o = eddy__deepcopy(p->arena, a);
    eddy__obj_set(p->arena, o, "chapters", false, eddy__v_arr(p->arena));
    eddy__fp_set(p, ctx, "psc_chapters", o);
}

static void end_chapters(struct eddy__mixin *p)
{
    p->psc_chapters_flag = false;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* ^((\d{2}):)?(\d{2}):(\d{2})(\.(\d{3}))?$ -> seconds, or -1 */
static double parse_start(const char *s)
{
    if (!s)
        return -1;
    size_t n = strlen(s);
    int h = 0;
    const char *q = s;
    if (n >= 8 && digits(q, 2) && q[2] == ':' && digits(q + 3, 2) && q[5] == ':') {
        h = (q[0] - '0') * 10 + (q[1] - '0');
        q += 3;
    }
    if (strlen(q) < 5 || !digits(q, 2) || q[2] != ':' || !digits(q + 3, 2))
        return -1;
    int m = (q[0] - '0') * 10 + (q[1] - '0'), sec = (q[3] - '0') * 10 + (q[4] - '0'), ms = 0;
    q += 5;
    if (*q == '.') {
        if (strlen(q) != 4 || !digits(q + 1, 3))
            return -1;
        ms = (q[1] - '0') * 100 + (q[2] - '0') * 10 + (q[3] - '0');
        q += 4;
    }
    if (*q && !(*q == '\n' && !q[1]))
        return -1;
    return h * 3600.0 + m * 60.0 + sec + ms / 1000.0;
}

static void start_chapter(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    if (!p->psc_chapters_flag)
        return;
    double start = parse_start(eddy__get_attribute(p, a, "start"));
    struct eddy_feed_value *ch = eddy__deepcopy(p->arena, a);
    eddy__obj_set(p->arena, ch, "start_parsed", false,
                  start < 0 ? eddy__v_null(p->arena) : eddy__v_real(p->arena, start));
    struct eddy_feed_value *chapters =
        eddy__obj_get(eddy__fp_get(eddy__ctx(p), "psc_chapters"), "chapters");
    if (chapters && chapters->type == EDDY_FEED_ARRAY)
        eddy__arr_push(p->arena, chapters, ch);
}

/* Sorted by name (strcmp order). */
const struct eddy__handler eddy__ns_psc[] = {
    {"psc_chapter", start_chapter, NULL},
    {"psc_chapters", start_chapters, end_chapters},
};
const size_t eddy__ns_psc_n = sizeof eddy__ns_psc / sizeof eddy__ns_psc[0];
