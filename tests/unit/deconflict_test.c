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
 * the grid's 250 m cells, a few 70-300 km away (beyond the grid's edge). */
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
    json_t *labels;
} tobj_t;

static tobj_t objs[NOBJ];
static json_t *label_sets[3];
static const int kinds[] = {DC_SITE, DC_NOSTRIKE, DC_UNIT, DC_OPERATION};

static void random_obj(int i)
{
    tobj_t *o = &objs[i];
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
    double p[] = {0, 100, 150, 300, 500, 1000, 1500, 4000, 123.456789}; /* the last: not a float */
    o->prot = p[next() % 9];
    random_span(&o->t0, &o->t1);
    o->labels = label_sets[next() % 3];
}

static void put(dc_t *d, int i)
{
    tobj_t *o = &objs[i];
    shape_t copy;
    assert_int_equal(shape_copy(&copy, &o->shape), 0);
    dc_object_t in = {.kind = o->kind, .id = o->id, .category = "c", .protection_m = o->prot, .shape = copy,
                      .t0 = o->t0, .t1 = o->t1, .labels = o->labels};
    assert_int_equal(dc_put(d, &in), 0);
    o->live = 1;
}

static int cmp_expected(const void *a, const void *b)
{
    const conflict_t *x = a, *y = b;
    /* By distance as the API reports it, in whole centimetres. */
    uint64_t cx = (uint64_t)(x->distance_m * 100 + 0.5), cy = (uint64_t)(y->distance_m * 100 + 0.5);
    if (cx != cy) return cx < cy ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    return x->num < y->num ? -1 : x->num > y->num;
}

static size_t run_query(dc_t *d, const principal_t *who, int q)
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
    dc_query_t dq = {.area = &a, .from = from, .until = until, .buffer_m = next() % 3 ? urand() * 300 : 0,
                     .kinds = kmask, .who = who, .skip_kind = objs[skip].kind, .skip_id = objs[skip].id};
    conflict_t *got = NULL;
    size_t n = 0;
    assert_int_equal(dc_check(d, &dq, &got, &n), 0);
    conflict_t *want = calloc(NOBJ, sizeof *want);
    assert_non_null(want);
    size_t m = 0;
    for (int i = 0; i < NOBJ; i++) {
        const tobj_t *o = &objs[i];
        if (!o->live || i == skip || o->t0 > until || o->t1 < from) continue;
        if (kmask && !(kmask & (1u << o->kind))) continue;
        if (who && !auth_may_see(who, o->labels)) continue;
        double dist = area_dist(&a, &o->shape);
        if (dist > o->prot + dq.buffer_m) continue;
        want[m++] = (conflict_t){.kind = o->kind, .id = o->id, .num = (uint64_t)i, .distance_m = dist, .protection_m = o->prot};
    }
    qsort(want, m, sizeof *want, cmp_expected);
    if (n != m) {
        for (size_t i = 0, j = 0; i < m || j < n;) {
            int c = i < m && j < n ? strcmp(want[i].id, got[j].id) : i < m ? -1 : 1;
            if (c < 0) print_message("missing %s at %.3f m\n", want[i].id, want[i].distance_m), i++;
            else if (c > 0) print_message("extra %s at %.3f m\n", got[j].id, got[j].distance_m), j++;
            else i++, j++;
        }
        fail_msg("query %d (%s, radius %.1f, buffer %.1f): %zu conflicts, expected %zu", q,
                 a.shape.type == SH_POINT ? "circle" : "polygon", a.radius, dq.buffer_m, n, m);
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(got[i].id, want[i].id) || got[i].distance_m != want[i].distance_m ||
            got[i].protection_m != want[i].protection_m)
            fail_msg("query %d, conflict %zu: %s at %.6f m, expected %s at %.6f m", q, i, got[i].id,
                     got[i].distance_m, want[i].id, want[i].distance_m);
        assert_int_equal(got[i].segment, -1);
    }
    free(got);
    free(want);
    shape_free(&a.shape);
    return n;
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
    for (int i = 0; i < NOBJ; i++) {
        random_obj(i);
        put(d, i);
    }
    assert_int_equal(dc_count(d), NOBJ);
    size_t total = 0;
    for (int q = 0; q < 400; q++) total += run_query(d, q % 4 ? NULL : &ocha, q);
    /* Move a third of them, drop another third. */
    for (int i = 0; i < NOBJ; i++) {
        if (i % 3 == 0) {
            dc_drop(d, objs[i].kind, objs[i].id);
            shape_free(&objs[i].shape);
            random_obj(i);
            put(d, i);
        } else if (i % 3 == 1) {
            dc_drop(d, objs[i].kind, objs[i].id);
            objs[i].live = 0;
        }
    }
    assert_int_equal(dc_count(d), NOBJ - (NOBJ + 1) / 3);
    for (int q = 0; q < 400; q++) total += run_query(d, q % 4 ? NULL : &ocha, 400 + q);
    assert_true(total > 2000); /* the checks did find conflicts */
    dc_free(d);
    for (int i = 0; i < NOBJ; i++) shape_free(&objs[i].shape);
    for (int i = 0; i < 3; i++) json_decref(label_sets[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
