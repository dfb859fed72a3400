/*
 * incident.c — see incident.h. Records are jansson objects by number, with
 * private members starting with "_"; rows (inc_t) are derived from them by
 * row_of(), after every event and after a snapshot load alike.
 */
#include "incident.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aid.h"
#include "auth.h"
#include "csv.h"
#include "ddr.h"
#include "geo.h"
#include "isf.h"
#include "log.h"
#include "notify.h"
#include "ops.h"
#include "org.h"
#include "psf.h"
#include "record.h"
#include "transition.h"
#include "tz.h"

#define DAY_MS (86400LL * 1000)
#define MAX_PARTIES 128
#define MAX_IMPORT_ROWS 5000
#define FEED_KEEP_MS (8 * DAY_MS)

/* ---- the taxonomy ---- */

typedef struct {
    const char *id, *label, *acled_event, *acled_sub;
    int violation, mission;
} itype_t;

static const itype_t types[] = {
    {"armed_clash", "Armed clash", "Battles", "Armed clash", 1, 0},
    {"government_regains_territory", "Government regains territory", "Battles", "Government regains territory", 1, 0},
    {"non_state_actor_overtakes_territory", "Non-state actor overtakes territory", "Battles",
     "Non-state actor overtakes territory", 1, 0},
    {"chemical_weapon", "Chemical weapon", "Explosions/Remote violence", "Chemical weapon", 1, 0},
    {"air_drone_strike", "Air/drone strike", "Explosions/Remote violence", "Air/drone strike", 1, 0},
    {"suicide_bomb", "Suicide bomb", "Explosions/Remote violence", "Suicide bomb", 1, 0},
    {"shelling_artillery_missile_attack", "Shelling/artillery/missile attack", "Explosions/Remote violence",
     "Shelling/artillery/missile attack", 1, 0},
    {"remote_explosive_landmine_ied", "Remote explosive/landmine/IED", "Explosions/Remote violence",
     "Remote explosive/landmine/IED", 1, 0},
    {"grenade", "Grenade", "Explosions/Remote violence", "Grenade", 1, 0},
    {"sexual_violence", "Sexual violence", "Violence against civilians", "Sexual violence", 1, 0},
    {"attack", "Attack", "Violence against civilians", "Attack", 1, 0},
    {"abduction_forced_disappearance", "Abduction/forced disappearance", "Violence against civilians",
     "Abduction/forced disappearance", 1, 0},
    {"peaceful_protest", "Peaceful protest", "Protests", "Peaceful protest", 0, 0},
    {"protest_with_intervention", "Protest with intervention", "Protests", "Protest with intervention", 0, 0},
    {"excessive_force_against_protesters", "Excessive force against protesters", "Protests",
     "Excessive force against protesters", 1, 0},
    {"violent_demonstration", "Violent demonstration", "Riots", "Violent demonstration", 0, 0},
    {"mob_violence", "Mob violence", "Riots", "Mob violence", 0, 0},
    {"agreement", "Agreement", "Strategic developments", "Agreement", 0, 0},
    {"arrests", "Arrests", "Strategic developments", "Arrests", 0, 0},
    {"change_to_group_activity", "Change to group/activity", "Strategic developments", "Change to group/activity", 0, 0},
    {"disrupted_weapons_use", "Disrupted weapons use", "Strategic developments", "Disrupted weapons use", 0, 0},
    {"headquarters_or_base_established", "Headquarters or base established", "Strategic developments",
     "Headquarters or base established", 0, 0},
    {"looting_property_destruction", "Looting/property destruction", "Strategic developments",
     "Looting/property destruction", 0, 0},
    {"non_violent_transfer_of_territory", "Non-violent transfer of territory", "Strategic developments",
     "Non-violent transfer of territory", 0, 0},
    {"other", "Other", "Strategic developments", "Other", 0, 0},
    {"attack_on_forces", "Attack on ISF or IDF forces", "Battles", "Armed clash", 1, 1},
    {"rocket_mortar_fire", "Rocket or mortar fire", "Explosions/Remote violence", "Shelling/artillery/missile attack", 1, 1},
    {"strike", "Strike", "Explosions/Remote violence", "Air/drone strike", 1, 1},
    {"reprisal_clan_violence", "Reprisal or clan violence", "Violence against civilians", "Attack", 1, 1},
    {"intimidation", "Intimidation", "Violence against civilians", "Attack", 1, 1},
    {"aid_obstruction_looting", "Aid obstruction or looting", "Strategic developments", "Looting/property destruction", 1, 1},
    {"weapons_seizure", "Weapons seizure", "Strategic developments", "Disrupted weapons use", 0, 1},
    {"remains_handover", "Handover of remains", "Strategic developments", "Agreement", 0, 1},
    {"line_crossing", "Line crossing", "Strategic developments", "Non-violent transfer of territory", 1, 1},
};
#define NTYPES ((int)(sizeof types / sizeof types[0]))
static const char *type_ids[NTYPES + 1];

/* The enum of the type field, from the table, before main() runs (the
 * field table is read by the OpenAPI document and by benches too). */
__attribute__((constructor)) static void type_ids_fill(void)
{
    for (int i = 0; i < NTYPES; i++) type_ids[i] = types[i].id;
}

/* Types that make an incident significant in the SITREP whatever its casualties. */
static int significant_type(const char *id)
{
    return !strcmp(id, "attack_on_forces") || !strcmp(id, "strike") || !strcmp(id, "line_crossing");
}

static const char *const statuses[] = {"reported", "under_review", "confirmed", "unconfirmed", "refuted", "merged", NULL};
enum { ST_REPORTED, ST_REVIEW, ST_CONFIRMED, ST_UNCONFIRMED, ST_REFUTED, ST_MERGED };
static const char *const time_precisions[] = {"minute", "hour", "day", "week", "month", NULL};
static const char *const location_precisions[] = {"exact", "town", "district", NULL};
static const char *const party_roles[] = {"perpetrator", "target", "involved", NULL};
static const char *const source_kinds[] = {"isf_patrol", "isf_unit_report", "cmcc_observation", "liaison",
                                           "humanitarian", "local_contact", "media", "social_media",
                                           "acled", "other", NULL};
static const char *const reliability[] = {"A", "B", "C", "D", "E", "F", NULL};
static const char *const credibility[] = {"1", "2", "3", "4", "5", "6", NULL};
static const char *const confidences[] = {"low", "medium", "high", NULL};
static const char *const casualty_groups[] = {"civilian", "combatant", "isf", "idf", "other", NULL};

static int type_index(const char *id)
{
    for (int i = 0; id && i < NTYPES; i++)
        if (!strcmp(types[i].id, id)) return i;
    return -1;
}

/* ---- state ---- */

typedef struct {
    int64_t at;          /* occurred_at */
    int32_t day;         /* its local day */
    uint16_t vis;        /* label set */
    uint8_t type, status;
    uint8_t sector;      /* sector + 1; 0 outside every sector */
    uint8_t named;       /* a party is named without a registry id */
    uint32_t killed, injured;
    uint64_t perp[2], attr[2], any[2];
} inc_t;

typedef struct {
    int64_t at;
    uint32_t n;          /* incident number */
    uint8_t status;
    char what[15];       /* "reported", "confirmed", "merged", "amended" ... */
} feed_t;

typedef struct incident_state {
    json_t **recs;       /* INC-(i+1) */
    inc_t *rows;
    size_t n, cap;
    json_t *sets;        /* label-set key -> index */
    json_t *set_list;    /* index -> labels */
    json_t *parties;     /* party id -> index */
    char party_ids[MAX_PARTIES][48];
    int nparties;
    char sector_ids[255][48];
    shape_t sectors[255];
    int nsectors;
    size_t features_seen;
    json_t *acled;       /* event_id_cnty -> INC-n */
    feed_t *feed;
    size_t nfeed, capfeed;
} incident_state_t;

static incident_state_t *S(truce_t *t)
{
    return t->incident;
}

static json_t *rec_by_id(truce_t *t, const char *id)
{
    uint64_t n = rec_id_num(id, "INC-");
    return n && n <= S(t)->n ? S(t)->recs[n - 1] : NULL;
}

json_t *incident_labels(truce_t *t, const char *id)
{
    return json_object_get(rec_by_id(t, id), "_labels");
}

uint64_t incident_last(truce_t *t)
{
    return S(t)->n;
}

static int set_of(incident_state_t *s, const json_t *labels)
{
    char *key = json_dumps(labels, JSON_COMPACT);
    json_t *v = json_object_get(s->sets, key ? key : "");
    int idx;
    if (v) {
        idx = (int)json_integer_value(v);
    } else {
        idx = (int)json_array_size(s->set_list);
        json_object_set_new(s->sets, key ? key : "", json_integer(idx));
        json_array_append_new(s->set_list, json_deep_copy(labels));
    }
    free(key);
    return idx;
}

static int party_of(incident_state_t *s, const char *id)
{
    if (!id) return -1;
    json_t *v = json_object_get(s->parties, id);
    if (v) return (int)json_integer_value(v);
    if (s->nparties >= MAX_PARTIES) return -1;
    snprintf(s->party_ids[s->nparties], sizeof s->party_ids[0], "%s", id);
    json_object_set_new(s->parties, id, json_integer(s->nparties));
    return s->nparties++;
}

static void mask_set(uint64_t m[2], int i)
{
    if (i >= 0) m[i / 64] |= 1ull << (i % 64);
}

static int mask_has(const uint64_t m[2], int i)
{
    return (m[i / 64] >> (i % 64)) & 1;
}

/* The sectors' shapes, kept from the mission geography (writer thread). */
static void sectors_refresh(truce_t *t)
{
    incident_state_t *s = S(t);
    json_t *fs = org_features(t);
    geo_t *g = notify_geo(t);
    if (!g || json_object_size(fs) == s->features_seen) return;
    for (int i = 0; i < s->nsectors; i++) shape_free(&s->sectors[i]);
    s->nsectors = 0;
    s->features_seen = json_object_size(fs);
    const char *id;
    json_t *f;
    err_t e;
    json_object_foreach(fs, id, f)
    {
        const char *layer = rec_str(json_object_get(f, "properties"), "layer");
        if (!layer || strcmp(layer, "sector") || s->nsectors >= 255) continue;
        if (geo_shape_from_json(g, json_object_get(f, "geometry"), 1 << SH_POLY, "sector", &s->sectors[s->nsectors], &e))
            continue;
        snprintf(s->sector_ids[s->nsectors], sizeof s->sector_ids[0], "%s", id);
        s->nsectors++;
    }
}

static const char *sector_at(truce_t *t, const json_t *point)
{
    incident_state_t *s = S(t);
    sectors_refresh(t);
    geo_t *g = notify_geo(t);
    json_t *co = json_object_get(point, "coordinates");
    pt_t p;
    if (!g || geo_fwd(g, json_number_value(json_array_get(co, 0)), json_number_value(json_array_get(co, 1)), &p))
        return NULL;
    for (int i = 0; i < s->nsectors; i++)
        if (p.x >= s->sectors[i].x0 && p.x <= s->sectors[i].x1 && p.y >= s->sectors[i].y0 && p.y <= s->sectors[i].y1 &&
            shape_contains(&s->sectors[i], p))
            return s->sector_ids[i];
    return NULL;
}

static int sector_index(truce_t *t, const char *id)
{
    for (int i = 0; id && i < S(t)->nsectors; i++)
        if (!strcmp(S(t)->sector_ids[i], id)) return i;
    return -1;
}

int32_t mission_day(truce_t *t, int64_t ms)
{
    return tz_day(org_timezone(t), ms);
}

static int casualty_sum(const json_t *c, const char *which)
{
    json_t *o = json_object_get(c, which);
    int n = 0;
    for (int i = 0; casualty_groups[i]; i++) n += (int)json_integer_value(json_object_get(o, casualty_groups[i]));
    return n;
}

/* The row of record number n from the record (after any change to it). */
static void row_of(truce_t *t, size_t n)
{
    incident_state_t *s = S(t);
    json_t *rec = s->recs[n];
    inc_t *r = &s->rows[n];
    memset(r, 0, sizeof *r);
    r->at = rec_time(rec, "occurred_at");
    r->day = mission_day(t, r->at);
    r->vis = (uint16_t)set_of(s, json_object_get(rec, "_labels"));
    int ti = type_index(rec_str(rec, "type"));
    r->type = (uint8_t)(ti < 0 ? type_index("other") : ti);
    r->status = (uint8_t)rec_index(statuses, rec_str(rec, "status"));
    int si = sector_index(t, rec_str(rec, "sector"));
    r->sector = (uint8_t)(si + 1);
    r->killed = (uint32_t)casualty_sum(json_object_get(rec, "casualties"), "killed");
    r->injured = (uint32_t)casualty_sum(json_object_get(rec, "casualties"), "injured");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(rec, "parties"), i, p)
    {
        if (!rec_str(p, "party")) r->named = 1;
        int k = party_of(s, rec_str(p, "party"));
        mask_set(r->any, k);
        if (!strcmp(rec_str(p, "role") ? rec_str(p, "role") : "", "perpetrator")) mask_set(r->perp, k);
    }
    json_array_foreach(json_object_get(rec, "attribution"), i, p) mask_set(r->attr, party_of(s, json_string_value(p)));
    json_object_set_new(rec, "casualties_total", json_pack("{s:i, s:i}", "killed", (int)r->killed, "injured", (int)r->injured));
}

static void feed_add(truce_t *t, int64_t at, size_t n, const char *what, int status)
{
    incident_state_t *s = S(t);
    if (at < util_now_ms() - FEED_KEEP_MS) return;
    if (s->nfeed == s->capfeed) {
        size_t cap = s->capfeed ? s->capfeed * 2 : 1024;
        feed_t *f = realloc(s->feed, cap * sizeof *f);
        if (!f) return;
        s->feed = f;
        s->capfeed = cap;
    }
    feed_t *f = &s->feed[s->nfeed++];
    f->at = at;
    f->n = (uint32_t)n;
    f->status = (uint8_t)(status < 0 ? 0 : status);
    snprintf(f->what, sizeof f->what, "%s", what);
}

static void history_add(json_t *rec, const event_t *ev, const char *what, const char *note)
{
    char at[32];
    time_format(ev->time, at);
    json_array_append_new(json_object_get(rec, "history"),
                          json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I}", "status", rec_str(rec, "status"), "event", what,
                                    "at", at, "by", ev->actor, "note", note, "seq", (json_int_t)ev->seq));
}

/* ---- apply ---- */

static int grow(incident_state_t *s, size_t need)
{
    if (need <= s->cap) return 0;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < need) cap *= 2;
    json_t **r = realloc(s->recs, cap * sizeof *r);
    if (!r) return -1;
    s->recs = r;
    inc_t *w = realloc(s->rows, cap * sizeof *w);
    if (!w) return -1;
    s->rows = w;
    s->cap = cap;
    return 0;
}

static void apply_reported(truce_t *t, const event_t *ev)
{
    incident_state_t *s = S(t);
    uint64_t n = rec_id_num(ev->subject, "INC-");
    if (!n || n != s->n + 1 || grow(s, n)) return;
    json_t *rec = json_deep_copy(ev->body);
    json_object_set_new(rec, "id", json_string(ev->subject));
    json_object_set_new(rec, "status", json_string("reported"));
    json_object_set_new(rec, "reported_by", json_string(ev->actor));
    json_object_set_new(rec, "reported_org", json_string(rec_str(ev->body, "org") ? rec_str(ev->body, "org") : ev->org));
    json_object_del(rec, "org");
    rec_set_time(rec, "reported_at", ev->time);
    json_object_set_new(rec, "violation", json_boolean(types[type_index(rec_str(rec, "type")) < 0 ? 0 : type_index(rec_str(rec, "type"))].violation));
    const char *sec = sector_at(t, json_object_get(rec, "location"));
    if (sec) json_object_set_new(rec, "sector", json_string(sec));
    json_object_set_new(rec, "history", json_array());
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    json_object_set_new(rec, "_base", json_deep_copy(ev->labels));
    json_object_set_new(rec, "_sources", json_array());
    const char *acled = rec_str(rec, "acled_id");
    if (acled) json_object_set_new(s->acled, acled, json_string(ev->subject));
    s->recs[n - 1] = rec;
    s->n = n;
    history_add(rec, ev, "reported", NULL);
    row_of(t, n - 1);
    feed_add(t, ev->time, n - 1, "reported", ST_REPORTED);
}

/* The sources' identities: {"sources": [{"name", "reference"?}]}, index-
 * aligned with the record's sources from "from" on; each keeps the event's
 * labels (who may see that name). */
static void apply_sources(truce_t *t, const event_t *ev)
{
    json_t *rec = rec_by_id(t, ev->subject);
    if (!rec) return;
    json_t *det = json_object_get(rec, "_sources");
    size_t from = (size_t)json_integer_value(json_object_get(ev->body, "from"));
    while (json_array_size(det) > from) json_array_remove(det, json_array_size(det) - 1);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(ev->body, "sources"), i, x)
    {
        json_t *d = json_deep_copy(x);
        json_object_set_new(d, "_labels", json_deep_copy(ev->labels));
        json_array_append_new(det, d);
    }
}

static void apply_status(truce_t *t, const event_t *ev)
{
    json_t *rec = rec_by_id(t, ev->subject);
    if (!rec) return;
    const char *st = rec_str(ev->body, "status");
    json_object_set_new(rec, "status", json_string(st));
    json_t *v;
    if ((v = json_object_get(ev->body, "attribution"))) json_object_set(rec, "attribution", v);
    if ((v = json_object_get(ev->body, "confidence"))) json_object_set(rec, "confidence", v);
    json_object_set_new(rec, "_labels", json_deep_copy(ev->labels));
    if (!strcmp(st, "confirmed") || !strcmp(st, "unconfirmed") || !strcmp(st, "refuted")) {
        json_object_set_new(rec, "reviewed_by", json_string(ev->actor));
        rec_set_time(rec, "reviewed_at", ev->time);
    }
    history_add(rec, ev, rec_str(ev->body, "action") ? rec_str(ev->body, "action") : st, rec_str(ev->body, "note"));
    size_t n = rec_id_num(ev->subject, "INC-") - 1;
    row_of(t, n);
    feed_add(t, ev->time, n, rec_str(ev->body, "action") ? rec_str(ev->body, "action") : st, S(t)->rows[n].status);
}

static void apply_amended(truce_t *t, const event_t *ev)
{
    json_t *rec = rec_by_id(t, ev->subject);
    if (!rec) return;
    const char *k;
    json_t *v;
    json_object_foreach(ev->body, k, v) if (strcmp(k, "note")) json_object_set(rec, k, v);
    if (json_object_get(ev->body, "type"))
        json_object_set_new(rec, "violation", json_boolean(types[type_index(rec_str(rec, "type")) < 0 ? 0 : type_index(rec_str(rec, "type"))].violation));
    if (json_object_get(ev->body, "location")) {
        const char *sec = sector_at(t, json_object_get(rec, "location"));
        if (sec) json_object_set_new(rec, "sector", json_string(sec));
        else json_object_del(rec, "sector");
    }
    history_add(rec, ev, "amended", rec_str(ev->body, "note"));
    size_t n = rec_id_num(ev->subject, "INC-") - 1;
    row_of(t, n);
    feed_add(t, ev->time, n, "amended", S(t)->rows[n].status);
}

static void union_into(json_t *into, const json_t *from, const char *key, const char *by)
{
    json_t *a = json_object_get(into, key);
    if (!a) json_object_set_new(into, key, a = json_array());
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(json_object_get(from, key), i, x)
    {
        int have = 0;
        json_array_foreach(a, j, y)
        {
            if (by ? rec_str(x, by) && rec_str(y, by) && !strcmp(rec_str(x, by), rec_str(y, by)) &&
                         !strcmp(rec_str(x, "role") ? rec_str(x, "role") : "", rec_str(y, "role") ? rec_str(y, "role") : "")
                   : json_equal(x, y))
                have = 1;
        }
        if (!have) json_array_append(a, x);
    }
}

/* {id} is merged into body.into: nothing of either is lost. */
static void apply_merged(truce_t *t, const event_t *ev)
{
    json_t *rec = rec_by_id(t, ev->subject), *into = rec_by_id(t, rec_str(ev->body, "into"));
    if (!rec || !into) return;
    json_object_set_new(rec, "status", json_string("merged"));
    json_object_set(rec, "merged_into", json_object_get(ev->body, "into"));
    history_add(rec, ev, "merged", rec_str(ev->body, "note"));
    json_t *mf = json_object_get(into, "merged_from");
    if (!mf) json_object_set_new(into, "merged_from", mf = json_array());
    json_array_append_new(mf, json_string(ev->subject));
    /* sources: public part and identities stay index-aligned */
    size_t i;
    json_t *x;
    json_t *srcs = json_object_get(into, "sources");
    if (!srcs) json_object_set_new(into, "sources", srcs = json_array());
    json_t *det = json_object_get(into, "_sources");
    while (json_array_size(det) < json_array_size(srcs)) json_array_append_new(det, json_object());
    json_array_foreach(json_object_get(rec, "sources"), i, x)
    {
        json_t *src = json_deep_copy(x);
        json_object_set(src, "from_report", json_object_get(rec, "id"));
        json_array_append_new(srcs, src);
        json_t *d = json_array_get(json_object_get(rec, "_sources"), i);
        json_array_append_new(det, d ? json_deep_copy(d) : json_object());
    }
    union_into(into, rec, "parties", "party");
    json_t *links = json_object_get(into, "links");
    if (!links) json_object_set_new(into, "links", links = json_object());
    const char *k;
    json_object_foreach(json_object_get(rec, "links"), k, x) union_into(links, json_object_get(rec, "links"), k, NULL);
    /* casualties: the larger of each figure */
    json_t *c = json_object_get(into, "casualties");
    if (!c) json_object_set_new(into, "casualties", c = json_object());
    for (int w = 0; w < 2; w++) {
        const char *which = w ? "injured" : "killed";
        json_t *a = json_object_get(c, which), *b = json_object_get(json_object_get(rec, "casualties"), which);
        if (!a) json_object_set_new(c, which, a = json_object());
        for (int g = 0; casualty_groups[g]; g++) {
            json_int_t va = json_integer_value(json_object_get(a, casualty_groups[g]));
            json_int_t vb = json_integer_value(json_object_get(b, casualty_groups[g]));
            if (vb > va) json_object_set_new(a, casualty_groups[g], json_integer(vb));
        }
    }
    history_add(into, ev, "merged_from", rec_str(ev->body, "note"));
    size_t a = rec_id_num(ev->subject, "INC-") - 1, b = rec_id_num(rec_str(ev->body, "into"), "INC-") - 1;
    row_of(t, a);
    row_of(t, b);
    feed_add(t, ev->time, a, "merged", ST_MERGED);
}

static int metric_per_week(truce_t *t, const char *sector, int64_t from, int64_t until, double *value, json_t *evidence);
static int vetting_perpetrators(truce_t *t, const json_t *person, json_t *result);

static int inc_init(truce_t *t)
{
    incident_state_t *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->sets = json_object();
    s->set_list = json_array();
    s->parties = json_object();
    s->acled = json_object();
    t->incident = s;
    gate_metric_register("incidents_per_week", metric_per_week);
    psf_vetting_check_register("incident_perpetrators", vetting_perpetrators);
    return 0;
}

static void inc_release(truce_t *t)
{
    incident_state_t *s = t->incident;
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) json_decref(s->recs[i]);
    free(s->recs);
    free(s->rows);
    free(s->feed);
    for (int i = 0; i < s->nsectors; i++) shape_free(&s->sectors[i]);
    json_decref(s->sets);
    json_decref(s->set_list);
    json_decref(s->parties);
    json_decref(s->acled);
    free(s);
    t->incident = NULL;
}

static void inc_dump(truce_t *t, json_t *out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < S(t)->n; i++) json_array_append(a, S(t)->recs[i]);
    json_object_set_new(out, "incidents", a);
}

static int inc_save(truce_t *t, buf_t *b)
{
    json_t *a = json_array();
    for (size_t i = 0; i < S(t)->n; i++) json_array_append(a, S(t)->recs[i]);
    return rec_save_json(b, a);
}

static int cmp_feed(const void *a, const void *b)
{
    const feed_t *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int inc_load(truce_t *t, const char *p, size_t len)
{
    incident_state_t *s = S(t);
    sectors_refresh(t);
    json_t *a = json_loadb(p, len, 0, NULL);
    if (!json_is_array(a) || grow(s, json_array_size(a) + 1)) {
        json_decref(a);
        return -1;
    }
    size_t i;
    json_t *rec;
    json_array_foreach(a, i, rec)
    {
        s->recs[i] = json_incref(rec);
        s->n = i + 1;
        row_of(t, i);
        if (rec_str(rec, "acled_id")) json_object_set_new(s->acled, rec_str(rec, "acled_id"), json_string(rec_str(rec, "id")));
        size_t k;
        json_t *h;
        json_array_foreach(json_object_get(rec, "history"), k, h)
        {
            /* the same items the live server added, in the same order */
            if (!strcmp(rec_str(h, "event"), "merged_from")) continue;
            feed_add(t, rec_time(h, "at"), i, rec_str(h, "event"), rec_index(statuses, rec_str(h, "status")));
        }
    }
    if (s->nfeed) qsort(s->feed, s->nfeed, sizeof *s->feed, cmp_feed); /* stable enough: ties keep record order */
    json_decref(a);
    return 0;
}

static const kind_def_t inc_kinds[] = {
    {"incident.reported", apply_reported},
    {"incident.sources", apply_sources},
    {"incident.status", apply_status},
    {"incident.amended", apply_amended},
    {"incident.merged", apply_merged},
    {NULL, NULL},
};

const module_t incident_module = {"incident", inc_kinds, inc_init, inc_release, inc_dump, inc_save, inc_load};

/* ---- labels and readers ---- */

static json_t *base_labels(const char *org)
{
    json_t *l = json_pack("[s,s,s]", "org:CMCC", "org:ISF-HQ", "role:leadership");
    if (org && strcmp(org, "CMCC") && strcmp(org, "ISF-HQ")) {
        char own[80];
        snprintf(own, sizeof own, "org:%s", org);
        json_array_append_new(l, json_string(own));
    }
    return l;
}

static json_t *labels_for(const json_t *rec, const char *status)
{
    json_t *l = json_deep_copy(json_object_get(rec, "_base"));
    if (!strcmp(status, "confirmed")) json_array_append_new(l, json_string("all"));
    return l;
}

static int may_see(const principal_t *who, const json_t *labels)
{
    return !who || auth_may_see(who, labels);
}

/* One byte per label set: whether who may see it. Caller frees. */
static uint8_t *view_of(truce_t *t, const principal_t *who)
{
    size_t n = json_array_size(S(t)->set_list);
    uint8_t *v = malloc(n ? n : 1);
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++) v[i] = (uint8_t)may_see(who, json_array_get(S(t)->set_list, i));
    return v;
}

/* Labels of a linked record of the given kind, or NULL when there is none. */
static json_t *link_labels(truce_t *t, const char *kind, const char *id)
{
    if (!strcmp(kind, "operations")) return ops_labels(t, id);
    if (!strcmp(kind, "tasks")) return json_object_get(isf_task(t, id), "_labels");
    if (!strcmp(kind, "movements")) return json_object_get(notify_movement(t, id), "_labels");
    if (!strcmp(kind, "consignments")) return aid_consignment(t, id) ? json_object_get(aid_consignment(t, id), "_labels") : NULL;
    return NULL;
}

/* The incident as who may see it. New reference. */
static json_t *out_rec(truce_t *t, const principal_t *who, const json_t *rec)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    size_t i;
    json_object_foreach((json_t *)rec, k, v) if (k[0] != '_') json_object_set(o, k, v);
    if (may_see(who, json_object_get(rec, "_base"))) {
        json_object_set(o, "labels", json_object_get(rec, "_labels"));
    } else {
        /* a reader who sees it only because it was confirmed (humanitarian
         * organisations) learns what happened, not who in the mission
         * reported or reviewed it */
        const char *hide[] = {"reported_by", "reported_org", "reviewed_by"};
        for (int h = 0; h < 3; h++) json_object_del(o, hide[h]);
        json_t *hist = json_array();
        json_array_foreach(json_object_get(rec, "history"), i, v)
        {
            json_t *x = json_deep_copy(v);
            json_object_del(x, "by");
            json_array_append_new(hist, x);
        }
        json_object_set_new(o, "history", hist);
    }
    json_t *srcs = json_array(), *det = json_object_get(rec, "_sources");
    json_array_foreach(json_object_get(rec, "sources"), i, v)
    {
        json_t *s = json_deep_copy(v);
        json_t *d = json_array_get(det, i);
        if (d && may_see(who, json_object_get(d, "_labels"))) {
            json_object_foreach(d, k, v) if (k[0] != '_') json_object_set(s, k, v);
        }
        json_array_append_new(srcs, s);
    }
    json_object_set_new(o, "sources", srcs);
    json_t *links = json_object_get(rec, "links");
    if (links) {
        json_t *ol = json_object();
        json_object_foreach(links, k, v)
        {
            json_t *a = json_array();
            size_t j;
            json_t *id;
            json_array_foreach(v, j, id)
            {
                json_t *l = link_labels(t, k, json_string_value(id));
                if (l && may_see(who, l)) json_array_append(a, id);
            }
            json_object_set_new(ol, k, a);
        }
        json_object_set_new(o, "links", ol);
    }
    return o;
}

/* ---- input ---- */

static json_t *settings_groups(truce_t *t)
{
    return json_object_get(notify_settings(t), "armed_groups");
}

static int party_known(truce_t *t, const char *id)
{
    if (!id) return 0;
    if (org_exists(t, id)) return 1;
    size_t i;
    json_t *g;
    json_array_foreach(settings_groups(t), i, g) if (!strcmp(rec_str(g, "id"), id)) return 1;
    return 0;
}

static const field_t party_fields[] = {
    {"party", F_ID, 0, 0, 0, 48, NULL, "an organisation of the registry or a named armed group"},
    {"name", F_STR, 0, 1, 0, 200, NULL, "an actor not in the lists (imports)"},
    {"role", F_ENUM, 1, 0, 0, 0, party_roles, "perpetrator, target or involved"},
    {NULL},
};
static const field_t source_fields[] = {
    {"kind", F_ENUM, 1, 0, 0, 0, source_kinds, "what kind of source"},
    {"name", F_STR, 1, 1, 0, 200, NULL, "who or what (reaches the CMCC only)"},
    {"reference", F_STR, 0, 1, 0, 200, NULL, "a reference (reaches the CMCC only)"},
    {"reliability", F_ENUM, 1, 0, 0, 0, reliability, "A (reliable) to F (cannot be judged)"},
    {"credibility", F_ENUM, 1, 0, 0, 0, credibility, "1 (confirmed) to 6 (cannot be judged)"},
    {NULL},
};
static const field_t counts_fields[] = {
    {"civilian", F_INT, 0, 0, 100000, 0, NULL, "civilians"},
    {"combatant", F_INT, 0, 0, 100000, 0, NULL, "combatants"},
    {"isf", F_INT, 0, 0, 100000, 0, NULL, "ISF personnel"},
    {"idf", F_INT, 0, 0, 100000, 0, NULL, "IDF personnel"},
    {"other", F_INT, 0, 0, 100000, 0, NULL, "others"},
    {NULL},
};
static const field_t casualty_fields[] = {
    {"killed", F_OBJECT, 0, 0, 0, 0, NULL, "killed by group", counts_fields},
    {"injured", F_OBJECT, 0, 0, 0, 0, NULL, "injured by group", counts_fields},
    {NULL},
};
static const field_t link_fields[] = {
    {"operations", F_IDLIST, 0, 0, 20, 32, NULL, "OPN-..."},
    {"tasks", F_IDLIST, 0, 0, 20, 32, NULL, "TSK-..."},
    {"movements", F_IDLIST, 0, 0, 20, 32, NULL, "MOV-..."},
    {"consignments", F_IDLIST, 0, 0, 20, 32, NULL, "CSG-..."},
    {NULL},
};

#define INCIDENT_FIELDS(req)                                                                                          \
    {"type", F_ENUM, req, 0, 0, 0, type_ids, "type (GET /api/v1/incidents/taxonomy)"},                             \
    {"title", F_STR, req, 1, 0, 200, NULL, "a short title"},                                                        \
    {"description", F_STR, 0, 0, 0, 8000, NULL, "what happened"},                                                  \
    {"occurred_at", F_TIME, req, 0, 0, 0, NULL, "when it happened"},                                               \
    {"time_precision", F_ENUM, req, 0, 0, 0, time_precisions, "minute, hour, day, week or month"},                 \
    {"location", F_GEOJSON, req, 0, 0, 0, NULL, "GeoJSON Point inside the mission area"},                          \
    {"location_precision", F_ENUM, req, 0, 0, 0, location_precisions, "exact, town or district"},                  \
    {"parties", F_ARRAY, 0, 0, 20, 0, NULL, "[{party or name, role}]"},                                            \
    {"casualties", F_OBJECT, 0, 0, 0, 0, NULL, "killed and injured by group", casualty_fields},                    \
    {"sources", F_ARRAY, 0, 0, 20, 0, NULL, "[{kind, name, reference, reliability A-F, credibility 1-6}]"},          \
    {"links", F_OBJECT, 0, 0, 0, 0, NULL, "operations, tasks, movements, consignments", link_fields}

const field_t incident_fields[] = {INCIDENT_FIELDS(1), {NULL}};
const field_t incident_amend_fields[] = {INCIDENT_FIELDS(0), {"note", F_STR, 0, 1, 0, 2000, NULL, "why"}, {NULL}};

const field_t incident_action_fields[] = {
    {"attribution", F_STRLIST, 0, 1, 10, 48, NULL, "the parties responsible (confirm, unconfirm)"},
    {"confidence", F_ENUM, 0, 0, 0, 0, confidences, "low, medium or high"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "why (required to unconfirm, refute and reopen)"},
    {NULL},
};

const field_t merge_fields[] = {
    {"into", F_ID, 1, 0, 0, 32, NULL, "the incident this report is merged into (INC-...)"},
    {"note", F_STR, 0, 1, 0, 2000, NULL, "why"},
    {NULL},
};

/* Everything the schema cannot say; who is the reporter (NULL: the system). */
static int check_report(truce_t *t, const principal_t *who, const json_t *in, err_t *e)
{
    char name[64];
    json_t *v;
    size_t i;
    if ((v = json_object_get(in, "location"))) {
        shape_t s;
        if (geo_shape_from_json(notify_geo(t), v, 1 << SH_POINT, "location", &s, e)) return -1;
        shape_free(&s);
    }
    if (json_object_get(in, "occurred_at") && rec_time(in, "occurred_at") > util_now_ms() + 60000)
        return err_set(e, E_OUT_OF_RANGE, "occurred_at", "occurred_at is in the future");
    json_array_foreach(json_object_get(in, "parties"), i, v)
    {
        snprintf(name, sizeof name, "parties[%zu]", i);
        if (!json_is_object(v)) return err_set(e, E_BAD_TYPE, name, "%s must be an object", name);
        if (schema_check_in(v, party_fields, name, e)) return -1;
        if (!!rec_str(v, "party") == !!rec_str(v, "name")) {
            snprintf(name, sizeof name, "parties[%zu].party", i);
            return err_set(e, E_MISSING_FIELD, name, "%s: give a party id, or a name for an actor not in the lists", name);
        }
        if (rec_str(v, "party") && !party_known(t, rec_str(v, "party"))) {
            snprintf(name, sizeof name, "parties[%zu].party", i);
            return err_set(e, E_BAD_VALUE, name, "%s: no party %s (organisations and named armed groups)", name,
                           rec_str(v, "party"));
        }
    }
    json_array_foreach(json_object_get(in, "sources"), i, v)
    {
        snprintf(name, sizeof name, "sources[%zu]", i);
        if (!json_is_object(v)) return err_set(e, E_BAD_TYPE, name, "%s must be an object", name);
        if (schema_check_in(v, source_fields, name, e)) return -1;
    }
    const char *k;
    json_object_foreach(json_object_get(in, "links"), k, v)
    {
        json_t *id;
        json_array_foreach(v, i, id)
        {
            json_t *l = link_labels(t, k, json_string_value(id));
            if (!l || !may_see(who, l)) {
                snprintf(name, sizeof name, "links.%s[%zu]", k, i);
                return err_set(e, E_BAD_VALUE, name, "%s: no %s you may see", name, json_string_value(id));
            }
        }
    }
    return 0;
}

/* Splits a report into its public body and the sources' identities. */
static json_t *public_body(const json_t *in, json_t **idents)
{
    json_t *body = json_deep_copy(in);
    json_t *srcs = json_object_get(body, "sources");
    *idents = NULL;
    if (srcs) {
        *idents = json_array();
        size_t i;
        json_t *s;
        json_array_foreach(srcs, i, s)
        {
            json_t *id = json_pack("{s:O}", "name", json_object_get(s, "name"));
            if (json_object_get(s, "reference")) json_object_set(id, "reference", json_object_get(s, "reference"));
            json_array_append_new(*idents, id);
            json_object_del(s, "name");
            json_object_del(s, "reference");
        }
    }
    return body;
}

/* Who sees the sources' identities: the CMCC, the account that reported
 * the incident, and the one giving them now. */
static json_t *source_labels(const principal_t *who, const char *reporter)
{
    json_t *l = json_pack("[s]", "org:CMCC");
    const char *users[] = {reporter, who && strcmp(who->org, "CMCC") ? who->username : NULL};
    for (int k = 0; k < 2; k++) {
        if (!users[k] || !strcmp(users[k], "system")) continue;
        char u[96];
        snprintf(u, sizeof u, "user:%s", users[k]);
        if (!rec_has(l, u)) json_array_append_new(l, json_string(u));
    }
    return l;
}

/* Drafts one report as number n (writer thread; already checked). */
static int draft_report(truce_t *t, cmd_t *c, const json_t *in, uint64_t n, const char *org, err_t *e)
{
    char id[32];
    snprintf(id, sizeof id, "INC-%llu", (unsigned long long)n);
    json_t *idents;
    json_t *body = public_body(in, &idents);
    if (!c->who && org) json_object_set_new(body, "org", json_string(org));
    if (t->exercise && !json_object_get(body, "exercise")) json_object_set_new(body, "exercise", json_true());
    json_object_del(body, "status");
    json_object_del(body, "attribution");
    json_object_del(body, "confidence");
    json_object_del(body, "note");
    if (cmd_draft(c, "incident.reported", id, base_labels(c->who ? c->who->org : org), body, e)) {
        json_decref(idents);
        return -1;
    }
    if (json_array_size(idents))
        return cmd_draft(c, "incident.sources", id, source_labels(c->who, NULL), json_pack("{s:i, s:o}", "from", 0, "sources", idents), e);
    json_decref(idents);
    return 0;
}

int incident_draft_report(truce_t *t, cmd_t *c, const json_t *in, char *id_out, size_t n, err_t *e)
{
    uint64_t next = S(t)->n + 1;
    for (int i = 0; i < c->ndrafts; i++)
        if (!strcmp(c->drafts[i].kind, "incident.reported")) next++;
    snprintf(id_out, n, "INC-%llu", (unsigned long long)next);
    return draft_report(t, c, in, next, c->who ? c->who->org : NULL, e);
}

static int prepare_report(truce_t *t, cmd_t *c, err_t *e)
{
    if (check_report(t, c->who, c->arg, e)) return -1;
    uint64_t n = S(t)->n + 1;
    snprintf(c->result_id, sizeof c->result_id, "INC-%llu", (unsigned long long)n);
    return draft_report(t, c, c->arg, n, NULL, e);
}

static json_t *status_body(const char *status, const char *action, const json_t *in)
{
    json_t *b = json_pack("{s:s, s:s}", "status", status, "action", action);
    const char *keys[] = {"attribution", "confidence", "note"};
    for (int k = 0; k < 3; k++)
        if (json_object_get(in, keys[k])) json_object_set(b, keys[k], json_object_get(in, keys[k]));
    return b;
}

int incident_prepare_scenario(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *org = rec_str(in, "org");
    if (!org || !org_exists(t, org)) return err_set(e, E_BAD_VALUE, "org", "no organisation %s", org ? org : "");
    json_t *probe = json_deep_copy(in);
    const char *drop[] = {"org", "status", "attribution", "confidence", "exercise", "note"};
    for (int k = 0; k < 6; k++) json_object_del(probe, drop[k]);
    int bad = schema_check(probe, incident_fields, e) || check_report(t, NULL, probe, e);
    json_decref(probe);
    if (bad) return -1;
    uint64_t n = S(t)->n + 1;
    for (int i = 0; i < c->ndrafts; i++)
        if (!strcmp(c->drafts[i].kind, "incident.reported")) n++;
    snprintf(c->result_id, sizeof c->result_id, "INC-%llu", (unsigned long long)n);
    if (draft_report(t, c, in, n, org, e)) return -1;
    const char *st = rec_str(in, "status");
    if (!st || !strcmp(st, "reported")) return 0;
    json_t *rec = json_pack("{s:o}", "_base", base_labels(org));
    if (cmd_draft(c, "incident.status", c->result_id, labels_for(rec, "under_review"),
                  status_body("under_review", "review", NULL), e)) {
        json_decref(rec);
        return -1;
    }
    static const char *const action_of[][2] = {{"confirmed", "confirm"}, {"unconfirmed", "unconfirm"}, {"refuted", "refute"}};
    const char *action = NULL;
    for (int k = 0; k < 3; k++)
        if (!strcmp(action_of[k][0], st)) action = action_of[k][1];
    if (strcmp(st, "under_review") && !action) {
        json_decref(rec);
        return err_set(e, E_BAD_VALUE, "status", "a scenario incident is reported, under_review, confirmed, unconfirmed or refuted");
    }
    int rc = action ? cmd_draft(c, "incident.status", c->result_id, labels_for(rec, st), status_body(st, action, in), e) : 0;
    json_decref(rec);
    return rc;
}

typedef struct {
    const char *id, *action;
    json_t *in;
} inc_op_t;

/* The life cycle: action -> (allowed from, to). */
static const struct {
    const char *action, *from, *to;
} moves[] = {
    {"review", "reported", "under_review"},
    {"confirm", "under_review", "confirmed"},
    {"unconfirm", "under_review", "unconfirmed"},
    {"refute", "under_review", "refuted"},
    {"reopen", "confirmed unconfirmed refuted", "under_review"},
};

static int prepare_action(truce_t *t, cmd_t *c, err_t *e)
{
    inc_op_t *op = c->arg;
    json_t *rec = rec_by_id(t, op->id);
    if (!rec || !may_see(c->who, json_object_get(rec, "_labels")))
        return err_set(e, E_NOT_FOUND, NULL, "no %s you may see", op->id);
    const char *st = rec_str(rec, "status");
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        if (strcmp(moves[i].action, op->action)) continue;
        if (!rec_word_in(moves[i].from, st))
            return err_set(e, E_CONFLICT, "status", "%s is %s: it cannot be %s", op->id, st,
                           !strcmp(op->action, "review") ? "put under review" : op->action);
        const char *to = moves[i].to;
        json_t *in = op->in;
        if (!strcmp(to, "confirmed")) {
            if (!json_object_get(in, "attribution"))
                return err_set(e, E_MISSING_FIELD, "attribution", "confirming needs the attribution (may be [\"UNKNOWN\"])");
            if (!json_object_get(in, "confidence"))
                return err_set(e, E_MISSING_FIELD, "confidence", "confirming needs a confidence level");
        }
        if ((!strcmp(to, "refuted") || !strcmp(to, "unconfirmed") || !strcmp(op->action, "reopen")) && !rec_str(in, "note"))
            return err_set(e, E_MISSING_FIELD, "note", "say why");
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(in, "attribution"), k, p) if (!party_known(t, json_string_value(p)))
        {
            char f[32];
            snprintf(f, sizeof f, "attribution[%zu]", k);
            return err_set(e, E_BAD_VALUE, f, "%s: no party %s", f, json_string_value(p));
        }
        if ((!strcmp(to, "under_review") || !strcmp(to, "refuted")) &&
            (json_object_get(in, "attribution") || json_object_get(in, "confidence")))
            return err_set(e, E_BAD_VALUE, json_object_get(in, "attribution") ? "attribution" : "confidence",
                           "attribution and confidence go with confirm or unconfirm");
        snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
        return cmd_draft(c, "incident.status", op->id, labels_for(rec, to), status_body(to, op->action, in), e);
    }
    return err_set(e, E_NOT_FOUND, NULL, "no such action");
}

static int prepare_amend(truce_t *t, cmd_t *c, err_t *e)
{
    inc_op_t *op = c->arg;
    json_t *rec = rec_by_id(t, op->id);
    if (!rec || !may_see(c->who, json_object_get(rec, "_labels")))
        return err_set(e, E_NOT_FOUND, NULL, "no %s you may see", op->id);
    const char *st = rec_str(rec, "status");
    int reviewer = c->who && (c->who->perms & (1ull << P_INCIDENT_REVIEW));
    int reporter = c->who && !strcmp(rec_str(rec, "reported_by"), c->who->username);
    if (!strcmp(st, "merged")) return err_set(e, E_CONFLICT, "status", "%s was merged into %s", op->id, rec_str(rec, "merged_into"));
    if (!reviewer && !(reporter && !strcmp(st, "reported")))
        return err_set(e, E_FORBIDDEN, NULL, "only its reporter (while reported) or the CMCC may amend %s", op->id);
    if (json_object_size(op->in) == 0 || (json_object_size(op->in) == 1 && json_object_get(op->in, "note")))
        return err_set(e, E_MISSING_FIELD, NULL, "nothing to change");
    if (check_report(t, c->who, op->in, e)) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    json_t *idents;
    json_t *body = public_body(op->in, &idents);
    if (cmd_draft(c, "incident.amended", op->id, json_incref(json_object_get(rec, "_labels")), body, e)) {
        json_decref(idents);
        return -1;
    }
    if (idents)
        return cmd_draft(c, "incident.sources", op->id, source_labels(c->who, rec_str(rec, "reported_by")), json_pack("{s:i, s:o}", "from", 0, "sources", idents), e);
    return 0;
}

static json_t *labels_union(const json_t *a, const json_t *b)
{
    json_t *l = json_deep_copy(a);
    size_t i;
    json_t *x;
    json_array_foreach(b, i, x) if (!rec_has(l, json_string_value(x))) json_array_append(l, x);
    return l;
}

static int prepare_merge(truce_t *t, cmd_t *c, err_t *e)
{
    inc_op_t *op = c->arg;
    json_t *rec = rec_by_id(t, op->id);
    if (!rec || !may_see(c->who, json_object_get(rec, "_labels")))
        return err_set(e, E_NOT_FOUND, NULL, "no %s you may see", op->id);
    const char *into = rec_str(op->in, "into");
    json_t *dst = rec_by_id(t, into);
    if (!dst || !may_see(c->who, json_object_get(dst, "_labels")))
        return err_set(e, E_BAD_VALUE, "into", "no %s you may see", into);
    if (dst == rec) return err_set(e, E_CONFLICT, "into", "an incident cannot be merged into itself");
    const char *st = rec_str(rec, "status"), *dst_st = rec_str(dst, "status");
    if (!rec_word_in("reported under_review unconfirmed", st))
        return err_set(e, E_CONFLICT, "status", "%s is %s: only reported, under-review or unconfirmed reports are merged", op->id, st);
    if (!strcmp(dst_st, "merged") || !strcmp(dst_st, "refuted"))
        return err_set(e, E_CONFLICT, "into", "%s is %s", into, dst_st);
    snprintf(c->result_id, sizeof c->result_id, "%s", op->id);
    json_t *body = json_pack("{s:s}", "into", into);
    if (rec_str(op->in, "note")) json_object_set(body, "note", json_object_get(op->in, "note"));
    return cmd_draft(c, "incident.merged", op->id, labels_union(json_object_get(rec, "_labels"), json_object_get(dst, "_labels")),
                     body, e);
}

/* ---- handlers ---- */

static int reply_incident(req_t *r, int status, cmd_t *c, const char *id)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = rec_by_id(r->t, id);
    json_t *o = rec ? out_rec(r->t, &r->who, rec) : json_null();
    pthread_rwlock_unlock(&r->t->lock);
    return reply_written(r, status, c, json_pack("{s:o}", "incident", o));
}

static int need_geo(req_t *r)
{
    if (notify_geo(r->t)) return 0;
    return reply_error(r, E_UNAVAILABLE, NULL, "the mission has no geography configured");
}

int h_incidents_add(req_t *r)
{
    if (need_geo(r)) return -1;
    cmd_t c = {.who = &r->who, .prepare = prepare_report, .arg = r->json};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_incident(r, 201, &c, c.result_id);
}

int h_incident_action(req_t *r)
{
    inc_op_t op = {.id = r->params[0], .action = strrchr(r->path, '/') + 1, .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_action, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_incident(r, 200, &c, op.id);
}

int h_incident_amend(req_t *r)
{
    if (need_geo(r)) return -1;
    inc_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_amend, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_incident(r, 200, &c, op.id);
}

int h_incident_merge(req_t *r)
{
    inc_op_t op = {.id = r->params[0], .in = r->json};
    cmd_t c = {.who = &r->who, .prepare = prepare_merge, .arg = &op};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_incident(r, 200, &c, rec_str(r->json, "into"));
}

int h_incident_get(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rec = rec_by_id(r->t, r->params[0]);
    json_t *o = rec && may_see(&r->who, json_object_get(rec, "_labels")) ? out_rec(r->t, &r->who, rec) : NULL;
    pthread_rwlock_unlock(&r->t->lock);
    if (!o) return reply_error(r, E_NOT_FOUND, NULL, "no %s you may see", r->params[0]);
    return reply_json(r, 200, json_pack("{s:o}", "incident", o));
}

int h_incident_taxonomy(req_t *r)
{
    json_t *ts = json_array(), *ps = json_array();
    for (int i = 0; i < NTYPES; i++)
        json_array_append_new(ts, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "id", types[i].id, "label", types[i].label,
                                            "acled_event_type", types[i].acled_event, "acled_sub_event_type",
                                            types[i].acled_sub, "violation", types[i].violation, "mission",
                                            types[i].mission));
    pthread_rwlock_rdlock(&r->t->lock);
    size_t i;
    json_t *g;
    json_array_foreach(settings_groups(r->t), i, g)
        json_array_append_new(ps, json_pack("{s:O, s:O?, s:O?}", "id", json_object_get(g, "id"), "name",
                                            json_object_get(g, "name"), "kind", json_object_get(g, "kind")));
    json_t *orgs = org_list(r->t); /* and the registry's organisations */
    pthread_rwlock_unlock(&r->t->lock);
    json_array_extend(ps, orgs);
    json_decref(orgs);
    json_t *arr[4] = {json_array(), json_array(), json_array(), json_array()};
    const char *const *lists[4] = {reliability, credibility, source_kinds, confidences};
    for (int k = 0; k < 4; k++)
        for (int j = 0; lists[k][j]; j++) json_array_append_new(arr[k], json_string(lists[k][j]));
    return reply_json(r, 200, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "types", ts, "parties", ps, "reliability",
                                        arr[0], "credibility", arr[1], "source_kinds", arr[2], "confidence", arr[3]));
}

/* ---- ACLED CSV ---- */

static const char *const acled_cols[] = {
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "actor2", "assoc_actor_2", "country", "admin1", "admin2", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities", "timestamp", "truce_id", "truce_type", "status",
    "attribution", "confidence", NULL};

/* A party's ACLED-style name: its first alias, else its name, else its id. */
static const char *party_name(truce_t *t, const char *id)
{
    size_t i;
    json_t *g;
    json_array_foreach(settings_groups(t), i, g) if (!strcmp(rec_str(g, "id"), id))
    {
        json_t *a = json_array_get(json_object_get(g, "aliases"), 0);
        if (a) return json_string_value(a);
        if (rec_str(json_object_get(g, "name"), "en")) return rec_str(json_object_get(g, "name"), "en");
    }
    return id;
}

/* The party an ACLED actor name stands for (aliases, names, ids; case-blind). */
static const char *party_by_name(truce_t *t, const char *name)
{
    size_t i, k;
    json_t *g, *a;
    json_array_foreach(settings_groups(t), i, g)
    {
        if (!strcasecmp(rec_str(g, "id"), name)) return rec_str(g, "id");
        if (rec_str(json_object_get(g, "name"), "en") && !strcasecmp(rec_str(json_object_get(g, "name"), "en"), name))
            return rec_str(g, "id");
        json_array_foreach(json_object_get(g, "aliases"), k, a) if (!strcasecmp(json_string_value(a), name)) return rec_str(g, "id");
    }
    return org_exists(t, name) ? name : NULL;
}

static void actors_csv(truce_t *t, buf_t *b, const json_t *rec, const char *role, int first)
{
    buf_t s;
    buf_init(&s);
    size_t i;
    json_t *p;
    int k = 0;
    json_array_foreach(json_object_get(rec, "parties"), i, p)
    {
        if (strcmp(rec_str(p, "role"), role)) continue;
        const char *nm = rec_str(p, "party") ? party_name(t, rec_str(p, "party")) : rec_str(p, "name");
        if ((k == 0) == first) {
            if (s.len) buf_adds(&s, "; ");
            buf_adds(&s, nm);
        }
        k++;
    }
    csv_field(b, s.data);
    buf_release(&s);
}

static void acled_row(truce_t *t, buf_t *b, const json_t *o)
{
    char day[11], num[64];
    int64_t at = rec_time(o, "occurred_at");
    tz_date_format(mission_day(t, at), day);
    json_t *co = json_object_get(json_object_get(o, "location"), "coordinates");
    int ti = type_index(rec_str(o, "type"));
    const itype_t *ty = &types[ti < 0 ? 0 : ti];
    const char *tp = rec_str(o, "time_precision");
    const char *lp = rec_str(o, "location_precision");
    for (int c = 0; acled_cols[c]; c++) {
        const char *col = acled_cols[c];
        if (c) buf_add(b, ",", 1);
        if (!strcmp(col, "event_id_cnty")) csv_field(b, rec_str(o, "acled_id") ? rec_str(o, "acled_id") : rec_str(o, "id"));
        else if (!strcmp(col, "event_date")) csv_field(b, day);
        else if (!strcmp(col, "year")) buf_addf(b, "%.4s", day);
        else if (!strcmp(col, "time_precision"))
            buf_adds(b, !strcmp(tp, "week") ? "2" : !strcmp(tp, "month") ? "3" : "1");
        else if (!strcmp(col, "event_type")) csv_field(b, ty->acled_event);
        else if (!strcmp(col, "sub_event_type")) csv_field(b, ty->acled_sub);
        else if (!strcmp(col, "actor1")) actors_csv(t, b, o, "perpetrator", 1);
        else if (!strcmp(col, "assoc_actor_1")) actors_csv(t, b, o, "perpetrator", 0);
        else if (!strcmp(col, "actor2")) actors_csv(t, b, o, "target", 1);
        else if (!strcmp(col, "assoc_actor_2")) actors_csv(t, b, o, "target", 0);
        else if (!strcmp(col, "country")) buf_adds(b, "Palestine");
        else if (!strcmp(col, "admin1")) buf_adds(b, "Gaza Strip");
        else if (!strcmp(col, "admin2")) {
            json_t *f = json_object_get(org_features(t), rec_str(o, "sector") ? rec_str(o, "sector") : "");
            csv_field(b, rec_str(json_object_get(f, "properties"), "name_en"));
        }
        else if (!strcmp(col, "location")) csv_field(b, rec_str(o, "place"));
        else if (!strcmp(col, "latitude")) {
            snprintf(num, sizeof num, "%.6f", json_number_value(json_array_get(co, 1)));
            buf_adds(b, num);
        } else if (!strcmp(col, "longitude")) {
            snprintf(num, sizeof num, "%.6f", json_number_value(json_array_get(co, 0)));
            buf_adds(b, num);
        } else if (!strcmp(col, "geo_precision"))
            buf_adds(b, !strcmp(lp, "town") ? "2" : !strcmp(lp, "district") ? "3" : "1");
        else if (!strcmp(col, "source")) {
            buf_t s;
            buf_init(&s);
            size_t i;
            json_t *x;
            json_array_foreach(json_object_get(o, "sources"), i, x)
            {
                if (s.len) buf_adds(&s, "; ");
                buf_adds(&s, rec_str(x, "name") ? rec_str(x, "name") : rec_str(x, "kind"));
            }
            csv_field(b, s.data);
            buf_release(&s);
        } else if (!strcmp(col, "notes")) csv_field(b, rec_str(o, "description") ? rec_str(o, "description") : rec_str(o, "title"));
        else if (!strcmp(col, "fatalities"))
            buf_addf(b, "%d", (int)json_integer_value(json_object_get(json_object_get(o, "casualties_total"), "killed")));
        else if (!strcmp(col, "timestamp")) buf_addf(b, "%lld", (long long)(rec_time(o, "reported_at") / 1000));
        else if (!strcmp(col, "truce_id")) csv_field(b, rec_str(o, "id"));
        else if (!strcmp(col, "truce_type")) csv_field(b, rec_str(o, "type"));
        else if (!strcmp(col, "status")) csv_field(b, rec_str(o, "status"));
        else if (!strcmp(col, "attribution")) {
            buf_t s;
            buf_init(&s);
            size_t i;
            json_t *x;
            json_array_foreach(json_object_get(o, "attribution"), i, x)
            {
                if (s.len) buf_adds(&s, "; ");
                buf_adds(&s, json_string_value(x));
            }
            csv_field(b, s.data);
            buf_release(&s);
        } else if (!strcmp(col, "confidence")) csv_field(b, rec_str(o, "confidence"));
    }
    buf_add(b, "\r\n", 2);
}

static int month_of(const char *s)
{
    static const char *const m[] = {"january", "february", "march", "april", "may", "june", "july",
                                    "august", "september", "october", "november", "december"};
    for (int i = 0; i < 12; i++)
        if (!strcasecmp(m[i], s)) return i + 1;
    return 0;
}

/* An ACLED date ("2025-10-15" or "15 October 2025") as noon local time, or
 * now when the day has begun and its noon is still ahead (an event of today
 * imported in the morning has happened: it is not in the future). */
static int acled_date(truce_t *t, const char *s, int64_t *ms)
{
    int32_t day;
    if (tz_date_parse(s, &day)) {
        int d, y;
        char mon[16], iso[11];
        if (sscanf(s, "%d %15s %d", &d, mon, &y) != 3 || !month_of(mon)) return -1;
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, month_of(mon), d);
        if (tz_date_parse(iso, &day)) return -1;
    }
    int64_t start = tz_day_start(org_timezone(t), day), now = util_now_ms();
    *ms = start + 12 * 3600 * 1000LL;
    if (*ms > now && start <= now) *ms = now;
    return 0;
}

static const char *acled_type(const char *truce_type, const char *sub)
{
    if (truce_type && *truce_type && type_index(truce_type) >= 0) return truce_type;
    for (int i = 0; i < NTYPES; i++)
        if (!types[i].mission && sub && !strcasecmp(types[i].acled_sub, sub)) return types[i].id;
    return NULL;
}

static void add_actors(truce_t *t, json_t *parties, const char *text, const char *role)
{
    if (!text || !*text) return;
    char *copy = strdup(text), *save = NULL;
    for (char *a = strtok_r(copy, ";", &save); a; a = strtok_r(NULL, ";", &save)) {
        while (*a == ' ') a++;
        size_t n = strlen(a);
        while (n && a[n - 1] == ' ') a[--n] = 0;
        if (!n) continue;
        const char *id = party_by_name(t, a);
        json_array_append_new(parties, id ? json_pack("{s:s, s:s}", "party", id, "role", role)
                                          : json_pack("{s:s, s:s}", "name", a, "role", role));
    }
    free(copy);
}

/* The rows of an ACLED file as report bodies; bad rows into errs. */
static json_t *acled_rows(truce_t *t, const char *data, size_t len, json_t *errs, json_t *seen)
{
    const char *p = data, *end = data + len;
    int line = 1;
    json_t *head = json_array(), *rows = json_array();
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    csv_next(&p, end, head, &line);
    int col[32];
    for (int c = 0; acled_cols[c]; c++) {
        col[c] = -1;
        size_t i;
        json_t *h;
        json_array_foreach(head, i, h) if (!strcasecmp(json_string_value(h), acled_cols[c])) col[c] = (int)i;
    }
    static const char *const need[] = {"event_date", "sub_event_type", "latitude", "longitude", NULL};
    for (int k = 0; need[k]; k++) {
        int found = 0;
        for (int c = 0; acled_cols[c]; c++)
            if (!strcmp(acled_cols[c], need[k]) && col[c] >= 0) found = 1;
        if (!found) {
            char msg[120];
            snprintf(msg, sizeof msg, "the header has no %s column", need[k]);
            csv_row_error(errs, 1, need[k], msg);
        }
    }
    if (json_array_size(errs)) {
        json_decref(head);
        return rows;
    }
    json_t *row = json_array();
    while (p < end) {
        json_array_clear(row);
        int at_line = line;
        if (csv_next(&p, end, row, &line)) break;
        if (json_array_size(row) == 1 && !*json_string_value(json_array_get(row, 0))) continue;
        if (json_array_size(rows) >= MAX_IMPORT_ROWS) {
            csv_row_error(errs, at_line, "rows", "at most 5000 rows in one file");
            break;
        }
        const char *v[32];
        for (int c = 0; acled_cols[c]; c++)
            v[c] = col[c] >= 0 ? json_string_value(json_array_get(row, (size_t)col[c])) : NULL;
        const char *idc = NULL, *date = NULL, *tp = NULL, *sub = NULL, *tt = NULL, *lat = NULL, *lon = NULL, *gp = NULL,
                   *src = NULL, *notes = NULL, *fat = NULL, *a1 = NULL, *aa1 = NULL, *a2 = NULL, *aa2 = NULL, *loc = NULL;
        for (int c = 0; acled_cols[c]; c++) {
            const char *n = acled_cols[c];
            const char **dst = !strcmp(n, "event_id_cnty") ? &idc : !strcmp(n, "event_date") ? &date
                               : !strcmp(n, "time_precision") ? &tp : !strcmp(n, "sub_event_type") ? &sub
                               : !strcmp(n, "truce_type") ? &tt : !strcmp(n, "latitude") ? &lat
                               : !strcmp(n, "longitude") ? &lon : !strcmp(n, "geo_precision") ? &gp
                               : !strcmp(n, "source") ? &src : !strcmp(n, "notes") ? &notes
                               : !strcmp(n, "fatalities") ? &fat : !strcmp(n, "actor1") ? &a1
                               : !strcmp(n, "assoc_actor_1") ? &aa1 : !strcmp(n, "actor2") ? &a2
                               : !strcmp(n, "assoc_actor_2") ? &aa2 : !strcmp(n, "location") ? &loc : NULL;
            if (dst) *dst = v[c];
        }
        int bad = 0;
        int64_t at = 0;
        if (!date || acled_date(t, date, &at)) {
            csv_row_error(errs, at_line, "event_date", "event_date must be YYYY-MM-DD or \"15 October 2025\"");
            bad = 1;
        }
        const char *type = acled_type(tt, sub);
        if (!type) {
            csv_row_error(errs, at_line, "sub_event_type", "not an ACLED sub-event type");
            bad = 1;
        }
        char *e1 = NULL, *e2 = NULL;
        double la = lat ? strtod(lat, &e1) : NAN, lo = lon ? strtod(lon, &e2) : NAN;
        if (!lat || !*lat || *e1 || !isfinite(la) || la < -90 || la > 90) {
            csv_row_error(errs, at_line, "latitude", "latitude must be a number between -90 and 90");
            bad = 1;
        }
        if (!lon || !*lon || *e2 || !isfinite(lo) || lo < -180 || lo > 180) {
            csv_row_error(errs, at_line, "longitude", "longitude must be a number between -180 and 180");
            bad = 1;
        }
        if (tp && *tp && strcmp(tp, "1") && strcmp(tp, "2") && strcmp(tp, "3")) {
            csv_row_error(errs, at_line, "time_precision", "time_precision must be 1, 2 or 3");
            bad = 1;
        }
        if (gp && *gp && strcmp(gp, "1") && strcmp(gp, "2") && strcmp(gp, "3")) {
            csv_row_error(errs, at_line, "geo_precision", "geo_precision must be 1, 2 or 3");
            bad = 1;
        }
        char *e3 = NULL;
        long f = fat && *fat ? strtol(fat, &e3, 10) : 0;
        if (fat && *fat && (*e3 || f < 0 || f > 100000)) {
            csv_row_error(errs, at_line, "fatalities", "fatalities must be a whole number from 0 to 100000");
            bad = 1;
        }
        if (idc && *idc) {
            if (json_object_get(S(t)->acled, idc) || json_object_get(seen, idc)) {
                csv_row_error(errs, at_line, "event_id_cnty", "this event was already imported");
                bad = 1;
            }
            json_object_set_new(seen, idc, json_true());
        }
        if (bad) continue;
        json_t *in = json_pack("{s:s, s:s, s:{s:s, s:[f,f]}, s:s}", "type", type, "time_precision",
                               !tp || !*tp || !strcmp(tp, "1") ? "day" : !strcmp(tp, "2") ? "week" : "month", "location",
                               "type", "Point", "coordinates", lo, la, "location_precision",
                               !gp || !*gp || !strcmp(gp, "1") ? "exact" : !strcmp(gp, "2") ? "town" : "district");
        char title[200];
        snprintf(title, sizeof title, "%s%s%s", types[type_index(type)].label, loc && *loc ? ", " : "", loc && *loc ? loc : "");
        json_object_set_new(in, "title", json_string(title));
        char iso[32];
        time_format(at, iso);
        json_object_set_new(in, "occurred_at", json_string(iso));
        if (notes && *notes) json_object_set_new(in, "description", json_stringn(notes, strlen(notes) > 8000 ? 8000 : strlen(notes)));
        if (loc && *loc) json_object_set_new(in, "place", json_string(loc));
        if (idc && *idc) json_object_set_new(in, "acled_id", json_string(idc));
        json_t *parties = json_array();
        add_actors(t, parties, a1, "perpetrator");
        add_actors(t, parties, aa1, "perpetrator");
        add_actors(t, parties, a2, "target");
        add_actors(t, parties, aa2, "target");
        if (json_array_size(parties)) json_object_set_new(in, "parties", parties);
        else json_decref(parties);
        if (f) json_object_set_new(in, "casualties", json_pack("{s:{s:i}}", "killed", "other", (int)f));
        json_t *srcs = json_array();
        if (src && *src) {
            char *copy = strdup(src), *save = NULL;
            for (char *a = strtok_r(copy, ";", &save); a && json_array_size(srcs) < 20; a = strtok_r(NULL, ";", &save)) {
                while (*a == ' ') a++;
                if (*a) json_array_append_new(srcs, json_pack("{s:s, s:s, s:s, s:s}", "kind", "acled", "name", a,
                                                              "reliability", "F", "credibility", "6"));
            }
            free(copy);
        }
        if (!json_array_size(srcs)) json_array_append_new(srcs, json_pack("{s:s, s:s, s:s, s:s}", "kind", "acled", "name", "ACLED",
                                                                          "reliability", "F", "credibility", "6"));
        json_object_set_new(in, "sources", srcs);
        json_object_set_new(in, "_line", json_integer(at_line));
        json_array_append_new(rows, in);
    }
    json_decref(row);
    json_decref(head);
    return rows;
}

typedef struct {
    json_t *rows;
    json_t *bad_rows;
} import_op_t;

static int prepare_import(truce_t *t, cmd_t *c, err_t *e)
{
    import_op_t *op = c->arg;
    json_t *seen = json_object();
    size_t i;
    json_t *in;
    uint64_t n = S(t)->n;
    json_array_foreach(op->rows, i, in)
    {
        const char *idc = rec_str(in, "acled_id");
        if (idc && json_object_get(S(t)->acled, idc)) {
            if (!op->bad_rows) op->bad_rows = json_array();
            csv_row_error(op->bad_rows, (int)json_integer_value(json_object_get(in, "_line")), "event_id_cnty",
                          "this event was already imported");
        }
    }
    json_decref(seen);
    if (op->bad_rows) return err_set(e, E_BAD_ROWS, "rows", "the file was not imported: some rows are not valid");
    snprintf(c->result_id, sizeof c->result_id, "INC-%llu", (unsigned long long)n + 1);
    json_array_foreach(op->rows, i, in)
    {
        json_t *body = json_deep_copy(in);
        json_object_del(body, "_line");
        int rc = draft_report(t, c, body, n + 1 + i, NULL, e);
        json_decref(body);
        if (rc) return -1;
    }
    return 0;
}

static int incidents_import(req_t *r)
{
    if (need_geo(r)) return -1;
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "text/csv", 8)) return reply_error(r, E_MEDIA_TYPE, NULL, "send text/csv (ACLED columns)");
    if (r->body.len == 0) return reply_error(r, E_MISSING_FIELD, "body", "the file is empty");
    json_t *errs = json_array(), *seen = json_object();
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *rows = acled_rows(r->t, r->body.data, r->body.len, errs, seen);
    size_t i;
    json_t *in;
    json_array_foreach(rows, i, in)
    {
        json_t *probe = json_deep_copy(in);
        int line = (int)json_integer_value(json_object_get(in, "_line"));
        const char *drop[] = {"_line", "acled_id", "place"};
        for (int k = 0; k < 3; k++) json_object_del(probe, drop[k]);
        err_t e;
        if (schema_check(probe, incident_fields, &e) || check_report(r->t, &r->who, probe, &e)) {
            const char *f = !strcmp(e.field, "location") ? "latitude" : !strcmp(e.field, "occurred_at") ? "event_date" : e.field;
            csv_row_error(errs, line, f, e.message);
        }
        json_decref(probe);
    }
    pthread_rwlock_unlock(&r->t->lock);
    json_decref(seen);
    if (json_array_size(rows) == 0 && json_array_size(errs) == 0) csv_row_error(errs, 1, "rows", "the file has no rows");
    csv_sort_rows(errs);
    if (json_array_size(errs)) {
        json_decref(rows);
        reply_json(r, 400, json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code", "bad_rows", "message",
                                     "the file was not imported: some rows are not valid", "field", "rows", "rows", errs));
        return -1;
    }
    json_decref(errs);
    import_op_t op = {.rows = rows};
    cmd_t c = {.who = &r->who, .prepare = prepare_import, .arg = &op};
    int rc;
    if (log_submit(r->t, &c)) {
        if (op.bad_rows) {
            reply_json(r, 400, json_pack("{s:{s:s, s:s, s:s, s:O}}", "error", "code", "bad_rows", "message", c.err.message,
                                         "field", "rows", "rows", op.bad_rows));
            rc = -1;
        } else
            rc = reply_err(r, &c.err);
    } else {
        json_t *ids = json_array();
        uint64_t first = rec_id_num(c.result_id, "INC-");
        for (size_t k = 0; k < json_array_size(rows); k++) {
            char id[32];
            snprintf(id, sizeof id, "INC-%llu", (unsigned long long)(first + k));
            json_array_append_new(ids, json_string(id));
        }
        rc = reply_written(r, 201, &c, json_pack("{s:o, s:I}", "ids", ids, "imported", (json_int_t)json_array_size(rows)));
    }
    json_decref(op.bad_rows);
    json_decref(rows);
    return rc;
}

/* An ACLED export of a year takes seconds: on a helper thread (see
 * h_places_import). */
int h_incidents_import(req_t *r)
{
    return req_offload(r, incidents_import);
}

/* ---- lists ---- */

/* ?since / ?until: RFC 3339 or a date (local day start / end). */
static int query_bound(req_t *r, const char *name, int end, int64_t *out, int *present)
{
    const char *s = req_query(r, name);
    *present = s != NULL;
    if (!s) return 0;
    int32_t day;
    if (!tz_date_parse(s, &day)) {
        pthread_rwlock_rdlock(&r->t->lock);
        *out = tz_day_start(org_timezone(r->t), day + end) - end;
        pthread_rwlock_unlock(&r->t->lock);
        return 0;
    }
    if (time_parse(s, out)) return reply_error(r, E_BAD_VALUE, name, "%s must be a date (YYYY-MM-DD) or an RFC 3339 time", name);
    return 0;
}

/* One GeoJSON Feature of the map layer, written directly: a few thousand of
 * them through jansson cost most of a one-day layer's time at a million
 * incidents. */
static void geo_feature(buf_t *b, const json_t *rec, const inc_t *w, int comma)
{
    json_t *co = json_object_get(json_object_get(rec, "location"), "coordinates");
    buf_addf(b, "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.15g,%.15g]},\"properties\":{",
             comma ? "," : "", json_number_value(json_array_get(co, 0)), json_number_value(json_array_get(co, 1)));
    static const char *const keys[] = {"id", "type", "title", "status", "occurred_at", "sector"};
    for (int k = 0; k < 6; k++) {
        const char *v = rec_str(rec, keys[k]);
        if (!v) continue;
        buf_addf(b, "%s\"%s\":", k ? "," : "", keys[k]);
        buf_add_json_str(b, v);
    }
    buf_addf(b, ",\"casualties_total\":{\"killed\":%u,\"injured\":%u},\"violation\":%s", w->killed, w->injured,
             types[w->type].violation ? "true" : "false");
    json_t *a = json_object_get(rec, "attribution");
    if (a) {
        buf_adds(b, ",\"attribution\":[");
        size_t i;
        json_t *x;
        json_array_foreach(a, i, x)
        {
            if (i) buf_add(b, ",", 1);
            buf_add_json_str(b, json_string_value(x));
        }
        buf_add(b, "]", 1);
    }
    if (json_is_true(json_object_get(rec, "exercise"))) buf_adds(b, ",\"exercise\":true");
    buf_adds(b, "}}");
}

int h_incidents_list(req_t *r)
{
    const char *status = req_query(r, "status"), *type = req_query(r, "type"), *sector = req_query(r, "sector"),
               *party = req_query(r, "party"), *format = req_query(r, "format");
    int st = -1, ty = -1;
    if (status && (st = rec_index(statuses, status)) < 0)
        return reply_error(r, E_BAD_VALUE, "status", "status must be one of reported, under_review, confirmed, unconfirmed, refuted, merged");
    if (type && (ty = type_index(type)) < 0) return reply_error(r, E_BAD_VALUE, "type", "no incident type %s", type);
    if (format && strcmp(format, "json") && strcmp(format, "geojson") && strcmp(format, "csv"))
        return reply_error(r, E_BAD_VALUE, "format", "format must be json, geojson or csv");
    int csv = format && !strcmp(format, "csv"), geo = format && !strcmp(format, "geojson");
    int64_t since = INT64_MIN, until = INT64_MAX;
    int has;
    if (query_bound(r, "since", 0, &since, &has) || query_bound(r, "until", 1, &until, &has)) return -1;
    uint64_t limit, cursor;
    if (req_query_u64(r, "limit", csv || geo ? 100000 : 100, 1, csv || geo ? 1000000 : 1000, &limit) ||
        req_query_u64(r, "cursor", 0, 0, UINT64_MAX, &cursor))
        return -1;
    pthread_rwlock_rdlock(&r->t->lock);
    incident_state_t *s = S(r->t);
    int sec = -1, pa = -1;
    if (sector && strcmp(sector, "none") && (sec = sector_index(r->t, sector)) < 0) {
        pthread_rwlock_unlock(&r->t->lock);
        return reply_error(r, E_BAD_VALUE, "sector", "no sector %s", sector);
    }
    if (party) {
        json_t *pv = json_object_get(s->parties, party);
        if (!pv && !party_known(r->t, party)) {
            pthread_rwlock_unlock(&r->t->lock);
            return reply_error(r, E_BAD_VALUE, "party", "no party %s", party);
        }
        pa = pv ? (int)json_integer_value(pv) : MAX_PARTIES;
    }
    uint8_t *view = view_of(r->t, &r->who);
    json_t *out = json_array();
    buf_t b;
    buf_init(&b);
    if (csv) {
        for (int c = 0; acled_cols[c]; c++) {
            if (c) buf_add(&b, ",", 1);
            buf_adds(&b, acled_cols[c]);
        }
        buf_add(&b, "\r\n", 2);
    }
    if (geo) buf_adds(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    size_t i = cursor && cursor <= s->n ? cursor - 1 : s->n;
    uint64_t count = 0, next = 0;
    while (i-- > 0) {
        const inc_t *w = &s->rows[i];
        if (!view || !view[w->vis]) continue;
        if (st >= 0 ? w->status != st : w->status == ST_MERGED) continue;
        if (ty >= 0 && w->type != ty) continue;
        if (sector && w->sector != sec + 1) continue; /* "none": sec -1, outside every sector */
        if (pa >= 0 && (pa >= MAX_PARTIES || (!mask_has(w->any, pa) && !mask_has(w->attr, pa)))) continue;
        if (w->at < since || w->at > until) continue;
        if (count == limit) {
            next = i + 2;
            break;
        }
        count++;
        if (geo) { /* the map layer: written straight from the record and its row */
            geo_feature(&b, s->recs[i], &s->rows[i], count > 1);
            continue;
        }
        json_t *o = out_rec(r->t, &r->who, s->recs[i]);
        if (csv) {
            acled_row(r->t, &b, o);
            json_decref(o);
        } else {
            json_array_append_new(out, o);
        }
    }
    pthread_rwlock_unlock(&r->t->lock);
    free(view);
    char cur[32];
    snprintf(cur, sizeof cur, "%llu", (unsigned long long)next);
    if (csv) {
        json_decref(out);
        return reply_buf(r, 200, &b, "text/csv; charset=utf-8");
    }
    if (geo) {
        json_decref(out);
        buf_adds(&b, "],\"next\":");
        if (next) buf_add_json_str(&b, cur);
        else buf_adds(&b, "null");
        buf_addf(&b, ",\"exercise\":%s}", r->t->exercise ? "true" : "false");
        return reply_buf(r, 200, &b, "application/geo+json");
    }
    buf_release(&b);
    return reply_json(r, 200, json_pack("{s:o, s:s?, s:b}", "incidents", out, "next", next ? cur : NULL, "exercise", r->t->exercise));
}

/* ---- figures ---- */

int stats_period(req_t *r, int32_t *d0, int32_t *d1)
{
    const char *f = req_query(r, "from"), *u = req_query(r, "until");
    pthread_rwlock_rdlock(&r->t->lock);
    int32_t today = mission_day(r->t, util_now_ms());
    pthread_rwlock_unlock(&r->t->lock);
    *d1 = today;
    if (u && tz_date_parse(u, d1)) return reply_error(r, E_BAD_VALUE, "until", "until must be a date (YYYY-MM-DD)");
    *d0 = *d1 - 29;
    if (f && tz_date_parse(f, d0)) return reply_error(r, E_BAD_VALUE, "from", "from must be a date (YYYY-MM-DD)");
    if (*d0 > *d1) return reply_error(r, E_OUT_OF_RANGE, "until", "until must not be before from");
    if (*d1 - *d0 >= 366) return reply_error(r, E_OUT_OF_RANGE, "from", "at most 366 days at a time");
    return 0;
}

static json_t *days_array(int32_t d0, int32_t d1)
{
    json_t *a = json_array();
    char day[11];
    for (int32_t d = d0; d <= d1; d++) {
        tz_date_format(d, day);
        json_array_append_new(a, json_string(day));
    }
    return a;
}

/* The parties a violation counts for: the CMCC's attribution once given,
 * else the reported perpetrators. NULL when it does not count. */
static const uint64_t *violation_mask(const inc_t *w, int *confirmed)
{
    if (!types[w->type].violation) return NULL;
    *confirmed = w->status == ST_CONFIRMED;
    if (w->status == ST_CONFIRMED) return w->attr;
    if (w->status != ST_REPORTED && w->status != ST_REVIEW && w->status != ST_UNCONFIRMED) return NULL;
    return (w->attr[0] | w->attr[1]) ? w->attr : w->perp;
}

static json_t *violation_block(incident_state_t *s, const int *counts, int ndays, const int *used)
{
    json_t *by = json_object(), *tot = json_array(), *per = json_object(), *trend = json_object();
    for (int d = 0; d < ndays; d++) {
        int sum = 0;
        for (int p = 0; p < s->nparties; p++) sum += counts[p * ndays + d];
        json_array_append_new(tot, json_integer(sum));
    }
    for (int p = 0; p < s->nparties; p++) {
        if (!used[p]) continue;
        json_t *a = json_array();
        int sum = 0, last7 = 0, prev7 = 0;
        for (int d = 0; d < ndays; d++) {
            int v = counts[p * ndays + d];
            json_array_append_new(a, json_integer(v));
            sum += v;
            if (d >= ndays - 7) last7 += v;
            else if (d >= ndays - 14) prev7 += v;
        }
        json_object_set_new(by, s->party_ids[p], a);
        json_object_set_new(per, s->party_ids[p], json_integer(sum));
        json_object_set_new(trend, s->party_ids[p],
                            json_pack("{s:i, s:i, s:o}", "last7", last7, "prev7", prev7, "change_pct",
                                      prev7 ? json_real(round(1000.0 * (last7 - prev7) / prev7) / 10) : json_null()));
    }
    return json_pack("{s:o, s:o, s:o, s:o}", "by_party", by, "total", tot, "per_party_total", per, "trend", trend);
}

int h_stats_violations(req_t *r)
{
    int32_t d0, d1;
    if (stats_period(r, &d0, &d1)) return -1;
    int nd = d1 - d0 + 1;
    pthread_rwlock_rdlock(&r->t->lock);
    incident_state_t *s = S(r->t);
    int np = s->nparties ? s->nparties : 1;
    int *counts[2] = {calloc((size_t)np * nd, sizeof(int)), calloc((size_t)np * nd, sizeof(int))};
    int used[2][MAX_PARTIES] = {{0}};
    uint8_t *view = view_of(r->t, &r->who);
    for (size_t i = 0; view && counts[0] && counts[1] && i < s->n; i++) {
        const inc_t *w = &s->rows[i];
        if (w->day < d0 || w->day > d1 || !view[w->vis]) continue;
        int conf;
        const uint64_t *m = violation_mask(w, &conf);
        if (!m) continue;
        for (int p = 0; p < s->nparties; p++)
            if (mask_has(m, p)) {
                counts[!conf][p * nd + (w->day - d0)]++;
                used[!conf][p] = 1;
            }
    }
    json_t *parties = json_array();
    for (int p = 0; p < s->nparties; p++)
        if (used[0][p] || used[1][p]) json_array_append_new(parties, json_string(s->party_ids[p]));
    json_t *conf = violation_block(s, counts[0], nd, used[0]), *unconf = violation_block(s, counts[1], nd, used[1]);
    pthread_rwlock_unlock(&r->t->lock);
    free(view);
    free(counts[0]);
    free(counts[1]);
    char a[11], b[11];
    tz_date_format(d0, a);
    tz_date_format(d1, b);
    return reply_json(r, 200, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "from", a, "until", b, "days", days_array(d0, d1),
                                        "parties", parties, "confirmed", conf, "unconfirmed", unconf, "exercise",
                                        r->t->exercise));
}

int h_stats_incidents(req_t *r)
{
    int32_t d0, d1;
    if (stats_period(r, &d0, &d1)) return -1;
    const char *by = req_query(r, "by");
    if (!by) by = "sector";
    if (strcmp(by, "sector") && strcmp(by, "type")) return reply_error(r, E_BAD_VALUE, "by", "by must be sector or type");
    int bytype = !strcmp(by, "type");
    enum { C_CONF, C_UNCONF, C_REF, C_KILLED, C_INJ, C_N };
    int keys = bytype ? NTYPES : 256;
    int *c = calloc((size_t)keys * C_N, sizeof(int));
    pthread_rwlock_rdlock(&r->t->lock);
    incident_state_t *s = S(r->t);
    uint8_t *view = view_of(r->t, &r->who);
    for (size_t i = 0; c && view && i < s->n; i++) {
        const inc_t *w = &s->rows[i];
        if (w->day < d0 || w->day > d1 || !view[w->vis] || w->status == ST_MERGED) continue;
        int *k = &c[(bytype ? w->type : w->sector) * C_N];
        if (w->status == ST_CONFIRMED) k[C_CONF]++;
        else if (w->status == ST_REFUTED) k[C_REF]++;
        else k[C_UNCONF]++;
        if (w->status != ST_REFUTED) {
            k[C_KILLED] += (int)w->killed;
            k[C_INJ] += (int)w->injured;
        }
    }
    json_t *rows = json_array();
    for (int k = 0; c && k < keys; k++) {
        int *x = &c[k * C_N];
        if (bytype ? 0 : k > s->nsectors) continue;
        if (bytype && !x[C_CONF] && !x[C_UNCONF] && !x[C_REF]) continue;
        const char *key = bytype ? types[k].id : k == 0 ? "none" : s->sector_ids[k - 1];
        json_array_append_new(rows, json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "key", key, "confirmed", x[C_CONF],
                                              "unconfirmed", x[C_UNCONF], "refuted", x[C_REF], "killed", x[C_KILLED],
                                              "injured", x[C_INJ]));
    }
    pthread_rwlock_unlock(&r->t->lock);
    free(view);
    free(c);
    char a[11], b[11];
    tz_date_format(d0, a);
    tz_date_format(d1, b);
    return reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:o, s:b}", "from", a, "until", b, "by", by, "rows", rows, "exercise",
                                        r->t->exercise));
}

/* ---- the SITREP and the feed ---- */

static int casualty_cmp(const void *a, const void *b)
{
    const inc_t *x = *(const inc_t *const *)a, *y = *(const inc_t *const *)b;
    uint32_t cx = x->killed * 4 + x->injured, cy = y->killed * 4 + y->injured;
    if (cx != cy) return cx > cy ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

void incident_sitrep(truce_t *t, const principal_t *who, int32_t day, incident_day_t *sum, json_t *out)
{
    incident_state_t *s = S(t);
    uint8_t *view = view_of(t, who);
    int by[2][MAX_PARTIES] = {{0}}, last7[MAX_PARTIES] = {0}, prev7[MAX_PARTIES] = {0};
    size_t nsig = 0, capsig = 64;
    const inc_t **sig = malloc(capsig * sizeof *sig);
    memset(sum, 0, sizeof *sum);
    for (size_t i = 0; view && sig && i < s->n; i++) {
        const inc_t *w = &s->rows[i];
        if (w->day > day || w->day <= day - 14 || !view[w->vis]) continue;
        int conf;
        const uint64_t *m = violation_mask(w, &conf);
        if (m && conf)
            for (int p = 0; p < s->nparties; p++)
                if (mask_has(m, p)) (w->day > day - 7 ? last7 : prev7)[p]++;
        if (w->day != day || w->status == ST_MERGED) continue;
        if (w->status != ST_REFUTED) {
            sum->incidents++;
            sum->killed += (int)w->killed;
            sum->injured += (int)w->injured;
        }
        if (w->status == ST_CONFIRMED) sum->confirmed++;
        if (m) {
            for (int p = 0; p < s->nparties; p++)
                if (mask_has(m, p)) by[!conf][p]++;
            if (conf) sum->violations++;
        }
        if (w->status != ST_REFUTED && (w->killed || w->injured || m || significant_type(types[w->type].id))) {
            if (nsig == capsig) {
                const inc_t **g = realloc(sig, (capsig *= 2) * sizeof *g);
                if (!g) break;
                sig = g;
            }
            sig[nsig++] = w;
        }
    }
    json_t *v = json_object(), *uv = json_object(), *tr = json_object();
    for (int p = 0; p < s->nparties; p++) {
        if (by[0][p]) json_object_set_new(v, s->party_ids[p], json_integer(by[0][p]));
        if (by[1][p]) json_object_set_new(uv, s->party_ids[p], json_integer(by[1][p]));
        if (last7[p] || prev7[p])
            json_object_set_new(tr, s->party_ids[p], json_pack("{s:i, s:i}", "last7", last7[p], "prev7", prev7[p]));
    }
    json_object_set_new(out, "violations", json_pack("{s:o, s:o, s:o}", "by_party", v, "unconfirmed_by_party", uv, "trend7", tr));
    if (sig) qsort(sig, nsig, sizeof *sig, casualty_cmp);
    json_t *list = json_array();
    for (size_t k = 0; k < nsig && k < 50; k++) {
        json_t *rec = s->recs[sig[k] - s->rows];
        json_array_append_new(list, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O?, s:i, s:i, s:O?, s:O?}", "id",
                                              json_object_get(rec, "id"), "type", json_object_get(rec, "type"), "title",
                                              json_object_get(rec, "title"), "status", json_object_get(rec, "status"),
                                              "occurred_at", json_object_get(rec, "occurred_at"), "sector",
                                              json_object_get(rec, "sector"), "killed", (int)sig[k]->killed, "injured",
                                              (int)sig[k]->injured, "attribution", json_object_get(rec, "attribution"),
                                              "confidence", json_object_get(rec, "confidence")));
    }
    json_object_set_new(out, "significant_incidents", list);
    free(sig);
    free(view);
}

void incident_feed(truce_t *t, const principal_t *who, int64_t since, size_t limit, json_t *items)
{
    incident_state_t *s = S(t);
    uint8_t *view = view_of(t, who);
    size_t got = 0;
    for (size_t i = s->nfeed; view && got < limit && i-- > 0;) {
        const feed_t *f = &s->feed[i];
        if (f->at < since) break;
        const inc_t *w = &s->rows[f->n];
        if (!view[w->vis]) continue;
        json_t *rec = s->recs[f->n];
        char at[32], summary[300];
        time_format(f->at, at);
        snprintf(summary, sizeof summary, "%s: %s%s%s", f->what, types[w->type].label,
                 rec_str(rec, "sector") ? " in " : "", rec_str(rec, "sector") ? rec_str(rec, "sector") : "");
        got++;
        json_array_append_new(items, json_pack("{s:s, s:s, s:O, s:s, s:s, s:O, s:s, s:O?}", "at", at, "kind", "incident", "id",
                                               json_object_get(rec, "id"), "status", statuses[f->status], "event", f->what,
                                               "title", json_object_get(rec, "title"), "summary", summary, "sector",
                                               json_object_get(rec, "sector")));
    }
    free(view);
}

/* ---- what other modules read (registered by inc_init) ---- */

/* Gate metric incidents_per_week: confirmed incidents in the sector per
 * week over [from, until] (from == until: the week before until). */
static int metric_per_week(truce_t *t, const char *sector, int64_t from, int64_t until, double *value, json_t *evidence)
{
    incident_state_t *s = S(t);
    if (from == until) from = until - 7 * DAY_MS;
    int sec = sector_index(t, sector);
    if (sec < 0) return 1;
    long n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const inc_t *w = &s->rows[i];
        if (w->status == ST_CONFIRMED && w->sector == sec + 1 && w->at >= from && w->at <= until) n++;
    }
    double weeks = (double)(until - from) / (7.0 * DAY_MS);
    if (weeks <= 0) return 1;
    *value = (double)n / weeks;
    json_object_set_new(evidence, "confirmed_incidents", json_integer(n));
    json_object_set_new(evidence, "weeks", json_real(round(weeks * 100) / 100));
    return 0;
}

/* Vetting check incident_perpetrators: the candidate's Latin name among the
 * named perpetrators of incidents that were not refuted (names come from
 * reports and ACLED imports: parties without a registry id). */
static int vetting_perpetrators(truce_t *t, const json_t *person, json_t *result)
{
    incident_state_t *s = S(t);
    const char *name = rec_str(person, "name_en");
    json_t *refs = json_array();
    char a[256], b[256];
    if (name) ddr_name_norm(name, a, sizeof a);
    for (size_t i = 0; name && *a && i < s->n; i++) {
        if (!s->rows[i].named || s->rows[i].status == ST_REFUTED || s->rows[i].status == ST_MERGED) continue;
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(s->recs[i], "parties"), k, p)
        {
            if (!rec_str(p, "name") || strcmp(rec_str(p, "role"), "perpetrator")) continue;
            ddr_name_norm(rec_str(p, "name"), b, sizeof b);
            if (ddr_name_score(a, b) >= 0.9) {
                json_array_append(refs, json_object_get(s->recs[i], "id"));
                break;
            }
        }
    }
    int hit = json_array_size(refs) > 0;
    if (hit) json_object_set_new(result, "refs", refs);
    else json_decref(refs);
    json_object_set_new(result, "status", json_string(hit ? "flag" : "clear"));
    json_object_set_new(result, "reason", json_string(hit ? "a close name is among the named perpetrators of incidents"
                                                          : "not among the named perpetrators of incidents"));
    return 0;
}
