/*
 * ddr_api.c — the DDR handlers, the views of records, the figures and the
 * input tables (see ddr.h; docs/ddr.md is the contract).
 *
 * Who sees what: lists and records are filtered by labels. Public records
 * carry no personal data, so leadership and the CMCC commander read them
 * (P_DDR_AUDIT); personal data is decrypted only for a caller with P_DDR,
 * and only after the read is itself logged (ddr.person.viewed) and durable.
 */
#include "ddr_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "csv.h"
#include "incident.h"
#include "log.h"
#include "record.h"
#include "tz.h"

#define LIST_DEFAULT 500
#define LIST_MAX 5000

static int is_ddr(const req_t *r)
{
    return (r->who.perms & (1ull << P_DDR)) != 0;
}

/* A record for a reader: every member but the private "_" ones. New ref. */
static json_t *pub(const json_t *rec)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) if (k[0] != '_') json_object_set(o, k, v);
    return o;
}

/* A person with the personal data and follow-up notes opened (DDR officers,
 * after the read is logged). New ref. */
static json_t *person_full(truce_t *t, const char *id, const json_t *rec)
{
    json_t *o = pub(rec);
    json_t *d = ddr__open(t, id, rec_str(rec, "_sealed"));
    json_object_set_new(o, "personal", d ? d : json_pack("{s:s}", "error", "the personal data cannot be opened (ddr.key)"));
    json_t *fus = json_array();
    char aid[64];
    snprintf(aid, sizeof aid, "%s/followup", id);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(rec, "followups"), i, f)
    {
        json_t *row = pub(f);
        json_t *n = ddr__open(t, aid, rec_str(f, "_sealed"));
        if (n) json_object_set(row, "note", json_object_get(n, "note"));
        json_decref(n);
        json_array_append_new(fus, row);
    }
    json_object_set_new(o, "followups", fus);
    return o;
}

static json_t *records_of(truce_t *t, json_t *coll, const json_t *ids, const principal_t *who)
{
    json_t *out = json_array();
    size_t i;
    json_t *x;
    (void)t;
    json_array_foreach(ids, i, x)
    {
        json_t *rec = json_object_get(coll, json_string_value(x));
        if (rec && auth_may_see(who, json_object_get(rec, "_labels"))) json_array_append_new(out, pub(rec));
    }
    return out;
}

/* Newest first by number: prefix-n for n from the top down. */
typedef int (*keep_fn)(req_t *r, const json_t *rec, void *arg);

/* The paging of a list: ?limit (1..max, default LIST_DEFAULT) and ?before
 * (a next_before this server gave: a record number from 1). 0 or replied. */
static int paging(req_t *r, uint64_t max, uint64_t *limit, uint64_t *before)
{
    return req_query_u64(r, "limit", LIST_DEFAULT, 1, max, limit) || req_query_u64(r, "before", 0, 1, UINT64_MAX, before);
}

static json_t *numbered(req_t *r, json_t *coll, const char *prefix, uint64_t last, keep_fn keep, void *arg,
                        uint64_t limit, uint64_t before, uint64_t *next_before)
{
    json_t *out = json_array();
    uint64_t n = before && before - 1 < last ? before - 1 : last;
    *next_before = 0;
    char id[48];
    for (; n >= 1; n--) {
        snprintf(id, sizeof id, "%s%llu", prefix, (unsigned long long)n);
        json_t *rec = json_object_get(coll, id);
        if (!rec || !auth_may_see(&r->who, json_object_get(rec, "_labels"))) continue;
        if (keep && !keep(r, rec, arg)) continue;
        if (json_array_size(out) == limit) {
            *next_before = n + 1;
            break;
        }
        json_array_append_new(out, pub(rec));
    }
    return out;
}

static int str_is(const json_t *rec, const char *key, const char *want)
{
    return !want || (rec_str(rec, key) && !strcmp(rec_str(rec, key), want));
}

/* ---- rules, sites ---- */

int h_ddr_rules(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *o = json_deep_copy(DS(r->t)->rules);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", "rules", o));
}

int h_ddr_sites(req_t *r)
{
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *s;
    json_object_foreach(DS(r->t)->sites, id, s) json_array_append_new(out, pub(s));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", "sites", out));
}

/* ---- people ---- */

typedef struct {
    const char *site, *eligible;
    int flagged;
} people_q_t;

static int keep_person(req_t *r, const json_t *p, void *arg)
{
    people_q_t *q = arg;
    (void)r;
    if (!str_is(p, "site", q->site)) return 0;
    if (q->eligible && json_is_true(json_object_get(json_object_get(p, "eligibility"), "eligible")) != !strcmp(q->eligible, "true"))
        return 0;
    if (q->flagged && !json_array_size(json_object_get(p, "flags"))) return 0;
    return 1;
}

int h_ddr_people_list(req_t *r)
{
    static const char *const tf[] = {"true", "false", NULL};
    uint64_t limit, before;
    if (paging(r, LIST_MAX, &limit, &before) || req_query_enum(r, "eligible", tf)) return -1;
    people_q_t q = {req_query(r, "site"), req_query(r, "eligible"), req_query(r, "flagged") != NULL};
    uint64_t next;
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *out = numbered(r, DS(r->t)->people, "DDR-P-", DS(r->t)->last_person, keep_person, &q, limit, before, &next);
    pthread_rwlock_unlock(&r->t->lock);
    json_t *j = json_pack("{s:o}", "people", out);
    if (next) json_object_set_new(j, "next_before", json_integer((json_int_t)next));
    return reply_json(r, 200, j);
}

int h_ddr_people_add(req_t *r)
{
    err_t e;
    if (ddr__check_items(r->json, 1, &e) || ddr__check_dob(rec_str(r->json, "date_of_birth"), &e)) return reply_err(r, &e);
    ddr_op_t op = {.in = r->json, .flags = json_array(), .ids = json_array()};
    cmd_t c = {.who = &r->who, .prepare = ddr__prepare_register_op, .arg = &op};
    int rc;
    if (log_submit(r->t, &c)) {
        rc = reply_err(r, &c.err);
    } else {
        pthread_rwlock_rdlock(&r->t->lock);
        json_t *p = json_object_get(DS(r->t)->people, c.result_id);
        json_t *extra = json_pack("{s:o, s:O, s:o}", "person", pub(p), "weapons", op.ids, "flags",
                                  records_of(r->t, DS(r->t)->flags, op.flags, &r->who));
        json_t *d = ddr__open(r->t, c.result_id, rec_str(p, "_sealed"));
        json_object_set(extra, "card_number", json_object_get(d, "card_number"));
        json_decref(d);
        pthread_rwlock_unlock(&r->t->lock);
        rc = reply_written(r, 201, &c, extra);
    }
    json_decref(op.flags);
    json_decref(op.ids);
    return rc;
}

/* Logs the read (and waits for it to be durable) before any personal data
 * is opened; -1 replied when the person does not exist. */
static int log_read(req_t *r, const char *purpose)
{
    ddr_op_t op = {.id = r->params[0], .purpose = purpose};
    cmd_t c = {.who = &r->who, .prepare = ddr__prepare_viewed, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return 0;
}

int h_ddr_person_get(req_t *r)
{
    if (is_ddr(r) && log_read(r, "record")) return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *p = json_object_get(DS(r->t)->people, r->params[0]);
    json_t *o = p && auth_may_see(&r->who, json_object_get(p, "_labels")) ? (is_ddr(r) ? person_full(r->t, r->params[0], p) : pub(p)) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no person %s that you may see", r->params[0]);
    return reply_json(r, 200, o);
}

/* The whole record of one person, for the person or an oversight body. */
int h_ddr_person_export(req_t *r)
{
    if (log_read(r, "export")) return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    ddr_state_t *s = DS(r->t);
    json_t *p = json_object_get(s->people, r->params[0]);
    json_t *o = NULL;
    if (p) {
        char now[32];
        time_format(util_now_ms(), now);
        json_t *pays = records_of(r->t, s->payments, json_object_get(p, "payments"), &r->who);
        json_t *flag_ids = json_deep_copy(json_object_get(p, "flags"));
        size_t i;
        json_t *x;
        json_array_foreach(pays, i, x) json_array_extend(flag_ids, json_object_get(x, "flags"));
        json_t *ws = records_of(r->t, s->weapons, json_object_get(p, "weapons"), &r->who);
        json_array_foreach(ws, i, x) json_array_extend(flag_ids, json_object_get(x, "flags"));
        o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "exported_at", now, "exported_by", r->who.username,
                      "note", "Personal data under the DDR programme's data protection rules; every read is logged.",
                      "person", person_full(r->t, r->params[0], p), "weapons", ws, "payments", pays, "flags",
                      records_of(r->t, s->flags, flag_ids, &r->who));
        json_decref(flag_ids);
    }
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no person %s", r->params[0]);
    return reply_json(r, 200, o);
}

static int simple_op(req_t *r, cmd_prepare_fn fn, int status)
{
    ddr_op_t op = {.id = r->params[0], .in = r->json, .flags = json_array(), .ids = json_array()};
    cmd_t c = {.who = &r->who, .prepare = fn, .arg = &op};
    int rc;
    if (log_submit(r->t, &c)) {
        rc = reply_err(r, &c.err);
    } else {
        pthread_rwlock_rdlock(&r->t->lock);
        json_t *extra = json_pack("{s:o}", "flags", records_of(r->t, DS(r->t)->flags, op.flags, &r->who));
        if (json_array_size(op.ids)) json_object_set(extra, "weapons", op.ids);
        pthread_rwlock_unlock(&r->t->lock);
        rc = reply_written(r, status, &c, extra);
    }
    json_decref(op.flags);
    json_decref(op.ids);
    return rc;
}

int h_ddr_person_reintegration(req_t *r)
{
    return simple_op(r, ddr__prepare_reintegration, 200);
}

int h_ddr_person_screening(req_t *r)
{
    return simple_op(r, ddr__prepare_screening, 200);
}

int h_ddr_person_followup(req_t *r)
{
    return simple_op(r, ddr__prepare_followup, 201);
}

/* ---- weapons ---- */

typedef struct {
    const char *status, *store, *person, *cache, *pending_for;
    json_t *ids; /* serial search: the weapon ids it matches */
} weapons_q_t;

static int keep_weapon(req_t *r, const json_t *w, void *arg)
{
    weapons_q_t *q = arg;
    (void)r;
    if (!str_is(w, "status", q->status) || !str_is(w, "store", q->store) || !str_is(w, "person", q->person) ||
        !str_is(w, "cache", q->cache))
        return 0;
    if (q->pending_for && !str_is(json_object_get(w, "pending"), "to_user", q->pending_for)) return 0;
    if (q->ids && !rec_has(q->ids, rec_str(w, "id"))) return 0;
    return 1;
}

static int weapons_csv(req_t *r, json_t *list)
{
    static const char *const cols[] = {"id", "type", "make", "model", "calibre", "serial", "serial_norm", "country",
                                       "condition", "status", "store", "holder", "person", "cache", "site",
                                       "registered_at", "registered_by", NULL};
    buf_t b;
    buf_init(&b);
    for (int c = 0; cols[c]; c++) buf_addf(&b, "%s%s", c ? "," : "", cols[c]);
    buf_adds(&b, ",flags\r\n");
    size_t i;
    json_t *w;
    json_array_foreach(list, i, w)
    {
        for (int c = 0; cols[c]; c++) {
            if (c) buf_add(&b, ",", 1);
            csv_field(&b, rec_str(w, cols[c]));
        }
        buf_addf(&b, ",%zu\r\n", json_array_size(json_object_get(w, "flags")));
    }
    json_decref(list);
    return reply_buf(r, 200, &b, "text/csv; charset=utf-8");
}

int h_ddr_weapons_list(req_t *r)
{
    static const char *const formats[] = {"json", "csv", NULL};
    uint64_t limit, before;
    if (paging(r, 500000, &limit, &before) || req_query_enum(r, "status", ddr_weapon_states) ||
        req_query_enum(r, "format", formats))
        return -1;
    weapons_q_t q = {req_query(r, "status"), req_query(r, "store"), req_query(r, "person"), req_query(r, "cache"), NULL, NULL};
    const char *pend = req_query(r, "pending");
    if (pend) {
        if (strcmp(pend, "me")) return reply_error(r, E_BAD_VALUE, "pending", "pending=me lists the hand-overs waiting for you");
        q.pending_for = r->who.username;
    }
    uint64_t next;
    pthread_rwlock_rdlock(&r->t->lock);
    const char *serial = req_query(r, "serial");
    if (serial) {
        char norm[128];
        ddr_serial_norm(serial, norm, sizeof norm);
        q.ids = json_object_get(DS(r->t)->by_serial, norm);
        if (!q.ids) q.ids = json_array(); /* matches nothing */
        else json_incref(q.ids);
    }
    json_t *out = numbered(r, DS(r->t)->weapons, "DDR-W-", DS(r->t)->last_weapon, keep_weapon, &q, limit, before, &next);
    pthread_rwlock_unlock(&r->t->lock);
    json_decref(q.ids);
    const char *fmt = req_query(r, "format");
    if (fmt && !strcmp(fmt, "csv")) return weapons_csv(r, out);
    json_t *j = json_pack("{s:o}", "weapons", out);
    if (next) json_object_set_new(j, "next_before", json_integer((json_int_t)next));
    return reply_json(r, 200, j);
}

static int get_one(req_t *r, json_t *coll, const char *what)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = json_object_get(coll, r->params[0]);
    json_t *o = rec && auth_may_see(&r->who, json_object_get(rec, "_labels")) ? pub(rec) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no %s %s that you may see", what, r->params[0]);
    return reply_json(r, 200, o);
}

int h_ddr_weapon_get(req_t *r)
{
    return get_one(r, DS(r->t)->weapons, "weapon");
}

int h_ddr_weapon_custody(req_t *r)
{
    ddr_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = ddr__prepare_custody, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *w = pub(json_object_get(DS(r->t)->weapons, op.id));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, 200, &c, json_pack("{s:o}", "weapon", w));
}

int h_ddr_caches_add(req_t *r)
{
    err_t e;
    if (ddr__check_items(r->json, 1, &e)) return reply_err(r, &e);
    return simple_op(r, ddr__prepare_cache, 201);
}

/* ---- payments ---- */

static int keep_payment(req_t *r, const json_t *p, void *arg)
{
    (void)r;
    return str_is(p, "person", arg);
}

int h_ddr_payments_list(req_t *r)
{
    uint64_t limit, before, next;
    if (paging(r, LIST_MAX, &limit, &before)) return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *out = numbered(r, DS(r->t)->payments, "DDR-PAY-", DS(r->t)->last_payment, keep_payment,
                           (void *)req_query(r, "person"), limit, before, &next);
    pthread_rwlock_unlock(&r->t->lock);
    json_t *j = json_pack("{s:o}", "payments", out);
    if (next) json_object_set_new(j, "next_before", json_integer((json_int_t)next));
    return reply_json(r, 200, j);
}

int h_ddr_payments_add(req_t *r)
{
    return simple_op(r, ddr__prepare_payment, 201);
}

/* ---- flags ---- */

typedef struct {
    const char *status, *rule;
} flags_q_t;

static int keep_flag(req_t *r, const json_t *f, void *arg)
{
    flags_q_t *q = arg;
    (void)r;
    return str_is(f, "status", q->status) && str_is(f, "rule", q->rule);
}

int h_ddr_flags_list(req_t *r)
{
    static const char *const states[] = {"open", "cleared", "confirmed", NULL};
    uint64_t limit, before, next;
    if (paging(r, LIST_MAX, &limit, &before) || req_query_enum(r, "status", states) ||
        req_query_enum(r, "rule", ddr_flag_rules))
        return -1;
    flags_q_t q = {req_query(r, "status"), req_query(r, "rule")};
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *out = numbered(r, DS(r->t)->flags, "DDR-F-", DS(r->t)->last_flag, keep_flag, &q, limit, before, &next);
    pthread_rwlock_unlock(&r->t->lock);
    json_t *j = json_pack("{s:o}", "flags", out);
    if (next) json_object_set_new(j, "next_before", json_integer((json_int_t)next));
    return reply_json(r, 200, j);
}

int h_ddr_flag_get(req_t *r)
{
    return get_one(r, DS(r->t)->flags, "flag");
}

int h_ddr_flag_review(req_t *r)
{
    ddr_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = ddr__prepare_review, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *f = pub(json_object_get(DS(r->t)->flags, op.id));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, 200, &c, json_pack("{s:o}", "flag", f));
}

/* ---- stores and stock checks ---- */

/* What the register holds per store: {store: {stored, inspected, in_transit_to}}. */
static json_t *inventory(truce_t *t)
{
    json_t *out = json_object();
    const char *id;
    json_t *w;
    json_object_foreach(DS(t)->weapons, id, w)
    {
        const char *st = rec_str(w, "status");
        const char *store = !strcmp(st, "in_transit") ? rec_str(json_object_get(w, "pending"), "to_store") : rec_str(w, "store");
        if (!store || (strcmp(st, "stored") && strcmp(st, "inspected") && strcmp(st, "in_transit"))) continue;
        json_t *row = json_object_get(out, store);
        if (!row) {
            row = json_pack("{s:i, s:i, s:i}", "stored", 0, "inspected", 0, "in_transit_to", 0);
            json_object_set_new(out, store, row);
        }
        const char *k = !strcmp(st, "in_transit") ? "in_transit_to" : st;
        json_object_set_new(row, k, json_integer(json_integer_value(json_object_get(row, k)) + 1));
    }
    return out;
}

int h_ddr_stores_list(req_t *r)
{
    json_t *out = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *inv = inventory(r->t);
    const char *id;
    json_t *s;
    json_object_foreach(DS(r->t)->stores, id, s)
    {
        if (!auth_may_see(&r->who, json_object_get(s, "_labels"))) continue;
        json_t *o = pub(s);
        json_t *row = json_object_get(inv, id);
        json_object_set_new(o, "holding", row ? json_incref(row) : json_pack("{s:i, s:i, s:i}", "stored", 0, "inspected", 0, "in_transit_to", 0));
        json_array_append_new(out, o);
    }
    json_decref(inv);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", "stores", out));
}

int h_ddr_store_get(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *s = json_object_get(DS(r->t)->stores, r->params[0]);
    json_t *o = NULL;
    if (s && auth_may_see(&r->who, json_object_get(s, "_labels"))) {
        o = pub(s);
        json_t *held = json_array();
        const char *id;
        json_t *w;
        json_object_foreach(DS(r->t)->weapons, id, w)
        {
            const char *st = rec_str(w, "status");
            if (rec_str(w, "store") && !strcmp(rec_str(w, "store"), r->params[0]) && (!strcmp(st, "stored") || !strcmp(st, "inspected")))
                json_array_append_new(held, json_string(id));
        }
        json_object_set_new(o, "weapons", held);
        json_object_set_new(o, "check_records", records_of(r->t, DS(r->t)->checks, json_object_get(s, "checks"), &r->who));
    }
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no store %s that you may see", r->params[0]);
    return reply_json(r, 200, o);
}

int h_ddr_stores_add(req_t *r)
{
    return simple_op(r, ddr__prepare_store, 201);
}

int h_ddr_stock_check(req_t *r)
{
    if (!json_object_get(r->json, "counted") && !json_object_get(r->json, "counted_serials"))
        return reply_error(r, E_MISSING_FIELD, "counted", "give counted (weapon ids), counted_serials, or both (empty for an empty store)");
    ddr_op_t op = {.id = r->params[0], .in = r->json, .flags = json_array()};
    cmd_t c = {.who = &r->who, .prepare = ddr__prepare_check, .arg = &op};
    int rc;
    if (log_submit(r->t, &c)) {
        rc = reply_err(r, &c.err);
    } else {
        pthread_rwlock_rdlock(&r->t->lock);
        json_t *extra = json_pack("{s:o, s:o}", "check", pub(json_object_get(DS(r->t)->checks, c.result_id)), "flags",
                                  records_of(r->t, DS(r->t)->flags, op.flags, &r->who));
        pthread_rwlock_unlock(&r->t->lock);
        rc = reply_written(r, 201, &c, extra);
    }
    json_decref(op.flags);
    return rc;
}

/* ---- figures ---- */

static int in_range(int64_t t, int64_t from, int64_t until)
{
    return t >= from && t < until;
}

json_t *ddr_sitrep_figures(truce_t *t, int64_t from_ms, int64_t until_ms)
{
    ddr_state_t *s = DS(t);
    json_int_t people = 0, eligible = 0, weapons = 0, destroyed = 0, rounds = 0, npay = 0, raised = 0, open = 0;
    double amount = 0;
    const char *id;
    json_t *x;
    json_object_foreach(s->people, id, x) if (in_range(rec_time(x, "registered_at"), from_ms, until_ms))
    {
        people++;
        eligible += json_is_true(json_object_get(json_object_get(x, "eligibility"), "eligible"));
        rounds += json_integer_value(json_object_get(x, "rounds"));
    }
    json_object_foreach(s->caches, id, x) if (in_range(rec_time(x, "registered_at"), from_ms, until_ms))
        rounds += json_integer_value(json_object_get(x, "rounds"));
    json_object_foreach(s->weapons, id, x)
    {
        if (in_range(rec_time(x, "registered_at"), from_ms, until_ms)) weapons++;
        if (!strcmp(rec_str(x, "status"), "destroyed") && in_range(rec_time(x, "closed_at"), from_ms, until_ms)) destroyed++;
    }
    json_object_foreach(s->payments, id, x) if (in_range(rec_time(x, "recorded_at"), from_ms, until_ms))
    {
        npay++;
        amount += json_number_value(json_object_get(x, "amount"));
    }
    json_object_foreach(s->flags, id, x)
    {
        /* open at the period's end: raised before it, not yet reviewed then */
        int64_t raised_at = rec_time(x, "raised_at");
        json_t *first = json_array_get(json_object_get(x, "reviews"), 0);
        raised += in_range(raised_at, from_ms, until_ms);
        open += raised_at < until_ms && (!first || rec_time(first, "at") >= until_ms);
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:{s:I, s:f, s:s}, s:{s:I, s:I}}", "people_registered", people,
                     "people_eligible", eligible, "weapons_collected", weapons, "weapons_destroyed", destroyed,
                     "ammunition_rounds", rounds, "payments", "count", npay, "amount", round(amount * 100) / 100,
                     "currency", ddr__rule_str(t, "allowance", "currency", "USD"), "flags", "raised", raised, "open", open);
}

static void bump(json_t *o, const char *k, double by)
{
    if (!k) k = "unknown";
    json_t *v = json_object_get(o, k);
    json_object_set_new(o, k, json_real(round(((v ? json_number_value(v) : 0) + by) * 100) / 100));
}

/* The Monday of the week of ms by the mission's calendar (local days, as
 * the SITREP's), as YYYY-MM-DD. */
static void week_of(truce_t *t, int64_t ms, char out[32])
{
    int32_t day = mission_day(t, ms);
    int32_t dow = ((day % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday */
    tz_date_format(day - dow, out);
}

/* The programme dashboard: the SITREP figures over ?from..?until (default:
 * all time) and breakdowns by week, weapon type and status, sector (people
 * and weapons; a cache's weapons without a site count as "unknown"), payment method,
 * reintegration option and flag rule. */
int h_ddr_figures(req_t *r)
{
    int64_t from = 0, until = INT64_MAX;
    int present;
    if (req_query_time(r, "from", &from, &present) || req_query_time(r, "until", &until, &present)) return -1;
    if (!req_query(r, "from")) from = INT64_MIN;
    if (!req_query(r, "until")) until = INT64_MAX;
    pthread_rwlock_rdlock(&r->t->lock);
    ddr_state_t *s = DS(r->t);
    json_t *fig = ddr_sitrep_figures(r->t, from, until);
    json_t *weeks = json_object(), *types = json_object(), *sectors = json_object(), *methods = json_object(),
           *options = json_object(), *rules = json_object(), *wstatus = json_object(), *wsectors = json_object();
    const char *id;
    json_t *x;
    char wk[32];
    json_object_foreach(s->people, id, x)
    {
        int64_t at = rec_time(x, "registered_at");
        if (!in_range(at, from, until)) continue;
        week_of(r->t, at, wk);
        json_t *row = json_object_get(weeks, wk);
        if (!row) json_object_set_new(weeks, wk, row = json_pack("{s:i, s:i}", "people", 0, "weapons", 0));
        json_object_set_new(row, "people", json_integer(json_integer_value(json_object_get(row, "people")) + 1));
        bump(sectors, rec_str(json_object_get(s->sites, rec_str(x, "site")), "sector"), 1);
        if (json_object_get(x, "reintegration")) bump(options, rec_str(json_object_get(x, "reintegration"), "option"), 1);
    }
    json_object_foreach(s->weapons, id, x)
    {
        int64_t at = rec_time(x, "registered_at");
        if (!in_range(at, from, until)) continue;
        week_of(r->t, at, wk);
        json_t *row = json_object_get(weeks, wk);
        if (!row) json_object_set_new(weeks, wk, row = json_pack("{s:i, s:i}", "people", 0, "weapons", 0));
        json_object_set_new(row, "weapons", json_integer(json_integer_value(json_object_get(row, "weapons")) + 1));
        bump(types, rec_str(x, "type"), 1);
        bump(wstatus, rec_str(x, "status"), 1);
        bump(wsectors, rec_str(json_object_get(s->sites, rec_str(x, "site")), "sector"), 1);
    }
    json_object_foreach(s->payments, id, x) if (in_range(rec_time(x, "recorded_at"), from, until))
        bump(methods, rec_str(x, "method"), json_number_value(json_object_get(x, "amount")));
    json_object_foreach(s->flags, id, x) if (in_range(rec_time(x, "raised_at"), from, until)) bump(rules, rec_str(x, "rule"), 1);
    pthread_rwlock_unlock(&r->t->lock);
    json_t *wl = json_array();
    const char **keys = calloc(json_object_size(weeks) + 1, sizeof *keys);
    size_t n = 0;
    json_object_foreach(weeks, id, x) keys[n++] = id;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *tmp = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = tmp;
        }
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_deep_copy(json_object_get(weeks, keys[i]));
        json_object_set_new(row, "week", json_string(keys[i]));
        json_array_append_new(wl, row);
    }
    free(keys);
    json_decref(weeks);
    json_object_set_new(fig, "by_week", wl);
    json_object_set_new(fig, "weapons_by_type", types);
    json_object_set_new(fig, "weapons_by_status", wstatus);
    json_object_set_new(fig, "people_by_sector", sectors);
    json_object_set_new(fig, "weapons_by_sector", wsectors);
    json_object_set_new(fig, "payments_by_method", methods);
    json_object_set_new(fig, "reintegration", options);
    json_object_set_new(fig, "flags_by_rule", rules);
    return reply_json(r, 200, fig);
}

/* ---- input ---- */

const field_t ddr_weapon_fields[] = {
    {"type", F_ENUM, 1, 0, 0, 0, ddr_weapon_types, "weapon type"},
    {"make", F_STR, 0, 0, 0, 80, NULL, "maker"},
    {"model", F_STR, 0, 0, 0, 80, NULL, "model"},
    {"calibre", F_STR, 0, 0, 0, 40, NULL, "calibre, e.g. 7.62x39mm"},
    {"serial", F_STR, 0, 0, 0, 64, NULL, "serial number as read off the weapon ('unknown' when there is none)"},
    {"country", F_STR, 0, 0, 0, 80, NULL, "country of manufacture"},
    {"markings", F_STR, 0, 0, 0, 400, NULL, "other markings"},
    {"condition", F_ENUM, 1, 0, 0, 0, ddr_conditions, "serviceable, repairable, unserviceable"},
    {"photo_ref", F_STR, 0, 0, 0, 200, NULL, "reference of the weapon's photo"},
    {"note", F_STR, 0, 0, 0, 1000, NULL, "note"},
    {NULL},
};

const field_t ddr_ammo_fields[] = {
    {"calibre", F_STR, 1, 1, 0, 40, NULL, "calibre"},
    {"count", F_INT, 1, 0, 1000000, 0, NULL, "rounds"},
    {NULL},
};

const field_t ddr_person_fields[] = {
    {"site", F_ID, 1, 0, 0, 48, NULL, "the disarmament site (DDR-SITE-...)"},
    {"name_ar", F_STR, 1, 1, 0, 200, NULL, "full name in Arabic (personal)"},
    {"name_latin", F_STR, 1, 1, 0, 200, NULL, "full name in Latin letters (personal)"},
    {"date_of_birth", F_STR, 1, 10, 0, 10, NULL, "YYYY-MM-DD (personal)"},
    {"id_number", F_STR, 0, 1, 0, 40, NULL, "ID document number (personal)"},
    {"household_size", F_INT, 0, 1, 50, 0, NULL, "people in the household (personal)"},
    {"photo_ref", F_STR, 0, 0, 0, 200, NULL, "reference of the photo (personal)"},
    {"phone", F_STR, 0, 0, 0, 40, NULL, "phone (personal)"},
    {"affiliation", F_STR, 0, 0, 0, 200, NULL, "declared affiliation (personal)"},
    {"declared_role", F_STR, 0, 0, 0, 200, NULL, "declared role in the group (personal)"},
    {"screening", F_ENUM, 1, 0, 0, 0, ddr_screening, "screening result: passed, failed, pending"},
    {"weapons", F_ARRAY, 0, 0, 50, 0, NULL, "weapons handed in: [{type, make, model, calibre, serial, country, markings, condition, photo_ref, note}]"},
    {"ammunition", F_ARRAY, 0, 0, 50, 0, NULL, "ammunition handed in: [{calibre, count}]"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, "exercise data"},
    {NULL},
};

const field_t ddr_custody_fields[] = {
    {"step", F_ENUM, 1, 0, 0, 0, ddr_custody_steps, "dispatch, accept, reject, inspect, destroy, transfer"},
    {"to_user", F_ID, 0, 0, 0, 64, NULL, "dispatch: the receiving user"},
    {"to_store", F_ID, 0, 0, 0, 48, NULL, "dispatch: the store it goes to (DDR-STORE-...)"},
    {"condition", F_ENUM, 0, 0, 0, 0, ddr_conditions, "inspect: condition found"},
    {"method", F_ENUM, 0, 0, 0, 0, ddr_destroy_methods, "destroy: method"},
    {"date", F_TIME, 0, 0, 0, 0, NULL, "destroy: when (default now)"},
    {"witnesses", F_TEXTLIST, 0, 0, 10, 200, NULL, "destroy: witnesses (names and posts of officials)"},
    {"to", F_STR, 0, 1, 0, 200, NULL, "transfer: to whom"},
    {"authority", F_STR, 0, 1, 0, 400, NULL, "transfer: under what authority"},
    {"note", F_STR, 0, 1, 0, 1000, NULL, "note (required to reject)"},
    {NULL},
};

const field_t ddr_cache_fields[] = {
    {"task", F_ID, 1, 0, 0, 32, NULL, "the ISF task that seized it (TSK-n)"},
    {"site", F_ID, 0, 0, 0, 48, NULL, "DDR site it is brought to, if any"},
    {"location", F_GEOJSON, 0, 0, 0, 0, NULL, "where it was found (GeoJSON Point)"},
    {"weapons", F_ARRAY, 0, 0, 500, 0, NULL, "weapons, as in a registration"},
    {"ammunition", F_ARRAY, 0, 0, 100, 0, NULL, "ammunition: [{calibre, count}]"},
    {"note", F_STR, 0, 0, 0, 2000, NULL, "note"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, "exercise data"},
    {NULL},
};

const field_t ddr_payment_fields[] = {
    {"person", F_ID, 1, 0, 0, 32, NULL, "DDR-P-n"},
    {"amount", F_NUM, 1, 0.01, 1000000, 0, NULL, "amount"},
    {"currency", F_ID, 0, 0, 0, 8, NULL, "currency (default: the scenario's)"},
    {"date", F_TIME, 0, 0, 0, 0, NULL, "when it was paid (default now)"},
    {"method", F_ENUM, 1, 0, 0, 0, ddr_pay_methods, "cash, mobile_money, bank_transfer, voucher"},
    {"instalment", F_INT, 0, 1, 120, 0, NULL, "instalment number"},
    {"reference", F_STR, 0, 0, 0, 100, NULL, "receipt or transaction reference"},
    {NULL},
};

static const char *const decisions[] = {"cleared", "confirmed", NULL};
const field_t ddr_review_fields[] = {
    {"decision", F_ENUM, 1, 0, 0, 0, decisions, "cleared (no fraud) or confirmed"},
    {"note", F_STR, 1, 1, 0, 2000, NULL, "the reviewer's reasons"},
    {NULL},
};

const field_t ddr_store_fields[] = {
    {"id", F_ID, 1, 0, 0, 48, NULL, "DDR-STORE-..."},
    {"name", F_I18N, 1, 0, 0, 200, NULL, "name in English and Arabic"},
    {"site", F_ID, 0, 0, 0, 48, NULL, "the site it belongs to"},
    {"location_text", F_STR, 0, 0, 0, 400, NULL, "where it is"},
    {"location", F_GEOJSON, 0, 0, 0, 0, NULL, "GeoJSON Point"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, "exercise data"},
    {NULL},
};

const field_t ddr_check_fields[] = {
    {"counted", F_IDLIST, 0, 0, 20000, 32, NULL, "weapon ids counted in the store"},
    {"counted_serials", F_TEXTLIST, 0, 0, 20000, 64, NULL, "or serials read off the weapons counted"},
    {"note", F_STR, 0, 0, 0, 2000, NULL, "note"},
    {NULL},
};

const field_t ddr_reintegration_fields[] = {
    {"option", F_ENUM, 1, 0, 0, 0, ddr_options, "vocational_training, education, agriculture, small_business, public_works"},
    {"partner", F_STR, 0, 0, 0, 200, NULL, "implementing partner"},
    {"start", F_TIME, 0, 0, 0, 0, NULL, "start"},
    {NULL},
};

static const char *const screening_later[] = {"passed", "failed", NULL};
const field_t ddr_screening_fields[] = {
    {"screening", F_ENUM, 1, 0, 0, 0, screening_later, "the screening result: passed or failed"},
    {"note", F_STR, 0, 1, 0, 1000, NULL, "note (no personal data)"},
    {NULL},
};

const field_t ddr_followup_fields[] = {
    {"date", F_TIME, 1, 0, 0, 0, NULL, "when the visit took place"},
    {"outcome", F_ENUM, 1, 0, 0, 0, ddr_outcomes, "on_track, at_risk, dropped_out, not_found, rearmed_suspected"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "what was found (personal: sealed, DDR officers only)"},
    {NULL},
};

/* ---- what other modules read (registered at start, ddr.c) ---- */

/* Gate metric ddr_weapons_collected: weapons entering the register at the
 * sector's disarmament sites over the period (from == until: up to then). */
int ddr_metric_weapons(truce_t *t, const char *sector, int64_t from_ms, int64_t until_ms, double *value, json_t *evidence)
{
    ddr_state_t *s = DS(t);
    int64_t from = from_ms == until_ms ? INT64_MIN : from_ms;
    long n = 0, sites = 0;
    const char *id;
    json_t *x;
    json_object_foreach(s->sites, id, x) sites += sector && rec_str(x, "sector") && !strcmp(rec_str(x, "sector"), sector);
    json_object_foreach(s->weapons, id, x)
    {
        const char *sec = rec_str(json_object_get(s->sites, rec_str(x, "site")), "sector");
        if (sec && sector && !strcmp(sec, sector) && in_range(rec_time(x, "registered_at"), from, until_ms + 1)) n++;
    }
    *value = (double)n;
    json_object_set_new(evidence, "weapons", json_integer(n));
    json_object_set_new(evidence, "sites_in_sector", json_integer(sites));
    return 0;
}

/* Vetting check ddr_register: the candidate's ID number, or a close Latin
 * name with the same date of birth, among the people of the DDR register.
 * The reason names the DDR record (pseudonymous), never the person's data. */
int ddr_vetting_check(truce_t *t, const json_t *person, json_t *result)
{
    ddr_state_t *s = DS(t);
    char norm[256];
    json_t *refs = json_array();
    const char *why = NULL;
    size_t i;
    json_t *x;
    if (rec_str(person, "id_number") && ddr_idnum_norm(rec_str(person, "id_number"), norm, sizeof norm))
        json_array_foreach(json_object_get(s->by_idnum, norm), i, x)
        {
            json_array_append(refs, x);
            why = "the ID number is in the DDR register";
        }
    double th = ddr__rule(t, "anomaly", "name_similarity", 0.9);
    char dob[11] = "";
    if (rec_str(person, "date_of_birth")) snprintf(dob, sizeof dob, "%s", rec_str(person, "date_of_birth")); /* a date or a time */
    if (!why && rec_str(person, "name_en") && *dob) {
        ddr_name_norm(rec_str(person, "name_en"), norm, sizeof norm);
        json_array_foreach(json_object_get(s->by_dob, dob), i, x)
            if (ddr_name_score(norm, json_string_value(json_array_get(x, 1))) >= th)
            {
                json_array_append(refs, json_array_get(x, 0));
                why = "a close name with the same date of birth is in the DDR register";
            }
    }
    if (why) json_object_set_new(result, "refs", refs);
    else json_decref(refs);
    json_object_set_new(result, "status", json_string(why ? "flag" : "clear"));
    json_object_set_new(result, "reason", json_string(why ? why : "not in the DDR register"));
    return 0;
}
