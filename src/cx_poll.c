/*
 * cx_poll.c: one tenant's polling cycle (see cx_poll.h).
 *
 * Owns the tenant's runtime state: the HTTP and API handles, the ledger,
 * the roster (cx_roster: names, teams, what polling has shown per agent),
 * the real-time delta cursor (updatedSince) and the history walk.  The
 * walk's arithmetic (where a fetch starts, the lag, what is final, whether
 * an agent is covered, the chunk) is in cx_cursor, as pure functions.
 *
 * The cycle is a state machine with one phase and two modes:
 *
 *   phase     a cycle's history step              leaves for   when
 *   --------  ----------------------------------  -----------  ----------------
 *   backfill  chunks from t0 - Window - LookBack  catch-up     history reached
 *             on, oldest first, while half the                 the present (per
 *             budget is left                                   agent: every
 *                                                              agent's first
 *                                                              task is done)
 *   catch-up  as steady; durations held back      steady       every agent is
 *                                                              covered, or
 *                                                              HistoryOverlap
 *                                                              has passed
 *   steady    from the cursor less lag + margin   (stays)      an outage only
 *             to now: one request on a busy                    moves the cursor
 *             tenant                                           back in time;
 *                                                              the walk catches
 *                                                              up by chunks
 *
 *   live mode  full snapshot: the first cycle, every FULL_SNAPSHOT_EVERY, after
 *              any error, when updatedSince is refused; else delta (changes
 *              since the last answer's lastPollTime).
 *   history    all agents (one range for everyone), until that endpoint
 *   mode       answers 404; then per agent, for good.
 *
 * Lag and what is final.  History may trail real time (reporting lag): a
 * fetch answered at `done` knows the timelines up to done - lag at best.
 * Until it is measured the lag is taken to be HistoryOverlap, the most it
 * may be.  Each fetch that reaches the present measures it: lag = done - the latest
 * instant reached by a record that brought something new to the ledger.
 * A record is new when the server has just learnt of it, so this bounds
 * the true lag from above and is tight on a busy tenant; records re-read
 * unchanged say nothing and an answer without news keeps the estimate
 * (it never jumps to its maximum, HistoryOverlap).  History for a span is
 * final once a fetch has covered it and was answered at least lag after
 * its end: final = max(final, min(fetch end, done - lag)).  The next fetch
 * starts at the cursor (the last fetch's end) less lag + two intervals:
 * everything before is final, and on a busy tenant the range holds only
 * the last cycles' changes, one page.
 *
 * When the window figures are ready (coverage).  An agent's window is
 * known from history up to `final`, and from real-time polling since the
 * start of the first real-time state seen for it (first_live): between
 * polls a real-time state that did not change did not end.  The agent is
 * covered once first_live <= final (or first_live is before the window, or
 * it was never seen in real time).  Duration series are dispatched from
 * the first cycle every agent is covered after the backfill: right at its
 * end without lag (every first_live is before the last fetch), a lag later
 * with one (the last states before start-up reach history by then).  An
 * agent never covered (history missing for it) holds them back at most
 * HistoryOverlap.  Where history has no LoggedOut records, the gap between
 * two sessions counts as LoggedOut (cx_ledger), so history need not reach
 * an agent's current state for that agent to be covered.
 *
 * The day so far (Today).  The ledger then holds at least 26 hours (the
 * longest calendar day and a margin), enough for any day; the backfill
 * and coverage reach back to the earlier of the window's start and the
 * local midnight of TimeZone (cx_tz), so a morning's start-up reads only
 * the morning.  The snapshot sums the day from that midnight, and a
 * Window shorter than what the ledger holds from the items.  The day's
 * figures are ready when the window's are.
 *
 * States open at the horizon.  A state that was still going on at the
 * horizon of the backfill's last fetch (done - lag) and ended before the
 * first real-time poll is in no answer yet, and where history returns
 * only the states that begin inside the range asked for ("straddling"
 * states left out), no later overlap starts early enough to return it.
 * So when the lag kept an agent uncovered at the backfill's end and no
 * answer has shown a straddling state, that agent's history is read once
 * more, per agent, from the end of its last record at the backfill's end
 * (a later record may come after the hidden state), once the lag has
 * passed (at most MAX_REACH_BACK agents a cycle).  Without lag no agent is
 * uncovered then, and a server that returns straddling states returns
 * these too: neither costs a request.  Per-agent tasks always start no
 * later than the end of the agent's last record.
 *
 * Per-agent history.  Without the all-agents endpoint each agent has its
 * own task (cx_api_state_history_tasks): first [backfill start, now), then,
 * when its real-time state changed after its history's final point,
 * [its cursor less lag + margin, now): at once (the state real-time polling
 * missed in between is there unless history lags) and, if history was not
 * final yet, once more when the lag has passed.  Tasks keep
 * their page across cycles and a cycle starts requests while a quarter of
 * its budget is left, so every cycle advances whatever the server's speed:
 * the backfill takes about agents x pages / (ParallelRequests x requests a
 * request-time fits in 3/4 of the budget) cycles.
 *
 * Agents that leave.  A state real-time polling saw open ends where
 * history closes it, if that is before what the server knew at the
 * real-time poll (last poll - lag: a partial duration of a state still
 * going on reaches that, as the lag bounds the true one): so the
 * LoggedOut of an agent who left ends with the record that closes it.
 * Failing that, an agent missing from a full real-time snapshot has left:
 * its open state ends at the snapshot's instant.  Once the window has held
 * nothing of an agent for a whole pass (every value it dispatched was 0),
 * it is forgotten, with the teams and reasons nothing refers to any more
 * (cx_roster_evict, once a minute), so memory follows what the window
 * holds.
 *
 * After-call work.  Occupancy counts Unavailable time with an ACW code as
 * handle time; history does not flag those codes, so unavailable-codes is
 * read on the first cycle and hourly (isACW; after a passing failure,
 * the next cycle), and real-time isACW adds codes as agents are seen in
 * them (poll_codes).
 *
 * Skills.  Right after the agent states, in the same budget and deadline:
 * GET skills/activity every cycle (one request on most tenants), a full
 * answer first and every FULL_SNAPSHOT_EVERY cycles, deltas from the last
 * answer's lastPollTime between (a delta changes only the skills it lists;
 * 304, 204 or an empty 200 change nothing; a 400 to updatedSince asks for
 * everything at once).  Then, every SkillSummaryInterval, while half the
 * budget is left, skills/summary over [now - Window, now] and, with Today,
 * [local midnight, now]: at most two requests; between refreshes the last
 * summaries are dispatched again.  403 or 404 to skills/activity: one
 * NOTICE, the skill figures are dropped and nothing about skills is asked
 * for SKILLS_RETRY_EVERY cycles (then once again); the same for
 * skills/summary alone.  Any other error keeps the last good figures (for
 * the next delta; they are not dispatched that cycle: skills_fresh), is
 * logged once until an answer succeeds again, and never fails the cycle:
 * agent figures do not depend on skills.
 *
 * Logged-out time before the backfill.  Where state-history returns only
 * states that began inside the requested range, the state that straddles the
 * backfill start is missing.  When an agent's earliest record is a LoggedIn
 * (the start of a session), the agent was logged out before it: the ledger
 * gets LoggedOut from the backfill start to that login (also when the
 * login reaches history during catch-up, hidden by the lag at the
 * backfill's end).  Not where answers have shown both straddling states
 * and LoggedOut records: there the logged-off spell would be in history,
 * and a first login is an agent's first ever (a new hire, with no time
 * before it).  Any other earliest
 * state is left alone (its predecessor is unknown); LookBack (default: one
 * Window) makes that case a state longer than LookBack.
 */
#include "cx_poll.h"
#include "cx_cursor.h"
#include "cx_log.h"
#include "cx_roster.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Real-time fields the ledger and roster use. */
#define LIVE_FIELDS                                                            \
  "agentId,agentStateId,agentStateName,startDate,outStateId,"                  \
  "outStateDescription,isACW,teamId,teamName,firstName,lastName,userName"

/* A full real-time snapshot this often, to heal any missed delta. */
#define FULL_SNAPSHOT_EVERY 120

/* After a 403 or 404 to a skills call, asked again this many cycles on. */
#define SKILLS_RETRY_EVERY 60

/* After another error of skills/summary, asked again after at most this. */
#define SUMMARY_RETRY_MS (60 * 1000)

/* Agents whose history is read again in one cycle (see "States open at
 * the horizon"). */
#define MAX_REACH_BACK 32

/* Forgotten agents are looked for this often (a pass over every item). */
#define EVICT_EVERY_MS (60 * 1000)

/* How often unavailable-codes is read again (new codes appear rarely). */
#define CODES_EVERY_MS (3600 * 1000LL)

/* What the ledger holds at least when the day's figures are asked for:
 * the longest calendar day (25 hours) and a margin. */
#define DAY_HELD (26 * 3600 * 1000LL)

enum phase { PHASE_BACKFILL, PHASE_CATCH_UP, PHASE_STEADY };

struct cx_poll {
  const struct cx_poll_config *cfg;
  struct cx_http *http;
  struct cx_api *api;
  struct cx_ledger *ledger;
  struct cx_roster roster;

  enum phase phase;
  bool per_agent;         /* history mode */

  char updated_since[CX_ISO8601_SIZE];
  bool have_updated_since;
  unsigned deltas_since_full;

  cx_ms_t backfill_start; /* where the first walk began */
  cx_ms_t cursor;         /* all agents: history read up to here */
  cx_ms_t final;          /* all agents: history final up to here */
  cx_ms_t lag;            /* estimated history lag (see above) */
  cx_ms_t newest;         /* this fetch: latest instant of a new record */
  cx_ms_t fetch_from;     /* this fetch: the range's start */
  bool straddle_seen;     /* an answer held a state begun before its range */
  bool logged_out_seen;   /* an answer held a LoggedOut record */
  cx_ms_t backfill_final; /* history final up to here at the backfill's end */
  cx_ms_t chunk, chunk_max;
  cx_ms_t backfill_done_at;
  cx_ms_t waiting_logged_at, evicted_at;

  cx_ms_t held; /* the ledger's window: Window, or DAY_HELD with Today */
  cx_ms_t codes_at; /* when unavailable-codes was last asked for */
  bool skills_fresh; /* this cycle's skills/activity answered */
  cx_ms_t created, last_now, last_live_ok, last_history_ok, cycle_start;
  cx_ms_t (*clock)(void);

  struct cx_skills skills;
  char skills_since[CX_ISO8601_SIZE]; /* the skills' updatedSince */
  bool have_skills_since;
  unsigned skill_deltas;      /* since the last full skills answer */
  unsigned skills_off;        /* cycles before asking for skills again */
  unsigned summary_off;       /* the same for skills/summary */
  bool skills_refused;        /* the NOTICE of a 403/404 is out */
  bool summary_refused;
  bool skills_failing;        /* an error is logged, no success since */
  bool summary_failing;
  cx_ms_t summary_at;         /* last summary refresh; 0: none yet */

  struct cx_snapshot snap;
  struct cx_health health;
};

struct cx_poll *cx_poll_create(const struct cx_poll_config *cfg) {
  if (cfg == NULL || cfg->window <= 0 || cfg->budget <= 0 ||
      cfg->interval < 0 || cfg->chunk <= 0 || cfg->parallel == 0) {
    cx_log(CX_LOG_ERR, "poll: Window, the time budget, the history chunk "
           "and the parallel requests must be positive");
    return NULL;
  }
  struct cx_poll *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return NULL;
  p->cfg = cfg;
  p->clock = cx_now_ms;
  p->created = cx_now_ms();
  p->chunk = p->chunk_max = cfg->chunk;
  p->final = CX_CURSOR_NONE;
  p->lag = cfg->overlap; /* the most it may be, until a fetch measures it */
  p->http = cx_http_create(&cfg->http);
  p->api = p->http ? cx_api_create(&cfg->api, p->http) : NULL;
  /* A calendar day lasts up to 25 hours (a DST change): with Today, the
   * ledger holds at least DAY_HELD, whatever Window is. */
  p->held = cfg->today && cfg->window < DAY_HELD ? DAY_HELD : cfg->window;
  p->ledger = cx_ledger_create(p->held);
  cx_skills_init(&p->skills, cfg->filter.skills, cfg->filter.nskills);
  if (p->http == NULL || p->api == NULL || p->ledger == NULL) {
    cx_poll_destroy(p);
    return NULL;
  }
  return p;
}

void cx_poll_destroy(struct cx_poll *p) {
  if (p == NULL)
    return;
  cx_roster_free(&p->roster);
  cx_snapshot_free(&p->snap);
  cx_skills_free(&p->skills);
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

/* The roster index of agent_id in *idx, the roster grown to the ledger's
 * agents; *idx is -1 when the ledger does not hold the agent (an
 * observation wholly before the window leaves no trace).  CX_OK or
 * CX_ERR_NOMEM. */
static enum cx_status roster_index(struct cx_poll *p, int64_t agent_id,
                                   long *idx) {
  *idx = cx_ledger_agent_index(p->ledger, agent_id);
  return cx_roster_sync(&p->roster, p->ledger);
}

static bool agent_wanted(const struct cx_poll *p, int64_t id) {
  const struct cx_filter *f = &p->cfg->filter;
  bool wanted = f->nagents == 0;
  for (size_t j = 0; j < f->nagents && !wanted; j++)
    wanted = f->agents[j] == id;
  return wanted;
}

static cx_ms_t budget_left(const struct cx_poll *p) {
  return p->cfg->budget - (p->clock() - p->cycle_start);
}

/* ---- real time ---- */

static enum cx_status apply_live(struct cx_poll *p,
                                 const struct cx_agent_state *s,
                                 struct cx_error *err) {
  enum cx_status st = cx_ledger_add(p->ledger, s->agent_id, s->state_id,
                                    s->reason, s->start, CX_MS_INFINITY,
                                    CX_SOURCE_LIVE);
  if (st == CX_ERR_INVALID)
    return CX_OK; /* not a usable state: already counted as skipped */
  long idx = -1;
  if (st != CX_OK || roster_index(p, s->agent_id, &idx) != CX_OK)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (real-time state)");
  if (idx < 0)
    return CX_OK; /* nothing of it reaches the window */
  if (cx_roster_note_live(&p->roster, (size_t)idx, s) != CX_OK)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (roster)");
  return CX_OK;
}

/* After a full snapshot: an agent it did not list has left (see "Agents
 * that leave"). */
static void close_unlisted(struct cx_poll *p, cx_ms_t observed) {
  for (size_t i = 0; i < p->roster.n; i++)
    if (!p->roster.track[i].listed)
      cx_ledger_close(p->ledger, i, CX_LEDGER_ANY_START, observed);
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
  if (!delta)
    for (size_t i = 0; i < p->roster.n; i++)
      p->roster.track[i].listed = false;
  for (size_t i = 0; i < page.count && st == CX_OK; i++)
    st = apply_live(p, &page.states[i], err);
  if (st == CX_OK && !delta && changed)
    close_unlisted(p, observed);
  if (st == CX_OK && changed && page.last_poll_time > 0 &&
      cx_time_format(page.last_poll_time, p->updated_since,
                     sizeof(p->updated_since)) == CX_OK) {
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

/* ---- skills ---- */

/* A 403/404 (the call is off for SKILLS_RETRY_EVERY cycles: true) or
 * another error (false), logged as cx_poll.c's "Skills" says. */
static bool skills_error(const char *what, enum cx_status st,
                         const struct cx_error *err, bool *refused,
                         bool *failing, unsigned *off) {
  /* The message, named by the call unless it starts with it. */
  bool named = strncmp(err->message, what, strlen(what)) == 0;
  const char *pre = named ? "" : what, *sep = named ? "" : ": ";
  if (st == CX_ERR_FORBIDDEN || st == CX_ERR_NOT_FOUND) {
    if (!*refused)
      cx_log(CX_LOG_NOTICE, "%s%s%s: %s; %s figures are off, asked for "
             "again every %d cycles", pre, sep, err->message,
             st == CX_ERR_FORBIDDEN
                 ? "the API user's role lacks the permission to read skills"
                 : "this API version or tenant does not serve it",
             strcmp(what, "skills/summary") == 0 ? "skill summary" : "skill",
             SKILLS_RETRY_EVERY);
    *refused = true;
    *off = SKILLS_RETRY_EVERY;
    return true;
  }
  if (!*failing)
    cx_log(CX_LOG_WARNING, "%s%s%s; keeping the last %s figures", pre, sep,
           err->message,
           strcmp(what, "skills/summary") == 0 ? "skill summary" : "skill");
  *failing = true;
  return false;
}

/* skills/activity.  True when the live figures are usable (the endpoint
 * answers). */
static bool skills_live(struct cx_poll *p) {
  struct cx_error err = {0};
  struct cx_skills_page pg;
  int changed = 0;
  bool delta = p->have_skills_since && p->skill_deltas < FULL_SNAPSHOT_EVERY;
  enum cx_status st = cx_api_skill_activity(
      p->api, delta ? p->skills_since : NULL, p->cfg->page_size, &pg,
      &changed, &err);
  if (st == CX_ERR_BAD_REQUEST && delta) {
    cx_log(CX_LOG_NOTICE, "skills/activity refused updatedSince (%s); "
           "asking for every skill", err.message);
    cx_error_clear(&err);
    delta = false;
    st = cx_api_skill_activity(p->api, NULL, p->cfg->page_size, &pg, &changed,
                               &err);
  }
  if (st != CX_OK) {
    p->have_skills_since = false;
    if (skills_error("skills/activity", st, &err, &p->skills_refused,
                     &p->skills_failing, &p->skills_off)) {
      cx_skills_forget_live(&p->skills);
      cx_skills_forget_summaries(&p->skills);
      return false;
    }
    return p->skills.live;
  }
  if (p->skills_refused || p->skills_failing)
    cx_log(CX_LOG_INFO, "skills/activity answers again");
  p->skills_refused = p->skills_failing = false;
  p->skills_fresh = true;
  if (cx_skills_apply_live(&p->skills, &pg, !delta) != CX_OK)
    cx_log(CX_LOG_WARNING, "skills/activity: out of memory; some skills "
           "left out");
  if (pg.skipped > 0)
    cx_log(CX_LOG_INFO, "skills/activity: %zu record(s) without a skill id "
           "or with malformed figures were ignored", pg.skipped);
  if (changed || !delta) {
    p->have_skills_since =
        pg.last_poll_time > 0 &&
        cx_time_format(pg.last_poll_time, p->skills_since,
                       sizeof(p->skills_since)) == CX_OK;
  }
  p->skill_deltas = delta ? p->skill_deltas + 1 : 0;
  cx_skills_page_free(&pg);
  return true;
}

/* One period's skills/summary over [from, to].  False on an error. */
static bool skills_summary(struct cx_poll *p, enum cx_skill_period period,
                           cx_ms_t from, cx_ms_t to) {
  struct cx_error err = {0};
  struct cx_skills_page pg;
  enum cx_status st =
      cx_api_skill_summary(p->api, from, to, p->cfg->page_size, &pg, &err);
  if (st != CX_OK) {
    if (skills_error("skills/summary", st, &err, &p->summary_refused,
                     &p->summary_failing, &p->summary_off))
      cx_skills_forget_summaries(&p->skills);
    return false;
  }
  if (cx_skills_apply_summary(&p->skills, period, &pg) != CX_OK)
    cx_log(CX_LOG_WARNING, "skills/summary: out of memory; some skills "
           "left out");
  if (pg.skipped > 0)
    cx_log(CX_LOG_INFO, "skills/summary: %zu record(s) without a skill id "
           "or with malformed figures were ignored", pg.skipped);
  cx_skills_page_free(&pg);
  return true;
}

/* See "Skills" above.  Never fails the cycle. */
static void poll_skills(struct cx_poll *p) {
  p->skills_fresh = false;
  if (!p->cfg->skills)
    return;
  if (p->skills_off > 0) {
    p->skills_off--;
    return;
  }
  if (budget_left(p) <= 0 || !skills_live(p))
    return;
  cx_ms_t every = p->cfg->skill_summary_interval;
  if (every <= 0)
    return;
  if (p->summary_off > 0) {
    p->summary_off--;
    return;
  }
  /* Due once `every` has passed, less half an interval: the cycles'
   * jitter must not push a refresh due every N cycles to N + 1. */
  cx_ms_t now = p->clock();
  if ((p->summary_at != 0 && now - p->summary_at < every - p->cfg->interval / 2) ||
      budget_left(p) <= p->cfg->budget / 2)
    return;
  bool ok = skills_summary(p, CX_SKILL_WINDOW, now - p->cfg->window, now);
  if (ok && p->cfg->today)
    ok = skills_summary(p, CX_SKILL_TODAY, cx_tz_day_start(p->cfg->tz, now),
                        now);
  if (ok) {
    if (p->summary_refused || p->summary_failing)
      cx_log(CX_LOG_INFO, "skills/summary answers again");
    p->summary_refused = p->summary_failing = false;
    p->summary_at = now;
  } else if (p->summary_off == 0) {
    /* Another error: again in a minute (or at the interval). */
    p->summary_at = now - every + (every < SUMMARY_RETRY_MS ? every
                                                            : SUMMARY_RETRY_MS);
  }
}

/* ---- unavailable codes ---- */

/* Which Unavailable reasons are after-call work (for occupancy): read from
 * unavailable-codes on the first cycle and every CODES_EVERY_MS, so the
 * window's ACW counts from the start; real-time isACW adds to them (and is
 * all there is where the endpoint is refused).  Never fails the cycle. */
static void poll_codes(struct cx_poll *p) {
  cx_ms_t now = p->clock();
  if (p->codes_at != 0 && now - p->codes_at < CODES_EVERY_MS)
    return;
  p->codes_at = now;
  struct cx_codes_page page;
  struct cx_error err;
  enum cx_status st =
      cx_api_unavailable_codes(p->api, p->cfg->page_size, &page, &err);
  if (st != CX_OK && cx_status_is_transient(st)) {
    p->codes_at = 0; /* a passing failure: again next cycle */
    return;
  }
  if (st != CX_OK) {
    cx_log(st == CX_ERR_FORBIDDEN || st == CX_ERR_NOT_FOUND ? CX_LOG_NOTICE
                                                            : CX_LOG_INFO,
           "unavailable-codes: %s; after-call work is told by real-time "
           "isACW only (asked again in an hour)", err.message);
    return;
  }
  for (size_t i = 0; i < page.nacw; i++)
    if (cx_roster_note_acw(&p->roster, page.acw[i]) != CX_OK)
      break; /* out of memory: real-time isACW adds the rest */
  cx_codes_page_free(&page);
}

/* ---- history ---- */

static enum cx_status on_history_page(void *ctx,
                                      const struct cx_history_page *pg) {
  struct cx_poll *p = ctx;
  for (size_t i = 0; i < pg->count; i++) {
    const struct cx_history_record *r = &pg->records[i];
    cx_ms_t end = r->duration == CX_DURATION_OPEN ? CX_MS_INFINITY
                                                  : r->start + r->duration;
    uint64_t changes = cx_ledger_changes(p->ledger);
    enum cx_status st = cx_ledger_add(p->ledger, r->agent_id, r->state_id,
                                      r->reason, r->start, end,
                                      CX_SOURCE_HISTORY);
    if (st == CX_ERR_NOMEM)
      return st;
    long idx;
    if (st != CX_OK)
      continue;
    if (roster_index(p, r->agent_id, &idx) != CX_OK)
      return CX_ERR_NOMEM;
    if (idx < 0)
      continue; /* wholly before the window, agent not held otherwise */
    cx_ms_t known = end == CX_MS_INFINITY ? r->start : end;
    if (cx_ledger_changes(p->ledger) != changes && known > p->newest)
      p->newest = known;
    struct cx_agent_track *t = &p->roster.track[idx];
    if (known > t->hist_end)
      t->hist_end = known;
    if (r->start < p->fetch_from)
      p->straddle_seen = true;
    if (r->state_id == CX_STATE_LOGGED_OUT)
      p->logged_out_seen = true;
    /* A state real-time polling still holds open that history closed
     * before what the server knew at the real-time poll (a partial
     * duration reaches that): it is over (see "Agents that leave"). */
    if (end != CX_MS_INFINITY && end < p->last_live_ok - p->lag)
      cx_ledger_close(p->ledger, (size_t)idx, r->start, end);
    if (cx_roster_note_history_team(&p->roster, (size_t)idx, r->team_id) !=
        CX_OK)
      return CX_ERR_NOMEM;
  }
  if (pg->skipped > 0)
    cx_log(CX_LOG_INFO, "agents/state-history: %zu record(s) without a usable "
           "agent, state or start were ignored", pg->skipped);
  return CX_OK;
}

/* After a fetch that reached the present, answered at `done`. */
static void measure_lag(struct cx_poll *p, cx_ms_t done) {
  p->lag = cx_cursor_lag(p->lag, done, p->newest, p->cfg->overlap);
}

/* All-agents mode: the walk from the cursor to now, chunk by chunk.
 * CX_ERR_NOT_FOUND when the endpoint is missing. */
static enum cx_status history_all_agents(struct cx_poll *p,
                                         struct cx_error *err) {
  cx_ms_t from = p->cursor;
  if (p->phase != PHASE_BACKFILL)
    from = cx_cursor_fetch_from(p->cursor, p->lag, p->cfg->interval,
                                p->cfg->overlap);
  cx_ms_t now;
  p->newest = CX_CURSOR_NONE; /* over the cycle's chunks: they are contiguous */
  do {
    now = p->clock();
    cx_ms_t end = from + p->chunk < now ? from + p->chunk : now;
    p->fetch_from = from;
    enum cx_status st = cx_api_state_history(p->api, CX_ID_NONE, from, end,
                                             p->cfg->page_size,
                                             on_history_page, p, err);
    if (st != CX_OK) {
      if (st != CX_ERR_NOMEM && st != CX_ERR_NOT_FOUND)
        p->chunk = cx_cursor_chunk_failed(p->chunk);
      return st;
    }
    cx_ms_t done = p->clock();
    p->chunk = cx_cursor_chunk_ok(p->chunk, p->chunk_max);
    if (end == now)
      measure_lag(p, done);
    p->final = cx_cursor_final(p->final, end, done, p->lag);
    from = end;
    if (end > p->cursor)
      p->cursor = end;
  } while (from < now && budget_left(p) > p->cfg->budget / 2);
  if (from >= now && p->phase == PHASE_BACKFILL)
    p->phase = PHASE_CATCH_UP;
  return CX_OK;
}

static bool go_on(void *ctx) {
  const struct cx_poll *p = ctx;
  return budget_left(p) > p->cfg->budget / 4;
}

/* Per-agent mode: whether agent i needs a task now (see "Per-agent
 * history"). */
static bool needs_task(const struct cx_poll *p, size_t i, cx_ms_t now) {
  const struct cx_agent_track *t = &p->roster.track[i];
  if (t->final == CX_CURSOR_NONE)
    return true;
  if (t->live_start == CX_CURSOR_NONE || t->live_start <= t->final)
    return false;
  return t->asked_for != t->live_start || now >= t->live_start + p->lag;
}

/* An agent with a task, by index (the pages may grow the roster). */
struct pick {
  cx_ms_t fetched;
  size_t index;
};

/* Oldest history first. */
static int by_fetched(const void *a, const void *b) {
  cx_ms_t fx = ((const struct pick *)a)->fetched;
  cx_ms_t fy = ((const struct pick *)b)->fetched;
  return fx < fy ? -1 : fx > fy;
}

static enum cx_status history_per_agent(struct cx_poll *p,
                                        struct cx_error *err) {
  cx_ms_t now = p->clock();
  struct cx_roster *r = &p->roster;
  struct pick *mine = malloc((r->n ? r->n : 1) * sizeof(*mine));
  struct cx_history_task *tasks = malloc((r->n ? r->n : 1) * sizeof(*tasks));
  if (mine == NULL || tasks == NULL) {
    free(mine);
    free(tasks);
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (history tasks)");
  }
  size_t k = 0;
  for (size_t i = 0; i < r->n; i++) {
    struct cx_agent_track *t = &r->track[i];
    int64_t id = cx_ledger_agent_id(p->ledger, i);
    if (!agent_wanted(p, id))
      continue;
    if (!t->fetching && needs_task(p, i, now)) {
      cx_ms_t from = t->fetched == CX_CURSOR_NONE
                         ? p->backfill_start
                         : cx_cursor_fetch_from(t->fetched, p->lag,
                                                p->cfg->interval,
                                                p->cfg->overlap);
      if (t->hist_end != CX_CURSOR_NONE && t->hist_end < from)
        from = t->hist_end; /* see "States open at the horizon" */
      free(t->task.resume_url);
      t->task = (struct cx_history_task){.agent_id = id, .start = from,
                                         .end = now};
      t->fetching = true;
      t->asked_for = t->live_start;
    }
    if (t->fetching)
      mine[k++] = (struct pick){.fetched = t->fetched, .index = i};
  }
  qsort(mine, k, sizeof(*mine), by_fetched);
  for (size_t j = 0; j < k; j++)
    tasks[j] = r->track[mine[j].index].task;
  p->newest = CX_CURSOR_NONE;
  p->fetch_from = CX_CURSOR_NONE; /* ranges differ: straddling is not told */
  enum cx_status st = cx_api_state_history_tasks(
      p->api, tasks, k, p->cfg->page_size, p->cfg->parallel,
      go_on, on_history_page, p, err);
  cx_ms_t done = p->clock();
  if (k > 0)
    measure_lag(p, done);
  for (size_t j = 0; j < k; j++) {
    struct cx_agent_track *t = &r->track[mine[j].index];
    t->task = tasks[j];
    if (!t->task.done)
      continue;
    t->fetching = false;
    t->fetched = t->task.end;
    t->final = cx_cursor_final(t->final, t->task.end, done, p->lag);
  }
  free(mine);
  free(tasks);
  if (st != CX_OK || p->phase != PHASE_BACKFILL)
    return st;
  for (size_t i = 0; i < r->n; i++)
    if (r->track[i].final == CX_CURSOR_NONE &&
        agent_wanted(p, cx_ledger_agent_id(p->ledger, i)))
      return CX_OK; /* the backfill goes on next cycle */
  p->phase = PHASE_CATCH_UP;
  return CX_OK;
}

/* Whether agent i needs its history read again (see "States open at the
 * horizon"), now that history is final past its first real-time state. */
static bool needs_reach_back(const struct cx_poll *p, size_t i) {
  const struct cx_agent_track *t = &p->roster.track[i];
  return !p->per_agent && !p->straddle_seen && !t->reached_back &&
         t->first_live != CX_CURSOR_NONE && t->first_live > p->backfill_final;
}

/* See "States open at the horizon". */
/* The earliest instant the figures at `now` need: the window's start, or
 * the day's when it is earlier (see "The day so far"). */
static cx_ms_t needed_from(const struct cx_poll *p, cx_ms_t now) {
  cx_ms_t from = now - p->cfg->window;
  if (p->cfg->today) {
    cx_ms_t day = cx_tz_day_start(p->cfg->tz, now);
    if (day < from)
      from = day;
  }
  return from;
}

static enum cx_status reach_back(struct cx_poll *p, struct cx_error *err) {
  struct cx_history_task tasks[MAX_REACH_BACK];
  size_t who[MAX_REACH_BACK], k = 0;
  cx_ms_t now = p->clock();
  for (size_t i = 0; i < p->roster.n && k < MAX_REACH_BACK; i++) {
    const struct cx_agent_track *t = &p->roster.track[i];
    int64_t id = cx_ledger_agent_id(p->ledger, i);
    if (!needs_reach_back(p, i) || !agent_wanted(p, id) ||
        !cx_cursor_covered(t->first_live, p->final, needed_from(p, now)))
      continue;
    who[k] = i;
    tasks[k++] = (struct cx_history_task){
        .agent_id = id,
        .start = t->reach_from != CX_CURSOR_NONE ? t->reach_from
                                                 : p->backfill_start,
        .end = now};
  }
  p->fetch_from = CX_CURSOR_NONE;
  enum cx_status st = cx_api_state_history_tasks(
      p->api, tasks, k, p->cfg->page_size, p->cfg->parallel,
      go_on, on_history_page, p, err);
  for (size_t j = 0; j < k; j++) {
    p->roster.track[who[j]].reached_back = tasks[j].done;
    free(tasks[j].resume_url);
  }
  return st;
}

/* See "Logged-out time before the backfill" above. */
static enum cx_status infer_logged_out(struct cx_poll *p, struct cx_error *err) {
  if (p->straddle_seen && p->logged_out_seen)
    return CX_OK; /* a logged-off spell would be there: a first login is a
                     first ever (a new hire) */
  size_t n = cx_ledger_agent_count(p->ledger);
  for (size_t i = 0; i < n; i++) {
    int state;
    cx_ms_t start;
    if (cx_ledger_first(p->ledger, i, &state, &start) != CX_OK ||
        state != CX_STATE_LOGGED_IN || start <= p->backfill_start)
      continue;
    if (cx_ledger_add(p->ledger, cx_ledger_agent_id(p->ledger, i),
                      CX_STATE_LOGGED_OUT, NULL, p->backfill_start, start,
                      CX_SOURCE_HISTORY) != CX_OK)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (ledger)");
  }
  return CX_OK;
}

static enum cx_status poll_history(struct cx_poll *p, struct cx_error *err) {
  if (p->backfill_start == 0)
    p->backfill_start = p->cursor =
        needed_from(p, p->clock()) - p->cfg->lookback;
  enum phase before = p->phase;
  enum cx_status st = CX_ERR_NOT_FOUND;
  if (!p->per_agent) {
    st = history_all_agents(p, err);
    if (st == CX_ERR_NOT_FOUND) {
      cx_log(CX_LOG_NOTICE, "the all-agents state-history endpoint is "
             "missing (%s); using per-agent requests", err->message);
      cx_error_clear(err);
      p->per_agent = true;
      p->phase = PHASE_BACKFILL; /* every agent's history from the start */
    }
  }
  if (p->per_agent)
    st = history_per_agent(p, err);
  else if (st == CX_OK && p->phase == PHASE_CATCH_UP && before != PHASE_BACKFILL)
    st = reach_back(p, err);
  /* A login the lag hid at the backfill's end shows during catch-up. */
  if (st == CX_OK && p->phase == PHASE_CATCH_UP && before != PHASE_BACKFILL)
    st = infer_logged_out(p, err);
  if (st == CX_OK && before == PHASE_BACKFILL && p->phase != PHASE_BACKFILL) {
    p->backfill_done_at = p->clock();
    p->backfill_final = p->final;
    /* Where a reach-back starts: what history showed then (later records
     * must not move it past a state still hidden by the lag). */
    for (size_t i = 0; i < p->roster.n; i++)
      p->roster.track[i].reach_from = p->roster.track[i].hist_end;
    cx_log(CX_LOG_INFO, "history backfill complete: %zu item(s) for %zu "
           "agent(s), history lag %.1f s", cx_ledger_item_count(p->ledger),
           cx_ledger_agent_count(p->ledger), (double)p->lag / 1000.0);
    st = infer_logged_out(p, err);
  }
  return st;
}

/* ---- phases ---- */

/* History's final point for agent i in the current mode. */
static cx_ms_t agent_final(const struct cx_poll *p, size_t i) {
  return p->per_agent ? p->roster.track[i].final : p->final;
}

/* See "When the window figures are ready": catch-up -> steady. */
static void check_covered(struct cx_poll *p, cx_ms_t now) {
  if (p->phase != PHASE_CATCH_UP)
    return;
  size_t uncovered = 0, example = 0;
  for (size_t i = 0; i < p->roster.n; i++)
    if (agent_wanted(p, cx_ledger_agent_id(p->ledger, i)) &&
        (!cx_cursor_covered(p->roster.track[i].first_live, agent_final(p, i),
                            needed_from(p, now)) ||
         needs_reach_back(p, i)) &&
        uncovered++ == 0)
      example = i;
  if (uncovered > 0 && now - p->waiting_logged_at >= 60 * 1000) {
    char since[CX_ISO8601_SIZE], until[CX_ISO8601_SIZE] = "none";
    cx_ms_t f = agent_final(p, example);
    cx_time_format(p->roster.track[example].first_live, since, sizeof(since));
    if (f != CX_CURSOR_NONE)
      cx_time_format(f, until, sizeof(until));
    cx_log(CX_LOG_INFO, "window durations wait for history to be final for "
           "%zu agent(s), e.g. agent %" PRId64 ": first real-time state since "
           "%s, history final up to %s (lag %.1f s)", uncovered,
           cx_ledger_agent_id(p->ledger, example), since, until,
           (double)p->lag / 1000.0);
    p->waiting_logged_at = now;
  }
  if (uncovered == 0) {
    cx_log(CX_LOG_INFO, "window durations ready: history is final up to "
           "real time for every agent");
  } else if (now - p->backfill_done_at >= p->cfg->overlap) {
    cx_log(CX_LOG_WARNING, "window durations ready although history never "
           "became final up to real time for %zu agent(s); their first "
           "minutes may be understated", uncovered);
  } else {
    return;
  }
  p->phase = PHASE_STEADY;
}

/* See "Agents that leave". */
static void evict(struct cx_poll *p, cx_ms_t now) {
  if (now - p->evicted_at < EVICT_EVERY_MS)
    return;
  p->evicted_at = now;
  size_t n = cx_roster_evict(&p->roster, p->ledger);
  if (n > 0)
    cx_log(CX_LOG_INFO, "forgot %zu agent(s) the window holds nothing of", n);
}

/* ---- the cycle ---- */

static double backfill_percent(const struct cx_poll *p) {
  if (p->phase != PHASE_BACKFILL)
    return 100.0;
  double done = 0.0;
  if (p->per_agent) {
    size_t n = 0, k = 0;
    for (size_t i = 0; i < p->roster.n; i++) {
      if (!agent_wanted(p, cx_ledger_agent_id(p->ledger, i)))
        continue;
      n++;
      k += p->roster.track[i].final != CX_CURSOR_NONE;
    }
    done = n > 0 ? 100.0 * (double)k / (double)n : 0.0;
  } else {
    /* The cursor is the end of the last chunk fetched, on the clock:
     * measure the walk's span on the clock too (the snapshot's instant
     * comes before the history requests). */
    cx_ms_t span = p->clock() - p->backfill_start;
    done = span > 0 ? 100.0 * (double)(p->cursor - p->backfill_start) /
                          (double)span
                    : 0.0;
  }
  return done < 0.0 ? 0.0 : done < 100.0 ? done : 100.0;
}

static void update_health(struct cx_poll *p, cx_ms_t now, enum cx_status st) {
  struct cx_health *h = &p->health;
  h->up = st == CX_OK;
  h->history_ready = p->phase == PHASE_STEADY;
  h->backfill_percent = backfill_percent(p);
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
    poll_codes(p);
  if (st == CX_OK)
    st = poll_live(p, err);
  if (st == CX_OK)
    poll_skills(p);
  if (st == CX_OK && budget_left(p) <= 0)
    st = cx_error_set(err, CX_ERR_TRANSPORT, 0, "no time left for state "
                      "history: the real-time polls took the whole %.1f s "
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
  check_covered(p, now);
  evict(p, now);
  struct cx_snapshot_options spans = {
      .window = p->cfg->window,
      .day_start = p->cfg->today ? cx_tz_day_start(p->cfg->tz, now)
                                 : CX_SNAPSHOT_NO_DAY,
      .acw_reasons = p->roster.acw_reasons,
      .nacw = p->roster.nacw};
  if (cx_snapshot_build(&p->snap, p->ledger, p->roster.meta, p->roster.n,
                        p->roster.teams, p->roster.nteams, &p->cfg->filter,
                        &spans, now) != CX_OK &&
      st == CX_OK)
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory (snapshot)");
  p->snap.skills = p->cfg->skills ? &p->skills : NULL;
  p->snap.skills_fresh = p->skills_fresh;
  update_health(p, now, st);
  return st;
}
