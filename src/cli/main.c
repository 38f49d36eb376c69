/*
 * main.c — `eddy`, the one command-line program.  Each command lives in its
 * own file and is listed in the table below; its options and --help come
 * from its own table (opts.c).  `eddy help COMMAND` is `eddy COMMAND --help`.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command {
    const char *name;                  /* argv[1] */
    int (*run)(int argc, char **argv); /* gets argv from the command's name on */
    const char *summary;               /* one line for `eddy --help` */
} commands[] = {
    {"serve", cmd_serve, "serve the aggregator: the API, the scheduler, the demo (until SIGTERM)"},
    {"parse", cmd_parse, "parse one feed (a file or -) to feedparser-shaped JSON"},
    {"fetch", cmd_fetch, "fetch and parse many feeds concurrently"},
    {"add", cmd_add, "subscribe to feeds"},
    {"remove", cmd_remove, "unsubscribe from a feed and delete its entries"},
    {"list", cmd_list, "list the subscribed feeds and how their last fetch went"},
    {"refresh", cmd_refresh, "fetch the due feeds (or all) into the store, once"},
    {"stats", cmd_stats, "count feeds, entries, errors"},
    {"import", cmd_import, "subscribe to the feeds of an OPML file"},
    {"export", cmd_export, "print the subscriptions as OPML 2.0"},
    {"digest", cmd_digest, "the new entries as a newsletter: print it or mail it"},
    {"passwd", cmd_passwd, "set or remove the password of eddy serve's pages"},
    {"help", cmd_help, "describe eddy, or one command and all its options"},
    {"version", cmd_version, "print the version"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: eddy COMMAND [OPTIONS] [ARGS...]\n"
                 "       eddy help COMMAND | eddy COMMAND --help\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\noptions:\n"
                 "  -h, --help     print this help and exit\n"
                 "  --version      print the version and exit\n"
                 "\nexit status: 0 done, 1 failed, 2 bad usage\n");
}

static int cmd_version(int argc, char **argv)
{
    const struct cli_command cmd = {.name = "version",
                                    .usage = "",
                                    .about = "Prints eddy's version.",
                                    .args_name = "no argument"};
    int status;
    if (cli_parse(&cmd, argc, argv, &status) < 0)
        return status;
    printf("eddy %s\n", EDDY_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    const struct cli_command cmd = {
        .name = "help",
        .usage = "[COMMAND]",
        .about = "Describes eddy and its commands, or COMMAND and all its options\n"
                 "(as `eddy COMMAND --help` does).",
        .max_args = 1,
        .args_name = "one COMMAND",
    };
    int status, n = cli_parse(&cmd, argc, argv, &status);
    if (n <= 0) {
        if (n == 0)
            usage(stdout);
        return n == 0 ? 0 : status;
    }
    const struct command *c = find(argv[0]);
    if (!c) {
        fprintf(stderr, "eddy help: unknown command '%s' (`eddy --help` lists the commands)\n",
                argv[0]);
        return 2;
    }
    static char help[] = "--help";
    char *help_argv[] = {argv[0], help, NULL};
    return c->run(2, help_argv);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *a = argv[1];
    if (!strcmp(a, "--help") || !strcmp(a, "-h"))
        return cmd_help(1, argv + 1);
    if (!strcmp(a, "--version"))
        return cmd_version(1, argv + 1);
    const struct command *c = find(a);
    if (c)
        return c->run(argc - 1, argv + 1);
    fprintf(stderr, "eddy: unknown %s '%s' (`eddy --help` lists the commands)\n",
            a[0] == '-' ? "option" : "command", a);
    return 2;
}
