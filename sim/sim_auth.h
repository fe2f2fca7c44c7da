/*
 * sim_auth.h: the identity side of the simulated platform: the discovery
 * documents, the token endpoint and the store of the tokens it issued.
 */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include "sim_req.h"

/* Handlers: GET /.well-known/openid-configuration, GET
 * /.well-known/cxone-configuration, POST /auth/token, GET /sim/tokens
 * (every token issued so far), GET|POST /sim/revoke-tokens. */
void sim_auth_openid(struct sim_req *r);
void sim_auth_cxone_config(struct sim_req *r);
void sim_auth_token(struct sim_req *r);
void sim_auth_tokens_handle(struct sim_req *r);
void sim_auth_revoke_handle(struct sim_req *r);

/* 0 when the request carries a valid bearer token; else replies 401. */
int sim_auth_check(struct sim_req *r);
/* Revokes the request's bearer token (the 401 fault). */
void sim_auth_revoke(struct sim_req *r);
/* Tokens issued so far (/sim/stats). */
long sim_auth_tokens_issued(void);
void sim_auth_free(void);

#endif /* SIM_AUTH_H */
