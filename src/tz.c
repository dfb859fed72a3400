/*
 * tz.c — local time of the mission (caveats speak of local hours) from the
 * system's tz database (TZif files in /usr/share/zoneinfo), without touching
 * the process's TZ: thread-safe and the same on every machine with the same
 * tzdata. Gaza's future transitions are listed explicitly in tzdata, so the
 * transition table alone answers; past its end the last offset holds.
 */
#include "tz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ZONES 8

typedef struct {
    char name[64];
    int n;
    int64_t *at;      /* transition times, s */
    int32_t *off;     /* offset from each transition on, s */
    int32_t off0;     /* before the first */
} zone_t;

static zone_t zones[MAX_ZONES];
static int nzones;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    if (n == 4) return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static int load(zone_t *z, const char *name)
{
    char path[160];
    if (strstr(name, "..")) return -1;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    size_t len;
    char *d = file_read(path, &len);
    if (!d) return -1;
    const unsigned char *p = (const unsigned char *)d, *end = p + len;
    int rc = -1;
    if (len < 44 || memcmp(p, "TZif", 4)) goto out;
    /* skip the 32-bit block to the 64-bit one (version 2 and later) */
    int64_t c[6];
    for (int i = 0; i < 6; i++) c[i] = be(p + 20 + 4 * i, 4);
    size_t skip = 44 + (size_t)(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    if (p[4] < '2' || skip + 44 > len) goto out;
    p += skip;
    if (memcmp(p, "TZif", 4)) goto out;
    for (int i = 0; i < 6; i++) c[i] = be(p + 20 + 4 * i, 4);
    int64_t timecnt = c[3], typecnt = c[4];
    const unsigned char *times = p + 44, *idx = times + timecnt * 8, *types = idx + timecnt;
    if (typecnt < 1 || types + typecnt * 6 > end) goto out;
    z->n = (int)timecnt;
    z->at = malloc((size_t)(timecnt ? timecnt : 1) * sizeof *z->at);
    z->off = malloc((size_t)(timecnt ? timecnt : 1) * sizeof *z->off);
    if (!z->at || !z->off) goto out;
    for (int64_t i = 0; i < timecnt; i++) {
        z->at[i] = be(times + i * 8, 8);
        int t = idx[i] < typecnt ? idx[i] : 0;
        z->off[i] = (int32_t)be(types + t * 6, 4);
    }
    z->off0 = (int32_t)be(types, 4);
    snprintf(z->name, sizeof z->name, "%s", name);
    rc = 0;
out:
    free(d);
    return rc;
}

int64_t tz_offset_ms(const char *name, int64_t utc_ms)
{
    if (!name || !*name || strcmp(name, "UTC") == 0) return 0;
    pthread_mutex_lock(&mu);
    zone_t *z = NULL;
    for (int i = 0; i < nzones; i++)
        if (strcmp(zones[i].name, name) == 0) z = &zones[i];
    if (!z && nzones < MAX_ZONES && load(&zones[nzones], name) == 0) z = &zones[nzones++];
    pthread_mutex_unlock(&mu);
    if (!z) return 0;
    int64_t s = utc_ms >= 0 ? utc_ms / 1000 : -((-utc_ms + 999) / 1000);
    /* last transition at or before s */
    int lo = 0, hi = z->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (z->at[mid] <= s) lo = mid + 1;
        else hi = mid;
    }
    return (int64_t)(lo ? z->off[lo - 1] : z->off0) * 1000;
}

#define DAY_MS (86400LL * 1000)

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's days_from_civil / civil_from_days). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_date_format(int32_t day, char out[11])
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp + (mp < 10 ? 3 : -9);
    int y = yoe + era * 400 + (m <= 2);
    snprintf(out, 11, "%04d-%02d-%02d", y < 0 ? 0 : y > 9999 ? 9999 : y, m, d);
}

int tz_date_parse(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return -1;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return -1;
    *day = days_from_civil(y, m, d);
    return 0;
}

int tz_years_since(const char *date, int32_t day)
{
    char b[11], now[11];
    if (!date || strlen(date) < 10 || date[4] != '-' || date[7] != '-') return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9')) return -1;
    memcpy(b, date, 10); /* any year: people were born before 1970 */
    b[10] = 0;
    tz_date_format(day, now);
    int years = atoi(now) - atoi(b);
    int nm = atoi(now + 5), bm = atoi(b + 5);
    if (nm < bm || (nm == bm && atoi(now + 8) < atoi(b + 8))) years--;
    return years;
}

int32_t tz_day(const char *zone, int64_t utc_ms)
{
    int64_t l = utc_ms + tz_offset_ms(zone, utc_ms);
    return (int32_t)(l >= 0 ? l / DAY_MS : (l - DAY_MS + 1) / DAY_MS);
}

/* The first instant whose local day is day: offsets are within a day of
 * UTC, so it lies in [local midnight - 1 day, + 1 day]; tz_day is
 * monotonic there, and a binary search (to the second) finds it even when
 * midnight is skipped or happens twice. */
int64_t tz_day_start(const char *zone, int32_t day)
{
    int64_t lo = (int64_t)day * DAY_MS - DAY_MS, hi = (int64_t)day * DAY_MS + DAY_MS;
    while (hi - lo > 1000) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tz_day(zone, mid) >= day) hi = mid;
        else lo = mid;
    }
    return hi - hi % 1000;
}
