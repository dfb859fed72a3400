/*
 * log.h — the event log: sealing, the single writer with group commit, the
 * Merkle tree, signed tree heads, receipts, replay, and the feed the event
 * stream reads.
 *
 * Signed tree head: Ed25519 over the 60 bytes
 *     "truce-sth-v1" (12 ASCII bytes) || size (8, big-endian)
 *     || time in ms since the epoch (8, big-endian) || root (32)
 * A receipt is {"seq","leaf_index","event","leaf_hash","proof":[hex],"head":{...},"key"}
 * where "event" is the canonical event bytes as a JSON string; anyone with the
 * public key checks it with `truce verify-receipt` or any RFC 9162 verifier.
 *
 * Files in the data folder: server.key (Ed25519 secret key, hex, mode 0600),
 * server.pub (public key, hex).
 */
#ifndef TRUCE_LOG_H
#define TRUCE_LOG_H

#include "truce.h"

#define LOG_HEAD_MSG 60

/* Loads or (create) makes the key, then replays the store into state. */
int log_open(truce_t *t, int create, err_t *e);
void log_close(truce_t *t);
/* Starts and stops the writer thread. Without it, log_submit runs inline. */
int log_start(truce_t *t);
void log_stop(truce_t *t);

/* Runs the commands in order (one batch when inline). Returns 0 when every
 * command succeeded; each command's err says how it ended. Blocks until the
 * events are durable. */
int log_submit(truce_t *t, cmd_t *c);
int log_submit_many(truce_t *t, cmd_t **cmds, int n);
/* Queues c (c->on_durable set) and returns at once: the writer calls
 * c->on_durable(c) when the batch holding c is durable or c failed (c->err
 * says which). -1 (c->err set, on_durable never called) when the log is
 * stopping. c must stay valid until on_durable is called. */
int log_submit_async(truce_t *t, cmd_t *c);
/* fn(t) runs on the writer after every batch that made events durable,
 * under the log's queue lock: it must not block nor call into the log but
 * for log_durable(). NULL: none; once this returns, the old fn is done. */
void log_set_durable_hook(truce_t *t, void (*fn)(truce_t *t));

uint64_t log_durable(truce_t *t);
void log_wait_durable(truce_t *t, uint64_t seq);

/* The current signed head as JSON {"size","root","timestamp","signature"}. */
json_t *log_head_json(truce_t *t);
/* Receipt for event seq against the current head; NULL when seq is unknown.
 * Reads the event bytes from the store when not in the recent feed. The
 * caller decides visibility (labels_out gets the event's labels, new ref). */
json_t *log_receipt(truce_t *t, uint64_t seq, json_t **labels_out);
/* The same receipt appended to out as JSON text; 0, or -1 when unknown. */
int log_receipt_buf(truce_t *t, uint64_t seq, buf_t *out, json_t **labels_out);
/* Consistency proof between sizes m and n (n = 0: the current head). */
json_t *log_consistency(truce_t *t, uint64_t m, uint64_t n, err_t *e);
void log_pubkey_hex(truce_t *t, char out[65]);
void log_head_message(uint64_t size, int64_t time_ms, const hash_t root,
                      uint8_t out[LOG_HEAD_MSG]);

/* The feed: events after seq `after`, as (seq, kind, bytes, labels). Waits up
 * to timeout_ms for one to be durable. fn is called for each, in order, with
 * borrowed values; returns the last seq seen (or after). */
typedef void (*log_feed_fn)(void *arg, uint64_t seq, const char *kind, const char *bytes,
                            const json_t *labels);
uint64_t log_feed(truce_t *t, uint64_t after, int timeout_ms, int max, log_feed_fn fn, void *arg);
int log_stopping(truce_t *t);

/* Metrics. */
typedef struct {
    uint64_t size, batches, fsyncs, events;
    uint64_t batch_hist[8]; /* batch sizes <=1,2,4,8,16,32,64,+Inf */
} log_stats_t;
void log_stats(truce_t *t, log_stats_t *out);

/* `truce verify DIR`: 0 intact (summary filled), 1 altered (summary names it). */
int log_verify_dir(const char *dir, buf_t *summary);
/* `truce verify-receipt`: 0 valid, -1 otherwise (why filled). */
int log_verify_receipt(const json_t *receipt, const uint8_t pk[32], buf_t *why);

/* Parses canonical event bytes into ev (ev->body etc. borrowed from *root,
 * which the caller decrefs). */
int log_parse_event(const char *bytes, size_t len, event_t *ev, json_t **root);



/* A 32-byte key derived from the signing key for purpose ctx (e.g. "csrf"). */
void log_derive_key(truce_t *t, const char *ctx, uint8_t out[32]);
#endif
