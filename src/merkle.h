/*
 * merkle.h — RFC 6962 / RFC 9162 Merkle tree over SHA-256.
 *
 *   leaf hash  = SHA-256(0x00 || leaf bytes)
 *   node hash  = SHA-256(0x01 || left || right)
 *   MTH({})    = SHA-256("")
 *
 * The tree keeps, for every level k, the hashes of the complete, aligned
 * subtrees of 2^k leaves (level 0 is the leaves). Any subtree hash the proofs
 * need is then either one array lookup or, on the right edge, O(log n) of them:
 * proofs cost microseconds at millions of leaves. Memory: about 2 * 32 bytes a
 * leaf. The tree owns its arrays; merkle_release() frees them.
 *
 * Not thread-safe: the log guards it with its own lock.
 */
#ifndef TRUCE_MERKLE_H
#define TRUCE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH 32
#define MERKLE_MAX_PATH 64

typedef uint8_t hash_t[MERKLE_HASH];

typedef struct {
    hash_t *nodes[MERKLE_MAX_PATH]; /* nodes[k][i]: subtree of leaves [i*2^k, (i+1)*2^k) */
    uint64_t count[MERKLE_MAX_PATH];
    uint64_t cap[MERKLE_MAX_PATH];
    uint64_t size; /* leaves */
} merkle_t;

void merkle_leaf_hash(const void *data, size_t len, hash_t out);
void merkle_node_hash(const hash_t l, const hash_t r, hash_t out);

void merkle_init(merkle_t *t);
void merkle_release(merkle_t *t);
/* Appends a leaf hash. 0, or -1 when out of memory (the tree is unchanged). */
int merkle_append(merkle_t *t, const hash_t leaf);
/* Root of the first n leaves (n <= size). */
void merkle_root(const merkle_t *t, uint64_t n, hash_t out);
/* Inclusion proof of leaf index i in the tree of the first n leaves.
 * Writes up to MERKLE_MAX_PATH hashes; returns how many, or -1 if i >= n or n > size. */
int merkle_inclusion(const merkle_t *t, uint64_t i, uint64_t n, hash_t path[MERKLE_MAX_PATH]);
/* Consistency proof between the first m and first n leaves (0 < m <= n <= size). */
int merkle_consistency(const merkle_t *t, uint64_t m, uint64_t n, hash_t path[MERKLE_MAX_PATH]);

/* Verifiers (RFC 9162 2.1.3.2 and 2.1.4.2): 0 when the proof holds, -1 otherwise. */
int merkle_verify_inclusion(uint64_t i, uint64_t n, const hash_t leaf, const hash_t *path,
                            int len, const hash_t root);
int merkle_verify_consistency(uint64_t m, uint64_t n, const hash_t root1, const hash_t root2,
                              const hash_t *path, int len);

#endif
