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

#include "cx_emit.h"
#include "cx_http.h"
#include "cx_log.h"
#include "cx_poll.h"
#include "cx_secret.h"
#include "cx_settings.h"

#define PLUGIN_NAME "cxone"
#define READ_GROUP "cxone"
#define USER_AGENT "collectd-cxone/" CXONE_VERSION

struct tenant {
  char *name;
  struct cx_settings set; /* the <Tenant> keys; cfg points into it */
  /* Everything cx_poll reads lives here (cx_poll keeps the pointer). */
  struct cx_poll_config cfg;
  struct cx_emit_options emit;
  struct cx_poll *poll;
  c_complain_t complaint;
};

static void tenant_free(void *arg) {
  struct tenant *t = arg;
  if (t == NULL)
    return;
  cx_poll_destroy(t->poll);
  free(t->name);
  cx_settings_free(&t->set);
  free(t);
}

/* The tenant this read thread is polling, for the library's log lines
 * (several tenants poll at once on collectd's read threads). */
static __thread const char *reading_tenant;

static void log_sink(enum cx_log_level level, const char *message) {
  if (reading_tenant != NULL)
    plugin_log((int)level, PLUGIN_NAME " plugin: tenant \"%s\": %s",
               reading_tenant, message);
  else
    plugin_log((int)level, PLUGIN_NAME " plugin: %s", message);
}

/* One line of the block: collectd's values as the library's. */
static enum cx_status tenant_option(struct tenant *t,
                                    const struct cx_settings_source *src,
                                    const oconfig_item_t *ci,
                                    struct cx_error *err) {
  size_t n = ci->values_num > 0 ? (size_t)ci->values_num : 0;
  struct cx_value *v = calloc(n > 0 ? n : 1, sizeof(*v));
  if (v == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: %s: out of memory",
                        src->label, ci->key);
  for (size_t i = 0; i < n; i++) {
    const oconfig_value_t *ov = &ci->values[i];
    if (ov->type == OCONFIG_TYPE_STRING)
      v[i] = (struct cx_value){.type = CX_VALUE_STRING, .string = ov->value.string};
    else if (ov->type == OCONFIG_TYPE_NUMBER)
      v[i] = (struct cx_value){.type = CX_VALUE_NUMBER, .number = ov->value.number};
    else
      v[i] = (struct cx_value){.type = CX_VALUE_BOOLEAN,
                               .boolean = ov->value.boolean != 0};
  }
  enum cx_status st = cx_settings_apply(&t->set, src, ci->key, v, n, err);
  free(v);
  return st;
}

static int cxone_read(user_data_t *ud);

static int tenant_config(oconfig_item_t *ci) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
      ci->values[0].value.string[0] == '\0') {
    ERROR(PLUGIN_NAME " plugin: <Tenant>: expected a quoted tenant name, "
          "e.g. <Tenant \"acme\">");
    return -1;
  }
  struct tenant *t = calloc(1, sizeof(*t));
  if (t == NULL || (t->name = strdup(ci->values[0].value.string)) == NULL) {
    ERROR(PLUGIN_NAME " plugin: <Tenant>: out of memory");
    free(t);
    return -1;
  }
  cx_settings_init(&t->set);
  C_COMPLAIN_INIT(&t->complaint);

  char label[DATA_MAX_NAME_LEN + 16];
  ssnprintf(label, sizeof(label), "<Tenant \"%s\">", t->name);
  const struct cx_settings_source src = {label, false};
  const struct cx_settings_use use = {
      .user_agent = USER_AGENT,
      .interval = (cx_ms_t)CDTIME_T_TO_MS(plugin_get_interval()),
  };
  struct cx_error err;
  enum cx_status st = CX_OK;
  for (int i = 0; i < ci->children_num && st == CX_OK; i++)
    st = tenant_option(t, &src, ci->children + i, &err);
  if (st == CX_OK)
    st = cx_settings_resolve(&t->set, label, &use, &t->cfg, &err);
  if (st != CX_OK) {
    ERROR(PLUGIN_NAME " plugin: %s", err.message);
    tenant_free(t);
    return -1;
  }
  t->emit.per_agent = t->set.per_agent;
  t->emit.per_skill = t->set.per_skill;
  t->emit.label = t->set.agent_label;
  t->emit.host = t->set.host != NULL ? t->set.host : t->name;
  t->emit.interval_seconds = (double)t->cfg.interval / 1000.0;

  char cb_name[DATA_MAX_NAME_LEN];
  ssnprintf(cb_name, sizeof(cb_name), PLUGIN_NAME "/%s", t->name);
  /* Registration takes ownership of t, even when it fails. */
  return plugin_register_complex_read(
      READ_GROUP, cb_name, cxone_read, MS_TO_CDTIME_T(t->cfg.interval),
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

/* The poller is created on the first read, after module_register has run
 * curl_global_init while the daemon was still single-threaded. */
static int cxone_read(user_data_t *ud) {
  struct tenant *t = ud->data;
  if (t->poll == NULL && (t->poll = cx_poll_create(&t->cfg)) == NULL) {
    c_complain(LOG_ERR, &t->complaint, PLUGIN_NAME " plugin: tenant \"%s\": "
               "out of memory creating the poller", t->name);
    return 0;
  }
  struct cx_error err;
  reading_tenant = t->name;
  enum cx_status st = cx_poll_run(t->poll, &err);
  reading_tenant = NULL;
  if (st != CX_OK)
    c_complain(cx_status_is_transient(st) ? LOG_WARNING : LOG_ERR, &t->complaint,
               PLUGIN_NAME " plugin: tenant \"%s\": %s (%s); keeping the last "
               "good data", t->name, err.message, cx_status_name(st));
  else
    c_release(LOG_NOTICE, &t->complaint, PLUGIN_NAME " plugin: tenant \"%s\": "
              "CXone answers again", t->name);
  cx_emit(&t->emit, cx_poll_snapshot(t->poll), cx_poll_health(t->poll));
  /* This read thread now sleeps: the last request (the token) must not
   * wait in its vector registers for a core dump. */
  cx_secret_clear_registers();
  return 0;
}

static bool curl_ready;

static int cxone_init(void) {
  if (!curl_ready) {
    ERROR(PLUGIN_NAME " plugin: libcurl initialisation failed");
    plugin_unregister_read_group(READ_GROUP);
    return -1;
  }
  return 0;
}

static int cxone_shutdown(void) {
  if (curl_ready)
    cx_http_global_cleanup();
  curl_ready = false;
  return 0;
}

void module_register(void) {
  cx_log_set_sink(log_sink);
  /* libcurl is initialised here, when LoadPlugin loads the plugin, rather
   * than in the init callback: curl_global_init_mem() (cx_http.c) installs
   * the allocation callbacks that wipe libcurl's copies of requests only if
   * it comes first in the process, and a plugin sharing our libcurl may
   * initialise it as soon as its configuration is read (collectd's curl
   * plugin calls curl_easy_init then, which initialises libcurl as a side
   * effect) or in its init callback.  Anything that does so before
   * "LoadPlugin cxone" still wins; cx_http_global_init() then logs a
   * warning.  (Debian's own curl-based plugins use libcurl-gnutls, another
   * copy of libcurl, and do not interfere.) */
  curl_ready = cx_http_global_init() == CX_OK;
  plugin_register_complex_config(PLUGIN_NAME, cxone_config);
  plugin_register_init(PLUGIN_NAME, cxone_init);
  plugin_register_shutdown(PLUGIN_NAME, cxone_shutdown);
}
