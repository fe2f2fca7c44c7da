/*
 * cx_auth.c: one tenant's authentication (see cx_auth.h).
 *
 * Owns the configured credentials, the discovered endpoints and the access
 * token.  Requests go through cx_http_perform; answers are read by cx_json
 * and cx_reply.  Nothing here prints: cx_log() only, never a secret, a token
 * or an Authorization header.
 *
 * Token lifetime: a token of lifetime L (expires_in) is reused until
 * L - 5 min, or until 0.9 L when L < 10 min (a short-lived token would
 * otherwise be refreshed on every call).
 *
 * Basic client authentication: CXone documents base64(client_id:
 * client_secret) with the credentials as they are; RFC 6749 §2.3.1 says
 * form-encode them first.  The first form is sent first; when the server
 * answers the OAuth error "invalid_client" and encoding would change the
 * credentials, the other form is tried once and kept if accepted.
 *
 * Plain HTTP: with an https Issuer, a discovered token_endpoint or
 * api_endpoint that is not https is refused (the credentials, then the
 * token, would cross the network in clear).  With a plain-http Issuer (a
 * test tenant) they are allowed, with a warning.
 */
#include "cx_auth.h"
#include "cx_json.h"
#include "cx_log.h"
#include "cx_reply.h"
#include "cx_secret.h"
#include "cx_str.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cx_auth {
  /* Configuration (copied; secrets in secret memory). */
  char *issuer, *client_id, *client_secret, *access_key_id,
      *access_key_secret, *api_endpoint_cfg, *api_version;
  enum cx_client_auth client_auth;
  bool issuer_https;
  bool basic_encoded; /* Basic credentials form-encoded (RFC 6749) */
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
  uint64_t token_requests;
};

static bool is_https(const char *url) {
  return strncasecmp(url, "https://", 8) == 0;
}

struct cx_auth *cx_auth_create(const struct cx_api_config *cfg,
                               struct cx_http *http) {
  if (cfg == NULL)
    return NULL;
  struct cx_auth *a = calloc(1, sizeof(*a));
  if (a == NULL)
    return NULL;
  a->http = http;
  a->clock = cx_now_ms;
  a->client_auth = cfg->client_auth;
  a->issuer = cx_str_strip_slashes(cx_strdup_or_null(cfg->issuer));
  a->client_id = cx_strdup_or_null(cfg->client_id);
  a->client_secret = cx_secret_dup(cfg->client_secret);
  a->access_key_id = cx_strdup_or_null(cfg->access_key_id);
  a->access_key_secret = cx_secret_dup(cfg->access_key_secret);
  a->api_endpoint_cfg = cx_str_strip_slashes(cx_strdup_or_null(cfg->api_endpoint));
  a->api_version = strdup(cfg->api_version != NULL ? cfg->api_version
                                                   : CX_DEFAULT_API_VERSION);
  if ((cfg->issuer && !a->issuer) || (cfg->client_id && !a->client_id) ||
      (cfg->client_secret && !a->client_secret) ||
      (cfg->access_key_id && !a->access_key_id) ||
      (cfg->access_key_secret && !a->access_key_secret) ||
      (cfg->api_endpoint && !a->api_endpoint_cfg) || !a->api_version) {
    cx_auth_destroy(a);
    return NULL;
  }
  a->issuer_https = a->issuer != NULL && is_https(a->issuer);
  return a;
}

void cx_auth_destroy(struct cx_auth *a) {
  if (a == NULL)
    return;
  free(a->issuer);
  cx_wipe_free(a->client_id);
  cx_secret_free(a->client_secret);
  cx_wipe_free(a->access_key_id);
  cx_secret_free(a->access_key_secret);
  free(a->api_endpoint_cfg);
  free(a->api_version);
  free(a->token_endpoint);
  free(a->api_endpoint);
  free(a->base_url);
  free(a->tenant_id);
  cx_secret_free(a->access_token);
  free(a);
}

void cx_auth_set_clock(struct cx_auth *a, cx_ms_t (*clock)(void)) {
  if (a != NULL)
    a->clock = clock != NULL ? clock : cx_now_ms;
}

void cx_auth_invalidate(struct cx_auth *a) {
  if (a == NULL)
    return;
  cx_secret_free(a->access_token);
  a->access_token = NULL;
  a->token_refresh_at = 0;
}

const char *cx_auth_token(const struct cx_auth *a) { return a->access_token; }
uint64_t cx_auth_generation(const struct cx_auth *a) { return a->token_gen; }
cx_ms_t cx_auth_expiry(const struct cx_auth *a) { return a->token_expiry; }
const char *cx_auth_tenant_id(const struct cx_auth *a) { return a->tenant_id; }
const char *cx_auth_base_url(const struct cx_auth *a) { return a->base_url; }
uint64_t cx_auth_token_requests(const struct cx_auth *a) {
  return a->token_requests;
}

/* A discovered endpoint may carry credentials or the token only over https
 * (see the top comment). */
static enum cx_status check_scheme(const struct cx_auth *a, const char *what,
                                   const char *url, struct cx_error *err) {
  if (is_https(url))
    return CX_OK;
  if (a->issuer_https)
    return cx_error_set(err, CX_ERR_INVALID, 0,
                        "%s: the endpoint it names is not https; refusing "
                        "to send credentials or tokens in clear", what);
  cx_log(CX_LOG_WARNING, "auth: %s: the endpoint it names is plain HTTP "
         "(as the Issuer is): credentials and tokens cross the network in "
         "clear", what);
  return CX_OK;
}

/* GET url without a token; a status that is not ok -> mapped error. */
static enum cx_status plain_get(struct cx_auth *a, const char *url,
                                const char *what,
                                struct cx_http_response *resp,
                                struct cx_error *err) {
  const struct cx_http_request req = {.url = url};
  enum cx_status st = cx_http_perform(a->http, &req, resp, err);
  if (st == CX_OK && !cx_reply_ok(resp))
    st = cx_reply_error(resp, what, err);
  return st;
}

/* A discovery document's endpoint: GET url, parse it, check its scheme;
 * *out malloc'd. */
typedef enum cx_status (*endpoint_parser)(const char *body, size_t len,
                                          char **endpoint,
                                          struct cx_error *err);
static enum cx_status discover_endpoint(struct cx_auth *a, const char *url,
                                        const char *what, endpoint_parser parse,
                                        char **out, struct cx_error *err) {
  struct cx_http_response resp;
  enum cx_status st = plain_get(a, url, what, &resp, err);
  char *endpoint = NULL;
  if (st == CX_OK)
    st = parse(resp.body, resp.body_len, &endpoint, err);
  cx_http_response_free(&resp);
  if (st == CX_OK)
    st = check_scheme(a, what, endpoint, err);
  if (st != CX_OK) {
    free(endpoint);
    return st;
  }
  *out = endpoint;
  return CX_OK;
}

static enum cx_status discover(struct cx_auth *a, struct cx_error *err) {
  char *url = cx_str_printf("%s/.well-known/openid-configuration", a->issuer);
  if (url == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "discovery: out of memory");
  enum cx_status st =
      discover_endpoint(a, url, "openid-configuration",
                        cx_json_discovery, &a->token_endpoint, err);
  free(url);
  return st;
}

/* One POST to the token endpoint (Basic credentials per a->basic_encoded).
 * CX_OK with resp filled for an ok status; CX_ERR_AUTH for a refused grant
 * (OAuth answers 400, RFC 6749 §5.2, or 401). */
static enum cx_status post_token(struct cx_auth *a, const char *body,
                                 struct cx_http_response *resp,
                                 struct cx_error *err) {
  char *user = NULL, *pass = NULL;
  bool basic = a->client_auth == CX_CLIENT_AUTH_BASIC;
  if (basic && a->basic_encoded) {
    user = cx_http_escape(a->client_id);
    pass = cx_http_escape(a->client_secret);
    if (user == NULL || pass == NULL) {
      cx_wipe_free(user);
      cx_wipe_free(pass);
      *resp = (struct cx_http_response){.retry_after_s = -1};
      return cx_error_set(err, CX_ERR_NOMEM, 0, "token: out of memory");
    }
  }
  const struct cx_http_request req = {
      .url = a->token_endpoint,
      .basic_user = basic ? (user ? user : a->client_id) : NULL,
      .basic_pass = basic ? (pass ? pass : a->client_secret) : NULL,
      .form_body = body,
  };
  a->token_requests++;
  enum cx_status st = cx_http_perform(a->http, &req, resp, err);
  cx_wipe_free(user);
  cx_wipe_free(pass);
  if (st == CX_OK && !cx_reply_ok(resp)) {
    st = cx_reply_error(resp, "token", err);
    if (resp->status == 400 || resp->status == 401)
      st = err != NULL ? (err->status = CX_ERR_AUTH) : CX_ERR_AUTH;
  }
  return st;
}

/* True when form-encoding would change the client id or secret. */
static bool basic_encoding_matters(const struct cx_auth *a) {
  char *u = cx_http_escape(a->client_id), *p = cx_http_escape(a->client_secret);
  bool differs = u == NULL || p == NULL || strcmp(u, a->client_id) != 0 ||
                 strcmp(p, a->client_secret) != 0;
  cx_wipe_free(u);
  cx_wipe_free(p);
  return differs;
}

/* The password grant's form body; NULL on ENOMEM.  Wipe-free it. */
static char *grant_body(const struct cx_auth *a) {
  char *u = cx_http_escape(a->access_key_id);
  char *p = cx_http_escape(a->access_key_secret);
  char *ci = NULL, *cs = NULL, *body = NULL;
  if (u != NULL && p != NULL && a->client_auth == CX_CLIENT_AUTH_POST) {
    ci = cx_http_escape(a->client_id);
    cs = cx_http_escape(a->client_secret);
    if (ci != NULL && cs != NULL)
      body = cx_str_printf("grant_type=password&username=%s&password=%s"
                           "&client_id=%s&client_secret=%s",
                           u, p, ci, cs);
  } else if (u != NULL && p != NULL) {
    body = cx_str_printf("grant_type=password&username=%s&password=%s", u, p);
  }
  cx_wipe_free(u);
  cx_wipe_free(p);
  cx_wipe_free(ci);
  cx_wipe_free(cs);
  return body;
}

/* Takes the token answer: token, tenant id, expiry. */
static enum cx_status accept_token(struct cx_auth *a,
                                   const struct cx_http_response *resp,
                                   struct cx_error *err) {
  char *token = NULL, *id_token = NULL, *tenant = NULL;
  long expires_in = 0;
  int64_t exp = 0;
  enum cx_status st = cx_json_token_ex(resp->body, resp->body_len, &token,
                                       &expires_in, &id_token, err);
  if (st != CX_OK)
    return st;
  struct cx_error jerr;
  cx_error_clear(&jerr);
  if (cx_jwt_claims(token, &tenant, &exp, &jerr) != CX_OK || tenant == NULL) {
    free(tenant);
    tenant = NULL;
    if (id_token != NULL)
      cx_jwt_claims(id_token, &tenant, &exp, &jerr);
  }
  cx_wipe_free(id_token);
  if (tenant == NULL && a->api_endpoint == NULL && a->api_endpoint_cfg == NULL) {
    cx_wipe_free(token);
    return cx_error_set(err, CX_ERR_PARSE, 0,
                        "token: no tenantId claim in the access or id token "
                        "(configure APIEndpoint to skip cxone-configuration)");
  }
  if (tenant != NULL) {
    free(a->tenant_id);
    a->tenant_id = tenant;
  }
  cx_secret_free(a->access_token);
  if ((a->access_token = cx_secret_adopt(token)) == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "token: out of memory");
  a->token_gen++;
  cx_ms_t now = a->clock();
  cx_ms_t life = (cx_ms_t)expires_in * 1000;
  cx_ms_t margin = expires_in >= 600 ? 300000 : life / 10;
  a->token_expiry = now + life;
  a->token_refresh_at = now + life - margin;
  cx_log(CX_LOG_INFO, "auth: new token for tenant %s, valid %ld s",
         a->tenant_id != NULL ? a->tenant_id : "(unknown)", expires_in);
  return CX_OK;
}

static enum cx_status request_token(struct cx_auth *a, struct cx_error *err) {
  char *body = grant_body(a);
  if (body == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "token: out of memory");
  struct cx_http_response resp;
  enum cx_status st = post_token(a, body, &resp, err);
  if (st == CX_ERR_AUTH && a->client_auth == CX_CLIENT_AUTH_BASIC) {
    char code[64];
    cx_reply_oauth_error(&resp, code, sizeof(code));
    if (strcmp(code, "invalid_client") == 0 && basic_encoding_matters(a)) {
      cx_http_response_free(&resp);
      a->basic_encoded = !a->basic_encoded;
      cx_log(CX_LOG_NOTICE, "auth: client refused; retrying with the client "
             "credentials %s", a->basic_encoded ? "form-encoded (RFC 6749)"
                                                : "as they are");
      st = post_token(a, body, &resp, err);
    }
  }
  cx_wipe_free(body);
  if (st == CX_OK)
    st = accept_token(a, &resp, err);
  cx_http_response_free(&resp);
  /* memcpy and TLS moved the request (the secrets) through them. */
  cx_secret_clear_registers();
  return st;
}

static enum cx_status configure_endpoint(struct cx_auth *a,
                                         struct cx_error *err) {
  if (a->api_endpoint_cfg != NULL) {
    if ((a->api_endpoint = strdup(a->api_endpoint_cfg)) == NULL)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "api: out of memory");
  } else {
    char *t = cx_http_escape(a->tenant_id);
    char *url = t ? cx_str_printf("%s/.well-known/cxone-configuration"
                                  "?tenantId=%s", a->issuer, t)
                  : NULL;
    free(t);
    if (url == NULL)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "api: out of memory");
    enum cx_status st =
        discover_endpoint(a, url, "cxone-configuration",
                          cx_json_cxone_config, &a->api_endpoint, err);
    free(url);
    if (st != CX_OK)
      return st;
  }
  a->base_url = cx_str_printf("%s/inContactAPI/services/%s/", a->api_endpoint,
                              a->api_version);
  if (a->base_url == NULL) {
    free(a->api_endpoint);
    a->api_endpoint = NULL;
    return cx_error_set(err, CX_ERR_NOMEM, 0, "api: out of memory");
  }
  cx_log(CX_LOG_INFO, "auth: API base URL %s", a->base_url);
  return CX_OK;
}

enum cx_status cx_auth_ensure(struct cx_auth *a, struct cx_error *err) {
  if (a == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "auth: no handle");
  bool fresh = a->access_token != NULL && a->clock() < a->token_refresh_at;
  if (fresh && a->base_url != NULL)
    return CX_OK;
  if (a->http == NULL || a->issuer == NULL || a->issuer[0] == '\0' ||
      a->client_id == NULL || a->client_secret == NULL ||
      a->access_key_id == NULL || a->access_key_secret == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0,
                        "api: Issuer, ClientId, ClientSecret, AccessKeyId and "
                        "AccessKeySecret are all required");
  enum cx_status st;
  if (a->token_endpoint == NULL && (st = discover(a, err)) != CX_OK)
    return st;
  if (!fresh && (st = request_token(a, err)) != CX_OK)
    return st;
  if (a->base_url == NULL && (st = configure_endpoint(a, err)) != CX_OK)
    return st;
  return CX_OK;
}
