/*
 * truce.h — the server context, events, commands and the module registry.
 *
 * One path for every change (DESIGN.md): a request handler validates its input
 * and builds a command; the log's single writer thread runs the command's
 * prepare() against the current state (in order, so two commands cannot both
 * pass a check that only one may pass), seals the drafted events, applies them
 * to the in-memory state, appends the batch in one transaction, fsyncs, signs a
 * tree head and only then wakes the request, which answers with its receipt.
 *
 * Locking: t->lock (rwlock) guards every projection. The writer thread is the
 * only one that takes it for writing, and only while applying events; request
 * threads take it for reading. The writer may read state without the lock,
 * because nobody else writes it.
 *
 * A reader could observe an applied event whose batch is not yet on disk (the
 * window between apply and commit). The HTTP layer therefore waits, before it
 * answers any request, until everything it may have read is durable
 * (log_wait_durable): no reply ever shows something that a crash could undo.
 */
#ifndef TRUCE_H
#define TRUCE_H

#include <jansson.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#include "merkle.h"
#include "store.h"
#include "util.h"

typedef struct truce truce_t;
typedef struct log log_t;
typedef struct http http_t;
typedef struct org_state org_state_t;
typedef struct auth_state auth_state_t;
typedef struct journal_state journal_state_t;
typedef struct notify_state notify_state_t;
typedef struct isf_state isf_state_t;
typedef struct ops_state ops_state_t;
typedef struct incident_state incident_state_t;
typedef struct aid_state aid_state_t;
typedef struct ddr_state ddr_state_t;
typedef struct psf_state psf_state_t;
typedef struct transition_state transition_state_t;

/* An event as sealed by the log. Canonical bytes are the compact JSON object
 * {"actor","body","kind","labels","org","seq","subject","time","v"} with keys
 * sorted; bytes is what is hashed, stored and shipped in receipts. */
typedef struct {
    uint64_t seq;
    int64_t time;          /* ms since the epoch, UTC; non-decreasing in seq */
    const char *actor;     /* username, or "system" */
    const char *org;       /* the actor's organisation */
    const char *kind;      /* "journal.added" */
    const char *subject;   /* the record's id, "JRN-12" */
    json_t *labels;        /* array of strings: who may see it */
    json_t *body;          /* object */
    const char *bytes;     /* canonical bytes, NUL-terminated */
    size_t len;
    hash_t hash;           /* RFC 6962 leaf hash of bytes */
} event_t;

/* The caller of a request: the account, its organisation and roles. */
#define PRINCIPAL_MAX_ROLES 8
typedef struct {
    char username[64];
    char name[128];
    char org[64];
    char person[32];
    char roles[PRINCIPAL_MAX_ROLES][24];
    int nroles;
    uint64_t perms;       /* bitmask of P_* from auth.h */
    int via_cookie;       /* authenticated by the session cookie: writes need the CSRF header */
    uint8_t token_hash[32];
} principal_t;

/* A drafted event: what a command wants written. The writer owns the json
 * values after log_submit() (it decrefs them). */
typedef struct {
    char kind[48];
    char subject[64];
    json_t *labels;
    json_t *body;
    int as_system;        /* sealed with actor "system" (cmd_draft_system) */
} draft_t;

#define CMD_MAX_DRAFTS 20000 /* an import of 5000 sites drafts two events each */
typedef struct cmd cmd_t;
/* Runs on the writer thread against current state; fills c->drafts with
 * cmd_draft(), or fails with e filled. Must not block. */
typedef int (*cmd_prepare_fn)(truce_t *t, cmd_t *c, err_t *e);

struct cmd {
    /* in */
    const principal_t *who; /* NULL: the system (init, scenario) */
    cmd_prepare_fn prepare;
    void *arg;
    /* filled by prepare */
    draft_t *drafts;      /* grown by cmd_draft; freed by the log */
    int ndrafts, cap_drafts;
    char cred_user[64];   /* when set, the credential is written in the same transaction */
    char cred_hash[160];
    char result_id[64];   /* the id the command created or changed, for the reply */
    /* out */
    err_t err;
    uint64_t first_seq, last_seq, head_size;
    int64_t first_time;   /* the first event's time (ms) */
    /* Set for log_submit_async: called on the writer thread once the
     * command's batch is durable (or failed); must not block, and must not
     * touch the log. The command may be freed as soon as it is called. */
    void (*on_durable)(cmd_t *c);
    void *on_durable_arg;
    /* private to the log */
    int done;
    sem_t wake;           /* posted when the command's batch is durable (no herd) */
    int wake_sem;         /* wake was initialised (submitted to the writer thread) */
    struct cmd *wake_next[2]; /* posted by this command's submitter once it is woken */
    struct cmd *next;
};

/* Appends a draft; takes ownership of labels and body. -1 when full. */
int cmd_draft(cmd_t *c, const char *kind, const char *subject, json_t *labels, json_t *body,
              err_t *e);
/* The same, sealed as the system's (actor "system", org "SYSTEM") rather than
 * the caller's: for what a command causes that must not name who caused it
 * (an advisory must not reveal the operation's originator). */
int cmd_draft_system(cmd_t *c, const char *kind, const char *subject, json_t *labels, json_t *body,
                     err_t *e);

/* Module registry: each domain module lists its event kinds with their apply
 * functions (DESIGN.md: a new behaviour is a new row). */
typedef struct {
    const char *kind;
    void (*apply)(truce_t *t, const event_t *ev);
} kind_def_t;

typedef struct {
    const char *name;
    const kind_def_t *kinds;  /* terminated by {NULL, NULL} */
    int (*init)(truce_t *t);
    void (*release)(truce_t *t);
    void (*dump)(truce_t *t, json_t *out); /* canonical state, for the digest */
    /* Snapshots (snapshot.c): save appends the state to b; load restores it
     * into a freshly initialised module from [p, p + n). */
    int (*save)(truce_t *t, buf_t *b);
    int (*load)(truce_t *t, const char *p, size_t n);
} module_t;

struct truce {
    char *dir;
    store_t *store;
    log_t *log;
    http_t *http;
    pthread_rwlock_t lock;   /* guards every projection below */
    uint64_t applied_seq;    /* last event applied to state (guarded by lock) */
    org_state_t *org;
    auth_state_t *auth;
    journal_state_t *journal;
    notify_state_t *notify;
    isf_state_t *isf;
    ops_state_t *ops;
    incident_state_t *incident;
    aid_state_t *aid;
    ddr_state_t *ddr;
    psf_state_t *psf;               /* psf.c (issue 9) */
    transition_state_t *transition; /* transition.c (issue 9) */
    int exercise;            /* exercise data is loaded */
    const char *web_dir;
};

extern const module_t *const truce_modules[];

/* state.c */
int state_init(truce_t *t);
void state_release(truce_t *t);
/* Applies one sealed event to every module that knows its kind. Unknown kinds
 * are kept in the log and ignored by state (a newer server may know them). */
void state_apply(truce_t *t, const event_t *ev);
/* SHA-256 over the canonical dump of every module, hex into out[65]. */
void state_digest(truce_t *t, char out[65]);
/* The canonical dump the digest is taken over (malloc'd). */
char *state_dump(truce_t *t);

/* Opens DIR: store, key, replay. create: make the folder's store (init). */
int truce_open(truce_t *t, const char *dir, int create, err_t *e);
void truce_close(truce_t *t);

/* Label helpers (auth.c). */
int auth_may_see(const principal_t *p, const json_t *labels);

#endif
