/*
 * cx_time.h: instants and durations as CXone writes them.
 *
 * The library keeps every instant as milliseconds since the Unix epoch (UTC)
 * and every duration as milliseconds, in a signed 64-bit integer (cx_ms_t).
 * Integer milliseconds keep ledger sums exact: no floating-point drift over a
 * day of additions and subtractions.  CXone sends instants as ISO-8601 strings
 * ("2024-05-01T00:03:12.450Z") and durations as ISO-8601 durations
 * ("PT4M10.25S") or, in older API versions, as plain seconds.
 */
#ifndef CX_TIME_H
#define CX_TIME_H

#include "cx_error.h"

#include <stddef.h>
#include <stdint.h>

typedef int64_t cx_ms_t;

/* Largest value, used as "open ended" (a state that has not ended yet). */
#define CX_MS_INFINITY INT64_MAX

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" plus the terminating NUL. */
#define CX_ISO8601_SIZE 25

/* Parses an ISO-8601 / RFC 3339 instant: date, 'T' (or ' '), time with
 * optional fraction (any number of digits; kept to the millisecond, rounded
 * down), and 'Z', "+hh:mm", "+hhmm" or no zone (taken as UTC).
 * CX_OK, or CX_ERR_INVALID for malformed input. */
enum cx_status cx_time_parse(const char *s, cx_ms_t *out);

/* Formats t as "YYYY-MM-DDTHH:MM:SS.mmmZ".  CX_OK, or CX_ERR_INVALID when
 * size is smaller than CX_ISO8601_SIZE or t is outside years 0000-9999. */
enum cx_status cx_time_format(cx_ms_t t, char *buf, size_t size);

/* Parses a non-negative duration: ISO-8601 "PnDTnHnMn.nS" (also "PnW"; any
 * component may carry a fraction; years and months are rejected since their
 * length is ambiguous) or a plain decimal number of seconds ("250.5").
 * CX_OK, or CX_ERR_INVALID for malformed, negative or overflowing input. */
enum cx_status cx_duration_parse(const char *s, cx_ms_t *out);

/* Formats d (>= 0) as an ISO-8601 duration, e.g. "PT1H2M3.450S", "PT0S".
 * CX_OK, or CX_ERR_INVALID when it does not fit in size. */
enum cx_status cx_duration_format(cx_ms_t d, char *buf, size_t size);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day
 * 1..31), and back. */
int64_t cx_days_from_civil(int64_t year, unsigned month, unsigned day);
void cx_civil_from_days(int64_t days, int64_t *year, unsigned *month,
                        unsigned *day);

/* Wall clock now, in milliseconds since the epoch. */
cx_ms_t cx_now_ms(void);

#endif /* CX_TIME_H */
