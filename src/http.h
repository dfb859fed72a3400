/*
 * http.h — the HTTP server (libmicrohttpd) and the one route table.
 *
 * Every endpoint is one row of routes[] in routes.c: method, path pattern,
 * permission, handler, body schema, body limit, summary. The dispatcher does
 * everything else once: matching, authentication (bearer token or session
 * cookie + CSRF header), the permission check, body size, strict JSON parsing
 * and schema checking, metrics, the error shape, and the wait that keeps any
 * reply from showing state that is not yet durable. A handler reads as a
 * straight line of early returns ending in reply_*().
 *
 * Threading: one thread per connection (long-lived event streams block in
 * their own thread); a connection limit and timeouts bound slow clients.
 * Ownership: a req_t and everything hung on it is freed when the request
 * completes; handlers never keep pointers into it.
 */
#ifndef TRUCE_HTTP_H
#define TRUCE_HTTP_H

#include <microhttpd.h>

#include "schema.h"
#include "truce.h"

typedef struct req req_t;
typedef int (*handler_fn)(req_t *r);

typedef struct {
    const char *method;
    const char *pattern;   /* "/api/v1/users/{username}/disable" */
    int perm;              /* P_* from auth.h */
    handler_fn fn;
    const field_t *body;   /* NULL: no body accepted */
    size_t max_body;       /* 0: 64 KiB */
    const char *summary;
    const char *tag;
} route_t;

extern const route_t routes[];
extern const int nroutes;

#define REQ_MAX_PARAMS 4

struct req {
    truce_t *t;
    struct MHD_Connection *conn;
    const route_t *route;
    int route_idx;
    char method[8];
    char *path;
    char *params[REQ_MAX_PARAMS];
    int nparams;
    buf_t body;
    int too_large;
    json_t *json;          /* the parsed body, when the route takes one */
    principal_t who;
    int authed;
    char ip[64];
    /* response */
    int status;
    char *resp;
    size_t resp_len;
    const char *ctype;
    char cookie[512];
    struct MHD_Response *custom;
    int64_t start_us;
    /* Set by a handler whose reply shows nothing applied after this seq
     * (e.g. only its own, durable event): the dispatcher then waits for
     * that seq instead of for everything applied so far. 0: not set. */
    uint64_t shown_seq;
};

int http_start(truce_t *t, const char *host, int port, err_t *e);
void http_stop(truce_t *t);
int http_stopping(truce_t *t);
/* Prometheus text (metrics.c reads the counters http.c keeps). */
char *http_metrics(truce_t *t, size_t *len);

/* Replies. Each returns 0 (json, receipt) or -1 (errors) so handlers can
 * `return reply_...`. reply_json takes ownership of j. */
int reply_json(req_t *r, int status, json_t *j);
int reply_err(req_t *r, const err_t *e);
/* A body built in b (taken: b is emptied) with its content type. */
int reply_buf(req_t *r, int status, buf_t *b, const char *ctype);
int reply_error(req_t *r, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* {"id": c->result_id, <extra>, "receipt": receipt of the command's first event}. */
int reply_written(req_t *r, int status, const cmd_t *c, json_t *extra);
/* The same with the extra members as JSON text ("k":v,... without braces;
 * may be empty) in members, which is taken (emptied); no "id" among them. */
int reply_written_buf(req_t *r, int status, const cmd_t *c, buf_t *members);
const char *req_query(req_t *r, const char *name);
const char *req_header(req_t *r, const char *name);
/* Parses ?name= as an unsigned integer in [min, max] (def when absent); -1 replied. */
int req_query_u64(req_t *r, const char *name, uint64_t def, uint64_t min, uint64_t max,
                  uint64_t *out);
int req_query_time(req_t *r, const char *name, int64_t *out, int *present);

#endif
