/*
 * monitor.c — the dashboards and the SITREP of issue 7 at the size:
 * 1,000,000 incidents and 200,000 consignments, "each dashboard query and the
 * SITREP within 100 ms".
 *
 *   build/bench/monitor BASEDIR [INCIDENTS [CONSIGNMENTS]]
 *
 * Environment: BENCH_MON_INCIDENTS [1000000], BENCH_MON_CONSIGNMENTS [200000]
 * (the arguments win), BENCH_MON_REPS [30] (requests per query and reader),
 * BENCH_MON_SCENARIO [scenarios/gaza], BENCH_MON_REPLAY=0 (skip the replay),
 * BENCH_MON_SNAPSHOT=1 (also the snapshot: see 4). At the size:
 * 3 million events, about 4.5 minutes on 2 cores (load 3.5, replay 0.75,
 * the queries a quarter), 10 when the machine is busy, and 12 GB;
 * BENCH_MON_INCIDENTS=100000 BENCH_MON_CONSIGNMENTS=20000 takes under a
 * minute.
 *
 * 1. Load. A fresh data folder BASEDIR/monitor from the Gaza scenario
 *    (truce_open with create + scenario_load, as `truce init`; the accounts'
 *    passwords are hashed with the test parameters, auth_fast_hash). Then a
 *    year of history, one local day after another, through the real log: per
 *    day one command whose prepare() calls incident_prepare_scenario for each
 *    of that day's incidents (the scenario loader's own command: schema and
 *    mission-area checks, the report, its sources' identities, review,
 *    confirmation with attribution and confidence, unconfirmation or
 *    refutation), one whose prepare() calls aid_prepare_scenario for each
 *    consignment with its steps (crossed, offloaded, collected, delivered, or
 *    intercepted linked to an existing incident, or returned), and one that
 *    merges some of the day's duplicate reports. incident.c exports no merge
 *    command, so that prepare() drafts the incident.merged event exactly as
 *    prepare_merge does (body {into, note}, the union of both labels) from a
 *    report still "reported" into one that is neither merged nor refuted.
 *    Eight days go in one log_submit_many (one transaction). The scenario is
 *    loaded with the clock (util_now_ms) a year back, and while a day is
 *    written the clock reads the end of that day, so events carry the times
 *    they would have had (the feed holds the last days only); afterwards it
 *    is the real clock again.
 *    Incidents: a type drawn from the taxonomy (incident_fields), a point
 *    drawn uniformly inside one of the five sectors of
 *    scenarios/gaza/sectors.geojson (rejection sampling in the sector's
 *    bounding box), occurred_at uniform over the day, 0-3 parties (the named
 *    armed groups and ISF contingents, as perpetrator, target or involved),
 *    casualties in 30%, one graded source in 10%; statuses 35% reported, 15%
 *    under review, 30% confirmed, 8% unconfirmed, 7% refuted, 5% of the rest
 *    set aside to be merged; reporters from the ISF, the CMCC, the IDF
 *    liaison and UN-OCHA (5%: what ocha.focal sees beyond confirmed ones).
 *    Consignments: 1-3 trucks from five humanitarian organisations, a
 *    commodity, a crossing, steps 20-120 minutes apart.
 * 2. Memory (VmRSS, VmHWM) after the load.
 * 3. The real HTTP server (log_start + http_start on a free 127.0.0.1 port),
 *    logged in as cmcc.watch (CMCC: sees everything) and ocha.focal
 *    (humanitarian: confirmed incidents and its own reports), each query
 *    REPS times per reader on one keep-alive connection: p50, p99, max in ms
 *    against the 100 ms target, and the size of the answer.
 * 4. Replay: the process execs itself (`monitor --open DIR LABEL`), so its
 *    memory is gone, and truce_open replays the whole log of the folder;
 *    time and VmRSS. The folder is left without truce_close, which would
 *    first write DIR/snapshot (every record as JSON). BENCH_MON_SNAPSHOT=1
 *    also times that close, a start from the snapshot, then the replay.
 *
 * Prints; asserts nothing (bench/README.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sodium.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aid.h"
#include "auth.h"
#include "bench.h"
#include "http.h"
#include "incident.h"
#include "log.h"
#include "org.h"
#include "tz.h"

#define TARGET_MS 100.0
#define DAY_MS (86400LL * 1000)
#define INC_PER_CMD 4000 /* at most 4 drafts each: under CMD_MAX_DRAFTS */
#define CSG_PER_CMD 3000 /* at most 5 drafts each */

/* ---- the clock: the end of the day being written, then the real one ---- */

static int64_t load_clock;

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t bench_clock(void)
{
    return load_clock ? load_clock : real_ms();
}

/* ---- sectors: polygons in lon/lat from the scenario ---- */

typedef struct {
    char id[32];
    double (*pt)[2];
    int n;
    double x0, x1, y0, y1;
} sector_t;

static sector_t sectors[8];
static int nsectors;

static int load_sectors(const char *scenario)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sectors.geojson", scenario);
    json_error_t je;
    json_t *fc = json_load_file(path, 0, &je);
    if (!fc) {
        fprintf(stderr, "monitor: %s: %s\n", path, je.text);
        return -1;
    }
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(fc, "features"), i, f)
    {
        json_t *ring =
            json_array_get(json_object_get(json_object_get(f, "geometry"), "coordinates"), 0);
        if (nsectors == 8 || !json_array_size(ring)) continue;
        sector_t *s = &sectors[nsectors++];
        snprintf(s->id, sizeof s->id, "%s",
                 json_string_value(json_object_get(json_object_get(f, "properties"), "id")));
        s->n = (int)json_array_size(ring);
        s->pt = calloc((size_t)s->n, sizeof *s->pt);
        s->x0 = s->y0 = 1e9;
        s->x1 = s->y1 = -1e9;
        for (int k = 0; k < s->n; k++) {
            json_t *p = json_array_get(ring, (size_t)k);
            s->pt[k][0] = json_number_value(json_array_get(p, 0));
            s->pt[k][1] = json_number_value(json_array_get(p, 1));
            s->x0 = fmin(s->x0, s->pt[k][0]);
            s->x1 = fmax(s->x1, s->pt[k][0]);
            s->y0 = fmin(s->y0, s->pt[k][1]);
            s->y1 = fmax(s->y1, s->pt[k][1]);
        }
    }
    json_decref(fc);
    return nsectors ? 0 : -1;
}

static int inside(const sector_t *s, double x, double y)
{
    int in = 0;
    for (int i = 0, j = s->n - 1; i < s->n; j = i++) {
        double xi = s->pt[i][0], yi = s->pt[i][1], xj = s->pt[j][0], yj = s->pt[j][1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
}

static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static double uni(void)
{
    return (double)(bench_rand(&seed) >> 11) / 9007199254740992.0;
}

static int pick(int n)
{
    return (int)(bench_rand(&seed) % (uint64_t)n);
}

/* A point inside a random sector, kept 0.002 degrees (about 200 m) inside
 * its bounding box so rounding never leaves the mission area. */
static void random_point(double *lon, double *lat, const char **sector)
{
    const sector_t *s = &sectors[pick(nsectors)];
    for (;;) {
        double x = s->x0 + (s->x1 - s->x0) * uni(), y = s->y0 + (s->y1 - s->y0) * uni();
        if (inside(s, x, y) && inside(s, x + 0.002, y) && inside(s, x - 0.002, y) &&
            inside(s, x, y + 0.002) && inside(s, x, y - 0.002)) {
            *lon = round(x * 1e5) / 1e5;
            *lat = round(y * 1e5) / 1e5;
            *sector = s->id;
            return;
        }
    }
}

/* ---- generating a day ---- */

static const char *const groups[] = {"IDF",       "GRP-QASSAM",         "GRP-PIJ",
                                     "GRP-CLANS", "GRP-POPULAR-FORCES", "GRP-OTHER"};
static const char *const forces[] = {"ISF-IDN", "ISF-AZE", "ISF-EGY", "ISF-HQ", "IDF"};
static const char *const roles[] = {"perpetrator", "target", "involved"};
static const char *const reporters[] = {"ISF-IDN", "ISF-AZE", "ISF-EGY", "ISF-HQ",
                                        "CMCC",    "CMCC",    "IDF-LO"};
static const char *const cas_groups[] = {"civilian", "combatant", "isf", "idf", "other"};
static const char *const confs[] = {"low", "medium", "high"};
static const char *const aid_orgs[] = {"UN-WFP", "UNRWA", "WHO", "MSF", "UN-OCHA"};
static const char *const crossings[] = {"XNG-KS",    "XNG-KS",    "XNG-KISSUFIM", "XNG-KISSUFIM",
                                        "XNG-ZIKIM", "XNG-RAFAH", "XNG-EREZ",     "XNG-EREZ-WEST"};
static const char *const *type_ids;
static int ntypes;
static const char *const *commodity_ids;
static int ncommodities;

enum { S_REPORTED, S_REVIEW, S_CONFIRMED, S_UNCONFIRMED, S_REFUTED, S_MERGE };

static void iso(int64_t ms, char out[32])
{
    time_format(ms, out);
}

/* One incident of the local day [d0, d1) (23 or 25 hours at a change of
 * clocks); *st its intended status. */
static json_t *gen_incident(int64_t d0, int64_t d1, int *st)
{
    double lon, lat;
    const char *sector;
    random_point(&lon, &lat, &sector);
    const char *type = type_ids[pick(ntypes)];
    char at[32], title[160];
    iso(d0 + (int64_t)(uni() * (double)(d1 - d0 - 60000)), at);
    snprintf(title, sizeof title, "%s, %s", type, sector);
    double u = uni();
    const char *org =
        u < 0.05 ? "UN-OCHA" : reporters[pick((int)(sizeof reporters / sizeof reporters[0]))];
    json_t *in =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:[f,f]}, s:s}", "org", org, "type", type,
                  "title", title, "occurred_at", at, "time_precision",
                  uni() < 0.8 ? "minute" : "hour", "location", "type", "Point", "coordinates", lon,
                  lat, "location_precision", uni() < 0.7 ? "exact" : "town");
    json_t *parties = json_array(), *perps = json_array();
    int np = pick(4);
    for (int k = 0; k < np; k++) {
        const char *role = roles[k == 0 ? 0 : pick(3)];
        const char *p = !strcmp(role, "target") ? forces[pick(5)] : groups[pick(6)];
        int dup = 0;
        size_t i;
        json_t *x;
        json_array_foreach(parties, i, x) dup |=
            !strcmp(json_string_value(json_object_get(x, "party")), p);
        if (dup) continue;
        json_array_append_new(parties, json_pack("{s:s, s:s}", "party", p, "role", role));
        if (!strcmp(role, "perpetrator")) json_array_append_new(perps, json_string(p));
    }
    if (json_array_size(parties))
        json_object_set_new(in, "parties", parties);
    else
        json_decref(parties);
    if (uni() < 0.3) {
        json_t *k = json_object(), *i = json_object();
        if (uni() < 0.5) json_object_set_new(k, cas_groups[pick(5)], json_integer(1 + pick(4)));
        json_object_set_new(i, cas_groups[pick(5)], json_integer(1 + pick(8)));
        json_object_set_new(in, "casualties", json_pack("{s:o, s:o}", "killed", k, "injured", i));
    }
    if (uni() < 0.1) {
        char name[48];
        snprintf(name, sizeof name, "Patrol %d-%d", 1 + pick(9), 1 + pick(9));
        json_object_set_new(in, "sources",
                            json_pack("[{s:s, s:s, s:s, s:s}]", "kind", "isf_patrol", "name", name,
                                      "reliability", "B", "credibility", "2"));
    }
    u = uni();
    *st = u < 0.35   ? S_REPORTED
          : u < 0.50 ? S_REVIEW
          : u < 0.80 ? S_CONFIRMED
          : u < 0.88 ? S_UNCONFIRMED
          : u < 0.95 ? S_REFUTED
                     : S_MERGE;
    if (*st == S_CONFIRMED || *st == S_UNCONFIRMED) {
        json_object_set_new(in, "status",
                            json_string(*st == S_CONFIRMED ? "confirmed" : "unconfirmed"));
        if (*st == S_CONFIRMED || uni() < 0.5) {
            json_object_set_new(in, "attribution",
                                json_array_size(perps) ? json_incref(perps)
                                                       : json_pack("[s]", "UNKNOWN"));
            json_object_set_new(in, "confidence", json_string(confs[pick(3)]));
        }
    } else if (*st == S_REVIEW) {
        json_object_set_new(in, "status", json_string("under_review"));
    } else if (*st == S_REFUTED) {
        json_object_set_new(in, "status", json_string("refuted"));
    }
    json_decref(perps);
    return in;
}

/* One consignment reaching the perimeter on the day [d0, d0 + DAY_MS): at in
 * its first 12 hours, each step 20-120 minutes after the one before. */
static json_t *gen_consignment(int64_t d0)
{
    int trucks = 1 + pick(3);
    int64_t at = d0 + (int64_t)(uni() * 12 * 3600000.0);
    char ats[32];
    iso(at, ats);
    json_t *in =
        json_pack("{s:s, s:s, s:i, s:f, s:s, s:s}", "org", aid_orgs[pick(5)], "commodity",
                  commodity_ids[pick(ncommodities)], "trucks", trucks, "tonnes",
                  round(trucks * (12 + 10 * uni()) * 10) / 10, "crossing",
                  crossings[pick((int)(sizeof crossings / sizeof crossings[0]))], "at", ats);
    json_t *steps = json_array();
    double u = uni();
    /* the last step: 0 none, 1 returned at the perimeter, then along the chain */
    int nsteps = u < 0.04 ? 0 : u < 0.06 ? -1 : u < 0.16 ? 1 : u < 0.26 ? 2 : u < 0.36 ? 3 : 4;
    int intercept = nsteps >= 2 && uni() < 0.08, ret = nsteps >= 2 && !intercept && uni() < 0.03;
    static const char *const chain[] = {"crossed", "offloaded", "collected", "delivered"};
    if (nsteps < 0) {
        at += (20 + pick(100)) * 60000LL;
        iso(at, ats);
        json_array_append_new(steps, json_pack("{s:s, s:s, s:s}", "status", "returned", "at", ats,
                                               "note", "closed crossing"));
    }
    for (int k = 0; k < nsteps; k++) {
        at += (20 + pick(100)) * 60000LL;
        iso(at, ats);
        if (k == nsteps - 1 && intercept) {
            /* the incident (one already written) is drawn when the command runs */
            json_array_append_new(steps,
                                  json_pack("{s:s, s:s, s:s, s:s}", "status", "intercepted", "at",
                                            ats, "manner", uni() < 0.5 ? "peaceful" : "by_force",
                                            "incident", "INC-1"));
        } else if (k == nsteps - 1 && ret && k < 3) {
            json_array_append_new(steps, json_pack("{s:s, s:s, s:s}", "status", "returned", "at",
                                                   ats, "note", "refused"));
        } else {
            json_array_append_new(steps, json_pack("{s:s, s:s}", "status", chain[k], "at", ats));
        }
    }
    json_object_set_new(in, "steps", steps);
    return in;
}

/* ---- the commands of a day ---- */

/* The arguments of one command: incidents or consignments to write (their
 * inputs), or the merges among the incidents of an earlier command. */
typedef struct batch batch_t;
struct batch {
    json_t **items;
    int *st; /* incidents: the intended status of each */
    size_t n;
    int64_t clock;     /* what util_now_ms reads while it runs */
    uint64_t first;    /* incidents: the number of the first, once prepared */
    const batch_t *of; /* merges: the incidents command they read */
    long merged;
};

static int prepare_incidents(truce_t *t, cmd_t *c, err_t *e)
{
    batch_t *b = c->arg;
    load_clock = b->clock;
    b->first = incident_last(t) + 1;
    int rc = 0;
    for (size_t i = 0; i < b->n && !rc; i++) {
        c->arg = b->items[i];
        rc = incident_prepare_scenario(t, c, e);
    }
    c->arg = b;
    return rc;
}

static int prepare_consignments(truce_t *t, cmd_t *c, err_t *e)
{
    batch_t *b = c->arg;
    load_clock = b->clock;
    int rc = 0;
    for (size_t i = 0; i < b->n && !rc; i++) {
        /* an interception names an incident already written */
        json_t *last = json_array_get(json_object_get(b->items[i], "steps"),
                                      json_array_size(json_object_get(b->items[i], "steps")) - 1);
        if (json_object_get(last, "incident")) {
            char inc[32];
            snprintf(inc, sizeof inc, "INC-%llu",
                     (unsigned long long)(1 + bench_rand(&seed) % incident_last(t)));
            json_object_set_new(last, "incident", json_string(inc));
        }
        c->arg = b->items[i];
        rc = aid_prepare_scenario(t, c, e);
    }
    c->arg = b;
    return rc;
}

static json_t *labels_union(const json_t *a, const json_t *b)
{
    json_t *l = json_deep_copy(a);
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(b, i, x)
    {
        int have = 0;
        json_array_foreach(l, j, y) have |= json_equal(x, y);
        if (!have) json_array_append(l, x);
    }
    return l;
}

/* Each report of the incidents command set aside for merging (still
 * "reported") is merged into another of that command that is neither merged
 * nor refuted: incident.merged as prepare_merge (incident.c) drafts it. */
static int prepare_merges(truce_t *t, cmd_t *c, err_t *e)
{
    batch_t *m = c->arg;
    const batch_t *b = m->of;
    load_clock = m->clock;
    size_t ntargets = 0;
    for (size_t i = 0; i < b->n; i++)
        ntargets += b->st[i] != S_MERGE && b->st[i] != S_REFUTED;
    for (size_t i = 0; i < b->n && ntargets; i++) {
        if (b->st[i] != S_MERGE) continue;
        size_t k = bench_rand(&seed) % ntargets, j = 0;
        for (;; j++)
            if (b->st[j] != S_MERGE && b->st[j] != S_REFUTED && k-- == 0) break;
        char from[32], into[32];
        snprintf(from, sizeof from, "INC-%llu", (unsigned long long)(b->first + i));
        snprintf(into, sizeof into, "INC-%llu", (unsigned long long)(b->first + j));
        json_t *la = incident_labels(t, from), *lb = incident_labels(t, into);
        if (!la || !lb) return err_set(e, E_NOT_FOUND, "into", "no %s or %s", from, into);
        if (cmd_draft(c, "incident.merged", from, labels_union(la, lb),
                      json_pack("{s:s, s:s}", "into", into, "note", "duplicate report"), e))
            return -1;
        m->merged++;
    }
    return 0;
}

/* Days written per transaction (log_submit_many: prepared and applied one
 * command after another, committed once). */
#define DAYS_PER_BATCH 8

/* Writes the year: ninc incidents and ncsg consignments over the 365 local
 * days before today, day after day. The scenario was loaded with the clock
 * a year back. */
static int load_year(truce_t *t, int32_t today, long ninc, long ncsg, long *merged_out)
{
    const char *zone = "Asia/Gaza";
    long done_inc = 0, done_csg = 0, merged = 0;
    int rc = 0;
    for (int k0 = 0; k0 < 365 && !rc; k0 += DAYS_PER_BATCH) {
        cmd_t *cmds[3 * DAYS_PER_BATCH * 64];
        batch_t *args[3 * DAYS_PER_BATCH * 64];
        int nc = 0;
        for (int k = k0; k < k0 + DAYS_PER_BATCH && k < 365; k++) {
            int32_t day = today - 365 + k;
            /* each day's events are sealed at its end */
            int64_t d0 = tz_day_start(zone, day), clock = tz_day_start(zone, day + 1);
            long want_inc = ninc * (k + 1) / 365 - done_inc,
                 want_csg = ncsg * (k + 1) / 365 - done_csg;
            while ((want_inc > 0 || want_csg > 0) &&
                   nc + 3 <= (int)(sizeof cmds / sizeof cmds[0])) {
                if (want_inc > 0) {
                    size_t n = (size_t)(want_inc < INC_PER_CMD ? want_inc : INC_PER_CMD);
                    batch_t *b = calloc(1, sizeof *b), *m = calloc(1, sizeof *m);
                    b->items = calloc(n, sizeof *b->items);
                    b->st = calloc(n, sizeof *b->st);
                    b->n = n;
                    b->clock = m->clock = clock;
                    m->of = b;
                    for (size_t i = 0; i < n; i++)
                        b->items[i] = gen_incident(d0, clock, &b->st[i]);
                    args[nc] = b;
                    cmds[nc] = calloc(1, sizeof *cmds[nc]);
                    cmds[nc]->prepare = prepare_incidents;
                    cmds[nc]->arg = b;
                    nc++;
                    args[nc] = m;
                    cmds[nc] = calloc(1, sizeof *cmds[nc]);
                    cmds[nc]->prepare = prepare_merges;
                    cmds[nc]->arg = m;
                    nc++;
                    done_inc += (long)n;
                    want_inc -= (long)n;
                }
                if (want_csg > 0) {
                    size_t n = (size_t)(want_csg < CSG_PER_CMD ? want_csg : CSG_PER_CMD);
                    batch_t *b = calloc(1, sizeof *b);
                    b->items = calloc(n, sizeof *b->items);
                    b->n = n;
                    b->clock = clock;
                    for (size_t i = 0; i < n; i++)
                        b->items[i] = gen_consignment(d0);
                    args[nc] = b;
                    cmds[nc] = calloc(1, sizeof *cmds[nc]);
                    cmds[nc]->prepare = prepare_consignments;
                    cmds[nc]->arg = b;
                    nc++;
                    done_csg += (long)n;
                    want_csg -= (long)n;
                }
            }
        }
        if (nc && log_submit_many(t, cmds, nc)) {
            for (int i = 0; i < nc; i++)
                if (cmds[i]->err.code) {
                    fprintf(stderr, "monitor: a command was refused: %s (%s)\n",
                            cmds[i]->err.message, cmds[i]->err.field);
                    break;
                }
            rc = -1;
        }
        for (int i = 0; i < nc; i++) {
            merged += args[i]->merged;
            for (size_t j = 0; j < args[i]->n; j++)
                json_decref(args[i]->items[j]);
            free(args[i]->items);
            free(args[i]->st);
            free(args[i]);
            free(cmds[i]);
        }
        if ((k0 / DAYS_PER_BATCH) % 9 == 8)
            fprintf(stderr, "  ... day %d of 365: %ld incidents, %ld consignments, %llu events\n",
                    k0 + DAYS_PER_BATCH, done_inc, done_csg, (unsigned long long)log_durable(t));
    }
    *merged_out = merged;
    return rc;
}

/* ---- a keep-alive HTTP client ---- */

typedef struct {
    int port, fd;
    buf_t in;
} client_t;

static int cl_connect(client_t *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a)) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return 0;
}

static void cl_close(client_t *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static ssize_t cl_read(client_t *c)
{
    if (buf_reserve(&c->in, 1 << 16)) return -1;
    for (;;) {
        ssize_t r = recv(c->fd, c->in.data + c->in.len, 1 << 16, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r > 0) {
            c->in.len += (size_t)r;
            c->in.data[c->in.len] = 0;
        }
        return r;
    }
}

/* One request; the status, and the body at *body (in c->in, until the next
 * call) of *blen bytes. -1 on a transport error. */
static int cl_do(client_t *c, const char *method, const char *path, const char *token,
                 const char *body, const char **out, size_t *outlen)
{
    char head[2048];
    int hn = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s%s%sContent-Type: "
                      "application/json\r\nContent-Length: %zu\r\n\r\n",
                      method, path, c->port, token ? "Authorization: Bearer " : "",
                      token ? token : "", token ? "\r\n" : "", body ? strlen(body) : 0);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && cl_connect(c)) return -1;
        buf_reset(&c->in);
        if (send(c->fd, head, (size_t)hn, MSG_NOSIGNAL) != hn ||
            (body && send(c->fd, body, strlen(body), MSG_NOSIGNAL) != (ssize_t)strlen(body))) {
            cl_close(c);
            continue;
        }
        char *end;
        ssize_t r = 1;
        while (!(end = strstr(c->in.data, "\r\n\r\n")) && (r = cl_read(c)) > 0) {
        }
        if (!end) {
            cl_close(c);
            if (c->in.len == 0) continue; /* the server closed an idle connection */
            return -1;
        }
        int status = 0;
        if (sscanf(c->in.data, "HTTP/1.%*d %d", &status) != 1) return -1;
        size_t hlen = (size_t)(end - c->in.data) + 4, clen = 0;
        int have_len = 0, closing = 0;
        for (char *l = c->in.data; l < end; l = strstr(l, "\r\n") + 2) {
            if (!strncasecmp(l, "Content-Length:", 15))
                clen = strtoull(l + 15, NULL, 10), have_len = 1;
            if (!strncasecmp(l, "Connection: close", 17)) closing = 1;
        }
        if (!have_len) {
            /* chunked or to the end: read to the end (the server closes) */
            while (cl_read(c) > 0) {
            }
            clen = c->in.len - hlen;
            closing = 1;
        }
        while (c->in.len < hlen + clen)
            if (cl_read(c) <= 0) return -1;
        *out = c->in.data + hlen;
        *outlen = clen;
        if (closing) cl_close(c);
        return status;
    }
    return -1;
}

static int login(client_t *c, const char *user, const char *pw, char tok[80])
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
    const char *out;
    size_t n;
    if (cl_do(c, "POST", "/api/v1/session", NULL, body, &out, &n) != 201) return -1;
    json_t *j = json_loadb(out, n, 0, NULL);
    const char *t = json_string_value(json_object_get(j, "token"));
    if (t) snprintf(tok, 80, "%s", t);
    json_decref(j);
    return t ? 0 : -1;
}

/* ---- the queries ---- */

typedef struct {
    const char *what;
    char path[256];
} query_t;

/* A figure from an answer, to show the work was done. */
static void figure(const char *path, const char *body, size_t n, char *out, size_t cap)
{
    out[0] = 0;
    if (strstr(path, "format=html")) {
        snprintf(out, cap, "html");
        return;
    }
    json_t *j = json_loadb(body, n, 0, NULL);
    if (!j) {
        snprintf(out, cap, "not JSON");
        return;
    }
    if (strstr(path, "/stats/violations")) {
        long c = 0, u = 0;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(json_object_get(j, "confirmed"), "total"), i, v) c +=
            (long)json_integer_value(v);
        json_array_foreach(json_object_get(json_object_get(j, "unconfirmed"), "total"), i, v) u +=
            (long)json_integer_value(v);
        snprintf(out, cap,
                 "%zu days, %zu parties, %ld confirmed + %ld unconfirmed party-violations",
                 json_array_size(json_object_get(j, "days")),
                 json_array_size(json_object_get(j, "parties")), c, u);
    } else if (strstr(path, "/stats/incidents")) {
        long c = 0, u = 0, r = 0, k = 0;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "rows"), i, v)
        {
            c += (long)json_integer_value(json_object_get(v, "confirmed"));
            u += (long)json_integer_value(json_object_get(v, "unconfirmed"));
            r += (long)json_integer_value(json_object_get(v, "refuted"));
            k += (long)json_integer_value(json_object_get(v, "killed"));
        }
        snprintf(out, cap, "%zu rows: %ld confirmed, %ld unconfirmed, %ld refuted, %ld killed",
                 json_array_size(json_object_get(j, "rows")), c, u, r, k);
    } else if (strstr(path, "/stats/aid")) {
        long tr = 0;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "total_trucks"), i, v) tr +=
            (long)json_integer_value(v);
        json_t *rate = json_object_get(j, "interception_rate");
        snprintf(out, cap,
                 "%zu days, %ld trucks, interception rate %.3f (trucks %.3f), %lld delivered",
                 json_array_size(json_object_get(j, "days")), tr,
                 json_number_value(json_object_get(rate, "consignments")),
                 json_number_value(json_object_get(rate, "trucks")),
                 (long long)json_integer_value(json_object_get(j, "delivered")));
    } else if (strstr(path, "/stats/feed")) {
        snprintf(out, cap, "%zu items", json_array_size(json_object_get(j, "items")));
    } else if (strstr(path, "/reports/sitrep")) {
        json_t *s = json_object_get(j, "summary");
        snprintf(out, cap,
                 "%lld incidents, %lld confirmed, %lld violations, %lld killed, %lld trucks, %zu "
                 "significant%s",
                 (long long)json_integer_value(json_object_get(s, "incidents")),
                 (long long)json_integer_value(json_object_get(s, "confirmed")),
                 (long long)json_integer_value(json_object_get(s, "violations")),
                 (long long)json_integer_value(json_object_get(s, "killed")),
                 (long long)json_integer_value(json_object_get(s, "trucks")),
                 json_array_size(json_object_get(j, "significant_incidents")),
                 json_object_get(j, "operations") ? ", operations" : "");
    } else if (json_object_get(j, "features")) {
        snprintf(out, cap, "%zu features", json_array_size(json_object_get(j, "features")));
    } else if (json_object_get(j, "incidents")) {
        snprintf(out, cap, "%zu incidents", json_array_size(json_object_get(j, "incidents")));
    }
    json_decref(j);
}

static int run_queries(client_t *c, const char *reader, const char *token, const query_t *q, int nq,
                       int reps, int *met, int *total)
{
    uint64_t *lat = calloc((size_t)reps, sizeof *lat);
    if (!lat) return -1;
    for (int k = 0; k < nq; k++) {
        const char *out = NULL;
        size_t n = 0;
        int status = 0;
        char fig[300] = "";
        size_t bytes = 0;
        for (int i = 0; i < reps; i++) {
            uint64_t t0 = bench_ns();
            status = cl_do(c, "GET", q[k].path, token, NULL, &out, &n);
            lat[i] = bench_ns() - t0;
            if (status != 200) break;
            if (i == 0) {
                bytes = n;
                figure(q[k].path, out, n, fig, sizeof fig);
            }
        }
        if (status != 200) {
            printf("  %-11s %-44s FAILED: status %d %.200s\n", reader, q[k].what, status,
                   out ? out : "");
            (*total)++;
            continue;
        }
        double p50 = bench_pct(lat, (size_t)reps, 50) / 1e6,
               p99 = bench_pct(lat, (size_t)reps, 99) / 1e6,
               mx = bench_pct(lat, (size_t)reps, 100) / 1e6;
        int ok = p99 <= TARGET_MS;
        *met += ok;
        (*total)++;
        printf("  %-11s %-44s p50 %7.2f  p99 %7.2f  max %7.2f ms  %8zu B  [target <= 100 ms (p99): "
               "%s]  %s\n",
               reader, q[k].what, p50, p99, mx, bytes, ok ? "MET" : "MISSED", fig);
        fflush(stdout);
    }
    free(lat);
    return 0;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) {
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static const char *password_of(const json_t *accounts, const char *user)
{
    size_t i;
    json_t *a;
    json_array_foreach(
        accounts, i, a) if (!strcmp(json_string_value(json_object_get(a, "username")),
                                    user)) return json_string_value(json_object_get(a, "password"));
    return NULL;
}

/* ---- opening the folder again, in a fresh process image ---- */

/* `monitor --open DIR LABEL [then-replay]`: truce_open on DIR, timed, with
 * the memory it takes; then-replay: remove DIR/snapshot and do it again.
 * Exits without truce_close, which would write a snapshot. */
static int open_again(int argc, char **argv)
{
    const char *dir = argv[2], *label = argv[3];
    truce_t t;
    err_t e = {0};
    uint64_t t0 = bench_ns();
    int rc = truce_open(&t, dir, 0, &e);
    double s = (bench_ns() - t0) / 1e9;
    if (rc) {
        printf("%s: truce_open failed: %s\n", label, e.message);
        return 1;
    }
    printf("%s: truce_open %.1f s for %llu events (%.1f s per million events), VmRSS %ld MB, VmHWM "
           "%ld MB\n",
           label, s, (unsigned long long)t.applied_seq,
           t.applied_seq ? s * 1e6 / (double)t.applied_seq : 0.0, bench_status_kb("VmRSS") / 1024,
           bench_status_kb("VmHWM") / 1024);
    fflush(stdout);
    if (argc > 4 && !strcmp(argv[4], "then-replay")) {
        char snap[4200];
        snprintf(snap, sizeof snap, "%s/snapshot", dir);
        unlink(snap);
        char *args[] = {argv[0], "--open", (char *)dir, "replay of the whole log (fresh process)",
                        NULL};
        execv("/proc/self/exe", args);
        printf("monitor: cannot exec itself: %s\n", strerror(errno));
        return 1;
    }
    _exit(0);
}

static long env_long(const char *name, long def)
{
    const char *s = getenv(name);
    return s && *s ? strtol(s, NULL, 10) : def;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: monitor BASEDIR [INCIDENTS [CONSIGNMENTS]]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 4 && !strcmp(argv[1], "--open")) return open_again(argc, argv);
    long ninc = argc > 2 ? strtol(argv[2], NULL, 10) : env_long("BENCH_MON_INCIDENTS", 1000000);
    long ncsg = argc > 3 ? strtol(argv[3], NULL, 10) : env_long("BENCH_MON_CONSIGNMENTS", 200000);
    int reps = (int)env_long("BENCH_MON_REPS", 30);
    const char *scenario =
        getenv("BENCH_MON_SCENARIO") ? getenv("BENCH_MON_SCENARIO") : "scenarios/gaza";
    if (ninc < 1 || ncsg < 1 || reps < 1) {
        fprintf(stderr, "monitor: sizes must be positive\n");
        return 2;
    }
    if (sodium_init() < 0 || load_sectors(scenario)) return 1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/monitor", argv[1]);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        fprintf(stderr, "monitor: cannot create %s\n", dir);
        return 1;
    }
    char db[4200];
    snprintf(db, sizeof db, "%s/truce.db", dir);
    if (access(db, F_OK) == 0) {
        fprintf(stderr, "monitor: %s already holds a store\n", dir);
        return 1;
    }
    auth_fast_hash = 1;
    util_now_ms = bench_clock;
    signal(SIGPIPE, SIG_IGN);

    printf("monitor: %ld incidents and %ld consignments over the last 365 days into %s\n", ninc,
           ncsg, dir);
    truce_t t;
    err_t e = {0};
    json_t *accounts = NULL;
    uint64_t t0 = bench_ns();
    /* The scenario a year back, so the year's events come after it in time. */
    int32_t today = tz_day("Asia/Gaza", real_ms());
    load_clock = tz_day_start("Asia/Gaza", today - 366);
    if (truce_open(&t, dir, 1, &e) || scenario_load(&t, scenario, &accounts, &e)) {
        fprintf(stderr, "monitor: init: %s (%s)\n", e.message, e.field);
        return 1;
    }
    /* The taxonomy as the schema lists it (filled when the module starts). */
    type_ids = incident_fields[0].enumv;
    for (ntypes = 0; type_ids[ntypes]; ntypes++) {
    }
    commodity_ids = consignment_fields[1].enumv;
    for (ncommodities = 0; commodity_ids[ncommodities]; ncommodities++) {
    }
    if (!ntypes || !ncommodities) {
        fprintf(stderr, "monitor: no incident types or commodities\n");
        return 1;
    }
    long merged = 0;
    if (load_year(&t, today, ninc, ncsg, &merged)) return 1;
    load_clock = 0;
    uint64_t events = log_durable(&t);
    double load_s = (bench_ns() - t0) / 1e9;
    printf("load: %llu incidents (%ld merged into others) and %ld consignments, %llu events, in "
           "%.1f s (%.0f events/s)\n",
           (unsigned long long)incident_last(&t), merged, ncsg, (unsigned long long)events, load_s,
           (double)events / load_s);
    printf("memory after load: VmRSS %ld MB, VmHWM %ld MB\n", bench_status_kb("VmRSS") / 1024,
           bench_status_kb("VmHWM") / 1024);

    /* The server. */
    if (log_start(&t)) return 1;
    int port = -1;
    for (int attempt = 0; attempt < 10 && port < 0; attempt++) {
        port = free_port();
        if (port > 0 && http_start(&t, "127.0.0.1", port, &e)) {
            http_stop(&t);
            port = -1;
        }
    }
    if (port < 0) {
        fprintf(stderr, "monitor: http_start: %s\n", e.message);
        return 1;
    }
    client_t c = {.port = port, .fd = -1};
    buf_init(&c.in);
    char cmcc[80], ocha[80];
    const char *pw1 = password_of(accounts, "cmcc.watch"),
               *pw2 = password_of(accounts, "ocha.focal");
    if (!pw1 || !pw2 || login(&c, "cmcc.watch", pw1, cmcc) || login(&c, "ocha.focal", pw2, ocha)) {
        fprintf(stderr, "monitor: cannot log in\n");
        return 1;
    }
    char d_today[11], d_from[11], d_yday[11], d_week[11];
    tz_date_format(today, d_today);
    tz_date_format(today - 365, d_from);
    tz_date_format(today - 1, d_yday);
    tz_date_format(today - 8, d_week);
    query_t q[16];
    int nq = 0;
#define Q(w, ...)                                                                                  \
    do {                                                                                           \
        q[nq].what = w;                                                                            \
        snprintf(q[nq].path, sizeof q[nq].path, __VA_ARGS__);                                      \
        nq++;                                                                                      \
    } while (0)
    Q("stats/violations (30 days)", "/api/v1/stats/violations");
    Q("stats/violations (366 days)", "/api/v1/stats/violations?from=%s&until=%s", d_from, d_today);
    Q("stats/incidents?by=sector (30 days)", "/api/v1/stats/incidents?by=sector");
    Q("stats/incidents?by=type (30 days)", "/api/v1/stats/incidents?by=type");
    Q("stats/incidents?by=sector (366 days)", "/api/v1/stats/incidents?by=sector&from=%s&until=%s",
      d_from, d_today);
    Q("stats/aid (30 days)", "/api/v1/stats/aid");
    Q("stats/aid (366 days)", "/api/v1/stats/aid?from=%s&until=%s", d_from, d_today);
    Q("stats/feed?hours=48", "/api/v1/stats/feed?hours=48");
    Q("reports/sitrep (json, yesterday)", "/api/v1/reports/sitrep?date=%s&format=json", d_yday);
    Q("reports/sitrep (html, yesterday)", "/api/v1/reports/sitrep?date=%s&format=html", d_yday);
    Q("incidents?limit=100", "/api/v1/incidents?limit=100");
    Q("incidents geojson, one day (map layer)",
      "/api/v1/incidents?format=geojson&since=%s&until=%s", d_week, d_week);
#undef Q
    printf("HTTP on 127.0.0.1:%d, %d requests per query and reader on one keep-alive connection; "
           "today is %s (Asia/Gaza)\n",
           port, reps, d_today);
    int met = 0, total = 0;
    uint64_t q0 = bench_ns();
    run_queries(&c, "cmcc.watch", cmcc, q, nq, reps, &met, &total);
    run_queries(&c, "ocha.focal", ocha, q, nq, reps, &met, &total);
    printf("queries: %d of %d meet p99 <= 100 ms (%.1f s of requests)\n", met, total,
           (bench_ns() - q0) / 1e9);
    cl_close(&c);
    buf_release(&c.in);
    http_stop(&t);
    log_stop(&t);

    /* Replay: the folder opened again in a fresh process image (exec, so
     * this one's memory is gone first). By default without truce_close: it
     * would write DIR/snapshot (JSON of every record) first, and a start
     * then reads that instead of the log. BENCH_MON_SNAPSHOT=1 times the
     * close, the start from the snapshot, then the replay. */
    if (!env_long("BENCH_MON_REPLAY", 1)) _exit(0);
    char self[16] = "monitor", op[] = "--open";
    if (env_long("BENCH_MON_SNAPSHOT", 0)) {
        uint64_t c0 = bench_ns();
        truce_close(&t);
        printf("truce_close (writes DIR/snapshot): %.1f s\n", (bench_ns() - c0) / 1e9);
        char label[] = "start from the snapshot (fresh process)", then[] = "then-replay";
        char *args[] = {self, op, dir, label, then, NULL};
        fflush(stdout);
        execv("/proc/self/exe", args);
    } else {
        char label[] = "replay of the whole log (fresh process)";
        char *args[] = {self, op, dir, label, NULL};
        fflush(stdout);
        execv("/proc/self/exe", args);
    }
    printf("monitor: cannot exec itself: %s\n", strerror(errno));
    return 1;
}
