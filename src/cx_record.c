/*
 * cx_record.c: agent state ids <-> names, and record cleanup (cx_record.h).
 *
 * The id table is CXone's agentStateId enumeration (doc/cxone-api.md §5).
 */
#include "cx_record.h"

#include <stdlib.h>
#include <strings.h>

static const char *const state_names[CX_STATE_COUNT] = {
    [CX_STATE_LOGGED_OUT] = "LoggedOut",
    [CX_STATE_AVAILABLE] = "Available",
    [CX_STATE_UNAVAILABLE] = "Unavailable",
    [CX_STATE_INBOUND_CONTACT] = "InboundContact",
    [CX_STATE_OUTBOUND_CONTACT] = "OutboundContact",
    [CX_STATE_INBOUND_CONSULT] = "InboundConsult",
    [CX_STATE_OUTBOUND_CONSULT] = "OutboundConsult",
    [CX_STATE_DIALER] = "Dialer",
    [CX_STATE_LOGGED_IN] = "LoggedIn",
};

const char *cx_state_name(int state_id) {
  if (state_id < 0 || state_id >= CX_STATE_COUNT)
    return NULL;
  return state_names[state_id];
}

int cx_state_from_name(const char *name) {
  if (name == NULL)
    return -1;
  for (int i = 0; i < CX_STATE_COUNT; i++)
    if (strcasecmp(name, state_names[i]) == 0)
      return i;
  return -1;
}

void cx_agent_state_clear(struct cx_agent_state *s) {
  if (s == NULL)
    return;
  free(s->team_name);
  free(s->first_name);
  free(s->last_name);
  free(s->user_name);
  free(s->reason);
  s->team_name = s->first_name = s->last_name = s->user_name = s->reason = NULL;
}
