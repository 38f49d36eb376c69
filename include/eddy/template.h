/*
 * eddy/template.h — HTML templates in the spirit of Jinja2 (layer template/).
 *
 * A template set loads templates by name from a directory (and/or from
 * memory), compiles each once to a tree and keeps it; a file is re-read when
 * its mtime, size or inode changes (checked at most once per render).
 *
 * The data is read through a small interface, struct eddy_tdata (below):
 * objects, arrays, strings, numbers, booleans and null, whatever holds them.
 * jansson's json_t is one implementation (eddy_tdata_json, and the
 * eddy_templates_render shorthand: the type the JSON API already builds);
 * a parsed feed is another (eddy_feed_tdata in feedfetch.h); a program adds
 * its own (a store's rows) with a table of a few functions, and mixes them:
 * a member of one implementation's object may be another's value.
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
 *     (a unix time, an ISO 8601 string or a feedparser time tuple
 *     [year, mon, mday, hour, min, sec, ...], shown in UTC; fmt 'iso' gives
 *     RFC 3339; strftime names follow the process locale), urlencode,
 *     striptags, join(sep=''), trim, tojson (safe inside <script>),
 *     url (eddy's own: the value when it is an http, https or mailto URL
 *     or a relative one, else "" — use it on every untrusted URL that goes
 *     into href or src; javascript:, data:, vbscript: and the like are
 *     judged as a browser reads them: entity-encoded, split by tabs or
 *     newlines, in any case, behind spaces or control characters).
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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default) /* exported by libeddy.so, built -fvisibility=hidden */

struct eddy_templates;

/* ---- the data interface --------------------------------------------------- */

enum eddy_tdata_type {
    EDDY_TDATA_UNDEFINED, /* a missing value: renders as "", is false */
    EDDY_TDATA_NULL,
    EDDY_TDATA_BOOL,
    EDDY_TDATA_INT,
    EDDY_TDATA_REAL,
    EDDY_TDATA_STRING,
    EDDY_TDATA_ARRAY,
    EDDY_TDATA_OBJECT,
};

struct eddy_tdata_ops;

/* One value: an implementation and its node.  Passed by value; the node is
 * borrowed and must outlive the render.  {0} (ops NULL) is undefined. */
struct eddy_tdata {
    const struct eddy_tdata_ops *ops;
    const void *p; /* the implementation's node */
    int64_t n;     /* a spare word for the implementation (an index, a number) */
};

/* An implementation: type is required; the others are called only for
 * values of the types in their comments.  Strings must be UTF-8 and live as
 * long as the node.  None may fail or suspend. */
struct eddy_tdata_ops {
    enum eddy_tdata_type (*type)(const struct eddy_tdata *v);
    const char *(*str)(const struct eddy_tdata *v, size_t *len); /* STRING */
    int64_t (*integer)(const struct eddy_tdata *v);              /* INT; BOOL as 0 / 1 */
    double (*real)(const struct eddy_tdata *v);                  /* REAL */
    size_t (*len)(const struct eddy_tdata *v);                   /* ARRAY, OBJECT */
    /* ARRAY: element i < len (the engine checks the bound). */
    struct eddy_tdata (*at)(const struct eddy_tdata *v, size_t i);
    /* OBJECT: the member key[0..klen) (key is also NUL-terminated), or an
     * undefined value ({0}) when absent. */
    struct eddy_tdata (*get)(const struct eddy_tdata *v, const char *key, size_t klen);
    /* OBJECT: the members in order.  *it is NULL to start; fills the key
     * and value and returns true, or returns false after the last one. */
    bool (*next)(const struct eddy_tdata *v, const void **it, const char **key, size_t *klen,
                 struct eddy_tdata *value);
};

/* jansson as template data: j (may be NULL: undefined) is borrowed. */
struct eddy_tdata eddy_tdata_json(const json_t *j);
/* Small builders for a context made in C without a JSON tree: the value
 * owns nothing, so s / fields / items must outlive the render. */
struct eddy_tdata eddy_tdata_str(const char *s); /* NULL: null */
struct eddy_tdata eddy_tdata_int(int64_t i);
struct eddy_tdata eddy_tdata_bool(bool b);
/* An object of named values, in order, and an array of values. */
struct eddy_tfield {
    const char *name;
    struct eddy_tdata value;
};
struct eddy_tdata eddy_tdata_object(const struct eddy_tfield *fields, size_t n);
struct eddy_tdata eddy_tdata_array(const struct eddy_tdata *items, size_t n);

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
/* The same with any data: ctx is an object (or undefined: no variables). */
int eddy_templates_render_data(struct eddy_templates *ts, const char *name, struct eddy_tdata ctx,
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
int eddy_templates_set_function(struct eddy_templates *ts, const char *name, eddy_template_fn *fn,
                                void *data);

/* A render executing more than `steps` template nodes (loop iterations,
 * includes and blocks included) fails with -ELOOP.  Default 10 million: far
 * above a real page, it stops a runaway nesting of loops. */
void eddy_templates_set_max_steps(struct eddy_templates *ts, unsigned long steps);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
