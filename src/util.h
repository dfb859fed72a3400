/*
 * util.h — the small pieces every module uses: a string builder with a sticky
 * error (git's strbuf, SQLite's sqlite3_str), hex, RFC 3339 times, and the
 * error list that every layer returns and only the HTTP layer turns into a reply.
 *
 * Ownership: a buf_t owns its bytes until buf_detach() hands them to the caller
 * (free() them) or buf_release() frees them. A buf_t is never NULL-data: after
 * buf_init() ->data points at "" and is always NUL-terminated.
 */
#ifndef TRUCE_UTIL_H
#define TRUCE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *data;
    size_t len, cap;
    int failed; /* first allocation failure sticks; check once at the end */
} buf_t;

void buf_init(buf_t *b);
void buf_release(buf_t *b);
void buf_reset(buf_t *b);
void buf_add(buf_t *b, const void *p, size_t n);
/* Makes room for n more bytes (plus the NUL); -1 when out of memory. */
int buf_reserve(buf_t *b, size_t n);
void buf_adds(buf_t *b, const char *s);
void buf_addf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(buf_t *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. */
void buf_add_json_str(buf_t *b, const char *s);
/* Appends a jansson value as compact JSON, what json_dumps(j, JSON_COMPACT |
 * JSON_REAL_PRECISION(15)) writes, byte for byte, but a real with at most
 * seven decimals (coordinates, metres) without printf. */
struct json_t;
void buf_add_json(buf_t *b, const struct json_t *j);
/* The same with object keys sorted: the log's canonical form, what
 * json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))
 * writes, without its key array, qsort and callbacks. */
void buf_add_json_canon(buf_t *b, const struct json_t *j);
/* Appends v in decimal. */
void buf_add_u64(buf_t *b, uint64_t v);

/* snprintf(dst, cap, "%s", src) without the format machinery: at most cap - 1
 * bytes of src, always NUL-terminated (cap > 0). For the per-request paths. */
void str_copy(char *dst, size_t cap, const char *src);

/* Hands the bytes to the caller (free()); b is left empty and reusable. */
char *buf_detach(buf_t *b, size_t *len);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);
/* Decodes exactly n bytes from 2n hex digits; 0 on success, -1 otherwise. */
int hex_decode(const char *hex, uint8_t *out, size_t n);

/* Milliseconds since the epoch, UTC. Tests may replace the clock. */
extern int64_t (*util_now_ms)(void);
/* A test clock (truce serve --test-clock): real time plus an offset that
 * POST /api/v1/admin/clock moves forward. */
extern int64_t util_clock_offset_ms;
int64_t util_offset_now_ms(void);
/* "2026-11-29T03:39:58.123Z" into out (>= 32 bytes). */
void time_format(int64_t ms, char *out);
/* Parses an RFC 3339 time with Z or an offset; 0 on success, -1 otherwise. */
int time_parse(const char *s, int64_t *ms);

/* Reads a whole file; caller frees. NULL on error (errno set). */
char *file_read(const char *path, size_t *len);
/* Writes a file atomically (tmp + fsync + rename) with the given mode. */
int file_write(const char *path, const void *p, size_t n, int mode);

/*
 * Errors: one list gives each its code, name, HTTP status and default message
 * (libuv's UV_ERRNO_MAP). Functions return 0 or -1 and fill an err_t.
 */
#define TRUCE_ERRORS(X)                                                                  \
    X(E_BAD_JSON, "bad_json", 400, "the request body is not valid JSON")                 \
    X(E_BAD_REQUEST, "bad_request", 400, "the request is not valid")                     \
    X(E_UNKNOWN_FIELD, "unknown_field", 400, "this field is not allowed here")           \
    X(E_MISSING_FIELD, "missing_field", 400, "this field is required")                   \
    X(E_BAD_TYPE, "bad_type", 400, "this field has the wrong type")                      \
    X(E_OUT_OF_RANGE, "out_of_range", 400, "this value is out of range")                 \
    X(E_BAD_VALUE, "bad_value", 400, "this value is not allowed")                        \
    X(E_BAD_GEOMETRY, "bad_geometry", 400, "the geometry is not valid")                  \
    X(E_UNAUTHENTICATED, "unauthenticated", 401, "log in first")                         \
    X(E_BAD_LOGIN, "bad_login", 401, "wrong username or password")                       \
    X(E_FORBIDDEN, "forbidden", 403, "your roles do not allow this")                     \
    X(E_CSRF, "csrf", 403, "missing or wrong X-CSRF-Token header")                       \
    X(E_NOT_FOUND, "not_found", 404, "no such resource")                                 \
    X(E_METHOD, "method_not_allowed", 405, "this method is not allowed here")            \
    X(E_CONFLICT, "conflict", 409, "this conflicts with the current state")              \
    X(E_DUPLICATE, "possible_duplicate", 409, "this may duplicate an existing record")   \
    X(E_BAD_ROWS, "bad_rows", 400, "some rows of the file are not valid")                \
    X(E_TOO_LARGE, "too_large", 413, "the request body is too large")                    \
    X(E_MEDIA_TYPE, "unsupported_media_type", 415, "send Content-Type: application/json") \
    X(E_THROTTLED, "throttled", 429, "too many attempts; wait and retry")                \
    X(E_INTERNAL, "internal", 500, "internal error")                                     \
    X(E_UNAVAILABLE, "unavailable", 503, "the server is shutting down or overloaded")

enum {
    E_NONE = 0,
#define X(c, n, s, m) c,
    TRUCE_ERRORS(X)
#undef X
        E__COUNT
};

typedef struct {
    int code;        /* E_* or E_NONE */
    char field[64];  /* the offending field, "" when none */
    char message[240];
} err_t;

/* Fills e (message defaults to the list's when fmt is NULL); returns -1. */
int err_set(err_t *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *err_name(int code);
int err_status(int code);

#endif
