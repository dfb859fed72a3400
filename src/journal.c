/*
 * journal.c — see journal.h. Entries are kept in an array sorted by
 * (at, number) so the newest-first list with cursor paging is a plain
 * backwards loop. An entry is a small C struct: its text, and pointers to
 * interned strings and label sets that thousands of entries share (keeping
 * the parsed jansson body instead cost ~1.4 KB an entry and a third of
 * replay time, measured at a million entries).
 */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "jsonfast.h"
#include "log.h"
#include "org.h"
#include "record.h"

#define TEXT_MAX 4000
#define FUTURE_MS (5 * 60 * 1000)

typedef struct {
    int64_t at, recorded;
    uint64_t n;                  /* JRN-n */
    uint64_t seq;
    char *text;                  /* owned */
    const char *sector;          /* interned, or NULL */
    const char *author, *org;    /* interned */
    json_t *labels;              /* interned label set (borrowed from the table) */
} entry_t;

struct journal_state {
    entry_t *e;
    size_t n, cap;
    uint64_t last_n;
    json_t *strings;  /* interned strings: value -> json string */
    json_t *labelsets; /* interned label sets: "a\x1fb" -> json array */
};

/* Interned copy of s, valid as long as the journal state. */
static const char *intern(journal_state_t *j, const char *s)
{
    json_t *v = json_object_get(j->strings, s);
    if (!v) {
        v = json_string(s);
        json_object_set_new(j->strings, s, v);
    }
    return json_string_value(v);
}

static int before(const entry_t *a, int64_t at, uint64_t n)
{
    return a->at < at || (a->at == at && a->n < n);
}

/* The entry as the API returns it, appended to b as JSON text (the POST
 * reply, the list and the state dump all write it here). */
static void entry_buf(buf_t *b, const entry_t *x)
{
    char at[32], rec[32];
    time_format(x->at, at);
    time_format(x->recorded, rec);
    buf_adds(b, "{\"id\":\"JRN-");
    buf_add_u64(b, x->n);
    buf_adds(b, "\",\"text\":");
    buf_add_json_str(b, x->text);
    buf_adds(b, ",\"at\":");
    buf_add_json_str(b, at);
    buf_adds(b, ",\"sector\":");
    if (x->sector) buf_add_json_str(b, x->sector);
    else buf_adds(b, "null");
    buf_adds(b, ",\"labels\":[");
    size_t i;
    json_t *l;
    json_array_foreach(x->labels, i, l) {
        if (i) buf_adds(b, ",");
        buf_add_json_str(b, json_string_value(l));
    }
    buf_adds(b, "],\"author\":");
    buf_add_json_str(b, x->author);
    buf_adds(b, ",\"org\":");
    buf_add_json_str(b, x->org);
    buf_adds(b, ",\"recorded\":");
    buf_add_json_str(b, rec);
    buf_adds(b, ",\"seq\":");
    buf_add_u64(b, x->seq);
    buf_adds(b, "}");
}

/* The same as a jansson value (new reference), for the state dump. */
static json_t *entry_json(const entry_t *x)
{
    buf_t b;
    buf_init(&b);
    entry_buf(&b, x);
    json_t *j = b.failed ? NULL : jsonfast_parse(b.data, b.len);
    buf_release(&b);
    return j;
}

static void apply_added(truce_t *t, const event_t *ev)
{
    journal_state_t *j = t->journal;
    const char *at_s = json_string_value(json_object_get(ev->body, "at"));
    int64_t at;
    char *end;
    if (!at_s || time_parse(at_s, &at) || strncmp(ev->subject, "JRN-", 4)) return;
    unsigned long long n = strtoull(ev->subject + 4, &end, 10);
    if (*end) return;
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 1024;
        entry_t *p = realloc(j->e, cap * sizeof *p);
        if (!p) abort();
        j->e = p;
        j->cap = cap;
    }
    size_t pos = j->n;
    while (pos > 0 && !before(&j->e[pos - 1], at, n)) pos--;
    memmove(j->e + pos + 1, j->e + pos, (j->n - pos) * sizeof *j->e);
    const char *text = json_string_value(json_object_get(ev->body, "text"));
    const char *sector = json_string_value(json_object_get(ev->body, "sector"));
    entry_t *x = &j->e[pos];
    *x = (entry_t){.at = at, .n = n, .seq = ev->seq, .recorded = ev->time,
                   .text = strdup(text ? text : ""), .sector = sector ? intern(j, sector) : NULL,
                   .author = intern(j, ev->actor), .org = intern(j, ev->org),
                   .labels = labels_intern(j->labelsets, ev->labels)};
    if (!x->text) abort();
    j->n++;
    if (n > j->last_n) j->last_n = n;
}

static int journal_init(truce_t *t)
{
    t->journal = calloc(1, sizeof *t->journal);
    if (!t->journal) return -1;
    t->journal->strings = json_object();
    t->journal->labelsets = json_object();
    return 0;
}

static void journal_release(truce_t *t)
{
    journal_state_t *j = t->journal;
    if (!j) return;
    for (size_t i = 0; i < j->n; i++) free(j->e[i].text);
    json_decref(j->strings);
    json_decref(j->labelsets);
    free(j->e);
    free(j);
    t->journal = NULL;
}

static void journal_dump(truce_t *t, json_t *out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < t->journal->n; i++) json_array_append_new(a, entry_json(&t->journal->e[i]));
    json_object_set_new(out, "entries", a);
}

static const kind_def_t journal_kinds[] = {
    {"journal.added", apply_added},
    {NULL, NULL},
};
/* Snapshot record, native byte order (a snapshot is a local cache):
 *   i64 at, i64 recorded, u64 n, u64 seq, then five NUL-terminated strings:
 *   text, sector ("" for none), author, org, labels joined by \x1f. */
static void put_str(buf_t *b, const char *s)
{
    buf_add(b, s ? s : "", strlen(s ? s : "") + 1);
}

static int journal_save(truce_t *t, buf_t *b)
{
    journal_state_t *j = t->journal;
    for (size_t i = 0; i < j->n; i++) {
        const entry_t *x = &j->e[i];
        int64_t nums[4] = {x->at, x->recorded, (int64_t)x->n, (int64_t)x->seq};
        buf_add(b, nums, sizeof nums);
        put_str(b, x->text);
        put_str(b, x->sector);
        put_str(b, x->author);
        put_str(b, x->org);
        size_t k;
        json_t *l;
        json_array_foreach(x->labels, k, l)
        {
            if (k) buf_add(b, "\x1f", 1);
            buf_adds(b, json_string_value(l));
        }
        buf_add(b, "", 1);
    }
    return b->failed ? -1 : 0;
}

static const char *get_str(const char **p, const char *end)
{
    const char *s = *p, *z = memchr(s, 0, (size_t)(end - s));
    if (!z) return NULL;
    *p = z + 1;
    return s;
}

static int journal_load(truce_t *t, const char *p, size_t n)
{
    journal_state_t *j = t->journal;
    const char *end = p + n;
    while (p < end) {
        int64_t nums[4];
        if ((size_t)(end - p) < sizeof nums) return -1;
        memcpy(nums, p, sizeof nums);
        p += sizeof nums;
        const char *text = get_str(&p, end), *sector = text ? get_str(&p, end) : NULL;
        const char *author = sector ? get_str(&p, end) : NULL, *org = author ? get_str(&p, end) : NULL;
        const char *labels = org ? get_str(&p, end) : NULL;
        if (!labels) return -1;
        json_t *la = json_array();
        for (const char *q = labels; *q;) {
            size_t len = strcspn(q, "\x1f");
            json_array_append_new(la, json_stringn(q, len));
            q += len + (q[len] ? 1 : 0);
        }
        if (j->n == j->cap) {
            size_t cap = j->cap ? j->cap * 2 : 1024;
            entry_t *e = realloc(j->e, cap * sizeof *e);
            if (!e) abort();
            j->e = e;
            j->cap = cap;
        }
        /* Saved in order, so appending keeps the array sorted. */
        j->e[j->n++] = (entry_t){.at = nums[0], .recorded = nums[1], .n = (uint64_t)nums[2],
                                 .seq = (uint64_t)nums[3], .text = strdup(text),
                                 .sector = *sector ? intern(j, sector) : NULL,
                                 .author = intern(j, author), .org = intern(j, org),
                                 .labels = labels_intern(j->labelsets, la)};
        json_decref(la);
        if ((uint64_t)nums[2] > j->last_n) j->last_n = (uint64_t)nums[2];
    }
    return 0;
}

const module_t journal_module = {"journal", journal_kinds, journal_init, journal_release,
                                 journal_dump, journal_save, journal_load};

const field_t journal_fields[] = {
    {"text", F_STR, 1, 1, 0, TEXT_MAX, NULL, "what happened or was done"},
    {"labels", F_STRLIST, 0, 1, 16, 64, NULL,
     "who may see it: all, org:ORG, role:ROLE, user:NAME (default: the CMCC and your organisation)"},
    {"sector", F_ID, 0, 0, 0, 48, NULL, "sector id, e.g. SEC-NORTH"},
    {"at", F_TIME, 0, 0, 0, 0, NULL, "when it happened (default: now)"},
    {NULL},
};

/* What h_journal_add builds before it submits, so that the writer (one
 * thread for every write) only checks it against state and names it. It
 * lives with the request (req_ctx) while the command waits for the writer. */
typedef struct {
    cmd_t c;
    const json_t *in_labels; /* the caller's labels, or NULL (borrowed from the request) */
    const char *sector;      /* or NULL (borrowed from the request) */
    json_t *labels, *body;   /* the event's, owned by this */
    int64_t at;
    uint64_t n;              /* JRN-n, set by prepare_add */
} add_t;

static void add_release(void *ctx)
{
    add_t *a = ctx;
    json_decref(a->labels);
    json_decref(a->body);
}

static int prepare_add(truce_t *t, cmd_t *c, err_t *e)
{
    add_t *a = c->arg;
    if (a->sector && !org_sector_exists(t, a->sector))
        return err_set(e, E_BAD_VALUE, "sector", "no sector %s", a->sector);
    if (a->in_labels && auth_labels_check(t, a->in_labels, e)) return -1;
    a->n = t->journal->last_n + 1;
    snprintf(c->result_id, sizeof c->result_id, "JRN-%lu", (unsigned long)a->n);
    return cmd_draft(c, "journal.added", c->result_id, json_incref(a->labels), json_incref(a->body), e);
}

/* Builds the event's labels and body from the request (no state needed). */
static int add_build(req_t *r, add_t *a, err_t *e)
{
    json_t *in = r->json;
    a->sector = json_string_value(json_object_get(in, "sector"));
    a->in_labels = json_object_get(in, "labels");
    const char *at_in = json_string_value(json_object_get(in, "at"));
    int64_t now = util_now_ms(), at_ms = now;
    if (at_in) {
        time_parse(at_in, &at_ms);
        if (at_ms > now + FUTURE_MS) return err_set(e, E_OUT_OF_RANGE, "at", "at is in the future");
    }
    a->labels = a->in_labels ? json_copy((json_t *)a->in_labels) : json_pack("[s]", "org:CMCC");
    if (!a->labels) return err_set(e, E_INTERNAL, NULL, "out of memory");
    /* The author's organisation always sees what it wrote. */
    char own[80];
    snprintf(own, sizeof own, "org:%s", r->who.org);
    int has = 0;
    size_t i;
    json_t *l;
    json_array_foreach(a->labels, i, l) has |= strcmp(json_string_value(l), own) == 0;
    if (!has) json_array_append_new(a->labels, json_string(own));
    char at[32];
    a->at = at_ms;
    time_format(at_ms, at);
    /* Built member by member: json_pack parses its format every time. */
    a->body = json_object();
    if (!a->body || json_object_set(a->body, "text", json_object_get(in, "text")) ||
        json_object_set_new(a->body, "at", json_string(at)) ||
        json_object_set_new(a->body, "sector", a->sector ? json_string(a->sector) : json_null()) ||
        json_object_set(a->body, "labels", a->labels))
        return err_set(e, E_INTERNAL, NULL, "out of memory");
    return 0;
}

/* The reply, once the entry is durable. */
static int journal_added(req_t *r, cmd_t *c)
{
    add_t *a = c->arg;
    if (c->err.code) return reply_err(r, &c->err);
    /* The entry as apply_added made it, written from the event's own parts:
     * no state lock for the writer to wait on, no search. */
    const entry_t x = {.at = a->at, .recorded = c->first_time, .n = a->n, .seq = c->first_seq,
                       .text = (char *)json_string_value(json_object_get(a->body, "text")),
                       .sector = a->sector, .author = r->who.username, .org = r->who.org,
                       .labels = a->labels};
    buf_t b;
    buf_init(&b);
    buf_reserve(&b, 1024 + REPLY_RECEIPT_ROOM); /* the entry, then the receipt: one allocation */
    buf_adds(&b, "\"entry\":");
    entry_buf(&b, &x);
    /* The reply shows only this entry (entries never change) and a receipt
     * against a durable head: nothing a later, not yet durable batch made. */
    r->shown_seq = c->last_seq;
    return reply_written_buf(r, 201, c, &b);
}

int h_journal_add(req_t *r)
{
    add_t *a = req_ctx(r, sizeof *a, add_release);
    if (!a) return reply_error(r, E_INTERNAL, NULL, "out of memory");
    a->c = (cmd_t){.who = &r->who, .prepare = prepare_add, .arg = a};
    if (add_build(r, a, &a->c.err)) return reply_err(r, &a->c.err);
    return req_submit(r, &a->c, journal_added);
}

int h_journal_list(req_t *r)
{
    uint64_t limit;
    int64_t since = 0, until = INT64_MAX;
    int has;
    if (req_query_u64(r, "limit", 50, 1, 500, &limit) || req_query_time(r, "since", &since, &has) ||
        req_query_time(r, "until", &until, &has))
        return -1;
    if (!has) until = INT64_MAX;
    const char *sector = req_query(r, "sector");
    const char *cursor = req_query(r, "cursor");
    if (sector) {
        pthread_rwlock_rdlock(&r->t->lock);
        int known = org_sector_exists(r->t, sector);
        pthread_rwlock_unlock(&r->t->lock);
        if (!known) return reply_error(r, E_BAD_VALUE, "sector", "no sector %s", sector);
    }
    int64_t c_at = INT64_MAX;
    uint64_t c_n = UINT64_MAX;
    if (cursor) {
        long long a;
        unsigned long nn;
        char tail;
        if (sscanf(cursor, "%lld.%lu%c", &a, &nn, &tail) != 2)
            return reply_error(r, E_BAD_VALUE, "cursor", "cursor is not one this server gave");
        c_at = a;
        c_n = nn;
    }
    buf_t out;
    buf_init(&out);
    buf_adds(&out, "{\"entries\":[");
    size_t count = 0;
    char next[64] = "";
    pthread_rwlock_rdlock(&r->t->lock);
    journal_state_t *j = r->t->journal;
    size_t i = j->n;
    const entry_t *last = NULL;
    /* Skip to just before the cursor. */
    while (i > 0 && !before(&j->e[i - 1], c_at, c_n)) i--;
    for (; i > 0; i--) {
        const entry_t *x = &j->e[i - 1];
        if (x->at < since) break;
        if (x->at > until) continue;
        if (!auth_may_see(&r->who, x->labels)) continue;
        if (sector && (!x->sector || strcmp(x->sector, sector))) continue;
        if (count == limit) {
            snprintf(next, sizeof next, "%lld.%lu", (long long)last->at, (unsigned long)last->n);
            break;
        }
        if (count++) buf_adds(&out, ",");
        entry_buf(&out, x);
        last = x;
    }
    pthread_rwlock_unlock(&r->t->lock);
    if (next[0]) buf_addf(&out, "],\"next_cursor\":\"%s\"}", next);
    else buf_adds(&out, "],\"next_cursor\":null}");
    return reply_buf(r, 200, &out, "application/json; charset=utf-8");
}
