/*
 * cxq_settings.c: tenant settings from a conf block, the environment and
 * options (see cxq_settings.h).
 *
 * One table lists every <Tenant> key with its kind and range; the three
 * sources all go through it, so a value is checked the same way wherever it
 * comes from.  Conf values must have the type the plugin wants (a quoted
 * string, a number, a boolean); option and environment values are text and
 * are converted.  Keys that only concern the plugin's dispatch (Interval,
 * Host, PerAgent, AgentLabel, HistoryOverlap) are accepted and ignored.
 */
#include "cx_secret.h"
#include "cxq_settings.h"
#include "cx_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SECRET_FILE_SIZE 4096
#define DEFAULT_MAX_BODY (64u * 1024 * 1024)
#define USER_AGENT "cxone-query/" CXONE_VERSION

enum kind {
  K_STRING, K_URL, K_SECRET_FILE, K_BOOL, K_SECONDS, K_UINT, K_CLIENT_AUTH,
  K_VERSION, K_TEAM, K_AGENT, K_IGNORED
};

struct key {
  const char *name;
  enum kind kind;
  size_t offset;
  double min, max;
};

#define OFF(f) offsetof(struct cxq_settings, f)
static const struct key keys[] = {
    {"Issuer", K_URL, OFF(issuer), 0, 0},
    {"ClientId", K_STRING, OFF(client_id), 0, 0},
    {"ClientSecret", K_STRING, OFF(client_secret), 0, 0},
    {"ClientSecretFile", K_SECRET_FILE, OFF(client_secret), 0, 0},
    {"AccessKeyId", K_STRING, OFF(access_key_id), 0, 0},
    {"AccessKeySecret", K_STRING, OFF(access_key_secret), 0, 0},
    {"AccessKeySecretFile", K_SECRET_FILE, OFF(access_key_secret), 0, 0},
    {"ClientAuth", K_CLIENT_AUTH, OFF(client_auth), 0, 0},
    {"APIEndpoint", K_URL, OFF(api_endpoint), 0, 0},
    {"APIVersion", K_VERSION, OFF(api_version), 0, 0},
    {"CACert", K_STRING, OFF(ca_file), 0, 0},
    {"VerifyPeer", K_BOOL, OFF(verify_peer), 0, 0},
    {"VerifyHost", K_BOOL, OFF(verify_host), 0, 0},
    {"Timeout", K_SECONDS, OFF(timeout), 1, 3600},
    {"Window", K_SECONDS, OFF(window), 60, 7 * 86400},
    {"LookBack", K_SECONDS, OFF(lookback), 0, 7 * 86400},
    {"HistoryChunk", K_SECONDS, OFF(chunk), 300, 86400},
    {"PageSize", K_UINT, OFF(page_size), 1, 100000},
    {"ParallelRequests", K_UINT, OFF(parallel), 1, 32},
    {"Team", K_TEAM, 0, 0, 0},
    {"Agent", K_AGENT, 0, 0, 0},
    {"HistoryOverlap", K_IGNORED, 0, 0, 0},
    {"Interval", K_IGNORED, 0, 0, 0},
    {"Host", K_IGNORED, 0, 0, 0},
    {"PerAgent", K_IGNORED, 0, 0, 0},
    {"AgentLabel", K_IGNORED, 0, 0, 0},
};

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
  s->client_auth = CX_CLIENT_AUTH_BASIC;
  s->verify_peer = s->verify_host = true;
  s->timeout = 30 * 1000;
  s->window = 86400 * 1000;
  s->lookback = -1;
  s->chunk = 2 * 3600 * 1000;
  s->page_size = 1000;
  s->parallel = 4;
}

static void clear_teams(struct cx_filter *f) {
  for (size_t i = 0; i < f->nteams; i++)
    free(f->teams[i]);
  free(f->teams);
  f->teams = NULL;
  f->nteams = 0;
}

void cxq_settings_free(struct cxq_settings *s) {
  free(s->tenant);
  free(s->issuer);
  free(s->client_id);
  cx_wipe_free(s->client_secret);
  free(s->access_key_id);
  cx_wipe_free(s->access_key_secret);
  free(s->api_endpoint);
  free(s->api_version);
  free(s->ca_file);
  clear_teams(&s->filter);
  free(s->filter.agents);
  memset(s, 0, sizeof(*s));
}

/* ---- one value ---- */

struct source {
  const char *label; /* "<Tenant "x">", "--timeout", "CXONE_TIMEOUT" */
  bool text;         /* values are text to convert (options, environment) */
  char *err;
  size_t errsize;
};

__attribute__((format(printf, 3, 4))) static int bad(const struct source *src,
                                                     const struct key *k,
                                                     const char *fmt, ...) {
  int n = snprintf(src->err, src->errsize, "%s: %s: ", src->label, k->name);
  va_list ap;
  va_start(ap, fmt);
  if (n >= 0 && (size_t)n < src->errsize)
    vsnprintf(src->err + n, src->errsize - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

static int want_string(const struct source *src, const struct key *k,
                       const struct cxq_value *v, const char **out) {
  if (v->type != CXQ_STRING && !src->text)
    return bad(src, k, "expected one quoted string");
  if (v->string[0] == '\0')
    return bad(src, k, "must not be empty");
  *out = v->string;
  return 0;
}

static int want_number(const struct source *src, const struct cxq_value *v,
                       double *out) {
  if (v->type == CXQ_NUMBER) {
    *out = v->number;
    return 0;
  }
  char *end = NULL;
  if (src->text) {
    errno = 0;
    *out = strtod(v->string, &end);
    if (end != v->string && *end == '\0' && errno == 0)
      return 0;
  }
  return -1;
}

static int set_string(char **dst, const char *value) {
  char *copy = strdup(value);
  if (copy == NULL)
    return -1;
  cx_wipe_free(*dst);
  *dst = copy;
  return 0;
}

/* First line of a file, trailing blanks removed; warns when the file is
 * readable by group or others (as the plugin does). */
static int read_secret_file(const struct source *src, const struct key *k,
                            const char *path, char **out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return bad(src, k, "cannot read \"%s\": %s", path, strerror(e));
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    cx_log(CX_LOG_WARNING, "%s: %s: \"%s\" is accessible to group or others "
           "(mode %03o); chmod 600 it", src->label, k->name, path,
           (unsigned)(st.st_mode & 0777));
  char buf[MAX_SECRET_FILE_SIZE + 1];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  int rc = 0;
  if (n < 0 || n > MAX_SECRET_FILE_SIZE) {
    rc = bad(src, k, "\"%s\": expected a secret of at most %d bytes", path,
             MAX_SECRET_FILE_SIZE);
  } else {
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    for (size_t len = strlen(buf);
         len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t');)
      buf[--len] = '\0';
    if (buf[0] == '\0')
      rc = bad(src, k, "\"%s\" is empty; expected the secret on its first "
               "line", path);
    else if (set_string(out, buf) != 0)
      rc = bad(src, k, "out of memory");
  }
  explicit_bzero(buf, sizeof(buf));
  return rc;
}

static int add_agents(struct cxq_settings *s, const struct source *src,
                      const struct key *k, const struct cxq_value *v) {
  double d;
  if (want_number(src, v, &d) != 0 && v->type == CXQ_STRING) {
    char *end = NULL;
    d = strtod(v->string, &end); /* the plugin takes "1001" too */
    if (end == v->string || *end != '\0')
      d = -1;
  }
  if (v->type == CXQ_BOOLEAN || d < 1 || d > 9e15 || d != (double)(int64_t)d)
    return bad(src, k, "expected CXone agent ids (positive whole numbers)");
  int64_t *a = realloc(s->filter.agents,
                       (s->filter.nagents + 1) * sizeof(*a));
  if (a == NULL)
    return bad(src, k, "out of memory");
  s->filter.agents = a;
  a[s->filter.nagents++] = (int64_t)d;
  return 0;
}

static int add_team(struct cxq_settings *s, const struct source *src,
                    const struct key *k, const struct cxq_value *v) {
  const char *name = NULL;
  if (want_string(src, k, v, &name) != 0)
    return -1;
  char **t = realloc(s->filter.teams, (s->filter.nteams + 1) * sizeof(*t));
  if (t == NULL || (t[s->filter.nteams] = strdup(name)) == NULL) {
    if (t != NULL)
      s->filter.teams = t;
    return bad(src, k, "out of memory");
  }
  s->filter.teams = t;
  s->filter.nteams++;
  return 0;
}

static int apply_value(struct cxq_settings *s, const struct source *src,
                       const struct key *k, const struct cxq_value *v) {
  void *field = (char *)s + k->offset;
  const char *str = NULL;
  double d;
  switch (k->kind) {
  case K_IGNORED:
    return 0;
  case K_STRING:
    if (want_string(src, k, v, &str) != 0)
      return -1;
    return set_string(field, str) == 0 ? 0 : bad(src, k, "out of memory");
  case K_URL:
    if (want_string(src, k, v, &str) != 0)
      return -1;
    if (strncasecmp(str, "https://", 8) != 0) {
      if (strncasecmp(str, "http://", 7) != 0)
        return bad(src, k, "expected an https:// URL, got \"%s\"", str);
      cx_log(CX_LOG_WARNING, "%s: %s: \"%s\" is plain HTTP: credentials and "
             "tokens would travel unencrypted", src->label, k->name, str);
    }
    return set_string(field, str) == 0 ? 0 : bad(src, k, "out of memory");
  case K_SECRET_FILE:
    if (want_string(src, k, v, &str) != 0)
      return -1;
    return read_secret_file(src, k, str, field);
  case K_VERSION: {
    if (want_string(src, k, v, &str) != 0)
      return -1;
    size_t digits = strspn(str + 1, "0123456789");
    if (str[0] != 'v' || digits == 0 || digits > 3 ||
        strcmp(str + 1 + digits, ".0") != 0)
      return bad(src, k, "expected a version like \"%s\", got \"%s\"",
                 CX_DEFAULT_API_VERSION, str);
    return set_string(field, str) == 0 ? 0 : bad(src, k, "out of memory");
  }
  case K_CLIENT_AUTH:
    if (v->type != CXQ_STRING && !src->text)
      return bad(src, k, "expected one of \"basic\" | \"post\"");
    if (strcasecmp(v->string, "basic") == 0)
      s->client_auth = CX_CLIENT_AUTH_BASIC;
    else if (strcasecmp(v->string, "post") == 0)
      s->client_auth = CX_CLIENT_AUTH_POST;
    else
      return bad(src, k, "expected one of \"basic\" | \"post\"");
    return 0;
  case K_BOOL: {
    struct cxq_value c = *v;
    if (src->text && c.type == CXQ_STRING) {
      char word[8];
      snprintf(word, sizeof(word), "%s", v->string);
      if (strcasecmp(word, "true") == 0 || strcasecmp(word, "false") == 0) {
        c.type = CXQ_BOOLEAN;
        c.boolean = strcasecmp(word, "true") == 0;
      }
    }
    if (c.type != CXQ_BOOLEAN)
      return bad(src, k, "expected true or false");
    *(bool *)field = c.boolean;
    return 0;
  }
  case K_SECONDS:
    if (want_number(src, v, &d) != 0 || !(d >= k->min) || !(d <= k->max))
      return bad(src, k, "expected a number of seconds from %g to %g", k->min,
                 k->max);
    *(cx_ms_t *)field = (cx_ms_t)(d * 1000.0);
    return 0;
  case K_UINT:
    if (want_number(src, v, &d) != 0 || d < k->min || d > k->max ||
        d != (double)(unsigned)d)
      return bad(src, k, "expected a whole number from %g to %g", k->min,
                 k->max);
    *(unsigned *)field = (unsigned)d;
    return 0;
  case K_TEAM:
    return add_team(s, src, k, v);
  case K_AGENT:
    return add_agents(s, src, k, v);
  }
  return bad(src, k, "unsupported option");
}

static const struct key *find_key(const char *name) {
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (strcasecmp(keys[i].name, name) == 0)
      return &keys[i];
  return NULL;
}

/* ---- sources ---- */

int cxq_settings_conf(struct cxq_settings *s, const struct cxq_item *tenant,
                      char *err, size_t errsize) {
  if (set_string(&s->tenant, tenant->values[0].string) != 0) {
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  char label[160];
  snprintf(label, sizeof(label), "<Tenant \"%s\">", s->tenant);
  struct source src = {label, false, err, errsize};
  for (size_t i = 0; i < tenant->nchildren; i++) {
    const struct cxq_item *it = &tenant->children[i];
    const struct key *k = find_key(it->key);
    if (k == NULL) {
      cx_log(CX_LOG_WARNING, "%s: line %d: ignoring unknown option \"%s\"",
             label, it->line, it->key);
      continue;
    }
    if (it->nchildren > 0 || it->nvalues == 0 ||
        (it->nvalues > 1 && k->kind != K_AGENT))
      return bad(&src, k, "expected one value");
    for (size_t j = 0; j < it->nvalues; j++)
      if (apply_value(s, &src, k, &it->values[j]) != 0)
        return -1;
  }
  return 0;
}

static int apply_text(struct cxq_settings *s, const char *label,
                      const char *key, const char *text, char *err,
                      size_t errsize) {
  const struct key *k = find_key(key);
  struct source src = {label, true, err, errsize};
  if (k == NULL) {
    snprintf(err, errsize, "%s: unknown setting %s", label, key);
    return -1;
  }
  char *copy = strdup(text);
  if (copy == NULL) {
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  struct cxq_value v = {.type = CXQ_STRING, .string = copy};
  int rc = apply_value(s, &src, k, &v);
  cx_wipe_free(copy);
  return rc;
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
  if (strcasecmp(key, "Agent") == 0 && !s->cli_agents) {
    s->cli_agents = true;
    free(s->filter.agents);
    s->filter.agents = NULL;
    s->filter.nagents = 0;
  } else if (strcasecmp(key, "Team") == 0 && !s->cli_teams) {
    s->cli_teams = true;
    clear_teams(&s->filter);
  }
  return apply_text(s, label, key, text, err, errsize);
}

int cxq_settings_check(const struct cxq_settings *s, char *err,
                       size_t errsize) {
  static const struct {
    const char *what;
    size_t offset;
  } required[] = {
      {"Issuer (--issuer, CXONE_ISSUER)", OFF(issuer)},
      {"ClientId (--client-id, CXONE_CLIENT_ID)", OFF(client_id)},
      {"the client secret (ClientSecret[File], --client-secret-file, "
       "CXONE_CLIENT_SECRET[_FILE])", OFF(client_secret)},
      {"AccessKeyId (--access-key-id, CXONE_ACCESS_KEY_ID)", OFF(access_key_id)},
      {"the access key secret (AccessKeySecret[File], "
       "--access-key-secret-file, CXONE_ACCESS_KEY_SECRET[_FILE])",
       OFF(access_key_secret)},
  };
  for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
    if (*(char *const *)((const char *)s + required[i].offset) == NULL) {
      snprintf(err, errsize, "missing %s", required[i].what);
      return -1;
    }
  return 0;
}

void cxq_settings_poll_config(const struct cxq_settings *s, cx_ms_t window,
                              cx_ms_t budget, struct cx_poll_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->api = (struct cx_api_config){
      .issuer = s->issuer,
      .client_id = s->client_id,
      .client_secret = s->client_secret,
      .access_key_id = s->access_key_id,
      .access_key_secret = s->access_key_secret,
      .api_endpoint = s->api_endpoint,
      .api_version = s->api_version,
      .client_auth = s->client_auth,
  };
  cfg->http = (struct cx_http_options){
      .ca_file = s->ca_file,
      .verify_peer = s->verify_peer,
      .verify_host = s->verify_host,
      .timeout_ms = (long)s->timeout,
      .max_body = DEFAULT_MAX_BODY,
      .user_agent = USER_AGENT,
  };
  cfg->window = window;
  cfg->lookback = s->lookback >= 0 ? s->lookback : window;
  cfg->chunk = s->chunk;
  cfg->budget = budget;
  cfg->page_size = s->page_size;
  cfg->parallel = s->parallel;
  cfg->filter = s->filter;
}
