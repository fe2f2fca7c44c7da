/*
 * cx_settings.c: the <Tenant> keys' table, and the checks and conversions
 * behind it (see cx_settings.h).
 */
#include "cx_settings.h"
#include "cx_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SECRET_FILE_SIZE 4096
#define DEFAULT_MAX_BODY (64u * 1024 * 1024)

enum kind {
  K_STRING, K_URL, K_SECRET_FILE, K_VERSION, K_CHOICE, K_BOOL, K_SECONDS,
  K_UINT, K_TEAM, K_AGENT
};

struct key {
  const char *name;
  enum kind kind;
  size_t offset;
  double min, max;             /* K_SECONDS, K_UINT */
  const char *const *choices;  /* K_CHOICE, NULL-terminated */
};

static const char *const client_auth_choices[] = {"basic", "post", NULL};
static const char *const agent_label_choices[] = {"id", "name", "username", NULL};

#define OFF(f) offsetof(struct cx_settings, f)
static const struct key keys[] = {
    {"Issuer", K_URL, OFF(issuer), 0, 0, NULL},
    {"ClientId", K_STRING, OFF(client_id), 0, 0, NULL},
    {"ClientSecret", K_STRING, OFF(client_secret), 0, 0, NULL},
    {"ClientSecretFile", K_SECRET_FILE, OFF(client_secret), 0, 0, NULL},
    {"AccessKeyId", K_STRING, OFF(access_key_id), 0, 0, NULL},
    {"AccessKeySecret", K_STRING, OFF(access_key_secret), 0, 0, NULL},
    {"AccessKeySecretFile", K_SECRET_FILE, OFF(access_key_secret), 0, 0, NULL},
    {"ClientAuth", K_CHOICE, OFF(client_auth), 0, 0, client_auth_choices},
    {"APIEndpoint", K_URL, OFF(api_endpoint), 0, 0, NULL},
    {"APIVersion", K_VERSION, OFF(api_version), 0, 0, NULL},
    {"CACert", K_STRING, OFF(ca_file), 0, 0, NULL},
    {"VerifyPeer", K_BOOL, OFF(verify_peer), 0, 0, NULL},
    {"VerifyHost", K_BOOL, OFF(verify_host), 0, 0, NULL},
    {"Interval", K_SECONDS, OFF(interval), 1, 86400, NULL},
    {"Timeout", K_SECONDS, OFF(timeout), 1, 3600, NULL},
    {"Window", K_SECONDS, OFF(window), 60, 7 * 86400, NULL},
    {"LookBack", K_SECONDS, OFF(lookback), 0, 7 * 86400, NULL},
    {"HistoryOverlap", K_SECONDS, OFF(overlap), 0, 86400, NULL},
    {"HistoryChunk", K_SECONDS, OFF(chunk), 300, 86400, NULL},
    {"PageSize", K_UINT, OFF(page_size), 1, 100000, NULL},
    {"ParallelRequests", K_UINT, OFF(parallel), 1, 32, NULL},
    {"Host", K_STRING, OFF(host), 0, 0, NULL},
    {"PerAgent", K_BOOL, OFF(per_agent), 0, 0, NULL},
    {"AgentLabel", K_CHOICE, OFF(agent_label), 0, 0, agent_label_choices},
    {"Team", K_TEAM, OFF(filter), 0, 0, NULL},
    {"Agent", K_AGENT, OFF(filter), 0, 0, NULL},
};

void cx_settings_init(struct cx_settings *s) {
  memset(s, 0, sizeof(*s));
  s->client_auth = CX_CLIENT_AUTH_BASIC;
  s->verify_peer = s->verify_host = true;
  s->per_agent = true;
  s->window = 86400 * 1000;
  s->lookback = -1;
  s->overlap = 600 * 1000;
  s->chunk = 2 * 3600 * 1000;
  s->page_size = 1000;
  s->parallel = 4;
}

void cx_settings_free(struct cx_settings *s) {
  free(s->issuer);
  free(s->client_id);
  cx_wipe_free(s->client_secret);
  free(s->access_key_id);
  cx_wipe_free(s->access_key_secret);
  free(s->api_endpoint);
  free(s->api_version);
  free(s->ca_file);
  free(s->host);
  for (size_t i = 0; i < s->filter.nteams; i++)
    free(s->filter.teams[i]);
  free(s->filter.teams);
  free(s->filter.agents);
  memset(s, 0, sizeof(*s));
}

/* ---- messages ---- */

__attribute__((format(printf, 4, 5))) static void say(
    const struct cx_settings_source *src, enum cx_log_level level,
    const char *key, const char *fmt, ...) {
  char message[1024];
  int n = snprintf(message, sizeof(message), "%s: %s: ", src->label, key);
  va_list ap;
  va_start(ap, fmt);
  if (n >= 0 && (size_t)n < sizeof(message))
    vsnprintf(message + n, sizeof(message) - (size_t)n, fmt, ap);
  va_end(ap);
  src->report(src->ctx, level, message);
}

#define BAD(src, key, ...) (say((src), CX_LOG_ERR, (key), __VA_ARGS__), -1)

/* ---- one key ---- */

static bool is_string(const struct cx_settings_source *src,
                      const struct cx_value *v, size_t n) {
  return n == 1 && (v->type == CX_VALUE_STRING || src->text);
}

static int get_string(const struct cx_settings_source *src, const char *key,
                      const struct cx_value *v, size_t n, const char **out) {
  if (!is_string(src, v, n))
    return BAD(src, key, "expected one quoted string");
  if (v->string[0] == '\0')
    return BAD(src, key, "must not be empty");
  *out = v->string;
  return 0;
}

/* One number; text (options, environment) is converted. */
static int get_number(const struct cx_settings_source *src,
                      const struct cx_value *v, size_t n, double *out) {
  if (n != 1)
    return -1;
  if (v->type == CX_VALUE_NUMBER) {
    *out = v->number;
    return 0;
  }
  if (!src->text || v->type != CX_VALUE_STRING)
    return -1;
  char *end = NULL;
  errno = 0;
  *out = strtod(v->string, &end);
  return end != v->string && *end == '\0' && errno == 0 ? 0 : -1;
}

static int set_string(const struct cx_settings_source *src, const char *key,
                      char **dst, const char *value) {
  char *copy = strdup(value);
  if (copy == NULL)
    return BAD(src, key, "out of memory");
  cx_wipe_free(*dst);
  *dst = copy;
  return 0;
}

/* First line of a file, trailing blanks removed; warns when the file is
 * readable by group or others. */
static int read_secret_file(const struct cx_settings_source *src,
                            const char *key, const char *path, char **out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return BAD(src, key, "cannot read \"%s\": %s", path, strerror(e));
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    say(src, CX_LOG_WARNING, key, "\"%s\" is accessible to group or others "
        "(mode %03o); chmod 600 it", path, (unsigned)(st.st_mode & 0777));
  char buf[MAX_SECRET_FILE_SIZE + 1];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  int rc;
  if (n < 0 || n > MAX_SECRET_FILE_SIZE) {
    rc = BAD(src, key, "\"%s\": expected a secret of at most %d bytes", path,
             MAX_SECRET_FILE_SIZE);
  } else {
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    for (size_t len = strlen(buf);
         len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t');)
      buf[--len] = '\0';
    if (buf[0] == '\0')
      rc = BAD(src, key, "\"%s\" is empty; expected the secret on its first "
               "line", path);
    else
      rc = set_string(src, key, out, buf);
  }
  explicit_bzero(buf, sizeof(buf));
  return rc;
}

static int get_choice(const struct cx_settings_source *src, const char *key,
                      const struct cx_value *v, size_t n,
                      const char *const *choices, unsigned *out) {
  if (is_string(src, v, n))
    for (unsigned i = 0; choices[i] != NULL; i++)
      if (strcasecmp(v->string, choices[i]) == 0) {
        *out = i;
        return 0;
      }
  char expected[128] = "";
  size_t len = 0;
  for (unsigned i = 0; choices[i] != NULL && len < sizeof(expected); i++) {
    int w = snprintf(expected + len, sizeof(expected) - len, "%s\"%s\"",
                     i > 0 ? " | " : "", choices[i]);
    len += w > 0 ? (size_t)w : 0;
  }
  return BAD(src, key, "expected one of %s", expected);
}

static int get_bool(const struct cx_settings_source *src, const char *key,
                    const struct cx_value *v, size_t n, bool *out) {
  if (n == 1 && v->type == CX_VALUE_BOOLEAN) {
    *out = v->boolean;
    return 0;
  }
  if (n == 1 && src->text && v->type == CX_VALUE_STRING &&
      (strcasecmp(v->string, "true") == 0 ||
       strcasecmp(v->string, "false") == 0)) {
    *out = strcasecmp(v->string, "true") == 0;
    return 0;
  }
  return BAD(src, key, "expected true or false");
}

static int add_team(const struct cx_settings_source *src, const char *key,
                    const struct cx_value *v, size_t n, struct cx_filter *f) {
  const char *name = NULL;
  if (get_string(src, key, v, n, &name) != 0)
    return -1;
  char **teams = realloc(f->teams, (f->nteams + 1) * sizeof(*teams));
  if (teams == NULL)
    return BAD(src, key, "out of memory");
  f->teams = teams;
  if ((teams[f->nteams] = strdup(name)) == NULL)
    return BAD(src, key, "out of memory");
  f->nteams++;
  return 0;
}

/* Agent ids: numbers, or strings holding one ("1001"). */
static int add_agents(const struct cx_settings_source *src, const char *key,
                      const struct cx_value *v, size_t n, struct cx_filter *f) {
  if (n == 0)
    return BAD(src, key, "expected at least one agent id");
  for (size_t i = 0; i < n; i++) {
    double d = -1;
    if (v[i].type == CX_VALUE_NUMBER) {
      d = v[i].number;
    } else if (v[i].type == CX_VALUE_STRING) {
      char *end = NULL;
      d = strtod(v[i].string, &end);
      if (*end != '\0')
        d = -1;
    }
    if (!(d >= 1) || d > 9e15 || d != (double)(int64_t)d)
      return BAD(src, key, "expected CXone agent ids (positive whole numbers)");
    int64_t *agents = realloc(f->agents, (f->nagents + 1) * sizeof(*agents));
    if (agents == NULL)
      return BAD(src, key, "out of memory");
    f->agents = agents;
    agents[f->nagents++] = (int64_t)d;
  }
  return 0;
}

static const struct key *find_key(const char *name) {
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (strcasecmp(keys[i].name, name) == 0)
      return &keys[i];
  return NULL;
}

bool cx_settings_known(const char *key) { return find_key(key) != NULL; }

int cx_settings_apply(struct cx_settings *s, const struct cx_settings_source *src,
                      const char *key, const struct cx_value *v, size_t n) {
  const struct key *k = find_key(key);
  if (k == NULL) {
    char message[1024];
    snprintf(message, sizeof(message), "%s: unknown option \"%s\" (see "
             "collectd-cxone(5))", src->label, key);
    src->report(src->ctx, CX_LOG_ERR, message);
    return -1;
  }
  void *field = (char *)s + k->offset;
  const char *str = NULL;
  double d;
  switch (k->kind) {
  case K_STRING:
    if (get_string(src, key, v, n, &str) != 0)
      return -1;
    return set_string(src, key, field, str);
  case K_URL:
    if (get_string(src, key, v, n, &str) != 0)
      return -1;
    if (strncasecmp(str, "https://", 8) != 0) {
      if (strncasecmp(str, "http://", 7) != 0)
        return BAD(src, key, "expected an https:// URL, got \"%s\"", str);
      say(src, CX_LOG_WARNING, key, "\"%s\" is plain HTTP: credentials and "
          "tokens would travel unencrypted", str);
    }
    return set_string(src, key, field, str);
  case K_SECRET_FILE:
    if (get_string(src, key, v, n, &str) != 0)
      return -1;
    return read_secret_file(src, key, str, field);
  case K_VERSION: {
    if (get_string(src, key, v, n, &str) != 0)
      return -1;
    size_t digits = strspn(str + 1, "0123456789");
    if (str[0] != 'v' || digits == 0 || digits > 3 ||
        strcmp(str + 1 + digits, ".0") != 0)
      return BAD(src, key, "expected a version like \"%s\", got \"%s\"",
                 CX_DEFAULT_API_VERSION, str);
    return set_string(src, key, field, str);
  }
  case K_CHOICE:
    return get_choice(src, key, v, n, k->choices, field);
  case K_BOOL:
    return get_bool(src, key, v, n, field);
  case K_SECONDS:
    if (get_number(src, v, n, &d) != 0 || !(d >= k->min) || !(d <= k->max))
      return BAD(src, key, "expected a number of seconds from %g to %g",
                 k->min, k->max);
    *(cx_ms_t *)field = (cx_ms_t)(d * 1000.0);
    return 0;
  case K_UINT:
    if (get_number(src, v, n, &d) != 0 || !(d >= k->min) || !(d <= k->max) ||
        d != (double)(unsigned)d)
      return BAD(src, key, "expected a whole number from %g to %g", k->min,
                 k->max);
    *(unsigned *)field = (unsigned)d;
    return 0;
  case K_TEAM:
    return add_team(src, key, v, n, field);
  case K_AGENT:
    return add_agents(src, key, v, n, field);
  }
  return BAD(src, key, "unsupported kind of key");
}

void cx_settings_poll_config(const struct cx_settings *s, const char *user_agent,
                             struct cx_poll_config *cfg) {
  cfg->api = (struct cx_api_config){
      .issuer = s->issuer,
      .client_id = s->client_id,
      .client_secret = s->client_secret,
      .access_key_id = s->access_key_id,
      .access_key_secret = s->access_key_secret,
      .api_endpoint = s->api_endpoint,
      .api_version = s->api_version,
      .client_auth = (enum cx_client_auth)s->client_auth,
  };
  cfg->http = (struct cx_http_options){
      .ca_file = s->ca_file,
      .verify_peer = s->verify_peer,
      .verify_host = s->verify_host,
      .timeout_ms = (long)s->timeout,
      .max_body = DEFAULT_MAX_BODY,
      .user_agent = user_agent,
  };
  cfg->window = s->window;
  cfg->lookback = s->lookback >= 0 ? s->lookback : s->window;
  cfg->chunk = s->chunk;
  cfg->page_size = s->page_size;
  cfg->parallel = s->parallel;
  cfg->filter = s->filter;
}
