/*
 * proof.c — inclusion-proof time on a Merkle tree of a million leaves.
 *
 *   build/bench/proof [LEAVES] [PROOFS]      (defaults 1000000 and 200000)
 *
 * Builds a merkle_t of LEAVES leaf hashes (merkle_append), then times
 * merkle_inclusion for random leaf indices against the whole tree (the
 * current head, what a receipt carries) and against random older sizes
 * (proofs for an older signed head), merkle_verify_inclusion on the client
 * side, merkle_root and merkle_consistency. Every proof made is also
 * verified, and the count of proofs that verify is printed (a figure, not
 * an assertion).
 */
#include <sodium.h>

#include "bench.h"
#include "merkle.h"

#define TARGET_US 50.0

static void report(const char *what, uint64_t *lat, size_t n, double total_ns, int target)
{
    double mean = total_ns / (double)n / 1e3;
    uint64_t p50 = bench_pct(lat, n, 50), p99 = bench_pct(lat, n, 99), mx = lat[n - 1];
    char t[80] = "target: none";
    if (target)
        snprintf(t, sizeof t, "target <= %.0f us per proof: %s", TARGET_US,
                 mean <= TARGET_US && p99 / 1e3 <= TARGET_US ? "MET" : "MISSED");
    printf("%-44s mean %7.2f us  p50 %7.2f us  p99 %7.2f us  max %7.1f us   [%s]\n", what, mean,
           p50 / 1e3, p99 / 1e3, mx / 1e3, t);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    uint64_t leaves = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t proofs = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 200000;
    if (leaves < 2) leaves = 2;
    if (proofs < 1) proofs = 1;

    merkle_t t;
    merkle_init(&t);
    hash_t *leaf = malloc(leaves * sizeof *leaf);
    uint64_t *lat = malloc(proofs * sizeof *lat);
    if (!leaf || !lat) return 1;
    uint64_t t0 = bench_ns();
    for (uint64_t i = 0; i < leaves; i++) {
        char b[32];
        int n = snprintf(b, sizeof b, "leaf %llu", (unsigned long long)i);
        merkle_leaf_hash(b, (size_t)n, leaf[i]);
    }
    uint64_t t1 = bench_ns();
    for (uint64_t i = 0; i < leaves; i++)
        if (merkle_append(&t, leaf[i])) {
            fprintf(stderr, "proof: out of memory at %llu leaves\n", (unsigned long long)i);
            return 1;
        }
    uint64_t t2 = bench_ns();
    printf("merkle build: %llu leaves: leaf hashing %.0f ns/leaf, merkle_append %.0f ns/leaf\n",
           (unsigned long long)leaves, (double)(t1 - t0) / (double)leaves,
           (double)(t2 - t1) / (double)leaves);

    hash_t root, path[MERKLE_MAX_PATH];
    uint64_t a = bench_ns();
    for (int i = 0; i < 1000; i++) merkle_root(&t, leaves - (uint64_t)(i % 2), root);
    printf("merkle_root of %llu leaves: %.2f us\n", (unsigned long long)leaves,
           (double)(bench_ns() - a) / 1000 / 1e3);
    merkle_root(&t, leaves, root);

    /* 1. Proofs against the current head (size = leaves). */
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    uint64_t *idx = malloc(proofs * sizeof *idx);
    if (!idx) return 1;
    for (size_t k = 0; k < proofs; k++) idx[k] = bench_rand(&seed) % leaves;
    int len = 0;
    double total = 0;
    for (size_t k = 0; k < proofs; k++) {
        uint64_t s = bench_ns();
        len = merkle_inclusion(&t, idx[k], leaves, path);
        uint64_t d = bench_ns() - s;
        lat[k] = d;
        total += (double)d;
    }
    char what[96];
    snprintf(what, sizeof what, "merkle_inclusion, %llu leaves, head size:", (unsigned long long)leaves);
    report(what, lat, proofs, total, 1);
    /* Loop without per-call clocks, for the mean without timer overhead. */
    a = bench_ns();
    for (size_t k = 0; k < proofs; k++) len += merkle_inclusion(&t, idx[k], leaves, path) > 0;
    printf("%-44s mean %7.2f us (no per-call timer)          path length %d   [target <= %.0f us]\n",
           "merkle_inclusion, batch loop:", (double)(bench_ns() - a) / (double)proofs / 1e3,
           merkle_inclusion(&t, idx[0], leaves, path), TARGET_US);

    /* 2. Client-side verification of those proofs (and a correctness count). */
    size_t ok = 0;
    total = 0;
    for (size_t k = 0; k < proofs; k++) {
        int np = merkle_inclusion(&t, idx[k], leaves, path);
        uint64_t s = bench_ns();
        int v = merkle_verify_inclusion(idx[k], leaves, leaf[idx[k]], (const hash_t *)path, np, root);
        uint64_t d = bench_ns() - s;
        ok += v == 0;
        lat[k] = d;
        total += (double)d;
    }
    report("merkle_verify_inclusion (client side):", lat, proofs, total, 0);
    printf("proofs that verify against the root: %zu of %zu\n", ok, proofs);

    /* 3. Proofs against older heads: random size n, random i < n. */
    uint64_t *sz = malloc(proofs * sizeof *sz);
    if (!sz) return 1;
    for (size_t k = 0; k < proofs; k++) {
        sz[k] = 1 + bench_rand(&seed) % leaves;
        idx[k] = bench_rand(&seed) % sz[k];
    }
    total = 0;
    for (size_t k = 0; k < proofs; k++) {
        uint64_t s = bench_ns();
        merkle_inclusion(&t, idx[k], sz[k], path);
        uint64_t d = bench_ns() - s;
        lat[k] = d;
        total += (double)d;
    }
    report("merkle_inclusion, random older head size:", lat, proofs, total, 1);

    /* 4. Consistency proofs from a random older size to the head. */
    total = 0;
    size_t nc = proofs < 50000 ? proofs : 50000;
    for (size_t k = 0; k < nc; k++) {
        uint64_t s = bench_ns();
        merkle_consistency(&t, sz[k], leaves, path);
        uint64_t d = bench_ns() - s;
        lat[k] = d;
        total += (double)d;
    }
    report("merkle_consistency, random size -> head:", lat, nc, total, 0);
    (void)len;
    free(sz);
    free(idx);
    free(lat);
    free(leaf);
    merkle_release(&t);
    return 0;
}
