/*
 * sim_truth.h: the observation and override endpoints under /sim/: ground
 * truth, one agent's raw timeline, holds, the roster.
 */
#ifndef SIM_TRUTH_H
#define SIM_TRUTH_H

#include "sim_req.h"

void sim_truth_handle(struct sim_req *r);    /* GET /sim/truth */
void sim_timeline_handle(struct sim_req *r); /* GET /sim/timeline */
void sim_hold_handle(struct sim_req *r);     /* GET|POST /sim/hold */
/* GET /sim/roster: every agent the tenant ever has, hired and left. */
void sim_roster_handle(struct sim_req *r);

#endif /* SIM_TRUTH_H */
