/*
 * ns_georss.c — GeoRSS simple and GML (feedparser's namespaces/georss.py):
 * georss:point/line/polygon/box and gml:Point/LineString/Polygon give
 * where = {type, coordinates}.  Coordinates are pairs as feedparser orders
 * them: swapped to (lon, lat) order unless a GML srsName names an EPSG code
 * that is not geographic (feedparser's _geogCS list, kept below).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* EPSG codes of geographic coordinate systems (sorted, for bsearch). */
static const int geog_cs[] = {
    3819, 3821, 3824, 3889, 3906, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 4008, 4009, 4010, 4011,
    4012, 4013, 4014, 4015, 4016, 4018, 4019, 4020, 4021, 4022, 4023, 4024, 4025, 4027, 4028, 4029,
    4030, 4031, 4032, 4033, 4034, 4035, 4036, 4041, 4042, 4043, 4044, 4045, 4046, 4047, 4052, 4053,
    4054, 4055, 4075, 4081, 4120, 4121, 4122, 4123, 4124, 4125, 4126, 4127, 4128, 4129, 4130, 4131,
    4132, 4133, 4134, 4135, 4136, 4137, 4138, 4139, 4140, 4141, 4142, 4143, 4144, 4145, 4146, 4147,
    4148, 4149, 4150, 4151, 4152, 4153, 4154, 4155, 4156, 4157, 4158, 4159, 4160, 4161, 4162, 4163,
    4164, 4165, 4166, 4167, 4168, 4169, 4170, 4171, 4172, 4173, 4174, 4175, 4176, 4178, 4179, 4180,
    4181, 4182, 4183, 4184, 4185, 4188, 4189, 4190, 4191, 4192, 4193, 4194, 4195, 4196, 4197, 4198,
    4199, 4200, 4201, 4202, 4203, 4204, 4205, 4206, 4207, 4208, 4209, 4210, 4211, 4212, 4213, 4214,
    4215, 4216, 4218, 4219, 4220, 4221, 4222, 4223, 4224, 4225, 4226, 4227, 4228, 4229, 4230, 4231,
    4232, 4233, 4234, 4235, 4236, 4237, 4238, 4239, 4240, 4241, 4242, 4243, 4244, 4245, 4246, 4247,
    4248, 4249, 4250, 4251, 4252, 4253, 4254, 4255, 4256, 4257, 4258, 4259, 4260, 4261, 4262, 4263,
    4264, 4265, 4266, 4267, 4268, 4269, 4270, 4271, 4272, 4273, 4274, 4275, 4276, 4277, 4278, 4279,
    4280, 4281, 4282, 4283, 4284, 4285, 4286, 4287, 4288, 4289, 4291, 4292, 4293, 4294, 4295, 4296,
    4297, 4298, 4299, 4300, 4301, 4302, 4303, 4304, 4306, 4307, 4308, 4309, 4310, 4311, 4312, 4313,
    4314, 4315, 4316, 4317, 4318, 4319, 4322, 4324, 4326, 4463, 4470, 4475, 4483, 4490, 4555, 4558,
    4600, 4601, 4602, 4603, 4604, 4605, 4606, 4607, 4608, 4609, 4610, 4611, 4612, 4613, 4614, 4615,
    4616, 4617, 4618, 4619, 4620, 4621, 4622, 4623, 4624, 4625, 4626, 4627, 4628, 4629, 4630, 4631,
    4632, 4633, 4634, 4635, 4636, 4637, 4638, 4639, 4640, 4641, 4642, 4643, 4644, 4645, 4646, 4657,
    4658, 4659, 4660, 4661, 4662, 4663, 4664, 4665, 4666, 4667, 4668, 4669, 4670, 4671, 4672, 4673,
    4674, 4675, 4676, 4677, 4678, 4679, 4680, 4681, 4682, 4683, 4684, 4685, 4686, 4687, 4688, 4689,
    4690, 4691, 4692, 4693, 4694, 4695, 4696, 4697, 4698, 4699, 4700, 4701, 4702, 4703, 4704, 4705,
    4706, 4707, 4708, 4709, 4710, 4711, 4712, 4713, 4714, 4715, 4716, 4717, 4718, 4719, 4720, 4721,
    4722, 4723, 4724, 4725, 4726, 4727, 4728, 4729, 4730, 4731, 4732, 4733, 4734, 4735, 4736, 4737,
    4738, 4739, 4740, 4741, 4742, 4743, 4744, 4745, 4746, 4747, 4748, 4749, 4750, 4751, 4752, 4753,
    4754, 4755, 4756, 4757, 4758, 4759, 4760, 4761, 4762, 4763, 4764, 4765, 4801, 4802, 4803, 4804,
    4805, 4806, 4807, 4808, 4809, 4810, 4811, 4813, 4814, 4815, 4816, 4817, 4818, 4819, 4820, 4821,
    4823, 4824, 4901, 4902, 4903, 4904, 4979,
};

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

enum { GEOM_NONE, GEOM_POINT, GEOM_LINESTRING, GEOM_POLYGON };

static struct eddy_feed_value *where(struct eddy__mixin *p)
{
    struct eddy_feed_value *w = eddy__fp_get(eddy__ctx(p), "where");
    return w && w->type == EDDY_FEED_OBJECT ? w : NULL;
}

static void start_geom(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "geometry", false);
    eddy__fp_set(p, eddy__ctx(p), "where", eddy__v_obj(p->arena));
}

/* _gen_georss_coords: an array of coordinate tuples, or NULL on a bad number */
static struct eddy_feed_value *coords(struct eddy__mixin *p, const char *value, bool swap, int dims)
{
    struct eddy_feed_value *list = eddy__v_arr(p->arena);
    if (!value)
        return NULL;
    char *copy = strdup(value);
    if (!copy) {
        p->oom = true;
        return NULL;
    }
    for (char *c = copy; *c; c++)
        if (*c == ',')
            *c = ' ';
    double nums[3];
    int have = 0, want = dims == 3 ? 3 : 2;
    char *save = NULL;
    for (char *tok = strtok_r(copy, " \t\n\r\f\v", &save); tok;
         tok = strtok_r(NULL, " \t\n\r\f\v", &save)) {
        char *end;
        double d = strtod(tok, &end);
        if (end == tok || *end) {
            free(copy);
            return NULL; /* ValueError */
        }
        nums[have++] = d;
        if (have == want) {
            struct eddy_feed_value *t = eddy__v_arr(p->arena);
            eddy__arr_push(p->arena, t, eddy__v_real(p->arena, swap ? nums[1] : nums[0]));
            eddy__arr_push(p->arena, t, eddy__v_real(p->arena, swap ? nums[0] : nums[1]));
            if (want == 3)
                eddy__arr_push(p->arena, t, eddy__v_real(p->arena, nums[2]));
            eddy__arr_push(p->arena, list, t);
            have = 0;
        }
    }
    free(copy);
    return list;
}

static struct eddy_feed_value *geometry(struct eddy__mixin *p, const char *type,
                                        struct eddy_feed_value *c)
{
    struct eddy_feed_value *g = eddy__v_obj(p->arena);
    eddy__obj_set(p->arena, g, "type", false, eddy__str_value(p, type));
    eddy__obj_set(p->arena, g, "coordinates", false, c);
    return g;
}

static struct eddy_feed_value *parse_point(struct eddy__mixin *p, const char *v, bool swap,
                                           int dims)
{
    struct eddy_feed_value *c = coords(p, v, swap, dims);
    if (!c || !eddy_feed_len(c))
        return NULL;
    return geometry(p, "Point", (struct eddy_feed_value *)eddy_feed_at(c, 0));
}

static struct eddy_feed_value *parse_line(struct eddy__mixin *p, const char *v, bool swap, int dims)
{
    struct eddy_feed_value *c = coords(p, v, swap, dims);
    return c ? geometry(p, "LineString", c) : NULL;
}

static struct eddy_feed_value *parse_polygon(struct eddy__mixin *p, const char *v, bool swap,
                                             int dims)
{
    struct eddy_feed_value *ring = coords(p, v, swap, dims);
    if (!ring || eddy_feed_len(ring) < 4)
        return NULL;
    struct eddy_feed_value *outer = eddy__v_arr(p->arena);
    eddy__arr_push(p->arena, outer, ring);
    return geometry(p, "Polygon", outer);
}

static struct eddy_feed_value *parse_box(struct eddy__mixin *p, const char *v, bool swap, int dims)
{
    struct eddy_feed_value *c = coords(p, v, swap, dims);
    return c ? geometry(p, "Box", c) : NULL;
}

/* context['where'].update(geometry) */
static void save_where(struct eddy__mixin *p, struct eddy_feed_value *g)
{
    struct eddy_feed_value *w = where(p);
    if (!g || !w)
        return;
    for (struct eddy__member *m = g->u.o.first; m; m = m->next)
        eddy__obj_set(p->arena, w, m->key, false, m->v);
}

static void end_point(struct eddy__mixin *p)
{
    save_where(p, parse_point(p, eddy__pop(p, "geometry", true), true, 2));
}
static void end_line(struct eddy__mixin *p)
{
    save_where(p, parse_line(p, eddy__pop(p, "geometry", true), true, 2));
}
static void end_polygon(struct eddy__mixin *p)
{
    save_where(p, parse_polygon(p, eddy__pop(p, "geometry", true), true, 2));
}
static void end_box(struct eddy__mixin *p)
{
    save_where(p, parse_box(p, eddy__pop(p, "geometry", true), true, 2));
}

static void start_where(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "where", false);
    eddy__fp_set(p, eddy__ctx(p), "where", eddy__v_obj(p->arena));
}

static void end_where(struct eddy__mixin *p)
{
    eddy__pop(p, "where", true);
}

static void parse_srs_attrs(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    const char *srs = eddy__attr(a, "srsname");
    const char *dim = eddy__attr(a, "srsdimension");
    long d = 2;
    if (dim) {
        char *end;
        d = strtol(dim, &end, 10);
        if (end == dim || *end)
            d = 2;
    }
    struct eddy_feed_value *ctx = eddy__ctx(p);
    if (!eddy__fp_get(ctx, "where"))
        eddy__fp_set(p, ctx, "where", eddy__v_obj(p->arena));
    struct eddy_feed_value *w = where(p);
    if (!w)
        return;
    eddy__obj_set(p->arena, w, "srsName", false, eddy__str_value(p, srs));
    eddy__obj_set(p->arena, w, "srsDimension", false, eddy__v_int(p->arena, d));
}

static void start_gml_point(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    parse_srs_attrs(p, a);
    p->ingeometry = GEOM_POINT;
    eddy__push(p, "geometry", false);
}

static void start_gml_linestring(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    parse_srs_attrs(p, a);
    p->ingeometry = GEOM_LINESTRING;
    eddy__push(p, "geometry", false);
}

static void start_gml_polygon(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    parse_srs_attrs(p, a);
    eddy__push(p, "geometry", false);
}

static void start_gml_exterior(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "geometry", false);
}

static void start_gml_linearring(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    p->ingeometry = GEOM_POLYGON;
    eddy__push(p, "geometry", false);
}

static void start_gml_pos(struct eddy__mixin *p, struct eddy_feed_value *a)
{
    (void)a;
    eddy__push(p, "pos", false);
}

/* swap and dims from the where object's srsName / srsDimension */
static void srs(struct eddy__mixin *p, bool *swap, int *dims)
{
    struct eddy_feed_value *w = where(p);
    const char *name = eddy_feed_str(eddy__obj_get(w, "srsName"), NULL);
    struct eddy_feed_value *d = eddy__obj_get(w, "srsDimension");
    *dims = d ? (int)eddy_feed_int(d) : 2;
    *swap = true;
    if (name && strstr(name, "EPSG")) {
        const char *last = strrchr(name, ':');
        int epsg = atoi(last ? last + 1 : name);
        *swap = bsearch(&epsg, geog_cs, sizeof geog_cs / sizeof geog_cs[0], sizeof geog_cs[0],
                        cmp_int) != NULL;
    }
}

static void end_gml_pos(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "pos", true);
    bool swap;
    int dims;
    srs(p, &swap, &dims);
    save_where(p, parse_point(p, v, swap, dims));
}

static void end_gml_poslist(struct eddy__mixin *p)
{
    const char *v = eddy__pop(p, "pos", true);
    bool swap;
    int dims;
    srs(p, &swap, &dims);
    struct eddy_feed_value *g = NULL;
    if (p->ingeometry == GEOM_LINESTRING) {
        g = parse_line(p, v, swap, dims);
    } else if (p->ingeometry == GEOM_POLYGON) {
        struct eddy_feed_value *ring = parse_line(p, v, swap, dims);
        if (ring) {
            struct eddy_feed_value *outer = eddy__v_arr(p->arena);
            eddy__arr_push(p->arena, outer, eddy__obj_get(ring, "coordinates"));
            g = geometry(p, "Polygon", outer);
        }
    }
    save_where(p, g);
}

static void end_geom(struct eddy__mixin *p)
{
    p->ingeometry = GEOM_NONE;
    eddy__pop(p, "geometry", true);
}

/* Sorted by name (strcmp order). */
const struct eddy__handler eddy__ns_georss[] = {
    {"georss_box", start_geom, end_box},
    {"georss_line", start_geom, end_line},
    {"georss_point", start_geom, end_point},
    {"georss_polygon", start_geom, end_polygon},
    {"georss_where", start_where, end_where},
    {"gml_exterior", start_gml_exterior, end_geom},
    {"gml_linearring", start_gml_linearring, end_geom},
    {"gml_linestring", start_gml_linestring, end_geom},
    {"gml_point", start_gml_point, end_geom},
    {"gml_polygon", start_gml_polygon, end_geom},
    {"gml_pos", start_gml_pos, end_gml_pos},
    {"gml_poslist", start_gml_pos, end_gml_poslist},
    {"where", start_where, end_where},
};
const size_t eddy__ns_georss_n = sizeof eddy__ns_georss / sizeof eddy__ns_georss[0];
