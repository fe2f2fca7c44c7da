/*
 * sim_fault.h: injected faults, armed by /sim/fault and worn by the routes
 * the table marks faultable (sim_routes.c wraps their dispatch in them).
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <stdbool.h>

#include "sim_req.h"

/* The fault one request gets: kind 0 is none. */
struct sim_fault {
  int kind;
  long delay_ms;
};

/* Takes one of the armed fault's count when r's path is one it applies to
 * (every path, or those containing the armed substring), and waits out the
 * delay of a slow fault; kind 0 when no fault applies. */
struct sim_fault sim_fault_take(const struct sim_req *r);
/* Answers r as the fault does, instead of the route (401, 403, 429, 500,
 * 503, malformed): true; false for the faults that do not.  api: r is an
 * API call (a 401 revokes its token) rather than a token request (a 401 is
 * invalid_client). */
bool sim_fault_answer(struct sim_req *r, struct sim_fault f, bool api);
/* Changes the route's answer as the fault does (truncated, huge). */
void sim_fault_alter(struct sim_req *r, struct sim_fault f);

/* GET|POST /sim/fault: arms (or with kind=clear, disarms) a fault. */
void sim_fault_handle(struct sim_req *r);

#endif /* SIM_FAULT_H */
