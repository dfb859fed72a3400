/*
 * routes.c — the one route table (Redis's command table), the module list,
 * and the handlers of the log, the stream and operations. Adding an endpoint
 * is one row here and one function in its module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "ddr.h"
#include "http.h"
#include "journal.h"
#include "aid.h"
#include "incident.h"
#include "isf.h"
#include "log.h"
#include "notify.h"
#include "ops.h"
#include "org.h"
#include "psf.h"
#include "report.h"
#include "transition.h"

extern const module_t org_module, auth_module, journal_module, notify_module, isf_module, ops_module, incident_module,
    aid_module, ddr_module, psf_module, transition_module;
const module_t *const truce_modules[] = {&org_module,   &auth_module,     &journal_module, &notify_module,
                                         &isf_module,   &ops_module,      &incident_module, &aid_module,
                                         &ddr_module,   &psf_module,      &transition_module, NULL};

static int h_healthz(req_t *r);
static int h_metrics(req_t *r);
static int h_openapi(req_t *r);
static int h_log_head(req_t *r);
static int h_log_key(req_t *r);
static int h_log_proof(req_t *r);
static int h_log_consistency(req_t *r);
static int h_log_events(req_t *r);
static int h_stream(req_t *r);
static int h_state_digest(req_t *r);
static int h_clock(req_t *r);
static const field_t clock_fields[] = {
    {"advance_s", F_NUM, 1, 0, 31 * 86400, 0, NULL, "seconds to move the clock forward"},
    {NULL},
};

const route_t routes[] = {
    {"GET", "/healthz", P_PUBLIC, h_healthz, NULL, 0, "Liveness, log size and durable head", "ops"},
    {"GET", "/metrics", P_PUBLIC, h_metrics, NULL, 0, "Prometheus metrics", "ops"},
    {"GET", "/api/v1/openapi.json", P_PUBLIC, h_openapi, NULL, 0, "This OpenAPI document", "ops"},
    {"GET", "/api/v1/mission", P_PUBLIC, h_mission_get, NULL, 0, "Mission settings and whether exercise data is loaded", "org"},
    {"POST", "/api/v1/session", P_PUBLIC, h_session_create, session_fields, 4096, "Log in: returns a bearer token and sets the session cookie", "auth"},
    {"DELETE", "/api/v1/session", P_LOGGED, h_session_delete, NULL, 0, "Log out: ends the session on the server", "auth"},
    {"GET", "/api/v1/me", P_LOGGED, h_me, NULL, 0, "The caller: account, organisation, roles, positions, labels, CSRF token", "auth"},
    {"GET", "/api/v1/users", P_USER_ADMIN, h_users_list, NULL, 0, "List accounts", "auth"},
    {"POST", "/api/v1/users", P_USER_ADMIN, h_users_add, user_add_fields, 4096, "Add an account", "auth"},
    {"POST", "/api/v1/users/{username}/disable", P_USER_ADMIN, h_user_disable, NULL, 0, "Disable an account and end its sessions", "auth"},
    {"POST", "/api/v1/users/{username}/enable", P_USER_ADMIN, h_user_enable, NULL, 0, "Enable an account", "auth"},
    {"POST", "/api/v1/users/{username}/password", P_LOGGED, h_user_password, password_fields, 4096, "Set a password (admins: any account; others: their own, with the current one)", "auth"},
    {"GET", "/api/v1/org", P_LOGGED, h_org_get, NULL, 0, "Organisations, positions with holders and reporting lines, persons with their hats", "org"},
    {"POST", "/api/v1/org/organisations", P_ORG_WRITE, h_org_add, org_fields, 0, "Add an organisation", "org"},
    {"POST", "/api/v1/org/positions", P_ORG_WRITE, h_position_add, position_fields, 0, "Add a position", "org"},
    {"POST", "/api/v1/org/persons", P_ORG_WRITE, h_person_add, person_fields, 0, "Add a person", "org"},
    {"POST", "/api/v1/org/positions/{id}/holder", P_ORG_WRITE, h_position_holder, holder_fields, 0, "Assign or vacate a position's holder", "org"},
    {"POST", "/api/v1/org/positions/{id}/reports_to", P_ORG_WRITE, h_position_lines, lines_fields, 0, "Set a position's reporting lines", "org"},
    {"GET", "/api/v1/geo", P_LOGGED, h_geo_get, NULL, 0, "Mission geography as GeoJSON (?layer=boundary|sector|line|crossing)", "org"},
    {"GET", "/api/v1/journal", P_JOURNAL_READ, h_journal_list, NULL, 0, "Duty journal, newest first (?limit, cursor, since, until, sector)", "journal"},
    {"POST", "/api/v1/journal", P_JOURNAL_WRITE, h_journal_add, journal_fields, 16384, "Add a journal entry", "journal"},
    {"GET", "/api/v1/sites", P_LOGGED, h_places_list, NULL, 0, "Humanitarian sites you may see (?status, org, category, lapsed=1, mine=1, format=json|geojson|csv)", "notify"},
    {"POST", "/api/v1/sites", P_NOTIFY, h_places_add, site_fields, 262144, "Notify a site; answers with its id, conflicts and receipt", "notify"},
    {"POST", "/api/v1/sites/import", P_NOTIFY, h_places_import, schema_raw_body, 4194304, "Import sites: GeoJSON FeatureCollection or HXL CSV, all rows or none (?confirm_not_duplicate=1)", "notify"},
    {"GET", "/api/v1/sites/{id}", P_LOGGED, h_place_get, NULL, 0, "One site", "notify"},
    {"POST", "/api/v1/sites/{id}/acknowledge", P_NOTIFY_ACK, h_place_action, ack_fields, 0, "The CMCC acknowledges a site", "notify"},
    {"POST", "/api/v1/sites/{id}/reconfirm", P_NOTIFY, h_place_action, NULL, 0, "Re-confirm a site of your organisation", "notify"},
    {"POST", "/api/v1/sites/{id}/withdraw", P_NOTIFY, h_place_action, withdraw_fields, 0, "Withdraw a site (its organisation or the CMCC)", "notify"},
    {"POST", "/api/v1/sites/{id}/amend", P_NOTIFY, h_place_amend, site_amend_fields, 262144, "Change a site; it goes back to submitted", "notify"},
    {"GET", "/api/v1/nostrike", P_LOGGED, h_places_list, NULL, 0, "The no-strike list (?status, category, format=json|geojson|csv)", "notify"},
    {"POST", "/api/v1/nostrike", P_NOSTRIKE, h_places_add, nostrike_fields, 262144, "Add to the no-strike list", "notify"},
    {"POST", "/api/v1/nostrike/import", P_NOSTRIKE, h_places_import, schema_raw_body, 4194304, "Import no-strike objects: GeoJSON or HXL CSV, all rows or none", "notify"},
    {"GET", "/api/v1/nostrike/{id}", P_LOGGED, h_place_get, NULL, 0, "One no-strike object", "notify"},
    {"POST", "/api/v1/nostrike/{id}/withdraw", P_NOSTRIKE, h_place_action, withdraw_fields, 0, "Withdraw a no-strike object", "notify"},
    {"POST", "/api/v1/nostrike/{id}/amend", P_NOSTRIKE, h_place_amend, nostrike_amend_fields, 262144, "Change a no-strike object", "notify"},
    {"GET", "/api/v1/movements", P_LOGGED, h_movements_list, NULL, 0, "Movements you may see (?status, org, mine=1, format=json|geojson)", "notify"},
    {"POST", "/api/v1/movements", P_NOTIFY, h_movements_add, movement_fields, 262144, "Notify a movement; answers with its id, conflicts and receipt", "notify"},
    {"GET", "/api/v1/movements/{id}", P_LOGGED, h_movement_get, NULL, 0, "One movement with its history", "notify"},
    {"POST", "/api/v1/movements/{id}/status", P_NOTIFY, h_movement_status, mstatus_fields, 0, "Change a movement's status (see docs/humanitarian.md for who may do what)", "notify"},
    {"POST", "/api/v1/movements/{id}/amend", P_NOTIFY, h_movement_amend, movement_amend_fields, 262144, "Change a movement's route, times or details; it goes back to submitted", "notify"},
    {"GET", "/api/v1/units", P_LOGGED, h_units_list, NULL, 0, "ISF units you may see, with their last position", "notify"},
    {"POST", "/api/v1/units/positions", P_UNIT_POS, h_unit_positions, positions_bulk_fields, 1048576, "Report many unit positions at once (all or none)", "notify"},
    {"POST", "/api/v1/units/{id}/position", P_UNIT_POS, h_unit_position, position_report_fields, 0, "Report a unit's position", "notify"},
    {"POST", "/api/v1/deconfliction/check", P_LOGGED, h_deconflict_check, check_fields, 262144, "What an area and a window conflict with, among what you may see", "notify"},
    {"GET", "/api/v1/contingents", P_LOGGED, h_contingents_list, NULL, 0, "ISF national contingents you may see, with strength over time", "isf"},
    {"GET", "/api/v1/contingents/{id}", P_LOGGED, h_contingent_get, NULL, 0, "One contingent", "isf"},
    {"POST", "/api/v1/contingents/{id}/strength", P_ISF_HQ, h_contingent_strength, strength_fields, 0, "Record pledged and deployed strength", "isf"},
    {"POST", "/api/v1/units", P_ISF_HQ, h_units_add, unit_fields, 0, "Register a unit of a contingent", "isf"},
    {"POST", "/api/v1/units/{id}/update", P_ISF, h_unit_update, unit_update_fields, 0, "Change a unit's strength, home base, sector or status", "isf"},
    {"GET", "/api/v1/caveats", P_LOGGED, h_caveats_list, NULL, 0, "Caveat sets you may see (?contingent)", "isf"},
    {"POST", "/api/v1/caveats", P_ISF, h_caveats_set, caveat_fields, 0, "Set a contingent's caveats (by its commander's position)", "isf"},
    {"GET", "/api/v1/caveats/matrix", P_LOGGED, h_caveats_matrix, NULL, 0, "Nations against caveat types, as in force (?at)", "isf"},
    {"GET", "/api/v1/tasks", P_LOGGED, h_tasks_list, NULL, 0, "ISF tasks you may see (?status, unit)", "isf"},
    {"POST", "/api/v1/tasks", P_ISF_HQ, h_tasks_add, task_fields, 262144, "Create a task (draft)", "isf"},
    {"GET", "/api/v1/tasks/{id}", P_LOGGED, h_task_get, NULL, 0, "One task with its history", "isf"},
    {"GET", "/api/v1/tasks/{id}/candidates", P_ISF_HQ, h_task_candidates, NULL, 0, "Units ranked for the task, and the excluded ones with their reasons", "isf"},
    {"POST", "/api/v1/tasks/{id}/assign", P_ISF_HQ, h_task_assign, assign_fields, 0, "Assign a task to a unit; refused naming every caveat it breaks", "isf"},
    {"POST", "/api/v1/tasks/{id}/approve", P_ISF, h_task_action, task_action_fields, 0, "Record national approval of a held task", "isf"},
    {"POST", "/api/v1/tasks/{id}/refuse", P_ISF, h_task_action, task_action_fields, 0, "Record national refusal", "isf"},
    {"POST", "/api/v1/tasks/{id}/accept", P_ISF, h_task_action, task_action_fields, 0, "The contingent accepts the task", "isf"},
    {"POST", "/api/v1/tasks/{id}/decline", P_ISF, h_task_action, task_action_fields, 0, "The contingent declines, with the reason", "isf"},
    {"POST", "/api/v1/tasks/{id}/start", P_ISF, h_task_action, task_action_fields, 0, "The task is under way", "isf"},
    {"POST", "/api/v1/tasks/{id}/complete", P_ISF, h_task_action, task_action_fields, 0, "Completed, with an outcome report", "isf"},
    {"POST", "/api/v1/tasks/{id}/withdraw", P_ISF_HQ, h_task_action, task_action_fields, 0, "ISF HQ declines a draft task (a referral it will not take on), with the reason", "isf"},
    {"POST", "/api/v1/tasks/{id}/abort", P_ISF, h_task_action, task_action_fields, 0, "Aborted, with the reason", "isf"},
    {"GET", "/api/v1/operations", P_LOGGED, h_ops_list, NULL, 0, "Operations you may see (?status, queue=decisions|alerts|escalated)", "ops"},
    {"POST", "/api/v1/operations", P_OPS_NOTIFY, h_ops_add, op_fields, 262144, "Inform or coordinate an operation; checked at once", "ops"},
    {"GET", "/api/v1/operations/{id}", P_LOGGED, h_op_get, NULL, 0, "One operation: notice, conflicts, alerts, decisions, escalations", "ops"},
    {"POST", "/api/v1/operations/{id}/decision", P_OPS_DECIDE, h_op_decision, decision_fields, 0, "The CMCC decides: concur, acknowledge, refer, request_narrowing, object", "ops"},
    {"POST", "/api/v1/operations/{id}/respond", P_OPS_NOTIFY, h_op_respond, respond_fields, 262144, "The notifier answers a narrowing request: accept, amend or answer", "ops"},
    {"POST", "/api/v1/operations/{id}/outcome", P_OPS_NOTIFY, h_op_outcome, outcome_report_fields, 0, "The notifier reports the outcome", "ops"},
    {"GET", "/api/v1/operations/{id}/record", P_LOGGED, h_op_record, NULL, 0, "What was known of the operation at ?as_of=T, from the log", "ops"},
    {"GET", "/api/v1/advisories", P_LOGGED, h_advisories_list, NULL, 0, "Advisories to your organisation", "ops"},
    {"POST", "/api/v1/advisories/{id}/acknowledge", P_LOGGED, h_advisory_ack, ack_fields, 0, "Acknowledge an advisory", "ops"},
    {"GET", "/api/v1/incidents", P_LOGGED, h_incidents_list, NULL, 0, "Incidents you may see, newest report first (?status, type, sector, party, since, until, limit, cursor, format=json|geojson|csv)", "incident"},
    {"POST", "/api/v1/incidents", P_INCIDENT_REPORT, h_incidents_add, incident_fields, 65536, "Report an incident; answers with its id and receipt", "incident"},
    {"GET", "/api/v1/incidents/taxonomy", P_LOGGED, h_incident_taxonomy, NULL, 0, "Incident types (ACLED and the mission's), parties, source grades", "incident"},
    {"POST", "/api/v1/incidents/import", P_INCIDENT_REVIEW, h_incidents_import, schema_raw_body, 8388608, "Import ACLED-format CSV, all rows or none", "incident"},
    {"GET", "/api/v1/incidents/{id}", P_LOGGED, h_incident_get, NULL, 0, "One incident with its history", "incident"},
    {"POST", "/api/v1/incidents/{id}/review", P_INCIDENT_REVIEW, h_incident_action, incident_action_fields, 0, "Put a report under review", "incident"},
    {"POST", "/api/v1/incidents/{id}/confirm", P_INCIDENT_REVIEW, h_incident_action, incident_action_fields, 0, "Confirm, with attribution and confidence", "incident"},
    {"POST", "/api/v1/incidents/{id}/unconfirm", P_INCIDENT_REVIEW, h_incident_action, incident_action_fields, 0, "Close as unconfirmed", "incident"},
    {"POST", "/api/v1/incidents/{id}/refute", P_INCIDENT_REVIEW, h_incident_action, incident_action_fields, 0, "Refute, with the reason", "incident"},
    {"POST", "/api/v1/incidents/{id}/reopen", P_INCIDENT_REVIEW, h_incident_action, incident_action_fields, 0, "Reopen a closed incident for review", "incident"},
    {"POST", "/api/v1/incidents/{id}/amend", P_INCIDENT_REPORT, h_incident_amend, incident_amend_fields, 65536, "Change a report (its reporter while reported, or the CMCC)", "incident"},
    {"POST", "/api/v1/incidents/{id}/merge", P_INCIDENT_REVIEW, h_incident_merge, merge_fields, 0, "Merge this report into another; both are kept", "incident"},
    {"GET", "/api/v1/aid/crossings", P_LOGGED, h_crossings_list, NULL, 0, "Crossings with status and today's trucks", "aid"},
    {"POST", "/api/v1/aid/crossings/{id}/status", P_NOTIFY_ACK, h_crossing_status, crossing_status_fields, 0, "Set a crossing's status", "aid"},
    {"GET", "/api/v1/aid/consignments", P_LOGGED, h_consignments_list, NULL, 0, "Consignments, newest first (?status, crossing, org, commodity, date, limit, cursor)", "aid"},
    {"POST", "/api/v1/aid/consignments", P_AID, h_consignments_add, consignment_fields, 0, "Record a consignment at the perimeter", "aid"},
    {"GET", "/api/v1/aid/consignments/{id}", P_LOGGED, h_consignment_get, NULL, 0, "One consignment with its history", "aid"},
    {"POST", "/api/v1/aid/consignments/{id}/status", P_AID, h_consignment_status, consignment_status_fields, 0, "The next step: crossed, offloaded, collected, delivered, intercepted, returned", "aid"},
    {"GET", "/api/v1/stats/violations", P_LOGGED, h_stats_violations, NULL, 0, "Cease-fire violations per party per day (?from, until)", "stats"},
    {"GET", "/api/v1/stats/incidents", P_LOGGED, h_stats_incidents, NULL, 0, "Incidents by sector or type (?by, from, until)", "stats"},
    {"GET", "/api/v1/stats/aid", P_LOGGED, h_stats_aid, NULL, 0, "Trucks per day by crossing against the target, interceptions (?from, until)", "stats"},
    {"GET", "/api/v1/stats/feed", P_LOGGED, h_stats_feed, NULL, 0, "Incident and aid events of the last hours (?hours)", "stats"},
    {"GET", "/api/v1/reports/sitrep", P_LOGGED, h_sitrep, NULL, 0, "The daily SITREP (?date, format=html|json)", "stats"},
    {"GET", "/api/v1/ddr/rules", P_DDR_AUDIT, h_ddr_rules, NULL, 0, "DDR programme rules: eligibility, allowance, anomaly thresholds", "ddr"},
    {"GET", "/api/v1/ddr/sites", P_DDR_AUDIT, h_ddr_sites, NULL, 0, "Disarmament sites", "ddr"},
    {"GET", "/api/v1/ddr/figures", P_DDR_AUDIT, h_ddr_figures, NULL, 0, "Programme figures, no personal data (?from, until)", "ddr"},
    {"GET", "/api/v1/ddr/people", P_DDR_AUDIT, h_ddr_people_list, NULL, 0, "People registered, pseudonymous, newest first (?site, eligible, flagged, limit, before)", "ddr"},
    {"POST", "/api/v1/ddr/people", P_DDR, h_ddr_people_add, ddr_person_fields, 131072, "Register a person with the weapons and ammunition handed in; answers with the flags raised", "ddr"},
    {"GET", "/api/v1/ddr/people/{id}", P_DDR_AUDIT, h_ddr_person_get, NULL, 0, "One person (DDR officers: with the personal data, and the read is logged)", "ddr"},
    {"GET", "/api/v1/ddr/people/{id}/export", P_DDR, h_ddr_person_export, NULL, 0, "A person's whole record, for the person or an oversight body (logged)", "ddr"},
    {"POST", "/api/v1/ddr/people/{id}/reintegration", P_DDR, h_ddr_person_reintegration, ddr_reintegration_fields, 0, "Record the reintegration option chosen", "ddr"},
    {"POST", "/api/v1/ddr/people/{id}/screening", P_DDR, h_ddr_person_screening, ddr_screening_fields, 0, "Record a later screening result; eligibility and entitlement are assessed again", "ddr"},
    {"POST", "/api/v1/ddr/people/{id}/followups", P_DDR, h_ddr_person_followup, ddr_followup_fields, 0, "Record a follow-up visit", "ddr"},
    {"GET", "/api/v1/ddr/weapons", P_LOGGED, h_ddr_weapons_list, NULL, 0, "Weapons register you may see (?status, store, person, cache, serial, pending=me, format=json|csv)", "ddr"},
    {"GET", "/api/v1/ddr/weapons/{id}", P_LOGGED, h_ddr_weapon_get, NULL, 0, "One weapon with its chain of custody", "ddr"},
    {"POST", "/api/v1/ddr/weapons/{id}/custody", P_LOGGED, h_ddr_weapon_custody, ddr_custody_fields, 0, "A custody step: dispatch, accept, reject, inspect, destroy, transfer", "ddr"},
    {"POST", "/api/v1/ddr/caches", P_ISF, h_ddr_caches_add, ddr_cache_fields, 262144, "Enter a cache seized by an ISF task into the weapons register", "ddr"},
    {"GET", "/api/v1/ddr/payments", P_DDR_AUDIT, h_ddr_payments_list, NULL, 0, "Payments (?person, limit, before)", "ddr"},
    {"POST", "/api/v1/ddr/payments", P_DDR, h_ddr_payments_add, ddr_payment_fields, 0, "Record a payment; one beyond the entitlement is flagged", "ddr"},
    {"GET", "/api/v1/ddr/flags", P_DDR_AUDIT, h_ddr_flags_list, NULL, 0, "The review queue (?status=open|cleared|confirmed, rule)", "ddr"},
    {"GET", "/api/v1/ddr/flags/{id}", P_DDR_AUDIT, h_ddr_flag_get, NULL, 0, "One flag with its reviews", "ddr"},
    {"POST", "/api/v1/ddr/flags/{id}/review", P_DDR, h_ddr_flag_review, ddr_review_fields, 0, "Clear or confirm a flag (not by the officer whose action raised it)", "ddr"},
    {"GET", "/api/v1/ddr/stores", P_DDR_AUDIT, h_ddr_stores_list, NULL, 0, "Weapons stores with what the register holds in each", "ddr"},
    {"POST", "/api/v1/ddr/stores", P_DDR, h_ddr_stores_add, ddr_store_fields, 0, "Add a store", "ddr"},
    {"GET", "/api/v1/ddr/stores/{id}", P_DDR_AUDIT, h_ddr_store_get, NULL, 0, "One store: weapons held and stock checks", "ddr"},
    {"POST", "/api/v1/ddr/stores/{id}/checks", P_DDR, h_ddr_stock_check, ddr_check_fields, 1048576, "A stock check: counted against expected; differences are flagged", "ddr"},
    /* issue 9: Palestinian security forces and sector hand-over (docs/psf.md) */
    {"GET", "/api/v1/psf/summary", P_LOGGED, h_psf_summary, NULL, 0, "PSF figures: candidates by status, valid certificates, units, members, readiness (no personal data)", "psf"},
    {"GET", "/api/v1/psf/candidates", P_LOGGED, h_psf_candidates_list, NULL, 0, "PSF candidates you may see, without personal data (?status, unit)", "psf"},
    {"POST", "/api/v1/psf/candidates", P_PSF_VET, h_psf_candidates_add, psf_candidate_fields, 0, "Register a candidate; personal data goes to the vetting cell and trainers only", "psf"},
    {"GET", "/api/v1/psf/candidates/{id}", P_LOGGED, h_psf_candidate_get, NULL, 0, "One candidate; personal data and check results for the vetting cell and trainers (the read is logged)", "psf"},
    {"POST", "/api/v1/psf/candidates/{id}/vetting", P_PSF_VET, h_psf_candidate_vetting, psf_vetting_fields, 0, "Record a vetting step: passed or failed", "psf"},
    {"POST", "/api/v1/psf/candidates/{id}/checks", P_PSF_VET, h_psf_candidate_checks, NULL, 0, "Run the automated checks (disarmament register, incident perpetrators): they flag, never reject", "psf"},
    {"POST", "/api/v1/psf/candidates/{id}/decision", P_PSF_VET, h_psf_candidate_decision, psf_decision_fields, 0, "The vetting outcome: approved or rejected", "psf"},
    {"GET", "/api/v1/psf/courses", P_LOGGED, h_psf_courses_list, NULL, 0, "Courses you may see (?type)", "psf"},
    {"POST", "/api/v1/psf/courses", P_PSF_TRAIN, h_psf_courses_add, psf_course_fields, 0, "Create a course", "psf"},
    {"GET", "/api/v1/psf/courses/{id}", P_LOGGED, h_psf_course_get, NULL, 0, "One course: enrolment and results", "psf"},
    {"POST", "/api/v1/psf/courses/{id}/enrol", P_PSF_TRAIN, h_psf_course_enrol, psf_enrol_fields, 0, "Enrol an approved candidate (human-rights vetting passed)", "psf"},
    {"POST", "/api/v1/psf/courses/{id}/assess", P_PSF_TRAIN, h_psf_course_assess, psf_assess_fields, 0, "Record an enrolled candidate's score: pass or fail against the pass mark", "psf"},
    {"POST", "/api/v1/psf/courses/{id}/certify", P_PSF_TRAIN, h_psf_course_certify, psf_certify_fields, 0, "Issue a certificate to a candidate who passed (authority training.certify)", "psf"},
    {"POST", "/api/v1/psf/certificates/{id}/revoke", P_PSF_TRAIN, h_psf_certificate_revoke, psf_revoke_fields, 0, "Revoke a certificate (authority training.certify)", "psf"},
    {"GET", "/api/v1/psf/units", P_LOGGED, h_psf_units_list, NULL, 0, "PSF units you may see with their readiness (?sector)", "psf"},
    {"POST", "/api/v1/psf/units", P_PSF_TRAIN, h_psf_units_add, psf_unit_fields, 0, "Register a PSF unit", "psf"},
    {"GET", "/api/v1/psf/units/{id}", P_LOGGED, h_psf_unit_get, NULL, 0, "One PSF unit: members, equipment, exercises, readiness", "psf"},
    {"POST", "/api/v1/psf/units/{id}/update", P_PSF_TRAIN, h_psf_unit_update, psf_unit_update_fields, 0, "Change a PSF unit's sector or authorised strength", "psf"},
    {"POST", "/api/v1/psf/units/{id}/members", P_PSF_TRAIN, h_psf_unit_member, psf_member_fields, 0, "Add or remove a member (approved candidates)", "psf"},
    {"POST", "/api/v1/psf/units/{id}/equipment", P_PSF_TRAIN, h_psf_unit_equipment, psf_equipment_fields, 0, "Set an equipment line: authorised and held", "psf"},
    {"POST", "/api/v1/psf/units/{id}/exercises", P_PSF_TRAIN, h_psf_unit_exercise, psf_exercise_fields, 0, "Record an exercise and its result", "psf"},
    {"GET", "/api/v1/psf/units/{id}/readiness", P_LOGGED, h_psf_unit_readiness, NULL, 0, "The unit's readiness with each component and its figures (?as_of)", "psf"},
    {"GET", "/api/v1/handover", P_LOGGED, h_handover_list, NULL, 0, "Every sector's hand-over phase, gates and missing sign-offs", "handover"},
    {"GET", "/api/v1/sectors/{id}/handover", P_LOGGED, h_handover_get, NULL, 0, "A sector's hand-over: phase, gates with figures, sign-offs, history", "handover"},
    {"POST", "/api/v1/sectors/{id}/handover/signoff", P_LOGGED, h_handover_signoff, handover_sign_fields, 0, "Sign a step (forward or reversal) for a party whose authority one of your positions holds; the last sign-off takes it", "handover"},
    {"POST", "/api/v1/sectors/{id}/handover/withdraw", P_LOGGED, h_handover_withdraw, handover_withdraw_fields, 0, "Withdraw a party's sign-off of a pending step", "handover"},
    {"GET", "/api/v1/log/head", P_PUBLIC, h_log_head, NULL, 0, "The current signed tree head", "log"},
    {"GET", "/api/v1/log/key", P_PUBLIC, h_log_key, NULL, 0, "The server's Ed25519 public key", "log"},
    {"GET", "/api/v1/log/proof/{seq}", P_LOGGED, h_log_proof, NULL, 0, "Receipt of an event you may see: event, inclusion proof, signed head", "log"},
    {"GET", "/api/v1/log/consistency", P_LOGGED, h_log_consistency, NULL, 0, "Consistency proof (?from=M[&to=N])", "log"},
    {"GET", "/api/v1/log/events", P_AUDIT, h_log_events, NULL, 0, "Events you may see, in order (?after=SEQ&limit=N)", "log"},
    {"GET", "/api/v1/stream", P_LOGGED, h_stream, NULL, 0, "Server-Sent Events of new events you may see; resumable with Last-Event-ID", "log"},
    {"POST", "/api/v1/admin/clock", P_USER_ADMIN, h_clock, clock_fields, 0, "Tests only (serve --test-clock): move the clock forward", "ops"},
    {"GET", "/api/v1/admin/state-digest", P_AUDIT, h_state_digest, NULL, 0, "SHA-256 of the whole in-memory state", "ops"},
};
const int nroutes = sizeof routes / sizeof routes[0];

static int h_clock(req_t *r)
{
    if (util_now_ms != util_offset_now_ms)
        return reply_error(r, E_NOT_FOUND, NULL, "the clock can only be moved on a server started with --test-clock");
    int64_t ms = (int64_t)(json_number_value(json_object_get(r->json, "advance_s")) * 1000);
    __atomic_add_fetch(&util_clock_offset_ms, ms, __ATOMIC_RELAXED);
    char now[32];
    time_format(util_now_ms(), now);
    ops_tick(r->t);
    return reply_json(r, 200, json_pack("{s:s}", "now", now));
}

static int h_healthz(req_t *r)
{
    return reply_json(r, 200, json_pack("{s:s, s:I}", "status", "ok", "log_size", (json_int_t)log_durable(r->t)));
}

static int h_metrics(req_t *r)
{
    size_t n;
    char *s = http_metrics(r->t, &n);
    free(r->resp);
    r->resp = s;
    r->resp_len = n;
    r->status = 200;
    r->ctype = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}

static int h_openapi(req_t *r)
{
    json_t *paths = json_object();
    for (int i = 0; i < nroutes; i++) {
        const route_t *rt = &routes[i];
        json_t *item = json_object_get(paths, rt->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, rt->pattern, item);
        }
        char method[8], opid[160];
        size_t k;
        for (k = 0; rt->method[k] && k < sizeof method - 1; k++) method[k] = (char)(rt->method[k] | 0x20);
        method[k] = 0;
        snprintf(opid, sizeof opid, "%s %s", rt->method, rt->pattern);
        json_t *params = json_array();
        for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
            const char *e = strchr(p, '}');
            json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1, (size_t)(e - p - 1),
                                                    "in", "path", "required", 1, "schema", "type", "string"));
        }
        json_t *op = json_pack("{s:s, s:s, s:[s], s:s, s:o, s:{s:{s:s}, s:{s:s}}}", "summary", rt->summary,
                               "operationId", opid, "tags", rt->tag, "x-permission", perm_names[rt->perm],
                               "parameters", params, "responses", "2XX", "description", "success",
                               "4XX", "$ref", "#/components/responses/Error");
        if (rt->perm != P_PUBLIC)
            json_object_set_new(op, "security", json_pack("[{s:[]}, {s:[]}]", "bearer", "cookie"));
        if (rt->body == schema_raw_body)
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:{s:{s:{s:s}}, s:{s:{s:s}}, s:{s:{s:s}}}}", "required", 1,
                                          "content", "application/geo+json", "schema", "type", "object",
                                          "application/json", "schema", "type", "object", "text/csv",
                                          "schema", "type", "string"));
        else if (rt->body)
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content", "application/json",
                                          "schema", schema_openapi(rt->body)));
        json_object_set_new(item, method, op);
    }
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}}, s:{s:{s:s, s:{s:{s:{s:s}}}}}, s:{s:{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:[s,s]}}}}}}}}",
        "openapi", "3.1.0", "info", "title", "Truce API", "version", "1",
        "description", "Coordination server of the international stabilization mission. Every write returns a receipt.",
        "paths", paths, "components", "securitySchemes", "bearer", "type", "http", "scheme", "bearer", "cookie",
        "type", "apiKey", "in", "cookie", "name", "truce_session", "description",
        "browser session; writes must also send X-CSRF-Token", "responses", "Error", "description",
        "error", "content", "application/json", "schema", "$ref", "#/components/schemas/Error", "schemas", "Error",
        "type", "object", "properties", "error", "type", "object", "properties", "code", "type", "string",
        "message", "type", "string", "field", "type", "string", "null");
    return reply_json(r, 200, doc);
}

static int h_log_head(req_t *r)
{
    json_t *h = log_head_json(r->t);
    char pk[65];
    log_pubkey_hex(r->t, pk);
    json_object_set_new(h, "key", json_string(pk));
    return reply_json(r, 200, h);
}

static int h_log_key(req_t *r)
{
    char pk[65];
    log_pubkey_hex(r->t, pk);
    return reply_json(r, 200, json_pack("{s:s, s:s, s:s}", "algorithm", "Ed25519", "key", pk, "encoding", "hex"));
}

static int parse_seq(req_t *r, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v == 0 || errno == ERANGE)
        return reply_error(r, E_BAD_VALUE, "seq", "seq must be a positive integer");
    *out = v;
    return 0;
}

static int h_log_proof(req_t *r)
{
    uint64_t seq = 0;
    if (parse_seq(r, r->params[0], &seq)) return -1;
    json_t *labels = NULL;
    json_t *rc = log_receipt(r->t, seq, &labels);
    /* An event the caller may not see is answered exactly like a missing one. */
    if (!rc || !auth_may_see(&r->who, labels)) {
        json_decref(rc);
        json_decref(labels);
        return reply_error(r, E_NOT_FOUND, "seq", "no event %llu that you may see", (unsigned long long)seq);
    }
    json_decref(labels);
    return reply_json(r, 200, rc);
}

static int h_log_consistency(req_t *r)
{
    uint64_t from, to;
    if (req_query_u64(r, "from", 0, 1, UINT64_MAX, &from) || req_query_u64(r, "to", 0, 0, UINT64_MAX, &to))
        return -1;
    if (!req_query(r, "from")) return reply_error(r, E_MISSING_FIELD, "from", "from is required");
    err_t e;
    json_t *j = log_consistency(r->t, from, to, &e);
    return j ? reply_json(r, 200, j) : reply_err(r, &e);
}

typedef struct {
    const principal_t *who;
    json_t *out;
} collect_t;

static void collect(void *arg, uint64_t seq, const char *kind, const char *bytes, const json_t *labels)
{
    collect_t *c = arg;
    (void)seq;
    (void)kind;
    if (!auth_may_see(c->who, labels)) return;
    json_t *ev = json_loads(bytes, 0, NULL);
    if (ev) json_array_append_new(c->out, ev);
}

static int h_log_events(req_t *r)
{
    uint64_t after, limit;
    /* after comes back as next_after: a JSON integer (int64) */
    if (req_query_u64(r, "after", 0, 0, INT64_MAX, &after) || req_query_u64(r, "limit", 100, 1, 1000, &limit))
        return -1;
    collect_t c = {&r->who, json_array()};
    uint64_t last = log_feed(r->t, after, 0, (int)limit, collect, &c);
    return reply_json(r, 200, json_pack("{s:o, s:I}", "events", c.out, "next_after", (json_int_t)last));
}

static int h_state_digest(req_t *r)
{
    char d[65];
    pthread_rwlock_rdlock(&r->t->lock);
    uint64_t seq = r->t->applied_seq;
    state_digest(r->t, d);
    pthread_rwlock_unlock(&r->t->lock);
    return reply_json(r, 200, json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "digest", d));
}

/* ---- the event stream ---- */

typedef struct {
    truce_t *t;
    struct MHD_Connection *conn;
    principal_t who;
    uint64_t last;
    buf_t out;
    size_t off;
    int64_t last_write;
    http_park_t park;
} stream_t;

static void stream_event(void *arg, uint64_t seq, const char *kind, const char *bytes, const json_t *labels)
{
    stream_t *s = arg;
    if (!auth_may_see(&s->who, labels)) return;
    buf_addf(&s->out, "id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)seq, kind, bytes);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *dst, size_t max)
{
    stream_t *s = cls;
    (void)pos;
    while (s->off == s->out.len) {
        buf_reset(&s->out);
        s->off = 0;
        if (http_stopping(s->t) || log_stopping(s->t) || auth_session_alive(s->t, s->who.token_hash))
            return MHD_CONTENT_READER_END_OF_STREAM;
        s->last = log_feed(s->t, s->last, 0, 256, stream_event, s);
        /* Events the caller may not see still move the id, so a resume skips them. */
        if (!s->out.len && util_now_ms() - s->last_write >= 15000)
            buf_addf(&s->out, ": keepalive\nid: %llu\n\n", (unsigned long long)s->last);
        if (s->out.failed) return MHD_CONTENT_READER_END_WITH_ERROR;
        if (s->out.len) break;
        /* Nothing to send: give the pool thread back until a new event is
         * durable, or until the next tick (about a second) for the session
         * check and the keep-alive. Returning 0 is allowed only suspended. */
        int rc = http_park(s->t, &s->park, s->conn, s->last + 1, 1);
        if (rc == 0) return 0;
        if (rc < 0) return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = s->out.len - s->off;
    if (n > max) n = max;
    memcpy(dst, s->out.data + s->off, n);
    s->off += n;
    s->last_write = util_now_ms();
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_t *s = cls;
    buf_release(&s->out);
    free(s);
}

static int h_stream(req_t *r)
{
    const char *lei = req_header(r, "Last-Event-ID");
    if (!lei) lei = req_query(r, "last_event_id");
    uint64_t durable = log_durable(r->t), from = durable;
    if (lei) {
        char *end;
        unsigned long long v = strtoull(lei, &end, 10);
        if (*lei < '0' || *lei > '9' || *end || strlen(lei) > 19)
            return reply_error(r, E_BAD_VALUE, "Last-Event-ID", "Last-Event-ID must be an event seq");
        from = v < durable ? v : durable;
    }
    stream_t *s = calloc(1, sizeof *s);
    if (!s) return reply_error(r, E_INTERNAL, NULL, NULL);
    s->t = r->t;
    s->conn = r->conn;
    s->who = r->who;
    s->last = from;
    s->last_write = util_now_ms();
    buf_init(&s->out);
    buf_addf(&s->out, "retry: 2000\n: truce event stream from %llu\n\n", (unsigned long long)from);
    r->custom = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, s, stream_free);
    if (!r->custom) {
        stream_free(s);
        return reply_error(r, E_INTERNAL, NULL, NULL);
    }
    MHD_add_response_header(r->custom, "Content-Type", "text/event-stream");
    MHD_add_response_header(r->custom, "Cache-Control", "no-store");
    MHD_add_response_header(r->custom, "X-Accel-Buffering", "no");
    r->status = 200;
    return 0;
}
