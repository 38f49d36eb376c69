/*
 * ns_admin.c — RSS 1.0's administrative module (feedparser's
 * namespaces/admin.py): admin:generatorAgent and admin:errorReportsTo carry
 * their value in rdf:resource.
 */
#include "internal.h"

typedef struct eddy_feed_value V;

/* push, put the attribute's value in the element's text, pop: pop() stores it */
static const char *push_pop(struct eddy__fp *p, const char *name, const char *value)
{
    eddy__push(p, name, true);
    if (value && *value && p->nframes) {
        struct eddy__frame *f = &p->frames[p->nframes - 1];
        if (eddy_buf_puts(&f->text, value))
            p->oom = true;
    }
    return eddy__pop(p, name, true);
}

static void start_generatoragent(struct eddy__fp *p, V *a)
{
    const char *value = eddy__get_attribute(p, a, "rdf:resource");
    push_pop(p, "generator", value);
    V *d = eddy__v_obj(p->A);
    eddy__obj_set(p->A, d, "href", false, eddy__s(p, value));
    eddy__fp_set(p, eddy__ctx(p), "generator_detail", d);
}

static void start_errorreportsto(struct eddy__fp *p, V *a)
{
    push_pop(p, "errorreportsto", eddy__get_attribute(p, a, "rdf:resource"));
}

/* Sorted by name (strcmp order). */
const struct eddy__handler eddy__ns_admin[] = {
    {"admin_errorreportsto", start_errorreportsto, NULL},
    {"admin_generatoragent", start_generatoragent, NULL},
};
const size_t eddy__ns_admin_n = sizeof eddy__ns_admin / sizeof eddy__ns_admin[0];
