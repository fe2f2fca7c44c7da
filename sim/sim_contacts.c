/*
 * sim_contacts.c: the contact model (see sim_contacts.h).
 *
 * Waits and abandons are hashes of the contact id (and the seed), shaped by
 * the daily curve at the answer instant, so they need no state: the same
 * contact gets the same wait whoever asks.  Tenant durations below are
 * virtual (unscaled) ms, scaled at the end.
 */
#include "sim.h"
#include "sim_contacts.h"

#include <math.h>

#define SEC_MS 1000LL
#define MAX_WAIT_MS (120 * SEC_MS)    /* answered: 0 .. 2 min */
#define MAX_LEAD_MS (60 * SEC_MS)     /* abandon before its twin's answer */
#define MIN_ABANDON_MS (5 * SEC_MS)   /* abandoned after 5 s .. 3 min */
#define MAX_ABANDON_MS (180 * SEC_MS)

/* serviceLevelThreshold per skill (tenant seconds); the goal is 80 %. */
static const int sl_threshold[SIM_NSKILLS] = {20, 20, 30, 20, 20};

bool sim_skill_held(const struct sim_agent *ag, int skill) {
  return sim_skills[skill].outbound || skill == ag->team % SIM_SKILLS_INBOUND;
}

int sim_skill_sl_threshold(int skill) { return sl_threshold[skill]; }
int sim_skill_sl_goal(int skill) {
  (void)skill;
  return 80;
}

static cx_ms_t scaled(double virtual_ms) {
  return (cx_ms_t)llround(virtual_ms * sim_tenant_scale());
}

bool sim_skill_within_sla(int skill, cx_ms_t wait) {
  return wait <= scaled(sl_threshold[skill] * (double)SEC_MS);
}

cx_ms_t sim_day_start(cx_ms_t t) {
  cx_ms_t len = sim_tenant_day_len();
  return (t / len - (t % len < 0)) * len;
}

double sim_load(cx_ms_t t) {
  double tod = (double)(t - sim_day_start(t)) / (double)sim_tenant_day_len();
  return 0.5 - 0.5 * cos(2 * M_PI * (tod - 4.0 / 24.0));
}

static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Uniform in [0, 1), from the contact id, the seed and a salt. */
static double unit(int64_t id, uint64_t salt) {
  uint64_t h = mix64(sim_tenant_seed() ^ mix64((uint64_t)id ^ mix64(salt)));
  return (double)(h >> 11) * 0x1.0p-53;
}

cx_ms_t sim_contact_wait(int64_t id, cx_ms_t answer) {
  /* Up to 10 s in the quietest hour, 2 min in the busiest; u^4 makes most
   * waits short and a tail long. */
  double load = sim_load(answer), u = unit(id, 1);
  double top = 10 * SEC_MS + (MAX_WAIT_MS - 10 * SEC_MS) * load;
  return scaled(top * u * u * u * u);
}

bool sim_contact_abandoned(int64_t id, cx_ms_t answer, cx_ms_t *arrival,
                           cx_ms_t *abandon) {
  int pct = sim_cfg.abandon_percent;
  if (pct <= 0)
    return false;
  /* A twin for a/(100-a) of the answered contacts on average makes about
   * a % of all abandoned; more in busy hours, fewer in quiet ones. */
  double p = pct / (100.0 - pct) * (0.5 + sim_load(answer));
  if (unit(id, 2) >= p)
    return false;
  double v = unit(id, 4);
  cx_ms_t lead = scaled(MAX_LEAD_MS * unit(id, 3)),
          wait = scaled(MIN_ABANDON_MS +
                        (MAX_ABANDON_MS - MIN_ABANDON_MS) * v * v);
  *abandon = answer - lead;
  *arrival = *abandon - (wait > 0 ? wait : 1);
  return true;
}

cx_ms_t sim_contact_lookahead(void) {
  cx_ms_t a = scaled(MAX_WAIT_MS), b = scaled(MAX_LEAD_MS + MAX_ABANDON_MS);
  return (a > b ? a : b) + 1;
}

cx_ms_t sim_contact_lead(void) { return scaled(MAX_LEAD_MS) + 1; }

static bool is_acw(const struct sim_item *it) {
  return it->state == SIM_UNAVAILABLE && it->reason >= 0 &&
         sim_reasons[it->reason].acw;
}

/* The answered contact p is complete: its twin too when it has one. */
static void emit(struct sim_contact *p, sim_contact_fn *fn, void *arg) {
  fn(p, arg);
  struct sim_contact ab = {.skill = p->skill, .id = p->id, .abandoned = true};
  if (!sim_skills[p->skill].outbound &&
      sim_contact_abandoned(p->id, p->end, &ab.arrival, &ab.end))
    fn(&ab, arg);
}

void sim_contacts_scan(int agent, cx_ms_t from, cx_ms_t to, sim_contact_fn *fn,
                       void *arg) {
  const struct sim_agent *ag = sim_agent_get(agent);
  if (from < ag->hired)
    from = ag->hired;
  if (to > ag->left)
    to = ag->left;
  if (from >= to)
    return;
  /* From the item before `from`, for the contact id a run starts after. */
  struct sim_cursor c;
  sim_cursor_at(&c, agent, from > ag->hired ? from - 1 : from);
  int64_t prev = 0;
  bool open = false;
  struct sim_contact p = {0};
  for (;; sim_cursor_next(&c)) {
    const struct sim_item *it = sim_cursor_item(&c);
    if (it->start >= ag->left)
      break;
    cx_ms_t dur = it->end - it->start;
    if (open && it->contact_id == p.id) {
      p.talk += dur;
      continue;
    }
    if (open) {
      p.wrap = is_acw(it) ? dur : 0;
      emit(&p, fn, arg);
      open = false;
    }
    if (it->start >= to)
      break;
    if (it->contact_id != 0 && it->contact_id != prev && it->skill >= 0 &&
        it->start >= from) {
      open = true;
      p = (struct sim_contact){.skill = it->skill,
                               .id = it->contact_id,
                               .end = it->start,
                               .arrival = it->start,
                               .talk = dur};
      if (!sim_skills[it->skill].outbound)
        p.arrival -= sim_contact_wait(it->contact_id, it->start);
    }
    prev = it->contact_id;
  }
  if (open)
    emit(&p, fn, arg);
  sim_cursor_release(&c);
}
