/*
 * cx_json.c: CXone JSON bodies -> library structs (json-c); see cx_json.h.
 *
 * Owns every json-c call of the library.  Pure: a byte buffer in, structs and
 * a cx_error out, no I/O and no global state, so the fuzzer links it alone.
 *
 * Tolerance rules (the API has changed shape over the years, cxone-api.md
 * §2.5, §9):
 *   - keys are looked up exactly first, then case-insensitively (PascalCase
 *     of pre-2016 versions);
 *   - integers may arrive as JSON numbers (integral doubles accepted) or as
 *     numeric strings ("68");
 *   - `duration` may be ISO-8601 ("PT4M10.25S") or seconds (number or string);
 *   - the team is `teamId` or `teamNo`; the state is `agentStateId`, else
 *     `agentStateName`;
 *   - unknown keys are ignored; a record that lacks an agent id, a known state
 *     or a parsable start (or has a malformed duration) is skipped and counted.
 *
 * Invariant, checked by tests/fuzz/fuzz_json.c: no input crashes or leaks.
 * On failure every output is left empty/NULL.  Buffers that held a token
 * (token response strings, the tokener's scratch buffer) are wiped before
 * json-c frees them.
 */
#include "cx_json.h"

#include <json-c/json.h>
#include <json-c/printbuf.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_MAX_DEPTH 64

/* ---------------------------------------------------------------- parsing */

static bool only_space(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return false;
  return true;
}

static void wipe_tokener(struct json_tokener *tok) {
  /* The tokener accumulates string values in its printbuf; wipe it so a
   * token does not linger in freed heap.  (Fields are public in json-c
   * 0.15-0.17; guarded against NULL.) */
  if (tok != NULL && tok->pb != NULL && tok->pb->buf != NULL &&
      tok->pb->size > 0)
    explicit_bzero(tok->pb->buf, (size_t)tok->pb->size);
}

/* Parses body[0..len).  An empty or all-blank body yields *out = NULL and
 * CX_OK.  secret: wipe the tokener's buffer afterwards. */
static enum cx_status parse_json(const char *body, size_t len, const char *what,
                                 bool secret, json_object **out,
                                 struct cx_error *err) {
  *out = NULL;
  if (body == NULL || len == 0 || only_space(body, len))
    return CX_OK;
  if (len > INT_MAX)
    return cx_error_set(err, CX_ERR_PARSE, 0, "%s: response too large to parse",
                        what);
  struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
  if (tok == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  json_object *obj = json_tokener_parse_ex(tok, body, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  if (obj == NULL && jerr == json_tokener_continue) {
    /* A bare number (or a truncated body): feed the terminating NUL. */
    obj = json_tokener_parse_ex(tok, "", 1);
    jerr = json_tokener_get_error(tok);
    end = len;
  }
  enum cx_status st = CX_OK;
  if (jerr != json_tokener_success) {
    st = cx_error_set(err, CX_ERR_PARSE, 0, "%s: invalid JSON (%s)", what,
                      jerr == json_tokener_continue
                          ? "truncated"
                          : json_tokener_error_desc(jerr));
  } else if (end < len && !only_space(body + end, len - end)) {
    st = cx_error_set(err, CX_ERR_PARSE, 0,
                      "%s: invalid JSON (trailing data at byte %zu)", what, end);
  }
  if (secret)
    wipe_tokener(tok);
  json_tokener_free(tok);
  if (st != CX_OK) {
    json_object_put(obj);
    return st;
  }
  *out = obj;
  return CX_OK;
}

/* Wipes a string value in place before the tree is freed (token bodies). */
static void wipe_string(json_object *o) {
  if (o != NULL && json_object_is_type(o, json_type_string)) {
    int n = json_object_get_string_len(o);
    char *s = (char *)json_object_get_string(o);
    if (s != NULL && n > 0)
      explicit_bzero(s, (size_t)n);
  }
}

/* ---------------------------------------------------------------- lookups */

/* Member `key` of obj: exact match first, else case-insensitive.  NULL when
 * obj is not an object, the key is absent, or its value is null. */
static json_object *get(json_object *obj, const char *key) {
  json_object *v = NULL;
  if (obj == NULL || !json_object_is_type(obj, json_type_object))
    return NULL;
  if (json_object_object_get_ex(obj, key, &v))
    return v;
  struct json_object_iterator it = json_object_iter_begin(obj);
  struct json_object_iterator end = json_object_iter_end(obj);
  while (!json_object_iter_equal(&it, &end)) {
    if (strcasecmp(json_object_iter_peek_name(&it), key) == 0)
      return json_object_iter_peek_value(&it);
    json_object_iter_next(&it);
  }
  return NULL;
}

static bool parse_int_text(const char *s, int64_t *out) {
  if (s == NULL)
    return false;
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s == '\0')
    return false;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || end == s)
    return false;
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end != '\0')
    return false;
  *out = (int64_t)v;
  return true;
}

/* An integer from a JSON number (integral) or a numeric string. */
static bool as_int64(json_object *v, int64_t *out) {
  if (v == NULL)
    return false;
  switch (json_object_get_type(v)) {
  case json_type_int:
    errno = 0;
    *out = json_object_get_int64(v);
    return true;
  case json_type_double: {
    double d = json_object_get_double(v);
    if (!isfinite(d) || d != floor(d) || d < -9.2e18 || d > 9.2e18)
      return false;
    *out = (int64_t)d;
    return true;
  }
  case json_type_string:
    return parse_int_text(json_object_get_string(v), out);
  default:
    return false;
  }
}

static bool get_int64(json_object *obj, const char *key, int64_t *out) {
  return as_int64(get(obj, key), out);
}

/* An id field: CX_ID_NONE when absent or unparsable. */
static int64_t get_id(json_object *obj, const char *key) {
  int64_t v;
  if (!get_int64(obj, key, &v) || v == CX_ID_NONE)
    return CX_ID_NONE;
  return v;
}

/* Non-empty string value (numbers given as text too), or NULL. */
static const char *get_text(json_object *obj, const char *key) {
  json_object *v = get(obj, key);
  if (v == NULL)
    return NULL;
  switch (json_object_get_type(v)) {
  case json_type_string:
  case json_type_int: {
    const char *s = json_object_get_string(v);
    return (s != NULL && *s != '\0') ? s : NULL;
  }
  default:
    return NULL;
  }
}

/* strdup of a non-empty string field.  *ok = false on allocation failure. */
static char *dup_text(json_object *obj, const char *key, bool *ok) {
  const char *s = get_text(obj, key);
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    *ok = false;
  return d;
}

static bool get_bool(json_object *obj, const char *key) {
  json_object *v = get(obj, key);
  if (v == NULL)
    return false;
  switch (json_object_get_type(v)) {
  case json_type_boolean:
    return json_object_get_boolean(v);
  case json_type_int:
    return json_object_get_int64(v) != 0;
  case json_type_string: {
    const char *s = json_object_get_string(v);
    return strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0;
  }
  default:
    return false;
  }
}

static bool get_time(json_object *obj, const char *key, cx_ms_t *out) {
  json_object *v = get(obj, key);
  if (v == NULL || !json_object_is_type(v, json_type_string))
    return false;
  return cx_time_parse(json_object_get_string(v), out) == 0;
}

/* State id: agentStateId (0..8), else agentStateName.  -1 when neither. */
static int get_state(json_object *obj) {
  int64_t id;
  if (get_int64(obj, "agentStateId", &id) && id >= 0 && id < CX_STATE_COUNT)
    return (int)id;
  json_object *v = get(obj, "agentStateName");
  if (v != NULL && json_object_is_type(v, json_type_string))
    return cx_state_from_name(json_object_get_string(v));
  return -1;
}

/* Largest duration accepted: 100 years. */
#define DURATION_MAX_MS (100LL * 366 * 86400000LL)

/* duration: null/absent -> CX_DURATION_OPEN; false on malformed. */
static bool get_duration(json_object *obj, cx_ms_t *out) {
  json_object *v = get(obj, "duration");
  *out = CX_DURATION_OPEN;
  if (v == NULL)
    return true;
  cx_ms_t d;
  switch (json_object_get_type(v)) {
  case json_type_int: {
    int64_t s = json_object_get_int64(v);
    if (s < 0 || s > DURATION_MAX_MS / 1000)
      return false;
    d = s * 1000;
    break;
  }
  case json_type_double: {
    double s = json_object_get_double(v);
    if (!isfinite(s) || s < 0 || s > (double)(DURATION_MAX_MS / 1000))
      return false;
    d = (cx_ms_t)llround(s * 1000.0);
    break;
  }
  case json_type_string: {
    const char *s = json_object_get_string(v);
    if (*s == '\0')
      return true; /* "" behaves like null */
    if (cx_duration_parse(s, &d) != 0 || d < 0 || d > DURATION_MAX_MS)
      return false;
    break;
  }
  default:
    return false;
  }
  *out = d;
  return true;
}

/* _links.next as a malloc'd string, NULL when null/absent/empty.  A link
 * with an embedded NUL ("\u0000") is no URL at all: treated as absent. */
static char *get_next(json_object *root, bool *ok) {
  json_object *links = get(root, "_links");
  if (links == NULL)
    return NULL;
  json_object *n = get(links, "next");
  if (n == NULL || !json_object_is_type(n, json_type_string))
    return NULL;
  const char *s = json_object_get_string(n);
  size_t len = (size_t)json_object_get_string_len(n);
  if (s == NULL || len == 0 || strlen(s) != len)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    *ok = false;
  return d;
}

/* The records array: root[key] when root is an object, root itself when the
 * body is a bare array.  NULL when there are none. */
static json_object *get_array(json_object *root, const char *key) {
  if (root == NULL)
    return NULL;
  if (json_object_is_type(root, json_type_array))
    return root;
  json_object *a = get(root, key);
  if (a != NULL && json_object_is_type(a, json_type_array))
    return a;
  return NULL;
}

static enum cx_status check_root(json_object *root, const char *what,
                                 struct cx_error *err) {
  if (root == NULL || json_object_is_type(root, json_type_object) ||
      json_object_is_type(root, json_type_array))
    return CX_OK;
  return cx_error_set(err, CX_ERR_PARSE, 0, "%s: expected a JSON object, got %s",
                      what, json_type_to_name(json_object_get_type(root)));
}

/* ------------------------------------------------------------------ pages */

/* What sets one page type apart: its array key and its record parser.
 * parse returns 1 (record filled), 0 (skipped) or -1 (out of memory) and
 * leaves nothing to free unless it returns 1. */
struct page_kind {
  const char *what;
  const char *key;
  size_t size; /* bytes per record */
  int (*parse)(json_object *o, void *rec);
  void (*clear)(void *rec);
  bool item_poll_time; /* items may carry lastPollTime (per-agent variant) */
};

/* A parsed page, before it is handed out as the public struct. */
struct page {
  void *recs;
  size_t count;
  size_t skipped;
  char *next_url;
  cx_ms_t last_poll_time;
  int64_t total_records;
};

/* Frees count records of kind k, their array and the next link. */
static void free_page(const struct page_kind *k, void *recs, size_t count,
                      char *next_url) {
  for (size_t i = 0; i < count; i++)
    k->clear((char *)recs + i * k->size);
  free(recs);
  free(next_url);
}

/* The envelope both page types share: parse, check the root, walk the
 * records array (counting skips), then _links.next, lastPollTime (top level,
 * else the latest per-item one when k allows) and totalRecords. */
static enum cx_status parse_page(const char *body, size_t len,
                                 const struct page_kind *k, struct page *pg,
                                 struct cx_error *err) {
  *pg = (struct page){.total_records = -1};
  json_object *root;
  enum cx_status st = parse_json(body, len, k->what, false, &root, err);
  if (st != CX_OK || root == NULL)
    return st;
  if ((st = check_root(root, k->what, err)) != CX_OK)
    goto out;

  bool ok = true;
  cx_ms_t item_poll = 0;
  json_object *arr = get_array(root, k->key);
  size_t n = arr != NULL ? json_object_array_length(arr) : 0;
  if (n > 0 && (pg->recs = calloc(n, k->size)) == NULL)
    ok = false;
  for (size_t i = 0; ok && i < n; i++) {
    json_object *item = json_object_array_get_idx(arr, i);
    int rc = k->parse(item, (char *)pg->recs + pg->count * k->size);
    cx_ms_t t;
    if (rc > 0) {
      pg->count++;
      if (k->item_poll_time && get_time(item, "lastPollTime", &t) &&
          t > item_poll)
        item_poll = t;
    } else if (rc == 0) {
      pg->skipped++;
    } else {
      ok = false;
    }
  }
  if (ok)
    pg->next_url = get_next(root, &ok);
  if (!get_time(root, "lastPollTime", &pg->last_poll_time))
    pg->last_poll_time = item_poll;
  int64_t total;
  if (get_int64(root, "totalRecords", &total) && total >= 0)
    pg->total_records = total;
  if (!ok) {
    free_page(k, pg->recs, pg->count, pg->next_url);
    *pg = (struct page){.total_records = -1};
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", k->what);
  }
out:
  json_object_put(root);
  return st;
}

/* What both record types need: an agent id, a known state and a parsable
 * start; plus the team (teamId, else teamNo).  False: skip the record. */
static bool record_head(json_object *o, int64_t *agent, int64_t *team,
                        int *state, cx_ms_t *start) {
  if (!json_object_is_type(o, json_type_object))
    return false;
  if (!get_int64(o, "agentId", agent) || *agent == CX_ID_NONE)
    return false;
  if ((*state = get_state(o)) < 0)
    return false;
  if (!get_time(o, "startDate", start))
    return false;
  *team = get_id(o, "teamId");
  if (*team == CX_ID_NONE)
    *team = get_id(o, "teamNo");
  return true;
}

/* ---------------------------------------------------------------- history */

static int history_record(json_object *o, void *rec) {
  struct cx_history_record *r = rec;
  memset(r, 0, sizeof(*r));
  if (!record_head(o, &r->agent_id, &r->team_id, &r->state_id, &r->start) ||
      !get_duration(o, &r->duration))
    return 0;
  r->session_id = get_id(o, "agentSessionId");
  r->state_index = get_id(o, "stateIndex");
  bool ok = true;
  r->reason = dup_text(o, "outStateDescription", &ok);
  return ok ? 1 : -1;
}

static void history_clear(void *rec) { cx_history_record_clear(rec); }

static const struct page_kind history_kind = {
    .what = "agents/state-history",
    .key = "agentStateHistory",
    .size = sizeof(struct cx_history_record),
    .parse = history_record,
    .clear = history_clear,
};

void cx_history_page_free(struct cx_history_page *page) {
  if (page == NULL)
    return;
  free_page(&history_kind, page->records, page->count, page->next_url);
  *page = (struct cx_history_page){.total_records = -1};
}

enum cx_status cx_json_history_page(const char *body, size_t len,
                                    struct cx_history_page *page,
                                    struct cx_error *err) {
  struct page pg;
  enum cx_status st = parse_page(body, len, &history_kind, &pg, err);
  *page = (struct cx_history_page){
      .records = pg.recs, .count = pg.count, .skipped = pg.skipped,
      .next_url = pg.next_url, .last_poll_time = pg.last_poll_time,
      .total_records = pg.total_records};
  return st;
}

/* ----------------------------------------------------------------- states */

static int agent_state(json_object *o, void *rec) {
  struct cx_agent_state *s = rec;
  memset(s, 0, sizeof(*s));
  if (!record_head(o, &s->agent_id, &s->team_id, &s->state_id, &s->start))
    return 0;
  s->is_acw = get_bool(o, "isACW");
  bool ok = true;
  s->team_name = dup_text(o, "teamName", &ok);
  s->first_name = dup_text(o, "firstName", &ok);
  s->last_name = dup_text(o, "lastName", &ok);
  s->user_name = dup_text(o, "userName", &ok);
  s->reason = dup_text(o, "outStateDescription", &ok);
  if (!ok) {
    cx_agent_state_clear(s);
    return -1;
  }
  return 1;
}

static void state_clear(void *rec) { cx_agent_state_clear(rec); }

static const struct page_kind states_kind = {
    .what = "agents/states",
    .key = "agentStates",
    .size = sizeof(struct cx_agent_state),
    .parse = agent_state,
    .clear = state_clear,
    .item_poll_time = true,
};

void cx_states_page_free(struct cx_states_page *page) {
  if (page == NULL)
    return;
  free_page(&states_kind, page->states, page->count, page->next_url);
  *page = (struct cx_states_page){.total_records = -1};
}

enum cx_status cx_json_states_page(const char *body, size_t len,
                                   struct cx_states_page *page,
                                   struct cx_error *err) {
  struct page pg;
  enum cx_status st = parse_page(body, len, &states_kind, &pg, err);
  *page = (struct cx_states_page){
      .states = pg.recs, .count = pg.count, .skipped = pg.skipped,
      .next_url = pg.next_url, .last_poll_time = pg.last_poll_time,
      .total_records = pg.total_records};
  return st;
}

/* ------------------------------------------------------- auth documents */

/* Copies a printable, bounded rendition of s into buf (for messages). */
static void safe_copy(char *buf, size_t size, const char *s, size_t max) {
  size_t j = 0;
  if (size == 0)
    return;
  for (size_t i = 0; s != NULL && s[i] != '\0' && i < max && j + 1 < size;
       i++) {
    unsigned char c = (unsigned char)s[i];
    buf[j++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
  }
  buf[j] = '\0';
}

/* Required non-empty string member, strdup'd. */
static enum cx_status required_text(json_object *root, const char *key,
                                    const char *what, char **out,
                                    struct cx_error *err) {
  json_object *v = get(root, key);
  if (v == NULL || !json_object_is_type(v, json_type_string) ||
      json_object_get_string_len(v) == 0)
    return cx_error_set(err, CX_ERR_PARSE, 0, "%s: no \"%s\" in response", what,
                        key);
  *out = strdup(json_object_get_string(v));
  if (*out == NULL)
    return cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  return CX_OK;
}

static enum cx_status parse_object(const char *body, size_t len,
                                   const char *what, bool secret,
                                   json_object **root, struct cx_error *err) {
  enum cx_status st = parse_json(body, len, what, secret, root, err);
  if (st != CX_OK)
    return st;
  if (*root == NULL)
    return cx_error_set(err, CX_ERR_PARSE, 0, "%s: empty response", what);
  if (!json_object_is_type(*root, json_type_object)) {
    json_object_put(*root);
    *root = NULL;
    return cx_error_set(err, CX_ERR_PARSE, 0, "%s: expected a JSON object",
                        what);
  }
  return CX_OK;
}

enum cx_status cx_json_discovery(const char *body, size_t len,
                                 char **token_endpoint, struct cx_error *err) {
  const char *what = "openid-configuration";
  *token_endpoint = NULL;
  json_object *root;
  enum cx_status st = parse_object(body, len, what, false, &root, err);
  if (st != CX_OK)
    return st;
  st = required_text(root, "token_endpoint", what, token_endpoint, err);
  json_object_put(root);
  return st;
}

/* "error: description" from an object, "" when it has neither. */
static void error_reason_of(json_object *root, char *buf, size_t size) {
  static const char *const desc_keys[] = {"error_description",
                                          "errorDescription", "message",
                                          "description"};
  char e[160] = "", d[320] = "";
  json_object *ev = get(root, "error");
  if (ev != NULL && json_object_is_type(ev, json_type_string))
    safe_copy(e, sizeof(e), json_object_get_string(ev), 150);
  else if (ev != NULL && json_object_is_type(ev, json_type_object))
    error_reason_of(ev, e, sizeof(e)); /* {"error":{"message":...}} */
  for (size_t i = 0; i < sizeof(desc_keys) / sizeof(desc_keys[0]); i++) {
    json_object *dv = get(root, desc_keys[i]);
    if (dv != NULL && json_object_is_type(dv, json_type_string) &&
        json_object_get_string_len(dv) > 0) {
      safe_copy(d, sizeof(d), json_object_get_string(dv), 300);
      break;
    }
  }
  if (e[0] != '\0' && d[0] != '\0')
    snprintf(buf, size, "%s: %s", e, d);
  else
    snprintf(buf, size, "%s", e[0] != '\0' ? e : d);
}

enum cx_status cx_json_token_ex(const char *body, size_t len,
                                char **access_token, long *expires_in,
                                char **id_token, struct cx_error *err) {
  const char *what = "token";
  *access_token = NULL;
  *expires_in = 3600;
  if (id_token != NULL)
    *id_token = NULL;
  json_object *root;
  enum cx_status st = parse_object(body, len, what, true, &root, err);
  if (st != CX_OK)
    return st;

  json_object *at = get(root, "access_token");
  json_object *it = get(root, "id_token");
  json_object *rt = get(root, "refresh_token");
  if (get(root, "error") != NULL &&
      (at == NULL || !json_object_is_type(at, json_type_string))) {
    char reason[400];
    error_reason_of(root, reason, sizeof(reason));
    st = cx_error_set(err, CX_ERR_AUTH, 0, "token request refused: %s", reason);
    goto out;
  }
  st = required_text(root, "access_token", what, access_token, err);
  if (st != CX_OK)
    goto out;
  if (id_token != NULL && it != NULL &&
      json_object_is_type(it, json_type_string) &&
      json_object_get_string_len(it) > 0) {
    *id_token = strdup(json_object_get_string(it));
    if (*id_token == NULL) {
      explicit_bzero(*access_token, strlen(*access_token));
      free(*access_token);
      *access_token = NULL;
      st = cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
      goto out;
    }
  }
  int64_t e;
  if (get_int64(root, "expires_in", &e) && e > 0 && e <= 10L * 365 * 86400)
    *expires_in = (long)e;
out:
  wipe_string(at);
  wipe_string(it);
  wipe_string(rt);
  json_object_put(root);
  return st;
}

enum cx_status cx_json_token(const char *body, size_t len, char **access_token,
                             long *expires_in, struct cx_error *err) {
  return cx_json_token_ex(body, len, access_token, expires_in, NULL, err);
}

enum cx_status cx_json_cxone_config(const char *body, size_t len,
                                    char **api_endpoint, struct cx_error *err) {
  const char *what = "cxone-configuration";
  *api_endpoint = NULL;
  json_object *root;
  enum cx_status st = parse_object(body, len, what, false, &root, err);
  if (st != CX_OK)
    return st;
  st = required_text(root, "api_endpoint", what, api_endpoint, err);
  json_object_put(root);
  if (st != CX_OK)
    return st;
  size_t n = strlen(*api_endpoint);
  while (n > 0 && (*api_endpoint)[n - 1] == '/')
    (*api_endpoint)[--n] = '\0';
  if (n == 0) {
    free(*api_endpoint);
    *api_endpoint = NULL;
    return cx_error_set(err, CX_ERR_PARSE, 0, "%s: empty \"api_endpoint\"",
                        what);
  }
  return CX_OK;
}

/* -------------------------------------------------------------------- JWT */

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-' || c == '+')
    return 62;
  if (c == '_' || c == '/')
    return 63;
  return -1;
}

/* base64url (or base64) without or with padding -> malloc'd bytes + NUL. */
static char *b64url_decode(const char *s, size_t len, size_t *out_len) {
  while (len > 0 && s[len - 1] == '=')
    len--;
  if (len % 4 == 1)
    return NULL;
  char *out = malloc(len / 4 * 3 + 3 + 1);
  if (out == NULL)
    return NULL;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = b64_value((unsigned char)s[i]);
    if (v < 0) {
      free(out);
      return NULL;
    }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (char)((acc >> bits) & 0xff);
    }
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}

enum cx_status cx_jwt_claims(const char *jwt, char **tenant_id, int64_t *exp,
                             struct cx_error *err) {
  const char *what = "access token";
  *tenant_id = NULL;
  *exp = 0;
  const char *dot1 = jwt != NULL ? strchr(jwt, '.') : NULL;
  const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
  if (dot2 == NULL || dot2 == dot1 + 1)
    return cx_error_set(err, CX_ERR_PARSE, 0, "%s: not a JWT", what);
  size_t plen = 0;
  char *payload = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &plen);
  if (payload == NULL)
    return cx_error_set(err, CX_ERR_PARSE, 0,
                        "%s: JWT payload is not base64url", what);
  json_object *root;
  enum cx_status st = parse_object(payload, plen, "JWT payload", false, &root,
                                   err);
  free(payload);
  if (st != CX_OK)
    return st;
  const char *t = get_text(root, "tenantId");
  if (t != NULL && (*tenant_id = strdup(t)) == NULL)
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  int64_t e;
  if (st == CX_OK && get_int64(root, "exp", &e) && e > 0)
    *exp = e;
  json_object_put(root);
  return st;
}

/* ------------------------------------------------------------ error body */

/* Clears buf and parses an error body into *root: true when it is JSON
 * (*root may then be NULL, for "null"). */
static bool parse_error_body(const char *body, size_t len, char *buf,
                             size_t size, json_object **root) {
  *root = NULL;
  if (buf == NULL || size == 0)
    return false;
  buf[0] = '\0';
  return body != NULL && len > 0 && len <= INT_MAX &&
         parse_json(body, len, "error", false, root, NULL) == CX_OK;
}

void cx_json_error_reason(const char *body, size_t len, char *buf,
                          size_t size) {
  json_object *root;
  if (parse_error_body(body, len, buf, size, &root)) {
    if (root != NULL && json_object_is_type(root, json_type_object))
      error_reason_of(root, buf, size);
    else if (root != NULL && json_object_is_type(root, json_type_string))
      safe_copy(buf, size, json_object_get_string(root), 200);
    json_object_put(root);
    return;
  }
  if (buf == NULL || size == 0 || body == NULL || len == 0 || len > INT_MAX)
    return;
  /* Not JSON: a short plain-text reason ("No known way to render data") is
   * worth showing; HTML error pages and long bodies are not. */
  size_t i = 0;
  while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' ||
                     body[i] == '\t'))
    i++;
  if (len - i == 0 || len - i > 200 || body[i] == '<' || body[i] == '{' ||
      body[i] == '[' || memchr(body + i, '\0', len - i) != NULL)
    return;
  char tmp[201];
  memcpy(tmp, body + i, len - i);
  tmp[len - i] = '\0';
  safe_copy(buf, size, tmp, 200);
  size_t n = strlen(buf);
  while (n > 0 && buf[n - 1] == ' ')
    buf[--n] = '\0';
}

void cx_json_oauth_error(const char *body, size_t len, char *buf,
                         size_t size) {
  json_object *root;
  if (!parse_error_body(body, len, buf, size, &root))
    return;
  json_object *ev = root != NULL && json_object_is_type(root, json_type_object)
                        ? get(root, "error")
                        : NULL;
  if (ev != NULL && json_object_is_type(ev, json_type_string))
    safe_copy(buf, size, json_object_get_string(ev), 64);
  json_object_put(root);
}
