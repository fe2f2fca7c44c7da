/*
 * cx_tz.c: TZif files and POSIX TZ rules -> UTC offsets and day starts
 * (see cx_tz.h).
 *
 * A TZif file (RFC 8536) lists a zone's transitions and, from version 2
 * on, ends with a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") that
 * governs every instant after the last listed transition; "slim" files
 * list few transitions and lean on it.  Both are read here: the 64-bit
 * block of version 2+ files (the 32-bit one of version 1 files), the
 * types' offsets, and the footer's rule with RFC 8536's extensions (rule
 * times from -167 to 167 hours, so all-year daylight time reads too).
 * Leap-second records are skipped: offsets are of POSIX time.
 *
 * Where a local day began: the local date is a step function of the
 * instant; the day's start is the first instant of the run that ends at
 * t, found by bisection over the 50 hours before t (no day is longer).
 */
#include "cx_tz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (86400LL * 1000)
#define MAX_TZIF_BYTES (1 << 20)
#define MAX_OFFSET_S (26 * 3600) /* beyond any zone, past or present */

/* A rule's date: Jn (1..365, February 29 never counted), n (0..365) or
 * Mm.w.d (month, week 1..5 with 5 the last, weekday 0 = Sunday); and the
 * local time of day it takes effect. */
struct rule_date {
  char kind; /* 'J', 'n', 'M' */
  int n, month, week, weekday;
  int32_t time;
};

struct rule {
  bool present;
  int32_t std_off, dst_off; /* seconds east of UTC */
  bool has_dst;
  struct rule_date start, end;
};

struct cx_tz {
  int64_t *times;   /* transitions, seconds since the epoch, ascending */
  uint8_t *types;   /* the type each transition switches to */
  size_t ntimes;
  int32_t *offsets; /* per type, seconds east of UTC */
  size_t ntypes;
  struct rule footer;
};

/* ---- the POSIX TZ string ---- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A zone abbreviation: letters, or <...> of letters, digits and signs. */
static bool parse_name(const char **p) {
  const char *s = *p;
  if (*s == '<') {
    for (s++; is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-'; s++)
      ;
    if (*s != '>' || s == *p + 1)
      return false;
    *p = s + 1;
    return true;
  }
  while (is_alpha(*s))
    s++;
  if (s == *p)
    return false;
  *p = s;
  return true;
}

/* A number of at most max_digits digits, at most max. */
static bool parse_number(const char **p, int max_digits, int max, int *out) {
  int v = 0, n = 0;
  for (; is_digit(**p) && n < max_digits; (*p)++, n++)
    v = v * 10 + (**p - '0');
  if (n == 0 || v > max)
    return false;
  *out = v;
  return true;
}

/* [+-]hh[:mm[:ss]] with hours up to max_hours: seconds (sign applied). */
static bool parse_hms(const char **p, int max_hours, int32_t *out) {
  int sign = 1, h, m = 0, s = 0;
  if (**p == '+' || **p == '-')
    sign = *(*p)++ == '-' ? -1 : 1;
  if (!parse_number(p, 3, max_hours, &h))
    return false;
  if (**p == ':') {
    (*p)++;
    if (!parse_number(p, 2, 59, &m))
      return false;
    if (**p == ':') {
      (*p)++;
      if (!parse_number(p, 2, 59, &s))
        return false;
    }
  }
  *out = sign * (h * 3600 + m * 60 + s);
  return true;
}

static bool parse_rule_date(const char **p, struct rule_date *d) {
  d->time = 2 * 3600;
  if (**p == 'J') {
    (*p)++;
    d->kind = 'J';
    if (!parse_number(p, 3, 365, &d->n) || d->n < 1)
      return false;
  } else if (**p == 'M') {
    (*p)++;
    d->kind = 'M';
    if (!parse_number(p, 2, 12, &d->month) || d->month < 1 || *(*p)++ != '.' ||
        !parse_number(p, 1, 5, &d->week) || d->week < 1 || *(*p)++ != '.' ||
        !parse_number(p, 1, 6, &d->weekday))
      return false;
  } else {
    d->kind = 'n';
    if (!parse_number(p, 3, 365, &d->n))
      return false;
  }
  if (**p == '/') {
    (*p)++;
    return parse_hms(p, 167, &d->time);
  }
  return true;
}

/* std offset [dst [offset] ,start[/time],end[/time]]; "" is no rule. */
static bool parse_rule(const char *s, struct rule *r) {
  *r = (struct rule){0};
  if (*s == '\0')
    return true;
  int32_t west;
  if (!parse_name(&s) || !parse_hms(&s, 24, &west))
    return false;
  r->present = true;
  r->std_off = r->dst_off = -west;
  if (*s == '\0')
    return true;
  if (!parse_name(&s))
    return false;
  r->has_dst = true;
  r->dst_off = r->std_off + 3600;
  if (*s != ',' && *s != '\0') {
    if (!parse_hms(&s, 24, &west))
      return false;
    r->dst_off = -west;
  }
  /* A footer with daylight time states its rule (RFC 8536 3.3): without
   * one, C libraries disagree on what the string means. */
  if (*s++ != ',' || !parse_rule_date(&s, &r->start) || *s++ != ',' ||
      !parse_rule_date(&s, &r->end))
    return false;
  return *s == '\0';
}

static bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since the epoch of rule date d in year y. */
static int64_t rule_day(const struct rule_date *d, int64_t y) {
  int64_t jan1 = cx_days_from_civil(y, 1, 1);
  if (d->kind == 'J')
    return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60);
  if (d->kind == 'n')
    return jan1 + d->n;
  int64_t first = cx_days_from_civil(y, (unsigned)d->month, 1);
  int64_t next = d->month == 12 ? cx_days_from_civil(y + 1, 1, 1)
                                : cx_days_from_civil(y, (unsigned)d->month + 1, 1);
  int wday = (int)(((first % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
  int64_t day = first + (d->weekday - wday + 7) % 7 + (d->week - 1) * 7;
  while (day >= next)
    day -= 7;
  return day;
}

/* The UTC second at which rule date d of year y takes effect, its time
 * being local time at offset `off`. */
static int64_t rule_instant(const struct rule_date *d, int64_t y, int32_t off) {
  return rule_day(d, y) * 86400 + d->time - off;
}

static int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int32_t rule_offset(const struct rule *r, int64_t ts) {
  if (!r->has_dst)
    return r->std_off;
  int64_t y;
  unsigned m, d;
  cx_civil_from_days(floor_div(ts + r->std_off, 86400), &y, &m, &d);
  int64_t start = rule_instant(&r->start, y, r->std_off);
  int64_t end = rule_instant(&r->end, y, r->dst_off);
  bool dst = start < end ? start <= ts && ts < end : !(end <= ts && ts < start);
  return dst ? r->dst_off : r->std_off;
}

/* ---- the TZif file ---- */

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static int64_t be64(const unsigned char *p) {
  return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct header {
  uint32_t isut, isstd, leap, time, type, chars;
};

/* The header at data[0..44), and the size of the block after it with
 * transition times of tsize bytes.  false when it is not a TZif header. */
static bool read_header(const unsigned char *data, size_t len, int tsize,
                        struct header *h, uint64_t *block) {
  if (len < 44 || memcmp(data, "TZif", 4) != 0)
    return false;
  h->isut = be32(data + 20);
  h->isstd = be32(data + 24);
  h->leap = be32(data + 28);
  h->time = be32(data + 32);
  h->type = be32(data + 36);
  h->chars = be32(data + 40);
  if (h->type == 0 || h->type > 256 || (h->isut != 0 && h->isut != h->type) ||
      (h->isstd != 0 && h->isstd != h->type))
    return false;
  *block = (uint64_t)h->time * (uint64_t)(tsize + 1) + (uint64_t)h->type * 6 +
           h->chars + (uint64_t)h->leap * (uint64_t)(tsize + 4) + h->isstd +
           h->isut;
  return *block <= len - 44;
}

static enum cx_status invalid(struct cx_error *err, const char *what) {
  return cx_error_set(err, CX_ERR_INVALID, 0, "not a TZif file: %s", what);
}

enum cx_status cx_tz_from_tzif(const unsigned char *data, size_t len,
                               struct cx_tz **out, struct cx_error *err) {
  *out = NULL;
  struct header h;
  uint64_t block;
  if (!read_header(data, len, 4, &h, &block))
    return invalid(err, "bad header");
  int tsize = 4;
  const unsigned char *footer = NULL;
  if (data[4] >= '2') { /* skip the 32-bit block for the 64-bit one */
    size_t at = 44 + (size_t)block;
    data += at;
    len -= at;
    if (!read_header(data, len, 8, &h, &block))
      return invalid(err, "bad second header");
    tsize = 8;
    footer = data + 44 + block;
  }
  const unsigned char *p = data + 44;

  struct cx_tz *tz = calloc(1, sizeof(*tz));
  if (tz == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory");
  tz->ntimes = h.time;
  tz->ntypes = h.type;
  tz->times = malloc((h.time ? h.time : 1) * sizeof(*tz->times));
  tz->types = malloc(h.time ? h.time : 1);
  tz->offsets = malloc(h.type * sizeof(*tz->offsets));
  if (tz->times == NULL || tz->types == NULL || tz->offsets == NULL) {
    cx_tz_free(tz);
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory");
  }
  const char *bad = NULL;
  for (size_t i = 0; i < h.time && bad == NULL; i++) {
    tz->times[i] = tsize == 8 ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
    if (i > 0 && tz->times[i] <= tz->times[i - 1])
      bad = "transitions out of order";
  }
  p += (size_t)h.time * (size_t)tsize;
  for (size_t i = 0; i < h.time && bad == NULL; i++)
    if ((tz->types[i] = p[i]) >= h.type)
      bad = "transition to a type that does not exist";
  p += h.time;
  for (size_t i = 0; i < h.type && bad == NULL; i++) {
    tz->offsets[i] = (int32_t)be32(p + i * 6);
    if (tz->offsets[i] < -MAX_OFFSET_S || tz->offsets[i] > MAX_OFFSET_S)
      bad = "offset out of range";
  }
  if (bad == NULL && footer != NULL) {
    /* "\n<TZ string>\n" after the 64-bit block. */
    const unsigned char *end = data + len;
    const unsigned char *nl =
        footer < end && *footer == '\n'
            ? memchr(footer + 1, '\n', (size_t)(end - footer - 1))
            : NULL;
    char rule[128];
    size_t n = nl != NULL ? (size_t)(nl - footer - 1) : 0;
    if (nl == NULL || n >= sizeof(rule))
      bad = "no footer";
    else {
      memcpy(rule, footer + 1, n);
      rule[n] = '\0';
      if (memchr(rule, '\0', n) != NULL || !parse_rule(rule, &tz->footer))
        bad = "footer is not a POSIX TZ string";
    }
  }
  if (bad != NULL) {
    cx_tz_free(tz);
    return invalid(err, bad);
  }
  *out = tz;
  return CX_OK;
}

void cx_tz_free(struct cx_tz *tz) {
  if (tz == NULL)
    return;
  free(tz->times);
  free(tz->types);
  free(tz->offsets);
  free(tz);
}

/* Letters, digits and "/_+-." in parts that are not "." or "..". */
static bool is_zone_name(const char *name) {
  if (name[0] == '\0' || name[0] == '/' || strlen(name) > 255)
    return false;
  for (const char *part = name; *part != '\0';) {
    size_t n = strcspn(part, "/");
    if (n == 0 || (n == 1 && part[0] == '.') ||
        (n == 2 && part[0] == '.' && part[1] == '.'))
      return false;
    for (size_t i = 0; i < n; i++)
      if (!is_alpha(part[i]) && !is_digit(part[i]) &&
          strchr("_+-.", part[i]) == NULL)
        return false;
    part += n;
    if (*part == '/')
      part++;
  }
  return true;
}

enum cx_status cx_tz_load(const char *name, struct cx_tz **out,
                          struct cx_error *err) {
  *out = NULL;
  if (strcmp(name, "UTC") == 0) {
    struct cx_tz *tz = calloc(1, sizeof(*tz));
    int32_t *zero = calloc(1, sizeof(*zero));
    if (tz == NULL || zero == NULL) {
      free(tz);
      free(zero);
      return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory");
    }
    tz->offsets = zero;
    tz->ntypes = 1;
    *out = tz;
    return CX_OK;
  }
  if (!is_zone_name(name))
    return cx_error_set(err, CX_ERR_INVALID, 0,
                        "\"%s\" is not a time zone name (an IANA name such "
                        "as \"Europe/Paris\", or \"UTC\")", name);
  const char *dir = getenv("TZDIR");
  char path[512];
  snprintf(path, sizeof(path), "%s/%s",
           dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo", name);
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0,
                        "time zone \"%s\": cannot read %s (is tzdata "
                        "installed?)", name, path);
  unsigned char *data = malloc(MAX_TZIF_BYTES);
  size_t len = data != NULL ? fread(data, 1, MAX_TZIF_BYTES, f) : 0;
  bool complete = data != NULL && !ferror(f) && len < MAX_TZIF_BYTES;
  fclose(f);
  enum cx_status st;
  if (data == NULL)
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory");
  else if (!complete)
    st = cx_error_set(err, CX_ERR_INVALID, 0,
                      "time zone \"%s\": %s is not a zone file", name, path);
  else if ((st = cx_tz_from_tzif(data, len, out, err)) == CX_ERR_INVALID) {
    char why[sizeof(err->message)];
    snprintf(why, sizeof(why), "%s", err->message);
    cx_error_set(err, CX_ERR_INVALID, 0, "time zone \"%s\": %s: %s", name,
                 path, why);
  }
  free(data);
  return st;
}

/* ---- answers ---- */

int32_t cx_tz_offset(const struct cx_tz *tz, cx_ms_t t) {
  int64_t ts = floor_div(t, 1000);
  if (tz->ntimes == 0)
    return tz->footer.present ? rule_offset(&tz->footer, ts) : tz->offsets[0];
  if (ts < tz->times[0])
    return tz->offsets[0];
  size_t lo = 0, hi = tz->ntimes; /* the last transition at or before ts */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (tz->times[mid] <= ts)
      lo = mid;
    else
      hi = mid;
  }
  if (lo == tz->ntimes - 1 && tz->footer.present)
    return rule_offset(&tz->footer, ts);
  return tz->offsets[tz->types[lo]];
}

static int64_t local_day(const struct cx_tz *tz, cx_ms_t t) {
  return floor_div(t + (cx_ms_t)cx_tz_offset(tz, t) * 1000, DAY_MS);
}

cx_ms_t cx_tz_day_start(const struct cx_tz *tz, cx_ms_t t) {
  int64_t today = local_day(tz, t);
  cx_ms_t lo = t - 50 * 3600 * 1000LL, hi = t; /* day(lo) < today <= day(hi) */
  if (local_day(tz, lo) >= today)
    return lo;
  while (hi - lo > 1) {
    cx_ms_t mid = lo + (hi - lo) / 2;
    if (local_day(tz, mid) >= today)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}
