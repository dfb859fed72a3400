/*
 * tz.h — offset of a tz database zone ("Asia/Gaza") from UTC at an instant.
 * Unknown zones answer 0 (UTC). Zones are read once and kept for the process.
 */
#ifndef TRUCE_TZ_H
#define TRUCE_TZ_H

#include <stdint.h>

#include "util.h"

int64_t tz_offset_ms(const char *zone, int64_t utc_ms);

#endif
