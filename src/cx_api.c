/*
 * cx_api.c: CXone REST calls: authentication, state history (all agents, one
 * agent, many agents in parallel) and real-time agent states; see cx_api.h.
 *
 * Owns the token and the discovered endpoints of one tenant.  Transport is
 * cx_http (one struct per thread, so one cx_api per thread too); parsing is
 * cx_json.  Nothing here prints: cx_log() only, and never a secret, a token
 * or an Authorization header.  Secrets and tokens are wiped before free.
 *
 * Token lifetime: a token of lifetime L (expires_in) is reused until
 * L - 5 min, or until 0.9 L when L < 10 min (a short-lived token would
 * otherwise be refreshed on every call).  The clock is injectable.
 *
 * Paging (cxone-api.md §2, §9.5): follow _links.next as given (relative links
 * are resolved against the base URL; an absolute link to another origin is
 * re-rooted on ours so the bearer token never leaves the API host).  With no
 * next link, when totalRecords says records remain and the page was not
 * empty, ask again with skip/top.  Stop on an empty page, on a next link
 * equal to the current URL, and after CX_API_MAX_PAGES pages.
 *
 * Per-agent fan-out: a curl multi handle drives up to `parallel` transfers
 * (cx_http_xfer: easy handles configured like the api's cx_http).  Pages are
 * parsed and handed to the callback on the calling thread as they complete;
 * an agent's next page is queued on the same transfer.  A 401 re-authenticates
 * once (once per token generation: transfers that were in flight with the old
 * token just retry) and retries that agent's request.
 */
#include "cx_secret.h"
#include "cx_api.h"
#include "cx_log.h"

#include <curl/curl.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CX_API_MAX_PAGES 10000
#define CX_API_MAX_PARALLEL 64

struct cx_api {
  /* Configuration (copied; secrets wiped on destroy). */
  char *issuer, *client_id, *client_secret, *access_key_id,
      *access_key_secret, *api_endpoint_cfg, *api_version;
  enum cx_client_auth client_auth;
  bool basic_encoded; /* Basic credentials form-encoded (RFC 6749 §2.3.1) */
  struct cx_http *http;
  cx_ms_t (*clock)(void);

  /* Discovery, kept for the life of the struct. */
  char *token_endpoint;
  char *api_endpoint;
  char *base_url;
  char *tenant_id;

  /* Token. */
  char *access_token;
  cx_ms_t token_expiry, token_refresh_at;
  uint64_t token_gen;

  struct cx_api_stats stats;
};

/* --------------------------------------------------------------- helpers */

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static char *strip_slashes(char *s) {
  if (s != NULL) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
      s[--n] = '\0';
  }
  return s;
}

/* malloc'd printf. */
__attribute__((format(printf, 1, 2))) static char *str_printf(const char *fmt,
                                                               ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *s = malloc((size_t)n + 1);
  if (s == NULL)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

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

static void record(struct cx_api *api, enum cx_status transport,
                   const struct cx_http_response *resp) {
  api->stats.requests++;
  api->stats.bytes += resp->bytes_received;
  api->stats.last_latency_s = resp->elapsed_s;
  bool ok = transport == CX_OK &&
            ((resp->status >= 200 && resp->status < 300) ||
             resp->status == 304);
  if (!ok)
    api->stats.failures++;
}

/* ---------------------------------------------------------- life cycle */

struct cx_api *cx_api_create(const struct cx_api_config *cfg,
                             struct cx_http *http) {
  if (cfg == NULL)
    return NULL;
  struct cx_api *api = calloc(1, sizeof(*api));
  if (api == NULL)
    return NULL;
  api->http = http;
  api->clock = cx_now_ms;
  api->client_auth = cfg->client_auth;
  api->issuer = strip_slashes(dup_or_null(cfg->issuer));
  api->client_id = dup_or_null(cfg->client_id);
  api->client_secret = cx_secret_dup(cfg->client_secret);
  api->access_key_id = dup_or_null(cfg->access_key_id);
  api->access_key_secret = cx_secret_dup(cfg->access_key_secret);
  api->api_endpoint_cfg = strip_slashes(dup_or_null(cfg->api_endpoint));
  api->api_version = strdup(cfg->api_version != NULL ? cfg->api_version
                                                     : CX_DEFAULT_API_VERSION);
  if ((cfg->issuer && !api->issuer) || (cfg->client_id && !api->client_id) ||
      (cfg->client_secret && !api->client_secret) ||
      (cfg->access_key_id && !api->access_key_id) ||
      (cfg->access_key_secret && !api->access_key_secret) ||
      (cfg->api_endpoint && !api->api_endpoint_cfg) || !api->api_version) {
    cx_api_destroy(api);
    return NULL;
  }
  return api;
}

void cx_api_destroy(struct cx_api *api) {
  if (api == NULL)
    return;
  free(api->issuer);
  cx_wipe_free(api->client_id);
  cx_secret_free(api->client_secret);
  cx_wipe_free(api->access_key_id);
  cx_secret_free(api->access_key_secret);
  free(api->api_endpoint_cfg);
  free(api->api_version);
  free(api->token_endpoint);
  free(api->api_endpoint);
  free(api->base_url);
  free(api->tenant_id);
  cx_secret_free(api->access_token);
  free(api);
}

void cx_api_set_clock(struct cx_api *api, cx_ms_t (*clock)(void)) {
  if (api != NULL)
    api->clock = clock != NULL ? clock : cx_now_ms;
}

void cx_api_invalidate_token(struct cx_api *api) {
  if (api == NULL)
    return;
  cx_secret_free(api->access_token);
  api->access_token = NULL;
  api->token_refresh_at = 0;
}

const char *cx_api_tenant_id(const struct cx_api *api) {
  return api != NULL ? api->tenant_id : NULL;
}
const char *cx_api_base_url(const struct cx_api *api) {
  return api != NULL ? api->base_url : NULL;
}
cx_ms_t cx_api_token_expiry(const struct cx_api *api) {
  return api != NULL ? api->token_expiry : 0;
}
const struct cx_api_stats *cx_api_stats(const struct cx_api *api) {
  return api != NULL ? &api->stats : NULL;
}

/* -------------------------------------------------------- authentication */

/* GET url without a token; non-2xx -> mapped error. */
static enum cx_status plain_get(struct cx_api *api, const char *url,
                                const char *what,
                                struct cx_http_response *resp,
                                struct cx_error *err) {
  enum cx_status st = cx_http_get(api->http, url, NULL, resp, err);
  record(api, st, resp);
  if (st != CX_OK)
    return st;
  if (resp->status < 200 || resp->status >= 300)
    return cx_http_status_error(resp, what, err);
  return CX_OK;
}

static enum cx_status discover(struct cx_api *api, struct cx_error *err) {
  char *url = str_printf("%s/.well-known/openid-configuration", api->issuer);
  if (url == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "discovery: out of memory");
  struct cx_http_response resp;
  enum cx_status st = plain_get(api, url, "openid-configuration", &resp, err);
  free(url);
  if (st == CX_OK)
    st = cx_json_discovery(resp.body, resp.body_len, &api->token_endpoint, err);
  cx_http_response_free(&resp);
  return st;
}

/* One POST to the token endpoint.  With client_secret_basic, the id and
 * secret go into the Basic header as they are (CXone's documented
 * base64(client_id:client_secret)) or form-encoded first (RFC 6749 §2.3.1),
 * per api->basic_encoded.  Returns CX_OK with resp filled for a 2xx. */
static enum cx_status post_token(struct cx_api *api, const char *body,
                                 struct cx_http_response *resp,
                                 struct cx_error *err) {
  char *user = NULL, *pass = NULL;
  bool basic = api->client_auth == CX_CLIENT_AUTH_BASIC;
  if (basic && api->basic_encoded) {
    user = cx_http_escape(api->client_id);
    pass = cx_http_escape(api->client_secret);
    if (user == NULL || pass == NULL) {
      cx_wipe_free(user);
      cx_wipe_free(pass);
      *resp = (struct cx_http_response){.retry_after_s = -1};
      return cx_error_set(err, CX_ERR_NOMEM, 0, "token: out of memory");
    }
  }
  api->stats.auth_requests++;
  enum cx_status st = cx_http_post_form(
      api->http, api->token_endpoint,
      basic ? (user ? user : api->client_id) : NULL,
      basic ? (pass ? pass : api->client_secret) : NULL, body, resp, err);
  cx_wipe_free(user);
  cx_wipe_free(pass);
  record(api, st, resp);
  if (st == CX_OK && (resp->status < 200 || resp->status >= 300)) {
    st = cx_http_status_error(resp, "token", err);
    /* OAuth answers a refused grant with 400 (RFC 6749 §5.2) or 401. */
    if (resp->status == 400 || resp->status == 401)
      st = err != NULL ? (err->status = CX_ERR_AUTH) : CX_ERR_AUTH;
  }
  return st;
}

/* True when form-encoding would change the client id or secret. */
static bool basic_encoding_matters(const struct cx_api *api) {
  char *u = cx_http_escape(api->client_id), *p = cx_http_escape(api->client_secret);
  bool differs = u == NULL || p == NULL || strcmp(u, api->client_id) != 0 ||
                 strcmp(p, api->client_secret) != 0;
  cx_wipe_free(u);
  cx_wipe_free(p);
  return differs;
}

static enum cx_status request_token(struct cx_api *api, struct cx_error *err) {
  char *u = cx_http_escape(api->access_key_id);
  char *p = cx_http_escape(api->access_key_secret);
  char *ci = NULL, *cs = NULL, *body = NULL;
  enum cx_status st = CX_OK;
  if (u == NULL || p == NULL) {
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "token: out of memory");
    goto out;
  }
  if (api->client_auth == CX_CLIENT_AUTH_POST) {
    ci = cx_http_escape(api->client_id);
    cs = cx_http_escape(api->client_secret);
    if (ci != NULL && cs != NULL)
      body = str_printf("grant_type=password&username=%s&password=%s"
                        "&client_id=%s&client_secret=%s",
                        u, p, ci, cs);
  } else {
    body = str_printf("grant_type=password&username=%s&password=%s", u, p);
  }
  if (body == NULL) {
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "token: out of memory");
    goto out;
  }

  struct cx_http_response resp;
  st = post_token(api, body, &resp, err);
  /* Servers differ on whether Basic credentials are form-encoded: when the
   * client is refused and the encoding would make a difference, try the
   * other form once and keep whichever the server accepts. */
  if (st == CX_ERR_AUTH && api->client_auth == CX_CLIENT_AUTH_BASIC &&
      err != NULL && strstr(err->message, "invalid_client") != NULL &&
      basic_encoding_matters(api)) {
    cx_http_response_free(&resp);
    api->basic_encoded = !api->basic_encoded;
    cx_log(CX_LOG_NOTICE, "auth: client refused; retrying with the client "
           "credentials %s", api->basic_encoded ? "form-encoded (RFC 6749)"
                                                : "as they are");
    st = post_token(api, body, &resp, err);
  }
  if (st != CX_OK) {
    cx_http_response_free(&resp);
    goto out;
  }

  char *token = NULL, *id_token = NULL, *tenant = NULL;
  long expires_in = 0;
  int64_t exp = 0;
  st = cx_json_token_ex(resp.body, resp.body_len, &token, &expires_in,
                        &id_token, err);
  cx_http_response_free(&resp);
  if (st != CX_OK)
    goto out;
  struct cx_error jerr;
  cx_error_clear(&jerr);
  if (cx_jwt_claims(token, &tenant, &exp, &jerr) != CX_OK || tenant == NULL) {
    free(tenant);
    tenant = NULL;
    if (id_token != NULL)
      cx_jwt_claims(id_token, &tenant, &exp, &jerr);
  }
  cx_wipe_free(id_token);
  if (tenant == NULL && api->api_endpoint == NULL &&
      api->api_endpoint_cfg == NULL) {
    cx_wipe_free(token);
    st = cx_error_set(err, CX_ERR_PARSE, 0,
                      "token: no tenantId claim in the access or id token "
                      "(configure APIEndpoint to skip cxone-configuration)");
    goto out;
  }
  if (tenant != NULL) {
    free(api->tenant_id);
    api->tenant_id = tenant;
  }
  cx_secret_free(api->access_token);
  if ((api->access_token = cx_secret_adopt(token)) == NULL) {
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "token: out of memory");
    goto out;
  }
  api->token_gen++;
  cx_ms_t now = api->clock();
  cx_ms_t life = (cx_ms_t)expires_in * 1000;
  cx_ms_t margin = expires_in >= 600 ? 300000 : life / 10;
  api->token_expiry = now + life;
  api->token_refresh_at = now + life - margin;
  cx_log(CX_LOG_INFO, "auth: new token for tenant %s, valid %ld s",
         api->tenant_id != NULL ? api->tenant_id : "(unknown)", expires_in);
out:
  cx_wipe_free(u);
  cx_wipe_free(p);
  cx_wipe_free(ci);
  cx_wipe_free(cs);
  cx_wipe_free(body);
  /* memcpy and TLS moved the request (the secrets) through them. */
  cx_secret_clear_registers();
  return st;
}

static enum cx_status configure_endpoint(struct cx_api *api,
                                         struct cx_error *err) {
  if (api->api_endpoint_cfg != NULL) {
    if ((api->api_endpoint = strdup(api->api_endpoint_cfg)) == NULL)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "api: out of memory");
  } else {
    char *t = cx_http_escape(api->tenant_id);
    char *url = t ? str_printf("%s/.well-known/cxone-configuration?tenantId=%s",
                               api->issuer, t)
                  : NULL;
    free(t);
    if (url == NULL)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "api: out of memory");
    struct cx_http_response resp;
    enum cx_status st = plain_get(api, url, "cxone-configuration", &resp, err);
    free(url);
    if (st == CX_OK)
      st = cx_json_cxone_config(resp.body, resp.body_len, &api->api_endpoint,
                                err);
    cx_http_response_free(&resp);
    if (st != CX_OK)
      return st;
  }
  api->base_url = str_printf("%s/inContactAPI/services/%s/", api->api_endpoint,
                             api->api_version);
  if (api->base_url == NULL) {
    free(api->api_endpoint);
    api->api_endpoint = NULL;
    return cx_error_set(err, CX_ERR_NOMEM, 0, "api: out of memory");
  }
  cx_log(CX_LOG_INFO, "auth: API base URL %s", api->base_url);
  return CX_OK;
}

enum cx_status cx_api_authenticate(struct cx_api *api, struct cx_error *err) {
  if (api == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no handle");
  if (api->access_token != NULL && api->base_url != NULL &&
      api->clock() < api->token_refresh_at)
    return CX_OK;
  if (api->http == NULL || api->issuer == NULL || api->issuer[0] == '\0' ||
      api->client_id == NULL || api->client_secret == NULL ||
      api->access_key_id == NULL || api->access_key_secret == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0,
                        "api: Issuer, ClientId, ClientSecret, AccessKeyId and "
                        "AccessKeySecret are all required");
  enum cx_status st;
  if (api->token_endpoint == NULL && (st = discover(api, err)) != CX_OK)
    return st;
  bool fresh = api->access_token != NULL && api->clock() < api->token_refresh_at;
  if (!fresh && (st = request_token(api, err)) != CX_OK)
    return st;
  if (api->base_url == NULL && (st = configure_endpoint(api, err)) != CX_OK)
    return st;
  return CX_OK;
}

/* --------------------------------------------------------------- GET */

/* Absolute URL for a path relative to the base URL, a host-absolute path,
 * or an absolute URL (re-rooted on our origin when it names another). */
static char *resolve(const struct cx_api *api, const char *s) {
  size_t ol = origin_len(api->base_url);
  if (is_absolute(s)) {
    size_t sl = origin_len(s);
    if (sl == ol && strncasecmp(s, api->base_url, ol) == 0)
      return strdup(s);
    cx_log(CX_LOG_DEBUG, "api: next link names another host; re-rooted on %.*s",
           (int)ol, api->base_url);
    s += sl;
    if (*s != '/')
      return str_printf("%.*s/%s", (int)ol, api->base_url, s);
  }
  if (*s == '/')
    return str_printf("%.*s%s", (int)ol, api->base_url, s);
  return str_printf("%s%s", api->base_url, s);
}

static enum cx_status get_url(struct cx_api *api, const char *url,
                              const char *what, struct cx_http_response *resp,
                              struct cx_error *err) {
  for (int attempt = 0;; attempt++) {
    enum cx_status st = cx_http_get(api->http, url, api->access_token, resp, err);
    record(api, st, resp);
    if (st != CX_OK)
      return st;
    if (resp->status == 401 && attempt == 0) {
      cx_log(CX_LOG_NOTICE, "api: %s: HTTP 401, re-authenticating", what);
      cx_http_response_free(resp);
      cx_api_invalidate_token(api);
      if ((st = cx_api_authenticate(api, err)) != CX_OK)
        return st;
      continue;
    }
    if ((resp->status >= 200 && resp->status < 300) || resp->status == 304)
      return CX_OK;
    return cx_http_status_error(resp, what, err);
  }
}

enum cx_status cx_api_get(struct cx_api *api, const char *path_or_url,
                          const char *what, struct cx_http_response *resp,
                          struct cx_error *err) {
  memset(resp, 0, sizeof(*resp));
  resp->retry_after_s = -1;
  if (path_or_url == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "api: no path");
  enum cx_status st = cx_api_authenticate(api, err);
  if (st != CX_OK)
    return st;
  char *url = resolve(api, path_or_url);
  if (url == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  st = get_url(api, url, what ? what : path_or_url, resp, err);
  free(url);
  return st;
}

/* ---------------------------------------------------------------- paging */

/* Where a pager stands: the URL it asked for, the query to extend with
 * skip/top, the records seen so far. */
struct pager {
  char *url;        /* current request (absolute) */
  char *prev_url;   /* the one before: catches A -> B -> A cycles */
  char *query_base; /* "path?startDate=..&endDate=.." without skip/top */
  unsigned top;
  uint64_t seen;
  unsigned pages;
};

static void pager_free(struct pager *p) {
  free(p->url);
  free(p->prev_url);
  free(p->query_base);
  p->url = p->prev_url = p->query_base = NULL;
}

/* After a page of `got` records (+ next link, total): 1 with p->url set to
 * the next request, 0 when done, -1 with err set. */
static int pager_next(struct cx_api *api, struct pager *p, const char *what,
                      const char *next_url, int64_t total, size_t got,
                      struct cx_error *err) {
  p->seen += got;
  p->pages++;
  char *next = NULL;
  if (got == 0)
    return 0; /* an empty page ends the walk, whatever it says */
  if (p->pages >= CX_API_MAX_PAGES) {
    cx_error_set(err, CX_ERR_PARSE, 0, "%s: more than %d pages, giving up",
                 what, CX_API_MAX_PAGES);
    return -1;
  }
  if (next_url != NULL) {
    next = resolve(api, next_url);
  } else if (total >= 0 && (uint64_t)total > p->seen) {
    unsigned top = p->top > 0 ? p->top : (unsigned)got;
    char *rel = str_printf("%s%cskip=%" PRIu64 "&top=%u", p->query_base,
                           strchr(p->query_base, '?') != NULL ? '&' : '?',
                           p->seen, top);
    next = rel ? resolve(api, rel) : NULL;
    free(rel);
  } else {
    return 0;
  }
  if (next == NULL) {
    cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
    return -1;
  }
  if (strcmp(next, p->url) == 0 ||
      (p->prev_url != NULL && strcmp(next, p->prev_url) == 0)) {
    cx_log(CX_LOG_WARNING, "api: %s: next link repeats a page just read; "
                           "stopping",
           what);
    free(next);
    return 0;
  }
  free(p->prev_url);
  p->prev_url = p->url;
  p->url = next;
  return 1;
}

/* Builds "agents[/{id}]/state-history?startDate=..&endDate=.." and the first
 * URL (with top). */
static enum cx_status history_pager(struct cx_api *api, int64_t agent_id,
                                    cx_ms_t start, cx_ms_t end, unsigned top,
                                    struct pager *p, char *what, size_t wsize,
                                    struct cx_error *err) {
  memset(p, 0, sizeof(*p));
  p->top = top;
  char s[CX_ISO8601_SIZE], e[CX_ISO8601_SIZE];
  if (cx_time_format(start, s, sizeof(s)) != 0 ||
      cx_time_format(end, e, sizeof(e)) != 0 || end < start)
    return cx_error_set(err, CX_ERR_INVALID, 0,
                        "state-history: bad time range");
  if (agent_id == CX_ID_NONE)
    snprintf(what, wsize, "agents/state-history");
  else
    snprintf(what, wsize, "agents/%" PRId64 "/state-history", agent_id);
  char *es = cx_http_escape(s), *ee = cx_http_escape(e);
  if (es != NULL && ee != NULL)
    p->query_base = str_printf("%s?startDate=%s&endDate=%s", what, es, ee);
  free(es);
  free(ee);
  char *rel = NULL;
  if (p->query_base != NULL)
    rel = top > 0 ? str_printf("%s&top=%u", p->query_base, top)
                  : strdup(p->query_base);
  if (rel != NULL)
    p->url = resolve(api, rel);
  free(rel);
  if (p->url == NULL) {
    pager_free(p);
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  }
  return CX_OK;
}

/* Handles one 2xx/304 response of a paged GET: 1 with p->url set to the next
 * page, 0 when done, -1 on error (*st set). */
typedef int (*page_step_fn)(struct cx_api *api, struct pager *p,
                            const char *what,
                            const struct cx_http_response *resp, void *arg,
                            enum cx_status *st, struct cx_error *err);

/* GETs p->url (authenticating first; 401 retried once by get_url) and hands
 * each response to step until it says done or fails. */
static enum cx_status walk_pages(struct cx_api *api, struct pager *p,
                                 const char *what, page_step_fn step,
                                 void *arg, struct cx_error *err) {
  enum cx_status st;
  for (;;) {
    struct cx_http_response resp;
    if ((st = cx_api_authenticate(api, err)) != CX_OK)
      break;
    st = get_url(api, p->url, what, &resp, err);
    if (st != CX_OK) {
      cx_http_response_free(&resp);
      break;
    }
    int rc = step(api, p, what, &resp, arg, &st, err);
    cx_http_response_free(&resp);
    if (rc <= 0)
      break;
  }
  return st;
}

/* Where history pages go. */
struct history_sink {
  cx_history_page_fn fn;
  void *ctx;
};

/* page_step_fn of state history: 204/304 -> done; 200 -> parse, hand to the
 * sink, advance.  arg is a struct history_sink. */
static int history_step(struct cx_api *api, struct pager *p, const char *what,
                        const struct cx_http_response *resp, void *arg,
                        enum cx_status *st, struct cx_error *err) {
  const struct history_sink *sink = arg;
  if (resp->status == 204 || resp->status == 304)
    return 0;
  struct cx_history_page page;
  *st = cx_json_history_page(resp->body, resp->body_len, &page, err);
  if (*st != CX_OK)
    return -1;
  if (page.skipped > 0)
    cx_log(CX_LOG_DEBUG, "api: %s: %zu malformed records skipped", what,
           page.skipped);
  if (page.count > 0 || page.skipped > 0) {
    *st = sink->fn != NULL ? sink->fn(sink->ctx, &page) : CX_OK;
    if (*st != CX_OK) {
      cx_error_set(err, *st, 0, "%s: page handler failed (%s)", what,
                   cx_status_name(*st));
      cx_history_page_free(&page);
      return -1;
    }
  }
  int rc = pager_next(api, p, what, page.next_url, page.total_records,
                      page.count + page.skipped, err);
  cx_history_page_free(&page);
  if (rc < 0)
    *st = err != NULL ? err->status : CX_ERR_PARSE;
  return rc;
}

enum cx_status cx_api_state_history(struct cx_api *api, int64_t agent_id,
                                    cx_ms_t start, cx_ms_t end, unsigned top,
                                    cx_history_page_fn fn, void *ctx,
                                    struct cx_error *err) {
  enum cx_status st = cx_api_authenticate(api, err);
  if (st != CX_OK)
    return st;
  struct pager p;
  char what[64];
  if ((st = history_pager(api, agent_id, start, end, top, &p, what,
                          sizeof(what), err)) != CX_OK)
    return st;
  struct history_sink sink = {fn, ctx};
  st = walk_pages(api, &p, what, history_step, &sink, err);
  pager_free(&p);
  return st;
}

/* -------------------------------------------------- per-agent fan-out */

struct agent_job {
  struct cx_http_xfer *x;
  bool busy;
  int64_t agent_id;
  struct pager p;
  char what[64];
  uint64_t sent_gen; /* token generation the request carried */
  int auth_retries;
};

static enum cx_status job_send(struct cx_api *api, CURLM *multi,
                               struct agent_job *j, struct cx_error *err) {
  enum cx_status st = cx_api_authenticate(api, err);
  if (st != CX_OK)
    return st;
  if ((st = cx_http_xfer_get(j->x, j->p.url, api->access_token, err)) != CX_OK)
    return st;
  j->sent_gen = api->token_gen;
  CURLMcode mc = curl_multi_add_handle(multi, cx_http_xfer_easy(j->x));
  if (mc != CURLM_OK)
    return cx_error_set(err, CX_ERR_TRANSPORT, 0, "%s: curl multi: %s", j->what,
                        curl_multi_strerror(mc));
  j->busy = true;
  return CX_OK;
}

/* A finished transfer: 1 = request re-sent (more pages or retry), 0 = agent
 * done, -1 = error. */
static int job_done(struct cx_api *api, CURLM *multi, struct agent_job *j,
                    CURLcode result, struct history_sink *sink,
                    enum cx_status *st, struct cx_error *err) {
  struct cx_http_response resp;
  curl_multi_remove_handle(multi, cx_http_xfer_easy(j->x));
  j->busy = false;
  *st = cx_http_xfer_finish(j->x, (int)result, &resp, err);
  record(api, *st, &resp);
  if (*st != CX_OK) {
    cx_http_response_free(&resp);
    return -1;
  }
  int rc;
  if (resp.status == 401 && j->auth_retries == 0) {
    j->auth_retries++;
    cx_log(CX_LOG_NOTICE, "api: %s: HTTP 401, re-authenticating", j->what);
    if (j->sent_gen == api->token_gen)
      cx_api_invalidate_token(api);
    rc = 1; /* same URL again */
  } else if (resp.status == 404) {
    cx_log(CX_LOG_INFO, "api: %s: HTTP 404 (%s), agent skipped", j->what,
           resp.ic_status[0] ? resp.ic_status : "unknown agent");
    rc = 0;
  } else if ((resp.status >= 200 && resp.status < 300) || resp.status == 304) {
    rc = history_step(api, &j->p, j->what, &resp, sink, st, err);
    if (rc > 0)
      j->auth_retries = 0; /* a fresh 401 later on may re-authenticate again */
  } else {
    *st = cx_http_status_error(&resp, j->what, err);
    rc = -1;
  }
  cx_http_response_free(&resp);
  if (rc > 0 && (*st = job_send(api, multi, j, err)) != CX_OK)
    rc = -1;
  return rc;
}

enum cx_status cx_api_state_history_agents(struct cx_api *api,
                                           const int64_t *agent_ids, size_t n,
                                           cx_ms_t start, cx_ms_t end,
                                           unsigned parallel,
                                           cx_history_page_fn fn, void *ctx,
                                           struct cx_error *err) {
  if (n == 0)
    return CX_OK;
  if (agent_ids == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "state-history: no agents");
  enum cx_status st = cx_api_authenticate(api, err);
  if (st != CX_OK)
    return st;
  size_t slots = parallel == 0 ? 1 : parallel;
  if (slots > CX_API_MAX_PARALLEL)
    slots = CX_API_MAX_PARALLEL;
  if (slots > n)
    slots = n;

  CURLM *multi = curl_multi_init();
  struct agent_job *jobs = calloc(slots, sizeof(*jobs));
  if (multi == NULL || jobs == NULL) {
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "state-history: out of memory");
    goto out;
  }
  for (size_t i = 0; i < slots; i++)
    if ((jobs[i].x = cx_http_xfer_new(api->http)) == NULL) {
      st = cx_error_set(err, CX_ERR_NOMEM, 0, "state-history: out of memory");
      goto out;
    }

  struct history_sink sink = {fn, ctx};
  size_t next_agent = 0, busy = 0;
  for (;;) {
    /* Fill idle slots with the next agents. */
    for (size_t i = 0; i < slots && next_agent < n; i++) {
      struct agent_job *j = &jobs[i];
      if (j->busy)
        continue;
      pager_free(&j->p);
      j->agent_id = agent_ids[next_agent++];
      j->auth_retries = 0;
      if ((st = history_pager(api, j->agent_id, start, end, 0, &j->p, j->what,
                              sizeof(j->what), err)) != CX_OK ||
          (st = job_send(api, multi, j, err)) != CX_OK)
        goto out;
      busy++;
    }
    if (busy == 0)
      break;

    int running = 0;
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) {
      st = cx_error_set(err, CX_ERR_TRANSPORT, 0, "state-history: curl multi: %s",
                        curl_multi_strerror(mc));
      goto out;
    }
    /* Completed transfers first (their next pages are queued on the same
     * handle), then wait: curl_multi_poll also honours libcurl's internal
     * timeout, so freshly added handles start without delay. */
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      struct agent_job *j = NULL;
      for (size_t i = 0; i < slots; i++)
        if (jobs[i].busy && cx_http_xfer_easy(jobs[i].x) == msg->easy_handle)
          j = &jobs[i];
      if (j == NULL)
        continue;
      CURLcode result = msg->data.result;
      int rc = job_done(api, multi, j, result, &sink, &st, err);
      if (rc < 0)
        goto out;
      if (rc == 0)
        busy--;
    }
    if (busy > 0 && running > 0 &&
        (mc = curl_multi_poll(multi, NULL, 0, 1000, NULL)) != CURLM_OK) {
      st = cx_error_set(err, CX_ERR_TRANSPORT, 0, "state-history: curl multi: %s",
                        curl_multi_strerror(mc));
      goto out;
    }
  }
  st = CX_OK;
out:
  if (jobs != NULL) {
    for (size_t i = 0; i < slots; i++) {
      if (jobs[i].busy)
        curl_multi_remove_handle(multi, cx_http_xfer_easy(jobs[i].x));
      cx_http_xfer_free(jobs[i].x);
      pager_free(&jobs[i].p);
    }
    free(jobs);
  }
  if (multi != NULL)
    curl_multi_cleanup(multi);
  return st;
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

/* page_step_fn of agents/states: 304, 204 or an empty body -> done; else
 * parse and append to arg, a struct cx_states_page, then advance. */
static int states_step(struct cx_api *api, struct pager *p, const char *what,
                       const struct cx_http_response *resp, void *arg,
                       enum cx_status *st, struct cx_error *err) {
  struct cx_states_page *page = arg;
  if (resp->status == 304 || resp->status == 204 || resp->body_len == 0)
    return 0;
  struct cx_states_page one;
  *st = cx_json_states_page(resp->body, resp->body_len, &one, err);
  if (*st != CX_OK)
    return -1;
  if (p->pages == 0) {
    page->last_poll_time = one.last_poll_time;
    page->total_records = one.total_records;
  }
  page->skipped += one.skipped;
  size_t got = one.count + one.skipped;
  if (append_states(page, &one) != CX_OK) {
    cx_states_page_free(&one);
    *st = cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
    return -1;
  }
  int rc = pager_next(api, p, what, one.next_url, one.total_records, got, err);
  cx_states_page_free(&one);
  if (rc < 0)
    *st = err != NULL ? err->status : CX_ERR_PARSE;
  return rc;
}

enum cx_status cx_api_agent_states(struct cx_api *api, const char *updated_since,
                                   const char *fields,
                                   struct cx_states_page *page, int *changed,
                                   struct cx_error *err) {
  const char *what = "agents/states";
  memset(page, 0, sizeof(*page));
  page->total_records = -1;
  *changed = 0;
  enum cx_status st = cx_api_authenticate(api, err);
  if (st != CX_OK)
    return st;

  struct pager p = {0};
  char *us = updated_since ? cx_http_escape(updated_since) : NULL;
  char *fs = fields ? cx_http_escape(fields) : NULL;
  if ((updated_since == NULL || us != NULL) && (fields == NULL || fs != NULL))
    p.query_base = str_printf("agents/states?%s%s%s%s%s",
                              us ? "updatedSince=" : "", us ? us : "",
                              us && fs ? "&" : "", fs ? "fields=" : "",
                              fs ? fs : "");
  free(us);
  free(fs);
  if (p.query_base != NULL) {
    size_t n = strlen(p.query_base);
    if (p.query_base[n - 1] == '?')
      p.query_base[n - 1] = '\0'; /* neither parameter */
    p.url = resolve(api, p.query_base);
  }
  if (p.url == NULL) {
    pager_free(&p);
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  }
  st = walk_pages(api, &p, what, states_step, page, err);
  pager_free(&p);
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
