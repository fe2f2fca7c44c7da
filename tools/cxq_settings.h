/*
 * cxq_settings.h: one tenant's settings for cxone-query, from a collectd.conf
 * <Tenant> block, the environment (CXONE_*) and command-line options, in
 * that order (later sources override earlier ones), each value applied by
 * the plugin's own key table and resolved by its own rules (cx_settings.h).
 *
 * Secrets come from the conf, from files or from environment variables,
 * never from the command line (cxone-query has no option that takes one).
 * They live in secret memory and never appear in a message.
 */
#ifndef CXQ_SETTINGS_H
#define CXQ_SETTINGS_H

#include "cx_error.h"
#include "cx_poll.h"
#include "cx_settings.h"
#include "cxq_conf.h"

#include <stdbool.h>

struct cxq_settings {
  char *tenant;           /* block name; NULL without a conf */
  struct cx_settings set; /* owned */
  bool cli_agents, cli_teams, cli_skills; /* filter lists set by options */
};

void cxq_settings_init(struct cxq_settings *s);
void cxq_settings_free(struct cxq_settings *s);

/* Applies a <Tenant> block (unknown keys are skipped with a warning).
 * CX_OK, or an error with "<Tenant "x">: Key: ..." in err. */
enum cx_status cxq_settings_conf(struct cxq_settings *s,
                                 const struct cxq_item *tenant,
                                 struct cx_error *err);

/* Applies the CXONE_* environment variables that are set. */
enum cx_status cxq_settings_env(struct cxq_settings *s, struct cx_error *err);

/* Applies one command-line option: label names it in messages ("--issuer"),
 * key is the conf key it stands for ("Issuer"), text its argument.  Agent,
 * Team and Skill options replace the conf's lists (then add to each other). */
enum cx_status cxq_settings_option(struct cxq_settings *s, const char *label,
                                   const char *key, const char *text,
                                   struct cx_error *err);

/* cx_settings_resolve for one query over `window` (0: Window) that may
 * spend `budget` on HTTP. */
enum cx_status cxq_settings_resolve(const struct cxq_settings *s,
                                    cx_ms_t window, cx_ms_t budget,
                                    struct cx_poll_config *cfg,
                                    struct cx_error *err);

#endif /* CXQ_SETTINGS_H */
