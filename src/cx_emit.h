/*
 * cx_emit.h: snapshot -> collectd value lists (collectd 5 API).
 *
 * The only file that knows value_list_t.  Identifiers (README.md, "Metrics"):
 *   host / cxone-<scope> / <type>-<type_instance>
 *   scope: agent-<label>, team-<team>, skill-<skill>, all; api for plugin
 *   health.
 * A collectd 6 emitter would sit beside this file with the same entry point.
 */
#ifndef CX_EMIT_H
#define CX_EMIT_H

#include "cx_labels.h"
#include "cx_poll.h"
#include "cx_snapshot.h"

#include <stdbool.h>

struct cx_emit_options {
  const char *host;             /* tenant block name or Host */
  bool per_agent;               /* PerAgent */
  bool per_skill;               /* PerSkill */
  enum cx_agent_label label;    /* AgentLabel */
  double interval_seconds;      /* the read interval, for vl.interval */
};

/* Dispatches every series of one cycle with the snapshot's timestamp.
 * Returns the number of value lists the daemon refused. */
int cx_emit(const struct cx_emit_options *opt, const struct cx_snapshot *snap,
            const struct cx_health *health);

#endif /* CX_EMIT_H */
