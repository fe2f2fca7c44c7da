/*
 * cx_poll.h: one tenant's polling cycle, free of collectd.
 *
 * A cycle: authenticate (cx_api), poll real-time agent states (a full
 * snapshot first, then deltas with updatedSince), then the skills (live
 * every cycle, summaries at their interval; cx_poll.c, "Skills"), fetch
 * state history (a
 * backfill of Window + LookBack spread over cycles, then only what is new with
 * an overlap), feed both into the ledger, evict what left the window, and
 * build the snapshot.  The caller (the collectd read callback, cxone-query)
 * owns the thread.  A cycle's HTTP ends by its budget, a hard deadline (no
 * request starts after it, none runs past it); the cycle returns after
 * that only by the time it takes to process the last answer and build the
 * snapshot.
 */
#ifndef CX_POLL_H
#define CX_POLL_H

#include "cx_api.h"
#include "cx_http.h"
#include "cx_skills.h"
#include "cx_snapshot.h"
#include "cx_tz.h"

#include <stdbool.h>

/* Complete: the defaults are cx_settings' (cx_settings_resolve fills it). */
struct cx_poll_config {
  struct cx_api_config api;
  struct cx_http_options http;
  cx_ms_t window;       /* rolling window of the duration figures */
  cx_ms_t lookback;     /* extra history fetched before the window start */
  cx_ms_t interval;     /* the read interval */
  cx_ms_t overlap;      /* most history re-read before the last fetch's end
                           (the overlap actually used is measured) */
  cx_ms_t chunk;        /* backfill request span (halved on failure); > 0 */
  cx_ms_t budget;       /* time one cycle may spend on HTTP: a deadline */
  unsigned page_size;   /* `top` of history requests (0 would leave the
                           page size to the server) */
  unsigned parallel;    /* per-agent fallback requests in flight; > 0 */
  struct cx_filter filter;
  bool today;           /* figures since local midnight too */
  const struct cx_tz *tz; /* whose midnight; NULL: UTC */
  bool skills;          /* skills/activity (and summaries) polled */
  cx_ms_t skill_summary_interval; /* skills/summary refresh; 0: never */
};

/* Health figures of the last cycle. */
struct cx_health {
  bool up;                 /* the last cycle completed without an error */
  bool live_fresh;         /* the last cycle got a real-time answer: the
                              snapshot describes its instant */
  bool history_fresh;      /* the last cycle's history step succeeded:
                              states the real-time poll missed are in */
  bool history_ready;      /* the window durations are complete (see
                              cx_poll.c, "When the window figures are
                              ready") */
  double backfill_percent; /* 0..100 */
  double cycle_seconds;    /* wall time of the last cycle */
  double history_lag_seconds; /* how far history trails real time */
  double data_age_seconds; /* since the last real-time answer (or since
                              the poller started, before the first one) */
  double token_ttl_seconds;/* until the access token expires */
  size_t agents;           /* agents in scope */
  size_t items;            /* ledger items held */
  bool per_agent_history;  /* the all-agents endpoint is missing */
  struct cx_api_stats api;
};

struct cx_poll;

/* cfg and the strings and arrays it points to must outlive the poll. */
struct cx_poll *cx_poll_create(const struct cx_poll_config *cfg);
void cx_poll_destroy(struct cx_poll *poll);

/* Runs one cycle at the current time and rebuilds the snapshot.  Returns
 * CX_OK, or the first error met (err filled); whatever was fetched before
 * the error is kept and the snapshot reflects it. */
enum cx_status cx_poll_run(struct cx_poll *poll, struct cx_error *err);

/* The snapshot; snap->skills is the skill table when skills are polled. */
const struct cx_snapshot *cx_poll_snapshot(const struct cx_poll *poll);
const struct cx_health *cx_poll_health(const struct cx_poll *poll);

/* The api handle (for cxone-query's direct calls). */
struct cx_api *cx_poll_api(struct cx_poll *poll);

/* For tests and benchmarks: override the clock (default cx_now_ms) of
 * timestamps, token expiry and the budget's bookkeeping.  The HTTP deadline
 * keeps a monotonic clock (or the transport's). */
void cx_poll_set_clock(struct cx_poll *poll, cx_ms_t (*clock)(void));

/* For tests and fuzzers: answer requests in process (see cx_http.h). */
void cx_poll_set_transport(struct cx_poll *poll, const struct cx_transport *t);

#endif /* CX_POLL_H */
