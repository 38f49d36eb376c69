/* cli.h — the subcommands of `eddy`, one file each.  Each gets the argv that
 * starts at its own name and returns the process exit status. */
#ifndef EDDY_CLI_H
#define EDDY_CLI_H

#define EDDY_VERSION "0.1.0"

int cmd_version(int argc, char **argv);
int cmd_parse(int argc, char **argv);   /* parse.c */
int cmd_fetch(int argc, char **argv);   /* fetch.c */

#endif
