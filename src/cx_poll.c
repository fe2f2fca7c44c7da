/*
 * cx_poll.c: one tenant's polling cycle (see cx_poll.h).
 *
 * Owns the tenant's runtime state: the HTTP and API handles, the ledger, the
 * roster (agent -> team and names, team id -> name), the real-time delta
 * cursor (updatedSince) and the history cursors.
 *
 * History cursor.  One cursor walks history forward in chunks, oldest first,
 * as many per cycle as fit in half the cycle budget; a chunk that fails is
 * retried next cycle at half the span (so a tenant too large for the budget
 * still converges).  The first walk starts at t0 - Window - LookBack (the
 * backfill); until it first reaches now the duration figures are incomplete
 * and the health says so.  Every later cycle restarts the walk a little
 * before where the previous one ended: repeats are merged by the ledger, and
 * late history (reporting lag) lands within that overlap.  After an outage
 * the same walk catches up chunk by chunk.  A state that began before the
 * overlap and is still open is carried by the real-time item until history
 * or the next real-time state closes it.
 *
 * How far back to restart.  Re-reading a fixed 10 minutes would cost every
 * cycle a number of records proportional to the agents (5,000 agents: some
 * 25,000 records, 25 requests).  The overlap only has to cover the history's
 * lag plus a state the real-time poll may have missed, so it is measured:
 * the history horizon is the latest instant any record of the last fetch
 * reached; lag = fetch end - horizon, remembered as a maximum that decays by
 * one interval per cycle; overlap = lag + two intervals, at most
 * HistoryOverlap.  A busy tenant without lag re-reads two intervals, one
 * request per cycle whatever its size; a quiet tenant (whose horizon trails
 * because nobody changed state) re-reads more, but has little to read.
 *
 * When the window figures are ready.  Right after start-up a state that
 * began before the first real-time poll is known only from history, and
 * history may trail real time (reporting lag).  An agent is covered once
 * history reaches the start of the first state real-time polling showed
 * for it (or that state began before the window); from then on every
 * instant of its window is known from one source or the other.  Duration
 * series are dispatched once the backfill is complete and every agent is
 * covered, or, should some agent never be covered (history missing for it),
 * once the backfill has been complete for HistoryOverlap.  Until then every
 * cycle also asks the per-agent endpoint for the history of (at most
 * MAX_REACH_BACK) uncovered agents since the end of their last known record
 * (or the backfill start): where history leaves out states that began
 * before startDate, the state that was open at start-up is never returned
 * by the overlapping all-agents requests, whose start has moved past it.
 *
 * Logged-out time before the backfill.  Where state-history returns only
 * states that began inside the requested range, the state that straddles the
 * backfill start is missing.  When an agent's earliest record is a LoggedIn
 * (the start of a session), the agent was logged out before it: the ledger
 * gets LoggedOut from the backfill start to that login.  Any other earliest
 * state is left alone (its predecessor is unknown); LookBack (default: one
 * Window) makes that case a state longer than LookBack.
 */
#include "cx_poll.h"
#include "cx_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Real-time fields the ledger and roster use. */
#define LIVE_FIELDS                                                            \
  "agentId,agentStateId,agentStateName,startDate,outStateId,"                  \
  "outStateDescription,isACW,teamId,teamName,firstName,lastName,userName"

/* A full real-time snapshot this often, to heal any missed delta. */
#define FULL_SNAPSHOT_EVERY 120

#define MIN_CHUNK_MS (5 * 60 * 1000)

/* Agents whose history is re-read per agent in one cycle while the window
 * figures wait for history to reach real time. */
#define MAX_REACH_BACK 32

/* What is known of one agent's timeline since start-up. */
struct coverage {
  cx_ms_t first_live; /* start of the first real-time state; NONE_MS if none */
  cx_ms_t hist_end;   /* latest end (or open start) in history; NONE_MS */
};
#define NONE_MS INT64_MIN

struct cx_poll {
  const struct cx_poll_config *cfg;
  struct cx_http *http;
  struct cx_api *api;
  struct cx_ledger *ledger;

  struct cx_agent_meta *meta; /* by ledger index */
  struct coverage *cov;       /* by ledger index */
  size_t nmeta;
  struct cx_team_meta *teams;
  size_t nteams;

  char updated_since[CX_ISO8601_SIZE];
  bool have_updated_since;
  unsigned deltas_since_full;

  cx_ms_t backfill_start; /* where the first walk began */
  cx_ms_t horizon;        /* latest instant the current fetch's records reach */
  cx_ms_t lag;            /* estimated history lag (see above) */
  cx_ms_t cursor;         /* history is known up to here */
  cx_ms_t chunk;
  bool backfill_done;     /* the cursor has reached now once */
  cx_ms_t backfill_done_at;
  bool durations_ready;   /* see "When the window figures are ready" */
  cx_ms_t waiting_logged_at;
  bool per_agent;

  cx_ms_t created, last_now, last_live_ok, last_history_ok, cycle_start;
  cx_ms_t (*clock)(void);

  struct cx_snapshot snap;
  struct cx_health health;
};

struct cx_poll *cx_poll_create(const struct cx_poll_config *cfg) {
  if (cfg == NULL || cfg->window <= 0 || cfg->budget <= 0 ||
      cfg->interval < 0) {
    cx_log(CX_LOG_ERR, "poll: Window and the time budget must be positive");
    return NULL;
  }
  struct cx_poll *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return NULL;
  p->cfg = cfg;
  p->clock = cx_now_ms;
  p->created = cx_now_ms();
  p->chunk = cfg->chunk > 0 ? cfg->chunk : 2 * 3600 * 1000;
  p->lag = 0; /* measured from the first fetch that reaches now */
  p->http = cx_http_create(&cfg->http);
  p->api = p->http ? cx_api_create(&cfg->api, p->http) : NULL;
  p->ledger = cx_ledger_create(cfg->window);
  if (p->http == NULL || p->api == NULL || p->ledger == NULL) {
    cx_poll_destroy(p);
    return NULL;
  }
  return p;
}

void cx_poll_destroy(struct cx_poll *p) {
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->nmeta; i++) {
    free(p->meta[i].first_name);
    free(p->meta[i].last_name);
    free(p->meta[i].user_name);
  }
  free(p->meta);
  free(p->cov);
  for (size_t i = 0; i < p->nteams; i++)
    free(p->teams[i].name);
  free(p->teams);
  cx_snapshot_free(&p->snap);
  cx_ledger_destroy(p->ledger);
  cx_api_destroy(p->api);
  cx_http_destroy(p->http);
  free(p);
}

void cx_poll_set_clock(struct cx_poll *p, cx_ms_t (*clock)(void)) {
  p->clock = clock != NULL ? clock : cx_now_ms;
  p->created = p->clock();
  cx_api_set_clock(p->api, clock);
}

void cx_poll_set_transport(struct cx_poll *p, const struct cx_transport *t) {
  cx_http_set_transport(p->http, t);
}

const struct cx_snapshot *cx_poll_snapshot(const struct cx_poll *p) {
  return &p->snap;
}
const struct cx_health *cx_poll_health(const struct cx_poll *p) {
  return &p->health;
}
struct cx_api *cx_poll_api(struct cx_poll *p) { return p->api; }

/* ---- roster ---- */

/* The roster index of agent_id in *idx, the roster arrays grown to the
 * ledger's agent count; *idx is -1 when the ledger does not hold the agent
 * (an observation wholly before the window leaves no trace, and an agent
 * that departed has nothing else).  CX_OK or CX_ERR_NOMEM. */
static enum cx_status roster_index(struct cx_poll *p, int64_t agent_id,
                                   long *idx) {
  *idx = cx_ledger_agent_index(p->ledger, agent_id);
  size_t n = cx_ledger_agent_count(p->ledger);
  if (n > p->nmeta) {
    struct cx_agent_meta *m = realloc(p->meta, n * sizeof(*m));
    if (m != NULL)
      p->meta = m;
    struct coverage *c = realloc(p->cov, n * sizeof(*c));
    if (c != NULL)
      p->cov = c;
    if (m == NULL || c == NULL)
      return CX_ERR_NOMEM;
    for (size_t i = p->nmeta; i < n; i++) {
      m[i] = (struct cx_agent_meta){.team_id = CX_ID_NONE};
      c[i] = (struct coverage){.first_live = NONE_MS, .hist_end = NONE_MS};
    }
    p->nmeta = n;
  }
  return CX_OK;
}

/* Replaces *dst by a copy of src when they differ.  0 or ENOMEM. */
static int update_string(char **dst, const char *src) {
  if (src == NULL || (*dst != NULL && strcmp(*dst, src) == 0))
    return 0;
  char *copy = strdup(src);
  if (copy == NULL)
    return ENOMEM;
  free(*dst);
  *dst = copy;
  return 0;
}

static int team_note(struct cx_poll *p, int64_t id, const char *name) {
  if (id == CX_ID_NONE)
    return 0;
  for (size_t i = 0; i < p->nteams; i++)
    if (p->teams[i].id == id)
      return update_string(&p->teams[i].name, name);
  struct cx_team_meta *t = realloc(p->teams, (p->nteams + 1) * sizeof(*t));
  if (t == NULL)
    return ENOMEM;
  p->teams = t;
  t[p->nteams] = (struct cx_team_meta){.id = id};
  if (update_string(&t[p->nteams].name, name) != 0)
    return ENOMEM;
  p->nteams++;
  return 0;
}

/* ---- real time ---- */

static enum cx_status apply_live(struct cx_poll *p, const struct cx_agent_state *s,
                                 struct cx_error *err) {
  int rc = cx_ledger_add(p->ledger, s->agent_id, s->state_id, s->reason,
                         s->start, CX_MS_INFINITY, CX_SOURCE_LIVE);
  if (rc == EINVAL)
    return CX_OK; /* not a usable state: already counted as skipped */
  long idx = -1;
  if (rc != 0 || roster_index(p, s->agent_id, &idx) != CX_OK)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (real-time state)");
  if (idx < 0)
    return CX_OK; /* nothing of it reaches the window */
  struct cx_agent_meta *m = &p->meta[idx];
  if (p->cov[idx].first_live == NONE_MS)
    p->cov[idx].first_live = s->start;
  if (s->team_id != CX_ID_NONE)
    m->team_id = s->team_id;
  if (team_note(p, s->team_id, s->team_name) != 0 ||
      update_string(&m->first_name, s->first_name) != 0 ||
      update_string(&m->last_name, s->last_name) != 0 ||
      update_string(&m->user_name, s->user_name) != 0)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (roster)");
  return CX_OK;
}

static enum cx_status poll_live(struct cx_poll *p, struct cx_error *err) {
  struct cx_states_page page = {0};
  int changed = 0;
  bool delta = p->have_updated_since && p->deltas_since_full < FULL_SNAPSHOT_EVERY;
  /* The instant the answer describes: taken before the request, so that any
   * change the server reports happened at or after it and is placed by its
   * own startDate (see cx_poll_run). */
  cx_ms_t observed = p->clock();
  enum cx_status st = cx_api_agent_states(
      p->api, delta ? p->updated_since : NULL, LIVE_FIELDS, &page, &changed, err);
  if (st == CX_ERR_BAD_REQUEST && delta) {
    cx_log(CX_LOG_NOTICE, "agents/states refused updatedSince (%s); "
           "asking for a full snapshot", err->message);
    cx_error_clear(err);
    delta = false;
    observed = p->clock();
    st = cx_api_agent_states(p->api, NULL, LIVE_FIELDS, &page, &changed, err);
  }
  if (st != CX_OK) {
    p->have_updated_since = false; /* any doubt: full snapshot next time */
    cx_states_page_free(&page);
    return st;
  }
  for (size_t i = 0; i < page.count && st == CX_OK; i++)
    st = apply_live(p, &page.states[i], err);
  if (st == CX_OK && changed && page.last_poll_time > 0 &&
      cx_time_format(page.last_poll_time, p->updated_since,
                     sizeof(p->updated_since)) == 0) {
    p->have_updated_since = true;
  }
  p->deltas_since_full = delta ? p->deltas_since_full + 1 : 0;
  if (page.skipped > 0)
    cx_log(CX_LOG_INFO, "agents/states: %zu record(s) without a usable agent, "
           "state or start were ignored", page.skipped);
  cx_states_page_free(&page);
  if (st == CX_OK)
    p->last_live_ok = observed;
  return st;
}

/* ---- history ---- */

static enum cx_status on_history_page(void *ctx,
                                      const struct cx_history_page *pg) {
  struct cx_poll *p = ctx;
  for (size_t i = 0; i < pg->count; i++) {
    const struct cx_history_record *r = &pg->records[i];
    cx_ms_t end = r->duration == CX_DURATION_OPEN ? CX_MS_INFINITY
                                                  : r->start + r->duration;
    int rc = cx_ledger_add(p->ledger, r->agent_id, r->state_id, r->reason,
                           r->start, end, CX_SOURCE_HISTORY);
    if (rc == ENOMEM)
      return CX_ERR_NOMEM;
    long idx;
    if (rc != 0)
      continue;
    if (roster_index(p, r->agent_id, &idx) != CX_OK)
      return CX_ERR_NOMEM;
    if (idx < 0)
      continue; /* wholly before the window, agent not held otherwise */
    cx_ms_t known = end == CX_MS_INFINITY ? r->start : end;
    if (known > p->cov[idx].hist_end)
      p->cov[idx].hist_end = known;
    if (known > p->horizon)
      p->horizon = known;
    if (r->team_id == CX_ID_NONE)
      continue;
    if (team_note(p, r->team_id, NULL) != 0)
      return CX_ERR_NOMEM;
    if (p->meta[idx].team_id == CX_ID_NONE)
      p->meta[idx].team_id = r->team_id;
  }
  if (pg->skipped > 0)
    cx_log(CX_LOG_INFO, "agents/state-history: %zu record(s) without a usable "
           "agent, state or start were ignored", pg->skipped);
  return CX_OK;
}

static enum cx_status fetch_history(struct cx_poll *p, cx_ms_t start,
                                    cx_ms_t end, struct cx_error *err) {
  if (!p->per_agent) {
    enum cx_status st = cx_api_state_history(p->api, CX_ID_NONE, start, end,
                                             p->cfg->page_size,
                                             on_history_page, p, err);
    if (st != CX_ERR_NOT_FOUND)
      return st;
    cx_log(CX_LOG_NOTICE, "the all-agents state-history endpoint is missing "
           "(%s); using per-agent requests", err->message);
    cx_error_clear(err);
    p->per_agent = true;
  }
  const struct cx_filter *f = &p->cfg->filter;
  size_t n = cx_ledger_agent_count(p->ledger);
  int64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
  if (ids == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (agent list)");
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t id = cx_ledger_agent_id(p->ledger, i);
    bool wanted = f->nagents == 0;
    for (size_t j = 0; j < f->nagents && !wanted; j++)
      wanted = f->agents[j] == id;
    if (wanted)
      ids[k++] = id;
  }
  enum cx_status st = cx_api_state_history_agents(
      p->api, ids, k, start, end, p->cfg->parallel ? p->cfg->parallel : 4,
      on_history_page, p, err);
  free(ids);
  return st;
}

static cx_ms_t budget_left(const struct cx_poll *p) {
  return p->cfg->budget - (p->clock() - p->cycle_start);
}

/* See "Logged-out time before the backfill" above. */
static enum cx_status infer_logged_out(struct cx_poll *p, struct cx_error *err) {
  size_t n = cx_ledger_agent_count(p->ledger);
  for (size_t i = 0; i < n; i++) {
    int state;
    cx_ms_t start;
    if (cx_ledger_first(p->ledger, i, &state, &start) != 0 ||
        state != CX_STATE_LOGGED_IN || start <= p->backfill_start)
      continue;
    int64_t id = cx_ledger_agent_id(p->ledger, i);
    long idx = -1;
    if (cx_ledger_add(p->ledger, id, CX_STATE_LOGGED_OUT, NULL,
                      p->backfill_start, start, CX_SOURCE_HISTORY) != 0 ||
        roster_index(p, id, &idx) != CX_OK)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (ledger)");
    if (idx < 0)
      continue;
    /* The inferred span counts as history for "When the window figures are
     * ready": nothing before the login is missing. */
    if (p->cov[idx].hist_end < start)
      p->cov[idx].hist_end = start;
  }
  return CX_OK;
}

/* Whether every instant of the agent's window [now - Window, now] is known
 * from history or from real-time polling. */
static bool covered(const struct cx_poll *p, const struct coverage *c,
                    cx_ms_t now) {
  return c->first_live == NONE_MS || c->first_live <= now - p->cfg->window ||
         c->hist_end >= c->first_live;
}

/* See "When the window figures are ready" above. */
static enum cx_status reach_back(struct cx_poll *p, cx_ms_t now,
                                 struct cx_error *err) {
  int64_t ids[MAX_REACH_BACK];
  size_t n = 0;
  cx_ms_t since = now;
  for (size_t i = 0; i < p->nmeta && n < MAX_REACH_BACK; i++) {
    const struct coverage *c = &p->cov[i];
    if (covered(p, c, now))
      continue;
    ids[n++] = cx_ledger_agent_id(p->ledger, i);
    cx_ms_t from = c->hist_end != NONE_MS ? c->hist_end : p->backfill_start;
    if (from < since)
      since = from;
  }
  if (n == 0)
    return CX_OK;
  return cx_api_state_history_agents(p->api, ids, n, since, now,
                                     p->cfg->parallel ? p->cfg->parallel : 4,
                                     on_history_page, p, err);
}

static enum cx_status poll_history(struct cx_poll *p, struct cx_error *err) {
  cx_ms_t now = p->clock();
  if (p->backfill_start == 0)
    p->backfill_start = p->cursor = now - p->cfg->window - p->cfg->lookback;
  cx_ms_t from = p->cursor;
  if (p->backfill_done) {
    cx_ms_t overlap = p->lag + 2 * p->cfg->interval;
    from -= overlap < p->cfg->overlap ? overlap : p->cfg->overlap;
  }
  do {
    now = p->clock();
    cx_ms_t end = from + p->chunk < now ? from + p->chunk : now;
    p->horizon = INT64_MIN;
    enum cx_status st = fetch_history(p, from, end, err);
    if (st != CX_OK) {
      if (st != CX_ERR_NOMEM && p->chunk / 2 >= MIN_CHUNK_MS)
        p->chunk /= 2;
      return st;
    }
    from = end;
    if (end > p->cursor)
      p->cursor = end;
  } while (from < now && budget_left(p) > p->cfg->budget / 2);
  if (from < now)
    return CX_OK; /* the walk goes on next cycle */
  if (p->backfill_done && !p->durations_ready) {
    enum cx_status st = reach_back(p, now, err);
    if (st != CX_OK)
      return st;
  }

  /* The last fetch reached now: measure how far its records trail. */
  cx_ms_t seen = p->horizon != INT64_MIN ? now - p->horizon : p->cfg->overlap;
  cx_ms_t decayed = p->lag - p->cfg->interval;
  p->lag = seen > decayed ? seen : decayed;
  if (p->lag < 0)
    p->lag = 0;

  if (!p->backfill_done) {
    p->backfill_done = true;
    p->backfill_done_at = now;
    cx_log(CX_LOG_INFO, "history backfill complete: %zu item(s) for %zu "
           "agent(s)", cx_ledger_item_count(p->ledger),
           cx_ledger_agent_count(p->ledger));
    return infer_logged_out(p, err);
  }
  return CX_OK;
}

/* See "When the window figures are ready" above. */
static void check_durations_ready(struct cx_poll *p, cx_ms_t now) {
  if (p->durations_ready || !p->backfill_done)
    return;
  size_t uncovered = 0, example = 0;
  for (size_t i = 0; i < p->nmeta; i++)
    if (!covered(p, &p->cov[i], now) && uncovered++ == 0)
      example = i;
  if (uncovered > 0 && now - p->waiting_logged_at >= 60 * 1000) {
    char since[CX_ISO8601_SIZE] = "none", until[CX_ISO8601_SIZE];
    const struct coverage *c = &p->cov[example];
    if (c->hist_end != NONE_MS)
      cx_time_format(c->hist_end, since, sizeof(since));
    cx_time_format(c->first_live, until, sizeof(until));
    cx_log(CX_LOG_INFO, "window durations wait for history to reach real "
           "time for %zu agent(s), e.g. agent %" PRId64 ": history up to %s, "
           "first real-time state since %s", uncovered,
           cx_ledger_agent_id(p->ledger, example), since, until);
    p->waiting_logged_at = now;
  }
  if (uncovered == 0) {
    cx_log(CX_LOG_INFO, "window durations ready: history has caught up with "
           "real time for every agent");
  } else if (now - p->backfill_done_at >= p->cfg->overlap) {
    cx_log(CX_LOG_WARNING, "window durations ready although history never "
           "reached real time for %zu agent(s); their first minutes may be "
           "understated", uncovered);
  } else {
    return;
  }
  p->durations_ready = true;
}

/* ---- the cycle ---- */

static void update_health(struct cx_poll *p, cx_ms_t now, enum cx_status st) {
  struct cx_health *h = &p->health;
  h->up = st == CX_OK;
  h->history_ready = p->durations_ready;
  /* The cursor is the end of the last chunk fetched, on the clock: measure
   * the walk's span on the clock too (the snapshot's instant comes before
   * the history requests), and keep to 100 should the clock step back. */
  cx_ms_t span = p->clock() - p->backfill_start;
  double done = span > 0 ? 100.0 * (double)(p->cursor - p->backfill_start) /
                               (double)span
                         : 0.0;
  h->backfill_percent = p->backfill_done ? 100.0 : done < 100.0 ? done : 100.0;
  /* Until the cycle's end, not the snapshot's instant (which is taken
   * before the real-time request and may be held back by a clock that
   * stepped back). */
  h->cycle_seconds = (double)(p->clock() - p->cycle_start) / 1000.0;
  h->live_fresh = p->last_live_ok >= p->cycle_start;
  h->history_fresh = p->last_history_ok >= p->cycle_start;
  h->history_lag_seconds = (double)p->lag / 1000.0;
  h->data_age_seconds =
      (double)(now - (p->last_live_ok > 0 ? p->last_live_ok : p->created)) / 1000.0;
  cx_ms_t exp = cx_api_token_expiry(p->api);
  h->token_ttl_seconds = exp > now ? (double)(exp - now) / 1000.0 : 0.0;
  h->agents = p->snap.nagents;
  h->items = cx_ledger_item_count(p->ledger);
  h->per_agent_history = p->per_agent;
  h->api = cx_api_stats(p->api);
}

enum cx_status cx_poll_run(struct cx_poll *p, struct cx_error *err) {
  cx_error_clear(err);
  p->cycle_start = p->clock();
  /* One deadline for the whole cycle: no request starts after it and none
   * runs past it (cx_http), whatever the server does. */
  cx_http_set_deadline_ms(p->http, (long)p->cfg->budget);

  enum cx_status st = cx_api_authenticate(p->api, err);
  if (st == CX_OK)
    st = poll_live(p, err);
  if (st == CX_OK && budget_left(p) <= 0)
    st = cx_error_set(err, CX_ERR_TRANSPORT, 0, "no time left for state "
                      "history: the real-time poll took the whole %.1f s "
                      "budget", (double)p->cfg->budget / 1000.0);
  else if (st == CX_OK)
    st = poll_history(p, err);
  if (st == CX_OK)
    p->last_history_ok = p->clock();
  cx_http_set_deadline_ms(p->http, 0);

  /* The snapshot's instant: just before the real-time request.  Whatever the
   * answer (and the history fetched after it) says about later moments is
   * clipped there by the ledger, so the current states and the durations
   * describe the same moment however long the request took. */
  cx_ms_t now = p->last_live_ok >= p->cycle_start ? p->last_live_ok : p->clock();
  if (now < p->last_now)
    now = p->last_now; /* the clock stepped back: keep the window monotonic */
  p->last_now = now;
  cx_ledger_advance(p->ledger, now);
  check_durations_ready(p, now);
  if (cx_snapshot_build(&p->snap, p->ledger, p->meta, p->nmeta, p->teams,
                        p->nteams, &p->cfg->filter, now) != 0 && st == CX_OK)
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (snapshot)");
  update_health(p, now, st);
  return st;
}
