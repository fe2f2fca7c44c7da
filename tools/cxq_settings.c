/*
 * cxq_settings.c: tenant settings from a conf block, the environment and
 * options (see cxq_settings.h).
 *
 * All three sources go through the plugin's key table (cx_settings), so a
 * value is checked the same way wherever it comes from.  Conf values must
 * have the type the plugin wants (a quoted string, a number, a boolean);
 * option and environment values are text and are converted.  Keys that only
 * concern the plugin's dispatch (Interval, Host, PerAgent, AgentLabel,
 * HistoryOverlap) are checked and then ignored.
 */
#include "cxq_settings.h"
#include "cx_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USER_AGENT "cxone-query/" CXONE_VERSION

static const struct {
  const char *var, *key;
} env_keys[] = {
    {"CXONE_ISSUER", "Issuer"},
    {"CXONE_CLIENT_ID", "ClientId"},
    {"CXONE_CLIENT_SECRET", "ClientSecret"},
    {"CXONE_CLIENT_SECRET_FILE", "ClientSecretFile"},
    {"CXONE_ACCESS_KEY_ID", "AccessKeyId"},
    {"CXONE_ACCESS_KEY_SECRET", "AccessKeySecret"},
    {"CXONE_ACCESS_KEY_SECRET_FILE", "AccessKeySecretFile"},
    {"CXONE_CLIENT_AUTH", "ClientAuth"},
    {"CXONE_API_ENDPOINT", "APIEndpoint"},
    {"CXONE_API_VERSION", "APIVersion"},
    {"CXONE_CACERT", "CACert"},
    {"CXONE_TIMEOUT", "Timeout"},
};

void cxq_settings_init(struct cxq_settings *s) {
  memset(s, 0, sizeof(*s));
  cx_settings_init(&s->set);
}

void cxq_settings_free(struct cxq_settings *s) {
  free(s->tenant);
  cx_settings_free(&s->set);
  memset(s, 0, sizeof(*s));
}

enum cx_status cxq_settings_conf(struct cxq_settings *s,
                                 const struct cxq_item *tenant,
                                 struct cx_error *err) {
  free(s->tenant);
  if ((s->tenant = strdup(tenant->values[0].string)) == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "out of memory");
  char label[160];
  snprintf(label, sizeof(label), "<Tenant \"%s\">", s->tenant);
  const struct cx_settings_source src = {label, false};
  for (size_t i = 0; i < tenant->nchildren; i++) {
    const struct cxq_item *it = &tenant->children[i];
    if (!cx_settings_known(it->key)) {
      cx_log(CX_LOG_WARNING, "%s: line %d: ignoring unknown option \"%s\"",
             label, it->line, it->key);
      continue;
    }
    enum cx_status st = cx_settings_apply(&s->set, &src, it->key, it->values,
                                          it->nvalues, err);
    if (st != CX_OK)
      return st;
  }
  return CX_OK;
}

static enum cx_status apply_text(struct cxq_settings *s, const char *label,
                                 const char *key, const char *text,
                                 struct cx_error *err) {
  const struct cx_settings_source src = {label, true};
  const struct cx_value v = {.type = CX_VALUE_STRING, .string = text};
  return cx_settings_apply(&s->set, &src, key, &v, 1, err);
}

enum cx_status cxq_settings_env(struct cxq_settings *s, struct cx_error *err) {
  for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
    const char *text = getenv(env_keys[i].var);
    if (text == NULL || text[0] == '\0')
      continue;
    enum cx_status st = apply_text(s, env_keys[i].var, env_keys[i].key, text,
                                   err);
    if (st != CX_OK)
      return st;
  }
  return CX_OK;
}

enum cx_status cxq_settings_option(struct cxq_settings *s, const char *label,
                                   const char *key, const char *text,
                                   struct cx_error *err) {
  bool *replaced = strcasecmp(key, "Agent") == 0   ? &s->cli_agents
                   : strcasecmp(key, "Team") == 0  ? &s->cli_teams
                   : strcasecmp(key, "Skill") == 0 ? &s->cli_skills
                                                   : NULL;
  if (replaced != NULL && !*replaced) {
    *replaced = true;
    cx_settings_clear_list(&s->set, key);
  }
  return apply_text(s, label, key, text, err);
}

enum cx_status cxq_settings_resolve(const struct cxq_settings *s,
                                    cx_ms_t window, cx_ms_t budget,
                                    struct cx_poll_config *cfg,
                                    struct cx_error *err) {
  const struct cx_settings_use use = {
      .user_agent = USER_AGENT, .window = window, .budget = budget};
  return cx_settings_resolve(&s->set, "settings", &use, cfg, err);
}
