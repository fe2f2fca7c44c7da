/*
 * sim_handlers.h: the endpoint handlers sim_http.c routes to.
 */
#ifndef SIM_HANDLERS_H
#define SIM_HANDLERS_H

#include "sim_http.h"

/* sim_auth.c: discovery documents, the token endpoint, bearer tokens. */
void sim_auth_openid(struct sim_req *r);
void sim_auth_cxone_config(struct sim_req *r);
void sim_auth_token(struct sim_req *r);
/* 0 when the request carries a valid bearer token; else replies 401. */
int sim_auth_check(struct sim_req *r);
/* Revokes the request's bearer token, or every token when r is NULL. */
void sim_auth_revoke(struct sim_req *r);
long sim_auth_tokens_issued(void);
/* GET /sim/tokens: every token issued so far. */
void sim_auth_tokens_handle(struct sim_req *r);
void sim_auth_free(void);

/* sim_api.c: the inContactAPI endpoints below /inContactAPI/services/vNN.0/. */
enum sim_api_route {
  SIM_API_NONE,
  SIM_API_STATES,        /* agents/states */
  SIM_API_AGENT_STATES,  /* agents/{id}/states */
  SIM_API_HISTORY,       /* agents/state-history */
  SIM_API_AGENT_HISTORY, /* agents/{id}/state-history */
  SIM_API_AGENTS,        /* agents */
  SIM_API_TEAMS,         /* teams */
  SIM_API_CODES          /* unavailable-codes */
};
/* The route of a request path, SIM_API_NONE when it is not an API path
 * (*is_api false) or names no endpoint (*is_api true).  Sets *agent_id for
 * the per-agent routes. */
enum sim_api_route sim_api_route(const char *path, bool *is_api,
                                 long *agent_id);
void sim_api_handle(struct sim_req *r, enum sim_api_route route, long agent_id);

/* sim_truth.c: ground truth, the raw timeline, holds. */
void sim_truth_handle(struct sim_req *r);
void sim_timeline_handle(struct sim_req *r);
void sim_hold_handle(struct sim_req *r);
/* GET /sim/roster: every agent the tenant ever has, hired and left. */
void sim_roster_handle(struct sim_req *r);

#endif /* SIM_HANDLERS_H */
