/*
 * incident.h — cease-fire monitoring: incidents reported by liaisons, ISF
 * units and the CMCC, their review and attribution, merges, ACLED import and
 * export, and the figures the dashboards and the SITREP read
 * (docs/monitoring.md is the contract).
 *
 * Every report is two events: the incident (type, time, place, parties,
 * casualties, sources' kinds and grades, links: labelled for the CMCC, ISF
 * HQ, leadership and the reporter's organisation, and for everyone once
 * confirmed) and its sources' identities (labelled for the CMCC and the
 * reporting account only), so that names never travel where they may not.
 *
 * State: each incident is a jansson record (incident_state.recs, by number)
 * and a compact row (inc_t) that the figures scan: a million rows are a few
 * tens of megabytes read in a few milliseconds, with no per-row allocation
 * or label check (rows carry an interned label-set number; a reader's view
 * is one bitmap over the sets). Guarded by t->lock.
 */
#ifndef TRUCE_INCIDENT_H
#define TRUCE_INCIDENT_H

#include "http.h"

int h_incidents_list(req_t *r);
int h_incidents_add(req_t *r);
int h_incident_get(req_t *r);
int h_incident_action(req_t *r);
int h_incident_amend(req_t *r);
int h_incident_merge(req_t *r);
int h_incidents_import(req_t *r);
int h_incident_taxonomy(req_t *r);
int h_stats_violations(req_t *r);
int h_stats_incidents(req_t *r);

extern const field_t incident_fields[], incident_amend_fields[], incident_action_fields[], merge_fields[];

/* Scenario loading (who == NULL; arg carries "org", and may carry "status",
 * "attribution", "confidence" for exercise incidents already reviewed). */
int incident_prepare_scenario(truce_t *t, cmd_t *c, err_t *e);
/* Drafts an incident reported by the command's caller (aid interceptions):
 * in is a report body; the new id into id_out. Writer thread. */
int incident_draft_report(truce_t *t, cmd_t *c, const json_t *in, char *id_out, size_t n, err_t *e);
/* Labels of an incident (NULL when there is none); borrowed, under the lock. */
json_t *incident_labels(truce_t *t, const char *id);
/* The last incident number given (ids of incidents drafted in one command). */
uint64_t incident_last(truce_t *t);

/* Figures for the SITREP and the feed, over what who may see (NULL: all),
 * under the lock. Days are the mission's local days (tz.h). */
typedef struct {
    int incidents, confirmed, violations, killed, injured;
} incident_day_t;
/* The day's figures, violations by party (confirmed / unconfirmed) and the
 * 7-day trend into out (new members "violations", "significant"). */
void incident_sitrep(truce_t *t, const principal_t *who, int32_t day, incident_day_t *sum, json_t *out);
/* Feed items since the time, newest first, at most limit, appended to items. */
void incident_feed(truce_t *t, const principal_t *who, int64_t since, size_t limit, json_t *items);

/* Mission time helpers shared by the figures (incident.c): the local day of
 * a time, and ?from= / ?until= dates (default the last 30 days to today),
 * at most 366 days; -1 replied. */
int32_t mission_day(truce_t *t, int64_t ms);
int stats_period(req_t *r, int32_t *d0, int32_t *d1);

#endif
