/*
 * cx_snapshot.c: per-scope figures from the ledger and roster (see
 * cx_snapshot.h).  One pass over the agents: each agent's durations come
 * from the ledger's running sums (O(1) per agent), then are added to its
 * team's (found by binary search over the teams sorted by id) and to the
 * "all" scope.  A cycle costs O(agents log teams + teams).  Spans the
 * running sums do not cover (the day so far; a window shorter than the
 * ledger's, which holds a whole day when "today" is asked for) are summed
 * from the agent's items: O(items in them) more.
 */
#include "cx_snapshot.h"
#include "cx_array.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool filter_accepts(const struct cx_filter *f, int64_t id,
                           const char *team_name) {
  if (f == NULL)
    return true;
  if (f->nagents > 0) {
    bool found = false;
    for (size_t i = 0; i < f->nagents && !found; i++)
      found = f->agents[i] == id;
    if (!found)
      return false;
  }
  if (f->nteams > 0) {
    if (team_name == NULL)
      return false;
    for (size_t i = 0; i < f->nteams; i++)
      if (strcasecmp(f->teams[i], team_name) == 0)
        return true;
    return false;
  }
  return true;
}

/* Team lookup by id: the roster's teams sorted by id (an agent's team is
 * looked up once per agent and cycle; a linear search made a cycle cost
 * agents x teams, 16 million steps at 20,000 agents in 800 teams). */
struct team_key {
  int64_t id;
  long index;
};

static int team_key_cmp(const void *a, const void *b) {
  const struct team_key *x = a, *y = b;
  if (x->id != y->id)
    return (x->id > y->id) - (x->id < y->id);
  return (x->index > y->index) - (x->index < y->index); /* the first wins */
}

static long team_index(const struct team_key *keys, size_t nteams,
                       int64_t id) {
  size_t lo = 0, hi = nteams;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (keys[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < nteams && keys[lo].id == id ? keys[lo].index : -1;
}

/* Carves the per-scope reason arrays out of the pools. */
static enum cx_status reserve(struct cx_snapshot *s, size_t nagents,
                              size_t nteams, size_t nreasons) {
  size_t need = (nreasons + 1) * (nagents + nteams + 1);
  if (CX_ARRAY_RESERVE(s->agents, s->agents_cap, nagents) != CX_OK ||
      CX_ARRAY_RESERVE(s->teams, s->teams_cap, nteams) != CX_OK ||
      CX_ARRAY_RESERVE(s->reason_pool, s->reason_pool_cap, need) != CX_OK ||
      CX_ARRAY_RESERVE(s->today_pool, s->today_pool_cap, need) != CX_OK ||
      CX_ARRAY_RESERVE(s->count_pool, s->count_pool_cap, need) != CX_OK ||
      CX_ARRAY_RESERVE(s->acw, s->acw_cap, nreasons + 1) != CX_OK)
    return CX_ERR_NOMEM;
  memset(s->reason_pool, 0, need * sizeof(*s->reason_pool));
  memset(s->today_pool, 0, need * sizeof(*s->today_pool));
  memset(s->count_pool, 0, need * sizeof(*s->count_pool));
  return CX_OK;
}

/* Scope number `slot` of the pools' layout [all][teams...][agents...]. */
static void scope_init(const struct cx_snapshot *s, struct cx_scope *sc,
                       size_t slot) {
  size_t at = (s->nreasons + 1) * slot;
  memset(sc, 0, sizeof(*sc));
  sc->reason_duration = s->reason_pool + at;
  sc->reason_today = s->today_pool + at;
  sc->reason_count = s->count_pool + at;
}

static void scope_add(struct cx_scope *dst, const struct cx_snapshot_agent *a,
                      size_t nreasons) {
  for (int s = 0; s < CX_STATE_COUNT; s++) {
    dst->duration[s] += a->values.duration[s];
    dst->today[s] += a->values.today[s];
  }
  for (size_t r = 1; r <= nreasons; r++) {
    dst->reason_duration[r] += a->values.reason_duration[r];
    dst->reason_today[r] += a->values.reason_today[r];
  }
  if (a->state >= 0) {
    dst->count[a->state]++;
    if (a->reason != 0)
      dst->reason_count[a->reason]++;
  }
}

struct span_sums {
  cx_ms_t *base, *reasons;
};

static int add_span(void *ctx, int state, size_t reason, cx_ms_t start,
                    cx_ms_t end) {
  struct span_sums *sums = ctx;
  sums->base[state] += end - start;
  if (reason != 0)
    sums->reasons[reason] += end - start;
  return 0;
}

/* Agent i's time per state and reason over [from, to), from its items. */
static void sum_spans(const struct cx_ledger *ledger, size_t i, cx_ms_t from,
                      cx_ms_t to, cx_ms_t *base, cx_ms_t *reasons) {
  struct span_sums sums = {base, reasons};
  cx_ledger_foreach(ledger, i, from, to, add_span, &sums);
}

enum cx_status cx_snapshot_build(struct cx_snapshot *s,
                                 const struct cx_ledger *ledger,
                                 const struct cx_agent_meta *meta, size_t nmeta,
                                 const struct cx_team_meta *teams,
                                 size_t nteams, const struct cx_filter *filter,
                                 const struct cx_snapshot_options *spans,
                                 cx_ms_t now) {
  size_t nagents = cx_ledger_agent_count(ledger);
  size_t nreasons = cx_ledger_reason_count(ledger);
  assert(spans->window <= cx_ledger_window(ledger));
  bool own_window = spans->window == cx_ledger_window(ledger);

  s->time = now;
  s->ledger = ledger;
  s->nagents = s->nteams = 0;
  s->nreasons = 0;
  s->has_today = false;
  if (reserve(s, nagents, nteams, nreasons) != CX_OK) {
    memset(&s->all, 0, sizeof(s->all));
    return CX_ERR_NOMEM;
  }
  s->nreasons = nreasons;
  s->has_today = spans->day_start != CX_SNAPSHOT_NO_DAY;
  for (size_t r = 1; r <= nreasons; r++) {
    s->acw[r] = false;
    for (size_t k = 0; k < spans->nacw && !s->acw[r]; k++)
      s->acw[r] = strcmp(spans->acw_reasons[k],
                         cx_ledger_reason_name(ledger, r)) == 0;
  }
  scope_init(s, &s->all, 0);
  for (size_t t = 0; t < nteams; t++) {
    struct cx_snapshot_team *st = &s->teams[t];
    scope_init(s, &st->values, 1 + t);
    st->id = teams[t].id;
    snprintf(st->id_text, sizeof(st->id_text), "%" PRId64, teams[t].id);
    st->name = teams[t].name != NULL ? teams[t].name : st->id_text;
  }
  s->nteams = nteams;

  /* team_used[t]: team t has an agent in scope; then its index once the
   * unused teams are dropped. */
  long *team_used = calloc(nteams + 1, sizeof(*team_used));
  struct team_key *keys = calloc(nteams + 1, sizeof(*keys));
  if (team_used == NULL || keys == NULL) {
    free(team_used);
    free(keys);
    return CX_ERR_NOMEM;
  }
  for (size_t t = 0; t < nteams; t++)
    keys[t] = (struct team_key){teams[t].id, (long)t};
  qsort(keys, nteams, sizeof(*keys), team_key_cmp);
  for (size_t i = 0; i < nagents; i++) {
    const struct cx_agent_meta *m = i < nmeta ? &meta[i] : NULL;
    long team = m != NULL && m->team_id != CX_ID_NONE
                    ? team_index(keys, nteams, m->team_id)
                    : -1;
    int64_t id = cx_ledger_agent_id(ledger, i);
    if (!filter_accepts(filter, id, team >= 0 ? s->teams[team].name : NULL))
      continue;

    struct cx_snapshot_agent *a = &s->agents[s->nagents];
    scope_init(s, &a->values, 1 + nteams + s->nagents);
    s->nagents++;
    a->id = id;
    a->meta = m;
    a->team = team;
    if (own_window)
      cx_ledger_durations(ledger, i, now, a->values.duration,
                          a->values.reason_duration);
    else
      sum_spans(ledger, i, now - spans->window, now, a->values.duration,
                a->values.reason_duration);
    if (s->has_today)
      sum_spans(ledger, i, spans->day_start, now, a->values.today,
                a->values.reason_today);
    if (cx_ledger_current(ledger, i, now, &a->state, &a->reason, &a->since) != CX_OK) {
      a->state = -1;
      a->reason = 0;
      a->since = 0;
    }
    scope_add(&s->all, a, nreasons);
    if (team >= 0) {
      scope_add(&s->teams[team].values, a, nreasons);
      team_used[team] = 1;
    }
  }
  free(keys);

  /* Keep only teams with at least one agent in scope (filters). */
  size_t kept = 0;
  for (size_t t = 0; t < nteams; t++) {
    if (!team_used[t])
      continue;
    if (kept != t) {
      s->teams[kept] = s->teams[t];
      if (s->teams[kept].name == s->teams[t].id_text)
        s->teams[kept].name = s->teams[kept].id_text;
    }
    team_used[t] = (long)kept++;
  }
  for (size_t i = 0; i < s->nagents; i++)
    if (s->agents[i].team >= 0)
      s->agents[i].team = team_used[s->agents[i].team];
  s->nteams = kept;
  free(team_used);
  return CX_OK;
}

void cx_snapshot_free(struct cx_snapshot *s) {
  free(s->agents);
  free(s->teams);
  free(s->reason_pool);
  free(s->today_pool);
  free(s->count_pool);
  free(s->acw);
  memset(s, 0, sizeof(*s));
}

const char *cx_snapshot_reason_name(const struct cx_snapshot *s, size_t id) {
  assert(id >= 1 && id <= s->nreasons);
  return cx_ledger_reason_name(s->ledger, id);
}

/* ---- ratios ---- */

static bool is_handle_state(int state) {
  return state == CX_STATE_INBOUND_CONTACT ||
         state == CX_STATE_OUTBOUND_CONTACT ||
         state == CX_STATE_INBOUND_CONSULT ||
         state == CX_STATE_OUTBOUND_CONSULT || state == CX_STATE_DIALER;
}

static double percent(cx_ms_t part, cx_ms_t whole) {
  return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

void cx_snapshot_occupancy(const struct cx_snapshot *s,
                           const struct cx_scope *sc, bool today,
                           double *occupancy, double *utilisation) {
  assert(!today || s->has_today);
  const cx_ms_t *base = today ? sc->today : sc->duration;
  const cx_ms_t *reasons = today ? sc->reason_today : sc->reason_duration;
  cx_ms_t handle = 0, logged_in = 0;
  for (int st = 0; st < CX_STATE_COUNT; st++) {
    if (is_handle_state(st))
      handle += base[st];
    if (st != CX_STATE_LOGGED_OUT)
      logged_in += base[st];
  }
  for (size_t r = 1; r <= s->nreasons; r++)
    if (s->acw[r])
      handle += reasons[r];
  *occupancy = percent(handle, handle + base[CX_STATE_AVAILABLE]);
  *utilisation = percent(handle, logged_in);
}

/* ---- walking the figures ---- */

/* Every state of base[], then each reason with time in reasons[]. */
static int walk_seconds(const struct cx_snapshot *s, const cx_ms_t *base,
                        const cx_ms_t *reasons, cx_figure_fn fn, void *ctx) {
  int rc = 0;
  for (int st = 0; st < CX_STATE_COUNT && rc == 0; st++)
    rc = fn(ctx, &(struct cx_figure){st, 0, base[st]});
  for (size_t r = 1; r <= s->nreasons && rc == 0; r++)
    if (reasons[r] > 0)
      rc = fn(ctx, &(struct cx_figure){CX_STATE_UNAVAILABLE, r, reasons[r]});
  return rc;
}

int cx_snapshot_durations(const struct cx_snapshot *s,
                          const struct cx_scope *sc, cx_figure_fn fn,
                          void *ctx) {
  return walk_seconds(s, sc->duration, sc->reason_duration, fn, ctx);
}

int cx_snapshot_today(const struct cx_snapshot *s, const struct cx_scope *sc,
                      cx_figure_fn fn, void *ctx) {
  assert(s->has_today);
  return walk_seconds(s, sc->today, sc->reason_today, fn, ctx);
}

int cx_snapshot_counts(const struct cx_snapshot *s, const struct cx_scope *sc,
                       cx_figure_fn fn, void *ctx) {
  int rc = 0;
  for (int st = 0; st < CX_STATE_COUNT && rc == 0; st++)
    rc = fn(ctx, &(struct cx_figure){st, 0, sc->count[st]});
  for (size_t r = 1; r <= s->nreasons && rc == 0; r++)
    if (sc->reason_duration[r] > 0 || sc->reason_count[r] > 0)
      rc = fn(ctx, &(struct cx_figure){CX_STATE_UNAVAILABLE, r,
                                       sc->reason_count[r]});
  return rc;
}

int cx_snapshot_current(const struct cx_snapshot *s,
                        const struct cx_snapshot_agent *a, cx_figure_fn fn,
                        void *ctx) {
  cx_ms_t in_state = a->state >= 0 && s->time > a->since ? s->time - a->since
                                                          : 0;
  int rc = 0;
  for (int st = 0; st < CX_STATE_COUNT && rc == 0; st++)
    rc = fn(ctx, &(struct cx_figure){st, 0, a->state == st ? in_state : 0});
  for (size_t r = 1; r <= s->nreasons && rc == 0; r++)
    if (a->values.reason_duration[r] > 0 || a->reason == r)
      rc = fn(ctx, &(struct cx_figure){CX_STATE_UNAVAILABLE, r,
                                       a->reason == r ? in_state : 0});
  return rc;
}
