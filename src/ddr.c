/*
 * ddr.c — see ddr.h. The state, the sealing of personal data, the events
 * and their apply functions, the module's snapshot, and the commands with
 * every fraud and anomaly rule. Commands run on the writer thread against
 * the current state, so two registrations of one ID number cannot both pass
 * unflagged. Flags are events (ddr.flag.raised / ddr.flag.reviewed): they
 * never change or delete what they point at.
 *
 * Records are jansson objects keyed by id; members starting with "_" are
 * private (labels, the sealed personal data). The indexes in ddr_state_t
 * are derived and rebuilt by reindex() after a snapshot load.
 */
#include "ddr_int.h"
#include "psf.h"
#include "transition.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "auth.h"
#include "incident.h"
#include "isf.h"
#include "log.h"
#include "org.h"
#include "record.h"
#include "tz.h"

const char *const ddr_weapon_types[] = {"pistol", "rifle", "assault_rifle", "machine_gun", "sniper_rifle", "shotgun",
                                        "submachine_gun", "rocket_launcher", "mortar", "grenade", "explosive",
                                        "ied_component", "other", NULL};
const char *const ddr_conditions[] = {"serviceable", "repairable", "unserviceable", NULL};
const char *const ddr_custody_steps[] = {"dispatch", "accept", "reject", "inspect", "destroy", "transfer", NULL};
const char *const ddr_destroy_methods[] = {"cutting", "crushing", "smelting", "burning", "detonation", "other", NULL};
const char *const ddr_pay_methods[] = {"cash", "mobile_money", "bank_transfer", "voucher", NULL};
const char *const ddr_options[] = {"vocational_training", "education", "agriculture", "small_business", "public_works",
                                   NULL};
const char *const ddr_outcomes[] = {"on_track", "at_risk", "dropped_out", "not_found", "rearmed_suspected", NULL};
const char *const ddr_screening[] = {"passed", "failed", "pending", NULL};
const char *const ddr_weapon_states[] = {"collected", "in_transit", "stored", "inspected", "destroyed", "transferred",
                                         NULL};
const char *const ddr_flag_rules[] = {"duplicate_serial", "weapon_reregistered", "duplicate_id_number",
                                      "possible_same_person", "payment_beyond_entitlement", "registration_spike",
                                      "stock_difference", NULL};

/* ---- labels ---- */

json_t *ddr__public_labels(truce_t *t)
{
    json_t *l = json_pack("[s,s,s]", "role:ddr_officer", "role:leadership", "role:cmcc_commander");
    json_t *v = labels_intern(DS(t)->labelsets, l);
    json_decref(l);
    return v;
}

static json_t *officer_labels(void)
{
    return json_pack("[s]", "role:ddr_officer");
}

/* Public labels plus ISF HQ and the seizing organisation (caches). New ref. */
static json_t *cache_labels(truce_t *t, const char *org)
{
    json_t *l = json_deep_copy(ddr__public_labels(t));
    json_array_append_new(l, json_string("org:ISF-HQ"));
    if (org && strcmp(org, "ISF-HQ")) {
        char own[80];
        snprintf(own, sizeof own, "org:%s", org);
        json_array_append_new(l, json_string(own));
    }
    return l;
}

/* ---- the key and sealing ---- */

/* Loads DATA/ddr.key, or makes it (0600) the first time. */
static int key_ready(truce_t *t)
{
    ddr_state_t *s = DS(t);
    pthread_mutex_lock(&s->key_mu);
    if (!s->have_key && t->dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/ddr.key", t->dir);
        size_t n = 0;
        char *hex = file_read(path, &n);
        if (hex && n >= 64) hex[64] = 0; /* the file ends with a newline */
        if (hex && n >= 64 && hex_decode(hex, s->key, 32) == 0) {
            s->have_key = 1;
        } else if (!hex) {
            char out[66];
            randombytes_buf(s->key, 32);
            hex_encode(s->key, 32, out);
            out[64] = '\n';
            if (file_write(path, out, 65, 0600) == 0) s->have_key = 1;
            sodium_memzero(out, sizeof out);
        }
        if (hex) sodium_memzero(hex, n);
        free(hex);
    }
    int ok = s->have_key;
    pthread_mutex_unlock(&s->key_mu);
    return ok ? 0 : -1;
}

json_t *ddr__seal(truce_t *t, const char *id, const json_t *data)
{
    if (key_ready(t)) return NULL;
    char *plain = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    if (!plain) return NULL;
    size_t pl = strlen(plain);
    size_t cl = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + pl + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *ct = malloc(cl);
    json_t *out = NULL;
    if (ct) {
        randombytes_buf(ct, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
        unsigned long long clen = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(ct + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
                                                   (const unsigned char *)plain, pl, (const unsigned char *)id,
                                                   strlen(id), NULL, ct, DS(t)->key);
        size_t bl = sodium_base64_ENCODED_LEN(cl, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(bl);
        if (b64) {
            sodium_bin2base64(b64, bl, ct, cl, sodium_base64_VARIANT_ORIGINAL);
            out = json_string(b64);
            free(b64);
        }
        free(ct);
    }
    sodium_memzero(plain, pl);
    free(plain);
    return out;
}

json_t *ddr__open(truce_t *t, const char *id, const char *sealed)
{
    if (!sealed || key_ready(t)) return NULL;
    size_t sl = strlen(sealed), bl = 0;
    unsigned char *bin = malloc(sl + 1);
    if (!bin) return NULL;
    json_t *out = NULL;
    if (sodium_base642bin(bin, sl + 1, sealed, sl, NULL, &bl, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
        bl > crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        size_t cl = bl - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
        unsigned char *plain = malloc(cl + 1);
        unsigned long long pl = 0;
        if (plain && crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &pl, NULL, bin + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                                cl, (const unsigned char *)id, strlen(id), bin,
                                                                DS(t)->key) == 0)
            out = json_loadb((const char *)plain, (size_t)pl, 0, NULL);
        if (plain) {
            sodium_memzero(plain, cl + 1);
            free(plain);
        }
    }
    free(bin);
    return out;
}

/* ---- rules ---- */

double ddr__rule(truce_t *t, const char *section, const char *key, double def)
{
    json_t *v = json_object_get(json_object_get(DS(t)->rules, section), key);
    return json_is_number(v) ? json_number_value(v) : json_is_boolean(v) ? json_is_true(v) : def;
}

const char *ddr__rule_str(truce_t *t, const char *section, const char *key, const char *def)
{
    const char *v = rec_str(json_object_get(DS(t)->rules, section), key);
    return v ? v : def;
}

/* ---- indexes ---- */

static void index_add(json_t *idx, const char *key, json_t *entry)
{
    json_t *a = json_object_get(idx, key);
    if (!a) {
        a = json_array();
        json_object_set_new(idx, key, a);
    }
    json_array_append_new(a, entry);
}

static void count_add(json_t *daily, const char *kind, const char *who, int64_t day)
{
    char key[160];
    snprintf(key, sizeof key, "%s:%s:%lld", kind, who, (long long)day);
    json_t *v = json_object_get(daily, key);
    if (v) json_integer_set(v, json_integer_value(v) + 1);
    else json_object_set_new(daily, key, json_integer(1));
}

static json_int_t count_get(json_t *daily, const char *kind, const char *who, int64_t day)
{
    char key[160];
    snprintf(key, sizeof key, "%s:%s:%lld", kind, who, (long long)day);
    return json_integer_value(json_object_get(daily, key));
}

/* Indexes a person's personal data (decrypted from its detail event). */
static void index_person(truce_t *t, const char *pid, const json_t *d)
{
    ddr_state_t *s = DS(t);
    char norm[256], ar[512];
    const char *idn = rec_str(d, "id_number");
    if (idn && ddr_idnum_norm(idn, norm, sizeof norm)) index_add(s->by_idnum, norm, json_string(pid));
    const char *dob = rec_str(d, "date_of_birth");
    if (dob) {
        ddr_name_norm(rec_str(d, "name_latin"), norm, sizeof norm);
        ddr_arabic_norm(rec_str(d, "name_ar"), ar, sizeof ar);
        index_add(s->by_dob, dob, json_pack("[s,s,s]", pid, norm, ar));
    }
}

static void index_weapon(truce_t *t, const char *wid, const json_t *w)
{
    const char *sn = rec_str(w, "serial_norm");
    if (sn && *sn) index_add(DS(t)->by_serial, sn, json_string(wid));
}

static void count_person(truce_t *t, const json_t *p)
{
    int64_t day = ddr__day(rec_time(p, "registered_at"));
    count_add(DS(t)->daily, "s", rec_str(p, "site"), day);
    count_add(DS(t)->daily, "o", rec_str(p, "registered_by"), day);
}

/* Rebuilds every derived index from the records (after a snapshot load). */
static void reindex(truce_t *t)
{
    ddr_state_t *s = DS(t);
    json_object_clear(s->by_serial);
    json_object_clear(s->by_idnum);
    json_object_clear(s->by_dob);
    json_object_clear(s->daily);
    json_object_clear(s->spiked);
    const char *id;
    json_t *r;
    json_object_foreach(s->weapons, id, r) index_weapon(t, id, r);
    json_object_foreach(s->people, id, r)
    {
        count_person(t, r);
        json_t *d = ddr__open(t, id, rec_str(r, "_sealed"));
        if (d) index_person(t, id, d);
        json_decref(d);
    }
    json_object_foreach(s->flags, id, r) if (rec_str(r, "key")) json_object_set_new(s->spiked, rec_str(r, "key"), json_true());
}

/* ---- apply ---- */

static void stamp(json_t *rec, const event_t *ev, const char *by, const char *at)
{
    json_object_set_new(rec, by, json_string(ev->actor));
    rec_set_time(rec, at, ev->time);
}

static json_t *new_rec(truce_t *t, const event_t *ev)
{
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set(rec, "_labels", labels_intern(DS(t)->labelsets, ev->labels));
    return rec;
}

static void apply_rules(truce_t *t, const event_t *ev)
{
    json_decref(DS(t)->rules);
    DS(t)->rules = json_deep_copy(ev->body);
}

static void apply_site(truce_t *t, const event_t *ev)
{
    json_object_set_new(DS(t)->sites, ev->subject, new_rec(t, ev));
}

static void apply_store(truce_t *t, const event_t *ev)
{
    json_t *rec = new_rec(t, ev);
    stamp(rec, ev, "added_by", "added_at");
    json_object_set_new(rec, "checks", json_array());
    json_object_set_new(DS(t)->stores, ev->subject, rec);
}

static void add_flag_ref(json_t *rec, const char *flag)
{
    if (!rec) return;
    json_t *a = json_object_get(rec, "flags");
    if (!a) {
        a = json_array();
        json_object_set_new(rec, "flags", a);
    }
    json_array_append_new(a, json_string(flag));
}

static void apply_person(truce_t *t, const event_t *ev)
{
    ddr_state_t *s = DS(t);
    json_t *rec = new_rec(t, ev);
    stamp(rec, ev, "registered_by", "registered_at");
    json_object_set_new(rec, "payments", json_array());
    json_object_set_new(rec, "paid", json_integer(0));
    json_object_set_new(rec, "followups", json_array());
    json_object_set_new(rec, "flags", json_array());
    json_object_set_new(rec, "access_log", json_array());
    json_object_set_new(s->people, ev->subject, rec);
    count_person(t, rec);
    uint64_t n = rec_id_num(ev->subject, "DDR-P-");
    if (n > s->last_person) s->last_person = n;
}

static void apply_screened(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(DS(t)->people, ev->subject);
    if (!rec) return;
    const char *keys[] = {"screening", "eligibility", "entitlement"};
    for (int k = 0; k < 3; k++) json_object_set(rec, keys[k], json_object_get(ev->body, keys[k]));
}

static void apply_person_detail(truce_t *t, const event_t *ev)
{
    json_t *rec = json_object_get(DS(t)->people, ev->subject);
    const char *sealed = rec_str(ev->body, "sealed");
    if (!rec || !sealed) return;
    json_object_set_new(rec, "_sealed", json_string(sealed));
    json_t *d = ddr__open(t, ev->subject, sealed);
    if (d) index_person(t, ev->subject, d);
    json_decref(d);
}

static void apply_weapon(truce_t *t, const event_t *ev)
{
    ddr_state_t *s = DS(t);
    json_t *rec = new_rec(t, ev);
    stamp(rec, ev, "registered_by", "registered_at");
    json_object_set_new(rec, "status", json_string("collected"));
    json_object_set_new(rec, "holder", json_string(ev->actor));
    char at[32];
    time_format(ev->time, at);
    json_object_set_new(rec, "custody", json_pack("[{s:s, s:s, s:s, s:I}]", "step", "collect", "at", at, "by", ev->actor,
                                                  "seq", (json_int_t)ev->seq));
    json_object_set_new(rec, "flags", json_array());
    json_object_set_new(s->weapons, ev->subject, rec);
    index_weapon(t, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "DDR-W-");
    if (n > s->last_weapon) s->last_weapon = n;
}

static void apply_cache(truce_t *t, const event_t *ev)
{
    json_t *rec = new_rec(t, ev);
    stamp(rec, ev, "registered_by", "registered_at");
    json_object_set_new(DS(t)->caches, ev->subject, rec);
    uint64_t n = rec_id_num(ev->subject, "DDR-CACHE-");
    if (n > DS(t)->last_cache) DS(t)->last_cache = n;
}

/* A custody step: the body says the step and the new status; the record
 * keeps the whole chain. */
static void apply_custody(truce_t *t, const event_t *ev)
{
    json_t *w = json_object_get(DS(t)->weapons, ev->subject);
    if (!w) return;
    const char *step = rec_str(ev->body, "step"), *status = rec_str(ev->body, "status");
    char at[32];
    time_format(ev->time, at);
    json_t *row = json_deep_copy(ev->body);
    json_object_set_new(row, "at", json_string(at));
    json_object_set_new(row, "by", json_string(ev->actor));
    json_object_set_new(row, "seq", json_integer((json_int_t)ev->seq));
    json_array_append_new(json_object_get(w, "custody"), row);
    if (status) json_object_set_new(w, "status", json_string(status));
    if (!strcmp(step, "dispatch")) {
        json_object_set_new(w, "pending", json_pack("{s:O, s:O, s:s, s:s, s:s}", "to_user", json_object_get(ev->body, "to_user"),
                                                    "to_store", json_object_get(ev->body, "to_store"), "from_user", ev->actor,
                                                    "from_status", rec_str(ev->body, "from_status"), "since", at));
    } else if (!strcmp(step, "accept")) {
        json_object_set(w, "store", json_object_get(json_object_get(w, "pending"), "to_store"));
        json_object_set_new(w, "holder", json_string(ev->actor));
        json_object_del(w, "pending");
    } else if (!strcmp(step, "reject")) {
        json_object_del(w, "pending");
    } else if (!strcmp(step, "inspect")) {
        if (rec_str(ev->body, "condition")) json_object_set(w, "condition", json_object_get(ev->body, "condition"));
    } else if (!strcmp(step, "destroy") || !strcmp(step, "transfer")) {
        json_object_set_new(w, "closed_at", json_string(at));
    }
}

static void apply_check(truce_t *t, const event_t *ev)
{
    ddr_state_t *s = DS(t);
    json_t *rec = new_rec(t, ev);
    stamp(rec, ev, "checked_by", "checked_at");
    json_object_set_new(s->checks, ev->subject, rec);
    json_t *st = json_object_get(s->stores, rec_str(ev->body, "store"));
    if (st) json_array_append_new(json_object_get(st, "checks"), json_string(ev->subject));
    uint64_t n = rec_id_num(ev->subject, "DDR-SC-");
    if (n > s->last_check) s->last_check = n;
}

static void apply_payment(truce_t *t, const event_t *ev)
{
    ddr_state_t *s = DS(t);
    json_t *rec = new_rec(t, ev);
    json_object_set_new(rec, "paying_officer", json_string(ev->actor));
    rec_set_time(rec, "recorded_at", ev->time);
    json_object_set_new(rec, "flags", json_array());
    json_object_set_new(s->payments, ev->subject, rec);
    json_t *p = json_object_get(s->people, rec_str(ev->body, "person"));
    if (p) {
        json_array_append_new(json_object_get(p, "payments"), json_string(ev->subject));
        double paid = json_number_value(json_object_get(p, "paid")) + json_number_value(json_object_get(ev->body, "amount"));
        json_object_set_new(p, "paid", json_real(round(paid * 100) / 100));
    }
    uint64_t n = rec_id_num(ev->subject, "DDR-PAY-");
    if (n > s->last_payment) s->last_payment = n;
}

static void apply_reintegration(truce_t *t, const event_t *ev)
{
    json_t *p = json_object_get(DS(t)->people, ev->subject);
    if (!p) return;
    json_t *r = json_deep_copy(ev->body);
    stamp(r, ev, "recorded_by", "recorded_at");
    json_object_set_new(p, "reintegration", r);
}

static void apply_followup(truce_t *t, const event_t *ev)
{
    json_t *p = json_object_get(DS(t)->people, ev->subject);
    if (!p) return;
    json_t *r = json_deep_copy(ev->body);
    stamp(r, ev, "by", "recorded_at");
    json_object_set_new(r, "seq", json_integer((json_int_t)ev->seq));
    json_array_append_new(json_object_get(p, "followups"), r);
}

/* A follow-up's sealed note goes beside the visit it belongs to (the last one). */
static void apply_followup_detail(truce_t *t, const event_t *ev)
{
    json_t *p = json_object_get(DS(t)->people, ev->subject);
    json_t *fu = json_object_get(p, "followups");
    json_t *last = json_array_get(fu, json_array_size(fu) ? json_array_size(fu) - 1 : 0);
    if (last && rec_str(ev->body, "sealed")) json_object_set(last, "_sealed", json_object_get(ev->body, "sealed"));
}

/* What a flag points at: a person, weapon, payment, store or site. */
static json_t *flag_target(truce_t *t, const char *id)
{
    ddr_state_t *s = DS(t);
    json_t *colls[] = {s->people, s->weapons, s->payments, s->stores, s->sites};
    for (size_t i = 0; id && i < sizeof colls / sizeof colls[0]; i++) {
        json_t *r = json_object_get(colls[i], id);
        if (r) return r;
    }
    return NULL;
}

static void apply_flag(truce_t *t, const event_t *ev)
{
    ddr_state_t *s = DS(t);
    json_t *rec = new_rec(t, ev);
    stamp(rec, ev, "raised_by", "raised_at");
    json_object_set_new(rec, "status", json_string("open"));
    json_object_set_new(rec, "reviews", json_array());
    json_object_set_new(s->flags, ev->subject, rec);
    if (rec_str(ev->body, "key")) json_object_set_new(s->spiked, rec_str(ev->body, "key"), json_true());
    json_t *target = flag_target(t, rec_str(ev->body, "subject"));
    if (target && target != json_object_get(s->sites, rec_str(ev->body, "subject")) &&
        target != json_object_get(s->stores, rec_str(ev->body, "subject")))
        add_flag_ref(target, ev->subject);
    uint64_t n = rec_id_num(ev->subject, "DDR-F-");
    if (n > s->last_flag) s->last_flag = n;
}

static void apply_review(truce_t *t, const event_t *ev)
{
    json_t *f = json_object_get(DS(t)->flags, ev->subject);
    if (!f) return;
    json_t *r = json_deep_copy(ev->body);
    stamp(r, ev, "by", "at");
    json_array_append_new(json_object_get(f, "reviews"), r);
    json_object_set(f, "status", json_object_get(ev->body, "decision"));
}

static void apply_viewed(truce_t *t, const event_t *ev)
{
    json_t *p = json_object_get(DS(t)->people, rec_str(ev->body, "person"));
    if (!p) return;
    char at[32];
    time_format(ev->time, at);
    json_array_append_new(json_object_get(p, "access_log"),
                          json_pack("{s:s, s:s, s:O, s:I}", "by", ev->actor, "at", at, "purpose",
                                    json_object_get(ev->body, "purpose"), "seq", (json_int_t)ev->seq));
}

/* ---- the module ---- */

static int ddr_init(truce_t *t)
{
    ddr_state_t *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->rules = json_object();
    json_t **objs[] = {&s->sites, &s->stores, &s->people, &s->weapons, &s->caches, &s->payments, &s->flags, &s->checks,
                       &s->by_serial, &s->by_idnum, &s->by_dob, &s->daily, &s->spiked, &s->labelsets};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) *objs[i] = json_object();
    pthread_mutex_init(&s->key_mu, NULL);
    t->ddr = s;
    gate_metric_register("ddr_weapons_collected", ddr_metric_weapons);
    psf_vetting_check_register("ddr_register", ddr_vetting_check);
    return 0;
}

static void ddr_release(truce_t *t)
{
    ddr_state_t *s = t->ddr;
    if (!s) return;
    json_t *objs[] = {s->rules, s->sites, s->stores, s->people, s->weapons, s->caches, s->payments, s->flags, s->checks,
                      s->by_serial, s->by_idnum, s->by_dob, s->daily, s->spiked, s->labelsets};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) json_decref(objs[i]);
    pthread_mutex_destroy(&s->key_mu);
    sodium_memzero(s->key, sizeof s->key);
    free(s);
    t->ddr = NULL;
}

/* The snapshot: the collections, then the counters. */
static const snap_field_t ddr_snap[] = {
    {"sites", offsetof(ddr_state_t, sites), SNAP_OBJECT},
    {"stores", offsetof(ddr_state_t, stores), SNAP_OBJECT},
    {"people", offsetof(ddr_state_t, people), SNAP_OBJECT},
    {"weapons", offsetof(ddr_state_t, weapons), SNAP_OBJECT},
    {"caches", offsetof(ddr_state_t, caches), SNAP_OBJECT},
    {"payments", offsetof(ddr_state_t, payments), SNAP_OBJECT},
    {"flags", offsetof(ddr_state_t, flags), SNAP_OBJECT},
    {"checks", offsetof(ddr_state_t, checks), SNAP_OBJECT},
    {"last_person", offsetof(ddr_state_t, last_person), SNAP_U64},
    {"last_weapon", offsetof(ddr_state_t, last_weapon), SNAP_U64},
    {"last_cache", offsetof(ddr_state_t, last_cache), SNAP_U64},
    {"last_payment", offsetof(ddr_state_t, last_payment), SNAP_U64},
    {"last_flag", offsetof(ddr_state_t, last_flag), SNAP_U64},
    {"last_check", offsetof(ddr_state_t, last_check), SNAP_U64},
};
#define NCOLLS 8 /* the collections: the table's first members */

static json_t **coll_ptr(ddr_state_t *s, size_t i)
{
    return (json_t **)((char *)s + ddr_snap[i].off);
}

static void ddr_dump(truce_t *t, json_t *out)
{
    ddr_state_t *s = DS(t);
    json_object_set(out, "rules", s->rules);
    for (size_t i = 0; i < NCOLLS; i++) json_object_set(out, ddr_snap[i].name, *coll_ptr(s, i));
}

static int ddr_save(truce_t *t, buf_t *b)
{
    ddr_state_t *s = DS(t);
    json_t *all = rec_snap_pack(s, ddr_snap, SNAP_N(ddr_snap));
    json_object_set(all, "rules", s->rules);
    return rec_save_json(b, all);
}

/* Labels come back as copies; intern them again so records share them. */
static void reintern(truce_t *t, json_t *coll)
{
    const char *id;
    json_t *r;
    json_object_foreach(coll, id, r) if (json_object_get(r, "_labels"))
        json_object_set(r, "_labels", labels_intern(DS(t)->labelsets, json_object_get(r, "_labels")));
}

static int ddr_load(truce_t *t, const char *p, size_t n)
{
    ddr_state_t *s = DS(t);
    json_t *all = rec_snap_load(s, ddr_snap, SNAP_N(ddr_snap), p, n);
    if (!all) return -1;
    json_decref(s->rules);
    s->rules = json_incref(json_object_get(all, "rules") ? json_object_get(all, "rules") : json_object());
    for (size_t i = 0; i < NCOLLS; i++) reintern(t, *coll_ptr(s, i));
    json_decref(all);
    reindex(t);
    return 0;
}

static const kind_def_t ddr_kinds[] = {
    {"ddr.rules.set", apply_rules},
    {"ddr.site.added", apply_site},
    {"ddr.store.added", apply_store},
    {"ddr.person.registered", apply_person},
    {"ddr.person.detail", apply_person_detail},
    {"ddr.person.viewed", apply_viewed},
    {"ddr.person.screened", apply_screened},
    {"ddr.weapon.registered", apply_weapon},
    {"ddr.cache.registered", apply_cache},
    {"ddr.weapon.custody", apply_custody},
    {"ddr.stock.checked", apply_check},
    {"ddr.payment.made", apply_payment},
    {"ddr.reintegration.chosen", apply_reintegration},
    {"ddr.followup.recorded", apply_followup},
    {"ddr.followup.detail", apply_followup_detail},
    {"ddr.flag.raised", apply_flag},
    {"ddr.flag.reviewed", apply_review},
    {NULL, NULL},
};

const module_t ddr_module = {"ddr", ddr_kinds, ddr_init, ddr_release, ddr_dump, ddr_save, ddr_load};

/* ---- flags ---- */

typedef struct {
    uint64_t next;    /* the next flag number to give in this command */
    json_t *ids;      /* flag ids drafted (borrowed from the op, may be NULL) */
} flagger_t;

static int raise_flag(truce_t *t, cmd_t *c, flagger_t *f, const char *rule, const char *subject, json_t *related,
                      const char *key, err_t *e, const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* Drafts ddr.flag.raised: rule, what it is about, the related records and
 * the explanation (never personal data: ids, serials, counts, scores). */
static int raise_flag(truce_t *t, cmd_t *c, flagger_t *f, const char *rule, const char *subject, json_t *related,
                      const char *key, err_t *e, const char *fmt, ...)
{
    char why[400], id[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(id, sizeof id, "DDR-F-%llu", (unsigned long long)++f->next);
    json_t *body = json_pack("{s:s, s:s, s:o, s:s}", "rule", rule, "subject", subject, "related",
                             related ? related : json_array(), "explanation", why);
    if (key) json_object_set_new(body, "key", json_string(key));
    if (f->ids) json_array_append_new(f->ids, json_string(id));
    return cmd_draft(c, "ddr.flag.raised", id, json_incref(ddr__public_labels(t)), body, e);
}

/* The serial rules for a weapon about to be registered as wid: the same
 * normalised serial in the register (or earlier in this command: pending,
 * an object serial -> wid) is a duplicate; when that weapon is in custody
 * (in transit, stored, inspected) or destroyed or transferred, the weapon
 * is being handed in again. */
static int serial_rules(truce_t *t, cmd_t *c, flagger_t *f, const char *wid, const char *serial, const char *norm,
                        json_t *pending, err_t *e)
{
    if (!norm || !*norm) return 0;
    json_t *hits = json_object_get(DS(t)->by_serial, norm);
    size_t i;
    json_t *x;
    json_array_foreach(hits, i, x)
    {
        const char *other = json_string_value(x);
        json_t *w = json_object_get(DS(t)->weapons, other);
        const char *st = rec_str(w, "status");
        int kept = st && strcmp(st, "collected");
        if (kept) {
            if (raise_flag(t, c, f, "weapon_reregistered", wid, json_pack("[s]", other), NULL, e,
                           "serial %s reads as %s, the serial of %s, which is already %s%s%s: the weapon is being handed in again",
                           serial, norm, other, st, rec_str(w, "store") ? " in " : "",
                           rec_str(w, "store") ? rec_str(w, "store") : ""))
                return -1;
        } else if (raise_flag(t, c, f, "duplicate_serial", wid, json_pack("[s]", other), NULL, e,
                              "serial %s reads as %s, the serial of %s (registered %s)", serial, norm, other,
                              rec_str(w, "registered_at") ? rec_str(w, "registered_at") : "")) {
            return -1;
        }
    }
    const char *same = rec_str(pending, norm);
    if (same && raise_flag(t, c, f, "duplicate_serial", wid, json_pack("[s]", same), NULL, e,
                           "serial %s reads as %s, the serial of %s handed in with it", serial, norm, same))
        return -1;
    json_object_set_new(pending, norm, json_string(wid));
    return 0;
}

/* Drafts the weapons of a registration or a cache: ddr.weapon.registered
 * each, with the serial rules; ids gets the new weapon ids. */
static int draft_weapons(truce_t *t, cmd_t *c, flagger_t *f, const json_t *list, const char *person,
                         const char *cache, const char *site, json_t *labels, json_t *ids, err_t *e)
{
    json_t *pending = json_object();
    size_t i;
    json_t *w;
    int rc = 0;
    uint64_t next = DS(t)->last_weapon;
    json_array_foreach(list, i, w)
    {
        char wid[32], norm[128];
        snprintf(wid, sizeof wid, "DDR-W-%llu", (unsigned long long)++next);
        json_t *body = json_deep_copy(w);
        const char *serial = rec_str(w, "serial");
        ddr_serial_norm(serial, norm, sizeof norm);
        if (serial) json_object_set_new(body, "serial_norm", json_string(norm));
        if (person) json_object_set_new(body, "person", json_string(person));
        if (cache) json_object_set_new(body, "cache", json_string(cache));
        if (site) json_object_set_new(body, "site", json_string(site));
        json_array_append_new(ids, json_string(wid));
        if (cmd_draft(c, "ddr.weapon.registered", wid, json_incref(labels), body, e) ||
            serial_rules(t, c, f, wid, serial ? serial : "", norm, pending, e)) {
            rc = -1;
            break;
        }
    }
    json_decref(pending);
    return rc;
}

static json_int_t rounds_of(const json_t *ammo)
{
    json_int_t n = 0;
    size_t i;
    json_t *a;
    json_array_foreach(ammo, i, a) n += json_integer_value(json_object_get(a, "count"));
    return n;
}

/* The registration-spike rule for one site or officer: today's count with
 * this registration against the trailing mean of the days before. */
static int spike_rule(truce_t *t, cmd_t *c, flagger_t *f, const char *kind, const char *who, int64_t day, err_t *e)
{
    ddr_state_t *s = DS(t);
    int window = (int)ddr__rule(t, "anomaly", "spike_window_days", 14);
    double factor = ddr__rule(t, "anomaly", "spike_factor", 3), min = ddr__rule(t, "anomaly", "spike_min", 10);
    if (window < 1) window = 1;
    json_int_t today = count_get(s->daily, kind, who, day) + 1;
    if ((double)today < min) return 0;
    json_int_t sum = 0;
    for (int d = 1; d <= window; d++) sum += count_get(s->daily, kind, who, day - d);
    double mean = (double)sum / window;
    if ((double)today <= factor * mean) return 0;
    char key[160];
    snprintf(key, sizeof key, "%s:%s:%lld", kind, who, (long long)day);
    if (json_object_get(s->spiked, key)) return 0;
    char date[32];
    time_format(day * DDR_DAY_MS, date);
    date[10] = 0;
    return raise_flag(t, c, f, "registration_spike", who, json_array(), key, e,
                      "%s %s registered %lld people on %s, more than %g times the mean of the %d days before (%.1f a day)",
                      !strcmp(kind, "s") ? "site" : "officer", who, (long long)today, date, factor, window, mean);
}

/* Age in whole years at ms of a YYYY-MM-DD date of birth, by the mission's
 * calendar: a birthday begins at local midnight, not at UTC midnight. */
static int age_at(truce_t *t, const char *dob, int64_t ms)
{
    return tz_years_since(dob, mission_day(t, ms));
}

/* The person rules: the same ID number, or a close name with the same date
 * of birth, already registered. */
static int person_rules(truce_t *t, cmd_t *c, flagger_t *f, const char *pid, const json_t *in, err_t *e)
{
    ddr_state_t *s = DS(t);
    char norm[256], ar[512];
    json_t *seen = json_object();
    int rc = 0;
    if (rec_str(in, "id_number") && ddr_idnum_norm(rec_str(in, "id_number"), norm, sizeof norm)) {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(s->by_idnum, norm), i, x)
        {
            json_object_set_new(seen, json_string_value(x), json_true());
            if ((rc = raise_flag(t, c, f, "duplicate_id_number", pid, json_pack("[O]", x), NULL, e,
                                 "the ID number is already registered to %s", json_string_value(x))))
                goto out;
        }
    }
    double th = ddr__rule(t, "anomaly", "name_similarity", 0.9);
    ddr_name_norm(rec_str(in, "name_latin"), norm, sizeof norm);
    ddr_arabic_norm(rec_str(in, "name_ar"), ar, sizeof ar);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(s->by_dob, rec_str(in, "date_of_birth")), i, x)
    {
        const char *other = json_string_value(json_array_get(x, 0));
        if (json_object_get(seen, other)) continue;
        double sim = ddr_name_score(norm, json_string_value(json_array_get(x, 1)));
        /* the Arabic rule needs a full name (two words or more) */
        int same_ar = strchr(ar, ' ') && !strcmp(ar, json_string_value(json_array_get(x, 2)));
        if (sim < th && !same_ar) continue;
        json_object_set_new(seen, other, json_true());
        if (same_ar && sim < th)
            rc = raise_flag(t, c, f, "possible_same_person", pid, json_pack("[s]", other), NULL, e,
                            "the Arabic name is the same as that of %s (after normalisation), with the same date of birth", other);
        else
            rc = raise_flag(t, c, f, "possible_same_person", pid, json_pack("[s]", other), NULL, e,
                            "the Latin name is close to that of %s (similarity %.2f, threshold %.2f), with the same date of birth",
                            other, sim, th);
        if (rc) goto out;
    }
out:
    json_decref(seen);
    return rc;
}

int ddr__check_dob(const char *dob, err_t *e)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int ok = dob && strlen(dob) == 10 && dob[4] == '-' && dob[7] == '-';
    for (int i = 0; ok && i < 10; i++) ok = i == 4 || i == 7 || (dob[i] >= '0' && dob[i] <= '9');
    if (!ok) return err_set(e, E_BAD_VALUE, "date_of_birth", "date_of_birth must be a date like 1990-04-12");
    int y = atoi(dob), m = atoi(dob + 5), d = atoi(dob + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return err_set(e, E_BAD_VALUE, "date_of_birth", "date_of_birth is not a calendar date");
    char now[32];
    time_format(util_now_ms(), now);
    if (y < 1900 || strncmp(dob, now, 10) > 0)
        return err_set(e, E_OUT_OF_RANGE, "date_of_birth", "date_of_birth must be after 1900 and not in the future");
    return 0;
}

int ddr__check_items(const json_t *in, int need_weapon, err_t *e)
{
    const json_t *ws = json_object_get(in, "weapons"), *am = json_object_get(in, "ammunition");
    size_t i;
    json_t *x;
    char prefix[40];
    json_array_foreach(ws, i, x)
    {
        snprintf(prefix, sizeof prefix, "weapons[%zu]", i);
        if (schema_check_in(x, ddr_weapon_fields, prefix, e)) return -1;
    }
    json_array_foreach(am, i, x)
    {
        snprintf(prefix, sizeof prefix, "ammunition[%zu]", i);
        if (schema_check_in(x, ddr_ammo_fields, prefix, e)) return -1;
    }
    if (need_weapon && !json_array_size(ws) && !rounds_of(am))
        return err_set(e, E_MISSING_FIELD, "weapons", "hand in at least one weapon or some ammunition");
    return 0;
}

/* ---- commands ---- */

static int site_ok(truce_t *t, const char *site, err_t *e)
{
    if (!json_object_get(DS(t)->sites, site ? site : ""))
        return err_set(e, E_BAD_VALUE, "site", "no disarmament site %s", site ? site : "");
    return 0;
}

/* Eligibility per the scenario rules: screening passed; at least min_age;
 * a serviceable weapon (or any weapon, when the rule is off) or at least
 * min_rounds rounds. Returns {"eligible", "reasons"} (new) and *ent the
 * entitlement (new: an object, or JSON null when not eligible). */
static json_t *assess(truce_t *t, const char *dob, const char *screening, int serviceable, int nweapons,
                      json_int_t rounds, int64_t now, json_t **ent)
{
    json_t *reasons = json_array();
    int min_age = (int)ddr__rule(t, "eligibility", "min_age", 18);
    int need_sv = ddr__rule(t, "eligibility", "serviceable_weapon", 1) != 0;
    json_int_t min_rounds = (json_int_t)ddr__rule(t, "eligibility", "min_rounds", 100);
    int by_weapon = need_sv ? serviceable : nweapons > 0;
    int eligible = 1;
    if (!dob || age_at(t, dob, now) < min_age) {
        eligible = 0;
        json_array_append_new(reasons, json_sprintf("under %d: refer to child protection, not the adult programme", min_age));
    }
    if (strcmp(screening, "passed")) {
        eligible = 0;
        json_array_append_new(reasons, json_sprintf("screening %s", screening));
    }
    if (!by_weapon && rounds < min_rounds) {
        eligible = 0;
        json_array_append_new(reasons, json_sprintf("no serviceable weapon and fewer than %lld rounds", (long long)min_rounds));
    }
    *ent = json_null();
    if (eligible) {
        double monthly = ddr__rule(t, "allowance", "monthly_amount", 0);
        int inst = (int)ddr__rule(t, "allowance", "instalments", 0);
        *ent = json_pack("{s:s, s:f, s:i, s:f}", "currency", ddr__rule_str(t, "allowance", "currency", "USD"),
                         "monthly_amount", monthly, "instalments", inst, "total", monthly * inst);
    }
    return json_pack("{s:b, s:o}", "eligible", eligible, "reasons", reasons);
}

/* A later screening result: eligibility and entitlement are assessed again
 * (the date of birth is opened from the sealed data, on the writer). */
int ddr__prepare_screening(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    json_t *p = json_object_get(DS(t)->people, op->id);
    if (!p) return err_set(e, E_NOT_FOUND, NULL, "no person %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    const char *screening = rec_str(op->in, "screening");
    if (!strcmp(screening, rec_str(p, "screening")))
        return err_set(e, E_CONFLICT, "screening", "%s is already screened %s", op->id, screening);
    json_t *d = ddr__open(t, op->id, rec_str(p, "_sealed"));
    if (!d) return err_set(e, E_INTERNAL, NULL, "the personal data cannot be opened (ddr.key)");
    int serviceable = 0, nweapons = 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(p, "weapons"), i, x)
    {
        json_t *w = json_object_get(DS(t)->weapons, json_string_value(x));
        nweapons++;
        serviceable |= w && !strcmp(rec_str(w, "condition"), "serviceable");
    }
    json_t *ent = NULL;
    json_t *elig = assess(t, rec_str(d, "date_of_birth"), screening, serviceable, nweapons,
                          json_integer_value(json_object_get(p, "rounds")), rec_time(p, "registered_at"), &ent);
    json_decref(d);
    json_t *body = json_pack("{s:s, s:o, s:o}", "screening", screening, "eligibility", elig, "entitlement", ent);
    if (rec_str(op->in, "note")) json_object_set(body, "note", json_object_get(op->in, "note"));
    return cmd_draft(c, "ddr.person.screened", op->id, json_incref(ddr__public_labels(t)), body, e);
}

/* arg: a checked registration body (ddr_op_t or json). Drafts the public
 * person event, its sealed detail, every weapon and every flag. */
static int register_person(truce_t *t, cmd_t *c, const json_t *in, json_t *flag_ids, json_t *weapon_ids, err_t *e)
{
    ddr_state_t *s = DS(t);
    const char *site = rec_str(in, "site");
    if (site_ok(t, site, e)) return -1;
    int64_t now = util_now_ms();
    char pid[32], card[40];
    uint64_t n = s->last_person + 1;
    snprintf(pid, sizeof pid, "DDR-P-%llu", (unsigned long long)n);
    snprintf(card, sizeof card, "DDR-CARD-%06llu", (unsigned long long)n);
    snprintf(c->result_id, sizeof c->result_id, "%s", pid);
    const char *screening = rec_str(in, "screening");
    json_int_t rounds = rounds_of(json_object_get(in, "ammunition"));
    int serviceable = 0;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(in, "weapons"), i, w) serviceable |= !strcmp(rec_str(w, "condition"), "serviceable");
    json_t *ent = NULL;
    json_t *elig = assess(t, rec_str(in, "date_of_birth"), screening, serviceable,
                          (int)json_array_size(json_object_get(in, "weapons")), rounds, now, &ent);
    json_t *weapons = json_array();
    json_t *ammo = json_object_get(in, "ammunition");
    json_t *body = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:o}", "site", site, "screening", screening, "eligibility",
                             elig, "weapons", weapons, "ammunition", ammo ? json_deep_copy(ammo) : json_array(),
                             "rounds", (json_int_t)rounds, "entitlement", ent);
    if (json_is_true(json_object_get(in, "exercise"))) json_object_set_new(body, "exercise", json_true());
    /* weapon ids are given in order; the person's public record lists them */
    for (i = 0; i < json_array_size(json_object_get(in, "weapons")); i++)
        json_array_append_new(weapons, json_sprintf("DDR-W-%llu", (unsigned long long)(s->last_weapon + 1 + i)));
    if (cmd_draft(c, "ddr.person.registered", pid, json_incref(ddr__public_labels(t)), body, e)) return -1;
    /* the personal data, sealed */
    static const char *const personal[] = {"name_ar", "name_latin", "date_of_birth", "id_number", "household_size",
                                           "photo_ref", "affiliation", "declared_role", "phone", NULL};
    json_t *d = json_object();
    for (int k = 0; personal[k]; k++)
        if (json_object_get(in, personal[k])) json_object_set(d, personal[k], json_object_get(in, personal[k]));
    json_object_set_new(d, "card_number", json_string(card));
    json_t *sealed = ddr__seal(t, pid, d);
    json_decref(d);
    if (!sealed) return err_set(e, E_INTERNAL, NULL, "the personal data could not be sealed (ddr.key)");
    if (cmd_draft(c, "ddr.person.detail", pid, officer_labels(), json_pack("{s:o}", "sealed", sealed), e)) return -1;
    flagger_t f = {s->last_flag, flag_ids};
    json_t *wids = weapon_ids ? json_incref(weapon_ids) : json_array();
    int rc = draft_weapons(t, c, &f, json_object_get(in, "weapons"), pid, NULL, site, ddr__public_labels(t), wids, e);
    json_decref(wids);
    if (rc || person_rules(t, c, &f, pid, in, e)) return -1;
    int64_t day = ddr__day(now);
    if (spike_rule(t, c, &f, "s", site, day, e)) return -1;
    if (c->who && spike_rule(t, c, &f, "o", c->who->username, day, e)) return -1;
    return 0;
}

int ddr_prepare_register(truce_t *t, cmd_t *c, err_t *e)
{
    return register_person(t, c, c->arg, NULL, NULL, e);
}

int ddr__prepare_register_op(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    json_array_clear(op->flags);
    json_array_clear(op->ids);
    return register_person(t, c, op->in, op->flags, op->ids, e);
}

/* A cache seized by an ISF task: the caller must see the task. */
int ddr__prepare_cache(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    ddr_state_t *s = DS(t);
    json_array_clear(op->flags);
    json_array_clear(op->ids);
    const char *task = rec_str(op->in, "task");
    json_t *tk = isf_task(t, task);
    if (!tk || (c->who && !auth_may_see(c->who, json_object_get(tk, "_labels"))))
        return err_set(e, E_BAD_VALUE, "task", "no ISF task %s that you may see", task);
    const char *site = rec_str(op->in, "site");
    if (site && site_ok(t, site, e)) return -1;
    char id[32];
    snprintf(id, sizeof id, "DDR-CACHE-%llu", (unsigned long long)s->last_cache + 1);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    json_t *labels = cache_labels(t, c->who ? c->who->org : NULL);
    json_t *body = json_deep_copy(op->in);
    json_object_del(body, "weapons");
    json_t *ws = json_array();
    for (size_t i = 0; i < json_array_size(json_object_get(op->in, "weapons")); i++)
        json_array_append_new(ws, json_sprintf("DDR-W-%llu", (unsigned long long)(s->last_weapon + 1 + i)));
    json_object_set_new(body, "weapons", ws);
    json_object_set_new(body, "rounds", json_integer(rounds_of(json_object_get(op->in, "ammunition"))));
    if (!json_object_get(body, "ammunition")) json_object_set_new(body, "ammunition", json_array());
    if (cmd_draft(c, "ddr.cache.registered", id, json_incref(labels), body, e)) {
        json_decref(labels);
        return -1;
    }
    flagger_t f = {s->last_flag, op->flags};
    int rc = draft_weapons(t, c, &f, json_object_get(op->in, "weapons"), NULL, id, site, labels, op->ids, e);
    json_decref(labels);
    return rc;
}

static int has_step(const char *status, const char *const *from)
{
    for (int i = 0; from[i]; i++)
        if (!strcmp(from[i], status)) return 1;
    return 0;
}

/* The chain of custody: collected -> in_transit -> (accepted) stored ->
 * inspected -> destroyed | transferred. A hand-over is a dispatch by the
 * holder to a named receiver and store; the weapon stays in transit, in no
 * store, until that receiver accepts it (or rejects it back). */
int ddr__prepare_custody(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    ddr_state_t *s = DS(t);
    json_t *w = json_object_get(s->weapons, op->id);
    if (!w || (c->who && !auth_may_see(c->who, json_object_get(w, "_labels"))))
        return err_set(e, E_NOT_FOUND, NULL, "no weapon %s that you may see", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    const char *step = rec_str(op->in, "step"), *st = rec_str(w, "status"), *me = c->who ? c->who->username : NULL;
    int ddr = !c->who || (c->who->perms & (1ull << P_DDR));
    json_t *pending = json_object_get(w, "pending");
    json_t *body = json_pack("{s:s, s:s}", "step", step, "from_status", st);
    const char *note = rec_str(op->in, "note");
    if (note) json_object_set_new(body, "note", json_string(note));
    const char *to_status = NULL;
    if (!strcmp(step, "dispatch")) {
        static const char *const from[] = {"collected", "stored", "inspected", NULL};
        if (!has_step(st, from)) {
            json_decref(body);
            return err_set(e, E_CONFLICT, "step", "%s is %s: only a collected, stored or inspected weapon is dispatched", op->id, st);
        }
        if (me && strcmp(me, rec_str(w, "holder"))) {
            json_decref(body);
            return err_set(e, E_FORBIDDEN, "step", "only the holder of %s (%s) dispatches it", op->id, rec_str(w, "holder"));
        }
        const char *to_user = rec_str(op->in, "to_user"), *to_store = rec_str(op->in, "to_store");
        if (!to_user || !auth_user_exists(t, to_user)) {
            json_decref(body);
            return err_set(e, to_user ? E_BAD_VALUE : E_MISSING_FIELD, "to_user", "a hand-over names the receiving user (an account)");
        }
        if (me && !strcmp(to_user, me)) {
            json_decref(body);
            return err_set(e, E_BAD_VALUE, "to_user", "a hand-over goes to someone else");
        }
        if (!(auth_user_perms(t, to_user) & (1ull << P_DDR))) {
            json_decref(body);
            return err_set(e, E_BAD_VALUE, "to_user", "%s is not an enabled DDR officer: weapons pass only between DDR officers", to_user);
        }
        if (!to_store || !json_object_get(s->stores, to_store)) {
            json_decref(body);
            return err_set(e, to_store ? E_BAD_VALUE : E_MISSING_FIELD, "to_store", "a hand-over names the store it goes to");
        }
        if (rec_str(w, "store") && !strcmp(rec_str(w, "store"), to_store) && strcmp(st, "collected")) {
            json_decref(body);
            return err_set(e, E_CONFLICT, "to_store", "%s is already in %s", op->id, to_store);
        }
        json_object_set_new(body, "to_user", json_string(to_user));
        json_object_set_new(body, "to_store", json_string(to_store));
        to_status = "in_transit";
    } else if (!strcmp(step, "accept") || !strcmp(step, "reject")) {
        if (strcmp(st, "in_transit") || !pending) {
            json_decref(body);
            return err_set(e, E_CONFLICT, "step", "%s is %s: only a weapon in transit is accepted or rejected", op->id, st);
        }
        if (me && strcmp(me, rec_str(pending, "to_user"))) {
            json_decref(body);
            return err_set(e, E_FORBIDDEN, "step", "only the receiver %s accepts or rejects %s", rec_str(pending, "to_user"), op->id);
        }
        if (!strcmp(step, "reject") && !note) {
            json_decref(body);
            return err_set(e, E_MISSING_FIELD, "note", "a rejection needs a reason (note)");
        }
        if (!strcmp(step, "accept")) json_object_set(body, "store", json_object_get(pending, "to_store"));
        to_status = !strcmp(step, "accept") ? "stored" : rec_str(pending, "from_status");
    } else {
        if (!ddr) {
            json_decref(body);
            return err_set(e, E_FORBIDDEN, "step", "only DDR officers %s weapons", step);
        }
        const char *need = !strcmp(step, "inspect") ? "stored" : "inspected";
        if (strcmp(st, need)) {
            json_decref(body);
            return err_set(e, E_CONFLICT, "step", "%s is %s: it must be %s before it is %s%s", op->id, st, need,
                           !strcmp(step, "inspect") ? "inspect" : step, !strcmp(step, "destroy") ? "ed" : !strcmp(step, "inspect") ? "ed" : "red");
        }
        if (!strcmp(step, "inspect")) {
            if (rec_str(op->in, "condition")) json_object_set(body, "condition", json_object_get(op->in, "condition"));
            to_status = "inspected";
        } else if (!strcmp(step, "destroy")) {
            json_t *wit = json_object_get(op->in, "witnesses");
            int need_w = (int)ddr__rule(t, "custody", "destruction_witnesses", 2);
            if (!rec_str(op->in, "method")) {
                json_decref(body);
                return err_set(e, E_MISSING_FIELD, "method", "a destruction records its method");
            }
            if ((int)json_array_size(wit) < need_w) {
                json_decref(body);
                return err_set(e, E_MISSING_FIELD, "witnesses", "a destruction needs at least %d witnesses", need_w);
            }
            json_object_set(body, "method", json_object_get(op->in, "method"));
            json_object_set(body, "witnesses", wit);
            if (rec_str(op->in, "date")) json_object_set(body, "date", json_object_get(op->in, "date"));
            else {
                char at[32];
                time_format(util_now_ms(), at);
                json_object_set_new(body, "date", json_string(at));
            }
            to_status = "destroyed";
        } else {
            if (!rec_str(op->in, "to") || !rec_str(op->in, "authority")) {
                json_decref(body);
                return err_set(e, E_MISSING_FIELD, rec_str(op->in, "to") ? "authority" : "to",
                               "a transfer records to whom and under what authority");
            }
            json_object_set(body, "to", json_object_get(op->in, "to"));
            json_object_set(body, "authority", json_object_get(op->in, "authority"));
            to_status = "transferred";
        }
    }
    json_object_set_new(body, "status", json_string(to_status));
    return cmd_draft(c, "ddr.weapon.custody", op->id, json_incref(json_object_get(w, "_labels")), body, e);
}

/* A payment is recorded as made; one beyond the entitlement is flagged. */
int ddr__prepare_payment(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    ddr_state_t *s = DS(t);
    json_array_clear(op->flags);
    const char *pid = rec_str(op->in, "person");
    json_t *p = json_object_get(s->people, pid ? pid : "");
    if (!p) return err_set(e, E_BAD_VALUE, "person", "no person %s", pid ? pid : "");
    json_t *ent = json_object_get(p, "entitlement");
    const char *cur = rec_str(op->in, "currency");
    const char *ecur = rec_str(ent, "currency") ? rec_str(ent, "currency") : ddr__rule_str(t, "allowance", "currency", "USD");
    if (cur && strcmp(cur, ecur)) return err_set(e, E_BAD_VALUE, "currency", "payments are in %s", ecur);
    char id[32];
    snprintf(id, sizeof id, "DDR-PAY-%llu", (unsigned long long)s->last_payment + 1);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    json_t *body = json_deep_copy(op->in);
    json_object_set_new(body, "currency", json_string(ecur));
    if (!rec_str(body, "date")) {
        char at[32];
        time_format(util_now_ms(), at);
        json_object_set_new(body, "date", json_string(at));
    }
    if (cmd_draft(c, "ddr.payment.made", id, json_incref(ddr__public_labels(t)), body, e)) return -1;
    double amount = json_number_value(json_object_get(op->in, "amount"));
    double paid = json_number_value(json_object_get(p, "paid")) + amount;
    double total = json_is_object(ent) ? json_number_value(json_object_get(ent, "total")) : 0;
    flagger_t f = {s->last_flag, op->flags};
    if (paid > total + 0.005) {
        if (!json_is_object(ent))
            return raise_flag(t, c, &f, "payment_beyond_entitlement", id, json_pack("[s]", pid), NULL, e,
                              "%s is not eligible: no entitlement, yet %.2f %s paid", pid, amount, ecur);
        return raise_flag(t, c, &f, "payment_beyond_entitlement", id, json_pack("[s]", pid), NULL, e,
                          "payments to %s would total %.2f %s, above the entitlement of %.2f %s", pid, paid, ecur, total, ecur);
    }
    json_int_t inst = json_integer_value(json_object_get(op->in, "instalment"));
    if (inst && json_is_object(ent) && inst > json_integer_value(json_object_get(ent, "instalments")))
        return raise_flag(t, c, &f, "payment_beyond_entitlement", id, json_pack("[s]", pid), NULL, e,
                          "instalment %lld of %s is beyond the %lld instalments of the entitlement", (long long)inst, pid,
                          (long long)json_integer_value(json_object_get(ent, "instalments")));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(p, "payments"), i, x)
    {
        json_t *other = json_object_get(s->payments, json_string_value(x));
        if (inst && json_integer_value(json_object_get(other, "instalment")) == inst)
            return raise_flag(t, c, &f, "payment_beyond_entitlement", id, json_pack("[s,O]", pid, x), NULL, e,
                              "instalment %lld of %s was already paid (%s)", (long long)inst, pid, json_string_value(x));
    }
    return 0;
}

/* Four eyes: whoever's action raised a flag does not review it. */
int ddr__prepare_review(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    json_t *f = json_object_get(DS(t)->flags, op->id);
    if (!f) return err_set(e, E_NOT_FOUND, NULL, "no flag %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    if (strcmp(rec_str(f, "status"), "open"))
        return err_set(e, E_CONFLICT, "decision", "%s is already %s", op->id, rec_str(f, "status"));
    if (c->who && !strcmp(c->who->username, rec_str(f, "raised_by")))
        return err_set(e, E_FORBIDDEN, "decision", "%s was raised by your own action: another officer reviews it", op->id);
    return cmd_draft(c, "ddr.flag.reviewed", op->id, json_incref(json_object_get(f, "_labels")), json_deep_copy(op->in), e);
}

int ddr__prepare_store(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    const char *id = rec_str(op->in, "id");
    if (!id || strncmp(id, "DDR-STORE-", 10)) return err_set(e, E_BAD_VALUE, "id", "store ids are DDR-STORE-...");
    if (json_object_get(DS(t)->stores, id)) return err_set(e, E_CONFLICT, "id", "%s exists", id);
    if (rec_str(op->in, "site") && site_ok(t, rec_str(op->in, "site"), e)) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    json_t *body = json_deep_copy(op->in);
    json_object_del(body, "id");
    return cmd_draft(c, "ddr.store.added", id, json_incref(ddr__public_labels(t)), body, e);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A stock check: what the register expects in the store (stored or
 * inspected there) against what was counted (weapon ids, or serials read
 * off the weapons); any difference is flagged. */
int ddr__prepare_check(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    ddr_state_t *s = DS(t);
    json_array_clear(op->flags);
    json_t *store = json_object_get(s->stores, op->id);
    if (!store) return err_set(e, E_NOT_FOUND, NULL, "no store %s", op->id);
    json_t *counted = json_object();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(op->in, "counted"), i, x)
    {
        if (!json_object_get(s->weapons, json_string_value(x))) {
            json_decref(counted);
            return err_set(e, E_BAD_VALUE, "counted", "counted[%zu]: no weapon %s", i, json_string_value(x));
        }
        json_object_set_new(counted, json_string_value(x), json_true());
    }
    json_t *unknown = json_array();
    json_array_foreach(json_object_get(op->in, "counted_serials"), i, x)
    {
        char norm[128];
        ddr_serial_norm(json_string_value(x), norm, sizeof norm);
        json_t *hits = json_object_get(s->by_serial, norm);
        /* of several weapons with one serial, the one the register puts here */
        const char *pick = NULL;
        size_t k;
        json_t *h;
        json_array_foreach(hits, k, h)
        {
            json_t *w = json_object_get(s->weapons, json_string_value(h));
            if (!pick || (rec_str(w, "store") && !strcmp(rec_str(w, "store"), op->id))) pick = json_string_value(h);
        }
        if (pick) json_object_set_new(counted, pick, json_true());
        else json_array_append(unknown, x);
    }
    /* expected: a scan of the register's weapons in this store. Stock checks
     * are rare; registration never runs this. */
    const char **exp = NULL;
    size_t ne = 0, cap = 0;
    const char *wid;
    json_t *w;
    json_object_foreach(s->weapons, wid, w)
    {
        const char *st = rec_str(w, "status");
        if (!rec_str(w, "store") || strcmp(rec_str(w, "store"), op->id) || (strcmp(st, "stored") && strcmp(st, "inspected")))
            continue;
        if (ne == cap) {
            cap = cap ? cap * 2 : 64;
            const char **p = realloc(exp, cap * sizeof *p);
            if (!p) {
                free(exp);
                json_decref(counted);
                json_decref(unknown);
                return err_set(e, E_INTERNAL, NULL, "out of memory");
            }
            exp = p;
        }
        exp[ne++] = wid;
    }
    if (ne) qsort(exp, ne, sizeof *exp, cmp_str);
    json_t *expected = json_array(), *missing = json_array(), *unexpected = json_array(), *seen = json_object();
    for (i = 0; i < ne; i++) {
        json_array_append_new(expected, json_string(exp[i]));
        json_object_set_new(seen, exp[i], json_true());
        if (!json_object_get(counted, exp[i])) json_array_append_new(missing, json_string(exp[i]));
    }
    free(exp);
    const char **cs = calloc(json_object_size(counted) + 1, sizeof *cs);
    size_t nc = 0;
    json_object_foreach(counted, wid, w) if (!json_object_get(seen, wid)) cs[nc++] = wid;
    if (nc) qsort(cs, nc, sizeof *cs, cmp_str);
    for (i = 0; i < nc; i++) json_array_append_new(unexpected, json_string(cs[i]));
    free(cs);
    json_decref(seen);
    char id[32];
    snprintf(id, sizeof id, "DDR-SC-%llu", (unsigned long long)s->last_check + 1);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    size_t nm = json_array_size(missing), nu = json_array_size(unexpected) + json_array_size(unknown);
    json_t *body = json_pack("{s:s, s:I, s:I, s:o, s:O, s:O, s:O, s:b}", "store", op->id, "expected_count",
                             (json_int_t)json_array_size(expected), "counted_count", (json_int_t)json_object_size(counted) + (json_int_t)json_array_size(unknown),
                             "expected", expected, "missing", missing, "unexpected", unexpected, "unknown_serials",
                             unknown, "difference", nm + nu > 0);
    if (rec_str(op->in, "note")) json_object_set(body, "note", json_object_get(op->in, "note"));
    json_decref(counted);
    int rc = cmd_draft(c, "ddr.stock.checked", id, json_incref(ddr__public_labels(t)), body, e);
    if (!rc && nm + nu) {
        flagger_t f = {s->last_flag, op->flags};
        json_t *rel = json_array();
        json_array_extend(rel, missing);
        json_array_extend(rel, unexpected);
        rc = raise_flag(t, c, &f, "stock_difference", op->id, rel, NULL, e,
                        "stock check %s of %s: %zu expected, %zu missing, %zu counted that the register does not put there%s",
                        id, op->id, json_array_size(expected), nm, nu,
                        json_array_size(unknown) ? " (some by serials not in the register)" : "");
    }
    json_decref(missing);
    json_decref(unexpected);
    json_decref(unknown);
    return rc;
}

int ddr__prepare_reintegration(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    json_t *p = json_object_get(DS(t)->people, op->id);
    if (!p) return err_set(e, E_NOT_FOUND, NULL, "no person %s", op->id);
    if (!json_is_true(json_object_get(json_object_get(p, "eligibility"), "eligible")))
        return err_set(e, E_CONFLICT, "option", "%s is not eligible for the programme", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "ddr.reintegration.chosen", op->id, json_incref(ddr__public_labels(t)), json_deep_copy(op->in), e);
}

int ddr__prepare_followup(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    json_t *p = json_object_get(DS(t)->people, op->id);
    if (!p) return err_set(e, E_NOT_FOUND, NULL, "no person %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    json_t *body = json_deep_copy(op->in);
    json_object_del(body, "note");
    if (cmd_draft(c, "ddr.followup.recorded", op->id, json_incref(ddr__public_labels(t)), body, e)) return -1;
    if (!rec_str(op->in, "note")) return 0;
    char aid[64];
    snprintf(aid, sizeof aid, "%s/followup", op->id);
    json_t *note = json_pack("{s:O}", "note", json_object_get(op->in, "note"));
    json_t *sealed = ddr__seal(t, aid, note);
    json_decref(note);
    if (!sealed) return err_set(e, E_INTERNAL, NULL, "the note could not be sealed (ddr.key)");
    return cmd_draft(c, "ddr.followup.detail", op->id, officer_labels(), json_pack("{s:o}", "sealed", sealed), e);
}

/* Every read of a person's personal data is an event oversight may see. */
int ddr__prepare_viewed(truce_t *t, cmd_t *c, err_t *e)
{
    ddr_op_t *op = c->arg;
    if (!json_object_get(DS(t)->people, op->id)) return err_set(e, E_NOT_FOUND, NULL, "no person %s", op->id);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    return cmd_draft(c, "ddr.person.viewed", op->id, json_incref(ddr__public_labels(t)),
                     json_pack("{s:s, s:s}", "person", op->id, "purpose", op->purpose), e);
}

/* The scenario's "ddr" section: {"rules", "sites": [...], "stores": [...]}. */
int ddr_prepare_scenario(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    json_t *labels = ddr__public_labels(t);
    json_t *rules = json_object_get(in, "rules");
    if (!json_is_object(rules)) return err_set(e, E_MISSING_FIELD, "ddr.rules", "the ddr section needs rules");
    if (cmd_draft(c, "ddr.rules.set", "DDR-RULES", json_incref(labels), json_deep_copy(rules), e)) return -1;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(in, "sites"), i, x)
    {
        const char *id = rec_str(x, "id");
        if (!id || strncmp(id, "DDR-SITE-", 9)) return err_set(e, E_BAD_VALUE, "ddr.sites", "ddr.sites[%zu]: ids are DDR-SITE-...", i);
        if (rec_str(x, "sector") && !org_sector_exists(t, rec_str(x, "sector")))
            return err_set(e, E_BAD_VALUE, "ddr.sites", "ddr.sites[%zu]: no sector %s", i, rec_str(x, "sector"));
        json_t *body = json_deep_copy(x);
        json_object_del(body, "id");
        if (json_is_true(json_object_get(in, "exercise"))) json_object_set_new(body, "exercise", json_true());
        if (cmd_draft(c, "ddr.site.added", id, json_incref(labels), body, e)) return -1;
    }
    json_array_foreach(json_object_get(in, "stores"), i, x)
    {
        const char *id = rec_str(x, "id");
        if (!id || strncmp(id, "DDR-STORE-", 10)) return err_set(e, E_BAD_VALUE, "ddr.stores", "ddr.stores[%zu]: ids are DDR-STORE-...", i);
        json_t *body = json_deep_copy(x);
        json_object_del(body, "id");
        if (json_is_true(json_object_get(in, "exercise"))) json_object_set_new(body, "exercise", json_true());
        if (cmd_draft(c, "ddr.store.added", id, json_incref(labels), body, e)) return -1;
    }
    return 0;
}
