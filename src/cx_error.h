/*
 * cx_error.h: the library's error value.
 *
 * Every fallible library call returns a cx_status and, where the caller may
 * want to show it, fills a struct cx_error with a one-line message.  Messages
 * never contain secrets, tokens or Authorization headers: they name the
 * request (method and path without query secrets), the HTTP status, CXone's
 * reason (icStatusDescription header, error/error_description body fields)
 * and what the library expected.
 */
#ifndef CX_ERROR_H
#define CX_ERROR_H

#include <stddef.h>

enum cx_status {
  CX_OK = 0,
  CX_ERR_NOMEM,      /* allocation failed */
  CX_ERR_TRANSPORT,  /* DNS, connect, TLS, timeout, body too large */
  CX_ERR_AUTH,       /* 401 after one re-authentication, or token refused */
  CX_ERR_FORBIDDEN,  /* 403: the API user's role lacks a permission */
  CX_ERR_NOT_FOUND,  /* 404 (e.g. endpoint missing in this API version);
                        nothing there (cx_ledger_current, cx_ledger_first) */
  CX_ERR_THROTTLED,  /* 429 */
  CX_ERR_SERVER,     /* 5xx */
  CX_ERR_BAD_REQUEST,/* other 4xx, e.g. 400 Invalid Start Date */
  CX_ERR_PARSE,      /* response is not the JSON shape we expect */
  CX_ERR_INVALID,    /* bad argument / configuration */
};

struct cx_error {
  enum cx_status status;
  long http_status;  /* 0 when no HTTP response was received */
  char message[512];
};

/* Sets status and formats message (printf-style).  Returns status. */
enum cx_status cx_error_set(struct cx_error *err, enum cx_status status,
                            long http_status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Resets to CX_OK with an empty message. */
void cx_error_clear(struct cx_error *err);

/* Short constant name of a status ("transport", "auth", ...). */
const char *cx_status_name(enum cx_status status);

/* True for failures worth retrying next cycle (transport, 429, 5xx). */
int cx_status_is_transient(enum cx_status status);

#endif /* CX_ERROR_H */
