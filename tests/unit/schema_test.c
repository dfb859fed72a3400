/*
 * schema_test.c — strict input checking from field tables (src/schema.c).
 * One table exercises every field type; each case is a JSON body with the
 * error code and the field that err_t must name (E_NONE: accepted).
 */
#include "unit.h"

#include <time.h>

#include "schema.h"

static const char *const colours[] = {"red", "green", NULL};

static const field_t fields[] = {
    {"name", F_STR, 1, 1, 0, 10, NULL, "required, 1-10 bytes"},
    {"note", F_STR, 0, 0, 0, 0, NULL, "optional, 0-256 bytes"},
    {"id", F_ID, 0, 0, 0, 8, NULL, NULL},
    {"count", F_INT, 0, 1, 100, 0, NULL, NULL},
    {"ratio", F_NUM, 0, -1.5, 1.5, 0, NULL, NULL},
    {"flag", F_BOOL, 0, 0, 0, 0, NULL, NULL},
    {"at", F_TIME, 0, 0, 0, 0, NULL, NULL},
    {"tags", F_STRLIST, 0, 0, 3, 8, NULL, NULL},
    {"title", F_I18N, 0, 0, 0, 20, NULL, NULL},
    {"colour", F_ENUM, 0, 0, 0, 0, colours, NULL},
    {"ids", F_IDLIST, 0, 1, 4, 0, NULL, NULL},
    {NULL},
};

typedef struct {
    const char *body; /* JSON text (\u0000 allowed) */
    int code;         /* E_NONE when accepted */
    const char *field;
} case_t;

static void run_cases(const case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_error_t je;
        json_t *j = json_loads(cases[i].body, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (!j) fail_msg("case %zu: test body does not parse: %s", i, cases[i].body);
        err_t e;
        memset(&e, 0, sizeof e);
        int rc = schema_check(j, fields, &e);
        json_decref(j);
        if (cases[i].code == E_NONE) {
            if (rc != 0)
                fail_msg("%s: refused (%s, field \"%s\": %s), want accepted", cases[i].body,
                         err_name(e.code), e.field, e.message);
            continue;
        }
        if (rc != -1) fail_msg("%s: accepted, want %s", cases[i].body, err_name(cases[i].code));
        if (e.code != cases[i].code || strcmp(e.field, cases[i].field) != 0)
            fail_msg("%s: got %s field \"%s\" (%s), want %s field \"%s\"", cases[i].body,
                     err_name(e.code), e.field, e.message, err_name(cases[i].code), cases[i].field);
        assert_true(e.message[0] != 0);
    }
}

#define RUN(c) run_cases(c, sizeof c / sizeof c[0])

static void schema_object_level(void **state)
{
    (void)state;
    static const case_t c[] = {
        {"{\"name\":\"a\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"note\":\"n\",\"id\":\"A-1\",\"count\":5,\"ratio\":0.5,\"flag\":true,"
         "\"at\":\"2026-01-31T12:00:00Z\",\"tags\":[\"x\"],\"title\":{\"en\":\"e\",\"ar\":"
         "\"\xd8\xb9\"},"
         "\"colour\":\"red\",\"ids\":[\"P-1\",\"P-2\"]}",
         E_NONE, ""},
        {"[]", E_BAD_TYPE, ""},
        {"\"name\"", E_BAD_TYPE, ""},
        {"null", E_BAD_TYPE, ""},
        {"{}", E_MISSING_FIELD, "name"},
        {"{\"note\":\"only\"}", E_MISSING_FIELD, "name"},
        {"{\"name\":\"a\",\"extra\":1}", E_UNKNOWN_FIELD, "extra"},
        {"{\"name\":\"a\",\"Name\":\"b\"}", E_UNKNOWN_FIELD, "Name"}, /* names are exact */
        {"{\"name\":\"a\",\"\":1}", E_UNKNOWN_FIELD, ""},
        /* null: allowed for an optional field, refused for a required one */
        {"{\"name\":\"a\",\"note\":null,\"count\":null}", E_NONE, ""},
        {"{\"name\":null}", E_BAD_TYPE, "name"},
    };
    RUN(c);
}

static void schema_string(void **state)
{
    (void)state;
    static const case_t c[] = {
        {"{\"name\":5}", E_BAD_TYPE, "name"},
        {"{\"name\":[\"a\"]}", E_BAD_TYPE, "name"},
        {"{\"name\":\"\"}", E_OUT_OF_RANGE, "name"},
        {"{\"name\":\"0123456789\"}", E_NONE, ""},
        {"{\"name\":\"0123456789a\"}", E_OUT_OF_RANGE, "name"},
        /* lengths are characters: ten Arabic letters (twenty bytes) fit, eleven do not */
        {"{\"name\":\"\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\"}", E_NONE, ""},
        {"{\"name\":\"\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\xd8\xb3\"}", E_OUT_OF_RANGE, "name"},
        {"{\"name\":\"a\\nb\\tc\"}", E_NONE, ""},
        {"{\"name\":\"a\\u0001\"}", E_BAD_VALUE, "name"},
        {"{\"name\":\"a\\rb\"}", E_BAD_VALUE, "name"},
        {"{\"name\":\"a\\u001f\"}", E_BAD_VALUE, "name"},
        {"{\"name\":\"a\\u0000b\"}", E_BAD_VALUE, "name"},
        {"{\"name\":\"a\",\"note\":\"\"}", E_NONE, ""},
    };
    RUN(c);
    /* The default limit of 256 bytes. */
    char body[400];
    char *p = body + sprintf(body, "{\"name\":\"a\",\"note\":\"");
    memset(p, 'n', 256);
    strcpy(p + 256, "\"}");
    case_t ok[] = {{body, E_NONE, ""}};
    RUN(ok);
    memset(p, 'n', 257);
    strcpy(p + 257, "\"}");
    case_t bad[] = {{body, E_OUT_OF_RANGE, "note"}};
    RUN(bad);
}

static void schema_id(void **state)
{
    (void)state;
    static const case_t c[] = {
        {"{\"name\":\"a\",\"id\":\"Ab-9_.x\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"id\":\"12345678\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"id\":\"123456789\"}", E_BAD_VALUE, "id"},
        {"{\"name\":\"a\",\"id\":\"\"}", E_BAD_VALUE, "id"},
        {"{\"name\":\"a\",\"id\":\"a b\"}", E_BAD_VALUE, "id"},
        {"{\"name\":\"a\",\"id\":\"a/b\"}", E_BAD_VALUE, "id"},
        {"{\"name\":\"a\",\"id\":\"\xc3\xa9\"}", E_BAD_VALUE, "id"},
        {"{\"name\":\"a\",\"id\":\"a\\nb\"}", E_BAD_VALUE, "id"},
        {"{\"name\":\"a\",\"id\":5}", E_BAD_TYPE, "id"},
    };
    RUN(c);
    /* maxlen 0 means 64. */
    char id[80];
    memset(id, 'x', 64);
    id[64] = 0;
    assert_int_equal(schema_valid_id(id, 0), 1);
    id[64] = 'x';
    id[65] = 0;
    assert_int_equal(schema_valid_id(id, 0), 0);
    assert_int_equal(schema_valid_id("", 10), 0);
    assert_int_equal(schema_valid_id("abc", 3), 1);
    assert_int_equal(schema_valid_id("abcd", 3), 0);
}

static void schema_numbers(void **state)
{
    (void)state;
    static const case_t c[] = {
        {"{\"name\":\"a\",\"count\":1}", E_NONE, ""},
        {"{\"name\":\"a\",\"count\":100}", E_NONE, ""},
        {"{\"name\":\"a\",\"count\":0}", E_OUT_OF_RANGE, "count"},
        {"{\"name\":\"a\",\"count\":101}", E_OUT_OF_RANGE, "count"},
        {"{\"name\":\"a\",\"count\":-5}", E_OUT_OF_RANGE, "count"},
        {"{\"name\":\"a\",\"count\":9223372036854775807}", E_OUT_OF_RANGE, "count"},
        {"{\"name\":\"a\",\"count\":5.0}", E_BAD_TYPE, "count"},
        {"{\"name\":\"a\",\"count\":\"5\"}", E_BAD_TYPE, "count"},
        {"{\"name\":\"a\",\"count\":true}", E_BAD_TYPE, "count"},
        {"{\"name\":\"a\",\"ratio\":1}", E_NONE, ""},
        {"{\"name\":\"a\",\"ratio\":-1.5}", E_NONE, ""},
        {"{\"name\":\"a\",\"ratio\":1.5}", E_NONE, ""},
        {"{\"name\":\"a\",\"ratio\":1.5000001}", E_OUT_OF_RANGE, "ratio"},
        {"{\"name\":\"a\",\"ratio\":-2}", E_OUT_OF_RANGE, "ratio"},
        {"{\"name\":\"a\",\"ratio\":1e300}", E_OUT_OF_RANGE, "ratio"},
        {"{\"name\":\"a\",\"ratio\":\"0.5\"}", E_BAD_TYPE, "ratio"},
        {"{\"name\":\"a\",\"ratio\":null}", E_NONE, ""},
    };
    RUN(c);
}

static void schema_bool_time_enum(void **state)
{
    (void)state;
    static const case_t c[] = {
        {"{\"name\":\"a\",\"flag\":true}", E_NONE, ""},
        {"{\"name\":\"a\",\"flag\":false}", E_NONE, ""},
        {"{\"name\":\"a\",\"flag\":1}", E_BAD_TYPE, "flag"},
        {"{\"name\":\"a\",\"flag\":\"true\"}", E_BAD_TYPE, "flag"},
        {"{\"name\":\"a\",\"at\":\"2026-01-31T12:00:00Z\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"at\":\"2026-01-31T15:00:00.250+03:00\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"at\":\"2028-02-29T00:00:00Z\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"at\":\"2026-02-30T00:00:00Z\"}", E_BAD_VALUE, "at"},
        {"{\"name\":\"a\",\"at\":\"2026-01-31T12:00:00\"}", E_BAD_VALUE, "at"},
        {"{\"name\":\"a\",\"at\":\"yesterday\"}", E_BAD_VALUE, "at"},
        {"{\"name\":\"a\",\"at\":1769860800000}", E_BAD_TYPE, "at"},
        {"{\"name\":\"a\",\"colour\":\"red\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"colour\":\"green\"}", E_NONE, ""},
        {"{\"name\":\"a\",\"colour\":\"blue\"}", E_BAD_VALUE, "colour"},
        {"{\"name\":\"a\",\"colour\":\"RED\"}", E_BAD_VALUE, "colour"},
        {"{\"name\":\"a\",\"colour\":\"\"}", E_BAD_VALUE, "colour"},
        {"{\"name\":\"a\",\"colour\":1}", E_BAD_TYPE, "colour"},
    };
    RUN(c);
}

static void schema_lists(void **state)
{
    (void)state;
    static const case_t c[] = {
        {"{\"name\":\"a\",\"tags\":[]}", E_NONE, ""},
        {"{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"c\"]}", E_NONE, ""},
        {"{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", E_OUT_OF_RANGE, "tags"},
        {"{\"name\":\"a\",\"tags\":[\"a\",\"a\"]}", E_BAD_VALUE, "tags"},
        {"{\"name\":\"a\",\"tags\":[\"a b\"]}", E_BAD_VALUE, "tags"},
        {"{\"name\":\"a\",\"tags\":[\"\"]}", E_BAD_VALUE, "tags"},
        {"{\"name\":\"a\",\"tags\":[\"123456789\"]}", E_BAD_VALUE, "tags"},
        {"{\"name\":\"a\",\"tags\":[1]}", E_BAD_VALUE, "tags"},
        {"{\"name\":\"a\",\"tags\":[null]}", E_BAD_VALUE, "tags"},
        {"{\"name\":\"a\",\"tags\":\"a\"}", E_BAD_TYPE, "tags"},
        {"{\"name\":\"a\",\"tags\":{\"a\":1}}", E_BAD_TYPE, "tags"},
        {"{\"name\":\"a\",\"ids\":[\"P-1\"]}", E_NONE, ""},
        {"{\"name\":\"a\",\"ids\":[\"P-1\",\"P-2\",\"P-3\",\"P-4\"]}", E_NONE, ""},
        {"{\"name\":\"a\",\"ids\":[]}", E_OUT_OF_RANGE, "ids"},
        {"{\"name\":\"a\",\"ids\":[\"P-1\",\"P-2\",\"P-3\",\"P-4\",\"P-5\"]}", E_OUT_OF_RANGE,
         "ids"},
        /* duplicates, adjacent or not */
        {"{\"name\":\"a\",\"ids\":[\"P-1\",\"P-1\"]}", E_BAD_VALUE, "ids"},
        {"{\"name\":\"a\",\"ids\":[\"P-1\",\"P-2\",\"P-3\",\"P-1\"]}", E_BAD_VALUE, "ids"},
        /* ids are case-sensitive: P-1 and p-1 are two ids */
        {"{\"name\":\"a\",\"ids\":[\"P-1\",\"p-1\"]}", E_NONE, ""},
        {"{\"name\":\"a\",\"ids\":[\"P 1\"]}", E_BAD_VALUE, "ids"},
        {"{\"name\":\"a\",\"ids\":\"P-1\"}", E_BAD_TYPE, "ids"},
    };
    RUN(c);
}

/* A long id list (stock checks take 20,000) is checked for repeats in about
 * linear time: comparing every pair took over a second of a pool thread. */
static void schema_long_id_list(void **state)
{
    (void)state;
    static const field_t many[] = {{"ids", F_IDLIST, 0, 0, 20000, 32, NULL, NULL}, {NULL}};
    json_t *ids = json_array();
    char id[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "DDR-W-%d", i);
        json_array_append_new(ids, json_string(id));
    }
    json_t *body = json_pack("{s:o}", "ids", ids);
    err_t e;
    clock_t t0 = clock();
    assert_int_equal(schema_check(body, many, &e), 0);
    json_array_set_new(ids, 19999, json_string("DDR-W-7"));
    memset(&e, 0, sizeof e);
    assert_int_equal(schema_check(body, many, &e), -1);
    double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(e.code, E_BAD_VALUE);
    assert_string_equal(e.field, "ids");
    assert_non_null(strstr(e.message, "ids[19999] is repeated"));
    json_decref(body);
    if (cpu > 0.25) fail_msg("two checks of 20,000 ids took %.3f s of CPU", cpu);
}

static void schema_i18n(void **state)
{
    (void)state;
    static const case_t c[] = {
        {"{\"name\":\"a\",\"title\":{\"en\":\"Gaza\",\"ar\":\"\xd8\xba\xd8\xb2\xd8\xa9\"}}", E_NONE,
         ""},
        {"{\"name\":\"a\",\"title\":{\"ar\":\"x\",\"en\":\"y\"}}", E_NONE, ""},
        {"{\"name\":\"a\",\"title\":{\"en\":\"Gaza\"}}", E_MISSING_FIELD, "title.ar"},
        {"{\"name\":\"a\",\"title\":{\"ar\":\"x\"}}", E_MISSING_FIELD, "title.en"},
        {"{\"name\":\"a\",\"title\":{}}", E_MISSING_FIELD, "title.en"},
        {"{\"name\":\"a\",\"title\":{\"en\":\"x\",\"ar\":\"y\",\"fr\":\"z\"}}", E_UNKNOWN_FIELD,
         "title.fr"},
        {"{\"name\":\"a\",\"title\":{\"en\":\"\",\"ar\":\"y\"}}", E_OUT_OF_RANGE, "title.en"},
        {"{\"name\":\"a\",\"title\":{\"en\":\"x\",\"ar\":\"\"}}", E_OUT_OF_RANGE, "title.ar"},
        {"{\"name\":\"a\",\"title\":{\"en\":1,\"ar\":\"y\"}}", E_BAD_TYPE, "title.en"},
        {"{\"name\":\"a\",\"title\":{\"en\":\"x\",\"ar\":null}}", E_BAD_TYPE, "title.ar"},
        {"{\"name\":\"a\",\"title\":{\"en\":\"x\\u0002\",\"ar\":\"y\"}}", E_BAD_VALUE, "title.en"},
        {"{\"name\":\"a\",\"title\":{\"en\":\"01234567890123456789\",\"ar\":\"y\"}}", E_NONE, ""},
        {"{\"name\":\"a\",\"title\":{\"en\":\"012345678901234567890\",\"ar\":\"y\"}}",
         E_OUT_OF_RANGE, "title.en"},
        {"{\"name\":\"a\",\"title\":\"Gaza\"}", E_BAD_TYPE, "title"},
        {"{\"name\":\"a\",\"title\":[\"en\",\"ar\"]}", E_BAD_TYPE, "title"},
    };
    RUN(c);
}

static void schema_first_error_wins(void **state)
{
    (void)state;
    /* An unknown field is named even when a required one is also missing. */
    static const case_t c[] = {
        {"{\"bogus\":1}", E_UNKNOWN_FIELD, "bogus"},
        {"{\"count\":0}", E_OUT_OF_RANGE, "count"},
    };
    RUN(c);
}

static void schema_value_names_nested_field(void **state)
{
    (void)state;
    err_t e;
    memset(&e, 0, sizeof e);
    json_t *v = json_integer(500);
    assert_int_equal(schema_value(v, &fields[3], "items[2].count", &e), -1);
    assert_int_equal(e.code, E_OUT_OF_RANGE);
    assert_string_equal(e.field, "items[2].count");
    assert_non_null(strstr(e.message, "items[2].count"));
    json_decref(v);
    v = json_pack("{s:s}", "en", "x");
    assert_int_equal(schema_value(v, &fields[8], "sector.name", &e), -1);
    assert_int_equal(e.code, E_MISSING_FIELD);
    assert_string_equal(e.field, "sector.name.ar");
    json_decref(v);
    v = json_integer(50);
    memset(&e, 0, sizeof e);
    assert_int_equal(schema_value(v, &fields[3], "count", &e), 0);
    assert_int_equal(e.code, E_NONE);
    json_decref(v);
}

static void schema_openapi_matches_table(void **state)
{
    (void)state;
    json_t *s = schema_openapi(fields);
    assert_non_null(s);
    assert_string_equal(json_string_value(json_object_get(s, "type")), "object");
    assert_true(json_is_false(json_object_get(s, "additionalProperties")));
    json_t *props = json_object_get(s, "properties");
    assert_int_equal(json_object_size(props), 11);
    for (const field_t *f = fields; f->name; f++)
        assert_non_null(json_object_get(props, f->name));
    json_t *req = json_object_get(s, "required");
    assert_int_equal(json_array_size(req), 1);
    assert_string_equal(json_string_value(json_array_get(req, 0)), "name");
    json_t *p = json_object_get(props, "count");
    assert_string_equal(json_string_value(json_object_get(p, "type")), "integer");
    assert_int_equal((int)json_number_value(json_object_get(p, "minimum")), 1);
    assert_int_equal((int)json_number_value(json_object_get(p, "maximum")), 100);
    p = json_object_get(props, "colour");
    json_t *en = json_object_get(p, "enum");
    assert_int_equal(json_array_size(en), 2);
    assert_string_equal(json_string_value(json_array_get(en, 0)), "red");
    assert_string_equal(json_string_value(json_array_get(en, 1)), "green");
    p = json_object_get(props, "title");
    assert_true(json_is_false(json_object_get(p, "additionalProperties")));
    assert_int_equal(json_array_size(json_object_get(p, "required")), 2);
    p = json_object_get(props, "at");
    assert_string_equal(json_string_value(json_object_get(p, "format")), "date-time");
    p = json_object_get(props, "name");
    assert_string_equal(json_string_value(json_object_get(p, "description")),
                        "required, 1-10 bytes");
    assert_int_equal(json_integer_value(json_object_get(p, "maxLength")), 10);
    assert_string_equal(json_string_value(json_object_get(json_object_get(props, "ids"), "type")),
                        "array");
    assert_string_equal(json_string_value(json_object_get(json_object_get(props, "flag"), "type")),
                        "boolean");
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schema_object_level),
        cmocka_unit_test(schema_string),
        cmocka_unit_test(schema_id),
        cmocka_unit_test(schema_numbers),
        cmocka_unit_test(schema_bool_time_enum),
        cmocka_unit_test(schema_lists),
        cmocka_unit_test(schema_long_id_list),
        cmocka_unit_test(schema_i18n),
        cmocka_unit_test(schema_first_error_wins),
        cmocka_unit_test(schema_value_names_nested_field),
        cmocka_unit_test(schema_openapi_matches_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
