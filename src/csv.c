/*
 * csv.c — see csv.h.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

void csv_field(buf_t *b, const char *s)
{
    if (!s) return;
    /* a leading = + - @ is quoted away, so a spreadsheet never runs a cell */
    int lead = s[0] && strchr("=+-@", s[0]);
    if (lead || strpbrk(s, ",\"\n\r")) {
        buf_add(b, "\"", 1);
        if (lead) buf_add(b, "'", 1);
        for (const char *p = s; *p; p++) {
            if (*p == '"') buf_add(b, "\"", 1);
            buf_add(b, p, 1);
        }
        buf_add(b, "\"", 1);
    } else {
        buf_adds(b, s);
    }
}

int csv_next(const char **p, const char *end, json_t *row, int *line)
{
    const char *s = *p;
    if (s >= end) return -1;
    buf_t f;
    buf_init(&f);
    for (;;) {
        buf_reset(&f);
        if (s < end && *s == '"') {
            s++;
            while (s < end) {
                if (*s == '"') {
                    if (s + 1 < end && s[1] == '"') {
                        buf_add(&f, "\"", 1);
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                if (*s == '\n') (*line)++;
                buf_add(&f, s++, 1);
            }
            while (s < end && *s != ',' && *s != '\n' && *s != '\r') s++;
        } else {
            const char *q = s;
            while (q < end && *q != ',' && *q != '\n' && *q != '\r') q++;
            buf_add(&f, s, (size_t)(q - s));
            s = q;
        }
        /* csv_field's guard ('=... for =...) read back as written */
        int guard = f.len >= 2 && f.data[0] == '\'' && strchr("=+-@", f.data[1]);
        json_array_append_new(row, json_stringn(f.data + guard, f.len - (size_t)guard));
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == '\r') s++;
        if (s < end && *s == '\n') s++;
        (*line)++;
        break;
    }
    buf_release(&f);
    *p = s;
    return 0;
}

static int cmp_line(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "line"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "line"));
    return x < y ? -1 : x > y;
}

/* Bad rows in file order (a stable sort keeps each row's errors in order). */
void csv_sort_rows(json_t *rows)
{
    size_t n = json_array_size(rows);
    json_t **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(rows, i));
    for (size_t i = 1; i < n; i++) /* insertion sort: stable, and n is at most 1000 */
        for (size_t j = i; j > 0 && cmp_line(&v[j], &v[j - 1]) < 0; j--) {
            json_t *x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++) json_array_append_new(rows, v[i]);
    free(v);
}

void csv_row_error(json_t *rows, int line, const char *field, const char *msg)
{
    if (json_array_size(rows) < 1000)
        json_array_append_new(rows, json_pack("{s:i, s:s, s:s}", "line", line, "field", field, "message", msg));
}

