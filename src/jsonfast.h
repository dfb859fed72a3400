/*
 * jsonfast.h — a strict JSON parser that builds jansson values, for the log.
 * Replay parses every event once; jansson's own parser measured 8.9 µs for a
 * 259-byte event here, of which 1.7 µs is building the values. This parser
 * does the rest of the work in a single pass over a buffer. It accepts
 * standard JSON (RFC 8259) and refuses anything else, including invalid
 * UTF-8, with NULL; it refuses some valid JSON that jansson accepts (nesting
 * deeper than 64, reals below the normal range), never the reverse, and
 * builds the same values (tests/unit/jsonfast_test.c checks both).
 */
#ifndef TRUCE_JSONFAST_H
#define TRUCE_JSONFAST_H

#include <jansson.h>
#include <stddef.h>

/* New reference, or NULL when s[0..n) is not exactly one JSON value. */
json_t *jsonfast_parse(const char *s, size_t n);
/* A request body: as jsonfast_parse, but only an object or an array, and no
 * object with a repeated key, as json_loadb(s, n, JSON_REJECT_DUPLICATES)
 * reads it. NULL: ask jansson, which accepts a little more and says why
 * when it refuses. */
json_t *jsonfast_parse_request(const char *s, size_t n);

/* A log event's envelope. */
typedef struct {
    const char *actor, *kind, *org, *subject, *time;
    long long seq;
    json_t *body, *labels;
} jsonfast_event_t;

/* Parses canonical event bytes. Returns a holder (new reference) that owns
 * everything ev points to, or NULL when the bytes are not an event object
 * with string actor, kind, org, subject and time, integer seq and v, object
 * body and array labels. */
json_t *jsonfast_parse_event(const char *s, size_t n, jsonfast_event_t *ev);

#endif
