/*
 * schema.h — strict input checking from tables. A route names the fields its
 * body may have; schema_check refuses unknown fields, missing required ones,
 * wrong types and out-of-range values, naming the field. The same tables
 * generate the request bodies of the OpenAPI document, so the two agree.
 */
#ifndef TRUCE_SCHEMA_H
#define TRUCE_SCHEMA_H

#include <jansson.h>

#include "util.h"

enum {
    F_STR = 1,  /* string, minlen..maxlen bytes (maxlen 0: 256), no control chars but \n\t */
    F_ID,       /* [A-Za-z0-9._:-]{1,maxlen} */
    F_INT,      /* integer in [min, max] */
    F_NUM,      /* number in [min, max] */
    F_BOOL,
    F_TIME,     /* RFC 3339 string */
    F_STRLIST,  /* array of F_ID-like strings, at most max items */
    F_I18N,     /* {"en": str, "ar": str}, both required */
    F_ENUM,     /* string from enumv */
    F_IDLIST,   /* array of ids */
    F_OBJECT,   /* object checked against sub (names: "contact.phone") */
    F_GEOJSON,  /* object: a GeoJSON geometry (geo.c checks it fully) */
    F_TEXTLIST, /* array of F_STR strings (maxlen each), at most max items */
    F_TIMELIST, /* array of RFC 3339 strings, at most max items */
    F_ARRAY,    /* array of objects, min..max items (the handler checks each) */
};

typedef struct field field_t;
struct field {
    const char *name;
    int type;
    int required;
    double min, max;
    size_t maxlen;
    const char *const *enumv; /* NULL-terminated, for F_ENUM */
    const char *doc;
    const field_t *sub;       /* F_OBJECT: its fields */
};

/* Checks obj against fields (terminated by {NULL}); 0 or -1 with e filled. */
int schema_check(const json_t *obj, const field_t *fields, err_t *e);
/* The same for an object nested under prefix ("contact"). */
int schema_check_in(const json_t *obj, const field_t *fields, const char *prefix, err_t *e);
/* Checks one value against one field; prefix names nested fields. */
int schema_value(const json_t *v, const field_t *f, const char *name, err_t *e);
/* The JSON Schema (OpenAPI 3.1) object for a field table; new reference. */
json_t *schema_openapi(const field_t *fields);
int schema_valid_id(const char *s, size_t maxlen);
/* A route whose body is not JSON (imports: GeoJSON or CSV): the dispatcher
 * passes the raw bytes in r->body and the handler checks them. */
extern const field_t schema_raw_body[];

#endif
