/*
 * cx_reply.c: the meaning of CXone's HTTP answers (see cx_reply.h).
 */
#include "cx_reply.h"
#include "cx_json.h"

#include <stdio.h>
#include <string.h>

bool cx_reply_ok(const struct cx_http_response *resp) {
  return (resp->status >= 200 && resp->status < 300) || resp->status == 304;
}

static enum cx_status status_of(long s) {
  if (s == 401)
    return CX_ERR_AUTH;
  if (s == 403)
    return CX_ERR_FORBIDDEN;
  if (s == 404)
    return CX_ERR_NOT_FOUND;
  if (s == 429)
    return CX_ERR_THROTTLED;
  if (s >= 500 && s <= 599)
    return CX_ERR_SERVER;
  if (s >= 400 && s <= 499)
    return CX_ERR_BAD_REQUEST;
  if (s == 0)
    return CX_ERR_TRANSPORT;
  return CX_ERR_PARSE; /* 1xx or a 3xx we did not ask for */
}

enum cx_status cx_reply_error(const struct cx_http_response *resp,
                              const char *what, struct cx_error *err) {
  long s = resp != NULL ? resp->status : 0;
  char reason[400] = "";
  if (resp != NULL)
    cx_json_error_reason(resp->body, resp->body_len, reason, sizeof(reason));
  const char *ic = resp != NULL ? resp->ic_status : "";
  char detail[700] = "";
  if (ic[0] != '\0' && reason[0] != '\0' && strstr(reason, ic) == NULL)
    snprintf(detail, sizeof(detail), " (%s; %s)", ic, reason);
  else if (ic[0] != '\0' && reason[0] != '\0')
    snprintf(detail, sizeof(detail), " (%s)", reason);
  else if (ic[0] != '\0' || reason[0] != '\0')
    snprintf(detail, sizeof(detail), " (%s)", ic[0] != '\0' ? ic : reason);
  char retry[48] = "";
  if (s == 429 && resp->retry_after_s >= 0)
    snprintf(retry, sizeof(retry), ", retry after %ld s", resp->retry_after_s);
  return cx_error_set(err, status_of(s), s, "%s: HTTP %ld%s%s",
                      what != NULL ? what : "request", s, detail, retry);
}

void cx_reply_oauth_error(const struct cx_http_response *resp, char *buf,
                          size_t size) {
  cx_json_oauth_error(resp->body, resp->body_len, buf, size);
}
