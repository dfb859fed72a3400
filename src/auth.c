/*
 * auth.c — see auth.h. Users are a projection of user.* events, kept sorted
 * by username. Sessions are cached in memory (a chained hash table keyed by
 * SHA-256(token)) in front of the store's sessions table, so a restart keeps
 * them and a request needs no disk access to authenticate.
 */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "org.h"

#define SESSION_MS (12LL * 3600 * 1000)
#define THROTTLE_WINDOW_MS (5LL * 60 * 1000)
#define THROTTLE_USER 5
#define THROTTLE_IP 50
#define SESSION_BUCKETS 4096
#define THROTTLE_SLOTS 4096

const char *const perm_names[P__COUNT] = {"public", "logged_in", "journal.read", "journal.write",
                                          "org.write", "user.admin", "audit", "notify.write",
                                          "notify.ack", "nostrike.write", "unit.position", "isf.hq",
                                          "isf.contingent", "ops.notify", "ops.decide",
                                          "incident.report", "incident.review", "aid.write",
                                          "ddr", "ddr.audit", "psf.vet", "psf.train"};

#define B(p) (1ull << (p))
static const struct {
    const char *name;
    uint64_t perms;
} roles[] = {
    {"admin", B(P_USER_ADMIN) | B(P_ORG_WRITE) | B(P_AUDIT) | B(P_JOURNAL_READ)},
    {"cmcc_watch", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_NOTIFY) | B(P_NOTIFY_ACK) | B(P_NOSTRIKE) | B(P_OPS_DECIDE) |
                       B(P_INCIDENT_REPORT) | B(P_INCIDENT_REVIEW) | B(P_AID)},
    {"cmcc_commander", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_ORG_WRITE) | B(P_AUDIT) | B(P_NOTIFY) |
                           B(P_NOTIFY_ACK) | B(P_NOSTRIKE) | B(P_OPS_DECIDE) | B(P_INCIDENT_REPORT) | B(P_INCIDENT_REVIEW) |
                           B(P_AID) | B(P_DDR_AUDIT)},
    {"idf_liaison", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_OPS_NOTIFY) | B(P_INCIDENT_REPORT)},
    {"isf_hq", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_UNIT_POS) | B(P_ISF_HQ) | B(P_ISF) | B(P_INCIDENT_REPORT)},
    {"isf_contingent", B(P_JOURNAL_READ) | B(P_UNIT_POS) | B(P_ISF) | B(P_INCIDENT_REPORT)},
    {"humanitarian", B(P_NOTIFY) | B(P_AID)},
    {"trainer", B(P_PSF_TRAIN)},
    {"ddr_officer", B(P_DDR) | B(P_DDR_AUDIT)},
    {"leadership", B(P_JOURNAL_READ) | B(P_AUDIT) | B(P_DDR_AUDIT)},
    {"psf_vetting", B(P_PSF_VET)},
    {"pa_representative", 0}, /* hand-over sign-off follows positions (transition.c) */
};
#define NROLES (sizeof roles / sizeof roles[0])
const char *const role_names[] = {"admin", "cmcc_watch", "cmcc_commander", "idf_liaison",
                                  "isf_hq", "isf_contingent", "humanitarian", "trainer",
                                  "ddr_officer", "leadership", "psf_vetting",
                                  "pa_representative", NULL};

int auth_fast_hash = 0;

typedef struct {
    char username[64], name[128], org[64], person[32];
    char roles[PRINCIPAL_MAX_ROLES][24];
    int nroles, disabled;
} user_t;

typedef struct session {
    hash_t th;
    char username[64];
    int64_t expires;
    struct session *next;
} session_t;

typedef struct {
    char key[80];
    int count;
    int64_t first;
} throttle_t;

struct auth_state {
    user_t *users;
    size_t n, cap;
    pthread_mutex_t smu;
    session_t *buckets[SESSION_BUCKETS];
    pthread_mutex_t tmu;
    throttle_t slots[THROTTLE_SLOTS];
};

int auth_role_valid(const char *role)
{
    for (size_t i = 0; i < NROLES; i++)
        if (strcmp(roles[i].name, role) == 0) return 1;
    return 0;
}

uint64_t auth_role_perms(const char *role)
{
    for (size_t i = 0; i < NROLES; i++)
        if (strcmp(roles[i].name, role) == 0) return roles[i].perms | B(P_LOGGED);
    return 0;
}

/* ---- users (state) ---- */

static long user_find(auth_state_t *a, const char *username)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(a->users[mid].username, username);
        if (c == 0) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -(long)lo - 1;
}

int auth_user_exists(truce_t *t, const char *username)
{
    return user_find(t->auth, username) >= 0;
}

uint64_t auth_user_perms(truce_t *t, const char *username)
{
    int i = user_find(t->auth, username);
    if (i < 0 || t->auth->users[i].disabled) return 0;
    uint64_t p = 0;
    for (int r = 0; r < t->auth->users[i].nroles; r++) p |= auth_role_perms(t->auth->users[i].roles[r]);
    return p;
}

static void apply_user_added(truce_t *t, const event_t *ev)
{
    auth_state_t *a = t->auth;
    const char *u = json_string_value(json_object_get(ev->body, "username"));
    if (!u || user_find(a, u) >= 0) return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        user_t *p = realloc(a->users, cap * sizeof *p);
        if (!p) abort();
        a->users = p;
        a->cap = cap;
    }
    size_t at = (size_t)(-user_find(a, u) - 1);
    memmove(a->users + at + 1, a->users + at, (a->n - at) * sizeof *a->users);
    a->n++;
    user_t *x = &a->users[at];
    memset(x, 0, sizeof *x);
    snprintf(x->username, sizeof x->username, "%s", u);
    const char *s;
    if ((s = json_string_value(json_object_get(ev->body, "name")))) snprintf(x->name, sizeof x->name, "%s", s);
    if ((s = json_string_value(json_object_get(ev->body, "org")))) snprintf(x->org, sizeof x->org, "%s", s);
    if ((s = json_string_value(json_object_get(ev->body, "person"))))
        snprintf(x->person, sizeof x->person, "%s", s);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(ev->body, "roles"), i, r)
    {
        if (x->nroles < PRINCIPAL_MAX_ROLES && json_is_string(r))
            snprintf(x->roles[x->nroles++], sizeof x->roles[0], "%s", json_string_value(r));
    }
}

static void set_disabled(truce_t *t, const event_t *ev, int v)
{
    long i = user_find(t->auth, json_string_value(json_object_get(ev->body, "username")) ?: "");
    if (i >= 0) t->auth->users[i].disabled = v;
}
static void apply_user_disabled(truce_t *t, const event_t *ev) { set_disabled(t, ev, 1); }
static void apply_user_enabled(truce_t *t, const event_t *ev) { set_disabled(t, ev, 0); }
static void apply_noop(truce_t *t, const event_t *ev) { (void)t; (void)ev; }

static int auth_init(truce_t *t)
{
    t->auth = calloc(1, sizeof *t->auth);
    if (!t->auth) return -1;
    pthread_mutex_init(&t->auth->smu, NULL);
    pthread_mutex_init(&t->auth->tmu, NULL);
    return 0;
}

static void auth_release(truce_t *t)
{
    auth_state_t *a = t->auth;
    if (!a) return;
    for (int b = 0; b < SESSION_BUCKETS; b++)
        for (session_t *s = a->buckets[b], *n; s; s = n) {
            n = s->next;
            free(s);
        }
    free(a->users);
    free(a);
    t->auth = NULL;
}

static json_t *user_json(const user_t *u)
{
    json_t *r = json_array();
    for (int i = 0; i < u->nroles; i++) json_array_append_new(r, json_string(u->roles[i]));
    return json_pack("{s:s, s:s, s:s, s:s?, s:o, s:b}", "username", u->username, "name", u->name,
                     "org", u->org, "person", u->person[0] ? u->person : NULL, "roles", r,
                     "disabled", u->disabled);
}

static void auth_dump(truce_t *t, json_t *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < t->auth->n; i++) json_array_append_new(arr, user_json(&t->auth->users[i]));
    json_object_set_new(out, "users", arr);
}

static const kind_def_t auth_kinds[] = {
    {"user.added", apply_user_added},
    {"user.disabled", apply_user_disabled},
    {"user.enabled", apply_user_enabled},
    {"user.password_changed", apply_noop},
    {NULL, NULL},
};

static int auth_save(truce_t *t, buf_t *b)
{
    json_t *d = json_object();
    auth_dump(t, d);
    char *s = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    if (!s) return -1;
    buf_adds(b, s);
    free(s);
    return 0;
}

static int auth_load(truce_t *t, const char *p, size_t n)
{
    json_t *d = json_loadb(p, n, 0, NULL);
    size_t i;
    json_t *u;
    if (!d) return -1;
    json_array_foreach(json_object_get(d, "users"), i, u)
    {
        /* The dump has the user.added body's fields plus "disabled". */
        event_t ev = {.body = u};
        apply_user_added(t, &ev);
        long k = user_find(t->auth, json_string_value(json_object_get(u, "username")) ?: "");
        if (k >= 0) t->auth->users[k].disabled = json_is_true(json_object_get(u, "disabled"));
    }
    json_decref(d);
    return 0;
}

const module_t auth_module = {"auth", auth_kinds, auth_init, auth_release, auth_dump, auth_save, auth_load};

/* ---- labels ---- */

int auth_may_see(const principal_t *p, const json_t *labels)
{
    size_t i;
    json_t *l;
    json_array_foreach(labels, i, l)
    {
        const char *s = json_string_value(l);
        if (!s) continue;
        if (strcmp(s, "all") == 0) return 1;
        if (strncmp(s, "org:", 4) == 0 && strcmp(s + 4, p->org) == 0) return 1;
        if (strncmp(s, "user:", 5) == 0 && strcmp(s + 5, p->username) == 0) return 1;
        if (strncmp(s, "role:", 5) == 0)
            for (int r = 0; r < p->nroles; r++)
                if (strcmp(s + 5, p->roles[r]) == 0) return 1;
    }
    return 0;
}

int auth_labels_check(truce_t *t, const json_t *labels, err_t *e)
{
    size_t i;
    json_t *l;
    if (!json_is_array(labels) || json_array_size(labels) == 0)
        return err_set(e, E_BAD_VALUE, "labels", "labels must be a non-empty array");
    json_array_foreach(labels, i, l)
    {
        const char *s = json_string_value(l);
        int ok = s && (strcmp(s, "all") == 0 ||
                       (strncmp(s, "org:", 4) == 0 && org_exists(t, s + 4)) ||
                       (strncmp(s, "role:", 5) == 0 && auth_role_valid(s + 5)) ||
                       (strncmp(s, "user:", 5) == 0 && auth_user_exists(t, s + 5)));
        if (!ok)
            return err_set(e, E_BAD_VALUE, "labels",
                           "labels[%zu] must be all, org:ORG, role:ROLE or user:USERNAME naming "
                           "something that exists",
                           i);
    }
    return 0;
}

json_t *auth_principal_labels(const principal_t *p)
{
    json_t *a = json_array();
    char buf[96];
    json_array_append_new(a, json_string("all"));
    snprintf(buf, sizeof buf, "org:%s", p->org);
    json_array_append_new(a, json_string(buf));
    for (int i = 0; i < p->nroles; i++) {
        snprintf(buf, sizeof buf, "role:%s", p->roles[i]);
        json_array_append_new(a, json_string(buf));
    }
    snprintf(buf, sizeof buf, "user:%s", p->username);
    json_array_append_new(a, json_string(buf));
    return a;
}

/* ---- passwords ---- */

int auth_hash_password(const char *pw, char *out, err_t *e)
{
    size_t n = strlen(pw);
    if (n < 10) return err_set(e, E_OUT_OF_RANGE, "password", "password must have at least 10 characters");
    if (n > 256) return err_set(e, E_OUT_OF_RANGE, "password", "password is longer than 256 bytes");
    unsigned long long ops = auth_fast_hash ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = auth_fast_hash ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (crypto_pwhash_str_alg(out, pw, n, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(e, E_INTERNAL, NULL, "out of memory hashing the password");
    return 0;
}

/* ---- sessions ---- */

static int fill_principal(truce_t *t, const char *username, principal_t *p);

static unsigned bucket_of(const hash_t th)
{
    return ((unsigned)th[0] | (unsigned)th[1] << 8) % SESSION_BUCKETS;
}

static void session_cache_put(auth_state_t *a, const hash_t th, const char *user, int64_t exp)
{
    session_t *s = calloc(1, sizeof *s);
    if (!s) return;
    memcpy(s->th, th, 32);
    str_copy(s->username, sizeof s->username, user);
    s->expires = exp;
    pthread_mutex_lock(&a->smu);
    unsigned b = bucket_of(th);
    s->next = a->buckets[b];
    a->buckets[b] = s;
    pthread_mutex_unlock(&a->smu);
}

/* Removes matching sessions (by token hash, or every session of user). */
static void session_cache_drop(auth_state_t *a, const uint8_t *th, const char *user)
{
    pthread_mutex_lock(&a->smu);
    for (int b = th ? (int)bucket_of(th) : 0; b < SESSION_BUCKETS; b++) {
        for (session_t **pp = &a->buckets[b]; *pp;) {
            session_t *s = *pp;
            if ((th && memcmp(s->th, th, 32) == 0) || (user && strcmp(s->username, user) == 0)) {
                *pp = s->next;
                free(s);
            } else {
                pp = &s->next;
            }
        }
        if (th) break;
    }
    pthread_mutex_unlock(&a->smu);
}

static int session_lookup(truce_t *t, const hash_t th, char *user, size_t cap)
{
    auth_state_t *a = t->auth;
    int64_t now = util_now_ms(), exp = 0;
    int found = 0;
    pthread_mutex_lock(&a->smu);
    for (session_t *s = a->buckets[bucket_of(th)]; s; s = s->next)
        if (memcmp(s->th, th, 32) == 0) {
            str_copy(user, cap, s->username);
            exp = s->expires;
            found = 1;
            break;
        }
    pthread_mutex_unlock(&a->smu);
    if (!found) {
        if (store_session_get(t->store, th, user, cap, &exp)) return -1;
        session_cache_put(a, th, user, exp);
    }
    if (exp <= now) {
        session_cache_drop(a, th, NULL);
        store_session_del(t->store, th);
        return -1;
    }
    return 0;
}

int auth_session_alive(truce_t *t, const uint8_t th[32])
{
    char user[64];
    principal_t p;
    return session_lookup(t, th, user, sizeof user) || fill_principal(t, user, &p) ? -1 : 0;
}


static void csrf_token(truce_t *t, const hash_t th, char out[33])
{
    uint8_t key[32], mac[16];
    log_derive_key(t, "truce-csrf-v1", key);
    crypto_generichash(mac, sizeof mac, th, 32, key, sizeof key);
    hex_encode(mac, sizeof mac, out);
}

static int fill_principal(truce_t *t, const char *username, principal_t *p)
{
    pthread_rwlock_rdlock(&t->lock);
    long i = user_find(t->auth, username);
    int ok = i >= 0 && !t->auth->users[i].disabled;
    if (ok) {
        const user_t *u = &t->auth->users[i];
        str_copy(p->username, sizeof p->username, u->username);
        str_copy(p->name, sizeof p->name, u->name);
        str_copy(p->org, sizeof p->org, u->org);
        str_copy(p->person, sizeof p->person, u->person);
        p->nroles = u->nroles;
        p->perms = B(P_LOGGED);
        for (int r = 0; r < u->nroles; r++) {
            memcpy(p->roles[r], u->roles[r], sizeof p->roles[r]);
            p->perms |= auth_role_perms(u->roles[r]);
        }
    }
    pthread_rwlock_unlock(&t->lock);
    return ok ? 0 : -1;
}

static const char *cookie_value(const char *cookies, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = cookies; p && *p;) {
        while (*p == ' ' || *p == ';') p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            p += nl + 1;
            size_t n = strcspn(p, ";");
            if (n >= cap) return NULL;
            memcpy(out, p, n);
            out[n] = 0;
            return out;
        }
        p = strchr(p, ';');
    }
    return NULL;
}

int auth_authenticate_or_reply(req_t *r)
{
    const char *h = req_header(r, "Authorization");
    char tok[128];
    int via_cookie = 0;
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        str_copy(tok, sizeof tok, h + 7);
    } else if (cookie_value(req_header(r, "Cookie"), "truce_session", tok, sizeof tok)) {
        via_cookie = 1;
    } else {
        return reply_error(r, E_UNAUTHENTICATED, NULL, NULL);
    }
    uint8_t raw[32];
    char user[64];
    if (hex_decode(tok, raw, 32)) return reply_error(r, E_UNAUTHENTICATED, NULL, "invalid session token");
    hash_t th;
    crypto_hash_sha256(th, raw, 32);
    if (session_lookup(r->t, th, user, sizeof user) || fill_principal(r->t, user, &r->who))
        return reply_error(r, E_UNAUTHENTICATED, NULL, "the session has ended; log in again");
    r->who.via_cookie = via_cookie;
    memcpy(r->who.token_hash, th, 32);
    if (via_cookie && strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
        char want[33];
        const char *got = req_header(r, "X-CSRF-Token");
        csrf_token(r->t, th, want);
        if (!got || strlen(got) != 32 || sodium_memcmp(got, want, 32) != 0)
            return reply_error(r, E_CSRF, NULL, NULL);
    }
    r->authed = 1;
    return 0;
}

/* ---- throttling ----
 * An open-addressing table keyed by the full key ("u:NAME" or "a:ADDRESS").
 * A live entry (inside its window) is never evicted, so failing with other
 * names cannot reset anyone's count; an expired entry keeps its key in place
 * (so probe chains stay whole) until a new key reuses the slot. When every
 * slot is live, logins are refused until entries expire. */

/* Finds key's slot (*found) and the first slot a new key could take (*room). */
static void probe(auth_state_t *a, const char *key, int64_t now, throttle_t **found, throttle_t **room)
{
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    *found = *room = NULL;
    for (unsigned i = 0; i < THROTTLE_SLOTS; i++) {
        throttle_t *s = &a->slots[(h + i) % THROTTLE_SLOTS];
        if (!s->key[0]) {
            if (!*room) *room = s;
            return;
        }
        if (strcmp(s->key, key) == 0) {
            *found = s;
            return;
        }
        if (!*room && now - s->first >= THROTTLE_WINDOW_MS) *room = s;
    }
}

static int throttled(auth_state_t *a, const char *key, int limit, int64_t now)
{
    throttle_t *s, *room;
    pthread_mutex_lock(&a->tmu);
    probe(a, key, now, &s, &room);
    int t = s ? now - s->first < THROTTLE_WINDOW_MS && s->count >= limit : !room;
    pthread_mutex_unlock(&a->tmu);
    return t;
}

static void throttle_note(auth_state_t *a, const char *key, int failed, int64_t now)
{
    throttle_t *s, *room;
    pthread_mutex_lock(&a->tmu);
    probe(a, key, now, &s, &room);
    if (!s && failed && room) {
        s = room;
        snprintf(s->key, sizeof s->key, "%s", key);
        s->count = 0;
        s->first = now;
    }
    if (s && !failed) {
        s->count = 0;
    } else if (s) {
        if (now - s->first >= THROTTLE_WINDOW_MS) {
            s->count = 0;
            s->first = now;
        }
        s->count++;
    }
    pthread_mutex_unlock(&a->tmu);
}

/* ---- handlers ---- */

const field_t session_fields[] = {
    {"username", F_STR, 1, 1, 0, 64, NULL, "account name"},
    {"password", F_STR, 1, 1, 0, 256, NULL, NULL},
    {NULL},
};

static json_t *me_json(truce_t *t, const principal_t *p, const hash_t th)
{
    json_t *r = json_array(), *perms = json_array();
    for (int i = 0; i < p->nroles; i++) json_array_append_new(r, json_string(p->roles[i]));
    for (int i = 1; i < P__COUNT; i++)
        if (p->perms & B(i)) json_array_append_new(perms, json_string(perm_names[i]));
    char csrf[33];
    csrf_token(t, th, csrf);
    pthread_rwlock_rdlock(&t->lock);
    json_t *pos = p->person[0] ? org_positions_of(t, p->person) : json_array();
    pthread_rwlock_unlock(&t->lock);
    return json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:o, s:s, s:b}", "username",
                     p->username, "name", p->name, "org", p->org, "person",
                     p->person[0] ? p->person : NULL, "roles", r, "permissions", perms,
                     "positions", pos, "labels", auth_principal_labels(p), "csrf", csrf,
                     "exercise", t->exercise);
}

static char dummy[crypto_pwhash_STRBYTES];
static void make_dummy(void)
{
    err_t e;
    char pw[17];
    auth_random_password(pw);
    if (auth_hash_password(pw, dummy, &e)) dummy[0] = 0;
}

static const char *dummy_hash(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_dummy);
    return dummy;
}

static int session_create(req_t *r)
{
    truce_t *t = r->t;
    const char *user = json_string_value(json_object_get(r->json, "username"));
    const char *pw = json_string_value(json_object_get(r->json, "password"));
    char ukey[80], ikey[80];
    snprintf(ukey, sizeof ukey, "u:%s", user);
    snprintf(ikey, sizeof ikey, "a:%s", r->ip);
    int64_t now = util_now_ms();
    if (throttled(t->auth, ukey, THROTTLE_USER, now) || throttled(t->auth, ikey, THROTTLE_IP, now))
        return reply_error(r, E_THROTTLED, "username",
                           "too many failed logins; wait five minutes and retry");
    char stored[crypto_pwhash_STRBYTES] = "";
    principal_t p = {0};
    int known = fill_principal(t, user, &p) == 0 && store_cred_get(t->store, user, stored, sizeof stored) == 0;
    /* An unknown or disabled name costs the same argon2id work as a wrong
     * password, so response times do not tell which names exist. */
    int ok = crypto_pwhash_str_verify(known ? stored : dummy_hash(), pw, strlen(pw)) == 0 && known;
    if (!ok) {
        throttle_note(t->auth, ukey, 1, now);
        throttle_note(t->auth, ikey, 1, now);
        return reply_error(r, E_BAD_LOGIN, "password", NULL);
    }
    throttle_note(t->auth, ukey, 0, now);
    uint8_t raw[32];
    hash_t th;
    randombytes_buf(raw, sizeof raw);
    crypto_hash_sha256(th, raw, sizeof raw);
    int64_t exp = now + SESSION_MS;
    if (store_session_put(t->store, th, user, exp)) return reply_error(r, E_INTERNAL, NULL, NULL);
    session_cache_put(t->auth, th, user, exp);
    char tok[65], ts[32];
    hex_encode(raw, 32, tok);
    time_format(exp, ts);
    char cookie[160];
    snprintf(cookie, sizeof cookie, "truce_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld", tok,
             (long long)(SESSION_MS / 1000));
    req_set_cookie(r, cookie);
    json_t *me = me_json(t, &p, th);
    return reply_json(r, 201, json_pack("{s:s, s:s, s:O, s:o}", "token", tok, "expires", ts,
                                        "csrf", json_object_get(me, "csrf"), "user", me));
}

/* argon2id takes about 100 ms of CPU: on a helper, not a pool thread. */
int h_session_create(req_t *r)
{
    return req_offload(r, session_create);
}

int h_session_delete(req_t *r)
{
    store_session_del(r->t->store, r->who.token_hash);
    session_cache_drop(r->t->auth, r->who.token_hash, NULL);
    req_set_cookie(r, "truce_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return reply_json(r, 200, json_pack("{s:b}", "ended", 1));
}

int h_me(req_t *r)
{
    return reply_json(r, 200, me_json(r->t, &r->who, r->who.token_hash));
}

int h_users_list(req_t *r)
{
    json_t *arr = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    for (size_t i = 0; i < r->t->auth->n; i++) json_array_append_new(arr, user_json(&r->t->auth->users[i]));
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:o}", "users", arr));
}

const field_t user_add_fields[] = {
    {"username", F_ID, 1, 0, 0, 48, NULL, "lower-case account name"},
    {"name", F_STR, 1, 1, 0, 120, NULL, "display name"},
    {"org", F_ID, 1, 0, 0, 48, NULL, "organisation id"},
    {"person", F_ID, 0, 0, 0, 32, NULL, "person id in the org chart"},
    {"roles", F_STRLIST, 1, 1, PRINCIPAL_MAX_ROLES, 24, NULL, "roles"},
    {"password", F_STR, 1, 10, 0, 256, NULL, "at least 10 characters"},
    {NULL},
};

static json_t *user_labels(const char *username)
{
    char u[80];
    snprintf(u, sizeof u, "user:%s", username);
    return json_pack("[s,s]", "role:admin", u);
}

static int prepare_user_add(truce_t *t, cmd_t *c, err_t *e)
{
    json_t *in = c->arg;
    const char *u = json_string_value(json_object_get(in, "username"));
    const char *org = json_string_value(json_object_get(in, "org"));
    const char *person = json_string_value(json_object_get(in, "person"));
    if (auth_user_exists(t, u)) return err_set(e, E_CONFLICT, "username", "username %s is taken", u);
    if (!org_exists(t, org)) return err_set(e, E_BAD_VALUE, "org", "no organisation %s", org);
    if (person && !org_person_exists(t, person))
        return err_set(e, E_BAD_VALUE, "person", "no person %s", person);
    json_t *body = json_deep_copy(in);
    json_object_del(body, "password");
    snprintf(c->result_id, sizeof c->result_id, "%s", u);
    return cmd_draft(c, "user.added", u, user_labels(u), body, e);
}

static int prepare_user_add_cred(truce_t *t, cmd_t *c, err_t *e)
{
    char hash[sizeof c->cred_hash];
    memcpy(hash, c->cred_hash, sizeof hash);
    if (prepare_user_add(t, c, e)) return -1;
    snprintf(c->cred_user, sizeof c->cred_user, "%s", c->result_id);
    memcpy(c->cred_hash, hash, sizeof hash);
    return 0;
}

int auth_cmd_user_add(truce_t *t, const principal_t *who, json_t *in, cmd_t *c)
{
    err_t *e = &c->err;
    memset(c, 0, sizeof *c);
    const char *u = json_string_value(json_object_get(in, "username"));
    for (const char *p = u; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            return err_set(e, E_BAD_VALUE, "username", "username must be lower-case");
    size_t i;
    json_t *role;
    json_array_foreach(json_object_get(in, "roles"), i, role)
    {
        if (!auth_role_valid(json_string_value(role)))
            return err_set(e, E_BAD_VALUE, "roles", "roles[%zu] is not a known role", i);
    }
    c->who = who;
    c->prepare = prepare_user_add_cred;
    c->arg = in;
    (void)t;
    if (auth_hash_password(json_string_value(json_object_get(in, "password")), c->cred_hash, e))
        return -1;
    /* prepare() clears cred_user; keep the hash and set the user there. */
    return 0;
}

static int users_add(req_t *r)
{
    cmd_t c;
    if (auth_cmd_user_add(r->t, &r->who, r->json, &c)) return reply_err(r, &c.err);
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    return reply_written(r, 201, &c, NULL);
}

int h_users_add(req_t *r)
{
    return req_offload(r, users_add); /* hashes the password */
}

static int prepare_user_state(truce_t *t, cmd_t *c, err_t *e)
{
    const char *u = c->arg;
    const char *kind = c->result_id;
    long i = user_find(t->auth, u);
    if (i < 0) return err_set(e, E_NOT_FOUND, "username", "no user %s", u);
    char k[64];
    snprintf(k, sizeof k, "%s", kind);
    snprintf(c->result_id, sizeof c->result_id, "%s", u);
    return cmd_draft(c, k, u, user_labels(u), json_pack("{s:s}", "username", u), e);
}

void auth_cmd_user_state(cmd_t *c, const principal_t *who, const char *username, const char *kind)
{
    memset(c, 0, sizeof *c);
    c->who = who;
    c->prepare = prepare_user_state;
    c->arg = (void *)username;
    snprintf(c->result_id, sizeof c->result_id, "%s", kind);
}

static int user_state(req_t *r, const char *kind)
{
    cmd_t c;
    auth_cmd_user_state(&c, &r->who, r->params[0], kind);
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    if (strcmp(kind, "user.disabled") == 0) {
        store_session_del_user(r->t->store, r->params[0]);
        session_cache_drop(r->t->auth, NULL, r->params[0]);
    }
    return reply_written(r, 200, &c, NULL);
}

int h_user_disable(req_t *r)
{
    if (strcmp(r->params[0], r->who.username) == 0)
        return reply_error(r, E_CONFLICT, "username", "you cannot disable your own account");
    return user_state(r, "user.disabled");
}

int h_user_enable(req_t *r)
{
    return user_state(r, "user.enabled");
}

const field_t password_fields[] = {
    {"password", F_STR, 1, 10, 0, 256, NULL, "the new password, at least 10 characters"},
    {"current", F_STR, 0, 0, 0, 256, NULL, "your current password (when changing your own)"},
    {NULL},
};

static int prepare_password(truce_t *t, cmd_t *c, err_t *e)
{
    const char *u = c->arg;
    if (user_find(t->auth, u) < 0) return err_set(e, E_NOT_FOUND, "username", "no user %s", u);
    char hash[sizeof c->cred_hash];
    memcpy(hash, c->cred_hash, sizeof hash);
    snprintf(c->result_id, sizeof c->result_id, "%s", u);
    snprintf(c->cred_user, sizeof c->cred_user, "%s", u);
    memcpy(c->cred_hash, hash, sizeof hash);
    return cmd_draft(c, "user.password_changed", u, user_labels(u), json_pack("{s:s}", "username", u), e);
}

int auth_cmd_password(cmd_t *c, const principal_t *who, const char *username, const char *pw)
{
    memset(c, 0, sizeof *c);
    c->who = who;
    c->prepare = prepare_password;
    c->arg = (void *)username;
    return auth_hash_password(pw, c->cred_hash, &c->err);
}

static int user_password(req_t *r)
{
    const char *u = r->params[0];
    int self = strcmp(u, r->who.username) == 0;
    if (!self && !(r->who.perms & B(P_USER_ADMIN))) return reply_error(r, E_FORBIDDEN, NULL, NULL);
    if (self && !(r->who.perms & B(P_USER_ADMIN))) {
        const char *cur = json_string_value(json_object_get(r->json, "current"));
        char stored[crypto_pwhash_STRBYTES];
        if (!cur) return reply_error(r, E_MISSING_FIELD, "current", "current is required");
        if (store_cred_get(r->t->store, u, stored, sizeof stored) ||
            crypto_pwhash_str_verify(stored, cur, strlen(cur)) != 0)
            return reply_error(r, E_BAD_VALUE, "current", "the current password is wrong");
    }
    cmd_t c;
    if (auth_cmd_password(&c, &r->who, u, json_string_value(json_object_get(r->json, "password"))))
        return reply_err(r, &c.err);
    if (log_submit(r->t, &c)) return reply_err(r, &c.err);
    /* Every other session of that account ends. */
    store_session_del_user(r->t->store, u);
    session_cache_drop(r->t->auth, NULL, u);
    if (self) {
        int64_t exp = util_now_ms() + SESSION_MS;
        store_session_put(r->t->store, r->who.token_hash, u, exp);
        session_cache_put(r->t->auth, r->who.token_hash, u, exp);
    }
    return reply_written(r, 200, &c, NULL);
}

int h_user_password(req_t *r)
{
    return req_offload(r, user_password); /* checks and hashes passwords */
}

void auth_end_sessions(truce_t *t, const char *username)
{
    store_session_del_user(t->store, username);
    session_cache_drop(t->auth, NULL, username);
}

json_t *auth_users_json(truce_t *t)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < t->auth->n; i++) json_array_append_new(arr, user_json(&t->auth->users[i]));
    return arr;
}

void auth_random_password(char out[17])
{
    /* No look-alike characters (0/O, 1/l/I): people type these from paper. */
    static const char a[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 16; i++) out[i] = a[randombytes_uniform(sizeof a - 1)];
    out[16] = 0;
}
