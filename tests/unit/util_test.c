/*
 * util_test.c — the string builder, hex, RFC 3339 times, files and the error
 * list (src/util.c).
 */
#include "unit.h"

#include <float.h>
#include <math.h>
#include <time.h>

#include "util.h"

/* ---- buf_t ---- */

static void buf_init_is_empty_string(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    assert_int_equal(b.failed, 0);
    buf_release(&b);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
}

static void buf_append(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_add(&b, "abc", 3);
    buf_adds(&b, "def");
    buf_add(&b, "g\0h", 3); /* bytes, NUL included */
    assert_int_equal(b.len, 9);
    assert_memory_equal(b.data, "abcdefg\0h", 9);
    assert_int_equal(b.data[9], 0);
    buf_add(&b, "", 0);
    assert_int_equal(b.len, 9);
    buf_release(&b);
}

static void buf_append_grows(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    /* Many small appends across several reallocations. */
    for (int i = 0; i < 10000; i++)
        buf_add(&b, "0123456789", 10);
    assert_int_equal(b.len, 100000);
    assert_true(b.cap > b.len);
    for (int i = 0; i < 10000; i++)
        assert_memory_equal(b.data + 10 * i, "0123456789", 10);
    assert_int_equal(b.data[b.len], 0);
    assert_int_equal(b.failed, 0);
    buf_release(&b);
}

static void buf_addf_growth(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_addf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.data, "42-x");
    /* One formatted append far larger than the initial capacity. */
    char *big = malloc(5001);
    assert_non_null(big);
    memset(big, 'z', 5000);
    big[5000] = 0;
    buf_addf(&b, "[%s]%05d", big, 7);
    assert_int_equal(b.len, 4 + 1 + 5000 + 1 + 5);
    assert_memory_equal(b.data, "42-x[", 5);
    assert_int_equal(b.data[5 + 5000], ']');
    assert_string_equal(b.data + 5 + 5000 + 1, "00007");
    assert_int_equal(strlen(b.data), b.len);
    /* Formatting into an exactly full buffer. */
    buf_t c;
    buf_init(&c);
    for (int i = 0; i < 200; i++)
        buf_addf(&c, "%c", 'a' + i % 26);
    assert_int_equal(c.len, 200);
    for (int i = 0; i < 200; i++)
        assert_int_equal(c.data[i], 'a' + i % 26);
    assert_int_equal(c.data[200], 0);
    buf_addf(&c, "%s", "");
    assert_int_equal(c.len, 200);
    free(big);
    buf_release(&b);
    buf_release(&c);
}

static void buf_reset_keeps_nothing(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_adds(&b, "hello");
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    buf_adds(&b, "x");
    assert_string_equal(b.data, "x");
    buf_release(&b);
    /* Resetting a never-used buffer keeps the empty string. */
    buf_init(&b);
    buf_reset(&b);
    assert_string_equal(b.data, "");
    buf_release(&b);
}

static void buf_detach_hands_over(void **state)
{
    (void)state;
    buf_t b;
    size_t n = 99;
    buf_init(&b);
    buf_adds(&b, "owned");
    char *p = buf_detach(&b, &n);
    assert_string_equal(p, "owned");
    assert_int_equal(n, 5);
    /* b is empty and reusable; p is the caller's. */
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    buf_adds(&b, "again");
    assert_string_equal(b.data, "again");
    assert_string_equal(p, "owned");
    free(p);
    buf_release(&b);
    /* Detaching an empty buffer still gives a string to free(). */
    buf_init(&b);
    p = buf_detach(&b, &n);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(n, 0);
    free(p);
}

static void buf_failure_sticks(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_adds(&b, "ok");
    b.failed = 1; /* as after an allocation failure */
    buf_adds(&b, "lost");
    buf_addf(&b, "%s", "lost too");
    assert_int_equal(b.failed, 1);
    assert_string_equal(b.data, "ok");
    buf_release(&b);
}

static void buf_json_string_escaping(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"a\nb\rc\td", "\"a\\nb\\rc\\td\""},
        {"\x01\x1f", "\"\\u0001\\u001F\""},
        {"\b\f", "\"\\b\\f\""}, /* as jansson writes them */
        {"/ and \x7f", "\"/ and \x7f\""},
        {"\xd8\xba\xd8\xb2\xd8\xa9 caf\xc3\xa9", "\"\xd8\xba\xd8\xb2\xd8\xa9 caf\xc3\xa9\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_t b;
        buf_init(&b);
        buf_adds(&b, "[");
        buf_add_json_str(&b, cases[i].in);
        buf_adds(&b, "]");
        assert_memory_equal(b.data, "[", 1);
        assert_int_equal(b.len, strlen(cases[i].want) + 2);
        assert_memory_equal(b.data + 1, cases[i].want, strlen(cases[i].want));
        /* A JSON parser reads back exactly the input. */
        json_error_t je;
        json_t *j = json_loads(b.data, 0, &je);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_array_get(j, 0)), cases[i].in);
        json_decref(j);
        buf_release(&b);
    }
    /* Every control character round-trips. */
    char all[32];
    for (int c = 1; c < 32; c++)
        all[c - 1] = (char)c;
    all[31] = 0;
    buf_t b;
    buf_init(&b);
    buf_add_json_str(&b, all);
    for (size_t i = 0; i < b.len; i++)
        assert_true((unsigned char)b.data[i] >= 0x20);
    json_t *j = json_loads(b.data, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), all);
    json_decref(j);
    buf_release(&b);
}

/* ---- hex ---- */

static void hex_round_trip(void **state)
{
    (void)state;
    uint8_t in[256], out[256];
    char hex[513];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    hex_encode(in, sizeof in, hex);
    assert_int_equal(strlen(hex), 512);
    assert_memory_equal(hex, "000102030405060708090a0b0c0d0e0f", 32);
    assert_string_equal(hex + 480, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    assert_int_equal(hex_decode(hex, out, sizeof out), 0);
    assert_memory_equal(in, out, sizeof in);
    /* Upper case decodes too. */
    uint8_t two[2];
    assert_int_equal(hex_decode("ABcd", two, 2), 0);
    assert_int_equal(two[0], 0xab);
    assert_int_equal(two[1], 0xcd);
    /* Zero bytes. */
    hex_encode(in, 0, hex);
    assert_string_equal(hex, "");
    assert_int_equal(hex_decode("", out, 0), 0);
}

static void hex_decode_rejects(void **state)
{
    (void)state;
    uint8_t out[4] = {0xaa, 0xaa, 0xaa, 0xaa};
    assert_int_equal(hex_decode("0011223", out, 4), -1);    /* odd length */
    assert_int_equal(hex_decode("001122", out, 4), -1);     /* too short */
    assert_int_equal(hex_decode("0011223344", out, 4), -1); /* too long */
    assert_int_equal(hex_decode("00112g33", out, 4), -1);   /* not hex */
    assert_int_equal(hex_decode("0x112233", out, 4), -1);
    assert_int_equal(hex_decode(" 0112233", out, 4), -1);
    assert_int_equal(hex_decode("001122-3", out, 4), -1);
    assert_int_equal(hex_decode("", out, 4), -1);
}

/* ---- time ---- */

static void time_format_known(void **state)
{
    (void)state;
    char s[32];
    time_format(0, s);
    assert_string_equal(s, "1970-01-01T00:00:00.000Z");
    time_format(1764386398123LL, s);
    assert_string_equal(s, "2025-11-29T03:19:58.123Z");
    time_format(951782400000LL, s); /* leap day of a century divisible by 400 */
    assert_string_equal(s, "2000-02-29T00:00:00.000Z");
    time_format(1709251199999LL, s);
    assert_string_equal(s, "2024-02-29T23:59:59.999Z");
    time_format(-1, s);
    assert_string_equal(s, "1969-12-31T23:59:59.999Z");
    time_format(-1000, s);
    assert_string_equal(s, "1969-12-31T23:59:59.000Z");
}

static void time_parse_known(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t ms;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T00:00:00.000Z", 0},
        {"2025-11-29T03:19:58.123Z", 1764386398123LL},
        {"2025-11-29t03:19:58.123z", 1764386398123LL},
        {"2025-11-29T03:19:58.1Z", 1764386398100LL},
        {"2025-11-29T03:19:58.12Z", 1764386398120LL},
        {"2025-11-29T03:19:58.123999Z", 1764386398123LL}, /* beyond ms: truncated */
        /* Offsets: local time minus the offset is UTC. */
        {"2025-11-29T06:19:58.123+03:00", 1764386398123LL},
        {"2025-11-28T22:49:58.123-04:30", 1764386398123LL},
        {"2025-11-29T03:19:58.123+00:00", 1764386398123LL},
        {"2025-11-29T03:19:58.123-00:00", 1764386398123LL},
        {"2025-11-29T00:19:58.123-03:00", 1764386398123LL},
        /* Crossing midnight, month and year through the offset. */
        {"2026-01-01T01:30:00+02:00", 1767223800000LL}, /* 2025-12-31T23:30Z */
        /* Leap days. */
        {"2024-02-29T12:00:00Z", 1709208000000LL},
        {"2000-02-29T00:00:00Z", 951782400000LL},
        {"2024-03-01T00:00:00Z", 1709251200000LL},
        {"2024-12-31T23:59:59.999Z", 1735689599999LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = -42;
        if (time_parse(cases[i].s, &ms) != 0) fail_msg("refused %s", cases[i].s);
        if (ms != cases[i].ms)
            fail_msg("%s: got %lld, want %lld", cases[i].s, (long long)ms, (long long)cases[i].ms);
    }
}

static void time_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "garbage",
        "2026-02-30T00:00:00Z", /* no such day */
        "2026-02-29T00:00:00Z", /* not a leap year */
        "2100-02-29T00:00:00Z", /* century, not a leap year */
        "2023-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-01-31T24:00:00Z",
        "2026-01-31T12:60:00Z",
        "2026-01-31T12:00:61Z",
        "2026-01-31T12:00:00",     /* missing zone */
        "2026-01-31T12:00:00.123", /* missing zone */
        "2026-01-31",              /* date only */
        "2026-01-31 12:00:00Z",    /* space */
        "2026-01-31T12:00Z",       /* no seconds */
        "2026-1-31T12:00:00Z",     /* one-digit month */
        "26-01-31T12:00:00Z",
        "2026-01-31T12:00:00.Z",    /* empty fraction */
        "2026-01-31T12:00:00+0300", /* offset without colon */
        "2026-01-31T12:00:00+03",
        "2026-01-31T12:00:00+24:00", /* offset hour */
        "2026-01-31T12:00:00+03:60", /* offset minute */
        "2026-01-31T12:00:00ZZ",     /* trailing bytes */
        "2026-01-31T12:00:00Z ",
        "2026-01-31T12:00:00+03:00x",
        "1969-12-31T23:59:59Z", /* before the epoch: out of range here */
        "2026-01-31T12:00:00GMT",
        "+2026-01-31T12:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 12345;
        if (time_parse(bad[i], &ms) != -1)
            fail_msg("accepted \"%s\" as %lld", bad[i], (long long)ms);
    }
}

static void time_round_trip(void **state)
{
    (void)state;
    static const int64_t samples[] = {0,
                                      1,
                                      999,
                                      1000,
                                      86399999,
                                      951782400000LL,
                                      1709208000000LL,
                                      1764386398123LL,
                                      4102444799999LL, /* 2099-12-31T23:59:59.999Z */
                                      253402300799999LL /* 9999-12-31T23:59:59.999Z */};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char s[32];
        int64_t back = -1;
        time_format(samples[i], s);
        assert_int_equal(strlen(s), 24);
        assert_int_equal(time_parse(s, &back), 0);
        assert_int_equal(back, samples[i]);
    }
    /* A pseudo-random walk over 1970..2100, every millisecond digit exercised. */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t ms = (int64_t)(x % 4102444800000ULL);
        char s[32];
        int64_t back = -1;
        time_format(ms, s);
        assert_int_equal(time_parse(s, &back), 0);
        if (back != ms) fail_msg("%lld -> %s -> %lld", (long long)ms, s, (long long)back);
    }
    /* Every day of a leap year and of a common year formats and parses back. */
    for (int64_t d = 0; d < 366 + 365; d++) {
        int64_t ms = 1704067200000LL + d * 86400000LL + 43200123; /* from 2024-01-01, noon */
        char s[32];
        int64_t back;
        time_format(ms, s);
        assert_int_equal(time_parse(s, &back), 0);
        assert_int_equal(back, ms);
    }
}

static int64_t fixed_clock(void)
{
    return 1764386398123LL;
}

static void time_now_is_replaceable(void **state)
{
    (void)state;
    int64_t (*saved)(void) = util_now_ms;
    int64_t real = util_now_ms();
    assert_true(real > 1700000000000LL); /* after November 2023 */
    util_now_ms = fixed_clock;
    assert_int_equal(util_now_ms(), 1764386398123LL);
    util_now_ms = saved;
    assert_true(util_now_ms() >= real);
}

/* ---- files ---- */

static void file_write_read(void **state)
{
    (void)state;
    char dir[600], path[700];
    assert_non_null(unit_tmp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/f.bin", dir);
    static const char data[] = "line 1\nbinary \0 byte\n";
    assert_int_equal(file_write(path, data, sizeof data, 0600), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t n = 0;
    char *back = file_read(path, &n);
    assert_non_null(back);
    assert_int_equal(n, sizeof data);
    assert_memory_equal(back, data, sizeof data);
    free(back);
    /* Replacing keeps no temporary behind and applies the new mode. */
    assert_int_equal(file_write(path, "x", 1, 0644), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    back = file_read(path, &n);
    assert_non_null(back);
    assert_int_equal(n, 1);
    assert_string_equal(back, "x");
    free(back);
    snprintf(path, sizeof path, "%s/f.bin.tmp", dir);
    assert_int_equal(access(path, F_OK), -1);
    /* Missing file; folder that does not exist. */
    snprintf(path, sizeof path, "%s/absent", dir);
    assert_null(file_read(path, &n));
    snprintf(path, sizeof path, "%s/no/such/dir/f", dir);
    assert_int_equal(file_write(path, "x", 1, 0600), -1);
}

/* ---- errors ---- */

static void err_set_fills(void **state)
{
    (void)state;
    err_t e;
    memset(&e, 0x55, sizeof e);
    assert_int_equal(err_set(&e, E_CONFLICT, "id", NULL), -1);
    assert_int_equal(e.code, E_CONFLICT);
    assert_string_equal(e.field, "id");
    assert_string_equal(e.message, "this conflicts with the current state");
    assert_int_equal(err_set(&e, E_BAD_VALUE, NULL, "value %d of %s", 3, "x"), -1);
    assert_string_equal(e.field, "");
    assert_string_equal(e.message, "value 3 of x");
    /* Long fields and messages are cut, never overflowed. */
    char longf[200];
    memset(longf, 'f', sizeof longf - 1);
    longf[sizeof longf - 1] = 0;
    err_set(&e, E_BAD_VALUE, longf, "%s%s", longf, longf);
    assert_int_equal(strlen(e.field), sizeof e.field - 1);
    assert_int_equal(strlen(e.message), sizeof e.message - 1);
}

static void err_names_and_statuses(void **state)
{
    (void)state;
    static const struct {
        int code, status;
        const char *name;
    } cases[] = {
        {E_BAD_JSON, 400, "bad_json"},
        {E_UNKNOWN_FIELD, 400, "unknown_field"},
        {E_MISSING_FIELD, 400, "missing_field"},
        {E_BAD_TYPE, 400, "bad_type"},
        {E_OUT_OF_RANGE, 400, "out_of_range"},
        {E_BAD_GEOMETRY, 400, "bad_geometry"},
        {E_UNAUTHENTICATED, 401, "unauthenticated"},
        {E_FORBIDDEN, 403, "forbidden"},
        {E_NOT_FOUND, 404, "not_found"},
        {E_METHOD, 405, "method_not_allowed"},
        {E_CONFLICT, 409, "conflict"},
        {E_TOO_LARGE, 413, "too_large"},
        {E_MEDIA_TYPE, 415, "unsupported_media_type"},
        {E_THROTTLED, 429, "throttled"},
        {E_INTERNAL, 500, "internal"},
        {E_UNAVAILABLE, 503, "unavailable"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(err_name(cases[i].code), cases[i].name);
        assert_int_equal(err_status(cases[i].code), cases[i].status);
    }
    /* Every code has a name and a 4xx/5xx status; unknown codes are internal. */
    for (int c = 1; c < E__COUNT; c++) {
        assert_non_null(err_name(c));
        assert_in_range(err_status(c), 400, 599);
    }
    assert_string_equal(err_name(E__COUNT), "internal");
    assert_int_equal(err_status(E__COUNT), 500);
    assert_int_equal(err_status(-3), 500);
}

static int group_setup(void **state)
{
    (void)state;
    return unit_tmp_root("util");
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

/* A random jansson value: nested objects and arrays; strings with escapes,
 * control bytes and Arabic; integers; reals of every kind the API carries
 * (coordinates, rounded metres) and any other. */
static json_t *random_json(int depth)
{
    static const char *strs[] = {"", "plain", "say \"hi\"", "a\nb\tc\\", "\x01\x1f\x7f", "\xd8\xba\xd8\xb2\xd8\xa9", "SITE-12"};
    switch (unit_next() % (depth > 3 ? 4 : 6)) {
    case 0: return json_string(strs[unit_next() % 7]);
    case 1: return json_integer((json_int_t)(unit_next() >> (unit_next() % 64)) * (unit_next() % 2 ? 1 : -1));
    case 2: {
        double v;
        switch (unit_next() % 8) {
        case 0: v = round((unit_urand() * 2 - 1) * 180 * 1e7) / 1e7; break; /* a coordinate */
        case 1: v = round(unit_urand() * 1e6) / 100; break;                  /* metres to the cm */
        case 2: v = (double)(int64_t)(unit_urand() * 1e6); break;            /* integral */
        case 3: v = unit_urand() * pow(10, (double)(int)(unit_next() % 40) - 20); break;
        case 4: v = round(unit_urand() * 1e15) / 1e7; break;                  /* near 1e8 */
        case 5: v = unit_next() % 2 ? -0.0 : 0.0; break;
        case 6: v = 1e-4 * (double)(unit_next() % 3); break;
        default: v = (unit_urand() - 0.5) * 1e9; break;
        }
        return json_real(v);
    }
    case 3: return unit_next() % 3 ? json_true() : unit_next() % 2 ? json_false() : json_null();
    case 4: {
        json_t *a = json_array();
        for (int i = (int)(unit_next() % 5); i > 0; i--) json_array_append_new(a, random_json(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (int i = (int)(unit_next() % 5); i > 0; i--) {
            char k[16];
            snprintf(k, sizeof k, "k%d\t%d", i, (int)(unit_next() % 100));
            json_object_set_new(o, k, random_json(depth + 1));
        }
        return o;
    }
    }
}

static void buf_json_equals_jansson(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        json_t *j = random_json(0);
        char *want = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
        buf_t b;
        buf_init(&b);
        buf_add_json(&b, j);
        assert_non_null(want);
        if (strcmp(b.data, want)) fail_msg("value %d: got %s, jansson writes %s", i, b.data, want);
        free(want);
        /* The log's canonical form: keys sorted. */
        want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
        buf_reset(&b);
        buf_add_json_canon(&b, j);
        if (strcmp(b.data, want)) fail_msg("value %d sorted: got %s, jansson writes %s", i, b.data, want);
        free(want);
        buf_release(&b);
        json_decref(j);
    }
}

/* Reals one by one against jansson ("%.15g" and its own steps): random bit
 * patterns over the whole range, values near the powers of ten and the
 * edges of the fast path, halfway cases (whole numbers plus a half, binary
 * fractions), coordinates and metres. */
static void buf_json_reals_equal_jansson(void **state)
{
    (void)state;
    const double edges[] = {1e-4, 9.99999999999999e-5, 1e15, 999999999999999.5, 999999999999999.4, 99999999999999.95,
                            0.5, 0.125, 1.0 / 1024, 12345678901234.5, 2.5, 1e14, 1e14 + 1, 4503599627370496.5, 1e-5,
                            0.30000000000000004, 34.45678912345678, 31.123456789012345};
    char num[64];
    for (int i = 0; i < 600000; i++) {
        double v;
        uint64_t r = unit_next();
        int nedge = (int)(sizeof edges / sizeof edges[0]);
        switch (i % 6) {
        case 0: memcpy(&v, &r, sizeof v); break;                                    /* any bits */
        case 1: v = ldexp((double)(r >> 11), (int)(unit_next() % 120) - 80); break; /* 1e-24 to 1e20 */
        case 2: v = pow(10, (double)((int)(unit_next() % 24) - 6)) * (1 + ((double)(int)(unit_next() % 5) - 2) * DBL_EPSILON); break;
        case 3: v = (double)(r % 100000000000000ull) + 0.5 * (double)(unit_next() % 2); break;
        case 4: v = i / 6 < nedge ? edges[i / 6] : round((unit_urand() * 2 - 1) * 180 * 1e9) / 1e9; break;
        default: v = (double)(r % 1000000) / (double)(1u << (unit_next() % 20)); break;
        }
        if (!isfinite(v)) continue;
        if (unit_next() % 2) v = -v;
        json_t *j = json_real(v);
        char *want = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
        buf_t b;
        buf_init(&b);
        buf_add_json(&b, j);
        snprintf(num, sizeof num, "%.17g", v);
        if (strcmp(b.data, want)) fail_msg("%s: got %s, jansson writes %s", num, b.data, want);
        free(want);
        buf_release(&b);
        json_decref(j);
    }
}

static void buf_u64_decimal(void **state)
{
    (void)state;
    const uint64_t v[] = {0, 7, 10, 99, 1234567890, UINT64_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char want[24];
        snprintf(want, sizeof want, "%llu", (unsigned long long)v[i]);
        buf_t b;
        buf_init(&b);
        buf_adds(&b, "x");
        buf_add_u64(&b, v[i]);
        assert_string_equal(b.data + 1, want);
        buf_release(&b);
    }
}

static void str_copy_truncates(void **state)
{
    (void)state;
    char d[4];
    str_copy(d, sizeof d, "ab");
    assert_string_equal(d, "ab");
    str_copy(d, sizeof d, "abcdef");
    assert_string_equal(d, "abc");
    str_copy(d, 1, "x");
    assert_string_equal(d, "");
}

/* The hand-written fast path against gmtime_r + snprintf. */
static void time_format_matches_gmtime(void **state)
{
    (void)state;
    for (int i = 0; i < 200000; i++) {
        int64_t ms = (int64_t)(unit_next() % 253402300800000ull);
        if (i < 4) ms = (int64_t[]){0, 951782400000, 253402300799999, 86399999}[i];
        time_t s = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&s, &tm);
        char want[32], got[32];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
        time_format(ms, got);
        if (strcmp(got, want)) fail_msg("%lld: got %s, want %s", (long long)ms, got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_init_is_empty_string),
        cmocka_unit_test(buf_append),
        cmocka_unit_test(buf_append_grows),
        cmocka_unit_test(buf_addf_growth),
        cmocka_unit_test(buf_reset_keeps_nothing),
        cmocka_unit_test(buf_detach_hands_over),
        cmocka_unit_test(buf_failure_sticks),
        cmocka_unit_test(buf_json_string_escaping),
        cmocka_unit_test(buf_json_equals_jansson),
        cmocka_unit_test(buf_json_reals_equal_jansson),
        cmocka_unit_test(buf_u64_decimal),
        cmocka_unit_test(str_copy_truncates),
        cmocka_unit_test(hex_round_trip),
        cmocka_unit_test(hex_decode_rejects),
        cmocka_unit_test(time_format_known),
        cmocka_unit_test(time_format_matches_gmtime),
        cmocka_unit_test(time_parse_known),
        cmocka_unit_test(time_parse_rejects),
        cmocka_unit_test(time_round_trip),
        cmocka_unit_test(time_now_is_replaceable),
        cmocka_unit_test(file_write_read),
        cmocka_unit_test(err_set_fills),
        cmocka_unit_test(err_names_and_statuses),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
