/*
 * deconflict.c — the deconfliction engine (geo + stindex + deconflict) on
 * generated mission-area data, in process and against PostGIS on the same
 * data and the same queries (issue 4, "Performance").
 *
 *   build/bench/deconflict [--sites N] [--nostrike K] [--movements M] [--units U]
 *                          [--queries Q] [--pg-queries P] [--seed S]
 *                          [--scenario DIR] [--check] [--no-pg] [--explain]
 *                          [--http URL --token T [--http-queries H]]
 *
 * Defaults are the sizes: 100,000 sites, 20,000 movements of 10
 * segments, 2,000 unit positions (and N/20 no-strike objects), 10,000
 * queries (all of them in PostGIS; over HTTP the first 2,000: a check that
 * returns 400 conflicts as JSON takes 10-30 ms there). PGCONN (environment) is a libpq conninfo of a PostgreSQL with
 * PostGIS; this program starts nothing (bench/pg_check.sh and bench/run.sh
 * start a throw-away cluster). Without PGCONN the PostGIS half is skipped
 * (an error with --check).
 *
 * 1. Data, deterministic (seeded xorshift): points uniform inside the mission
 *    boundary (scenarios/gaza/boundary.geojson, even-odd test in lon/lat).
 *    Sites: 80% points, 20% star-shaped polygons of 4-8 vertices 10-80 m
 *    across; a category by weight; valid from a whole hour spread over 2026
 *    for 7-180 days. No-strike objects: half polygons 20-200 m across (a tenth
 *    of those with a courtyard hole), valid from some day of 2025, half of
 *    them open-ended. Movements: 11 vertices, legs of 1-5 km staying inside
 *    the boundary, 8-25 km/h (whole seconds; one movement in 30 has a leg of
 *    no duration), departing at a whole minute in June 2026. Unit positions: points valid 1-24 h (whole minutes) in June
 *    2026. Protection distances: mission.settings.protection_m of
 *    DIR/scenario.json (built-in defaults where the scenario has none).
 * 2. Engine: geo_new at mission.center, geo_set_area(boundary, area_margin_m),
 *    geo_shape_from_json for every object (timed apart: projection + GEOS
 *    validity), then dc_put of every object (the index build). Memory:
 *    dc_memory / dc_count and the RSS growth.
 * 3. Queries: 70% a point with a radius of 200-2000 m, 30% a star polygon
 *    200-2000 m across; a window of 1-6 h in June 2026 (whole minutes, a
 *    fifth of them whole hours); a
 *    buffer of 0-200 m (0 for 30%). Latency of dc_check alone (the area is
 *    projected beforehand), clock_gettime around each call, after a warm-up.
 * 4. PostGIS: the same data by COPY as lon/lat (SRID 4326), ST_Transform'ed
 *    into a spatial_ref_sys entry holding the engine's transverse Mercator
 *    (checked: projected vertices must equal geo_fwd's within 1 mm), GiST on
 *    the geometry and on the tstzrange, one prepared statement per query:
 *    ST_DWithin(geom, area, radius + kind's largest protection + buffer) for
 *    the index, then ST_DWithin(..., radius + protection + buffer) exactly;
 *    movement segments: ST_LineSubstring of the segment between the fractions
 *    of the window (the part travelled in it), then ST_DWithin. Every query's
 *    conflict set (kind, id, segment) is compared with the engine's, and the
 *    distances (within 1e-3 relative or 0.01 m). Mismatches are printed with
 *    both sides' distances and the threshold; --check exits 1 on any.
 * 5. --http URL --token T: the same checks over HTTP on a running server,
 *    loaded by the bench through the API; see http_bench().
 *
 * Times meet when they share an instant (closed intervals on both sides,
 * '[]' ranges in PostgreSQL): a window ending exactly when a site's validity
 * begins conflicts with it. Whole hours and minutes in the data make such
 * ties occur, on purpose.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "deconflict.h"
#include "notify.h"
#include "ops.h"
#include "geo.h"
#include "util.h"

#define SRID 990001
#define TARGET_P99_US 50.0
#define TARGET_RATIO 20.0
#define DAY_MS (86400LL * 1000)
#define HOUR_MS (3600LL * 1000)
#define MIN_MS (60LL * 1000)

/* ---- options ---- */

static struct {
    long sites, nostrike, movements, units, queries, pg_queries, http_queries;
    uint64_t seed;
    const char *scenario;
    int check, no_pg, explain;
    const char *http_url, *http_token;
    const char *ops_dir;      /* --ops DIR: also time operation notices (issue 6) */
    long ops_per_day, ops_queries;
} opt = {100000, -1, 20000, 2000, 10000, -1, 2000, 0x5EEDDEC0F11C7ULL, "scenarios/gaza", 0, 0, 0, NULL, NULL,
         NULL, 1000, 2000};

/* ---- categories and protection distances ---- */

typedef struct {
    const char *name;
    int weight;      /* relative frequency in the generated data */
    double prot;     /* default protection distance, m */
} cat_t;

static cat_t site_cats[] = {
    {"health_facility", 10, 300}, {"shelter_school", 20, 250},  {"warehouse", 8, 150},
    {"distribution_point", 15, 200}, {"water_sanitation", 12, 150}, {"bakery_kitchen", 8, 150},
    {"office", 10, 100},          {"staff_residence", 12, 150}, {"other", 5, 100},
};
static cat_t ns_cats[] = {
    {"hospital", 8, 500},  {"clinic", 14, 300}, {"water_works", 12, 300}, {"sanitation", 10, 200},
    {"power", 8, 300},     {"telecom", 6, 200}, {"school", 18, 300},      {"religious", 12, 200},
    {"cultural_heritage", 4, 200}, {"shelter", 6, 300}, {"other", 2, 150},
};
#define NSITE_CATS (int)(sizeof site_cats / sizeof *site_cats)
#define NNS_CATS (int)(sizeof ns_cats / sizeof *ns_cats)
static double prot_movement = 200, prot_unit = 300;
static double area_margin_m = 5000;
static double centre_lon = 34.4, centre_lat = 31.42;
static const char *prot_source = "built-in defaults (the scenario has no mission.settings.protection_m)";

/* ---- the generated data (lon/lat) ---- */

typedef struct {
    double lon, lat;
} ll_t;

typedef struct {
    int kind;        /* DC_* */
    uint32_t num;    /* the n of SITE-n, NSL-n, MOV-n, UNIT-n */
    int cat;         /* index into the kind's category table, -1 when none */
    int type;        /* SH_POINT, SH_LINE, SH_POLY */
    int n;           /* vertices (rings closed) */
    int hole;        /* polygons: v[hole..n) is a hole ring, 0 when none */
    ll_t *v;
    int64_t t0, t1;  /* t1 INT64_MAX: open-ended */
    int64_t *times;  /* movements: one per vertex */
    pt_t *pv;        /* movements: the projected vertices (for the inside-interval check) */
    double prot;
} obj_t;

typedef struct {
    int poly;        /* 0: point + radius */
    ll_t c;
    double radius, buffer;
    int n;
    ll_t *v;         /* polygon ring, closed */
    int64_t from, until;
    area_t area;     /* projected */
} query_t;

static const char *kind_prefix[DC__KINDS] = {"SITE", "NSL", "MOV", "UNIT", "OP"};

static obj_t *objs;
static size_t nobjs;
static query_t *queries;

static json_t *boundary;  /* the mission area's GeoJSON geometry */
static double bb_lon0, bb_lat0, bb_lon1, bb_lat1;
static int64_t year0, period0;  /* 2026-01-01, 2026-06-01 */
static uint64_t rng;

static double urand(void)
{
    return (double)(bench_rand(&rng) >> 11) * 0x1p-53;
}

static long irand(long lo, long hi) /* inclusive */
{
    return lo + (long)(bench_rand(&rng) % (uint64_t)(hi - lo + 1));
}

static int pick_weighted(const cat_t *c, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) total += c[i].weight;
    int r = (int)irand(0, total - 1);
    for (int i = 0; i < n; i++) {
        if (r < c[i].weight) return i;
        r -= c[i].weight;
    }
    return n - 1;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "deconflict: out of memory\n");
        exit(2);
    }
    return p;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "deconflict: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* ---- the mission boundary (even-odd over every ring, in lon/lat) ---- */

static int ring_contains(const json_t *ring, double x, double y)
{
    int in = 0;
    size_t n = json_array_size(ring);
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double xi = json_number_value(json_array_get(json_array_get(ring, i), 0));
        double yi = json_number_value(json_array_get(json_array_get(ring, i), 1));
        double xj = json_number_value(json_array_get(json_array_get(ring, j), 0));
        double yj = json_number_value(json_array_get(json_array_get(ring, j), 1));
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
}

static int boundary_contains(double lon, double lat)
{
    const char *type = json_string_value(json_object_get(boundary, "type"));
    const json_t *coords = json_object_get(boundary, "coordinates");
    int in = 0;
    size_t i, k;
    json_t *poly, *ring;
    if (type && strcmp(type, "Polygon") == 0) {
        json_array_foreach(coords, k, ring) in ^= ring_contains(ring, lon, lat);
    } else {
        json_array_foreach(coords, i, poly) json_array_foreach(poly, k, ring) in ^=
            ring_contains(ring, lon, lat);
    }
    return in;
}

static void boundary_bbox_ring(const json_t *ring)
{
    size_t i;
    json_t *p;
    json_array_foreach(ring, i, p) {
        double x = json_number_value(json_array_get(p, 0)), y = json_number_value(json_array_get(p, 1));
        if (x < bb_lon0) bb_lon0 = x;
        if (x > bb_lon1) bb_lon1 = x;
        if (y < bb_lat0) bb_lat0 = y;
        if (y > bb_lat1) bb_lat1 = y;
    }
}

/* Reads boundary.geojson and scenario.json of the scenario folder. */
static void load_scenario(void)
{
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof path, "%s/boundary.geojson", opt.scenario);
    json_t *b = json_load_file(path, 0, &je);
    if (!b) die("%s: %s (line %d)", path, je.text, je.line);
    json_t *g = json_object_get(b, "geometry");
    if (!g && json_object_get(b, "features"))
        g = json_object_get(json_array_get(json_object_get(b, "features"), 0), "geometry");
    if (!g) g = b;
    const char *type = json_string_value(json_object_get(g, "type"));
    if (!type || (strcmp(type, "Polygon") && strcmp(type, "MultiPolygon")))
        die("%s: no Polygon or MultiPolygon", path);
    boundary = json_incref(g);
    json_decref(b);
    bb_lon0 = bb_lat0 = 1e9;
    bb_lon1 = bb_lat1 = -1e9;
    size_t i, k;
    json_t *poly, *ring;
    if (strcmp(type, "Polygon") == 0) {
        json_array_foreach(json_object_get(boundary, "coordinates"), k, ring) boundary_bbox_ring(ring);
    } else {
        json_array_foreach(json_object_get(boundary, "coordinates"), i, poly)
            json_array_foreach(poly, k, ring) boundary_bbox_ring(ring);
    }

    snprintf(path, sizeof path, "%s/scenario.json", opt.scenario);
    json_t *s = json_load_file(path, 0, &je);
    if (!s) die("%s: %s (line %d)", path, je.text, je.line);
    json_t *mission = json_object_get(s, "mission");
    json_t *c = json_object_get(mission, "center");
    if (json_array_size(c) == 2) {
        centre_lon = json_number_value(json_array_get(c, 0));
        centre_lat = json_number_value(json_array_get(c, 1));
    }
    json_t *settings = json_object_get(mission, "settings");
    json_t *m = json_object_get(settings, "area_margin_m");
    if (json_is_number(m)) area_margin_m = json_number_value(m);
    json_t *p = json_object_get(settings, "protection_m");
    if (json_is_object(p)) {
        static char src[1100];
        snprintf(src, sizeof src, "%s mission.settings.protection_m", path);
        prot_source = src;
        json_t *t = json_object_get(p, "site");
        for (int j = 0; j < NSITE_CATS; j++) {
            json_t *v = json_object_get(t, site_cats[j].name);
            if (json_is_number(v)) site_cats[j].prot = json_number_value(v);
            else fprintf(stderr, "deconflict: %s: no protection_m.site.%s, using %.0f m\n", path,
                         site_cats[j].name, site_cats[j].prot);
        }
        t = json_object_get(p, "nostrike");
        for (int j = 0; j < NNS_CATS; j++) {
            json_t *v = json_object_get(t, ns_cats[j].name);
            if (json_is_number(v)) ns_cats[j].prot = json_number_value(v);
            else fprintf(stderr, "deconflict: %s: no protection_m.nostrike.%s, using %.0f m\n", path,
                         ns_cats[j].name, ns_cats[j].prot);
        }
        json_t *v = json_object_get(p, "movement");
        if (json_is_number(v)) prot_movement = json_number_value(v);
        v = json_object_get(p, "unit");
        if (json_is_number(v)) prot_unit = json_number_value(v);
    }
    json_decref(s);
}

/* ---- generation ---- */

/* Metres per degree near 31.4 N: for placing generated things only (sizes,
 * leg lengths, planned speeds); no distance the bench compares uses them. */
static double m_per_deg_lat(void)
{
    return 110880.0;
}

static double m_per_deg_lon(double lat)
{
    return 111320.0 * cos(lat * M_PI / 180.0);
}

static ll_t offset_m(ll_t p, double dx, double dy)
{
    ll_t q = {p.lon + dx / m_per_deg_lon(p.lat), p.lat + dy / m_per_deg_lat()};
    return q;
}

static ll_t random_inside(void)
{
    for (;;) {
        ll_t p = {bb_lon0 + urand() * (bb_lon1 - bb_lon0), bb_lat0 + urand() * (bb_lat1 - bb_lat0)};
        if (boundary_contains(p.lon, p.lat)) return p;
    }
}

/* A star-shaped (hence simple) ring of n vertices around c, radii in
 * [0.5 R, R], angles strictly increasing; closed: n + 1 points into v. */
static void star_ring(ll_t c, int n, double R, int clockwise, ll_t *v)
{
    for (int k = 0; k < n; k++) {
        double a = 2 * M_PI * ((double)k + 0.1 + 0.6 * urand()) / n;
        if (clockwise) a = -a;
        double r = R * (0.5 + 0.5 * urand());
        v[k] = offset_m(c, r * cos(a), r * sin(a));
    }
    v[n] = v[0];
}

static void gen_polygon(obj_t *o, ll_t c, double across, int with_hole)
{
    /* With a hole: at least 6 outer vertices, whose edges then stay beyond
     * 0.33 R of the centre, and a hole within 0.25 R: simple and nested. */
    int n = (int)irand(with_hole ? 6 : 4, 8);
    int nh = with_hole ? 4 : 0;
    o->type = SH_POLY;
    o->v = xcalloc((size_t)(n + 1 + (nh ? nh + 1 : 0)), sizeof *o->v);
    star_ring(c, n, across / 2, 0, o->v);
    o->n = n + 1;
    if (nh) {
        o->hole = o->n;
        star_ring(c, nh, across / 2 * 0.25, 1, o->v + o->n);
        o->n += nh + 1;
    }
}

static void gen_point(obj_t *o, ll_t c)
{
    o->type = SH_POINT;
    o->n = 1;
    o->v = xcalloc(1, sizeof *o->v);
    o->v[0] = c;
}

static double approx_m(ll_t a, ll_t b)
{
    double dx = (b.lon - a.lon) * m_per_deg_lon((a.lat + b.lat) / 2), dy = (b.lat - a.lat) * m_per_deg_lat();
    return sqrt(dx * dx + dy * dy);
}

static void generate(void)
{
    size_t total = (size_t)(opt.sites + opt.nostrike + opt.movements + opt.units);
    objs = xcalloc(total, sizeof *objs);
    rng = opt.seed;
    for (long i = 0; i < opt.sites; i++) {
        obj_t *o = &objs[nobjs++];
        o->kind = DC_SITE;
        o->num = (uint32_t)(i + 1);
        o->cat = pick_weighted(site_cats, NSITE_CATS);
        o->prot = site_cats[o->cat].prot;
        ll_t c = random_inside();
        if (urand() < 0.2) gen_polygon(o, c, 10 + 70 * urand(), 0);
        else gen_point(o, c);
        o->t0 = year0 + irand(0, 365 * 24 - 1) * HOUR_MS;
        o->t1 = o->t0 + irand(7, 180) * DAY_MS;
    }
    for (long i = 0; i < opt.nostrike; i++) {
        obj_t *o = &objs[nobjs++];
        o->kind = DC_NOSTRIKE;
        o->num = (uint32_t)(i + 1);
        o->cat = pick_weighted(ns_cats, NNS_CATS);
        o->prot = ns_cats[o->cat].prot;
        ll_t c = random_inside();
        if (urand() < 0.5) gen_polygon(o, c, 20 + 180 * urand(), urand() < 0.1);
        else gen_point(o, c);
        o->t0 = year0 - 365 * DAY_MS + irand(0, 364) * DAY_MS;
        o->t1 = urand() < 0.5 ? INT64_MAX : o->t0 + irand(365, 3 * 365) * DAY_MS;
    }
    for (long i = 0; i < opt.movements; i++) {
        obj_t *o = &objs[nobjs++];
        o->kind = DC_MOVEMENT;
        o->num = (uint32_t)(i + 1);
        o->cat = -1;
        o->prot = prot_movement;
        o->type = SH_LINE;
        o->n = 11;
        o->v = xcalloc(11, sizeof *o->v);
        o->times = xcalloc(11, sizeof *o->times);
    again:
        o->v[0] = random_inside();
        for (int k = 1; k < 11; k++) {
            int tries = 0;
            do {
                if (++tries > 50) goto again;
                double a = 2 * M_PI * urand(), len = 1000 + 4000 * urand();
                o->v[k] = offset_m(o->v[k - 1], len * cos(a), len * sin(a));
            } while (!boundary_contains(o->v[k].lon, o->v[k].lat));
        }
        double speed = (8 + 17 * urand()) / 3.6; /* m/s */
        o->times[0] = period0 + irand(0, 29 * 24 * 60) * MIN_MS;
        /* One movement in 30 has a leg planned with no duration (the same time
         * typed twice): the whole segment counts at that instant. */
        int instant = urand() < 1.0 / 30 ? (int)irand(0, 9) : -1;
        for (int k = 1; k < 11; k++)
            o->times[k] = o->times[k - 1] +
                          (k - 1 == instant ? 0 : (int64_t)llround(approx_m(o->v[k - 1], o->v[k]) / speed) * 1000);
        o->t0 = o->times[0];
        o->t1 = o->times[10];
    }
    for (long i = 0; i < opt.units; i++) {
        obj_t *o = &objs[nobjs++];
        o->kind = DC_UNIT;
        o->num = (uint32_t)(i + 1);
        o->cat = -1;
        o->prot = prot_unit;
        gen_point(o, random_inside());
        o->t0 = period0 + irand(0, 30 * 24 * 60 - 1) * MIN_MS;
        o->t1 = o->t0 + irand(60, 24 * 60) * MIN_MS;
    }
    queries = xcalloc((size_t)opt.queries, sizeof *queries);
    for (long i = 0; i < opt.queries; i++) {
        query_t *q = &queries[i];
        q->c = random_inside();
        if (urand() < 0.3) {
            q->poly = 1;
            q->n = (int)irand(4, 8);
            q->v = xcalloc((size_t)q->n + 1, sizeof *q->v);
            star_ring(q->c, q->n, (200 + 1800 * urand()) / 2, 0, q->v);
            q->n++;
        } else {
            q->radius = (double)irand(200, 2000);
        }
        q->buffer = urand() < 0.3 ? 0 : (double)irand(0, 200);
        if (urand() < 0.2) { /* whole hours, as a watch officer types them (and sites start) */
            q->from = period0 + irand(0, 30 * 24 - 6) * HOUR_MS;
            q->until = q->from + irand(1, 6) * HOUR_MS;
        } else {
            q->from = period0 + irand(0, 30 * 24 * 60 - 6 * 60) * MIN_MS;
            q->until = q->from + irand(60, 6 * 60) * MIN_MS;
        }
    }
}

/* ---- GeoJSON and WKT of the generated shapes ---- */

static json_t *ring_json(const ll_t *v, int n)
{
    json_t *r = json_array();
    for (int k = 0; k < n; k++) json_array_append_new(r, json_pack("[ff]", v[k].lon, v[k].lat));
    return r;
}

static json_t *obj_geojson(const obj_t *o)
{
    if (o->type == SH_POINT)
        return json_pack("{s:s, s:[ff]}", "type", "Point", "coordinates", o->v[0].lon, o->v[0].lat);
    if (o->type == SH_LINE)
        return json_pack("{s:s, s:o}", "type", "LineString", "coordinates", ring_json(o->v, o->n));
    json_t *rings = json_array();
    int outer = o->hole ? o->hole : o->n;
    json_array_append_new(rings, ring_json(o->v, outer));
    if (o->hole) json_array_append_new(rings, ring_json(o->v + outer, o->n - outer));
    return json_pack("{s:s, s:o}", "type", "Polygon", "coordinates", rings);
}

static json_t *query_geojson(const query_t *q)
{
    if (!q->poly) return json_pack("{s:s, s:[ff]}", "type", "Point", "coordinates", q->c.lon, q->c.lat);
    return json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring_json(q->v, q->n));
}

static void wkt_ring(buf_t *b, const ll_t *v, int n)
{
    buf_adds(b, "(");
    for (int k = 0; k < n; k++) buf_addf(b, "%s%.17g %.17g", k ? "," : "", v[k].lon, v[k].lat);
    buf_adds(b, ")");
}

static void obj_wkt(buf_t *b, const obj_t *o)
{
    buf_adds(b, "SRID=4326;");
    if (o->type == SH_POINT) {
        buf_addf(b, "POINT(%.17g %.17g)", o->v[0].lon, o->v[0].lat);
    } else {
        int outer = o->hole ? o->hole : o->n;
        buf_adds(b, "POLYGON(");
        wkt_ring(b, o->v, outer);
        if (o->hole) {
            buf_adds(b, ",");
            wkt_ring(b, o->v + outer, o->n - outer);
        }
        buf_adds(b, ")");
    }
}

static void fmt_time(int64_t ms, char *out)
{
    if (ms == INT64_MAX) strcpy(out, "open");
    else time_format(ms, out);
}

/* ---- the engine ---- */

static geo_t *geo;
static dc_t *dc;
static json_t *labels;

typedef struct {
    uint8_t kind;
    uint32_t num;
    int32_t seg;
    double dist;
    int64_t in0, in1;
} res_t;

static int res_cmp(const void *a, const void *b)
{
    const res_t *x = a, *y = b;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    return (x->seg > y->seg) - (x->seg < y->seg);
}

static uint32_t id_num(const char *id)
{
    const char *d = id ? strrchr(id, '-') : NULL;
    return d ? (uint32_t)strtoul(d + 1, NULL, 10) : 0;
}

/* --ops: a data folder opened as the server would (the Gaza scenario
 * replayed), whose engine the generated data is put into. */
static truce_t ops_t;
static int have_truce;

static void engine_build(void)
{
    err_t e = {0};
    if (have_truce) {
        geo = notify_geo(&ops_t);
        dc = notify_dc(&ops_t);
        if (!geo || !dc) die("--ops: %s has no mission geography", opt.ops_dir);
    } else {
        geo = geo_new(centre_lon, centre_lat, &e);
        if (!geo) die("geo_new: %s", e.message);
        if (geo_set_area(geo, boundary, area_margin_m, &e)) die("geo_set_area: %s (%s)", e.message, e.field);
        dc = dc_new();
        if (!dc) die("dc_new failed");
    }
    labels = json_pack("[s]", "all");

    shape_t *shapes = xcalloc(nobjs, sizeof *shapes);
    uint64_t t0 = bench_ns();
    for (size_t i = 0; i < nobjs; i++) {
        json_t *g = obj_geojson(&objs[i]);
        int allowed = 1 << objs[i].type;
        if (geo_shape_from_json(geo, g, allowed, "geometry", &shapes[i], &e))
            die("geo_shape_from_json refused %s-%u: %s (field %s)", kind_prefix[objs[i].kind], objs[i].num,
                e.message, e.field);
        json_decref(g);
    }
    uint64_t t1 = bench_ns();
    for (size_t i = 0; i < nobjs; i++)
        if (objs[i].kind == DC_MOVEMENT) {
            objs[i].pv = xcalloc((size_t)objs[i].n, sizeof(pt_t));
            memcpy(objs[i].pv, shapes[i].p, (size_t)objs[i].n * sizeof(pt_t));
        }
    long rss0 = bench_status_kb("VmRSS");
    size_t entries = 0, kind_mem[DC__KINDS] = {0}, kind_n[DC__KINDS] = {0}, mem_before = dc_memory(dc);
    uint64_t kind_ns[DC__KINDS] = {0}, kt = bench_ns();
    char id[32];
    for (size_t i = 0; i < nobjs; i++) {
        obj_t *o = &objs[i];
        snprintf(id, sizeof id, "%s-%u", kind_prefix[o->kind], o->num);
        dc_object_t d = {
            .kind = o->kind,
            .id = id,
            .category = o->cat < 0 ? "" : o->kind == DC_SITE ? site_cats[o->cat].name : ns_cats[o->cat].name,
            .protection_m = o->prot,
            .shape = shapes[i],
            .t0 = o->t0,
            .t1 = o->t1,
            .times = o->times,
            .labels = labels,
        };
        if (dc_put(dc, &d)) die("dc_put %s failed", id);
        shape_free(&d.shape); /* emptied by dc_put; harmless either way */
        entries += o->kind == DC_MOVEMENT ? (size_t)(o->n - 1) : 1;
        kind_n[o->kind]++;
        /* objs is in kind order: at the last of a kind, what the kind cost. */
        if (i + 1 == nobjs || objs[i + 1].kind != o->kind) {
            uint64_t now = bench_ns();
            size_t m = dc_memory(dc);
            kind_mem[o->kind] = m - mem_before;
            kind_ns[o->kind] = now - kt;
            mem_before = m;
            kt = bench_ns();
        }
    }
    uint64_t t2 = bench_ns();
    long rss1 = bench_status_kb("VmRSS");
    free(shapes);
    size_t count = dc_count(dc), mem = dc_memory(dc);
    printf("data: %ld sites, %ld no-strike, %ld movements x 10 segments, %ld unit positions; protection from %s\n",
           opt.sites, opt.nostrike, opt.movements, opt.units, prot_source);
    size_t ge, gl, ie;
    dc_stats(dc, &ge, &gl, &ie);
    printf("engine build: %zu objects, %zu objects + route segments; filed as %zu grid entries in %zu layers, %zu "
           "space-time index entries\n",
           count, entries, ge, gl, ie);
    printf("  geo_shape_from_json (projection + validity) %.3f s (%.2f us/object)\n", (double)(t1 - t0) / 1e9,
           (double)(t1 - t0) / 1e3 / (double)nobjs);
    printf("  dc_put (index build)                        %.3f s (%.2f us/object)   [target: none]\n",
           (double)(t2 - t1) / 1e9, (double)(t2 - t1) / 1e3 / (double)nobjs);
    printf("  memory: dc_memory %.1f MB = %.0f bytes/object; RSS growth during dc_put %.1f MB = %.0f bytes/object\n",
           (double)mem / 1e6, count ? (double)mem / (double)count : 0, (double)(rss1 - rss0) / 1e3,
           count ? (double)(rss1 - rss0) * 1024 / (double)count : 0);
    for (int k = 0; k < DC__KINDS; k++)
        if (kind_n[k])
            printf("    %-9s %7zu objects: dc_put %6.2f us/object, dc_memory growth %7.1f MB = %6.0f bytes/object\n",
                   dc_kind_names[k], kind_n[k], (double)kind_ns[k] / 1e3 / (double)kind_n[k], (double)kind_mem[k] / 1e6,
                   (double)kind_mem[k] / (double)kind_n[k]);
    if (count != nobjs && have_truce && count > nobjs)
        printf("  (with the --ops folder's own %zu scenario objects)\n", count - nobjs);
    else if (count != nobjs)
        printf("  NOTE: dc_count %zu != %zu objects put\n", count, nobjs);
    fflush(stdout);
}

static void project_queries(void)
{
    err_t e = {0};
    for (long i = 0; i < opt.queries; i++) {
        query_t *q = &queries[i];
        json_t *g = query_geojson(q);
        if (geo_shape_from_json(geo, g, 1 << (q->poly ? SH_POLY : SH_POINT), "geometry", &q->area.shape, &e))
            die("query %ld: geo_shape_from_json: %s (%s)", i, e.message, e.field);
        q->area.radius = q->radius;
        json_decref(g);
    }
}

/* Runs query i on the engine; results (sorted by kind, id, segment) into *out. */
static size_t engine_query(long i, res_t **out, uint64_t *ns)
{
    query_t *q = &queries[i];
    dc_query_t dq = {.area = &q->area, .from = q->from, .until = q->until, .buffer_m = q->buffer,
                     .kinds = 0, .who = NULL, .skip_kind = -1, .skip_id = NULL};
    conflict_t *c = NULL;
    size_t n = 0;
    uint64_t s = bench_ns();
    int rc = dc_check(dc, &dq, &c, &n);
    uint64_t d = bench_ns() - s;
    if (ns) *ns = d;
    if (rc) die("dc_check failed on query %ld", i);
    if (out) {
        res_t *r = xcalloc(n, sizeof *r);
        for (size_t k = 0; k < n; k++) {
            r[k].kind = (uint8_t)c[k].kind;
            r[k].num = id_num(c[k].id);
            r[k].seg = c[k].kind == DC_MOVEMENT ? c[k].segment : -1;
            r[k].dist = c[k].distance_m;
            r[k].in0 = c[k].inside_from;
            r[k].in1 = c[k].inside_until;
        }
        qsort(r, n, sizeof *r, res_cmp);
        *out = r;
    }
    free(c);
    return n;
}

static double engine_p50, engine_p99, engine_mean;

/* How many candidates the exact tests see: index entries (objects, route
 * segments) whose box grown by their protection distance meets the check's
 * box grown by radius and buffer, and whose time meets the window. That
 * depends on the boxes only, not on the index's cells, so a separate stindex
 * (coarse cells, to spare memory) counts it, over the first 2,000 queries. */
static int count_visit(void *arg, const st_entry_t *e)
{
    (void)e;
    (*(size_t *)arg)++;
    return 0;
}

static void candidates(void)
{
    stindex_t *ix = stindex_new(2000);
    if (!ix) return;
    for (size_t i = 0; i < nobjs; i++) {
        const obj_t *o = &objs[i];
        double pad = o->prot;
        for (int k = 0; k < (o->kind == DC_MOVEMENT ? o->n - 1 : 1); k++) {
            double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
            int v0 = o->kind == DC_MOVEMENT ? k : 0, v1 = o->kind == DC_MOVEMENT ? k + 2 : o->n;
            for (int v = v0; v < v1; v++) {
                pt_t p;
                geo_fwd(geo, o->v[v].lon, o->v[v].lat, &p);
                x0 = fmin(x0, p.x), x1 = fmax(x1, p.x), y0 = fmin(y0, p.y), y1 = fmax(y1, p.y);
            }
            st_entry_t e = {(float)(x0 - pad), (float)(y0 - pad), (float)(x1 + pad), (float)(y1 + pad),
                            o->kind == DC_MOVEMENT ? o->times[k] : o->t0, o->kind == DC_MOVEMENT ? o->times[k + 1] : o->t1,
                            (uint32_t)i, (uint32_t)k};
            if (stindex_add(ix, &e)) {
                stindex_free(ix);
                return;
            }
        }
    }
    long nq = opt.queries < 2000 ? opt.queries : 2000;
    size_t n = 0, hits = 0;
    for (long i = 0; i < nq; i++) {
        hits += engine_query(i, NULL, NULL);
        const query_t *q = &queries[i];
        const shape_t *s = &q->area.shape;
        double g = q->area.radius + q->buffer;
        stindex_query(ix, s->x0 - g, s->y0 - g, s->x1 + g, s->y1 + g, q->from, q->until, count_visit, &n);
    }
    printf("  candidates per query (entries whose grown box and time meet the check's): mean %.0f; conflicts are %.0f%% "
           "of them\n",
           (double)n / (double)nq, n ? 100 * (double)hits / (double)n : 0);
    stindex_free(ix);
}

static void engine_bench(void)
{
    long nq = opt.queries;
    uint64_t *lat = xcalloc((size_t)nq, sizeof *lat);
    long warm = nq < 1000 ? nq : 1000;
    for (long i = 0; i < warm; i++) engine_query(i, NULL, NULL);
    double total = 0, conflicts = 0, by_kind[DC__KINDS] = {0};
    size_t *nres = xcalloc((size_t)nq, sizeof *nres);
    for (long i = 0; i < nq; i++) {
        res_t *r;
        size_t n = engine_query(i, &r, &lat[i]);
        nres[i] = n;
        total += (double)lat[i];
        conflicts += (double)n;
        for (size_t k = 0; k < n; k++) by_kind[r[k].kind]++;
        free(r);
    }
    /* Latency by the size of the answer (before bench_pct sorts lat). */
    static const size_t lim[] = {10, 100, 1000, SIZE_MAX};
    uint64_t *cl = xcalloc((size_t)nq, sizeof *cl);
    char line[600];
    int len = snprintf(line, sizeof line, "  by conflicts returned:");
    for (int c = 0, lo = 0; c < 4; lo = (int)lim[c] + 1, c++) {
        size_t m = 0;
        for (long i = 0; i < nq; i++)
            if (nres[i] >= (size_t)lo && nres[i] <= lim[c]) cl[m++] = lat[i];
        if (!m) continue;
        char range[32];
        if (lim[c] == SIZE_MAX) snprintf(range, sizeof range, "> %d", lo - 1);
        else snprintf(range, sizeof range, "%d-%zu", lo, lim[c]);
        len += snprintf(line + len, sizeof line - (size_t)len, "  %s: %zu queries, p50 %.1f us, p99 %.1f us;", range, m,
                        (double)bench_pct(cl, m, 50) / 1e3, (double)bench_pct(cl, m, 99) / 1e3);
    }
    /* By the kind of area: circles (by radius) and polygons. */
    static const char *const area_kind[] = {"circles 200-800 m", "circles 801-1400 m", "circles 1401-2000 m",
                                            "polygons"};
    char line2[600];
    int len2 = snprintf(line2, sizeof line2, "  by area:");
    for (int k = 0; k < 4; k++) {
        size_t m = 0;
        for (long i = 0; i < nq; i++) {
            const query_t *q = &queries[i];
            int kk = q->poly ? 3 : q->radius <= 800 ? 0 : q->radius <= 1400 ? 1 : 2;
            if (kk == k) cl[m++] = lat[i];
        }
        if (!m) continue;
        len2 += snprintf(line2 + len2, sizeof line2 - (size_t)len2, "  %s: %zu, p50 %.1f us, p99 %.1f us;",
                         area_kind[k], m, (double)bench_pct(cl, m, 50) / 1e3, (double)bench_pct(cl, m, 99) / 1e3);
    }
    free(cl);
    free(nres);
    engine_mean = total / (double)nq / 1e3;
    engine_p50 = (double)bench_pct(lat, (size_t)nq, 50) / 1e3;
    engine_p99 = (double)bench_pct(lat, (size_t)nq, 99) / 1e3;
    double mx = (double)lat[nq - 1] / 1e3;
    printf("in-process dc_check, %ld queries: mean %.2f us  p50 %.2f us  p99 %.2f us  max %.1f us   "
           "[target <= %.0f us at p99: %s]\n",
           nq, engine_mean, engine_p50, engine_p99, mx, TARGET_P99_US, engine_p99 <= TARGET_P99_US ? "MET" : "MISSED");
    printf("  conflicts per query: mean %.1f (sites %.1f, no-strike %.1f, movement segments %.1f, units %.2f)\n",
           conflicts / (double)nq, by_kind[DC_SITE] / (double)nq, by_kind[DC_NOSTRIKE] / (double)nq,
           by_kind[DC_MOVEMENT] / (double)nq, by_kind[DC_UNIT] / (double)nq);
    printf("%s\n%s\n  time per conflict returned: %.0f ns (total time / total conflicts)\n", line, line2,
           conflicts > 0 ? total / conflicts : 0);
    /* The same loop without the per-query clock and result copy. */
    uint64_t a = bench_ns();
    for (long i = 0; i < nq; i++) engine_query(i, NULL, NULL);
    printf("  batch loop without per-query copies: mean %.2f us per query\n", (double)(bench_ns() - a) / (double)nq / 1e3);
    /* Each query run twice in a row, the second timed: the index's part of
     * it in cache, so what remains is the engine's own work. */
    for (long i = 0; i < nq; i++) {
        engine_query(i, NULL, NULL);
        engine_query(i, NULL, &lat[i]);
    }
    printf("  warm (each query again at once): p50 %.2f us  p99 %.2f us\n", (double)bench_pct(lat, (size_t)nq, 50) / 1e3,
           (double)bench_pct(lat, (size_t)nq, 99) / 1e3);
    fflush(stdout);
    free(lat);
    candidates();
}

/* ---- PostGIS ---- */

static PGconn *pg;
static char proj_string[512];

static void pg_exec(const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) die("PostgreSQL: %s\n  in: %.300s", PQerrorMessage(pg), sql);
    PQclear(r);
}

static void pg_copy(const char *sql, const buf_t *b)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) die("COPY: %s", PQerrorMessage(pg));
    PQclear(r);
    for (size_t off = 0; off < b->len; off += 1 << 20) {
        size_t n = b->len - off < (1u << 20) ? b->len - off : 1u << 20;
        if (PQputCopyData(pg, b->data + off, (int)n) != 1) die("COPY data: %s", PQerrorMessage(pg));
    }
    if (PQputCopyEnd(pg, NULL) != 1) die("COPY end: %s", PQerrorMessage(pg));
    r = PQgetResult(pg);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die("COPY: %s", PQerrorMessage(pg));
    PQclear(r);
    while ((r = PQgetResult(pg))) PQclear(r);
}

static void copy_time(buf_t *b, int64_t ms)
{
    char t[40];
    if (ms == INT64_MAX) {
        buf_adds(b, "\\N");
        return;
    }
    time_format(ms, t);
    buf_adds(b, t);
}

/* The largest protection distance of each kind: the index bound of its ST_DWithin. */
static double max_prot[DC__KINDS];

static const char *QUERY_SQL =
    "WITH a AS MATERIALIZED (SELECT ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), " "990001"
    ") AS g, $2::float8 AS r, $5::float8 AS b, $3::timestamptz AS f, $4::timestamptz AS u,"
    " tstzrange($3::timestamptz, $4::timestamptz, '[]') AS w)\n"
    "SELECT 0, o.id, -1, greatest(0, ST_Distance(o.geom, a.g) - a.r) FROM a, site o\n"
    " WHERE o.t && a.w AND ST_DWithin(o.geom, a.g, a.r + a.b + $6::float8) AND ST_DWithin(o.geom, a.g, a.r + a.b + o.prot)\n"
    "UNION ALL\n"
    "SELECT 1, o.id, -1, greatest(0, ST_Distance(o.geom, a.g) - a.r) FROM a, nostrike o\n"
    " WHERE o.t && a.w AND ST_DWithin(o.geom, a.g, a.r + a.b + $7::float8) AND ST_DWithin(o.geom, a.g, a.r + a.b + o.prot)\n"
    "UNION ALL\n"
    "SELECT 2, s.id, s.seg, greatest(0, ST_Distance(x.sub, a.g) - a.r) FROM a, seg s,\n"
    " LATERAL (SELECT greatest(0, least(1, extract(epoch FROM a.f - s.t0)::float8 / nullif(extract(epoch FROM s.t1 - s.t0)::float8, 0))) AS f0,\n"
    "                 greatest(0, least(1, extract(epoch FROM a.u - s.t0)::float8 / nullif(extract(epoch FROM s.t1 - s.t0)::float8, 0))) AS f1) fr,\n"
    /* the window meets the leg at one instant: the point there (ST_LineSubstring of a zero stretch can answer NaN) */
    " LATERAL (SELECT CASE WHEN s.t1 = s.t0 THEN s.geom WHEN fr.f0 >= fr.f1 THEN ST_LineInterpolatePoint(s.geom, fr.f0)\n"
    "   ELSE ST_LineSubstring(s.geom, fr.f0, fr.f1) END AS sub) x\n"
    " WHERE s.t && a.w AND ST_DWithin(s.geom, a.g, a.r + a.b + $8::float8) AND ST_DWithin(x.sub, a.g, a.r + a.b + s.prot)\n"
    "UNION ALL\n"
    "SELECT 3, o.id, -1, greatest(0, ST_Distance(o.geom, a.g) - a.r) FROM a, unit o\n"
    " WHERE o.t && a.w AND ST_DWithin(o.geom, a.g, a.r + a.b + $9::float8) AND ST_DWithin(o.geom, a.g, a.r + a.b + o.prot)";

/* One object's distance to a query's area, its threshold and whether the
 * times meet, unfiltered: what PostGIS says about an object only the engine
 * reported. */
static const char *DIAG_SQL =
    "WITH a AS MATERIALIZED (SELECT ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 990001) AS g,"
    " $2::float8 AS r, $5::float8 AS b, $3::timestamptz AS f, $4::timestamptz AS u,"
    " tstzrange($3::timestamptz, $4::timestamptz, '[]') AS w)\n"
    "SELECT greatest(0, ST_Distance(o.geom, a.g) - a.r), o.prot, o.t && a.w, o.t::text FROM a, site o WHERE $6 = 0 AND o.id = $7\n"
    "UNION ALL SELECT greatest(0, ST_Distance(o.geom, a.g) - a.r), o.prot, o.t && a.w, o.t::text FROM a, nostrike o WHERE $6 = 1 AND o.id = $7\n"
    "UNION ALL SELECT greatest(0, ST_Distance(x.sub, a.g) - a.r), s.prot, s.t && a.w, s.t::text FROM a, seg s,\n"
    " LATERAL (SELECT greatest(0, least(1, extract(epoch FROM a.f - s.t0)::float8 / nullif(extract(epoch FROM s.t1 - s.t0)::float8, 0))) AS f0,\n"
    "                 greatest(0, least(1, extract(epoch FROM a.u - s.t0)::float8 / nullif(extract(epoch FROM s.t1 - s.t0)::float8, 0))) AS f1) fr,\n"
    /* the window meets the leg at one instant: the point there (ST_LineSubstring of a zero stretch can answer NaN) */
    " LATERAL (SELECT CASE WHEN s.t1 = s.t0 THEN s.geom WHEN fr.f0 >= fr.f1 THEN ST_LineInterpolatePoint(s.geom, fr.f0)\n"
    "   ELSE ST_LineSubstring(s.geom, fr.f0, fr.f1) END AS sub) x\n"
    " WHERE $6 = 2 AND s.id = $7 AND s.seg = $8\n"
    "UNION ALL SELECT greatest(0, ST_Distance(o.geom, a.g) - a.r), o.prot, o.t && a.w, o.t::text FROM a, unit o WHERE $6 = 3 AND o.id = $7";

static void pg_setup(void)
{
    const char *conninfo = getenv("PGCONN");
    pg = PQconnectdb(conninfo ? conninfo : "");
    if (PQstatus(pg) != CONNECTION_OK) die("cannot connect to PostgreSQL (PGCONN=%s): %s", conninfo ? conninfo : "", PQerrorMessage(pg));
    pg_exec("SET client_min_messages = warning");
    pg_exec("CREATE EXTENSION IF NOT EXISTS postgis");
    pg_exec("CREATE EXTENSION IF NOT EXISTS btree_gist");
    pg_exec("DROP SCHEMA IF EXISTS dcbench CASCADE");
    pg_exec("CREATE SCHEMA dcbench");
    pg_exec("SET search_path = dcbench, public");
    /* The engine's plane, as PROJ text (geo_proj_string): a transverse
     * Mercator on WGS 84 centred on the mission. Checked against geo_fwd
     * in pg_load. */
    snprintf(proj_string, sizeof proj_string, "%s", geo_proj_string(geo));
    char sql[600];
    snprintf(sql, sizeof sql, "DELETE FROM spatial_ref_sys WHERE srid = %d", SRID);
    pg_exec(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES (%d, NULL, NULL, NULL, '%s')",
             SRID, proj_string);
    pg_exec(sql);
    PGresult *r = PQexec(pg, "SELECT postgis_full_version(), version()");
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        char v[200];
        snprintf(v, sizeof v, "%s", PQgetvalue(r, 0, 1));
        char *comma = strchr(v, ',');
        if (comma) *comma = 0;
        printf("PostGIS: %s; %.80s\n", v, PQgetvalue(r, 0, 0));
    }
    PQclear(r);
}

static void pg_load(void)
{
    uint64_t t0 = bench_ns();
    pg_exec("CREATE UNLOGGED TABLE raw_obj (kind int, id int, prot float8, g text, t0 timestamptz, t1 timestamptz)");
    pg_exec("CREATE UNLOGGED TABLE raw_seg (id int, seg int, prot float8, g text, t0 timestamptz, t1 timestamptz)");
    buf_t b, s;
    buf_init(&b);
    buf_init(&s);
    for (size_t i = 0; i < nobjs; i++) {
        const obj_t *o = &objs[i];
        if (o->kind == DC_MOVEMENT) {
            for (int k = 0; k + 1 < o->n; k++) {
                buf_addf(&s, "%u\t%d\t%.17g\tSRID=4326;LINESTRING(%.17g %.17g,%.17g %.17g)\t", o->num, k, o->prot,
                         o->v[k].lon, o->v[k].lat, o->v[k + 1].lon, o->v[k + 1].lat);
                copy_time(&s, o->times[k]);
                buf_adds(&s, "\t");
                copy_time(&s, o->times[k + 1]);
                buf_adds(&s, "\n");
            }
            continue;
        }
        buf_addf(&b, "%d\t%u\t%.17g\t", o->kind, o->num, o->prot);
        obj_wkt(&b, o);
        buf_adds(&b, "\t");
        copy_time(&b, o->t0);
        buf_adds(&b, "\t");
        copy_time(&b, o->t1);
        buf_adds(&b, "\n");
    }
    if (b.failed || s.failed) die("out of memory");
    pg_copy("COPY raw_obj FROM STDIN", &b);
    pg_copy("COPY raw_seg FROM STDIN", &s);
    buf_release(&b);
    buf_release(&s);
    uint64_t t1 = bench_ns();
    char sql[1000];
    static const char *tables[] = {"site", "nostrike", "", "unit"};
    for (int k = 0; k < DC__KINDS; k++) {
        if (k == DC_MOVEMENT || k == DC_OPERATION) continue;
        snprintf(sql, sizeof sql,
                 "CREATE TABLE %s AS SELECT id, prot, ST_Transform(g::geometry, %d) AS geom,"
                 " tstzrange(t0, t1, '[]') AS t FROM raw_obj WHERE kind = %d",
                 tables[k], SRID, k);
        pg_exec(sql);
    }
    snprintf(sql, sizeof sql,
             "CREATE TABLE seg AS SELECT id, seg, prot, ST_Transform(g::geometry, %d) AS geom, t0, t1,"
             " tstzrange(t0, t1, '[]') AS t FROM raw_seg",
             SRID);
    pg_exec(sql);
    uint64_t t2 = bench_ns();
    static const char *all[] = {"site", "nostrike", "seg", "unit"};
    for (int k = 0; k < 4; k++) {
        snprintf(sql, sizeof sql, "CREATE INDEX ON %s USING gist (geom)", all[k]);
        pg_exec(sql);
        snprintf(sql, sizeof sql, "CREATE INDEX ON %s USING gist (t)", all[k]);
        pg_exec(sql);
        snprintf(sql, sizeof sql, "CREATE UNIQUE INDEX ON %s (id%s)", all[k], k == 2 ? ", seg" : "");
        pg_exec(sql);
        snprintf(sql, sizeof sql, "ANALYZE %s", all[k]);
        pg_exec(sql);
    }
    pg_exec("DROP TABLE raw_obj, raw_seg");
    uint64_t t3 = bench_ns();
    printf("PostGIS load: COPY %.2f s, ST_Transform into tables %.2f s, GiST indexes + ANALYZE %.2f s\n",
           (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9, (double)(t3 - t2) / 1e9);

    /* The projection must be the engine's: compare projected vertices. */
    PGresult *r = PQexec(pg, "SELECT id, ST_X(geom), ST_Y(geom) FROM unit ORDER BY id LIMIT 200");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die("%s", PQerrorMessage(pg));
    double worst = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        uint32_t id = (uint32_t)atol(PQgetvalue(r, i, 0));
        const obj_t *o = NULL;
        for (size_t k = 0; k < nobjs && !o; k++)
            if (objs[k].kind == DC_UNIT && objs[k].num == id) o = &objs[k];
        pt_t p;
        if (!o || geo_fwd(geo, o->v[0].lon, o->v[0].lat, &p)) die("geo_fwd failed");
        double dx = p.x - atof(PQgetvalue(r, i, 1)), dy = p.y - atof(PQgetvalue(r, i, 2));
        double d = sqrt(dx * dx + dy * dy);
        if (d > worst) worst = d;
    }
    PQclear(r);
    printf("PostGIS projection (%s) vs geo_fwd: largest difference %.2g m over 200 points\n", proj_string, worst);
    if (worst > 1e-3) die("the PostGIS projection is not the engine's (difference %.3g m): fix proj_string", worst);

    max_prot[DC_SITE] = max_prot[DC_NOSTRIKE] = 0;
    for (int k = 0; k < NSITE_CATS; k++)
        if (site_cats[k].prot > max_prot[DC_SITE]) max_prot[DC_SITE] = site_cats[k].prot;
    for (int k = 0; k < NNS_CATS; k++)
        if (ns_cats[k].prot > max_prot[DC_NOSTRIKE]) max_prot[DC_NOSTRIKE] = ns_cats[k].prot;
    max_prot[DC_MOVEMENT] = prot_movement;
    max_prot[DC_UNIT] = prot_unit;

    r = PQprepare(pg, "q", QUERY_SQL, 9, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die("prepare: %s", PQerrorMessage(pg));
    PQclear(r);
    r = PQprepare(pg, "diag", DIAG_SQL, 8, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die("prepare diag: %s", PQerrorMessage(pg));
    PQclear(r);
}

typedef struct {
    char *geojson;
    char radius[32], from[40], until[40], buffer[32], mp[4][32];
    const char *v[9];
} qparams_t;

static void qparams(const query_t *q, qparams_t *p)
{
    json_t *g = query_geojson(q);
    p->geojson = json_dumps(g, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(g);
    snprintf(p->radius, sizeof p->radius, "%.17g", q->radius);
    time_format(q->from, p->from);
    time_format(q->until, p->until);
    snprintf(p->buffer, sizeof p->buffer, "%.17g", q->buffer);
    static const int kinds[4] = {DC_SITE, DC_NOSTRIKE, DC_MOVEMENT, DC_UNIT};
    for (int k = 0; k < 4; k++) snprintf(p->mp[k], sizeof p->mp[k], "%.17g", max_prot[kinds[k]]);
    const char *v[9] = {p->geojson, p->radius, p->from, p->until, p->buffer, p->mp[0], p->mp[1], p->mp[2], p->mp[3]};
    memcpy(p->v, v, sizeof v);
}

static size_t pg_query(long i, res_t **out, uint64_t *ns)
{
    qparams_t p;
    qparams(&queries[i], &p);
    uint64_t s = bench_ns();
    PGresult *r = PQexecPrepared(pg, "q", 9, p.v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die("query %ld: %s", i, PQerrorMessage(pg));
    size_t n = (size_t)PQntuples(r);
    res_t *v = xcalloc(n, sizeof *v);
    for (size_t k = 0; k < n; k++) {
        v[k].kind = (uint8_t)atoi(PQgetvalue(r, (int)k, 0));
        v[k].num = (uint32_t)strtoul(PQgetvalue(r, (int)k, 1), NULL, 10);
        v[k].seg = atoi(PQgetvalue(r, (int)k, 2));
        v[k].dist = strtod(PQgetvalue(r, (int)k, 3), NULL);
    }
    PQclear(r);
    *ns = bench_ns() - s;
    free(p.geojson);
    qsort(v, n, sizeof *v, res_cmp);
    *out = v;
    return n;
}

static const obj_t *find_obj(int kind, uint32_t num)
{
    /* objs is in kind order, numbered from 1 within each kind. */
    size_t base = 0;
    long counts[DC__KINDS] = {opt.sites, opt.nostrike, opt.movements, opt.units, 0};
    for (int k = 0; k < kind; k++) base += (size_t)counts[k];
    if (num < 1 || num > (uint32_t)counts[kind]) return NULL;
    return &objs[base + num - 1];
}

static void describe_query(long i, char *out, size_t cap)
{
    const query_t *q = &queries[i];
    char f[40], u[40];
    time_format(q->from, f);
    time_format(q->until, u);
    if (q->poly)
        snprintf(out, cap, "query %ld: polygon of %d vertices around %.6f,%.6f, buffer %.0f m, window %s .. %s", i,
                 q->n - 1, q->c.lon, q->c.lat, q->buffer, f, u);
    else
        snprintf(out, cap, "query %ld: point %.6f,%.6f radius %.0f m, buffer %.0f m, window %s .. %s", i, q->c.lon,
                 q->c.lat, q->radius, q->buffer, f, u);
}

/* The engine's kernels on one object: the distance the engine should have
 * found for it, whether or not it reported it. */
static double kernel_dist(const query_t *q, const obj_t *o, int seg)
{
    err_t e = {0};
    if (o->kind == DC_MOVEMENT) {
        pt_t a, b;
        geo_fwd(geo, o->v[seg].lon, o->v[seg].lat, &a);
        geo_fwd(geo, o->v[seg + 1].lon, o->v[seg + 1].lat, &b);
        int64_t t0 = o->times[seg], t1 = o->times[seg + 1];
        double f0 = 0, f1 = 1;
        if (t1 > t0) {
            f0 = fmax(0, fmin(1, (double)(q->from - t0) / (double)(t1 - t0)));
            f1 = fmax(0, fmin(1, (double)(q->until - t0) / (double)(t1 - t0)));
        }
        pt_t p = {a.x + f0 * (b.x - a.x), a.y + f0 * (b.y - a.y)}, r = {a.x + f1 * (b.x - a.x), a.y + f1 * (b.y - a.y)};
        return area_dist_seg(&q->area, p, r);
    }
    json_t *g = obj_geojson(o);
    shape_t s;
    double d = NAN;
    if (geo_shape_from_json(geo, g, 1 << o->type, "geometry", &s, &e) == 0) {
        d = area_dist(&q->area, &s);
        shape_free(&s);
    }
    json_decref(g);
    return d;
}

static int reported;

static void report_mismatch(long i, const res_t *r, const char *side, double engine_d, double pg_d)
{
    if (reported++ >= 40) {
        if (reported == 42) printf("  (further mismatches are counted, not printed)\n");
        return;
    }
    char qd[300];
    describe_query(i, qd, sizeof qd);
    const query_t *q = &queries[i];
    const obj_t *o = find_obj(r->kind, r->num);
    char t0[40], t1[40], seg[48] = "";
    fmt_time(o ? (r->kind == DC_MOVEMENT ? o->times[r->seg] : o->t0) : 0, t0);
    fmt_time(o ? (r->kind == DC_MOVEMENT ? o->times[r->seg + 1] : o->t1) : 0, t1);
    if (r->kind == DC_MOVEMENT) snprintf(seg, sizeof seg, " segment %d", r->seg);
    double thr = (o ? o->prot : NAN) + q->buffer;
    double kd = o ? kernel_dist(q, o, r->seg) : NAN;
    /* PostGIS's word on it, unfiltered. */
    qparams_t p;
    qparams(q, &p);
    char kind[8], id[16], sg[16];
    snprintf(kind, sizeof kind, "%d", r->kind);
    snprintf(id, sizeof id, "%u", r->num);
    snprintf(sg, sizeof sg, "%d", r->seg);
    const char *v[8] = {p.v[0], p.v[1], p.v[2], p.v[3], p.v[4], kind, id, sg};
    PGresult *res = PQexecPrepared(pg, "diag", 8, v, NULL, NULL, 0);
    char pgs[200] = "PostGIS: no such object";
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        snprintf(pgs, sizeof pgs, "PostGIS: distance %s m, times meet %s (%s)", PQgetvalue(res, 0, 0),
                 PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
    PQclear(res);
    free(p.geojson);
    printf("MISMATCH %s\n  %s-%u%s (protection %.0f m + buffer %.0f = threshold %.3f m; object time %s .. %s): %s\n"
           "  engine distance_m %.6f, PostGIS distance %.6f, engine kernels (area_dist%s) %.6f; %s\n",
           qd, o ? kind_prefix[r->kind] : "?", r->num, seg, o ? o->prot : NAN, q->buffer, thr, t0, t1, side, engine_d,
           pg_d, r->kind == DC_MOVEMENT ? "_seg on the travelled part" : "", kd, pgs);
}

/* ---- inside_from / inside_until, checked by the bench's own geometry ----
 *
 * The engine says when a movement is planned to be within the buffered area
 * (area_seg_within on the stretch travelled in the window). PostGIS has no
 * exact counterpart (ST_Buffer is a polygon), so the bench samples the
 * stretch with its own point-to-area distance (not the engine's kernels),
 * finds the first and last sample within protection + buffer, refines both
 * ends by bisection, and requires: the engine's ends are within, and no
 * sample outside the engine's interval is within (1 ms for the engine's
 * rounding to milliseconds). */

static double own_pt_seg(pt_t p, pt_t a, pt_t b)
{
    double vx = b.x - a.x, vy = b.y - a.y, l2 = vx * vx + vy * vy;
    double t = l2 > 0 ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(p.x - (a.x + t * vx), p.y - (a.y + t * vy));
}

static double own_area_dist(const query_t *q, pt_t p)
{
    const shape_t *s = &q->area.shape;
    if (s->type == SH_POINT) return fmax(0, hypot(p.x - s->p[0].x, p.y - s->p[0].y) - q->area.radius);
    int in = 0;
    double best = INFINITY;
    for (int i = 0; i + 1 < s->n; i++) {
        pt_t a = s->p[i], b = s->p[i + 1];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
        best = fmin(best, own_pt_seg(p, a, b));
    }
    return in ? 0 : fmax(0, best - q->area.radius);
}

typedef struct {
    pt_t a, b;           /* the stretch travelled in the window */
    double sa, sb;       /* its fractions of the segment */
    int64_t ta, tb;
    double limit;
    const query_t *q;
} stretch_t;

static pt_t stretch_at(const stretch_t *st, double u)
{
    pt_t p = {st->a.x + u * (st->b.x - st->a.x), st->a.y + u * (st->b.y - st->a.y)};
    return p;
}

static int stretch_within(const stretch_t *st, double u)
{
    return own_area_dist(st->q, stretch_at(st, u)) <= st->limit + 1e-7;
}

/* The fraction u of the stretch at time t (ms). */
static double stretch_u(const stretch_t *st, int64_t t)
{
    if (st->tb == st->ta || st->sb == st->sa) return 0;
    double s = (double)(t - st->ta) / (double)(st->tb - st->ta);
    return (s - st->sa) / (st->sb - st->sa);
}

static int64_t stretch_t_of(const stretch_t *st, double u)
{
    return st->ta + (int64_t)llround((st->sa + u * (st->sb - st->sa)) * (double)(st->tb - st->ta));
}

/* 0 when the engine's interval [in0, in1] is right; else fills why. */
static int check_inside(const query_t *q, const obj_t *o, int seg, int64_t in0, int64_t in1, char *why, size_t cap)
{
    stretch_t st = {.q = q, .ta = o->times[seg], .tb = o->times[seg + 1], .limit = o->prot + q->buffer, .sa = 0, .sb = 1};
    pt_t a = o->pv[seg], b = o->pv[seg + 1];
    if (st.tb > st.ta) {
        st.sa = fmax(0, fmin(1, (double)(q->from - st.ta) / (double)(st.tb - st.ta)));
        st.sb = fmax(0, fmin(1, (double)(q->until - st.ta) / (double)(st.tb - st.ta)));
    }
    st.a = (pt_t){a.x + st.sa * (b.x - a.x), a.y + st.sa * (b.y - a.y)};
    st.b = (pt_t){a.x + st.sb * (b.x - a.x), a.y + st.sb * (b.y - a.y)};
    enum { N = 256 };
    int first = -1, last = -1;
    for (int i = 0; i <= N; i++)
        if (stretch_within(&st, (double)i / N)) {
            if (first < 0) first = i;
            last = i;
        }
    double lo, hi;
    if (first < 0) {
        /* Within only in a sliver the samples missed: the engine's ends must be within. */
        lo = stretch_u(&st, in0), hi = stretch_u(&st, in1);
    } else {
        lo = (double)first / N, hi = (double)last / N;
        if (first > 0) { /* bisect between an outside and an inside sample */
            double x = (double)(first - 1) / N, y = lo;
            for (int k = 0; k < 60; k++) {
                double m = (x + y) / 2;
                if (stretch_within(&st, m)) y = m;
                else x = m;
            }
            lo = y;
        }
        if (last < N) {
            double x = hi, y = (double)(last + 1) / N;
            for (int k = 0; k < 60; k++) {
                double m = (x + y) / 2;
                if (stretch_within(&st, m)) x = m;
                else y = m;
            }
            hi = x;
        }
    }
    int64_t want0 = stretch_t_of(&st, lo), want1 = stretch_t_of(&st, hi);
    int64_t w0 = st.ta + (int64_t)llround(st.sa * (double)(st.tb - st.ta));
    int64_t w1 = st.ta + (int64_t)llround(st.sb * (double)(st.tb - st.ta));
    const int64_t tol = 2; /* ms: the engine rounds to milliseconds */
    const char *bad = NULL;
    if (in0 > in1) bad = "inside_from after inside_until";
    else if (in0 < w0 - tol || in1 > w1 + tol) bad = "outside the stretch travelled in the window";
    else if (in0 > want0 + tol) bad = "inside_from too late: the movement is within earlier";
    else if (in1 < want1 - tol) bad = "inside_until too early: the movement is still within later";
    else if (in0 < want0 - tol && !stretch_within(&st, fmax(0, stretch_u(&st, in0 + tol))))
        bad = "inside_from too early: the movement is not yet within then";
    else if (in1 > want1 + tol && !stretch_within(&st, fmin(1, stretch_u(&st, in1 - tol))))
        bad = "inside_until too late: the movement is no longer within then";
    if (!bad) return 0;
    char e0[40], e1[40], b0[40], b1[40];
    time_format(in0, e0);
    time_format(in1, e1);
    time_format(want0, b0);
    time_format(want1, b1);
    snprintf(why, cap, "%s: engine %s .. %s, bench %s .. %s (distance at the ends %.3f / %.3f m, limit %.3f m)", bad,
             e0, e1, b0, b1, own_area_dist(q, stretch_at(&st, fmax(0, fmin(1, stretch_u(&st, in0))))),
             own_area_dist(q, stretch_at(&st, fmax(0, fmin(1, stretch_u(&st, in1))))), st.limit);
    return -1;
}

static int dist_close(double a, double b)
{
    double d = fabs(a - b);
    return d <= 0.01 || d <= 1e-3 * fmax(fabs(a), fabs(b));
}

/* EXPLAIN ANALYZE of the prepared statement on query i (--explain). */
static void pg_explain(long i)
{
    qparams_t p;
    qparams(&queries[i], &p);
    buf_t b;
    buf_init(&b);
    buf_adds(&b, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE q(");
    for (int k = 0; k < 9; k++) {
        char *lit = PQescapeLiteral(pg, p.v[k], strlen(p.v[k]));
        buf_addf(&b, "%s%s", k ? ", " : "", lit);
        PQfreemem(lit);
    }
    buf_adds(&b, ")");
    PGresult *r = PQexec(pg, b.data);
    char qd[300];
    describe_query(i, qd, sizeof qd);
    printf("EXPLAIN %s:\n", qd);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        for (int k = 0; k < PQntuples(r); k++) printf("  %s\n", PQgetvalue(r, k, 0));
    else
        printf("  %s", PQerrorMessage(pg));
    PQclear(r);
    buf_release(&b);
    free(p.geojson);
}

static void pg_bench(void)
{
    long nq = opt.pg_queries >= 0 && opt.pg_queries < opt.queries ? opt.pg_queries : opt.queries;
    uint64_t *lat = xcalloc((size_t)nq, sizeof *lat), *elat = xcalloc((size_t)nq, sizeof *elat);
    long warm = nq < 20 ? nq : 20;
    for (long i = 0; i < warm; i++) {
        res_t *v;
        uint64_t ns;
        pg_query(i, &v, &ns);
        free(v);
    }
    if (opt.explain) pg_explain(0);
    double total = 0, etotal = 0, worst_rel = 0, worst_abs = 0;
    long bad_queries = 0, only_engine = 0, only_pg = 0, bad_dist = 0, compared = 0, ties = 0;
    long inside_checked = 0, inside_bad = 0;
    for (long i = 0; i < nq; i++) {
        res_t *pv, *ev;
        size_t np = pg_query(i, &pv, &lat[i]);
        size_t ne = engine_query(i, &ev, &elat[i]);
        total += (double)lat[i];
        etotal += (double)elat[i];
        size_t a = 0, b = 0;
        int bad = 0;
        while (a < ne || b < np) {
            int c = a >= ne ? 1 : b >= np ? -1 : res_cmp(&ev[a], &pv[b]);
            if (c < 0) {
                report_mismatch(i, &ev[a], "only in the engine", ev[a].dist, NAN);
                only_engine++, bad = 1, a++;
            } else if (c > 0) {
                report_mismatch(i, &pv[b], "only in PostGIS", NAN, pv[b].dist);
                only_pg++, bad = 1, b++;
            } else {
                compared++;
                const obj_t *o = find_obj(ev[a].kind, ev[a].num);
                int64_t ot0 = o->kind == DC_MOVEMENT ? o->times[ev[a].seg] : o->t0;
                int64_t ot1 = o->kind == DC_MOVEMENT ? o->times[ev[a].seg + 1] : o->t1;
                ties += ot1 == queries[i].from || ot0 == queries[i].until;
                double d = fabs(ev[a].dist - pv[b].dist);
                if (d > worst_abs) worst_abs = d;
                if (d > 0.01 && d / fmax(ev[a].dist, pv[b].dist) > worst_rel)
                    worst_rel = d / fmax(ev[a].dist, pv[b].dist);
                if (!dist_close(ev[a].dist, pv[b].dist)) {
                    report_mismatch(i, &ev[a], "distances differ", ev[a].dist, pv[b].dist);
                    bad_dist++, bad = 1;
                }
                if (ev[a].kind == DC_MOVEMENT) {
                    char why[400];
                    inside_checked++;
                    if (check_inside(&queries[i], o, ev[a].seg, ev[a].in0, ev[a].in1, why, sizeof why)) {
                        inside_bad++, bad = 1;
                        if (reported++ < 40) {
                            char qd[300];
                            describe_query(i, qd, sizeof qd);
                            printf("MISMATCH %s\n  MOV-%u segment %d inside_from/until: %s\n", qd, ev[a].num, ev[a].seg, why);
                        }
                    }
                }
                a++, b++;
            }
        }
        bad_queries += bad;
        free(pv);
        free(ev);
    }
    double mean = total / (double)nq / 1e3;
    double p50 = (double)bench_pct(lat, (size_t)nq, 50) / 1e3, p99 = (double)bench_pct(lat, (size_t)nq, 99) / 1e3;
    printf("PostGIS, %ld queries (prepared statement over a unix socket): mean %.0f us  p50 %.0f us  p99 %.0f us  max %.0f us\n",
           nq, mean, p50, p99, (double)lat[nq - 1] / 1e3);
    /* The engine's side of the ratio: the main run's figures (a quiet loop);
     * the interleaved run's mean is printed for comparison. */
    printf("  engine in the same loop (interleaved with PostGIS, colder caches): mean %.2f us\n",
           etotal / (double)nq / 1e3);
    double ratio_mean = mean / engine_mean, ratio_p50 = p50 / engine_p50;
    printf("PostGIS / engine per query: mean %.0f x, p50 %.0f x, p99 %.0f x   [target >= %.0f x: %s]\n", ratio_mean,
           ratio_p50, p99 / engine_p99, TARGET_RATIO, ratio_mean >= TARGET_RATIO && ratio_p50 >= TARGET_RATIO ? "MET" : "MISSED");
    printf("conflict sets equal to PostGIS's in %ld of %ld queries (%ld conflicts compared; only in the engine %ld, only "
           "in PostGIS %ld, distances differing %ld; largest distance difference %.2g m, relative %.2g)   [target: all: %s]\n",
           nq - bad_queries, nq, compared, only_engine, only_pg, bad_dist, worst_abs, worst_rel,
           bad_queries ? "MISSED" : "MET");
    fflush(stdout);
    free(lat);
    free(elat);
    printf("  of the conflicts compared, %ld meet the window at one instant only (closed intervals on both sides)\n", ties);
    printf("movement inside_from/until checked against the bench's own sampling of the stretch: %ld of %ld right   "
           "[target: all: %s]\n", inside_checked - inside_bad, inside_checked, inside_bad ? "MISSED" : "MET");
    if (bad_queries && opt.check) {
        printf("deconflict --check: FAILED: %ld queries differ from PostGIS\n", bad_queries);
        exit(1);
    }
}

/* ---- over HTTP ----
 *
 * --http URL --token T: a running `truce serve` of the same scenario, with a
 * bearer token of an account that may write sites, the no-strike list and
 * movements and see them all (the Gaza scenario's cmcc.watch). The bench
 * loads its data through the API (sites and no-strike objects by
 * POST .../import of GeoJSON, 2,000 rows a request, with
 * confirm_not_duplicate=1; movements one POST each; open-ended no-strike
 * objects get valid_until 2100-01-01), then times POST
 * /api/v1/deconfliction/check for the same queries, one keep-alive
 * connection, and compares each answer with the engine's (ids mapped from the
 * server's). Unit positions are not loaded: the API takes a unit's reports
 * (each counts until the next or unit_position_ttl_h), not free spans, so
 * the checks ask for kinds site, nostrike and movement only. Conflicts with
 * objects the bench did not load (the scenario's own exercise data) are
 * counted and left out of the comparison. */

static struct {
    char host[256], port[16];
    int fd;
    buf_t req, in;
} hc = {.fd = -1};

static void http_close(void)
{
    if (hc.fd >= 0) close(hc.fd);
    hc.fd = -1;
}

static int http_connect(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai, *p;
    if (getaddrinfo(hc.host, hc.port, &hints, &ai)) return -1;
    for (p = ai; p; p = p->ai_next) {
        int fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            hc.fd = fd;
            break;
        }
        close(fd);
    }
    freeaddrinfo(ai);
    return hc.fd >= 0 ? 0 : -1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* Reads more bytes into hc.in; 0 at EOF, -1 on error. */
static ssize_t read_more(void)
{
    if (buf_reserve(&hc.in, 65536)) return -1;
    for (;;) {
        ssize_t r = recv(hc.fd, hc.in.data + hc.in.len, 65536, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r > 0) {
            hc.in.len += (size_t)r;
            hc.in.data[hc.in.len] = 0;
        }
        return r;
    }
}

/* One request on the keep-alive connection (reconnecting once when the
 * server closed it). The body of the answer is in *body (NUL-terminated,
 * valid until the next call); returns the HTTP status or -1. */
static int http_do(const char *method, const char *path, const char *ctype, const char *body, size_t blen,
                   const char **out, size_t *outlen)
{
    buf_reset(&hc.req);
    buf_addf(&hc.req,
             "%s %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n"
             "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
             method, path, hc.host, hc.port, opt.http_token, ctype, blen);
    buf_add(&hc.req, body, blen);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (hc.fd < 0 && http_connect()) return -1;
        buf_reset(&hc.in);
        if (write_all(hc.fd, hc.req.data, hc.req.len)) {
            http_close();
            continue;
        }
        char *end = NULL;
        ssize_t r = 1;
        while (!(end = strstr(hc.in.data, "\r\n\r\n")) && (r = read_more()) > 0) {
        }
        if (!end) {
            http_close();
            if (hc.in.len == 0) continue; /* closed before answering: retry on a new connection */
            return -1;
        }
        int status = 0;
        if (sscanf(hc.in.data, "HTTP/1.%*d %d", &status) != 1) return -1;
        size_t hlen = (size_t)(end - hc.in.data) + 4, clen = 0;
        int chunked = 0, closing = 0, have_len = 0;
        for (char *l = strstr(hc.in.data, "\r\n") + 2; l < end; l = strstr(l, "\r\n") + 2) {
            char h[256];
            size_t n = (size_t)(strstr(l, "\r\n") - l);
            snprintf(h, sizeof h, "%.*s", (int)(n < sizeof h ? n : sizeof h - 1), l);
            for (char *c = h; *c; c++) *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            if (strncmp(h, "content-length:", 15) == 0) clen = strtoull(h + 15, NULL, 10), have_len = 1;
            else if (strncmp(h, "transfer-encoding:", 18) == 0 && strstr(h, "chunked")) chunked = 1;
            else if (strncmp(h, "connection:", 11) == 0 && strstr(h, "close")) closing = 1;
        }
        if (chunked) {
            /* Decode in place after the headers. */
            size_t rd = hlen, wr = hlen;
            for (;;) {
                char *nl;
                while (!(nl = strstr(hc.in.data + rd, "\r\n")))
                    if (read_more() <= 0) return -1;
                size_t n = strtoull(hc.in.data + rd, NULL, 16);
                size_t start = (size_t)(nl - hc.in.data) + 2;
                while (hc.in.len < start + n + 2)
                    if (read_more() <= 0) return -1;
                memmove(hc.in.data + wr, hc.in.data + start, n);
                wr += n;
                rd = start + n + 2;
                if (n == 0) break;
            }
            hc.in.data[wr] = 0;
            *out = hc.in.data + hlen;
            *outlen = wr - hlen;
        } else {
            if (!have_len) closing = 1;
            while (have_len ? hc.in.len < hlen + clen : read_more() > 0)
                if (have_len && read_more() <= 0) return -1;
            *out = hc.in.data + hlen;
            *outlen = have_len ? clen : hc.in.len - hlen;
        }
        if (closing) {
            close(hc.fd);
            hc.fd = -1;
        }
        return status;
    }
    return -1;
}

/* server id number -> the bench's number, per kind */
static uint32_t *srv_map[DC__KINDS];
static size_t srv_cap[DC__KINDS];

static void srv_set(int kind, const char *id, uint32_t num)
{
    size_t n = id_num(id);
    if (n >= srv_cap[kind]) {
        size_t cap = (n + 1) * 2;
        uint32_t *m = realloc(srv_map[kind], cap * sizeof *m);
        if (!m) die("out of memory");
        memset(m + srv_cap[kind], 0, (cap - srv_cap[kind]) * sizeof *m);
        srv_map[kind] = m;
        srv_cap[kind] = cap;
    }
    srv_map[kind][n] = num;
}

static uint32_t srv_get(int kind, const char *id)
{
    size_t n = id_num(id);
    return n < srv_cap[kind] ? srv_map[kind][n] : 0;
}

static json_t *json_time(int64_t ms)
{
    char t[40];
    time_format(ms == INT64_MAX ? 4102444800000LL : ms, t); /* open-ended: 2100-01-01 */
    return json_string(t);
}

static void http_import(int kind, const char *path)
{
    size_t i = 0;
    while (i < nobjs) {
        if (objs[i].kind != kind) {
            i++;
            continue;
        }
        /* objs holds each kind's objects together: a batch is a run of them. */
        json_t *features = json_array();
        size_t first = i, rows = 0;
        for (; i < nobjs && objs[i].kind == kind && rows < 2000; i++, rows++) {
            const obj_t *o = &objs[i];
            char name[48];
            snprintf(name, sizeof name, "bench %s-%u", kind_prefix[kind], o->num);
            json_array_append_new(features,
                                  json_pack("{s:s, s:o, s:{s:s, s:s, s:s, s:o, s:o}}", "type", "Feature", "geometry",
                                            obj_geojson(o), "properties", "category",
                                            kind == DC_SITE ? site_cats[o->cat].name : ns_cats[o->cat].name,
                                            "name_en", name, "name_ar", "موقع", "valid_from", json_time(o->t0),
                                            "valid_until", json_time(o->t1)));
        }
        json_t *fc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
        char *body = json_dumps(fc, JSON_COMPACT | JSON_REAL_PRECISION(17));
        const char *resp;
        size_t rlen;
        int st = http_do("POST", path, "application/geo+json", body, strlen(body), &resp, &rlen);
        if (st != 201) die("POST %s: %d %.400s", path, st, st > 0 ? resp : "(no answer)");
        json_t *r = json_loadb(resp, rlen, 0, NULL);
        json_t *ids = json_object_get(r, "ids");
        if (json_array_size(ids) != rows) die("POST %s: %zu ids for %zu rows", path, json_array_size(ids), rows);
        for (size_t k = 0; k < rows; k++) srv_set(kind, json_string_value(json_array_get(ids, k)), objs[first + k].num);
        json_decref(r);
        free(body);
        json_decref(fc);
    }
}

static void http_movements(void)
{
    for (size_t i = 0; i < nobjs; i++) {
        const obj_t *o = &objs[i];
        if (o->kind != DC_MOVEMENT) continue;
        json_t *times = json_array();
        for (int k = 0; k < o->n; k++) json_array_append_new(times, json_time(o->times[k]));
        char purpose[48];
        snprintf(purpose, sizeof purpose, "bench MOV-%u", o->num);
        json_t *m = json_pack("{s:s, s:{s:i}, s:o, s:o, s:o, s:o}", "purpose", purpose, "vehicles", "count", 3, "route",
                              obj_geojson(o), "times", times, "window_from", json_time(o->t0 - 30 * MIN_MS),
                              "window_until", json_time(o->t1 + 60 * MIN_MS));
        char *body = json_dumps(m, JSON_COMPACT | JSON_REAL_PRECISION(17));
        const char *resp;
        size_t rlen;
        int st = http_do("POST", "/api/v1/movements", "application/json", body, strlen(body), &resp, &rlen);
        if (st != 201) die("POST /api/v1/movements: %d %.400s", st, st > 0 ? resp : "(no answer)");
        json_t *r = json_loadb(resp, rlen, 0, NULL);
        const char *id = json_string_value(json_object_get(r, "id"));
        if (!id) die("POST /api/v1/movements: no id in %.200s", resp);
        srv_set(DC_MOVEMENT, id, o->num);
        json_decref(r);
        free(body);
        json_decref(m);
    }
}

static void http_bench(void)
{
    const char *u = opt.http_url;
    if (strncmp(u, "http://", 7)) die("--http takes http://HOST:PORT");
    u += 7;
    const char *colon = strchr(u, ':'), *slash = strchr(u, '/');
    size_t hl = colon ? (size_t)(colon - u) : slash ? (size_t)(slash - u) : strlen(u);
    snprintf(hc.host, sizeof hc.host, "%.*s", (int)hl, u);
    if (colon) snprintf(hc.port, sizeof hc.port, "%.*s", (int)strcspn(colon + 1, "/"), colon + 1);
    else strcpy(hc.port, "80");
    buf_init(&hc.req);
    buf_init(&hc.in);

    uint64_t t0 = bench_ns();
    http_import(DC_NOSTRIKE, "/api/v1/nostrike/import");
    http_import(DC_SITE, "/api/v1/sites/import?confirm_not_duplicate=1");
    uint64_t t1 = bench_ns();
    http_movements();
    uint64_t t2 = bench_ns();
    printf("HTTP (%s): loaded %ld sites and %ld no-strike objects by import in %.1f s, %ld movements (one POST each) "
           "in %.1f s (%.2f ms each); unit positions not loaded (the API takes reports, not spans)\n",
           opt.http_url, opt.sites, opt.nostrike, (double)(t1 - t0) / 1e9, opt.movements, (double)(t2 - t1) / 1e9,
           opt.movements ? (double)(t2 - t1) / 1e6 / (double)opt.movements : 0);

    long nq = opt.http_queries >= 0 && opt.http_queries < opt.queries ? opt.http_queries : opt.queries;
    uint64_t *lat = xcalloc((size_t)nq, sizeof *lat);
    long bad_queries = 0, only_engine = 0, only_http = 0, bad_dist = 0, foreign = 0, compared = 0;
    double total = 0;
    for (long i = -1; i < nq; i++) {
        long qi = i < 0 ? 0 : i; /* i = -1: a warm-up */
        const query_t *q = &queries[qi];
        char f[40], un[40];
        time_format(q->from, f);
        time_format(q->until, un);
        json_t *b = json_pack("{s:o, s:s, s:s, s:f, s:[sss]}", "geometry", query_geojson(q), "from", f, "until", un,
                              "buffer_m", q->buffer, "kinds", "site", "nostrike", "movement");
        if (!q->poly) json_object_set_new(b, "radius_m", json_real(q->radius));
        char *body = json_dumps(b, JSON_COMPACT | JSON_REAL_PRECISION(17));
        json_decref(b);
        const char *resp;
        size_t rlen;
        uint64_t s = bench_ns();
        int st = http_do("POST", "/api/v1/deconfliction/check", "application/json", body, strlen(body), &resp, &rlen);
        uint64_t d = bench_ns() - s;
        free(body);
        if (st != 200) die("POST /api/v1/deconfliction/check: %d %.400s", st, st > 0 ? resp : "(no answer)");
        if (i < 0) continue;
        lat[i] = d;
        total += (double)d;
        json_t *r = json_loadb(resp, rlen, 0, NULL);
        json_t *cs = json_object_get(r, "conflicts");
        size_t nh = 0;
        res_t *hv = xcalloc(json_array_size(cs), sizeof *hv);
        size_t k;
        json_t *c;
        json_array_foreach(cs, k, c)
        {
            const char *kind = json_string_value(json_object_get(c, "kind"));
            int kd = -1;
            for (int x = 0; x < DC__KINDS; x++)
                if (kind && !strcmp(kind, dc_kind_names[x])) kd = x;
            uint32_t num = kd >= 0 ? srv_get(kd, json_string_value(json_object_get(c, "id"))) : 0;
            if (!num) {
                foreign++;
                continue;
            }
            hv[nh].kind = (uint8_t)kd;
            hv[nh].num = num;
            hv[nh].seg = kd == DC_MOVEMENT ? (int32_t)json_integer_value(json_object_get(c, "segment")) : -1;
            hv[nh].dist = json_number_value(json_object_get(c, "distance_m"));
            nh++;
        }
        json_decref(r);
        qsort(hv, nh, sizeof *hv, res_cmp);
        res_t *ev;
        size_t ne = engine_query(qi, &ev, NULL), m = 0;
        for (size_t j = 0; j < ne; j++)
            if (ev[j].kind != DC_UNIT) ev[m++] = ev[j];
        ne = m;
        size_t a = 0, bb = 0;
        int bad = 0;
        while (a < ne || bb < nh) {
            int cmp = a >= ne ? 1 : bb >= nh ? -1 : res_cmp(&ev[a], &hv[bb]);
            if (cmp == 0) {
                compared++;
                /* the API rounds distance_m to the centimetre */
                if (fabs(ev[a].dist - hv[bb].dist) > 0.006 && !dist_close(ev[a].dist, hv[bb].dist)) bad_dist++, bad = 1;
                a++, bb++;
            } else {
                const res_t *x = cmp < 0 ? &ev[a++] : &hv[bb++];
                if (cmp < 0) only_engine++;
                else only_http++;
                bad = 1;
                if (reported++ < 40) {
                    char qd[300];
                    describe_query(qi, qd, sizeof qd);
                    printf("MISMATCH (HTTP) %s\n  %s-%u%s: only %s\n", qd, kind_prefix[x->kind], x->num,
                           x->kind == DC_MOVEMENT ? " (a segment)" : "", cmp < 0 ? "in process" : "over HTTP");
                }
            }
        }
        bad_queries += bad;
        free(ev);
        free(hv);
    }
    double mean = total / (double)nq / 1e3;
    double p50 = (double)bench_pct(lat, (size_t)nq, 50) / 1e3, p99 = (double)bench_pct(lat, (size_t)nq, 99) / 1e3;
    printf("HTTP POST /api/v1/deconfliction/check, %ld queries, one keep-alive connection: mean %.0f us  p50 %.0f us  "
           "p99 %.0f us  max %.0f us   [target: none]\n",
           nq, mean, p50, p99, (double)lat[nq - 1] / 1e3);
    printf("  HTTP / in process (all kinds) per query: mean %.1f x, p50 %.1f x\n", mean / engine_mean, p50 / engine_p50);
    printf("HTTP conflict sets (site, nostrike, movement) equal to the engine's in %ld of %ld queries (%ld compared; only "
           "in process %ld, only over HTTP %ld, distances differing %ld; %ld conflicts with objects the bench did not "
           "load left out)   [target: all: %s]\n",
           nq - bad_queries, nq, compared, only_engine, only_http, bad_dist, foreign, bad_queries ? "MISSED" : "MET");
    fflush(stdout);
    free(lat);
    http_close();
    buf_release(&hc.req);
    buf_release(&hc.in);
    for (int k = 0; k < DC__KINDS; k++) free(srv_map[k]);
    if (bad_queries && opt.check) {
        printf("deconflict --check: FAILED: %ld queries differ over HTTP\n", bad_queries);
        exit(1);
    }
}

/* ---- operations (issue 6): notice to decision-ready ---- */

/* A random operation area and window: a point with a 200-2000 m radius or a
 * 400-3000 m polygon, 1-6 hours within the movements' 30 days. */
static json_t *random_notice(void)
{
    ll_t c = random_inside();
    json_t *n;
    if (urand() < 0.7) {
        n = json_pack("{s:{s:s, s:[ff]}, s:f}", "geometry", "type", "Point", "coordinates", c.lon, c.lat, "radius_m",
                      (double)irand(200, 2000));
    } else {
        ll_t v[9];
        int k = (int)irand(4, 8);
        star_ring(c, k, (double)irand(400, 3000) / 2, 0, v);
        n = json_pack("{s:{s:s, s:[o]}}", "geometry", "type", "Polygon", "coordinates", ring_json(v, k + 1));
    }
    int64_t from = period0 + (int64_t)(urand() * 30 * 86400e3), until = from + irand(1, 6) * 3600000LL;
    char f[32], u[32];
    fmt_time(from, f);
    fmt_time(until, u);
    json_object_set_new(n, "window_from", json_string(f));
    json_object_set_new(n, "window_until", json_string(u));
    return n;
}

static void ops_bench(void)
{
    long background = opt.ops_per_day * 30;
    err_t e;
    char id[32];
    uint64_t b0 = bench_ns();
    for (long i = 0; i < background; i++) {
        json_t *n = random_notice();
        dc_object_t d = {.kind = DC_OPERATION, .id = id, .category = "other", .labels = labels};
        snprintf(id, sizeof id, "OPN-%ld", i + 1);
        if (geo_shape_from_json(geo, json_object_get(n, "geometry"), 1 << SH_POINT | 1 << SH_POLY, "geometry", &d.shape, &e))
            die("operation %s: %s", id, e.message);
        d.protection_m = json_number_value(json_object_get(n, "radius_m"));
        time_parse(json_string_value(json_object_get(n, "window_from")), &d.t0);
        time_parse(json_string_value(json_object_get(n, "window_until")), &d.t1);
        if (dc_put(dc, &d)) die("dc_put %s failed", id);
        json_decref(n);
    }
    printf("operations: %ld on top of the data (%ld a day for 30 days), put in %.2f s\n", background, opt.ops_per_day,
           (double)(bench_ns() - b0) / 1e9);
    uint64_t *ns = xcalloc((size_t)opt.ops_queries, sizeof *ns);
    /* Which path each notice took, for the breakdown: a point, a polygon
     * cut (at most 100 objects in the way, as ops.c's MAX_SUBTRACT) or a
     * polygon over too many to cut. */
    enum { OPS_POINT, OPS_CUT, OPS_DENSE, OPS__PATHS };
    static const char *const path_name[] = {"points", "polygons cut", "polygons over > 100"};
    int *path = xcalloc((size_t)opt.ops_queries, sizeof *path);
    long with_conflicts = 0, possible = 0, verified_clear = 0, differing = 0;
    double conflicts = 0;
    for (long i = 0; i < opt.ops_queries; i++) {
        json_t *n = random_notice();
        uint64_t t0 = bench_ns();
        json_t *r = ops_ready(&ops_t, n);
        ns[i] = bench_ns() - t0;
        if (!r) die("ops_ready refused a notice");
        size_t nc = json_array_size(json_object_get(r, "conflicts"));
        path[i] = json_object_get(n, "radius_m") ? OPS_POINT : nc > 100 ? OPS_DENSE : OPS_CUT;
        /* The notice's conflicts are the engine's check of its area, in its order. */
        {
            area_t a = {.radius = json_number_value(json_object_get(n, "radius_m"))};
            if (geo_shape_from_json(geo, json_object_get(n, "geometry"), 1 << SH_POINT | 1 << SH_POLY, "geometry",
                                    &a.shape, &e))
                die("notice: %s", e.message);
            dc_query_t q = {.area = &a, .skip_kind = DC_OPERATION, .skip_id = ""};
            time_parse(json_string_value(json_object_get(n, "window_from")), &q.from);
            time_parse(json_string_value(json_object_get(n, "window_until")), &q.until);
            conflict_t *dc_c;
            size_t dc_n;
            if (dc_check(dc, &q, &dc_c, &dc_n)) die("dc_check failed");
            int same = dc_n == nc;
            for (size_t k = 0; same && k < dc_n; k++) {
                json_t *x = conflict_json(&dc_c[k]);
                same = json_equal(x, json_array_get(json_object_get(r, "conflicts"), k));
                json_decref(x);
            }
            differing += !same;
            free(dc_c);
            shape_free(&a.shape);
        }
        conflicts += (double)nc;
        json_t *p = json_object_get(r, "proposal");
        if (nc) {
            with_conflicts++;
            if (json_is_true(json_object_get(p, "possible"))) {
                possible++;
                /* the proposal must clear everything: check it as a notice */
                json_t *again = json_pack("{s:O, s:O, s:O}", "geometry", json_object_get(p, "geometry"), "window_from",
                                          json_object_get(p, "window_from"), "window_until",
                                          json_object_get(p, "window_until"));
                if (json_object_get(p, "radius_m")) json_object_set(again, "radius_m", json_object_get(p, "radius_m"));
                json_t *r2 = ops_ready(&ops_t, again);
                verified_clear += r2 && json_array_size(json_object_get(r2, "conflicts")) == 0;
                json_decref(r2);
                json_decref(again);
            }
        }
        json_decref(r);
        json_decref(n);
    }
    double mean = 0;
    for (long i = 0; i < opt.ops_queries; i++) mean += (double)ns[i];
    mean /= (double)opt.ops_queries;
    /* By path (before bench_pct sorts ns). */
    uint64_t *pl = xcalloc((size_t)opt.ops_queries, sizeof *pl);
    char line[400];
    int len = snprintf(line, sizeof line, "  by area:");
    for (int k = 0; k < OPS__PATHS; k++) {
        size_t m = 0;
        for (long i = 0; i < opt.ops_queries; i++)
            if (path[i] == k) pl[m++] = ns[i];
        if (m)
            len += snprintf(line + len, sizeof line - (size_t)len, "  %s: %zu, p50 %.2f ms, p99 %.2f ms;", path_name[k],
                            m, (double)bench_pct(pl, m, 50) / 1e6, (double)bench_pct(pl, m, 99) / 1e6);
    }
    free(pl);
    free(path);
    uint64_t p50 = bench_pct(ns, (size_t)opt.ops_queries, 50), p99 = bench_pct(ns, (size_t)opt.ops_queries, 99);
    printf("notice to decision-ready (checks + narrowing proposal), %ld notices: mean %.2f ms  p50 %.2f ms  p99 %.2f ms  "
           "max %.2f ms   [target <= 5 ms at p99: %s]\n",
           opt.ops_queries, mean / 1e6, (double)p50 / 1e6, (double)p99 / 1e6,
           (double)ns[opt.ops_queries - 1] / 1e6, (double)p99 / 1e6 <= 5 ? "MET" : "MISSED");
    printf("  conflicts per notice: mean %.1f; %ld of %ld notices conflict; a proposal was possible for %ld, and "
           "%ld of those were checked clear\n",
           conflicts / (double)opt.ops_queries, with_conflicts, opt.ops_queries, possible, verified_clear);
    printf("%s\n", line);
    printf("  conflicts the same as dc_check's of the notice's area (kinds, ids, distances, order) for %ld of %ld "
           "notices   [target: all: %s]\n",
           opt.ops_queries - differing, opt.ops_queries, differing ? "MISSED" : "MET");
    free(ns);
}

/* ---- main ---- */

static void usage(void)
{
    fprintf(stderr,
            "usage: deconflict [--sites N] [--nostrike K] [--movements M] [--units U] [--queries Q]\n"
            "                  [--pg-queries P] [--seed S] [--scenario DIR] [--check] [--no-pg] [--explain]\n"
            "                  [--http URL --token T [--http-queries H]]\n"
            "                  [--ops DIR [--ops-per-day N] [--ops-queries Q]]\n"
            "PGCONN: libpq conninfo of a PostgreSQL with PostGIS\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"sites", required_argument, 0, 's'},     {"nostrike", required_argument, 0, 'n'},
        {"movements", required_argument, 0, 'm'}, {"units", required_argument, 0, 'u'},
        {"queries", required_argument, 0, 'q'},   {"pg-queries", required_argument, 0, 'p'},
        {"seed", required_argument, 0, 'S'},      {"scenario", required_argument, 0, 'd'},
        {"check", no_argument, 0, 'c'},           {"no-pg", no_argument, 0, 'N'},
        {"explain", no_argument, 0, 'E'},         {"http-queries", required_argument, 0, 'H'},
        {"http", required_argument, 0, 'h'},      {"token", required_argument, 0, 't'},
        {"ops", required_argument, 0, 'o'},       {"ops-per-day", required_argument, 0, 'O'},
        {"ops-queries", required_argument, 0, 'Q'},
        {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 's': opt.sites = atol(optarg); break;
        case 'n': opt.nostrike = atol(optarg); break;
        case 'm': opt.movements = atol(optarg); break;
        case 'u': opt.units = atol(optarg); break;
        case 'q': opt.queries = atol(optarg); break;
        case 'p': opt.pg_queries = atol(optarg); break;
        case 'S': opt.seed = strtoull(optarg, NULL, 0); break;
        case 'd': opt.scenario = optarg; break;
        case 'c': opt.check = 1; break;
        case 'N': opt.no_pg = 1; break;
        case 'E': opt.explain = 1; break;
        case 'H': opt.http_queries = atol(optarg); break;
        case 'h': opt.http_url = optarg; break;
        case 't': opt.http_token = optarg; break;
        case 'o': opt.ops_dir = optarg; break;
        case 'O': opt.ops_per_day = atol(optarg); break;
        case 'Q': opt.ops_queries = atol(optarg); break;
        default: usage();
        }
    }
    if (optind < argc) usage();
    if (opt.nostrike < 0) opt.nostrike = opt.sites / 20;
    if (opt.sites < 0 || opt.movements < 0 || opt.units < 0 || opt.queries < 1) usage();
    if (!opt.seed) opt.seed = 1;
    if (time_parse("2026-01-01T00:00:00Z", &year0) || time_parse("2026-06-01T00:00:00Z", &period0)) die("time_parse");

    load_scenario();
    if (opt.ops_dir) {
        err_t e;
        if (truce_open(&ops_t, opt.ops_dir, 0, &e)) die("--ops %s: %s", opt.ops_dir, e.message);
        have_truce = 1;
    }
    uint64_t g0 = bench_ns();
    generate();
    printf("deconfliction benchmark%s: seed %#llx, data generated in %.2f s\n", opt.check ? " (--check)" : "",
           (unsigned long long)opt.seed, (double)(bench_ns() - g0) / 1e9);
    engine_build();
    project_queries();
    engine_bench();

    if (opt.no_pg) {
        printf("PostGIS: skipped (--no-pg)\n");
    } else if (!getenv("PGCONN")) {
        if (opt.check) die("--check needs PGCONN (bench/pg_check.sh starts a cluster and sets it)");
        printf("PostGIS: skipped (PGCONN is not set; bench/run.sh deconflict starts a cluster)\n");
    } else {
        pg_setup();
        pg_load();
        pg_bench();
        PQfinish(pg);
    }
    if (opt.http_url) {
        if (!opt.http_token) die("--http needs --token");
        http_bench();
    }
    if (have_truce) ops_bench();

    for (long i = 0; i < opt.queries; i++) {
        shape_free(&queries[i].area.shape);
        free(queries[i].v);
    }
    free(queries);
    for (size_t i = 0; i < nobjs; i++) {
        free(objs[i].v);
        free(objs[i].times);
        free(objs[i].pv);
    }
    free(objs);
    if (have_truce) {
        truce_close(&ops_t);
    } else {
        dc_free(dc);
        geo_free(geo);
    }
    json_decref(labels);
    json_decref(boundary);
    return 0;
}
