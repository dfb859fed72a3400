/*
 * monitor_test.c — the figures of cease-fire monitoring and aid flow (issue 7,
 * docs/monitoring.md: src/incident.c, src/aid.c, src/report.c, src/tz.c)
 * against figures computed by hand.
 *
 * Each test opens a real data folder, loads the Gaza scenario (its exercise
 * incidents and consignments fall in the week before the test clock) and then
 * writes a small, hand-made history in January and July 2026 through the same
 * commands the scenario loader uses (incident_prepare_scenario,
 * aid_prepare_scenario), plus a merge, a refutation and a reopening through
 * the API. The dashboard figures are only reachable as HTTP handlers, so the
 * tests start the real server on a free loopback port and GET them with a tiny
 * socket client, as a CMCC watch officer (sees everything) and as a
 * humanitarian (sees confirmed incidents and its own reports).
 *
 * The clock is fixed (util_now_ms is replaced): 2026-12-10T10:00:00Z, so that
 * the default period and "today" are known.
 *
 * The hand-made history (winter: Asia/Gaza is UTC+2, a local day runs from
 * 22:00Z the evening before):
 *
 *   key type (violation?)        status (how)              parties              day   sector
 * killed/injured A   strike (v)               confirmed [IDF]           perp IDF             15
 * DEIR      2/3 (5 after I) B   rocket_mortar_fire (v)   confirmed [PIJ,QASSAM]    perp PIJ 16*
 * KHAN      0/1 C   armed_clash (v)          reported (by UN-OCHA)     perp CLANS           15 GAZA
 * 0/1 D   attack (v)               under_review              perp QASSAM, OTHER   15    NORTH 1/0
 *   E   line_crossing (v)        unconfirmed [IDF]         perp POPULAR-FORCES  16    RAFAH     0/0
 *   F   shelling_... (v)         refuted (API)             perp IDF             15    DEIR      5/0
 *   G   peaceful_protest         confirmed [QASSAM]        -                    15    GAZA      0/0
 *   H   weapons_seizure          reported                  perp PIJ             16    KHAN      0/0
 *   I   air_drone_strike (v)     merged into A (API)       perp IDF             15    DEIR      1/5
 *   J   attack_on_forces (v)     confirmed [UNKNOWN]       -                    16    NORTH     0/2
 *   K   grenade (v)              confirmed [IDF]           -                    14    (sea)     0/0
 *   L   strike (v)               confirmed [IDF]           -                    5     DEIR      0/0
 *   M   strike (v)               confirmed [QASSAM], then reopened (API)        14    RAFAH     0/0
 *   N1  strike (v)               confirmed [IDF]           July 10 20:59Z = 23:59 local (UTC+3)
 *   N2  strike (v)               confirmed [IDF]           July 10 21:01Z = 00:01 July 11
 *   *   A is 21:59Z on the 15th (23:59 local), B 22:01Z (00:01 on the 16th).
 *   X   aid_obstruction_looting, reported by the server for consignment c2's
 *       interception (22:30Z on the 15th = day 16), located in SEC-GAZA.
 *
 *   consignment crossing trucks tonnes commodity steps (UTC)               day crossed  final
 *   c1  XNG-KS        10   200.5 food     crossed 15T06 ... delivered 15T15   15        delivered
 * 15 c2  XNG-KISSUFIM  20   100   medical  crossed 15T21:59, intercepted 15T22:30  15 intercepted
 * 16 c3  XNG-KS         5    50   fuel     crossed 16T08, returned 16T10        16        returned
 * 16 c4  XNG-ZIKIM     30   300   shelter  crossed 14T11, offloaded             14        - c5
 * XNG-KS         7    14   water    at the perimeter only                -         - c6
 * XNG-KISSUFIM 600  6000   food     crossed 14T09                        14        - c7  XNG-ZIKIM
 * 4     8   other    crossed 13T22:30 (00:30 local)       14        - c8  XNG-KS         9    18
 * food     crossed 13T21:30 (23:30 local)       13        -
 */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "aid.h"
#include "auth.h"
#include "http.h"
#include "incident.h"
#include "log.h"
#include "org.h"
#include "report.h"
#include "transition.h"
#include "tz.h"

#define NOW_ISO "2026-12-10T10:00:00Z"

static int64_t test_now;

static int64_t test_clock(void)
{
    return test_now;
}

static int64_t ms_of(const char *iso)
{
    int64_t ms;
    if (time_parse(iso, &ms)) fail_msg("bad time %s", iso);
    return ms;
}

static int32_t day_of(const char *date)
{
    int32_t d;
    if (tz_date_parse(date, &d)) fail_msg("bad date %s", date);
    return d;
}

/* JSON written with single quotes in the source, for readability. */
static json_t *J(const char *text)
{
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    if (!j) fail_msg("bad test JSON %s: %s", s, je.text);
    free(s);
    return j;
}

/* ---- a tiny HTTP/1.1 client (one connection per request) ---- */

typedef struct {
    int status;
    char *body; /* malloc'd, NUL-terminated */
    size_t len;
} resp_t;

static int http_call(int port, const char *method, const char *path, const char *token,
                     const char *body, resp_t *out)
{
    memset(out, 0, sizeof *out);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    buf_t req;
    buf_init(&req);
    buf_addf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n", method, path,
             port);
    if (token) buf_addf(&req, "Authorization: Bearer %s\r\n", token);
    if (body)
        buf_addf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(body));
    buf_adds(&req, "\r\n");
    if (body) buf_adds(&req, body);
    size_t off = 0;
    while (off < req.len) {
        ssize_t w = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    buf_release(&req);
    buf_t in;
    buf_init(&in);
    char chunk[16384];
    for (;;) {
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        buf_add(&in, chunk, (size_t)r);
    }
    close(fd);
    char *end = strstr(in.data, "\r\n\r\n");
    if (!end || sscanf(in.data, "HTTP/1.%*d %d", &out->status) != 1) {
        buf_release(&in);
        return -1;
    }
    *end = 0;
    int chunked = strstr(in.data, "chunked") != NULL;
    const char *p = end + 4, *stop = in.data + in.len;
    buf_t b;
    buf_init(&b);
    if (chunked) {
        while (p < stop) {
            char *nl;
            size_t n = strtoull(p, &nl, 16);
            if (!n || !(nl = strstr(nl, "\r\n"))) break;
            p = nl + 2;
            if (p + n > stop) break;
            buf_add(&b, p, n);
            p += n + 2;
        }
    } else {
        buf_add(&b, p, (size_t)(stop - p));
    }
    buf_release(&in);
    out->body = buf_detach(&b, &out->len);
    return 0;
}

/* ---- the fixture ---- */

enum { A, B, C, D, E, F, G, H, I, Jk, K, L, M, N1, N2, NKEYS };

typedef struct {
    truce_t t;
    char dir[600];
    json_t *accounts;
    int port;
    int serving;
    char cmcc[80], ocha[80]; /* bearer tokens of cmcc.watch and ocha.focal */
    char id[NKEYS][32];      /* INC- ids of the table above */
    char x_id[32];           /* the incident the server reported for c2 */
    principal_t ocha_p;      /* ocha.focal, for the in-process figures */
} fx_t;

static int run(truce_t *t, cmd_prepare_fn fn, json_t *arg, char *id_out, size_t n, err_t *err)
{
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->prepare = fn;
    c->arg = arg;
    int rc = log_submit(t, c);
    if (err) *err = c->err;
    if (id_out) snprintf(id_out, n, "%s", c->result_id);
    free(c);
    return rc;
}

/* An exercise incident as the scenario loader writes one: org reports it,
 * extra (JSON, single quotes) adds parties, casualties, status, attribution. */
static void incident(fx_t *f, int key, const char *org, const char *type, const char *at,
                     double lon, double lat, const char *extra)
{
    json_t *in =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:[f,f]}, s:s}", "org", org, "type", type,
                  "title", type, "occurred_at", at, "time_precision", "minute", "location", "type",
                  "Point", "coordinates", lon, lat, "location_precision", "exact");
    if (extra) {
        json_t *x = J(extra);
        json_object_update(in, x);
        json_decref(x);
    }
    err_t e;
    if (run(&f->t, incident_prepare_scenario, in, f->id[key], sizeof f->id[key], &e))
        fail_msg("incident %d refused: %s (%s)", key, e.message, e.field);
    json_decref(in);
}

static void consignment(fx_t *f, const char *json)
{
    json_t *in = J(json);
    err_t e;
    if (run(&f->t, aid_prepare_scenario, in, NULL, 0, &e))
        fail_msg("consignment refused: %s (%s)", e.message, e.field);
    json_decref(in);
}

static const char *password_of(fx_t *f, const char *user)
{
    size_t i;
    json_t *a;
    json_array_foreach(
        f->accounts, i,
        a) if (!strcmp(json_string_value(json_object_get(a, "username")),
                       user)) return json_string_value(json_object_get(a, "password"));
    fail_msg("no account %s in the scenario", user);
    return NULL;
}

static void login(fx_t *f, const char *user, char *tok, size_t n)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user,
             password_of(f, user));
    resp_t r;
    assert_int_equal(http_call(f->port, "POST", "/api/v1/session", NULL, body, &r), 0);
    json_t *j = json_loads(r.body, 0, NULL);
    if (r.status != 201 || !json_string_value(json_object_get(j, "token")))
        fail_msg("login %s: %d %s", user, r.status, r.body);
    snprintf(tok, n, "%s", json_string_value(json_object_get(j, "token")));
    json_decref(j);
    free(r.body);
}

/* A free loopback port (bind to 0, read it, let go; the server takes it next). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void serve(fx_t *f)
{
    assert_int_equal(log_start(&f->t), 0);
    err_t e = {0};
    for (int attempt = 0; attempt < 10; attempt++) {
        f->port = free_port();
        if (http_start(&f->t, "127.0.0.1", f->port, &e) == 0) {
            f->serving = 1;
            break;
        }
        http_stop(&f->t);
    }
    if (!f->serving) fail_msg("http_start: %s", e.message);
    login(f, "cmcc.watch", f->cmcc, sizeof f->cmcc);
    login(f, "ocha.focal", f->ocha, sizeof f->ocha);
}

static void unserve(fx_t *f)
{
    if (f->serving) http_stop(&f->t);
    f->serving = 0;
    log_stop(&f->t);
}

static void open_again(fx_t *f)
{
    err_t e = {0};
    if (truce_open(&f->t, f->dir, 0, &e)) fail_msg("truce_open(%s): %s", f->dir, e.message);
}

/* GET path as the holder of token; the answer as JSON (new reference). */
static json_t *get_json(fx_t *f, const char *token, const char *path, int want)
{
    resp_t r;
    if (http_call(f->port, "GET", path, token, NULL, &r)) fail_msg("GET %s: no answer", path);
    if (r.status != want) fail_msg("GET %s: %d, want %d: %s", path, r.status, want, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    if (!j) fail_msg("GET %s: not JSON: %.200s", path, r.body);
    free(r.body);
    return j;
}

static void post_ok(fx_t *f, const char *path, const char *body)
{
    resp_t r;
    if (http_call(f->port, "POST", path, f->cmcc, body, &r)) fail_msg("POST %s: no answer", path);
    if (r.status != 200) fail_msg("POST %s %s: %d %s", path, body, r.status, r.body);
    free(r.body);
}

static void teardown_fx(fx_t *f);

/* The fixture lives outside any test's stack: a failed test jumps out with
 * the server still running, and the next build() stops it first. */
static fx_t fx_store;
static int fx_live;

static fx_t *build(void)
{
    fx_t *f = &fx_store;
    if (fx_live) teardown_fx(f);
    memset(f, 0, sizeof *f);
    fx_live = 1;
    test_now = ms_of(NOW_ISO);
    assert_non_null(unit_tmp_dir(f->dir, sizeof f->dir));
    err_t e = {0};
    if (truce_open(&f->t, f->dir, 1, &e)) fail_msg("truce_open(%s): %s", f->dir, e.message);
    if (access("scenarios/gaza/scenario.json", R_OK))
        fail_msg("run from the repository root (scenarios/gaza)");
    if (scenario_load(&f->t, "scenarios/gaza", &f->accounts, &e))
        fail_msg("scenario_load: %s (%s)", e.message, e.field);

    /* Points well inside each sector; the sea off Deir al-Balah is inside the
     * mission area (its margin) but in no sector. */
    const double deir[2] = {34.36, 31.42}, khan[2] = {34.33, 31.345}, gaza[2] = {34.455, 31.5},
                 north[2] = {34.54, 31.54}, rafah[2] = {34.25, 31.28}, sea[2] = {34.33, 31.43};
    incident(f, A, "ISF-IDN", "strike", "2026-01-15T21:59:00Z", deir[0], deir[1],
             "{'parties':[{'party':'IDF','role':'perpetrator'}],'casualties':{'killed':{'civilian':"
             "2},'injured':{'civilian':3}},"
             "'status':'confirmed','attribution':['IDF'],'confidence':'high'}");
    incident(
        f, B, "ISF-IDN", "rocket_mortar_fire", "2026-01-15T22:01:00Z", khan[0], khan[1],
        "{'parties':[{'party':'GRP-PIJ','role':'perpetrator'},{'party':'ISF-IDN','role':'target'}],"
        "'casualties':{'injured':{'isf':1}},'status':'confirmed','attribution':['GRP-PIJ','GRP-"
        "QASSAM'],'confidence':'medium'}");
    incident(f, C, "UN-OCHA", "armed_clash", "2026-01-15T08:00:00Z", gaza[0], gaza[1],
             "{'parties':[{'party':'GRP-CLANS','role':'perpetrator'}],'casualties':{'injured':{'"
             "combatant':1}}}");
    incident(f, D, "CMCC", "attack", "2026-01-15T10:00:00Z", north[0], north[1],
             "{'parties':[{'party':'GRP-QASSAM','role':'perpetrator'},{'party':'GRP-OTHER','role':'"
             "perpetrator'}],"
             "'casualties':{'killed':{'other':1}},'status':'under_review'}");
    incident(
        f, E, "CMCC", "line_crossing", "2026-01-16T12:00:00Z", rafah[0], rafah[1],
        "{'parties':[{'party':'GRP-POPULAR-FORCES','role':'perpetrator'}],'status':'unconfirmed',"
        "'attribution':['IDF'],'confidence':'low'}");
    incident(f, F, "ISF-EGY", "shelling_artillery_missile_attack", "2026-01-15T12:00:00Z", deir[0],
             deir[1],
             "{'parties':[{'party':'IDF','role':'perpetrator'}],'casualties':{'killed':{'civilian':"
             "5}},'status':'under_review'}");
    incident(f, G, "CMCC", "peaceful_protest", "2026-01-15T13:00:00Z", gaza[0], gaza[1],
             "{'status':'confirmed','attribution':['GRP-QASSAM'],'confidence':'medium'}");
    incident(f, H, "ISF-IDN", "weapons_seizure", "2026-01-16T09:00:00Z", khan[0], khan[1],
             "{'parties':[{'party':'GRP-PIJ','role':'perpetrator'}]}");
    incident(f, I, "ISF-AZE", "air_drone_strike", "2026-01-15T14:00:00Z", deir[0], deir[1],
             "{'parties':[{'party':'IDF','role':'perpetrator'}],'casualties':{'killed':{'civilian':"
             "1},'injured':{'civilian':5}}}");
    incident(f, Jk, "ISF-HQ", "attack_on_forces", "2026-01-16T15:00:00Z", north[0], north[1],
             "{'casualties':{'injured':{'idf':2}},'status':'confirmed','attribution':['UNKNOWN'],'"
             "confidence':'low'}");
    incident(f, K, "CMCC", "grenade", "2026-01-14T10:00:00Z", sea[0], sea[1],
             "{'status':'confirmed','attribution':['IDF'],'confidence':'medium'}");
    incident(f, L, "CMCC", "strike", "2026-01-05T10:00:00Z", deir[0], deir[1],
             "{'status':'confirmed','attribution':['IDF'],'confidence':'high'}");
    incident(f, M, "CMCC", "strike", "2026-01-14T12:00:00Z", rafah[0], rafah[1],
             "{'status':'confirmed','attribution':['GRP-QASSAM'],'confidence':'low'}");
    incident(f, N1, "CMCC", "strike", "2026-07-10T20:59:00Z", deir[0], deir[1],
             "{'status':'confirmed','attribution':['IDF'],'confidence':'high'}");
    incident(f, N2, "CMCC", "strike", "2026-07-10T21:01:00Z", deir[0], deir[1],
             "{'status':'confirmed','attribution':['IDF'],'confidence':'high'}");

    consignment(f, "{'org':'UN-WFP','commodity':'food','trucks':10,'tonnes':200.5,'crossing':'XNG-"
                   "KS','at':'2026-01-15T05:00:00Z',"
                   "'steps':[{'status':'crossed','at':'2026-01-15T06:00:00Z'},{'status':'offloaded'"
                   ",'at':'2026-01-15T07:00:00Z'},"
                   "{'status':'collected','at':'2026-01-15T09:00:00Z'},{'status':'delivered','at':'"
                   "2026-01-15T15:00:00Z'}]}");
    consignment(f,
                "{'org':'UNRWA','commodity':'medical','trucks':20,'tonnes':100,'crossing':'XNG-"
                "KISSUFIM','at':'2026-01-15T21:00:00Z',"
                "'steps':[{'status':'crossed','at':'2026-01-15T21:59:00Z'},{'status':'intercepted',"
                "'at':'2026-01-15T22:30:00Z',"
                "'manner':'by_force','location':{'type':'Point','coordinates':[34.455,31.5]}}]}");
    snprintf(f->x_id, sizeof f->x_id, "INC-%llu", (unsigned long long)incident_last(&f->t));
    consignment(f, "{'org':'UN-OCHA','commodity':'fuel','trucks':5,'tonnes':50,'crossing':'XNG-KS',"
                   "'at':'2026-01-16T07:00:00Z',"
                   "'steps':[{'status':'crossed','at':'2026-01-16T08:00:00Z'},{'status':'returned',"
                   "'at':'2026-01-16T10:00:00Z',"
                   "'note':'turned back at the checkpoint'}]}");
    consignment(f, "{'org':'WHO','commodity':'shelter','trucks':30,'tonnes':300,'crossing':'XNG-"
                   "ZIKIM','at':'2026-01-14T10:00:00Z',"
                   "'steps':[{'status':'crossed','at':'2026-01-14T11:00:00Z'},{'status':'offloaded'"
                   ",'at':'2026-01-14T12:00:00Z'}]}");
    consignment(f, "{'org':'MSF','commodity':'water_sanitation','trucks':7,'tonnes':14,'crossing':'"
                   "XNG-KS','at':'2026-01-16T09:00:00Z'}");
    consignment(f, "{'org':'UN-WFP','commodity':'food','trucks':600,'tonnes':6000,'crossing':'XNG-"
                   "KISSUFIM','at':'2026-01-14T08:00:00Z',"
                   "'steps':[{'status':'crossed','at':'2026-01-14T09:00:00Z'}]}");
    consignment(f, "{'org':'UNRWA','commodity':'other','trucks':4,'tonnes':8,'crossing':'XNG-ZIKIM'"
                   ",'at':'2026-01-13T20:00:00Z',"
                   "'steps':[{'status':'crossed','at':'2026-01-13T22:30:00Z'}]}");
    consignment(f, "{'org':'UN-WFP','commodity':'food','trucks':9,'tonnes':18,'crossing':'XNG-KS','"
                   "at':'2026-01-13T20:00:00Z',"
                   "'steps':[{'status':'crossed','at':'2026-01-13T21:30:00Z'}]}");

    serve(f);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%s/merge", f->id[I]);
    char body[128];
    snprintf(body, sizeof body, "{\"into\":\"%s\",\"note\":\"same strike\"}", f->id[A]);
    post_ok(f, path, body);
    snprintf(path, sizeof path, "/api/v1/incidents/%s/refute", f->id[F]);
    post_ok(f, path, "{\"note\":\"no shelling: a controlled demolition\"}");
    snprintf(path, sizeof path, "/api/v1/incidents/%s/reopen", f->id[M]);
    post_ok(f, path, "{\"note\":\"new footage\"}");

    principal_t *p = &f->ocha_p;
    snprintf(p->username, sizeof p->username, "ocha.focal");
    snprintf(p->org, sizeof p->org, "UN-OCHA");
    snprintf(p->roles[0], sizeof p->roles[0], "humanitarian");
    p->nroles = 1;
    p->perms = auth_role_perms("humanitarian");
    return f;
}

static void teardown_fx(fx_t *f)
{
    fx_live = 0;
    unserve(f);
    truce_close(&f->t);
    json_decref(f->accounts);
}

/* ---- checks ---- */

/* "1,0,2" for an array of integers. */
static char *series(const json_t *a)
{
    if (!json_is_array(a)) return strdup("(none)");
    buf_t b;
    buf_init(&b);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
        buf_addf(&b, "%s%lld", i ? "," : "", (long long)json_integer_value(v));
    return buf_detach(&b, NULL);
}

static void assert_series(const json_t *a, const char *want, const char *what)
{
    char *got = series(a);
    if (strcmp(got, want)) fail_msg("%s: [%s], want [%s]", what, got, want);
    free(got);
}

/* Sorted keys of an object, joined with ",". */
static char *keys_of(const json_t *o)
{
    size_t n = json_object_size(o), k = 0;
    const char **ks = calloc(n + 1, sizeof *ks);
    assert_non_null(ks);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) ks[k++] = key;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(ks[j - 1], ks[j]) > 0; j--) {
            const char *x = ks[j];
            ks[j] = ks[j - 1];
            ks[j - 1] = x;
        }
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_addf(&b, "%s%s", i ? "," : "", ks[i]);
    free(ks);
    return buf_detach(&b, NULL);
}

static void assert_keys(const json_t *o, const char *want, const char *what)
{
    char *got = keys_of(o);
    if (strcmp(got, want)) fail_msg("%s: keys {%s}, want {%s}", what, got, want);
    free(got);
}

static void assert_int_at(const json_t *o, const char *key, long long want, const char *what)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) != want)
        fail_msg("%s.%s = %s, want %lld", what, key,
                 v ? (json_is_integer(v) ? "other" : "not an integer") : "absent", want);
    if (json_integer_value(v) != want)
        fail_msg("%s.%s = %lld, want %lld", what, key, (long long)json_integer_value(v), want);
}

/* An object of integers as "k=v,k=v" with sorted keys. */
static void assert_counts(const json_t *o, const char *want, const char *what)
{
    char *keys = keys_of(o);
    buf_t b;
    buf_init(&b);
    char *save = NULL;
    for (char *k = strtok_r(keys, ",", &save); k; k = strtok_r(NULL, ",", &save))
        buf_addf(&b, "%s%s=%lld", b.len ? "," : "", k,
                 (long long)json_integer_value(json_object_get(o, k)));
    if (strcmp(b.data, want)) fail_msg("%s: {%s}, want {%s}", what, b.data, want);
    buf_release(&b);
    free(keys);
}

/* A JSON number within 1e-9 of want (JSON text keeps 17 digits at most). */
static void assert_near(const json_t *v, double want, const char *what)
{
    if (!json_is_number(v)) fail_msg("%s: not a number", what);
    double got = json_number_value(v);
    if (got < want - 1e-9 || got > want + 1e-9) fail_msg("%s = %.17g, want %.17g", what, got, want);
}

/* ---- mission days (tz.c) ---- */

static void monitor_tz_days_and_dates(void **state)
{
    (void)state;
    const char *z = "Asia/Gaza";
    char out[11];
    /* Winter (UTC+2): the 15th ends at 21:59:59.999Z. */
    assert_int_equal(tz_day(z, ms_of("2026-01-15T21:59:59.999Z")), day_of("2026-01-15"));
    assert_int_equal(tz_day(z, ms_of("2026-01-15T22:00:00Z")), day_of("2026-01-16"));
    assert_int_equal(tz_day(z, ms_of("2026-01-15T22:01:00Z")), day_of("2026-01-16"));
    assert_true(tz_day_start(z, day_of("2026-01-16")) == ms_of("2026-01-15T22:00:00Z"));
    /* Summer (UTC+3). */
    assert_int_equal(tz_day(z, ms_of("2026-07-10T20:59:00Z")), day_of("2026-07-10"));
    assert_int_equal(tz_day(z, ms_of("2026-07-10T21:01:00Z")), day_of("2026-07-11"));
    assert_true(tz_day_start(z, day_of("2026-07-11")) == ms_of("2026-07-10T21:00:00Z"));
    /* 2026-03-28: 02:00 EET becomes 03:00 EEST at 00:00Z. The day starts at
     * 22:00Z the day before and is 23 hours long. */
    assert_true(tz_offset_ms(z, ms_of("2026-03-27T23:59:59Z")) == 2 * 3600000LL);
    assert_true(tz_offset_ms(z, ms_of("2026-03-28T00:00:00Z")) == 3 * 3600000LL);
    assert_true(tz_day_start(z, day_of("2026-03-28")) == ms_of("2026-03-27T22:00:00Z"));
    assert_true(tz_day_start(z, day_of("2026-03-29")) == ms_of("2026-03-28T21:00:00Z"));
    assert_int_equal(tz_day(z, ms_of("2026-03-28T20:59:59Z")), day_of("2026-03-28"));
    assert_int_equal(tz_day(z, ms_of("2026-03-28T21:00:00Z")), day_of("2026-03-29"));
    /* 2026-10-24: 02:00 EEST becomes 01:00 EET at 23:00Z on the 23rd; the day
     * starts at 21:00Z on the 23rd and is 25 hours long. */
    assert_true(tz_day_start(z, day_of("2026-10-24")) == ms_of("2026-10-23T21:00:00Z"));
    assert_true(tz_day_start(z, day_of("2026-10-25")) == ms_of("2026-10-24T22:00:00Z"));
    assert_int_equal(tz_day(z, ms_of("2026-10-23T20:59:59Z")), day_of("2026-10-23"));
    assert_int_equal(tz_day(z, ms_of("2026-10-23T21:00:00Z")), day_of("2026-10-24"));
    assert_int_equal(tz_day(z, ms_of("2026-10-24T21:59:59Z")), day_of("2026-10-24"));
    assert_int_equal(tz_day(z, ms_of("2026-10-24T22:00:00Z")), day_of("2026-10-25"));
    /* 2022-03-27: midnight itself was skipped (00:00 EET became 01:00 EEST at
     * 22:00Z): the day starts at 01:00 local. */
    assert_true(tz_day_start(z, day_of("2022-03-27")) == ms_of("2022-03-26T22:00:00Z"));
    assert_int_equal(tz_day(z, ms_of("2022-03-26T21:59:59Z")), day_of("2022-03-26"));
    assert_int_equal(tz_day(z, ms_of("2022-03-26T22:00:00Z")), day_of("2022-03-27"));
    /* UTC and an unknown zone: offset 0. */
    assert_true(tz_day_start("UTC", day_of("2026-01-16")) == ms_of("2026-01-16T00:00:00Z"));
    assert_true(tz_offset_ms("Nowhere/Atlantis", ms_of("2026-01-16T00:00:00Z")) == 0);
    assert_true(tz_offset_ms("../../etc/passwd", 0) == 0);
    /* Day numbers. */
    assert_int_equal(day_of("1970-01-01"), 0);
    assert_int_equal(day_of("2026-01-15"), 20468);
    assert_int_equal(day_of("2024-02-29"), 19782);
    assert_int_equal(day_of("2000-02-29"), 11016);
    assert_int_equal(day_of("9999-12-31"), 2932896);
    tz_date_format(20468, out);
    assert_string_equal(out, "2026-01-15");
    tz_date_format(0, out);
    assert_string_equal(out, "1970-01-01");
    tz_date_format(19782, out);
    assert_string_equal(out, "2024-02-29");
    tz_date_format(2932896, out);
    assert_string_equal(out, "9999-12-31");
    for (int32_t d = 0; d < 2932897; d += 97) { /* format and parse are inverse */
        int32_t back = -1;
        tz_date_format(d, out);
        assert_int_equal(tz_date_parse(out, &back), 0);
        assert_int_equal(back, d);
    }
    /* Not dates. */
    static const char *const bad[] = {"2026-02-29",  "2100-02-29",  "1900-02-29",  "2026-04-31",
                                      "2026-13-01",  "2026-00-10",  "2026-01-00",  "2026-01-32",
                                      "1969-12-31",  "10000-01-01", "2026-1-15",   "2026-01-1",
                                      "26-01-15",    "2026/01/15",  "2026-01-15T", "",
                                      "2026-01-15 ", " 2026-01-15", "2026-01-+5",  "2026- 1-15",
                                      "2026-+1-15",  "+026-01-15"};
    buf_t accepted;
    buf_init(&accepted);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t d = 12345;
        if (tz_date_parse(bad[i], &d) != -1) {
            tz_date_format(d, out);
            buf_addf(&accepted, " \"%s\" (as %s)", bad[i], out);
        }
    }
    char msg[600];
    snprintf(msg, sizeof msg, "%s", accepted.data);
    buf_release(&accepted);
    if (msg[0]) fail_msg("tz_date_parse accepted what is not YYYY-MM-DD:%s", msg);
    int32_t d;
    assert_int_equal(tz_date_parse(NULL, &d), -1);
}

/* Historic Gaza rules moved the clock back from 01:00 to 00:00: midnight
 * happened twice, and the day starts at the first one. */
static void monitor_tz_day_start_when_midnight_repeats(void **state)
{
    (void)state;
    const char *z = "Asia/Gaza";
    /* 2021-10-29: 01:00 EEST became 00:00 EET at 22:00Z on the 28th. */
    assert_int_equal(tz_day(z, ms_of("2021-10-28T20:59:59Z")), day_of("2021-10-28"));
    assert_int_equal(tz_day(z, ms_of("2021-10-28T21:00:00Z")), day_of("2021-10-29"));
    int64_t start = tz_day_start(z, day_of("2021-10-29"));
    char got[32];
    time_format(start, got);
    if (start != ms_of("2021-10-28T21:00:00Z"))
        fail_msg("tz_day_start(2021-10-29) = %s, but tz_day puts 2021-10-28T21:00Z (00:00 EEST) on "
                 "the 29th already",
                 got);
    /* The day before ends where the day starts. */
    assert_int_equal(tz_day(z, start - 1), day_of("2021-10-28"));
}

/* ---- violations per party per day ---- */

static void monitor_violations_per_party_per_day(void **state)
{
    (void)state;
    fx_t *f = build();
    json_t *v =
        get_json(f, f->cmcc, "/api/v1/stats/violations?from=2026-01-14&until=2026-01-16", 200);
    assert_string_equal(json_string_value(json_object_get(v, "from")), "2026-01-14");
    assert_string_equal(json_string_value(json_object_get(v, "until")), "2026-01-16");
    assert_int_equal(json_array_size(json_object_get(v, "days")), 3);
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "days"), 2)),
                        "2026-01-16");
    json_t *c = json_object_get(v, "confirmed"), *u = json_object_get(v, "unconfirmed");
    json_t *cb = json_object_get(c, "by_party"), *ub = json_object_get(u, "by_party");
    /* Confirmed: by attribution, each party once (B counts for PIJ and
     * QASSAM); G is no violation type; A at 23:59 local is the 15th, B at
     * 00:01 the 16th; UNKNOWN is a party of its own. */
    assert_keys(cb, "GRP-PIJ,GRP-QASSAM,IDF,UNKNOWN", "confirmed.by_party");
    assert_series(json_object_get(cb, "IDF"), "1,1,0", "confirmed IDF");
    assert_series(json_object_get(cb, "GRP-PIJ"), "0,0,1", "confirmed GRP-PIJ");
    assert_series(json_object_get(cb, "GRP-QASSAM"), "0,0,1", "confirmed GRP-QASSAM");
    assert_series(json_object_get(cb, "UNKNOWN"), "0,0,1", "confirmed UNKNOWN");
    assert_series(json_object_get(c, "total"), "1,1,3", "confirmed total");
    assert_counts(json_object_get(c, "per_party_total"), "GRP-PIJ=1,GRP-QASSAM=1,IDF=2,UNKNOWN=1",
                  "confirmed per_party_total");
    /* Unconfirmed: reported / under review / unconfirmed, by perpetrators
     * unless the CMCC attributed (E counts for IDF, not the Popular Forces;
     * reopened M keeps its attribution); F refuted, I merged, H no violation,
     * X has no party. */
    assert_keys(ub, "GRP-CLANS,GRP-OTHER,GRP-QASSAM,IDF", "unconfirmed.by_party");
    assert_series(json_object_get(ub, "GRP-QASSAM"), "1,1,0", "unconfirmed GRP-QASSAM");
    assert_series(json_object_get(ub, "GRP-CLANS"), "0,1,0", "unconfirmed GRP-CLANS");
    assert_series(json_object_get(ub, "GRP-OTHER"), "0,1,0", "unconfirmed GRP-OTHER");
    assert_series(json_object_get(ub, "IDF"), "0,0,1", "unconfirmed IDF");
    assert_series(json_object_get(u, "total"), "1,3,1", "unconfirmed total");
    json_t *parties = json_object_get(v, "parties");
    json_t *pset = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(parties, i, p) json_object_set_new(pset, json_string_value(p), json_true());
    assert_int_equal(json_array_size(parties), json_object_size(pset));
    assert_keys(pset, "GRP-CLANS,GRP-OTHER,GRP-PIJ,GRP-QASSAM,IDF,UNKNOWN", "parties");
    json_decref(pset);
    json_decref(v);

    /* The humanitarian sees confirmed incidents and its own report (C) only. */
    v = get_json(f, f->ocha, "/api/v1/stats/violations?from=2026-01-14&until=2026-01-16", 200);
    c = json_object_get(v, "confirmed");
    u = json_object_get(v, "unconfirmed");
    assert_keys(json_object_get(c, "by_party"), "GRP-PIJ,GRP-QASSAM,IDF,UNKNOWN",
                "humanitarian confirmed.by_party");
    assert_series(json_object_get(c, "total"), "1,1,3", "humanitarian confirmed total");
    assert_keys(json_object_get(u, "by_party"), "GRP-CLANS", "humanitarian unconfirmed.by_party");
    assert_series(json_object_get(u, "total"), "0,1,0", "humanitarian unconfirmed total");
    json_decref(v);

    /* Trend: the last 7 days of the period against the 7 before. IDF: K and
     * A (14th, 15th) against L (5th). */
    v = get_json(f, f->cmcc, "/api/v1/stats/violations?from=2026-01-03&until=2026-01-16", 200);
    json_t *tr = json_object_get(json_object_get(v, "confirmed"), "trend");
    json_t *idf = json_object_get(tr, "IDF");
    assert_int_at(idf, "last7", 2, "trend.IDF");
    assert_int_at(idf, "prev7", 1, "trend.IDF");
    assert_true(json_is_number(json_object_get(idf, "change_pct")));
    assert_true(json_number_value(json_object_get(idf, "change_pct")) == 100.0);
    json_t *pij = json_object_get(tr, "GRP-PIJ");
    assert_int_at(pij, "last7", 1, "trend.GRP-PIJ");
    assert_int_at(pij, "prev7", 0, "trend.GRP-PIJ");
    assert_true(json_is_null(json_object_get(pij, "change_pct")));
    assert_series(
        json_object_get(json_object_get(json_object_get(v, "confirmed"), "by_party"), "IDF"),
        "0,0,1,0,0,0,0,0,0,0,0,1,1,0", "confirmed IDF over 14 days");
    json_decref(v);

    /* Summer (UTC+3): 20:59Z is 23:59 on the 10th, 21:01Z 00:01 on the 11th. */
    v = get_json(f, f->cmcc, "/api/v1/stats/violations?from=2026-07-10&until=2026-07-11", 200);
    assert_series(
        json_object_get(json_object_get(json_object_get(v, "confirmed"), "by_party"), "IDF"), "1,1",
        "confirmed IDF in July");
    json_decref(v);

    /* The period: default the 30 days to today; at most 366 days; real dates. */
    v = get_json(f, f->cmcc, "/api/v1/stats/violations", 200);
    assert_string_equal(json_string_value(json_object_get(v, "until")), "2026-12-10");
    assert_string_equal(json_string_value(json_object_get(v, "from")), "2026-11-11");
    assert_int_equal(json_array_size(json_object_get(v, "days")), 30);
    json_decref(v);
    v = get_json(f, f->cmcc, "/api/v1/stats/violations?from=2025-01-02&until=2026-01-02", 200);
    assert_int_equal(json_array_size(json_object_get(v, "days")), 366);
    json_decref(v);
    static const struct {
        const char *q, *field;
    } bad[] = {
        {"from=2025-01-01&until=2026-01-02", "from"}, /* 367 days */
        {"from=2026-01-16&until=2026-01-14", "until"},
        {"from=2026-01-01&until=2026-02-29", "until"},
        {"from=2026-02-30&until=2026-03-02", "from"},
        {"from=yesterday", "from"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char path[200];
        snprintf(path, sizeof path, "/api/v1/stats/violations?%s", bad[k].q);
        json_t *err = get_json(f, f->cmcc, path, 400);
        const char *field =
            json_string_value(json_object_get(json_object_get(err, "error"), "field"));
        if (!field || strcmp(field, bad[k].field))
            fail_msg("%s: field %s, want %s", path, field ? field : "(none)", bad[k].field);
        json_decref(err);
    }
    teardown_fx(f);
}

/* ---- incidents by sector and by type ---- */

static json_t *row_by_key(const json_t *rows, const char *key)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i,
                       r) if (!strcmp(json_string_value(json_object_get(r, "key")), key)) return r;
    return NULL;
}

/* "confirmed/unconfirmed/refuted/killed/injured" of a row. */
static void assert_row(const json_t *rows, const char *key, const char *want)
{
    json_t *r = row_by_key(rows, key);
    char got[120];
    if (!r)
        snprintf(got, sizeof got, "absent");
    else
        snprintf(got, sizeof got, "%lld/%lld/%lld/%lld/%lld",
                 (long long)json_integer_value(json_object_get(r, "confirmed")),
                 (long long)json_integer_value(json_object_get(r, "unconfirmed")),
                 (long long)json_integer_value(json_object_get(r, "refuted")),
                 (long long)json_integer_value(json_object_get(r, "killed")),
                 (long long)json_integer_value(json_object_get(r, "injured")));
    if (strcmp(got, want))
        fail_msg("row %s: %s, want %s (confirmed/unconfirmed/refuted/killed/injured)", key, got,
                 want);
}

static void monitor_incidents_by_sector_and_type(void **state)
{
    (void)state;
    fx_t *f = build();
    /* Where the reports fell. */
    static const struct {
        int key;
        const char *sector;
    } where[] = {{A, "SEC-DEIR"},  {B, "SEC-KHAN"},  {C, "SEC-GAZA"},
                 {D, "SEC-NORTH"}, {E, "SEC-RAFAH"}, {K, NULL}};
    for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
        char path[80];
        snprintf(path, sizeof path, "/api/v1/incidents/%s", f->id[where[k].key]);
        json_t *j = get_json(f, f->cmcc, path, 200);
        const char *s =
            json_string_value(json_object_get(json_object_get(j, "incident"), "sector"));
        if (where[k].sector ? !s || strcmp(s, where[k].sector) : s != NULL)
            fail_msg("%s: sector %s, want %s", f->id[where[k].key], s ? s : "(none)",
                     where[k].sector ? where[k].sector : "(none)");
        json_decref(j);
    }
    /* The merge kept the larger of each figure (A 2/3, I 1/5 -> 2/5). */
    char path[80];
    snprintf(path, sizeof path, "/api/v1/incidents/%s", f->id[A]);
    json_t *j = get_json(f, f->cmcc, path, 200);
    json_t *ct = json_object_get(json_object_get(j, "incident"), "casualties_total");
    assert_int_at(ct, "killed", 2, "A.casualties_total");
    assert_int_at(ct, "injured", 5, "A.casualties_total");
    json_decref(j);

    json_t *s = get_json(f, f->cmcc,
                         "/api/v1/stats/incidents?by=sector&from=2026-01-14&until=2026-01-16", 200);
    assert_string_equal(json_string_value(json_object_get(s, "by")), "sector");
    json_t *rows = json_object_get(s, "rows");
    assert_row(rows, "SEC-DEIR", "1/0/1/2/5");  /* A; F refuted, its dead not counted; I merged */
    assert_row(rows, "SEC-KHAN", "1/1/0/0/1");  /* B; H */
    assert_row(rows, "SEC-GAZA", "1/2/0/0/1");  /* G; C and X */
    assert_row(rows, "SEC-NORTH", "1/1/0/1/2"); /* J; D */
    assert_row(rows, "SEC-RAFAH", "0/2/0/0/0"); /* E unconfirmed; M reopened */
    assert_row(rows, "none", "1/0/0/0/0");      /* K at sea */
    json_decref(s);

    s = get_json(f, f->cmcc, "/api/v1/stats/incidents?by=type&from=2026-01-14&until=2026-01-16",
                 200);
    rows = json_object_get(s, "rows");
    assert_int_equal(json_array_size(rows), 11);
    assert_row(rows, "strike", "1/1/0/2/5");
    assert_row(rows, "rocket_mortar_fire", "1/0/0/0/1");
    assert_row(rows, "armed_clash", "0/1/0/0/1");
    assert_row(rows, "attack", "0/1/0/1/0");
    assert_row(rows, "line_crossing", "0/1/0/0/0");
    assert_row(rows, "shelling_artillery_missile_attack", "0/0/1/0/0");
    assert_row(rows, "peaceful_protest", "1/0/0/0/0");
    assert_row(rows, "weapons_seizure", "0/1/0/0/0");
    assert_row(rows, "attack_on_forces", "1/0/0/0/2");
    assert_row(rows, "grenade", "1/0/0/0/0");
    assert_row(rows, "aid_obstruction_looting", "0/1/0/0/0");
    assert_row(rows, "air_drone_strike", "absent");
    json_decref(s);

    /* The humanitarian: A, B, G, J, K (confirmed) and C (its own). */
    s = get_json(f, f->ocha, "/api/v1/stats/incidents?by=sector&from=2026-01-14&until=2026-01-16",
                 200);
    rows = json_object_get(s, "rows");
    assert_row(rows, "SEC-DEIR", "1/0/0/2/5");
    assert_row(rows, "SEC-KHAN", "1/0/0/0/1");
    assert_row(rows, "SEC-GAZA", "1/1/0/0/1");
    assert_row(rows, "SEC-NORTH", "1/0/0/0/2");
    assert_row(rows, "SEC-RAFAH", "0/0/0/0/0");
    assert_row(rows, "none", "1/0/0/0/0");
    json_decref(s);
    s = get_json(f, f->cmcc, "/api/v1/stats/incidents?by=party", 400);
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "error"), "field")),
                        "by");
    json_decref(s);
    teardown_fx(f);
}

/* ---- aid ---- */

static void monitor_aid_per_day_and_interceptions(void **state)
{
    (void)state;
    fx_t *f = build();
    json_t *a = get_json(f, f->ocha, "/api/v1/stats/aid?from=2026-01-14&until=2026-01-16", 200);
    assert_int_at(a, "target_trucks_per_day", 600, "aid");
    json_t *tr = json_object_get(a, "trucks");
    assert_series(json_object_get(tr, "XNG-KS"), "0,10,5", "trucks XNG-KS"); /* c8 is the 13th */
    assert_series(json_object_get(tr, "XNG-KISSUFIM"), "600,20,0",
                  "trucks XNG-KISSUFIM"); /* c2 at 23:59 local */
    assert_series(json_object_get(tr, "XNG-ZIKIM"), "34,0,0",
                  "trucks XNG-ZIKIM"); /* c7 at 00:30 local */
    assert_series(json_object_get(tr, "XNG-RAFAH"), "0,0,0", "trucks XNG-RAFAH");
    assert_int_equal(json_array_size(json_object_get(a, "crossings")), 6);
    assert_null(json_object_get(tr, "unknown"));
    assert_series(json_object_get(a, "total_trucks"), "634,30,5", "total_trucks");
    assert_series(json_object_get(a, "gap"), "0,570,595", "gap");
    json_t *ton = json_object_get(a, "tonnes");
    assert_true(json_number_value(json_array_get(ton, 0)) == 6308.0);
    assert_true(json_number_value(json_array_get(ton, 1)) == 300.5);
    assert_true(json_number_value(json_array_get(ton, 2)) == 50.0);
    assert_counts(json_object_get(a, "by_commodity"),
                  "cooking_gas=0,food=610,fuel=5,medical=20,other=4,shelter=30,water_sanitation=0",
                  "by_commodity");
    assert_series(json_object_get(a, "intercepted"), "0,0,1", "intercepted");
    json_t *rate = json_object_get(a, "interception_rate");
    assert_near(json_object_get(rate, "consignments"), 1.0 / 6,
                "interception_rate.consignments"); /* c2 of c1 c2 c3 c4 c6 c7 */
    assert_near(json_object_get(rate, "trucks"), 20.0 / 669, "interception_rate.trucks");
    assert_int_at(a, "delivered", 1, "aid");
    assert_int_at(a, "returned", 1, "aid");
    json_decref(a);
    /* Nothing crossed: the rate is 0, the gap the whole target. */
    a = get_json(f, f->ocha, "/api/v1/stats/aid?from=2026-02-01&until=2026-02-02", 200);
    assert_true(json_number_value(json_object_get(json_object_get(a, "interception_rate"),
                                                  "consignments")) == 0.0);
    assert_true(json_number_value(
                    json_object_get(json_object_get(a, "interception_rate"), "trucks")) == 0.0);
    assert_series(json_object_get(a, "gap"), "600,600", "gap of empty days");
    json_decref(a);

    /* The same through the functions. */
    int per[4];
    pthread_rwlock_rdlock(&f->t.lock);
    aid_trucks_per_day(&f->t, day_of("2026-01-13"), day_of("2026-01-16"), per);
    json_t *s15 = json_object(), *s16 = json_object();
    aid_sitrep(&f->t, day_of("2026-01-15"), s15);
    aid_sitrep(&f->t, day_of("2026-01-16"), s16);
    pthread_rwlock_unlock(&f->t.lock);
    assert_int_equal(per[0], 9);
    assert_int_equal(per[1], 634);
    assert_int_equal(per[2], 30);
    assert_int_equal(per[3], 5);
    json_t *x = json_object_get(s15, "aid");
    assert_int_at(x, "trucks", 30, "aid_sitrep 15");
    assert_int_at(x, "target", 600, "aid_sitrep 15");
    assert_int_at(x, "gap", 570, "aid_sitrep 15");
    assert_int_at(x, "intercepted", 0, "aid_sitrep 15");
    assert_int_at(x, "delivered", 1, "aid_sitrep 15");
    assert_true(json_number_value(json_object_get(x, "tonnes")) == 300.5);
    assert_counts(json_object_get(x, "by_crossing"),
                  "XNG-EREZ=0,XNG-EREZ-WEST=0,XNG-KISSUFIM=20,XNG-KS=10,XNG-RAFAH=0,XNG-ZIKIM=0",
                  "aid_sitrep 15 by_crossing");
    x = json_object_get(s16, "aid");
    assert_int_at(x, "trucks", 5, "aid_sitrep 16");
    assert_int_at(x, "gap", 595, "aid_sitrep 16");
    assert_int_at(x, "intercepted", 1, "aid_sitrep 16");
    assert_int_at(x, "delivered", 0, "aid_sitrep 16");
    assert_true(json_number_value(json_object_get(x, "tonnes")) == 50.0);
    json_decref(s15);
    json_decref(s16);

    /* The interception is linked both ways. */
    json_t *list =
        get_json(f, f->ocha, "/api/v1/aid/consignments?status=intercepted&limit=1000", 200);
    json_t *c2 = NULL, *one;
    size_t i;
    json_array_foreach(
        json_object_get(list, "consignments"), i,
        one) if (!strcmp(json_string_value(json_object_get(one, "crossing")), "XNG-KISSUFIM") &&
                 json_integer_value(json_object_get(one, "trucks")) == 20) c2 = one;
    assert_non_null(c2);
    assert_string_equal(json_string_value(json_object_get(c2, "incident")), f->x_id);
    assert_string_equal(json_string_value(json_object_get(c2, "manner")), "by_force");
    char path[80];
    snprintf(path, sizeof path, "/api/v1/incidents/%s", f->x_id);
    json_t *inc = get_json(f, f->cmcc, path, 200);
    json_t *rec = json_object_get(inc, "incident");
    assert_string_equal(json_string_value(json_object_get(rec, "type")), "aid_obstruction_looting");
    assert_string_equal(json_string_value(json_object_get(rec, "sector")), "SEC-GAZA");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(rec, "links"), "consignments"), 0)),
                        json_string_value(json_object_get(c2, "id")));
    json_decref(inc);
    json_decref(list);
    teardown_fx(f);
}

/* A rate is a share: over a period that holds an interception but not the
 * crossing of that consignment, intercepted / crossed must not exceed 1.
 * On the 16th c3 (5 trucks) crossed and was returned; c2 (20 trucks, crossed
 * on the 15th) was intercepted. Of what crossed on the 16th, nothing was
 * intercepted. */
static void monitor_interception_rate_is_a_share(void **state)
{
    (void)state;
    fx_t *f = build();
    json_t *a = get_json(f, f->ocha, "/api/v1/stats/aid?from=2026-01-16&until=2026-01-16", 200);
    json_t *rate = json_object_get(a, "interception_rate");
    double rc = json_number_value(json_object_get(rate, "consignments")),
           rt = json_number_value(json_object_get(rate, "trucks"));
    assert_series(json_object_get(a, "intercepted"), "1", "intercepted on the 16th");
    json_decref(a);
    teardown_fx(f);
    if (rc < 0 || rc > 1 || rt < 0 || rt > 1)
        fail_msg("interception_rate over 2026-01-16 is %.3f of consignments and %.3f of trucks: "
                 "interceptions counted on "
                 "the day they happened are divided by what crossed that day (c2's 20 trucks over "
                 "c3's 5)",
                 rc, rt);
}

/* ---- the SITREP ---- */

/* The ids of a list of incidents against the table's keys (-1: X). */
static void assert_ids(fx_t *f, const json_t *list, const int *keys, int n, const char *what)
{
    buf_t g, w;
    buf_init(&g);
    buf_init(&w);
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
        buf_addf(&g, "%s%s", i ? "," : "", json_string_value(json_object_get(x, "id")));
    for (int k = 0; k < n; k++)
        buf_addf(&w, "%s%s", k ? "," : "", keys[k] < 0 ? f->x_id : f->id[keys[k]]);
    char msg[400] = "";
    if (strcmp(g.data, w.data))
        snprintf(msg, sizeof msg, "%s: [%s], want [%s]", what, g.data, w.data);
    buf_release(&g);
    buf_release(&w);
    if (msg[0]) fail_msg("%s", msg);
}

static void monitor_sitrep_figures(void **state)
{
    (void)state;
    fx_t *f = build();
    int32_t d15 = day_of("2026-01-15"), d16 = day_of("2026-01-16");
    pthread_rwlock_rdlock(&f->t.lock);
    assert_int_equal(mission_day(&f->t, ms_of("2026-01-15T21:59:00Z")), d15);
    assert_int_equal(mission_day(&f->t, ms_of("2026-01-15T22:01:00Z")), d16);
    assert_int_equal(mission_day(&f->t, ms_of(NOW_ISO)), day_of("2026-12-10"));
    pthread_rwlock_unlock(&f->t.lock);

    /* incident_sitrep alone. */
    incident_day_t sum;
    json_t *out = json_object();
    pthread_rwlock_rdlock(&f->t.lock);
    incident_sitrep(&f->t, NULL, d15, &sum, out);
    pthread_rwlock_unlock(&f->t.lock);
    assert_int_equal(sum.incidents, 4);  /* A C D G; F refuted, I merged */
    assert_int_equal(sum.confirmed, 2);  /* A G */
    assert_int_equal(sum.violations, 1); /* A */
    assert_int_equal(sum.killed, 3);     /* A 2 + D 1 */
    assert_int_equal(sum.injured, 6);    /* A 5 (after the merge) + C 1 */
    json_decref(out);

    /* The whole SITREP, as the system (everything). */
    json_t *r = report_sitrep(&f->t, NULL, d15);
    assert_string_equal(json_string_value(json_object_get(r, "date")), "2026-01-15");
    assert_true(json_is_true(json_object_get(r, "exercise")));
    json_t *s = json_object_get(r, "summary");
    assert_int_at(s, "incidents", 4, "summary");
    assert_int_at(s, "confirmed", 2, "summary");
    assert_int_at(s, "violations", 1, "summary");
    assert_int_at(s, "killed", 3, "summary");
    assert_int_at(s, "injured", 6, "summary");
    assert_int_at(s, "trucks", 30, "summary");
    assert_int_at(s, "target", 600, "summary");
    assert_non_null(json_object_get(s, "operations"));
    assert_non_null(json_object_get(r, "operations"));
    json_t *v = json_object_get(r, "violations");
    assert_counts(json_object_get(v, "by_party"), "IDF=1", "violations.by_party");
    assert_counts(json_object_get(v, "unconfirmed_by_party"),
                  "GRP-CLANS=1,GRP-OTHER=1,GRP-QASSAM=1", "violations.unconfirmed_by_party");
    json_t *t7 = json_object_get(v, "trend7");
    assert_keys(t7, "IDF", "trend7");
    assert_int_at(json_object_get(t7, "IDF"), "last7", 2, "trend7.IDF"); /* K, A */
    assert_int_at(json_object_get(t7, "IDF"), "prev7", 1, "trend7.IDF"); /* L */
    const int sig15[] = {A, D, C}; /* by casualties: 2/5, 1/0, 0/1 */
    assert_ids(f, json_object_get(r, "significant_incidents"), sig15, 3, "significant 15");
    json_t *a0 = json_array_get(json_object_get(r, "significant_incidents"), 0);
    assert_int_at(a0, "killed", 2, "significant[0]");
    assert_int_at(a0, "injured", 5, "significant[0]");
    assert_string_equal(json_string_value(json_array_get(json_object_get(a0, "attribution"), 0)),
                        "IDF");
    json_t *aid = json_object_get(r, "aid");
    assert_int_at(aid, "trucks", 30, "aid");
    assert_int_at(aid, "gap", 570, "aid");
    /* The system reads every section: the DDR and training figures are
     * there (nobody was registered or trained in this history). */
    json_t *ddr = json_object_get(r, "disarmament"), *tr = json_object_get(r, "training");
    assert_true(json_is_true(json_object_get(ddr, "available")));
    assert_int_at(ddr, "people_registered", 0, "disarmament");
    assert_int_at(ddr, "weapons_collected", 0, "disarmament");
    assert_true(json_is_true(json_object_get(tr, "available")));
    assert_int_at(json_object_get(tr, "candidates"), "registered", 0, "training.candidates");
    json_decref(r);

    r = report_sitrep(&f->t, NULL, d16);
    s = json_object_get(r, "summary");
    assert_int_at(s, "incidents", 5, "summary 16"); /* B E H J X */
    assert_int_at(s, "confirmed", 2, "summary 16");
    assert_int_at(s, "violations", 2, "summary 16");
    assert_int_at(s, "killed", 0, "summary 16");
    assert_int_at(s, "injured", 3, "summary 16");
    assert_int_at(s, "trucks", 5, "summary 16");
    v = json_object_get(r, "violations");
    assert_counts(json_object_get(v, "by_party"), "GRP-PIJ=1,GRP-QASSAM=1,UNKNOWN=1",
                  "16 by_party");
    assert_counts(json_object_get(v, "unconfirmed_by_party"), "IDF=1", "16 unconfirmed_by_party");
    const int sig16[] = {Jk, B, -1, E}; /* 0/2, 0/1, then X (22:30Z on the 15th) before E */
    assert_ids(f, json_object_get(r, "significant_incidents"), sig16, 4, "significant 16");
    assert_int_at(json_object_get(r, "aid"), "intercepted", 1, "aid 16");
    json_decref(r);

    /* As the humanitarian: A, C and G of the 15th; no operations section. */
    r = report_sitrep(&f->t, &f->ocha_p, d15);
    s = json_object_get(r, "summary");
    assert_int_at(s, "incidents", 3, "humanitarian summary");
    assert_int_at(s, "confirmed", 2, "humanitarian summary");
    assert_int_at(s, "violations", 1, "humanitarian summary");
    assert_int_at(s, "killed", 2, "humanitarian summary");
    assert_int_at(s, "injured", 6, "humanitarian summary");
    assert_null(json_object_get(s, "operations"));
    assert_null(json_object_get(r, "operations"));
    assert_null(json_object_get(r, "disarmament")); /* the DDR figures are not a humanitarian's */
    v = json_object_get(r, "violations");
    assert_counts(json_object_get(v, "by_party"), "IDF=1", "humanitarian by_party");
    assert_counts(json_object_get(v, "unconfirmed_by_party"), "GRP-CLANS=1",
                  "humanitarian unconfirmed_by_party");
    const int sigh[] = {A, C};
    assert_ids(f, json_object_get(r, "significant_incidents"), sigh, 2, "humanitarian significant");
    json_decref(r);

    /* Over HTTP: the same JSON, and the printable page. */
    json_t *h = get_json(f, f->ocha, "/api/v1/reports/sitrep?date=2026-01-15&format=json", 200);
    assert_int_at(json_object_get(h, "summary"), "incidents", 3, "HTTP humanitarian summary");
    assert_null(json_object_get(h, "operations"));
    json_decref(h);
    h = get_json(f, f->cmcc, "/api/v1/reports/sitrep?date=2026-01-15&format=json", 200);
    assert_int_at(json_object_get(h, "summary"), "incidents", 4, "HTTP CMCC summary");
    assert_non_null(json_object_get(h, "operations"));
    json_decref(h);
    resp_t hr;
    assert_int_equal(
        http_call(f->port, "GET", "/api/v1/reports/sitrep?date=2026-01-15", f->cmcc, NULL, &hr), 0);
    assert_int_equal(hr.status, 200);
    assert_non_null(strstr(hr.body, "<!doctype html>"));
    assert_non_null(strstr(hr.body, "EXERCISE"));
    assert_non_null(strstr(hr.body, "@media print"));
    assert_non_null(strstr(hr.body, f->id[A]));
    free(hr.body);
    h = get_json(f, f->cmcc, "/api/v1/reports/sitrep?date=2026-02-29&format=json", 400);
    assert_string_equal(json_string_value(json_object_get(json_object_get(h, "error"), "field")),
                        "date");
    json_decref(h);
    teardown_fx(f);
}

/* ---- restarts: snapshot and replay give the same figures ---- */

/* Everything the dashboards and the SITREP show, as one JSON value. */
static json_t *figures(fx_t *f)
{
    static const char *const paths[] = {
        "/api/v1/stats/violations?from=2026-01-03&until=2026-01-16",
        "/api/v1/stats/violations?from=2025-12-11&until=2026-12-10",
        "/api/v1/stats/incidents?by=sector&from=2026-01-01&until=2026-12-10",
        "/api/v1/stats/incidents?by=type&from=2026-01-01&until=2026-12-10",
        "/api/v1/stats/aid?from=2026-01-13&until=2026-01-16",
        "/api/v1/stats/aid",
        "/api/v1/reports/sitrep?date=2026-01-15&format=json",
        "/api/v1/reports/sitrep?date=2026-01-16&format=json",
        "/api/v1/reports/sitrep?date=2026-12-09&format=json",
    };
    json_t *all = json_object();
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        json_t *j = get_json(f, f->cmcc, paths[i], 200);
        json_object_del(j, "generated_at");
        json_object_set_new(all, paths[i], j);
    }
    return all;
}

/* The feed as a sorted list of "at kind id event status" lines. */
static char *feed_lines(fx_t *f)
{
    json_t *j = get_json(f, f->cmcc, "/api/v1/stats/feed?hours=168", 200);
    json_t *items = json_object_get(j, "items");
    size_t n = json_array_size(items);
    char **lines = calloc(n + 1, sizeof *lines);
    assert_non_null(lines);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(items, i);
        buf_t b;
        buf_init(&b);
        buf_addf(&b, "%s %s %s %s %s", json_string_value(json_object_get(x, "at")),
                 json_string_value(json_object_get(x, "kind")),
                 json_string_value(json_object_get(x, "id")),
                 json_string_value(json_object_get(x, "event"))
                     ? json_string_value(json_object_get(x, "event"))
                     : "-",
                 json_string_value(json_object_get(x, "status")));
        lines[i] = buf_detach(&b, NULL);
    }
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(lines[k - 1], lines[k]) > 0; k--) {
            char *x = lines[k];
            lines[k] = lines[k - 1];
            lines[k - 1] = x;
        }
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        buf_addf(&b, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
    json_decref(j);
    return buf_detach(&b, NULL);
}

static void assert_same_json(const json_t *want, const json_t *got, const char *what)
{
    if (json_equal((json_t *)want, (json_t *)got)) return;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)want, k, v) if (!json_equal(v, json_object_get(got, k)))
    {
        char *a = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS),
             *b = json_dumps(json_object_get(got, k), JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("%s: %s differs:\n before %.600s\n after  %.600s", what, k, a, b);
    }
    fail_msg("%s: differs", what);
}

static void restart(fx_t *f, int drop_snapshot)
{
    unserve(f);
    truce_close(&f->t);
    if (drop_snapshot) {
        char p[700];
        snprintf(p, sizeof p, "%s/snapshot", f->dir);
        assert_int_equal(unlink(p), 0);
    }
    open_again(f);
    serve(f);
}

static void monitor_restart_same_figures(void **state)
{
    (void)state;
    fx_t *f = build();
    char d0[65], d1[65], d2[65];
    state_digest(&f->t, d0);
    json_t *before = figures(f);
    restart(f, 0); /* from the snapshot the close wrote */
    state_digest(&f->t, d1);
    assert_string_equal(d0, d1);
    json_t *after = figures(f);
    assert_same_json(before, after, "figures after a start from the snapshot");
    json_decref(after);
    restart(f, 1); /* the whole log replayed */
    state_digest(&f->t, d2);
    assert_string_equal(d0, d2);
    after = figures(f);
    assert_same_json(before, after, "figures after a full replay");
    json_decref(after);
    json_decref(before);
    teardown_fx(f);
}

/* The feed of the last hours reads the same after a restart, from the
 * snapshot or from the log. */
static void monitor_feed_same_after_restart(void **state)
{
    (void)state;
    fx_t *f = build();
    char *live = feed_lines(f);
    assert_non_null(strstr(live, " incident "));
    assert_non_null(strstr(live, " consignment "));
    restart(f, 1); /* full replay */
    char *replayed = feed_lines(f);
    restart(f, 0); /* the snapshot the replay's close wrote */
    char *snap = feed_lines(f);
    teardown_fx(f);
    /* The first line that differs, for the message. */
    char msg[2][400] = {"", ""};
    const char *other[2] = {replayed, snap};
    for (int k = 0; k < 2; k++) {
        if (!strcmp(live, other[k])) continue;
        const char *a = live, *b = other[k];
        while (*a && *a == *b)
            a++, b++;
        while (a > live && a[-1] != '\n')
            a--, b--;
        snprintf(msg[k], sizeof msg[k], "(%zu vs %zu bytes) live \"%.*s\", then \"%.*s\"",
                 strlen(live), strlen(other[k]), (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"),
                 b);
    }
    free(live);
    free(replayed);
    free(snap);
    if (msg[0][0]) fail_msg("the feed differs after a full replay %s", msg[0]);
    if (msg[1][0]) fail_msg("the feed differs after a start from the snapshot %s", msg[1]);
}

/* The feed shows only what the reader may see, newest first. */
static void monitor_feed_filtered(void **state)
{
    (void)state;
    fx_t *f = build();
    json_t *cm = get_json(f, f->cmcc, "/api/v1/stats/feed?hours=48", 200);
    json_t *oc = get_json(f, f->ocha, "/api/v1/stats/feed?hours=48", 200);
    json_t *seen[2] = {json_object(), json_object()};
    json_t *lists[2] = {json_object_get(cm, "items"), json_object_get(oc, "items")};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *x;
        const char *prev = NULL;
        json_array_foreach(lists[k], i, x)
        {
            const char *at = json_string_value(json_object_get(x, "at"));
            assert_non_null(at);
            if (prev && strcmp(prev, at) < 0)
                fail_msg("feed not newest first: %s before %s", prev, at);
            prev = at;
            json_object_set_new(seen[k], json_string_value(json_object_get(x, "id")), json_true());
        }
    }
    /* The CMCC sees every report; the humanitarian the confirmed ones, its
     * own (C), and every consignment. */
    for (int key = A; key < NKEYS; key++)
        assert_non_null(json_object_get(seen[0], f->id[key]));
    static const int visible[] = {A, B, C, G, Jk, K, L, N1, N2}, hidden[] = {D, E, F, H, I, M};
    for (size_t k = 0; k < sizeof visible / sizeof visible[0]; k++)
        if (!json_object_get(seen[1], f->id[visible[k]]))
            fail_msg("the humanitarian's feed lacks %s", f->id[visible[k]]);
    for (size_t k = 0; k < sizeof hidden / sizeof hidden[0]; k++)
        if (json_object_get(seen[1], f->id[hidden[k]]))
            fail_msg("the humanitarian's feed shows %s", f->id[hidden[k]]);
    assert_null(json_object_get(seen[1], f->x_id));
    assert_non_null(json_object_get(seen[1], "CSG-1"));
    json_decref(seen[0]);
    json_decref(seen[1]);
    json_decref(cm);
    json_decref(oc);
    json_t *e = get_json(f, f->cmcc, "/api/v1/stats/feed?hours=169", 400);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "error"), "field")),
                        "hours");
    json_decref(e);
    e = get_json(f, f->cmcc, "/api/v1/stats/feed?hours=0", 400);
    json_decref(e);
    teardown_fx(f);
}

/* The hand-over gates' aid metrics over a week's window [now - 7 d, now]
 * (docs/psf.md): the trucks of the window's seven whole local days. The day
 * in progress is not one of them (at 12:00 local its trucks are half a day's,
 * and a day not over is not yet below target), and the day the window starts
 * in is not counted in the window before it as well. The clock is
 * 2026-12-10T10:00Z, 12:00 local: the window's days are 3 to 9 December. */
static void monitor_aid_gate_metrics_whole_days(void **state)
{
    (void)state;
    fx_t *f = build();
    /* today, the 10th: a thousand trucks that must not count */
    consignment(f, "{'org':'UN-WFP','commodity':'food','trucks':1000,'crossing':'XNG-KS','at':"
                   "'2026-12-10T08:00:00Z','steps':[{'status':'crossed','at':'2026-12-10T09:00:00Z'}]}");
    /* the 3rd (06:00 local): in this week's window, not in the one before */
    consignment(f, "{'org':'UN-WFP','commodity':'food','trucks':700,'crossing':'XNG-KS','at':"
                   "'2026-12-03T03:00:00Z','steps':[{'status':'crossed','at':'2026-12-03T04:00:00Z'}]}");
    int64_t now = test_now, week = 7 * 86400000LL;
    int per[14];
    gate_metric_fn trucks = gate_metric_find("aid_trucks_per_day"), below = gate_metric_find("aid_days_below_target");
    assert_non_null(trucks);
    assert_non_null(below);
    pthread_rwlock_rdlock(&f->t.lock);
    aid_trucks_per_day(&f->t, day_of("2026-11-26"), day_of("2026-12-09"), per); /* [0..6] week before, [7..13] this week */
    json_t *ev[4] = {json_object(), json_object(), json_object(), json_object()};
    double v[4];
    assert_int_equal(trucks(&f->t, "SEC-GAZA", now - week, now, &v[0], ev[0]), 0);
    assert_int_equal(below(&f->t, "SEC-GAZA", now - week, now, &v[1], ev[1]), 0);
    assert_int_equal(trucks(&f->t, "SEC-GAZA", now - 2 * week, now - week, &v[2], ev[2]), 0);
    assert_int_equal(below(&f->t, "SEC-GAZA", now - 2 * week, now - week, &v[3], ev[3]), 0);
    pthread_rwlock_unlock(&f->t.lock);
    for (int w = 0; w < 2; w++) {
        long sum = 0;
        int nbelow = 0;
        for (int d = 0; d < 7; d++) {
            sum += per[(1 - w) * 7 + d];
            nbelow += per[(1 - w) * 7 + d] < 600;
        }
        json_t *et = ev[2 * w], *eb = ev[2 * w + 1];
        assert_int_at(et, "days", 7, w ? "trucks, the week before" : "trucks, this week");
        assert_int_at(eb, "days", 7, w ? "below, the week before" : "below, this week");
        assert_int_at(et, "trucks", (int)sum, w ? "trucks, the week before" : "trucks, this week");
        assert_int_at(eb, "days_below_target", nbelow, w ? "below, the week before" : "below, this week");
        if (fabs(v[2 * w] - sum / 7.0) > 1e-9) fail_msg("week %d: %g trucks a day, want %g", w, v[2 * w], sum / 7.0);
        if (v[2 * w + 1] != nbelow) fail_msg("week %d: %g days below target, want %d", w, v[2 * w + 1], nbelow);
    }
    assert_true(per[7] >= 700); /* the 3rd is this week's */
    for (int k = 0; k < 4; k++) json_decref(ev[k]);

    /* Across the change to summer time (2026-03-28 02:00 became 03:00): the
     * week before 00:30 on the 29th (21:30Z on the 28th) starts at 23:30 on
     * the 21st. Consecutive windows miss no day: the 50 trucks of the 21st
     * are in one of them. */
    consignment(f, "{'org':'UN-WFP','commodity':'food','trucks':50,'crossing':'XNG-KS','at':"
                   "'2026-03-21T20:00:00Z','steps':[{'status':'crossed','at':'2026-03-21T20:30:00Z'}]}");
    int64_t u = ms_of("2026-03-28T21:30:00Z");
    json_t *w0 = json_object(), *w1 = json_object();
    double x0, x1;
    pthread_rwlock_rdlock(&f->t.lock);
    assert_int_equal(trucks(&f->t, "SEC-GAZA", u - week, u, &x0, w0), 0);
    assert_int_equal(trucks(&f->t, "SEC-GAZA", u - 2 * week, u - week, &x1, w1), 0);
    pthread_rwlock_unlock(&f->t.lock);
    assert_int_equal(json_integer_value(json_object_get(w0, "days")) + json_integer_value(json_object_get(w1, "days")),
                     15); /* the 14th to the 28th */
    assert_int_equal(json_integer_value(json_object_get(w0, "trucks")) + json_integer_value(json_object_get(w1, "trucks")), 50);
    json_decref(w0);
    json_decref(w1);
    teardown_fx(f);
}

/* Years since a date of birth by the calendar, any year (people were born
 * before 1970), RFC 3339 times read by their date. */
static void monitor_tz_years_since(void **state)
{
    (void)state;
    assert_int_equal(tz_years_since("1955-03-01", day_of("2026-03-01")), 71);
    assert_int_equal(tz_years_since("1955-03-02", day_of("2026-03-01")), 70);
    assert_int_equal(tz_years_since("2008-11-30", day_of("2026-11-30")), 18);
    assert_int_equal(tz_years_since("2008-12-01T00:00:00Z", day_of("2026-11-30")), 17);
    assert_int_equal(tz_years_since("2008-02-29", day_of("2026-02-28")), 17);
    assert_int_equal(tz_years_since("2008-02-29", day_of("2026-03-01")), 18);
    assert_int_equal(tz_years_since("12/04/1998", day_of("2026-03-01")), -1);
    assert_int_equal(tz_years_since("1998-4-12", day_of("2026-03-01")), -1);
    assert_int_equal(tz_years_since(NULL, day_of("2026-03-01")), -1);
}

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    auth_fast_hash = 1;
    test_now = 0;
    util_now_ms = test_clock;
    if (time_parse(NOW_ISO, &test_now)) return -1;
    return unit_tmp_root("monitor");
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(monitor_tz_days_and_dates),
        cmocka_unit_test(monitor_tz_years_since),
        cmocka_unit_test(monitor_tz_day_start_when_midnight_repeats),
        cmocka_unit_test(monitor_violations_per_party_per_day),
        cmocka_unit_test(monitor_incidents_by_sector_and_type),
        cmocka_unit_test(monitor_aid_per_day_and_interceptions),
        cmocka_unit_test(monitor_interception_rate_is_a_share),
        cmocka_unit_test(monitor_sitrep_figures),
        cmocka_unit_test(monitor_feed_filtered),
        cmocka_unit_test(monitor_restart_same_figures),
        cmocka_unit_test(monitor_feed_same_after_restart),
        cmocka_unit_test(monitor_aid_gate_metrics_whole_days),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
