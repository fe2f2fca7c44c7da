/*
 * cx_roster.c: agent names, teams and per-agent polling marks (see
 * cx_roster.h).
 */
#include "cx_roster.h"
#include "cx_array.h"
#include "cx_cursor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum cx_status cx_roster_sync(struct cx_roster *r, const struct cx_ledger *l) {
  size_t n = cx_ledger_agent_count(l);
  if (n <= r->n)
    return CX_OK;
  if (CX_ARRAY_RESERVE(r->meta, r->meta_cap, n) != CX_OK ||
      CX_ARRAY_RESERVE(r->track, r->track_cap, n) != CX_OK)
    return CX_ERR_NOMEM;
  for (size_t i = r->n; i < n; i++) {
    r->meta[i] = (struct cx_agent_meta){.team_id = CX_ID_NONE};
    r->track[i] = (struct cx_agent_track){.first_live = CX_CURSOR_NONE,
                                          .live_start = CX_CURSOR_NONE,
                                          .hist_end = CX_CURSOR_NONE,
                                          .reach_from = CX_CURSOR_NONE,
                                          .asked_for = CX_CURSOR_NONE,
                                          .fetched = CX_CURSOR_NONE,
                                          .final = CX_CURSOR_NONE};
  }
  r->n = n;
  return CX_OK;
}

/* Replaces *dst by a copy of src when they differ.  CX_OK or NOMEM. */
static enum cx_status update_string(char **dst, const char *src) {
  if (src == NULL || (*dst != NULL && strcmp(*dst, src) == 0))
    return CX_OK;
  char *copy = strdup(src);
  if (copy == NULL)
    return CX_ERR_NOMEM;
  free(*dst);
  *dst = copy;
  return CX_OK;
}

enum cx_status cx_roster_note_team(struct cx_roster *r, int64_t id,
                                   const char *name) {
  if (id == CX_ID_NONE)
    return CX_OK;
  for (size_t i = 0; i < r->nteams; i++)
    if (r->teams[i].id == id)
      return update_string(&r->teams[i].name, name);
  if (CX_ARRAY_RESERVE(r->teams, r->teams_cap, r->nteams + 1) != CX_OK)
    return CX_ERR_NOMEM;
  struct cx_team_meta *t = &r->teams[r->nteams];
  *t = (struct cx_team_meta){.id = id};
  if (update_string(&t->name, name) != CX_OK)
    return CX_ERR_NOMEM;
  r->nteams++;
  return CX_OK;
}

/* After-call-work reasons (history does not flag them): kept by name, as
 * the ledger interns reasons. */
enum cx_status cx_roster_note_acw(struct cx_roster *r, const char *name) {
  for (size_t i = 0; i < r->nacw; i++)
    if (strcmp(r->acw_reasons[i], name) == 0)
      return CX_OK;
  if (CX_ARRAY_RESERVE(r->acw_reasons, r->acw_cap, r->nacw + 1) != CX_OK ||
      (r->acw_reasons[r->nacw] = strdup(name)) == NULL)
    return CX_ERR_NOMEM;
  r->nacw++;
  return CX_OK;
}

enum cx_status cx_roster_note_live(struct cx_roster *r, size_t index,
                                   const struct cx_agent_state *s) {
  struct cx_agent_meta *m = &r->meta[index];
  struct cx_agent_track *t = &r->track[index];
  if (t->first_live == CX_CURSOR_NONE)
    t->first_live = s->start;
  t->live_start = s->start;
  t->listed = true;
  if (s->team_id != CX_ID_NONE)
    m->team_id = s->team_id;
  if ((s->is_acw && s->state_id == CX_STATE_UNAVAILABLE && s->reason != NULL &&
       cx_roster_note_acw(r, s->reason) != CX_OK) ||
      cx_roster_note_team(r, s->team_id, s->team_name) != CX_OK ||
      update_string(&m->first_name, s->first_name) != CX_OK ||
      update_string(&m->last_name, s->last_name) != CX_OK ||
      update_string(&m->user_name, s->user_name) != CX_OK)
    return CX_ERR_NOMEM;
  return CX_OK;
}

enum cx_status cx_roster_note_history_team(struct cx_roster *r, size_t index,
                                           int64_t team_id) {
  if (team_id == CX_ID_NONE || r->meta[index].team_id == team_id)
    return CX_OK; /* the common case: a team already noted */
  if (r->meta[index].team_id == CX_ID_NONE)
    r->meta[index].team_id = team_id;
  return cx_roster_note_team(r, team_id, NULL);
}

static void meta_free(struct cx_agent_meta *m) {
  free(m->first_name);
  free(m->last_name);
  free(m->user_name);
}

static void drop_unused_teams(struct cx_roster *r) {
  size_t n = 0;
  for (size_t t = 0; t < r->nteams; t++) {
    bool used = false;
    for (size_t i = 0; i < r->n && !used; i++)
      used = r->meta[i].team_id == r->teams[t].id;
    if (used)
      r->teams[n++] = r->teams[t];
    else
      free(r->teams[t].name);
  }
  r->nteams = n;
}

size_t cx_roster_evict(struct cx_roster *r, struct cx_ledger *l) {
  size_t old = cx_ledger_agent_count(l);
  if (old == 0 || old != r->n)
    return 0; /* not in step (a failed sync): next time */
  size_t *map = malloc(old * sizeof(*map));
  bool *marked = malloc(old * sizeof(*marked));
  if (map == NULL || marked == NULL) {
    free(map);
    free(marked);
    return 0; /* kept for now: eviction only saves memory */
  }
  for (size_t i = 0; i < old; i++)
    marked[i] = r->track[i].held_nothing;
  size_t evicted = cx_ledger_evict(l, marked, map);
  size_t n = 0;
  for (size_t i = 0; i < old; i++) {
    if (map[i] == SIZE_MAX) {
      meta_free(&r->meta[i]);
      free(r->track[i].task.resume_url);
      continue;
    }
    r->meta[n] = r->meta[i];
    r->track[n] = r->track[i];
    r->track[n].held_nothing = !cx_ledger_holds(l, n);
    n++;
  }
  r->n = n;
  if (evicted > 0)
    drop_unused_teams(r);
  free(map);
  free(marked);
  return evicted;
}

void cx_roster_free(struct cx_roster *r) {
  for (size_t i = 0; i < r->n; i++) {
    meta_free(&r->meta[i]);
    free(r->track[i].task.resume_url);
  }
  free(r->meta);
  free(r->track);
  for (size_t i = 0; i < r->nteams; i++)
    free(r->teams[i].name);
  free(r->teams);
  for (size_t i = 0; i < r->nacw; i++)
    free(r->acw_reasons[i]);
  free(r->acw_reasons);
  *r = (struct cx_roster){0};
}
