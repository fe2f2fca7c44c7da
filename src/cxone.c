/*
 * cxone.c: the collectd glue: <Plugin cxone> configuration, one read
 * callback per <Tenant> block, and the library's log sink.
 *
 * Configuration is validated completely at start-up: any bad or missing key
 * makes the config callback fail (collectd then refuses to start) with a
 * message naming the block, the key and the expected form.  At run time the
 * read callback never returns non-zero for API trouble: collectd would back
 * it off exponentially (up to a day).  Trouble is logged once per episode
 * (c_complain) and shows in the "api" health series; the ledger keeps the
 * last good data.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"
#include "collectd/core/utils/common/common.h"

#include "cx_secret.h"
#include "cx_emit.h"
#include "cx_http.h"
#include "cx_log.h"
#include "cx_poll.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLUGIN_NAME "cxone"
#define READ_GROUP "cxone"
#define USER_AGENT "collectd-cxone/" CXONE_VERSION

#define MAX_SECRET_FILE_SIZE 4096
#define DEFAULT_MAX_BODY (64u * 1024 * 1024)

struct tenant {
  char *name;
  char *host;
  /* Everything cx_poll reads lives here (cx_poll keeps the pointer). */
  struct cx_poll_config cfg;
  char *issuer, *client_id, *client_secret, *access_key_id, *access_key_secret;
  char *api_endpoint, *api_version, *ca_file;
  struct cx_emit_options emit;
  double interval_s;
  struct cx_poll *poll;
  c_complain_t complaint;
};

static void tenant_free(void *arg) {
  struct tenant *t = arg;
  if (t == NULL)
    return;
  cx_poll_destroy(t->poll);
  free(t->name);
  free(t->host);
  free(t->issuer);
  free(t->client_id);
  cx_secret_free(t->client_secret);
  free(t->access_key_id);
  cx_secret_free(t->access_key_secret);
  free(t->api_endpoint);
  free(t->api_version);
  free(t->ca_file);
  for (size_t i = 0; i < t->cfg.filter.nteams; i++)
    free(t->cfg.filter.teams[i]);
  free(t->cfg.filter.teams);
  free(t->cfg.filter.agents);
  free(t);
}

static void log_sink(enum cx_log_level level, const char *message) {
  plugin_log((int)level, PLUGIN_NAME " plugin: %s", message);
}

/* ---- option readers: each logs "<Tenant "x">: Key: expected ..." ---- */

#define CONFIG_ERROR(t, key, fmt, ...)                                         \
  ERROR(PLUGIN_NAME " plugin: <Tenant \"%s\">: %s: " fmt, (t)->name, (key),    \
        ##__VA_ARGS__)

static int get_string(struct tenant *t, oconfig_item_t *ci, char **out) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING) {
    CONFIG_ERROR(t, ci->key, "expected one quoted string");
    return -1;
  }
  if (ci->values[0].value.string[0] == '\0') {
    CONFIG_ERROR(t, ci->key, "must not be empty");
    return -1;
  }
  char *s = strdup(ci->values[0].value.string);
  if (s == NULL)
    return -1;
  cx_wipe_free(*out);
  *out = s;
  return 0;
}

static int get_url(struct tenant *t, oconfig_item_t *ci, char **out) {
  if (get_string(t, ci, out) != 0)
    return -1;
  if (strncasecmp(*out, "https://", 8) == 0)
    return 0;
  if (strncasecmp(*out, "http://", 7) == 0) {
    WARNING(PLUGIN_NAME " plugin: <Tenant \"%s\">: %s: \"%s\" is plain HTTP: "
            "credentials and tokens would travel unencrypted", t->name,
            ci->key, *out);
    return 0;
  }
  CONFIG_ERROR(t, ci->key, "expected an https:// URL, got \"%s\"", *out);
  return -1;
}

static int get_bool(struct tenant *t, oconfig_item_t *ci, bool *out) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_BOOLEAN) {
    CONFIG_ERROR(t, ci->key, "expected true or false");
    return -1;
  }
  *out = ci->values[0].value.boolean != 0;
  return 0;
}

/* A number of seconds in [min_s, max_s], stored as milliseconds. */
static int get_seconds(struct tenant *t, oconfig_item_t *ci, double min_s,
                       double max_s, cx_ms_t *out) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER ||
      !(ci->values[0].value.number >= min_s) ||
      !(ci->values[0].value.number <= max_s)) {
    CONFIG_ERROR(t, ci->key, "expected a number of seconds from %g to %g",
                 min_s, max_s);
    return -1;
  }
  *out = (cx_ms_t)(ci->values[0].value.number * 1000.0);
  return 0;
}

static int get_uint(struct tenant *t, oconfig_item_t *ci, unsigned min,
                    unsigned max, unsigned *out) {
  double v = ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_NUMBER
                 ? ci->values[0].value.number
                 : -1;
  if (v < min || v > max || v != (double)(unsigned)v) {
    CONFIG_ERROR(t, ci->key, "expected a whole number from %u to %u", min, max);
    return -1;
  }
  *out = (unsigned)v;
  return 0;
}

/* Reads a secret from a file: first line, trailing whitespace removed.
 * Warns when the file is readable by group or others. */
static int get_secret_file(struct tenant *t, oconfig_item_t *ci, char **out) {
  char *path = NULL;
  if (get_string(t, ci, &path) != 0)
    return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    CONFIG_ERROR(t, ci->key, "cannot read \"%s\": %s", path, STRERRNO);
    if (fd >= 0)
      close(fd);
    free(path);
    return -1;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    WARNING(PLUGIN_NAME " plugin: <Tenant \"%s\">: %s: \"%s\" is accessible "
            "to group or others (mode %03o); chmod 600 it", t->name, ci->key,
            path, (unsigned)(st.st_mode & 0777));
  char buf[MAX_SECRET_FILE_SIZE + 1];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  if (n < 0 || n > MAX_SECRET_FILE_SIZE) {
    CONFIG_ERROR(t, ci->key, "\"%s\": expected a secret of at most %d bytes",
                 path, MAX_SECRET_FILE_SIZE);
    explicit_bzero(buf, sizeof(buf));
    free(path);
    return -1;
  }
  buf[n] = '\0';
  buf[strcspn(buf, "\r\n")] = '\0';
  for (size_t len = strlen(buf); len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t');)
    buf[--len] = '\0';
  if (buf[0] == '\0') {
    CONFIG_ERROR(t, ci->key, "\"%s\" is empty; expected the secret on its first line", path);
    explicit_bzero(buf, sizeof(buf));
    free(path);
    return -1;
  }
  cx_wipe_free(*out);
  *out = strdup(buf);
  explicit_bzero(buf, sizeof(buf));
  free(path);
  return *out != NULL ? 0 : -1;
}

static int add_team(struct tenant *t, oconfig_item_t *ci) {
  char *name = NULL;
  if (get_string(t, ci, &name) != 0)
    return -1;
  struct cx_filter *f = &t->cfg.filter;
  char **teams = realloc(f->teams, (f->nteams + 1) * sizeof(*teams));
  if (teams == NULL) {
    free(name);
    return -1;
  }
  f->teams = teams;
  f->teams[f->nteams++] = name;
  return 0;
}

static int add_agent(struct tenant *t, oconfig_item_t *ci) {
  struct cx_filter *f = &t->cfg.filter;
  for (int i = 0; i < ci->values_num; i++) {
    const oconfig_value_t *v = &ci->values[i];
    char *end = NULL;
    double d = v->type == OCONFIG_TYPE_NUMBER ? v->value.number
               : v->type == OCONFIG_TYPE_STRING ? strtod(v->value.string, &end)
                                                : -1;
    if (d < 1 || d != (double)(int64_t)d || (end != NULL && *end != '\0')) {
      CONFIG_ERROR(t, ci->key, "expected CXone agent ids (positive whole numbers)");
      return -1;
    }
    int64_t *agents = realloc(f->agents, (f->nagents + 1) * sizeof(*agents));
    if (agents == NULL)
      return -1;
    f->agents = agents;
    f->agents[f->nagents++] = (int64_t)d;
  }
  if (ci->values_num == 0) {
    CONFIG_ERROR(t, ci->key, "expected at least one agent id");
    return -1;
  }
  return 0;
}

static int get_choice(struct tenant *t, oconfig_item_t *ci,
                      const char *const *choices, int *out) {
  if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING)
    for (int i = 0; choices[i] != NULL; i++)
      if (strcasecmp(ci->values[0].value.string, choices[i]) == 0) {
        *out = i;
        return 0;
      }
  char expected[128] = "";
  for (int i = 0; choices[i] != NULL; i++) {
    if (i > 0)
      sstrncpy(expected + strlen(expected), " | ", sizeof(expected) - strlen(expected));
    ssnprintf(expected + strlen(expected), sizeof(expected) - strlen(expected),
              "\"%s\"", choices[i]);
  }
  CONFIG_ERROR(t, ci->key, "expected one of %s", expected);
  return -1;
}

static const char *const client_auth_choices[] = {"basic", "post", NULL};
static const char *const agent_label_choices[] = {"id", "name", "username", NULL};

static int tenant_option(struct tenant *t, oconfig_item_t *ci, cx_ms_t *interval,
                         cx_ms_t *timeout) {
  const char *k = ci->key;
  int choice;

  if (strcasecmp(k, "Issuer") == 0)
    return get_url(t, ci, &t->issuer);
  if (strcasecmp(k, "ClientId") == 0)
    return get_string(t, ci, &t->client_id);
  if (strcasecmp(k, "ClientSecret") == 0)
    return get_string(t, ci, &t->client_secret);
  if (strcasecmp(k, "ClientSecretFile") == 0)
    return get_secret_file(t, ci, &t->client_secret);
  if (strcasecmp(k, "AccessKeyId") == 0)
    return get_string(t, ci, &t->access_key_id);
  if (strcasecmp(k, "AccessKeySecret") == 0)
    return get_string(t, ci, &t->access_key_secret);
  if (strcasecmp(k, "AccessKeySecretFile") == 0)
    return get_secret_file(t, ci, &t->access_key_secret);
  if (strcasecmp(k, "ClientAuth") == 0) {
    if (get_choice(t, ci, client_auth_choices, &choice) != 0)
      return -1;
    t->cfg.api.client_auth = choice == 0 ? CX_CLIENT_AUTH_BASIC : CX_CLIENT_AUTH_POST;
    return 0;
  }
  if (strcasecmp(k, "APIEndpoint") == 0)
    return get_url(t, ci, &t->api_endpoint);
  if (strcasecmp(k, "APIVersion") == 0) {
    if (get_string(t, ci, &t->api_version) != 0)
      return -1;
    const char *v = t->api_version;
    size_t digits = strspn(v + 1, "0123456789");
    if (v[0] != 'v' || digits == 0 || digits > 3 || strcmp(v + 1 + digits, ".0") != 0) {
      CONFIG_ERROR(t, k, "expected a version like \"%s\", got \"%s\"",
                   CX_DEFAULT_API_VERSION, t->api_version);
      return -1;
    }
    return 0;
  }
  if (strcasecmp(k, "Window") == 0)
    return get_seconds(t, ci, 60, 7 * 86400, &t->cfg.window);
  if (strcasecmp(k, "LookBack") == 0)
    return get_seconds(t, ci, 0, 7 * 86400, &t->cfg.lookback);
  if (strcasecmp(k, "HistoryOverlap") == 0)
    return get_seconds(t, ci, 0, 86400, &t->cfg.overlap);
  if (strcasecmp(k, "HistoryChunk") == 0)
    return get_seconds(t, ci, 300, 86400, &t->cfg.chunk);
  if (strcasecmp(k, "PageSize") == 0)
    return get_uint(t, ci, 1, 100000, &t->cfg.page_size);
  if (strcasecmp(k, "ParallelRequests") == 0)
    return get_uint(t, ci, 1, 32, &t->cfg.parallel);
  if (strcasecmp(k, "Interval") == 0)
    return get_seconds(t, ci, 1, 86400, interval);
  if (strcasecmp(k, "Timeout") == 0)
    return get_seconds(t, ci, 1, 3600, timeout);
  if (strcasecmp(k, "Host") == 0)
    return get_string(t, ci, &t->host);
  if (strcasecmp(k, "CACert") == 0)
    return get_string(t, ci, &t->ca_file);
  if (strcasecmp(k, "VerifyPeer") == 0)
    return get_bool(t, ci, &t->cfg.http.verify_peer);
  if (strcasecmp(k, "VerifyHost") == 0)
    return get_bool(t, ci, &t->cfg.http.verify_host);
  if (strcasecmp(k, "Team") == 0)
    return add_team(t, ci);
  if (strcasecmp(k, "Agent") == 0)
    return add_agent(t, ci);
  if (strcasecmp(k, "PerAgent") == 0)
    return get_bool(t, ci, &t->emit.per_agent);
  if (strcasecmp(k, "AgentLabel") == 0) {
    if (get_choice(t, ci, agent_label_choices, &choice) != 0)
      return -1;
    t->emit.label = (enum cx_agent_label)choice;
    return 0;
  }
  ERROR(PLUGIN_NAME " plugin: <Tenant \"%s\">: unknown option \"%s\" (see "
        "collectd-cxone(5))", t->name, k);
  return -1;
}

static int tenant_check_required(struct tenant *t) {
  static const struct {
    const char *key;
    size_t offset;
  } required[] = {
      {"Issuer", offsetof(struct tenant, issuer)},
      {"ClientId", offsetof(struct tenant, client_id)},
      {"ClientSecret (or ClientSecretFile)", offsetof(struct tenant, client_secret)},
      {"AccessKeyId", offsetof(struct tenant, access_key_id)},
      {"AccessKeySecret (or AccessKeySecretFile)", offsetof(struct tenant, access_key_secret)},
  };
  int status = 0;
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(required); i++)
    if (*(char **)((char *)t + required[i].offset) == NULL) {
      CONFIG_ERROR(t, required[i].key, "missing; this key is required");
      status = -1;
    }
  return status;
}

static int cxone_read(user_data_t *ud);

static int tenant_config(oconfig_item_t *ci) {
  struct tenant *t = calloc(1, sizeof(*t));
  if (t == NULL)
    return -1;
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
      ci->values[0].value.string[0] == '\0') {
    ERROR(PLUGIN_NAME " plugin: <Tenant>: expected a quoted tenant name, "
          "e.g. <Tenant \"acme\">");
    free(t);
    return -1;
  }
  t->name = strdup(ci->values[0].value.string);
  /* Defaults, explicit after calloc. */
  t->cfg.window = 86400 * 1000;
  t->cfg.lookback = -1;
  t->cfg.overlap = 600 * 1000;
  t->cfg.chunk = 2 * 3600 * 1000;
  t->cfg.page_size = 1000;
  t->cfg.parallel = 4;
  t->cfg.http.verify_peer = true;
  t->cfg.http.verify_host = true;
  t->cfg.http.max_body = DEFAULT_MAX_BODY;
  t->cfg.http.user_agent = USER_AGENT;
  t->cfg.api.client_auth = CX_CLIENT_AUTH_BASIC;
  t->emit.per_agent = true;
  t->emit.label = CX_LABEL_ID;
  C_COMPLAIN_INIT(&t->complaint);
  cx_ms_t interval = 0, timeout = 0;

  int status = t->name == NULL ? -1 : 0;
  for (int i = 0; i < ci->children_num && status == 0; i++)
    status = tenant_option(t, ci->children + i, &interval, &timeout);
  /* From here on the secrets live in memory kept out of core dumps. */
  t->client_secret = cx_secret_adopt(t->client_secret);
  t->access_key_secret = cx_secret_adopt(t->access_key_secret);
  if (status == 0)
    status = tenant_check_required(t);
  if (status != 0) {
    tenant_free(t);
    return -1;
  }

  if (interval == 0)
    interval = (cx_ms_t)CDTIME_T_TO_MS(plugin_get_interval());
  if (timeout == 0)
    timeout = interval;
  else if (timeout > interval)
    WARNING(PLUGIN_NAME " plugin: <Tenant \"%s\">: Timeout (%.3f s) is longer "
            "than the interval (%.3f s): a slow CXone can make reads overrun",
            t->name, (double)timeout / 1000.0, (double)interval / 1000.0);
  if (t->cfg.lookback < 0)
    t->cfg.lookback = t->cfg.window;
  t->interval_s = (double)interval / 1000.0;
  t->cfg.interval = interval;
  t->cfg.budget = timeout * 8 / 10 > 1000 ? timeout * 8 / 10 : 1000;
  t->cfg.http.timeout_ms = (long)timeout;
  t->cfg.http.ca_file = t->ca_file;
  t->cfg.api = (struct cx_api_config){
      .issuer = t->issuer,
      .client_id = t->client_id,
      .client_secret = t->client_secret,
      .access_key_id = t->access_key_id,
      .access_key_secret = t->access_key_secret,
      .api_endpoint = t->api_endpoint,
      .api_version = t->api_version,
      .client_auth = t->cfg.api.client_auth,
  };
  t->emit.host = t->host != NULL ? t->host : t->name;
  t->emit.interval_seconds = t->interval_s;

  char cb_name[DATA_MAX_NAME_LEN];
  ssnprintf(cb_name, sizeof(cb_name), PLUGIN_NAME "/%s", t->name);
  /* Registration takes ownership of t, even when it fails. */
  return plugin_register_complex_read(
      READ_GROUP, cb_name, cxone_read, MS_TO_CDTIME_T(interval),
      &(user_data_t){.data = t, .free_func = tenant_free});
}

static int cxone_config(oconfig_item_t *ci) {
  int status = 0;
  int tenants = 0;
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *child = ci->children + i;
    if (strcasecmp(child->key, "Tenant") == 0) {
      tenants++;
      if (tenant_config(child) != 0)
        status = -1;
    } else {
      ERROR(PLUGIN_NAME " plugin: unknown option \"%s\" in <Plugin cxone>; "
            "expected <Tenant \"name\"> blocks", child->key);
      status = -1;
    }
  }
  if (tenants == 0) {
    ERROR(PLUGIN_NAME " plugin: <Plugin cxone> has no <Tenant \"name\"> "
          "block; nothing to poll");
    status = -1;
  }
  return status;
}

/* The poller is created on the first read, after cxone_init has run
 * curl_global_init while the daemon was still single-threaded. */
static int cxone_read(user_data_t *ud) {
  struct tenant *t = ud->data;
  if (t->poll == NULL && (t->poll = cx_poll_create(&t->cfg)) == NULL) {
    c_complain(LOG_ERR, &t->complaint, PLUGIN_NAME " plugin: tenant \"%s\": "
               "out of memory creating the poller", t->name);
    return 0;
  }
  struct cx_error err;
  enum cx_status st = cx_poll_run(t->poll, &err);
  if (st != CX_OK)
    c_complain(cx_status_is_transient(st) ? LOG_WARNING : LOG_ERR, &t->complaint,
               PLUGIN_NAME " plugin: tenant \"%s\": %s (%s); keeping the last "
               "good data", t->name, err.message, cx_status_name(st));
  else
    c_release(LOG_NOTICE, &t->complaint, PLUGIN_NAME " plugin: tenant \"%s\": "
              "CXone answers again", t->name);
  cx_emit(&t->emit, cx_poll_snapshot(t->poll), cx_poll_health(t->poll));
  return 0;
}

static int cxone_init(void) {
  cx_log_set_sink(log_sink);
  if (cx_http_global_init() != CX_OK) {
    ERROR(PLUGIN_NAME " plugin: libcurl initialisation failed");
    plugin_unregister_read_group(READ_GROUP);
    return -1;
  }
  return 0;
}

static int cxone_shutdown(void) {
  cx_http_global_cleanup();
  return 0;
}

void module_register(void) {
  plugin_register_complex_config(PLUGIN_NAME, cxone_config);
  plugin_register_init(PLUGIN_NAME, cxone_init);
  plugin_register_shutdown(PLUGIN_NAME, cxone_shutdown);
}
