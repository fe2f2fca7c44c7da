/*
 * t_cursor.c: the history walk's arithmetic (cx_cursor), rule by rule, on a
 * fake clock: a server whose history knows the timelines up to now - lag.
 */
#include "cx_cursor.h"
#include "unit.h"

#define S(x) ((cx_ms_t)(x) * 1000)

static void test_fetch_from(void) {
  /* Back by lag + two intervals... */
  CHECK_EQ_INT(cx_cursor_fetch_from(S(1000), S(30), S(5), S(600)), S(960));
  /* ...never by more than the overlap, and never forward. */
  CHECK_EQ_INT(cx_cursor_fetch_from(S(1000), S(3000), S(5), S(600)), S(400));
  CHECK_EQ_INT(cx_cursor_fetch_from(S(1000), -S(50), -S(5), S(600)), S(1000));
  CHECK_EQ_INT(cx_cursor_fetch_from(S(1000), S(30), S(5), 0), S(1000));
}

/* The server's history at `now` reaches now - true_lag; a busy tenant's
 * newest new record ends a moment before that, a quiet one's long before,
 * and an answer without news says nothing.  The estimate never falls
 * below the true lag and follows it when it changes. */
static void test_lag_follows_the_server(void) {
  cx_ms_t lag = S(600); /* unmeasured: the maximum */
  cx_ms_t now = S(100000), true_lag = S(120);
  for (int cycle = 0; cycle < 50; cycle++, now += S(5)) {
    cx_ms_t newest = cycle % 3 == 2 ? CX_CURSOR_NONE /* no news */
                                    : now - true_lag - S(cycle % 4);
    lag = cx_cursor_lag(lag, now, newest, S(600));
    CHECK(lag >= true_lag);
    CHECK(lag <= true_lag + S(5));
  }
  /* Empty answers keep it: they do not push it to the maximum. */
  for (int cycle = 0; cycle < 50; cycle++, now += S(5))
    lag = cx_cursor_lag(lag, now, CX_CURSOR_NONE, S(600));
  CHECK(lag >= true_lag && lag <= true_lag + S(5));
  /* The server slows down: the first news measures the new lag. */
  true_lag = S(300);
  lag = cx_cursor_lag(lag, now, now - true_lag - S(1), S(600));
  CHECK_EQ_INT(lag, S(301));
  /* Clamped to [0, max]. */
  CHECK_EQ_INT(cx_cursor_lag(lag, now, now + S(10), S(600)), 0);
  CHECK_EQ_INT(cx_cursor_lag(lag, now, now - S(7200), S(600)), S(600));
}

static void test_final(void) {
  cx_ms_t f = CX_CURSOR_NONE;
  /* A chunk far in the past is final up to its end. */
  f = cx_cursor_final(f, S(1000), S(90000), S(600));
  CHECK_EQ_INT(f, S(1000));
  /* A fetch reaching the present: what the server knew then. */
  f = cx_cursor_final(f, S(90000), S(90001), S(120));
  CHECK_EQ_INT(f, S(89881));
  /* Never backwards (a re-read of an earlier range, a larger lag). */
  CHECK_EQ_INT(cx_cursor_final(f, S(50000), S(90010), S(120)), S(89881));
  CHECK_EQ_INT(cx_cursor_final(f, S(90005), S(90006), S(600)), S(89881));
}

static void test_covered(void) {
  cx_ms_t ws = S(10000);
  /* History final past the first real-time state's start. */
  CHECK(cx_cursor_covered(S(50000), S(50000), ws));
  CHECK(!cx_cursor_covered(S(50001), S(50000), ws));
  /* The first real-time state began before the window: live covers it. */
  CHECK(cx_cursor_covered(S(9000), CX_CURSOR_NONE, ws));
  /* Never seen in real time: history is all there is. */
  CHECK(cx_cursor_covered(CX_CURSOR_NONE, CX_CURSOR_NONE, ws));
  /* Seen, no history final yet. */
  CHECK(!cx_cursor_covered(S(20000), CX_CURSOR_NONE, ws));
}

static void test_chunk(void) {
  cx_ms_t c = S(7200);
  c = cx_cursor_chunk_failed(c);
  CHECK_EQ_INT(c, S(3600));
  for (int i = 0; i < 10; i++)
    c = cx_cursor_chunk_failed(c);
  CHECK_EQ_INT(c, S(450)); /* 450 / 2 < 300: stops */
  /* Grows back after good answers, up to the configured span. */
  for (int i = 0; i < 3; i++)
    c = cx_cursor_chunk_ok(c, S(7200));
  CHECK_EQ_INT(c, S(3600));
  c = cx_cursor_chunk_ok(c, S(7200));
  CHECK_EQ_INT(c, S(7200));
  CHECK_EQ_INT(cx_cursor_chunk_ok(c, S(7200)), S(7200));
  /* A configured span below the minimum is kept, not halved. */
  CHECK_EQ_INT(cx_cursor_chunk_failed(S(200)), S(200));
}

int main(void) {
  RUN(test_fetch_from);
  RUN(test_lag_follows_the_server);
  RUN(test_final);
  RUN(test_covered);
  RUN(test_chunk);
  return unit_finish();
}
