/*
 * stindex.c — see stindex.h. One open-addressing hash table maps a key
 * (level, time bucket, cell x, cell y) to a small array of entries.
 */
#include "stindex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NLEVEL 3
static const int64_t level_ms[NLEVEL] = {6LL * 3600 * 1000, 7LL * 86400 * 1000, 0};
#define SPAN_MAX 4 /* an entry goes to the finest level where it covers at most this many buckets */

typedef struct {
    uint64_t key;        /* 0: empty slot */
    st_entry_t *e;
    uint32_t n, cap;
} slot_t;

struct stindex {
    double cell;
    slot_t *slots;
    size_t cap, used;    /* cap: power of two */
    size_t entries, filed;
    size_t level_count[NLEVEL];
};

stindex_t *stindex_new(double cell_m)
{
    stindex_t *ix = calloc(1, sizeof *ix);
    if (!ix) return NULL;
    ix->cell = cell_m;
    ix->cap = 1024;
    ix->slots = calloc(ix->cap, sizeof *ix->slots);
    if (!ix->slots) {
        free(ix);
        return NULL;
    }
    return ix;
}

void stindex_free(stindex_t *ix)
{
    if (!ix) return;
    for (size_t i = 0; i < ix->cap; i++) free(ix->slots[i].e);
    free(ix->slots);
    free(ix);
}

static int64_t cell_of(const stindex_t *ix, double v)
{
    return (int64_t)floor(v / ix->cell);
}

static int64_t bucket_of(int level, int64_t t)
{
    if (!level_ms[level]) return 0;
    /* floor division for negative times too */
    return t >= 0 ? t / level_ms[level] : -((-t - 1) / level_ms[level]) - 1;
}

/* Key layout: level (bits 62-63), a marker so no key is 0 (bit 61), the time
 * bucket (21 bits, 40-60: six-hour buckets reach 700 years either side of
 * 1970) and the cell (20 bits each, 20-39 and 0-19: half a million cells
 * either side of the centre). Fields are two's complement, masked. */
#define BUCKET_BITS 21
#define CELL_BITS 20

static uint64_t key_of(int level, int64_t bucket, int64_t cx, int64_t cy)
{
    return ((uint64_t)level << 62) | (1ull << 61) | (((uint64_t)bucket & ((1ull << BUCKET_BITS) - 1)) << 40) |
           (((uint64_t)cx & ((1ull << CELL_BITS) - 1)) << 20) | ((uint64_t)cy & ((1ull << CELL_BITS) - 1));
}

/* The signed value of a field of bits bits at the bottom of v. */
static int64_t field(uint64_t v, int bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static slot_t *find(const stindex_t *ix, uint64_t key)
{
    size_t m = ix->cap - 1;
    for (size_t i = mix(key) & m;; i = (i + 1) & m) {
        slot_t *s = &ix->slots[i];
        if (s->key == key) return s;
        if (!s->key) return NULL;
    }
}

static int grow(stindex_t *ix)
{
    size_t cap = ix->cap * 2, m = cap - 1;
    slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->slots[i].key) continue;
        size_t j = mix(ix->slots[i].key) & m;
        while (slots[j].key) j = (j + 1) & m;
        slots[j] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = slots;
    ix->cap = cap;
    return 0;
}

static slot_t *find_or_add(stindex_t *ix, uint64_t key)
{
    slot_t *s = find(ix, key);
    if (s) return s;
    if ((ix->used + 1) * 4 > ix->cap * 3 && grow(ix)) return NULL;
    size_t m = ix->cap - 1, i = mix(key) & m;
    while (ix->slots[i].key) i = (i + 1) & m;
    ix->slots[i].key = key;
    ix->used++;
    return &ix->slots[i];
}

static int level_for(const st_entry_t *e)
{
    if (e->t1 == INT64_MAX) return NLEVEL - 1;
    for (int l = 0; l < NLEVEL - 1; l++)
        if (bucket_of(l, e->t1) - bucket_of(l, e->t0) < SPAN_MAX) return l;
    return NLEVEL - 1;
}

int stindex_add(stindex_t *ix, const st_entry_t *e)
{
    int l = level_for(e);
    int64_t b0 = bucket_of(l, e->t0), b1 = bucket_of(l, e->t1);
    int64_t x0 = cell_of(ix, e->x0), x1 = cell_of(ix, e->x1), y0 = cell_of(ix, e->y0), y1 = cell_of(ix, e->y1);
    for (int64_t b = b0; b <= b1; b++)
        for (int64_t cx = x0; cx <= x1; cx++)
            for (int64_t cy = y0; cy <= y1; cy++) {
                slot_t *s = find_or_add(ix, key_of(l, b, cx, cy));
                if (!s) return -1;
                if (s->n == s->cap) {
                    uint32_t cap = s->cap ? s->cap * 2 : 4;
                    st_entry_t *p = realloc(s->e, cap * sizeof *p);
                    if (!p) return -1;
                    s->e = p;
                    s->cap = cap;
                }
                s->e[s->n++] = *e;
                ix->filed++;
            }
    ix->entries++;
    ix->level_count[l]++;
    return 0;
}

void stindex_remove(stindex_t *ix, const st_entry_t *e)
{
    int l = level_for(e), found = 0;
    int64_t b0 = bucket_of(l, e->t0), b1 = bucket_of(l, e->t1);
    int64_t x0 = cell_of(ix, e->x0), x1 = cell_of(ix, e->x1), y0 = cell_of(ix, e->y0), y1 = cell_of(ix, e->y1);
    for (int64_t b = b0; b <= b1; b++)
        for (int64_t cx = x0; cx <= x1; cx++)
            for (int64_t cy = y0; cy <= y1; cy++) {
                slot_t *s = find(ix, key_of(l, b, cx, cy));
                if (!s) continue;
                for (uint32_t i = 0; i < s->n; i++)
                    if (s->e[i].obj == e->obj && s->e[i].part == e->part) {
                        s->e[i] = s->e[--s->n];
                        ix->filed--;
                        found = 1;
                        break;
                    }
                /* Empty slots stay (a tombstone would cost the same); their
                 * arrays are kept for the next entry in that cell. */
            }
    if (found) {
        ix->entries--;
        ix->level_count[l]--;
    }
}

/* Whether a filed entry meets the query's box and window: inline in the
 * scans, since most entries fail it. */
static inline int meets(const st_entry_t *e, double x0, double y0, double x1, double y1, int64_t t0, int64_t t1)
{
    return !(e->x0 > x1 || e->x1 < x0 || e->y0 > y1 || e->y1 < y0 || e->t0 > t1 || e->t1 < t0);
}

/* Reports an entry that meets the query from its reference (cell, bucket)
 * only. Returns fn's answer (nonzero: stop). */
static int report(const stindex_t *ix, int l, int64_t cx, int64_t cy, int64_t b, const st_entry_t *e, int64_t qx0,
                  int64_t qy0, int64_t qb0, st_visit_fn fn, void *arg)
{
    int64_t ex = cell_of(ix, e->x0), ey = cell_of(ix, e->y0), eb = bucket_of(l, e->t0);
    if ((ex > qx0 ? ex : qx0) != cx || (ey > qy0 ? ey : qy0) != cy || (eb > qb0 ? eb : qb0) != b) return 0;
    return fn(arg, e);
}

void stindex_query(const stindex_t *ix, double x0, double y0, double x1, double y1, int64_t t0,
                   int64_t t1, st_visit_fn fn, void *arg)
{
    int64_t qx0 = cell_of(ix, x0), qx1 = cell_of(ix, x1), qy0 = cell_of(ix, y0), qy1 = cell_of(ix, y1);
    for (int l = 0; l < NLEVEL; l++) {
        if (!ix->level_count[l]) continue;
        int64_t qb0 = bucket_of(l, t0), qb1 = bucket_of(l, t1);
        /* A window with more (cell, bucket)s than the table has slots (years,
         * or open-ended) walks the slots instead: bounded either way. */
        double probes = (double)(qb1 - qb0 + 1) * (double)(qx1 - qx0 + 1) * (double)(qy1 - qy0 + 1);
        if (probes > (double)ix->used) {
            for (size_t i = 0; i < ix->cap; i++) {
                const slot_t *s = &ix->slots[i];
                if (!s->key || (int)(s->key >> 62) != l) continue;
                int64_t b = field(s->key >> 40, BUCKET_BITS), cx = field(s->key >> 20, CELL_BITS),
                        cy = field(s->key, CELL_BITS);
                if (cx < qx0 || cx > qx1 || cy < qy0 || cy > qy1 || b < qb0 || b > qb1) continue;
                for (uint32_t k = 0; k < s->n; k++)
                    if (meets(&s->e[k], x0, y0, x1, y1, t0, t1) &&
                        report(ix, l, cx, cy, b, &s->e[k], qx0, qy0, qb0, fn, arg))
                        return;
            }
            continue;
        }
        /* A row of cells at a time: its slots are looked up first and their
         * entries prefetched, so the misses overlap, then scanned. */
        enum { ROW = 64 };
        for (int64_t b = qb0; b <= qb1; b++)
            for (int64_t cx = qx0; cx <= qx1; cx++)
                for (int64_t cy0 = qy0; cy0 <= qy1; cy0 += ROW) {
                    int64_t cy1 = cy0 + ROW - 1 < qy1 ? cy0 + ROW - 1 : qy1;
                    const slot_t *row[ROW];
                    size_t m = ix->cap - 1;
                    for (int64_t cy = cy0; cy <= cy1; cy++)
                        __builtin_prefetch(&ix->slots[mix(key_of(l, b, cx, cy)) & m]);
                    for (int64_t cy = cy0; cy <= cy1; cy++) {
                        const slot_t *s = find(ix, key_of(l, b, cx, cy));
                        row[cy - cy0] = s;
                        if (s && s->n) __builtin_prefetch(s->e);
                    }
                    for (int64_t cy = cy0; cy <= cy1; cy++) {
                        const slot_t *s = row[cy - cy0];
                        if (!s) continue;
                        for (uint32_t i = 0; i < s->n; i++)
                            if (meets(&s->e[i], x0, y0, x1, y1, t0, t1) &&
                                report(ix, l, cx, cy, b, &s->e[i], qx0, qy0, qb0, fn, arg))
                                return;
                    }
                }
    }
}

size_t stindex_count(const stindex_t *ix)
{
    return ix->entries;
}

size_t stindex_memory(const stindex_t *ix)
{
    size_t m = sizeof *ix + ix->cap * sizeof(slot_t);
    for (size_t i = 0; i < ix->cap; i++) m += ix->slots[i].cap * sizeof(st_entry_t);
    return m;
}
