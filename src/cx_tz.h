/*
 * cx_tz.h: IANA time zones, for the calendar-day figures ("today").
 *
 * A zone is read once from the system's zoneinfo (TZif files, RFC 8536) and
 * then answered from memory: the UTC offset at an instant, and where the
 * local calendar day of an instant began.  Nothing here touches the TZ
 * environment or localtime(), so tenants in different zones can be polled
 * from parallel read threads.
 */
#ifndef CX_TZ_H
#define CX_TZ_H

#include "cx_error.h"
#include "cx_time.h"

#include <stddef.h>
#include <stdint.h>

struct cx_tz;

/* Loads zone `name`: "UTC", or an IANA name such as "Europe/Paris", from
 * $TZDIR or /usr/share/zoneinfo.  CX_ERR_INVALID (err says why) for a
 * name that is not a zone: empty, absolute, with a ".." part or characters
 * no zone name has, missing, or not a TZif file; CX_ERR_NOMEM. */
enum cx_status cx_tz_load(const char *name, struct cx_tz **tz,
                          struct cx_error *err);

/* The zone a TZif file's bytes describe (what cx_tz_load reads), for tests
 * and the fuzzer.  CX_ERR_INVALID when they are not one. */
enum cx_status cx_tz_from_tzif(const unsigned char *data, size_t len,
                               struct cx_tz **tz, struct cx_error *err);

void cx_tz_free(struct cx_tz *tz);

/* Seconds east of UTC at instant t, within 26 hours either way (RFC
 * 8536's bounds; tz NULL: UTC, as below). */
int32_t cx_tz_offset(const struct cx_tz *tz, cx_ms_t t);

/* The first instant of t's local calendar day: its local midnight, or,
 * where a transition skips midnight, the moment the day began. */
cx_ms_t cx_tz_day_start(const struct cx_tz *tz, cx_ms_t t);

#endif /* CX_TZ_H */
