/*
 * list.c — `eddy list`: the subscriptions and how their last fetch went.
 */
#include "cli.h"

#include "eddy/store.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *feed_json(const struct eddy_store_feed *f)
{
    return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:i, s:s?, s:i, s:I, s:I, s:I, s:I, s:b, "
                     "s:s?, s:s?, s:s?}",
                     "id", (json_int_t)f->id, "url", f->url, "title", f->title, "site_link",
                     f->site_link, "category", f->category, "last_status", f->last_status,
                     "last_error", f->last_error, "consecutive_errors", f->consecutive_errors,
                     "last_check", (json_int_t)f->last_check, "next_check",
                     (json_int_t)f->next_check, "count_200", (json_int_t)f->count_200, "count_304",
                     (json_int_t)f->count_304, "dead", f->dead, "etag", f->etag, "last_modified",
                     f->last_modified, "repairs", f->repairs);
}

int cmd_list(int argc, char **argv)
{
    const char *data = NULL;
    bool json = false;
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&data),
        {.name = "json",
         .type = CLI_FLAG,
         .dst = &json,
         .help = "print one JSON array of objects with every stored field"},
    };
    const struct cli_command cmd = {
        .name = "list",
        .usage = "[OPTIONS]",
        .about = "Lists the subscribed feeds by category, then title: id, last status (- when\n"
                 "never fetched, dead after 410 Gone), category, URL, title, and the last\n"
                 "error when the last fetch failed.",
        .footer = "exit status: 0 done, 1 the store failed, 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .args_name = "no argument",
    };
    int status;
    struct eddy_store *s;
    if (cli_parse_store(&cmd, argc, argv, &data, &s, &status) < 0)
        return status;
    struct eddy_store_feed *feeds;
    size_t n;
    int err = eddy_store_feeds(s, &feeds, &n);
    if (err < 0) {
        fprintf(stderr, "eddy list: %s\n", eddy_strerror(err));
        eddy_store_close(s);
        return 1;
    }
    json_t *all = json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        const struct eddy_store_feed *f = &feeds[i];
        if (json) {
            json_array_append_new(all, feed_json(f));
            continue;
        }
        char st[8] = "-";
        if (f->dead)
            snprintf(st, sizeof st, "dead");
        else if (f->last_check)
            snprintf(st, sizeof st, "%d", f->last_status);
        printf("%" PRId64 "\t%s\t%s\t%s\t%s%s%s\n", f->id, st, f->category ? f->category : "-",
               f->url, f->title ? f->title : "", f->last_error ? "\terror: " : "",
               f->last_error ? f->last_error : "");
    }
    if (json) {
        char *text = json_dumps(all, JSON_COMPACT);
        if (text)
            puts(text);
        else
            status = 1;
        free(text);
        json_decref(all);
    }
    eddy_store_feeds_free(feeds, n);
    eddy_store_close(s);
    return status;
}
