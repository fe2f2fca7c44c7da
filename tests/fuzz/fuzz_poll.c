/*
 * fuzz_poll.c: libFuzzer target that drives whole polling cycles (cx_poll)
 * from fuzzed CXone answers, in process: cx_http's transport seam answers
 * every request from the input, on a fake clock, no sockets.
 *
 * Input format (all integers little-endian; the input may end anywhere):
 *
 *   input    := header response*
 *   header   := 4 bytes
 *     h0 bits 0-1  Window        {15 min, 1 h, 4 h, 8 h}
 *        bits 2-3  budget/Interval {4.5/5 s, 9/10 s, 1.5/60 s, 25/30 s}
 *        bits 4-5  Timeout       {30 s, 5 s, 2 s, 300 ms}
 *        bit  6    the tenant has no all-agents state-history endpoint:
 *                  those requests are answered 404 (per-agent fallback)
 *        bit  7    APIEndpoint configured (no cxone-configuration)
 *     h1 bits 0-1  page size     {0, 1, 3, 50}
 *        bits 2-3  parallel      {4 (the default), 1, 2, 8}
 *        bits 4-5  filters       {none, Team "Team A", Agent 1001 and 1003,
 *                                 both}
 *        bit  6    client auth POST (else Basic)
 *        bit  7    MaxBody 512 bytes (else the default, 64 MiB)
 *     h2 bits 0-2  cycles - 1    (1..8)
 *        bits 3-4  LookBack      {Window, 0, 10 min, 2 Windows}
 *        bits 5-6  chunk         {2 h (the default), 1 h, 5 min, 20 min}
 *        bit  7    after the last response the script starts again (else
 *                  every further request is answered 503)
 *     h3 bits 0-1  HistoryOverlap {10 min, 0, 1 min, 1 h}
 *        bits 2-3  between cycles {collectd's schedule; + one Interval
 *                  before every odd cycle; a 2 h outage before cycle 4;
 *                  the wall clock set back 1 min before every cycle but
 *                  the first (the transport's monotonic clock is not)}
 *        bits 4-5  start instant: T0 + n * 37 min 11.5 s
 *        bit  6    plain-http Issuer (http://fake.test)
 *        bit  7    many agents: the agent of record i of a page is
 *                  1001 + its code + 8 * i (up to 128 agents)
 *
 *   response := kind [status] delay [ic] [retry] body
 *     kind bits 0-2  template: 0 raw, 1 discovery, 2 token,
 *                    3 cxone-configuration, 4 agents/states page,
 *                    5 state-history page, 6-7 auto (the template the
 *                    request's URL calls for)
 *          bit 3     timed out        bit 4  connection failed
 *          bit 5     ic follows       bit 6  retry follows
 *          bit 7     status follows (else 200)
 *     status  index into status_table[] (mod its size)
 *     delay   bits 0-5 value, bits 6-7 scale {1, 50, 1000, 10000} ms
 *     ic      icStatusDescription: index into ic_table[]
 *     retry   Retry-After seconds; 255: none
 *     body by template:
 *       raw        len (255: a u16 follows) then len bytes
 *       discovery  1 byte variant     token  1 byte    config  1 byte
 *       states     header byte (bits 0-3 records, 4-5 lastPollTime, 6-7
 *                  links), then 4 bytes per record (see states_body)
 *       history    header byte (bits 0-3 records, 4-6 links, 7 PascalCase
 *                  keys), then 5 bytes per record (see history_body)
 *
 * The i-th request gets the i-th response; the fake clock advances by its
 * delay, capped at the timeout the engine gives (timed_out when larger:
 * the contract of cx_http.h).  At most MAX_REQUESTS requests per input;
 * after that every request times out.
 *
 * Cycles run on collectd's schedule (one every Interval, or right after an
 * overrun).  Checked after each cycle (__builtin_trap on violation), besides
 * what ASan/UBSan/LSan report:
 *   - the cycle's fake time <= budget (its HTTP ends by the deadline);
 *   - cx_ledger_check() == 0;
 *   - the snapshot: instant monotonic; agent ids unique, all in the ledger,
 *     passing the filters; team ids unique, every team with an agent;
 *     states/reasons in range, current state not after the instant; per
 *     agent per state 0 <= duration <= Window, sum over states <= Window,
 *     reasons within Unavailable; per-agent durations equal the sum of
 *     cx_ledger_foreach spans over the window; team and "all" durations and
 *     counts equal the sums over their agents (all.count[s] == agents in
 *     state s);
 *   - health: agents and items as in the snapshot and ledger, backfill
 *     percent within 0..100, cycle_seconds the cycle's fake time.
 * Identifier (label) uniqueness: see check_labels().
 *
 * Build and run with tests/fuzz/run.sh; seeds in tests/fuzz/corpus-poll
 * (tests/fuzz/gen-poll-seeds.py).  FUZZ_POLL_TRACE=1 prints each request
 * and its answer (replay: ./fuzz_poll FILE).
 */
#include "cx_ledger.h"
#include "cx_log.h"
#include "cx_labels.h"
#include "cx_poll.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../unit/b64.h"

#define REQUIRE(c)                                                             \
  do {                                                                         \
    if (!(c)) {                                                                \
      if (trace)                                                               \
        fprintf(stderr, "fuzz_poll: %s:%d: %s\n", __FILE__, __LINE__, #c);   \
      __builtin_trap();                                                        \
    }                                                                          \
  } while (0)

#define T0 1733000000000LL /* 2024-11-30T20:53:20Z */
#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define MAX_REQUESTS 512
#define MAX_CYCLES 8

static int trace;
static bool many_agents;

/* ------------------------------------------------------------ the script */

struct script {
  const uint8_t *data;
  size_t size, pos;
  size_t first;     /* where the responses begin */
  bool wrap;
  bool no_all_agents;
  unsigned requests;
  unsigned cycle;
};

/* Two fake clocks: g.now is the transport's (monotonic: only serve() and
 * the schedule move it, forward), the poller's wall clock is g.now + g.step
 * (g.step goes back when the wall clock is set back). */
static struct {
  cx_ms_t now, step;
  struct script s;
  char *body;
  size_t len, cap;
  char ic[320];
} g;

static cx_ms_t fake_clock(void) { return g.now + g.step; }
static cx_ms_t transport_now(void *ctx) {
  (void)ctx;
  return g.now;
}

static bool more(const struct script *s) { return s->pos < s->size; }
static uint8_t byte(struct script *s) {
  return s->pos < s->size ? s->data[s->pos++] : 0;
}

/* ------------------------------------------------------------ body text */

__attribute__((format(printf, 1, 2))) static void put(const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = g.cap - g.len;
    int n = vsnprintf(g.body ? g.body + g.len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0)
      return;
    if ((size_t)n < room) {
      g.len += (size_t)n;
      return;
    }
    size_t cap = g.cap ? g.cap : 1024;
    while (cap - g.len <= (size_t)n)
      cap *= 2;
    char *b = realloc(g.body, cap);
    if (b == NULL)
      abort();
    g.body = b;
    g.cap = cap;
  }
}

static void put_bytes(const uint8_t *p, size_t n) {
  if (g.len + n + 1 > g.cap) {
    size_t cap = g.cap ? g.cap : 1024;
    while (cap < g.len + n + 1)
      cap *= 2;
    char *b = realloc(g.body, cap);
    if (b == NULL)
      abort();
    g.body = b;
    g.cap = cap;
  }
  memcpy(g.body + g.len, p, n);
  g.len += n;
  g.body[g.len] = '\0';
}

/* An instant in one of 8 spellings (0: "...T...mmmZ"; 7: a JSON number,
 * which the parser refuses). */
static void put_time(cx_ms_t t, unsigned form) {
  char b[64];
  if (form == 2)
    t += 2 * HOUR;
  if (cx_time_format(t, b, 32) != CX_OK) {
    put("\"not a time\"");
    return;
  }
  switch (form & 7) {
  case 1: strcpy(b + 19, "Z"); break;                  /* no fraction */
  case 2: strcpy(b + 23, "+02:00"); break;             /* offset */
  case 3: b[10] = ' '; break;                          /* space */
  case 4: strcpy(b + 23, "4567Z"); break;              /* 7 digits */
  case 5: b[23] = '\0'; break;                         /* no zone */
  case 6: strcpy(b, "yesterday"); break;
  case 7: put("%" PRId64, t); return;
  }
  put("\"%s\"", b);
}

static const char *const reason_table[8] = {
    NULL, "Break", "Lunch", "break", "Lunch.", "Lunch ", "", "Personal/Break"};

/* Agent ids: a small set, one negative, one zero, one as text; or, with
 * many_agents, 1001 + v + 8 * (the record's index in its page). */
static void put_agent(unsigned v, size_t index, const char *key) {
  static const char *const ids[8] = {"1001", "1002", "1003", "1004",
                                     "1005", "0",    "-7",   "\"1002\""};
  if (many_agents)
    put("\"%s\":%zu", key, 1001 + (v & 7) + 8 * index);
  else
    put("\"%s\":%s", key, ids[v & 7]);
}

/* ,"agentStateId":... in one of 16 spellings (9 valid ids, names, junk). */
static void put_state(unsigned v, bool pascal) {
  const char *id = pascal ? "AgentStateId" : "agentStateId";
  const char *nm = pascal ? "AgentStateName" : "agentStateName";
  v &= 15;
  if (v <= 8)
    put(",\"%s\":%u", id, v);
  else if (v == 9)
    put(",\"%s\":\"Available\"", nm);
  else if (v == 10)
    put(",\"%s\":\"unavailable\"", nm);
  else if (v == 11)
    put(",\"%s\":42", id);
  else if (v == 13)
    put(",\"%s\":\"3\"", id);
  else if (v == 14)
    put(",\"%s\":2,\"%s\":\"LoggedIn\"", id, nm);
  else if (v == 15)
    put(",\"%s\":-1", id);
  /* 12: no state */
}

static void put_team(unsigned v) {
  static const char *const teams[8] = {
      "", ",\"teamId\":11", ",\"teamId\":12", ",\"teamId\":13",
      ",\"teamNo\":11", ",\"teamId\":\"12\"", ",\"teamId\":14",
      ",\"teamId\":null"};
  put("%s", teams[v & 7]);
}

static void put_reason(unsigned v) {
  const char *r = reason_table[v & 7];
  if (r != NULL)
    put(",\"outStateDescription\":\"%s\"", r);
}

/* Next link / totalRecords of a page (states and history alike). */
static void put_links(unsigned v, const char *url, size_t n) {
  unsigned k = g.s.requests;
  switch (v & 7) {
  case 1: put(",\"_links\":{\"next\":\"%s&pg=%u\"}", url, k); break;
  case 2:
    put(",\"_links\":{\"next\":\"/inContactAPI/services/v30.0/"
        "agents/state-history?pg=%u\"}", k);
    break;
  case 3: { /* the same path on another host (re-rooted on ours) */
    const char *path = strstr(url, "://");
    path = path != NULL ? path + 3 + strcspn(path + 3, "/") : "";
    put(",\"_links\":{\"next\":\"https://other.example%s&pg=%u\"}", path, k);
    break;
  }
  case 4: put(",\"_links\":{\"next\":\"%s\"}", url); break;
  case 5: put(",\"totalRecords\":%zu", n + 10); break;
  case 6: put(",\"totalRecords\":0,\"_links\":{\"next\":null}"); break;
  case 7: put(",\"_links\":{\"next\":5},\"totalRecords\":\"1000\""); break;
  }
}

/* Start instants relative to the request's arrival: 10 s steps up to
 * ~21 min, 5 min steps up to ~10.6 h; 255: 2 min in the future. */
static cx_ms_t start_offset(uint8_t b) {
  if (b == 255)
    return -2 * MIN;
  return b < 128 ? b * 10 * SEC : (b - 128) * 5 * MIN;
}

/* agents/states page.  Record (4 bytes):
 *   b0 bits 0-2 agent, 3-6 state, 7 isACW
 *   b1 start (start_offset)
 *   b2 bits 0-2 team, 3-4 teamName, 5-7 reason
 *   b3 bits 0-2 userName, 3-4 first/last name, 5-7 startDate spelling */
static void states_body(struct script *s, const char *url, cx_ms_t now) {
  static const char *const users[8] = {
      NULL, "ann.lee", "ann lee", "ann_lee", "bob", "bob-1002",
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "a\xc3\xb1n"};
  static const char *const tnames[4] = {NULL, "Team A", "Team B", "team a"};
  uint8_t h = byte(s);
  size_t n = h & 15;
  put("{");
  switch ((h >> 4) & 3) {
  case 0: put("\"lastPollTime\":"); put_time(now, 0); put(","); break;
  case 2: put("\"lastPollTime\":"); put_time(now - HOUR, 0); put(","); break;
  case 3: put("\"lastPollTime\":\"never\","); break;
  }
  put("\"agentStates\":[");
  for (size_t i = 0; i < n && more(s); i++) {
    uint8_t b0 = byte(s), b1 = byte(s), b2 = byte(s), b3 = byte(s);
    put("%s{", i ? "," : "");
    put_agent(b0, i, "agentId");
    put_state(b0 >> 3, false);
    if (b0 & 0x80)
      put(",\"isACW\":true");
    put(",\"startDate\":");
    put_time(now - start_offset(b1), b3 >> 5);
    put_team(b2);
    if (tnames[(b2 >> 3) & 3] != NULL)
      put(",\"teamName\":\"%s\"", tnames[(b2 >> 3) & 3]);
    put_reason(b2 >> 5);
    if (users[b3 & 7] != NULL)
      put(",\"userName\":\"%s\"", users[b3 & 7]);
    switch ((b3 >> 3) & 3) {
    case 1: put(",\"firstName\":\"Ann\",\"lastName\":\"Lee\""); break;
    case 2: put(",\"firstName\":\"Ann Lee\""); break;
    case 3: put(",\"firstName\":\"\",\"lastName\":null"); break;
    }
    put("}");
  }
  put("]");
  static const unsigned links[4] = {0, 1, 5, 3};
  put_links(links[h >> 6], url, n);
  put("}");
}

/* state-history page.  Record (5 bytes):
 *   b0 bits 0-2 agent, 3-6 state, 7 duration as ISO-8601 text
 *   b1-b2 start: seconds before the request's arrival
 *   b3 duration: 255 null, 254 absent, 253 "", 252 "bogus", else n * 15 s
 *   b4 bits 0-2 team, 3-5 reason, 6 startDate with a +02:00 offset,
 *      7 the record starts where this page's previous record of the same
 *      agent ended (b1-b2 ignored) */
static void history_body(struct script *s, const char *url, cx_ms_t now) {
  uint8_t h = byte(s);
  size_t n = h & 15;
  bool pascal = h & 0x80;
  struct prev {
    unsigned agent;
    cx_ms_t end;
  } prev[16];
  size_t nprev = 0;
  put("{\"%s\":[", pascal ? "AgentStateHistory" : "agentStateHistory");
  for (size_t i = 0; i < n && more(s); i++) {
    uint8_t b0 = byte(s), b1 = byte(s), b2 = byte(s), b3 = byte(s),
            b4 = byte(s);
    unsigned agent = b0 & 7;
    cx_ms_t start = now - (cx_ms_t)(b1 | b2 << 8) * SEC;
    if (b4 & 0x80)
      for (size_t k = 0; k < nprev; k++)
        if (prev[k].agent == agent)
          start = prev[k].end;
    cx_ms_t dur = b3 < 252 ? b3 * 15 * SEC : 0;
    size_t k = 0;
    while (k < nprev && prev[k].agent != agent)
      k++;
    if (k == nprev && nprev < 16)
      nprev++;
    if (k < 16)
      prev[k] = (struct prev){agent, start + dur};

    put("%s{", i ? "," : "");
    put_agent(agent, i, pascal ? "AgentId" : "agentId");
    put_state(b0 >> 3, pascal);
    put(",\"%s\":", pascal ? "StartDate" : "startDate");
    put_time(start, b4 & 0x40 ? 2 : 0);
    const char *dk = pascal ? "Duration" : "duration";
    if (b3 == 255)
      put(",\"%s\":null", dk);
    else if (b3 == 253)
      put(",\"%s\":\"\"", dk);
    else if (b3 == 252)
      put(",\"%s\":\"bogus\"", dk);
    else if (b3 < 252 && (b0 & 0x80)) {
      char d[40];
      cx_duration_format(dur, d, sizeof(d));
      put(",\"%s\":\"%s\"", dk, d);
    } else if (b3 < 252)
      put(",\"%s\":%.3f", dk, (double)dur / 1000.0);
    put_team(b4);
    put_reason(b4 >> 3);
    put("}");
  }
  put("]");
  put_links(h >> 4, url, n);
  put("}");
}

static void jwt(const char *payload) {
  char b[512];
  b64url(payload, strlen(payload), false, b);
  put("eyJhbGciOiJub25lIn0.%s.sig%u", b, g.s.requests);
}

/* Token answer.  bits 0-1 where the tenant is {access token JWT, access
 * token JWT with exp, opaque access token + id_token JWT, JWT without
 * tenantId}; 2-3 expires_in {3600, 60, 5, absent}; 4 an OAuth error body;
 * 5 no token_type; 6-7 the tenant id {T1, needs escaping, "", long}. */
static void token_body(uint8_t v) {
  static const char *const tenants[4] = {
      "T1", "T 1/&x=%", "",
      "T123456789012345678901234567890123456789012345678901234567890"};
  static const char *const expires[4] = {",\"expires_in\":3600",
                                         ",\"expires_in\":60",
                                         ",\"expires_in\":5", ""};
  if (v & 0x10) {
    put("{\"error\":\"invalid_client\",\"error_description\":\"Client "
        "authentication failed\"}");
    return;
  }
  char payload[256];
  const char *t = tenants[v >> 6];
  switch (v & 3) {
  case 0: snprintf(payload, sizeof(payload), "{\"tenantId\":\"%s\"}", t); break;
  case 1:
    snprintf(payload, sizeof(payload), "{\"tenantId\":\"%s\",\"exp\":%" PRId64
             "}", t, fake_clock() / 1000 + 3600);
    break;
  default: snprintf(payload, sizeof(payload), "{\"sub\":\"x\"}"); break;
  }
  put("{\"access_token\":\"");
  if ((v & 3) == 2)
    put("opaque%u", g.s.requests);
  else
    jwt(payload);
  put("\"");
  if ((v & 3) == 2) {
    snprintf(payload, sizeof(payload), "{\"tenantId\":\"%s\"}", t);
    put(",\"id_token\":\"");
    jwt(payload);
    put("\"");
  }
  if (!(v & 0x20))
    put(",\"token_type\":\"bearer\"");
  put("%s}", expires[(v >> 2) & 3]);
}

static void discovery_body(uint8_t v) {
  static const char *const ep[4] = {"https://fake.test/auth/token",
                                    "http://fake.test/auth/token", "",
                                    "https://fake.test/auth/token?x=1"};
  put("{\"issuer\":\"https://fake.test\",\"token_endpoint\":\"%s\"}", ep[v & 3]);
}

static void config_body(uint8_t v) {
  static const char *const ep[4] = {"https://api.fake.test",
                                    "https://api.fake.test/",
                                    "http://api.fake.test", ""};
  if (v & 4)
    put("{\"area\":\"na1\"}");
  else
    put("{\"api_endpoint\":\"%s\",\"area\":\"na1\"}", ep[v & 3]);
}

/* ------------------------------------------------------------ transport */

enum tmpl { RAW, DISCOVERY, TOKEN, CONFIG, STATES, HISTORY, AUTO };

static enum tmpl template_of(const char *url, bool *all_agents_history) {
  *all_agents_history = false;
  if (strstr(url, "openid-configuration") != NULL)
    return DISCOVERY;
  if (strstr(url, "cxone-configuration") != NULL)
    return CONFIG;
  if (strstr(url, "/auth/token") != NULL)
    return TOKEN;
  if (strstr(url, "agents/states") != NULL)
    return STATES;
  if (strstr(url, "state-history") != NULL) {
    *all_agents_history = strstr(url, "/agents/state-history") != NULL;
    return HISTORY;
  }
  return RAW;
}

static const long status_table[16] = {200, 201, 204, 206, 304, 302, 400, 401,
                                      403, 404, 429, 500, 502, 503, 0,   100};
static const long delay_scale[4] = {1, 50, 1000, 10000};

static void serve(void *ctx, const struct cx_http_request *req, long timeout_ms,
                  struct cx_transport_reply *r) {
  struct script *s = ctx;
  cx_ms_t arrival = fake_clock(), t0 = g.now;
  g.len = 0;
  put("%s", "");
  bool all_agents;
  enum tmpl want = template_of(req->url, &all_agents);
  s->requests++;
  if (!more(s) && s->wrap && s->pos > s->first)
    s->pos = s->first;
  if (s->requests > MAX_REQUESTS || !more(s)) {
    /* Past the script: 503 at once, or (past the request cap) a timeout,
     * which ends the cycle at its deadline. */
    r->status = 503;
    if (s->requests > MAX_REQUESTS) {
      g.now += timeout_ms;
      r->timed_out = true;
    }
    if (trace)
      fprintf(stderr, "  [%u] #%u %s -> %s\n", s->cycle, s->requests,
              req->url, r->timed_out ? "timeout (cap)" : "503 (end)");
    return;
  }
  uint8_t kind = byte(s);
  long status = kind & 0x80 ? status_table[byte(s) & 15] : 200;
  uint8_t d = byte(s);
  cx_ms_t delay = (cx_ms_t)(d & 63) * delay_scale[d >> 6];
  if (kind & 0x20) {
    static const char *const ic[8] = {
        "", "Success", "Invalid token", "Unknown agent", "Too many requests",
        NULL, "  spaced out  ", "ctl\x01\x7f"};
    uint8_t v = byte(s) & 7;
    if (ic[v] != NULL) {
      snprintf(g.ic, sizeof(g.ic), "%s", ic[v]);
    } else {
      memset(g.ic, 'i', 300);
      g.ic[300] = '\0';
    }
    r->ic_status = g.ic;
  }
  r->retry_after_s = -1;
  if (kind & 0x40) {
    uint8_t v = byte(s);
    r->retry_after_s = v == 255 ? -1 : v;
  }
  enum tmpl t = (enum tmpl)(kind & 7);
  if (t > AUTO)
    t = AUTO;
  if (t == AUTO)
    t = want;
  switch (t) {
  case RAW: {
    size_t n = byte(s);
    if (n == 255) {
      n = byte(s);
      n |= (size_t)byte(s) << 8;
    }
    if (n > s->size - s->pos)
      n = s->size - s->pos;
    put_bytes(s->data + s->pos, n);
    s->pos += n;
    break;
  }
  case DISCOVERY: discovery_body(byte(s)); break;
  case TOKEN: token_body(byte(s)); break;
  case CONFIG: config_body(byte(s)); break;
  case STATES: states_body(s, req->url, arrival); break;
  case HISTORY: history_body(s, req->url, arrival); break;
  case AUTO: break;
  }
  if (s->no_all_agents && all_agents) {
    status = 404;
    g.len = 0;
  }
  r->status = status;
  r->body = g.len > 0 ? g.body : NULL;
  r->body_len = g.len;
  if (kind & 0x08 || delay > timeout_ms) {
    g.now += timeout_ms;
    r->timed_out = true;
  } else {
    g.now += delay;
    r->failed = kind & 0x10;
  }
  if (trace)
    fprintf(stderr, "  [%u] #%u %s %s -> %ld%s%s +%" PRId64 " ms (cap %ld) "
            "%zu bytes\n", s->cycle, s->requests,
            req->form_body ? "POST" : "GET", req->url, status,
            r->timed_out ? " timed out" : "", r->failed ? " failed" : "",
            g.now - t0, timeout_ms, g.len);
  if (trace > 1 && g.len > 0)
    fprintf(stderr, "      %.*s\n", (int)(g.len < 2000 ? g.len : 2000), g.body);
}

/* ------------------------------------------------------------ checks */

struct span_sums {
  cx_ms_t base[CX_STATE_COUNT];
  cx_ms_t *reasons;
  size_t nreasons;
};

static int add_span(void *ctx, int state, size_t reason, cx_ms_t start,
                    cx_ms_t end) {
  struct span_sums *ss = ctx;
  REQUIRE(state >= 0 && state < CX_STATE_COUNT && end > start);
  REQUIRE(reason <= ss->nreasons);
  ss->base[state] += end - start;
  if (reason != 0)
    ss->reasons[reason] += end - start;
  return 0;
}

static bool team_filter_passes(const char *name) {
  return name != NULL && strcasecmp(name, "Team A") == 0;
}

/* No two labels of one kind alike, for every AgentLabel: the emitter puts
 * them behind "agent-", "team-" and "Unavailable-", so this makes every
 * identifier of the cycle distinct.  (On the names code before
 * cx_labels, corpus-poll/regress-label-collision.bin failed here: user
 * names "bob-1002" (agent 1001), "bob" (1002) and "bob" (-7) gave
 * "bob-1002" twice.) */
static void require_distinct(const struct cx_label *l, size_t n) {
  for (size_t i = 0; i < n; i++) {
    REQUIRE(l[i].text[0] != '\0' && strlen(l[i].text) <= CX_NAME_PART_MAX);
    for (size_t j = 0; j < i; j++)
      REQUIRE(strcmp(l[i].text, l[j].text) != 0);
  }
}

static void check_labels(const struct cx_snapshot *snap) {
  static const enum cx_agent_label kinds[] = {CX_LABEL_ID, CX_LABEL_NAME,
                                              CX_LABEL_USERNAME};
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    struct cx_labels l;
    REQUIRE(cx_labels_build(&l, snap, true, kinds[k]) == CX_OK);
    require_distinct(l.agents, snap->nagents);
    require_distinct(l.teams, snap->nteams);
    require_distinct(l.reasons, snap->nreasons);
    cx_labels_free(&l);
  }
}

static void check_cycle(const struct cx_poll *p, const struct cx_poll_config *cfg,
                        cx_ms_t took, cx_ms_t *last_time) {
  const struct cx_snapshot *snap = cx_poll_snapshot(p);
  const struct cx_health *h = cx_poll_health(p);
  const struct cx_ledger *l = snap->ledger;
  REQUIRE(l != NULL);
  REQUIRE(cx_ledger_check(l) == 0);
  REQUIRE(snap->time >= *last_time);
  *last_time = snap->time;
  size_t nagents = snap->nagents, nteams = snap->nteams;
  size_t nr = snap->nreasons;
  REQUIRE(nagents <= cx_ledger_agent_count(l));
  REQUIRE(nr == cx_ledger_reason_count(l));

  cx_ms_t window = cfg->window, now = snap->time;
  /* Recomputed scope values: [0] all, [1 + t] team t. */
  size_t per = nr + 1;
  struct cx_scope *sum = calloc(nteams + 1, sizeof(*sum));
  cx_ms_t *rd = calloc(per * (nteams + 1), sizeof(*rd));
  uint32_t *rc = calloc(per * (nteams + 1), sizeof(*rc));
  bool *team_used = calloc(nteams + 1, sizeof(*team_used));
  struct span_sums ss = {.reasons = calloc(per, sizeof(cx_ms_t)),
                         .nreasons = nr};
  REQUIRE(sum && rd && rc && team_used && ss.reasons);

  for (size_t i = 0; i < nagents; i++) {
    const struct cx_snapshot_agent *a = &snap->agents[i];
    for (size_t j = 0; j < i; j++)
      REQUIRE(snap->agents[j].id != a->id);
    long li = cx_ledger_agent_index(l, a->id);
    REQUIRE(li >= 0);
    const struct cx_filter *f = &cfg->filter;
    if (f->nagents > 0)
      REQUIRE(a->id == f->agents[0] || a->id == f->agents[1]);
    REQUIRE(a->team >= -1 && a->team < (long)nteams);
    if (f->nteams > 0)
      REQUIRE(a->team >= 0 && team_filter_passes(snap->teams[a->team].name));
    REQUIRE(a->state >= -1 && a->state < CX_STATE_COUNT);
    REQUIRE(a->reason <= nr);
    REQUIRE(a->reason == 0 || a->state == CX_STATE_UNAVAILABLE);
    if (a->state >= 0)
      REQUIRE(a->since <= now);

    cx_ms_t total = 0, rtotal = 0;
    for (int s = 0; s < CX_STATE_COUNT; s++) {
      cx_ms_t d = a->values.duration[s];
      REQUIRE(d >= 0 && d <= window);
      total += d;
    }
    REQUIRE(total <= window);
    for (size_t r = 1; r <= nr; r++) {
      cx_ms_t d = a->values.reason_duration[r];
      REQUIRE(d >= 0 && d <= a->values.duration[CX_STATE_UNAVAILABLE]);
      rtotal += d;
    }
    REQUIRE(rtotal <= a->values.duration[CX_STATE_UNAVAILABLE]);

    /* The running sums against the spans themselves. */
    memset(ss.base, 0, sizeof(ss.base));
    memset(ss.reasons, 0, per * sizeof(*ss.reasons));
    REQUIRE(cx_ledger_foreach(l, (size_t)li, now - window, now, add_span,
                              &ss) == 0);
    for (int s = 0; s < CX_STATE_COUNT; s++)
      REQUIRE(ss.base[s] == a->values.duration[s]);
    for (size_t r = 1; r <= nr; r++)
      REQUIRE(ss.reasons[r] == a->values.reason_duration[r]);

    /* Into "all" and the agent's team. */
    for (int k = 0; k < 2; k++) {
      size_t sc = k == 0 ? 0 : (size_t)(a->team + 1);
      if (k == 1 && a->team < 0)
        break;
      team_used[sc] = true;
      for (int s = 0; s < CX_STATE_COUNT; s++)
        sum[sc].duration[s] += a->values.duration[s];
      for (size_t r = 1; r <= nr; r++)
        rd[per * sc + r] += a->values.reason_duration[r];
      if (a->state >= 0) {
        sum[sc].count[a->state]++;
        if (a->reason != 0)
          rc[per * sc + a->reason]++;
      }
    }
  }
  for (size_t sc = 0; sc <= nteams; sc++) {
    const struct cx_scope *v = sc == 0 ? &snap->all : &snap->teams[sc - 1].values;
    if (sc > 0) {
      REQUIRE(team_used[sc]); /* only teams with an agent in scope */
      for (size_t t = 0; t + 1 < sc; t++)
        REQUIRE(strcmp(snap->teams[t].id_text, snap->teams[sc - 1].id_text));
      REQUIRE(snap->teams[sc - 1].name != NULL);
    }
    for (int s = 0; s < CX_STATE_COUNT; s++) {
      REQUIRE(v->duration[s] == sum[sc].duration[s]);
      REQUIRE(v->count[s] == sum[sc].count[s]);
    }
    for (size_t r = 1; r <= nr; r++) {
      REQUIRE(v->reason_duration[r] == rd[per * sc + r]);
      REQUIRE(v->reason_count[r] == rc[per * sc + r]);
    }
  }
  free(sum);
  free(rd);
  free(rc);
  free(team_used);
  free(ss.reasons);

  check_labels(snap);

  REQUIRE(h->agents == nagents);
  REQUIRE(h->items == cx_ledger_item_count(l));
  REQUIRE(h->backfill_percent >= 0.0 && h->backfill_percent <= 100.0);
  REQUIRE(h->cycle_seconds == (double)took / 1000.0);
}

/* ------------------------------------------------------------ the run */

static void quiet(enum cx_log_level level, const char *message) {
  if (trace)
    fprintf(stderr, "    log %d: %s\n", (int)level, message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *t = getenv("FUZZ_POLL_TRACE");
  trace = t != NULL ? atoi(t) : 0; /* 1: requests, 2: and bodies */
  /* Log lines are formatted (that code runs) and dropped. */
  cx_log_set_sink(quiet);
  /* No cx_http_global_init: cx_http still creates its curl multi and easy
   * handles with a transport set (never performing them), and the first
   * curl_easy_init initialises libcurl itself (curl_easy_init(3)). */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  static const cx_ms_t windows[4] = {15 * MIN, HOUR, 4 * HOUR, 8 * HOUR};
  static const cx_ms_t budgets[4] = {4500, 9000, 1500, 25000};
  static const cx_ms_t intervals[4] = {5000, 10000, 60000, 30000};
  static const long timeouts[4] = {30000, 5000, 2000, 300};
  static const unsigned pages[4] = {0, 1, 3, 50};
  static const unsigned parallels[4] = {4, 1, 2, 8};
  static const cx_ms_t chunks[4] = {2 * HOUR, HOUR, 5 * MIN, 20 * MIN};
  static const cx_ms_t overlaps[4] = {10 * MIN, 0, MIN, HOUR};
  static char *team_filter[] = {"Team A"};
  static int64_t agent_filter[] = {1001, 1003};

  uint8_t h0 = data[0], h1 = data[1], h2 = data[2], h3 = data[3];
  cx_ms_t window = windows[h0 & 3];
  static const cx_ms_t lookbacks_k[4] = {1, 0, -1, 2};
  cx_ms_t lb = lookbacks_k[(h2 >> 3) & 3];
  struct cx_poll_config cfg = {
      .api = {.issuer = h3 & 0x40 ? "http://fake.test" : "https://fake.test",
              .client_id = "id",
              .client_secret = "se cret",
              .access_key_id = "key",
              .access_key_secret = "key-secret",
              .api_endpoint = h0 & 0x80 ? "https://api.fake.test/" : NULL,
              .client_auth = h1 & 0x40 ? CX_CLIENT_AUTH_POST
                                       : CX_CLIENT_AUTH_BASIC},
      .http = {.verify_peer = true,
               .verify_host = true,
               .timeout_ms = timeouts[(h0 >> 4) & 3],
               .max_body = h1 & 0x80 ? 512 : 64 << 20},
      .window = window,
      .lookback = lb >= 0 ? lb * window : 10 * MIN,
      .interval = intervals[(h0 >> 2) & 3],
      .overlap = overlaps[h3 & 3],
      .chunk = chunks[(h2 >> 5) & 3],
      .budget = budgets[(h0 >> 2) & 3],
      .page_size = pages[h1 & 3],
      .parallel = parallels[(h1 >> 2) & 3],
  };
  if (h1 & 0x10) {
    cfg.filter.teams = team_filter;
    cfg.filter.nteams = 1;
  }
  if (h1 & 0x20) {
    cfg.filter.agents = agent_filter;
    cfg.filter.nagents = 2;
  }

  memset(&g.s, 0, sizeof(g.s));
  g.s = (struct script){.data = data, .size = size, .pos = 4, .first = 4,
                        .wrap = h2 & 0x80, .no_all_agents = h0 & 0x40};
  g.now = T0 + (cx_ms_t)((h3 >> 4) & 3) * (37 * MIN + 11500);
  many_agents = h3 & 0x80;
  g.step = 0;
  struct cx_transport t = {.serve = serve, .now = transport_now, .ctx = &g.s};

  struct cx_poll *p = cx_poll_create(&cfg);
  REQUIRE(p != NULL);
  cx_poll_set_clock(p, fake_clock);
  cx_poll_set_transport(p, &t);

  unsigned cycles = (h2 & 7) + 1;
  cx_ms_t last_time = INT64_MIN;
  for (unsigned c = 0; c < cycles; c++) {
    switch ((h3 >> 2) & 3) {
    case 1: if (c % 2 == 1) g.now += cfg.interval; break;
    case 2: if (c == 3) g.now += 2 * HOUR; break;
    case 3: if (c > 0) g.step -= MIN; break;
    }
    g.s.cycle = c;
    cx_ms_t start = g.now;
    struct cx_error err;
    enum cx_status st = cx_poll_run(p, &err);
    if (trace) {
      const struct cx_snapshot *snap = cx_poll_snapshot(p);
      fprintf(stderr, "cycle %u: %s (%s), %" PRId64 " ms, %zu agents, %zu "
              "items, ready %d\n", c, cx_status_name(st),
              st == CX_OK ? "" : err.message, g.now - start, snap->nagents,
              cx_poll_health(p)->items, cx_poll_health(p)->history_ready);
      for (size_t i = 0; i < snap->nagents; i++) {
        const struct cx_snapshot_agent *a = &snap->agents[i];
        fprintf(stderr, "  agent %" PRId64 " team %s state %d reason %zu:",
                a->id, a->team >= 0 ? snap->teams[a->team].name : "-",
                a->state, a->reason);
        for (int k = 0; k < CX_STATE_COUNT; k++)
          fprintf(stderr, " %" PRId64, a->values.duration[k] / 1000);
        fprintf(stderr, "\n");
      }
    }
    REQUIRE(g.now - start <= cfg.budget);
    check_cycle(p, &cfg, g.now - start, &last_time);
    if (g.now < start + cfg.interval)
      g.now = start + cfg.interval;
  }
  cx_poll_destroy(p);
  free(g.body);
  g.body = NULL;
  g.len = g.cap = 0;
  return 0;
}
