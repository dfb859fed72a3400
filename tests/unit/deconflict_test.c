/*
 * deconflict_test.c — the deconfliction engine (src/deconflict.c) against a
 * brute-force scan: for random sites, no-strike objects, unit positions and
 * operations (points, star polygons, polygons kilometres wide; minutes to
 * open-ended; multipolygons; protections below and above the grid's limit; some far outside
 * the grid, some on its cell edges), every check of a random circle or
 * polygon, window, buffer, kinds filter, skipped object and principal must
 * return exactly the objects whose time meets the window and whose distance
 * to the area is at most their protection plus the buffer, each once, with
 * the same distance as area_dist and the object's protection, sorted; before and after objects are
 * dropped and put again elsewhere.
 *
 * Movements among them (routes of 2 to 12 vertices, legs from nothing to
 * kilometres, diagonal or along an axis, of no time to more than a day,
 * departing near the edges of the 6-hour and 32-day slabs; some near or far
 * beyond the grid's edge, some protected beyond the grid's limit): each
 * segment that meets the window is judged on the stretch travelled during the
 * window, and must come back once, with area_dist_seg's distance of that
 * stretch and the times area_seg_within gives for it. Some checks are aimed at
 * a route (windows over the whole of it, from or until a vertex's time, over
 * several slabs, an instant); routes are moved and retimed in place, and a
 * dropped route must leave nothing behind.
 */
#include "unit.h"

#include <math.h>

#include "auth.h"
#include "deconflict.h"

#define MIN_MS (60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define T0 1780272000000LL /* 2026-06-01 */
#define NOBJ 4000

#define next unit_next
#define urand unit_urand

static void shape_point(shape_t *s, double x, double y)
{
    memset(s, 0, sizeof *s);
    s->type = SH_POINT;
    s->n = 1;
    s->p = malloc(sizeof *s->p);
    s->ring = calloc(2, sizeof *s->ring);
    assert_non_null(s->p);
    assert_non_null(s->ring);
    s->p[0] = (pt_t){x, y};
    s->ring[1] = 1;
    s->x0 = s->x1 = x;
    s->y0 = s->y1 = y;
}

/* A star polygon of k points around (x, y), radii up to r (closed ring). */
static void shape_star(shape_t *s, double x, double y, double r, int k)
{
    memset(s, 0, sizeof *s);
    s->type = SH_POLY;
    s->n = 2 * k + 1;
    s->nring = 1;
    s->p = malloc((size_t)s->n * sizeof *s->p);
    s->ring = calloc(2, sizeof *s->ring);
    assert_non_null(s->p);
    assert_non_null(s->ring);
    s->ring[1] = s->n;
    s->x0 = s->y0 = INFINITY;
    s->x1 = s->y1 = -INFINITY;
    for (int i = 0; i < 2 * k; i++) {
        double a = M_PI * i / k, rr = (i % 2 ? 0.4 : 1.0) * r * (0.7 + 0.3 * urand());
        s->p[i] = (pt_t){x + rr * cos(a), y + rr * sin(a)};
    }
    s->p[2 * k] = s->p[0];
    for (int i = 0; i < s->n; i++) {
        s->x0 = fmin(s->x0, s->p[i].x), s->x1 = fmax(s->x1, s->p[i].x);
        s->y0 = fmin(s->y0, s->p[i].y), s->y1 = fmax(s->y1, s->p[i].y);
    }
}

/* A multipolygon: two stars, the second dx, dy from the first. */
static void shape_two_stars(shape_t *s, double x, double y, double r, double dx, double dy)
{
    shape_t a, b;
    shape_star(&a, x, y, r, 5);
    shape_star(&b, x + dx, y + dy, r * 0.6, 4);
    memset(s, 0, sizeof *s);
    s->type = SH_POLY;
    s->n = a.n + b.n;
    s->nring = 2;
    s->p = malloc((size_t)s->n * sizeof *s->p);
    s->ring = malloc(3 * sizeof *s->ring);
    assert_non_null(s->p);
    assert_non_null(s->ring);
    memcpy(s->p, a.p, (size_t)a.n * sizeof *s->p);
    memcpy(s->p + a.n, b.p, (size_t)b.n * sizeof *s->p);
    s->ring[0] = 0, s->ring[1] = a.n, s->ring[2] = s->n;
    s->x0 = fmin(a.x0, b.x0), s->y0 = fmin(a.y0, b.y0), s->x1 = fmax(a.x1, b.x1), s->y1 = fmax(a.y1, b.y1);
    shape_free(&a);
    shape_free(&b);
}

/* A position: mostly within 30 km of the origin, some on exact multiples of
 * 250 m (the edges and the middles of the grid's 500 m cells), a few
 * 70-300 km away (beyond the grid's edge). */
static void random_pos(double *x, double *y)
{
    switch (next() % 20) {
    case 0: *x = (urand() - 0.5) * 600000, *y = (urand() - 0.5) * 600000; break;
    case 1: case 2:
        *x = 250.0 * (double)((int)(next() % 200) - 100), *y = 250.0 * (double)((int)(next() % 200) - 100);
        break;
    default: *x = (urand() - 0.5) * 60000, *y = (urand() - 0.5) * 60000; break;
    }
}

static void random_span(int64_t *t0, int64_t *t1)
{
    int64_t base = T0 + (int64_t)(urand() * 30) * DAY_MS - 15 * DAY_MS;
    switch (next() % 6) {
    case 0: *t0 = base + (int64_t)(next() % 1440) * MIN_MS, *t1 = *t0 + (int64_t)(next() % 600) * MIN_MS; break;
    case 1: *t0 = base, *t1 = *t0 + (int64_t)(1 + next() % 30) * DAY_MS; break;
    case 2: *t0 = base - 100 * DAY_MS, *t1 = *t0 + (int64_t)(30 + next() % 300) * DAY_MS; break;
    case 3: *t0 = base - (int64_t)(next() % 1000) * DAY_MS, *t1 = INT64_MAX; break;
    case 4: *t0 = base, *t1 = base + DAY_MS; break; /* exactly a day */
    default: *t0 = base, *t1 = base + (int64_t)(next() % 120) * DAY_MS; break;
    }
    if (next() % 4 == 0) *t0 += (int64_t)(next() % 60000); /* edges inside a minute */
    if (next() % 4 == 0 && *t1 != INT64_MAX) *t1 += (int64_t)(next() % 60000);
}

typedef struct {
    int live, kind;
    char id[32];
    double prot;
    shape_t shape;
    int64_t t0, t1;
    int64_t *times; /* movements: one per vertex */
    json_t *labels;
} tobj_t;

static tobj_t objs[NOBJ];
static json_t *label_sets[3];
static const int kinds[] = {DC_SITE, DC_NOSTRIKE, DC_UNIT, DC_OPERATION};
static const double prots[] = {0, 100, 150, 300, 500, 1000, 1500, 4000, 123.456789}; /* the last: not a float */

/* ---- movements ---- */

#define MAX_VERTS 12
#define SLAB6_MS (6 * HOUR_MS)
#define SLAB32_MS (32 * DAY_MS)

static void line_bbox(shape_t *s)
{
    s->x0 = s->y0 = INFINITY;
    s->x1 = s->y1 = -INFINITY;
    for (int i = 0; i < s->n; i++) {
        s->x0 = fmin(s->x0, s->p[i].x), s->x1 = fmax(s->x1, s->p[i].x);
        s->y0 = fmin(s->y0, s->p[i].y), s->y1 = fmax(s->y1, s->p[i].y);
    }
}

static void shape_line(shape_t *s, const pt_t *p, int n)
{
    memset(s, 0, sizeof *s);
    s->type = SH_LINE;
    s->n = n;
    s->p = malloc((size_t)n * sizeof *s->p);
    s->ring = calloc(1, sizeof *s->ring);
    assert_non_null(s->p);
    assert_non_null(s->ring);
    memcpy(s->p, p, (size_t)n * sizeof *p);
    s->ring[0] = n;
    line_bbox(s);
}

/* A departure: near the edge of a 6-hour slab (multiples of 360 minutes since
 * the epoch; sometimes on it), near the 32-day slabs' edge three days after
 * T0, or anywhere in the month around T0. */
static int64_t random_departure(void)
{
    int64_t t;
    switch (next() % 6) {
    case 0: case 1: {
        int64_t edge = (T0 / SLAB6_MS + (int64_t)(next() % 120) - 60) * SLAB6_MS;
        t = next() % 4 == 0 ? edge : edge + (int64_t)(next() % (6 * HOUR_MS)) - 3 * HOUR_MS;
        break;
    }
    case 2: {
        int64_t edge = (T0 / SLAB32_MS + 1) * SLAB32_MS;
        t = next() % 4 == 0 ? edge : edge + (int64_t)(next() % (4 * DAY_MS)) - 2 * DAY_MS;
        break;
    }
    default: t = T0 + (int64_t)(urand() * 30 - 15) * DAY_MS + (int64_t)(next() % 1440) * MIN_MS; break;
    }
    if (next() % 3 == 0) t += (int64_t)(next() % 60000);
    return t;
}

/* The time a leg takes: none, milliseconds, minutes, hours, about a day (the
 * levels' limit), days (the long level), rarely more than 12 long slabs (the
 * timeless layer). */
static int64_t random_leg_time(void)
{
    switch (next() % 16) {
    case 0: case 1: return 0;
    case 2: return (int64_t)(next() % 5000);
    case 3: case 4: case 5: case 6: return (int64_t)(next() % 1800) * 1000;
    case 7: case 8: case 9: case 10: return (int64_t)(next() % (3 * HOUR_MS));
    case 11: case 12: return (int64_t)(next() % (10 * HOUR_MS));
    case 13: return DAY_MS + (int64_t)(next() % 3) - 1;
    case 14: return DAY_MS + (int64_t)(next() % (5 * DAY_MS));
    default: return next() % 8 ? (int64_t)(next() % (40 * DAY_MS)) : (int64_t)(380 + next() % 100) * DAY_MS;
    }
}

/* A leg: none, a few metres, under a piece (480 m), whole pieces, just over
 * one, kilometres; along an axis or diagonal. */
static pt_t random_leg(void)
{
    double len;
    switch (next() % 12) {
    case 0: len = 0; break;
    case 1: case 2: len = 0.5 + urand() * 20; break;
    case 3: case 4: case 5: len = 20 + urand() * 460; break;
    case 6: len = 480.0 * (double)(1 + next() % 3); break;
    case 7: len = 480 + urand() * 60; break;
    default: len = 500 + urand() * 7000; break;
    }
    if (next() % 3 == 0) {
        switch (next() % 4) {
        case 0: return (pt_t){len, 0};
        case 1: return (pt_t){-len, 0};
        case 2: return (pt_t){0, len};
        default: return (pt_t){0, -len};
        }
    }
    double a = urand() * 2 * M_PI;
    return (pt_t){len * cos(a), len * sin(a)};
}

static void random_route(tobj_t *o)
{
    int n = 2 + (int)(next() % (MAX_VERTS - 1));
    pt_t p[MAX_VERTS];
    if (next() % 8 == 0) { /* across the grid's north or south edge (64 km) */
        p[0].x = (urand() - 0.5) * 60000;
        p[0].y = (next() % 2 ? 1 : -1) * (64000 + (urand() - 0.5) * 6000);
    } else {
        random_pos(&p[0].x, &p[0].y);
    }
    o->times = malloc((size_t)n * sizeof *o->times);
    assert_non_null(o->times);
    o->times[0] = random_departure();
    for (int i = 1; i < n; i++) {
        pt_t d = random_leg();
        p[i] = (pt_t){p[i - 1].x + d.x, p[i - 1].y + d.y};
        o->times[i] = o->times[i - 1] + random_leg_time();
    }
    shape_line(&o->shape, p, n);
    o->t0 = o->times[0];
    o->t1 = o->times[n - 1];
}

static void free_obj(tobj_t *o)
{
    shape_free(&o->shape);
    free(o->times);
    o->times = NULL;
}

static void random_obj(int i)
{
    tobj_t *o = &objs[i];
    if (next() % 5 == 0) {
        o->kind = DC_MOVEMENT;
        snprintf(o->id, sizeof o->id, "%s-%d", dc_kind_names[o->kind], i);
        random_route(o);
        o->prot = next() % 4 ? prots[next() % 9] : 0;
        o->labels = label_sets[next() % 3];
        return;
    }
    o->kind = kinds[next() % 4];
    snprintf(o->id, sizeof o->id, "%s-%d", dc_kind_names[o->kind], i);
    double x, y;
    random_pos(&x, &y);
    switch (next() % 7) {
    case 0: shape_star(&o->shape, x, y, 5 + urand() * 80, 4 + (int)(next() % 4)); break;
    case 1: shape_star(&o->shape, x, y, 200 + urand() * 2000, 5); break; /* spans several cells */
    case 2: shape_two_stars(&o->shape, x, y, 30 + urand() * 300, (urand() - 0.5) * 3000, (urand() - 0.5) * 3000); break;
    default: shape_point(&o->shape, x, y); break;
    }
    o->prot = prots[next() % 9];
    random_span(&o->t0, &o->t1);
    o->labels = label_sets[next() % 3];
}

static void put(dc_t *d, int i)
{
    tobj_t *o = &objs[i];
    shape_t copy;
    assert_int_equal(shape_copy(&copy, &o->shape), 0);
    dc_object_t in = {.kind = o->kind, .id = o->id, .category = "c", .protection_m = o->prot, .shape = copy,
                      .t0 = o->t0, .t1 = o->t1, .times = o->times, .labels = o->labels};
    assert_int_equal(dc_put(d, &in), 0);
    o->live = 1;
}

/* The order dc_check documents: distance in whole centimetres, kind, the id's
 * number; then (the segments of one route) the exact distance, id, segment. */
static int cmp_expected(const void *a, const void *b)
{
    const conflict_t *x = a, *y = b;
    /* By distance as the API reports it, in whole centimetres. */
    uint64_t cx = (uint64_t)(x->distance_m * 100 + 0.5), cy = (uint64_t)(y->distance_m * 100 + 0.5);
    if (cx != cy) return cx < cy ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    if (x->distance_m != y->distance_m) return x->distance_m < y->distance_m ? -1 : 1;
    int c = strcmp(x->id, y->id);
    return c ? c : x->segment - y->segment;
}

/* Segment i of a route as the check must judge it (dc_segment_meets: the
 * window meets the segment's times, closed, and the stretch travelled during
 * it comes within the route's protection plus the buffer; make pg holds that
 * judgement to PostGIS's and the stretch's times to a sampling of it). 0 when
 * no conflict. */
static int judge(const tobj_t *o, int i, const dc_query_t *q, conflict_t *c)
{
    double dist;
    int64_t in0, in1;
    if (!dc_segment_meets(q->area, o->shape.p[i], o->shape.p[i + 1], o->times[i], o->times[i + 1], q->from, q->until,
                          o->prot + q->buffer_m, &dist, &in0, &in1))
        return 0;
    *c = (conflict_t){.kind = o->kind, .id = o->id, .distance_m = dist, .protection_m = o->prot, .segment = i,
                      .inside_from = in0, .inside_until = in1};
    return 1;
}

static int64_t span_ms(int64_t lo, int64_t hi, double f)
{
    return lo + (int64_t)(f * (double)(hi - lo));
}

/* A check aimed at a live route: an area on it or near it, a window over its
 * whole time, from or until a vertex's time, over several 6-hour slabs, an
 * instant, or inside its span; sometimes the route itself skipped, or kinds
 * that take or leave out movements. */
static void aim_at_route(area_t *a, int64_t *from, int64_t *until, double *buffer, int *skip, unsigned *kmask)
{
    int i = (int)(next() % NOBJ), k = 0;
    while (k < NOBJ && !(objs[i].live && objs[i].kind == DC_MOVEMENT)) i = (i + 1) % NOBJ, k++;
    if (k == NOBJ) return;
    const tobj_t *o = &objs[i];
    const int64_t *t = o->times;
    int n = o->shape.n, v = (int)(next() % (unsigned)n), w = v + (int)(next() % (unsigned)(n - v));
    /* Sometimes a small circle on a segment, no buffer: only the pieces near
     * it reach it. */
    int tiny = v + 1 < n && next() % 3 == 0;
    pt_t c = o->shape.p[v];
    if (v + 1 < n && (tiny || next() % 2)) {
        double f = urand();
        pt_t b = o->shape.p[v + 1];
        c = (pt_t){c.x + f * (b.x - c.x), c.y + f * (b.y - c.y)};
    }
    if (tiny) *buffer = 0;
    else if (next() % 2) c.x += (urand() - 0.5) * 3000, c.y += (urand() - 0.5) * 3000;
    shape_free(&a->shape);
    a->radius = 0;
    if (tiny) {
        shape_point(&a->shape, c.x, c.y);
        a->radius = urand() * 20;
    } else if (next() % 3) {
        shape_point(&a->shape, c.x, c.y);
        a->radius = next() % 4 ? urand() * 1500 : 0;
    } else {
        shape_star(&a->shape, c.x, c.y, 50 + urand() * 2000, 3 + (int)(next() % 5));
    }
    switch (next() % 7) {
    case 0: /* the whole route, or a little more */
        *from = t[0] - (next() % 2 ? 0 : (int64_t)(next() % 120000));
        *until = t[n - 1] + (next() % 2 ? 0 : (int64_t)(next() % 120000));
        break;
    case 1: /* from a vertex's time */
        *from = t[v];
        *until = next() % 2 ? t[w] : *from + (int64_t)(next() % (6 * HOUR_MS));
        break;
    case 2: /* until a vertex's time */
        *until = t[w];
        *from = next() % 2 ? t[v] : *until - (int64_t)(next() % (6 * HOUR_MS));
        break;
    case 3: /* over several 6-hour slabs */
        *from = t[v] - (int64_t)(next() % (12 * HOUR_MS));
        *until = *from + 6 * HOUR_MS + (int64_t)(next() % (42 * HOUR_MS));
        break;
    case 4: /* an instant */
        *from = *until = next() % 2 ? t[v] : span_ms(t[v], t[w], urand());
        break;
    case 5: /* inside the span between two vertices */
        *from = span_ms(t[v], t[w], urand());
        *until = span_ms(*from, t[w], urand());
        break;
    default: /* a vertex's minute, edges within it */
        *from = t[v] - (int64_t)(next() % 60000);
        *until = t[v] + (int64_t)(next() % 60000);
        break;
    }
    switch (next() % 6) {
    case 0: *skip = i; break;
    case 1: *kmask = 1u << DC_MOVEMENT | (unsigned)(next() % 32); break;
    case 2:
        *kmask = (unsigned)(next() % 32) & ~(1u << DC_MOVEMENT);
        if (!*kmask) *kmask = 1u << DC_SITE;
        break;
    default: break;
    }
}

static void print_conflict(const char *what, const conflict_t *c)
{
    print_message("%s %s", what, c->id);
    if (c->segment >= 0) print_message(" segment %d (inside %lld..%lld)", c->segment, (long long)c->inside_from,
                                       (long long)c->inside_until);
    print_message(" at %.6f m\n", c->distance_m);
}

static int same_conflict(const conflict_t *x, const conflict_t *y)
{
    return !strcmp(x->id, y->id) && x->segment == y->segment;
}

/* One check, random or aimed at a route, against the scan: the same
 * conflicts in the same order. *moves counts the route segments found. */
static size_t run_query(dc_t *d, const principal_t *who, int q, size_t *moves)
{
    area_t a = {0};
    double x, y;
    random_pos(&x, &y);
    if (next() % 3) {
        shape_point(&a.shape, x, y);
        a.radius = next() % 5 ? urand() * 3000 : 0;
    } else if (next() % 4) {
        shape_star(&a.shape, x, y, 100 + urand() * 2500, 3 + (int)(next() % 5));
    } else { /* a narrowed operation's MultiPolygon */
        shape_two_stars(&a.shape, x, y, 200 + urand() * 1500, (urand() - 0.5) * 6000, (urand() - 0.5) * 6000);
    }
    int64_t from = T0 + (int64_t)(urand() * 30 - 15) * DAY_MS + (int64_t)(next() % 1440) * MIN_MS;
    if (next() % 3 == 0) from += (int64_t)(next() % 60000); /* inside a minute */
    int64_t until = from + (next() % 4 ? (int64_t)(next() % 360) * MIN_MS : (int64_t)(next() % 60) * DAY_MS);
    if (next() % 3 == 0) until += (int64_t)(next() % 60000);
    if (next() % 3 == 0) {
        /* A window that starts as one object's validity ends, or ends as it
         * begins, within the same minute (a few ms either side). */
        const tobj_t *o = &objs[next() % NOBJ];
        int64_t jitter = (int64_t)(next() % 2001) - 1000;
        if (next() % 2 && o->t1 != INT64_MAX) from = o->t1 + jitter, until = from + (int64_t)(next() % 360) * MIN_MS;
        else until = o->t0 + jitter, from = until - (int64_t)(next() % 360) * MIN_MS;
        shape_free(&a.shape);
        shape_point(&a.shape, o->shape.x0, o->shape.y0);
        a.radius = urand() * 500;
    }
    unsigned kmask = next() % 4 ? 0 : (unsigned)(next() % 31);
    int skip = (int)(next() % NOBJ);
    double buffer = next() % 3 ? urand() * 300 : 0;
    if (next() % 2) aim_at_route(&a, &from, &until, &buffer, &skip, &kmask);
    dc_query_t dq = {.area = &a, .from = from, .until = until, .buffer_m = buffer, .kinds = kmask, .who = who,
                     .skip_kind = objs[skip].kind, .skip_id = objs[skip].id};
    conflict_t *got = NULL;
    size_t n = 0;
    assert_int_equal(dc_check(d, &dq, &got, &n), 0);
    conflict_t *want = calloc((size_t)NOBJ * (MAX_VERTS - 1), sizeof *want);
    assert_non_null(want);
    size_t m = 0;
    for (int i = 0; i < NOBJ; i++) {
        const tobj_t *o = &objs[i];
        if (!o->live || i == skip || o->t0 > until || o->t1 < from) continue;
        if (kmask && !(kmask & (1u << o->kind))) continue;
        if (who && !auth_may_see(who, o->labels)) continue;
        if (o->kind == DC_MOVEMENT) {
            for (int s = 0; s + 1 < o->shape.n; s++)
                if (judge(o, s, &dq, &want[m])) want[m++].num = (uint64_t)i;
            continue;
        }
        double dist = area_dist(&a, &o->shape);
        if (dist > o->prot + dq.buffer_m) continue;
        want[m++] = (conflict_t){.kind = o->kind, .id = o->id, .num = (uint64_t)i, .distance_m = dist,
                                 .protection_m = o->prot, .segment = -1};
    }
    qsort(want, m, sizeof *want, cmp_expected);
    int bad = n != m;
    for (size_t i = 0; i < n && !bad; i++) {
        const conflict_t *g = &got[i], *w = &want[i];
        bad = !same_conflict(g, w) || g->kind != w->kind || g->num != w->num || g->distance_m != w->distance_m ||
              g->protection_m != w->protection_m;
        if (!bad && w->segment >= 0) {
            /* The planned times inside: as judged, inside the segment's time. */
            const tobj_t *o = &objs[w->num];
            int64_t ta = o->times[w->segment], tb = o->times[w->segment + 1];
            bad = g->inside_from != w->inside_from || g->inside_until != w->inside_until || g->inside_from < ta ||
                  g->inside_until > tb || g->inside_from > g->inside_until;
        }
    }
    if (bad) {
        for (size_t i = 0; i < m; i++) {
            size_t j = 0;
            while (j < n && !same_conflict(&want[i], &got[j])) j++;
            if (j == n) print_conflict("missing", &want[i]);
            else if (got[j].distance_m != want[i].distance_m || got[j].inside_from != want[i].inside_from ||
                     got[j].inside_until != want[i].inside_until)
                print_conflict("expected", &want[i]), print_conflict("     got", &got[j]);
        }
        for (size_t j = 0; j < n; j++) {
            size_t i = 0, twice = 0;
            while (i < m && !same_conflict(&want[i], &got[j])) i++;
            for (size_t k = 0; k < j; k++) twice |= same_conflict(&got[k], &got[j]);
            if (i == m || twice) print_conflict(twice ? "twice" : "extra", &got[j]);
        }
        for (size_t i = 0; i < n && i < m; i++)
            if (!same_conflict(&got[i], &want[i])) {
                print_message("first out of order at %zu: ", i);
                print_conflict("got", &got[i]);
                break;
            }
        fail_msg("query %d (%s, radius %.1f, buffer %.3f, from %lld until %lld, kinds %u, skip %s): %zu conflicts, "
                 "expected %zu",
                 q, a.shape.type == SH_POINT ? "circle" : "polygon", a.radius, dq.buffer_m, (long long)from,
                 (long long)until, kmask, dq.skip_id, n, m);
    }
    for (size_t i = 0; i < n; i++) *moves += got[i].kind == DC_MOVEMENT;
    free(got);
    free(want);
    shape_free(&a.shape);
    return n;
}

/* How many segments of a route a check over its whole box and time finds. */
static int route_found(dc_t *d, const tobj_t *o)
{
    area_t a = {0};
    const shape_t *s = &o->shape;
    shape_point(&a.shape, (s->x0 + s->x1) / 2, (s->y0 + s->y1) / 2);
    a.radius = hypot(s->x1 - s->x0, s->y1 - s->y0) / 2 + 1;
    dc_query_t dq = {.area = &a, .from = o->times[0], .until = o->times[s->n - 1],
                     .kinds = next() % 2 ? 1u << DC_MOVEMENT : 0, .skip_kind = -1};
    conflict_t *got = NULL;
    size_t n = 0;
    assert_int_equal(dc_check(d, &dq, &got, &n), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (got[i].kind == DC_MOVEMENT && !strcmp(got[i].id, o->id)) {
            assert_int_equal(got[i].segment, found);
            assert_true(got[i].distance_m == 0);
            found++;
        }
    free(got);
    shape_free(&a.shape);
    return found;
}

/* A route moved (its shape shifted) or retimed (its times shifted by hours
 * to weeks, or stretched), put again in place without a drop. */
static void move_route(dc_t *d, int i)
{
    tobj_t *o = &objs[i];
    if (next() % 2) {
        double dx = (urand() - 0.5) * 10000, dy = (urand() - 0.5) * 10000;
        for (int k = 0; k < o->shape.n; k++) o->shape.p[k].x += dx, o->shape.p[k].y += dy;
        line_bbox(&o->shape);
    } else {
        int64_t shift = next() % 2 ? (int64_t)(next() % (2 * DAY_MS)) - DAY_MS : (int64_t)(next() % 40) * DAY_MS;
        int64_t t0 = o->times[0];
        double stretch = next() % 2 ? 1 : 0.2 + urand() * 3;
        for (int k = 0; k < o->shape.n; k++)
            o->times[k] = t0 + shift + (int64_t)((double)(o->times[k] - t0) * stretch);
        o->t0 = o->times[0];
        o->t1 = o->times[o->shape.n - 1];
    }
    put(d, i);
}

static void test_against_scan(void **state)
{
    (void)state;
    unit_rng = 0xD1CEB00C5EEDULL;
    label_sets[0] = json_pack("[s]", "all");
    label_sets[1] = json_pack("[s, s]", "org:CMCC", "org:OCHA");
    label_sets[2] = json_pack("[s]", "org:WFP");
    principal_t ocha = {.username = "ocha.officer", .org = "OCHA", .nroles = 1, .roles = {"humanitarian"}};
    dc_t *d = dc_new();
    assert_non_null(d);
    int nmove = 0;
    for (int i = 0; i < NOBJ; i++) {
        random_obj(i);
        put(d, i);
        nmove += objs[i].kind == DC_MOVEMENT;
    }
    assert_int_equal(dc_count(d), NOBJ);
    assert_true(nmove > NOBJ / 8);
    size_t total = 0, moves = 0;
    for (int q = 0; q < 700; q++) total += run_query(d, q % 4 ? NULL : &ocha, q, &moves);
    /* Move a third of them, drop another third; move or retime routes in
     * place. A dropped route leaves nothing behind. */
    int gone = 0;
    for (int i = 0; i < NOBJ; i++) {
        if (i % 3 == 2) {
            if (objs[i].kind == DC_MOVEMENT) move_route(d, i);
            continue;
        }
        tobj_t *o = &objs[i];
        int check = o->kind == DC_MOVEMENT && gone < 60;
        if (check) assert_int_equal(route_found(d, o), o->shape.n - 1);
        dc_drop(d, o->kind, o->id);
        if (check) assert_int_equal(route_found(d, o), 0), gone++;
        if (i % 3 == 0) {
            free_obj(o);
            random_obj(i);
            put(d, i);
        } else {
            o->live = 0;
        }
    }
    assert_int_equal(dc_count(d), NOBJ - (NOBJ + 1) / 3);
    for (int q = 0; q < 700; q++) total += run_query(d, q % 4 ? NULL : &ocha, 700 + q, &moves);
    assert_true(total > 2000); /* the checks did find conflicts */
    assert_true(moves > 500);  /* among them, segments of routes */
    /* Everything dropped: nothing left in the grid or the index. */
    for (int i = 0; i < NOBJ; i++)
        if (objs[i].live) dc_drop(d, objs[i].kind, objs[i].id);
    size_t grid, layers, index;
    dc_stats(d, &grid, &layers, &index);
    assert_int_equal(dc_count(d), 0);
    assert_int_equal(grid, 0);
    assert_int_equal(layers, 0); /* emptied layers are freed */
    assert_int_equal(index, 0);
    dc_free(d);
    for (int i = 0; i < NOBJ; i++) free_obj(&objs[i]);
    for (int i = 0; i < 3; i++) json_decref(label_sets[i]);
}

/* The same with the scan's portable filter (the one a CPU without AVX2 runs). */
static void test_against_scan_portable(void **state)
{
    dc__portable = 1;
    test_against_scan(state);
    dc__portable = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_scan),
        cmocka_unit_test(test_against_scan_portable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
