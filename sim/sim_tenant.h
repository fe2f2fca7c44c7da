/*
 * sim_tenant.h: the simulated tenant: agents, teams, unavailable codes,
 * skills, and every agent's timeline of states, a pure function of the seed
 * and of wall-clock time.
 *
 * A timeline is cut into sessions, one per agent and (scaled) day: a session
 * runs from its shift start to the next day's shift start, its last item
 * being the LoggedOut state that fills the gap.  Sessions are generated on
 * demand into reference-counted immutable blocks kept in a small per-agent
 * cache; cursors walk the items across blocks, applying the agent's holds
 * (test overrides of the timeline, see sim_hold_add).  All functions are
 * thread-safe.
 *
 * With churn (sim_tenant_churn) an agent's timeline exists only over its
 * employment [hired, left), whole sessions: readers keep inside it.
 */
#ifndef SIM_TENANT_H
#define SIM_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cx_time.h"

/* CXone's agentStateId values; their agentStateName strings are
 * sim_state_names.  A copy of the library's table (src/cx_record.h), kept on
 * purpose as an independent check: the simulator writes the JSON the plugin
 * parses, so sharing one table would let a wrong id or name pass in both. */
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

/* Longest team or reason name (bytes), --team-names and --reason-names. */
#define SIM_NAME_MAX 127

struct sim_reason {
  int id;
  char name[SIM_NAME_MAX + 1];
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
/* Renamed by sim_tenant_init only; read-only afterwards. */
extern struct sim_reason sim_reasons[SIM_NREASONS];

struct sim_skill {
  int id;
  const char *name;
  bool outbound;
};
#define SIM_NSKILLS 5
extern const struct sim_skill sim_skills[SIM_NSKILLS];
/* Skills 0 .. SIM_SKILLS_INBOUND - 1 are inbound: an agent of team k takes
 * the inbound contacts of skill k % SIM_SKILLS_INBOUND; every agent makes
 * the outbound contacts of SIM_SKILL_OUTBOUND and the Dialer ones of
 * SIM_SKILL_DIALER. */
#define SIM_SKILLS_INBOUND 3
#define SIM_SKILL_OUTBOUND 3
#define SIM_SKILL_DIALER 4

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
  /* Employment (see sim_tenant_churn): the agent's timeline exists over
   * [hired, left).  hired is the start of its first shift, or SIM_ALWAYS for
   * the agents of the initial roster; left is the end of its last session
   * (the instant its next shift would have begun), or SIM_NEVER. */
  cx_ms_t hired;
  cx_ms_t left;
  int64_t first_day; /* session of the first shift (INT64_MIN: always) */
  int64_t end_day;   /* first session it no longer works (INT64_MAX) */
};

#define SIM_ALWAYS INT64_MIN
#define SIM_NEVER INT64_MAX

/* Whether the agent is employed at instant t: listed by agents/states and
 * agents, counted by /sim/truth. */
static inline bool sim_agent_active(const struct sim_agent *a, cx_ms_t t) {
  return a->hired <= t && t < a->left;
}

struct sim_team {
  int id;
  char name[SIM_NAME_MAX + 1];
};

/* team_names and reason_names (NULL for the built-in ones) are
 * comma-separated lists naming teams 1, 2, ... and the unavailable codes
 * in sim_reasons order; names left out keep their built-in ones.  Returns
 * 0, ENOMEM, or EINVAL (after a message on stderr) for a list with more
 * names than teams or codes, an empty name, one longer than SIM_NAME_MAX,
 * or two names of one kind equal ignoring case. */
int sim_tenant_init(uint64_t seed, int agents, int teams, double scale,
                    const char *team_names, const char *reason_names);
void sim_tenant_free(void);

/* Hires and leavers (call after sim_tenant_init, before any reader).
 * Churn days are the tenant days (of length 86400 s x scale, counted from
 * the Unix epoch) D0, D0 + 1, ..., D0 + days - 1, D0 being the day that
 * holds `start`.  On churn day D0 + k, `hires` new agents are hired (ids
 * after every earlier agent, teams round-robin as for the initial roster):
 * their first shift is the one of day D0 + k + 1.  And `leavers` agents
 * leave (fewer when fewer qualify): picked with the seed among the agents
 * employed that day who have already worked an earlier day's shift, they
 * work their shift of day D0 + k, stay LoggedOut after it, and are gone
 * when their next shift would have begun.  Returns 0, ENOMEM, or EINVAL
 * when the tenant would exceed 1000000 agents. */
int sim_tenant_churn(int hires, int leavers, cx_ms_t start, int days);
/* The churn as set (zeros without churn). */
struct sim_churn_info {
  int hires, leavers, days;
  cx_ms_t start;     /* as given */
  cx_ms_t first_day; /* wall-clock start of churn day D0 */
  cx_ms_t day_len;   /* ms */
};
void sim_tenant_churn_info(struct sim_churn_info *out);

/* Every agent the tenant ever has (the initial roster, then the hires in
 * order): callers check sim_agent_active or the span [hired, left). */
int sim_agent_count(void);
/* The tenant's seed, time scale and (scaled) day length in ms. */
uint64_t sim_tenant_seed(void);
double sim_tenant_scale(void);
cx_ms_t sim_tenant_day_len(void);
const struct sim_agent *sim_agent_get(int idx);
int sim_agent_index(long agent_id); /* -1 when unknown */
int sim_team_count(void);
const struct sim_team *sim_team_get(int idx);
/* Renames team idx (before the server starts); name is cut to fit. */
void sim_team_set_name(int idx, const char *name);

/* Holds: an agent's true timeline overridden by one item over [from,
 * until).  The generated item containing `from` is cut at `from`, the hold
 * item covers [from, until), and the generated item containing `until`
 * resumes at `until`.  An agent's holds never overlap.  Cursors apply them,
 * so every reader of the timeline sees the same overridden timeline; a
 * cursor works on the holds as they were when sim_cursor_at placed it. */

/* Adds a hold (from < until; reason -1 or, with SIM_UNAVAILABLE, an index
 * into sim_reasons).  Returns 0, -1 when it overlaps a hold of the agent, or
 * -2 when [from, until) is not within the agent's [hired, left). */
int sim_hold_add(int agent, cx_ms_t from, cx_ms_t until, int state, int reason);
/* Removes the agent's holds; returns how many there were. */
size_t sim_hold_clear(int agent);
/* Changes whenever a hold is added or cleared (timelines change). */
uint64_t sim_holds_generation(void);

/* A set of holds: immutable, reference-counted (guarded by the tenant's
 * lock), sorted by start; items are hold items. */
struct sim_holds {
  int refs;
  size_t n;
  struct sim_item v[];
};

/* A position on one agent's (held) timeline; holds references to its block
 * and to the agent's holds. */
struct sim_cursor {
  int agent;
  struct sim_block *blk;   /* the session of the generated item i */
  size_t i;                /* the generated item containing item.start */
  struct sim_holds *holds; /* NULL when the agent had none */
  size_t h;                /* the current hold when held, else the next one */
  bool held;               /* item is a hold item */
  int index;               /* stateIndex of item */
  struct sim_item item;    /* the item at this position */
};

/* Positions c on the agent's item that contains instant t, which must be
 * within [hired, left) (the generator would make up sessions outside). */
void sim_cursor_at(struct sim_cursor *c, int agent, cx_ms_t t);
/* Moves to the next item (always exists, but past `left` it is made up:
 * walkers stop at an item starting at or after `left`). */
void sim_cursor_next(struct sim_cursor *c);
void sim_cursor_release(struct sim_cursor *c);

/* The item: a generated item, the piece of one left around holds, or a hold
 * item.  Items are contiguous and never overlap. */
static inline const struct sim_item *
sim_cursor_item(const struct sim_cursor *c) {
  return &c->item;
}

/* stateIndex: the 1-based position of the item within its session.  A
 * hold item belongs to the session of the generated item containing its
 * start, a piece to its generated item's.  The first piece of a generated
 * item keeps the item's index; a hold item and a piece resumed after a hold
 * get indexes after the session's own items, so (session, stateIndex) stays
 * unique but follows time order only outside holds. */
static inline int sim_cursor_index(const struct sim_cursor *c) {
  return c->index;
}

static inline bool sim_cursor_held(const struct sim_cursor *c) {
  return c->held;
}

#endif /* SIM_TENANT_H */
