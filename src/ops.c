/*
 * ops.c — see ops.h. Operations are jansson records keyed by id, with
 * private members starting with "_" (labels, the seqs of their events); each
 * is also an object of the deconfliction engine (kind "operation"), so a
 * site, movement or unit checked later finds it, and a change to any of
 * those re-checks the operations still ahead (alerts).
 */
#include "ops.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "deconflict.h"
#include "geo.h"
#include "incident.h"
#include "isf.h"
#include "log.h"
#include "record.h"
#include "notify.h"
#include "org.h"
#include "tz.h"

#define MIN_MS (60LL * 1000)
#define MAX_WINDOW_MS (7LL * 86400 * 1000)
#define MAX_SUBTRACT 100 /* protected objects a polygon proposal cuts out at most */

struct ops_state {
    json_t *ops;         /* OPN-n -> record */
    json_t *advisories;  /* ADV-n -> record */
    json_t *task_op;     /* TSK-n -> OPN-n for referrals */
    uint64_t last_op, last_adv;
    uint64_t ndecided;
    double decided_sum_s, decided_max_s;
};

static ops_state_t *OS(truce_t *t)
{
    return t->ops;
}

static const char *const op_modes[] = {"inform", "coordinate", NULL};
static const char *const op_kinds[] = {"air_strike", "ground_raid", "arrest", "engineering_demolition",
                                       "line_crossing", "other", NULL};
static const char *const urgencies[] = {"immediate", "urgent", "priority", "routine", NULL};
static const char *const decisions[] = {"concur", "acknowledge", "refer", "request_narrowing", "object", NULL};
static const char *const outcomes[] = {"as_notified", "with_changes", "not_carried_out", NULL};

/* Minutes to answer a coordinate notice, per urgency (scenario settings
 * "answer_minutes" override). */
static double answer_minutes(truce_t *t, const char *urgency)
{
    static const struct {
        const char *u;
        double m;
    } def[] = {{"immediate", 15}, {"urgent", 60}, {"priority", 360}, {"routine", 1440}};
    json_t *set = json_object_get(json_object_get(notify_settings(t), "answer_minutes"), urgency);
    if (json_is_number(set)) return json_number_value(set);
    for (size_t i = 0; i < sizeof def / sizeof def[0]; i++)
        if (!strcmp(def[i].u, urgency)) return def[i].m;
    return 60;
}

/* ---- the engine side ---- */

static int op_area(truce_t *t, const json_t *rec, area_t *a)
{
    err_t e;
    memset(a, 0, sizeof *a);
    geo_t *g = notify_geo(t);
    if (!g || geo_shape_from_json(g, json_object_get(rec, "geometry"), 1 << SH_POINT | 1 << SH_POLY, "geometry",
                                  &a->shape, &e))
        return -1;
    a->radius = json_number_value(json_object_get(rec, "radius_m"));
    return 0;
}

/* The operation as an engine object: its area (a point's radius drawn as a
 * polygon would cost vertices; a point with protection = radius is exact). */
static void op_to_dc(truce_t *t, const char *id, json_t *rec)
{
    area_t a;
    if (op_area(t, rec, &a)) return;
    dc_object_t o = {.kind = DC_OPERATION, .id = id, .category = rec_str(rec, "kind"),
                     .protection_m = a.radius + notify_protection(t, "operation", NULL), .shape = a.shape,
                     .t0 = rec_time(rec, "window_from"), .t1 = rec_time(rec, "window_until"),
                     .labels = json_object_get(rec, "_labels")};
    dc_put(notify_dc(t), &o);
}

/* Everything the area and window conflict with now (system view, kinds a
 * bitmask or 0 for all), minus the operation itself: *c malloc'd (caller
 * frees), ids borrowed from the engine until its next change. 0 or -1. */
static int check_now(truce_t *t, const char *id, const area_t *a, int64_t from, int64_t until, unsigned kinds,
                     conflict_t **c, size_t *n)
{
    dc_query_t q = {.area = a, .from = from, .until = until, .kinds = kinds, .skip_kind = DC_OPERATION, .skip_id = id};
    *c = NULL;
    *n = 0;
    return dc_check(notify_dc(t), &q, c, n);
}

/* The API's conflict list of a check; new array. */
static json_t *conflicts_json(const conflict_t *c, size_t n)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(out, conflict_json(&c[i]));
    return out;
}

/* check_now as the API's conflict list; new array (empty when the check fails). */
static json_t *conflicts_now(truce_t *t, const char *id, const area_t *a, int64_t from, int64_t until, unsigned kinds)
{
    conflict_t *c;
    size_t n;
    json_t *out = check_now(t, id, a, from, until, kinds, &c, &n) ? json_array() : conflicts_json(c, n);
    free(c);
    return out;
}

/* How many objects the area and window conflict with now, without building
 * their JSON (the narrowing's many checks only need counts); *movements is
 * set when one of them is a movement. */
static size_t count_now(truce_t *t, const char *id, const area_t *a, int64_t from, int64_t until, unsigned kinds,
                        int *movements)
{
    dc_query_t q = {.area = a, .from = from, .until = until, .kinds = kinds, .skip_kind = DC_OPERATION, .skip_id = id};
    conflict_t *c;
    size_t n = 0;
    if (movements) *movements = 0;
    if (dc_check(notify_dc(t), &q, &c, &n) == 0) {
        for (size_t i = 0; movements && i < n; i++) *movements |= c[i].kind == DC_MOVEMENT;
        free(c);
    }
    return n;
}

static int same_conflict(const json_t *a, const json_t *b)
{
    return !strcmp(rec_str(a, "kind"), rec_str(b, "kind")) && !strcmp(rec_str(a, "id"), rec_str(b, "id")) &&
           json_integer_value(json_object_get(a, "segment")) == json_integer_value(json_object_get(b, "segment")) &&
           json_integer_value(json_object_get(a, "report")) == json_integer_value(json_object_get(b, "report"));
}

/* ---- apply ---- */

static void add_seq(json_t *rec, const event_t *ev)
{
    json_array_append_new(json_object_get(rec, "_seqs"), json_integer((json_int_t)ev->seq));
}

static void widen_labels(json_t *rec, const json_t *labels)
{
    size_t i;
    json_t *l;
    json_array_foreach(labels, i, l) if (!rec_has(json_object_get(rec, "_labels"), json_string_value(l)))
        json_array_append(json_object_get(rec, "_labels"), l);
}

static void apply_notified(truce_t *t, const event_t *ev)
{
    ops_state_t *s = OS(t);
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "status", json_string(strcmp(rec_str(rec, "mode"), "inform") ? "pending" : "notified"));
    json_object_set_new(rec, "notified_by", json_string(ev->actor));
    rec_set_time(rec, "notified_at", ev->time);
    json_object_set_new(rec, "notified_seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "decisions", json_array());
    json_object_set_new(rec, "alerts", json_array());
    json_object_set_new(rec, "escalations", json_array());
    json_object_set_new(rec, "advisories", json_array());
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    json_object_set_new(rec, "_seqs", json_array());
    add_seq(rec, ev);
    json_object_set_new(s->ops, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "OPN-");
    if (n > s->last_op) s->last_op = n;
    op_to_dc(t, ev->subject, rec);
}

static json_t *op_of(truce_t *t, const event_t *ev)
{
    return json_object_get(OS(t)->ops, ev->subject);
}

static void apply_decided(truce_t *t, const event_t *ev)
{
    json_t *rec = op_of(t, ev);
    if (!rec) return;
    const char *d = rec_str(ev->body, "decision");
    static const struct {
        const char *d, *status;
    } to[] = {{"concur", "concurred"}, {"acknowledge", "acknowledged"}, {"refer", "referred"},
              {"request_narrowing", "narrowing_requested"}, {"object", "objected"}};
    for (size_t i = 0; i < sizeof to / sizeof to[0]; i++)
        if (!strcmp(to[i].d, d)) json_object_set_new(rec, "status", json_string(to[i].status));
    json_t *dec = json_deep_copy(ev->body);
    json_object_set_new(dec, "by", json_string(ev->actor));
    rec_set_time(dec, "at", ev->time);
    json_object_set_new(dec, "seq", json_integer((json_int_t)ev->seq));
    json_array_append_new(json_object_get(rec, "decisions"), dec);
    if (json_object_get(ev->body, "proposal")) json_object_set(rec, "proposal", json_object_get(ev->body, "proposal"));
    if (json_object_get(ev->body, "task")) {
        json_object_set(rec, "task", json_object_get(ev->body, "task"));
        json_object_set(OS(t)->task_op, rec_str(ev->body, "task"), json_object_get(rec, "id"));
        json_object_set_new(rec, "isf_status", json_string("draft"));
    }
    if (json_object_get(ev->body, "escalated_to")) {
        json_array_append_new(json_object_get(rec, "escalations"),
                              json_pack("{s:s, s:O, s:s, s:I}", "reason", "objection", "to",
                                        json_object_get(ev->body, "escalated_to"), "at", rec_str(dec, "at"), "seq",
                                        (json_int_t)ev->seq));
    }
    /* Decision time: from the notice to its first decision. */
    if (json_array_size(json_object_get(rec, "decisions")) == 1) {
        double s = (double)(ev->time - rec_time(rec, "notified_at")) / 1000;
        OS(t)->ndecided++;
        OS(t)->decided_sum_s += s;
        if (s > OS(t)->decided_max_s) OS(t)->decided_max_s = s;
        json_object_set_new(rec, "decision_seconds", json_real(s));
    }
    widen_labels(rec, ev->labels);
    add_seq(rec, ev);
}

static void apply_amended(truce_t *t, const event_t *ev)
{
    json_t *rec = op_of(t, ev);
    if (!rec) return;
    json_object_update(rec, ev->body);
    if (!json_object_get(ev->body, "radius_m")) json_object_del(rec, "radius_m");
    json_object_set_new(rec, "status", json_string(strcmp(rec_str(rec, "mode"), "inform") ? "pending" : "notified"));
    json_object_del(rec, "proposal");
    rec_set_time(rec, "amended_at", ev->time);
    add_seq(rec, ev);
    op_to_dc(t, ev->subject, rec);
}

/* What an operation.conflicts event adds to an operation (its state, or its
 * record as of a time) whose last decisions are decisions: the conflicts of
 * the amendment or decision before it, and a narrowing request's proposal. */
static void fold_conflicts(json_t *op, json_t *decisions, const json_t *body)
{
    json_t *conf = json_object_get(body, "conflicts"), *p = json_object_get(body, "proposal");
    if (strcmp(rec_str(body, "on"), "decision")) {
        json_object_set(op, "conflicts", conf);
        return;
    }
    json_t *d = json_array_get(decisions, json_array_size(decisions) - 1);
    if (d) json_object_set(d, "conflicts", conf);
    if (d && p) json_object_set(d, "proposal", p);
}

/* The conflicts of a decision or an amendment whose event is labelled wider
 * than the operation's own parties (an objection or a late notice goes to
 * the commander's superiors): they travel in this event, right after it,
 * labelled for the CMCC and the notifier only, with a narrowing request's
 * proposal (an area cut around the objects, a window that avoids them,
 * tells where and when they are). */
static void apply_conflicts(truce_t *t, const event_t *ev)
{
    json_t *rec = op_of(t, ev);
    if (!rec) return;
    fold_conflicts(rec, json_object_get(rec, "decisions"), ev->body);
    if (json_object_get(ev->body, "proposal")) json_object_set(rec, "proposal", json_object_get(ev->body, "proposal"));
    add_seq(rec, ev);
}

static void apply_answered(truce_t *t, const event_t *ev)
{
    json_t *rec = op_of(t, ev);
    if (!rec) return;
    json_object_set_new(rec, "status", json_string(strcmp(rec_str(rec, "mode"), "inform") ? "pending" : "notified"));
    json_t *a = json_pack("{s:O, s:s, s:I}", "note", json_object_get(ev->body, "note"), "by", ev->actor, "seq",
                          (json_int_t)ev->seq);
    rec_set_time(a, "at", ev->time);
    json_object_set_new(rec, "answer", a);
    add_seq(rec, ev);
}

static void apply_escalated(truce_t *t, const event_t *ev)
{
    json_t *rec = op_of(t, ev);
    if (!rec) return;
    json_t *x = json_deep_copy(ev->body);
    rec_set_time(x, "at", ev->time);
    json_object_set_new(x, "seq", json_integer((json_int_t)ev->seq));
    json_array_append_new(json_object_get(rec, "escalations"), x);
    json_object_set(rec, "escalation_level", json_object_get(ev->body, "level"));
    widen_labels(rec, ev->labels);
    add_seq(rec, ev);
}

static void apply_outcome(truce_t *t, const event_t *ev)
{
    json_t *rec = op_of(t, ev);
    if (!rec) return;
    json_t *o = json_deep_copy(ev->body);
    json_object_set_new(o, "by", json_string(ev->actor));
    rec_set_time(o, "at", ev->time);
    json_object_set(rec, "outcome", o);
    json_decref(o);
    add_seq(rec, ev);
    dc_drop(notify_dc(t), DC_OPERATION, ev->subject);
}

static void apply_advisory(truce_t *t, const event_t *ev)
{
    ops_state_t *s = OS(t);
    json_t *rec = json_deep_copy(ev->body);
    json_object_del(rec, "operation");
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "status", json_string("issued"));
    rec_set_time(rec, "issued_at", ev->time);
    json_object_set_new(rec, "issued_seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    json_object_set_new(s->advisories, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "ADV-");
    if (n > s->last_adv) s->last_adv = n;
}

static void apply_advisory_ack(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(OS(t)->advisories, ev->subject);
    if (!rec) return;
    json_object_set_new(rec, "status", json_string("acknowledged"));
    rec_set_time(rec, "acknowledged_at", ev->time);
    json_object_set_new(rec, "acknowledged_by", json_string(ev->actor));
    json_object_set_new(rec, "acknowledged_seq", json_integer((json_int_t)ev->seq));
}

/* The advisory links of an operation live in an event the humanitarians
 * cannot read (the operation's own): "advisory.issued" bodies carry the
 * operation id only in a field stripped from the record above. */
static void apply_advisory_link(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(OS(t)->ops, rec_str(ev->body, "operation") ? rec_str(ev->body, "operation") : "");
    if (rec) json_array_append_new(json_object_get(rec, "advisories"), json_string(ev->subject));
}

static void apply_task_event(truce_t *t, const event_t *ev)
{
    const char *op = json_string_value(json_object_get(OS(t)->task_op, ev->subject));
    json_t *rec = op ? json_object_get(OS(t)->ops, op) : NULL;
    if (!rec) return;
    const char *st = rec_str(ev->body, "status");
    if (st) json_object_set_new(rec, "isf_status", json_string(st));
    if (json_object_get(ev->body, "outcome")) json_object_set(rec, "isf_outcome", json_object_get(ev->body, "outcome"));
}

/* Something in the engine changed: re-check every operation still ahead
 * (pending, notified, concurred or acknowledged, window not over) and record
 * each conflict it did not have as an alert for the CMCC. */
static void recheck(truce_t *t, const event_t *ev)
{
    const char *id;
    json_t *rec;
    json_object_foreach(OS(t)->ops, id, rec)
    {
        const char *st = rec_str(rec, "status");
        if (strcmp(st, "pending") && strcmp(st, "notified") && strcmp(st, "concurred") && strcmp(st, "acknowledged"))
            continue;
        /* A notice just notified or amended was checked as it was drafted
         * (its conflicts come with it, or in the next event). */
        if (!strncmp(ev->kind, "operation.", 10) && !strcmp(id, ev->subject)) continue;
        if (ev->time >= rec_time(rec, "window_until") || json_object_get(rec, "outcome")) continue;
        area_t a;
        if (op_area(t, rec, &a)) continue;
        json_t *now = conflicts_now(t, id, &a, rec_time(rec, "window_from"), rec_time(rec, "window_until"), 0);
        shape_free(&a.shape);
        json_t *known = json_object_get(rec, "conflicts"), *alerts = json_object_get(rec, "alerts");
        size_t i, k;
        json_t *c, *x;
        json_array_foreach(now, i, c)
        {
            int seen = 0;
            json_array_foreach(known, k, x) seen |= same_conflict(c, x);
            json_array_foreach(alerts, k, x) seen |= same_conflict(c, json_object_get(x, "conflict"));
            if (seen) continue;
            char at[32];
            time_format(ev->time, at);
            json_array_append_new(alerts, json_pack("{s:s, s:O, s:s, s:I}", "at", at, "conflict", c, "cause", ev->kind,
                                                    "seq", (json_int_t)ev->seq));
        }
        json_decref(now);
    }
}

static void ops_init_state(ops_state_t *s)
{
    s->ops = json_object();
    s->advisories = json_object();
    s->task_op = json_object();
}

static int ops_init(truce_t *t)
{
    ops_state_t *s = calloc(1, sizeof *s);
    if (!s) return -1;
    ops_init_state(s);
    t->ops = s;
    return 0;
}

static void ops_release(truce_t *t)
{
    ops_state_t *s = t->ops;
    if (!s) return;
    json_decref(s->ops);
    json_decref(s->advisories);
    json_decref(s->task_op);
    free(s);
    t->ops = NULL;
}

static void ops_dump(truce_t *t, json_t *out)
{
    json_object_set(out, "operations", OS(t)->ops);
    json_object_set(out, "advisories", OS(t)->advisories);
}

static const snap_field_t ops_snap[] = {
    {"ops", offsetof(ops_state_t, ops), SNAP_OBJECT},
    {"advisories", offsetof(ops_state_t, advisories), SNAP_OBJECT},
    {"task_op", offsetof(ops_state_t, task_op), SNAP_OBJECT},
    {"last_op", offsetof(ops_state_t, last_op), SNAP_U64},
    {"last_adv", offsetof(ops_state_t, last_adv), SNAP_U64},
    {"ndecided", offsetof(ops_state_t, ndecided), SNAP_U64},
    {"sum", offsetof(ops_state_t, decided_sum_s), SNAP_REAL},
    {"max", offsetof(ops_state_t, decided_max_s), SNAP_REAL},
};

static int ops_save(truce_t *t, buf_t *b)
{
    return rec_save_json(b, rec_snap_pack(OS(t), ops_snap, SNAP_N(ops_snap)));
}

static int ops_load(truce_t *t, const char *p, size_t n)
{
    ops_state_t *s = OS(t);
    json_t *all = rec_snap_load(s, ops_snap, SNAP_N(ops_snap), p, n);
    if (!all) return -1;
    json_decref(all);
    /* the engine objects of operations still in it */
    const char *id;
    json_t *rec;
    json_object_foreach(s->ops, id, rec) if (!json_object_get(rec, "outcome")) op_to_dc(t, id, rec);
    return 0;
}

static const kind_def_t ops_kinds[] = {
    {"operation.notified", apply_notified},
    {"operation.decided", apply_decided},
    {"operation.amended", apply_amended},
    {"operation.conflicts", apply_conflicts},
    {"operation.answered", apply_answered},
    {"operation.escalated", apply_escalated},
    {"operation.outcome", apply_outcome},
    {"advisory.issued", apply_advisory},
    {"advisory.linked", apply_advisory_link},
    {"advisory.acknowledged", apply_advisory_ack},
    {"task.assigned", apply_task_event},
    {"task.approval", apply_task_event},
    {"task.accepted", apply_task_event},
    {"task.declined", apply_task_event},
    {"task.started", apply_task_event},
    {"task.completed", apply_task_event},
    {"task.aborted", apply_task_event},
    /* changes in the engine that may touch an operation still ahead */
    {"site.notified", recheck},
    {"site.amended", recheck},
    {"nostrike.notified", recheck},
    {"nostrike.amended", recheck},
    {"movement.notified", recheck},
    {"movement.amended", recheck},
    {"unit.position", recheck},
    {"operation.notified", recheck},
    {"operation.amended", recheck},
    {NULL, NULL},
};

const module_t ops_module = {"ops", ops_kinds, ops_init, ops_release, ops_dump, ops_save, ops_load};

json_t *ops_labels(truce_t *t, const char *id)
{
    return json_object_get(json_object_get(OS(t)->ops, id), "_labels");
}

/* ---- authority ---- */

/* Union of the authority lists of the positions the principal holds. */
static json_t *authority_of(truce_t *t, const principal_t *who)
{
    json_t *out = json_array();
    if (!who || !who->person[0]) return out;
    json_t *mine = org_positions_of(t, who->person);
    size_t i;
    json_t *p;
    json_array_foreach(mine, i, p)
    {
        json_t *pos = json_object_get(org_positions(t), json_string_value(p));
        size_t k;
        json_t *a;
        json_array_foreach(json_object_get(pos, "authority"), k, a) if (!rec_has(out, json_string_value(a)))
            json_array_append(out, a);
    }
    json_decref(mine);
    return out;
}

/* The position holding an authority ("cmcc.command"), or NULL. */
static const char *position_with(truce_t *t, const char *authority)
{
    const char *id;
    json_t *pos;
    json_object_foreach(org_positions(t), id, pos) if (rec_has(json_object_get(pos, "authority"), authority)) return id;
    return NULL;
}

/* Where the CMCC commander's objections and late notices go: the positions
 * every position of the commander's holder reports to, outside the CMCC. */
static json_t *commander_superiors(truce_t *t)
{
    json_t *out = json_array();
    const char *cdr = position_with(t, "cmcc.command");
    json_t *cpos = json_object_get(org_positions(t), cdr ? cdr : "");
    const char *holder = rec_str(cpos, "holder");
    json_t *held = holder ? org_positions_of(t, holder) : json_pack("[s]", cdr ? cdr : "");
    size_t i, k;
    json_t *p, *up;
    json_array_foreach(held, i, p)
    {
        json_array_foreach(json_object_get(json_object_get(org_positions(t), json_string_value(p)), "reports_to"), k, up)
        {
            if (rec_has(held, json_string_value(up)) || rec_has(out, json_string_value(up))) continue;
            json_array_append(out, up);
        }
    }
    json_decref(held);
    return out;
}

static json_t *orgs_of_positions(truce_t *t, const json_t *positions)
{
    json_t *labels = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(positions, i, p)
    {
        const char *org = rec_str(json_object_get(org_positions(t), json_string_value(p)), "org");
        char l[80];
        snprintf(l, sizeof l, "org:%s", org ? org : "");
        if (org && !rec_has(labels, l)) json_array_append_new(labels, json_string(l));
    }
    return labels;
}

/* ---- advisories ---- */

/* "2026-11-30 14:00" in the mission's time zone; up rounds up to the minute.
 * A time the clocks show twice (the hour repeated when summer time ends)
 * says which by its offset: "2027-10-30 01:30 (UTC+3)", then "(UTC+2)". */
static void local_hm(truce_t *t, int64_t ms, int up, char *out, size_t n)
{
    const char *zone = org_timezone(t);
    int64_t off = tz_offset_ms(zone, ms), l = ms + off;
    l = up ? (l + MIN_MS - 1) / MIN_MS * MIN_MS : l / MIN_MS * MIN_MS;
    char iso[32];
    time_format(l, iso);
    int k = snprintf(out, n, "%.10s %.5s", iso, iso + 11);
    for (int side = -1; side <= 1; side += 2) { /* another offset near: does it show l too? */
        int64_t other = tz_offset_ms(zone, ms + side * 3 * 3600000LL);
        if (other == off || tz_offset_ms(zone, l - other) != other || k < 0 || (size_t)k >= n) continue;
        int64_t m = (off < 0 ? -off : off) / MIN_MS;
        if (m % 60) snprintf(out + k, n - (size_t)k, " (UTC%c%lld:%02lld)", off < 0 ? '-' : '+', (long long)(m / 60), (long long)(m % 60));
        else snprintf(out + k, n - (size_t)k, " (UTC%c%lld)", off < 0 ? '-' : '+', (long long)(m / 60));
        break;
    }
}

/* Advisories for the humanitarian organisations whose sites or movements
 * conflict: what to do and when, nothing about the operation, sealed as the
 * system's (not the notifier's). One per site or movement: a movement's legs
 * are merged into the whole time it is planned to be inside. */
static int draft_advisories(truce_t *t, cmd_t *c, const char *op, const json_t *rec, const json_t *conflicts, err_t *e)
{
    json_t *subjects = json_object(); /* id -> {kind, from, until} */
    size_t i;
    json_t *x;
    json_array_foreach(conflicts, i, x)
    {
        const char *kind = rec_str(x, "kind"), *id = rec_str(x, "id");
        if (strcmp(kind, "site") && strcmp(kind, "movement")) continue;
        int64_t from = rec_time(rec, "window_from"), until = rec_time(rec, "window_until");
        if (!strcmp(kind, "movement")) {
            from = rec_time(x, "inside_from");
            until = rec_time(x, "inside_until");
        }
        json_t *s = json_object_get(subjects, id);
        if (!s) {
            json_object_set_new(subjects, id, json_pack("{s:s, s:I, s:I}", "kind", kind, "from", (json_int_t)from,
                                                        "until", (json_int_t)until));
        } else {
            if (from < json_integer_value(json_object_get(s, "from"))) json_object_set_new(s, "from", json_integer(from));
            if (until > json_integer_value(json_object_get(s, "until"))) json_object_set_new(s, "until", json_integer(until));
        }
    }
    uint64_t next = OS(t)->last_adv;
    const char *id;
    json_t *sub;
    int rc = 0;
    json_object_foreach(subjects, id, sub)
    {
        const char *kind = rec_str(sub, "kind");
        json_t *subj = !strcmp(kind, "site") ? notify_site(t, id) : notify_movement(t, id);
        const char *org = rec_str(subj, "org");
        if (!subj || !org) continue;
        int64_t from = json_integer_value(json_object_get(sub, "from")), until = json_integer_value(json_object_get(sub, "until"));
        char a[32], b[32], en[300], ar[400], fa[32], ua[32];
        local_hm(t, from, 0, a, sizeof a);
        local_hm(t, until, 1, b, sizeof b);
        time_format(from, fa);
        time_format(until, ua);
        if (!strcmp(kind, "movement")) {
            snprintf(en, sizeof en, "Hold movement %s between %s and %s local time.", id, a, b);
            snprintf(ar, sizeof ar, "أوقفوا الحركة %s بين %s و%s بالتوقيت المحلي.", id, a, b);
        } else {
            snprintf(en, sizeof en, "%s: shelter in place between %s and %s local time.", id, a, b);
            snprintf(ar, sizeof ar, "%s: الزموا أماكنكم بين %s و%s بالتوقيت المحلي.", id, a, b);
        }
        char aid[32], own[80];
        snprintf(aid, sizeof aid, "ADV-%llu", (unsigned long long)++next);
        snprintf(own, sizeof own, "org:%s", org);
        if (cmd_draft_system(c, "advisory.issued", aid, json_pack("[s,s]", own, "org:CMCC"),
                             json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "org", org, "subject", id, "from", fa,
                                       "until", ua, "text", "en", en, "ar", ar),
                             e) ||
            cmd_draft(c, "advisory.linked", aid, json_incref(json_object_get(rec, "_labels")),
                      json_pack("{s:s}", "operation", op), e)) {
            rc = -1;
            break;
        }
    }
    json_decref(subjects);
    return rc;
}

/* ---- narrowing ---- */

static double loss_of(double area_ratio, double time_ratio)
{
    return 1 - area_ratio * time_ratio;
}

/* The cut for one kind set of a polygon: the area less the buffers
 * (protection + 1 m) of the objects in c of those kinds, straight from the
 * check's conflicts (no second query, no JSON). 0 with *na, *area_ratio and
 * *geom (its GeoJSON MultiPolygon), -1 when nothing is left or GEOS fails. */
static int cut_polygon(truce_t *t, const area_t *a, const conflict_t *c, size_t n, unsigned kinds, area_t *na,
                       double *area_ratio, json_t **geom)
{
    shape_t *objs = calloc(n ? n : 1, sizeof *objs);
    const shape_t **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    double *dist = calloc(n ? n : 1, sizeof *dist);
    int k = 0, rc = -1;
    if (objs && ptrs && dist) {
        for (size_t i = 0; i < n; i++) {
            if (!(kinds & 1u << c[i].kind)) continue;
            if (dc_object_shape(notify_dc(t), c[i].kind, c[i].id, c[i].segment, &objs[k])) continue;
            ptrs[k] = &objs[k];
            dist[k] = c[i].protection_m + 1;
            k++;
        }
        double ain = 0, aout = 0;
        if (geo_covered(&a->shape, ptrs, dist, k)) {
            /* nothing is left: no need to merge the buffers to find it so */
        } else if (geo_difference(notify_geo(t), &a->shape, ptrs, dist, k, &na->shape, geom, &ain, &aout) == 0) {
            *area_ratio = fmin(1, aout / ain); /* rounding to GeoJSON moves vertices either way */
            rc = 0;
        }
    }
    for (int j = 0; j < k; j++) shape_free(&objs[j]);
    free(objs);
    free(ptrs);
    free(dist);
    return rc;
}

/* The longest stretch of [from, until] in which no movement is inside the
 * area na (with a minute's margin either side); -1 when under a minute. */
static int free_stretch(truce_t *t, const char *id, const area_t *na, int64_t from, int64_t until, int64_t *nf,
                        int64_t *nu)
{
    conflict_t *mv;
    size_t cnt;
    if (check_now(t, id, na, from, until, 1u << DC_MOVEMENT, &mv, &cnt)) return -1;
    int64_t *s0 = calloc(cnt + 1, sizeof *s0), *s1 = calloc(cnt + 1, sizeof *s1);
    int64_t cur = from, bf = 0, bu = -1;
    if (!s0 || !s1) cnt = 0, bu = bf; /* out of memory: no stretch */
    else {
        for (size_t i = 0; i < cnt; i++) {
            s0[i] = mv[i].inside_from - MIN_MS;
            s1[i] = mv[i].inside_until + MIN_MS;
        }
        for (size_t p = 1; p < cnt; p++) /* sort by start */
            for (size_t q = p; q > 0 && s0[q] < s0[q - 1]; q--) {
                int64_t x0 = s0[q], x1 = s1[q];
                s0[q] = s0[q - 1];
                s1[q] = s1[q - 1];
                s0[q - 1] = x0;
                s1[q - 1] = x1;
            }
        for (size_t p = 0; p <= cnt; p++) {
            int64_t end = p < cnt ? s0[p] : until;
            if (end > until) end = until;
            if (end - cur > bu - bf) {
                bf = cur;
                bu = end;
            }
            if (p < cnt && s1[p] > cur) cur = s1[p];
        }
    }
    free(s0);
    free(s1);
    free(mv);
    *nf = bf;
    *nu = bu;
    return bu - bf < MIN_MS ? -1 : 0;
}

/* The check a narrowing starts from: everything the notice's area and
 * window conflict with (check_now, every kind) and, for a point, the largest
 * radius that clears everything (rmax[0]) and everything but movements
 * (rmax[1]): each object's distance from the centre less its protection and
 * a metre. */
typedef struct {
    conflict_t *c; /* malloc'd; ids borrowed from the engine until its next change */
    size_t n;
    double rmax[2];
} found_t;

/* The engine's order of conflicts (deconflict.c): distance, kind, id, segment. */
/* A point's check is made once, from its centre grown by the radius: the
 * engine finds the same objects (within protection + radius of the centre)
 * with their distances from the centre, which the radius limits need; the
 * distance from the area is that less the radius, as the engine computes it,
 * and the list is sorted again as the engine sorts. 0 or -1. */
static int notice_check(truce_t *t, const char *id, const area_t *a, int64_t from, int64_t until, found_t *f)
{
    f->rmax[0] = f->rmax[1] = a->radius;
    if (a->shape.type != SH_POINT) return check_now(t, id, a, from, until, 0, &f->c, &f->n);
    area_t centre = {.shape = a->shape, .radius = 0};
    dc_query_t q = {.area = &centre, .from = from, .until = until, .buffer_m = a->radius,
                    .skip_kind = DC_OPERATION, .skip_id = id};
    f->c = NULL;
    f->n = 0;
    if (dc_check(notify_dc(t), &q, &f->c, &f->n)) return -1;
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        conflict_t x = f->c[i];
        double lim = x.distance_m - x.protection_m - 1, d = x.distance_m - a->radius;
        if (lim < f->rmax[0]) f->rmax[0] = lim;
        if (x.kind != DC_MOVEMENT && lim < f->rmax[1]) f->rmax[1] = lim;
        x.distance_m = d > 0 ? d : 0;
        if (x.distance_m > x.protection_m) continue; /* the area's own test, to the last bit */
        f->c[k++] = x;
    }
    f->n = k;
    if (k > 1) qsort(f->c, k, sizeof *f->c, dc_conflict_cmp);
    return 0;
}

/* A proposal: the least loss among (a) shrinking the area until nothing
 * conflicts and (b) shrinking it until only movements conflict and keeping
 * the longest part of the window they leave free. f: the check of the
 * notice's own area and window, which every step starts from: a smaller
 * area in a shorter window conflicts with a subset of it. Each
 * candidate is verified with the engine before it is offered. New object,
 * {"possible": false, ...} when neither works. */
static json_t *propose_from(truce_t *t, const char *id, const json_t *rec, const area_t *a, const found_t *f)
{
    const conflict_t *c = f->c;
    size_t n = f->n;
    int64_t from = rec_time(rec, "window_from"), until = rec_time(rec, "window_until");
    if (n == 0) {
        json_t *same = json_pack("{s:b, s:s, s:O, s:O, s:O, s:f, s:f, s:f}", "possible", 1, "why",
                                 "nothing conflicts: no change is needed", "geometry", json_object_get(rec, "geometry"),
                                 "window_from", json_object_get(rec, "window_from"), "window_until",
                                 json_object_get(rec, "window_until"), "area_kept", 1.0, "time_kept", 1.0, "loss", 0.0);
        if (json_object_get(rec, "radius_m")) json_object_set(same, "radius_m", json_object_get(rec, "radius_m"));
        return same;
    }
    const unsigned all = (1u << DC__KINDS) - 1, fixed = all & ~(1u << DC_MOVEMENT);
    size_t nfixed = 0;
    for (size_t i = 0; i < n; i++) nfixed += c[i].kind != DC_MOVEMENT;
    int movements = nfixed < n;
    const double *rmax = f->rmax;
    json_t *best = NULL;
    double best_loss = 2;
    const char *why = NULL;
    /* Without a movement in the way, shortening the window cannot help.
     * With one, the cut without the movements comes first: when nothing of
     * the polygon is left by it, nothing is left by the cut with them. */
    int nothing_left = 0;
    for (int pass = 0; pass < 1 + movements; pass++) {
        int with_time = movements && pass == 0;
        size_t ntarget = with_time ? nfixed : n;
        double area_ratio = 1, radius = a->radius;
        area_t na = {0};
        json_t *geom = NULL; /* a cut polygon's; else the notice's */
        int ok = 1;
        if (ntarget == 0) {
            ok = shape_copy(&na.shape, &a->shape) == 0;
            na.radius = a->radius;
        } else if (a->shape.type == SH_POINT) {
            double r = rmax[with_time];
            if (r < 10) ok = 0;
            radius = r;
            area_ratio = (r * r) / (a->radius * a->radius);
            ok = ok && shape_copy(&na.shape, &a->shape) == 0;
            na.radius = r;
        } else if (ntarget > MAX_SUBTRACT) {
            /* An area over this many protected objects lies in a dense
             * civilian zone: the subtraction would leave a sieve, and its cost
             * grows with every object. No polygon proposal. */
            ok = 0;
            if (!why) why = "too many protected objects inside the area to cut them out: a smaller area is needed";
        } else if (nothing_left) {
            ok = 0;
        } else {
            ok = cut_polygon(t, a, c, n, with_time ? fixed : all, &na, &area_ratio, &geom) == 0;
            nothing_left = !ok && with_time;
        }
        int64_t nf = from, nu = until;
        if (ok && with_time) ok = free_stretch(t, id, &na, from, until, &nf, &nu) == 0;
        if (ok) ok = count_now(t, id, &na, nf, nu, 0, NULL) == 0;
        double loss = loss_of(area_ratio, (double)(nu - nf) / (double)(until - from));
        if (ok && (loss < best_loss || (loss == best_loss && !with_time))) { /* ties: the whole window */
            char fs[32], us[32];
            time_format(nf, fs);
            time_format(nu, us);
            json_decref(best);
            best = json_pack("{s:b, s:o, s:s, s:s, s:f, s:f, s:f}", "possible", 1, "geometry",
                             geom ? json_incref(geom) : json_deep_copy(json_object_get(rec, "geometry")), "window_from",
                             fs, "window_until", us, "area_kept", round(area_ratio * 1000) / 1000, "time_kept",
                             round((double)(nu - nf) / (double)(until - from) * 1000) / 1000, "loss",
                             round(loss * 1000) / 1000);
            if (a->shape.type == SH_POINT) json_object_set_new(best, "radius_m", json_real(floor(radius)));
            best_loss = loss;
        }
        json_decref(geom);
        shape_free(&na.shape);
    }
    if (!best)
        best = json_pack("{s:b, s:s}", "possible", 0, "why", why ? why : "no smaller area or shorter window clears every conflict");
    return best;
}

json_t *ops_ready(truce_t *t, const json_t *notice)
{
    area_t a;
    if (op_area(t, notice, &a)) return NULL;
    found_t f;
    json_t *out = NULL;
    if (notice_check(t, "", &a, rec_time(notice, "window_from"), rec_time(notice, "window_until"), &f) == 0)
        out = json_pack("{s:o, s:o}", "conflicts", conflicts_json(f.c, f.n), "proposal", propose_from(t, "", notice, &a, &f));
    free(f.c);
    shape_free(&a.shape);
    return out;
}

/* ---- commands ---- */

typedef struct {
    const char *id;
    json_t *in;
    const char *action;
} op_cmd_t;

static json_t *op_labels(truce_t *t, const char *org)
{
    (void)t;
    json_t *l = json_pack("[s]", "org:CMCC");
    char own[80];
    snprintf(own, sizeof own, "org:%s", org);
    if (strcmp(org, "CMCC")) json_array_append_new(l, json_string(own));
    return l;
}

/* Whether labels reach beyond the operation's own parties (op_labels). */
static int wider_than_own(truce_t *t, const json_t *rec, const json_t *labels)
{
    json_t *own = op_labels(t, rec_str(rec, "org"));
    size_t i;
    json_t *l;
    int wide = 0;
    json_array_foreach(labels, i, l) wide |= !rec_has(own, json_string_value(l));
    json_decref(own);
    return wide;
}

/* The conflicts of a decision or amendment, and a narrowing request's
 * proposal, apart (apply_conflicts). */
static int draft_conflicts(truce_t *t, cmd_t *c, const char *id, const json_t *rec, const char *on, json_t *conf,
                           json_t *proposal, err_t *e)
{
    return cmd_draft(c, "operation.conflicts", id, op_labels(t, rec_str(rec, "org")),
                     json_pack("{s:s, s:O, s:O*}", "on", on, "conflicts", conf, "proposal", proposal), e);
}

static int prepare_notify(truce_t *t, cmd_t *c, err_t *e)
{
    op_cmd_t *op = c->arg;
    json_t *in = op->in;
    const char *org = c->who ? c->who->org : "IDF-LO";
    char id[32];
    snprintf(id, sizeof id, "OPN-%llu", (unsigned long long)OS(t)->last_op + 1);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    json_t *body = json_deep_copy(in);
    json_object_set_new(body, "org", json_string(org));
    if (!strcmp(rec_str(in, "mode"), "coordinate") && !json_object_get(in, "answer_by")) {
        char ab[32];
        time_format(util_now_ms() + (int64_t)(answer_minutes(t, rec_str(in, "urgency")) * MIN_MS), ab);
        json_object_set_new(body, "answer_by", json_string(ab));
    }
    area_t a;
    if (op_area(t, in, &a)) {
        json_decref(body);
        return err_set(e, E_BAD_GEOMETRY, "geometry", "the area cannot be read");
    }
    json_t *conf = conflicts_now(t, id, &a, rec_time(in, "window_from"), rec_time(in, "window_until"), 0);
    shape_free(&a.shape);
    json_object_set(body, "conflicts", conf);
    json_t *labels = op_labels(t, org);
    json_t *rec_for_adv = json_pack("{s:O, s:O, s:O}", "window_from", json_object_get(in, "window_from"), "window_until",
                                    json_object_get(in, "window_until"), "_labels", labels);
    int rc = cmd_draft(c, "operation.notified", id, labels, body, e);
    /* An operation that is only notified goes ahead: warn now. */
    if (rc == 0 && !strcmp(rec_str(in, "mode"), "inform")) rc = draft_advisories(t, c, id, rec_for_adv, conf, e);
    json_decref(rec_for_adv);
    json_decref(conf);
    return rc;
}

/* Which decisions each status allows, per mode. */
static int decision_allowed(const char *mode, const char *status, const char *d, int has_alerts)
{
    int inform = !strcmp(mode, "inform");
    if (!strcmp(d, "concur") && inform) return 0;
    if (!strcmp(d, "acknowledge") && !inform) return 0;
    if (!strcmp(status, "pending") || !strcmp(status, "notified")) return 1;
    if (!strcmp(status, "objected")) return !strcmp(d, "concur") || !strcmp(d, "acknowledge") || !strcmp(d, "refer");
    if ((!strcmp(status, "concurred") || !strcmp(status, "acknowledged")) && has_alerts)
        return !strcmp(d, "refer") || !strcmp(d, "request_narrowing") || !strcmp(d, "object");
    return 0;
}

static const char *task_type_for(const char *kind)
{
    if (!strcmp(kind, "arrest")) return "arrest";
    if (!strcmp(kind, "ground_raid") || !strcmp(kind, "air_strike")) return "cordon_and_search";
    if (!strcmp(kind, "engineering_demolition")) return "weapons_cache_seizure";
    return "patrol";
}

static int prepare_decision(truce_t *t, cmd_t *c, err_t *e)
{
    op_cmd_t *op = c->arg;
    json_t *rec = json_object_get(OS(t)->ops, op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    const char *d = rec_str(op->in, "decision"), *status = rec_str(rec, "status");
    if (json_object_get(rec, "outcome")) return err_set(e, E_CONFLICT, "decision", "%s is over", op->id);
    if (!decision_allowed(rec_str(rec, "mode"), status, d, json_array_size(json_object_get(rec, "alerts")) > 0))
        return err_set(e, E_CONFLICT, "decision", "%s is %s (%s mode): it cannot be given %s", op->id, status,
                       rec_str(rec, "mode"), d);
    /* Authority follows the positions held. */
    area_t a;
    if (op_area(t, rec, &a)) return err_set(e, E_INTERNAL, NULL, "the area cannot be read");
    found_t found;
    if (notice_check(t, op->id, &a, rec_time(rec, "window_from"), rec_time(rec, "window_until"), &found)) {
        shape_free(&a.shape);
        return err_set(e, E_INTERNAL, NULL, "the check failed");
    }
    json_t *conf = conflicts_json(found.c, found.n);
    json_t *auth = authority_of(t, c->who);
    int decide = !c->who || rec_has(auth, "cmcc.decide") || rec_has(auth, "cmcc.command");
    int watch = c->who && strcmp(c->who->org, "CMCC") == 0;
    json_decref(auth);
    int simple = (!strcmp(d, "concur") || !strcmp(d, "acknowledge")) && json_array_size(conf) == 0;
    if (!decide && !(simple && watch)) {
        size_t nconf = json_array_size(conf);
        json_decref(conf);
        free(found.c);
        shape_free(&a.shape);
        return err_set(e, E_FORBIDDEN, "decision",
                       simple ? "only the CMCC may decide"
                              : "%s with %zu conflict(s) needs the CMCC commander or a deputy holding cmcc.decide",
                       d, nconf);
    }
    json_t *body = json_pack("{s:s, s:O?, s:O?, s:O}", "decision", d, "reasons", json_object_get(op->in, "reasons"),
                             "note", json_object_get(op->in, "note"), "conflicts", conf);
    json_t *labels = json_deep_copy(json_object_get(rec, "_labels"));
    int rc = 0;
    if (!strcmp(d, "object")) {
        if (!json_object_get(op->in, "reasons")) rc = err_set(e, E_MISSING_FIELD, "reasons", "an objection needs reasons");
        json_t *up = commander_superiors(t);
        json_object_set(body, "escalated_to", up);
        json_t *orgs = orgs_of_positions(t, up);
        size_t i;
        json_t *l;
        json_array_foreach(orgs, i, l) if (!rec_has(labels, json_string_value(l))) json_array_append(labels, l);
        json_decref(orgs);
        json_decref(up);
    } else if (!strcmp(d, "request_narrowing")) {
        json_object_set_new(body, "proposal", propose_from(t, op->id, rec, &a, &found));
    } else if (!strcmp(d, "refer")) {
        char tid[32];
        snprintf(tid, sizeof tid, "TSK-%llu", (unsigned long long)isf_last_task(t) + 1);
        json_object_set_new(body, "task", json_string(tid));
    }
    free(found.c);
    shape_free(&a.shape);
    int apart = wider_than_own(t, rec, labels);
    json_t *proposal = apart ? json_incref(json_object_get(body, "proposal")) : NULL;
    if (apart) {
        json_object_del(body, "conflicts");
        json_object_del(body, "proposal");
    }
    if (rc == 0) rc = cmd_draft(c, "operation.decided", op->id, labels, body, e);
    else {
        json_decref(labels);
        json_decref(body);
    }
    if (rc == 0 && apart) rc = draft_conflicts(t, c, op->id, rec, "decision", conf, proposal, e);
    json_decref(proposal);
    if (rc == 0 && !strcmp(d, "refer")) {
        json_t *task = json_pack("{s:s, s:O, s:O, s:O, s:s, s:s, s:s}", "type", task_type_for(rec_str(rec, "kind")),
                                 "geometry", json_object_get(rec, "geometry"), "window_from",
                                 json_object_get(rec, "window_from"), "window_until", json_object_get(rec, "window_until"),
                                 "use_of_force", "lethal_self_defence", "operation", op->id, "description",
                                 "Task from the CMCC");
        if (json_object_get(rec, "radius_m")) json_object_set(task, "radius_m", json_object_get(rec, "radius_m"));
        rc = isf_draft_task(t, c, task, e);
    }
    if (rc == 0 && (!strcmp(d, "concur") || !strcmp(d, "acknowledge")) && !json_array_size(json_object_get(rec, "advisories")))
        rc = draft_advisories(t, c, op->id, rec, conf, e);
    json_decref(conf);
    return rc;
}

/* The notifier's answer to a narrowing request: accept the proposal (the
 * notice is amended to it), amend otherwise, or answer with a note. */
static int prepare_respond(truce_t *t, cmd_t *c, err_t *e)
{
    op_cmd_t *op = c->arg;
    json_t *rec = json_object_get(OS(t)->ops, op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    if (c->who && strcmp(c->who->org, rec_str(rec, "org")))
        return err_set(e, E_FORBIDDEN, NULL, "only %s answers for %s", rec_str(rec, "org"), op->id);
    if (json_object_get(rec, "outcome")) return err_set(e, E_CONFLICT, "response", "%s is over", op->id);
    if (strcmp(rec_str(rec, "status"), "narrowing_requested"))
        return err_set(e, E_CONFLICT, "response", "%s is %s: no narrowing was requested", op->id, rec_str(rec, "status"));
    const char *resp = rec_str(op->in, "response");
    json_t *labels = json_incref(json_object_get(rec, "_labels"));
    if (!strcmp(resp, "answer")) {
        if (!rec_str(op->in, "note")) {
            json_decref(labels);
            return err_set(e, E_MISSING_FIELD, "note", "an answer needs a note");
        }
        return cmd_draft(c, "operation.answered", op->id, labels, json_pack("{s:O}", "note", json_object_get(op->in, "note")), e);
    }
    json_t *p = json_object_get(rec, "proposal");
    json_t *body;
    if (!strcmp(resp, "accept")) {
        if (!json_is_true(json_object_get(p, "possible")) || !json_object_get(p, "window_from")) {
            json_decref(labels);
            return err_set(e, E_CONFLICT, "response", "there is no proposal to accept");
        }
        body = json_pack("{s:O, s:O, s:O, s:O?}", "geometry", json_object_get(p, "geometry"), "window_from",
                         json_object_get(p, "window_from"), "window_until", json_object_get(p, "window_until"),
                         "radius_m", json_object_get(p, "radius_m"));
        if (!json_object_get(p, "radius_m")) json_object_del(body, "radius_m");
    } else { /* amend */
        body = json_pack("{s:O, s:O, s:O}", "geometry",
                         json_object_get(op->in, "geometry") ? json_object_get(op->in, "geometry") : json_object_get(rec, "geometry"),
                         "window_from",
                         json_object_get(op->in, "window_from") ? json_object_get(op->in, "window_from") : json_object_get(rec, "window_from"),
                         "window_until",
                         json_object_get(op->in, "window_until") ? json_object_get(op->in, "window_until") : json_object_get(rec, "window_until"));
        json_t *r = json_object_get(op->in, "radius_m");
        if (!r && !json_object_get(op->in, "geometry")) r = json_object_get(rec, "radius_m");
        if (r) json_object_set(body, "radius_m", r);
    }
    area_t a;
    if (op_area(t, body, &a)) {
        json_decref(body);
        json_decref(labels);
        return err_set(e, E_BAD_GEOMETRY, "geometry", "the area cannot be read");
    }
    json_t *conf = conflicts_now(t, op->id, &a, rec_time(body, "window_from"), rec_time(body, "window_until"), 0);
    json_object_set_new(body, "response", json_string(resp));
    shape_free(&a.shape);
    int apart = wider_than_own(t, rec, labels);
    if (!apart) json_object_set(body, "conflicts", conf);
    int rc = cmd_draft(c, "operation.amended", op->id, labels, body, e);
    if (rc == 0 && apart) rc = draft_conflicts(t, c, op->id, rec, "amendment", conf, NULL, e);
    json_decref(conf);
    return rc;
}

static int prepare_outcome(truce_t *t, cmd_t *c, err_t *e)
{
    op_cmd_t *op = c->arg;
    json_t *rec = json_object_get(OS(t)->ops, op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    if (c->who && strcmp(c->who->org, rec_str(rec, "org")))
        return err_set(e, E_FORBIDDEN, NULL, "only %s reports the outcome of %s", rec_str(rec, "org"), op->id);
    if (json_object_get(rec, "outcome")) return err_set(e, E_CONFLICT, "result", "the outcome of %s is recorded", op->id);
    if (util_now_ms() < rec_time(rec, "window_from"))
        return err_set(e, E_CONFLICT, "result", "the window of %s has not begun", op->id);
    /* Linked incidents must be in the register and visible to the notifier
     * (one it may not see is answered as one that does not exist). */
    size_t i;
    json_t *inc;
    json_array_foreach(json_object_get(op->in, "incidents"), i, inc)
    {
        json_t *labels = incident_labels(t, json_string_value(inc));
        if (!labels || (c->who && !auth_may_see(c->who, labels)))
            return err_set(e, E_BAD_VALUE, "incidents", "incidents[%zu]: no incident %s", i, json_string_value(inc));
    }
    return cmd_draft(c, "operation.outcome", op->id, json_incref(json_object_get(rec, "_labels")), json_deep_copy(op->in), e);
}

static int prepare_escalate(truce_t *t, cmd_t *c, err_t *e)
{
    op_cmd_t *op = c->arg;
    json_t *rec = json_object_get(OS(t)->ops, op->id);
    if (!rec || strcmp(rec_str(rec, "status"), "pending") || json_object_get(rec, "outcome"))
        return err_set(e, E_CONFLICT, NULL, "answered meanwhile");
    int level = atoi(op->action);
    if (json_integer_value(json_object_get(rec, "escalation_level")) >= level)
        return err_set(e, E_CONFLICT, NULL, "escalated already");
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    json_t *to;
    if (level == 1) {
        const char *cdr = position_with(t, "cmcc.command");
        to = json_pack("[s]", cdr ? cdr : "POS-CMCC-CDR");
    } else {
        to = commander_superiors(t);
    }
    json_t *labels = json_deep_copy(json_object_get(rec, "_labels"));
    json_t *orgs = orgs_of_positions(t, to);
    size_t i;
    json_t *l;
    json_array_foreach(orgs, i, l) if (!rec_has(labels, json_string_value(l))) json_array_append(labels, l);
    json_decref(orgs);
    return cmd_draft(c, "operation.escalated", op->id, labels,
                     json_pack("{s:i, s:o, s:s}", "level", level, "to", to, "reason",
                               level == 1 ? "half of the time to answer has passed" : "the time to answer has passed"),
                     e);
}

void ops_tick(truce_t *t)
{
    int64_t now = util_now_ms();
    char ids[64][32];
    int levels[64], n = 0;
    pthread_rwlock_rdlock(&t->lock);
    const char *id;
    json_t *rec;
    json_object_foreach(OS(t)->ops, id, rec)
    {
        if (n == 64) break;
        if (strcmp(rec_str(rec, "status"), "pending") || !rec_str(rec, "answer_by") || json_object_get(rec, "outcome")) continue;
        int64_t at = rec_time(rec, "notified_at"), by = rec_time(rec, "answer_by");
        int level = (int)json_integer_value(json_object_get(rec, "escalation_level"));
        int due = now >= by ? 2 : now >= at + (by - at) / 2 ? 1 : 0;
        if (due > level) {
            snprintf(ids[n], sizeof ids[n], "%s", id);
            levels[n++] = due;
        }
    }
    pthread_rwlock_unlock(&t->lock);
    /* Every level in turn: a server that was down over the half-time still
     * tells the commander before going past him. */
    for (int i = 0; i < n; i++)
        for (int level = 1; level <= levels[i]; level++) {
            char lv[8];
            snprintf(lv, sizeof lv, "%d", level);
            op_cmd_t op = {.id = ids[i], .action = lv};
            cmd_t c = {.who = NULL, .prepare = prepare_escalate, .arg = &op};
            log_submit(t, &c);
        }
}

void ops_metrics(truce_t *t, buf_t *b)
{
    pthread_rwlock_rdlock(&t->lock);
    ops_state_t *s = OS(t);
    size_t pending = 0;
    const char *id;
    json_t *rec;
    json_object_foreach(s->ops, id, rec) pending += !strcmp(rec_str(rec, "status"), "pending") && !json_object_get(rec, "outcome");
    buf_addf(b,
             "# HELP truce_ops_decision_seconds Time from an operation notice to its first CMCC decision.\n"
             "# TYPE truce_ops_decision_seconds summary\n"
             "truce_ops_decision_seconds_sum %.3f\ntruce_ops_decision_seconds_count %llu\n"
             "# HELP truce_ops_decision_seconds_max Longest time to a first decision.\n"
             "# TYPE truce_ops_decision_seconds_max gauge\ntruce_ops_decision_seconds_max %.3f\n"
             "# HELP truce_ops_pending Coordinate notices awaiting a decision.\n"
             "# TYPE truce_ops_pending gauge\ntruce_ops_pending %zu\n",
             s->decided_sum_s, (unsigned long long)s->ndecided, s->decided_max_s, pending);
    pthread_rwlock_unlock(&t->lock);
}

/* ---- handlers ---- */

static int may_see(const principal_t *who, const json_t *labels)
{
    return auth_may_see(who, labels);
}

/* The conflicts an operation lists (its own, its alerts', its decisions')
 * are kept as the system found them; a reader gets only those whose objects
 * it may see, and no narrowing proposal (cut around the objects, it tells
 * where and when they are). An objection or a late notice shows the
 * operation to the commander's superiors, whose labels do not reach the
 * humanitarians' movements or the ISF's units. o: a fresh object whose
 * members are shared with the state; they are replaced, never changed. */
static void hide_conflicts(truce_t *t, const principal_t *who, json_t *o)
{
    json_t *v = json_object_get(o, "conflicts"), *x;
    size_t i;
    if (v) json_object_set_new(o, "conflicts", notify_visible_conflicts(t, who, v));
    json_object_del(o, "proposal");
    if ((v = json_object_get(o, "alerts"))) {
        json_t *a = json_array();
        json_array_foreach(v, i, x) if (notify_conflict_visible(t, who, json_object_get(x, "conflict")))
            json_array_append(a, x);
        json_object_set_new(o, "alerts", a);
    }
    if ((v = json_object_get(o, "decisions"))) {
        json_t *a = json_array();
        json_array_foreach(v, i, x)
        {
            json_t *d = json_copy(x);
            hide_conflicts(t, who, d);
            json_array_append_new(a, d);
        }
        json_object_set_new(o, "decisions", a);
    }
}

/* The operation's own parties (the CMCC and the notifier) read every
 * conflict, as the events that carry them (op_labels); others get
 * hide_conflicts. */
static void conflicts_for(truce_t *t, const principal_t *who, json_t *o)
{
    json_t *own = op_labels(t, rec_str(o, "org"));
    int all = may_see(who, own);
    json_decref(own);
    if (!all) hide_conflicts(t, who, o);
}

static json_t *out_rec(truce_t *t, const principal_t *who, const json_t *rec, int64_t now)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) if (k[0] != '_') json_object_set(o, k, v);
    json_object_set(o, "labels", json_object_get(rec, "_labels"));
    conflicts_for(t, who, o);
    if (rec_str(rec, "answer_by") && !strcmp(rec_str(rec, "status"), "pending") && !json_object_get(rec, "outcome"))
        json_object_set_new(o, "seconds_left", json_integer((rec_time(rec, "answer_by") - now) / 1000));
    return o;
}

static int check_op_input(truce_t *t, const json_t *in, err_t *e)
{
    geo_t *g = notify_geo(t);
    if (!g) return err_set(e, E_UNAVAILABLE, NULL, "no mission geography");
    shape_t s;
    if (geo_shape_from_json(g, json_object_get(in, "geometry"), 1 << SH_POINT | 1 << SH_POLY, "geometry", &s, e)) return -1;
    int point = s.type == SH_POINT, multi = s.type == SH_POLY && !strcmp(rec_str(json_object_get(in, "geometry"), "type"), "MultiPolygon");
    shape_free(&s);
    if (multi) return err_set(e, E_BAD_GEOMETRY, "geometry", "an operation's area is a Point with radius_m or one Polygon");
    if (point && !json_object_get(in, "radius_m")) return err_set(e, E_MISSING_FIELD, "radius_m", "radius_m is required with a Point");
    if (!point && json_object_get(in, "radius_m")) return err_set(e, E_BAD_VALUE, "radius_m", "radius_m goes with a Point");
    int64_t f = rec_time(in, "window_from"), u = rec_time(in, "window_until");
    if (json_object_get(in, "window_until") && u <= f)
        return err_set(e, E_OUT_OF_RANGE, "window_until", "window_until must be after window_from");
    if (u - f > MAX_WINDOW_MS) return err_set(e, E_OUT_OF_RANGE, "window_until", "an operation's window is at most 7 days");
    return 0;
}

int h_ops_add(req_t *r)
{
    err_t e;
    if (check_op_input(r->t, r->json, &e)) return reply_err(r, &e);
    const char *mode = rec_str(r->json, "mode");
    if (!strcmp(mode, "inform") && json_object_get(r->json, "answer_by"))
        return reply_error(r, E_BAD_VALUE, "answer_by", "answer_by goes with mode coordinate");
    if (json_object_get(r->json, "answer_by") && rec_time(r->json, "answer_by") <= util_now_ms())
        return reply_error(r, E_OUT_OF_RANGE, "answer_by", "answer_by is in the past");
    op_cmd_t op = {.in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_notify, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *o = out_rec(r->t, &r->who, json_object_get(OS(r->t)->ops, c.result_id), util_now_ms());
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, 201, &c, json_pack("{s:o}", "operation", o));
}

int h_ops_list(req_t *r)
{
    static const char *const states[] = {"pending", "notified", "concurred", "acknowledged", "referred",
                                         "narrowing_requested", "objected", NULL};
    static const char *const queues[] = {"decisions", "alerts", "escalated", NULL};
    if (req_query_enum(r, "status", states) || req_query_enum(r, "queue", queues)) return -1;
    const char *status = req_query(r, "status"), *queue = req_query(r, "queue");
    int64_t now = util_now_ms();
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *mine = r->who.person[0] ? org_positions_of(r->t, r->who.person) : json_array();
    const char *id;
    json_t *rec;
    json_object_foreach(OS(r->t)->ops, id, rec)
    {
        if (!may_see(&r->who, json_object_get(rec, "_labels"))) continue;
        if (status && strcmp(rec_str(rec, "status"), status)) continue;
        if (queue && !strcmp(queue, "escalated")) {
            int hit = 0;
            size_t i, k;
            json_t *x, *p;
            json_array_foreach(json_object_get(rec, "escalations"), i, x) json_array_foreach(json_object_get(x, "to"), k, p)
                hit |= rec_has(mine, json_string_value(p));
            if (!hit) continue;
        } else if (queue && !strcmp(queue, "alerts")) {
            if (!json_array_size(json_object_get(rec, "alerts"))) continue;
        } else if (queue && !strcmp(queue, "decisions")) {
            const char *st = rec_str(rec, "status");
            if ((strcmp(st, "pending") && strcmp(st, "notified")) || json_object_get(rec, "outcome")) continue;
        }
        json_t *o = out_rec(r->t, &r->who, rec, now);
        /* the alerts queue: alerts the reader may see */
        if (queue && !strcmp(queue, "alerts") && !json_array_size(json_object_get(o, "alerts"))) {
            json_decref(o);
            continue;
        }
        json_array_append_new(out, o);
    }
    json_decref(mine);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", "operations", out));
}

int h_op_get(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(OS(r->t)->ops, r->params[0]);
    json_t *o = rec && may_see(&r->who, json_object_get(rec, "_labels")) ? out_rec(r->t, &r->who, rec, util_now_ms()) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    return reply_json(r, 200, o);
}

static int visible_op(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(OS(r->t)->ops, r->params[0]);
    int ok = rec && may_see(&r->who, json_object_get(rec, "_labels"));
    pthread_rwlock_unlock(&r->t->lock);
    if (!ok) reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    return ok;
}

static int run(req_t *r, cmd_prepare_fn fn)
{
    if (!visible_op(r)) return -1;
    op_cmd_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = fn, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *o = out_rec(r->t, &r->who, json_object_get(OS(r->t)->ops, op.id), util_now_ms());
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, 200, &c, json_pack("{s:o}", "operation", o));
}

int h_op_decision(req_t *r)
{
    return run(r, prepare_decision);
}

int h_op_respond(req_t *r)
{
    const char *resp = rec_str(r->json, "response");
    /* Before the amendment is checked against the notice's own area and
     * window: a notice the caller may not see is not found, and tells
     * nothing of its window through the errors. */
    if (!visible_op(r)) return -1;
    if (!strcmp(resp, "amend")) {
        err_t e;
        json_t *probe = json_deep_copy(r->json);
        pthread_rwlock_rdlock(&r->t->lock);
        json_t *rec = json_object_get(OS(r->t)->ops, r->params[0]);
        if (rec && !json_object_get(probe, "geometry")) {
            json_object_set(probe, "geometry", json_object_get(rec, "geometry"));
            if (json_object_get(rec, "radius_m") && !json_object_get(probe, "radius_m"))
                json_object_set(probe, "radius_m", json_object_get(rec, "radius_m"));
        }
        if (rec && !json_object_get(probe, "window_from")) json_object_set(probe, "window_from", json_object_get(rec, "window_from"));
        if (rec && !json_object_get(probe, "window_until")) json_object_set(probe, "window_until", json_object_get(rec, "window_until"));
        pthread_rwlock_unlock(&r->t->lock);
        int bad = rec && check_op_input(r->t, probe, &e);
        json_decref(probe);
        if (bad) return reply_err(r, &e);
    }
    return run(r, prepare_respond);
}

int h_op_outcome(req_t *r)
{
    return run(r, prepare_outcome);
}

/* What was known of an operation at as_of: its own events up to then,
 * folded again from the log, and the alerts raised by then. */
int h_op_record(req_t *r)
{
    int64_t as_of = util_now_ms();
    int has;
    if (req_query_time(r, "as_of", &as_of, &has)) return -1;
    if (!visible_op(r)) return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(OS(r->t)->ops, r->params[0]);
    json_t *seqs = json_deep_copy(json_object_get(rec, "_seqs"));
    json_t *alerts = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "alerts"), i, x) if (rec_time(x, "at") <= as_of) json_array_append(alerts, x);
    pthread_rwlock_unlock(&r->t->lock);
    json_t *out = NULL, *decisions = json_array(), *events = json_array();
    json_array_foreach(seqs, i, x)
    {
        size_t len;
        char *bytes = store_get(r->t->store, (uint64_t)json_integer_value(x), &len);
        json_t *ev = bytes ? json_loadb(bytes, len, 0, NULL) : NULL;
        free(bytes);
        if (!ev) continue;
        int64_t when = json_is_integer(json_object_get(ev, "time")) ? json_integer_value(json_object_get(ev, "time"))
                                                                     : rec_time(ev, "time");
        if (when > as_of) {
            json_decref(ev);
            break;
        }
        const char *kind = rec_str(ev, "kind");
        json_t *body = json_object_get(ev, "body");
        char at[32];
        time_format(when, at);
        /* listed when the reader may see it (what it holds is filtered below) */
        if (auth_may_see(&r->who, json_object_get(ev, "labels")))
            json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:O}", "kind", kind, "at", at, "actor", rec_str(ev, "actor"),
                                                "seq", json_object_get(ev, "seq")));
        if (!strcmp(kind, "operation.notified")) {
            out = json_deep_copy(body);
            json_object_set_new(out, "notified_at", json_string(at));
            json_object_set_new(out, "notified_by", json_string(rec_str(ev, "actor")));
            json_object_set_new(out, "status", json_string(strcmp(rec_str(body, "mode"), "inform") ? "pending" : "notified"));
        } else if (out && !strcmp(kind, "operation.decided")) {
            json_t *d = json_deep_copy(body);
            json_object_set_new(d, "by", json_string(rec_str(ev, "actor")));
            json_object_set_new(d, "at", json_string(at));
            json_array_append_new(decisions, d);
            static const char *const st[][2] = {{"concur", "concurred"}, {"acknowledge", "acknowledged"},
                                                {"refer", "referred"}, {"request_narrowing", "narrowing_requested"},
                                                {"object", "objected"}};
            for (size_t k = 0; k < 5; k++)
                if (!strcmp(st[k][0], rec_str(body, "decision"))) json_object_set_new(out, "status", json_string(st[k][1]));
        } else if (out && !strcmp(kind, "operation.amended")) {
            json_object_update(out, body);
            json_object_set_new(out, "status", json_string(strcmp(rec_str(out, "mode"), "inform") ? "pending" : "notified"));
        } else if (out && !strcmp(kind, "operation.conflicts")) {
            fold_conflicts(out, decisions, body);
        } else if (out && !strcmp(kind, "operation.outcome")) {
            json_object_set(out, "outcome", body);
        }
        json_decref(ev);
    }
    json_decref(seqs);
    if (!out) {
        json_decref(alerts);
        json_decref(decisions);
        json_decref(events);
        return reply_error(r, E_NOT_FOUND, "as_of", "%s was not yet notified at that time", r->params[0]);
    }
    char asof[32];
    time_format(as_of, asof);
    json_object_set_new(out, "id", json_string(r->params[0]));
    json_object_set_new(out, "decisions", decisions);
    json_object_set_new(out, "alerts", alerts);
    pthread_rwlock_rdlock(&r->t->lock);
    conflicts_for(r->t, &r->who, out);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:s, s:o, s:o}", "as_of", asof, "operation", out, "events", events));
}

int h_advisories_list(req_t *r)
{
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *rec;
    json_object_foreach(OS(r->t)->advisories, id, rec) if (may_see(&r->who, json_object_get(rec, "_labels")))
    {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(rec, k, v) if (k[0] != '_') json_object_set(o, k, v);
        json_array_append_new(out, o);
    }
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", "advisories", out));
}

static int prepare_adv_ack(truce_t *t, cmd_t *c, err_t *e)
{
    op_cmd_t *op = c->arg;
    json_t *rec = json_object_get(OS(t)->advisories, op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    if (c->who && strcmp(c->who->org, rec_str(rec, "org")))
        return err_set(e, E_FORBIDDEN, NULL, "only %s acknowledges %s", rec_str(rec, "org"), op->id);
    if (!strcmp(rec_str(rec, "status"), "acknowledged")) return err_set(e, E_CONFLICT, NULL, "%s is acknowledged", op->id);
    return cmd_draft(c, "advisory.acknowledged", op->id, json_incref(json_object_get(rec, "_labels")),
                     json_pack("{s:O?}", "note", json_object_get(op->in, "note")), e);
}

int h_advisory_ack(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(OS(r->t)->advisories, r->params[0]);
    int ok = rec && may_see(&r->who, json_object_get(rec, "_labels"));
    pthread_rwlock_unlock(&r->t->lock);
    if (!ok) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    op_cmd_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_adv_ack, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 200, &c, NULL);
}

/* ---- input ---- */

const field_t op_fields[] = {
    {"mode", F_ENUM, 1, 0, 0, 0, op_modes, "inform or coordinate"},
    {"kind", F_ENUM, 1, 0, 0, 0, op_kinds, "what kind of operation"},
    {"geometry", F_GEOJSON, 1, 0, 0, 0, NULL, "area: GeoJSON Point (with radius_m) or Polygon"},
    {"radius_m", F_NUM, 0, 1, 20000, 0, NULL, "radius around a Point"},
    {"window_from", F_TIME, 1, 0, 0, 0, NULL, "start"},
    {"window_until", F_TIME, 1, 0, 0, 0, NULL, "end (at most 7 days after the start)"},
    {"urgency", F_ENUM, 1, 0, 0, 0, urgencies, "immediate, urgent, priority or routine"},
    {"answer_by", F_TIME, 0, 0, 0, 0, NULL, "coordinate: answer needed by (default per urgency)"},
    {"description", F_STR, 1, 1, 0, 2000, NULL, "what and why, without personal data"},
    {NULL},
};

const field_t decision_fields[] = {
    {"decision", F_ENUM, 1, 0, 0, 0, decisions, "concur, acknowledge, refer, request_narrowing or object"},
    {"reasons", F_STR, 0, 1, 0, 4000, NULL, "reasons (required to object)"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "note"},
    {NULL},
};

static const char *const responses[] = {"accept", "amend", "answer", NULL};
const field_t respond_fields[] = {
    {"response", F_ENUM, 1, 0, 0, 0, responses, "accept the proposal, amend the notice, or answer"},
    {"geometry", F_GEOJSON, 0, 0, 0, 0, NULL, "amend: the new area"},
    {"radius_m", F_NUM, 0, 1, 20000, 0, NULL, "amend: radius around a Point"},
    {"window_from", F_TIME, 0, 0, 0, 0, NULL, "amend: start"},
    {"window_until", F_TIME, 0, 0, 0, 0, NULL, "amend: end"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "answer: the note"},
    {NULL},
};

const field_t outcome_report_fields[] = {
    {"result", F_ENUM, 1, 0, 0, 0, outcomes, "as_notified, with_changes or not_carried_out"},
    {"note", F_STR, 0, 0, 0, 4000, NULL, "what changed"},
    {"incidents", F_IDLIST, 0, 0, 50, 32, NULL, "incident ids"},
    {NULL},
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-th quantile (0..1) of n sorted values, nearest rank. */
static double quantile(const double *v, size_t n, double q)
{
    size_t k = (size_t)ceil(q * (double)n);
    return v[k ? k - 1 : 0];
}

void ops_sitrep(truce_t *t, int64_t from, int64_t until, json_t *out)
{
    int notified = 0, pending = 0, by[5] = {0};
    /* Times to a first decision made in the period. */
    size_t nd = 0, capd = 0;
    double *dt_s = NULL;
    const char *id;
    json_t *rec;
    json_object_foreach(OS(t)->ops, id, rec)
    {
        int64_t at = rec_time(rec, "notified_at");
        if (at >= from && at < until) notified++;
        if (!strcmp(rec_str(rec, "status"), "pending") && at < until) pending++;
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(rec, "decisions"), i, d)
        {
            int64_t dt = rec_time(d, "at");
            if (dt < from || dt >= until) continue;
            for (int k = 0; decisions[k]; k++)
                if (!strcmp(decisions[k], rec_str(d, "decision"))) by[k]++;
            if (i == 0 && json_is_number(json_object_get(rec, "decision_seconds"))) {
                if (nd == capd) {
                    size_t cap = capd ? capd * 2 : 64;
                    double *p = realloc(dt_s, cap * sizeof *p);
                    if (!p) continue;
                    dt_s = p;
                    capd = cap;
                }
                dt_s[nd++] = json_number_value(json_object_get(rec, "decision_seconds"));
            }
        }
    }
    json_t *bd = json_object();
    for (int k = 0; decisions[k]; k++) json_object_set_new(bd, decisions[k], json_integer(by[k]));
    json_t *times = json_pack("{s:I}", "count", (json_int_t)nd);
    if (nd) {
        qsort(dt_s, nd, sizeof *dt_s, cmp_double);
        json_object_set_new(times, "median_s", json_real(round(quantile(dt_s, nd, 0.5) * 10) / 10));
        json_object_set_new(times, "p90_s", json_real(round(quantile(dt_s, nd, 0.9) * 10) / 10));
        json_object_set_new(times, "max_s", json_real(round(dt_s[nd - 1] * 10) / 10));
    }
    free(dt_s);
    json_object_set_new(out, "operations", json_pack("{s:i, s:o, s:i, s:o}", "notified", notified, "by_decision", bd,
                                                     "pending", pending, "decision_time", times));
}
