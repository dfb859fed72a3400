/*
 * tz.h — offset of a tz database zone ("Asia/Gaza") from UTC at an instant.
 * Unknown zones answer 0 (UTC). Zones are read once and kept for the process.
 */
#ifndef TRUCE_TZ_H
#define TRUCE_TZ_H

#include <stdint.h>

#include "util.h"

int64_t tz_offset_ms(const char *zone, int64_t utc_ms);

/* Local calendar days, numbered from 1970-01-01 (day 0): the day a time falls
 * on in the zone, and the UTC time the day starts. */
int32_t tz_day(const char *zone, int64_t utc_ms);
int64_t tz_day_start(const char *zone, int32_t day);
/* "YYYY-MM-DD" (a real date, 1970..9999) to a day number; -1 otherwise. */
int tz_date_parse(const char *s, int32_t *day);
void tz_date_format(int32_t day, char out[11]);
/* Whole years from the date a string starts with ("YYYY-MM-DD", a date of
 * birth, or the date part of an RFC 3339 time) to day, by the calendar: a
 * birthday counts from its day's start; 29 February's, in other years, from
 * 1 March. -1 when the string does not start with a date. */
int tz_years_since(const char *date, int32_t day);

#endif
