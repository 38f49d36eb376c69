/*
 * opts.c — one option parser for every `eddy` command, driven by the
 * command's table of struct cli_opt (cli.h), which also writes its --help.
 *
 * Values are parsed strictly: an integer is decimal digits only, within the
 * option's range (no sign, no spaces, no trailing junk, no overflow); a
 * duration is a decimal number with an optional unit.  A refused value is
 * reported as "--name: expected WHAT, got 'VALUE'" and the command exits 2.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_MS 1000000ULL
#define NS_S  1000000000ULL

static const struct unit {
    const char *name;
    uint64_t ns;
} units[] = {
    /* largest first: format_duration picks the first that divides */
    {"h", 3600 * NS_S},
    {"m", 60 * NS_S},
    {"s", NS_S},
    {"ms", NS_MS},
};

/* "30s", "250ms", "2m": the largest unit that divides ns exactly. */
static const char *format_duration(uint64_t ns, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ns % units[i].ns == 0) {
            snprintf(buf, size, "%" PRIu64 "%s", ns / units[i].ns, units[i].name);
            return buf;
        }
    snprintf(buf, size, "%" PRIu64 "ns", ns);
    return buf;
}

static bool parse_count(const char *s, uint64_t min, uint64_t max, unsigned *out)
{
    if (*s < '0' || *s > '9') /* strtoull would take a sign and spaces */
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max || v > UINT32_MAX)
        return false;
    *out = (unsigned)v;
    return true;
}

/* DIGITS[.DIGITS][UNIT], UNIT one of h m s ms; no unit means seconds. */
static bool parse_duration(const char *s, uint64_t min, uint64_t max, int64_t *out)
{
    const char *p = s;
    size_t digits = strspn(p, "0123456789");
    if (!digits)
        return false;
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        if (!frac)
            return false;
        p += 1 + frac;
    }
    uint64_t unit = *p ? 0 : NS_S;
    for (size_t i = 0; i < sizeof units / sizeof units[0] && !unit; i++)
        if (!strcmp(p, units[i].name))
            unit = units[i].ns;
    if (!unit)
        return false;
    /* The syntax is checked, so strtod reads exactly the number; the range is
     * checked in double before any conversion can overflow. */
    double ns = strtod(s, NULL) * (double)unit;
    if (!(ns >= (double)min && ns <= (double)max))
        return false;
    *out = (int64_t)llround(ns);
    return true;
}

/* What the option accepts, for its error message. */
static const char *expected(const struct cli_opt *o, char *buf, size_t size)
{
    char lo[32], hi[32];
    if (o->type == CLI_COUNT)
        snprintf(buf, size, "an integer from %" PRIu64 " to %" PRIu64, o->min, o->max);
    else
        snprintf(buf, size,
                 "a duration from %s to %s (like 5s, 250ms, 2m; a plain number is seconds)",
                 format_duration(o->min, lo, sizeof lo), format_duration(o->max, hi, sizeof hi));
    return buf;
}

/* Stores value; returns NULL, or what was expected instead. */
static const char *set(const struct cli_opt *o, char *value, char *buf, size_t size)
{
    switch (o->type) {
    case CLI_STRING: *(const char **)o->dst = value; return NULL;
    case CLI_COUNT:
        return parse_count(value, o->min, o->max, o->dst) ? NULL : expected(o, buf, size);
    case CLI_DURATION:
        return parse_duration(value, o->min, o->max, o->dst) ? NULL : expected(o, buf, size);
    case CLI_CALL: return o->call(o->dst, value);
    case CLI_FLAG: break;
    }
    return "no value";
}

/* The default as --help shows it, or NULL for none. */
static const char *default_text(const struct cli_opt *o, char *buf, size_t size)
{
    if (o->def || o->type == CLI_FLAG)
        return o->def;
    switch (o->type) {
    case CLI_COUNT: snprintf(buf, size, "%u", *(const unsigned *)o->dst); return buf;
    case CLI_DURATION: return format_duration((uint64_t) * (const int64_t *)o->dst, buf, size);
    case CLI_STRING: return *(const char **)o->dst ? *(const char **)o->dst : "none";
    default: return NULL;
    }
}

/* Prints text from column col on, wrapped at words before column 80. */
static void print_wrapped(const char *text, int col)
{
    for (int x = col; *text; text += strspn(text, " ")) {
        int w = (int)strcspn(text, " ");
        if (x > col && x + 1 + w >= 80) {
            printf("\n%*s", col, "");
            x = col;
        } else if (x > col) {
            putchar(' ');
            x++;
        }
        x += printf("%.*s", w, text);
        text += w;
    }
    putchar('\n');
}

static void print_help(const struct cli_command *cmd)
{
    const char *line = cmd->usage;
    for (const char *lead = "usage: "; lead; lead = *line ? "       " : NULL) {
        size_t len = strcspn(line, "\n");
        printf("%seddy %s%s%.*s\n", lead, cmd->name, len ? " " : "", (int)len, line);
        line += len + (line[len] == '\n');
    }
    printf("\n%s\n\noptions:\n", cmd->about);
    int width = (int)strlen("-h, --help");
    for (size_t i = 0; i < cmd->nopts; i++) {
        const struct cli_opt *o = &cmd->opts[i];
        int w = 2 + (int)strlen(o->name) + (o->arg ? 1 + (int)strlen(o->arg) : 0);
        if (w > width)
            width = w;
    }
    for (size_t i = 0; i < cmd->nopts; i++) {
        const struct cli_opt *o = &cmd->opts[i];
        char flag[64], buf[64], text[512];
        snprintf(flag, sizeof flag, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        const char *def = default_text(o, buf, sizeof buf);
        snprintf(text, sizeof text, "%s%s%s%s", o->help, def ? " (default: " : "", def ? def : "",
                 def ? ")" : "");
        printf("  %-*s  ", width, flag);
        print_wrapped(text, width + 4);
    }
    printf("  %-*s  %s\n", width, "-h, --help", "print this help and exit");
    if (cmd->footer)
        printf("\n%s\n", cmd->footer);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "eddy %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(`eddy %s --help` describes the options)\n", cmd->name);
    va_end(ap);
    return 2;
}

static const struct cli_opt *find(const struct cli_command *cmd, const char *name, size_t len)
{
    for (size_t i = 0; i < cmd->nopts; i++)
        if (strlen(cmd->opts[i].name) == len && !memcmp(cmd->opts[i].name, name, len))
            return &cmd->opts[i];
    return NULL;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, int *status)
{
    int n = 0;
    bool only_args = false;
    *status = 2;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_args || a[0] != '-' || !a[1]) {
            argv[n++] = a; /* n < i: the move never overwrites what is still to read */
            continue;
        }
        if (!strcmp(a, "--")) {
            only_args = true;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            print_help(cmd);
            *status = 0;
            return -1;
        }
        char *name = a + 2, *eq = strchr(name, '=');
        const struct cli_opt *o =
            a[1] == '-' ? find(cmd, name, eq ? (size_t)(eq - name) : strlen(name)) : NULL;
        if (!o) {
            cli_usage_error(cmd, "unknown option '%.*s'", eq ? (int)(eq - a) : (int)strlen(a), a);
            return -1;
        }
        if (o->type == CLI_FLAG) {
            if (eq) {
                cli_usage_error(cmd, "--%s takes no value, got '%s'", o->name, eq + 1);
                return -1;
            }
            *(bool *)o->dst = true;
            continue;
        }
        char *value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!value) {
            cli_usage_error(cmd, "--%s needs a value (%s)", o->name, o->arg);
            return -1;
        }
        char buf[160];
        const char *want = set(o, value, buf, sizeof buf);
        if (want) {
            cli_usage_error(cmd, "--%s: expected %s, got '%s'", o->name, want, value);
            return -1;
        }
    }
    if ((unsigned)n < cmd->min_args) {
        cli_usage_error(cmd, "missing argument: expected %s", cmd->args_name);
        return -1;
    }
    if ((unsigned)n > cmd->max_args) {
        cli_usage_error(cmd, "unexpected argument '%s': expected %s", argv[cmd->max_args],
                        cmd->args_name);
        return -1;
    }
    return n;
}
