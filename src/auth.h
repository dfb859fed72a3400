/*
 * auth.h — accounts, roles, permissions, sessions and labels.
 *
 * Accounts are a projection of user.* events; passwords are argon2id hashes
 * (libsodium crypto_pwhash_str) kept in the store's credentials table, never
 * in the log. Sessions: 256 random bits, sent as a bearer token or in the
 * HttpOnly SameSite=Strict cookie truce_session; only SHA-256(token) is stored.
 * A cookie session must send X-CSRF-Token (a keyed hash of the session) on
 * every write.
 *
 * Labels say who may see a record: "all", "org:ORG", "role:ROLE" or
 * "user:USERNAME". A principal sees a record when one of its labels matches.
 */
#ifndef TRUCE_AUTH_H
#define TRUCE_AUTH_H

#include "http.h"
#include "truce.h"

enum {
    P_PUBLIC = 0,    /* no session needed */
    P_LOGGED,        /* any account */
    P_JOURNAL_READ,
    P_JOURNAL_WRITE,
    P_ORG_WRITE,
    P_USER_ADMIN,
    P_AUDIT,         /* state digest, raw log */
    P_NOTIFY,        /* notify sites and movements of one's organisation */
    P_NOTIFY_ACK,    /* the CMCC's side: acknowledge, movement outcomes */
    P_NOSTRIKE,      /* keep the no-strike list */
    P_UNIT_POS,      /* report ISF unit positions */
    P_ISF_HQ,        /* force generation, tasks and their assignment */
    P_ISF,           /* a contingent's side: its units, caveats, task answers */
    P_OPS_NOTIFY,    /* notify operations (the IDF liaison) */
    P_OPS_DECIDE,    /* the CMCC's decisions (authority also follows positions) */
    P_INCIDENT_REPORT, /* report incidents */
    P_INCIDENT_REVIEW, /* the CMCC's review: confirm, attribute, merge, import */
    P_AID,           /* record aid consignments of one's organisation */
    P_DDR,           /* DDR officers: registration, custody, payments, personal data */
    P_DDR_AUDIT,     /* DDR records and figures without personal data (oversight) */
    P_PSF_VET,       /* register and vet PSF candidates (the vetting cell) */
    P_PSF_TRAIN,     /* courses, assessments, PSF units (trainers; certifying follows positions) */
    P__COUNT
};

extern const char *const perm_names[P__COUNT];
extern const char *const role_names[]; /* NULL-terminated */

int auth_role_valid(const char *role);
uint64_t auth_role_perms(const char *role);

/* Fills r->who from the bearer token or cookie; -1 and replied when missing,
 * expired, disabled, or a cookie write without the right CSRF token. */
int auth_authenticate_or_reply(req_t *r);
/* Labels: -1 with e filled when one is malformed or names nothing known. */
int auth_labels_check(truce_t *t, const json_t *labels, err_t *e);
/* Every label the principal carries, as JSON (for /me). */
json_t *auth_principal_labels(const principal_t *p);
/* Hashes a password with argon2id into out (crypto_pwhash_STRBYTES). */
int auth_hash_password(const char *pw, char *out, err_t *e);
/* 16 random characters for exercise and reset passwords. */
void auth_random_password(char out[17]);
int auth_user_exists(truce_t *t, const char *username);
/* The permissions of an enabled account's roles (bits 1 << P_*); 0 when it
 * does not exist or is disabled. */
uint64_t auth_user_perms(truce_t *t, const char *username);
/* Test hook: weaker argon2id parameters (never used by serve). */
extern int auth_fast_hash;

/* 0 while the session with this token hash is open. */
int auth_session_alive(truce_t *t, const uint8_t th[32]);

/* Handlers (routes.c). */
int h_session_create(req_t *r);
int h_session_delete(req_t *r);
int h_me(req_t *r);
int h_users_list(req_t *r);
int h_users_add(req_t *r);
int h_user_disable(req_t *r);
int h_user_enable(req_t *r);
int h_user_password(req_t *r);
extern const field_t session_fields[], user_add_fields[], password_fields[];

/* Commands shared with the CLI. */
int auth_cmd_user_add(truce_t *t, const principal_t *who, json_t *in, cmd_t *c);
/* kind: "user.disabled" or "user.enabled". */
void auth_cmd_user_state(cmd_t *c, const principal_t *who, const char *username, const char *kind);
int auth_cmd_password(cmd_t *c, const principal_t *who, const char *username, const char *pw);
/* Ends every session of username (store and cache). */
void auth_end_sessions(truce_t *t, const char *username);
json_t *auth_users_json(truce_t *t);

#endif
