/*
 * scenario.c — loads a scenario folder (scenario.json and its GeoJSON layers)
 * into the log as ordinary events, through the same commands the API uses, so
 * a scenario can never hold what the API would refuse. Everything is one
 * batch: one transaction, one fsync.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aid.h"
#include "auth.h"
#include "incident.h"
#include "ddr.h"
#include "log.h"
#include "isf.h"
#include "notify.h"
#include "org.h"
#include "psf.h"

typedef struct {
    cmd_t **c;
    json_t **args;
    int n, cap;
} plan_t;

static int plan_add(plan_t *p, cmd_prepare_fn fn, json_t *arg)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 256;
        cmd_t **c = realloc(p->c, (size_t)cap * sizeof *c);
        json_t **a = realloc(p->args, (size_t)cap * sizeof *a);
        if (!c || !a) return -1;
        p->c = c;
        p->args = a;
        p->cap = cap;
    }
    cmd_t *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->prepare = fn;
    c->arg = arg;
    p->c[p->n] = c;
    p->args[p->n++] = arg;
    return 0;
}

static int checked(const json_t *rec, const field_t *fields, const char *what, size_t i, err_t *e)
{
    if (schema_check(rec, fields, e) == 0) return 0;
    char msg[sizeof e->message];
    snprintf(msg, sizeof msg, "%s[%zu].%s: %s", what, i, e->field, e->message);
    snprintf(e->message, sizeof e->message, "%s", msg);
    return -1;
}

/* Adds items whose dependencies (key, a string or an array of ids) are all
 * already added, until none is left: parents before children. */
static int add_in_order(plan_t *p, json_t *items, const char *key, cmd_prepare_fn fn,
                        const field_t *fields, const char *what, int exercise, err_t *e)
{
    size_t n = json_array_size(items), done = 0;
    char *added = calloc(n ? n : 1, 1);
    json_t *ids = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *rec = json_array_get(items, i);
        if (checked(rec, fields, what, i, e)) goto fail;
    }
    while (done < n) {
        size_t before = done;
        for (size_t i = 0; i < n; i++) {
            if (added[i]) continue;
            json_t *rec = json_array_get(items, i), *dep = json_object_get(rec, key);
            int ready = 1;
            if (json_is_string(dep)) ready = json_object_get(ids, json_string_value(dep)) != NULL;
            size_t k;
            json_t *d;
            if (json_is_array(dep))
                json_array_foreach(dep, k, d) ready &= json_object_get(ids, json_string_value(d)) != NULL;
            if (!ready) continue;
            json_t *arg = json_deep_copy(rec);
            if (exercise) json_object_set_new(arg, "exercise", json_true());
            if (plan_add(p, fn, arg)) goto fail;
            json_object_set_new(ids, json_string_value(json_object_get(rec, "id")), json_true());
            added[i] = 1;
            done++;
        }
        if (done == before) {
            err_set(e, E_BAD_VALUE, key, "%s: %s refers to something missing or forms a loop", what, key);
            goto fail;
        }
    }
    free(added);
    json_decref(ids);
    return 0;
fail:
    free(added);
    json_decref(ids);
    return -1;
}

/* Replaces every string "now", "now+N[dhm]" or "now-N[dhm]" in v (recursively)
 * by that time, rounded down to the minute. */
static int relative_times(json_t *v, int64_t now, err_t *e)
{
    now -= now % 60000;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            const char *s = json_string_value(x);
            if (s && strncmp(s, "now", 3) == 0) {
                double n = 0;
                char unit = 'd', sign = '+';
                if (s[3] && sscanf(s + 3, "%c%lf%c", &sign, &n, &unit) != 3)
                    return err_set(e, E_BAD_VALUE, k, "%s: write now, now+2d, now-3h or now+30m", s);
                int64_t ms = (int64_t)(n * (unit == 'd' ? 86400000.0 : unit == 'h' ? 3600000.0 : 60000.0));
                char out[32];
                time_format(now + (sign == '-' ? -ms : ms), out);
                json_object_set_new(v, k, json_string(out));
            } else if (relative_times(x, now, e)) {
                return -1;
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            const char *s = json_string_value(x);
            if (s && strncmp(s, "now", 3) == 0) {
                json_t *wrap = json_pack("{s:O}", "t", x);
                if (relative_times(wrap, now, e)) {
                    json_decref(wrap);
                    return -1;
                }
                json_array_set(v, i, json_object_get(wrap, "t"));
                json_decref(wrap);
            } else if (relative_times(x, now, e)) {
                return -1;
            }
        }
    }
    return 0;
}

int scenario_load(truce_t *t, const char *dir, json_t **accounts_out, err_t *e)
{
    buf_t path;
    buf_init(&path);
    buf_addf(&path, "%s/scenario.json", dir);
    json_error_t je;
    json_t *sc = json_load_file(path.data, JSON_REJECT_DUPLICATES, &je);
    if (!sc) {
        err_set(e, E_BAD_VALUE, "scenario", "%s: %s (line %d)", path.data, je.text, je.line);
        buf_release(&path);
        return -1;
    }
    plan_t p = {0};
    int rc = -1, exercise = json_is_true(json_object_get(sc, "exercise"));
    json_t *accounts = json_array();
    json_t *mission = json_deep_copy(json_object_get(sc, "mission"));
    if (!json_is_object(mission)) {
        err_set(e, E_MISSING_FIELD, "mission", "scenario.json has no mission");
        goto out;
    }
    json_object_set_new(mission, "exercise", json_boolean(exercise));
    if (plan_add(&p, org_prepare_mission, mission)) goto out;

    if (add_in_order(&p, json_object_get(sc, "organisations"), "parent", org_prepare_org, org_fields,
                     "organisations", exercise, e))
        goto out;
    json_t *persons = json_array(), *holds = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(sc, "persons"), i, x)
    {
        json_t *copy = json_deep_copy(x);
        json_t *h = json_object_get(copy, "holds");
        size_t k;
        json_t *pos;
        json_array_foreach(h, k, pos) json_array_append_new(holds, json_pack("{s:O, s:O}", "position", pos,
                                                                            "person", json_object_get(x, "id")));
        json_object_del(copy, "holds");
        json_array_append_new(persons, copy);
    }
    int bad = add_in_order(&p, persons, "-", org_prepare_person, person_fields, "persons", exercise, e) ||
              add_in_order(&p, json_object_get(sc, "positions"), "reports_to", org_prepare_position,
                           position_fields, "positions", exercise, e);
    json_decref(persons);
    json_array_foreach(holds, i, x) if (!bad) bad = plan_add(&p, org_prepare_holder, json_incref(x));
    json_decref(holds);
    if (bad) goto out;

    json_array_foreach(json_object_get(sc, "layers"), i, x)
    {
        buf_reset(&path);
        buf_addf(&path, "%s/%s", dir, json_string_value(x));
        json_t *fc = json_load_file(path.data, 0, &je);
        if (!fc) {
            err_set(e, E_BAD_VALUE, "layers", "%s: %s (line %d)", path.data, je.text, je.line);
            goto out;
        }
        size_t k;
        json_t *f;
        json_array_foreach(json_object_get(fc, "features"), k, f)
        {
            json_t *copy = json_deep_copy(f);
            if (exercise) json_object_set_new(json_object_get(copy, "properties"), "exercise", json_true());
            if (plan_add(&p, org_prepare_feature, copy)) {
                json_decref(fc);
                goto out;
            }
        }
        json_decref(fc);
    }

    /* Exercise notifications: times are relative to loading ("now+1d"). */
    static const struct {
        const char *key;
        cmd_prepare_fn fn;
    } sections[] = {{"contingents", isf_prepare_contingent},
                    {"units", notify_prepare_unit},
                    {"caveats", isf_prepare_caveat},
                    {"nostrike", notify_prepare_nostrike},
                    {"sites", notify_prepare_site},
                    {"movements", notify_prepare_movement},
                    {"incidents", incident_prepare_scenario},
                    {"consignments", aid_prepare_scenario},
                    {"psf_courses", psf_prepare_course_scenario},
                    {"psf_units", psf_prepare_unit_scenario}};
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
        json_array_foreach(json_object_get(sc, sections[s].key), i, x)
        {
            json_t *copy = json_deep_copy(x);
            if (relative_times(copy, util_now_ms(), e)) {
                json_decref(copy);
                goto out;
            }
            if (exercise) json_object_set_new(copy, "exercise", json_true());
            if (plan_add(&p, sections[s].fn, copy)) goto out;
        }

    /* The DDR programme: rules, disarmament sites, stores (one command). */
    if (json_is_object(json_object_get(sc, "ddr"))) {
        json_t *copy = json_deep_copy(json_object_get(sc, "ddr"));
        if (exercise) json_object_set_new(copy, "exercise", json_true());
        if (plan_add(&p, ddr_prepare_scenario, copy)) goto out;
    }
    int first_user = p.n;
    json_array_foreach(json_object_get(sc, "accounts"), i, x)
    {
        char pw[17];
        auth_random_password(pw);
        json_t *in = json_deep_copy(x);
        json_object_set_new(in, "password", json_string(pw));
        if (checked(in, user_add_fields, "accounts", i, e)) {
            json_decref(in);
            goto out;
        }
        if (plan_add(&p, NULL, in)) goto out;
        cmd_t *c = p.c[p.n - 1];
        if (auth_cmd_user_add(t, NULL, in, c)) {
            *e = c->err;
            goto out;
        }
        json_array_append_new(accounts, json_pack("{s:O, s:s, s:O}", "username", json_object_get(x, "username"),
                                                  "password", pw, "roles", json_object_get(x, "roles")));
    }
    (void)first_user;
    if (log_submit_many(t, p.c, p.n)) {
        for (int k = 0; k < p.n; k++)
            if (p.c[k]->err.code) {
                *e = p.c[k]->err;
                char msg[sizeof e->message];
                snprintf(msg, sizeof msg, "scenario record %d (%s): %s", k, e->field, p.c[k]->err.message);
                snprintf(e->message, sizeof e->message, "%s", msg);
                break;
            }
        goto out;
    }
    *accounts_out = json_incref(accounts);
    rc = 0;
out:
    for (int k = 0; k < p.n; k++) {
        json_decref(p.args[k]);
        free(p.c[k]);
    }
    free(p.c);
    free(p.args);
    json_decref(accounts);
    json_decref(sc);
    buf_release(&path);
    return rc;
}
