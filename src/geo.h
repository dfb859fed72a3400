/*
 * geo.h — the mission's metric plane and the geometry kernels that run on it.
 *
 * Every geometry Truce reasons about is projected once, on the way in, from
 * GeoJSON longitude/latitude (WGS 84) to a transverse Mercator plane centred
 * on the mission (PROJ; metres, scale error under 1e-5 over a 60 km wide
 * area, far inside the 0.5% the distances must meet). Distances, containment
 * and the planned passage of a movement through an area are then plain
 * planar arithmetic on doubles (our kernels below, no allocation, the hot
 * path of deconfliction). GEOS checks validity on the way in (self-
 * intersections, rings) and computes polygon differences (narrowing).
 *
 * Ownership: a shape_t owns its point array (shape_free). geo_t owns the PROJ
 * and GEOS contexts and the mission area; its functions are thread-safe
 * (a mutex guards PROJ and GEOS, which are used only on the way in).
 */
#ifndef TRUCE_GEO_H
#define TRUCE_GEO_H

#include <jansson.h>
#include <stdint.h>

#include "util.h"

typedef struct {
    double x, y;
} pt_t;

enum { SH_POINT = 1, SH_LINE, SH_POLY };

/* A projected geometry. Points: n = 1. Lines: n vertices. Polygons (and
 * multipolygons): nring rings, each closed (first point repeated last),
 * ring[i] the index of its first point; containment is even-odd over all
 * rings, so holes and disjoint parts need nothing special. */
typedef struct {
    int type;
    int n, nring;
    pt_t *p;
    int *ring;        /* nring + 1 offsets; ring[nring] == n */
    double x0, y0, x1, y1; /* bounding box */
} shape_t;

typedef struct geo geo_t;

/* lon0/lat0: the projection's centre. */
geo_t *geo_new(double lon0, double lat0, err_t *e);
void geo_free(geo_t *g);
/* The PROJ string of the plane (the bench gives PostGIS the same one). */
const char *geo_proj_string(const geo_t *g);
/* The mission area: a GeoJSON (Multi)Polygon, and how far outside it
 * coordinates are still accepted (movements start at crossings). */
int geo_set_area(geo_t *g, const json_t *geometry, double margin_m, err_t *e);

int geo_fwd(geo_t *g, double lon, double lat, pt_t *out);
int geo_inv(geo_t *g, pt_t p, double *lon, double *lat);

/* Parses and projects a GeoJSON geometry of one of the allowed types
 * (bitmask of 1 << SH_*), checking coordinates (numbers, in range, inside the
 * mission area) and validity (GEOS: no self-intersection, closed rings of at
 * least 4 points). field names the JSON field in errors. */
int geo_shape_from_json(geo_t *g, const json_t *geom, int allowed, const char *field,
                        shape_t *out, err_t *e);
/* GeoJSON geometry of a projected shape (inverse projection); new reference. */
json_t *geo_shape_to_json(geo_t *g, const shape_t *s);
void shape_free(shape_t *s);
int shape_copy(shape_t *dst, const shape_t *src);

/* Whether the objects buffered by their distances surely cover all of poly
 * (cutting them out would leave nothing), proved without GEOS: a fraction
 * of a millisecond where geo_difference takes milliseconds to find the same.
 * 0 means only "not proved" (geo_difference then decides). */
int geo_covered(const shape_t *poly, const shape_t *const *objs, const double *dist, int n);
/* Polygon narrowing: poly less the union of every object buffered by its
 * distance (GEOS). out is the remainder (rings of all its parts, even-odd),
 * *area_out its area and *area_in poly's, in square metres. -1 when nothing
 * remains or GEOS fails; *json (when not NULL) the remainder as a GeoJSON
 * MultiPolygon. poly must be a single Polygon (shell, then holes). */
int geo_difference(geo_t *g, const shape_t *poly, const shape_t *const *objs, const double *dist, int n,
                   shape_t *out, json_t **json, double *area_in, double *area_out);

/* Geodesic length of a lon/lat segment in metres (PROJ's geodesic). */
double geo_geodesic_m(double lon1, double lat1, double lon2, double lat2);

/* ---- kernels (planar, metres) ---- */
double pt_seg_dist(pt_t p, pt_t a, pt_t b);
/* Squared, inline: the grid's checks measure a point against a polygon's
 * edges in their inner loops. Nearest distances are found squared and
 * rooted once: the root of the least square is the least root, to the bit. */
static inline double pt_seg_dist2(pt_t p, pt_t a, pt_t b)
{
    double vx = b.x - a.x, vy = b.y - a.y, l2 = vx * vx + vy * vy;
    double t = l2 > 0 ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / l2 : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double dx = p.x - (a.x + t * vx), dy = p.y - (a.y + t * vy);
    return dx * dx + dy * dy;
}
double seg_seg_dist(pt_t a, pt_t b, pt_t c, pt_t d);
/* 1 when p is inside the polygon (even-odd over its rings). */
int shape_contains(const shape_t *s, pt_t p);
/* Distance between two shapes; 0 when they touch or one contains the other. */
double shape_dist(const shape_t *a, const shape_t *b);
double shape_dist_pt(const shape_t *s, pt_t p);
double shape_dist_seg(const shape_t *s, pt_t a, pt_t b);

/* A query area: a point with a radius, or a polygon (radius 0). */
typedef struct {
    shape_t shape;
    double radius;
} area_t;

/* Distance from the area to a shape / segment; 0 when inside. */
double area_dist(const area_t *a, const shape_t *s);
double area_dist_seg(const area_t *a, pt_t p, pt_t q);
/* The parameter range [*s0, *s1] of segment p→q (0..1) whose points are
 * within d of the area (the hull of that set); 0 when there is one, -1 when
 * the segment never comes within d. */
int area_seg_within(const area_t *a, pt_t p, pt_t q, double d, double *s0, double *s1);

#endif
