/*
 * deconflict.h — the deconfliction engine: every object that must be kept
 * clear of (notified sites, the no-strike list, movement routes, unit
 * positions, notified operations) with its projected shape, its time span and
 * its labels, filed in the space-time index; and the check that answers
 * "what does this area and window conflict with".
 *
 * An object conflicts with a check when the two times meet and the distance
 * from the object to the area is at most the object's protection distance
 * (a scenario table per kind and category) plus the check's extra buffer.
 * A movement is checked segment by segment, as planned: only the part of a
 * segment it travels during the window counts, and the answer says when the
 * movement is planned to be inside the buffered area.
 *
 * The domain modules (notify.c, later ops and isf) put and drop objects from
 * their apply functions, under the state lock. Ownership: dc_put copies what
 * it is given (the shape is moved in: the caller's shape is emptied); labels
 * are borrowed and must outlive the object (modules pass their interned sets).
 */
#ifndef TRUCE_DECONFLICT_H
#define TRUCE_DECONFLICT_H

#include "geo.h"
#include "stindex.h"
#include "truce.h"

enum { DC_SITE, DC_NOSTRIKE, DC_MOVEMENT, DC_UNIT, DC_OPERATION, DC__KINDS };
extern const char *const dc_kind_names[DC__KINDS];

typedef struct dc dc_t;

typedef struct {
    int kind;
    const char *id;          /* copied */
    const char *category;    /* copied; "" when none */
    double protection_m;
    shape_t shape;           /* moved in */
    int64_t t0, t1;          /* the object's time span (sites: validity) */
    const int64_t *times;    /* movements: one planned time per route vertex (copied) */
    json_t *labels;          /* borrowed */
} dc_object_t;

typedef struct {
    int kind;
    const char *id, *category;   /* borrowed from the engine until the next change */
    uint64_t num;                /* the id's trailing number (sort key) */
    double distance_m, protection_m;
    int segment;                 /* movements: route segment (0-based), else -1 */
    int64_t inside_from, inside_until; /* movements: planned inside the buffered area */
    json_t *labels;
} conflict_t;

dc_t *dc_new(void);
void dc_free(dc_t *d);
/* Adds or replaces the object with this kind and id. */
int dc_put(dc_t *d, dc_object_t *o);
void dc_drop(dc_t *d, int kind, const char *id);
size_t dc_count(const dc_t *d);
/* A copy of an object's shape (a movement's segment when segment >= 0);
 * -1 when there is no such object. */
int dc_object_shape(const dc_t *d, int kind, const char *id, int segment, shape_t *out);
size_t dc_memory(const dc_t *d);
/* Where the objects are filed: entries in the grid's rows (a route once per
 * piece and slab), its layers, and entries in the space-time index (objects
 * too large for the grid). */
void dc_stats(const dc_t *d, size_t *grid_entries, size_t *layers, size_t *index_entries);

/* The check. who == NULL: every object (the system's own checks); else only
 * objects whose labels the principal may see. kinds: bitmask of 1 << DC_*
 * (0: all). skip_kind/skip_id: the object being checked itself. Results are
 * sorted by distance as reported (whole centimetres), then kind, then the
 * id's number; *out is malloc'd (caller frees). */
typedef struct {
    const area_t *area;
    int64_t from, until;
    double buffer_m;
    unsigned kinds;
    const principal_t *who;
    int skip_kind;
    const char *skip_id;
} dc_query_t;
int dc_check(const dc_t *d, const dc_query_t *q, conflict_t **out, size_t *n);
/* Whether a route segment from a (planned at ta) to b (at tb) conflicts with
 * an area during [from, until] (closed): the stretch travelled during the
 * window comes within limit of the area. Then *dist is that stretch's
 * distance and [*inside_from, *inside_until] when the route is planned
 * within limit of the area. dc_check judges every segment so. */
int dc_segment_meets(const area_t *area, pt_t a, pt_t b, int64_t ta, int64_t tb, int64_t from, int64_t until,
                     double limit, double *dist, int64_t *inside_from, int64_t *inside_until);
/* Tests only: set, the grid's scan uses its portable filter even where the
 * CPU has AVX2 (the answers must not differ). */
extern int dc__portable;
/* The order of dc_check's answer, for qsort of conflict_t. */
int dc_conflict_cmp(const void *a, const void *b);
/* A conflict as the API returns it (times RFC 3339); new reference. */
json_t *conflict_json(const conflict_t *c);

#endif
