/*
 * main.c — `eddy`, the one command-line program.  Each subcommand lives in
 * its own file (cmd_<name>.c) and is listed in the table below.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct command {
    const char *name;                  /* argv[1] */
    int (*run)(int argc, char **argv); /* gets argv from the subcommand on */
    const char *summary;               /* one line for `eddy help` */
} commands[] = {
    {"parse",   cmd_parse,   "parse one feed (file or -) to feedparser-shaped JSON"},
    {"fetch",   cmd_fetch,   "fetch and parse many feeds concurrently"},
    {"version", cmd_version, "print the version"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: eddy COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`eddy COMMAND --help` describes each one.\n");
}

int cmd_version(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("eddy %s\n", EDDY_VERSION);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "eddy: unknown command '%s' (try `eddy help`)\n", argv[1]);
    return 2;
}
