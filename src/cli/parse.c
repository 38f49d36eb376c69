/* parse.c — `eddy parse`: PLACEHOLDER until its layer lands. */
#include "cli.h"

#include <stdio.h>

int cmd_parse(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "eddy parse: not built yet\n");
    return 2;
}
