/*
 * html_bench.c — MB/s of feed/html.c on a realistic blog-post blob: the
 * relative-URI resolver, then the sanitizer on its output (what feed/ does
 * for each HTML text construct), and each alone.  CPU time, not wall time:
 * the machine may be shared.
 *
 *   build/bench/html_bench [MB]      (default: 64 MB of HTML through each)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/feed/html.h"

/* One post of the kind feeds carry: paragraphs, links, images, lists,
 * inline styles, entities, a table, a script and an embed to drop. */
static const char post[] =
    "<div class=\"entry-content\" style=\"text-align: left; color: #333\">\n"
    "<p>Last week we shipped <a href=\"/blog/2023/release-notes.html\" title=\"Release "
    "notes\">version 2.4</a>"
    " &mdash; the biggest update this year. Here&rsquo;s what changed &amp; why.</p>\n"
    "<p><img src=\"images/screenshot-1.png\" alt=\"The new dashboard\" width=\"640\" "
    "height=\"360\" "
    "style=\"border: 1px solid #ccc; margin: 0 auto\" /><br/>The new dashboard.</p>\n"
    "<h2 id=\"perf\">Faster everywhere</h2>\n<ul>\n<li>Startup is <strong>3&times;</strong> "
    "faster;</li>\n"
    "<li>memory use dropped by 40&nbsp;%;</li>\n<li>see <a "
    "href=\"https://example.com/bench?run=42&amp;os=linux\""
    " rel=\"nofollow\" onclick=\"track(this)\">the benchmarks</a>.</li>\n</ul>\n"
    "<blockquote cite=\"../quotes/ada.html\"><p>&ldquo;Simplicity is prerequisite for "
    "reliability.&rdquo;</p>"
    "</blockquote>\n<table border=\"0\" cellpadding=\"2\"><tr><th>Before</th><th>After</th></tr>"
    "<tr><td>120&#8239;ms</td><td>38&#8239;ms</td></tr></table>\n"
    "<script type=\"text/javascript\">var _gaq = _gaq || []; "
    "_gaq.push(['_trackPageview']);</script>\n"
    "<p>Questions? Write to <a href=\"mailto:team@example.com\">team@example.com</a> or join us on "
    "<a href=\"irc://irc.example.net/project\">IRC</a>.<!-- more --></p>\n"
    "<iframe src=\"https://video.example.com/embed/123\" width=\"560\"></iframe>\n"
    "<p style=\"font-size: 12px; font-style: italic\">Posted in <a "
    "href=\"/tags/release\">release</a>, "
    "<a href=\"/tags/performance\">performance</a>.</p>\n</div>\n";

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double mb = argc > 1 ? atof(argv[1]) : 64;
    size_t len = sizeof post - 1;
    size_t rounds = (size_t)(mb * 1e6 / (double)len) + 1;
    struct eddy_buf res = EDDY_BUF_INIT(0), out = EDDY_BUF_INIT(0);
    double t_res = 0, t_san = 0, t_both = 0, t0;
    for (size_t i = 0; i < rounds; i++) {
        eddy_buf_reset(&res);
        eddy_buf_reset(&out);
        eddy_buf_reset(&res);
        t0 = cpu_now();
        if (eddy__html_resolve_uris(&res, post, len, "http://example.com/blog/2023/post.html",
                                    false))
            return 1;
        t_res += cpu_now() - t0;
        t0 = cpu_now();
        if (eddy__html_sanitize(&out, post, len, false))
            return 1;
        t_san += cpu_now() - t0;
        eddy_buf_reset(&out);
        eddy_buf_reset(&res);
        t0 = cpu_now();
        if (eddy__html_resolve_uris(&res, post, len, "http://example.com/blog/2023/post.html",
                                    false) ||
            eddy__html_sanitize(&out, res.data, res.len, false))
            return 1;
        t_both += cpu_now() - t0;
    }
    double total = (double)rounds * (double)len / 1e6;
    printf("html: %.0f MB of a %zu-byte post\n", total, len);
    printf("  resolve_uris            %8.1f MB/s\n", total / t_res);
    printf("  sanitize                %8.1f MB/s\n", total / t_san);
    printf("  resolve then sanitize   %8.1f MB/s\n", total / t_both);
    eddy_buf_free(&res);
    eddy_buf_free(&out);
    return 0;
}
