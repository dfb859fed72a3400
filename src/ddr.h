/*
 * ddr.h — voluntary disarmament, demobilization and reintegration (issue 8):
 * people who hand in weapons, the weapons register with its chain of
 * custody, stores and stock checks, caches seized by ISF tasks, entitlements
 * and payments, reintegration and follow-up visits, and the fraud and
 * anomaly rules that send flags to a review queue. docs/ddr.md is the
 * contract.
 *
 * Personal data (names, date of birth, ID number, household, photo
 * reference, declared affiliation and role, the programme card number,
 * follow-up notes) never travels in an event that anyone but a DDR officer
 * may see: each record has a public event (pseudonymous: DDR-P-n, site,
 * eligibility, weapons, figures) and a detail event labelled
 * ["role:ddr_officer"] whose body is only {"sealed": base64}, the personal
 * data encrypted (XChaCha20-Poly1305, the record id as associated data)
 * with the key in DATA/ddr.key (0600). The log, the snapshots and the
 * backups therefore hold ciphertext only. Every read of personal data is
 * itself an event (ddr.person.viewed) that oversight may see.
 *
 * Indexes (normalised serial -> weapons, ID number -> people, date of birth
 * -> people, per site / officer per day -> count) are hash tables kept in
 * memory, rebuilt on replay and on snapshot load: every fraud check is a
 * few lookups, never a scan.
 */
#ifndef TRUCE_DDR_H
#define TRUCE_DDR_H

#include <stddef.h>

#include "http.h"

/* ---- normalisation and matching (ddr_match.c; pure, no allocation) ---- */

/* A serial number folded for comparison into out (cap bytes, NUL-terminated):
 * upper case, no spacing or punctuation, look-alikes folded (O/Q->0, I/L->1,
 * S->5, B->8, Z->2, G->6), Arabic-Indic digits and Cyrillic look-alikes read.
 * Returns the length; 0 for "unknown", "none" and the like. */
size_t ddr_serial_norm(const char *in, char *out, size_t cap);
/* An ID document number: letters and digits only, leading zeros dropped. */
size_t ddr_idnum_norm(const char *in, char *out, size_t cap);
/* A Latin transliteration of an Arabic name, normalised (see ddr_match.c). */
size_t ddr_name_norm(const char *in, char *out, size_t cap);
/* An Arabic name without harakat and tatweel, alef / ta marbuta / alef
 * maqsura forms folded and the article ال dropped. */
size_t ddr_arabic_norm(const char *in, char *out, size_t cap);
/* Jaro-Winkler similarity of two byte strings, 0..1 (first 128 bytes). */
double ddr_jaro_winkler(const char *a, const char *b);
/* Score of two normalised names, 0..1: token by token (see ddr_match.c). */
double ddr_name_score(const char *norm_a, const char *norm_b);
/* ddr_name_score of the two names after ddr_name_norm. */
double ddr_name_similarity(const char *latin_a, const char *latin_b);

/* ---- the module ---- */

/* Figures for the daily SITREP over [from_ms, until_ms): people registered,
 * weapons collected (people and caches), weapons destroyed, ammunition
 * rounds, payments made and their amount, flags raised and open now. No
 * personal data. New reference; call under the state lock (read). */
json_t *ddr_sitrep_figures(truce_t *t, int64_t from_ms, int64_t until_ms);

/* The scenario's "ddr" section (rules, sites, stores) as events. */
int ddr_prepare_scenario(truce_t *t, cmd_t *c, err_t *e);

/* Registration for the benchmark and the tests: in is a checked
 * registration body (as POST /api/v1/ddr/people takes it); drafts every
 * event (public, sealed detail, weapons, flags). */
int ddr_prepare_register(truce_t *t, cmd_t *c, err_t *e);

int h_ddr_rules(req_t *r);
int h_ddr_sites(req_t *r);
int h_ddr_figures(req_t *r);
int h_ddr_people_list(req_t *r);
int h_ddr_people_add(req_t *r);
int h_ddr_person_get(req_t *r);
int h_ddr_person_export(req_t *r);
int h_ddr_person_reintegration(req_t *r);
int h_ddr_person_followup(req_t *r);
int h_ddr_person_screening(req_t *r);
int h_ddr_weapons_list(req_t *r);
int h_ddr_weapon_get(req_t *r);
int h_ddr_weapon_custody(req_t *r);
int h_ddr_caches_add(req_t *r);
int h_ddr_payments_list(req_t *r);
int h_ddr_payments_add(req_t *r);
int h_ddr_flags_list(req_t *r);
int h_ddr_flag_get(req_t *r);
int h_ddr_flag_review(req_t *r);
int h_ddr_stores_list(req_t *r);
int h_ddr_store_get(req_t *r);
int h_ddr_stores_add(req_t *r);
int h_ddr_stock_check(req_t *r);

extern const field_t ddr_person_fields[], ddr_custody_fields[], ddr_cache_fields[], ddr_payment_fields[],
    ddr_review_fields[], ddr_store_fields[], ddr_check_fields[], ddr_reintegration_fields[], ddr_followup_fields[], ddr_screening_fields[];

#endif
