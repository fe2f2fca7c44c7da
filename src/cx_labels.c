/*
 * cx_labels.c: one cycle's unique name parts (see cx_labels.h).  An agent's
 * label is its id, "<first> <last>" or its user name (AgentLabel), falling
 * back to the id when the roster lacks the name; teams are named by their
 * name (or id as text), reasons by their raw name.  All are sanitised, then
 * made unique per kind by cx_labels_make_unique: agents and teams suffixed
 * with their CXone id, reasons with a hash of the raw name, which is what
 * the ledger keys them by (a code renamed within the window is two reasons
 * under one outStateId, so that id would not tell them apart).
 */
#include "cx_labels.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const char *agent_label(const struct cx_snapshot_agent *a,
                               enum cx_agent_label label, char *buf,
                               size_t size) {
  const struct cx_agent_meta *m = a->meta;
  if (label == CX_LABEL_USERNAME && m != NULL && m->user_name != NULL)
    return m->user_name;
  if (label == CX_LABEL_NAME && m != NULL &&
      (m->first_name != NULL || m->last_name != NULL)) {
    snprintf(buf, size, "%s%s%s", m->first_name ? m->first_name : "",
              m->first_name && m->last_name ? " " : "",
              m->last_name ? m->last_name : "");
    return buf;
  }
  snprintf(buf, size, "%" PRId64, a->id);
  return buf;
}

void cx_labels_free(struct cx_labels *l) {
  free(l->agents);
  free(l->teams);
  free(l->reasons);
  *l = (struct cx_labels){0};
}

enum cx_status cx_labels_build(struct cx_labels *l,
                               const struct cx_snapshot *snap, bool per_agent,
                               enum cx_agent_label label) {
  size_t nagents = per_agent ? snap->nagents : 0;
  *l = (struct cx_labels){
      .agents = calloc(nagents ? nagents : 1, sizeof(*l->agents)),
      .teams = calloc(snap->nteams ? snap->nteams : 1, sizeof(*l->teams)),
      .reasons = calloc(snap->nreasons ? snap->nreasons : 1,
                        sizeof(*l->reasons))};
  const char **names = calloc(snap->nreasons ? snap->nreasons : 1,
                              sizeof(*names));
  enum cx_status rc = l->agents && l->teams && l->reasons && names
                          ? CX_OK
                          : CX_ERR_NOMEM;
  char buf[2 * CX_NAME_PART_MAX + 2];
  for (size_t i = 0; rc == CX_OK && i < nagents; i++) {
    const struct cx_snapshot_agent *a = &snap->agents[i];
    cx_name_sanitize(agent_label(a, label, buf, sizeof(buf)),
                     l->agents[i].text, sizeof(l->agents[i].text));
    l->agents[i].id = a->id;
  }
  for (size_t t = 0; rc == CX_OK && t < snap->nteams; t++) {
    cx_name_sanitize(snap->teams[t].name, l->teams[t].text,
                     sizeof(l->teams[t].text));
    l->teams[t].id = snap->teams[t].id;
  }
  for (size_t r = 0; rc == CX_OK && r < snap->nreasons; r++) {
    names[r] = cx_snapshot_reason_name(snap, r + 1);
    cx_name_sanitize(names[r], l->reasons[r].text, sizeof(l->reasons[r].text));
  }
  if (rc == CX_OK)
    rc = cx_labels_make_unique(l->agents, nagents, CX_TAG_DECIMAL);
  if (rc == CX_OK)
    rc = cx_labels_make_unique(l->teams, snap->nteams, CX_TAG_DECIMAL);
  if (rc == CX_OK)
    rc = cx_labels_hash_ids(l->reasons, names, snap->nreasons);
  if (rc == CX_OK)
    rc = cx_labels_make_unique(l->reasons, snap->nreasons, CX_TAG_HEX);
  free(names);
  if (rc != CX_OK)
    cx_labels_free(l);
  return rc;
}
