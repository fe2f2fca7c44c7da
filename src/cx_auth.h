/*
 * cx_auth.h: one tenant's authentication, as CXone does it for back-end
 * applications:
 *   1. GET {Issuer}/.well-known/openid-configuration -> token_endpoint
 *   2. POST token_endpoint, grant_type=password, username=AccessKeyId,
 *      password=AccessKeySecret (form-encoded), client authentication with
 *      client_secret_basic (Authorization: Basic) or client_secret_post
 *      (client_id/client_secret form fields)
 *   3. tenantId from the access token's JWT payload (or the id token's)
 *   4. GET {Issuer}/.well-known/cxone-configuration?tenantId= -> api_endpoint
 *      (skipped when an APIEndpoint is configured)
 * Discovered endpoints must be https unless the Issuer itself is plain http.
 * The token is reused until shortly before it expires.  Discovery results
 * are kept for the life of the struct.  Secrets and the token live in
 * cx_secret memory; they never reach a log line or an error message.
 */
#ifndef CX_AUTH_H
#define CX_AUTH_H

#include "cx_error.h"
#include "cx_http.h"
#include "cx_time.h"

#include <stdint.h>

#define CX_DEFAULT_API_VERSION "v30.0"

enum cx_client_auth { CX_CLIENT_AUTH_BASIC = 0, CX_CLIENT_AUTH_POST = 1 };

/* How to reach and authenticate to one tenant's API. */
struct cx_api_config {
  const char *issuer;            /* e.g. https://cxone.niceincontact.com */
  const char *client_id;
  const char *client_secret;
  const char *access_key_id;
  const char *access_key_secret;
  const char *api_endpoint;      /* NULL: discover via cxone-configuration */
  const char *api_version;       /* NULL: CX_DEFAULT_API_VERSION */
  enum cx_client_auth client_auth;
};

struct cx_auth;

/* Copies cfg (secrets into secret memory).  http stays the caller's and
 * must outlive the auth.  NULL on allocation failure. */
struct cx_auth *cx_auth_create(const struct cx_api_config *cfg,
                               struct cx_http *http);
void cx_auth_destroy(struct cx_auth *auth);

/* Clock of token expiry; default cx_now_ms.  For tests. */
void cx_auth_set_clock(struct cx_auth *auth, cx_ms_t (*clock)(void));

/* Makes sure a fresh token and the API base URL are there. */
enum cx_status cx_auth_ensure(struct cx_auth *auth, struct cx_error *err);

/* Forgets the token (not discovery), e.g. after a 401. */
void cx_auth_invalidate(struct cx_auth *auth);

/* After cx_auth_ensure: the bearer token, its generation (incremented with
 * every new token), expiry (ms since epoch), tenant id, base URL of API
 * calls ({api_endpoint}/inContactAPI/services/{APIVersion}/). */
const char *cx_auth_token(const struct cx_auth *auth);
uint64_t cx_auth_generation(const struct cx_auth *auth);
cx_ms_t cx_auth_expiry(const struct cx_auth *auth);
const char *cx_auth_tenant_id(const struct cx_auth *auth);
const char *cx_auth_base_url(const struct cx_auth *auth);
uint64_t cx_auth_token_requests(const struct cx_auth *auth);

#endif /* CX_AUTH_H */
