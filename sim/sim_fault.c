/*
 * sim_fault.c: the armed fault (one kind, a count of requests, an optional
 * path substring, a delay), /sim/fault that arms it, and what each kind
 * does to a request: slow delays it, 401/403/429/500/503 and malformed
 * replace its answer, truncated and huge change it.
 */
#include "sim.h"
#include "sim_auth.h"
#include "sim_fault.h"
#include "sim_json.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HUGE_SIZE ((size_t)64 << 20)

enum fault_kind {
  F_NONE,
  F_401,
  F_403,
  F_429,
  F_500,
  F_503,
  F_SLOW,
  F_TRUNCATED,
  F_MALFORMED,
  F_HUGE
};
static const char *const fault_names[] = {
    "none", "401",  "403",       "429",       "500",
    "503",  "slow", "truncated", "malformed", "huge"};
#define NFAULTS (sizeof fault_names / sizeof fault_names[0])

/* The armed fault. */
static struct {
  pthread_mutex_t lock;
  enum fault_kind kind;
  long count;
  long delay_ms;
  char path[256];
} F = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void sleep_ms(long ms) {
  /* In slices, so that shutdown does not wait for a long fault. */
  for (; ms > 0 && !sim_stopping; ms -= 50) {
    struct timespec ts = {0, (ms < 50 ? ms : 50) * 1000000L};
    nanosleep(&ts, NULL);
  }
}

struct sim_fault sim_fault_take(const struct sim_req *r) {
  struct sim_fault f = {F_NONE, 0};
  pthread_mutex_lock(&F.lock);
  if (F.count > 0 && (F.path[0] == '\0' || strstr(r->path, F.path) != NULL)) {
    f.kind = F.kind;
    f.delay_ms = F.delay_ms;
    if (--F.count == 0)
      F.kind = F_NONE;
  }
  pthread_mutex_unlock(&F.lock);
  if (f.kind == F_SLOW)
    sleep_ms(f.delay_ms);
  return f;
}

bool sim_fault_answer(struct sim_req *r, struct sim_fault f, bool api) {
  switch (f.kind) {
  case F_401:
    if (api) {
      sim_auth_revoke(r);
      sim_reply_error(r, 401, "Expired token");
    } else {
      struct json_object *o = json_object_new_object();
      json_object_object_add(o, "error",
                             json_object_new_string("invalid_client"));
      json_object_object_add(o, "error_description",
                             json_object_new_string("Simulated fault"));
      sim_reply_json(r, 401, o);
    }
    return true;
  case F_403: sim_reply_error(r, 403, "Insufficient permissions"); return true;
  case F_429: sim_reply_error(r, 429, "Too Many Requests"); return true;
  case F_500: sim_reply_error(r, 500, "Internal Server Error"); return true;
  case F_503: sim_reply_error(r, 503, "Service Unavailable"); return true;
  case F_MALFORMED:
    sim_reply_text(r, 200, "application/json",
                   "{\"agentStateHistory\": [ {\"agentId\": \x01#garbage%");
    return true;
  default: return false;
  }
}

void sim_fault_alter(struct sim_req *r, struct sim_fault f) {
  if (f.kind == F_TRUNCATED) {
    r->status = 200;
    r->out_len /= 2;
  } else if (f.kind == F_HUGE) {
    if (r->ctype == NULL || strcmp(r->ctype, "application/json") != 0)
      sim_reply_text(r, 200, "application/json", "{}");
    r->status = 200;
    r->pad_to = HUGE_SIZE;
  }
}

void sim_fault_handle(struct sim_req *r) {
  const char *kind = sim_arg(r, "kind"), *path = sim_arg(r, "path");
  long count = 1, delay = 5000;
  size_t k = 0;
  if (kind != NULL && strcmp(kind, "clear") == 0) {
    k = F_NONE;
    count = 0;
  } else {
    for (k = 1;
         k < NFAULTS && (kind == NULL || strcmp(kind, fault_names[k]) != 0);
         k++)
      ;
    if (k == NFAULTS ||
        (sim_arg(r, "count") &&
         sim_parse_long(sim_arg(r, "count"), 1, 1000000000, &count)) ||
        (sim_arg(r, "delay_ms") &&
         sim_parse_long(sim_arg(r, "delay_ms"), 0, 3600000, &delay)) ||
        (path != NULL && strlen(path) >= sizeof F.path)) {
      sim_reply_error(r, 400, "Invalid fault");
      return;
    }
  }
  pthread_mutex_lock(&F.lock);
  F.kind = (enum fault_kind)k;
  F.count = count;
  F.delay_ms = delay;
  snprintf(F.path, sizeof F.path, "%s", path ? path : "");
  pthread_mutex_unlock(&F.lock);
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "kind", json_object_new_string(fault_names[k]));
  json_object_object_add(o, "count", json_object_new_int64(count));
  json_object_object_add(o, "path", json_object_new_string(path ? path : ""));
  json_object_object_add(o, "delay_ms", json_object_new_int64(delay));
  sim_reply_json(r, 200, o);
}
