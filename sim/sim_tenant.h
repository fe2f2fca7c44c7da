/*
 * sim_tenant.h: the simulated tenant: agents, teams, unavailable codes,
 * skills, and every agent's timeline of states, a pure function of the seed
 * and of wall-clock time.
 *
 * A timeline is cut into sessions, one per agent and (scaled) day: a session
 * runs from its shift start to the next day's shift start, its last item
 * being the LoggedOut state that fills the gap.  Sessions are generated on
 * demand into reference-counted immutable blocks kept in a small per-agent
 * cache; cursors walk the items across blocks.  All functions are
 * thread-safe.
 */
#ifndef SIM_TENANT_H
#define SIM_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cx_time.h"

enum sim_state {
  SIM_LOGGED_OUT = 0,
  SIM_AVAILABLE = 1,
  SIM_UNAVAILABLE = 2,
  SIM_INBOUND_CONTACT = 3,
  SIM_OUTBOUND_CONTACT = 4,
  SIM_INBOUND_CONSULT = 5,
  SIM_OUTBOUND_CONSULT = 6,
  SIM_DIALER = 7,
  SIM_LOGGED_IN = 8,
  SIM_NSTATES
};

extern const char *const sim_state_names[SIM_NSTATES];

struct sim_reason {
  int id;
  const char *name;
  bool acw;
  int timeout; /* agentTimeout, seconds */
};

enum {
  SIM_BREAK,
  SIM_LUNCH,
  SIM_ACW,
  SIM_TRAINING,
  SIM_MEETING,
  SIM_PERSONAL,
  SIM_NREASONS
};
extern const struct sim_reason sim_reasons[SIM_NREASONS];

struct sim_skill {
  int id;
  const char *name;
  bool outbound;
};
#define SIM_NSKILLS 5
extern const struct sim_skill sim_skills[SIM_NSKILLS];

struct sim_item {
  cx_ms_t start;
  cx_ms_t end;
  int64_t contact_id; /* 0 when the state has no contact */
  uint8_t state;      /* enum sim_state */
  int8_t reason;      /* index into sim_reasons, -1 for none */
  int8_t skill;       /* index into sim_skills, -1 for none */
};

/* One session: items[0].start is the shift start, items are contiguous. */
struct sim_block {
  int refs; /* guarded by the cache lock */
  int64_t day;
  int64_t session_id;
  size_t n;
  struct sim_item items[];
};

struct sim_agent {
  int id;
  int team; /* index */
  char first[16];
  char last[16];
  char user[64];
};

struct sim_team {
  int id;
  char name[24];
};

int sim_tenant_init(uint64_t seed, int agents, int teams, double scale);
void sim_tenant_free(void);

int sim_agent_count(void);
const struct sim_agent *sim_agent_get(int idx);
int sim_agent_index(long agent_id); /* -1 when unknown */
int sim_team_count(void);
const struct sim_team *sim_team_get(int idx);

/* A position on one agent's timeline; holds a reference to its block. */
struct sim_cursor {
  int agent;
  struct sim_block *blk;
  size_t i;
};

/* Positions c on the agent's item that contains instant t. */
void sim_cursor_at(struct sim_cursor *c, int agent, cx_ms_t t);
/* Moves to the next item (always exists: timelines never end). */
void sim_cursor_next(struct sim_cursor *c);
void sim_cursor_release(struct sim_cursor *c);

static inline const struct sim_item *
sim_cursor_item(const struct sim_cursor *c) {
  return &c->blk->items[c->i];
}

/* stateIndex: the 1-based position of the item within its session. */
static inline int sim_cursor_index(const struct sim_cursor *c) {
  return (int)c->i + 1;
}

#endif /* SIM_TENANT_H */
