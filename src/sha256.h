/*
 * sha256.h — SHA-256 for the log's hot paths. The log hashes every event and
 * every tree node; libsodium's portable SHA-256 measured 2.7 µs for a 259-byte
 * event on this machine, the CPU's SHA extensions do it in a fraction of
 * that. sha256_cat() uses them when the CPU has them (checked once, and checked
 * against libsodium at start) and libsodium otherwise.
 */
#ifndef TRUCE_SHA256_H
#define TRUCE_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256 of a || b (either may be empty). */
void sha256_cat(const void *a, size_t na, const void *b, size_t nb, uint8_t out[32]);
/* 1 when the hardware path is in use. */
int sha256_hw(void);

#endif
