/*
 * replay.c — replay time for a million events, memory after replay, and the
 * cost of a receipt (log_receipt) on that log.
 *
 *   build/bench/replay build DIR N     make DIR with N journal.added events, then
 *                                      time truce_close and truce_open (replay)
 *   build/bench/replay open DIR [K]    in a fresh process: time truce_open (replay),
 *                                      VmRSS, K random log_receipt calls, and a
 *                                      breakdown of replay (scan / parse / hash)
 *
 * The events are shaped like the ones POST /api/v1/journal writes (kind
 * "journal.added", subject "JRN-n", body {"text","at","labels"[,"sector"]},
 * labels ["org:CMCC"], actor cmcc.watch of CMCC), so the journal projection
 * really applies every one of them during replay. They are written through
 * the log itself: log_submit_many without the writer thread runs the commands
 * inline as one batch (one transaction, one fsync per batch).
 */
#include <errno.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bench.h"
#include "log.h"
#include "truce.h"

#define TARGET_REPLAY_S 2.0   /* per million events */
#define BATCH_EVENTS 16384    /* events per inline batch while building */

static const principal_t watch = {.username = "cmcc.watch", .name = "Watch officer",
                                  .org = "CMCC", .roles = {"cmcc_watch"}, .nroles = 1};

static const char *const texts[] = {
    "Patrol reports the crossing quiet; two aid convoys passed the checkpoint without incident",
    "Liaison call with the IDF duty officer: planned engineering work north of the line noted",
    "UN agency reports a warehouse site re-opened; coordinates checked against the site list",
    "ISF contingent reports unit position change to the sector boundary; no contact reported",
    "Watch handover: open items are the route closure request and the pending notification",
};
static const char *const sectors[] = {"SEC-NORTH", "SEC-GAZA", "SEC-DEIR", "SEC-KHAN", "SEC-RAFAH"};

typedef struct {
    uint64_t first; /* JRN number of the first draft */
    int count;
    int64_t at0;    /* ms: the "at" of JRN-1 */
} chunk_t;

static int prepare_chunk(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    const chunk_t *k = c->arg;
    for (int i = 0; i < k->count; i++) {
        uint64_t n = k->first + (uint64_t)i;
        char subject[32], at[32], text[200];
        snprintf(subject, sizeof subject, "JRN-%llu", (unsigned long long)n);
        time_format(k->at0 + (int64_t)n * 1000, at);
        snprintf(text, sizeof text, "%s (EXERCISE, entry %llu)", texts[n % 5],
                 (unsigned long long)n);
        json_t *labels = json_pack("[s]", "org:CMCC");
        json_t *body = json_pack("{s:s, s:s, s:O}", "text", text, "at", at, "labels", labels);
        if (n % 4 == 0) json_object_set_new(body, "sector", json_string(sectors[n % 5]));
        if (cmd_draft(c, "journal.added", subject, labels, body, e)) return -1;
    }
    return 0;
}

static int build(const char *dir, uint64_t total)
{
    if (mkdir(dir, 0700) && errno != EEXIST) {
        fprintf(stderr, "replay: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    truce_t t;
    err_t e = {0};
    if (truce_open(&t, dir, 1, &e)) {
        fprintf(stderr, "replay: truce_open %s: %s\n", dir, e.message);
        return 1;
    }
    if (log_durable(&t) != 0) {
        fprintf(stderr, "replay: %s already holds events; give an empty folder\n", dir);
        truce_close(&t);
        return 1;
    }
    int ncmd = (BATCH_EVENTS + CMD_MAX_DRAFTS - 1) / CMD_MAX_DRAFTS;
    cmd_t *cmds = calloc((size_t)ncmd, sizeof *cmds);
    cmd_t **ptrs = calloc((size_t)ncmd, sizeof *ptrs);
    chunk_t *chunks = calloc((size_t)ncmd, sizeof *chunks);
    if (!cmds || !ptrs || !chunks) abort();
    int64_t at0 = util_now_ms() - (int64_t)total * 1000 - 3600 * 1000;
    uint64_t next = 1, t0 = bench_ns();
    while (next <= total) {
        int used = 0;
        for (; used < ncmd && next <= total; used++) {
            uint64_t left = total - next + 1;
            chunks[used] = (chunk_t){.first = next,
                                     .count = left < CMD_MAX_DRAFTS ? (int)left : CMD_MAX_DRAFTS,
                                     .at0 = at0};
            next += (uint64_t)chunks[used].count;
            memset(&cmds[used], 0, sizeof cmds[used]);
            cmds[used].who = &watch;
            cmds[used].prepare = prepare_chunk;
            cmds[used].arg = &chunks[used];
            ptrs[used] = &cmds[used];
        }
        if (log_submit_many(&t, ptrs, used)) {
            for (int i = 0; i < used; i++)
                if (cmds[i].err.code) fprintf(stderr, "replay: build: %s\n", cmds[i].err.message);
            truce_close(&t);
            return 1;
        }
    }
    double bs = (double)(bench_ns() - t0) / 1e9;
    uint64_t n = log_durable(&t);
    printf("replay build: %llu journal.added events in %.1f s (%.0f events/s, inline batches of %d)\n",
           (unsigned long long)n, bs, (double)n / bs, BATCH_EVENTS);
    free(cmds);
    free(ptrs);
    free(chunks);

    uint64_t c0 = bench_ns();
    truce_close(&t);
    double cs = (double)(bench_ns() - c0) / 1e9;
    uint64_t o0 = bench_ns();
    if (truce_open(&t, dir, 0, &e)) {
        fprintf(stderr, "replay: reopen %s: %s\n", dir, e.message);
        return 1;
    }
    double os = (double)(bench_ns() - o0) / 1e9;
    double per_m = os * 1e6 / (double)(n ? n : 1);
    /* truce_close wrote DIR/snapshot, so this open starts from it; the
     * target is measured by the fresh-process open of the whole log. */
    printf("restart in the same process: truce_close (writes the snapshot) %.2f s + truce_open "
           "(from it) %.2f s for %llu events = %.2f s per million   [target: none]\n",
           cs, os, (unsigned long long)log_durable(&t), per_m);
    fflush(stdout);
    truce_close(&t);
    return 0;
}

/* ---- breakdown: where replay's time goes, one layer at a time ---- */

typedef struct {
    uint64_t n, bytes;
    uint64_t parse, hash, tree, free; /* ns in each step */
    merkle_t tree_;
} scan_t;

/* Does what replay_one does, minus state_apply, timing each step. */
static int scan_cb(void *arg, const store_event_t *se)
{
    scan_t *s = arg;
    s->n++;
    s->bytes += se->len;
    event_t ev;
    json_t *root = NULL;
    uint64_t t0 = bench_ns();
    int bad = log_parse_event(se->bytes, se->len, &ev, &root);
    uint64_t t1 = bench_ns();
    hash_t h;
    merkle_leaf_hash(se->bytes, se->len, h);
    uint64_t t2 = bench_ns();
    merkle_append(&s->tree_, h);
    uint64_t t3 = bench_ns();
    if (!bad) json_decref(root);
    uint64_t t4 = bench_ns();
    s->parse += t1 - t0;
    s->hash += t2 - t1;
    s->tree += t3 - t2;
    s->free += t4 - t3;
    return 0;
}

/* Replays the same rows again through the side connection, timing each step
 * of replay_one except state_apply; what truce_open spent beyond these is the
 * projection (state_apply) and the rest of log_open. */
static void breakdown(truce_t *t, double open_s)
{
    scan_t s = {0};
    merkle_init(&s.tree_);
    uint64_t t0 = bench_ns();
    store_scan(t->store, 0, 1, scan_cb, &s);
    double total = (double)(bench_ns() - t0) / 1e9;
    merkle_release(&s.tree_);
    double n = (double)(s.n ? s.n : 1), per = 1e6 / n;
    double parse = s.parse / 1e9, hash = s.hash / 1e9, tree = s.tree / 1e9, fr = s.free / 1e9;
    double scan = total - parse - hash - tree - fr;
    struct {
        const char *what;
        double sec;
    } rows[] = {
        {"SQLite read of the rows (store_scan)", scan},
        {"log_parse_event (canonical bytes -> jansson)", parse},
        {"json_decref of the parsed event", fr},
        {"rest: state_apply + page faults of kept memory", open_s - scan - parse - fr},
        {"hasher thread: merkle_leaf_hash (SHA-256)", hash},
        {"hasher thread: merkle_append", tree},
    };
    /* truce_open hashes and builds the tree on a second thread, which reads
     * the rows itself: its wall time is the longer of the two threads, and
     * "rest" is what the applying thread spent beyond its timed steps. */
    printf("replay breakdown (a second pass over %llu rows on one thread, mean event %.0f bytes; "
           "seconds per million, share of truce_open):\n",
           (unsigned long long)s.n, (double)s.bytes / n);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("replay breakdown:   %-46s %5.2f s  %5.1f%%\n", rows[i].what, rows[i].sec * per,
               100.0 * rows[i].sec / open_s);
    fflush(stdout);
}

/* User + system CPU seconds of the whole process so far. */
static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds of the calling thread: replay's applier runs on it. */
static double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_dir(const char *dir, int receipts, int do_breakdown)
{
    truce_t t;
    err_t e = {0};
    long anon0 = bench_status_kb("RssAnon");
    double cpu0 = cpu_seconds(), tcpu0 = thread_cpu_seconds();
    uint64_t o0 = bench_ns();
    if (truce_open(&t, dir, 0, &e)) {
        fprintf(stderr, "replay: truce_open %s: %s\n", dir, e.message);
        return 1;
    }
    double os = (double)(bench_ns() - o0) / 1e9;
    double cpu = cpu_seconds() - cpu0, tcpu = thread_cpu_seconds() - tcpu0;
    uint64_t n = log_durable(&t);
    double per_m = os * 1e6 / (double)(n ? n : 1);
    long rss = bench_status_kb("VmRSS"), hwm = bench_status_kb("VmHWM"), anon = bench_status_kb("RssAnon");
    /* CPU time is the steadier figure when other work shares the cores. */
    printf("replay (fresh process): truce_open %.2f s for %llu events = %.2f s per million "
           "(CPU %.2f s on all threads, %.2f s the applier's)   [target <= %.1f s per million: %s]\n",
           os, (unsigned long long)n, per_m, cpu * 1e6 / (double)(n ? n : 1), tcpu * 1e6 / (double)(n ? n : 1),
           TARGET_REPLAY_S,
           per_m <= TARGET_REPLAY_S ? "MET" : "MISSED");
    /* RssAnon is the memory replay kept; VmRSS also counts the pages of the
     * store that its connections map (each mapping counts them again). */
    printf("replay memory: RssAnon %.0f MiB after replay (%.0f MiB before open), %.0f bytes per "
           "event; VmRSS %.0f MiB, peak VmHWM %.0f MiB   [target: none]\n",
           anon / 1024.0, anon0 / 1024.0, (double)(anon - anon0) * 1024.0 / (double)(n ? n : 1),
           rss / 1024.0, hwm / 1024.0);
    fflush(stdout);

    if (receipts > 0 && n > 0) {
        uint64_t seed = 0x9E3779B97F4A7C15ULL;
        uint64_t *lat = malloc((size_t)receipts * sizeof *lat);
        if (!lat) abort();
        for (int pass = 0; pass < 2; pass++) {
            int miss = 0;
            uint64_t t0 = bench_ns();
            for (int i = 0; i < receipts; i++) {
                uint64_t seq = 1 + bench_rand(&seed) % n;
                json_t *labels = NULL;
                uint64_t a = bench_ns();
                json_t *r = log_receipt(&t, seq, pass ? &labels : NULL);
                lat[i] = bench_ns() - a;
                if (!r) miss++;
                json_decref(r);
                json_decref(labels);
            }
            double mean = (double)(bench_ns() - t0) / 1e3 / receipts;
            uint64_t p50 = bench_pct(lat, (size_t)receipts, 50), p99 = bench_pct(lat, (size_t)receipts, 99);
            printf("log_receipt at %llu events%s: mean %.1f us  p50 %.1f us  p99 %.1f us over %d random "
                   "seqs (%d missing)   [target: a proof <= 50 us; this adds the store read]\n",
                   (unsigned long long)n, pass ? " + labels" : "         ", mean, p50 / 1e3,
                   p99 / 1e3, receipts, miss);
            fflush(stdout);
        }
        free(lat);
    }
    if (do_breakdown) breakdown(&t, os);
    uint64_t c0 = bench_ns();
    truce_close(&t);
    printf("replay: truce_close %.2f s (frees the projection)\n", (double)(bench_ns() - c0) / 1e9);
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    if (argc >= 4 && strcmp(argv[1], "build") == 0) {
        uint64_t n = strtoull(argv[3], NULL, 10);
        return build(argv[2], n ? n : 1000000);
    }
    if (argc >= 3 && strcmp(argv[1], "open") == 0) {
        int k = argc >= 4 ? atoi(argv[3]) : 20000;
        const char *bd = getenv("BENCH_BREAKDOWN");
        return open_dir(argv[2], k, !bd || strcmp(bd, "0") != 0);
    }
    fprintf(stderr, "usage: %s build DIR N | open DIR [RECEIPTS]\n", argv[0]);
    return 2;
}
