/*
 * auth_test.c — labels, roles and permissions, password hashing, accounts
 * and sessions (src/auth.c). Password hashing runs with auth_fast_hash = 1
 * (the weakest argon2id parameters) to keep the tests fast.
 */
#include "unit.h"

#include "auth.h"
#include "log.h"
#include "org.h"

static principal_t make_principal(const char *user, const char *org, const char *r1, const char *r2)
{
    principal_t p;
    memset(&p, 0, sizeof p);
    snprintf(p.username, sizeof p.username, "%s", user);
    snprintf(p.org, sizeof p.org, "%s", org);
    if (r1) snprintf(p.roles[p.nroles++], sizeof p.roles[0], "%s", r1);
    if (r2) snprintf(p.roles[p.nroles++], sizeof p.roles[0], "%s", r2);
    for (int i = 0; i < p.nroles; i++)
        p.perms |= auth_role_perms(p.roles[i]);
    return p;
}

static int sees(const principal_t *p, const char *labels_json)
{
    json_t *l = json_loads(labels_json, JSON_DECODE_ANY, NULL);
    if (!l) fail_msg("bad test labels %s", labels_json);
    int r = auth_may_see(p, l);
    json_decref(l);
    return r;
}

/* ---- labels ---- */

static void auth_may_see_label_forms(void **state)
{
    (void)state;
    principal_t a = make_principal("alice", "CMCC", "cmcc_watch", "leadership");
    static const struct {
        const char *labels;
        int want;
    } cases[] = {
        {"[\"all\"]", 1},
        {"[\"org:CMCC\"]", 1},
        {"[\"org:ISF\"]", 0},
        {"[\"org:CMC\"]", 0},
        {"[\"org:CMCCX\"]", 0},
        {"[\"org:cmcc\"]", 0},
        {"[\"org:\"]", 0},
        {"[\"role:cmcc_watch\"]", 1},
        {"[\"role:leadership\"]", 1},
        {"[\"role:admin\"]", 0},
        {"[\"role:cmcc\"]", 0},
        {"[\"role:cmcc_watchX\"]", 0},
        {"[\"user:alice\"]", 1},
        {"[\"user:bob\"]", 0},
        {"[\"user:alic\"]", 0},
        {"[\"user:alice2\"]", 0},
        {"[]", 0},
        {"[\"ALL\"]", 0},
        {"[\"all \"]", 0},
        {"[\"CMCC\"]", 0},
        {"[\"alice\"]", 0},
        {"[\"org CMCC\"]", 0},
        {"[\"cmcc_watch\"]", 0},
        {"[\"org:ISF\", \"user:bob\", \"role:admin\"]", 0},
        {"[\"org:ISF\", \"user:alice\"]", 1}, /* any one label is enough */
        {"[\"role:admin\", \"org:CMCC\"]", 1},
        {"[1, null, {}, \"all\"]", 1}, /* non-strings are skipped */
        {"[1, null, {\"org\":\"CMCC\"}]", 0},
        {"\"all\"", 0}, /* not an array */
        {"{\"all\":1}", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (sees(&a, cases[i].labels) != cases[i].want)
            fail_msg("alice sees %s: got %d, want %d", cases[i].labels, !cases[i].want,
                     cases[i].want);
    assert_int_equal(auth_may_see(&a, NULL), 0);
    /* No roles at all: only all, org and user labels. */
    principal_t n = make_principal("nora", "UNRWA", NULL, NULL);
    assert_int_equal(sees(&n, "[\"role:humanitarian\"]"), 0);
    assert_int_equal(sees(&n, "[\"org:UNRWA\"]"), 1);
    assert_int_equal(sees(&n, "[\"org:CMCC\",\"role:cmcc_watch\",\"user:alice\"]"), 0);
}

static void auth_principal_labels_match(void **state)
{
    (void)state;
    principal_t a = make_principal("alice", "CMCC", "cmcc_watch", "leadership");
    principal_t b = make_principal("bob", "ISF-AZE", "isf_contingent", NULL);
    json_t *l = auth_principal_labels(&a);
    assert_int_equal(json_array_size(l), 5);
    static const char *const want[] = {"all", "org:CMCC", "role:cmcc_watch", "role:leadership",
                                       "user:alice"};
    for (size_t i = 0; i < 5; i++) {
        json_t *one = json_pack("[O]", json_array_get(l, i));
        assert_string_equal(json_string_value(json_array_get(l, i)), want[i]);
        assert_int_equal(auth_may_see(&a, one), 1);
        /* Bob shares only "all" with alice. */
        assert_int_equal(auth_may_see(&b, one), i == 0);
        json_decref(one);
    }
    json_decref(l);
}

/* ---- roles ---- */

#define B(p) (1ull << (p))

static void auth_role_perms_table(void **state)
{
    (void)state;
    static const struct {
        const char *role;
        uint64_t has, lacks;
    } cases[] = {
        {"admin", B(P_USER_ADMIN) | B(P_ORG_WRITE) | B(P_AUDIT) | B(P_JOURNAL_READ),
         B(P_JOURNAL_WRITE)},
        {"cmcc_watch", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE),
         B(P_ORG_WRITE) | B(P_USER_ADMIN) | B(P_AUDIT)},
        {"cmcc_commander", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_ORG_WRITE) | B(P_AUDIT),
         B(P_USER_ADMIN)},
        {"idf_liaison", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE),
         B(P_ORG_WRITE) | B(P_USER_ADMIN) | B(P_AUDIT)},
        {"isf_hq", B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE), B(P_ORG_WRITE) | B(P_USER_ADMIN)},
        {"isf_contingent", B(P_JOURNAL_READ),
         B(P_JOURNAL_WRITE) | B(P_ORG_WRITE) | B(P_USER_ADMIN)},
        {"humanitarian", 0,
         B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_ORG_WRITE) | B(P_USER_ADMIN) | B(P_AUDIT)},
        {"trainer", B(P_PSF_TRAIN), B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_USER_ADMIN) | B(P_AUDIT) | B(P_PSF_VET)},
        {"ddr_officer", 0, B(P_JOURNAL_READ) | B(P_JOURNAL_WRITE) | B(P_USER_ADMIN) | B(P_AUDIT)},
        {"leadership", B(P_JOURNAL_READ) | B(P_AUDIT),
         B(P_JOURNAL_WRITE) | B(P_ORG_WRITE) | B(P_USER_ADMIN)},
        /* issue 9: the PSF vetting cell; the PA's representative signs by position only */
        {"psf_vetting", B(P_PSF_VET), B(P_PSF_TRAIN) | B(P_JOURNAL_READ) | B(P_USER_ADMIN) | B(P_AUDIT)},
        {"pa_representative", 0, B(P_PSF_VET) | B(P_PSF_TRAIN) | B(P_JOURNAL_READ) | B(P_USER_ADMIN) | B(P_AUDIT)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t p = auth_role_perms(cases[i].role);
        assert_int_equal(auth_role_valid(cases[i].role), 1);
        /* Every role is at least logged in. */
        if ((p & (cases[i].has | B(P_LOGGED))) != (cases[i].has | B(P_LOGGED)))
            fail_msg("%s lacks a permission it needs (0x%llx)", cases[i].role,
                     (unsigned long long)p);
        if (p & cases[i].lacks)
            fail_msg("%s has a permission it must not (0x%llx)", cases[i].role,
                     (unsigned long long)p);
    }
    /* The list of role names is exactly the valid roles. */
    int n = 0;
    for (const char *const *r = role_names; *r; r++, n++) {
        assert_int_equal(auth_role_valid(*r), 1);
        assert_true(auth_role_perms(*r) & B(P_LOGGED));
    }
    assert_int_equal(n, (int)(sizeof cases / sizeof cases[0]));
    static const char *const bad[] = {"", "Admin", "ADMIN", "admin ", "root", "cmcc", "role:admin"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(auth_role_valid(bad[i]), 0);
        assert_int_equal(auth_role_perms(bad[i]), 0);
    }
    for (int i = 0; i < P__COUNT; i++)
        assert_non_null(perm_names[i]);
}

/* ---- passwords ---- */

static void auth_hash_password_argon2id(void **state)
{
    (void)state;
    char h1[crypto_pwhash_STRBYTES], h2[crypto_pwhash_STRBYTES];
    err_t e = {0};
    assert_int_equal(auth_hash_password("correct horse battery", h1, &e), 0);
    assert_memory_equal(h1, "$argon2id$", 10);
    assert_int_equal(crypto_pwhash_str_verify(h1, "correct horse battery", 21), 0);
    assert_int_equal(crypto_pwhash_str_verify(h1, "correct horse batterY", 21), -1);
    assert_int_equal(crypto_pwhash_str_verify(h1, "correct horse battery ", 22), -1);
    /* Salted: the same password twice gives two different strings. */
    assert_int_equal(auth_hash_password("correct horse battery", h2, &e), 0);
    assert_string_not_equal(h1, h2);
    assert_int_equal(crypto_pwhash_str_verify(h2, "correct horse battery", 21), 0);
    /* Lengths: 10 to 256 bytes. */
    assert_int_equal(auth_hash_password("0123456789", h1, &e), 0);
    assert_int_equal(crypto_pwhash_str_verify(h1, "0123456789", 10), 0);
    memset(&e, 0, sizeof e);
    assert_int_equal(auth_hash_password("012345678", h1, &e), -1);
    assert_int_equal(e.code, E_OUT_OF_RANGE);
    assert_string_equal(e.field, "password");
    memset(&e, 0, sizeof e);
    assert_int_equal(auth_hash_password("", h1, &e), -1);
    assert_int_equal(e.code, E_OUT_OF_RANGE);
    char pw[300];
    memset(pw, 'p', 256);
    pw[256] = 0;
    assert_int_equal(auth_hash_password(pw, h1, &e), 0);
    assert_int_equal(crypto_pwhash_str_verify(h1, pw, 256), 0);
    pw[256] = 'p';
    pw[257] = 0;
    memset(&e, 0, sizeof e);
    assert_int_equal(auth_hash_password(pw, h1, &e), -1);
    assert_int_equal(e.code, E_OUT_OF_RANGE);
    assert_string_equal(e.field, "password");
    /* UTF-8 passwords are bytes. */
    static const char arabic[] = "\xd9\x83\xd9\x84\xd9\x85\xd8\xa9 \xd8\xb3\xd8\xb1"; /* 13 bytes */
    assert_int_equal(auth_hash_password(arabic, h1, &e), 0);
    assert_int_equal(crypto_pwhash_str_verify(h1, arabic, strlen(arabic)), 0);
    assert_int_equal(crypto_pwhash_str_verify(h1, arabic, strlen(arabic) - 1), -1);
}

/* ---- accounts, on a real data folder ---- */

static void open_new(truce_t *t, char *dir)
{
    err_t e = {0};
    assert_non_null(unit_tmp_dir(dir, 600));
    if (truce_open(t, dir, 1, &e)) fail_msg("truce_open(%s): %s", dir, e.message);
}

static int run(truce_t *t, cmd_prepare_fn fn, json_t *arg, err_t *err)
{
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->prepare = fn;
    c->arg = arg;
    int rc = log_submit(t, c);
    if (err) *err = c->err;
    free(c);
    return rc;
}

static void add_org(truce_t *t, const char *id)
{
    json_t *in = json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", id, "kind", "command", "name", "en",
                           id, "ar", id);
    err_t e;
    if (run(t, org_prepare_org, in, &e)) fail_msg("org %s: %s", id, e.message);
    json_decref(in);
}

/* Adds a user; returns the command's error code (E_NONE on success). */
static int add_user(truce_t *t, const char *json, err_t *out)
{
    json_t *in = json_loads(json, 0, NULL);
    if (!in) fail_msg("bad test input %s", json);
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    int code = E_NONE;
    if (auth_cmd_user_add(t, NULL, in, c)) {
        code = c->err.code;
        if (out) *out = c->err;
    } else if (log_submit(t, c)) {
        code = c->err.code;
        if (out) *out = c->err;
    }
    free(c);
    json_decref(in);
    return code;
}

static int cred_verifies(truce_t *t, const char *user, const char *pw)
{
    char stored[crypto_pwhash_STRBYTES];
    if (store_cred_get(t->store, user, stored, sizeof stored)) return -2;
    return crypto_pwhash_str_verify(stored, pw, strlen(pw));
}

/* A fresh folder with organisation CMCC and alice, a watch officer whose
 * password is "alice password". */
static void open_with_alice(truce_t *t, char *dir)
{
    open_new(t, dir);
    add_org(t, "CMCC");
    assert_int_equal(add_user(t,
                              "{\"username\":\"alice\",\"name\":\"Alice\",\"org\":\"CMCC\","
                              "\"roles\":[\"cmcc_watch\"],\"password\":\"alice password\"}",
                              NULL),
                     E_NONE);
}

static void auth_labels_check_names_known_things(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_with_alice(&t, dir);
    static const struct {
        const char *labels;
        int ok;
    } cases[] = {
        {"[\"all\"]", 1},
        {"[\"org:CMCC\"]", 1},
        {"[\"role:admin\"]", 1},
        {"[\"role:humanitarian\",\"role:ddr_officer\"]", 1},
        {"[\"user:alice\"]", 1},
        {"[\"all\",\"org:CMCC\",\"role:cmcc_watch\",\"user:alice\"]", 1},
        {"[]", 0},
        {"\"all\"", 0},
        {"{}", 0},
        {"null", 0},
        {"[\"org:ISF\"]", 0}, /* no such organisation */
        {"[\"org:\"]", 0},
        {"[\"role:nope\"]", 0},
        {"[\"role:\"]", 0},
        {"[\"user:bob\"]", 0}, /* no such user */
        {"[\"user:\"]", 0},
        {"[\"ALL\"]", 0},
        {"[\"everyone\"]", 0},
        {"[\"CMCC\"]", 0},
        {"[\"all\", 1]", 0},
        {"[\"all\", null]", 0},
        {"[\"all\", \"org:NOPE\"]", 0}, /* one bad label spoils the list */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *l = json_loads(cases[i].labels, JSON_DECODE_ANY, NULL);
        if (!l) fail_msg("bad test labels %s", cases[i].labels);
        err_t e;
        memset(&e, 0, sizeof e);
        int rc = auth_labels_check(&t, l, &e);
        json_decref(l);
        if (cases[i].ok && rc != 0) fail_msg("%s refused: %s", cases[i].labels, e.message);
        if (!cases[i].ok) {
            if (rc != -1) fail_msg("%s accepted", cases[i].labels);
            assert_int_equal(e.code, E_BAD_VALUE);
            assert_string_equal(e.field, "labels");
        }
    }
    truce_close(&t);
}

static void auth_user_add_and_credentials(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    add_org(&t, "CMCC");
    json_t *person = json_pack("{s:s, s:s}", "id", "PER-7", "name", "Alice A.");
    assert_int_equal(run(&t, org_prepare_person, person, NULL), 0);
    json_decref(person);
    assert_int_equal(auth_user_exists(&t, "alice"), 0);
    assert_int_equal(add_user(&t,
                              "{\"username\":\"alice\",\"name\":\"Alice\",\"org\":\"CMCC\","
                              "\"person\":\"PER-7\",\"roles\":[\"cmcc_watch\",\"leadership\"],"
                              "\"password\":\"alice secret pw\"}",
                              NULL),
                     E_NONE);
    assert_int_equal(auth_user_exists(&t, "alice"), 1);
    /* The credential is in the store, the password nowhere in the log. */
    assert_int_equal(cred_verifies(&t, "alice", "alice secret pw"), 0);
    assert_int_equal(cred_verifies(&t, "alice", "alice secret pX"), -1);
    uint64_t seq = log_durable(&t);
    json_t *r = log_receipt(&t, seq, NULL);
    assert_non_null(r);
    const char *ev = json_string_value(json_object_get(r, "event"));
    assert_non_null(strstr(ev, "\"kind\":\"user.added\""));
    assert_null(strstr(ev, "alice secret pw"));
    assert_null(strstr(ev, "password"));
    assert_null(strstr(ev, "argon2"));
    /* Account events are for admins and the account itself. */
    json_t *j = json_loads(ev, 0, NULL);
    assert_non_null(j);
    json_t *labels = json_object_get(j, "labels");
    principal_t self = make_principal("alice", "CMCC", NULL, NULL);
    principal_t admin = make_principal("root", "OSC", "admin", NULL);
    principal_t other = make_principal("bob", "CMCC", "cmcc_watch", NULL);
    assert_int_equal(auth_may_see(&self, labels), 1);
    assert_int_equal(auth_may_see(&admin, labels), 1);
    assert_int_equal(auth_may_see(&other, labels), 0);
    json_decref(j);
    json_decref(r);
    /* The user list shows the account, without any secret. */
    json_t *users = auth_users_json(&t);
    assert_int_equal(json_array_size(users), 1);
    json_t *u = json_array_get(users, 0);
    assert_string_equal(json_string_value(json_object_get(u, "username")), "alice");
    assert_string_equal(json_string_value(json_object_get(u, "org")), "CMCC");
    assert_string_equal(json_string_value(json_object_get(u, "person")), "PER-7");
    assert_int_equal(json_array_size(json_object_get(u, "roles")), 2);
    assert_true(json_is_false(json_object_get(u, "disabled")));
    assert_null(json_object_get(u, "password"));
    json_decref(users);

    /* Refusals, each naming its field; nothing is written. */
    static const struct {
        const char *in;
        int code;
        const char *field;
    } bad[] = {
        {"{\"username\":\"alice\",\"name\":\"A2\",\"org\":\"CMCC\",\"roles\":[\"cmcc_watch\"],"
         "\"password\":\"another password\"}",
         E_CONFLICT, "username"},
        {"{\"username\":\"Carol\",\"name\":\"C\",\"org\":\"CMCC\",\"roles\":[\"cmcc_watch\"],"
         "\"password\":\"carol password\"}",
         E_BAD_VALUE, "username"},
        {"{\"username\":\"carol\",\"name\":\"C\",\"org\":\"CMCC\",\"roles\":[\"superuser\"],"
         "\"password\":\"carol password\"}",
         E_BAD_VALUE, "roles"},
        {"{\"username\":\"carol\",\"name\":\"C\",\"org\":\"NOPE\",\"roles\":[\"cmcc_watch\"],"
         "\"password\":\"carol password\"}",
         E_BAD_VALUE, "org"},
        {"{\"username\":\"carol\",\"name\":\"C\",\"org\":\"CMCC\",\"person\":\"PER-404\","
         "\"roles\":[\"cmcc_watch\"],\"password\":\"carol password\"}",
         E_BAD_VALUE, "person"},
        {"{\"username\":\"carol\",\"name\":\"C\",\"org\":\"CMCC\",\"roles\":[\"cmcc_watch\"],"
         "\"password\":\"short\"}",
         E_OUT_OF_RANGE, "password"},
    };
    uint64_t before = log_durable(&t);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_t e;
        memset(&e, 0, sizeof e);
        int code = add_user(&t, bad[i].in, &e);
        if (code != bad[i].code || strcmp(e.field, bad[i].field))
            fail_msg("case %zu: got %s field \"%s\", want %s field \"%s\"", i, err_name(code),
                     e.field, err_name(bad[i].code), bad[i].field);
    }
    assert_int_equal(log_durable(&t), before);
    assert_int_equal(auth_user_exists(&t, "carol"), 0);
    assert_int_equal(cred_verifies(&t, "carol", "carol password"), -2);
    /* The first password still works: the refused duplicate changed nothing. */
    assert_int_equal(cred_verifies(&t, "alice", "alice secret pw"), 0);

    /* A restart keeps the account and the credential. */
    truce_close(&t);
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    assert_int_equal(auth_user_exists(&t, "alice"), 1);
    assert_int_equal(cred_verifies(&t, "alice", "alice secret pw"), 0);
    truce_close(&t);
}

static void auth_password_change(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    add_org(&t, "CMCC");
    assert_int_equal(add_user(&t,
                              "{\"username\":\"alice\",\"name\":\"Alice\",\"org\":\"CMCC\","
                              "\"roles\":[\"cmcc_watch\"],\"password\":\"first password\"}",
                              NULL),
                     E_NONE);
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    assert_int_equal(auth_cmd_password(c, NULL, "alice", "second password"), 0);
    assert_int_equal(log_submit(&t, c), 0);
    assert_int_equal(cred_verifies(&t, "alice", "second password"), 0);
    assert_int_equal(cred_verifies(&t, "alice", "first password"), -1);
    /* The change is an event without the password. */
    json_t *r = log_receipt(&t, c->first_seq, NULL);
    assert_non_null(r);
    const char *ev = json_string_value(json_object_get(r, "event"));
    assert_non_null(strstr(ev, "user.password_changed"));
    assert_null(strstr(ev, "second password"));
    json_decref(r);
    /* Unknown account; too short. */
    assert_int_equal(auth_cmd_password(c, NULL, "nobody", "third password"), 0);
    assert_int_equal(log_submit(&t, c), -1);
    assert_int_equal(c->err.code, E_NOT_FOUND);
    assert_int_equal(cred_verifies(&t, "nobody", "third password"), -2);
    assert_int_equal(auth_cmd_password(c, NULL, "alice", "short"), -1);
    assert_int_equal(c->err.code, E_OUT_OF_RANGE);
    assert_int_equal(cred_verifies(&t, "alice", "second password"), 0);
    free(c);
    truce_close(&t);
}

static void auth_disable_and_sessions(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_with_alice(&t, dir);
    uint8_t raw[32];
    hash_t th, th2, th3;
    randombytes_buf(raw, sizeof raw);
    crypto_hash_sha256(th, raw, sizeof raw);
    randombytes_buf(raw, sizeof raw);
    crypto_hash_sha256(th2, raw, sizeof raw);
    randombytes_buf(raw, sizeof raw);
    crypto_hash_sha256(th3, raw, sizeof raw);
    int64_t now = util_now_ms();
    /* Unknown token. */
    assert_int_equal(auth_session_alive(&t, th), -1);
    /* An open session is alive, also after a restart (the store keeps it). */
    assert_int_equal(store_session_put(t.store, th, "alice", now + 3600000), 0);
    assert_int_equal(auth_session_alive(&t, th), 0);
    assert_int_equal(auth_session_alive(&t, th), 0); /* from the cache */
    truce_close(&t);
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    assert_int_equal(auth_session_alive(&t, th), 0);
    /* An expired session is dead and removed. */
    assert_int_equal(store_session_put(t.store, th2, "alice", now - 1), 0);
    assert_int_equal(auth_session_alive(&t, th2), -1);
    char user[64];
    int64_t exp;
    assert_int_equal(store_session_get(t.store, th2, user, sizeof user, &exp), -1);
    /* A disabled account has no live session. */
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    auth_cmd_user_state(c, NULL, "alice", "user.disabled");
    assert_int_equal(log_submit(&t, c), 0);
    assert_int_equal(auth_session_alive(&t, th), -1);
    json_t *users = auth_users_json(&t);
    assert_true(json_is_true(json_object_get(json_array_get(users, 0), "disabled")));
    json_decref(users);
    auth_cmd_user_state(c, NULL, "alice", "user.enabled");
    assert_int_equal(log_submit(&t, c), 0);
    users = auth_users_json(&t);
    assert_true(json_is_false(json_object_get(json_array_get(users, 0), "disabled")));
    json_decref(users);
    auth_cmd_user_state(c, NULL, "nobody", "user.disabled");
    assert_int_equal(log_submit(&t, c), -1);
    assert_int_equal(c->err.code, E_NOT_FOUND);
    /* auth_end_sessions ends every session of the account, cached or not. */
    assert_int_equal(store_session_put(t.store, th3, "alice", now + 3600000), 0);
    assert_int_equal(auth_session_alive(&t, th3), 0);
    auth_end_sessions(&t, "alice");
    assert_int_equal(auth_session_alive(&t, th3), -1);
    assert_int_equal(auth_session_alive(&t, th), -1);
    free(c);
    /* The disabled/enabled history replays to the same state. */
    char d1[65], d2[65];
    state_digest(&t, d1);
    truce_close(&t);
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    state_digest(&t, d2);
    assert_string_equal(d1, d2);
    truce_close(&t);
}

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    auth_fast_hash = 1;
    return unit_tmp_root("auth");
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auth_may_see_label_forms),
        cmocka_unit_test(auth_principal_labels_match),
        cmocka_unit_test(auth_role_perms_table),
        cmocka_unit_test(auth_hash_password_argon2id),
        cmocka_unit_test(auth_labels_check_names_known_things),
        cmocka_unit_test(auth_user_add_and_credentials),
        cmocka_unit_test(auth_password_change),
        cmocka_unit_test(auth_disable_and_sessions),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
