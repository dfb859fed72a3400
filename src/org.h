/*
 * org.h — the mission and its command structure as data: the mission
 * settings, organisations, positions (with several superiors each), persons
 * (with several positions each: dual hats), who holds what, and the mission's
 * geography (boundary, sectors, lines, crossings). All of it is a projection
 * of org.* / mission.* / geo.* events, visible to every account.
 */
#ifndef TRUCE_ORG_H
#define TRUCE_ORG_H

#include "http.h"
#include "truce.h"

int org_exists(truce_t *t, const char *id);
int org_person_exists(truce_t *t, const char *id);
int org_position_exists(truce_t *t, const char *id);
int org_sector_exists(truce_t *t, const char *id);
/* Positions held by a person, as a new JSON array of ids. */
json_t *org_positions_of(truce_t *t, const char *person);
/* Organisations as [{id, name, kind}]; new reference, under the lock. */
json_t *org_list(truce_t *t);
/* The mission (id, name, timezone, settings...), borrowed; NULL before it
 * is configured. */
json_t *org_mission(truce_t *t);
/* Geographic features by id (GeoJSON Features with properties.layer),
 * borrowed while the lock is held. */
json_t *org_features(truce_t *t);
/* Positions by id (title, org, reports_to, authority, holder), borrowed. */
json_t *org_positions(truce_t *t);
/* The mission's time zone ("Asia/Gaza"), borrowed while the lock is held. */
const char *org_timezone(truce_t *t);
/* An organisation's kind, borrowed while the lock is held; NULL when unknown. */
const char *org_kind(truce_t *t, const char *id);

/* Loads scenarios/NAME into the log as events (init). */
int scenario_load(truce_t *t, const char *dir, json_t **accounts, err_t *e);

int h_mission_get(req_t *r);
int h_org_get(req_t *r);
int h_geo_get(req_t *r);
int h_org_add(req_t *r);
int h_position_add(req_t *r);
int h_person_add(req_t *r);
int h_position_holder(req_t *r);
int h_position_lines(req_t *r);
extern const field_t org_fields[], position_fields[], person_fields[], holder_fields[],
    lines_fields[];

/* Commands the scenario loader shares with the API. */
int org_prepare_org(truce_t *t, cmd_t *c, err_t *e);
int org_prepare_position(truce_t *t, cmd_t *c, err_t *e);
int org_prepare_person(truce_t *t, cmd_t *c, err_t *e);
int org_prepare_holder(truce_t *t, cmd_t *c, err_t *e);
int org_prepare_feature(truce_t *t, cmd_t *c, err_t *e);
int org_prepare_mission(truce_t *t, cmd_t *c, err_t *e);

#endif
