/*
 * sim_auth.c: the identity side of the simulated platform.
 *
 * Owns the OIDC discovery document, the cxone-configuration (API discovery)
 * document, the OAuth2 token endpoint (password grant with client_secret_basic
 * or client_secret_post) and the store of issued access tokens: JWTs whose
 * signature is random bytes, valid only if this process issued them, they
 * have not expired and have not been revoked; /sim/tokens lists them and
 * /sim/revoke-tokens revokes them all.
 */
#include "sim.h"
#include "sim_auth.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define REFRESH_TTL_S 7200

struct token {
  char *value, *refresh, *id; /* access, refresh and id tokens issued */
  cx_ms_t exp;
  bool revoked;
};

static struct {
  pthread_mutex_t lock;
  struct token *v;
  size_t n, cap;
  long issued;
} A = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* --- Discovery. --- */

static void add_url(struct json_object *o, const char *key,
                    const char *suffix) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s%s", sim_cfg.base_url, suffix);
  json_object_object_add(o, key, json_object_new_string(buf));
}

static struct json_object *str_array(const char *const *v, size_t n) {
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; i < n; i++)
    json_object_array_add(a, json_object_new_string(v[i]));
  return a;
}

void sim_auth_openid(struct sim_req *r) {
  static const char *const methods[] = {"client_secret_basic",
                                        "client_secret_post"};
  static const char *const scopes[] = {"openid"}, *const types[] = {"code"};
  static const char *const algs[] = {"RS256"}, *const pkce[] = {"S256"};
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "issuer", json_object_new_string(sim_cfg.base_url));
  add_url(o, "authorization_endpoint", "/auth/authorize");
  add_url(o, "token_endpoint", "/auth/token");
  add_url(o, "userinfo_endpoint", "/auth/userinfo");
  add_url(o, "jwks_uri", "/auth/jwks");
  add_url(o, "end_session_endpoint", "/auth/authorize/logout");
  json_object_object_add(o, "token_endpoint_auth_methods_supported",
                         str_array(methods, 2));
  json_object_object_add(o, "scopes_supported", str_array(scopes, 1));
  json_object_object_add(o, "response_types_supported", str_array(types, 1));
  json_object_object_add(o, "id_token_signing_alg_values_supported",
                         str_array(algs, 1));
  json_object_object_add(o, "code_challenge_methods_supported",
                         str_array(pkce, 1));
  sim_reply_json(r, 200, o);
}

void sim_auth_cxone_config(struct sim_req *r) {
  const char *tenant = sim_arg(r, "tenantId");
  if (tenant == NULL || strcasecmp(tenant, sim_cfg.tenant_id) != 0) {
    sim_reply_error(r, 404, "Tenant not found");
    return;
  }
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "private", json_object_new_boolean(0));
  json_object_object_add(o, "area", json_object_new_string("sim1"));
  json_object_object_add(o, "cluster", json_object_new_string("SIM1"));
  json_object_object_add(o, "domain", json_object_new_string("sim.example"));
  json_object_object_add(o, "acdDomain", json_object_new_string("sim.example"));
  json_object_object_add(o, "uhDomain", json_object_new_string("sim.example"));
  add_url(o, "ui_endpoint", "");
  add_url(o, "auth_endpoint", "");
  add_url(o, "api_endpoint", "");
  json_object_object_add(o, "tenantId",
                         json_object_new_string(sim_cfg.tenant_id));
  sim_reply_json(r, 200, o);
}

/* --- Tokens. --- */

static char *b64url(const unsigned char *p, size_t n) {
  char *s = malloc(4 * ((n + 2) / 3) + 1);
  if (s == NULL)
    return NULL;
  int len = EVP_EncodeBlock((unsigned char *)s, p, (int)n);
  while (len > 0 && s[len - 1] == '=')
    len--;
  s[len] = '\0';
  for (char *c = s; *c; c++)
    *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
  return s;
}

/* header.payload.signature with 256 random signature bytes; payload consumed.
 */
static char *make_jwt(struct json_object *payload) {
  static const char header[] =
      "{\"alg\":\"RS256\",\"kid\":\"cxone-sim\",\"typ\":\"JWT\"}";
  const char *body = json_object_to_json_string_ext(
      payload, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  unsigned char sig[256];
  char *h = b64url((const unsigned char *)header, sizeof header - 1);
  char *b = b64url((const unsigned char *)body, strlen(body));
  char *s = RAND_bytes(sig, sizeof sig) == 1 ? b64url(sig, sizeof sig) : NULL;
  char *jwt = NULL;
  if (h && b && s) {
    size_t len = strlen(h) + strlen(b) + strlen(s) + 3;
    jwt = malloc(len);
    if (jwt)
      snprintf(jwt, len, "%s.%s.%s", h, b, s);
  }
  free(h);
  free(b);
  free(s);
  json_object_put(payload);
  return jwt;
}

static struct json_object *claims(long serial, int64_t iat, int64_t exp) {
  char jti[32];
  snprintf(jti, sizeof jti, "sim-%ld", serial);
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "iss", json_object_new_string(sim_cfg.base_url));
  json_object_object_add(
      o, "sub",
      json_object_new_string("user:11ee0000-0000-4000-8000-00000000a1ce"));
  json_object_object_add(o, "aud", json_object_new_string(sim_cfg.client_id));
  json_object_object_add(o, "tenantId",
                         json_object_new_string(sim_cfg.tenant_id));
  json_object_object_add(o, "tenant", json_object_new_string("simtenant"));
  json_object_object_add(o, "icBUId", json_object_new_int64(sim_cfg.bu_id));
  json_object_object_add(o, "icClusterId", json_object_new_string("SIM1"));
  json_object_object_add(o, "icAgentId", json_object_new_string("1000"));
  json_object_object_add(
      o, "userId",
      json_object_new_string("11ee0000-0000-4000-8000-00000000a1ce"));
  json_object_object_add(o, "area", json_object_new_string("sim1"));
  json_object_object_add(o, "name",
                         json_object_new_string("api.user@sim.example"));
  json_object_object_add(o, "given_name", json_object_new_string("API"));
  json_object_object_add(o, "family_name", json_object_new_string("User"));
  json_object_object_add(o, "jti", json_object_new_string(jti));
  json_object_object_add(o, "iat", json_object_new_int64(iat));
  json_object_object_add(o, "exp", json_object_new_int64(exp));
  return o;
}

static void oauth_error(struct sim_req *r, unsigned status, const char *error,
                        const char *desc) {
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "error", json_object_new_string(error));
  json_object_object_add(o, "error_description", json_object_new_string(desc));
  sim_reply_json(r, status, o);
}

static int hexval(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* Decodes application/x-www-form-urlencoded text of length n. */
static char *form_decode(const char *s, size_t n) {
  char *out = malloc(n + 1), *o = out;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '+') {
      *o++ = ' ';
    } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
               hexval(s[i + 2]) >= 0) {
      *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

/* The decoded value of form field name, or NULL.  Caller frees. */
static char *form_get(const char *body, const char *name) {
  size_t nlen = strlen(name);
  for (const char *p = body; p && *p;
       p = strchr(p, '&'), p = p ? p + 1 : NULL) {
    const char *end = strchr(p, '&');
    if (end == NULL)
      end = p + strlen(p);
    if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
        p[nlen] == '=')
      return form_decode(p + nlen + 1, (size_t)(end - p) - nlen - 1);
  }
  return NULL;
}

static bool client_matches(const char *id, const char *secret) {
  if (sim_cfg.basic_encoding != SIM_BASIC_FORM &&
      strcmp(id, sim_cfg.client_id) == 0 &&
      strcmp(secret, sim_cfg.client_secret) == 0)
    return true;
  if (sim_cfg.basic_encoding == SIM_BASIC_RAW)
    return false;
  /* RFC 6749 2.3.1: the parts may be form-urlencoded before base64. */
  char *did = form_decode(id, strlen(id)),
       *dsec = form_decode(secret, strlen(secret));
  bool ok = did && dsec && strcmp(did, sim_cfg.client_id) == 0 &&
            strcmp(dsec, sim_cfg.client_secret) == 0;
  free(did);
  free(dsec);
  return ok;
}

/* Checks "Authorization: Basic b64(id:secret)". */
static bool basic_ok(const char *auth) {
  const char *b64 = auth + 6;
  size_t n = strlen(b64);
  if (n == 0 || n % 4 != 0 || n > 4096)
    return false;
  unsigned char *raw = malloc(n + 1);
  if (raw == NULL)
    return false;
  int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
  bool ok = false;
  if (len >= 0) {
    len -= (b64[n - 1] == '=') + (b64[n - 2] == '=');
    raw[len] = '\0';
    char *colon = strchr((char *)raw, ':');
    if (colon != NULL && strlen((char *)raw) == (size_t)len) {
      *colon = '\0';
      ok = client_matches((char *)raw, colon + 1);
    }
  }
  free(raw);
  return ok;
}

static bool client_auth_ok(struct sim_req *r) {
  const char *auth = sim_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
  bool basic = auth != NULL && strncasecmp(auth, "Basic ", 6) == 0;
  char *id = form_get(r->body, "client_id"),
       *secret = form_get(r->body, "client_secret");
  bool ok;
  if (basic && sim_cfg.client_auth != SIM_CLIENT_AUTH_POST)
    ok = basic_ok(auth);
  else if (id != NULL && sim_cfg.client_auth != SIM_CLIENT_AUTH_BASIC)
    ok = secret != NULL && strcmp(id, sim_cfg.client_id) == 0 &&
         strcmp(secret, sim_cfg.client_secret) == 0;
  else
    ok = false;
  free(id);
  free(secret);
  return ok;
}

/* Takes the three tokens in every case (freed on failure). */
static int store_token(char *value, char *refresh, char *id, cx_ms_t exp) {
  pthread_mutex_lock(&A.lock);
  if (A.n == A.cap) {
    size_t cap = A.cap ? 2 * A.cap : 16;
    struct token *v = realloc(A.v, cap * sizeof *v);
    if (v == NULL) {
      pthread_mutex_unlock(&A.lock);
      free(value);
      free(refresh);
      free(id);
      return -1;
    }
    A.v = v;
    A.cap = cap;
  }
  A.v[A.n++] =
      (struct token){.value = value, .refresh = refresh, .id = id, .exp = exp};
  pthread_mutex_unlock(&A.lock);
  return 0;
}

void sim_auth_token(struct sim_req *r) {
  if (!client_auth_ok(r)) {
    oauth_error(r, 401, "invalid_client", "Client authentication failed");
    return;
  }
  char *grant = form_get(r->body, "grant_type");
  char *user = form_get(r->body, "username"),
       *pass = form_get(r->body, "password");
  bool password_grant = grant != NULL && strcmp(grant, "password") == 0;
  bool key_ok = user && pass && strcmp(user, sim_cfg.access_key_id) == 0 &&
                strcmp(pass, sim_cfg.access_key_secret) == 0;
  free(grant);
  free(user);
  free(pass);
  if (!password_grant) {
    oauth_error(r, 400, "unsupported_grant_type",
                "Only grant_type=password is supported");
    return;
  }
  if (!key_ok) {
    oauth_error(r, 401, "invalid_grant", "Invalid access key id or secret");
    return;
  }

  pthread_mutex_lock(&A.lock);
  long serial = ++A.issued;
  pthread_mutex_unlock(&A.lock);
  int64_t iat = r->now / 1000;
  cx_ms_t exp_ms = r->now + (cx_ms_t)(sim_cfg.token_ttl * 1000.0);
  int64_t exp = exp_ms / 1000;
  char *access = make_jwt(claims(serial, iat, exp));
  char *refresh = make_jwt(claims(serial, iat, iat + REFRESH_TTL_S));
  char *id = make_jwt(claims(serial, iat, exp));
  if (access == NULL || refresh == NULL || id == NULL) {
    free(access);
    free(refresh);
    free(id);
    oauth_error(r, 500, "server_error", "Out of memory");
    return;
  }
  if (store_token(access, refresh, id, exp_ms) != 0) {
    oauth_error(r, 500, "server_error", "Out of memory");
    return;
  }
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "access_token", json_object_new_string(access));
  json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
  json_object_object_add(o, "expires_in",
                         json_object_new_int64((int64_t)sim_cfg.token_ttl));
  json_object_object_add(o, "refresh_token", json_object_new_string(refresh));
  json_object_object_add(o, "id_token", json_object_new_string(id));
  json_object_object_add(
      o, "issued_token_type",
      json_object_new_string("urn:ietf:params:oauth:token-type:access_token"));
  sim_reply_json(r, 200, o);
}

/* /sim/tokens: every token issued, oldest first (tests look for them in a
 * client's memory). */
void sim_auth_tokens_handle(struct sim_req *r) {
  struct json_object *a = json_object_new_array();
  pthread_mutex_lock(&A.lock);
  for (size_t i = 0; i < A.n; i++) {
    struct json_object *t = json_object_new_object();
    json_object_object_add(t, "access_token",
                           json_object_new_string(A.v[i].value));
    json_object_object_add(t, "refresh_token",
                           json_object_new_string(A.v[i].refresh));
    json_object_object_add(t, "id_token", json_object_new_string(A.v[i].id));
    json_object_object_add(t, "expires",
                           json_object_new_double((double)A.v[i].exp / 1000.0));
    json_object_object_add(t, "revoked",
                           json_object_new_boolean(A.v[i].revoked));
    json_object_array_add(a, t);
  }
  pthread_mutex_unlock(&A.lock);
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "tokens", a);
  sim_reply_json(r, 200, o);
}

/* The bearer token of the request, or NULL. */
static const char *bearer(struct sim_req *r) {
  const char *auth = sim_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
  if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
    return NULL;
  auth += 7;
  while (*auth == ' ')
    auth++;
  return auth;
}

int sim_auth_check(struct sim_req *r) {
  const char *tok = bearer(r);
  const char *problem = "Invalid token";
  pthread_mutex_lock(&A.lock);
  for (size_t i = 0; tok != NULL && i < A.n; i++) {
    if (strcmp(A.v[i].value, tok) == 0) {
      problem = A.v[i].revoked || A.v[i].exp <= r->now ? "Expired token" : NULL;
      break;
    }
  }
  pthread_mutex_unlock(&A.lock);
  if (problem == NULL)
    return 0;
  sim_reply_error(r, 401, problem);
  return -1;
}

void sim_auth_revoke(struct sim_req *r) {
  const char *tok = bearer(r);
  pthread_mutex_lock(&A.lock);
  for (size_t i = 0; tok != NULL && i < A.n; i++)
    if (strcmp(A.v[i].value, tok) == 0)
      A.v[i].revoked = true;
  pthread_mutex_unlock(&A.lock);
}

void sim_auth_revoke_handle(struct sim_req *r) {
  pthread_mutex_lock(&A.lock);
  for (size_t i = 0; i < A.n; i++)
    A.v[i].revoked = true;
  pthread_mutex_unlock(&A.lock);
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "revoked", json_object_new_boolean(1));
  sim_reply_json(r, 200, o);
}

long sim_auth_tokens_issued(void) {
  pthread_mutex_lock(&A.lock);
  long n = A.issued;
  pthread_mutex_unlock(&A.lock);
  return n;
}

void sim_auth_free(void) {
  for (size_t i = 0; i < A.n; i++) {
    free(A.v[i].value);
    free(A.v[i].refresh);
    free(A.v[i].id);
  }
  free(A.v);
  A.v = NULL;
  A.n = A.cap = 0;
}
