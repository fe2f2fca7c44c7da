/*
 * cx_emit.c: dispatch of one snapshot as collectd 5 value lists.
 *
 * Series per cycle, all with the snapshot's timestamp:
 *   scope agent-<label> (PerAgent true), team-<team>, all:
 *     duration-<State>                 seconds in the window (9 states, zeros
 *     duration-Unavailable-<Reason>    included; reasons while they have time
 *                                      in the scope's window) -- only once
 *                                      history covers the whole window
 *     percent-occupancy, percent-utilisation   over the window (see
 *                                      cx_snapshot_occupancy), with them
 *     duration-today-<State>           the same since local midnight (Today
 *     duration-today-Unavailable-<Reason>  true), with the window's
 *     percent-today-occupancy, percent-today-utilisation
 *   scope team-<team>, all:
 *     count-<State>, count-Unavailable-<Reason>   agents in the state now
 *   scope agent-<label>:
 *     duration-current-<State>         seconds in the current state when the
 *     duration-current-Unavailable-<Reason>  agent is in <State>, else 0
 *     count-team-<team>                1: the agent's team now (its type
 *                                      instance is the team scope's plugin
 *                                      instance), for dashboards to join on
 *   scope skill-<skill> (PerSkill true; Skills true and skills/activity
 *   answers), and their totals in all (cx_skills.h says which):
 *     count-queue, duration-longest_wait, count-active,
 *     count-agents_{available,working,acw,unavailable,logged_in},
 *     percent-service_level            live, from skills/activity
 *     count-window-{offered,handled,abandoned}, percent-window-abandon_rate,
 *     duration-window-{speed_of_answer,handle_time,longest_queue},
 *     percent-window-service_level     skills/summary over the window
 *     the same with today- (Today true)
 *   scope api: plugin health (see emit_health).
 * A cycle without a real-time answer dispatches only the api series; one
 * whose history step failed leaves out the window durations, one whose
 * skills answer failed the skill series (the stores keep the last good
 * values; nothing stale is stretched to a later instant).
 *
 * Names come from cx_labels and cx_skills_labels (unique per kind); the
 * prefixes ("agent-", "team-", "skill-", "all"; "<State>", "Unavailable-", "current-", "today-") keep
 * the kinds apart, so every identifier of a cycle is distinct.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include <stdlib.h>

#include "cx_emit.h"
#include "cx_labels.h"
#include "cx_skills.h"


struct emitter {
  value_list_t vl;
  int failures;
  /* Type instances formatted once per cycle, not once per value:
   * "<State>", "current-<State>" and "today-<State>", and per reason id r
   * (index r - 1) "Unavailable-<Reason>", "current-Unavailable-<Reason>"
   * and "today-Unavailable-<Reason>". */
  char state[CX_STATE_COUNT][DATA_MAX_NAME_LEN];
  char current[CX_STATE_COUNT][DATA_MAX_NAME_LEN];
  char today[CX_STATE_COUNT][DATA_MAX_NAME_LEN];
  char (*reason)[DATA_MAX_NAME_LEN];
  char (*current_reason)[DATA_MAX_NAME_LEN];
  char (*today_reason)[DATA_MAX_NAME_LEN];
};

static void emit_value(struct emitter *e, const char *type,
                       const char *type_instance, value_t value) {
  e->vl.values = &value;
  e->vl.values_len = 1;
  sstrncpy(e->vl.type, type, sizeof(e->vl.type));
  sstrncpy(e->vl.type_instance, type_instance, sizeof(e->vl.type_instance));
  if (plugin_dispatch_values(&e->vl) != 0)
    e->failures++;
}

static void emit_gauge(struct emitter *e, const char *type,
                       const char *type_instance, double v) {
  emit_value(e, type, type_instance, (value_t){.gauge = v});
}

static void emit_derive(struct emitter *e, const char *type,
                        const char *type_instance, uint64_t v) {
  emit_value(e, type, type_instance, (value_t){.derive = (derive_t)v});
}

/* "<prefix>-<label>", or "<prefix>" alone for a NULL label. */
static void set_scope(struct emitter *e, const char *prefix, const char *label) {
  if (label == NULL)
    sstrncpy(e->vl.plugin_instance, prefix, sizeof(e->vl.plugin_instance));
  else
    ssnprintf(e->vl.plugin_instance, sizeof(e->vl.plugin_instance), "%s-%s",
              prefix, label);
}

/* Fills e's type instances for this cycle's reasons.  CX_OK or
 * CX_ERR_NOMEM. */
static enum cx_status names_build(struct emitter *e,
                                  const struct cx_snapshot *snap,
                                  const struct cx_labels *l) {
  for (int s = 0; s < CX_STATE_COUNT; s++) {
    sstrncpy(e->state[s], cx_state_name(s), sizeof(e->state[s]));
    ssnprintf(e->current[s], sizeof(e->current[s]), "current-%s",
              cx_state_name(s));
    ssnprintf(e->today[s], sizeof(e->today[s]), "today-%s", cx_state_name(s));
  }
  size_t n = snap->nreasons ? snap->nreasons : 1;
  e->reason = calloc(n, sizeof(*e->reason));
  e->current_reason = calloc(n, sizeof(*e->current_reason));
  e->today_reason = calloc(n, sizeof(*e->today_reason));
  if (e->reason == NULL || e->current_reason == NULL || e->today_reason == NULL)
    return CX_ERR_NOMEM;
  for (size_t r = 0; r < snap->nreasons; r++) {
    ssnprintf(e->reason[r], sizeof(e->reason[r]), "Unavailable-%s",
              l->reasons[r].text);
    ssnprintf(e->current_reason[r], sizeof(e->current_reason[r]),
              "current-Unavailable-%s", l->reasons[r].text);
    ssnprintf(e->today_reason[r], sizeof(e->today_reason[r]),
              "today-Unavailable-%s", l->reasons[r].text);
  }
  return CX_OK;
}

static void names_free(struct emitter *e) {
  free(e->reason);
  free(e->current_reason);
  free(e->today_reason);
  e->reason = e->current_reason = e->today_reason = NULL;
}

/* Figures of the walks in cx_snapshot.h, as gauges of one type. */
struct figure_ctx {
  struct emitter *e;
  const char *type;
  const char (*state_names)[DATA_MAX_NAME_LEN];  /* per state */
  const char (*reason_names)[DATA_MAX_NAME_LEN]; /* per reason id - 1 */
  double scale;                                  /* value -> gauge */
};

static int emit_figure(void *ctx, const struct cx_figure *f) {
  const struct figure_ctx *c = ctx;
  emit_gauge(c->e, c->type,
             f->reason ? c->reason_names[f->reason - 1]
                       : c->state_names[f->state],
             (double)f->value * c->scale);
  return 0;
}

static void emit_ratios(struct emitter *e, const struct cx_snapshot *snap,
                        const struct cx_scope *sc, bool today) {
  double occupancy, utilisation;
  cx_snapshot_occupancy(snap, sc, today, &occupancy, &utilisation);
  emit_gauge(e, "percent", today ? "today-occupancy" : "occupancy", occupancy);
  emit_gauge(e, "percent", today ? "today-utilisation" : "utilisation",
             utilisation);
}

/* The window durations and ratios, and the day's when the snapshot has
 * them. */
static void emit_durations(struct emitter *e, const struct cx_snapshot *snap,
                           const struct cx_scope *sc) {
  struct figure_ctx c = {e, "duration", e->state, e->reason, 1e-3};
  cx_snapshot_durations(snap, sc, emit_figure, &c);
  emit_ratios(e, snap, sc, false);
  if (snap->has_today) {
    struct figure_ctx t = {e, "duration", e->today, e->today_reason, 1e-3};
    cx_snapshot_today(snap, sc, emit_figure, &t);
    emit_ratios(e, snap, sc, true);
  }
}

static void emit_counts(struct emitter *e, const struct cx_snapshot *snap,
                        const struct cx_scope *sc) {
  struct figure_ctx c = {e, "count", e->state, e->reason, 1.0};
  cx_snapshot_counts(snap, sc, emit_figure, &c);
}

static void emit_current(struct emitter *e, const struct cx_snapshot *snap,
                         const struct cx_snapshot_agent *a) {
  struct figure_ctx c = {e, "duration", e->current, e->current_reason, 1e-3};
  cx_snapshot_current(snap, a, emit_figure, &c);
}

/* The agent's team as a series of its own: the stores keep no other link
 * from an agent to its team. */
static void emit_team_member(struct emitter *e, const struct cx_labels *l,
                             const struct cx_snapshot_agent *a) {
  if (a->team < 0)
    return;
  char team[DATA_MAX_NAME_LEN];
  ssnprintf(team, sizeof(team), "team-%s", l->teams[a->team].text);
  emit_gauge(e, "count", team, 1.0);
}

static int emit_skill_figure(void *ctx, const struct cx_skill_figure *f) {
  emit_gauge(ctx, f->type, f->instance, f->value);
  return 0;
}

/* Per skill (PerSkill), then the totals in "all". */
static void emit_skills(struct emitter *e, const struct cx_emit_options *opt,
                        const struct cx_skills *sk, cx_ms_t now) {
  struct cx_label *labels = NULL;
  if (opt->per_skill && sk->n > 0 &&
      cx_skills_labels(sk, &labels) != CX_OK) {
    ERROR("cxone plugin: out of memory naming %zu skills; skill series "
          "left out this cycle", sk->n);
    return;
  }
  for (size_t i = 0; labels != NULL && i < sk->n; i++) {
    set_scope(e, "skill", labels[i].text);
    cx_skills_figures(sk, &sk->items[i], now, emit_skill_figure, e);
  }
  free(labels);
  set_scope(e, "all", NULL);
  cx_skills_totals(sk, now, emit_skill_figure, e);
}

/* Plugin health, scope "api". */
static void emit_health(struct emitter *e, const struct cx_health *h) {
  set_scope(e, "api", NULL);
  emit_gauge(e, "gauge", "up", h->up ? 1.0 : 0.0);
  emit_gauge(e, "percent", "backfill", h->backfill_percent);
  emit_gauge(e, "duration", "cycle", h->cycle_seconds);
  emit_gauge(e, "duration", "data_age", h->data_age_seconds);
  emit_gauge(e, "duration", "history_lag", h->history_lag_seconds);
  emit_gauge(e, "timeleft", "token", h->token_ttl_seconds);
  emit_gauge(e, "response_time", "last", h->api.last_latency_s);
  emit_gauge(e, "count", "agents", (double)h->agents);
  emit_gauge(e, "count", "ledger_items", (double)h->items);
  emit_derive(e, "http_requests", "total", h->api.requests);
  emit_derive(e, "http_requests", "token", h->api.auth_requests);
  emit_derive(e, "errors", "http", h->api.failures);
  emit_derive(e, "total_bytes", "received", h->api.bytes);
}

int cx_emit(const struct cx_emit_options *opt, const struct cx_snapshot *snap,
            const struct cx_health *health) {
  struct emitter e = {.vl = VALUE_LIST_INIT};

  sstrncpy(e.vl.host, opt->host, sizeof(e.vl.host));
  sstrncpy(e.vl.plugin, "cxone", sizeof(e.vl.plugin));
  e.vl.time = MS_TO_CDTIME_T(snap->time);
  e.vl.interval = DOUBLE_TO_CDTIME_T(opt->interval_seconds);

  /* Without a real-time answer this cycle there is nothing new to say:
   * dispatching would only stretch stale states to now.  The stores keep
   * showing the last good values; the api series tell why. */
  if (!health->live_fresh) {
    emit_health(&e, health);
    return e.failures;
  }
  /* Window durations need history too: without this cycle's history a
   * state the real-time poll missed would be counted as its neighbour. */
  bool durations = health->history_ready && health->history_fresh;
  struct cx_labels l;
  if (cx_labels_build(&l, snap, opt->per_agent, opt->label) != CX_OK) {
    ERROR("cxone plugin: out of memory naming %zu agents, %zu teams and %zu "
          "reasons; only the api series dispatched this cycle",
          snap->nagents, snap->nteams, snap->nreasons);
    emit_health(&e, health);
    return e.failures;
  }
  if (names_build(&e, snap, &l) != CX_OK) {
    ERROR("cxone plugin: out of memory naming %zu reasons; only the api "
          "series dispatched this cycle",
          snap->nreasons);
    names_free(&e);
    cx_labels_free(&l);
    emit_health(&e, health);
    return e.failures;
  }
  for (size_t i = 0; opt->per_agent && i < snap->nagents; i++) {
    const struct cx_snapshot_agent *a = &snap->agents[i];
    set_scope(&e, "agent", l.agents[i].text);
    if (durations)
      emit_durations(&e, snap, &a->values);
    emit_current(&e, snap, a);
    emit_team_member(&e, &l, a);
  }
  for (size_t t = 0; t < snap->nteams; t++) {
    set_scope(&e, "team", l.teams[t].text);
    if (durations)
      emit_durations(&e, snap, &snap->teams[t].values);
    emit_counts(&e, snap, &snap->teams[t].values);
  }
  set_scope(&e, "all", NULL);
  if (durations)
    emit_durations(&e, snap, &snap->all);
  emit_counts(&e, snap, &snap->all);
  if (snap->skills != NULL && snap->skills_fresh)
    emit_skills(&e, opt, snap->skills, snap->time);
  emit_health(&e, health);
  names_free(&e);
  cx_labels_free(&l);
  return e.failures;
}
