/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char buf_empty[1];

void buf_init(buf_t *b)
{
    b->data = buf_empty;
    b->len = b->cap = 0;
    b->failed = 0;
}

void buf_release(buf_t *b)
{
    if (b->cap) free(b->data);
    buf_init(b);
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->cap) b->data[0] = 0;
    b->failed = 0;
}

static int grow(buf_t *b, size_t extra)
{
    if (b->failed) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = b->cap ? realloc(b->data, cap) : malloc(cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    if (!b->cap) p[0] = 0;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_reserve(buf_t *b, size_t n)
{
    return grow(b, n);
}

void buf_add(buf_t *b, const void *p, size_t n)
{
    if (grow(b, n)) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_adds(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_vaddf(buf_t *b, const char *fmt, va_list ap)
{
    /* Format into the spare room first; only a long result formats twice. */
    if (grow(b, 64)) return;
    va_list cp;
    va_copy(cp, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, cp);
    va_end(cp);
    if (n < 0) {
        b->failed = 1;
        b->data[b->len] = 0;
        return;
    }
    if ((size_t)n >= room) {
        if (grow(b, (size_t)n)) return;
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_addf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

static void json_strn(buf_t *b, const char *s, size_t n)
{
    buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s, *e = p + n; p < e; p++) {
        /* Runs of bytes that need no escape go in with one copy (this writes
         * every event's canonical bytes and every receipt). */
        const unsigned char *q = p;
        while (q < e && *q >= 0x20 && *q != '"' && *q != '\\') q++;
        if (q != p) {
            buf_add(b, p, (size_t)(q - p));
            p = q;
            if (p == e) break;
        }
        switch (*p) {
        case '"': buf_add(b, "\\\"", 2); break;
        case '\\': buf_add(b, "\\\\", 2); break;
        case '\n': buf_add(b, "\\n", 2); break;
        case '\r': buf_add(b, "\\r", 2); break;
        case '\t': buf_add(b, "\\t", 2); break;
        case '\b': buf_add(b, "\\b", 2); break;
        case '\f': buf_add(b, "\\f", 2); break;
        default:
            if (*p < 0x20) buf_addf(b, "\\u%04X", *p); /* as jansson */
            else buf_add(b, p, 1);
        }
    }
    buf_add(b, "\"", 1);
}

void buf_add_json_str(buf_t *b, const char *s)
{
    json_strn(b, s, strlen(s));
}

/* A double as jansson's dump writes it: "%.15g", with ".0" when it would
 * read as an integer. out has room for 32 bytes; returns the length. */
/* The 15 significant digits of a (a >= 1e-4 and below 1e15) as "%.15g"
 * rounds them, exactly: a = m * 2^e, so a * 10^k = m * 5^k * 2^(e+k) is a
 * 128-bit integer shifted, rounded half to even on the bits shifted out (the
 * exact binary value, as glibc rounds). *x gets the decimal exponent. */
static uint64_t digits15(double a, int *x)
{
    int e2;
    double f = frexp(a, &e2);                 /* a = f * 2^e2, f in [0.5, 1) */
    uint64_t m = (uint64_t)ldexp(f, 53);      /* a = m * 2^(e2 - 53) */
    int e = e2 - 53, E = (int)floor(log10(a));
    for (int tries = 0; tries < 3; tries++) {
        int k = 14 - E, s = e + k;            /* k in 0..18 */
        static const uint64_t pow5[19] = {1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull,
                                          1953125ull, 9765625ull, 48828125ull, 244140625ull, 1220703125ull,
                                          6103515625ull, 30517578125ull, 152587890625ull, 762939453125ull,
                                          3814697265625ull};
        if (k < 0 || k > 18) return 0;
        unsigned __int128 p = (unsigned __int128)m * pow5[k]; /* below 2^95 */
        unsigned __int128 n = p, rem = 0, half = 0;
        if (s >= 0) {
            n = p << s;
        } else if (s > -128) {
            n = p >> -s;
            rem = p & (((unsigned __int128)1 << -s) - 1);
            half = (unsigned __int128)1 << (-s - 1);
        } else {
            n = 0, rem = p, half = 1; /* never in range; keeps the shift defined */
        }
        if (n >= 1000000000000000ull) { E++; continue; } /* log10 guessed low */
        if (n < 100000000000000ull) { E--; continue; }   /* or high */
        uint64_t r = (uint64_t)n;
        if (rem > half || (rem == half && half && (r & 1))) r++;
        if (r == 1000000000000000ull) { /* rounded up to the next power */
            r = 100000000000000ull;
            E++;
        }
        *x = E;
        return E <= 14 ? r : 0; /* 1e15 and up print with an exponent */
    }
    return 0;
}

static size_t json_real_format(double v, char *out)
{
    double a = fabs(v);
    if (a >= 1e-4 && a < 1e15) {
        /* "%.15g" of such a value is fixed-point: the 15 digits with the
         * point after digit x + 1 (or "0.", zeros, digits when x < 0),
         * trailing zeros dropped; jansson adds ".0" to a whole number. */
        int x;
        uint64_t n = digits15(a, &x);
        if (n) {
            char d[15];
            for (int i = 14; i >= 0; i--, n /= 10) d[i] = (char)('0' + n % 10);
            int last = 14;
            while (last > 0 && last > x && d[last] == '0') last--; /* the last digit kept */
            size_t k = 0;
            if (v < 0) out[k++] = '-';
            if (x < 0) {
                out[k++] = '0';
                out[k++] = '.';
                for (int i = -1; i > x; i--) out[k++] = '0';
                for (int i = 0; i <= last; i++) out[k++] = d[i];
            } else {
                for (int i = 0; i <= x; i++) out[k++] = d[i];
                out[k++] = '.';
                if (last <= x) out[k++] = '0';
                for (int i = x + 1; i <= last; i++) out[k++] = d[i];
            }
            out[k] = 0;
            return k;
        }
    }
    /* jansson's own steps: ".0" when it would read as an integer; no '+'
     * and no leading zeros in the exponent. */
    int k = snprintf(out, 32, "%.15g", v);
    if (k <= 0 || k >= 29) return 0;
    if (!strpbrk(out, ".e")) {
        memcpy(out + k, ".0", 3);
        k += 2;
    }
    char *e = strchr(out, 'e');
    if (e) {
        char *start = e + 1, *end = start + 1;
        if (*start == '-') start++;
        while (*end == '0') end++;
        if (end != start) {
            memmove(start, end, (size_t)(out + k - end) + 1);
            k -= (int)(end - start);
        }
    }
    return (size_t)k;
}

typedef struct {
    const char *k;
    json_t *v;
} member_t;

/* buf_add_json and buf_add_json_canon: sorted orders an object's keys as
 * JSON_SORT_KEYS does (strcmp: keys hold no NUL). */
static void add_json(buf_t *b, const json_t *j, int sorted)
{
    char num[32];
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        member_t small[16], *m = n <= 16 ? small : malloc(n * sizeof *m);
        if (!m) {
            b->failed = 1;
            return;
        }
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            /* Insertion sort: an event body has a handful of keys. */
            size_t at = i++;
            while (sorted && at > 0 && strcmp(m[at - 1].k, k) > 0) {
                m[at] = m[at - 1];
                at--;
            }
            m[at] = (member_t){k, v};
        }
        buf_add(b, "{", 1);
        for (i = 0; i < n; i++) {
            if (i) buf_add(b, ",", 1);
            buf_add_json_str(b, m[i].k);
            buf_add(b, ":", 1);
            add_json(b, m[i].v, sorted);
        }
        buf_add(b, "}", 1);
        if (m != small) free(m);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *v;
        buf_add(b, "[", 1);
        json_array_foreach((json_t *)j, i, v)
        {
            if (i) buf_add(b, ",", 1);
            add_json(b, v, sorted);
        }
        buf_add(b, "]", 1);
        break;
    }
    case JSON_STRING: json_strn(b, json_string_value(j), json_string_length(j)); break;
    case JSON_INTEGER: buf_add(b, num, (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j))); break;
    case JSON_REAL: buf_add(b, num, json_real_format(json_real_value(j), num)); break;
    case JSON_TRUE: buf_adds(b, "true"); break;
    case JSON_FALSE: buf_adds(b, "false"); break;
    default: buf_adds(b, "null"); break;
    }
}

void buf_add_json(buf_t *b, const json_t *j)
{
    add_json(b, j, 0);
}

void buf_add_json_canon(buf_t *b, const json_t *j)
{
    add_json(b, j, 1);
}

void buf_add_u64(buf_t *b, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do {
        d[sizeof d - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_add(b, d + sizeof d - n, n);
}

void str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

char *buf_detach(buf_t *b, size_t *len)
{
    char *p = b->cap ? b->data : strdup("");
    if (len) *len = b->len;
    buf_init(b);
    return p;
}

void hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int hex_decode(const char *hex, uint8_t *out, size_t n)
{
    if (strlen(hex) != 2 * n) return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int64_t real_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
int64_t (*util_now_ms)(void) = real_now_ms;

int64_t util_clock_offset_ms;

int64_t util_offset_now_ms(void)
{
    return real_now_ms() + __atomic_load_n(&util_clock_offset_ms, __ATOMIC_RELAXED);
}

static void put_digits(char *out, int v, int n)
{
    while (n-- > 0) {
        out[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void time_format(int64_t ms, char *out)
{
    if (ms >= 0 && ms < 253402300800000) {
        /* Years 1970-9999 by hand (H. Hinnant's civil_from_days): every
         * write formats several times, and gmtime_r + snprintf were 3% of
         * a journal POST. */
        int64_t days = ms / 86400000, rest = ms % 86400000;
        int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
        int y = (int)(yoe + era * 400) + (m <= 2);
        memcpy(out, "0000-00-00T00:00:00.000Z", 25);
        put_digits(out, y, 4);
        put_digits(out + 5, m, 2);
        put_digits(out + 8, d, 2);
        put_digits(out + 11, (int)(rest / 3600000), 2);
        put_digits(out + 14, (int)(rest / 60000 % 60), 2);
        put_digits(out + 17, (int)(rest / 1000 % 60), 2);
        put_digits(out + 20, (int)(rest % 1000), 3);
        return;
    }
    time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)s * 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9') return -1;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 0;
}

int time_parse(const char *s, int64_t *ms)
{
    int Y, M, D, h, m, sec, frac = 0;
    const char *p = s;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
        digits(&p, 2, &D) || (*p != 'T' && *p != 't') || !*p++ || digits(&p, 2, &h) ||
        *p++ != ':' || digits(&p, 2, &m) || *p++ != ':' || digits(&p, 2, &sec))
        return -1;
    if (*p == '.') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n < 3) frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0) return -1;
        for (; n < 3; n++) frac *= 10;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 60 + om);
    } else {
        return -1;
    }
    if (*p || Y < 1970 || Y > 9999 || M < 1 || M > 12 || D < 1 || h > 23 || m > 59 || sec > 60)
        return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (D > mdays[M - 1] + (M == 2 && leap)) return -1;
    /* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
     * days_from_civil); timegm() was 5% of replay. */
    int y = Y - (M <= 2);
    int era = y / 400, yoe = y - era * 400;
    int doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    int64_t t = days * 86400 + h * 3600 + m * 60 + sec;
    *ms = (t - off * 60) * 1000 + frac;
    return 0;
}

char *file_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf_t b;
    buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(&b, tmp, n);
    int bad = ferror(f) || b.failed;
    fclose(f);
    if (bad) {
        buf_release(&b);
        errno = EIO;
        return NULL;
    }
    return buf_detach(&b, len);
}

int file_write(const char *path, const void *p, size_t n, int mode)
{
    buf_t tmp;
    buf_init(&tmp);
    buf_addf(&tmp, "%s.tmp", path);
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC, mode);
    int rc = -1;
    if (fd >= 0) {
        if (fchmod(fd, (mode_t)mode) == 0 && write(fd, p, n) == (ssize_t)n && fsync(fd) == 0)
            rc = 0;
        close(fd);
        if (rc == 0) rc = rename(tmp.data, path);
    }
    buf_release(&tmp);
    return rc;
}

static const struct {
    const char *name;
    int status;
    const char *message;
} err_table[E__COUNT] = {
    [E_NONE] = {"ok", 200, "ok"},
#define X(c, n, s, m) [c] = {n, s, m},
    TRUCE_ERRORS(X)
#undef X
};

int err_set(err_t *e, int code, const char *field, const char *fmt, ...)
{
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
    } else {
        snprintf(e->message, sizeof e->message, "%s", err_table[code].message);
    }
    return -1;
}

const char *err_name(int code)
{
    return code > 0 && code < E__COUNT ? err_table[code].name : "internal";
}

int err_status(int code)
{
    return code > 0 && code < E__COUNT ? err_table[code].status : 500;
}
