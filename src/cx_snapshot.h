/*
 * cx_snapshot.h: what one cycle reports, per scope, free of collectd.
 *
 * A snapshot is built from the ledger (seconds per state in the window, the
 * current state) and the roster (each agent's team and names) at one instant.
 * Scopes: every agent that passes the filters, every team with at least one
 * such agent, and "all".  The emitter walks it; nothing in here knows about
 * value lists.
 */
#ifndef CX_SNAPSHOT_H
#define CX_SNAPSHOT_H

#include "cx_ledger.h"
#include "cx_record.h"
#include "cx_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Roster: what is known about each agent, indexed like the ledger. */
struct cx_agent_meta {
  int64_t team_id;   /* CX_ID_NONE when unknown */
  char *first_name;  /* NULL when unknown */
  char *last_name;
  char *user_name;
};

struct cx_team_meta {
  int64_t id;
  char *name;        /* NULL until a real-time record names it */
};

/* Filters (Team / Agent / Skill options); empty lists let everything
 * through.  Skill names filter the skill table (cx_skills), not agents. */
struct cx_filter {
  char **teams;      /* team names, compared case-insensitively */
  size_t nteams, teams_cap;
  char **skills;     /* skill names, compared case-insensitively */
  size_t nskills, skills_cap;
  int64_t *agents;
  size_t nagents, agents_cap;
};

/* Values of one scope.  Arrays of reasons are indexed by ledger reason id
 * (1..nreasons; [0] unused). */
struct cx_scope {
  cx_ms_t duration[CX_STATE_COUNT];
  cx_ms_t *reason_duration;
  cx_ms_t today[CX_STATE_COUNT];    /* since the local day began */
  cx_ms_t *reason_today;
  uint32_t count[CX_STATE_COUNT];   /* agents in the state now */
  uint32_t *reason_count;
};

struct cx_snapshot_agent {
  int64_t id;
  const struct cx_agent_meta *meta; /* NULL when nothing is known */
  long team;                        /* index in teams[], -1 when none */
  int state;                        /* current state, -1 when unknown */
  size_t reason;                    /* current reason id, 0 none */
  cx_ms_t since;                    /* start of the current state */
  struct cx_scope values;           /* count[] unused */
};

struct cx_snapshot_team {
  int64_t id;
  const char *name;                 /* team name, or its id as text */
  char id_text[24];
  struct cx_scope values;
};

/* What a snapshot sums besides the current states, and how. */
struct cx_snapshot_options {
  cx_ms_t window;    /* the rolling window's length, at most the ledger's */
  cx_ms_t day_start; /* where the local day began, or CX_SNAPSHOT_NO_DAY */
  char *const *acw_reasons; /* the Unavailable reasons that are after-call
                               work (real time's isACW) */
  size_t nacw;
};
#define CX_SNAPSHOT_NO_DAY INT64_MIN

struct cx_skills;

struct cx_snapshot {
  cx_ms_t time;
  const struct cx_skills *skills;   /* the poll's skill table, or NULL
                                       (cx_skills.h: its own walks) */
  bool skills_fresh;                /* this cycle's skills answer came:
                                       the emitter leaves them out else */
  bool has_today;                   /* today[] and reason_today are filled */
  bool *acw;                        /* [1..nreasons]: after-call work */
  size_t nreasons;
  const struct cx_ledger *ledger;   /* for reason names */
  struct cx_snapshot_agent *agents;
  size_t nagents;
  struct cx_snapshot_team *teams;
  size_t nteams;
  struct cx_scope all;
  /* private: allocation sizes for reuse across cycles */
  size_t agents_cap, teams_cap, acw_cap;
  cx_ms_t *reason_pool, *today_pool;
  uint32_t *count_pool;
  size_t reason_pool_cap, today_pool_cap, count_pool_cap;
};

/* Rebuilds snap (reusing its memory) at instant now, summing the spans
 * of `spans` (the window from the ledger's running sums when it is the
 * ledger's own, else from its items).  CX_OK or CX_ERR_NOMEM (snap is
 * then empty but valid). */
enum cx_status cx_snapshot_build(struct cx_snapshot *snap,
                                 const struct cx_ledger *ledger,
                                 const struct cx_agent_meta *meta, size_t nmeta,
                                 const struct cx_team_meta *teams,
                                 size_t nteams, const struct cx_filter *filter,
                                 const struct cx_snapshot_options *spans,
                                 cx_ms_t now);

void cx_snapshot_free(struct cx_snapshot *snap);

/* Name of reason id 1..nreasons. */
const char *cx_snapshot_reason_name(const struct cx_snapshot *snap, size_t id);

/* Occupancy and utilisation of a scope, in percent, over the window (or
 * the day so far): handle time / (handle time + Available time) and handle
 * time / logged-in time (every state but LoggedOut), handle time being the
 * contact states (InboundContact, OutboundContact, InboundConsult,
 * OutboundConsult, Dialer) and after-call work (Unavailable with an ACW
 * reason).  0 where the denominator is. */
void cx_snapshot_occupancy(const struct cx_snapshot *snap,
                           const struct cx_scope *scope, bool today,
                           double *occupancy, double *utilisation);

/* Walking a scope's figures.  These three decide which figures a scope
 * shows; the emitter and cxone-query both walk through them.  A figure is
 * a state (reason 0) or one of its Unavailable reasons (1..nreasons) and
 * its value; fn's non-zero return stops the walk and is returned (else 0). */
struct cx_figure {
  int state;
  size_t reason;
  int64_t value; /* milliseconds, or agents for counts */
};
typedef int (*cx_figure_fn)(void *ctx, const struct cx_figure *figure);

/* Window durations: every state, zeros included, then each reason with
 * time in the scope's window. */
int cx_snapshot_durations(const struct cx_snapshot *snap,
                          const struct cx_scope *scope, cx_figure_fn fn,
                          void *ctx);

/* The same since the local day began (snap->has_today): every state, then
 * each reason with time today. */
int cx_snapshot_today(const struct cx_snapshot *snap,
                      const struct cx_scope *scope, cx_figure_fn fn,
                      void *ctx);

/* Agents in each state now (team and "all" scopes): every state, then
 * each reason with time in the window or agents in it now. */
int cx_snapshot_counts(const struct cx_snapshot *snap,
                       const struct cx_scope *scope, cx_figure_fn fn,
                       void *ctx);

/* Time in the current state: every state (0 but for the agent's current
 * one), then each reason with time in the agent's window or that is its
 * current one. */
int cx_snapshot_current(const struct cx_snapshot *snap,
                        const struct cx_snapshot_agent *agent,
                        cx_figure_fn fn, void *ctx);

#endif /* CX_SNAPSHOT_H */
