/*
 * ddr_test.c — the DDR fraud rules' building blocks (src/ddr_match.c):
 * serial and ID number normalisation, transliterated name normalisation,
 * Jaro-Winkler and the token-wise name score; and the sealing of personal
 * data with DATA/ddr.key (src/ddr.c).
 */
#include "unit.h"

#include <math.h>

#include "ddr_int.h"

static const char *serial(const char *in)
{
    static char out[128];
    ddr_serial_norm(in, out, sizeof out);
    return out;
}

static const char *name(const char *in)
{
    static char out[256];
    ddr_name_norm(in, out, sizeof out);
    return out;
}

static void ddr_serial_lookalikes_fold(void **state)
{
    (void)state;
    const char *same[] = {"AK 47-001", "ak47oo1", "AK-47 OOI", "ak.47.0.0.l", "\xd0\x90\xd0\x9a" "47001" /* Cyrillic АК */,
                          "ak\xd9\xa4\xd9\xa7\xd9\xa0\xd9\xa0\xd9\xa1" /* Arabic-Indic ٤٧٠٠١ */};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) assert_string_equal(serial(same[i]), "AK47001");
    assert_string_equal(serial("SB-2Z g"), "58226");
    assert_string_equal(serial("  12 34  "), "1234");
}

static void ddr_serial_distinct_stay_distinct(void **state)
{
    (void)state;
    char a[64], b[64];
    ddr_serial_norm("AK47001", a, sizeof a);
    ddr_serial_norm("AK47002", b, sizeof b);
    assert_string_not_equal(a, b);
    ddr_serial_norm("M16-A1-773", a, sizeof a);
    ddr_serial_norm("M16-A1-778", b, sizeof b);
    assert_string_not_equal(a, b);
}

static void ddr_serial_unknown_is_empty(void **state)
{
    (void)state;
    const char *none[] = {"unknown", "UNKNOWN", "none", "N/A", "-", "", "illegible"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) assert_int_equal(ddr_serial_norm(none[i], (char[8]){0}, 8), 0);
    assert_int_equal(ddr_serial_norm(NULL, (char[8]){0}, 8), 0);
}

static void ddr_serial_bounded(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(ddr_serial_norm("ABCDEFGH", out, sizeof out), 3);
    assert_string_equal(out, "A8C");
}

static void ddr_idnum_normalises(void **state)
{
    (void)state;
    char a[64], b[64];
    ddr_idnum_norm("0401 234 567", a, sizeof a);
    ddr_idnum_norm("401-234-567", b, sizeof b);
    assert_string_equal(a, "401234567");
    assert_string_equal(a, b);
    ddr_idnum_norm("\xd9\xa4\xd9\xa0\xd9\xa1" "234567", b, sizeof b); /* ٤٠١234567 */
    assert_string_equal(a, b);
}

static void ddr_name_transliterations_agree(void **state)
{
    (void)state;
    const char *groups[][4] = {
        {"Mohammed Ahmed al-Masri", "Muhammad Ahmad el-Masri", "Mohamad Ahmed Al Masri", "MOHAMMAD AHMAD AL-MASRI"},
        {"Hussein Abu Khalil", "Husayn Abou Khalil", "Hussain Abo Khalil", "Husein Abu-Khalil"},
        {"Abd al-Rahman Saleh", "Abdelrahman Salih", "Abdulrahman Saleh", "Abd el-Rahman Salih"},
        {"Said Ashour", "Saeed Ashur", "Sa'eed Ashour", "Sa'id Ashour"},
        {"Omar Zaid", "Umar Zaid", "Omar Zeid", "Umar Zayd"},
        {"Yahya Odeh", "Yehia Odeh", "Yahia Odeh", "Yehya Odah"},
        {"Ihab Sami", "Ehab Samy", "Ihab Sami", "Ehab Sami"},
        {"Fatima Ali", "Fatimah Aly", "Fatma Ali", "Fátima Ali"},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (int k = 1; k < 4; k++) {
            double s = ddr_name_similarity(groups[g][0], groups[g][k]);
            if (s < 0.9) fail_msg("%s / %s scored %.3f", groups[g][0], groups[g][k], s);
        }
    assert_string_equal(name("Mohammed Ahmed al-Masri"), name("Muhammad Ahmad el-Masri"));
    assert_string_equal(name("Hussein Abou Khalil"), name("Husayn Abu Khalil"));
}

static void ddr_name_different_people_stay_apart(void **state)
{
    (void)state;
    const char *pairs[][2] = {
        {"Ahmad Nasser", "Mahmoud Nasser"}, {"Mohammed Saleh", "Mahmoud Saleh"}, {"Khalil Haddad", "Mohammed Saleh"},
        {"Ibrahim Odeh", "Ismail Odeh"},    {"Ali Hassan", "Ali Hussein"},       {"Sami Odeh", "Rami Odeh"},
        {"Youssef Barakat", "Yasser Barakat"}, {"Ahmad Nasser", "Imad Nasser"}, {"Ali Odeh", "Saleh Odeh"},
        {"Sami Odeh", "Samir Odeh"},        {"Adel Odeh", "Nidal Odeh"},        {"Ayyad Odeh", "Eid Odeh"},
        {"Walid Odeh", "Wael Odeh"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double s = ddr_name_similarity(pairs[i][0], pairs[i][1]);
        if (s >= 0.9) fail_msg("%s / %s scored %.3f", pairs[i][0], pairs[i][1], s);
    }
}

static void ddr_name_articles_and_particles(void **state)
{
    (void)state;
    assert_string_equal(name("al-Masri"), name("Masri"));
    assert_string_equal(name("Abou Ali"), name("Abu Ali"));
    assert_string_equal(name("Ibn Khaldun"), name("bin Khaldoun"));
    assert_string_equal(name(""), "");
    assert_string_equal(name("  -- "), "");
}

static void ddr_name_missing_middle_name(void **state)
{
    (void)state;
    double s = ddr_name_similarity("Mohammed Ahmed Saleh", "Muhammad Saleh");
    assert_true(s >= 0.9 && s < 1.0);
}

static void ddr_jaro_winkler_known(void **state)
{
    (void)state;
    assert_true(fabs(ddr_jaro_winkler("martha", "marhta") - 0.961) < 0.001);
    assert_true(fabs(ddr_jaro_winkler("dwayne", "duane") - 0.84) < 0.001);
    assert_true(fabs(ddr_jaro_winkler("dixon", "dicksonx") - 0.813) < 0.001);
    assert_true(ddr_jaro_winkler("abc", "abc") == 1.0);
    assert_true(ddr_jaro_winkler("", "abc") == 0.0);
    assert_true(ddr_jaro_winkler("abc", "xyz") == 0.0);
}

static void ddr_arabic_forms_fold(void **state)
{
    (void)state;
    char a[256], b[256];
    /* مُحَمَّد أحمد المصري  /  محمد احمد مصري */
    ddr_arabic_norm("\xd9\x85\xd9\x8f\xd8\xad\xd9\x8e\xd9\x85\xd9\x91\xd9\x8e\xd8\xaf \xd8\xa3\xd8\xad\xd9\x85\xd8\xaf "
                    "\xd8\xa7\xd9\x84\xd9\x85\xd8\xb5\xd8\xb1\xd9\x8a",
                    a, sizeof a);
    ddr_arabic_norm("\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xa7\xd8\xad\xd9\x85\xd8\xaf \xd9\x85\xd8\xb5\xd8\xb1\xd9\x8a", b,
                    sizeof b);
    assert_string_equal(a, b);
    /* فاطمة / فاطمه */
    ddr_arabic_norm("\xd9\x81\xd8\xa7\xd8\xb7\xd9\x85\xd8\xa9", a, sizeof a);
    ddr_arabic_norm("\xd9\x81\xd8\xa7\xd8\xb7\xd9\x85\xd9\x87", b, sizeof b);
    assert_string_equal(a, b);
}

static void ddr_seal_round_trip(void **state)
{
    (void)state;
    char dir[600];
    assert_non_null(unit_tmp_dir(dir, sizeof dir));
    truce_t t;
    memset(&t, 0, sizeof t);
    t.dir = dir;
    assert_int_equal(state_init(&t), 0);
    json_t *d = json_pack("{s:s, s:s}", "name_latin", "Exercise Person", "date_of_birth", "1990-01-01");
    json_t *sealed = ddr__seal(&t, "DDR-P-1", d);
    assert_non_null(sealed);
    assert_null(strstr(json_string_value(sealed), "Exercise"));
    json_t *back = ddr__open(&t, "DDR-P-1", json_string_value(sealed));
    assert_non_null(back);
    assert_true(json_equal(back, d));
    /* the id is associated data: a blob moved to another record does not open */
    assert_null(ddr__open(&t, "DDR-P-2", json_string_value(sealed)));
    assert_null(ddr__open(&t, "DDR-P-1", "bm90IHNlYWxlZA=="));
    char path[700];
    snprintf(path, sizeof path, "%s/ddr.key", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    json_decref(back);
    json_decref(sealed);
    json_decref(d);
    state_release(&t);
}

static int group_setup(void **state)
{
    (void)state;
    return unit_tmp_root("ddr");
}

static int group_teardown(void **state)
{
    (void)state;
    return unit_tmp_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ddr_serial_lookalikes_fold),
        cmocka_unit_test(ddr_serial_distinct_stay_distinct),
        cmocka_unit_test(ddr_serial_unknown_is_empty),
        cmocka_unit_test(ddr_serial_bounded),
        cmocka_unit_test(ddr_idnum_normalises),
        cmocka_unit_test(ddr_name_transliterations_agree),
        cmocka_unit_test(ddr_name_different_people_stay_apart),
        cmocka_unit_test(ddr_name_articles_and_particles),
        cmocka_unit_test(ddr_name_missing_middle_name),
        cmocka_unit_test(ddr_jaro_winkler_known),
        cmocka_unit_test(ddr_arabic_forms_fold),
        cmocka_unit_test(ddr_seal_round_trip),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
