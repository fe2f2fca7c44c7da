/*
 * cx_ledger.h: per-agent state timelines and exact seconds per state inside
 * a rolling window [now - window, now].
 *
 * Observations arrive from two sources in any order, with repeats:
 *   - state history (authoritative: closed records, sometimes an open or
 *     partial record for the current state);
 *   - real-time agent states (the current state and when it began; a state
 *     change seen between two polls closes the previous one).
 * Each observation is an item (state, reason, start, end) with end possibly
 * CX_MS_INFINITY ("still open").  See cx_ledger.c for the merge rules.
 */
#ifndef CX_LEDGER_H
#define CX_LEDGER_H

#include "cx_error.h"
#include "cx_record.h"
#include "cx_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where an observation came from; on equal start times the higher wins. */
enum cx_source { CX_SOURCE_LIVE = 0, CX_SOURCE_HISTORY = 1 };

struct cx_ledger;

/* NULL when window <= 0 or on ENOMEM. */
struct cx_ledger *cx_ledger_create(cx_ms_t window);
void cx_ledger_destroy(struct cx_ledger *ledger);

/* Records that agent_id was in state_id (with reason, NULL for none) from
 * start until end (CX_MS_INFINITY when still open).  CX_OK (also for an
 * observation wholly before the window, which leaves no trace),
 * CX_ERR_INVALID for a bad state or end < start, CX_ERR_NOMEM. */
enum cx_status cx_ledger_add(struct cx_ledger *ledger, int64_t agent_id,
                             int state_id, const char *reason, cx_ms_t start,
                             cx_ms_t end, enum cx_source source);

/* Drops what lies entirely before now - window.  A now earlier than a
 * previous one changes nothing (the window never moves back). */
void cx_ledger_advance(struct cx_ledger *ledger, cx_ms_t now);

/* Interned Unavailable reasons: ids 1..count; 0 means "no reason". */
size_t cx_ledger_reason_count(const struct cx_ledger *ledger);
const char *cx_ledger_reason_name(const struct cx_ledger *ledger, size_t id);

/* Agents, in order of first appearance: index 0..count-1. */
size_t cx_ledger_agent_count(const struct cx_ledger *ledger);
int64_t cx_ledger_agent_id(const struct cx_ledger *ledger, size_t index);
/* Index of agent_id, or -1. */
long cx_ledger_agent_index(const struct cx_ledger *ledger, int64_t agent_id);

/* Milliseconds agent `index` spent in each state inside [now - window, now]:
 * base[CX_STATE_COUNT], and reasons[reason_count + 1] (index = reason id;
 * [0] unused) when reasons is not NULL.  Arrays are overwritten. */
void cx_ledger_durations(const struct cx_ledger *ledger, size_t index,
                         cx_ms_t now, cx_ms_t *base, cx_ms_t *reasons);

/* The agent's state at now: CX_OK with the out parameters filled, or
 * CX_ERR_NOT_FOUND when no observation covers now. */
enum cx_status cx_ledger_current(const struct cx_ledger *ledger, size_t index,
                                 cx_ms_t now, int *state_id, size_t *reason_id, cx_ms_t *since);

/* The agent's earliest retained item: CX_OK with its state and start, or
 * CX_ERR_NOT_FOUND when it holds none. */
enum cx_status cx_ledger_first(const struct cx_ledger *ledger, size_t index, int *state_id,
                    cx_ms_t *start);

/* Calls fn for each of agent `index`'s effective spans (see cx_ledger.c:
 * an item lasts until its own end or the next item's start) that overlap
 * [from, to), in time order, clipped to [from, to): state, reason id (0
 * none; see cx_ledger_reason_name) and the clipped start and end.  Their
 * per-state sums over [now - window, now) equal cx_ledger_durations at now.
 * Stops early, returning fn's value, when fn returns non-zero; else 0. */
typedef int (*cx_ledger_span_fn)(void *ctx, int state_id, size_t reason_id,
                                 cx_ms_t start, cx_ms_t end);
int cx_ledger_foreach(const struct cx_ledger *ledger, size_t index,
                      cx_ms_t from, cx_ms_t to, cx_ledger_span_fn fn,
                      void *ctx);

/* Total items held, for health figures and benchmarks. */
size_t cx_ledger_item_count(const struct cx_ledger *ledger);

/* How many adds changed the ledger so far (a repeat changes nothing): the
 * caller tells new observations from re-read ones by its growth. */
uint64_t cx_ledger_changes(const struct cx_ledger *ledger);

/* Whether agent `index` has any item left in the window. */
bool cx_ledger_holds(const struct cx_ledger *ledger, size_t index);

/* Ends agent `index`'s item that begins at `start` (CX_LEDGER_ANY_START:
 * its last item, whatever its start) at `at` (not before its start) if it
 * ends later or is open: the state is over.  Nothing is known after it:
 * up to a later item the time counts as LoggedOut (a gap) until an
 * observation fills it; after the last item, nothing is counted (the agent
 * left). */
#define CX_LEDGER_ANY_START INT64_MIN
void cx_ledger_close(struct cx_ledger *ledger, size_t index, cx_ms_t start,
                     cx_ms_t at);

/* Forgets every agent marked[k] that holds no item (cx_ledger_advance
 * moved the window past all it had), and every reason no item named at
 * this call nor at the previous one; the others keep their order.
 * map[agent_count] receives each old index's new one, SIZE_MAX for the
 * forgotten.  Reason ids may change.  Returns how many agents were
 * forgotten. */
size_t cx_ledger_evict(struct cx_ledger *ledger, const bool *marked,
                       size_t *map);

/* For tests and fuzzers: verifies the ledger's internal invariants and
 * returns 0 when they hold, else the source line (> 0) of the first check
 * that failed.  Checked: the agent table (count within capacity, the hash
 * slots power-of-two sized, at most half full, and each agent found at its
 * own index, so ids are unique); the interned reasons (non-empty and
 * distinct); for every agent, head <= len <= cap, live items strictly
 * sorted by start (equal starts merge), start <= end, state ids in range,
 * reason ids within 1..reason count and only on Unavailable items, and the
 * running sums (per state and per reason) equal to a recomputation over the
 * effective spans of every live item but the last; the total item count.
 * Costs O(items x reasons). */
int cx_ledger_check(const struct cx_ledger *ledger);

#endif /* CX_LEDGER_H */
