/*
 * isf.c — see isf.h. Records are jansson objects keyed by id, with private
 * members starting with "_" (labels); the rule engine is isf_violations().
 */
#include "isf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "geo.h"
#include "log.h"
#include "record.h"
#include "notify.h"
#include "org.h"
#include "tz.h"

#define HOUR_MS (3600LL * 1000)

struct isf_state {
    json_t *contingents;   /* CTG-x -> record */
    json_t *caveats;       /* CAV-n -> record (contingent, rules, effective_from/until) */
    json_t *tasks;         /* TSK-n -> record */
    uint64_t last_caveat, last_task;
};

static isf_state_t *IS(truce_t *t)
{
    return t->isf;
}

const char *const task_types[] = {"patrol", "checkpoint", "convoy_escort", "site_protection", "cordon_and_search",
                                  "weapons_cache_seizure", "arrest", "ddr_site_security", "training_support", NULL};
const char *const unit_types[] = {"infantry", "military_police", "engineers_eod", "medical", "training_team",
                                  "headquarters", NULL};
const char *const force_levels[] = {"none", "non_lethal", "lethal_self_defence", "lethal", NULL};
static const char *const unit_states[] = {"available", "unavailable", "rotating", NULL};

static int force_rank(const char *s)
{
    for (int i = 0; s && force_levels[i]; i++)
        if (strcmp(force_levels[i], s) == 0) return i;
    return 0;
}

/* What a task type implies beyond its explicit flags. */
static int implies(const char *type, const char *flag)
{
    if (!strcmp(flag, "detention")) return !strcmp(type, "arrest");
    if (!strcmp(flag, "against_armed_groups"))
        return !strcmp(type, "cordon_and_search") || !strcmp(type, "weapons_cache_seizure") || !strcmp(type, "arrest");
    return 0;
}

static int task_flag(const json_t *task, const char *flag)
{
    return json_is_true(json_object_get(task, flag)) || implies(rec_str(task, "type"), flag);
}

/* ---- labels ---- */

static json_t *isf_labels(const char *org)
{
    json_t *l = json_pack("[s,s]", "org:ISF-HQ", "org:CMCC");
    if (org && strcmp(org, "ISF-HQ") && strcmp(org, "CMCC")) {
        char own[80];
        snprintf(own, sizeof own, "org:%s", org);
        json_array_append_new(l, json_string(own));
    }
    return l;
}

static json_t *labels_plus(const json_t *labels, const char *org)
{
    json_t *l = json_deep_copy(labels);
    if (!org) return l;
    char own[80];
    snprintf(own, sizeof own, "org:%s", org);
    if (!rec_has(l, own)) json_array_append_new(l, json_string(own));
    return l;
}

static int may_see(const principal_t *who, const json_t *labels)
{
    return !who || auth_may_see(who, labels);
}

/* ---- apply ---- */

static void apply_contingent(truce_t *t, const event_t *ev)
{
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_t *p = json_object_get(ev->body, "pledged"), *d = json_object_get(ev->body, "deployed");
    char at[32];
    time_format(ev->time, at);
    json_t *first = json_pack("{s:s, s:I}", "at", at, "seq", (json_int_t)ev->seq);
    if (p) json_object_set(first, "pledged", p);
    if (d) json_object_set(first, "deployed", d);
    json_object_set_new(rec, "strength_history", json_pack("[o]", first));
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    json_object_set_new(IS(t)->contingents, ev->subject, rec);
}

/* Strength records may be backdated: the history is kept in time order and
 * the current figures are those of the latest record giving each. */
static void apply_strength(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(IS(t)->contingents, ev->subject);
    if (!rec) return;
    json_t *h = json_object_get(rec, "strength_history");
    json_t *x = json_pack("{s:O, s:I}", "at", json_object_get(ev->body, "at"), "seq", (json_int_t)ev->seq);
    const char *keys[] = {"pledged", "deployed", "note"};
    for (int k = 0; k < 3; k++)
        if (json_object_get(ev->body, keys[k])) json_object_set(x, keys[k], json_object_get(ev->body, keys[k]));
    int64_t at = rec_time(ev->body, "at");
    size_t pos = json_array_size(h);
    while (pos > 0 && rec_time(json_array_get(h, pos - 1), "at") > at) pos--;
    json_array_insert_new(h, pos, x);
    for (int k = 0; k < 2; k++) {
        json_t *latest = NULL;
        size_t i;
        json_t *y;
        json_array_foreach(h, i, y) if (json_object_get(y, keys[k])) latest = json_object_get(y, keys[k]);
        if (latest) json_object_set(rec, keys[k], latest);
    }
}

static void apply_caveat(truce_t *t, const event_t *ev)
{
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "set_by", json_string(ev->actor));
    rec_set_time(rec, "set_at", ev->time);
    json_object_set_new(rec, "seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    json_object_set_new(IS(t)->caveats, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "CAV-");
    if (n > IS(t)->last_caveat) IS(t)->last_caveat = n;
}

static void task_history(json_t *rec, const event_t *ev, const char *status, const char *note)
{
    char at[32];
    time_format(ev->time, at);
    json_array_append_new(json_object_get(rec, "history"),
                          json_pack("{s:s, s:s, s:s, s:s?, s:I}", "status", status, "at", at, "by", ev->actor, "note",
                                    note, "seq", (json_int_t)ev->seq));
}

static void apply_task_created(truce_t *t, const event_t *ev)
{
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "status", json_string("draft"));
    json_object_set_new(rec, "created_by", json_string(ev->actor));
    rec_set_time(rec, "created_at", ev->time);
    json_object_set_new(rec, "history", json_array());
    task_history(rec, ev, "draft", NULL);
    json_object_set_new(rec, "_base_labels", json_deep_copy(ev->labels));
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    json_object_set_new(IS(t)->tasks, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "TSK-");
    if (n > IS(t)->last_task) IS(t)->last_task = n;
}

/* Every later task event: its status and its members. Who sees the task:
 * its creation's labels, plus the contingent of the unit it is assigned to
 * now (a contingent that declined, and was replaced, no longer sees it). */
static void apply_task_change(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(IS(t)->tasks, ev->subject);
    if (!rec) return;
    const char *status = rec_str(ev->body, "status");
    const char *k;
    json_t *v;
    json_object_foreach(ev->body, k, v) if (strcmp(k, "status") && strcmp(k, "note")) json_object_set(rec, k, v);
    if (status) json_object_set_new(rec, "status", json_string(status));
    if (!strcmp(status ? status : "", "draft")) {
        json_object_del(rec, "unit");
        json_object_del(rec, "contingent");
    }
    task_history(rec, ev, status ? status : rec_str(rec, "status"), rec_str(ev->body, "note"));
    json_t *base = json_object_get(rec, "_base_labels") ? json_object_get(rec, "_base_labels") : json_object_get(rec, "_labels");
    json_t *unit = rec_str(rec, "unit") ? notify_unit(t, rec_str(rec, "unit")) : NULL;
    json_object_set_new(rec, "_labels", unit ? labels_plus(base, rec_str(unit, "org")) : json_deep_copy(base));
}

/* An escort task follows its movement while it is still a draft: a new
 * route or window is copied; a cancelled or denied movement aborts it. */
static void apply_movement_change(truce_t *t, const event_t *ev)
{
    json_t *mov = notify_movement(t, ev->subject);
    const char *id;
    json_t *rec;
    json_object_foreach(IS(t)->tasks, id, rec)
    {
        if (!rec_str(rec, "movement") || strcmp(rec_str(rec, "movement"), ev->subject)) continue;
        const char *st = rec_str(rec, "status");
        if (strcmp(st, "draft") && strcmp(st, "declined")) continue;
        const char *ms = rec_str(ev->body, "status");
        if (ms && (!strcmp(ms, "cancelled") || !strcmp(ms, "denied"))) {
            json_object_set_new(rec, "status", json_string("aborted"));
            task_history(rec, ev, "aborted", !strcmp(ms, "cancelled") ? "the movement was cancelled" : "the movement was denied");
        } else if (!strcmp(ev->kind, "movement.amended") && mov) {
            json_object_set(rec, "route", json_object_get(mov, "route"));
            json_object_set(rec, "window_from", json_object_get(mov, "window_from"));
            json_object_set(rec, "window_until", json_object_get(mov, "window_until"));
            task_history(rec, ev, st, "the movement was amended: route and window follow it");
        }
    }
}

static int isf_init(truce_t *t)
{
    isf_state_t *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->contingents = json_object();
    s->caveats = json_object();
    s->tasks = json_object();
    t->isf = s;
    return 0;
}

static void isf_release(truce_t *t)
{
    isf_state_t *s = t->isf;
    if (!s) return;
    json_decref(s->contingents);
    json_decref(s->caveats);
    json_decref(s->tasks);
    free(s);
    t->isf = NULL;
}

static void isf_dump(truce_t *t, json_t *out)
{
    json_object_set(out, "contingents", IS(t)->contingents);
    json_object_set(out, "caveats", IS(t)->caveats);
    json_object_set(out, "tasks", IS(t)->tasks);
}

static const snap_field_t isf_snap[] = {
    {"contingents", offsetof(isf_state_t, contingents), SNAP_OBJECT},
    {"caveats", offsetof(isf_state_t, caveats), SNAP_OBJECT},
    {"tasks", offsetof(isf_state_t, tasks), SNAP_OBJECT},
    {"last_caveat", offsetof(isf_state_t, last_caveat), SNAP_U64},
    {"last_task", offsetof(isf_state_t, last_task), SNAP_U64},
};
static int isf_save(truce_t *t, buf_t *b)
{
    return rec_save_json(b, rec_snap_pack(IS(t), isf_snap, SNAP_N(isf_snap)));
}

static int isf_load(truce_t *t, const char *p, size_t n)
{
    json_t *all = rec_snap_load(IS(t), isf_snap, SNAP_N(isf_snap), p, n);
    json_decref(all);
    return all ? 0 : -1;
}

static const kind_def_t isf_kinds[] = {
    {"contingent.registered", apply_contingent},
    {"contingent.strength", apply_strength},
    {"caveat.set", apply_caveat},
    {"task.created", apply_task_created},
    {"task.assigned", apply_task_change},
    {"task.approval", apply_task_change},
    {"task.accepted", apply_task_change},
    {"task.declined", apply_task_change},
    {"task.started", apply_task_change},
    {"task.completed", apply_task_change},
    {"task.aborted", apply_task_change},
    {"movement.amended", apply_movement_change},
    {"movement.status", apply_movement_change},
    {NULL, NULL},
};

const module_t isf_module = {"isf", isf_kinds, isf_init, isf_release, isf_dump, isf_save, isf_load};

/* ---- the rule engine ---- */

static json_t *contingent_of_org(truce_t *t, const char *org)
{
    const char *id;
    json_t *c;
    json_object_foreach(IS(t)->contingents, id, c) if (org && !strcmp(rec_str(c, "org"), org)) return c;
    return NULL;
}

/* The caveat set of a contingent in force at time at, or NULL. */
static json_t *caveats_at(truce_t *t, const char *contingent, int64_t at)
{
    json_t *best = NULL;
    int64_t best_from = INT64_MIN;
    const char *id;
    json_t *c;
    json_object_foreach(IS(t)->caveats, id, c)
    {
        if (strcmp(rec_str(c, "contingent"), contingent)) continue;
        int64_t from = rec_time(c, "effective_from");
        if (from > at || (rec_str(c, "effective_until") && rec_time(c, "effective_until") <= at)) continue;
        if (from >= best_from) {
            best = c;
            best_from = from;
        }
    }
    return best;
}

/* The task's area as a shape (and radius); -1 when it has none. */
static int task_area(truce_t *t, const json_t *task, area_t *a)
{
    err_t e;
    geo_t *g = notify_geo(t);
    memset(a, 0, sizeof *a);
    const json_t *geom = json_object_get(task, "geometry") ? json_object_get(task, "geometry") : json_object_get(task, "route");
    if (!g || !geom || geo_shape_from_json(g, geom, 1 << SH_POINT | 1 << SH_LINE | 1 << SH_POLY, "geometry", &a->shape, &e))
        return -1;
    a->radius = json_number_value(json_object_get(task, "radius_m"));
    return 0;
}

/* Sectors the area touches; new array. */
static json_t *sectors_of(truce_t *t, const area_t *a)
{
    json_t *out = json_array();
    geo_t *g = notify_geo(t);
    const char *id;
    json_t *f;
    err_t e;
    json_object_foreach(org_features(t), id, f)
    {
        const char *layer = rec_str(json_object_get(f, "properties"), "layer");
        if (!layer || strcmp(layer, "sector")) continue;
        shape_t s;
        if (geo_shape_from_json(g, json_object_get(f, "geometry"), 1 << SH_POLY, "sector", &s, &e)) continue;
        if (area_dist(a, &s) <= 0) json_array_append_new(out, json_string(id));
        shape_free(&s);
    }
    return out;
}

static void reason(json_t *out, const char *caveat, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void reason(json_t *out, const char *caveat, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(out, json_pack("{s:s, s:s}", "caveat", caveat, "reason", msg));
}

/* Whether local hours [h1, h2) (wrapping midnight when h1 > h2) meet
 * [from, until), all at offset off. */
static int hours_meet_at(int64_t from, int64_t until, int64_t off, double h1, double h2)
{
    int64_t lf = from + off, lu = until + off;
    int64_t day = 24 * HOUR_MS;
    int64_t d0 = (lf >= 0 ? lf / day : (lf - day + 1) / day) - 1;
    for (int64_t d = d0; d * day <= lu; d++) {
        int64_t base = d * day;
        int64_t a = base + (int64_t)(h1 * HOUR_MS), b = base + (int64_t)(h2 * HOUR_MS);
        if (h1 > h2) b += day;
        if (a < lu && b > lf) return 1;
    }
    return 0;
}

/* Whether local hours [h1, h2) meet the window, by the clocks of the
 * mission's zone: a window across the change to or from summer time is
 * taken in pieces, each at its own offset (a caveat is read off the clock,
 * so 04:30 after the clocks went forward is 04:30). */
static int hours_meet(truce_t *t, int64_t from, int64_t until, double h1, double h2)
{
    const char *zone = org_timezone(t);
    while (from < until) {
        /* a day at most: the offset changes at most once within it */
        int64_t off = tz_offset_ms(zone, from), end = until - from > 24 * HOUR_MS ? from + 24 * HOUR_MS : until;
        if (tz_offset_ms(zone, end) != off) { /* where it changes, to the millisecond */
            int64_t lo = from, hi = end;
            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                if (tz_offset_ms(zone, mid) == off) lo = mid;
                else hi = mid;
            }
            end = hi;
        }
        if (hours_meet_at(from, end, off, h1, h2)) return 1;
        from = end;
    }
    return 0;
}

/* Every caveat of the unit's contingent the task would break, as
 * [{caveat, reason}]; plus "approval" details in *approval when the task
 * needs national approval first (not a refusal). New array. */
json_t *isf_violations(truce_t *t, const json_t *unit, const json_t *task, json_t **approval)
{
    json_t *out = json_array();
    if (approval) *approval = NULL;
    json_t *ctg = contingent_of_org(t, rec_str(unit, "org"));
    if (!ctg) return out;
    int64_t from = rec_time(task, "window_from"), until = rec_time(task, "window_until");
    json_t *set = caveats_at(t, rec_str(ctg, "id"), from);
    json_t *r = json_object_get(set, "rules");
    if (!r) return out;
    const char *type = rec_str(task, "type");
    json_t *v;
    if ((v = json_object_get(r, "allowed_task_types")) && !rec_has(v, type))
        reason(out, "allowed_task_types", "%s does not allow %s tasks", rec_str(ctg, "nation"), type);
    area_t a;
    int have_area = task_area(t, task, &a) == 0;
    json_t *secs = have_area ? sectors_of(t, &a) : json_array();
    size_t i;
    json_t *s;
    if ((v = json_object_get(r, "sectors_allowed")))
        json_array_foreach(secs, i, s) if (!rec_has(v, json_string_value(s)))
            reason(out, "sectors_allowed", "%s is not among the sectors %s allows", json_string_value(s), rec_str(ctg, "nation"));
    if ((v = json_object_get(r, "sectors_excluded")))
        json_array_foreach(secs, i, s) if (rec_has(v, json_string_value(s)))
            reason(out, "sectors_excluded", "%s excludes %s", rec_str(ctg, "nation"), json_string_value(s));
    json_decref(secs);
    if ((v = json_object_get(r, "no_ops_hours"))) {
        double h1 = json_number_value(json_object_get(v, "from")), h2 = json_number_value(json_object_get(v, "until"));
        if (hours_meet(t, from, until, h1, h2)) { /* hours may be fractions: 22.5 is 22:30 */
            int m1 = (int)lround(h1 * 60), m2 = (int)lround(h2 * 60);
            reason(out, "no_ops_hours", "no operations between %02d:%02d and %02d:%02d local time", m1 / 60, m1 % 60,
                   m2 / 60, m2 % 60);
        }
    }
    if ((v = json_object_get(r, "max_use_of_force")) && force_rank(rec_str(task, "use_of_force")) > force_rank(json_string_value(v)))
        reason(out, "max_use_of_force", "use of force %s is above %s", rec_str(task, "use_of_force"), json_string_value(v));
    if (json_is_true(json_object_get(r, "no_crowd_riot_control")) && task_flag(task, "crowd_riot_control"))
        reason(out, "no_crowd_riot_control", "no crowd and riot control");
    if (json_is_true(json_object_get(r, "no_detention")) && task_flag(task, "detention"))
        reason(out, "no_detention", "no detention");
    if (json_is_true(json_object_get(r, "no_action_against_armed_groups")) && task_flag(task, "against_armed_groups"))
        reason(out, "no_action_against_armed_groups", "no action against armed groups");
    if ((v = json_object_get(r, "max_distance_from_base_km")) && have_area && json_object_get(unit, "home_base")) {
        shape_t base;
        err_t e;
        if (!geo_shape_from_json(notify_geo(t), json_object_get(unit, "home_base"), 1 << SH_POINT, "home_base", &base, &e)) {
            double km = area_dist(&a, &base) / 1000;
            if (km > json_number_value(v))
                reason(out, "max_distance_from_base_km", "%.1f km from the home base, more than %g km", km,
                       json_number_value(v));
            shape_free(&base);
        }
    }
    if ((v = json_object_get(r, "national_approval")) && rec_has(json_object_get(v, "task_types"), type) && approval)
        *approval = json_pack("{s:b, s:O?}", "required", 1, "delay_h", json_object_get(v, "delay_h"));
    if (have_area) shape_free(&a.shape);
    return out;
}

/* Reasons other than caveats that keep a unit from a task. New array. */
static json_t *unfit(truce_t *t, const json_t *unit, const json_t *task)
{
    json_t *out = json_array();
    const char *uid = rec_str(unit, "id");
    if (rec_str(unit, "status") && strcmp(rec_str(unit, "status"), "available"))
        reason(out, "status", "the unit is %s", rec_str(unit, "status"));
    json_t *caps = json_object_get(task, "capabilities");
    if (json_array_size(caps) && !rec_has(caps, rec_str(unit, "type")))
        reason(out, "capabilities", "the task needs %s, the unit is %s",
               json_string_value(json_array_get(caps, 0)), rec_str(unit, "type"));
    json_int_t need = json_integer_value(json_object_get(task, "strength"));
    if (need && json_integer_value(json_object_get(unit, "strength")) < need)
        reason(out, "strength", "the task needs %lld, the unit has %lld", (long long)need,
               (long long)json_integer_value(json_object_get(unit, "strength")));
    int64_t from = rec_time(task, "window_from"), until = rec_time(task, "window_until");
    const char *id;
    json_t *o;
    json_object_foreach(IS(t)->tasks, id, o)
    {
        const char *st = rec_str(o, "status");
        if (o == task || !rec_str(o, "unit") || strcmp(rec_str(o, "unit"), uid)) continue;
        if (strcmp(st, "assigned") && strcmp(st, "awaiting_approval") && strcmp(st, "accepted") && strcmp(st, "in_progress"))
            continue;
        if (rec_time(o, "window_from") < until && rec_time(o, "window_until") > from)
            reason(out, "busy", "the unit has %s in that window", id);
    }
    return out;
}

/* ---- commands ---- */

static int holds_position(truce_t *t, const principal_t *who, const char *pos)
{
    if (!who || !pos) return !who;
    if (!who->person[0]) return 0;
    json_t *mine = org_positions_of(t, who->person);
    int ok = rec_has(mine, pos);
    json_decref(mine);
    return ok;
}

int isf_prepare_contingent(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *id = rec_str(in, "id"), *org = rec_str(in, "org");
    if (!id || strncmp(id, "CTG-", 4) || !schema_valid_id(id, 32)) return err_set(e, E_BAD_VALUE, "id", "contingent ids are CTG-...");
    if (!org || !org_exists(t, org)) return err_set(e, E_BAD_VALUE, "org", "no organisation %s", org ? org : "");
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    json_t *body = json_deep_copy(in);
    json_object_del(body, "id");
    return cmd_draft(c, "contingent.registered", id, isf_labels(org), body, e);
}

/* arg: {"contingent", "rules", "effective_from", "effective_until"?, "note"?} */
int isf_prepare_caveat(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    json_t *ctg = json_object_get(IS(t)->contingents, rec_str(in, "contingent"));
    if (!ctg) return err_set(e, E_BAD_VALUE, "contingent", "no contingent %s", rec_str(in, "contingent"));
    if (c->who && !holds_position(t, c->who, rec_str(ctg, "commander_position")))
        return err_set(e, E_FORBIDDEN, "contingent", "caveats of %s are set by the holder of %s", rec_str(ctg, "id"),
                       rec_str(ctg, "commander_position"));
    snprintf(c->result_id, sizeof c->result_id, "CAV-%llu", (unsigned long long)IS(t)->last_caveat + 1);
    json_t *body = json_deep_copy(in);
    if (c->who) json_object_set_new(body, "signed_by_position", json_string(rec_str(ctg, "commander_position")));
    return cmd_draft(c, "caveat.set", c->result_id, json_incref(json_object_get(ctg, "_labels")), body, e);
}

typedef struct {
    const char *id;
    const char *action;
    json_t *in;
    json_t *reasons;   /* out: assignment refused */
} task_op_t;

static int prepare_task_create(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *mov = rec_str(in, "movement");
    json_t *labels = isf_labels(NULL);
    if (mov) {
        json_t *m = notify_movement(t, mov);
        if (!m) {
            json_decref(labels);
            return err_set(e, E_BAD_VALUE, "movement", "no movement %s", mov);
        }
        json_t *l = labels_plus(labels, rec_str(m, "org"));
        json_decref(labels);
        labels = l;
    }
    snprintf(c->result_id, sizeof c->result_id, "TSK-%llu", (unsigned long long)IS(t)->last_task + 1);
    return cmd_draft(c, "task.created", c->result_id, labels, json_deep_copy(in), e);
}

uint64_t isf_last_task(truce_t *t)
{
    return IS(t)->last_task;
}

int isf_draft_task(truce_t *t, cmd_t *c, json_t *task, err_t *e)
{
    char id[32];
    snprintf(id, sizeof id, "TSK-%llu", (unsigned long long)IS(t)->last_task + 1);
    return cmd_draft(c, "task.created", id, isf_labels(NULL), task, e);
}

int isf_draft_escort(truce_t *t, cmd_t *c, const char *movement, const json_t *in, const char *org, err_t *e)
{
    char id[32];
    snprintf(id, sizeof id, "TSK-%llu", (unsigned long long)IS(t)->last_task + 1);
    json_t *base = isf_labels(NULL);
    json_t *labels = labels_plus(base, org);
    json_decref(base);
    json_t *body = json_pack("{s:s, s:O, s:O, s:O, s:s, s:s, s:[s], s:s}", "type", "convoy_escort", "route",
                             json_object_get(in, "route"), "window_from", json_object_get(in, "window_from"),
                             "window_until", json_object_get(in, "window_until"), "movement", movement, "use_of_force",
                             "lethal_self_defence", "capabilities", "infantry", "description",
                             "Escort requested by the movement's organisation");
    return cmd_draft(c, "task.created", id, labels, body, e);
}

static const char *unit_org(truce_t *t, const char *unit)
{
    return rec_str(notify_unit(t, unit), "org");
}

static int prepare_task_assign(truce_t *t, cmd_t *c, err_t *e)
{
    task_op_t *op = c->arg;
    json_t *task = json_object_get(IS(t)->tasks, op->id);
    if (!task) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    const char *st = rec_str(task, "status");
    if (strcmp(st, "draft") && strcmp(st, "declined"))
        return err_set(e, E_CONFLICT, "unit", "%s is %s: only a draft or declined task is assigned", op->id, st);
    const char *uid = rec_str(op->in, "unit");
    json_t *unit = notify_unit(t, uid);
    if (!unit) return err_set(e, E_BAD_VALUE, "unit", "no unit %s", uid);
    json_t *approval = NULL;
    json_t *why = isf_violations(t, unit, task, &approval);
    json_t *more = unfit(t, unit, task);
    json_array_extend(why, more);
    json_decref(more);
    if (json_array_size(why)) {
        op->reasons = why;
        json_decref(approval);
        buf_t m;
        buf_init(&m);
        size_t i;
        json_t *x;
        json_array_foreach(why, i, x) buf_addf(&m, "%s%s: %s", i ? "; " : "", rec_str(x, "caveat"), rec_str(x, "reason"));
        err_set(e, E_CONFLICT, "unit", "%s cannot take %s: %s", uid, op->id, m.data);
        buf_release(&m);
        return -1;
    }
    json_decref(why);
    json_t *ctg = contingent_of_org(t, rec_str(unit, "org"));
    json_t *body = json_pack("{s:s, s:s, s:s?, s:o?}", "status", approval ? "awaiting_approval" : "assigned", "unit", uid,
                             "contingent", ctg ? rec_str(ctg, "id") : NULL, "approval", approval);
    json_t *base = json_object_get(task, "_base_labels") ? json_object_get(task, "_base_labels") : json_object_get(task, "_labels");
    return cmd_draft(c, "task.assigned", op->id, labels_plus(base, rec_str(unit, "org")), body, e);
}

/* Task actions by the unit's contingent (or ISF HQ where noted). */
static const struct {
    const char *action, *to;
    const char *from[3];
    int hq;          /* ISF HQ may do it too */
    int reason;      /* a note is required */
} task_moves[] = {
    {"approve", "assigned", {"awaiting_approval"}, 0, 0},
    {"refuse", "declined", {"awaiting_approval"}, 0, 1},
    {"accept", "accepted", {"assigned"}, 0, 0},
    {"decline", "declined", {"assigned"}, 0, 1},
    {"start", "in_progress", {"accepted"}, 1, 0},
    {"complete", "completed", {"in_progress"}, 1, 0},
    {"abort", "aborted", {"accepted", "in_progress", "assigned"}, 1, 1},
    /* ISF HQ declines a task it will not take on (a referral from the CMCC) */
    {"withdraw", "aborted", {"draft", "declined"}, 1, 1},
};

static int prepare_task_action(truce_t *t, cmd_t *c, err_t *e)
{
    task_op_t *op = c->arg;
    json_t *task = json_object_get(IS(t)->tasks, op->id);
    if (!task) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    for (size_t i = 0; i < sizeof task_moves / sizeof task_moves[0]; i++) {
        if (strcmp(task_moves[i].action, op->action)) continue;
        int ok = 0;
        for (int k = 0; k < 3 && task_moves[i].from[k]; k++) ok |= !strcmp(task_moves[i].from[k], rec_str(task, "status"));
        if (!ok) return err_set(e, E_CONFLICT, NULL, "%s is %s: it cannot %s", op->id, rec_str(task, "status"), op->action);
        const char *org = unit_org(t, rec_str(task, "unit") ? rec_str(task, "unit") : "");
        int own = c->who && org && !strcmp(c->who->org, org);
        int hq = c->who && !strcmp(c->who->org, "ISF-HQ");
        if (c->who && !own && !(task_moves[i].hq && hq))
            return err_set(e, E_FORBIDDEN, NULL, "only %s%s may %s %s", org ? org : "the unit's contingent",
                           task_moves[i].hq ? " or ISF HQ" : "", op->action, op->id);
        const char *note = rec_str(op->in, "note");
        if (task_moves[i].reason && !note)
            return err_set(e, E_MISSING_FIELD, "note", "a reason (note) is required to %s", op->action);
        char kind[48];
        snprintf(kind, sizeof kind, "task.%s", !strcmp(op->action, "approve") || !strcmp(op->action, "refuse") ? "approval"
                                                  : !strcmp(op->action, "accept")                             ? "accepted"
                                                  : !strcmp(op->action, "decline")                            ? "declined"
                                                  : !strcmp(op->action, "start")                              ? "started"
                                                  : !strcmp(op->action, "complete")                           ? "completed"
                                                                                                              : "aborted");
        if (!strcmp(op->action, "withdraw") && !(c->who && !strcmp(c->who->org, "ISF-HQ")) && c->who)
            return err_set(e, E_FORBIDDEN, NULL, "only ISF HQ withdraws a task");
        json_t *body = json_pack("{s:s, s:s?}", "status", task_moves[i].to, "note", note);
        if (!strcmp(op->action, "complete") && json_object_get(op->in, "outcome"))
            json_object_set(body, "outcome", json_object_get(op->in, "outcome"));
        if (!strcmp(op->action, "approve") || !strcmp(op->action, "refuse")) {
            char at[32];
            time_format(util_now_ms(), at);
            json_t *old = json_object_get(task, "approval");
            json_object_set_new(body, "approval",
                                json_pack("{s:b, s:O?, s:b, s:s, s:s}", "required", 1, "delay_h",
                                          json_object_get(old, "delay_h"), "granted", !strcmp(op->action, "approve"),
                                          "recorded_at", at, "by", c->who ? c->who->username : "system"));
        }
        return cmd_draft(c, kind, op->id, json_incref(json_object_get(task, "_labels")), body, e);
    }
    return err_set(e, E_NOT_FOUND, NULL, "no action %s", op->action);
}

/* ---- handlers ---- */

/* A record for a reader. A task referred from an operation keeps its link
 * to it (and the labels that would name the notifier) for ISF HQ and the
 * CMCC only: a contingent or a humanitarian organisation sees the task. */
static json_t *out_rec_for(const json_t *rec, const principal_t *who)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) if (k[0] != '_') json_object_set(o, k, v);
    json_object_set(o, "labels", json_object_get(rec, "_labels"));
    if (who && strcmp(who->org, "ISF-HQ") && strcmp(who->org, "CMCC") && json_object_get(o, "operation")) {
        json_object_del(o, "operation");
        json_object_set_new(o, "description", json_string("Task from the CMCC"));
    }
    return o;
}

#define out_rec(rec) out_rec_for((rec), &r->who)

static int list(req_t *r, json_t *coll, const char *name, const char *filter_key, const char *filter_param)
{
    const char *want = filter_param ? req_query(r, filter_param) : NULL;
    const char *status = req_query(r, "status");
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *rec;
    json_object_foreach(coll, id, rec)
    {
        if (!may_see(&r->who, json_object_get(rec, "_labels"))) continue;
        if (want && (!rec_str(rec, filter_key) || strcmp(rec_str(rec, filter_key), want))) continue;
        if (status && (!rec_str(rec, "status") || strcmp(rec_str(rec, "status"), status))) continue;
        json_array_append_new(out, out_rec(rec));
    }
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", name, out));
}

static int get(req_t *r, json_t *coll)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(coll, r->params[0]);
    json_t *o = rec && may_see(&r->who, json_object_get(rec, "_labels")) ? out_rec(rec) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    return reply_json(r, 200, o);
}

int h_contingents_list(req_t *r)
{
    return list(r, IS(r->t)->contingents, "contingents", NULL, NULL);
}

int h_contingent_get(req_t *r)
{
    return get(r, IS(r->t)->contingents);
}

static int prepare_strength(truce_t *t, cmd_t *c, err_t *e)
{
    task_op_t *op = c->arg;
    json_t *ctg = json_object_get(IS(t)->contingents, op->id);
    if (!ctg) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    json_t *body = json_deep_copy(op->in);
    if (!json_object_get(body, "at")) {
        char at[32];
        time_format(util_now_ms(), at);
        json_object_set_new(body, "at", json_string(at));
    }
    return cmd_draft(c, "contingent.strength", op->id, json_incref(json_object_get(ctg, "_labels")), body, e);
}

int h_contingent_strength(req_t *r)
{
    int64_t at;
    if (rec_str(r->json, "at") && time_parse(rec_str(r->json, "at"), &at) == 0 && at > util_now_ms() + 5 * 60 * 1000)
        return reply_error(r, E_OUT_OF_RANGE, "at", "at is in the future");
    if (!json_object_get(r->json, "pledged") && !json_object_get(r->json, "deployed"))
        return reply_error(r, E_MISSING_FIELD, "deployed", "give pledged, deployed or both");
    task_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_strength, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 200, &c, NULL);
}

static int prepare_unit_add(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    if (notify_unit(t, rec_str(in, "id"))) return err_set(e, E_CONFLICT, "id", "%s exists", rec_str(in, "id"));
    if (!contingent_of_org(t, rec_str(in, "org"))) return err_set(e, E_BAD_VALUE, "org", "%s has no contingent", rec_str(in, "org"));
    return notify_prepare_unit(t, c, e);
}

/* A sector named in a unit's fields must exist; -1 replied. */
static int check_sector(req_t *r)
{
    const char *sec = rec_str(r->json, "sector");
    if (!sec) return 0;
    pthread_rwlock_rdlock(&r->t->lock);
    int ok = org_sector_exists(r->t, sec);
    pthread_rwlock_unlock(&r->t->lock);
    return ok ? 0 : reply_error(r, E_BAD_VALUE, "sector", "no sector %s", sec);
}

int h_units_add(req_t *r)
{
    geo_t *g = notify_geo(r->t);
    err_t e;
    shape_t s;
    if (check_sector(r)) return -1;
    if (!g) return reply_error(r, E_UNAVAILABLE, NULL, "no mission geography");
    if (geo_shape_from_json(g, json_object_get(r->json, "home_base"), 1 << SH_POINT, "home_base", &s, &e))
        return reply_err(r, &e);
    shape_free(&s);
    json_t *in = json_deep_copy(r->json);
    json_object_set(in, "position", json_object_get(r->json, "home_base"));
    if (!json_object_get(in, "status")) json_object_set_new(in, "status", json_string("available"));
    cmd_t c = {.who = &r->who, .prepare = prepare_unit_add, .arg = in};
    int rc = log_submit(r->t, &c) ? reply_err(r, &c.err) : reply_written(r, 201, &c, NULL);
    json_decref(in);
    return rc;
}

static int prepare_unit_update(truce_t *t, cmd_t *c, err_t *e)
{
    task_op_t *op = c->arg;
    json_t *unit = notify_unit(t, op->id);
    /* one the caller may not see (another contingent's) is answered as one that does not exist */
    if (!unit || !may_see(c->who, json_object_get(unit, "_labels"))) return err_set(e, E_NOT_FOUND, NULL, "no %s you may see", op->id);
    if (c->who && strcmp(c->who->org, "ISF-HQ") && strcmp(c->who->org, rec_str(unit, "org")))
        return err_set(e, E_FORBIDDEN, NULL, "only %s or ISF HQ updates %s", rec_str(unit, "org"), op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "unit.updated", op->id, json_incref(json_object_get(unit, "_labels")), json_deep_copy(op->in), e);
}

int h_unit_update(req_t *r)
{
    geo_t *g = notify_geo(r->t);
    err_t e;
    shape_t s;
    if (check_sector(r)) return -1;
    if (json_object_get(r->json, "home_base")) {
        if (!g) return reply_error(r, E_UNAVAILABLE, NULL, "no mission geography");
        if (geo_shape_from_json(g, json_object_get(r->json, "home_base"), 1 << SH_POINT, "home_base", &s, &e))
            return reply_err(r, &e);
        shape_free(&s);
    }
    if (json_object_size(r->json) == 0) return reply_error(r, E_MISSING_FIELD, NULL, "nothing to update");
    task_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_unit_update, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 200, &c, NULL);
}

int h_caveats_list(req_t *r)
{
    const char *ctg = req_query(r, "contingent");
    if (ctg) {
        pthread_rwlock_rdlock(&r->t->lock);
        int ok = json_object_get(IS(r->t)->contingents, ctg) != NULL;
        pthread_rwlock_unlock(&r->t->lock);
        if (!ok) return reply_error(r, E_BAD_VALUE, "contingent", "no contingent %s", ctg);
    }
    return list(r, IS(r->t)->caveats, "caveats", "contingent", "contingent");
}

static int check_rules(truce_t *t, const json_t *rules, err_t *e);

int h_caveats_set(req_t *r)
{
    err_t e;
    if (check_rules(r->t, json_object_get(r->json, "rules"), &e)) return reply_err(r, &e);
    if (rec_str(r->json, "effective_until") && rec_time(r->json, "effective_until") <= rec_time(r->json, "effective_from"))
        return reply_error(r, E_OUT_OF_RANGE, "effective_until", "effective_until must be after effective_from");
    cmd_t c = {.who = &r->who, .prepare = isf_prepare_caveat, .arg = r->json};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 201, &c, NULL);
}

static const char *const caveat_types[] = {"allowed_task_types", "sectors_allowed", "sectors_excluded",
                                           "no_ops_hours", "max_use_of_force", "no_crowd_riot_control",
                                           "no_detention", "no_action_against_armed_groups",
                                           "max_distance_from_base_km", "national_approval", NULL};

/* Nations against caveat types, with the sets in force now. */
int h_caveats_matrix(req_t *r)
{
    int64_t now = util_now_ms();
    const char *at_s = req_query(r, "at");
    if (at_s && time_parse(at_s, &now)) return reply_error(r, E_BAD_VALUE, "at", "at must be an RFC 3339 time");
    json_t *rows = json_array(), *types = json_array();
    for (int i = 0; caveat_types[i]; i++) json_array_append_new(types, json_string(caveat_types[i]));
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *ctg;
    json_object_foreach(IS(r->t)->contingents, id, ctg)
    {
        if (!may_see(&r->who, json_object_get(ctg, "_labels"))) continue;
        json_t *set = caveats_at(r->t, id, now);
        json_t *rules = json_object_get(set, "rules");
        json_array_append_new(rows, json_pack("{s:s, s:O?, s:O?, s:s?, s:o}", "contingent", id, "nation",
                                              json_object_get(ctg, "nation"), "name", json_object_get(ctg, "name"),
                                              "caveat_set", set ? rec_str(set, "id") : NULL, "rules",
                                              rules ? json_incref(rules) : json_object()));
    }
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o, s:o}", "caveat_types", types, "contingents", rows));
}

static const char *const task_states[] = {"draft", "awaiting_approval", "assigned", "accepted", "declined",
                                          "in_progress", "completed", "aborted", NULL};

int h_tasks_list(req_t *r)
{
    const char *status = req_query(r, "status"), *unit = req_query(r, "unit");
    int ok = !status;
    for (int i = 0; status && task_states[i]; i++) ok |= !strcmp(task_states[i], status);
    if (!ok) return reply_error(r, E_BAD_VALUE, "status", "status must be one of the task states");
    if (unit) {
        pthread_rwlock_rdlock(&r->t->lock);
        ok = notify_unit(r->t, unit) != NULL;
        pthread_rwlock_unlock(&r->t->lock);
        if (!ok) return reply_error(r, E_BAD_VALUE, "unit", "no unit %s", unit);
    }
    return list(r, IS(r->t)->tasks, "tasks", "unit", "unit");
}

int h_task_get(req_t *r)
{
    return get(r, IS(r->t)->tasks);
}

int h_tasks_add(req_t *r)
{
    json_t *in = r->json;
    geo_t *g = notify_geo(r->t);
    if (!g) return reply_error(r, E_UNAVAILABLE, NULL, "no mission geography");
    err_t e;
    shape_t s;
    const char *gk = json_object_get(in, "geometry") ? "geometry" : json_object_get(in, "route") ? "route" : NULL;
    if (!gk) return reply_error(r, E_MISSING_FIELD, "geometry", "a task needs a geometry (area) or a route");
    if (json_object_get(in, "geometry") && json_object_get(in, "route"))
        return reply_error(r, E_BAD_VALUE, "route", "give a geometry or a route, not both");
    if (geo_shape_from_json(g, json_object_get(in, gk), !strcmp(gk, "route") ? 1 << SH_LINE : 1 << SH_POINT | 1 << SH_POLY,
                            gk, &s, &e))
        return reply_err(r, &e);
    int point = s.type == SH_POINT;
    shape_free(&s);
    if (point && !json_object_get(in, "radius_m"))
        return reply_error(r, E_MISSING_FIELD, "radius_m", "radius_m is required with a Point");
    if (!point && json_object_get(in, "radius_m"))
        return reply_error(r, E_BAD_VALUE, "radius_m", "radius_m goes with a Point, not a Polygon or a route");
    if (rec_time(in, "window_until") <= rec_time(in, "window_from"))
        return reply_error(r, E_OUT_OF_RANGE, "window_until", "window_until must be after window_from");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(in, "capabilities"), i, x)
    {
        int ok = 0;
        for (int k = 0; unit_types[k]; k++) ok |= !strcmp(unit_types[k], json_string_value(x));
        if (!ok) return reply_error(r, E_BAD_VALUE, "capabilities", "capabilities[%zu] is not a unit type", i);
    }
    cmd_t c = {.who = &r->who, .prepare = prepare_task_create, .arg = in};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 201, &c, NULL);
}

typedef struct {
    json_t *unit;
    double km;
    json_t *reasons;
    json_t *approval;
} cand_t;

static int cmp_cand(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->km != y->km) return x->km < y->km ? -1 : 1;
    return (int)(json_integer_value(json_object_get(y->unit, "strength")) -
                 json_integer_value(json_object_get(x->unit, "strength")));
}

/* The units that may take the task, nearest first, and the rest with reasons. */
int h_task_candidates(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *task = json_object_get(IS(r->t)->tasks, r->params[0]);
    if (!task || !may_see(&r->who, json_object_get(task, "_labels"))) {
        pthread_rwlock_unlock(&r->t->lock);
        return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    }
    json_t *units = notify_units(r->t);
    size_t n = json_object_size(units), k = 0;
    cand_t *cs = calloc(n ? n : 1, sizeof *cs);
    area_t a;
    int have_area = task_area(r->t, task, &a) == 0;
    const char *id;
    json_t *u;
    err_t e;
    json_object_foreach(units, id, u)
    {
        cand_t *c = &cs[k++];
        c->unit = u;
        c->reasons = isf_violations(r->t, u, task, &c->approval);
        json_t *more = unfit(r->t, u, task);
        json_array_extend(c->reasons, more);
        json_decref(more);
        c->km = INFINITY;
        json_t *pos = json_object_get(json_object_get(u, "position"), "geometry");
        if (!pos) pos = json_object_get(u, "home_base");
        shape_t p;
        if (have_area && pos && !geo_shape_from_json(notify_geo(r->t), pos, 1 << SH_POINT, "position", &p, &e)) {
            c->km = area_dist(&a, &p) / 1000;
            shape_free(&p);
        }
    }
    qsort(cs, k, sizeof *cs, cmp_cand);
    json_t *ok = json_array(), *excluded = json_array();
    for (size_t i = 0; i < k; i++) {
        json_t *row = json_pack("{s:O, s:O, s:O?, s:O?, s:O?}", "unit", json_object_get(cs[i].unit, "id"), "org",
                                json_object_get(cs[i].unit, "org"), "type", json_object_get(cs[i].unit, "type"),
                                "strength", json_object_get(cs[i].unit, "strength"), "name",
                                json_object_get(cs[i].unit, "name"));
        json_object_set_new(row, "distance_km", isfinite(cs[i].km) ? json_real(round(cs[i].km * 10) / 10) : json_null());
        if (cs[i].approval) json_object_set(row, "approval", cs[i].approval);
        if (json_array_size(cs[i].reasons)) {
            json_object_set(row, "reasons", cs[i].reasons);
            json_array_append_new(excluded, row);
        } else {
            json_object_set_new(row, "rank", json_integer((json_int_t)json_array_size(ok) + 1));
            json_array_append_new(ok, row);
        }
        json_decref(cs[i].reasons);
        json_decref(cs[i].approval);
    }
    free(cs);
    if (have_area) shape_free(&a.shape);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:s, s:o, s:o}", "task", r->params[0], "candidates", ok, "excluded", excluded));
}

int h_task_assign(req_t *r)
{
    task_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_task_assign, .arg = &op};
    if (log_submit(r->t, &c)) {
        if (op.reasons) {
            reply_json(r, 409, json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code", "conflict", "message",
                                         c.err.message, "field", "unit", "reasons", op.reasons));
            return -1;
        }
        return reply_err(r, &c.err);
    }
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *task = out_rec(json_object_get(IS(r->t)->tasks, op.id));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, 200, &c, json_pack("{s:o}", "task", task));
}

int h_task_action(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(IS(r->t)->tasks, r->params[0]);
    int seen = rec && may_see(&r->who, json_object_get(rec, "_labels"));
    pthread_rwlock_unlock(&r->t->lock);
    if (!seen) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    task_op_t op = {.id = r->params[0], .action = strrchr(r->path, '/') + 1, .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_task_action, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *task = out_rec(json_object_get(IS(r->t)->tasks, op.id));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, 200, &c, json_pack("{s:o}", "task", task));
}

/* ---- input ---- */

static const field_t hours_fields[] = {
    {"from", F_NUM, 1, 0, 24, 0, NULL, "local hour the ban starts"},
    {"until", F_NUM, 1, 0, 24, 0, NULL, "local hour the ban ends (may wrap midnight)"},
    {NULL},
};
static const field_t approval_fields[] = {
    {"task_types", F_STRLIST, 1, 1, 9, 32, NULL, "task types that need national approval"},
    {"delay_h", F_NUM, 0, 0, 720, 0, NULL, "expected approval delay, hours"},
    {NULL},
};
static const field_t rules_fields[] = {
    {"allowed_task_types", F_STRLIST, 0, 0, 9, 32, NULL, "task types allowed (absent: all)"},
    {"sectors_allowed", F_STRLIST, 0, 0, 32, 48, NULL, "sectors allowed (absent: all)"},
    {"sectors_excluded", F_STRLIST, 0, 0, 32, 48, NULL, "sectors excluded"},
    {"no_ops_hours", F_OBJECT, 0, 0, 0, 0, NULL, "no operations between local hours", hours_fields},
    {"max_use_of_force", F_ENUM, 0, 0, 0, 0, force_levels, "highest use-of-force level"},
    {"no_crowd_riot_control", F_BOOL, 0, 0, 0, 0, NULL, "no crowd and riot control"},
    {"no_detention", F_BOOL, 0, 0, 0, 0, NULL, "no detention"},
    {"no_action_against_armed_groups", F_BOOL, 0, 0, 0, 0, NULL, "no action against armed groups"},
    {"max_distance_from_base_km", F_NUM, 0, 0, 500, 0, NULL, "maximum distance from the home base"},
    {"national_approval", F_OBJECT, 0, 0, 0, 0, NULL, "tasks that need national approval first", approval_fields},
    {NULL},
};

static int check_rules(truce_t *t, const json_t *rules, err_t *e)
{
    json_t *v;
    size_t i;
    json_t *x;
    static const char *const sector_rules[] = {"sectors_allowed", "sectors_excluded"};
    for (int k = 0; k < 2; k++)
        json_array_foreach(json_object_get(rules, sector_rules[k]), i, x)
        {
            pthread_rwlock_rdlock(&t->lock);
            int ok = org_sector_exists(t, json_string_value(x));
            pthread_rwlock_unlock(&t->lock);
            if (!ok)
                return err_set(e, E_BAD_VALUE, k ? "rules.sectors_excluded" : "rules.sectors_allowed",
                               "rules.%s[%zu]: no sector %s", sector_rules[k], i, json_string_value(x));
        }
    if ((v = json_object_get(rules, "allowed_task_types")))
        json_array_foreach(v, i, x)
        {
            int ok = 0;
            for (int k = 0; task_types[k]; k++) ok |= !strcmp(task_types[k], json_string_value(x));
            if (!ok) return err_set(e, E_BAD_VALUE, "rules.allowed_task_types", "rules.allowed_task_types[%zu] is not a task type", i);
        }
    if ((v = json_object_get(json_object_get(rules, "national_approval"), "task_types")))
        json_array_foreach(v, i, x)
        {
            int ok = 0;
            for (int k = 0; task_types[k]; k++) ok |= !strcmp(task_types[k], json_string_value(x));
            if (!ok)
                return err_set(e, E_BAD_VALUE, "rules.national_approval.task_types",
                               "rules.national_approval.task_types[%zu] is not a task type", i);
        }
    return 0;
}

const field_t strength_fields[] = {
    {"pledged", F_INT, 0, 0, 100000, 0, NULL, "pledged strength"},
    {"deployed", F_INT, 0, 0, 100000, 0, NULL, "deployed strength"},
    {"at", F_TIME, 0, 0, 0, 0, NULL, "as of (default: now)"},
    {"note", F_STR, 0, 0, 0, 1000, NULL, "note"},
    {NULL},
};

const field_t unit_fields[] = {
    {"id", F_ID, 1, 0, 0, 48, NULL, "UNIT-..."},
    {"org", F_ID, 1, 0, 0, 48, NULL, "the contingent's organisation, e.g. ISF-AZE"},
    {"name", F_I18N, 1, 0, 0, 200, NULL, "name in English and Arabic"},
    {"type", F_ENUM, 1, 0, 0, 0, unit_types, "unit type"},
    {"strength", F_INT, 1, 0, 10000, 0, NULL, "personnel"},
    {"home_base", F_GEOJSON, 1, 0, 0, 0, NULL, "GeoJSON Point"},
    {"sector", F_ID, 0, 0, 0, 48, NULL, "assigned sector"},
    {"status", F_ENUM, 0, 0, 0, 0, unit_states, "available, unavailable, rotating"},
    {NULL},
};

const field_t unit_update_fields[] = {
    {"strength", F_INT, 0, 0, 10000, 0, NULL, "personnel"},
    {"home_base", F_GEOJSON, 0, 0, 0, 0, NULL, "GeoJSON Point"},
    {"sector", F_ID, 0, 0, 0, 48, NULL, "assigned sector"},
    {"status", F_ENUM, 0, 0, 0, 0, unit_states, "available, unavailable, rotating"},
    {NULL},
};

const field_t caveat_fields[] = {
    {"contingent", F_ID, 1, 0, 0, 32, NULL, "CTG-..."},
    {"rules", F_OBJECT, 1, 0, 0, 0, NULL, "the caveats as rules", rules_fields},
    {"effective_from", F_TIME, 1, 0, 0, 0, NULL, "in force from"},
    {"effective_until", F_TIME, 0, 0, 0, 0, NULL, "in force until (default: until replaced)"},
    {"note", F_STR, 0, 0, 0, 2000, NULL, "note"},
    {NULL},
};

static const field_t outcome_fields[] = {
    {"weapons_seized", F_INT, 0, 0, 100000, 0, NULL, "weapons seized"},
    {"people_detained", F_INT, 0, 0, 100000, 0, NULL, "people detained"},
    {"incidents", F_IDLIST, 0, 0, 50, 32, NULL, "incident ids"},
    {"summary", F_STR, 0, 0, 0, 4000, NULL, "what happened"},
    {NULL},
};

const field_t task_fields[] = {
    {"type", F_ENUM, 1, 0, 0, 0, task_types, "task type"},
    {"geometry", F_GEOJSON, 0, 0, 0, 0, NULL, "area: GeoJSON Point (with radius_m) or Polygon"},
    {"radius_m", F_NUM, 0, 1, 50000, 0, NULL, "radius around a Point"},
    {"route", F_GEOJSON, 0, 0, 0, 0, NULL, "or a route: GeoJSON LineString"},
    {"window_from", F_TIME, 1, 0, 0, 0, NULL, "start"},
    {"window_until", F_TIME, 1, 0, 0, 0, NULL, "end"},
    {"capabilities", F_STRLIST, 0, 0, 6, 32, NULL, "unit types able to do it"},
    {"strength", F_INT, 0, 0, 10000, 0, NULL, "personnel needed"},
    {"use_of_force", F_ENUM, 1, 0, 0, 0, force_levels, "use-of-force level"},
    {"crowd_riot_control", F_BOOL, 0, 0, 0, 0, NULL, "involves crowd and riot control"},
    {"detention", F_BOOL, 0, 0, 0, 0, NULL, "may involve detention"},
    {"against_armed_groups", F_BOOL, 0, 0, 0, 0, NULL, "action against armed groups"},
    {"movement", F_ID, 0, 0, 0, 32, NULL, "the humanitarian movement it escorts (MOV-...)"},
    {"description", F_STR, 0, 0, 0, 4000, NULL, "what is to be done"},
    {NULL},
};

const field_t assign_fields[] = {
    {"unit", F_ID, 1, 0, 0, 48, NULL, "the unit (UNIT-...)"},
    {NULL},
};

const field_t task_action_fields[] = {
    {"note", F_STR, 0, 1, 0, 2000, NULL, "reason or note (required to decline, refuse or abort)"},
    {"outcome", F_OBJECT, 0, 0, 0, 0, NULL, "outcome report (complete)", outcome_fields},
    {NULL},
};

json_t *isf_task(truce_t *t, const char *id)
{
    return id ? json_object_get(IS(t)->tasks, id) : NULL;
}
