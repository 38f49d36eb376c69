/* Tests of template/template.c: syntax, escaping, filters, inheritance, files,
 * errors with file:line, limits. */
#include "../test.h"

#include "eddy/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

/* Renders src as template "t.html" (or `name`) with context JSON `ctx`;
 * returns the output, or "ERR <code>: <message>".  Static buffer. */
static const char *render_as(const char *name, const char *src, const char *ctx)
{
    static char result[8192];
    struct eddy_templates *ts = eddy_templates_new(NULL);
    CHECK(ts);
    json_error_t jerr;
    json_t *c = ctx ? json_loads(ctx, 0, &jerr) : NULL;
    if (ctx && !c)
        test_fail(__FILE__, __LINE__, "bad test JSON: %s", jerr.text);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    int err = eddy_templates_add(ts, name, src, strlen(src));
    if (!err)
        err = eddy_templates_render(ts, name, c, &out);
    if (err)
        snprintf(result, sizeof result, "ERR %d: %s", err, eddy_templates_error(ts));
    else
        snprintf(result, sizeof result, "%s", eddy_buf_cstr(&out));
    eddy_buf_free(&out);
    json_decref(c);
    eddy_templates_free(ts);
    return result;
}

static const char *render(const char *src, const char *ctx)
{
    return render_as("t.html", src, ctx);
}

static void write_file(const char *name, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs(content, f);
    fclose(f);
}

TEST(template_text_and_variables)
{
    CHECK_STR(render("Hello, {{ name }}!", "{\"name\": \"World\"}"), "Hello, World!");
    CHECK_STR(render("no tags at all", NULL), "no tags at all");
    CHECK_STR(render("", NULL), "");
    CHECK_STR(render("{{ a.b.c }}/{{ a['b'].c }}/{{ l[1] }}/{{ l[-1] }}/{{ l.0 }}",
                     "{\"a\": {\"b\": {\"c\": 7}}, \"l\": [1, 2, 3]}"),
              "7/7/2/3/1");
    CHECK_STR(render("{{ n }} {{ r }} {{ h }} {{ t }} {{ f }} [{{ z }}] [{{ missing }}]",
                     "{\"n\": -3, \"r\": 2.5, \"h\": 2.0, \"t\": true, \"f\": false, \"z\": null}"),
              "-3 2.5 2.0 True False [] []");
    CHECK_STR(render("[{{ missing.attr.deeper }}][{{ n.x }}][{{ l[9] }}]", "{\"n\": 1, \"l\": []}"),
              "[][][]");
    CHECK_STR(render("{{ l }}", "{\"l\": [1, \"a\"]}"), "[1,&#34;a&#34;]");
}

TEST(template_escaping_and_safe)
{
    const char *ctx = "{\"x\": \"<a href=\\\"u\\\">'Tom' & Jerry</a>\"}";
    CHECK_STR(render("{{ x }}", ctx),
              "&lt;a href=&#34;u&#34;&gt;&#39;Tom&#39; &amp; Jerry&lt;/a&gt;");
    CHECK_STR(render("{{ x|safe }}", ctx), "<a href=\"u\">'Tom' & Jerry</a>");
    CHECK_STR(render("{{ x|e|e }}", "{\"x\": \"<\"}"), "&lt;"); /* no double escaping */
    CHECK_STR(render("{{ '<b>'|safe ~ x }}", "{\"x\": \"<i>\"}"), "<b>&lt;i&gt;");
    /* No auto-escaping for a .txt template, but |escape still escapes. */
    CHECK_STR(render_as("mail.txt", "{{ x }} {{ x|escape }}", "{\"x\": \"a<b\"}"), "a<b a&lt;b");
    CHECK_STR(render_as("feed.xml", "{{ x }}", "{\"x\": \"a<b\"}"), "a&lt;b");
}

TEST(template_filters)
{
    CHECK_STR(render("{{ s|upper }} {{ s|lower }}", "{\"s\": \"MiXed é\"}"), "MIXED é mixed é");
    CHECK_STR(render("{{ m|default('none') }} {{ z|d('null') }} {{ e|default('x') }} "
                     "{{ e|default('empty', true) }}",
                     "{\"z\": null, \"e\": \"\"}"),
              "none null  empty");
    CHECK_STR(render("{{ s|length }} {{ l|length }} {{ o|count }} {{ m|length }}",
                     "{\"s\": \"héllo\", \"l\": [1,2,3], \"o\": {\"a\": 1}}"),
              "5 3 1 0");
    CHECK_STR(
        render("{{ s|truncate(9) }}|{{ s|truncate(9, true) }}|{{ s|truncate(9, false, '…', 0) }}"
               "|{{ s|truncate(100) }}|{{ s|truncate(14) }}",
               "{\"s\": \"hello wonderful world\"}"),
        "hello...|hello ...|hello…|hello wonderful world|hello...");
    CHECK_STR(render("{{ s|urlencode }}", "{\"s\": \"a b&c/d=é\"}"), "a%20b%26c/d%3D%C3%A9");
    CHECK_STR(render("{{ s|striptags }}", "{\"s\": \"  <p>Hello <b>big</b>\\n\\n world<!-- x --> "
                                          "&amp; &#233;&#x41;&nbsp;!</p> \"}"),
              "Hello big world &amp; éA\xC2\xA0!");
    CHECK_STR(render("{{ l|join(', ') }}|{{ l|join }}", "{\"l\": [\"a\", 1, \"<\"]}"),
              "a, 1, &lt;|a1&lt;");
    CHECK_STR(render("[{{ s|trim }}]", "{\"s\": \"  x y \\n\"}"), "[x y]");
    CHECK_STR(render("{{ o|tojson }}", "{\"o\": {\"b\": 1, \"a\": \"</script>'\"}}"),
              "{\"a\": \"\\u003c/script\\u003e\\u0027\", \"b\": 1}"); /* as Jinja: sorted */
}

TEST(template_date_filter)
{
    const char *ctx =
        "{\"t\": 1700000000, \"iso\": \"2024-02-29T13:45:00+01:00\", "
        "\"day\": \"2024-03-01\", \"frac\": \"2024-03-01T00:00:00.123Z\", \"bad\": \"yesterday\"}";
    CHECK_STR(render("{{ t|date }}", ctx), "2023-11-14 22:13");
    CHECK_STR(render("{{ t|date('%d/%m/%Y') }}", ctx), "14/11/2023");
    CHECK_STR(render("{{ iso|date('iso') }}", ctx), "2024-02-29T12:45:00Z");
    CHECK_STR(render("{{ day|date('%Y-%m-%d %H:%M:%S') }}", ctx), "2024-03-01 00:00:00");
    CHECK_STR(render("{{ frac|date('%S') }}", ctx), "00");
    CHECK_STR(render("{{ bad|date }}", ctx), "yesterday"); /* not a date: unchanged */
    /* feedparser's *_parsed time tuples, as a feed's dates reach a template */
    const char *tup = "{\"p\": [2003, 6, 10, 4, 0, 7, 1, 161, 0], \"short\": [2003, 6, 10]}";
    CHECK_STR(render("{{ p|date('%Y-%m-%d %H:%M:%S') }}", tup), "2003-06-10 04:00:07");
    CHECK_STR(render("{{ short|date }}", tup), "[2003,6,10]"); /* too short: unchanged */
}

TEST(template_if_elif_else)
{
    const char *src = "{% if n > 10 %}big{% elif n == 10 %}ten{% elif n >= 5 and not small %}mid"
                      "{% else %}small{% endif %}";
    CHECK_STR(render(src, "{\"n\": 11}"), "big");
    CHECK_STR(render(src, "{\"n\": 10}"), "ten");
    CHECK_STR(render(src, "{\"n\": 7}"), "mid");
    CHECK_STR(render(src, "{\"n\": 7, \"small\": true}"), "small");
    CHECK_STR(render(src, "{\"n\": 2.5}"), "small");
    CHECK_STR(render("{% if a or b %}y{% endif %}{% if not c %}n{% endif %}", "{\"b\": [1]}"),
              "yn");
    CHECK_STR(render("{% if 'x' in s %}1{% endif %}{% if 2 in l %}2{% endif %}{% if 'k' in o %}3"
                     "{% endif %}{% if 9 not in l %}4{% endif %}{% if s != 'yxz' %}5{% endif %}",
                     "{\"s\": \"yxz\", \"l\": [1, 2], \"o\": {\"k\": 0}}"),
              "1234");
    CHECK_STR(render("{% if m is defined %}d{% endif %}{% if m is not defined %}u{% endif %}"
                     "{% if z is none %}n{% endif %}{% if 3 is odd %}o{% endif %}",
                     "{\"z\": null}"),
              "uno");
    CHECK_STR(render("{{ a or 'fallback' }} {{ 1 < 'a' }} {{ 'a' < 'b' }}", NULL),
              "fallback False True");
    CHECK_STR(
        render(
            "{{ 'on' if n > 1 }}|{{ 'on' if n > 5 }}|{{ 'a' if n > 5 else 'b' if n > 2 else 'c' }}",
            "{\"n\": 3}"),
        "on||b");
}

TEST(template_arithmetic)
{
    CHECK_STR(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ -7 % 3 }} "
                     "{{ 7 % -3 }} {{ 'a' ~ 1 ~ true }} {{ 'x' + 'y' }} [{{ 'x' + 1 }}] {{ -n }}",
                     "{\"n\": 5}"),
              "7 9 3.5 2.0 2 -2 a1True xy [] -5");
    CHECK_STR(render("{{ 9223372036854775807 + 1 }}", NULL), "9.223372036854776e+18");
    CHECK_STR(render("{{ 1 / 0 }}", NULL), "ERR -33: t.html:1: division by zero");
    CHECK_STR(render("a\n{{ n % 0 }}", "{\"n\": 1}"), "ERR -33: t.html:2: division by zero");
}

TEST(template_for_loops)
{
    CHECK_STR(render("{% for x in l %}{{ loop.index }}:{{ x }}{% if loop.first %}F{% endif %}"
                     "{% if loop.last %}L{% endif %}{% if not loop.last %},{% endif %}{% endfor %}",
                     "{\"l\": [\"a\", \"b\", \"c\"]}"),
              "1:aF,2:b,3:cL");
    CHECK_STR(render("{% for x in l %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
                     "{{ loop.length }} {% endfor %}",
                     "{\"l\": [0, 0]}"),
              "0212 1102 ");
    CHECK_STR(render("{% for x in l %}x{% else %}empty{% endfor %}", "{\"l\": []}"), "empty");
    CHECK_STR(render("{% for x in missing %}x{% else %}none{% endfor %}", NULL), "none");
    CHECK_STR(
        render("{% for k, v in o %}{{ k }}={{ v }};{% endfor %}", "{\"o\": {\"b\": 1, \"a\": 2}}"),
        "b=1;a=2;");
    CHECK_STR(render("{% for a, b in l %}{{ a }}{{ b }} {% endfor %}", "{\"l\": [[1, 2], [3]]}"),
              "12 3 ");
    /* Nested loops: the inner loop shadows `loop`, the outer variable stays visible. */
    CHECK_STR(render("{% for row in rows %}{% for c in row.cells %}{{ row.name }}{{ loop.index }}"
                     "{{ c }} {% endfor %}|{{ loop.index }}|{% endfor %}",
                     "{\"rows\": [{\"name\": \"r\", \"cells\": [\"x\", \"y\"]}, "
                     "{\"name\": \"s\", \"cells\": []}]}"),
              "r1x r2y |1||2|");
    /* The loop variable ends with the loop. */
    CHECK_STR(render("{% for x in l %}{% endfor %}[{{ x }}]", "{\"l\": [1], \"x\": \"outer\"}"),
              "[outer]");
}

TEST(template_whitespace_comments_raw)
{
    CHECK_STR(render("<ul>\n  {%- for x in l %}\n  <li>{{ x }}</li>\n  {%- endfor %}\n</ul>",
                     "{\"l\": [1, 2]}"),
              "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>");
    CHECK_STR(render("a  {{- 1 -}}  b {#- gone -#}  c", NULL), "a1bc");
    CHECK_STR(render("x{# a {{ comment }} with {% tags %} #}y", NULL), "xy");
    CHECK_STR(render("{% raw %}{{ not parsed }}{% if %}{% endraw %}!", NULL),
              "{{ not parsed }}{% if %}!");
    CHECK_STR(render("{ x } {x} {", NULL), "{ x } {x} {");
    /* One final newline is dropped, as Jinja does by default. */
    CHECK_STR(render("a\n\n", NULL), "a\n");
    CHECK_STR(render("a\r\n", NULL), "a");
    CHECK_STR(render("\n", NULL), "");
}

TEST(template_include_and_extends_from_files)
{
    write_file("base.html", "<title>{% block title %}Site{% endblock %}</title>\n"
                            "{% include \"nav.html\" %}"
                            "<main>{% block content %}default{% endblock %}</main>"
                            "{% block footer %}(c){% endblock %}");
    write_file("nav.html", "<nav>{{ user|default('guest') }}</nav>");
    write_file("page.html", "{% extends \"base.html\" %}\nignored text outside blocks\n"
                            "{% block title %}{{ title }} - {{ super() }}{% endblock %}"
                            "{% block content %}{% for e in entries %}"
                            "{% include \"entry.html\" %}{% endfor %}{% endblock %}");
    write_file("entry.html", "<p>{{ e.t }}</p>");
    write_file("deeper.html",
               "{% extends 'page.html' %}{% block footer %}[{{ super() }}]{% endblock %}");
    struct eddy_templates *ts = eddy_templates_new(test_tmpdir());
    json_t *ctx = json_pack("{s:s, s:s, s:[{s:s}, {s:s}]}", "title", "Home", "user", "<ann>",
                            "entries", "t", "one", "t", "t&two");
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_STR(eddy_templates_render(ts, "page.html", ctx, &out) ? eddy_templates_error(ts) : "",
              "");
    CHECK_STR(out.data, "<title>Home - Site</title>\n<nav>&lt;ann&gt;</nav>"
                        "<main><p>one</p><p>t&amp;two</p></main>(c)");
    eddy_buf_reset(&out);
    CHECK_INT(eddy_templates_render(ts, "deeper.html", ctx, &out), ==, 0);
    CHECK(strstr(out.data, "<main><p>one</p>"));
    CHECK(strstr(out.data, "[(c)]"));
    eddy_buf_reset(&out);
    /* A changed file is reloaded (the size differs, whatever the mtime granularity). */
    write_file("nav.html", "<nav>changed</nav>");
    CHECK_INT(eddy_templates_render(ts, "base.html", ctx, &out), ==, 0);
    CHECK_STR(out.data, "<title>Site</title>\n<nav>changed</nav><main>default</main>(c)");
    eddy_buf_reset(&out);
    /* Same size, new mtime: reloaded too. */
    eddy_buf_reset(&out);
    write_file("nav.html", "<nav>CHANGED</nav>");
    char path[512];
    snprintf(path, sizeof path, "%s/nav.html", test_tmpdir());
    CHECK_INT(utimensat(AT_FDCWD, path, (struct timespec[]){{1000, 0}, {1000, 0}}, 0), ==, 0);
    CHECK_INT(eddy_templates_render(ts, "nav.html", ctx, &out), ==, 0);
    CHECK_STR(out.data, "<nav>CHANGED</nav>");
    eddy_buf_reset(&out);
    /* Names escaping the directory are refused. */
    CHECK_INT(eddy_templates_render(ts, "../base.html", ctx, &out), ==, -ENOENT);
    CHECK_STR(eddy_templates_error(ts), "../base.html: template not found");
    CHECK_INT(eddy_templates_render(ts, "/etc/passwd", ctx, &out), ==, -ENOENT);
    CHECK_INT(eddy_templates_render(ts, "nope.html", ctx, &out), ==, -ENOENT);
    json_decref(ctx);
    eddy_buf_free(&out);
    eddy_templates_free(ts);
}

TEST(template_blocks_nested_and_unused)
{
    struct eddy_templates *ts = eddy_templates_new(NULL);
    const char *base = "{% block outer %}<{% block inner %}i{% endblock %}>{% endblock outer %}";
    const char *child = "{% extends 'base' %}{% block inner %}I{% endblock %}";
    CHECK_INT(eddy_templates_add(ts, "base", base, strlen(base)), ==, 0);
    CHECK_INT(eddy_templates_add(ts, "child", child, strlen(child)), ==, 0);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_templates_render(ts, "child", NULL, &out), ==, 0);
    CHECK_STR(out.data, "<I>");
    eddy_buf_reset(&out);
    CHECK_INT(eddy_templates_render(ts, "base", NULL, &out), ==, 0);
    CHECK_STR(out.data, "<i>");
    eddy_buf_free(&out);
    eddy_templates_free(ts);
}

TEST(template_syntax_errors_have_file_and_line)
{
    struct {
        const char *src, *msg;
    } cases[] = {
        {"a\n{{ x|nosuch }}", "t.html:2: unknown filter 'nosuch'"},
        {"\n\n{% if x %}never closed", "t.html:3: unclosed {% if %} (expected {% endif %})"},
        {"{% for x in l %}\n{% endif %}", "t.html:2: unexpected {% endif %}"},
        {"{% for x in l %}{% if y %}{% endfor %}", "t.html:1: unexpected {% endfor %}"},
        {"{{ x ", "t.html:1: expected '}}', found the end of the template"},
        {"{{ }}", "t.html:1: expected an expression, found the end of the tag"},
        {"{{ 'abc }}", "t.html:1: unterminated string literal"},
        {"{% frobnicate %}", "t.html:1: unknown statement 'frobnicate'"},
        {"x\n{# never closed", "t.html:2: unclosed comment (expected '#}')"},
        {"{{ x|truncate(1, 2, 3, 4, 5) }}", "t.html:1: too many arguments to filter 'truncate'"},
        {"{{ x|upper(1) }}", "t.html:1: filter 'upper' takes 0 to 0 arguments, not 1"},
        {"{% if x = 1 %}{% endif %}", "t.html:1: '=' is not a comparison: use '=='"},
        {"{% block a %}{% endblock %}\n{% block a %}{% endblock %}",
         "t.html:2: block 'a' defined twice (first at line 1)"},
        {"{% block a %}{% endblock b %}", "t.html:1: {% endblock b %} closes block 'a'"},
        {"{% if 1 %}{% extends 'b' %}{% endif %}",
         "t.html:1: {% extends %} must be at the top level"},
        {"{% include x %}",
         "t.html:1: expected a template name (string literal) after include, found 'x'"},
        {"{{ x is shiny }}", "t.html:1: unknown test 'shiny'"},
        {"{{ 99999999999999999999 }}", "t.html:1: integer literal too large"},
        {"{{ a $ b }}", "t.html:1: unexpected character"},
        {"{% raw %}abc", "t.html:1: unclosed {% raw %} (expected {% endraw %})"},
        {"{{ super(1) }}", "t.html:1: expected ')': super() takes no argument, found '1'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char expected[512];
        snprintf(expected, sizeof expected, "ERR -22: %s", cases[i].msg);
        CHECK_STR(render(cases[i].src, NULL), expected);
    }
    /* Deep nesting is refused, not a stack overflow. */
    char deep[4096] = "{{ ";
    for (int i = 0; i < 200; i++)
        strcat(deep, "(");
    CHECK_STR(render(deep, NULL), "ERR -22: t.html:1: expression nested too deeply");
    deep[0] = 0;
    for (int i = 0; i < 100; i++)
        strcat(deep, "{% if 1 %}");
    CHECK(strstr(render(deep, NULL), "ERR -22: t.html:1: ") &&
          strstr(render(deep, NULL), "nested too deeply"));
}

TEST(template_render_errors)
{
    struct eddy_templates *ts = eddy_templates_new(NULL);
    struct {
        const char *name, *src;
    } tpls[] = {
        {"a.html", "A{% include 'b.html' %}"},
        {"b.html", "\nB{% include 'a.html' %}"},
        {"self.html", "{% extends 'self.html' %}"},
        {"missing.html", "x\n\n{% include 'nowhere.html' %}"},
        {"optional.html", "[{% include 'nowhere.html' ignore missing %}]"},
        {"badinc.html", "{% include 'bad.html' %}"},
        {"bad.html", "ok\n{{ oops"},
        {"orphan.html", "{% extends 'gone.html' %}"},
    };
    for (size_t i = 0; i < sizeof tpls / sizeof tpls[0]; i++) {
        int err = eddy_templates_add(ts, tpls[i].name, tpls[i].src, strlen(tpls[i].src));
        CHECK_INT(err, ==, strcmp(tpls[i].name, "bad.html") ? 0 : -EINVAL);
        if (err)
            CHECK_STR(eddy_templates_error(ts),
                      "bad.html:2: expected '}}', found the end of the template");
    }
    struct eddy_buf out = EDDY_BUF_INIT(0);
    eddy_buf_puts(&out, "keep");
    CHECK_INT(eddy_templates_render(ts, "a.html", NULL, &out), ==, -ELOOP);
    CHECK_STR(eddy_templates_error(ts), "b.html:2: template cycle: a.html -> b.html -> a.html");
    CHECK_STR(out.data, "keep"); /* output rolled back */
    CHECK_INT(eddy_templates_render(ts, "self.html", NULL, &out), ==, -ELOOP);
    CHECK_STR(eddy_templates_error(ts), "self.html:1: template cycle: self.html -> self.html");
    CHECK_INT(eddy_templates_render(ts, "missing.html", NULL, &out), ==, -ENOENT);
    CHECK_STR(eddy_templates_error(ts),
              "missing.html:3: included template \"nowhere.html\" not found");
    CHECK_INT(eddy_templates_render(ts, "orphan.html", NULL, &out), ==, -ENOENT);
    CHECK_STR(eddy_templates_error(ts), "orphan.html:1: extended template \"gone.html\" not found");
    CHECK_INT(eddy_templates_render(ts, "badinc.html", NULL, &out), ==, -ENOENT);
    CHECK_INT(eddy_templates_render(ts, "optional.html", NULL, &out), ==, 0);
    CHECK_STR(out.data, "keep[]");
    CHECK_STR(eddy_templates_error(ts), "");
    eddy_buf_free(&out);
    eddy_templates_free(ts);
}

TEST(template_syntax_error_in_file_reported_on_render)
{
    write_file("page.html", "{% include 'part.html' %}");
    write_file("part.html", "line 1\nline 2 {% for %}");
    struct eddy_templates *ts = eddy_templates_new(test_tmpdir());
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_templates_render(ts, "page.html", NULL, &out), ==, -EINVAL);
    CHECK_STR(eddy_templates_error(ts),
              "part.html:2: expected a loop variable, found the end of the tag");
    eddy_buf_free(&out);
    eddy_templates_free(ts);
}

TEST(template_limits)
{
    struct eddy_templates *ts = eddy_templates_new(NULL);
    /* Nested loops over a small list: the step budget stops the blow-up. */
    const char *src = "{% for a in l %}{% for b in l %}{% for c in l %}{% for d in l %}"
                      "{% endfor %}{% endfor %}{% endfor %}{% endfor %}";
    CHECK_INT(eddy_templates_add(ts, "t", src, strlen(src)), ==, 0);
    json_t *ctx = json_pack("{s:[i,i,i,i,i,i,i,i,i,i]}", "l", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    eddy_templates_set_max_steps(ts, 5000);
    CHECK_INT(eddy_templates_render(ts, "t", ctx, &out), ==, -ELOOP);
    CHECK_STR(eddy_templates_error(ts), "t:1: render budget of 5000 steps exceeded");
    eddy_templates_set_max_steps(ts, 20000);
    CHECK_INT(eddy_templates_render(ts, "t", ctx, &out), ==, 0);
    /* The output buffer's cap is respected. */
    const char *big = "{% for a in l %}0123456789{% endfor %}";
    CHECK_INT(eddy_templates_add(ts, "big", big, strlen(big)), ==, 0);
    struct eddy_buf small = EDDY_BUF_INIT(50);
    CHECK_INT(eddy_templates_render(ts, "big", ctx, &small), ==, -E2BIG);
    CHECK_INT(small.len, ==, 0);
    CHECK_STR(eddy_templates_error(ts), "big:1: output larger than the buffer's limit (50 bytes)");
    /* Include depth is bounded (a chain of 20 distinct templates). */
    for (int i = 0; i < 20; i++) {
        char name[16], body[64];
        snprintf(name, sizeof name, "n%d", i);
        snprintf(body, sizeof body, "%d{%% include 'n%d' %%}", i, i + 1);
        CHECK_INT(eddy_templates_add(ts, name, body, strlen(body)), ==, 0);
    }
    CHECK_INT(eddy_templates_render(ts, "n0", ctx, &out), ==, -ELOOP);
    CHECK(strstr(eddy_templates_error(ts), "templates nested too deeply (12 include"));
    /* So is the statement depth of a whole render (10 templates x 8 ifs). */
    for (int i = 0; i < 10; i++) {
        char name[16], body[256] = "";
        snprintf(name, sizeof name, "d%d", i);
        for (int k = 0; k < 8; k++)
            strcat(body, "{% if 1 %}");
        snprintf(body + strlen(body), 64, "{%% include 'd%d' ignore missing %%}", i + 1);
        for (int k = 0; k < 8; k++)
            strcat(body, "{% endif %}");
        CHECK_INT(eddy_templates_add(ts, name, body, strlen(body)), ==, 0);
    }
    CHECK_INT(eddy_templates_render(ts, "d0", ctx, &out), ==, -ELOOP);
    CHECK_STR(eddy_templates_error(ts),
              "d7:1: templates nested too deeply (64 levels of statements)");
    json_decref(ctx);
    eddy_buf_free(&out);
    eddy_buf_free(&small);
    eddy_templates_free(ts);
}

/* A url_for-like function: "/<endpoint>" then its keyword arguments. */
static int url_for_fn(void *data, const char *const *args, size_t nargs, const char *const *kwargs,
                      struct eddy_buf *out)
{
    (void)data;
    if (nargs != 1 || !kwargs[0])
        return -EINVAL;
    int err = eddy_buf_printf(out, "/%s", args[0]);
    for (size_t i = 0; !err && kwargs[i]; i += 2)
        err = eddy_buf_printf(out, "%c%s=%s", i ? '&' : '?', kwargs[i], kwargs[i + 1]);
    return err;
}

TEST(template_functions)
{
    struct eddy_templates *ts = eddy_templates_new(NULL);
    const char *src =
        "{% for f in feeds %}<a href=\"{{ url_for('feed', id=f.id, q=f.q, p = 2) }}\">"
        "{% endfor %}\n{{ url_for('feed') }}";
    /* Added before the function exists: calls are resolved when rendering. */
    CHECK_INT(eddy_templates_add(ts, "t.html", src, strlen(src)), ==, 0);
    const char *unknown = "x\n{{ nope(1) }}";
    CHECK_INT(eddy_templates_add(ts, "u.html", unknown, strlen(unknown)), ==, 0);
    CHECK_INT(eddy_templates_set_function(ts, "url_for", url_for_fn, NULL), ==, 0);
    json_t *ctx = json_pack("{s:[{s:i, s:s}]}", "feeds", "id", 7, "q", "a b&c");
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_templates_render(ts, "t.html", ctx, &out), ==, -EINVAL);
    CHECK_STR(eddy_templates_error(ts), "t.html:2: url_for(): Invalid argument");
    const char *good = "<a href=\"{{ url_for('feed', id=feeds[0].id, q=feeds[0].q, p = 2) }}\">";
    CHECK_INT(eddy_templates_add(ts, "t.html", good, strlen(good)), ==, 0);
    CHECK_INT(eddy_templates_render(ts, "t.html", ctx, &out), ==, 0);
    CHECK_STR(out.data, "<a href=\"/feed?id=7&amp;q=a b&amp;c&amp;p=2\">");
    CHECK_INT(eddy_templates_render(ts, "u.html", ctx, &out), ==, -EINVAL);
    CHECK_STR(eddy_templates_error(ts), "u.html:2: unknown function 'nope'");
    CHECK_STR(render("{{ false() }}", NULL), "ERR -22: t.html:1: expected '}}', found '('");
    const char *bad = "{{ f(a=1, 2) }}";
    CHECK_INT(eddy_templates_add(ts, "b.html", bad, strlen(bad)), ==, -EINVAL);
    CHECK_STR(eddy_templates_error(ts),
              "b.html:1: positional argument after a keyword argument in f()");
    json_decref(ctx);
    eddy_buf_free(&out);
    eddy_templates_free(ts);
}

TEST(template_set)
{
    CHECK_STR(render("{% set t = 'a' ~ n %}{{ t }}{% set t = t|upper %}{{ t }}", "{\"n\": 1}"),
              "a1A1");
    /* Scoped to a loop body, kept after an if (Jinja's rules). */
    CHECK_STR(render("{% set x = 'out' %}{% for i in l %}{% set x = i * 10 %}{{ x }},{% endfor %}"
                     "{{ x }}{% if 1 %}{% set y = 'in if' %}{% endif %} {{ y }}",
                     "{\"l\": [1, 2, 3]}"),
              "10,20,30,out in if");
    /* A loop state captured by set is a snapshot, safe after the loop. */
    CHECK_STR(
        render("{% for i in l %}{% if loop.last %}{% set last = loop %}{{ last.index }}{% endif %}"
               "{% endfor %}[{{ last.index }}]",
               "{\"l\": [1, 2]}"),
        "2[]");
    CHECK_STR(render("{% set %}", NULL), "ERR -22: t.html:1: expected a variable name after set, "
                                         "found the end of the tag");
    CHECK_STR(render("{% set a 1 %}", NULL), "ERR -22: t.html:1: expected '=', found '1'");
}

/* Each case rendered by Jinja2 3.1.6 (autoescape on) with the same context:
 * the expected strings are Jinja's output, pasted. */
TEST(template_matches_jinja)
{
    const char *ctx =
        "{\"s\": \"<b>Tom & 'Jerry'</b>\", \"n\": 7, \"r\": 2.5, \"l\": [\"a\", \"b\", \"c\"], "
        "\"e\": [], \"o\": {\"k\": \"v\", \"k2\": \"w\"}, \"html\": \"<p>Hello <i>x</i>\\n\\n  "
        "world &amp; more</p>\", \"long\": \"The quick brown fox jumps over the lazy dog again and "
        "again\", \"rows\": [{\"name\": \"r1\", \"cells\": [1, 2]}, {\"name\": \"r2\", \"cells\": "
        "[]}], \"z\": \"\"}";
    static const struct {
        const char *src, *jinja;
    } cases[] = {
        {"{{ s }}|{{ s|safe }}|{{ s|e }}|{{ s|upper }}|{{ s|lower }}",
         "&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;|<b>Tom & 'Jerry'</b>|&lt;b&gt;Tom &amp; "
         "&#39;Jerry&#39;&lt;/b&gt;|&lt;B&gt;TOM &amp; &#39;JERRY&#39;&lt;/B&gt;|&lt;b&gt;tom "
         "&amp; &#39;jerry&#39;&lt;/b&gt;"},
        {"{{ n + 1 }} {{ n - 10 }} {{ n * r }} {{ n / 2 }} {{ n % 3 }} {{ -n % 3 }} {{ 0 if false "
         "else n }}",
         "8 -3 17.5 3.5 1 2 7"},
        {"{{ 7 / 2 }} {{ 1.5 + 1 }} {{ 0.1 + 0.2 }} {{ 1000 if false else 10 / 4 }} {{ 3 - 5 }}",
         "3.5 2.5 0.30000000000000004 2.5 -2"},
        {"{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 "
         "}}{{ loop.length }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}",
         "10323a,21213b,32103c"},
        {"{% for x in e %}x{% else %}empty{% endfor %}", "empty"},
        {"{% for row in rows %}{{ row.name }}:{% for c in row.cells %}{{ c }}{{ loop.index }}{% "
         "else %}-{% endfor %};{% endfor %}",
         "r1:1122;r2:-;"},
        {"{% if n > 5 and n < 10 %}a{% elif n == 7 %}b{% else %}c{% endif %}{% if not z %}d{% "
         "endif %}{% if 'b' in l %}e{% endif %}{% if 'x' not in s %}f{% endif %}",
         "adef"},
        {"{{ missing }}|{{ missing|default('dflt') }}|{{ z|default('empty', true) }}|{{ "
         "z|default('e2') }}|{{ 'x' if missing else 'y' }}",
         "|dflt|empty||y"},
        {"{{ l|length }} {{ s|length }} {{ o|length }} {{ l|join(', ') }} {{ l|join }}",
         "3 20 2 a, b, c abc"},
        {"{{ long|truncate(20) }}|{{ long|truncate(20, true) }}|{{ long|truncate(20, false, '…') "
         "}}|{{ long|truncate(58) }}|{{ long|truncate(50) }}|{{ long|truncate(5) }}",
         "The quick brown...|The quick brown f...|The quick brown…|The quick brown fox jumps over "
         "the lazy dog again and again|The quick brown fox jumps over the lazy dog...|Th..."},
        {"{{ html|striptags }}|{{ s|striptags }}",
         "Hello x world &amp; more|Tom &amp; &#39;Jerry&#39;"},
        {"{{ 'a b/c?d=é&'|urlencode }}", "a%20b/c%3Fd%3D%C3%A9%26"},
        {"{{ s|trim }}|{{ '  x  '|trim }}|", "&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;|x|"},
        {"<ul>\n  {%- for x in l %}\n  <li>{{ x }}</li>\n  {%- endfor %}\n</ul>\n{{- ' end ' "
         "-}}\n!",
         "<ul>\n  <li>a</li>\n  <li>b</li>\n  <li>c</li>\n</ul> end !"},
        {"{% set a = n * 2 %}{{ a }}{% for x in l %}{% set a = x %}{{ a }}{% endfor %}{{ a }}",
         "14abc14"},
        {"{{ 'abc' ~ n ~ s }}|{{ s|safe ~ s }}|{{ ('<' ~ n)|safe }}",
         "abc7&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;|<b>Tom & 'Jerry'</b>&lt;b&gt;Tom &amp; "
         "&#39;Jerry&#39;&lt;/b&gt;|<7"},
        {"{{ o.k }}{{ o['k2'] }}{{ l[0] }}{{ l[-1] }}{{ rows[0].cells[1] }}", "vwac2"},
        {"{{ n is odd }}{{ n is even }}{{ missing is defined }}{{ n is number }}{{ s is string }}",
         "TrueFalseFalseTrueTrue"},
        {"{{ 'a' < 'b' }}{{ 2 >= 2.0 }}{{ n != 7 }}{{ 1 if n == 7 else 2 }}", "TrueTrueFalse1"},
        {"{{ s or 'x' }}|{{ z or 'x' }}|{{ z and 'y' }}|{{ n and 'y' }}",
         "&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;|x||y"},
        {"{% raw %}{{ x }}{% endraw %}{# comment #}ok", "{{ x }}ok"},
        {"{{ o|tojson }}|{{ s|tojson }}|{{ l|tojson }}",
         "{\"k\": \"v\", \"k2\": \"w\"}|\"\\u003cb\\u003eTom \\u0026 "
         "\\u0027Jerry\\u0027\\u003c/b\\u003e\"|[\"a\", \"b\", \"c\"]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(render(cases[i].src, ctx), cases[i].jinja);
}

/* |url keeps http, https, mailto and relative URLs and drops every other
 * scheme, however a browser could be made to read it. */
TEST(template_url_filter)
{
    static const char *const good[] = {
        "http://example.org/a?b=1&c=2",
        "HTTPS://example.org/",
        "mailto:me@example.org",
        "/feed.xml",
        "page.html",
        "?q=1",
        "#top",
        "//cdn.example.org/x.js",
        "a/b:c",
        "  http://x.test/",
        "",
        "https&#58;//x.test/",
        "x.html?next=javascript:alert(1)",
    };
    static const char *const bad[] = {
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\\u0001javascript:alert(1)",
        "java\\tscript:alert(1)",
        "java\\nscript:alert(1)",
        "java\\r\\nscript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#0000106avascript:alert(1)",
        "javascript&colon;alert(1)",
        "javascript&#58;alert(1)",
        "java&#x09;script:alert(1)",
        "&#x20;javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "vbscript:msgbox(1)",
        "DATA:text/html;base64,PHNjcmlwdD4=",
        "jav&#x0A;ascript:alert(1)",
        "livescript:x",
        "file:///etc/passwd",
        "ftp://x.test/",
        "view-source:http://x.test/",
        "\\u3000javascript:alert(1)",
        "javas\\u0001cript:alert(1)",
    };
    char ctx[512], want[512];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(ctx, sizeof ctx, "{\"u\": \"%s\"}", good[i]);
        /* The value itself, HTML-escaped as always. */
        snprintf(want, sizeof want, "%s", render("{{ u }}", ctx));
        const char *got = render("{{ u|url }}", ctx);
        if (strcmp(got, want))
            test_fail(__FILE__, __LINE__, "allowed %s: got '%s'", good[i], got);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(ctx, sizeof ctx, "{\"u\": \"%s\"}", bad[i]);
        const char *got = render("<a href=\"{{ u|url }}\">{% if u|url %}link{% endif %}</a>", ctx);
        if (strcmp(got, "<a href=\"\"></a>"))
            test_fail(__FILE__, __LINE__, "refused %s: got '%s'", bad[i], got);
    }
    /* A value already marked safe keeps its mark; entities in it were judged. */
    CHECK_STR(render("{{ u|safe|url }}", "{\"u\": \"/a?b=1&amp;c=2\"}"), "/a?b=1&amp;c=2");
    CHECK_STR(render("{{ u|safe|url }}", "{\"u\": \"&#106;avascript:x\"}"), "");
    CHECK_STR(render("{{ 42|url }}", NULL), "42");
}

/* Arrays and objects render through the data interface's JSON writer: the
 * same bytes jansson's json_dumps gave when the engine called it. */
TEST(template_json_output_matches_jansson)
{
    const char *doc =
        "{\"z\": 0.1, \"b\": 1e20, \"c\": 1e-7, \"d\": -0.0, \"e\": 123456789012345678,"
        " \"f\": \"\\u0001\\b\\f\\n\\r\\t\\\"\\\\/ \\u00e9\\u2028\\u007f\", \"h\": 2.5,"
        " \"g\": [true, false, null, {}, [], -7], \"i\": 100.0, \"j\": 1.5e300,"
        " \"k\": 5e-324, \"l\": 1.7976931348623157e308, \"m\": {\"y\": 1, \"a\": [0.5]}}";
    json_error_t jerr;
    json_t *x = json_loads(doc, 0, &jerr);
    CHECK(x);
    json_t *ctx = json_pack("{s:O}", "x", x);
    struct eddy_templates *ts = eddy_templates_new(NULL);
    const char *src = "{{ x|safe }}\n{{ x|tojson }}";
    CHECK_INT(eddy_templates_add(ts, "t.txt", src, strlen(src)), ==, 0);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_templates_render(ts, "t.txt", ctx, &out), ==, 0);
    char *compact = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
    char *sorted = json_dumps(x, JSON_ENCODE_ANY | JSON_SORT_KEYS);
    char want[2048];
    snprintf(want, sizeof want, "%s\n%s", compact, sorted);
    CHECK_STR(eddy_buf_cstr(&out), want);
    free(compact);
    free(sorted);
    eddy_buf_free(&out);
    eddy_templates_free(ts);
    json_decref(ctx);
    json_decref(x);
}
