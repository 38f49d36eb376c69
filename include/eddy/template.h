/*
 * eddy/template.h — HTML templates in the spirit of Jinja2 (layer web/).
 *
 * A template set loads templates by name from a directory (and/or from
 * memory), compiles each once to a tree and keeps it; a file is re-read when
 * its mtime, size or inode changes (checked at most once per render).  The
 * data is a jansson json_t (objects, arrays, strings, numbers, booleans,
 * null): the type the JSON API already builds, so views need no second one.
 *
 * Syntax (a subset of Jinja2, same meaning):
 *   {{ expr }}            output, HTML-escaped unless the value is |safe
 *   {# comment #}         dropped; {%- -%} {{- -}} {#- -#} strip whitespace
 *   {% if e %} {% elif e %} {% else %} {% endif %}
 *   {% for x in list %} / {% for k, v in object %} ... {% else %} {% endfor %}
 *                         loop.index loop.index0 loop.revindex loop.revindex0
 *                         loop.first loop.last loop.length
 *   {% include "name" %} [ignore missing]   (sees the includer's variables)
 *   {% extends "name" %}  {% block b %}...{% endblock %}   {{ super() }}
 *   {% set name = expr %}  (until the end of the loop body or template)
 *   {% raw %}...{% endraw %}
 *   expressions: names, a.b, a["b"], a[0], 'str', "str", 42, 1.5, true,
 *     false, none, ( ), + - * / % ~ (concat), == != < <= > >=, in, not in,
 *     and, or (return an operand, Python-style), not, a if cond [else b],
 *     `x is [not] defined`
 *     (tests: defined undefined none odd even string number), x|filter(args)
 *   name(a, b, key=c): a function the program registered (url_for...)
 *   filters: escape (e), safe, upper, lower (ASCII), default(x[, true]) (d),
 *     length (count; UTF-8 characters for strings), truncate(n=255,
 *     killwords=false, end='...', leeway=5), date(fmt='%Y-%m-%d %H:%M')
 *     (a unix time or an ISO 8601 string, shown in UTC; fmt 'iso' gives
 *     RFC 3339; strftime names follow the process locale), urlencode,
 *     striptags, join(sep=''), trim, tojson (safe inside <script>).
 *
 * Rules worth knowing:
 * - Auto-escaping (& < > " ' ) is on for names ending in .html .htm .xml
 *   .xhtml .svg and off otherwise (Flask's rule), so a .txt mail body is raw.
 * - A missing variable or attribute is "undefined": it renders as the empty
 *   string, is false, and `|default` replaces it (and null).  Type mismatches
 *   at run time (e.g. "a" + 1) also give undefined rather than an error; only
 *   division by zero, missing includes, cycles and limits fail a render.
 * - Output is Jinja's (tests compare with Jinja2 3.1.6): booleans render as
 *   True/False, numbers like Python (1, 2.5, 2.0).  Differences: null renders
 *   as "" (Jinja: None) and |default replaces it; arrays and objects render
 *   as compact JSON (Jinja: Python reprs); an attribute of an undefined
 *   value is undefined (Jinja raises); `loop` is visible in an included
 *   template (Jinja hides it).  As in Jinja, one final newline of a template
 *   is dropped.  Not supported: macros, {% with %},
 *   list/dict literals, // and **, loop.cycle, other filters.
 * - Errors are reported as "file:line: message" by eddy_templates_error().
 * - Bounds: 12 templates in use at once (include/extends depth), 32 levels of
 *   nesting inside one template, 64 levels of statements in a whole render,
 *   4 MiB per template file, and a per-render budget of executed nodes
 *   (eddy_templates_set_max_steps).  So compiling or rendering needs at most
 *   ~40 KiB of stack (a few KiB for real pages): fine on a 64 KiB task stack.
 *   An include or extends of a template already being rendered is a cycle
 *   and an error (recursive includes are not supported: use a loop).
 *
 * Not thread-safe: use one set per thread.  No function here suspends.
 */
#ifndef EDDY_TEMPLATE_H
#define EDDY_TEMPLATE_H

#include "eddy/buf.h"

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_templates;

/* A template set reading "<dir>/<name>"; dir may be NULL for a set of
 * in-memory templates only.  The path is copied.  NULL on ENOMEM. */
struct eddy_templates *eddy_templates_new(const char *dir);
/* Frees the set and every compiled template; NULL is a no-op. */
void eddy_templates_free(struct eddy_templates *ts);

/* Compiles src[0..len) (copied) as template `name`, replacing any template
 * of that name; in-memory templates are never reloaded from disk.
 * Returns 0, -EINVAL on a syntax error (see eddy_templates_error), -ENOMEM. */
int eddy_templates_add(struct eddy_templates *ts, const char *name, const char *src, size_t len);

/* Renders template `name` with the variables of object `ctx` (may be NULL)
 * and appends the result to `out`.  The caller keeps ownership of ctx.
 * Returns 0; -ENOENT (no such template), -EINVAL (syntax error in it or in
 * what it includes), -ELOOP (cycle, too deep, step budget exceeded), -EDOM
 * (division by zero), -E2BIG (out's cap reached), -ENOMEM.  On error out is
 * restored to its previous length and eddy_templates_error() says why. */
int eddy_templates_render(struct eddy_templates *ts, const char *name, const json_t *ctx,
                          struct eddy_buf *out);

/* The last error as "file:line: message" ("" if none); valid until the next
 * call on the set. */
const char *eddy_templates_error(const struct eddy_templates *ts);

/* A function callable from templates as {{ name(a, b, key=value) }}: its
 * arguments arrive as text (numbers in decimal, undefined as ""): the
 * positional ones in args[0..nargs) (args[nargs] is NULL), the keyword ones
 * as a NULL-terminated name, value list in kwargs (the shape
 * eddy_router_url_for takes).  It appends its result to out, which is then
 * an ordinary (escaped) string; a negative errno return fails the render.
 * The strings are valid during the call only.  A function must not use the
 * template set that calls it (no render or add from inside a render). */
typedef int eddy_template_fn(void *data, const char *const *args, size_t nargs,
                             const char *const *kwargs, struct eddy_buf *out);

/* Makes fn callable as `name` (replacing a previous one); data is passed
 * back to it.  Calls are resolved when rendering, so templates may be added
 * before functions.  Returns 0 or -ENOMEM. */
int eddy_templates_set_function(struct eddy_templates *ts, const char *name,
                                eddy_template_fn *fn, void *data);

/* A render executing more than `steps` template nodes (loop iterations,
 * includes and blocks included) fails with -ELOOP.  Default 10 million: far
 * above a real page, it stops a runaway nesting of loops. */
void eddy_templates_set_max_steps(struct eddy_templates *ts, unsigned long steps);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
