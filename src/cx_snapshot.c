/*
 * cx_snapshot.c: per-scope figures from the ledger and roster (see
 * cx_snapshot.h).  One pass over the agents: each agent's durations come
 * from the ledger's running sums (O(1) per agent), then are added to its
 * team's (found by binary search over the teams sorted by id) and to the
 * "all" scope.  A cycle costs O(agents log teams + teams).
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

/* Carves the per-scope reason arrays out of one pool. */
static enum cx_status reserve(struct cx_snapshot *s, size_t nagents,
                              size_t nteams, size_t nreasons) {
  size_t need = (nreasons + 1) * (nagents + nteams + 1);
  if (CX_ARRAY_RESERVE(s->agents, s->agents_cap, nagents) != CX_OK ||
      CX_ARRAY_RESERVE(s->teams, s->teams_cap, nteams) != CX_OK ||
      CX_ARRAY_RESERVE(s->reason_pool, s->reason_pool_cap, need) != CX_OK ||
      CX_ARRAY_RESERVE(s->count_pool, s->count_pool_cap, need) != CX_OK)
    return CX_ERR_NOMEM;
  memset(s->reason_pool, 0, need * sizeof(*s->reason_pool));
  memset(s->count_pool, 0, need * sizeof(*s->count_pool));
  return CX_OK;
}

static void scope_init(struct cx_scope *sc, cx_ms_t *rd, uint32_t *rc) {
  memset(sc->duration, 0, sizeof(sc->duration));
  memset(sc->count, 0, sizeof(sc->count));
  sc->reason_duration = rd;
  sc->reason_count = rc;
}

static void scope_add(struct cx_scope *dst, const struct cx_snapshot_agent *a,
                      size_t nreasons) {
  for (int s = 0; s < CX_STATE_COUNT; s++)
    dst->duration[s] += a->values.duration[s];
  for (size_t r = 1; r <= nreasons; r++)
    dst->reason_duration[r] += a->values.reason_duration[r];
  if (a->state >= 0) {
    dst->count[a->state]++;
    if (a->reason != 0)
      dst->reason_count[a->reason]++;
  }
}

enum cx_status cx_snapshot_build(struct cx_snapshot *s,
                                 const struct cx_ledger *ledger,
                                 const struct cx_agent_meta *meta, size_t nmeta,
                                 const struct cx_team_meta *teams,
                                 size_t nteams, const struct cx_filter *filter,
                                 cx_ms_t now) {
  size_t nagents = cx_ledger_agent_count(ledger);
  size_t nreasons = cx_ledger_reason_count(ledger);
  size_t per = nreasons + 1;

  s->time = now;
  s->ledger = ledger;
  s->nagents = s->nteams = 0;
  s->nreasons = 0;
  if (reserve(s, nagents, nteams, nreasons) != CX_OK) {
    scope_init(&s->all, NULL, NULL);
    return CX_ERR_NOMEM;
  }
  s->nreasons = nreasons;
  /* Pool layout: [all][teams...][agents...]. */
  scope_init(&s->all, s->reason_pool, s->count_pool);
  for (size_t t = 0; t < nteams; t++) {
    struct cx_snapshot_team *st = &s->teams[t];
    scope_init(&st->values, s->reason_pool + per * (1 + t),
               s->count_pool + per * (1 + t));
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
    size_t slot = 1 + nteams + s->nagents;
    s->nagents++;
    a->id = id;
    a->meta = m;
    a->team = team;
    scope_init(&a->values, s->reason_pool + per * slot,
               s->count_pool + per * slot);
    cx_ledger_durations(ledger, i, now, a->values.duration,
                        a->values.reason_duration);
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
  free(s->count_pool);
  memset(s, 0, sizeof(*s));
}

const char *cx_snapshot_reason_name(const struct cx_snapshot *s, size_t id) {
  assert(id >= 1 && id <= s->nreasons);
  return cx_ledger_reason_name(s->ledger, id);
}

/* ---- walking the figures ---- */

int cx_snapshot_durations(const struct cx_snapshot *s,
                          const struct cx_scope *sc, cx_figure_fn fn,
                          void *ctx) {
  int rc = 0;
  for (int st = 0; st < CX_STATE_COUNT && rc == 0; st++)
    rc = fn(ctx, &(struct cx_figure){st, 0, sc->duration[st]});
  for (size_t r = 1; r <= s->nreasons && rc == 0; r++)
    if (sc->reason_duration[r] > 0)
      rc = fn(ctx, &(struct cx_figure){CX_STATE_UNAVAILABLE, r,
                                       sc->reason_duration[r]});
  return rc;
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
