/*
 * passwd.c — `eddy passwd`: sets (or removes) the password of `eddy
 * serve`'s pages, so a server listening beyond loopback can have one before
 * it starts.  The password comes from stdin: typed twice without echo on a
 * terminal, else its first line.
 */
#include "cli.h"

#include "eddy/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* One line of stdin without its line end, prompted without echo on a
 * terminal.  malloc'ed; NULL at the end of input. */
static char *read_line(const char *prompt)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs(prompt, stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    return line;
}

static void wipe_free(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

int cmd_passwd(int argc, char **argv)
{
    const char *data = NULL;
    bool remove = false;
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&data),
        {.name = "remove",
         .type = CLI_FLAG,
         .dst = &remove,
         .help = "remove the password: the pages are open again (on loopback only, without a "
                 "token)"},
    };
    const struct cli_command cmd = {
        .name = "passwd",
        .usage = "[OPTIONS] < PASSWORD",
        .about = "Sets the password of `eddy serve`'s pages: once set, every page asks for it\n"
                 "(the API takes the token or a logged-in browser), and `eddy serve` may listen\n"
                 "on an address other than loopback.  Stored as its yescrypt hash.  Every login\n"
                 "session ends.  The password is read from stdin: typed twice, not shown, on a\n"
                 "terminal; else the first line.  8 to 1024 bytes.  A running `eddy serve`\n"
                 "takes the change within 30 s.",
        .footer = "exit status: 0 set, 1 not set (too short, the two differ, the store failed),\n"
                  "2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .args_name = "no argument",
    };
    int status;
    struct eddy_store *s;
    if (cli_parse_store(&cmd, argc, argv, &data, &s, &status) < 0)
        return status;
    char *pw = remove ? NULL : read_line("New password: ");
    char *again = pw && isatty(STDIN_FILENO) ? read_line("Again: ") : NULL;
    const char *why = NULL;
    size_t n = pw ? strlen(pw) : 0;
    if (!remove && !pw)
        why = "no password on stdin";
    else if (!remove && (n < EDDY_APP_PASSWORD_MIN || n > EDDY_APP_PASSWORD_MAX))
        why = "a password is 8 to 1024 bytes";
    else if (!remove && isatty(STDIN_FILENO) && (!again || strcmp(pw, again)))
        why = "the two passwords differ";
    int err = why ? -EINVAL : eddy_app_set_password(s, pw);
    if (why)
        fprintf(stderr, "eddy passwd: %s; nothing changed\n", why);
    else if (err < 0)
        fprintf(stderr, "eddy passwd: %s\n", eddy_strerror(err));
    else
        printf("%s; every login session ended\n", remove ? "password removed" : "password set");
    wipe_free(pw);
    wipe_free(again);
    eddy_store_close(s);
    return err < 0;
}
