/*
 * sim_routes.h: the simulator's one route table and its dispatch.
 */
#ifndef SIM_ROUTES_H
#define SIM_ROUTES_H

#include "sim_req.h"

/* Answers r (method, path, body and arrival set): finds its route, wraps
 * the route's dispatch in the fault armed for it (faultable routes), sets
 * r->now, and counts the answer in /sim/stats (all but the /sim/ routes). */
void sim_route(struct sim_req *r);

#endif /* SIM_ROUTES_H */
