/*
 * fuzz_json.c: libFuzzer target for the pure parsers of cx_json.c.
 *
 * Each input is fed to every parser: state-history, agents/states,
 * skills/activity and skills/summary pages (the latter twice: appended to
 * a page already holding a record, which a failure must leave as it was),
 * discovery, token, cxone-configuration, the error-reason extractor (with a
 * roomy and a tiny buffer), and cx_jwt_claims twice: once on the raw bytes
 * (the splitter and base64url decoder) and once on a JWT whose payload is the
 * input (the claims parser).  The invariant under test: no crash, no leak, no
 * undefined behaviour, and outputs that respect the header's promises
 * (state ids 0..8, durations >= 0 or open, empty outputs on failure); and
 * the history scanner reads every body as json-c's tree does (the page is
 * the same through cx_json_history_page_via_json_c).
 * Build and run with tests/fuzz/run.sh.
 */
#include "cx_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/b64.h"

#define REQUIRE(c)                                                             \
  do {                                                                         \
    if (!(c))                                                                  \
      __builtin_trap();                                                        \
  } while (0)

static bool same_text(const char *a, const char *b) {
  return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static void check_same(const struct cx_history_page *a,
                       const struct cx_history_page *b) {
  REQUIRE(a->count == b->count && a->skipped == b->skipped &&
          a->last_poll_time == b->last_poll_time &&
          a->total_records == b->total_records &&
          same_text(a->next_url, b->next_url));
  for (size_t i = 0; i < a->count; i++) {
    const struct cx_history_record *x = &a->records[i], *y = &b->records[i];
    REQUIRE(x->agent_id == y->agent_id && x->team_id == y->team_id &&
            x->session_id == y->session_id &&
            x->state_index == y->state_index && x->state_id == y->state_id &&
            x->start == y->start && x->duration == y->duration &&
            same_text(x->reason, y->reason));
  }
}

static void check_history(const char *d, size_t n) {
  struct cx_history_page pg, via;
  struct cx_error err;
  enum cx_status st = cx_json_history_page(d, n, &pg, &err);
  REQUIRE(cx_json_history_page_via_json_c(d, n, &via, &err) == st);
  check_same(&pg, &via);
  cx_history_page_free(&via);
  if (st == CX_OK) {
    for (size_t i = 0; i < pg.count; i++) {
      const struct cx_history_record *r = &pg.records[i];
      REQUIRE(r->state_id >= 0 && r->state_id < CX_STATE_COUNT);
      REQUIRE(r->duration >= 0 || r->duration == CX_DURATION_OPEN);
      REQUIRE(r->agent_id != CX_ID_NONE);
      REQUIRE(r->reason == NULL || r->reason[0] != '\0');
    }
    REQUIRE(pg.next_url == NULL || pg.next_url[0] != '\0');
  } else {
    REQUIRE(pg.records == NULL && pg.count == 0 && pg.next_url == NULL);
    REQUIRE(err.message[0] != '\0');
  }
  cx_history_page_free(&pg);
}

static void check_states(const char *d, size_t n) {
  struct cx_states_page pg;
  struct cx_error err;
  if (cx_json_states_page(d, n, &pg, &err) == CX_OK) {
    for (size_t i = 0; i < pg.count; i++)
      REQUIRE(pg.states[i].state_id >= 0 &&
              pg.states[i].state_id < CX_STATE_COUNT);
  } else {
    REQUIRE(pg.states == NULL && pg.count == 0 && pg.next_url == NULL);
  }
  cx_states_page_free(&pg);
}

/* A page with one record, then the input appended to it. */
static void check_skills(enum cx_skill_endpoint which, const char *d,
                         size_t n) {
  static const char first[] = "[{\"skillId\":1,\"skillName\":\"a\"}]";
  struct cx_skills_page pg = {.total_records = -1};
  struct cx_error err;
  REQUIRE(cx_json_skills_page(which, first, sizeof(first) - 1, &pg, &err) ==
          CX_OK);
  REQUIRE(pg.count == 1);
  size_t skipped = pg.skipped;
  if (cx_json_skills_page(which, d, n, &pg, &err) == CX_OK) {
    REQUIRE(pg.count >= 1 && pg.skipped >= skipped);
    for (size_t i = 0; i < pg.count; i++) {
      const struct cx_skill_record *r = &pg.records[i];
      REQUIRE(r->skill_id != CX_ID_NONE);
      REQUIRE(r->name == NULL || r->name[0] != '\0');
      for (int f = 0; f < CX_SKILL_NFIELDS; f++)
        REQUIRE(!((r->have >> f) & 1u) || r->value[f] >= 0);
    }
    REQUIRE(pg.next_url == NULL || pg.next_url[0] != '\0');
  } else {
    REQUIRE(pg.count == 1 && pg.skipped == skipped);
    REQUIRE(err.message[0] != '\0');
  }
  cx_skills_page_free(&pg);
  REQUIRE(pg.records == NULL && pg.count == 0);
}

static void check_auth(const char *d, size_t n) {
  struct cx_error err;
  char *s = NULL, *id = NULL;
  long exp = 0;
  if (cx_json_discovery(d, n, &s, &err) == CX_OK)
    REQUIRE(s != NULL && s[0] != '\0');
  else
    REQUIRE(s == NULL);
  free(s);
  s = NULL;
  if (cx_json_token_ex(d, n, &s, &exp, &id, &err) == CX_OK)
    REQUIRE(s != NULL && exp > 0);
  else
    REQUIRE(s == NULL && id == NULL);
  free(s);
  free(id);
  s = NULL;
  if (cx_json_token(d, n, &s, &exp, &err) == CX_OK)
    REQUIRE(s != NULL);
  free(s);
  s = NULL;
  if (cx_json_cxone_config(d, n, &s, &err) == CX_OK) {
    REQUIRE(s != NULL && s[0] != '\0' && s[strlen(s) - 1] != '/');
  } else {
    REQUIRE(s == NULL);
  }
  free(s);
  char big[512], tiny[3];
  cx_json_error_reason(d, n, big, sizeof(big));
  REQUIRE(strlen(big) < sizeof(big));
  cx_json_error_reason(d, n, tiny, sizeof(tiny));
  REQUIRE(strlen(tiny) < sizeof(tiny));
}

static void check_jwt(const uint8_t *data, size_t n, const char *str) {
  struct cx_error err;
  char *tenant = NULL;
  int64_t exp = 0;
  if (cx_jwt_claims(str, &tenant, &exp, &err) != CX_OK)
    REQUIRE(tenant == NULL);
  free(tenant);
  /* The input as a JWT payload. */
  char *jwt = malloc(n / 3 * 4 + 8 + 16);
  if (jwt == NULL)
    return;
  memcpy(jwt, "eyJ9.", 5);
  b64url(data, n, false, jwt + 5);
  strcat(jwt, ".sig");
  tenant = NULL;
  if (cx_jwt_claims(jwt, &tenant, &exp, &err) != CX_OK)
    REQUIRE(tenant == NULL);
  free(tenant);
  free(jwt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A private, unterminated copy: ASan catches reads past the end. */
  char *d = malloc(size ? size : 1);
  char *str = malloc(size + 1);
  if (d == NULL || str == NULL) {
    free(d);
    free(str);
    return 0;
  }
  memcpy(d, data, size);
  memcpy(str, data, size);
  str[size] = '\0';
  check_history(d, size);
  check_states(d, size);
  check_skills(CX_SKILL_ACTIVITY, d, size);
  check_skills(CX_SKILL_SUMMARY, d, size);
  check_auth(d, size);
  check_jwt(data, size, str);
  free(d);
  free(str);
  return 0;
}
