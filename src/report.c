/*
 * report.c — the daily SITREP (JSON and printable HTML, from the API and the
 * command line) and the feed of the last hours, from what the incident, aid
 * and operations modules count (docs/monitoring.md).
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aid.h"
#include "auth.h"
#include "ddr.h"
#include "incident.h"
#include "ops.h"
#include "org.h"
#include "psf.h"
#include "record.h"
#include "tz.h"

/* Readers cleared for the operations section: the CMCC cell and leadership. */
static int cleared_for_ops(const principal_t *who)
{
    if (!who) return 1;
    for (int i = 0; i < who->nroles; i++)
        if (!strcmp(who->roles[i], "cmcc_watch") || !strcmp(who->roles[i], "cmcc_commander") ||
            !strcmp(who->roles[i], "leadership"))
            return 1;
    return 0;
}

json_t *report_sitrep(truce_t *t, const principal_t *who, int32_t day)
{
    char date[11], gen[32];
    tz_date_format(day, date);
    time_format(util_now_ms(), gen);
    json_t *out = json_pack("{s:s, s:s, s:b}", "date", date, "generated_at", gen, "exercise", t->exercise);
    pthread_rwlock_rdlock(&t->lock);
    json_t *m = org_mission(t);
    json_t *mission = json_pack("{s:O?, s:O?, s:s}", "id", json_object_get(m, "id"), "name", json_object_get(m, "name"),
                                "timezone", org_timezone(t));
    json_object_set_new(out, "mission", mission);
    incident_day_t sum;
    incident_sitrep(t, who, day, &sum, out);
    aid_sitrep(t, day, out);
    int64_t from = tz_day_start(org_timezone(t), day), until = tz_day_start(org_timezone(t), day + 1);
    if (cleared_for_ops(who)) ops_sitrep(t, from, until, out);
    /* disarmament figures (no personal data) for those who may read the
     * programme's figures: the DDR cell, the CMCC commander, leadership */
    json_t *ddr = !who || (who->perms & (1ull << P_DDR_AUDIT)) ? ddr_sitrep_figures(t, from, until) : NULL;
    /* the training figures (no personal data) for the readers of PSF
     * records, as GET /api/v1/psf/summary: absent figures for anyone else */
    json_t *training = psf_figures_reader(who) ? psf_summary(t, until - 1) /* as of the day's end */
                                               : json_pack("{s:b, s:s}", "available", 0, "note",
                                                           "The training figures are for the parties that follow the PSF.");
    pthread_rwlock_unlock(&t->lock);
    json_t *aid = json_object_get(out, "aid");
    json_t *s = json_pack("{s:i, s:i, s:i, s:i, s:i, s:O, s:O}", "incidents", sum.incidents, "confirmed", sum.confirmed,
                          "violations", sum.violations, "killed", sum.killed, "injured", sum.injured, "trucks",
                          json_object_get(aid, "trucks"), "target", json_object_get(aid, "target"));
    json_t *ops = json_object_get(out, "operations");
    if (ops) json_object_set(s, "operations", json_object_get(ops, "notified"));
    json_object_set_new(out, "summary", s);
    if (ddr) {
        json_object_set_new(ddr, "available", json_true());
        json_object_set_new(out, "disarmament", ddr);
    }
    json_object_set_new(out, "training", training ? training : json_pack("{s:b}", "available", 0));
    return out;
}

static void esc(buf_t *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': buf_adds(b, "&lt;"); break;
        case '>': buf_adds(b, "&gt;"); break;
        case '&': buf_adds(b, "&amp;"); break;
        case '"': buf_adds(b, "&quot;"); break;
        default: buf_add(b, s, 1);
        }
    }
}

static void num(buf_t *b, const json_t *v)
{
    if (json_is_integer(v)) buf_addf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) buf_addf(b, "%g", json_real_value(v));
    else buf_adds(b, "0");
}

static void row2(buf_t *b, const char *k, const json_t *v)
{
    buf_adds(b, "<tr><th scope=\"row\">");
    esc(b, k);
    buf_adds(b, "</th><td class=\"n\">");
    num(b, v);
    buf_adds(b, "</td></tr>\n");
}

/* A table of an object of numbers. */
static void table_of(buf_t *b, const char *caption, const char *kh, const char *vh, const json_t *o)
{
    buf_adds(b, "<table><caption>");
    esc(b, caption);
    buf_adds(b, "</caption><thead><tr><th scope=\"col\">");
    esc(b, kh);
    buf_adds(b, "</th><th scope=\"col\" class=\"n\">");
    esc(b, vh);
    buf_adds(b, "</th></tr></thead><tbody>\n");
    const char *k;
    json_t *v;
    if (!json_object_size(o)) buf_adds(b, "<tr><td colspan=\"2\">None</td></tr>\n");
    json_object_foreach((json_t *)o, k, v) row2(b, k, v);
    buf_adds(b, "</tbody></table>\n");
}

/* "weapons_collected" -> "Weapons collected"; "payments", "count" -> "Payments: count". */
static const char *label_of(const char *k, const char *k2, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s", k, k2 ? ": " : "", k2 ? k2 : "");
    for (char *p = out; *p; p++)
        if (*p == '_') *p = ' ';
    if (out[0] >= 'a' && out[0] <= 'z') out[0] = (char)(out[0] - 'a' + 'A');
    return out;
}

char *report_sitrep_html(const json_t *rep, size_t *len)
{
    buf_t b;
    buf_init(&b);
    const char *date = rec_str(rep, "date");
    int ex = json_is_true(json_object_get(rep, "exercise"));
    buf_adds(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>SITREP ");
    esc(&b, date);
    buf_adds(&b, "</title>\n<style>\n"
                 "body{font:11pt/1.4 system-ui,'Noto Sans',Arial,sans-serif;color:#111;margin:2em auto;max-width:60em;padding:0 1em}\n"
                 "h1{font-size:18pt;margin:0 0 .2em}h2{font-size:13pt;border-bottom:1px solid #999;margin:1.4em 0 .4em;break-after:avoid}\n"
                 "table{border-collapse:collapse;width:100%;margin:.4em 0 1em;break-inside:avoid}caption{text-align:start;font-weight:600;padding:.2em 0}\n"
                 "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:start;vertical-align:top}td.n,th.n{text-align:end}\n"
                 ".exercise{border:3px solid #b00;color:#b00;font-weight:700;padding:.4em .8em;margin:0 0 1em;text-align:center;letter-spacing:.05em}\n"
                 ".meta{color:#444;font-size:9.5pt}\n"
                 "@page{size:A4;margin:16mm 14mm}\n"
                 "@media print{body{margin:0;max-width:none;padding:0}a{color:inherit;text-decoration:none}}\n"
                 "</style></head><body>\n");
    if (ex) buf_adds(&b, "<div class=\"exercise\">EXERCISE — synthetic data, not real events</div>\n");
    buf_adds(&b, "<h1>Daily situation report (SITREP) — ");
    esc(&b, date);
    buf_adds(&b, "</h1>\n<p class=\"meta\">Civil-Military Coordination Center. Generated ");
    esc(&b, rec_str(rep, "generated_at"));
    buf_adds(&b, ". Times are UTC; days are local (");
    esc(&b, rec_str(json_object_get(rep, "mission"), "timezone"));
    buf_adds(&b, ").</p>\n");

    json_t *s = json_object_get(rep, "summary");
    buf_adds(&b, "<h2 id=\"summary\">1. Summary</h2>\n<table><tbody>\n");
    row2(&b, "Incidents reported (not refuted)", json_object_get(s, "incidents"));
    row2(&b, "Incidents confirmed", json_object_get(s, "confirmed"));
    row2(&b, "Confirmed cease-fire violations", json_object_get(s, "violations"));
    row2(&b, "Killed", json_object_get(s, "killed"));
    row2(&b, "Injured", json_object_get(s, "injured"));
    row2(&b, "Aid trucks crossed", json_object_get(s, "trucks"));
    row2(&b, "Daily target (trucks)", json_object_get(s, "target"));
    if (json_object_get(s, "operations")) row2(&b, "Operations notified", json_object_get(s, "operations"));
    buf_adds(&b, "</tbody></table>\n");

    json_t *v = json_object_get(rep, "violations");
    buf_adds(&b, "<h2 id=\"violations\">2. Cease-fire violations</h2>\n");
    table_of(&b, "Confirmed violations by party", "Party", "Violations", json_object_get(v, "by_party"));
    table_of(&b, "Not yet confirmed (shown apart)", "Party", "Reports", json_object_get(v, "unconfirmed_by_party"));
    buf_adds(&b, "<table><caption>Seven-day trend of confirmed violations</caption><thead><tr><th scope=\"col\">Party</th>"
                 "<th scope=\"col\" class=\"n\">Last 7 days</th><th scope=\"col\" class=\"n\">7 days before</th></tr></thead><tbody>\n");
    const char *k;
    json_t *x;
    if (!json_object_size(json_object_get(v, "trend7"))) buf_adds(&b, "<tr><td colspan=\"3\">None</td></tr>\n");
    json_object_foreach(json_object_get(v, "trend7"), k, x)
    {
        buf_adds(&b, "<tr><th scope=\"row\">");
        esc(&b, k);
        buf_adds(&b, "</th><td class=\"n\">");
        num(&b, json_object_get(x, "last7"));
        buf_adds(&b, "</td><td class=\"n\">");
        num(&b, json_object_get(x, "prev7"));
        buf_adds(&b, "</td></tr>\n");
    }
    buf_adds(&b, "</tbody></table>\n");

    buf_adds(&b, "<h2 id=\"incidents\">3. Significant incidents</h2>\n<table><thead><tr><th scope=\"col\">Incident</th>"
                 "<th scope=\"col\">Time (UTC)</th><th scope=\"col\">Type</th><th scope=\"col\">Sector</th>"
                 "<th scope=\"col\">Status</th><th scope=\"col\">Attribution</th><th scope=\"col\" class=\"n\">Killed</th>"
                 "<th scope=\"col\" class=\"n\">Injured</th></tr></thead><tbody>\n");
    size_t i;
    json_array_foreach(json_object_get(rep, "significant_incidents"), i, x)
    {
        buf_adds(&b, "<tr><td>");
        esc(&b, rec_str(x, "id"));
        buf_adds(&b, " ");
        esc(&b, rec_str(x, "title"));
        buf_adds(&b, "</td><td>");
        /* the clock time in UTC, as the column says: a report may give its
         * time with an offset (2026-10-10T01:30:00+03:00 is 22:30 UTC) */
        int64_t at_ms;
        char at[32];
        if (rec_str(x, "occurred_at") && !time_parse(rec_str(x, "occurred_at"), &at_ms)) {
            time_format(at_ms, at);
            buf_addf(&b, "%.5s", at + 11);
        }
        buf_adds(&b, "</td><td>");
        esc(&b, rec_str(x, "type"));
        buf_adds(&b, "</td><td>");
        esc(&b, rec_str(x, "sector") ? rec_str(x, "sector") : "—");
        buf_adds(&b, "</td><td>");
        esc(&b, rec_str(x, "status"));
        buf_adds(&b, "</td><td>");
        size_t j;
        json_t *p;
        json_array_foreach(json_object_get(x, "attribution"), j, p)
        {
            if (j) buf_adds(&b, ", ");
            esc(&b, json_string_value(p));
        }
        if (rec_str(x, "confidence")) {
            buf_adds(&b, " (");
            esc(&b, rec_str(x, "confidence"));
            buf_adds(&b, ")");
        }
        buf_adds(&b, "</td><td class=\"n\">");
        num(&b, json_object_get(x, "killed"));
        buf_adds(&b, "</td><td class=\"n\">");
        num(&b, json_object_get(x, "injured"));
        buf_adds(&b, "</td></tr>\n");
    }
    if (!json_array_size(json_object_get(rep, "significant_incidents"))) buf_adds(&b, "<tr><td colspan=\"8\">None</td></tr>\n");
    buf_adds(&b, "</tbody></table>\n");

    int sec = 4;
    json_t *ops = json_object_get(rep, "operations");
    if (ops) {
        buf_addf(&b, "<h2 id=\"operations\">%d. Operations coordinated</h2>\n<table><tbody>\n", sec++);
        row2(&b, "Operations notified", json_object_get(ops, "notified"));
        row2(&b, "Still pending a decision", json_object_get(ops, "pending"));
        json_t *dt = json_object_get(ops, "decision_time");
        row2(&b, "First decisions in the period", json_object_get(dt, "count"));
        if (json_object_get(dt, "median_s")) {
            row2(&b, "Time to a first decision, median (s)", json_object_get(dt, "median_s"));
            row2(&b, "Time to a first decision, 90th percentile (s)", json_object_get(dt, "p90_s"));
            row2(&b, "Time to a first decision, longest (s)", json_object_get(dt, "max_s"));
        }
        buf_adds(&b, "</tbody></table>\n");
        table_of(&b, "Decisions by kind", "Decision", "Count", json_object_get(ops, "by_decision"));
    }
    json_t *aid = json_object_get(rep, "aid");
    buf_addf(&b, "<h2 id=\"aid\">%d. Aid flow against target</h2>\n<table><tbody>\n", sec++);
    row2(&b, "Trucks crossed", json_object_get(aid, "trucks"));
    row2(&b, "Daily target", json_object_get(aid, "target"));
    row2(&b, "Gap to target", json_object_get(aid, "gap"));
    row2(&b, "Tonnes", json_object_get(aid, "tonnes"));
    row2(&b, "Consignments intercepted", json_object_get(aid, "intercepted"));
    row2(&b, "Consignments delivered", json_object_get(aid, "delivered"));
    buf_adds(&b, "</tbody></table>\n");
    table_of(&b, "Trucks by crossing", "Crossing", "Trucks", json_object_get(aid, "by_crossing"));

    static const char *const extra[][2] = {{"disarmament", "Disarmament"}, {"training", "Training of Palestinian forces"}};
    for (int e = 0; e < 2; e++) {
        json_t *o = json_object_get(rep, extra[e][0]);
        if (!o) continue;
        buf_addf(&b, "<h2 id=\"%s\">%d. %s</h2>\n", extra[e][0], sec++, extra[e][1]);
        if (!json_is_true(json_object_get(o, "available"))) {
            buf_adds(&b, "<p>");
            esc(&b, rec_str(o, "note") ? rec_str(o, "note") : "No figures yet.");
            buf_adds(&b, "</p>\n");
            continue;
        }
        buf_adds(&b, "<table><tbody>\n");
        json_object_foreach(o, k, x)
        {
            char name[96];
            if (json_is_number(x)) row2(&b, label_of(k, NULL, name, sizeof name), x);
            const char *k2;
            json_t *y;
            if (json_is_object(x)) json_object_foreach(x, k2, y) if (json_is_number(y)) row2(&b, label_of(k, k2, name, sizeof name), y);
        }
        buf_adds(&b, "</tbody></table>\n");
    }
    if (ex) buf_adds(&b, "<div class=\"exercise\">EXERCISE — synthetic data, not real events</div>\n");
    buf_adds(&b, "</body></html>\n");
    return buf_detach(&b, len);
}

int h_sitrep(req_t *r)
{
    const char *date = req_query(r, "date"), *format = req_query(r, "format"), *accept = req_header(r, "Accept");
    int32_t day;
    if (!date) {
        pthread_rwlock_rdlock(&r->t->lock);
        day = mission_day(r->t, util_now_ms());
        pthread_rwlock_unlock(&r->t->lock);
    } else if (tz_date_parse(date, &day)) {
        return reply_error(r, E_BAD_VALUE, "date", "date must be YYYY-MM-DD");
    }
    if (format && strcmp(format, "json") && strcmp(format, "html"))
        return reply_error(r, E_BAD_VALUE, "format", "format must be json or html");
    int json = format ? !strcmp(format, "json") : accept && strstr(accept, "application/json") != NULL;
    json_t *rep = report_sitrep(r->t, &r->who, day);
    if (json) return reply_json(r, 200, rep);
    size_t len;
    char *html = report_sitrep_html(rep, &len);
    json_decref(rep);
    buf_t b;
    buf_init(&b);
    buf_add(&b, html, len);
    free(html);
    return reply_buf(r, 200, &b, "text/html; charset=utf-8");
}

/* The newest items of both feeds: each gives at most FEED_MAX newest first,
 * and a merge keeps the FEED_MAX newest of the two. */
#define FEED_MAX 500

int h_stats_feed(req_t *r)
{
    uint64_t hours;
    if (req_query_u64(r, "hours", 48, 1, 168, &hours)) return -1;
    int64_t since = util_now_ms() - (int64_t)hours * 3600 * 1000;
    json_t *inc = json_array(), *aid = json_array(), *items = json_array();
    pthread_rwlock_rdlock(&r->t->lock);
    incident_feed(r->t, &r->who, since, FEED_MAX, inc);
    aid_feed(r->t, since, FEED_MAX, aid);
    pthread_rwlock_unlock(&r->t->lock);
    size_t i = 0, j = 0;
    while (json_array_size(items) < FEED_MAX && (i < json_array_size(inc) || j < json_array_size(aid))) {
        json_t *a = json_array_get(inc, i), *b = json_array_get(aid, j);
        int take_a = a && (!b || strcmp(rec_str(a, "at"), rec_str(b, "at")) >= 0);
        json_array_append(items, take_a ? a : b);
        if (take_a) i++;
        else j++;
    }
    json_decref(inc);
    json_decref(aid);
    return reply_json(r, 200, json_pack("{s:o, s:I, s:b}", "items", items, "hours", (json_int_t)hours, "exercise", r->t->exercise));
}
