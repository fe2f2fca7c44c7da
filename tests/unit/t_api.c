/*
 * t_api.c: unit tests of cx_api.c against a throwaway CXone stand-in: plain
 * HTTP on 127.0.0.1 (ephemeral port), one server thread answering canned
 * documents, which also decodes and records what the client sent.
 *
 * Covers: discovery -> token -> cxone-configuration; the form body and Basic
 * header carrying secrets with + / = intact; client_secret_post; tenantId
 * from the id_token; token reuse and expiry (injected clock); 401 -> one
 * re-authentication and retry; state history paged by _links.next (absolute
 * and relative) and by skip/top; 204; 404; loop guard; the curl-multi
 * per-agent path (404 skipped, 401 mid-run); state history asked for with
 * fields=, and a server refusing them (400) answered by the same request
 * without, remembered; agents/states paging and 304; skills/activity and
 * skills/summary (pages, fields=, 304, 403/404, their own fields= memory);
 * no secret or token in
 * any log line or error message.
 */
#define _GNU_SOURCE
#include "cx_api.h"
#include "cx_log.h"
#include "unit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "b64.h"
#include "testsrv.h"

#define CLIENT_ID "cli+ent/1="
#define CLIENT_SECRET "s3cr+t/=="
#define AK_ID "AK+/=id"
#define AK_SECRET "SK==+/x&y"
#define TENANT "tnt-1"

/* ----------------------------------------------------------- the server */

struct req {
  char method[8];
  char target[1024];
  char auth[512];
  char body[1024];
};

#define MAX_REQS 256

static struct {
  int fd, port;
  pthread_t thread;
  volatile int stop;
  pthread_mutex_t lock;
  struct req reqs[MAX_REQS];
  int nreqs;
  /* Behaviour switches. */
  long expires_in;
  int tenant_in_id_token; /* access token lacks tenantId */
  int token_seq;          /* tokens issued */
  int revoked_seq;        /* tokens with seq <= this are refused */
  int always_401;
  int token_refuse;
  int basic_rfc6749;      /* accept only form-encoded Basic credentials */
  char hist_mode[16];     /* "next", "skip", "204", "400", "404", "loop",
                             "cycle" */
  int refuse_fields;      /* state-history with fields= -> 400 */
  int refuse_skill_fields;/* skills calls with fields= -> 400 */
  int skills_status;      /* skills/activity answers this (0: serves) */
  char first_query[1024];
} S;

static void url_decode(const char *s, size_t n, char *out, size_t size) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 1 < size; i++) {
    if (s[i] == '%' && i + 2 < n) {
      char h[3] = {s[i + 1], s[i + 2], 0};
      out[o++] = (char)strtol(h, NULL, 16);
      i += 2;
    } else if (s[i] == '+') {
      out[o++] = ' ';
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
}

/* Value of form/query field `key` in "a=1&b=2" (decoded), or "" . */
static void field(const char *q, const char *key, char *out, size_t size) {
  size_t kl = strlen(key);
  out[0] = '\0';
  for (const char *p = q; p != NULL && *p;) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
      url_decode(p + kl + 1, len - kl - 1, out, size);
      return;
    }
    p = amp ? amp + 1 : NULL;
  }
}

static bool has_field(const char *q, const char *key) {
  char k[64];
  snprintf(k, sizeof(k), "%s=", key);
  for (const char *p = q; p != NULL && *p;) {
    if (strncmp(p, k, strlen(k)) == 0)
      return true;
    p = strchr(p, '&');
    if (p)
      p++;
  }
  return false;
}

/* True when an "Authorization" value is "Basic b64(user:pass)". */
static int basic_is(const char *auth, const char *user, const char *pass) {
  char dec[256], want[256];
  if (strncmp(auth, "Basic ", 6) != 0)
    return 0;
  b64dec(auth + 6, dec);
  snprintf(want, sizeof(want), "%s:%s", user, pass);
  return strcmp(dec, want) == 0;
}

/* The token string the server issues as number seq. */
static void make_jwt(int seq, bool with_tenant, char *out, size_t size) {
  char payload[256], enc[400];
  snprintf(payload, sizeof(payload),
           "{\"iss\":\"test\",%s\"seq\":%d,\"exp\":1700003600}",
           with_tenant ? "\"tenantId\":\"" TENANT "\"," : "", seq);
  b64url(payload, strlen(payload), false, enc);
  snprintf(out, size, "eyJhbGciOiJub25lIn0.%s.c2lnX3Rva2VuX3NlY3JldA", enc);
}

/* Bearer token -> seq, 0 when not one of ours. */
static int bearer_seq(const char *auth) {
  const char *b = "Bearer ";
  if (strncmp(auth, b, strlen(b)) != 0)
    return 0;
  for (int i = S.token_seq; i >= 1; i--) {
    char jwt[512];
    make_jwt(i, !S.tenant_in_id_token, jwt, sizeof(jwt));
    if (strcmp(auth + strlen(b), jwt) == 0)
      return i;
  }
  return 0;
}

struct answer {
  int status;
  char headers[256];
  char body[8192];
};

#define BASE "/inContactAPI/services/v30.0/"

static void hist_record(char *buf, size_t size, long agent, int idx) {
  snprintf(buf, size,
           "{\"agentId\":%ld,\"agentStateId\":1,\"stateIndex\":%d,"
           "\"startDate\":\"2024-05-01T00:%02d:00Z\",\"duration\":\"PT1M\"}",
           agent, idx, idx);
}

static void api_route(const struct req *r, const char *path, const char *query,
                      struct answer *a) {
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", S.port);
  int seq = bearer_seq(r->auth);
  if (seq == 0 || seq <= S.revoked_seq || S.always_401) {
    a->status = 401;
    snprintf(a->body, sizeof(a->body), "{\"error\":\"invalid_token\"}");
    return;
  }
  bool history = strcmp(path, BASE "agents/state-history") == 0 ||
                 (strncmp(path, BASE "agents/", strlen(BASE "agents/")) == 0 &&
                  strstr(path, "/state-history") != NULL);
  if (history && ((S.refuse_fields && has_field(query, "fields")) ||
                  strcmp(S.hist_mode, "400") == 0)) {
    a->status = 400;
    snprintf(a->headers, sizeof(a->headers), "icStatusDescription: %s\r\n",
             S.refuse_fields ? "Invalid fields" : "Invalid Start Date");
    return;
  }
  if (strcmp(path, BASE "agents/state-history") == 0) {
    char rec[256], rec2[256], pg[16];
    field(query, "page", pg, sizeof(pg));
    int page = pg[0] ? atoi(pg) : 1;
    if (strcmp(S.hist_mode, "204") == 0) {
      a->status = 204;
      return;
    }
    if (strcmp(S.hist_mode, "404") == 0) {
      a->status = 404;
      snprintf(a->headers, sizeof(a->headers),
               "icStatusDescription: Not found\r\n");
      return;
    }
    if (strcmp(S.hist_mode, "loop") == 0) {
      hist_record(rec, sizeof(rec), 1, 1);
      snprintf(a->body, sizeof(a->body),
               "{\"_links\":{\"next\":\"%s%s?%s\"},\"agentStateHistory\":[%s]}",
               url, path, query, rec);
      a->status = 200;
      return;
    }
    if (strcmp(S.hist_mode, "cycle") == 0) { /* page 1 -> 2 -> 1 ... */
      hist_record(rec, sizeof(rec), 1, page);
      char next[2300];
      if (page == 1) {
        snprintf(S.first_query, sizeof(S.first_query), "%s", query);
        snprintf(next, sizeof(next), "%s?page=2", path);
      } else {
        snprintf(next, sizeof(next), "%.255s%.1000s?%.1000s", url, path,
                 S.first_query);
      }
      snprintf(a->body, sizeof(a->body),
               "{\"_links\":{\"next\":\"%s\"},\"agentStateHistory\":[%s]}",
               next, rec);
      a->status = 200;
      return;
    }
    if (strcmp(S.hist_mode, "skip") == 0) {
      char sk[16], tp[16];
      field(query, "skip", sk, sizeof(sk));
      field(query, "top", tp, sizeof(tp));
      int skip = atoi(sk), top = tp[0] ? atoi(tp) : 2;
      char recs[2048] = "";
      for (int i = skip; i < skip + top && i < 5; i++) {
        hist_record(rec, sizeof(rec), 1, i + 1);
        strcat(recs, recs[0] ? "," : "");
        strcat(recs, rec);
      }
      snprintf(a->body, sizeof(a->body),
               "{\"totalRecords\":5,\"_links\":{\"next\":null},"
               "\"agentStateHistory\":[%s]}",
               recs);
      a->status = 200;
      return;
    }
    /* "next": page 1 -> absolute link, page 2 -> relative, page 3 last. */
    hist_record(rec, sizeof(rec), 1, page * 2 - 1);
    hist_record(rec2, sizeof(rec2), 2, page * 2);
    char next[2300] = "null";
    if (page == 1)
      snprintf(next, sizeof(next), "\"%s%s?page=2\"", url, path);
    else if (page == 2)
      snprintf(next, sizeof(next), "\"%s?page=3\"", path);
    snprintf(a->body, sizeof(a->body),
             "{\"totalRecords\":6,\"_links\":{\"self\":\"x\",\"next\":%s},"
             "\"agentStateHistory\":[%s,%s,{\"bad\":1}]}",
             next, rec, rec2);
    a->status = 200;
    return;
  }
  long agent;
  int consumed = 0;
  if (sscanf(path, BASE "agents/%ld/state-history%n", &agent, &consumed) == 1 &&
      path[consumed] == '\0') {
    if (agent == 404) {
      a->status = 404;
      snprintf(a->headers, sizeof(a->headers),
               "icStatusDescription: Invalid Agent Id\r\n");
      return;
    }
    char rec[256], pg[16];
    field(query, "page", pg, sizeof(pg));
    int page = pg[0] ? atoi(pg) : 1;
    hist_record(rec, sizeof(rec), agent, page);
    char next[2300] = "null";
    if (page == 1)
      snprintf(next, sizeof(next), "\"%s?page=2\"", path + strlen(BASE));
    snprintf(a->body, sizeof(a->body),
             "{\"_links\":{\"next\":%s},\"agentStateHistory\":[%s]}", next, rec);
    a->status = 200;
    return;
  }
  if (strcmp(path, BASE "agents/states") == 0) {
    char us[64], pg[16];
    field(query, "updatedSince", us, sizeof(us));
    field(query, "page", pg, sizeof(pg));
    if (strcmp(us, "2024-05-01T12:00:05.000Z") == 0) {
      a->status = 304;
      return;
    }
    a->status = 200;
    if (pg[0] == '\0')
      snprintf(a->body, sizeof(a->body),
               "{\"lastPollTime\":\"2024-05-01T12:00:05.000Z\",\"_links\":{"
               "\"next\":\"%s%s?page=2\"},\"agentStates\":["
               "{\"agentId\":1,\"agentStateId\":1,\"startDate\":"
               "\"2024-05-01T11:00:00Z\",\"teamName\":\"T1\"},"
               "{\"agentId\":2,\"agentStateId\":2,\"startDate\":"
               "\"2024-05-01T11:00:00Z\",\"outStateDescription\":\"Lunch\"}]}",
               url, path);
    else
      snprintf(a->body, sizeof(a->body),
               "{\"lastPollTime\":\"2024-05-01T12:00:06.000Z\",\"_links\":{"
               "\"next\":null},\"agentStates\":[{\"agentId\":3,"
               "\"agentStateName\":\"Dialer\",\"startDate\":"
               "\"2024-05-01T11:00:00Z\"}]}");
    return;
  }
  bool skills = strcmp(path, BASE "skills/activity") == 0,
       summary = strcmp(path, BASE "skills/summary") == 0;
  if ((skills || summary) && S.refuse_skill_fields &&
      has_field(query, "fields")) {
    a->status = 400;
    snprintf(a->headers, sizeof(a->headers),
             "icStatusDescription: Invalid fields\r\n");
    return;
  }
  if (skills && S.skills_status != 0) {
    a->status = S.skills_status;
    snprintf(a->headers, sizeof(a->headers),
             "icStatusDescription: Forbidden\r\n");
    return;
  }
  if (skills) { /* two pages by a relative next link; 304 to a delta */
    char us[64], pg[16];
    field(query, "updatedSince", us, sizeof(us));
    field(query, "page", pg, sizeof(pg));
    a->status = us[0] ? 304 : 200;
    if (us[0] == '\0' && pg[0] == '\0')
      snprintf(a->body, sizeof(a->body),
               "{\"totalRecords\":3,\"lastPollTime\":"
               "\"2024-05-01T12:00:05.000Z\",\"_links\":{\"next\":"
               "\"skills/activity?page=2\"},\"skillActivity\":["
               "{\"skillId\":11,\"skillName\":\"Billing\",\"queueCount\":2},"
               "{\"skillId\":12,\"queueCount\":\"x\"}]}");
    else if (us[0] == '\0')
      snprintf(a->body, sizeof(a->body),
               "{\"lastPollTime\":\"2024-05-01T12:00:06.000Z\",\"_links\":"
               "{\"next\":null},\"skillActivity\":[{\"skillId\":13}]}");
    return;
  }
  if (summary) {
    a->status = 200;
    snprintf(a->body, sizeof(a->body),
             "{\"skillSummaries\":[{\"skillId\":11,\"contactsOffered\":9,"
             "\"averageHandleTime\":\"PT2M\"}]}");
    return;
  }
  a->status = 404;
}

static void route(const struct req *r, struct answer *a) {
  char path[1024], query[1024] = "";
  snprintf(path, sizeof(path), "%s", r->target);
  char *q = strchr(path, '?');
  if (q != NULL) {
    snprintf(query, sizeof(query), "%s", q + 1);
    *q = '\0';
  }
  a->status = 404;
  a->headers[0] = a->body[0] = '\0';
  if (strcmp(path, "/.well-known/openid-configuration") == 0) {
    a->status = 200;
    snprintf(a->body, sizeof(a->body),
             "{\"issuer\":\"x\",\"token_endpoint\":"
             "\"http://127.0.0.1:%d/auth/token\"}",
             S.port);
  } else if (strcmp(path, "/auth/token") == 0 &&
             strcmp(r->method, "POST") == 0) {
    if (S.basic_rfc6749 && !basic_is(r->auth, "cli%2Bent%2F1%3D",
                                     "s3cr%2Bt%2F%3D%3D")) {
      a->status = 401;
      snprintf(a->body, sizeof(a->body),
               "{\"error\":\"invalid_client\",\"error_description\":"
               "\"unknown client\"}");
      return;
    }
    if (S.token_refuse) {
      a->status = 400;
      snprintf(a->body, sizeof(a->body),
               "{\"error\":\"invalid_grant\",\"error_description\":\"bad "
               "credentials\"}");
      return;
    }
    S.token_seq++;
    char at[512], it[512], exp[64] = "";
    make_jwt(S.token_seq, !S.tenant_in_id_token, at, sizeof(at));
    make_jwt(S.token_seq, true, it, sizeof(it));
    if (S.expires_in > 0)
      snprintf(exp, sizeof(exp), "\"expires_in\":%ld,", S.expires_in);
    a->status = 200;
    snprintf(a->body, sizeof(a->body),
             "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",%s"
             "\"id_token\":\"%s\",\"refresh_token\":\"rt\"}",
             at, exp, it);
  } else if (strcmp(path, "/.well-known/cxone-configuration") == 0) {
    char t[64];
    field(query, "tenantId", t, sizeof(t));
    if (strcmp(t, TENANT) == 0) {
      a->status = 200;
      snprintf(a->body, sizeof(a->body),
               "{\"area\":\"na1\",\"api_endpoint\":\"http://127.0.0.1:%d/\"}",
               S.port);
    }
  } else if (strncmp(path, "/inContactAPI/", 14) == 0) {
    api_route(r, path, query, a);
  }
}

static const char *reason_phrase(int s) {
  switch (s) {
  case 200: return "OK";
  case 204: return "No Content";
  case 304: return "Not Modified";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  default: return "Not Found";
  }
}

static void serve(int c) {
  char buf[8192], *body;
  size_t want;
  if (testsrv_read(c, buf, sizeof(buf), &body, &want) != 0)
    return;
  struct req rq;
  memset(&rq, 0, sizeof(rq));
  sscanf(buf, "%7s %1023s", rq.method, rq.target);
  const char *au = strcasestr(buf, "\r\nAuthorization: ");
  if (au != NULL && au < body) {
    au += strlen("\r\nAuthorization: ");
    size_t l = strcspn(au, "\r");
    snprintf(rq.auth, sizeof(rq.auth), "%.*s", (int)l, au);
  }
  snprintf(rq.body, sizeof(rq.body), "%.*s", (int)want, body);
  static struct answer a;
  pthread_mutex_lock(&S.lock);
  if (S.nreqs < MAX_REQS)
    S.reqs[S.nreqs++] = rq;
  route(&rq, &a);
  pthread_mutex_unlock(&S.lock);
  char head[512];
  int hl = snprintf(head, sizeof(head),
                    "HTTP/1.1 %d %s\r\n%sContent-Length: %zu\r\n"
                    "Content-Type: application/json\r\nConnection: close\r\n\r\n",
                    a.status, reason_phrase(a.status), a.headers,
                    a.status == 204 || a.status == 304 ? 0 : strlen(a.body));
  send(c, head, (size_t)hl, MSG_NOSIGNAL);
  if (a.status != 204 && a.status != 304)
    send(c, a.body, strlen(a.body), MSG_NOSIGNAL);
}

static void *srv_main(void *arg) {
  (void)arg;
  while (!S.stop) {
    int c = testsrv_accept(S.fd);
    if (c < 0)
      continue;
    serve(c);
    close(c);
  }
  return NULL;
}

static void srv_start(void) {
  if ((S.fd = testsrv_listen(64, &S.port)) < 0) {
    perror("test server");
    exit(2);
  }
  pthread_mutex_init(&S.lock, NULL);
  pthread_create(&S.thread, NULL, srv_main, NULL);
}

static void srv_stop(void) {
  S.stop = 1;
  pthread_join(S.thread, NULL);
  close(S.fd);
}

/* Resets the request log and the switches. */
static void srv_reset(void) {
  pthread_mutex_lock(&S.lock);
  S.nreqs = 0;
  S.expires_in = 3600;
  S.tenant_in_id_token = 0;
  S.revoked_seq = S.token_seq;
  S.always_401 = 0;
  S.token_refuse = 0;
  S.basic_rfc6749 = 0;
  S.refuse_fields = 0;
  S.refuse_skill_fields = 0;
  S.skills_status = 0;
  snprintf(S.hist_mode, sizeof(S.hist_mode), "next");
  pthread_mutex_unlock(&S.lock);
}

/* The columns cx_json reads from a state-history record: both team names
 * (servers differ), agentStateName (the fallback of agentStateId). */
#define HISTORY_FIELDS                                                         \
  "agentId,agentStateId,agentStateName,startDate,duration,"                    \
  "outStateDescription,teamId,teamNo,agentSessionId,stateIndex"
#define HISTORY_FIELDS_ESCAPED                                                 \
  "agentId%2CagentStateId%2CagentStateName%2CstartDate%2Cduration%2C"          \
  "outStateDescription%2CteamId%2CteamNo%2CagentSessionId%2CstateIndex"

/* Requests whose target starts with prefix and that do / do not carry
 * fields=; with_fields -1: either. */
static int count_fields_reqs(const char *prefix, int with_fields) {
  int n = 0;
  pthread_mutex_lock(&S.lock);
  for (int i = 0; i < S.nreqs; i++) {
    const char *q = strchr(S.reqs[i].target, '?');
    if (strncmp(S.reqs[i].target, prefix, strlen(prefix)) == 0 &&
        (with_fields < 0 || has_field(q ? q + 1 : "", "fields") == with_fields))
      n++;
  }
  pthread_mutex_unlock(&S.lock);
  return n;
}

static int count_reqs(const char *prefix) {
  int n = 0;
  pthread_mutex_lock(&S.lock);
  for (int i = 0; i < S.nreqs; i++)
    if (strncmp(S.reqs[i].target, prefix, strlen(prefix)) == 0)
      n++;
  pthread_mutex_unlock(&S.lock);
  return n;
}

/* ------------------------------------------------------- client helpers */

static char issuer[128];
static cx_ms_t fake_now;
static cx_ms_t fake_clock(void) { return fake_now; }

/* Every log line, checked for secrets at the end. */
static char logbuf[65536];
static size_t loglen;
static void sink(enum cx_log_level level, const char *msg) {
  (void)level;
  int n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%s\n", msg);
  if (n > 0 && loglen + (size_t)n < sizeof(logbuf))
    loglen += (size_t)n;
}

static struct cx_http *http;

static struct cx_api *new_api(enum cx_client_auth ca, const char *endpoint) {
  struct cx_api_config c = {.issuer = issuer,
                            .client_id = CLIENT_ID,
                            .client_secret = CLIENT_SECRET,
                            .access_key_id = AK_ID,
                            .access_key_secret = AK_SECRET,
                            .api_endpoint = endpoint,
                            .api_version = NULL,
                            .client_auth = ca};
  struct cx_api *api = cx_api_create(&c, http);
  cx_api_set_clock(api, fake_clock);
  return api;
}

static bool secret_free(const char *s) {
  char jwt[512];
  make_jwt(1, true, jwt, sizeof(jwt));
  return strstr(s, CLIENT_SECRET) == NULL && strstr(s, AK_SECRET) == NULL &&
         strstr(s, "s3cr%2Bt") == NULL && strstr(s, "SK%3D%3D") == NULL &&
         strstr(s, "c2lnX3Rva2VuX3NlY3JldA") == NULL &&
         strstr(s, "Bearer") == NULL && strstr(s, "Basic") == NULL;
}

struct collect {
  int pages, records;
  long agents_seen[16];
  int fail_after;
};

static enum cx_status collect_fn(void *ctx, const struct cx_history_page *pg) {
  struct collect *c = ctx;
  c->pages++;
  c->records += (int)pg->count;
  for (size_t i = 0; i < pg->count; i++)
    if (pg->records[i].agent_id >= 0 && pg->records[i].agent_id < 16)
      c->agents_seen[pg->records[i].agent_id]++;
  if (c->fail_after > 0 && c->pages >= c->fail_after)
    return CX_ERR_INVALID;
  return CX_OK;
}

/* ------------------------------------------------------------------ tests */

/* A full agents/states snapshot, its records dropped. */
static enum cx_status get_states(struct cx_api *api, struct cx_error *err) {
  struct cx_states_page page;
  int changed;
  enum cx_status st = cx_api_agent_states(api, NULL, NULL, &page, &changed, err);
  cx_states_page_free(&page);
  return st;
}

static void test_auth_basic_rfc6749_fallback(void) {
  srv_reset();
  S.basic_rfc6749 = 1;
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  /* Refused as is, accepted form-encoded: two token requests. */
  CHECK_EQ_INT(count_reqs("/auth/token"), 2);
  if (S.nreqs >= 3) {
    CHECK(basic_is(S.reqs[1].auth, CLIENT_ID, CLIENT_SECRET));
    CHECK(basic_is(S.reqs[2].auth, "cli%2Bent%2F1%3D", "s3cr%2Bt%2F%3D%3D"));
  }
  /* The accepted form is kept: the next token takes one request. */
  fake_now += 3600 * 1000;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 3);
  /* A client refused either way fails with the server's reason. */
  srv_reset();
  S.basic_rfc6749 = 1;
  struct cx_api_config c = {.issuer = issuer, .client_id = "other+id",
                            .client_secret = CLIENT_SECRET,
                            .access_key_id = AK_ID,
                            .access_key_secret = AK_SECRET};
  struct cx_api *bad = cx_api_create(&c, http);
  cx_api_set_clock(bad, fake_clock);
  CHECK_EQ_INT(cx_api_authenticate(bad, &err), CX_ERR_AUTH);
  CHECK(strstr(err.message, "invalid_client") != NULL);
  CHECK_EQ_INT(count_reqs("/auth/token"), 2);
  cx_api_destroy(bad);
  cx_api_destroy(api);
}

static void test_auth_basic(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  /* The transport (and its counters) is shared by every test. */
  const struct cx_api_stats st0 = cx_api_stats(api);
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_STR(cx_api_tenant_id(api), TENANT);
  char want[256];
  snprintf(want, sizeof(want), "http://127.0.0.1:%d/inContactAPI/services/v30.0/",
           S.port);
  CHECK_EQ_STR(cx_api_base_url(api), want);
  CHECK_EQ_INT(cx_api_token_expiry(api), fake_now + 3600000);
  CHECK_EQ_INT(S.nreqs, 3);
  if (S.nreqs == 3) {
    CHECK_EQ_STR(S.reqs[0].target, "/.well-known/openid-configuration");
    CHECK_EQ_STR(S.reqs[1].target, "/auth/token");
    CHECK_EQ_STR(S.reqs[2].target,
                 "/.well-known/cxone-configuration?tenantId=" TENANT);
    CHECK_EQ_STR(S.reqs[0].auth, "");
    const struct req *t = &S.reqs[1];
    CHECK_EQ_STR(t->method, "POST");
    char v[256];
    field(t->body, "grant_type", v, sizeof(v));
    CHECK_EQ_STR(v, "password");
    field(t->body, "username", v, sizeof(v));
    CHECK_EQ_STR(v, AK_ID);
    field(t->body, "password", v, sizeof(v));
    CHECK_EQ_STR(v, AK_SECRET);
    CHECK(!has_field(t->body, "client_id"));
    CHECK(!has_field(t->body, "client_secret"));
    CHECK(strncmp(t->auth, "Basic ", 6) == 0);
    /* CXone's documented form: base64(client_id:client_secret), as is. */
    CHECK(basic_is(t->auth, CLIENT_ID, CLIENT_SECRET));
  }
  /* Reuse: no new request. */
  fake_now += 3000 * 1000;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(S.nreqs, 3);
  CHECK_EQ_INT(get_states(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 1);
  CHECK_EQ_INT(S.nreqs, 5); /* agents/states has two pages */
  CHECK(strncmp(S.reqs[3].auth, "Bearer eyJ", 10) == 0);
  const struct cx_api_stats st = cx_api_stats(api);
  CHECK_EQ_INT(st.requests - st0.requests, 5);
  CHECK_EQ_INT(st.auth_requests, 1);
  CHECK_EQ_INT(st.failures - st0.failures, 0);
  CHECK(st.bytes > st0.bytes);
  cx_api_destroy(api);
}

static void test_auth_post_and_id_token(void) {
  srv_reset();
  S.tenant_in_id_token = 1;
  char ep[128];
  snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/", S.port);
  struct cx_api *api = new_api(CX_CLIENT_AUTH_POST, ep);
  struct cx_error err;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_STR(cx_api_tenant_id(api), TENANT); /* from the id_token */
  CHECK_EQ_INT(S.nreqs, 2);                     /* no cxone-configuration */
  CHECK_EQ_INT(count_reqs("/.well-known/cxone-configuration"), 0);
  if (S.nreqs >= 2) {
    const struct req *t = &S.reqs[1];
    CHECK_EQ_STR(t->auth, "");
    char v[256];
    field(t->body, "client_id", v, sizeof(v));
    CHECK_EQ_STR(v, CLIENT_ID);
    field(t->body, "client_secret", v, sizeof(v));
    CHECK_EQ_STR(v, CLIENT_SECRET);
    field(t->body, "password", v, sizeof(v));
    CHECK_EQ_STR(v, AK_SECRET);
  }
  char want[256];
  snprintf(want, sizeof(want), "http://127.0.0.1:%d/inContactAPI/services/v30.0/",
           S.port);
  CHECK_EQ_STR(cx_api_base_url(api), want);
  cx_api_destroy(api);
}

static void test_expiry(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  cx_ms_t t0 = fake_now;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  fake_now = t0 + (3600 - 301) * 1000LL;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 1);
  fake_now = t0 + (3600 - 299) * 1000LL;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 2);
  /* Discovery is not repeated. */
  CHECK_EQ_INT(count_reqs("/.well-known/openid-configuration"), 1);
  CHECK_EQ_INT(count_reqs("/.well-known/cxone-configuration"), 1);
  /* Short-lived token (300 s): reused until 90% of its life. */
  S.expires_in = 300;
  cx_api_invalidate_token(api);
  t0 = fake_now;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 3);
  fake_now = t0 + 269 * 1000;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 3);
  fake_now = t0 + 271 * 1000;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 4);
  /* No expires_in: 3600 assumed. */
  S.expires_in = 0;
  cx_api_invalidate_token(api);
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  CHECK_EQ_INT(cx_api_token_expiry(api), fake_now + 3600000);
  cx_api_destroy(api);
}

static void test_401_retry(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_OK);
  S.revoked_seq = S.token_seq; /* server forgets the token */
  CHECK_EQ_INT(get_states(api, &err), CX_OK);
  CHECK_EQ_INT(count_reqs("/auth/token"), 2);
  CHECK_EQ_INT(count_reqs("/inContactAPI/"), 3); /* 401, page 1, page 2 */
  /* Persistent 401: exactly one re-authentication and one retry. */
  S.always_401 = 1;
  CHECK_EQ_INT(get_states(api, &err), CX_ERR_AUTH);
  CHECK_EQ_INT(err.http_status, 401);
  CHECK(strstr(err.message, "agents/states: HTTP 401") != NULL);
  CHECK_EQ_INT(count_reqs("/auth/token"), 3);
  CHECK_EQ_INT(count_reqs("/inContactAPI/"), 5);
  /* Refused token request: CX_ERR_AUTH with the OAuth reason. */
  S.always_401 = 0;
  S.token_refuse = 1;
  cx_api_invalidate_token(api);
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_ERR_AUTH);
  CHECK(strstr(err.message, "invalid_grant") != NULL);
  CHECK(secret_free(err.message));
  cx_api_destroy(api);
}

static void test_history_next(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  struct collect c = {0};
  cx_ms_t s, e;
  cx_time_parse("2024-05-01T00:00:00Z", &s);
  cx_time_parse("2024-05-01T01:00:00.5Z", &e);
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 100, collect_fn, &c,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c.pages, 3);
  CHECK_EQ_INT(c.records, 6);
  CHECK_EQ_INT(count_reqs(BASE "agents/state-history"), 3);
  CHECK_EQ_INT(count_reqs(BASE "agents/state-history?startDate=2024-05-01T00%3A00"
                               "%3A00.000Z&endDate=2024-05-01T01%3A00%3A00.500Z"
                               "&fields=" HISTORY_FIELDS_ESCAPED "&top=100"),
               1);
  CHECK_EQ_INT(count_reqs(BASE "agents/state-history?page=2"), 1);
  CHECK_EQ_INT(count_reqs(BASE "agents/state-history?page=3"), 1);
  /* The callback's error stops the walk. */
  struct collect c2 = {.fail_after = 1};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c2,
                                    &err),
               CX_ERR_INVALID);
  CHECK_EQ_INT(c2.pages, 1);
  /* Per-agent path. */
  struct collect c3 = {0};
  CHECK_EQ_INT(cx_api_state_history(api, 7, s, e, 0, collect_fn, &c3, &err),
               CX_OK);
  CHECK_EQ_INT(c3.records, 2);
  CHECK_EQ_INT(c3.agents_seen[7], 2);
  cx_api_destroy(api);
}

static void test_history_skip_204_404_loop(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  cx_ms_t s = 1714521600000, e = s + 3600000;
  snprintf(S.hist_mode, sizeof(S.hist_mode), "skip");
  struct collect c = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 2, collect_fn, &c,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c.records, 5);
  CHECK_EQ_INT(c.pages, 3);
  CHECK_EQ_INT(count_reqs(BASE "agents/state-history?"), 3);
  pthread_mutex_lock(&S.lock);
  int n = S.nreqs;
  CHECK(n >= 2 && strstr(S.reqs[n - 2].target, "&skip=2&top=2") != NULL);
  CHECK(n >= 1 && strstr(S.reqs[n - 1].target, "&skip=4&top=2") != NULL);
  pthread_mutex_unlock(&S.lock);
  /* Without top, the page size the server chose. */
  struct collect c1 = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c1,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c1.records, 5);

  snprintf(S.hist_mode, sizeof(S.hist_mode), "204");
  struct collect c2 = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c2,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c2.pages, 0);

  snprintf(S.hist_mode, sizeof(S.hist_mode), "404");
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c2,
                                    &err),
               CX_ERR_NOT_FOUND);
  CHECK_EQ_STR(err.message, "agents/state-history: HTTP 404 (Not found)");

  snprintf(S.hist_mode, sizeof(S.hist_mode), "loop");
  struct collect c3 = {0};
  int before = count_reqs(BASE);
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c3,
                                    &err),
               CX_OK);
  /* The next link repeats the request: one page, then stop. */
  CHECK_EQ_INT(count_reqs(BASE) - before, 1);
  CHECK_EQ_INT(c3.pages, 1);

  snprintf(S.hist_mode, sizeof(S.hist_mode), "cycle");
  struct collect c4 = {0};
  before = count_reqs(BASE);
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c4,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(count_reqs(BASE) - before, 2);
  CHECK_EQ_INT(c4.pages, 2);

  /* Bad range. */
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, e, s, 0, collect_fn, &c3,
                                    &err),
               CX_ERR_INVALID);
  cx_api_destroy(api);
}

/* The per-agent fan-out over ids[0..n), as fresh tasks (progress kept in
 * *tasks when not NULL: the caller frees it with free_tasks). */
static enum cx_status run_agents(struct cx_api *api, const int64_t *ids,
                                 size_t n, cx_ms_t s, cx_ms_t e,
                                 unsigned parallel, struct collect *c,
                                 struct cx_error *err) {
  struct cx_history_task t[16] = {{0}};
  for (size_t i = 0; i < n; i++)
    t[i] = (struct cx_history_task){.agent_id = ids[i], .start = s, .end = e};
  enum cx_status st = cx_api_state_history_tasks(api, t, n, 0, parallel, NULL,
                                                 collect_fn, c, err);
  for (size_t i = 0; i < n; i++)
    free(t[i].resume_url);
  return st;
}

static unsigned go_on_budget;
static bool go_on_counted(void *ctx) {
  (void)ctx;
  return go_on_budget > 0 && go_on_budget-- > 0;
}

static int log_count(const char *needle) {
  int n = 0;
  for (const char *p = logbuf; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

/* Every state-history request names the columns the parser reads. */
static void test_history_fields(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  cx_ms_t s = 1714521600000, e = s + 3600000;
  struct collect c = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 100, collect_fn, &c,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c.records, 6);
  pthread_mutex_lock(&S.lock);
  char v[512] = "";
  const char *q = S.nreqs > 0 ? strchr(S.reqs[S.nreqs - 3].target, '?') : NULL;
  field(q ? q + 1 : "", "fields", v, sizeof(v));
  pthread_mutex_unlock(&S.lock);
  CHECK_EQ_STR(v, HISTORY_FIELDS);
  /* Pages asked for by skip/top carry them too. */
  snprintf(S.hist_mode, sizeof(S.hist_mode), "skip");
  struct collect c1 = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 2, collect_fn, &c1,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c1.records, 5);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history?", 1), 4);
  /* The per-agent fan-out. */
  const int64_t ids[] = {1, 2, 3};
  struct collect c2 = {0};
  CHECK_EQ_INT(run_agents(api, ids, 3, s, e, 2, &c2, &err),
               CX_OK);
  CHECK_EQ_INT(c2.records, 6);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/1/state-history?startDate=", 1),
               1);
  /* First pages; the server's next links are its own. */
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history?startDate=", 0), 0);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/2/state-history?startDate=", 0),
               0);
  cx_api_destroy(api);
}

/* 400 on a request with fields=: the same request without, once; the api
 * handle remembers it (one NOTICE). */
static void test_history_fields_refused(void) {
  srv_reset();
  S.refuse_fields = 1;
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  cx_ms_t s = 1714521600000, e = s + 3600000;
  int notices = log_count("every column from now on");
  struct collect c = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 100, collect_fn, &c,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c.records, 6);
  CHECK_EQ_INT(c.pages, 3);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history", 1), 1);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history", 0), 3);
  CHECK_EQ_INT(count_reqs(BASE "agents/state-history?startDate=2024-05-01T00%3A00"
                               "%3A00.000Z&endDate=2024-05-01T01%3A00%3A00.000Z"
                               "&top=100"),
               1);
  CHECK_EQ_INT(log_count("every column from now on") - notices, 1);
  /* Remembered: later calls, all agents or per agent, go without. */
  struct collect c1 = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c1,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(c1.records, 6);
  const int64_t ids[] = {1, 2, 404, 4};
  struct collect c2 = {0};
  CHECK_EQ_INT(run_agents(api, ids, 4, s, e, 2, &c2, &err),
               CX_OK);
  CHECK_EQ_INT(c2.records, 6);
  CHECK_EQ_INT(count_fields_reqs(BASE, 1), 1); /* the very first only */
  CHECK_EQ_INT(log_count("every column from now on") - notices, 1);
  cx_api_destroy(api);

  /* A new handle asks again; the per-agent fan-out falls back per request,
   * with several in flight, and still skips an unknown agent. */
  srv_reset();
  S.refuse_fields = 1;
  api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  const int64_t many[] = {1, 2, 404, 4, 5, 6, 7};
  struct collect c3 = {0};
  CHECK_EQ_INT(run_agents(api, many, 7, s, e, 3, &c3, &err),
               CX_OK);
  CHECK_EQ_INT(c3.records, 12);
  for (int i = 1; i <= 7; i++)
    CHECK_EQ_INT(c3.agents_seen[i], i == 3 ? 0 : 2);
  /* Refused: the three sent first, and a fourth when the unknown agent's
   * 404 frees a slot before any retry has succeeded. */
  int refused = count_fields_reqs(BASE "agents/", 1);
  CHECK(refused >= 3 && refused <= 4);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/", 0), 7 + 6);
  CHECK_EQ_INT(log_count("every column from now on") - notices, 2);
  cx_api_destroy(api);
}

/* A 400 that fields do not explain stays an error. */
static void test_history_400(void) {
  srv_reset();
  snprintf(S.hist_mode, sizeof(S.hist_mode), "400");
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  cx_ms_t s = 1714521600000, e = s + 3600000;
  struct collect c = {0};
  /* With fields, then without: the second 400 is the answer. */
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c,
                                    &err),
               CX_ERR_BAD_REQUEST);
  CHECK_EQ_INT(err.http_status, 400);
  CHECK(strstr(err.message, "Invalid Start Date") != NULL);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history", 1), 1);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history", 0), 1);
  /* Fields were not the cause: still asked for next time. */
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c,
                                    &err),
               CX_ERR_BAD_REQUEST);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history", 1), 2);
  CHECK_EQ_INT(c.pages, 0);
  /* Once the server is known to refuse fields, a 400 is an error at once. */
  S.refuse_fields = 1;
  snprintf(S.hist_mode, sizeof(S.hist_mode), "next");
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c,
                                    &err),
               CX_OK);
  S.refuse_fields = 0;
  snprintf(S.hist_mode, sizeof(S.hist_mode), "400");
  int before = count_reqs(BASE);
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 0, collect_fn, &c,
                                    &err),
               CX_ERR_BAD_REQUEST);
  CHECK_EQ_INT(count_reqs(BASE) - before, 1);
  const int64_t ids[] = {1, 2};
  before = count_reqs(BASE);
  CHECK_EQ_INT(run_agents(api, ids, 2, s, e, 2, &c, &err),
               CX_ERR_BAD_REQUEST);
  CHECK(count_reqs(BASE) - before <= 2);
  cx_api_destroy(api);
}

static void test_agents_multi(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  cx_ms_t s = 1714521600000, e = s + 3600000;
  const int64_t ids[] = {1, 2, 404, 4, 5, 6, 7};
  struct collect c = {0};
  CHECK_EQ_INT(run_agents(api, ids, 7, s, e, 3, &c, &err), CX_OK);
  CHECK_EQ_INT(c.records, 12);
  CHECK_EQ_INT(c.pages, 12);
  for (int i = 1; i <= 7; i++)
    CHECK_EQ_INT(c.agents_seen[i], i == 3 ? 0 : 2);
  CHECK_EQ_INT(count_reqs(BASE "agents/404/"), 1);
  CHECK_EQ_INT(count_reqs("/auth/token"), 1);

  /* Token revoked before the run: every in-flight request gets 401, one
   * re-authentication serves them all. */
  S.revoked_seq = S.token_seq;
  struct collect c2 = {0};
  CHECK_EQ_INT(run_agents(api, ids, 7, s, e, 4, &c2, &err), CX_OK);
  CHECK_EQ_INT(c2.records, 12);
  CHECK_EQ_INT(count_reqs("/auth/token"), 2);

  /* Persistent 401: an auth error, not a loop. */
  S.always_401 = 1;
  struct collect c3 = {0};
  CHECK_EQ_INT(run_agents(api, ids, 7, s, e, 2, &c3, &err), CX_ERR_AUTH);
  S.always_401 = 0;

  /* parallel 0 behaves as 1; n = 0 is a no-op. */
  struct collect c4 = {0};
  CHECK_EQ_INT(run_agents(api, ids, 2, s, e, 0, &c4, &err), CX_OK);
  CHECK_EQ_INT(c4.records, 4);
  CHECK_EQ_INT(run_agents(api, ids, 0, s, e, 4, &c4, &err), CX_OK);
  cx_api_destroy(api);
}

/* A walk cut short by go_on resumes where it stopped, page by page: every
 * page is read exactly once over the calls, and every call advances. */
static void test_agents_resume(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  cx_ms_t s = 1714521600000, e = s + 3600000;
  const int64_t ids[] = {1, 2, 404, 4, 5, 6, 7};
  struct cx_history_task t[7];
  for (size_t i = 0; i < 7; i++)
    t[i] = (struct cx_history_task){.agent_id = ids[i], .start = s, .end = e};
  struct collect c = {0};
  unsigned calls = 0;
  for (bool all_done = false; !all_done && calls < 20; calls++) {
    go_on_budget = 3; /* three requests per call */
    int before = c.pages;
    size_t todo = 0;
    struct cx_history_task *left[7];
    for (size_t i = 0; i < 7; i++)
      if (!t[i].done)
        left[todo++] = &t[i];
    struct cx_history_task batch[7];
    for (size_t i = 0; i < todo; i++)
      batch[i] = *left[i];
    CHECK_EQ_INT(cx_api_state_history_tasks(api, batch, todo, 0, 2,
                                            go_on_counted, collect_fn, &c,
                                            &err),
                 CX_OK);
    for (size_t i = 0; i < todo; i++)
      *left[i] = batch[i];
    all_done = true;
    for (size_t i = 0; i < 7; i++)
      all_done = all_done && t[i].done;
    CHECK(all_done || c.pages > before || todo == 0);
  }
  CHECK_EQ_INT(calls, 5); /* 13 requests (7 first pages, 6 second), 3 a call */
  CHECK_EQ_INT(c.records, 12);
  CHECK_EQ_INT(c.pages, 12);
  for (int i = 1; i <= 7; i++)
    CHECK_EQ_INT(c.agents_seen[i], i == 3 ? 0 : 2);
  for (size_t i = 0; i < 7; i++)
    CHECK(t[i].resume_url == NULL);
  cx_api_destroy(api);
}

static void test_states(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  struct cx_states_page pg;
  int changed = -1;
  CHECK_EQ_INT(cx_api_agent_states(api, NULL, "agentId,agentStateId,startDate",
                                   &pg, &changed, &err),
               CX_OK);
  CHECK_EQ_INT(changed, 1);
  CHECK_EQ_INT(pg.count, 3);
  cx_ms_t lp;
  cx_time_parse("2024-05-01T12:00:05.000Z", &lp);
  CHECK_EQ_INT(pg.last_poll_time, lp);
  if (pg.count == 3) {
    CHECK_EQ_INT(pg.states[0].agent_id, 1);
    CHECK_EQ_STR(pg.states[0].team_name, "T1");
    CHECK_EQ_STR(pg.states[1].reason, "Lunch");
    CHECK_EQ_INT(pg.states[2].state_id, CX_STATE_DIALER);
  }
  CHECK_EQ_INT(count_reqs(BASE "agents/states?fields=agentId%2CagentStateId%2CstartDate"), 1);
  CHECK_EQ_INT(count_reqs(BASE "agents/states?page=2"), 1);
  cx_states_page_free(&pg);

  char since[CX_ISO8601_SIZE];
  cx_time_format(lp, since, sizeof(since));
  CHECK_EQ_INT(cx_api_agent_states(api, since, NULL, &pg, &changed, &err), CX_OK);
  CHECK_EQ_INT(changed, 0);
  CHECK_EQ_INT(pg.count, 0);
  CHECK(pg.states == NULL);
  CHECK_EQ_INT(count_reqs(BASE "agents/states?updatedSince=2024-05-01T12%3A00%3A05.000Z"), 1);
  cx_states_page_free(&pg);
  cx_api_destroy(api);
}

/* skills/activity: pages followed, fields= named, a bad record skipped,
 * 304 to a delta; 403 as CX_ERR_FORBIDDEN.  skills/summary: the range and
 * the fields; a 400 to fields= remembered per call, not for history. */
static void test_skills(void) {
  srv_reset();
  struct cx_api *api = new_api(CX_CLIENT_AUTH_BASIC, NULL);
  struct cx_error err;
  struct cx_skills_page pg;
  int changed = -1;
  CHECK_EQ_INT(cx_api_skill_activity(api, NULL, 0, &pg, &changed, &err), CX_OK);
  CHECK_EQ_INT(changed, 1);
  CHECK_EQ_INT(pg.count, 2);
  CHECK_EQ_INT(pg.skipped, 1);
  if (pg.count == 2) {
    CHECK_EQ_STR(pg.records[0].name, "Billing");
    CHECK_EQ_INT(pg.records[1].skill_id, 13);
  }
  cx_ms_t lp;
  cx_time_parse("2024-05-01T12:00:06.000Z", &lp);
  CHECK_EQ_INT(pg.last_poll_time, lp);
  CHECK_EQ_INT(count_fields_reqs(BASE "skills/activity?fields=", 1), 1);
  CHECK_EQ_INT(count_reqs(BASE "skills/activity?page=2"), 1);
  cx_skills_page_free(&pg);
  CHECK_EQ_INT(cx_api_skill_activity(api, "2024-05-01T12:00:06.000Z", 500, &pg,
                                     &changed, &err),
               CX_OK);
  CHECK_EQ_INT(changed, 0);
  CHECK_EQ_INT(pg.count, 0);
  CHECK_EQ_INT(count_reqs(BASE "skills/activity?updatedSince=2024-05-01T12%3A00"
                               "%3A06.000Z&fields=skillId%2CskillName%2C"),
               1);
  CHECK_EQ_INT(count_reqs(BASE "skills/activity?updatedSince="), 1);
  cx_skills_page_free(&pg);
  S.skills_status = 403;
  CHECK_EQ_INT(cx_api_skill_activity(api, NULL, 0, &pg, &changed, &err),
               CX_ERR_FORBIDDEN);
  CHECK(strstr(err.message, "skills/activity: HTTP 403") != NULL);
  CHECK(pg.records == NULL && pg.count == 0);
  S.skills_status = 404;
  CHECK_EQ_INT(cx_api_skill_activity(api, NULL, 0, &pg, &changed, &err),
               CX_ERR_NOT_FOUND);
  S.skills_status = 0;

  cx_ms_t s = 1714521600000, e = s + 3600000;
  CHECK_EQ_INT(cx_api_skill_summary(api, s, e, 0, &pg, &err), CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  CHECK(pg.count == 1 && pg.records[0].value[CX_SKILL_HANDLE_TIME] == 120000);
  CHECK_EQ_INT(count_reqs(BASE "skills/summary?startDate=2024-05-01T00%3A00%3A00"
                               ".000Z&endDate=2024-05-01T01%3A00%3A00.000Z"
                               "&fields=skillId%2CskillName%2CcontactsOffered"),
               1);
  cx_skills_page_free(&pg);
  CHECK_EQ_INT(cx_api_skill_summary(api, e, s, 0, &pg, &err), CX_ERR_INVALID);

  /* fields= refused by the skills calls: each call falls back once and
   * remembers; state history still names its columns. */
  S.refuse_skill_fields = 1;
  int notices = log_count("every column from now on");
  CHECK_EQ_INT(cx_api_skill_summary(api, s, e, 0, &pg, &err), CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  cx_skills_page_free(&pg);
  CHECK_EQ_INT(cx_api_skill_summary(api, s, e, 0, &pg, &err), CX_OK);
  cx_skills_page_free(&pg);
  CHECK_EQ_INT(cx_api_skill_activity(api, NULL, 0, &pg, &changed, &err), CX_OK);
  CHECK_EQ_INT(pg.count, 2);
  cx_skills_page_free(&pg);
  CHECK_EQ_INT(log_count("every column from now on") - notices, 2);
  CHECK_EQ_INT(count_fields_reqs(BASE "skills/summary?", 1), 2);
  CHECK_EQ_INT(count_fields_reqs(BASE "skills/summary?", 0), 2);
  struct collect c = {0};
  CHECK_EQ_INT(cx_api_state_history(api, CX_ID_NONE, s, e, 100, collect_fn, &c,
                                    &err),
               CX_OK);
  CHECK_EQ_INT(count_fields_reqs(BASE "agents/state-history?", 1), 1);
  cx_api_destroy(api);
}

static void test_transport_and_config_errors(void) {
  struct cx_error err;
  /* Nobody listening on the issuer. */
  int port = 0, fd = testsrv_listen(1, &port);
  CHECK(fd >= 0);
  close(fd); /* the port is now (very likely) closed */
  struct cx_api_config c = {.issuer = "http://127.0.0.1:1/",
                            .client_id = CLIENT_ID,
                            .client_secret = CLIENT_SECRET,
                            .access_key_id = AK_ID,
                            .access_key_secret = AK_SECRET};
  char iss[64];
  snprintf(iss, sizeof(iss), "http://127.0.0.1:%d/", port);
  c.issuer = iss;
  struct cx_api *api = cx_api_create(&c, http);
  uint64_t failures = cx_api_stats(api).failures; /* http is shared */
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_ERR_TRANSPORT);
  CHECK(secret_free(err.message));
  CHECK_EQ_INT(cx_api_stats(api).failures, failures + 1);
  cx_api_destroy(api);
  c.client_secret = NULL;
  api = cx_api_create(&c, http);
  CHECK_EQ_INT(cx_api_authenticate(api, &err), CX_ERR_INVALID);
  cx_api_destroy(api);
}

int main(void) {
  cx_log_set_sink(sink);
  if (cx_http_global_init() != CX_OK)
    return 1;
  srv_start();
  snprintf(issuer, sizeof(issuer), "http://127.0.0.1:%d/", S.port);
  struct cx_http_options o = {.verify_peer = true,
                              .verify_host = true,
                              .timeout_ms = 5000,
                              .max_body = 1 << 20,
                              .user_agent = "t_api"};
  http = cx_http_create(&o);
  fake_now = 1714521600000;
  RUN(test_auth_basic);
  RUN(test_auth_basic_rfc6749_fallback);
  RUN(test_auth_post_and_id_token);
  RUN(test_expiry);
  RUN(test_401_retry);
  RUN(test_history_next);
  RUN(test_history_skip_204_404_loop);
  RUN(test_agents_multi);
  RUN(test_agents_resume);
  RUN(test_history_fields);
  RUN(test_history_fields_refused);
  RUN(test_history_400);
  RUN(test_states);
  RUN(test_skills);
  RUN(test_transport_and_config_errors);
  /* No secret, token or Authorization header in any log line. */
  unit_current_failed = 0;
  CHECK(secret_free(logbuf));
  CHECK(loglen > 0);
  if (unit_current_failed) {
    unit_failed++;
    fprintf(stderr, "FAIL log lines carry a secret\n");
  } else {
    unit_passed++;
    printf("ok   log_has_no_secrets\n");
  }
  cx_http_destroy(http);
  srv_stop();
  cx_http_global_cleanup();
  return unit_finish();
}
