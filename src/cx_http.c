/*
 * cx_http.c: the HTTP engine (libcurl multi over easy handles); see
 * cx_http.h.
 *
 * Owns every libcurl call: TLS settings (verification on unless turned off;
 * a CA file replaces the compiled-in CA path as well as the CA bundle),
 * HTTP/1.1 (CXone's token endpoint wants it), whole-request and connect
 * timeouts capped by the deadline, a response size cap enforced while the
 * body streams in, the Accept / User-Agent headers, and capture of the
 * icStatusDescription and Retry-After headers.
 *
 * The engine.  struct cx_http holds one curl multi handle and up to
 * MAX_PARALLEL slots, each an easy handle with the response it is receiving.
 * Slots and the multi handle live as long as the struct, so connections are
 * reused from one request, and one cycle, to the next.  cx_http_run() fills
 * idle slots from the caller's next(), drives the transfers, and hands each
 * completed one to done() before asking for more; cx_http_perform() is a run
 * of one request.  Runs do not nest (done() must not start another).
 *
 * Deadline.  Every request's timeout is the smaller of the request timeout
 * and what is left before the deadline, so no request outlives it, and no
 * request starts once it has passed.  A whole run therefore ends by the
 * deadline (plus the time done() takes), however the server trickles.
 *
 * In process.  With a transport set (cx_http_set_transport), requests are
 * answered one after another by the transport's serve() instead of libcurl;
 * the deadline, size cap, stats and callbacks are the same code.
 *
 * Secrets: Authorization header strings (ours and libcurl's slist copies)
 * and response bodies are wiped before they are freed; a POST body belongs
 * to the caller and libcurl's pointer to it is dropped when the request
 * completes.  libcurl allocates through cx_wipe_alloc (wiped on release)
 * and OpenSSL 3 wipes the plaintext it decrypted (cx_http_global_init).  Nothing here logs a body, a header value or a URL query.
 * Thread-safety: CURLOPT_NOSIGNAL, an error buffer per handle, one struct
 * cx_http per thread, curl_global_init from init only.
 */
#include "cx_secret.h"
#include "cx_http.h"
#include "cx_array.h"
#include "cx_log.h"
#include "cx_str.h"
#include "cx_wipe_alloc.h"

#include <curl/curl.h>

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_CONNECT_MS 10000L
#define MAX_PARALLEL 64

/* One slot: an easy handle and the response it is receiving. */
struct xfer {
  struct cx_http *http;
  CURL *easy;
  bool busy; /* in the multi handle */
  char errbuf[CURL_ERROR_SIZE];
  struct curl_slist *headers;
  char method[8];
  char where[256]; /* scheme://host/path, no query: for messages */
  char *buf;
  size_t len, cap;
  bool too_large;
  long retry_after_s;
  char ic_status[256];
};

struct cx_http {
  char *ca_file;
  bool verify_peer, verify_host;
  long timeout_ms, connect_timeout_ms;
  size_t max_body;
  char *user_agent;
  cx_ms_t deadline; /* on now_ms's scale; 0: none */
  const struct cx_transport *transport;
  CURLM *multi;
  struct xfer *slots[MAX_PARALLEL];
  unsigned nslots;
  bool running;
  struct cx_http_stats stats;
};

/* ------------------------------------------------------------- helpers */

static cx_ms_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (cx_ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
 * decides whether they are form-encoded first, see cx_auth.c). */
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

/* Appends n bytes to the response being received; false when the size cap
 * is exceeded (too_large set) or memory runs out. */
static bool body_append(struct xfer *x, const char *p, size_t n) {
  if (x->len + n > x->http->max_body || x->len + n < x->len) {
    x->too_large = true;
    return false;
  }
  /* Wiped as it grows: a token body must not be left behind in a freed
   * block.  From 16 KiB, so small bodies are copied only a few times. */
  size_t need = x->len + n + 1 > 16384 ? x->len + n + 1 : 16384;
  size_t limit = x->http->max_body < SIZE_MAX ? x->http->max_body + 1 : SIZE_MAX;
  if (need > limit)
    need = limit;
  if (CX_ARRAY_RESERVE_WIPED(x->buf, x->cap, need, limit) != CX_OK)
    return false;
  if (n > 0)
    memcpy(x->buf + x->len, p, n);
  x->len += n;
  x->buf[x->len] = '\0';
  return true;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
  size_t n = size * nmemb;
  if (n == 0 || !body_append(userdata, ptr, n))
    return 0; /* aborts with CURLE_WRITE_ERROR */
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
  struct xfer *x = userdata;
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

/* ------------------------------------------------ wiped copies (secrets) */

/* Set by cx_http_global_init: libcurl allocates through cx_wipe_alloc, and
 * its TLS library can wipe the plaintext it decrypted. */
static bool libcurl_wiping, tls_cleanse;

static CURLcode on_ssl_ctx(CURL *easy, void *ssl_ctx, void *userdata) {
  (void)easy;
  (void)userdata;
  cx_wipe_tls_context(ssl_ctx);
  return CURLE_OK;
}

/* The deadline's clock. */
static cx_ms_t now_ms(const struct cx_http *h) {
  return h->transport != NULL ? h->transport->now(h->transport->ctx)
                              : mono_ms();
}

/* --------------------------------------------------------------- slots */

static void xfer_reset_response(struct xfer *x) {
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

static void xfer_free(struct xfer *x) {
  if (x == NULL)
    return;
  if (x->easy != NULL)
    curl_easy_cleanup(x->easy);
  wipe_slist(x->headers);
  xfer_reset_response(x);
  free(x);
}

static struct xfer *xfer_new(struct cx_http *http) {
  struct xfer *x = calloc(1, sizeof(*x));
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
  if (http->ca_file != NULL) {
    /* The file replaces the system store: without this, libcurl keeps its
     * compiled-in CA path (/etc/ssl/certs on Debian) beside the file. */
    SET(CURLOPT_CAINFO, http->ca_file);
    SET(CURLOPT_CAPATH, (char *)NULL);
  }
  if (http->user_agent != NULL)
    SET(CURLOPT_USERAGENT, http->user_agent);
  if (http->max_body <= (size_t)INT64_MAX)
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)http->max_body);
  if (tls_cleanse)
    SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx); /* TLS plaintext wiped */
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
    xfer_free(x);
    return NULL;
  }
  return x;
}

/* The timeout a request starting now may have, or 0 once the deadline has
 * passed. */
static long request_timeout(const struct cx_http *h) {
  long timeout = h->timeout_ms;
  if (h->deadline != 0) {
    cx_ms_t left = h->deadline - now_ms(h);
    if (left <= 0)
      return 0;
    if (left < timeout)
      timeout = (long)left;
  }
  return timeout;
}

/* Response state, URL, headers and timeouts of req on slot x.  The
 * Authorization header is built here and copied by libcurl into the slist
 * (wiped when the request completes). */
static enum cx_status xfer_prepare(struct xfer *x,
                                   const struct cx_http_request *req,
                                   long *timeout_out, struct cx_error *err) {
  struct cx_http *h = x->http;
  bool post = req->form_body != NULL;
  xfer_reset_response(x);
  wipe_slist(x->headers);
  x->headers = NULL;
  snprintf(x->method, sizeof(x->method), "%s", post ? "POST" : "GET");
  if (req->url == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "http: no URL");
  url_for_message(req->url, x->where, sizeof(x->where));

  long timeout = request_timeout(h);
  if (timeout == 0)
    return cx_error_set(err, CX_ERR_TRANSPORT, 0,
                        "%s %s: poll time budget exhausted", x->method,
                        x->where);
  *timeout_out = timeout;
  long connect = h->connect_timeout_ms;
  if (connect <= 0)
    connect = DEFAULT_CONNECT_MS;
  if (connect > timeout)
    connect = timeout;

  char *auth = NULL;
  if (req->basic_user != NULL)
    auth = basic_header(req->basic_user,
                        req->basic_pass != NULL ? req->basic_pass : "");
  else if (req->bearer != NULL)
    auth = bearer_header(req->bearer);
  if ((req->basic_user != NULL || req->bearer != NULL) && auth == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s %s: out of memory",
                        x->method, x->where);
  struct curl_slist *l = NULL, *t;
#define ADD(s)                                                                 \
  do {                                                                         \
    if ((t = curl_slist_append(l, (s))) == NULL)                               \
      goto nomem;                                                              \
    l = t;                                                                     \
  } while (0)
  ADD("Accept: application/json");
  ADD("Expect:");
  if (post)
    ADD("Content-Type: application/x-www-form-urlencoded");
  if (auth != NULL)
    ADD(auth);
#undef ADD
  cx_wipe_free(auth);
  x->headers = l;
  if (h->transport != NULL)
    return CX_OK;

  CURL *c = x->easy;
  CURLcode rc = curl_easy_setopt(c, CURLOPT_URL, req->url);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect);
  if (rc == CURLE_OK && post)
    rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                          (curl_off_t)strlen(req->form_body));
  if (rc == CURLE_OK && post)
    rc = curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->form_body);
  if (rc == CURLE_OK && !post)
    rc = curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  if (rc != CURLE_OK)
    return cx_error_set(err, rc == CURLE_OUT_OF_MEMORY ? CX_ERR_NOMEM
                                                       : CX_ERR_INVALID,
                        0, "%s %s: %s", x->method, x->where,
                        curl_easy_strerror(rc));
  return CX_OK;
nomem:
  wipe_slist(l);
  cx_wipe_free(auth);
  return cx_error_set(err, CX_ERR_NOMEM, 0, "%s %s: out of memory", x->method,
                      x->where);
}

static void count(struct cx_http *h, enum cx_status sent,
                  const struct cx_http_response *resp, size_t bytes) {
  h->stats.requests++;
  h->stats.bytes += bytes;
  h->stats.last_latency_s = resp->elapsed_s;
  if (sent != CX_OK || !((resp->status >= 200 && resp->status < 300) ||
                         resp->status == 304))
    h->stats.failures++;
}

/* Hands the received response over to resp (or fills err): the common end
 * of a transfer, from libcurl or in process.  failure: NULL when a response
 * arrived, else what went wrong. */
static enum cx_status xfer_complete(struct xfer *x, long status,
                                    double elapsed, const char *failure,
                                    struct cx_http_response *resp,
                                    struct cx_error *err) {
  struct cx_http *h = x->http;
  response_init(resp);
  resp->elapsed_s = elapsed;
  size_t bytes = x->len;
  /* The request's headers (Authorization) are no longer needed. */
  if (h->transport == NULL)
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
  wipe_slist(x->headers);
  x->headers = NULL;

  enum cx_status st = CX_OK;
  if (x->too_large)
    st = cx_error_set(err, CX_ERR_TRANSPORT, status,
                      "%s %s: response larger than %zu bytes", x->method,
                      x->where, h->max_body);
  else if (failure != NULL)
    st = cx_error_set(err, CX_ERR_TRANSPORT, 0, "%s %s: %s", x->method,
                      x->where, failure);
  if (st != CX_OK) {
    cx_log(CX_LOG_DEBUG, "http: %s", err != NULL ? err->message : "failed");
    xfer_reset_response(x);
    count(h, st, resp, bytes);
    return st;
  }
  resp->status = status;
  snprintf(resp->ic_status, sizeof(resp->ic_status), "%s", x->ic_status);
  resp->retry_after_s = x->retry_after_s;
  if (x->len > 0) {
    resp->body = x->buf; /* hand over; NUL-terminated by body_append */
    resp->body_len = x->len;
    x->buf = NULL;
    x->len = x->cap = 0;
  }
  xfer_reset_response(x);
  count(h, CX_OK, resp, bytes);
  cx_log(CX_LOG_DEBUG, "http: %s %s -> %ld, %zu bytes, %.3f s", x->method,
         x->where, status, resp->body_len, elapsed);
  return CX_OK;
}

/* A libcurl transfer of slot x finished with rc. */
static enum cx_status curl_complete(struct xfer *x, CURLcode rc,
                                    struct cx_http_response *resp,
                                    struct cx_error *err) {
  double total = 0;
  long status = 0;
  curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &total);
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
  /* Do not keep a pointer to the caller's (secret) body. */
  curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, NULL);
  if (rc == CURLE_FILESIZE_EXCEEDED)
    x->too_large = true;
  const char *failure = NULL;
  if (rc != CURLE_OK)
    failure = x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc);
  return xfer_complete(x, status, total, failure, resp, err);
}

/* The transport answers req on slot x (already prepared). */
static enum cx_status serve_in_process(struct xfer *x,
                                       const struct cx_http_request *req,
                                       long timeout,
                                       struct cx_http_response *resp,
                                       struct cx_error *err) {
  struct cx_http *h = x->http;
  struct cx_transport_reply r = {.retry_after_s = -1};
  cx_ms_t t0 = now_ms(h);
  h->transport->serve(h->transport->ctx, req, timeout, &r);
  double elapsed = (double)(now_ms(h) - t0) / 1000.0;
  const char *failure = NULL;
  if (r.timed_out)
    failure = "Operation timed out";
  else if (r.failed)
    failure = "Connection refused";
  else if (r.body != NULL && !body_append(x, r.body, r.body_len))
    failure = x->too_large ? NULL : "out of memory";
  if (failure == NULL && !x->too_large) {
    if (r.ic_status != NULL)
      trim_copy(x->ic_status, sizeof(x->ic_status), r.ic_status,
                strlen(r.ic_status));
    x->retry_after_s = r.retry_after_s;
  }
  return xfer_complete(x, r.status, elapsed, failure, resp, err);
}

/* ------------------------------------------------------------ engine */

static enum cx_status ensure_slots(struct cx_http *h, unsigned n,
                                   struct cx_error *err) {
  for (; h->nslots < n; h->nslots++)
    if ((h->slots[h->nslots] = xfer_new(h)) == NULL)
      return cx_error_set(err, CX_ERR_NOMEM, 0, "http: out of memory");
  return CX_OK;
}

static enum cx_status run_in_process(struct cx_http *h, cx_http_next_fn next,
                                     cx_http_done_fn done, void *ctx,
                                     struct cx_error *err) {
  struct xfer *x = h->slots[0];
  struct cx_http_request req;
  while (memset(&req, 0, sizeof(req)), next(ctx, 0, &req)) {
    long timeout = 0;
    enum cx_status st = xfer_prepare(x, &req, &timeout, err);
    if (st != CX_OK)
      return st;
    struct cx_http_response resp;
    enum cx_status sent = serve_in_process(x, &req, timeout, &resp, err);
    st = done(ctx, 0, sent, &resp, err);
    cx_http_response_free(&resp);
    if (st != CX_OK)
      return st;
  }
  return CX_OK;
}

static enum cx_status multi_error(CURLMcode mc, struct cx_error *err) {
  return cx_error_set(err, mc == CURLM_OUT_OF_MEMORY ? CX_ERR_NOMEM
                                                     : CX_ERR_TRANSPORT,
                      0, "http: curl multi: %s", curl_multi_strerror(mc));
}

/* Starts the next request on every idle slot of [0, n).  *more: next() may
 * still have requests. */
static enum cx_status fill_slots(struct cx_http *h, unsigned n,
                                 cx_http_next_fn next, void *ctx,
                                 unsigned *busy, bool *more,
                                 struct cx_error *err) {
  for (unsigned i = 0; i < n && *more; i++) {
    struct xfer *x = h->slots[i];
    if (x->busy)
      continue;
    struct cx_http_request req = {0};
    if (!next(ctx, i, &req)) {
      *more = false;
      break;
    }
    long timeout = 0;
    enum cx_status st = xfer_prepare(x, &req, &timeout, err);
    if (st != CX_OK)
      return st;
    CURLMcode mc = curl_multi_add_handle(h->multi, x->easy);
    if (mc != CURLM_OK)
      return multi_error(mc, err);
    x->busy = true;
    (*busy)++;
  }
  return CX_OK;
}

/* Hands every finished transfer to done. */
static enum cx_status drain_done(struct cx_http *h, unsigned n,
                                 cx_http_done_fn done, void *ctx,
                                 unsigned *busy, bool *more,
                                 struct cx_error *err) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    unsigned slot = 0;
    while (slot < n && h->slots[slot]->easy != msg->easy_handle)
      slot++;
    assert(slot < n && h->slots[slot]->busy); /* only ours are in there */
    struct xfer *x = h->slots[slot];
    CURLcode result = msg->data.result;
    curl_multi_remove_handle(h->multi, x->easy);
    x->busy = false;
    (*busy)--;
    struct cx_http_response resp;
    enum cx_status sent = curl_complete(x, result, &resp, err);
    enum cx_status st = done(ctx, slot, sent, &resp, err);
    cx_http_response_free(&resp);
    if (st != CX_OK)
      return st;
    *more = true; /* what completed may have queued more */
  }
  return CX_OK;
}

enum cx_status cx_http_run(struct cx_http *h, unsigned parallel,
                           cx_http_next_fn next, cx_http_done_fn done,
                           void *ctx, struct cx_error *err) {
  if (h == NULL)
    return cx_error_set(err, CX_ERR_INVALID, 0, "http: no handle");
  assert(!h->running); /* done() must not start a run of its own */
  unsigned n = parallel == 0 ? 1 : parallel > MAX_PARALLEL ? MAX_PARALLEL
                                                           : parallel;
  if (h->transport != NULL)
    n = 1;
  enum cx_status st = ensure_slots(h, n, err);
  if (st != CX_OK)
    return st;
  h->running = true;
  if (h->transport != NULL) {
    st = run_in_process(h, next, done, ctx, err);
    h->running = false;
    return st;
  }

  unsigned busy = 0;
  bool more = true;
  for (;;) {
    if ((st = fill_slots(h, n, next, ctx, &busy, &more, err)) != CX_OK ||
        busy == 0)
      break;
    int running = 0;
    CURLMcode mc = curl_multi_perform(h->multi, &running);
    if (mc != CURLM_OK) {
      st = multi_error(mc, err);
      break;
    }
    /* Completed transfers first (done may queue follow-ups), then wait:
     * curl_multi_poll also honours libcurl's own timers, so freshly added
     * handles start without delay. */
    if ((st = drain_done(h, n, done, ctx, &busy, &more, err)) != CX_OK)
      break;
    if (busy > 0 && running > 0 &&
        (mc = curl_multi_poll(h->multi, NULL, 0, 1000, NULL)) != CURLM_OK) {
      st = multi_error(mc, err);
      break;
    }
  }
  /* Abandon what is still in flight (after an error). */
  for (unsigned i = 0; i < n; i++) {
    struct xfer *x = h->slots[i];
    if (!x->busy)
      continue;
    curl_multi_remove_handle(h->multi, x->easy);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
    wipe_slist(x->headers);
    x->headers = NULL;
    xfer_reset_response(x);
    x->busy = false;
  }
  h->running = false;
  return st;
}

/* cx_http_perform as a run of one. */
struct one {
  const struct cx_http_request *req;
  bool sent;
  enum cx_status st;
  struct cx_http_response *resp;
};

static bool one_next(void *ctx, unsigned slot, struct cx_http_request *req) {
  struct one *o = ctx;
  (void)slot;
  if (o->sent)
    return false;
  *req = *o->req;
  o->sent = true;
  return true;
}

static enum cx_status one_done(void *ctx, unsigned slot, enum cx_status sent,
                               struct cx_http_response *resp,
                               struct cx_error *err) {
  struct one *o = ctx;
  (void)slot;
  (void)err;
  o->st = sent;
  *o->resp = *resp; /* take the body over */
  resp->body = NULL;
  resp->body_len = 0;
  return CX_OK;
}

enum cx_status cx_http_perform(struct cx_http *http,
                               const struct cx_http_request *req,
                               struct cx_http_response *resp,
                               struct cx_error *err) {
  response_init(resp);
  struct one o = {.req = req, .st = CX_OK, .resp = resp};
  enum cx_status st = cx_http_run(http, 1, one_next, one_done, &o, err);
  return st != CX_OK ? st : o.st;
}

/* ---------------------------------------------------------- cx_http API */

struct cx_http *cx_http_create(const struct cx_http_options *opts) {
  assert(opts != NULL && opts->timeout_ms > 0 && opts->max_body > 0);
  struct cx_http *h = calloc(1, sizeof(*h));
  if (h == NULL)
    return NULL;
  h->verify_peer = opts->verify_peer;
  h->verify_host = opts->verify_host;
  h->timeout_ms = opts->timeout_ms;
  h->connect_timeout_ms = opts->connect_timeout_ms;
  h->max_body = opts->max_body;
  h->ca_file = cx_strdup_or_null(opts->ca_file);
  h->user_agent = cx_strdup_or_null(opts->user_agent != NULL ? opts->user_agent
                                                       : "collectd-cxone");
  if ((opts->ca_file != NULL && h->ca_file == NULL) || h->user_agent == NULL ||
      (h->multi = curl_multi_init()) == NULL) {
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
  for (unsigned i = 0; i < http->nslots; i++)
    xfer_free(http->slots[i]);
  if (http->multi != NULL)
    curl_multi_cleanup(http->multi);
  free(http->ca_file);
  free(http->user_agent);
  free(http);
}

void cx_http_set_transport(struct cx_http *http, const struct cx_transport *t) {
  if (http != NULL)
    http->transport = t;
}

void cx_http_set_deadline_ms(struct cx_http *http, long remaining_ms) {
  if (http == NULL)
    return;
  http->deadline = remaining_ms > 0 ? now_ms(http) + remaining_ms : 0;
}

const struct cx_http_stats *cx_http_stats(const struct cx_http *http) {
  return &http->stats;
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

static int global_refs;

/* libcurl's allocation goes through cx_wipe_alloc only when this call
 * comes first in the process: curl_global_init_mem() after another
 * initialisation just counts one more user.  curl exposes no way to ask, so
 * a probe (curl_easy_escape allocates) must come through the callbacks. */
enum cx_status cx_http_global_init(void) {
  if (global_refs++ > 0)
    return CX_OK;
  CURLcode rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, cx_walloc_malloc,
                                     cx_walloc_free, cx_walloc_realloc,
                                     cx_walloc_strdup, cx_walloc_calloc);
  if (rc != CURLE_OK) {
    global_refs = 0;
    cx_log(CX_LOG_ERR, "http: curl_global_init failed: %s",
           curl_easy_strerror(rc));
    return CX_ERR_TRANSPORT;
  }
  unsigned long before = cx_walloc_calls();
  char *probe = curl_easy_escape(NULL, "probe", 5);
  libcurl_wiping = probe != NULL && cx_walloc_calls() != before;
  curl_free(probe);
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  tls_cleanse = v != NULL && cx_wipe_tls_supported(v->ssl_version);
  if (!libcurl_wiping)
    cx_log(CX_LOG_WARNING, "http: libcurl was initialised before (by another "
           "plugin?): its copies of requests and responses are not wiped, so "
           "secrets and tokens may remain in core dumps");
  return CX_OK;
}

bool cx_http_global_wiping(void) { return libcurl_wiping; }

void cx_http_global_cleanup(void) {
  if (global_refs > 0 && --global_refs == 0)
    curl_global_cleanup();
}
