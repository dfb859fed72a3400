/*
 * geo.c — see geo.h. PROJ projects, GEOS judges validity, and the kernels
 * (point/segment/polygon distances, containment, a segment's passage through
 * an area) are a page of planar arithmetic each.
 */
#include "geo.h"

#include <float.h>
#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VERTICES 20000
/* Segments per quarter circle in narrowing buffers: 4 (a 16-gon grown by
 * 2% to contain the circle) unions about 15% faster than 8 for 1% of a
 * buffer's area more. */
#define BUFFER_QUADSEGS 4

struct geo {
    pthread_mutex_t mu;     /* guards pj and gh */
    PJ_CONTEXT *ctx;
    PJ *pj;
    GEOSContextHandle_t gh;
    shape_t area;           /* the mission boundary, projected; type 0 when unset */
    double margin;
    char proj[160];
};

static void geos_quiet(const char *fmt, ...)
{
    (void)fmt;
}

geo_t *geo_new(double lon0, double lat0, err_t *e)
{
    geo_t *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    pthread_mutex_init(&g->mu, NULL);
    snprintf(g->proj, sizeof g->proj,
             "+proj=tmerc +lat_0=%.6f +lon_0=%.6f +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m", lat0, lon0);
    g->ctx = proj_context_create();
    g->pj = g->ctx ? proj_create(g->ctx, g->proj) : NULL;
    g->gh = GEOS_init_r();
    if (!g->pj || !g->gh) {
        if (e) err_set(e, E_INTERNAL, NULL, "cannot set up the projection %s", g->proj);
        geo_free(g);
        return NULL;
    }
    GEOSContext_setNoticeHandler_r(g->gh, geos_quiet);
    GEOSContext_setErrorHandler_r(g->gh, geos_quiet);
    return g;
}

void geo_free(geo_t *g)
{
    if (!g) return;
    if (g->pj) proj_destroy(g->pj);
    if (g->ctx) proj_context_destroy(g->ctx);
    if (g->gh) GEOS_finish_r(g->gh);
    shape_free(&g->area);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

const char *geo_proj_string(const geo_t *g)
{
    return g->proj;
}

static int fwd_locked(geo_t *g, double lon, double lat, pt_t *out)
{
    PJ_COORD c = proj_trans(g->pj, PJ_FWD, proj_coord(proj_torad(lon), proj_torad(lat), 0, 0));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y)) return -1;
    out->x = c.xy.x;
    out->y = c.xy.y;
    return 0;
}

int geo_fwd(geo_t *g, double lon, double lat, pt_t *out)
{
    pthread_mutex_lock(&g->mu);
    int rc = fwd_locked(g, lon, lat, out);
    pthread_mutex_unlock(&g->mu);
    return rc;
}

int geo_inv(geo_t *g, pt_t p, double *lon, double *lat)
{
    pthread_mutex_lock(&g->mu);
    PJ_COORD c = proj_trans(g->pj, PJ_INV, proj_coord(p.x, p.y, 0, 0));
    pthread_mutex_unlock(&g->mu);
    if (!isfinite(c.lp.lam) || !isfinite(c.lp.phi)) return -1;
    *lon = proj_todeg(c.lp.lam);
    *lat = proj_todeg(c.lp.phi);
    return 0;
}

double geo_geodesic_m(double lon1, double lat1, double lon2, double lat2)
{
    struct geod_geodesic gd;
    geod_init(&gd, 6378137, 1 / 298.257223563);
    double s12;
    geod_inverse(&gd, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

/* ---- shapes ---- */

void shape_free(shape_t *s)
{
    free(s->p);
    free(s->ring);
    memset(s, 0, sizeof *s);
}

int shape_copy(shape_t *dst, const shape_t *src)
{
    *dst = *src;
    dst->p = malloc((size_t)src->n * sizeof *dst->p);
    dst->ring = malloc((size_t)(src->nring + 1) * sizeof *dst->ring);
    if (!dst->p || !dst->ring) {
        free(dst->p);
        free(dst->ring);
        memset(dst, 0, sizeof *dst);
        return -1;
    }
    memcpy(dst->p, src->p, (size_t)src->n * sizeof *dst->p);
    memcpy(dst->ring, src->ring, (size_t)(src->nring + 1) * sizeof *dst->ring);
    return 0;
}

static void shape_bbox(shape_t *s)
{
    s->x0 = s->y0 = DBL_MAX;
    s->x1 = s->y1 = -DBL_MAX;
    for (int i = 0; i < s->n; i++) {
        if (s->p[i].x < s->x0) s->x0 = s->p[i].x;
        if (s->p[i].x > s->x1) s->x1 = s->p[i].x;
        if (s->p[i].y < s->y0) s->y0 = s->p[i].y;
        if (s->p[i].y > s->y1) s->y1 = s->p[i].y;
    }
}

/* Parsing collects lon/lat pairs first, then projects them in one go. */
typedef struct {
    double *ll;  /* lon, lat pairs */
    int n, cap;
    int *ring;
    int nring, ringcap;
} coords_t;

static int coords_push(coords_t *c, double lon, double lat)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        double *p = realloc(c->ll, (size_t)cap * 2 * sizeof *p);
        if (!p) return -1;
        c->ll = p;
        c->cap = cap;
    }
    c->ll[2 * c->n] = lon;
    c->ll[2 * c->n + 1] = lat;
    c->n++;
    return 0;
}

static int coords_ring(coords_t *c)
{
    if (c->nring + 2 > c->ringcap) {
        int cap = c->ringcap ? c->ringcap * 2 : 8;
        int *p = realloc(c->ring, (size_t)cap * sizeof *p);
        if (!p) return -1;
        c->ring = p;
        c->ringcap = cap;
    }
    c->ring[c->nring++] = c->n;
    return 0;
}

/* One [lon, lat] position. */
static int parse_pos(const json_t *v, coords_t *c, const char *field, const char *where, err_t *e)
{
    if (!json_is_array(v) || json_array_size(v) < 2 || json_array_size(v) > 3 ||
        !json_is_number(json_array_get(v, 0)) || !json_is_number(json_array_get(v, 1)) ||
        (json_array_size(v) == 3 && !json_is_number(json_array_get(v, 2)))) /* an altitude is a number too */
        return err_set(e, E_BAD_GEOMETRY, field, "%s%s must be [longitude, latitude]", field, where);
    double lon = json_number_value(json_array_get(v, 0)), lat = json_number_value(json_array_get(v, 1));
    if (!(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90))
        return err_set(e, E_BAD_GEOMETRY, field,
                       "%s%s: [%g, %g] is not a longitude, latitude pair", field, where, lon, lat);
    if (c->n >= MAX_VERTICES)
        return err_set(e, E_TOO_LARGE, field, "%s has more than %d vertices", field, MAX_VERTICES);
    if (coords_push(c, lon, lat)) return err_set(e, E_INTERNAL, field, "out of memory");
    return 0;
}

static int parse_line(const json_t *v, coords_t *c, int min, const char *field, err_t *e)
{
    if (!json_is_array(v) || (int)json_array_size(v) < min)
        return err_set(e, E_BAD_GEOMETRY, field, "%s needs at least %d positions", field, min);
    size_t i;
    json_t *x;
    char where[32];
    json_array_foreach(v, i, x)
    {
        snprintf(where, sizeof where, " position %zu", i);
        if (parse_pos(x, c, field, where, e)) return -1;
    }
    return 0;
}

static int parse_polygon(const json_t *v, coords_t *c, const char *field, err_t *e)
{
    if (!json_is_array(v) || json_array_size(v) < 1)
        return err_set(e, E_BAD_GEOMETRY, field, "%s: a polygon needs at least one ring", field);
    size_t i;
    json_t *r;
    json_array_foreach(v, i, r)
    {
        if (coords_ring(c)) return err_set(e, E_INTERNAL, field, "out of memory");
        int start = c->n;
        if (parse_line(r, c, 4, field, e)) return -1;
        if (c->ll[2 * start] != c->ll[2 * (c->n - 1)] || c->ll[2 * start + 1] != c->ll[2 * c->n - 1])
            return err_set(e, E_BAD_GEOMETRY, field,
                           "%s: ring %zu is not closed (its last position must repeat its first)", field, i);
    }
    return 0;
}

/* Even-odd containment in one ring of a polygon shape. */
static int ring_contains(const shape_t *s, int r, pt_t p)
{
    int in = 0;
    for (int i = s->ring[r]; i + 1 < s->ring[r + 1]; i++) {
        pt_t a = s->p[i], b = s->p[i + 1];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
    }
    return in;
}

/* One GeoJSON Polygon as GEOS has it: its first ring the shell, the others
 * its holes, as written (validity then says whether they are inside). */
static GEOSGeometry *polygon_as_written(geo_t *g, const shape_t *s)
{
    GEOSContextHandle_t h = g->gh;
    GEOSGeometry **rings = calloc((size_t)s->nring, sizeof *rings);
    if (!rings) return NULL;
    for (int i = 0; i < s->nring; i++) {
        GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(
            h, (const double *)(s->p + s->ring[i]), (unsigned)(s->ring[i + 1] - s->ring[i]), 0, 0);
        rings[i] = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
        if (!rings[i]) {
            for (int k = 0; k < i; k++) GEOSGeom_destroy_r(h, rings[k]);
            free(rings);
            return NULL;
        }
    }
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, (unsigned)s->nring - 1);
    free(rings);
    return poly;
}

/* GEOS geometry of a projected shape (caller holds g->mu). */
static GEOSGeometry *to_geos(geo_t *g, const shape_t *s)
{
    GEOSContextHandle_t h = g->gh;
    if (s->type == SH_POINT) return GEOSGeom_createPointFromXY_r(h, s->p[0].x, s->p[0].y);
    if (s->type == SH_LINE) {
        GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, (const double *)s->p, (unsigned)s->n, 0, 0);
        return cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
    }
    /* Which rings are shells and which are holes: a ring inside an odd
     * number of others is a hole of the innermost shell around it (our
     * shapes keep only rings; multipolygons and holes are even-odd). */
    int nr = s->nring;
    int *depth = calloc((size_t)nr, sizeof *depth), *parent = calloc((size_t)nr, sizeof *parent);
    GEOSGeometry **rings = calloc((size_t)nr, sizeof *rings);
    GEOSGeometry *out = NULL;
    if (!depth || !parent || !rings) goto done;
    for (int i = 0; i < nr; i++) {
        parent[i] = -1;
        for (int j = 0; j < nr; j++)
            if (j != i && ring_contains(s, j, s->p[s->ring[i]])) depth[i]++;
    }
    for (int i = 0; i < nr; i++) {
        if (depth[i] % 2 == 0) continue;
        for (int j = 0; j < nr; j++)
            if (depth[j] == depth[i] - 1 && ring_contains(s, j, s->p[s->ring[i]])) parent[i] = j;
    }
    for (int i = 0; i < nr; i++) {
        GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(
            h, (const double *)(s->p + s->ring[i]), (unsigned)(s->ring[i + 1] - s->ring[i]), 0, 0);
        rings[i] = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
        if (!rings[i]) goto done;
    }
    GEOSGeometry **polys = calloc((size_t)nr, sizeof *polys), **holes = calloc((size_t)nr, sizeof *holes);
    int np = 0;
    if (polys && holes) {
        for (int i = 0; i < nr; i++) {
            if (depth[i] % 2) continue;
            int nh = 0;
            for (int j = 0; j < nr; j++)
                if (parent[j] == i) {
                    holes[nh++] = rings[j];
                    rings[j] = NULL;
                }
            polys[np++] = GEOSGeom_createPolygon_r(h, rings[i], holes, (unsigned)nh);
            rings[i] = NULL;
        }
        out = np == 1 ? polys[0] : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)np);
    }
    free(polys);
    free(holes);
done:
    for (int i = 0; rings && i < nr; i++)
        if (rings[i]) GEOSGeom_destroy_r(h, rings[i]);
    free(rings);
    free(depth);
    free(parent);
    return out;
}

static json_t *pos_json(geo_t *g, pt_t p);
static void ll_rounded(geo_t *g, pt_t p, double *lon, double *lat);

/* A projected shape from a GEOS (multi)polygon, and its GeoJSON
 * MultiPolygon in lon/lat when json is not NULL (caller holds g->mu). */
static int from_geos(geo_t *g, const GEOSGeometry *geom, shape_t *out, json_t **json)
{
    GEOSContextHandle_t h = g->gh;
    memset(out, 0, sizeof *out);
    int np = GEOSGetNumGeometries_r(h, geom), n = 0, nr = 0;
    for (int k = 0; k < np; k++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, geom, k);
        if (GEOSGeomTypeId_r(h, p) != GEOS_POLYGON) continue;
        int ni = GEOSGetNumInteriorRings_r(h, p);
        n += GEOSGetNumCoordinates_r(h, p);
        nr += 1 + ni;
    }
    if (n == 0 || nr == 0) return -1;
    out->type = SH_POLY;
    out->p = malloc((size_t)n * sizeof *out->p);
    out->ring = malloc((size_t)(nr + 1) * sizeof *out->ring);
    if (!out->p || !out->ring) {
        shape_free(out);
        return -1;
    }
    json_t *polys = json ? json_array() : NULL;
    for (int k = 0; k < np; k++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, geom, k);
        if (GEOSGeomTypeId_r(h, p) != GEOS_POLYGON) continue;
        int ni = GEOSGetNumInteriorRings_r(h, p);
        json_t *rings = json ? json_array() : NULL;
        for (int r = -1; r < ni; r++) {
            const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(h, p) : GEOSGetInteriorRingN_r(h, p, r);
            const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
            unsigned sz = 0;
            GEOSCoordSeq_getSize_r(h, cs, &sz);
            out->ring[out->nring++] = out->n;
            json_t *ll = json ? json_array() : NULL;
            for (unsigned i = 0; i < sz; i++) {
                double x, y;
                GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
                out->p[out->n++] = (pt_t){x, y};
                if (ll) json_array_append_new(ll, pos_json(g, (pt_t){x, y}));
            }
            if (rings) json_array_append_new(rings, ll);
        }
        if (polys) json_array_append_new(polys, rings);
    }
    if (json) *json = json_pack("{s:s, s:o}", "type", "MultiPolygon", "coordinates", polys);
    out->ring[out->nring] = out->n;
    shape_bbox(out);
    return 0;
}

/* ---- the remainder as GeoJSON gives it back ---- */

#define MIN_PART_M2 1.0 /* smaller parts of a remainder are slivers: dropped */
#define SNAP_ROUNDS 3

static int snap_xy(double *x, double *y, void *arg)
{
    geo_t *g = arg;
    double lon, lat;
    pt_t p;
    ll_rounded(g, (pt_t){*x, *y}, &lon, &lat);
    if (fwd_locked(g, lon, lat, &p)) return 0;
    *x = p.x;
    *y = p.y;
    return 1;
}

/* The polygons of geom with at least MIN_PART_M2 of area, as one
 * MultiPolygon; new geometry, NULL when none (caller holds g->mu). */
static GEOSGeometry *polygons_kept(geo_t *g, const GEOSGeometry *geom)
{
    GEOSContextHandle_t h = g->gh;
    int n = GEOSGetNumGeometries_r(h, geom), k = 0;
    GEOSGeometry **parts = calloc((size_t)(n > 0 ? n : 1), sizeof *parts);
    if (!parts) return NULL;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, geom, i);
        double area = 0;
        if (GEOSGeomTypeId_r(h, p) == GEOS_POLYGON && GEOSArea_r(h, p, &area) && area >= MIN_PART_M2)
            parts[k++] = GEOSGeom_clone_r(h, p);
    }
    GEOSGeometry *out = k ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)k) : NULL;
    free(parts);
    return out;
}

/* The remainder as a notifier who accepts it gives it back: GeoJSON holds
 * 7 decimals of a degree (pos_json), so every vertex is taken to lon/lat,
 * rounded and projected again here, and the shape that is verified is the
 * one that will be read. Rounding moves a vertex by up to a centimetre; that
 * can collapse a sliver or make two rings that nearly touch cross, and GEOS
 * (as geo_shape_from_json) would refuse it: such a result is made valid
 * again (its polygons only) and rounded again. Slivers under MIN_PART_M2
 * are dropped first. New geometry, NULL when nothing valid is left after
 * SNAP_ROUNDS tries (caller holds g->mu). */
static GEOSGeometry *as_read_back(geo_t *g, const GEOSGeometry *rest)
{
    GEOSContextHandle_t h = g->gh;
    GEOSGeometry *cur = polygons_kept(g, rest);
    for (int round = 0; cur && round < SNAP_ROUNDS; round++) {
        GEOSGeometry *snapped = GEOSGeom_transformXY_r(h, cur, snap_xy, g);
        GEOSGeom_destroy_r(h, cur);
        cur = NULL;
        if (!snapped) break;
        if (GEOSisValid_r(h, snapped) == 1) return snapped;
        GEOSGeometry *valid = GEOSMakeValid_r(h, snapped);
        GEOSGeom_destroy_r(h, snapped);
        if (valid) {
            cur = polygons_kept(g, valid);
            GEOSGeom_destroy_r(h, valid);
        }
    }
    if (cur) GEOSGeom_destroy_r(h, cur);
    return NULL;
}

/* geo_covered: a square over the area's box, split in four where needed. A
 * cell that the area does not meet needs nothing; one inside a single disc
 * is covered; else it is split, down to CELL_MIN and within a budget of
 * cells, passing on only the discs that reach it. The discs are drawn around
 * each vertex of an object, with the object's distance: each lies inside the
 * object's buffer, so a cover by them is a cover by the buffers. */
#define COVER_CELLS 20000
#define CELL_MIN 1.0
#define COVER_DEPTH 24

typedef struct {
    double x, y, r2;
} disc_t;

typedef struct {
    const shape_t *area;
    const disc_t *d;
    int *idx; /* COVER_DEPTH + 1 levels of nd */
    int nd, budget;
} cover_t;

/* Whether segment a-b meets the box (Liang-Barsky clipping). */
static int seg_meets_box(pt_t a, pt_t b, double x0, double y0, double x1, double y1)
{
    double t0 = 0, t1 = 1, dx = b.x - a.x, dy = b.y - a.y;
    const double p[4] = {-dx, dx, -dy, dy}, q[4] = {a.x - x0, x1 - a.x, a.y - y0, y1 - a.y};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0) {
            if (r > t1) return 0;
            if (r > t0) t0 = r;
        } else {
            if (r < t0) return 0;
            if (r < t1) t1 = r;
        }
    }
    return 1;
}

static int area_meets_cell(const shape_t *s, double x0, double y0, double x1, double y1)
{
    if (s->x0 > x1 || s->x1 < x0 || s->y0 > y1 || s->y1 < y0) return 0;
    if (shape_contains(s, (pt_t){(x0 + x1) / 2, (y0 + y1) / 2})) return 1;
    for (int k = 0; k < s->nring; k++)
        for (int i = s->ring[k]; i + 1 < s->ring[k + 1]; i++)
            if (seg_meets_box(s->p[i], s->p[i + 1], x0, y0, x1, y1)) return 1;
    return 0;
}

static int cover_cell(cover_t *cv, int level, int n, double x0, double y0, double x1, double y1)
{
    if (!area_meets_cell(cv->area, x0, y0, x1, y1)) return 1;
    if (--cv->budget < 0 || level >= COVER_DEPTH) return 0;
    const int *in = cv->idx + (size_t)level * (size_t)cv->nd;
    int *out = cv->idx + (size_t)(level + 1) * (size_t)cv->nd, m = 0;
    for (int k = 0; k < n; k++) {
        const disc_t *d = &cv->d[in[k]];
        double fx = fmax(d->x - x0, x1 - d->x), fy = fmax(d->y - y0, y1 - d->y);
        if (fx * fx + fy * fy <= d->r2) return 1; /* the farthest corner is inside: all of it is */
        double nx = d->x < x0 ? x0 - d->x : d->x > x1 ? d->x - x1 : 0, ny = d->y < y0 ? y0 - d->y : d->y > y1 ? d->y - y1 : 0;
        if (nx * nx + ny * ny < d->r2) out[m++] = in[k];
    }
    if (!m || x1 - x0 <= CELL_MIN) return 0;
    double xm = (x0 + x1) / 2, ym = (y0 + y1) / 2;
    return cover_cell(cv, level + 1, m, x0, y0, xm, ym) && cover_cell(cv, level + 1, m, xm, y0, x1, ym) &&
           cover_cell(cv, level + 1, m, x0, ym, xm, y1) && cover_cell(cv, level + 1, m, xm, ym, x1, y1);
}

int geo_covered(const shape_t *area, const shape_t *const *objs, const double *dist, int k)
{
    int nd = 0;
    for (int i = 0; i < k; i++) nd += objs[i]->n;
    disc_t *d = malloc((size_t)(nd ? nd : 1) * sizeof *d);
    cover_t cv = {.area = area, .d = d, .nd = nd, .budget = COVER_CELLS,
                  .idx = malloc((size_t)(COVER_DEPTH + 1) * (size_t)(nd ? nd : 1) * sizeof(int))};
    int ok = 0;
    if (d && cv.idx && nd) {
        nd = 0;
        for (int i = 0; i < k; i++)
            for (int v = 0; v < objs[i]->n; v++)
                d[nd++] = (disc_t){objs[i]->p[v].x, objs[i]->p[v].y, dist[i] * dist[i]};
        for (int i = 0; i < nd; i++) cv.idx[i] = i;
        /* A square over the area's box, so that cells stay square. */
        double side = fmax(area->x1 - area->x0, area->y1 - area->y0);
        ok = cover_cell(&cv, 0, nd, area->x0, area->y0, area->x0 + side, area->y0 + side);
    }
    free(d);
    free(cv.idx);
    return ok;
}

int geo_difference(geo_t *g, const shape_t *poly, const shape_t *const *objs, const double *dist, int n,
                   shape_t *out, json_t **json, double *area_in, double *area_out)
{
    GEOSContextHandle_t h = g->gh;
    int rc = -1;
    pthread_mutex_lock(&g->mu);
    GEOSGeometry *a = to_geos(g, poly), *rest = NULL;
    if (!a) goto out;
    GEOSArea_r(h, a, area_in);
    GEOSGeometry **bufs = calloc((size_t)(n > 0 ? n : 1), sizeof *bufs);
    int nb = 0;
    for (int i = 0; i < n && bufs; i++) {
        GEOSGeometry *o = to_geos(g, objs[i]);
        if (!o) continue;
        /* The buffer's polygon lies inside the true circle by up to
         * d (1 - cos(pi / 4q)); grow d so the polygon contains the circle. */
        double d = (dist[i] > 0 ? dist[i] : 0.01) / cos(M_PI / (4 * BUFFER_QUADSEGS)) + 0.01;
        GEOSGeometry *b = GEOSBuffer_r(h, o, d, BUFFER_QUADSEGS);
        GEOSGeom_destroy_r(h, o);
        if (b) bufs[nb++] = b;
    }
    if (!bufs) goto out_a;
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, bufs, (unsigned)nb);
    free(bufs);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll) GEOSGeom_destroy_r(h, coll);
    rest = u ? GEOSDifference_r(h, a, u) : GEOSGeom_clone_r(h, a);
    if (u) GEOSGeom_destroy_r(h, u);
    GEOSGeometry *kept = rest ? as_read_back(g, rest) : NULL;
    if (kept && !GEOSisEmpty_r(h, kept) && GEOSArea_r(h, kept, area_out) && *area_out > 1 &&
        from_geos(g, kept, out, json) == 0)
        rc = 0;
    if (kept) GEOSGeom_destroy_r(h, kept);
    if (rest) GEOSGeom_destroy_r(h, rest);
out_a:
    GEOSGeom_destroy_r(h, a);
out:
    pthread_mutex_unlock(&g->mu);
    return rc;
}

static int check_valid(geo_t *g, const shape_t *s, const int *parts, int nparts, const char *field,
                       err_t *e)
{
    GEOSContextHandle_t h = g->gh;
    int rc = 0;
    GEOSGeometry **polys = calloc((size_t)(nparts > 0 ? nparts : 1), sizeof *polys);
    if (!polys) return err_set(e, E_INTERNAL, field, "out of memory");
    for (int k = 0; k < nparts && rc == 0; k++) {
        shape_t part = *s;
        int r0 = parts[k], r1 = k + 1 < nparts ? parts[k + 1] : s->nring;
        part.ring = s->ring + r0;
        part.nring = r1 - r0;
        polys[k] = polygon_as_written(g, &part);
        if (!polys[k]) rc = err_set(e, E_BAD_GEOMETRY, field, "%s is not a valid polygon", field);
    }
    GEOSGeometry *geom = NULL;
    if (rc == 0) {
        geom = nparts == 1 ? polys[0] : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)nparts);
        if (!geom) rc = err_set(e, E_BAD_GEOMETRY, field, "%s is not a valid polygon", field);
    } else {
        for (int k = 0; k < nparts; k++)
            if (polys[k]) GEOSGeom_destroy_r(h, polys[k]);
    }
    free(polys);
    if (rc == 0) {
        char *reason = NULL;
        GEOSGeometry *loc = NULL;
        if (GEOSisValidDetail_r(h, geom, 0, &reason, &loc) != 1) {
            double lon = 0, lat = 0, x = 0, y = 0;
            if (loc) {
                GEOSGeomGetX_r(h, loc, &x);
                GEOSGeomGetY_r(h, loc, &y);
                PJ_COORD c = proj_trans(g->pj, PJ_INV, proj_coord(x, y, 0, 0));
                lon = proj_todeg(c.lp.lam);
                lat = proj_todeg(c.lp.phi);
            }
            rc = err_set(e, E_BAD_GEOMETRY, field, "%s is not a valid polygon: %s near [%.6f, %.6f]", field,
                         reason ? reason : "invalid", lon, lat);
        }
        if (reason) GEOSFree_r(h, reason);
        if (loc) GEOSGeom_destroy_r(h, loc);
        GEOSGeom_destroy_r(h, geom);
    }
    return rc;
}

static int in_area(const geo_t *g, pt_t p)
{
    if (!g->area.type) return 1;
    if (p.x < g->area.x0 - g->margin || p.x > g->area.x1 + g->margin || p.y < g->area.y0 - g->margin ||
        p.y > g->area.y1 + g->margin)
        return 0;
    return shape_dist_pt(&g->area, p) <= g->margin;
}

static int shape_parse(geo_t *g, const json_t *geom, int allowed, const char *field, shape_t *out,
                       int check_area, err_t *e)
{
    memset(out, 0, sizeof *out);
    const char *type = json_string_value(json_object_get(geom, "type"));
    const json_t *co = json_object_get(geom, "coordinates");
    if (!json_is_object(geom) || !type)
        return err_set(e, E_BAD_GEOMETRY, field, "%s must be a GeoJSON geometry with a type", field);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)geom, k, v) if (strcmp(k, "type") && strcmp(k, "coordinates") &&
                                                  strcmp(k, "bbox"))
        return err_set(e, E_BAD_GEOMETRY, field, "%s has an unknown member %s", field, k);
    coords_t c = {0};
    int parts[1024], nparts = 0, st, rc = 0;
    if (strcmp(type, "Point") == 0) {
        st = SH_POINT;
        rc = parse_pos(co, &c, field, ".coordinates", e);
    } else if (strcmp(type, "LineString") == 0) {
        st = SH_LINE;
        rc = parse_line(co, &c, 2, field, e);
    } else if (strcmp(type, "Polygon") == 0) {
        st = SH_POLY;
        parts[nparts++] = 0;
        rc = parse_polygon(co, &c, field, e);
    } else if (strcmp(type, "MultiPolygon") == 0) {
        st = SH_POLY;
        if (!json_is_array(co) || json_array_size(co) < 1 || json_array_size(co) > 1024)
            rc = err_set(e, E_BAD_GEOMETRY, field, "%s: a MultiPolygon needs 1 to 1024 polygons", field);
        size_t i;
        json_t *p;
        json_array_foreach(co, i, p)
        {
            if (rc) break;
            parts[nparts++] = c.nring;
            rc = parse_polygon(p, &c, field, e);
        }
    } else {
        return err_set(e, E_BAD_GEOMETRY, field, "%s: geometry type %s is not accepted here", field, type);
    }
    if (rc == 0 && !(allowed & (1 << st)))
        rc = err_set(e, E_BAD_GEOMETRY, field, "%s: geometry type %s is not accepted here", field, type);
    if (rc == 0 && c.n == 0) rc = err_set(e, E_BAD_GEOMETRY, field, "%s has no positions", field);
    if (rc) {
        free(c.ll);
        free(c.ring);
        return -1;
    }
    if (coords_ring(&c)) { /* the closing offset (ring[nring] == n), also for points and lines */
        free(c.ll);
        free(c.ring);
        return err_set(e, E_INTERNAL, field, "out of memory");
    }
    c.nring--;
    out->type = st;
    out->n = c.n;
    out->nring = st == SH_POLY ? c.nring : 0;
    out->ring = c.ring;
    if (st != SH_POLY) {
        out->ring[0] = c.n;
    }
    out->p = malloc((size_t)c.n * sizeof *out->p);
    if (!out->p) {
        free(c.ll);
        shape_free(out);
        return err_set(e, E_INTERNAL, field, "out of memory");
    }
    pthread_mutex_lock(&g->mu);
    for (int i = 0; i < c.n && rc == 0; i++) {
        if (fwd_locked(g, c.ll[2 * i], c.ll[2 * i + 1], &out->p[i]))
            rc = err_set(e, E_BAD_GEOMETRY, field, "%s: [%g, %g] cannot be projected", field, c.ll[2 * i],
                         c.ll[2 * i + 1]);
        else if (check_area && !in_area(g, out->p[i]))
            rc = err_set(e, E_OUT_OF_RANGE, field,
                         "%s: [%.6f, %.6f] is outside the mission area (more than %.0f m beyond its boundary)",
                         field, c.ll[2 * i], c.ll[2 * i + 1], g->margin);
    }
    free(c.ll);
    if (rc == 0) shape_bbox(out);
    if (rc == 0 && st == SH_POLY) rc = check_valid(g, out, parts, nparts, field, e);
    if (rc == 0 && st == SH_LINE) {
        for (int i = 1; i < out->n && rc == 0; i++)
            if (out->p[i].x == out->p[i - 1].x && out->p[i].y == out->p[i - 1].y)
                rc = err_set(e, E_BAD_GEOMETRY, field, "%s: positions %d and %d are the same", field, i - 1, i);
    }
    pthread_mutex_unlock(&g->mu);
    if (rc) shape_free(out);
    return rc;
}

int geo_shape_from_json(geo_t *g, const json_t *geom, int allowed, const char *field, shape_t *out,
                        err_t *e)
{
    return shape_parse(g, geom, allowed, field, out, 1, e);
}

int geo_set_area(geo_t *g, const json_t *geometry, double margin_m, err_t *e)
{
    shape_t s;
    if (shape_parse(g, geometry, 1 << SH_POLY, "boundary", &s, 0, e)) return -1;
    shape_free(&g->area);
    g->area = s;
    g->margin = margin_m;
    return 0;
}

/* A plane point in lon/lat as GeoJSON carries it (caller holds g->mu):
 * 7 decimals, about a centimetre, and what came in comes back out. */
static void ll_rounded(geo_t *g, pt_t p, double *lon, double *lat)
{
    PJ_COORD c = proj_trans(g->pj, PJ_INV, proj_coord(p.x, p.y, 0, 0));
    *lon = round(proj_todeg(c.lp.lam) * 1e7) / 1e7;
    *lat = round(proj_todeg(c.lp.phi) * 1e7) / 1e7;
}

static json_t *pos_json(geo_t *g, pt_t p)
{
    double lon, lat;
    ll_rounded(g, p, &lon, &lat);
    return json_pack("[f,f]", lon, lat);
}

json_t *geo_shape_to_json(geo_t *g, const shape_t *s)
{
    pthread_mutex_lock(&g->mu);
    json_t *out;
    if (s->type == SH_POINT) {
        out = json_pack("{s:s, s:o}", "type", "Point", "coordinates", pos_json(g, s->p[0]));
    } else if (s->type == SH_LINE) {
        json_t *a = json_array();
        for (int i = 0; i < s->n; i++) json_array_append_new(a, pos_json(g, s->p[i]));
        out = json_pack("{s:s, s:o}", "type", "LineString", "coordinates", a);
    } else {
        json_t *rings = json_array();
        for (int r = 0; r < s->nring; r++) {
            json_t *a = json_array();
            for (int i = s->ring[r]; i < s->ring[r + 1]; i++) json_array_append_new(a, pos_json(g, s->p[i]));
            json_array_append_new(rings, a);
        }
        out = json_pack("{s:s, s:o}", "type", "Polygon", "coordinates", rings);
    }
    pthread_mutex_unlock(&g->mu);
    return out;
}

/* ---- kernels ---- */

static double dist2(pt_t a, pt_t b)
{
    double dx = a.x - b.x, dy = a.y - b.y;
    return dx * dx + dy * dy;
}

double pt_seg_dist(pt_t p, pt_t a, pt_t b)
{
    return sqrt(pt_seg_dist2(p, a, b));
}

static double orient(pt_t a, pt_t b, pt_t c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

static int on_seg(pt_t a, pt_t b, pt_t p)
{
    return fmin(a.x, b.x) <= p.x && p.x <= fmax(a.x, b.x) && fmin(a.y, b.y) <= p.y && p.y <= fmax(a.y, b.y);
}

static int seg_cross(pt_t a, pt_t b, pt_t c, pt_t d)
{
    double d1 = orient(c, d, a), d2 = orient(c, d, b), d3 = orient(a, b, c), d4 = orient(a, b, d);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 1;
    return (d1 == 0 && on_seg(c, d, a)) || (d2 == 0 && on_seg(c, d, b)) || (d3 == 0 && on_seg(a, b, c)) ||
           (d4 == 0 && on_seg(a, b, d));
}

static double seg_seg_dist2(pt_t a, pt_t b, pt_t c, pt_t d)
{
    if (seg_cross(a, b, c, d)) return 0;
    return fmin(fmin(pt_seg_dist2(a, c, d), pt_seg_dist2(b, c, d)),
                fmin(pt_seg_dist2(c, a, b), pt_seg_dist2(d, a, b)));
}

double seg_seg_dist(pt_t a, pt_t b, pt_t c, pt_t d)
{
    return sqrt(seg_seg_dist2(a, b, c, d));
}

int shape_contains(const shape_t *s, pt_t p)
{
    if (s->type != SH_POLY || p.x < s->x0 || p.x > s->x1 || p.y < s->y0 || p.y > s->y1) return 0;
    int in = 0;
    for (int r = 0; r < s->nring; r++)
        for (int i = s->ring[r]; i + 1 < s->ring[r + 1]; i++) {
            pt_t a = s->p[i], b = s->p[i + 1];
            if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
        }
    return in;
}

/* Iterates the shape's edges: for a line its consecutive vertices, for a
 * polygon each ring's. */
#define FOR_EDGES(s, a, b, ...)                                                \
    do {                                                                       \
        if ((s)->type == SH_LINE) {                                            \
            for (int e_ = 0; e_ + 1 < (s)->n; e_++) {                          \
                pt_t a = (s)->p[e_], b = (s)->p[e_ + 1];                       \
                __VA_ARGS__;                                                   \
            }                                                                  \
        } else if ((s)->type == SH_POLY) {                                     \
            for (int r_ = 0; r_ < (s)->nring; r_++)                            \
                for (int e_ = (s)->ring[r_]; e_ + 1 < (s)->ring[r_ + 1]; e_++) { \
                    pt_t a = (s)->p[e_], b = (s)->p[e_ + 1];                   \
                    __VA_ARGS__;                                               \
                }                                                              \
        }                                                                      \
    } while (0)

double shape_dist_pt(const shape_t *s, pt_t p)
{
    if (s->type == SH_POINT) return sqrt(dist2(s->p[0], p));
    if (shape_contains(s, p)) return 0;
    double best = DBL_MAX;
    FOR_EDGES(s, a, b, {
        double d = pt_seg_dist2(p, a, b);
        if (d < best) best = d;
    });
    return best == DBL_MAX ? DBL_MAX : sqrt(best);
}

/* The least of seg_seg_dist2(a, b, c, d) over a line's or ring's edges
 * from vertex i to vertex end - 1, below best (else best); 0 when one
 * crosses a-b. The same value, for less work: the crossing test is made
 * only for edges whose boxes meet a-b's (segments whose boxes are apart
 * cannot meet), and each vertex's distance to a-b once, though it ends one
 * edge and starts the next (a ring's last vertex repeats its first). */
static double part_dist2(const pt_t *p, int i, int end, int closed, pt_t a, pt_t b, double best)
{
    double x0 = fmin(a.x, b.x), x1 = fmax(a.x, b.x), y0 = fmin(a.y, b.y), y1 = fmax(a.y, b.y);
    for (; i + 1 < end; i++) {
        pt_t c = p[i], d = p[i + 1];
        int apart = (c.x < x0 && d.x < x0) || (c.x > x1 && d.x > x1) || (c.y < y0 && d.y < y0) || (c.y > y1 && d.y > y1);
        if (!apart && seg_cross(a, b, c, d)) return 0;
        double x = pt_seg_dist2(a, c, d), y = pt_seg_dist2(b, c, d), z = pt_seg_dist2(c, a, b);
        x = y < x ? y : x;
        x = z < x ? z : x;
        if (i + 2 == end && !(closed && d.x == p[0].x && d.y == p[0].y)) {
            z = pt_seg_dist2(d, a, b);
            x = z < x ? z : x;
        }
        if (x < best) best = x;
    }
    return best;
}

double shape_dist_seg(const shape_t *s, pt_t a, pt_t b)
{
    if (s->type == SH_POINT) return pt_seg_dist(s->p[0], a, b);
    if (shape_contains(s, a)) return 0;
    double best = DBL_MAX;
    if (s->type == SH_LINE) best = part_dist2(s->p, 0, s->n, 0, a, b, best);
    else if (s->type == SH_POLY)
        for (int r = 0; r < s->nring && best > 0; r++)
            best = part_dist2(s->p + s->ring[r], 0, s->ring[r + 1] - s->ring[r], 1, a, b, best);
    return best == DBL_MAX ? DBL_MAX : sqrt(best);
}

/* 1 when a vertex of s (the first of each of its rings) lies inside the
 * polygon in. When no edges of the two meet, each ring of s is wholly inside
 * in or wholly outside it, so one vertex per ring decides; a multipolygon's
 * parts are separate rings, and a later part can lie inside in while the
 * first is outside. Lines are connected: their first vertex decides. */
static int ring_starts_inside(const shape_t *in, const shape_t *s)
{
    if (in->type != SH_POLY) return 0;
    if (s->type != SH_POLY) return shape_contains(in, s->p[0]);
    for (int r = 0; r < s->nring; r++)
        if (shape_contains(in, s->p[s->ring[r]])) return 1;
    return 0;
}

double shape_dist(const shape_t *a, const shape_t *b)
{
    if (a->type == SH_POINT) return shape_dist_pt(b, a->p[0]);
    if (b->type == SH_POINT) return shape_dist_pt(a, b->p[0]);
    /* Lines and polygons: one inside the other, or the nearest pair of edges. */
    if (ring_starts_inside(b, a) || ring_starts_inside(a, b)) return 0;
    double best = DBL_MAX;
    FOR_EDGES(a, p, q, {
        double d = shape_dist_seg(b, p, q);
        if (d < best) best = d;
        if (best == 0) return 0;
    });
    return best;
}

double area_dist(const area_t *a, const shape_t *s)
{
    double d = shape_dist(&a->shape, s) - a->radius;
    return d > 0 ? d : 0;
}

double area_dist_seg(const area_t *a, pt_t p, pt_t q)
{
    double d = shape_dist_seg(&a->shape, p, q) - a->radius;
    return d > 0 ? d : 0;
}

/* Hull accumulation of parameter intervals. */
typedef struct {
    double lo, hi;
} span_t;

static void span_add(span_t *h, double a, double b)
{
    if (a < 0) a = 0;
    if (b > 1) b = 1;
    if (a > b) return;
    if (a < h->lo) h->lo = a;
    if (b > h->hi) h->hi = b;
}

/* Where segment p + s (q - p), s in [0, 1], is within r of c. */
static void disk_span(span_t *h, pt_t p, pt_t q, pt_t c, double r)
{
    double vx = q.x - p.x, vy = q.y - p.y, wx = p.x - c.x, wy = p.y - c.y;
    double A = vx * vx + vy * vy, B = 2 * (vx * wx + vy * wy), C = wx * wx + wy * wy - r * r;
    if (A == 0) {
        if (C <= 0) span_add(h, 0, 1);
        return;
    }
    double disc = B * B - 4 * A * C;
    if (disc < 0) return;
    double sq = sqrt(disc);
    span_add(h, (-B - sq) / (2 * A), (-B + sq) / (2 * A));
}

/* Where the segment is within r of edge c-d (the capsule): the two end disks
 * and the slab beside the edge; all three lie in the convex capsule, so the
 * hull of their pieces is the capsule's piece. */
static void capsule_span(span_t *h, pt_t p, pt_t q, pt_t c, pt_t d, double r)
{
    disk_span(h, p, q, c, r);
    disk_span(h, p, q, d, r);
    double ex = d.x - c.x, ey = d.y - c.y, len = sqrt(ex * ex + ey * ey);
    if (len == 0 || r <= 0) {
        if (r <= 0 && len > 0 && seg_cross(p, q, c, d)) {
            /* touching at r = 0: the crossing parameter */
            double den = (q.x - p.x) * ey - (q.y - p.y) * ex;
            if (den != 0) {
                double s = ((c.x - p.x) * ey - (c.y - p.y) * ex) / den;
                span_add(h, s, s);
            } else {
                span_add(h, 0, 1); /* collinear overlap: conservative */
            }
        }
        return;
    }
    double ux = ex / len, uy = ey / len;
    /* Slab: 0 <= (x - c).u <= len and |(x - c) x u| <= r; clip s (Liang-Barsky). */
    double lo = 0, hi = 1;
    double vx = q.x - p.x, vy = q.y - p.y, wx = p.x - c.x, wy = p.y - c.y;
    double f[4][2] = {
        {wx * ux + wy * uy, vx * ux + vy * uy},                /* >= 0 */
        {len - (wx * ux + wy * uy), -(vx * ux + vy * uy)},     /* >= 0 */
        {r - (wx * uy - wy * ux), -(vx * uy - vy * ux)},       /* >= 0 */
        {r + (wx * uy - wy * ux), (vx * uy - vy * ux)},        /* >= 0 */
    };
    for (int i = 0; i < 4; i++) {
        double a0 = f[i][0], a1 = f[i][1]; /* a0 + a1 s >= 0 */
        if (a1 == 0) {
            if (a0 < 0) return;
        } else if (a1 > 0) {
            double s = -a0 / a1;
            if (s > lo) lo = s;
        } else {
            double s = -a0 / a1;
            if (s < hi) hi = s;
        }
    }
    if (lo <= hi) span_add(h, lo, hi);
}

int area_seg_within(const area_t *a, pt_t p, pt_t q, double d, double *s0, double *s1)
{
    span_t h = {DBL_MAX, -DBL_MAX};
    double r = d + a->radius;
    const shape_t *s = &a->shape;
    if (s->type == SH_POINT) {
        disk_span(&h, p, q, s->p[0], r);
    } else {
        /* Inside the polygon: between crossings, test each piece's middle. */
        double cuts[66];
        int nc = 0;
        cuts[nc++] = 0;
        cuts[nc++] = 1;
        int many = 0;
        FOR_EDGES(s, c, e, {
            capsule_span(&h, p, q, c, e, r);
            double ex = e.x - c.x, ey = e.y - c.y;
            double den = (q.x - p.x) * ey - (q.y - p.y) * ex;
            if (den != 0 && seg_cross(p, q, c, e)) {
                double t = ((c.x - p.x) * ey - (c.y - p.y) * ex) / den;
                if (nc < 66) cuts[nc++] = t;
                else many = 1;
            }
        });
        if (many) {
            /* A segment crossing more than 64 edges: fall back to sampling the
             * pieces at 1/256 steps (conservative only in the hull's ends). */
            for (int i = 0; i <= 256; i++) {
                double t = i / 256.0;
                pt_t m = {p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
                if (shape_contains(s, m)) span_add(&h, t, t);
            }
        } else {
            for (int i = 1; i < nc; i++) /* insertion sort: few cuts */
                for (int j = i; j > 0 && cuts[j] < cuts[j - 1]; j--) {
                    double x = cuts[j];
                    cuts[j] = cuts[j - 1];
                    cuts[j - 1] = x;
                }
            for (int i = 0; i + 1 < nc; i++) {
                double t = (cuts[i] + cuts[i + 1]) / 2;
                pt_t m = {p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)};
                if (cuts[i + 1] > cuts[i] && shape_contains(s, m)) span_add(&h, cuts[i], cuts[i + 1]);
            }
        }
    }
    if (h.lo > h.hi) return -1;
    *s0 = h.lo;
    *s1 = h.hi;
    return 0;
}
