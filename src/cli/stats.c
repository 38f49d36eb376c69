/*
 * stats.c — `eddy stats`: what the store holds (the benchmark reads --json).
 */
#include "cli.h"

#include "eddy/store.h"

#include <inttypes.h>
#include <stdio.h>

int cmd_stats(int argc, char **argv)
{
    const char *data = NULL;
    bool json = false;
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&data),
        {.name = "json", .type = CLI_FLAG, .dst = &json, .help = "print one JSON object"},
    };
    const struct cli_command cmd = {
        .name = "stats",
        .usage = "[OPTIONS]",
        .about = "Counts the feeds (dead: answered 410 Gone; errors: the last fetch failed) and\n"
                 "the entries (unread, starred, unindexed: not yet in the search index).\n"
                 "With --json one object; \"entries\" comes last, for scripts that take the\n"
                 "last number.",
        .footer = "exit status: 0 done, 1 the store failed, 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .args_name = "no argument",
    };
    int status;
    struct eddy_store *s;
    if (cli_parse_store(&cmd, argc, argv, &data, &s, &status) < 0)
        return status;
    struct eddy_store_stats st;
    int err = eddy_store_stats(s, &st);
    eddy_store_close(s);
    if (err < 0) {
        fprintf(stderr, "eddy stats: %s\n", eddy_strerror(err));
        return 1;
    }
    /* "entries" last: refresh-many (shared/bench) takes the last number printed. */
    if (json)
        printf("{\"feeds\": %" PRId64 ", \"errors\": %" PRId64 ", \"dead\": %" PRId64
               ", \"unread\": %" PRId64 ", \"starred\": %" PRId64 ", \"unindexed\": %" PRId64
               ", \"entries\": %" PRId64 "}\n",
               st.feeds, st.errors, st.dead, st.unread, st.starred, st.unindexed, st.entries);
    else
        printf("feeds      %" PRId64 "\nerrors     %" PRId64 "\ndead       %" PRId64
               "\nunread     %" PRId64 "\nstarred    %" PRId64 "\nunindexed  %" PRId64
               "\nentries    %" PRId64 "\n",
               st.feeds, st.errors, st.dead, st.unread, st.starred, st.unindexed, st.entries);
    return 0;
}
