/*
 * transition_test.c — the gate evaluator of the sector hand-over
 * (src/transition.c) and the readiness rating (src/psf.c), against
 * hand-computed cases.
 *
 * Gates: test metrics registered here stand in for the incidents, aid and
 * disarmament modules (that is what the registry is for); each returns a
 * figure per weekly window from a table, so every threshold is exercised at,
 * just above and just below its value, over N weeks, with windows that have
 * no data, and with metrics nobody registered.
 *
 * Readiness: psf_readiness_compute() on figures chosen by hand, then the
 * rating of a unit built from events in a real data folder (certificates
 * valid until a time and no later, exercises in their window), and the
 * psf_unit_readiness metric that reads it for a sector's gate.
 */
#include "unit.h"

#include <math.h>

#include "http.h"
#include "log.h"
#include "psf.h"
#include "transition.h"

#define WEEK (7LL * 86400 * 1000)
#define DAY (86400LL * 1000)
static const int64_t NOW = 1790000000000LL; /* a fixed "now" (2026-09-21) */

/* ---- test metrics ---- */

/* Figures per week, newest first; NAN = no data for that week. */
static double weeks_table[16];
static int weeks_n;
static int64_t seen_from[16], seen_until[16];
static int calls;

static int table_metric(truce_t *t, const char *sector, int64_t from, int64_t until, double *value,
                        json_t *ev)
{
    (void)t;
    assert_string_equal(sector, "SEC-TEST");
    if (calls < 16) {
        seen_from[calls] = from;
        seen_until[calls] = until;
    }
    calls++;
    int k = (int)((NOW - until) / WEEK);
    json_object_set_new(ev, "week", json_integer(k));
    if (k < 0 || k >= weeks_n || isnan(weeks_table[k])) return 1;
    *value = weeks_table[k];
    return 0;
}

static int failing_metric(truce_t *t, const char *sector, int64_t from, int64_t until,
                          double *value, json_t *ev)
{
    (void)t, (void)sector, (void)from, (void)until, (void)ev;
    *value = 5;
    return -1;
}

static int nan_metric(truce_t *t, const char *sector, int64_t from, int64_t until, double *value,
                      json_t *ev)
{
    (void)t, (void)sector, (void)from, (void)until, (void)ev;
    *value = NAN;
    return 0;
}

static double one_value;
static int one_metric(truce_t *t, const char *sector, int64_t from, int64_t until, double *value,
                      json_t *ev)
{
    (void)t, (void)sector, (void)ev;
    assert_true(from == until); /* weeks 0: as of now */
    assert_true(until == NOW);
    *value = one_value;
    return 0;
}

static void set_weeks(int n, const double *v)
{
    weeks_n = n;
    for (int i = 0; i < n; i++)
        weeks_table[i] = v[i];
    calls = 0;
}

/* Evaluates {"metric","op","threshold","weeks"} for SEC-TEST as of NOW. */
static int eval(const char *metric, const char *op, double threshold, int weeks, json_t **out)
{
    json_t *g = json_pack("{s:s, s:s, s:s, s:f, s:i}", "id", "g", "metric", metric, "op", op,
                          "threshold", threshold, "weeks", weeks);
    int st = transition_gate_eval(NULL, "SEC-TEST", g, NOW, out);
    json_decref(g);
    return st;
}

static int eval1(double value, const char *op, double threshold)
{
    one_value = value;
    return eval("test_one", op, threshold, 0, NULL);
}

/* ---- gates ---- */

static void gate_compare_at_and_around_the_threshold(void **state)
{
    (void)state;
    gate_metric_register("test_one", one_metric);
    /* >= : at passes, just below fails, above passes */
    assert_int_equal(eval1(0.6, ">=", 0.6), GATE_PASS);
    assert_int_equal(eval1(0.599999, ">=", 0.6), GATE_FAIL);
    assert_int_equal(eval1(0.600001, ">=", 0.6), GATE_PASS);
    /* floating sums within the 1e-9 tolerance count as equal */
    assert_int_equal(eval1(0.1 + 0.2, ">=", 0.3), GATE_PASS);
    assert_int_equal(eval1(0.1 + 0.2, "<=", 0.3), GATE_PASS);
    /* > : at fails */
    assert_int_equal(eval1(0.75, ">", 0.75), GATE_FAIL);
    assert_int_equal(eval1(0.750001, ">", 0.75), GATE_PASS);
    /* <= : at passes, just above fails */
    assert_int_equal(eval1(3, "<=", 3), GATE_PASS);
    assert_int_equal(eval1(3.000001, "<=", 3), GATE_FAIL);
    assert_int_equal(eval1(2.999999, "<=", 3), GATE_PASS);
    /* < : at fails */
    assert_int_equal(eval1(1, "<", 1), GATE_FAIL);
    assert_int_equal(eval1(0.999999, "<", 1), GATE_PASS);
    /* integer thresholds as counted figures */
    assert_int_equal(eval1(200, ">=", 200), GATE_PASS);
    assert_int_equal(eval1(199, ">=", 200), GATE_FAIL);
    /* an unknown operator never passes */
    assert_int_equal(eval1(5, "==", 5), GATE_FAIL);
    assert_int_equal(transition_compare("==", 5, 5), -1);
    assert_int_equal(transition_compare(NULL, 5, 5), -1);
    assert_int_equal(transition_compare(">=", 5, 5), 1);
}

static void gate_weeks_every_window_must_hold(void **state)
{
    (void)state;
    gate_metric_register("test_weeks", table_metric);
    json_t *out = NULL;
    /* incidents per week <= 3 for 4 weeks */
    set_weeks(4, (double[]){3, 2, 0, 3});
    assert_int_equal(eval("test_weeks", "<=", 3, 4, &out), GATE_PASS);
    assert_int_equal(calls, 4);
    /* the windows: newest first, 7 days each, ending at now */
    for (int k = 0; k < 4; k++) {
        assert_true(seen_until[k] == NOW - k * WEEK);
        assert_true(seen_from[k] == seen_until[k] - WEEK);
    }
    json_t *w = json_object_get(out, "windows");
    assert_int_equal(json_array_size(w), 4);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "pass");
    assert_true(json_number_value(json_object_get(out, "value")) == 3); /* the newest window's */
    assert_true(json_number_value(json_object_get(json_array_get(w, 1), "value")) == 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_array_get(w, 3), "evidence"), "week")),
                     3);
    char until0[32];
    time_format(NOW, until0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "until")), until0);
    json_decref(out);

    /* the oldest week just above: fails, and only that window says so */
    set_weeks(4, (double[]){3, 3, 3, 3.5});
    assert_int_equal(eval("test_weeks", "<=", 3, 4, &out), GATE_FAIL);
    w = json_object_get(out, "windows");
    assert_string_equal(json_string_value(json_object_get(json_array_get(w, 3), "status")), "fail");
    assert_string_equal(json_string_value(json_object_get(json_array_get(w, 2), "status")), "pass");
    json_decref(out);

    /* a fifth week outside N does not count */
    set_weeks(5, (double[]){1, 1, 1, 1, 99});
    assert_int_equal(eval("test_weeks", "<=", 3, 4, NULL), GATE_PASS);
    assert_int_equal(eval("test_weeks", "<=", 3, 5, NULL), GATE_FAIL);

    /* only 3 weeks of data for a 4-week gate: no data, never a pass */
    set_weeks(3, (double[]){0, 0, 0});
    assert_int_equal(eval("test_weeks", "<=", 3, 4, &out), GATE_NO_DATA);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "no_data");
    assert_true(
        json_is_null(json_object_get(json_array_get(json_object_get(out, "windows"), 3), "value")));
    json_decref(out);

    /* a failing week outweighs a week without data */
    set_weeks(4, (double[]){4, NAN, 0, 0});
    assert_int_equal(eval("test_weeks", "<=", 3, 4, NULL), GATE_FAIL);
    set_weeks(4, (double[]){3, NAN, 0, 0});
    assert_int_equal(eval("test_weeks", "<=", 3, 4, NULL), GATE_NO_DATA);

    /* aid trucks per day >= 500 for 2 weeks: at, below, above */
    set_weeks(2, (double[]){500, 500});
    assert_int_equal(eval("test_weeks", ">=", 500, 2, NULL), GATE_PASS);
    set_weeks(2, (double[]){500, 499.9});
    assert_int_equal(eval("test_weeks", ">=", 500, 2, NULL), GATE_FAIL);
    set_weeks(2, (double[]){612, 500.1});
    assert_int_equal(eval("test_weeks", ">=", 500, 2, NULL), GATE_PASS);
    /* one week */
    set_weeks(1, (double[]){1});
    assert_int_equal(eval("test_weeks", "<", 1, 1, NULL), GATE_FAIL);
    assert_int_equal(eval("test_weeks", "<", 1.5, 1, NULL), GATE_PASS);
}

static void gate_no_data(void **state)
{
    (void)state;
    json_t *out = NULL;
    /* a metric nobody registered */
    assert_null(gate_metric_find("incidents_per_week_unregistered"));
    assert_int_equal(eval("incidents_per_week_unregistered", "<=", 1000000, 0, &out), GATE_NO_DATA);
    assert_false(json_is_true(json_object_get(out, "registered")));
    assert_true(json_is_null(json_object_get(out, "value")));
    json_decref(out);
    assert_int_equal(eval("incidents_per_week_unregistered", "<=", 3, 8, &out), GATE_NO_DATA);
    assert_int_equal(json_array_size(json_object_get(out, "windows")), 8);
    json_decref(out);
    /* a provider that fails, or answers NaN: no data */
    gate_metric_register("test_failing", failing_metric);
    gate_metric_register("test_nan", nan_metric);
    assert_int_equal(eval("test_failing", ">=", 0, 0, NULL), GATE_NO_DATA);
    assert_int_equal(eval("test_nan", ">=", 0, 0, NULL), GATE_NO_DATA);
    /* registering a name again replaces its function */
    gate_metric_register("test_swap", failing_metric);
    gate_metric_register("test_swap", nan_metric);
    assert_ptr_equal(gate_metric_find("test_swap"), nan_metric);
}

/* ---- readiness, pure ---- */

static double rate(psf_readiness_in_t in, const char *weights, json_t **comps)
{
    json_t *w = weights ? json_loads(weights, 0, NULL) : NULL;
    json_t *c = json_array();
    double r = psf_readiness_compute(&in, w, c);
    json_decref(w);
    if (comps)
        *comps = c;
    else
        json_decref(c);
    return r;
}

static double comp(json_t *comps, int i)
{
    return json_number_value(json_object_get(json_array_get(comps, (size_t)i), "value"));
}

static void readiness_hand_computed(void **state)
{
    (void)state;
    const char *W = "{\"personnel\":0.25,\"trained\":0.35,\"equipment\":0.2,\"exercises\":0.2}";
    json_t *c = NULL;
    /* empty unit */
    assert_true(rate((psf_readiness_in_t){.authorised = 10, .ex_target = 3, .ex_civil_target = 1},
                     W, NULL) == 0);
    /* everything full */
    double full = rate((psf_readiness_in_t){.authorised = 4,
                                            .assigned = 4,
                                            .certified = 4,
                                            .equip_held = 8,
                                            .equip_authorised = 8,
                                            .ex_passed = 3,
                                            .ex_civil_passed = 1,
                                            .ex_target = 3,
                                            .ex_civil_target = 1},
                       W, NULL);
    assert_true(fabs(full - 1) < 1e-12);
    /* the API test's unit: 2/4 assigned, 1/2 certified, 13/14 equipment, 2 of 3 exercises (1 civil)
     */
    double r = rate((psf_readiness_in_t){.authorised = 4,
                                         .assigned = 2,
                                         .certified = 1,
                                         .equip_held = 13,
                                         .equip_authorised = 14,
                                         .ex_passed = 2,
                                         .ex_civil_passed = 1,
                                         .ex_target = 3,
                                         .ex_civil_target = 1,
                                         .window_days = 180},
                    W, &c);
    assert_true(fabs(r - (0.25 * 0.5 + 0.35 * 0.5 + 0.2 * 13.0 / 14 + 0.2 * 2.0 / 3)) < 1e-12);
    assert_int_equal(json_array_size(c), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "component")),
                        "personnel");
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 3), "component")),
                        "exercises");
    assert_true(comp(c, 0) == 0.5 && comp(c, 1) == 0.5);
    json_t *f = json_object_get(json_array_get(c, 3), "figures");
    assert_int_equal(json_integer_value(json_object_get(f, "passed")), 2);
    assert_int_equal(json_integer_value(json_object_get(f, "civil_coordination_passed")), 1);
    assert_true(json_number_value(json_object_get(json_array_get(c, 1), "weight")) == 0.35);
    json_decref(c);
    /* exercises: three passed but none with civilian leaders: 2 of 3 */
    rate(
        (psf_readiness_in_t){
            .ex_passed = 3, .ex_civil_passed = 0, .ex_target = 3, .ex_civil_target = 1},
        W, &c);
    assert_true(fabs(comp(c, 3) - 2.0 / 3) < 1e-12);
    json_decref(c);
    /* three civil-coordination exercises count once towards the civil target: 1 of 3 */
    rate(
        (psf_readiness_in_t){
            .ex_passed = 3, .ex_civil_passed = 3, .ex_target = 3, .ex_civil_target = 1},
        W, &c);
    assert_true(fabs(comp(c, 3) - 1.0 / 3) < 1e-12);
    json_decref(c);
    /* more than the target is capped */
    rate(
        (psf_readiness_in_t){
            .ex_passed = 9, .ex_civil_passed = 2, .ex_target = 3, .ex_civil_target = 1},
        W, &c);
    assert_true(comp(c, 3) == 1);
    json_decref(c);
    /* over strength is capped at 1; no equipment authorised rates 0 */
    rate((psf_readiness_in_t){.authorised = 5, .assigned = 7, .certified = 7}, W, &c);
    assert_true(comp(c, 0) == 1 && comp(c, 1) == 1 && comp(c, 2) == 0);
    json_decref(c);
    /* weights: only personnel counts */
    r = rate((psf_readiness_in_t){.authorised = 8, .assigned = 6, .certified = 0},
             "{\"personnel\":1,\"trained\":0,\"equipment\":0,\"exercises\":0}", NULL);
    assert_true(fabs(r - 0.75) < 1e-12);
    /* weights need not sum to 1: the mean is weighted */
    r = rate((psf_readiness_in_t){.authorised = 8, .assigned = 8, .certified = 0},
             "{\"personnel\":2,\"trained\":2,\"equipment\":0,\"exercises\":0}", NULL);
    assert_true(fabs(r - 0.5) < 1e-12);
    /* defaults when the scenario gives none */
    r = rate((psf_readiness_in_t){.authorised = 4, .assigned = 4}, NULL, NULL);
    assert_true(fabs(r - 0.25) < 1e-12);
}

/* ---- readiness from events ---- */

static int draft_all(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    json_t *evs = c->arg;
    size_t i;
    json_t *x;
    json_array_foreach(evs, i, x)
    {
        if (cmd_draft(c, json_string_value(json_array_get(x, 0)),
                      json_string_value(json_array_get(x, 1)), json_pack("[s]", "role:trainer"),
                      json_incref(json_array_get(x, 2)), e))
            return -1;
    }
    return 0;
}

static void submit(truce_t *t, const char *json)
{
    json_t *evs = json_loads(json, 0, NULL);
    if (!evs) fail_msg("bad test events %s", json);
    cmd_t *c = calloc(1, sizeof *c);
    c->prepare = draft_all;
    c->arg = evs;
    if (log_submit(t, c)) fail_msg("refused: %s", c->err.message);
    free(c);
    json_decref(evs);
}

/* The clock the events of readiness_from_events are recorded at: before
 * NOW, so that what the test reads "as of NOW" (psf_summary) exists then. */
static int64_t before_now(void)
{
    return NOW - 200 * DAY;
}

static int64_t a_day_after_now(void)
{
    return NOW + DAY;
}

static void readiness_from_events(void **state)
{
    (void)state;
    char dir[600];
    truce_t t;
    err_t e = {0};
    int64_t (*saved)(void) = util_now_ms;
    util_now_ms = before_now;
    assert_non_null(unit_tmp_dir(dir, sizeof dir));
    if (truce_open(&t, dir, 1, &e)) fail_msg("truce_open: %s", e.message);
    char a[32], b[32], x1[32], x2[32];
    time_format(NOW - 100 * DAY, a);
    time_format(NOW + 10 * DAY, b); /* the certificate expires 10 days after NOW */
    time_format(NOW - 20 * DAY, x1);
    time_format(NOW - 165 * DAY,
                x2); /* leaves the 180-day window (at - 180 d, at] 15 days after NOW */
    char j[4000];
    snprintf(
        j, sizeof j,
        "[[\"psf.unit.created\",\"PSFU-1\",{\"name\":{\"en\":\"u\",\"ar\":\"u\"},\"type\":"
        "\"police\",\"sector\":\"SEC-TEST\",\"authorised_strength\":2}],"
        "[\"psf.candidate.registered\",\"CND-1\",{\"service\":\"police\"}],"
        "[\"psf.candidate.registered\",\"CND-2\",{\"service\":\"police\"}],"
        "[\"psf.certificate.issued\",\"CERT-1\",{\"candidate\":\"CND-1\",\"course\":\"CRS-1\","
        "\"type\":\"basic\",\"issued_at\":\"%s\",\"valid_until\":\"%s\"}],"
        "[\"psf.unit.member\",\"PSFU-1\",{\"candidate\":\"CND-1\",\"action\":\"add\"}],"
        "[\"psf.unit.member\",\"PSFU-1\",{\"candidate\":\"CND-2\",\"action\":\"add\"}],"
        "[\"psf.unit.equipment\",\"PSFU-1\",{\"item\":\"radio\",\"authorised\":10,\"held\":5}],"
        "[\"psf.unit.exercise\",\"PSFU-1\",{\"type\":\"civil_coordination\",\"date\":\"%s\","
        "\"result\":\"passed\",\"civilian_leaders\":[\"PTC\"]}],"
        "[\"psf.unit.exercise\",\"PSFU-1\",{\"type\":\"field\",\"date\":\"%s\",\"result\":"
        "\"passed\"}]]",
        a, b, x1, x2);
    submit(&t, j);
    double s;
    json_t *out = NULL;
    /* NOW: 2/2 personnel, 1/2 certified, 5/10 equipment, 2/3 exercises (defaults: 0.25, 0.35, 0.2,
     * 0.2) */
    assert_int_equal(psf_unit_readiness(&t, "PSFU-1", NOW, &s, &out), 0);
    double want = 0.25 * 1 + 0.35 * 0.5 + 0.2 * 0.5 + 0.2 * 2.0 / 3;
    assert_true(fabs(s - want) < 1e-12);
    assert_true(fabs(json_number_value(json_object_get(out, "score")) - round(want * 1000) / 1000) <
                1e-12);
    json_decref(out);
    /* at the certificate's valid_until it no longer counts; a millisecond before it does */
    psf_unit_readiness(&t, "PSFU-1", NOW + 10 * DAY - 1, &s, NULL);
    assert_true(fabs(s - want) < 1e-12);
    psf_unit_readiness(&t, "PSFU-1", NOW + 10 * DAY, &s, NULL);
    double later = 0.25 * 1 + 0.35 * 0 + 0.2 * 0.5 + 0.2 * 2.0 / 3;
    assert_true(fabs(s - later) < 1e-12);
    /* 15 days later the older exercise has left the window; a millisecond before, it has not */
    psf_unit_readiness(&t, "PSFU-1", NOW + 15 * DAY - 1, &s, NULL);
    assert_true(fabs(s - later) < 1e-12);
    psf_unit_readiness(&t, "PSFU-1", NOW + 15 * DAY, &s, NULL);
    assert_true(fabs(s - (0.25 + 0.2 * 0.5 + 0.2 * 1.0 / 3)) < 1e-12);
    /* before the exercises and the certificate */
    psf_unit_readiness(&t, "PSFU-1", NOW - 180 * DAY, &s, NULL);
    assert_true(fabs(s - (0.25 + 0.2 * 0.5)) < 1e-12);
    assert_int_equal(psf_unit_readiness(&t, "PSFU-9", NOW, &s, NULL), -1);

    /* the gate metric: lowest rating of the sector's units */
    json_t *g = json_pack("{s:s, s:s, s:s, s:f}", "id", "readiness", "metric", "psf_unit_readiness",
                          "op", ">=", "threshold", want);
    assert_int_equal(transition_gate_eval(&t, "SEC-TEST", g, NOW, &out), GATE_PASS);
    json_decref(out);
    assert_int_equal(transition_gate_eval(&t, "SEC-TEST", g, NOW + 10 * DAY, NULL), GATE_FAIL);
    assert_int_equal(transition_gate_eval(&t, "SEC-OTHER", g, NOW, &out),
                     GATE_NO_DATA); /* no unit there */
    json_decref(out);
    /* a second, empty unit in the sector pulls the lowest rating down */
    submit(&t, "[[\"psf.unit.created\",\"PSFU-2\",{\"name\":{\"en\":\"v\",\"ar\":\"v\"},\"type\":"
               "\"police\",\"sector\":\"SEC-TEST\",\"authorised_strength\":5}]]");
    assert_int_equal(transition_gate_eval(&t, "SEC-TEST", g, NOW, &out), GATE_FAIL);
    assert_true(json_number_value(json_object_get(out, "value")) == 0);
    assert_int_equal(
        json_array_size(json_object_get(
            json_object_get(json_array_get(json_object_get(out, "windows"), 0), "evidence"),
            "units")),
        2);
    json_decref(out);
    json_decref(g);
    /* psf_certified_members counts valid certificates in the sector */
    g = json_pack("{s:s, s:s, s:s, s:f}", "id", "c", "metric", "psf_certified_members", "op",
                  ">=", "threshold", 1.0);
    assert_int_equal(transition_gate_eval(&t, "SEC-TEST", g, NOW, NULL), GATE_PASS);
    assert_int_equal(transition_gate_eval(&t, "SEC-TEST", g, NOW + 10 * DAY, NULL), GATE_FAIL);
    /* ... among the members of then: CND-1 leaves the unit a day after NOW */
    util_now_ms = a_day_after_now;
    submit(&t, "[[\"psf.unit.member\",\"PSFU-1\",{\"candidate\":\"CND-1\",\"action\":\"remove\"}]]");
    util_now_ms = before_now;
    assert_int_equal(transition_gate_eval(&t, "SEC-TEST", g, NOW, NULL), GATE_PASS);
    assert_int_equal(transition_gate_eval(&t, "SEC-TEST", g, NOW + 2 * DAY, NULL), GATE_FAIL);
    json_decref(g);
    /* the summary for reports: figures only */
    json_t *sum = psf_summary(&t, NOW);
    assert_int_equal(json_integer_value(json_object_get(sum, "certificates_valid")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "units")), 2);
    assert_int_equal(json_integer_value(json_object_get(sum, "members")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(sum, "candidates"), "registered")), 2);
    assert_true(
        fabs(json_number_value(json_object_get(json_object_get(sum, "readiness"), "PSFU-1")) -
             round(want * 1000) / 1000) < 1e-12);
    json_decref(sum);
    sum = psf_summary(&t, NOW + 10 * DAY);
    assert_int_equal(json_integer_value(json_object_get(sum, "certificates_valid")), 0);
    json_decref(sum);
    /* before anything was recorded: nothing yet */
    sum = psf_summary(&t, NOW - 300 * DAY);
    assert_int_equal(json_integer_value(json_object_get(sum, "units")), 0);
    assert_int_equal(json_integer_value(json_object_get(sum, "members")), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(sum, "candidates"), "registered")), 0);
    json_decref(sum);
    truce_close(&t);
    util_now_ms = saved;
}

/* ---- vetting checks: they flag, never reject ---- */

static int flag_x123(truce_t *t, const json_t *person, json_t *result)
{
    (void)t;
    const char *id = json_string_value(json_object_get(person, "id_number"));
    int hit = id && !strcmp(id, "X123");
    json_object_set_new(result, "status", json_string(hit ? "flag" : "clear"));
    json_object_set_new(result, "reason",
                        json_string(hit ? "the ID number is in the test register" : "no match"));
    return 0;
}

static int cannot_run(truce_t *t, const json_t *person, json_t *result)
{
    (void)t, (void)person;
    json_object_set_new(result, "status", json_string("clear"));
    return -1;
}

/* A request without a connection (as org_test.c): the handlers need none. */
static json_t *call(truce_t *t, int (*fn)(req_t *), const char *id, const char *body, int *status)
{
    req_t r;
    memset(&r, 0, sizeof r);
    r.t = t;
    snprintf(r.who.username, sizeof r.who.username, "vetting.test");
    snprintf(r.who.org, sizeof r.who.org, "OSC");
    snprintf(r.who.roles[0], sizeof r.who.roles[0], "trainer");
    r.who.nroles = 1;
    strcpy(r.method, "POST");
    r.params[0] = (char *)id;
    r.nparams = 1;
    r.json = json_loads(body, 0, NULL);
    fn(&r);
    *status = r.status;
    json_t *j = r.resp ? json_loadb(r.resp, r.resp_len, 0, NULL) : NULL;
    free(r.resp);
    json_decref(r.json);
    return j;
}

static const char *status_of(truce_t *t, const char *id)
{
    int st;
    json_t *j = call(t, h_psf_candidate_get, id, "{}", &st);
    assert_int_equal(st, 200);
    static char out[32];
    snprintf(out, sizeof out, "%s", json_string_value(json_object_get(j, "status")));
    json_decref(j);
    return out;
}

static void vetting_checks_flag_never_reject(void **state)
{
    (void)state;
    char dir[600];
    truce_t t;
    err_t e = {0};
    assert_non_null(unit_tmp_dir(dir, sizeof dir));
    if (truce_open(&t, dir, 1, &e)) fail_msg("truce_open: %s", e.message);
    submit(
        &t,
        "[[\"psf.candidate.registered\",\"CND-1\",{\"service\":\"police\"}],"
        "[\"psf.candidate.detail\",\"CND-1\",{\"name_en\":\"Test "
        "Person\",\"name_ar\":\"x\",\"date_of_birth\":\"1990-01-01T00:00:00Z\",\"id_number\":"
        "\"X123\"}],"
        "[\"psf.vetting.recorded\",\"CND-1\",{\"step\":\"identity\",\"result\":\"passed\"}],"
        "[\"psf.vetting.recorded\",\"CND-1\",{\"step\":\"criminal_record\",\"result\":\"passed\"}],"
        "[\"psf.vetting.recorded\",\"CND-1\",{\"step\":\"human_rights\",\"result\":\"passed\"}]]");
    int st;
    /* no check registered (the DDR and incident modules register theirs
     * when they start: take them out): not available */
    psf_vetting_check_register("ddr_register", NULL);
    psf_vetting_check_register("incident_perpetrators", NULL);
    json_t *j = call(&t, h_psf_candidate_checks, "CND-1", "{}", &st);
    assert_int_equal(st, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "checks"), 0), "status")),
                        "not_available");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "checks"), 0), "reason")),
                        "check not available");
    json_decref(j);
    /* a flag, and a check that could not run */
    psf_vetting_check_register("ddr_register", cannot_run);
    psf_vetting_check_register("ddr_register", flag_x123); /* replaces */
    psf_vetting_check_register("incident_perpetrators", cannot_run);
    j = call(&t, h_psf_candidate_checks, "CND-1", "{}", &st);
    assert_int_equal(st, 200);
    json_t *c = json_object_get(j, "checks");
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "check")),
                        "ddr_register");
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "status")), "flag");
    assert_string_equal(json_string_value(json_object_get(json_array_get(c, 1), "status")),
                        "error");
    assert_int_equal(json_integer_value(json_object_get(j, "flags")), 1);
    json_decref(j);
    assert_string_equal(status_of(&t, "CND-1"), "in_vetting"); /* a flag never rejects */
    /* approval needs the flags reviewed */
    uint64_t before = log_durable(&t);
    j = call(&t, h_psf_candidate_decision, "CND-1", "{\"outcome\":\"approved\"}", &st);
    assert_int_equal(st, 409);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "field")),
                        "flags_reviewed");
    json_decref(j);
    assert_true(log_durable(&t) == before); /* a refusal writes nothing */
    j = call(&t, h_psf_candidate_decision, "CND-1",
             "{\"outcome\":\"approved\",\"flags_reviewed\":true}", &st);
    assert_int_equal(st, 200);
    json_decref(j);
    assert_string_equal(status_of(&t, "CND-1"), "approved");
    truce_close(&t);
    /* leave the registry as the other tests expect */
    psf_vetting_check_register("ddr_register", NULL);
    psf_vetting_check_register("incident_perpetrators", NULL);
}

static int group_setup(void **state)
{
    (void)state;
    return unit_tmp_root("transition");
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gate_compare_at_and_around_the_threshold),
        cmocka_unit_test(gate_weeks_every_window_must_hold),
        cmocka_unit_test(gate_no_data),
        cmocka_unit_test(readiness_hand_computed),
        cmocka_unit_test(readiness_from_events),
        cmocka_unit_test(vetting_checks_flag_never_reject),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
