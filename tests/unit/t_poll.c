/*
 * t_poll.c: cx_poll driven in process: a scripted CXone (fakecx) behind
 * cx_http's transport seam and a fake clock, no sockets.  Cycles follow
 * collectd's schedule (one every Interval, or right after an overrun).
 * Checked: every cycle ends by its deadline on the fake clock, whatever the
 * delays; the window durations, once ready, equal the timelines' truth for
 * every agent and state; departed agents (history only, wholly before the
 * window), a backfill spread over cycles, a failing then recovering chunk,
 * the per-agent fallback, a token that stops working mid-walk, plain
 * http endpoints in discovery; and the skills step (deltas, 304/204/empty,
 * paging, fields= refused, 403/404 off and retried, transient errors,
 * summaries at their interval, the deadline).
 */
#include "cx_poll.h"
#include "fakecx.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1733000000000LL /* 2024-11-30T20:53:20Z */
#define HOUR (3600LL * 1000)

static struct fakecx fake;
static cx_ms_t fake_clock(void) { return fake.now; }

static struct cx_poll_config config(cx_ms_t window, cx_ms_t budget,
                                    cx_ms_t interval) {
  return (struct cx_poll_config){
      .api = {.issuer = "https://fake.test",
              .client_id = "id",
              .client_secret = "secret",
              .access_key_id = "key",
              .access_key_secret = "key-secret"},
      .http = {.verify_peer = true,
               .verify_host = true,
               .timeout_ms = 30000,
               .max_body = 64 << 20},
      .window = window,
      .lookback = window,
      .interval = interval,
      .overlap = 10 * 60 * 1000,
      .chunk = HOUR,
      .budget = budget,
      .parallel = 4,
  };
}

struct run {
  struct cx_poll *poll;
  cx_ms_t longest;   /* longest cycle on the fake clock */
  unsigned cycles;   /* until the durations were ready (or the limit) */
  bool ready;
};

/* Runs cycles on collectd's schedule until the durations are ready or
 * max_cycles have run. */
static void run_until_ready(struct run *r, const struct cx_poll_config *cfg,
                            unsigned max_cycles) {
  struct cx_error err;
  for (r->cycles = 0; r->cycles < max_cycles && !r->ready; r->cycles++) {
    cx_ms_t start = fake.now;
    cx_poll_run(r->poll, &err);
    cx_ms_t took = fake.now - start;
    CHECK(cx_poll_health(r->poll)->cycle_seconds == (double)took / 1000.0);
    CHECK(cx_poll_health(r->poll)->backfill_percent >= 0.0 &&
          cx_poll_health(r->poll)->backfill_percent <= 100.0);
    if (took > r->longest)
      r->longest = took;
    r->ready = cx_poll_health(r->poll)->history_ready;
    if (fake.now < start + cfg->interval)
      fake.now = start + cfg->interval;
  }
}

/* Runs n cycles on collectd's schedule, whatever they report. */
static void run_cycles(struct run *r, const struct cx_poll_config *cfg,
                       unsigned n) {
  struct cx_error err;
  for (unsigned i = 0; i < n; i++) {
    cx_ms_t start = fake.now;
    cx_poll_run(r->poll, &err);
    if (fake.now - start > r->longest)
      r->longest = fake.now - start;
    if (fake.now < start + cfg->interval)
      fake.now = start + cfg->interval;
  }
}

static unsigned api_requests(void) {
  return fake.requests[FAKECX_STATES] + fake.requests[FAKECX_HISTORY] +
         fake.requests[FAKECX_AGENT_HISTORY];
}

/* Every agent's window durations equal the truth at the snapshot's time;
 * returns the number of mismatches. */
static unsigned mismatches(const struct cx_poll *poll, cx_ms_t window) {
  const struct cx_snapshot *s = cx_poll_snapshot(poll);
  unsigned bad = 0;
  for (size_t i = 0; i < s->nagents; i++) {
    size_t a = (size_t)(s->agents[i].id - 1001);
    for (int st = 0; st < CX_STATE_COUNT; st++) {
      cx_ms_t want = fakecx_truth(&fake, a, st, s->time - window, s->time);
      cx_ms_t got = s->agents[i].values.duration[st];
      if (got != want && bad++ < 5)
        fprintf(stderr, "  agent %lld state %d: %lld ms, truth %lld ms\n",
                (long long)s->agents[i].id, st, (long long)got,
                (long long)want);
    }
  }
  return bad;
}

static struct cx_poll *start(const struct cx_poll_config *cfg) {
  struct cx_poll *p = cx_poll_create(cfg);
  CHECK(p != NULL);
  cx_poll_set_clock(p, fake_clock);
  cx_poll_set_transport(p, fakecx_transport(&fake));
  return p;
}

/* Baseline: a quick tenant is exact once ready, and every agent shows. */
static void test_exact(void) {
  fakecx_init(&fake, T0, 12, 0, 4 * HOUR, 1);
  struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 10);
  CHECK(r.ready);
  CHECK_EQ_INT(cx_poll_snapshot(r.poll)->nagents, 12);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  /* Steady state: later cycles stay exact. */
  r.ready = false;
  run_until_ready(&r, &cfg, 20);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* Slow answers, Timeout 5 s (budget 4.5 s): no cycle runs past its
 * deadline.  At 3.6 s an answer, the real-time poll and one history request
 * cannot both fit: the live view stays fresh and history waits; at 2 s they
 * fit and the tenant converges; answers slower than the request timeout are
 * cut at the deadline. */
static void test_deadline(void) {
  fakecx_init(&fake, T0, 8, 0, 4 * HOUR, 2);
  struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
  cfg.http.timeout_ms = 5000;
  struct run r = {.poll = start(&cfg)};
  for (int e = 0; e < FAKECX_NENDPOINTS; e++)
    fake.delay[e] = 3600;
  run_until_ready(&r, &cfg, 20);
  CHECK(r.longest <= cfg.budget);
  CHECK(!r.ready);
  CHECK(cx_poll_health(r.poll)->live_fresh);
  for (int e = 0; e < FAKECX_NENDPOINTS; e++)
    fake.delay[e] = 2000;
  run_until_ready(&r, &cfg, 200);
  CHECK(r.longest <= cfg.budget);
  CHECK(r.ready);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  for (int e = 0; e < FAKECX_NENDPOINTS; e++)
    fake.delay[e] = 60000;
  r.ready = false;
  run_until_ready(&r, &cfg, 5);
  CHECK(r.longest <= cfg.budget);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);

  /* Per-agent mode, answers one after another at 1.3 s (three fit in a
   * cycle), tokens refused mid-walk: every cycle goes on where the last
   * one stopped, so the backfill completes and stays exact. */
  fakecx_init(&fake, T0, 6, 0, 4 * HOUR, 8);
  fake.no_all_agents_history = true;
  fake.delay[FAKECX_AGENT_HISTORY] = 1300;
  fake.token_valid_ms = 30000;
  r = (struct run){.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 20);
  CHECK(r.ready);
  CHECK(r.cycles <= 5);
  run_cycles(&r, &cfg, 20);
  CHECK(r.longest <= cfg.budget);
  CHECK(fake.unauthorized > 0);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* A backfill spread over cycles (one 1-h chunk per cycle) meets agents
 * that left: history holds their records, wholly before the window, in
 * chunks of later cycles; agents/states no longer lists them. */
static void test_departed_backfill_across_cycles(void) {
  fakecx_init(&fake, T0, 10, 3, 4 * HOUR, 3);
  fake.delay[FAKECX_HISTORY] = 2400; /* > half the budget: a chunk a cycle */
  struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 30);
  CHECK(r.ready);
  CHECK(r.cycles >= 8); /* 8 h of backfill, one hour per cycle */
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* History fails for a while (500), then answers: the walk resumes and the
 * figures are exact. */
static void test_failing_then_recovering_chunk(void) {
  fakecx_init(&fake, T0, 6, 0, 4 * HOUR, 4);
  fake.history_failures = 5;
  struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 40);
  CHECK(r.ready);
  CHECK_EQ_INT(fake.history_failures, 0);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* No all-agents endpoint (404): per-agent requests, exact. */
static void test_per_agent(void) {
  fakecx_init(&fake, T0, 9, 1, 4 * HOUR, 5);
  fake.no_all_agents_history = true;
  fake.delay[FAKECX_AGENT_HISTORY] = 100;
  struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 40);
  CHECK(r.ready);
  CHECK(cx_poll_health(r.poll)->per_agent_history);
  CHECK(fake.requests[FAKECX_AGENT_HISTORY] > 0);
  CHECK(r.longest <= cfg.budget);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* The server stops accepting each token after 20 s although it announced
 * an hour: walks meet 401 mid-way, re-authenticate once and go on. */
static void test_token_expiry_mid_walk(void) {
  fakecx_init(&fake, T0, 8, 0, 4 * HOUR, 6);
  fake.token_valid_ms = 20000;
  fake.delay[FAKECX_HISTORY] = 700;
  fake.page_size = 10; /* many pages per walk */
  struct cx_poll_config cfg = config(4 * HOUR, 9000, 10000);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 60);
  CHECK(r.ready);
  CHECK(fake.unauthorized > 0);
  CHECK(fake.token_gen > 1);
  CHECK(cx_poll_health(r.poll)->up);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* With an https Issuer, a discovered endpoint that is plain http is
 * refused before anything is sent to it; with a plain-http Issuer (a test
 * tenant) it is used. */
static void test_plain_http_endpoints(void) {
  struct cx_error err;
  struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
  fakecx_init(&fake, T0, 3, 0, 4 * HOUR, 7);
  fake.token_endpoint = "http://fake.test/auth/token";
  struct cx_poll *p = start(&cfg);
  CHECK_EQ_INT(cx_poll_run(p, &err), CX_ERR_INVALID);
  CHECK(strstr(err.message, "not https") != NULL);
  CHECK_EQ_INT(fake.requests[FAKECX_TOKEN], 0);
  cx_poll_destroy(p);
  fakecx_free(&fake);

  fakecx_init(&fake, T0, 3, 0, 4 * HOUR, 7);
  fake.api_endpoint = "HTTP://api.fake.test";
  p = start(&cfg);
  CHECK_EQ_INT(cx_poll_run(p, &err), CX_ERR_INVALID);
  CHECK_EQ_INT(fake.requests[FAKECX_STATES], 0);
  CHECK_EQ_INT(fake.requests[FAKECX_HISTORY], 0);
  cx_poll_destroy(p);
  fakecx_free(&fake);

  fakecx_init(&fake, T0, 3, 0, 4 * HOUR, 7);
  fake.token_endpoint = "http://fake.test/auth/token";
  fake.api_endpoint = "http://api.fake.test";
  cfg.api.issuer = "http://fake.test";
  p = start(&cfg);
  CHECK_EQ_INT(cx_poll_run(p, &err), CX_OK);
  CHECK_EQ_INT(fake.requests[FAKECX_STATES], 1);
  cx_poll_destroy(p);
  fakecx_free(&fake);
}

/* Figures within two cycles of the backfill's end, under each history
 * semantic (with or without LoggedOut records, with straddling states or
 * not, with a reporting lag: then a lag later), exact; then at most two requests a cycle, and a lag
 * estimate that follows the real one. */
static void test_ready_after_backfill(void) {
  static const struct {
    bool no_logged_out, exclude;
    cx_ms_t lag;
  } cases[] = {{false, false, 0},     {true, false, 0},
               {true, false, 120000}, {false, false, 300000},
               {true, true, 0},       {false, true, 120000}};
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    fakecx_init(&fake, T0, 300, 0, 4 * HOUR, 9);
    fake.no_logged_out_history = cases[c].no_logged_out;
    fake.history_lag_ms = cases[c].lag;
    fake.exclude_straddling = cases[c].exclude;
    fake.page_size = 1000;
    fake.delay[FAKECX_HISTORY] = 200;
    struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
    cfg.page_size = 1000;
    struct run r = {.poll = start(&cfg)};
    unsigned backfilled = 0, ready = 0;
    for (unsigned i = 1; i <= 200 && ready == 0; i++) {
      run_cycles(&r, &cfg, 1);
      const struct cx_health *h = cx_poll_health(r.poll);
      if (backfilled == 0 && h->backfill_percent >= 100.0)
        backfilled = i;
      if (h->history_ready)
        ready = i;
    }
    unsigned allowed = 2 + (unsigned)(cases[c].lag / cfg.interval);
    if (ready == 0 || ready - backfilled > allowed)
      fprintf(stderr, "  case %zu: backfill done in cycle %u, ready in %u "
              "(allowed %u later)\n", c, backfilled, ready, allowed);
    CHECK(ready > 0 && ready - backfilled <= allowed);
    CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
    unsigned most = 0;
    for (int i = 0; i < 30; i++) {
      unsigned before = api_requests();
      run_cycles(&r, &cfg, 1);
      if (api_requests() - before > most)
        most = api_requests() - before;
    }
    CHECK(most <= 2);
    double lag = cx_poll_health(r.poll)->history_lag_seconds;
    CHECK(lag >= (double)cases[c].lag / 1000.0 &&
          lag <= (double)cases[c].lag / 1000.0 + 30.0);
    CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
    cx_poll_destroy(r.poll);
    fakecx_free(&fake);
  }
}

/* Per-agent mode at 200 agents, 100 ms a request, Interval 5: the backfill
 * completes in a bounded number of cycles (about 33 requests fit in one
 * here, answered one after another: 200 / 33 -> 7), exact; then only the
 * agents that changed state are asked again. */
static void test_per_agent_resumable(void) {
  fakecx_init(&fake, T0, 200, 0, 4 * HOUR, 10);
  fake.no_all_agents_history = true;
  fake.page_size = 1000;
  for (int e = 0; e < FAKECX_NENDPOINTS; e++)
    fake.delay[e] = 100;
  struct cx_poll_config cfg = config(4 * HOUR, 4500, 5000);
  cfg.page_size = 1000;
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 40);
  CHECK(r.ready);
  CHECK(r.cycles <= 9);
  CHECK(r.longest <= cfg.budget);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  unsigned before = fake.requests[FAKECX_AGENT_HISTORY];
  run_cycles(&r, &cfg, 20);
  unsigned per_cycle = (fake.requests[FAKECX_AGENT_HISTORY] - before) / 20;
  CHECK(per_cycle < 20);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* A team's agents leave: history closes their last state, which ends it
 * exactly (every cycle stays exact); once their window has held nothing
 * for a while (every value 0) they and their team are forgotten. */
static void test_leavers_forgotten(void) {
  fakecx_init(&fake, T0, 20, 0, HOUR, 11);
  struct cx_poll_config cfg = config(HOUR, 4500, 5000);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 20);
  CHECK(r.ready);
  CHECK_EQ_INT(cx_poll_snapshot(r.poll)->nteams, 4);
  for (size_t a = 3; a < 20; a += 4) /* team 14 */
    fakecx_leave(&fake, a, fake.now + 60000);
  bool nonzero_before_gone = false, gone = false;
  unsigned bad = 0;
  for (int i = 0; i < 2000 && !gone; i++) {
    bad += mismatches(r.poll, cfg.window);
    const struct cx_snapshot *s = cx_poll_snapshot(r.poll);
    bool leaver_nonzero = false;
    for (size_t k = 0; k < s->nagents; k++)
      for (int st = 0; st < CX_STATE_COUNT; st++)
        if ((s->agents[k].id - 1001) % 4 == 3 &&
            s->agents[k].values.duration[st] != 0)
          leaver_nonzero = true;
    run_cycles(&r, &cfg, 1);
    gone = cx_poll_snapshot(r.poll)->nagents == 15;
    if (gone)
      nonzero_before_gone = leaver_nonzero;
  }
  CHECK(gone);
  CHECK(!nonzero_before_gone);
  CHECK_EQ_INT(bad, 0); /* history's closing record ends each one exactly */
  CHECK_EQ_INT(cx_poll_snapshot(r.poll)->nteams, 3);
  CHECK_EQ_INT(cx_poll_health(r.poll)->agents, 15);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* An agent logged out for longer than the backfill logs in a moment
 * before start-up, hidden by a 20-s lag, on a tenant whose history has no
 * LoggedOut records: its login reaches history during catch-up, and the
 * logged-out time before it is still inferred. */
static void test_login_hidden_by_lag(void) {
  fakecx_init(&fake, T0, 8, 0, HOUR, 12);
  fake.history_lag_ms = 20000;
  fake.no_logged_out_history = true;
  struct fakecx_agent *a = &fake.agents[0];
  cx_ms_t login = T0 - 3000;
  a->items[0] = (struct fakecx_item){CX_STATE_LOGGED_OUT, T0 - 86400000, login};
  a->items[1] = (struct fakecx_item){CX_STATE_LOGGED_IN, login, T0 - 1000};
  a->items[2] = (struct fakecx_item){CX_STATE_AVAILABLE, T0 - 1000, T0 + HOUR};
  a->nitems = 3;
  struct cx_poll_config cfg = config(HOUR, 4500, 5000);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 30);
  CHECK(r.ready);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* Agent index a's timeline from `at` on becomes items[0..n) (which must
 * begin at `at` and follow one another). */
static void retime(size_t a, cx_ms_t at, const struct fakecx_item *items,
                   size_t n) {
  fakecx_leave(&fake, a, at);
  struct fakecx_agent *ag = &fake.agents[a];
  ag->left_at = 0; /* listed again: only the timeline changed */
  struct fakecx_item *grown =
      realloc(ag->items, (ag->nitems + n) * sizeof(*ag->items));
  CHECK(grown != NULL);
  if (grown == NULL)
    return;
  ag->items = grown;
  memcpy(ag->items + ag->nitems, items, n * sizeof(*items));
  ag->nitems += n;
}

/* History (22 s behind) closes a state real-time polling saw open while
 * the next state, which real-time polling missed, is not in history yet:
 * the state ends where history says, and the time after it is not
 * counted as that state.  (It ran on to the next state real-time polling
 * saw, as long as history left out the one between.) */
static void test_closed_before_missed_state(void) {
  fakecx_init(&fake, T0, 300, 0, HOUR, 13);
  fake.history_lag_ms = 22000;
  fake.page_size = 1000;
  struct cx_poll_config cfg = config(HOUR, 9000, 10000);
  cfg.page_size = 1000;
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 30);
  CHECK(r.ready);
  run_cycles(&r, &cfg, 3);
  /* Cycles start every 10 s from n (no delays): Available is seen at
   * n + 10, InboundContact falls between two polls, Unavailable is seen at
   * n + 20.  At n + 40, history knows Available ended (n + 12 + 22 s) but
   * not InboundContact (n + 19.9 + 22 s). */
  cx_ms_t n = fake.now;
  const struct fakecx_item items[] = {
      {CX_STATE_AVAILABLE, n + 1000, n + 12000},
      {CX_STATE_INBOUND_CONTACT, n + 12000, n + 19900},
      {CX_STATE_UNAVAILABLE, n + 19900, n + HOUR}};
  retime(0, n + 1000, items, 3);
  run_cycles(&r, &cfg, 5);
  const struct cx_snapshot *s = cx_poll_snapshot(r.poll);
  CHECK_EQ_INT(s->time, n + 40000);
  CHECK(cx_poll_health(r.poll)->history_lag_seconds < 28.0);
  for (size_t i = 0; i < s->nagents; i++) {
    if (s->agents[i].id != 1001)
      continue;
    const cx_ms_t *d = s->agents[i].values.duration;
    CHECK_EQ_INT(d[CX_STATE_AVAILABLE],
                 fakecx_truth(&fake, 0, CX_STATE_AVAILABLE, s->time - HOUR,
                              s->time));
    /* Not known yet: only what came before. */
    CHECK_EQ_INT(d[CX_STATE_INBOUND_CONTACT],
                 fakecx_truth(&fake, 0, CX_STATE_INBOUND_CONTACT,
                              s->time - HOUR, n + 12000));
  }
  /* Once history has the state between, everything is exact. */
  run_cycles(&r, &cfg, 1);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* Today with a one-hour Window: the day's figures (since UTC midnight,
 * 20.9 hours before T0) are exact once ready, next to the window's; the
 * backfill reads back to that midnight, not the 26 hours the ledger may
 * hold. */
static void test_today(void) {
  fakecx_init(&fake, T0, 30, 0, HOUR, 14);
  fake.page_size = 1000;
  struct cx_poll_config cfg = config(HOUR, 4500, 5000);
  cfg.page_size = 1000;
  cfg.today = true; /* tz NULL: UTC */
  cx_ms_t midnight = T0 - T0 % (24 * HOUR);
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 40);
  CHECK(r.ready);
  /* The backfill read from an hour (LookBack) before midnight: 22 chunks
   * of an hour (the 26 hours the ledger may hold would be 28). */
  CHECK(fake.requests[FAKECX_HISTORY] <= 22 + r.cycles);
  for (int round = 0; round < 3; round++) {
    const struct cx_snapshot *s = cx_poll_snapshot(r.poll);
    CHECK(s->has_today);
    unsigned bad = 0;
    for (size_t i = 0; i < s->nagents; i++)
      for (int st = 0; st < CX_STATE_COUNT; st++) {
        size_t a = (size_t)(s->agents[i].id - 1001);
        bad += s->agents[i].values.today[st] !=
               fakecx_truth(&fake, a, st, midnight, s->time);
      }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
    run_cycles(&r, &cfg, 7);
  }
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* ---- skills ---- */

static struct cx_poll_config skills_config(void) {
  struct cx_poll_config cfg = config(HOUR, 4500, 5000);
  cfg.skills = true;
  cfg.skill_summary_interval = 300 * 1000;
  return cfg;
}

/* The snapshot's skill k (id 501 + k), or NULL. */
static const struct cx_skill *skill(const struct cx_poll *p, size_t k) {
  const struct cx_skills *sk = cx_poll_snapshot(p)->skills;
  for (size_t i = 0; sk != NULL && i < sk->n; i++)
    if (sk->items[i].id == (int64_t)(501 + k))
      return &sk->items[i];
  return NULL;
}

/* Every skill's live figures are the fake's at its last answer. */
static unsigned skill_mismatches(const struct cx_poll *p) {
  unsigned bad = 0;
  for (size_t k = 0; k < fake.nskills; k++) {
    const struct cx_skill *s = skill(p, k);
    double q = s ? s->live.value[CX_SKILL_QUEUE] : -1;
    double e = s ? s->live.value[CX_SKILL_EARLIEST_QUEUE] : -1;
    if (q != fakecx_skill_queue(k, fake.skills_at) ||
        e != (double)fakecx_skill_earliest(k, fake.skills_at))
      bad++;
  }
  return bad;
}

/* One request a cycle: a full answer first and every 120 cycles, deltas
 * between (304 when nothing changed); the figures always the server's. */
static void test_skills_live(void) {
  static const long unchanged[] = {304, 204, 200};
  for (size_t u = 0; u < 3; u++) {
    fakecx_init(&fake, T0, 4, 0, HOUR, 3);
    fake.nskills = 5;
    fake.skills_delta = true;
    fake.skills_unchanged = unchanged[u];
    struct cx_poll_config cfg = skills_config();
    cfg.skill_summary_interval = 0;
    struct run r = {.poll = start(&cfg)};
    unsigned bad = 0;
    for (int i = 0; i < 130; i++) {
      unsigned before = fake.requests[FAKECX_SKILLS];
      run_cycles(&r, &cfg, 1);
      CHECK_EQ_INT(fake.requests[FAKECX_SKILLS] - before, 1);
      bad += skill_mismatches(r.poll);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(fake.skills_full, 2); /* cycles 1 and 122 */
    CHECK_EQ_INT(fake.requests[FAKECX_SKILL_SUMMARY], 0);
    CHECK(cx_poll_snapshot(r.poll)->skills->live);
    CHECK(r.longest <= cfg.budget);
    cx_poll_destroy(r.poll);
    fakecx_free(&fake);
  }
}

/* Paging by skip/top; a 400 to fields= is answered by asking without,
 * from then on. */
static void test_skills_paging_and_fields(void) {
  fakecx_init(&fake, T0, 4, 0, HOUR, 4);
  fake.nskills = 5;
  fake.skills_page_size = 2;
  fake.skills_refuse_fields = true;
  struct cx_poll_config cfg = skills_config();
  cfg.skill_summary_interval = 0;
  struct run r = {.poll = start(&cfg)};
  run_cycles(&r, &cfg, 1);
  /* 400, then the three pages without fields=. */
  CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 4);
  CHECK_EQ_INT(fake.skills_fields_400, 1);
  CHECK_EQ_INT(cx_poll_snapshot(r.poll)->skills->n, 5);
  CHECK_EQ_INT(skill_mismatches(r.poll), 0);
  run_cycles(&r, &cfg, 3);
  CHECK_EQ_INT(fake.skills_fields_400, 1);
  CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 4 + 3 * 3);
  CHECK_EQ_INT(skill_mismatches(r.poll), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* 404 (a server without skills) or 403: off, asked again 60 cycles on;
 * the agent figures never notice.  Other errors keep the last figures. */
static void test_skills_refused(void) {
  static const long refusals[] = {404, 403};
  for (size_t i = 0; i < 2; i++) {
    fakecx_init(&fake, T0, 4, 0, HOUR, 5);
    fake.nskills = 3;
    fake.skills_status = refusals[i];
    struct cx_poll_config cfg = skills_config();
    struct run r = {.poll = start(&cfg)};
    struct cx_error err;
    CHECK_EQ_INT(cx_poll_run(r.poll, &err), CX_OK);
    fake.now += cfg.interval;
    CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 1);
    CHECK_EQ_INT(fake.requests[FAKECX_SKILL_SUMMARY], 0);
    CHECK(!cx_poll_snapshot(r.poll)->skills->live);
    run_cycles(&r, &cfg, 60);
    CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 1);
    CHECK(cx_poll_health(r.poll)->up);
    CHECK(cx_poll_health(r.poll)->history_ready);
    CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
    fake.skills_status = 0; /* the permission granted */
    run_cycles(&r, &cfg, 1);
    CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 2);
    CHECK_EQ_INT(fake.requests[FAKECX_SKILL_SUMMARY], 1);
    CHECK(cx_poll_snapshot(r.poll)->skills->live);
    CHECK_EQ_INT(skill_mismatches(r.poll), 0);
    /* A 500: the figures stay, the next cycle asks again. */
    cx_ms_t at = fake.skills_at;
    fake.skills_status = 500;
    fake.now += 60000;
    CHECK_EQ_INT(cx_poll_run(r.poll, &err), CX_OK);
    fake.now += cfg.interval;
    CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 3);
    CHECK(cx_poll_snapshot(r.poll)->skills->live);
    CHECK(!cx_poll_snapshot(r.poll)->skills_fresh); /* kept, not dispatched */
    CHECK(skill(r.poll, 0) != NULL);
    CHECK(skill(r.poll, 0)->live.value[CX_SKILL_QUEUE] ==
          fakecx_skill_queue(0, at));
    fake.skills_status = 0;
    run_cycles(&r, &cfg, 1);
    CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 4);
    CHECK(cx_poll_snapshot(r.poll)->skills_fresh);
    CHECK_EQ_INT(skill_mismatches(r.poll), 0);
    cx_poll_destroy(r.poll);
    fakecx_free(&fake);
  }
  /* No skills served at all (today's simulator): one request, nothing. */
  fakecx_init(&fake, T0, 4, 0, HOUR, 6);
  struct cx_poll_config cfg = skills_config();
  struct run r = {.poll = start(&cfg)};
  run_cycles(&r, &cfg, 30);
  CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 1);
  CHECK_EQ_INT(cx_poll_snapshot(r.poll)->skills->n, 0);
  CHECK(cx_poll_health(r.poll)->up);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
  /* Skills false: never asked, no table in the snapshot. */
  fakecx_init(&fake, T0, 4, 0, HOUR, 6);
  fake.nskills = 2;
  cfg.skills = false;
  r = (struct run){.poll = start(&cfg)};
  run_cycles(&r, &cfg, 3);
  CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 0);
  CHECK(cx_poll_snapshot(r.poll)->skills == NULL);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* Summaries every SkillSummaryInterval: the window, and the day with
 * Today; kept between refreshes; a 403 to them alone keeps the live
 * figures. */
static void test_skills_summary_interval(void) {
  fakecx_init(&fake, T0, 4, 0, HOUR, 7);
  fake.nskills = 2;
  struct cx_poll_config cfg = skills_config();
  cfg.today = true;
  struct run r = {.poll = start(&cfg)};
  cx_ms_t t0 = fake.now;
  /* 20 minutes of cycles: refreshes at 0, 300, 600 and 900 s. */
  while (fake.now < t0 + 1200 * 1000)
    run_cycles(&r, &cfg, 1);
  CHECK_EQ_INT(fake.requests[FAKECX_SKILL_SUMMARY], 4 * 2);
  CHECK_EQ_INT(fake.requests[FAKECX_SKILLS], 240);
  const struct cx_skill *s = skill(r.poll, 1);
  CHECK(s != NULL);
  CHECK(s->summary[CX_SKILL_WINDOW].value[CX_SKILL_OFFERED] == 11);
  CHECK(s->summary[CX_SKILL_TODAY].value[CX_SKILL_HANDLE_TIME] == 60000);
  /* The day's request: from the local (UTC) midnight. */
  CHECK(strstr(fake.last_summary, "startDate=2024-11-30T00%3A00%3A00") != NULL);
  /* Refused: summaries dropped, live figures on, asked again later. */
  fake.summary_status = 403;
  unsigned before = fake.requests[FAKECX_SKILL_SUMMARY];
  while (fake.now < t0 + 1500 * 1000)
    run_cycles(&r, &cfg, 1);
  CHECK_EQ_INT(fake.requests[FAKECX_SKILL_SUMMARY], before + 1);
  CHECK(!cx_poll_snapshot(r.poll)->skills->summary[CX_SKILL_WINDOW]);
  CHECK(cx_poll_snapshot(r.poll)->skills->live);
  CHECK_EQ_INT(skill_mismatches(r.poll), 0);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
  /* Without Today: one request per refresh, over [now - Window, now]. */
  fakecx_init(&fake, T0, 4, 0, HOUR, 7);
  fake.nskills = 2;
  cfg.today = false;
  r = (struct run){.poll = start(&cfg)};
  run_cycles(&r, &cfg, 1);
  CHECK_EQ_INT(fake.requests[FAKECX_SKILL_SUMMARY], 1);
  /* T0 - Window: 2024-11-30T19:53:20Z. */
  CHECK(strstr(fake.last_summary, "startDate=2024-11-30T19%3A53%3A20") != NULL);
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* Slow skills answers stay within the cycle's deadline; agent figures go
 * on. */
static void test_skills_deadline(void) {
  fakecx_init(&fake, T0, 6, 0, HOUR, 9);
  fake.nskills = 3;
  struct cx_poll_config cfg = skills_config();
  cfg.http.timeout_ms = 5000;
  fake.delay[FAKECX_SKILLS] = 1500;
  fake.delay[FAKECX_SKILL_SUMMARY] = 1500;
  fake.delay[FAKECX_HISTORY] = 500;
  struct run r = {.poll = start(&cfg)};
  run_until_ready(&r, &cfg, 40);
  CHECK(r.ready);
  CHECK(r.longest <= cfg.budget);
  CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
  CHECK_EQ_INT(skill_mismatches(r.poll), 0);
  /* Answers slower than the whole budget: cut at the deadline. */
  fake.delay[FAKECX_SKILLS] = 60000;
  run_cycles(&r, &cfg, 3);
  CHECK(r.longest <= cfg.budget);
  CHECK(cx_poll_snapshot(r.poll)->skills->live); /* the last good figures */
  cx_poll_destroy(r.poll);
  fakecx_free(&fake);
}

/* unavailable-codes: read on the first cycle, then hourly; a passing
 * failure (500) is asked again the next cycle, a refusal (403) only an
 * hour later; neither touches the cycle. */
static void test_unavailable_codes(void) {
  static const long first[] = {500, 403};
  for (size_t c = 0; c < 2; c++) {
    fakecx_init(&fake, T0, 4, 0, HOUR, 6);
    fake.codes_status = first[c];
    struct cx_poll_config cfg = config(HOUR, 4500, 5000);
    struct run r = {.poll = start(&cfg)};
    run_cycles(&r, &cfg, 1);
    CHECK_EQ_INT(fake.requests[FAKECX_CODES], 1);
    CHECK(cx_poll_health(r.poll)->up);
    fake.codes_status = 0;
    run_cycles(&r, &cfg, 10);
    CHECK_EQ_INT(fake.requests[FAKECX_CODES], (first[c] == 500 ? 2 : 1));
    fake.now += HOUR;
    run_cycles(&r, &cfg, 1);
    CHECK_EQ_INT(fake.requests[FAKECX_CODES], (first[c] == 500 ? 3 : 2));
    CHECK_EQ_INT(mismatches(r.poll, cfg.window), 0);
    cx_poll_destroy(r.poll);
    fakecx_free(&fake);
  }
}

int main(void) {
  RUN(test_exact);
  RUN(test_deadline);
  RUN(test_departed_backfill_across_cycles);
  RUN(test_failing_then_recovering_chunk);
  RUN(test_per_agent);
  RUN(test_token_expiry_mid_walk);
  RUN(test_plain_http_endpoints);
  RUN(test_ready_after_backfill);
  RUN(test_per_agent_resumable);
  RUN(test_leavers_forgotten);
  RUN(test_login_hidden_by_lag);
  RUN(test_closed_before_missed_state);
  RUN(test_today);
  RUN(test_unavailable_codes);
  RUN(test_skills_live);
  RUN(test_skills_paging_and_fields);
  RUN(test_skills_refused);
  RUN(test_skills_summary_interval);
  RUN(test_skills_deadline);
  return unit_finish();
}
