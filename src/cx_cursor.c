/*
 * cx_cursor.c: history walk arithmetic (see cx_cursor.h).
 */
#include "cx_cursor.h"

static cx_ms_t min_ms(cx_ms_t a, cx_ms_t b) { return a < b ? a : b; }
static cx_ms_t max_ms(cx_ms_t a, cx_ms_t b) { return a > b ? a : b; }

cx_ms_t cx_cursor_fetch_from(cx_ms_t cursor, cx_ms_t lag, cx_ms_t interval,
                             cx_ms_t max_overlap) {
  cx_ms_t back = max_ms(0, lag) + 2 * max_ms(0, interval);
  return cursor - min_ms(back, max_ms(0, max_overlap));
}

cx_ms_t cx_cursor_lag(cx_ms_t lag, cx_ms_t done, cx_ms_t newest,
                      cx_ms_t max_lag) {
  cx_ms_t l = newest == CX_CURSOR_NONE ? lag : done - newest;
  return max_ms(0, min_ms(l, max_ms(0, max_lag)));
}

cx_ms_t cx_cursor_final(cx_ms_t final_prev, cx_ms_t end, cx_ms_t done,
                        cx_ms_t lag) {
  return max_ms(final_prev, min_ms(end, done - max_ms(0, lag)));
}

bool cx_cursor_covered(cx_ms_t first_live, cx_ms_t final,
                       cx_ms_t window_start) {
  return first_live == CX_CURSOR_NONE || first_live <= window_start ||
         (final != CX_CURSOR_NONE && first_live <= final);
}

cx_ms_t cx_cursor_chunk_failed(cx_ms_t chunk) {
  return chunk / 2 >= CX_CURSOR_MIN_CHUNK ? chunk / 2 : chunk;
}

cx_ms_t cx_cursor_chunk_ok(cx_ms_t chunk, cx_ms_t configured) {
  return chunk < configured / 2 ? chunk * 2 : configured;
}
