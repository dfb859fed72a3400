/*
 * stindex_test.c — the space-time index (src/stindex.c) against a brute-force
 * scan of the same entries: every query must report exactly the entries whose
 * box meets the query's box and whose time meets its time (closed intervals),
 * each (obj, part) once, before and after removals; early stop; edges that
 * fall exactly on cell and bucket boundaries; negative coordinates and
 * times; entries from minutes long to open-ended.
 */
#include "unit.h"

#include <math.h>

#include "stindex.h"

#define MIN_MS (60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define T0 1780272000000LL /* 2026-06-01 */

#define next unit_next
#define urand unit_urand

/* A random time span: minutes to hours, days, months, or open-ended; some
 * before 1970 (negative), some on bucket edges. */
static void random_span(int64_t *t0, int64_t *t1)
{
    int64_t base = T0 + (int64_t)(urand() * 60) * DAY_MS - 30 * DAY_MS;
    switch (next() % 8) {
    case 0: *t0 = base + (int64_t)(next() % 1440) * MIN_MS, *t1 = *t0 + (int64_t)(next() % 120) * MIN_MS; break;
    case 1: *t0 = base + (int64_t)(next() % 24) * HOUR_MS, *t1 = *t0 + (int64_t)(1 + next() % 24) * HOUR_MS; break;
    case 2: *t0 = base, *t1 = *t0 + (int64_t)(1 + next() % 30) * DAY_MS; break;
    case 3: *t0 = base - 200 * DAY_MS, *t1 = *t0 + (int64_t)(30 + next() % 365) * DAY_MS; break;
    case 4: *t0 = base - (int64_t)(next() % 1000) * DAY_MS, *t1 = INT64_MAX; break;
    case 5: /* exactly on 6-hour and day edges */
        *t0 = (base / (6 * HOUR_MS)) * 6 * HOUR_MS, *t1 = *t0 + 6 * HOUR_MS * (int64_t)(next() % 5); break;
    case 6: *t0 = -(int64_t)(next() % 1000) * DAY_MS, *t1 = *t0 + (int64_t)(next() % 10) * HOUR_MS; break;
    default: *t0 = *t1 = base + (int64_t)(next() % 1440) * MIN_MS; break; /* an instant */
    }
}

/* A random box in a 60 x 60 km plane around the origin: points, small
 * boxes, long thin ones (route segments), a few kilometres wide ones; some
 * on exact multiples of 500 and 1000 m. */
static void random_box(float *x0, float *y0, float *x1, float *y1)
{
    double cx = (urand() - 0.5) * 60000, cy = (urand() - 0.5) * 60000, w, h;
    switch (next() % 5) {
    case 0: w = h = 0; break;
    case 1: w = urand() * 200, h = urand() * 200; break;
    case 2: w = urand() * 5000, h = urand() * 300; break;
    case 3: w = urand() * 6000, h = urand() * 6000; break;
    default:
        cx = 500.0 * (double)(int)(cx / 500), cy = 1000.0 * (double)(int)(cy / 1000);
        w = 500.0 * (double)(next() % 4), h = 1000.0 * (double)(next() % 3);
        break;
    }
    *x0 = (float)cx, *y0 = (float)cy, *x1 = (float)(cx + w), *y1 = (float)(cy + h);
}

typedef struct {
    st_entry_t *e;
    int *live;
    size_t n;
} set_t;

static set_t make_set(stindex_t *ix, size_t n)
{
    set_t s = {calloc(n, sizeof(st_entry_t)), calloc(n, sizeof(int)), n};
    assert_non_null(s.e);
    assert_non_null(s.live);
    for (size_t i = 0; i < n; i++) {
        st_entry_t *e = &s.e[i];
        random_box(&e->x0, &e->y0, &e->x1, &e->y1);
        random_span(&e->t0, &e->t1);
        e->obj = (uint32_t)(i / 3);
        e->part = (uint32_t)(i % 3); /* several parts per object, like route segments */
        assert_int_equal(stindex_add(ix, e), 0);
        s.live[i] = 1;
    }
    return s;
}

static void free_set(set_t *s)
{
    free(s->e);
    free(s->live);
}

typedef struct {
    uint8_t *seen; /* per entry index (obj * 3 + part) */
    size_t n, visits, dup;
    size_t stop_after;
} visit_t;

static int visit(void *arg, const st_entry_t *e)
{
    visit_t *v = arg;
    size_t i = (size_t)e->obj * 3 + e->part;
    assert_true(i < v->n);
    if (v->seen[i]) v->dup++;
    v->seen[i] = 1;
    v->visits++;
    return v->stop_after && v->visits >= v->stop_after;
}

static int meets(const st_entry_t *e, double x0, double y0, double x1, double y1, int64_t t0, int64_t t1)
{
    return !(e->x0 > x1 || e->x1 < x0 || e->y0 > y1 || e->y1 < y0 || e->t0 > t1 || e->t1 < t0);
}

/* One query against the brute-force answer; returns the matches. */
static size_t check_query(stindex_t *ix, const set_t *s, double x0, double y0, double x1, double y1, int64_t t0,
                          int64_t t1)
{
    visit_t v = {calloc(s->n, 1), s->n, 0, 0, 0};
    assert_non_null(v.seen);
    stindex_query(ix, x0, y0, x1, y1, t0, t1, visit, &v);
    if (v.dup) fail_msg("query [%g,%g]x[%g,%g] t [%lld,%lld]: %zu duplicates", x0, x1, y0, y1, (long long)t0,
                        (long long)t1, v.dup);
    size_t want = 0;
    for (size_t i = 0; i < s->n; i++) {
        int m = s->live[i] && meets(&s->e[i], x0, y0, x1, y1, t0, t1);
        want += (size_t)m;
        if (m != v.seen[i]) {
            const st_entry_t *e = &s->e[i];
            fail_msg("query [%.3f,%.3f]x[%.3f,%.3f] t [%lld,%lld]: entry %zu (box [%.3f,%.3f]x[%.3f,%.3f] t [%lld,%lld]) "
                     "%s",
                     x0, x1, y0, y1, (long long)t0, (long long)t1, i, e->x0, e->x1, e->y0, e->y1, (long long)e->t0,
                     (long long)e->t1, m ? "missed" : "reported but does not meet the query");
        }
    }
    assert_int_equal(v.visits, want);
    free(v.seen);
    return want;
}

static void random_query(double *x0, double *y0, double *x1, double *y1, int64_t *t0, int64_t *t1)
{
    float a, b, c, d;
    random_box(&a, &b, &c, &d);
    double grow = urand() < 0.5 ? urand() * 2500 : 0;
    *x0 = a - grow, *y0 = b - grow, *x1 = c + grow, *y1 = d + grow;
    int64_t base = T0 + (int64_t)(urand() * 60) * DAY_MS - 30 * DAY_MS + (int64_t)(next() % 1440) * MIN_MS;
    switch (next() % 4) {
    case 0: *t0 = base, *t1 = base + (int64_t)(1 + next() % 6) * HOUR_MS; break;
    case 1: *t0 = (base / (6 * HOUR_MS)) * 6 * HOUR_MS, *t1 = *t0 + 6 * HOUR_MS; break; /* bucket edges */
    case 2: *t0 = base, *t1 = base + (int64_t)(1 + next() % 31) * DAY_MS; break;       /* a month */
    default: *t0 = *t1 = base; break;                                                  /* an instant */
    }
}

static void stindex_matches_brute_force(void **state)
{
    (void)state;
    stindex_t *ix = stindex_new(500);
    assert_non_null(ix);
    set_t s = make_set(ix, 6000);
    assert_int_equal(stindex_count(ix), 6000);
    assert_true(stindex_memory(ix) >= 6000 * sizeof(st_entry_t));
    size_t total = 0;
    for (int q = 0; q < 1500; q++) {
        double x0, y0, x1, y1;
        int64_t t0, t1;
        random_query(&x0, &y0, &x1, &y1, &t0, &t1);
        total += check_query(ix, &s, x0, y0, x1, y1, t0, t1);
    }
    assert_true(total > 1500); /* the queries did find things */
    /* The whole plane over ten days; a small box over a long window (back
     * to 1967, the negative times). */
    check_query(ix, &s, -40000, -40000, 40000, 40000, T0 - 5 * DAY_MS, T0 + 5 * DAY_MS);
    check_query(ix, &s, -1000, -1000, 1000, 1000, -1000 * DAY_MS, T0 + 400 * DAY_MS);
    free_set(&s);
    stindex_free(ix);
}

static void stindex_removal(void **state)
{
    (void)state;
    stindex_t *ix = stindex_new(500);
    assert_non_null(ix);
    set_t s = make_set(ix, 4000);
    size_t live = s.n;
    for (size_t i = 0; i < s.n; i++)
        if (next() % 2) {
            stindex_remove(ix, &s.e[i]);
            s.live[i] = 0;
            live--;
        }
    assert_int_equal(stindex_count(ix), live);
    for (int q = 0; q < 800; q++) {
        double x0, y0, x1, y1;
        int64_t t0, t1;
        random_query(&x0, &y0, &x1, &y1, &t0, &t1);
        check_query(ix, &s, x0, y0, x1, y1, t0, t1);
    }
    /* Removing what is not there changes nothing; re-adding works. */
    for (size_t i = 0; i < s.n; i++)
        if (!s.live[i]) stindex_remove(ix, &s.e[i]);
    assert_int_equal(stindex_count(ix), live);
    for (size_t i = 0; i < s.n; i += 2)
        if (!s.live[i]) {
            assert_int_equal(stindex_add(ix, &s.e[i]), 0);
            s.live[i] = 1;
            live++;
        }
    assert_int_equal(stindex_count(ix), live);
    for (int q = 0; q < 400; q++) {
        double x0, y0, x1, y1;
        int64_t t0, t1;
        random_query(&x0, &y0, &x1, &y1, &t0, &t1);
        check_query(ix, &s, x0, y0, x1, y1, t0, t1);
    }
    /* Everything out: nothing found, and the count is 0. */
    for (size_t i = 0; i < s.n; i++)
        if (s.live[i]) {
            stindex_remove(ix, &s.e[i]);
            s.live[i] = 0;
        }
    assert_int_equal(stindex_count(ix), 0);
    assert_int_equal(check_query(ix, &s, -40000, -40000, 40000, 40000, T0 - 400 * DAY_MS, T0 + 400 * DAY_MS), 0);
    free_set(&s);
    stindex_free(ix);
}

/* Boxes and times that touch the query only at an edge or an instant count,
 * on cell and bucket boundaries and off them. */
static void stindex_closed_edges(void **state)
{
    (void)state;
    stindex_t *ix = stindex_new(500);
    assert_non_null(ix);
    int64_t b = 1780272000000LL; /* a multiple of 6 h */
    st_entry_t e[] = {
        {0, 0, 500, 500, b, b + 6 * HOUR_MS, 0, 0},               /* exactly one cell and bucket */
        {500, 0, 1000, 0, b + 6 * HOUR_MS, b + 6 * HOUR_MS, 0, 1}, /* a line on the next cell's edge, an instant */
        {-500, -500, 0, 0, b - 6 * HOUR_MS, b, 0, 2},              /* the cell and bucket before */
        {-0.5f, -0.5f, -0.5f, -0.5f, INT64_MIN / 2, INT64_MAX, 1, 0},
        {250, 250, 250, 250, b + 3 * HOUR_MS, INT64_MAX, 1, 1},
        {-30000, 10, 30000, 12, b + 20 * DAY_MS, b + 200 * DAY_MS, 1, 2}, /* a long thin box, a long span */
    };
    set_t s = {e, (int[]){1, 1, 1, 1, 1, 1}, 6};
    for (size_t i = 0; i < s.n; i++) assert_int_equal(stindex_add(ix, &e[i]), 0);
    /* Point queries on corners, at instants on bucket edges. */
    double xs[] = {-500, -0.5, 0, 250, 500, 1000, 1000.001};
    int64_t ts[] = {b - 6 * HOUR_MS, b - 1, b, b + 1, b + 3 * HOUR_MS, b + 6 * HOUR_MS, b + 6 * HOUR_MS + 1,
                    b + 20 * DAY_MS, b + 200 * DAY_MS};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
        for (size_t j = 0; j < sizeof xs / sizeof *xs; j++)
            for (size_t k = 0; k < sizeof ts / sizeof *ts; k++) {
                check_query(ix, &s, xs[i], xs[j], xs[i], xs[j], ts[k], ts[k]);
                check_query(ix, &s, xs[i], xs[j], xs[i] + 500, xs[j] + 11, ts[k], ts[k] + HOUR_MS);
            }
    /* Each entry alone, by a query equal to its own box and span. */
    for (size_t i = 0; i < s.n; i++) {
        int64_t t0 = e[i].t0 < 0 ? b : e[i].t0; /* the entry from the dawn of time: a window in 2026 */
        int64_t t1 = e[i].t1 == INT64_MAX ? t0 + 100 * DAY_MS : e[i].t1;
        assert_true(check_query(ix, &s, e[i].x0, e[i].y0, e[i].x1, e[i].y1, t0, t1) >= 1);
    }
    stindex_free(ix);
}

static void stindex_early_stop(void **state)
{
    (void)state;
    stindex_t *ix = stindex_new(500);
    assert_non_null(ix);
    for (uint32_t i = 0; i < 100; i++) {
        /* All in one place and time: every one matches. */
        st_entry_t e = {-700, -700, 700, 700, T0, T0 + HOUR_MS, i, 0};
        assert_int_equal(stindex_add(ix, &e), 0);
    }
    uint8_t seen[300] = {0};
    visit_t v = {seen, 300, 0, 0, 7};
    stindex_query(ix, -1, -1, 1, 1, T0, T0, visit, &v);
    assert_int_equal(v.visits, 7);
    memset(seen, 0, sizeof seen);
    visit_t all = {seen, 300, 0, 0, 0};
    stindex_query(ix, -1000, -1000, 1000, 1000, T0 - DAY_MS, T0 + DAY_MS, visit, &all);
    assert_int_equal(all.visits, 100);
    assert_int_equal(all.dup, 0);
    /* Nothing outside its time or box. */
    memset(seen, 0, sizeof seen);
    visit_t none = {seen, 300, 0, 0, 0};
    stindex_query(ix, -1000, -1000, 1000, 1000, T0 + HOUR_MS + 1, T0 + DAY_MS, visit, &none);
    stindex_query(ix, 701, -1000, 2000, 1000, T0, T0 + DAY_MS, visit, &none);
    assert_int_equal(none.visits, 0);
    stindex_free(ix);
}

/* Other cell sizes: the answer does not depend on the cell. */
static void stindex_cell_sizes(void **state)
{
    (void)state;
    static const double cells[] = {100, 1000, 7000};
    for (size_t c = 0; c < sizeof cells / sizeof *cells; c++) {
        stindex_t *ix = stindex_new(cells[c]);
        assert_non_null(ix);
        set_t s = make_set(ix, 1500);
        for (int q = 0; q < 300; q++) {
            double x0, y0, x1, y1;
            int64_t t0, t1;
            random_query(&x0, &y0, &x1, &y1, &t0, &t1);
            check_query(ix, &s, x0, y0, x1, y1, t0, t1);
        }
        free_set(&s);
        stindex_free(ix);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stindex_matches_brute_force),
        cmocka_unit_test(stindex_removal),
        cmocka_unit_test(stindex_closed_edges),
        cmocka_unit_test(stindex_early_stop),
        cmocka_unit_test(stindex_cell_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
