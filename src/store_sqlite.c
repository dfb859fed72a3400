/* store_sqlite.c — the SQLite store; see store.h for the schema and contract. */
#include "store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store {
    char *path;
    sqlite3 *w;            /* writer connection */
    sqlite3 *r;            /* side connection, guarded by mu */
    pthread_mutex_t mu;
    sqlite3_stmt *ins_ev, *ins_head, *ins_cred;
    sqlite3_stmt *begin, *commit; /* prepared once: every batch runs them */
    sqlite3_stmt *get_ev; /* on the side connection, under mu */
};

static const char *schema =
    "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, bytes BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS heads(size INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
    " root BLOB NOT NULL, sig BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS credentials(username TEXT PRIMARY KEY, hash TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sessions(token_hash BLOB PRIMARY KEY, username TEXT NOT NULL,"
    " expires INTEGER NOT NULL);";

static int open_conn(const char *path, int flags, sqlite3 **db, err_t *e)
{
    if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        err_set(e, E_INTERNAL, NULL, "cannot open %s: %s", path, sqlite3_errmsg(*db));
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, 10000);
    /* Reads map the file instead of copying pages (a quarter of replay time
     * went to pread copies, measured at a million events). */
    sqlite3_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA mmap_size=4294967296;",
                 NULL, NULL, NULL);
    return 0;
}

int store_open(const char *dir, int create, store_t **out, err_t *e)
{
    store_t *s = calloc(1, sizeof *s);
    if (!s) return err_set(e, E_INTERNAL, NULL, "out of memory");
    buf_t p;
    buf_init(&p);
    buf_addf(&p, "%s/truce.db", dir);
    s->path = buf_detach(&p, NULL);
    pthread_mutex_init(&s->mu, NULL);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (open_conn(s->path, flags, &s->w, e)) goto fail;
    char *msg = NULL;
    if (sqlite3_exec(s->w, schema, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(e, E_INTERNAL, NULL, "schema: %s", msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    if (open_conn(s->path, SQLITE_OPEN_READWRITE, &s->r, e)) goto fail;
    if (sqlite3_prepare_v2(s->w, "INSERT INTO events(seq,bytes,hash) VALUES(?,?,?)", -1,
                           &s->ins_ev, NULL) ||
        sqlite3_prepare_v2(s->w, "INSERT OR REPLACE INTO heads(size,time,root,sig) VALUES(?,?,?,?)",
                           -1, &s->ins_head, NULL) ||
        sqlite3_prepare_v2(s->w, "INSERT OR REPLACE INTO credentials(username,hash) VALUES(?,?)",
                           -1, &s->ins_cred, NULL) ||
        sqlite3_prepare_v2(s->w, "BEGIN IMMEDIATE", -1, &s->begin, NULL) ||
        sqlite3_prepare_v2(s->w, "COMMIT", -1, &s->commit, NULL)) {
        err_set(e, E_INTERNAL, NULL, "prepare: %s", sqlite3_errmsg(s->w));
        goto fail;
    }
    if (sqlite3_prepare_v2(s->r, "SELECT bytes FROM events WHERE seq=?", -1, &s->get_ev, NULL)) {
        err_set(e, E_INTERNAL, NULL, "prepare: %s", sqlite3_errmsg(s->r));
        goto fail;
    }
    *out = s;
    return 0;
fail:
    store_close(s);
    return -1;
}

void store_close(store_t *s)
{
    if (!s) return;
    sqlite3_finalize(s->ins_ev);
    sqlite3_finalize(s->ins_head);
    sqlite3_finalize(s->ins_cred);
    sqlite3_finalize(s->begin);
    sqlite3_finalize(s->commit);
    sqlite3_finalize(s->get_ev);
    sqlite3_close(s->r);
    sqlite3_close(s->w);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

const char *store_path(store_t *s)
{
    return s->path;
}

static int step_reset(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_append(store_t *s, const store_event_t *ev, size_t n, const store_cred_t *cred,
                 size_t ncred, const store_head_t *head)
{
    if (step_reset(s->begin)) return -1;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(s->ins_ev, 1, (sqlite3_int64)ev[i].seq);
        sqlite3_bind_blob(s->ins_ev, 2, ev[i].bytes, (int)ev[i].len, SQLITE_STATIC);
        sqlite3_bind_blob(s->ins_ev, 3, ev[i].hash, MERKLE_HASH, SQLITE_STATIC);
        if (step_reset(s->ins_ev)) goto rollback;
    }
    for (size_t i = 0; i < ncred; i++) {
        sqlite3_bind_text(s->ins_cred, 1, cred[i].username, -1, SQLITE_STATIC);
        sqlite3_bind_text(s->ins_cred, 2, cred[i].hash, -1, SQLITE_STATIC);
        if (step_reset(s->ins_cred)) goto rollback;
    }
    if (head) {
        sqlite3_bind_int64(s->ins_head, 1, (sqlite3_int64)head->size);
        sqlite3_bind_int64(s->ins_head, 2, head->time);
        sqlite3_bind_blob(s->ins_head, 3, head->root, MERKLE_HASH, SQLITE_STATIC);
        sqlite3_bind_blob(s->ins_head, 4, head->sig, 64, SQLITE_STATIC);
        if (step_reset(s->ins_head)) goto rollback;
    }
    if (step_reset(s->commit) == 0) return 0;
rollback:
    sqlite3_exec(s->w, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_scan(store_t *s, int writer, uint64_t from, int (*fn)(void *, const store_event_t *),
               void *arg)
{
    sqlite3 *db = writer ? s->w : s->r;
    if (!writer) pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT seq,bytes,hash FROM events WHERE seq>=? ORDER BY seq", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
        int r;
        rc = 0;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            store_event_t ev = {.seq = (uint64_t)sqlite3_column_int64(st, 0)};
            ev.bytes = sqlite3_column_blob(st, 1);
            ev.len = (size_t)sqlite3_column_bytes(st, 1);
            const void *h = sqlite3_column_blob(st, 2);
            if (h && sqlite3_column_bytes(st, 2) == MERKLE_HASH) memcpy(ev.hash, h, MERKLE_HASH);
            else memset(ev.hash, 0, MERKLE_HASH);
            if (!ev.bytes) ev.bytes = "";
            if (fn(arg, &ev)) {
                rc = 1;
                break;
            }
        }
        if (r != SQLITE_ROW && r != SQLITE_DONE) rc = -1;
        sqlite3_finalize(st);
    }
    if (!writer) pthread_mutex_unlock(&s->mu);
    return rc;
}

uint64_t store_count(store_t *s)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    uint64_t n = 0;
    if (sqlite3_prepare_v2(s->r, "SELECT COALESCE(MAX(seq),0) FROM events", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

int store_heads(store_t *s, int (*fn)(void *, const store_head_t *), void *arg)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(s->r, "SELECT size,time,root,sig FROM heads ORDER BY size", -1, &st,
                           NULL) == SQLITE_OK) {
        rc = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            store_head_t h = {.size = (uint64_t)sqlite3_column_int64(st, 0),
                              .time = sqlite3_column_int64(st, 1)};
            memset(h.root, 0, sizeof h.root);
            memset(h.sig, 0, sizeof h.sig);
            if (sqlite3_column_bytes(st, 2) == MERKLE_HASH)
                memcpy(h.root, sqlite3_column_blob(st, 2), MERKLE_HASH);
            if (sqlite3_column_bytes(st, 3) == 64) memcpy(h.sig, sqlite3_column_blob(st, 3), 64);
            if (fn(arg, &h)) {
                rc = 1;
                break;
            }
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_cred_get(store_t *s, const char *username, char *out, size_t cap)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(s->r, "SELECT hash FROM credentials WHERE username=?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
            rc = 0;
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int side_exec(store_t *s, const char *sql, const hash_t th, const char *user,
                     int64_t expires)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(s->r, sql, -1, &st, NULL) == SQLITE_OK) {
        int i = 1;
        if (th) sqlite3_bind_blob(st, i++, th, MERKLE_HASH, SQLITE_STATIC);
        if (user) sqlite3_bind_text(st, i++, user, -1, SQLITE_STATIC);
        if (expires) sqlite3_bind_int64(st, i++, expires);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_session_put(store_t *s, const hash_t th, const char *username, int64_t expires)
{
    return side_exec(s, "INSERT OR REPLACE INTO sessions(token_hash,username,expires) VALUES(?,?,?)",
                     th, username, expires);
}

int store_session_del(store_t *s, const hash_t th)
{
    return side_exec(s, "DELETE FROM sessions WHERE token_hash=?", th, NULL, 0);
}

int store_session_del_user(store_t *s, const char *username)
{
    return side_exec(s, "DELETE FROM sessions WHERE username=?", NULL, username, 0);
}

int store_session_get(store_t *s, const hash_t th, char *username, size_t cap, int64_t *expires)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(s->r, "SELECT username,expires FROM sessions WHERE token_hash=?", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, th, MERKLE_HASH, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(username, cap, "%s", (const char *)sqlite3_column_text(st, 0));
            *expires = sqlite3_column_int64(st, 1);
            rc = 0;
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

char *store_get(store_t *s, uint64_t seq, size_t *len)
{
    char *out = NULL;
    pthread_mutex_lock(&s->mu);
    sqlite3_bind_int64(s->get_ev, 1, (sqlite3_int64)seq);
    if (sqlite3_step(s->get_ev) == SQLITE_ROW) {
        int n = sqlite3_column_bytes(s->get_ev, 0);
        const void *b = sqlite3_column_blob(s->get_ev, 0);
        if ((out = malloc((size_t)n + 1))) {
            if (n) memcpy(out, b, (size_t)n);
            out[n] = 0;
            *len = (size_t)n;
        }
    }
    sqlite3_reset(s->get_ev);
    pthread_mutex_unlock(&s->mu);
    return out;
}

int store_head_at(store_t *s, uint64_t size, store_head_t *out)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(s->r, "SELECT time,root,sig FROM heads WHERE size=?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == MERKLE_HASH &&
            sqlite3_column_bytes(st, 2) == 64) {
            out->size = size;
            out->time = sqlite3_column_int64(st, 0);
            memcpy(out->root, sqlite3_column_blob(st, 1), MERKLE_HASH);
            memcpy(out->sig, sqlite3_column_blob(st, 2), 64);
            rc = 0;
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}
