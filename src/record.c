/* record.c — see record.h. */
#include "record.h"

#include <string.h>

#include "util.h"

const char *rec_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int64_t rec_time(const json_t *o, const char *key)
{
    int64_t ms = 0;
    const char *s = rec_str(o, key);
    if (s) time_parse(s, &ms);
    return ms;
}

void rec_set_time(json_t *o, const char *key, int64_t ms)
{
    char s[32];
    time_format(ms, s);
    json_object_set_new(o, key, json_string(s));
}

int rec_has(const json_t *a, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) if (json_is_string(x) && strcmp(json_string_value(x), s) == 0) return 1;
    return 0;
}

json_t *labels_intern(json_t *table, const json_t *labels)
{
    buf_t key;
    buf_init(&key);
    size_t i;
    json_t *l;
    json_array_foreach(labels, i, l)
    {
        if (i) buf_add(&key, "\x1f", 1);
        buf_adds(&key, json_string_value(l) ? json_string_value(l) : "");
    }
    json_t *v = json_object_get(table, key.data);
    if (!v) {
        v = json_deep_copy(labels);
        json_object_set_new(table, key.data, v);
    }
    buf_release(&key);
    return v;
}

int rec_index(const char *const *v, const char *s)
{
    for (int i = 0; s && v[i]; i++)
        if (!strcmp(v[i], s)) return i;
    return -1;
}

int rec_word_in(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; (p = strstr(p, w)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return 1;
    return 0;
}

int rec_save_json(buf_t *b, json_t *all)
{
    char *j = all ? json_dumps(all, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(all);
    if (!j) return -1;
    buf_adds(b, j);
    free(j);
    return b->failed ? -1 : 0;
}

json_t *rec_snap_pack(const void *state, const snap_field_t *f, size_t n)
{
    json_t *all = json_object();
    for (size_t i = 0; i < n; i++) {
        const void *m = (const char *)state + f[i].off;
        json_t *v = f[i].type == SNAP_OBJECT ? json_incref(*(json_t *const *)m)
                    : f[i].type == SNAP_U64  ? json_integer((json_int_t) * (const uint64_t *)m)
                                             : json_real(*(const double *)m);
        json_object_set_new(all, f[i].name, v);
    }
    return all;
}

json_t *rec_snap_load(void *state, const snap_field_t *f, size_t n, const char *p, size_t len)
{
    json_t *all = json_loadb(p, len, 0, NULL);
    if (!all) return NULL;
    for (size_t i = 0; i < n; i++) {
        void *m = (char *)state + f[i].off;
        json_t *v = json_object_get(all, f[i].name);
        if (f[i].type == SNAP_OBJECT) json_object_update(*(json_t **)m, v);
        else if (f[i].type == SNAP_U64) *(uint64_t *)m = (uint64_t)json_integer_value(v);
        else *(double *)m = json_number_value(v);
    }
    return all;
}

uint64_t rec_id_num(const char *id, const char *prefix)
{
    size_t n = strlen(prefix);
    if (!id || strncmp(id, prefix, n) || !id[n]) return 0;
    char *end;
    unsigned long long v = strtoull(id + n, &end, 10);
    return *end ? 0 : v;
}
