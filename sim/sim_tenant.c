/*
 * sim_tenant.c: the simulated tenant and its deterministic timelines.
 *
 * Owns the agents, teams, codes and skills, the generator of one agent's
 * session for one scaled day (a seeded Markov walk), and the session cache.
 * Everything is a pure function of (seed, agent, day): the shift start of
 * day d depends only on d, so session d can be generated without its
 * neighbours and ends exactly where session d+1 begins.
 *
 * The walk runs in unscaled "virtual" milliseconds from the shift start;
 * instants are mapped to wall-clock milliseconds by scaling and rounding the
 * same virtual points, so consecutive items stay contiguous at any scale.
 *
 * Holds (sim_hold_add) are kept apart from the generated sessions, per agent
 * in an immutable reference-counted set replaced on every change; cursors
 * take a reference to the set and merge it with the generated items, so the
 * cache never holds overridden sessions.
 *
 * Churn (hires and leavers) is a schedule computed once, before the server
 * starts, by walking the churn days in order (who may leave on a day
 * depends on who was hired and who left before): it only sets each
 * agent's first and end session; the sessions themselves do not change.
 */
#include "sim_tenant.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEC_MS 1000LL
#define MIN_MS (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

#define SIM_SLOTS 4 /* cached sessions per agent */

/* CXone's names, not the library's (see enum sim_state). */
const char *const sim_state_names[SIM_NSTATES] = {
    "LoggedOut",       "Available",       "Unavailable",
    "InboundContact",  "OutboundContact", "InboundConsult",
    "OutboundConsult", "Dialer",          "LoggedIn"};

struct sim_reason sim_reasons[SIM_NREASONS] = {
    [SIM_BREAK] = {42, "Break", false, 0},
    [SIM_LUNCH] = {43, "Lunch", false, 0},
    [SIM_ACW] = {77, "After Call Work", true, 120},
    [SIM_TRAINING] = {44, "Training", false, 0},
    [SIM_MEETING] = {45, "Meeting", false, 0},
    [SIM_PERSONAL] = {46, "Personal", false, 0},
};

const struct sim_skill sim_skills[SIM_NSKILLS] = {
    {18524648, "Support Voice", false},  {18524649, "Sales Voice", false},
    {18524650, "Billing Voice", false},  {18524651, "Outbound Callbacks", true},
    {18524652, "Dialer Campaign", true},
};
#define SKILL_OUTBOUND SIM_SKILL_OUTBOUND
#define SKILL_DIALER SIM_SKILL_DIALER
#define SKILLS_INBOUND SIM_SKILLS_INBOUND

static const char *const builtin_teams[] = {
    "Tier 1",  "Tier 2",    "Support",     "Sales",
    "Billing", "Retention", "Back Office", "Escalations"};
static const char *const first_names[] = {
    "Ann",  "Ben",   "Carla", "Dev",  "Elena", "Farid", "Grace", "Hugo",
    "Ines", "Jonas", "Keiko", "Liam", "Maya",  "Nils",  "Olga",  "Pavel"};
static const char *const last_names[] = {"Adams",  "Brooks",  "Chen",  "Diaz",
                                         "Evans",  "Fischer", "Gupta", "Hansen",
                                         "Ivanov", "Jones",   "Kim",   "Lopez"};
#define NFIRST (sizeof first_names / sizeof first_names[0])
#define NLAST (sizeof last_names / sizeof last_names[0])

static struct {
  pthread_mutex_t lock;
  uint64_t seed;
  double scale;
  cx_ms_t day_len;
  int nagents;
  int nteams;
  struct sim_agent *agents;
  struct sim_team *teams;
  struct sim_block **cache; /* nagents * SIM_SLOTS */
  struct sim_holds **holds; /* nagents, NULL when none */
  uint64_t holds_gen;       /* bumped on every hold change */
  struct sim_churn_info churn;
} T = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* --- Deterministic randomness (splitmix64). --- */

struct rng {
  uint64_t s;
};

static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r) {
  r->s += 0x9e3779b97f4a7c15ULL;
  return mix64(r->s);
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi) {
  assert(hi >= lo);
  return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

enum { SALT_SHIFT = 1, SALT_WALK = 2, SALT_CHURN = 3 };

static struct rng rng_for(int agent_id, int64_t day, uint64_t salt) {
  struct rng r = {mix64(
      T.seed ^ mix64((uint64_t)agent_id ^ mix64((uint64_t)day * 4 + salt)))};
  return r;
}

/* --- Shifts. --- */

static cx_ms_t scaled(cx_ms_t virtual_ms) {
  return (cx_ms_t)llround((double)virtual_ms * T.scale);
}

/* Team k's nominal shift start (virtual ms after midnight): four teams cover
 * the day in 6 h steps, further teams are shifted by 90 min per round. */
static cx_ms_t team_offset(int team) {
  return ((team % 4) * 6 * HOUR_MS + (team / 4) * 90 * MIN_MS) % DAY_MS;
}

static cx_ms_t shift_start(int agent, int64_t day) {
  const struct sim_agent *ag = &T.agents[agent];
  struct rng r = rng_for(ag->id, day, SALT_SHIFT);
  cx_ms_t jitter = rng_range(&r, -30 * MIN_MS, 30 * MIN_MS);
  return day * T.day_len + scaled(team_offset(ag->team) + jitter);
}

/* The session (day) whose span [shift start, next shift start) holds t. */
static int64_t day_of(int agent, cx_ms_t t) {
  cx_ms_t rel = t - scaled(team_offset(T.agents[agent].team));
  int64_t d = rel / T.day_len - (rel % T.day_len < 0);
  while (t < shift_start(agent, d))
    d--;
  while (t >= shift_start(agent, d + 1))
    d++;
  return d;
}

/* --- Session generator. --- */

struct gen {
  struct sim_item *v;
  size_t n, cap;
  struct rng r;
  cx_ms_t base; /* wall-clock shift start */
  cx_ms_t vnow; /* virtual ms since the shift start */
  cx_ms_t vend; /* virtual shift length */
};

static void gen_append(struct gen *g, cx_ms_t s, cx_ms_t e, int state,
                       int reason, int skill, int64_t contact) {
  assert(e > s);
  struct sim_item *last = g->n ? &g->v[g->n - 1] : NULL;
  assert(last == NULL || last->end == s);
  /* An item that vanished at this scale may leave two equal neighbours. */
  if (last && last->state == state && last->reason == reason &&
      last->contact_id == contact) {
    last->end = e;
    return;
  }
  if (g->n == g->cap) {
    g->cap = g->cap ? 2 * g->cap : 256;
    g->v = realloc(g->v, g->cap * sizeof *g->v);
    if (g->v == NULL) {
      perror("cxone-sim: realloc");
      abort();
    }
  }
  g->v[g->n++] = (struct sim_item){.start = s,
                                   .end = e,
                                   .contact_id = contact,
                                   .state = (uint8_t)state,
                                   .reason = (int8_t)reason,
                                   .skill = (int8_t)skill};
}

/* Appends a state lasting vdur virtual ms, clipped at the shift end. */
static void gen_push(struct gen *g, cx_ms_t vdur, int state, int reason,
                     int skill, int64_t contact) {
  cx_ms_t v0 = g->vnow, v1 = v0 + vdur < g->vend ? v0 + vdur : g->vend;
  g->vnow = v1;
  cx_ms_t s = g->base + scaled(v0), e = g->base + scaled(v1);
  if (e > s)
    gen_append(g, s, e, state, reason, skill, contact);
}

static cx_ms_t gen_dur(struct gen *g, cx_ms_t lo, cx_ms_t hi) {
  return rng_range(&g->r, lo, hi);
}

/* A contact, sometimes with a consult inside it, then After Call Work. */
static void gen_contact(struct gen *g, int state, int consult, int consult_pct,
                        int skill, cx_ms_t lo, cx_ms_t hi) {
  int64_t contact =
      700000000000LL + (int64_t)(rng_next(&g->r) % 100000000000ULL);
  cx_ms_t dur = gen_dur(g, lo, hi);
  if (rng_range(&g->r, 0, 99) < consult_pct) {
    cx_ms_t first = gen_dur(g, dur / 4, 3 * dur / 4);
    gen_push(g, first, state, -1, skill, contact);
    gen_push(g, gen_dur(g, 30 * SEC_MS, 90 * SEC_MS), consult, -1, skill,
             contact);
    gen_push(g, dur - first, state, -1, skill, contact);
  } else {
    gen_push(g, dur, state, -1, skill, contact);
  }
  gen_push(g, gen_dur(g, 10 * SEC_MS, 120 * SEC_MS), SIM_UNAVAILABLE, SIM_ACW,
           -1, 0);
}

static struct sim_block *gen_session(int agent, int64_t day) {
  const struct sim_agent *ag = &T.agents[agent];
  struct gen g = {.r = rng_for(ag->id, day, SALT_WALK),
                  .base = shift_start(agent, day)};
  cx_ms_t next = shift_start(agent, day + 1);
  g.vend = gen_dur(&g, 450 * MIN_MS, 540 * MIN_MS);

  /* Two breaks and lunch near mid-shift, taken at the first free moment. */
  const cx_ms_t pause_at[3] = {g.vend * gen_dur(&g, 20, 30) / 100,
                               g.vend * gen_dur(&g, 45, 55) / 100,
                               g.vend * gen_dur(&g, 70, 80) / 100};
  const int pause_reason[3] = {SIM_BREAK, SIM_LUNCH, SIM_BREAK};
  int pause = 0;

  gen_push(&g, gen_dur(&g, 5 * SEC_MS, 20 * SEC_MS), SIM_LOGGED_IN, -1, -1, 0);
  gen_push(&g, gen_dur(&g, 10 * SEC_MS, 60 * SEC_MS), SIM_UNAVAILABLE, -1, -1,
           0);
  while (g.vnow < g.vend) {
    if (pause < 3 && g.vnow >= pause_at[pause]) {
      cx_ms_t d = pause_reason[pause] == SIM_LUNCH
                      ? gen_dur(&g, 30 * MIN_MS, 60 * MIN_MS)
                      : gen_dur(&g, 10 * MIN_MS, 15 * MIN_MS);
      gen_push(&g, d, SIM_UNAVAILABLE, pause_reason[pause], -1, 0);
      pause++;
      continue;
    }
    gen_push(&g, gen_dur(&g, 20 * SEC_MS, 5 * MIN_MS), SIM_AVAILABLE, -1, -1,
             0);
    int r = (int)rng_range(&g.r, 0, 99);
    if (r < 62)
      gen_contact(&g, SIM_INBOUND_CONTACT, SIM_INBOUND_CONSULT, 20,
                  ag->team % SKILLS_INBOUND, 2 * MIN_MS, 10 * MIN_MS);
    else if (r < 74)
      gen_contact(&g, SIM_OUTBOUND_CONTACT, SIM_OUTBOUND_CONSULT, 15,
                  SKILL_OUTBOUND, MIN_MS, 6 * MIN_MS);
    else if (r < 86)
      gen_contact(&g, SIM_DIALER, SIM_DIALER, 0, SKILL_DIALER, MIN_MS,
                  10 * MIN_MS);
    else if (r < 87)
      gen_push(&g, gen_dur(&g, 15 * MIN_MS, 45 * MIN_MS), SIM_UNAVAILABLE,
               SIM_TRAINING, -1, 0);
    else if (r < 88)
      gen_push(&g, gen_dur(&g, 10 * MIN_MS, 30 * MIN_MS), SIM_UNAVAILABLE,
               SIM_MEETING, -1, 0);
    else if (r < 91)
      gen_push(&g, gen_dur(&g, 2 * MIN_MS, 10 * MIN_MS), SIM_UNAVAILABLE,
               SIM_PERSONAL, -1, 0);
    else
      gen_push(&g, gen_dur(&g, 30 * SEC_MS, 3 * MIN_MS), SIM_UNAVAILABLE, -1,
               -1, 0);
  }
  cx_ms_t out = g.base + scaled(g.vend);
  assert(next > out); /* shifts never overlap the next one */
  gen_append(&g, out, next, SIM_LOGGED_OUT, -1, -1, 0);

  struct sim_block *b = malloc(sizeof *b + g.n * sizeof b->items[0]);
  if (b == NULL) {
    perror("cxone-sim: malloc");
    abort();
  }
  b->refs = 1; /* the cache's */
  b->day = day;
  b->session_id = (int64_t)ag->id * 1000000000LL + day;
  b->n = g.n;
  memcpy(b->items, g.v, g.n * sizeof b->items[0]);
  free(g.v);
  return b;
}

/* --- Cache. --- */

static void block_unref_locked(struct sim_block *b) {
  assert(b->refs > 0);
  if (--b->refs == 0)
    free(b);
}

static struct sim_block *block_get(int agent, int64_t day) {
  struct sim_block **slot =
      &T.cache[(size_t)agent * SIM_SLOTS + (uint64_t)day % SIM_SLOTS];
  pthread_mutex_lock(&T.lock);
  struct sim_block *b = *slot;
  if (b == NULL || b->day != day) {
    if (b != NULL)
      block_unref_locked(b);
    b = *slot = gen_session(agent, day);
  }
  b->refs++;
  pthread_mutex_unlock(&T.lock);
  return b;
}

static void block_put(struct sim_block *b) {
  pthread_mutex_lock(&T.lock);
  block_unref_locked(b);
  pthread_mutex_unlock(&T.lock);
}

/* --- Holds. --- */

static void holds_unref_locked(struct sim_holds *h) {
  assert(h->refs > 0);
  if (--h->refs == 0)
    free(h);
}

static struct sim_holds *holds_get(int agent) {
  pthread_mutex_lock(&T.lock);
  struct sim_holds *h = T.holds[agent];
  if (h != NULL)
    h->refs++;
  pthread_mutex_unlock(&T.lock);
  return h;
}

static void holds_put(struct sim_holds *h) {
  pthread_mutex_lock(&T.lock);
  holds_unref_locked(h);
  pthread_mutex_unlock(&T.lock);
}

int sim_hold_add(int agent, cx_ms_t from, cx_ms_t until, int state,
                 int reason) {
  assert(agent >= 0 && agent < T.nagents && from < until);
  assert(state >= 0 && state < SIM_NSTATES);
  assert(reason == -1 || (state == SIM_UNAVAILABLE && reason < SIM_NREASONS));
  const struct sim_agent *ag = &T.agents[agent];
  if (from < ag->hired || until > ag->left)
    return -2;
  struct sim_item it = {.start = from,
                        .end = until,
                        .state = (uint8_t)state,
                        .reason = (int8_t)reason,
                        .skill = -1};
  /* A held contact state is one contact, as the generator's are. */
  switch (state) {
  case SIM_INBOUND_CONTACT:
  case SIM_INBOUND_CONSULT:
    it.skill = (int8_t)(ag->team % SKILLS_INBOUND);
    break;
  case SIM_OUTBOUND_CONTACT:
  case SIM_OUTBOUND_CONSULT: it.skill = SKILL_OUTBOUND; break;
  case SIM_DIALER: it.skill = SKILL_DIALER; break;
  default: break;
  }
  if (it.skill >= 0)
    it.contact_id =
        800000000000LL +
        (int64_t)(mix64(T.seed ^ mix64((uint64_t)ag->id) ^ (uint64_t)from) %
                  100000000000ULL);

  pthread_mutex_lock(&T.lock);
  struct sim_holds *old = T.holds[agent];
  size_t n = old ? old->n : 0, at = 0;
  for (size_t k = 0; k < n; k++) {
    if (old->v[k].start < until && from < old->v[k].end) {
      pthread_mutex_unlock(&T.lock);
      return -1;
    }
    if (old->v[k].start < from)
      at = k + 1;
  }
  struct sim_holds *h = malloc(sizeof *h + (n + 1) * sizeof h->v[0]);
  if (h == NULL) {
    perror("cxone-sim: malloc");
    abort();
  }
  h->refs = 1; /* the agent's */
  h->n = n + 1;
  if (at > 0)
    memcpy(h->v, old->v, at * sizeof h->v[0]);
  h->v[at] = it;
  if (n > at)
    memcpy(h->v + at + 1, old->v + at, (n - at) * sizeof h->v[0]);
  T.holds[agent] = h;
  T.holds_gen++;
  if (old != NULL)
    holds_unref_locked(old);
  pthread_mutex_unlock(&T.lock);
  return 0;
}

size_t sim_hold_clear(int agent) {
  assert(agent >= 0 && agent < T.nagents);
  pthread_mutex_lock(&T.lock);
  struct sim_holds *old = T.holds[agent];
  size_t n = old ? old->n : 0;
  T.holds[agent] = NULL;
  T.holds_gen++;
  if (old != NULL)
    holds_unref_locked(old);
  pthread_mutex_unlock(&T.lock);
  return n;
}

uint64_t sim_holds_generation(void) {
  pthread_mutex_lock(&T.lock);
  uint64_t g = T.holds_gen;
  pthread_mutex_unlock(&T.lock);
  return g;
}

/* --- Cursors. --- */

/* Moves the generated position to the item containing t. */
static void gen_seek(struct sim_cursor *c, cx_ms_t t) {
  struct sim_block *b = block_get(c->agent, day_of(c->agent, t));
  if (c->blk != NULL)
    block_put(c->blk);
  c->blk = b;
  const struct sim_item *it = b->items;
  assert(it[0].start <= t && t < it[b->n - 1].end);
  size_t lo = 0, hi = b->n; /* last item with start <= t */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (it[mid].start <= t)
      lo = mid;
    else
      hi = mid;
  }
  c->i = lo;
}

static void gen_next(struct sim_cursor *c) {
  if (c->i + 1 < c->blk->n) {
    c->i++;
    return;
  }
  struct sim_block *nb = block_get(c->agent, c->blk->day + 1);
  block_put(c->blk);
  c->blk = nb;
  c->i = 0;
}

static size_t nholds(const struct sim_cursor *c) {
  return c->holds != NULL ? c->holds->n : 0;
}

/* How many holds before hold k start (or end) at or after t0. */
static int holds_since(const struct sim_holds *hs, size_t k, cx_ms_t t0,
                       bool by_end) {
  int n = 0;
  while (k-- > 0 && (by_end ? hs->v[k].end : hs->v[k].start) >= t0)
    n++;
  return n;
}

/* The item is the generated item from `start` on, up to the next hold.  A
 * piece resumed after a hold gets a stateIndex after the session's own: the
 * (2j + 2)-th, j counting the holds before it that end in this session. */
static void set_piece(struct sim_cursor *c, cx_ms_t start) {
  c->held = false;
  c->item = c->blk->items[c->i];
  c->index = (int)c->i + 1;
  if (start > c->item.start) {
    assert(c->h > 0); /* start is the end of hold h - 1 */
    c->item.start = start;
    c->index = (int)c->blk->n + 2 +
               2 * holds_since(c->holds, c->h - 1, c->blk->items[0].start,
                               true);
  }
  if (c->h < nholds(c) && c->holds->v[c->h].start < c->item.end)
    c->item.end = c->holds->v[c->h].start;
  assert(c->item.start < c->item.end);
}

/* The item is hold h; the generated position is the item containing its
 * start (already there when already_there).  Its stateIndex is the
 * (2j + 1)-th after the session's own, j counting the holds before it that
 * start in this session. */
static void set_hold(struct sim_cursor *c, bool already_there) {
  c->held = true;
  c->item = c->holds->v[c->h];
  if (!already_there)
    gen_seek(c, c->item.start);
  c->index = (int)c->blk->n + 1 +
             2 * holds_since(c->holds, c->h, c->blk->items[0].start, false);
}

void sim_cursor_at(struct sim_cursor *c, int agent, cx_ms_t t) {
  assert(agent >= 0 && agent < T.nagents);
  c->agent = agent;
  c->blk = NULL;
  c->holds = holds_get(agent);
  size_t n = nholds(c), lo = 0, hi = n; /* the first hold ending after t */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->holds->v[mid].end <= t)
      lo = mid + 1;
    else
      hi = mid;
  }
  c->h = lo;
  if (lo < n && c->holds->v[lo].start <= t) {
    set_hold(c, false);
    return;
  }
  gen_seek(c, t);
  set_piece(c, lo > 0 ? c->holds->v[lo - 1].end : c->blk->items[c->i].start);
}

void sim_cursor_next(struct sim_cursor *c) {
  cx_ms_t end = c->item.end;
  if (c->held) {
    c->h++;
    if (c->h < nholds(c) && c->holds->v[c->h].start == end) {
      set_hold(c, false); /* adjacent holds */
    } else {
      gen_seek(c, end); /* the generated item containing `until` resumes */
      set_piece(c, end);
    }
    return;
  }
  if (end < c->blk->items[c->i].end) {
    set_hold(c, true); /* the item was cut by hold h */
    return;
  }
  gen_next(c);
  if (c->h < nholds(c) && c->holds->v[c->h].start == end)
    set_hold(c, true);
  else
    set_piece(c, end);
}

void sim_cursor_release(struct sim_cursor *c) {
  if (c->blk != NULL)
    block_put(c->blk);
  if (c->holds != NULL)
    holds_put(c->holds);
  c->blk = NULL;
  c->holds = NULL;
}

/* --- Directory. --- */

/* Copies the first name of the comma-separated *list into buf and moves
 * *list past it (NULL after the last).  -1 for an empty or too long name. */
static int next_name(const char **list, char buf[SIM_NAME_MAX + 1]) {
  const char *comma = strchr(*list, ',');
  size_t len = comma ? (size_t)(comma - *list) : strlen(*list);
  if (len == 0 || len > SIM_NAME_MAX)
    return -1;
  memcpy(buf, *list, len);
  buf[len] = '\0';
  *list = comma ? comma + 1 : NULL;
  return 0;
}

static char *team_name(int k) { return T.teams[k].name; }
static char *reason_name(int k) { return sim_reasons[k].name; }

/* Renames name(0), name(1), ... (n of them) from list, then checks that no
 * two are equal but for case.  0 or EINVAL. */
static int rename_from(const char *option, const char *list,
                       char *(*name)(int), int n) {
  int k = 0;
  for (const char *p = list; p != NULL; k++) {
    if (k == n) {
      fprintf(stderr, "cxone-sim: %s: more than %d names\n", option, n);
      return EINVAL;
    }
    if (next_name(&p, name(k)) != 0) {
      fprintf(stderr, "cxone-sim: %s: empty name, or longer than %d bytes\n",
              option, SIM_NAME_MAX);
      return EINVAL;
    }
  }
  /* Only the renamed ones can repeat: the built-in names are distinct. */
  for (int i = 0; i < k; i++)
    for (int j = 0; j < n; j++)
      if (j != i && strcasecmp(name(i), name(j)) == 0) {
        fprintf(stderr, "cxone-sim: %s: \"%s\" names two of them\n", option,
                name(i));
        return EINVAL;
      }
  return 0;
}

/* Agent i (id 1001 + i, team i mod teams, names from the seed), employed
 * always.  Each (first, last) pair is used once before any repeats with a
 * number. */
static void init_agent(int i) {
  size_t f0 = (size_t)(T.seed % NFIRST), l0 = (size_t)(T.seed / NFIRST % NLAST);
  struct sim_agent *a = &T.agents[i];
  size_t u = (size_t)i;
  a->id = 1001 + i;
  a->team = i % T.nteams;
  snprintf(a->first, sizeof a->first, "%s", first_names[(f0 + u) % NFIRST]);
  snprintf(a->last, sizeof a->last, "%s",
           last_names[(l0 + u / NFIRST) % NLAST]);
  char n[24] = ""; /* any size_t in decimal */
  if (u >= NFIRST * NLAST)
    snprintf(n, sizeof n, "%zu", u / (NFIRST * NLAST) + 1);
  snprintf(a->user, sizeof a->user, "%s.%s%s@sim.example", a->first, a->last,
           n);
  for (char *p = a->user; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  a->hired = SIM_ALWAYS;
  a->left = SIM_NEVER;
  a->first_day = INT64_MIN;
  a->end_day = INT64_MAX;
}

int sim_tenant_init(uint64_t seed, int agents, int teams, double scale,
                    const char *team_names, const char *reason_names) {
  assert(agents > 0 && teams > 0 && scale > 0);
  T.seed = seed;
  T.scale = scale;
  T.day_len = scaled(DAY_MS);
  T.nagents = agents;
  T.nteams = teams;
  T.agents = calloc((size_t)agents, sizeof *T.agents);
  T.teams = calloc((size_t)teams, sizeof *T.teams);
  T.cache = calloc((size_t)agents * SIM_SLOTS, sizeof *T.cache);
  T.holds = calloc((size_t)agents, sizeof *T.holds);
  if (T.agents == NULL || T.teams == NULL || T.cache == NULL ||
      T.holds == NULL) {
    sim_tenant_free();
    return ENOMEM;
  }
  for (int k = 0; k < teams; k++) {
    T.teams[k].id = 2472001 + k;
    if (k < (int)(sizeof builtin_teams / sizeof builtin_teams[0]))
      snprintf(T.teams[k].name, sizeof T.teams[k].name, "%s", builtin_teams[k]);
    else
      snprintf(T.teams[k].name, sizeof T.teams[k].name, "Team %d", k + 1);
  }
  int rc = 0;
  if (team_names != NULL)
    rc = rename_from("--team-names", team_names, team_name, teams);
  if (rc == 0 && reason_names != NULL)
    rc = rename_from("--reason-names", reason_names, reason_name,
                     SIM_NREASONS);
  if (rc != 0) {
    sim_tenant_free();
    return rc;
  }
  for (int i = 0; i < agents; i++)
    init_agent(i);
  return 0;
}

/* Grows an array of n_old elements of size sz to n_new, zeroing the new
 * ones.  NULL on failure (the old array is left alone). */
static void *grow(void *old, size_t n_old, size_t n_new, size_t sz) {
  char *p = realloc(old, n_new * sz);
  if (p != NULL)
    memset(p + n_old * sz, 0, (n_new - n_old) * sz);
  return p;
}

int sim_tenant_churn(int hires, int leavers, cx_ms_t start, int days) {
  assert(hires >= 0 && leavers >= 0 && days >= 0);
  int64_t total = (int64_t)T.nagents + (int64_t)hires * days;
  if (total > 1000000) {
    fprintf(stderr, "cxone-sim: --hires-per-day x --churn-days: more than "
                    "1000000 agents in all\n");
    return EINVAL;
  }
  int64_t d0 = start / T.day_len - (start % T.day_len < 0);
  T.churn = (struct sim_churn_info){.hires = hires,
                                    .leavers = leavers,
                                    .days = days,
                                    .start = start,
                                    .first_day = d0 * T.day_len,
                                    .day_len = T.day_len};
  if (hires == 0 && leavers == 0)
    return 0;
  size_t n0 = (size_t)T.nagents, n = (size_t)total;
  struct sim_agent *ag = grow(T.agents, n0, n, sizeof *T.agents);
  if (ag != NULL)
    T.agents = ag;
  struct sim_block **cache =
      grow(T.cache, n0 * SIM_SLOTS, n * SIM_SLOTS, sizeof *T.cache);
  if (cache != NULL)
    T.cache = cache;
  struct sim_holds **holds = grow(T.holds, n0, n, sizeof *T.holds);
  if (holds != NULL)
    T.holds = holds;
  /* Candidates for leaving: employed agents that have worked a shift. */
  int *cand = malloc((n ? n : 1) * sizeof *cand);
  if (ag == NULL || cache == NULL || holds == NULL || cand == NULL) {
    free(cand);
    return ENOMEM;
  }
  T.nagents = (int)n;
  size_t ncand = n0;
  for (size_t i = 0; i < n0; i++)
    cand[i] = (int)i;
  for (int k = 0; k < days; k++) {
    int64_t day = d0 + k;
    for (int j = 0; j < hires; j++) {
      int i = (int)n0 + k * hires + j;
      init_agent(i);
      T.agents[i].first_day = day + 1;
      T.agents[i].hired = shift_start(i, day + 1);
    }
    /* Hired on churn day k - 2: first shift on day k - 1, before this one. */
    if (k >= 2)
      for (int j = 0; j < hires; j++)
        cand[ncand++] = (int)n0 + (k - 2) * hires + j;
    struct rng r = rng_for(0, day, SALT_CHURN);
    for (int j = 0; j < leavers && ncand > 0; j++) {
      size_t pick = (size_t)rng_range(&r, 0, (int64_t)ncand - 1);
      struct sim_agent *a = &T.agents[cand[pick]];
      a->end_day = day + 1;
      a->left = shift_start(cand[pick], day + 1);
      cand[pick] = cand[--ncand];
    }
  }
  free(cand);
  return 0;
}

void sim_tenant_churn_info(struct sim_churn_info *out) { *out = T.churn; }

void sim_tenant_free(void) {
  if (T.cache != NULL)
    for (size_t i = 0; i < (size_t)T.nagents * SIM_SLOTS; i++)
      if (T.cache[i] != NULL)
        block_unref_locked(T.cache[i]);
  if (T.holds != NULL)
    for (size_t i = 0; i < (size_t)T.nagents; i++)
      if (T.holds[i] != NULL)
        holds_unref_locked(T.holds[i]);
  free(T.cache);
  free(T.holds);
  free(T.agents);
  free(T.teams);
  T.cache = NULL;
  T.holds = NULL;
  T.agents = NULL;
  T.teams = NULL;
}

int sim_agent_count(void) { return T.nagents; }
uint64_t sim_tenant_seed(void) { return T.seed; }
double sim_tenant_scale(void) { return T.scale; }
cx_ms_t sim_tenant_day_len(void) { return T.day_len; }
const struct sim_agent *sim_agent_get(int idx) { return &T.agents[idx]; }
int sim_team_count(void) { return T.nteams; }
const struct sim_team *sim_team_get(int idx) { return &T.teams[idx]; }
void sim_team_set_name(int idx, const char *name) {
  snprintf(T.teams[idx].name, sizeof T.teams[idx].name, "%s", name);
}

int sim_agent_index(long agent_id) {
  long i = agent_id - 1001;
  return i >= 0 && i < T.nagents ? (int)i : -1;
}
