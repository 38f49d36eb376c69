/*
 * fill-store.c — fills a data folder for the reader's benchmark
 * (bench/reader.sh): FEEDS feeds (500) with ENTRIES entries (100,000)
 * between them, written through the store API as a refresh pass writes them
 * (each feed's entries one upsert), then indexed for search.
 *
 *   fill-store DIR [FEEDS] [ENTRIES] [BASE]
 *
 * Feed i's URL is BASE/f/i.xml (BASE: http://127.0.0.1:8999), so a feed
 * server there can serve changed versions of them (reader.sh's refresh
 * phase); every feed is left due in 30 days, so `eddy serve` fetches none
 * until asked.  Sizes as real blogs have them: a title of 3 to 11 words, a
 * summary of ~200 bytes, content of 0.4 to 6 KB of HTML (paragraphs, links,
 * emphasis, code, now and then an image), one entry in 50 with the word
 * "harbor" (the benchmark's search).  Deterministic (a fixed seed).
 */
#include "eddy/buf.h"
#include "eddy/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const words[] = {
    "the",      "of",      "and",      "to",      "in",       "is",        "that",     "for",
    "it",       "with",    "as",       "was",     "on",       "be",        "at",       "by",
    "this",     "from",    "or",       "an",      "but",      "not",       "are",      "which",
    "one",      "all",     "were",     "when",    "we",       "there",     "can",      "more",
    "time",     "about",   "people",   "would",   "like",     "into",      "than",     "first",
    "water",    "been",    "call",     "who",     "now",      "find",      "long",     "down",
    "day",      "did",     "get",      "come",    "made",     "may",       "part",     "over",
    "new",      "sound",   "take",     "only",    "little",   "work",      "know",     "place",
    "year",     "live",    "back",     "give",    "most",     "very",      "after",    "thing",
    "our",      "just",    "name",     "good",    "sentence", "man",       "think",    "say",
    "great",    "where",   "help",     "through", "much",     "before",    "line",     "right",
    "too",      "mean",    "old",      "any",     "same",     "tell",      "boy",      "follow",
    "came",     "want",    "show",     "also",    "around",   "form",      "three",    "small",
    "set",      "put",     "end",      "does",    "another",  "well",      "large",    "must",
    "big",      "even",    "such",     "because", "turn",     "here",      "why",      "ask",
    "went",     "men",     "read",     "need",    "land",     "different", "home",     "us",
    "move",     "try",     "kind",     "hand",    "picture",  "again",     "change",   "off",
    "play",     "spell",   "air",      "away",    "animal",   "house",     "point",    "page",
    "letter",   "mother",  "answer",   "found",   "study",    "still",     "learn",    "should",
    "America",  "world",   "compiler", "kernel",  "garden",   "recipe",    "election", "river",
    "protocol", "release", "library",  "museum",  "bicycle",  "weather",   "coffee",   "software",
};
#define NWORDS (sizeof words / sizeof words[0])

static uint64_t seed = 88172645463325252ull;

static uint32_t rnd(uint32_t n)
{
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return (uint32_t)(seed % n);
}

static void put_words(struct eddy_buf *b, int n, bool capital)
{
    for (int i = 0; i < n; i++) {
        const char *w = words[rnd(NWORDS)];
        if (i)
            eddy_buf_putc(b, ' ');
        if (i == 0 && capital && w[0] >= 'a' && w[0] <= 'z') {
            eddy_buf_putc(b, (char)(w[0] - 32));
            eddy_buf_puts(b, w + 1);
        } else {
            eddy_buf_puts(b, w);
        }
    }
}

/* An entry's HTML content: about `size` bytes. */
static void put_content(struct eddy_buf *b, size_t size, int feed, int k, bool harbor)
{
    size_t start = b->len;
    while (b->len - start < size) {
        eddy_buf_puts(b, "<p>");
        put_words(b, 8 + (int)rnd(20), true);
        switch (rnd(6)) {
        case 0:
            eddy_buf_printf(b, ", <a href=\"https://blog%d.example.org/%d/%u\">", feed, k,
                            rnd(1000));
            put_words(b, 2 + (int)rnd(3), false);
            eddy_buf_puts(b, "</a>");
            break;
        case 1:
            eddy_buf_puts(b, " <em>");
            put_words(b, 2, false);
            eddy_buf_puts(b, "</em>");
            break;
        case 2: eddy_buf_printf(b, " <code>f%u()</code>", rnd(100)); break;
        case 3:
            if (!rnd(4))
                eddy_buf_printf(b,
                                "</p>\n<p><img src=\"https://img.example.org/%d/%d.jpg\" "
                                "alt=\"a picture\" width=\"640\" height=\"480\">",
                                feed, k);
            break;
        default: break;
        }
        if (harbor && b->len - start > size / 2) {
            eddy_buf_puts(b, " by the harbor");
            harbor = false;
        }
        eddy_buf_puts(b, ".</p>\n");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: fill-store DIR [FEEDS] [ENTRIES] [BASE]\n");
        return 2;
    }
    int nfeeds = argc > 2 ? atoi(argv[2]) : 500, nentries = argc > 3 ? atoi(argv[3]) : 100000;
    const char *base = argc > 4 ? argv[4] : "http://127.0.0.1:8999";
    if (nfeeds <= 0 || nentries < 0) {
        fprintf(stderr, "fill-store: FEEDS > 0, ENTRIES >= 0\n");
        return 2;
    }
    struct eddy_store *s;
    int err = eddy_store_open(argv[1], &s);
    if (err < 0) {
        fprintf(stderr, "fill-store: %s: %s\n", argv[1], strerror(-err));
        return 1;
    }
    static const char *const cats[] = {"Tech",   "News",  "Science", "Food",   "Friends", "Music",
                                       "Design", "Sport", "Travel",  "Comics", "Games",   NULL};
    int64_t now = (int64_t)time(NULL);
    size_t bytes = 0, total = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int f = 0; f < nfeeds && err >= 0; f++) {
        char url[512], title[256];
        snprintf(url, sizeof url, "%s/f/%d.xml", base, f);
        struct eddy_buf tb = EDDY_BUF_INIT(0);
        put_words(&tb, 2 + (int)rnd(3), true);
        snprintf(title, sizeof title, "%s %d", eddy_buf_cstr(&tb), f);
        eddy_buf_free(&tb);
        int64_t id;
        if ((err = eddy_store_feed_add(s, url, title, cats[rnd(12)], &id)) < 0)
            break;
        /* This feed's share, its entries one per ~day or two back from now. */
        int n = nentries / nfeeds + (f < nentries % nfeeds);
        struct eddy_store_entry_in *in = calloc((size_t)n + 1, sizeof *in);
        struct eddy_buf *text = calloc((size_t)n * 5 + 1, sizeof *text);
        int64_t step = 180 * 86400 / (n ? n : 1);
        for (int k = 0; k < n; k++) {
            struct eddy_buf *g = &text[5 * k];
            eddy_buf_printf(&g[0], "tag:blog%d.example.org,2026:%d", f, k);
            eddy_buf_printf(&g[1], "https://blog%d.example.org/%d/entry-%d", f, k, k);
            put_words(&g[2], 3 + (int)rnd(9), true);
            put_words(&g[3], 30 + (int)rnd(10), true);
            bool harbor = rnd(50) == 0;
            put_content(&g[4], 400 + rnd(5600), f, k, harbor);
            in[k] = (struct eddy_store_entry_in){
                .guid = g[0].data,
                .link = g[1].data,
                .title = g[2].data,
                .author = rnd(3) ? NULL : "A. Writer",
                .summary = g[3].data,
                .content = g[4].data,
                .date = now - (int64_t)k * step - (int64_t)rnd((uint32_t)step + 1),
                .date_source = EDDY_STORE_DATE_PARSED,
            };
            bytes += g[2].len + g[3].len + g[4].len;
        }
        struct eddy_store_upsert up;
        err = eddy_store_entries_upsert(s, id, in, (size_t)n, now, &up);
        total += up.added;
        err = err < 0 ? err : eddy_store_feed_set_next_check(s, id, now + 30 * 86400);
        for (int k = 0; k < 5 * n; k++)
            eddy_buf_free(&text[k]);
        free(text);
        free(in);
    }
    int indexed = 0;
    for (int k; err >= 0 && (k = eddy_store_index_pending(s, 5000)) > 0;)
        indexed += k;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    eddy_store_close(s);
    if (err < 0) {
        fprintf(stderr, "fill-store: %s\n", strerror(-err));
        return 1;
    }
    printf("%d feeds, %zu entries (%.1f MB of text), %d indexed, in %.1f s\n", nfeeds, total,
           (double)bytes / 1e6, indexed,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
