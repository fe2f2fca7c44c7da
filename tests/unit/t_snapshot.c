/*
 * t_snapshot.c: cx_snapshot_build's scopes against a brute-force oracle on
 * random rosters: teams listed in any id order (ids repeated too), agents
 * in unknown teams or none, Team and Agent filters.  Checks each agent's
 * team, which teams are kept and in what order, and every team's and the
 * "all" scope's durations and counts.
 */
#include "cx_ledger.h"
#include "cx_snapshot.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S(x) ((cx_ms_t)(x) * 1000)

static uint64_t rng = 88172645463325252ULL;
static unsigned rnd(unsigned n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}

/* The first roster team with the id, -1 when none (the linear rule). */
static long oracle_team(const struct cx_team_meta *teams, size_t n,
                        int64_t id) {
  for (size_t i = 0; i < n; i++)
    if (teams[i].id == id)
      return (long)i;
  return -1;
}

static void one_round(size_t nagents, size_t nteams, bool filter_teams,
                      bool filter_agents) {
  static const char *names[] = {"Tier 1", "tier 2", "Support", "Sales",
                                "Billing"};
  static const char *reasons[] = {NULL, "Break", "Lunch"};
  struct cx_ledger *l = cx_ledger_create(S(1000));
  struct cx_team_meta *teams = calloc(nteams + 1, sizeof(*teams));
  struct cx_agent_meta *meta = calloc(nagents + 1, sizeof(*meta));
  for (size_t t = 0; t < nteams; t++) {
    teams[t].id = 1000 + rnd((unsigned)nteams + 3); /* unsorted, repeats */
    teams[t].name = rnd(4) ? (char *)names[rnd(5)] : NULL;
  }
  for (size_t i = 0; i < nagents; i++) {
    int64_t id = 5000 + (int64_t)i * 7;
    int state = (int)rnd(CX_STATE_COUNT);
    const char *reason = state == CX_STATE_UNAVAILABLE ? reasons[rnd(3)] : NULL;
    CHECK_EQ_INT(cx_ledger_add(l, id, state, reason, S(100 + rnd(500)),
                               CX_MS_INFINITY, CX_SOURCE_LIVE),
                 0);
    unsigned k = rnd(10);
    meta[i].team_id = k == 0   ? CX_ID_NONE
                      : k == 1 ? 99 /* a team not in the roster */
                               : 1000 + rnd((unsigned)nteams + 3);
  }
  cx_ledger_advance(l, S(900));
  char *team_filter[] = {"SUPPORT", "tier 1"};
  int64_t agent_filter[] = {5000, 5007, 5070, 5140, 5700};
  struct cx_filter f = {0};
  if (filter_teams) {
    f.teams = team_filter;
    f.nteams = 2;
  }
  if (filter_agents) {
    f.agents = agent_filter;
    f.nagents = 5;
  }

  struct cx_snapshot s = {0};
  const struct cx_snapshot_options spans = {S(1000), CX_SNAPSHOT_NO_DAY};
  CHECK_EQ_INT(cx_snapshot_build(&s, l, meta, nagents, teams, nteams, &f,
                                 &spans, S(900)),
               CX_OK);

  /* Oracle: the agents in scope, their roster teams, the teams kept. */
  bool *used = calloc(nteams + 1, sizeof(*used));
  size_t in_scope = 0;
  for (size_t i = 0; i < nagents; i++) {
    long t = meta[i].team_id == CX_ID_NONE
                 ? -1
                 : oracle_team(teams, nteams, meta[i].team_id);
    const char *tname = t < 0 ? NULL
                        : teams[t].name ? teams[t].name
                                        : "(id)";
    bool ok = true;
    if (filter_agents) {
      ok = false;
      for (size_t k = 0; k < 5; k++)
        ok = ok || agent_filter[k] == 5000 + (int64_t)i * 7;
    }
    if (ok && filter_teams)
      ok = tname != NULL && teams[t].name != NULL &&
           (strcasecmp(tname, "support") == 0 ||
            strcasecmp(tname, "tier 1") == 0);
    if (!ok)
      continue;
    if (in_scope < s.nagents) {
      CHECK_EQ_INT(s.agents[in_scope].id, 5000 + (int64_t)i * 7);
      long got = s.agents[in_scope].team;
      if (t < 0)
        CHECK_EQ_INT(got, -1);
      else
        CHECK(got >= 0 && (size_t)got < s.nteams &&
              s.teams[got].id == teams[t].id);
    }
    in_scope++;
    if (t >= 0)
      used[t] = true;
  }
  CHECK_EQ_INT(s.nagents, in_scope);
  size_t kept = 0;
  for (size_t t = 0; t < nteams; t++)
    if (used[t]) {
      if (kept < s.nteams)
        CHECK_EQ_INT(s.teams[kept].id, teams[t].id);
      kept++;
    }
  CHECK_EQ_INT(s.nteams, kept);

  /* Team and "all" sums from the agents' own values. */
  for (size_t t = 0; t < s.nteams; t++) {
    cx_ms_t d[CX_STATE_COUNT] = {0};
    uint32_t c[CX_STATE_COUNT] = {0};
    for (size_t i = 0; i < s.nagents; i++) {
      if (s.agents[i].team != (long)t)
        continue;
      for (int k = 0; k < CX_STATE_COUNT; k++)
        d[k] += s.agents[i].values.duration[k];
      if (s.agents[i].state >= 0)
        c[s.agents[i].state]++;
    }
    for (int k = 0; k < CX_STATE_COUNT; k++) {
      CHECK_EQ_INT(s.teams[t].values.duration[k], d[k]);
      CHECK_EQ_INT(s.teams[t].values.count[k], c[k]);
    }
  }
  uint32_t all = 0;
  for (int k = 0; k < CX_STATE_COUNT; k++)
    all += s.all.count[k];
  CHECK_EQ_INT(all, s.nagents);

  cx_snapshot_free(&s);
  free(used);
  free(meta);
  free(teams);
  cx_ledger_destroy(l);
}

static void test_random_rosters(void) {
  for (int round = 0; round < 300; round++)
    one_round(1 + rnd(120), rnd(12), rnd(3) == 0, rnd(4) == 0);
}

static void test_no_teams(void) { one_round(10, 0, false, false); }

/* One agent's random timeline, fed to each ledger: closed items, gaps
 * (LoggedOut), reasons, and an open last state. */
static void feed(struct cx_ledger **ls, size_t nl, int64_t id, cx_ms_t from,
                 cx_ms_t to) {
  static const char *reasons[] = {NULL, "Break", "Lunch"};
  for (cx_ms_t t = from; t < to;) {
    cx_ms_t d = S(1 + rnd(3000));
    int state = (int)rnd(CX_STATE_COUNT);
    const char *reason = state == CX_STATE_UNAVAILABLE ? reasons[rnd(3)] : NULL;
    cx_ms_t end = t + d >= to ? CX_MS_INFINITY : t + d;
    for (size_t k = 0; k < nl; k++)
      cx_ledger_add(ls[k], id, state, reason, t, end,
                    end == CX_MS_INFINITY ? CX_SOURCE_LIVE : CX_SOURCE_HISTORY);
    t += d + (rnd(4) == 0 ? S(rnd(2000)) : 0); /* sometimes a gap */
  }
}

/* Spans the running sums do not cover, summed from the items: a window
 * shorter than the ledger's, and the day so far, each equal to the
 * running sums of a ledger created with that window. */
static void test_spans(void) {
  for (int round = 0; round < 20; round++) {
    cx_ms_t held = S(90000), window = S(3600 + rnd(80000));
    cx_ms_t now = S(200000 + rnd(100000));
    cx_ms_t day_start = now - S(1 + rnd(85000));
    struct cx_ledger *ls[3] = {cx_ledger_create(held),
                               cx_ledger_create(window),
                               cx_ledger_create(now - day_start)};
    for (int64_t id = 1; id <= 5; id++)
      feed(ls, 3, id, S(rnd(50000)), now + S(10));
    for (size_t k = 0; k < 3; k++)
      cx_ledger_advance(ls[k], now);
    struct cx_snapshot s = {0};
    const struct cx_snapshot_options spans = {window, day_start};
    CHECK_EQ_INT(cx_snapshot_build(&s, ls[0], NULL, 0, NULL, 0, NULL, &spans,
                                   now),
                 CX_OK);
    CHECK(s.has_today);
    for (size_t i = 0; i < s.nagents; i++) {
      cx_ms_t w[CX_STATE_COUNT], d[CX_STATE_COUNT], wr[4] = {0}, dr[4] = {0};
      long iw = cx_ledger_agent_index(ls[1], s.agents[i].id);
      long id = cx_ledger_agent_index(ls[2], s.agents[i].id);
      CHECK(iw >= 0 && id >= 0);
      if (iw < 0 || id < 0)
        continue;
      cx_ledger_durations(ls[1], (size_t)iw, now, w, wr);
      cx_ledger_durations(ls[2], (size_t)id, now, d, dr);
      for (int st = 0; st < CX_STATE_COUNT; st++) {
        CHECK_EQ_INT(s.agents[i].values.duration[st], w[st]);
        CHECK_EQ_INT(s.agents[i].values.today[st], d[st]);
      }
      for (size_t r = 1; r <= s.nreasons; r++) {
        const char *name = cx_snapshot_reason_name(&s, r);
        for (size_t k = 1; k <= cx_ledger_reason_count(ls[1]); k++)
          if (strcmp(cx_ledger_reason_name(ls[1], k), name) == 0)
            CHECK_EQ_INT(s.agents[i].values.reason_duration[r], wr[k]);
        for (size_t k = 1; k <= cx_ledger_reason_count(ls[2]); k++)
          if (strcmp(cx_ledger_reason_name(ls[2], k), name) == 0)
            CHECK_EQ_INT(s.agents[i].values.reason_today[r], dr[k]);
      }
    }
    /* "all" sums the agents' day. */
    cx_ms_t sum = 0, all = 0;
    for (size_t i = 0; i < s.nagents; i++)
      sum += s.agents[i].values.today[CX_STATE_AVAILABLE];
    all = s.all.today[CX_STATE_AVAILABLE];
    CHECK_EQ_INT(all, sum);
    cx_snapshot_free(&s);
    for (size_t k = 0; k < 3; k++)
      cx_ledger_destroy(ls[k]);
  }
}

int main(void) {
  RUN(test_random_rosters);
  RUN(test_no_teams);
  RUN(test_spans);
  return unit_finish();
}
