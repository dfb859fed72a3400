/*
 * snapshot.h — a local cache of the projections and the Merkle tree, so a
 * restart replays only the events after it. DIR/snapshot is written at a
 * clean close when anything changed since the last one; it is a cache, never
 * the truth: `truce verify` ignores it, and any doubt (bad MAC, tree root not
 * equal to the stored signed head at its size, a module that cannot load)
 * means a full replay from the log.
 *
 * Layout (native byte order; this machine's cache):
 *   "truce-snapshot-2\n"  u64 seq  i64 last_time
 *   64 x (u64 count, count x 32-byte hashes)       the tree's levels
 *   per module: NUL-terminated name, u64 length, that many bytes
 *   32-byte BLAKE2b MAC of everything before, keyed from the signing key
 *
 * A snapshot is used only when every module has save/load and is in it
 * exactly once. Bump the magic whenever a module's save format changes.
 */
#ifndef TRUCE_SNAPSHOT_H
#define TRUCE_SNAPSHOT_H

#include "truce.h"

/* Writes DIR/snapshot atomically. 0 or -1. */
int snapshot_write(truce_t *t, merkle_t *tree, int64_t last_time);
/* Loads DIR/snapshot into freshly initialised state and tree; returns the
 * snapshot's seq, or 0 when there is none or it cannot be trusted (state and
 * tree are then as before the call). */
uint64_t snapshot_read(truce_t *t, merkle_t *tree, int64_t *last_time);

#endif
