/*
 * t_json.c: unit tests of cx_json.c and cx_record.c (every record variant,
 * envelopes, auth documents, error bodies, JWT claims), and of the history
 * page scanner against json-c's reading of the same bodies.
 */
#include "cx_json.h"
#include "cx_record.h"
#include "unit.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <strings.h>

#include "b64.h"

#define PARSE_H(json, page)                                                    \
  cx_json_history_page((json), strlen(json), (page), &err)
#define PARSE_S(json, page) cx_json_states_page((json), strlen(json), (page), &err)

static cx_ms_t T(const char *iso) {
  cx_ms_t t = 0;
  if (cx_time_parse(iso, &t) != CX_OK)
    fprintf(stderr, "bad test time %s\n", iso);
  return t;
}

/* One history record wrapped in a page; returns the status. */
static enum cx_status one(const char *rec, struct cx_history_page *pg) {
  char buf[2048];
  struct cx_error err;
  snprintf(buf, sizeof(buf), "{\"agentStateHistory\":[%s]}", rec);
  return cx_json_history_page(buf, strlen(buf), pg, &err);
}

static void test_state_names(void) {
  CHECK_EQ_STR(cx_state_name(0), "LoggedOut");
  CHECK_EQ_STR(cx_state_name(1), "Available");
  CHECK_EQ_STR(cx_state_name(2), "Unavailable");
  CHECK_EQ_STR(cx_state_name(3), "InboundContact");
  CHECK_EQ_STR(cx_state_name(4), "OutboundContact");
  CHECK_EQ_STR(cx_state_name(5), "InboundConsult");
  CHECK_EQ_STR(cx_state_name(6), "OutboundConsult");
  CHECK_EQ_STR(cx_state_name(7), "Dialer");
  CHECK_EQ_STR(cx_state_name(8), "LoggedIn");
  CHECK(cx_state_name(9) == NULL);
  CHECK(cx_state_name(-1) == NULL);
  for (int i = 0; i < CX_STATE_COUNT; i++)
    CHECK_EQ_INT(cx_state_from_name(cx_state_name(i)), i);
  CHECK_EQ_INT(cx_state_from_name("inboundcontact"), 3);
  CHECK_EQ_INT(cx_state_from_name("AVAILABLE"), 1);
  CHECK_EQ_INT(cx_state_from_name("Working"), -1);
  CHECK_EQ_INT(cx_state_from_name(""), -1);
  CHECK_EQ_INT(cx_state_from_name(NULL), -1);
}

static void test_history_sample(void) {
  /* doc/cxone-api.md §6, both records. */
  const char *json =
      "{\"totalRecords\":2,\"_links\":{\"self\":\"https://x/y\",\"next\":null,"
      "\"previous\":null},\"businessUnitId\":4607084,"
      "\"lastPollTime\":\"2024-05-01T01:00:02.123Z\",\"agentStateHistory\":["
      "{\"stateIndex\":1,\"startDate\":\"2024-05-01T00:03:12.450Z\","
      "\"agentId\":123,\"agentStateId\":2,\"agentStateName\":\"Unavailable\","
      "\"agentSessionId\":987654,\"contactId\":null,\"skillId\":null,"
      "\"outStateId\":42,\"outStateDescription\":\"Break\","
      "\"duration\":\"PT4M10.250S\",\"isOutbound\":false,\"stationId\":555,"
      "\"teamId\":2472017,\"teamNo\":2472017},"
      "{\"stateIndex\":2,\"startDate\":\"2024-05-01T00:07:22.700Z\","
      "\"agentId\":123,\"agentStateId\":3,\"agentStateName\":\"InboundContact\","
      "\"agentSessionId\":987654,\"contactId\":700000000001,"
      "\"outStateId\":null,\"outStateDescription\":null,"
      "\"duration\":\"PT6M2.011S\",\"teamId\":2472017}]}";
  struct cx_history_page pg;
  struct cx_error err;
  CHECK_EQ_INT(PARSE_H(json, &pg), CX_OK);
  CHECK_EQ_INT(pg.count, 2);
  CHECK_EQ_INT(pg.skipped, 0);
  CHECK(pg.next_url == NULL);
  CHECK_EQ_INT(pg.total_records, 2);
  CHECK_EQ_INT(pg.last_poll_time, T("2024-05-01T01:00:02.123Z"));
  if (pg.count == 2) {
    struct cx_history_record *r = &pg.records[0];
    CHECK_EQ_INT(r->agent_id, 123);
    CHECK_EQ_INT(r->team_id, 2472017);
    CHECK_EQ_INT(r->session_id, 987654);
    CHECK_EQ_INT(r->state_index, 1);
    CHECK_EQ_INT(r->state_id, CX_STATE_UNAVAILABLE);
    CHECK_EQ_STR(r->reason, "Break");
    CHECK_EQ_INT(r->start, T("2024-05-01T00:03:12.450Z"));
    CHECK_EQ_INT(r->duration, 250250);
    r = &pg.records[1];
    CHECK_EQ_INT(r->state_id, CX_STATE_INBOUND_CONTACT);
    CHECK(r->reason == NULL);
    CHECK_EQ_INT(r->duration, 362011);
    CHECK_EQ_INT(r->state_index, 2);
  }
  cx_history_page_free(&pg);
  CHECK(pg.records == NULL && pg.count == 0);
}

#define REC(extra)                                                             \
  "{\"agentId\":7,\"agentStateId\":1,\"startDate\":\"2024-05-01T00:00:00Z\"" \
  extra "}"

static void test_durations(void) {
  static const struct {
    const char *field;
    cx_ms_t want;
  } cases[] = {
      {",\"duration\":\"PT4M10.25S\"", 250250},
      {",\"duration\":\"PT0S\"", 0},
      {",\"duration\":\"P1DT2H\"", 93600000},
      {",\"duration\":\"PT1H2M3.456S\"", 3723456},
      {",\"duration\":250", 250000},
      {",\"duration\":250.5", 250500},
      {",\"duration\":4.35", 4350},
      {",\"duration\":\"250\"", 250000},
      {",\"duration\":\"12.75\"", 12750},
      {",\"duration\":0", 0},
      {",\"duration\":null", CX_DURATION_OPEN},
      {"", CX_DURATION_OPEN},
      {",\"duration\":\"\"", CX_DURATION_OPEN},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char rec[512];
    snprintf(rec, sizeof(rec), REC("%s"), cases[i].field);
    struct cx_history_page pg;
    CHECK_EQ_INT(one(rec, &pg), CX_OK);
    CHECK_EQ_INT(pg.count, 1);
    if (pg.count == 1 && pg.records[0].duration != cases[i].want) {
      fprintf(stderr, "  case %s\n", cases[i].field);
      CHECK_EQ_INT(pg.records[0].duration, cases[i].want);
    }
    cx_history_page_free(&pg);
  }
  /* Malformed durations: record skipped and counted. */
  static const char *const bad[] = {
      ",\"duration\":\"P1Y\"", ",\"duration\":\"PT\"", ",\"duration\":-5",
      ",\"duration\":\"abc\"", ",\"duration\":true", ",\"duration\":{}",
      ",\"duration\":1e300"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char rec[512];
    snprintf(rec, sizeof(rec), REC("%s"), bad[i]);
    struct cx_history_page pg;
    CHECK_EQ_INT(one(rec, &pg), CX_OK);
    CHECK_EQ_INT(pg.count, 0);
    CHECK_EQ_INT(pg.skipped, 1);
    cx_history_page_free(&pg);
  }
}

static void test_variants(void) {
  struct cx_history_page pg;
  struct cx_error err;
  /* Numbers as strings, teamNo instead of teamId, state by name only. */
  CHECK_EQ_INT(one("{\"agentId\":\"68\",\"teamNo\":\"12\",\"agentSessionId\":"
                   "\"5\",\"stateIndex\":\"3\",\"agentStateName\":\"dialer\","
                   "\"startDate\":\"2024-05-01T00:00:00.5+02:00\","
                   "\"duration\":\"PT1S\"}",
                   &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  if (pg.count == 1) {
    CHECK_EQ_INT(pg.records[0].agent_id, 68);
    CHECK_EQ_INT(pg.records[0].team_id, 12);
    CHECK_EQ_INT(pg.records[0].session_id, 5);
    CHECK_EQ_INT(pg.records[0].state_index, 3);
    CHECK_EQ_INT(pg.records[0].state_id, CX_STATE_DIALER);
    CHECK_EQ_INT(pg.records[0].start, T("2024-04-30T22:00:00.500Z"));
  }
  cx_history_page_free(&pg);

  /* No team, session, index: CX_ID_NONE.  Integral double ids accepted. */
  CHECK_EQ_INT(one("{\"agentId\":9.0,\"agentStateId\":\"8\",\"startDate\":"
                   "\"2024-05-01T00:00:00Z\",\"outStateDescription\":\"\"}",
                   &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  if (pg.count == 1) {
    CHECK_EQ_INT(pg.records[0].agent_id, 9);
    CHECK_EQ_INT(pg.records[0].team_id, CX_ID_NONE);
    CHECK_EQ_INT(pg.records[0].session_id, CX_ID_NONE);
    CHECK_EQ_INT(pg.records[0].state_index, CX_ID_NONE);
    CHECK_EQ_INT(pg.records[0].state_id, CX_STATE_LOGGED_IN);
    CHECK(pg.records[0].reason == NULL);
    CHECK_EQ_INT(pg.records[0].duration, CX_DURATION_OPEN);
  }
  cx_history_page_free(&pg);

  /* agentStateId out of range falls back to the name. */
  CHECK_EQ_INT(one("{\"agentId\":1,\"agentStateId\":99,\"agentStateName\":"
                   "\"Available\",\"startDate\":\"2024-05-01T00:00:00Z\"}",
                   &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  if (pg.count == 1)
    CHECK_EQ_INT(pg.records[0].state_id, 1);
  cx_history_page_free(&pg);

  /* PascalCase (pre-2016) keys, unknown fields ignored. */
  const char *pascal =
      "{\"TotalRecords\":1,\"_Links\":{\"Next\":\"https://h/n?skip=1\"},"
      "\"LastPollTime\":\"2024-05-01T00:00:00Z\",\"AgentStateHistory\":[{"
      "\"AgentId\":5,\"AgentStateId\":2,\"StartDate\":\"2024-05-01T00:00:00Z\","
      "\"Duration\":\"PT1M\",\"OutStateDescription\":\"Lunch\",\"TeamId\":3,"
      "\"SomethingNew\":{\"deep\":[1,2,3]}}]}";
  CHECK_EQ_INT(PARSE_H(pascal, &pg), CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  CHECK_EQ_INT(pg.total_records, 1);
  CHECK_EQ_STR(pg.next_url, "https://h/n?skip=1");
  if (pg.count == 1) {
    CHECK_EQ_INT(pg.records[0].agent_id, 5);
    CHECK_EQ_INT(pg.records[0].team_id, 3);
    CHECK_EQ_STR(pg.records[0].reason, "Lunch");
    CHECK_EQ_INT(pg.records[0].duration, 60000);
  }
  cx_history_page_free(&pg);
}

static void test_skipped(void) {
  const char *json =
      "{\"agentStateHistory\":["
      "{\"agentStateId\":1,\"startDate\":\"2024-05-01T00:00:00Z\"},"   /* no id */
      "{\"agentId\":1,\"startDate\":\"2024-05-01T00:00:00Z\"},"        /* state */
      "{\"agentId\":1,\"agentStateName\":\"Working\",\"startDate\":"
      "\"2024-05-01T00:00:00Z\"},"                                     /* state */
      "{\"agentId\":1,\"agentStateId\":1},"                            /* start */
      "{\"agentId\":1,\"agentStateId\":1,\"startDate\":\"yesterday\"}," /* start */
      "{\"agentId\":\"x1\",\"agentStateId\":1,\"startDate\":"
      "\"2024-05-01T00:00:00Z\"},"                                     /* id */
      "42, null, \"str\", [],"
      REC("") "]}";
  struct cx_history_page pg;
  struct cx_error err;
  CHECK_EQ_INT(PARSE_H(json, &pg), CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  CHECK_EQ_INT(pg.skipped, 10);
  cx_history_page_free(&pg);
}

static void test_links_and_empty(void) {
  struct cx_history_page pg;
  struct cx_error err;
  static const char *const no_next[] = {
      "{\"_links\":{\"next\":null}}", "{\"_links\":{\"next\":\"\"}}",
      "{\"_links\":{}}", "{\"_links\":null}", "{}", "{\"_links\":{\"next\":5}}",
      "{\"agentStateHistory\":null}", "{\"agentStateHistory\":[]}", "null",
      "[]", "  \n", "{\"_links\":{\"next\":\"\\u0000/x?skip=1\"}}",
      "{\"_links\":{\"next\":\"/x\\u0000?skip=1\"}}"};
  for (size_t i = 0; i < sizeof(no_next) / sizeof(no_next[0]); i++) {
    CHECK_EQ_INT(PARSE_H(no_next[i], &pg), CX_OK);
    CHECK(pg.next_url == NULL);
    CHECK_EQ_INT(pg.count, 0);
    cx_history_page_free(&pg);
  }
  /* 204: empty body. */
  CHECK_EQ_INT(cx_json_history_page("", 0, &pg, &err), CX_OK);
  CHECK_EQ_INT(pg.count, 0);
  CHECK_EQ_INT(pg.total_records, -1);
  CHECK_EQ_INT(cx_json_history_page(NULL, 0, &pg, &err), CX_OK);
  cx_history_page_free(&pg);
  CHECK_EQ_INT(PARSE_H("{\"_links\":{\"next\":\"/rel?skip=10\"}}", &pg), CX_OK);
  CHECK_EQ_STR(pg.next_url, "/rel?skip=10");
  cx_history_page_free(&pg);

  /* Malformed bodies: CX_ERR_PARSE, page empty. */
  static const char *const bad[] = {
      "{", "{\"agentStateHistory\":[", "not json", "\"str\"", "42",
      "{} trailing", "<html>502</html>", "{\"a\":1}{\"b\":2}"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cx_error_clear(&err);
    CHECK_EQ_INT(PARSE_H(bad[i], &pg), CX_ERR_PARSE);
    CHECK(pg.records == NULL && pg.count == 0 && pg.next_url == NULL);
    CHECK(err.message[0] != '\0');
    cx_history_page_free(&pg);
  }
  /* Deep nesting is refused, not a stack overflow. */
  char deep[4096];
  size_t n = 0;
  for (int i = 0; i < 1000; i++)
    deep[n++] = '[';
  deep[n] = '\0';
  CHECK_EQ_INT(cx_json_history_page(deep, n, &pg, &err), CX_ERR_PARSE);
}

static void test_states(void) {
  const char *json =
      "{\"totalRecords\":2,\"_links\":{\"self\":\"...\",\"next\":null},"
      "\"lastPollTime\":\"2024-05-01T12:00:05.000Z\",\"agentStates\":[{"
      "\"agentId\":123,\"agentStateId\":2,\"agentStateName\":\"Unavailable\","
      "\"isACW\":true,\"firstName\":\"Ann\",\"lastName\":\"Agent\","
      "\"userName\":\"ann.agent@example.com\",\"outStateId\":77,"
      "\"outStateDescription\":\"After Call Work\","
      "\"startDate\":\"2024-05-01T11:59:58.120Z\",\"teamId\":2472017,"
      "\"teamName\":\"Tier 1\"},"
      "{\"AgentId\":\"124\",\"AgentStateName\":\"Available\",\"IsACW\":"
      "\"false\",\"StartDate\":\"2024-05-01T11:00:00Z\",\"teamNo\":7,"
      "\"outStateDescription\":null},"
      "{\"agentId\":125}]}";
  struct cx_states_page pg;
  struct cx_error err;
  CHECK_EQ_INT(PARSE_S(json, &pg), CX_OK);
  CHECK_EQ_INT(pg.count, 2);
  CHECK_EQ_INT(pg.skipped, 1);
  CHECK_EQ_INT(pg.total_records, 2);
  CHECK_EQ_INT(pg.last_poll_time, T("2024-05-01T12:00:05Z"));
  if (pg.count == 2) {
    struct cx_agent_state *s = &pg.states[0];
    CHECK_EQ_INT(s->agent_id, 123);
    CHECK_EQ_INT(s->team_id, 2472017);
    CHECK_EQ_STR(s->team_name, "Tier 1");
    CHECK_EQ_STR(s->first_name, "Ann");
    CHECK_EQ_STR(s->last_name, "Agent");
    CHECK_EQ_STR(s->user_name, "ann.agent@example.com");
    CHECK_EQ_INT(s->state_id, 2);
    CHECK_EQ_STR(s->reason, "After Call Work");
    CHECK(s->is_acw);
    CHECK_EQ_INT(s->start, T("2024-05-01T11:59:58.120Z"));
    s = &pg.states[1];
    CHECK_EQ_INT(s->agent_id, 124);
    CHECK_EQ_INT(s->team_id, 7);
    CHECK(s->team_name == NULL && s->first_name == NULL && s->reason == NULL);
    CHECK(!s->is_acw);
    CHECK_EQ_INT(s->state_id, 1);
  }
  cx_states_page_free(&pg);

  /* Per-agent variant: lastPollTime inside the item. */
  CHECK_EQ_INT(PARSE_S("{\"agentStates\":[{\"agentId\":1,\"agentStateId\":1,"
                       "\"startDate\":\"2024-05-01T00:00:00Z\",\"lastPollTime\":"
                       "\"2024-05-01T00:00:09Z\"}]}",
                       &pg),
               CX_OK);
  CHECK_EQ_INT(pg.last_poll_time, T("2024-05-01T00:00:09Z"));
  cx_states_page_free(&pg);
  CHECK_EQ_INT(cx_json_states_page("", 0, &pg, &err), CX_OK);
  CHECK_EQ_INT(pg.count, 0);
  CHECK_EQ_INT(PARSE_S("[1,", &pg), CX_ERR_PARSE);
  cx_states_page_free(&pg);
}

static void test_auth_documents(void) {
  struct cx_error err;
  char *s = NULL;
  const char *disc =
      "{\"issuer\":\"https://cxone.niceincontact.com\",\"token_endpoint\":"
      "\"https://cxone.niceincontact.com/auth/token\",\"scopes_supported\":"
      "[\"openid\"]}";
  CHECK_EQ_INT(cx_json_discovery(disc, strlen(disc), &s, &err), CX_OK);
  CHECK_EQ_STR(s, "https://cxone.niceincontact.com/auth/token");
  free(s);
  CHECK_EQ_INT(cx_json_discovery("{}", 2, &s, &err), CX_ERR_PARSE);
  CHECK(s == NULL);
  CHECK(strstr(err.message, "token_endpoint") != NULL);
  CHECK_EQ_INT(cx_json_discovery("", 0, &s, &err), CX_ERR_PARSE);

  const char *cfg = "{\"area\":\"na1\",\"api_endpoint\":"
                    "\"https://api-na1.niceincontact.com//\",\"tenantId\":\"t\"}";
  CHECK_EQ_INT(cx_json_cxone_config(cfg, strlen(cfg), &s, &err), CX_OK);
  CHECK_EQ_STR(s, "https://api-na1.niceincontact.com");
  free(s);
  CHECK_EQ_INT(cx_json_cxone_config("{\"api_endpoint\":\"/\"}", 20, &s, &err),
               CX_ERR_PARSE);
  CHECK(s == NULL);
  CHECK_EQ_INT(cx_json_cxone_config("[]", 2, &s, &err), CX_ERR_PARSE);

  /* Token with and without expires_in (number or string). */
  long exp = 0;
  char *id = NULL;
  const char *tok = "{\"access_token\":\"aaa.bbb.ccc\",\"token_type\":"
                    "\"Bearer\",\"expires_in\":1800,\"id_token\":\"x.y.z\","
                    "\"refresh_token\":\"r\"}";
  CHECK_EQ_INT(cx_json_token_ex(tok, strlen(tok), &s, &exp, &id, &err), CX_OK);
  CHECK_EQ_STR(s, "aaa.bbb.ccc");
  CHECK_EQ_STR(id, "x.y.z");
  CHECK_EQ_INT(exp, 1800);
  free(s);
  free(id);
  const char *tok2 = "{\"access_token\":\"t2\"}";
  CHECK_EQ_INT(cx_json_token(tok2, strlen(tok2), &s, &exp, &err), CX_OK);
  CHECK_EQ_STR(s, "t2");
  CHECK_EQ_INT(exp, 3600);
  free(s);
  const char *tok3 = "{\"Access_Token\":\"t3\",\"expires_in\":\"600\"}";
  CHECK_EQ_INT(cx_json_token_ex(tok3, strlen(tok3), &s, &exp, &id, &err), CX_OK);
  CHECK_EQ_STR(s, "t3");
  CHECK(id == NULL);
  CHECK_EQ_INT(exp, 600);
  free(s);
  const char *tokerr = "{\"error\":\"invalid_grant\",\"error_description\":"
                       "\"The user name or password is incorrect.\"}";
  CHECK_EQ_INT(cx_json_token(tokerr, strlen(tokerr), &s, &exp, &err),
               CX_ERR_AUTH);
  CHECK(s == NULL);
  CHECK(strstr(err.message, "invalid_grant") != NULL);
  CHECK(strstr(err.message, "password is incorrect") != NULL);
  CHECK_EQ_INT(cx_json_token("{\"token_type\":\"Bearer\"}", 23, &s, &exp, &err),
               CX_ERR_PARSE);
  CHECK_EQ_INT(cx_json_token("{\"access_token\":\"\"}", 19, &s, &exp, &err),
               CX_ERR_PARSE);
  CHECK(s == NULL);
}

static void test_error_reason(void) {
  char buf[256];
  static const struct {
    const char *body, *want;
  } cases[] = {
      {"{\"error\":\"invalid_client\",\"error_description\":\"Bad secret\"}",
       "invalid_client: Bad secret"},
      {"{\"error\":\"BadRequest\",\"errorDescription\":\"Invalid Start Date\"}",
       "BadRequest: Invalid Start Date"},
      {"{\"error\":\"BadRequest\",\"error_Description\":\"InvalidDateRange\"}",
       "BadRequest: InvalidDateRange"},
      {"{\"message\":\"Too many requests\"}", "Too many requests"},
      {"{\"error\":\"only\"}", "only"},
      {"{\"error\":{\"message\":\"nested\"}}", "nested"},
      {"{\"other\":1}", ""},
      {"No known way to render data", "No known way to render data"},
      {"<html><body>502 Bad Gateway</body></html>", ""},
      {"{\"error\":\"line\\nbreak\"}", "line break"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    memset(buf, 'x', sizeof(buf));
    cx_json_error_reason(cases[i].body, strlen(cases[i].body), buf,
                         sizeof(buf));
    CHECK_EQ_STR(buf, cases[i].want);
  }
  char tiny[6];
  cx_json_error_reason(cases[0].body, strlen(cases[0].body), tiny,
                       sizeof(tiny));
  CHECK_EQ_STR(tiny, "inval");
}

static void test_jwt(void) {
  struct cx_error err;
  char *tenant = NULL;
  int64_t exp = 0;
  char payload[512], jwt[1024];
  /* Payload lengths 0,1,2 mod 3 so that padding matters, with and without. */
  static const char *const payloads[] = {
      "{\"tenantId\":\"11eb660f-aaaa-0242ac110002\",\"exp\":1700003600}",
      "{\"tenantId\":\"11eb660f-aaaa-0242ac110002\",\"exp\":1700003600 }",
      "{\"tenantId\":\"11eb660f-aaaa-0242ac110002\",\"exp\":1700003600  }",
  };
  for (int pad = 0; pad <= 1; pad++)
    for (size_t i = 0; i < 3; i++) {
      b64url(payloads[i], strlen(payloads[i]), pad, payload);
      snprintf(jwt, sizeof(jwt), "eyJhbGciOiJSUzI1NiJ9.%s.c2ln", payload);
      CHECK_EQ_INT(cx_jwt_claims(jwt, &tenant, &exp, &err), CX_OK);
      CHECK_EQ_STR(tenant, "11eb660f-aaaa-0242ac110002");
      CHECK_EQ_INT(exp, 1700003600);
      free(tenant);
    }
  /* '-' and '_' in the payload (bytes 0xfb/0xff) decode. */
  const char *odd = "{\"tenantId\":\"t\",\"x\":\"\xfb\xff\",\"exp\":\"5\"}";
  b64url(odd, strlen(odd), false, payload);
  snprintf(jwt, sizeof(jwt), "h.%s.", payload);
  CHECK_EQ_INT(cx_jwt_claims(jwt, &tenant, &exp, &err), CX_OK);
  CHECK_EQ_STR(tenant, "t");
  CHECK_EQ_INT(exp, 5);
  free(tenant);
  /* No tenantId: OK, NULL (the caller falls back to the id_token). */
  const char *sub = "{\"sub\":\"user\"}";
  b64url(sub, strlen(sub), false, payload);
  snprintf(jwt, sizeof(jwt), "h.%s.s", payload);
  CHECK_EQ_INT(cx_jwt_claims(jwt, &tenant, &exp, &err), CX_OK);
  CHECK(tenant == NULL);
  CHECK_EQ_INT(exp, 0);
  /* Malformed. */
  static const char *const bad[] = {"", "abc", "a.b", "a..c", "a.!!!!.c",
                                    "a.A.c", "a.bm90IGpzb24.c" /* not json */,
                                    "a.WzFd.c" /* [1] */};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    tenant = (char *)1;
    CHECK_EQ_INT(cx_jwt_claims(bad[i], &tenant, &exp, &err), CX_ERR_PARSE);
    CHECK(tenant == NULL);
  }
  CHECK_EQ_INT(cx_jwt_claims(NULL, &tenant, &exp, &err), CX_ERR_PARSE);
}

/* Whether two history pages are the same, record by record. */
static bool same_page(const struct cx_history_page *a,
                      const struct cx_history_page *b) {
  if (a->count != b->count || a->skipped != b->skipped ||
      a->last_poll_time != b->last_poll_time ||
      a->total_records != b->total_records ||
      (a->next_url == NULL) != (b->next_url == NULL) ||
      (a->next_url != NULL && strcmp(a->next_url, b->next_url) != 0))
    return false;
  for (size_t i = 0; i < a->count; i++) {
    const struct cx_history_record *x = &a->records[i], *y = &b->records[i];
    if (x->agent_id != y->agent_id || x->team_id != y->team_id ||
        x->session_id != y->session_id || x->state_index != y->state_index ||
        x->state_id != y->state_id || x->start != y->start ||
        x->duration != y->duration ||
        (x->reason == NULL) != (y->reason == NULL) ||
        (x->reason != NULL && strcmp(x->reason, y->reason) != 0))
      return false;
  }
  return true;
}

/* Parses body both ways (the scanner, and json-c's reading of it) and checks
 * they agree; returns the status, *pg the page. */
static enum cx_status both_ways(const char *body, struct cx_history_page *pg) {
  struct cx_history_page via;
  struct cx_error err;
  enum cx_status st = cx_json_history_page(body, strlen(body), pg, &err);
  enum cx_status st2 =
      cx_json_history_page_via_json_c(body, strlen(body), &via, &err);
  if (st != st2 || !same_page(pg, &via)) {
    fprintf(stderr, "  the two readings differ: %s\n", body);
    CHECK(st == st2 && same_page(pg, &via));
  }
  cx_history_page_free(&via);
  return st;
}

/* One record in a page, read both ways: its agent id (CX_ID_NONE when it
 * was skipped); *r the record. */
static int64_t agent_of(const char *rec, struct cx_history_record *r) {
  char buf[2048];
  snprintf(buf, sizeof(buf), "{\"agentStateHistory\":[%s]}", rec);
  struct cx_history_page pg;
  int64_t id = CX_ID_NONE;
  if (both_ways(buf, &pg) == CX_OK && pg.count == 1) {
    id = pg.records[0].agent_id;
    *r = pg.records[0];
    r->reason = NULL; /* freed with the page */
  }
  cx_history_page_free(&pg);
  return id;
}

/* The semantics of json-c's tree lookups, member by member. */
static void test_history_members(void) {
#define S_ "\"startDate\":\"2024-05-01T00:00:00Z\",\"agentStateId\":1"
  static const struct {
    const char *rec;
    int64_t agent;
  } cases[] = {
      {"{" S_ ",\"agentId\":1,\"agentId\":2}", 2},   /* last value */
      {"{" S_ ",\"AgentId\":1,\"agentId\":2}", 2},   /* exact wins */
      {"{" S_ ",\"agentId\":2,\"AgentId\":1}", 2},
      {"{" S_ ",\"AGENTID\":1,\"AgentId\":2}", 1},   /* first of the rest */
      {"{" S_ ",\"AGENTID\":1,\"AgentId\":2,\"AGENTID\":3}", 3},
      {"{" S_ ",\"agentId\":null,\"AgentId\":5}", CX_ID_NONE},
      {"{" S_ ",\"agentId\\u0000x\":5}", 5},      /* keys end at a NUL */
      {"{" S_ ",\"agent\\u0049d\":6}", 6},
      {"{" S_ ",\"agentId\":9223372036854775808}", INT64_MAX},
      {"{" S_ ",\"agentId\":-9223372036854775809}", CX_ID_NONE},
      {"{" S_ ",\"agentId\":1e2}", 100},
      {"{" S_ ",\"agentId\":-0}", 0},
      {"{" S_ ",\"agentId\":\" 12 \"}", 12},
      {"{" S_ ",\"agentId\":[7]}", CX_ID_NONE},
      {"{" S_ ",\"agentId\":7,\"duration\":NaN}", CX_ID_NONE},
      {"{" S_ ",\"agentId\":7,\"duration\":1E400}", CX_ID_NONE},
      /* What json-c reads its own way (the scanner gives up): */
      {"{" S_ ",\"agentId\":7 /* c */}", 7},
      {"{" S_ ",'agentId':8}", 8},
      {"{" S_ ",\"agentId\":9,}", 9},
      {"{" S_ ",\"agentId\":010}", 10},
      {"{" S_ ",\"agentId\":11,\"duration\":nan}", CX_ID_NONE},
      {"{" S_ ",\"agentId\":12,\"x\":\"\\ud800\"}", 12},
      {"{" S_ ",\"agentId\":13,\"x\":TRUE}", 13},
      {"{" S_ ",\"agentId\":14,\"x\":\"\x01\"}", 14},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct cx_history_record r;
    int64_t got = agent_of(cases[i].rec, &r);
    if (got != cases[i].agent) {
      fprintf(stderr, "  case %s\n", cases[i].rec);
      CHECK_EQ_INT(got, cases[i].agent);
    }
  }
  /* Reasons: escapes decoded, integers as json-c prints them. */
  static const struct {
    const char *value;
    const char *reason;
  } reasons[] = {{"\"Lunch \\u00e9\\t\"", "Lunch \xc3\xa9\t"},
                 {"18446744073709551616", "18446744073709551615"},
                 {"-5", "-5"},
                 {"\"a\\u0000b\"", "a"},
                 {"2.5", NULL},
                 {"\"\"", NULL}};
  for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
    char rec[256];
    snprintf(rec, sizeof(rec),
             "{\"agentStateHistory\":[{" S_ ",\"agentId\":1,"
             "\"outStateDescription\":%s}]}",
             reasons[i].value);
    struct cx_history_page pg;
    CHECK_EQ_INT(both_ways(rec, &pg), CX_OK);
    CHECK_EQ_INT(pg.count, 1);
    if (pg.count == 1 && reasons[i].reason != NULL)
      CHECK_EQ_STR(pg.records[0].reason, reasons[i].reason);
    else if (pg.count == 1)
      CHECK(pg.records[0].reason == NULL);
    cx_history_page_free(&pg);
  }
#undef S_
}

/* The envelope's members follow the same rules; reasons are shared. */
static void test_history_envelope(void) {
#define R_(id, why)                                                            \
  "{\"agentId\":" #id ",\"agentStateId\":2,\"startDate\":"                  \
  "\"2024-05-01T00:00:00Z\",\"outStateDescription\":\"" why "\"}"
  struct cx_history_page pg;
  CHECK_EQ_INT(both_ways("{\"AgentStateHistory\":[" R_(1, "a") "],"
                         "\"agentStateHistory\":[" R_(2, "b") "," R_(3, "b")
                         "],\"totalRecords\":5,\"TOTALRECORDS\":6}",
                         &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 2);
  CHECK_EQ_INT(pg.total_records, 5);
  if (pg.count == 2) {
    CHECK_EQ_INT(pg.records[0].agent_id, 2);
    CHECK(pg.records[0].reason == pg.records[1].reason); /* interned */
  }
  cx_history_page_free(&pg);
  CHECK(pg.strings == NULL && pg.nstrings == 0);

  CHECK_EQ_INT(both_ways("{\"agentStateHistory\":[" R_(1, "a") "],"
                         "\"agentStateHistory\":null,\"_links\":"
                         "{\"next\":\"/a\"},\"_links\":{\"Next\":\"/b\","
                         "\"NEXT\":\"/c\"}}",
                         &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 0);
  CHECK_EQ_STR(pg.next_url, "/b");
  cx_history_page_free(&pg);

  /* Bare array; lastPollTime repeated; the last value counts. */
  CHECK_EQ_INT(both_ways("[" R_(4, "x") ",5]", &pg), CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  CHECK_EQ_INT(pg.skipped, 1);
  cx_history_page_free(&pg);
  CHECK_EQ_INT(both_ways("{\"lastPollTime\":\"2024-05-01T00:00:00Z\","
                         "\"lastPollTime\":\"nope\"}",
                         &pg),
               CX_OK);
  CHECK_EQ_INT(pg.last_poll_time, 0);
  cx_history_page_free(&pg);
  /* Errors are json-c's, whichever reader met them first. */
  static const char *const bad[] = {"{\"a\":1} x", "[1,2", "{\"a\" 1}",
                                    "\"str\"", "[\"\\x\"]", "{\"a\":tru}"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    CHECK_EQ_INT(both_ways(bad[i], &pg), CX_ERR_PARSE);
    cx_history_page_free(&pg);
  }
#undef R_
}

/* A record cut down to CX_JSON_HISTORY_FIELDS (as a server honouring
 * fields= sends it) reads the same as the whole record. */
static void test_history_fields_cover(void) {
  static const char *const records[] = {
      "{\"stateIndex\":1,\"startDate\":\"2024-05-01T00:03:12.450Z\","
      "\"agentId\":123,\"agentStateId\":2,\"agentStateName\":\"Unavailable\","
      "\"agentSessionId\":987654,\"contactId\":null,\"skillId\":null,"
      "\"skillName\":null,\"mediaTypeId\":null,\"fromAddress\":null,"
      "\"outStateId\":42,\"outStateDescription\":\"Break\","
      "\"duration\":\"PT4M10.250S\",\"isOutbound\":false,\"stationId\":555,"
      "\"stationName\":\"Softphone-123\",\"teamNo\":2472017}",
      "{\"agentId\":7,\"agentStateName\":\"Dialer\",\"startDate\":"
      "\"2024-05-01T00:00:00Z\",\"duration\":12.5,\"teamId\":3,"
      "\"isNaturalCalling\":true}"};
  for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
    json_object *full = json_tokener_parse(records[i]);
    json_object *cut = json_object_new_object();
    json_object_object_foreach(full, key, val) {
      char want[sizeof(CX_JSON_HISTORY_FIELDS) + 2];
      snprintf(want, sizeof(want), ",%s,", CX_JSON_HISTORY_FIELDS);
      char k[64];
      snprintf(k, sizeof(k), ",%s,", key);
      for (char *p = want; *p; p++)
        if (strncasecmp(p, k, strlen(k)) == 0)
          json_object_object_add(cut, key, json_object_get(val));
    }
    char a[2048], b[2048];
    snprintf(a, sizeof(a), "[%s]", records[i]);
    snprintf(b, sizeof(b), "[%s]", json_object_to_json_string(cut));
    struct cx_history_page pa, pb;
    CHECK_EQ_INT(both_ways(a, &pa), CX_OK);
    CHECK_EQ_INT(both_ways(b, &pb), CX_OK);
    CHECK_EQ_INT(pa.count, 1);
    CHECK(same_page(&pa, &pb));
    CHECK(strlen(b) < strlen(a));
    cx_history_page_free(&pa);
    cx_history_page_free(&pb);
    json_object_put(full);
    json_object_put(cut);
  }
}

/* ---- skills/activity, skills/summary (doc/cxone-api.md §7) ---- */

static enum cx_status skills(enum cx_skill_endpoint which, const char *json,
                             struct cx_skills_page *pg) {
  struct cx_error err;
  *pg = (struct cx_skills_page){.total_records = -1};
  return cx_json_skills_page(which, json, strlen(json), pg, &err);
}

#define HAS(r, f) (((r)->have >> (f)) & 1u)

static void test_skill_activity(void) {
  struct cx_skills_page pg;
  /* The v34 envelope; counts as numbers and as strings; earliestQueueTime
   * a date-time, null and "" (nobody waits). */
  CHECK_EQ_INT(
      skills(CX_SKILL_ACTIVITY,
             "{\"totalRecords\":3,\"lastPollTime\":\"2026-01-05T10:00:00.000Z\","
             "\"_links\":{\"self\":\"x\",\"next\":\"skills/activity?skip=3\"},"
             "\"skillActivity\":[{\"skillId\":11,\"skillName\":\"Billing\","
             "\"queueCount\":4,\"contactsActive\":\"7\",\"agentsAvailable\":2,"
             "\"agentsWorking\":5,\"agentsACW\":1,\"agentsUnavailable\":0,"
             "\"agentsLoggedIn\":8,\"serviceLevel\":83,\"isActive\":true,"
             "\"earliestQueueTime\":\"2026-01-05T09:58:30.000Z\"},"
             "{\"skillId\":\"12\",\"skillName\":\"Sales\",\"queueCount\":0,"
             "\"earliestQueueTime\":null,\"serviceLevel\":100},"
             "{\"skillId\":13,\"queueCount\":0,\"earliestQueueTime\":\"\"}]}",
             &pg),
      CX_OK);
  CHECK_EQ_INT(pg.count, 3);
  CHECK_EQ_INT(pg.skipped, 0);
  CHECK_EQ_INT(pg.total_records, 3);
  CHECK_EQ_STR(pg.next_url, "skills/activity?skip=3");
  CHECK_EQ_INT(pg.last_poll_time, T("2026-01-05T10:00:00Z"));
  const struct cx_skill_record *r = &pg.records[0];
  CHECK_EQ_INT(r->skill_id, 11);
  CHECK_EQ_STR(r->name, "Billing");
  CHECK(r->value[CX_SKILL_QUEUE] == 4 && r->value[CX_SKILL_ACTIVE] == 7);
  CHECK(r->value[CX_SKILL_AGENTS_AVAILABLE] == 2 &&
        r->value[CX_SKILL_AGENTS_WORKING] == 5 &&
        r->value[CX_SKILL_AGENTS_ACW] == 1 &&
        r->value[CX_SKILL_AGENTS_UNAVAILABLE] == 0 &&
        r->value[CX_SKILL_AGENTS_LOGGED_IN] == 8);
  CHECK(HAS(r, CX_SKILL_AGENTS_UNAVAILABLE));
  CHECK(r->value[CX_SKILL_SERVICE_LEVEL] == 83);
  CHECK(r->value[CX_SKILL_EARLIEST_QUEUE] ==
        (double)T("2026-01-05T09:58:30Z"));
  CHECK(!HAS(r, CX_SKILL_OFFERED)); /* a summary field: not read here */
  r = &pg.records[1];
  CHECK_EQ_INT(r->skill_id, 12);
  CHECK(HAS(r, CX_SKILL_EARLIEST_QUEUE) && r->value[CX_SKILL_EARLIEST_QUEUE] == 0);
  CHECK(!HAS(r, CX_SKILL_ACTIVE)); /* absent */
  r = &pg.records[2];
  CHECK(r->name == NULL);
  CHECK(HAS(r, CX_SKILL_EARLIEST_QUEUE) && r->value[CX_SKILL_EARLIEST_QUEUE] == 0);
  cx_skills_page_free(&pg);

  /* PascalCase (older versions), a bare array, serverTime when there is no
   * lastPollTime. */
  CHECK_EQ_INT(skills(CX_SKILL_ACTIVITY,
                      "[{\"SkillId\":5,\"SkillName\":\"Old\",\"QueueCount\":2,"
                      "\"AgentsACW\":3,\"ServiceLevel\":\"91.5\","
                      "\"serverTime\":\"2026-01-05T10:00:01Z\"}]",
                      &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  CHECK_EQ_STR(pg.records[0].name, "Old");
  CHECK(pg.records[0].value[CX_SKILL_QUEUE] == 2);
  CHECK(pg.records[0].value[CX_SKILL_AGENTS_ACW] == 3);
  CHECK(pg.records[0].value[CX_SKILL_SERVICE_LEVEL] == 91.5);
  CHECK_EQ_INT(pg.last_poll_time, T("2026-01-05T10:00:01Z"));
  CHECK_EQ_INT(pg.total_records, -1);
  cx_skills_page_free(&pg);

  /* Bad records are skipped and counted, the others kept. */
  CHECK_EQ_INT(
      skills(CX_SKILL_ACTIVITY,
             "{\"skillActivity\":[{\"queueCount\":1},{\"skillId\":\"x\"},"
             "{\"skillId\":1,\"queueCount\":-1},{\"skillId\":2,"
             "\"queueCount\":1.5},{\"skillId\":3,\"agentsWorking\":\"two\"},"
             "{\"skillId\":4,\"earliestQueueTime\":\"yesterday\"},"
             "{\"skillId\":6,\"serviceLevel\":true},7,"
             "{\"skillId\":8,\"queueCount\":\"3\"}]}",
             &pg),
      CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  CHECK_EQ_INT(pg.skipped, 8);
  CHECK_EQ_INT(pg.records[0].skill_id, 8);
  cx_skills_page_free(&pg);

  /* A service level or abandon rate of -1 (nothing to rate yet) is a
   * figure not given; the record's others stay. */
  CHECK_EQ_INT(skills(CX_SKILL_SUMMARY,
                      "{\"skillSummaries\":[{\"skillId\":9,\"serviceLevel\":-1,"
                      "\"abandonRate\":\"-1\",\"contactsOffered\":0}]}",
                      &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 1);
  CHECK_EQ_INT(pg.skipped, 0);
  CHECK(!(pg.records[0].have & (1u << CX_SKILL_SERVICE_LEVEL)));
  CHECK(!(pg.records[0].have & (1u << CX_SKILL_ABANDON_RATE)));
  CHECK(pg.records[0].have & (1u << CX_SKILL_OFFERED));
  cx_skills_page_free(&pg);

  /* Pages append; empty bodies and envelopes give nothing; not JSON fails
   * and keeps what was there. */
  struct cx_error err;
  CHECK_EQ_INT(skills(CX_SKILL_ACTIVITY, "{\"skillActivity\":[{\"skillId\":1}]}",
                      &pg), CX_OK);
  const char *second = "{\"skillActivity\":[{\"skillId\":2}]}";
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_ACTIVITY, second, strlen(second),
                                   &pg, &err), CX_OK);
  CHECK_EQ_INT(pg.count, 2);
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_ACTIVITY, "{\"skill", 7, &pg, &err),
               CX_ERR_PARSE);
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_ACTIVITY, "\"s\"", 3, &pg, &err),
               CX_ERR_PARSE);
  CHECK_EQ_INT(pg.count, 2);
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_ACTIVITY, "", 0, &pg, &err), CX_OK);
  CHECK_EQ_INT(cx_json_skills_page(CX_SKILL_ACTIVITY, "{}", 2, &pg, &err), CX_OK);
  CHECK_EQ_INT(pg.count, 2);
  cx_skills_page_free(&pg);
}

static void test_skill_summary(void) {
  struct cx_skills_page pg;
  /* Durations as ISO-8601 strings and as seconds; counts as strings. */
  CHECK_EQ_INT(
      skills(CX_SKILL_SUMMARY,
             "{\"skillSummaries\":[{\"skillId\":11,\"skillName\":\"Billing\","
             "\"contactsOffered\":120,\"contactsHandled\":\"110\","
             "\"abandonCount\":10,\"abandonRate\":8.3,"
             "\"averageSpeedToAnswer\":\"PT42.5S\","
             "\"averageHandleTime\":\"PT5M\",\"longestQueueDur\":95,"
             "\"serviceLevel\":79,\"queueCount\":99},"
             "{\"SkillID\":12,\"ContactsOffered\":0,"
             "\"AverageHandleTime\":\"\",\"LongestQueueDur\":null}]}",
             &pg),
      CX_OK);
  CHECK_EQ_INT(pg.count, 2);
  const struct cx_skill_record *r = &pg.records[0];
  CHECK(r->value[CX_SKILL_OFFERED] == 120 && r->value[CX_SKILL_HANDLED] == 110 &&
        r->value[CX_SKILL_ABANDONED] == 10);
  CHECK(r->value[CX_SKILL_ABANDON_RATE] == 8.3);
  CHECK(r->value[CX_SKILL_SPEED_OF_ANSWER] == 42500);
  CHECK(r->value[CX_SKILL_HANDLE_TIME] == 300000);
  CHECK(r->value[CX_SKILL_LONGEST_QUEUE] == 95000);
  CHECK(r->value[CX_SKILL_SERVICE_LEVEL] == 79);
  CHECK(!HAS(r, CX_SKILL_QUEUE)); /* a live field: not read here */
  r = &pg.records[1];
  CHECK_EQ_INT(r->skill_id, 12);
  CHECK(HAS(r, CX_SKILL_OFFERED));
  CHECK(!HAS(r, CX_SKILL_HANDLE_TIME) && !HAS(r, CX_SKILL_LONGEST_QUEUE));
  cx_skills_page_free(&pg);
  /* A malformed duration skips the record. */
  CHECK_EQ_INT(skills(CX_SKILL_SUMMARY,
                      "{\"skillSummaries\":[{\"skillId\":1,"
                      "\"averageHandleTime\":\"5 minutes\"},{\"skillId\":2,"
                      "\"averageSpeedToAnswer\":-3}]}",
                      &pg),
               CX_OK);
  CHECK_EQ_INT(pg.count, 0);
  CHECK_EQ_INT(pg.skipped, 2);
  cx_skills_page_free(&pg);
  /* The activity array is not the summaries'. */
  CHECK_EQ_INT(skills(CX_SKILL_SUMMARY, "{\"skillActivity\":[{\"skillId\":1}]}",
                      &pg), CX_OK);
  CHECK_EQ_INT(pg.count, 0);
  cx_skills_page_free(&pg);
}

/* Every field the parser reads is named in its fields= list. */
static void test_skill_fields_cover(void) {
  static const char *const act[] = {"skillId", "skillName", "queueCount",
      "contactsActive", "earliestQueueTime", "agentsAvailable",
      "agentsWorking", "agentsACW", "agentsUnavailable", "agentsLoggedIn",
      "serviceLevel"};
  static const char *const sum[] = {"skillId", "skillName", "contactsOffered",
      "contactsHandled", "abandonCount", "abandonRate",
      "averageSpeedToAnswer", "averageHandleTime", "longestQueueDur",
      "serviceLevel"};
  char list[512];
  for (size_t i = 0; i < sizeof(act) / sizeof(act[0]); i++) {
    snprintf(list, sizeof(list), ",%s,", CX_JSON_SKILL_ACTIVITY_FIELDS);
    char k[64];
    snprintf(k, sizeof(k), ",%s,", act[i]);
    CHECK(strstr(list, k) != NULL);
  }
  for (size_t i = 0; i < sizeof(sum) / sizeof(sum[0]); i++) {
    snprintf(list, sizeof(list), ",%s,", CX_JSON_SKILL_SUMMARY_FIELDS);
    char k[64];
    snprintf(k, sizeof(k), ",%s,", sum[i]);
    CHECK(strstr(list, k) != NULL);
  }
}

int main(void) {
  RUN(test_state_names);
  RUN(test_history_sample);
  RUN(test_durations);
  RUN(test_variants);
  RUN(test_skipped);
  RUN(test_links_and_empty);
  RUN(test_history_members);
  RUN(test_history_envelope);
  RUN(test_history_fields_cover);
  RUN(test_states);
  RUN(test_auth_documents);
  RUN(test_error_reason);
  RUN(test_jwt);
  RUN(test_skill_activity);
  RUN(test_skill_summary);
  RUN(test_skill_fields_cover);
  return unit_finish();
}
