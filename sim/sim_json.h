/*
 * sim_json.h: value helpers shared by the JSON renderers (instants,
 * seconds, durations, nullable values, the `fields` projection) and the
 * query-argument parsers.  A leaf: implemented in sim_json.c.
 */
#ifndef SIM_JSON_H
#define SIM_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "cx_time.h"

/* ISO-8601 instant "YYYY-MM-DDTHH:MM:SS.mmmZ". */
struct json_object *sim_json_time(cx_ms_t t);
/* Milliseconds as a JSON number of seconds written with exactly 3 decimals. */
struct json_object *sim_json_seconds(cx_ms_t ms);
/* A duration per --duration-format. */
struct json_object *sim_json_duration(cx_ms_t ms);
/* Nullable integers and strings. */
struct json_object *sim_json_int_or_null(int64_t v, bool present);
struct json_object *sim_json_str_or_null(const char *s);

/* "fields=a,b" projection: a new object with only the listed keys (compared
 * case-insensitively); obj is consumed.  fields NULL or empty: obj itself. */
struct json_object *sim_json_project(struct json_object *obj,
                                     const char *fields);

/* Parses an instant: ISO-8601 or, when allow_epoch, epoch seconds with an
 * optional fraction.  Returns 0 or -1. */
int sim_parse_time(const char *s, bool allow_epoch, cx_ms_t *out);
/* Parses a decimal integer in [min, max].  Returns 0 or -1. */
int sim_parse_long(const char *s, long min, long max, long *out);
/* Parses non-negative seconds with an optional fraction into ms. */
int sim_parse_seconds(const char *s, cx_ms_t *out);

#endif /* SIM_JSON_H */
