/*
 * notify.c — see notify.h. Sites and the no-strike list share one code path
 * ("places", told apart by a type row); movements and unit positions have
 * their own. Handlers check input on the request thread (schema, geometry,
 * times), commands check it against state on the writer thread (existence,
 * transitions, duplicates) and draft the events; apply functions project the
 * events into records and into the deconfliction engine.
 */
#include "notify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "deconflict.h"
#include "isf.h"
#include "ops.h"
#include "log.h"
#include "csv.h"
#include "org.h"
#include "record.h"

#define DAY_MS (86400LL * 1000)
#define MAX_CHECK_MS (31 * DAY_MS)
#define MAX_ROUTE 200
#define IMPORT_MAX_ROWS 5000
#define IMPORT_MAX_BYTES (4u << 20)
#define MAX_KEPT 50 /* conflicts kept on a record (the nearest; a movement: the first along its route) */

struct notify_state {
    geo_t *geo;
    json_t *center, *area;      /* what geo was made from (for snapshots) */
    dc_t *dc;
    json_t *settings;           /* mission.settings (own reference) */
    json_t *places[2];          /* SITE-n, NSL-n: id -> record */
    json_t *movements, *units;  /* id -> record */
    uint64_t last[3];           /* last number given: sites, no-strike, movements */
    json_t *labelsets;          /* interned label arrays */
};

static notify_state_t *NS(truce_t *t)
{
    return t->notify;
}

/* ---- places: the rows that tell sites and the no-strike list apart ---- */

enum { PL_SITE, PL_NSL };
static const char *const site_categories[] = {"health_facility", "shelter_school", "warehouse",
                                              "distribution_point", "water_sanitation", "bakery_kitchen",
                                              "office", "staff_residence", "other", NULL};
static const char *const nostrike_categories[] = {"hospital", "clinic", "water_works", "sanitation", "power",
                                                  "telecom", "school", "religious", "cultural_heritage",
                                                  "shelter", "other", NULL};
static const struct {
    const char *name;     /* event kind prefix, sharing and protection key */
    const char *prefix;   /* id prefix */
    int dc_kind;
    const char *const *categories;
    const char *collection;
} ptype[2] = {
    {"site", "SITE", DC_SITE, site_categories, "sites"},
    {"nostrike", "NSL", DC_NOSTRIKE, nostrike_categories, "nostrike"},
};

static const char *const movement_states[] = {"submitted", "acknowledged", "facilitated",
                                              "partially_facilitated", "impeded", "denied", "postponed",
                                              "cancelled", "completed", NULL};

/* ---- settings ---- */

static double setting_num(truce_t *t, const char *key, double def)
{
    json_t *v = json_object_get(NS(t)->settings, key);
    return json_is_number(v) ? json_number_value(v) : def;
}

static double protection(truce_t *t, const char *kind, const char *category)
{
    static const struct {
        const char *kind;
        double m;
    } defaults[] = {{"site", 150}, {"nostrike", 300}, {"movement", 200}, {"unit", 300}, {"operation", 0}};
    json_t *p = json_object_get(json_object_get(NS(t)->settings, "protection_m"), kind);
    if (json_is_number(p)) return json_number_value(p);
    json_t *c = category ? json_object_get(p, category) : NULL;
    if (json_is_number(c)) return json_number_value(c);
    if (json_is_number(json_object_get(p, "other"))) return json_number_value(json_object_get(p, "other"));
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (strcmp(defaults[i].kind, kind) == 0) return defaults[i].m;
    return 0;
}

/* The labels of a record of this kind for organisation org: the scenario's
 * sharing row, plus the organisation itself. New reference. */
static json_t *sharing(truce_t *t, const char *kind, const char *org)
{
    static const char *const def_share[] = {"org:CMCC", "role:idf_liaison", "role:isf_hq", NULL};
    json_t *row = json_object_get(json_object_get(NS(t)->settings, "sharing"), kind);
    json_t *out = json_array();
    if (json_is_array(row)) {
        size_t i;
        json_t *l;
        json_array_foreach(row, i, l) if (json_is_string(l)) json_array_append(out, l);
    } else if (strcmp(kind, "detail") == 0) {
        json_array_append_new(out, json_string("org:CMCC"));
    } else {
        for (int i = 0; def_share[i]; i++) json_array_append_new(out, json_string(def_share[i]));
    }
    if (org && *org) {
        char own[80];
        snprintf(own, sizeof own, "org:%s", org);
        size_t i;
        json_t *l;
        int has = 0;
        json_array_foreach(out, i, l) has |= strcmp(json_string_value(l), own) == 0;
        if (!has) json_array_append_new(out, json_string(own));
    }
    return out;
}

/* ---- small helpers ---- */

static uint64_t id_number(const char *id, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(id, prefix, n) || id[n] != '-') return 0;
    char *end;
    unsigned long long v = strtoull(id + n + 1, &end, 10);
    return *end ? 0 : v;
}

/* The caller's organisation, or for the system (the scenario) the one the
 * record names. */
static const char *org_of(const cmd_t *c, const json_t *in)
{
    return c->who ? c->who->org : (rec_str(in, "org") ? rec_str(in, "org") : "CMCC");
}

/* ---- the deconfliction side of records ---- */

static int place_to_dc(truce_t *t, int type, const char *id, json_t *rec)
{
    notify_state_t *ns = NS(t);
    err_t e;
    dc_object_t o = {.kind = ptype[type].dc_kind, .id = id, .category = rec_str(rec, "category"),
                     .protection_m = protection(t, ptype[type].name, rec_str(rec, "category")),
                     .t0 = rec_time(rec, "valid_from"), .t1 = rec_time(rec, "valid_until"),
                     .labels = json_object_get(rec, "_labels")};
    if (!ns->geo || geo_shape_from_json(ns->geo, json_object_get(rec, "geometry"), 1 << SH_POINT | 1 << SH_POLY,
                                        "geometry", &o.shape, &e))
        return -1;
    return dc_put(ns->dc, &o);
}

/* Planned times of a movement, in ms, one per vertex; malloc'd. */
static int64_t *movement_times(const json_t *rec, int *n)
{
    json_t *a = json_object_get(rec, "times");
    *n = (int)json_array_size(a);
    int64_t *t = malloc((size_t)(*n ? *n : 1) * sizeof *t);
    if (!t) abort();
    for (int i = 0; i < *n; i++) time_parse(json_string_value(json_array_get(a, (size_t)i)), &t[i]);
    return t;
}

static int movement_to_dc(truce_t *t, const char *id, json_t *rec)
{
    notify_state_t *ns = NS(t);
    err_t e;
    int n;
    int64_t *times = movement_times(rec, &n);
    dc_object_t o = {.kind = DC_MOVEMENT, .id = id, .category = "", .protection_m = protection(t, "movement", NULL),
                     .times = times, .t0 = n ? times[0] : 0, .t1 = n ? times[n - 1] : 0,
                     .labels = json_object_get(rec, "_labels")};
    int rc = -1;
    if (ns->geo && !geo_shape_from_json(ns->geo, json_object_get(rec, "route"), 1 << SH_LINE, "route", &o.shape, &e) &&
        o.shape.n == n)
        rc = dc_put(ns->dc, &o);
    else
        shape_free(&o.shape);
    free(times);
    return rc;
}

/* The objects a record conflicts with when it is notified or changed: its own
 * shape and times against everything, within its own protection distance.
 * Kept on the record (system view; filtered per reader on the way out). */
static void record_conflicts(truce_t *t, json_t *rec, int kind, const char *id, const char *geom_key,
                             double own_protection, int64_t from, int64_t until)
{
    notify_state_t *ns = NS(t);
    err_t e;
    area_t a = {0};
    json_t *out = json_array();
    if (ns->geo && !geo_shape_from_json(ns->geo, json_object_get(rec, geom_key),
                                        1 << SH_POINT | 1 << SH_LINE | 1 << SH_POLY, geom_key, &a.shape, &e)) {
        dc_query_t q = {.area = &a, .from = from, .until = until, .buffer_m = own_protection, .skip_kind = kind,
                        .skip_id = id};
        conflict_t *c;
        size_t n;
        if (dc_check(ns->dc, &q, &c, &n) == 0) {
            for (size_t i = 0; i < n && i < MAX_KEPT; i++) json_array_append_new(out, conflict_json(&c[i]));
            free(c);
        }
        shape_free(&a.shape);
    }
    json_object_set_new(rec, "_conflicts", out);
}

static void place_conflicts(truce_t *t, int type, const char *id, json_t *rec)
{
    record_conflicts(t, rec, ptype[type].dc_kind, id, "geometry", protection(t, ptype[type].name, rec_str(rec, "category")),
                     rec_time(rec, "valid_from"), rec_time(rec, "valid_until"));
}

/* A movement is checked leg by leg, each against the time it is planned to
 * take (a query box per leg, not one over the whole route and window). */
static void movement_conflicts(truce_t *t, const char *id, json_t *rec)
{
    notify_state_t *ns = NS(t);
    json_t *out = json_array();
    int n;
    int64_t *times = movement_times(rec, &n);
    json_t *co = json_object_get(json_object_get(rec, "route"), "coordinates");
    double prot = protection(t, "movement", NULL);
    err_t e;
    for (int i = 0; ns->geo && i + 1 < n && json_array_size(out) < MAX_KEPT; i++) {
        json_t *leg = json_pack("{s:s, s:[O,O]}", "type", "LineString", "coordinates", json_array_get(co, (size_t)i),
                                json_array_get(co, (size_t)i + 1));
        area_t a = {0};
        if (!geo_shape_from_json(ns->geo, leg, 1 << SH_LINE, "route", &a.shape, &e)) {
            dc_query_t q = {.area = &a, .from = times[i], .until = times[i + 1], .buffer_m = prot,
                            .skip_kind = DC_MOVEMENT, .skip_id = id};
            conflict_t *c;
            size_t m;
            if (dc_check(ns->dc, &q, &c, &m) == 0) {
                for (size_t k = 0; k < m; k++) {
                    json_t *x = conflict_json(&c[k]), *y;
                    size_t j;
                    int dup = 0;
                    json_array_foreach(out, j, y) dup |= json_equal(json_object_get(y, "id"), json_object_get(x, "id")) &&
                                                         json_equal(json_object_get(y, "segment"), json_object_get(x, "segment"));
                    if (dup || json_array_size(out) >= MAX_KEPT) json_decref(x);
                    else json_array_append_new(out, x);
                }
                free(c);
            }
            shape_free(&a.shape);
        }
        json_decref(leg);
    }
    free(times);
    json_object_set_new(rec, "_conflicts", out);
}

/* ---- apply ---- */

static int type_of_kind(const char *kind)
{
    return strncmp(kind, "nostrike.", 9) == 0 ? PL_NSL : PL_SITE;
}

static void apply_mission(truce_t *t, const event_t *ev)
{
    notify_state_t *ns = NS(t);
    json_decref(ns->settings);
    ns->settings = json_deep_copy(json_object_get(ev->body, "settings"));
    if (!ns->settings) ns->settings = json_object();
    json_t *c = json_object_get(ev->body, "center");
    double lon = json_number_value(json_array_get(c, 0)), lat = json_number_value(json_array_get(c, 1));
    if (!ns->geo && json_is_number(json_array_get(c, 0)) && json_is_number(json_array_get(c, 1))) {
        ns->geo = geo_new(lon, lat, NULL);
        ns->center = json_incref(c);
    }
}

static void apply_feature(truce_t *t, const event_t *ev)
{
    notify_state_t *ns = NS(t);
    json_t *f = json_object_get(ev->body, "feature");
    const char *layer = rec_str(json_object_get(f, "properties"), "layer");
    err_t e;
    if (ns->geo && layer && strcmp(layer, "boundary") == 0 &&
        geo_set_area(ns->geo, json_object_get(f, "geometry"), setting_num(t, "area_margin_m", 5000), &e) == 0) {
        json_decref(ns->area);
        ns->area = json_incref(json_object_get(f, "geometry"));
    }
}

static json_t *place_rec(truce_t *t, const event_t *ev)
{
    return json_object_get(NS(t)->places[type_of_kind(ev->kind)], ev->subject);
}

static void apply_place_notified(truce_t *t, const event_t *ev)
{
    notify_state_t *ns = NS(t);
    int type = type_of_kind(ev->kind);
    uint64_t n = id_number(ev->subject, ptype[type].prefix);
    if (!n) return;
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "kind", json_string(ptype[type].name));
    json_object_set_new(rec, "state", json_string(type == PL_SITE ? "submitted" : "notified"));
    rec_set_time(rec, "notified_at", ev->time);
    rec_set_time(rec, "confirmed_at", ev->time);
    json_object_set_new(rec, "notified_seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "notified_by", json_string(ev->actor));
    json_object_set(rec, "_labels", labels_intern(ns->labelsets, ev->labels));
    json_object_set_new(ns->places[type], ev->subject, rec);
    if (n > ns->last[type]) ns->last[type] = n;
    place_to_dc(t, type, ev->subject, rec);
    place_conflicts(t, type, ev->subject, rec);
}

static void apply_detail(truce_t *t, json_t *rec, const event_t *ev)
{
    if (!rec) return;
    json_object_set_new(rec, "_detail", json_deep_copy(ev->body));
    json_object_set(rec, "_dlabels", labels_intern(NS(t)->labelsets, ev->labels));
}

static void apply_place_detail(truce_t *t, const event_t *ev)
{
    apply_detail(t, place_rec(t, ev), ev);
}

static void apply_place_acknowledged(truce_t *t, const event_t *ev)
{
    json_t *rec = place_rec(t, ev);
    if (!rec) return;
    json_object_set_new(rec, "state", json_string("acknowledged"));
    rec_set_time(rec, "acknowledged_at", ev->time);
    json_object_set_new(rec, "acknowledged_seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "acknowledged_by", json_string(ev->actor));
    if (rec_str(ev->body, "note")) json_object_set(rec, "acknowledged_note", json_object_get(ev->body, "note"));
}

static void apply_place_reconfirmed(truce_t *t, const event_t *ev)
{
    json_t *rec = place_rec(t, ev);
    if (!rec) return;
    rec_set_time(rec, "confirmed_at", ev->time);
    json_object_set_new(rec, "confirmed_seq", json_integer((json_int_t)ev->seq));
}

static void apply_place_withdrawn(truce_t *t, const event_t *ev)
{
    int type = type_of_kind(ev->kind);
    json_t *rec = place_rec(t, ev);
    if (!rec) return;
    json_object_set_new(rec, "state", json_string("withdrawn"));
    rec_set_time(rec, "withdrawn_at", ev->time);
    json_object_set_new(rec, "withdrawn_seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "withdrawn_by", json_string(ev->actor));
    json_object_set(rec, "withdrawn_reason", json_object_get(ev->body, "reason"));
    dc_drop(NS(t)->dc, ptype[type].dc_kind, ev->subject);
}

static void apply_place_amended(truce_t *t, const event_t *ev)
{
    int type = type_of_kind(ev->kind);
    json_t *rec = place_rec(t, ev);
    if (!rec) return;
    json_object_update(rec, ev->body);
    if (type == PL_SITE) {
        json_object_set_new(rec, "state", json_string("submitted"));
        json_object_del(rec, "acknowledged_at");
        json_object_del(rec, "acknowledged_seq");
        json_object_del(rec, "acknowledged_by");
        json_object_del(rec, "acknowledged_note");
    }
    rec_set_time(rec, "amended_at", ev->time);
    rec_set_time(rec, "confirmed_at", ev->time);
    json_object_set_new(rec, "amended_seq", json_integer((json_int_t)ev->seq));
    place_to_dc(t, type, ev->subject, rec);
    place_conflicts(t, type, ev->subject, rec);
}

static void history_add(json_t *rec, const event_t *ev, const char *status, const char *reason)
{
    json_t *h = json_object_get(rec, "history");
    if (!h) {
        h = json_array();
        json_object_set_new(rec, "history", h);
    }
    char at[32];
    time_format(ev->time, at);
    json_array_append_new(h, json_pack("{s:s, s:s, s:s, s:s?, s:I}", "status", status, "at", at, "by", ev->actor,
                                       "reason", reason, "seq", (json_int_t)ev->seq));
}

static void apply_movement_notified(truce_t *t, const event_t *ev)
{
    notify_state_t *ns = NS(t);
    uint64_t n = id_number(ev->subject, "MOV");
    if (!n) return;
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "status", json_string("submitted"));
    rec_set_time(rec, "notified_at", ev->time);
    json_object_set_new(rec, "notified_seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "notified_by", json_string(ev->actor));
    history_add(rec, ev, "submitted", NULL);
    json_object_set(rec, "_labels", labels_intern(ns->labelsets, ev->labels));
    json_object_set_new(ns->movements, ev->subject, rec);
    if (n > ns->last[2]) ns->last[2] = n;
    movement_to_dc(t, ev->subject, rec);
    movement_conflicts(t, ev->subject, rec);
}

static void apply_movement_detail(truce_t *t, const event_t *ev)
{
    apply_detail(t, json_object_get(NS(t)->movements, ev->subject), ev);
}

static int movement_final(const char *s)
{
    return s && (!strcmp(s, "denied") || !strcmp(s, "cancelled") || !strcmp(s, "completed"));
}

static void apply_movement_status(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(NS(t)->movements, ev->subject);
    const char *s = rec_str(ev->body, "status");
    if (!rec || !s) return;
    json_object_set_new(rec, "status", json_string(s));
    history_add(rec, ev, s, rec_str(ev->body, "reason"));
    if (strcmp(s, "acknowledged") == 0) {
        rec_set_time(rec, "acknowledged_at", ev->time);
        json_object_set_new(rec, "acknowledged_seq", json_integer((json_int_t)ev->seq));
        json_object_set_new(rec, "acknowledged_by", json_string(ev->actor));
    }
    if (movement_final(s)) dc_drop(NS(t)->dc, DC_MOVEMENT, ev->subject);
}

static void apply_movement_amended(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(NS(t)->movements, ev->subject);
    if (!rec) return;
    json_object_update(rec, ev->body);
    json_object_set_new(rec, "status", json_string("submitted"));
    json_object_del(rec, "acknowledged_at");
    json_object_del(rec, "acknowledged_seq");
    json_object_del(rec, "acknowledged_by");
    rec_set_time(rec, "amended_at", ev->time);
    json_object_set_new(rec, "amended_seq", json_integer((json_int_t)ev->seq));
    history_add(rec, ev, "submitted", "amended");
    movement_to_dc(t, ev->subject, rec);
    movement_conflicts(t, ev->subject, rec);
}

static void apply_unit_registered(truce_t *t, const event_t *ev)
{
    json_t *rec = json_deep_copy(ev->body);
    json_object_del(rec, "position");
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set(rec, "_labels", labels_intern(NS(t)->labelsets, ev->labels));
    json_object_set_new(NS(t)->units, ev->subject, rec);
}

/* A unit's reports are objects "UNIT-X#k" in the engine: each counts from its
 * time until the next report or the time-to-live. */
static void unit_report_to_dc(truce_t *t, const char *unit, json_t *rep, int64_t until)
{
    notify_state_t *ns = NS(t);
    char id[96];
    snprintf(id, sizeof id, "%s#%lld", unit, (long long)json_integer_value(json_object_get(rep, "n")));
    err_t e;
    dc_object_t o = {.kind = DC_UNIT, .id = id, .category = rec_str(rep, "type"),
                     .protection_m = protection(t, "unit", NULL), .t0 = rec_time(rep, "at"), .t1 = until,
                     .labels = json_object_get(rep, "_labels")};
    if (ns->geo && !geo_shape_from_json(ns->geo, json_object_get(rep, "geometry"), 1 << SH_POINT, "geometry",
                                        &o.shape, &e))
        dc_put(ns->dc, &o);
}

/* A report older than the unit's current one goes to its history (it still
 * counts for checks of its time); otherwise it becomes the current one and
 * the previous report counts until it. */
static void apply_unit_position(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(NS(t)->units, ev->subject);
    if (!rec) return;
    int64_t ttl = (int64_t)(setting_num(t, "unit_position_ttl_h", 24) * 3600 * 1000);
    json_t *prev = json_incref(json_object_get(rec, "position")); /* outlives its replacement below */
    int64_t at = rec_time(ev->body, "at");
    json_t *hist = json_object_get(rec, "_history");
    if (!hist) {
        hist = json_array();
        json_object_set_new(rec, "_history", hist);
    }
    json_int_t n = json_integer_value(json_object_get(rec, "_reports")) + 1;
    json_object_set_new(rec, "_reports", json_integer(n));
    json_t *rep = json_pack("{s:O, s:O, s:I, s:I, s:s?}", "geometry", json_object_get(ev->body, "geometry"), "at",
                            json_object_get(ev->body, "at"), "seq", (json_int_t)ev->seq, "n", n, "type",
                            rec_str(rec, "type"));
    json_object_set(rep, "_labels", labels_intern(NS(t)->labelsets, ev->labels));
    if (prev && at < rec_time(prev, "at")) {
        int64_t pat = rec_time(prev, "at"), until = at + ttl < pat ? at + ttl : pat;
        json_object_set_new(rep, "until", json_integer(until));
        unit_report_to_dc(t, ev->subject, rep, until);
        json_array_append_new(hist, rep);
        json_decref(prev);
        return;
    }
    if (prev) {
        int64_t pat = rec_time(prev, "at"), until = pat + ttl < at ? pat + ttl : at;
        if (until < pat) until = pat;
        unit_report_to_dc(t, ev->subject, prev, until);
        json_t *old = json_deep_copy(prev);
        json_object_set(old, "_labels", json_object_get(prev, "_labels"));
        json_object_set_new(old, "until", json_integer(until));
        json_array_append_new(hist, old);
    }
    json_object_set_new(rec, "position", rep);
    unit_report_to_dc(t, ev->subject, rep, at + ttl);
    json_decref(prev);
}

static void apply_unit_updated(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(NS(t)->units, ev->subject);
    if (rec) json_object_update(rec, ev->body);
}

geo_t *notify_geo(truce_t *t)
{
    return NS(t)->geo;
}

json_t *notify_unit(truce_t *t, const char *id)
{
    return json_object_get(NS(t)->units, id);
}

json_t *notify_site(truce_t *t, const char *id)
{
    return json_object_get(NS(t)->places[PL_SITE], id);
}

json_t *notify_settings(truce_t *t)
{
    return NS(t)->settings;
}

double notify_protection(truce_t *t, const char *kind, const char *category)
{
    return protection(t, kind, category);
}

dc_t *notify_dc(truce_t *t)
{
    return NS(t)->dc;
}

json_t *notify_units(truce_t *t)
{
    return NS(t)->units;
}

json_t *notify_movement(truce_t *t, const char *id)
{
    return json_object_get(NS(t)->movements, id);
}

/* ---- module ---- */

static int notify_init(truce_t *t)
{
    notify_state_t *ns = calloc(1, sizeof *ns);
    if (!ns) return -1;
    t->notify = ns;
    ns->dc = dc_new();
    ns->settings = json_object();
    ns->places[0] = json_object();
    ns->places[1] = json_object();
    ns->movements = json_object();
    ns->units = json_object();
    ns->labelsets = json_object();
    return ns->dc ? 0 : -1;
}

static void notify_release(truce_t *t)
{
    notify_state_t *ns = t->notify;
    if (!ns) return;
    dc_free(ns->dc);
    geo_free(ns->geo);
    json_decref(ns->center);
    json_decref(ns->area);
    json_decref(ns->settings);
    json_decref(ns->places[0]);
    json_decref(ns->places[1]);
    json_decref(ns->movements);
    json_decref(ns->units);
    json_decref(ns->labelsets);
    free(ns);
    t->notify = NULL;
}

static void notify_dump(truce_t *t, json_t *out)
{
    notify_state_t *ns = t->notify;
    json_object_set(out, "sites", ns->places[0]);
    json_object_set(out, "nostrike", ns->places[1]);
    json_object_set(out, "movements", ns->movements);
    json_object_set(out, "units", ns->units);
    json_object_set_new(out, "deconfliction_objects", json_integer((json_int_t)dc_count(ns->dc)));
}

static const kind_def_t notify_kinds[] = {
    {"mission.configured", apply_mission},
    {"geo.feature_added", apply_feature},
    {"site.notified", apply_place_notified},
    {"site.detail", apply_place_detail},
    {"site.acknowledged", apply_place_acknowledged},
    {"site.reconfirmed", apply_place_reconfirmed},
    {"site.withdrawn", apply_place_withdrawn},
    {"site.amended", apply_place_amended},
    {"nostrike.notified", apply_place_notified},
    {"nostrike.detail", apply_place_detail},
    {"nostrike.withdrawn", apply_place_withdrawn},
    {"nostrike.amended", apply_place_amended},
    {"movement.notified", apply_movement_notified},
    {"movement.detail", apply_movement_detail},
    {"movement.status", apply_movement_status},
    {"movement.amended", apply_movement_amended},
    {"unit.registered", apply_unit_registered},
    {"unit.position", apply_unit_position},
    {"unit.updated", apply_unit_updated},
    {NULL, NULL},
};

/* Snapshot: the records as they are (private members included) and what
 * the plane was made from; load rebuilds the engine from the records. */
static int notify_save(truce_t *t, buf_t *b)
{
    notify_state_t *ns = t->notify;
    json_t *all = json_pack("{s:O?, s:O?, s:O, s:O, s:O, s:O, s:O, s:[I,I,I]}", "center", ns->center, "area", ns->area,
                            "settings", ns->settings, "sites", ns->places[0], "nostrike", ns->places[1], "movements",
                            ns->movements, "units", ns->units, "last", (json_int_t)ns->last[0],
                            (json_int_t)ns->last[1], (json_int_t)ns->last[2]);
    return rec_save_json(b, all);
}

static void relabel(notify_state_t *ns, json_t *o, const char *key)
{
    json_t *l = json_object_get(o, key);
    if (l) json_object_set(o, key, labels_intern(ns->labelsets, l));
}

static int notify_load(truce_t *t, const char *p, size_t n)
{
    notify_state_t *ns = t->notify;
    json_t *all = json_loadb(p, n, 0, NULL);
    if (!all) return -1;
    json_t *c = json_object_get(all, "center");
    if (c) {
        ns->geo = geo_new(json_number_value(json_array_get(c, 0)), json_number_value(json_array_get(c, 1)), NULL);
        ns->center = json_incref(c);
    }
    json_decref(ns->settings);
    ns->settings = json_incref(json_object_get(all, "settings"));
    err_t e;
    if (ns->geo && json_object_get(all, "area") &&
        geo_set_area(ns->geo, json_object_get(all, "area"), setting_num(t, "area_margin_m", 5000), &e) == 0)
        ns->area = json_incref(json_object_get(all, "area"));
    for (int i = 0; i < 3; i++) ns->last[i] = (uint64_t)json_integer_value(json_array_get(json_object_get(all, "last"), (size_t)i));
    const char *id;
    json_t *rec;
    for (int type = 0; type < 2; type++) {
        json_object_update(ns->places[type], json_object_get(all, type ? "nostrike" : "sites"));
        json_object_foreach(ns->places[type], id, rec)
        {
            relabel(ns, rec, "_labels");
            relabel(ns, rec, "_dlabels");
            if (strcmp(rec_str(rec, "state"), "withdrawn")) place_to_dc(t, type, id, rec);
        }
    }
    json_object_update(ns->movements, json_object_get(all, "movements"));
    json_object_foreach(ns->movements, id, rec)
    {
        relabel(ns, rec, "_labels");
        relabel(ns, rec, "_dlabels");
        if (!movement_final(rec_str(rec, "status"))) movement_to_dc(t, id, rec);
    }
    json_object_update(ns->units, json_object_get(all, "units"));
    int64_t ttl = (int64_t)(setting_num(t, "unit_position_ttl_h", 24) * 3600 * 1000);
    json_object_foreach(ns->units, id, rec)
    {
        relabel(ns, rec, "_labels");
        size_t i;
        json_t *h;
        json_array_foreach(json_object_get(rec, "_history"), i, h)
        {
            relabel(ns, h, "_labels");
            unit_report_to_dc(t, id, h, json_integer_value(json_object_get(h, "until")));
        }
        json_t *pos = json_object_get(rec, "position");
        if (pos) {
            relabel(ns, pos, "_labels");
            unit_report_to_dc(t, id, pos, rec_time(pos, "at") + ttl);
        }
    }
    json_decref(all);
    return 0;
}

const module_t notify_module = {"notify", notify_kinds, notify_init, notify_release, notify_dump, notify_save,
                                notify_load};

/* ---- records as readers see them ---- */

static int may_see(const principal_t *who, const json_t *labels)
{
    return !who || auth_may_see(who, labels);
}

static json_t *labels_of(truce_t *t, const char *kind, const char *id)
{
    notify_state_t *ns = NS(t);
    if (strcmp(kind, "site") == 0) return json_object_get(json_object_get(ns->places[0], id), "_labels");
    if (strcmp(kind, "nostrike") == 0) return json_object_get(json_object_get(ns->places[1], id), "_labels");
    if (strcmp(kind, "movement") == 0) return json_object_get(json_object_get(ns->movements, id), "_labels");
    if (strcmp(kind, "operation") == 0) return ops_labels(t, id);
    if (strcmp(kind, "unit") == 0) {
        char u[96];
        snprintf(u, sizeof u, "%s", id);
        char *hash = strchr(u, '#');
        if (hash) *hash = 0;
        return json_object_get(json_object_get(json_object_get(ns->units, u), "position"), "_labels");
    }
    return NULL;
}

static const char *place_status(truce_t *t, const json_t *rec, int64_t now, int *lapsed)
{
    const char *state = rec_str(rec, "state");
    int site = strcmp(rec_str(rec, "kind"), "site") == 0;
    *lapsed = 0;
    if (!strcmp(state, "withdrawn")) return "withdrawn";
    if (now > rec_time(rec, "valid_until")) return "expired";
    if (site) {
        double days = setting_num(t, "site_reconfirm_days", 30);
        *lapsed = now - rec_time(rec, "confirmed_at") > (int64_t)(days * DAY_MS);
    }
    if (now >= rec_time(rec, "valid_from") && (!site || !strcmp(state, "acknowledged"))) return "active";
    return state;
}

/* A record for this reader: public members, details when allowed, status,
 * and the conflicts the reader may see. New reference. */
static json_t *rec_out(truce_t *t, const principal_t *who, const json_t *rec, int64_t now)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) if (k[0] != '_' && strcmp(k, "state") && strcmp(k, "position"))
        json_object_set(o, k, v);
    json_object_set(o, "labels", json_object_get(rec, "_labels"));
    if (rec_str(rec, "state")) {
        int lapsed;
        json_object_set_new(o, "status", json_string(place_status(t, rec, now, &lapsed)));
        json_object_set_new(o, "lapsed", json_boolean(lapsed));
    }
    json_t *d = json_object_get(rec, "_detail");
    if (d && may_see(who, json_object_get(rec, "_dlabels"))) json_object_update(o, d);
    json_t *pos = json_object_get(rec, "position");
    if (pos && may_see(who, json_object_get(pos, "_labels")))
        json_object_set_new(o, "position", json_pack("{s:O, s:O, s:O}", "geometry", json_object_get(pos, "geometry"),
                                                     "at", json_object_get(pos, "at"), "seq",
                                                     json_object_get(pos, "seq")));
    json_t *conf = json_object_get(rec, "_conflicts");
    if (conf) json_object_set_new(o, "conflicts", notify_visible_conflicts(t, who, conf));
    return o;
}

int notify_conflict_visible(truce_t *t, const principal_t *who, const json_t *conflict)
{
    json_t *l = labels_of(t, rec_str(conflict, "kind"), rec_str(conflict, "id"));
    return l && may_see(who, l);
}

json_t *notify_visible_conflicts(truce_t *t, const principal_t *who, const json_t *conflicts)
{
    json_t *c = json_array(), *v;
    size_t i;
    json_array_foreach(conflicts, i, v) if (notify_conflict_visible(t, who, v)) json_array_append(c, v);
    return c;
}

/* Looks the id up for a reader: NULL (and replied 404) when it does not
 * exist or the reader may not see it — the same answer, so ids leak nothing. */
static json_t *visible(req_t *r, json_t *coll, const char *id)
{
    json_t *rec = json_object_get(coll, id);
    if (!rec || !may_see(&r->who, json_object_get(rec, "_labels"))) {
        reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", id);
        return NULL;
    }
    return rec;
}

/* ---- input checks (request thread) ---- */

static int need_geo(req_t *r)
{
    if (NS(r->t)->geo) return 0;
    return reply_error(r, E_UNAVAILABLE, NULL, "the mission has no geography configured");
}

static int check_window(const json_t *in, const char *from_k, const char *until_k, err_t *e)
{
    int64_t a = rec_time(in, from_k), b = rec_time(in, until_k);
    if (json_object_get(in, from_k) && json_object_get(in, until_k) && b <= a)
        return err_set(e, E_OUT_OF_RANGE, until_k, "%s must be after %s", until_k, from_k);
    return 0;
}

/* Geometry and times of a place's fields (creation or amendment). */
static int check_place_input(truce_t *t, const json_t *in, const json_t *old, err_t *e)
{
    json_t *g = json_object_get(in, "geometry");
    if (g) {
        shape_t s;
        if (geo_shape_from_json(NS(t)->geo, g, 1 << SH_POINT | 1 << SH_POLY, "geometry", &s, e)) return -1;
        shape_free(&s);
    }
    json_t *w = json_pack("{s:O?, s:O?}", "valid_from",
                          json_object_get(in, "valid_from") ? json_object_get(in, "valid_from")
                                                           : json_object_get(old, "valid_from"),
                          "valid_until",
                          json_object_get(in, "valid_until") ? json_object_get(in, "valid_until")
                                                            : json_object_get(old, "valid_until"));
    int rc = check_window(w, "valid_from", "valid_until", e);
    json_decref(w);
    return rc;
}

/* ---- places: commands ---- */

typedef struct {
    int type;
    const char *id;
    const char *action;
    json_t *in;
    json_t *rows;          /* import: array of inputs */
    int skip_dup;
    json_t *dups;          /* out */
    json_t *bad_rows;      /* out: import rows that duplicate */
} place_op_t;

static json_t *place_body(const json_t *in, const char *org, int with_org)
{
    json_t *b = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v) if (k[0] != '_' && strcmp(k, "contact") && strcmp(k, "not_duplicate_of") &&
                                                strcmp(k, "org") && strcmp(k, "ref") && !json_is_null(v))
        json_object_set(b, k, v);
    if (with_org) json_object_set_new(b, "org", json_string(org));
    return b;
}

/* Non-withdrawn sites of org within the duplicate radius of in's geometry
 * whose validity meets in's; new array of ids. */
static json_t *duplicates_of(truce_t *t, const json_t *in, const char *org)
{
    notify_state_t *ns = NS(t);
    json_t *ids = json_array();
    area_t a = {.radius = 0};
    err_t e;
    if (geo_shape_from_json(ns->geo, json_object_get(in, "geometry"), 1 << SH_POINT | 1 << SH_POLY, "geometry",
                            &a.shape, &e))
        return ids;
    double radius = setting_num(t, "duplicate_radius_m", 25);
    dc_query_t q = {.area = &a, .from = rec_time(in, "valid_from"), .until = rec_time(in, "valid_until"),
                    .buffer_m = radius, .kinds = 1u << DC_SITE};
    conflict_t *c;
    size_t n;
    if (dc_check(ns->dc, &q, &c, &n) == 0) {
        json_t *confirmed = json_object_get(in, "not_duplicate_of");
        for (size_t i = 0; i < n; i++) {
            if (c[i].distance_m > radius) continue;
            json_t *rec = json_object_get(ns->places[PL_SITE], c[i].id);
            if (!rec || strcmp(rec_str(rec, "org"), org)) continue;
            int ok = 0;
            size_t k;
            json_t *x;
            json_array_foreach(confirmed, k, x) ok |= strcmp(json_string_value(x), c[i].id) == 0;
            if (!ok) json_array_append_new(ids, json_string(c[i].id));
        }
        free(c);
    }
    shape_free(&a.shape);
    return ids;
}

static int draft_place(truce_t *t, cmd_t *c, place_op_t *op, const json_t *in, char *id_out, err_t *e)
{
    notify_state_t *ns = NS(t);
    const char *org = org_of(c, in);
    char id[32];
    snprintf(id, sizeof id, "%s-%llu", ptype[op->type].prefix, (unsigned long long)++ns->last[op->type]);
    if (id_out) snprintf(id_out, 64, "%s", id);
    char kind[48];
    snprintf(kind, sizeof kind, "%s.notified", ptype[op->type].name);
    json_t *body = place_body(in, org, 1);
    if (t->exercise) json_object_set_new(body, "exercise", json_true());
    if (cmd_draft(c, kind, id, sharing(t, ptype[op->type].name, org), body, e)) return -1;
    if (json_object_get(in, "contact")) {
        snprintf(kind, sizeof kind, "%s.detail", ptype[op->type].name);
        if (cmd_draft(c, kind, id, sharing(t, "detail", org),
                      json_pack("{s:O}", "contact", json_object_get(in, "contact")), e))
            return -1;
    }
    return 0;
}

static int prepare_place_add(truce_t *t, cmd_t *c, err_t *e)
{
    place_op_t *op = c->arg;
    notify_state_t *ns = NS(t);
    uint64_t saved = ns->last[op->type];
    /* Numbers are taken as drafts are made; a failed command gives them back. */
    json_t *rows = op->rows ? op->rows : NULL;
    size_t nrows = rows ? json_array_size(rows) : 1;
    for (size_t i = 0; i < nrows; i++) {
        json_t *in = rows ? json_array_get(rows, i) : op->in;
        if (op->type == PL_SITE && !op->skip_dup) {
            json_t *d = duplicates_of(t, in, org_of(c, in));
            if (json_array_size(d)) {
                if (!rows) {
                    op->dups = d;
                    ns->last[op->type] = saved;
                    buf_t m;
                    buf_init(&m);
                    size_t k;
                    json_t *x;
                    json_array_foreach(d, k, x) buf_addf(&m, "%s%s", k ? ", " : "", json_string_value(x));
                    err_set(e, E_DUPLICATE, "geometry",
                            "within %.0f m of %s of your organisation: if this is a different site, send it again "
                            "with not_duplicate_of",
                            setting_num(t, "duplicate_radius_m", 25), m.data);
                    buf_release(&m);
                    return -1;
                }
                if (!op->bad_rows) op->bad_rows = json_array();
                json_array_append_new(op->bad_rows,
                                      json_pack("{s:O, s:s, s:s, s:o}", "line",
                                                json_object_get(in, "_line") ? json_object_get(in, "_line")
                                                                             : json_integer((json_int_t)i + 1),
                                                "field", "geometry", "message",
                                                "possible duplicate of a site of your organisation (import with "
                                                "?confirm_not_duplicate=1 if it is not)",
                                                "duplicates", d));
                continue;
            }
            json_decref(d);
        }
        if (draft_place(t, c, op, in, i == 0 ? c->result_id : NULL, e)) {
            ns->last[op->type] = saved;
            return -1;
        }
    }
    if (op->bad_rows) {
        ns->last[op->type] = saved;
        return err_set(e, E_BAD_ROWS, "rows", "%zu rows would duplicate sites of your organisation",
                       json_array_size(op->bad_rows));
    }
    /* the apply functions advance last[] again as the events are applied */
    ns->last[op->type] = saved;
    return 0;
}

static int owner_or(const cmd_t *c, const json_t *rec, int perm)
{
    return !c->who || strcmp(c->who->org, rec_str(rec, "org")) == 0 || (c->who->perms & (1ull << perm));
}

static int prepare_place_action(truce_t *t, cmd_t *c, err_t *e)
{
    place_op_t *op = c->arg;
    json_t *rec = json_object_get(NS(t)->places[op->type], op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    const char *state = rec_str(rec, "state");
    const char *name = ptype[op->type].name;
    char kind[48];
    json_t *body;
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    if (strcmp(state, "withdrawn") == 0)
        return err_set(e, E_CONFLICT, NULL, "%s was withdrawn", op->id);
    if (strcmp(op->action, "acknowledge") == 0) {
        if (op->type != PL_SITE) return err_set(e, E_NOT_FOUND, NULL, "no-strike objects are not acknowledged");
        if (strcmp(state, "submitted"))
            return err_set(e, E_CONFLICT, NULL, "%s is %s, not submitted", op->id, state);
        snprintf(kind, sizeof kind, "%s.acknowledged", name);
        body = json_pack("{s:O?}", "note", json_object_get(op->in, "note"));
    } else if (strcmp(op->action, "reconfirm") == 0) {
        if (op->type != PL_SITE) return err_set(e, E_NOT_FOUND, NULL, "no-strike objects are not re-confirmed");
        if (c->who && strcmp(c->who->org, rec_str(rec, "org")))
            return err_set(e, E_FORBIDDEN, NULL, "only %s re-confirms its sites", rec_str(rec, "org"));
        snprintf(kind, sizeof kind, "%s.reconfirmed", name);
        body = json_object();
    } else if (strcmp(op->action, "withdraw") == 0) {
        if (op->type == PL_SITE && !owner_or(c, rec, P_NOTIFY_ACK))
            return err_set(e, E_FORBIDDEN, NULL, "only %s or the CMCC withdraws this site", rec_str(rec, "org"));
        snprintf(kind, sizeof kind, "%s.withdrawn", name);
        body = json_pack("{s:O}", "reason", json_object_get(op->in, "reason"));
    } else { /* amend */
        if (op->type == PL_SITE && c->who && strcmp(c->who->org, rec_str(rec, "org")))
            return err_set(e, E_FORBIDDEN, NULL, "only %s amends its sites", rec_str(rec, "org"));
        if (op->type == PL_SITE && json_object_get(op->in, "geometry") && !op->skip_dup) {
            json_t *probe = json_pack("{s:O, s:O, s:O, s:O?}", "geometry", json_object_get(op->in, "geometry"),
                                      "valid_from", json_object_get(rec, "valid_from"), "valid_until",
                                      json_object_get(rec, "valid_until"), "not_duplicate_of",
                                      json_object_get(op->in, "not_duplicate_of"));
            json_t *d = duplicates_of(t, probe, rec_str(rec, "org"));
            json_decref(probe);
            size_t k;
            json_t *x;
            json_array_foreach(d, k, x) if (strcmp(json_string_value(x), op->id) == 0) json_array_remove(d, k--);
            if (json_array_size(d)) {
                op->dups = d;
                return err_set(e, E_DUPLICATE, "geometry", "within %.0f m of another site of your organisation",
                               setting_num(t, "duplicate_radius_m", 25));
            }
            json_decref(d);
        }
        snprintf(kind, sizeof kind, "%s.amended", name);
        body = place_body(op->in, NULL, 0);
        if (json_object_get(op->in, "contact")) {
            if (cmd_draft(c, kind, op->id, json_incref(json_object_get(rec, "_labels")), body, e)) return -1;
            snprintf(kind, sizeof kind, "%s.detail", name);
            return cmd_draft(c, kind, op->id, sharing(t, "detail", rec_str(rec, "org")),
                             json_pack("{s:O}", "contact", json_object_get(op->in, "contact")), e);
        }
    }
    return cmd_draft(c, kind, op->id, json_incref(json_object_get(rec, "_labels")), body, e);
}

static int place_type(req_t *r)
{
    return strncmp(r->path, "/api/v1/nostrike", 16) == 0 ? PL_NSL : PL_SITE;
}

/* A write's reply: the record as the caller sees it, its conflicts, the receipt. */
static int reply_record(req_t *r, int status, cmd_t *c, json_t *coll, const char *key)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(coll, c->result_id);
    json_t *extra = json_object();
    if (rec) {
        json_t *o = rec_out(r->t, &r->who, rec, util_now_ms());
        json_object_set(extra, "conflicts", json_object_get(o, "conflicts"));
        json_object_set_new(extra, key, o);
    }
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, status, c, extra);
}

static int reply_duplicate(req_t *r, const err_t *e, json_t *dups)
{
    reply_json(r, 409, json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code", "possible_duplicate", "message",
                                 e->message, "field", "geometry", "duplicates", dups));
    return -1;
}

int h_places_add(req_t *r)
{
    if (need_geo(r)) return -1;
    int type = place_type(r);
    err_t e;
    if (check_place_input(r->t, r->json, NULL, &e)) return reply_err(r, &e);
    place_op_t op = {.type = type, .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_place_add, .arg = &op};
    if (log_submit(r->t, &c)) {
        if (op.dups) return reply_duplicate(r, &c.err, op.dups);
        return reply_err(r, &c.err);
    }
    return reply_record(r, 201, &c, NS(r->t)->places[type], type == PL_SITE ? "site" : "nostrike");
}

int h_place_action(req_t *r)
{
    int type = place_type(r);
    const char *action = strrchr(r->path, '/') + 1;
    place_op_t op = {.type = type, .id = r->params[0], .action = action, .in = r->json};
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = visible(r, NS(r->t)->places[type], op.id);
    pthread_rwlock_unlock(&r->t->lock);
    if (!rec) return -1;
    if (strcmp(action, "acknowledge") == 0 && !(r->who.perms & (1ull << P_NOTIFY_ACK)))
        return reply_error(r, E_FORBIDDEN, NULL, "your roles do not include notify.ack");
    if (strcmp(action, "withdraw") == 0 && !rec_str(r->json, "reason"))
        return reply_error(r, E_MISSING_FIELD, "reason", "reason is required");
    cmd_t c = {.who = &r->who, .prepare = prepare_place_action, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_record(r, 200, &c, NS(r->t)->places[type], type == PL_SITE ? "site" : "nostrike");
}

int h_place_amend(req_t *r)
{
    if (need_geo(r)) return -1;
    int type = place_type(r);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = visible(r, NS(r->t)->places[type], r->params[0]);
    json_t *old = rec ? json_pack("{s:O, s:O}", "valid_from", json_object_get(rec, "valid_from"), "valid_until",
                                  json_object_get(rec, "valid_until"))
                      : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!rec) return -1;
    err_t e;
    int bad = check_place_input(r->t, r->json, old, &e);
    json_decref(old);
    if (bad) return reply_err(r, &e);
    if (json_object_size(r->json) == 0) return reply_error(r, E_MISSING_FIELD, NULL, "nothing to amend");
    place_op_t op = {.type = type, .id = r->params[0], .action = "amend", .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_place_action, .arg = &op};
    if (log_submit(r->t, &c)) {
        if (op.dups) return reply_duplicate(r, &c.err, op.dups);
        return reply_err(r, &c.err);
    }
    return reply_record(r, 200, &c, NS(r->t)->places[type], type == PL_SITE ? "site" : "nostrike");
}

/* ---- lists and exports ---- */

static int want(req_t *r, const json_t *o, const char *key, const char *param)
{
    const char *v = req_query(r, param);
    return !v || (rec_str(o, key) && strcmp(rec_str(o, key), v) == 0);
}

/* HXL CSV: a header row, a tag row, then one row per record. */
static const struct {
    const char *head, *tag, *key;
} hxl_cols[] = {
    {"id", "#meta+id", "id"},
    {"organisation", "#org", "org"},
    {"name_en", "#loc+name+en", "name.en"},
    {"name_ar", "#loc+name+ar", "name.ar"},
    {"latitude", "#geo+lat", NULL},
    {"longitude", "#geo+lon", NULL},
    {"geometry", "#geo+json", NULL},
    {"category", "#sector+category", "category"},
    {"staff", "#reached+staff", "staff_count"},
    {"valid_from", "#date+start", "valid_from"},
    {"valid_until", "#date+end", "valid_until"},
    {"status", "#status", "status"},
    {"contact_name", "#contact+name", "contact.name"},
    {"contact_phone", "#contact+phone", "contact.phone"},
    {"exercise", "#meta+exercise", "exercise"},
};
#define NHXL (sizeof hxl_cols / sizeof hxl_cols[0])

static json_t *path_get(json_t *o, const char *path)
{
    char k[64];
    const char *dot = strchr(path, '.');
    if (!dot) return json_object_get(o, path);
    snprintf(k, sizeof k, "%.*s", (int)(dot - path), path);
    return json_object_get(json_object_get(o, k), dot + 1);
}

static void csv_row(buf_t *b, json_t *o)
{
    json_t *g = json_object_get(o, "geometry");
    double lat = 0, lon = 0;
    int npts = 0;
    /* a point's position, or the mean of a polygon's outer ring */
    json_t *co = json_object_get(g, "coordinates");
    if (json_is_array(json_array_get(co, 0))) {
        json_t *ring = json_array_get(co, 0);
        if (json_is_array(json_array_get(json_array_get(ring, 0), 0))) ring = json_array_get(ring, 0);
        size_t i;
        json_t *p;
        json_array_foreach(ring, i, p)
        {
            if (i + 1 == json_array_size(ring)) break;
            lon += json_number_value(json_array_get(p, 0));
            lat += json_number_value(json_array_get(p, 1));
            npts++;
        }
    } else {
        lon = json_number_value(json_array_get(co, 0));
        lat = json_number_value(json_array_get(co, 1));
        npts = 1;
    }
    for (size_t c = 0; c < NHXL; c++) {
        if (c) buf_add(b, ",", 1);
        char num[64];
        if (strcmp(hxl_cols[c].tag, "#geo+lat") == 0) {
            snprintf(num, sizeof num, "%.7f", npts ? lat / npts : 0);
            buf_adds(b, num);
        } else if (strcmp(hxl_cols[c].tag, "#geo+lon") == 0) {
            snprintf(num, sizeof num, "%.7f", npts ? lon / npts : 0);
            buf_adds(b, num);
        } else if (strcmp(hxl_cols[c].tag, "#geo+json") == 0) {
            if (strcmp(rec_str(g, "type"), "Point")) {
                char *s = json_dumps(g, JSON_COMPACT);
                csv_field(b, s);
                free(s);
            }
        } else {
            json_t *v = path_get(o, hxl_cols[c].key);
            if (json_is_string(v)) csv_field(b, json_string_value(v));
            else if (json_is_integer(v)) buf_addf(b, "%lld", (long long)json_integer_value(v));
            else if (json_is_true(v)) buf_adds(b, "true");
        }
    }
    buf_add(b, "\r\n", 2);
}

static int reply_export(req_t *r, json_t *items, const char *name)
{
    const char *format = req_query(r, "format");
    if (!format || strcmp(format, "json") == 0) {
        return reply_json(r, 200, json_pack("{s:o, s:I, s:b}", name, items, "count",
                                            (json_int_t)json_array_size(items), "exercise", r->t->exercise));
    }
    if (strcmp(format, "geojson") == 0) {
        json_t *fs = json_array();
        size_t i;
        json_t *o;
        const char *gkey = strcmp(name, "movements") == 0 ? "route" : "geometry";
        json_array_foreach(items, i, o)
        {
            json_t *props = json_deep_copy(o);
            json_object_del(props, gkey);
            json_array_append_new(fs, json_pack("{s:s, s:O, s:O, s:o}", "type", "Feature", "id",
                                                json_object_get(o, "id"), "geometry", json_object_get(o, gkey),
                                                "properties", props));
        }
        json_decref(items);
        int rc = reply_json(r, 200, json_pack("{s:s, s:b, s:o}", "type", "FeatureCollection", "exercise",
                                              r->t->exercise, "features", fs));
        r->ctype = "application/geo+json; charset=utf-8";
        return rc;
    }
    if (strcmp(format, "csv") == 0 && strcmp(name, "movements") == 0) {
        static const char *const head[] = {"id", "organisation", "purpose", "status", "window_from", "window_until",
                                           "departure", "arrival", "vehicles", "staff", "cargo", "escort", "route",
                                           "contact_name", "contact_phone", "exercise"};
        static const char *const tags[] = {"#meta+id", "#org", "#activity+purpose", "#status", "#date+start",
                                           "#date+end", "#date+departure", "#date+arrival", "#indicator+vehicles",
                                           "#reached+staff", "#item+cargo", "#meta+escort", "#geo+json",
                                           "#contact+name", "#contact+phone", "#meta+exercise"};
        buf_t b;
        buf_init(&b);
        for (size_t c = 0; c < 16; c++) buf_addf(&b, "%s%s", c ? "," : "", head[c]);
        buf_add(&b, "\r\n", 2);
        for (size_t c = 0; c < 16; c++) buf_addf(&b, "%s%s", c ? "," : "", tags[c]);
        buf_add(&b, "\r\n", 2);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o)
        {
            json_t *times = json_object_get(o, "times");
            char *route = json_dumps(json_object_get(o, "route"), JSON_COMPACT);
            char num[32], staff[32];
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(json_object_get(o, "vehicles"), "count")));
            snprintf(staff, sizeof staff, "%lld", (long long)json_integer_value(json_object_get(o, "staff_count")));
            const char *cells[16] = {rec_str(o, "id"), rec_str(o, "org"), rec_str(o, "purpose"), rec_str(o, "status"),
                                     rec_str(o, "window_from"), rec_str(o, "window_until"),
                                     json_string_value(json_array_get(times, 0)),
                                     json_string_value(json_array_get(times, json_array_size(times) - 1)), num,
                                     json_object_get(o, "staff_count") ? staff : "", rec_str(o, "cargo"),
                                     json_is_true(json_object_get(o, "escort_requested")) ? "true" : "", route,
                                     rec_str(json_object_get(o, "contact"), "name"), rec_str(json_object_get(o, "contact"), "phone"),
                                     json_is_true(json_object_get(o, "exercise")) ? "true" : ""};
            for (size_t c = 0; c < 16; c++) {
                if (c) buf_add(&b, ",", 1);
                csv_field(&b, cells[c]);
            }
            buf_add(&b, "\r\n", 2);
            free(route);
        }
        json_decref(items);
        return reply_buf(r, 200, &b, "text/csv; charset=utf-8");
    }
    if (strcmp(format, "csv") == 0) {
        buf_t b;
        buf_init(&b);
        for (size_t c = 0; c < NHXL; c++) buf_addf(&b, "%s%s", c ? "," : "", hxl_cols[c].head);
        buf_add(&b, "\r\n", 2);
        for (size_t c = 0; c < NHXL; c++) buf_addf(&b, "%s%s", c ? "," : "", hxl_cols[c].tag);
        buf_add(&b, "\r\n", 2);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o) csv_row(&b, o);
        json_decref(items);
        return reply_buf(r, 200, &b, "text/csv; charset=utf-8");
    }
    json_decref(items);
    return reply_error(r, E_BAD_VALUE, "format",
                       "format must be json, geojson or csv");
}

/* ?org, when given, names an organisation: 0, or -1 and replied 400. */
static int query_org(req_t *r)
{
    const char *org = req_query(r, "org");
    if (!org) return 0;
    pthread_rwlock_rdlock(&r->t->lock);
    int ok = org_exists(r->t, org);
    pthread_rwlock_unlock(&r->t->lock);
    return ok ? 0 : reply_error(r, E_BAD_VALUE, "org", "no organisation %s", org);
}

/* The statuses a place is listed with (place_status). */
static const char *const place_states[] = {"submitted", "notified", "acknowledged", "active", "expired", "withdrawn", NULL};

int h_places_list(req_t *r)
{
    int type = place_type(r);
    if (req_query_enum(r, "status", place_states) || req_query_enum(r, "category", ptype[type].categories) || query_org(r))
        return -1;
    const char *status = req_query(r, "status"), *lapsed = req_query(r, "lapsed"), *mine = req_query(r, "mine");
    int64_t now = util_now_ms();
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *rec;
    json_object_foreach(NS(r->t)->places[type], id, rec)
    {
        if (!may_see(&r->who, json_object_get(rec, "_labels"))) continue;
        if (!want(r, rec, "org", "org") || !want(r, rec, "category", "category")) continue;
        if (mine && strcmp(mine, "0") && strcmp(rec_str(rec, "org"), r->who.org)) continue;
        json_t *o = rec_out(r->t, &r->who, rec, now);
        if ((status && strcmp(rec_str(o, "status"), status)) ||
            (lapsed && strcmp(lapsed, "0") && !json_is_true(json_object_get(o, "lapsed")))) {
            json_decref(o);
            continue;
        }
        json_array_append_new(out, o);
    }
    pthread_rwlock_unlock(&r->t->lock);
    return reply_export(r, out, ptype[type].collection);
}

int h_place_get(req_t *r)
{
    int type = place_type(r);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = visible(r, NS(r->t)->places[type], r->params[0]);
    json_t *o = rec ? rec_out(r->t, &r->who, rec, util_now_ms()) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return -1;
    return reply_json(r, 200, o);
}

/* ---- import ---- */

/* The HXL tag of a creation field, for errors in CSV rows. */
static const char *hxl_tag_of(const char *field)
{
    static const struct {
        const char *field, *tag;
    } map[] = {{"name", "#loc+name+en"},          {"name.en", "#loc+name+en"},   {"name.ar", "#loc+name+ar"},
               {"geometry", "#geo+lat"},          {"valid_from", "#date+start"}, {"valid_until", "#date+end"},
               {"category", "#sector+category"},  {"staff_count", "#reached+staff"},
               {"contact", "#contact+name"},      {"contact.name", "#contact+name"},
               {"contact.phone", "#contact+phone"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].field, field) == 0) return map[i].tag;
    return field;
}

/* HXL tags are case-insensitive and their attributes unordered: the
 * hashtag, then the attributes sorted, lower case, no spaces. */
static void hxl_normalise(const char *tag, char *out, size_t n)
{
    char low[128], *attrs[16];
    size_t k = 0;
    int na = 0;
    for (const char *p = tag; *p && k + 1 < sizeof low; p++)
        if (*p != ' ') low[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    low[k] = 0;
    char *plus = strchr(low, '+');
    while (plus && na < 16) {
        *plus = 0;
        attrs[na++] = plus + 1;
        plus = strchr(plus + 1, '+');
    }
    for (int i = 1; i < na; i++)
        for (int j = i; j > 0 && strcmp(attrs[j], attrs[j - 1]) < 0; j--) {
            char *x = attrs[j];
            attrs[j] = attrs[j - 1];
            attrs[j - 1] = x;
        }
    size_t m = (size_t)snprintf(out, n, "%s", low);
    for (int i = 0; i < na && m < n; i++) m += (size_t)snprintf(out + m, n - m, "+%s", attrs[i]);
}

static const char *hxl_field_of(const char *tag)
{
    static const struct {
        const char *tag, *field;
    } map[] = {{"#meta+id", "ref"},          {"#org", "org"},
               {"#loc+name+en", "name.en"},  {"#loc+name+ar", "name.ar"},
               {"#loc+name", "name.en"},     {"#geo+lat", "lat"},
               {"#geo+lon", "lon"},          {"#geo+json", "geometry"},
               {"#date+start", "valid_from"}, {"#date+end", "valid_until"},
               {"#sector+category", "category"}, {"#reached+staff", "staff_count"},
               {"#contact+name", "contact.name"}, {"#contact+phone", "contact.phone"},
               {"#status", NULL},            {"#meta+exercise", NULL}};
    char norm[128], want[128];
    hxl_normalise(tag, norm, sizeof norm);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        hxl_normalise(map[i].tag, want, sizeof want);
        if (strcmp(want, norm) == 0) return map[i].field ? map[i].field : "";
    }
    return NULL;
}

/* Rows of an HXL CSV as creation inputs; bad ones reported in errs. */
static json_t *rows_from_csv(const char *data, size_t len, json_t *errs, const char *org)
{
    const char *p = data, *end = data + len;
    int line = 1;
    json_t *rows = json_array(), *head = json_array();
    if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
    /* The tag row is the first whose first non-empty cell starts with '#'. */
    const char *fields[64] = {0};
    size_t ncol = 0;
    while (csv_next(&p, end, head, &line) == 0) {
        const char *first = json_string_value(json_array_get(head, 0));
        if (first && first[0] == '#') break;
        if (line > 3) break;
        json_array_clear(head);
    }
    const char *first = json_string_value(json_array_get(head, 0));
    if (!first || first[0] != '#') {
        csv_row_error(errs, line, "#meta+id", "no HXL tag row (#org, #geo+lat, ...) in the first two lines");
        json_decref(head);
        return rows;
    }
    ncol = json_array_size(head) < 64 ? json_array_size(head) : 64;
    for (size_t c = 0; c < ncol; c++) {
        const char *tag = json_string_value(json_array_get(head, c));
        fields[c] = *tag ? hxl_field_of(tag) : "";
        if (!fields[c]) {
            char m[160];
            snprintf(m, sizeof m, "unknown HXL tag %s", tag);
            csv_row_error(errs, line - 1, tag, m);
        }
    }
    json_t *row = json_array();
    while (csv_next(&p, end, row, &line) == 0) {
        int at = line - 1;
        int empty = 1;
        for (size_t c = 0; c < json_array_size(row); c++) empty &= json_string_length(json_array_get(row, c)) == 0;
        if (empty) {
            json_array_clear(row);
            continue;
        }
        if (json_array_size(rows) >= IMPORT_MAX_ROWS) {
            csv_row_error(errs, at, "rows", "more than 5000 rows");
            break;
        }
        json_t *in = json_object(), *name = json_object(), *contact = json_object();
        const char *lat = NULL, *lon = NULL;
        int bad = 0;
        for (size_t c = 0; c < ncol && c < json_array_size(row); c++) {
            const char *v = json_string_value(json_array_get(row, c)), *f = fields[c];
            if (!f || !*f || !*v) continue;
            if (!strcmp(f, "lat")) lat = v;
            else if (!strcmp(f, "lon")) lon = v;
            else if (!strncmp(f, "name.", 5)) json_object_set_new(name, f + 5, json_string(v));
            else if (!strncmp(f, "contact.", 8)) json_object_set_new(contact, f + 8, json_string(v));
            else if (!strcmp(f, "staff_count")) {
                char *e;
                long long n = strtoll(v, &e, 10);
                if (*e) {
                    csv_row_error(errs, at, "#reached+staff", "staff must be a whole number");
                    bad = 1;
                }
                json_object_set_new(in, f, json_integer(n));
            } else if (!strcmp(f, "geometry")) {
                json_t *g = json_loads(v, 0, NULL);
                if (!g) {
                    csv_row_error(errs, at, "#geo+json", "not a GeoJSON geometry");
                    bad = 1;
                } else {
                    json_object_set_new(in, f, g);
                }
            } else if (!strcmp(f, "org")) {
                if (strcmp(v, org)) {
                    csv_row_error(errs, at, "#org", "you can only import your own organisation's sites");
                    bad = 1;
                }
            } else {
                json_object_set_new(in, f, json_string(v));
            }
        }
        if (!json_object_get(in, "geometry")) {
            char *e1 = NULL, *e2 = NULL;
            double la = lat ? strtod(lat, &e1) : NAN, lo = lon ? strtod(lon, &e2) : NAN;
            if (!lat || *e1 || !isfinite(la)) {
                csv_row_error(errs, at, "#geo+lat", lat ? "not a number" : "missing");
                bad = 1;
            } else if (!lon || *e2 || !isfinite(lo)) {
                csv_row_error(errs, at, "#geo+lon", lon ? "not a number" : "missing");
                bad = 1;
            } else {
                json_object_set_new(in, "geometry", json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", lo, la));
            }
        }
        if (json_object_size(name)) json_object_set(in, "name", name);
        if (json_object_size(contact)) json_object_set(in, "contact", contact);
        json_decref(name);
        json_decref(contact);
        json_object_set_new(in, "_line", json_integer(at));
        if (bad) json_object_set_new(in, "_bad", json_true());
        json_array_append_new(rows, in);
        json_array_clear(row);
    }
    json_decref(row);
    json_decref(head);
    return rows;
}

static json_t *rows_from_geojson(const char *data, size_t len, json_t *errs)
{
    json_error_t je;
    json_t *rows = json_array();
    json_t *fc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!fc || strcmp(rec_str(fc, "type") ? rec_str(fc, "type") : "", "FeatureCollection") ||
        !json_is_array(json_object_get(fc, "features"))) {
        csv_row_error(errs, fc ? 1 : je.line, "type",
                  fc ? "the file must be a GeoJSON FeatureCollection" : "the file is not valid JSON");
        json_decref(fc);
        return rows;
    }
    if (json_array_size(json_object_get(fc, "features")) > IMPORT_MAX_ROWS)
        csv_row_error(errs, 1, "features", "more than 5000 features");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(fc, "features"), i, f)
    {
        if (i >= IMPORT_MAX_ROWS) break;
        json_t *in = json_object();
        json_t *props = json_object_get(f, "properties");
        const char *k;
        json_t *v;
        json_t *name = json_object(), *contact = json_object();
        json_object_foreach(props, k, v)
        {
            if (!strcmp(k, "name_en")) json_object_set(name, "en", v);
            else if (!strcmp(k, "name_ar")) json_object_set(name, "ar", v);
            else if (!strcmp(k, "contact_name")) json_object_set(contact, "name", v);
            else if (!strcmp(k, "contact_phone")) json_object_set(contact, "phone", v);
            /* Names with '_' are the import's own marks (_line, _bad): a
             * property "_bad" would let its row skip every check. */
            else if (k[0] == '_') {
                char m[160];
                snprintf(m, sizeof m, "unknown field '%.100s'", k);
                csv_row_error(errs, (int)i + 1, k, m);
            }
            /* what an export adds and an import ignores */
            else if (!strcmp(k, "id") || !strcmp(k, "org") || !strcmp(k, "status") || !strcmp(k, "lapsed") ||
                     !strcmp(k, "labels") || !strcmp(k, "conflicts") || !strcmp(k, "exercise") ||
                     !strcmp(k, "kind") || !strncmp(k, "notified_", 9) || !strncmp(k, "acknowledged_", 13) ||
                     !strncmp(k, "confirmed_", 10) || !strncmp(k, "amended_", 8) || !strncmp(k, "withdrawn_", 10))
                continue;
            else json_object_set(in, k, v);
        }
        if (json_object_size(name)) json_object_set(in, "name", name);
        if (json_object_size(contact)) json_object_set(in, "contact", contact);
        json_decref(name);
        json_decref(contact);
        json_object_set(in, "geometry", json_object_get(f, "geometry"));
        json_object_set_new(in, "_line", json_integer((json_int_t)i + 1));
        json_array_append_new(rows, in);
    }
    json_decref(fc);
    return rows;
}

static int places_import(req_t *r)
{
    if (need_geo(r)) return -1;
    int type = place_type(r);
    if (type == PL_SITE ? !(r->who.perms & (1ull << P_NOTIFY)) : !(r->who.perms & (1ull << P_NOSTRIKE)))
        return reply_error(r, E_FORBIDDEN, NULL, NULL);
    const char *ct = req_header(r, "Content-Type");
    if (!ct) return reply_error(r, E_MEDIA_TYPE, NULL, "send text/csv or application/geo+json");
    if (r->body.len == 0) return reply_error(r, E_MISSING_FIELD, "body", "the file is empty");
    json_t *errs = json_array(), *rows;
    if (strncasecmp(ct, "text/csv", 8) == 0)
        rows = rows_from_csv(r->body.data, r->body.len, errs, r->who.org);
    else if (strncasecmp(ct, "application/geo+json", 20) == 0 || strncasecmp(ct, "application/json", 16) == 0)
        rows = rows_from_geojson(r->body.data, r->body.len, errs);
    else {
        json_decref(errs);
        return reply_error(r, E_MEDIA_TYPE, NULL, "send text/csv or application/geo+json");
    }
    const field_t *fields = type == PL_SITE ? site_fields : nostrike_fields;
    int csv = strncasecmp(ct, "text/csv", 8) == 0;
    size_t i;
    json_t *in;
    json_array_foreach(rows, i, in)
    {
        int line = (int)json_integer_value(json_object_get(in, "_line"));
        int was_bad = json_is_true(json_object_get(in, "_bad"));
        json_object_del(in, "_bad");
        json_t *probe = json_deep_copy(in);
        json_object_del(probe, "_line");
        json_object_del(probe, "ref");
        err_t e;
        if (!was_bad && (schema_check(probe, fields, &e) || check_place_input(r->t, probe, NULL, &e)))
            csv_row_error(errs, line, csv ? hxl_tag_of(e.field) : e.field, e.message);
        json_decref(probe);
    }
    if (json_array_size(rows) == 0 && json_array_size(errs) == 0) csv_row_error(errs, 1, "rows", "the file has no rows");
    csv_sort_rows(errs);
    if (json_array_size(errs)) {
        json_decref(rows);
        reply_json(r, 400, json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code", "bad_rows", "message",
                                     "the file was not imported: some rows are not valid", "field", "rows", "rows",
                                     errs));
        return -1;
    }
    json_decref(errs);
    json_array_foreach(rows, i, in) json_object_del(in, "ref");
    const char *skip = req_query(r, "confirm_not_duplicate");
    place_op_t op = {.type = type, .rows = rows, .skip_dup = skip && strcmp(skip, "0")};
    cmd_t c = {.who = &r->who, .prepare = prepare_place_add, .arg = &op};
    int rc;
    if (log_submit(r->t, &c)) {
        if (op.bad_rows) {
            reply_json(r, 400, json_pack("{s:{s:s, s:s, s:s, s:O}}", "error", "code", "bad_rows", "message",
                                         c.err.message, "field", "rows", "rows", op.bad_rows));
            rc = -1;
        } else
            rc = reply_err(r, &c.err);
    } else {
        json_t *ids = json_array();
        pthread_rwlock_rdlock(&r->t->lock);
        uint64_t first = id_number(c.result_id, ptype[type].prefix);
        for (size_t k = 0; k < json_array_size(rows); k++) {
            char id[32];
            snprintf(id, sizeof id, "%s-%llu", ptype[type].prefix, (unsigned long long)(first + k));
            json_array_append_new(ids, json_string(id));
        }
        pthread_rwlock_unlock(&r->t->lock);
        rc = reply_written(r, 201, &c, json_pack("{s:o, s:I}", "ids", ids, "count", (json_int_t)json_array_size(rows)));
    }
    json_decref(op.bad_rows);
    json_decref(rows);
    return rc;
}

/* A file of many thousand rows takes seconds: on a helper thread, so the
 * connections that share a pool thread are not held up. */
int h_places_import(req_t *r)
{
    return req_offload(r, places_import);
}

/* ---- movements ---- */

typedef struct {
    const char *id;
    json_t *in;       /* body, with computed times */
    const char *status, *reason;
} mov_op_t;

/* Checks route, times and window of a movement (creation or amendment,
 * merged over old), filling in->times from departure + speed when given. */
static int check_movement(truce_t *t, json_t *in, const json_t *old, err_t *e)
{
    json_t *route = json_object_get(in, "route") ? json_object_get(in, "route") : json_object_get(old, "route");
    shape_t s;
    if (json_object_get(in, "route")) {
        if (geo_shape_from_json(NS(t)->geo, route, 1 << SH_LINE, "route", &s, e)) return -1;
        int n = s.n;
        shape_free(&s);
        if (n > MAX_ROUTE) return err_set(e, E_OUT_OF_RANGE, "route", "route has more than %d positions", MAX_ROUTE);
    }
    size_t nv = json_array_size(json_object_get(route, "coordinates"));
    json_t *times = json_object_get(in, "times");
    int has_dep = json_object_get(in, "departure") != NULL, has_speed = json_object_get(in, "speed_kmh") != NULL;
    if (times && (has_dep || has_speed))
        return err_set(e, E_BAD_VALUE, "times", "give either times or departure and speed_kmh, not both");
    if (has_dep != has_speed)
        return err_set(e, E_MISSING_FIELD, has_dep ? "speed_kmh" : "departure", "departure and speed_kmh go together");
    if (has_dep) {
        int64_t t0 = rec_time(in, "departure");
        double kmh = json_number_value(json_object_get(in, "speed_kmh")), along = 0;
        json_t *co = json_object_get(route, "coordinates");
        times = json_array();
        for (size_t i = 0; i < nv; i++) {
            if (i) {
                json_t *a = json_array_get(co, i - 1), *b = json_array_get(co, i);
                along += geo_geodesic_m(json_number_value(json_array_get(a, 0)), json_number_value(json_array_get(a, 1)),
                                        json_number_value(json_array_get(b, 0)), json_number_value(json_array_get(b, 1)));
            }
            char ts[32];
            time_format(t0 + (int64_t)llround(along / (kmh / 3.6) * 1000), ts);
            json_array_append_new(times, json_string(ts));
        }
        json_object_set_new(in, "times", times);
        json_object_del(in, "departure");
        json_object_del(in, "speed_kmh");
    } else if (!times && json_object_get(in, "route")) {
        return err_set(e, E_MISSING_FIELD, "times", "give times (one per route position) or departure and speed_kmh");
    }
    if (!times) times = json_object_get(old, "times");
    if (json_array_size(times) != nv)
        return err_set(e, E_BAD_VALUE, "times", "times has %zu items but the route has %zu positions",
                       json_array_size(times), nv);
    const char *wf = json_object_get(in, "window_from") ? "window_from" : NULL;
    const char *wu = json_object_get(in, "window_until") ? "window_until" : NULL;
    int64_t from = wf ? rec_time(in, wf) : rec_time(old, "window_from");
    int64_t until = wu ? rec_time(in, wu) : rec_time(old, "window_until");
    if (until <= from) return err_set(e, E_OUT_OF_RANGE, "window_until", "window_until must be after window_from");
    if (until - from > MAX_CHECK_MS)
        return err_set(e, E_OUT_OF_RANGE, "window_until", "a movement's window is at most 31 days");
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < nv; i++) {
        int64_t ti;
        time_parse(json_string_value(json_array_get(times, i)), &ti);
        char f[32];
        snprintf(f, sizeof f, "times[%zu]", i);
        if (ti < prev) return err_set(e, E_BAD_VALUE, f, "%s is before the time of the previous position", f);
        if (ti < from || ti > until)
            return err_set(e, E_OUT_OF_RANGE, f, "%s is outside the window (window_from..window_until)", f);
        prev = ti;
    }
    return 0;
}

static json_t *movement_body(const json_t *in, const char *org)
{
    json_t *b = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v) if (strcmp(k, "contact") && strcmp(k, "staff_names") && strcmp(k, "org"))
        json_object_set(b, k, v);
    if (org) json_object_set_new(b, "org", json_string(org));
    return b;
}

static json_t *movement_detail(const json_t *in)
{
    json_t *d = json_object();
    if (json_object_get(in, "contact")) json_object_set(d, "contact", json_object_get(in, "contact"));
    if (json_object_get(in, "staff_names")) json_object_set(d, "staff_names", json_object_get(in, "staff_names"));
    return d;
}

int notify_prepare_movement(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->who ? ((mov_op_t *)c->arg)->in : c->arg;
    notify_state_t *ns = NS(t);
    const char *org = org_of(c, in);
    if (!c->who) { /* the scenario: check as the API would */
        if (!ns->geo) return err_set(e, E_UNAVAILABLE, NULL, "no mission geography");
        json_t *probe = json_deep_copy(in);
        json_object_del(probe, "org");
        json_object_del(probe, "exercise");
        int bad = schema_check(probe, movement_fields, e) || check_movement(t, in, NULL, e);
        json_decref(probe);
        if (bad) return -1;
    }
    snprintf(c->result_id, sizeof c->result_id, "MOV-%llu", (unsigned long long)ns->last[2] + 1);
    json_t *mbody = movement_body(in, org);
    if (t->exercise) json_object_set_new(mbody, "exercise", json_true());
    if (cmd_draft(c, "movement.notified", c->result_id, sharing(t, "movement", org), mbody, e)) return -1;
    json_t *d = movement_detail(in);
    if (json_object_size(d) && cmd_draft(c, "movement.detail", c->result_id, sharing(t, "detail", org), d, e)) return -1;
    if (!json_object_size(d)) json_decref(d);
    /* An escort request becomes an ISF task linked to the movement. */
    if (json_is_true(json_object_get(in, "escort_requested")))
        return isf_draft_escort(t, c, c->result_id, in, org, e);
    return 0;
}

/* Movement status changes: (from states) -> to, and who. */
static const struct {
    const char *to;
    const char *from[6];
    int owner;        /* the owning organisation may do it too */
    int reason;       /* a reason is required */
} transitions[] = {
    {"acknowledged", {"submitted"}, 0, 0},
    {"facilitated", {"acknowledged", "postponed", "facilitated", "partially_facilitated", "impeded"}, 0, 0},
    {"partially_facilitated", {"acknowledged", "postponed", "facilitated", "partially_facilitated", "impeded"}, 0, 0},
    {"impeded", {"acknowledged", "postponed", "facilitated", "partially_facilitated", "impeded"}, 0, 1},
    {"denied", {"acknowledged", "postponed"}, 0, 1},
    {"postponed", {"acknowledged", "postponed"}, 0, 1},
    {"completed", {"facilitated", "partially_facilitated", "impeded"}, 1, 0},
    {"cancelled", {"submitted", "acknowledged", "postponed"}, 1, 1},
};

static int prepare_movement_status(truce_t *t, cmd_t *c, err_t *e)
{
    mov_op_t *op = c->arg;
    json_t *rec = json_object_get(NS(t)->movements, op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    const char *from = rec_str(rec, "status");
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
        if (strcmp(transitions[i].to, op->status)) continue;
        int ok = 0;
        for (int k = 0; k < 6 && transitions[i].from[k]; k++) ok |= strcmp(transitions[i].from[k], from) == 0;
        if (!ok) return err_set(e, E_CONFLICT, "status", "%s is %s: it cannot become %s", op->id, from, op->status);
        int cmcc = c->who && (c->who->perms & (1ull << P_NOTIFY_ACK));
        int owner = c->who && strcmp(c->who->org, rec_str(rec, "org")) == 0;
        if (c->who && !cmcc && !(transitions[i].owner && owner))
            return err_set(e, E_FORBIDDEN, "status", "your roles do not allow setting %s", op->status);
        if (transitions[i].reason && (!op->reason || !op->reason[strspn(op->reason, " \t\n")]))
            return err_set(e, E_MISSING_FIELD, "reason", "a reason is required for %s", op->status);
        return cmd_draft(c, "movement.status", op->id, json_incref(json_object_get(rec, "_labels")),
                         json_pack("{s:s, s:s?}", "status", op->status, "reason", op->reason), e);
    }
    return err_set(e, E_CONFLICT, "status", "%s is %s: it cannot become %s", op->id, from, op->status);
}

static int prepare_movement_amend(truce_t *t, cmd_t *c, err_t *e)
{
    mov_op_t *op = c->arg;
    json_t *rec = json_object_get(NS(t)->movements, op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    if (c->who && strcmp(c->who->org, rec_str(rec, "org")))
        return err_set(e, E_FORBIDDEN, NULL, "only %s amends its movements", rec_str(rec, "org"));
    if (movement_final(rec_str(rec, "status")))
        return err_set(e, E_CONFLICT, NULL, "%s is %s", op->id, rec_str(rec, "status"));
    if (cmd_draft(c, "movement.amended", op->id, json_incref(json_object_get(rec, "_labels")),
                  movement_body(op->in, NULL), e))
        return -1;
    json_t *d = movement_detail(op->in);
    if (json_object_size(d))
        return cmd_draft(c, "movement.detail", op->id, sharing(t, "detail", rec_str(rec, "org")), d, e);
    json_decref(d);
    return 0;
}

int h_movements_add(req_t *r)
{
    if (need_geo(r)) return -1;
    err_t e;
    if (check_movement(r->t, r->json, NULL, &e)) return reply_err(r, &e);
    mov_op_t op = {.in = r->json};
    cmd_t c = {.who = &r->who, .prepare = notify_prepare_movement, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_record(r, 201, &c, NS(r->t)->movements, "movement");
}

int h_movement_status(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = visible(r, NS(r->t)->movements, r->params[0]);
    pthread_rwlock_unlock(&r->t->lock);
    if (!rec) return -1;
    mov_op_t op = {.id = r->params[0], .status = rec_str(r->json, "status"), .reason = rec_str(r->json, "reason")};
    cmd_t c = {.who = &r->who, .prepare = prepare_movement_status, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_record(r, 200, &c, NS(r->t)->movements, "movement");
}

int h_movement_amend(req_t *r)
{
    if (need_geo(r)) return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = visible(r, NS(r->t)->movements, r->params[0]);
    json_t *old = rec ? json_pack("{s:O, s:O, s:O, s:O}", "route", json_object_get(rec, "route"), "times",
                                  json_object_get(rec, "times"), "window_from", json_object_get(rec, "window_from"),
                                  "window_until", json_object_get(rec, "window_until"))
                      : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!rec) return -1;
    if (json_object_size(r->json) == 0) {
        json_decref(old);
        return reply_error(r, E_MISSING_FIELD, NULL, "nothing to amend");
    }
    err_t e;
    int bad = check_movement(r->t, r->json, old, &e);
    json_decref(old);
    if (bad) return reply_err(r, &e);
    mov_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_movement_amend, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_record(r, 200, &c, NS(r->t)->movements, "movement");
}

int h_movements_list(req_t *r)
{
    if (req_query_enum(r, "status", movement_states) || query_org(r)) return -1;
    const char *status = req_query(r, "status"), *mine = req_query(r, "mine");
    int64_t now = util_now_ms();
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *rec;
    json_object_foreach(NS(r->t)->movements, id, rec)
    {
        if (!may_see(&r->who, json_object_get(rec, "_labels"))) continue;
        if (!want(r, rec, "org", "org") || (status && strcmp(rec_str(rec, "status"), status))) continue;
        if (mine && strcmp(mine, "0") && strcmp(rec_str(rec, "org"), r->who.org)) continue;
        json_array_append_new(out, rec_out(r->t, &r->who, rec, now));
    }
    pthread_rwlock_unlock(&r->t->lock);
    return reply_export(r, out, "movements");
}

int h_movement_get(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = visible(r, NS(r->t)->movements, r->params[0]);
    json_t *o = rec ? rec_out(r->t, &r->who, rec, util_now_ms()) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return -1;
    return reply_json(r, 200, o);
}

/* ---- units ---- */

int notify_prepare_unit(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *id = rec_str(in, "id"), *org = rec_str(in, "org");
    if (!id || !schema_valid_id(id, 48) || strncmp(id, "UNIT-", 5))
        return err_set(e, E_BAD_VALUE, "id", "a unit needs an id UNIT-...");
    if (!org) return err_set(e, E_MISSING_FIELD, "org", "a unit needs an org");
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    json_t *body = json_deep_copy(in);
    json_object_del(body, "id");
    json_object_del(body, "position");
    json_object_del(body, "position_at");
    json_t *labels = sharing(t, "unit", org);
    if (cmd_draft(c, "unit.registered", id, json_incref(labels), body, e)) {
        json_decref(labels);
        return -1;
    }
    json_t *pos = json_object_get(in, "position");
    if (!pos) {
        json_decref(labels);
        return 0;
    }
    char at[32];
    int64_t when = util_now_ms();
    if (rec_str(in, "position_at")) time_parse(rec_str(in, "position_at"), &when); /* the scenario's report time */
    time_format(when, at);
    return cmd_draft(c, "unit.position", id, labels, json_pack("{s:O, s:s}", "geometry", pos, "at", at), e);
}

typedef struct {
    const char *id;
    json_t *in;
    json_t *many;   /* bulk: [{"unit", "geometry", "at"?}] */
} pos_op_t;

static int draft_position(truce_t *t, cmd_t *c, const char *id, const json_t *in, const char *field, err_t *e)
{
    json_t *rec = json_object_get(NS(t)->units, id);
    if (!rec) return err_set(e, E_NOT_FOUND, field, "no unit %s", id);
    int hq = 0;
    for (int i = 0; c->who && i < c->who->nroles; i++) hq |= !strcmp(c->who->roles[i], "isf_hq");
    if (c->who && !hq && strcmp(c->who->org, rec_str(rec, "org")))
        return err_set(e, E_FORBIDDEN, field, "a contingent reports only its own units");
    char at[32];
    int64_t ms = json_object_get(in, "at") ? rec_time(in, "at") : util_now_ms();
    time_format(ms, at);
    return cmd_draft(c, "unit.position", id, sharing(t, "unit", rec_str(rec, "org")),
                     json_pack("{s:O, s:s}", "geometry", json_object_get(in, "geometry"), "at", at), e);
}

static int prepare_position(truce_t *t, cmd_t *c, err_t *e)
{
    pos_op_t *op = c->arg;
    if (!op->many) {
        snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
        return draft_position(t, c, op->id, op->in, NULL, e);
    }
    size_t i;
    json_t *x;
    json_array_foreach(op->many, i, x)
    {
        char field[48];
        snprintf(field, sizeof field, "positions[%zu].unit", i);
        if (draft_position(t, c, rec_str(x, "unit"), x, field, e)) return -1;
    }
    return 0;
}

static const field_t one_position_fields[] = {
    {"unit", F_ID, 1, 0, 0, 48, NULL, "UNIT-..."},
    {"geometry", F_GEOJSON, 1, 0, 0, 0, NULL, "GeoJSON Point"},
    {"at", F_TIME, 0, 0, 0, 0, NULL, "when (default: now)"},
    {NULL},
};

/* Many reports in one write (a unit tracker's batch): all or none. */
int h_unit_positions(req_t *r)
{
    if (need_geo(r)) return -1;
    json_t *list = json_object_get(r->json, "positions");
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 1000)
        return reply_error(r, E_BAD_VALUE, "positions", "positions must hold 1 to 1000 reports");
    size_t i;
    json_t *x;
    err_t e;
    json_array_foreach(list, i, x)
    {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "positions[%zu]", i);
        shape_t s;
        if (schema_check_in(x, one_position_fields, prefix, &e)) return reply_err(r, &e);
        char gf[48];
        snprintf(gf, sizeof gf, "positions[%zu].geometry", i);
        if (geo_shape_from_json(NS(r->t)->geo, json_object_get(x, "geometry"), 1 << SH_POINT, gf, &s, &e))
            return reply_err(r, &e);
        shape_free(&s);
        if (json_object_get(x, "at") && rec_time(x, "at") > util_now_ms() + 5 * 60 * 1000)
            return reply_error(r, E_OUT_OF_RANGE, "at", "positions[%zu].at is in the future", i);
        pthread_rwlock_rdlock(&r->t->lock);
        json_t *rec = json_object_get(NS(r->t)->units, rec_str(x, "unit"));
        int seen = rec && may_see(&r->who, json_object_get(rec, "_labels"));
        pthread_rwlock_unlock(&r->t->lock);
        if (!seen) return reply_error(r, E_NOT_FOUND, "unit", "positions[%zu]: no unit %s you may see", i, rec_str(x, "unit"));
    }
    pos_op_t op = {.many = list};
    cmd_t c = {.who = &r->who, .prepare = prepare_position, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 200, &c, json_pack("{s:I}", "count", (json_int_t)json_array_size(list)));
}

int h_unit_position(req_t *r)
{
    if (need_geo(r)) return -1;
    err_t e;
    shape_t s;
    if (geo_shape_from_json(NS(r->t)->geo, json_object_get(r->json, "geometry"), 1 << SH_POINT, "geometry", &s, &e))
        return reply_err(r, &e);
    shape_free(&s);
    if (json_object_get(r->json, "at") && rec_time(r->json, "at") > util_now_ms() + 5 * 60 * 1000)
        return reply_error(r, E_OUT_OF_RANGE, "at", "at is in the future");
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = visible(r, NS(r->t)->units, r->params[0]);
    pthread_rwlock_unlock(&r->t->lock);
    if (!rec) return -1;
    pos_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_position, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_record(r, 200, &c, NS(r->t)->units, "unit");
}

int h_units_list(req_t *r)
{
    json_t *out = json_array();
    int64_t now = util_now_ms();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *rec;
    json_object_foreach(NS(r->t)->units, id, rec) if (may_see(&r->who, json_object_get(rec, "_labels")))
        json_array_append_new(out, rec_out(r->t, &r->who, rec, now));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", "units", out));
}

/* ---- the check ---- */

static const field_t check_kinds_field = {"kinds", F_STRLIST, 0, 0, 5, 16, NULL, NULL};

int h_deconflict_check(req_t *r)
{
    if (need_geo(r)) return -1;
    notify_state_t *ns = NS(r->t);
    json_t *in = r->json;
    err_t e;
    area_t a = {0};
    if (geo_shape_from_json(ns->geo, json_object_get(in, "geometry"), 1 << SH_POINT | 1 << SH_POLY, "geometry",
                            &a.shape, &e))
        return reply_err(r, &e);
    json_t *radius = json_object_get(in, "radius_m");
    int rc = -1;
    if (a.shape.type == SH_POINT && !radius) {
        rc = reply_error(r, E_MISSING_FIELD, "radius_m", "radius_m is required with a Point");
        goto out;
    }
    if (a.shape.type == SH_POLY && radius && json_number_value(radius) > 0) {
        rc = reply_error(r, E_BAD_VALUE, "radius_m", "radius_m goes with a Point, not a Polygon");
        goto out;
    }
    a.radius = radius ? json_number_value(radius) : 0;
    int64_t from = rec_time(in, "from"), until = rec_time(in, "until");
    if (until <= from) {
        rc = reply_error(r, E_OUT_OF_RANGE, "until", "until must be after from");
        goto out;
    }
    if (until - from > MAX_CHECK_MS) {
        rc = reply_error(r, E_OUT_OF_RANGE, "until", "a check's window is at most 31 days");
        goto out;
    }
    unsigned kinds = 0;
    json_t *kl = json_object_get(in, "kinds");
    if (kl && schema_value(kl, &check_kinds_field, "kinds", &e)) {
        rc = reply_err(r, &e);
        goto out;
    }
    size_t i;
    json_t *k;
    json_array_foreach(kl, i, k)
    {
        int found = -1;
        for (int d = 0; d < DC__KINDS; d++)
            if (strcmp(dc_kind_names[d], json_string_value(k)) == 0) found = d;
        if (found < 0) {
            rc = reply_error(r, E_BAD_VALUE, "kinds", "kinds[%zu] must be site, nostrike, movement, unit or operation", i);
            goto out;
        }
        kinds |= 1u << found;
    }
    dc_query_t q = {.area = &a, .from = from, .until = until,
                    .buffer_m = json_number_value(json_object_get(in, "buffer_m")), .kinds = kinds, .who = &r->who,
                    .skip_kind = -1};
    conflict_t *c = NULL;
    size_t n = 0;
    json_t *out = json_array();
    int64_t now = util_now_ms();
    pthread_rwlock_rdlock(&r->t->lock);
    if (dc_check(ns->dc, &q, &c, &n) == 0) {
        for (size_t j = 0; j < n; j++) {
            json_t *o = conflict_json(&c[j]);
            json_t *rec = NULL;
            if (c[j].kind == DC_SITE || c[j].kind == DC_NOSTRIKE) {
                rec = json_object_get(ns->places[c[j].kind == DC_NOSTRIKE], c[j].id);
                int lapsed;
                json_object_set(o, "geometry", json_object_get(rec, "geometry"));
                json_object_set_new(o, "status", json_string(place_status(r->t, rec, now, &lapsed)));
            } else if (c[j].kind == DC_MOVEMENT) {
                rec = json_object_get(ns->movements, c[j].id);
                json_t *co = json_object_get(json_object_get(rec, "route"), "coordinates");
                json_object_set_new(o, "geometry", json_pack("{s:s, s:[O,O]}", "type", "LineString", "coordinates",
                                                             json_array_get(co, (size_t)c[j].segment),
                                                             json_array_get(co, (size_t)c[j].segment + 1)));
                json_object_set(o, "status", json_object_get(rec, "status"));
                json_object_set(o, "purpose", json_object_get(rec, "purpose"));
            } else if (c[j].kind == DC_UNIT) {
                /* the report the conflict is about: the last, or one of the history */
                rec = json_object_get(ns->units, rec_str(o, "id"));
                json_int_t k = json_integer_value(json_object_get(o, "report"));
                json_t *rep = json_object_get(rec, "position");
                size_t h;
                json_t *x;
                json_array_foreach(json_object_get(rec, "_history"), h, x) if (json_integer_value(json_object_get(x, "n")) == k)
                    rep = x;
                if (rep && json_integer_value(json_object_get(rep, "n")) == k) {
                    json_object_set(o, "geometry", json_object_get(rep, "geometry"));
                    json_object_set(o, "at", json_object_get(rep, "at"));
                }
            }
            if (rec) {
                json_object_set(o, "name", json_object_get(rec, "name"));
                json_object_set(o, "org", json_object_get(rec, "org"));
            }
            json_array_append_new(out, o);
        }
        free(c);
    }
    pthread_rwlock_unlock(&r->t->lock);
    char at[32];
    time_format(now, at);
    rc = reply_json(r, 200, json_pack("{s:o, s:I, s:s}", "conflicts", out, "count", (json_int_t)n, "checked_at", at));
out:
    shape_free(&a.shape);
    return rc;
}

/* ---- scenario ---- */

static int prepare_place_scenario(truce_t *t, cmd_t *c, int type, err_t *e)
{
    json_t *in = c->arg;
    if (!NS(t)->geo) return err_set(e, E_UNAVAILABLE, NULL, "no mission geography");
    json_t *probe = json_deep_copy(in);
    json_object_del(probe, "org");
    json_object_del(probe, "exercise");
    int bad = schema_check(probe, type == PL_SITE ? site_fields : nostrike_fields, e) ||
              check_place_input(t, probe, NULL, e);
    json_decref(probe);
    if (bad) return -1;
    place_op_t op = {.type = type, .in = in, .skip_dup = 1};
    uint64_t saved = NS(t)->last[type];
    int rc = draft_place(t, c, &op, in, c->result_id, e);
    NS(t)->last[type] = saved;
    return rc;
}

int notify_prepare_site(truce_t *t, cmd_t *c, err_t *e)
{
    return prepare_place_scenario(t, c, PL_SITE, e);
}

int notify_prepare_nostrike(truce_t *t, cmd_t *c, err_t *e)
{
    return prepare_place_scenario(t, c, PL_NSL, e);
}

/* ---- field tables ---- */

static const field_t contact_fields[] = {
    {"name", F_STR, 1, 1, 0, 120, NULL, "contact person"},
    {"phone", F_STR, 0, 3, 0, 40, NULL, "phone number"},
    {"email", F_STR, 0, 3, 0, 120, NULL, "e-mail address"},
    {NULL},
};

#define PLACE_FIELDS(cats, req)                                                                                     \
    {"category", F_ENUM, req, 0, 0, 0, cats, "what the place is"},                                                 \
        {"geometry", F_GEOJSON, req, 0, 0, 0, NULL, "GeoJSON Point or Polygon, [lon, lat], inside the mission area"}, \
        {"name", F_I18N, req, 0, 0, 200, NULL, "name in English and Arabic"},                                      \
        {"staff_count", F_INT, 0, 0, 100000, 0, NULL, "staff usually present"},                                    \
        {"valid_from", F_TIME, req, 0, 0, 0, NULL, "notified from"},                                               \
        {"valid_until", F_TIME, req, 0, 0, 0, NULL, "notified until (after valid_from)"},                          \
        {"contact", F_OBJECT, 0, 0, 0, 0, NULL, "contact (seen only by your organisation and the CMCC)", contact_fields}, \
        {"note", F_STR, 0, 0, 0, 2000, NULL, "free text"}

const field_t site_fields[] = {
    PLACE_FIELDS(site_categories, 1),
    {"not_duplicate_of", F_IDLIST, 0, 0, 16, 32, NULL, "sites within 25 m that this one is not a duplicate of"},
    {NULL},
};
const field_t site_amend_fields[] = {
    PLACE_FIELDS(site_categories, 0),
    {"not_duplicate_of", F_IDLIST, 0, 0, 16, 32, NULL, "sites within 25 m that this one is not a duplicate of"},
    {NULL},
};
const field_t nostrike_fields[] = {PLACE_FIELDS(nostrike_categories, 1), {NULL}};
const field_t nostrike_amend_fields[] = {PLACE_FIELDS(nostrike_categories, 0), {NULL}};

const field_t ack_fields[] = {
    {"note", F_STR, 0, 0, 0, 2000, NULL, "note"},
    {NULL},
};
const field_t withdraw_fields[] = {
    {"reason", F_STR, 1, 1, 0, 2000, NULL, "why it is withdrawn"},
    {NULL},
};

static const field_t vehicle_fields[] = {
    {"count", F_INT, 1, 0, 500, 0, NULL, "number of vehicles"},
    {"plates", F_TEXTLIST, 0, 0, 500, 20, NULL, "number plates"},
    {"markings", F_STR, 0, 0, 0, 500, NULL, "markings and colours"},
    {NULL},
};

#define MOVEMENT_FIELDS(req)                                                                                      \
    {"purpose", F_STR, req, 1, 0, 500, NULL, "what the movement is for"},                                        \
        {"vehicles", F_OBJECT, req, 0, 0, 0, NULL, "vehicles: count, plates, markings", vehicle_fields},          \
        {"staff_count", F_INT, 0, 0, 10000, 0, NULL, "staff travelling"},                                         \
        {"staff_names", F_TEXTLIST, 0, 0, 200, 120, NULL, "staff names (seen only by your organisation and the CMCC)"}, \
        {"contact", F_OBJECT, 0, 0, 0, 0, NULL, "contact (seen only by your organisation and the CMCC)", contact_fields}, \
        {"cargo", F_STR, 0, 0, 0, 1000, NULL, "cargo"},                                                           \
        {"route", F_GEOJSON, req, 0, 0, 0, NULL, "GeoJSON LineString of the route's positions, in order"},      \
        {"times", F_TIMELIST, 0, 0, MAX_ROUTE, 0, NULL, "planned time at each route position"},                   \
        {"departure", F_TIME, 0, 0, 0, 0, NULL, "departure time (with speed_kmh, instead of times)"},             \
        {"speed_kmh", F_NUM, 0, 1, 120, 0, NULL, "planned speed (with departure)"},                               \
        {"window_from", F_TIME, req, 0, 0, 0, NULL, "start of the movement's window"},                            \
        {"window_until", F_TIME, req, 0, 0, 0, NULL, "end of the movement's window"},                             \
        {"escort_requested", F_BOOL, 0, 0, 0, 0, NULL, "ask the ISF for an escort"},                               \
        {"note", F_STR, 0, 0, 0, 2000, NULL, "free text"}

const field_t movement_fields[] = {MOVEMENT_FIELDS(1), {NULL}};
const field_t movement_amend_fields[] = {MOVEMENT_FIELDS(0), {NULL}};

const field_t mstatus_fields[] = {
    {"status", F_ENUM, 1, 0, 0, 0, movement_states, "the new status"},
    {"reason", F_STR, 0, 1, 0, 2000, NULL, "why (required for impeded, denied, postponed, cancelled)"},
    {NULL},
};

const field_t positions_bulk_fields[] = {
    {"positions", F_ARRAY, 1, 1, 1000, 0, NULL, "reports: [{unit, geometry, at?}], 1 to 1000"},
    {NULL},
};

const field_t position_report_fields[] = {
    {"geometry", F_GEOJSON, 1, 0, 0, 0, NULL, "GeoJSON Point"},
    {"at", F_TIME, 0, 0, 0, 0, NULL, "when the unit was there (default: now)"},
    {NULL},
};

const field_t check_fields[] = {
    {"geometry", F_GEOJSON, 1, 0, 0, 0, NULL, "GeoJSON Point (with radius_m) or Polygon"},
    {"radius_m", F_NUM, 0, 1, 50000, 0, NULL, "radius around a Point"},
    {"from", F_TIME, 1, 0, 0, 0, NULL, "start of the window"},
    {"until", F_TIME, 1, 0, 0, 0, NULL, "end of the window (at most 31 days after from)"},
    {"buffer_m", F_NUM, 0, 0, 10000, 0, NULL, "extra distance added to every protection distance"},
    {"kinds", F_STRLIST, 0, 0, 5, 16, NULL, "only these kinds: site, nostrike, movement, unit, operation"},
    {NULL},
};
