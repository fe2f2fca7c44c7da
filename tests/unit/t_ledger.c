/*
 * t_ledger.c: the ledger against hand-worked cases and a brute-force oracle.
 *
 * The oracle walks a true timeline millisecond span by span; the ledger gets
 * the same timeline as an API would deliver it: shuffled, repeated, split
 * between history and live observations, with open and partial records.
 */
#include "cx_ledger.h"
#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define S(x) ((cx_ms_t)(x) * 1000)

static void durations(struct cx_ledger *l, int64_t agent, cx_ms_t now,
                      cx_ms_t *base, cx_ms_t *reasons) {
  long i = cx_ledger_agent_index(l, agent);
  CHECK(i >= 0);
  if (i >= 0)
    cx_ledger_durations(l, (size_t)i, now, base, reasons);
}

static void test_straddle_and_clip(void) {
  struct cx_ledger *l = cx_ledger_create(S(100));
  cx_ms_t b[CX_STATE_COUNT];
  /* Available [0,50) straddles the window start at now=120 (ws=20). */
  CHECK_EQ_INT(cx_ledger_add(l, 1, CX_STATE_AVAILABLE, NULL, S(0), S(50), CX_SOURCE_HISTORY), 0);
  CHECK_EQ_INT(cx_ledger_add(l, 1, CX_STATE_INBOUND_CONTACT, NULL, S(50), S(90), CX_SOURCE_HISTORY), 0);
  CHECK_EQ_INT(cx_ledger_add(l, 1, CX_STATE_AVAILABLE, NULL, S(90), CX_MS_INFINITY, CX_SOURCE_LIVE), 0);
  cx_ledger_advance(l, S(120));
  durations(l, 1, S(120), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(30 + 30));
  CHECK_EQ_INT(b[CX_STATE_INBOUND_CONTACT], S(40));
  /* Later: the first item leaves the window entirely. */
  cx_ledger_advance(l, S(170));
  durations(l, 1, S(170), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(80));
  CHECK_EQ_INT(b[CX_STATE_INBOUND_CONTACT], S(20));
  CHECK_EQ_INT(cx_ledger_item_count(l), 2);
  cx_ledger_destroy(l);
}

static void test_open_state_counted_once(void) {
  struct cx_ledger *l = cx_ledger_create(S(1000));
  cx_ms_t b[CX_STATE_COUNT];
  /* Live: Available since 10.  History: partial record for the same state. */
  cx_ledger_add(l, 7, CX_STATE_AVAILABLE, NULL, S(10), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(l, 7, CX_STATE_AVAILABLE, NULL, S(10), S(25), CX_SOURCE_HISTORY);
  durations(l, 7, S(40), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(30));
  /* The state closes at 45 (live sees the next one), history confirms. */
  cx_ledger_add(l, 7, CX_STATE_UNAVAILABLE, "Break", S(45), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(l, 7, CX_STATE_AVAILABLE, NULL, S(10), S(45), CX_SOURCE_HISTORY);
  cx_ms_t r[4] = {0};
  durations(l, 7, S(60), b, r);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(35));
  CHECK_EQ_INT(b[CX_STATE_UNAVAILABLE], S(15));
  CHECK_EQ_INT(cx_ledger_reason_count(l), 1);
  CHECK_EQ_STR(cx_ledger_reason_name(l, 1), "Break");
  CHECK_EQ_INT(r[1], S(15));
  int st;
  size_t reason;
  cx_ms_t since;
  CHECK_EQ_INT(cx_ledger_current(l, 0, S(60), &st, &reason, &since), CX_OK);
  CHECK_EQ_INT(st, CX_STATE_UNAVAILABLE);
  CHECK_EQ_INT(reason, 1);
  CHECK_EQ_INT(since, S(45));
  cx_ledger_destroy(l);
}

static void test_missed_short_state(void) {
  struct cx_ledger *l = cx_ledger_create(S(1000));
  cx_ms_t b[CX_STATE_COUNT];
  /* Live saw Available since 0, then Dialer since 30; history later shows a
   * short InboundContact [20,30) that live never saw. */
  cx_ledger_add(l, 1, CX_STATE_AVAILABLE, NULL, S(0), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(l, 1, CX_STATE_DIALER, NULL, S(30), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(l, 1, CX_STATE_INBOUND_CONTACT, NULL, S(20), S(30), CX_SOURCE_HISTORY);
  durations(l, 1, S(50), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(20));
  CHECK_EQ_INT(b[CX_STATE_INBOUND_CONTACT], S(10));
  CHECK_EQ_INT(b[CX_STATE_DIALER], S(20));
  cx_ledger_destroy(l);
}

/* A gap between two items is logged-out time (history that leaves out
 * LoggedOut); nothing is counted before the first item or after a closed
 * last one. */
static void test_gap_is_logged_out(void) {
  struct cx_ledger *l = cx_ledger_create(S(1000));
  cx_ms_t b[CX_STATE_COUNT];
  cx_ledger_add(l, 1, CX_STATE_AVAILABLE, NULL, S(5), S(10), CX_SOURCE_HISTORY);
  cx_ledger_add(l, 1, CX_STATE_AVAILABLE, NULL, S(20), S(30), CX_SOURCE_HISTORY);
  durations(l, 1, S(100), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(15));
  CHECK_EQ_INT(b[CX_STATE_LOGGED_OUT], S(10));
  int st;
  size_t reason;
  cx_ms_t since;
  CHECK_EQ_INT(cx_ledger_current(l, 0, S(15), &st, &reason, &since), CX_OK);
  CHECK_EQ_INT(st, CX_STATE_LOGGED_OUT);
  CHECK_EQ_INT(since, S(10));
  CHECK_EQ_INT(cx_ledger_current(l, 0, S(40), &st, &reason, &since),
               CX_ERR_NOT_FOUND);
  /* A record that fills the gap replaces the logged-out time. */
  cx_ledger_add(l, 1, CX_STATE_UNAVAILABLE, "Break", S(12), S(20), CX_SOURCE_HISTORY);
  durations(l, 1, S(100), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_LOGGED_OUT], S(2));
  CHECK_EQ_INT(b[CX_STATE_UNAVAILABLE], S(8));
  /* The window's start cuts a gap like any span. */
  cx_ledger_advance(l, S(1011));
  durations(l, 1, S(1011), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_LOGGED_OUT], S(1));
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(10));
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  CHECK_EQ_INT(cx_ledger_add(l, 1, CX_STATE_AVAILABLE, NULL, S(5), S(4), CX_SOURCE_HISTORY), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_ledger_add(l, 1, 9, NULL, S(5), S(6), CX_SOURCE_HISTORY), CX_ERR_INVALID);
  cx_ledger_destroy(l);
}

/* Repeats change nothing; agents and reasons no item holds are evicted,
 * the others keep their figures under their new indexes. */
static void test_changes_and_evict(void) {
  struct cx_ledger *l = cx_ledger_create(S(100));
  cx_ms_t b[CX_STATE_COUNT], r[4];
  cx_ledger_add(l, 1, CX_STATE_UNAVAILABLE, "Lunch", S(0), S(10), CX_SOURCE_HISTORY);
  cx_ledger_add(l, 2, CX_STATE_UNAVAILABLE, "Break", S(0), S(50), CX_SOURCE_HISTORY);
  cx_ledger_add(l, 2, CX_STATE_UNAVAILABLE, "Meeting", S(50), S(60), CX_SOURCE_HISTORY);
  cx_ledger_add(l, 3, CX_STATE_AVAILABLE, NULL, S(90), CX_MS_INFINITY, CX_SOURCE_LIVE);
  uint64_t c = cx_ledger_changes(l);
  cx_ledger_add(l, 2, CX_STATE_UNAVAILABLE, "Break", S(0), S(50), CX_SOURCE_HISTORY);
  CHECK_EQ_INT(cx_ledger_changes(l), c);
  cx_ledger_add(l, 2, CX_STATE_UNAVAILABLE, "Break", S(0), S(55), CX_SOURCE_HISTORY);
  CHECK_EQ_INT(cx_ledger_changes(l), c + 1);
  cx_ledger_add(l, 2, CX_STATE_UNAVAILABLE, "Break", S(0), S(50), CX_SOURCE_LIVE);
  CHECK_EQ_INT(cx_ledger_changes(l), c + 1);
  cx_ledger_advance(l, S(130)); /* ws 30: agent 1 holds nothing */
  size_t map[3];
  bool none[3] = {false, false, false}, all[3] = {true, true, true};
  CHECK_EQ_INT(cx_ledger_evict(l, none, map), 0); /* not marked: kept */
  CHECK_EQ_INT(cx_ledger_agent_count(l), 3);
  CHECK_EQ_INT(cx_ledger_evict(l, all, map), 1);
  CHECK_EQ_INT(map[0], SIZE_MAX);
  CHECK_EQ_INT(map[1], 0);
  CHECK_EQ_INT(map[2], 1);
  CHECK_EQ_INT(cx_ledger_agent_count(l), 2);
  CHECK_EQ_INT(cx_ledger_agent_index(l, 1), -1);
  CHECK_EQ_INT(cx_ledger_agent_index(l, 3), 1);
  /* Lunch went unused at the first call: it goes at the second. */
  CHECK_EQ_INT(cx_ledger_reason_count(l), 2);
  CHECK_EQ_STR(cx_ledger_reason_name(l, 1), "Break");
  CHECK_EQ_STR(cx_ledger_reason_name(l, 2), "Meeting");
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  durations(l, 2, S(130), b, r);
  CHECK_EQ_INT(b[CX_STATE_UNAVAILABLE], S(30));
  CHECK_EQ_INT(r[1], S(20));
  CHECK_EQ_INT(r[2], S(10));
  /* Agent 3 leaves: a close for another start changes nothing; then its
   * open state ends, and it ages out too. */
  cx_ledger_close(l, 1, S(80), S(140));
  cx_ledger_advance(l, S(240));
  CHECK(cx_ledger_holds(l, 1));
  /* Ended at a snapshot (150), then where history closes it (140). */
  cx_ledger_close(l, 1, CX_LEDGER_ANY_START, S(150));
  cx_ledger_close(l, 1, S(90), S(140));
  durations(l, 3, S(240), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(0));
  durations(l, 3, S(239), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(1)); /* [139, 140) */
  cx_ledger_advance(l, S(250));
  CHECK(!cx_ledger_holds(l, 1));
  CHECK_EQ_INT(cx_ledger_evict(l, all, map), 2);
  CHECK_EQ_INT(cx_ledger_agent_count(l), 0);
  CHECK_EQ_INT(cx_ledger_reason_count(l), 2); /* idle once so far */
  CHECK_EQ_INT(cx_ledger_evict(l, all, map), 0);
  CHECK_EQ_INT(cx_ledger_reason_count(l), 0);
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  cx_ledger_add(l, 3, CX_STATE_AVAILABLE, NULL, S(200), CX_MS_INFINITY, CX_SOURCE_LIVE);
  CHECK_EQ_INT(cx_ledger_agent_index(l, 3), 0);
  cx_ledger_destroy(l);
}

/* History closes a state real-time polling saw open after a later state
 * was already seen: the state ends where history says, not at the next
 * one, and the time up to it counts as LoggedOut until history fills it
 * (the states between were still open at history's horizon). */
static void test_close_before_later_state(void) {
  struct cx_ledger *l = cx_ledger_create(S(1000));
  cx_ms_t b[CX_STATE_COUNT];
  cx_ledger_add(l, 5, CX_STATE_AVAILABLE, NULL, S(10), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(l, 5, CX_STATE_UNAVAILABLE, "Break", S(40), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(l, 5, CX_STATE_AVAILABLE, NULL, S(10), S(20), CX_SOURCE_HISTORY);
  cx_ledger_close(l, 0, S(10), S(20));
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  durations(l, 5, S(50), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(10));
  CHECK_EQ_INT(b[CX_STATE_LOGGED_OUT], S(20));
  CHECK_EQ_INT(b[CX_STATE_UNAVAILABLE], S(10));
  /* A close later than the item's end, or for no item's start: nothing. */
  uint64_t c = cx_ledger_changes(l);
  cx_ledger_close(l, 0, S(10), S(30));
  cx_ledger_close(l, 0, S(11), S(15));
  CHECK_EQ_INT(cx_ledger_changes(l), c);
  /* History delivers the state between. */
  cx_ledger_add(l, 5, CX_STATE_INBOUND_CONTACT, NULL, S(20), S(40), CX_SOURCE_HISTORY);
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  durations(l, 5, S(50), b, NULL);
  CHECK_EQ_INT(b[CX_STATE_AVAILABLE], S(10));
  CHECK_EQ_INT(b[CX_STATE_INBOUND_CONTACT], S(20));
  CHECK_EQ_INT(b[CX_STATE_LOGGED_OUT], S(0));
  CHECK_EQ_INT(b[CX_STATE_UNAVAILABLE], S(10));
  cx_ledger_destroy(l);
}

/* cx_ledger_check holds through agent-table growth, reasons, merges and
 * evictions. */
static void test_self_check(void) {
  struct cx_ledger *l = cx_ledger_create(S(100));
  static const char *const reasons[] = {NULL, "Break", "Lunch", "Break"};
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  for (int k = 0; k < 3000; k++) {
    int64_t agent = 1000 + k % 300;
    int state = k % CX_STATE_COUNT;
    cx_ms_t start = S(k / 300 * 10 + k % 7);
    cx_ledger_add(l, agent, state, reasons[k % 4], start,
                  k % 5 ? start + S(k % 13) : CX_MS_INFINITY,
                  k % 2 ? CX_SOURCE_HISTORY : CX_SOURCE_LIVE);
    if (k % 500 == 0)
      cx_ledger_advance(l, S(k / 300 * 10));
  }
  CHECK_EQ_INT(cx_ledger_agent_count(l), 300);
  CHECK_EQ_INT(cx_ledger_reason_count(l), 2);
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  cx_ledger_advance(l, S(500));
  CHECK_EQ_INT(cx_ledger_check(l), 0);
  cx_ledger_destroy(l);
}

/* ---- randomized comparison with a brute-force oracle ---- */

struct truth_item {
  cx_ms_t start, end;
  int state;
  int reason; /* 0 none, 1..3 */
};

static const char *reason_names[] = {NULL, "Break", "Lunch", "After Call Work"};

static void oracle(const struct truth_item *t, size_t n, cx_ms_t ws, cx_ms_t now,
                   cx_ms_t *base, cx_ms_t *reasons) {
  memset(base, 0, CX_STATE_COUNT * sizeof(*base));
  memset(reasons, 0, 4 * sizeof(*reasons));
  for (size_t i = 0; i < n; i++) {
    cx_ms_t a = t[i].start > ws ? t[i].start : ws;
    cx_ms_t b = t[i].end < now ? t[i].end : now;
    if (b > a) {
      base[t[i].state] += b - a;
      reasons[t[i].reason] += b - a;
    }
  }
}

static void test_random_against_oracle(void) {
  srand(12345);
  for (int round = 0; round < 200; round++) {
    enum { N = 60 };
    struct truth_item t[N];
    cx_ms_t at = rand() % 5000;
    for (int i = 0; i < N; i++) {
      t[i].start = at;
      t[i].end = at + 1 + rand() % 20000;
      do /* as in CXone, no LoggedOut follows LoggedOut */
        t[i].state = rand() % CX_STATE_COUNT;
      while (i > 0 && t[i].state == CX_STATE_LOGGED_OUT &&
             t[i - 1].state == CX_STATE_LOGGED_OUT);
      t[i].reason = t[i].state == CX_STATE_UNAVAILABLE ? rand() % 4 : 0;
      at = t[i].end;
    }
    cx_ms_t window = 30000 + rand() % 200000;
    struct cx_ledger *l = cx_ledger_create(window);

    /* Feed in random order; each item once or twice; some as live items
     * (open), some as partial history records, the rest as closed history. */
    int order[N];
    for (int i = 0; i < N; i++)
      order[i] = i;
    for (int i = N - 1; i > 0; i--) {
      int j = rand() % (i + 1), x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    /* Observation time steps forward; every item is delivered by the end. */
    cx_ms_t now = t[N - 1].start + 1 + rand() % 3000;
    /* Every other round, history leaves out LoggedOut (a tenant that does
     * not record it): the gaps it leaves must count as LoggedOut. */
    bool omit_logged_out = round % 2 == 1;
    for (int k = 0; k < N; k++) {
      const struct truth_item *it = &t[order[k]];
      const char *rn = reason_names[it->reason];
      if (omit_logged_out && it->state == CX_STATE_LOGGED_OUT &&
          order[k] != 0 && order[k] != N - 1)
        continue;
      int how = rand() % 4;
      /* A state seen open in real time stays open (partial history); where
       * LoggedOut is missing, real-time polling has seen it instead. */
      if (omit_logged_out && order[k] + 1 < N &&
          t[order[k] + 1].state == CX_STATE_LOGGED_OUT)
        how = 2;
      if (how == 0)
        cx_ledger_add(l, 42, it->state, rn, it->start, CX_MS_INFINITY, CX_SOURCE_LIVE);
      else if (how == 1)
        cx_ledger_add(l, 42, it->state, rn, it->start,
                      it->start + (it->end - it->start) / 2, CX_SOURCE_HISTORY);
      if (how != 0 || order[k] != N - 1)
        cx_ledger_add(l, 42, it->state, rn, it->start,
                      order[k] == N - 1 ? CX_MS_INFINITY : it->end,
                      rand() % 2 || how == 2 ? CX_SOURCE_HISTORY
                                             : CX_SOURCE_LIVE);
      if (rand() % 3 == 0)
        cx_ledger_add(l, 42, it->state, rn, it->start, it->end, CX_SOURCE_HISTORY);
      CHECK_EQ_INT(cx_ledger_check(l), 0);
    }

    /* The true last state is open at now. */
    struct truth_item copy[N];
    memcpy(copy, t, sizeof(t));
    copy[N - 1].end = CX_MS_INFINITY;
    /* Observations from after the instant asked for (a snapshot taken at the
     * real-time poll, history fetched a moment later) must not count. */
    cx_ms_t mid = t[N / 2].start + rand() % (t[N - 1].start - t[N / 2].start + 1);
    if (mid < now) {
      cx_ledger_advance(l, mid);
      CHECK_EQ_INT(cx_ledger_check(l), 0);
      cx_ms_t b[CX_STATE_COUNT], r[4], ob[CX_STATE_COUNT], orr[4];
      durations(l, 42, mid, b, r);
      oracle(copy, N, mid - window, mid, ob, orr);
      for (int s = 0; s < CX_STATE_COUNT; s++)
        CHECK_EQ_INT(b[s], ob[s]);
      int st;
      size_t reason;
      cx_ms_t since;
      CHECK_EQ_INT(cx_ledger_current(l, 0, mid, &st, &reason, &since), CX_OK);
      for (int i = 0; i < N; i++)
        if (t[i].start <= mid && mid < t[i].end) {
          CHECK_EQ_INT(st, t[i].state);
          CHECK_EQ_INT(since, t[i].start);
        }
    }

    for (int step = 0; step < 5; step++) {
      cx_ledger_advance(l, now);
      CHECK_EQ_INT(cx_ledger_check(l), 0);
      cx_ms_t b[CX_STATE_COUNT], r[4], ob[CX_STATE_COUNT], orr[4];
      durations(l, 42, now, b, r);
      oracle(copy, N, now - window, now, ob, orr);
      for (int s = 0; s < CX_STATE_COUNT; s++)
        CHECK_EQ_INT(b[s], ob[s]);
      for (int x = 1; x < 4; x++) {
        long id = -1;
        for (size_t y = 1; y <= cx_ledger_reason_count(l); y++)
          if (strcmp(cx_ledger_reason_name(l, y), reason_names[x]) == 0)
            id = (long)y;
        CHECK_EQ_INT(id < 0 ? 0 : r[id], orr[x]);
      }
      now += rand() % 50000;
    }
    cx_ledger_destroy(l);
  }
}

int main(void) {
  RUN(test_straddle_and_clip);
  RUN(test_open_state_counted_once);
  RUN(test_missed_short_state);
  RUN(test_gap_is_logged_out);
  RUN(test_changes_and_evict);
  RUN(test_close_before_later_state);
  RUN(test_self_check);
  RUN(test_random_against_oracle);
  return unit_finish();
}
