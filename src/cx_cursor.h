/*
 * cx_cursor.h: the arithmetic of the history walk, as pure functions of
 * times (no clock, no I/O): where a fetch starts, how far history lags,
 * what history is final, whether an agent's window is known, and the span
 * of a backfill request.  cx_poll.c's design comment says why; t_cursor.c
 * checks each rule on a fake clock.
 *
 * Times are cx_ms_t on the poller's clock; CX_CURSOR_NONE is "never".
 */
#ifndef CX_CURSOR_H
#define CX_CURSOR_H

#include "cx_time.h"

#include <stdbool.h>
#include <stdint.h>

#define CX_CURSOR_NONE INT64_MIN

/* The smallest backfill request span: halving stops here. */
#define CX_CURSOR_MIN_CHUNK ((cx_ms_t)5 * 60 * 1000)

/* Where a fetch that goes on from `cursor` (the end of the last one)
 * starts: back by the measured lag plus two intervals of margin, and never
 * by more than max_overlap. */
cx_ms_t cx_cursor_fetch_from(cx_ms_t cursor, cx_ms_t lag, cx_ms_t interval,
                             cx_ms_t max_overlap);

/* The lag after a fetch that reached the present: `done` is when its
 * answer was complete, `newest` the latest instant reached by a record that
 * brought something new (CX_CURSOR_NONE when none did).  Every such
 * measurement bounds the true lag from above, so the latest one is kept;
 * an answer without news keeps the previous estimate.  In [0, max_lag]. */
cx_ms_t cx_cursor_lag(cx_ms_t lag, cx_ms_t done, cx_ms_t newest,
                      cx_ms_t max_lag);

/* How far history is final after a fetch of [.., end) answered by `done`
 * with the lag estimate: what the server knew then, no later than what was
 * asked for, and never earlier than before (final_prev). */
cx_ms_t cx_cursor_final(cx_ms_t final_prev, cx_ms_t end, cx_ms_t done,
                        cx_ms_t lag);

/* Whether every instant of an agent's window [window_start, ..] is known:
 * from history up to `final`, and from real-time polling since first_live
 * (the start of the first real-time state seen; CX_CURSOR_NONE: never seen
 * in real time, history is all there is). */
bool cx_cursor_covered(cx_ms_t first_live, cx_ms_t final,
                       cx_ms_t window_start);

/* Backfill request span after a failed request (halved, not below
 * CX_CURSOR_MIN_CHUNK unless configured smaller) and after a good one
 * (doubled, up to the configured span). */
cx_ms_t cx_cursor_chunk_failed(cx_ms_t chunk);
cx_ms_t cx_cursor_chunk_ok(cx_ms_t chunk, cx_ms_t configured);

#endif /* CX_CURSOR_H */
