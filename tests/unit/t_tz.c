/*
 * t_tz.c: cx_tz against the C library's own reading of the same zones.
 *
 * The oracle is glibc: localtime_r under TZ=<zone> (tm_gmtoff and the
 * local date), for zone files and for POSIX TZ strings, which glibc reads
 * itself and cx_tz reads from a TZif file built here around the string.
 * Instants are drawn up to 2100, past the last transition the files list
 * (2037), where the footer rule governs.
 */
#include "cx_tz.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void use_tz(const char *tz) {
  setenv("TZ", tz, 1);
  tzset();
}

static long glibc_offset(time_t t) {
  struct tm tm;
  localtime_r(&t, &tm);
  return tm.tm_gmtoff;
}

static long glibc_date(time_t t) {
  struct tm tm;
  localtime_r(&t, &tm);
  return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The first second of t's local date, walking back an hour, a minute,
 * then a second at a time (within the 50 hours before t the date changes
 * at most once, for these zones). */
static time_t glibc_day_start(time_t t) {
  long date = glibc_date(t);
  time_t s = t;
  for (int step = 3600; step >= 1; step = step == 3600 ? 60 : step / 60)
    while (glibc_date(s - step) == date)
      s -= step;
  return s;
}

/* Offsets and day starts of n random instants in [from, 2100). */
static void compare(const char *label, const struct cx_tz *tz, int64_t from,
                    int n) {
  const int64_t to = 4102444800LL;
  int bad = 0;
  for (int i = 0; i < n; i++) {
    time_t t = (time_t)(from + (int64_t)(rnd() % (uint64_t)(to - from)));
    cx_ms_t ms = (cx_ms_t)t * 1000 + (cx_ms_t)(rnd() % 1000);
    long want = glibc_offset(t);
    long got = cx_tz_offset(tz, ms);
    cx_ms_t start = cx_tz_day_start(tz, ms);
    cx_ms_t want_start = (cx_ms_t)glibc_day_start(t) * 1000;
    if ((got != want || start != want_start) && bad++ < 3)
      fprintf(stderr, "  %s at %lld: offset %ld, glibc %ld; day start %lld, "
              "glibc %lld\n", label, (long long)t, got, want,
              (long long)start, (long long)want_start);
  }
  CHECK_EQ_INT(bad, 0);
}

static void test_zone_files(void) {
  static const char *zones[] = {
      "Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
      "Australia/Lord_Howe", "America/Santiago", "Asia/Tehran",
      "Pacific/Apia", "Africa/Casablanca", "Europe/Dublin",
      "America/St_Johns", "Etc/GMT+5", "Antarctica/Troll", "Pacific/Chatham",
      "America/Sao_Paulo", "Asia/Gaza", "Europe/London", "America/Godthab"};
  for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
    struct cx_tz *tz;
    struct cx_error err;
    enum cx_status st = cx_tz_load(zones[z], &tz, &err);
    if (st != CX_OK)
      fprintf(stderr, "  %s: %s\n", zones[z], err.message);
    CHECK_EQ_INT(st, CX_OK);
    if (st != CX_OK)
      continue;
    use_tz(zones[z]);
    compare(zones[z], tz, -2208988800LL /* 1900 */, 1000);
    cx_tz_free(tz);
  }
}

static void put32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

/* A version 2 TZif file with no transitions, one type (offset) and the
 * footer rule: what the rule alone decides.  Returns its length. */
static size_t tzif_with_rule(unsigned char *buf, int32_t offset,
                             const char *rule) {
  size_t n = 0;
  for (int part = 0; part < 2; part++) {
    memset(buf + n, 0, 44);
    memcpy(buf + n, "TZif2", 5);
    put32(buf + n + 36, 1); /* typecnt */
    put32(buf + n + 40, 4); /* charcnt */
    n += 44;
    put32(buf + n, (uint32_t)offset);
    buf[n + 4] = 0;
    buf[n + 5] = 0;
    n += 6;
    memcpy(buf + n, "STD", 4);
    n += 4;
  }
  n += (size_t)sprintf((char *)buf + n, "\n%s\n", rule);
  return n;
}

static void test_posix_rules(void) {
  static const struct {
    const char *rule;
    int32_t offset; /* of the one type (used only without a rule) */
  } cases[] = {
      {"CET-1CEST,M3.5.0,M10.5.0/3", 3600},
      {"AEST-10AEDT,M10.1.0,M4.1.0/3", 36000},
      {"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -10800},
      {"IST-2IDT,M3.4.4/26,M10.5.0", 7200},
      {"<+0330>-3:30", 12600},
      {"NZST-12NZDT,M9.5.0,M4.1.0/3", 43200},
      {"XXX3YYY,J60/1:30,300/4", -10800},
      {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 45900},
  };
  unsigned char buf[512];
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    size_t len = tzif_with_rule(buf, cases[c].offset, cases[c].rule);
    struct cx_tz *tz;
    struct cx_error err;
    enum cx_status st = cx_tz_from_tzif(buf, len, &tz, &err);
    if (st != CX_OK)
      fprintf(stderr, "  %s: %s\n", cases[c].rule, err.message);
    CHECK_EQ_INT(st, CX_OK);
    if (st != CX_OK)
      continue;
    use_tz(cases[c].rule);
    /* glibc applies a TZ string's rule from 1970 on only. */
    compare(cases[c].rule, tz, 0, 1000);
    cx_tz_free(tz);
  }
}

/* RFC 8536's all-year daylight time: EDT at every instant, also in the
 * hour around New Year where glibc falls back to EST. */
static void test_all_year_dst(void) {
  unsigned char buf[512];
  size_t len = tzif_with_rule(buf, -18000, "EST5EDT,0/0,J365/25");
  struct cx_tz *tz;
  struct cx_error err;
  CHECK_EQ_INT(cx_tz_from_tzif(buf, len, &tz, &err), CX_OK);
  int bad = 0;
  for (int64_t y = 1970; y < 2100; y++) {
    cx_ms_t jan1 = cx_days_from_civil(y, 1, 1) * 86400000LL;
    for (cx_ms_t d = -3 * 3600000LL; d <= 3 * 3600000LL; d += 900000)
      bad += cx_tz_offset(tz, jan1 + d) != -14400;
    bad += cx_tz_offset(tz, jan1 + (cx_ms_t)(rnd() % 31536000000ULL)) != -14400;
  }
  CHECK_EQ_INT(bad, 0);
  cx_tz_free(tz);
}

/* Around one DST change: the day's start, and the 23- and 25-hour days. */
static void test_dst_days(void) {
  struct cx_tz *tz;
  struct cx_error err;
  CHECK_EQ_INT(cx_tz_load("Europe/Paris", &tz, &err), CX_OK);
  /* 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00. */
  cx_ms_t spring = 1774746000000LL; /* 2026-03-29T01:00:00Z */
  cx_ms_t autumn = 1792890000000LL; /* 2026-10-25T01:00:00Z */
  CHECK_EQ_INT(cx_tz_offset(tz, spring - 1), 3600);
  CHECK_EQ_INT(cx_tz_offset(tz, spring), 7200);
  CHECK_EQ_INT(cx_tz_offset(tz, autumn - 1), 7200);
  CHECK_EQ_INT(cx_tz_offset(tz, autumn), 3600);
  /* 2026-03-29 local midnight = 2026-03-28T23:00:00Z; the next day begins
   * 23 hours later (22:00Z); 2026-10-25's lasts 25 hours. */
  cx_ms_t d0 = cx_tz_day_start(tz, spring);
  CHECK_EQ_INT(d0, 1774738800000LL);
  CHECK_EQ_INT(cx_tz_day_start(tz, d0 + 23 * 3600000LL) - d0, 23 * 3600000LL);
  CHECK_EQ_INT(cx_tz_day_start(tz, d0 + 23 * 3600000LL - 1), d0);
  cx_ms_t d1 = cx_tz_day_start(tz, autumn);
  CHECK_EQ_INT(cx_tz_day_start(tz, d1 + 25 * 3600000LL) - d1, 25 * 3600000LL);
  cx_tz_free(tz);
  CHECK_EQ_INT(cx_tz_load("UTC", &tz, &err), CX_OK);
  CHECK_EQ_INT(cx_tz_offset(tz, autumn), 0);
  CHECK_EQ_INT(cx_tz_day_start(tz, autumn), autumn - 3600000LL);
  CHECK_EQ_INT(cx_tz_day_start(tz, -1), -86400000LL);
  cx_tz_free(tz);
}

static void test_refused(void) {
  static const char *names[] = {"", "/etc/localtime", "../zoneinfo/UTC",
                                "Europe/../../etc/passwd", "Europe//Paris",
                                "Europe/Paris;rm", "Nowhere/City", "Europe"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    struct cx_tz *tz = (struct cx_tz *)&tz;
    struct cx_error err;
    CHECK_EQ_INT(cx_tz_load(names[i], &tz, &err), CX_ERR_INVALID);
    CHECK(tz == NULL);
    CHECK(err.message[0] != '\0');
  }
  /* Damaged files: every truncation of a real one, and bad footers. */
  unsigned char buf[512];
  size_t len = tzif_with_rule(buf, 3600, "CET-1CEST,M3.5.0,M10.5.0/3");
  for (size_t n = 0; n < len; n++) {
    struct cx_tz *tz;
    struct cx_error err;
    CHECK_EQ_INT(cx_tz_from_tzif(buf, n, &tz, &err), CX_ERR_INVALID);
  }
  static const char *rules[] = {"CET", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                                "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,J0,J365",
                                "CET-1CEST,M3.5.7,M10.5.0", "1CET", "CET-25",
                                "CET-1CEST,M3.5.0/168,M10.5.0"};
  for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
    len = tzif_with_rule(buf, 3600, rules[i]);
    struct cx_tz *tz;
    struct cx_error err;
    enum cx_status st = cx_tz_from_tzif(buf, len, &tz, &err);
    if (st != CX_ERR_INVALID)
      fprintf(stderr, "  accepted: %s\n", rules[i]);
    CHECK_EQ_INT(st, CX_ERR_INVALID);
    if (st == CX_OK)
      cx_tz_free(tz);
  }
}

int main(void) {
  RUN(test_zone_files);
  RUN(test_posix_rules);
  RUN(test_all_year_dst);
  RUN(test_dst_days);
  RUN(test_refused);
  return unit_finish();
}
