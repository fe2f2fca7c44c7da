/*
 * cx_http.c: the HTTP client (libcurl easy handles); see cx_http.h.
 *
 * Owns every libcurl call but the multi loop in cx_api.c: TLS settings
 * (verification on unless turned off, CA file), HTTP/1.1 (CXone's token
 * endpoint wants it), whole-request and connect timeouts capped by the poll
 * deadline, a response size cap enforced while the body streams in, the
 * Accept / User-Agent headers, and capture of the icStatusDescription and
 * Retry-After headers.
 *
 * Every request runs through a struct cx_http_xfer (an easy handle plus the
 * response being received).  struct cx_http keeps one for its synchronous
 * calls; cx_api's per-agent fan-out creates more, configured identically.
 *
 * Secrets: Authorization header strings (ours and libcurl's slist copies)
 * and response bodies are wiped before they are freed; request bodies belong
 * to the caller.  Nothing here logs a body, a header value or a URL query.
 * Thread-safety (collectd-notes §1.10): CURLOPT_NOSIGNAL, an error buffer per
 * handle, one struct cx_http per thread, curl_global_init from init only.
 */
#include "cx_secret.h"
#include "cx_http.h"
#include "cx_json.h"
#include "cx_log.h"
#include "cx_curl_wipe.h"

#include <curl/curl.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_MAX_BODY ((size_t)64 * 1024 * 1024)

struct cx_http {
  char *ca_file;
  bool verify_peer, verify_host;
  long timeout_ms, connect_timeout_ms;
  size_t max_body;
  char *user_agent;
  int64_t deadline_mono_ms; /* 0: no cap */
  struct cx_http_xfer *main;
};

struct cx_http_xfer {
  struct cx_http *http;
  CURL *easy;
  char errbuf[CURL_ERROR_SIZE];
  struct curl_slist *headers;
  char method[8];
  char where[256];     /* scheme://host/path, no query: for messages */
  /* Response being received. */
  char *buf;
  size_t len, cap;
  bool too_large;
  long retry_after_s;
  char ic_status[256];
};

/* ------------------------------------------------------------- helpers */

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_or_null(const char *s) {
  return s != NULL ? strdup(s) : NULL;
}

static void wipe_slist(struct curl_slist *l) {
  for (struct curl_slist *n = l; n != NULL; n = n->next)
    if (n->data != NULL)
      explicit_bzero(n->data, strlen(n->data));
  curl_slist_free_all(l);
}

/* "scheme://host/path" of url, query and fragment dropped, bounded. */
static void url_for_message(const char *url, char *buf, size_t size) {
  size_t n = strcspn(url, "?#");
  if (n >= size)
    n = size - 1;
  memcpy(buf, url, n);
  buf[n] = '\0';
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)buf[i] < 0x20)
      buf[i] = '?';
}

char *cx_http_escape(const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  if (s == NULL)
    return NULL;
  size_t n = strlen(s);
  char *out = malloc(3 * n + 1);
  if (out == NULL)
    return NULL;
  char *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      *o++ = (char)*p;
    } else {
      *o++ = '%';
      *o++ = hex[*p >> 4];
      *o++ = hex[*p & 15];
    }
  }
  *o = '\0';
  return out;
}

/* Standard base64 (with padding) of n bytes; malloc'd. */
static char *b64_encode(const char *in, size_t n) {
  static const char a[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((n + 2) / 3 * 4 + 1);
  if (out == NULL)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)(unsigned char)in[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char)in[i + 2];
    out[o++] = a[(v >> 18) & 63];
    out[o++] = a[(v >> 12) & 63];
    out[o++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? a[v & 63] : '=';
  }
  out[o] = '\0';
  return out;
}

/* "Authorization: Basic b64(user:pass)", user and pass as given (the caller
 * decides whether they are form-encoded first, see cx_api.c). */
static char *basic_header(const char *user, const char *pass) {
  char *joined = NULL, *b64 = NULL, *hdr = NULL;
  size_t n = strlen(user) + 1 + strlen(pass);
  if ((joined = malloc(n + 1)) == NULL)
    goto out;
  snprintf(joined, n + 1, "%s:%s", user, pass);
  if ((b64 = b64_encode(joined, n)) == NULL)
    goto out;
  size_t hn = strlen("Authorization: Basic ") + strlen(b64) + 1;
  if ((hdr = malloc(hn)) != NULL)
    snprintf(hdr, hn, "Authorization: Basic %s", b64);
out:
  cx_wipe_free(joined);
  cx_wipe_free(b64);
  return hdr;
}

static char *bearer_header(const char *token) {
  size_t n = strlen("Authorization: Bearer ") + strlen(token) + 1;
  char *h = malloc(n);
  if (h != NULL)
    snprintf(h, n, "Authorization: Bearer %s", token);
  return h;
}

/* ----------------------------------------------------- libcurl callbacks */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
  struct cx_http_xfer *x = userdata;
  size_t n = size * nmemb;
  if (n == 0)
    return 0;
  if (x->len + n > x->http->max_body || x->len + n < x->len) {
    x->too_large = true;
    return 0; /* aborts with CURLE_WRITE_ERROR */
  }
  if (x->len + n + 1 > x->cap) {
    size_t cap = x->cap ? x->cap : 16384;
    while (cap < x->len + n + 1)
      cap *= 2;
    if (x->http->max_body < SIZE_MAX && cap > x->http->max_body + 1)
      cap = x->http->max_body + 1;
    /* malloc + copy + wipe instead of realloc: a token body must not be
     * left behind in a freed block. */
    char *nb = malloc(cap);
    if (nb == NULL)
      return 0;
    if (x->buf != NULL) {
      memcpy(nb, x->buf, x->len);
      explicit_bzero(x->buf, x->cap);
      free(x->buf);
    }
    x->buf = nb;
    x->cap = cap;
  }
  memcpy(x->buf + x->len, ptr, n);
  x->len += n;
  x->buf[x->len] = '\0';
  return n;
}

static void trim_copy(char *dst, size_t size, const char *v, size_t n) {
  while (n > 0 && (*v == ' ' || *v == '\t')) {
    v++;
    n--;
  }
  while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' ||
                   v[n - 1] == '\t'))
    n--;
  if (n >= size)
    n = size - 1;
  for (size_t i = 0; i < n; i++)
    dst[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? ' ' : v[i];
  dst[n] = '\0';
}

static bool header_is(const char *line, size_t n, const char *name,
                      const char **value, size_t *vlen) {
  size_t k = strlen(name);
  if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
    return false;
  *value = line + k + 1;
  *vlen = n - k - 1;
  return true;
}

static size_t on_header(char *line, size_t size, size_t nitems,
                        void *userdata) {
  struct cx_http_xfer *x = userdata;
  size_t n = size * nitems;
  const char *v;
  size_t vn;
  if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
    /* A new response (after a 100 Continue, say): forget the last one's. */
    x->ic_status[0] = '\0';
    x->retry_after_s = -1;
  } else if (header_is(line, n, "icStatusDescription", &v, &vn)) {
    trim_copy(x->ic_status, sizeof(x->ic_status), v, vn);
  } else if (header_is(line, n, "Retry-After", &v, &vn)) {
    char tmp[128];
    trim_copy(tmp, sizeof(tmp), v, vn);
    char *end = NULL;
    long s = strtol(tmp, &end, 10);
    if (end != tmp && *end == '\0' && s >= 0) {
      x->retry_after_s = s;
    } else {
      time_t when = curl_getdate(tmp, NULL); /* HTTP-date form */
      if (when != (time_t)-1) {
        time_t now = time(NULL);
        x->retry_after_s = when > now ? (long)(when - now) : 0;
      }
    }
  }
  return n;
}

/* --------------------------------------------------------------- xfers */

static void xfer_reset_response(struct cx_http_xfer *x) {
  if (x->buf != NULL) {
    explicit_bzero(x->buf, x->cap);
    free(x->buf);
  }
  x->buf = NULL;
  x->len = x->cap = 0;
  x->too_large = false;
  x->retry_after_s = -1;
  x->ic_status[0] = '\0';
  x->errbuf[0] = '\0';
}

static void response_init(struct cx_http_response *resp) {
  memset(resp, 0, sizeof(*resp));
  resp->retry_after_s = -1;
}

struct cx_http_xfer *cx_http_xfer_new(struct cx_http *http) {
  if (http == NULL)
    return NULL;
  struct cx_http_xfer *x = calloc(1, sizeof(*x));
  if (x == NULL)
    return NULL;
  x->http = http;
  x->retry_after_s = -1;
  if ((x->easy = curl_easy_init()) == NULL) {
    free(x);
    return NULL;
  }
  CURL *c = x->easy;
  CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                          \
  do {                                                                         \
    if (rc == CURLE_OK)                                                        \
      rc = curl_easy_setopt(c, opt, val);                                      \
  } while (0)
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_ERRORBUFFER, x->errbuf);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, x);
  SET(CURLOPT_HEADERFUNCTION, on_header);
  SET(CURLOPT_HEADERDATA, x);
  SET(CURLOPT_PRIVATE, x);
  SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  SET(CURLOPT_SSL_VERIFYPEER, http->verify_peer ? 1L : 0L);
  SET(CURLOPT_SSL_VERIFYHOST, http->verify_host ? 2L : 0L);
  if (http->ca_file != NULL)
    SET(CURLOPT_CAINFO, http->ca_file);
  if (http->user_agent != NULL)
    SET(CURLOPT_USERAGENT, http->user_agent);
  if (http->max_body <= (size_t)INT64_MAX)
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)http->max_body);
  if (rc == CURLE_OK)
    rc = (CURLcode)cx_curl_wipe_easy(c); /* TLS plaintext wiped */
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_TCP_KEEPALIVE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
  SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
#undef SET
  if (rc != CURLE_OK) {
    cx_log(CX_LOG_ERR, "http: libcurl setup failed: %s",
           curl_easy_strerror(rc));
    cx_http_xfer_free(x);
    return NULL;
  }
  return x;
}

void cx_http_xfer_free(struct cx_http_xfer *x) {
  if (x == NULL)
    return;
  if (x->easy != NULL)
    curl_easy_cleanup(x->easy);
  wipe_slist(x->headers);
  xfer_reset_response(x);
  free(x);
}

void *cx_http_xfer_easy(struct cx_http_xfer *x) {
  return x != NULL ? x->easy : NULL;
}

/* Common preparation: response state, URL, headers (auth may be NULL; it is
 * copied by libcurl and wiped later with the slist), timeouts. */
static enum cx_status xfer_prepare(struct cx_http_xfer *x, const char *method,
                                   const char *url, const char *auth,
                                   bool form, struct cx_error *err) {
  struct cx_http *h = x->http;
  xfer_reset_response(x);
  wipe_slist(x->headers);
  x->headers = NULL;
  snprintf(x->method, sizeof(x->method), "%s", method);
  url_for_message(url, x->where, sizeof(x->where));

  long timeout = h->timeout_ms;
  if (h->deadline_mono_ms != 0) {
    int64_t left = h->deadline_mono_ms - mono_ms();
    if (left <= 0)
      return cx_error_set(err, CX_ERR_TRANSPORT, 0,
                          "%s %s: poll time budget exhausted", x->method,
                          x->where);
    if (left < timeout)
      timeout = (long)left;
  }
  long connect = h->connect_timeout_ms;
  if (connect <= 0)
    connect = DEFAULT_CONNECT_MS;
  if (connect > timeout)
    connect = timeout;

  struct curl_slist *l = NULL, *t;
#define ADD(s)                                                                 \
  do {                                                                         \
    if ((t = curl_slist_append(l, (s))) == NULL)                               \
      goto nomem;                                                              \
    l = t;                                                                     \
  } while (0)
  ADD("Accept: application/json");
  ADD("Expect:");
  if (form)
    ADD("Content-Type: application/x-www-form-urlencoded");
  if (auth != NULL)
    ADD(auth);
#undef ADD
  x->headers = l;

  CURL *c = x->easy;
  CURLcode rc = curl_easy_setopt(c, CURLOPT_URL, url);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect);
  if (rc != CURLE_OK)
    return cx_error_set(err, rc == CURLE_OUT_OF_MEMORY ? CX_ERR_NOMEM
                                                       : CX_ERR_INVALID,
                        0, "%s %s: %s", x->method, x->where,
                        curl_easy_strerror(rc));
  return CX_OK;
nomem:
  wipe_slist(l);
  return cx_error_set(err, CX_ERR_NOMEM, 0, "%s %s: out of memory", x->method,
                      x->where);
}

enum cx_status cx_http_xfer_get(struct cx_http_xfer *x, const char *url,
                                const char *bearer, struct cx_error *err) {
  if (x == NULL || url == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "http: no URL");
  char *auth = NULL;
  if (bearer != NULL && (auth = bearer_header(bearer)) == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "GET: out of memory");
  enum cx_status st = xfer_prepare(x, "GET", url, auth, false, err);
  cx_wipe_free(auth);
  if (st == CX_OK && curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L) != CURLE_OK)
    st = cx_error_set(err, CX_ERR_INVALID, 0, "GET %s: libcurl refused GET",
                      x->where);
  return st;
}

enum cx_status cx_http_xfer_finish(struct cx_http_xfer *x, int curl_result,
                                   struct cx_http_response *resp,
                                   struct cx_error *err) {
  CURLcode rc = (CURLcode)curl_result;
  response_init(resp);
  double total = 0;
  long status = 0;
  curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &total);
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
  resp->elapsed_s = total;
  resp->bytes_received = x->len;
  /* The request's headers (Authorization) are no longer needed. */
  curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
  wipe_slist(x->headers);
  x->headers = NULL;

  if (rc != CURLE_OK) {
    enum cx_status st;
    if (x->too_large || rc == CURLE_FILESIZE_EXCEEDED)
      st = cx_error_set(err, CX_ERR_TRANSPORT, status,
                        "%s %s: response larger than %zu bytes", x->method,
                        x->where, x->http->max_body);
    else
      st = cx_error_set(err, CX_ERR_TRANSPORT, 0, "%s %s: %s", x->method,
                        x->where,
                        x->errbuf[0] != '\0' ? x->errbuf
                                             : curl_easy_strerror(rc));
    cx_log(CX_LOG_DEBUG, "http: %s", err != NULL ? err->message : "failed");
    xfer_reset_response(x);
    return st;
  }
  resp->status = status;
  snprintf(resp->ic_status, sizeof(resp->ic_status), "%s", x->ic_status);
  resp->retry_after_s = x->retry_after_s;
  if (x->len > 0) {
    resp->body = x->buf; /* hand over; NUL-terminated by on_body */
    resp->body_len = x->len;
    x->buf = NULL;
    x->len = x->cap = 0;
  }
  xfer_reset_response(x);
  cx_log(CX_LOG_DEBUG, "http: %s %s -> %ld, %zu bytes, %.3f s", x->method,
         x->where, status, resp->body_len, total);
  return CX_OK;
}

/* ---------------------------------------------------------- cx_http API */

struct cx_http *cx_http_create(const struct cx_http_options *opts) {
  struct cx_http *h = calloc(1, sizeof(*h));
  if (h == NULL || opts == NULL) {
    free(h);
    return NULL;
  }
  h->verify_peer = opts->verify_peer;
  h->verify_host = opts->verify_host;
  h->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
  h->connect_timeout_ms = opts->connect_timeout_ms;
  h->max_body = opts->max_body > 0 ? opts->max_body : DEFAULT_MAX_BODY;
  h->ca_file = dup_or_null(opts->ca_file);
  h->user_agent = dup_or_null(opts->user_agent != NULL ? opts->user_agent
                                                       : "collectd-cxone");
  if ((opts->ca_file != NULL && h->ca_file == NULL) || h->user_agent == NULL ||
      (h->main = cx_http_xfer_new(h)) == NULL) {
    cx_http_destroy(h);
    return NULL;
  }
  if (!h->verify_peer || !h->verify_host)
    cx_log(CX_LOG_WARNING, "http: TLS %s verification is turned off",
           !h->verify_peer ? "certificate" : "host name");
  return h;
}

void cx_http_destroy(struct cx_http *http) {
  if (http == NULL)
    return;
  cx_http_xfer_free(http->main);
  free(http->ca_file);
  free(http->user_agent);
  free(http);
}

void cx_http_set_deadline_ms(struct cx_http *http, long remaining_ms) {
  if (http == NULL)
    return;
  if (remaining_ms <= 0)
    http->deadline_mono_ms = 0;
  else
    http->deadline_mono_ms = mono_ms() + remaining_ms;
}

static enum cx_status perform(struct cx_http_xfer *x,
                              struct cx_http_response *resp,
                              struct cx_error *err) {
  CURLcode rc = curl_easy_perform(x->easy);
  return cx_http_xfer_finish(x, (int)rc, resp, err);
}

enum cx_status cx_http_get(struct cx_http *http, const char *url,
                           const char *bearer, struct cx_http_response *resp,
                           struct cx_error *err) {
  response_init(resp);
  if (http == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "http: no handle");
  enum cx_status st = cx_http_xfer_get(http->main, url, bearer, err);
  if (st != CX_OK)
    return st;
  return perform(http->main, resp, err);
}

enum cx_status cx_http_post_form(struct cx_http *http, const char *url,
                                 const char *basic_user, const char *basic_pass,
                                 const char *form_body,
                                 struct cx_http_response *resp,
                                 struct cx_error *err) {
  response_init(resp);
  if (http == NULL || url == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "http: no handle or URL");
  struct cx_http_xfer *x = http->main;
  char *auth = NULL;
  if (basic_user != NULL &&
      (auth = basic_header(basic_user, basic_pass != NULL ? basic_pass : "")) ==
          NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "POST: out of memory");
  enum cx_status st = xfer_prepare(x, "POST", url, auth, true, err);
  cx_wipe_free(auth);
  if (st != CX_OK)
    return st;
  const char *body = form_body != NULL ? form_body : "";
  CURLcode rc = curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                                 (curl_off_t)strlen(body));
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, body);
  if (rc != CURLE_OK)
    return cx_error_set(err, CX_ERR_INVALID, 0, "POST %s: %s", x->where,
                        curl_easy_strerror(rc));
  st = perform(x, resp, err);
  /* Do not keep a pointer to the caller's (secret) body. */
  curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
  return st;
}

void cx_http_response_free(struct cx_http_response *resp) {
  if (resp == NULL)
    return;
  if (resp->body != NULL) {
    explicit_bzero(resp->body, resp->body_len);
    free(resp->body);
  }
  resp->body = NULL;
  resp->body_len = 0;
}

enum cx_status cx_http_status_error(const struct cx_http_response *resp,
                                    const char *what, struct cx_error *err) {
  long s = resp != NULL ? resp->status : 0;
  enum cx_status st;
  if (s == 401)
    st = CX_ERR_AUTH;
  else if (s == 403)
    st = CX_ERR_FORBIDDEN;
  else if (s == 404)
    st = CX_ERR_NOT_FOUND;
  else if (s == 429)
    st = CX_ERR_THROTTLED;
  else if (s >= 500 && s <= 599)
    st = CX_ERR_SERVER;
  else if (s >= 400 && s <= 499)
    st = CX_ERR_BAD_REQUEST;
  else if (s == 0)
    st = CX_ERR_TRANSPORT;
  else
    st = CX_ERR_PARSE; /* 1xx or a 3xx we did not ask for */

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
  return cx_error_set(err, st, s, "%s: HTTP %ld%s%s",
                      what != NULL ? what : "request", s, detail, retry);
}

static int global_refs;

enum cx_status cx_http_global_init(void) {
  if (global_refs++ > 0)
    return CX_OK;
  bool wiping;
  CURLcode rc = (CURLcode)cx_curl_wipe_global_init(CURL_GLOBAL_DEFAULT, &wiping);
  if (rc != CURLE_OK) {
    global_refs = 0;
    cx_log(CX_LOG_ERR, "http: curl_global_init failed: %s",
           curl_easy_strerror(rc));
    return CX_ERR_TRANSPORT;
  }
  if (!wiping)
    cx_log(CX_LOG_WARNING, "http: libcurl was initialised before (by another "
           "plugin?): its copies of requests and responses are not wiped, so "
           "secrets and tokens may remain in core dumps");
  return CX_OK;
}

void cx_http_global_cleanup(void) {
  if (global_refs > 0 && --global_refs == 0)
    curl_global_cleanup();
}
