/*
 * deconflict.c — see deconflict.h. Objects live in an array (their index is
 * the obj number of their index entries; freed numbers are reused); a jansson
 * object maps "kind/id" to the number.
 *
 * Two indexes:
 *  - The grid holds nearly everything: objects whose box is at most GRID_BOX
 *    across and whose protection is at most GRID_PROT (an exact float), and
 *    every movement, one entry per piece (at most GRID_PIECE long) of each
 *    route segment. It is a set of layers by time: entries that last less
 *    than a day are filed in each six-hour slab they meet, longer ones in
 *    each 32-day slab, the open-ended and the very long in one timeless
 *    layer; a check reads only the layers its window meets, and an entry in
 *    several of them is judged in the first one only. A layer is a row per
 *    GRID_CELL (500 m) of y, each holding its entries in order of x as
 *    parallel arrays (structure of arrays, one block per row): what the
 *    scan's filter reads (x, y, the box's size, the minutes, the
 *    protection: 36 bytes an entry) apart from the rest of the entry (32
 *    bytes: what judging a candidate and a conflict are made of), with
 *    every fourth entry's x apart again: a check finds, by a branch-free
 *    search of those samples, where the stretch of entries that can reach
 *    its area begins in each row near it, and filters the stretch eight
 *    entries at a time (AVX2 where the CPU has it, a plain loop elsewhere):
 *    minutes meeting the window's, and the box within the area's box (a
 *    circle's centre) grown by radius, buffer and the entry's protection,
 *    plus a metre of slack for rounding; only what passes is judged, and
 *    only its rest read. The filter only narrows, judging decides exactly.
 *    The branches on every entry were most of the scan's cost; a 64-byte
 *    entry per line read a line for each entry in reach, where the arrays
 *    read 36 bytes of it. The scan prefetches two chunks of the filter's
 *    arrays ahead and the next chunk's rests (a stretch is too short for
 *    the hardware's prefetcher). Rows of 500 m rather than 250 m: half the
 *    rows to start, each with its misses, for a little more of each row
 *    read (1,000 m read too much). Entries are filed by their box's low
 *    corner, so each row and layer keeps its widest and tallest box and
 *    its largest protection, by which a check widens its reach. Rows are
 *    read a batch at a time in stages so that their cache misses overlap;
 *    judging that needs the object (a route's segment, a polygon's
 *    vertices) is put off, the object's lines that judging reads
 *    prefetched, and done a batch at a time after prefetching what those
 *    point to. A point is judged from its entry alone; a polygon's box
 *    wholly inside a circle settles it; near a query polygon only the edges
 *    within reach are tried. Rows hold real x and clamp y to the grid's
 *    edge rows, so the grid is exact anywhere and fast over the mission
 *    area. Tried and not kept (no gain measured): a row's own largest
 *    protection for its reach (nearly always its layer's: the stretches
 *    read shrank under 1%), two stages per batch (filter every row, then
 *    judge), samples every 8th or 16th entry, the rows of all layers in
 *    one batch, a polygon settled by the cell of a query polygon it lies
 *    in, prefetching further ahead.
 *    tests/unit/deconflict_test.c holds it to a brute-force scan.
 *  - The space-time index (stindex.h), with time buckets, holds the rest:
 *    objects too large for the grid, each box grown by the object's own
 *    protection; a movement once per piece of each route segment.
 * A check first collects compact matches (object, segment, distance, sort
 * key), radix-sorts them (keys packed to the bits the answer uses), then
 * resolves them into conflicts, each built in its place in the answer.
 */
#include "deconflict.h"

#include <float.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#define PICK_AVX2 1 /* the filter's AVX2 path, taken when the CPU has it */
#include <immintrin.h>
#endif

#define CELL_M 1000.0   /* the space-time index's cells */
#define BOX_PAD 1.0    /* metres: index boxes are floats; pad outward so rounding never loses a hit */
#define GRID_CELL 500.0 /* the grid's rows, and the cells a query polygon is laid over */
#define GRID_HALF 128  /* rows either side of the plane's origin (the mission centre): 64 km */
#define GRID_N (2 * GRID_HALF)
#define GRID_PROT 1000.0
#define GRID_BOX 500.0   /* the widest or tallest box the grid takes */
#define GRID_PIECE 480.0 /* route segments are filed in pieces no longer */
#define LONG_MS (24LL * 3600 * 1000)
#define SLAB_MAX 12      /* an entry over more slabs than this is filed in the timeless layer */

/* The grid's levels: entries that last less than a day are filed in slabs of
 * six hours, longer ones in slabs of 32 days, the rest (open-ended, or
 * longer than SLAB_MAX slabs) in the one timeless layer. */
enum { LV_SHORT, LV_LONG, LV_TIMELESS };
static const int32_t slab_min[LV_TIMELESS] = {360, 32 * 1440};

int dc__portable;

const char *const dc_kind_names[DC__KINDS] = {"site", "nostrike", "movement", "unit", "operation"};

/* Three cache lines: what resolving a conflict and the grid's exact time
 * test read; the shape (what judging a polygon reads); a route's times. */
typedef struct {
    uint8_t kind, used, in_grid;
    int64_t t0, t1;
    uint64_t num;     /* the id's trailing number, for a cheap sort */
    char *id, *category;
    double protection;
    json_t *labels;
    shape_t shape;
    int64_t *times;   /* movements: per vertex */
} __attribute__((aligned(64))) obj_t;

/* A grid entry's filter fields (what the scan reads for every entry in
 * reach) are kept in a row's parallel arrays, see grow_t; the rest of it,
 * what judging a candidate and a conflict are made of, is a gent_t, so
 * that neither reads the object (whose line would be one more cache miss).
 * The exact times are the object's: the minutes settle all but the windows
 * that start or end in the same minute as the object. */
typedef struct {
    uint32_t obj;
    uint32_t num;          /* the id's trailing number (the sort's key), capped */
    float prot;
    uint8_t kind, cat;     /* cat: the category's number (NCATS: the object's own) */
    uint16_t seg;          /* a route's piece: its segment */
    const char *id;
    const json_t *labels;
} gent_t;
_Static_assert(sizeof(gent_t) == 32, "two entries' rests a cache line");
_Static_assert(offsetof(obj_t, shape) == 64 && sizeof(shape_t) == 64 && offsetof(obj_t, times) == 128,
               "an object's lines: see obj_t");
#define NCATS 255

/* A whole entry, as it is filed. */
typedef struct {
    double x, y;           /* a point: the point; else its box's low corner */
    float w, h;            /* the box's size; 0 for a point */
    int32_t m0, m1;        /* the validity in whole minutes, widened outward */
    gent_t g;
} gfull_t;

/* A row of a layer: the entries whose low corner lies in it, in order of x,
 * as parallel arrays in one block of cap entries each (see rowv_t): the
 * scan tests eight entries at a time from the filter's arrays alone, reading
 * 36 bytes an entry instead of a 64-byte line, and reads a gent_t only for
 * those that can conflict. Every XS_STEP-th entry's x is kept apart too, so
 * finding where a check starts reads a line or two instead of a line per
 * step of a binary search. */
#define XS_SHIFT 2
#define XS_STEP (1u << XS_SHIFT)
typedef struct {
    char *blk;             /* the arrays, see row_arrays (NULL until the row's first entry) */
    double *xs;            /* xs[j] = x[j * XS_STEP]; room for cap / XS_STEP */
    uint32_t n, cap;       /* cap: a multiple of 8, so every array is 32-byte aligned */
    float maxw, maxprot;   /* the widest box and largest protection filed here (never lowered) */
} grow_t;

typedef struct {
    double *x, *y;
    int32_t *m0, *m1;
    float *w, *h, *prot;
    gent_t *e;
} rowv_t;
#define PICK 8 /* entries the scan's filter tests at a time */
#define ROW_BYTES (2 * sizeof(double) + 2 * sizeof(int32_t) + 3 * sizeof(float) + sizeof(gent_t))

static rowv_t row_arrays(char *blk, uint32_t cap)
{
    rowv_t v;
    v.e = (gent_t *)blk;
    v.x = (double *)(v.e + cap), v.y = v.x + cap;
    v.m0 = (int32_t *)(v.y + cap), v.m1 = v.m0 + cap;
    v.w = (float *)(v.m1 + cap), v.h = v.w + cap, v.prot = v.h + cap;
    return v;
}

/* A row's block for cap entries: whole lines, and room for the scan's
 * prefetches up to 2 * PICK entries past the last array's end (those of
 * the rests, first in the block, stop at the last entry). */
static size_t row_bytes(uint32_t cap)
{
    return ((size_t)cap * ROW_BYTES + 2 * PICK * sizeof(float) + 63) & ~(size_t)63;
}

static rowv_t row_view(const grow_t *w)
{
    if (!w->blk) return (rowv_t){0}; /* a row never filed: no arithmetic on a null pointer */
    return row_arrays(w->blk, w->cap);
}

/* Prefetches the filter's arrays at entry a, and the rests of the PICK
 * entries from r (two rests a line: from r's line on) up to the row's n.
 * Past the last entry a still points into the row's block (row_bytes). */
static inline void row_prefetch(const rowv_t *v, uint32_t n, uint32_t a, uint32_t r)
{
    __builtin_prefetch(&v->x[a]), __builtin_prefetch(&v->y[a]), __builtin_prefetch(&v->m0[a]);
    __builtin_prefetch(&v->m1[a]), __builtin_prefetch(&v->w[a]), __builtin_prefetch(&v->h[a]);
    __builtin_prefetch(&v->prot[a]);
    for (uint32_t j = r & ~1u; j < r + PICK && j < n; j += 64 / sizeof *v->e) __builtin_prefetch(&v->e[j]);
}

/* Moves n entries from index from to index to, in every array (the two
 * views may be of different blocks). */
static void row_move(rowv_t dst, uint32_t to, rowv_t src, uint32_t from, uint32_t n)
{
#define ROW_MOVE(a) memmove(&dst.a[to], &src.a[from], (size_t)n * sizeof *dst.a)
    ROW_MOVE(x), ROW_MOVE(y), ROW_MOVE(m0), ROW_MOVE(m1), ROW_MOVE(w), ROW_MOVE(h), ROW_MOVE(prot), ROW_MOVE(e);
#undef ROW_MOVE
}

static void row_set(rowv_t v, uint32_t i, const gfull_t *f)
{
    v.x[i] = f->x, v.y[i] = f->y, v.m0[i] = f->m0, v.m1[i] = f->m1;
    v.w[i] = f->w, v.h[i] = f->h, v.prot[i] = f->g.prot, v.e[i] = f->g;
}

/* A layer: the entries of a level valid during one of its time slabs (filed
 * in each slab they meet), or the timeless layer. */
typedef struct {
    int32_t level, slab;   /* slab: minute / slab_min[level]; 0 when timeless */
    float maxh, maxprot;   /* the tallest box and the largest protection (never lowered) */
    grow_t *rows;          /* GRID_N, by y */
    size_t n;              /* entries: a layer left empty is freed */
} layer_t;

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
    layer_t *layers;  /* in order of level, then slab */
    char *cats[NCATS]; /* the categories the grid's entries number */
    int ncats;
    uint32_t nlayers, caplayers;
    size_t count;
};

static void layer_free(layer_t *l)
{
    for (int y = 0; y < GRID_N; y++) {
        free(l->rows[y].blk);
        free(l->rows[y].xs);
    }
    free(l->rows);
}

dc_t *dc_new(void)
{
    dc_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->ids = json_object();
    d->ix = stindex_new(CELL_M);
    if (!d->ids || !d->ix) {
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
    for (uint32_t l = 0; l < d->nlayers; l++) layer_free(&d->layers[l]);
    free(d->layers);
    for (int i = 0; i < d->ncats; i++) free(d->cats[i]);
    free(d);
}

static void key_of(char *k, size_t n, int kind, const char *id)
{
    snprintf(k, n, "%s/%s", dc_kind_names[kind], id);
}

/* ---- the grid ---- */

static int grow_of(double y)
{
    double c = floor(y / GRID_CELL) + GRID_HALF;
    return c < 0 ? 0 : c > GRID_N - 1 ? GRID_N - 1 : (int)c;
}

static int32_t slab_of(int32_t minute, int level)
{
    int32_t m = slab_min[level];
    return minute >= 0 ? minute / m : -((-(minute + 1)) / m) - 1;
}

static int grid_wants(const obj_t *o)
{
    /* The entries keep the protection and the boxes' sizes as floats, a
     * piece's segment in 16 bits. */
    const shape_t *s = &o->shape;
    if (o->protection > GRID_PROT || (double)(float)o->protection != o->protection) return 0;
    if (o->kind == DC_MOVEMENT) return o->times && s->type == SH_LINE && s->n <= UINT16_MAX;
    return s->x1 - s->x0 <= GRID_BOX && s->y1 - s->y0 <= GRID_BOX;
}

/* The first layer at or after (level, slab). */
static uint32_t layer_find(const dc_t *d, int level, int32_t slab)
{
    uint32_t lo = 0, hi = d->nlayers;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        const layer_t *l = &d->layers[mid];
        if (l->level < level || (l->level == level && l->slab < slab)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The layer of (level, slab); created when add is set (NULL when absent or
 * out of memory). */
static layer_t *layer_get(dc_t *d, int level, int32_t slab, int add)
{
    uint32_t i = layer_find(d, level, slab);
    if (i < d->nlayers && d->layers[i].level == level && d->layers[i].slab == slab) return &d->layers[i];
    if (!add) return NULL;
    if (d->nlayers == d->caplayers) {
        uint32_t cap = d->caplayers ? d->caplayers * 2 : 16;
        layer_t *p = realloc(d->layers, cap * sizeof *p);
        if (!p) return NULL;
        d->layers = p;
        d->caplayers = cap;
    }
    grow_t *rows = calloc(GRID_N, sizeof *rows);
    if (!rows) return NULL;
    memmove(&d->layers[i + 1], &d->layers[i], (d->nlayers - i) * sizeof *d->layers);
    d->layers[i] = (layer_t){.level = level, .slab = slab, .rows = rows};
    d->nlayers++;
    return &d->layers[i];
}

/* The sample before the first entry of a row at or after x: every entry
 * before the one it returns lies before x, and at most XS_STEP of those
 * after it do. Branch-free, so that the searches of a batch of rows (their
 * samples prefetched) overlap instead of waiting on mispredictions. */
static uint32_t row_near(const grow_t *w, double x)
{
    uint32_t base = 0, len = (w->n + XS_STEP - 1) >> XS_SHIFT;
    if (!len) return 0;
    while (len > 1) { /* the last sample below x, or the first: xs[base] */
        uint32_t half = len / 2;
        base = w->xs[base + half] < x ? base + half : base;
        len -= half;
    }
    return base << XS_SHIFT;
}

/* The first entry of a row at or after x. */
static uint32_t row_find(const grow_t *w, double x)
{
    uint32_t i = row_near(w, x);
    const double *xv = row_view(w).x;
    while (i < w->n && xv[i] < x) i++;
    return i;
}

/* The samples of a row from entry i on (after entries moved). */
static void row_sample(grow_t *w, uint32_t i)
{
    const double *xv = row_view(w).x;
    for (uint32_t j = i >> XS_SHIFT; j << XS_SHIFT < w->n; j++) w->xs[j] = xv[j << XS_SHIFT];
}

/* The number of a category (NCATS when the table is full). */
static uint8_t cat_of(dc_t *d, const char *name)
{
    for (int i = 0; i < d->ncats; i++)
        if (!strcmp(d->cats[i], name)) return (uint8_t)i;
    if (d->ncats == NCATS || !(d->cats[d->ncats] = strdup(name))) return NCATS;
    return (uint8_t)d->ncats++;
}

/* A row's entry for [x, x + w] x [y, y + h] (w = h = 0: a point) during
 * [t0, t1]. */
static gfull_t grid_entry(dc_t *d, const obj_t *o, uint32_t num, double x, double y, double w, double h,
                          int64_t t0, int64_t t1, int seg)
{
    gfull_t e = {.x = x, .y = y, .m0 = minute_floor(t0), .m1 = minute_ceil(t1),
                 .g = {.obj = num, .num = o->num > UINT32_MAX ? UINT32_MAX : (uint32_t)o->num,
                       .prot = (float)o->protection, .kind = (uint8_t)o->kind, .cat = cat_of(d, o->category),
                       .seg = (uint16_t)seg, .id = o->id, .labels = o->labels}};
    if (w > 0 || h > 0) { /* the box as floats, never smaller than the shape's */
        e.x = nextafter(x, -INFINITY);
        e.y = nextafter(y, -INFINITY);
        e.w = (float)w + (float)BOX_PAD;
        e.h = (float)h + (float)BOX_PAD;
    }
    return e;
}

/* Room in a row for one more entry; -1 when out of memory. */
static int row_room(grow_t *w)
{
    if (w->n < w->cap) return 0;
    uint32_t cap = w->cap ? w->cap * 2 : 8;
    char *blk = aligned_alloc(64, row_bytes(cap)); /* whole lines */
    if (!blk) return -1;
    if (w->n) row_move(row_arrays(blk, cap), 0, row_view(w), 0, w->n);
    double *xs = realloc(w->xs, (size_t)(cap / XS_STEP + 1) * sizeof *xs);
    if (!xs) {
        free(blk);
        return -1;
    }
    free(w->blk);
    w->blk = blk;
    w->xs = xs;
    w->cap = cap;
    return 0;
}

/* Files an entry in its layers (add), or takes it out. -1 when out of memory. */
static int grid_file(dc_t *d, const gfull_t *e, int64_t t0, int64_t t1, int add)
{
    int level = t1 != INT64_MAX && t1 - t0 < LONG_MS ? LV_SHORT : LV_LONG;
    int32_t s0 = slab_of(e->m0, level), s1 = slab_of(e->m1, level);
    if (t1 == INT64_MAX || (int64_t)s1 - s0 >= SLAB_MAX) level = LV_TIMELESS, s0 = s1 = 0;
    for (int64_t s = s0; s <= s1; s++) {
        layer_t *l = layer_get(d, level, (int32_t)s, add);
        if (!l) {
            if (add) return -1;
            continue;
        }
        grow_t *w = &l->rows[grow_of(e->y)];
        uint32_t i = row_find(w, e->x);
        if (!add) {
            rowv_t v = row_view(w);
            for (; i < w->n && v.x[i] == e->x; i++)
                if (v.e[i].obj == e->g.obj && v.e[i].seg == e->g.seg && v.y[i] == e->y) {
                    row_move(v, i, v, i + 1, w->n - i - 1);
                    w->n--;
                    row_sample(w, i);
                    if (--l->n == 0) { /* live data moves on in time: its old layers go */
                        size_t k = (size_t)(l - d->layers);
                        layer_free(l);
                        d->nlayers--;
                        memmove(l, l + 1, (d->nlayers - k) * sizeof *l);
                    }
                    break;
                }
            continue;
        }
        if (row_room(w)) return -1;
        rowv_t v = row_view(w);
        row_move(v, i + 1, v, i, w->n - i);
        row_set(v, i, e);
        w->n++;
        row_sample(w, i);
        if (e->w > w->maxw) w->maxw = e->w;
        if (e->g.prot > w->maxprot) w->maxprot = e->g.prot;
        if (e->h > l->maxh) l->maxh = e->h;
        if (e->g.prot > l->maxprot) l->maxprot = e->g.prot;
        l->n++;
    }
    return 0;
}

/* An object's grid entries filed (add) or taken out: one, or a route's
 * pieces, each filed for the time its segment is travelled. */
static int grid_object(dc_t *d, const obj_t *o, uint32_t num, int add)
{
    const shape_t *s = &o->shape;
    if (o->kind != DC_MOVEMENT) {
        gfull_t e = s->type == SH_POINT
                       ? grid_entry(d, o, num, s->p[0].x, s->p[0].y, 0, 0, o->t0, o->t1, 0)
                       : grid_entry(d, o, num, s->x0, s->y0, s->x1 - s->x0, s->y1 - s->y0, o->t0, o->t1, 0);
        return grid_file(d, &e, o->t0, o->t1, add);
    }
    for (int i = 0; i + 1 < s->n; i++) {
        pt_t a = s->p[i], b = s->p[i + 1];
        double len = sqrt((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y));
        int np = len > GRID_PIECE ? (int)ceil(len / GRID_PIECE) : 1;
        for (int k = 0; k < np; k++) {
            pt_t p = {a.x + (b.x - a.x) * k / np, a.y + (b.y - a.y) * k / np};
            pt_t q = k + 1 == np ? b : (pt_t){a.x + (b.x - a.x) * (k + 1) / np, a.y + (b.y - a.y) * (k + 1) / np};
            gfull_t e = grid_entry(d, o, num, fmin(p.x, q.x), fmin(p.y, q.y), fabs(q.x - p.x), fabs(q.y - p.y),
                                  o->times[i], o->times[i + 1], i);
            if (grid_file(d, &e, o->times[i], o->times[i + 1], add) && add) return -1;
        }
    }
    return 0;
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
    return o->in_grid ? grid_object(d, o, num, 1) : entries(o, num, stindex_add, d->ix);
}

static void unfile_obj(dc_t *d, const obj_t *o, uint32_t num)
{
    if (o->in_grid) grid_object(d, o, num, 0);
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
    *o = (obj_t){.used = 1, .kind = (uint8_t)in->kind, .id = strdup(in->id),
                 .category = strdup(in->category ? in->category : ""), .protection = in->protection_m,
                 .shape = in->shape, .t0 = in->t0, .t1 = in->t1, .labels = in->labels};
    memset(&in->shape, 0, sizeof in->shape);
    if (in->times && o->shape.type == SH_LINE) {
        o->times = malloc((size_t)o->shape.n * sizeof *o->times);
        if (o->times) memcpy(o->times, in->times, (size_t)o->shape.n * sizeof *o->times);
    }
    o->in_grid = (uint8_t)grid_wants(o);
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

void dc_stats(const dc_t *d, size_t *grid_entries, size_t *layers, size_t *index_entries)
{
    *grid_entries = 0;
    for (uint32_t l = 0; l < d->nlayers; l++) *grid_entries += d->layers[l].n;
    *layers = d->nlayers;
    *index_entries = stindex_count(d->ix);
}

size_t dc_memory(const dc_t *d)
{
    size_t m = sizeof *d + d->cap * (sizeof(obj_t) + sizeof(uint32_t)) + stindex_memory(d->ix) +
               d->caplayers * sizeof(layer_t) + (size_t)d->nlayers * GRID_N * sizeof(grow_t);
    for (uint32_t l = 0; l < d->nlayers; l++)
        for (int y = 0; y < GRID_N; y++) {
            const grow_t *w = &d->layers[l].rows[y];
            m += (w->cap ? row_bytes(w->cap) : 0) + (w->cap ? (w->cap / XS_STEP + 1) * sizeof *w->xs : 0);
        }
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
    const gent_t *g;  /* a grid entry's match: what the conflict is made of */
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
    uint64_t *seen;   /* route segments already judged (a segment has several pieces) */
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
 * Open addressing; only route segments go here. */
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

/* Room for more matches; nonzero when out of memory. Apart from push, so
 * that push, a few stores per conflict, is inlined where the scan calls it. */
static __attribute__((noinline)) int push_room(run_t *r)
{
    size_t cap = r->cap ? r->cap * 2 : 1024; /* most checks: no realloc */
    match_t *p = realloc(r->out, cap * sizeof *p);
    if (!p) {
        r->oom = 1;
        return 1;
    }
    r->out = p;
    r->cap = cap;
    return 0;
}

static inline int push(run_t *r, uint32_t obj, double dist, int kind, uint64_t num, const gent_t *g)
{
    if (r->n == r->cap && push_room(r)) return 1;
    match_t *m = &r->out[r->n++];
    m->key = sort_key(dist, kind, num), m->g = g, m->obj = obj, m->segment = -1, m->distance = dist;
    m->inside_from = m->inside_until = 0;
    return 0;
}

int dc_segment_meets(const area_t *area, pt_t a, pt_t b, int64_t ta, int64_t tb, int64_t from, int64_t until,
                     double limit, double *dist, int64_t *inside_from, int64_t *inside_until)
{
    if (ta > until || tb < from) return 0;
    /* Only the stretch travelled during the window counts. */
    double sa = 0, sb = 1;
    if (tb > ta) {
        if (from > ta) sa = (double)(from - ta) / (double)(tb - ta);
        if (until < tb) sb = (double)(until - ta) / (double)(tb - ta);
    }
    if (sa > sb) return 0;
    pt_t pa = {a.x + sa * (b.x - a.x), a.y + sa * (b.y - a.y)};
    pt_t pb = {a.x + sb * (b.x - a.x), a.y + sb * (b.y - a.y)};
    *dist = area_dist_seg(area, pa, pb);
    if (*dist > limit) return 0;
    double u0, u1;
    if (area_seg_within(area, pa, pb, limit, &u0, &u1)) {
        u0 = 0; /* rounding at the very edge: the whole stretch */
        u1 = 1;
    }
    double s0 = sa + u0 * (sb - sa), s1 = sa + u1 * (sb - sa);
    *inside_from = ta + (int64_t)(s0 * (double)(tb - ta));
    *inside_until = ta + (int64_t)(s1 * (double)(tb - ta) + 0.5);
    return 1;
}

/* Segment i of a route (judged once per check: see seen_before). Nonzero
 * when out of memory. */
static int judge_segment(run_t *r, uint32_t obj, int i, const gent_t *g)
{
    const dc_query_t *q = r->q;
    const obj_t *o = &r->d->o[obj];
    double dist;
    int64_t in0, in1;
    if (!dc_segment_meets(q->area, o->shape.p[i], o->shape.p[i + 1], o->times[i], o->times[i + 1], q->from,
                          q->until, o->protection + q->buffer_m, &dist, &in0, &in1))
        return 0;
    if (push(r, obj, dist, o->kind, o->num, g)) return 1;
    match_t *m = &r->out[r->n - 1];
    m->segment = i;
    m->inside_from = in0;
    m->inside_until = in1;
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
    if (o->kind == DC_MOVEMENT && o->times) {
        int i = (int)(e->part >> 8);
        return seen_before(r, e->obj, (uint32_t)i) ? 0 : judge_segment(r, e->obj, i, NULL);
    }
    double limit = o->protection + q->buffer_m;
    double dist = area_dist(q->area, &o->shape);
    if (dist > limit) return 0;
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

/* The larger of two numbers that are not NaN: what fmax gives, without
 * the call it is at -O2 on plain x86-64. */
static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

/* The distance from c to the farthest point of a box. */
static double rect_far(pt_t c, double x0, double y0, double x1, double y1)
{
    double dx = max2(c.x - x0, x1 - c.x), dy = max2(c.y - y0, y1 - c.y);
    return sqrt(dx * dx + dy * dy);
}

/* The scan's filter: an entry can conflict only when its minutes meet the
 * window's (and it was not judged in the slab before) and its box comes
 * within the area's reach: the distance from the box to the area's box (a
 * circle's centre) at most the radius plus its protection plus the buffer.
 * The filter only narrows what judging sees, which decides exactly; PICK_SLACK
 * covers the rounding of its sums many times over. */
#define PICK_SLACK 1.0

typedef struct {
    double qx0, qy0, qx1, qy1; /* the area's box */
    double K;                  /* its radius + buffer + PICK_SLACK */
    int32_t qm0, qm1, dedup;
} pick_t;

/* A check's view of the grid. */
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
    /* Entries whose judging reads their object (a route's segment, a
     * polygon's vertices): judged a batch at a time, see drain. */
    const gent_t *later[64];
    int nlater;
    pick_t pick;      /* the scan's filter, see pick_some */
    int avx2;         /* whether the scan uses the AVX2 filter (the CPU has it, dc__portable unset) */
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

/* A point's distance to a polygon area, given how the area lies over the
 * point's cell; above limit when it is no conflict. */
static double poly_dist_pt(const gq_t *g, int mode, const uint8_t *near, int nnear, pt_t p, double limit)
{
    const shape_t *s = g->s;
    if (mode == CELL_INSIDE) return 0;
    if (mode == CELL_PLAIN) {
        if (p.x < s->x0 - limit || p.x > s->x1 + limit || p.y < s->y0 - limit || p.y > s->y1 + limit) return DBL_MAX;
        return shape_dist_pt(s, p);
    }
    if (mode == CELL_ACROSS && shape_contains(s, p)) return 0;
    /* Outside: the nearest of the edges within reach (when none is within
     * the limit, neither is any other, and the point is no conflict). */
    double d2 = DBL_MAX;
    for (int k = 0; k < nnear; k++) {
        double x = pt_seg_dist2(p, g->E[near[k]].a, g->E[near[k]].b);
        if (x < d2) d2 = x;
    }
    return d2 == DBL_MAX ? DBL_MAX : sqrt(d2);
}

/* The entries put off: their objects were prefetched when they were put
 * off; now what those point to (a segment's times and ends, a polygon's
 * vertices) is prefetched for all of them, then each is judged, so the
 * cache misses overlap instead of queueing. Nonzero when out of memory. */
static int drain(gq_t *g)
{
    run_t *r = g->r;
    const obj_t *objs = r->d->o;
    for (int k = 0; k < g->nlater; k++) {
        const gent_t *e = g->later[k];
        const obj_t *o = &objs[e->obj];
        if (e->kind == DC_MOVEMENT) {
            __builtin_prefetch(&o->times[e->seg]);
            __builtin_prefetch(&o->shape.p[e->seg]);
        } else {
            __builtin_prefetch(o->shape.p);
            __builtin_prefetch(o->shape.ring);
        }
    }
    int n = g->nlater;
    g->nlater = 0;
    for (int k = 0; k < n; k++) {
        const gent_t *e = g->later[k];
        if (e->kind == DC_MOVEMENT) {
            if (judge_segment(r, e->obj, e->seg, e)) return -1;
            continue;
        }
        const shape_t *os = &objs[e->obj].shape;
        double limit = e->prot + g->b;
        double dist = g->ne && os->type == SH_POLY ? poly_dist_near(g, os, limit) : area_dist(r->q->area, os);
        if (dist <= limit && push(r, e->obj, dist, e->kind, e->num, e)) return -1;
    }
    return 0;
}

static int defer(gq_t *g, const gent_t *e)
{
    const obj_t *o = &g->r->d->o[e->obj];
    __builtin_prefetch(&o->shape);
    if (e->kind == DC_MOVEMENT) { /* judge_segment reads all three lines */
        __builtin_prefetch(o);
        __builtin_prefetch(&o->times);
    }
    g->later[g->nlater++] = e;
    return g->nlater == (int)(sizeof g->later / sizeof *g->later) ? drain(g) : 0;
}

/* Entries i .. i + n - 1 (n at most PICK) that pass the filter: bit k for
 * entry i + k. */
static unsigned pick_some(const rowv_t *v, uint32_t i, uint32_t n, const pick_t *p)
{
    unsigned m = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t j = i + k;
        double dx = max2(max2(p->qx0 - (v->x[j] + v->w[j]), v->x[j] - p->qx1), 0);
        double dy = max2(max2(p->qy0 - (v->y[j] + v->h[j]), v->y[j] - p->qy1), 0);
        double L = v->prot[j] + p->K;
        int in = v->m0[j] <= p->qm1 && v->m1[j] >= p->qm0 && v->m0[j] >= p->dedup && !(dx * dx + dy * dy > L * L);
        m |= (unsigned)in << k;
    }
    return m;
}

#ifdef PICK_AVX2
/* The same for PICK entries, four lanes of doubles at a time: the scan's
 * branches on every entry, in time or not, near or not, were most of its
 * cost. */
__attribute__((target("avx2"))) static unsigned pick8_avx2(const rowv_t *v, uint32_t i, const pick_t *p)
{
    __m256i m0 = _mm256_loadu_si256((const __m256i *)(v->m0 + i)), m1 = _mm256_loadu_si256((const __m256i *)(v->m1 + i));
    __m256i out = _mm256_or_si256(_mm256_cmpgt_epi32(m0, _mm256_set1_epi32(p->qm1)),
                                  _mm256_cmpgt_epi32(_mm256_set1_epi32(p->qm0), m1));
    out = _mm256_or_si256(out, _mm256_cmpgt_epi32(_mm256_set1_epi32(p->dedup), m0));
    unsigned late = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(out));
    if (late == 0xff) return 0;
    __m256d qx0 = _mm256_set1_pd(p->qx0), qx1 = _mm256_set1_pd(p->qx1), qy0 = _mm256_set1_pd(p->qy0),
            qy1 = _mm256_set1_pd(p->qy1), K = _mm256_set1_pd(p->K), zero = _mm256_setzero_pd();
    unsigned near = 0;
    for (uint32_t h = 0; h < PICK; h += 4) {
        uint32_t j = i + h;
        __m256d x = _mm256_loadu_pd(v->x + j), y = _mm256_loadu_pd(v->y + j);
        __m256d bw = _mm256_cvtps_pd(_mm_loadu_ps(v->w + j)), bh = _mm256_cvtps_pd(_mm_loadu_ps(v->h + j));
        __m256d dx = _mm256_max_pd(_mm256_max_pd(_mm256_sub_pd(qx0, _mm256_add_pd(x, bw)), _mm256_sub_pd(x, qx1)), zero);
        __m256d dy = _mm256_max_pd(_mm256_max_pd(_mm256_sub_pd(qy0, _mm256_add_pd(y, bh)), _mm256_sub_pd(y, qy1)), zero);
        __m256d L = _mm256_add_pd(_mm256_cvtps_pd(_mm_loadu_ps(v->prot + j)), K);
        __m256d d2 = _mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy));
        near |= (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(d2, _mm256_mul_pd(L, L), _CMP_NGT_UQ)) << h;
    }
    return near & ~late;
}
#endif

/* One row of a layer: the entries from the one numbered from to the last
 * whose x is at most hi, filtered PICK at a time, and those that pass
 * judged (a few past hi may be: judging decides them as well).
 * dedup: the minute before which an entry was judged in the slab before. */
static int row_check(gq_t *g, const layer_t *l, int cy, uint32_t from, double lo, double hi, int32_t dedup)
{
    run_t *r = g->r;
    const dc_t *d = r->d;
    const grow_t *w = &l->rows[cy];
    const rowv_t v = row_view(w);
    unsigned kinds = r->q->kinds;
    double R = g->R, R2 = R * R, b = g->b, ry0 = (cy - GRID_HALF) * GRID_CELL;
    int edge_row = cy == 0 || cy == GRID_N - 1, mode = CELL_PLAIN, nnear = 0;
    double cell = NAN;
    uint8_t near[MAX_EDGES];
    pick_t p = g->pick;
    p.dedup = dedup;
    while (from < w->n && v.x[from] < lo) from++; /* the few before lo after its sample */
    for (uint32_t i = from; i < w->n && v.x[i] <= hi; i += PICK) {
        /* A stretch is too short for the hardware's prefetcher to ramp up. */
        row_prefetch(&v, w->n, i + 2 * PICK, i + PICK);
#ifdef PICK_AVX2
        unsigned m = w->n - i >= PICK && g->avx2 ? pick8_avx2(&v, i, &p)
                                                 : pick_some(&v, i, w->n - i < PICK ? w->n - i : PICK, &p);
#else
        unsigned m = pick_some(&v, i, w->n - i < PICK ? w->n - i : PICK, &p);
#endif
        for (; m; m &= m - 1) {
            uint32_t k = i + (uint32_t)__builtin_ctz(m);
            const gent_t *e = &v.e[k];
            if ((v.m0[k] + 1 > g->qf || v.m1[k] - 1 < g->qc) &&
                (d->o[e->obj].t0 > g->until || d->o[e->obj].t1 < g->from))
                continue;
            if ((kinds && !(kinds & (1u << e->kind))) || e->obj == r->skip) continue;
            double limit = e->prot + b, dist, x = v.x[k], y = v.y[k];
            /* The filter found the box within reach (but for its slack): */
            if (e->kind == DC_MOVEMENT) { /* a piece of a route: its segment is judged */
                if (seen_before(r, e->obj, e->seg)) continue;
                if (defer(g, e)) return -1;
                continue;
            }
            if (v.w[k] > 0) {
                /* A polygon: its box wholly inside a circle, so is the shape;
                 * else its vertices decide. */
                if (!g->circle || rect_far(g->c, x, y, x + v.w[k], y + v.h[k]) > R) {
                    if (defer(g, e)) return -1;
                    continue;
                }
                dist = 0;
            } else if (g->circle) {
                double dx = x - g->c.x, dy = y - g->c.y, d2 = dx * dx + dy * dy;
                if (d2 <= R2) {
                    dist = 0;
                } else {
                    dist = sqrt(d2) - R;
                    if (dist < 0) dist = 0;
                }
            } else {
                if (g->ne) { /* the polygon over this point's cell */
                    double cx = floor(x / GRID_CELL);
                    if (cx != cell) { /* rows hold real x; only their y is clamped */
                        cell = cx;
                        mode = edge_row ? CELL_PLAIN
                                        : classify(g->s, g->E, g->ne, cx * GRID_CELL, ry0, (double)w->maxprot + b,
                                                   near, &nnear);
                    }
                    if (mode == CELL_SKIP) continue;
                }
                dist = poly_dist_pt(g, mode, near, nnear, (pt_t){x, y}, limit);
            }
            if (dist > limit) continue;
            if (push(r, e->obj, dist, e->kind, e->num, e)) return -1;
        }
    }
    return 0;
}

/* The grid's layers that meet the window (the timeless one and the slabs),
 * and in each the rows near the area, each from the first entry that can
 * reach the area to the last. An object filed in several slabs is judged in
 * the first of them the window meets. */
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
    g.pick = (pick_t){.qx0 = g.circle ? g.c.x : s->x0, .qy0 = g.circle ? g.c.y : s->y0,
                      .qx1 = g.circle ? g.c.x : s->x1, .qy1 = g.circle ? g.c.y : s->y1,
                      .K = g.R + g.b + PICK_SLACK, .qm0 = g.qm0, .qm1 = g.qm1};
#ifdef PICK_AVX2
    g.avx2 = __builtin_cpu_supports("avx2") && !dc__portable;
#endif
    edge_t E[MAX_EDGES];
    if (s->type == SH_POLY && s->n - s->nring <= MAX_EDGES)
        for (int k = 0; k < s->nring; k++)
            for (int i = s->ring[k]; i + 1 < s->ring[k + 1]; i++) {
                pt_t p = s->p[i], p2 = s->p[i + 1];
                E[g.ne++] = (edge_t){p, p2, fmin(p.x, p2.x), fmin(p.y, p2.y), fmax(p.x, p2.x), fmax(p.y, p2.y)};
            }
    g.E = E;
    for (uint32_t li = 0; li < d->nlayers; li++) {
        const layer_t *l = &d->layers[li];
        int32_t dedup = INT32_MIN;
        if (l->level != LV_TIMELESS) {
            int32_t first = slab_of(g.qm0, l->level), last = slab_of(g.qm1, l->level);
            if (l->slab < first) { /* on to the window's first slab of this level */
                li = layer_find(d, l->level, first) - 1;
                continue;
            }
            if (l->slab > last) {
                li = layer_find(d, l->level + 1, INT32_MIN) - 1;
                continue;
            }
            if (l->slab > first) dedup = l->slab * slab_min[l->level];
        }
        double reach = g.R + (double)l->maxprot + g.b + BOX_PAD;
        int y0 = grow_of(s->y0 - reach - l->maxh), y1 = grow_of(s->y1 + reach);
        /* Rows a batch at a time, in stages, so that the cache misses of
         * one stage (row, samples, first entries) overlap across the rows
         * instead of queueing one after another in each. */
        enum { BATCH = 32 };
        for (int b0 = y0; b0 <= y1; b0 += BATCH) {
            int b1 = b0 + BATCH - 1 < y1 ? b0 + BATCH - 1 : y1, nb = 0;
            int row[BATCH];
            double lo[BATCH], hi[BATCH];
            uint32_t from[BATCH];
            for (int cy = b0; cy <= b1; cy++) __builtin_prefetch(&l->rows[cy]);
            for (int cy = b0; cy <= b1; cy++) {
                const grow_t *w = &l->rows[cy];
                if (!w->n) continue;
                double a = s->x0 - reach - w->maxw, z = s->x1 + reach;
                if (g.circle && cy > 0 && cy < GRID_N - 1) {
                    /* The entries here lie within [ry0, ry1 + maxh] in y:
                     * the circle's reach over that band. */
                    double ry0 = (cy - GRID_HALF) * GRID_CELL, ry1 = ry0 + GRID_CELL + l->maxh;
                    double dy = g.c.y < ry0 ? ry0 - g.c.y : g.c.y > ry1 ? g.c.y - ry1 : 0;
                    if (dy > reach) continue;
                    double half = sqrt(reach * reach - dy * dy);
                    a = g.c.x - half - w->maxw, z = g.c.x + half;
                }
                size_t nxs = ((w->n + XS_STEP - 1) >> XS_SHIFT) * sizeof *w->xs;
                for (size_t k = 0; k < nxs && k < 1024; k += 64) __builtin_prefetch((const char *)w->xs + k);
                row[nb] = cy, lo[nb] = a, hi[nb++] = z;
            }
            for (int k = 0; k < nb; k++) {
                const grow_t *w = &l->rows[row[k]];
                from[k] = row_near(w, lo[k]);
                rowv_t v = row_view(w);
                row_prefetch(&v, w->n, from[k], from[k]);
            }
            for (int k = 0; k < nb; k++)
                if (row_check(&g, l, row[k], from[k], lo[k], hi[k], dedup)) return -1;
        }
    }
    return drain(&g);
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

static int bits_of(uint64_t v)
{
    return v ? 64 - __builtin_clzll(v) : 0;
}

/* LSD radix sort of keys of the given bits, in passes of a digit width
 * that suits n (a pass costs n steps and a table of 2^width counters); a
 * pass whose digit is the same for every key is skipped. tmp has room for
 * n; the answer is a or tmp. */
static kv_t *radix_sort(kv_t *a, kv_t *tmp, size_t n, int bits)
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
    int passes = 0, w = 1;
    double best = DBL_MAX;
    for (int x = 8; x <= 11; x++) { /* at most 8 passes: the counters fit the thread's table */
        int p = (bits + x - 1) / x;
        double cost = (double)p * ((double)(1u << x) + (double)n);
        if (cost < best) best = cost, passes = p, w = x;
    }
    w = passes ? (bits + passes - 1) / passes : 1; /* the same passes, digits as even as they go */
    uint64_t mask = (1ull << w) - 1;
    static _Thread_local uint32_t count[8][1 << 11]; /* 64 KB: not on a pool thread's stack */
    for (int p = 0; p < passes; p++) memset(count[p], 0, (mask + 1) * sizeof **count);
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < passes; p++) count[p][(a[i].key >> (p * w)) & mask]++;
    for (int p = 0; p < passes; p++) {
        uint32_t *c = count[p];
        if (c[(a[0].key >> (p * w)) & mask] == n) continue;
        uint32_t sum = 0;
        for (uint64_t k = 0; k <= mask; k++) {
            uint32_t v = c[k];
            c[k] = sum;
            sum += v;
        }
        for (size_t i = 0; i < n; i++) tmp[c[(a[i].key >> (p * w)) & mask]++] = a[i];
        kv_t *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

/* The matches in the answer's order, into out (room for n). The keys are
 * packed first to the bits this answer uses: its largest distance, and the
 * kinds and id numbers it holds numbered densely (each kind's numbers after
 * the largest of the kind before), which keeps their order and spares the
 * sort a pass where a kind's numbers are small. Those at distance 0 (often
 * most of a large answer) come first and are sorted apart by kind and
 * number alone: a pass whose digit most keys share (the distance, for them)
 * makes every step wait on the one counter they all increment. */
static const kv_t *order(const match_t *m, size_t n, kv_t *out, kv_t *tmp)
{
    const uint64_t NUM = (1ull << 33) - 1, ZERO = 1ull << 36; /* keys below: distance 0 */
    uint64_t any = 0, base[8] = {0}, top[8] = {0}; /* top[k]: kind k's largest number + 1 */
    size_t nz = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = m[i].key, t = (k & NUM) + 1, *tk = &top[(k >> 33) & 7];
        any |= k;
        nz += k < ZERO;
        *tk = t > *tk ? t : *tk;
    }
    for (int k = 1; k < 8; k++) base[k] = base[k - 1] + top[k - 1];
    int nb = bits_of(base[7] + top[7]);
    size_t z = 0, f = nz;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = m[i].key, p = (k >> 36) << nb | (base[(k >> 33) & 7] + (k & NUM));
        out[k < ZERO ? z++ : f++] = (kv_t){p, i};
    }
    const kv_t *a = radix_sort(out, tmp, nz, nb), *b = radix_sort(out + nz, tmp + nz, n - nz, bits_of(any >> 36) + nb);
    /* Both halves end in out or both in tmp only by chance: gather in out. */
    if (a != out) memcpy(out, a, nz * sizeof *out);
    if (b != out + nz) memcpy(out + nz, b, (n - nz) * sizeof *out);
    return out;
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
    if (d->nlayers && grid_check(&r)) r.oom = 1; /* a layer left empty is freed */
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
    kv_t *sorted = (kv_t *)order(r.out, r.n, kv, kv + r.n);
    size_t nc = 0;
    for (size_t i = 0; i < r.n; i++) {
        const match_t *m = &r.out[sorted[i].i];
        /* Built in its place, field by field: built apart and copied, the
         * copy's wide loads waited on the narrow stores before them (a
         * store-forwarding stall, a third of this loop). */
        conflict_t *x = &c[nc];
        x->distance_m = m->distance, x->segment = m->segment, x->inside_from = m->inside_from;
        x->inside_until = m->inside_until;
        const gent_t *g = m->g;
        if (g) { /* the object is read only for what the entry lacks */
            x->kind = g->kind, x->id = g->id, x->labels = (json_t *)g->labels, x->protection_m = g->prot;
            x->num = g->num == UINT32_MAX ? d->o[m->obj].num : g->num;
            x->category = g->cat < NCATS ? d->cats[g->cat] : d->o[m->obj].category;
        } else {
            const obj_t *o = &d->o[m->obj];
            x->kind = o->kind, x->id = o->id, x->num = o->num, x->category = o->category;
            x->protection_m = o->protection, x->labels = o->labels;
        }
        if (!may_see(&r, x->labels)) continue;
        /* Equal keys: insertion by the whole order (their runs are short);
         * sorted[] keeps the keys of what is kept, in c's order. */
        size_t j = nc;
        if (j > 0 && sorted[j - 1].key == m->key && dc_conflict_cmp(&c[j - 1], x) > 0) {
            conflict_t t = *x;
            while (j > 0 && sorted[j - 1].key == m->key && dc_conflict_cmp(&c[j - 1], &t) > 0) {
                c[j] = c[j - 1];
                j--;
            }
            c[j] = t;
        }
        sorted[nc++].key = m->key;
    }
    free(kv);
    free(r.out);
    *out = c;
    *n = nc;
    return 0;
}

json_t *conflict_json(const conflict_t *c)
{
    /* Built member by member: a check's answer can hold thousands, and
     * json_pack's format parsing and UTF-8 checks were half of an operation
     * notice's time. The keys are constants; the id and category were
     * checked as UTF-8 when they came in, the times are ASCII. */
    const char *hash = strchr(c->id, '#'); /* "UNIT-AZE-1#3": the record's id, and the report */
    json_t *j = json_object();
    json_object_set_new_nocheck(j, "kind", json_string_nocheck(dc_kind_names[c->kind]));
    json_object_set_new_nocheck(j, "id", json_stringn_nocheck(c->id, hash ? (size_t)(hash - c->id) : strlen(c->id)));
    json_object_set_new_nocheck(j, "distance_m", json_real((double)((int64_t)(c->distance_m * 100 + 0.5)) / 100));
    json_object_set_new_nocheck(j, "protection_m", json_real(c->protection_m));
    if (hash) json_object_set_new_nocheck(j, "report", json_integer(atoll(hash + 1)));
    if (c->category && *c->category) json_object_set_new_nocheck(j, "category", json_string_nocheck(c->category));
    if (c->segment >= 0) {
        char a[32], b[32];
        time_format(c->inside_from, a);
        time_format(c->inside_until, b);
        json_object_set_new_nocheck(j, "segment", json_integer(c->segment));
        json_object_set_new_nocheck(j, "inside_from", json_string_nocheck(a));
        json_object_set_new_nocheck(j, "inside_until", json_string_nocheck(b));
    }
    return j;
}
