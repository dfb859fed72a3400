/*
 * report.h — the daily SITREP and the feed of the last hours
 * (docs/monitoring.md). The SITREP's sections come from the incident, aid
 * operations and DDR modules; the operations section only for readers
 * cleared for operations (the CMCC cell and leadership), the disarmament
 * section only for readers of the DDR figures (ddr.audit).
 */
#ifndef TRUCE_REPORT_H
#define TRUCE_REPORT_H

#include "http.h"

int h_sitrep(req_t *r);
int h_stats_feed(req_t *r);

/* The SITREP of a local day as who may read it (NULL: everything, for the
 * command line). Takes the lock. New reference. */
json_t *report_sitrep(truce_t *t, const principal_t *who, int32_t day);
/* The printable page of a SITREP (malloc'd, *len bytes). */
char *report_sitrep_html(const json_t *rep, size_t *len);

#endif
