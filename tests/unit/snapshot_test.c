/*
 * snapshot_test.c — the snapshot is a cache that must never change what the
 * state is: a restart from it, from a stale one plus the tail, or from a
 * damaged one (full replay) gives the same state digest and the same tree.
 */
#include "unit.h"

#include "journal.h"
#include "log.h"
#include "org.h"
#include "snapshot.h"
#include "truce.h"

static int prepare_journal(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    int n = *(int *)c->arg;
    char id[32], text[64];
    snprintf(id, sizeof id, "JRN-%d", n);
    snprintf(text, sizeof text, "entry %d \xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a", n);
    snprintf(c->result_id, sizeof c->result_id, "%s", id);
    json_t *labels = n % 2 ? json_pack("[s]", "org:CMCC") : json_pack("[s,s]", "org:CMCC", "all");
    return cmd_draft(c, "journal.added", id, json_incref(labels),
                     json_pack("{s:s, s:s, s:o, s:s?}", "text", text, "at", "2026-11-29T10:00:00.000Z",
                               "labels", labels, "sector", n % 3 ? "SEC-A" : NULL),
                     e);
}

static void add_entries(truce_t *t, int from, int to)
{
    for (int i = from; i <= to; i++) {
        cmd_t c = {.prepare = prepare_journal, .arg = &i};
        assert_int_equal(log_submit(t, &c), 0);
    }
}

static void open_dir(truce_t *t, const char *dir, int create)
{
    err_t e = {0};
    if (truce_open(t, dir, create, &e)) fail_msg("truce_open: %s", e.message);
}

static void digest_and_root(truce_t *t, char d[65], char root[200])
{
    state_digest(t, d);
    json_t *h = log_head_json(t);
    snprintf(root, 200, "%s/%lld", json_string_value(json_object_get(h, "root")),
             (long long)json_integer_value(json_object_get(h, "size")));
    json_decref(h);
}

/* Opens dir and checks that the state digest and the tree are d and root.
 * Leaves t open. */
static void open_same(truce_t *t, const char *dir, const char *d, const char *root)
{
    char d2[65], r2[200];
    open_dir(t, dir, 0);
    digest_and_root(t, d2, r2);
    assert_string_equal(d, d2);
    assert_string_equal(root, r2);
}

static void reopen_same(truce_t *t, const char *dir, const char *d, const char *root)
{
    truce_close(t);
    open_same(t, dir, d, root);
}

static void snapshot_restart_keeps_state(void **state)
{
    (void)state;
    char dir[600], path[700], d1[65], r1[200];
    assert_non_null(unit_tmp_dir(dir, sizeof dir));
    truce_t t;
    open_dir(&t, dir, 1);
    add_entries(&t, 1, 300);
    digest_and_root(&t, d1, r1);
    reopen_same(&t, dir, d1, r1);
    snprintf(path, sizeof path, "%s/snapshot", dir);
    assert_int_equal(access(path, R_OK), 0); /* written at the close */
    assert_int_equal(t.applied_seq, 300);
    /* A stale snapshot plus the tail (as after kill -9): keep the snapshot of
     * 300 events, add 50 more, put the old snapshot back. */
    size_t n;
    char *old = file_read(path, &n);
    assert_non_null(old);
    add_entries(&t, 301, 350);
    digest_and_root(&t, d1, r1);
    truce_close(&t);
    assert_int_equal(file_write(path, old, n, 0600), 0);
    free(old);
    open_same(&t, dir, d1, r1);
    assert_int_equal(t.applied_seq, 350);
    truce_close(&t);
}

static void snapshot_damaged_means_full_replay(void **state)
{
    (void)state;
    char dir[600], path[700], d1[65], r1[200];
    assert_non_null(unit_tmp_dir(dir, sizeof dir));
    truce_t t;
    open_dir(&t, dir, 1);
    add_entries(&t, 1, 120);
    digest_and_root(&t, d1, r1);
    truce_close(&t);
    snprintf(path, sizeof path, "%s/snapshot", dir);
    size_t n;
    char *data = file_read(path, &n);
    assert_non_null(data);
    data[n / 2] ^= 1; /* one bit: the MAC fails */
    assert_int_equal(file_write(path, data, n, 0600), 0);
    free(data);
    open_same(&t, dir, d1, r1);   /* full replay */
    reopen_same(&t, dir, d1, r1); /* from the snapshot that replay's close wrote */
    truce_close(&t);
}

static void snapshot_of_another_log_is_refused(void **state)
{
    (void)state;
    char a[600], b[600], pa[700], pb[700], d1[65], r1[200];
    assert_non_null(unit_tmp_dir(a, sizeof a));
    assert_non_null(unit_tmp_dir(b, sizeof b));
    truce_t t;
    open_dir(&t, a, 1);
    add_entries(&t, 1, 40);
    truce_close(&t);
    open_dir(&t, b, 1);
    add_entries(&t, 1, 40);
    add_entries(&t, 41, 41);
    digest_and_root(&t, d1, r1);
    truce_close(&t);
    /* Each folder has its own key, so a's snapshot fails b's MAC. */
    snprintf(pa, sizeof pa, "%s/snapshot", a);
    snprintf(pb, sizeof pb, "%s/snapshot", b);
    size_t n;
    char *data = file_read(pa, &n);
    assert_non_null(data);
    assert_int_equal(file_write(pb, data, n, 0600), 0);
    free(data);
    open_same(&t, b, d1, r1);
    truce_close(&t);
}

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 || unit_tmp_root("snapshot") ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snapshot_restart_keeps_state),
        cmocka_unit_test(snapshot_damaged_means_full_replay),
        cmocka_unit_test(snapshot_of_another_log_is_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
