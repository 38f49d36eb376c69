/*
 * serve.c — `eddy serve`: the aggregator as a server (app.h's
 * eddy_app_serve_main): the JSON API, /metrics, the demo feeds and the
 * refresh scheduler in one process, until SIGTERM or SIGINT.
 */
#include "cli.h"

#include "eddy/app.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ALLOW 32

struct allow {
    const char *cidr[MAX_ALLOW + 1]; /* NULL-terminated */
    size_t n;
};

/* --allow CIDR, repeatable. */
static const char *add_allow(void *dst, char *value)
{
    struct allow *a = dst;
    if (a->n == MAX_ALLOW)
        return "at most 32 ranges";
    a->cidr[a->n++] = value;
    return NULL;
}

/* The token in FILE: its first line, without the line end.  NULL (and a
 * message) when it cannot be read or is empty. */
static char *read_token(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "eddy serve: --token-file %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = 0;
    if (n <= 0) {
        fprintf(stderr, "eddy serve: --token-file %s: no token in its first line\n", path);
        free(line);
        return NULL;
    }
    return line;
}

/* Where the shared folder `name` (demo, or "" for the one holding the
 * pages' templates/ and static/) may be: `given`, else NAME of the source
 * tree this program was built in (it lives in BUILD/), else share/eddy/NAME
 * of the prefix it was installed in (PREFIX/bin/). */
static void share_dirs(const char *given, const char *name, char bufs[2][4200], const char *dirs[3])
{
    if (given) {
        dirs[0] = given, dirs[1] = NULL;
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    const char *top = dirname(dirname(exe)); /* BUILD/eddy or PREFIX/bin/eddy */
    snprintf(bufs[0], sizeof bufs[0], "%s/%s", top, name);
    snprintf(bufs[1], sizeof bufs[1], "%s/share/eddy/%s", top, name);
    dirs[0] = bufs[0], dirs[1] = bufs[1], dirs[2] = NULL;
}

/* --digest-at HH:MM[:SS], local time: seconds after midnight. */
static const char *set_digest_at(void *dst, char *value)
{
    unsigned h, m, sec = 0;
    int n = 0;
    if ((sscanf(value, "%2u:%2u%n", &h, &m, &n) != 2 || value[n]) &&
        (sscanf(value, "%2u:%2u:%2u%n", &h, &m, &sec, &n) != 3 || value[n]))
        return "HH:MM or HH:MM:SS, local time";
    if (h > 23 || m > 59 || sec > 59)
        return "HH:MM or HH:MM:SS, local time";
    *(int64_t *)dst = (int64_t)h * 3600 + m * 60 + sec;
    return NULL;
}

/* The value of environment variable `name` when set and not empty, else NULL. */
static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int cmd_serve(int argc, char **argv)
{
    struct eddy_app_serve_opts o = {.workers = 64, .per_host = 8, .timeout_ns = 30 * EDDY_SEC};
    const char *env_listen = getenv("EDDY_LISTEN");
    o.listen = env_listen && *env_listen ? env_listen : "127.0.0.1:8080";
    const char *token_file = NULL, *demo = NULL;
    int64_t interval_ns = EDDY_APP_INTERVAL_DEFAULT * EDDY_SEC;
    struct allow allow = {.n = 0};
    const char *digest_at = NULL;
    int64_t digest_since_ns = 24 * 3600 * EDDY_SEC;
    o.digest_to = env("EDDY_DIGEST_TO");
    struct eddy_app_smtp smtp = {.url = env("EDDY_SMTP"),
                                 .user = env("EDDY_SMTP_USER"),
                                 .password = getenv("EDDY_SMTP_PASSWORD")};
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&o.data),
        {.name = "listen",
         .type = CLI_STRING,
         .dst = &o.listen,
         .arg = "HOST:PORT",
         .help = "where to serve: 127.0.0.1:8080, [::1]:8080, unix:/path; another address "
                 "needs a token",
         .def = "$EDDY_LISTEN, else 127.0.0.1:8080"},
        {.name = "token-file",
         .type = CLI_STRING,
         .dst = &token_file,
         .arg = "FILE",
         .help = "the API token is FILE's first line: /api/ then needs 'Authorization: "
                 "Bearer TOKEN'",
         .def = "$EDDY_TOKEN, else none"},
        {.name = "allow",
         .type = CLI_CALL,
         .dst = &allow,
         .arg = "CIDR",
         .help = "a range the SSRF guard lets through (repeatable), for URLs given through "
                 "the API",
         .def = "none",
         .call = add_allow},
        {.name = "demo",
         .type = CLI_STRING,
         .dst = &demo,
         .arg = "DIR",
         .help = "the demo feeds, served at /demo/ and subscribed on the first start; '' for "
                 "none",
         .def = "demo/ beside the build folder, else PREFIX/share/eddy/demo"},
        CLI_OPT_CONCURRENCY(&o.workers),
        CLI_OPT_PER_HOST(&o.per_host),
        CLI_OPT_TIMEOUT(&o.timeout_ns),
        CLI_OPT_INTERVAL(&interval_ns),
        {.name = "digest-at",
         .type = CLI_STRING,
         .dst = &digest_at,
         .arg = "HH:MM",
         .help = "mail the digest every day at this local time, HH:MM or HH:MM:SS (needs "
                 "--digest-to)",
         .def = "$EDDY_DIGEST_AT, else never"},
        {.name = "digest-to",
         .type = CLI_STRING,
         .dst = &o.digest_to,
         .arg = "EMAIL",
         .help = "the digest's recipients, comma-separated (also /digest's \"Send now\")",
         .def = "$EDDY_DIGEST_TO, else none"},
        {.name = "digest-since",
         .type = CLI_DURATION,
         .dst = &digest_since_ns,
         .arg = "DUR",
         .help = "a scheduled digest has what was first seen in the DUR before it",
         .min = EDDY_SEC,
         .max = 366 * 24 * 3600 * EDDY_SEC},
        {.name = "smtp",
         .type = CLI_STRING,
         .dst = &smtp.url,
         .arg = "URL",
         .help = "the digest's SMTP server: smtp://, smtp+starttls:// or smtps://HOST:PORT",
         .def = "$EDDY_SMTP, else smtp://localhost"},
    };
    const struct cli_command cmd = {
        .name = "serve",
        .usage = "[OPTIONS]",
        .about = "Serves the aggregator and keeps its feeds fresh, in one process, until SIGTERM\n"
                 "or SIGINT (a graceful stop: requests finish, no feed is left half-written).\n"
                 "GET / lists the newest entries; /api/v1/ is the JSON API; /metrics is for\n"
                 "Prometheus; /demo/ holds the demo feeds, subscribed on the first start when\n"
                 "the store is empty (never again once deleted).  A scheduler fetches each due\n"
                 "feed as `eddy refresh` does and sleeps until the next one is due.  Feeds added\n"
                 "with `eddy add` while it runs are fetched within a minute.\n"
                 "Listening on an address other than loopback needs a password (eddy passwd)\n"
                 "or an API token.\n"
                 "The digest's SMTP login comes from EDDY_SMTP_USER and EDDY_SMTP_PASSWORD.",
        .footer = "exit status: 0 stopped by a signal, 1 could not start (store, address, token),\n"
                  "2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .args_name = "no argument",
    };
    int status;
    if (cli_parse(&cmd, argc, argv, &status) < 0)
        return status;
    if (!digest_at)
        digest_at = env("EDDY_DIGEST_AT");
    char at_copy[16];
    snprintf(at_copy, sizeof at_copy, "%s", digest_at ? digest_at : "");
    if (digest_at && set_digest_at(&o.digest_at, at_copy))
        return cli_usage_error(&cmd, "--digest-at: expected HH:MM or HH:MM:SS, got '%s'",
                               digest_at);
    if (digest_at && !o.digest_to)
        return cli_usage_error(&cmd, "--digest-at needs --digest-to");
    if (smtp.url && !cli_smtp_url_ok(smtp.url))
        return cli_usage_error(&cmd,
                               "--smtp: expected smtp://, smtp+starttls:// or smtps://, "
                               "got '%s'",
                               smtp.url);
    if (o.digest_to && eddy_app_mail_check("a@b", o.digest_to) < 0)
        return cli_usage_error(&cmd, "--digest-to: expected addresses like a@b, got '%s'",
                               o.digest_to);
    o.digest_daily = digest_at != NULL;
    o.digest_since = digest_since_ns / EDDY_SEC;
    o.smtp = &smtp;
    o.interval = interval_ns / EDDY_SEC;
    o.allow = allow.cidr;
    char *token = NULL;
    if (token_file && !(token = read_token(token_file)))
        return 1;
    o.token = token ? token : getenv("EDDY_TOKEN");
    char bufs[2][4200], page_bufs[2][4200];
    const char *dirs[3], *page_dirs[3];
    share_dirs(demo, "demo", bufs, dirs);
    o.demo = demo && !*demo ? NULL : dirs;
    share_dirs(NULL, "", page_bufs, page_dirs);
    o.pages = page_dirs;
    int err = eddy_app_serve_main(&o);
    free(token);
    return err < 0 ? 1 : 0;
}
