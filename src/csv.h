/*
 * csv.h — RFC 4180 CSV as imports and exports use it: one record at a time
 * from a buffer, fields quoted only when they must be, and the bad-rows list
 * an all-or-nothing import answers with ({"line", "field", "message"}, in
 * file order).
 */
#ifndef TRUCE_CSV_H
#define TRUCE_CSV_H

#include <jansson.h>

#include "util.h"

/* One record starting at *p; its fields appended to row as new strings.
 * Returns 0, or -1 at the end of input. *line advances over newlines
 * (quoted ones too), so it is the file's line number of the next record.
 * A field written by csv_field's guard ('=...) reads back without the '. */
int csv_next(const char **p, const char *end, json_t *row, int *line);
/* Appends text s as one field (quoted when it holds a comma, quote or
 * newline; a leading = + - @ gets a ' so spreadsheets do not run it).
 * Numbers are written as they are, not through here. */
void csv_field(buf_t *b, const char *s);
/* Adds a bad row (at most 1000 are kept). */
void csv_row_error(json_t *rows, int line, const char *field, const char *msg);
/* Sorts bad rows by line, keeping each row's errors in order. */
void csv_sort_rows(json_t *rows);

#endif
