/*
 * t_emit.c: cx_emit's value lists for a hand-worked cycle, through the
 * snapshot walks (cx_snapshot_durations, _counts, _current).
 *
 * collectd's dispatch is replaced by a recorder (plugin_dispatch_values and
 * the few common.c helpers cx_emit.c calls); the expected series are
 * written out by hand from the timeline below and the identifiers of the
 * README's Metrics section.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "cx_emit.h"
#include "cx_ledger.h"
#include "cx_snapshot.h"
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((cx_ms_t)(x) * 1000)

/* ---- the recorder ---- */

struct sent {
  char id[3 * DATA_MAX_NAME_LEN]; /* plugin_instance/type-type_instance */
  double value;
  cdtime_t time;
};

static struct sent sent[512];
static size_t nsent;

int plugin_dispatch_values(value_list_t const *vl) {
  CHECK_EQ_INT(vl->values_len, 1);
  CHECK_EQ_STR(vl->plugin, "cxone");
  CHECK_EQ_STR(vl->host, "acme");
  if (nsent == sizeof(sent) / sizeof(sent[0]))
    return -1;
  struct sent *s = &sent[nsent++];
  snprintf(s->id, sizeof(s->id), "%s/%s-%s", vl->plugin_instance, vl->type,
           vl->type_instance);
  bool derive = strcmp(vl->type, "http_requests") == 0 ||
                strcmp(vl->type, "errors") == 0 ||
                strcmp(vl->type, "total_bytes") == 0;
  s->value = derive ? (double)vl->values[0].derive : vl->values[0].gauge;
  s->time = vl->time;
  return 0;
}

void plugin_log(int level, const char *format, ...) {
  (void)level;
  va_list ap;
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  fputc('\n', stderr);
}

char *sstrncpy(char *dest, const char *src, size_t n) {
  snprintf(dest, n, "%s", src);
  return dest;
}

int ssnprintf(char *str, size_t size, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(str, size, format, ap);
  va_end(ap);
  return n;
}

static const struct sent *find(const char *id) {
  for (size_t i = 0; i < nsent; i++)
    if (strcmp(sent[i].id, id) == 0)
      return &sent[i];
  return NULL;
}

/* id was dispatched once, with value v. */
static void expect_value(const char *id, double v) {
  const struct sent *s = find(id);
  if (s == NULL) {
    fprintf(stderr, "  not dispatched: %s\n", id);
    CHECK(s != NULL);
    return;
  }
  if (s->value != v)
    fprintf(stderr, "  %s: %g, expected %g\n", id, s->value, v);
  CHECK(s->value == v);
}

static void expect_absent(const char *id) {
  if (find(id) != NULL)
    fprintf(stderr, "  dispatched, not expected: %s\n", id);
  CHECK(find(id) == NULL);
}

/* ---- the cycle ---- */

/* Window 1000 s, now 900 s:
 *   agent 101 (Support): Available [100, 300), Unavailable ACW [300, 400),
 *     InboundContact since 400;
 *   agent 102 (Support): Unavailable Lunch since 850;
 *   agent 103 (Sales):   Unavailable (no reason) since 600. */
struct cycle {
  struct cx_ledger *ledger;
  struct cx_agent_meta meta[3];
  struct cx_team_meta teams[2];
  struct cx_snapshot snap;
};

static void cycle_build_spans(struct cycle *c,
                              const struct cx_snapshot_options *spans);

static char *const acw_reasons[] = {"ACW"}; /* real time's isACW */

static void cycle_build(struct cycle *c) {
  const struct cx_snapshot_options spans = {S(1000), CX_SNAPSHOT_NO_DAY,
                                            acw_reasons, 1};
  cycle_build_spans(c, &spans);
}

static void cycle_build_spans(struct cycle *c,
                              const struct cx_snapshot_options *spans) {
  memset(c, 0, sizeof(*c));
  c->ledger = cx_ledger_create(S(1000));
  CHECK(c->ledger != NULL);
  cx_ledger_add(c->ledger, 101, CX_STATE_AVAILABLE, NULL, S(100), S(300), CX_SOURCE_HISTORY);
  cx_ledger_add(c->ledger, 101, CX_STATE_UNAVAILABLE, "ACW", S(300), S(400), CX_SOURCE_HISTORY);
  cx_ledger_add(c->ledger, 101, CX_STATE_INBOUND_CONTACT, NULL, S(400), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(c->ledger, 102, CX_STATE_UNAVAILABLE, "Lunch", S(850), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_add(c->ledger, 103, CX_STATE_UNAVAILABLE, NULL, S(600), CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_advance(c->ledger, S(900));
  c->teams[0] = (struct cx_team_meta){7, "Support"};
  c->teams[1] = (struct cx_team_meta){8, "Sales"};
  c->meta[0].team_id = c->meta[1].team_id = 7;
  c->meta[2].team_id = 8;
  CHECK_EQ_INT(cx_snapshot_build(&c->snap, c->ledger, c->meta, 3, c->teams, 2,
                                 NULL, spans, S(900)),
               0);
}

static void cycle_free(struct cycle *c) {
  cx_snapshot_free(&c->snap);
  cx_ledger_destroy(c->ledger);
}

static const struct cx_emit_options options = {
    .host = "acme", .per_agent = true, .label = CX_LABEL_ID,
    .interval_seconds = 10};

static const char *const states[] = {
    "LoggedOut", "Available", "Unavailable", "InboundContact",
    "OutboundContact", "InboundConsult", "OutboundConsult", "Dialer",
    "LoggedIn"};
#define NSTATES (sizeof(states) / sizeof(states[0]))

/* scope/type-<prefix><State> for every state, with want[state] (in the
 * order of agentStateId: LoggedOut, Available, Unavailable, InboundContact,
 * OutboundContact, InboundConsult, OutboundConsult, Dialer, LoggedIn). */
static void expect_states(const char *scope, const char *type,
                          const char *prefix, const double want[NSTATES]) {
  for (size_t s = 0; s < NSTATES; s++) {
    char id[200];
    snprintf(id, sizeof(id), "%s/%s-%s%s", scope, type, prefix, states[s]);
    expect_value(id, want[s]);
  }
}

#define VALUES(...) ((const double[NSTATES]){__VA_ARGS__})

static void test_full_cycle(void) {
  struct cycle c;
  cycle_build(&c);
  struct cx_health h = {.up = true, .live_fresh = true, .history_fresh = true,
                        .history_ready = true, .agents = 3};
  nsent = 0;
  CHECK_EQ_INT(cx_emit(&options, &c.snap, &h), 0);

  /* Agents: window durations, reasons with time, time in the state now. */
  expect_states("agent-101", "duration", "", VALUES(0, 200, 100, 500));
  expect_value("agent-101/duration-Unavailable-ACW", 100);
  expect_absent("agent-101/duration-Unavailable-Lunch");
  expect_states("agent-101", "duration", "current-", VALUES(0, 0, 0, 500));
  expect_value("agent-101/duration-current-Unavailable-ACW", 0);
  expect_absent("agent-101/duration-current-Unavailable-Lunch");
  expect_states("agent-102", "duration", "", VALUES(0, 0, 50));
  expect_value("agent-102/duration-Unavailable-Lunch", 50);
  expect_states("agent-102", "duration", "current-", VALUES(0, 0, 50));
  expect_value("agent-102/duration-current-Unavailable-Lunch", 50);
  expect_absent("agent-102/duration-Unavailable-ACW");
  expect_absent("agent-102/duration-current-Unavailable-ACW");
  expect_states("agent-103", "duration", "", VALUES(0, 0, 300));
  expect_states("agent-103", "duration", "current-", VALUES(0, 0, 300));
  expect_absent("agent-103/duration-Unavailable-ACW");
  expect_absent("agent-103/duration-current-Unavailable-Lunch");
  expect_absent("agent-103/count-Unavailable");

  /* Teams and all: sums, and agents per state now. */
  expect_states("team-Support", "duration", "", VALUES(0, 200, 150, 500));
  expect_value("team-Support/duration-Unavailable-ACW", 100);
  expect_value("team-Support/duration-Unavailable-Lunch", 50);
  expect_states("team-Support", "count", "", VALUES(0, 0, 1, 1));
  expect_value("team-Support/count-Unavailable-ACW", 0); /* time, nobody now */
  expect_value("team-Support/count-Unavailable-Lunch", 1);
  expect_absent("team-Support/duration-current-Unavailable");
  expect_states("team-Sales", "duration", "", VALUES(0, 0, 300));
  expect_states("team-Sales", "count", "", VALUES(0, 0, 1));
  expect_absent("team-Sales/duration-Unavailable-ACW");
  expect_absent("team-Sales/count-Unavailable-Lunch");
  expect_states("all", "duration", "", VALUES(0, 200, 450, 500));
  expect_states("all", "count", "", VALUES(0, 0, 2, 1));
  expect_value("all/count-Unavailable-ACW", 0);
  expect_value("all/count-Unavailable-Lunch", 1);

  /* Occupancy = handle / (handle + Available), utilisation = handle /
   * logged in; handle = contact states and after-call work (ACW). */
  expect_value("agent-101/percent-occupancy", 100.0 * 600 / 800);
  expect_value("agent-101/percent-utilisation", 100.0 * 600 / 800);
  expect_value("agent-102/percent-occupancy", 0); /* nothing to divide */
  expect_value("agent-102/percent-utilisation", 0);
  expect_value("team-Support/percent-occupancy", 100.0 * 600 / 800);
  expect_value("team-Support/percent-utilisation", 100.0 * 600 / 850);
  expect_value("team-Sales/percent-occupancy", 0);
  expect_value("all/percent-utilisation", 100.0 * 600 / 1150);

  /* Plugin health. */
  expect_value("api/gauge-up", 1);
  expect_value("api/count-agents", 3);

  /* Every identifier once, all at the snapshot's instant: 3 agents x (9 +
   * 9 current) + 2 reason and 2 current-reason series; 2 teams x (9 + 9)
   * + 2 + 2 reason series of Support; all 9 + 9 + 2 + 2; 13 api; and
   * occupancy and utilisation of the 6 scopes. */
  CHECK_EQ_INT(nsent, 3 * 18 + 4 + 2 * 18 + 4 + 22 + 13 + 6 * 2);
  for (size_t i = 0; i < nsent; i++) {
    CHECK(sent[i].time == MS_TO_CDTIME_T(S(900)));
    for (size_t j = 0; j < i; j++)
      if (strcmp(sent[i].id, sent[j].id) == 0) {
        fprintf(stderr, "  twice: %s\n", sent[i].id);
        CHECK(false);
      }
  }
  cycle_free(&c);
}

/* Without this cycle's history the window durations stay out; without a
 * real-time answer, everything but the api series. */
static void test_stale_cycles(void) {
  struct cycle c;
  cycle_build(&c);
  struct cx_health h = {.up = false, .live_fresh = true, .history_fresh = false,
                        .history_ready = true};
  nsent = 0;
  cx_emit(&options, &c.snap, &h);
  expect_absent("agent-101/duration-Available");
  expect_absent("all/duration-Unavailable-ACW");
  expect_value("agent-101/duration-current-InboundContact", 500);
  expect_value("all/count-Unavailable", 2);
  h.live_fresh = false;
  nsent = 0;
  cx_emit(&options, &c.snap, &h);
  CHECK_EQ_INT(nsent, 13);
  for (size_t i = 0; i < nsent; i++)
    CHECK(strncmp(sent[i].id, "api/", 4) == 0);
  expect_value("api/gauge-up", 0);
  cycle_free(&c);
}

/* With the day's figures (the day began at 350 s): today-* beside the
 * window's, for every scope. */
static void test_today(void) {
  struct cycle c;
  const struct cx_snapshot_options spans = {S(1000), S(350), acw_reasons, 1};
  cycle_build_spans(&c, &spans);
  struct cx_health h = {.up = true, .live_fresh = true, .history_fresh = true,
                        .history_ready = true, .agents = 3};
  nsent = 0;
  CHECK_EQ_INT(cx_emit(&options, &c.snap, &h), 0);
  expect_states("agent-101", "duration", "today-", VALUES(0, 0, 50, 500));
  expect_value("agent-101/duration-today-Unavailable-ACW", 50);
  expect_absent("agent-101/duration-today-Unavailable-Lunch");
  expect_states("agent-102", "duration", "today-", VALUES(0, 0, 50));
  expect_value("agent-102/duration-today-Unavailable-Lunch", 50);
  expect_states("agent-103", "duration", "today-", VALUES(0, 0, 300));
  expect_states("team-Support", "duration", "today-", VALUES(0, 0, 100, 500));
  expect_value("team-Support/duration-today-Unavailable-ACW", 50);
  expect_value("team-Support/duration-today-Unavailable-Lunch", 50);
  expect_states("all", "duration", "today-", VALUES(0, 0, 400, 500));
  expect_states("agent-101", "duration", "", VALUES(0, 200, 100, 500));
  expect_value("agent-101/percent-today-occupancy", 100);
  expect_value("team-Support/percent-today-utilisation", 100.0 * 550 / 600);
  expect_value("all/percent-today-utilisation", 100.0 * 550 / 900);
  /* The full cycle's series, and 9 today-* per scope (6 scopes) plus the
   * reasons with time today: ACW of 101, Lunch of 102, both for Support
   * and all; occupancy and utilisation twice per scope. */
  CHECK_EQ_INT(nsent, 3 * 18 + 4 + 2 * 18 + 4 + 22 + 13 + 6 * 9 + 6 + 6 * 4);
  /* Without history this cycle, neither. */
  h.history_fresh = false;
  nsent = 0;
  cx_emit(&options, &c.snap, &h);
  expect_absent("all/duration-today-Available");
  cycle_free(&c);
}

int main(void) {
  RUN(test_full_cycle);
  RUN(test_stale_cycles);
  RUN(test_today);
  return unit_finish();
}
