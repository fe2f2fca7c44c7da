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
  s->set.timeout = 30 * 1000;
}

void cxq_settings_free(struct cxq_settings *s) {
  free(s->tenant);
  cx_settings_free(&s->set);
  memset(s, 0, sizeof(*s));
}

/* ---- messages: the failure into err, warnings to the log ---- */

struct errbuf {
  char *err;
  size_t errsize;
};

static void report(void *ctx, enum cx_log_level level, const char *message) {
  const struct errbuf *e = ctx;
  if (level <= CX_LOG_ERR)
    snprintf(e->err, e->errsize, "%s", message);
  else
    cx_log(level, "%s", message);
}

/* ---- sources ---- */

int cxq_settings_conf(struct cxq_settings *s, const struct cxq_item *tenant,
                      char *err, size_t errsize) {
  free(s->tenant);
  if ((s->tenant = strdup(tenant->values[0].string)) == NULL) {
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  char label[160];
  snprintf(label, sizeof(label), "<Tenant \"%s\">", s->tenant);
  struct errbuf e = {err, errsize};
  const struct cx_settings_source src = {label, false, report, &e};
  for (size_t i = 0; i < tenant->nchildren; i++) {
    const struct cxq_item *it = &tenant->children[i];
    if (!cx_settings_known(it->key)) {
      cx_log(CX_LOG_WARNING, "%s: line %d: ignoring unknown option \"%s\"",
             label, it->line, it->key);
      continue;
    }
    struct cx_value *v = calloc(it->nvalues > 0 ? it->nvalues : 1, sizeof(*v));
    if (v == NULL) {
      snprintf(err, errsize, "out of memory");
      return -1;
    }
    for (size_t j = 0; j < it->nvalues; j++) {
      const struct cxq_value *cv = &it->values[j];
      v[j] = (struct cx_value){
          .type = cv->type == CXQ_NUMBER    ? CX_VALUE_NUMBER
                  : cv->type == CXQ_BOOLEAN ? CX_VALUE_BOOLEAN
                                            : CX_VALUE_STRING,
          .string = cv->string,
          .number = cv->number,
          .boolean = cv->boolean,
      };
    }
    int rc = cx_settings_apply(&s->set, &src, it->key, v, it->nvalues);
    free(v);
    if (rc != 0)
      return -1;
  }
  return 0;
}

static int apply_text(struct cxq_settings *s, const char *label,
                      const char *key, const char *text, char *err,
                      size_t errsize) {
  struct errbuf e = {err, errsize};
  const struct cx_settings_source src = {label, true, report, &e};
  const struct cx_value v = {.type = CX_VALUE_STRING, .string = text};
  return cx_settings_apply(&s->set, &src, key, &v, 1);
}

int cxq_settings_env(struct cxq_settings *s, char *err, size_t errsize) {
  for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
    const char *text = getenv(env_keys[i].var);
    if (text != NULL && text[0] != '\0' &&
        apply_text(s, env_keys[i].var, env_keys[i].key, text, err, errsize) != 0)
      return -1;
  }
  return 0;
}

int cxq_settings_option(struct cxq_settings *s, const char *label,
                        const char *key, const char *text, char *err,
                        size_t errsize) {
  struct cx_filter *f = &s->set.filter;
  if (strcasecmp(key, "Agent") == 0 && !s->cli_agents) {
    s->cli_agents = true;
    free(f->agents);
    f->agents = NULL;
    f->nagents = 0;
  } else if (strcasecmp(key, "Team") == 0 && !s->cli_teams) {
    s->cli_teams = true;
    for (size_t i = 0; i < f->nteams; i++)
      free(f->teams[i]);
    free(f->teams);
    f->teams = NULL;
    f->nteams = 0;
  }
  return apply_text(s, label, key, text, err, errsize);
}

int cxq_settings_check(struct cxq_settings *s, char *err, size_t errsize) {
  static const struct {
    const char *what;
    size_t offset;
  } required[] = {
      {"Issuer (--issuer, CXONE_ISSUER)", offsetof(struct cx_settings, issuer)},
      {"ClientId (--client-id, CXONE_CLIENT_ID)",
       offsetof(struct cx_settings, client_id)},
      {"the client secret (ClientSecret[File], --client-secret-file, "
       "CXONE_CLIENT_SECRET[_FILE])", offsetof(struct cx_settings, client_secret)},
      {"AccessKeyId (--access-key-id, CXONE_ACCESS_KEY_ID)",
       offsetof(struct cx_settings, access_key_id)},
      {"the access key secret (AccessKeySecret[File], "
       "--access-key-secret-file, CXONE_ACCESS_KEY_SECRET[_FILE])",
       offsetof(struct cx_settings, access_key_secret)},
  };
  for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
    if (*(char *const *)((const char *)&s->set + required[i].offset) == NULL) {
      snprintf(err, errsize, "missing %s", required[i].what);
      return -1;
    }
  s->issuer = s->set.issuer;
  s->api_endpoint = s->set.api_endpoint;
  s->client_auth = (enum cx_client_auth)s->set.client_auth;
  s->window = s->set.window;
  return 0;
}

void cxq_settings_poll_config(const struct cxq_settings *s, cx_ms_t window,
                              cx_ms_t budget, struct cx_poll_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cx_settings_poll_config(&s->set, USER_AGENT, cfg);
  cfg->window = window;
  cfg->lookback = s->set.lookback >= 0 ? s->set.lookback : window;
  cfg->budget = budget;
}
