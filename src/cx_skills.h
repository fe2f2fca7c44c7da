/*
 * cx_skills.h: the skill table of one tenant, free of collectd and of I/O:
 * each skill's live figures (skills/activity) and its summaries over the
 * window and the day so far (skills/summary), the labels that name them,
 * and the walks that decide which figures a skill and the "all" scope show
 * (the emitter and tests walk through them; doc/cxone-api.md §7).
 *
 * Live answers are full (every skill: one not listed is gone) or deltas
 * (only the skills that changed); a summary answer replaces that period's
 * figures.  A skill nothing is known of any more is dropped.  Skill names
 * filter (Skill, case-insensitive; none: every skill).
 */
#ifndef CX_SKILLS_H
#define CX_SKILLS_H

#include "cx_json.h"
#include "cx_names.h"
#include "cx_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cx_skill_period { CX_SKILL_WINDOW, CX_SKILL_TODAY, CX_SKILL_NPERIODS };

/* Values as parsed (cx_json.h: counts, percent, ms, ms since the epoch)
 * and which of them the last answers gave. */
struct cx_skill_figures {
  double value[CX_SKILL_NFIELDS];
  uint32_t have; /* bit 1u << field */
  bool listed;   /* the last answer listed the skill */
};

struct cx_skill {
  int64_t id;
  char *name;                     /* NULL until an answer names it */
  struct cx_skill_figures live;   /* have 0: not in the live answers */
  struct cx_skill_figures summary[CX_SKILL_NPERIODS];
};

struct cx_skills {
  struct cx_skill *items; /* sorted by id */
  size_t n, cap;
  bool live;                          /* live figures are known */
  bool summary[CX_SKILL_NPERIODS];    /* that period's summary is known */
  char *const *filter;                /* Skill names (not owned) */
  size_t nfilter;
};

/* filter: nfilter names that must outlive s (none: every skill). */
void cx_skills_init(struct cx_skills *s, char *const *filter, size_t nfilter);
void cx_skills_free(struct cx_skills *s);

/* Whether a skill of that name passes the filter (NULL: unknown name,
 * which passes only an empty filter). */
bool cx_skills_wanted(const struct cx_skills *s, const char *name);

/* A skills/activity answer: full (every skill; the others are gone) or a
 * delta (the skills listed changed; the others stay).  CX_OK or
 * CX_ERR_NOMEM (s then holds what it could). */
enum cx_status cx_skills_apply_live(struct cx_skills *s,
                                    const struct cx_skills_page *pg, bool full);

/* A skills/summary answer for one period: replaces that period's figures. */
enum cx_status cx_skills_apply_summary(struct cx_skills *s,
                                       enum cx_skill_period period,
                                       const struct cx_skills_page *pg);

/* Forgets the live figures (the endpoint refused), or every summary. */
void cx_skills_forget_live(struct cx_skills *s);
void cx_skills_forget_summaries(struct cx_skills *s);

/* labels[i] names items[i]: its sanitised name (its id when unnamed), made
 * unique by the skill id (cx_labels_make_unique).  *labels is malloc'd
 * (free it).  CX_OK or CX_ERR_NOMEM. */
enum cx_status cx_skills_labels(const struct cx_skills *s,
                                struct cx_label **labels);

/* One figure: a collectd type and type instance, and its value (seconds
 * for durations). */
struct cx_skill_figure {
  const char *type;
  const char *instance;
  double value;
};
typedef int (*cx_skill_figure_fn)(void *ctx, const struct cx_skill_figure *f);

/* One skill's figures at instant now, those the answers gave: live
 *   count-queue, duration-longest_wait (now - earliestQueueTime, >= 0; 0
 *   when nobody waits), count-active, count-agents_available, _working,
 *   _acw, _unavailable, _logged_in, percent-service_level;
 * then per period (window-, today-)
 *   count-<p>-offered, -handled, -abandoned, percent-<p>-abandon_rate,
 *   duration-<p>-speed_of_answer, -handle_time, -longest_queue,
 *   percent-<p>-service_level.
 * fn's non-zero return stops the walk and is returned (else 0). */
int cx_skills_figures(const struct cx_skills *s, const struct cx_skill *k,
                      cx_ms_t now, cx_skill_figure_fn fn, void *ctx);

/* The "all" scope: only what aggregates honestly.  With live figures
 * count-queue and count-active (sums), duration-longest_wait (the max);
 * with a period's summary count-<p>-offered, -handled, -abandoned (sums).
 * Agent counts (an agent holds several skills), service levels, rates and
 * averages are not added up. */
int cx_skills_totals(const struct cx_skills *s, cx_ms_t now,
                     cx_skill_figure_fn fn, void *ctx);

#endif /* CX_SKILLS_H */
