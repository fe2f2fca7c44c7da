/*
 * t_emit.c: cx_emit's value lists for a hand-worked cycle, through the
 * snapshot walks (cx_snapshot_durations, _counts, _current) and the skill
 * walks (cx_skills_figures, _totals).
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
#include "cx_skills.h"
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

/* The series of that cycle: 3 agents x (9 + 9 current + 1 team) + 2 reason
 * and 2 current-reason series; 2 teams x (9 + 9) + 2 + 2 reason series of
 * Support; all 9 + 9 + 2 + 2; 13 api; and occupancy and utilisation of the
 * 6 scopes. */
#define CYCLE_SERIES (3 * 19 + 4 + 2 * 18 + 4 + 22 + 13 + 6 * 2)

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
  /* ... and each one's team, named as the team's scope. */
  expect_value("agent-101/count-team-Support", 1);
  expect_value("agent-102/count-team-Support", 1);
  expect_value("agent-103/count-team-Sales", 1);
  expect_absent("agent-103/count-team-Support");

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

  /* Every identifier once, all at the snapshot's instant. */
  CHECK_EQ_INT(nsent, CYCLE_SERIES);
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

/* An agent's team series names its team's scope, also where two team
 * names sanitise alike; an agent of no known team has none. */
static void test_team_members(void) {
  struct cycle c;
  memset(&c, 0, sizeof(c));
  c.ledger = cx_ledger_create(S(1000));
  CHECK(c.ledger != NULL);
  for (int64_t id = 101; id <= 103; id++)
    cx_ledger_add(c.ledger, id, CX_STATE_AVAILABLE, NULL, S(100),
                  CX_MS_INFINITY, CX_SOURCE_LIVE);
  cx_ledger_advance(c.ledger, S(900));
  c.teams[0] = (struct cx_team_meta){7, "Tier 1"};
  c.teams[1] = (struct cx_team_meta){8, "Tier_1"};
  c.meta[0].team_id = 7;
  c.meta[1].team_id = 8;
  c.meta[2].team_id = CX_ID_NONE;
  const struct cx_snapshot_options spans = {S(1000), CX_SNAPSHOT_NO_DAY,
                                            NULL, 0};
  CHECK_EQ_INT(cx_snapshot_build(&c.snap, c.ledger, c.meta, 3, c.teams, 2,
                                 NULL, &spans, S(900)),
               0);
  struct cx_health h = {.up = true, .live_fresh = true, .history_fresh = true,
                        .history_ready = true, .agents = 3};
  nsent = 0;
  CHECK_EQ_INT(cx_emit(&options, &c.snap, &h), 0);

  char member[2][3 * DATA_MAX_NAME_LEN] = {"", ""};
  for (size_t i = 0; i < nsent; i++) {
    const char *ti = strstr(sent[i].id, "/count-team-");
    if (ti == NULL)
      continue;
    int agent = strncmp(sent[i].id, "agent-101/", 10) == 0   ? 0
                : strncmp(sent[i].id, "agent-102/", 10) == 0 ? 1
                                                              : -1;
    CHECK(agent >= 0); /* agent-103 has no team */
    CHECK(sent[i].value == 1);
    if (agent >= 0) {
      CHECK(member[agent][0] == '\0'); /* one team each */
      snprintf(member[agent], sizeof(member[agent]), "%s",
               ti + strlen("/count-"));
    }
  }
  CHECK(member[0][0] != '\0' && member[1][0] != '\0');
  CHECK(strcmp(member[0], member[1]) != 0);
  for (int a = 0; a < 2; a++) {
    char id[4 * DATA_MAX_NAME_LEN];
    snprintf(id, sizeof(id), "%s/count-Available", member[a]);
    expect_value(id, 1); /* the team scope of that name holds the agent */
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
   * and all; the day's occupancy and utilisation per scope. */
  CHECK_EQ_INT(nsent, CYCLE_SERIES + 6 * 9 + 6 + 6 * 2);
  /* Without history this cycle, neither. */
  h.history_fresh = false;
  nsent = 0;
  cx_emit(&options, &c.snap, &h);
  expect_absent("all/duration-today-Available");
  cycle_free(&c);
}

/* ---- skills ---- */

/* The snapshot at 900 s = 1970-01-01T00:15:00Z. */
static void skills_fill(struct cx_skills *sk) {
  static const char *const live =
      "{\"skillActivity\":["
      "{\"skillId\":11,\"skillName\":\"Billing\",\"queueCount\":4,"
      "\"contactsActive\":7,\"agentsAvailable\":2,\"agentsWorking\":5,"
      "\"agentsACW\":1,\"agentsUnavailable\":0,\"agentsLoggedIn\":8,"
      "\"serviceLevel\":83,\"earliestQueueTime\":\"1970-01-01T00:13:30Z\"},"
      "{\"skillId\":22,\"skillName\":\"Tier 1 | Voice\",\"queueCount\":1,"
      "\"contactsActive\":1,\"agentsAvailable\":2,\"serviceLevel\":50,"
      "\"earliestQueueTime\":\"1970-01-01T00:14:00Z\"},"
      "{\"skillId\":21,\"skillName\":\"Tier 1 / Voice\",\"queueCount\":2,"
      "\"contactsActive\":0,\"agentsAvailable\":2,\"serviceLevel\":100,"
      "\"earliestQueueTime\":\"1970-01-01T00:16:00Z\"},"
      "{\"skillId\":30,\"queueCount\":0,\"contactsActive\":3,"
      "\"earliestQueueTime\":null},"
      "{\"skillId\":31,\"queueCount\":0,\"serviceLevel\":-1,"
      "\"earliestQueueTime\":\"1970-01-01T00:05:00Z\"}]}";
  static const char *const window =
      "{\"skillSummaries\":[{\"skillId\":11,\"contactsOffered\":120,"
      "\"contactsHandled\":110,\"abandonCount\":10,\"abandonRate\":8,"
      "\"averageSpeedToAnswer\":\"PT42.5S\",\"averageHandleTime\":\"PT5M\","
      "\"longestQueueDur\":\"PT2M\",\"serviceLevel\":79},"
      "{\"skillId\":21,\"contactsOffered\":5,\"contactsHandled\":5,"
      "\"abandonCount\":0}]}";
  static const char *const today =
      "{\"skillSummaries\":[{\"skillId\":11,\"contactsOffered\":30,"
      "\"contactsHandled\":29,\"abandonCount\":1}]}";
  struct cx_skills_page pg = {.total_records = -1};
  struct cx_error err;
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_ACTIVITY, live, strlen(live), &pg,
                                   &err), CX_OK);
  CHECK_EQ_INT(cx_skills_apply_live(sk, &pg, true), CX_OK);
  cx_skills_page_free(&pg);
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_SUMMARY, window, strlen(window),
                                   &pg, &err), CX_OK);
  CHECK_EQ_INT(cx_skills_apply_summary(sk, CX_SKILL_WINDOW, &pg), CX_OK);
  cx_skills_page_free(&pg);
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_SUMMARY, today, strlen(today), &pg,
                                   &err), CX_OK);
  CHECK_EQ_INT(cx_skills_apply_summary(sk, CX_SKILL_TODAY, &pg), CX_OK);
  cx_skills_page_free(&pg);
}

static size_t count_prefix(const char *prefix) {
  size_t n = 0;
  for (size_t i = 0; i < nsent; i++)
    n += strncmp(sent[i].id, prefix, strlen(prefix)) == 0;
  return n;
}

static void test_skills(void) {
  struct cycle c;
  cycle_build(&c);
  struct cx_skills sk;
  cx_skills_init(&sk, NULL, 0);
  skills_fill(&sk);
  c.snap.skills = &sk;
  c.snap.skills_fresh = true;
  struct cx_emit_options opt = options;
  opt.per_skill = true;
  struct cx_health h = {.up = true, .live_fresh = true, .history_fresh = true,
                        .history_ready = true, .agents = 3};
  nsent = 0;
  CHECK_EQ_INT(cx_emit(&opt, &c.snap, &h), 0);
  /* Live figures; the longest wait at the snapshot's instant. */
  expect_value("skill-Billing/count-queue", 4);
  expect_value("skill-Billing/duration-longest_wait", 90);
  expect_value("skill-Billing/count-active", 7);
  expect_value("skill-Billing/count-agents_available", 2);
  expect_value("skill-Billing/count-agents_working", 5);
  expect_value("skill-Billing/count-agents_acw", 1);
  expect_value("skill-Billing/count-agents_unavailable", 0);
  expect_value("skill-Billing/count-agents_logged_in", 8);
  expect_value("skill-Billing/percent-service_level", 83);
  /* Summaries over the window and today. */
  expect_value("skill-Billing/count-window-offered", 120);
  expect_value("skill-Billing/count-window-handled", 110);
  expect_value("skill-Billing/count-window-abandoned", 10);
  expect_value("skill-Billing/percent-window-abandon_rate", 8);
  expect_value("skill-Billing/duration-window-speed_of_answer", 42.5);
  expect_value("skill-Billing/duration-window-handle_time", 300);
  expect_value("skill-Billing/duration-window-longest_queue", 120);
  expect_value("skill-Billing/percent-window-service_level", 79);
  expect_value("skill-Billing/count-today-offered", 30);
  expect_value("skill-Billing/count-today-handled", 29);
  expect_value("skill-Billing/count-today-abandoned", 1);
  expect_absent("skill-Billing/percent-today-service_level"); /* not given */
  CHECK_EQ_INT(count_prefix("skill-Billing/"), 9 + 8 + 3);
  /* Two names that sanitise alike: the lower id keeps it.  A wait that
   * starts after the snapshot's instant is 0, never negative. */
  expect_value("skill-Tier_1___Voice/count-queue", 2);
  expect_value("skill-Tier_1___Voice/duration-longest_wait", 0);
  expect_value("skill-Tier_1___Voice/count-window-offered", 5);
  expect_value("skill-Tier_1___Voice-22/count-queue", 1);
  expect_value("skill-Tier_1___Voice-22/duration-longest_wait", 60);
  expect_absent("skill-Tier_1___Voice-22/count-agents_working");
  /* An unnamed skill by its id; nobody waits: 0. */
  expect_value("skill-30/count-queue", 0);
  expect_value("skill-30/duration-longest_wait", 0);
  expect_value("skill-30/count-active", 3);
  CHECK_EQ_INT(count_prefix("skill-30/"), 3);
  /* An empty queue waits 0 whatever earliestQueueTime still says; a
   * service level of -1 (none yet) is left out, the record kept. */
  expect_value("skill-31/count-queue", 0);
  expect_value("skill-31/duration-longest_wait", 0);
  expect_absent("skill-31/percent-service_level");
  CHECK_EQ_INT(count_prefix("skill-31/"), 2);
  /* all: sums and the max only; no agent counts, service levels, rates or
   * averages; nothing per team. */
  expect_value("all/count-queue", 7);
  expect_value("all/count-active", 11);
  expect_value("all/duration-longest_wait", 90);
  expect_value("all/count-window-offered", 125);
  expect_value("all/count-window-handled", 115);
  expect_value("all/count-window-abandoned", 10);
  expect_value("all/count-today-offered", 30);
  expect_absent("all/count-agents_available");
  expect_absent("all/percent-service_level");
  expect_absent("all/percent-window-service_level");
  expect_absent("all/percent-window-abandon_rate");
  expect_absent("all/duration-window-handle_time");
  expect_absent("team-Support/count-queue");
  /* The agent series are unchanged: the full cycle's, and the skills'. */
  size_t skill_series = count_prefix("skill-");
  CHECK_EQ_INT(nsent, CYCLE_SERIES + skill_series + 9);
  for (size_t i = 0; i < nsent; i++)
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(sent[i].id, sent[j].id) != 0);

  /* PerSkill false: the totals alone. */
  opt.per_skill = false;
  nsent = 0;
  cx_emit(&opt, &c.snap, &h);
  CHECK_EQ_INT(count_prefix("skill-"), 0);
  expect_value("all/count-queue", 7);
  expect_value("all/duration-longest_wait", 90);

  /* A delta changes the skills it lists; a full answer drops the others. */
  struct cx_skills_page pg = {.total_records = -1};
  struct cx_error err;
  const char *delta = "{\"skillActivity\":[{\"skillId\":11,\"queueCount\":0,"
                      "\"earliestQueueTime\":\"\"}]}";
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_ACTIVITY, delta, strlen(delta),
                                   &pg, &err), CX_OK);
  cx_skills_apply_live(&sk, &pg, false);
  nsent = 0;
  opt.per_skill = true;
  cx_emit(&opt, &c.snap, &h);
  expect_value("skill-Billing/count-queue", 0);
  expect_value("skill-Billing/duration-longest_wait", 0);
  expect_absent("skill-Billing/count-active"); /* the delta did not give it */
  expect_value("skill-30/count-active", 3);
  expect_value("all/duration-longest_wait", 60);
  cx_skills_apply_live(&sk, &pg, true);
  cx_skills_page_free(&pg);
  nsent = 0;
  cx_emit(&opt, &c.snap, &h);
  expect_absent("skill-30/count-queue");
  expect_value("skill-Tier_1___Voice/count-window-offered", 5); /* summary */
  expect_absent("skill-Tier_1___Voice/count-queue");
  expect_absent("skill-Tier_1___Voice-22/count-queue");
  expect_value("all/count-queue", 0);

  /* The endpoint refused: no skill series at all. */
  cx_skills_forget_live(&sk);
  cx_skills_forget_summaries(&sk);
  nsent = 0;
  cx_emit(&opt, &c.snap, &h);
  CHECK_EQ_INT(count_prefix("skill-"), 0);
  expect_absent("all/count-queue");
  CHECK_EQ_INT(nsent, CYCLE_SERIES);
  cx_skills_free(&sk);

  /* Skill filters by name, case-insensitively. */
  char *names[] = {"billing"};
  cx_skills_init(&sk, names, 1);
  skills_fill(&sk);
  nsent = 0;
  cx_emit(&opt, &c.snap, &h);
  expect_value("skill-Billing/count-queue", 4);
  CHECK_EQ_INT(count_prefix("skill-"), 20);
  expect_value("all/count-queue", 4);
  expect_value("all/count-window-offered", 120);

  /* A cycle whose skills answer failed: none of it, the rest as ever. */
  c.snap.skills_fresh = false;
  nsent = 0;
  cx_emit(&opt, &c.snap, &h);
  CHECK_EQ_INT(count_prefix("skill-"), 0);
  expect_absent("all/count-queue");
  CHECK_EQ_INT(nsent, CYCLE_SERIES);
  cx_skills_free(&sk);
  cycle_free(&c);
}

int main(void) {
  RUN(test_full_cycle);
  RUN(test_team_members);
  RUN(test_stale_cycles);
  RUN(test_today);
  RUN(test_skills);
  return unit_finish();
}
