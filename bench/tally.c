/*
 * tally.c: a filter-chain target for scripts/bench (built by `make check`,
 * never installed) that counts what a collectd instance dispatches.
 *
 * The benchmark runs collectd without writers: a PreCacheChain stops every
 * value before the cache.  This target sits in that chain, in front of
 * "stop", in every collectd the benchmark measures (the cxone plugin's and
 * the floor's), so both pay the same small cost for it:
 *
 *   LoadPlugin tally
 *   PreCacheChain "bench"
 *   <Chain "bench">
 *     <Target "tally">
 *       File "/path/tally.log"
 *       Capture "/path/ids.tsv"
 *       Watch "api" "percent" "backfill"
 *     </Target>
 *     Target "stop"
 *   </Chain>
 *
 * File: one line per cycle (values grouped by timestamp; a cycle's values
 * all carry one), written once three later timestamps have been seen:
 *   cycle <epoch seconds> <values>
 * and, as soon as it passes, each value of a watched series
 * (plugin_instance, type, type_instance; repeatable):
 *   value <epoch seconds> <plugin_instance>/<type>-<type_instance> <value>
 * Capture: when the file "<Capture>.request" exists at the start of a cycle,
 * every series of that cycle is written to <Capture> (through a temporary
 * file and rename) in the format bench/floor.c reads, and the request file
 * is removed.
 *
 * collectd runs targets on its write threads, several at once: one mutex.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/filter_chain.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TALLY_SLOTS 3
#define TALLY_WATCH_MAX 8

struct tally_slot {
  cdtime_t time; /* 0: free */
  uint64_t count;
  bool capture;
};

struct tally_watch {
  char *plugin_instance, *type, *type_instance;
};

struct tally {
  pthread_mutex_t lock;
  FILE *log;
  char *capture_path;
  char *request_path;
  struct tally_slot slot[TALLY_SLOTS];
  struct tally_watch watch[TALLY_WATCH_MAX];
  size_t nwatch;
  char *buf; /* the capture */
  size_t len, cap;
  bool capturing; /* a slot has capture set */
  uint64_t late;  /* values older than every slot */
};

static void buf_append(struct tally *t, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = t->buf != NULL ? vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap)
                           : -1;
    va_end(ap);
    if (n >= 0 && (size_t)n < t->cap - t->len) {
      t->len += (size_t)n;
      return;
    }
    size_t cap = t->cap ? 2 * t->cap : 1 << 20;
    char *p = realloc(t->buf, cap);
    if (p == NULL) {
      ERROR("tally: out of memory for the capture");
      return;
    }
    t->buf = p;
    t->cap = cap;
  }
}

static void write_capture(struct tally *t) {
  char tmp[PATH_MAX];
  ssnprintf(tmp, sizeof(tmp), "%s.tmp", t->capture_path);
  FILE *fp = fopen(tmp, "w");
  if (fp == NULL) {
    ERROR("tally: %s: %s", tmp, STRERRNO);
    return;
  }
  bool ok = fwrite(t->buf, 1, t->len, fp) == t->len;
  ok = fclose(fp) == 0 && ok;
  if (ok && rename(tmp, t->capture_path) == 0)
    unlink(t->request_path);
  else
    ERROR("tally: %s: %s", t->capture_path, STRERRNO);
}

static void slot_flush(struct tally *t, struct tally_slot *s) {
  if (s->time == 0)
    return;
  fprintf(t->log, "cycle %.3f %" PRIu64 "\n", CDTIME_T_TO_DOUBLE(s->time),
          s->count);
  fflush(t->log);
  if (s->capture) {
    write_capture(t);
    t->len = 0;
    t->capturing = false;
  }
  *s = (struct tally_slot){0};
}

/* The slot of timestamp `time`; a new one evicts the oldest.  NULL for a
 * value older than every slot in use. */
static struct tally_slot *slot_for(struct tally *t, cdtime_t time) {
  struct tally_slot *oldest = &t->slot[0];
  for (size_t i = 0; i < TALLY_SLOTS; i++) {
    if (t->slot[i].time == time)
      return &t->slot[i];
    if (t->slot[i].time < oldest->time)
      oldest = &t->slot[i];
  }
  if (oldest->time != 0 && time < oldest->time)
    return NULL;
  slot_flush(t, oldest);
  oldest->time = time;
  struct stat st;
  if (!t->capturing && t->capture_path != NULL &&
      stat(t->request_path, &st) == 0) {
    oldest->capture = true;
    t->capturing = true;
  }
  return oldest;
}

static double first_value(const data_set_t *ds, const value_list_t *vl) {
  if (vl->values_len < 1)
    return NAN;
  switch (ds->ds[0].type) {
  case DS_TYPE_GAUGE: return vl->values[0].gauge;
  case DS_TYPE_DERIVE: return (double)vl->values[0].derive;
  case DS_TYPE_COUNTER: return (double)vl->values[0].counter;
  default: return (double)vl->values[0].absolute;
  }
}

static int tally_invoke(const data_set_t *ds, value_list_t *vl,
                        notification_meta_t __attribute__((unused)) * *meta,
                        void **user_data) {
  struct tally *t = *user_data;
  pthread_mutex_lock(&t->lock);
  struct tally_slot *s = slot_for(t, vl->time);
  if (s == NULL) {
    t->late++;
    pthread_mutex_unlock(&t->lock);
    return FC_TARGET_CONTINUE;
  }
  s->count++;
  for (size_t i = 0; i < t->nwatch; i++) {
    const struct tally_watch *w = &t->watch[i];
    if (strcmp(vl->type_instance, w->type_instance) == 0 &&
        strcmp(vl->type, w->type) == 0 &&
        strcmp(vl->plugin_instance, w->plugin_instance) == 0) {
      fprintf(t->log, "value %.3f %s/%s-%s %.17g\n",
              CDTIME_T_TO_DOUBLE(vl->time), w->plugin_instance, w->type,
              w->type_instance, first_value(ds, vl));
      fflush(t->log);
    }
  }
  if (s->capture) {
    bool derive = ds->ds_num > 0 && ds->ds[0].type == DS_TYPE_DERIVE;
    if (derive)
      buf_append(t, "%s\t%s\t%s\t%s\t%s\td\t%" PRId64 "\n", vl->host,
                 vl->plugin, vl->plugin_instance, vl->type, vl->type_instance,
                 (int64_t)vl->values[0].derive);
    else
      buf_append(t, "%s\t%s\t%s\t%s\t%s\tg\t%.17g\n", vl->host, vl->plugin,
                 vl->plugin_instance, vl->type, vl->type_instance,
                 first_value(ds, vl));
  }
  pthread_mutex_unlock(&t->lock);
  return FC_TARGET_CONTINUE;
}

static int tally_destroy(void **user_data) {
  struct tally *t = *user_data;
  if (t == NULL)
    return 0;
  /* Oldest first. */
  for (size_t k = 0; t->log != NULL && k < TALLY_SLOTS; k++) {
    struct tally_slot *oldest = NULL;
    for (size_t i = 0; i < TALLY_SLOTS; i++)
      if (t->slot[i].time != 0 &&
          (oldest == NULL || t->slot[i].time < oldest->time))
        oldest = &t->slot[i];
    if (oldest != NULL)
      slot_flush(t, oldest);
  }
  if (t->log != NULL) {
    if (t->late > 0)
      fprintf(t->log, "late %" PRIu64 "\n", t->late);
    fclose(t->log);
  }
  for (size_t i = 0; i < t->nwatch; i++) {
    free(t->watch[i].plugin_instance);
    free(t->watch[i].type);
    free(t->watch[i].type_instance);
  }
  free(t->capture_path);
  free(t->request_path);
  free(t->buf);
  pthread_mutex_destroy(&t->lock);
  free(t);
  *user_data = NULL;
  return 0;
}

static int get_strings(const oconfig_item_t *ci, char **out, int n) {
  if (ci->values_num != n) {
    ERROR("tally: %s: expected %d string(s)", ci->key, n);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    if (ci->values[i].type != OCONFIG_TYPE_STRING) {
      ERROR("tally: %s: expected strings", ci->key);
      return -1;
    }
    out[i] = strdup(ci->values[i].value.string);
    if (out[i] == NULL)
      return -1;
  }
  return 0;
}

static int tally_create(const oconfig_item_t *ci, void **user_data) {
  struct tally *t = calloc(1, sizeof(*t));
  if (t == NULL)
    return ENOMEM;
  pthread_mutex_init(&t->lock, NULL);
  *user_data = t;
  char *file = NULL;
  int status = 0;
  for (int i = 0; i < ci->children_num && status == 0; i++) {
    const oconfig_item_t *child = ci->children + i;
    if (strcasecmp("File", child->key) == 0) {
      free(file);
      status = get_strings(child, &file, 1);
    } else if (strcasecmp("Capture", child->key) == 0) {
      free(t->capture_path);
      status = get_strings(child, &t->capture_path, 1);
    } else if (strcasecmp("Watch", child->key) == 0) {
      if (t->nwatch == TALLY_WATCH_MAX) {
        ERROR("tally: at most %d Watch", TALLY_WATCH_MAX);
        status = -1;
        break;
      }
      char *w[3] = {NULL, NULL, NULL};
      status = get_strings(child, w, 3);
      t->watch[t->nwatch++] = (struct tally_watch){w[0], w[1], w[2]};
    } else {
      ERROR("tally: unknown option %s", child->key);
      status = -1;
    }
  }
  if (status == 0 && file == NULL) {
    ERROR("tally: File is required");
    status = -1;
  }
  if (status == 0) {
    t->log = fopen(file, "a");
    if (t->log == NULL) {
      ERROR("tally: %s: %s", file, STRERRNO);
      status = -1;
    }
  }
  free(file);
  if (status == 0 && t->capture_path != NULL) {
    size_t n = strlen(t->capture_path) + sizeof(".request");
    t->request_path = malloc(n);
    if (t->request_path == NULL)
      status = -1;
    else
      ssnprintf(t->request_path, n, "%s.request", t->capture_path);
  }
  if (status != 0) {
    tally_destroy(user_data);
    return -1;
  }
  return 0;
}

void module_register(void) {
  fc_register_target("tally", (target_proc_t){.create = tally_create,
                                              .destroy = tally_destroy,
                                              .invoke = tally_invoke});
}
