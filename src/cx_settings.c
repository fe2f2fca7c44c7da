/*
 * cx_settings.c: the <Tenant> keys' table, the checks and conversions
 * behind it, every default, and the resolution of settings into a poll
 * configuration (see cx_settings.h).
 */
#include "cx_settings.h"
#include "cx_array.h"
#include "cx_tz.h"
#include "cx_log.h"
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
/* Defaults that are not keys, or that depend on the use. */
#define MAX_BODY ((size_t)64 * 1024 * 1024) /* a response's size cap */
#define QUERY_TIMEOUT_MS (30 * 1000)        /* Timeout of one query */

enum kind {
  K_STRING, K_SECRET, K_URL, K_SECRET_FILE, K_VERSION, K_CLIENT_AUTH,
  K_AGENT_LABEL, K_BOOL, K_SECONDS, K_UINT, K_TEAM, K_AGENT, K_SKILL,
  K_TIME_ZONE
};

/* A name a choice key accepts, and the enum value it stands for. */
struct choice {
  const char *name;
  int value;
};

struct key {
  const char *name;
  enum kind kind;
  size_t offset;
  double min, max;               /* K_SECONDS, K_UINT */
  const struct choice *choices;  /* K_CLIENT_AUTH, K_AGENT_LABEL; ends
                                    with a NULL name */
};

static const struct choice client_auths[] = {
    {"basic", CX_CLIENT_AUTH_BASIC}, {"post", CX_CLIENT_AUTH_POST}, {NULL, 0}};
static const struct choice agent_labels[] = {
    {"id", CX_LABEL_ID}, {"name", CX_LABEL_NAME},
    {"username", CX_LABEL_USERNAME}, {NULL, 0}};

#define OFF(f) offsetof(struct cx_settings, f)
static const struct key keys[] = {
    {"Issuer", K_URL, OFF(issuer), 0, 0, NULL},
    {"ClientId", K_STRING, OFF(client_id), 0, 0, NULL},
    {"ClientSecret", K_SECRET, OFF(client_secret), 0, 0, NULL},
    {"ClientSecretFile", K_SECRET_FILE, OFF(client_secret), 0, 0, NULL},
    {"AccessKeyId", K_STRING, OFF(access_key_id), 0, 0, NULL},
    {"AccessKeySecret", K_SECRET, OFF(access_key_secret), 0, 0, NULL},
    {"AccessKeySecretFile", K_SECRET_FILE, OFF(access_key_secret), 0, 0, NULL},
    {"ClientAuth", K_CLIENT_AUTH, OFF(client_auth), 0, 0, client_auths},
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
    {"AgentLabel", K_AGENT_LABEL, OFF(agent_label), 0, 0, agent_labels},
    {"Team", K_TEAM, OFF(filter), 0, 0, NULL},
    {"Agent", K_AGENT, OFF(filter), 0, 0, NULL},
    {"Today", K_BOOL, OFF(today), 0, 0, NULL},
    {"TimeZone", K_TIME_ZONE, OFF(tz), 0, 0, NULL},
    {"Skills", K_BOOL, OFF(skills), 0, 0, NULL},
    {"PerSkill", K_BOOL, OFF(per_skill), 0, 0, NULL},
    {"Skill", K_SKILL, OFF(filter), 0, 0, NULL},
    {"SkillSummaryInterval", K_SECONDS, OFF(skill_summary_interval), 0, 86400,
     NULL},
};

/* The keys without a default. */
static const struct {
  const char *name; /* as messages give it */
  size_t offset;
} required[] = {
    {"Issuer", OFF(issuer)},
    {"ClientId", OFF(client_id)},
    {"ClientSecret (or ClientSecretFile)", OFF(client_secret)},
    {"AccessKeyId", OFF(access_key_id)},
    {"AccessKeySecret (or AccessKeySecretFile)", OFF(access_key_secret)},
};

void cx_settings_init(struct cx_settings *s) {
  memset(s, 0, sizeof(*s));
  s->client_auth = CX_CLIENT_AUTH_BASIC;
  s->agent_label = CX_LABEL_ID;
  s->verify_peer = s->verify_host = true;
  s->per_agent = true;
  s->skills = s->per_skill = true;
  s->skill_summary_interval = 300 * 1000;
  s->window = 86400 * 1000;
  s->lookback = -1;
  s->overlap = 600 * 1000;
  s->chunk = 2 * 3600 * 1000;
  s->page_size = 1000;
  s->parallel = 4;
}

static void clear_names(char ***names, size_t *n, size_t *cap) {
  for (size_t i = 0; i < *n; i++)
    free((*names)[i]);
  free(*names);
  *names = NULL;
  *n = *cap = 0;
}

static void clear_teams(struct cx_filter *f) {
  clear_names(&f->teams, &f->nteams, &f->teams_cap);
}

static void clear_skills(struct cx_filter *f) {
  clear_names(&f->skills, &f->nskills, &f->skills_cap);
}

static void clear_agents(struct cx_filter *f) {
  free(f->agents);
  f->agents = NULL;
  f->nagents = f->agents_cap = 0;
}

void cx_settings_free(struct cx_settings *s) {
  free(s->issuer);
  free(s->client_id);
  cx_secret_free(s->client_secret);
  free(s->access_key_id);
  cx_secret_free(s->access_key_secret);
  free(s->api_endpoint);
  free(s->api_version);
  free(s->ca_file);
  free(s->host);
  clear_teams(&s->filter);
  clear_skills(&s->filter);
  clear_agents(&s->filter);
  cx_tz_free(s->tz);
  memset(s, 0, sizeof(*s));
}

/* ---- messages ---- */

/* The key being applied, for messages. */
struct apply {
  const struct cx_settings_source *src;
  const char *key;
  struct cx_error *err;
};

/* "<label>: Key: what" into line. */
static void vline(char *line, size_t size, const struct apply *a,
                  const char *fmt, va_list ap) {
  int n = snprintf(line, size, "%s: %s: ", a->src->label, a->key);
  if (n >= 0 && (size_t)n < size)
    vsnprintf(line + n, size - (size_t)n, fmt, ap);
}

__attribute__((format(printf, 3, 4))) static enum cx_status fail(
    const struct apply *a, enum cx_status status, const char *fmt, ...) {
  char line[sizeof(a->err->message)];
  va_list ap;
  va_start(ap, fmt);
  vline(line, sizeof(line), a, fmt, ap);
  va_end(ap);
  return cx_error_set(a->err, status, 0, "%s", line);
}

__attribute__((format(printf, 2, 3))) static void warn(const struct apply *a,
                                                       const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vline(line, sizeof(line), a, fmt, ap);
  va_end(ap);
  cx_log(CX_LOG_WARNING, "%s", line);
}

#define BAD(a, ...) fail((a), CX_ERR_INVALID, __VA_ARGS__)
#define NOMEM(a) fail((a), CX_ERR_NOMEM, "out of memory")

/* ---- one key ---- */

static bool is_string(const struct apply *a, const struct cx_value *v,
                      size_t n) {
  return n == 1 && (v->type == CX_VALUE_STRING || a->src->text);
}

static enum cx_status get_string(const struct apply *a,
                                 const struct cx_value *v, size_t n,
                                 const char **out) {
  if (!is_string(a, v, n))
    return BAD(a, "expected one quoted string");
  if (v->string[0] == '\0')
    return BAD(a, "must not be empty");
  *out = v->string;
  return CX_OK;
}

/* One number; text (options, environment) is converted. */
static bool get_number(const struct apply *a, const struct cx_value *v,
                       size_t n, double *out) {
  if (n != 1)
    return false;
  if (v->type == CX_VALUE_NUMBER) {
    *out = v->number;
    return true;
  }
  if (!a->src->text || v->type != CX_VALUE_STRING)
    return false;
  char *end = NULL;
  errno = 0;
  *out = strtod(v->string, &end);
  return end != v->string && *end == '\0' && errno == 0;
}

/* Replaces *dst by a copy of value: in secret memory when `secret`. */
static enum cx_status set_string(const struct apply *a, char **dst,
                                 const char *value, bool secret) {
  char *copy = secret ? cx_secret_dup(value) : strdup(value);
  if (copy == NULL)
    return NOMEM(a);
  if (secret)
    cx_secret_free(*dst);
  else
    free(*dst);
  *dst = copy;
  return CX_OK;
}

/* First line of a file, trailing blanks removed, into secret memory; warns
 * when the file is readable by group or others. */
static enum cx_status read_secret_file(const struct apply *a, const char *path,
                                       char **out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return BAD(a, "cannot read \"%s\": %s", path, strerror(e));
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    warn(a, "\"%s\" is accessible to group or others (mode %03o); chmod 600 "
         "it", path, (unsigned)(st.st_mode & 0777));
  char buf[MAX_SECRET_FILE_SIZE + 1];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  enum cx_status rc;
  if (n < 0 || n > MAX_SECRET_FILE_SIZE) {
    rc = BAD(a, "\"%s\": expected a secret of at most %d bytes", path,
             MAX_SECRET_FILE_SIZE);
  } else {
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    for (size_t len = strlen(buf);
         len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t');)
      buf[--len] = '\0';
    if (buf[0] == '\0')
      rc = BAD(a, "\"%s\" is empty; expected the secret on its first line",
               path);
    else
      rc = set_string(a, out, buf, true);
  }
  explicit_bzero(buf, sizeof(buf));
  return rc;
}

static enum cx_status get_choice(const struct apply *a,
                                 const struct cx_value *v, size_t n,
                                 const struct choice *choices,
                                 const struct choice **out) {
  if (is_string(a, v, n))
    for (const struct choice *c = choices; c->name != NULL; c++)
      if (strcasecmp(v->string, c->name) == 0) {
        *out = c;
        return CX_OK;
      }
  char expected[128] = "";
  size_t len = 0;
  for (const struct choice *c = choices;
       c->name != NULL && len < sizeof(expected); c++) {
    int w = snprintf(expected + len, sizeof(expected) - len, "%s\"%s\"",
                     c > choices ? " | " : "", c->name);
    len += w > 0 ? (size_t)w : 0;
  }
  return BAD(a, "expected one of %s", expected);
}

static enum cx_status get_bool(const struct apply *a, const struct cx_value *v,
                               size_t n, bool *out) {
  if (n == 1 && v->type == CX_VALUE_BOOLEAN) {
    *out = v->boolean;
    return CX_OK;
  }
  if (n == 1 && a->src->text && v->type == CX_VALUE_STRING &&
      (strcasecmp(v->string, "true") == 0 ||
       strcasecmp(v->string, "false") == 0)) {
    *out = strcasecmp(v->string, "true") == 0;
    return CX_OK;
  }
  return BAD(a, "expected true or false");
}

/* A Team or Skill name, added to its list. */
static enum cx_status add_name(const struct apply *a, const struct cx_value *v,
                               size_t n, char ***names, size_t *count,
                               size_t *cap) {
  const char *name = NULL;
  enum cx_status st = get_string(a, v, n, &name);
  if (st != CX_OK)
    return st;
  if (cx_array_reserve((void **)names, cap, *count + 1, sizeof(**names)) !=
          CX_OK ||
      ((*names)[*count] = strdup(name)) == NULL)
    return NOMEM(a);
  (*count)++;
  return CX_OK;
}

/* Agent ids: numbers, or strings holding one ("1001"). */
static enum cx_status add_agents(const struct apply *a,
                                 const struct cx_value *v, size_t n,
                                 struct cx_filter *f) {
  if (n == 0)
    return BAD(a, "expected at least one agent id");
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
      return BAD(a, "expected CXone agent ids (positive whole numbers)");
    if (CX_ARRAY_RESERVE(f->agents, f->agents_cap, f->nagents + 1) != CX_OK)
      return NOMEM(a);
    f->agents[f->nagents++] = (int64_t)d;
  }
  return CX_OK;
}

/* An IANA zone name, read from zoneinfo now: a missing zone is a bad
 * configuration, not a surprise at midnight. */
static enum cx_status set_time_zone(const struct apply *a,
                                    const struct cx_value *v, size_t n,
                                    struct cx_tz **tz) {
  const char *name = NULL;
  enum cx_status st = get_string(a, v, n, &name);
  if (st != CX_OK)
    return st;
  struct cx_tz *loaded;
  struct cx_error why;
  if ((st = cx_tz_load(name, &loaded, &why)) == CX_ERR_NOMEM)
    return NOMEM(a);
  if (st != CX_OK)
    return BAD(a, "expected an IANA time zone such as \"Europe/Paris\", "
               "or \"UTC\": %s", why.message);
  cx_tz_free(*tz);
  *tz = loaded;
  return CX_OK;
}

static const struct key *find_key(const char *name) {
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (strcasecmp(keys[i].name, name) == 0)
      return &keys[i];
  return NULL;
}

bool cx_settings_known(const char *key) { return find_key(key) != NULL; }

void cx_settings_clear_list(struct cx_settings *s, const char *key) {
  const struct key *k = find_key(key);
  if (k != NULL && k->kind == K_TEAM)
    clear_teams(&s->filter);
  else if (k != NULL && k->kind == K_SKILL)
    clear_skills(&s->filter);
  else if (k != NULL && k->kind == K_AGENT)
    clear_agents(&s->filter);
}

/* A string key's checks beyond get_string: the URL's scheme, the
 * version's form. */
static enum cx_status check_url(const struct apply *a, const char *str) {
  if (strncasecmp(str, "https://", 8) == 0)
    return CX_OK;
  if (strncasecmp(str, "http://", 7) != 0)
    return BAD(a, "expected an https:// URL, got \"%s\"", str);
  warn(a, "\"%s\" is plain HTTP: credentials and tokens would travel "
       "unencrypted", str);
  return CX_OK;
}

static enum cx_status check_version(const struct apply *a, const char *str) {
  size_t digits = strspn(str + 1, "0123456789");
  if (str[0] != 'v' || digits == 0 || digits > 3 ||
      strcmp(str + 1 + digits, ".0") != 0)
    return BAD(a, "expected a version like \"%s\", got \"%s\"",
               CX_DEFAULT_API_VERSION, str);
  return CX_OK;
}

/* The string kinds: checked, then stored (or read from the file). */
static enum cx_status apply_string(const struct apply *a, enum kind kind,
                                   char **field, const struct cx_value *v,
                                   size_t n) {
  const char *str = NULL;
  enum cx_status st = get_string(a, v, n, &str);
  if (st == CX_OK && kind == K_URL)
    st = check_url(a, str);
  else if (st == CX_OK && kind == K_VERSION)
    st = check_version(a, str);
  if (st != CX_OK)
    return st;
  if (kind == K_SECRET_FILE)
    return read_secret_file(a, str, field);
  return set_string(a, field, str, kind == K_SECRET);
}

enum cx_status cx_settings_apply(struct cx_settings *s,
                                 const struct cx_settings_source *src,
                                 const char *key, const struct cx_value *v,
                                 size_t n, struct cx_error *err) {
  const struct key *k = find_key(key);
  if (k == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "%s: unknown option \"%s\" "
                        "(see collectd-cxone(5))", src->label, key);
  const struct apply a = {src, key, err};
  void *field = (char *)s + k->offset;
  const struct choice *c = NULL;
  enum cx_status st;
  double d;
  switch (k->kind) {
  case K_STRING:
  case K_SECRET:
  case K_URL:
  case K_SECRET_FILE:
  case K_VERSION:
    return apply_string(&a, k->kind, field, v, n);
  case K_CLIENT_AUTH:
    if ((st = get_choice(&a, v, n, k->choices, &c)) == CX_OK)
      *(enum cx_client_auth *)field = (enum cx_client_auth)c->value;
    return st;
  case K_AGENT_LABEL:
    if ((st = get_choice(&a, v, n, k->choices, &c)) == CX_OK)
      *(enum cx_agent_label *)field = (enum cx_agent_label)c->value;
    return st;
  case K_BOOL:
    return get_bool(&a, v, n, field);
  case K_SECONDS:
    if (!get_number(&a, v, n, &d) || !(d >= k->min) || !(d <= k->max))
      return BAD(&a, "expected a number of seconds from %g to %g", k->min,
                 k->max);
    *(cx_ms_t *)field = (cx_ms_t)(d * 1000.0);
    return CX_OK;
  case K_UINT:
    if (!get_number(&a, v, n, &d) || !(d >= k->min) || !(d <= k->max) ||
        d != (double)(unsigned)d)
      return BAD(&a, "expected a whole number from %g to %g", k->min, k->max);
    *(unsigned *)field = (unsigned)d;
    return CX_OK;
  case K_TIME_ZONE:
    return set_time_zone(&a, v, n, field);
  case K_TEAM:
    return add_name(&a, v, n, &s->filter.teams, &s->filter.nteams,
                    &s->filter.teams_cap);
  case K_SKILL:
    return add_name(&a, v, n, &s->filter.skills, &s->filter.nskills,
                    &s->filter.skills_cap);
  case K_AGENT:
    return add_agents(&a, v, n, field);
  }
  return BAD(&a, "unsupported kind of key");
}

/* ---- resolution ---- */

/* The required keys that are missing, "A, B", into names; their count. */
static size_t missing_keys(const struct cx_settings *s, char *names,
                           size_t size) {
  size_t count = 0, len = 0;
  names[0] = '\0';
  for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
    if (*(char *const *)((const char *)s + required[i].offset) != NULL)
      continue;
    int w = snprintf(names + len, size - len, "%s%s", count > 0 ? ", " : "",
                     required[i].name);
    if (w > 0 && (size_t)w < size - len)
      len += (size_t)w;
    count++;
  }
  return count;
}

enum cx_status cx_settings_resolve(const struct cx_settings *s,
                                   const char *label,
                                   const struct cx_settings_use *use,
                                   struct cx_poll_config *cfg,
                                   struct cx_error *err) {
  char missing[256];
  size_t nmissing = missing_keys(s, missing, sizeof(missing));
  if (nmissing > 0)
    return cx_error_set(err, CX_ERR_INVALID, 0, "%s: %s: missing; %s",
                        label, missing, nmissing == 1
                            ? "this key is required"
                            : "these keys are required");
  cx_ms_t window = use->window > 0 ? use->window : s->window;
  cx_ms_t interval = 0, overlap = 0, timeout = s->timeout;
  cx_ms_t budget = use->budget;
  if (use->interval > 0) { /* periodic reads */
    interval = s->interval > 0 ? s->interval : use->interval;
    if (timeout == 0)
      timeout = interval;
    else if (timeout > interval)
      cx_log(CX_LOG_WARNING, "%s: Timeout (%.3f s) is longer than the "
             "interval (%.3f s): a slow CXone can make reads overrun", label,
             (double)timeout / 1000.0, (double)interval / 1000.0);
    /* The read's HTTP deadline: Timeout less a margin (a tenth, at most
     * 1 s) for processing what arrived, so the read returns within
     * Timeout. */
    budget = timeout - (timeout / 10 < 1000 ? timeout / 10 : 1000);
    overlap = s->overlap;
  } else if (timeout == 0) { /* one query */
    timeout = QUERY_TIMEOUT_MS;
  }
  *cfg = (struct cx_poll_config){
      .api = {.issuer = s->issuer,
              .client_id = s->client_id,
              .client_secret = s->client_secret,
              .access_key_id = s->access_key_id,
              .access_key_secret = s->access_key_secret,
              .api_endpoint = s->api_endpoint,
              .api_version = s->api_version,
              .client_auth = s->client_auth},
      .http = {.ca_file = s->ca_file,
               .verify_peer = s->verify_peer,
               .verify_host = s->verify_host,
               .timeout_ms = (long)timeout,
               .max_body = MAX_BODY,
               .user_agent = use->user_agent},
      .window = window,
      .lookback = s->lookback >= 0 ? s->lookback : window,
      .interval = interval,
      .overlap = overlap,
      .chunk = s->chunk,
      .budget = budget,
      .page_size = s->page_size,
      .parallel = s->parallel,
      .filter = s->filter,
      .today = s->today,
      .tz = s->tz,
      /* One query (cxone-query) reads agents only. */
      .skills = s->skills && use->interval > 0,
      .skill_summary_interval = s->skill_summary_interval,
  };
  return CX_OK;
}
