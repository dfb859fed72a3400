/*
 * log_test.c — the event log (src/log.c, src/verify.c, src/state.c): sealing
 * into canonical bytes, seqs and times, receipts checked with nothing but the
 * public key, replay into the same state and the same tree, `truce verify` on
 * intact and altered stores, consistency proofs, the feed, and group commit
 * through the writer thread with many submitting threads.
 *
 * Every test opens its own data folder under the binary's temporary root
 * (truce_open(&t, dir, 1, &e) creates store and key); the group teardown
 * removes them all.
 */
#include "unit.h"

#include <pthread.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "log.h"
#include "org.h"

/* ---- fixtures ---- */

/* arg of prepare_note: what the drafted event carries. */
typedef struct {
    int th, n;
    int ndrafts;       /* 0 means 1 */
    int fail;          /* prepare refuses with E_CONFLICT */
    int fail_silently; /* prepare returns -1 without filling e */
} note_t;

/* The tiny command of the brief: one "test.noted" event per draft. */
static int prepare_note(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    const note_t *a = c->arg;
    if (a && a->fail) return err_set(e, E_CONFLICT, "n", "refused on purpose");
    if (a && a->fail_silently) return -1;
    int nd = a && a->ndrafts ? a->ndrafts : 1;
    for (int d = 0; d < nd; d++) {
        json_t *body = a ? json_pack("{s:i, s:i, s:i}", "th", a->th, "n", a->n, "d", d)
                         : json_pack("{s:i}", "n", 0);
        if (cmd_draft(c, "test.noted", "T-1", json_pack("[s]", "all"), body, e)) return -1;
    }
    return 0;
}

/* Submits one note inline (or through the writer when it runs). */
static int note(truce_t *t, const principal_t *who, note_t *a, cmd_t *c)
{
    memset(c, 0, sizeof *c);
    c->who = who;
    c->prepare = prepare_note;
    c->arg = a;
    return log_submit(t, c);
}

static void notes(truce_t *t, int n)
{
    cmd_t *c = malloc(sizeof *c);
    assert_non_null(c);
    for (int i = 0; i < n; i++) {
        note_t a = {.n = i + 1};
        assert_int_equal(note(t, NULL, &a, c), 0);
    }
    free(c);
}

static void open_new(truce_t *t, char *dir)
{
    err_t e = {0};
    assert_non_null(unit_tmp_dir(dir, 600));
    if (truce_open(t, dir, 1, &e)) fail_msg("truce_open(%s): %s", dir, e.message);
}

static void reopen(truce_t *t, const char *dir)
{
    err_t e = {0};
    truce_close(t);
    if (truce_open(t, dir, 0, &e)) fail_msg("truce_open(%s) again: %s", dir, e.message);
}

static void read_pubkey(const char *dir, uint8_t pk[32])
{
    char path[700];
    snprintf(path, sizeof path, "%s/server.pub", dir);
    size_t n;
    char *hex = file_read(path, &n);
    assert_non_null(hex);
    assert_true(n >= 64);
    hex[64] = 0;
    unit_unhex(hex, pk, 32);
    free(hex);
}

static char *head_root(truce_t *t, uint64_t *size)
{
    json_t *h = log_head_json(t);
    assert_non_null(h);
    if (size) *size = (uint64_t)json_integer_value(json_object_get(h, "size"));
    char *r = strdup(json_string_value(json_object_get(h, "root")));
    json_decref(h);
    return r;
}

static int64_t clock_ms;
static int64_t test_clock(void)
{
    return clock_ms;
}

/* ---- opening ---- */

static void log_open_creates_store_and_key(void **state)
{
    (void)state;
    truce_t t;
    char dir[600], path[700];
    open_new(&t, dir);
    struct stat st;
    snprintf(path, sizeof path, "%s/server.key", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/truce.db", dir);
    assert_int_equal(stat(path, &st), 0);
    /* server.pub is the key the log signs with. */
    uint8_t pk[32];
    char hex[65], want[65];
    read_pubkey(dir, pk);
    unit_hex(pk, 32, want);
    log_pubkey_hex(&t, hex);
    assert_string_equal(hex, want);
    /* The secret key file holds the matching Ed25519 key. */
    snprintf(path, sizeof path, "%s/server.key", dir);
    char *skh = file_read(path, NULL);
    assert_non_null(skh);
    assert_true(strlen(skh) >= 128);
    skh[128] = 0;
    uint8_t sk[64], pk2[32];
    unit_unhex(skh, sk, 64);
    crypto_sign_ed25519_sk_to_pk(pk2, sk);
    assert_memory_equal(pk, pk2, 32);
    sodium_memzero(sk, sizeof sk);
    free(skh);
    /* An empty log: size 0, the root of the empty tree. */
    uint64_t size = 99;
    char *root = head_root(&t, &size);
    assert_int_equal(size, 0);
    assert_string_equal(root, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    free(root);
    assert_int_equal(log_durable(&t), 0);
    truce_close(&t);
    /* Reopening keeps the same key. */
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    log_pubkey_hex(&t, hex);
    assert_string_equal(hex, want);
    truce_close(&t);
}

static void log_open_missing_store_fails(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    err_t e = {0};
    assert_non_null(unit_tmp_dir(dir, sizeof dir));
    assert_int_equal(truce_open(&t, dir, 0, &e), -1);
    assert_int_not_equal(e.code, E_NONE);
    assert_true(e.message[0] != 0);
    truce_close(&t); /* safe after a failed open */
}

/* ---- sealing ---- */

static int prepare_canon(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    /* Keys given unsorted, nested, with an array whose order must stay. */
    json_t *body = json_pack("{s:i, s:{s:i, s:i}, s:[i,i,i], s:s, s:f}", "zeta", 1, "mid", "y", 1,
                             "x", 2, "alpha", 3, 1, 2, "text", "say \"hi\"\n", "half", 0.5);
    return cmd_draft(c, "test.noted", "T-1", json_pack("[s,s]", "org:CMCC", "all"), body, e);
}

static void log_canonical_bytes(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    int64_t (*saved)(void) = util_now_ms;
    clock_ms = 1764386398123LL;
    util_now_ms = test_clock;
    principal_t who;
    memset(&who, 0, sizeof who);
    strcpy(who.username, "alice");
    strcpy(who.org, "CMCC");
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->who = &who;
    c->prepare = prepare_canon;
    int rc = log_submit(&t, c);
    util_now_ms = saved;
    assert_int_equal(rc, 0);
    assert_int_equal(c->first_seq, 1);
    assert_int_equal(c->last_seq, 1);
    free(c);

    json_t *r = log_receipt(&t, 1, NULL);
    assert_non_null(r);
    const char *bytes = json_string_value(json_object_get(r, "event"));
    assert_non_null(bytes);
    assert_string_equal(
        bytes, "{\"actor\":\"alice\",\"body\":{\"alpha\":[3,1,2],\"half\":0.5,\"mid\":{\"x\":2,"
               "\"y\":1},\"text\":\"say \\\"hi\\\"\\n\",\"zeta\":1},\"kind\":\"test.noted\","
               "\"labels\":[\"org:CMCC\",\"all\"],\"org\":\"CMCC\",\"seq\":1,\"subject\":"
               "\"T-1\",\"time\":\"2025-11-29T03:19:58.123Z\",\"v\":1}");
    /* Sorted and compact: a JSON library's compact sorted dump is the same bytes. */
    json_t *j = json_loads(bytes, 0, NULL);
    assert_non_null(j);
    char *again = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(again, bytes);
    free(again);
    json_decref(j);
    /* The leaf hash is SHA-256(0x00 || bytes), computed here independently. */
    size_t n = strlen(bytes);
    uint8_t *in = malloc(n + 1);
    assert_non_null(in);
    in[0] = 0;
    memcpy(in + 1, bytes, n);
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256(h, in, n + 1);
    free(in);
    unit_hex(h, 32, hex);
    assert_string_equal(json_string_value(json_object_get(r, "leaf_hash")), hex);
    /* A one-event tree: its root is the leaf hash. */
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "head"), "root")),
                        hex);
    json_decref(r);

    /* The system actor. */
    cmd_t *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(note(&t, NULL, NULL, s), 0);
    free(s);
    r = log_receipt(&t, 2, NULL);
    assert_non_null(r);
    j = json_loads(json_string_value(json_object_get(r, "event")), 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "actor")), "system");
    assert_string_equal(json_string_value(json_object_get(j, "org")), "SYSTEM");
    assert_int_equal(json_integer_value(json_object_get(j, "seq")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "v")), 1);
    json_decref(j);
    json_decref(r);
    truce_close(&t);
}

static void log_seqs_and_times(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    int64_t (*saved)(void) = util_now_ms;
    util_now_ms = test_clock;
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    /* Three drafts in one command: consecutive seqs. */
    clock_ms = 1800000000000LL;
    note_t a = {.n = 1, .ndrafts = 3};
    assert_int_equal(note(&t, NULL, &a, c), 0);
    assert_int_equal(c->first_seq, 1);
    assert_int_equal(c->last_seq, 3);
    assert_int_equal(c->err.code, E_NONE);
    /* The clock goes back: event time never does. */
    clock_ms = 1700000000000LL;
    note_t b = {.n = 2};
    assert_int_equal(note(&t, NULL, &b, c), 0);
    assert_int_equal(c->first_seq, 4);
    /* A refused command consumes no seq and writes nothing. */
    note_t f = {.fail = 1};
    assert_int_equal(note(&t, NULL, &f, c), -1);
    assert_int_equal(c->err.code, E_CONFLICT);
    assert_string_equal(c->err.field, "n");
    assert_int_equal(log_durable(&t), 4);
    /* A prepare that fails without saying why still reports an error. */
    note_t g = {.fail_silently = 1};
    assert_int_equal(note(&t, NULL, &g, c), -1);
    assert_int_equal(c->err.code, E_INTERNAL);
    assert_int_equal(log_durable(&t), 4);
    clock_ms = 1800000000500LL;
    note_t d = {.n = 3};
    assert_int_equal(note(&t, NULL, &d, c), 0);
    assert_int_equal(c->first_seq, 5);
    util_now_ms = saved;
    free(c);

    static const char *const want[] = {NULL,
                                       "2027-01-15T08:00:00.000Z",
                                       "2027-01-15T08:00:00.000Z",
                                       "2027-01-15T08:00:00.000Z",
                                       "2027-01-15T08:00:00.000Z",
                                       "2027-01-15T08:00:00.500Z"};
    for (uint64_t seq = 1; seq <= 5; seq++) {
        json_t *r = log_receipt(&t, seq, NULL);
        assert_non_null(r);
        json_t *j = json_loads(json_string_value(json_object_get(r, "event")), 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "seq")), seq);
        assert_string_equal(json_string_value(json_object_get(j, "time")), want[seq]);
        json_decref(j);
        json_decref(r);
    }
    assert_null(log_receipt(&t, 0, NULL));
    assert_null(log_receipt(&t, 6, NULL));
    truce_close(&t);
}

static void log_submit_many_inline(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    log_stats_t before, after;
    log_stats(&t, &before);
    cmd_t *c = calloc(3, sizeof *c);
    assert_non_null(c);
    note_t a[3] = {{.n = 1}, {.fail = 1}, {.n = 3, .ndrafts = 2}};
    cmd_t *cs[3];
    for (int i = 0; i < 3; i++) {
        c[i].prepare = prepare_note;
        c[i].arg = &a[i];
        cs[i] = &c[i];
    }
    assert_int_equal(log_submit_many(&t, cs, 3), -1); /* one failed */
    assert_int_equal(c[0].err.code, E_NONE);
    assert_int_equal(c[1].err.code, E_CONFLICT);
    assert_int_equal(c[2].err.code, E_NONE);
    assert_int_equal(c[0].first_seq, 1);
    assert_int_equal(c[2].first_seq, 2);
    assert_int_equal(c[2].last_seq, 3);
    log_stats(&t, &after);
    assert_int_equal(after.batches - before.batches, 1); /* one transaction */
    assert_int_equal(after.events - before.events, 3);
    assert_int_equal(after.size, 3);
    assert_int_equal(log_durable(&t), 3);
    free(c);
    truce_close(&t);
}

/* ---- receipts ---- */

static json_t *receipt_copy_with(const json_t *r, const char *key, json_t *value)
{
    json_t *c = json_deep_copy(r);
    json_object_set_new(c, key, value);
    return c;
}

static void expect_bad(const json_t *r, const uint8_t pk[32], const char *what)
{
    buf_t why;
    buf_init(&why);
    if (log_verify_receipt(r, pk, &why) != -1) fail_msg("receipt with %s verified", what);
    assert_true(why.len > 0);
    buf_release(&why);
}

static void log_receipts_verify_with_public_key(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    notes(&t, 11);
    uint8_t pk[32], other_pk[32], other_sk[64];
    read_pubkey(dir, pk);
    crypto_sign_keypair(other_pk, other_sk);
    char pkhex[65];
    unit_hex(pk, 32, pkhex);
    for (uint64_t seq = 1; seq <= 11; seq++) {
        json_t *labels = NULL;
        json_t *r = log_receipt(&t, seq, &labels);
        assert_non_null(r);
        assert_non_null(labels);
        assert_true(json_is_array(labels));
        assert_string_equal(json_string_value(json_array_get(labels, 0)), "all");
        json_decref(labels);
        assert_int_equal(json_integer_value(json_object_get(r, "seq")), seq);
        assert_int_equal(json_integer_value(json_object_get(r, "leaf_index")), seq - 1);
        assert_string_equal(json_string_value(json_object_get(r, "key")), pkhex);
        json_t *head = json_object_get(r, "head");
        assert_int_equal(json_integer_value(json_object_get(head, "size")), 11);
        buf_t why;
        buf_init(&why);
        if (log_verify_receipt(r, pk, &why) != 0)
            fail_msg("seq %llu: %s", (unsigned long long)seq, why.data);
        assert_memory_equal(why.data, "OK", 2);
        buf_release(&why);

        /* Another key: the signature fails. */
        expect_bad(r, other_pk, "another key");

        /* The event changed by one byte. */
        const char *ev = json_string_value(json_object_get(r, "event"));
        char *bad = strdup(ev);
        char *p = strstr(bad, "\"n\":");
        assert_non_null(p);
        p[4] = p[4] == '9' ? '8' : (char)(p[4] + 1);
        json_t *c = receipt_copy_with(r, "event", json_string(bad));
        expect_bad(c, pk, "an altered event");
        json_decref(c);
        free(bad);

        /* Wrong index. */
        c = receipt_copy_with(r, "leaf_index", json_integer((json_int_t)seq % 11));
        expect_bad(c, pk, "a wrong leaf_index");
        json_decref(c);

        /* Each proof hash altered; the proof cut short or lengthened. */
        json_t *proof = json_object_get(r, "proof");
        for (size_t i = 0; i < json_array_size(proof); i++) {
            c = json_deep_copy(r);
            json_t *cp = json_object_get(c, "proof");
            char h[65];
            snprintf(h, sizeof h, "%s", json_string_value(json_array_get(cp, i)));
            h[10] = h[10] == '0' ? '1' : '0';
            json_array_set_new(cp, i, json_string(h));
            expect_bad(c, pk, "an altered proof hash");
            json_decref(c);
        }
        if (json_array_size(proof)) {
            c = json_deep_copy(r);
            json_array_remove(json_object_get(c, "proof"), 0);
            expect_bad(c, pk, "a shortened proof");
            json_decref(c);
        }
        c = json_deep_copy(r);
        json_array_append_new(json_object_get(c, "proof"), json_string(pkhex));
        expect_bad(c, pk, "a lengthened proof");
        json_decref(c);

        /* The signed head altered: size, root, time, signature. */
        static const char *const fields[] = {"size", "root", "timestamp", "signature"};
        for (int f = 0; f < 4; f++) {
            c = json_deep_copy(r);
            json_t *hd = json_object_get(c, "head");
            if (f == 0) {
                json_object_set_new(hd, "size", json_integer(12));
            } else if (f == 2) {
                json_object_set_new(hd, "timestamp", json_string("2020-01-01T00:00:00.000Z"));
            } else {
                char *s = strdup(json_string_value(json_object_get(hd, fields[f])));
                s[0] = s[0] == 'a' ? 'b' : 'a';
                json_object_set_new(hd, fields[f], json_string(s));
                free(s);
            }
            expect_bad(c, pk, fields[f]);
            json_decref(c);
        }
        /* Not a receipt at all. */
        c = json_deep_copy(r);
        json_object_del(c, "proof");
        expect_bad(c, pk, "no proof");
        json_decref(c);
        json_decref(r);
    }
    truce_close(&t);
}

static void log_head_message_layout(void **state)
{
    (void)state;
    hash_t root;
    for (int i = 0; i < 32; i++)
        root[i] = (uint8_t)(0xa0 + i);
    uint8_t m[LOG_HEAD_MSG];
    assert_int_equal(LOG_HEAD_MSG, 60);
    log_head_message(0x0102030405060708ULL, 0x1112131415161718LL, root, m);
    assert_memory_equal(m, "truce-sth-v1", 12);
    static const uint8_t size_be[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t time_be[8] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
    assert_memory_equal(m + 12, size_be, 8);
    assert_memory_equal(m + 20, time_be, 8);
    assert_memory_equal(m + 28, root, 32);

    /* The current head's signature covers exactly that message. */
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    notes(&t, 3);
    uint8_t pk[32], sig[64];
    read_pubkey(dir, pk);
    json_t *h = log_head_json(&t);
    int64_t ms;
    assert_int_equal(json_integer_value(json_object_get(h, "size")), 3);
    assert_int_equal(time_parse(json_string_value(json_object_get(h, "timestamp")), &ms), 0);
    unit_unhex(json_string_value(json_object_get(h, "root")), root, 32);
    unit_unhex(json_string_value(json_object_get(h, "signature")), sig, 64);
    log_head_message(3, ms, root, m);
    assert_int_equal(crypto_sign_verify_detached(sig, m, sizeof m, pk), 0);
    log_head_message(4, ms, root, m);
    assert_int_not_equal(crypto_sign_verify_detached(sig, m, sizeof m, pk), 0);
    json_decref(h);
    truce_close(&t);
}

/* ---- replay ---- */

/* Adds an organisation whose record carries an arbitrary JSON value "extra". */
static void add_org(truce_t *t, const char *id, json_t *extra)
{
    json_t *in =
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:o}", "id", id, "kind", "command", "name", "en",
                  "Test", "ar", "\xd8\xa7\xd8\xae\xd8\xaa\xd8\xa8\xd8\xa7\xd8\xb1", "extra", extra);
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->prepare = org_prepare_org;
    c->arg = in;
    int rc = log_submit(t, c);
    if (rc) fail_msg("org %s: %s", id, c->err.message);
    free(c);
    json_decref(in);
}

static void submit(truce_t *t, cmd_prepare_fn fn, json_t *in)
{
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->prepare = fn;
    c->arg = in;
    int rc = log_submit(t, c);
    if (rc) fail_msg("%s", c->err.message);
    free(c);
    json_decref(in);
}

static void log_replay_same_state(void **state)
{
    (void)state;
    truce_t t;
    char dir[600], empty[65], d1[65], d2[65];
    open_new(&t, dir);
    state_digest(&t, empty);
    /* State worth comparing: organisations with awkward values, positions,
     * persons and holders, interleaved with kinds state does not know. */
    add_org(&t, "CMCC",
            json_pack("{s:[f,f,f,f,f,f,f], s:s, s:{s:[{s:i,s:i}], s:n, s:b}, s:I}", "reals", 0.1,
                      1.0 / 3.0, 1e-7, -0.0, 1e300, 123456789.123456789, 2.5e-5, "text",
                      "quote \" backslash \\ newline \n tab \t \xc3\xa9 \xd8\xba\xd8\xb2\xd8\xa9 "
                      "\xe2\x80\xa8 \xf0\x9f\x98\x80 / \x7f",
                      "nested", "b", "z", 1, "a", 2, "a", "t", 1, "big",
                      (json_int_t)9007199254740993LL));
    notes(&t, 3);
    add_org(&t, "ISF", json_pack("{s:s}", "k", "v"));
    submit(&t, org_prepare_position,
           json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", "POS-CMD", "org", "CMCC", "title", "en",
                     "Commander", "ar", "\xd9\x82\xd8\xa7\xd8\xa6\xd8\xaf"));
    submit(&t, org_prepare_position,
           json_pack("{s:s, s:s, s:{s:s, s:s}, s:[s]}", "id", "POS-ISF", "org", "ISF", "title",
                     "en", "ISF commander", "ar", "x", "reports_to", "POS-CMD"));
    submit(&t, org_prepare_person, json_pack("{s:s}", "name", "A. Person"));
    submit(&t, org_prepare_holder,
           json_pack("{s:s, s:s}", "position", "POS-CMD", "person", "PER-001"));
    notes(&t, 2);
    state_digest(&t, d1);
    assert_string_not_equal(d1, empty);
    uint64_t size1, size2;
    char *r1 = head_root(&t, &size1);
    assert_int_equal(size1, 11);

    reopen(&t, dir);
    state_digest(&t, d2);
    assert_string_equal(d2, d1);
    char *r2 = head_root(&t, &size2);
    assert_int_equal(size2, size1);
    assert_string_equal(r2, r1);
    assert_int_equal(log_durable(&t), 11);
    assert_int_equal(t.applied_seq, 11);
    /* The state itself, not just its digest. */
    json_t *pos = org_positions_of(&t, "PER-001");
    assert_int_equal(json_array_size(pos), 1);
    assert_string_equal(json_string_value(json_array_get(pos, 0)), "POS-CMD");
    json_decref(pos);
    /* Receipts after the restart come from the store and still verify. */
    uint8_t pk[32];
    read_pubkey(dir, pk);
    for (uint64_t seq = 1; seq <= 11; seq++) {
        json_t *r = log_receipt(&t, seq, NULL);
        assert_non_null(r);
        buf_t why;
        buf_init(&why);
        if (log_verify_receipt(r, pk, &why))
            fail_msg("after reopen, seq %llu: %s", (unsigned long long)seq, why.data);
        buf_release(&why);
        json_decref(r);
    }
    /* Writing continues at the next seq. */
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    note_t a = {.n = 99};
    assert_int_equal(note(&t, NULL, &a, c), 0);
    assert_int_equal(c->first_seq, 12);
    free(c);
    /* A second restart still agrees. */
    state_digest(&t, d1);
    free(r1);
    r1 = head_root(&t, &size1);
    reopen(&t, dir);
    state_digest(&t, d2);
    assert_string_equal(d2, d1);
    free(r2);
    r2 = head_root(&t, &size2);
    assert_int_equal(size2, 12);
    assert_string_equal(r2, r1);
    free(r1);
    free(r2);
    truce_close(&t);
}

static void log_unknown_kinds_ignored_by_state(void **state)
{
    (void)state;
    truce_t t;
    char dir[600], d0[65], d1[65];
    open_new(&t, dir);
    add_org(&t, "CMCC", json_object());
    state_digest(&t, d0);
    uint64_t s0;
    char *r0 = head_root(&t, &s0);
    notes(&t, 5);
    state_digest(&t, d1);
    assert_string_equal(d1, d0); /* state did not change ... */
    uint64_t s1;
    char *r1 = head_root(&t, &s1);
    assert_int_equal(s1, s0 + 5); /* ... but the log kept them */
    assert_string_not_equal(r1, r0);
    free(r0);
    free(r1);
    reopen(&t, dir);
    state_digest(&t, d1);
    assert_string_equal(d1, d0);
    assert_int_equal(log_durable(&t), 6);
    truce_close(&t);
}

/* What the log seals, replay must read back: an event whose body holds
 * `extra` is either refused when submitted (nothing written) or survives a
 * restart with the same state. Fails naming what went wrong. */
static void sealed_is_replayable(json_t *extra, const char *what)
{
    truce_t t;
    char dir[600], d1[65], d2[65];
    open_new(&t, dir);
    json_t *in = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o}", "id", "CMCC", "kind", "command", "name",
                           "en", "Test", "ar", "x", "extra", extra);
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->prepare = org_prepare_org;
    c->arg = in;
    int submitted = log_submit(&t, c) == 0;
    free(c);
    json_decref(in);
    state_digest(&t, d1);
    truce_close(&t);
    err_t e = {0};
    int rc = truce_open(&t, dir, 0, &e);
    if (rc) {
        truce_close(&t);
        fail_msg("the log accepted %s (submit %s) and then cannot replay it: %s", what,
                 submitted ? "answered OK" : "refused", e.message);
    }
    state_digest(&t, d2);
    truce_close(&t);
    assert_string_equal(d2, d1);
}

/* A real too small for a normal double (1e-310 is subnormal) is valid JSON
 * that jansson reads and writes. */
static void log_replay_subnormal_real(void **state)
{
    (void)state;
    sealed_is_replayable(json_pack("{s:f, s:[f]}", "tiny", 1e-310, "tinier", 5e-324),
                         "a subnormal real (1e-310)");
}

/* Deep but valid JSON (jansson reads 2048 levels). */
static void log_replay_deep_body(void **state)
{
    (void)state;
    json_t *deep = json_integer(1);
    for (int i = 0; i < 70; i++)
        deep = json_pack("[o]", deep);
    sealed_is_replayable(deep, "a body nested 72 levels deep");
}

/* A draft whose body is not an object (or labels not an array) would be
 * sealed but refused by replay; the log must not write what it cannot read. */
static int prepare_array_body(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    return cmd_draft(c, "test.noted", "T-1", json_pack("[s]", "all"), json_pack("[i]", 1), e);
}

static void log_unreplayable_draft_refused(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    notes(&t, 1);
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->prepare = prepare_array_body;
    int rc = log_submit(&t, c);
    free(c);
    truce_close(&t);
    err_t e = {0};
    int open_rc = truce_open(&t, dir, 0, &e);
    truce_close(&t);
    if (rc == 0 && open_rc != 0)
        fail_msg("a draft with an array body was written (rc 0) and the folder no longer opens: %s",
                 e.message);
}

/* ---- verify ---- */

/* A closed data folder with 5 events, each written inline (one head each). */
static void five_events(char *dir)
{
    truce_t t;
    open_new(&t, dir);
    notes(&t, 5);
    truce_close(&t);
}

/* Runs one statement on DIR/truce.db; changes: rows it must touch (-1: any). */
static void sql_n(const char *dir, const char *stmt, const void *blob, int n, const void *blob2,
                  int n2, int changes)
{
    char path[700];
    snprintf(path, sizeof path, "%s/truce.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, stmt, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s", sqlite3_errmsg(db));
    if (blob) sqlite3_bind_blob(st, 1, blob, n, SQLITE_TRANSIENT);
    if (blob2) sqlite3_bind_blob(st, 2, blob2, n2, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    if (changes >= 0) assert_int_equal(sqlite3_changes(db), changes);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void sql(const char *dir, const char *stmt, const void *blob, int n, const void *blob2,
                int n2)
{
    sql_n(dir, stmt, blob, n, blob2, n2, 1);
}

static char *event_row(const char *dir, int seq, int *n)
{
    char path[700];
    snprintf(path, sizeof path, "%s/truce.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT bytes FROM events WHERE seq=?", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, seq);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *n = sqlite3_column_bytes(st, 0);
    char *b = malloc((size_t)*n + 1);
    assert_non_null(b);
    memcpy(b, sqlite3_column_blob(st, 0), (size_t)*n);
    b[*n] = 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return b;
}

/* The event's bytes with its body's "n" changed, as an attacker would. */
static char *forged(const char *dir, int seq, int *n)
{
    char *b = event_row(dir, seq, n);
    char *p = strstr(b, "\"n\":");
    assert_non_null(p);
    p[4] = p[4] == '9' ? '8' : (char)(p[4] + 1);
    return b;
}

static void log_verify_intact(void **state)
{
    (void)state;
    char dir[600];
    five_events(dir);
    buf_t s;
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 0);
    assert_non_null(strstr(s.data, "OK"));
    assert_non_null(strstr(s.data, "5 events"));
    buf_release(&s);
}

static void log_verify_altered_bytes(void **state)
{
    (void)state;
    char dir[600];
    five_events(dir);
    int n;
    char *b = forged(dir, 3, &n);
    sql(dir, "UPDATE events SET bytes=? WHERE seq=3", b, n, NULL, 0);
    free(b);
    buf_t s;
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 1);
    if (!strstr(s.data, "event 3")) fail_msg("summary does not name event 3: %s", s.data);
    assert_null(strstr(s.data, "OK"));
    buf_release(&s);
    /* Without any signed head to compare with, the recorded hash still tells. */
    five_events(dir);
    sql_n(dir, "DELETE FROM heads", NULL, 0, NULL, 0, -1);
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 0); /* intact, only unsigned */
    buf_release(&s);
    b = forged(dir, 3, &n);
    sql(dir, "UPDATE events SET bytes=? WHERE seq=3", b, n, NULL, 0);
    free(b);
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 1);
    if (!strstr(s.data, "event 3")) fail_msg("summary does not name event 3: %s", s.data);
    buf_release(&s);
}

static void log_verify_altered_bytes_and_hash(void **state)
{
    (void)state;
    /* A careful forger also rewrites the stored hash: the signed heads catch it. */
    char dir[600];
    five_events(dir);
    int n;
    char *b = forged(dir, 3, &n);
    hash_t h;
    merkle_leaf_hash(b, (size_t)n, h);
    sql(dir, "UPDATE events SET bytes=?, hash=? WHERE seq=3", b, n, h, 32);
    free(b);
    buf_t s;
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 1);
    if (!strstr(s.data, "event 3")) fail_msg("summary does not name event 3: %s", s.data);
    buf_release(&s);
}

static void log_verify_removed_event(void **state)
{
    (void)state;
    char dir[600];
    five_events(dir);
    sql(dir, "DELETE FROM events WHERE seq=5", NULL, 0, NULL, 0);
    buf_t s;
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 1);
    if (!strstr(s.data, "event 5")) fail_msg("summary does not name event 5: %s", s.data);
    buf_release(&s);
    /* A gap in the middle. */
    five_events(dir);
    sql(dir, "DELETE FROM events WHERE seq=2", NULL, 0, NULL, 0);
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 1);
    if (!strstr(s.data, "event 2")) fail_msg("summary does not name event 2: %s", s.data);
    buf_release(&s);
}

static void log_verify_wrong_key(void **state)
{
    (void)state;
    char dir[600], path[700];
    five_events(dir);
    uint8_t pk[32], sk[64];
    char hex[66];
    crypto_sign_keypair(pk, sk);
    unit_hex(pk, 32, hex);
    strcat(hex, "\n");
    snprintf(path, sizeof path, "%s/server.pub", dir);
    assert_int_equal(file_write(path, hex, strlen(hex), 0644), 0);
    buf_t s;
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 1);
    assert_non_null(strstr(s.data, "signature"));
    buf_release(&s);
}

/* ---- consistency ---- */

static void log_consistency_proofs(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    /* Roots of every size as the log grows. */
    char roots[21][65];
    for (int n = 1; n <= 20; n++) {
        notes(&t, 1);
        char *r = head_root(&t, NULL);
        snprintf(roots[n], sizeof roots[n], "%s", r);
        free(r);
    }
    for (uint64_t m = 1; m <= 20; m++) {
        for (uint64_t n = m; n <= 20; n++) {
            err_t e = {0};
            /* n = 0 asks for the current head; ask both ways for 20. */
            json_t *p = log_consistency(&t, m, n == 20 && m % 2 ? 0 : n, &e);
            assert_non_null(p);
            assert_int_equal(json_integer_value(json_object_get(p, "from")), m);
            assert_int_equal(json_integer_value(json_object_get(p, "to")), n);
            assert_string_equal(json_string_value(json_object_get(p, "from_root")), roots[m]);
            assert_string_equal(json_string_value(json_object_get(p, "to_root")), roots[n]);
            if (n == 20) assert_non_null(json_object_get(p, "head"));
            json_t *proof = json_object_get(p, "proof");
            hash_t path[MERKLE_MAX_PATH], r1, r2;
            size_t np = json_array_size(proof);
            assert_true(np < MERKLE_MAX_PATH);
            for (size_t i = 0; i < np; i++)
                unit_unhex(json_string_value(json_array_get(proof, i)), path[i], 32);
            unit_unhex(roots[m], r1, 32);
            unit_unhex(roots[n], r2, 32);
            assert_int_equal(merkle_verify_consistency(m, n, r1, r2, (const hash_t *)path, (int)np),
                             0);
            json_decref(p);
        }
    }
    err_t e = {0};
    assert_null(log_consistency(&t, 0, 0, &e));
    assert_int_equal(e.code, E_OUT_OF_RANGE);
    assert_string_equal(e.field, "from");
    memset(&e, 0, sizeof e);
    assert_null(log_consistency(&t, 21, 0, &e));
    assert_string_equal(e.field, "from");
    memset(&e, 0, sizeof e);
    assert_null(log_consistency(&t, 5, 21, &e));
    assert_string_equal(e.field, "to");
    memset(&e, 0, sizeof e);
    assert_null(log_consistency(&t, 6, 5, &e));
    assert_int_equal(e.code, E_OUT_OF_RANGE);
    truce_close(&t);
}

/* ---- the feed ---- */

typedef struct {
    uint64_t seqs[64];
    int n, bad;
} feed_t;

static void feed_fn(void *arg, uint64_t seq, const char *kind, const char *bytes,
                    const json_t *labels)
{
    feed_t *f = arg;
    if (f->n < 64) f->seqs[f->n] = seq;
    f->n++;
    char want[32];
    snprintf(want, sizeof want, "\"seq\":%llu,", (unsigned long long)seq);
    if (strcmp(kind, "test.noted") || !bytes || !strstr(bytes, want) || !json_is_array(labels))
        f->bad++;
}

static void log_feed_in_order(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    notes(&t, 5);
    feed_t f = {0};
    assert_int_equal(log_feed(&t, 2, 0, 10, feed_fn, &f), 5);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.bad, 0);
    assert_int_equal(f.seqs[0], 3);
    assert_int_equal(f.seqs[2], 5);
    memset(&f, 0, sizeof f);
    assert_int_equal(log_feed(&t, 0, 0, 2, feed_fn, &f), 2); /* at most max */
    assert_int_equal(f.n, 2);
    memset(&f, 0, sizeof f);
    assert_int_equal(log_feed(&t, 5, 0, 10, feed_fn, &f), 5); /* nothing new */
    assert_int_equal(f.n, 0);
    truce_close(&t);
}

static void log_feed_after_restart(void **state)
{
    (void)state;
    /* A stream resumed with Last-Event-ID, or GET /log/events?after=0, after a
     * restart: the events are on disk and must be fed, not crash the server.
     * Run in a child so that an abort() fails this test only. */
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    notes(&t, 5);
    reopen(&t, dir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        feed_t f = {0};
        uint64_t last = log_feed(&t, 0, 0, 10, feed_fn, &f);
        _exit(last == 5 && f.n == 5 && f.bad == 0 ? 0 : 3);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    truce_close(&t);
    if (WIFSIGNALED(status))
        fail_msg("log_feed(after=0) on a reopened log died with signal %d (the ring is empty after "
                 "replay and log_feed asserts r->seq == seq)",
                 WTERMSIG(status));
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0) fail_msg("log_feed after a restart did not feed events 1..5");
}

/* ---- group commit ---- */

#define THREADS 8
#define PER_THREAD 200

typedef struct {
    truce_t *t;
    int th;
    uint64_t seq[PER_THREAD];
    int errors;
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    cmd_t *c = malloc(sizeof *c);
    if (!c) {
        w->errors = PER_THREAD;
        return NULL;
    }
    for (int i = 0; i < PER_THREAD; i++) {
        note_t a = {.th = w->th, .n = i};
        memset(c, 0, sizeof *c);
        c->prepare = prepare_note;
        c->arg = &a;
        if (log_submit(w->t, c) || c->first_seq != c->last_seq || c->first_seq == 0) {
            w->errors++;
            continue;
        }
        w->seq[i] = c->first_seq;
        /* Answered means durable. */
        if (log_durable(w->t) < c->first_seq) w->errors++;
    }
    free(c);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void log_group_commit(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    notes(&t, 2); /* inline first: the writer continues from seq 3 */
    log_stats_t before;
    log_stats(&t, &before);
    assert_int_equal(log_start(&t), 0);
    worker_t *w = calloc(THREADS, sizeof *w);
    assert_non_null(w);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i].t = &t;
        w[i].th = i;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    log_stats_t st;
    log_stats(&t, &st);

    uint64_t *all = malloc(sizeof(uint64_t) * THREADS * PER_THREAD);
    assert_non_null(all);
    int k = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].errors, 0);
        for (int j = 0; j < PER_THREAD; j++)
            all[k++] = w[i].seq[j];
        /* One thread's commands are written in the order it sent them. */
        for (int j = 1; j < PER_THREAD; j++)
            assert_true(w[i].seq[j] > w[i].seq[j - 1]);
    }
    qsort(all, (size_t)k, sizeof *all, cmp_u64);
    for (int i = 0; i < k; i++)
        if (all[i] != (uint64_t)i + 3)
            fail_msg("seq %d is %llu, want %d (duplicate or gap)", i, (unsigned long long)all[i],
                     i + 3);
    assert_int_equal(log_durable(&t), 2 + THREADS * PER_THREAD);

    uint64_t events = st.events - before.events, batches = st.batches - before.batches;
    assert_int_equal(events, THREADS * PER_THREAD);
    if (!(batches < events))
        fail_msg("%llu batches for %llu events: no batch was shared", (unsigned long long)batches,
                 (unsigned long long)events);
    assert_int_equal(st.fsyncs - before.fsyncs, batches);
    uint64_t hist = 0, shared = 0;
    for (int b = 0; b < 8; b++) {
        hist += st.batch_hist[b] - before.batch_hist[b];
        if (b) shared += st.batch_hist[b] - before.batch_hist[b];
    }
    assert_int_equal(hist, batches);
    assert_true(shared > 0);
    print_message("group commit: %llu events in %llu batches\n", (unsigned long long)events,
                  (unsigned long long)batches);
    assert_int_equal(st.size, 2 + THREADS * PER_THREAD);

    /* Each seq holds the event its command drafted. */
    for (int i = 0; i < THREADS; i++)
        for (int j = 0; j < PER_THREAD; j += 7) {
            json_t *r = log_receipt(&t, w[i].seq[j], NULL);
            assert_non_null(r);
            json_t *ev = json_loads(json_string_value(json_object_get(r, "event")), 0, NULL);
            assert_non_null(ev);
            json_t *body = json_object_get(ev, "body");
            assert_int_equal(json_integer_value(json_object_get(body, "th")), i);
            assert_int_equal(json_integer_value(json_object_get(body, "n")), j);
            json_decref(ev);
            json_decref(r);
        }
    log_stop(&t);

    /* After the writer stops, submits run inline again. */
    cmd_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    note_t a = {.n = 1};
    assert_int_equal(note(&t, NULL, &a, c), 0);
    assert_int_equal(c->first_seq, 3 + THREADS * PER_THREAD);
    free(c);
    char d1[65], d2[65];
    uint64_t s1, s2;
    state_digest(&t, d1);
    char *r1 = head_root(&t, &s1);
    truce_close(&t);

    buf_t s;
    buf_init(&s);
    if (log_verify_dir(dir, &s)) fail_msg("verify after group commit: %s", s.data);
    buf_release(&s);
    err_t e = {0};
    assert_int_equal(truce_open(&t, dir, 0, &e), 0);
    state_digest(&t, d2);
    char *r2 = head_root(&t, &s2);
    assert_string_equal(d1, d2);
    assert_int_equal(s1, s2);
    assert_int_equal(s2, 3 + THREADS * PER_THREAD);
    assert_string_equal(r1, r2);
    free(r1);
    free(r2);
    free(all);
    free(w);
    truce_close(&t);
}

/* The writer wakes a batch's submitters through a tree (each woken one wakes
 * two more): batches larger than its stack array, several commands of one
 * submitter in one batch, and refused commands among them all come back. */
#define MANY_THREADS 4
#define MANY_CMDS 300

typedef struct {
    truce_t *t;
    int th, errors;
    uint64_t last;
} many_t;

static void *many_worker(void *arg)
{
    many_t *m = arg;
    cmd_t *c = calloc(MANY_CMDS, sizeof *c);
    cmd_t **p = calloc(MANY_CMDS, sizeof *p);
    note_t *a = calloc(MANY_CMDS, sizeof *a);
    if (!c || !p || !a) {
        m->errors = MANY_CMDS;
        goto out;
    }
    for (int i = 0; i < MANY_CMDS; i++) {
        a[i] = (note_t){.th = m->th, .n = i, .fail = i % 50 == 7};
        c[i].prepare = prepare_note;
        c[i].arg = &a[i];
        p[i] = &c[i];
    }
    log_submit_many(m->t, p, MANY_CMDS); /* -1: the refused ones */
    for (int i = 0; i < MANY_CMDS; i++) {
        int refused = i % 50 == 7;
        if (refused != (c[i].err.code == E_CONFLICT)) m->errors++;
        if (!refused && (c[i].first_seq == 0 || log_durable(m->t) < c[i].first_seq)) m->errors++;
        if (!refused && c[i].first_seq > m->last) m->last = c[i].first_seq;
    }
out:
    free(c);
    free(p);
    free(a);
    return NULL;
}

static void log_wakes_large_batches(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    assert_int_equal(log_start(&t), 0);
    for (int round = 0; round < 3; round++) {
        many_t m[MANY_THREADS];
        pthread_t th[MANY_THREADS];
        for (int i = 0; i < MANY_THREADS; i++) {
            m[i] = (many_t){.t = &t, .th = i};
            assert_int_equal(pthread_create(&th[i], NULL, many_worker, &m[i]), 0);
        }
        for (int i = 0; i < MANY_THREADS; i++) {
            pthread_join(th[i], NULL);
            assert_int_equal(m[i].errors, 0);
        }
    }
    assert_int_equal(log_durable(&t), 3 * MANY_THREADS * (MANY_CMDS - MANY_CMDS / 50));
    truce_close(&t);
}

static void log_writer_reports_refusals(void **state)
{
    (void)state;
    truce_t t;
    char dir[600];
    open_new(&t, dir);
    assert_int_equal(log_start(&t), 0);
    cmd_t *c = calloc(3, sizeof *c);
    assert_non_null(c);
    note_t a[3] = {{.n = 1}, {.fail = 1}, {.n = 3}};
    cmd_t *cs[3];
    for (int i = 0; i < 3; i++) {
        c[i].prepare = prepare_note;
        c[i].arg = &a[i];
        cs[i] = &c[i];
    }
    assert_int_equal(log_submit_many(&t, cs, 3), -1);
    assert_int_equal(c[0].err.code, E_NONE);
    assert_int_equal(c[1].err.code, E_CONFLICT);
    assert_int_equal(c[2].err.code, E_NONE);
    assert_int_equal(c[0].first_seq, 1);
    assert_int_equal(c[2].first_seq, 2);
    assert_int_equal(log_durable(&t), 2);
    log_wait_durable(&t, 2); /* returns at once */
    log_stop(&t);
    free(c);
    truce_close(&t);
    buf_t s;
    buf_init(&s);
    assert_int_equal(log_verify_dir(dir, &s), 0);
    assert_non_null(strstr(s.data, "2 events"));
    buf_release(&s);
}

/* ---- parsing ---- */

static void log_parse_event_checks_shape(void **state)
{
    (void)state;
    static const char good[] =
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"time\":\"2026-01-31T12:00:00.000Z\",\"v\":1}";
    event_t ev;
    json_t *root = NULL;
    assert_int_equal(log_parse_event(good, strlen(good), &ev, &root), 0);
    assert_int_equal(ev.seq, 7);
    assert_string_equal(ev.kind, "k");
    assert_string_equal(ev.actor, "a");
    assert_int_equal(ev.time, 1769860800000LL);
    assert_ptr_equal(ev.bytes, good);
    json_decref(root);
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\",\"seq\":0,"
        "\"subject\":\"S\",\"time\":\"2026-01-31T12:00:00.000Z\",\"v\":1}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\",\"seq\":7,"
        "\"subject\":\"S\",\"time\":\"2026-02-30T12:00:00.000Z\",\"v\":1}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\",\"seq\":\"7\","
        "\"subject\":\"S\",\"time\":\"2026-01-31T12:00:00.000Z\",\"v\":1}",
        "{\"actor\":\"a\",\"kind\":\"k\",\"labels\":[],\"org\":\"O\",\"seq\":7,"
        "\"subject\":\"S\",\"time\":\"2026-01-31T12:00:00.000Z\",\"v\":1}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\",\"seq\":7,"
        "\"subject\":\"S\",\"time\":\"2026-01-31T12:00:00.000Z\",\"v\":1} trailing",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        root = NULL;
        if (log_parse_event(bad[i], strlen(bad[i]), &ev, &root) != -1)
            fail_msg("accepted %s", bad[i]);
    }
}

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    return unit_tmp_root("log");
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(log_open_creates_store_and_key),
        cmocka_unit_test(log_open_missing_store_fails),
        cmocka_unit_test(log_canonical_bytes),
        cmocka_unit_test(log_seqs_and_times),
        cmocka_unit_test(log_submit_many_inline),
        cmocka_unit_test(log_receipts_verify_with_public_key),
        cmocka_unit_test(log_head_message_layout),
        cmocka_unit_test(log_replay_same_state),
        cmocka_unit_test(log_unknown_kinds_ignored_by_state),
        cmocka_unit_test(log_replay_subnormal_real),
        cmocka_unit_test(log_replay_deep_body),
        cmocka_unit_test(log_unreplayable_draft_refused),
        cmocka_unit_test(log_verify_intact),
        cmocka_unit_test(log_verify_altered_bytes),
        cmocka_unit_test(log_verify_altered_bytes_and_hash),
        cmocka_unit_test(log_verify_removed_event),
        cmocka_unit_test(log_verify_wrong_key),
        cmocka_unit_test(log_consistency_proofs),
        cmocka_unit_test(log_feed_in_order),
        cmocka_unit_test(log_feed_after_restart),
        cmocka_unit_test(log_group_commit),
        cmocka_unit_test(log_writer_reports_refusals),
        cmocka_unit_test(log_parse_event_checks_shape),
        cmocka_unit_test(log_wakes_large_batches),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
