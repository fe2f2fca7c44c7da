/*
 * sim_skills.c: the skill endpoints, rendered from the contact model
 * (sim_contacts.h) over the agents' timelines.
 *
 * skills/activity describes the instant it is answered at: the holders'
 * states from their cursors, the queue from a look-ahead of each agent's
 * timeline (every contact queued at t is answered or abandoned within
 * sim_contact_lookahead() of it), and the service level since the start of
 * the tenant day from an incremental count (kept per day, advanced from the
 * last instant asked, an earlier instant answered by subtracting; a new day
 * or a hold change starts it over).
 * The answers for the last few instants are kept, so updatedSince (which
 * compares a skill's figures at updatedSince with those now) usually costs
 * nothing more: a client passes the lastPollTime of its previous answer.
 */
#include "sim.h"
#include "sim_api.h"
#include "sim_contacts.h"
#include "sim_json.h"
#include "sim_skills.h"
#include "sim_tenant.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* lastUpdateTime of the initial roster's skill assignments. */
#define TENANT_EPOCH_MS 1577836800000LL /* 2020-01-01T00:00:00Z */
#define MEDIA_CALL 4

static void add(struct json_object *o, const char *key, struct json_object *v) {
  json_object_object_add(o, key, v);
}

static struct json_object *iso_duration(cx_ms_t ms) {
  char buf[48];
  if (cx_duration_format(ms < 0 ? 0 : ms, buf, sizeof buf) != 0)
    return NULL;
  return json_object_new_string(buf);
}

/* round(100 x num / den), `none` when den is 0. */
static int percent(long num, long den, int none) {
  return den > 0 ? (int)((200 * (int64_t)num + den) / (2 * (int64_t)den))
                 : none;
}

static int skill_by_id(long id) {
  for (int k = 0; k < SIM_NSKILLS; k++)
    if (sim_skills[k].id == id)
      return k;
  return -1;
}

/* isOutbound and mediaTypeId filters: 0 (then *out says whether skill k
 * passes), or -1 after answering 400. */
struct filter {
  int outbound; /* -1: any */
  bool none;    /* a media type with no skills */
};

static int parse_filter(struct sim_req *r, struct filter *f) {
  const char *o = sim_arg(r, "isOutbound"), *m = sim_arg(r, "mediaTypeId");
  long mt;
  f->outbound = -1;
  f->none = false;
  if (o != NULL) {
    if (strcasecmp(o, "true") == 0)
      f->outbound = 1;
    else if (strcasecmp(o, "false") == 0)
      f->outbound = 0;
    else {
      sim_reply_error(r, 400, "Invalid isOutbound");
      return -1;
    }
  }
  if (m != NULL) {
    if (sim_parse_long(m, 0, 1000000, &mt) != 0) {
      sim_reply_error(r, 400, "Invalid mediaTypeId");
      return -1;
    }
    f->none = mt != MEDIA_CALL;
  }
  return 0;
}

static bool passes(const struct filter *f, int k) {
  return !f->none &&
         (f->outbound < 0 || f->outbound == (int)sim_skills[k].outbound);
}

/* The skill of a per-skill endpoint (r->id), or -1 after a 404. */
static int path_skill(struct sim_req *r) {
  int k = skill_by_id(r->id);
  if (k < 0)
    sim_reply_error(r, 404, "Invalid Skill Id");
  return k;
}

/* --- Activity at an instant. --- */

struct act {
  long queue, active, avail, working, acw, unavail, logged_in;
  long in_sla, out_sla;
  cx_ms_t earliest; /* INT64_MAX: nobody waits */
};

static bool working_state(int st) {
  return st == SIM_INBOUND_CONTACT || st == SIM_OUTBOUND_CONTACT ||
         st == SIM_INBOUND_CONSULT || st == SIM_OUTBOUND_CONSULT ||
         st == SIM_DIALER;
}

#define ACT_CACHE 8

static struct {
  pthread_mutex_t lock;
  /* Service level since the start of day sl_day, up to sl_upto. */
  bool sl_valid;
  cx_ms_t sl_day, sl_upto;
  uint64_t sl_gen;
  long in[SIM_NSKILLS], out[SIM_NSKILLS];
  /* The last answers. */
  struct {
    bool used;
    cx_ms_t t;
    uint64_t gen, stamp;
    struct act s[SIM_NSKILLS];
  } c[ACT_CACHE];
  uint64_t clock;
} K = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct range_arg {
  cx_ms_t from, to; /* [from, to) */
  long *in, *out;
};

/* Inbound contacts whose queueing ended in the range: in or out of SLA. */
static void sl_count(const struct sim_contact *c, void *arg) {
  struct range_arg *a = arg;
  if (sim_skills[c->skill].outbound || c->end < a->from || c->end >= a->to)
    return;
  if (!c->abandoned && sim_skill_within_sla(c->skill, c->end - c->arrival))
    a->in[c->skill]++;
  else
    a->out[c->skill]++;
}

static void sl_at_locked(cx_ms_t t, uint64_t gen, struct act *s) {
  cx_ms_t day = sim_day_start(t);
  long back_in[SIM_NSKILLS] = {0}, back_out[SIM_NSKILLS] = {0};
  if (!K.sl_valid || K.sl_day != day || K.sl_gen != gen) {
    K.sl_valid = true;
    K.sl_day = K.sl_upto = day;
    K.sl_gen = gen;
    memset(K.in, 0, sizeof K.in);
    memset(K.out, 0, sizeof K.out);
  }
  if (t > K.sl_upto) {
    struct range_arg a = {K.sl_upto, t, K.in, K.out};
    for (int i = 0; i < sim_agent_count(); i++)
      sim_contacts_scan(i, K.sl_upto, t + sim_contact_lead(), sl_count, &a);
    K.sl_upto = t;
  } else if (t < K.sl_upto) {
    /* An earlier instant of the day (a request that was overtaken): the
     * count up to sl_upto minus the contacts of [t, sl_upto). */
    struct range_arg a = {t, K.sl_upto, back_in, back_out};
    for (int i = 0; i < sim_agent_count(); i++)
      sim_contacts_scan(i, t, K.sl_upto + sim_contact_lead(), sl_count, &a);
  }
  for (int k = 0; k < SIM_NSKILLS; k++) {
    s[k].in_sla = K.in[k] - back_in[k];
    s[k].out_sla = K.out[k] - back_out[k];
  }
}

struct queue_arg {
  cx_ms_t t;
  struct act *s;
};

static void queue_count(const struct sim_contact *c, void *arg) {
  struct queue_arg *a = arg;
  if (c->arrival <= a->t && a->t < c->end) {
    struct act *s = &a->s[c->skill];
    s->queue++;
    if (c->arrival < s->earliest)
      s->earliest = c->arrival;
  }
}

static void tally(struct act *s, int state, int reason) {
  if (state == SIM_LOGGED_OUT)
    return;
  s->logged_in++;
  if (state == SIM_AVAILABLE)
    s->avail++;
  else if (state == SIM_UNAVAILABLE && reason >= 0 && sim_reasons[reason].acw)
    s->acw++;
  else if (state == SIM_UNAVAILABLE)
    s->unavail++;
  else if (working_state(state))
    s->working++;
}

static void compute_locked(cx_ms_t t, uint64_t gen, struct act *s) {
  cx_ms_t ahead = sim_contact_lookahead();
  for (int k = 0; k < SIM_NSKILLS; k++)
    s[k] = (struct act){.earliest = INT64_MAX};
  struct queue_arg q = {t, s};
  for (int i = 0; i < sim_agent_count(); i++) {
    const struct sim_agent *ag = sim_agent_get(i);
    if (ag->hired > t + ahead || ag->left <= t)
      continue;
    if (sim_agent_active(ag, t)) {
      struct sim_cursor c;
      sim_cursor_at(&c, i, t);
      const struct sim_item *it = sim_cursor_item(&c);
      for (int k = 0; k < SIM_NSKILLS; k++)
        if (sim_skill_held(ag, k))
          tally(&s[k], it->state, it->reason);
      if (working_state(it->state) && it->skill >= 0)
        s[it->skill].active++;
      sim_cursor_release(&c);
    }
    /* Contacts answered (or twins abandoned) after t that had arrived. */
    sim_contacts_scan(i, t + 1, t + ahead + 1, queue_count, &q);
  }
  sl_at_locked(t, gen, s);
}

/* The figures of every skill at t (cached). */
static void activity_at(cx_ms_t t, struct act *out) {
  uint64_t gen = sim_holds_generation();
  pthread_mutex_lock(&K.lock);
  int slot = -1;
  for (int j = 0; j < ACT_CACHE; j++)
    if (K.c[j].used && K.c[j].t == t && K.c[j].gen == gen) {
      slot = j;
      break;
    }
  if (slot < 0) {
    slot = 0;
    for (int j = 1; j < ACT_CACHE; j++)
      if (!K.c[j].used || (K.c[slot].used && K.c[j].stamp < K.c[slot].stamp))
        slot = j;
    compute_locked(t, gen, K.c[slot].s);
    K.c[slot].used = true;
    K.c[slot].t = t;
    K.c[slot].gen = gen;
  }
  K.c[slot].stamp = ++K.clock;
  memcpy(out, K.c[slot].s, sizeof K.c[slot].s);
  pthread_mutex_unlock(&K.lock);
}

static bool same_activity(const struct act *a, const struct act *b) {
  return a->queue == b->queue && a->active == b->active &&
         a->avail == b->avail && a->working == b->working &&
         a->acw == b->acw && a->unavail == b->unavail &&
         a->logged_in == b->logged_in && a->in_sla == b->in_sla &&
         a->out_sla == b->out_sla && a->earliest == b->earliest;
}

static struct json_object *render_activity(int k, const struct act *a,
                                           cx_ms_t now, const char *fields) {
  const struct sim_skill *sk = &sim_skills[k];
  struct json_object *o = json_object_new_object(), *eq;
  if (a->earliest != INT64_MAX)
    eq = sim_json_time(a->earliest);
  else
    eq = sim_cfg.skill_queue_empty ? json_object_new_string("") : NULL;
  add(o, "serverTime", sim_json_time(now));
  add(o, "businessUnitId", json_object_new_int64(sim_cfg.bu_id));
  add(o, "skillId", json_object_new_int(sk->id));
  add(o, "skillName", json_object_new_string(sk->name));
  add(o, "campaignId", NULL);
  add(o, "campaignName", NULL);
  add(o, "mediaTypeId", json_object_new_int(MEDIA_CALL));
  add(o, "mediaTypeName", json_object_new_string("Call"));
  add(o, "isActive", json_object_new_boolean(1));
  add(o, "isOutbound", json_object_new_boolean(sk->outbound));
  add(o, "agentsACW", json_object_new_int64(a->acw));
  add(o, "agentsAvailable", json_object_new_int64(a->avail));
  add(o, "agentsIdle", json_object_new_int64(a->avail));
  add(o, "agentsLoggedIn", json_object_new_int64(a->logged_in));
  add(o, "agentsUnavailable", json_object_new_int64(a->unavail));
  add(o, "agentsWorking", json_object_new_int64(a->working));
  add(o, "contactsActive", json_object_new_int64(a->active));
  add(o, "earliestQueueTime", eq);
  add(o, "queueCount", json_object_new_int64(a->queue));
  add(o, "skillQueueCount", json_object_new_int64(a->queue));
  add(o, "personalQueueCount", json_object_new_int(0));
  add(o, "parkedCount", json_object_new_int(0));
  add(o, "serviceLevel",
      json_object_new_int(percent(a->in_sla, a->in_sla + a->out_sla, 100)));
  add(o, "serviceLevelGoal", json_object_new_int(sim_skill_sl_goal(k)));
  add(o, "serviceLevelThreshold",
      json_object_new_int(sim_skill_sl_threshold(k)));
  add(o, "inSLA", json_object_new_int64(a->in_sla));
  add(o, "outSLA", json_object_new_int64(a->out_sla));
  return sim_json_project(o, fields);
}

static void activity(struct sim_req *r, int only) {
  const char *us = sim_arg(r, "updatedSince"), *fields = sim_arg(r, "fields");
  cx_ms_t since = 0;
  long skip, top;
  struct filter f;
  if (us != NULL && sim_parse_time(us, false, &since) != 0) {
    sim_reply_error(r, 400, "Invalid updatedSince");
    return;
  }
  if (sim_api_paging(r, &skip, &top) != 0 || parse_filter(r, &f) != 0)
    return;
  struct act before[SIM_NSKILLS], now[SIM_NSKILLS];
  if (us != NULL) /* first: the service level count then moves forward */
    activity_at(since, before);
  activity_at(r->now, now);
  struct json_object *list = json_object_new_array();
  long total = 0;
  for (int k = 0; k < SIM_NSKILLS; k++) {
    if ((only >= 0 && k != only) || !passes(&f, k) ||
        (us != NULL && same_activity(&before[k], &now[k])))
      continue;
    if (total >= skip && total < skip + top)
      json_object_array_add(list, render_activity(k, &now[k], r->now, fields));
    total++;
  }
  if (us != NULL && total == 0 && sim_cfg.no_change != 200) {
    json_object_put(list);
    sim_reply_json(r, sim_cfg.no_change, NULL);
    return;
  }
  struct json_object *o = sim_api_envelope(r, total, skip, top);
  add(o, "skillActivity", list);
  sim_reply_json(r, 200, o);
}

void sim_skills_activity(struct sim_req *r) { activity(r, -1); }

void sim_skill_activity(struct sim_req *r) {
  int k = path_skill(r);
  if (k >= 0)
    activity(r, k);
}

/* --- Summary over a range. --- */

struct sum {
  long offered, queued, handled, abandoned, in, out;
  cx_ms_t wait_answered, wait_all, longest, talk, wrap;
};

struct sum_arg {
  cx_ms_t from, to;
  struct sum *s;
};

static void sum_count(const struct sim_contact *c, void *arg) {
  struct sum_arg *a = arg;
  if (c->end < a->from || c->end >= a->to)
    return;
  struct sum *s = &a->s[c->skill];
  bool inbound = !sim_skills[c->skill].outbound;
  cx_ms_t wait = c->end - c->arrival;
  s->offered++;
  s->queued += wait > 0;
  s->wait_all += wait;
  if (wait > s->longest)
    s->longest = wait;
  if (c->abandoned) {
    s->abandoned++;
    s->out++;
    return;
  }
  s->handled++;
  s->wait_answered += wait;
  s->talk += c->talk;
  s->wrap += c->wrap;
  if (inbound && sim_skill_within_sla(c->skill, wait))
    s->in++;
  else if (inbound)
    s->out++;
}

static cx_ms_t mean(cx_ms_t sum, long n) {
  return n > 0 ? (sum + n / 2) / n : 0;
}

static struct json_object *render_summary(int k, const struct sum *s,
                                          const char *fields) {
  const struct sim_skill *sk = &sim_skills[k];
  struct json_object *o = json_object_new_object();
  add(o, "businessUnitId", json_object_new_int64(sim_cfg.bu_id));
  add(o, "skillId", json_object_new_int(sk->id));
  add(o, "skillName", json_object_new_string(sk->name));
  add(o, "campaignId", NULL);
  add(o, "campaignName", NULL);
  add(o, "mediaTypeId", json_object_new_int(MEDIA_CALL));
  add(o, "mediaTypeName", json_object_new_string("Call"));
  add(o, "isOutbound", json_object_new_boolean(sk->outbound));
  add(o, "contactsOffered", json_object_new_int64(s->offered));
  add(o, "contactsQueued", json_object_new_int64(s->queued));
  add(o, "contactsHandled", json_object_new_int64(s->handled));
  add(o, "abandonCount", json_object_new_int64(s->abandoned));
  add(o, "abandonRate",
      json_object_new_int(percent(s->abandoned, s->offered, 0)));
  add(o, "averageSpeedToAnswer",
      iso_duration(mean(s->wait_answered, s->handled)));
  add(o, "averageHandleTime",
      iso_duration(mean(s->talk + s->wrap, s->handled)));
  add(o, "averageInqueueTime", iso_duration(mean(s->wait_all, s->offered)));
  add(o, "averageTalkTime", iso_duration(mean(s->talk, s->handled)));
  add(o, "averageWrapTime", iso_duration(mean(s->wrap, s->handled)));
  add(o, "longestQueueDur", iso_duration(s->longest));
  add(o, "holdTime", iso_duration(0));
  add(o, "totalContactTime", iso_duration(s->talk + s->wrap));
  add(o, "serviceLevel", json_object_new_int(percent(s->in, s->in + s->out, 100)));
  add(o, "serviceLevelGoal", json_object_new_int(sim_skill_sl_goal(k)));
  add(o, "serviceLevelThreshold",
      json_object_new_int(sim_skill_sl_threshold(k)));
  add(o, "contactsWithinSLA", json_object_new_int64(s->in));
  add(o, "contactsOutOfSLA", json_object_new_int64(s->out));
  return sim_json_project(o, fields);
}

static void summary(struct sim_req *r, int only) {
  const char *a = sim_arg(r, "startDate"), *b = sim_arg(r, "endDate"),
             *fields = sim_arg(r, "fields");
  cx_ms_t from, to;
  struct filter f;
  if (sim_parse_time(a, false, &from) != 0) {
    sim_reply_error(r, 400, "Invalid Start Date");
    return;
  }
  if (sim_parse_time(b, false, &to) != 0) {
    sim_reply_error(r, 400, "Invalid End Date");
    return;
  }
  if (to < from) {
    sim_reply_error(r, 400, "Invalid Date Range");
    return;
  }
  if (parse_filter(r, &f) != 0)
    return;
  if (to > r->now) /* what has not happened yet is not reported */
    to = r->now;
  struct sum s[SIM_NSKILLS] = {0};
  struct sum_arg arg = {from, to, s};
  for (int i = 0; from < to && i < sim_agent_count(); i++)
    sim_contacts_scan(i, from, to + sim_contact_lead(), sum_count, &arg);
  struct json_object *list = json_object_new_array();
  for (int k = 0; k < SIM_NSKILLS; k++)
    if ((only < 0 || k == only) && passes(&f, k))
      json_object_array_add(list, render_summary(k, &s[k], fields));
  struct json_object *o = json_object_new_object();
  add(o, "businessUnitId", json_object_new_int64(sim_cfg.bu_id));
  add(o, "skillSummaries", list);
  sim_reply_json(r, 200, o);
}

void sim_skills_summary(struct sim_req *r) { summary(r, -1); }

void sim_skill_summary(struct sim_req *r) {
  int k = path_skill(r);
  if (k >= 0)
    summary(r, k);
}

/* --- agents/skills. --- */

void sim_skills_assignments(struct sim_req *r) {
  const char *us = sim_arg(r, "UpdatedSince"), *fields = sim_arg(r, "fields");
  if (us == NULL)
    us = sim_arg(r, "updatedSince");
  cx_ms_t since = 0;
  long skip, top;
  if (us != NULL && sim_parse_time(us, false, &since) != 0) {
    sim_reply_error(r, 400, "Invalid UpdatedSince");
    return;
  }
  if (sim_api_paging(r, &skip, &top) != 0)
    return;
  struct json_object *list = json_object_new_array();
  long total = 0;
  for (int i = 0; i < sim_agent_count(); i++) {
    const struct sim_agent *ag = sim_agent_get(i);
    cx_ms_t updated = ag->hired == SIM_ALWAYS ? TENANT_EPOCH_MS : ag->hired;
    if (!sim_agent_active(ag, r->now) || (us != NULL && updated <= since))
      continue;
    const struct sim_team *tm = sim_team_get(ag->team);
    for (int k = 0; k < SIM_NSKILLS; k++) {
      if (!sim_skill_held(ag, k) || total++ < skip || total > skip + top)
        continue;
      const struct sim_skill *sk = &sim_skills[k];
      struct json_object *o = json_object_new_object();
      add(o, "agentId", json_object_new_int(ag->id));
      add(o, "firstName", json_object_new_string(ag->first));
      add(o, "lastName", json_object_new_string(ag->last));
      add(o, "skillId", json_object_new_int(sk->id));
      add(o, "skillName", json_object_new_string(sk->name));
      add(o, "agentProficiencyValue", json_object_new_int(sk->outbound ? 2 : 1));
      add(o, "agentProficiencyName",
          json_object_new_string(sk->outbound ? "Medium" : "High"));
      add(o, "teamId", json_object_new_int(tm->id));
      add(o, "teamName", json_object_new_string(tm->name));
      add(o, "mediaTypeId", json_object_new_int(MEDIA_CALL));
      add(o, "mediaTypeName", json_object_new_string("Call"));
      add(o, "isOutbound", json_object_new_boolean(sk->outbound));
      add(o, "isActive", json_object_new_boolean(1));
      add(o, "isSkillActive", json_object_new_boolean(1));
      add(o, "isAgentActive", json_object_new_boolean(1));
      add(o, "lastUpdateTime", sim_json_time(updated));
      json_object_array_add(list, sim_json_project(o, fields));
    }
  }
  if (us != NULL && total == 0 && sim_cfg.no_change != 200) {
    json_object_put(list);
    sim_reply_json(r, sim_cfg.no_change, NULL);
    return;
  }
  struct json_object *o = sim_api_envelope(r, total, skip, top);
  add(o, "agentSkillAssignments", list);
  sim_reply_json(r, 200, o);
}
