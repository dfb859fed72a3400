/*
 * transition.c — see transition.h. The hand-over record of a sector is
 * {"sector","phase","since","pending":{PHASE:{"direction","signoffs":{PARTY:{...}}}},
 *  "history":[...]}, made on its first event; a sector without events is in
 * its initial phase (settings.psf.handover.initial, else isf_led).
 *
 * Configuration (settings.psf.handover in the scenario):
 *   "parties": {"us": {"name": {"en","ar"}, "authority": "handover.us"}, ...}
 *   "steps": [{"to": "joint", "gates": [{"id","metric","op","threshold","weeks"?}],
 *              "parties": ["us", ...], "reverse_parties": ["us", ...]?}, ...]
 * The step into a phase names its gates and parties; the step back out of
 * that phase needs its reverse_parties (default: its parties). Sign-offs
 * and reversals are labelled "all": the hand-over is on everyone's record.
 */
#include "transition.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "org.h"
#include "psf.h"
#include "record.h"

#define WEEK_MS (7LL * 86400 * 1000)
#define TOLERANCE 1e-9

const char *const handover_phases[] = {"isf_led", "joint", "pa_led_isf_support", "pa_led", NULL};
const char *const gate_status_names[] = {"pass", "fail", "no_data"};

struct transition_state {
    json_t *sectors; /* SEC-x -> record */
};

static transition_state_t *TS(truce_t *t)
{
    return t->transition;
}

/* ---- the metric registry ---- */

#define MAX_METRICS 64
static struct {
    char name[64];
    gate_metric_fn fn;
} metrics[MAX_METRICS];
static int nmetrics;

void gate_metric_register(const char *name, gate_metric_fn fn)
{
    for (int i = 0; i < nmetrics; i++)
        if (!strcmp(metrics[i].name, name)) {
            metrics[i].fn = fn;
            return;
        }
    if (nmetrics == MAX_METRICS) return;
    snprintf(metrics[nmetrics].name, sizeof metrics[nmetrics].name, "%s", name);
    metrics[nmetrics++].fn = fn;
}

gate_metric_fn gate_metric_find(const char *name)
{
    for (int i = 0; name && i < nmetrics; i++)
        if (!strcmp(metrics[i].name, name)) return metrics[i].fn;
    return NULL;
}

int transition_compare(const char *op, double v, double th)
{
    if (!op) return -1;
    if (!strcmp(op, ">=")) return v >= th - TOLERANCE;
    if (!strcmp(op, ">")) return v > th + TOLERANCE;
    if (!strcmp(op, "<=")) return v <= th + TOLERANCE;
    if (!strcmp(op, "<")) return v < th - TOLERANCE;
    return -1;
}

int transition_gate_eval(truce_t *t, const char *sector, const json_t *gate, int64_t now,
                         json_t **out)
{
    const char *metric = rec_str(gate, "metric"), *op = rec_str(gate, "op");
    double th = json_number_value(json_object_get(gate, "threshold"));
    json_int_t weeks = json_integer_value(json_object_get(gate, "weeks"));
    if (weeks < 0) weeks = 0;
    if (weeks > 520) weeks = 520;
    gate_metric_fn fn = gate_metric_find(metric);
    json_t *wins = json_array();
    int fail = 0, nodata = 0;
    json_t *newest = json_null();
    for (json_int_t k = 0; k < (weeks ? weeks : 1); k++) {
        int64_t until = now - k * WEEK_MS, from = weeks ? until - WEEK_MS : until;
        char a[32], b[32];
        time_format(from, a);
        time_format(until, b);
        json_t *ev = json_object();
        double v = 0;
        int rc = fn ? fn(t, sector, from, until, &v, ev) : 1;
        const char *st;
        if (rc != 0 || !isfinite(v)) {
            st = "no_data";
            nodata++;
            if (!fn)
                json_object_set_new(ev, "reason", json_string("no module provides this metric"));
        } else if (transition_compare(op, v, th) == 1) {
            st = "pass";
        } else {
            st = "fail";
            fail++;
        }
        json_t *val = rc == 0 && isfinite(v) ? json_real(v) : json_null();
        if (k == 0) newest = json_incref(val);
        json_array_append_new(wins, json_pack("{s:s, s:s, s:o, s:s, s:o}", "from", a, "until", b,
                                              "value", val, "status", st, "evidence", ev));
    }
    int status = fail ? GATE_FAIL : nodata ? GATE_NO_DATA : GATE_PASS;
    if (out) {
        *out = json_deep_copy(gate);
        json_object_set_new(*out, "status", json_string(gate_status_names[status]));
        json_object_set_new(*out, "value", newest);
        json_object_set_new(*out, "registered", json_boolean(fn != NULL));
        json_object_set_new(*out, "windows", wins);
    } else {
        json_decref(newest);
        json_decref(wins);
    }
    return status;
}

/* ---- configuration ---- */

static json_t *cfg(truce_t *t)
{
    return json_object_get(psf_settings(t), "handover");
}

static int phase_index(const char *p)
{
    for (int i = 0; p && handover_phases[i]; i++)
        if (!strcmp(handover_phases[i], p)) return i;
    return -1;
}

/* The step into phase to, or NULL. */
static json_t *step_into(truce_t *t, const char *to)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(cfg(t), "steps"), i,
                       s) if (rec_str(s, "to") && !strcmp(rec_str(s, "to"), to)) return s;
    return NULL;
}

/* Parties needed to go from -> to (forward: the step's parties; reverse:
 * the reverse_parties of the step into from). Borrowed, may be NULL. */
static json_t *parties_for(truce_t *t, const char *from, const char *to, int forward)
{
    json_t *s = step_into(t, forward ? to : from);
    if (!s) return NULL;
    json_t *p = forward ? NULL : json_object_get(s, "reverse_parties");
    return p ? p : json_object_get(s, "parties");
}

static const char *initial_phase(truce_t *t, const char *sector)
{
    const char *p = rec_str(json_object_get(cfg(t), "initial"), sector);
    return phase_index(p) >= 0 ? p : handover_phases[0];
}

static const char *phase_of(truce_t *t, const char *sector)
{
    json_t *rec = json_object_get(TS(t)->sectors, sector);
    return rec ? rec_str(rec, "phase") : initial_phase(t, sector);
}

/* ---- apply ---- */

static json_t *sector_rec(truce_t *t, const char *sector)
{
    json_t *rec = json_object_get(TS(t)->sectors, sector);
    if (rec) return rec;
    rec = json_pack("{s:s, s:s, s:n, s:{}, s:[]}", "sector", sector, "phase",
                    initial_phase(t, sector), "since", "pending", "history");
    json_object_set_new(TS(t)->sectors, sector, rec);
    return rec;
}

static json_t *entry(const event_t *ev, const char *what)
{
    char at[32];
    time_format(ev->time, at);
    return json_pack("{s:s, s:s, s:s, s:I}", "event", what, "at", at, "by", ev->actor, "seq",
                     (json_int_t)ev->seq);
}

static void apply_signed(truce_t *t, const event_t *ev)
{
    json_t *rec = sector_rec(t, ev->subject);
    const char *to = rec_str(ev->body, "to"), *party = rec_str(ev->body, "party");
    json_t *pend = json_object_get(rec, "pending"), *p = json_object_get(pend, to);
    if (!p) {
        p = json_pack("{s:O, s:O, s:{}}", "from", json_object_get(ev->body, "from"), "direction",
                      json_object_get(ev->body, "direction"), "signoffs");
        json_object_set_new(pend, to, p);
    }
    json_t *e = entry(ev, "signed");
    json_object_set(e, "party", json_object_get(ev->body, "party"));
    json_object_set(e, "position", json_object_get(ev->body, "position"));
    if (json_object_get(ev->body, "note"))
        json_object_set(e, "note", json_object_get(ev->body, "note"));
    json_object_set_new(json_object_get(p, "signoffs"), party, json_deep_copy(e));
    json_object_set(e, "to", json_object_get(ev->body, "to"));
    json_object_set(e, "direction", json_object_get(ev->body, "direction"));
    json_array_append_new(json_object_get(rec, "history"), e);
}

static void apply_withdrawn(truce_t *t, const event_t *ev)
{
    json_t *rec = sector_rec(t, ev->subject);
    const char *to = rec_str(ev->body, "to");
    json_t *p = json_object_get(json_object_get(rec, "pending"), to);
    json_object_del(json_object_get(p, "signoffs"), rec_str(ev->body, "party"));
    if (p && !json_object_size(json_object_get(p, "signoffs")))
        json_object_del(json_object_get(rec, "pending"), to);
    json_t *e = entry(ev, "withdrawn");
    const char *keys[] = {"party", "to", "position", "note"};
    for (int k = 0; k < 4; k++)
        if (json_object_get(ev->body, keys[k]))
            json_object_set(e, keys[k], json_object_get(ev->body, keys[k]));
    json_array_append_new(json_object_get(rec, "history"), e);
}

static void apply_phase(truce_t *t, const event_t *ev)
{
    json_t *rec = sector_rec(t, ev->subject);
    json_object_set(rec, "phase", json_object_get(ev->body, "to"));
    rec_set_time(rec, "since", ev->time);
    json_object_clear(json_object_get(rec, "pending"));
    json_t *e = entry(ev, "phase_changed");
    json_object_update(e, ev->body);
    json_array_append_new(json_object_get(rec, "history"), e);
}

static int transition_init(truce_t *t)
{
    transition_state_t *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->sectors = json_object();
    t->transition = s;
    return 0;
}

static void transition_release(truce_t *t)
{
    transition_state_t *s = t->transition;
    if (!s) return;
    json_decref(s->sectors);
    free(s);
    t->transition = NULL;
}

static void transition_dump(truce_t *t, json_t *out)
{
    json_object_set(out, "sectors", TS(t)->sectors);
}

static int transition_save(truce_t *t, buf_t *b)
{
    return rec_save_json(b, json_incref(TS(t)->sectors));
}

static int transition_load(truce_t *t, const char *p, size_t n)
{
    json_t *all = json_loadb(p, n, 0, NULL);
    if (!all) return -1;
    json_object_update(TS(t)->sectors, all);
    json_decref(all);
    return 0;
}

static const kind_def_t transition_kinds[] = {
    {"handover.signed", apply_signed},
    {"handover.withdrawn", apply_withdrawn},
    {"handover.phase_changed", apply_phase},
    {NULL, NULL},
};

const module_t transition_module = {"transition",       transition_kinds, transition_init,
                                    transition_release, transition_dump,  transition_save,
                                    transition_load};

/* ---- evaluation ---- */

/* Every gate of the step into to, evaluated now; *all_pass set. New array. */
static json_t *gates_of(truce_t *t, const char *sector, const char *to, int64_t now, int *all_pass)
{
    json_t *out = json_array();
    *all_pass = 1;
    json_t *s = step_into(t, to);
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(s, "gates"), i, g)
    {
        json_t *o = NULL;
        if (transition_gate_eval(t, sector, g, now, &o) != GATE_PASS) *all_pass = 0;
        json_array_append_new(out, o);
    }
    return out;
}

/* The positions of the caller holding authority, as a new array. */
static json_t *positions_with(truce_t *t, const principal_t *who, const char *authority)
{
    json_t *out = json_array();
    if (!who || !who->person[0] || !authority) return out;
    json_t *mine = org_positions_of(t, who->person);
    size_t i;
    json_t *p;
    json_array_foreach(mine, i, p)
    {
        if (rec_has(json_object_get(json_object_get(org_positions(t), json_string_value(p)),
                                    "authority"),
                    authority))
            json_array_append(out, p);
    }
    json_decref(mine);
    return out;
}

/* The state of one direction (to) for a reader: parties with their
 * sign-offs and the ones still missing. New object. */
static json_t *step_view(truce_t *t, const char *sector, const char *from, const char *to,
                         int forward, int64_t now)
{
    json_t *rec = json_object_get(TS(t)->sectors, sector);
    json_t *pend =
        json_object_get(json_object_get(json_object_get(rec, "pending"), to), "signoffs");
    json_t *parties = json_array(), *missing = json_array();
    json_t *needed = parties_for(t, from, to, forward);
    json_t *pdefs = json_object_get(cfg(t), "parties");
    size_t i;
    json_t *p;
    json_array_foreach(needed, i, p)
    {
        const char *id = json_string_value(p);
        json_t *def = json_object_get(pdefs, id), *s = json_object_get(pend, id);
        json_array_append_new(parties, json_pack("{s:s, s:O?, s:O?, s:O?}", "party", id, "name",
                                                 json_object_get(def, "name"), "authority",
                                                 json_object_get(def, "authority"), "signoff", s));
        if (!s) json_array_append(missing, p);
    }
    json_t *v = json_pack("{s:s, s:s, s:s, s:o, s:o}", "from", from, "to", to, "direction",
                          forward ? "forward" : "reverse", "parties", parties, "missing", missing);
    if (forward) {
        int ok;
        json_object_set_new(v, "gates", gates_of(t, sector, to, now, &ok));
        json_object_set_new(v, "gates_hold", json_boolean(ok));
    }
    json_object_set_new(v, "configured", json_boolean(step_into(t, forward ? to : from) != NULL));
    return v;
}

static json_t *sector_view(truce_t *t, const char *sector, int full, int64_t now)
{
    json_t *f = json_object_get(org_features(t), sector);
    json_t *props = json_object_get(f, "properties");
    json_t *rec = json_object_get(TS(t)->sectors, sector);
    const char *phase = phase_of(t, sector);
    int k = phase_index(phase);
    json_t *o =
        json_pack("{s:s, s:{s:O?, s:O?}, s:s, s:O?}", "sector", sector, "name", "en",
                  json_object_get(props, "name_en"), "ar", json_object_get(props, "name_ar"),
                  "phase", phase, "since", json_object_get(rec, "since"));
    json_object_set_new(o, "next",
                        handover_phases[k + 1]
                            ? step_view(t, sector, phase, handover_phases[k + 1], 1, now)
                            : json_null());
    json_object_set_new(o, "reverse",
                        k > 0 ? step_view(t, sector, phase, handover_phases[k - 1], 0, now)
                              : json_null());
    if (full) json_object_set(o, "history", rec ? json_object_get(rec, "history") : json_array());
    if (full && !rec) json_decref(json_object_get(o, "history"));
    return o;
}

/* ---- commands ---- */

typedef struct {
    const char *sector;
    json_t *in;
    int withdraw;
} sign_t;

static int prepare_sign(truce_t *t, cmd_t *c, err_t *e)
{
    sign_t *op = c->arg;
    const char *to = rec_str(op->in, "to"), *party = rec_str(op->in, "party"),
               *note = rec_str(op->in, "note");
    const char *from = phase_of(t, op->sector);
    int k = phase_index(from), want = phase_index(to);
    int forward = want == k + 1;
    if (want < 0 || (want != k + 1 && want != k - 1))
        return err_set(e, E_CONFLICT, "to", "%s is %s: the next step is %s%s%s", op->sector, from,
                       handover_phases[k + 1] ? handover_phases[k + 1] : "none (the last phase)",
                       k > 0 ? ", or back to " : "", k > 0 ? handover_phases[k - 1] : "");
    json_t *needed = parties_for(t, from, to, forward);
    if (!step_into(t, forward ? to : from))
        return err_set(e, E_CONFLICT, "to", "the scenario sets no step into %s",
                       forward ? to : from);
    if (!rec_has(needed, party))
        return err_set(e, E_BAD_VALUE, "party", "%s is not a party to the step %s -> %s", party,
                       from, to);
    const char *authority =
        rec_str(json_object_get(json_object_get(cfg(t), "parties"), party), "authority");
    json_t *pos = positions_with(t, c->who, authority);
    if (c->who && !json_array_size(pos)) {
        json_decref(pos);
        return err_set(e, E_FORBIDDEN, "party",
                       "you hold no position with the authority %s to sign for %s",
                       authority ? authority : "(none set)", party);
    }
    json_t *rec = json_object_get(TS(t)->sectors, op->sector);
    json_t *signoffs =
        json_object_get(json_object_get(json_object_get(rec, "pending"), to), "signoffs");
    snprintf(c->result_id, sizeof c->result_id, "%s", op->sector);
    if (op->withdraw) {
        json_t *mine = json_object_get(signoffs, party);
        if (!mine) {
            json_decref(pos);
            return err_set(e, E_CONFLICT, "party", "%s has not signed the step to %s", party, to);
        }
        json_t *body = json_pack(
            "{s:s, s:s, s:s, s:O, s:s?}", "to", to, "from", from, "party", party, "position",
            json_array_size(pos) ? json_array_get(pos, 0) : json_object_get(mine, "position"),
            "note", note);
        json_decref(pos);
        return cmd_draft(c, "handover.withdrawn", op->sector, json_pack("[s]", "all"), body, e);
    }
    if (json_object_get(signoffs, party)) {
        json_decref(pos);
        return err_set(e, E_CONFLICT, "party", "%s has already signed the step %s -> %s", party,
                       from, to);
    }
    if (!forward && !note) {
        json_decref(pos);
        return err_set(e, E_MISSING_FIELD, "note", "a reversal sign-off needs the reason (note)");
    }
    int64_t now = util_now_ms();
    json_t *gates = NULL;
    if (forward) {
        int ok;
        gates = gates_of(t, op->sector, to, now, &ok);
        if (!ok) {
            buf_t m;
            buf_init(&m);
            size_t i;
            json_t *g;
            json_array_foreach(gates, i, g) if (strcmp(rec_str(g, "status"), "pass")) buf_addf(
                &m, "%s%s (%s)", m.len ? ", " : "", rec_str(g, "id"), rec_str(g, "status"));
            err_set(e, E_CONFLICT, "gates", "the gates of %s -> %s do not hold: %s", from, to,
                    m.data);
            buf_release(&m);
            json_decref(gates);
            json_decref(pos);
            return -1;
        }
    }
    /* The record of the gates a sign-off rests on: id, status and value. */
    json_t *summary = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) json_array_append_new(
        summary, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(g, "id"),
                           "metric", json_object_get(g, "metric"), "op", json_object_get(g, "op"),
                           "threshold", json_object_get(g, "threshold"), "value",
                           json_object_get(g, "value"), "status", json_object_get(g, "status")));
    json_decref(gates);
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:O, s:s?, s:O}", "to", to, "from", from, "direction",
                  forward ? "forward" : "reverse", "party", party, "position",
                  json_array_get(pos, 0) ? json_array_get(pos, 0) : json_null(), "note", note,
                  "gates", summary);
    json_decref(pos);
    if (cmd_draft(c, "handover.signed", op->sector, json_pack("[s]", "all"), body, e)) {
        json_decref(summary);
        return -1;
    }
    /* The last required sign-off takes the step. */
    json_t *all = json_array();
    int complete = 1;
    char at[32];
    time_format(now, at);
    json_array_foreach(needed, i, g)
    {
        const char *p = json_string_value(g);
        json_t *s = json_object_get(signoffs, p);
        if (!strcmp(p, party))
            json_array_append_new(
                all,
                json_pack("{s:s, s:s, s:s, s:s}", "party", p, "by",
                          c->who ? c->who->username : "system", "position",
                          rec_str(body, "position") ? rec_str(body, "position") : "", "at", at));
        else if (s)
            json_array_append_new(
                all, json_pack("{s:s, s:O, s:O, s:O, s:O}", "party", p, "by",
                               json_object_get(s, "by"), "position", json_object_get(s, "position"),
                               "at", json_object_get(s, "at"), "seq", json_object_get(s, "seq")));
        else
            complete = 0;
    }
    if (!complete) {
        json_decref(all);
        json_decref(summary);
        return 0;
    }
    return cmd_draft(c, "handover.phase_changed", op->sector, json_pack("[s]", "all"),
                     json_pack("{s:s, s:s, s:s, s:o, s:o}", "from", from, "to", to, "direction",
                               forward ? "forward" : "reverse", "signoffs", all, "gates", summary),
                     e);
}

/* ---- handlers ---- */

static int sector_or_reply(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    int ok = org_sector_exists(r->t, r->params[0]);
    pthread_rwlock_unlock(&r->t->lock);
    return ok ? 0 : reply_error(r, E_NOT_FOUND, NULL, "no sector %s", r->params[0]);
}

int h_handover_list(req_t *r)
{
    int64_t now = util_now_ms();
    json_t *out = json_array(), *mets = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *f;
    json_object_foreach(org_features(r->t), id, f)
    {
        const char *layer = rec_str(json_object_get(f, "properties"), "layer");
        if (layer && !strcmp(layer, "sector"))
            json_array_append_new(out, sector_view(r->t, id, 0, now));
    }
    json_t *c = cfg(r->t);
    size_t i;
    json_t *s, *g;
    json_array_foreach(json_object_get(c, "steps"), i, s)
    {
        size_t k;
        json_array_foreach(json_object_get(s, "gates"), k,
                           g) if (rec_str(g, "metric") && !rec_has(mets, rec_str(g, "metric")))
            json_array_append_new(mets, json_string(rec_str(g, "metric")));
    }
    json_t *mo = json_array();
    json_array_foreach(mets, i, g)
        json_array_append_new(mo, json_pack("{s:O, s:b}", "name", g, "registered",
                                            gate_metric_find(json_string_value(g)) != NULL));
    json_decref(mets);
    json_t *phases = json_array();
    for (int k = 0; handover_phases[k]; k++)
        json_array_append_new(phases, json_string(handover_phases[k]));
    json_t *parties = json_object_get(c, "parties");
    json_t *j = json_pack("{s:o, s:O, s:o, s:o}", "phases", phases, "parties",
                          parties ? parties : json_object(), "metrics", mo, "sectors", out);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, j);
}

int h_handover_get(req_t *r)
{
    if (sector_or_reply(r)) return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *o = sector_view(r->t, r->params[0], 1, util_now_ms());
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, o);
}

static int sign(req_t *r, int withdraw)
{
    if (sector_or_reply(r)) return -1;
    if (phase_index(rec_str(r->json, "to")) < 0)
        return reply_error(r, E_BAD_VALUE, "to",
                           "to must be a phase: isf_led, joint, pa_led_isf_support, pa_led");
    sign_t op = {.sector = r->params[0], .in = r->json, .withdraw = withdraw};
    cmd_t c = {.who = &r->who, .prepare = prepare_sign, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *o = sector_view(r->t, op.sector, 0, util_now_ms());
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(
        r, withdraw ? 200 : 201, &c,
        json_pack("{s:o, s:b}", "handover", o, "phase_changed", c.last_seq > c.first_seq));
}

int h_handover_signoff(req_t *r)
{
    return sign(r, 0);
}

int h_handover_withdraw(req_t *r)
{
    return sign(r, 1);
}

const field_t handover_sign_fields[] = {
    {"to", F_ID, 1, 0, 0, 32, NULL,
     "the phase the step leads to (the next one, or the previous one for a reversal)"},
    {"party", F_ID, 1, 0, 0, 32, NULL, "the party you sign for (us, isf, bop, israel, pa)"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "note; the reason, required for a reversal"},
    {NULL},
};

const field_t handover_withdraw_fields[] = {
    {"to", F_ID, 1, 0, 0, 32, NULL, "the phase of the pending step"},
    {"party", F_ID, 1, 0, 0, 32, NULL, "the party whose sign-off is withdrawn"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "why"},
    {NULL},
};
