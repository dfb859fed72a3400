/*
 * ddr_match.c — the normalisations and the fuzzy matcher behind the DDR
 * fraud rules (see ddr.h). Pure functions over bytes: no state, no
 * allocation, so they are cheap enough to run on every registration and can
 * be tested alone (tests/unit/ddr_test.c).
 *
 * Serial numbers are compared after folding case, spacing and punctuation
 * and the characters that are read or written for one another: O/Q/0, I/L/1,
 * S/5, B/8, Z/2, G/6; Arabic-Indic and Eastern Arabic-Indic digits and the
 * Cyrillic capitals that look like Latin ones (AK serials) are read as their
 * look-alikes first.
 *
 * Latin names are compared after undoing the usual variation of Arabic
 * transliteration: articles (al-, el-, ad-, ...) dropped, Abu/Abou/Abo,
 * bin/ben/ibn and Abd al-/Abdel/Abdul folded, diphthongs (ai, ay, ei, ey)
 * and long vowels (ee, oo, ou) folded, o read as u and e as i, doubled
 * letters single, ph/q/ch/dj read as f/k/sh/j, a final h after a vowel
 * dropped. "Mohammed", "Muhammad" and "Mohamad" all become "muhamad" or
 * "muhamid"; Jaro-Winkler then scores what remains.
 */
#include "ddr.h"

#include <stdio.h>
#include <string.h>

/* ---- UTF-8 helpers ---- */

/* Decodes one code point at s (len bytes left); *n gets its length. Invalid
 * bytes decode as themselves with length 1. */
static unsigned cp_at(const unsigned char *s, size_t len, size_t *n)
{
    if (s[0] < 0x80 || len < 2) {
        *n = 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        *n = 2;
        return (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    }
    if ((s[0] & 0xF0) == 0xE0 && len >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *n = 3;
        return (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    }
    if ((s[0] & 0xF8) == 0xF0 && len >= 4) {
        *n = 4;
        return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3F) << 12 | (unsigned)(s[2] & 0x3F) << 6 |
               (s[3] & 0x3F);
    }
    *n = 1;
    return s[0];
}

static size_t put_cp(char *out, size_t at, size_t cap, unsigned cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        b[0] = (unsigned char)(0xE0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    if (at + n >= cap) return at;
    memcpy(out + at, b, n);
    return at + n;
}

/* ---- serial numbers ---- */

/* The Latin capital or digit a code point is read as, or 0 to drop it. */
static char serial_char(unsigned cp)
{
    if (cp >= 'a' && cp <= 'z') cp -= 32;
    if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) return (char)cp;
    if (cp >= 0x0660 && cp <= 0x0669) return (char)('0' + (cp - 0x0660)); /* Arabic-Indic */
    if (cp >= 0x06F0 && cp <= 0x06F9) return (char)('0' + (cp - 0x06F0)); /* Eastern Arabic-Indic */
    if (cp >= 0xFF10 && cp <= 0xFF19) return (char)('0' + (cp - 0xFF10)); /* full width */
    if (cp >= 0x0430 && cp <= 0x044F) cp -= 0x20;                         /* Cyrillic lower */
    switch (cp) {
    case 0x0410: return 'A';
    case 0x0412: return 'B';
    case 0x0415: return 'E';
    case 0x041A: return 'K';
    case 0x041C: return 'M';
    case 0x041D: return 'H';
    case 0x041E: return 'O';
    case 0x0420: return 'P';
    case 0x0421: return 'C';
    case 0x0422: return 'T';
    case 0x0425: return 'X';
    case 0x0423: return 'Y';
    }
    return 0;
}

static char serial_fold(char c)
{
    switch (c) {
    case 'O': case 'Q': return '0';
    case 'I': case 'L': return '1';
    case 'S': return '5';
    case 'B': return '8';
    case 'Z': return '2';
    case 'G': return '6';
    }
    return c;
}

size_t ddr_serial_norm(const char *in, char *out, size_t cap)
{
    size_t o = 0, len = in ? strlen(in) : 0;
    if (cap) out[0] = 0;
    if (!in || cap < 2) return 0;
    /* "unknown", "none", "n/a" and "-" are not serials: nothing to compare. */
    static const char *const none[] = {"unknown", "none", "n/a", "na", "nil", "-", "?", "no serial", "illegible", NULL};
    for (int i = 0; none[i]; i++)
        if (strcasecmp(in, none[i]) == 0) return 0;
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < len;) {
        size_t n;
        unsigned cp = cp_at(s + i, len - i, &n);
        i += n;
        char c = serial_char(cp);
        if (c && o + 1 < cap) out[o++] = serial_fold(c);
    }
    out[o] = 0;
    return o;
}

/* ---- identity document numbers ---- */

size_t ddr_idnum_norm(const char *in, char *out, size_t cap)
{
    size_t o = 0, len = in ? strlen(in) : 0;
    if (cap) out[0] = 0;
    if (!in || cap < 2) return 0;
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i < len;) {
        size_t n;
        unsigned cp = cp_at(s + i, len - i, &n);
        i += n;
        char c = serial_char(cp);
        if (!c) continue;
        if (c == '0' && o == 0) continue; /* leading zeros are often lost in data entry */
        if (o + 1 < cap) out[o++] = c;
    }
    out[o] = 0;
    return o;
}

/* ---- Latin names ---- */

/* The ASCII letter a code point is read as (accents dropped), '\'' for the
 * signs of ayn and hamza (dropped, not a break), ' ' for a break, 0 to drop. */
static char name_char(unsigned cp)
{
    if (cp >= 'A' && cp <= 'Z') return (char)(cp + 32);
    if (cp >= 'a' && cp <= 'z') return (char)cp;
    if (cp == '\'' || cp == '`' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BF || cp == 0x02BE || cp == 0x02BB ||
        cp == 0x00B4)
        return '\'';
    if (cp == ' ' || cp == '-' || cp == '.' || cp == ',' || cp == '_' || cp == '\t' || cp == 0x2010 || cp == 0x2013)
        return ' ';
    if (cp >= 0xC0 && cp <= 0xFF) {
        static const char map[] = "aaaaaaaceeeeiiiidnooooo ouuuuyts" "aaaaaaaceeeeiiiidnooooo ouuuuyty";
        char c = map[cp - 0xC0];
        return c == ' ' ? 0 : c;
    }
    if (cp == 0x1E25 || cp == 0x1E24) return 'h'; /* ḥ */
    if (cp == 0x1E63 || cp == 0x1E62) return 's'; /* ṣ */
    if (cp == 0x1E0D || cp == 0x1E0C) return 'd'; /* ḍ */
    if (cp == 0x1E6D || cp == 0x1E6C) return 't'; /* ṭ */
    if (cp == 0x1E93 || cp == 0x1E92) return 'z'; /* ẓ */
    if (cp == 0x0101 || cp == 0x0100) return 'a'; /* ā */
    if (cp == 0x012B || cp == 0x012A) return 'i'; /* ī */
    if (cp == 0x016B || cp == 0x016A) return 'u'; /* ū */
    return 0;
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static int starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* Normalises one lower-case ASCII token into out (cap bytes); returns its
 * length. Short vowels are written inconsistently in transliteration
 * (Ahmad / Ahmed, Khalid / Khaled, Said / Saeed / Sayed), so a, e, i, the
 * diphthongs and a y that is neither first nor between two vowels all
 * become one vowel "a" (Yahya / Yehia; a word's first e or i is "i": Ihab /
 * Ehab, but Imad is not Ahmad); o, ou, oo and u become "u" (Hussein /
 * Husayn stay apart from Hassan). A y between vowels is a consonant (Ayyad
 * is not Eid; Zayed is not Zaid). */
static size_t norm_token(const char *t, char *out, size_t cap)
{
    char a[128];
    size_t n = 0;
    for (size_t i = 0; t[i] && n + 2 < sizeof a;) {
        const char *p = t + i;
        if (starts(p, "ph")) { a[n++] = 'f'; i += 2; }
        else if (starts(p, "ck")) { a[n++] = 'k'; i += 2; }
        else if (starts(p, "dj")) { a[n++] = 'j'; i += 2; }
        else if (starts(p, "ch")) { a[n++] = 's'; a[n++] = 'h'; i += 2; }
        else if (starts(p, "dh")) { a[n++] = 'd'; i += 2; }
        else if (starts(p, "ou") || starts(p, "oo")) { a[n++] = 'u'; i += 2; }
        else if (*p == 'q') { a[n++] = 'k'; i++; }
        else if (*p == 'o' || *p == 'u') { a[n++] = 'u'; i++; }
        else if (i == 0 && (*p == 'e' || *p == 'i')) { a[n++] = 'i'; i++; } /* Ihab / Ehab, not Imad / Ahmad */
        else if (*p == 'a' || *p == 'e' || *p == 'i' || (*p == 'y' && i > 0 && !(n > 0 && is_vowel(a[n - 1]) && is_vowel(p[1])))) {
            a[n++] = 'a';
            i++;
        }
        else if (*p == '\'') { i++; }
        else { a[n++] = *p; i++; }
    }
    a[n] = 0;
    /* a final h after a vowel is silent: Fatimah / Fatima, Saleh / Sala */
    if (n > 2 && a[n - 1] == 'h' && is_vowel(a[n - 2])) a[--n] = 0;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        if (o == 0 || out[o - 1] != a[i]) out[o++] = a[i];
    out[o] = 0;
    return o;
}

size_t ddr_name_norm(const char *in, char *out, size_t cap)
{
    char tok[64][64];
    int nt = 0;
    size_t len = in ? strlen(in) : 0, tl = 0;
    char cur[64];
    if (cap) out[0] = 0;
    if (!in || cap < 2) return 0;
    const unsigned char *s = (const unsigned char *)in;
    for (size_t i = 0; i <= len;) {
        size_t n = 1;
        char c = i < len ? name_char(cp_at(s + i, len - i, &n)) : ' ';
        i += n;
        if (c == ' ') {
            if (tl && nt < 64) {
                cur[tl] = 0;
                memcpy(tok[nt++], cur, tl + 1);
            }
            tl = 0;
        } else if (c && tl + 1 < sizeof cur) {
            cur[tl++] = c;
        }
    }
    /* token rules: articles dropped, Abu / bin / Abd al- folded */
    static const char *const articles[] = {"al", "el", "ul", "il", "ad", "ar", "as", "at", "az", "an", "ash", "ath", "adh", "l", NULL};
    size_t o = 0;
    for (int k = 0; k < nt; k++) {
        char *t = tok[k];
        int drop = 0;
        for (int a = 0; articles[a]; a++) drop |= strcmp(t, articles[a]) == 0;
        if (drop) continue;
        if (!strcmp(t, "abou") || !strcmp(t, "abo") || !strcmp(t, "abu")) t = "abu";
        else if (!strcmp(t, "ben") || !strcmp(t, "bin") || !strcmp(t, "ibn") || !strcmp(t, "bn")) t = "bin";
        char first[64], rest[64];
        first[0] = rest[0] = 0;
        static const char *const abd[] = {"abdel", "abdul", "abdal", "abdil", "abdoul", "abd", NULL};
        for (int a = 0; abd[a]; a++)
            if (starts(t, abd[a])) {
                snprintf(first, sizeof first, "abd");
                snprintf(rest, sizeof rest, "%s", t + strlen(abd[a]));
                break;
            }
        if (!first[0]) snprintf(first, sizeof first, "%s", t);
        const char *parts[2] = {first, rest};
        for (int p = 0; p < 2; p++) {
            if (!parts[p][0]) continue;
            char nt2[64];
            size_t m = norm_token(parts[p], nt2, sizeof nt2);
            if (!m || o + m + 2 >= cap) continue;
            if (o) out[o++] = ' ';
            memcpy(out + o, nt2, m);
            o += m;
        }
    }
    out[o] = 0;
    return o;
}

/* ---- Arabic names ---- */

size_t ddr_arabic_norm(const char *in, char *out, size_t cap)
{
    size_t o = 0, len = in ? strlen(in) : 0;
    int space = 0;
    if (cap) out[0] = 0;
    if (!in || cap < 4) return 0;
    const unsigned char *s = (const unsigned char *)in;
    size_t tok_start = 0;
    for (size_t i = 0; i < len;) {
        size_t n;
        unsigned cp = cp_at(s + i, len - i, &n);
        i += n;
        if ((cp >= 0x064B && cp <= 0x0652) || cp == 0x0640 || cp == 0x0670) continue; /* harakat, tatweel */
        if (cp == 0x0623 || cp == 0x0625 || cp == 0x0622 || cp == 0x0671) cp = 0x0627; /* alef forms */
        else if (cp == 0x0629) cp = 0x0647;                                            /* ta marbuta */
        else if (cp == 0x0649) cp = 0x064A;                                            /* alef maqsura */
        else if (cp == 0x0624) cp = 0x0648;
        else if (cp == 0x0626) cp = 0x064A;
        if (cp == ' ' || cp == '-' || cp == 0x060C) {
            space = o > 0;
            continue;
        }
        if ((cp < 0x0600 || cp > 0x06FF) && !(cp >= '0' && cp <= '9')) continue;
        if (space) {
            o = put_cp(out, o, cap, ' ');
            space = 0;
        }
        if (o == 0 || out[o - 1] == ' ') tok_start = o;
        o = put_cp(out, o, cap, cp);
        /* the article ال at the start of a word is dropped */
        if (o - tok_start == 4 && (unsigned char)out[tok_start] == 0xD8 && (unsigned char)out[tok_start + 1] == 0xA7 &&
            (unsigned char)out[tok_start + 2] == 0xD9 && (unsigned char)out[tok_start + 3] == 0x84 && i < len) {
            size_t nn;
            unsigned next = cp_at(s + i, len - i, &nn);
            if (next != ' ' && next != '-') o = tok_start;
        }
    }
    out[o] = 0;
    return o;
}

/* ---- Jaro-Winkler ---- */

double ddr_jaro_winkler(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (!la && !lb) return 1;
    if (!la || !lb) return 0;
    if (la > 128) la = 128;
    if (lb > 128) lb = 128;
    size_t win = (la > lb ? la : lb) / 2;
    win = win ? win - 1 : 0;
    char ma[128] = {0}, mb[128] = {0};
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > win ? i - win : 0, hi = i + win + 1 < lb ? i + win + 1 : lb;
        for (size_t j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = 1;
                m++;
                break;
            }
    }
    if (!m) return 0;
    size_t tr = 0, k = 0;
    for (size_t i = 0; i < la; i++) {
        if (!ma[i]) continue;
        while (!mb[k]) k++;
        if (a[i] != b[k]) tr++;
        k++;
    }
    double md = (double)m;
    double j = (md / (double)la + md / (double)lb + (md - (double)tr / 2.0) / md) / 3.0;
    size_t p = 0;
    while (p < 4 && p < la && p < lb && a[p] == b[p]) p++;
    return j + (double)p * 0.1 * (1 - j);
}

/* Two normalised tokens: Jaro-Winkler, but a short token (under five
 * letters) must be equal to score high: on short strings one letter is a
 * large share and Jaro-Winkler rates Ali / Sala, Sami / Samar or Adal /
 * Nadal above 0.9. */
static double token_score(const char *a, const char *b)
{
    double x = ddr_jaro_winkler(a, b);
    if (x < 1 && (strlen(a) < 5 || strlen(b) < 5)) x *= 0.9;
    return x;
}

/* Splits a normalised name into at most max tokens (copies in tok). */
static int tokens(const char *s, char tok[][64], int max)
{
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ') s++;
        size_t l = strcspn(s, " ");
        if (!l) break;
        snprintf(tok[n++], 64, "%.*s", (int)(l < 63 ? l : 63), s);
        s += l;
    }
    return n;
}

double ddr_name_score(const char *na, const char *nb)
{
    char ta[16][64], tb[16][64];
    int a = tokens(na, ta, 16), b = tokens(nb, tb, 16);
    if (!a || !b) return 0;
    /* every token of the shorter name against its best match in the longer */
    char (*s)[64] = a <= b ? ta : tb, (*l)[64] = a <= b ? tb : ta;
    int ns = a <= b ? a : b, nl = a <= b ? b : a;
    double worst = 1;
    for (int i = 0; i < ns; i++) {
        double best = 0;
        for (int j = 0; j < nl; j++) {
            double x = token_score(s[i], l[j]);
            if (x > best) best = x;
        }
        if (best < worst) worst = best;
    }
    return a == b ? worst : worst * 0.97;
}

double ddr_name_similarity(const char *latin_a, const char *latin_b)
{
    char na[256], nb[256];
    ddr_name_norm(latin_a, na, sizeof na);
    ddr_name_norm(latin_b, nb, sizeof nb);
    return ddr_name_score(na, nb);
}
