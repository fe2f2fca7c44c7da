/*
 * t_http.c: unit tests of cx_http.c (and cx_reply.c's status mapping):
 * percent-encoding, status mapping, and
 * real transfers against a throwaway plain-HTTP server on 127.0.0.1 (an
 * ephemeral port, one thread, canned responses): request headers, response
 * header capture, the size cap (with and without Content-Length), timeouts,
 * the deadline cap, Basic authentication of secrets with + / =.
 */
#define _GNU_SOURCE /* strcasestr */
#include "cx_http.h"
#include "cx_reply.h"
#include "unit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "b64.h"
#include "testsrv.h"

/* GET url (bearer may be NULL) through the engine. */
static enum cx_status get(struct cx_http *h, const char *url,
                          const char *bearer, struct cx_http_response *r,
                          struct cx_error *err) {
  const struct cx_http_request req = {.url = url, .bearer = bearer};
  return cx_http_perform(h, &req, r, err);
}

/* ------------------------------------------------------- loopback server */

struct srv {
  int fd;
  int port;
  pthread_t thread;
  volatile int stop;
  const char *canned;    /* raw response to send (whole) */
  size_t canned_len;
  int delay_ms;          /* sleep before answering */
  char last_request[8192];
};

static void *srv_main(void *arg) {
  struct srv *s = arg;
  while (!s->stop) {
    int c = testsrv_accept(s->fd);
    if (c < 0)
      continue;
    /* Answers even a short or oversized request: tests read last_request. */
    char *body;
    size_t body_len;
    testsrv_read(c, s->last_request, sizeof(s->last_request), &body,
                 &body_len);
    if (s->delay_ms > 0)
      usleep((useconds_t)s->delay_ms * 1000);
    size_t off = 0;
    while (off < s->canned_len) {
      ssize_t w = send(c, s->canned + off, s->canned_len - off, MSG_NOSIGNAL);
      if (w <= 0)
        break;
      off += (size_t)w;
    }
    close(c);
  }
  return NULL;
}

static int srv_start(struct srv *s) {
  memset(s, 0, sizeof(*s));
  if ((s->fd = testsrv_listen(16, &s->port)) < 0)
    return -1;
  return pthread_create(&s->thread, NULL, srv_main, s);
}

static void srv_stop(struct srv *s) {
  s->stop = 1;
  pthread_join(s->thread, NULL);
  close(s->fd);
}

static void srv_set(struct srv *s, const char *raw) {
  s->canned = raw;
  s->canned_len = strlen(raw);
}

static struct cx_http *new_http(size_t max_body, long timeout_ms) {
  struct cx_http_options o = {.verify_peer = true,
                              .verify_host = true,
                              .timeout_ms = timeout_ms,
                              .max_body = max_body,
                              .user_agent = "collectd-cxone/test"};
  return cx_http_create(&o);
}

/* ------------------------------------------------------------------ tests */

static void test_escape(void) {
  char *e = cx_http_escape("ab+/cd==");
  CHECK_EQ_STR(e, "ab%2B%2Fcd%3D%3D");
  free(e);
  e = cx_http_escape("AZaz09-._~");
  CHECK_EQ_STR(e, "AZaz09-._~");
  free(e);
  e = cx_http_escape("a b&c?d#e%f:g@h\xc3\xa9");
  CHECK_EQ_STR(e, "a%20b%26c%3Fd%23e%25f%3Ag%40h%C3%A9");
  free(e);
  e = cx_http_escape("");
  CHECK_EQ_STR(e, "");
  free(e);
  e = cx_http_escape("2024-05-01T00:00:00.000Z");
  CHECK_EQ_STR(e, "2024-05-01T00%3A00%3A00.000Z");
  free(e);
  CHECK(cx_http_escape(NULL) == NULL);
}

static void test_status_mapping(void) {
  static const struct {
    long status;
    enum cx_status want;
  } cases[] = {{401, CX_ERR_AUTH},      {403, CX_ERR_FORBIDDEN},
               {404, CX_ERR_NOT_FOUND}, {429, CX_ERR_THROTTLED},
               {500, CX_ERR_SERVER},    {503, CX_ERR_SERVER},
               {599, CX_ERR_SERVER},    {400, CX_ERR_BAD_REQUEST},
               {405, CX_ERR_BAD_REQUEST}, {422, CX_ERR_BAD_REQUEST},
               {0, CX_ERR_TRANSPORT}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct cx_http_response r = {.status = cases[i].status,
                                 .retry_after_s = -1};
    struct cx_error err;
    CHECK_EQ_INT(cx_reply_error(&r, "x", &err), cases[i].want);
    CHECK_EQ_INT(err.status, cases[i].want);
    CHECK_EQ_INT(err.http_status, cases[i].status);
  }
  struct cx_error err;
  struct cx_http_response r = {.status = 400, .retry_after_s = -1};
  snprintf(r.ic_status, sizeof(r.ic_status), "Invalid Start Date");
  cx_reply_error(&r, "agents/state-history", &err);
  CHECK_EQ_STR(err.message, "agents/state-history: HTTP 400 (Invalid Start Date)");

  char body[] = "{\"error\":\"BadRequest\",\"errorDescription\":\"Invalid Start "
                "Date\"}";
  r.body = body;
  r.body_len = strlen(body);
  cx_reply_error(&r, "agents/state-history", &err);
  CHECK_EQ_STR(err.message,
               "agents/state-history: HTTP 400 (BadRequest: Invalid Start Date)");
  r.ic_status[0] = '\0';
  r.status = 401;
  char body2[] = "{\"error\":\"invalid_client\",\"error_description\":\"bad\"}";
  r.body = body2;
  r.body_len = strlen(body2);
  cx_reply_error(&r, "token", &err);
  CHECK_EQ_STR(err.message, "token: HTTP 401 (invalid_client: bad)");
  struct cx_http_response t = {.status = 429, .retry_after_s = 7};
  cx_reply_error(&t, "agents/states", &err);
  CHECK_EQ_STR(err.message, "agents/states: HTTP 429, retry after 7 s");
  struct cx_http_response e = {.status = 503, .retry_after_s = -1};
  cx_reply_error(&e, "agents/states", &err);
  CHECK_EQ_STR(err.message, "agents/states: HTTP 503");
}

static void test_get_headers(void) {
  struct srv s;
  CHECK(srv_start(&s) == 0);
  srv_set(&s, "HTTP/1.1 400 Bad Request\r\nicstatusdescription: Invalid "
              "Start Date \r\nRETRY-AFTER: 12\r\nContent-Length: 2\r\n"
              "Connection: close\r\n\r\n{}");
  struct cx_http *h = new_http(1000, 5000);
  CHECK(h != NULL);
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/svc/agents/states?x=1", s.port);
  struct cx_http_response r;
  struct cx_error err;
  CHECK_EQ_INT(get(h, url, "tok.en", &r, &err), CX_OK);
  CHECK_EQ_INT(r.status, 400);
  CHECK_EQ_STR(r.ic_status, "Invalid Start Date");
  CHECK_EQ_INT(r.retry_after_s, 12);
  CHECK_EQ_INT(r.body_len, 2);
  CHECK_EQ_STR(r.body, "{}");
  CHECK_EQ_INT(cx_http_stats(h)->bytes, 2);
  CHECK_EQ_INT(cx_http_stats(h)->requests, 1);
  CHECK_EQ_INT(cx_http_stats(h)->failures, 1); /* a 400 */
  CHECK(strstr(s.last_request, "GET /svc/agents/states?x=1 HTTP/1.1\r\n") ==
        s.last_request);
  CHECK(strstr(s.last_request, "\r\nAccept: application/json\r\n") != NULL);
  CHECK(strstr(s.last_request, "\r\nUser-Agent: collectd-cxone/test\r\n") != NULL);
  CHECK(strstr(s.last_request, "\r\nAuthorization: Bearer tok.en\r\n") != NULL);
  cx_http_response_free(&r);

  /* Empty 204: body NULL; no bearer: no Authorization. */
  srv_set(&s, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_OK);
  CHECK_EQ_INT(r.status, 204);
  CHECK(r.body == NULL && r.body_len == 0);
  CHECK_EQ_STR(r.ic_status, "");
  CHECK_EQ_INT(r.retry_after_s, -1);
  CHECK(strstr(s.last_request, "Authorization") == NULL);
  cx_http_response_free(&r);

  /* Size cap: by Content-Length, and streamed (chunked, no length). */
  srv_set(&s, "HTTP/1.1 200 OK\r\nContent-Length: 1001\r\nConnection: "
              "close\r\n\r\n");
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_ERR_TRANSPORT);
  CHECK(strstr(err.message, "response larger than 1000 bytes") != NULL);
  CHECK(strstr(err.message, "x=1") == NULL);
  static char chunked[4096];
  size_t n = (size_t)snprintf(chunked, sizeof(chunked),
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                              "Connection: close\r\n\r\n");
  for (int i = 0; i < 4; i++)
    n += (size_t)snprintf(chunked + n, sizeof(chunked) - n, "12C\r\n%0300d\r\n",
                          0);
  snprintf(chunked + n, sizeof(chunked) - n, "0\r\n\r\n");
  srv_set(&s, chunked);
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_ERR_TRANSPORT);
  CHECK(strstr(err.message, "response larger than 1000 bytes") != NULL);
  CHECK(r.body == NULL);
  /* Exactly at the cap is fine. */
  static char exact[2048];
  n = (size_t)snprintf(exact, sizeof(exact),
                       "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: "
                       "close\r\n\r\n");
  memset(exact + n, 'a', 1000);
  exact[n + 1000] = '\0';
  srv_set(&s, exact);
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_OK);
  CHECK_EQ_INT(r.body_len, 1000);
  cx_http_response_free(&r);

  /* Timeout, then the deadline cap. */
  srv_set(&s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  s.delay_ms = 700;
  cx_http_set_deadline_ms(h, 200);
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_ERR_TRANSPORT);
  CHECK(r.elapsed_s < 0.6);
  usleep(250 * 1000);
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_ERR_TRANSPORT);
  CHECK(strstr(err.message, "budget") != NULL);
  cx_http_set_deadline_ms(h, 0);
  s.delay_ms = 0;
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_OK);
  CHECK_EQ_INT(r.status, 200);
  cx_http_response_free(&r);
  cx_http_destroy(h);
  usleep(800 * 1000); /* let the delayed answers drain */
  srv_stop(&s);

  /* Nothing listening: transport error naming the URL without its query. */
  h = new_http(1000, 2000);
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_ERR_TRANSPORT);
  CHECK(strstr(err.message, "GET http://127.0.0.1:") != NULL);
  CHECK(strstr(err.message, "x=1") == NULL);
  CHECK_EQ_INT(r.status, 0);
  cx_http_destroy(h);
}

static void test_post_basic(void) {
  struct srv s;
  CHECK(srv_start(&s) == 0);
  srv_set(&s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: "
              "close\r\n\r\nok");
  struct cx_http *h = new_http(1000, 5000);
  char url[128];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/auth/token", s.port);
  struct cx_http_response r;
  struct cx_error err;
  const char *body = "grant_type=password&username=a%2Bb&password=c%2F%3D";
  const struct cx_http_request post = {.url = url,
                                      .basic_user = "client+id",
                                      .basic_pass = "se/cr=et+",
                                      .form_body = body};
  CHECK_EQ_INT(cx_http_perform(h, &post, &r, &err), CX_OK);
  CHECK_EQ_INT(r.status, 200);
  cx_http_response_free(&r);
  CHECK(strstr(s.last_request, "POST /auth/token HTTP/1.1\r\n") == s.last_request);
  CHECK(strstr(s.last_request, "\r\nContent-Type: application/x-www-form-urlencoded\r\n") != NULL);
  CHECK(strstr(s.last_request, "\r\nAccept: application/json\r\n") != NULL);
  CHECK(strstr(s.last_request, "\r\n\r\ngrant_type=password&username=a%2Bb&password=c%2F%3D") != NULL);
  const char *auth = strstr(s.last_request, "\r\nAuthorization: Basic ");
  CHECK(auth != NULL);
  if (auth != NULL) {
    char dec[256];
    b64dec(auth + strlen("\r\nAuthorization: Basic "), dec);
    /* As given: the caller chooses the encoding (cx_auth.c). */
    CHECK_EQ_STR(dec, "client+id:se/cr=et+");
  }
  /* A GET after a POST on the same handle is a plain GET. */
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/after", s.port);
  CHECK_EQ_INT(get(h, url, NULL, &r, &err), CX_OK);
  CHECK(strstr(s.last_request, "GET /after HTTP/1.1\r\n") == s.last_request);
  CHECK(strstr(s.last_request, "Content-Type") == NULL);
  cx_http_response_free(&r);
  cx_http_destroy(h);
  srv_stop(&s);
}

int main(void) {
  if (cx_http_global_init() != CX_OK)
    return 1;
  RUN(test_escape);
  RUN(test_status_mapping);
  RUN(test_get_headers);
  RUN(test_post_basic);
  cx_http_global_cleanup();
  return unit_finish();
}
