/* fetch.c — `eddy fetch`: PLACEHOLDER until its layer lands. */
#include "cli.h"

#include <stdio.h>

int cmd_fetch(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "eddy fetch: not built yet\n");
    return 2;
}
