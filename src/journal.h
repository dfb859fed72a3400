/*
 * journal.h — the CMCC duty journal: the chronological record of what
 * happened and what was done. Entries are journal.added events; each carries
 * labels, and every list is filtered by them.
 */
#ifndef TRUCE_JOURNAL_H
#define TRUCE_JOURNAL_H

#include "http.h"

int h_journal_add(req_t *r);
int h_journal_list(req_t *r);
extern const field_t journal_fields[];

#endif
