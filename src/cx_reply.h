/*
 * cx_reply.h: what a CXone HTTP answer means: success or which cx_status,
 * and the one-line reason shown to users (HTTP status, icStatusDescription,
 * the body's error fields).  Shared by cx_auth and cx_api.
 */
#ifndef CX_REPLY_H
#define CX_REPLY_H

#include "cx_error.h"
#include "cx_http.h"

#include <stdbool.h>
#include <stddef.h>

/* 2xx or 304. */
bool cx_reply_ok(const struct cx_http_response *resp);

/* Maps a status that is not ok to a cx_status and fills err with
 * "<what>: HTTP <status> (<icStatusDescription>; <error body reason>)". */
enum cx_status cx_reply_error(const struct cx_http_response *resp,
                              const char *what, struct cx_error *err);

/* The OAuth error code of a refused token request (RFC 6749 §5.2 "error",
 * e.g. "invalid_client") into buf; "" when the body has none. */
void cx_reply_oauth_error(const struct cx_http_response *resp, char *buf,
                          size_t size);

#endif /* CX_REPLY_H */
