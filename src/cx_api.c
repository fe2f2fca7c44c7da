/*
 * cx_api.c: CXone REST calls: state history (all agents, one agent, many
 * agents in parallel) and real-time agent states; see cx_api.h.
 *
 * Owns the API side of one tenant: the cx_auth handle (token, endpoints)
 * and the walk that every call is.  One cx_api per thread, as cx_http.
 * Nothing here prints: cx_log() only, and never a secret, a token or an
 * Authorization header.
 *
 * The walk.  A call is a set of paged queries (one for state history of all
 * agents or agents/states, one per agent for the per-agent fallback) run on
 * cx_http's engine, up to `parallel` at a time.  Each answer is handled as
 * it arrives: a page is parsed and handed on, and the query's next page is
 * queued; the engine asks for the next request whenever a slot is free.
 *
 * 401.  An answer of 401 puts its query back in the queue and stops new
 * requests; once nothing is in flight, the token is dropped (if it is the
 * one that was refused), cx_auth fetches a new one, and the walk resumes
 * where it stood.  A query refused twice in a row fails with CX_ERR_AUTH.
 * This is the only re-authentication path.
 *
 * Paging: follow _links.next as given (relative links are resolved against
 * the base URL; an absolute link to another origin is re-rooted on ours so
 * the bearer token never leaves the API host).  With no next link, when
 * totalRecords says records remain and the page was not empty, ask again
 * with skip/top.  Stop on an empty page, on a next link equal to the current
 * or the previous URL, and after CX_API_MAX_PAGES pages.
 *
 * Columns.  State history and the skills calls are asked for with fields=
 * naming the columns the parser reads (CX_JSON_HISTORY_FIELDS,
 * CX_JSON_SKILL_*_FIELDS): about half the bytes.  A 400 to a
 * request that named them is answered by sending the same request without
 * fields=, once; when that one succeeds the server is known to refuse them
 * (an older version) and the api handle asks for every column of that
 * call from then on (one NOTICE).  A 400 to a request without fields= is an error as before.
 */
#include "cx_api.h"
#include "cx_log.h"
#include "cx_reply.h"
#include "cx_str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CX_API_MAX_PAGES 10000
#define CX_API_MAX_PARALLEL 64

/* The calls that name their columns (see "Columns" above). */
enum columns { COLS_NONE, COLS_HISTORY, COLS_SKILL_ACTIVITY, COLS_SKILL_SUMMARY,
               COLS_N };

struct cx_api {
  struct cx_auth *auth;
  struct cx_http *http;
  bool fields_refused[COLS_N];  /* see "Columns" above, per call */
  char fields_refusal[80];      /* icStatusDescription of the last refusal */
};

/* ---------------------------------------------------------- life cycle */

struct cx_api *cx_api_create(const struct cx_api_config *cfg,
                             struct cx_http *http) {
  struct cx_api *api = calloc(1, sizeof(*api));
  if (api == NULL)
    return NULL;
  api->http = http;
  if ((api->auth = cx_auth_create(cfg, http)) == NULL) {
    free(api);
    return NULL;
  }
  return api;
}

void cx_api_destroy(struct cx_api *api) {
  if (api == NULL)
    return;
  cx_auth_destroy(api->auth);
  free(api);
}

void cx_api_set_clock(struct cx_api *api, cx_ms_t (*clock)(void)) {
  if (api != NULL)
    cx_auth_set_clock(api->auth, clock);
}

enum cx_status cx_api_authenticate(struct cx_api *api, struct cx_error *err) {
  if (api == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no handle");
  return cx_auth_ensure(api->auth, err);
}

void cx_api_invalidate_token(struct cx_api *api) {
  if (api != NULL)
    cx_auth_invalidate(api->auth);
}

const char *cx_api_tenant_id(const struct cx_api *api) {
  return api != NULL ? cx_auth_tenant_id(api->auth) : NULL;
}
const char *cx_api_base_url(const struct cx_api *api) {
  return api != NULL ? cx_auth_base_url(api->auth) : NULL;
}
cx_ms_t cx_api_token_expiry(const struct cx_api *api) {
  return api != NULL ? cx_auth_expiry(api->auth) : 0;
}

struct cx_api_stats cx_api_stats(const struct cx_api *api) {
  const struct cx_http_stats *h = cx_http_stats(api->http);
  return (struct cx_api_stats){
      .requests = h->requests,
      .failures = h->failures,
      .auth_requests = cx_auth_token_requests(api->auth),
      .bytes = h->bytes,
      .last_latency_s = h->last_latency_s,
  };
}

/* ------------------------------------------------------------------ URLs */

static bool is_absolute(const char *u) {
  return strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0;
}

/* Length of "scheme://host[:port]" at the start of an absolute URL. */
static size_t origin_len(const char *u) {
  const char *p = strstr(u, "://");
  if (p == NULL)
    return 0;
  p += 3;
  return (size_t)(p - u) + strcspn(p, "/?#");
}

/* Absolute URL for a path relative to the base URL, a host-absolute path,
 * or an absolute URL (re-rooted on our origin when it names another). */
static char *resolve(const struct cx_api *api, const char *s) {
  const char *base = cx_auth_base_url(api->auth);
  size_t ol = origin_len(base);
  if (is_absolute(s)) {
    size_t sl = origin_len(s);
    if (sl == ol && strncasecmp(s, base, ol) == 0)
      return strdup(s);
    cx_log(CX_LOG_DEBUG, "api: next link names another host; re-rooted on %.*s",
           (int)ol, base);
    s += sl;
    if (*s != '/')
      return cx_str_printf("%.*s/%s", (int)ol, base, s);
  }
  if (*s == '/')
    return cx_str_printf("%.*s%s", (int)ol, base, s);
  return cx_str_printf("%s%s", base, s);
}

/* ---------------------------------------------------------------- paging */

/* Where one paged query stands. */
struct query {
  char *url;        /* next request (absolute) */
  char *prev_url;   /* the one before: catches A -> B -> A cycles */
  char *query_base; /* "path?..." without skip/top */
  char what[64];    /* names the call in messages */
  unsigned top;
  uint64_t seen;
  unsigned pages;
  uint64_t sent_gen;     /* token generation the request carried */
  unsigned refused;      /* 401s since the last good answer */
  bool finished;         /* the last page is read (or the agent unknown) */
  bool fields;           /* its requests carry fields= */
  enum columns columns;  /* which call's columns they name */
  bool fields_dropped;   /* fields= dropped after a 400 */
};

static void query_free(struct query *q) {
  free(q->url);
  free(q->prev_url);
  free(q->query_base);
  q->url = q->prev_url = q->query_base = NULL;
}

/* Sets q's first URL from q->query_base (with top when > 0), unless a
 * resumed query has it already. */
static enum cx_status query_start(struct cx_api *api, struct query *q,
                                  struct cx_error *err) {
  if (q->url != NULL)
    return CX_OK;
  char *rel = NULL;
  if (q->query_base != NULL)
    rel = q->top > 0 ? cx_str_printf("%s%ctop=%u", q->query_base,
                                     strchr(q->query_base, '?') ? '&' : '?',
                                     q->top)
                     : strdup(q->query_base);
  if (rel != NULL)
    q->url = resolve(api, rel);
  free(rel);
  if (q->url == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", q->what);
  return CX_OK;
}

/* After a page of `got` records (+ next link, total): CX_OK with *more
 * telling whether q->url is now the next request (else the walk is done),
 * or an error with err set. */
static enum cx_status query_advance(struct cx_api *api, struct query *q,
                                    const char *next_url, int64_t total,
                                    size_t got, bool *more,
                                    struct cx_error *err) {
  *more = false;
  q->seen += got;
  q->pages++;
  if (got == 0)
    return CX_OK; /* an empty page ends the walk, whatever it says */
  if (q->pages >= CX_API_MAX_PAGES)
    return cx_error_set(err, CX_ERR_PARSE, 0, "%s: more than %d pages, "
                        "giving up", q->what, CX_API_MAX_PAGES);
  char *next = NULL;
  if (next_url != NULL) {
    next = resolve(api, next_url);
  } else if (total >= 0 && (uint64_t)total > q->seen) {
    unsigned top = q->top > 0 ? q->top : (unsigned)got;
    char *rel = cx_str_printf("%s%cskip=%" PRIu64 "&top=%u", q->query_base,
                              strchr(q->query_base, '?') != NULL ? '&' : '?',
                              q->seen, top);
    next = rel ? resolve(api, rel) : NULL;
    free(rel);
  } else {
    return CX_OK;
  }
  if (next == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", q->what);
  if (strcmp(next, q->url) == 0 ||
      (q->prev_url != NULL && strcmp(next, q->prev_url) == 0)) {
    cx_log(CX_LOG_WARNING, "api: %s: next link repeats a page just read; "
                           "stopping", q->what);
    free(next);
    return CX_OK;
  }
  free(q->prev_url);
  q->prev_url = q->url;
  q->url = next;
  *more = true;
  return CX_OK;
}

/* Removes the fields= parameter from the query of url, in place. */
static void drop_fields_param(char *url) {
  char *p = strchr(url, '?');
  if (p == NULL)
    return;
  p++;
  while (*p != '\0') {
    size_t n = strcspn(p, "&");
    size_t skip = n + (p[n] == '&');
    if (strncasecmp(p, "fields=", 7) == 0)
      memmove(p, p + skip, strlen(p + skip) + 1);
    else
      p += skip;
  }
  size_t len = strlen(url);
  while (len > 0 && (url[len - 1] == '&' || url[len - 1] == '?'))
    url[--len] = '\0';
}

/* ------------------------------------------------------------------ walk */

/* A page of an ok answer (not 204/304): parses it, hands its records on and
 * reports the links to follow.  CX_OK or the error (err set). */
struct page_links {
  const char *next_url;
  int64_t total;
  size_t got;
};
typedef enum cx_status (*page_fn)(void *ctx, struct query *q,
                                  const struct cx_http_response *resp,
                                  struct page_links *links, void **keep,
                                  struct cx_error *err);
/* Releases what page_fn kept for the links (the parsed page). */
typedef void (*page_release_fn)(void *kept);

/* Builds query i's query_base and what (per-agent walks); CX_OK or err. */
typedef enum cx_status (*begin_fn)(void *ctx, size_t i, struct query *q,
                                   struct cx_error *err);

struct walk {
  struct cx_api *api;
  size_t n;               /* queries */
  struct query *q;        /* [n], started lazily */
  size_t next_new;        /* first query not started */
  size_t *ready;          /* stack of queries waiting for a slot */
  size_t nready;
  size_t slot_query[CX_API_MAX_PARALLEL];
  bool reauth;            /* a 401 came: drain, then re-authenticate */
  bool token_refused;     /* the current token was the one refused */
  bool skip_404;          /* per agent: 404 = unknown agent, skipped */
  enum cx_status failed;  /* an error met in next() */
  cx_go_on_fn go_on;      /* NULL, or false to start nothing more */
  void *go_on_ctx;
  struct cx_error *err;
  begin_fn begin;
  page_fn page;
  page_release_fn release;
  void *ctx;
};

static bool walk_next(void *ctx, unsigned slot, struct cx_http_request *req) {
  struct walk *w = ctx;
  if (w->reauth || w->failed != CX_OK ||
      (w->go_on != NULL && !w->go_on(w->go_on_ctx)))
    return false;
  size_t i;
  if (w->nready > 0) {
    i = w->ready[--w->nready];
  } else if (w->next_new < w->n) {
    i = w->next_new++;
    struct query *q = &w->q[i];
    enum cx_status st = CX_OK;
    if (w->begin != NULL)
      st = w->begin(w->ctx, i, q, w->err);
    if (st == CX_OK)
      st = query_start(w->api, q, w->err);
    if (st != CX_OK) {
      w->failed = st;
      return false;
    }
  } else {
    return false;
  }
  struct query *q = &w->q[i];
  w->slot_query[slot] = i;
  q->sent_gen = cx_auth_generation(w->api->auth);
  *req = (struct cx_http_request){.url = q->url,
                                  .bearer = cx_auth_token(w->api->auth)};
  return true;
}

/* An ok answer of query i. */
static enum cx_status walk_page(struct walk *w, size_t i,
                                const struct cx_http_response *resp,
                                struct cx_error *err) {
  struct query *q = &w->q[i];
  q->refused = 0;
  if (q->fields_dropped && !w->api->fields_refused[q->columns]) {
    w->api->fields_refused[q->columns] = true;
    cx_log(CX_LOG_NOTICE, "api: %s: HTTP 400 (%s) to a request naming "
           "fields, answered without them: asking for every column from now "
           "on", q->what, w->api->fields_refusal);
  }
  if (resp->status == 204 || resp->status == 304) {
    q->finished = true;
    return CX_OK;
  }
  struct page_links links = {.total = -1};
  void *kept = NULL;
  enum cx_status st = w->page(w->ctx, q, resp, &links, &kept, err);
  bool more = false;
  if (st == CX_OK)
    st = query_advance(w->api, q, links.next_url, links.total, links.got,
                       &more, err);
  if (kept != NULL)
    w->release(kept);
  if (st != CX_OK)
    return st;
  if (more)
    w->ready[w->nready++] = i;
  else
    q->finished = true;
  return CX_OK;
}

static enum cx_status walk_done(void *ctx, unsigned slot, enum cx_status sent,
                                struct cx_http_response *resp,
                                struct cx_error *err) {
  struct walk *w = ctx;
  size_t i = w->slot_query[slot];
  struct query *q = &w->q[i];
  if (sent != CX_OK)
    return sent;
  if (resp->status == 401 && q->refused == 0) {
    q->refused++;
    cx_log(CX_LOG_NOTICE, "api: %s: HTTP 401, re-authenticating", q->what);
    if (q->sent_gen == cx_auth_generation(w->api->auth))
      w->token_refused = true;
    w->ready[w->nready++] = i; /* the same URL again */
    w->reauth = true;
    return CX_OK;
  }
  if (resp->status == 400 && q->fields) {
    /* See "Columns" above: the same request without fields=, once. */
    snprintf(w->api->fields_refusal, sizeof(w->api->fields_refusal), "%.*s",
             (int)sizeof(w->api->fields_refusal) - 1,
             resp->ic_status[0] ? resp->ic_status : "no reason given");
    drop_fields_param(q->url);
    drop_fields_param(q->query_base);
    q->fields = false;
    q->fields_dropped = true;
    w->ready[w->nready++] = i;
    return CX_OK;
  }
  if (resp->status == 404 && w->skip_404) {
    cx_log(CX_LOG_INFO, "api: %s: HTTP 404 (%s), agent skipped", q->what,
           resp->ic_status[0] ? resp->ic_status : "unknown agent");
    q->finished = true;
    return CX_OK;
  }
  if (!cx_reply_ok(resp))
    return cx_reply_error(resp, q->what, err);
  return walk_page(w, i, resp, err);
}

/* Runs the walk to its end: the one place that re-authenticates. */
static enum cx_status walk_run(struct walk *w, unsigned parallel,
                               struct cx_error *err) {
  w->err = err;
  for (;;) {
    enum cx_status st = cx_auth_ensure(w->api->auth, err);
    if (st != CX_OK)
      return st;
    w->reauth = w->token_refused = false;
    st = cx_http_run(w->api->http, parallel, walk_next, walk_done, w, err);
    if (st == CX_OK)
      st = w->failed;
    if (st != CX_OK || !w->reauth)
      return st;
    if (w->token_refused)
      cx_auth_invalidate(w->api->auth);
  }
}

/* Sets up a walk of n queries.  CX_OK or CX_ERR_NOMEM. */
static enum cx_status walk_init(struct walk *w, struct cx_api *api, size_t n,
                                struct cx_error *err) {
  *w = (struct walk){.api = api, .n = n};
  w->q = calloc(n, sizeof(*w->q));
  w->ready = calloc(n, sizeof(*w->ready));
  if (w->q == NULL || w->ready == NULL) {
    free(w->q);
    free(w->ready);
    return cx_error_set(err, CX_ERR_NOMEM, 0, "api: out of memory");
  }
  return CX_OK;
}

static void walk_free(struct walk *w) {
  for (size_t i = 0; i < w->n; i++)
    query_free(&w->q[i]);
  free(w->q);
  free(w->ready);
}

/* --------------------------------------------------------- state history */

struct history_walk {
  const struct cx_api *api;
  struct cx_history_task *tasks; /* NULL: all agents over [start, end] */
  cx_ms_t start, end;
  cx_history_page_fn fn;
  void *ctx;
};

/* "path?k1=v1&k2=v2..." of the n pairs kv[2i], kv[2i + 1] whose value is
 * not NULL, the values escaped; NULL on ENOMEM. */
static char *query_of(const char *path, const char *const *kv, size_t n) {
  char *q = strdup(path);
  bool first = true;
  for (size_t i = 0; q != NULL && i < n; i++) {
    if (kv[2 * i + 1] == NULL)
      continue;
    char *v = cx_http_escape(kv[2 * i + 1]);
    char *next = v ? cx_str_printf("%s%c%s=%s", q, first ? '?' : '&',
                                   kv[2 * i], v)
                   : NULL;
    free(v);
    free(q);
    q = next;
    first = false;
  }
  return q;
}

/* "what?startDate=...&endDate=...[&fields=...]" for [start, end],
 * escaped; NULL for a bad range or on ENOMEM. */
static char *range_query(const char *what, cx_ms_t start, cx_ms_t end,
                         const char *fields) {
  char s[CX_ISO8601_SIZE], e[CX_ISO8601_SIZE];
  if (end < start || cx_time_format(start, s, sizeof(s)) != CX_OK ||
      cx_time_format(end, e, sizeof(e)) != CX_OK)
    return NULL;
  const char *kv[] = {"startDate", s, "endDate", e, "fields", fields};
  return query_of(what, kv, 3);
}

static enum cx_status history_begin(void *ctx, size_t i, struct query *q,
                                    struct cx_error *err) {
  const struct history_walk *h = ctx;
  cx_ms_t start = h->start, end = h->end;
  if (h->tasks == NULL) {
    snprintf(q->what, sizeof(q->what), "agents/state-history");
  } else {
    const struct cx_history_task *t = &h->tasks[i];
    snprintf(q->what, sizeof(q->what), "agents/%" PRId64 "/state-history",
             t->agent_id);
    start = t->start;
    end = t->end;
    if (t->resume_url != NULL && (q->url = strdup(t->resume_url)) == NULL)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", q->what);
    q->seen = t->seen;
  }
  q->columns = COLS_HISTORY;
  q->fields = !h->api->fields_refused[COLS_HISTORY];
  q->query_base = range_query(q->what, start, end,
                              q->fields ? CX_JSON_HISTORY_FIELDS : NULL);
  if (q->query_base == NULL)
    return cx_error_set(err, end < start ? CX_ERR_INVALID : CX_ERR_NOMEM, 0,
                        "%s: bad time range or out of memory", q->what);
  return CX_OK;
}

static void history_release(void *kept) {
  cx_history_page_free(kept);
  free(kept);
}

static enum cx_status history_page(void *ctx, struct query *q,
                                   const struct cx_http_response *resp,
                                   struct page_links *links, void **keep,
                                   struct cx_error *err) {
  const struct history_walk *h = ctx;
  struct cx_history_page *page = malloc(sizeof(*page));
  if (page == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", q->what);
  enum cx_status st = cx_json_history_page(resp->body, resp->body_len, page,
                                           err);
  if (st != CX_OK) {
    free(page);
    return st;
  }
  *keep = page;
  if (page->skipped > 0)
    cx_log(CX_LOG_DEBUG, "api: %s: %zu malformed records skipped", q->what,
           page->skipped);
  if ((page->count > 0 || page->skipped > 0) && h->fn != NULL &&
      (st = h->fn(h->ctx, page)) != CX_OK)
    return cx_error_set(err, st, 0, "%s: page handler failed (%s)", q->what,
                        cx_status_name(st));
  *links = (struct page_links){.next_url = page->next_url,
                               .total = page->total_records,
                               .got = page->count + page->skipped};
  return CX_OK;
}

/* Hands each task its progress: done, or the page to resume from. */
static enum cx_status save_progress(struct walk *w, struct cx_history_task *t,
                                    struct cx_error *err) {
  enum cx_status st = CX_OK;
  for (size_t i = 0; i < w->next_new; i++) {
    struct query *q = &w->q[i];
    t[i].done = q->finished;
    free(t[i].resume_url);
    t[i].resume_url = NULL;
    t[i].seen = q->seen;
    if (!q->finished && q->url != NULL &&
        (t[i].resume_url = strdup(q->url)) == NULL && st == CX_OK)
      st = cx_error_set(err, CX_ERR_NOMEM, 0, "state-history: out of memory");
  }
  return st;
}

/* tasks NULL: the all-agents query over [start, end] (n == 1).  Else one
 * query per task, progress saved in the tasks.  skip_404: 404 means an
 * unknown agent, skipped (else CX_ERR_NOT_FOUND). */
static enum cx_status history_walk(struct cx_api *api,
                                   struct cx_history_task *tasks, size_t n,
                                   bool skip_404, cx_ms_t start, cx_ms_t end,
                                   unsigned top,
                                   unsigned parallel, cx_go_on_fn go_on,
                                   cx_history_page_fn fn, void *ctx,
                                   struct cx_error *err) {
  if (api == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no handle");
  struct history_walk h = {.api = api, .tasks = tasks, .start = start,
                           .end = end, .fn = fn, .ctx = ctx};
  struct walk w;
  enum cx_status st = walk_init(&w, api, n, err);
  if (st != CX_OK)
    return st;
  w.skip_404 = skip_404;
  w.go_on = go_on;
  w.go_on_ctx = ctx;
  w.begin = history_begin;
  w.page = history_page;
  w.release = history_release;
  w.ctx = &h;
  for (size_t i = 0; i < n; i++)
    w.q[i].top = top;
  st = walk_run(&w, parallel, err);
  if (tasks != NULL) {
    struct cx_error mem = {0};
    if (save_progress(&w, tasks, &mem) != CX_OK && st == CX_OK)
      st = cx_error_set(err, mem.status, 0, "%s", mem.message);
  }
  walk_free(&w);
  return st;
}

enum cx_status cx_api_state_history(struct cx_api *api, int64_t agent_id,
                                    cx_ms_t start, cx_ms_t end, unsigned top,
                                    cx_history_page_fn fn, void *ctx,
                                    struct cx_error *err) {
  if (agent_id == CX_ID_NONE)
    return history_walk(api, NULL, 1, false, start, end, top, 1, NULL, fn,
                        ctx, err);
  struct cx_history_task t = {.agent_id = agent_id, .start = start, .end = end};
  enum cx_status st =
      history_walk(api, &t, 1, false, start, end, top, 1, NULL, fn, ctx, err);
  free(t.resume_url);
  return st;
}

enum cx_status cx_api_state_history_tasks(struct cx_api *api,
                                          struct cx_history_task *tasks,
                                          size_t n, unsigned top,
                                          unsigned parallel, cx_go_on_fn go_on,
                                          cx_history_page_fn fn, void *ctx,
                                          struct cx_error *err) {
  if (n == 0)
    return CX_OK;
  if (tasks == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "state-history: no agents");
  if (parallel == 0)
    parallel = 1;
  if (parallel > CX_API_MAX_PARALLEL)
    parallel = CX_API_MAX_PARALLEL;
  if (parallel > n)
    parallel = (unsigned)n;
  return history_walk(api, tasks, n, true, 0, 0, top, parallel, go_on, fn,
                      ctx, err);
}

/* ------------------------------------------------------- agents/states */

static enum cx_status append_states(struct cx_states_page *dst,
                                    struct cx_states_page *src) {
  if (src->count == 0)
    return CX_OK;
  struct cx_agent_state *a =
      realloc(dst->states, (dst->count + src->count) * sizeof(*a));
  if (a == NULL)
    return CX_ERR_NOMEM;
  memcpy(a + dst->count, src->states, src->count * sizeof(*a));
  dst->states = a;
  dst->count += src->count;
  free(src->states); /* the strings moved to dst */
  src->states = NULL;
  src->count = 0;
  return CX_OK;
}

static void states_release(void *kept) {
  cx_states_page_free(kept);
  free(kept);
}

/* page_fn of agents/states: appends to ctx, a struct cx_states_page.  An
 * empty body means no change. */
static enum cx_status states_page(void *ctx, struct query *q,
                                  const struct cx_http_response *resp,
                                  struct page_links *links, void **keep,
                                  struct cx_error *err) {
  struct cx_states_page *all = ctx;
  if (resp->body_len == 0)
    return CX_OK; /* links->got 0: done */
  struct cx_states_page *one = malloc(sizeof(*one));
  if (one == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", q->what);
  enum cx_status st = cx_json_states_page(resp->body, resp->body_len, one, err);
  if (st != CX_OK) {
    free(one);
    return st;
  }
  *keep = one;
  if (q->pages == 0) {
    all->last_poll_time = one->last_poll_time;
    all->total_records = one->total_records;
  }
  all->skipped += one->skipped;
  *links = (struct page_links){.next_url = one->next_url,
                               .total = one->total_records,
                               .got = one->count + one->skipped};
  if (append_states(all, one) != CX_OK)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", q->what);
  return CX_OK;
}

/* One paged query (query_base owned, freed here) whose pages page_fn
 * gathers into ctx; `columns` names the call when query_base carries
 * fields= (COLS_NONE: it does not). */
static enum cx_status collect(struct cx_api *api, const char *what,
                              char *query_base, enum columns columns,
                              unsigned top, page_fn page,
                              page_release_fn release, void *ctx,
                              struct cx_error *err) {
  struct walk w;
  enum cx_status st = walk_init(&w, api, 1, err);
  if (st != CX_OK) {
    free(query_base);
    return st;
  }
  struct query *q = &w.q[0];
  snprintf(q->what, sizeof(q->what), "%s", what);
  q->query_base = query_base;
  q->columns = columns;
  q->fields = columns != COLS_NONE;
  q->top = top;
  if (q->query_base == NULL) {
    walk_free(&w);
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  }
  w.page = page;
  w.release = release;
  w.ctx = ctx;
  st = walk_run(&w, 1, err);
  walk_free(&w);
  return st;
}

enum cx_status cx_api_agent_states(struct cx_api *api, const char *updated_since,
                                   const char *fields,
                                   struct cx_states_page *page, int *changed,
                                   struct cx_error *err) {
  memset(page, 0, sizeof(*page));
  page->total_records = -1;
  *changed = 0;
  if (api == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no handle");
  const char *kv[] = {"updatedSince", updated_since, "fields", fields};
  enum cx_status st = collect(api, "agents/states",
                              query_of("agents/states", kv, 2), COLS_NONE, 0,
                              states_page, states_release, page, err);
  if (st != CX_OK) {
    cx_states_page_free(page);
    return st;
  }
  *changed = page->count > 0 || page->skipped > 0;
  if (!*changed) {
    cx_ms_t keep = page->last_poll_time;
    cx_states_page_free(page);
    page->last_poll_time = keep;
  }
  return CX_OK;
}

/* ---------------------------------------------------- unavailable-codes */

static enum cx_status codes_page(void *ctx, struct query *q,
                                 const struct cx_http_response *resp,
                                 struct page_links *links, void **keep,
                                 struct cx_error *err) {
  (void)q;
  (void)keep;
  struct cx_codes_page *page = ctx;
  size_t before = page->count;
  if (resp->body_len == 0)
    return CX_OK;
  enum cx_status st = cx_json_codes_page(resp->body, resp->body_len, page, err);
  if (st != CX_OK)
    return st;
  *links = (struct page_links){.next_url = page->next_url,
                               .total = page->total_records,
                               .got = page->count - before};
  return CX_OK;
}

enum cx_status cx_api_unavailable_codes(struct cx_api *api, unsigned top,
                                        struct cx_codes_page *page,
                                        struct cx_error *err) {
  *page = (struct cx_codes_page){.total_records = -1};
  if (api == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no handle");
  /* No fields=: the codes are few, and their columns vary by version. */
  enum cx_status st =
      collect(api, "unavailable-codes", query_of("unavailable-codes", NULL, 0),
              COLS_NONE, top, codes_page, NULL, page, err);
  if (st != CX_OK)
    cx_codes_page_free(page);
  return st;
}

/* ---------------------------------------------------- skills/activity, summary */

struct skills_walk {
  enum cx_skill_endpoint which;
  struct cx_skills_page *page;
};

/* page_fn of the skills calls: appends to the page.  An empty body means
 * no change. */
static enum cx_status skills_page(void *ctx, struct query *q,
                                  const struct cx_http_response *resp,
                                  struct page_links *links, void **keep,
                                  struct cx_error *err) {
  (void)keep;
  const struct skills_walk *s = ctx;
  size_t before = s->page->count + s->page->skipped;
  if (resp->body_len == 0)
    return CX_OK;
  enum cx_status st =
      cx_json_skills_page(s->which, resp->body, resp->body_len, s->page, err);
  if (st != CX_OK)
    return st;
  if (s->page->skipped > 0 && q->pages == 0)
    cx_log(CX_LOG_DEBUG, "api: %s: %zu malformed records skipped", q->what,
           s->page->skipped);
  *links = (struct page_links){
      .next_url = s->page->next_url,
      .total = s->page->total_records,
      .got = s->page->count + s->page->skipped - before};
  return CX_OK;
}

static enum cx_status skills_call(struct cx_api *api,
                                  enum cx_skill_endpoint which,
                                  char *query_base, unsigned top,
                                  struct cx_skills_page *page,
                                  struct cx_error *err) {
  struct skills_walk s = {which, page};
  const char *what =
      which == CX_SKILL_ACTIVITY ? "skills/activity" : "skills/summary";
  enum columns cols =
      which == CX_SKILL_ACTIVITY ? COLS_SKILL_ACTIVITY : COLS_SKILL_SUMMARY;
  enum cx_status st = collect(api, what, query_base, cols, top, skills_page,
                              NULL, &s, err);
  if (st != CX_OK)
    cx_skills_page_free(page);
  return st;
}

enum cx_status cx_api_skill_activity(struct cx_api *api,
                                     const char *updated_since, unsigned top,
                                     struct cx_skills_page *page, int *changed,
                                     struct cx_error *err) {
  *page = (struct cx_skills_page){.total_records = -1};
  *changed = 0;
  if (api == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no handle");
  const char *fields = api->fields_refused[COLS_SKILL_ACTIVITY]
                           ? NULL
                           : CX_JSON_SKILL_ACTIVITY_FIELDS;
  const char *kv[] = {"updatedSince", updated_since, "fields", fields};
  enum cx_status st = skills_call(
      api, CX_SKILL_ACTIVITY, query_of("skills/activity", kv, 2), top, page,
      err);
  if (st == CX_OK)
    *changed = page->count > 0 || page->skipped > 0;
  return st;
}

enum cx_status cx_api_skill_summary(struct cx_api *api, cx_ms_t start,
                                    cx_ms_t end, unsigned top,
                                    struct cx_skills_page *page,
                                    struct cx_error *err) {
  *page = (struct cx_skills_page){.total_records = -1};
  if (api == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no handle");
  char *q = range_query("skills/summary", start, end,
                        api->fields_refused[COLS_SKILL_SUMMARY]
                            ? NULL
                            : CX_JSON_SKILL_SUMMARY_FIELDS);
  if (q == NULL && end < start)
    return cx_error_set(err, CX_ERR_INVALID, 0, "skills/summary: bad range");
  return skills_call(api, CX_SKILL_SUMMARY, q, top, page, err);
}
