/*
 * cx_settings.h: the keys of a <Tenant> block (collectd-cxone(5)) and the
 * one way they become a poll configuration.
 *
 * The pipeline, the same for the plugin and cxone-query:
 *   reader -> struct cx_value (cx_value.h) -> cx_settings_apply, one key
 *   at a time, checked by one table of names, kinds and ranges, into a
 *   struct cx_settings -> cx_settings_resolve: required keys, the defaults
 *   that depend on the use (Interval, Timeout, LookBack, the HTTP budget)
 *   -> struct cx_poll_config.
 * Every default lives in cx_settings.c: the fixed ones in
 * cx_settings_init, the derived ones in cx_settings_resolve; cx_poll and
 * cx_http take complete configurations.  A bad value gets the same message
 * whoever reads it: "<Tenant "x">: Key: expected ...".
 *
 * Secrets (ClientSecret[File], AccessKeySecret[File]) go straight into
 * secret memory (cx_secret.h) and are released from there by
 * cx_settings_free.  Messages never carry a secret.
 */
#ifndef CX_SETTINGS_H
#define CX_SETTINGS_H

#include "cx_error.h"
#include "cx_labels.h"
#include "cx_poll.h"
#include "cx_value.h"

#include <stdbool.h>
#include <stddef.h>

struct cx_settings {
  char *issuer, *client_id, *access_key_id;
  char *client_secret, *access_key_secret; /* in secret memory */
  char *api_endpoint, *api_version, *ca_file, *host;
  bool verify_peer, verify_host, per_agent, today;
  bool skills, per_skill;      /* Skills, PerSkill */
  cx_ms_t skill_summary_interval; /* SkillSummaryInterval; 0: none */
  struct cx_tz *tz;            /* TimeZone; NULL: UTC */
  enum cx_client_auth client_auth;
  enum cx_agent_label agent_label;
  cx_ms_t interval, timeout;   /* 0: not set (resolved by the use) */
  cx_ms_t window, lookback, overlap, chunk; /* lookback < 0: = window */
  unsigned page_size, parallel;
  struct cx_filter filter;     /* owned */
};

/* Where values come from: the label that starts each message
 * ("<Tenant "x">", "--timeout", "CXONE_TIMEOUT"), and whether the values
 * are text to convert (options, environment) or must have the type the key
 * wants (a conf: a quoted string, a number, a boolean). */
struct cx_settings_source {
  const char *label;
  bool text;
};

/* What the caller adds to the settings. */
struct cx_settings_use {
  const char *user_agent; /* "collectd-cxone/0.1.0" */
  cx_ms_t interval;       /* periodic reads (the plugin): Interval's
                             default, collectd's interval; 0: one query
                             (cxone-query): no interval, Timeout 30 s */
  cx_ms_t window;         /* 0: Window; a query: the span it covers */
  cx_ms_t budget;         /* one query: the HTTP time it may take */
};

/* The defaults of collectd-cxone(5). */
void cx_settings_init(struct cx_settings *s);

/* Releases what s holds (secrets wiped) and zeroes it. */
void cx_settings_free(struct cx_settings *s);

bool cx_settings_known(const char *key);

/* Checks and stores one key's values (key as written, case-insensitive;
 * Team, Agent and Skill add to their lists, Agent takes several values).
 * Warnings (a plain-HTTP URL, a secret file others can read) go to cx_log.
 * CX_OK; CX_ERR_INVALID for a bad or unknown key, CX_ERR_NOMEM, with
 * "<label>: Key: ..." in err. */
enum cx_status cx_settings_apply(struct cx_settings *s,
                                 const struct cx_settings_source *src,
                                 const char *key, const struct cx_value *values,
                                 size_t nvalues, struct cx_error *err);

/* Empties the list of a list key (Team, Agent, Skill); nothing for other
 * keys. */
void cx_settings_clear_list(struct cx_settings *s, const char *key);

/* Fills the whole of cfg from s for `use` (cfg points into s: s must
 * outlive it).  CX_OK, or CX_ERR_INVALID when a required key is missing,
 * with "<label>: Key: missing; ..." in err. */
enum cx_status cx_settings_resolve(const struct cx_settings *s,
                                   const char *label,
                                   const struct cx_settings_use *use,
                                   struct cx_poll_config *cfg,
                                   struct cx_error *err);

#endif /* CX_SETTINGS_H */
