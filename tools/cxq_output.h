/*
 * cxq_output.h: cxone-query's history report as an aligned table, CSV or
 * JSON.  The report is the list of state intervals and the snapshot built
 * from the same ledger at `until` (per agent, team and "all": the values
 * the plugin dispatches for that window).
 */
#ifndef CXQ_OUTPUT_H
#define CXQ_OUTPUT_H

#include "cx_skills.h"
#include "cx_snapshot.h"

#include <stdbool.h>
#include <stdio.h>

enum cxq_format { CXQ_TABLE, CXQ_CSV, CXQ_JSON };

struct cxq_interval {
  int64_t agent;
  const char *team;   /* NULL when unknown */
  int state;
  const char *reason; /* NULL when none */
  cx_ms_t start, end;
};

struct cxq_report {
  const char *tenant; /* NULL without a conf */
  cx_ms_t since, until;
  const struct cxq_interval *intervals; /* sorted by start */
  size_t nintervals;
  const struct cx_snapshot *snap;       /* at until, window until - since */
};

/* s made safe to print, in a new string (NULL when out of memory): every
 * control character is written as an escape, so that neither the terminal
 * nor a CSV reader ever receives one raw.  A backslash becomes \\, LF \n,
 * CR \r, TAB \t; the other C0 controls and DEL become \xHH (lower-case hex).
 * Valid UTF-8 is kept, except the C1 controls U+0080..U+009F, whose two
 * bytes are written as \xc2\xHH; a byte that is not part of valid UTF-8 (a
 * stray 0x80..0xFF, an overlong form, a surrogate) becomes \xHH.  The result
 * is valid UTF-8 without control characters, and the original bytes can be
 * read back from it.  csv: CR and LF are kept as they are (the CSV writer
 * quotes such a field, RFC 4180). */
char *cxq_escape(const char *s, bool csv);

/* Writes the report; 0, or -1 when out of memory or the write failed.
 * Table and CSV cells, and the tenant name, go through cxq_escape; JSON
 * strings are escaped by json-c. */
int cxq_output(FILE *out, enum cxq_format format, const struct cxq_report *r);

/* cxone-query skills: each skill's live figures at live_at and its summary
 * over [since, until] (the CX_SKILL_WINDOW period of the table), then the
 * "all" totals; which figures exist and which add up come from the
 * table's walks (cx_skills_figures, cx_skills_totals), never from here. */
struct cxq_skills_report {
  const char *tenant;             /* NULL without a conf */
  cx_ms_t since, until;           /* the summary's range */
  cx_ms_t live_at;                /* the live figures' instant */
  const struct cx_skills *skills; /* sorted by id */
};

/* table: a live table and a summary table, one row per skill and "all"
 * ("-" where a figure is missing or has no total); csv: the header
 * type,scope,skill_id,skill,figure,unit,start,end,value and one row per
 * skill and figure (type live or summary; scope skill-<label> or all);
 * json: {tenant, since, until, window, live_at, skills: {id: {name, label,
 * live: {figure: value}, summary: {...}}}, all: {live, summary}}.
 * Durations in seconds.  0, or -1 when out of memory or the write failed. */
int cxq_output_skills(FILE *out, enum cxq_format format,
                      const struct cxq_skills_report *r);

#endif /* CXQ_OUTPUT_H */
