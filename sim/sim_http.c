/*
 * sim_http.c: the HTTPS server around the handlers.
 *
 * Owns the libmicrohttpd daemon (TLS, a thread per connection so a slow
 * answer never blocks other clients), request bodies, routing, the checks
 * common to every API call (bearer token, Accept), injected faults, request
 * statistics, request logging and the control endpoints under /sim/.
 */
#include "sim.h"
#include "sim_handlers.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (64 * 1024)
#define HUGE_SIZE ((size_t)64 << 20)
#define MAX_STATUS 600

enum fault_kind {
  F_NONE,
  F_401,
  F_403,
  F_429,
  F_500,
  F_503,
  F_SLOW,
  F_TRUNCATED,
  F_MALFORMED,
  F_HUGE
};
static const char *const fault_names[] = {
    "none", "401",  "403",       "429",       "500",
    "503",  "slow", "truncated", "malformed", "huge"};
#define NFAULTS (sizeof fault_names / sizeof fault_names[0])

enum category {
  C_TOKEN,
  C_DISCOVERY,
  C_CXCONF,
  C_STATES,
  C_HISTORY,
  C_AGENT_HISTORY,
  C_OTHER,
  NCAT
};
static const char *const category_names[NCAT] = {"token",
                                                 "discovery",
                                                 "cxone-configuration",
                                                 "agents/states",
                                                 "agents/state-history",
                                                 "agent/state-history",
                                                 "other"};

struct fault {
  enum fault_kind kind;
  long delay_ms;
};

static struct {
  pthread_mutex_t lock;
  /* Armed fault. */
  enum fault_kind kind;
  long count;
  long delay_ms;
  char path[256];
  /* Statistics. */
  unsigned long requests[NCAT];
  unsigned long long bytes_sent;
  unsigned long status[MAX_STATUS];
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Body accumulated over the upload calls of one request. */
struct upload {
  char *buf;
  size_t len;
  bool too_big;
};

/* --- Request accessors and replies. --- */

const char *sim_arg(struct sim_req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *sim_header(struct sim_req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static void set_body(struct sim_req *r, unsigned status, const char *ctype,
                     const char *text) {
  free(r->out);
  r->out = NULL;
  r->out_len = 0;
  r->status = status;
  r->ctype = ctype;
  r->ic_status = NULL;
  if (text == NULL)
    return;
  r->out = strdup(text);
  if (r->out == NULL) {
    r->status = 500;
    r->ctype = NULL;
    return;
  }
  r->out_len = strlen(text);
}

void sim_reply_json(struct sim_req *r, unsigned status,
                    struct json_object *obj) {
  set_body(
      r, status, obj ? "application/json" : NULL,
      obj ? json_object_to_json_string_ext(
                obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
          : NULL);
  json_object_put(obj);
}

void sim_reply_text(struct sim_req *r, unsigned status, const char *ctype,
                    const char *text) {
  set_body(r, status, ctype, text);
}

static const char *error_name(unsigned status) {
  switch (status) {
  case 400: return "BadRequest";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "NotFound";
  case 405: return "MethodNotAllowed";
  case 413: return "PayloadTooLarge";
  case 429: return "TooManyRequests";
  case 503: return "ServiceUnavailable";
  default: return "InternalServerError";
  }
}

void sim_reply_error(struct sim_req *r, unsigned status,
                     const char *ic_status) {
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "error",
                         json_object_new_string(error_name(status)));
  json_object_object_add(o, "errorDescription",
                         json_object_new_string(ic_status));
  sim_reply_json(r, status, o);
  r->ic_status = ic_status;
}

/* A growable string; on allocation failure it stays NULL and swallows appends.
 */
struct sbuf {
  char *s;
  size_t len, cap;
  bool failed;
};

static void sb_add(struct sbuf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *ns = realloc(b->s, cap);
    if (ns == NULL) {
      b->failed = true;
      free(b->s);
      b->s = NULL;
      return;
    }
    b->s = ns;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_encoded(struct sbuf *b, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[4];
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      sb_add(b, (const char *)&c, 1);
    } else {
      snprintf(esc, sizeof esc, "%%%02X", c);
      sb_add(b, esc, 3);
    }
  }
}

static void sb_arg(struct sbuf *b, const char *key, const char *value) {
  sb_str(b, b->s != NULL && strchr(b->s, '?') ? "&" : "?");
  sb_encoded(b, key);
  if (value != NULL) {
    sb_str(b, "=");
    sb_encoded(b, value);
  }
}

struct url_ctx {
  struct sbuf *b;
  bool replace; /* drop skip and top */
};

static enum MHD_Result url_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value) {
  struct url_ctx *u = cls;
  (void)kind;
  if (!u->replace ||
      (strcasecmp(key, "skip") != 0 && strcasecmp(key, "top") != 0))
    sb_arg(u->b, key, value);
  return MHD_YES;
}

char *sim_url(struct sim_req *r, long skip, long top) {
  struct sbuf b = {0};
  sb_str(&b, sim_cfg.base_url);
  sb_str(&b, r->path);
  struct url_ctx u = {&b, skip >= 0};
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, url_arg, &u);
  if (skip >= 0) {
    char n[32];
    snprintf(n, sizeof n, "%ld", skip);
    sb_arg(&b, "skip", n);
    snprintf(n, sizeof n, "%ld", top);
    sb_arg(&b, "top", n);
  }
  return b.s;
}

/* --- Faults and statistics. --- */

static struct fault fault_take(const char *path) {
  struct fault f = {F_NONE, 0};
  pthread_mutex_lock(&S.lock);
  if (S.count > 0 && (S.path[0] == '\0' || strstr(path, S.path) != NULL)) {
    f.kind = S.kind;
    f.delay_ms = S.delay_ms;
    if (--S.count == 0)
      S.kind = F_NONE;
  }
  pthread_mutex_unlock(&S.lock);
  return f;
}

static void sleep_ms(long ms) {
  /* In slices, so that shutdown does not wait for a long fault. */
  for (; ms > 0 && !sim_stopping; ms -= 50) {
    struct timespec ts = {0, (ms < 50 ? ms : 50) * 1000000L};
    nanosleep(&ts, NULL);
  }
}

static void control_fault(struct sim_req *r) {
  const char *kind = sim_arg(r, "kind"), *path = sim_arg(r, "path");
  long count = 1, delay = 5000;
  size_t k = 0;
  if (kind != NULL && strcmp(kind, "clear") == 0) {
    k = F_NONE;
    count = 0;
  } else {
    for (k = 1;
         k < NFAULTS && (kind == NULL || strcmp(kind, fault_names[k]) != 0);
         k++)
      ;
    if (k == NFAULTS ||
        (sim_arg(r, "count") &&
         sim_parse_long(sim_arg(r, "count"), 1, 1000000000, &count)) ||
        (sim_arg(r, "delay_ms") &&
         sim_parse_long(sim_arg(r, "delay_ms"), 0, 3600000, &delay)) ||
        (path != NULL && strlen(path) >= sizeof S.path)) {
      sim_reply_error(r, 400, "Invalid fault");
      return;
    }
  }
  pthread_mutex_lock(&S.lock);
  S.kind = (enum fault_kind)k;
  S.count = count;
  S.delay_ms = delay;
  snprintf(S.path, sizeof S.path, "%s", path ? path : "");
  pthread_mutex_unlock(&S.lock);
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "kind", json_object_new_string(fault_names[k]));
  json_object_object_add(o, "count", json_object_new_int64(count));
  json_object_object_add(o, "path", json_object_new_string(path ? path : ""));
  json_object_object_add(o, "delay_ms", json_object_new_int64(delay));
  sim_reply_json(r, 200, o);
}

static void control_stats(struct sim_req *r) {
  struct json_object *o = json_object_new_object(),
                     *req = json_object_new_object(),
                     *st = json_object_new_object();
  pthread_mutex_lock(&S.lock);
  for (int c = 0; c < NCAT; c++)
    json_object_object_add(req, category_names[c],
                           json_object_new_int64((int64_t)S.requests[c]));
  for (int s = 0; s < MAX_STATUS; s++) {
    char code[12];
    snprintf(code, sizeof code, "%d", s);
    if (S.status[s] != 0)
      json_object_object_add(st, code,
                             json_object_new_int64((int64_t)S.status[s]));
  }
  json_object_object_add(o, "requests", req);
  json_object_object_add(o, "bytes_sent",
                         json_object_new_int64((int64_t)S.bytes_sent));
  pthread_mutex_unlock(&S.lock);
  json_object_object_add(o, "status", st);
  json_object_object_add(o, "tokens_issued",
                         json_object_new_int64(sim_auth_tokens_issued()));
  sim_reply_json(r, 200, o);
}

static void control(struct sim_req *r) {
  bool get = strcmp(r->method, "GET") == 0,
       post = strcmp(r->method, "POST") == 0;
  const char *p = r->path + 4; /* after "/sim" */
  if (!get && !(post && (strcmp(p, "/fault") == 0 ||
                         strcmp(p, "/revoke-tokens") == 0 ||
                         strcmp(p, "/hold") == 0))) {
    sim_reply_error(r, 405, "Method not allowed");
  } else if (strcmp(p, "/fault") == 0) {
    control_fault(r);
  } else if (strcmp(p, "/revoke-tokens") == 0) {
    sim_auth_revoke(NULL);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "revoked", json_object_new_boolean(1));
    sim_reply_json(r, 200, o);
  } else if (strcmp(p, "/stats") == 0) {
    control_stats(r);
  } else if (strcmp(p, "/tokens") == 0) {
    sim_auth_tokens_handle(r);
  } else if (strcmp(p, "/truth") == 0) {
    sim_truth_handle(r);
  } else if (strcmp(p, "/timeline") == 0) {
    sim_timeline_handle(r);
  } else if (strcmp(p, "/hold") == 0) {
    sim_hold_handle(r);
  } else if (strcmp(p, "/roster") == 0) {
    sim_roster_handle(r);
  } else {
    sim_reply_error(r, 404, "Not found");
  }
}

/* --- Routing. --- */

static bool contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0)
      return true;
  return false;
}

static enum category categorize(const char *path, enum sim_api_route route) {
  switch (route) {
  case SIM_API_STATES:
  case SIM_API_AGENT_STATES: return C_STATES;
  case SIM_API_HISTORY: return C_HISTORY;
  case SIM_API_AGENT_HISTORY: return C_AGENT_HISTORY;
  default: break;
  }
  return strcmp(path, "/auth/token") == 0                         ? C_TOKEN
         : strcmp(path, "/.well-known/openid-configuration") == 0 ? C_DISCOVERY
         : strcmp(path, "/.well-known/cxone-configuration") == 0  ? C_CXCONF
                                                                  : C_OTHER;
}

/* Answers a fault that replaces the normal answer; false if none does. */
static bool fault_reply(struct sim_req *r, enum fault_kind kind, bool is_api) {
  switch (kind) {
  case F_401:
    if (is_api) {
      sim_auth_revoke(r);
      sim_reply_error(r, 401, "Expired token");
    } else {
      struct json_object *o = json_object_new_object();
      json_object_object_add(o, "error",
                             json_object_new_string("invalid_client"));
      json_object_object_add(o, "error_description",
                             json_object_new_string("Simulated fault"));
      sim_reply_json(r, 401, o);
    }
    return true;
  case F_403: sim_reply_error(r, 403, "Insufficient permissions"); return true;
  case F_429: sim_reply_error(r, 429, "Too Many Requests"); return true;
  case F_500: sim_reply_error(r, 500, "Internal Server Error"); return true;
  case F_503: sim_reply_error(r, 503, "Service Unavailable"); return true;
  case F_MALFORMED:
    sim_reply_text(r, 200, "application/json",
                   "{\"agentStateHistory\": [ {\"agentId\": \x01#garbage%");
    return true;
  default: return false;
  }
}

static void route(struct sim_req *r, enum sim_api_route api, bool is_api,
                  long agent_id, bool too_big) {
  bool get = strcmp(r->method, "GET") == 0;
  if (too_big) {
    sim_reply_error(r, 413, "Request body too large");
  } else if (strcmp(r->path, "/auth/token") == 0) {
    if (strcmp(r->method, "POST") == 0)
      sim_auth_token(r);
    else
      sim_reply_error(r, 405, "Method not allowed");
  } else if (!get) {
    sim_reply_error(r, 405, "Method not allowed");
  } else if (strcmp(r->path, "/.well-known/openid-configuration") == 0) {
    sim_auth_openid(r);
  } else if (strcmp(r->path, "/.well-known/cxone-configuration") == 0) {
    sim_auth_cxone_config(r);
  } else if (!is_api) {
    sim_reply_error(r, 404, "Not found");
  } else if (sim_auth_check(r) == 0) {
    const char *accept = sim_header(r, MHD_HTTP_HEADER_ACCEPT);
    if (accept == NULL ||
        !(contains_ci(accept, "application/json") || strstr(accept, "*/*")))
      sim_reply_text(r, 406, "text/plain", "No known way to render data");
    else if (api == SIM_API_NONE)
      sim_reply_error(r, 404, "Not found");
    else
      sim_api_handle(r, api, agent_id);
  }
}

/* --- Sending. --- */

struct padded {
  char *body;
  size_t len;
};

static ssize_t padded_read(void *cls, uint64_t pos, char *buf, size_t max) {
  const struct padded *p = cls;
  size_t n = 0;
  if (pos < p->len) {
    n = p->len - (size_t)pos < max ? p->len - (size_t)pos : max;
    memcpy(buf, p->body + pos, n);
  }
  size_t left = (pos + n < HUGE_SIZE ? HUGE_SIZE - (size_t)pos - n : 0);
  size_t pad = max - n < left ? max - n : left;
  memset(buf + n, ' ', pad);
  return (ssize_t)(n + pad);
}

static void padded_free(void *cls) {
  struct padded *p = cls;
  free(p->body);
  free(p);
}

static enum MHD_Result send_reply(struct sim_req *r, bool counted,
                                  enum category cat, bool huge) {
  struct MHD_Response *resp = NULL;
  size_t sent = r->out_len;
  if (huge) {
    struct padded *p = malloc(sizeof *p);
    if (p != NULL) {
      *p = (struct padded){r->out, r->out_len};
      r->out = NULL;
      sent = r->out_len > HUGE_SIZE ? r->out_len : HUGE_SIZE;
      resp = MHD_create_response_from_callback(sent, 64 * 1024, padded_read, p,
                                               padded_free);
      if (resp == NULL)
        padded_free(p);
    }
  } else {
    resp = MHD_create_response_from_buffer(r->out_len, r->out,
                                           MHD_RESPMEM_MUST_FREE);
    if (resp != NULL)
      r->out = NULL;
  }
  free(r->out);
  r->out = NULL;
  if (resp == NULL)
    return MHD_NO;
  if (r->ctype != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
  if (r->ic_status != NULL)
    MHD_add_response_header(resp, "icStatusDescription", r->ic_status);
  enum MHD_Result ret = MHD_queue_response(r->conn, r->status, resp);
  MHD_destroy_response(resp);

  if (counted) {
    pthread_mutex_lock(&S.lock);
    S.requests[cat]++;
    S.bytes_sent += sent;
    if (r->status < MAX_STATUS)
      S.status[r->status]++;
    pthread_mutex_unlock(&S.lock);
  }
  if (sim_cfg.log_requests)
    fprintf(stderr, "cxone-sim: %s %s %u %zu %.3f\n", r->method, r->path,
            r->status, sent, (double)r->arrived / 1000.0);
  return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls) {
  (void)cls;
  (void)version;
  struct upload *up = *con_cls;
  if (up == NULL) {
    up = calloc(1, sizeof *up);
    *con_cls = up;
    return up ? MHD_YES : MHD_NO;
  }
  if (*upload_size != 0) {
    if (up->len + *upload_size > MAX_BODY) {
      up->too_big = true;
    } else {
      char *nb = realloc(up->buf, up->len + *upload_size + 1);
      if (nb == NULL)
        return MHD_NO;
      memcpy(nb + up->len, upload_data, *upload_size);
      up->buf = nb;
      up->len += *upload_size;
      up->buf[up->len] = '\0';
    }
    *upload_size = 0;
    return MHD_YES;
  }

  struct sim_req r = {.conn = conn,
                      .method = method,
                      .path = url,
                      .body = up->buf ? up->buf : "",
                      .body_len = up->len,
                      .status = 500};
  r.arrived = cx_now_ms();
  if (strncmp(url, "/sim/", 5) == 0) {
    r.now = r.arrived;
    control(&r);
    return send_reply(&r, false, C_OTHER, false);
  }

  bool is_api;
  long agent_id = 0;
  enum sim_api_route api = sim_api_route(url, &is_api, &agent_id);
  enum category cat = categorize(url, api);
  struct fault f = {F_NONE, 0};
  if (is_api || cat == C_TOKEN)
    f = fault_take(url);
  if (f.kind == F_SLOW)
    sleep_ms(f.delay_ms);
  r.now = cx_now_ms();
  if (!fault_reply(&r, f.kind, is_api))
    route(&r, api, is_api, agent_id, up->too_big);
  if (f.kind == F_TRUNCATED) {
    r.status = 200;
    r.out_len /= 2;
  } else if (f.kind == F_HUGE &&
             (r.ctype == NULL || strcmp(r.ctype, "application/json") != 0)) {
    sim_reply_text(&r, 200, "application/json", "{}");
  } else if (f.kind == F_HUGE) {
    r.status = 200;
  }
  return send_reply(&r, true, cat, f.kind == F_HUGE);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  struct upload *up = *con_cls;
  if (up != NULL) {
    free(up->buf);
    free(up);
    *con_cls = NULL;
  }
}

/* Binds the listening socket ourselves so the port (maybe chosen by the
 * kernel) and with it the base URL are known before the first request. */
static int listen_socket(void) {
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)sim_cfg.listen_port)};
  socklen_t len = sizeof sa;
  int one = 1;
  bool localhost = strcmp(sim_cfg.listen_host, "localhost") == 0;
  if (inet_pton(AF_INET, localhost ? "127.0.0.1" : sim_cfg.listen_host,
                &sa.sin_addr) != 1) {
    fprintf(stderr,
            "cxone-sim: --listen: not an IPv4 address or localhost: %s\n",
            sim_cfg.listen_host);
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      listen(fd, 128) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
    fprintf(stderr, "cxone-sim: cannot listen on %s:%u: %s\n",
            sim_cfg.listen_host, sim_cfg.listen_port, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  sim_cfg.listen_port = ntohs(sa.sin_port);
  snprintf(sim_cfg.base_url, sizeof sim_cfg.base_url, "https://%s:%u",
           sa.sin_addr.s_addr == htonl(INADDR_ANY) ? "127.0.0.1"
                                                   : sim_cfg.listen_host,
           sim_cfg.listen_port);
  return fd;
}

struct MHD_Daemon *sim_http_start(const char *cert_pem, const char *key_pem) {
  int fd = listen_socket();
  if (fd < 0)
    return NULL;
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                   MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_TLS;
  if (sim_cfg.log_requests)
    flags |= MHD_USE_ERROR_LOG;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET,
      (MHD_socket)fd, MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
      MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
      MHD_OPTION_END);
  if (d == NULL) {
    fprintf(
        stderr,
        "cxone-sim: cannot start the HTTPS server (bad certificate or key?)\n");
    close(fd);
  }
  return d;
}
