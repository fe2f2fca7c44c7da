/*
 * cx_labels.h: the name parts of one cycle's identifiers, free of
 * collectd: a sanitised, unique label per agent (by AgentLabel), per team
 * and per Unavailable reason of a snapshot (rules in cx_names.h).  The
 * emitter puts them into plugin instances and type instances; tests and
 * fuzzers check them.
 */
#ifndef CX_LABELS_H
#define CX_LABELS_H

#include "cx_names.h"
#include "cx_snapshot.h"

#include <stdbool.h>

enum cx_agent_label { CX_LABEL_ID = 0, CX_LABEL_NAME, CX_LABEL_USERNAME };

/* agents[i] names snap->agents[i] (none when per_agent is false),
 * teams[t] snap->teams[t], reasons[r - 1] reason id r. */
struct cx_labels {
  struct cx_label *agents, *teams, *reasons;
};

/* Fills l for snap.  Agent and team ids are distinct (the ledger and the
 * roster are keyed by them), reason names too (the ledger interns them).
 * CX_OK, or CX_ERR_NOMEM (l is then empty). */
enum cx_status cx_labels_build(struct cx_labels *l,
                               const struct cx_snapshot *snap, bool per_agent,
                               enum cx_agent_label label);
void cx_labels_free(struct cx_labels *l);

#endif /* CX_LABELS_H */
