/*
 * cx_record.h: CXone agent state data as the library holds it.
 *
 * One struct per API record family, independent of JSON and of collectd.
 * State ids follow CXone's agentStateId (0 LoggedOut ... 8 LoggedIn).
 */
#ifndef CX_RECORD_H
#define CX_RECORD_H

#include "cx_time.h"

#include <stdbool.h>
#include <stdint.h>

enum cx_state {
  CX_STATE_LOGGED_OUT = 0,
  CX_STATE_AVAILABLE = 1,
  CX_STATE_UNAVAILABLE = 2,
  CX_STATE_INBOUND_CONTACT = 3,
  CX_STATE_OUTBOUND_CONTACT = 4,
  CX_STATE_INBOUND_CONSULT = 5,
  CX_STATE_OUTBOUND_CONSULT = 6,
  CX_STATE_DIALER = 7,
  CX_STATE_LOGGED_IN = 8,
};
#define CX_STATE_COUNT 9

/* "Available", ...; NULL for an id outside 0..8. */
const char *cx_state_name(int state_id);
/* Case-insensitive name -> id; -1 when unknown. */
int cx_state_from_name(const char *name);

#define CX_ID_NONE INT64_MIN

/* One agentStateHistory[] item. */
struct cx_history_record {
  int64_t agent_id;
  int64_t team_id;     /* teamId or teamNo; CX_ID_NONE when absent */
  int64_t session_id;  /* agentSessionId; CX_ID_NONE when absent */
  int64_t state_index; /* stateIndex; CX_ID_NONE when absent */
  int state_id;        /* 0..8 (from agentStateId, else agentStateName) */
  char *reason;        /* outStateDescription; NULL when null/empty;
                          owned by the page (struct cx_history_page) */
  cx_ms_t start;       /* startDate */
  cx_ms_t duration;    /* >= 0, or CX_DURATION_OPEN when null/absent */
};
#define CX_DURATION_OPEN ((cx_ms_t)-1)

/* One agentStates[] item (real-time). */
struct cx_agent_state {
  int64_t agent_id;
  int64_t team_id;      /* CX_ID_NONE when absent */
  char *team_name;      /* NULL when absent */
  char *first_name;     /* NULL when absent */
  char *last_name;      /* NULL when absent */
  char *user_name;      /* NULL when absent */
  int state_id;         /* 0..8 */
  char *reason;         /* outStateDescription; NULL when null/empty */
  bool is_acw;
  cx_ms_t start;        /* startDate: when the current state began */
};

void cx_agent_state_clear(struct cx_agent_state *s);

#endif /* CX_RECORD_H */
