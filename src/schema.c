/* schema.c — see schema.h. */
#include "schema.h"

#include <math.h>
#include <string.h>

const field_t schema_raw_body[] = {{NULL}};

int schema_valid_id(const char *s, size_t maxlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > (maxlen ? maxlen : 64)) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == ':'))
            return 0;
    return 1;
}

/* Characters (code points) in valid UTF-8 text: every byte but continuations. */
static size_t chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int check_str(const char *s, size_t len, const field_t *f, const char *name, err_t *e)
{
    /* Limits count characters, so Arabic text gets the same room as English. */
    size_t max = f->maxlen ? f->maxlen : 256, n = chars(s, len);
    if (n < (size_t)f->min)
        return f->min <= 1 ? err_set(e, E_OUT_OF_RANGE, name, "%s must not be empty", name)
                           : err_set(e, E_OUT_OF_RANGE, name, "%s needs at least %.0f characters", name, f->min);
    if (n > max)
        return err_set(e, E_OUT_OF_RANGE, name, "%s is longer than %zu characters", name, max);
    if (strlen(s) != len) return err_set(e, E_BAD_VALUE, name, "%s contains a NUL byte", name);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\n' && *p != '\t')
            return err_set(e, E_BAD_VALUE, name, "%s contains a control character", name);
    return 0;
}

int schema_value(const json_t *v, const field_t *f, const char *name, err_t *e)
{
    switch (f->type) {
    case F_STR:
        if (!json_is_string(v)) return err_set(e, E_BAD_TYPE, name, "%s must be a string", name);
        return check_str(json_string_value(v), json_string_length(v), f, name, e);
    case F_ID:
        if (!json_is_string(v)) return err_set(e, E_BAD_TYPE, name, "%s must be a string", name);
        if (!schema_valid_id(json_string_value(v), f->maxlen))
            return err_set(e, E_BAD_VALUE, name,
                           "%s must be 1-%zu letters, digits or . _ - :", name,
                           f->maxlen ? f->maxlen : 64);
        return 0;
    case F_INT:
        if (!json_is_integer(v)) return err_set(e, E_BAD_TYPE, name, "%s must be an integer", name);
        if ((double)json_integer_value(v) < f->min || (double)json_integer_value(v) > f->max)
            return err_set(e, E_OUT_OF_RANGE, name, "%s must be between %.0f and %.0f", name,
                           f->min, f->max);
        return 0;
    case F_NUM:
        if (!json_is_number(v)) return err_set(e, E_BAD_TYPE, name, "%s must be a number", name);
        if (!isfinite(json_number_value(v)) || json_number_value(v) < f->min ||
            json_number_value(v) > f->max)
            return err_set(e, E_OUT_OF_RANGE, name, "%s must be between %g and %g", name, f->min,
                           f->max);
        return 0;
    case F_BOOL:
        if (!json_is_boolean(v)) return err_set(e, E_BAD_TYPE, name, "%s must be true or false", name);
        return 0;
    case F_TIME: {
        int64_t ms;
        if (!json_is_string(v)) return err_set(e, E_BAD_TYPE, name, "%s must be a string", name);
        if (time_parse(json_string_value(v), &ms))
            return err_set(e, E_BAD_VALUE, name, "%s must be an RFC 3339 time like 2026-01-31T12:00:00Z",
                           name);
        return 0;
    }
    case F_ENUM:
        if (!json_is_string(v)) return err_set(e, E_BAD_TYPE, name, "%s must be a string", name);
        for (const char *const *p = f->enumv; *p; p++)
            if (strcmp(*p, json_string_value(v)) == 0) return 0;
        return err_set(e, E_BAD_VALUE, name, "%s is not one of the allowed values", name);
    case F_STRLIST:
    case F_IDLIST: {
        if (!json_is_array(v)) return err_set(e, E_BAD_TYPE, name, "%s must be an array", name);
        size_t max = f->max > 0 ? (size_t)f->max : 32;
        if (json_array_size(v) > max)
            return err_set(e, E_OUT_OF_RANGE, name, "%s has more than %zu items", name, max);
        if (json_array_size(v) < (size_t)f->min)
            return err_set(e, E_OUT_OF_RANGE, name, "%s needs at least %.0f items", name, f->min);
        /* Repeats are found through a set (an object keyed by the ids): a
         * list may hold 20,000 ids, and comparing every pair took seconds. */
        json_t *seen = json_object();
        size_t i;
        json_t *x;
        int rc = 0;
        json_array_foreach(v, i, x)
        {
            if (!json_is_string(x) || !schema_valid_id(json_string_value(x), f->maxlen ? f->maxlen : 64)) {
                rc = err_set(e, E_BAD_VALUE, name, "%s[%zu] must be an id-like string", name, i);
                break;
            }
            if (json_object_get(seen, json_string_value(x))) {
                rc = err_set(e, E_BAD_VALUE, name, "%s[%zu] is repeated", name, i);
                break;
            }
            if (json_object_set_new_nocheck(seen, json_string_value(x), json_true())) {
                rc = err_set(e, E_INTERNAL, name, "out of memory");
                break;
            }
        }
        json_decref(seen);
        return rc;
    }
    case F_I18N: {
        if (!json_is_object(v))
            return err_set(e, E_BAD_TYPE, name, "%s must be an object {\"en\",\"ar\"}", name);
        static const field_t lang = {"", F_STR, 1, 1, 0, 200, NULL, NULL};
        const char *k;
        json_t *x;
        char sub[64];
        json_object_foreach((json_t *)v, k, x)
        {
            snprintf(sub, sizeof sub, "%s.%s", name, k);
            if (strcmp(k, "en") && strcmp(k, "ar"))
                return err_set(e, E_UNKNOWN_FIELD, sub, "%s is not allowed (only en, ar)", sub);
            field_t lf = lang;
            lf.maxlen = f->maxlen ? f->maxlen : 200;
            if (schema_value(x, &lf, sub, e)) return -1;
        }
        if (!json_object_get(v, "en") || !json_object_get(v, "ar")) {
            snprintf(sub, sizeof sub, "%s.%s", name, json_object_get(v, "en") ? "ar" : "en");
            return err_set(e, E_MISSING_FIELD, sub, "%s is required", sub);
        }
        return 0;
    }
    case F_ARRAY:
        if (!json_is_array(v)) return err_set(e, E_BAD_TYPE, name, "%s must be an array", name);
        if (json_array_size(v) < (size_t)f->min || json_array_size(v) > (size_t)f->max)
            return err_set(e, E_OUT_OF_RANGE, name, "%s must hold %.0f to %.0f items", name, f->min, f->max);
        return 0;
    case F_OBJECT:
        if (!json_is_object(v)) return err_set(e, E_BAD_TYPE, name, "%s must be an object", name);
        return schema_check_in(v, f->sub, name, e);
    case F_GEOJSON:
        if (!json_is_object(v) || !json_is_string(json_object_get(v, "type")))
            return err_set(e, E_BAD_GEOMETRY, name, "%s must be a GeoJSON geometry object", name);
        return 0;
    case F_TEXTLIST:
    case F_TIMELIST: {
        if (!json_is_array(v)) return err_set(e, E_BAD_TYPE, name, "%s must be an array", name);
        size_t max = f->max > 0 ? (size_t)f->max : 32;
        if (json_array_size(v) > max)
            return err_set(e, E_OUT_OF_RANGE, name, "%s has more than %zu items", name, max);
        if (json_array_size(v) < (size_t)f->min)
            return err_set(e, E_OUT_OF_RANGE, name, "%s needs at least %.0f items", name, f->min);
        field_t item = {.type = f->type == F_TEXTLIST ? F_STR : F_TIME, .min = 1, .maxlen = f->maxlen};
        size_t i;
        json_t *x;
        char sub[64];
        json_array_foreach(v, i, x)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", name, i);
            if (schema_value(x, &item, sub, e)) return -1;
        }
        return 0;
    }
    }
    return err_set(e, E_INTERNAL, name, "unknown field type");
}

int schema_check_in(const json_t *obj, const field_t *fields, const char *prefix, err_t *e)
{
    if (!json_is_object(obj))
        return err_set(e, E_BAD_TYPE, prefix ? prefix : "", "%s must be a JSON object",
                       prefix ? prefix : "the body");
    const char *k;
    json_t *v;
    char name[64];
    json_object_foreach((json_t *)obj, k, v)
    {
        const field_t *f = fields;
        while (f->name && strcmp(f->name, k)) f++;
        snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", k);
        if (!f->name) return err_set(e, E_UNKNOWN_FIELD, name, "unknown field '%s'", name);
        if (json_is_null(v) && !f->required) continue;
        if (schema_value(v, f, name, e)) return -1;
    }
    for (const field_t *f = fields; f->name; f++)
        if (f->required && !json_object_get(obj, f->name)) {
            snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", f->name);
            return err_set(e, E_MISSING_FIELD, name, "%s is required", name);
        }
    return 0;
}

int schema_check(const json_t *obj, const field_t *fields, err_t *e)
{
    return schema_check_in(obj, fields, NULL, e);
}

json_t *schema_openapi(const field_t *fields)
{
    json_t *props = json_object(), *req = json_array();
    for (const field_t *f = fields; f->name; f++) {
        json_t *p;
        switch (f->type) {
        case F_INT:
            p = json_pack("{s:s, s:f, s:f}", "type", "integer", "minimum", f->min, "maximum", f->max);
            break;
        case F_NUM:
            p = json_pack("{s:s, s:f, s:f}", "type", "number", "minimum", f->min, "maximum", f->max);
            break;
        case F_BOOL: p = json_pack("{s:s}", "type", "boolean"); break;
        case F_TIME: p = json_pack("{s:s, s:s}", "type", "string", "format", "date-time"); break;
        case F_STRLIST:
        case F_IDLIST:
        case F_TEXTLIST:
            p = json_pack("{s:s, s:{s:s}}", "type", "array", "items", "type", "string");
            break;
        case F_TIMELIST:
            p = json_pack("{s:s, s:{s:s, s:s}}", "type", "array", "items", "type", "string", "format", "date-time");
            break;
        case F_OBJECT: p = schema_openapi(f->sub); break;
        case F_ARRAY: p = json_pack("{s:s, s:{s:s}, s:f, s:f}", "type", "array", "items", "type", "object", "minItems", f->min, "maxItems", f->max); break;
        case F_GEOJSON:
            p = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s,s]}", "type", "object", "properties", "type", "type",
                          "string", "coordinates", "type", "array", "required", "type", "coordinates");
            break;
        case F_I18N:
            p = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s,s], s:b}", "type", "object",
                          "properties", "en", "type", "string", "ar", "type", "string", "required",
                          "en", "ar", "additionalProperties", 0);
            break;
        case F_ENUM: {
            json_t *en = json_array();
            for (const char *const *x = f->enumv; *x; x++) json_array_append_new(en, json_string(*x));
            p = json_pack("{s:s, s:o}", "type", "string", "enum", en);
            break;
        }
        default:
            p = json_pack("{s:s, s:I}", "type", "string", "maxLength",
                          (json_int_t)(f->maxlen ? f->maxlen : (f->type == F_ID ? 64 : 256)));
        }
        if (f->doc) json_object_set_new(p, "description", json_string(f->doc));
        json_object_set_new(props, f->name, p);
        if (f->required) json_array_append_new(req, json_string(f->name));
    }
    return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props, "required", req,
                     "additionalProperties", 0);
}
