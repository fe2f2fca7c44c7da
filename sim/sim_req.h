/*
 * sim_req.h: a request as every handler sees it (path, query, headers,
 * body, the instant it is answered at) and the functions that set its one
 * reply.  The leaf of the simulator's HTTP side: sim_server.c fills a
 * sim_req per request, the route table (sim_routes.c) hands it to a
 * handler, the handler answers through sim_reply_*; nothing here knows
 * the server or the routes.
 */
#ifndef SIM_REQ_H
#define SIM_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "cx_time.h"

struct sim_req {
  struct MHD_Connection *conn; /* where arguments and headers are read */
  const char *method;
  const char *path; /* without the query */
  const char *body; /* request body, NUL-terminated */
  size_t body_len;
  bool body_too_big; /* the body was over the limit (and cut): 413 */
  cx_ms_t arrived;   /* the instant it arrived (before any slow fault) */
  cx_ms_t now;       /* the instant it is answered at */
  long id;           /* the {id} of the route's path, e.g. agents/{id}/states */

  /* The reply. */
  unsigned status;
  const char *ctype; /* NULL: no body */
  char *out;         /* malloc'd body */
  size_t out_len;
  const char *ic_status; /* icStatusDescription header, or NULL */
  size_t pad_to;         /* > 0: the body is sent padded with spaces to this
                            many bytes (the huge fault) */
};

/* What a route of the table calls: answers r through sim_reply_*. */
typedef void sim_handler(struct sim_req *r);

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

/* The bytes the reply sends: the body, or pad_to when it is padded. */
size_t sim_reply_size(const struct sim_req *r);

/* The absolute URL of this request (base URL, path, query).  With skip >= 0
 * the skip and top arguments are replaced by the given values.  Caller frees.
 */
char *sim_url(struct sim_req *r, long skip, long top);

#endif /* SIM_REQ_H */
