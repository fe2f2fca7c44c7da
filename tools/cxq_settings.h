/*
 * cxq_settings.h: one tenant's settings for cxone-query, from a collectd.conf
 * <Tenant> block, the environment (CXONE_*) and command-line options, in
 * that order (later sources override earlier ones), checked by the
 * plugin's own key table (cx_settings.h).
 *
 * Secrets come from the conf, from files or from environment variables,
 * never from the command line (cxone-query has no option that takes one).
 * They are wiped before they are freed and never appear in a message.
 */
#ifndef CXQ_SETTINGS_H
#define CXQ_SETTINGS_H

#include "cx_poll.h"
#include "cx_settings.h"
#include "cxq_conf.h"

#include <stdbool.h>

struct cxq_settings {
  char *tenant;           /* block name; NULL without a conf */
  struct cx_settings set; /* owned; timeout defaults to 30 s */
  bool cli_agents, cli_teams; /* filter lists set by options */
  /* Set's values that cxone-query reads, filled by cxq_settings_check. */
  const char *issuer, *api_endpoint;
  enum cx_client_auth client_auth;
  cx_ms_t window;
};

void cxq_settings_init(struct cxq_settings *s);
void cxq_settings_free(struct cxq_settings *s);

/* Applies a <Tenant> block.  0, or -1 with "<Tenant "x">: Key: ..." in err. */
int cxq_settings_conf(struct cxq_settings *s, const struct cxq_item *tenant,
                      char *err, size_t errsize);

/* Applies the CXONE_* environment variables that are set. */
int cxq_settings_env(struct cxq_settings *s, char *err, size_t errsize);

/* Applies one command-line option: label names it in messages ("--issuer"),
 * key is the conf key it stands for ("Issuer"), text its argument.  Agent
 * and Team options replace the conf's lists (then add to each other). */
int cxq_settings_option(struct cxq_settings *s, const char *label,
                        const char *key, const char *text, char *err,
                        size_t errsize);

/* Checks that the required keys are set and fills the copies above. */
int cxq_settings_check(struct cxq_settings *s, char *err,
                       size_t errsize);

/* Fills cfg's api, http, history and filter fields (pointing into s, which
 * must outlive cfg) for a query over `window`; budget: the whole query's
 * HTTP time. */
void cxq_settings_poll_config(const struct cxq_settings *s, cx_ms_t window,
                              cx_ms_t budget, struct cx_poll_config *cfg);

#endif /* CXQ_SETTINGS_H */
