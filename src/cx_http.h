/*
 * cx_http.h: the HTTP engine, one handle per tenant.  The only module that
 * includes curl.h.
 *
 * Owns TLS settings (verification on unless turned off; a CA file replaces
 * the system trust store), timeouts, the poll deadline, a response size cap,
 * the Accept and User-Agent headers, capture of the status, body and the
 * icStatusDescription / Retry-After headers, and transport statistics.  It
 * knows nothing of CXone or JSON.  Not thread-safe: one struct cx_http per
 * thread.  Never logs request bodies, header values or URL queries.
 *
 * One engine runs every request: cx_http_run() keeps up to `parallel`
 * requests in flight (curl multi), asking the caller for the next request
 * whenever a slot is free and handing each response back as it completes;
 * cx_http_perform() is the same engine with one request.
 *
 * Transport seam: cx_http_set_transport() replaces the network by a function
 * that answers each request in process (tests and fuzzers: a scripted CXone
 * and a fake clock).  Everything above the wire (deadline, size cap, stats,
 * the callbacks) is the same code either way.
 */
#ifndef CX_HTTP_H
#define CX_HTTP_H

#include "cx_error.h"
#include "cx_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cx_http_options {
  const char *ca_file;     /* NULL: system trust store; else only this file */
  bool verify_peer;        /* default true */
  bool verify_host;        /* default true */
  long timeout_ms;         /* whole-request timeout; > 0 */
  long connect_timeout_ms; /* 0: min(timeout_ms, 10 s) */
  size_t max_body;         /* > 0; larger responses fail with
                              CX_ERR_TRANSPORT */
  const char *user_agent;  /* e.g. "collectd-cxone/0.1.0" */
};

/* What to send.  Strings belong to the caller and must stay valid until the
 * request's done callback (cx_http_run) or cx_http_perform returns. */
struct cx_http_request {
  const char *url;
  const char *bearer;     /* Authorization: Bearer <bearer>, or NULL */
  const char *basic_user; /* Authorization: Basic b64(user:pass), used as */
  const char *basic_pass; /*   given; NULL user: no Basic header */
  const char *form_body;  /* non-NULL: POST application/x-www-form-
                             urlencoded; NULL: GET */
};

struct cx_http_response {
  long status;             /* HTTP status; 0 when none received */
  char *body;              /* NUL-terminated, malloc'd; NULL when empty */
  size_t body_len;
  char ic_status[256];     /* icStatusDescription header, or "" */
  long retry_after_s;      /* Retry-After in seconds, or -1 */
  double elapsed_s;        /* total transfer time */
};

struct cx_http_stats {
  uint64_t requests;     /* requests sent */
  uint64_t failures;     /* no response, or a status other than 2xx/304 */
  uint64_t bytes;        /* response body bytes received */
  double last_latency_s; /* elapsed time of the last request */
};

struct cx_http;

/* Copies what it needs from opts (complete: the defaults are
 * cx_settings'). NULL on allocation failure. */
struct cx_http *cx_http_create(const struct cx_http_options *opts);
void cx_http_destroy(struct cx_http *http);

/* From now on, no request starts after remaining_ms have passed and none
 * runs past that instant; 0 removes the deadline.  Measured on a monotonic
 * clock (the transport's, when one is set). */
void cx_http_set_deadline_ms(struct cx_http *http, long remaining_ms);

/* The next request for a free slot (0 <= slot < parallel): fill *req and
 * return true, or return false when there is none for now (the run ends
 * once no request is in flight and next has nothing). */
typedef bool (*cx_http_next_fn)(void *ctx, unsigned slot,
                                struct cx_http_request *req);
/* A request of `slot` completed: sent is CX_OK when a response arrived (any
 * status; resp filled), else the transport error (err filled).  resp is
 * freed after the call (done may take its body over).  A return other than
 * CX_OK ends the run with it: requests still in flight are abandoned. */
typedef enum cx_status (*cx_http_done_fn)(void *ctx, unsigned slot,
                                          enum cx_status sent,
                                          struct cx_http_response *resp,
                                          struct cx_error *err);

/* Runs requests, at most `parallel` (1..64) at once.  Returns CX_OK when
 * every request was handed to done and done accepted it; CX_ERR_TRANSPORT
 * when the deadline passed before a request could start; done's error. */
enum cx_status cx_http_run(struct cx_http *http, unsigned parallel,
                           cx_http_next_fn next, cx_http_done_fn done,
                           void *ctx, struct cx_error *err);

/* One request.  Returns CX_OK whenever an HTTP response arrived (any
 * status: the caller maps it), CX_ERR_TRANSPORT otherwise.  resp is always
 * initialised; free it with cx_http_response_free(). */
enum cx_status cx_http_perform(struct cx_http *http,
                               const struct cx_http_request *req,
                               struct cx_http_response *resp,
                               struct cx_error *err);

void cx_http_response_free(struct cx_http_response *resp);

const struct cx_http_stats *cx_http_stats(const struct cx_http *http);

/* Percent-encodes s for a query string or form body (RFC 3986 unreserved
 * characters kept; '+', '/', '=' and everything else encoded).  malloc'd. */
char *cx_http_escape(const char *s);

/* ---- the transport seam ---- */

/* An in-process answer. */
struct cx_transport_reply {
  bool failed;          /* no response (connection refused, reset) */
  bool timed_out;       /* it would have taken longer than timeout_ms */
  long status;
  const char *body;     /* copied by the engine; may be NULL */
  size_t body_len;
  const char *ic_status;/* icStatusDescription, or NULL */
  long retry_after_s;   /* -1: none */
};

/* serve answers req within timeout_ms (the engine's cap for this request:
 * the request timeout or what is left before the deadline).  The transport
 * owns the clock the deadline is measured on (now) and advances it by the
 * time the answer takes: at most timeout_ms, with timed_out when it would
 * take longer.  The reply's strings must stay valid until the next call. */
struct cx_transport {
  void (*serve)(void *ctx, const struct cx_http_request *req, long timeout_ms,
                struct cx_transport_reply *reply);
  cx_ms_t (*now)(void *ctx);
  void *ctx;
};

/* Replaces the network by t (NULL restores it).  t must outlive its use. */
void cx_http_set_transport(struct cx_http *http, const struct cx_transport *t);

/* Process-wide libcurl setup/teardown; call while the process is single-
 * threaded, and first (see cx_http.c). */
enum cx_status cx_http_global_init(void);
void cx_http_global_cleanup(void);

/* Whether libcurl allocates through the wiping functions (it does not when
 * something initialised it before cx_http_global_init). */
bool cx_http_global_wiping(void);

#endif /* CX_HTTP_H */
