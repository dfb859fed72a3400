/* merkle.c — see merkle.h. Follows RFC 9162 section 2.1 literally. */
#include "merkle.h"
#include "sha256.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void merkle_leaf_hash(const void *data, size_t len, hash_t out)
{
    static const uint8_t zero = 0;
    sha256_cat(&zero, 1, data, len, out);
}

void merkle_node_hash(const hash_t l, const hash_t r, hash_t out)
{
    uint8_t in[1 + 2 * MERKLE_HASH];
    in[0] = 1;
    memcpy(in + 1, l, MERKLE_HASH);
    memcpy(in + 1 + MERKLE_HASH, r, MERKLE_HASH);
    sha256_cat(in, sizeof in, "", 0, out);
}

void merkle_init(merkle_t *t)
{
    memset(t, 0, sizeof *t);
}

void merkle_release(merkle_t *t)
{
    for (int k = 0; k < MERKLE_MAX_PATH; k++) free(t->nodes[k]);
    merkle_init(t);
}

static int push(merkle_t *t, int k, const hash_t h)
{
    if (t->count[k] == t->cap[k]) {
        uint64_t cap = t->cap[k] ? t->cap[k] * 2 : 1024;
        hash_t *p = realloc(t->nodes[k], cap * sizeof(hash_t));
        if (!p) return -1;
        t->nodes[k] = p;
        t->cap[k] = cap;
    }
    memcpy(t->nodes[k][t->count[k]++], h, MERKLE_HASH);
    return 0;
}

int merkle_append(merkle_t *t, const hash_t leaf)
{
    /* Reserve first so a failure leaves the tree unchanged. */
    for (int k = 0; k < MERKLE_MAX_PATH - 1; k++) {
        if (t->count[k] == t->cap[k]) {
            uint64_t cap = t->cap[k] ? t->cap[k] * 2 : 1024;
            hash_t *p = realloc(t->nodes[k], cap * sizeof(hash_t));
            if (!p) return -1;
            t->nodes[k] = p;
            t->cap[k] = cap;
        }
        if (!((t->size >> k) & 1)) break; /* no carry beyond this level */
    }
    push(t, 0, leaf);
    /* Each completed pair at level k makes one node at level k+1. */
    for (int k = 0; k < MERKLE_MAX_PATH - 1 && t->count[k] % 2 == 0; k++) {
        hash_t h;
        merkle_node_hash(t->nodes[k][t->count[k] - 2], t->nodes[k][t->count[k] - 1], h);
        push(t, k + 1, h);
    }
    t->size++;
    return 0;
}

static uint64_t split(uint64_t n) /* largest power of two < n, n >= 2 */
{
    uint64_t k = 1;
    while (k << 1 < n) k <<= 1;
    return k;
}

/* MTH(D[lo:hi]); lo is always aligned to the largest power of two <= hi-lo
 * for the calls the proofs make, so complete subtrees are one lookup. */
static void mth(const merkle_t *t, uint64_t lo, uint64_t hi, hash_t out)
{
    uint64_t n = hi - lo;
    assert(hi <= t->size);
    if (n == 0) {
        crypto_hash_sha256(out, (const uint8_t *)"", 0);
        return;
    }
    if ((n & (n - 1)) == 0 && lo % n == 0) {
        int k = __builtin_ctzll(n);
        memcpy(out, t->nodes[k][lo >> k], MERKLE_HASH);
        return;
    }
    uint64_t k = split(n);
    hash_t l, r;
    mth(t, lo, lo + k, l);
    mth(t, lo + k, hi, r);
    merkle_node_hash(l, r, out);
}

void merkle_root(const merkle_t *t, uint64_t n, hash_t out)
{
    mth(t, 0, n, out);
}

/* PATH(m, D[lo:hi]) from RFC 6962 2.1.1, leaf-to-root order. */
static int path(const merkle_t *t, uint64_t m, uint64_t lo, uint64_t hi, hash_t *out, int len)
{
    uint64_t n = hi - lo;
    if (n <= 1) return len;
    uint64_t k = split(n);
    if (m < k) {
        len = path(t, m, lo, lo + k, out, len);
        mth(t, lo + k, hi, out[len]);
    } else {
        len = path(t, m - k, lo + k, hi, out, len);
        mth(t, lo, lo + k, out[len]);
    }
    return len + 1;
}

int merkle_inclusion(const merkle_t *t, uint64_t i, uint64_t n, hash_t out[MERKLE_MAX_PATH])
{
    if (i >= n || n > t->size) return -1;
    return path(t, i, 0, n, out, 0);
}

/* SUBPROOF(m, D[lo:hi], b) from RFC 6962 2.1.2. */
static int subproof(const merkle_t *t, uint64_t m, uint64_t lo, uint64_t hi, int b, hash_t *out,
                    int len)
{
    uint64_t n = hi - lo;
    if (m == n) {
        if (!b) mth(t, lo, hi, out[len++]);
        return len;
    }
    uint64_t k = split(n);
    if (m <= k) {
        len = subproof(t, m, lo, lo + k, b, out, len);
        mth(t, lo + k, hi, out[len]);
    } else {
        len = subproof(t, m - k, lo + k, hi, 0, out, len);
        mth(t, lo, lo + k, out[len]);
    }
    return len + 1;
}

int merkle_consistency(const merkle_t *t, uint64_t m, uint64_t n, hash_t out[MERKLE_MAX_PATH])
{
    if (m == 0 || m > n || n > t->size) return -1;
    if (m == n) return 0;
    return subproof(t, m, 0, n, 1, out, 0);
}

int merkle_verify_inclusion(uint64_t i, uint64_t n, const hash_t leaf, const hash_t *p, int len,
                            const hash_t root)
{
    if (i >= n) return -1;
    uint64_t fn = i, sn = n - 1;
    hash_t r;
    memcpy(r, leaf, MERKLE_HASH);
    for (int j = 0; j < len; j++) {
        if (sn == 0) return -1;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(p[j], r, r);
            if (!(fn & 1))
                while (fn && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            merkle_node_hash(r, p[j], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(r, root, MERKLE_HASH) == 0 ? 0 : -1;
}

int merkle_verify_consistency(uint64_t m, uint64_t n, const hash_t root1, const hash_t root2,
                              const hash_t *p, int len)
{
    if (m == 0 || m > n) return -1;
    if (m == n) return len == 0 && memcmp(root1, root2, MERKLE_HASH) == 0 ? 0 : -1;
    /* If m is a power of two, the first node is root1 itself (RFC 9162 2.1.4.2 step 1). */
    hash_t tmp[MERKLE_MAX_PATH + 1];
    int tl = 0;
    if ((m & (m - 1)) == 0) memcpy(tmp[tl++], root1, MERKLE_HASH);
    if (len < 1 || len + tl > MERKLE_MAX_PATH + 1) return -1;
    for (int j = 0; j < len; j++) memcpy(tmp[tl++], p[j], MERKLE_HASH);
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    hash_t fr, sr;
    memcpy(fr, tmp[0], MERKLE_HASH);
    memcpy(sr, tmp[0], MERKLE_HASH);
    for (int j = 1; j < tl; j++) {
        if (sn == 0) return -1;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(tmp[j], fr, fr);
            merkle_node_hash(tmp[j], sr, sr);
            if (!(fn & 1))
                while (fn && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            merkle_node_hash(sr, tmp[j], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(fr, root1, MERKLE_HASH) == 0 &&
                   memcmp(sr, root2, MERKLE_HASH) == 0
               ? 0
               : -1;
}
