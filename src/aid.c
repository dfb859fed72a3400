/*
 * aid.c — see aid.h. Records are jansson objects by number with private
 * members starting with "_"; rows (csg_t) are derived from them by row_of()
 * after every event and after a snapshot load alike.
 */
#include "aid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "geo.h"
#include "incident.h"
#include "log.h"
#include "notify.h"
#include "org.h"
#include "record.h"
#include "transition.h"
#include "tz.h"

#define DAY_MS (86400LL * 1000)
#define MAX_CROSSINGS 32

static const char *const commodities[] = {"food", "medical", "shelter", "fuel", "cooking_gas", "water_sanitation", "other", NULL};
static const char *const steps[] = {"at_perimeter", "crossed", "offloaded", "collected", "delivered", "intercepted",
                                    "returned", NULL};
enum { A_PERIM, A_CROSSED, A_OFFLOADED, A_COLLECTED, A_DELIVERED, A_INTERCEPTED, A_RETURNED };
static const char *const manners[] = {"peaceful", "by_force", NULL};
static const char *const crossing_states[] = {"open", "restricted", "closed", NULL};

/* Which step may follow which. */
static const char *const next_of[] = {
    [A_PERIM] = "crossed returned",
    [A_CROSSED] = "offloaded intercepted returned",
    [A_OFFLOADED] = "collected intercepted returned",
    [A_COLLECTED] = "delivered intercepted",
    [A_DELIVERED] = "",
    [A_INTERCEPTED] = "",
    [A_RETURNED] = "",
};

typedef struct {
    int32_t day_crossed, day_final; /* INT32_MIN when not yet */
    uint16_t trucks;
    float tonnes;
    uint8_t status, commodity, crossing; /* crossing + 1; 0 unknown */
} csg_t;

typedef struct {
    int64_t at;
    uint32_t n;
    uint8_t status;
} afeed_t;

typedef struct aid_state {
    json_t **recs;
    csg_t *rows;
    size_t n, cap;
    json_t *crossings;        /* XNG-x -> {status, history} (changes only) */
    char xing[MAX_CROSSINGS][48];
    int nxing;
    size_t features_seen;
    afeed_t *feed;
    size_t nfeed, capfeed;
} aid_state_t;

static aid_state_t *A(truce_t *t)
{
    return t->aid;
}

json_t *aid_consignment(truce_t *t, const char *id)
{
    uint64_t n = rec_id_num(id, "CSG-");
    return n && n <= A(t)->n ? A(t)->recs[n - 1] : NULL;
}

/* The crossings of the mission geography, in feature order. */
static void crossings_refresh(truce_t *t)
{
    aid_state_t *s = A(t);
    json_t *fs = org_features(t);
    if (json_object_size(fs) == s->features_seen) return;
    s->features_seen = json_object_size(fs);
    s->nxing = 0;
    const char *id;
    json_t *f;
    json_object_foreach(fs, id, f)
    {
        const char *layer = rec_str(json_object_get(f, "properties"), "layer");
        if (layer && !strcmp(layer, "crossing") && s->nxing < MAX_CROSSINGS)
            snprintf(s->xing[s->nxing++], sizeof s->xing[0], "%s", id);
    }
}

static int crossing_index(truce_t *t, const char *id)
{
    for (int i = 0; id && i < A(t)->nxing; i++)
        if (!strcmp(A(t)->xing[i], id)) return i;
    return -1;
}

static int32_t step_day(truce_t *t, const json_t *rec, const char *status)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(rec, "history"), i, h) if (!strcmp(rec_str(h, "status"), status))
        return mission_day(t, rec_time(h, "at"));
    return INT32_MIN;
}

static void row_of(truce_t *t, size_t n)
{
    json_t *rec = A(t)->recs[n];
    csg_t *w = &A(t)->rows[n];
    memset(w, 0, sizeof *w);
    w->trucks = (uint16_t)json_integer_value(json_object_get(rec, "trucks"));
    w->tonnes = (float)json_number_value(json_object_get(rec, "tonnes"));
    w->status = (uint8_t)rec_index(steps, rec_str(rec, "status"));
    w->commodity = (uint8_t)rec_index(commodities, rec_str(rec, "commodity"));
    w->crossing = (uint8_t)(crossing_index(t, rec_str(rec, "crossing")) + 1);
    w->day_crossed = step_day(t, rec, "crossed");
    w->day_final = w->status >= A_DELIVERED ? step_day(t, rec, steps[w->status]) : INT32_MIN;
}

static void feed_add(truce_t *t, int64_t at, size_t n, int status)
{
    aid_state_t *s = A(t);
    if (at < util_now_ms() - 8 * DAY_MS) return;
    if (s->nfeed == s->capfeed) {
        size_t cap = s->capfeed ? s->capfeed * 2 : 1024;
        afeed_t *f = realloc(s->feed, cap * sizeof *f);
        if (!f) return;
        s->feed = f;
        s->capfeed = cap;
    }
    s->feed[s->nfeed++] = (afeed_t){at, (uint32_t)n, (uint8_t)(status < 0 ? 0 : status)};
}

static void history_add(json_t *rec, const event_t *ev, const char *status, const char *at)
{
    char rec_at[32];
    time_format(ev->time, rec_at);
    json_t *h = json_pack("{s:s, s:s, s:s, s:s, s:I}", "status", status, "at", at, "recorded_at", rec_at, "by", ev->actor,
                          "seq", (json_int_t)ev->seq);
    const char *keys[] = {"note", "manner", "incident", "location"};
    for (int k = 0; k < 4; k++)
        if (json_object_get(ev->body, keys[k])) json_object_set(h, keys[k], json_object_get(ev->body, keys[k]));
    json_array_append_new(json_object_get(rec, "history"), h);
}

/* ---- apply ---- */

static void apply_consignment(truce_t *t, const event_t *ev)
{
    aid_state_t *s = A(t);
    uint64_t n = rec_id_num(ev->subject, "CSG-");
    if (!n || n != s->n + 1) return;
    if (n > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        json_t **r = realloc(s->recs, cap * sizeof *r);
        if (!r) return;
        s->recs = r;
        csg_t *w = realloc(s->rows, cap * sizeof *w);
        if (!w) return;
        s->rows = w;
        s->cap = cap;
    }
    crossings_refresh(t);
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "status", json_string("at_perimeter"));
    json_object_set_new(rec, "recorded_by", json_string(ev->actor));
    rec_set_time(rec, "recorded_at", ev->time);
    json_object_set_new(rec, "history", json_array());
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    history_add(rec, ev, "at_perimeter", rec_str(ev->body, "at"));
    s->recs[n - 1] = rec;
    s->n = n;
    row_of(t, n - 1);
    feed_add(t, ev->time, n - 1, A_PERIM);
}

static void apply_step(truce_t *t, const event_t *ev)
{
    json_t *rec = aid_consignment(t, ev->subject);
    if (!rec) return;
    const char *st = rec_str(ev->body, "status");
    json_object_set_new(rec, "status", json_string(st));
    if (json_object_get(ev->body, "incident")) json_object_set(rec, "incident", json_object_get(ev->body, "incident"));
    if (json_object_get(ev->body, "manner")) json_object_set(rec, "manner", json_object_get(ev->body, "manner"));
    history_add(rec, ev, st, rec_str(ev->body, "at"));
    size_t n = rec_id_num(ev->subject, "CSG-") - 1;
    row_of(t, n);
    feed_add(t, ev->time, n, A(t)->rows[n].status);
}

static void apply_crossing(truce_t *t, const event_t *ev)
{
    json_t *x = json_object_get(A(t)->crossings, ev->subject);
    if (!x) json_object_set_new(A(t)->crossings, ev->subject, x = json_pack("{s:[]}", "history"));
    json_object_set(x, "status", json_object_get(ev->body, "status"));
    char at[32];
    time_format(ev->time, at);
    json_array_append_new(json_object_get(x, "history"),
                          json_pack("{s:O, s:s, s:s, s:O?, s:I}", "status", json_object_get(ev->body, "status"), "at", at,
                                    "by", ev->actor, "note", json_object_get(ev->body, "note"), "seq", (json_int_t)ev->seq));
}

static int target(truce_t *t);
static int metric_trucks(truce_t *t, const char *sector, int64_t from, int64_t until, double *value, json_t *evidence);
static int metric_below(truce_t *t, const char *sector, int64_t from, int64_t until, double *value, json_t *evidence);

static int aid_init(truce_t *t)
{
    aid_state_t *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->crossings = json_object();
    t->aid = s;
    gate_metric_register("aid_trucks_per_day", metric_trucks);
    gate_metric_register("aid_days_below_target", metric_below);
    return 0;
}

static void aid_release(truce_t *t)
{
    aid_state_t *s = t->aid;
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) json_decref(s->recs[i]);
    free(s->recs);
    free(s->rows);
    free(s->feed);
    json_decref(s->crossings);
    free(s);
    t->aid = NULL;
}

static json_t *all_recs(truce_t *t)
{
    json_t *a = json_array();
    for (size_t i = 0; i < A(t)->n; i++) json_array_append(a, A(t)->recs[i]);
    return a;
}

static void aid_dump(truce_t *t, json_t *out)
{
    json_object_set_new(out, "consignments", all_recs(t));
    json_object_set(out, "crossings", A(t)->crossings);
}

static int aid_save(truce_t *t, buf_t *b)
{
    return rec_save_json(b, json_pack("{s:o, s:O}", "consignments", all_recs(t), "crossings", A(t)->crossings));
}

static int cmp_feed(const void *a, const void *b)
{
    const afeed_t *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int aid_load(truce_t *t, const char *p, size_t len)
{
    aid_state_t *s = A(t);
    json_t *all = json_loadb(p, len, 0, NULL);
    json_t *a = json_object_get(all, "consignments");
    size_t n = json_array_size(a);
    s->recs = calloc(n + 1, sizeof *s->recs);
    s->rows = calloc(n + 1, sizeof *s->rows);
    if (!all || !s->recs || !s->rows) {
        json_decref(all);
        return -1;
    }
    s->cap = n + 1;
    crossings_refresh(t);
    json_object_update(s->crossings, json_object_get(all, "crossings"));
    size_t i;
    json_t *rec;
    json_array_foreach(a, i, rec)
    {
        s->recs[i] = json_incref(rec);
        s->n = i + 1;
        row_of(t, i);
        size_t k;
        json_t *h;
        json_array_foreach(json_object_get(rec, "history"), k, h)
            feed_add(t, rec_time(h, "recorded_at"), i, rec_index(steps, rec_str(h, "status")));
    }
    if (s->nfeed) qsort(s->feed, s->nfeed, sizeof *s->feed, cmp_feed);
    json_decref(all);
    return 0;
}

static const kind_def_t aid_kinds[] = {
    {"aid.consignment", apply_consignment},
    {"aid.status", apply_step},
    {"aid.crossing", apply_crossing},
    {NULL, NULL},
};

const module_t aid_module = {"aid", aid_kinds, aid_init, aid_release, aid_dump, aid_save, aid_load};

/* ---- commands ---- */

const field_t consignment_fields[] = {
    {"org", F_ID, 0, 0, 0, 48, NULL, "the organisation (default: yours; only the CMCC records for others)"},
    {"commodity", F_ENUM, 1, 0, 0, 0, commodities, "food, medical, shelter, fuel, cooking_gas, water_sanitation, other"},
    {"trucks", F_INT, 1, 1, 1000, 0, NULL, "trucks"},
    {"tonnes", F_NUM, 0, 0, 100000, 0, NULL, "tonnes"},
    {"crossing", F_ID, 1, 0, 0, 48, NULL, "the crossing (XNG-...)"},
    {"at", F_TIME, 0, 0, 0, 0, NULL, "when it reached the perimeter (default: now)"},
    {"reference", F_STR, 0, 1, 0, 100, NULL, "manifest or waybill number"},
    {"destination", F_GEOJSON, 0, 0, 0, 0, NULL, "GeoJSON Point where it goes"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "note"},
    {NULL},
};

const field_t consignment_status_fields[] = {
    {"status", F_ENUM, 1, 0, 0, 0, steps, "the next step"},
    {"at", F_TIME, 0, 0, 0, 0, NULL, "when (default: now)"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "note (required to return)"},
    {"manner", F_ENUM, 0, 0, 0, 0, manners, "interception: peaceful or by_force"},
    {"incident", F_ID, 0, 0, 0, 32, NULL, "the incident of an interception (INC-...)"},
    {"location", F_GEOJSON, 0, 0, 0, 0, NULL, "where it was intercepted (GeoJSON Point)"},
    {NULL},
};

const field_t crossing_status_fields[] = {
    {"status", F_ENUM, 1, 0, 0, 0, crossing_states, "open, restricted or closed"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "note"},
    {NULL},
};

static int in_cmcc(const principal_t *who)
{
    return !who || !strcmp(who->org, "CMCC");
}

static int64_t at_of(const json_t *in)
{
    return json_object_get(in, "at") ? rec_time(in, "at") : util_now_ms();
}

static int draft_consignment(truce_t *t, cmd_t *c, const json_t *in, const char *org, err_t *e)
{
    crossings_refresh(t);
    if (crossing_index(t, rec_str(in, "crossing")) < 0)
        return err_set(e, E_BAD_VALUE, "crossing", "no crossing %s", rec_str(in, "crossing"));
    if (!org_exists(t, org)) return err_set(e, E_BAD_VALUE, "org", "no organisation %s", org);
    if (at_of(in) > util_now_ms() + 60000) return err_set(e, E_OUT_OF_RANGE, "at", "at is in the future");
    if (json_object_get(in, "destination")) {
        shape_t sh;
        if (geo_shape_from_json(notify_geo(t), json_object_get(in, "destination"), 1 << SH_POINT, "destination", &sh, e)) return -1;
        shape_free(&sh);
    }
    uint64_t n = A(t)->n + 1;
    for (int i = 0; i < c->ndrafts; i++)
        if (!strcmp(c->drafts[i].kind, "aid.consignment")) n++;
    snprintf(c->result_id, sizeof c->result_id, "CSG-%llu", (unsigned long long)n);
    json_t *body = json_deep_copy(in);
    json_object_del(body, "steps");
    json_object_set_new(body, "org", json_string(org));
    char at[32];
    time_format(at_of(in), at);
    json_object_set_new(body, "at", json_string(at));
    if (t->exercise && !json_object_get(body, "exercise")) json_object_set_new(body, "exercise", json_true());
    return cmd_draft(c, "aid.consignment", c->result_id, json_pack("[s]", "all"), body, e);
}

static int prepare_add(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *org = rec_str(in, "org") ? rec_str(in, "org") : c->who->org;
    if (strcmp(org, c->who->org) && !in_cmcc(c->who))
        return err_set(e, E_FORBIDDEN, "org", "you record consignments of %s only", c->who->org);
    return draft_consignment(t, c, in, org, e);
}

typedef struct {
    const char *id;
    json_t *in;
} step_op_t;

/* Checks and drafts one step of a consignment (rec's current state, or the
 * state after the steps drafted before it, cur). */
static int draft_step(truce_t *t, cmd_t *c, const char *id, const json_t *rec, const char *cur, int64_t prev_at,
                      const json_t *in, err_t *e)
{
    const char *to = rec_str(in, "status");
    int from = rec_index(steps, cur);
    if (from < 0 || !rec_word_in(next_of[from], to))
        return err_set(e, E_CONFLICT, "status", "%s is %s: it cannot go to %s", id, cur, to);
    int64_t at = at_of(in);
    if (at > util_now_ms() + 60000) return err_set(e, E_OUT_OF_RANGE, "at", "at is in the future");
    if (at < prev_at) return err_set(e, E_OUT_OF_RANGE, "at", "at is before the previous step");
    int intercept = !strcmp(to, "intercepted");
    if (intercept && !rec_str(in, "manner")) return err_set(e, E_MISSING_FIELD, "manner", "an interception is peaceful or by_force");
    if (!intercept && (json_object_get(in, "manner") || json_object_get(in, "incident") || json_object_get(in, "location")))
        return err_set(e, E_BAD_VALUE, json_object_get(in, "manner") ? "manner" : json_object_get(in, "incident") ? "incident" : "location",
                       "manner, incident and location go with intercepted");
    if (!strcmp(to, "returned") && !rec_str(in, "note")) return err_set(e, E_MISSING_FIELD, "note", "say why it was returned");
    json_t *loc = json_object_get(in, "location");
    if (loc) {
        shape_t sh;
        if (geo_shape_from_json(notify_geo(t), loc, 1 << SH_POINT, "location", &sh, e)) return -1;
        shape_free(&sh);
    }
    const char *inc = rec_str(in, "incident");
    if (inc) {
        json_t *l = incident_labels(t, inc);
        if (!l || (c->who && !auth_may_see(c->who, l))) return err_set(e, E_BAD_VALUE, "incident", "no %s you may see", inc);
    }
    json_t *body = json_deep_copy(in);
    char ats[32];
    time_format(at, ats);
    json_object_set_new(body, "at", json_string(ats));
    if (intercept && !inc) {
        /* the interception is an incident of its own, linked both ways */
        json_t *where = loc ? json_incref(loc) : NULL;
        if (!where) {
            json_t *f = json_object_get(org_features(t), rec_str(rec, "crossing"));
            where = json_incref(json_object_get(f, "geometry"));
        }
        char title[200], incid[32];
        snprintf(title, sizeof title, "Aid consignment %s intercepted (%s)", id,
                 !strcmp(rec_str(in, "manner"), "by_force") ? "by force" : "peacefully");
        json_t *rep = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:{s:[s]}}", "type", "aid_obstruction_looting", "title", title,
                                "occurred_at", ats, "time_precision", "minute", "location", where, "location_precision",
                                loc ? "exact" : "town", "links", "consignments", id);
        if (rec_str(in, "note")) json_object_set(rep, "description", json_object_get(in, "note"));
        if (c->who)
            json_object_set_new(rep, "sources",
                                json_pack("[{s:s, s:s, s:s, s:s}]", "kind", in_cmcc(c->who) ? "cmcc_observation" : "humanitarian",
                                          "name", c->who->name[0] ? c->who->name : c->who->username, "reliability", "B",
                                          "credibility", "2"));
        int rc = incident_draft_report(t, c, rep, incid, sizeof incid, e);
        json_decref(rep);
        if (rc) {
            json_decref(body);
            return -1;
        }
        json_object_set_new(body, "incident", json_string(incid));
    }
    return cmd_draft(c, "aid.status", id, json_pack("[s]", "all"), body, e);
}

static int64_t last_at(const json_t *rec)
{
    json_t *h = json_object_get(rec, "history");
    return rec_time(json_array_get(h, json_array_size(h) - 1), "at");
}

static int prepare_step(truce_t *t, cmd_t *c, err_t *e)
{
    step_op_t *op = c->arg;
    json_t *rec = aid_consignment(t, op->id);
    if (!rec) return err_set(e, E_NOT_FOUND, NULL, "no %s", op->id);
    if (c->who && strcmp(rec_str(rec, "org"), c->who->org) && !in_cmcc(c->who))
        return err_set(e, E_FORBIDDEN, "status", "only %s or the CMCC record the steps of %s", rec_str(rec, "org"), op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return draft_step(t, c, op->id, rec, rec_str(rec, "status"), last_at(rec), op->in, e);
}

int aid_prepare_scenario(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *org = rec_str(in, "org");
    if (!org) return err_set(e, E_MISSING_FIELD, "org", "a scenario consignment names its org");
    json_t *probe = json_deep_copy(in);
    json_object_del(probe, "steps");
    json_object_del(probe, "exercise");
    int bad = schema_check(probe, consignment_fields, e);
    json_decref(probe);
    if (bad || draft_consignment(t, c, in, org, e)) return -1;
    char id[64];
    snprintf(id, sizeof id, "%s", c->result_id);
    const char *cur = "at_perimeter";
    int64_t prev = at_of(in);
    json_t *rec = json_pack("{s:s}", "crossing", rec_str(in, "crossing"));
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(in, "steps"), i, st)
    {
        if (schema_check(st, consignment_status_fields, e) || draft_step(t, c, id, rec, cur, prev, st, e)) {
            json_decref(rec);
            return -1;
        }
        cur = rec_str(st, "status");
        prev = at_of(st);
    }
    json_decref(rec);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    return 0;
}

static int prepare_crossing(truce_t *t, cmd_t *c, err_t *e)
{
    step_op_t *op = c->arg;
    crossings_refresh(t);
    if (crossing_index(t, op->id) < 0) return err_set(e, E_NOT_FOUND, NULL, "no crossing %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "aid.crossing", op->id, json_pack("[s]", "all"), json_deep_copy(op->in), e);
}

/* ---- handlers ---- */

static json_t *out_rec(const json_t *rec)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) if (k[0] != '_') json_object_set(o, k, v);
    return o;
}

static int reply_consignment(req_t *r, int status, cmd_t *c)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *o = out_rec(aid_consignment(r->t, c->result_id));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, status, c, json_pack("{s:o}", "consignment", o));
}

int h_consignments_add(req_t *r)
{
    cmd_t c = {.who = &r->who, .prepare = prepare_add, .arg = r->json};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_consignment(r, 201, &c);
}

int h_consignment_status(req_t *r)
{
    step_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_step, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_consignment(r, 200, &c);
}

int h_consignment_get(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = aid_consignment(r->t, r->params[0]);
    json_t *o = rec ? out_rec(rec) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no %s", r->params[0]);
    return reply_json(r, 200, json_pack("{s:o}", "consignment", o));
}

int h_consignments_list(req_t *r)
{
    const char *status = req_query(r, "status"), *crossing = req_query(r, "crossing"), *org = req_query(r, "org"),
               *commodity = req_query(r, "commodity"), *date = req_query(r, "date");
    int st = -1, co = -1;
    int32_t day = 0;
    if (status && (st = rec_index(steps, status)) < 0) return reply_error(r, E_BAD_VALUE, "status", "no step %s", status);
    if (commodity && (co = rec_index(commodities, commodity)) < 0)
        return reply_error(r, E_BAD_VALUE, "commodity", "no commodity %s", commodity);
    if (date && tz_date_parse(date, &day)) return reply_error(r, E_BAD_VALUE, "date", "date must be YYYY-MM-DD");
    uint64_t limit, cursor;
    if (req_query_u64(r, "limit", 100, 1, 1000, &limit) || req_query_u64(r, "cursor", 0, 0, UINT64_MAX, &cursor)) return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    aid_state_t *s = A(r->t);
    int xi = -1;
    if (crossing && (xi = crossing_index(r->t, crossing)) < 0) {
        pthread_rwlock_unlock(&r->t->lock);
        return reply_error(r, E_BAD_VALUE, "crossing", "no crossing %s", crossing);
    }
    json_t *out = json_array();
    size_t i = cursor && cursor <= s->n ? cursor - 1 : s->n;
    uint64_t count = 0, next = 0;
    while (i-- > 0) {
        const csg_t *w = &s->rows[i];
        if ((st >= 0 && w->status != st) || (co >= 0 && w->commodity != co) || (xi >= 0 && w->crossing != xi + 1) ||
            (date && w->day_crossed != day) || (org && strcmp(rec_str(s->recs[i], "org"), org)))
            continue;
        if (count == limit) {
            next = i + 2;
            break;
        }
        count++;
        json_array_append_new(out, out_rec(s->recs[i]));
    }
    pthread_rwlock_unlock(&r->t->lock);
    char cur[32];
    snprintf(cur, sizeof cur, "%llu", (unsigned long long)next);
    return reply_json(r, 200, json_pack("{s:o, s:s?, s:b}", "consignments", out, "next", next ? cur : NULL, "exercise", r->t->exercise));
}

static int target(truce_t *t)
{
    json_t *v = json_object_get(notify_settings(t), "aid_daily_truck_target");
    return v ? (int)json_number_value(v) : 600;
}

int h_crossings_list(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    aid_state_t *s = A(r->t);
    int32_t today = mission_day(r->t, util_now_ms());
    int trucks[MAX_CROSSINGS] = {0}, cons[MAX_CROSSINGS] = {0};
    for (size_t i = 0; i < s->n; i++) {
        const csg_t *w = &s->rows[i];
        if (w->day_crossed == today && w->crossing) {
            trucks[w->crossing - 1] += w->trucks;
            cons[w->crossing - 1]++;
        }
    }
    json_t *out = json_array(), *empty = json_array();
    for (int k = 0; k < s->nxing; k++) {
        json_t *f = json_object_get(org_features(r->t), s->xing[k]), *p = json_object_get(f, "properties");
        json_t *x = json_object_get(s->crossings, s->xing[k]);
        json_array_append_new(out, json_pack("{s:s, s:{s:O?, s:O?}, s:O?, s:O?, s:O?, s:{s:i, s:i}, s:O?}", "id", s->xing[k], "name", "en",
                                             json_object_get(p, "name_en"), "ar", json_object_get(p, "name_ar"), "kind",
                                             json_object_get(p, "kind"), "status",
                                             x ? json_object_get(x, "status") : json_object_get(p, "status"), "geometry",
                                             json_object_get(f, "geometry"), "today", "trucks", trucks[k], "consignments",
                                             cons[k], "history", x ? json_object_get(x, "history") : empty));
    }
    int tg = target(r->t);
    pthread_rwlock_unlock(&r->t->lock);
    json_decref(empty);
    return reply_json(r, 200, json_pack("{s:o, s:i, s:b}", "crossings", out, "target_trucks_per_day", tg, "exercise", r->t->exercise));
}

int h_crossing_status(req_t *r)
{
    step_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_crossing, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 200, &c, NULL);
}

void aid_trucks_per_day(truce_t *t, int32_t d0, int32_t d1, int *out)
{
    aid_state_t *s = A(t);
    memset(out, 0, (size_t)(d1 - d0 + 1) * sizeof *out);
    for (size_t i = 0; i < s->n; i++) {
        int32_t d = s->rows[i].day_crossed;
        if (d >= d0 && d <= d1) out[d - d0] += s->rows[i].trucks;
    }
}

int h_stats_aid(req_t *r)
{
    int32_t d0, d1;
    if (stats_period(r, &d0, &d1)) return -1;
    int nd = d1 - d0 + 1;
    int *trucks = calloc((size_t)nd * (MAX_CROSSINGS + 1), sizeof(int)), *inter = calloc((size_t)nd, sizeof(int));
    double *tonnes = calloc((size_t)nd, sizeof(double));
    int bycom[8] = {0}, crossed = 0, crossed_trucks = 0, icount = 0, itrucks = 0, delivered = 0, returned = 0;
    pthread_rwlock_rdlock(&r->t->lock);
    aid_state_t *s = A(r->t);
    for (size_t i = 0; trucks && inter && tonnes && i < s->n; i++) {
        const csg_t *w = &s->rows[i];
        if (w->day_crossed >= d0 && w->day_crossed <= d1) {
            int d = w->day_crossed - d0;
            trucks[w->crossing * nd + d] += w->trucks;
            tonnes[d] += w->tonnes;
            if (w->commodity < 8) bycom[w->commodity] += w->trucks;
            crossed++;
            crossed_trucks += w->trucks;
            if (w->status == A_INTERCEPTED) {
                icount++;
                itrucks += w->trucks;
            }
        }
        if (w->day_final >= d0 && w->day_final <= d1) {
            if (w->status == A_INTERCEPTED) {
                inter[w->day_final - d0]++;
            } else if (w->status == A_DELIVERED) {
                delivered++;
            } else if (w->status == A_RETURNED) {
                returned++;
            }
        }
    }
    int tg = target(r->t);
    json_t *xs = json_array(), *byx = json_object(), *total = json_array(), *gap = json_array(), *ton = json_array(),
           *ints = json_array(), *com = json_object();
    for (int k = 0; trucks && k <= s->nxing; k++) {
        if (k == 0) {
            int any = 0;
            for (int d = 0; d < nd; d++) any |= trucks[d];
            if (!any) continue;
        }
        const char *id = k ? s->xing[k - 1] : "unknown";
        json_t *a = json_array();
        for (int d = 0; d < nd; d++) json_array_append_new(a, json_integer(trucks[k * nd + d]));
        json_array_append_new(xs, json_string(id));
        json_object_set_new(byx, id, a);
    }
    for (int d = 0; trucks && d < nd; d++) {
        int sum = 0;
        for (int k = 0; k <= s->nxing; k++) sum += trucks[k * nd + d];
        json_array_append_new(total, json_integer(sum));
        json_array_append_new(gap, json_integer(sum >= tg ? 0 : tg - sum));
        json_array_append_new(ton, json_real(round(tonnes[d] * 10) / 10));
        json_array_append_new(ints, json_integer(inter[d]));
    }
    for (int k = 0; commodities[k]; k++) json_object_set_new(com, commodities[k], json_integer(bycom[k]));
    pthread_rwlock_unlock(&r->t->lock);
    free(trucks);
    free(inter);
    free(tonnes);
    json_t *days = json_array();
    char a[11], b[11];
    for (int32_t d = d0; d <= d1; d++) {
        tz_date_format(d, a);
        json_array_append_new(days, json_string(a));
    }
    tz_date_format(d0, a);
    tz_date_format(d1, b);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:f, s:f}, s:i, s:i, s:i, s:b}", "from", a,
                                "until", b, "days", days, "target_trucks_per_day", tg, "crossings", xs, "trucks", byx,
                                "total_trucks", total, "gap", gap, "tonnes", ton, "by_commodity", com, "intercepted", ints,
                                "interception_rate", "consignments", crossed ? (double)icount / crossed : 0.0, "trucks",
                                crossed_trucks ? (double)itrucks / crossed_trucks : 0.0, "delivered", delivered, "returned",
                                returned, "crossed", crossed, "exercise", r->t->exercise));
}

void aid_sitrep(truce_t *t, int32_t day, json_t *out)
{
    aid_state_t *s = A(t);
    int trucks = 0, inter = 0, delivered = 0, byx[MAX_CROSSINGS + 1] = {0};
    double tonnes = 0;
    for (size_t i = 0; i < s->n; i++) {
        const csg_t *w = &s->rows[i];
        if (w->day_crossed == day) {
            trucks += w->trucks;
            tonnes += w->tonnes;
            byx[w->crossing] += w->trucks;
        }
        if (w->day_final == day && w->status == A_INTERCEPTED) inter++;
        if (w->day_final == day && w->status == A_DELIVERED) delivered++;
    }
    json_t *bx = json_object();
    for (int k = 0; k < s->nxing; k++) json_object_set_new(bx, s->xing[k], json_integer(byx[k + 1]));
    int tg = target(t);
    json_object_set_new(out, "aid", json_pack("{s:i, s:i, s:i, s:o, s:f, s:i, s:i}", "trucks", trucks, "target", tg, "gap",
                                              trucks >= tg ? 0 : tg - trucks, "by_crossing", bx, "tonnes",
                                              round(tonnes * 10) / 10, "intercepted", inter, "delivered", delivered));
}

void aid_feed(truce_t *t, int64_t since, size_t limit, json_t *items)
{
    aid_state_t *s = A(t);
    for (size_t i = s->nfeed, got = 0; got < limit && i-- > 0; got++) {
        const afeed_t *f = &s->feed[i];
        if (f->at < since) break;
        json_t *rec = s->recs[f->n];
        char at[32], summary[300];
        time_format(f->at, at);
        snprintf(summary, sizeof summary, "%s: %lld trucks of %s by %s at %s", steps[f->status],
                 (long long)json_integer_value(json_object_get(rec, "trucks")), rec_str(rec, "commodity"), rec_str(rec, "org"),
                 rec_str(rec, "crossing"));
        json_array_append_new(items, json_pack("{s:s, s:s, s:O, s:s, s:s, s:s}", "at", at, "kind", "consignment", "id",
                                               json_object_get(rec, "id"), "status", steps[f->status], "title", summary,
                                               "summary", summary));
    }
}

/* ---- gate metrics (registered by aid_init) ---- */

/* The local days of the window [from, until] are those that ended within
 * it (their end in (from, until]): the day in progress is not one of them
 * (its trucks are not all in, and it is not yet below target), a window of
 * 7 x 24 h has the 7 days that ended in it, not the 8 its two ends touch,
 * and consecutive windows share no day and miss none, across the changes of
 * the clocks too. from == until: the 7 days that ended by until. */
static void metric_days(truce_t *t, int64_t from, int64_t until, int32_t *d0, int32_t *d1)
{
    *d1 = mission_day(t, until) - 1;
    *d0 = from == until ? *d1 - 6 : mission_day(t, from);
    if (*d0 > *d1) *d0 = *d1;
    if (*d1 - *d0 > 3660) *d0 = *d1 - 3660;
}

/* aid_trucks_per_day: mission-wide trucks crossed per day, mean over the
 * period (the sector is not read: aid enters through the crossings). */
static int metric_trucks(truce_t *t, const char *sector, int64_t from, int64_t until, double *value, json_t *evidence)
{
    (void)sector;
    int32_t d0, d1;
    metric_days(t, from, until, &d0, &d1);
    int n = d1 - d0 + 1, *per = calloc((size_t)n, sizeof *per);
    if (!per) return -1;
    aid_trucks_per_day(t, d0, d1, per);
    long sum = 0;
    for (int i = 0; i < n; i++) sum += per[i];
    free(per);
    *value = (double)sum / n;
    json_object_set_new(evidence, "trucks", json_integer(sum));
    json_object_set_new(evidence, "days", json_integer(n));
    return 0;
}

/* aid_days_below_target: days of the period below the daily truck target. */
static int metric_below(truce_t *t, const char *sector, int64_t from, int64_t until, double *value, json_t *evidence)
{
    (void)sector;
    int32_t d0, d1;
    metric_days(t, from, until, &d0, &d1);
    int n = d1 - d0 + 1, *per = calloc((size_t)n, sizeof *per), below = 0, tg = target(t);
    if (!per) return -1;
    aid_trucks_per_day(t, d0, d1, per);
    for (int i = 0; i < n; i++) below += per[i] < tg;
    free(per);
    *value = below;
    json_object_set_new(evidence, "days_below_target", json_integer(below));
    json_object_set_new(evidence, "days", json_integer(n));
    json_object_set_new(evidence, "target_trucks_per_day", json_integer(tg));
    return 0;
}
