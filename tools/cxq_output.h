/*
 * cxq_output.h: cxone-query's history report as an aligned table, CSV or
 * JSON.  The report is the list of state intervals and the snapshot built
 * from the same ledger at `until` (per agent, team and "all": the values
 * the plugin dispatches for that window).
 */
#ifndef CXQ_OUTPUT_H
#define CXQ_OUTPUT_H

#include "cx_snapshot.h"

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

/* Writes the report; 0, or -1 when out of memory or the write failed. */
int cxq_output(FILE *out, enum cxq_format format, const struct cxq_report *r);

#endif /* CXQ_OUTPUT_H */
