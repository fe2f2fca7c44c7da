/*
 * cxq_output.c: the history report as a table, CSV or JSON (see
 * cxq_output.h).
 *
 * Table and CSV share one row model: each line is a list of cells, rendered
 * either padded to column widths (counted in UTF-8 characters) or as
 * RFC 4180 fields.  CSV is one table with a `type` column (interval or
 * total) so that a script reads a single header.  JSON is built with json-c;
 * its "totals" object has the shape of cxone-sim's /sim/truth (agents, teams,
 * all; "Unavailable-<Reason>" keys only when non-zero).  The table leaves
 * out zero totals; CSV and JSON carry every base state, as the plugin does.
 *
 * Names come from the server (teams, reasons) and the conf (the tenant), so
 * every cell goes through cxq_escape before it is stored: widths count the
 * escaped form and the terminal never receives a control character.  JSON
 * needs no such step: json-c escapes C0 controls, quotes and backslashes
 * (it writes DEL and non-ASCII bytes as they are, which JSON allows).
 *
 * The skills report (cxq_output_skills) goes through the same layers: the
 * figures of each skill and of "all" are those cx_skills' walks give (the
 * plugin's series: "window-" marks a summary figure, its name is the rest),
 * so this file only lays them out.  The table's columns are the union of
 * the figures walked, in the walks' order.
 */
#include "cxq_output.h"
#include "cx_array.h"

#include <json-c/json.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The skills tables: skill, id and a column per figure. */
#define SKILL_MAX_FIGURES 24
#define MAX_COLS (2 + SKILL_MAX_FIGURES)

/* ---- escaping ---- */

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p) {
  unsigned c = p[0];
  size_t n;
  unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if (p[1] < lo || p[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if ((p[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

static char *put_hex(char *o, unsigned char b) {
  static const char hex[] = "0123456789abcdef";
  *o++ = '\\';
  *o++ = 'x';
  *o++ = hex[b >> 4];
  *o++ = hex[b & 15];
  return o;
}

char *cxq_escape(const char *s, bool csv) {
  char *out = malloc(4 * strlen(s) + 1); /* \xHH is the longest form */
  if (out == NULL)
    return NULL;
  char *o = out;
  const unsigned char *p = (const unsigned char *)s;
  while (*p != '\0') {
    unsigned c = *p;
    if (c >= 0x80) {
      size_t n = utf8_seq(p);
      if (n == 0) { /* not UTF-8: a byte that 8-bit terminals may obey */
        o = put_hex(o, *p++);
      } else if (n == 2 && c == 0xC2 && p[1] <= 0x9F) { /* U+0080..U+009F */
        o = put_hex(o, p[0]);
        o = put_hex(o, p[1]);
        p += 2;
      } else {
        memcpy(o, p, n);
        o += n;
        p += n;
      }
      continue;
    }
    p++;
    if (csv && (c == '\r' || c == '\n'))
      *o++ = (char)c; /* csv_field quotes the field */
    else if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
      *o++ = '\\';
      *o++ = c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
    } else if (c < 0x20 || c == 0x7F)
      o = put_hex(o, (unsigned char)c);
    else
      *o++ = (char)c;
  }
  *o = '\0';
  return out;
}

/* ---- table and CSV rendering ---- */

struct table {
  size_t ncols;
  bool csv;     /* cells keep CR and LF (csv_field quotes them) */
  char **cells; /* nrows * ncols, row 0 is the header */
  size_t nrows, cap; /* cap: cells */
  bool failed;
};

static void table_row(struct table *t, const char *const *cells) {
  if (t->failed)
    return;
  if (CX_ARRAY_RESERVE(t->cells, t->cap, (t->nrows + 1) * t->ncols) != CX_OK) {
    t->failed = true;
    return;
  }
  char **row = &t->cells[t->nrows * t->ncols];
  for (size_t i = 0; i < t->ncols; i++)
    if ((row[i] = cxq_escape(cells[i] ? cells[i] : "", t->csv)) == NULL)
      t->failed = true;
  t->nrows++;
}

static void table_free(struct table *t) {
  for (size_t i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
}

static size_t utf8_width(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* right: columns aligned right (numbers). */
static void table_print(FILE *out, const struct table *t, const bool *right) {
  size_t w[MAX_COLS] = {0};
  for (size_t r = 0; r < t->nrows; r++)
    for (size_t c = 0; c < t->ncols; c++) {
      size_t n = utf8_width(t->cells[r * t->ncols + c]);
      if (n > w[c])
        w[c] = n;
    }
  for (size_t r = 0; r < t->nrows; r++) {
    for (size_t c = 0; c < t->ncols; c++) {
      const char *cell = t->cells[r * t->ncols + c];
      int pad = (int)(w[c] - utf8_width(cell));
      bool last = c + 1 == t->ncols;
      if (right[c])
        fprintf(out, "%*s%s", pad, "", cell);
      else
        fprintf(out, "%s%*s", cell, last ? 0 : pad, "");
      fputs(last ? "\n" : "  ", out);
    }
  }
}

static void csv_field(FILE *out, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

static void csv_print(FILE *out, const struct table *t) {
  for (size_t r = 0; r < t->nrows; r++)
    for (size_t c = 0; c < t->ncols; c++) {
      csv_field(out, t->cells[r * t->ncols + c]);
      fputs(c + 1 == t->ncols ? "\r\n" : ",", out);
    }
}

/* ---- values as text ---- */

static void fmt_seconds(cx_ms_t ms, char *buf, size_t size) {
  snprintf(buf, size, "%lld.%03lld", (long long)(ms / 1000),
           (long long)(ms % 1000));
}

static void fmt_hms(cx_ms_t ms, char *buf, size_t size) {
  long long s = ms / 1000;
  snprintf(buf, size, "%lld:%02lld:%02lld.%03lld", s / 3600, s / 60 % 60,
           s % 60, (long long)(ms % 1000));
}

static void fmt_time(cx_ms_t t, char *buf, size_t size) {
  if (cx_time_format(t, buf, size) != CX_OK)
    snprintf(buf, size, "?");
}

/* ---- totals: one callback per (scope, state or reason) ---- */

struct total {
  const char *scope_kind; /* "agent", "team", "all" */
  const char *scope;      /* agent id text, team name, "all" */
  const char *team;       /* agent scopes: its team */
  const char *state;
  const char *reason;     /* NULL for a base state */
  cx_ms_t ms;
};

typedef void (*total_fn)(void *ctx, const struct total *t);

struct scope_walk {
  const struct cx_snapshot *snap;
  struct total *t;
  total_fn fn;
  void *ctx;
};

static int total_figure(void *ctx, const struct cx_figure *f) {
  struct scope_walk *w = ctx;
  w->t->state = cx_state_name(f->state);
  w->t->reason = f->reason ? cx_snapshot_reason_name(w->snap, f->reason) : NULL;
  w->t->ms = f->value;
  w->fn(w->ctx, w->t);
  return 0;
}

static void scope_totals(const struct cx_snapshot *snap, const struct cx_scope *sc,
                         struct total *t, total_fn fn, void *ctx) {
  struct scope_walk w = {snap, t, fn, ctx};
  cx_snapshot_durations(snap, sc, total_figure, &w);
}

static int by_agent_id(const void *a, const void *b) {
  const struct cx_snapshot_agent *x = *(const struct cx_snapshot_agent *const *)a;
  const struct cx_snapshot_agent *y = *(const struct cx_snapshot_agent *const *)b;
  return (x->id > y->id) - (x->id < y->id);
}

static const char *agent_team(const struct cx_snapshot *snap,
                              const struct cx_snapshot_agent *a) {
  return a->team >= 0 ? snap->teams[a->team].name : NULL;
}

static int each_total(const struct cx_snapshot *snap, total_fn fn, void *ctx) {
  const struct cx_snapshot_agent **agents =
      malloc((snap->nagents ? snap->nagents : 1) * sizeof(*agents));
  if (agents == NULL)
    return -1;
  for (size_t i = 0; i < snap->nagents; i++)
    agents[i] = &snap->agents[i];
  qsort(agents, snap->nagents, sizeof(*agents), by_agent_id);
  char id[24];
  for (size_t i = 0; i < snap->nagents; i++) {
    snprintf(id, sizeof(id), "%lld", (long long)agents[i]->id);
    struct total t = {"agent", id, agent_team(snap, agents[i]), NULL, NULL, 0};
    scope_totals(snap, &agents[i]->values, &t, fn, ctx);
  }
  free(agents);
  for (size_t i = 0; i < snap->nteams; i++) {
    struct total t = {"team", snap->teams[i].name, snap->teams[i].name, NULL, NULL, 0};
    scope_totals(snap, &snap->teams[i].values, &t, fn, ctx);
  }
  struct total t = {"all", "all", NULL, NULL, NULL, 0};
  scope_totals(snap, &snap->all, &t, fn, ctx);
  return 0;
}

/* ---- table and CSV ---- */

struct rows_ctx {
  struct table *t;
  const struct cxq_report *r;
  bool csv;
};

static void total_row(void *ctx, const struct total *t) {
  struct rows_ctx *c = ctx;
  char secs[32], hms[32], since[CX_ISO8601_SIZE], until[CX_ISO8601_SIZE];
  fmt_seconds(t->ms, secs, sizeof(secs));
  if (c->csv) {
    char scope[200];
    snprintf(scope, sizeof(scope), "%s%s%s", t->scope_kind,
             strcmp(t->scope_kind, "all") ? "-" : "",
             strcmp(t->scope_kind, "all") ? t->scope : "");
    fmt_time(c->r->since, since, sizeof(since));
    fmt_time(c->r->until, until, sizeof(until));
    const char *row[] = {"total", scope,
                         strcmp(t->scope_kind, "agent") ? "" : t->scope,
                         t->team, t->state, t->reason, since, until, secs};
    table_row(c->t, row);
    return;
  }
  if (t->ms == 0)
    return;
  char scope[200];
  snprintf(scope, sizeof(scope), "%s %s", t->scope_kind,
           strcmp(t->scope_kind, "all") ? t->scope : "agents");
  fmt_hms(t->ms, hms, sizeof(hms));
  const char *row[] = {scope, t->state, t->reason, secs, hms};
  table_row(c->t, row);
}

static void interval_row(struct table *t, const struct cxq_interval *iv,
                         bool csv) {
  char agent[24], scope[32], start[CX_ISO8601_SIZE], end[CX_ISO8601_SIZE],
      secs[32], hms[32];
  snprintf(agent, sizeof(agent), "%lld", (long long)iv->agent);
  snprintf(scope, sizeof(scope), "agent-%lld", (long long)iv->agent);
  fmt_time(iv->start, start, sizeof(start));
  fmt_time(iv->end, end, sizeof(end));
  fmt_seconds(iv->end - iv->start, secs, sizeof(secs));
  fmt_hms(iv->end - iv->start, hms, sizeof(hms));
  const char *state = cx_state_name(iv->state);
  if (csv) {
    const char *row[] = {"interval", scope, agent, iv->team, state,
                         iv->reason, start, end, secs};
    table_row(t, row);
  } else {
    const char *row[] = {agent, iv->team, state, iv->reason, start, end, hms};
    table_row(t, row);
  }
}

static int output_csv(FILE *out, const struct cxq_report *r) {
  static const char *const head[] = {"type", "scope", "agent", "team", "state",
                                     "reason", "start", "end", "seconds"};
  struct table t = {.ncols = 9, .csv = true};
  table_row(&t, head);
  for (size_t i = 0; i < r->nintervals; i++)
    interval_row(&t, &r->intervals[i], true);
  struct rows_ctx c = {&t, r, true};
  int rc = each_total(r->snap, total_row, &c);
  if (rc == 0 && !t.failed)
    csv_print(out, &t);
  rc = rc != 0 || t.failed ? -1 : 0;
  table_free(&t);
  return rc;
}

static int output_table(FILE *out, const struct cxq_report *r) {
  static const char *const ihead[] = {"AGENT", "TEAM", "STATE", "REASON",
                                      "START", "END", "DURATION"};
  static const bool iright[] = {true, false, false, false, false, false, true};
  static const char *const thead[] = {"SCOPE", "STATE", "REASON", "SECONDS",
                                      "DURATION"};
  static const bool tright[] = {false, false, false, true, true};
  char since[CX_ISO8601_SIZE], until[CX_ISO8601_SIZE], secs[32];
  fmt_time(r->since, since, sizeof(since));
  fmt_time(r->until, until, sizeof(until));
  fmt_seconds(r->until - r->since, secs, sizeof(secs));

  struct table it = {.ncols = 7}, tt = {.ncols = 5};
  table_row(&it, ihead);
  for (size_t i = 0; i < r->nintervals; i++)
    interval_row(&it, &r->intervals[i], false);
  table_row(&tt, thead);
  struct rows_ctx c = {&tt, r, false};
  int rc = each_total(r->snap, total_row, &c);
  char *tenant = r->tenant ? cxq_escape(r->tenant, false) : NULL;
  if (r->tenant != NULL && tenant == NULL)
    rc = -1;
  if (rc == 0 && !it.failed && !tt.failed) {
    fprintf(out, "State history%s%s%s, %s to %s (%s s)\n\n",
             tenant ? " of tenant \"" : "", tenant ? tenant : "",
             tenant ? "\"" : "", since, until, secs);
    if (r->nintervals > 0)
      table_print(out, &it, iright);
    else
      fputs("(no state intervals in this range)\n", out);
    fprintf(out, "\nTotals in the window (states with 0 s left out)\n\n");
    table_print(out, &tt, tright);
  }
  rc = rc != 0 || it.failed || tt.failed ? -1 : 0;
  free(tenant);
  table_free(&it);
  table_free(&tt);
  return rc;
}

/* ---- JSON ---- */

/* doc, pretty-printed, and a newline: 0, or -1 when json-c could not. */
static int print_json(FILE *out, json_object *doc) {
  const char *text = json_object_to_json_string_ext(
      doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (text == NULL)
    return -1;
  fputs(text, out);
  fputc('\n', out);
  return 0;
}

static json_object *json_seconds(cx_ms_t ms) {
  char buf[32];
  fmt_seconds(ms, buf, sizeof(buf));
  return json_object_new_double_s((double)ms / 1000.0, buf);
}

static json_object *json_time(cx_ms_t t) {
  char buf[CX_ISO8601_SIZE];
  fmt_time(t, buf, sizeof(buf));
  return json_object_new_string(buf);
}

static json_object *json_str(const char *s) {
  return s != NULL ? json_object_new_string(s) : NULL;
}

struct json_ctx {
  json_object *agents, *teams, *all;
  bool failed;
};

static void total_json(void *ctx, const struct total *t) {
  struct json_ctx *c = ctx;
  json_object *parent = strcmp(t->scope_kind, "agent") == 0  ? c->agents
                        : strcmp(t->scope_kind, "team") == 0 ? c->teams
                                                             : NULL;
  json_object *scope = c->all, *durations;
  if (parent != NULL && !json_object_object_get_ex(parent, t->scope, &scope)) {
    scope = json_object_new_object();
    if (scope == NULL || json_object_object_add(parent, t->scope, scope) != 0) {
      c->failed = true;
      return;
    }
    if (strcmp(t->scope_kind, "agent") == 0)
      json_object_object_add(scope, "team", json_str(t->team));
  }
  if (!json_object_object_get_ex(scope, "durations", &durations)) {
    durations = json_object_new_object();
    if (durations == NULL || json_object_object_add(scope, "durations", durations) != 0) {
      c->failed = true;
      return;
    }
  }
  char key[200];
  snprintf(key, sizeof(key), "%s%s%s", t->state, t->reason ? "-" : "",
           t->reason ? t->reason : "");
  if (json_object_object_add(durations, key, json_seconds(t->ms)) != 0)
    c->failed = true;
}

static int output_json(FILE *out, const struct cxq_report *r) {
  json_object *doc = json_object_new_object();
  json_object *list = json_object_new_array();
  json_object *totals = json_object_new_object();
  struct json_ctx c = {json_object_new_object(), json_object_new_object(),
                       json_object_new_object(), false};
  int rc = -1;
  if (doc == NULL || list == NULL || totals == NULL || c.agents == NULL ||
      c.teams == NULL || c.all == NULL) {
    json_object_put(list);
    json_object_put(totals);
    json_object_put(c.agents);
    json_object_put(c.teams);
    json_object_put(c.all);
    goto out;
  }
  json_object_object_add(doc, "tenant", json_str(r->tenant));
  json_object_object_add(doc, "since", json_time(r->since));
  json_object_object_add(doc, "until", json_time(r->until));
  json_object_object_add(doc, "window", json_seconds(r->until - r->since));
  json_object_object_add(doc, "intervals", list);
  json_object_object_add(totals, "agents", c.agents);
  json_object_object_add(totals, "teams", c.teams);
  json_object_object_add(totals, "all", c.all);
  json_object_object_add(doc, "totals", totals);
  for (size_t i = 0; i < r->nintervals; i++) {
    const struct cxq_interval *iv = &r->intervals[i];
    json_object *o = json_object_new_object();
    if (o == NULL || json_object_array_add(list, o) != 0) {
      json_object_put(o);
      goto out;
    }
    json_object_object_add(o, "agent", json_object_new_int64(iv->agent));
    json_object_object_add(o, "team", json_str(iv->team));
    json_object_object_add(o, "state", json_str(cx_state_name(iv->state)));
    json_object_object_add(o, "reason", json_str(iv->reason));
    json_object_object_add(o, "start", json_time(iv->start));
    json_object_object_add(o, "end", json_time(iv->end));
    json_object_object_add(o, "seconds", json_seconds(iv->end - iv->start));
  }
  if (each_total(r->snap, total_json, &c) != 0 || c.failed)
    goto out;
  rc = print_json(out, doc);
out:
  json_object_put(doc);
  return rc;
}

/* ---- skills ---- */

enum fig_kind { FK_LIVE, FK_SUMMARY, FK_NKINDS };

struct fig {
  enum fig_kind kind;
  const char *name; /* the plugin's type instance without "window-" */
  const char *type; /* count, duration (seconds) or percent */
  double value;
};

/* One scope's figures as walked: a skill (k) or "all" (k NULL). */
struct skill_scope {
  const struct cx_skill *k;
  const char *label;
  struct fig v[SKILL_MAX_FIGURES];
  size_t n;
};

static int collect_fig(void *ctx, const struct cx_skill_figure *f) {
  struct skill_scope *sc = ctx;
  const char *name = f->instance;
  enum fig_kind kind = FK_LIVE;
  if (strncmp(name, "window-", 7) == 0) {
    kind = FK_SUMMARY;
    name += 7;
  } else if (strncmp(name, "today-", 6) == 0) {
    return 0; /* the command asks for no day summary */
  }
  if (sc->n < SKILL_MAX_FIGURES)
    sc->v[sc->n++] = (struct fig){kind, name, f->type, f->value};
  return 0;
}

/* The scopes of the report: every skill, then "all"; *nscopes of them, in
 * a new array (NULL when out of memory; *labels freed by the caller). */
static struct skill_scope *skill_scopes(const struct cxq_skills_report *r,
                                        struct cx_label **labels,
                                        size_t *nscopes) {
  const struct cx_skills *s = r->skills;
  *labels = NULL;
  if (cx_skills_labels(s, labels) != CX_OK)
    return NULL;
  struct skill_scope *sc = calloc(s->n + 1, sizeof(*sc));
  if (sc == NULL) {
    free(*labels);
    *labels = NULL;
    return NULL;
  }
  for (size_t i = 0; i < s->n; i++) {
    sc[i].k = &s->items[i];
    sc[i].label = (*labels)[i].text;
    cx_skills_figures(s, &s->items[i], r->live_at, collect_fig, &sc[i]);
  }
  sc[s->n].label = "all";
  cx_skills_totals(s, r->live_at, collect_fig, &sc[s->n]);
  *nscopes = s->n + 1;
  return sc;
}

static const char *unit_of(const char *type) {
  return strcmp(type, "duration") == 0 ? "seconds" : type;
}

/* Counts whole; seconds to the millisecond (table: tenths); percents to
 * two places without trailing zeros (table: one place). */
static void fmt_figure(const struct fig *f, bool table, char *buf,
                       size_t size) {
  if (strcmp(f->type, "count") == 0) {
    snprintf(buf, size, "%.0f", f->value);
  } else if (strcmp(f->type, "duration") == 0) {
    snprintf(buf, size, table ? "%.1f" : "%.3f", f->value);
  } else if (table) {
    snprintf(buf, size, "%.1f", f->value);
  } else {
    snprintf(buf, size, "%.2f", f->value);
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
      char *end = buf + strlen(buf);
      while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
      if (end == dot + 1)
        *dot = '\0';
    }
  }
}

static const char *skill_name(const struct cx_skill *k, char *buf,
                              size_t size) {
  if (k->name != NULL)
    return k->name;
  snprintf(buf, size, "%lld", (long long)k->id);
  return buf;
}

/* The columns of one kind: the figures' names in the walks' order. */
struct fig_columns {
  const char *name[SKILL_MAX_FIGURES];
  size_t n;
};

static void columns_add(struct fig_columns *c, const struct skill_scope *sc,
                        enum fig_kind kind) {
  size_t at = 0; /* after the last column this scope had */
  for (size_t i = 0; i < sc->n; i++) {
    if (sc->v[i].kind != kind)
      continue;
    size_t j = 0;
    while (j < c->n && strcmp(c->name[j], sc->v[i].name) != 0)
      j++;
    if (j == c->n) {
      if (c->n == SKILL_MAX_FIGURES)
        continue;
      j = at < c->n ? at : c->n;
      memmove(&c->name[j + 1], &c->name[j], (c->n - j) * sizeof(c->name[0]));
      c->name[j] = sc->v[i].name;
      c->n++;
    }
    at = j + 1;
  }
}

static const char *heading(const char *name) {
  static const struct {
    const char *name, *head;
  } heads[] = {
      {"queue", "QUEUE"}, {"longest_wait", "LONGEST WAIT"},
      {"active", "ACTIVE"}, {"agents_available", "AVAILABLE"},
      {"agents_working", "WORKING"}, {"agents_acw", "ACW"},
      {"agents_unavailable", "UNAVAILABLE"}, {"agents_logged_in", "LOGGED IN"},
      {"service_level", "SL %"}, {"offered", "OFFERED"},
      {"handled", "HANDLED"}, {"abandoned", "ABANDONED"},
      {"abandon_rate", "ABANDON %"}, {"speed_of_answer", "SPEED OF ANSWER"},
      {"handle_time", "HANDLE TIME"}, {"longest_queue", "LONGEST QUEUE"},
  };
  for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
    if (strcmp(heads[i].name, name) == 0)
      return heads[i].head;
  return name;
}

/* One table of a kind: a row per scope with any figure of that kind. */
static void skill_table(struct table *t, const struct fig_columns *c,
                        const struct skill_scope *sc, size_t nscopes,
                        enum fig_kind kind) {
  const char *row[MAX_COLS];
  char cells[SKILL_MAX_FIGURES][32], id[24], name[24];
  row[0] = "SKILL";
  row[1] = "ID";
  for (size_t j = 0; j < c->n; j++)
    row[2 + j] = heading(c->name[j]);
  table_row(t, row);
  for (size_t i = 0; i < nscopes; i++) {
    bool any = false;
    for (size_t j = 0; j < c->n; j++)
      snprintf(cells[j], sizeof(cells[j]), "-");
    for (size_t f = 0; f < sc[i].n; f++) {
      if (sc[i].v[f].kind != kind)
        continue;
      for (size_t j = 0; j < c->n; j++)
        if (strcmp(c->name[j], sc[i].v[f].name) == 0) {
          fmt_figure(&sc[i].v[f], true, cells[j], sizeof(cells[j]));
          any = true;
        }
    }
    if (!any && sc[i].k == NULL)
      continue; /* "all" without a total of this kind */
    if (sc[i].k != NULL) {
      snprintf(id, sizeof(id), "%lld", (long long)sc[i].k->id);
      row[0] = skill_name(sc[i].k, name, sizeof(name));
      row[1] = id;
    } else {
      row[0] = "all";
      row[1] = "";
    }
    for (size_t j = 0; j < c->n; j++)
      row[2 + j] = cells[j];
    table_row(t, row);
  }
}

static int skills_table(FILE *out, const struct cxq_skills_report *r,
                        const struct skill_scope *sc, size_t nscopes) {
  static const char *const title[FK_NKINDS] = {"Live", "Summary"};
  bool right[MAX_COLS];
  struct fig_columns cols[FK_NKINDS] = {0};
  struct table t[FK_NKINDS] = {{0}, {0}};
  char since[CX_ISO8601_SIZE], until[CX_ISO8601_SIZE], at[CX_ISO8601_SIZE],
      secs[32];
  fmt_time(r->since, since, sizeof(since));
  fmt_time(r->until, until, sizeof(until));
  fmt_time(r->live_at, at, sizeof(at));
  fmt_seconds(r->until - r->since, secs, sizeof(secs));
  for (int k = 0; k < FK_NKINDS; k++) {
    for (size_t i = 0; i < nscopes; i++)
      columns_add(&cols[k], &sc[i], (enum fig_kind)k);
    t[k].ncols = 2 + cols[k].n;
    skill_table(&t[k], &cols[k], sc, nscopes, (enum fig_kind)k);
  }
  for (size_t c = 0; c < MAX_COLS; c++)
    right[c] = c >= 1;
  char *tenant = r->tenant ? cxq_escape(r->tenant, false) : NULL;
  int rc = (r->tenant != NULL && tenant == NULL) || t[0].failed ||
                   t[1].failed
               ? -1
               : 0;
  if (rc == 0) {
    fprintf(out, "Skills%s%s%s: live at %s; summary %s to %s (%s s)\n",
            tenant ? " of tenant \"" : "", tenant ? tenant : "",
            tenant ? "\"" : "", at, since, until, secs);
    fputs("Durations in seconds; \"-\": not given, or no total that adds "
          "up (all)\n", out);
    bool live = r->skills->live, summary = r->skills->summary[CX_SKILL_WINDOW];
    for (int k = 0; k < FK_NKINDS; k++) {
      if (!(k == FK_LIVE ? live : summary))
        continue;
      if (k == FK_LIVE)
        fprintf(out, "\n%s at %s\n\n", title[k], at);
      else
        fprintf(out, "\n%s, %s to %s\n\n", title[k], since, until);
      if (nscopes > 1)
        table_print(out, &t[k], right);
      else
        fputs("(no skills)\n", out);
    }
  }
  free(tenant);
  table_free(&t[0]);
  table_free(&t[1]);
  return rc;
}

static int skills_csv(FILE *out, const struct cxq_skills_report *r,
                      const struct skill_scope *sc, size_t nscopes) {
  static const char *const head[] = {"type", "scope", "skill_id", "skill",
                                     "figure", "unit", "start", "end",
                                     "value"};
  struct table t = {.ncols = 9, .csv = true};
  char since[CX_ISO8601_SIZE], until[CX_ISO8601_SIZE], at[CX_ISO8601_SIZE];
  fmt_time(r->since, since, sizeof(since));
  fmt_time(r->until, until, sizeof(until));
  fmt_time(r->live_at, at, sizeof(at));
  table_row(&t, head);
  for (size_t i = 0; i < nscopes; i++) {
    char scope[CX_NAME_PART_MAX + 8], id[24] = "", name[24], value[32];
    const char *skill = "";
    if (sc[i].k != NULL) {
      snprintf(scope, sizeof(scope), "skill-%s", sc[i].label);
      snprintf(id, sizeof(id), "%lld", (long long)sc[i].k->id);
      skill = skill_name(sc[i].k, name, sizeof(name));
    } else {
      snprintf(scope, sizeof(scope), "all");
    }
    for (size_t f = 0; f < sc[i].n; f++) {
      const struct fig *g = &sc[i].v[f];
      bool live = g->kind == FK_LIVE;
      fmt_figure(g, false, value, sizeof(value));
      const char *row[] = {live ? "live" : "summary", scope, id, skill,
                           g->name, unit_of(g->type), live ? at : since,
                           live ? at : until, value};
      table_row(&t, row);
    }
  }
  if (!t.failed)
    csv_print(out, &t);
  int rc = t.failed ? -1 : 0;
  table_free(&t);
  return rc;
}

static json_object *json_figure(const struct fig *f) {
  char buf[32];
  if (strcmp(f->type, "count") == 0)
    return json_object_new_int64((int64_t)f->value);
  fmt_figure(f, false, buf, sizeof(buf));
  return json_object_new_double_s(f->value, buf);
}

/* {"live": {...}, "summary": {...}} of one scope, added to o. */
static int json_scope_figures(json_object *o, const struct skill_scope *sc,
                              const struct cx_skills *s) {
  json_object *kinds[FK_NKINDS] = {NULL, NULL};
  if (s->live &&
      (kinds[FK_LIVE] = json_object_new_object()) != NULL)
    json_object_object_add(o, "live", kinds[FK_LIVE]);
  if (s->summary[CX_SKILL_WINDOW] &&
      (kinds[FK_SUMMARY] = json_object_new_object()) != NULL)
    json_object_object_add(o, "summary", kinds[FK_SUMMARY]);
  if ((s->live && kinds[FK_LIVE] == NULL) ||
      (s->summary[CX_SKILL_WINDOW] && kinds[FK_SUMMARY] == NULL))
    return -1;
  for (size_t f = 0; f < sc->n; f++) {
    json_object *parent = kinds[sc->v[f].kind], *v = json_figure(&sc->v[f]);
    if (parent == NULL || v == NULL ||
        json_object_object_add(parent, sc->v[f].name, v) != 0) {
      json_object_put(v);
      return -1;
    }
  }
  return 0;
}

static int skills_json(FILE *out, const struct cxq_skills_report *r,
                       const struct skill_scope *sc, size_t nscopes) {
  json_object *doc = json_object_new_object();
  json_object *skills = json_object_new_object();
  json_object *all = json_object_new_object();
  int rc = -1;
  if (doc == NULL || skills == NULL || all == NULL) {
    json_object_put(skills);
    json_object_put(all);
    goto out;
  }
  json_object_object_add(doc, "tenant", json_str(r->tenant));
  json_object_object_add(doc, "since", json_time(r->since));
  json_object_object_add(doc, "until", json_time(r->until));
  json_object_object_add(doc, "window", json_seconds(r->until - r->since));
  json_object_object_add(doc, "live_at", json_time(r->live_at));
  json_object_object_add(doc, "skills", skills);
  json_object_object_add(doc, "all", all);
  for (size_t i = 0; i < nscopes; i++) {
    json_object *o = all;
    if (sc[i].k != NULL) {
      char id[24];
      snprintf(id, sizeof(id), "%lld", (long long)sc[i].k->id);
      if ((o = json_object_new_object()) == NULL ||
          json_object_object_add(skills, id, o) != 0) {
        json_object_put(o);
        goto out;
      }
      json_object_object_add(o, "name", json_str(sc[i].k->name));
      json_object_object_add(o, "label", json_str(sc[i].label));
    }
    if (json_scope_figures(o, &sc[i], r->skills) != 0)
      goto out;
  }
  rc = print_json(out, doc);
out:
  json_object_put(doc);
  return rc;
}

int cxq_output_skills(FILE *out, enum cxq_format format,
                      const struct cxq_skills_report *r) {
  struct cx_label *labels;
  size_t nscopes = 0;
  struct skill_scope *sc = skill_scopes(r, &labels, &nscopes);
  int rc = -1;
  if (sc != NULL)
    rc = format == CXQ_JSON  ? skills_json(out, r, sc, nscopes)
         : format == CXQ_CSV ? skills_csv(out, r, sc, nscopes)
                             : skills_table(out, r, sc, nscopes);
  free(sc);
  free(labels);
  if (fflush(out) != 0 || ferror(out))
    rc = -1;
  return rc;
}

int cxq_output(FILE *out, enum cxq_format format, const struct cxq_report *r) {
  int rc = format == CXQ_JSON  ? output_json(out, r)
           : format == CXQ_CSV ? output_csv(out, r)
                               : output_table(out, r);
  if (fflush(out) != 0 || ferror(out))
    rc = -1;
  return rc;
}
