/*
 * ddr_int.h — what ddr.c (state, events, commands, fraud rules) shares with
 * ddr_api.c (handlers, views, figures). Not a public contract: see ddr.h.
 */
#ifndef TRUCE_DDR_INT_H
#define TRUCE_DDR_INT_H

#include "ddr.h"

#define DDR_DAY_MS (86400LL * 1000)

struct ddr_state {
    json_t *rules;                    /* ddr.rules.set body */
    json_t *sites, *stores;           /* DDR-SITE-x, DDR-STORE-x -> record */
    json_t *people, *weapons, *caches, *payments, *flags, *checks; /* id -> record */
    uint64_t last_person, last_weapon, last_cache, last_payment, last_flag, last_check;
    /* derived, rebuilt on replay and snapshot load; never dumped */
    json_t *by_serial;                /* normalised serial -> [weapon id] */
    json_t *by_idnum;                 /* normalised ID number -> [person id] */
    json_t *by_dob;                   /* "YYYY-MM-DD" -> [[person id, latin norm, arabic norm]] */
    json_t *daily;                    /* "s:SITE:day" / "o:USER:day" -> count */
    json_t *spiked;                   /* "s:SITE:day" -> true once flagged */
    json_t *labelsets;                /* interned label arrays */
    pthread_mutex_t key_mu;
    int have_key;
    unsigned char key[32];
};

static inline ddr_state_t *DS(truce_t *t)
{
    return t->ddr;
}

/* The labels of public DDR records (interned, borrowed). */
json_t *ddr__public_labels(truce_t *t);
/* Seals personal data (an object) for record id: base64 string, new ref; NULL on failure. */
json_t *ddr__seal(truce_t *t, const char *id, const json_t *data);
/* Opens a sealed string of record id: new object, or NULL. */
json_t *ddr__open(truce_t *t, const char *id, const char *sealed);
/* A rule number from the scenario (rules.path.key), or def. */
double ddr__rule(truce_t *t, const char *section, const char *key, double def);
const char *ddr__rule_str(truce_t *t, const char *section, const char *key, const char *def);
/* The day number (UTC) of ms. */
static inline int64_t ddr__day(int64_t ms)
{
    return ms >= 0 ? ms / DDR_DAY_MS : (ms - DDR_DAY_MS + 1) / DDR_DAY_MS;
}

/* The gate metric ddr_weapons_collected and the PSF vetting check
 * ddr_register (ddr_api.c), registered by ddr_init. */
int ddr_metric_weapons(truce_t *t, const char *sector, int64_t from_ms, int64_t until_ms, double *value, json_t *evidence);
int ddr_vetting_check(truce_t *t, const json_t *person, json_t *result);

/* Commands (ddr.c) the handlers submit. */
typedef struct {
    const char *id;       /* the record acted on */
    json_t *in;           /* the checked body */
    const char *purpose;  /* ddr.person.viewed: "record" or "export" */
    json_t *flags;        /* out: flag ids raised, new array (the handler frees) */
    json_t *ids;          /* out: other ids created (weapons), new array */
} ddr_op_t;

int ddr__prepare_custody(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_cache(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_payment(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_review(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_store(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_check(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_reintegration(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_followup(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_viewed(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_screening(truce_t *t, cmd_t *c, err_t *e);
int ddr__prepare_register_op(truce_t *t, cmd_t *c, err_t *e);

/* Checks a registration or cache body beyond its schema (weapons[i],
 * ammunition[i], date of birth); -1 with e naming the field. */
int ddr__check_items(const json_t *in, int need_weapon, err_t *e);
int ddr__check_dob(const char *dob, err_t *e);

extern const char *const ddr_weapon_types[], *const ddr_conditions[], *const ddr_custody_steps[],
    *const ddr_destroy_methods[], *const ddr_pay_methods[], *const ddr_options[], *const ddr_outcomes[],
    *const ddr_screening[], *const ddr_weapon_states[], *const ddr_flag_rules[];
extern const field_t ddr_weapon_fields[], ddr_ammo_fields[];

#endif
