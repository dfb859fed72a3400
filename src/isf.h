/*
 * isf.h — the International Stabilization Force: national contingents and
 * their strength, national caveats as rules the server enforces, and tasks
 * assigned to units within those caveats (issue 5).
 *
 * Units themselves (registry and positions) are notify.c's: they are objects
 * of the deconfliction engine. This module reads them through notify_unit().
 *
 * A caveat set is one event per contingent, effective from a date; the set
 * in force at a task's start applies. isf_violations() is the one rule
 * engine: assignment refuses a unit when it names anything, and the
 * candidate list shows the same reasons.
 */
#ifndef TRUCE_ISF_H
#define TRUCE_ISF_H

#include "http.h"

int h_contingents_list(req_t *r);
int h_contingent_get(req_t *r);
int h_contingent_strength(req_t *r);
int h_units_add(req_t *r);
int h_unit_update(req_t *r);
int h_caveats_list(req_t *r);
int h_caveats_set(req_t *r);
int h_caveats_matrix(req_t *r);
int h_tasks_list(req_t *r);
int h_tasks_add(req_t *r);
int h_task_get(req_t *r);
int h_task_candidates(req_t *r);
int h_task_assign(req_t *r);
int h_task_action(req_t *r);

extern const field_t strength_fields[], unit_fields[], unit_update_fields[], caveat_fields[], task_fields[],
    assign_fields[], task_action_fields[];

/* The rule engine: every caveat of the unit's contingent (the set in force
 * at the task's start) that the task breaks, as a new array of
 * {"caveat", "reason"}; *approval (new, or NULL) when the task needs national
 * approval first. Call under the state lock. */
json_t *isf_violations(truce_t *t, const json_t *unit, const json_t *task, json_t **approval);
extern const char *const task_types[], *const unit_types[], *const force_levels[];

int isf_prepare_contingent(truce_t *t, cmd_t *c, err_t *e);
int isf_prepare_caveat(truce_t *t, cmd_t *c, err_t *e);
/* The last task number given, and drafting a task from another module
 * (operations referred to the ISF); takes task. */
uint64_t isf_last_task(truce_t *t);
int isf_draft_task(truce_t *t, cmd_t *c, json_t *task, err_t *e);
/* Drafts the escort task of a movement that asked for one (notify.c). */
int isf_draft_escort(truce_t *t, cmd_t *c, const char *movement, const json_t *in, const char *org, err_t *e);

/* The task record id (borrowed, with its private "_labels"), or NULL. Call
 * under the state lock (or on the writer thread). */
json_t *isf_task(truce_t *t, const char *id);

#endif
