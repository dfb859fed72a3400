/*
 * unit.h — helpers shared by the C unit tests (tests/unit/<module>_test.c):
 * cmocka's headers in the order it needs, temporary folders that the group
 * teardown removes, hex helpers and a tiny command whose prepare() drafts one
 * "test.noted" event.
 *
 * Every helper is static: each test binary is one translation unit.
 * Temporary folders: unit_tmp_root() makes one folder per binary under
 * $TMPDIR (or /tmp); unit_tmp_dir() makes fresh subfolders in it; the group
 * teardown calls unit_tmp_cleanup(), which removes the whole tree even when
 * tests failed.
 */
#ifndef TRUCE_UNIT_H
#define TRUCE_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_UNUSED __attribute__((unused))

static char unit_root[512];
static unsigned unit_dirs;

/* Makes the per-binary temporary root; 0 or -1. Call from the group setup. */
static UNIT_UNUSED int unit_tmp_root(const char *name)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    snprintf(unit_root, sizeof unit_root, "%s/truce-%s-XXXXXX", base, name);
    return mkdtemp(unit_root) ? 0 : -1;
}

/* A fresh, empty folder under the root; the path lives in out (>= 600 bytes). */
static UNIT_UNUSED const char *unit_tmp_dir(char *out, size_t cap)
{
    snprintf(out, cap, "%s/d%u", unit_root, ++unit_dirs);
    if (mkdir(out, 0700) != 0) return NULL;
    return out;
}

static UNIT_UNUSED int unit_rm_one(const char *path, const struct stat *st, int flag,
                                   struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes the root and everything in it. */
static UNIT_UNUSED int unit_tmp_cleanup(void)
{
    if (!unit_root[0]) return 0;
    int rc = nftw(unit_root, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    unit_root[0] = 0;
    return rc;
}

/* Decodes a hex literal of 2*n digits into out; fails the test on bad input. */
static UNIT_UNUSED void unit_unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t len = strlen(hex);
    assert_int_equal(len, 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* Lower-case hex of n bytes into out (2n+1). Independent of util.c's hex_encode. */
static UNIT_UNUSED void unit_hex(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
    out[2 * n] = 0;
}

/* xorshift64*: the tests' deterministic random numbers. Each test binary
 * keeps its own state in unit_rng (seeded before use when it matters). */
static uint64_t unit_rng = 0x9E3779B97F4A7C15ULL;
static UNIT_UNUSED uint64_t unit_next(void)
{
    uint64_t x = unit_rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    unit_rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}
/* Uniform in [0, 1). */
static UNIT_UNUSED double unit_urand(void)
{
    return (double)(unit_next() >> 11) * 0x1p-53;
}

#endif
