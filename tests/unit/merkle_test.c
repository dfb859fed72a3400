/*
 * merkle_test.c — the RFC 6962 / RFC 9162 Merkle tree (src/merkle.c).
 *
 * Known answers come from the certificate-transparency test vectors (the same
 * eight leaves, roots, node hashes and proof paths are in
 * transparency-dev/merkle testonly/constants.go and reference_test.go). Beyond
 * them, every proof for every (i, n) and (m, n) up to 70 leaves is compared
 * with a naive transcription of RFC 6962 section 2.1 written here, verified,
 * and then broken in every way we can think of: each hash mutated, wrong
 * index, wrong leaf, wrong sizes with the right roots for those sizes, roots
 * swapped, paths truncated and extended.
 */
#include "unit.h"

#include "merkle.h"

/* ---- RFC 6962 test vectors ---- */

static const char *const leaf_hex[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

static const char *const root_hex[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", /* empty tree */
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Complete subtree hashes by level (level 0: the leaf hashes). */
static const char *const level0_hex[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};
static const char *const level1_hex[4] = {
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
};
static const char *const level2_hex[2] = {
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
};

/* Inclusion paths (leaf-to-root order) from the public reference tests. */
static const struct {
    uint64_t index, size;
    int n;
    const char *path[3];
} incl_vec[] = {
    {0, 1, 0, {NULL}},
    {0, 2, 1, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
    {1, 2, 1, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {0,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* Consistency paths from the public reference tests. */
static const struct {
    uint64_t m, n;
    int len;
    const char *path[3];
} cons_vec[] = {
    {1, 1, 0, {NULL}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {2,
     5,
     2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     8,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* ---- a naive RFC 6962 reference, written from the RFC's definitions ---- */

static void ref_sha256(const uint8_t *in, size_t n, hash_t out)
{
    crypto_hash_sha256(out, in, n);
}

static void ref_leaf(const void *data, size_t len, hash_t out)
{
    uint8_t *b = malloc(len + 1);
    assert_non_null(b);
    b[0] = 0x00;
    memcpy(b + 1, data, len);
    ref_sha256(b, len + 1, out);
    free(b);
}

static void ref_node(const hash_t l, const hash_t r, hash_t out)
{
    uint8_t b[65];
    b[0] = 0x01;
    memcpy(b + 1, l, 32);
    memcpy(b + 33, r, 32);
    ref_sha256(b, sizeof b, out);
}

static uint64_t ref_split(uint64_t n) /* largest power of two smaller than n (n >= 2) */
{
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* MTH(D[lo:hi]) over leaf hashes, by plain recursion. */
static void ref_mth(const hash_t *leaves, uint64_t lo, uint64_t hi, hash_t out)
{
    uint64_t n = hi - lo;
    if (n == 0) {
        ref_sha256((const uint8_t *)"", 0, out);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[lo], 32);
        return;
    }
    uint64_t k = ref_split(n);
    hash_t l, r;
    ref_mth(leaves, lo, lo + k, l);
    ref_mth(leaves, lo + k, hi, r);
    ref_node(l, r, out);
}

/* PATH(m, D[lo:hi]) */
static int ref_path(const hash_t *leaves, uint64_t m, uint64_t lo, uint64_t hi, hash_t *out)
{
    uint64_t n = hi - lo;
    if (n <= 1) return 0;
    uint64_t k = ref_split(n);
    int len;
    if (m < k) {
        len = ref_path(leaves, m, lo, lo + k, out);
        ref_mth(leaves, lo + k, hi, out[len]);
    } else {
        len = ref_path(leaves, m - k, lo + k, hi, out);
        ref_mth(leaves, lo, lo + k, out[len]);
    }
    return len + 1;
}

/* SUBPROOF(m, D[lo:hi], b) */
static int ref_subproof(const hash_t *leaves, uint64_t m, uint64_t lo, uint64_t hi, int b,
                        hash_t *out)
{
    uint64_t n = hi - lo;
    if (m == n) {
        if (b) return 0;
        ref_mth(leaves, lo, hi, out[0]);
        return 1;
    }
    uint64_t k = ref_split(n);
    int len;
    if (m <= k) {
        len = ref_subproof(leaves, m, lo, lo + k, b, out);
        ref_mth(leaves, lo + k, hi, out[len]);
    } else {
        len = ref_subproof(leaves, m - k, lo + k, hi, 0, out);
        ref_mth(leaves, lo, lo + k, out[len]);
    }
    return len + 1;
}

/* ---- fixtures ---- */

/* The eight vector leaves appended to t; their hashes into leaves. */
static void build_vector_tree(merkle_t *t, hash_t leaves[8])
{
    merkle_init(t);
    for (int i = 0; i < 8; i++) {
        uint8_t in[16];
        size_t n = strlen(leaf_hex[i]) / 2;
        if (n) unit_unhex(leaf_hex[i], in, n);
        merkle_leaf_hash(in, n, leaves[i]);
        assert_int_equal(merkle_append(t, leaves[i]), 0);
    }
    assert_int_equal(t->size, 8);
}

/* n distinct leaves: leaf i is the 8-byte big-endian i with a tag. */
static hash_t *build_tree(merkle_t *t, uint64_t n)
{
    hash_t *leaves = malloc((n ? n : 1) * sizeof *leaves);
    assert_non_null(leaves);
    merkle_init(t);
    for (uint64_t i = 0; i < n; i++) {
        uint8_t in[12] = {'l', 'e', 'a', 'f'};
        for (int b = 0; b < 8; b++)
            in[4 + b] = (uint8_t)(i >> (56 - 8 * b));
        ref_leaf(in, sizeof in, leaves[i]);
        assert_int_equal(merkle_append(t, leaves[i]), 0);
    }
    assert_int_equal(t->size, n);
    return leaves;
}

static void assert_hash_hex(const hash_t h, const char *hex)
{
    char got[65];
    unit_hex(h, 32, got);
    assert_string_equal(got, hex);
}

/* ---- tests: known answers ---- */

static void merkle_leaf_hash_vectors(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++) {
        uint8_t in[16];
        size_t n = strlen(leaf_hex[i]) / 2;
        if (n) unit_unhex(leaf_hex[i], in, n);
        hash_t h, r;
        merkle_leaf_hash(in, n, h);
        assert_hash_hex(h, level0_hex[i]);
        ref_leaf(in, n, r);
        assert_memory_equal(h, r, 32);
    }
}

static void merkle_node_hash_vectors(void **state)
{
    (void)state;
    hash_t l0[8], l1[4], l2[2], h;
    for (int i = 0; i < 8; i++)
        unit_unhex(level0_hex[i], l0[i], 32);
    for (int i = 0; i < 4; i++) {
        merkle_node_hash(l0[2 * i], l0[2 * i + 1], l1[i]);
        assert_hash_hex(l1[i], level1_hex[i]);
    }
    for (int i = 0; i < 2; i++) {
        merkle_node_hash(l1[2 * i], l1[2 * i + 1], l2[i]);
        assert_hash_hex(l2[i], level2_hex[i]);
    }
    merkle_node_hash(l2[0], l2[1], h);
    assert_hash_hex(h, root_hex[8]);
    /* Order matters: node(r, l) is a different hash. */
    merkle_node_hash(l0[1], l0[0], h);
    char got[65];
    unit_hex(h, 32, got);
    assert_string_not_equal(got, level1_hex[0]);
}

static void merkle_root_empty(void **state)
{
    (void)state;
    merkle_t t;
    hash_t h;
    merkle_init(&t);
    assert_int_equal(t.size, 0);
    merkle_root(&t, 0, h);
    assert_hash_hex(h, root_hex[0]);
    merkle_release(&t);
}

static void merkle_root_vectors(void **state)
{
    (void)state;
    /* Trees grown leaf by leaf: the root after each append. */
    merkle_t t;
    merkle_init(&t);
    for (int n = 1; n <= 8; n++) {
        uint8_t in[16];
        size_t len = strlen(leaf_hex[n - 1]) / 2;
        if (len) unit_unhex(leaf_hex[n - 1], in, len);
        hash_t leaf, root;
        merkle_leaf_hash(in, len, leaf);
        assert_int_equal(merkle_append(&t, leaf), 0);
        merkle_root(&t, t.size, root);
        assert_hash_hex(root, root_hex[n]);
    }
    merkle_release(&t);
}

static void merkle_root_prefixes(void **state)
{
    (void)state;
    /* Roots of every prefix of the full eight-leaf tree. */
    merkle_t t;
    hash_t leaves[8];
    build_vector_tree(&t, leaves);
    for (int n = 0; n <= 8; n++) {
        hash_t root;
        merkle_root(&t, (uint64_t)n, root);
        assert_hash_hex(root, root_hex[n]);
    }
    merkle_release(&t);
}

static void merkle_inclusion_vectors(void **state)
{
    (void)state;
    merkle_t t;
    hash_t leaves[8];
    build_vector_tree(&t, leaves);
    for (size_t v = 0; v < sizeof incl_vec / sizeof incl_vec[0]; v++) {
        hash_t path[MERKLE_MAX_PATH], root;
        int n = merkle_inclusion(&t, incl_vec[v].index, incl_vec[v].size, path);
        assert_int_equal(n, incl_vec[v].n);
        for (int j = 0; j < n; j++)
            assert_hash_hex(path[j], incl_vec[v].path[j]);
        unit_unhex(root_hex[incl_vec[v].size], root, 32);
        assert_int_equal(merkle_verify_inclusion(incl_vec[v].index, incl_vec[v].size,
                                                 leaves[incl_vec[v].index], (const hash_t *)path, n,
                                                 root),
                         0);
    }
    merkle_release(&t);
}

static void merkle_consistency_vectors(void **state)
{
    (void)state;
    merkle_t t;
    hash_t leaves[8];
    build_vector_tree(&t, leaves);
    for (size_t v = 0; v < sizeof cons_vec / sizeof cons_vec[0]; v++) {
        hash_t path[MERKLE_MAX_PATH], r1, r2;
        int n = merkle_consistency(&t, cons_vec[v].m, cons_vec[v].n, path);
        assert_int_equal(n, cons_vec[v].len);
        for (int j = 0; j < n; j++)
            assert_hash_hex(path[j], cons_vec[v].path[j]);
        unit_unhex(root_hex[cons_vec[v].m], r1, 32);
        unit_unhex(root_hex[cons_vec[v].n], r2, 32);
        assert_int_equal(merkle_verify_consistency(cons_vec[v].m, cons_vec[v].n, r1, r2,
                                                   (const hash_t *)path, n),
                         0);
    }
    merkle_release(&t);
}

/* ---- tests: every proof up to 70 leaves ---- */

#define SMALL 70

static void merkle_root_matches_reference(void **state)
{
    (void)state;
    merkle_t t;
    hash_t *leaves = build_tree(&t, SMALL);
    for (uint64_t n = 0; n <= SMALL; n++) {
        hash_t got, want;
        merkle_root(&t, n, got);
        ref_mth(leaves, 0, n, want);
        assert_memory_equal(got, want, 32);
    }
    merkle_release(&t);
    free(leaves);
}

static void merkle_inclusion_all(void **state)
{
    (void)state;
    merkle_t t;
    hash_t *leaves = build_tree(&t, SMALL + 1);
    hash_t roots[SMALL + 2];
    for (uint64_t n = 0; n <= SMALL + 1; n++)
        merkle_root(&t, n, roots[n]);
    for (uint64_t n = 1; n <= SMALL; n++) {
        for (uint64_t i = 0; i < n; i++) {
            hash_t path[MERKLE_MAX_PATH], want[MERKLE_MAX_PATH];
            int len = merkle_inclusion(&t, i, n, path);
            int wlen = ref_path(leaves, i, 0, n, want);
            assert_int_equal(len, wlen);
            assert_true(len >= 0 && len < MERKLE_MAX_PATH);
            if (len) assert_memory_equal(path, want, (size_t)len * 32);
            /* The proof holds. */
            assert_int_equal(
                merkle_verify_inclusion(i, n, leaves[i], (const hash_t *)path, len, roots[n]), 0);
            /* Any one bit flipped in any one hash breaks it. */
            for (int j = 0; j < len; j++) {
                path[j][j % 32] ^= 0x01;
                assert_int_equal(
                    merkle_verify_inclusion(i, n, leaves[i], (const hash_t *)path, len, roots[n]),
                    -1);
                path[j][j % 32] ^= 0x01;
            }
            /* Wrong leaf, wrong root. */
            hash_t bad;
            memcpy(bad, leaves[i], 32);
            bad[31] ^= 0x80;
            assert_int_equal(
                merkle_verify_inclusion(i, n, bad, (const hash_t *)path, len, roots[n]), -1);
            memcpy(bad, roots[n], 32);
            bad[0] ^= 0x80;
            assert_int_equal(
                merkle_verify_inclusion(i, n, leaves[i], (const hash_t *)path, len, bad), -1);
            /* Wrong index with the same leaf and path, and the neighbour's leaf. */
            for (uint64_t k = 0; k < n; k++) {
                if (k == i) continue;
                assert_int_equal(
                    merkle_verify_inclusion(k, n, leaves[i], (const hash_t *)path, len, roots[n]),
                    -1);
                assert_int_equal(
                    merkle_verify_inclusion(i, n, leaves[k], (const hash_t *)path, len, roots[n]),
                    -1);
            }
            /* Index outside the tree. */
            assert_int_equal(
                merkle_verify_inclusion(n, n, leaves[i], (const hash_t *)path, len, roots[n]), -1);
            /* Wrong size, checked against the real root of that size. */
            assert_int_equal(merkle_verify_inclusion(i, n + 1, leaves[i], (const hash_t *)path, len,
                                                     roots[n + 1]),
                             -1);
            if (i < n - 1)
                assert_int_equal(merkle_verify_inclusion(i, n - 1, leaves[i], (const hash_t *)path,
                                                         len, roots[n - 1]),
                                 -1);
            /* Truncated and extended paths. */
            if (len > 0)
                assert_int_equal(merkle_verify_inclusion(i, n, leaves[i], (const hash_t *)path,
                                                         len - 1, roots[n]),
                                 -1);
            memcpy(path[len], leaves[0], 32);
            assert_int_equal(
                merkle_verify_inclusion(i, n, leaves[i], (const hash_t *)path, len + 1, roots[n]),
                -1);
        }
    }
    merkle_release(&t);
    free(leaves);
}

static void merkle_consistency_all(void **state)
{
    (void)state;
    merkle_t t;
    hash_t *leaves = build_tree(&t, SMALL + 1);
    hash_t roots[SMALL + 2];
    for (uint64_t n = 0; n <= SMALL + 1; n++)
        merkle_root(&t, n, roots[n]);
    for (uint64_t n = 1; n <= SMALL; n++) {
        for (uint64_t m = 1; m <= n; m++) {
            hash_t path[MERKLE_MAX_PATH + 1], want[MERKLE_MAX_PATH];
            int len = merkle_consistency(&t, m, n, path);
            int wlen = m == n ? 0 : ref_subproof(leaves, m, 0, n, 1, want);
            assert_int_equal(len, wlen);
            assert_true(len >= 0 && len < MERKLE_MAX_PATH);
            if (len) assert_memory_equal(path, want, (size_t)len * 32);
            assert_int_equal(
                merkle_verify_consistency(m, n, roots[m], roots[n], (const hash_t *)path, len), 0);
            if (m == n) {
                /* Equal sizes: empty proof and equal roots only. */
                assert_int_equal(merkle_verify_consistency(m, n, roots[m], roots[m - 1],
                                                           (const hash_t *)path, 0),
                                 -1);
                memcpy(path[0], roots[m], 32);
                assert_int_equal(
                    merkle_verify_consistency(m, n, roots[m], roots[n], (const hash_t *)path, 1),
                    -1);
                continue;
            }
            for (int j = 0; j < len; j++) {
                path[j][(j * 7) % 32] ^= 0x04;
                assert_int_equal(
                    merkle_verify_consistency(m, n, roots[m], roots[n], (const hash_t *)path, len),
                    -1);
                path[j][(j * 7) % 32] ^= 0x04;
            }
            /* Roots swapped or altered. */
            assert_int_equal(
                merkle_verify_consistency(m, n, roots[n], roots[m], (const hash_t *)path, len), -1);
            hash_t bad;
            memcpy(bad, roots[m], 32);
            bad[5] ^= 1;
            assert_int_equal(
                merkle_verify_consistency(m, n, bad, roots[n], (const hash_t *)path, len), -1);
            memcpy(bad, roots[n], 32);
            bad[5] ^= 1;
            assert_int_equal(
                merkle_verify_consistency(m, n, roots[m], bad, (const hash_t *)path, len), -1);
            /* Wrong sizes, each with the real root of that size. */
            assert_int_equal(merkle_verify_consistency(m, n + 1, roots[m], roots[n + 1],
                                                       (const hash_t *)path, len),
                             -1);
            assert_int_equal(merkle_verify_consistency(m + 1, n, roots[m + 1], roots[n],
                                                       (const hash_t *)path, len),
                             -1);
            if (m > 1)
                assert_int_equal(merkle_verify_consistency(m - 1, n, roots[m - 1], roots[n],
                                                           (const hash_t *)path, len),
                                 -1);
            if (n - 1 > m)
                assert_int_equal(merkle_verify_consistency(m, n - 1, roots[m], roots[n - 1],
                                                           (const hash_t *)path, len),
                                 -1);
            assert_int_equal(
                merkle_verify_consistency(0, n, roots[0], roots[n], (const hash_t *)path, len), -1);
            assert_int_equal(
                merkle_verify_consistency(n, m, roots[n], roots[m], (const hash_t *)path, len), -1);
            /* Truncated, empty and extended paths. */
            assert_int_equal(
                merkle_verify_consistency(m, n, roots[m], roots[n], (const hash_t *)path, len - 1),
                -1);
            assert_int_equal(
                merkle_verify_consistency(m, n, roots[m], roots[n], (const hash_t *)path, 0), -1);
            memcpy(path[len], leaves[0], 32);
            assert_int_equal(
                merkle_verify_consistency(m, n, roots[m], roots[n], (const hash_t *)path, len + 1),
                -1);
        }
    }
    merkle_release(&t);
    free(leaves);
}

static void merkle_proof_bad_arguments(void **state)
{
    (void)state;
    merkle_t t;
    hash_t *leaves = build_tree(&t, 10);
    hash_t path[MERKLE_MAX_PATH];
    assert_int_equal(merkle_inclusion(&t, 5, 5, path), -1);    /* i == n */
    assert_int_equal(merkle_inclusion(&t, 9, 5, path), -1);    /* i > n */
    assert_int_equal(merkle_inclusion(&t, 0, 11, path), -1);   /* n > size */
    assert_int_equal(merkle_inclusion(&t, 0, 0, path), -1);    /* empty tree */
    assert_int_equal(merkle_consistency(&t, 0, 5, path), -1);  /* m == 0 */
    assert_int_equal(merkle_consistency(&t, 6, 5, path), -1);  /* m > n */
    assert_int_equal(merkle_consistency(&t, 5, 11, path), -1); /* n > size */
    assert_int_equal(merkle_consistency(&t, 7, 7, path), 0);   /* equal: empty */
    assert_int_equal(merkle_consistency(&t, 10, 10, path), 0);
    /* A one-leaf tree: the leaf is the root, the path is empty. */
    assert_int_equal(merkle_inclusion(&t, 0, 1, path), 0);
    assert_int_equal(merkle_verify_inclusion(0, 1, leaves[0], (const hash_t *)path, 0, leaves[0]),
                     0);
    assert_int_equal(merkle_verify_inclusion(0, 1, leaves[0], (const hash_t *)path, 0, leaves[1]),
                     -1);
    assert_int_equal(merkle_verify_inclusion(0, 0, leaves[0], (const hash_t *)path, 0, leaves[0]),
                     -1);
    merkle_release(&t);
    free(leaves);
}

static void merkle_release_and_reuse(void **state)
{
    (void)state;
    merkle_t t;
    hash_t leaves[8], root;
    build_vector_tree(&t, leaves);
    merkle_release(&t);
    assert_int_equal(t.size, 0);
    merkle_root(&t, 0, root);
    assert_hash_hex(root, root_hex[0]);
    for (int i = 0; i < 5; i++)
        assert_int_equal(merkle_append(&t, leaves[i]), 0);
    merkle_root(&t, 5, root);
    assert_hash_hex(root, root_hex[5]);
    merkle_release(&t);
}

/* ---- tests: a large tree ---- */

#define LARGE 100000

static void merkle_large_tree(void **state)
{
    (void)state;
    merkle_t t;
    hash_t *leaves = build_tree(&t, LARGE);
    hash_t got, want;
    merkle_root(&t, LARGE, got);
    ref_mth(leaves, 0, LARGE, want);
    assert_memory_equal(got, want, 32);

    /* Prefixes around the growth and power-of-two boundaries. */
    static const uint64_t sizes[] = {1,    2,    3,     1023,  1024,  1025, 2047,
                                     2048, 2049, 65535, 65536, 65537, 99999};
    hash_t roots[sizeof sizes / sizeof sizes[0]];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        merkle_root(&t, sizes[s], roots[s]);
        ref_mth(leaves, 0, sizes[s], want);
        assert_memory_equal(roots[s], want, 32);
    }

    /* Inclusion proofs at the edges and in the middle. */
    static const uint64_t idx[] = {0, 1, 1023, 1024, 65535, 65536, 99998, 99999};
    for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++) {
        hash_t path[MERKLE_MAX_PATH], rp[MERKLE_MAX_PATH];
        int len = merkle_inclusion(&t, idx[k], LARGE, path);
        assert_int_equal(len, ref_path(leaves, idx[k], 0, LARGE, rp));
        assert_memory_equal(path, rp, (size_t)len * 32);
        assert_int_equal(
            merkle_verify_inclusion(idx[k], LARGE, leaves[idx[k]], (const hash_t *)path, len, got),
            0);
        path[len / 2][0] ^= 1;
        assert_int_equal(
            merkle_verify_inclusion(idx[k], LARGE, leaves[idx[k]], (const hash_t *)path, len, got),
            -1);
    }

    /* Consistency from each sampled prefix to the whole tree. */
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        hash_t path[MERKLE_MAX_PATH], rp[MERKLE_MAX_PATH];
        int len = merkle_consistency(&t, sizes[s], LARGE, path);
        assert_int_equal(len, ref_subproof(leaves, sizes[s], 0, LARGE, 1, rp));
        assert_memory_equal(path, rp, (size_t)len * 32);
        assert_int_equal(
            merkle_verify_consistency(sizes[s], LARGE, roots[s], got, (const hash_t *)path, len),
            0);
        assert_int_equal(merkle_verify_consistency(sizes[s], LARGE, roots[s], roots[s],
                                                   (const hash_t *)path, len),
                         -1);
    }
    merkle_release(&t);
    free(leaves);
}

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merkle_leaf_hash_vectors),
        cmocka_unit_test(merkle_node_hash_vectors),
        cmocka_unit_test(merkle_root_empty),
        cmocka_unit_test(merkle_root_vectors),
        cmocka_unit_test(merkle_root_prefixes),
        cmocka_unit_test(merkle_inclusion_vectors),
        cmocka_unit_test(merkle_consistency_vectors),
        cmocka_unit_test(merkle_root_matches_reference),
        cmocka_unit_test(merkle_inclusion_all),
        cmocka_unit_test(merkle_consistency_all),
        cmocka_unit_test(merkle_proof_bad_arguments),
        cmocka_unit_test(merkle_release_and_reuse),
        cmocka_unit_test(merkle_large_tree),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
