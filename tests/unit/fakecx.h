/*
 * fakecx.h: a scripted CXone tenant answering in process (cx_http's
 * transport seam), with its own clock: the partner of t_poll.
 *
 * Agents follow deterministic timelines (a pure function of the seed).
 * Endpoints: discovery, token (expiring), cxone-configuration,
 * agents/states (full snapshots), unavailable-codes, state-history of all
 * agents or one (closed records overlapping the range, paged by skip/top),
 * with a delay
 * per endpoint, a 404 for the all-agents endpoint, a number of failing
 * history answers, history without LoggedOut records or lagging, departed
 * agents (in history, not in agents/states) and agents that leave;
 * skills/activity (full, or deltas from updatedSince; paged by skip/top;
 * fields= refused with 400 on demand) and skills/summary, over skills
 * whose queues change every minute (fakecx_skill_queue), or 404 when
 * nskills is 0 (as a server without skills).
 * Time passes only inside requests (the delay) and by fakecx_advance().
 */
#ifndef FAKECX_H
#define FAKECX_H

#include "cx_http.h"
#include "cx_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fakecx_endpoint {
  FAKECX_DISCOVERY,
  FAKECX_TOKEN,
  FAKECX_CONFIG,
  FAKECX_STATES,
  FAKECX_HISTORY,       /* all agents */
  FAKECX_AGENT_HISTORY, /* one agent */
  FAKECX_SKILLS,        /* skills/activity */
  FAKECX_SKILL_SUMMARY, /* skills/summary */
  FAKECX_CODES,         /* unavailable-codes */
  FAKECX_NENDPOINTS
};

struct fakecx_item {
  int state;
  cx_ms_t start, end;
};

struct fakecx_agent {
  int64_t id;
  int64_t team;
  bool departed; /* left out of agents/states */
  cx_ms_t left_at; /* listed in agents/states until then (0: always) */
  struct fakecx_item *items;
  size_t nitems;
};

struct fakecx {
  cx_ms_t now;
  struct fakecx_agent *agents;
  size_t nagents;
  /* Knobs. */
  cx_ms_t delay[FAKECX_NENDPOINTS];
  bool no_all_agents_history; /* 404 */
  unsigned history_failures;  /* the next N history answers are 500 */
  const char *token_endpoint; /* discovery's answer (NULL: https default) */
  const char *api_endpoint;   /* cxone-configuration's (NULL: default) */
  long token_ttl_s;           /* expires_in announced */
  cx_ms_t token_valid_ms;     /* accepted this long (0: expires_in) */
  unsigned page_size;         /* most records per history page */
  bool no_logged_out_history; /* history leaves out LoggedOut records */
  cx_ms_t history_lag_ms;     /* history knows only states ended by now-lag */
  bool exclude_straddling;    /* only records that begin inside the range */
  size_t nskills;             /* skills 1..n (ids 501...); 0: skills 404 */
  long skills_status;         /* skills/activity answers this (0: serve) */
  long codes_status;          /* unavailable-codes answers this (0: serve
                                 one ACW code, "ACW") */
  long summary_status;        /* skills/summary answers this (0: serve) */
  bool skills_delta;          /* honour updatedSince */
  long skills_unchanged;      /* a delta with no change: 304, 204 or 200 */
  bool skills_refuse_fields;  /* 400 to a skills request naming fields= */
  unsigned skills_page_size;  /* most skills per page (0: all) */
  /* Observed. */
  unsigned requests[FAKECX_NENDPOINTS];
  unsigned unauthorized;      /* 401s answered */
  unsigned skills_full;       /* skills/activity without updatedSince */
  unsigned skills_fields_400; /* 400s to fields= */
  cx_ms_t skills_at;          /* the last skills/activity answer's instant */
  char last_summary[512];     /* the last skills/summary URL */
  /* Server state. */
  unsigned token_gen;
  cx_ms_t token_expiry;
  char token[128];
  char *body;
  size_t len, cap;
  struct cx_transport transport;
};

/* nagents agents (ids 1001...) in 4 teams, timelines over [now - 3 days,
 * now + 1 day]; departed: how many of the last agents have left (their
 * records span the 90 minutes that end an hour before now - window_ms,
 * and they are not in agents/states). */
void fakecx_init(struct fakecx *f, cx_ms_t now, size_t nagents,
                 size_t departed, cx_ms_t window_ms, unsigned seed);
void fakecx_free(struct fakecx *f);

/* Agent index a leaves at `at`: its timeline ends there, and agents/states
 * lists it no more. */
void fakecx_leave(struct fakecx *f, size_t a, cx_ms_t at);

/* The transport that answers for f (valid while f is). */
const struct cx_transport *fakecx_transport(struct fakecx *f);

/* Milliseconds agent index a spent in state over [from, to). */
cx_ms_t fakecx_truth(const struct fakecx *f, size_t a, int state, cx_ms_t from,
                     cx_ms_t to);

/* Skill index k's queue at t: (minute + k) % 3 contacts; the oldest
 * waiting since 20 s x (k + 1) before the minute began, while any wait. */
unsigned fakecx_skill_queue(size_t k, cx_ms_t t);
cx_ms_t fakecx_skill_earliest(size_t k, cx_ms_t t);

#endif /* FAKECX_H */
