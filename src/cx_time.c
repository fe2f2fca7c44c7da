/*
 * cx_time.c: ISO-8601 instants and durations <-> integer milliseconds.
 *
 * Owns the calendar arithmetic of the project (cx_tz builds local time on
 * it).  Calendar conversion is done with days-from-civil arithmetic (no
 * timegm, no TZ environment), so results do not depend on the process's
 * locale or time zone and the code is reentrant.
 */
#include "cx_time.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

int64_t cx_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void cx_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Reads exactly n digits. */
static bool read_digits(const char **p, int n, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit((*p)[i]))
      return false;
    v = v * 10 + (unsigned)((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return true;
}

/* Reads ".ddd..." (or ",ddd") and returns milliseconds, truncated. */
static int64_t read_fraction_ms(const char **p) {
  if (**p != '.' && **p != ',')
    return 0;
  (*p)++;
  int64_t ms = 0;
  int n = 0;
  while (is_digit(**p)) {
    if (n < 3)
      ms = ms * 10 + (**p - '0');
    n++;
    (*p)++;
  }
  for (; n < 3; n++)
    ms *= 10;
  return ms;
}

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dm[m - 1];
}

enum cx_status cx_time_parse(const char *s, cx_ms_t *out) {
  unsigned y, mo, d, h, mi, sec;
  const char *p = s;

  if (s == NULL || out == NULL)
    return CX_ERR_INVALID;
  if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) ||
      *p++ != '-' || !read_digits(&p, 2, &d))
    return CX_ERR_INVALID;
  if (*p != 'T' && *p != 't' && *p != ' ')
    return CX_ERR_INVALID;
  p++;
  if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi))
    return CX_ERR_INVALID;
  sec = 0;
  if (*p == ':') {
    p++;
    if (!read_digits(&p, 2, &sec))
      return CX_ERR_INVALID;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
      mi > 59 || sec > 60)
    return CX_ERR_INVALID;
  int64_t frac = read_fraction_ms(&p);

  int64_t offset_s = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    unsigned oh, om = 0;
    p++;
    if (!read_digits(&p, 2, &oh))
      return CX_ERR_INVALID;
    if (*p == ':')
      p++;
    if (is_digit(*p) && !read_digits(&p, 2, &om))
      return CX_ERR_INVALID;
    if (oh > 23 || om > 59)
      return CX_ERR_INVALID;
    offset_s = sign * (int64_t)(oh * 3600 + om * 60);
  }
  if (*p != '\0')
    return CX_ERR_INVALID;

  int64_t days = cx_days_from_civil(y, mo, d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  *out = secs * 1000 + frac;
  return CX_OK;
}

enum cx_status cx_time_format(cx_ms_t t, char *buf, size_t size) {
  if (buf == NULL || size < CX_ISO8601_SIZE)
    return CX_ERR_INVALID;
  int64_t secs = t / 1000, ms = t % 1000;
  if (ms < 0) {
    ms += 1000;
    secs--;
  }
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  int64_t y;
  unsigned m, d;
  cx_civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999)
    return CX_ERR_INVALID;
  snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)y, m, d,
           (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)ms);
  return CX_OK;
}

/* Reads a decimal number "123" or "123.456" as thousandths. */
static bool read_decimal_milli(const char **p, int64_t *out) {
  int64_t whole = 0;
  if (!is_digit(**p))
    return false;
  while (is_digit(**p)) {
    if (whole > (INT64_MAX / 1000 - 9) / 10)
      return false;
    whole = whole * 10 + (**p - '0');
    (*p)++;
  }
  *out = whole * 1000 + read_fraction_ms(p);
  return true;
}

static bool add_scaled(int64_t *acc, int64_t milli_units, int64_t unit_ms) {
  /* milli_units is a count of thousandths of the unit. */
  if (milli_units > INT64_MAX / unit_ms)
    return false;
  int64_t v = milli_units * unit_ms / 1000;
  if (*acc > INT64_MAX - v)
    return false;
  *acc += v;
  return true;
}

enum cx_status cx_duration_parse(const char *s, cx_ms_t *out) {
  const char *p = s;
  int64_t total = 0, v;

  if (s == NULL || out == NULL)
    return CX_ERR_INVALID;
  if (*p != 'P' && *p != 'p') {
    /* Plain seconds, as older API versions send. */
    if (!read_decimal_milli(&p, &v) || *p != '\0')
      return CX_ERR_INVALID;
    *out = v;
    return CX_OK;
  }
  p++;
  bool in_time = false, any = false;
  /* Units must appear in order: W/D before T, then H, M, S. */
  int last_rank = -1;
  while (*p != '\0') {
    if (*p == 'T' || *p == 't') {
      if (in_time)
        return CX_ERR_INVALID;
      in_time = true;
      p++;
      continue;
    }
    if (!read_decimal_milli(&p, &v))
      return CX_ERR_INVALID;
    char unit = *p++;
    int rank;
    int64_t unit_ms;
    if (!in_time && (unit == 'W' || unit == 'w')) {
      rank = 0;
      unit_ms = 7 * 86400000LL;
    } else if (!in_time && (unit == 'D' || unit == 'd')) {
      rank = 1;
      unit_ms = 86400000LL;
    } else if (in_time && (unit == 'H' || unit == 'h')) {
      rank = 2;
      unit_ms = 3600000LL;
    } else if (in_time && (unit == 'M' || unit == 'm')) {
      rank = 3;
      unit_ms = 60000LL;
    } else if (in_time && (unit == 'S' || unit == 's')) {
      rank = 4;
      unit_ms = 1000LL;
    } else {
      return CX_ERR_INVALID; /* years, months, or a misplaced unit */
    }
    if (rank <= last_rank || !add_scaled(&total, v, unit_ms))
      return CX_ERR_INVALID;
    last_rank = rank;
    any = true;
  }
  if (!any)
    return CX_ERR_INVALID;
  *out = total;
  return CX_OK;
}

enum cx_status cx_duration_format(cx_ms_t d, char *buf, size_t size) {
  if (buf == NULL || d < 0)
    return CX_ERR_INVALID;
  int64_t h = d / 3600000, m = d / 60000 % 60, s = d / 1000 % 60, ms = d % 1000;
  char *p = buf;
  size_t left = size;
  int n = snprintf(p, left, "PT");
  if (h > 0 && n >= 0 && (size_t)n < left) {
    p += n;
    left -= (size_t)n;
    n = snprintf(p, left, "%lldH", (long long)h);
  }
  if (m > 0 && n >= 0 && (size_t)n < left) {
    p += n;
    left -= (size_t)n;
    n = snprintf(p, left, "%lldM", (long long)m);
  }
  if ((s > 0 || ms > 0 || d == 0) && n >= 0 && (size_t)n < left) {
    p += n;
    left -= (size_t)n;
    n = ms ? snprintf(p, left, "%lld.%03lldS", (long long)s, (long long)ms)
           : snprintf(p, left, "%lldS", (long long)s);
  }
  return n >= 0 && (size_t)n < left ? CX_OK : CX_ERR_INVALID;
}

cx_ms_t cx_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (cx_ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
