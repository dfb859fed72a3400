/*
 * http.c — see http.h. libmicrohttpd calls on_request several times per
 * request: first with the headers (we match the route and check the declared
 * body size), then with body chunks (we append, up to the route's limit), then
 * with no data (we dispatch), and again with no data each time the request is
 * resumed after a wait (req_submit, http_park). on_done frees the request and
 * records its metrics.
 *
 * Suspended connections: libmicrohttpd must never be stopped while one is
 * suspended, and a connection must be suspended before anything may resume
 * it. So a connection is suspended before its command is queued or it is
 * linked where the writer looks; park_mu orders parking against the writer's
 * hook and against http_stop, which sets `stopping` (after which nothing is
 * suspended), resumes every parked connection and waits for the commands in
 * flight before it stops the daemon.
 */
#include "http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "jsonfast.h"
#include "log.h"
#include "ops.h"

#define DEFAULT_BODY (64 * 1024)
#define HARD_BODY (1024 * 1024)
/* Pool threads. More than the cores, so that the handlers that still block
 * (log_submit, long queries) stall only the connections of their own
 * thread; few enough that one wake-up serves many replies (2, 4 and 8
 * measured alike within the noise of this machine). */
#define THREADS 4
/* Helper threads for req_offload: two logins hash at once, the rest queue
 * (argon2id takes 64 MiB each). */
#define HELPERS 2

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503};
#define NSTATUS ((int)(sizeof statuses / sizeof statuses[0]))
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKET ((int)(sizeof buckets / sizeof buckets[0]))

struct http {
    struct MHD_Daemon *d;
    int stopping;           /* set under park_mu; read atomically (suspend_for_work without it) */
    pthread_mutex_t park_mu; /* parked, stopping */
    http_park_t *parked;
    int inflight;           /* connections suspended for a command or a helper (atomic) */
    pthread_mutex_t jobs_mu; /* jobs, helpers_stop */
    pthread_cond_t jobs_cv;
    req_t *jobs, *jobs_tail; /* req_offload's queue */
    int helpers_stop, nhelpers;
    pthread_t helpers[HELPERS];
    uint64_t (*count)[NSTATUS + 1]; /* [route][status]; rows nroutes: static, nroutes+1: unmatched */
    uint64_t hist[NBUCKET + 1];
    uint64_t hist_sum_us, hist_count;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- replies ---- */

static void set_body(req_t *r, int status, char *s, size_t n, const char *ctype)
{
    free(r->resp);
    r->status = status;
    r->resp = s;
    r->resp_len = n;
    r->ctype = ctype;
}

int reply_buf(req_t *r, int status, buf_t *b, const char *ctype)
{
    if (b->failed) {
        buf_release(b);
        return reply_error(r, E_INTERNAL, NULL, "out of memory");
    }
    size_t n;
    char *s = buf_detach(b, &n);
    set_body(r, status, s, n, ctype);
    return 0;
}

int reply_json(req_t *r, int status, json_t *j)
{
    buf_t b;
    buf_init(&b);
    if (j) buf_add_json(&b, j);
    json_decref(j);
    size_t n = 0;
    char *s = j && !b.failed ? buf_detach(&b, &n) : NULL;
    buf_release(&b);
    if (!s) {
        s = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"field\":null}}");
        n = strlen(s);
        status = 500;
    }
    set_body(r, status, s, n, "application/json; charset=utf-8");
    return 0;
}

int reply_err(req_t *r, const err_t *e)
{
    int code = e->code ? e->code : E_INTERNAL;
    json_t *j = json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", err_name(code), "message",
                          e->message[0] ? e->message : "error", "field", e->field[0] ? e->field : NULL);
    reply_json(r, err_status(code), j);
    return -1;
}

int reply_error(req_t *r, int code, const char *field, const char *fmt, ...)
{
    err_t e;
    if (fmt) {
        char msg[sizeof e.message];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        err_set(&e, code, field, "%s", msg);
    } else {
        err_set(&e, code, field, NULL);
    }
    return reply_err(r, &e);
}

/* Ends b (an object left open) with the command's receipt and replies. */
static int reply_receipt(req_t *r, int status, const cmd_t *c, buf_t *b)
{
    buf_adds(b, ",\"receipt\":");
    if (!c->first_seq || log_receipt_buf(r->t, c->first_seq, b, NULL)) buf_adds(b, "null");
    buf_adds(b, "}");
    if (b->failed) {
        buf_release(b);
        return reply_error(r, E_INTERNAL, NULL, "out of memory");
    }
    size_t n;
    char *s = buf_detach(b, &n);
    set_body(r, status, s, n, "application/json; charset=utf-8");
    return 0;
}

int reply_written_buf(req_t *r, int status, const cmd_t *c, buf_t *members)
{
    /* The reply grows in the members' own buffer, behind an opening brace:
     * no second buffer and copy (a reply is a large block for malloc, which
     * first consolidates its free lists). Room for the receipt (about 2 KB)
     * at once, rather than grown six times. */
    buf_t b = *members;
    buf_init(members);
    if (buf_reserve(&b, 1 + REPLY_RECEIPT_ROOM) == 0) {
        memmove(b.data + 1, b.data, b.len + 1);
        b.data[0] = '{';
        b.len++;
    }
    if (b.len > 1) buf_adds(&b, ",");
    if (c->result_id[0]) {
        buf_adds(&b, "\"id\":");
        buf_add_json_str(&b, c->result_id);
        buf_adds(&b, ",");
    }
    buf_adds(&b, "\"seq\":");
    buf_add_u64(&b, c->first_seq);
    return reply_receipt(r, status, c, &b);
}

int reply_written(req_t *r, int status, const cmd_t *c, json_t *extra)
{
    json_t *j = extra ? extra : json_object();
    if (c->result_id[0] && !json_object_get(j, "id")) json_object_set_new(j, "id", json_string(c->result_id));
    json_object_set_new(j, "seq", json_integer((json_int_t)c->first_seq));
    buf_t b;
    buf_init(&b);
    buf_add_json(&b, j);
    json_decref(j);
    if (b.failed) {
        buf_release(&b);
        return reply_error(r, E_INTERNAL, NULL, "out of memory");
    }
    b.len--; /* without its closing brace */
    b.data[b.len] = 0;
    return reply_receipt(r, status, c, &b);
}

const char *req_query(req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int req_query_u64(req_t *r, const char *name, uint64_t def, uint64_t min, uint64_t max, uint64_t *out)
{
    const char *s = req_query(r, name);
    *out = def;
    if (!s) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    /* ERANGE: more digits than 64 bits hold (strtoull gives its largest value) */
    if (*s < '0' || *s > '9' || *end || errno == ERANGE || v < min || v > max)
        return reply_error(r, E_OUT_OF_RANGE, name, "%s must be an integer from %llu to %llu", name,
                           (unsigned long long)min, (unsigned long long)max);
    *out = v;
    return 0;
}

int req_query_enum(req_t *r, const char *name, const char *const *allowed)
{
    const char *v = req_query(r, name);
    if (!v) return 0;
    for (int i = 0; allowed[i]; i++)
        if (!strcmp(allowed[i], v)) return 0;
    return reply_error(r, E_BAD_VALUE, name, "%s is not one of the allowed values", name);
}

int req_query_time(req_t *r, const char *name, int64_t *out, int *present)
{
    const char *s = req_query(r, name);
    *present = s != NULL;
    if (!s) return 0;
    if (time_parse(s, out))
        return reply_error(r, E_BAD_VALUE, name, "%s must be an RFC 3339 time", name);
    return 0;
}

/* ---- waiting without a thread ---- */

int http_park(truce_t *t, http_park_t *p, struct MHD_Connection *conn, uint64_t seq, int tick)
{
    http_t *h = t->http;
    pthread_mutex_lock(&h->park_mu);
    int rc = h->stopping ? -1 : log_durable(t) >= seq ? 1 : 0;
    if (rc == 0) {
        *p = (http_park_t){.conn = conn, .seq = seq, .tick = tick, .next = h->parked};
        h->parked = p;
        MHD_suspend_connection(conn);
    }
    pthread_mutex_unlock(&h->park_mu);
    return rc;
}

/* Resumes the parked connections that are due (park_mu held). A resumed
 * connection may be freed at once by its pool thread: p is unlinked first
 * and never touched after. */
static void unpark(http_t *h, uint64_t durable, int tick)
{
    for (http_park_t **pp = &h->parked; *pp;) {
        http_park_t *p = *pp;
        if (h->stopping || p->seq <= durable || (tick && p->tick)) {
            *pp = p->next;
            MHD_resume_connection(p->conn);
        } else {
            pp = &p->next;
        }
    }
}

/* The writer's hook: something new is durable. */
static void durable_hook(truce_t *t)
{
    http_t *h = t->http;
    pthread_mutex_lock(&h->park_mu);
    unpark(h, log_durable(t), 0);
    pthread_mutex_unlock(&h->park_mu);
}

void http_tick(truce_t *t)
{
    http_t *h = t->http;
    if (!h) return;
    pthread_mutex_lock(&h->park_mu);
    unpark(h, log_durable(t), 1);
    pthread_mutex_unlock(&h->park_mu);
}

/* Suspends r's connection for a command or a helper, unless stopping (or
 * there is no connection, or r already runs on a helper): 1 when suspended.
 * Every write passes here, so it takes no lock (park_mu is the writer's
 * too): it counts itself in flight, then looks at `stopping`; http_stop
 * sets `stopping`, then waits for nothing in flight. Both sequentially
 * consistent, so either http_stop waits for this one or this one sees it. */
static int suspend_for_work(req_t *r)
{
    http_t *h = r->t->http;
    if (!h || !r->conn || r->offload) return 0;
    __atomic_fetch_add(&h->inflight, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&h->stopping, __ATOMIC_SEQ_CST)) {
        __atomic_fetch_sub(&h->inflight, 1, __ATOMIC_RELEASE);
        return 0;
    }
    MHD_suspend_connection(r->conn);
    return 1;
}

/* Resumes r's connection (any thread) once its command or helper is done. */
static void resume_after_work(req_t *r)
{
    http_t *h = r->t->http;
    MHD_resume_connection(r->conn); /* r may be gone from here on */
    __atomic_fetch_sub(&h->inflight, 1, __ATOMIC_RELEASE);
}

/* on_durable of a command from req_submit (on the writer thread). */
static void cmd_durable(cmd_t *c)
{
    resume_after_work(c->on_durable_arg);
}

static void *helper_main(void *arg)
{
    http_t *h = arg;
    pthread_setname_np(pthread_self(), "truce-helper");
    pthread_mutex_lock(&h->jobs_mu);
    for (;;) {
        while (!h->jobs && !h->helpers_stop) pthread_cond_wait(&h->jobs_cv, &h->jobs_mu);
        req_t *r = h->jobs;
        if (!r) break; /* stopping, and nothing left */
        h->jobs = r->job_next;
        if (!h->jobs) h->jobs_tail = NULL;
        pthread_mutex_unlock(&h->jobs_mu);
        r->offload(r);
        resume_after_work(r);
        pthread_mutex_lock(&h->jobs_mu);
    }
    pthread_mutex_unlock(&h->jobs_mu);
    return NULL;
}

/* Lets the helpers finish what is queued, then ends them. */
static void stop_helpers(http_t *h)
{
    pthread_mutex_lock(&h->jobs_mu);
    h->helpers_stop = 1;
    pthread_cond_broadcast(&h->jobs_cv);
    pthread_mutex_unlock(&h->jobs_mu);
    for (int i = 0; i < h->nhelpers; i++) pthread_join(h->helpers[i], NULL);
    h->nhelpers = 0;
}

void req_set_cookie(req_t *r, const char *value)
{
    free(r->cookie);
    r->cookie = strdup(value);
}

int req_offload(req_t *r, handler_fn fn)
{
    http_t *h = r->t->http;
    if (!h || !h->nhelpers || !suspend_for_work(r)) return fn(r);
    /* From here the helper owns r until it resumes the connection; the
     * pool thread reads only offload, which the helper never writes. */
    r->offload = fn;
    r->job_next = NULL;
    pthread_mutex_lock(&h->jobs_mu);
    if (h->jobs_tail) h->jobs_tail->job_next = r;
    else h->jobs = r;
    h->jobs_tail = r;
    pthread_cond_signal(&h->jobs_cv);
    pthread_mutex_unlock(&h->jobs_mu);
    return 0;
}

int req_submit(req_t *r, cmd_t *c, req_then_fn then)
{
    if (!suspend_for_work(r)) {
        log_submit(r->t, c);
        return then(r, c);
    }
    r->cmd = c;
    r->then = then;
    c->on_durable = cmd_durable;
    c->on_durable_arg = r;
    if (log_submit_async(r->t, c)) cmd_durable(c); /* the log is stopping: c->err says so */
    return 0;
}

void *req_ctx(req_t *r, size_t size, void (*release)(void *ctx))
{
    assert(!r->ctx);
    r->ctx = calloc(1, size);
    if (r->ctx) r->ctx_release = release;
    return r->ctx;
}

/* ---- routing ---- */

/* Matches path against pattern; fills params (pointers into r->path copy). */
static int match(const char *pattern, const char *path, req_t *r, int fill)
{
    const char *p = pattern, *s = path;
    int np = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t n = strcspn(s, "/");
            if (n == 0 || np >= REQ_MAX_PARAMS) return 0;
            if (fill) r->params[np] = strndup(s, n);
            np++;
            s += n;
            p = close + 1;
        } else if (*p++ != *s++) {
            return 0;
        }
    }
    if (*p || *s) {
        if (fill)
            for (int i = 0; i < np; i++) free(r->params[i]), r->params[i] = NULL;
        return 0;
    }
    if (fill) r->nparams = np;
    return 1;
}

/* -1: no route with this path; -2: path known, method not. */
static int find_route(req_t *r)
{
    int path_known = 0;
    for (int i = 0; i < nroutes; i++) {
        if (!match(routes[i].pattern, r->path, r, 0)) continue;
        path_known = 1;
        if (strcmp(routes[i].method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            match(routes[i].pattern, r->path, r, 1);
            return i;
        }
    }
    return path_known ? -2 : -1;
}

/* ---- static files ---- */

static const char *mime(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"}, {".geojson", "application/geo+json"},
        {".png", "image/png"}, {".svg", "image/svg+xml"}, {".ico", "image/x-icon"},
        {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"},
    };
    for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dot, map[i][0]) == 0) return map[i][1];
    return "application/octet-stream";
}

static int serve_static(req_t *r)
{
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    if (strstr(rel, "..") || strchr(rel, '\\') || !r->t->web_dir)
        return reply_error(r, E_NOT_FOUND, NULL, NULL);
    buf_t p;
    buf_init(&p);
    buf_addf(&p, "%s%s", r->t->web_dir, rel);
    int fd = open(p.data, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        buf_release(&p);
        return reply_error(r, E_NOT_FOUND, NULL, "no such page");
    }
    r->custom = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    MHD_add_response_header(r->custom, "Content-Type", mime(p.data));
    MHD_add_response_header(r->custom, "Cache-Control", "no-cache");
    r->status = 200;
    buf_release(&p);
    return 0;
}

/* ---- metrics ---- */

static int status_slot(int status)
{
    for (int i = 0; i < NSTATUS; i++)
        if (statuses[i] == status) return i;
    return NSTATUS;
}

char *http_metrics(truce_t *t, size_t *len)
{
    http_t *h = t->http;
    buf_t b;
    buf_init(&b);
    buf_adds(&b, "# HELP truce_http_requests_total HTTP requests by route and status.\n"
                 "# TYPE truce_http_requests_total counter\n");
    for (int i = 0; i < nroutes + 2; i++)
        for (int s = 0; s <= NSTATUS; s++) {
            uint64_t v = __atomic_load_n(&h->count[i][s], __ATOMIC_RELAXED);
            if (!v) continue;
            const char *m = i < nroutes ? routes[i].method : "GET";
            const char *p = i < nroutes ? routes[i].pattern : i == nroutes ? "static" : "unmatched";
            buf_addf(&b, "truce_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                     m, p, s < NSTATUS ? statuses[s] : 0, (unsigned long long)v);
        }
    buf_adds(&b, "# HELP truce_http_request_seconds Request latency (event streams excluded).\n"
                 "# TYPE truce_http_request_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i <= NBUCKET; i++) {
        cum += __atomic_load_n(&h->hist[i], __ATOMIC_RELAXED);
        if (i < NBUCKET) buf_addf(&b, "truce_http_request_seconds_bucket{le=\"%g\"} %llu\n", buckets[i], (unsigned long long)cum);
        else buf_addf(&b, "truce_http_request_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    buf_addf(&b, "truce_http_request_seconds_sum %.6f\ntruce_http_request_seconds_count %llu\n",
             (double)__atomic_load_n(&h->hist_sum_us, __ATOMIC_RELAXED) / 1e6,
             (unsigned long long)__atomic_load_n(&h->hist_count, __ATOMIC_RELAXED));
    ops_metrics(t, &b);
    log_stats_t ls;
    log_stats(t, &ls);
    buf_addf(&b, "# HELP truce_log_size Events in the log.\n# TYPE truce_log_size gauge\ntruce_log_size %llu\n",
             (unsigned long long)ls.size);
    buf_addf(&b, "# HELP truce_log_fsyncs_total Durable commits (one fsync each).\n"
                 "# TYPE truce_log_fsyncs_total counter\ntruce_log_fsyncs_total %llu\n",
             (unsigned long long)ls.fsyncs);
    buf_adds(&b, "# HELP truce_writer_batch_events Events per writer batch (group commit).\n"
                 "# TYPE truce_writer_batch_events histogram\n");
    static const char *const le[] = {"1", "2", "4", "8", "16", "32", "64", "+Inf"};
    cum = 0;
    for (int i = 0; i < 8; i++) {
        cum += ls.batch_hist[i];
        buf_addf(&b, "truce_writer_batch_events_bucket{le=\"%s\"} %llu\n", le[i], (unsigned long long)cum);
    }
    buf_addf(&b, "truce_writer_batch_events_sum %llu\ntruce_writer_batch_events_count %llu\n",
             (unsigned long long)ls.events, (unsigned long long)ls.batches);
    return buf_detach(&b, len);
}

static void record(http_t *h, req_t *r, int stream)
{
    int row = r->route_idx;
    __atomic_fetch_add(&h->count[row][status_slot(r->status)], 1, __ATOMIC_RELAXED);
    if (stream) return;
    double secs = (double)(now_us() - r->start_us) / 1e6;
    int b = 0;
    while (b < NBUCKET && secs > buckets[b]) b++;
    __atomic_fetch_add(&h->hist[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->hist_sum_us, (uint64_t)(secs * 1e6), __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->hist_count, 1, __ATOMIC_RELAXED);
}

/* ---- dispatch ---- */

static int dispatch(req_t *r)
{
    const route_t *rt = r->route;
    if (r->too_large) return reply_error(r, E_TOO_LARGE, NULL, "the body is larger than %zu bytes",
                                         rt && rt->max_body ? rt->max_body : (size_t)DEFAULT_BODY);
    if (r->route_idx == nroutes + 1)
        return reply_error(r, E_NOT_FOUND, NULL, "no such endpoint: %s %s", r->method, r->path);
    if (!rt) {
        if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
            return reply_error(r, E_METHOD, NULL, NULL);
        return serve_static(r);
    }
    if (rt->perm != P_PUBLIC) {
        if (auth_authenticate_or_reply(r)) return -1;
        if (!(r->who.perms & (1ull << rt->perm)))
            return reply_error(r, E_FORBIDDEN, NULL, "your roles do not include %s", perm_names[rt->perm]);
    }
    if (rt->body == schema_raw_body) {
        /* the handler reads r->body */
    } else if (rt->body) {
        const char *ct = req_header(r, "Content-Type");
        if (!ct || strncasecmp(ct, "application/json", 16) != 0)
            return reply_error(r, E_MEDIA_TYPE, NULL, NULL);
        json_error_t je;
        /* The fast parser takes what it can; jansson the rest, and words the errors. */
        r->json = jsonfast_parse_request(r->body.data, r->body.len);
        if (!r->json) r->json = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!r->json)
            return reply_error(r, E_BAD_JSON, NULL, "the body is not valid JSON: %s at byte %d", je.text,
                               je.position);
        err_t e;
        if (schema_check(r->json, rt->body, &e)) return reply_err(r, &e);
    } else if (r->body.len) {
        /* Clients that always send a body may send an empty object. */
        json_t *j = json_loadb(r->body.data, r->body.len, 0, NULL);
        int empty = json_is_object(j) && json_object_size(j) == 0;
        json_decref(j);
        if (!empty) return reply_error(r, E_BAD_REQUEST, NULL, "this endpoint takes no body");
    }
    return rt->fn(r);
}

static enum MHD_Result queue(req_t *r)
{
    struct MHD_Response *resp = r->custom;
    if (!resp) {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp ? r->resp : (char *)"",
                                               r->resp ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        r->resp = NULL;
        MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "application/json");
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                            "connect-src 'self'; frame-ancestors 'none'");
    if (r->cookie) MHD_add_response_header(resp, "Set-Cookie", r->cookie);
    if (r->status == 401) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (r->status == 429) MHD_add_response_header(resp, "Retry-After", "300");
    enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    r->custom = NULL;
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    truce_t *t = cls;
    (void)version;
    req_t *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        *con_cls = r;
        r->t = t;
        r->conn = conn;
        r->start_us = now_us();
        buf_init(&r->body);
        snprintf(r->method, sizeof r->method, "%s", method);
        r->path = strdup(url);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, r->ip, sizeof r->ip);
        else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, r->ip, sizeof r->ip);
        int idx = find_route(r);
        int api = strncmp(r->path, "/api/", 5) == 0;
        if (idx >= 0) {
            r->route = &routes[idx];
            r->route_idx = idx;
        } else if (idx == -2) {
            r->route_idx = nroutes + 1;
            r->status = 405;
        } else {
            r->route_idx = api ? nroutes + 1 : nroutes;
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        size_t limit = r->route && r->route->max_body ? r->route->max_body : DEFAULT_BODY;
        if (cl && strtoull(cl, NULL, 10) > limit) {
            /* Answer now rather than read a body we will refuse; MHD closes
             * the connection after the reply. */
            r->too_large = 1;
            dispatch(r);
            return queue(r);
        }
        return MHD_YES;
    }
    if (*size) {
        size_t limit = r->route && r->route->max_body ? r->route->max_body : DEFAULT_BODY;
        if (limit > HARD_BODY) limit = HARD_BODY;
        if (!r->too_large && r->body.len + *size <= limit) buf_add(&r->body, data, *size);
        else r->too_large = 1;
        *size = 0;
        return MHD_YES;
    }
    if (r->then) {
        /* Resumed: the command of req_submit is durable (or failed). */
        req_then_fn then = r->then;
        r->then = NULL;
        then(r, r->cmd);
    } else if (!r->dispatched) {
        r->dispatched = 1;
        if (r->status == 405) reply_error(r, E_METHOD, NULL, "%s is not allowed on %s", r->method, r->path);
        else dispatch(r);
        if (r->offload) return MHD_YES; /* a helper runs the handler; r is its own */
    } /* else: resumed from a helper or from the wait below */
    if (r->then) return MHD_YES; /* suspended until its command is durable */
    if (r->route) {
        /* Never show state a crash could undo: wait until what we read is durable. */
        if (!r->wait_seq)
            r->wait_seq = r->shown_seq ? r->shown_seq : __atomic_load_n(&t->applied_seq, __ATOMIC_ACQUIRE);
        if (r->wait_seq > log_durable(t)) {
            int rc = http_park(t, &r->park, conn, r->wait_seq, 0);
            if (rc == 0) return MHD_YES;
            if (rc < 0) log_wait_durable(t, r->wait_seq); /* stopping: the writer still runs */
        }
    }
    return queue(r);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    truce_t *t = cls;
    (void)conn;
    (void)toe;
    req_t *r = *con_cls;
    if (!r) return;
    if (r->status) record(t->http, r, r->route && strcmp(r->route->pattern, "/api/v1/stream") == 0);
    for (int i = 0; i < r->nparams; i++) free(r->params[i]);
    free(r->path);
    free(r->resp);
    free(r->cookie);
    json_decref(r->json);
    buf_release(&r->body);
    if (r->ctx && r->ctx_release) r->ctx_release(r->ctx);
    free(r->ctx);
    if (r->custom) MHD_destroy_response(r->custom);
    free(r);
    *con_cls = NULL;
}

int http_start(truce_t *t, const char *host, int port, err_t *e)
{
    http_t *h = calloc(1, sizeof *h);
    if (!h) return err_set(e, E_INTERNAL, NULL, "out of memory");
    h->count = calloc((size_t)nroutes + 2, sizeof *h->count);
    pthread_mutex_init(&h->park_mu, NULL);
    pthread_mutex_init(&h->jobs_mu, NULL);
    pthread_cond_init(&h->jobs_cv, NULL);
    t->http = h;
    while (h->nhelpers < HELPERS && pthread_create(&h->helpers[h->nhelpers], NULL, helper_main, h) == 0)
        h->nhelpers++;
    log_set_durable_hook(t, durable_hook); /* before any connection can park */
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        log_set_durable_hook(t, NULL);
        stop_helpers(h);
        return err_set(e, E_BAD_VALUE, "listen", "listen address must be an IPv4 address: %s", host);
    }
    h->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                            (uint16_t)port, NULL, NULL, on_request, t, MHD_OPTION_SOCK_ADDR, &addr,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, t, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned)2000,
                            /* One address cannot take every connection (and thread). */
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)512,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                            /* A connection's memory holds the request's headers
                             * (up to about 15 KB here; nginx takes 8 KB) and the reply's. MHD zeroes
                             * all of it after every request, twice the work at
                             * 32 KB (5% of the server's time on writes). */
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024), MHD_OPTION_END);
    if (!h->d) {
        log_set_durable_hook(t, NULL);
        stop_helpers(h);
        return err_set(e, E_INTERNAL, "listen", "cannot listen on %s:%d", host, port);
    }
    return 0;
}

void http_stop(truce_t *t)
{
    http_t *h = t->http;
    if (!h) return;
    pthread_mutex_lock(&h->park_mu);
    __atomic_store_n(&h->stopping, 1, __ATOMIC_SEQ_CST); /* see suspend_for_work */
    unpark(h, 0, 0); /* every one: streams end, reads wait for the writer in place */
    pthread_mutex_unlock(&h->park_mu);
    /* Commands in flight are resumed by the writer, which still runs, and
     * offloaded handlers by the helpers. */
    while (__atomic_load_n(&h->inflight, __ATOMIC_SEQ_CST)) usleep(1000);
    stop_helpers(h);
    if (h->d) MHD_stop_daemon(h->d);
    log_set_durable_hook(t, NULL);
    pthread_mutex_destroy(&h->park_mu);
    pthread_mutex_destroy(&h->jobs_mu);
    pthread_cond_destroy(&h->jobs_cv);
    free(h->count);
    free(h);
    t->http = NULL;
}

int http_stopping(truce_t *t)
{
    return !t->http || __atomic_load_n(&t->http->stopping, __ATOMIC_ACQUIRE);
}
