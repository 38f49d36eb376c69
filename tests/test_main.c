/*
 * test_main.c — the runner linked into every tests/<layer> binary.
 *
 * Tests register themselves from constructors (see test.h); they run sorted
 * by file and line.  Each runs in a forked child: its exit status is the
 * verdict, so crashes, sanitizer reports and leaks fail one test, not the run.
 */
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct test {
    const char *name; /* the TEST() name */
    test_fn fn;       /* its body */
    const char *file; /* source file, for sorting and messages */
    int line;         /* line of the TEST(), for sorting */
};

static struct test tests[4096];
static size_t ntests;
static bool allow_fd_growth;
static char tmpdir[256];

void test_register(const char *name, test_fn fn, const char *file, int line)
{
    if (ntests == sizeof tests / sizeof tests[0]) {
        fprintf(stderr, "test_main: too many tests\n");
        exit(2);
    }
    tests[ntests++] = (struct test){name, fn, file, line};
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw);

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (tmpdir[0])
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    /* _exit: a failed test's leaks are expected, don't let LSan add noise. */
    _exit(1);
}

void test_allow_fd_growth(void)
{
    allow_fd_growth = true;
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/eddy-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir))
            test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
    }
    return tmpdir;
}

static int cmd_run(void *cmd)
{
    struct test_cmd *c = cmd;
    FILE *p = popen(c->line, "r");
    if (!p)
        return -errno;
    size_t n = fread(c->out, 1, sizeof c->out - 1, p);
    c->out[n] = 0;
    c->status = pclose(p);
    return 0;
}

struct test_cmd *test_sh_(int (*to_thread)(int (*fn)(void *), void *), const char *fmt, ...)
{
    static struct test_cmd slots[4];
    static unsigned next;
    struct test_cmd *c = &slots[next++ % 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->line, sizeof c->line, fmt, ap);
    va_end(ap);
    strncat(c->line, " 2>&1", sizeof c->line - strlen(c->line) - 1);
    int err = to_thread(cmd_run, c);
    if (err < 0)
        test_fail(__FILE__, __LINE__, "running '%s': %s", c->line, strerror(-err));
    return c;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the DIR's own descriptor */
}

static int cmp_test(const void *a, const void *b)
{
    const struct test *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : x->line - y->line;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The child: run the body, then check that it left no descriptor behind. */
static _Noreturn void run_child(const struct test *t)
{
    int before = count_fds();
    t->fn();
    int after = count_fds();
    if (tmpdir[0])
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (!allow_fd_growth && after > before)
        test_fail(t->file, t->line, "test left %d file descriptor(s) open", after - before);
    fflush(NULL);
    exit(0); /* exit, not _exit: LeakSanitizer checks here */
}

int main(int argc, char **argv)
{
    const char *filter = NULL;
    bool nofork = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--nofork"))
            nofork = true;
        else if (!strcmp(argv[i], "--list")) {
            qsort(tests, ntests, sizeof tests[0], cmp_test);
            for (size_t j = 0; j < ntests; j++)
                printf("%s\n", tests[j].name);
            return 0;
        } else
            filter = argv[i];
    }
    const char *to = getenv("EDDY_TEST_TIMEOUT");
    unsigned timeout = to ? (unsigned)atoi(to) : 120;

    qsort(tests, ntests, sizeof tests[0], cmp_test);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < ntests; i++) {
        const struct test *t = &tests[i];
        if (filter && !strstr(t->name, filter) && !strstr(t->file, filter))
            continue;
        if (nofork) {
            printf("run  %s\n", t->name);
            t->fn();
            passed++;
            continue;
        }
        double t0 = now_ms();
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            alarm(timeout); /* default SIGALRM action ends a hung test */
            run_child(t);
        }
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        double ms = now_ms() - t0;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            passed++;
            printf("ok   %s (%.0f ms)\n", t->name, ms);
        } else {
            failed++;
            if (WIFSIGNALED(st))
                printf("FAIL %s: killed by signal %d (%s)%s\n", t->name, WTERMSIG(st),
                       strsignal(WTERMSIG(st)), WTERMSIG(st) == SIGALRM ? ", time limit" : "");
            else
                printf("FAIL %s: exit status %d\n", t->name, WEXITSTATUS(st));
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
