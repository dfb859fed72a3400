/*
 * record.h — small helpers for the domain modules' records, which are
 * jansson objects (notify, isf, ops, journal): typed reads of members, times
 * as RFC 3339 members, and one interner for label sets that thousands of
 * records share.
 */
#ifndef TRUCE_RECORD_H
#define TRUCE_RECORD_H

#include <jansson.h>
#include <stdint.h>

#include "util.h"

/* The string member key of o, or NULL (o may be NULL). */
const char *rec_str(const json_t *o, const char *key);
/* The RFC 3339 member key of o in ms since the epoch; 0 when absent. */
int64_t rec_time(const json_t *o, const char *key);
void rec_set_time(json_t *o, const char *key, int64_t ms);
/* Whether the array a holds the string s. */
int rec_has(const json_t *a, const char *s);
/* The copy of labels kept in table (an object the caller owns), made on
 * first use; borrowed, valid as long as the table. */
json_t *labels_intern(json_t *table, const json_t *labels);

/* The number of an id "PREFIX-n" (prefix with its dash), or 0. */
uint64_t rec_id_num(const char *id, const char *prefix);
/* The index of s in the NULL-terminated list v, or -1. */
int rec_index(const char *const *v, const char *s);
/* Whether w is one of the space-separated words of list. */
int rec_word_in(const char *list, const char *w);
/* Appends a module's snapshot (compact JSON of all, which it takes) to b;
 * 0 or -1. */
int rec_save_json(buf_t *b, json_t *all);

/* A module's snapshot as a table of the members of its state: collections
 * (objects of records, merged into the state's on load) and counters. */
typedef struct {
    const char *name;
    size_t off;                 /* offsetof the member in the module's state */
    enum { SNAP_OBJECT, SNAP_U64, SNAP_REAL } type;
} snap_field_t;
#define SNAP_N(table) (sizeof(table) / sizeof((table)[0]))
/* The snapshot object of state (new reference): each field by its name. */
json_t *rec_snap_pack(const void *state, const snap_field_t *f, size_t n);
/* Parses a snapshot and sets state's fields from it; the parsed object
 * (new reference, for members beyond the table) or NULL when unreadable. */
json_t *rec_snap_load(void *state, const snap_field_t *f, size_t n, const char *p, size_t len);

#endif
