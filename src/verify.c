/*
 * verify.c — checking the log without trusting the server: `truce verify DIR`
 * recomputes every leaf hash and the tree from the stored bytes and checks
 * every stored signed head; `truce verify-receipt` checks one receipt with
 * nothing but the public key.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct {
    merkle_t tree;
    uint64_t expect;
    buf_t *why;
    int bad;
} vstate_t;

static int verify_event(void *arg, const store_event_t *se)
{
    vstate_t *v = arg;
    hash_t h;
    if (se->seq != v->expect) {
        buf_addf(v->why, "ALTERED: event %llu is missing (the store jumps to %llu)",
                 (unsigned long long)v->expect, (unsigned long long)se->seq);
        v->bad = 1;
        return 1;
    }
    merkle_leaf_hash(se->bytes, se->len, h);
    event_t ev;
    json_t *root;
    int parsed = log_parse_event(se->bytes, se->len, &ev, &root) == 0;
    if (parsed) json_decref(root);
    if (memcmp(h, se->hash, MERKLE_HASH) != 0 || !parsed || ev.seq != se->seq) {
        buf_addf(v->why, "ALTERED: event %llu does not match its recorded hash",
                 (unsigned long long)se->seq);
        v->bad = 1;
        return 1;
    }
    merkle_append(&v->tree, h);
    v->expect++;
    return 0;
}

typedef struct {
    vstate_t *v;
    uint8_t pk[32];
    uint64_t heads, last_good;
} hstate_t;

static int verify_head(void *arg, const store_head_t *h)
{
    hstate_t *hs = arg;
    vstate_t *v = hs->v;
    uint8_t msg[LOG_HEAD_MSG];
    log_head_message(h->size, h->time, h->root, msg);
    if (crypto_sign_verify_detached(h->sig, msg, sizeof msg, hs->pk) != 0) {
        buf_addf(v->why, "ALTERED: the signed tree head at size %llu has a bad signature",
                 (unsigned long long)h->size);
        v->bad = 1;
        return 1;
    }
    if (h->size > v->tree.size) {
        buf_addf(v->why,
                 "ALTERED: a signed head covers %llu events but the store has %llu; "
                 "event %llu onwards was removed",
                 (unsigned long long)h->size, (unsigned long long)v->tree.size,
                 (unsigned long long)v->tree.size + 1);
        v->bad = 1;
        return 1;
    }
    hash_t root;
    merkle_root(&v->tree, h->size, root);
    if (memcmp(root, h->root, MERKLE_HASH) != 0) {
        /* Bytes and hash were both rewritten: the head bounds where. */
        if (h->size == hs->last_good + 1)
            buf_addf(v->why, "ALTERED: event %llu differs from what was signed",
                     (unsigned long long)h->size);
        else
            buf_addf(v->why,
                     "ALTERED: an event between %llu and %llu differs from what was signed",
                     (unsigned long long)hs->last_good + 1, (unsigned long long)h->size);
        v->bad = 1;
        return 1;
    }
    hs->last_good = h->size;
    hs->heads++;
    return 0;
}

int log_verify_dir(const char *dir, buf_t *summary)
{
    err_t e = {0};
    store_t *s;
    if (store_open(dir, 0, &s, &e)) {
        buf_addf(summary, "cannot open the store: %s", e.message);
        return 1;
    }
    vstate_t v = {.expect = 1, .why = summary};
    merkle_init(&v.tree);
    hstate_t hs = {.v = &v};
    buf_t p;
    buf_init(&p);
    buf_addf(&p, "%s/server.pub", dir);
    char *hex = file_read(p.data, NULL);
    buf_release(&p);
    if (!hex || strlen(hex) < 64 || (hex[64] = 0, hex_decode(hex, hs.pk, 32))) {
        buf_adds(summary, "cannot read server.pub");
        free(hex);
        store_close(s);
        return 1;
    }
    free(hex);
    store_scan(s, 1, 1, verify_event, &v);
    if (!v.bad) store_heads(s, verify_head, &hs);
    if (!v.bad) {
        hash_t root;
        char rh[65];
        merkle_root(&v.tree, v.tree.size, root);
        hex_encode(root, MERKLE_HASH, rh);
        buf_addf(summary, "OK: %llu events, %llu signed heads checked, root %s",
                 (unsigned long long)v.tree.size, (unsigned long long)hs.heads, rh);
        if (hs.last_good < v.tree.size)
            buf_addf(summary, " (%llu events after the last stored head, not yet signed on disk)",
                     (unsigned long long)(v.tree.size - hs.last_good));
    }
    merkle_release(&v.tree);
    store_close(s);
    return v.bad;
}

static int get_hash(const json_t *j, hash_t out)
{
    return json_is_string(j) ? hex_decode(json_string_value(j), out, MERKLE_HASH) : -1;
}

int log_verify_receipt(const json_t *rc, const uint8_t pk[32], buf_t *why)
{
    const json_t *ev = json_object_get(rc, "event"), *head = json_object_get(rc, "head");
    const json_t *proof = json_object_get(rc, "proof");
    json_int_t idx = json_integer_value(json_object_get(rc, "leaf_index"));
    if (!json_is_string(ev) || !json_is_object(head) || !json_is_array(proof) ||
        !json_is_integer(json_object_get(rc, "leaf_index"))) {
        buf_adds(why, "not a receipt: needs event, leaf_index, proof and head");
        return -1;
    }
    hash_t leaf, root, path[MERKLE_MAX_PATH];
    merkle_leaf_hash(json_string_value(ev), json_string_length(ev), leaf);
    event_t pe;
    json_t *parsed;
    if (log_parse_event(json_string_value(ev), json_string_length(ev), &pe, &parsed)) {
        buf_adds(why, "the event is not a valid Truce event");
        return -1;
    }
    uint64_t seq = pe.seq;
    char what[128];
    snprintf(what, sizeof what, "%s %s", pe.kind, pe.subject);
    json_decref(parsed);
    if ((uint64_t)idx + 1 != seq) {
        buf_adds(why, "leaf_index does not match the event's seq");
        return -1;
    }
    size_t np = json_array_size(proof);
    if (np > MERKLE_MAX_PATH) {
        buf_adds(why, "proof too long");
        return -1;
    }
    for (size_t i = 0; i < np; i++)
        if (get_hash(json_array_get(proof, i), path[i])) {
            buf_addf(why, "proof[%zu] is not a hash", i);
            return -1;
        }
    json_int_t size = json_integer_value(json_object_get(head, "size"));
    const char *ts = json_string_value(json_object_get(head, "timestamp"));
    const char *sig = json_string_value(json_object_get(head, "signature"));
    int64_t tms;
    uint8_t sigb[64];
    if (size < 1 || !ts || time_parse(ts, &tms) || !sig || hex_decode(sig, sigb, 64) ||
        get_hash(json_object_get(head, "root"), root)) {
        buf_adds(why, "the head is malformed");
        return -1;
    }
    uint8_t msg[LOG_HEAD_MSG];
    log_head_message((uint64_t)size, tms, root, msg);
    if (crypto_sign_verify_detached(sigb, msg, sizeof msg, pk) != 0) {
        buf_adds(why, "the tree head's signature does not verify with this key");
        return -1;
    }
    if (merkle_verify_inclusion((uint64_t)idx, (uint64_t)size, leaf, (const hash_t *)path,
                                (int)np, root)) {
        buf_adds(why, "the inclusion proof does not lead to the signed root");
        return -1;
    }
    buf_addf(why, "OK: event %llu (%s) is in the log of %lld events signed at %s",
             (unsigned long long)seq, what, (long long)size, ts);
    return 0;
}
