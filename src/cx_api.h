/*
 * cx_api.h: CXone REST calls: state history (all agents, one agent, many
 * agents in parallel), real-time agent states and the skills calls
 * (skills/activity, skills/summary), authenticated by cx_auth,
 * sent by cx_http, parsed by cx_json.
 *
 * Every call authenticates as needed and adds the bearer token; a 401
 * re-authenticates once and retries the request (one path for every call).
 * Paging follows _links.next (or skip/top when totalRecords says more
 * remain).
 *
 * Base URL of API calls: {api_endpoint}/inContactAPI/services/{APIVersion}/
 */
#ifndef CX_API_H
#define CX_API_H

#include "cx_auth.h"
#include "cx_error.h"
#include "cx_http.h"
#include "cx_json.h"
#include "cx_time.h"

#include <stdbool.h>
#include <stdint.h>

/* Health counters since creation; read by the glue for the "api" series. */
struct cx_api_stats {
  uint64_t requests;        /* HTTP requests sent (all kinds) */
  uint64_t failures;        /* requests that ended in an error status */
  uint64_t auth_requests;   /* token requests */
  uint64_t bytes;           /* response body bytes received */
  double last_latency_s;    /* elapsed time of the last request */
};

struct cx_api;

/* Copies cfg (secrets included).  http stays owned by the caller and must
 * outlive the api.  NULL on allocation failure. */
struct cx_api *cx_api_create(const struct cx_api_config *cfg,
                             struct cx_http *http);
void cx_api_destroy(struct cx_api *api);

/* Clock used for token expiry; default cx_now_ms.  For tests. */
void cx_api_set_clock(struct cx_api *api, cx_ms_t (*clock)(void));

/* Makes sure a token (and the api endpoint) is there and fresh. */
enum cx_status cx_api_authenticate(struct cx_api *api, struct cx_error *err);

/* Forgets the token (not discovery), e.g. after the caller saw a 401. */
void cx_api_invalidate_token(struct cx_api *api);

/* After a successful authenticate: tenant id, base URL (with trailing '/'),
 * token expiry (ms since epoch). */
const char *cx_api_tenant_id(const struct cx_api *api);
const char *cx_api_base_url(const struct cx_api *api);
cx_ms_t cx_api_token_expiry(const struct cx_api *api);
struct cx_api_stats cx_api_stats(const struct cx_api *api);

/* Called once per history page, in order. Return CX_OK to go on. */
typedef enum cx_status (*cx_history_page_fn)(void *ctx,
                                             const struct cx_history_page *pg);

/* GET agents/state-history (agent_id == CX_ID_NONE) or
 * agents/{agent_id}/state-history over [start, end], following _links.next
 * (and top/skip when no link is given but totalRecords says more remain)
 * until the last page.  204 is an empty result.  top: page size to ask for
 * (0: leave to the server).  404 -> CX_ERR_NOT_FOUND (the all-agents
 * endpoint is missing in this version: fall back to per agent). */
enum cx_status cx_api_state_history(struct cx_api *api, int64_t agent_id,
                                    cx_ms_t start, cx_ms_t end, unsigned top,
                                    cx_history_page_fn fn, void *ctx,
                                    struct cx_error *err);

/* One agent's part of the per-agent fallback, resumable across calls. */
struct cx_history_task {
  int64_t agent_id;
  cx_ms_t start, end; /* the range asked for */
  char *resume_url;   /* in/out: page to go on from, NULL for the first;
                         the api frees and replaces it (free it when the
                         task is dropped) */
  uint64_t seen;      /* in/out: records read so far (skip/top paging) */
  bool done;          /* out: every page read, or the agent is unknown */
};

/* Whether a walk may start another request; those in flight finish. */
typedef bool (*cx_go_on_fn)(void *ctx);

/* The per-agent fallback: agents/{id}/state-history of each task, at most
 * `parallel` requests in flight, each agent's pages followed, fn called from
 * the calling thread (go_on and fn get ctx).  An agent answering 404
 * (unknown agent) is done.  Progress is saved in the tasks whatever the
 * outcome, so a walk cut short (go_on, the deadline, an error) resumes
 * where it stopped: a task never started keeps what it had.  Other errors
 * stop the walk and are returned. */
enum cx_status cx_api_state_history_tasks(struct cx_api *api,
                                          struct cx_history_task *tasks,
                                          size_t n, unsigned top,
                                          unsigned parallel, cx_go_on_fn go_on,
                                          cx_history_page_fn fn, void *ctx,
                                          struct cx_error *err);

/* GET agents/states: all pages concatenated into *page.  updated_since NULL
 * asks for a full snapshot.  fields NULL asks for every field.  On 304, 204
 * or an empty 200, *changed = 0 and page is empty; otherwise *changed = 1.
 * page->last_poll_time is the value to pass as the next updatedSince. */
enum cx_status cx_api_agent_states(struct cx_api *api, const char *updated_since,
                                   const char *fields,
                                   struct cx_states_page *page, int *changed,
                                   struct cx_error *err);

/* GET unavailable-codes, every page: the names of the after-call-work
 * codes into *page (cx_codes_page_free it). */
enum cx_status cx_api_unavailable_codes(struct cx_api *api, unsigned top,
                                        struct cx_codes_page *page,
                                        struct cx_error *err);

/* GET skills/activity[?updatedSince=][&fields=] (CX_JSON_SKILL_ACTIVITY_
 * FIELDS; a 400 to them is retried without, as for history), every page
 * into *page.  updated_since NULL asks for every skill.  top: page size
 * (0: the server's).  On 304, 204 or an empty 200, *changed = 0 and page is
 * empty; else 1.  page->last_poll_time is the next updatedSince.  403 ->
 * CX_ERR_FORBIDDEN, 404 -> CX_ERR_NOT_FOUND, other 400s CX_ERR_BAD_REQUEST. */
enum cx_status cx_api_skill_activity(struct cx_api *api,
                                     const char *updated_since, unsigned top,
                                     struct cx_skills_page *page, int *changed,
                                     struct cx_error *err);

/* GET skills/summary?startDate=&endDate=[&fields=] over [start, end], every
 * page into *page (empty on 204/304).  Errors as cx_api_skill_activity. */
enum cx_status cx_api_skill_summary(struct cx_api *api, cx_ms_t start,
                                    cx_ms_t end, unsigned top,
                                    struct cx_skills_page *page,
                                    struct cx_error *err);

#endif /* CX_API_H */
