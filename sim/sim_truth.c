/*
 * sim_truth.c: the observation endpoints: /sim/truth, the exact seconds per
 * agent, team and state over a window (with occupancy and utilisation) and
 * the state of every agent at its end, computed from the timelines themselves (never from the API rendering,
 * never lagged); /sim/timeline, one agent's raw items; and /sim/hold, which
 * overrides an agent's timeline over a range (applied by the cursors, so the
 * API, the truth and the timeline all see it); /sim/roster, every agent the
 * tenant ever has with its employment.
 *
 * The skill figures of /sim/truth come from their own walk of every agent's
 * items (skills_truth): it finds the contacts (runs of one contact id) and
 * asks the contact model only for each one's wait and abandoned twin, so a
 * mistake in the API's look-ahead, incremental service-level count or
 * range filter shows as a mismatch.
 */
#include "sim_contacts.h"
#include "sim_json.h"
#include "sim_tenant.h"
#include "sim_truth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_WINDOW_MS (3600 * 1000LL)
#define MAX_TIMELINE_ITEMS 100000

struct acc {
  cx_ms_t dur[SIM_NSTATES];
  cx_ms_t rdur[SIM_NREASONS];
  long cnt[SIM_NSTATES];
  long rcnt[SIM_NREASONS];
};

static void acc_add(struct acc *dst, const struct acc *src) {
  for (int s = 0; s < SIM_NSTATES; s++) {
    dst->dur[s] += src->dur[s];
    dst->cnt[s] += src->cnt[s];
  }
  for (int k = 0; k < SIM_NREASONS; k++) {
    dst->rdur[k] += src->rdur[k];
    dst->rcnt[k] += src->rcnt[k];
  }
}

static void reason_key(char *buf, size_t size, int reason) {
  snprintf(buf, size, "Unavailable-%s", sim_reasons[reason].name);
}

/* All base states; "Unavailable-<Reason>" only where non-zero. */
static struct json_object *render_durations(const struct acc *a) {
  struct json_object *o = json_object_new_object();
  char key[sizeof "Unavailable-" + SIM_NAME_MAX];
  for (int s = 0; s < SIM_NSTATES; s++)
    json_object_object_add(o, sim_state_names[s], sim_json_seconds(a->dur[s]));
  for (int k = 0; k < SIM_NREASONS; k++) {
    reason_key(key, sizeof key, k);
    if (a->rdur[k] > 0)
      json_object_object_add(o, key, sim_json_seconds(a->rdur[k]));
  }
  return o;
}

static struct json_object *render_counts(const struct acc *a) {
  struct json_object *o = json_object_new_object();
  char key[sizeof "Unavailable-" + SIM_NAME_MAX];
  for (int s = 0; s < SIM_NSTATES; s++)
    json_object_object_add(o, sim_state_names[s],
                           json_object_new_int64(a->cnt[s]));
  for (int k = 0; k < SIM_NREASONS; k++) {
    reason_key(key, sizeof key, k);
    if (a->rcnt[k] > 0)
      json_object_object_add(o, key, json_object_new_int64(a->rcnt[k]));
  }
  return o;
}

/* Occupancy and utilisation, in percent (0 for an empty denominator):
 * handle / (handle + Available) and handle / time logged in, handle being
 * the contact states plus the after-call work codes' time (isACW). */
static void add_ratios(struct json_object *o, const struct acc *a) {
  cx_ms_t handle = a->dur[SIM_INBOUND_CONTACT] + a->dur[SIM_OUTBOUND_CONTACT] +
                   a->dur[SIM_INBOUND_CONSULT] + a->dur[SIM_OUTBOUND_CONSULT] +
                   a->dur[SIM_DIALER];
  for (int k = 0; k < SIM_NREASONS; k++)
    if (sim_reasons[k].acw)
      handle += a->rdur[k];
  cx_ms_t busy = handle + a->dur[SIM_AVAILABLE], in = 0;
  for (int st = 0; st < SIM_NSTATES; st++)
    if (st != SIM_LOGGED_OUT)
      in += a->dur[st];
  json_object_object_add(
      o, "occupancy",
      json_object_new_double(busy > 0 ? 100.0 * (double)handle / (double)busy
                                      : 0.0));
  json_object_object_add(
      o, "utilisation",
      json_object_new_double(in > 0 ? 100.0 * (double)handle / (double)in
                                    : 0.0));
}

static struct json_object *render_group(const struct acc *a) {
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "durations", render_durations(a));
  json_object_object_add(o, "counts", render_counts(a));
  add_ratios(o, a);
  return o;
}

/* One agent's time per state in [from, to] (the part of it the agent is
 * employed) and its state at `to` (null when not employed then). */
static struct json_object *agent_truth(int agent, cx_ms_t from, cx_ms_t to,
                                       struct acc *a) {
  const struct sim_agent *ag = sim_agent_get(agent);
  struct sim_cursor c;
  if (from < ag->hired)
    from = ag->hired;
  if (to > ag->left)
    to = ag->left;
  if (from < to) {
    for (sim_cursor_at(&c, agent, from); sim_cursor_item(&c)->start < to;
         sim_cursor_next(&c)) {
      const struct sim_item *it = sim_cursor_item(&c);
      cx_ms_t s = it->start > from ? it->start : from,
              e = it->end < to ? it->end : to;
      a->dur[it->state] += e - s;
      if (it->reason >= 0)
        a->rdur[it->reason] += e - s;
    }
    sim_cursor_release(&c);
  }
  if (!sim_agent_active(ag, to))
    return NULL;

  sim_cursor_at(&c, agent, to);
  const struct sim_item *cur = sim_cursor_item(&c);
  a->cnt[cur->state]++;
  if (cur->reason >= 0)
    a->rcnt[cur->reason]++;
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "state",
                         json_object_new_string(sim_state_names[cur->state]));
  json_object_object_add(
      o, "reason",
      sim_json_str_or_null(cur->reason >= 0 ? sim_reasons[cur->reason].name
                                            : NULL));
  json_object_object_add(o, "since", sim_json_time(cur->start));
  sim_cursor_release(&c);
  return o;
}

/* --- Skills. --- */

struct skill_truth {
  long queue;
  cx_ms_t earliest; /* INT64_MAX: nobody waits */
  long active, avail, working, acw, unavail, logged_in;
  long day_in, day_out; /* service level since the start of the day */
  long offered, handled, abandoned, win_in, win_out; /* the window */
  cx_ms_t wait_answered, handle, longest;
};

struct skill_span {
  cx_ms_t day, from, end; /* day start, window [from, end) */
};

/* One contact: queued over [arrival, ended), then answered (handle > 0 or
 * not) or abandoned. */
static void skill_contact(struct skill_truth *k, const struct skill_span *sp,
                          int skill, bool abandoned, cx_ms_t arrival,
                          cx_ms_t ended, cx_ms_t handle) {
  bool inbound = !sim_skills[skill].outbound;
  cx_ms_t wait = ended - arrival;
  bool in_sla = !abandoned && sim_skill_within_sla(skill, wait);
  if (arrival <= sp->end && sp->end < ended) {
    k->queue++;
    if (arrival < k->earliest)
      k->earliest = arrival;
  }
  if (inbound && sp->day <= ended && ended < sp->end) {
    k->day_in += in_sla;
    k->day_out += !in_sla;
  }
  if (sp->from <= ended && ended < sp->end) {
    k->offered++;
    if (wait > k->longest)
      k->longest = wait;
    if (abandoned) {
      k->abandoned++;
    } else {
      k->handled++;
      k->wait_answered += wait;
      k->handle += handle;
    }
    if (inbound) {
      k->win_in += in_sla;
      k->win_out += !in_sla;
    }
  }
}

/* Every contact of the agent answered in [lo, hi). */
static void skill_walk(struct skill_truth *sk, const struct skill_span *sp,
                       int agent, cx_ms_t lo, cx_ms_t hi) {
  const struct sim_agent *ag = sim_agent_get(agent);
  lo = lo > ag->hired ? lo : ag->hired;
  hi = hi < ag->left ? hi : ag->left;
  if (lo >= hi)
    return;
  struct sim_cursor c;
  sim_cursor_at(&c, agent, lo > ag->hired ? lo - 1 : lo);
  int64_t prev = 0, id = 0; /* id: the contact being talked, 0 for none */
  int skill = -1;
  cx_ms_t answered = 0, talk = 0;
  for (;; sim_cursor_next(&c)) {
    const struct sim_item *it = sim_cursor_item(&c);
    bool past = it->start >= ag->left;
    if (id != 0 && !past && it->contact_id == id) {
      talk += it->end - it->start;
      continue;
    }
    if (id != 0) { /* the contact is over: its wrap, then its figures */
      cx_ms_t wrap = !past && it->state == SIM_UNAVAILABLE && it->reason >= 0 &&
                             sim_reasons[it->reason].acw
                         ? it->end - it->start
                         : 0;
      cx_ms_t wait = sim_skills[skill].outbound ? 0
                                                : sim_contact_wait(id, answered);
      skill_contact(&sk[skill], sp, skill, false, answered - wait, answered,
                    talk + wrap);
      cx_ms_t arr, ab;
      if (!sim_skills[skill].outbound &&
          sim_contact_abandoned(id, answered, &arr, &ab))
        skill_contact(&sk[skill], sp, skill, true, arr, ab, 0);
      id = 0;
    }
    if (past || it->start >= hi)
      break;
    if (it->contact_id != 0 && it->contact_id != prev && it->skill >= 0 &&
        it->start >= lo) {
      id = it->contact_id;
      skill = it->skill;
      answered = it->start;
      talk = it->end - it->start;
    }
    prev = it->contact_id;
  }
  sim_cursor_release(&c);
}

static double pct(long num, long den, double none) {
  return den > 0 ? 100.0 * (double)num / (double)den : none;
}

static double mean_s(cx_ms_t sum, long n) {
  return n > 0 ? (double)sum / (double)n / 1000.0 : 0.0;
}

/* "skills": per skill id, the live figures at end and the summary over
 * [end - window, end). */
static struct json_object *skills_truth(cx_ms_t end, cx_ms_t window) {
  struct skill_truth sk[SIM_NSKILLS];
  for (int k = 0; k < SIM_NSKILLS; k++)
    sk[k] = (struct skill_truth){.earliest = INT64_MAX};
  struct skill_span sp = {sim_day_start(end), end - window, end};
  cx_ms_t lo = sp.day < sp.from ? sp.day : sp.from,
          hi = end + sim_contact_lookahead() + 1;
  for (int i = 0; i < sim_agent_count(); i++) {
    const struct sim_agent *ag = sim_agent_get(i);
    skill_walk(sk, &sp, i, lo, hi);
    if (!sim_agent_active(ag, end))
      continue;
    struct sim_cursor c;
    sim_cursor_at(&c, i, end);
    const struct sim_item *it = sim_cursor_item(&c);
    int st = it->state;
    bool acw = it->reason >= 0 && sim_reasons[it->reason].acw,
         work = st == SIM_INBOUND_CONTACT || st == SIM_INBOUND_CONSULT ||
                st == SIM_OUTBOUND_CONTACT || st == SIM_OUTBOUND_CONSULT ||
                st == SIM_DIALER;
    if (work && it->skill >= 0)
      sk[it->skill].active++;
    for (int k = 0; k < SIM_NSKILLS; k++) {
      if (!(sim_skills[k].outbound || ag->team % SIM_SKILLS_INBOUND == k))
        continue;
      sk[k].logged_in += st != SIM_LOGGED_OUT;
      sk[k].avail += st == SIM_AVAILABLE;
      sk[k].acw += st == SIM_UNAVAILABLE && acw;
      sk[k].unavail += st == SIM_UNAVAILABLE && !acw;
      sk[k].working += work;
    }
    sim_cursor_release(&c);
  }
  struct json_object *o = json_object_new_object();
  for (int k = 0; k < SIM_NSKILLS; k++) {
    const struct skill_truth *s = &sk[k];
    struct json_object *g = json_object_new_object(),
                       *live = json_object_new_object(),
                       *sum = json_object_new_object();
    json_object_object_add(g, "name", json_object_new_string(sim_skills[k].name));
    json_object_object_add(g, "outbound",
                           json_object_new_boolean(sim_skills[k].outbound));
    json_object_object_add(live, "queue", json_object_new_int64(s->queue));
    json_object_object_add(
        live, "longest_wait",
        sim_json_seconds(s->queue > 0 ? end - s->earliest : 0));
    json_object_object_add(live, "active", json_object_new_int64(s->active));
    json_object_object_add(live, "agents_available",
                           json_object_new_int64(s->avail));
    json_object_object_add(live, "agents_working",
                           json_object_new_int64(s->working));
    json_object_object_add(live, "agents_acw", json_object_new_int64(s->acw));
    json_object_object_add(live, "agents_unavailable",
                           json_object_new_int64(s->unavail));
    json_object_object_add(live, "agents_logged_in",
                           json_object_new_int64(s->logged_in));
    json_object_object_add(live, "in_sla", json_object_new_int64(s->day_in));
    json_object_object_add(live, "out_sla", json_object_new_int64(s->day_out));
    json_object_object_add(
        live, "service_level",
        json_object_new_double(pct(s->day_in, s->day_in + s->day_out, 100)));
    json_object_object_add(sum, "offered", json_object_new_int64(s->offered));
    json_object_object_add(sum, "handled", json_object_new_int64(s->handled));
    json_object_object_add(sum, "abandoned",
                           json_object_new_int64(s->abandoned));
    json_object_object_add(
        sum, "abandon_rate",
        json_object_new_double(pct(s->abandoned, s->offered, 0)));
    json_object_object_add(
        sum, "speed_of_answer",
        json_object_new_double(mean_s(s->wait_answered, s->handled)));
    json_object_object_add(sum, "handle_time",
                           json_object_new_double(mean_s(s->handle, s->handled)));
    json_object_object_add(sum, "longest_queue", sim_json_seconds(s->longest));
    json_object_object_add(sum, "in_sla", json_object_new_int64(s->win_in));
    json_object_object_add(sum, "out_sla", json_object_new_int64(s->win_out));
    json_object_object_add(
        sum, "service_level",
        json_object_new_double(pct(s->win_in, s->win_in + s->win_out, 100)));
    json_object_object_add(g, "live", live);
    json_object_object_add(g, "summary", sum);
    char key[16];
    snprintf(key, sizeof key, "%d", sim_skills[k].id);
    json_object_object_add(o, key, g);
  }
  return o;
}

/* hired or left: an ISO instant, null for SIM_ALWAYS and SIM_NEVER. */
static struct json_object *employment_time(cx_ms_t t) {
  return t == SIM_ALWAYS || t == SIM_NEVER ? NULL : sim_json_time(t);
}

void sim_truth_handle(struct sim_req *r) {
  const char *e = sim_arg(r, "end"), *w = sim_arg(r, "window");
  cx_ms_t end = r->now, window = DEFAULT_WINDOW_MS;
  if ((e != NULL && sim_parse_time(e, true, &end) != 0) ||
      (w != NULL && sim_parse_seconds(w, &window) != 0)) {
    sim_reply_error(r, 400, "Invalid end or window");
    return;
  }
  int nteams = sim_team_count();
  struct acc *team = calloc((size_t)nteams, sizeof *team), all = {0};
  if (team == NULL) {
    sim_reply_error(r, 500, "Out of memory");
    return;
  }
  struct json_object *agents = json_object_new_object();
  for (int i = 0; i < sim_agent_count(); i++) {
    const struct sim_agent *ag = sim_agent_get(i);
    /* Agents employed at some instant of [end - window, end]. */
    if (ag->hired > end || ag->left <= end - window)
      continue;
    struct acc a = {0};
    struct json_object *o = json_object_new_object();
    json_object_object_add(
        o, "team", json_object_new_string(sim_team_get(ag->team)->name));
    json_object_object_add(o, "teamId",
                           json_object_new_int(sim_team_get(ag->team)->id));
    json_object_object_add(o, "current", agent_truth(i, end - window, end, &a));
    json_object_object_add(o, "hired", employment_time(ag->hired));
    json_object_object_add(o, "left", employment_time(ag->left));
    json_object_object_add(o, "durations", render_durations(&a));
    add_ratios(o, &a);
    acc_add(&team[ag->team], &a);
    acc_add(&all, &a);
    char key[16];
    snprintf(key, sizeof key, "%d", ag->id);
    json_object_object_add(agents, key, o);
  }
  struct json_object *teams = json_object_new_object();
  for (int k = 0; k < nteams; k++) {
    struct json_object *g = render_group(&team[k]);
    json_object_object_add(g, "id", json_object_new_int(sim_team_get(k)->id));
    json_object_object_add(teams, sim_team_get(k)->name, g);
  }
  free(team);

  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "end", sim_json_time(end));
  json_object_object_add(o, "window", sim_json_seconds(window));
  json_object_object_add(o, "agents", agents);
  json_object_object_add(o, "teams", teams);
  json_object_object_add(o, "all", render_group(&all));
  struct json_object *acw = json_object_new_array();
  for (int k = 0; k < SIM_NREASONS; k++)
    if (sim_reasons[k].acw)
      json_object_array_add(acw, json_object_new_string(sim_reasons[k].name));
  json_object_object_add(o, "acwReasons", acw);
  json_object_object_add(o, "skills", skills_truth(end, window));
  sim_reply_json(r, 200, o);
}

void sim_timeline_handle(struct sim_req *r) {
  long id;
  cx_ms_t from = r->now - DEFAULT_WINDOW_MS, to = r->now;
  const char *f = sim_arg(r, "from"), *t = sim_arg(r, "to");
  if (sim_parse_long(sim_arg(r, "agent"), 0, 1000000000, &id) != 0 ||
      sim_agent_index(id) < 0) {
    sim_reply_error(r, 404, "Invalid Agent Id");
    return;
  }
  if ((f != NULL && sim_parse_time(f, true, &from) != 0) ||
      (t != NULL && sim_parse_time(t, true, &to) != 0) || to < from) {
    sim_reply_error(r, 400, "Invalid from or to");
    return;
  }
  struct json_object *list = json_object_new_array();
  const struct sim_agent *ag = sim_agent_get(sim_agent_index(id));
  /* Only the agent's employment: nothing before it is hired or after it left. */
  if (from < ag->hired)
    from = ag->hired;
  if (to > ag->left)
    to = ag->left;
  if (from >= to) {
    sim_reply_json(r, 200, list);
    return;
  }
  struct sim_cursor c;
  int n = 0;
  for (sim_cursor_at(&c, sim_agent_index(id), from);
       sim_cursor_item(&c)->start < to && n < MAX_TIMELINE_ITEMS;
       sim_cursor_next(&c), n++) {
    const struct sim_item *it = sim_cursor_item(&c);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "start", sim_json_time(it->start));
    json_object_object_add(o, "end", sim_json_time(it->end));
    json_object_object_add(o, "state",
                           json_object_new_string(sim_state_names[it->state]));
    json_object_object_add(
        o, "reason",
        sim_json_str_or_null(it->reason >= 0 ? sim_reasons[it->reason].name
                                             : NULL));
    json_object_object_add(o, "session",
                           json_object_new_int64(c.blk->session_id));
    json_object_object_add(o, "index",
                           json_object_new_int(sim_cursor_index(&c)));
    json_object_object_add(o, "held",
                           json_object_new_boolean(sim_cursor_held(&c)));
    json_object_array_add(list, o);
  }
  sim_cursor_release(&c);
  sim_reply_json(r, 200, list);
}

/* --- /sim/hold. --- */

/* Latest instant cx_time_format can write: 9999-12-31T23:59:59.999Z. */
#define MAX_INSTANT_MS 253402300799999LL

/* An instant: "now", a relative offset "+S" / "-S" (seconds, fraction
 * allowed; a '+' decoded to a space is accepted), epoch seconds or ISO-8601.
 */
static int parse_hold_time(const char *s, cx_ms_t now, cx_ms_t *out) {
  cx_ms_t v;
  if (s == NULL)
    return -1;
  if (strcasecmp(s, "now") == 0) {
    v = now;
  } else if (*s == '+' || *s == ' ' || *s == '-') {
    cx_ms_t off;
    if (sim_parse_seconds(s + 1, &off) != 0 || off > MAX_INSTANT_MS)
      return -1;
    v = *s == '-' ? now - off : now + off;
  } else if (sim_parse_time(s, true, &v) != 0) {
    return -1;
  }
  if (v < 0 || v > MAX_INSTANT_MS)
    return -1;
  *out = v;
  return 0;
}

static int state_by_name(const char *s) {
  for (int k = 0; s != NULL && k < SIM_NSTATES; k++)
    if (strcasecmp(s, sim_state_names[k]) == 0)
      return k;
  return -1;
}

static int reason_by_name(const char *s) {
  for (int k = 0; s != NULL && k < SIM_NREASONS; k++)
    if (strcasecmp(s, sim_reasons[k].name) == 0)
      return k;
  return -1;
}

void sim_hold_handle(struct sim_req *r) {
  const char *a = sim_arg(r, "agent"), *st = sim_arg(r, "state"),
             *rs = sim_arg(r, "reason"), *f = sim_arg(r, "from"),
             *u = sim_arg(r, "until"), *clear = sim_arg(r, "clear");
  long id;
  int agent = -1;
  if (sim_parse_long(a, 0, 1000000000, &id) == 0)
    agent = sim_agent_index(id);
  if (agent < 0) {
    sim_reply_error(r, 400, "Invalid agent: agent=ID of a simulated agent");
    return;
  }
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "agent", json_object_new_int64(id));
  if (clear != NULL) {
    if (strcmp(clear, "1") != 0 || st != NULL || rs != NULL || f != NULL ||
        u != NULL) {
      json_object_put(o);
      sim_reply_error(r, 400,
                      "Invalid clear: clear=1 goes with agent=ID alone");
      return;
    }
    json_object_object_add(
        o, "cleared", json_object_new_int64((int64_t)sim_hold_clear(agent)));
    sim_reply_json(r, 200, o);
    return;
  }
  int state = state_by_name(st), reason = -1, rc;
  cx_ms_t from, until;
  const char *err = NULL;
  if (state < 0)
    err = "Invalid state: one of LoggedOut, Available, Unavailable, "
          "InboundContact, OutboundContact, InboundConsult, OutboundConsult, "
          "Dialer, LoggedIn";
  else if (rs != NULL && state != SIM_UNAVAILABLE)
    err = "Invalid reason: a reason goes only with state=Unavailable";
  else if (rs != NULL && (reason = reason_by_name(rs)) < 0)
    err = "Invalid reason: one of Break, Lunch, After Call Work, Training, "
          "Meeting, Personal";
  else if (parse_hold_time(f, r->now, &from) != 0)
    err = "Invalid from: ISO-8601, epoch seconds, +SECONDS, -SECONDS or now";
  else if (parse_hold_time(u, r->now, &until) != 0)
    err = "Invalid until: ISO-8601, epoch seconds, +SECONDS, -SECONDS or now";
  else if (until <= from)
    err = "Invalid range: until must be after from";
  else if ((rc = sim_hold_add(agent, from, until, state, reason)) == -2)
    err = "Invalid range: outside the agent's employment (see /sim/roster)";
  else if (rc != 0)
    err = "Hold overlaps another hold of the agent (clear=1 removes them)";
  if (err != NULL) {
    json_object_put(o);
    sim_reply_error(r, 400, err);
    return;
  }
  json_object_object_add(o, "state",
                         json_object_new_string(sim_state_names[state]));
  json_object_object_add(
      o, "reason",
      sim_json_str_or_null(reason >= 0 ? sim_reasons[reason].name : NULL));
  json_object_object_add(o, "from", sim_json_time(from));
  json_object_object_add(o, "until", sim_json_time(until));
  sim_reply_json(r, 200, o);
}

/* --- /sim/roster. --- */

void sim_roster_handle(struct sim_req *r) {
  struct sim_churn_info ch;
  sim_tenant_churn_info(&ch);
  struct json_object *o = json_object_new_object(),
                     *churn = json_object_new_object(),
                     *list = json_object_new_array();
  json_object_object_add(churn, "hiresPerDay", json_object_new_int(ch.hires));
  json_object_object_add(churn, "leaversPerDay",
                         json_object_new_int(ch.leavers));
  json_object_object_add(churn, "days", json_object_new_int(ch.days));
  json_object_object_add(churn, "start", sim_json_time(ch.start));
  json_object_object_add(churn, "firstDay", sim_json_time(ch.first_day));
  json_object_object_add(churn, "dayLength", sim_json_seconds(ch.day_len));
  int64_t d0 = ch.day_len > 0 ? ch.first_day / ch.day_len : 0;
  for (int i = 0; i < sim_agent_count(); i++) {
    const struct sim_agent *ag = sim_agent_get(i);
    const struct sim_team *tm = sim_team_get(ag->team);
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "agentId", json_object_new_int(ag->id));
    json_object_object_add(a, "teamId", json_object_new_int(tm->id));
    json_object_object_add(a, "team", json_object_new_string(tm->name));
    json_object_object_add(a, "hired", employment_time(ag->hired));
    json_object_object_add(a, "left", employment_time(ag->left));
    /* The churn days (0, 1, ...) of the hire (first shift the next day) and
     * of the last shift; first_day and end_day are INT64_MIN and INT64_MAX
     * without them, so only subtracted from when set. */
    bool hire = ag->hired != SIM_ALWAYS, leave = ag->left != SIM_NEVER;
    json_object_object_add(
        a, "hireDay",
        sim_json_int_or_null(hire ? ag->first_day - d0 - 1 : 0, hire));
    json_object_object_add(
        a, "leaveDay",
        sim_json_int_or_null(leave ? ag->end_day - d0 - 1 : 0, leave));
    json_object_object_add(a, "active",
                           json_object_new_boolean(sim_agent_active(ag, r->now)));
    json_object_array_add(list, a);
  }
  json_object_object_add(o, "now", sim_json_time(r->now));
  json_object_object_add(o, "churn", churn);
  json_object_object_add(o, "agents", list);
  sim_reply_json(r, 200, o);
}
