/*
 * deconflict.c — see deconflict.h. Objects live in an array (their index is
 * the obj number of their index entries; freed numbers are reused); a jansson
 * object maps "kind/id" to the number.
 *
 * Two indexes, by how long an object lasts:
 *  - Long-lived objects (valid a day or more: sites, the no-strike list,
 *    operations of a day or more) whose protection is at most GRID_PROT and
 *    an exact float sit in a dense grid of GRID_CELL squares over the plane,
 *    filed by their bare box (a point in one cell). Each entry is one cache
 *    line with what a conflict is made of (the point or box, protection,
 *    kind, id, category, labels); beside the entries, in the same block,
 *    their validity in whole minutes, which the time test reads first. A
 *    check reads the cells near its area a row at a time, judging one cell
 *    while the next one's entries are prefetched, and touches an object only
 *    for a polygon near the area's edge or a time in the window's edge
 *    minute. A cell farther from the area than its largest protection is
 *    skipped; a cell wholly inside the area gives its points distance 0 at
 *    once; near a query polygon only the edges within reach are tried.
 *    Coordinates beyond the grid fall in its edge cells (clamped), so the
 *    grid is exact anywhere and fast over the mission area.
 *    tests/unit/deconflict_test.c holds it to a brute-force scan.
 *  - The rest (movements, unit positions, short operations) go to the
 *    space-time index (stindex.h) with time buckets, each box grown by the
 *    object's own protection distance; a movement once per piece of each
 *    route segment.
 * A check first collects compact matches (object, segment, distance, sort
 * key), radix-sorts them, then resolves them into conflicts.
 */
#include "deconflict.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_M 1000.0   /* the space-time index's cells */
#define BOX_PAD 1.0    /* metres: index boxes are floats; pad outward so rounding never loses a hit */
#define GRID_CELL 250.0
#define GRID_HALF 256  /* cells either side of the plane's origin (the mission centre): 64 km */
#define GRID_N (2 * GRID_HALF)
#define GRID_PROT 1000.0
#define LONG_MS (24LL * 3600 * 1000)

const char *const dc_kind_names[DC__KINDS] = {"site", "nostrike", "movement", "unit", "operation"};

/* What resolving a conflict reads comes first: one cache line. */
typedef struct {
    int kind;
    int used, in_grid;
    uint64_t num;     /* the id's trailing number, for a cheap sort */
    char *id, *category;
    double protection;
    json_t *labels;
    int64_t t0, t1;
    shape_t shape;
    int64_t *times;   /* movements: per vertex */
} __attribute__((aligned(64))) obj_t;

/* A grid entry: one cache line, with all a conflict is made of (the exact
 * times are the object's: the minutes beside the entries settle all but
 * the windows that start or end in the same minute as the object). */
typedef struct {
    double x, y;           /* a point: the point; else its box's low corner */
    float w, h;            /* the box's size; 0 for a point */
    float prot;
    uint32_t obj;
    const char *id, *category;
    const json_t *labels;
    uint8_t kind, multi;   /* multi: filed in more than one cell */
    uint16_t pad_;
    uint32_t num;          /* the id's trailing number (the sort's key), capped */
} gent_t;

/* A cell: its entries, and beside them their times in whole minutes
 * (widened outward), so the time test, which most entries fail, reads 8
 * bytes an entry instead of 64. */
typedef struct {
    gent_t *e;          /* in tm's block */
    int32_t (*tm)[2];   /* the block, allocated whole */
    uint32_t n, cap;
    float maxprot;    /* the largest protection filed here (never lowered) */
} gcell_t;

static int32_t minute_floor(int64_t t)
{
    int64_t m = t >= 0 ? t / 60000 : -((-t - 1) / 60000) - 1;
    return m < INT32_MIN ? INT32_MIN : m > INT32_MAX ? INT32_MAX : (int32_t)m;
}

static int32_t minute_ceil(int64_t t)
{
    if (t == INT64_MAX) return INT32_MAX;
    int32_t m = minute_floor(t);
    return (int64_t)m * 60000 < t && m < INT32_MAX ? m + 1 : m;
}

struct dc {
    obj_t *o;
    uint32_t n, cap;
    uint32_t *freelist;
    uint32_t nfree;
    json_t *ids;      /* "kind/id" -> integer obj number */
    stindex_t *ix;
    gcell_t *grid;    /* GRID_N * GRID_N, row-major by y */
    double grid_prot; /* the largest protection in the grid (never lowered) */
    size_t count, grid_entries;
};

dc_t *dc_new(void)
{
    dc_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->ids = json_object();
    d->ix = stindex_new(CELL_M);
    d->grid = calloc((size_t)GRID_N * GRID_N, sizeof *d->grid);
    if (!d->ids || !d->ix || !d->grid) {
        dc_free(d);
        return NULL;
    }
    return d;
}

static void obj_clear(obj_t *o)
{
    free(o->id);
    free(o->category);
    free(o->times);
    shape_free(&o->shape);
    memset(o, 0, sizeof *o);
}

void dc_free(dc_t *d)
{
    if (!d) return;
    for (uint32_t i = 0; i < d->n; i++) obj_clear(&d->o[i]);
    free(d->o);
    free(d->freelist);
    json_decref(d->ids);
    stindex_free(d->ix);
    if (d->grid)
        for (size_t i = 0; i < (size_t)GRID_N * GRID_N; i++) {
            free(d->grid[i].tm); /* the block: the entries are in it */
        }
    free(d->grid);
    free(d);
}

static void key_of(char *k, size_t n, int kind, const char *id)
{
    snprintf(k, n, "%s/%s", dc_kind_names[kind], id);
}

/* ---- the grid ---- */

static int gcell(double v)
{
    double c = floor(v / GRID_CELL) + GRID_HALF;
    return c < 0 ? 0 : c > GRID_N - 1 ? GRID_N - 1 : (int)c;
}

static int grid_wants(const obj_t *o)
{
    /* The entry keeps the protection as a float: only when that is exact. */
    return o->kind != DC_MOVEMENT && o->protection <= GRID_PROT && (double)(float)o->protection == o->protection &&
           o->t1 - o->t0 >= LONG_MS;
}

static int grid_add(dc_t *d, const obj_t *o, uint32_t num)
{
    const shape_t *s = &o->shape;
    int x0 = gcell(s->x0), x1 = gcell(s->x1), y0 = gcell(s->y0), y1 = gcell(s->y1);
    gent_t e = {.x = s->type == SH_POINT ? s->p[0].x : s->x0, .y = s->type == SH_POINT ? s->p[0].y : s->y0,
                .w = s->type == SH_POINT ? 0 : (float)(s->x1 - s->x0) + (float)BOX_PAD,
                .h = s->type == SH_POINT ? 0 : (float)(s->y1 - s->y0) + (float)BOX_PAD,
                .prot = (float)o->protection, .obj = num, .id = o->id, .category = o->category, .labels = o->labels,
                .kind = (uint8_t)o->kind, .multi = x0 != x1 || y0 != y1,
                .num = o->num > UINT32_MAX ? UINT32_MAX : (uint32_t)o->num};
    if (e.w > 0) { /* the box as floats, never smaller than the shape's */
        e.x = nextafter(e.x, -INFINITY);
        e.y = nextafter(e.y, -INFINITY);
    }
    for (int cy = y0; cy <= y1; cy++)
        for (int cx = x0; cx <= x1; cx++) {
            gcell_t *c = &d->grid[(size_t)cy * GRID_N + (size_t)cx];
            if (c->n == c->cap) {
                /* One block: the minutes, then the entries (cap a multiple
                 * of 8, so they start on a cache line). */
                uint32_t cap = c->cap ? c->cap * 2 : 8;
                char *blk = aligned_alloc(64, (size_t)cap * (8 + sizeof(gent_t)));
                if (!blk) return -1;
                int32_t(*tm)[2] = (int32_t(*)[2])blk;
                gent_t *p = (gent_t *)(blk + (size_t)cap * 8);
                if (c->n) {
                    memcpy(tm, c->tm, (size_t)c->n * 8);
                    memcpy(p, c->e, (size_t)c->n * sizeof *p);
                }
                free(c->tm);
                c->tm = tm;
                c->e = p;
                c->cap = cap;
            }
            c->tm[c->n][0] = minute_floor(o->t0);
            c->tm[c->n][1] = minute_ceil(o->t1);
            c->e[c->n++] = e;
            if (e.prot > c->maxprot) c->maxprot = e.prot;
            d->grid_entries++;
        }
    if (o->protection > d->grid_prot) d->grid_prot = o->protection;
    return 0;
}

static void grid_remove(dc_t *d, const obj_t *o, uint32_t num)
{
    const shape_t *s = &o->shape;
    int x0 = gcell(s->x0), x1 = gcell(s->x1), y0 = gcell(s->y0), y1 = gcell(s->y1);
    for (int cy = y0; cy <= y1; cy++)
        for (int cx = x0; cx <= x1; cx++) {
            gcell_t *c = &d->grid[(size_t)cy * GRID_N + (size_t)cx];
            for (uint32_t i = 0; i < c->n; i++)
                if (c->e[i].obj == num) {
                    c->n--;
                    c->e[i] = c->e[c->n];
                    memcpy(c->tm[i], c->tm[c->n], sizeof c->tm[i]);
                    d->grid_entries--;
                    break;
                }
        }
}

/* ---- the space-time index ---- */

/* A route segment is filed in pieces no longer than a cell, so a long
 * diagonal leg costs the cells along it, not every cell of its box. Part
 * numbers: segment << 8 | piece. */
#define MAX_PIECES 255

static int pieces_of(pt_t a, pt_t b)
{
    double len = sqrt((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y));
    int n = (int)ceil(len / CELL_M);
    return n < 1 ? 1 : n > MAX_PIECES ? MAX_PIECES : n;
}

/* The index entries of an object: one, or the pieces of each route segment.
 * fn NULL removes them. */
static int entries(const obj_t *o, uint32_t num, int (*fn)(stindex_t *, const st_entry_t *), stindex_t *ix)
{
    double pad = o->protection + BOX_PAD;
    if (o->kind == DC_MOVEMENT && o->shape.type == SH_LINE && o->times) {
        for (int i = 0; i + 1 < o->shape.n; i++) {
            pt_t a = o->shape.p[i], b = o->shape.p[i + 1];
            int np = pieces_of(a, b);
            for (int k = 0; k < np; k++) {
                pt_t p = {a.x + (b.x - a.x) * k / np, a.y + (b.y - a.y) * k / np};
                pt_t q = {a.x + (b.x - a.x) * (k + 1) / np, a.y + (b.y - a.y) * (k + 1) / np};
                if (k + 1 == np) q = b;
                st_entry_t e = {.x0 = (float)((p.x < q.x ? p.x : q.x) - pad),
                                .y0 = (float)((p.y < q.y ? p.y : q.y) - pad),
                                .x1 = (float)((p.x > q.x ? p.x : q.x) + pad),
                                .y1 = (float)((p.y > q.y ? p.y : q.y) + pad),
                                .t0 = o->times[i], .t1 = o->times[i + 1], .obj = num,
                                .part = (uint32_t)i << 8 | (uint32_t)k};
                if (fn) {
                    if (fn(ix, &e)) return -1;
                } else {
                    stindex_remove(ix, &e);
                }
            }
        }
        return 0;
    }
    st_entry_t e = {.x0 = (float)(o->shape.x0 - pad), .y0 = (float)(o->shape.y0 - pad),
                    .x1 = (float)(o->shape.x1 + pad), .y1 = (float)(o->shape.y1 + pad),
                    .t0 = o->t0, .t1 = o->t1, .obj = num, .part = 0};
    if (fn) return fn(ix, &e);
    stindex_remove(ix, &e);
    return 0;
}

static int file_obj(dc_t *d, const obj_t *o, uint32_t num)
{
    return o->in_grid ? grid_add(d, o, num) : entries(o, num, stindex_add, d->ix);
}

static void unfile_obj(dc_t *d, const obj_t *o, uint32_t num)
{
    if (o->in_grid) grid_remove(d, o, num);
    else entries(o, num, NULL, d->ix);
}

void dc_drop(dc_t *d, int kind, const char *id)
{
    char k[160];
    key_of(k, sizeof k, kind, id);
    json_t *v = json_object_get(d->ids, k);
    if (!v) return;
    uint32_t num = (uint32_t)json_integer_value(v);
    unfile_obj(d, &d->o[num], num);
    obj_clear(&d->o[num]);
    json_object_del(d->ids, k);
    d->freelist[d->nfree++] = num;
    d->count--;
}

int dc_put(dc_t *d, dc_object_t *in)
{
    dc_drop(d, in->kind, in->id);
    uint32_t num;
    if (d->nfree) {
        num = d->freelist[--d->nfree];
    } else {
        if (d->n == d->cap) {
            uint32_t cap = d->cap ? d->cap * 2 : 1024;
            obj_t *o = aligned_alloc(64, cap * sizeof *o); /* whole cache lines */
            uint32_t *fl = realloc(d->freelist, cap * sizeof *fl);
            if (fl) d->freelist = fl;
            if (!o || !fl) {
                free(o);
                return -1;
            }
            if (d->cap) memcpy(o, d->o, d->cap * sizeof *o);
            memset(o + d->cap, 0, (cap - d->cap) * sizeof *o);
            free(d->o);
            d->o = o;
            d->cap = cap;
        }
        num = d->n++;
    }
    obj_t *o = &d->o[num];
    *o = (obj_t){.used = 1, .kind = in->kind, .id = strdup(in->id),
                 .category = strdup(in->category ? in->category : ""), .protection = in->protection_m,
                 .shape = in->shape, .t0 = in->t0, .t1 = in->t1, .labels = in->labels};
    memset(&in->shape, 0, sizeof in->shape);
    if (in->times && o->shape.type == SH_LINE) {
        o->times = malloc((size_t)o->shape.n * sizeof *o->times);
        if (o->times) memcpy(o->times, in->times, (size_t)o->shape.n * sizeof *o->times);
    }
    o->in_grid = grid_wants(o);
    const char *dash = strrchr(in->id, '-');
    o->num = dash ? strtoull(dash + 1, NULL, 10) : 0;
    if (!o->id || !o->category || file_obj(d, o, num)) {
        unfile_obj(d, o, num);
        obj_clear(o);
        d->freelist[d->nfree++] = num;
        return -1;
    }
    char k[160];
    key_of(k, sizeof k, in->kind, in->id);
    json_object_set_new(d->ids, k, json_integer(num));
    d->count++;
    return 0;
}

int dc_object_shape(const dc_t *d, int kind, const char *id, int segment, shape_t *out)
{
    char k[160];
    key_of(k, sizeof k, kind, id);
    json_t *v = json_object_get(d->ids, k);
    if (!v) return -1;
    const obj_t *o = &d->o[json_integer_value(v)];
    if (segment < 0 || o->shape.type != SH_LINE) return shape_copy(out, &o->shape);
    if (segment + 1 >= o->shape.n) return -1;
    memset(out, 0, sizeof *out);
    out->type = SH_LINE;
    out->n = 2;
    out->p = malloc(2 * sizeof *out->p);
    out->ring = calloc(1, sizeof *out->ring);
    if (!out->p || !out->ring) {
        shape_free(out);
        return -1;
    }
    out->p[0] = o->shape.p[segment];
    out->p[1] = o->shape.p[segment + 1];
    out->ring[0] = 2;
    out->x0 = out->p[0].x < out->p[1].x ? out->p[0].x : out->p[1].x;
    out->x1 = out->p[0].x > out->p[1].x ? out->p[0].x : out->p[1].x;
    out->y0 = out->p[0].y < out->p[1].y ? out->p[0].y : out->p[1].y;
    out->y1 = out->p[0].y > out->p[1].y ? out->p[0].y : out->p[1].y;
    return 0;
}

size_t dc_count(const dc_t *d)
{
    return d->count;
}

size_t dc_memory(const dc_t *d)
{
    size_t m = sizeof *d + d->cap * (sizeof(obj_t) + sizeof(uint32_t)) + stindex_memory(d->ix) +
               (size_t)GRID_N * GRID_N * sizeof(gcell_t);
    for (size_t i = 0; i < (size_t)GRID_N * GRID_N; i++) m += d->grid[i].cap * (sizeof(gent_t) + 8);
    for (uint32_t i = 0; i < d->n; i++) {
        const obj_t *o = &d->o[i];
        if (!o->used) continue;
        m += strlen(o->id) + 1 + strlen(o->category) + 1 + (size_t)o->shape.n * sizeof(pt_t) +
             (size_t)(o->shape.nring + 1) * sizeof(int) + (o->times ? (size_t)o->shape.n * 8 : 0);
        m += 64; /* the id map's entry, roughly */
    }
    return m;
}

/* ---- the check ---- */

/* A match before it is resolved into a conflict. */
typedef struct {
    uint64_t key;     /* the order: see sort_key */
    const gent_t *g;  /* a grid entry's match: what it is made of */
    uint32_t obj;
    int32_t segment;
    double distance;
    int64_t inside_from, inside_until;
} match_t;

/* Conflicts are ordered by distance as the API reports it (whole
 * centimetres), then kind, then the id's number: that fits 64 bits, which a
 * radix sort orders in a few passes. Equal keys (the segments of one route,
 * ids beyond the number's bits) are put in order afterwards. */
static uint64_t sort_key(double distance, int kind, uint64_t num)
{
    double cm = distance * 100 + 0.5;
    uint64_t c = cm >= (double)(1ull << 28) ? (1ull << 28) - 1 : (uint64_t)cm;
    return c << 36 | (uint64_t)kind << 33 | (num >= (1ull << 33) ? (1ull << 33) - 1 : num);
}

#define SEEN_LABELS 16

typedef struct {
    const dc_t *d;
    const dc_query_t *q;
    uint32_t skip;    /* the object being checked, UINT32_MAX when none */
    match_t *out;
    size_t n, cap;
    int oom;
    uint64_t *seen;   /* route pieces and objects in several cells already judged */
    size_t nseen, capseen;
    /* Whether the principal may see a label set, by the interned set's
     * address: a check meets few distinct sets. */
    const json_t *lab[SEEN_LABELS];
    int lab_ok[SEEN_LABELS], nlab;
} run_t;

static int may_see(run_t *r, const json_t *labels)
{
    if (!r->q->who) return 1;
    for (int i = 0; i < r->nlab; i++)
        if (r->lab[i] == labels) return r->lab_ok[i];
    int ok = auth_may_see(r->q->who, labels);
    if (r->nlab < SEEN_LABELS) {
        r->lab[r->nlab] = labels;
        r->lab_ok[r->nlab++] = ok;
    }
    return ok;
}

/* Whether (obj, segment) was judged already in this query; marks it if not.
 * Open addressing; only route pieces and multi-cell objects go here. */
static int seen_before(run_t *r, uint32_t obj, uint32_t seg)
{
    uint64_t key = ((uint64_t)obj << 32 | seg) + 1;
    if ((r->nseen + 1) * 2 > r->capseen) {
        size_t cap = r->capseen ? r->capseen * 2 : 256;
        uint64_t *t = calloc(cap, sizeof *t);
        if (!t) return 0;
        for (size_t i = 0; i < r->capseen; i++) {
            if (!r->seen[i]) continue;
            size_t j = (r->seen[i] * 0x9E3779B97F4A7C15ULL >> 20) & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = r->seen[i];
        }
        free(r->seen);
        r->seen = t;
        r->capseen = cap;
    }
    size_t j = (key * 0x9E3779B97F4A7C15ULL >> 20) & (r->capseen - 1);
    while (r->seen[j]) {
        if (r->seen[j] == key) return 1;
        j = (j + 1) & (r->capseen - 1);
    }
    r->seen[j] = key;
    r->nseen++;
    return 0;
}

static int push(run_t *r, uint32_t obj, double dist, int kind, uint64_t num, const gent_t *g)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        match_t *p = realloc(r->out, cap * sizeof *p);
        if (!p) {
            r->oom = 1;
            return 1;
        }
        r->out = p;
        r->cap = cap;
    }
    r->out[r->n++] = (match_t){.key = sort_key(dist, kind, num), .g = g, .obj = obj, .segment = -1, .distance = dist};
    return 0;
}

/* A space-time index entry. */
static int visit(void *arg, const st_entry_t *e)
{
    run_t *r = arg;
    const dc_query_t *q = r->q;
    const obj_t *o = &r->d->o[e->obj];
    if (q->kinds && !(q->kinds & (1u << o->kind))) return 0;
    if (e->obj == r->skip) return 0;
    double limit = o->protection + q->buffer_m;
    if (o->kind == DC_MOVEMENT && o->times) {
        int i = (int)(e->part >> 8);
        if (seen_before(r, e->obj, (uint32_t)i)) return 0;
        int64_t ta = o->times[i], tb = o->times[i + 1];
        pt_t a = o->shape.p[i], b = o->shape.p[i + 1];
        /* Only the stretch travelled during the window counts. */
        double sa = 0, sb = 1;
        if (tb > ta) {
            if (q->from > ta) sa = (double)(q->from - ta) / (double)(tb - ta);
            if (q->until < tb) sb = (double)(q->until - ta) / (double)(tb - ta);
        }
        if (sa > sb) return 0;
        pt_t pa = {a.x + sa * (b.x - a.x), a.y + sa * (b.y - a.y)};
        pt_t pb = {a.x + sb * (b.x - a.x), a.y + sb * (b.y - a.y)};
        double dist = area_dist_seg(q->area, pa, pb);
        if (dist > limit || !may_see(r, o->labels)) return 0;
        double u0, u1;
        if (area_seg_within(q->area, pa, pb, limit, &u0, &u1)) {
            u0 = 0; /* rounding at the very edge: the whole stretch */
            u1 = 1;
        }
        double s0 = sa + u0 * (sb - sa), s1 = sa + u1 * (sb - sa);
        if (push(r, e->obj, dist, o->kind, o->num, NULL)) return 1;
        match_t *m = &r->out[r->n - 1];
        m->segment = i;
        m->inside_from = ta + (int64_t)(s0 * (double)(tb - ta));
        m->inside_until = ta + (int64_t)(s1 * (double)(tb - ta) + 0.5);
        return 0;
    }
    double dist = area_dist(q->area, &o->shape);
    if (dist > limit || !may_see(r, o->labels)) return 0;
    return push(r, e->obj, dist, o->kind, o->num, NULL);
}

/* A query polygon's edges, with their boxes, for the grid's cell tests. */
typedef struct {
    pt_t a, b;
    double x0, y0, x1, y1;
} edge_t;

#define MAX_EDGES 256 /* larger query polygons take the plain path */

/* How a polygon area lies over a cell: wholly inside or outside it (no edge
 * crosses the cell), or across it; and which edges can be within reach of
 * the cell's points (those whose box meets the cell grown by the reach:
 * every other edge is farther than the reach from all of them). */
enum { CELL_PLAIN, CELL_SKIP, CELL_INSIDE, CELL_OUTSIDE, CELL_ACROSS };

static int classify(const shape_t *s, const edge_t *E, int ne, double rx0, double ry0, double reach, uint8_t *near,
                    int *nnear)
{
    double rx1 = rx0 + GRID_CELL, ry1 = ry0 + GRID_CELL;
    if (s->x0 > rx1 + reach || s->x1 < rx0 - reach || s->y0 > ry1 + reach || s->y1 < ry0 - reach) return CELL_SKIP;
    int n = 0, crosses = 0;
    for (int i = 0; i < ne; i++) {
        const edge_t *e = &E[i];
        if (e->x0 > rx1 + reach || e->x1 < rx0 - reach || e->y0 > ry1 + reach || e->y1 < ry0 - reach) continue;
        near[n++] = (uint8_t)i;
        if (!(e->x0 > rx1 || e->x1 < rx0 || e->y0 > ry1 || e->y1 < ry0)) crosses = 1;
    }
    *nnear = n;
    if (crosses) return CELL_ACROSS;
    pt_t mid = {rx0 + GRID_CELL / 2, ry0 + GRID_CELL / 2};
    if (shape_contains(s, mid)) return CELL_INSIDE;
    return n ? CELL_OUTSIDE : CELL_SKIP;
}

/* The distances from c to the nearest and the farthest point of a box. */
static double rect_near(pt_t c, double x0, double y0, double x1, double y1)
{
    double dx = fmax(fmax(x0 - c.x, c.x - x1), 0), dy = fmax(fmax(y0 - c.y, c.y - y1), 0);
    return sqrt(dx * dx + dy * dy);
}

static double rect_far(pt_t c, double x0, double y0, double x1, double y1)
{
    double dx = fmax(c.x - x0, x1 - c.x), dy = fmax(c.y - y0, y1 - c.y);
    return sqrt(dx * dx + dy * dy);
}

/* A check's view of the grid: the query, and the cells being worked on. */
typedef struct {
    const gcell_t *cell;
    int mode, nnear;
    uint8_t near[MAX_EDGES];
    uint32_t np, cap;
    uint32_t *pass;   /* the entries whose minutes meet the window */
} stage_t;

typedef struct {
    run_t *r;
    const shape_t *s;
    int circle;
    pt_t c;
    double R, b;
    int64_t from, until;
    int32_t qm0, qm1, qf, qc;
    const edge_t *E;
    int ne;
} gq_t;

/* Distance from a polygon area to a polygon object, what area_dist gives
 * when that is at most limit (else something above limit): only the area's
 * edges whose boxes come within limit of the object's box can matter. */
static double poly_dist_near(const gq_t *g, const shape_t *o, double limit)
{
    const shape_t *s = g->s;
    /* A vertex of either inside the other: they touch. One a ring decides
     * when no edges meet (a multipolygon's later part may lie inside). */
    for (int k = 0; k < o->nring; k++)
        if (shape_contains(s, o->p[o->ring[k]])) return 0;
    for (int k = 0; k < s->nring; k++)
        if (shape_contains(o, s->p[s->ring[k]])) return 0;
    double best = DBL_MAX;
    for (int i = 0; i < g->ne; i++) {
        const edge_t *e = &g->E[i];
        if (e->x0 > o->x1 + limit || e->x1 < o->x0 - limit || e->y0 > o->y1 + limit || e->y1 < o->y0 - limit) continue;
        double x = shape_dist_seg(o, e->a, e->b);
        if (x < best) best = x;
        if (best == 0) return 0;
    }
    return best;
}

/* Stage 1 of a cell: the entries whose minutes meet the window, and a
 * prefetch of each, so their lines arrive while the previous cell is judged. */
static int stage_scan(const gq_t *g, stage_t *st, const gcell_t *cell)
{
    if (cell->n > st->cap) {
        uint32_t *p = realloc(st->pass, cell->n * sizeof *p);
        if (!p) return -1;
        st->pass = p;
        st->cap = cell->n;
    }
    st->cell = cell;
    uint32_t np = 0;
    for (uint32_t i = 0; i < cell->n; i++) {
        st->pass[np] = i;
        np += (uint32_t)(cell->tm[i][0] <= g->qm1) & (uint32_t)(cell->tm[i][1] >= g->qm0);
    }
    st->np = np;
    for (uint32_t k = 0; k < np; k++) __builtin_prefetch(&cell->e[st->pass[k]]);
    return 0;
}

/* Stage 2: each of those entries judged. */
static int stage_judge(const gq_t *g, const stage_t *st)
{
    run_t *r = g->r;
    const dc_t *d = r->d;
    const shape_t *s = g->s;
    const gcell_t *cell = st->cell;
    unsigned kinds = r->q->kinds;
    double R = g->R, b = g->b;
    pt_t c = g->c;
    for (uint32_t k = 0; k < st->np; k++) {
        const gent_t *e = &cell->e[st->pass[k]];
        const int32_t *tm = cell->tm[st->pass[k]];
        if (((int64_t)tm[0] + 1 > g->qf || (int64_t)tm[1] - 1 < g->qc) &&
            (d->o[e->obj].t0 > g->until || d->o[e->obj].t1 < g->from))
            continue;
        if (kinds && !(kinds & (1u << e->kind))) continue;
        if (e->obj == r->skip) continue;
        /* An object filed in several cells is judged once; not by a
         * reference cell, which might be one skipped. */
        if (e->multi && seen_before(r, e->obj, UINT32_MAX - 1)) continue;
        double limit = e->prot + b, dist;
        if (e->w == 0) {
            pt_t p = {e->x, e->y};
            if (st->mode == CELL_INSIDE) {
                dist = 0;
            } else if (g->circle) {
                double dx = p.x - c.x, dy = p.y - c.y;
                dist = sqrt(dx * dx + dy * dy) - R;
                if (dist < 0) dist = 0;
            } else if (st->mode == CELL_PLAIN) {
                if (p.x < s->x0 - limit || p.x > s->x1 + limit || p.y < s->y0 - limit || p.y > s->y1 + limit) continue;
                dist = shape_dist_pt(s, p);
            } else if (st->mode == CELL_ACROSS && shape_contains(s, p)) {
                dist = 0;
            } else {
                /* Outside: the nearest of the edges within reach (when none
                 * is within the limit, neither is any other, and the point is
                 * no conflict). */
                dist = DBL_MAX;
                for (int k2 = 0; k2 < st->nnear; k2++) {
                    double x = pt_seg_dist(p, g->E[st->near[k2]].a, g->E[st->near[k2]].b);
                    if (x < dist) dist = x;
                }
            }
        } else {
            double bx0 = e->x, by0 = e->y, bx1 = e->x + e->w, by1 = e->y + e->h;
            if (bx0 > s->x1 + R + limit || bx1 < s->x0 - R - limit || by0 > s->y1 + R + limit || by1 < s->y0 - R - limit)
                continue;
            /* The box beyond the circle's reach: so is the shape; the box
             * wholly inside the circle: so is the shape. */
            if (g->circle && rect_near(c, bx0, by0, bx1, by1) - R > limit) continue;
            const shape_t *os = &d->o[e->obj].shape;
            if (g->circle && rect_far(c, bx0, by0, bx1, by1) <= R) dist = 0;
            else if (g->ne && os->type == SH_POLY) dist = poly_dist_near(g, os, limit);
            else dist = area_dist(r->q->area, os);
        }
        if (dist > limit || !may_see(r, e->labels)) continue;
        if (push(r, e->obj, dist, e->kind, e->num, e)) return -1;
    }
    return 0;
}

/* The grid's cells near the area, a row at a time; each cell's entries are
 * scanned and prefetched while the cell before it is judged. */
static int grid_check(run_t *r)
{
    const dc_t *d = r->d;
    const dc_query_t *q = r->q;
    const area_t *a = q->area;
    const shape_t *s = &a->shape;
    gq_t g = {.r = r, .s = s, .circle = s->type == SH_POINT, .c = s->p[0], .R = a->radius, .b = q->buffer_m,
              .from = q->from, .until = q->until};
    /* An entry passes when its minutes meet [qm0, qm1]; it surely meets the
     * window when it starts a whole minute before qf ends and ends one
     * after qc; else its exact times decide. */
    g.qm0 = minute_floor(q->from), g.qm1 = minute_ceil(q->until), g.qf = minute_floor(q->until),
    g.qc = minute_ceil(q->from);
    double grow = g.R + d->grid_prot + g.b;
    int x0 = gcell(s->x0 - grow), x1 = gcell(s->x1 + grow), y0 = gcell(s->y0 - grow), y1 = gcell(s->y1 + grow);
    edge_t E[MAX_EDGES];
    if (s->type == SH_POLY && s->n - s->nring <= MAX_EDGES)
        for (int k = 0; k < s->nring; k++)
            for (int i = s->ring[k]; i + 1 < s->ring[k + 1]; i++) {
                pt_t p = s->p[i], p2 = s->p[i + 1];
                E[g.ne++] = (edge_t){p, p2, fmin(p.x, p2.x), fmin(p.y, p2.y), fmax(p.x, p2.x), fmax(p.y, p2.y)};
            }
    g.E = E;
    stage_t st[2] = {{0}};
    int cur = 0, pending = 0, rc = 0;
    for (int cy = y0; cy <= y1 && !rc; cy++) {
        double ry0 = (cy - GRID_HALF) * GRID_CELL, ry1 = ry0 + GRID_CELL;
        const gcell_t *row = &d->grid[(size_t)cy * GRID_N];
        if (cy < y1)
            for (int cx = x0; cx <= x1 + 1; cx += 2) __builtin_prefetch(&row[GRID_N + cx]); /* two a line */
        for (int cx = x0; cx <= x1; cx++) {
            const gcell_t *cell = &row[cx];
            if (cx + 2 <= x1) __builtin_prefetch(cell[2].tm);
            if (!cell->n) continue;
            stage_t *t = &st[cur];
            /* Edge cells hold everything beyond the grid: never classified. */
            t->mode = CELL_PLAIN;
            t->nnear = 0;
            if (cx > 0 && cy > 0 && cx < GRID_N - 1 && cy < GRID_N - 1) {
                double rx0 = (cx - GRID_HALF) * GRID_CELL, rx1 = rx0 + GRID_CELL, cr = (double)cell->maxprot + g.b;
                pt_t c = g.c;
                if (g.circle) {
                    if (rect_near(c, rx0, ry0, rx1, ry1) - g.R > cr) continue;
                    if (rect_far(c, rx0, ry0, rx1, ry1) <= g.R) t->mode = CELL_INSIDE;
                } else if (g.ne) {
                    t->mode = classify(s, E, g.ne, rx0, ry0, cr, t->near, &t->nnear);
                    if (t->mode == CELL_SKIP) continue;
                }
            }
            if (stage_scan(&g, t, cell)) {
                rc = -1;
                break;
            }
            if (pending && stage_judge(&g, &st[cur ^ 1])) {
                rc = -1;
                break;
            }
            pending = 1;
            cur ^= 1;
        }
    }
    if (!rc && pending && stage_judge(&g, &st[cur ^ 1])) rc = -1;
    free(st[0].pass);
    free(st[1].pass);
    return rc;
}

int dc_conflict_cmp(const void *a, const void *b)
{
    const conflict_t *x = a, *y = b;
    uint64_t cx = (uint64_t)(x->distance_m * 100 + 0.5), cy = (uint64_t)(y->distance_m * 100 + 0.5);
    if (cx != cy) return cx < cy ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    if (x->distance_m != y->distance_m) return x->distance_m < y->distance_m ? -1 : 1;
    int c = strcmp(x->id, y->id);
    return c ? c : x->segment - y->segment;
}

typedef struct {
    uint64_t key;
    uint64_t i;
} kv_t;

/* LSD radix sort by key, 11 bits a pass; a pass whose digit is the same for
 * every key is skipped. tmp has room for n. */
static kv_t *radix_sort(kv_t *a, kv_t *tmp, size_t n)
{
    if (n < 64) { /* the passes' tables would cost more than the keys */
        for (size_t i = 1; i < n; i++) {
            kv_t x = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1].key > x.key; j--) a[j] = a[j - 1];
            a[j] = x;
        }
        return a;
    }
    enum { BITS = 11, NB = 1 << BITS, PASSES = (64 + BITS - 1) / BITS };
    static _Thread_local uint32_t count[PASSES][NB];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < PASSES; p++) count[p][(a[i].key >> (p * BITS)) & (NB - 1)]++;
    for (int p = 0; p < PASSES; p++) {
        uint32_t *c = count[p];
        if (c[(a[0].key >> (p * BITS)) & (NB - 1)] == n) continue;
        uint32_t sum = 0;
        for (int k = 0; k < NB; k++) {
            uint32_t v = c[k];
            c[k] = sum;
            sum += v;
        }
        for (size_t i = 0; i < n; i++) tmp[c[(a[i].key >> (p * BITS)) & (NB - 1)]++] = a[i];
        kv_t *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

int dc_check(const dc_t *d, const dc_query_t *q, conflict_t **out, size_t *n)
{
    run_t r = {.d = d, .q = q, .skip = UINT32_MAX};
    if (q->skip_id && q->skip_kind >= 0 && q->skip_kind < DC__KINDS) {
        char k[160];
        key_of(k, sizeof k, q->skip_kind, q->skip_id);
        json_t *v = json_object_get(d->ids, k);
        if (v) r.skip = (uint32_t)json_integer_value(v);
    }
    const shape_t *s = &q->area->shape;
    double grow = q->area->radius + q->buffer_m;
    if (d->grid_entries && grid_check(&r)) r.oom = 1;
    if (!r.oom)
        stindex_query(d->ix, s->x0 - grow, s->y0 - grow, s->x1 + grow, s->y1 + grow, q->from, q->until, visit, &r);
    free(r.seen);
    conflict_t *c = r.oom ? NULL : malloc((r.n ? r.n : 1) * sizeof *c);
    kv_t *kv = c ? malloc((r.n ? r.n : 1) * 2 * sizeof *kv) : NULL;
    if (!kv) {
        free(c);
        free(r.out);
        return -1;
    }
    for (size_t i = 0; i < r.n; i++) kv[i] = (kv_t){r.out[i].key, i};
    kv_t *sorted = r.n ? radix_sort(kv, kv + r.n, r.n) : kv;
    for (size_t i = 0; i < r.n; i++) {
        const match_t *m = &r.out[sorted[i].i];
        conflict_t x = {.distance_m = m->distance, .segment = m->segment, .inside_from = m->inside_from,
                        .inside_until = m->inside_until};
        if (m->g) {
            x.kind = m->g->kind, x.id = m->g->id, x.num = m->g->num, x.category = m->g->category;
            x.protection_m = m->g->prot, x.labels = (json_t *)m->g->labels;
            if (m->g->num == UINT32_MAX) x.num = d->o[m->obj].num;
        } else {
            const obj_t *o = &d->o[m->obj];
            x.kind = o->kind, x.id = o->id, x.num = o->num, x.category = o->category;
            x.protection_m = o->protection, x.labels = o->labels;
        }
        /* Equal keys: insertion by the whole order (their runs are short). */
        size_t j = i;
        while (j > 0 && sorted[j - 1].key == m->key && dc_conflict_cmp(&c[j - 1], &x) > 0) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
    free(kv);
    free(r.out);
    *out = c;
    *n = r.n;
    return 0;
}

json_t *conflict_json(const conflict_t *c)
{
    /* Objects with several reports ("UNIT-AZE-1#3") answer with the record's id. */
    const char *hash = strchr(c->id, '#');
    json_t *j = json_pack("{s:s, s:s%, s:f, s:f}", "kind", dc_kind_names[c->kind], "id", c->id,
                          hash ? (size_t)(hash - c->id) : strlen(c->id), "distance_m",
                          (double)((int64_t)(c->distance_m * 100 + 0.5)) / 100, "protection_m", c->protection_m);
    if (hash) json_object_set_new(j, "report", json_integer(atoll(hash + 1)));
    if (c->category && *c->category) json_object_set_new(j, "category", json_string(c->category));
    if (c->segment >= 0) {
        char a[32], b[32];
        time_format(c->inside_from, a);
        time_format(c->inside_until, b);
        json_object_set_new(j, "segment", json_integer(c->segment));
        json_object_set_new(j, "inside_from", json_string(a));
        json_object_set_new(j, "inside_until", json_string(b));
    }
    return j;
}
