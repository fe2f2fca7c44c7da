/*
 * fakecx.c: a scripted CXone tenant in process (see fakecx.h).
 */
#include "fakecx.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (86400LL * 1000)
#define API_BASE "https://api.fake.test/inContactAPI/services/v30.0/"

static uint32_t lcg(uint32_t *s) {
  *s = *s * 1103515245u + 12345u;
  return *s >> 8;
}

void fakecx_init(struct fakecx *f, cx_ms_t now, size_t nagents,
                 size_t departed, cx_ms_t window_ms, unsigned seed) {
  static const int states[] = {1, 2, 3, 1, 4, 1, 2, 7, 8, 0};
  memset(f, 0, sizeof(*f));
  f->now = now;
  f->token_ttl_s = 3600;
  f->page_size = 50;
  f->nagents = nagents;
  f->agents = calloc(nagents, sizeof(*f->agents));
  uint32_t s = seed * 2654435761u + 1;
  for (size_t i = 0; i < nagents; i++) {
    struct fakecx_agent *a = &f->agents[i];
    a->id = 1001 + (int64_t)i;
    a->team = 11 + (int64_t)(i % 4);
    a->departed = i >= nagents - departed;
    cx_ms_t stop = a->departed ? now - window_ms - 3600 * 1000 : now + DAY_MS;
    cx_ms_t t = a->departed ? stop - 90 * 60 * 1000
                            : now - 3 * DAY_MS + (cx_ms_t)(lcg(&s) % 600000);
    size_t cap = 0;
    while (t < stop) {
      if (a->nitems == cap) {
        cap = cap ? 2 * cap : 256;
        a->items = realloc(a->items, cap * sizeof(*a->items));
      }
      cx_ms_t d = 20000 + (cx_ms_t)(lcg(&s) % (20 * 60 * 1000));
      if (t + d > stop)
        d = stop - t;
      a->items[a->nitems++] = (struct fakecx_item){
          .state = states[lcg(&s) % (sizeof(states) / sizeof(states[0]))],
          .start = t, .end = t + d};
      t += d;
    }
  }
}

void fakecx_free(struct fakecx *f) {
  for (size_t i = 0; i < f->nagents; i++)
    free(f->agents[i].items);
  free(f->agents);
  free(f->body);
}

void fakecx_leave(struct fakecx *f, size_t a, cx_ms_t at) {
  struct fakecx_agent *ag = &f->agents[a];
  size_t n = 0;
  while (n < ag->nitems && ag->items[n].start < at)
    n++;
  ag->nitems = n;
  if (n > 0 && ag->items[n - 1].end > at)
    ag->items[n - 1].end = at;
  ag->left_at = at;
}

cx_ms_t fakecx_truth(const struct fakecx *f, size_t a, int state, cx_ms_t from,
                     cx_ms_t to) {
  cx_ms_t sum = 0;
  const struct fakecx_agent *ag = &f->agents[a];
  for (size_t i = 0; i < ag->nitems; i++) {
    const struct fakecx_item *it = &ag->items[i];
    cx_ms_t s = it->start > from ? it->start : from;
    cx_ms_t e = it->end < to ? it->end : to;
    if (it->state == state && e > s)
      sum += e - s;
  }
  return sum;
}

/* ---- reply bodies ---- */

__attribute__((format(printf, 2, 3))) static void put(struct fakecx *f,
                                                      const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = f->cap - f->len;
    int n = vsnprintf(f->body ? f->body + f->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < room) {
      f->len += (size_t)n;
      return;
    }
    f->cap = f->cap ? 2 * f->cap : 4096;
    while (f->cap - f->len <= (size_t)n)
      f->cap *= 2;
    f->body = realloc(f->body, f->cap);
  }
}

static void put_time(struct fakecx *f, cx_ms_t t) {
  char buf[CX_ISO8601_SIZE];
  cx_time_format(t, buf, sizeof(buf));
  put(f, "\"%s\"", buf);
}

/* Value of query parameter key in url ("" when absent), %XX decoded. */
static void param(const char *url, const char *key, char *out, size_t size) {
  out[0] = '\0';
  const char *q = strchr(url, '?');
  size_t k = strlen(key);
  for (const char *p = q; p != NULL; p = strchr(p + 1, '&')) {
    if (strncmp(p + 1, key, k) != 0 || p[1 + k] != '=')
      continue;
    const char *v = p + 2 + k;
    size_t n = 0;
    while (*v != '\0' && *v != '&' && n + 1 < size) {
      unsigned c;
      if (*v == '%' && sscanf(v + 1, "%2x", &c) == 1) {
        out[n++] = (char)c;
        v += 3;
      } else {
        out[n++] = *v++;
      }
    }
    out[n] = '\0';
    return;
  }
}

static cx_ms_t param_time(const char *url, const char *key) {
  char v[64];
  cx_ms_t t = 0;
  param(url, key, v, sizeof(v));
  cx_time_parse(v, &t);
  return t;
}

static void token_reply(struct fakecx *f) {
  f->token_gen++;
  /* {"tenantId":"T1"} in base64url; the generation tells tokens apart. */
  snprintf(f->token, sizeof(f->token),
           "eyJhbGciOiJub25lIn0.eyJ0ZW5hbnRJZCI6IlQxIn0.g%u", f->token_gen);
  f->token_expiry = f->now + (f->token_valid_ms > 0 ? f->token_valid_ms
                                                    : f->token_ttl_s * 1000);
  put(f, "{\"access_token\":\"%s\",\"token_type\":\"bearer\","
         "\"expires_in\":%ld}", f->token, f->token_ttl_s);
}

static void states_reply(struct fakecx *f) {
  put(f, "{\"lastPollTime\":");
  put_time(f, f->now);
  put(f, ",\"agentStates\":[");
  bool first = true;
  for (size_t i = 0; i < f->nagents; i++) {
    const struct fakecx_agent *a = &f->agents[i];
    bool listed = !a->departed && (a->left_at == 0 || f->now < a->left_at);
    for (size_t j = 0; j < a->nitems && listed; j++) {
      const struct fakecx_item *it = &a->items[j];
      if (it->start > f->now || it->end <= f->now)
        continue;
      put(f, "%s{\"agentId\":%" PRId64 ",\"agentStateId\":%d,\"teamId\":%"
             PRId64 ",\"startDate\":", first ? "" : ",", a->id, it->state,
          a->team);
      put_time(f, it->start);
      put(f, "}");
      first = false;
    }
  }
  put(f, "]}");
}

/* Closed records overlapping [start, end), of one agent or all; paged by
 * skip/top.  Returns the status. */
static long history_reply(struct fakecx *f, const char *url, int64_t agent) {
  cx_ms_t start = param_time(url, "startDate"), end = param_time(url, "endDate");
  char v[32];
  param(url, "skip", v, sizeof(v));
  size_t skip = (size_t)strtoul(v, NULL, 10);
  param(url, "top", v, sizeof(v));
  size_t top = v[0] ? (size_t)strtoul(v, NULL, 10) : f->page_size;
  if (top == 0 || top > f->page_size)
    top = f->page_size;
  size_t total = 0, shown = 0;
  put(f, "{\"agentStateHistory\":[");
  for (size_t i = 0; i < f->nagents; i++) {
    const struct fakecx_agent *a = &f->agents[i];
    if (agent != 0 && a->id != agent)
      continue;
    for (size_t j = 0; j < a->nitems; j++) {
      const struct fakecx_item *it = &a->items[j];
      if (it->end > f->now - f->history_lag_ms || it->end <= start ||
          it->start >= end || (f->exclude_straddling && it->start < start) ||
          (f->no_logged_out_history && it->state == 0))
        continue;
      if (total++ < skip || shown >= top)
        continue;
      put(f, "%s{\"agentId\":%" PRId64 ",\"agentStateId\":%d,\"teamId\":%"
             PRId64 ",\"startDate\":", shown ? "," : "", a->id, it->state,
          a->team);
      put_time(f, it->start);
      put(f, ",\"duration\":%.3f}", (double)(it->end - it->start) / 1000.0);
      shown++;
    }
  }
  put(f, "],\"totalRecords\":%zu}", total);
  return total == 0 ? 204 : 200;
}

unsigned fakecx_skill_queue(size_t k, cx_ms_t t) {
  return (unsigned)((t / 60000 + (cx_ms_t)k) % 3);
}

cx_ms_t fakecx_skill_earliest(size_t k, cx_ms_t t) {
  return fakecx_skill_queue(k, t) ? t / 60000 * 60000 - 20000 * ((cx_ms_t)k + 1)
                                  : 0;
}

/* skills/activity: every skill, or those changed since updatedSince (the
 * queues change on the minute), paged by skip/top. */
static long skills_reply(struct fakecx *f, const char *url) {
  if (f->nskills == 0)
    return 404;
  if (f->skills_status != 0)
    return f->skills_status;
  if (f->skills_refuse_fields && strstr(url, "fields=") != NULL) {
    f->skills_fields_400++;
    return 400;
  }
  char v[64];
  param(url, "updatedSince", v, sizeof(v));
  cx_ms_t since = 0;
  if (v[0] == '\0')
    f->skills_full++;
  else if (f->skills_delta)
    cx_time_parse(v, &since);
  f->skills_at = f->now;
  bool changed = since == 0 || f->now / 60000 * 60000 >= since;
  if (!changed)
    return f->skills_unchanged ? f->skills_unchanged : 304;
  param(url, "skip", v, sizeof(v));
  size_t skip = (size_t)strtoul(v, NULL, 10);
  size_t top = f->skills_page_size ? f->skills_page_size : f->nskills;
  put(f, "{\"totalRecords\":%zu,\"lastPollTime\":", f->nskills);
  put_time(f, f->now);
  put(f, ",\"skillActivity\":[");
  for (size_t k = skip; k < f->nskills && k < skip + top; k++) {
    put(f, "%s{\"skillId\":%zu,\"skillName\":\"Skill %zu\",\"queueCount\":%u,"
           "\"contactsActive\":%zu,\"agentsAvailable\":1,\"serviceLevel\":90,"
           "\"earliestQueueTime\":", k > skip ? "," : "", 501 + k, k,
        fakecx_skill_queue(k, f->now), k);
    if (fakecx_skill_earliest(k, f->now) > 0)
      put_time(f, fakecx_skill_earliest(k, f->now));
    else
      put(f, "null");
    put(f, "}");
  }
  put(f, "]}");
  return 200;
}

static long summary_reply(struct fakecx *f, const char *url) {
  snprintf(f->last_summary, sizeof(f->last_summary), "%s", url);
  if (f->nskills == 0)
    return 404;
  if (f->summary_status != 0)
    return f->summary_status;
  put(f, "{\"skillSummaries\":[");
  for (size_t k = 0; k < f->nskills; k++)
    put(f, "%s{\"skillId\":%zu,\"contactsOffered\":%zu,"
           "\"averageHandleTime\":\"PT1M\"}", k ? "," : "", 501 + k, 10 + k);
  put(f, "]}");
  return 200;
}

static enum fakecx_endpoint endpoint_of(const char *url, int64_t *agent) {
  *agent = 0;
  if (strstr(url, "openid-configuration") != NULL)
    return FAKECX_DISCOVERY;
  if (strstr(url, "cxone-configuration") != NULL)
    return FAKECX_CONFIG;
  if (strstr(url, "/auth/token") != NULL)
    return FAKECX_TOKEN;
  if (strstr(url, "agents/states") != NULL)
    return FAKECX_STATES;
  if (strstr(url, "skills/activity") != NULL)
    return FAKECX_SKILLS;
  if (strstr(url, "skills/summary") != NULL)
    return FAKECX_SKILL_SUMMARY;
  if (strstr(url, "unavailable-codes") != NULL)
    return FAKECX_CODES;
  const char *p = strstr(url, "agents/");
  if (p != NULL && sscanf(p, "agents/%" SCNd64 "/state-history", agent) == 1)
    return FAKECX_AGENT_HISTORY;
  return FAKECX_HISTORY;
}

static void serve(void *ctx, const struct cx_http_request *req,
                  long timeout_ms, struct cx_transport_reply *r) {
  struct fakecx *f = ctx;
  int64_t agent;
  enum fakecx_endpoint e = endpoint_of(req->url, &agent);
  f->requests[e]++;
  if (f->delay[e] > timeout_ms) {
    f->now += timeout_ms;
    r->timed_out = true;
    return;
  }
  f->now += f->delay[e];
  f->len = 0;
  put(f, "%s", "");
  r->status = 200;
  switch (e) {
  case FAKECX_DISCOVERY:
    put(f, "{\"issuer\":\"https://fake.test\",\"token_endpoint\":\"%s\"}",
        f->token_endpoint ? f->token_endpoint : "https://fake.test/auth/token");
    break;
  case FAKECX_TOKEN:
    token_reply(f);
    break;
  case FAKECX_CONFIG:
    put(f, "{\"api_endpoint\":\"%s\"}",
        f->api_endpoint ? f->api_endpoint : "https://api.fake.test");
    break;
  default:
    if (req->bearer == NULL || strcmp(req->bearer, f->token) != 0 ||
        f->now >= f->token_expiry) {
      f->unauthorized++;
      r->status = 401;
      break;
    }
    if (e == FAKECX_STATES)
      states_reply(f);
    else if (e == FAKECX_SKILLS)
      r->status = skills_reply(f, req->url);
    else if (e == FAKECX_SKILL_SUMMARY)
      r->status = summary_reply(f, req->url);
    else if (e == FAKECX_CODES && f->codes_status != 0)
      r->status = f->codes_status;
    else if (e == FAKECX_CODES)
      put(f, "{\"unavailableCodes\":[{\"id\":42,\"name\":\"Break\","
             "\"isACW\":false},{\"id\":77,\"name\":\"ACW\","
             "\"isACW\":true}]}");
    else if (e == FAKECX_HISTORY && f->no_all_agents_history)
      r->status = 404;
    else if (f->history_failures > 0) {
      f->history_failures--;
      r->status = 500;
    } else {
      r->status = history_reply(f, req->url, agent);
    }
  }
  bool bodyless = r->status == 204 || r->status == 304;
  r->body = bodyless ? NULL : f->body;
  r->body_len = bodyless ? 0 : f->len;
}

static cx_ms_t now_of(void *ctx) { return ((struct fakecx *)ctx)->now; }

const struct cx_transport *fakecx_transport(struct fakecx *f) {
  f->transport = (struct cx_transport){.serve = serve, .now = now_of, .ctx = f};
  return &f->transport;
}
