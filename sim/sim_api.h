/*
 * sim_api.h: the inContactAPI endpoints (below
 * /inContactAPI/services/vNN.0/), one handler each; the per-agent ones read
 * the agent id from r->id.  The route table checks the bearer token and
 * Accept before calling them.
 */
#ifndef SIM_API_H
#define SIM_API_H

#include "sim_req.h"

void sim_api_states(struct sim_req *r);        /* agents/states */
void sim_api_agent_states(struct sim_req *r);  /* agents/{id}/states */
void sim_api_history(struct sim_req *r);       /* agents/state-history */
void sim_api_agent_history(struct sim_req *r); /* agents/{id}/state-history */
void sim_api_agents(struct sim_req *r);        /* agents */
void sim_api_teams(struct sim_req *r);         /* teams */
void sim_api_codes(struct sim_req *r);         /* unavailable-codes */

/* Shared with sim_skills.c.  skip and top (top defaults to, and is capped
 * at, the page size): 0, or -1 after answering 400. */
int sim_api_paging(struct sim_req *r, long *skip, long *top);
/* totalRecords, _links (self, next, previous), businessUnitId,
 * lastPollTime (r->now). */
struct json_object *sim_api_envelope(struct sim_req *r, long total, long skip,
                                     long top);

#endif /* SIM_API_H */
