/*
 * org_test.c — the mission's command structure as data (src/org.c):
 * organisations, positions with several superiors, persons with several
 * positions (dual hats), holders, reporting-line loops, the mission settings
 * and its geography. Commands go through the log (org_prepare_* with the JSON
 * input as cmd.arg); reporting lines can only change through the API handler,
 * so those tests call h_position_lines with a request that has no connection
 * (the handler reads only r->t, r->who, r->params and r->json).
 */
#include "unit.h"

#include "log.h"
#include "org.h"

/* ---- fixtures ---- */

static void open_new(truce_t *t, char *dir)
{
    err_t e = {0};
    assert_non_null(unit_tmp_dir(dir, 600));
    if (truce_open(t, dir, 1, &e)) fail_msg("truce_open(%s): %s", dir, e.message);
}

/* Runs fn with the JSON input (parsed from text); the error into *out. */
static int cmd(truce_t *t, cmd_prepare_fn fn, const char *json, err_t *out)
{
    json_t *in = json_loads(json, 0, NULL);
    if (!in) fail_msg("bad test input %s", json);
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->prepare = fn;
    c->arg = in;
    int rc = log_submit(t, c);
    if (out) *out = c->err;
    free(c);
    json_decref(in);
    return rc;
}

static void ok(truce_t *t, cmd_prepare_fn fn, const char *json)
{
    err_t e;
    if (cmd(t, fn, json, &e)) fail_msg("refused %s: %s (%s)", json, e.message, e.field);
}

static void refused(truce_t *t, cmd_prepare_fn fn, const char *json, int code, const char *field)
{
    err_t e;
    uint64_t before = log_durable(t);
    if (cmd(t, fn, json, &e) != -1) fail_msg("accepted %s", json);
    if (e.code != code || strcmp(e.field, field))
        fail_msg("%s: got %s field \"%s\" (%s), want %s field \"%s\"", json, err_name(e.code),
                 e.field, e.message, err_name(code), field);
    assert_int_equal(log_durable(t), before); /* nothing written */
}

static void org(truce_t *t, const char *id)
{
    char j[300];
    snprintf(j, sizeof j,
             "{\"id\":\"%s\",\"kind\":\"command\",\"name\":{\"en\":\"%s\",\"ar\":\"%s\"}}", id, id,
             id);
    ok(t, org_prepare_org, j);
}

static void position(truce_t *t, const char *id, const char *org_id, const char *reports_to)
{
    char j[600];
    snprintf(j, sizeof j,
             "{\"id\":\"%s\",\"org\":\"%s\",\"title\":{\"en\":\"%s\",\"ar\":\"%s\"}%s%s}", id,
             org_id, id, id, reports_to ? ",\"reports_to\":" : "", reports_to ? reports_to : "");
    ok(t, org_prepare_position, j);
}

static void person(truce_t *t, const char *id, const char *name)
{
    char j[300];
    if (id)
        snprintf(j, sizeof j, "{\"id\":\"%s\",\"name\":\"%s\"}", id, name);
    else
        snprintf(j, sizeof j, "{\"name\":\"%s\"}", name);
    ok(t, org_prepare_person, j);
}

static void hold(truce_t *t, const char *pos, const char *who)
{
    char j[300];
    if (who)
        snprintf(j, sizeof j, "{\"position\":\"%s\",\"person\":\"%s\"}", pos, who);
    else
        snprintf(j, sizeof j, "{\"position\":\"%s\",\"person\":null}", pos);
    ok(t, org_prepare_holder, j);
}

/* Sorted ids of the positions person holds, joined with ",". */
static char *hats(truce_t *t, const char *who)
{
    json_t *a = org_positions_of(t, who);
    assert_non_null(a);
    assert_true(json_is_array(a));
    size_t n = json_array_size(a);
    const char **ids = calloc(n + 1, sizeof *ids);
    assert_non_null(ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = json_string_value(json_array_get(a, i));
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(ids[k - 1], ids[k]) > 0; k--) {
            const char *x = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = x;
        }
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_addf(&b, "%s%s", i ? "," : "", ids[i]);
    free(ids);
    json_decref(a);
    return buf_detach(&b, NULL);
}

static void assert_hats(truce_t *t, const char *who, const char *want)
{
    char *got = hats(t, who);
    if (strcmp(got, want)) fail_msg("%s holds [%s], want [%s]", who, got, want);
    free(got);
}

/* A request without a connection, for the handlers that need none. */
typedef struct {
    req_t r;
} fake_t;

static void fake_init(fake_t *f, truce_t *t, const char *param, const char *body)
{
    memset(f, 0, sizeof *f);
    f->r.t = t;
    snprintf(f->r.who.username, sizeof f->r.who.username, "%s", "admin");
    snprintf(f->r.who.org, sizeof f->r.who.org, "%s", "CMCC");
    strcpy(f->r.method, "POST");
    f->r.params[0] = param ? strdup(param) : NULL;
    f->r.nparams = param ? 1 : 0;
    f->r.json = body ? json_loads(body, 0, NULL) : NULL;
    if (body && !f->r.json) fail_msg("bad test body %s", body);
}

/* The reply as JSON (new reference) and the status. */
static json_t *fake_done(fake_t *f, int *status)
{
    *status = f->r.status;
    json_t *j = f->r.resp ? json_loadb(f->r.resp, f->r.resp_len, 0, NULL) : NULL;
    free(f->r.resp);
    free(f->r.params[0]);
    json_decref(f->r.json);
    return j;
}

/* Sets reporting lines through the API handler; returns the HTTP status and
 * fills the error field on failure. */
static int set_lines(truce_t *t, const char *pos, const char *lines, char *field, size_t cap)
{
    fake_t f;
    char body[600];
    snprintf(body, sizeof body, "{\"reports_to\":%s}", lines);
    fake_init(&f, t, pos, body);
    h_position_lines(&f.r);
    int status;
    json_t *j = fake_done(&f, &status);
    if (field) {
        const char *fl = json_string_value(json_object_get(json_object_get(j, "error"), "field"));
        snprintf(field, cap, "%s", fl ? fl : "");
    }
    json_decref(j);
    return status;
}

/* The organisation chart as GET /api/v1/org returns it. */
static json_t *chart(truce_t *t)
{
    fake_t f;
    fake_init(&f, t, NULL, NULL);
    strcpy(f.r.method, "GET");
    h_org_get(&f.r);
    int status;
    json_t *j = fake_done(&f, &status);
    assert_int_equal(status, 200);
    assert_non_null(j);
    return j;
}

static json_t *find(json_t *list, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) if (strcmp(json_string_value(json_object_get(x, "id")) ?: "",
                                              id) == 0) return x;
    return NULL;
}

/* ---- organisations ---- */

static void org_add_and_duplicates(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    assert_int_equal(org_exists(&t, "CMCC"), 0);
    org(&t, "CMCC");
    assert_int_equal(org_exists(&t, "CMCC"), 1);
    assert_int_equal(org_exists(&t, "cmcc"), 0);
    assert_int_equal(org_exists(&t, NULL), 0);
    refused(&t, org_prepare_org,
            "{\"id\":\"CMCC\",\"kind\":\"liaison\",\"name\":{\"en\":\"Other\",\"ar\":\"x\"}}",
            E_CONFLICT, "id");
    refused(&t, org_prepare_org,
            "{\"id\":\"ISF-AZE\",\"kind\":\"force_contingent\",\"parent\":\"ISF\",\"name\":{\"en\":"
            "\"Azerbaijan\",\"ar\":\"x\"}}",
            E_BAD_VALUE, "parent");
    assert_int_equal(org_exists(&t, "ISF-AZE"), 0);
    org(&t, "ISF");
    ok(&t, org_prepare_org,
       "{\"id\":\"ISF-AZE\",\"kind\":\"force_contingent\",\"parent\":\"ISF\",\"country\":\"AZ\","
       "\"name\":{\"en\":\"Azerbaijan\",\"ar\":"
       "\"\xd8\xa3\xd8\xb0\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xac\xd8\xa7\xd9\x86\"}}");
    assert_int_equal(org_exists(&t, "ISF-AZE"), 1);
    json_t *c = chart(&t);
    json_t *aze = find(json_object_get(c, "organisations"), "ISF-AZE");
    assert_non_null(aze);
    assert_string_equal(json_string_value(json_object_get(aze, "parent")), "ISF");
    assert_string_equal(json_string_value(json_object_get(aze, "kind")), "force_contingent");
    assert_int_equal(json_array_size(json_object_get(c, "organisations")), 3);
    json_decref(c);
    truce_close(&t);
}

/* ---- positions ---- */

static void org_position_two_superiors(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    org(&t, "USG");
    org(&t, "CENTCOM");
    org(&t, "CMCC");
    position(&t, "POS-SECSTATE", "USG", NULL);
    position(&t, "POS-CENTCOM", "CENTCOM", NULL);
    /* The US Security Coordinator reports to both. */
    position(&t, "POS-USSC", "USG", "[\"POS-SECSTATE\",\"POS-CENTCOM\"]");
    assert_int_equal(org_position_exists(&t, "POS-USSC"), 1);
    json_t *c = chart(&t);
    json_t *p = find(json_object_get(c, "positions"), "POS-USSC");
    assert_non_null(p);
    json_t *up = json_object_get(p, "reports_to");
    assert_int_equal(json_array_size(up), 2);
    assert_string_equal(json_string_value(json_array_get(up, 0)), "POS-SECSTATE");
    assert_string_equal(json_string_value(json_array_get(up, 1)), "POS-CENTCOM");
    assert_true(json_is_null(json_object_get(p, "holder")));
    /* Defaults: no superiors, no authorities. */
    p = find(json_object_get(c, "positions"), "POS-CENTCOM");
    assert_non_null(p);
    assert_int_equal(json_array_size(json_object_get(p, "reports_to")), 0);
    assert_true(json_is_array(json_object_get(p, "authority")));
    json_decref(c);

    /* Refusals. */
    refused(&t, org_prepare_position,
            "{\"id\":\"POS-USSC\",\"org\":\"USG\",\"title\":{\"en\":\"x\",\"ar\":\"x\"}}",
            E_CONFLICT, "id");
    refused(&t, org_prepare_position,
            "{\"id\":\"POS-X\",\"org\":\"NOPE\",\"title\":{\"en\":\"x\",\"ar\":\"x\"}}",
            E_BAD_VALUE, "org");
    refused(&t, org_prepare_position,
            "{\"id\":\"POS-X\",\"org\":\"CMCC\",\"title\":{\"en\":\"x\",\"ar\":\"x\"},"
            "\"reports_to\":[\"POS-USSC\",\"POS-NOWHERE\"]}",
            E_BAD_VALUE, "reports_to");
    /* A new position naming itself as superior: it does not exist yet. */
    refused(&t, org_prepare_position,
            "{\"id\":\"POS-X\",\"org\":\"CMCC\",\"title\":{\"en\":\"x\",\"ar\":\"x\"},"
            "\"reports_to\":[\"POS-X\"]}",
            E_BAD_VALUE, "reports_to");
    assert_int_equal(org_position_exists(&t, "POS-X"), 0);
    truce_close(&t);
}

/* ---- persons and holders ---- */

static void org_person_ids(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    person(&t, NULL, "First");
    person(&t, NULL, "Second");
    assert_int_equal(org_person_exists(&t, "PER-001"), 1);
    assert_int_equal(org_person_exists(&t, "PER-002"), 1);
    person(&t, "PER-010", "Tenth");
    person(&t, NULL, "After ten");
    assert_int_equal(org_person_exists(&t, "PER-011"), 1);
    person(&t, "DDR-7", "Not numbered");
    person(&t, NULL, "Next");
    assert_int_equal(org_person_exists(&t, "PER-012"), 1);
    refused(&t, org_prepare_person, "{\"id\":\"PER-010\",\"name\":\"Again\"}", E_CONFLICT, "id");
    refused(&t, org_prepare_person, "{\"id\":\"DDR-7\",\"name\":\"Again\"}", E_CONFLICT, "id");
    /* Numbering survives a restart. */
    char d1[65], d2[65];
    state_digest(&t, d1);
    truce_close(&t);
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    state_digest(&t, d2);
    assert_string_equal(d1, d2);
    person(&t, NULL, "After restart");
    assert_int_equal(org_person_exists(&t, "PER-013"), 1);
    truce_close(&t);
}

static void org_dual_hat(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    org(&t, "USG");
    org(&t, "CMCC");
    position(&t, "POS-USSC", "USG", NULL);
    position(&t, "POS-CMCC-CMD", "CMCC", NULL);
    position(&t, "POS-CMCC-CIV", "CMCC", "[\"POS-CMCC-CMD\"]");
    person(&t, "PER-001", "Dual Hat");
    person(&t, "PER-002", "Civilian");
    assert_hats(&t, "PER-001", "");
    /* One person, two positions. */
    hold(&t, "POS-USSC", "PER-001");
    hold(&t, "POS-CMCC-CMD", "PER-001");
    hold(&t, "POS-CMCC-CIV", "PER-002");
    assert_hats(&t, "PER-001", "POS-CMCC-CMD,POS-USSC");
    assert_hats(&t, "PER-002", "POS-CMCC-CIV");
    assert_hats(&t, "PER-404", "");
    /* The chart says the same, person by person. */
    json_t *c = chart(&t);
    json_t *p = find(json_object_get(c, "persons"), "PER-001");
    assert_non_null(p);
    assert_int_equal(json_array_size(json_object_get(p, "positions")), 2);
    p = find(json_object_get(c, "positions"), "POS-USSC");
    assert_string_equal(json_string_value(json_object_get(p, "holder")), "PER-001");
    json_decref(c);
    /* Handing one hat over leaves the other. */
    hold(&t, "POS-CMCC-CMD", "PER-002");
    assert_hats(&t, "PER-001", "POS-USSC");
    assert_hats(&t, "PER-002", "POS-CMCC-CIV,POS-CMCC-CMD");
    /* Vacating. */
    hold(&t, "POS-USSC", NULL);
    assert_hats(&t, "PER-001", "");
    c = chart(&t);
    p = find(json_object_get(c, "positions"), "POS-USSC");
    assert_true(json_is_null(json_object_get(p, "holder")));
    json_decref(c);
    /* Refusals. */
    refused(&t, org_prepare_holder, "{\"position\":\"POS-NONE\",\"person\":\"PER-001\"}",
            E_NOT_FOUND, "position");
    refused(&t, org_prepare_holder, "{\"position\":\"POS-USSC\",\"person\":\"PER-404\"}",
            E_BAD_VALUE, "person");
    assert_hats(&t, "PER-404", "");
    /* The same through the API handler. */
    fake_t f;
    fake_init(&f, &t, "POS-USSC", "{\"person\":\"PER-001\"}");
    h_position_holder(&f.r);
    int status;
    json_t *j = fake_done(&f, &status);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "POS-USSC");
    assert_non_null(json_object_get(j, "receipt"));
    json_decref(j);
    assert_hats(&t, "PER-001", "POS-USSC");
    /* Hats survive a restart. */
    truce_close(&t);
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    assert_hats(&t, "PER-001", "POS-USSC");
    assert_hats(&t, "PER-002", "POS-CMCC-CIV,POS-CMCC-CMD");
    truce_close(&t);
}

/* ---- reporting lines and loops ---- */

static void org_reporting_loops_refused(void **state)
{
    (void)state;
    truce_t t;
    char dir[600], field[64];
    open_new(&t, dir);
    org(&t, "CMCC");
    position(&t, "POS-A", "CMCC", NULL);
    position(&t, "POS-B", "CMCC", "[\"POS-A\"]");
    position(&t, "POS-C", "CMCC", "[\"POS-B\"]");
    position(&t, "POS-D", "CMCC", "[\"POS-C\"]");
    position(&t, "POS-E", "CMCC", NULL);
    uint64_t before = log_durable(&t);
    /* A -> D -> C -> B -> A */
    assert_int_equal(set_lines(&t, "POS-A", "[\"POS-D\"]", field, sizeof field), 400);
    assert_string_equal(field, "reports_to");
    assert_int_equal(set_lines(&t, "POS-A", "[\"POS-B\"]", field, sizeof field), 400);
    assert_int_equal(set_lines(&t, "POS-A", "[\"POS-E\",\"POS-C\"]", field, sizeof field), 400);
    /* Oneself. */
    assert_int_equal(set_lines(&t, "POS-A", "[\"POS-A\"]", field, sizeof field), 400);
    assert_string_equal(field, "reports_to");
    /* Unknown superior, unknown position. */
    assert_int_equal(set_lines(&t, "POS-A", "[\"POS-Z\"]", field, sizeof field), 400);
    assert_string_equal(field, "reports_to");
    assert_int_equal(set_lines(&t, "POS-Z", "[\"POS-A\"]", field, sizeof field), 404);
    assert_int_equal(log_durable(&t), before);
    /* A diamond is no loop: D reports to both C and E, and E to A. */
    assert_int_equal(set_lines(&t, "POS-E", "[\"POS-A\"]", NULL, 0), 200);
    assert_int_equal(set_lines(&t, "POS-D", "[\"POS-C\",\"POS-E\"]", NULL, 0), 200);
    json_t *c = chart(&t);
    json_t *d = find(json_object_get(c, "positions"), "POS-D");
    assert_int_equal(json_array_size(json_object_get(d, "reports_to")), 2);
    json_decref(c);
    /* Now E -> D would close E -> D -> E. */
    assert_int_equal(set_lines(&t, "POS-A", "[\"POS-E\"]", NULL, 0), 400);
    assert_int_equal(set_lines(&t, "POS-E", "[\"POS-D\"]", field, sizeof field), 400);
    /* Clearing the lines is allowed. */
    assert_int_equal(set_lines(&t, "POS-D", "[]", NULL, 0), 200);
    assert_int_equal(set_lines(&t, "POS-A", "[\"POS-D\"]", NULL, 0), 200);
    /* Lines replay. */
    char d1[65], d2[65];
    state_digest(&t, d1);
    truce_close(&t);
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    state_digest(&t, d2);
    assert_string_equal(d1, d2);
    truce_close(&t);
}

/* A loop hidden behind many paths: X reports to S and to the bottom of a
 * ladder of LEVELS layers, two positions each, every one reporting to both
 * above it (2^LEVELS upward paths). S reports to SELF. SELF -> X closes
 * SELF -> X -> S -> SELF; the check must find it however wide the graph. */
#define LEVELS 13

static void org_loop_behind_many_paths_refused(void **state)
{
    (void)state;
    truce_t t;
    char dir[600], id[32], up[96];
    open_new(&t, dir);
    org(&t, "CMCC");
    position(&t, "POS-SELF", "CMCC", NULL);
    position(&t, "POS-S", "CMCC", "[\"POS-SELF\"]");
    position(&t, "POS-L0a", "CMCC", NULL);
    position(&t, "POS-L0b", "CMCC", NULL);
    for (int k = 1; k <= LEVELS; k++)
        for (char s = 'a'; s <= 'b'; s++) {
            snprintf(id, sizeof id, "POS-L%d%c", k, s);
            snprintf(up, sizeof up, "[\"POS-L%da\",\"POS-L%db\"]", k - 1, k - 1);
            position(&t, id, "CMCC", up);
        }
    snprintf(up, sizeof up, "[\"POS-S\",\"POS-L%da\"]", LEVELS);
    position(&t, "POS-X", "CMCC", up);
    char field[64];
    int status = set_lines(&t, "POS-SELF", "[\"POS-X\"]", field, sizeof field);
    truce_close(&t);
    if (status != 400)
        fail_msg("POS-SELF -> POS-X -> POS-S -> POS-SELF was accepted (status %d): the loop check "
                 "gives up after a fixed number of steps",
                 status);
    assert_string_equal(field, "reports_to");
}

/* ---- mission and geography ---- */

static void org_mission_settings(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    assert_string_equal(org_timezone(&t), "UTC");
    assert_int_equal(t.exercise, 0);
    ok(&t, org_prepare_mission, "{\"id\":\"GAZA\",\"timezone\":\"Asia/Gaza\",\"exercise\":true}");
    assert_string_equal(org_timezone(&t), "Asia/Gaza");
    assert_int_equal(t.exercise, 1);
    truce_close(&t);
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    assert_string_equal(org_timezone(&t), "Asia/Gaza");
    assert_int_equal(t.exercise, 1);
    truce_close(&t);
}

static void org_geography(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    ok(&t, org_prepare_feature,
       "{\"type\":\"Feature\",\"properties\":{\"id\":\"SEC-NORTH\",\"layer\":\"sector\"},"
       "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[34.5,31.5],[34.6,31.5],[34.6,31.6],"
       "[34.5,31.5]]]}}");
    ok(&t, org_prepare_feature,
       "{\"type\":\"Feature\",\"properties\":{\"id\":\"XING-KS\",\"layer\":\"crossing\"},"
       "\"geometry\":{\"type\":\"Point\",\"coordinates\":[34.28,31.22]}}");
    assert_int_equal(org_sector_exists(&t, "SEC-NORTH"), 1);
    assert_int_equal(org_sector_exists(&t, "XING-KS"), 0); /* a crossing, not a sector */
    assert_int_equal(org_sector_exists(&t, "SEC-NONE"), 0);
    assert_int_equal(org_sector_exists(&t, NULL), 0);
    static const struct {
        const char *json;
        int code;
        const char *field;
    } bad[] = {
        /* ring not closed */
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"S1\",\"layer\":\"sector\"},\"geometry\":"
         "{\"type\":\"Polygon\",\"coordinates\":[[[34.5,31.5],[34.6,31.5],[34.6,31.6],[34.5,31.6]]]"
         "}}",
         E_BAD_GEOMETRY, "geometry"},
        /* too few points */
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"S1\",\"layer\":\"sector\"},\"geometry\":"
         "{\"type\":\"Polygon\",\"coordinates\":[[[34.5,31.5],[34.6,31.5],[34.5,31.5]]]}}",
         E_BAD_GEOMETRY, "geometry"},
        /* longitude out of range */
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"P1\",\"layer\":\"crossing\"},\"geometry\":"
         "{\"type\":\"Point\",\"coordinates\":[200,31.2]}}",
         E_BAD_GEOMETRY, "geometry"},
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"P1\",\"layer\":\"crossing\"},\"geometry\":"
         "{\"type\":\"Point\",\"coordinates\":[34.2,\"31.2\"]}}",
         E_BAD_GEOMETRY, "geometry"},
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"P1\",\"layer\":\"crossing\"},\"geometry\":"
         "{\"type\":\"Circle\",\"coordinates\":[34.2,31.2]}}",
         E_BAD_GEOMETRY, "geometry"},
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"L1\",\"layer\":\"line\"},\"geometry\":"
         "{\"type\":\"LineString\",\"coordinates\":[[34.2,31.2]]}}",
         E_BAD_GEOMETRY, "geometry"},
        {"{\"type\":\"Feature\",\"properties\":{\"layer\":\"crossing\"},\"geometry\":"
         "{\"type\":\"Point\",\"coordinates\":[34.2,31.2]}}",
         E_BAD_VALUE, "properties.id"},
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"bad "
         "id\",\"layer\":\"crossing\"},\"geometry\":"
         "{\"type\":\"Point\",\"coordinates\":[34.2,31.2]}}",
         E_BAD_VALUE, "properties.id"},
        {"{\"type\":\"Feature\",\"properties\":{\"id\":\"P1\"},\"geometry\":"
         "{\"type\":\"Point\",\"coordinates\":[34.2,31.2]}}",
         E_MISSING_FIELD, "properties.layer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(&t, org_prepare_feature, bad[i].json, bad[i].code, bad[i].field);
    truce_close(&t);
}

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    return unit_tmp_root("org");
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(org_add_and_duplicates),
        cmocka_unit_test(org_position_two_superiors),
        cmocka_unit_test(org_person_ids),
        cmocka_unit_test(org_dual_hat),
        cmocka_unit_test(org_reporting_loops_refused),
        cmocka_unit_test(org_loop_behind_many_paths_refused),
        cmocka_unit_test(org_mission_settings),
        cmocka_unit_test(org_geography),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
