/*
 * sha256_test.c — SHA-256 of a || b (src/sha256.c), the log's hash. Known
 * answers from FIPS 180-4 / NIST CAVP examples, then every way of splitting
 * inputs of many lengths between a and b compared with libsodium (the block
 * boundaries at 55, 56, 63, 64 and 119/120 bytes are where padding errors
 * hide), unaligned pointers, and a megabyte.
 */
#include "unit.h"

#include "sha256.h"

static void hash_hex(const void *a, size_t na, const void *b, size_t nb, char out[65])
{
    uint8_t h[32];
    sha256_cat(a, na, b, nb, h);
    unit_hex(h, 32, out);
}

static void sha256_known_answers(void **state)
{
    (void)state;
    static const struct {
        const char *msg, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
         "m"
         "nopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        {"The quick brown fox jumps over the lazy dog",
         "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = strlen(v[i].msg);
        char hex[65];
        /* Whole in a, whole in b, and split at every position. */
        for (size_t cut = 0; cut <= n; cut++) {
            hash_hex(v[i].msg, cut, v[i].msg + cut, n - cut, hex);
            if (strcmp(hex, v[i].hex)) fail_msg("\"%s\" split at %zu: %s", v[i].msg, cut, hex);
        }
    }
}

static void sha256_million_a(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *m = malloc(n);
    assert_non_null(m);
    memset(m, 'a', n);
    char hex[65];
    hash_hex("", 0, m, n, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    hash_hex(m, 1, m + 1, n - 1, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    hash_hex(m, 65, m + 65, n - 65, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

static void ref_hash(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t out[32])
{
    crypto_hash_sha256_state s;
    crypto_hash_sha256_init(&s);
    crypto_hash_sha256_update(&s, a, na);
    crypto_hash_sha256_update(&s, b, nb);
    crypto_hash_sha256_final(&s, out);
}

static void sha256_matches_libsodium(void **state)
{
    (void)state;
    enum { MAX = 300 };
    uint8_t *buf = malloc(MAX + 16);
    assert_non_null(buf);
    for (size_t i = 0; i < MAX + 16; i++)
        buf[i] = (uint8_t)(i * 167 + 13);
    for (size_t n = 0; n <= MAX; n++) {
        /* The shapes the log uses (a 1-byte prefix, a 65-byte node) and more. */
        static const size_t cuts[] = {0, 1, 2, 31, 32, 55, 56, 63, 64, 65, 119, 120, 128};
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            size_t na = cuts[c] < n ? cuts[c] : n;
            for (size_t off = 0; off < 4; off++) { /* unaligned starts */
                uint8_t h1[32], h2[32];
                const uint8_t *a = buf + off, *b = buf + off + na;
                sha256_cat(a, na, b, n - na, h1);
                ref_hash(a, na, b, n - na, h2);
                if (memcmp(h1, h2, 32)) fail_msg("length %zu split %zu offset %zu", n, na, off);
            }
        }
    }
    free(buf);
}

static void sha256_every_split_near_blocks(void **state)
{
    (void)state;
    uint8_t buf[200];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(255 - i);
    static const size_t lens[] = {54,  55,  56,  57,  63,  64,  65, 118,
                                  119, 120, 121, 127, 128, 129, 192};
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
        for (size_t cut = 0; cut <= lens[l]; cut++) {
            uint8_t h1[32], h2[32];
            sha256_cat(buf, cut, buf + cut, lens[l] - cut, h1);
            ref_hash(buf, lens[l], NULL, 0, h2);
            if (memcmp(h1, h2, 32)) fail_msg("length %zu split at %zu", lens[l], cut);
        }
}

static void sha256_hw_reports_path(void **state)
{
    (void)state;
    int hw = sha256_hw();
    assert_true(hw == 0 || hw == 1);
    /* Same answer whichever path is in use. */
    uint8_t h[32];
    char hex[65];
    sha256_cat("ab", 2, "c", 1, h);
    unit_hex(h, 32, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    print_message("sha256: %s path\n", hw ? "hardware (SHA extensions)" : "libsodium");
}

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_known_answers),
        cmocka_unit_test(sha256_million_a),
        cmocka_unit_test(sha256_matches_libsodium),
        cmocka_unit_test(sha256_every_split_near_blocks),
        cmocka_unit_test(sha256_hw_reports_path),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
