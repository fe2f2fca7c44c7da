/*
 * cx_http.h: the HTTP client (libcurl), one handle per tenant.
 *
 * Owns TLS settings (verification on unless turned off, CA file), timeouts,
 * a response size cap, the Accept and User-Agent headers, and capture of the
 * status, body and the icStatusDescription / Retry-After headers.  It knows
 * nothing of CXone's JSON.  Not thread-safe: one struct cx_http per thread.
 * Never logs request bodies or Authorization headers.
 */
#ifndef CX_HTTP_H
#define CX_HTTP_H

#include "cx_error.h"

#include <stdbool.h>
#include <stddef.h>

struct cx_http_options {
  const char *ca_file;     /* NULL: system trust store; else only it */
  bool verify_peer;        /* default true */
  bool verify_host;        /* default true */
  long timeout_ms;         /* whole-request timeout; > 0 */
  long connect_timeout_ms; /* 0: min(timeout_ms, 10 s) */
  size_t max_body;         /* larger responses fail with CX_ERR_TRANSPORT */
  const char *user_agent;  /* e.g. "collectd-cxone/0.1.0" */
};

struct cx_http_response {
  long status;             /* HTTP status; 0 when none received */
  char *body;              /* NUL-terminated, malloc'd; NULL when empty */
  size_t body_len;
  char ic_status[256];     /* icStatusDescription header, or "" */
  long retry_after_s;      /* Retry-After in seconds, or -1 */
  double elapsed_s;        /* total transfer time */
  size_t bytes_received;   /* body bytes */
};

struct cx_http;

/* Copies what it needs from opts. NULL on allocation failure. */
struct cx_http *cx_http_create(const struct cx_http_options *opts);
void cx_http_destroy(struct cx_http *http);

/* Caps the next requests' timeout (ms) so a whole poll fits its budget;
 * 0 removes the cap. */
void cx_http_set_deadline_ms(struct cx_http *http, long remaining_ms);

/* GET url.  bearer may be NULL.  Returns CX_OK whenever an HTTP response
 * arrived (any status: the caller maps it), CX_ERR_TRANSPORT otherwise.
 * resp is always initialised; free it with cx_http_response_free(). */
enum cx_status cx_http_get(struct cx_http *http, const char *url,
                           const char *bearer, struct cx_http_response *resp,
                           struct cx_error *err);

/* POST application/x-www-form-urlencoded body.  basic_user/basic_pass (may
 * be NULL) become an Authorization: Basic header, used as given. */
enum cx_status cx_http_post_form(struct cx_http *http, const char *url,
                                 const char *basic_user, const char *basic_pass,
                                 const char *form_body,
                                 struct cx_http_response *resp,
                                 struct cx_error *err);

void cx_http_response_free(struct cx_http_response *resp);

/* Percent-encodes s for a query string or form body (RFC 3986 unreserved
 * characters kept; '+', '/', '=' and everything else encoded).  malloc'd. */
char *cx_http_escape(const char *s);

/* Maps a non-2xx/3xx status to a cx_status and fills err with
 * "<what>: HTTP <status> <icStatusDescription> <error body reason>". */
enum cx_status cx_http_status_error(const struct cx_http_response *resp,
                                    const char *what, struct cx_error *err);

/* Extra transfers for a curl multi handle (added; used by cx_api's
 * per-agent fan-out).  Each owns a libcurl easy handle configured exactly
 * like the struct cx_http it came from (TLS, timeouts and the deadline cap,
 * size cap, headers); it must not outlive that struct, nor be used from
 * another thread.  Cycle: cx_http_xfer_get() -> curl_multi_add_handle(
 * cx_http_xfer_easy()) -> on CURLMSG_DONE, curl_multi_remove_handle() and
 * cx_http_xfer_finish(result) -> reuse or free. */
struct cx_http_xfer;
struct cx_http_xfer *cx_http_xfer_new(struct cx_http *http);
void cx_http_xfer_free(struct cx_http_xfer *x);
/* Prepares a GET (bearer may be NULL).  CX_ERR_TRANSPORT when the deadline
 * has already passed, CX_ERR_NOMEM. */
enum cx_status cx_http_xfer_get(struct cx_http_xfer *x, const char *url,
                                const char *bearer, struct cx_error *err);
/* The CURL * easy handle, as void * so this header needs no curl.h. */
void *cx_http_xfer_easy(struct cx_http_xfer *x);
/* Completes a transfer given its CURLcode; same contract as cx_http_get():
 * CX_OK whenever a response arrived, resp always initialised. */
enum cx_status cx_http_xfer_finish(struct cx_http_xfer *x, int curl_result,
                                   struct cx_http_response *resp,
                                   struct cx_error *err);

/* Process-wide libcurl setup/teardown; call from single-threaded init. */
enum cx_status cx_http_global_init(void);
void cx_http_global_cleanup(void);

#endif /* CX_HTTP_H */
