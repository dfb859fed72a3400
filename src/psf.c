/*
 * psf.c — see psf.h. Candidates (CND-n), courses (CRS-n), certificates
 * (CERT-n, kept in their candidate's record) and PSF units (PSFU-n).
 *
 * Every record event carries PSF_LABELS (the trainers, the vetting cell and
 * the parties that follow the forces' build-up); personal data and the
 * results of the automated checks carry PSF_PD_LABELS only. Readers without
 * those labels never receive them: lists never carry personal data at all,
 * and a single candidate's personal data is merged in only for a reader the
 * detail's labels allow, and that read is itself logged (psf.candidate.viewed).
 */
#include "psf.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "incident.h"
#include "log.h"
#include "notify.h"
#include "org.h"
#include "record.h"
#include "transition.h"
#include "tz.h"

#define DAY_MS (86400LL * 1000)

struct psf_state {
    json_t *candidates; /* CND-n -> record */
    json_t *courses;    /* CRS-n -> record */
    json_t *units;      /* PSFU-n -> record */
    uint64_t last_cand, last_course, last_unit, last_cert;
    json_t *empty;       /* {} for psf_settings() when the scenario has none */
    pthread_mutex_t kmu; /* guards the personal-data key below */
    int have_key;
    uint8_t key[32];
};

static psf_state_t *PS(truce_t *t)
{
    return t->psf;
}

static json_t *rec_labels(void)
{
    return json_pack("[s,s,s,s,s,s,s,s]", "role:trainer", "role:psf_vetting", "org:OSC",
                     "org:EUPOL-COPPS", "org:PASF", "org:CMCC", "org:ISF-HQ", "role:leadership");
}

static json_t *pd_labels(void)
{
    return json_pack("[s,s]", "role:trainer", "role:psf_vetting");
}

const char *const psf_services[] = {"police", "civil_defence", "national_security",
                                    "presidential_guard", NULL};
const char *const vetting_steps[] = {"identity",
                                     "criminal_record",
                                     "human_rights",
                                     "ddr_register",
                                     "incident_perpetrators",
                                     "interview",
                                     "medical",
                                     NULL};
static const char *const step_results[] = {"passed", "failed", NULL};
static const char *const outcomes[] = {"approved", "rejected", NULL};
const char *const course_types[] = {"basic", "specialist", "leadership", "civil_coordination",
                                    NULL};
static const char *const exercise_types[] = {"field", "command_post", "civil_coordination",
                                             "public_order", NULL};
static const char *const exercise_results[] = {"passed", "failed", NULL};
static const char *const member_actions[] = {"add", "remove", NULL};
static const char *const psf_unit_types[] = {"police", "civil_defence", "national_security",
                                             "public_order", NULL};
/* Checks run through hooks, in this order. */
static const char *const hook_checks[] = {"ddr_register", "incident_perpetrators", NULL};

/* ---- the vetting check registry (process-wide; modules fill it at init) ---- */

#define MAX_CHECKS 16
static struct {
    char name[48];
    psf_vetting_check_fn fn;
} checks[MAX_CHECKS];
static int nchecks;

void psf_vetting_check_register(const char *name, psf_vetting_check_fn fn)
{
    for (int i = 0; i < nchecks; i++)
        if (!strcmp(checks[i].name, name)) {
            checks[i].fn = fn;
            return;
        }
    if (nchecks == MAX_CHECKS) return;
    snprintf(checks[nchecks].name, sizeof checks[nchecks].name, "%s", name);
    checks[nchecks++].fn = fn;
}

static psf_vetting_check_fn check_find(const char *name)
{
    for (int i = 0; i < nchecks; i++)
        if (!strcmp(checks[i].name, name)) return checks[i].fn;
    return NULL;
}

/* ---- settings ---- */

json_t *psf_settings(truce_t *t)
{
    json_t *s = json_object_get(notify_settings(t), "psf");
    return json_is_object(s) ? s : PS(t)->empty;
}

static double setting(truce_t *t, const char *group, const char *key, double def)
{
    json_t *v = json_object_get(json_object_get(psf_settings(t), group), key);
    return json_is_number(v) ? json_number_value(v) : def;
}

/* ---- apply ---- */

static void history(json_t *rec, const event_t *ev, const char *what, json_t *extra)
{
    char at[32];
    time_format(ev->time, at);
    json_t *h = json_pack("{s:s, s:s, s:s, s:I}", "event", what, "at", at, "by", ev->actor, "seq",
                          (json_int_t)ev->seq);
    if (extra) {
        json_object_update(h, extra);
        json_decref(extra);
    }
    json_array_append_new(json_object_get(rec, "history"), h);
}

static json_t *new_rec(const event_t *ev)
{
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "created_by", json_string(ev->actor));
    rec_set_time(rec, "created_at", ev->time);
    json_object_set_new(rec, "history", json_array());
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    return rec;
}

static void apply_candidate(truce_t *t, const event_t *ev)
{
    json_t *rec = new_rec(ev);
    json_object_set_new(rec, "status", json_string("registered"));
    json_object_set_new(rec, "vetting", json_object());
    json_object_set_new(rec, "certificates", json_array());
    json_object_set_new(rec, "courses", json_array());
    history(rec, ev, "registered", NULL);
    json_object_set_new(PS(t)->candidates, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "CND-");
    if (n > PS(t)->last_cand) PS(t)->last_cand = n;
}

static void apply_candidate_detail(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->candidates, ev->subject);
    if (!rec) return;
    json_object_set_new(rec, "_detail", json_deep_copy(ev->body));
    json_object_set_new(rec, "_dlabels", json_deep_copy(ev->labels));
}

static void apply_vetting(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->candidates, ev->subject);
    if (!rec) return;
    char at[32];
    time_format(ev->time, at);
    const char *step = rec_str(ev->body, "step");
    json_object_set_new(json_object_get(rec, "vetting"), step,
                        json_pack("{s:O, s:O?, s:s, s:s, s:I}", "result",
                                  json_object_get(ev->body, "result"), "note",
                                  json_object_get(ev->body, "note"), "by", ev->actor, "at", at,
                                  "seq", (json_int_t)ev->seq));
    if (!strcmp(rec_str(rec, "status"), "registered"))
        json_object_set_new(rec, "status", json_string("in_vetting"));
    history(rec, ev, "vetting",
            json_pack("{s:s, s:O}", "step", step, "result", json_object_get(ev->body, "result")));
}

static void apply_checked(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->candidates, ev->subject);
    if (!rec) return;
    json_t *c = json_deep_copy(ev->body);
    char at[32];
    time_format(ev->time, at);
    json_object_set_new(c, "at", json_string(at));
    json_object_set_new(c, "by", json_string(ev->actor));
    json_object_set_new(c, "seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(rec, "_checks", c);
    json_object_set_new(rec, "_clabels", json_deep_copy(ev->labels));
}

static void apply_decided(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->candidates, ev->subject);
    if (!rec) return;
    char at[32];
    time_format(ev->time, at);
    const char *o = rec_str(ev->body, "outcome");
    json_object_set_new(rec, "status", json_string(o));
    json_object_set_new(rec, "decision",
                        json_pack("{s:s, s:O?, s:O?, s:s, s:s, s:I}", "outcome", o, "note",
                                  json_object_get(ev->body, "note"), "flags_reviewed",
                                  json_object_get(ev->body, "flags_reviewed"), "by", ev->actor,
                                  "at", at, "seq", (json_int_t)ev->seq));
    history(rec, ev, "decision", json_pack("{s:s}", "outcome", o));
}

static void apply_viewed(truce_t *t, const event_t *ev)
{
    (void)t;
    (void)ev; /* the log keeps who read what; nothing to project */
}

static void apply_course(truce_t *t, const event_t *ev)
{
    json_t *rec = new_rec(ev);
    json_object_set_new(rec, "enrolled", json_array());
    json_object_set_new(rec, "results", json_object());
    history(rec, ev, "created", NULL);
    json_object_set_new(PS(t)->courses, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "CRS-");
    if (n > PS(t)->last_course) PS(t)->last_course = n;
}

static void apply_enrolled(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->courses, ev->subject);
    const char *cand = rec_str(ev->body, "candidate");
    json_t *crec = json_object_get(PS(t)->candidates, cand ? cand : "");
    if (!rec || !crec) return;
    json_array_append_new(json_object_get(rec, "enrolled"), json_string(cand));
    json_array_append_new(json_object_get(crec, "courses"), json_string(ev->subject));
    history(rec, ev, "enrolled", json_pack("{s:s}", "candidate", cand));
    history(crec, ev, "enrolled", json_pack("{s:s}", "course", ev->subject));
}

static void apply_assessed(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->courses, ev->subject);
    const char *cand = rec_str(ev->body, "candidate");
    json_t *crec = json_object_get(PS(t)->candidates, cand ? cand : "");
    if (!rec || !crec) return;
    char at[32];
    time_format(ev->time, at);
    json_t *res = json_pack(
        "{s:O, s:O, s:O?, s:s, s:s, s:I}", "score", json_object_get(ev->body, "score"), "result",
        json_object_get(ev->body, "result"), "note", json_object_get(ev->body, "note"), "by",
        ev->actor, "at", at, "seq", (json_int_t)ev->seq);
    json_object_set_new(json_object_get(rec, "results"), cand, res);
    history(crec, ev, "assessed",
            json_pack("{s:s, s:O}", "course", ev->subject, "result",
                      json_object_get(ev->body, "result")));
}

static void apply_certificate(truce_t *t, const event_t *ev)
{
    const char *cand = rec_str(ev->body, "candidate");
    json_t *crec = json_object_get(PS(t)->candidates, cand ? cand : "");
    if (!crec) return;
    json_t *cert = json_deep_copy(ev->body);
    json_object_set_new(cert, "id", json_string(ev->subject));
    json_object_set_new(cert, "issued_by", json_string(ev->actor));
    json_object_set_new(cert, "seq", json_integer((json_int_t)ev->seq));
    json_array_append_new(json_object_get(crec, "certificates"), cert);
    history(crec, ev, "certified",
            json_pack("{s:s, s:O}", "certificate", ev->subject, "course",
                      json_object_get(ev->body, "course")));
    uint64_t n = rec_id_num(ev->subject, "CERT-");
    if (n > PS(t)->last_cert) PS(t)->last_cert = n;
}

/* The certificate by id and its candidate (borrowed), or NULL. */
static json_t *cert_find(truce_t *t, const char *id, json_t **cand)
{
    const char *k;
    json_t *c;
    json_object_foreach(PS(t)->candidates, k, c)
    {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(c, "certificates"), i,
                           x) if (!strcmp(rec_str(x, "id"), id))
        {
            if (cand) *cand = c;
            return x;
        }
    }
    return NULL;
}

static void apply_revoked(truce_t *t, const event_t *ev)
{
    json_t *cand = NULL, *cert = cert_find(t, ev->subject, &cand);
    if (!cert) return;
    char at[32];
    time_format(ev->time, at);
    json_object_set_new(cert, "revoked",
                        json_pack("{s:s, s:O?, s:s}", "at", at, "reason",
                                  json_object_get(ev->body, "reason"), "by", ev->actor));
    history(cand, ev, "revoked", json_pack("{s:s}", "certificate", ev->subject));
}

static void apply_unit(truce_t *t, const event_t *ev)
{
    json_t *rec = new_rec(ev);
    json_object_set_new(rec, "members", json_array());
    if (!json_object_get(rec, "equipment")) json_object_set_new(rec, "equipment", json_object());
    json_object_set_new(rec, "exercises", json_array());
    history(rec, ev, "created", NULL);
    json_object_set_new(PS(t)->units, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "PSFU-");
    if (n > PS(t)->last_unit) PS(t)->last_unit = n;
}

static void apply_unit_updated(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->units, ev->subject);
    if (!rec) return;
    json_object_update(rec, ev->body);
    history(rec, ev, "updated", json_deep_copy(ev->body));
}

static void apply_member(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->units, ev->subject);
    const char *cand = rec_str(ev->body, "candidate");
    json_t *crec = json_object_get(PS(t)->candidates, cand ? cand : "");
    if (!rec || !crec) return;
    json_t *m = json_object_get(rec, "members");
    if (!strcmp(rec_str(ev->body, "action"), "add")) {
        json_array_append_new(m, json_string(cand));
        json_object_set_new(crec, "unit", json_string(ev->subject));
    } else {
        for (size_t i = 0; i < json_array_size(m); i++)
            if (!strcmp(json_string_value(json_array_get(m, i)), cand)) json_array_remove(m, i--);
        json_object_del(crec, "unit");
    }
    history(
        rec, ev, "member",
        json_pack("{s:s, s:O}", "candidate", cand, "action", json_object_get(ev->body, "action")));
}

static void apply_equipment(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->units, ev->subject);
    if (!rec) return;
    json_object_set_new(json_object_get(rec, "equipment"), rec_str(ev->body, "item"),
                        json_pack("{s:O, s:O}", "authorised",
                                  json_object_get(ev->body, "authorised"), "held",
                                  json_object_get(ev->body, "held")));
    history(rec, ev, "equipment", json_deep_copy(ev->body));
}

static void apply_exercise(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(PS(t)->units, ev->subject);
    if (!rec) return;
    json_t *x = json_deep_copy(ev->body);
    json_object_set_new(x, "recorded_by", json_string(ev->actor));
    json_object_set_new(x, "seq", json_integer((json_int_t)ev->seq));
    json_array_append_new(json_object_get(rec, "exercises"), x);
    history(rec, ev, "exercise",
            json_pack("{s:O, s:O}", "type", json_object_get(ev->body, "type"), "result",
                      json_object_get(ev->body, "result")));
}

/* ---- readiness ---- */

static int readiness_metric(truce_t *t, const char *sector, int64_t from, int64_t until,
                            double *value, json_t *ev);
static int certified_metric(truce_t *t, const char *sector, int64_t from, int64_t until,
                            double *value, json_t *ev);

static int psf_init(truce_t *t)
{
    psf_state_t *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->candidates = json_object();
    s->courses = json_object();
    s->units = json_object();
    s->empty = json_object();
    pthread_mutex_init(&s->kmu, NULL);
    t->psf = s;
    gate_metric_register("psf_unit_readiness", readiness_metric);
    gate_metric_register("psf_certified_members", certified_metric);
    return 0;
}

static void psf_release(truce_t *t)
{
    psf_state_t *s = t->psf;
    if (!s) return;
    json_decref(s->candidates);
    json_decref(s->courses);
    json_decref(s->units);
    json_decref(s->empty);
    sodium_memzero(s->key, sizeof s->key);
    pthread_mutex_destroy(&s->kmu);
    free(s);
    t->psf = NULL;
}

static void psf_dump(truce_t *t, json_t *out)
{
    json_object_set(out, "candidates", PS(t)->candidates);
    json_object_set(out, "courses", PS(t)->courses);
    json_object_set(out, "units", PS(t)->units);
}

static const snap_field_t psf_snap[] = {
    {"candidates", offsetof(psf_state_t, candidates), SNAP_OBJECT},
    {"courses", offsetof(psf_state_t, courses), SNAP_OBJECT},
    {"units", offsetof(psf_state_t, units), SNAP_OBJECT},
    {"last_cand", offsetof(psf_state_t, last_cand), SNAP_U64},
    {"last_course", offsetof(psf_state_t, last_course), SNAP_U64},
    {"last_unit", offsetof(psf_state_t, last_unit), SNAP_U64},
    {"last_cert", offsetof(psf_state_t, last_cert), SNAP_U64},
};
static int psf_save(truce_t *t, buf_t *b)
{
    return rec_save_json(b, rec_snap_pack(PS(t), psf_snap, SNAP_N(psf_snap)));
}

static int psf_load(truce_t *t, const char *p, size_t n)
{
    json_t *all = rec_snap_load(PS(t), psf_snap, SNAP_N(psf_snap), p, n);
    json_decref(all);
    return all ? 0 : -1;
}

static const kind_def_t psf_kinds[] = {
    {"psf.candidate.registered", apply_candidate},
    {"psf.candidate.detail", apply_candidate_detail},
    {"psf.candidate.viewed", apply_viewed},
    {"psf.vetting.recorded", apply_vetting},
    {"psf.vetting.checked", apply_checked},
    {"psf.vetting.decided", apply_decided},
    {"psf.course.created", apply_course},
    {"psf.course.enrolled", apply_enrolled},
    {"psf.course.assessed", apply_assessed},
    {"psf.certificate.issued", apply_certificate},
    {"psf.certificate.revoked", apply_revoked},
    {"psf.unit.created", apply_unit},
    {"psf.unit.updated", apply_unit_updated},
    {"psf.unit.member", apply_member},
    {"psf.unit.equipment", apply_equipment},
    {"psf.unit.exercise", apply_exercise},
    {NULL, NULL},
};

const module_t psf_module = {"psf", psf_kinds, psf_init, psf_release, psf_dump, psf_save, psf_load};

static double weight_of(const json_t *weights, const char *k, double def)
{
    json_t *v = json_object_get(weights, k);
    return json_is_number(v) ? json_number_value(v) : def;
}

double psf_readiness_compute(const psf_readiness_in_t *in, const json_t *weights,
                             json_t *components)
{
    double personnel =
        in->authorised > 0 ? fmin(1.0, (double)in->assigned / (double)in->authorised) : 0;
    double trained = in->assigned > 0 ? fmin(1.0, (double)in->certified / (double)in->assigned) : 0;
    double equipment =
        in->equip_authorised > 0 ? fmin(1.0, in->equip_held / in->equip_authorised) : 0;
    long civ_t = in->ex_civil_target < 0 ? 0 : in->ex_civil_target;
    long tgt = in->ex_target < civ_t ? civ_t : in->ex_target;
    long other = in->ex_passed - in->ex_civil_passed;
    double exercises = 0;
    if (tgt > 0) {
        long a = other < tgt - civ_t ? other : tgt - civ_t;
        long b = in->ex_civil_passed < civ_t ? in->ex_civil_passed : civ_t;
        exercises = (double)((a > 0 ? a : 0) + (b > 0 ? b : 0)) / (double)tgt;
    }
    struct {
        const char *name;
        double def, value;
        json_t *figures;
    } c[4] = {
        {"personnel", 0.25, personnel,
         json_pack("{s:I, s:I}", "assigned", (json_int_t)in->assigned, "authorised",
                   (json_int_t)in->authorised)},
        {"trained", 0.35, trained,
         json_pack("{s:I, s:I}", "certified", (json_int_t)in->certified, "assigned",
                   (json_int_t)in->assigned)},
        {"equipment", 0.2, equipment,
         json_pack("{s:f, s:f}", "held", in->equip_held, "authorised", in->equip_authorised)},
        {"exercises", 0.2, exercises,
         json_pack("{s:I, s:I, s:I, s:I, s:f}", "passed", (json_int_t)in->ex_passed,
                   "civil_coordination_passed", (json_int_t)in->ex_civil_passed, "target",
                   (json_int_t)tgt, "civil_coordination_target", (json_int_t)civ_t, "window_days",
                   in->window_days)},
    };
    double sum = 0, wsum = 0;
    for (int i = 0; i < 4; i++) {
        double w = weight_of(weights, c[i].name, c[i].def);
        if (w < 0) w = 0;
        sum += w * c[i].value;
        wsum += w;
        if (components)
            json_array_append_new(components, json_pack("{s:s, s:f, s:f, s:o}", "component",
                                                        c[i].name, "weight", w, "value", c[i].value,
                                                        "figures", c[i].figures));
        else
            json_decref(c[i].figures);
    }
    return wsum > 0 ? sum / wsum : 0;
}

/* Whether the candidate holds a certificate valid at at: issued, not
 * expired, and not revoked by then (a later revocation does not rewrite a
 * past day's figures). */
static int cert_valid(const json_t *cand, int64_t at)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(cand, "certificates"), i, x)
    {
        json_t *rv = json_object_get(x, "revoked");
        if (rv && rec_time(rv, "at") <= at) continue;
        if (rec_time(x, "issued_at") <= at && at < rec_time(x, "valid_until")) return 1;
    }
    return 0;
}

/* The members a unit had at at, from its history: {CND: true}. New object. */
static json_t *members_at(const json_t *unit, int64_t at)
{
    json_t *in = json_object();
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(unit, "history"), i, h)
    {
        if (rec_time(h, "at") > at) break;
        if (strcmp(rec_str(h, "event"), "member") || !rec_str(h, "candidate")) continue;
        if (!strcmp(rec_str(h, "action"), "add")) json_object_set_new(in, rec_str(h, "candidate"), json_true());
        else json_object_del(in, rec_str(h, "candidate"));
    }
    return in;
}

static void readiness_in(truce_t *t, const json_t *unit, int64_t at, psf_readiness_in_t *in)
{
    memset(in, 0, sizeof *in);
    in->authorised = (long)json_integer_value(json_object_get(unit, "authorised_strength"));
    json_t *m = members_at(unit, at); /* as of at, as the certificates and exercises */
    in->assigned = (long)json_object_size(m);
    size_t i;
    json_t *x;
    const char *cand;
    json_object_foreach(m, cand, x) in->certified += cert_valid(json_object_get(PS(t)->candidates, cand), at);
    json_decref(m);
    const char *k;
    json_object_foreach(json_object_get(unit, "equipment"), k, x)
    {
        double a = (double)json_integer_value(json_object_get(x, "authorised"));
        double h = (double)json_integer_value(json_object_get(x, "held"));
        in->equip_authorised += a;
        in->equip_held += h < a ? h : a;
    }
    in->window_days = setting(t, "readiness", "exercise_window_days", 180);
    in->ex_target = (long)setting(t, "readiness", "exercises_target", 3);
    in->ex_civil_target = (long)setting(t, "readiness", "civil_coordination_target", 1);
    int64_t from = at - (int64_t)(in->window_days * DAY_MS);
    json_array_foreach(json_object_get(unit, "exercises"), i, x)
    {
        int64_t when = rec_time(x, "date");
        if (when > at || when <= from || strcmp(rec_str(x, "result"), "passed")) continue;
        in->ex_passed++;
        if (!strcmp(rec_str(x, "type"), "civil_coordination")) in->ex_civil_passed++;
    }
}

int psf_unit_readiness(truce_t *t, const char *unit, int64_t at, double *score, json_t **out)
{
    json_t *u = json_object_get(PS(t)->units, unit);
    if (!u) return -1;
    psf_readiness_in_t in;
    readiness_in(t, u, at, &in);
    json_t *comps = json_array();
    double s = psf_readiness_compute(
        &in, json_object_get(json_object_get(psf_settings(t), "readiness"), "weights"), comps);
    if (score) *score = s;
    char ats[32];
    time_format(at, ats);
    if (out)
        *out = json_pack("{s:s, s:f, s:s, s:o}", "unit", unit, "score", round(s * 1000) / 1000,
                         "as_of", ats, "components", comps);
    else
        json_decref(comps);
    return 0;
}

json_t *psf_units_in_sector(truce_t *t, const char *sector)
{
    json_t *out = json_array();
    const char *id;
    json_t *u;
    json_object_foreach(PS(t)->units, id,
                        u) if (rec_str(u, "sector") && !strcmp(rec_str(u, "sector"), sector))
        json_array_append_new(out, json_string(id));
    return out;
}

/* psf_unit_readiness: the lowest rating of the sector's units (all must be ready). */
static int readiness_metric(truce_t *t, const char *sector, int64_t from, int64_t until,
                            double *value, json_t *ev)
{
    (void)from;
    json_t *ids = psf_units_in_sector(t, sector), *units = json_array();
    double lo = INFINITY;
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x)
    {
        double s = 0;
        psf_unit_readiness(t, json_string_value(x), until, &s, NULL);
        json_array_append_new(units,
                              json_pack("{s:O, s:f}", "unit", x, "score", round(s * 1000) / 1000));
        if (s < lo) lo = s;
    }
    json_decref(ids);
    json_object_set_new(ev, "units", units);
    json_object_set_new(ev, "rule",
                        json_string("the lowest rating of the PSF units assigned to the sector"));
    if (!isfinite(lo)) return 1;
    *value = lo;
    return 0;
}

static int certified_metric(truce_t *t, const char *sector, int64_t from, int64_t until,
                            double *value, json_t *ev)
{
    (void)from;
    json_t *ids = psf_units_in_sector(t, sector);
    long n = 0, members = 0;
    size_t i;
    json_t *x, *m;
    json_array_foreach(ids, i, x)
    { /* the members of then, as readiness counts them */
        json_t *in = members_at(json_object_get(PS(t)->units, json_string_value(x)), until);
        const char *cand;
        json_object_foreach(in, cand, m)
        {
            members++;
            n += cert_valid(json_object_get(PS(t)->candidates, cand), until);
        }
        json_decref(in);
    }
    json_object_set_new(ev, "units", ids);
    json_object_set_new(ev, "members", json_integer(members));
    if (!json_array_size(ids)) return 1;
    *value = (double)n;
    return 0;
}

/* A candidate's status at at, from its history: registered, in_vetting once
 * a step is recorded, then the latest decision. NULL before it was registered. */
static const char *status_at(const json_t *cand, int64_t at)
{
    const char *st = NULL;
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(cand, "history"), i, h)
    {
        if (rec_time(h, "at") > at) break;
        const char *ev = rec_str(h, "event");
        if (!strcmp(ev, "registered")) st = "registered";
        else if (!strcmp(ev, "vetting") && st && !strcmp(st, "registered")) st = "in_vetting";
        else if (!strcmp(ev, "decision") && rec_str(h, "outcome")) st = rec_str(h, "outcome");
    }
    return st;
}

/* The figures as they stood at at (a SITREP of a past day reads them at its
 * end): candidates and units not yet registered are left out, and statuses
 * and members are those of then. */
json_t *psf_summary(truce_t *t, int64_t at)
{
    json_t *st = json_pack("{s:i, s:i, s:i, s:i}", "registered", 0, "in_vetting", 0, "approved", 0,
                           "rejected", 0);
    long valid = 0, day = 0, members = 0, units = 0;
    const char *id;
    json_t *c;
    json_object_foreach(PS(t)->candidates, id, c)
    {
        const char *s = status_at(c, at);
        if (!s) continue;
        json_t *n = json_object_get(st, s);
        if (n) json_integer_set(n, json_integer_value(n) + 1);
        valid += cert_valid(c, at);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(c, "certificates"), i, x)
        {
            int64_t when = rec_time(x, "issued_at");
            day += when <= at && when > at - DAY_MS;
        }
    }
    json_t *rd = json_object();
    json_object_foreach(PS(t)->units, id, c)
    {
        if (rec_time(c, "created_at") > at) continue;
        double s = 0;
        psf_unit_readiness(t, id, at, &s, NULL);
        json_object_set_new(rd, id, json_real(round(s * 1000) / 1000));
        json_t *m = members_at(c, at);
        members += (long)json_object_size(m);
        json_decref(m);
        units++;
    }
    return json_pack("{s:b, s:o, s:I, s:I, s:I, s:I, s:o}", "available", 1, "candidates", st,
                     "certificates_valid", (json_int_t)valid, "certificates_issued_24h",
                     (json_int_t)day, "units", (json_int_t)units,
                     "members", (json_int_t)members, "readiness", rd);
}

/* ---- commands ---- */

static int has(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(list[i], s)) return 1;
    return 0;
}

/* Whether the caller holds a position with this authority (the system does). */
static int has_authority(truce_t *t, const principal_t *who, const char *authority)
{
    if (!who) return 1;
    if (!who->person[0]) return 0;
    json_t *mine = org_positions_of(t, who->person);
    int ok = 0;
    size_t i;
    json_t *p;
    json_array_foreach(mine, i, p) ok |= rec_has(
        json_object_get(json_object_get(org_positions(t), json_string_value(p)), "authority"),
        authority);
    json_decref(mine);
    return ok;
}

typedef struct {
    const char *id;
    json_t *in;
    json_t *extra; /* out: what the reply adds */
} op_t;

static const char *const pd_keys[] = {"name_ar", "name_en", "date_of_birth", "id_number", NULL};

/* ---- personal data at rest ----
 * The detail event's body is {"alg": "xchacha20poly1305-ietf", "nonce",
 * "ciphertext"} (hex), the candidate's id as associated data, under the key
 * in DIR/psf.key (64 hex digits, 0600, made with the first candidate). The
 * log, snapshots and the state dump hold only ciphertext; the key is needed
 * to read personal data, not to replay. */

#define PD_ALG "xchacha20poly1305-ietf"

/* Loads DIR/psf.key, or (create) makes it; 0 with key filled, -1 when absent. */
static int pd_key(truce_t *t, int create, uint8_t key[32])
{
    psf_state_t *s = PS(t);
    pthread_mutex_lock(&s->kmu);
    if (!s->have_key && t->dir) {
        buf_t path;
        buf_init(&path);
        buf_addf(&path, "%s/psf.key", t->dir);
        size_t n = 0;
        char *hex = file_read(path.data, &n);
        if (hex && n >= 64 && hex_decode(hex, s->key, 32) == 0) {
            s->have_key = 1;
        } else if (!hex && create) {
            char out[65];
            randombytes_buf(s->key, sizeof s->key);
            hex_encode(s->key, 32, out);
            if (file_write(path.data, out, 64, 0600) == 0) s->have_key = 1;
            sodium_memzero(out, sizeof out);
        }
        if (hex) sodium_memzero(hex, n);
        free(hex);
        buf_release(&path);
    }
    int ok = s->have_key;
    if (ok) memcpy(key, s->key, 32);
    pthread_mutex_unlock(&s->kmu);
    return ok ? 0 : -1;
}

/* The sealed form of pd for candidate id (new), or NULL. */
static json_t *pd_seal(truce_t *t, const char *id, const json_t *pd)
{
    uint8_t key[32], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    if (pd_key(t, 1, key)) return NULL;
    char *plain = json_dumps(pd, JSON_COMPACT | JSON_SORT_KEYS);
    if (!plain) return NULL;
    size_t n = strlen(plain);
    unsigned long long clen = 0;
    uint8_t *ct = malloc(n + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    char *hex = malloc(2 * (n + crypto_aead_xchacha20poly1305_ietf_ABYTES) + 1);
    json_t *out = NULL;
    if (ct && hex) {
        randombytes_buf(nonce, sizeof nonce);
        crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, (const uint8_t *)plain, n,
                                                   (const uint8_t *)id, strlen(id), NULL, nonce,
                                                   key);
        char nh[2 * sizeof nonce + 1];
        hex_encode(nonce, sizeof nonce, nh);
        hex_encode(ct, (size_t)clen, hex);
        out = json_pack("{s:s, s:s, s:s}", "alg", PD_ALG, "nonce", nh, "ciphertext", hex);
    }
    sodium_memzero(plain, n);
    sodium_memzero(key, sizeof key);
    free(plain);
    free(ct);
    free(hex);
    return out;
}

/* The personal data of candidate id from its detail (new), or NULL when it
 * cannot be opened. A detail that is not sealed is returned as it is. */
static json_t *pd_open(truce_t *t, const char *id, const json_t *detail)
{
    if (!detail) return NULL;
    if (!rec_str(detail, "ciphertext")) return json_deep_copy(detail);
    const char *nh = rec_str(detail, "nonce"), *ch = rec_str(detail, "ciphertext");
    uint8_t key[32], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    size_t clen = strlen(ch) / 2;
    if (strcmp(rec_str(detail, "alg") ? rec_str(detail, "alg") : "", PD_ALG) || !nh ||
        strlen(nh) != 2 * sizeof nonce || hex_decode(nh, nonce, sizeof nonce) ||
        clen < crypto_aead_xchacha20poly1305_ietf_ABYTES || pd_key(t, 0, key))
        return NULL;
    uint8_t *ct = malloc(clen), *plain = malloc(clen + 1);
    json_t *out = NULL;
    unsigned long long n = 0;
    if (ct && plain && hex_decode(ch, ct, clen) == 0 &&
        crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &n, NULL, ct, clen, (const uint8_t *)id,
                                                   strlen(id), nonce, key) == 0)
        out = json_loadb((const char *)plain, (size_t)n, 0, NULL);
    if (plain) sodium_memzero(plain, clen + 1);
    sodium_memzero(key, sizeof key);
    free(ct);
    free(plain);
    return out;
}

static int prepare_candidate(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *sec = rec_str(in, "sector");
    if (sec && !org_sector_exists(t, sec))
        return err_set(e, E_BAD_VALUE, "sector", "no sector %s", sec);
    snprintf(c->result_id, sizeof c->result_id, "CND-%llu",
             (unsigned long long)PS(t)->last_cand + 1);
    json_t *body = json_object(), *pd = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v) json_object_set(has(pd_keys, k) ? pd : body, k, v);
    json_t *sealed = pd_seal(t, c->result_id, pd);
    json_decref(pd);
    if (!sealed) {
        json_decref(body);
        return err_set(e, E_UNAVAILABLE, NULL,
                       "the personal-data key (psf.key in the data folder) is not available");
    }
    if (cmd_draft(c, "psf.candidate.registered", c->result_id, rec_labels(), body, e)) {
        json_decref(sealed);
        return -1;
    }
    return cmd_draft(c, "psf.candidate.detail", c->result_id, pd_labels(), sealed, e);
}

static json_t *candidate_or(truce_t *t, const char *id, err_t *e)
{
    json_t *rec = json_object_get(PS(t)->candidates, id ? id : "");
    if (!rec) err_set(e, E_NOT_FOUND, NULL, "no candidate %s", id ? id : "");
    return rec;
}

static int prepare_vetting(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *rec = candidate_or(t, op->id, e);
    if (!rec) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "psf.vetting.recorded", op->id, rec_labels(), json_deep_copy(op->in), e);
}

/* Runs every hook check against the candidate's personal data. */
static int prepare_checks(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *rec = candidate_or(t, op->id, e);
    if (!rec) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    json_t *person = pd_open(t, op->id, json_object_get(rec, "_detail"));
    json_t *results = json_array();
    int flags = 0;
    for (int i = 0; hook_checks[i]; i++) {
        psf_vetting_check_fn fn = check_find(hook_checks[i]);
        json_t *r = json_object();
        if (!fn) {
            json_object_set_new(r, "status", json_string("not_available"));
            json_object_set_new(r, "reason", json_string("check not available"));
        } else if (fn(t, person ? person : PS(t)->empty, r)) {
            json_object_clear(r);
            json_object_set_new(r, "status", json_string("error"));
            json_object_set_new(r, "reason", json_string("the check could not run"));
        }
        const char *st = rec_str(r, "status");
        if (!st || (strcmp(st, "clear") && strcmp(st, "flag") && strcmp(st, "not_available") &&
                    strcmp(st, "error")))
            json_object_set_new(r, "status", json_string("error"));
        flags += !strcmp(rec_str(r, "status"), "flag");
        json_object_set_new(r, "check", json_string(hook_checks[i]));
        json_array_append_new(results, r);
    }
    json_decref(person);
    op->extra = json_pack("{s:O, s:i}", "checks", results, "flags", flags);
    return cmd_draft(c, "psf.vetting.checked", op->id, pd_labels(),
                     json_pack("{s:o, s:i}", "results", results, "flags", flags), e);
}

static const char *step_result(const json_t *rec, const char *step)
{
    return rec_str(json_object_get(json_object_get(rec, "vetting"), step), "result");
}

static int prepare_decision(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *rec = candidate_or(t, op->id, e);
    if (!rec) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    const char *o = rec_str(op->in, "outcome");
    if (!strcmp(o, "rejected") && !rec_str(op->in, "note"))
        return err_set(e, E_MISSING_FIELD, "note", "a rejection needs the reason (note)");
    if (!strcmp(o, "approved")) {
        json_t *req = json_object_get(psf_settings(t), "vetting_required");
        static const char *const def[] = {"identity", "criminal_record", "human_rights", NULL};
        size_t n = json_is_array(req) ? json_array_size(req) : 3;
        for (size_t i = 0; i < n; i++) {
            const char *s = json_is_array(req) ? json_string_value(json_array_get(req, i)) : def[i];
            const char *r = step_result(rec, s);
            if (!r || strcmp(r, "passed"))
                return err_set(e, E_CONFLICT, "outcome", "%s cannot be approved: the %s step is %s",
                               op->id, s, r ? r : "not recorded");
        }
        json_t *ck = json_object_get(rec, "_checks");
        if (!ck)
            return err_set(e, E_CONFLICT, "outcome",
                           "%s cannot be approved before the automated checks have run", op->id);
        if (json_integer_value(json_object_get(ck, "flags")) > 0 &&
            !json_is_true(json_object_get(op->in, "flags_reviewed")))
            return err_set(
                e, E_CONFLICT, "flags_reviewed",
                "%s has flags from the automated checks: review them and send flags_reviewed: true",
                op->id);
    }
    return cmd_draft(c, "psf.vetting.decided", op->id, rec_labels(), json_deep_copy(op->in), e);
}

static int prepare_course(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *prov = rec_str(in, "provider");
    if (!org_exists(t, prov))
        return err_set(e, E_BAD_VALUE, "provider", "no organisation %s", prov ? prov : "");
    /* The OSC (a command), EUPOL COPPS (a training mission) or a contributing nation's contingent.
     */
    static const char *const provider_kinds[] = {"command", "training_mission", "force_contingent",
                                                 NULL};
    if (!has(provider_kinds, org_kind(t, prov)))
        return err_set(
            e, E_BAD_VALUE, "provider",
            "%s is not a training provider: a command, a training mission or a contingent", prov);
    size_t i;
    json_t *x;
    json_array_foreach(
        json_object_get(in, "instructors"), i,
        x) if (!org_person_exists(t,
                                  json_string_value(
                                      x))) return err_set(e, E_BAD_VALUE, "instructors",
                                                          "instructors[%zu]: no person %s", i,
                                                          json_string_value(x));
    snprintf(c->result_id, sizeof c->result_id, "CRS-%llu",
             (unsigned long long)PS(t)->last_course + 1);
    json_t *body = json_deep_copy(in);
    if (!json_object_get(body, "certificate_validity_days")) {
        json_t *v = json_object_get(json_object_get(psf_settings(t), "certificate_validity_days"),
                                    rec_str(in, "type"));
        json_object_set_new(body, "certificate_validity_days",
                            json_integer(json_is_integer(v) ? json_integer_value(v) : 365));
    }
    if (!json_object_get(body, "pass_mark"))
        json_object_set_new(body, "pass_mark", json_integer(60));
    return cmd_draft(c, "psf.course.created", c->result_id, rec_labels(), body, e);
}

static json_t *course_or(truce_t *t, const char *id, err_t *e)
{
    json_t *rec = json_object_get(PS(t)->courses, id ? id : "");
    if (!rec) err_set(e, E_NOT_FOUND, NULL, "no course %s", id ? id : "");
    return rec;
}

static int prepare_enrol(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *crs = course_or(t, op->id, e);
    if (!crs) return -1;
    const char *cand = rec_str(op->in, "candidate");
    json_t *rec = json_object_get(PS(t)->candidates, cand);
    if (!rec) return err_set(e, E_BAD_VALUE, "candidate", "no candidate %s", cand);
    const char *hr = step_result(rec, "human_rights");
    if (!hr || strcmp(hr, "passed"))
        return err_set(e, E_CONFLICT, "candidate",
                       "%s has not passed human-rights vetting (%s): no training before it", cand,
                       hr ? hr : "not recorded");
    if (strcmp(rec_str(rec, "status"), "approved"))
        return err_set(e, E_CONFLICT, "candidate",
                       "%s is %s: only approved candidates are enrolled", cand,
                       rec_str(rec, "status"));
    if (rec_has(json_object_get(crs, "enrolled"), cand))
        return err_set(e, E_CONFLICT, "candidate", "%s is already enrolled in %s", cand, op->id);
    json_int_t cap = json_integer_value(json_object_get(crs, "capacity"));
    if (cap && (json_int_t)json_array_size(json_object_get(crs, "enrolled")) >= cap)
        return err_set(e, E_CONFLICT, "candidate", "%s is full (%lld places)", op->id,
                       (long long)cap);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "psf.course.enrolled", op->id, rec_labels(),
                     json_pack("{s:s}", "candidate", cand), e);
}

static int prepare_assess(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *crs = course_or(t, op->id, e);
    if (!crs) return -1;
    const char *cand = rec_str(op->in, "candidate");
    if (!rec_has(json_object_get(crs, "enrolled"), cand))
        return err_set(e, E_CONFLICT, "candidate", "%s is not enrolled in %s", cand, op->id);
    double score = json_number_value(json_object_get(op->in, "score"));
    double mark = json_number_value(json_object_get(crs, "pass_mark"));
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    json_t *body = json_deep_copy(op->in);
    json_object_set_new(body, "result", json_string(score >= mark ? "passed" : "failed"));
    json_object_set_new(body, "pass_mark", json_real(mark));
    return cmd_draft(c, "psf.course.assessed", op->id, rec_labels(), body, e);
}

static int prepare_certify(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *crs = course_or(t, op->id, e);
    if (!crs) return -1;
    if (!has_authority(t, c->who, "training.certify"))
        return err_set(e, E_FORBIDDEN, "candidate",
                       "certificates are issued by a position with the authority training.certify");
    const char *cand = rec_str(op->in, "candidate");
    json_t *res = json_object_get(json_object_get(crs, "results"), cand);
    if (!res || strcmp(rec_str(res, "result"), "passed"))
        return err_set(e, E_CONFLICT, "candidate", "%s has not passed %s", cand, op->id);
    json_t *rec = json_object_get(PS(t)->candidates, cand);
    size_t i;
    json_t *x;
    json_array_foreach(
        json_object_get(rec, "certificates"), i,
        x) if (!strcmp(rec_str(x, "course"), op->id) &&
               !json_object_get(x, "revoked")) return err_set(e, E_CONFLICT, "candidate",
                                                              "%s already holds %s for %s", cand,
                                                              rec_str(x, "id"), op->id);
    int64_t now = util_now_ms(),
            until = now +
                    json_integer_value(json_object_get(crs, "certificate_validity_days")) * DAY_MS;
    char a[32], b[32];
    time_format(now, a);
    time_format(until, b);
    snprintf(c->result_id, sizeof c->result_id, "CERT-%llu",
             (unsigned long long)PS(t)->last_cert + 1);
    return cmd_draft(c, "psf.certificate.issued", c->result_id, rec_labels(),
                     json_pack("{s:s, s:s, s:O, s:s, s:s}", "candidate", cand, "course", op->id,
                               "type", json_object_get(crs, "type"), "issued_at", a, "valid_until",
                               b),
                     e);
}

static int prepare_revoke(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *cert = cert_find(t, op->id, NULL);
    if (!cert) return err_set(e, E_NOT_FOUND, NULL, "no certificate %s", op->id);
    if (json_object_get(cert, "revoked"))
        return err_set(e, E_CONFLICT, NULL, "%s is already revoked", op->id);
    if (!has_authority(t, c->who, "training.certify"))
        return err_set(
            e, E_FORBIDDEN, "reason",
            "certificates are revoked by a position with the authority training.certify");
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "psf.certificate.revoked", op->id, rec_labels(), json_deep_copy(op->in), e);
}

static int check_unit_refs(truce_t *t, const json_t *in, err_t *e)
{
    const char *sec = rec_str(in, "sector");
    if (sec && !org_sector_exists(t, sec))
        return err_set(e, E_BAD_VALUE, "sector", "no sector %s", sec);
    return 0;
}

static int prepare_unit(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    if (check_unit_refs(t, in, e)) return -1;
    snprintf(c->result_id, sizeof c->result_id, "PSFU-%llu",
             (unsigned long long)PS(t)->last_unit + 1);
    return cmd_draft(c, "psf.unit.created", c->result_id, rec_labels(), json_deep_copy(in), e);
}

static json_t *unit_or(truce_t *t, const char *id, err_t *e)
{
    json_t *rec = json_object_get(PS(t)->units, id ? id : "");
    if (!rec) err_set(e, E_NOT_FOUND, NULL, "no PSF unit %s", id ? id : "");
    return rec;
}

static int prepare_unit_update(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    if (!unit_or(t, op->id, e) || check_unit_refs(t, op->in, e)) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "psf.unit.updated", op->id, rec_labels(), json_deep_copy(op->in), e);
}

static int prepare_member(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    json_t *u = unit_or(t, op->id, e);
    if (!u) return -1;
    const char *cand = rec_str(op->in, "candidate"), *action = rec_str(op->in, "action");
    json_t *rec = json_object_get(PS(t)->candidates, cand);
    if (!rec) return err_set(e, E_BAD_VALUE, "candidate", "no candidate %s", cand);
    if (!strcmp(action, "add")) {
        if (strcmp(rec_str(rec, "status"), "approved"))
            return err_set(e, E_CONFLICT, "candidate",
                           "%s is %s: only approved candidates join a unit", cand,
                           rec_str(rec, "status"));
        if (rec_str(rec, "unit"))
            return err_set(e, E_CONFLICT, "candidate", "%s is already a member of %s", cand,
                           rec_str(rec, "unit"));
    } else if (!rec_has(json_object_get(u, "members"), cand)) {
        return err_set(e, E_CONFLICT, "candidate", "%s is not a member of %s", cand, op->id);
    }
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "psf.unit.member", op->id, rec_labels(),
                     json_pack("{s:s, s:s}", "candidate", cand, "action", action), e);
}

static int prepare_equipment(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    if (!unit_or(t, op->id, e)) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "psf.unit.equipment", op->id, rec_labels(), json_deep_copy(op->in), e);
}

static int prepare_exercise(truce_t *t, cmd_t *c, err_t *e)
{
    op_t *op = c->arg;
    if (!unit_or(t, op->id, e)) return -1;
    if (!strcmp(rec_str(op->in, "type"), "civil_coordination") &&
        !json_array_size(json_object_get(op->in, "civilian_leaders")))
        return err_set(e, E_MISSING_FIELD, "civilian_leaders",
                       "a civil-coordination exercise names the civilian leaders (positions or "
                       "organisations) it was held with");
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "psf.unit.exercise", op->id, rec_labels(), json_deep_copy(op->in), e);
}

/* Exercise data from the scenario (sections psf_courses and psf_units,
 * each row as the API takes it): checked against the same tables. */
int psf_prepare_course_scenario(truce_t *t, cmd_t *c, err_t *e)
{
    if (schema_check(c->arg, psf_course_fields, e)) return -1;
    return prepare_course(t, c, e);
}

int psf_prepare_unit_scenario(truce_t *t, cmd_t *c, err_t *e)
{
    if (schema_check(c->arg, psf_unit_fields, e)) return -1;
    return prepare_unit(t, c, e);
}

/* ---- handlers ---- */

static int may_see(const principal_t *who, const json_t *labels)
{
    return !who || auth_may_see(who, labels);
}

/* A record for a reader: public members and labels; personal data and
 * check results only when pd (a single candidate, for an allowed reader). */
static json_t *out_rec(truce_t *t, const json_t *rec, const principal_t *who, int pd)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) if (k[0] != '_') json_object_set(o, k, v);
    json_object_set(o, "labels", json_object_get(rec, "_labels"));
    if (pd && json_object_get(rec, "_detail") && may_see(who, json_object_get(rec, "_dlabels"))) {
        json_t *p = pd_open(t, rec_str(rec, "id"), json_object_get(rec, "_detail"));
        json_object_set_new(o, "personal", p ? p : json_null());
        if (!p)
            json_object_set_new(o, "personal_error",
                                json_string("the personal-data key is not available"));
    }
    if (pd && json_object_get(rec, "_checks") && may_see(who, json_object_get(rec, "_clabels")))
        json_object_set(o, "checks", json_object_get(rec, "_checks"));
    return o;
}

static int list(req_t *r, json_t *coll, const char *name, const char *fkey)
{
    const char *want = fkey ? req_query(r, fkey) : NULL, *status = req_query(r, "status");
    if (want && !schema_valid_id(want, 48))
        return reply_error(r, E_BAD_VALUE, fkey, "%s must be an id", fkey);
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *rec;
    json_object_foreach(coll, id, rec)
    {
        if (!may_see(&r->who, json_object_get(rec, "_labels"))) continue;
        if (want && (!rec_str(rec, fkey) || strcmp(rec_str(rec, fkey), want))) continue;
        if (status && (!rec_str(rec, "status") || strcmp(rec_str(rec, "status"), status))) continue;
        json_t *o = out_rec(r->t, rec, &r->who, 0);
        if (coll == PS(r->t)->units) {
            double s;
            json_t *rd = NULL;
            psf_unit_readiness(r->t, id, util_now_ms(), &s, &rd);
            json_object_set_new(o, "readiness", rd);
            json_object_set_new(
                o, "assigned_strength",
                json_integer((json_int_t)json_array_size(json_object_get(rec, "members"))));
        }
        json_array_append_new(out, o);
    }
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", name, out));
}

static int get(req_t *r, json_t *coll)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(coll, r->params[0]);
    json_t *o = rec && may_see(&r->who, json_object_get(rec, "_labels"))
                    ? out_rec(r->t, rec, &r->who, 0)
                    : NULL;
    if (o && coll == PS(r->t)->units) {
        json_t *rd = NULL;
        psf_unit_readiness(r->t, r->params[0], util_now_ms(), NULL, &rd);
        json_object_set_new(o, "readiness", rd);
        json_object_set_new(
            o, "assigned_strength",
            json_integer((json_int_t)json_array_size(json_object_get(rec, "members"))));
    }
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    return reply_json(r, 200, o);
}

/* Looks the id up for a writer: 404 when missing or not visible. */
static int visible_or_reply(req_t *r, json_t *coll)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(coll, r->params[0]);
    int ok = rec && may_see(&r->who, json_object_get(rec, "_labels"));
    pthread_rwlock_unlock(&r->t->lock);
    return ok ? 0 : reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
}

static int submit(req_t *r, cmd_prepare_fn fn, void *arg, int status, json_t *extra)
{
    cmd_t c = {.who = &r->who, .prepare = fn, .arg = arg};
    if (log_submit(r->t, &c)) {
        json_decref(extra);
        return reply_err(r, &c.err);
    }
    return reply_written(r, status, &c, extra);
}

/* Figures only; for the readers of PSF records. */
int psf_figures_reader(const principal_t *who)
{
    json_t *l = rec_labels();
    int ok = may_see(who, l);
    json_decref(l);
    return ok;
}

int h_psf_summary(req_t *r)
{
    if (!psf_figures_reader(&r->who))
        return reply_error(r, E_FORBIDDEN, NULL,
                           "the PSF figures are for the parties that follow the PSF");
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *j = psf_summary(r->t, util_now_ms());
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, j);
}

int h_psf_candidates_list(req_t *r)
{
    static const char *const states[] = {"registered", "in_vetting", "approved", "rejected", NULL};
    const char *st = req_query(r, "status");
    if (st && !has(states, st))
        return reply_error(r, E_BAD_VALUE, "status",
                           "status must be registered, in_vetting, approved or rejected");
    return list(r, PS(r->t)->candidates, "candidates", "unit");
}

static int prepare_viewed(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    return cmd_draft(c, "psf.candidate.viewed", (const char *)c->arg,
                     json_pack("[s,s]", "role:psf_vetting", "org:CMCC"),
                     json_pack("{s:s}", "candidate", (const char *)c->arg), e);
}

/* One candidate; an allowed reader also gets the personal data and the
 * checks, and that read is logged first (no log, no personal data). */
int h_psf_candidate_get(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(PS(r->t)->candidates, r->params[0]);
    int seen = rec && may_see(&r->who, json_object_get(rec, "_labels"));
    int pd = seen && json_object_get(rec, "_detail") &&
             may_see(&r->who, json_object_get(rec, "_dlabels"));
    pthread_rwlock_unlock(&r->t->lock);
    if (!seen) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    if (pd) {
        cmd_t c = {.who = &r->who, .prepare = prepare_viewed, .arg = r->params[0]};
        if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    }
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *o = out_rec(r->t, json_object_get(PS(r->t)->candidates, r->params[0]), &r->who, pd);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, o);
}

int h_psf_candidates_add(req_t *r)
{
    /* 16 by the calendar on the mission's day (16 x 365 days missed the
     * leap days: a candidate 4 days short of 16 got in) */
    int64_t dob;
    const char *d = rec_str(r->json, "date_of_birth");
    if (d && time_parse(d, &dob) == 0) {
        pthread_rwlock_rdlock(&r->t->lock);
        int32_t today = mission_day(r->t, util_now_ms());
        pthread_rwlock_unlock(&r->t->lock);
        if (tz_years_since(d, today) < 16)
            return reply_error(r, E_OUT_OF_RANGE, "date_of_birth", "candidates are at least 16 years old");
    }
    return submit(r, prepare_candidate, r->json, 201, NULL);
}

int h_psf_candidate_vetting(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->candidates)) return -1;
    if (!strcmp(rec_str(r->json, "result"), "failed") && !rec_str(r->json, "note"))
        return reply_error(r, E_MISSING_FIELD, "note", "a failed step needs the reason (note)");
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_vetting, &op, 200, NULL);
}

int h_psf_candidate_checks(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->candidates)) return -1;
    op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_checks, .arg = &op};
    if (log_submit(r->t, &c)) {
        json_decref(op.extra);
        return reply_err(r, &c.err);
    }
    /* The receipt of the first event would carry the check results: answer
     * with them and the seq, the receipt is at /log/proof/{seq}. */
    json_t *j = op.extra ? op.extra : json_object();
    json_object_set_new(j, "id", json_string(op.id));
    json_object_set_new(j, "seq", json_integer((json_int_t)c.first_seq));
    return reply_json(r, 200, j);
}

int h_psf_candidate_decision(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->candidates)) return -1;
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_decision, &op, 200, NULL);
}

int h_psf_courses_list(req_t *r)
{
    const char *type = req_query(r, "type");
    if (type && !has(course_types, type))
        return reply_error(r, E_BAD_VALUE, "type", "type must be a course type");
    return list(r, PS(r->t)->courses, "courses", "type");
}

int h_psf_course_get(req_t *r)
{
    return get(r, PS(r->t)->courses);
}

int h_psf_courses_add(req_t *r)
{
    if (rec_time(r->json, "ends_on") < rec_time(r->json, "starts_on"))
        return reply_error(r, E_OUT_OF_RANGE, "ends_on", "ends_on must not be before starts_on");
    return submit(r, prepare_course, r->json, 201, NULL);
}

int h_psf_course_enrol(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->courses)) return -1;
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_enrol, &op, 200, NULL);
}

int h_psf_course_assess(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->courses)) return -1;
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_assess, &op, 200, NULL);
}

int h_psf_course_certify(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->courses)) return -1;
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_certify, &op, 201, NULL);
}

int h_psf_certificate_revoke(req_t *r)
{
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_revoke, &op, 200, NULL);
}

int h_psf_units_list(req_t *r)
{
    const char *sec = req_query(r, "sector");
    if (sec) {
        pthread_rwlock_rdlock(&r->t->lock);
        int ok = org_sector_exists(r->t, sec);
        pthread_rwlock_unlock(&r->t->lock);
        if (!ok) return reply_error(r, E_BAD_VALUE, "sector", "no sector %s", sec);
    }
    return list(r, PS(r->t)->units, "units", "sector");
}

int h_psf_unit_get(req_t *r)
{
    return get(r, PS(r->t)->units);
}

int h_psf_units_add(req_t *r)
{
    return submit(r, prepare_unit, r->json, 201, NULL);
}

int h_psf_unit_update(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->units)) return -1;
    if (!json_object_size(r->json))
        return reply_error(r, E_MISSING_FIELD, NULL, "nothing to update");
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_unit_update, &op, 200, NULL);
}

int h_psf_unit_member(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->units)) return -1;
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_member, &op, 200, NULL);
}

int h_psf_unit_equipment(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->units)) return -1;
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_equipment, &op, 200, NULL);
}

int h_psf_unit_exercise(req_t *r)
{
    if (visible_or_reply(r, PS(r->t)->units)) return -1;
    int64_t d;
    if (time_parse(rec_str(r->json, "date"), &d) == 0 && d > util_now_ms() + 5 * 60 * 1000)
        return reply_error(r, E_OUT_OF_RANGE, "date",
                           "an exercise is recorded once held: date is in the future");
    op_t op = {.id = r->params[0], .in = r->json};
    return submit(r, prepare_exercise, &op, 201, NULL);
}

int h_psf_unit_readiness(req_t *r)
{
    int64_t at = util_now_ms();
    const char *as = req_query(r, "as_of");
    if (as && time_parse(as, &at))
        return reply_error(r, E_BAD_VALUE, "as_of", "as_of must be an RFC 3339 time");
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(PS(r->t)->units, r->params[0]);
    json_t *o = NULL;
    if (rec && may_see(&r->who, json_object_get(rec, "_labels")))
        psf_unit_readiness(r->t, r->params[0], at, NULL, &o);
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    return reply_json(r, 200, o);
}

/* ---- input ---- */

const field_t psf_candidate_fields[] = {
    {"name_ar", F_STR, 1, 1, 0, 200, NULL, "full name in Arabic (personal data)"},
    {"name_en", F_STR, 1, 1, 0, 200, NULL, "full name in Latin letters (personal data)"},
    {"date_of_birth", F_TIME, 1, 0, 0, 0, NULL, "date of birth, RFC 3339 (personal data)"},
    {"id_number", F_ID, 1, 0, 0, 32, NULL, "national ID number (personal data)"},
    {"service", F_ENUM, 1, 0, 0, 0, psf_services, "the service applied for"},
    {"sector", F_ID, 0, 0, 0, 48, NULL, "home sector"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, "exercise data"},
    {NULL},
};

const field_t psf_vetting_fields[] = {
    {"step", F_ENUM, 1, 0, 0, 0, vetting_steps, "the vetting step"},
    {"result", F_ENUM, 1, 0, 0, 0, step_results, "passed or failed"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "reason or note (required when failed); no personal data"},
    {NULL},
};

const field_t psf_decision_fields[] = {
    {"outcome", F_ENUM, 1, 0, 0, 0, outcomes, "approved or rejected"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "reason (required to reject)"},
    {"flags_reviewed", F_BOOL, 0, 0, 0, 0, NULL, "the flags of the automated checks were reviewed"},
    {NULL},
};

const field_t psf_course_fields[] = {
    {"type", F_ENUM, 1, 0, 0, 0, course_types, "basic, specialist, leadership, civil_coordination"},
    {"name", F_I18N, 1, 0, 0, 200, NULL, "title in English and Arabic"},
    {"provider", F_ID, 1, 0, 0, 32, NULL,
     "organisation giving it: OSC, EUPOL-COPPS or a contributing nation's"},
    {"instructors", F_IDLIST, 0, 0, 20, 32, NULL, "instructors (person ids)"},
    {"starts_on", F_TIME, 1, 0, 0, 0, NULL, "start"},
    {"ends_on", F_TIME, 1, 0, 0, 0, NULL, "end"},
    {"capacity", F_INT, 0, 1, 1000, 0, NULL, "places"},
    {"pass_mark", F_INT, 0, 0, 100, 0, NULL, "score needed to pass (default 60)"},
    {"certificate_validity_days", F_INT, 0, 1, 3650, 0, NULL,
     "validity of its certificates (default: scenario)"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, "exercise data"},
    {NULL},
};

const field_t psf_enrol_fields[] = {
    {"candidate", F_ID, 1, 0, 0, 32, NULL, "CND-..."},
    {NULL},
};

const field_t psf_assess_fields[] = {
    {"candidate", F_ID, 1, 0, 0, 32, NULL, "CND-..."},
    {"score", F_NUM, 1, 0, 100, 0, NULL, "score, 0-100"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "assessor's note"},
    {NULL},
};

const field_t psf_certify_fields[] = {
    {"candidate", F_ID, 1, 0, 0, 32, NULL, "CND-..."},
    {NULL},
};

const field_t psf_revoke_fields[] = {
    {"reason", F_STR, 1, 1, 0, 2000, NULL, "why"},
    {NULL},
};

const field_t psf_unit_fields[] = {
    {"name", F_I18N, 1, 0, 0, 200, NULL, "name in English and Arabic"},
    {"type", F_ENUM, 1, 0, 0, 0, psf_unit_types,
     "police, civil_defence, national_security, public_order"},
    {"sector", F_ID, 0, 0, 0, 48, NULL, "sector the unit serves"},
    {"authorised_strength", F_INT, 1, 1, 5000, 0, NULL, "authorised personnel"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, "exercise data"},
    {NULL},
};

const field_t psf_unit_update_fields[] = {
    {"sector", F_ID, 0, 0, 0, 48, NULL, "sector the unit serves"},
    {"authorised_strength", F_INT, 0, 1, 5000, 0, NULL, "authorised personnel"},
    {NULL},
};

const field_t psf_member_fields[] = {
    {"candidate", F_ID, 1, 0, 0, 32, NULL, "CND-... (approved)"},
    {"action", F_ENUM, 1, 0, 0, 0, member_actions, "add or remove"},
    {NULL},
};

const field_t psf_equipment_fields[] = {
    {"item", F_ID, 1, 0, 0, 48, NULL, "equipment item, e.g. vehicle, radio, body_armour"},
    {"authorised", F_INT, 1, 0, 100000, 0, NULL, "authorised holding"},
    {"held", F_INT, 1, 0, 100000, 0, NULL, "held and serviceable"},
    {NULL},
};

const field_t psf_exercise_fields[] = {
    {"type", F_ENUM, 1, 0, 0, 0, exercise_types,
     "field, command_post, civil_coordination, public_order"},
    {"date", F_TIME, 1, 0, 0, 0, NULL, "when it was held"},
    {"result", F_ENUM, 1, 0, 0, 0, exercise_results, "passed or failed"},
    {"civilian_leaders", F_IDLIST, 0, 0, 20, 48, NULL,
     "positions or organisations of the civilian leaders involved"},
    {"evaluator", F_STR, 0, 1, 0, 200, NULL, "who evaluated it"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "note"},
    {NULL},
};
