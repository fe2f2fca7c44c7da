/*
 * sim_skills.h: the skill endpoints (below /inContactAPI/services/vNN.0/):
 * skills/activity, skills/summary (all skills or one, r->id the skill id)
 * and agents/skills.  The route table checks the bearer token and Accept
 * before calling them.
 */
#ifndef SIM_SKILLS_H
#define SIM_SKILLS_H

#include "sim_req.h"

void sim_skills_activity(struct sim_req *r);     /* skills/activity */
void sim_skill_activity(struct sim_req *r);      /* skills/{id}/activity */
void sim_skills_summary(struct sim_req *r);      /* skills/summary */
void sim_skill_summary(struct sim_req *r);       /* skills/{id}/summary */
void sim_skills_assignments(struct sim_req *r);  /* agents/skills */

#endif /* SIM_SKILLS_H */
