/* Tests of base/arena.c: alignment, copies, mark/release, reset, and chunk
 * sizes that follow what is held rather than a past peak. */
#include "../test.h"

#include "eddy/arena.h"

#include <stdalign.h>
#include <stdint.h>

TEST(arena_alloc_aligned_and_strndup)
{
    struct eddy_arena a = EDDY_ARENA_INIT;
    for (size_t n = 0; n < 300; n++) {
        char *p = eddy_arena_alloc(&a, n);
        CHECK(p != NULL);
        CHECK_INT((uintptr_t)p % alignof(max_align_t), ==, 0);
        memset(p, 'x', n); /* ASan checks the size */
    }
    char *s = eddy_arena_strndup(&a, "hello world", 5);
    CHECK_STR(s, "hello");
    CHECK(eddy_arena_alloc(&a, SIZE_MAX) == NULL);
    eddy_arena_free(&a);
    CHECK(a.top == NULL);
    CHECK_INT(a.total, ==, 0);
}

TEST(arena_mark_release_reset)
{
    struct eddy_arena a = EDDY_ARENA_INIT;
    char *keep = eddy_arena_strndup(&a, "keep", 4);
    struct eddy_arena_mark m = eddy_arena_mark(&a);
    size_t held = a.total;
    for (int i = 0; i < 1000; i++)
        CHECK(eddy_arena_alloc(&a, 1000) != NULL);
    CHECK(a.total > held);
    eddy_arena_release(&a, m);
    CHECK_INT(a.total, ==, held);
    CHECK_STR(keep, "keep");
    /* A mark/release loop keeps reusing the same chunk sizes. */
    for (int round = 0; round < 50; round++) {
        m = eddy_arena_mark(&a);
        for (int i = 0; i < 100; i++)
            eddy_arena_alloc(&a, 100);
        CHECK(a.total <= held + 64 * 1024);
        eddy_arena_release(&a, m);
    }
    eddy_arena_reset(&a);
    CHECK(a.top != NULL); /* the newest chunk stays for reuse */
    CHECK(a.total > 0);
    eddy_arena_free(&a);
}

/* Past 2 MiB the chunks are the arena's own mappings (huge pages on Linux):
 * they must hold what they say, align as malloc's do, and go back on
 * release, reset and free like the small ones. */
TEST(arena_big_chunks)
{
    struct eddy_arena a = EDDY_ARENA_INIT;
    char *first = eddy_arena_strndup(&a, "first", 5);
    struct eddy_arena_mark m = eddy_arena_mark(&a);
    size_t held = a.total;
    unsigned char *last = NULL;
    for (int i = 0; i < 12 * 1024; i++) { /* 12 MiB in 1 KiB pieces: several 2 MiB chunks */
        last = eddy_arena_alloc(&a, 1024);
        CHECK(last != NULL);
        CHECK_INT((uintptr_t)last % alignof(max_align_t), ==, 0);
        memset(last, i & 0xff, 1024);
    }
    CHECK(a.total >= (size_t)12 << 20);
    CHECK(a.total < (size_t)16 << 20); /* doubling stops at 2 MiB chunks */
    CHECK_INT(last[1023], ==, (12 * 1024 - 1) & 0xff);
    unsigned char *big = eddy_arena_alloc(&a, (size_t)5 << 20); /* a chunk of its own */
    CHECK(big != NULL);
    memset(big, 0xab, (size_t)5 << 20);
    CHECK_INT(big[((size_t)5 << 20) - 1], ==, 0xab);
    eddy_arena_release(&a, m);
    CHECK_INT(a.total, ==, held);
    CHECK_STR(first, "first");
    for (int i = 0; i < 3 * 1024; i++)
        CHECK(eddy_arena_alloc(&a, 1024) != NULL);
    eddy_arena_reset(&a); /* keeps the newest (mapped) chunk */
    CHECK(a.top != NULL);
    CHECK(a.total >= (size_t)1 << 20);
    CHECK(eddy_arena_alloc(&a, 1 << 20) != NULL);
    eddy_arena_free(&a);
    CHECK(a.top == NULL);
    CHECK_INT(a.total, ==, 0);
}
