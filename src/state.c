/*
 * state.c — the projection registry. Every module lists its event kinds; the
 * registry routes each sealed event to every module that applies it. The state
 * digest is SHA-256 over the canonical JSON dump of every module, so a test
 * can prove that a restart replays into exactly the same state.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "truce.h"

typedef struct {
    const char *kind;
    void (*apply)(truce_t *, const event_t *);
    int module;  /* several modules may apply one kind: in module order, */
    int row;     /* and within a module in the order of its rows */
} route_kind_t;

/* Sorted copy of every module's kinds, for bsearch on the hot path. */
static route_kind_t *kinds;
static size_t nkinds;

static int cmp_kind(const void *a, const void *b)
{
    return strcmp(((const route_kind_t *)a)->kind, ((const route_kind_t *)b)->kind);
}

static int cmp_kind_module(const void *a, const void *b)
{
    int c = cmp_kind(a, b);
    if (c) return c;
    const route_kind_t *x = a, *y = b;
    return x->module != y->module ? x->module - y->module : x->row - y->row;
}

int state_init(truce_t *t)
{
    if (!kinds) {
        size_t n = 0;
        for (int m = 0; truce_modules[m]; m++)
            for (const kind_def_t *k = truce_modules[m]->kinds; k && k->kind; k++) n++;
        kinds = calloc(n ? n : 1, sizeof *kinds);
        if (!kinds) return -1;
        for (int m = 0; truce_modules[m]; m++) {
            int row = 0;
            for (const kind_def_t *k = truce_modules[m]->kinds; k && k->kind; k++)
                kinds[nkinds++] = (route_kind_t){k->kind, k->apply, m, row++};
        }
        qsort(kinds, nkinds, sizeof *kinds, cmp_kind_module);
    }
    for (int m = 0; truce_modules[m]; m++)
        if (truce_modules[m]->init && truce_modules[m]->init(t)) return -1;
    return 0;
}

void state_release(truce_t *t)
{
    for (int m = 0; truce_modules[m]; m++)
        if (truce_modules[m]->release) truce_modules[m]->release(t);
}

void state_apply(truce_t *t, const event_t *ev)
{
    route_kind_t key = {ev->kind, NULL};
    route_kind_t *k = bsearch(&key, kinds, nkinds, sizeof *kinds, cmp_kind);
    if (!k) return;
    while (k > kinds && cmp_kind(k - 1, &key) == 0) k--;
    for (; k < kinds + nkinds && cmp_kind(k, &key) == 0; k++) k->apply(t, ev);
}

char *state_dump(truce_t *t)
{
    json_t *all = json_object();
    for (int m = 0; truce_modules[m]; m++) {
        if (!truce_modules[m]->dump) continue;
        json_t *d = json_object();
        truce_modules[m]->dump(t, d);
        json_object_set_new(all, truce_modules[m]->name, d);
    }
    char *s = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(all);
    return s;
}

void state_digest(truce_t *t, char out[65])
{
    char *s = state_dump(t);
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0);
    hex_encode(h, 32, out);
    free(s);
}

#include "log.h"

int truce_open(truce_t *t, const char *dir, int create, err_t *e)
{
    memset(t, 0, sizeof *t);
    t->dir = strdup(dir);
    pthread_rwlock_init(&t->lock, NULL);
    if (state_init(t)) return err_set(e, E_INTERNAL, NULL, "out of memory");
    if (store_open(dir, create, &t->store, e)) return -1;
    return log_open(t, create, e);
}

void truce_close(truce_t *t)
{
    log_close(t);
    store_close(t->store);
    t->store = NULL;
    state_release(t);
    pthread_rwlock_destroy(&t->lock);
    free(t->dir);
    t->dir = NULL;
}
