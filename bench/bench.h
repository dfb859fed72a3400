/*
 * bench.h — small helpers shared by the C benchmarks: a monotonic clock,
 * percentiles, the process's resident memory, and one way to print a figure
 * with its target beside it. Benchmarks print; they never assert.
 */
#ifndef TRUCE_BENCH_H
#define TRUCE_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* BENCH_CPU_CLOCK=1 (environment) times with the thread's CPU clock instead
 * of the wall clock: on a machine busy with other work, what a call costs
 * without the time other processes took the core (caches still shared). */
static inline uint64_t bench_ns(void)
{
    static int cpu = -1;
    if (cpu < 0) cpu = getenv("BENCH_CPU_CLOCK") && atoi(getenv("BENCH_CPU_CLOCK")) > 0;
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v in place and returns the p-th percentile (0 < p <= 100). */
static inline uint64_t bench_pct(uint64_t *v, size_t n, double p)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, bench_cmp_u64);
    size_t i = (size_t)(p / 100.0 * (double)n);
    if (i >= n) i = n - 1;
    return v[i];
}

/* A line of /proc/self/status in kB ("VmRSS", "VmHWM"); -1 when absent. */
static inline long bench_status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            kb = strtol(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* Deterministic xorshift64*, so two runs probe the same indices. */
static inline uint64_t bench_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

#endif
