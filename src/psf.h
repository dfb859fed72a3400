/*
 * psf.h — the Palestinian security forces (issue 9, docs/psf.md): candidates
 * and their vetting, courses with enrolment, assessments and certificates,
 * PSF units with strength, members, equipment and exercises, and the
 * readiness rating computed from those figures.
 *
 * Personal data (names, date of birth, ID number) travels only in the
 * candidate's detail event, labelled for the trainers and the vetting cell
 * (PSF_PD_LABELS); every other event, list, receipt, stream line and error
 * names a candidate by its id (CND-n) only. The automated vetting checks
 * against other modules (the disarmament register, incident perpetrators)
 * are hooks those modules register; their results travel with the same
 * labels as the personal data, and they flag, never reject.
 *
 * State: records are jansson objects keyed by id with private members
 * starting with "_" (labels, detail, check results). Guarded by t->lock.
 */
#ifndef TRUCE_PSF_H
#define TRUCE_PSF_H

#include "http.h"

/* ---- vetting checks other modules provide ----
 * person: {"name_ar", "name_en", "date_of_birth", "id_number"} (borrowed).
 * The check fills result with {"status": "clear"|"flag", "reason": "...",
 * "refs": [ids]?}; the reason must not repeat the person's data. Returns 0,
 * or -1 when it could not run (the result then reads "error"). Runs on the
 * log's writer thread against current state (no lock needed, must not block).
 * Names: "ddr_register" (DDR), "incident_perpetrators" (incidents). A check
 * nobody registered reports {"status": "not_available", "reason": "check not
 * available"}. Registering a name again replaces its function. */
typedef int (*psf_vetting_check_fn)(truce_t *t, const json_t *person, json_t *result);
void psf_vetting_check_register(const char *name, psf_vetting_check_fn fn);

/* ---- readiness ----
 * The rating is the weighted mean of four components, each in [0, 1]:
 *   personnel  = min(1, assigned / authorised)          (0 when authorised is 0)
 *   trained    = members with a valid certificate / assigned   (0 when none)
 *   equipment  = sum over items of min(held, authorised) / sum of authorised
 *   exercises  = (min(passed_other, target - civil_target)
 *                 + min(passed_civil, civil_target)) / target  (passed in the window)
 * Weights come from the scenario (settings.psf.readiness.weights). */
typedef struct {
    long authorised, assigned, certified;
    double equip_held, equip_authorised; /* held already capped at authorised per item */
    long ex_passed, ex_civil_passed;     /* passed in the window; civil included in ex_passed */
    long ex_target, ex_civil_target;
    double window_days;
} psf_readiness_in_t;
/* The rating; components (an array, may be NULL) gets one
 * {"component","weight","value","figures"} per component. Pure. */
double psf_readiness_compute(const psf_readiness_in_t *in, const json_t *weights,
                             json_t *components);
/* The rating of a PSF unit as of at (certificates valid at at, exercises
 * in the window before at); *out (new) gets {"unit","score","components"}.
 * -1 when there is no such unit. Call under the lock (or on the writer). */
int psf_unit_readiness(truce_t *t, const char *unit, int64_t at, double *score, json_t **out);
/* PSF units assigned to a sector, borrowed ids in a new array. */
json_t *psf_units_in_sector(truce_t *t, const char *sector);
/* Figures for reports (the SITREP's training section), as of at: new object
 * {"available": true, "candidates": {"registered","in_vetting","approved","rejected"},
 *  "certificates_valid", "certificates_issued_24h", "units", "members",
 *  "readiness": {UNIT: score}}. No personal data. Call under the lock. */
json_t *psf_summary(truce_t *t, int64_t at);
/* Whether who may read the PSF figures (psf_summary): the readers of PSF
 * records; the system always. */
int psf_figures_reader(const principal_t *who);
/* The psf settings of the scenario (borrowed, may be an empty object). */
json_t *psf_settings(truce_t *t);

int h_psf_summary(req_t *r);
int h_psf_candidates_list(req_t *r);
int h_psf_candidates_add(req_t *r);
int h_psf_candidate_get(req_t *r);
int h_psf_candidate_vetting(req_t *r);
int h_psf_candidate_checks(req_t *r);
int h_psf_candidate_decision(req_t *r);
int h_psf_courses_list(req_t *r);
int h_psf_courses_add(req_t *r);
int h_psf_course_get(req_t *r);
int h_psf_course_enrol(req_t *r);
int h_psf_course_assess(req_t *r);
int h_psf_course_certify(req_t *r);
int h_psf_certificate_revoke(req_t *r);
int h_psf_units_list(req_t *r);
int h_psf_units_add(req_t *r);
int h_psf_unit_get(req_t *r);
int h_psf_unit_update(req_t *r);
int h_psf_unit_member(req_t *r);
int h_psf_unit_equipment(req_t *r);
int h_psf_unit_exercise(req_t *r);
int h_psf_unit_readiness(req_t *r);

extern const field_t psf_candidate_fields[], psf_vetting_fields[], psf_decision_fields[],
    psf_course_fields[], psf_enrol_fields[], psf_assess_fields[], psf_certify_fields[],
    psf_revoke_fields[], psf_unit_fields[], psf_unit_update_fields[], psf_member_fields[],
    psf_equipment_fields[], psf_exercise_fields[];

/* Scenario loading: the sections psf_courses and psf_units (rows as the API takes them). */
int psf_prepare_course_scenario(truce_t *t, cmd_t *c, err_t *e);
int psf_prepare_unit_scenario(truce_t *t, cmd_t *c, err_t *e);

#endif
