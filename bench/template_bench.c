/*
 * template_bench.c — how long the template engine takes to render the
 * aggregator's typical page: 500 entries (title, link, date, summary)
 * through a layout with blocks, an include per entry and a few filters.
 *
 *   build/bench/template_bench [renders]
 *
 * Prints the page size and microseconds per render: CPU time (what the
 * engine costs, robust to a loaded machine) and wall time (mean, best).
 * Not a test: no assertion on time.
 */
#include "eddy/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char layout[] =
    "<!doctype html>\n<html><head><title>{% block title %}eddy{% endblock %}</title></head>\n"
    "<body><header><h1>{{ site.name }}</h1></header>\n<main>{% block content %}{% endblock "
    "%}</main>\n"
    "<footer>{{ entries|length }} entries</footer></body></html>\n";

static const char page[] =
    "{% extends \"layout.html\" %}\n"
    "{% block title %}{{ title }} - {{ super() }}{% endblock %}\n"
    "{% block content %}\n"
    "{% for e in entries %}{% include \"entry.html\" %}{% else %}<p>Nothing yet.</p>{% endfor %}\n"
    "{% endblock %}\n";

static const char entry[] =
    "<article class=\"{% if loop.first %}first{% endif %}\">\n"
    "  <h2><a href=\"{{ e.link }}\">{{ e.title }}</a></h2>\n"
    "  <time datetime=\"{{ e.date|date('iso') }}\">{{ e.date|date('%d %b %Y') }}</time>\n"
    "  <p>{{ e.summary|striptags|truncate(200) }}</p>\n"
    "</article>\n";

static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int renders = argc > 1 ? atoi(argv[1]) : 200;
    struct eddy_templates *ts = eddy_templates_new(NULL);
    if (!ts || eddy_templates_add(ts, "layout.html", layout, strlen(layout)) ||
        eddy_templates_add(ts, "page.html", page, strlen(page)) ||
        eddy_templates_add(ts, "entry.html", entry, strlen(entry))) {
        fprintf(stderr, "template_bench: %s\n", ts ? eddy_templates_error(ts) : "out of memory");
        return 1;
    }
    json_t *entries = json_array();
    for (int i = 0; i < 500; i++) {
        char title[128], link[128];
        snprintf(title, sizeof title, "Entry %d: a <title> & some \"quotes\"", i);
        snprintf(link, sizeof link, "https://example.org/posts/%d?ref=feed&x=1", i);
        json_array_append_new(
            entries,
            json_pack(
                "{s:s, s:s, s:I, s:s}", "title", title, "link", link, "date",
                (json_int_t)1700000000 + i * 3600, "summary",
                "<p>The <b>summary</b> of this entry, with markup to strip &amp; entities, long "
                "enough to be truncated: lorem ipsum dolor sit amet, consectetur adipiscing elit, "
                "sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>"));
    }
    json_t *ctx = json_pack("{s:s, s:{s:s}, s:o}", "title", "All feeds", "site", "name", "eddy",
                            "entries", entries);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    double best = 1e9, total = 0, cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < renders; i++) {
        eddy_buf_reset(&out);
        double t0 = now(CLOCK_MONOTONIC);
        if (eddy_templates_render(ts, "page.html", ctx, &out) < 0) {
            fprintf(stderr, "template_bench: %s\n", eddy_templates_error(ts));
            return 1;
        }
        double dt = now(CLOCK_MONOTONIC) - t0;
        total += dt;
        best = dt < best ? dt : best;
    }
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    printf("template_bench: 500 entries, %zu bytes: %.0f us CPU/render, wall %.0f us mean, "
           "%.0f us best (%d renders)\n",
           out.len, cpu / renders * 1e6, total / renders * 1e6, best * 1e6, renders);
    eddy_buf_free(&out);
    json_decref(ctx);
    eddy_templates_free(ts);
    return 0;
}
