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
 * Threading: a small pool of threads, each serving many connections with
 * epoll (libmicrohttpd's thread pool), so a request costs no thread switch
 * of its own. Nothing that waits for the writer holds a pool thread: a
 * connection that waits is suspended (http_park, req_submit) and resumed by
 * the writer once what it waits for is durable, and its handler runs again.
 * Handlers that still call log_submit() hold their pool thread until their
 * batch is durable (a few ms): correct, only slower for the connections that
 * share that thread; the hot write routes use req_submit instead, and the
 * handlers that spend long on the CPU (password hashing, imports of whole
 * files) run on a helper thread (req_offload). A
 * connection limit and timeouts bound slow clients; a slow client costs a
 * socket, not a thread.
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

/* A suspended connection waiting for the writer (http_park). */
typedef struct http_park {
    struct MHD_Connection *conn;
    uint64_t seq;          /* resume once event seq is durable */
    int tick;              /* resume at the next http_tick too */
    struct http_park *next;
} http_park_t;

/* What a handler does once its command is durable (or failed: c->err). */
typedef int (*req_then_fn)(req_t *r, cmd_t *c);

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
    char *cookie;          /* a Set-Cookie value (req_set_cookie), or NULL */
    struct MHD_Response *custom;
    int64_t start_us;
    /* Set by a handler whose reply shows nothing applied after this seq
     * (e.g. only its own, durable event): the dispatcher then waits for
     * that seq instead of for everything applied so far. 0: not set. */
    uint64_t shown_seq;
    /* private to http.c */
    cmd_t *cmd;            /* submitted by req_submit; then() runs on resume */
    req_then_fn then;
    void *ctx;             /* req_ctx(): freed with the request */
    void (*ctx_release)(void *ctx);
    int dispatched;        /* the handler ran */
    handler_fn offload;    /* req_offload: runs (or ran) on a helper thread */
    struct req *job_next;
    uint64_t wait_seq;     /* the reply waits until this seq is durable */
    http_park_t park;
};

/* The Set-Cookie header of the reply (a copy). The request stays under the
 * 1 KiB that malloc serves from its per-thread cache. */
void req_set_cookie(req_t *r, const char *value);

int http_start(truce_t *t, const char *host, int port, err_t *e);
void http_stop(truce_t *t);
int http_stopping(truce_t *t);
/* Once a second (main's loop): resumes the connections parked with tick. */
void http_tick(truce_t *t);
/* Suspends conn, from its access handler or content reader on a pool thread,
 * until event seq is durable (with tick: or until the next http_tick).
 * 0: suspended (return now; the callback runs again once resumed);
 * 1: seq is durable already; -1: the server is stopping. Either way but 0
 * the connection is not suspended. p stays linked until resumed. */
int http_park(truce_t *t, http_park_t *p, struct MHD_Connection *conn, uint64_t seq, int tick);
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
 * may be empty) in members, which is taken (emptied); no "id" among them.
 * The reply is written in members' own buffer: reserving
 * REPLY_RECEIPT_ROOM more than the members need spares a reallocation. */
#define REPLY_RECEIPT_ROOM 3072
int reply_written_buf(req_t *r, int status, const cmd_t *c, buf_t *members);
/* Submits c to the writer without holding the thread: the connection is
 * suspended and, once c's batch is durable (or c failed), then(r, c) runs
 * and replies as a handler would. Returns 0 (the handler returns it). c and
 * whatever c->arg points to must outlive the request's wait: put them in
 * req_ctx(). Without a connection (unit tests) or while stopping, it is
 * log_submit() followed by then(). */
int req_submit(req_t *r, cmd_t *c, req_then_fn then);
/* Runs fn(r) on a helper thread, for handlers that hold a CPU for long
 * (argon2id password hashing, about 100 ms): the connection is suspended
 * meanwhile, so its pool thread goes on serving the others. Returns 0 (the
 * handler returns it), or fn's result when it ran fn in place (no connection,
 * stopping). fn may block; its req_submit calls block too. */
int req_offload(req_t *r, handler_fn fn);
/* size zeroed bytes that live as long as the request; release(ctx), when
 * not NULL, runs before they are freed. NULL when out of memory. One a request. */
void *req_ctx(req_t *r, size_t size, void (*release)(void *ctx));
const char *req_query(req_t *r, const char *name);
const char *req_header(req_t *r, const char *name);
/* Parses ?name= as an unsigned integer in [min, max] (def when absent); -1 replied. */
int req_query_u64(req_t *r, const char *name, uint64_t def, uint64_t min, uint64_t max,
                  uint64_t *out);
/* ?name, when given, must be one of allowed (NULL-terminated): 0, or -1 and
 * replied 400 naming it. */
int req_query_enum(req_t *r, const char *name, const char *const *allowed);
int req_query_time(req_t *r, const char *name, int64_t *out, int *present);

#endif
