/*
 * notify.h — humanitarian notification: sites, the CMCC's no-strike list,
 * movements, ISF unit positions, and the deconfliction check over them
 * (docs/humanitarian.md is the contract).
 *
 * Every notification is two events: the record (location, times, category:
 * labelled for the parties the scenario's sharing rules name) and, when there
 * are any, its details (contact, staff names: labelled for the organisation
 * and the CMCC only). The log's per-event labels then keep the details from
 * everyone else through every route: lists, receipts, the stream, exports.
 *
 * State: records are jansson objects keyed by id (insertion order = id
 * order), with private members starting with "_" (labels, details, the
 * conflicts found at the last change); every spatial record is also an object
 * of the deconfliction engine (deconflict.h). Guarded by t->lock.
 */
#ifndef TRUCE_NOTIFY_H
#define TRUCE_NOTIFY_H

#include "http.h"

int h_places_add(req_t *r);
int h_places_list(req_t *r);
int h_place_get(req_t *r);
int h_place_action(req_t *r);
int h_place_amend(req_t *r);
int h_places_import(req_t *r);
int h_movements_add(req_t *r);
int h_movements_list(req_t *r);
int h_movement_get(req_t *r);
int h_movement_status(req_t *r);
int h_movement_amend(req_t *r);
int h_units_list(req_t *r);
int h_unit_position(req_t *r);
int h_unit_positions(req_t *r);
int h_deconflict_check(req_t *r);

extern const field_t site_fields[], site_amend_fields[], nostrike_fields[], nostrike_amend_fields[],
    ack_fields[], withdraw_fields[], movement_fields[], movement_amend_fields[], mstatus_fields[],
    position_report_fields[], positions_bulk_fields[], check_fields[];

/* For the ISF module (under the lock): the mission plane (NULL before the
 * mission is configured) and a unit's record (org, type, strength, home_base,
 * sector, status, position), borrowed. */
struct geo;
struct geo *notify_geo(truce_t *t);
json_t *notify_unit(truce_t *t, const char *id);
json_t *notify_movement(truce_t *t, const char *id);
json_t *notify_units(truce_t *t);
json_t *notify_site(truce_t *t, const char *id);
json_t *notify_settings(truce_t *t);
/* Whether who may see the object of a conflict (a conflict_json object:
 * kind, id, ...); always for the system (who NULL). Under the lock. */
int notify_conflict_visible(truce_t *t, const principal_t *who, const json_t *conflict);
/* Of conflicts, the ones whose objects who may see; new array. */
json_t *notify_visible_conflicts(truce_t *t, const principal_t *who, const json_t *conflicts);
/* The protection distance of a kind ("operation") and category. */
double notify_protection(truce_t *t, const char *kind, const char *category);
struct dc;
struct dc *notify_dc(truce_t *t);

/* Scenario loading (who == NULL, arg carries "org"). */
int notify_prepare_site(truce_t *t, cmd_t *c, err_t *e);
int notify_prepare_nostrike(truce_t *t, cmd_t *c, err_t *e);
int notify_prepare_movement(truce_t *t, cmd_t *c, err_t *e);
int notify_prepare_unit(truce_t *t, cmd_t *c, err_t *e);

#endif
