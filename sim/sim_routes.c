/*
 * sim_routes.c: every endpoint of the simulator in one declarative table,
 * and the dispatch that answers a request from it.
 *
 * A row: the methods a path accepts, the path pattern, the handler, the
 * category the request is counted in (/sim/stats), the authentication it
 * needs, and whether armed faults apply to it.  A request takes the first
 * row whose pattern matches its path; then, in order:
 *   - faults wrap the rest (faultable rows): a slow fault delays the answer,
 *     401/403/429/500/503/malformed replace it, truncated/huge change it;
 *   - 413 when the body was too large (except the /sim/ rows);
 *   - 405 when the row does not accept the method;
 *   - for the API (auth BEARER): 401 without a valid bearer token, 406 when
 *     Accept does not admit application/json;
 *   - the handler.
 * The catch-all rows ("*") make every path match one: a path that names no
 * endpoint answers 404 to GET and 405 to other methods, after the checks of
 * its family (an unknown API path still needs a token and may be faulted).
 *
 * Patterns: `{api}` matches "/inContactAPI/services/v" and a version (NN or
 * NN.N), and the rest of the path is then compared ignoring case, as CXone
 * does; `{id}` matches a decimal number, put in r->id; a final `*` matches
 * any rest; any other character matches itself.
 *
 * This file also keeps the request statistics (/sim/stats), counted per
 * category.
 */
#include "sim_api.h"
#include "sim_auth.h"
#include "sim_fault.h"
#include "sim_routes.h"
#include "sim_skills.h"
#include "sim_truth.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Categories of /sim/stats ("requests"); C_CONTROL is not counted. */
enum category {
  C_TOKEN,
  C_DISCOVERY,
  C_CXCONF,
  C_STATES,
  C_HISTORY,
  C_AGENT_HISTORY,
  C_SKILL_ACTIVITY,
  C_SKILL_SUMMARY,
  C_OTHER,
  NCAT,
  C_CONTROL = NCAT
};
static const char *const category_names[NCAT] = {"token",
                                                 "discovery",
                                                 "cxone-configuration",
                                                 "agents/states",
                                                 "agents/state-history",
                                                 "agent/state-history",
                                                 "skills/activity",
                                                 "skills/summary",
                                                 "other"};

enum auth {
  NO_AUTH,
  BEARER /* an API call: a valid bearer token and an acceptable Accept */
};

#define GET 1u
#define POST 2u
#define FAULTS true
#define NO_FAULTS false

struct route {
  unsigned methods; /* GET, POST or both */
  const char *path; /* pattern (see the top of the file) */
  sim_handler *handler;
  enum category category;
  enum auth auth;
  bool faultable;
};

static sim_handler not_found, stats;

/* clang-format off */
static const struct route routes[] = {
    /* methods   path                                 handler                 category         auth     faultable */

    /* The identity side. */
    {POST,       "/auth/token",                       sim_auth_token,         C_TOKEN,         NO_AUTH, FAULTS},
    {GET,        "/.well-known/openid-configuration", sim_auth_openid,        C_DISCOVERY,     NO_AUTH, NO_FAULTS},
    {GET,        "/.well-known/cxone-configuration",  sim_auth_cxone_config,  C_CXCONF,        NO_AUTH, NO_FAULTS},

    /* inContactAPI. */
    {GET,        "{api}/agents/states",               sim_api_states,         C_STATES,        BEARER,  FAULTS},
    {GET,        "{api}/agents/{id}/states",          sim_api_agent_states,   C_STATES,        BEARER,  FAULTS},
    {GET,        "{api}/agents/state-history",        sim_api_history,        C_HISTORY,       BEARER,  FAULTS},
    {GET,        "{api}/agents/{id}/state-history",   sim_api_agent_history,  C_AGENT_HISTORY, BEARER,  FAULTS},
    {GET,        "{api}/agents/skills",               sim_skills_assignments, C_OTHER,         BEARER,  FAULTS},
    {GET,        "{api}/agents",                      sim_api_agents,         C_OTHER,         BEARER,  FAULTS},
    {GET,        "{api}/skills/activity",             sim_skills_activity,    C_SKILL_ACTIVITY, BEARER, FAULTS},
    {GET,        "{api}/skills/{id}/activity",        sim_skill_activity,     C_SKILL_ACTIVITY, BEARER, FAULTS},
    {GET,        "{api}/skills/summary",              sim_skills_summary,     C_SKILL_SUMMARY, BEARER,  FAULTS},
    {GET,        "{api}/skills/{id}/summary",         sim_skill_summary,      C_SKILL_SUMMARY, BEARER,  FAULTS},
    {GET,        "{api}/teams",                       sim_api_teams,          C_OTHER,         BEARER,  FAULTS},
    {GET,        "{api}/unavailable-codes",           sim_api_codes,          C_OTHER,         BEARER,  FAULTS},
    {GET,        "{api}/*",                           not_found,              C_OTHER,         BEARER,  FAULTS},

    /* Control: no authentication, never faulted, not counted. */
    {GET | POST, "/sim/fault",                        sim_fault_handle,       C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET | POST, "/sim/revoke-tokens",                sim_auth_revoke_handle, C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET,        "/sim/stats",                        stats,                  C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET,        "/sim/tokens",                       sim_auth_tokens_handle, C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET,        "/sim/truth",                        sim_truth_handle,       C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET,        "/sim/timeline",                     sim_timeline_handle,    C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET | POST, "/sim/hold",                         sim_hold_handle,        C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET,        "/sim/roster",                       sim_roster_handle,      C_CONTROL,       NO_AUTH, NO_FAULTS},
    {GET,        "/sim/*",                            not_found,              C_CONTROL,       NO_AUTH, NO_FAULTS},

    /* Anything else. */
    {GET,        "*",                                 not_found,              C_OTHER,         NO_AUTH, NO_FAULTS},
};
/* clang-format on */

/* --- Matching. --- */

/* "/inContactAPI/services/vNN[.N]" at the start of path: the rest, or NULL. */
static const char *api_base(const char *path) {
  static const char prefix[] = "/inContactAPI/services/v";
  if (strncasecmp(path, prefix, sizeof prefix - 1) != 0)
    return NULL;
  const char *p = path + sizeof prefix - 1;
  if (!isdigit((unsigned char)*p))
    return NULL;
  while (isdigit((unsigned char)*p))
    p++;
  if (*p == '.' && isdigit((unsigned char)p[1]))
    for (p++; isdigit((unsigned char)*p); p++)
      ;
  return p;
}

/* Whether path matches pattern; sets *id for an {id}. */
static bool match(const char *pat, const char *path, long *id) {
  bool nocase = false;
  if (strncmp(pat, "{api}", 5) == 0) {
    if ((path = api_base(path)) == NULL)
      return false;
    pat += 5;
    nocase = true;
  }
  for (;;) {
    if (strcmp(pat, "*") == 0)
      return true;
    if (strncmp(pat, "{id}", 4) == 0) {
      if (!isdigit((unsigned char)*path))
        return false;
      char *end;
      *id = strtol(path, &end, 10);
      path = end;
      pat += 4;
      continue;
    }
    if (*pat == '\0' || *path == '\0')
      return *pat == *path;
    if (nocase ? tolower((unsigned char)*pat) != tolower((unsigned char)*path)
               : *pat != *path)
      return false;
    pat++;
    path++;
  }
}

/* The first row matching r's path (the last row matches every path). */
static const struct route *lookup(struct sim_req *r) {
  for (size_t i = 0;; i++) {
    long id = 0;
    if (match(routes[i].path, r->path, &id)) {
      r->id = id;
      return &routes[i];
    }
  }
}

/* --- Dispatch. --- */

static void not_found(struct sim_req *r) {
  sim_reply_error(r, 404, "Not found");
}

static bool contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0)
      return true;
  return false;
}

static unsigned method_bit(const char *method) {
  return strcmp(method, "GET") == 0 ? GET : strcmp(method, "POST") == 0 ? POST
                                                                        : 0;
}

static bool accepts_json(struct sim_req *r) {
  const char *accept = sim_header(r, MHD_HTTP_HEADER_ACCEPT);
  return accept != NULL &&
         (contains_ci(accept, "application/json") || strstr(accept, "*/*"));
}

/* The route's answer, without faults. */
static void dispatch(struct sim_req *r, const struct route *rt) {
  /* (The /sim/ routes read no body, and have never refused one.) */
  if (r->body_too_big && rt->category != C_CONTROL) {
    sim_reply_error(r, 413, "Request body too large");
  } else if ((rt->methods & method_bit(r->method)) == 0) {
    sim_reply_error(r, 405, "Method not allowed");
  } else if (rt->auth == BEARER && sim_auth_check(r) != 0) {
    /* sim_auth_check answered 401 */
  } else if (rt->auth == BEARER && !accepts_json(r)) {
    sim_reply_text(r, 406, "text/plain", "No known way to render data");
  } else {
    rt->handler(r);
  }
}

/* --- Statistics. --- */

#define MAX_STATUS 600

static struct {
  pthread_mutex_t lock;
  unsigned long requests[NCAT];
  unsigned long long bytes_sent;
  unsigned long status[MAX_STATUS];
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void count(const struct sim_req *r, enum category cat) {
  if (cat == C_CONTROL)
    return;
  pthread_mutex_lock(&S.lock);
  S.requests[cat]++;
  S.bytes_sent += sim_reply_size(r);
  if (r->status < MAX_STATUS)
    S.status[r->status]++;
  pthread_mutex_unlock(&S.lock);
}

static void stats(struct sim_req *r) {
  struct json_object *o = json_object_new_object(),
                     *req = json_object_new_object(),
                     *st = json_object_new_object();
  pthread_mutex_lock(&S.lock);
  for (int c = 0; c < NCAT; c++)
    json_object_object_add(req, category_names[c],
                           json_object_new_int64((int64_t)S.requests[c]));
  for (int s = 0; s < MAX_STATUS; s++) {
    char code[12];
    snprintf(code, sizeof code, "%d", s);
    if (S.status[s] != 0)
      json_object_object_add(st, code,
                             json_object_new_int64((int64_t)S.status[s]));
  }
  json_object_object_add(o, "requests", req);
  json_object_object_add(o, "bytes_sent",
                         json_object_new_int64((int64_t)S.bytes_sent));
  pthread_mutex_unlock(&S.lock);
  json_object_object_add(o, "status", st);
  json_object_object_add(o, "tokens_issued",
                         json_object_new_int64(sim_auth_tokens_issued()));
  sim_reply_json(r, 200, o);
}

/* --- The entry point: faults wrap dispatch. --- */

void sim_route(struct sim_req *r) {
  const struct route *rt = lookup(r);
  struct sim_fault f = {0};
  if (rt->faultable)
    f = sim_fault_take(r); /* (waits out a slow fault) */
  r->now = cx_now_ms();
  if (!sim_fault_answer(r, f, rt->auth == BEARER))
    dispatch(r, rt);
  sim_fault_alter(r, f);
  count(r, rt->category);
}
