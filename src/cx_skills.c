/*
 * cx_skills.c: the skill table (see cx_skills.h).  Skills are kept sorted
 * by id (binary search per record); a tenant has hundreds of skills, not
 * thousands, and an answer costs O(records log skills).  Which figures
 * exist and how they aggregate is one table per kind (live, summary), so
 * the per-skill walk and the totals cannot disagree.
 */
#include "cx_skills.h"
#include "cx_array.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BIT(f) (1u << (f))

/* How a figure adds up in "all". */
enum total { T_NONE, T_SUM, T_MAX };

/* The longest wait is computed from earliestQueueTime, not read. */
#define LONGEST_WAIT CX_SKILL_NFIELDS

static const struct {
  int field;
  const char *type, *instance;
  double scale;
  enum total total;
} live_series[] = {
    {CX_SKILL_QUEUE, "count", "queue", 1, T_SUM},
    {LONGEST_WAIT, "duration", "longest_wait", 1e-3, T_MAX},
    {CX_SKILL_ACTIVE, "count", "active", 1, T_SUM},
    {CX_SKILL_AGENTS_AVAILABLE, "count", "agents_available", 1, T_NONE},
    {CX_SKILL_AGENTS_WORKING, "count", "agents_working", 1, T_NONE},
    {CX_SKILL_AGENTS_ACW, "count", "agents_acw", 1, T_NONE},
    {CX_SKILL_AGENTS_UNAVAILABLE, "count", "agents_unavailable", 1, T_NONE},
    {CX_SKILL_AGENTS_LOGGED_IN, "count", "agents_logged_in", 1, T_NONE},
    {CX_SKILL_SERVICE_LEVEL, "percent", "service_level", 1, T_NONE},
};

static const struct {
  int field;
  const char *type, *instance[CX_SKILL_NPERIODS];
  double scale;
  enum total total;
} summary_series[] = {
    {CX_SKILL_OFFERED, "count", {"window-offered", "today-offered"}, 1, T_SUM},
    {CX_SKILL_HANDLED, "count", {"window-handled", "today-handled"}, 1, T_SUM},
    {CX_SKILL_ABANDONED, "count", {"window-abandoned", "today-abandoned"}, 1,
     T_SUM},
    {CX_SKILL_ABANDON_RATE, "percent",
     {"window-abandon_rate", "today-abandon_rate"}, 1, T_NONE},
    {CX_SKILL_SPEED_OF_ANSWER, "duration",
     {"window-speed_of_answer", "today-speed_of_answer"}, 1e-3, T_NONE},
    {CX_SKILL_HANDLE_TIME, "duration",
     {"window-handle_time", "today-handle_time"}, 1e-3, T_NONE},
    {CX_SKILL_LONGEST_QUEUE, "duration",
     {"window-longest_queue", "today-longest_queue"}, 1e-3, T_NONE},
    {CX_SKILL_SERVICE_LEVEL, "percent",
     {"window-service_level", "today-service_level"}, 1, T_NONE},
};

#define NLIVE (sizeof(live_series) / sizeof(live_series[0]))
#define NSUMMARY (sizeof(summary_series) / sizeof(summary_series[0]))

/* The fields each endpoint's figures keep. */
#define LIVE_MASK                                                              \
  (BIT(CX_SKILL_QUEUE) | BIT(CX_SKILL_ACTIVE) |                                \
   BIT(CX_SKILL_AGENTS_AVAILABLE) | BIT(CX_SKILL_AGENTS_WORKING) |             \
   BIT(CX_SKILL_AGENTS_ACW) | BIT(CX_SKILL_AGENTS_UNAVAILABLE) |               \
   BIT(CX_SKILL_AGENTS_LOGGED_IN) | BIT(CX_SKILL_SERVICE_LEVEL) |              \
   BIT(CX_SKILL_EARLIEST_QUEUE))
#define SUMMARY_MASK                                                           \
  (BIT(CX_SKILL_OFFERED) | BIT(CX_SKILL_HANDLED) | BIT(CX_SKILL_ABANDONED) |   \
   BIT(CX_SKILL_ABANDON_RATE) | BIT(CX_SKILL_SPEED_OF_ANSWER) |                \
   BIT(CX_SKILL_HANDLE_TIME) | BIT(CX_SKILL_LONGEST_QUEUE) |                   \
   BIT(CX_SKILL_SERVICE_LEVEL))

void cx_skills_init(struct cx_skills *s, char *const *filter, size_t nfilter) {
  *s = (struct cx_skills){.filter = filter, .nfilter = nfilter};
}

void cx_skills_free(struct cx_skills *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->items[i].name);
  free(s->items);
  *s = (struct cx_skills){.filter = s->filter, .nfilter = s->nfilter};
}

bool cx_skills_wanted(const struct cx_skills *s, const char *name) {
  if (s->nfilter == 0)
    return true;
  for (size_t i = 0; name != NULL && i < s->nfilter; i++)
    if (strcasecmp(s->filter[i], name) == 0)
      return true;
  return false;
}

/* Index of the first item with id >= id. */
static size_t lower_bound(const struct cx_skills *s, int64_t id) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->items[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static struct cx_skill *find(struct cx_skills *s, int64_t id) {
  size_t i = lower_bound(s, id);
  return i < s->n && s->items[i].id == id ? &s->items[i] : NULL;
}

/* The skill of record r, added when new and wanted; NULL when it is not
 * wanted (*nomem false) or memory ran out (*nomem true). */
static struct cx_skill *skill_of(struct cx_skills *s,
                                 const struct cx_skill_record *r, bool *nomem) {
  *nomem = false;
  struct cx_skill *k = find(s, r->skill_id);
  const char *name = r->name != NULL ? r->name : k != NULL ? k->name : NULL;
  if (!cx_skills_wanted(s, name))
    return NULL;
  if (k == NULL) {
    if (CX_ARRAY_RESERVE(s->items, s->cap, s->n + 1) != CX_OK) {
      *nomem = true;
      return NULL;
    }
    size_t at = lower_bound(s, r->skill_id);
    memmove(&s->items[at + 1], &s->items[at], (s->n - at) * sizeof(*k));
    s->n++;
    k = &s->items[at];
    memset(k, 0, sizeof(*k));
    k->id = r->skill_id;
  }
  if (r->name != NULL && (k->name == NULL || strcmp(k->name, r->name) != 0)) {
    char *copy = strdup(r->name);
    if (copy == NULL) {
      *nomem = true;
      return k;
    }
    free(k->name);
    k->name = copy;
  }
  return k;
}

/* Drops the skills nothing is known of. */
static void prune(struct cx_skills *s) {
  size_t kept = 0;
  for (size_t i = 0; i < s->n; i++) {
    struct cx_skill *k = &s->items[i];
    bool any = k->live.listed;
    for (int p = 0; p < CX_SKILL_NPERIODS; p++)
      any = any || k->summary[p].listed;
    if (!any) {
      free(k->name);
      continue;
    }
    s->items[kept++] = *k;
  }
  s->n = kept;
}

/* Copies the fields of r in mask into f. */
static void take(struct cx_skill_figures *f, const struct cx_skill_record *r,
                 uint32_t mask) {
  for (int i = 0; i < CX_SKILL_NFIELDS; i++)
    if (r->have & mask & BIT(i)) {
      f->value[i] = r->value[i];
      f->have |= BIT(i);
    }
}

enum cx_status cx_skills_apply_live(struct cx_skills *s,
                                    const struct cx_skills_page *pg,
                                    bool full) {
  enum cx_status st = CX_OK;
  for (size_t i = 0; full && i < s->n; i++)
    s->items[i].live = (struct cx_skill_figures){0}; /* gone unless listed */
  for (size_t i = 0; i < pg->count; i++) {
    bool nomem;
    struct cx_skill *k = skill_of(s, &pg->records[i], &nomem);
    if (nomem)
      st = CX_ERR_NOMEM;
    if (k == NULL)
      continue;
    k->live = (struct cx_skill_figures){0}; /* the record's figures only */
    take(&k->live, &pg->records[i], LIVE_MASK);
    k->live.listed = true;
  }
  s->live = true;
  prune(s);
  return st;
}

enum cx_status cx_skills_apply_summary(struct cx_skills *s,
                                       enum cx_skill_period period,
                                       const struct cx_skills_page *pg) {
  enum cx_status st = CX_OK;
  for (size_t i = 0; i < s->n; i++)
    s->items[i].summary[period] = (struct cx_skill_figures){0};
  for (size_t i = 0; i < pg->count; i++) {
    bool nomem;
    struct cx_skill *k = skill_of(s, &pg->records[i], &nomem);
    if (nomem)
      st = CX_ERR_NOMEM;
    if (k != NULL) {
      take(&k->summary[period], &pg->records[i], SUMMARY_MASK);
      k->summary[period].listed = true;
    }
  }
  s->summary[period] = true;
  prune(s);
  return st;
}

void cx_skills_forget_live(struct cx_skills *s) {
  for (size_t i = 0; i < s->n; i++)
    s->items[i].live = (struct cx_skill_figures){0};
  s->live = false;
  prune(s);
}

void cx_skills_forget_summaries(struct cx_skills *s) {
  for (size_t i = 0; i < s->n; i++)
    for (int p = 0; p < CX_SKILL_NPERIODS; p++)
      s->items[i].summary[p] = (struct cx_skill_figures){0};
  for (int p = 0; p < CX_SKILL_NPERIODS; p++)
    s->summary[p] = false;
  prune(s);
}

enum cx_status cx_skills_labels(const struct cx_skills *s,
                                struct cx_label **labels) {
  *labels = calloc(s->n ? s->n : 1, sizeof(**labels));
  if (*labels == NULL)
    return CX_ERR_NOMEM;
  for (size_t i = 0; i < s->n; i++) {
    char id[24];
    snprintf(id, sizeof(id), "%" PRId64, s->items[i].id);
    cx_name_sanitize(s->items[i].name != NULL ? s->items[i].name : id,
                     (*labels)[i].text, sizeof((*labels)[i].text));
    (*labels)[i].id = s->items[i].id;
  }
  enum cx_status st = cx_labels_make_unique(*labels, s->n, CX_TAG_DECIMAL);
  if (st != CX_OK) {
    free(*labels);
    *labels = NULL;
  }
  return st;
}

/* ---- walks ---- */

/* Live figure j of skill k at now: false when the answers did not give it.
 * The longest wait: now - earliestQueueTime, never negative, 0 when nobody
 * waits (the queue known empty, whatever earliestQueueTime still says, or
 * earliestQueueTime null or ""). */
static bool live_value(const struct cx_skill *k, size_t j, cx_ms_t now,
                       double *out) {
  const struct cx_skill_figures *f = &k->live;
  int field = live_series[j].field;
  if (field != LONGEST_WAIT) {
    if (!(f->have & BIT(field)))
      return false;
    *out = f->value[field] * live_series[j].scale;
    return true;
  }
  if ((f->have & BIT(CX_SKILL_QUEUE)) && f->value[CX_SKILL_QUEUE] == 0) {
    *out = 0;
    return true;
  }
  if (f->have & BIT(CX_SKILL_EARLIEST_QUEUE)) {
    double since = f->value[CX_SKILL_EARLIEST_QUEUE];
    double wait = since > 0 ? (double)now - since : 0;
    *out = (wait > 0 ? wait : 0) * live_series[j].scale;
    return true;
  }
  return false;
}

int cx_skills_figures(const struct cx_skills *s, const struct cx_skill *k,
                      cx_ms_t now, cx_skill_figure_fn fn, void *ctx) {
  int rc = 0;
  double v;
  for (size_t j = 0; s->live && j < NLIVE && rc == 0; j++)
    if (live_value(k, j, now, &v))
      rc = fn(ctx, &(struct cx_skill_figure){live_series[j].type,
                                             live_series[j].instance, v});
  for (int p = 0; p < CX_SKILL_NPERIODS && rc == 0; p++) {
    const struct cx_skill_figures *f = &k->summary[p];
    for (size_t j = 0; s->summary[p] && j < NSUMMARY && rc == 0; j++)
      if (f->have & BIT(summary_series[j].field))
        rc = fn(ctx, &(struct cx_skill_figure){
                         summary_series[j].type, summary_series[j].instance[p],
                         f->value[summary_series[j].field] *
                             summary_series[j].scale});
  }
  return rc;
}

int cx_skills_totals(const struct cx_skills *s, cx_ms_t now,
                     cx_skill_figure_fn fn, void *ctx) {
  int rc = 0;
  for (size_t j = 0; s->live && j < NLIVE && rc == 0; j++) {
    if (live_series[j].total == T_NONE)
      continue;
    double total = 0, v;
    for (size_t i = 0; i < s->n; i++)
      if (live_value(&s->items[i], j, now, &v))
        total = live_series[j].total == T_SUM ? total + v
                : v > total                   ? v
                                              : total;
    rc = fn(ctx, &(struct cx_skill_figure){live_series[j].type,
                                           live_series[j].instance, total});
  }
  for (int p = 0; p < CX_SKILL_NPERIODS && rc == 0; p++)
    for (size_t j = 0; s->summary[p] && j < NSUMMARY && rc == 0; j++) {
      if (summary_series[j].total != T_SUM)
        continue;
      double total = 0;
      for (size_t i = 0; i < s->n; i++)
        if (s->items[i].summary[p].have & BIT(summary_series[j].field))
          total += s->items[i].summary[p].value[summary_series[j].field];
      rc = fn(ctx, &(struct cx_skill_figure){
                       summary_series[j].type, summary_series[j].instance[p],
                       total * summary_series[j].scale});
    }
  return rc;
}
