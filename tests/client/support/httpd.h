/* httpd.h — starts tests/client/support/httpd.py for a test and builds URLs
 * on it; included by the client and feedfetch tests (each test binary gets
 * its own copy of these few static functions). */
#ifndef EDDY_TEST_HTTPD_H
#define EDDY_TEST_HTTPD_H

#include "../../test.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t server_pid;
static int server_port;
static char base[64];

/* Starts httpd.py on `bind` (NULL: 127.0.0.1), with TLS when cert/key are
 * given, and waits for its port; returns the server's pid. */
static pid_t server_start_on(const char *bind, const char *cert, const char *key)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    /* The system Python: a pyenv shim in PATH may not be one. */
    const char *py = getenv("PYTHON") ? getenv("PYTHON") : "/usr/bin/python3";
    const char *top = getenv("EDDY_TOP") ? getenv("EDDY_TOP") : ".";
    char script[512];
    snprintf(script, sizeof script, "%s/tests/client/support/httpd.py", top);
    const char *argv[8] = {py, script}, **a = argv + 2;
    if (cert)
        *a++ = "--tls", *a++ = cert, *a++ = key;
    if (bind)
        *a++ = "--bind", *a++ = bind;
    server_pid = fork();
    CHECK(server_pid >= 0);
    if (server_pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(py, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    char line[32] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof line - 1 && !memchr(line, '\n', got) &&
           (n = read(fds[0], line + got, sizeof line - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    CHECK(memchr(line, '\n', got) != NULL);
    server_port = atoi(line);
    CHECK(server_port > 0);
    snprintf(base, sizeof base, "%s://%s:%d", cert ? "https" : "http", bind ? bind : "127.0.0.1",
             server_port);
    return server_pid;
}

static void server_start(const char *cert, const char *key)
{
    server_start_on(NULL, cert, key);
}

static void server_stop_pid(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void server_stop(void)
{
    server_stop_pid(server_pid);
}

static const char *url(const char *path)
{
    static char buf[8][256];
    static int i;
    char *u = buf[i++ % 8];
    snprintf(u, 256, "%s%s", base, path);
    return u;
}

#endif
