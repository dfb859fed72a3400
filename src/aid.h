/*
 * aid.h — aid flow: the scenario's crossings and their status, and
 * consignments from the perimeter to delivery (or interception, or return),
 * against the agreement's daily target (docs/monitoring.md).
 *
 * Aid figures are for everyone: consignments and crossings are labelled
 * "all". Each consignment is a jansson record and a compact row (csg_t) the
 * figures scan. Guarded by t->lock.
 */
#ifndef TRUCE_AID_H
#define TRUCE_AID_H

#include "http.h"

int h_crossings_list(req_t *r);
int h_crossing_status(req_t *r);
int h_consignments_list(req_t *r);
int h_consignments_add(req_t *r);
int h_consignment_get(req_t *r);
int h_consignment_status(req_t *r);
int h_stats_aid(req_t *r);

extern const field_t consignment_fields[], consignment_status_fields[], crossing_status_fields[];

/* A consignment's record (NULL when there is none); borrowed, under the lock. */
json_t *aid_consignment(truce_t *t, const char *id);
/* Scenario loading (who == NULL; arg may carry "org" and "steps":
 * [{"status", "at", ...}] already taken). */
int aid_prepare_scenario(truce_t *t, cmd_t *c, err_t *e);
/* The day's aid figures (new members of out), and the feed since a time:
 * at most limit items, newest (by when they were recorded) first. */
void aid_sitrep(truce_t *t, int32_t day, json_t *out);
void aid_feed(truce_t *t, int64_t since, size_t limit, json_t *items);
/* Trucks crossed on each day d0..d1 (n = d1 - d0 + 1 ints). */
void aid_trucks_per_day(truce_t *t, int32_t d0, int32_t d1, int *out);

#endif
