/* Tests of what the river's page reads (store/entries.c) on a real SQLite
 * file: a page with q.excerpt cuts summary and content to their first
 * EDDY_STORE_EXCERPT_CHARS characters (not bytes: a UTF-8 character is not
 * split) and keeps "" and NULL; the feeds with the most unread, with the
 * filtered feed last wherever it ranks; feeds' names by id. */
#include "../test.h"

#include "eddy/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct eddy_store *open_tmp(void)
{
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    return s;
}

static int64_t feed(struct eddy_store *s, const char *url, const char *title)
{
    int64_t id = 0;
    CHECK_INT(eddy_store_feed_add(s, url, title, NULL, &id), ==, 0);
    return id;
}

/* n entries in feed f, guids prefix0..; content and summary as given. */
static void fill(struct eddy_store *s, int64_t f, const char *prefix, int n, const char *summary,
                 const char *content)
{
    for (int i = 0; i < n; i++) {
        char guid[64];
        snprintf(guid, sizeof guid, "%s%d", prefix, i);
        struct eddy_store_entry_in e = {.guid = guid,
                                        .title = guid,
                                        .summary = summary,
                                        .content = content,
                                        .date = 100 + i,
                                        .date_source = EDDY_STORE_DATE_PARSED};
        CHECK_INT(eddy_store_entries_upsert(s, f, &e, 1, 1000, NULL), ==, 0);
    }
}

TEST(store_excerpt_cuts_summary_and_content)
{
    struct eddy_store *s = open_tmp();
    int64_t f = feed(s, "http://a.example/feed", NULL);
    /* 2 * EXCERPT_CHARS characters of 2 bytes each */
    size_t n = 2 * EDDY_STORE_EXCERPT_CHARS;
    char *big = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 2 * i, "\xc3\xa9", 2);
    big[2 * n] = 0;
    fill(s, f, "big", 1, big, big);
    fill(s, f, "none", 1, "", NULL);
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){.excerpt = true}, &p), ==, 0);
    CHECK_INT(p.n, ==, 2);
    /* newest first: none0 (date 100) and big0 (date 100): by id, big0 is older */
    for (size_t i = 0; i < p.n; i++) {
        const struct eddy_store_entry *e = &p.entries[i];
        if (!strcmp(e->guid, "big0")) {
            CHECK_INT(strlen(e->summary), ==, 2 * EDDY_STORE_EXCERPT_CHARS);
            CHECK_INT(strlen(e->content), ==, 2 * EDDY_STORE_EXCERPT_CHARS);
            CHECK(!strncmp(e->content, big, strlen(e->content)));
        } else {
            CHECK_STR(e->summary, "");
            CHECK(e->content == NULL);
        }
    }
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){0}, &p), ==, 0);
    for (size_t i = 0; i < p.n; i++)
        if (!strcmp(p.entries[i].guid, "big0"))
            CHECK_STR(p.entries[i].content, big); /* whole without the flag */
    eddy_store_page_fini(&p);
    free(big);
    eddy_store_close(s);
}

TEST(store_feeds_unread_top_and_names)
{
    struct eddy_store *s = open_tmp();
    int64_t a = feed(s, "http://a.example/feed", "A"), b = feed(s, "http://b.example/feed", NULL),
            c = feed(s, "http://c.example/feed", "C"), d = feed(s, "http://d.example/feed", "");
    fill(s, a, "a", 2, "x", NULL);
    fill(s, b, "b", 3, "x", NULL);
    fill(s, c, "c", 1, "x", NULL);
    struct eddy_store_feed_unread *v = NULL;
    size_t n = 0;
    CHECK_INT(eddy_store_feeds_unread(s, 2, 0, &v, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    CHECK_INT(v[0].id, ==, b);
    CHECK_STR(v[0].name, "http://b.example/feed"); /* no title: its URL */
    CHECK_INT(v[0].unread, ==, 3);
    CHECK_INT(v[1].id, ==, a);
    eddy_store_feeds_unread_free(v, n);
    /* the filtered feed, last: outside the top (no unread at all), inside it */
    CHECK_INT(eddy_store_feeds_unread(s, 2, d, &v, &n), ==, 0);
    CHECK_INT(n, ==, 3);
    CHECK_INT(v[2].id, ==, d);
    CHECK_INT(v[2].unread, ==, 0);
    eddy_store_feeds_unread_free(v, n);
    CHECK_INT(eddy_store_feeds_unread(s, 2, b, &v, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    CHECK_INT(v[0].id, ==, a);
    CHECK_INT(v[1].id, ==, b);
    CHECK_INT(v[1].unread, ==, 3);
    eddy_store_feeds_unread_free(v, n);
    CHECK_INT(eddy_store_feeds_unread(s, 2, 999, &v, &n), ==, 0); /* no such feed: left out */
    CHECK_INT(n, ==, 2);
    eddy_store_feeds_unread_free(v, n);
    /* read entries leave the list */
    struct eddy_store_page p;
    CHECK_INT(eddy_store_entries(s, &(struct eddy_store_query){.feed_id = c}, &p), ==, 0);
    CHECK_INT(eddy_store_entries_mark(s, &p.entries[0].id, 1, EDDY_STORE_READ, true), ==, 1);
    eddy_store_page_fini(&p);
    CHECK_INT(eddy_store_feeds_unread(s, 10, 0, &v, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    eddy_store_feeds_unread_free(v, n);

    int64_t ids[] = {c, 999, d, a};
    char *names[4];
    CHECK_INT(eddy_store_feed_names(s, ids, 4, names), ==, 0);
    CHECK_STR(names[0], "C");
    CHECK(names[1] == NULL);
    CHECK_STR(names[2], "http://d.example/feed"); /* an empty title: its URL */
    CHECK_STR(names[3], "A");
    for (size_t i = 0; i < 4; i++)
        free(names[i]);
    eddy_store_close(s);
}
