/*
 * stindex.h — the space-time index: boxes in (x, y, t) over the mission's
 * metric plane (DESIGN.md). Deconfliction is a query on it, never a scan.
 *
 * Structure: a hash of grid cells (cell_m square) per time level. An entry
 * whose time span is short sits in the fine level (6-hour buckets), longer
 * ones in the day level (7-day buckets), the rest (months, open-ended) in a
 * level with one bucket. Within a level an entry is filed under every
 * (cell, bucket) its box covers, and a query visits the (cell, bucket)s its
 * box covers, testing the entries' boxes and times, so a query costs the
 * entries near it in space and time, whatever the size of the whole set. A
 * query whose window spans more (cell, bucket)s than the table holds (years,
 * or open-ended) walks the table's slots instead, so no window is unbounded.
 *
 * Entries are (obj, part): the caller's object number and a part number (the
 * segment of a route). Each matching (obj, part) is visited once per query.
 * Not thread-safe for writes: the caller's lock guards it; queries only read.
 * Ownership: the index owns its cells; stindex_free releases everything.
 */
#ifndef TRUCE_STINDEX_H
#define TRUCE_STINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct stindex stindex_t;

typedef struct {
    float x0, y0, x1, y1;
    int64_t t0, t1;     /* ms; t1 >= t0; INT64_MAX for open-ended */
    uint32_t obj, part;
} st_entry_t;

stindex_t *stindex_new(double cell_m);
void stindex_free(stindex_t *ix);
/* -1 on allocation failure. */
int stindex_add(stindex_t *ix, const st_entry_t *e);
/* Removes the entry added with the same box, times, obj and part. */
void stindex_remove(stindex_t *ix, const st_entry_t *e);

/* Calls fn once for each entry whose box meets [x0,x1]x[y0,y1] and whose
 * time meets [t0,t1]. An entry filed under several (cell, bucket)s is
 * reported only from the one holding the low corner of its intersection
 * with the query (the reference-point method), so no visit marks are needed
 * and readers can query at once. fn returns nonzero to stop. */
typedef int (*st_visit_fn)(void *arg, const st_entry_t *e);
void stindex_query(const stindex_t *ix, double x0, double y0, double x1, double y1, int64_t t0,
                   int64_t t1, st_visit_fn fn, void *arg);
size_t stindex_count(const stindex_t *ix);
size_t stindex_memory(const stindex_t *ix);

#endif
