/*
 * t_ledger_iter.c: cx_ledger_foreach, by hand-worked cases and against
 * cx_ledger_durations on randomised timelines (the spans it lists must add
 * up, per state and reason, to the durations the plugin dispatches).
 */
#include "cx_ledger.h"
#include "unit.h"

#include <stdlib.h>

#define S(x) ((cx_ms_t)(x) * 1000)

struct span {
  int state;
  size_t reason;
  cx_ms_t start, end;
};

struct spans {
  struct span v[256];
  size_t n;
  int stop_after; /* return 1 after this many spans; 0: never */
};

static int collect(void *ctx, int state, size_t reason, cx_ms_t start,
                   cx_ms_t end) {
  struct spans *s = ctx;
  if (s->n < sizeof(s->v) / sizeof(s->v[0]))
    s->v[s->n++] = (struct span){state, reason, start, end};
  return s->stop_after > 0 && (int)s->n >= s->stop_after;
}

static void test_clipped_in_order(void) {
  struct cx_ledger *l = cx_ledger_create(S(100));
  /* History out of order; a live item cut by a later history record; a gap. */
  CHECK_EQ_INT(cx_ledger_add(l, 7, CX_STATE_INBOUND_CONTACT, NULL, S(50), S(90), CX_SOURCE_HISTORY), 0);
  CHECK_EQ_INT(cx_ledger_add(l, 7, CX_STATE_AVAILABLE, NULL, S(0), S(50), CX_SOURCE_HISTORY), 0);
  CHECK_EQ_INT(cx_ledger_add(l, 7, CX_STATE_UNAVAILABLE, "Break", S(95), CX_MS_INFINITY, CX_SOURCE_LIVE), 0);
  CHECK_EQ_INT(cx_ledger_add(l, 7, CX_STATE_AVAILABLE, NULL, S(130), CX_MS_INFINITY, CX_SOURCE_LIVE), 0);
  struct spans s = {.n = 0};
  CHECK_EQ_INT(cx_ledger_foreach(l, 0, S(20), S(140), collect, &s), 0);
  CHECK_EQ_INT(s.n, 5);
  CHECK_EQ_INT(s.v[0].state, CX_STATE_AVAILABLE);
  CHECK_EQ_INT(s.v[0].start, S(20)); /* clipped at from */
  CHECK_EQ_INT(s.v[0].end, S(50));
  CHECK_EQ_INT(s.v[1].state, CX_STATE_INBOUND_CONTACT);
  CHECK_EQ_INT(s.v[1].end, S(90));
  CHECK_EQ_INT(s.v[2].state, CX_STATE_LOGGED_OUT); /* the gap [90, 95) */
  CHECK_EQ_INT(s.v[2].start, S(90));
  CHECK_EQ_INT(s.v[2].end, S(95));
  CHECK_EQ_INT(s.v[3].state, CX_STATE_UNAVAILABLE);
  CHECK_EQ_STR(cx_ledger_reason_name(l, s.v[3].reason), "Break");
  CHECK_EQ_INT(s.v[3].start, S(95));
  CHECK_EQ_INT(s.v[3].end, S(130)); /* open item cut by the next one */
  CHECK_EQ_INT(s.v[4].start, S(130));
  CHECK_EQ_INT(s.v[4].end, S(140)); /* open last item clipped at to */

  /* A range inside one item; a range with nothing in it; early stop. */
  s.n = 0;
  cx_ledger_foreach(l, 0, S(60), S(70), collect, &s);
  CHECK_EQ_INT(s.n, 1);
  CHECK_EQ_INT(s.v[0].start, S(60));
  CHECK_EQ_INT(s.v[0].end, S(70));
  s.n = 0;
  cx_ledger_foreach(l, 0, S(91), S(94), collect, &s);
  CHECK_EQ_INT(s.n, 1); /* inside the gap */
  CHECK_EQ_INT(s.v[0].state, CX_STATE_LOGGED_OUT);
  s.n = 0;
  cx_ledger_foreach(l, 0, S(-20), S(-10), collect, &s);
  CHECK_EQ_INT(s.n, 0); /* before the first item nothing is known */
  s = (struct spans){.stop_after = 2};
  CHECK_EQ_INT(cx_ledger_foreach(l, 0, S(0), S(200), collect, &s), 1);
  CHECK_EQ_INT(s.n, 2);
  cx_ledger_destroy(l);
}

/* Random timelines fed in shuffled, repeated and split between sources;
 * the spans' sums must equal cx_ledger_durations at several instants. */
static void test_sums_equal_durations(void) {
  static const char *reasons[] = {NULL, "Break", "Lunch", "After Call Work"};
  srand(12345);
  for (int round = 0; round < 200; round++) {
    cx_ms_t window = S(50 + rand() % 200);
    struct cx_ledger *l = cx_ledger_create(window);
    struct { int state; const char *reason; cx_ms_t start, end; } tl[60];
    size_t n = 1 + (size_t)(rand() % 60);
    cx_ms_t t = rand() % 1000;
    for (size_t i = 0; i < n; i++) {
      tl[i].state = rand() % CX_STATE_COUNT;
      tl[i].reason = tl[i].state == CX_STATE_UNAVAILABLE ? reasons[rand() % 4] : NULL;
      tl[i].start = t;
      t += 1 + rand() % 40000;
      tl[i].end = (rand() % 8 == 0) ? t - rand() % 500 : t; /* some gaps */
    }
    for (size_t k = 0; k < 2 * n; k++) {
      size_t i = (size_t)rand() % n;
      bool live = rand() % 3 == 0;
      cx_ledger_add(l, 42, tl[i].state, tl[i].reason, tl[i].start,
                    live ? CX_MS_INFINITY : tl[i].end,
                    live ? CX_SOURCE_LIVE : CX_SOURCE_HISTORY);
    }
    for (size_t i = 0; i < n; i++)
      cx_ledger_add(l, 42, tl[i].state, tl[i].reason, tl[i].start, tl[i].end,
                    CX_SOURCE_HISTORY);
    for (int q = 0; q < 4; q++) {
      cx_ms_t now = tl[0].start + rand() % (t - tl[0].start + 20000);
      cx_ms_t base[CX_STATE_COUNT], reason_ms[8] = {0};
      cx_ledger_durations(l, 0, now, base, reason_ms);
      struct spans s = {.n = 0};
      cx_ledger_foreach(l, 0, now - window, now, collect, &s);
      cx_ms_t sum[CX_STATE_COUNT] = {0}, rsum[8] = {0};
      bool ordered = true;
      for (size_t i = 0; i < s.n; i++) {
        sum[s.v[i].state] += s.v[i].end - s.v[i].start;
        rsum[s.v[i].reason] += s.v[i].end - s.v[i].start;
        if (i > 0 && s.v[i].start < s.v[i - 1].end)
          ordered = false;
      }
      CHECK(ordered);
      for (int st = 0; st < CX_STATE_COUNT; st++)
        CHECK_EQ_INT(sum[st], base[st]);
      for (size_t r = 1; r <= cx_ledger_reason_count(l); r++)
        CHECK_EQ_INT(rsum[r], reason_ms[r]);
    }
    cx_ledger_destroy(l);
  }
}

int main(void) {
  RUN(test_clipped_in_order);
  RUN(test_sums_equal_durations);
  return unit_finish();
}
