/*
 * cx_roster.h: what one tenant's poller knows of its agents besides their
 * timelines: names and teams (read by the snapshot), and per agent what
 * real-time polling and history have shown (read by cx_poll's coverage and
 * per-agent history rules).  Indexed like the ledger, and kept so by
 * cx_roster_sync and cx_roster_evict.
 */
#ifndef CX_ROSTER_H
#define CX_ROSTER_H

#include "cx_api.h"
#include "cx_ledger.h"
#include "cx_record.h"
#include "cx_snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/* What polling has shown of one agent (cx_cursor.h's times). */
struct cx_agent_track {
  cx_ms_t first_live;  /* start of the first real-time state seen */
  cx_ms_t live_start;  /* start of the latest real-time state seen */
  cx_ms_t hist_end;    /* latest instant its history records reach */
  bool listed;         /* in the last full real-time snapshot */
  bool held_nothing;   /* the ledger held nothing of it at the last evict */
  cx_ms_t fetched;     /* per-agent history: read up to here */
  cx_ms_t final;       /* per-agent history: final up to here */
  bool fetching;       /* per-agent history: `task` is under way */
  cx_ms_t asked_for;   /* per-agent history: live_start the last task was
                          made for */
  cx_ms_t reach_from;  /* hist_end at the backfill's end */
  bool reached_back;   /* its history was read again from reach_from (see
                          cx_poll.c, "States open at the horizon") */
  struct cx_history_task task;
};

struct cx_roster {
  struct cx_agent_meta *meta;   /* [n]: names and team, for the snapshot */
  struct cx_agent_track *track; /* [n] */
  size_t n, meta_cap, track_cap;
  struct cx_team_meta *teams;   /* [nteams]: every team an agent names */
  size_t nteams, teams_cap;
  char **acw_reasons;           /* [nacw]: reasons real time flagged isACW */
  size_t nacw, acw_cap;
};

/* Grows the roster to the ledger's agents (new ones know nothing yet).
 * CX_OK or CX_ERR_NOMEM. */
enum cx_status cx_roster_sync(struct cx_roster *roster,
                              const struct cx_ledger *ledger);

/* Records that team `id` exists, named `name` when not NULL.  CX_OK or
 * CX_ERR_NOMEM. */
enum cx_status cx_roster_note_team(struct cx_roster *roster, int64_t id,
                                   const char *name);

/* Records agent `index`'s real-time state s: its names, its team, when
 * its state began, and whether its reason is after-call work.  CX_OK or
 * CX_ERR_NOMEM. */
enum cx_status cx_roster_note_live(struct cx_roster *roster, size_t index,
                                   const struct cx_agent_state *s);

/* Records that reason `name` is after-call work.  CX_OK or CX_ERR_NOMEM. */
enum cx_status cx_roster_note_acw(struct cx_roster *roster, const char *name);

/* Records the team a history record names, for an agent whose team
 * real-time polling has not told.  CX_OK or CX_ERR_NOMEM. */
enum cx_status cx_roster_note_history_team(struct cx_roster *roster,
                                           size_t index, int64_t team_id);

/* Forgets the agents the ledger has held nothing of since the previous
 * call (so their values were all 0 for a cycle), with the reasons and
 * teams nothing names any more (cx_ledger_evict).  Returns how many agents
 * were forgotten. */
size_t cx_roster_evict(struct cx_roster *roster, struct cx_ledger *ledger);

void cx_roster_free(struct cx_roster *roster);

#endif /* CX_ROSTER_H */
