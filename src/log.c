/*
 * log.c — see log.h. The writer thread is the only code that seals events,
 * appends to the tree and writes the store (DESIGN.md: one writer). Commands
 * queue on log->mu; the writer takes everything queued as one batch, so
 * concurrent requests share one transaction and one fsync (group commit).
 *
 * A failed commit is fatal: state already holds the batch, and an fsync that
 * failed cannot be retried safely (PostgreSQL's "fsyncgate"). The process
 * aborts; on restart the state is rebuilt from what is on disk, and no request
 * of that batch was answered.
 */
#include "log.h"
#include "jsonfast.h"
#include "snapshot.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define RING 8192
/* Canonical bytes: compact, sorted keys, reals with 15 significant digits
 * (buf_add_json_canon). */
#define HEAD_STORE_MS 1000

typedef struct {
    uint64_t seq;
    char kind[48];
    char *bytes;
    size_t len;
    hash_t hash;    /* the leaf hash, so a receipt need not hash the bytes again */
    json_t *labels;
} ring_t;

struct log {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    merkle_t tree;
    pthread_rwlock_t tree_lock; /* tree and head */
    store_head_t head;          /* the published signed head: every event it covers is durable */
    char head_text[400];        /* its receipt tail: "head":{...},"key":"..."} (head_receipt_text) */
    int64_t last_time;
    uint64_t next_seq;

    pthread_mutex_t mu; /* queue, durable, ring, stats */
    pthread_cond_t cv_work, cv_done, cv_feed;
    cmd_t *qhead, *qtail;
    int stopping, running;
    int durable_waiters;
    cmd_t *to_wake;       /* a durable batch whose submitters are not yet woken */
    uint64_t snapshot_seq; /* what DIR/snapshot holds (0: none) */
    uint64_t ring_first; /* first seq this process put in the ring */
    pthread_t writer;
    uint64_t durable;
    void (*durable_hook)(truce_t *t); /* called by the writer after each durable batch */
    ring_t ring[RING];
    int64_t head_stored_time;
    uint64_t head_stored_size;
    log_stats_t stats;
    /* The writer's scratch, kept from batch to batch (grown, never shrunk):
     * fresh arrays each batch were large allocations that made malloc
     * consolidate its free lists every time. */
    buf_t seal_buf;
    struct sealed *sealed;
    store_event_t *se;
    void **old; /* what the ring lets go of: bytes, then labels */
    size_t scratch_cap;
};

/* Whatever is sealed must replay: the replay parser nests to 64 levels. */
#define DRAFT_MAX_DEPTH 32

/* 1 when v nests deeper than `left` levels; never descends further. */
static int too_deep(const json_t *v, int left)
{
    size_t i;
    const char *k;
    json_t *x;
    if (!json_is_object(v) && !json_is_array(v)) return 0;
    if (left == 0) return 1;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) if (too_deep(x, left - 1)) return 1;
    } else {
        json_array_foreach(v, i, x) if (too_deep(x, left - 1)) return 1;
    }
    return 0;
}

static int labels_ok(const json_t *l)
{
    size_t i;
    json_t *x;
    if (!json_is_array(l)) return 0;
    json_array_foreach(l, i, x) if (!json_is_string(x)) return 0;
    return 1;
}

int cmd_draft(cmd_t *c, const char *kind, const char *subject, json_t *labels, json_t *body,
              err_t *e)
{
    const char *why = c->ndrafts >= CMD_MAX_DRAFTS ? "too many events in one command"
                      : !json_is_object(body) ? "an event body must be an object"
                      : !labels_ok(labels) ? "event labels must be an array of strings"
                      : too_deep(body, DRAFT_MAX_DEPTH) ? "an event body is nested too deeply"
                      : NULL;
    if (why) {
        json_decref(labels);
        json_decref(body);
        return err_set(e, E_INTERNAL, NULL, "%s", why);
    }
    if (c->ndrafts == c->cap_drafts) {
        int cap = c->cap_drafts ? c->cap_drafts * 2 : 4;
        draft_t *p = realloc(c->drafts, (size_t)cap * sizeof *p);
        if (!p) {
            json_decref(labels);
            json_decref(body);
            return err_set(e, E_INTERNAL, NULL, "out of memory");
        }
        c->drafts = p;
        c->cap_drafts = cap;
    }
    draft_t *d = &c->drafts[c->ndrafts++];
    str_copy(d->kind, sizeof d->kind, kind);
    str_copy(d->subject, sizeof d->subject, subject);
    d->labels = labels;
    d->body = body;
    d->as_system = 0;
    return 0;
}

int cmd_draft_system(cmd_t *c, const char *kind, const char *subject, json_t *labels, json_t *body,
                     err_t *e)
{
    if (cmd_draft(c, kind, subject, labels, body, e)) return -1;
    c->drafts[c->ndrafts - 1].as_system = 1;
    return 0;
}

static void drafts_free(cmd_t *c)
{
    for (int i = 0; i < c->ndrafts; i++) {
        json_decref(c->drafts[i].labels);
        json_decref(c->drafts[i].body);
    }
    free(c->drafts);
    c->drafts = NULL;
    c->ndrafts = c->cap_drafts = 0;
}

void log_head_message(uint64_t size, int64_t time_ms, const hash_t root, uint8_t out[LOG_HEAD_MSG])
{
    memcpy(out, "truce-sth-v1", 12);
    for (int i = 0; i < 8; i++) out[12 + i] = (uint8_t)(size >> (56 - 8 * i));
    for (int i = 0; i < 8; i++) out[20 + i] = (uint8_t)((uint64_t)time_ms >> (56 - 8 * i));
    memcpy(out + 28, root, MERKLE_HASH);
}

/* The tail every receipt against head h ends with, written once a head
 * rather than once a receipt. */
static void head_receipt_text(log_t *l, const store_head_t *h, char out[400])
{
    char root[65], sig[129], key[65], ts[32];
    hex_encode(h->root, MERKLE_HASH, root);
    hex_encode(h->sig, 64, sig);
    hex_encode(l->pk, 32, key);
    time_format(h->time, ts);
    snprintf(out, 400,
             "\"head\":{\"size\":%llu,\"root\":\"%s\",\"timestamp\":\"%s\",\"signature\":\"%s\"},"
             "\"key\":\"%s\"}",
             (unsigned long long)h->size, root, ts, sig, key);
}

/* Publishes h as the current head (tree_lock held for writing). */
static void publish_head(log_t *l, const store_head_t *h)
{
    l->head = *h;
    head_receipt_text(l, h, l->head_text);
}

/* Signs a head over the whole tree into h (once per batch, never per event).
 * Only the writer changes the tree, so it may read it without tree_lock. */
static void sign_head(log_t *l, int64_t now, store_head_t *h)
{
    h->size = l->tree.size;
    h->time = now;
    merkle_root(&l->tree, h->size, h->root);
    uint8_t msg[LOG_HEAD_MSG];
    log_head_message(h->size, h->time, h->root, msg);
    crypto_sign_detached(h->sig, NULL, msg, sizeof msg, l->sk);
}

int log_parse_event(const char *bytes, size_t len, event_t *ev, json_t **root)
{
    jsonfast_event_t fe;
    json_t *holder = jsonfast_parse_event(bytes, len, &fe);
    memset(ev, 0, sizeof *ev);
    if (!holder) return -1;
    if (fe.seq < 1 || time_parse(fe.time, &ev->time)) {
        json_decref(holder);
        return -1;
    }
    ev->seq = (uint64_t)fe.seq;
    ev->actor = fe.actor;
    ev->org = fe.org;
    ev->kind = fe.kind;
    ev->subject = fe.subject;
    ev->body = fe.body;
    ev->labels = fe.labels;
    ev->bytes = bytes;
    ev->len = len;
    *root = holder;
    return 0;
}

/* Rounds every real in v to what its canonical form (15 significant digits)
 * reads back as, so that state applied from the draft and state replayed from
 * the bytes hold the same bits. */
static void normalise_reals(json_t *v)
{
    if (json_is_real(v)) {
        char s[40];
        snprintf(s, sizeof s, "%.15g", json_real_value(v));
        json_real_set(v, strtod(s, NULL));
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) normalise_reals(x);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) normalise_reals(x);
    }
}

/* Seals a draft: assigns seq and time and writes the canonical bytes
 * {"actor","body","kind","labels","org","seq","subject","time","v"} (keys in
 * this sorted order, compact). ev borrows from the draft and the command. */
static int seal(log_t *l, const cmd_t *c, draft_t *d, event_t *ev, char **bytes)
{
    int64_t now = util_now_ms();
    if (now < l->last_time) now = l->last_time;
    l->last_time = now;
    char ts[32];
    time_format(now, ts);
    const char *actor = c->who && !d->as_system ? c->who->username : "system";
    const char *org = c->who && !d->as_system ? c->who->org : "SYSTEM";
    normalise_reals(d->body);
    buf_t *b = &l->seal_buf; /* the writer's: one allocation an event, of the exact size */
    buf_reset(b);
    /* The members in their sorted order: a string, a JSON value, or the seq. */
    const struct {
        const char *key, *str;
        const json_t *json;
    } m[] = {
        {"{\"actor\":", actor, NULL}, {",\"body\":", NULL, d->body},    {",\"kind\":", d->kind, NULL},
        {",\"labels\":", NULL, d->labels}, {",\"org\":", org, NULL},    {",\"seq\":", NULL, NULL},
        {",\"subject\":", d->subject, NULL}, {",\"time\":", ts, NULL},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        buf_adds(b, m[i].key);
        if (m[i].str) buf_add_json_str(b, m[i].str);
        else if (m[i].json) buf_add_json_canon(b, m[i].json);
        else buf_add_u64(b, l->next_seq);
    }
    buf_adds(b, ",\"v\":1}");
    if (b->failed || !(*bytes = malloc(b->len + 1))) return -1;
    memcpy(*bytes, b->data, b->len + 1);
    *ev = (event_t){.seq = l->next_seq, .time = now, .actor = actor, .org = org,
                    .kind = d->kind, .subject = d->subject, .labels = d->labels,
                    .body = d->body, .len = b->len};
    ev->bytes = *bytes;
    merkle_leaf_hash(ev->bytes, ev->len, ev->hash);
    l->next_seq++;
    return 0;
}

typedef struct sealed {
    event_t ev;
    char *bytes;
} sealed_t;

/* Makes the writer's scratch arrays hold n events. */
static void scratch_reserve(log_t *l, size_t n)
{
    if (n <= l->scratch_cap) return;
    size_t cap = l->scratch_cap ? l->scratch_cap : 64;
    while (cap < n) cap *= 2;
    sealed_t *ev = realloc(l->sealed, cap * sizeof *ev);
    if (ev) l->sealed = ev;
    store_event_t *se = realloc(l->se, cap * sizeof *se);
    if (se) l->se = se;
    void **old = realloc(l->old, 2 * cap * sizeof *old);
    if (old) l->old = old;
    if (!ev || !se || !old) abort();
    l->scratch_cap = cap;
}



/* Wakes the submitters of a durable batch, each alone (a broadcast would
 * wake every waiting request thread). The writer posts only the first; each
 * woken submitter posts the two it heads in a binary tree (wake_next), so
 * the one serial thread does one wake-up a batch rather than one a command,
 * and the batch is awake after log2(n) hops rather than n. A command may be
 * gone once it is woken, so the tree is built before the first post. */
static void wake_batch(cmd_t *batch)
{
    cmd_t *small[256], **all = small;
    size_t n = 0, cap = sizeof small / sizeof small[0];
    for (cmd_t *c = batch; c; c = c->next) n += c->wake_sem;
    if (n > cap && !(all = malloc(n * sizeof *all))) {
        all = small;
        n = 0; /* no memory: post each one from here */
    }
    size_t i = 0;
    for (cmd_t *c = batch, *next; c; c = next) {
        next = c->next;
        c->wake_next[0] = c->wake_next[1] = NULL;
        __atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
        if (c->wake_sem) {
            if (n) all[i++] = c;
            else sem_post(&c->wake);
        } else if (c->on_durable) {
            c->on_durable(c); /* c may be gone after this */
        }
    }
    for (i = 1; i < n; i++) all[(i - 1) / 2]->wake_next[(i - 1) % 2] = all[i];
    cmd_t *first = n ? all[0] : NULL;
    if (all != small) free(all);
    if (first) sem_post(&first->wake);
}

/* Runs one batch: prepare, seal and apply under the state lock, then one
 * durable transaction, then the tree and the head, then wake everyone. */
static void run_batch(truce_t *t, cmd_t *batch)
{
    log_t *l = t->log;
    size_t n = 0, ncred = 0;
    scratch_reserve(l, 64);
    sealed_t *ev = l->sealed;
    store_cred_t creds[64];

    pthread_rwlock_wrlock(&t->lock);
    for (cmd_t *c = batch; c; c = c->next) {
        memset(&c->err, 0, sizeof c->err);
        drafts_free(c);
        c->cred_user[0] = 0;
        if (ncred == sizeof creds / sizeof creds[0]) {
            /* Too many credential changes in one batch: the rest wait for the next. */
            err_set(&c->err, E_UNAVAILABLE, NULL, "busy; retry");
            continue;
        }
        if (c->prepare(t, c, &c->err)) {
            drafts_free(c);
            if (!c->err.code) err_set(&c->err, E_INTERNAL, NULL, NULL);
            continue;
        }
        c->first_seq = l->next_seq;
        c->first_time = 0;
        for (int i = 0; i < c->ndrafts; i++) {
            if (n == l->scratch_cap) {
                scratch_reserve(l, n + 1);
                ev = l->sealed;
            }
            if (seal(l, c, &c->drafts[i], &ev[n].ev, &ev[n].bytes)) abort();
            if (i == 0) c->first_time = ev[n].ev.time;
            state_apply(t, &ev[n].ev);
            __atomic_store_n(&t->applied_seq, ev[n].ev.seq, __ATOMIC_RELEASE);
            n++;
        }
        c->last_seq = l->next_seq - 1;
        if (c->cred_user[0])
            creds[ncred++] = (store_cred_t){.username = c->cred_user, .hash = c->cred_hash};
    }
    pthread_rwlock_unlock(&t->lock);

    if (n || ncred) {
        store_event_t *se = l->se;
        pthread_rwlock_wrlock(&l->tree_lock);
        for (size_t i = 0; i < n; i++) {
            se[i] = (store_event_t){.seq = ev[i].ev.seq, .bytes = ev[i].bytes, .len = ev[i].ev.len};
            memcpy(se[i].hash, ev[i].ev.hash, MERKLE_HASH);
            if (merkle_append(&l->tree, ev[i].ev.hash)) abort();
        }
        pthread_rwlock_unlock(&l->tree_lock);
        int64_t now = util_now_ms();
        /* The tree now runs ahead of the published head (l->head) until the
         * batch is durable: receipts and proofs are only ever given against
         * a head whose events are all on disk, so the reply to a write need
         * not wait for any later batch. Signed outside tree_lock: the
         * signature takes longer than all the appends, and every receipt
         * being written would wait for it. */
        store_head_t head;
        sign_head(l, now, &head);
        int store_head = now - l->head_stored_time >= HEAD_STORE_MS || !l->running;
        if (l->to_wake) {
            wake_batch(l->to_wake); /* the previous batch: durable already */
            l->to_wake = NULL;
        }
        if (store_append(t->store, se, n, creds, ncred, store_head ? &head : NULL)) {
            fprintf(stderr, "truce: FATAL: the store refused a commit; aborting so that "
                            "nothing unwritten is ever acknowledged\n");
            abort();
        }
        if (store_head) {
            l->head_stored_time = now;
            l->head_stored_size = head.size;
        }
        /* Durable: publish the head (before `durable` moves past its events). */
        char text[400];
        head_receipt_text(l, &head, text); /* outside the lock: readers wait on it */
        pthread_rwlock_wrlock(&l->tree_lock);
        l->head = head;
        memcpy(l->head_text, text, sizeof text);
        pthread_rwlock_unlock(&l->tree_lock);
    }


    /* What the ring lets go of is freed after mu is released: request
     * threads queue on mu, and the writer must not hold it longer than it
     * takes to swap pointers. */
    void **old = l->old; /* [0, n): bytes; [n, 2n): labels */
    pthread_mutex_lock(&l->mu);
    if (n) {
        __atomic_store_n(&l->durable, ev[n - 1].ev.seq, __ATOMIC_RELEASE);
        l->stats.size = l->durable;
        l->stats.fsyncs++;
        l->stats.batches++;
        l->stats.events += n;
        int b = 0;
        while (b < 7 && (1u << b) < n) b++;
        l->stats.batch_hist[b]++;
    }
    for (size_t i = 0; i < n; i++) {
        ring_t *r = &l->ring[ev[i].ev.seq % RING];
        old[i] = r->bytes;
        old[n + i] = r->labels;
        r->seq = ev[i].ev.seq;
        str_copy(r->kind, sizeof r->kind, ev[i].ev.kind);
        r->bytes = ev[i].bytes; /* the ring takes the bytes */
        r->len = ev[i].ev.len;
        memcpy(r->hash, ev[i].ev.hash, MERKLE_HASH);
        r->labels = json_incref(ev[i].ev.labels);
    }
    uint64_t durable = l->durable;
    /* Drafts go before anyone is woken: a woken request's cmd_t dies with it. */
    for (cmd_t *c = batch; c; c = c->next) drafts_free(c);
    if (l->durable_waiters) pthread_cond_broadcast(&l->cv_done);
    pthread_cond_broadcast(&l->cv_feed);
    /* Under mu, so that once log_set_durable_hook returns the old hook is
     * neither running nor called again (it only resumes a few connections). */
    if (n && l->durable_hook) l->durable_hook(t);
    pthread_mutex_unlock(&l->mu);
    for (size_t i = 0; i < n; i++) {
        free(old[i]);
        json_decref(old[n + i]);
    }
    for (cmd_t *c = batch; c; c = c->next) c->head_size = durable;
    /* The submitters are woken by wake_batch(): inline at once; from the
     * writer thread just before its next fsync or before it sleeps, so that
     * woken request threads do not preempt it while it prepares a batch. */
    if (l->to_wake) {
        /* A batch that wrote nothing did not pass the wake-up point above:
         * the previous batch (durable) must not be forgotten. */
        wake_batch(l->to_wake);
        l->to_wake = NULL;
    }
    if (!l->running) wake_batch(batch);
    else l->to_wake = batch;
}

static void *writer_main(void *arg)
{
    truce_t *t = arg;
    log_t *l = t->log;
    pthread_setname_np(pthread_self(), "truce-writer"); /* for top -H, perf and schedstat */
    for (;;) {
        pthread_mutex_lock(&l->mu);
        if (!l->qhead && l->to_wake) {
            /* Nothing else to do: wake the last batch before sleeping. */
            pthread_mutex_unlock(&l->mu);
            wake_batch(l->to_wake);
            l->to_wake = NULL;
            continue;
        }
        while (!l->qhead && !l->stopping) pthread_cond_wait(&l->cv_work, &l->mu);
        cmd_t *batch = l->qhead;
        l->qhead = l->qtail = NULL;
        int stop = l->stopping && !batch;
        pthread_mutex_unlock(&l->mu);
        if (stop) break;
        run_batch(t, batch);
    }
    return NULL;
}

/* Queues the chained commands first..last for the writer; -1 when the log
 * is stopping (nothing queued). */
static int enqueue(log_t *l, cmd_t *first, cmd_t *last)
{
    pthread_mutex_lock(&l->mu);
    int stopping = l->stopping;
    if (!stopping) {
        if (l->qtail) l->qtail->next = first;
        else l->qhead = first;
        l->qtail = last;
        pthread_cond_signal(&l->cv_work);
    }
    pthread_mutex_unlock(&l->mu);
    return stopping ? -1 : 0;
}

int log_submit_many(truce_t *t, cmd_t **cmds, int n)
{
    log_t *l = t->log;
    if (n <= 0) return 0;
    for (int i = 0; i < n; i++) {
        cmds[i]->next = i + 1 < n ? cmds[i + 1] : NULL;
        cmds[i]->done = 0;
        cmds[i]->wake_sem = 0;
    }
    if (!l->running) {
        run_batch(t, cmds[0]);
    } else {
        for (int i = 0; i < n; i++) {
            sem_init(&cmds[i]->wake, 0, 0);
            cmds[i]->wake_sem = 1;
        }
        if (enqueue(l, cmds[0], cmds[n - 1])) {
            for (int i = 0; i < n; i++) err_set(&cmds[i]->err, E_UNAVAILABLE, NULL, NULL);
            return -1;
        }
        /* The batch posts every command; the last one's post comes last.
         * Each woken command passes the wake-up on (wake_batch). */
        for (int i = 0; i < n; i++) {
            while (sem_wait(&cmds[i]->wake) && errno == EINTR) {}
            for (int k = 0; k < 2; k++)
                if (cmds[i]->wake_next[k]) sem_post(&cmds[i]->wake_next[k]->wake);
        }
        for (int i = 0; i < n; i++) sem_destroy(&cmds[i]->wake);
    }
    int rc = 0;
    for (int i = 0; i < n; i++)
        if (cmds[i]->err.code) rc = -1;
    return rc;
}

int log_submit(truce_t *t, cmd_t *c)
{
    return log_submit_many(t, &c, 1);
}

int log_submit_async(truce_t *t, cmd_t *c)
{
    log_t *l = t->log;
    assert(c->on_durable);
    c->next = NULL;
    c->done = 0;
    c->wake_sem = 0;
    if (!l->running) {
        run_batch(t, c); /* inline: wakes (calls on_durable) before it returns */
        return 0;
    }
    return enqueue(l, c, c) ? err_set(&c->err, E_UNAVAILABLE, NULL, NULL) : 0;
}

void log_set_durable_hook(truce_t *t, void (*fn)(truce_t *t))
{
    pthread_mutex_lock(&t->log->mu);
    t->log->durable_hook = fn;
    pthread_mutex_unlock(&t->log->mu);
}

uint64_t log_durable(truce_t *t)
{
    /* Written under mu (for the condition variables) but read without it:
     * every request asks, and the writer must not wait for them. */
    return __atomic_load_n(&t->log->durable, __ATOMIC_ACQUIRE);
}

void log_wait_durable(truce_t *t, uint64_t seq)
{
    log_t *l = t->log;
    pthread_mutex_lock(&l->mu);
    l->durable_waiters++;
    while (l->durable < seq && l->running) pthread_cond_wait(&l->cv_done, &l->mu);
    l->durable_waiters--;
    pthread_mutex_unlock(&l->mu);
}

int log_stopping(truce_t *t)
{
    pthread_mutex_lock(&t->log->mu);
    int s = t->log->stopping;
    pthread_mutex_unlock(&t->log->mu);
    return s;
}

static int load_or_make_key(truce_t *t, int create, err_t *e)
{
    log_t *l = t->log;
    buf_t p;
    buf_init(&p);
    buf_addf(&p, "%s/server.key", t->dir);
    size_t n;
    char *hex = file_read(p.data, &n);
    int rc = 0;
    if (!hex) {
        if (!create) {
            rc = err_set(e, E_INTERNAL, NULL, "no signing key at %s", p.data);
            goto out;
        }
        crypto_sign_keypair(l->pk, l->sk);
        char skh[2 * sizeof l->sk + 2], pkh[2 * sizeof l->pk + 2];
        hex_encode(l->sk, sizeof l->sk, skh);
        hex_encode(l->pk, sizeof l->pk, pkh);
        strcat(skh, "\n");
        strcat(pkh, "\n");
        if (file_write(p.data, skh, strlen(skh), 0600)) {
            rc = err_set(e, E_INTERNAL, NULL, "cannot write %s: %s", p.data, strerror(errno));
            goto out;
        }
        buf_reset(&p);
        buf_addf(&p, "%s/server.pub", t->dir);
        if (file_write(p.data, pkh, strlen(pkh), 0644))
            rc = err_set(e, E_INTERNAL, NULL, "cannot write %s", p.data);
        sodium_memzero(skh, sizeof skh);
        goto out;
    }
    while (n && (hex[n - 1] == '\n' || hex[n - 1] == '\r')) hex[--n] = 0;
    if (hex_decode(hex, l->sk, sizeof l->sk)) rc = err_set(e, E_INTERNAL, NULL, "bad key file");
    else crypto_sign_ed25519_sk_to_pk(l->pk, l->sk);
    sodium_memzero(hex, n);
    free(hex);
out:
    buf_release(&p);
    return rc;
}

/* Replay runs on two threads. This one reads the rows, parses and applies
 * each event; a hasher thread reads the same rows through the store's side
 * connection, hashes each event and appends it to the tree. The two share
 * nothing but the rows (a pipeline that handed parsed objects from one
 * thread to the other was measured slower: the objects crossed malloc
 * arenas and caches), and replay ends only when both have seen the same
 * contiguous run of events. */
typedef struct {
    truce_t *t;
    uint64_t expect; /* next seq to hash */
    int stop;        /* set by the applier when it gives up */
    int oom;
} hasher_t;

typedef struct {
    truce_t *t;
    err_t *e;
    uint64_t expect;
    int hash; /* 1: hash here too (the hasher thread could not start) */
} replay_t;

/* Hashes one stored event into the tree (the stored hash is checked by
 * `truce verify`; replay hashes the bytes itself, so the tree always
 * matches what was applied). */
static int hash_one(void *arg, const store_event_t *se)
{
    hasher_t *h = arg;
    if (__atomic_load_n(&h->stop, __ATOMIC_RELAXED) || se->seq != h->expect) return 1;
    hash_t leaf;
    merkle_leaf_hash(se->bytes, se->len, leaf);
    if (merkle_append(&h->t->log->tree, leaf)) {
        h->oom = 1;
        return 1;
    }
    h->expect++;
    return 0;
}

static void *hasher_main(void *arg)
{
    hasher_t *h = arg;
    pthread_setname_np(pthread_self(), "truce-hasher");
    store_scan(h->t->store, 0, h->expect, hash_one, h);
    return NULL;
}

/* Applies one stored event. */
static int replay_one(void *arg, const store_event_t *se)
{
    replay_t *r = arg;
    log_t *l = r->t->log;
    event_t ev;
    json_t *root;
    if (se->seq != r->expect) {
        err_set(r->e, E_INTERNAL, NULL, "event %llu is missing from the store; run truce verify",
                (unsigned long long)r->expect);
        return 1;
    }
    if (log_parse_event(se->bytes, se->len, &ev, &root) || ev.seq != se->seq) {
        err_set(r->e, E_INTERNAL, NULL, "event %llu is not a valid event; run truce verify",
                (unsigned long long)se->seq);
        return 1;
    }
    if (r->hash) {
        merkle_leaf_hash(se->bytes, se->len, ev.hash);
        if (merkle_append(&l->tree, ev.hash)) {
            json_decref(root);
            err_set(r->e, E_INTERNAL, NULL, "out of memory");
            return 1;
        }
    }
    state_apply(r->t, &ev);
    r->t->applied_seq = ev.seq;
    if (ev.time > l->last_time) l->last_time = ev.time;
    json_decref(root);
    r->expect++;
    return 0;
}

static int replay(truce_t *t, uint64_t from, uint64_t *next, err_t *e)
{
    replay_t r = {t, e, from, 0};
    hasher_t h = {.t = t, .expect = from};
    pthread_t tid;
    r.hash = pthread_create(&tid, NULL, hasher_main, &h) != 0;
    int rc = store_scan(t->store, 1, from, replay_one, &r);
    if (!r.hash) {
        if (rc) __atomic_store_n(&h.stop, 1, __ATOMIC_RELAXED);
        pthread_join(tid, NULL);
        /* A hasher that stopped short (its connection could not read) is
         * finished here, on the applier's connection. */
        if (!rc && !h.oom && h.expect < r.expect) store_scan(t->store, 1, h.expect, hash_one, &h);
        if (!rc && h.oom) rc = err_set(e, E_INTERNAL, NULL, "out of memory");
        else if (!rc && h.expect != r.expect)
            rc = err_set(e, E_INTERNAL, NULL, "the store changed during replay (events %llu and %llu)",
                         (unsigned long long)h.expect, (unsigned long long)r.expect);
    }
    *next = r.expect;
    if (rc && !e->code) err_set(e, E_INTERNAL, NULL, "cannot read the store");
    return rc ? -1 : 0;
}

int log_open(truce_t *t, int create, err_t *e)
{
    log_t *l = calloc(1, sizeof *l);
    if (!l) return err_set(e, E_INTERNAL, NULL, "out of memory");
    t->log = l;
    merkle_init(&l->tree);
    pthread_rwlock_init(&l->tree_lock, NULL);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv_work, NULL);
    pthread_cond_init(&l->cv_done, NULL);
    pthread_cond_init(&l->cv_feed, NULL);
    l->next_seq = 1;
    buf_init(&l->seal_buf);
    if (load_or_make_key(t, create, e)) return -1;
    uint64_t next = 1;
    l->snapshot_seq = snapshot_read(t, &l->tree, &l->last_time);
    if (replay(t, l->snapshot_seq + 1, &next, e)) return -1;
    l->next_seq = next;
    l->durable = next - 1;
    l->ring_first = next;
    l->stats.size = l->durable;
    store_head_t h0;
    sign_head(l, util_now_ms(), &h0);
    publish_head(l, &h0);
    /* A crash may have left events after the last stored head: sign them now. */
    if (l->durable) {
        store_head_t h = l->head;
        if (store_append(t->store, NULL, 0, NULL, 0, &h) == 0) {
            l->head_stored_time = h.time;
            l->head_stored_size = h.size;
        }
    }
    return 0;
}

int log_start(truce_t *t)
{
    log_t *l = t->log;
    l->running = 1;
    l->stopping = 0;
    if (pthread_create(&l->writer, NULL, writer_main, t)) {
        l->running = 0;
        return -1;
    }
    return 0;
}

void log_stop(truce_t *t)
{
    log_t *l = t->log;
    if (!l || !l->running) return;
    pthread_mutex_lock(&l->mu);
    l->stopping = 1;
    pthread_cond_broadcast(&l->cv_work);
    pthread_cond_broadcast(&l->cv_feed);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->writer, NULL);
    pthread_mutex_lock(&l->mu);
    l->running = 0;
    pthread_cond_broadcast(&l->cv_done);
    pthread_mutex_unlock(&l->mu);
    /* Leave a signed head for everything written. */
    if (l->head_stored_size != l->head.size) {
        store_head_t h = l->head;
        if (store_append(t->store, NULL, 0, NULL, 0, &h) == 0) l->head_stored_size = h.size;
    }
}

void log_close(truce_t *t)
{
    log_t *l = t->log;
    if (!l) return;
    log_stop(t);
    /* A snapshot only when something changed, and only with a stored head at
     * exactly that size (log_stop and inline batches leave one). */
    if (t->applied_seq && t->applied_seq != l->snapshot_seq && l->head_stored_size == t->applied_seq)
        snapshot_write(t, &l->tree, l->last_time);
    for (int i = 0; i < RING; i++) {
        free(l->ring[i].bytes);
        json_decref(l->ring[i].labels);
    }
    merkle_release(&l->tree);
    buf_release(&l->seal_buf);
    free(l->sealed);
    free(l->se);
    free(l->old);
    sodium_memzero(l->sk, sizeof l->sk);
    free(l);
    t->log = NULL;
}

static json_t *head_json(const store_head_t *h)
{
    char root[65], sig[129], ts[32];
    hex_encode(h->root, MERKLE_HASH, root);
    hex_encode(h->sig, 64, sig);
    time_format(h->time, ts);
    return json_pack("{s:I, s:s, s:s, s:s}", "size", (json_int_t)h->size, "root", root,
                     "timestamp", ts, "signature", sig);
}

json_t *log_head_json(truce_t *t)
{
    pthread_rwlock_rdlock(&t->log->tree_lock);
    store_head_t h = t->log->head;
    pthread_rwlock_unlock(&t->log->tree_lock);
    return head_json(&h);
}

void log_pubkey_hex(truce_t *t, char out[65])
{
    hex_encode(t->log->pk, 32, out);
}

/* Copies the bytes of event seq (ring first, store otherwise). Caller frees.
 * hash, when not NULL, gets the leaf hash if the ring had it (*hashed = 1). */
static char *event_bytes_hash(truce_t *t, uint64_t seq, size_t *len, hash_t hash, int *hashed)
{
    log_t *l = t->log;
    char *b = NULL;
    if (hashed) *hashed = 0;
    pthread_mutex_lock(&l->mu);
    ring_t *r = &l->ring[seq % RING];
    if (r->seq == seq && r->bytes && (b = malloc(r->len + 1))) {
        memcpy(b, r->bytes, r->len + 1);
        *len = r->len;
        if (hashed) {
            memcpy(hash, r->hash, MERKLE_HASH);
            *hashed = 1;
        }
    }
    pthread_mutex_unlock(&l->mu);
    if (b) return b;
    return store_get(t->store, seq, len);
}

static char *event_bytes(truce_t *t, uint64_t seq, size_t *len)
{
    return event_bytes_hash(t, seq, len, NULL, NULL);
}

int log_receipt_buf(truce_t *t, uint64_t seq, buf_t *out, json_t **labels_out)
{
    log_t *l = t->log;
    if (seq < 1 || seq > log_durable(t)) return -1;
    size_t len = 0;
    hash_t leaf, path[MERKLE_MAX_PATH];
    int hashed;
    char *bytes = event_bytes_hash(t, seq, &len, leaf, &hashed);
    if (!bytes) return -1;
    if (labels_out) {
        event_t ev;
        json_t *root;
        if (log_parse_event(bytes, len, &ev, &root)) {
            free(bytes);
            return -1;
        }
        *labels_out = json_incref(ev.labels);
        json_decref(root);
    }
    if (!hashed) merkle_leaf_hash(bytes, len, leaf);
    char tail[400];
    pthread_rwlock_rdlock(&l->tree_lock);
    int np = merkle_inclusion(&l->tree, seq - 1, l->head.size, path);
    memcpy(tail, l->head_text, sizeof tail);
    pthread_rwlock_unlock(&l->tree_lock);
    /* Written by hand: this is on every write's reply, and every value but
     * the event is a number or hex. */
    char hex[136];
    buf_adds(out, "{\"seq\":");
    buf_add_u64(out, seq);
    buf_adds(out, ",\"leaf_index\":");
    buf_add_u64(out, seq - 1);
    buf_adds(out, ",\"event\":");
    buf_add_json_str(out, bytes);
    hex_encode(leaf, MERKLE_HASH, hex);
    buf_adds(out, ",\"leaf_hash\":\"");
    buf_add(out, hex, 64);
    buf_adds(out, "\",\"proof\":[");
    for (int i = 0; i < np; i++) {
        hex[0] = i ? ',' : ' ';
        hex[1] = '"';
        hex_encode(path[i], MERKLE_HASH, hex + 2);
        hex[66] = '"';
        buf_add(out, i ? hex : hex + 1, i ? 67 : 66);
    }
    buf_adds(out, "],");
    buf_adds(out, tail);
    free(bytes);
    return out->failed ? -1 : 0;
}

json_t *log_receipt(truce_t *t, uint64_t seq, json_t **labels_out)
{
    buf_t b;
    buf_init(&b);
    json_t *rc = log_receipt_buf(t, seq, &b, labels_out) ? NULL : jsonfast_parse(b.data, b.len);
    buf_release(&b);
    return rc;
}

json_t *log_consistency(truce_t *t, uint64_t m, uint64_t n, err_t *e)
{
    log_t *l = t->log;
    hash_t path[MERKLE_MAX_PATH], r1;
    pthread_rwlock_rdlock(&l->tree_lock);
    store_head_t h = l->head;
    if (n == 0) n = h.size;
    if (m < 1 || m > n || n > h.size) {
        pthread_rwlock_unlock(&l->tree_lock);
        err_set(e, E_OUT_OF_RANGE, m < 1 || m > n ? "from" : "to",
                "need 1 <= from <= to <= %llu", (unsigned long long)h.size);
        return NULL;
    }
    int np = merkle_consistency(&l->tree, m, n, path);
    merkle_root(&l->tree, m, r1);
    hash_t r2;
    merkle_root(&l->tree, n, r2);
    pthread_rwlock_unlock(&l->tree_lock);
    json_t *proof = json_array();
    char hex[65];
    for (int i = 0; i < np; i++) {
        hex_encode(path[i], MERKLE_HASH, hex);
        json_array_append_new(proof, json_string(hex));
    }
    char h1[65], h2[65];
    hex_encode(r1, MERKLE_HASH, h1);
    hex_encode(r2, MERKLE_HASH, h2);
    json_t *rc = json_pack("{s:I, s:I, s:s, s:s, s:o}", "from", (json_int_t)m, "to",
                           (json_int_t)n, "from_root", h1, "to_root", h2, "proof", proof);
    if (n == h.size) json_object_set_new(rc, "head", head_json(&h));
    return rc;
}

uint64_t log_feed(truce_t *t, uint64_t after, int timeout_ms, int max, log_feed_fn fn, void *arg)
{
    log_t *l = t->log;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&l->mu);
    while (l->durable <= after && !l->stopping)
        if (pthread_cond_timedwait(&l->cv_feed, &l->mu, &until) == ETIMEDOUT) break;
    uint64_t durable = l->durable;
    /* The ring holds what this process wrote (replay does not fill it). */
    uint64_t oldest = durable >= RING ? durable - RING + 1 : 1;
    if (oldest < l->ring_first) oldest = l->ring_first;
    int sent = 0;
    uint64_t seq = after;
    if (after + 1 >= oldest) {
        for (seq = after + 1; seq <= durable && sent < max; seq++, sent++) {
            ring_t *r = &l->ring[seq % RING];
            assert(r->seq == seq);
            fn(arg, seq, r->kind, r->bytes, r->labels);
        }
        seq--;
        pthread_mutex_unlock(&l->mu);
        return seq;
    }
    pthread_mutex_unlock(&l->mu);
    /* Behind the ring: read from the store. */
    for (seq = after + 1; seq < oldest && sent < max; seq++, sent++) {
        size_t len;
        char *b = event_bytes(t, seq, &len);
        event_t ev;
        json_t *root;
        if (!b) break;
        if (log_parse_event(b, len, &ev, &root) == 0) {
            fn(arg, seq, ev.kind, b, ev.labels);
            json_decref(root);
        }
        free(b);
    }
    return seq - 1;
}

void log_stats(truce_t *t, log_stats_t *out)
{
    pthread_mutex_lock(&t->log->mu);
    *out = t->log->stats;
    pthread_mutex_unlock(&t->log->mu);
}

void log_derive_key(truce_t *t, const char *ctx, uint8_t out[32])
{
    crypto_generichash(out, 32, (const uint8_t *)ctx, strlen(ctx), t->log->sk, 32);
}
