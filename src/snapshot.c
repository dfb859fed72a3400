/* snapshot.c — see snapshot.h. */
#include "snapshot.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAGIC "truce-snapshot-2\n"
#define MAC 32

static void path_of(truce_t *t, char *out, size_t cap)
{
    snprintf(out, cap, "%s/snapshot", t->dir);
}

static void mac_of(truce_t *t, const void *p, size_t n, uint8_t out[MAC])
{
    uint8_t key[32];
    log_derive_key(t, "truce-snapshot-v1", key);
    crypto_generichash(out, MAC, p, n, key, sizeof key);
    sodium_memzero(key, sizeof key);
}

int snapshot_write(truce_t *t, merkle_t *tree, int64_t last_time)
{
    buf_t b;
    buf_init(&b);
    uint64_t seq = t->applied_seq;
    buf_adds(&b, MAGIC);
    buf_add(&b, &seq, 8);
    buf_add(&b, &last_time, 8);
    for (int k = 0; k < MERKLE_MAX_PATH; k++) {
        buf_add(&b, &tree->count[k], 8);
        if (tree->count[k]) buf_add(&b, tree->nodes[k], tree->count[k] * MERKLE_HASH);
    }
    int rc = 0;
    for (int m = 0; truce_modules[m] && !rc; m++) {
        const module_t *mod = truce_modules[m];
        if (!mod->save) continue;
        buf_add(&b, mod->name, strlen(mod->name) + 1);
        size_t at = b.len;
        uint64_t len = 0;
        buf_add(&b, &len, 8);
        size_t start = b.len;
        rc = mod->save(t, &b);
        len = b.len - start;
        if (!b.failed) memcpy(b.data + at, &len, 8);
    }
    uint8_t mac[MAC];
    if (!rc && !b.failed) {
        mac_of(t, b.data, b.len, mac);
        buf_add(&b, mac, MAC);
    }
    char path[4096];
    path_of(t, path, sizeof path);
    rc = rc || b.failed || file_write(path, b.data, b.len, 0600) ? -1 : 0;
    buf_release(&b);
    return rc;
}

typedef struct {
    const char *p, *end;
} rd_t;

static int take(rd_t *r, void *out, size_t n)
{
    if ((size_t)(r->end - r->p) < n) return -1;
    if (out) memcpy(out, r->p, n);
    r->p += n;
    return 0;
}

static uint64_t load(truce_t *t, const char *data, size_t n, merkle_t *tree, int64_t *last_time)
{
    uint8_t mac[MAC];
    if (n < strlen(MAGIC) + 16 + MAC || memcmp(data, MAGIC, strlen(MAGIC))) return 0;
    mac_of(t, data, n - MAC, mac);
    if (sodium_memcmp(mac, data + n - MAC, MAC)) return 0;
    rd_t r = {data + strlen(MAGIC), data + n - MAC};
    uint64_t seq;
    int64_t lt;
    take(&r, &seq, 8);
    take(&r, &lt, 8);
    merkle_t tr;
    merkle_init(&tr);
    for (int k = 0; k < MERKLE_MAX_PATH; k++) {
        uint64_t c;
        if (take(&r, &c, 8) || c > (uint64_t)(r.end - r.p) / MERKLE_HASH) goto bad;
        if (c) {
            tr.nodes[k] = malloc(c * MERKLE_HASH);
            if (!tr.nodes[k]) goto bad;
            take(&r, tr.nodes[k], c * MERKLE_HASH);
        }
        tr.count[k] = tr.cap[k] = c;
    }
    tr.size = tr.count[0];
    /* The tree must be the one the log signed at that size. */
    store_head_t h;
    hash_t root;
    if (tr.size != seq || !seq || store_head_at(t->store, seq, &h)) goto bad;
    merkle_root(&tr, seq, root);
    if (memcmp(root, h.root, MERKLE_HASH)) goto bad;
    /* Every module must be able to load, and each must be in the snapshot
     * exactly once: a module added since (or one without save/load) would
     * otherwise start empty while its events before seq are never replayed. */
    int nmod = 0, seen = 0;
    for (int m = 0; truce_modules[m]; m++, nmod++)
        if (!truce_modules[m]->save || !truce_modules[m]->load) goto bad;
    while (r.p < r.end) {
        const char *name = r.p;
        const char *z = memchr(r.p, 0, (size_t)(r.end - r.p));
        uint64_t len;
        if (!z) goto bad_state;
        r.p = z + 1;
        if (take(&r, &len, 8) || len > (uint64_t)(r.end - r.p)) goto bad_state;
        const module_t *mod = NULL;
        int idx = -1;
        for (int m = 0; truce_modules[m]; m++)
            if (!strcmp(truce_modules[m]->name, name)) mod = truce_modules[idx = m];
        if (!mod || (seen & (1 << idx)) || mod->load(t, r.p, (size_t)len)) goto bad_state;
        seen |= 1 << idx;
        r.p += len;
    }
    if (seen != (1 << nmod) - 1) goto bad_state;
    merkle_release(tree);
    *tree = tr;
    *last_time = lt;
    t->applied_seq = seq;
    return seq;
bad_state:
    /* Half-loaded modules: start them over empty. */
    state_release(t);
    state_init(t);
bad:
    merkle_release(&tr);
    return 0;
}

uint64_t snapshot_read(truce_t *t, merkle_t *tree, int64_t *last_time)
{
    char path[4096];
    path_of(t, path, sizeof path);
    size_t n;
    char *data = file_read(path, &n);
    if (!data) return 0;
    uint64_t seq = load(t, data, n, tree, last_time);
    free(data);
    if (!seq) fprintf(stderr, "truce: %s cannot be used; replaying the whole log\n", path);
    return seq;
}
