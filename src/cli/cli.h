/* cli.h — the subcommands of `eddy`, one file each, and what they share: a
 * table-driven option parser that also writes each command's --help.
 *
 * A command is a function that gets the argv starting at its own name and
 * returns the process exit status (0 done, 1 failed, 2 bad usage).  Adding
 * one: a file with cmd_<name>(), its prototype below, one line in main.c's
 * table. */
#ifndef EDDY_CLI_H
#define EDDY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version: the Makefile's VERSION (eddy.pc and the soname use it too). */
#ifndef EDDY_VERSION
#error "build with -DEDDY_VERSION (the Makefile passes its VERSION)"
#endif

int cmd_parse(int argc, char **argv);   /* parse.c */
int cmd_fetch(int argc, char **argv);   /* fetch.c */
int cmd_add(int argc, char **argv);     /* add.c */
int cmd_remove(int argc, char **argv);  /* remove.c */
int cmd_list(int argc, char **argv);    /* list.c */
int cmd_refresh(int argc, char **argv); /* refresh.c */
int cmd_stats(int argc, char **argv);   /* stats.c */
int cmd_import(int argc, char **argv);  /* import.c */
int cmd_export(int argc, char **argv);  /* export.c */
int cmd_serve(int argc, char **argv);   /* serve.c */
int cmd_digest(int argc, char **argv);  /* digest.c */
int cmd_passwd(int argc, char **argv);  /* passwd.c */

/* ---- options ------------------------------------------------------------ */

/* What an option's value is, and the C type its dst points to. */
enum cli_type {
    CLI_FLAG,     /* bool: set by --name, takes no value */
    CLI_STRING,   /* const char *: points into argv */
    CLI_COUNT,    /* unsigned: an integer within [min, max] */
    CLI_DURATION, /* int64_t nanoseconds within [min, max]: 5s, 250ms, 2m, 1h; plain = seconds */
    CLI_CALL,     /* anything: call(dst, value) takes the value or says why not */
};

struct cli_opt {
    const char *name; /* "concurrency" for --concurrency */
    enum cli_type type;
    void *dst;         /* where the value goes; what it holds before parsing is the default */
    const char *arg;   /* the value's name in --help: "N", "TIME", "FILE" */
    const char *help;  /* one line */
    const char *def;   /* the default as --help shows it; NULL: printed from *dst
                        * (strings: none; flags: never shown) */
    uint64_t min, max; /* CLI_COUNT and CLI_DURATION (ns): the accepted range */
    /* CLI_CALL: takes value (which it may modify: it is argv's); returns NULL,
     * or what was expected ("'Name: value'") for the error message. */
    const char *(*call)(void *dst, char *value);
};

struct cli_command {
    const char *name;   /* "fetch" */
    const char *usage;  /* what follows "eddy fetch " in the synopsis; lines split by \n */
    const char *about;  /* paragraphs after the synopsis */
    const char *footer; /* after the options: exit status... */
    const struct cli_opt *opts;
    size_t nopts;
    unsigned min_args, max_args; /* positional arguments accepted */
    const char *args_name;       /* for "expected ... FILE" messages */
};

/* Parses argv[1..argc-1] (argv[0] is the command's name): sets each option
 * given, as --name VALUE or --name=VALUE, and moves the positional arguments
 * (all after "--"; "-" is one) to argv[0..n-1].  Returns n, or -1 when the
 * command must stop: then *status is 0 (--help was printed on stdout) or 2
 * (what was wrong was printed on stderr). */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, int *status);

/* Prints "eddy NAME: " + the formatted message + a hint to --help on stderr;
 * returns 2, the usage-error exit status. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- shared by the aggregator's commands (data.c) ------------------------ */

/* The --data option every aggregator command takes; where points to a const char *. */
#define CLI_OPT_DATA(where)                                                                        \
    {                                                                                              \
        .name = "data", .type = CLI_STRING, .dst = (where), .arg = "DIR",                          \
        .help = "the data folder holding eddy.db",                                                 \
        .def = "$EDDY_DATA, else $XDG_DATA_HOME/eddy, else ~/.local/share/eddy"                    \
    }

/* The refresh pass's limits, shared by refresh and serve: where points to an
 * unsigned (concurrency, per-host) or an int64_t of nanoseconds (timeout,
 * interval). */
#define CLI_OPT_CONCURRENCY(where)                                                                 \
    {                                                                                              \
        .name = "concurrency", .type = CLI_COUNT, .dst = (where), .arg = "N",                      \
        .help = "feeds fetched at once", .min = 1, .max = 100000                                   \
    }
#define CLI_OPT_PER_HOST(where)                                                                    \
    {                                                                                              \
        .name = "per-host", .type = CLI_COUNT, .dst = (where), .arg = "N",                         \
        .help = "feeds fetched at once from one host", .min = 1, .max = 100000                     \
    }
#define CLI_OPT_TIMEOUT(where)                                                                     \
    {                                                                                              \
        .name = "timeout", .type = CLI_DURATION, .dst = (where), .arg = "TIME",                    \
        .help = "give up on a feed after TIME: 30s, 250ms, 2m; a plain number is seconds",         \
        .min = EDDY_MSEC, .max = 3600 * EDDY_SEC                                                   \
    }
#define CLI_OPT_INTERVAL(where)                                                                    \
    {                                                                                              \
        .name = "interval", .type = CLI_DURATION, .dst = (where), .arg = "TIME",                   \
        .help = "check a healthy feed again after TIME (longer when the feed asks so)",            \
        .min = 60 * EDDY_SEC, .max = 24 * 3600 * EDDY_SEC                                          \
    }

struct eddy_store;
/* Opens the store of the data folder `flag` (--data; NULL: the default).
 * Returns 0, or prints "eddy NAME: ..." on stderr and returns 1. */
int cli_store_open(const struct cli_command *cmd, const char *flag, struct eddy_store **out);
/* cli_parse, then cli_store_open of the folder its --data option left in
 * *data: returns the positional argument count with *out open, or -1 with
 * *status set (--help, a usage error, or a store that did not open). */
int cli_parse_store(const struct cli_command *cmd, int argc, char **argv, const char *const *data,
                    struct eddy_store **out, int *status);

/* digest.c, for digest and serve: url names an SMTP scheme libcurl sends
 * with (smtp://, smtp+starttls://, smtps://). */
bool cli_smtp_url_ok(const char *url);

/* ---- shared by parse and fetch ------------------------------------------ */

struct eddy_feed_value;

#endif
