/*
 * sim_api.c: the inContactAPI endpoints, rendered from the tenant's
 * timelines: agents/states (all and per agent, with updatedSince),
 * agents/state-history (all and per agent, paged, with the semantic switches
 * of sim_config), agents, teams and unavailable-codes.  Every endpoint
 * honours `fields` (sim_json_project: only the named columns of each record,
 * names case-insensitive, unknown ones ignored, the envelope untouched).
 */
#include "sim.h"
#include "sim_api.h"
#include "sim_json.h"
#include "sim_tenant.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* --- Shared pieces. --- */

/* skip and top; top defaults to, and is capped at, the page size. */
int sim_api_paging(struct sim_req *r, long *skip, long *top) {
  const char *s = sim_arg(r, "skip"), *t = sim_arg(r, "top");
  *skip = 0;
  *top = sim_cfg.page_size;
  if (s != NULL && sim_parse_long(s, 0, 1000000000, skip) != 0) {
    sim_reply_error(r, 400, "Invalid skip");
    return -1;
  }
  if (t != NULL && sim_parse_long(t, 1, 1000000000, top) != 0) {
    sim_reply_error(r, 400, "Invalid top");
    return -1;
  }
  if (*top > sim_cfg.page_size)
    *top = sim_cfg.page_size;
  return 0;
}

static void add_link(struct json_object *links, const char *key, char *url) {
  json_object_object_add(links, key, url ? json_object_new_string(url) : NULL);
  free(url);
}

/* totalRecords, _links (self, next, previous), businessUnitId, lastPollTime. */
struct json_object *sim_api_envelope(struct sim_req *r, long total, long skip,
                                     long top) {
  struct json_object *o = json_object_new_object(),
                     *links = json_object_new_object();
  json_object_object_add(o, "totalRecords", json_object_new_int64(total));
  add_link(links, "self", sim_url(r, -1, 0));
  add_link(links, "next",
           skip + top < total ? sim_url(r, skip + top, top) : NULL);
  add_link(links, "previous",
           skip > 0 ? sim_url(r, skip > top ? skip - top : 0, top) : NULL);
  json_object_object_add(o, "_links", links);
  json_object_object_add(o, "businessUnitId",
                         json_object_new_int64(sim_cfg.bu_id));
  json_object_object_add(o, "lastPollTime", sim_json_time(r->now));
  return o;
}

static void add(struct json_object *o, const char *key, struct json_object *v) {
  json_object_object_add(o, key, v);
}

/* Contact, skill, reason and station fields, common to both record shapes. */
static void add_item_fields(struct json_object *o, const struct sim_item *it,
                            const struct sim_agent *ag, bool station_name) {
  const struct sim_skill *sk = it->skill >= 0 ? &sim_skills[it->skill] : NULL;
  const struct sim_reason *rs =
      it->reason >= 0 ? &sim_reasons[it->reason] : NULL;
  bool contact = it->contact_id != 0, out = sk != NULL && sk->outbound;
  char party[16], station[32];
  snprintf(party, sizeof party, "555%07lld",
           (long long)(it->contact_id % 10000000));
  add(o, "contactId", sim_json_int_or_null(it->contact_id, contact));
  add(o, "skillId", sim_json_int_or_null(sk ? sk->id : 0, sk != NULL));
  add(o, "skillName", sim_json_str_or_null(sk ? sk->name : NULL));
  add(o, "mediaTypeId", sim_json_int_or_null(4, contact));
  add(o, "mediaTypeName", sim_json_str_or_null(contact ? "Call" : NULL));
  add(o, "fromAddress",
      sim_json_str_or_null(!contact ? NULL
                           : out    ? "8005550100"
                                    : party));
  add(o, "toAddress",
      sim_json_str_or_null(!contact ? NULL
                           : out    ? party
                                    : "8005550100"));
  add(o, "outStateId", sim_json_int_or_null(rs ? rs->id : 0, rs != NULL));
  add(o, "outStateDescription", sim_json_str_or_null(rs ? rs->name : NULL));
  add(o, "isOutbound", json_object_new_boolean(out));
  bool logged_in = it->state != SIM_LOGGED_OUT;
  add(o, "stationId", sim_json_int_or_null(5000 + ag->id, logged_in));
  if (station_name)
    snprintf(station, sizeof station, "Softphone-%d", ag->id);
  else
    snprintf(station, sizeof station, "555000%04d", ag->id % 10000);
  add(o, station_name ? "stationName" : "stationPhoneNumber",
      sim_json_str_or_null(logged_in ? station : NULL));
}

/* --- agents/states. --- */

static const char *category(int state) {
  switch (state) {
  case SIM_AVAILABLE: return "Available";
  case SIM_UNAVAILABLE: return "Unavailable";
  case SIM_LOGGED_OUT: return "LoggedOut";
  case SIM_LOGGED_IN: return "LoggedIn";
  default: return "Working";
  }
}

static struct json_object *render_state(const struct sim_cursor *c,
                                        const char *fields) {
  const struct sim_item *it = sim_cursor_item(c);
  const struct sim_agent *ag = sim_agent_get(c->agent);
  const struct sim_team *tm = sim_team_get(ag->team);
  bool logged_in = it->state != SIM_LOGGED_OUT;
  struct json_object *o = json_object_new_object();
  add(o, "agentId", json_object_new_int(ag->id));
  add(o, "agentStateId", json_object_new_int(it->state));
  add(o, "agentStateName", json_object_new_string(sim_state_names[it->state]));
  add(o, "agentStateCategory", json_object_new_string(category(it->state)));
  add(o, "businessUnitId", json_object_new_int64(sim_cfg.bu_id));
  add(o, "contactStartHandleTime",
      it->contact_id ? sim_json_time(it->start) : NULL);
  add(o, "isActive", json_object_new_boolean(1));
  add(o, "isACW",
      json_object_new_boolean(it->reason >= 0 && sim_reasons[it->reason].acw));
  add(o, "firstName", json_object_new_string(ag->first));
  add(o, "lastName", json_object_new_string(ag->last));
  add(o, "userName", json_object_new_string(ag->user));
  add(o, "lastUpdateTime", sim_json_time(it->start));
  add(o, "openContacts", json_object_new_int(it->contact_id != 0));
  add(o, "sessionStartTime",
      logged_in ? sim_json_time(c->blk->items[0].start) : NULL);
  add(o, "startDate", sim_json_time(it->start));
  add(o, "teamId", json_object_new_int(tm->id));
  add(o, "teamName", json_object_new_string(tm->name));
  add_item_fields(o, it, ag, false);
  return sim_json_project(o, fields);
}

static void states(struct sim_req *r, int only) {
  const char *us = sim_arg(r, "updatedSince");
  cx_ms_t since = 0;
  long skip, top;
  if (us != NULL && sim_parse_time(us, false, &since) != 0) {
    sim_reply_error(r, 400, "Invalid updatedSince");
    return;
  }
  if (sim_api_paging(r, &skip, &top) != 0)
    return;
  const char *fields = sim_arg(r, "fields");
  struct json_object *list = json_object_new_array();
  long total = 0;
  int first = only >= 0 ? only : 0,
      last = only >= 0 ? only : sim_agent_count() - 1;
  for (int a = first; a <= last; a++) {
    if (!sim_agent_active(sim_agent_get(a), r->now))
      continue; /* not hired yet, or gone */
    struct sim_cursor c;
    sim_cursor_at(&c, a, r->now);
    if (us == NULL || sim_cursor_item(&c)->start > since) {
      if (total >= skip && total < skip + top)
        json_object_array_add(list, render_state(&c, fields));
      total++;
    }
    sim_cursor_release(&c);
  }
  if (us != NULL && total == 0 && sim_cfg.no_change != 200) {
    json_object_put(list);
    sim_reply_json(r, sim_cfg.no_change, NULL);
    return;
  }
  struct json_object *o = sim_api_envelope(r, total, skip, top);
  add(o, "agentStates", list);
  sim_reply_json(r, 200, o);
}

/* --- agents/state-history. --- */

/* Which items of a timeline are records of one history query. */
struct hist {
  cx_ms_t from, to; /* [startDate, endDate) */
  cx_ms_t known;    /* the timeline is known up to now - lag */
};

static bool hist_valid(const struct hist *h, const struct sim_cursor *c) {
  const struct sim_item *it = sim_cursor_item(c);
  if (it->start >= h->to || it->start > h->known ||
      it->start >= sim_agent_get(c->agent)->left)
    return false;
  if (it->end <= h->known)
    return true;
  /* The open state, last of the records. */
  return sim_cfg.open_state != SIM_OPEN_OMIT &&
         (sim_cfg.history_straddle == SIM_STRADDLE_EXCLUDE ||
          h->known > h->from || it->start >= h->from);
}

/* hist_valid, after moving past LoggedOut items where history leaves them
 * out (--logged-out-history no; a LoggedOut item is followed by a LoggedIn
 * one, or is the last of a leaver's, where hist_valid stops: the walk
 * ends). */
static bool hist_settle(const struct hist *h, struct sim_cursor *c) {
  while (!sim_cfg.logged_out_history && hist_valid(h, c) &&
         sim_cursor_item(c)->state == SIM_LOGGED_OUT)
    sim_cursor_next(c);
  return hist_valid(h, c);
}

/* Places c on the agent's first record; false when there is none (the
 * cursor is then not placed when the agent's span misses the range). */
static bool hist_first(const struct hist *h, int agent, struct sim_cursor *c) {
  const struct sim_agent *ag = sim_agent_get(agent);
  if (ag->hired >= h->to || ag->hired > h->known || ag->left <= h->from) {
    *c = (struct sim_cursor){.agent = agent};
    return false;
  }
  sim_cursor_at(c, agent, h->from > ag->hired ? h->from : ag->hired);
  if (sim_cfg.history_straddle == SIM_STRADDLE_EXCLUDE &&
      sim_cursor_item(c)->start < h->from)
    sim_cursor_next(c);
  return hist_settle(h, c);
}

static bool hist_next(const struct hist *h, struct sim_cursor *c) {
  sim_cursor_next(c);
  return hist_settle(h, c);
}

static struct json_object *render_record(const struct hist *h,
                                         const struct sim_cursor *c,
                                         const char *fields) {
  const struct sim_item *it = sim_cursor_item(c);
  const struct sim_agent *ag = sim_agent_get(c->agent);
  int team = sim_team_get(ag->team)->id;
  struct json_object *o = json_object_new_object(), *dur;
  if (it->end <= h->known)
    dur = sim_json_duration(it->end - it->start);
  else
    dur = sim_cfg.open_state == SIM_OPEN_PARTIAL
              ? sim_json_duration(h->known - it->start)
              : NULL;
  add(o, "stateIndex", json_object_new_int(sim_cursor_index(c)));
  add(o, "startDate", sim_json_time(it->start));
  add(o, "agentId", json_object_new_int(ag->id));
  add(o, "agentStateId", json_object_new_int(it->state));
  add(o, "agentStateName", json_object_new_string(sim_state_names[it->state]));
  add(o, "agentSessionId", json_object_new_int64(c->blk->session_id));
  add_item_fields(o, it, ag, true);
  add(o, "duration", dur);
  add(o, "isNaturalCalling", json_object_new_boolean(0));
  if (sim_cfg.team_field & SIM_TEAM_ID)
    add(o, "teamId", json_object_new_int(team));
  if (sim_cfg.team_field & SIM_TEAM_NO)
    add(o, "teamNo", json_object_new_int(team));
  return sim_json_project(o, fields);
}

/* A binary min-heap of per-agent cursors ordered by (startDate, agentId). */
static bool before(const struct sim_cursor *a, const struct sim_cursor *b) {
  cx_ms_t sa = sim_cursor_item(a)->start, sb = sim_cursor_item(b)->start;
  return sa < sb || (sa == sb && a->agent < b->agent);
}

static void sift_down(struct sim_cursor *h, size_t n, size_t i) {
  for (;;) {
    size_t m = i, l = 2 * i + 1, r = l + 1;
    if (l < n && before(&h[l], &h[m]))
      m = l;
    if (r < n && before(&h[r], &h[m]))
      m = r;
    if (m == i)
      return;
    struct sim_cursor t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static int history_range(struct sim_req *r, struct hist *h) {
  const char *s = sim_arg(r, "startDate"), *e = sim_arg(r, "endDate");
  if (sim_parse_time(s, false, &h->from) != 0) {
    sim_reply_error(r, 400, "Invalid Start Date");
    return -1;
  }
  if (sim_parse_time(e, false, &h->to) != 0) {
    sim_reply_error(r, 400, "Invalid End Date");
    return -1;
  }
  if (h->to < h->from) {
    sim_reply_error(r, 400, "Invalid Date Range");
    return -1;
  }
  h->known = r->now - sim_cfg.history_lag_ms;
  return 0;
}

static void sift_up(struct sim_cursor *h, size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!before(&h[i], &h[parent]))
      return;
    struct sim_cursor t = h[i];
    h[i] = h[parent];
    h[parent] = t;
    i = parent;
  }
}

/* --- Walks: paging through one history query. ---
 *
 * A client pages through one [startDate, endDate) query by following
 * _links.next (skip += top).  Computed from scratch, every page costs the
 * whole range: totalRecords counts every agent's records and the merge
 * passes `skip` records before the page.  At 20,000 agents a two-hour
 * backfill chunk is about 250,000 records in 250 pages: 250 x 250,000 steps.
 *
 * So the state of a walk after a page (the merge heap, the position, each
 * agent's counting frontier) is kept, and answers the next page when that
 * gives exactly the answer computed from scratch at the new instant:
 * - an item's validity (hist_valid) only ever turns from false to true as
 *   `known` grows (start <= known, end <= known, known > from), and an
 *   agent's records are a run of valid items from its first candidate, so
 *   the records at a later instant are those of an earlier one plus new
 *   ones at the tail of each agent's run: totalRecords is the old total
 *   plus the items each agent's frontier (its first item not valid yet) has
 *   since passed;
 * - the new items of an agent still in the merge come after its cursor; the
 *   first new item of an agent out of it joins it, if it sorts after the
 *   last record passed.  One that sorts before it (a state open when the
 *   walk began and closed since) would have moved earlier pages: the page is
 *   then computed from scratch.
 * Holds change timelines: a hold change voids every kept walk.  Requests
 * for one agent (small) are always computed from scratch. */

struct walk {
  struct hist h;           /* the query, and `known` of the last page */
  int first, n;            /* agents first .. first + n - 1 */
  uint64_t holds_gen;
  long total;              /* totalRecords at h.known */
  long pos;                /* records of the merge passed */
  struct sim_cursor *front; /* per agent: the first item not valid yet */
  bool *done;               /* per agent: front can never be valid */
  bool *merging;            /* per agent: has a cursor in heap */
  struct sim_cursor *heap;  /* at each merging agent's next record */
  size_t live;
  struct sim_cursor last;   /* the last record passed (item, agent) */
  bool passed;
};

static void walk_release(struct walk *w) {
  if (w->front != NULL)
    for (int i = 0; i < w->n; i++)
      sim_cursor_release(&w->front[i]);
  for (size_t i = 0; i < w->live; i++)
    sim_cursor_release(&w->heap[i]);
  free(w->front);
  free(w->done);
  free(w->merging);
  free(w->heap);
  *w = (struct walk){0};
}

/* Starts w at h (from scratch).  0, or -1 out of memory. */
static int walk_start(struct walk *w, const struct hist *h, int first, int n,
                      uint64_t holds_gen) {
  *w = (struct walk){.h = *h, .first = first, .n = n, .holds_gen = holds_gen};
  w->front = calloc((size_t)n, sizeof *w->front);
  w->done = calloc((size_t)n, sizeof *w->done);
  w->merging = calloc((size_t)n, sizeof *w->merging);
  w->heap = calloc((size_t)n, sizeof *w->heap);
  if (!w->front || !w->done || !w->merging || !w->heap) {
    walk_release(w);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    struct sim_cursor *c = &w->front[i];
    bool any = hist_first(&w->h, first + i, c);
    cx_ms_t start = sim_cursor_item(c)->start;
    for (w->total += any; any && hist_next(&w->h, c); w->total++)
      ;
    w->done[i] = sim_cursor_item(c)->start >= w->h.to;
    if (any) {
      sim_cursor_at(&w->heap[w->live++], first + i, start);
      w->merging[i] = true;
    }
  }
  for (size_t i = w->live; i-- > 0;)
    sift_down(w->heap, w->live, i);
  return 0;
}

/* Moves w on to known (>= w->h.known).  0, or -1 when a new record sorts
 * before the last one passed (w must then start over). */
static int walk_advance(struct walk *w, cx_ms_t known) {
  w->h.known = known;
  for (int i = 0; i < w->n; i++) {
    struct sim_cursor *c = &w->front[i];
    if (w->done[i] || !hist_valid(&w->h, c))
      continue;
    if (!w->merging[i]) {
      if (w->passed && !before(&w->last, c))
        return -1;
      sim_cursor_at(&w->heap[w->live], w->first + i,
                    sim_cursor_item(c)->start);
      sift_up(w->heap, w->live++);
      w->merging[i] = true;
    }
    for (w->total++; hist_next(&w->h, c); w->total++)
      ;
    w->done[i] = sim_cursor_item(c)->start >= w->h.to;
  }
  return 0;
}

/* Passes records up to position `upto`, adding those from `skip` on to
 * list. */
static void walk_pass(struct walk *w, long skip, long upto,
                      struct json_object *list, const char *fields) {
  for (; w->pos < upto && w->live > 0; w->pos++) {
    struct sim_cursor *c = &w->heap[0];
    if (w->pos >= skip)
      json_object_array_add(list, render_record(&w->h, c, fields));
    w->last.agent = c->agent;
    w->last.item = c->item;
    w->passed = true;
    if (!hist_next(&w->h, c)) {
      w->merging[c->agent - w->first] = false;
      sim_cursor_release(c);
      *c = w->heap[--w->live];
    }
    sift_down(w->heap, w->live, 0);
  }
}

#define WALKS 4 /* kept walks: concurrent clients (tenants) each have one */

static struct {
  pthread_mutex_t lock;
  struct walk w[WALKS];
  bool busy[WALKS];
  uint64_t used[WALKS], clock;
} W = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The kept walk that continues at (h, skip), or a free (released) slot to
 * start one in; -1 when every slot is busy. */
static int walk_checkout(const struct hist *h, long skip, uint64_t gen,
                         bool *resume) {
  pthread_mutex_lock(&W.lock);
  int slot = -1;
  *resume = false;
  for (int k = 0; k < WALKS; k++) {
    const struct walk *w = &W.w[k];
    if (!W.busy[k] && w->front != NULL && w->h.from == h->from &&
        w->h.to == h->to && w->h.known <= h->known && w->pos == skip &&
        w->holds_gen == gen) {
      slot = k;
      *resume = true;
      break;
    }
  }
  for (int k = 0; !*resume && k < WALKS; k++) /* else the least recent */
    if (!W.busy[k] && (slot < 0 || W.used[k] < W.used[slot]))
      slot = k;
  if (slot >= 0) {
    W.busy[slot] = true;
    W.used[slot] = ++W.clock;
  }
  pthread_mutex_unlock(&W.lock);
  return slot;
}

static void walk_checkin(int slot) {
  pthread_mutex_lock(&W.lock);
  W.busy[slot] = false;
  pthread_mutex_unlock(&W.lock);
}

static void history(struct sim_req *r, int only) {
  struct hist h;
  long skip, top;
  const char *fields = sim_arg(r, "fields");
  if (fields != NULL && !sim_cfg.history_fields) {
    sim_reply_error(r, 400, "Invalid fields"); /* as an older server might */
    return;
  }
  if (history_range(r, &h) != 0 || sim_api_paging(r, &skip, &top) != 0)
    return;
  int first = only >= 0 ? only : 0, n = only >= 0 ? 1 : sim_agent_count();
  uint64_t gen = sim_holds_generation();
  struct walk local, *w = &local;
  bool resume = false;
  int slot = only < 0 ? walk_checkout(&h, skip, gen, &resume) : -1;
  if (slot >= 0) {
    w = &W.w[slot];
    if (resume && walk_advance(w, h.known) != 0)
      resume = false;
    if (!resume)
      walk_release(w);
  }
  if (!resume && walk_start(w, &h, first, n, gen) != 0) {
    if (slot >= 0)
      walk_checkin(slot);
    sim_reply_error(r, 500, "Out of memory");
    return;
  }
  struct json_object *list = json_object_new_array();
  walk_pass(w, skip, skip + top, list, fields);
  long total = w->total;
  if (slot >= 0)
    walk_checkin(slot);
  else
    walk_release(w);

  if (total == 0 && sim_cfg.empty_history == 204) {
    json_object_put(list);
    sim_reply_json(r, 204, NULL);
    return;
  }
  struct json_object *o = sim_api_envelope(r, total, skip, top);
  add(o, "agentStateHistory", list);
  sim_reply_json(r, 200, o);
}

/* --- Directory endpoints: agents, teams, unavailable-codes. --- */

void sim_api_agents(struct sim_req *r) {
  long skip, top;
  if (sim_api_paging(r, &skip, &top) != 0)
    return;
  const char *fields = sim_arg(r, "fields");
  long total = 0; /* the agents employed now */
  struct json_object *list = json_object_new_array();
  for (int i = 0; i < sim_agent_count(); i++) {
    const struct sim_agent *ag = sim_agent_get(i);
    if (!sim_agent_active(ag, r->now) || total++ < skip ||
        total > skip + top)
      continue;
    const struct sim_team *tm = sim_team_get(ag->team);
    char internal[16];
    snprintf(internal, sizeof internal, "%d", ag->id);
    struct json_object *o = json_object_new_object();
    add(o, "agentId", json_object_new_int(ag->id));
    add(o, "userName", json_object_new_string(ag->user));
    add(o, "firstName", json_object_new_string(ag->first));
    add(o, "lastName", json_object_new_string(ag->last));
    add(o, "emailAddress", json_object_new_string(ag->user));
    add(o, "isActive", json_object_new_boolean(1));
    add(o, "teamId", json_object_new_int(tm->id));
    add(o, "teamName", json_object_new_string(tm->name));
    add(o, "reportToId", NULL);
    add(o, "isSupervisor", json_object_new_boolean(0));
    add(o, "timeZone", json_object_new_string("UTC"));
    add(o, "internalId", json_object_new_string(internal));
    add(o, "profileId", json_object_new_int(1));
    add(o, "profileName", json_object_new_string("Agent"));
    json_object_array_add(list, sim_json_project(o, fields));
  }
  struct json_object *o = sim_api_envelope(r, total, skip, top);
  add(o, "hiddenAgents", json_object_new_int(0));
  add(o, "agents", list);
  sim_reply_json(r, 200, o);
}

void sim_api_teams(struct sim_req *r) {
  const char *fields = sim_arg(r, "fields");
  struct json_object *list = json_object_new_array();
  for (int k = 0; k < sim_team_count(); k++) {
    struct json_object *o = json_object_new_object();
    add(o, "teamId", json_object_new_int(sim_team_get(k)->id));
    add(o, "teamName", json_object_new_string(sim_team_get(k)->name));
    add(o, "isActive", json_object_new_boolean(1));
    json_object_array_add(list, sim_json_project(o, fields));
  }
  struct json_object *o = sim_api_envelope(r, sim_team_count(), 0, sim_team_count());
  add(o, "teams", list);
  sim_reply_json(r, 200, o);
}

void sim_api_codes(struct sim_req *r) {
  const char *fields = sim_arg(r, "fields");
  struct json_object *list = json_object_new_array();
  for (int k = 0; k < SIM_NREASONS; k++) {
    struct json_object *o = json_object_new_object();
    add(o, "id", json_object_new_int(sim_reasons[k].id));
    add(o, "name", json_object_new_string(sim_reasons[k].name));
    add(o, "isActive", json_object_new_boolean(1));
    add(o, "isACW", json_object_new_boolean(sim_reasons[k].acw));
    add(o, "agentTimeout", json_object_new_int(sim_reasons[k].timeout));
    json_object_array_add(list, sim_json_project(o, fields));
  }
  struct json_object *o = sim_api_envelope(r, SIM_NREASONS, 0, SIM_NREASONS);
  add(o, "unavailableCodes", list);
  sim_reply_json(r, 200, o);
}

/* --- The state endpoints: agents/states and state-history, all agents or one. --- */

/* The agent of a per-agent endpoint (r->id), or -1 after a 404: an agent
 * not hired yet is unknown; one that left keeps its history (but has no
 * state now). */
static int path_agent(struct sim_req *r, bool must_be_active) {
  int agent = sim_agent_index(r->id);
  if (agent < 0 || sim_agent_get(agent)->hired > r->now ||
      (must_be_active && !sim_agent_active(sim_agent_get(agent), r->now))) {
    sim_reply_error(r, 404, "Invalid Agent Id");
    return -1;
  }
  return agent;
}

void sim_api_states(struct sim_req *r) { states(r, -1); }

void sim_api_agent_states(struct sim_req *r) {
  int agent = path_agent(r, true);
  if (agent >= 0)
    states(r, agent);
}

void sim_api_history(struct sim_req *r) {
  if (sim_cfg.all_agents_history)
    history(r, -1);
  else
    sim_reply_error(r, 404, "Not found");
}

void sim_api_agent_history(struct sim_req *r) {
  int agent = path_agent(r, false);
  if (agent >= 0)
    history(r, agent);
}

