/*
 * sim_contacts.h: the contacts of the simulated tenant, derived from the
 * agents' timelines (which stay as sim_tenant.c generates them): skill
 * assignments, the waits of answered inbound contacts, the abandoned ones,
 * and a scan of one agent's contacts.  A pure function of the seed, the
 * options and the (held) timelines, like everything else.
 *
 * - A contact is a run of items of one agent with one contact id (a contact
 *   state, with a consult inside it sometimes): it is answered (made, for
 *   an outbound skill) at the run's start, its talk is the run's length and
 *   its wrap the After Call Work item that follows it (0 when none does).
 *   A run starts at an item whose contact id is not the previous item's.
 * - An inbound contact waited in the queue before it was answered: its
 *   arrival is answer - sim_contact_wait(); outbound contacts never queue.
 * - Some answered inbound contacts have an abandoned twin on the same skill
 *   (sim_contact_abandoned): a caller who arrived, waited and hung up just
 *   before the answered one was taken; no agent.
 * All waits are tenant durations scaled by --time-scale (wall-clock ms).
 */
#ifndef SIM_CONTACTS_H
#define SIM_CONTACTS_H

#include <stdbool.h>

#include "sim_tenant.h"

/* Whether the agent holds the skill (its team's inbound skill and both
 * outbound ones). */
bool sim_skill_held(const struct sim_agent *ag, int skill);
/* serviceLevelThreshold (tenant seconds) and serviceLevelGoal (percent). */
int sim_skill_sl_threshold(int skill);
int sim_skill_sl_goal(int skill);
/* Whether a wait (wall ms) of a contact of the skill is within the
 * threshold (the threshold scaled like every duration). */
bool sim_skill_within_sla(int skill, cx_ms_t wait);

/* The tenant day holding t: [day start, day start + day length). */
cx_ms_t sim_day_start(cx_ms_t t);
/* The daily curve: 0 at 04:00 of the tenant day, 1 at 16:00. */
double sim_load(cx_ms_t t);

/* The wait (wall ms, >= 0) of the inbound contact `id` answered at
 * `answer`. */
cx_ms_t sim_contact_wait(int64_t id, cx_ms_t answer);
/* Whether the inbound contact `id` answered at `answer` has an abandoned
 * twin; then its arrival and abandon instants (arrival < abandon <=
 * answer). */
bool sim_contact_abandoned(int64_t id, cx_ms_t answer, cx_ms_t *arrival,
                           cx_ms_t *abandon);
/* Bounds (wall ms): every contact queued at t is answered or abandoned in
 * (t, t + sim_contact_lookahead()]; an abandon comes at most
 * sim_contact_lead() before its twin's answer. */
cx_ms_t sim_contact_lookahead(void);
cx_ms_t sim_contact_lead(void);

struct sim_contact {
  int skill; /* index into sim_skills */
  int64_t id;
  bool abandoned;
  cx_ms_t arrival;
  cx_ms_t end;  /* when its queueing ended: answered or abandoned */
  cx_ms_t talk; /* answered only */
  cx_ms_t wrap;
};

typedef void sim_contact_fn(const struct sim_contact *c, void *arg);

/* Calls fn for every contact of the agent answered in [from, to) (within
 * its employment), and for each one's abandoned twin right after it. */
void sim_contacts_scan(int agent, cx_ms_t from, cx_ms_t to, sim_contact_fn *fn,
                       void *arg);

#endif /* SIM_CONTACTS_H */
