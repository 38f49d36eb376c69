/*
 * test.h — eddy's tiny test framework.
 *
 *   TEST(name) { CHECK(x > 0); CHECK_INT(n, ==, 3); CHECK_STR(s, "ok"); }
 *
 * Each test runs in its own forked child with a time limit, so a crash, a hang
 * or a leak (LeakSanitizer in `make asan`) fails that test alone.  A failed
 * check prints the expression and both sides, then ends the test.  The child
 * also checks that the test left no file descriptor open.
 *
 * The runner binary takes an optional name filter (substring) and --nofork
 * (run in-process, for gdb).  Its last line is "N passed, M failed".
 */
#ifndef EDDY_TEST_H
#define EDDY_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn, const char *file, int line);
_Noreturn void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Allow this test to end with more open descriptors than it started with
 * (e.g. a library that keeps a cached fd by design).  Say why at the call. */
void test_allow_fd_growth(void);
/* A scratch directory for this test, removed after it ends. */
const char *test_tmpdir(void);

/* A shell command and what it printed (stderr merged into stdout). */
struct test_cmd {
    char line[4096];
    char out[65536];
    int status; /* as pclose() returns it */
};
/* From a task: formats a command line (" 2>&1" appended), runs it on the
 * loop's thread pool so the loop keeps serving (a server under test, say),
 * and evaluates to its struct test_cmd * (one of 4 static slots).
 *     struct test_cmd *c = TEST_SH("curl -s http://127.0.0.1:%d/", port); */
#define TEST_SH(...) test_sh_(eddy_to_thread, __VA_ARGS__)
struct test_cmd *test_sh_(int (*to_thread)(int (*fn)(void *), void *), const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void test_reg_##name(void)                                 \
    {                                                                                              \
        test_register(#name, test_##name, __FILE__, __LINE__);                                     \
    }                                                                                              \
    static void test_##name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                     \
    } while (0)

#define CHECK_INT(a, op, b)                                                                        \
    do {                                                                                           \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                                           \
        if (!(a_ op b_))                                                                           \
            test_fail(__FILE__, __LINE__, "%s %s %s: %jd vs %jd", #a, #op, #b, a_, b_);            \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            test_fail(__FILE__, __LINE__, "%s == %s:\n  got:      \"%s\"\n  expected: \"%s\"", #a, \
                      #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                 \
    } while (0)

#define CHECK_MEM(a, alen, b, blen)                                                                \
    do {                                                                                           \
        size_t al_ = (alen), bl_ = (blen);                                                         \
        if (al_ != bl_ || memcmp((a), (b), al_) != 0)                                              \
            test_fail(__FILE__, __LINE__,                                                          \
                      "%s == %s:\n  got:      \"%.*s\" (%zu)\n  expected: \"%.*s\" (%zu)", #a, #b, \
                      (int)al_, (const char *)(a), al_, (int)bl_, (const char *)(b), bl_);         \
    } while (0)

#endif
