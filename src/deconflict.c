/*
 * deconflict.c — see deconflict.h. Objects live in an array (their index is
 * the index entries' obj number; freed numbers are reused); a jansson object
 * maps "kind/id" to the number. Each object is filed in the index once, or
 * once per route segment for movements, with its box grown by its own
 * protection distance, so a query box need only be grown by the check's
 * radius and buffer.
 */
#include "deconflict.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_M 500.0
#define BOX_PAD 1.0 /* metres: boxes are floats; pad outward so rounding never loses a hit */

const char *const dc_kind_names[DC__KINDS] = {"site", "nostrike", "movement", "unit", "operation"};

typedef struct {
    int used;
    int kind;
    uint64_t num;     /* the id's trailing number, for a cheap sort */
    char *id, *category;
    double protection;
    shape_t shape;
    int64_t t0, t1;
    int64_t *times;   /* movements: per vertex */
    json_t *labels;
} obj_t;

struct dc {
    obj_t *o;
    uint32_t n, cap;
    uint32_t *freelist;
    uint32_t nfree;
    json_t *ids;      /* "kind/id" -> integer obj number */
    stindex_t *ix;
    size_t count;
};

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
    free(d);
}

static void key_of(char *k, size_t n, int kind, const char *id)
{
    snprintf(k, n, "%s/%s", dc_kind_names[kind], id);
}

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

void dc_drop(dc_t *d, int kind, const char *id)
{
    char k[160];
    key_of(k, sizeof k, kind, id);
    json_t *v = json_object_get(d->ids, k);
    if (!v) return;
    uint32_t num = (uint32_t)json_integer_value(v);
    entries(&d->o[num], num, NULL, d->ix);
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
            obj_t *o = realloc(d->o, cap * sizeof *o);
            uint32_t *fl = realloc(d->freelist, cap * sizeof *fl);
            if (o) d->o = o;
            if (fl) d->freelist = fl;
            if (!o || !fl) return -1;
            memset(d->o + d->cap, 0, (cap - d->cap) * sizeof *o);
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
    const char *dash = strrchr(in->id, '-');
    o->num = dash ? strtoull(dash + 1, NULL, 10) : 0;
    if (!o->id || !o->category || entries(o, num, stindex_add, d->ix)) {
        entries(o, num, NULL, d->ix);
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
    size_t m = sizeof *d + d->cap * (sizeof(obj_t) + sizeof(uint32_t)) + stindex_memory(d->ix);
    for (uint32_t i = 0; i < d->n; i++) {
        const obj_t *o = &d->o[i];
        if (!o->used) continue;
        m += strlen(o->id) + 1 + strlen(o->category) + 1 + (size_t)o->shape.n * sizeof(pt_t) +
             (size_t)(o->shape.nring + 1) * sizeof(int) + (o->times ? (size_t)o->shape.n * 8 : 0);
        m += 64; /* the id map's entry, roughly */
    }
    return m;
}

typedef struct {
    const dc_t *d;
    const dc_query_t *q;
    conflict_t *out;
    size_t n, cap;
    int oom;
    uint64_t *seen;   /* (obj, segment) of route pieces already judged */
    size_t nseen, capseen;
} run_t;

/* Whether (obj, segment) was judged already in this query; marks it if not.
 * Open addressing; only route pieces go through here. */
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

static int push(run_t *r, const conflict_t *c)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        conflict_t *p = realloc(r->out, cap * sizeof *p);
        if (!p) {
            r->oom = 1;
            return 1;
        }
        r->out = p;
        r->cap = cap;
    }
    r->out[r->n++] = *c;
    return 0;
}

static int visit(void *arg, const st_entry_t *e)
{
    run_t *r = arg;
    const dc_query_t *q = r->q;
    const obj_t *o = &r->d->o[e->obj];
    if (q->kinds && !(q->kinds & (1u << o->kind))) return 0;
    if (q->skip_id && o->kind == q->skip_kind && strcmp(o->id, q->skip_id) == 0) return 0;
    double limit = o->protection + q->buffer_m;
    conflict_t c = {.kind = o->kind, .id = o->id, .num = o->num, .category = o->category,
                    .protection_m = o->protection, .segment = -1, .labels = o->labels};
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
        c.distance_m = area_dist_seg(q->area, pa, pb);
        if (c.distance_m > limit) return 0;
        double u0, u1;
        if (area_seg_within(q->area, pa, pb, limit, &u0, &u1)) {
            u0 = 0; /* rounding at the very edge: the whole stretch */
            u1 = 1;
        }
        double s0 = sa + u0 * (sb - sa), s1 = sa + u1 * (sb - sa);
        c.segment = i;
        c.inside_from = ta + (int64_t)(s0 * (double)(tb - ta));
        c.inside_until = ta + (int64_t)(s1 * (double)(tb - ta) + 0.5);
    } else {
        c.distance_m = area_dist(q->area, &o->shape);
        if (c.distance_m > limit) return 0;
    }
    if (q->who && !auth_may_see(q->who, o->labels)) return 0;
    return push(r, &c);
}

static int cmp_conflict(const void *a, const void *b)
{
    const conflict_t *x = a, *y = b;
    if (x->distance_m != y->distance_m) return x->distance_m < y->distance_m ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    int c = strcmp(x->id, y->id);
    return c ? c : x->segment - y->segment;
}

int dc_check(const dc_t *d, const dc_query_t *q, conflict_t **out, size_t *n)
{
    run_t r = {.d = d, .q = q};
    const shape_t *s = &q->area->shape;
    double grow = q->area->radius + q->buffer_m;
    stindex_query(d->ix, s->x0 - grow, s->y0 - grow, s->x1 + grow, s->y1 + grow, q->from, q->until, visit, &r);
    free(r.seen);
    if (r.oom) {
        free(r.out);
        return -1;
    }
    if (r.n > 1) qsort(r.out, r.n, sizeof *r.out, cmp_conflict);
    *out = r.out;
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
