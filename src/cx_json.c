/*
 * cx_json.c: CXone JSON bodies -> library structs (json-c); see cx_json.h.
 *
 * Owns every json-c call of the library.  Pure: a byte buffer in, structs and
 * a cx_error out, no I/O and no global state, so the fuzzer links it alone.
 * State-history pages, the bulk of the bytes, are read without a json-c
 * tree by cx_jscan, to the same results (see "history" below).
 *
 * Tolerance rules (the API has changed shape over the years, doc/cxone-api.md
 * §2, §3):
 *   - keys are looked up exactly first, then case-insensitively (PascalCase
 *     of pre-2016 versions);
 *   - integers may arrive as JSON numbers (integral doubles accepted) or as
 *     numeric strings ("68");
 *   - `duration` may be ISO-8601 ("PT4M10.25S") or seconds (number or string);
 *   - the team is `teamId` or `teamNo`; the state is `agentStateId`, else
 *     `agentStateName`;
 *   - unknown keys are ignored; a record that lacks an agent id, a known state
 *     or a parsable start (or has a malformed duration) is skipped and counted;
 *   - skills (§7): a record without a skill id, or with a count, percent,
 *     duration or date-time of the wrong form, is skipped and counted;
 *     earliestQueueTime null or "" means nobody waits; a negative whole
 *     percentage (-1: no contact yet to rate) is a figure not given.
 *
 * Invariants, checked by tests/fuzz/fuzz_json.c: no input crashes or leaks;
 * a history page reads the same through the scanner as through json-c's
 * tree.  On failure every output is left empty/NULL.  Buffers that held a
 * token (token response strings, the tokener's scratch buffer) are wiped
 * before json-c frees them.
 */
#include "cx_json.h"
#include "cx_jscan.h"
#include "cx_array.h"

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

/* ----------------------------------------------------------------- values */

/* A value as the record readers see it, whether found in json-c's tree or
 * read by the scanner: json_type_null (null or absent), a boolean, an
 * integer (i clamped to int64 as json_object_get_int64 does; big and u keep
 * json-c's uint64 above INT64_MAX), a double, a string (NUL-terminated, len
 * counting embedded NULs) or a container (nothing more). */
struct jval {
  enum json_type type;
  bool b;
  int64_t i;
  bool big;
  uint64_t u;
  double d;
  const char *s;
  size_t len;
};

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
static bool jv_int64(const struct jval *v, int64_t *out) {
  switch (v->type) {
  case json_type_int: *out = v->i; return true;
  case json_type_double:
    if (!isfinite(v->d) || v->d != floor(v->d) || v->d < -9.2e18 ||
        v->d > 9.2e18)
      return false;
    *out = (int64_t)v->d;
    return true;
  case json_type_string: return parse_int_text(v->s, out);
  default: return false;
  }
}

/* An id: CX_ID_NONE when absent or unparsable. */
static int64_t jv_id(const struct jval *v) {
  int64_t id;
  return jv_int64(v, &id) && id != CX_ID_NONE ? id : CX_ID_NONE;
}

/* Non-empty text of a string, or of an integer as json-c prints it (into
 * buf); NULL otherwise. */
static const char *jv_text(const struct jval *v, char *buf, size_t size) {
  if (v->type == json_type_string)
    return v->s[0] != '\0' ? v->s : NULL;
  if (v->type != json_type_int)
    return NULL;
  if (v->big)
    snprintf(buf, size, "%llu", (unsigned long long)v->u);
  else
    snprintf(buf, size, "%lld", (long long)v->i);
  return buf;
}

static bool jv_time(const struct jval *v, cx_ms_t *out) {
  return v->type == json_type_string && cx_time_parse(v->s, out) == CX_OK;
}

/* A state name's id, -1 when it is none (or not a string). */
static int jv_state_name(const struct jval *v) {
  return v->type == json_type_string ? cx_state_from_name(v->s) : -1;
}

/* Largest duration accepted: 100 years. */
#define DURATION_MAX_MS (100LL * 366 * 86400000LL)

/* duration: null/absent -> CX_DURATION_OPEN; false on malformed. */
static bool jv_duration(const struct jval *v, cx_ms_t *out) {
  *out = CX_DURATION_OPEN;
  cx_ms_t d;
  switch (v->type) {
  case json_type_null: return true;
  case json_type_int:
    if (v->i < 0 || v->i > DURATION_MAX_MS / 1000)
      return false;
    d = v->i * 1000;
    break;
  case json_type_double:
    if (!isfinite(v->d) || v->d < 0 ||
        v->d > (double)(DURATION_MAX_MS / 1000))
      return false;
    d = (cx_ms_t)llround(v->d * 1000.0);
    break;
  case json_type_string:
    if (v->s[0] == '\0')
      return true; /* "" behaves like null */
    if (cx_duration_parse(v->s, &d) != CX_OK || d < 0 || d > DURATION_MAX_MS)
      return false;
    break;
  default: return false;
  }
  *out = d;
  return true;
}

/* What a record of either kind needs: an agent id, a known state (the id,
 * else the name) and a parsable start; plus the team (teamId, else teamNo). */
struct head {
  bool agent_ok, state_id_ok, start_ok;
  int64_t agent, state_id;
  int state_by_name; /* -1: none */
  cx_ms_t start;
  int64_t team_id, team_no; /* CX_ID_NONE when absent */
};
#define HEAD_INIT                                                              \
  {.state_by_name = -1, .team_id = CX_ID_NONE, .team_no = CX_ID_NONE}

/* False: skip the record. */
static bool head_ok(const struct head *h, int64_t *agent, int64_t *team,
                    int *state, cx_ms_t *start) {
  if (!h->agent_ok || h->agent == CX_ID_NONE)
    return false;
  if (h->state_id_ok && h->state_id >= 0 && h->state_id < CX_STATE_COUNT)
    *state = (int)h->state_id;
  else if ((*state = h->state_by_name) < 0)
    return false;
  if (!h->start_ok)
    return false;
  *agent = h->agent;
  *start = h->start;
  *team = h->team_id != CX_ID_NONE ? h->team_id : h->team_no;
  return true;
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

/* A tree value as a jval (strings point into the tree). */
static struct jval jv_of(json_object *o) {
  struct jval v = {.type = o != NULL ? json_object_get_type(o)
                                     : json_type_null};
  switch (v.type) {
  case json_type_boolean: v.b = json_object_get_boolean(o); break;
  case json_type_int:
    v.i = json_object_get_int64(o);
    v.u = json_object_get_uint64(o);
    v.big = v.i == INT64_MAX && v.u > INT64_MAX;
    break;
  case json_type_double: v.d = json_object_get_double(o); break;
  case json_type_string:
    v.s = json_object_get_string(o);
    v.len = (size_t)json_object_get_string_len(o);
    break;
  default: break;
  }
  return v;
}

static struct jval get_jv(json_object *obj, const char *key) {
  return jv_of(get(obj, key));
}

static bool get_int64(json_object *obj, const char *key, int64_t *out) {
  struct jval v = get_jv(obj, key);
  return jv_int64(&v, out);
}

/* strdup of a field's text (jv_text).  *ok = false on allocation failure. */
static char *dup_text(json_object *obj, const char *key, bool *ok) {
  char buf[24];
  struct jval v = get_jv(obj, key);
  const char *s = jv_text(&v, buf, sizeof(buf));
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    *ok = false;
  return d;
}

static bool get_bool(json_object *obj, const char *key) {
  struct jval v = get_jv(obj, key);
  switch (v.type) {
  case json_type_boolean: return v.b;
  case json_type_int: return v.i != 0;
  case json_type_string:
    return strcasecmp(v.s, "true") == 0 || strcmp(v.s, "1") == 0;
  default: return false;
  }
}

static bool get_time(json_object *obj, const char *key, cx_ms_t *out) {
  struct jval v = get_jv(obj, key);
  return jv_time(&v, out);
}

/* _links.next as a malloc'd string, NULL when null/absent/empty.  A link
 * with an embedded NUL ("\u0000") is no URL at all: treated as absent. */
static char *get_next(json_object *root, bool *ok) {
  struct jval n = get_jv(get(root, "_links"), "next");
  if (n.type != json_type_string || n.len == 0 || strlen(n.s) != n.len)
    return NULL;
  char *d = strdup(n.s);
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

/* A paged answer's body: its root (NULL for an empty body, with CX_OK)
 * and records array `key` (or a bare array; NULL when absent).  On CX_OK
 * with a root the caller puts it. */
static enum cx_status open_page(const char *body, size_t len, const char *what,
                                const char *key, json_object **root,
                                json_object **records, struct cx_error *err) {
  *records = NULL;
  enum cx_status st = parse_json(body, len, what, false, root, err);
  if (st != CX_OK || *root == NULL)
    return st;
  if ((st = check_root(*root, what, err)) != CX_OK) {
    json_object_put(*root);
    *root = NULL;
    return st;
  }
  *records = get_array(*root, key);
  return CX_OK;
}

/* totalRecords, or -1 when absent or negative. */
static int64_t total_records(json_object *root) {
  int64_t total;
  return get_int64(root, "totalRecords", &total) && total >= 0 ? total : -1;
}

/* ---------------------------------------------------------------- history
 *
 * History pages are most of what the plugin reads (a 24-hour backfill of
 * 5,000 agents is some 750,000 records), so they are not built into a
 * json-c tree: building and freeing one costs more than json-c's parse, and
 * a lookup per field adds to it.  cx_jscan reads a page in one pass straight
 * into records, with the semantics of the lookups above, member by member
 * (struct pick).  Where it gives up (invalid JSON, or JSON that json-c reads
 * its own way: comments, single quotes, surrogate escapes, ...), json-c
 * parses the body, with its errors and its leniency, and the scanner reads
 * json-c's rendering of the tree instead.  Reasons are interned: the
 * records of a page share its strings.
 */

#define HISTORY_WHAT "agents/state-history"

/* Which member a lookup (get) finds for a name, followed as the members of
 * an object stream by: an exact key beats one matching ignoring case, the
 * first of those beats different later ones, and a repeated key counts with
 * its last value (json-c's tree keeps the first position, the last value). */
struct pick {
  int how; /* 0 nothing yet, 1 case-insensitive, 2 exact */
  char key[24];
};

/* Whether member `key` (equal to the name ignoring case, so no longer than
 * it; exactly when `exact`) takes the place of what was picked so far. */
static bool pick_take(struct pick *p, bool exact, const char *key) {
  if (exact) {
    p->how = 2;
    return true;
  }
  if (p->how == 2)
    return false;
  if (p->how == 1)
    return strcmp(key, p->key) == 0;
  p->how = 1;
  snprintf(p->key, sizeof(p->key), "%.*s", (int)sizeof(p->key) - 1, key);
  return true;
}

/* A name a member is looked for by, and its length. */
struct name {
  const char *s;
  size_t len;
};
#define NAME(literal) {literal, sizeof(literal) - 1}

/* Index of the name that key (len bytes) equals ignoring case, -1 when
 * none; *exact when it equals it exactly (the first letters are compared
 * before memcmp and strcasecmp are asked). */
static int name_index(const struct name *names, int n, const char *key,
                      size_t len, bool *exact) {
  for (int i = 0; i < n; i++)
    if (names[i].len == len && (names[i].s[0] | 0x20) == (key[0] | 0x20)) {
      if ((*exact = memcmp(key, names[i].s, len) == 0) ||
          strcasecmp(key, names[i].s) == 0)
        return i;
    }
  return -1;
}

/* The columns a record is read from (CX_JSON_HISTORY_FIELDS names them). */
enum {
  H_AGENT,
  H_STATE_ID,
  H_STATE_NAME,
  H_START,
  H_DURATION,
  H_REASON,
  H_TEAM_ID,
  H_TEAM_NO,
  H_SESSION,
  H_INDEX,
  H_NFIELDS
};
static const struct name history_names[H_NFIELDS] = {
    NAME("agentId"),        NAME("agentStateId"),
    NAME("agentStateName"), NAME("startDate"),
    NAME("duration"),       NAME("outStateDescription"),
    NAME("teamId"),         NAME("teamNo"),
    NAME("agentSessionId"), NAME("stateIndex")};

/* Records as they are read: a page's (or one agentStateHistory value's). */
struct record_list {
  struct cx_history_record *recs;
  size_t count, cap, skipped;
};

struct history_reader {
  struct cx_jscan s;
  struct record_list list, spare; /* the one picked, and a scratch one */
  char *next_url;
  cx_ms_t last_poll_time;
  int64_t total_records;
  char **strings; /* interned reasons */
  size_t nstrings, strings_cap;
  char *reason; /* the record being read: its reason text */
  size_t reason_cap;
  bool nomem;
};

static void list_clear(struct record_list *l) {
  free(l->recs);
  *l = (struct record_list){0};
}

static bool list_push(struct record_list *l,
                      const struct cx_history_record *r) {
  if (l->count == l->cap &&
      CX_ARRAY_RESERVE(l->recs, l->cap, l->count < 256 ? 256 : l->count + 1) !=
          CX_OK)
    return false;
  l->recs[l->count++] = *r;
  return true;
}

static void reader_free(struct history_reader *rd) {
  list_clear(&rd->list);
  list_clear(&rd->spare);
  free(rd->next_url);
  for (size_t i = 0; i < rd->nstrings; i++)
    free(rd->strings[i]);
  free(rd->strings);
  free(rd->reason);
  cx_jscan_free(&rd->s);
}

/* The page's copy of s: one of the last few interned, else a new one.  NULL
 * when out of memory. */
static char *intern(struct history_reader *rd, const char *s) {
  for (size_t i = rd->nstrings, k = 0; i-- > 0 && k < 16; k++)
    if (strcmp(rd->strings[i], s) == 0)
      return rd->strings[i];
  if (CX_ARRAY_RESERVE(rd->strings, rd->strings_cap, rd->nstrings + 1) != CX_OK)
    return NULL;
  char *d = strdup(s);
  if (d != NULL)
    rd->strings[rd->nstrings++] = d;
  return d;
}

/* The next value, scalars decoded (a string stays valid until the scanner
 * reads the next one), containers read past. */
static bool read_value(struct cx_jscan *s, struct jval *v) {
  struct cx_jnum n;
  int lit;
  *v = (struct jval){.type = json_type_null};
  switch (cx_jscan_peek(s)) {
  case CX_J_STRING:
    v->type = json_type_string;
    return cx_jscan_string(s, &v->s, &v->len);
  case CX_J_NUMBER:
    if (!cx_jscan_number(s, &n))
      return false;
    if (n.is_double)
      *v = (struct jval){.type = json_type_double, .d = n.d};
    else
      *v = (struct jval){.type = json_type_int, .i = n.i, .big = n.big,
                         .u = n.u};
    return true;
  case CX_J_BOOL:
  case CX_J_NULL:
    if (!cx_jscan_literal(s, &lit))
      return false;
    if (lit >= 0)
      *v = (struct jval){.type = json_type_boolean, .b = lit == 1};
    return true;
  case CX_J_OBJECT: v->type = json_type_object; return cx_jscan_skip(s);
  case CX_J_ARRAY: v->type = json_type_array; return cx_jscan_skip(s);
  default: return false;
  }
}

/* What one record's members have given so far. */
struct record_scan {
  struct pick pick[H_NFIELDS];
  struct head h;
  bool duration_ok;
  cx_ms_t duration;
  int64_t session, index;
  bool has_reason; /* its text in rd->reason */
};

/* Reads the value of member `key` (len bytes) of a record into r, or past
 * it. */
static bool record_member(struct history_reader *rd, struct record_scan *r,
                          const char *key, size_t len) {
  bool exact;
  int f = name_index(history_names, H_NFIELDS, key, len, &exact);
  if (f < 0 || !pick_take(&r->pick[f], exact, key))
    return cx_jscan_skip(&rd->s);
  struct jval v;
  if (!read_value(&rd->s, &v))
    return false;
  switch (f) {
  case H_AGENT: r->h.agent_ok = jv_int64(&v, &r->h.agent); break;
  case H_STATE_ID: r->h.state_id_ok = jv_int64(&v, &r->h.state_id); break;
  case H_STATE_NAME: r->h.state_by_name = jv_state_name(&v); break;
  case H_START: r->h.start_ok = jv_time(&v, &r->h.start); break;
  case H_DURATION: r->duration_ok = jv_duration(&v, &r->duration); break;
  case H_TEAM_ID: r->h.team_id = jv_id(&v); break;
  case H_TEAM_NO: r->h.team_no = jv_id(&v); break;
  case H_SESSION: r->session = jv_id(&v); break;
  case H_INDEX: r->index = jv_id(&v); break;
  case H_REASON: {
    char buf[24];
    const char *t = jv_text(&v, buf, sizeof(buf));
    size_t n = t != NULL ? strlen(t) : 0;
    r->has_reason = t != NULL;
    if (t != NULL &&
        CX_ARRAY_RESERVE(rd->reason, rd->reason_cap, n + 1) != CX_OK) {
      rd->nomem = true;
      return false;
    }
    if (t != NULL)
      memcpy(rd->reason, t, n + 1);
    break;
  }
  }
  return true;
}

/* One item of the records array into *rec: 1 a record, 0 skipped (not an
 * object, or lacking what the ledger needs), -1 given up. */
static int read_record(struct history_reader *rd,
                       struct cx_history_record *rec) {
  if (cx_jscan_peek(&rd->s) != CX_J_OBJECT)
    return cx_jscan_skip(&rd->s) ? 0 : -1;
  struct record_scan r = {.h = HEAD_INIT,
                          .duration = CX_DURATION_OPEN,
                          .duration_ok = true,
                          .session = CX_ID_NONE,
                          .index = CX_ID_NONE};
  char key[64];
  size_t len;
  int rc;
  if (!cx_jscan_open(&rd->s))
    return -1;
  while ((rc = cx_jscan_member(&rd->s, key, sizeof(key), &len)) == 1)
    if (!record_member(rd, &r, key, len))
      return -1;
  if (rc < 0)
    return -1;
  *rec = (struct cx_history_record){.duration = r.duration,
                                    .session_id = r.session,
                                    .state_index = r.index};
  if (!head_ok(&r.h, &rec->agent_id, &rec->team_id, &rec->state_id,
               &rec->start) ||
      !r.duration_ok)
    return 0;
  if (r.has_reason && (rec->reason = intern(rd, rd->reason)) == NULL) {
    rd->nomem = true;
    return -1;
  }
  return 1;
}

/* The records array at the scanner into *l. */
static bool read_records(struct history_reader *rd, struct record_list *l) {
  list_clear(l);
  if (!cx_jscan_open(&rd->s))
    return false;
  int rc;
  while ((rc = cx_jscan_item(&rd->s)) == 1) {
    struct cx_history_record rec;
    int got = read_record(rd, &rec);
    if (got < 0)
      return false;
    if (got == 0) {
      l->skipped++;
    } else if (!list_push(l, &rec)) {
      rd->nomem = true;
      return false;
    }
  }
  return rc == 0;
}

/* _links: its next (get_next's rules) into *next (malloc'd), NULL when
 * none. */
static bool read_links(struct history_reader *rd, char **next) {
  struct pick pick = {0};
  char key[64];
  int rc;
  *next = NULL;
  if (cx_jscan_peek(&rd->s) != CX_J_OBJECT)
    return cx_jscan_skip(&rd->s);
  if (!cx_jscan_open(&rd->s))
    return false;
  while ((rc = cx_jscan_member(&rd->s, key, sizeof(key), NULL)) == 1) {
    struct jval v;
    if (strcasecmp(key, "next") != 0 ||
        !pick_take(&pick, strcmp(key, "next") == 0, key)) {
      if (!cx_jscan_skip(&rd->s))
        break;
      continue;
    }
    if (!read_value(&rd->s, &v))
      break;
    free(*next);
    *next = NULL;
    if (v.type == json_type_string && v.len > 0 && strlen(v.s) == v.len &&
        (*next = strdup(v.s)) == NULL) {
      rd->nomem = true;
      break;
    }
  }
  if (rc == 0)
    return true;
  free(*next);
  *next = NULL;
  return false;
}

/* The envelope's members (get's rules for each) and the records. */
static bool read_envelope(struct history_reader *rd) {
  static const struct name names[] = {
      NAME("agentStateHistory"), NAME("_links"), NAME("lastPollTime"),
      NAME("totalRecords")};
  struct pick pick[4] = {{0}};
  char key[64];
  size_t len;
  int rc;
  bool exact;
  if (!cx_jscan_open(&rd->s))
    return false;
  while ((rc = cx_jscan_member(&rd->s, key, sizeof(key), &len)) == 1) {
    int f = name_index(names, 4, key, len, &exact);
    if (f < 0 || !pick_take(&pick[f], exact, key)) {
      if (!cx_jscan_skip(&rd->s))
        return false;
      continue;
    }
    struct jval v;
    char *next;
    switch (f) {
    case 0: { /* a value that is no array: no records */
      if (cx_jscan_peek(&rd->s) != CX_J_ARRAY) {
        list_clear(&rd->list);
        if (!cx_jscan_skip(&rd->s))
          return false;
        break;
      }
      if (!read_records(rd, &rd->spare))
        return false;
      struct record_list t = rd->list;
      rd->list = rd->spare;
      rd->spare = t;
      break;
    }
    case 1:
      if (!read_links(rd, &next))
        return false;
      free(rd->next_url);
      rd->next_url = next;
      break;
    case 2:
      if (!read_value(&rd->s, &v))
        return false;
      if (!jv_time(&v, &rd->last_poll_time))
        rd->last_poll_time = 0;
      break;
    case 3:
      if (!read_value(&rd->s, &v))
        return false;
      if (!jv_int64(&v, &rd->total_records) || rd->total_records < 0)
        rd->total_records = -1;
      break;
    }
  }
  return rc == 0;
}

/* Reads a history page with the scanner into *page: CX_OK, CX_ERR_NOMEM,
 * or CX_ERR_PARSE when the scanner gave up (*page empty unless CX_OK). */
static enum cx_status scan_history(const char *body, size_t len, bool lenient,
                                   struct cx_history_page *page) {
  struct history_reader rd = {.total_records = -1};
  cx_jscan_init(&rd.s, body, len,
                lenient ? 2 * JSON_MAX_DEPTH : JSON_MAX_DEPTH / 2, lenient);
  enum cx_jtype t = cx_jscan_peek(&rd.s);
  bool ok = t == CX_J_ARRAY    ? read_records(&rd, &rd.list)
            : t == CX_J_OBJECT ? read_envelope(&rd)
                               : false; /* null and scalars: json-c's call */
  ok = ok && cx_jscan_done(&rd.s);
  enum cx_status st = ok                       ? CX_OK
                      : rd.nomem || rd.s.nomem ? CX_ERR_NOMEM
                                               : CX_ERR_PARSE;
  if (st == CX_OK) {
    *page = (struct cx_history_page){
        .records = rd.list.recs, .count = rd.list.count,
        .skipped = rd.list.skipped, .next_url = rd.next_url,
        .last_poll_time = rd.last_poll_time,
        .total_records = rd.total_records, .strings = rd.strings,
        .nstrings = rd.nstrings};
    rd.list = (struct record_list){0};
    rd.next_url = NULL;
    rd.strings = NULL;
    rd.nstrings = 0;
  }
  reader_free(&rd);
  return st;
}

void cx_history_page_free(struct cx_history_page *page) {
  if (page == NULL)
    return;
  free(page->records);
  free(page->next_url);
  for (size_t i = 0; i < page->nstrings; i++)
    free(page->strings[i]);
  free(page->strings);
  *page = (struct cx_history_page){.total_records = -1};
}

enum cx_status cx_json_history_page_via_json_c(const char *body, size_t len,
                                               struct cx_history_page *page,
                                               struct cx_error *err) {
  *page = (struct cx_history_page){.total_records = -1};
  json_object *root;
  enum cx_status st = parse_json(body, len, HISTORY_WHAT, false, &root, err);
  if (st != CX_OK || root == NULL)
    return st;
  if ((st = check_root(root, HISTORY_WHAT, err)) == CX_OK) {
    size_t n = 0;
    const char *text = json_object_to_json_string_length(
        root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    st = text != NULL ? scan_history(text, n, true, page) : CX_ERR_NOMEM;
    if (st == CX_ERR_NOMEM)
      cx_error_set(err, st, 0, "%s: out of memory", HISTORY_WHAT);
    else if (st != CX_OK) /* json-c wrote what its reader refuses: a bug */
      cx_error_set(err, st, 0, "%s: unreadable page", HISTORY_WHAT);
  }
  json_object_put(root);
  return st;
}

enum cx_status cx_json_history_page(const char *body, size_t len,
                                    struct cx_history_page *page,
                                    struct cx_error *err) {
  *page = (struct cx_history_page){.total_records = -1};
  if (body == NULL || len == 0 || only_space(body, len) || len > INT_MAX)
    return cx_json_history_page_via_json_c(body, len, page, err);
  enum cx_status st = scan_history(body, len, false, page);
  if (st == CX_ERR_NOMEM)
    return cx_error_set(err, st, 0, "%s: out of memory", HISTORY_WHAT);
  if (st != CX_OK)
    return cx_json_history_page_via_json_c(body, len, page, err);
  return CX_OK;
}

/* ----------------------------------------------------------------- states */

/* One agentStates[] item: 1 filled, 0 skipped, -1 out of memory. */
static int agent_state(json_object *o, struct cx_agent_state *s) {
  memset(s, 0, sizeof(*s));
  if (!json_object_is_type(o, json_type_object))
    return 0;
  struct head h = HEAD_INIT;
  h.agent_ok = get_int64(o, "agentId", &h.agent);
  h.state_id_ok = get_int64(o, "agentStateId", &h.state_id);
  struct jval name = get_jv(o, "agentStateName");
  h.state_by_name = jv_state_name(&name);
  h.start_ok = get_time(o, "startDate", &h.start);
  struct jval team = get_jv(o, "teamId"), team_no = get_jv(o, "teamNo");
  h.team_id = jv_id(&team);
  h.team_no = jv_id(&team_no);
  if (!head_ok(&h, &s->agent_id, &s->team_id, &s->state_id, &s->start))
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

static void free_states(struct cx_agent_state *states, size_t count) {
  for (size_t i = 0; i < count; i++)
    cx_agent_state_clear(&states[i]);
  free(states);
}

void cx_states_page_free(struct cx_states_page *page) {
  if (page == NULL)
    return;
  free_states(page->states, page->count);
  free(page->next_url);
  *page = (struct cx_states_page){.total_records = -1};
}

/* Parse, check the root, walk the records array (counting skips), then
 * _links.next, lastPollTime (top level, else the latest per-item one: the
 * per-agent variant) and totalRecords. */
enum cx_status cx_json_states_page(const char *body, size_t len,
                                   struct cx_states_page *pg,
                                   struct cx_error *err) {
  const char *what = "agents/states";
  *pg = (struct cx_states_page){.total_records = -1};
  json_object *root, *arr;
  enum cx_status st = open_page(body, len, what, "agentStates", &root, &arr,
                                err);
  if (st != CX_OK || root == NULL)
    return st;

  bool ok = true;
  cx_ms_t item_poll = 0;
  size_t n = arr != NULL ? json_object_array_length(arr) : 0;
  if (n > 0 && (pg->states = calloc(n, sizeof(*pg->states))) == NULL)
    ok = false;
  for (size_t i = 0; ok && i < n; i++) {
    json_object *item = json_object_array_get_idx(arr, i);
    int rc = agent_state(item, &pg->states[pg->count]);
    cx_ms_t t;
    if (rc > 0) {
      pg->count++;
      if (get_time(item, "lastPollTime", &t) && t > item_poll)
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
  pg->total_records = total_records(root);
  if (!ok) {
    cx_states_page_free(pg);
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
  }
  json_object_put(root);
  return st;
}

/* ----------------------------------------------------------------- skills */

enum skill_kind { SK_COUNT, SK_PERCENT, SK_TIME, SK_DURATION };
#define SK_ACT (1u << CX_SKILL_ACTIVITY)
#define SK_SUM (1u << CX_SKILL_SUMMARY)

/* The fields read per endpoint (CX_JSON_SKILL_*_FIELDS name them). */
static const struct {
  const char *key;
  enum cx_skill_field field;
  enum skill_kind kind;
  unsigned endpoints;
} skill_keys[] = {
    {"queueCount", CX_SKILL_QUEUE, SK_COUNT, SK_ACT},
    {"contactsActive", CX_SKILL_ACTIVE, SK_COUNT, SK_ACT},
    {"agentsAvailable", CX_SKILL_AGENTS_AVAILABLE, SK_COUNT, SK_ACT},
    {"agentsWorking", CX_SKILL_AGENTS_WORKING, SK_COUNT, SK_ACT},
    {"agentsACW", CX_SKILL_AGENTS_ACW, SK_COUNT, SK_ACT},
    {"agentsUnavailable", CX_SKILL_AGENTS_UNAVAILABLE, SK_COUNT, SK_ACT},
    {"agentsLoggedIn", CX_SKILL_AGENTS_LOGGED_IN, SK_COUNT, SK_ACT},
    {"serviceLevel", CX_SKILL_SERVICE_LEVEL, SK_PERCENT, SK_ACT | SK_SUM},
    {"earliestQueueTime", CX_SKILL_EARLIEST_QUEUE, SK_TIME, SK_ACT},
    {"contactsOffered", CX_SKILL_OFFERED, SK_COUNT, SK_SUM},
    {"contactsHandled", CX_SKILL_HANDLED, SK_COUNT, SK_SUM},
    {"abandonCount", CX_SKILL_ABANDONED, SK_COUNT, SK_SUM},
    {"abandonRate", CX_SKILL_ABANDON_RATE, SK_PERCENT, SK_SUM},
    {"averageSpeedToAnswer", CX_SKILL_SPEED_OF_ANSWER, SK_DURATION, SK_SUM},
    {"averageHandleTime", CX_SKILL_HANDLE_TIME, SK_DURATION, SK_SUM},
    {"longestQueueDur", CX_SKILL_LONGEST_QUEUE, SK_DURATION, SK_SUM},
};

/* A finite number >= 0 from a JSON number or a numeric string. */
static bool jv_nonneg_number(const struct jval *v, double *out) {
  double d;
  if (v->type == json_type_int) {
    d = (double)v->i;
  } else if (v->type == json_type_double) {
    d = v->d;
  } else if (v->type == json_type_string) {
    char *end = NULL;
    errno = 0;
    d = strtod(v->s, &end);
    while (end != NULL && (*end == ' ' || *end == '\t'))
      end++;
    if (end == v->s || end == NULL || *end != '\0' || errno != 0)
      return false;
  } else {
    return false;
  }
  if (!isfinite(d) || d < 0 || d > 9e15)
    return false;
  *out = d;
  return true;
}

/* One value of kind k: 1 given (in *out), 0 not given, -1 malformed. */
static int skill_value(const struct jval *v, enum skill_kind k, double *out) {
  int64_t i;
  cx_ms_t ms;
  if (v->type == json_type_null)
    return k == SK_TIME ? (*out = 0, 1) : 0; /* null: nobody waits */
  switch (k) {
  case SK_COUNT:
    if (!jv_int64(v, &i) || i < 0)
      return -1;
    *out = (double)i;
    return 1;
  case SK_PERCENT:
    if (jv_int64(v, &i) && i < 0)
      return 0; /* -1: none yet (no contact in the period) */
    return jv_nonneg_number(v, out) ? 1 : -1;
  case SK_TIME:
    if (v->type == json_type_string && v->s[0] == '\0') {
      *out = 0;
      return 1;
    }
    if (!jv_time(v, &ms))
      return -1;
    *out = (double)ms;
    return 1;
  case SK_DURATION:
    if (!jv_duration(v, &ms))
      return -1;
    if (ms == CX_DURATION_OPEN)
      return 0; /* "" */
    *out = (double)ms;
    return 1;
  }
  return -1;
}

/* One record: 1 filled, 0 skipped, -1 out of memory. */
static int skill_record(json_object *o, enum cx_skill_endpoint which,
                        struct cx_skill_record *r) {
  memset(r, 0, sizeof(*r));
  if (!json_object_is_type(o, json_type_object))
    return 0;
  struct jval id = get_jv(o, "skillId");
  if ((r->skill_id = jv_id(&id)) == CX_ID_NONE)
    return 0;
  for (size_t k = 0; k < sizeof(skill_keys) / sizeof(skill_keys[0]); k++) {
    if (!(skill_keys[k].endpoints & (1u << which)))
      continue;
    struct jval v = get_jv(o, skill_keys[k].key);
    double d = 0;
    int rc = skill_value(&v, skill_keys[k].kind, &d);
    if (rc < 0)
      return 0;
    if (rc > 0) {
      r->value[skill_keys[k].field] = d;
      r->have |= 1u << skill_keys[k].field;
    }
  }
  bool ok = true;
  r->name = dup_text(o, "skillName", &ok);
  return ok ? 1 : -1;
}

void cx_skills_page_free(struct cx_skills_page *page) {
  if (page == NULL)
    return;
  for (size_t i = 0; i < page->count; i++)
    free(page->records[i].name);
  free(page->records);
  free(page->next_url);
  *page = (struct cx_skills_page){.total_records = -1};
}

enum cx_status cx_json_skills_page(enum cx_skill_endpoint which,
                                   const char *body, size_t len,
                                   struct cx_skills_page *pg,
                                   struct cx_error *err) {
  const char *what =
      which == CX_SKILL_ACTIVITY ? "skills/activity" : "skills/summary";
  json_object *root, *arr;
  enum cx_status st = open_page(
      body, len, what,
      which == CX_SKILL_ACTIVITY ? "skillActivity" : "skillSummaries", &root,
      &arr, err);
  if (st != CX_OK || root == NULL)
    return st;
  size_t n = arr != NULL ? json_object_array_length(arr) : 0;
  size_t count = pg->count, skipped = 0;
  cx_ms_t item_poll = 0;
  bool ok = CX_ARRAY_RESERVE(pg->records, pg->cap, count + n) == CX_OK;
  for (size_t i = 0; ok && i < n; i++) {
    json_object *item = json_object_array_get_idx(arr, i);
    int rc = skill_record(item, which, &pg->records[count]);
    cx_ms_t t;
    if (rc > 0) {
      count++;
      if (get_time(item, "serverTime", &t) && t > item_poll)
        item_poll = t;
    } else if (rc == 0) {
      skipped++;
    } else {
      ok = false;
    }
  }
  char *next = NULL;
  if (ok)
    next = get_next(root, &ok);
  if (!ok) {
    for (size_t i = pg->count; i < count; i++)
      free(pg->records[i].name);
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
    goto out;
  }
  pg->count = count;
  pg->skipped += skipped;
  free(pg->next_url);
  pg->next_url = next;
  if (!get_time(root, "lastPollTime", &pg->last_poll_time))
    pg->last_poll_time = item_poll;
  pg->total_records = total_records(root);
out:
  json_object_put(root);
  return st;
}

/* ----------------------------------------------------- unavailable-codes */

void cx_codes_page_free(struct cx_codes_page *page) {
  if (page == NULL)
    return;
  for (size_t i = 0; i < page->nacw; i++)
    free(page->acw[i]);
  free(page->acw);
  free(page->next_url);
  *page = (struct cx_codes_page){.total_records = -1};
}

enum cx_status cx_json_codes_page(const char *body, size_t len,
                                  struct cx_codes_page *pg,
                                  struct cx_error *err) {
  const char *what = "unavailable-codes";
  json_object *root, *arr;
  enum cx_status st =
      open_page(body, len, what, "unavailableCodes", &root, &arr, err);
  if (st != CX_OK || root == NULL)
    return st;
  size_t n = arr != NULL ? json_object_array_length(arr) : 0;
  size_t nacw = pg->nacw;
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++) {
    json_object *code = json_object_array_get_idx(arr, i);
    if (!get_bool(code, "isACW"))
      continue;
    char *name = dup_text(code, "name", &ok);
    if (name == NULL && ok)
      name = dup_text(code, "outStateDescription", &ok);
    if (name == NULL || name[0] == '\0') { /* none, or out of memory */
      free(name);
      continue;
    }
    if (CX_ARRAY_RESERVE(pg->acw, pg->acw_cap, nacw + 1) != CX_OK) {
      free(name);
      ok = false;
      break;
    }
    pg->acw[nacw++] = name;
  }
  char *next = NULL;
  if (ok)
    next = get_next(root, &ok);
  if (!ok) {
    for (size_t i = pg->nacw; i < nacw; i++)
      free(pg->acw[i]);
    st = cx_error_set(err, CX_ERR_NOMEM, 0, "%s: out of memory", what);
    goto out;
  }
  pg->nacw = nacw;
  pg->count += n;
  free(pg->next_url);
  pg->next_url = next;
  pg->total_records = total_records(root);
out:
  json_object_put(root);
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
  bool ok = true;
  *tenant_id = dup_text(root, "tenantId", &ok);
  if (!ok)
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
