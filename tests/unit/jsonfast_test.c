/*
 * jsonfast_test.c — the log's JSON parser (src/jsonfast.c), differential
 * against jansson: on valid JSON both must build equal values (integers stay
 * integers, reals reals); on invalid JSON both must refuse. Then random
 * documents in every jansson output style, and byte mutations of valid
 * documents, must get the same verdict and value from both.
 */
#include "unit.h"

#include <math.h>

#include "jsonfast.h"
#include "util.h"

static json_t *jansson(const char *s, size_t n)
{
    return json_loadb(s, n, JSON_DECODE_ANY, NULL);
}

/* Same verdict and, when accepted, the same value (by type, not just ==). */
static void agree(const char *s, size_t n, const char *what)
{
    json_t *a = jsonfast_parse(s, n), *b = jansson(s, n);
    int same_verdict = !a == !b, same_value = !a || !b || json_equal(a, b);
    int fast_ok = a != NULL, jansson_ok = b != NULL;
    json_decref(a);
    json_decref(b);
    if (!same_verdict)
        fail_msg("%s: jsonfast %s, jansson %s: %.*s", what, fast_ok ? "accepts" : "refuses",
                 jansson_ok ? "accepts" : "refuses", (int)(n > 200 ? 200 : n), s);
    if (!same_value) fail_msg("%s: values differ for %.*s", what, (int)(n > 200 ? 200 : n), s);
}

static void jsonfast_valid(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "42",
        "123456789012345678",
        "9223372036854775807",
        "-9223372036854775808",
        "1.5",
        "-1.5e3",
        "1E2",
        "1e-2",
        "1e+2",
        "0.0",
        "-0.0",
        "0.1",
        "3.141592653589793",
        "1.7976931348623157e308",
        "2.2250738585072014e-308",
        "\"\"",
        "\"a\"",
        "\"a\\\"b\"",
        "\"\\\\\"",
        "\"\\/\"",
        "\"\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\"",
        "\"\\u00E9\"",
        "\"\\u20ac\"",
        "\"\\ud83d\\ude00\"",
        "\"\\uD83D\\uDE00\"",
        "\"\xc3\xa9\"",
        "\"\xd8\xba\xd8\xb2\xd8\xa9\"",
        "\"\xe2\x82\xac\"",
        "\"\xf0\x9f\x98\x80\"",
        "\"\xef\xbf\xbf\"",
        "\"\xf4\x8f\xbf\xbf\"",
        "\"\x7f\"",
        "[]",
        "{}",
        "[1,[2,[3]]]",
        "{\"a\":{\"b\":[true,false,null]}}",
        " \t\n\r[ 1 , 2 ]\n",
        "{ \"a\" : 1 , \"b\" : [ ] }",
        "{\"a\\nb\":1}",
        "{\"\":0}",
        "{\"\\u00e9\":\"\\u00e9\"}",
        "[\"x\",{\"y\":[0.5,-2,\"z\"]}]",
        "{\"a\":1,\"a\":2}", /* duplicate keys: both keep the last */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        json_t *v = jsonfast_parse(ok[i], strlen(ok[i]));
        if (!v) fail_msg("refused valid JSON %s", ok[i]);
        json_decref(v);
        agree(ok[i], strlen(ok[i]), "valid");
    }
    /* Types are kept: 1 is an integer, 1.0 a real. */
    json_t *v = jsonfast_parse("[1,1.0,1e0]", 11);
    assert_non_null(v);
    assert_true(json_is_integer(json_array_get(v, 0)));
    assert_true(json_is_real(json_array_get(v, 1)));
    assert_true(json_is_real(json_array_get(v, 2)));
    json_decref(v);
    /* Not NUL-terminated input: only n bytes are read. */
    char buf[8] = {'[', '1', ']', 'x', 'x', 'x', 'x', 'x'};
    v = jsonfast_parse(buf, 3);
    assert_non_null(v);
    assert_int_equal(json_integer_value(json_array_get(v, 0)), 1);
    json_decref(v);
    v = jsonfast_parse("\"ab", 2); /* "a  (cut before the quote) */
    assert_null(v);
}

static void jsonfast_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        " ",
        "nul",
        "tru",
        "fals",
        "nulll",
        "True",
        "NULL",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[",
        "]",
        "{",
        "}",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":}",
        "{1:2}",
        "[1]x",
        "{} {}",
        "01",
        "-",
        "+1",
        ".5",
        "1.",
        "1e",
        "1e+",
        "-.5",
        "0x10",
        "1_000",
        "NaN",
        "Infinity",
        "-Infinity",
        "\"unterminated",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800x\"",
        "\"a\x01b\"",
        "\"a\nb\"",
        "\"a\tb\"",
        "\"\xff\"",
        "\"\xc3\"",
        "\"\xc0\xaf\"",
        "\"\xc1\xbf\"",
        "\"\xe0\x80\xaf\"",
        "\"\xed\xa0\x80\"",
        "\"\xf0\x80\x80\xaf\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xf5\x80\x80\x80\"",
        "\"\x80\"",
        "\"\\u0000\"",
        "9223372036854775808",
        "-9223372036854775809",
        "1e400",
        "-1e400",
        "[1]]",
        "[[1]",
        "\"\\",
        "\"\\\"",
        "/* c */ 1",
        "1 // c",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *v = jsonfast_parse(bad[i], strlen(bad[i]));
        if (v) fail_msg("accepted invalid JSON [%s]", bad[i]);
        agree(bad[i], strlen(bad[i]), "invalid");
    }
    /* NUL bytes inside the input are not JSON. */
    assert_null(jsonfast_parse("[1]\0", 4));
    assert_null(jsonfast_parse("\"a\0b\"", 5));
}

static void jsonfast_long_strings_and_keys(void **state)
{
    (void)state;
    /* Strings with escapes longer than any scratch buffer, keys over 256 bytes. */
    buf_t b;
    buf_init(&b);
    buf_adds(&b, "{\"");
    for (int i = 0; i < 600; i++)
        buf_adds(&b, i % 3 ? "k" : "\\u00e9");
    buf_adds(&b, "\":\"");
    for (int i = 0; i < 5000; i++)
        buf_adds(&b, i % 7 ? "v" : "\\n\\\"\\ud83d\\ude00");
    buf_adds(&b, "\",\"short\":[\"");
    for (int i = 0; i < 300; i++)
        buf_adds(&b, "\\t");
    buf_adds(&b, "\"]}");
    agree(b.data, b.len, "long strings");
    json_t *v = jsonfast_parse(b.data, b.len);
    assert_non_null(v);
    assert_int_equal(json_object_size(v), 2);
    buf_release(&b);
    json_decref(v);
}

static void jsonfast_nesting(void **state)
{
    (void)state;
    /* Nesting as deep as the log writes it (an event body inside the event). */
    for (int depth = 1; depth <= 40; depth++) {
        buf_t b;
        buf_init(&b);
        for (int i = 0; i < depth; i++)
            buf_adds(&b, i % 2 ? "{\"k\":" : "[");
        buf_adds(&b, "0");
        for (int i = depth - 1; i >= 0; i--)
            buf_adds(&b, i % 2 ? "}" : "]");
        agree(b.data, b.len, "nesting");
        buf_release(&b);
    }
    /* Very deep input is refused, never a stack overflow. */
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < 100000; i++)
        buf_adds(&b, "[");
    json_t *v = jsonfast_parse(b.data, b.len);
    assert_null(v);
    buf_release(&b);
}

/* Reals too small for a normal double are valid JSON and what jansson, and
 * so the log's writer, produce (a subnormal such as 1e-310 dumps as
 * 9.99999999999997e-311); the replay parser must read them back. */
static void jsonfast_tiny_reals(void **state)
{
    (void)state;
    static const char *const tiny[] = {
        "1e-310", "9.99999999999997e-311", "4.94065645841247e-324", "2.2e-308", "[1e-320]",
        "1e-400"};
    for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++)
        agree(tiny[i], strlen(tiny[i]), "tiny real");
}

/* ---- random documents ---- */

/* Whether text has an exponent of -290 or below (the tiny reals above). */
static int has_tiny_exponent(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if ((s[i] == 'e' || s[i] == 'E') && s[i + 1] == '-' && s[i + 2] >= '0' && s[i + 2] <= '9') {
            long v = 0;
            for (size_t k = i + 2; k < n && s[k] >= '0' && s[k] <= '9' && v < 100000; k++)
                v = v * 10 + (s[k] - '0');
            if (v >= 290) return 1;
        }
    return 0;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static json_t *random_string(void)
{
    static const char *const parts[] = {
        "a",    "Z",        " ",        "\"",           "\\",
        "/",    "\n",       "\t",       "\x01",         "\x1f",
        "\x7f", "\xc3\xa9", "\xd8\xba", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "0",    "key"};
    buf_t b;
    buf_init(&b);
    int n = (int)(next() % 12);
    for (int i = 0; i < n; i++)
        buf_adds(&b, parts[next() % (sizeof parts / sizeof parts[0])]);
    json_t *s = json_string(b.data);
    buf_release(&b);
    return s;
}

static json_t *random_value(int depth)
{
    switch (next() % (depth > 5 ? 5 : 7)) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(next() & 1);
    case 2:
        return json_integer((json_int_t)next() >> (next() % 64));
    case 3: {
        double d;
        switch (next() % 4) {
        case 0:
            d = (double)(int64_t)next() / 1e6;
            break;
        case 1:
            d = ldexp((double)(next() % 1000000), (int)(next() % 1200) - 600);
            break;
        case 2:
            d = 1.0 / (double)(next() % 1000 + 1);
            break;
        default:
            d = -(double)(next() % 100000) * 1e10;
            break;
        }
        return json_real(d);
    }
    case 4:
        return random_string();
    case 5: {
        json_t *a = json_array();
        int n = (int)(next() % 5);
        for (int i = 0; i < n; i++)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        int n = (int)(next() % 5);
        for (int i = 0; i < n; i++) {
            json_t *k = random_string();
            json_object_set_new(o, json_string_value(k), random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void jsonfast_random_documents(void **state)
{
    (void)state;
    static const size_t styles[] = {
        JSON_COMPACT | JSON_ENCODE_ANY,
        JSON_INDENT(2) | JSON_ENCODE_ANY,
        JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY,
        JSON_ENSURE_ASCII | JSON_ENCODE_ANY,
        JSON_ESCAPE_SLASH | JSON_ENCODE_ANY,
    };
    for (int i = 0; i < 3000; i++) {
        json_t *v = random_value(0);
        for (size_t s = 0; s < sizeof styles / sizeof styles[0]; s++) {
            char *text = json_dumps(v, styles[s]);
            assert_non_null(text);
            json_t *a = jsonfast_parse(text, strlen(text));
            json_t *b = jansson(text, strlen(text));
            assert_non_null(b);
            if (!a) {
                /* Tiny reals are covered by jsonfast_tiny_reals; skip them here. */
                if (has_tiny_exponent(text, strlen(text))) {
                    free(text);
                    continue;
                }
                fail_msg("refused what jansson wrote: %.300s", text);
            }
            if (!json_equal(a, b)) fail_msg("values differ for %.300s", text);
            json_decref(a);
            json_decref(b);
            free(text);
        }
        json_decref(v);
    }
}

/* A request body: whatever jsonfast_parse_request accepts, jansson with
 * JSON_REJECT_DUPLICATES accepts as the same value (the dispatcher asks
 * jansson only when jsonfast refuses). */
static void request_agrees(const char *s, size_t n)
{
    json_t *a = jsonfast_parse_request(s, n);
    if (!a) return;
    json_t *b = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    if (!b) fail_msg("jsonfast accepts a body jansson refuses: %.*s", (int)(n > 200 ? 200 : n), s);
    if (!json_equal(a, b)) fail_msg("values differ for the body %.*s", (int)(n > 200 ? 200 : n), s);
    json_decref(a);
    json_decref(b);
}

static void jsonfast_request_bodies(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "{\"a\":1,\"a\":2}", "{\"x\":{\"k\":[],\"k\":null}}", "[{\"a\":1,\"b\":2,\"a\":3}]",
        "\"text\"", "42", "null", "true", "{\"a\":1} x", "",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        json_t *v = jsonfast_parse_request(refused[i], strlen(refused[i]));
        if (v) fail_msg("jsonfast_parse_request accepts %s", refused[i]);
    }
    static const char *const accepted[] = {
        "{\"text\":\"x\",\"labels\":[\"all\"]}", "[]", " {\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]} ",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        json_t *v = jsonfast_parse_request(accepted[i], strlen(accepted[i]));
        if (!v) fail_msg("jsonfast_parse_request refuses %s", accepted[i]);
        json_decref(v);
        request_agrees(accepted[i], strlen(accepted[i]));
    }
}

static void jsonfast_mutations_agree(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "{\"actor\":\"alice\",\"body\":{\"n\":3,\"x\":[1.5,-2,\"\\u00e9\"]},\"kind\":\"k\","
        "\"labels\":[\"all\"]}",
        "[null,true,false,0,-1,1e5,\"a\\\"b\\\\c\",{\"k\":{}}]",
        "{\"s\":\"\xd8\xba\xd8\xb2\xd8\xa9 \\ud83d\\ude00\",\"e\":[[],[[]]],\"n\":-0.25e-3}",
    };
    static const char alphabet[] = "{}[]\":,\\/ -+.0123456789eEtrufalsn\x01\x7f\xc3\xa9\xff";
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        size_t n = strlen(seeds[s]);
        char *m = malloc(n + 2);
        assert_non_null(m);
        for (int i = 0; i < 20000; i++) {
            memcpy(m, seeds[s], n + 1);
            size_t len = n;
            int edits = 1 + (int)(next() % 3);
            for (int k = 0; k < edits; k++) {
                size_t at = next() % len;
                switch (next() % 3) {
                case 0:
                    m[at] = alphabet[next() % (sizeof alphabet - 1)];
                    break;
                case 1:
                    memmove(m + at, m + at + 1, len - at);
                    len--;
                    break;
                default:
                    memmove(m + at + 1, m + at, len - at + 1);
                    m[at] = alphabet[next() % (sizeof alphabet - 1)];
                    len++;
                    if (len > n) {
                        len--; /* keep within the buffer */
                        m[len] = 0;
                    }
                }
                if (len == 0) break;
            }
            request_agrees(m, len);
            json_t *a = jsonfast_parse(m, len), *b = jansson(m, len);
            if (!a != !b) {
                /* A mutation that makes a tiny real is the known case above. */
                int tiny = b && !a && has_tiny_exponent(m, len);
                if (!tiny)
                    fail_msg("jsonfast %s, jansson %s: %.*s", a ? "accepts" : "refuses",
                             b ? "accepts" : "refuses", (int)len, m);
            } else if (a && !json_equal(a, b)) {
                fail_msg("values differ for %.*s", (int)len, m);
            }
            json_decref(a);
            json_decref(b);
        }
        free(m);
    }
}

/* The string scanner skips 16 plain bytes at a time: put every kind of byte
 * that stops it (quote, backslash escape, control byte, UTF-8 lead, invalid
 * byte, the end of the input) at every offset around those strides. */
static void jsonfast_string_stops_at_every_offset(void **state)
{
    (void)state;
    static const char *const stops[] = {
        "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\u0000", "\\x", "\x01", "\x1f",
        "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\xff", "\xed\xa0\x80",
        "\"",
    };
    char doc[128];
    for (size_t s = 0; s < sizeof stops / sizeof stops[0]; s++)
        for (int before = 0; before <= 40; before++)
            for (int after = 0; after <= 20; after += 7) {
                size_t n = 0;
                doc[n++] = '"';
                for (int i = 0; i < before; i++) doc[n++] = (char)('a' + i % 26);
                memcpy(doc + n, stops[s], strlen(stops[s]));
                n += strlen(stops[s]);
                for (int i = 0; i < after; i++) doc[n++] = 'z';
                agree(doc, n, "unterminated");
                doc[n++] = '"';
                agree(doc, n, "string");
                /* As an object key too. */
                char obj[160];
                int m = snprintf(obj, sizeof obj, "{%.*s:1}", (int)n, doc);
                agree(obj, (size_t)m, "key");
            }
}

/* The event envelope reader: members in any order, unknown string members
 * ignored, integers up to the edges of a long long, and refusals. */
static void jsonfast_event_envelope(void **state)
{
    (void)state;
    jsonfast_event_t ev;
    static const char canonical[] =
        "{\"actor\":\"a\",\"body\":{\"x\":1},\"kind\":\"k\",\"labels\":[\"all\"],\"org\":\"O\","
        "\"seq\":9223372036854775807,\"subject\":\"S\",\"time\":\"T\",\"v\":1}";
    json_t *h = jsonfast_parse_event(canonical, strlen(canonical), &ev);
    assert_non_null(h);
    assert_true(ev.seq == 9223372036854775807LL);
    assert_string_equal(ev.actor, "a");
    assert_string_equal(ev.kind, "k");
    assert_string_equal(ev.org, "O");
    assert_string_equal(ev.subject, "S");
    assert_string_equal(ev.time, "T");
    assert_int_equal(json_integer_value(json_object_get(ev.body, "x")), 1);
    assert_string_equal(json_string_value(json_array_get(ev.labels, 0)), "all");
    json_decref(h);
    static const char shuffled[] =
        " { \"v\" : 1 , \"time\":\"T\",\"extra\":\"ignored\",\"subject\":\"S\\u00e9\",\"seq\":123456789012345678,"
        "\"org\":\"O\",\"labels\":[],\"kind\":\"k\",\"body\":{},\"actor\":\"a\\\"b\"} ";
    h = jsonfast_parse_event(shuffled, strlen(shuffled), &ev);
    assert_non_null(h);
    assert_true(ev.seq == 123456789012345678LL);
    assert_string_equal(ev.subject, "S\xc3\xa9");
    assert_string_equal(ev.actor, "a\"b");
    json_decref(h);
    static const char *const bad[] = {
        /* seq beyond a long long, a real, a string */
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":9223372036854775808,\"subject\":\"S\",\"time\":\"T\",\"v\":1}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7.0,\"subject\":\"S\",\"time\":\"T\",\"v\":1}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":\"7\",\"subject\":\"S\",\"time\":\"T\",\"v\":1}",
        /* v a real; an unknown member that is not a string; a key of 16 bytes */
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"time\":\"T\",\"v\":1e0}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"time\":\"T\",\"v\":1,\"x\":2}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"time\":\"T\",\"v\":1,\"abcdefghijklmnop\":\"\"}",
        /* a missing member; body not an object; labels not an array; a NUL escape */
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"v\":1}",
        "{\"actor\":\"a\",\"body\":[],\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"time\":\"T\",\"v\":1}",
        "{\"actor\":\"a\",\"body\":{},\"kind\":\"k\",\"labels\":{},\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"time\":\"T\",\"v\":1}",
        "{\"actor\":\"a\\u0000\",\"body\":{},\"kind\":\"k\",\"labels\":[],\"org\":\"O\","
        "\"seq\":7,\"subject\":\"S\",\"time\":\"T\",\"v\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = jsonfast_parse_event(bad[i], strlen(bad[i]), &ev);
        if (h) fail_msg("accepted %s", bad[i]);
        assert_null(ev.actor);
    }
    /* Integers around the 18-digit fast path agree with jansson. */
    static const char *const ints[] = {
        "999999999999999999", "-999999999999999999", "1000000000000000000",
        "-1000000000000000000", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "00", "-", "-01",
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) agree(ints[i], strlen(ints[i]), "integer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonfast_valid),
        cmocka_unit_test(jsonfast_invalid),
        cmocka_unit_test(jsonfast_long_strings_and_keys),
        cmocka_unit_test(jsonfast_nesting),
        cmocka_unit_test(jsonfast_tiny_reals),
        cmocka_unit_test(jsonfast_random_documents),
        cmocka_unit_test(jsonfast_mutations_agree),
        cmocka_unit_test(jsonfast_request_bodies),
        cmocka_unit_test(jsonfast_string_stops_at_every_offset),
        cmocka_unit_test(jsonfast_event_envelope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
