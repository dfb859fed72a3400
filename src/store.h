/*
 * store.h — durable storage behind one interface. store_sqlite.c is the
 * embedded default (SQLite in WAL mode, synchronous=FULL: a commit is on disk
 * when it returns).
 *
 * Schema (the log is the truth; everything else is side data):
 *
 *   table        column      meaning
 *   events       seq         1, 2, 3, ... without gaps (leaf index = seq - 1)
 *                bytes       the event's canonical JSON bytes, exactly as hashed
 *                hash        RFC 6962 leaf hash of bytes, 32 bytes
 *   heads        size        tree size the head signs
 *                time        ms since the epoch
 *                root, sig   Merkle root (32 bytes), Ed25519 signature (64 bytes)
 *   credentials  username    argon2id hash string (kept out of the log on purpose:
 *                hash        the log is shown to people; password hashes are not)
 *   sessions     token_hash  SHA-256 of the bearer token (the token itself is never stored)
 *                username, expires
 *
 * The writer connection belongs to the log's writer thread (or to a CLI
 * command when no server runs); every other use goes through the side
 * connection, which the store guards with a mutex.
 */
#ifndef TRUCE_STORE_H
#define TRUCE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "util.h"

typedef struct store store_t;

typedef struct {
    uint64_t seq;
    const char *bytes; /* borrowed */
    size_t len;
    hash_t hash;
} store_event_t;

typedef struct {
    uint64_t size;
    int64_t time;
    hash_t root;
    uint8_t sig[64];
} store_head_t;

typedef struct {
    const char *username; /* borrowed */
    const char *hash;
} store_cred_t;

/* Opens DIR/truce.db, creating the schema when create is set. */
int store_open(const char *dir, int create, store_t **out, err_t *e);
void store_close(store_t *s);

/* One transaction: the events, the credentials and, when head is not NULL,
 * the head. Durable when it returns 0. */
int store_append(store_t *s, const store_event_t *ev, size_t n, const store_cred_t *cred,
                 size_t ncred, const store_head_t *head);

/* Calls fn for every event with seq >= from, in order, on the given
 * connection (writer = 1 only while no writer thread runs). fn returns
 * nonzero to stop. Bytes are valid only during the call. */
int store_scan(store_t *s, int writer, uint64_t from, int (*fn)(void *, const store_event_t *),
               void *arg);
uint64_t store_count(store_t *s);
/* The bytes of event seq (NUL-terminated; caller frees), or NULL. */
char *store_get(store_t *s, uint64_t seq, size_t *len);
/* The stored head that signs exactly `size` events; -1 when none. */
int store_head_at(store_t *s, uint64_t size, store_head_t *out);
/* Calls fn for every stored head in size order. */
int store_heads(store_t *s, int (*fn)(void *, const store_head_t *), void *arg);

int store_cred_get(store_t *s, const char *username, char *out, size_t cap);

int store_session_put(store_t *s, const hash_t token_hash, const char *username, int64_t expires);
/* Fills username (cap bytes) and expires; -1 when absent. */
int store_session_get(store_t *s, const hash_t token_hash, char *username, size_t cap,
                      int64_t *expires);
int store_session_del(store_t *s, const hash_t token_hash);
int store_session_del_user(store_t *s, const char *username);

/* Corrupts nothing: used by tests and `truce verify` to read raw rows. */
const char *store_path(store_t *s);

#endif
