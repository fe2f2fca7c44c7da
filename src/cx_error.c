/*
 * cx_error.c: the error value and the log sink (see cx_error.h, cx_log.h).
 */
#include "cx_error.h"
#include "cx_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum cx_status cx_error_set(struct cx_error *err, enum cx_status status,
                            long http_status, const char *fmt, ...) {
  if (err == NULL)
    return status;
  err->status = status;
  err->http_status = http_status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  return status;
}

void cx_error_clear(struct cx_error *err) {
  if (err == NULL)
    return;
  err->status = CX_OK;
  err->http_status = 0;
  err->message[0] = '\0';
}

const char *cx_status_name(enum cx_status status) {
  switch (status) {
  case CX_OK: return "ok";
  case CX_ERR_NOMEM: return "out of memory";
  case CX_ERR_TRANSPORT: return "transport";
  case CX_ERR_AUTH: return "authentication";
  case CX_ERR_FORBIDDEN: return "forbidden";
  case CX_ERR_NOT_FOUND: return "not found";
  case CX_ERR_THROTTLED: return "throttled";
  case CX_ERR_SERVER: return "server error";
  case CX_ERR_BAD_REQUEST: return "bad request";
  case CX_ERR_PARSE: return "unexpected response";
  case CX_ERR_INVALID: return "invalid argument";
  }
  return "unknown";
}

int cx_status_is_transient(enum cx_status status) {
  return status == CX_ERR_TRANSPORT || status == CX_ERR_THROTTLED ||
         status == CX_ERR_SERVER;
}

static cx_log_sink log_sink;

void cx_log_set_sink(cx_log_sink sink) { log_sink = sink; }

void cx_log(enum cx_log_level level, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (log_sink != NULL)
    log_sink(level, line);
  else if (level <= CX_LOG_WARNING)
    fprintf(stderr, "cxone: %s\n", line);
}
