/*
 * floor.c: collectd's own dispatch floor, for scripts/bench (built by
 * `make check`, never installed).
 *
 * A read plugin that does nothing but dispatch.  Each read sends every
 * series listed in a file, one value per value list (as cx_emit.c does), all
 * with the read's timestamp and interval.  The file is the cxone plugin's own
 * output on one steady-state cycle, captured by bench/tally.c, so this plugin
 * dispatches the same number of values with the same identifiers, lengths,
 * types and grouping.  What the cxone plugin costs per cycle above this
 * plugin is its own work: HTTP, TLS, JSON, ledger, snapshot, labels.
 *
 * The per-value work is the least any plugin does: copy type and type
 * instance into the value list, the plugin instance when the scope changes
 * (consecutive lines with equal text share one string), dispatch.
 *
 *   LoadPlugin floor
 *   <Plugin floor>
 *     Identifiers "/path/ids.tsv"
 *   </Plugin>
 *
 * File: one series per line, tab-separated:
 *   host plugin plugin_instance type type_instance g|d value
 * (g: gauge, d: derive).
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct floor_series {
  const char *host;
  const char *plugin;
  const char *plugin_instance;
  const char *type;
  const char *type_instance;
  value_t value;
};

struct floor {
  char *text; /* the file; fields point into it */
  struct floor_series *series;
  size_t n;
};

static void floor_free(void *arg) {
  struct floor *f = arg;
  if (f == NULL)
    return;
  free(f->series);
  free(f->text);
  free(f);
}

static char *read_all(const char *path, size_t *size) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return NULL;
  size_t cap = 1 << 20, len = 0;
  char *buf = malloc(cap + 1);
  while (buf != NULL) {
    len += fread(buf + len, 1, cap - len, fp);
    if (len < cap)
      break;
    char *p = realloc(buf, 2 * cap + 1);
    if (p == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = p;
    cap *= 2;
  }
  bool failed = ferror(fp) != 0;
  fclose(fp);
  if (buf == NULL || failed) {
    free(buf);
    return NULL;
  }
  buf[len] = '\0';
  *size = len;
  return buf;
}

/* The previous line's field when equal, so equal neighbours share one
 * pointer and the read copies a scope's plugin instance once. */
static const char *shared(const char *field, const char *previous) {
  return previous != NULL && strcmp(field, previous) == 0 ? previous : field;
}

static int floor_parse(struct floor *f, const char *path) {
  size_t size = 0, lines = 0;
  f->text = read_all(path, &size);
  if (f->text == NULL) {
    ERROR("floor plugin: %s: cannot read: %s", path, STRERRNO);
    return -1;
  }
  for (size_t i = 0; i < size; i++)
    lines += f->text[i] == '\n';
  f->series = calloc(lines + 1, sizeof(*f->series));
  if (f->series == NULL) {
    ERROR("floor plugin: out of memory for %zu series", lines);
    return -1;
  }
  const struct floor_series *prev = NULL;
  char *save = NULL;
  for (char *line = strtok_r(f->text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    char *field[7];
    int nf = 0;
    for (char *p = line; nf < 7; nf++) {
      field[nf] = p;
      p = strchr(p, '\t');
      if (p == NULL) {
        nf++;
        break;
      }
      *p++ = '\0';
    }
    if (nf != 7 || (field[5][0] != 'g' && field[5][0] != 'd')) {
      ERROR("floor plugin: %s: line %zu: expected 7 tab-separated fields",
            path, f->n + 1);
      return -1;
    }
    struct floor_series *s = &f->series[f->n++];
    s->host = shared(field[0], prev ? prev->host : NULL);
    s->plugin = shared(field[1], prev ? prev->plugin : NULL);
    s->plugin_instance = shared(field[2], prev ? prev->plugin_instance : NULL);
    s->type = field[3];
    s->type_instance = field[4];
    if (field[5][0] == 'g')
      s->value.gauge = strtod(field[6], NULL);
    else
      s->value.derive = (derive_t)strtoll(field[6], NULL, 10);
    prev = s;
  }
  if (f->n == 0) {
    ERROR("floor plugin: %s: no series", path);
    return -1;
  }
  return 0;
}

static int floor_read(user_data_t *ud) {
  const struct floor *f = ud->data;
  value_list_t vl = VALUE_LIST_INIT;
  const char *host = NULL, *plugin = NULL, *plugin_instance = NULL;
  vl.time = cdtime();
  vl.interval = plugin_get_interval();
  for (size_t i = 0; i < f->n; i++) {
    const struct floor_series *s = &f->series[i];
    if (s->host != host)
      sstrncpy(vl.host, host = s->host, sizeof(vl.host));
    if (s->plugin != plugin)
      sstrncpy(vl.plugin, plugin = s->plugin, sizeof(vl.plugin));
    if (s->plugin_instance != plugin_instance)
      sstrncpy(vl.plugin_instance, plugin_instance = s->plugin_instance,
               sizeof(vl.plugin_instance));
    sstrncpy(vl.type, s->type, sizeof(vl.type));
    sstrncpy(vl.type_instance, s->type_instance, sizeof(vl.type_instance));
    value_t v = s->value;
    vl.values = &v;
    vl.values_len = 1;
    plugin_dispatch_values(&vl);
  }
  return 0;
}

static int floor_config(oconfig_item_t *ci) {
  char *path = NULL;
  for (int i = 0; i < ci->children_num; i++) {
    oconfig_item_t *child = ci->children + i;
    if (strcasecmp("Identifiers", child->key) == 0) {
      if (cf_util_get_string(child, &path) != 0)
        return -1;
    } else {
      ERROR("floor plugin: unknown option %s", child->key);
      free(path);
      return -1;
    }
  }
  if (path == NULL) {
    ERROR("floor plugin: Identifiers is required");
    return -1;
  }
  struct floor *f = calloc(1, sizeof(*f));
  if (f == NULL) {
    free(path);
    return ENOMEM;
  }
  int status = floor_parse(f, path);
  free(path);
  if (status != 0) {
    floor_free(f);
    return -1;
  }
  INFO("floor plugin: %zu series per read", f->n);
  /* Takes f, also on failure. */
  return plugin_register_complex_read(
      "floor", "floor", floor_read, 0,
      &(user_data_t){.data = f, .free_func = floor_free});
}

void module_register(void) {
  plugin_register_complex_config("floor", floor_config);
}
