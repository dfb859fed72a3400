/* jsonfast.c — see jsonfast.h. Recursive descent with a depth limit. */
#include "jsonfast.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 64

typedef struct {
    const char *p, *end;
    char *tmp; /* scratch for unescaped strings */
    size_t cap;
    int no_dups; /* refuse an object that repeats a key (JSON_REJECT_DUPLICATES) */
} parser_t;

static void ws(parser_t *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

/* Length of a valid UTF-8 sequence at p (1-4), 0 when invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    if (c < 0x80) return 1;
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!n || c > 0xF4 || end - p < n) return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  /* overlong */
    if (c == 0xED && p[1] > 0x9F) return 0;  /* surrogates */
    if (c == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
    if (c == 0xF4 && p[1] > 0x8F) return 0;  /* > U+10FFFF */
    return n;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); return 4;
}

/* Skips the run of plain ASCII at p (no quote, backslash, control byte or
 * byte >= 0x80), 16 bytes at a time where SSE2 is there: the strings of an
 * event are most of its bytes. Returns where that run ends (<= end). */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)p);
        /* Signed compare: bytes 0x80-0xFF are negative, so < 0x20 too. */
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                       _mm_cmplt_epi8(x, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(special);
        if (mask) return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
    return p;
}

/* Parses a string at ps->p (after the quote). Returns a pointer to its bytes
 * (into the input when it has no escapes, else into ps->tmp) and its length.
 * The bytes never hold a NUL: a raw one is a control byte and \u0000 is
 * refused, so callers need not look for one. */
static const char *string(parser_t *ps, size_t *len)
{
    const char *start = ps->p;
    const unsigned char *p = (const unsigned char *)ps->p, *end = (const unsigned char *)ps->end;
    int escaped = 0;
    for (;;) {
        p = plain_run(p, end);
        if (p >= end || *p == '"') break;
        if (*p == '\\') {
            if (end - p < 2) return NULL;
            escaped = 1;
            p += 2;
        } else if (*p < 0x20) {
            return NULL;
        } else {
            int n = utf8_len(p, end);
            if (!n) return NULL;
            p += n;
        }
    }
    if (p >= end) return NULL;
    size_t raw = (size_t)((const char *)p - start);
    ps->p = (const char *)p + 1;
    if (!escaped) {
        *len = raw;
        return start;
    }
    if (raw + 1 > ps->cap) {
        char *t = realloc(ps->tmp, raw + 1);
        if (!t) return NULL;
        ps->tmp = t;
        ps->cap = raw + 1;
    }
    char *o = ps->tmp;
    for (const char *q = start; q < start + raw;) {
        if (*q != '\\') {
            *o++ = *q++;
            continue;
        }
        q++;
        switch (*q++) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (start + raw - q < 4 || hex4(q, &cp)) return NULL;
            q += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (start + raw - q < 6 || q[0] != '\\' || q[1] != 'u' || hex4(q + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return NULL;
                q += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return NULL;
            }
            if (cp == 0) return NULL; /* jansson strings cannot hold NUL */
            o += put_utf8(o, cp);
            break;
        }
        default: return NULL;
        }
    }
    *len = (size_t)(o - ps->tmp);
    return ps->tmp;
}

/* The end of the JSON number at ps->p, or NULL when there is none; *real
 * says whether it has a fraction or an exponent. */
static const char *number_end(const parser_t *ps, int *real)
{
    const char *p = ps->p;
    *real = 0;
    if (p < ps->end && *p == '-') p++;
    if (p >= ps->end) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < ps->end && *p >= '0' && *p <= '9') p++;
    else return NULL;
    if (p < ps->end && *p == '.') {
        *real = 1;
        p++;
        if (p >= ps->end || *p < '0' || *p > '9') return NULL;
        while (p < ps->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        *real = 1;
        p++;
        if (p < ps->end && (*p == '+' || *p == '-')) p++;
        if (p >= ps->end || *p < '0' || *p > '9') return NULL;
        while (p < ps->end && *p >= '0' && *p <= '9') p++;
    }
    return p;
}

/* The integer written in s[0..n) (an optional '-' and digits): 0, or -1 when
 * it does not fit a long long (jansson refuses those too). */
static int integer_value(const char *s, size_t n, long long *out)
{
    if (n <= 18) { /* at most 18 digits always fit: no strtoll needed */
        size_t i = s[0] == '-';
        long long v = 0;
        for (; i < n; i++) v = v * 10 + (s[i] - '0');
        *out = s[0] == '-' ? -v : v;
        return 0;
    }
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf) return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    *out = strtoll(buf, NULL, 10);
    int range = errno == ERANGE;
    if (buf != small) free(buf);
    return range ? -1 : 0;
}

static json_t *number(parser_t *ps)
{
    int real;
    const char *s = ps->p, *p = number_end(ps, &real);
    if (!p) return NULL;
    size_t n = (size_t)(p - s);
    ps->p = p;
    if (!real) {
        long long v;
        return integer_value(s, n, &v) ? NULL : json_integer(v);
    }
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf) return NULL;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    double d = strtod(buf, NULL);
    int range = errno == ERANGE;
    if (buf != small) free(buf);
    /* Refuse overflow only; underflow to a subnormal or zero is a value
     * (jansson reads and writes those too). */
    if (range && (d == HUGE_VAL || d == -HUGE_VAL)) return NULL;
    return json_real(d);
}

static json_t *value(parser_t *ps, int depth)
{
    ws(ps);
    if (ps->p >= ps->end || depth > MAX_DEPTH) return NULL;
    char c = *ps->p;
    if (c == '{') {
        ps->p++;
        json_t *o = json_object();
        ws(ps);
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return o;
        }
        for (;;) {
            ws(ps);
            size_t kl;
            const char *k;
            if (ps->p >= ps->end || *ps->p != '"') goto bad_o;
            ps->p++;
            if (!(k = string(ps, &kl))) goto bad_o;
            /* An unescaped key points into the input and stays valid; an
             * escaped one lives in ps->tmp, which the value may reuse. */
            char keybuf[256], *key = (char *)k;
            if (k == ps->tmp) {
                key = kl < sizeof keybuf ? keybuf : malloc(kl + 1);
                if (!key) goto bad_o;
                memcpy(key, k, kl);
            }
            ws(ps);
            json_t *v = NULL;
            if (ps->p < ps->end && *ps->p == ':') {
                ps->p++;
                v = value(ps, depth + 1);
            }
            if (v && ps->no_dups && json_object_getn(o, key, kl)) {
                json_decref(v);
                v = NULL;
            }
            int rc = v ? json_object_setn_new_nocheck(o, key, kl, v) : -1;
            if (key != k && key != keybuf) free(key);
            if (rc) goto bad_o;
            ws(ps);
            if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
            if (ps->p < ps->end && *ps->p == '}') { ps->p++; return o; }
            goto bad_o;
        }
    bad_o:
        json_decref(o);
        return NULL;
    }
    if (c == '[') {
        ps->p++;
        json_t *a = json_array();
        ws(ps);
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return a;
        }
        for (;;) {
            json_t *v = value(ps, depth + 1);
            if (!v || json_array_append_new(a, v)) goto bad_a;
            ws(ps);
            if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
            if (ps->p < ps->end && *ps->p == ']') { ps->p++; return a; }
            goto bad_a;
        }
    bad_a:
        json_decref(a);
        return NULL;
    }
    if (c == '"') {
        ps->p++;
        size_t n;
        const char *s = string(ps, &n);
        return s ? json_stringn_nocheck(s, n) : NULL;
    }
    size_t left = (size_t)(ps->end - ps->p);
    if (left >= 4 && !memcmp(ps->p, "true", 4)) { ps->p += 4; return json_true(); }
    if (left >= 5 && !memcmp(ps->p, "false", 5)) { ps->p += 5; return json_false(); }
    if (left >= 4 && !memcmp(ps->p, "null", 4)) { ps->p += 4; return json_null(); }
    return number(ps);
}

static json_t *parse(const char *s, size_t n, int request)
{
    parser_t ps = {s, s + n, NULL, 0, request};
    json_t *v = value(&ps, 0);
    ws(&ps);
    if (v && (ps.p != ps.end || (request && !json_is_object(v) && !json_is_array(v)))) {
        json_decref(v);
        v = NULL;
    }
    free(ps.tmp);
    return v;
}

json_t *jsonfast_parse(const char *s, size_t n)
{
    return parse(s, n, 0);
}

json_t *jsonfast_parse_request(const char *s, size_t n)
{
    return parse(s, n, 1);
}

/* The envelope's members. Canonical bytes hold them in sorted order, so
 * the search starts with the one that follows the last found. */
enum { K_ACTOR, K_KIND, K_ORG, K_SUBJECT, K_TIME, K_BODY, K_LABELS, K_SEQ, K_V, K_COUNT };
static const struct {
    const char *name;
    size_t len;
    int next; /* in canonical order */
} members[K_COUNT] = {
    [K_ACTOR] = {"actor", 5, K_BODY},     [K_BODY] = {"body", 4, K_KIND},
    [K_KIND] = {"kind", 4, K_LABELS},     [K_LABELS] = {"labels", 6, K_ORG},
    [K_ORG] = {"org", 3, K_SEQ},          [K_SEQ] = {"seq", 3, K_SUBJECT},
    [K_SUBJECT] = {"subject", 7, K_TIME}, [K_TIME] = {"time", 4, K_V},
    [K_V] = {"v", 1, K_ACTOR},
};

/* Which member k[0..n) is (K_*), or -1; `hint` is the likely one. */
static int member(const char *k, size_t n, int hint)
{
    if (members[hint].len == n && !memcmp(members[hint].name, k, n)) return hint;
    for (int i = 0; i < K_COUNT; i++)
        if (members[i].len == n && !memcmp(members[i].name, k, n)) return i;
    return -1;
}

/* The log's envelope: the top-level object is read field by field; only
 * "body" and "labels" become jansson values. The strings are copied, NUL
 * separated, into one jansson string that the returned holder owns. */
json_t *jsonfast_parse_event(const char *s, size_t n, jsonfast_event_t *ev)
{
    parser_t ps = {s, s + n, NULL, 0};
    json_t *body = NULL, *labels = NULL, *holder = NULL;
    char strs[1024];
    size_t used = 0;
    size_t off[K_TIME + 1] = {0};
    int have = 0, got_seq = 0, hint = K_ACTOR;
    memset(ev, 0, sizeof *ev);
    ws(&ps);
    if (ps.p >= ps.end || *ps.p != '{') goto bad;
    ps.p++;
    for (;;) {
        ws(&ps);
        if (ps.p >= ps.end || *ps.p != '"') goto bad;
        ps.p++;
        size_t kl, vl;
        const char *k = string(&ps, &kl);
        if (!k || kl >= 16) goto bad;
        int m = member(k, kl, hint);
        if (m >= 0) hint = members[m].next;
        ws(&ps);
        if (ps.p >= ps.end || *ps.p != ':') goto bad;
        ps.p++;
        ws(&ps);
        if (m == K_BODY || m == K_LABELS) {
            json_t *v = value(&ps, 1);
            if (!v) goto bad;
            json_t **slot = m == K_BODY ? &body : &labels;
            json_decref(*slot);
            *slot = v;
        } else if (m == K_SEQ || m == K_V) {
            int real;
            long long x;
            const char *end = number_end(&ps, &real);
            if (!end || real || integer_value(ps.p, (size_t)(end - ps.p), &x)) goto bad;
            ps.p = end;
            if (m == K_SEQ) {
                ev->seq = x;
                got_seq = 1;
            }
        } else {
            /* actor, kind, org, subject, time; any other member must be a string too. */
            if (ps.p >= ps.end || *ps.p != '"') goto bad;
            ps.p++;
            const char *v = string(&ps, &vl);
            if (!v) goto bad;
            if (m >= 0) {
                if (used + vl + 1 > sizeof strs) goto bad;
                memcpy(strs + used, v, vl);
                strs[used + vl] = 0;
                off[m] = used;
                have |= 1 << m;
                used += vl + 1;
            }
        }
        ws(&ps);
        if (ps.p < ps.end && *ps.p == ',') {
            ps.p++;
            continue;
        }
        if (ps.p < ps.end && *ps.p == '}') {
            ps.p++;
            break;
        }
        goto bad;
    }
    ws(&ps);
    if (ps.p != ps.end || have != 0x1f || !got_seq || !json_is_object(body) || !json_is_array(labels))
        goto bad;
    holder = json_array();
    json_t *packed = json_stringn_nocheck(strs, used);
    if (!holder || !packed || json_array_append_new(holder, packed) ||
        json_array_append(holder, body) || json_array_append(holder, labels)) {
        json_decref(holder);
        holder = NULL;
        goto bad;
    }
    const char *base = json_string_value(packed);
    ev->actor = base + off[K_ACTOR];
    ev->kind = base + off[K_KIND];
    ev->org = base + off[K_ORG];
    ev->subject = base + off[K_SUBJECT];
    ev->time = base + off[K_TIME];
    ev->body = body;
    ev->labels = labels;
bad:
    json_decref(body);
    json_decref(labels);
    free(ps.tmp);
    if (!holder) memset(ev, 0, sizeof *ev);
    return holder;
}
