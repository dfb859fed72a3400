/*
 * parse_fuzz.c — libFuzzer target for the parsers of outside input that are
 * our own code: jsonfast (log bytes, receipts given to verify-receipt), the
 * event envelope, receipt verification, and schema checking of request
 * bodies parsed by jansson. It asserts what must hold: jsonfast accepts
 * exactly what jansson accepts (for inputs without NUL characters or
 * duplicate keys), and nothing crashes or leaks under ASan/UBSan.
 *
 *   make fuzz            builds build/fuzz/parse_fuzz and runs it for 60 s
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"
#include "journal.h"
#include "log.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    /* The parsers take a length; the NUL only keeps this harness's own
     * string searches inside the buffer. */
    char *s = malloc(n + 1);
    if (!s) return 0;
    memcpy(s, data, n);
    s[n] = 0;
    json_t *a = jsonfast_parse(s, n);
    json_error_t je;
    json_t *b = json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    /* Where jansson accepts, jsonfast must accept the same value; jsonfast
     * refuses NUL in strings (jansson strings are C strings for us). */
    if (b && !memchr(s, 0, n) && !memmem(s, n, "\\u0000", 6)) {
        assert(a != NULL);
        assert(json_equal(a, b));
    }
    if (a && !b && je.position >= 0) {
        /* jsonfast accepted something jansson refused: only duplicates may differ. */
        json_t *c = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        assert(c != NULL);
        json_decref(c);
    }
    json_decref(a);
    json_decref(b);

    event_t ev;
    json_t *root;
    if (log_parse_event(s, n, &ev, &root) == 0) {
        assert(ev.seq >= 1 && json_is_object(ev.body) && json_is_array(ev.labels));
        json_decref(root);
    }

    json_t *rc = jsonfast_parse(s, n);
    if (json_is_object(rc)) {
        uint8_t pk[32] = {0};
        buf_t why;
        buf_init(&why);
        log_verify_receipt(rc, pk, &why);
        buf_release(&why);
        err_t e;
        schema_check(rc, journal_fields, &e);
    }
    json_decref(rc);
    free(s);
    return 0;
}
