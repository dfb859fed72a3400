/*
 * ops.h — operation coordination (issue 6): the IDF liaison informs or
 * coordinates an operation; the CMCC concurs or acknowledges, refers it to
 * the ISF, requests narrowing (the server proposes the change that clears
 * every conflict with the least loss) or objects, which escalates along the
 * CMCC commander's reporting lines. Unanswered notices escalate at half and
 * all of their time. Humanitarian organisations whose sites or movements are
 * affected receive advisories that reveal nothing of the operation.
 *
 * Need to know: an operation's events are labelled for the CMCC and the
 * notifying organisation (an objection adds the organisations of the
 * positions it escalates to; a referral's task is ISF HQ's). Advisories are
 * labelled for their humanitarian organisation and the CMCC, and carry
 * neither the operation's id, kind, area nor originator.
 */
#ifndef TRUCE_OPS_H
#define TRUCE_OPS_H

#include "http.h"

int h_ops_list(req_t *r);
int h_ops_add(req_t *r);
int h_op_get(req_t *r);
int h_op_decision(req_t *r);
int h_op_respond(req_t *r);
int h_op_outcome(req_t *r);
int h_op_record(req_t *r);
int h_advisories_list(req_t *r);
int h_advisory_ack(req_t *r);

extern const field_t op_fields[], decision_fields[], respond_fields[], outcome_report_fields[];

/* Decision-ready work for a notice (bench/ops.c times it): the conflicts of
 * its area and window, and the narrowing proposal; new object
 * {"conflicts", "proposal"}. Under the state lock. */
json_t *ops_ready(truce_t *t, const json_t *notice);

/* Escalates unanswered notices whose deadline (half or all) has passed;
 * called about once a second by the server. */
void ops_tick(truce_t *t);
/* Decision-time metrics for /metrics. */
void ops_metrics(truce_t *t, buf_t *b);
/* An operation's labels (NULL when none), for conflict filtering. */
json_t *ops_labels(truce_t *t, const char *id);
/* The SITREP's figures for [from, until): operations notified, decisions by
 * kind, still pending (new member "operations" of out); under the lock. */
void ops_sitrep(truce_t *t, int64_t from, int64_t until, json_t *out);

#endif
