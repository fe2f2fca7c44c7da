/*
 * sim_req.c: the request accessors and the reply setters of sim_req.h, and
 * the request's own URL (the _links of paged answers).
 */
#include "sim.h"
#include "sim_req.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

size_t sim_reply_size(const struct sim_req *r) {
  return r->pad_to > r->out_len ? r->pad_to : r->out_len;
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
