/*
 * log_append.c — durable appends per second directly against the log, no HTTP.
 *
 *   build/bench/log_append BASEDIR SECONDS WRITERS...
 *
 * For each writer count N: a fresh data folder BASEDIR/log-N made by
 * truce_open(create), the writer thread started with log_start, and N threads
 * that call log_submit in a loop for SECONDS seconds. Each command's prepare
 * drafts one "bench.noted" event (small body, labels ["all"]); log_submit
 * returns only when the event is durable, so every counted event was fsynced.
 * Prints events/s, submit latency p50/p99, and the writer's batches (group
 * commit) from log_stats.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "bench.h"
#include "log.h"
#include "truce.h"

#define TARGET_64 20000.0

typedef struct {
    truce_t *t;
    atomic_int *stop;
    int id;
    uint64_t n;        /* events written */
    uint64_t failed;
    uint64_t *lat;     /* ns per submit */
    size_t nlat, cap;
} writer_t;

static int prepare_note(truce_t *t, cmd_t *c, err_t *e)
{
    (void)t;
    const writer_t *w = c->arg;
    char subject[64];
    snprintf(subject, sizeof subject, "BENCH-%d-%llu", w->id, (unsigned long long)w->n);
    return cmd_draft(c, "bench.noted", subject, json_pack("[s]", "all"),
                     json_pack("{s:s, s:i, s:I}", "text", "benchmark note: checkpoint quiet",
                               "writer", w->id, "n", (json_int_t)w->n),
                     e);
}

static void *writer_main(void *arg)
{
    writer_t *w = arg;
    while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
        cmd_t c = {.who = NULL, .prepare = prepare_note, .arg = w};
        uint64_t t0 = bench_ns();
        int rc = log_submit(w->t, &c);
        uint64_t dt = bench_ns() - t0;
        if (rc) {
            w->failed++;
            continue;
        }
        w->n++;
        if (w->nlat == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 4096;
            uint64_t *p = realloc(w->lat, cap * sizeof *p);
            if (!p) continue;
            w->lat = p;
            w->cap = cap;
        }
        w->lat[w->nlat++] = dt;
    }
    return NULL;
}

static int run(const char *base, double seconds, int nw)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/log-%d", base, nw);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        fprintf(stderr, "log_append: cannot create %s\n", dir);
        return -1;
    }
    truce_t t;
    err_t e = {0};
    if (truce_open(&t, dir, 1, &e)) {
        fprintf(stderr, "log_append: truce_open %s: %s\n", dir, e.message);
        return -1;
    }
    if (log_start(&t)) {
        fprintf(stderr, "log_append: log_start failed\n");
        truce_close(&t);
        return -1;
    }
    log_stats_t s0, s1;
    log_stats(&t, &s0);
    atomic_int stop = 0;
    writer_t *w = calloc((size_t)nw, sizeof *w);
    pthread_t *th = calloc((size_t)nw, sizeof *th);
    if (!w || !th) abort();
    uint64_t t0 = bench_ns();
    for (int i = 0; i < nw; i++) {
        w[i] = (writer_t){.t = &t, .stop = &stop, .id = i};
        if (pthread_create(&th[i], NULL, writer_main, &w[i])) abort();
    }
    struct timespec d = {.tv_sec = (time_t)seconds,
                         .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&d, &d) && errno == EINTR) {}
    atomic_store(&stop, 1);
    for (int i = 0; i < nw; i++) pthread_join(th[i], NULL);
    double el = (double)(bench_ns() - t0) / 1e9;
    log_stats(&t, &s1);

    uint64_t n = 0, failed = 0;
    size_t nl = 0;
    for (int i = 0; i < nw; i++) {
        n += w[i].n;
        failed += w[i].failed;
        nl += w[i].nlat;
    }
    uint64_t *lat = malloc((nl ? nl : 1) * sizeof *lat);
    if (!lat) abort();
    size_t k = 0;
    for (int i = 0; i < nw; i++) {
        memcpy(lat + k, w[i].lat, w[i].nlat * sizeof *lat);
        k += w[i].nlat;
        free(w[i].lat);
    }
    uint64_t p50 = bench_pct(lat, nl, 50), p99 = bench_pct(lat, nl, 99);
    uint64_t batches = s1.batches - s0.batches, fsyncs = s1.fsyncs - s0.fsyncs;
    uint64_t events = s1.events - s0.events;
    double rate = (double)n / el;
    char target[96];
    if (nw == 64)
        snprintf(target, sizeof target, "target >= %.0f/s at 64 writers: %s", TARGET_64,
                 rate >= TARGET_64 ? "MET" : "MISSED");
    else
        snprintf(target, sizeof target, "target: none at %d (>= %.0f/s at 64)", nw, TARGET_64);
    printf("log append  %2d writers: %9.0f events/s   p50 %8.1f us  p99 %8.1f us   "
           "batch mean %6.1f  fsyncs %6llu (%6.0f/s)  failed %llu   [%s]\n",
           nw, rate, (double)p50 / 1e3, (double)p99 / 1e3,
           batches ? (double)events / (double)batches : 0.0, (unsigned long long)fsyncs,
           (double)fsyncs / el, (unsigned long long)failed, target);
    fflush(stdout);
    free(lat);
    free(w);
    free(th);
    truce_close(&t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s BASEDIR SECONDS WRITERS...\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[2]);
    if (seconds <= 0) seconds = 5;
    int rc = 0;
    for (int i = 3; i < argc; i++) {
        int nw = atoi(argv[i]);
        if (nw < 1 || nw > 4096) continue;
        if (run(argv[1], seconds, nw)) rc = 1;
    }
    return rc;
}
