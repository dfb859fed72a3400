/*
 * org.c — see org.h. Each collection is a JSON object keyed by id, holding
 * the record as the API returns it. Only the writer changes them, under the
 * state lock; readers serialise under the read lock.
 */
#include "org.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "record.h"

struct org_state {
    json_t *mission;   /* object, or NULL before mission.configured */
    json_t *orgs, *positions, *persons, *features;
    uint64_t persons_n;
};

int org_exists(truce_t *t, const char *id) { return id && json_object_get(t->org->orgs, id) != NULL; }
int org_person_exists(truce_t *t, const char *id) { return id && json_object_get(t->org->persons, id) != NULL; }
int org_position_exists(truce_t *t, const char *id) { return id && json_object_get(t->org->positions, id) != NULL; }

int org_sector_exists(truce_t *t, const char *id)
{
    json_t *f = id ? json_object_get(t->org->features, id) : NULL;
    const char *layer = json_string_value(json_object_get(json_object_get(f, "properties"), "layer"));
    return layer && strcmp(layer, "sector") == 0;
}

json_t *org_positions(truce_t *t)
{
    return t->org->positions;
}

json_t *org_list(truce_t *t)
{
    json_t *out = json_array();
    const char *id;
    json_t *o;
    json_object_foreach(t->org->orgs, id, o)
        json_array_append_new(out, json_pack("{s:s, s:O?, s:O?}", "id", id, "name", json_object_get(o, "name"), "kind",
                                             json_object_get(o, "kind")));
    return out;
}

json_t *org_mission(truce_t *t)
{
    return t->org->mission;
}

json_t *org_features(truce_t *t)
{
    return t->org->features;
}

const char *org_timezone(truce_t *t)
{
    const char *tz = json_string_value(json_object_get(t->org->mission, "timezone"));
    return tz ? tz : "UTC";
}

json_t *org_positions_of(truce_t *t, const char *person)
{
    json_t *out = json_array();
    const char *id;
    json_t *p;
    json_object_foreach(t->org->positions, id, p)
    {
        const char *h = json_string_value(json_object_get(p, "holder"));
        if (h && strcmp(h, person) == 0) json_array_append_new(out, json_string(id));
    }
    return out;
}

/* ---- apply ---- */

static json_t *record(const event_t *ev)
{
    json_t *r = json_deep_copy(ev->body);
    json_object_set_new(r, "seq", json_integer((json_int_t)ev->seq));
    return r;
}

static void apply_mission(truce_t *t, const event_t *ev)
{
    json_decref(t->org->mission);
    t->org->mission = record(ev);
    t->exercise = json_is_true(json_object_get(ev->body, "exercise"));
}

static void apply_org(truce_t *t, const event_t *ev)
{
    json_object_set_new(t->org->orgs, ev->subject, record(ev));
}

static void apply_position(truce_t *t, const event_t *ev)
{
    json_t *r = record(ev);
    json_object_set_new(r, "holder", json_null());
    json_object_set_new(t->org->positions, ev->subject, r);
}

static void apply_person(truce_t *t, const event_t *ev)
{
    json_object_set_new(t->org->persons, ev->subject, record(ev));
    unsigned long n;
    if (sscanf(ev->subject, "PER-%lu", &n) == 1 && n > t->org->persons_n) t->org->persons_n = n;
}

static void apply_holder(truce_t *t, const event_t *ev)
{
    json_t *p = json_object_get(t->org->positions, ev->subject);
    if (!p) return;
    json_t *person = json_object_get(ev->body, "person");
    json_object_set(p, "holder", person ? person : json_null());
}

static void apply_lines(truce_t *t, const event_t *ev)
{
    json_t *p = json_object_get(t->org->positions, ev->subject);
    if (p) json_object_set(p, "reports_to", json_object_get(ev->body, "reports_to"));
}

static void apply_feature(truce_t *t, const event_t *ev)
{
    json_object_set(t->org->features, ev->subject, json_object_get(ev->body, "feature"));
}

static int org_init(truce_t *t)
{
    org_state_t *o = calloc(1, sizeof *o);
    if (!o) return -1;
    o->orgs = json_object();
    o->positions = json_object();
    o->persons = json_object();
    o->features = json_object();
    t->org = o;
    return 0;
}

static void org_release(truce_t *t)
{
    org_state_t *o = t->org;
    if (!o) return;
    json_decref(o->mission);
    json_decref(o->orgs);
    json_decref(o->positions);
    json_decref(o->persons);
    json_decref(o->features);
    free(o);
    t->org = NULL;
}

static void org_dump(truce_t *t, json_t *out)
{
    org_state_t *o = t->org;
    json_object_set(out, "mission", o->mission ? o->mission : json_null());
    json_object_set(out, "orgs", o->orgs);
    json_object_set(out, "positions", o->positions);
    json_object_set(out, "persons", o->persons);
    json_object_set(out, "features", o->features);
}

static const kind_def_t org_kinds[] = {
    {"mission.configured", apply_mission},
    {"org.added", apply_org},
    {"position.added", apply_position},
    {"position.assigned", apply_holder},
    {"position.lines_set", apply_lines},
    {"person.added", apply_person},
    {"geo.feature_added", apply_feature},
    {NULL, NULL},
};
static int org_save(truce_t *t, buf_t *b)
{
    json_t *d = json_object();
    org_dump(t, d);
    return rec_save_json(b, d);
}

static int org_load(truce_t *t, const char *p, size_t n)
{
    org_state_t *o = t->org;
    json_t *d = json_loadb(p, n, 0, NULL);
    if (!d) return -1;
    json_t *m = json_object_get(d, "mission");
    if (json_is_object(m)) {
        o->mission = json_incref(m);
        t->exercise = json_is_true(json_object_get(m, "exercise"));
    }
    json_object_update(o->orgs, json_object_get(d, "orgs"));
    json_object_update(o->positions, json_object_get(d, "positions"));
    json_object_update(o->persons, json_object_get(d, "persons"));
    json_object_update(o->features, json_object_get(d, "features"));
    const char *id;
    json_t *x;
    json_object_foreach(o->persons, id, x)
    {
        unsigned long k;
        if (sscanf(id, "PER-%lu", &k) == 1 && k > o->persons_n) o->persons_n = k;
    }
    json_decref(d);
    return 0;
}

const module_t org_module = {"org", org_kinds, org_init, org_release, org_dump, org_save, org_load};

/* ---- commands (shared by the API and the scenario loader) ---- */

static const char *const org_kinds_enum[] = {"command", "force_contingent", "liaison", "humanitarian",
                                             "training_mission", "local_security_force", "oversight",
                                             "government", NULL};

const field_t org_fields[] = {
    {"id", F_ID, 1, 0, 0, 32, NULL, "short upper-case id, e.g. ISF-AZE"},
    {"kind", F_ENUM, 1, 0, 0, 0, org_kinds_enum, NULL},
    {"name", F_I18N, 1, 0, 0, 200, NULL, "name in English and Arabic"},
    {"country", F_ID, 0, 0, 0, 3, NULL, "ISO 3166 alpha-2 or alpha-3"},
    {"parent", F_ID, 0, 0, 0, 32, NULL, "parent organisation"},
    {"conditional", F_STR, 0, 0, 0, 300, NULL, "condition of participation, if any"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, "exercise data"},
    {NULL},
};

const field_t position_fields[] = {
    {"id", F_ID, 1, 0, 0, 48, NULL, "POS-..."},
    {"org", F_ID, 1, 0, 0, 32, NULL, NULL},
    {"title", F_I18N, 1, 0, 0, 200, NULL, NULL},
    {"reports_to", F_IDLIST, 0, 0, 8, 48, NULL, "superior positions (several allowed)"},
    {"authority", F_STRLIST, 0, 0, 16, 48, NULL, "authorities the position holds"},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, NULL},
    {NULL},
};

const field_t person_fields[] = {
    {"id", F_ID, 0, 0, 0, 32, NULL, "PER-n (default: the next number)"},
    {"name", F_STR, 1, 1, 0, 120, NULL, NULL},
    {"exercise", F_BOOL, 0, 0, 0, 0, NULL, NULL},
    {NULL},
};

const field_t holder_fields[] = {
    {"person", F_ID, 0, 0, 0, 32, NULL, "the person who holds it; null vacates"},
    {NULL},
};

const field_t lines_fields[] = {
    {"reports_to", F_IDLIST, 1, 0, 8, 48, NULL, "superior positions"},
    {NULL},
};

static json_t *all_labels(void) { return json_pack("[s]", "all"); }

int org_prepare_mission(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    snprintf(c->result_id, sizeof c->result_id, "%s",
             json_string_value(json_object_get(c->arg, "id")) ?: "MISSION");
    return cmd_draft(c, "mission.configured", c->result_id, all_labels(), json_deep_copy(c->arg), e);
}

int org_prepare_org(truce_t *t, cmd_t *c, err_t *e)
{
    const char *id = json_string_value(json_object_get(c->arg, "id"));
    const char *parent = json_string_value(json_object_get(c->arg, "parent"));
    if (org_exists(t, id)) return err_set(e, E_CONFLICT, "id", "organisation %s exists", id);
    if (parent && !org_exists(t, parent)) return err_set(e, E_BAD_VALUE, "parent", "no organisation %s", parent);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    return cmd_draft(c, "org.added", id, all_labels(), json_deep_copy(c->arg), e);
}

static int lines_check(truce_t *t, const char *self, const json_t *lines, err_t *e)
{
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        const char *sup = json_string_value(l);
        if (!org_position_exists(t, sup))
            return err_set(e, E_BAD_VALUE, "reports_to", "reports_to[%zu]: no position %s", i, sup);
        if (strcmp(sup, self) == 0)
            return err_set(e, E_BAD_VALUE, "reports_to", "a position cannot report to itself");
        /* Walk every path upwards from sup (each position once); reaching
         * self would close a loop. */
        json_t *seen = json_object(), *pending = json_pack("[s]", sup);
        int loop = 0;
        while (!loop && json_array_size(pending)) {
            const char *p = json_string_value(json_array_get(pending, json_array_size(pending) - 1));
            char cur[64];
            snprintf(cur, sizeof cur, "%s", p);
            json_array_remove(pending, json_array_size(pending) - 1);
            if (strcmp(cur, self) == 0) loop = 1;
            if (loop || json_object_get(seen, cur)) continue;
            json_object_set_new(seen, cur, json_true());
            size_t k;
            json_t *up;
            json_array_foreach(json_object_get(json_object_get(t->org->positions, cur), "reports_to"), k, up)
                json_array_append(pending, up);
        }
        json_decref(seen);
        json_decref(pending);
        if (loop) return err_set(e, E_BAD_VALUE, "reports_to", "reports_to[%zu] would make a loop", i);
    }
    return 0;
}

int org_prepare_position(truce_t *t, cmd_t *c, err_t *e)
{
    const char *id = json_string_value(json_object_get(c->arg, "id"));
    const char *org = json_string_value(json_object_get(c->arg, "org"));
    if (org_position_exists(t, id)) return err_set(e, E_CONFLICT, "id", "position %s exists", id);
    if (!org_exists(t, org)) return err_set(e, E_BAD_VALUE, "org", "no organisation %s", org);
    json_t *lines = json_object_get(c->arg, "reports_to");
    if (lines && lines_check(t, id, lines, e)) return -1;
    json_t *body = json_deep_copy(c->arg);
    if (!lines) json_object_set_new(body, "reports_to", json_array());
    if (!json_object_get(body, "authority")) json_object_set_new(body, "authority", json_array());
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    return cmd_draft(c, "position.added", id, all_labels(), body, e);
}

int org_prepare_person(truce_t *t, cmd_t *c, err_t *e)
{
    const char *id = json_string_value(json_object_get(c->arg, "id"));
    char gen[32];
    if (!id) {
        snprintf(gen, sizeof gen, "PER-%03lu", (unsigned long)t->org->persons_n + 1);
        id = gen;
    }
    if (org_person_exists(t, id)) return err_set(e, E_CONFLICT, "id", "person %s exists", id);
    json_t *body = json_deep_copy(c->arg);
    json_object_set_new(body, "id", json_string(id));
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    return cmd_draft(c, "person.added", id, all_labels(), body, e);
}

/* arg: {"position": id, "person": id|null} */
int org_prepare_holder(truce_t *t, cmd_t *c, err_t *e)
{
    const char *pos = json_string_value(json_object_get(c->arg, "position"));
    const char *person = json_string_value(json_object_get(c->arg, "person"));
    if (!org_position_exists(t, pos)) return err_set(e, E_NOT_FOUND, "position", "no position %s", pos);
    if (person && !org_person_exists(t, person))
        return err_set(e, E_BAD_VALUE, "person", "no person %s", person);
    snprintf(c->result_id, sizeof c->result_id, "%s", pos);
    return cmd_draft(c, "position.assigned", pos, all_labels(),
                     json_pack("{s:s, s:s?}", "position", pos, "person", person), e);
}

static int prepare_lines(truce_t *t, cmd_t *c, err_t *e)
{
    const char *pos = json_string_value(json_object_get(c->arg, "position"));
    json_t *lines = json_object_get(c->arg, "reports_to");
    if (!org_position_exists(t, pos)) return err_set(e, E_NOT_FOUND, "position", "no position %s", pos);
    if (lines_check(t, pos, lines, e)) return -1;
    snprintf(c->result_id, sizeof c->result_id, "%s", pos);
    return cmd_draft(c, "position.lines_set", pos, all_labels(),
                     json_pack("{s:s, s:O}", "position", pos, "reports_to", lines), e);
}

static int coords_ok(const json_t *pt)
{
    if (!json_is_array(pt) || json_array_size(pt) < 2 || json_array_size(pt) > 3) return 0;
    double x = json_number_value(json_array_get(pt, 0)), y = json_number_value(json_array_get(pt, 1));
    return json_is_number(json_array_get(pt, 0)) && json_is_number(json_array_get(pt, 1)) &&
           isfinite(x) && isfinite(y) && x >= -180 && x <= 180 && y >= -90 && y <= 90;
}

static int ring_ok(const json_t *ring)
{
    size_t n = json_array_size(ring), i;
    json_t *pt;
    if (!json_is_array(ring) || n < 4) return 0;
    json_array_foreach(ring, i, pt) if (!coords_ok(pt)) return 0;
    return json_equal(json_array_get(ring, 0), json_array_get(ring, n - 1));
}

/* GeoJSON structure check (types, ranges, closed rings). */
static int geometry_ok(const json_t *g)
{
    const char *type = json_string_value(json_object_get(g, "type"));
    const json_t *c = json_object_get(g, "coordinates");
    size_t i;
    json_t *x;
    if (!type || !json_is_array(c)) return 0;
    if (!strcmp(type, "Point")) return coords_ok(c);
    if (!strcmp(type, "LineString") || !strcmp(type, "MultiPoint")) {
        if (json_array_size(c) < (strcmp(type, "LineString") ? 1u : 2u)) return 0;
        json_array_foreach(c, i, x) if (!coords_ok(x)) return 0;
        return 1;
    }
    if (!strcmp(type, "Polygon")) {
        if (json_array_size(c) < 1) return 0;
        json_array_foreach(c, i, x) if (!ring_ok(x)) return 0;
        return 1;
    }
    if (!strcmp(type, "MultiPolygon")) {
        if (json_array_size(c) < 1) return 0;
        json_array_foreach(c, i, x)
        {
            size_t k;
            json_t *r;
            if (!json_is_array(x) || json_array_size(x) < 1) return 0;
            json_array_foreach(x, k, r) if (!ring_ok(r)) return 0;
        }
        return 1;
    }
    return 0;
}

/* arg: a GeoJSON Feature whose properties carry id and layer. */
int org_prepare_feature(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    json_t *props = json_object_get(c->arg, "properties");
    const char *id = json_string_value(json_object_get(props, "id"));
    const char *layer = json_string_value(json_object_get(props, "layer"));
    if (!id || !schema_valid_id(id, 48)) return err_set(e, E_BAD_VALUE, "properties.id", "feature needs an id");
    if (!layer) return err_set(e, E_MISSING_FIELD, "properties.layer", "feature needs a layer");
    if (!geometry_ok(json_object_get(c->arg, "geometry")))
        return err_set(e, E_BAD_GEOMETRY, "geometry", "feature %s has an invalid geometry", id);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    return cmd_draft(c, "geo.feature_added", id, all_labels(),
                     json_pack("{s:O}", "feature", c->arg), e);
}

/* ---- handlers ---- */

static json_t *values(json_t *obj)
{
    json_t *a = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) json_array_append(a, v);
    return a;
}

int h_mission_get(req_t *r)
{
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *m = r->t->org->mission ? json_deep_copy(r->t->org->mission) : json_object();
    pthread_rwlock_unlock(&r->t->lock);
    json_object_set_new(m, "exercise", json_boolean(r->t->exercise));
    return reply_json(r, 200, m);
}

int h_org_get(req_t *r)
{
    org_state_t *o = r->t->org;
    pthread_rwlock_rdlock(&r->t->lock);
    json_t *persons = json_array();
    const char *id;
    json_t *p;
    json_object_foreach(o->persons, id, p)
    {
        json_t *x = json_deep_copy(p);
        json_object_set_new(x, "positions", org_positions_of(r->t, id));
        json_array_append_new(persons, x);
    }
    int rc = reply_json(r, 200, json_pack("{s:o, s:o, s:o}", "organisations", values(o->orgs),
                                          "positions", values(o->positions), "persons", persons));
    pthread_rwlock_unlock(&r->t->lock);
    return rc;
}

int h_geo_get(req_t *r)
{
    const char *layer = req_query(r, "layer");
    json_t *fs = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    const char *id;
    json_t *f;
    json_object_foreach(r->t->org->features, id, f)
    {
        const char *l = json_string_value(json_object_get(json_object_get(f, "properties"), "layer"));
        if (!layer || (l && strcmp(l, layer) == 0)) json_array_append(fs, f);
    }
    int rc = reply_json(r, 200, json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", fs));
    pthread_rwlock_unlock(&r->t->lock);
    return rc;
}

static int submit_or_reply(req_t *r, cmd_prepare_fn fn, json_t *arg, int status)
{
    cmd_t c = {.who = &r->who, .prepare = fn, .arg = arg};
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, status, &c, NULL);
}

int h_org_add(req_t *r) { return submit_or_reply(r, org_prepare_org, r->json, 201); }
int h_position_add(req_t *r) { return submit_or_reply(r, org_prepare_position, r->json, 201); }
int h_person_add(req_t *r) { return submit_or_reply(r, org_prepare_person, r->json, 201); }

int h_position_holder(req_t *r)
{
    json_t *arg = json_pack("{s:s, s:O}", "position", r->params[0], "person",
                            json_object_get(r->json, "person") ?: json_null());
    int rc = submit_or_reply(r, org_prepare_holder, arg, 200);
    json_decref(arg);
    return rc;
}

int h_position_lines(req_t *r)
{
    json_t *arg = json_pack("{s:s, s:O}", "position", r->params[0], "reports_to",
                            json_object_get(r->json, "reports_to"));
    int rc = submit_or_reply(r, prepare_lines, arg, 200);
    json_decref(arg);
    return rc;
}

/* issue 9: an organisation's kind ("command", "training_mission", ...), or NULL. */
const char *org_kind(truce_t *t, const char *id)
{
    return id ? json_string_value(json_object_get(json_object_get(t->org->orgs, id), "kind")) : NULL;
}
