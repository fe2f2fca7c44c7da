/*
 * sim_http.h: what request handlers see: the request (path, query, headers,
 * body, the instant it is answered at) and the functions that set its one
 * reply.  Implemented in sim_http.c (server, routing, faults, stats) and
 * sim_json.c (value helpers shared by the JSON renderers).
 */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "cx_time.h"

struct sim_req {
  struct MHD_Connection *conn;
  const char *method;
  const char *path; /* without the query */
  const char *body; /* request body, NUL-terminated */
  size_t body_len;
  cx_ms_t now; /* the instant the request is answered at */
  cx_ms_t arrived; /* the instant it arrived (before any slow fault) */

  /* The reply. */
  unsigned status;
  const char *ctype; /* NULL: no body */
  char *out;         /* malloc'd body */
  size_t out_len;
  const char *ic_status; /* icStatusDescription header, or NULL */
};

/* Query argument or request header (case-insensitive name), NULL if absent. */
const char *sim_arg(struct sim_req *r, const char *name);
const char *sim_header(struct sim_req *r, const char *name);

/* Replies.  sim_reply_json takes ownership of obj (NULL: empty body, no
 * content type: 204/304).  sim_reply_error adds the icStatusDescription
 * header and a JSON body {"error": ..., "errorDescription": ic_status}. */
void sim_reply_json(struct sim_req *r, unsigned status,
                    struct json_object *obj);
void sim_reply_text(struct sim_req *r, unsigned status, const char *ctype,
                    const char *text);
void sim_reply_error(struct sim_req *r, unsigned status, const char *ic_status);

/* The absolute URL of this request (base URL, path, query).  With skip >= 0
 * the skip and top arguments are replaced by the given values.  Caller frees.
 */
char *sim_url(struct sim_req *r, long skip, long top);

/* Server lifetime (sim_http.c). */
/* Starts the daemon on sim_cfg's address and sets sim_cfg.listen_port (when
 * it was 0) and sim_cfg.base_url.  Stop it with MHD_stop_daemon. */
struct MHD_Daemon *sim_http_start(const char *cert_pem, const char *key_pem);

/* --- sim_json.c --- */

/* ISO-8601 instant "YYYY-MM-DDTHH:MM:SS.mmmZ". */
struct json_object *sim_json_time(cx_ms_t t);
/* Milliseconds as a JSON number of seconds written with exactly 3 decimals. */
struct json_object *sim_json_seconds(cx_ms_t ms);
/* A duration per --duration-format. */
struct json_object *sim_json_duration(cx_ms_t ms);
/* Nullable integers and strings. */
struct json_object *sim_json_int_or_null(int64_t v, bool present);
struct json_object *sim_json_str_or_null(const char *s);

/* "fields=a,b" projection: a new object with only the listed keys (compared
 * case-insensitively); obj is consumed.  fields NULL or empty: obj itself. */
struct json_object *sim_json_project(struct json_object *obj,
                                     const char *fields);

/* Parses an instant: ISO-8601 or, when allow_epoch, epoch seconds with an
 * optional fraction.  Returns 0 or -1. */
int sim_parse_time(const char *s, bool allow_epoch, cx_ms_t *out);
/* Parses a decimal integer in [min, max].  Returns 0 or -1. */
int sim_parse_long(const char *s, long min, long max, long *out);
/* Parses non-negative seconds with an optional fraction into ms. */
int sim_parse_seconds(const char *s, cx_ms_t *out);

#endif /* SIM_HTTP_H */
