/*
 * ddr.c — DDR registration with every fraud check, at the scale
 * (issue 8: 200,000 people and 500,000 weapons; registration within 5 ms at
 * p99).
 *
 *   build/bench/ddr [PEOPLE [WEAPONS [REGISTRATIONS]]]
 *
 * In-process, no HTTP and no disk: the state is loaded by applying
 * synthetic events directly (ddr.person.registered with its sealed
 * ddr.person.detail, ddr.weapon.registered), spread over the last 200 days
 * so the per-day counters have history. Then REGISTRATIONS registrations
 * are prepared as the writer thread prepares them (ddr_prepare_register:
 * eligibility, sealing of the personal data, the serial rules on every
 * weapon, the ID number and fuzzy-name rules, the site and officer spike
 * rules) and timed one by one; each is then applied, untimed, so the next
 * one sees it. One in ten reuses an ID number, one in ten is a
 * transliteration variant of someone with the same date of birth, one in
 * ten hands in a serial already in the register, written with look-alikes.
 * The synthetic population repeats a name with the same date of birth every
 * 80,000 people, so a transliteration variant usually matches two or three
 * people: those flags are true matches.
 */
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "ddr_int.h"
#include "truce.h"

#define TARGET_P99_MS 5.0
#define DAY_MS (86400LL * 1000)

static const char *const first[] = {"Mohammed", "Ahmad", "Mahmoud", "Khalil", "Youssef", "Ibrahim", "Omar", "Ali",
                                    "Hassan", "Hussein", "Khaled", "Tariq", "Sami", "Rami", "Nasser", "Saleh",
                                    "Fadi", "Majd", "Bilal", "Anas", "Hamza", "Osama", "Ayman", "Walid", "Ziad",
                                    "Jamal", "Karim", "Nabil", "Samir", "Adel", "Basel", "Imad", "Raed", "Wael",
                                    "Yasser", "Zaher", "Hani", "Mazen", "Murad", "Nidal"};
static const char *const family[] = {"Haddad", "Masri", "Najjar", "Khatib", "Saleh", "Odeh", "Barakat", "Nasser",
                                     "Hamdan", "Jaber", "Mansour", "Ashour", "Shawa", "Farra", "Helou", "Qudra",
                                     "Abu Khalil", "Abu Saif", "Abu Zaid", "al-Agha", "al-Astal", "al-Batsh",
                                     "al-Kurd", "al-Louh", "al-Sharif", "Dahlan", "Hillis", "Tawil", "Zaqout",
                                     "Shurrab", "Abed", "Ayyad", "Baker", "Daher", "Eid", "Ghoul", "Hajjaj", "Issa",
                                     "Jarada", "Khalaf", "Lubbad", "Madhoun", "Nofal", "Qeshta", "Radwan", "Sabbah",
                                     "Tafesh", "Wadi", "Yaghi", "Zomlot"};
/* The same names as another officer might write them. */
static const char *const variant[][2] = {{"Mohammed", "Muhammad"}, {"Ahmad", "Ahmed"}, {"Youssef", "Yusuf"},
                                         {"Hussein", "Husayn"},    {"Khaled", "Khalid"}, {"Saleh", "Salih"},
                                         {"Abu ", "Abou "},        {"al-", "el-"},       {"Omar", "Umar"}};

static truce_t T;
static uint64_t seq;

static void apply(const char *kind, const char *subject, const char *actor, int64_t time, json_t *labels, json_t *body)
{
    event_t ev = {.seq = ++seq, .time = time, .actor = actor, .org = "DDR-CELL", .kind = kind, .subject = subject,
                  .labels = labels, .body = body};
    state_apply(&T, &ev);
}

static void name_of(uint64_t i, char *out, size_t cap)
{
    snprintf(out, cap, "%s %s %s", first[i % 40], first[(i / 40) % 40], family[(i / 1600) % 50]);
}

static void dob_of(uint64_t i, char out[16])
{
    /* ~20,000 days from 1950 to 2004: about ten people a date at 200,000 */
    int64_t day = -7305 + (int64_t)((i * 7919) % 20000);
    char t[32];
    time_format(day * DAY_MS, t);
    snprintf(out, 16, "%.10s", t);
}

static void replace(char *s, size_t cap, const char *from, const char *to)
{
    char *p = strstr(s, from);
    if (!p) return;
    char tail[256];
    snprintf(tail, sizeof tail, "%s", p + strlen(from));
    snprintf(p, cap - (size_t)(p - s), "%s%s", to, tail);
}

int main(int argc, char **argv)
{
    uint64_t people = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
    uint64_t weapons = argc > 2 ? strtoull(argv[2], NULL, 10) : 500000;
    int regs = argc > 3 ? atoi(argv[3]) : 10000;
    if (sodium_init() < 0) return 1;
    char dir[] = "/tmp/truce-bench-ddr-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    T.dir = dir;
    pthread_rwlock_init(&T.lock, NULL);
    if (state_init(&T)) return 1;
    int64_t now = util_now_ms();
    json_t *pub = json_pack("[s,s,s]", "role:ddr_officer", "role:leadership", "role:cmcc_commander");
    json_t *off = json_pack("[s]", "role:ddr_officer");
    apply("ddr.rules.set", "DDR-RULES", "system", now - 300 * DAY_MS, pub,
          json_pack("{s:{s:b, s:i, s:i}, s:{s:s, s:i, s:i}, s:{s:f, s:i, s:i, s:i}}", "eligibility",
                    "serviceable_weapon", 1, "min_rounds", 100, "min_age", 18, "allowance", "currency", "USD",
                    "monthly_amount", 150, "instalments", 6, "anomaly", "name_similarity", 0.9, "spike_factor", 3,
                    "spike_min", 10, "spike_window_days", 14));
    for (int s = 1; s <= 20; s++) {
        char id[32];
        snprintf(id, sizeof id, "DDR-SITE-%d", s);
        json_t *b = json_pack("{s:{s:s, s:s}}", "name", "en", id, "ar", id);
        apply("ddr.site.added", id, "system", now - 300 * DAY_MS, pub, b);
        json_decref(b);
    }

    /* ---- load ---- */
    uint64_t t0 = bench_ns();
    uint64_t w = 0;
    char pid[32], wid[32], name[160], dob[16], idn[32], serial[48], site[32];
    for (uint64_t i = 1; i <= people; i++) {
        int64_t at = now - 200 * DAY_MS + (int64_t)((i - 1) * (uint64_t)(200 * DAY_MS) / people);
        snprintf(pid, sizeof pid, "DDR-P-%llu", (unsigned long long)i);
        snprintf(site, sizeof site, "DDR-SITE-%llu", (unsigned long long)(1 + i % 20));
        uint64_t nw = weapons * i / people - w; /* spread the weapons over the people */
        json_t *ws = json_array();
        for (uint64_t k = 0; k < nw; k++) json_array_append_new(ws, json_sprintf("DDR-W-%llu", (unsigned long long)(w + 1 + k)));
        json_t *body = json_pack("{s:s, s:s, s:{s:b, s:[]}, s:o, s:[], s:i, s:{s:s, s:i, s:i, s:i}}", "site", site,
                                 "screening", "passed", "eligibility", "eligible", 1, "reasons", "weapons", ws,
                                 "ammunition", "rounds", 0, "entitlement", "currency", "USD", "monthly_amount", 150,
                                 "instalments", 6, "total", 900);
        char officer[32];
        snprintf(officer, sizeof officer, "officer.%llu", (unsigned long long)(i % 50));
        apply("ddr.person.registered", pid, officer, at, pub, body);
        json_decref(body);
        name_of(i, name, sizeof name);
        dob_of(i, dob);
        snprintf(idn, sizeof idn, "4%08llu", (unsigned long long)i);
        json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "name_latin", name, "name_ar", "اسم تمرين", "date_of_birth", dob,
                              "id_number", idn);
        json_t *sealed = ddr__seal(&T, pid, d);
        json_decref(d);
        json_t *db = json_pack("{s:o}", "sealed", sealed);
        apply("ddr.person.detail", pid, officer, at, off, db);
        json_decref(db);
        for (uint64_t k = 0; k < nw; k++) {
            snprintf(wid, sizeof wid, "DDR-W-%llu", (unsigned long long)++w);
            snprintf(serial, sizeof serial, "EX%07llu", (unsigned long long)(w * 2654435761u % 10000000));
            char norm[64];
            ddr_serial_norm(serial, norm, sizeof norm);
            json_t *wb = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "assault_rifle", "condition", "serviceable",
                                   "serial", serial, "serial_norm", norm, "person", pid, "site", site);
            apply("ddr.weapon.registered", wid, officer, at, pub, wb);
            json_decref(wb);
        }
    }
    uint64_t t1 = bench_ns();
    printf("ddr: loaded %llu people and %llu weapons by applying their events in %.1f s; VmRSS %ld MB\n",
           (unsigned long long)people, (unsigned long long)w, (double)(t1 - t0) / 1e9, bench_status_kb("VmRSS") / 1024);

    /* ---- registrations ---- */
    uint64_t *ns = calloc((size_t)regs, sizeof *ns), *apply_ns = calloc((size_t)regs, sizeof *apply_ns);
    uint64_t rnd = 42;
    int flagged = 0;
    json_t *by_rule = json_object();
    principal_t who = {.username = "officer.bench", .org = "DDR-CELL", .roles = {"ddr_officer"}, .nroles = 1};
    for (int r = 0; r < regs; r++) {
        uint64_t x = bench_rand(&rnd);
        uint64_t other = 1 + x % people;
        uint64_t me = people + 1 + (uint64_t)r;
        name_of(me * 7 + 3, name, sizeof name);
        dob_of(me, dob);
        snprintf(idn, sizeof idn, "5%08llu", (unsigned long long)me);
        int kind = (int)((x >> 20) % 10);
        if (kind == 0) snprintf(idn, sizeof idn, "0004-%08llu", (unsigned long long)other); /* reused ID number */
        if (kind == 1) {                                                               /* transliteration variant */
            name_of(other, name, sizeof name);
            dob_of(other, dob);
            for (size_t v = 0; v < sizeof variant / sizeof variant[0]; v++) replace(name, sizeof name, variant[v][0], variant[v][1]);
        }
        json_t *wl = json_array();
        for (int k = 0; k < 2; k++) {
            if (kind == 2 && k == 0)
                snprintf(serial, sizeof serial, "ex %07llu", (unsigned long long)((1 + x % w) * 2654435761u % 10000000));
            else
                snprintf(serial, sizeof serial, "NEW-%d-%d-%llu", r, k, (unsigned long long)(x % 1000));
            if (kind == 2 && k == 0)
                for (char *p = serial; *p; p++) if (*p == '0') *p = 'O'; /* look-alikes */
            json_array_append_new(wl, json_pack("{s:s, s:s, s:s}", "type", "rifle", "condition", "serviceable", "serial", serial));
        }
        snprintf(site, sizeof site, "DDR-SITE-%d", 1 + r % 20);
        json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:[{s:s, s:i}]}", "site", site, "name_ar",
                               "اسم تمرين جديد", "name_latin", name, "date_of_birth", dob, "id_number", idn,
                               "household_size", 5, "screening", "passed", "weapons", wl, "ammunition", "calibre",
                               "7.62x39mm", "count", 30);
        cmd_t c = {.who = &who, .prepare = ddr_prepare_register, .arg = in};
        err_t e = {0};
        uint64_t a = bench_ns();
        int rc = ddr_prepare_register(&T, &c, &e);
        uint64_t b = bench_ns();
        if (rc) {
            fprintf(stderr, "ddr: registration %d refused: %s (%s)\n", r, e.message, e.field);
            return 1;
        }
        ns[r] = b - a;
        for (int i = 0; i < c.ndrafts; i++) {
            if (!strcmp(c.drafts[i].kind, "ddr.flag.raised")) {
                flagged++;
                const char *rule = json_string_value(json_object_get(c.drafts[i].body, "rule"));
                json_t *n = json_object_get(by_rule, rule);
                json_object_set_new(by_rule, rule, json_integer(json_integer_value(n) + 1));
            }
            apply(c.drafts[i].kind, c.drafts[i].subject, who.username, util_now_ms(), c.drafts[i].labels, c.drafts[i].body);
        }
        apply_ns[r] = bench_ns() - b;
        for (int i = 0; i < c.ndrafts; i++) {
            json_decref(c.drafts[i].labels);
            json_decref(c.drafts[i].body);
        }
        free(c.drafts);
        json_decref(in);
    }
    double p50 = (double)bench_pct(ns, (size_t)regs, 50) / 1e6, p99 = (double)bench_pct(ns, (size_t)regs, 99) / 1e6,
           mx = (double)bench_pct(ns, (size_t)regs, 100) / 1e6;
    double a50 = (double)bench_pct(apply_ns, (size_t)regs, 50) / 1e6, a99 = (double)bench_pct(apply_ns, (size_t)regs, 99) / 1e6;
    printf("ddr: %d registrations (2 weapons each, every fraud check, sealing): prepare p50 %.3f ms, p99 %.3f ms, max %.3f ms "
           "[target <= %.1f ms at p99: %s]\n",
           regs, p50, p99, mx, TARGET_P99_MS, p99 <= TARGET_P99_MS ? "MET" : "MISSED");
    char *rules = json_dumps(by_rule, JSON_COMPACT | JSON_SORT_KEYS);
    printf("ddr: apply of their events (untimed in the target): p50 %.3f ms, p99 %.3f ms; %d flags raised %s\n", a50, a99,
           flagged, rules ? rules : "");
    free(rules);
    json_decref(by_rule);
    free(ns);
    free(apply_ns);
    json_decref(pub);
    json_decref(off);
    state_release(&T);
    char key[64];
    snprintf(key, sizeof key, "%s/ddr.key", dir);
    unlink(key);
    rmdir(dir);
    return 0;
}
