/*
 * transition.h — sector hand-over (issue 9, docs/psf.md): every sector moves
 * through the phases isf_led -> joint -> pa_led_isf_support -> pa_led. Each
 * step has gates (settings.psf.handover.steps[].gates in the scenario) that
 * are evaluated from the data, and needs the sign-off of every party the step
 * names; each sign-off is an event by an account whose person holds a
 * position with the party's authority. The step into a phase is taken by the
 * last sign-off, in the same command. A step back (reversal) needs the
 * sign-offs the scenario names for it, each with a reason.
 *
 * Gates read figures through a registry of metrics that modules fill at
 * start (their module init). A metric nobody registered evaluates to
 * "no_data", and no_data never passes a gate.
 */
#ifndef TRUCE_TRANSITION_H
#define TRUCE_TRANSITION_H

#include "http.h"

/* A metric: the figure for a sector over [from_ms, until_ms] into *value,
 * and what it rests on into evidence (an object the caller owns; add
 * members). from_ms == until_ms asks for the figure as of that time
 * (counting metrics then count from the start up to until_ms). Returns 0
 * with *value set, 1 when there is no data, -1 on error (read as no_data).
 * Runs under the state lock (read) or on the writer thread: it must only
 * read state. Names documented in docs/psf.md:
 *   psf_unit_readiness      lowest readiness of the sector's PSF units (psf.c)
 *   psf_certified_members   members of the sector's PSF units with a valid certificate (psf.c)
 *   incidents_per_week      confirmed incidents in the sector per week (incidents)
 *   aid_trucks_per_day      mission-wide trucks crossed per day, mean over the period (aid)
 *   aid_days_below_target   days in the period below the daily truck target (aid)
 *   ddr_weapons_collected   weapons handed in, in the sector, in the period (DDR) */
typedef int (*gate_metric_fn)(truce_t *t, const char *sector, int64_t from_ms, int64_t until_ms,
                              double *value, json_t *evidence);
/* Registers (or replaces) a metric; process-wide, call before serving. */
void gate_metric_register(const char *name, gate_metric_fn fn);
/* The registered function, or NULL. */
gate_metric_fn gate_metric_find(const char *name);

/* Gate statuses. */
enum { GATE_PASS = 0, GATE_FAIL = 1, GATE_NO_DATA = 2 };
extern const char *const gate_status_names[];

/* Evaluates one gate {"id","metric","op","threshold","weeks"?} for a sector
 * as of now: weeks 0 (or absent) reads the metric once as of now; N >= 1
 * reads each of the N last 7-day windows ending at now, and every window
 * must hold. Any failing window fails the gate; otherwise any window
 * without data makes it no_data. Comparison op is one of >=, >, <=, <, with
 * a tolerance of 1e-9. *out (new) gets the gate with status, value (the
 * newest window's) and windows [{from, until, value, status, evidence}].
 * Returns the status. */
int transition_gate_eval(truce_t *t, const char *sector, const json_t *gate, int64_t now,
                         json_t **out);
/* Whether value satisfies op threshold (tolerance 1e-9); -1 for an unknown op. */
int transition_compare(const char *op, double value, double threshold);

extern const char *const handover_phases[]; /* NULL-terminated, in order */

int h_handover_list(req_t *r);
int h_handover_get(req_t *r);
int h_handover_signoff(req_t *r);
int h_handover_withdraw(req_t *r);
extern const field_t handover_sign_fields[], handover_withdraw_fields[];

#endif
