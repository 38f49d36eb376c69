/*
 * template.c — the template engine of include/eddy/template.h.
 *
 * A template is compiled once into a tree of nodes (text, output, if, for,
 * include, block) whose expressions are small trees too; text nodes point
 * into the template's own copy of its source, names and literals live in the
 * template's arena, filters are resolved to function pointers at compile
 * time (so an unknown filter is a compile error with its line).  Rendering
 * walks the tree: values are a tagged union that points into the caller's
 * data (struct eddy_tdata: read through its ops, never copied) or into a
 * per-render arena, which is rolled back after each `{{ }}`, so a page of
 * 500 entries allocates almost nothing.
 *
 * Variables: the innermost loop variables first (a short stack, compared by
 * name: loops nest a few levels deep), then the context object (its
 * implementation's get: jansson's hash table for a json_t).  Includes share
 * the stack, as in Jinja.
 *
 * Inheritance: rendering template T builds its chain T -> parent -> ... and
 * renders the last one's body; a {% block %} renders the definition of the
 * most derived template in the chain that has one.  Every template of every
 * chain being rendered is "in use"; naming one again is a cycle, and no
 * template in use can be reloaded under our feet.
 */
#include "eddy/template.h"

#include "eddy/arena.h"

#include "internal.h"

#include "../base/text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_NEST   32         /* statement + expression nesting in one template */
#define MAX_DEPTH  64         /* statement nesting of a render, includes included */
#define MAX_INUSE  12         /* templates being rendered at once (include/extends depth) */
#define MAX_LOCALS 192        /* loop variables visible at once */
#define MAX_FILE   (4u << 20) /* largest template file */
#define MAX_ARGS   4          /* filter arguments */
#define MAX_CALL   16         /* function call arguments */

/* ------------------------------------------------------------------ */
/* Values                                                              */

enum { V_UNDEF, V_NULL, V_BOOL, V_INT, V_REAL, V_STR, V_DATA, V_LOOP };

struct loopstate {
    json_int_t index0; /* current iteration, from 0 */
    json_int_t length; /* number of iterations */
};

struct val {
    unsigned char k; /* V_* */
    bool safe;       /* V_STR: already HTML, not to be escaped */
    bool arr;        /* V_DATA: an array (else an object) */
    union {
        bool b;
        json_int_t i;
        double d;
        struct {
            const char *p; /* not NUL-terminated in general */
            size_t n;
        } s;
        struct eddy_tdata data;       /* V_DATA: an array or an object */
        const struct loopstate *loop; /* V_LOOP */
    } u;
};

/* ------------------------------------------------------------------ */
/* The compiled form                                                   */

enum {
    E_LIT,
    E_VAR,
    E_ATTR,
    E_INDEX,
    E_FILTER,
    E_NOT,
    E_NEG,
    E_AND,
    E_OR,
    E_BIN,
    E_TEST,
    E_SUPER,
    E_CALL,
    E_COND
};
enum { OP_EQ = 256, OP_NE, OP_LE, OP_GE, OP_IN, OP_NOTIN };
enum { T_DEFINED, T_UNDEFINED, T_NONE, T_ODD, T_EVEN, T_STRING, T_NUMBER };

struct render;
typedef int filter_fn(struct render *r, struct val *v, const struct val *args, int nargs);
struct filter {
    const char *name;
    filter_fn *fn;
    unsigned char min, max; /* accepted argument counts */
};

struct expr {
    unsigned char k;        /* E_* */
    unsigned char nargs;    /* E_FILTER: arguments */
    bool negate;            /* E_TEST: `is not` */
    int op;                 /* E_BIN: operator character or OP_*; E_TEST: T_* */
    struct val lit;         /* E_LIT */
    const char *name;       /* E_VAR, E_ATTR: NUL-terminated, in the template's arena */
    size_t len;             /* its length */
    const struct filter *f; /* E_FILTER */
    struct expr *a, *b;     /* operands; a is the filtered value; E_COND: a if args[0] else b */
    struct expr *args[MAX_ARGS];
    struct expr **argv; /* E_CALL: nargs arguments */
    const char **kw;    /* E_CALL: keyword of each argument, NULL if positional */
};

enum { N_TEXT, N_OUT, N_IF, N_FOR, N_INCLUDE, N_BLOCK, N_SET };

struct node {
    unsigned char k;         /* N_* */
    int line;                /* where it starts, for messages */
    struct node *next;       /* next sibling */
    const char *text;        /* N_TEXT: into the source; N_INCLUDE, N_BLOCK: the name */
    size_t len;              /* N_TEXT: its length */
    const char *var1, *var2; /* N_FOR: loop variables (var2 NULL for one); N_SET: var1 */
    struct expr *e;          /* N_OUT, N_SET: the value; N_IF: condition; N_FOR: iterable */
    struct node *body, *alt; /* N_IF: then / else; N_FOR: body / else; N_BLOCK: body */
    bool ignore_missing;     /* N_INCLUDE */
};

struct blockdef {
    const char *name;
    const struct node *node;
    struct blockdef *next;
};

struct tpl {
    struct tpl *next;        /* in the set's list */
    char *name;              /* owned */
    char *src;               /* owned copy of the source, NUL-terminated */
    struct eddy_arena arena; /* nodes, expressions, names, literals */
    struct node *body;
    const char *extends; /* parent's name or NULL */
    int extends_line;
    struct blockdef *blocks; /* every {% block %} of this template */
    bool autoescape;         /* from the name's extension */
    bool in_memory;          /* added with eddy_templates_add: never reloaded */
    struct timespec mtime;   /* file identity when loaded */
    off_t size;
    ino_t ino;
    unsigned long checked; /* render generation of the last stat() */
};

struct func {
    struct func *next;
    char *name; /* owned */
    eddy_template_fn *fn;
    void *data;
};

struct eddy_templates {
    struct func *funcs;      /* functions callable from templates */
    char *dir;               /* NULL: in-memory templates only */
    char *path;              /* dir + "/" + room for a name: not on a task's small stack */
    struct tpl *list;        /* every compiled template */
    unsigned long gen;       /* bumped per render: files are checked once per render */
    unsigned long max_steps; /* node budget of one render */
    char err[512];           /* last error message */
};

static void set_err(struct eddy_templates *ts, const char *file, int line, const char *fmt,
                    va_list ap)
{
    int n = snprintf(ts->err, sizeof ts->err, "%s:%d: ", file, line);
    if (n < 0 || (size_t)n >= sizeof ts->err)
        n = 0;
    vsnprintf(ts->err + n, sizeof ts->err - n, fmt, ap);
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */

enum { T_EOF, T_END, T_NAME, T_STR, T_INT, T_REAL, T_OP, T_BAD };

struct token {
    int k;           /* T_* */
    const char *p;   /* where it starts in the source */
    size_t n;        /* its length (T_STR: decoded length) */
    int op;          /* T_OP */
    const char *str; /* T_STR: decoded, in the arena */
    json_int_t i;
    double d;
    bool trim; /* T_END: "-%}" / "-}}" */
};

struct parser {
    struct eddy_templates *ts;
    struct tpl *t;
    const char *p, *end; /* scanning position and end of source */
    char kind;           /* '{' or '%': which tag we are inside */
    struct token tok;    /* lookahead */
    bool trim_next;      /* strip the whitespace starting the next text */
    int depth;           /* nesting, bounded by MAX_NEST */
    bool failed;         /* an error was recorded: unwind */
    const char *lpos;    /* line counting: position ... */
    int lline;           /* ... and its line */
};

static int line_at(struct parser *ps, const char *p)
{
    if (p < ps->lpos) {
        ps->lpos = ps->t->src;
        ps->lline = 1;
    }
    for (; ps->lpos < p; ps->lpos++)
        ps->lline += *ps->lpos == '\n';
    return ps->lline;
}

__attribute__((format(printf, 3, 4))) static void *perr(struct parser *ps, int line,
                                                        const char *fmt, ...)
{
    if (!ps->failed) {
        va_list ap;
        va_start(ap, fmt);
        set_err(ps->ts, ps->t->name, line, fmt, ap);
        va_end(ap);
        ps->failed = true;
    }
    return NULL;
}

static void *pnomem(struct parser *ps)
{
    return perr(ps, line_at(ps, ps->p), "out of memory");
}

static void *palloc(struct parser *ps, size_t n)
{
    void *p = eddy_arena_alloc(&ps->t->arena, n);
    if (!p)
        return pnomem(ps);
    memset(p, 0, n);
    return p;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static bool is_name(int c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && is_digit(c));
}

/* Whether op is one of the single-character operators in set. */
static bool op_in(int op, const char *set)
{
    return op > 0 && op < 256 && strchr(set, op);
}

/* Reads the next token of the current tag into ps->tok.
 * One piece: one branch per token class (end of tag, name, number, string,
 * operator), each short; a tokenizer reads best as one such chain. */
static void next(struct parser *ps)
{
    const char *p = ps->p, *e = ps->end;
    while (p < e && is_space(*p))
        p++;
    struct token *t = &ps->tok;
    *t = (struct token){.k = T_EOF, .p = p};
    if (p == e)
        return;
    const char *q = p + (*p == '-');
    char close = ps->kind == '{' ? '}' : '%';
    if (e - q >= 2 && q[0] == close && q[1] == '}') {
        t->k = T_END;
        t->trim = q != p;
        ps->p = q + 2;
        return;
    }
    if (is_name(*p, true)) {
        while (p < e && is_name(*p, false))
            p++;
        t->k = T_NAME;
    } else if (is_digit(*p)) {
        json_int_t v = 0;
        for (; p < e && is_digit(*p); p++) {
            if (v > (INT64_MAX - (*p - '0')) / 10) {
                t->k = T_BAD;
                t->str = "integer literal too large";
                return;
            }
            v = v * 10 + (*p - '0');
        }
        t->k = T_INT;
        t->i = v;
        if (e - p >= 2 && *p == '.' && is_digit(p[1])) {
            double d = (double)v, scale = 1;
            for (p++; p < e && is_digit(*p); p++)
                d += (*p - '0') * (scale /= 10);
            t->k = T_REAL;
            t->d = d;
        }
    } else if (*p == '"' || *p == '\'') {
        char quote = *p++;
        const char *q2 = p;
        while (q2 < e && *q2 != quote)
            q2 += *q2 == '\\' && q2 + 1 < e ? 2 : 1;
        char *s = eddy_arena_alloc(&ps->t->arena, (size_t)(q2 - p) + 1), *w = s;
        if (!s) {
            t->k = T_BAD;
            t->str = "out of memory";
            return;
        }
        for (; p < e && *p != quote; p++) {
            if (*p == '\\' && p + 1 < e) {
                p++;
                *w++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
            } else
                *w++ = *p;
        }
        if (p == e) {
            t->k = T_BAD;
            t->str = "unterminated string literal";
            return;
        }
        p++;
        *w = 0;
        t->k = T_STR;
        t->str = s;
        t->n = (size_t)(w - s);
        ps->p = p;
        return;
    } else {
        static const char two[][3] = {"==", "!=", "<=", ">="};
        t->k = T_OP;
        t->op = (unsigned char)*p++;
        for (int i = 0; i < 4; i++)
            if (p < e && p[-1] == two[i][0] && *p == two[i][1]) {
                t->op = OP_EQ + i;
                p++;
            }
        if (!op_in(t->op, "()[].,|~+-*/%<>=") && t->op < 256) {
            t->k = T_BAD;
            t->str = "unexpected character";
        }
    }
    t->n = (size_t)(p - t->p);
    ps->p = p;
}

static bool is_kw(const struct parser *ps, const char *kw)
{
    return ps->tok.k == T_NAME && ps->tok.n == strlen(kw) && !memcmp(ps->tok.p, kw, ps->tok.n);
}
static bool is_op(const struct parser *ps, int op)
{
    return ps->tok.k == T_OP && ps->tok.op == op;
}

/* An error about the current token: "expected X, found 'Y'". */
static void *unexpected(struct parser *ps, const char *expected)
{
    const struct token *t = &ps->tok;
    int line = line_at(ps, t->p);
    if (t->k == T_BAD)
        return perr(ps, line, "%s", t->str);
    if (t->k == T_EOF)
        return perr(ps, line, "expected %s, found the end of the template", expected);
    if (t->k == T_END)
        return perr(ps, line, "expected %s, found the end of the tag", expected);
    int n = (int)(t->n > 20 ? 20 : t->n);
    return perr(ps, line, "expected %s, found '%.*s'", expected, n, t->p);
}

static bool expect_end(struct parser *ps)
{
    if (ps->tok.k != T_END) {
        unexpected(ps, ps->kind == '{' ? "'}}'" : "'%}'");
        return false;
    }
    ps->trim_next = ps->tok.trim;
    return true;
}

static struct expr *new_expr(struct parser *ps, int k)
{
    struct expr *e = palloc(ps, sizeof *e);
    if (e)
        e->k = (unsigned char)k;
    return e;
}

static char *name_of(struct parser *ps)
{
    char *s = eddy_arena_strndup(&ps->t->arena, ps->tok.p, ps->tok.n);
    return s ? s : pnomem(ps);
}

static struct expr *parse_expr(struct parser *ps);
static struct expr *parse_call(struct parser *ps, struct expr *e);
static const struct filter *find_filter(const char *name, size_t n);

/* name(arg, ..., key=arg, ...): ps->tok is '('. */
static struct expr *parse_call(struct parser *ps, struct expr *e)
{
    int line = line_at(ps, ps->tok.p);
    e->k = E_CALL;
    if (!(e->argv = palloc(ps, MAX_CALL * sizeof *e->argv)) ||
        !(e->kw = palloc(ps, MAX_CALL * sizeof *e->kw)))
        return NULL;
    next(ps);
    while (!is_op(ps, ')')) {
        if (e->nargs == MAX_CALL)
            return perr(ps, line, "more than %d arguments to %s()", MAX_CALL, e->name);
        const char *q = ps->p;
        while (q < ps->end && is_space(*q))
            q++;
        if (ps->tok.k == T_NAME && q < ps->end && *q == '=' && (q + 1 == ps->end || q[1] != '=')) {
            if (!(e->kw[e->nargs] = name_of(ps)))
                return NULL;
            ps->p = q + 1;
            next(ps);
        } else if (e->nargs && e->kw[e->nargs - 1])
            return perr(ps, line, "positional argument after a keyword argument in %s()", e->name);
        if (!(e->argv[e->nargs++] = parse_expr(ps)))
            return NULL;
        if (is_op(ps, ','))
            next(ps);
        else if (!is_op(ps, ')'))
            return unexpected(ps, "',' or ')'");
    }
    next(ps);
    return e;
}

static struct expr *parse_primary(struct parser *ps)
{
    struct token *t = &ps->tok;
    struct expr *e = NULL;
    if (t->k == T_STR || t->k == T_INT || t->k == T_REAL) {
        if (!(e = new_expr(ps, E_LIT)))
            return NULL;
        if (t->k == T_STR)
            e->lit = (struct val){.k = V_STR, .u.s = {t->str, t->n}};
        else if (t->k == T_INT)
            e->lit = (struct val){.k = V_INT, .u.i = t->i};
        else
            e->lit = (struct val){.k = V_REAL, .u.d = t->d};
        next(ps);
        return e;
    }
    if (is_op(ps, '(')) {
        next(ps);
        if (!(e = parse_expr(ps)))
            return NULL;
        if (!is_op(ps, ')'))
            return unexpected(ps, "')'");
        next(ps);
        return e;
    }
    if (t->k != T_NAME)
        return unexpected(ps, "an expression");
    if (is_kw(ps, "true") || is_kw(ps, "True") || is_kw(ps, "false") || is_kw(ps, "False")) {
        if ((e = new_expr(ps, E_LIT)))
            e->lit = (struct val){.k = V_BOOL, .u.b = (*t->p | 0x20) == 't'};
    } else if (is_kw(ps, "none") || is_kw(ps, "None") || is_kw(ps, "null")) {
        if ((e = new_expr(ps, E_LIT)))
            e->lit = (struct val){.k = V_NULL};
    } else if (is_kw(ps, "super")) {
        next(ps);
        if (!is_op(ps, '('))
            return unexpected(ps, "'(' after super");
        next(ps);
        if (!is_op(ps, ')'))
            return unexpected(ps, "')': super() takes no argument");
        next(ps);
        return new_expr(ps, E_SUPER);
    } else if ((e = new_expr(ps, E_VAR))) {
        e->name = name_of(ps);
        e->len = t->n;
    }
    next(ps);
    if (e && e->k == E_VAR && !ps->failed && is_op(ps, '('))
        return parse_call(ps, e);
    return ps->failed ? NULL : e;
}

static struct expr *parse_postfix(struct parser *ps)
{
    struct expr *e = parse_primary(ps);
    while (e && !ps->failed) {
        struct expr *x;
        if (is_op(ps, '.')) {
            next(ps);
            if (ps->tok.k != T_NAME && ps->tok.k != T_INT)
                return unexpected(ps, "an attribute name after '.'");
            if (!(x = new_expr(ps, E_ATTR)) || !(x->name = name_of(ps)))
                return NULL;
            x->len = ps->tok.n;
            next(ps);
        } else if (is_op(ps, '[')) {
            next(ps);
            if (!(x = new_expr(ps, E_INDEX)) || !(x->b = parse_expr(ps)))
                return NULL;
            if (!is_op(ps, ']'))
                return unexpected(ps, "']'");
            next(ps);
        } else if (is_op(ps, '|')) {
            next(ps);
            if (ps->tok.k != T_NAME)
                return unexpected(ps, "a filter name after '|'");
            int line = line_at(ps, ps->tok.p);
            const struct filter *f = find_filter(ps->tok.p, ps->tok.n);
            if (!f)
                return perr(ps, line, "unknown filter '%.*s'", (int)ps->tok.n, ps->tok.p);
            if (!(x = new_expr(ps, E_FILTER)))
                return NULL;
            x->f = f;
            next(ps);
            if (is_op(ps, '(')) {
                next(ps);
                while (!is_op(ps, ')')) {
                    if (x->nargs == MAX_ARGS)
                        return perr(ps, line, "too many arguments to filter '%s'", f->name);
                    if (!(x->args[x->nargs++] = parse_expr(ps)))
                        return NULL;
                    if (is_op(ps, ','))
                        next(ps);
                    else if (!is_op(ps, ')'))
                        return unexpected(ps, "',' or ')'");
                }
                next(ps);
            }
            if (x->nargs < f->min || x->nargs > f->max)
                return perr(ps, line, "filter '%s' takes %d to %d arguments, not %d", f->name,
                            f->min, f->max, x->nargs);
        } else
            return e;
        x->a = e;
        e = x;
    }
    return NULL;
}

/* A prefix operator (the current token) applied to what `operand` parses:
 * "-x", "not x".  Nesting counts against MAX_NEST. */
static struct expr *parse_prefix(struct parser *ps, int kind,
                                 struct expr *(*operand)(struct parser *))
{
    if (++ps->depth > MAX_NEST)
        return perr(ps, line_at(ps, ps->p), "expression nested too deeply");
    next(ps);
    struct expr *e = new_expr(ps, kind);
    if (e && !(e->a = operand(ps)))
        e = NULL;
    ps->depth--;
    return e;
}

static struct expr *parse_unary(struct parser *ps)
{
    return is_op(ps, '-') ? parse_prefix(ps, E_NEG, parse_unary) : parse_postfix(ps);
}

/* Binary operators of one precedence level, left-associative. */
static struct expr *parse_binary(struct parser *ps, int level)
{
    static const char *const ops[] = {"~", "+-", "*/%"};
    struct expr *e = level == 2 ? parse_unary(ps) : parse_binary(ps, level + 1);
    while (e && ps->tok.k == T_OP && op_in(ps->tok.op, ops[level])) {
        struct expr *x = new_expr(ps, E_BIN);
        if (!x)
            return NULL;
        x->op = ps->tok.op;
        x->a = e;
        next(ps);
        if (!(x->b = level == 2 ? parse_unary(ps) : parse_binary(ps, level + 1)))
            return NULL;
        e = x;
    }
    return e;
}

static struct expr *parse_cmp(struct parser *ps)
{
    struct expr *e = parse_binary(ps, 0), *x;
    if (!e)
        return NULL;
    if (is_kw(ps, "is")) {
        static const char *const tests[] = {"defined", "undefined", "none",  "odd",
                                            "even",    "string",    "number"};
        if (!(x = new_expr(ps, E_TEST)))
            return NULL;
        next(ps);
        if ((x->negate = is_kw(ps, "not")))
            next(ps);
        x->op = -1;
        for (int i = 0; i < 7; i++)
            if (is_kw(ps, tests[i]))
                x->op = i;
        if (x->op < 0)
            return ps->tok.k == T_NAME ? perr(ps, line_at(ps, ps->tok.p), "unknown test '%.*s'",
                                              (int)ps->tok.n, ps->tok.p)
                                       : unexpected(ps, "a test name after 'is'");
        x->a = e;
        next(ps);
        return x;
    }
    int op = 0;
    if (is_op(ps, '='))
        return perr(ps, line_at(ps, ps->tok.p), "'=' is not a comparison: use '=='");
    if (ps->tok.k == T_OP && (ps->tok.op == '<' || ps->tok.op == '>' || ps->tok.op >= OP_EQ))
        op = ps->tok.op;
    else if (is_kw(ps, "in"))
        op = OP_IN;
    else if (is_kw(ps, "not")) {
        next(ps);
        if (!is_kw(ps, "in"))
            return unexpected(ps, "'in' after 'not'");
        op = OP_NOTIN;
    } else
        return e;
    if (!(x = new_expr(ps, E_BIN)))
        return NULL;
    x->op = op;
    x->a = e;
    next(ps);
    x->b = parse_binary(ps, 0);
    return x->b ? x : NULL;
}

static struct expr *parse_not(struct parser *ps)
{
    return is_kw(ps, "not") ? parse_prefix(ps, E_NOT, parse_not) : parse_cmp(ps);
}

static struct expr *parse_logic(struct parser *ps, bool is_or)
{
    struct expr *e = is_or ? parse_logic(ps, false) : parse_not(ps);
    while (e && is_kw(ps, is_or ? "or" : "and")) {
        struct expr *x = new_expr(ps, is_or ? E_OR : E_AND);
        if (!x)
            return NULL;
        x->a = e;
        next(ps);
        if (!(x->b = is_or ? parse_logic(ps, false) : parse_not(ps)))
            return NULL;
        e = x;
    }
    return e;
}

static struct expr *parse_expr(struct parser *ps)
{
    if (++ps->depth > MAX_NEST)
        return perr(ps, line_at(ps, ps->p), "expression nested too deeply");
    struct expr *e = parse_logic(ps, true), *x;
    if (e && is_kw(ps, "if")) { /* a if cond [else b] */
        if (!(x = new_expr(ps, E_COND)))
            return NULL;
        x->a = e;
        next(ps);
        if (!(x->args[0] = parse_logic(ps, true)))
            return NULL;
        if (is_kw(ps, "else")) {
            next(ps);
            if (!(x->b = parse_expr(ps)))
                return NULL;
        }
        e = x;
    }
    ps->depth--;
    return ps->failed ? NULL : e;
}

/* Finds the next "{{", "{%" or "{#" at or after p. */
static const char *find_tag(const char *p, const char *end)
{
    for (; end - p >= 2; p++) {
        p = memchr(p, '{', (size_t)(end - p - 1));
        if (!p)
            return NULL;
        if (p[1] == '{' || p[1] == '%' || p[1] == '#')
            return p;
    }
    return NULL;
}

static struct node *new_node(struct parser *ps, int k, const char *at)
{
    struct node *n = palloc(ps, sizeof *n);
    if (n) {
        n->k = (unsigned char)k;
        n->line = line_at(ps, at);
    }
    return n;
}

static struct node *parse_stmt(struct parser *ps, const char *tag);

/* Parses nodes until the end of the template (stops == NULL) or until a
 * {% tag %} named in stops (NULL-terminated), which is left in ps->tok; its
 * name goes to *stop.  opener/open_line describe the unclosed construct. */
static struct node *parse_body(struct parser *ps, const char *const *stops, const char **stop,
                               const char *opener, int open_line)
{
    struct node *head = NULL, **tail = &head;
    if (++ps->depth > MAX_NEST)
        return perr(ps, open_line, "statements nested too deeply");
    while (!ps->failed) {
        const char *tag = find_tag(ps->p, ps->end);
        const char *text = ps->p, *text_end = tag ? tag : ps->end;
        if (ps->trim_next)
            while (text < text_end && is_space(*text))
                text++;
        ps->trim_next = false;
        if (tag && tag + 2 < ps->end && tag[2] == '-')
            while (text_end > text && is_space(text_end[-1]))
                text_end--;
        if (text < text_end) {
            struct node *n = new_node(ps, N_TEXT, text);
            if (!n)
                break;
            n->text = text;
            n->len = (size_t)(text_end - text);
            *tail = n;
            tail = &n->next;
        }
        if (!tag) {
            ps->p = ps->end;
            if (stops)
                perr(ps, open_line, "unclosed {%% %s %%} (expected {%% %s %%})", opener, stops[0]);
            break;
        }
        ps->kind = tag[1];
        ps->p = tag + 2 + (tag + 2 < ps->end && tag[2] == '-');
        if (ps->kind == '#') {
            const char *c = ps->p;
            while (c && (c = memchr(c, '#', (size_t)(ps->end - c))) &&
                   (c + 1 == ps->end || c[1] != '}'))
                c++;
            if (!c || c + 1 >= ps->end) {
                perr(ps, line_at(ps, tag), "unclosed comment (expected '#}')");
                break;
            }
            ps->trim_next = c > ps->p && c[-1] == '-';
            ps->p = c + 2;
            continue;
        }
        next(ps);
        struct node *n;
        if (ps->kind == '{') {
            if (!(n = new_node(ps, N_OUT, tag)) || !(n->e = parse_expr(ps)) || !expect_end(ps))
                break;
        } else {
            if (ps->tok.k != T_NAME) {
                unexpected(ps, "a statement name");
                break;
            }
            for (size_t i = 0; stops && stops[i]; i++)
                if (is_kw(ps, stops[i])) {
                    *stop = stops[i];
                    ps->depth--;
                    return head;
                }
            if (!(n = parse_stmt(ps, tag)))
                continue; /* a statement that adds no node, or an error */
        }
        *tail = n;
        tail = &n->next;
    }
    ps->depth--;
    return ps->failed ? NULL : head;
}

/* {% if %} ... {% elif %} ... {% else %} ... {% endif %}, ps->tok on "if". */
static struct node *parse_if(struct parser *ps, const char *tag)
{
    static const char *const stops[] = {"endif", "elif", "else", NULL};
    static const char *const endif[] = {"endif", NULL};
    struct node *first = new_node(ps, N_IF, tag), *n = first;
    const char *stop = NULL;
    if (!n)
        return NULL;
    for (;;) {
        next(ps);
        if (!(n->e = parse_expr(ps)) || !expect_end(ps))
            return NULL;
        n->body = parse_body(ps, stops, &stop, "if", first->line);
        if (ps->failed)
            return NULL;
        if (strcmp(stop, "elif"))
            break;
        if (!(n->alt = new_node(ps, N_IF, ps->tok.p)))
            return NULL;
        n = n->alt;
    }
    if (!strcmp(stop, "else")) {
        next(ps);
        if (!expect_end(ps))
            return NULL;
        n->alt = parse_body(ps, endif, &stop, "if", first->line);
        if (ps->failed)
            return NULL;
    }
    next(ps);
    return expect_end(ps) ? first : NULL;
}

static struct node *parse_for(struct parser *ps, const char *tag)
{
    static const char *const stops[] = {"endfor", "else", NULL};
    static const char *const endfor[] = {"endfor", NULL};
    struct node *n = new_node(ps, N_FOR, tag);
    const char *stop = NULL;
    if (!n)
        return NULL;
    next(ps);
    if (ps->tok.k != T_NAME)
        return unexpected(ps, "a loop variable");
    n->var1 = name_of(ps);
    next(ps);
    if (is_op(ps, ',')) {
        next(ps);
        if (ps->tok.k != T_NAME)
            return unexpected(ps, "a second loop variable");
        n->var2 = name_of(ps);
        next(ps);
    }
    if (!is_kw(ps, "in"))
        return unexpected(ps, "'in'");
    next(ps);
    if (ps->failed || !(n->e = parse_expr(ps)) || !expect_end(ps))
        return NULL;
    n->body = parse_body(ps, stops, &stop, "for", n->line);
    if (!ps->failed && !strcmp(stop, "else")) {
        next(ps);
        if (expect_end(ps))
            n->alt = parse_body(ps, endfor, &stop, "for", n->line);
    }
    if (ps->failed)
        return NULL;
    next(ps);
    return expect_end(ps) ? n : NULL;
}

static struct node *parse_block(struct parser *ps, const char *tag)
{
    static const char *const stops[] = {"endblock", NULL};
    struct node *n = new_node(ps, N_BLOCK, tag);
    const char *stop = NULL;
    if (!n)
        return NULL;
    next(ps);
    if (ps->tok.k != T_NAME)
        return unexpected(ps, "a block name");
    n->text = name_of(ps);
    next(ps);
    if (!n->text || !expect_end(ps))
        return NULL;
    for (struct blockdef *b = ps->t->blocks; b; b = b->next)
        if (!strcmp(b->name, n->text))
            return perr(ps, n->line, "block '%s' defined twice (first at line %d)", n->text,
                        b->node->line);
    struct blockdef *b = palloc(ps, sizeof *b);
    if (!b)
        return NULL;
    *b = (struct blockdef){n->text, n, ps->t->blocks};
    ps->t->blocks = b;
    n->body = parse_body(ps, stops, &stop, "block", n->line);
    if (ps->failed)
        return NULL;
    next(ps);
    if (ps->tok.k == T_NAME) {
        if (ps->tok.n != strlen(n->text) || memcmp(ps->tok.p, n->text, ps->tok.n))
            return perr(ps, line_at(ps, ps->tok.p), "{%% endblock %.*s %%} closes block '%s'",
                        (int)ps->tok.n, ps->tok.p, n->text);
        next(ps);
    }
    return expect_end(ps) ? n : NULL;
}

/* {% raw %}: everything up to {% endraw %} is text. */
static struct node *parse_raw(struct parser *ps, const char *tag)
{
    next(ps);
    if (!expect_end(ps))
        return NULL;
    struct node *n = new_node(ps, N_TEXT, tag);
    if (!n)
        return NULL;
    for (const char *p = ps->p; (p = find_tag(p, ps->end)); p += 2) {
        const char *q = p + 2 + (p[2] == '-');
        while (q < ps->end && is_space(*q))
            q++;
        if (p[1] != '%' || ps->end - q < 6 || memcmp(q, "endraw", 6))
            continue;
        n->text = ps->p;
        n->len = (size_t)(p - ps->p);
        ps->kind = '%';
        ps->p = q + 6;
        next(ps);
        return expect_end(ps) ? n : NULL;
    }
    return perr(ps, n->line, "unclosed {%% raw %%} (expected {%% endraw %%})");
}

/* A statement other than a stop tag; ps->tok is its name. */
static struct node *parse_stmt(struct parser *ps, const char *tag)
{
    int line = line_at(ps, tag);
    if (is_kw(ps, "if"))
        return parse_if(ps, tag);
    if (is_kw(ps, "for"))
        return parse_for(ps, tag);
    if (is_kw(ps, "block"))
        return parse_block(ps, tag);
    if (is_kw(ps, "set")) {
        struct node *n = new_node(ps, N_SET, tag);
        next(ps);
        if (!n || ps->tok.k != T_NAME)
            return n ? unexpected(ps, "a variable name after set") : NULL;
        n->var1 = name_of(ps);
        next(ps);
        if (!is_op(ps, '='))
            return unexpected(ps, "'='");
        next(ps);
        return n->var1 && (n->e = parse_expr(ps)) && expect_end(ps) ? n : NULL;
    }
    if (is_kw(ps, "raw"))
        return parse_raw(ps, tag);
    if (is_kw(ps, "include") || is_kw(ps, "extends")) {
        bool inc = is_kw(ps, "include");
        next(ps);
        if (ps->tok.k != T_STR)
            return unexpected(ps, inc ? "a template name (string literal) after include"
                                      : "a template name (string literal) after extends");
        const char *name = ps->tok.str;
        next(ps);
        if (!inc) {
            if (ps->t->extends)
                return perr(ps, line, "second {%% extends %%} (first at line %d)",
                            ps->t->extends_line);
            if (ps->depth != 1)
                return perr(ps, line, "{%% extends %%} must be at the top level");
            ps->t->extends = name;
            ps->t->extends_line = line;
            expect_end(ps);
            return NULL;
        }
        struct node *n = new_node(ps, N_INCLUDE, tag);
        if (!n)
            return NULL;
        n->text = name;
        if (is_kw(ps, "ignore")) {
            next(ps);
            if (!is_kw(ps, "missing"))
                return unexpected(ps, "'missing' after 'ignore'");
            next(ps);
            n->ignore_missing = true;
        }
        return expect_end(ps) ? n : NULL;
    }
    static const char *const ends[] = {"endif", "elif", "else", "endfor", "endblock", "endraw"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (is_kw(ps, ends[i]))
            return perr(ps, line, "unexpected {%% %s %%}", ends[i]);
    return perr(ps, line, "unknown statement '%.*s'", (int)ps->tok.n, ps->tok.p);
}

static bool autoescape_for(const char *name)
{
    static const char *const exts[] = {".html", ".htm", ".xml", ".xhtml", ".svg"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n >= e && !strcmp(name + n - e, exts[i]))
            return true;
    }
    return false;
}

static void tpl_free(struct tpl *t)
{
    if (t) {
        eddy_arena_free(&t->arena);
        free(t->src);
        free(t->name);
        free(t);
    }
}

/* Compiles src (copied) as `name`; NULL with ts->err set on failure. */
static struct tpl *compile(struct eddy_templates *ts, const char *name, const char *src, size_t len)
{
    struct tpl *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name)) || !(t->src = malloc(len + 1))) {
        tpl_free(t);
        snprintf(ts->err, sizeof ts->err, "%s: out of memory", name);
        return NULL;
    }
    /* Jinja's default (keep_trailing_newline=False): a file's final newline
     * is not output, so an include of "<li>..</li>\n" adds no blank line. */
    if (len && src[len - 1] == '\n')
        len -= 1 + (len > 1 && src[len - 2] == '\r');
    memcpy(t->src, src, len);
    t->src[len] = 0;
    t->autoescape = autoescape_for(name);
    struct parser ps = {
        .ts = ts, .t = t, .p = t->src, .end = t->src + len, .lpos = t->src, .lline = 1};
    t->body = parse_body(&ps, NULL, NULL, NULL, 1);
    if (ps.failed) {
        tpl_free(t);
        return NULL;
    }
    return t;
}

/* ------------------------------------------------------------------ */
/* The set: loading and caching                                        */

struct eddy_templates *eddy_templates_new(const char *dir)
{
    struct eddy_templates *ts = calloc(1, sizeof *ts);
    if (ts && dir && (!(ts->dir = strdup(dir)) || !(ts->path = malloc(strlen(dir) + 1026)))) {
        free(ts->dir);
        free(ts);
        return NULL;
    }
    if (ts)
        ts->max_steps = 10000000;
    return ts;
}

int eddy_templates_set_function(struct eddy_templates *ts, const char *name, eddy_template_fn *fn,
                                void *data)
{
    struct func *f = ts->funcs;
    while (f && strcmp(f->name, name))
        f = f->next;
    if (!f) {
        if (!(f = calloc(1, sizeof *f)) || !(f->name = strdup(name))) {
            free(f);
            return -ENOMEM;
        }
        f->next = ts->funcs;
        ts->funcs = f;
    }
    f->fn = fn;
    f->data = data;
    return 0;
}

void eddy_templates_free(struct eddy_templates *ts)
{
    if (!ts)
        return;
    for (struct func *f = ts->funcs, *next; f; f = next) {
        next = f->next;
        free(f->name);
        free(f);
    }
    for (struct tpl *t = ts->list, *next; t; t = next) {
        next = t->next;
        tpl_free(t);
    }
    free(ts->dir);
    free(ts->path);
    free(ts);
}

const char *eddy_templates_error(const struct eddy_templates *ts)
{
    return ts->err;
}

void eddy_templates_set_max_steps(struct eddy_templates *ts, unsigned long steps)
{
    ts->max_steps = steps;
}

/* Puts t in the set in place of any template of the same name. */
static void replace(struct eddy_templates *ts, struct tpl *t)
{
    for (struct tpl **pp = &ts->list; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, t->name)) {
            struct tpl *old = *pp;
            t->next = old->next;
            *pp = t;
            tpl_free(old);
            return;
        }
    t->next = ts->list;
    ts->list = t;
}

int eddy_templates_add(struct eddy_templates *ts, const char *name, const char *src, size_t len)
{
    ts->err[0] = 0;
    struct tpl *t = compile(ts, name, src, len);
    if (!t)
        return strstr(ts->err, "out of memory") ? -ENOMEM : -EINVAL;
    t->in_memory = true;
    replace(ts, t);
    return 0;
}

/* A name is a relative path without "." or ".." segments. */
static bool valid_name(const char *name)
{
    if (!*name || *name == '/' || strlen(name) > 1024)
        return false;
    for (const char *s = name; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        s += n + (s[n] == '/');
        if (s[-1] == '/' && !*s)
            return false;
    }
    return true;
}

/* Finds template `name`, loading or reloading it from disk when needed.
 * -ENOENT if there is none (ts->err not set), -EINVAL (compile error,
 * ts->err set), other -errno. */
static int get_tpl(struct eddy_templates *ts, const char *name, struct tpl **out)
{
    struct tpl *t = ts->list;
    while (t && strcmp(t->name, name))
        t = t->next;
    if (t && (t->in_memory || t->checked == ts->gen)) {
        *out = t;
        return 0;
    }
    if (!ts->dir || !valid_name(name))
        return -ENOENT;
    char *path = ts->path; /* valid_name(): at most 1024 bytes */
    sprintf(path, "%s/%s", ts->dir, name);
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return -ENOENT;
    if (t && t->size == st.st_size && t->ino == st.st_ino && t->mtime.tv_sec == st.st_mtim.tv_sec &&
        t->mtime.tv_nsec == st.st_mtim.tv_nsec) {
        t->checked = ts->gen;
        *out = t;
        return 0;
    }
    if (st.st_size > MAX_FILE) {
        snprintf(ts->err, sizeof ts->err, "%s: larger than %u bytes", name, MAX_FILE);
        return -EFBIG;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -ENOENT;
    char *src = malloc((size_t)st.st_size + 1);
    size_t len = 0;
    ssize_t n = 0;
    while (src && len < (size_t)st.st_size &&
           ((n = read(fd, src + len, (size_t)st.st_size - len)) > 0 || (n < 0 && errno == EINTR)))
        len += n > 0 ? (size_t)n : 0;
    int rerrno = errno;
    close(fd);
    if (!src || n < 0) {
        free(src);
        snprintf(ts->err, sizeof ts->err, "%s: %s", name, src ? strerror(rerrno) : "out of memory");
        return src ? -rerrno : -ENOMEM;
    }
    struct tpl *nt = compile(ts, name, src, len);
    free(src);
    if (!nt)
        return -EINVAL;
    nt->mtime = st.st_mtim;
    nt->size = st.st_size;
    nt->ino = st.st_ino;
    nt->checked = ts->gen;
    replace(ts, nt);
    *out = nt;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

struct local {
    const char *name; /* NUL-terminated */
    struct val v;
};

struct render {
    struct eddy_templates *ts;
    struct eddy_buf *out;
    struct val ctx;         /* the variables: an object, or undefined */
    struct eddy_arena tmp;  /* temporaries: strings made by filters */
    struct eddy_arena keep; /* values of {% set %}: live until the render ends */
    struct local locals[MAX_LOCALS];
    size_t nlocals;
    struct tpl *inuse[MAX_INUSE]; /* every template being rendered */
    size_t ninuse;
    struct tpl *const *chain; /* extends chain of the current render_template */
    size_t nchain;
    const struct tpl *cur; /* template of the running node: messages, autoescape */
    int line;              /* line of the running node */
    unsigned long steps;   /* nodes executed */
    int depth;             /* render_body nesting, bounded by MAX_DEPTH */
    const char *block;     /* block being rendered, for super() */
    size_t block_level;    /* its index in chain */
    bool msg;              /* an error message is set */
};

__attribute__((format(printf, 3, 4))) static int rerr(struct render *r, int code, const char *fmt,
                                                      ...)
{
    if (!r->msg) {
        va_list ap;
        va_start(ap, fmt);
        set_err(r->ts, r->cur->name, r->line, fmt, ap);
        va_end(ap);
        r->msg = true;
    }
    return code;
}

static struct val from_data(struct eddy_tdata d)
{
    size_t n;
    const char *p;
    switch (d.ops ? d.ops->type(&d) : EDDY_TDATA_UNDEFINED) {
    case EDDY_TDATA_STRING: p = d.ops->str(&d, &n); return (struct val){.k = V_STR, .u.s = {p, n}};
    case EDDY_TDATA_INT: return (struct val){.k = V_INT, .u.i = d.ops->integer(&d)};
    case EDDY_TDATA_REAL: return (struct val){.k = V_REAL, .u.d = d.ops->real(&d)};
    case EDDY_TDATA_BOOL: return (struct val){.k = V_BOOL, .u.b = d.ops->integer(&d) != 0};
    case EDDY_TDATA_ARRAY: return (struct val){.k = V_DATA, .arr = true, .u.data = d};
    case EDDY_TDATA_OBJECT: return (struct val){.k = V_DATA, .u.data = d};
    case EDDY_TDATA_NULL: return (struct val){.k = V_NULL};
    default: return (struct val){.k = V_UNDEF};
    }
}

static bool is_array(const struct val *v)
{
    return v->k == V_DATA && v->arr;
}

static bool is_object(const struct val *v)
{
    return v->k == V_DATA && !v->arr;
}

/* Elements of an array or members of an object; 0 for anything else. */
static size_t data_len(const struct val *v)
{
    return v->k == V_DATA ? v->u.data.ops->len(&v->u.data) : 0;
}

static struct val data_at(const struct val *v, size_t i)
{
    return i < data_len(v) ? from_data(v->u.data.ops->at(&v->u.data, i))
                           : (struct val){.k = V_UNDEF};
}

/* The interface promises a NUL-terminated key: a slice of a longer string
 * (a filter's result) is copied. */
static struct val data_get(const struct val *v, const char *key, size_t n)
{
    if (!is_object(v))
        return (struct val){.k = V_UNDEF};
    if (!key[n])
        return from_data(v->u.data.ops->get(&v->u.data, key, n));
    char small[256], *copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy)
        return (struct val){.k = V_UNDEF};
    memcpy(copy, key, n);
    copy[n] = 0;
    struct val r = from_data(v->u.data.ops->get(&v->u.data, copy, n));
    if (copy != small)
        free(copy);
    return r;
}

static bool truthy(const struct val *v)
{
    switch (v->k) {
    case V_BOOL: return v->u.b;
    case V_INT: return v->u.i != 0;
    case V_REAL: return v->u.d != 0;
    case V_STR: return v->u.s.n != 0;
    case V_DATA: return data_len(v) != 0;
    case V_LOOP: return true;
    default: return false;
    }
}

static struct val str_val(const char *p, size_t n, bool safe)
{
    return (struct val){.k = V_STR, .safe = safe, .u.s = {p, n}};
}

/* Python's repr of a float: the shortest form that reads back, ".0" added. */
static void fmt_real(char *buf, size_t cap, double d)
{
    if (!isfinite(d)) {
        snprintf(buf, cap, "%s", isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (!strpbrk(buf, ".e"))
        strncat(buf, ".0", cap - strlen(buf) - 1);
}

/* The text of a value.  Scalars are formatted into tmp (32 bytes), which
 * must outlive the result; arrays and objects become JSON in the arena. */
static int text_of(struct render *r, const struct val *v, char *tmp, const char **p, size_t *n)
{
    *p = tmp;
    switch (v->k) {
    case V_STR:
        *p = v->u.s.p;
        *n = v->u.s.n;
        return 0;
    case V_INT: *n = (size_t)snprintf(tmp, 32, "%" JSON_INTEGER_FORMAT, v->u.i); return 0;
    case V_REAL:
        fmt_real(tmp, 32, v->u.d);
        *n = strlen(tmp);
        return 0;
    case V_BOOL:
        *p = v->u.b ? "True" : "False"; /* as Jinja */
        *n = strlen(*p);
        return 0;
    case V_DATA: {
        struct eddy_buf b = EDDY_BUF_INIT(0);
        int err = eddy__tdata_write_json(&b, v->u.data, EDDY__JSON_COMPACT);
        *n = b.len;
        *p = err ? NULL : eddy_arena_strndup(&r->tmp, eddy_buf_cstr(&b), b.len);
        eddy_buf_free(&b);
        return err ? err : *p ? 0 : -ENOMEM;
    }
    default:
        *p = "";
        *n = 0;
        return 0;
    }
}

/* The text of a value, in the arena if it had to be made. */
static int text_dup(struct render *r, const struct val *v, const char **p, size_t *n)
{
    char tmp[32];
    int err = text_of(r, v, tmp, p, n);
    if (!err && *p == tmp && !(*p = eddy_arena_strndup(&r->tmp, tmp, *n)))
        err = -ENOMEM;
    return err;
}

static const char *entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&#34;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

static int append_escaped(struct eddy_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ent = entity((unsigned char)s[i]);
        if (!ent) {
            run++;
            continue;
        }
        int err = eddy_buf_append(out, s + i - run, run);
        if (err || (err = eddy_buf_puts(out, ent)))
            return err;
        run = 0;
    }
    return eddy_buf_append(out, s + n - run, run);
}

static int emit(struct render *r, const struct val *v)
{
    char tmp[32];
    const char *p;
    size_t n;
    int err = text_of(r, v, tmp, &p, &n);
    if (err)
        return err;
    if (r->cur->autoescape && !v->safe)
        return append_escaped(r->out, p, n);
    return eddy_buf_append(r->out, p, n);
}

static int eval(struct render *r, const struct expr *e, struct val *v);
static int render_body(struct render *r, const struct node *n);

static bool num_of(const struct val *v, bool *isint, json_int_t *i, double *d)
{
    *isint = v->k == V_INT;
    *i = v->k == V_INT ? v->u.i : 0;
    *d = v->k == V_INT ? (double)v->u.i : v->u.d;
    return v->k == V_INT || v->k == V_REAL;
}

/* <0, 0, >0; *ok false when the two cannot be ordered. */
static int compare(const struct val *a, const struct val *b, bool *ok)
{
    bool ia, ib;
    json_int_t xa, xb;
    double da, db;
    *ok = true;
    if (num_of(a, &ia, &xa, &da) && num_of(b, &ib, &xb, &db)) {
        if (ia && ib)
            return (xa > xb) - (xa < xb);
        return (da > db) - (da < db);
    }
    if (a->k == V_STR && b->k == V_STR) {
        size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
        int c = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;
        return c ? c : (a->u.s.n > b->u.s.n) - (a->u.s.n < b->u.s.n);
    }
    *ok = false;
    return 0;
}

static bool equal(const struct val *a, const struct val *b);

/* Arrays and objects compare by content, whatever implements them. */
static bool data_equal(const struct val *a, const struct val *b)
{
    size_t n = data_len(a);
    if (a->arr != b->arr || n != data_len(b))
        return false;
    if (a->arr) {
        for (size_t i = 0; i < n; i++) {
            struct val x = data_at(a, i), y = data_at(b, i);
            if (!equal(&x, &y))
                return false;
        }
        return true;
    }
    const char *key;
    size_t klen;
    struct eddy_tdata d;
    for (const void *it = NULL; a->u.data.ops->next(&a->u.data, &it, &key, &klen, &d);) {
        struct val x = from_data(d), y = data_get(b, key, klen);
        if (y.k == V_UNDEF || !equal(&x, &y))
            return false;
    }
    return true;
}

static bool equal(const struct val *a, const struct val *b)
{
    bool ok;
    int c = compare(a, b, &ok);
    if (ok)
        return c == 0;
    if (a->k != b->k)
        return false;
    switch (a->k) {
    case V_BOOL: return a->u.b == b->u.b;
    case V_DATA: return data_equal(a, b);
    case V_LOOP: return a->u.loop == b->u.loop;
    default: /* undefined, null */ return true;
    }
}

static bool contains(const struct val *needle, const struct val *hay)
{
    if (hay->k == V_STR && needle->k == V_STR)
        return memmem(hay->u.s.p, hay->u.s.n, needle->u.s.p, needle->u.s.n) != NULL ||
               needle->u.s.n == 0;
    if (is_object(hay))
        return needle->k == V_STR && data_get(hay, needle->u.s.p, needle->u.s.n).k != V_UNDEF;
    for (size_t i = 0, n = data_len(hay); i < n; i++) {
        struct val x = data_at(hay, i);
        if (equal(&x, needle))
            return true;
    }
    return false;
}

/* a ~ b: concatenation.  With autoescaping, a safe side makes the result
 * safe and the other side is escaped (Jinja's Markup rule). */
static int concat(struct render *r, const struct val *a, const struct val *b, struct val *v)
{
    const char *pa, *pb;
    size_t na, nb;
    int err = text_dup(r, a, &pa, &na);
    if (err || (err = text_dup(r, b, &pb, &nb)))
        return err;
    bool safe = r->cur->autoescape && (a->safe || b->safe);
    struct eddy_buf buf = EDDY_BUF_INIT(0);
    if (safe && !a->safe)
        err = append_escaped(&buf, pa, na);
    else
        err = eddy_buf_append(&buf, pa, na);
    if (!err)
        err = safe && !b->safe ? append_escaped(&buf, pb, nb) : eddy_buf_append(&buf, pb, nb);
    const char *s = err ? NULL : eddy_arena_strndup(&r->tmp, eddy_buf_cstr(&buf), buf.len);
    *v = str_val(s, buf.len, safe);
    eddy_buf_free(&buf);
    return err ? err : s ? 0 : -ENOMEM;
}

static int arith(struct render *r, int op, const struct val *a, const struct val *b, struct val *v)
{
    bool ia, ib;
    json_int_t x, y, z = 0;
    double dx, dy;
    if (op == '~' || (op == '+' && a->k == V_STR && b->k == V_STR))
        return concat(r, a, b, v);
    *v = (struct val){.k = V_UNDEF};
    if (!num_of(a, &ia, &x, &dx) || !num_of(b, &ib, &y, &dy))
        return 0; /* a type error gives undefined: see template.h */
    if ((op == '/' || op == '%') && (ib ? y == 0 : dy == 0))
        return rerr(r, -EDOM, "division by zero");
    if (ia && ib && op != '/') {
        bool over = op == '+'   ? __builtin_add_overflow(x, y, &z)
                    : op == '-' ? __builtin_sub_overflow(x, y, &z)
                    : op == '*' ? __builtin_mul_overflow(x, y, &z)
                                : false;
        if (op == '%') { /* Python's sign: the result has the divisor's sign */
            z = y == -1 ? 0 : x % y;
            if (z != 0 && (z < 0) != (y < 0))
                z += y;
        }
        if (!over) {
            *v = (struct val){.k = V_INT, .u.i = z};
            return 0;
        }
    }
    double d = op == '+'   ? dx + dy
               : op == '-' ? dx - dy
               : op == '*' ? dx * dy
               : op == '/' ? dx / dy
                           : fmod(dx, dy);
    if (op == '%' && d != 0 && (d < 0) != (dy < 0))
        d += dy;
    *v = (struct val){.k = V_REAL, .u.d = d};
    return 0;
}

static int render_block(struct render *r, const char *name, size_t from);
static int eval(struct render *r, const struct expr *e, struct val *v);

/* super(): the parent's version of the block being rendered, as safe text. */
static int eval_super(struct render *r, struct val *v)
{
    if (!r->block)
        return rerr(r, -EINVAL, "super() outside a block");
    struct eddy_buf buf = EDDY_BUF_INIT(r->out->max), *saved = r->out;
    r->out = &buf;
    int err = render_block(r, r->block, r->block_level + 1);
    r->out = saved;
    const char *s = err ? NULL : eddy_arena_strndup(&r->tmp, eddy_buf_cstr(&buf), buf.len);
    *v = str_val(s, buf.len, true);
    eddy_buf_free(&buf);
    return err ? err : s ? 0 : -ENOMEM;
}

/* name(...): the function's text output, as an unsafe string. */
static int eval_call(struct render *r, const struct expr *e, struct val *v)
{
    const struct func *f = r->ts->funcs;
    while (f && strcmp(f->name, e->name))
        f = f->next;
    if (!f || !f->fn)
        return rerr(r, -EINVAL, "unknown function '%s'", e->name);
    const char **pos = eddy_arena_alloc(&r->tmp, (3 * MAX_CALL + 2) * sizeof *pos),
               **kw = pos + MAX_CALL + 1;
    size_t np = 0, nk = 0;
    if (!pos)
        return -ENOMEM;
    for (size_t i = 0; i < e->nargs; i++) {
        struct val a;
        const char *p, *s;
        size_t n;
        int err = eval(r, e->argv[i], &a);
        if (err || (err = text_dup(r, &a, &p, &n)))
            return err;
        if (!(s = eddy_arena_strndup(&r->tmp, p, n)))
            return -ENOMEM;
        if (e->kw[i])
            kw[nk++] = e->kw[i], kw[nk++] = s;
        else
            pos[np++] = s;
    }
    pos[np] = kw[nk] = NULL;
    struct eddy_buf buf = EDDY_BUF_INIT(r->out->max);
    int err = f->fn(f->data, pos, np, kw, &buf);
    const char *s = err ? NULL : eddy_arena_strndup(&r->tmp, eddy_buf_cstr(&buf), buf.len);
    *v = str_val(s, buf.len, false);
    eddy_buf_free(&buf);
    if (err)
        return rerr(r, err < 0 ? err : -EINVAL, "%s(): %s", e->name,
                    strerror(err < 0 ? -err : EINVAL));
    return s ? 0 : -ENOMEM;
}

static struct val lookup(const struct render *r, const char *name, size_t len)
{
    for (size_t i = r->nlocals; i-- > 0;)
        if (!strcmp(r->locals[i].name, name))
            return r->locals[i].v;
    return data_get(&r->ctx, name, len);
}

static struct val attr(const struct val *o, const char *name, size_t len)
{
    if (is_object(o))
        return data_get(o, name, len);
    if (o->k == V_LOOP) {
        const struct loopstate *l = o->u.loop;
        static const char *const names[] = {"index", "index0", "revindex", "revindex0",
                                            "first", "last",   "length"};
        json_int_t vals[] = {
            l->index0 + 1, l->index0, l->length - l->index0, l->length - l->index0 - 1, 0, 0,
            l->length};
        for (int i = 0; i < 7; i++)
            if (!strcmp(name, names[i]))
                return i == 4 || i == 5 ? (struct val){.k = V_BOOL,
                                                       .u.b = i == 4 ? l->index0 == 0
                                                                     : l->index0 == l->length - 1}
                                        : (struct val){.k = V_INT, .u.i = vals[i]};
    }
    if (is_array(o) && is_digit(*name)) /* a.0 */
        return data_at(o, strtoul(name, NULL, 10));
    return (struct val){.k = V_UNDEF};
}

static struct val index_of(const struct val *o, const struct val *key)
{
    if (is_object(o) && key->k == V_STR)
        return data_get(o, key->u.s.p, key->u.s.n);
    if (is_array(o) && key->k == V_INT) {
        json_int_t n = (json_int_t)data_len(o), i = key->u.i;
        if (i < 0 && i >= -n)
            i += n;
        return i >= 0 && i < n ? data_at(o, (size_t)i) : (struct val){.k = V_UNDEF};
    }
    if (o->k == V_LOOP && key->k == V_STR) {
        char name[16];
        if (key->u.s.n < sizeof name) {
            memcpy(name, key->u.s.p, key->u.s.n);
            name[key->u.s.n] = 0;
            return attr(o, name, key->u.s.n);
        }
    }
    return (struct val){.k = V_UNDEF};
}

/* One switch over the expression kinds, each case a few lines: split,
 * it would only scatter the dispatch (as the byte code loops of interpreters
 * keep theirs). */
static int eval(struct render *r, const struct expr *e, struct val *v)
{
    struct val a, b, args[MAX_ARGS];
    int err;
    switch (e->k) {
    case E_LIT: *v = e->lit; return 0;
    case E_VAR: *v = lookup(r, e->name, e->len); return 0;
    case E_SUPER: return eval_super(r, v);
    case E_CALL: return eval_call(r, e, v);
    case E_COND:
        if ((err = eval(r, e->args[0], &a)))
            return err;
        if (truthy(&a))
            return eval(r, e->a, v);
        *v = (struct val){.k = V_UNDEF};
        return e->b ? eval(r, e->b, v) : 0;
    }
    if ((err = eval(r, e->a, &a)))
        return err;
    switch (e->k) {
    case E_ATTR: *v = attr(&a, e->name, e->len); return 0;
    case E_NOT: *v = (struct val){.k = V_BOOL, .u.b = !truthy(&a)}; return 0;
    case E_NEG:
        if (a.k == V_INT && a.u.i != INT64_MIN)
            *v = (struct val){.k = V_INT, .u.i = -a.u.i};
        else if (a.k == V_INT || a.k == V_REAL)
            *v = (struct val){.k = V_REAL, .u.d = a.k == V_INT ? -(double)a.u.i : -a.u.d};
        else
            *v = (struct val){.k = V_UNDEF};
        return 0;
    case E_AND:
    case E_OR:
        if (truthy(&a) == (e->k == E_OR)) {
            *v = a;
            return 0;
        }
        return eval(r, e->b, v);
    case E_TEST: {
        bool t = false;
        switch (e->op) {
        case T_DEFINED: t = a.k != V_UNDEF; break;
        case T_UNDEFINED: t = a.k == V_UNDEF; break;
        case T_NONE: t = a.k == V_NULL; break;
        case T_ODD: t = a.k == V_INT && (a.u.i & 1); break;
        case T_EVEN: t = a.k == V_INT && !(a.u.i & 1); break;
        case T_STRING: t = a.k == V_STR; break;
        case T_NUMBER: t = a.k == V_INT || a.k == V_REAL; break;
        }
        *v = (struct val){.k = V_BOOL, .u.b = t != e->negate};
        return 0;
    }
    case E_FILTER:
        for (int i = 0; i < e->nargs; i++)
            if ((err = eval(r, e->args[i], &args[i])))
                return err;
        *v = a;
        return e->f->fn(r, v, args, e->nargs);
    }
    if ((err = eval(r, e->b, &b)))
        return err;
    if (e->k == E_INDEX) {
        *v = index_of(&a, &b);
        return 0;
    }
    /* E_BIN */
    bool ok = false, t;
    switch (e->op) {
    case OP_EQ: t = equal(&a, &b); break;
    case OP_NE: t = !equal(&a, &b); break;
    case OP_IN: t = contains(&a, &b); break;
    case OP_NOTIN: t = !contains(&a, &b); break;
    case '<': t = compare(&a, &b, &ok) < 0 && ok; break;
    case '>': t = compare(&a, &b, &ok) > 0 && ok; break;
    case OP_LE: t = compare(&a, &b, &ok) <= 0 && ok; break;
    case OP_GE: t = compare(&a, &b, &ok) >= 0 && ok; break;
    default: return arith(r, e->op, &a, &b, v);
    }
    *v = (struct val){.k = V_BOOL, .u.b = t};
    return 0;
}

/* ------------------------------------------------------------------ */
/* Filters                                                             */

static int f_safe(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    const char *p;
    size_t n;
    int err = text_dup(r, v, &p, &n);
    *v = str_val(p, n, true);
    return err;
}

static int f_escape(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    const char *p;
    size_t n;
    if (v->k == V_STR && v->safe)
        return 0;
    int err = text_dup(r, v, &p, &n);
    if (err)
        return err;
    size_t len = n;
    for (size_t i = 0; i < n; i++)
        if (entity((unsigned char)p[i]))
            len += strlen(entity((unsigned char)p[i])) - 1;
    char *s = eddy_arena_alloc(&r->tmp, len + 1), *w = s;
    if (!s)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *ent = entity((unsigned char)p[i]);
        if (ent)
            w = stpcpy(w, ent);
        else
            *w++ = p[i];
    }
    *v = str_val(s, len, true);
    return 0;
}

static int change_case(struct render *r, struct val *v, bool up)
{
    const char *p;
    size_t n;
    bool safe = v->safe;
    int err = text_dup(r, v, &p, &n);
    char *s = err ? NULL : eddy_arena_strndup(&r->tmp, p, n);
    if (!s)
        return err ? err : -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (up ? (s[i] >= 'a' && s[i] <= 'z') : (s[i] >= 'A' && s[i] <= 'Z'))
            s[i] ^= 0x20;
    *v = str_val(s, n, safe);
    return 0;
}
static int f_upper(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    return change_case(r, v, true);
}
static int f_lower(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    return change_case(r, v, false);
}

static int f_default(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)r;
    if (v->k == V_UNDEF || v->k == V_NULL || (na > 1 && truthy(&a[1]) && !truthy(v)))
        *v = a[0];
    return 0;
}

static size_t utf8_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of character number k (or n). */
static size_t utf8_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    for (size_t c = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && c++ == k)
            break;
    return i;
}

static int f_length(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)r, (void)a, (void)na;
    json_int_t n = 0;
    if (v->k == V_STR)
        n = (json_int_t)utf8_count(v->u.s.p, v->u.s.n);
    else if (v->k == V_DATA)
        n = (json_int_t)data_len(v);
    *v = (struct val){.k = V_INT, .u.i = n};
    return 0;
}

/* Jinja's truncate(length=255, killwords=False, end='...', leeway=5). */
static int f_truncate(struct render *r, struct val *v, const struct val *a, int na)
{
    json_int_t length = na > 0 && a[0].k == V_INT ? a[0].u.i : 255;
    bool killwords = na > 1 && truthy(&a[1]);
    const char *end = "...", *p;
    size_t endn = 3, n;
    json_int_t leeway = na > 3 && a[3].k == V_INT ? a[3].u.i : 5;
    if (na > 2 && a[2].k == V_STR)
        end = a[2].u.s.p, endn = a[2].u.s.n;
    bool safe = v->safe;
    int err = text_dup(r, v, &p, &n);
    if (err)
        return err;
    size_t chars = utf8_count(p, n), endc = utf8_count(end, endn);
    if (length < 0)
        length = 0;
    if (leeway < 0)
        leeway = 0;
    if ((json_int_t)chars <= length || (json_int_t)chars - length <= leeway) {
        *v = str_val(p, n, safe);
        return 0;
    }
    size_t keep = (size_t)length > endc ? (size_t)length - endc : 0;
    size_t cut = utf8_offset(p, n, keep);
    if (!killwords) {
        const char *sp = NULL;
        for (size_t i = cut; i-- > 0;)
            if (p[i] == ' ') {
                sp = p + i;
                break;
            }
        if (sp)
            cut = (size_t)(sp - p);
    }
    char *s = eddy_arena_alloc(&r->tmp, cut + endn + 1);
    if (!s)
        return -ENOMEM;
    memcpy(s, p, cut);
    memcpy(s + cut, end, endn);
    s[cut + endn] = 0;
    *v = str_val(s, cut + endn, safe);
    return 0;
}

static int digits(const char **p, const char *e, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (*p == e || !is_digit(**p))
            return -1;
        *out = *out * 10 + (**p - '0');
    }
    return 0;
}

/* YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|(+|-)HH[:]MM] as a unix time. */
static bool parse_iso(const char *p, size_t n, time_t *t)
{
    const char *e = p + n;
    int y, mo, d, h = 0, mi = 0, s = 0, oh = 0, om = 0, sign = 0;
    if (digits(&p, e, 4, &y) || p == e || *p++ != '-' || digits(&p, e, 2, &mo) || p == e ||
        *p++ != '-' || digits(&p, e, 2, &d))
        return false;
    if (p < e && (*p == 'T' || *p == 't' || *p == ' ')) {
        p++;
        if (digits(&p, e, 2, &h) || p == e || *p++ != ':' || digits(&p, e, 2, &mi))
            return false;
        if (p < e && *p == ':' && (p++, digits(&p, e, 2, &s)))
            return false;
        if (p < e && (*p == '.' || *p == ','))
            for (p++; p < e && is_digit(*p); p++)
                ;
        if (p < e && (*p == 'Z' || *p == 'z'))
            p++;
        else if (p < e && (*p == '+' || *p == '-')) {
            sign = *p++ == '-' ? -1 : 1;
            if (digits(&p, e, 2, &oh))
                return false;
            if (p < e && *p == ':')
                p++;
            if (digits(&p, e, 2, &om))
                return false;
        }
    }
    if (p != e || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || oh > 23 ||
        om > 59)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    *t = timegm(&tm) - sign * (oh * 3600 + om * 60);
    return true;
}

/* feedparser's *_parsed dates: [year, mon, mday, hour, min, sec, ...] in UTC. */
static bool tuple_time(const struct val *v, time_t *t)
{
    int64_t f[6];
    if (!is_array(v) || data_len(v) < 6)
        return false;
    for (size_t i = 0; i < 6; i++) {
        struct val x = data_at(v, i);
        if (x.k != V_INT || x.u.i < 0 || x.u.i > 100000)
            return false;
        f[i] = x.u.i;
    }
    struct tm tm = {.tm_year = (int)f[0] - 1900,
                    .tm_mon = (int)f[1] - 1,
                    .tm_mday = (int)f[2],
                    .tm_hour = (int)f[3],
                    .tm_min = (int)f[4],
                    .tm_sec = (int)f[5]};
    *t = timegm(&tm);
    return true;
}

static int f_date(struct render *r, struct val *v, const struct val *a, int na)
{
    time_t t;
    if (v->k == V_INT && v->u.i > -1e13 && v->u.i < 1e13)
        t = (time_t)v->u.i;
    else if (v->k == V_REAL && v->u.d > -1e13 && v->u.d < 1e13)
        t = (time_t)v->u.d;
    else if (!(v->k == V_STR && parse_iso(v->u.s.p, v->u.s.n, &t)) && !tuple_time(v, &t))
        return 0; /* not a date: shown as it is */
    char fmt[128] = "%Y-%m-%d %H:%M", out[256];
    if (na > 0 && a[0].k == V_STR && a[0].u.s.n < sizeof fmt) {
        memcpy(fmt, a[0].u.s.p, a[0].u.s.n);
        fmt[a[0].u.s.n] = 0;
        if (!strcmp(fmt, "iso"))
            strcpy(fmt, "%Y-%m-%dT%H:%M:%SZ");
    }
    struct tm tm;
    size_t n = gmtime_r(&t, &tm) && fmt[0] ? strftime(out, sizeof out, fmt, &tm) : 0;
    const char *s = eddy_arena_strndup(&r->tmp, out, n);
    *v = str_val(s, n, false);
    return s ? 0 : -ENOMEM;
}

static int f_urlencode(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    const char *p;
    size_t n;
    int err = text_dup(r, v, &p, &n);
    char *s = err ? NULL : eddy_arena_alloc(&r->tmp, 3 * n + 1), *w = s;
    if (!s)
        return err ? err : -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || strchr("-._~/", c))
            *w++ = (char)c;
        else
            w += sprintf(w, "%%%02X", c);
    }
    *w = 0;
    *v = str_val(s, (size_t)(w - s), false);
    return 0;
}

/* Decodes the entities a feed summary commonly holds; others stay. */
static size_t decode_entity(const char *p, size_t n, char *out)
{
    static const struct {
        const char *name, *utf8;
    } ents[] = {{"amp;", "&"},
                {"lt;", "<"},
                {"gt;", ">"},
                {"quot;", "\""},
                {"apos;", "'"},
                {"nbsp;", "\xC2\xA0"},
                {"hellip;", "\xE2\x80\xA6"},
                {"mdash;", "\xE2\x80\x94"},
                {"ndash;", "\xE2\x80\x93"},
                {"rsquo;", "\xE2\x80\x99"},
                {"lsquo;", "\xE2\x80\x98"},
                {"ldquo;", "\xE2\x80\x9C"},
                {"rdquo;", "\xE2\x80\x9D"}};
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
        size_t l = strlen(ents[i].name);
        if (n > l && !memcmp(p + 1, ents[i].name, l)) {
            strcpy(out, ents[i].utf8);
            return l + 1;
        }
    }
    if (n < 4 || p[1] != '#')
        return 0;
    bool hex = p[2] == 'x' || p[2] == 'X';
    size_t i = hex ? 3 : 2;
    unsigned long c = 0;
    for (; i < n && i < 12 && (is_digit(p[i]) || (hex && strchr("abcdefABCDEF", p[i]))); i++)
        c = c * (hex ? 16 : 10) +
            (is_digit(p[i]) ? (unsigned)(p[i] - '0') : (unsigned)((p[i] | 0x20) - 'a' + 10));
    if (i >= n || p[i] != ';' || i == (hex ? 3u : 2u))
        return 0;
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = 0xFFFD;
    out[eddy__utf8_encode((uint32_t)c, out)] = 0;
    return i + 1;
}

/* Jinja's striptags: drop comments and tags, collapse whitespace, decode
 * entities.  The result is plain text (escaped again on output). */
/* |url: the value when a browser would read it, in href or src, as an
 * http, https or mailto URL or as a relative one; else "".  Judged as the
 * browser reads an attribute: entities decoded (one it might read
 * differently, e.g. without ';', refuses), leading spaces and controls
 * dropped, tabs and newlines ignored anywhere, the scheme in any case. */
static bool url_allowed(const char *p, size_t n)
{
    char head[8];
    size_t k = 0;
    bool started = false;
    for (size_t i = 0; i < n;) {
        char dec[8] = {p[i], 0};
        size_t used = 1;
        if (p[i] == '&' && !(used = decode_entity(p + i, n - i, dec)))
            return false;
        i += used;
        for (const char *c = dec; *c; c++) {
            unsigned char ch = (unsigned char)*c;
            if ((!started && ch <= 0x20) || ch == '\t' || ch == '\n' || ch == '\r')
                continue;
            started = true;
            if (ch == '/' || ch == '?' || ch == '#')
                return true; /* relative: no scheme before the path */
            if (ch == ':') {
                head[k < sizeof head ? k : 0] = 0;
                return k < sizeof head &&
                       (!strcmp(head, "http") || !strcmp(head, "https") || !strcmp(head, "mailto"));
            }
            if (k < sizeof head)
                head[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            k++;
        }
    }
    return true; /* no ':' at all: a relative path */
}

static int f_url(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    const char *p;
    size_t n;
    bool safe = v->safe;
    int err = text_dup(r, v, &p, &n);
    if (err)
        return err;
    *v = url_allowed(p, n) ? str_val(p, n, safe) : str_val("", 0, false);
    return 0;
}

static int f_striptags(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    const char *p;
    size_t n;
    int err = text_dup(r, v, &p, &n);
    char *s = err ? NULL : eddy_arena_alloc(&r->tmp, n + 1), *w = s;
    if (!s)
        return err ? err : -ENOMEM;
    bool space = true; /* drop leading whitespace */
    for (size_t i = 0; i < n;) {
        const char *close = NULL;
        if (p[i] == '<' && n - i >= 4 && !memcmp(p + i, "<!--", 4)) {
            close = memmem(p + i + 4, n - i - 4, "-->", 3);
            if (close)
                close += 2;
        } else if (p[i] == '<')
            close = memchr(p + i + 1, '>', n - i - 1);
        if (close) {
            i = (size_t)(close - p) + 1;
            if (!space)
                *w++ = ' ', space = true;
            continue;
        }
        char ent[8];
        size_t used = p[i] == '&' ? decode_entity(p + i, n - i, ent) : 0;
        if (is_space(p[i])) {
            if (!space)
                *w++ = ' ', space = true;
            i++;
        } else if (used && strlen(ent) <= used) {
            w = stpcpy(w, ent);
            i += used;
            space = false;
        } else {
            *w++ = p[i++];
            space = false;
        }
    }
    if (w > s && w[-1] == ' ')
        w--;
    *w = 0;
    *v = str_val(s, (size_t)(w - s), false);
    return 0;
}

static int f_join(struct render *r, struct val *v, const struct val *a, int na)
{
    if (!is_array(v))
        return 0;
    const char *sep = "", *p;
    size_t sepn = 0, n;
    int err = na > 0 ? text_dup(r, &a[0], &sep, &sepn) : 0;
    struct eddy_buf buf = EDDY_BUF_INIT(0);
    for (size_t i = 0, len = data_len(v); !err && i < len; i++) {
        struct val x = data_at(v, i);
        char tmp[32];
        if (!(err = i ? eddy_buf_append(&buf, sep, sepn) : 0) &&
            !(err = text_of(r, &x, tmp, &p, &n)))
            err = eddy_buf_append(&buf, p, n);
    }
    const char *s = err ? NULL : eddy_arena_strndup(&r->tmp, eddy_buf_cstr(&buf), buf.len);
    *v = str_val(s, buf.len, false);
    eddy_buf_free(&buf);
    return err ? err : s ? 0 : -ENOMEM;
}

static int f_trim(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    const char *p;
    size_t n;
    bool safe = v->safe;
    int err = text_dup(r, v, &p, &n);
    if (err)
        return err;
    while (n && is_space(*p))
        p++, n--;
    while (n && is_space(p[n - 1]))
        n--;
    *v = str_val(p, n, safe);
    return 0;
}

/* JSON safe to put in HTML, <script> included: < > & ' as \u escapes. */
static int f_tojson(struct render *r, struct val *v, const struct val *a, int na)
{
    (void)a, (void)na;
    struct eddy_buf b = EDDY_BUF_INIT(0);
    int err;
    json_t *j;
    switch (v->k) {
    case V_STR: /* as jansson did: null if not UTF-8 */
        j = json_stringn(v->u.s.p, v->u.s.n);
        err = j ? eddy__tdata_write_string(&b, v->u.s.p, v->u.s.n) : eddy_buf_puts(&b, "null");
        json_decref(j);
        break;
    case V_INT: err = eddy_buf_printf(&b, "%" JSON_INTEGER_FORMAT, v->u.i); break;
    case V_REAL:
        err = isfinite(v->u.d) ? eddy__tdata_write_real(&b, v->u.d) : eddy_buf_puts(&b, "null");
        break;
    case V_BOOL: err = eddy_buf_puts(&b, v->u.b ? "true" : "false"); break;
    case V_DATA:
        err = eddy__tdata_write_json(&b, v->u.data, EDDY__JSON_SORT);
        break; /* Jinja's separators and key order */
    default: err = eddy_buf_puts(&b, "null"); break;
    }
    const char *s = eddy_buf_cstr(&b);
    if (err) {
        eddy_buf_free(&b);
        return err;
    }
    size_t n = strlen(s), len = n;
    for (size_t i = 0; i < n; i++)
        len += strchr("<>&'", s[i]) ? 5 : 0;
    char *o = eddy_arena_alloc(&r->tmp, len + 1), *w = o;
    for (size_t i = 0; o && i < n; i++)
        w += strchr("<>&'", s[i]) ? sprintf(w, "\\u%04x", (unsigned char)s[i]) : (*w = s[i], 1);
    eddy_buf_free(&b);
    if (!o)
        return -ENOMEM;
    *w = 0;
    *v = str_val(o, len, true);
    return 0;
}

static const struct filter filters[] = {
    {"default", f_default, 1, 2}, {"d", f_default, 1, 2},           {"date", f_date, 0, 1},
    {"e", f_escape, 0, 0},        {"escape", f_escape, 0, 0},       {"join", f_join, 0, 1},
    {"length", f_length, 0, 0},   {"count", f_length, 0, 0},        {"lower", f_lower, 0, 0},
    {"safe", f_safe, 0, 0},       {"striptags", f_striptags, 0, 0}, {"tojson", f_tojson, 0, 0},
    {"trim", f_trim, 0, 0},       {"truncate", f_truncate, 0, 4},   {"upper", f_upper, 0, 0},
    {"url", f_url, 0, 0},         {"urlencode", f_urlencode, 0, 0},
};

static const struct filter *find_filter(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        if (strlen(filters[i].name) == n && !memcmp(filters[i].name, name, n))
            return &filters[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

/* {% set name = v %}: a local until the end of the enclosing loop body or
 * template (Jinja's scoping); strings and loop states are copied to the
 * render's `keep` arena since temporaries are dropped after each node. */
static int set_local(struct render *r, const char *name, const struct val *v)
{
    if (r->nlocals == MAX_LOCALS)
        return rerr(r, -ELOOP, "too many variables");
    struct val c = *v;
    if (c.k == V_STR && !(c.u.s.p = eddy_arena_strndup(&r->keep, v->u.s.p, v->u.s.n)))
        return -ENOMEM;
    if (c.k == V_LOOP) {
        struct loopstate *l = eddy_arena_alloc(&r->keep, sizeof *l);
        if (!l)
            return -ENOMEM;
        *l = *v->u.loop;
        c.u.loop = l;
    }
    r->locals[r->nlocals++] = (struct local){name, c};
    return 0;
}

static int render_for(struct render *r, const struct node *n)
{
    struct val it;
    int err = eval(r, n->e, &it);
    if (err)
        return err;
    size_t count = data_len(&it);
    if (!count)
        return render_body(r, n->alt);
    size_t base = r->nlocals;
    if (base + 3 > MAX_LOCALS)
        return rerr(r, -ELOOP, "too many nested loops");
    struct loopstate ls = {0, (json_int_t)count};
    struct local *loop = &r->locals[base], *v1 = loop + 1, *v2 = loop + 2;
    *loop = (struct local){"loop", {.k = V_LOOP, .u.loop = &ls}};
    *v1 = (struct local){n->var1, {.k = V_UNDEF}};
    *v2 = (struct local){n->var2 ? n->var2 : "", {.k = V_UNDEF}};
    r->nlocals = base + 3;
    if (it.arr) {
        for (size_t i = 0; !err && i < count; i++) {
            if (++r->steps > r->ts->max_steps) {
                err = rerr(r, -ELOOP, "render budget of %lu steps exceeded", r->ts->max_steps);
                break;
            }
            ls.index0 = (json_int_t)i;
            r->nlocals = base + 3; /* forget the last iteration's {% set %} */
            v1->v = data_at(&it, i);
            if (n->var2) { /* for a, b in [[1, 2], ...]: unpack pairs */
                struct val pair = v1->v;
                v1->v = is_array(&pair) ? data_at(&pair, 0) : (struct val){.k = V_UNDEF};
                v2->v = is_array(&pair) ? data_at(&pair, 1) : (struct val){.k = V_UNDEF};
            }
            err = render_body(r, n->body);
        }
    } else {
        const char *key;
        size_t klen;
        struct eddy_tdata d;
        for (const void *iter = NULL;
             !err && it.u.data.ops->next(&it.u.data, &iter, &key, &klen, &d); ls.index0++) {
            if (++r->steps > r->ts->max_steps) {
                err = rerr(r, -ELOOP, "render budget of %lu steps exceeded", r->ts->max_steps);
                break;
            }
            v1->v = str_val(key, klen, false);
            v2->v = from_data(d);
            r->nlocals = base + 3;
            err = render_body(r, n->body);
        }
    }
    r->nlocals = base;
    return err;
}

static bool in_use(const struct render *r, const char *name)
{
    for (size_t i = 0; i < r->ninuse; i++)
        if (!strcmp(r->inuse[i]->name, name))
            return true;
    return false;
}

static int cycle(struct render *r, const char *name)
{
    char path[256] = "";
    for (size_t i = 0; i < r->ninuse; i++) {
        size_t l = strlen(path);
        snprintf(path + l, sizeof path - l, "%s -> ", r->inuse[i]->name);
    }
    return rerr(r, -ELOOP, "template cycle: %s%s", path, name);
}

/* Finds `name` for an include/extends of the running node. */
static int need(struct render *r, const char *name, const char *what, struct tpl **t)
{
    if (in_use(r, name))
        return cycle(r, name);
    int err = get_tpl(r->ts, name, t);
    if (err == -ENOENT)
        return rerr(r, err, "%s template \"%s\" not found", what, name);
    if (err)
        r->msg = true; /* compile error: its own file:line is more precise */
    return err;
}

/* Renders t through its extends chain. */
static int render_template(struct render *r, struct tpl *t)
{
    struct tpl *chain[MAX_INUSE];
    size_t n = 0, inuse0 = r->ninuse, nlocals0 = r->nlocals;
    int err = 0;
    for (struct tpl *c = t;;) {
        if (r->ninuse == MAX_INUSE) {
            err = rerr(r, -ELOOP, "templates nested too deeply (%d include/extends levels)",
                       MAX_INUSE);
            break;
        }
        r->inuse[r->ninuse++] = chain[n++] = c;
        if (!c->extends)
            break;
        const struct tpl *saved = r->cur;
        int saved_line = r->line;
        r->cur = c;
        r->line = c->extends_line;
        err = need(r, c->extends, "extended", &c);
        r->cur = saved;
        r->line = saved_line;
        if (err)
            break;
    }
    if (!err) {
        struct tpl *const *saved_chain = r->chain;
        size_t saved_n = r->nchain;
        const struct tpl *saved_cur = r->cur;
        const char *saved_block = r->block;
        r->chain = chain;
        r->nchain = n;
        r->cur = chain[n - 1];
        r->block = NULL;
        err = render_body(r, chain[n - 1]->body);
        r->chain = saved_chain;
        r->nchain = saved_n;
        r->cur = saved_cur;
        r->block = saved_block;
    }
    r->ninuse = inuse0;
    r->nlocals = nlocals0; /* an included template's {% set %} stays in it */
    return err;
}

/* Renders the most derived definition of block `name` from chain[from]. */
static int render_block(struct render *r, const char *name, size_t from)
{
    for (size_t i = from; i < r->nchain; i++)
        for (const struct blockdef *b = r->chain[i]->blocks; b; b = b->next) {
            if (strcmp(b->name, name))
                continue;
            const struct tpl *saved_cur = r->cur;
            const char *saved_block = r->block;
            size_t saved_level = r->block_level;
            r->cur = r->chain[i];
            r->block = b->name;
            r->block_level = i;
            int err = render_body(r, b->node->body);
            r->cur = saved_cur;
            r->block = saved_block;
            r->block_level = saved_level;
            return err;
        }
    return 0;
}

static int render_body(struct render *r, const struct node *n)
{
    if (r->depth == MAX_DEPTH)
        return rerr(r, -ELOOP, "templates nested too deeply (%d levels of statements)", MAX_DEPTH);
    r->depth++;
    int err = 0;
    for (; n && !err; n = n->next) {
        if (++r->steps > r->ts->max_steps) {
            err = rerr(r, -ELOOP, "render budget of %lu steps exceeded", r->ts->max_steps);
            break;
        }
        r->line = n->line;
        struct eddy_arena_mark m = eddy_arena_mark(&r->tmp);
        struct val v;
        struct tpl *t;
        switch (n->k) {
        case N_TEXT: err = eddy_buf_append(r->out, n->text, n->len); break;
        case N_OUT:
            if (!(err = eval(r, n->e, &v)))
                err = emit(r, &v);
            break;
        case N_IF:
            if (!(err = eval(r, n->e, &v))) {
                bool yes = truthy(&v);
                eddy_arena_release(&r->tmp, m);
                err = render_body(r, yes ? n->body : n->alt);
            }
            break;
        case N_FOR: err = render_for(r, n); break;
        case N_INCLUDE:
            err = need(r, n->text, "included", &t);
            if (err == -ENOENT && n->ignore_missing) {
                r->msg = false;
                r->ts->err[0] = 0;
                err = 0;
            } else if (!err)
                err = render_template(r, t);
            break;
        case N_BLOCK: err = render_block(r, n->text, 0); break;
        case N_SET:
            if (!(err = eval(r, n->e, &v)))
                err = set_local(r, n->var1, &v);
            break;
        }
        eddy_arena_release(&r->tmp, m);
        if (err == -E2BIG)
            rerr(r, err, "output larger than the buffer's limit (%zu bytes)", r->out->max);
        else if (err)
            rerr(r, err, "%s", strerror(-err));
    }
    r->depth--;
    return err;
}

int eddy_templates_render(struct eddy_templates *ts, const char *name, const json_t *ctx,
                          struct eddy_buf *out)
{
    return eddy_templates_render_data(ts, name, eddy_tdata_json(ctx), out);
}

int eddy_templates_render_data(struct eddy_templates *ts, const char *name, struct eddy_tdata ctx,
                               struct eddy_buf *out)
{
    struct render *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(ts->err, sizeof ts->err, "%s: out of memory", name);
        return -ENOMEM;
    }
    size_t len0 = out->len;
    ts->err[0] = 0;
    ts->gen++;
    *r = (struct render){.ts = ts, .out = out, .ctx = from_data(ctx)};
    /* A first chunk that outlives every mark: without it each `{{ }}` would
     * malloc and free a chunk (and base/'s arena grows the next one each time). */
    eddy_arena_alloc(&r->tmp, 1);
    struct tpl *t;
    int err = get_tpl(ts, name, &t);
    if (err == -ENOENT)
        snprintf(ts->err, sizeof ts->err, "%s: template not found", name);
    else if (!err)
        err = render_template(r, t);
    if (err && out->data) {
        out->len = len0;
        out->data[len0] = 0;
    }
    eddy_arena_free(&r->tmp);
    eddy_arena_free(&r->keep);
    free(r);
    return err;
}
