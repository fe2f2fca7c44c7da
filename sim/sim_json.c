/*
 * sim_json.c: small value helpers shared by the JSON renderers and the
 * query-argument parsers (instants, seconds, nullable values, projection).
 */
#include "sim.h"
#include "sim_json.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct json_object *sim_json_time(cx_ms_t t) {
  char buf[CX_ISO8601_SIZE];
  if (cx_time_format(t, buf, sizeof buf) != 0)
    return NULL;
  return json_object_new_string(buf);
}

struct json_object *sim_json_seconds(cx_ms_t ms) {
  char buf[32];
  snprintf(buf, sizeof buf, "%s%lld.%03lld", ms < 0 ? "-" : "",
           llabs(ms) / 1000, llabs(ms) % 1000);
  return json_object_new_double_s((double)ms / 1000.0, buf);
}

struct json_object *sim_json_duration(cx_ms_t ms) {
  if (sim_cfg.duration_seconds)
    return sim_json_seconds(ms);
  char buf[48];
  if (cx_duration_format(ms, buf, sizeof buf) != 0)
    return NULL;
  return json_object_new_string(buf);
}

struct json_object *sim_json_int_or_null(int64_t v, bool present) {
  return present ? json_object_new_int64(v) : NULL;
}

struct json_object *sim_json_str_or_null(const char *s) {
  return s ? json_object_new_string(s) : NULL;
}

/* Whether key is one of the comma-separated names in list. */
static bool in_list(const char *list, const char *key) {
  size_t klen = strlen(key);
  for (const char *p = list; *p;) {
    while (*p == ' ' || *p == ',')
      p++;
    const char *e = p;
    while (*e && *e != ',')
      e++;
    const char *t = e;
    while (t > p && t[-1] == ' ')
      t--;
    if ((size_t)(t - p) == klen && klen > 0 && strncasecmp(p, key, klen) == 0)
      return true;
    p = e;
  }
  return false;
}

struct json_object *sim_json_project(struct json_object *obj,
                                     const char *fields) {
  if (fields == NULL || *fields == '\0')
    return obj;
  struct json_object *out = json_object_new_object();
  json_object_object_foreach(obj, key, val) {
    if (in_list(fields, key))
      json_object_object_add(out, key, json_object_get(val));
  }
  json_object_put(obj);
  return out;
}

int sim_parse_seconds(const char *s, cx_ms_t *out) {
  if (s == NULL || *s < '0' || *s > '9')
    return -1;
  cx_ms_t whole = 0, frac = 0;
  const char *p = s;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (whole > (INT64_MAX / 1000 - 9) / 10)
      return -1;
    whole = whole * 10 + (*p - '0');
  }
  if (*p == '.') {
    int n = 0;
    for (p++; *p >= '0' && *p <= '9'; p++, n++)
      if (n < 3)
        frac = frac * 10 + (*p - '0');
    if (n == 0)
      return -1;
    for (; n < 3; n++)
      frac *= 10;
  }
  if (*p != '\0')
    return -1;
  *out = whole * 1000 + frac;
  return 0;
}

int sim_parse_time(const char *s, bool allow_epoch, cx_ms_t *out) {
  if (s == NULL)
    return -1;
  if (allow_epoch && strchr(s, '-') == NULL && sim_parse_seconds(s, out) == 0)
    return 0;
  return cx_time_parse(s, out) == 0 ? 0 : -1;
}

int sim_parse_long(const char *s, long min, long max, long *out) {
  if (s == NULL || *s == '\0')
    return -1;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}
