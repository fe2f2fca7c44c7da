/*
 * t_cxq_output.c: cxone-query's report output with hostile names: the
 * escaping helper byte by byte (C0, DEL, C1, invalid UTF-8, the CSV
 * variant), and whole reports as table (no control character reaches the
 * terminal, columns aligned on the escaped form), CSV (RFC 4180 rows that
 * parse back) and JSON (json-c's escapes, names that parse back); the
 * skills report (cxq_output_skills) in the three formats: the figures the
 * skill table's walks give, "-" where one is missing, the "all" totals.
 */
#include "cxq_output.h"
#include "unit.h"

#include <json-c/json.h>

#include <stdbool.h>
#include <stdlib.h>

/* ESC sequence, comma, quotes, a newline: a team name from a hostile server. */
#define HOSTILE "Red\x1b[31m,\"Q\"\nX"
/* CR, DEL, a C1 CSI (U+009B in UTF-8), a raw 0x9B byte. */
#define HOSTILE_REASON "Brk\r\x7f\xc2\x9b\x9b"

static void check_escape(const char *in, bool csv, const char *want) {
  char *got = cxq_escape(in, csv);
  CHECK_EQ_STR(got, want);
  free(got);
}

static void test_escape_c0_and_del(void) {
  check_escape("", false, "");
  check_escape("Tier 1", false, "Tier 1");
  check_escape("a\x1b[2Jb", false, "a\\x1b[2Jb");
  check_escape("l1\nl2\rl3\tl4", false, "l1\\nl2\\rl3\\tl4");
  check_escape("\x01\x07\x08\x0b\x0c\x1f\x7f", false,
               "\\x01\\x07\\x08\\x0b\\x0c\\x1f\\x7f");
  check_escape(" ~", false, " ~");
  /* A backslash is escaped, so that a literal "\x1b" stays distinguishable. */
  check_escape("a\\x1b", false, "a\\\\x1b");
  check_escape("a\\x1b", true, "a\\\\x1b");
  /* CSV keeps CR and LF (the field is quoted) and escapes the rest. */
  check_escape("l1\r\nl2\tx\x1b", true, "l1\r\nl2\\tx\\x1b");
  check_escape("a,\"b\"", true, "a,\"b\"");
}

static void test_escape_utf8_and_c1(void) {
  /* Valid UTF-8 is kept: 2, 3 and 4 bytes, the edges of each range. */
  check_escape("Caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", false,
               "Caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
  check_escape("\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
               "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
               false,
               "\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
               "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
  /* C1 controls as UTF-8 (U+0080, U+0085, U+009B CSI, U+009F). */
  check_escape("\xc2\x80|\xc2\x85|\xc2\x9b|\xc2\x9f", false,
               "\\xc2\\x80|\\xc2\\x85|\\xc2\\x9b|\\xc2\\x9f");
  check_escape("\xc2\x9b", true, "\\xc2\\x9b");
  /* Bytes that are not UTF-8: stray continuation bytes (C1 in 8-bit
   * terminals), invalid leads, overlong forms, surrogates, > U+10FFFF,
   * truncated sequences (also at the end of the string). */
  check_escape("\x9b[31m", false, "\\x9b[31m");
  check_escape("\x80\xbf\xc0\xc1\xf5\xff", false,
               "\\x80\\xbf\\xc0\\xc1\\xf5\\xff");
  check_escape("\xc0\xaf", false, "\\xc0\\xaf");
  check_escape("\xe0\x80\xaf", false, "\\xe0\\x80\\xaf");
  check_escape("\xed\xa0\x80", false, "\\xed\\xa0\\x80");
  check_escape("\xf4\x90\x80\x80", false, "\\xf4\\x90\\x80\\x80");
  check_escape("\xc3(", false, "\\xc3(");
  check_escape("\xe6\x97", false, "\\xe6\\x97");
  check_escape("a\xf0\x9f\x98", false, "a\\xf0\\x9f\\x98");
  check_escape("\xe6\x97\x1b", false, "\\xe6\\x97\\x1b");
}

/* True when text holds no control byte but those in allowed, no DEL, no
 * UTF-8 C1 control and no stray byte 0x80..0x9F. */
static bool clean(const char *text, const char *allowed) {
  const unsigned char *p = (const unsigned char *)text;
  for (size_t i = 0; p[i]; i++) {
    if ((p[i] < 0x20 && strchr(allowed, p[i]) == NULL) || p[i] == 0x7f) {
      fprintf(stderr, "  control byte 0x%02x at %zu\n", p[i], i);
      return false;
    }
    if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
      fprintf(stderr, "  C1 control at %zu\n", i);
      return false;
    }
    if (p[i] >= 0x80 && p[i] <= 0x9f && (i == 0 || p[i - 1] < 0xc2)) {
      fprintf(stderr, "  stray byte 0x%02x at %zu\n", p[i], i);
      return false;
    }
  }
  return true;
}

static size_t width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    w += ((unsigned char)s[i] & 0xC0) != 0x80;
  return w;
}

/* A report of one interval and the snapshot of one agent in one team, the
 * names hostile; rendered in format into a new string. */
static char *render(enum cxq_format format) {
  static struct cx_snapshot_team team = {.name = HOSTILE};
  static struct cx_snapshot_agent agent = {.id = 1001, .team = 0, .state = 1};
  static struct cx_snapshot snap = {.agents = &agent, .nagents = 1,
                                    .teams = &team, .nteams = 1};
  static const struct cxq_interval iv[] = {
      {1001, HOSTILE, CX_STATE_UNAVAILABLE, HOSTILE_REASON,
       1700000000000, 1700000060000},
      {1001, "Tier 2", CX_STATE_AVAILABLE, NULL, 1700000060000,
       1700000090000}};
  agent.values.duration[CX_STATE_AVAILABLE] = 30000;
  agent.values.duration[CX_STATE_UNAVAILABLE] = 60000;
  team.values = agent.values;
  snap.all = agent.values;
  snap.time = 1700000090000;
  struct cxq_report r = {"acme\x1b]0;owned\x07", 1700000000000, 1700000090000,
                         iv, 2, &snap};
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return NULL;
  int rc = cxq_output(f, format, &r);
  fclose(f);
  CHECK_EQ_INT(rc, 0);
  return text;
}

static void test_table(void) {
  char *text = render(CXQ_TABLE);
  CHECK(text != NULL);
  if (text == NULL)
    return;
  CHECK(clean(text, "\n"));
  CHECK(strstr(text, "tenant \"acme\\x1b]0;owned\\x07\"") != NULL);
  CHECK(strstr(text, "1001  Red\\x1b[31m,\"Q\"\\nX  Unavailable  "
                     "Brk\\r\\x7f\\xc2\\x9b\\x9b  ") != NULL);
  CHECK(strstr(text, "team Red\\x1b[31m,\"Q\"\\nX") != NULL);
  /* Each table's lines (header to blank line) have one width: the widths
   * were counted on the escaped cells. */
  const char *heads[] = {"AGENT", "SCOPE"};
  for (size_t h = 0; h < 2; h++) {
    const char *line = strstr(text, heads[h]);
    CHECK(line != NULL);
    size_t w0 = 0, lines = 0;
    while (line != NULL && *line != '\n' && *line != '\0') {
      const char *nl = strchr(line, '\n');
      size_t n = nl ? (size_t)(nl - line) : strlen(line);
      size_t w = width(line, n);
      if (lines++ == 0)
        w0 = w;
      else if (w != w0) {
        fprintf(stderr, "  %s table: line %zu is %zu wide, not %zu\n",
                heads[h], lines, w, w0);
        CHECK(w == w0);
      }
      line = nl ? nl + 1 : NULL;
    }
    CHECK(lines >= 3);
  }
  free(text);
}

/* Splits RFC 4180 text into fields; returns the number of rows, or -1 when
 * malformed (a quote inside an unquoted field, a bare CR or LF outside
 * quotes, an unterminated quote).  fields[k]: k-th field, rows ends. */
static int csv_parse(const char *s, char **fields, size_t max, size_t *nfields,
                     size_t *row_ends) {
  int rows = 0;
  *nfields = 0;
  while (*s) {
    char *f = malloc(strlen(s) + 1), *o = f;
    if (*s == '"') {
      for (s++;; s++) {
        if (*s == '\0') {
          free(f);
          return -1;
        }
        if (*s == '"') {
          if (s[1] != '"')
            break;
          s++;
        }
        *o++ = *s;
      }
      s++;
    } else {
      for (; *s && *s != ',' && *s != '\r' && *s != '\n'; s++) {
        if (*s == '"') {
          free(f);
          return -1;
        }
        *o++ = *s;
      }
    }
    *o = '\0';
    if (*nfields == max) {
      free(f);
      return -1;
    }
    fields[(*nfields)++] = f;
    if (*s == ',')
      s++;
    else if (s[0] == '\r' && s[1] == '\n') {
      s += 2;
      row_ends[rows++] = *nfields;
    } else
      return -1;
  }
  return rows;
}

static void test_csv(void) {
  char *text = render(CXQ_CSV);
  CHECK(text != NULL);
  if (text == NULL)
    return;
  CHECK(clean(text, "\r\n"));
  char *fields[400];
  size_t n = 0, ends[50];
  int rows = csv_parse(text, fields, 400, &n, ends);
  /* header, 2 intervals, 9 states for each of agent, team, all */
  CHECK_EQ_INT(rows, 1 + 2 + 3 * 9);
  if (rows > 0) {
    for (int r = 0; r < rows; r++)
      CHECK_EQ_INT(ends[r], 9 * (size_t)(r + 1));
    CHECK_EQ_STR(fields[9], "interval");
    CHECK_EQ_STR(fields[9 + 3], "Red\\x1b[31m,\"Q\"\nX");
    CHECK_EQ_STR(fields[9 + 5], "Brk\r\\x7f\\xc2\\x9b\\x9b");
    /* The team's totals: scope and team columns. */
    bool team_total = false;
    for (int r = 3; r < rows; r++)
      if (strcmp(fields[9 * r + 1], "team-Red\\x1b[31m,\"Q\"\nX") == 0 &&
          strcmp(fields[9 * r + 3], "Red\\x1b[31m,\"Q\"\nX") == 0)
        team_total = true;
    CHECK(team_total);
  }
  for (size_t i = 0; i < n; i++)
    free(fields[i]);
  free(text);
}

/* JSON: json-c escapes C0 controls (keys too), quotes and backslashes; the
 * names parse back byte for byte.  (It writes DEL and non-ASCII bytes as
 * they are, which JSON allows; not checked here.) */
static void test_json(void) {
  char *text = render(CXQ_JSON);
  CHECK(text != NULL);
  if (text == NULL)
    return;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    CHECK(*p >= 0x20 || *p == '\n');
  CHECK(strstr(text, "\"Red\\u001b[31m,\\\"Q\\\"\\nX\"") != NULL);
  CHECK(strstr(text, "\"acme\\u001b]0;owned\\u0007\"") != NULL);
  json_object *doc = json_tokener_parse(text), *v;
  CHECK(doc != NULL);
  if (doc != NULL) {
    CHECK(json_object_object_get_ex(doc, "tenant", &v));
    CHECK_EQ_STR(json_object_get_string(v), "acme\x1b]0;owned\x07");
    json_object *ivs, *totals, *teams;
    CHECK(json_object_object_get_ex(doc, "intervals", &ivs));
    json_object *iv0 = json_object_array_get_idx(ivs, 0);
    CHECK(json_object_object_get_ex(iv0, "team", &v));
    CHECK_EQ_STR(json_object_get_string(v), HOSTILE);
    CHECK(json_object_object_get_ex(iv0, "reason", &v));
    CHECK_EQ_STR(json_object_get_string(v), HOSTILE_REASON);
    CHECK(json_object_object_get_ex(doc, "totals", &totals));
    CHECK(json_object_object_get_ex(totals, "teams", &teams));
    CHECK(json_object_object_get_ex(teams, HOSTILE, &v));
    json_object_put(doc);
  }
  free(text);
}

/* ---- skills ---- */

#define B(f) (1u << (f))
#define LIVE_AT 1700000100000

/* Three skills: a hostile name with every figure (two waiting, the oldest
 * since 42.5 s before LIVE_AT), one without agentsACW and without a
 * summary record, one without a name. */
static void skills_fixture(struct cx_skills *s) {
  static char hostile[] = HOSTILE;
  static char sales[] = "Sales";
  struct cx_skill_record live[3] = {{.skill_id = 11, .name = hostile},
                                    {.skill_id = 12, .name = sales},
                                    {.skill_id = 13}};
  const double lv[] = {[CX_SKILL_QUEUE] = 2, [CX_SKILL_ACTIVE] = 3,
                       [CX_SKILL_AGENTS_AVAILABLE] = 1,
                       [CX_SKILL_AGENTS_WORKING] = 3, [CX_SKILL_AGENTS_ACW] = 1,
                       [CX_SKILL_AGENTS_UNAVAILABLE] = 2,
                       [CX_SKILL_AGENTS_LOGGED_IN] = 7,
                       [CX_SKILL_SERVICE_LEVEL] = 87.5,
                       [CX_SKILL_EARLIEST_QUEUE] = LIVE_AT - 42500};
  for (int r = 0; r < 3; r++)
    for (int f = 0; f <= CX_SKILL_EARLIEST_QUEUE; f++) {
      live[r].value[f] = r == 0 ? lv[f] : f == CX_SKILL_EARLIEST_QUEUE ? 0 : 1;
      live[r].have |= B(f);
    }
  live[1].have &= ~B(CX_SKILL_AGENTS_ACW);
  struct cx_skill_record sum[2] = {{.skill_id = 11, .name = hostile},
                                   {.skill_id = 13}};
  const double sv[] = {[CX_SKILL_OFFERED] = 40, [CX_SKILL_HANDLED] = 36,
                       [CX_SKILL_ABANDONED] = 4, [CX_SKILL_ABANDON_RATE] = 10,
                       [CX_SKILL_SPEED_OF_ANSWER] = 12345,
                       [CX_SKILL_HANDLE_TIME] = 250000,
                       [CX_SKILL_LONGEST_QUEUE] = 95000,
                       [CX_SKILL_SERVICE_LEVEL] = 80};
  for (int r = 0; r < 2; r++)
    for (int f = CX_SKILL_OFFERED; f < CX_SKILL_NFIELDS; f++) {
      sum[r].value[f] = r == 0 ? sv[f] : 2;
      sum[r].have |= B(f);
    }
  for (int r = 0; r < 2; r++) {
    sum[r].value[CX_SKILL_SERVICE_LEVEL] = r == 0 ? 80 : 2;
    sum[r].have |= B(CX_SKILL_SERVICE_LEVEL);
  }
  struct cx_skills_page lp = {.records = live, .count = 3};
  struct cx_skills_page sp = {.records = sum, .count = 2};
  cx_skills_init(s, NULL, 0);
  CHECK_EQ_INT(cx_skills_apply_live(s, &lp, true), CX_OK);
  CHECK_EQ_INT(cx_skills_apply_summary(s, CX_SKILL_WINDOW, &sp), CX_OK);
}

static char *render_skills(enum cxq_format format) {
  struct cx_skills s;
  skills_fixture(&s);
  struct cxq_skills_report r = {"acme", 1700000000000, 1700000090000, LIVE_AT,
                                &s};
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f != NULL) {
    CHECK_EQ_INT(cxq_output_skills(f, format, &r), 0);
    fclose(f);
  }
  cx_skills_free(&s);
  return text;
}

/* The line of text that starts with prefix (a new string), or NULL. */
static char *line_of(const char *text, const char *prefix) {
  for (const char *l = text; l != NULL && *l;) {
    const char *nl = strchr(l, '\n');
    size_t n = nl ? (size_t)(nl - l) : strlen(l);
    if (strncmp(l, prefix, strlen(prefix)) == 0)
      return strndup(l, n);
    l = nl ? nl + 1 : NULL;
  }
  return NULL;
}

/* Collapses runs of spaces to one, in place. */
static char *squeeze(char *s) {
  char *o = s;
  for (const char *p = s; *p; p++)
    if (*p != ' ' || o == s || o[-1] != ' ')
      *o++ = *p;
  *o = '\0';
  return s;
}

static void check_line(const char *text, const char *prefix,
                       const char *want) {
  char *l = line_of(text, prefix);
  CHECK(l != NULL);
  if (l != NULL) {
    CHECK_EQ_STR(squeeze(l), want);
    free(l);
  }
}

static void test_skills_table(void) {
  char *text = render_skills(CXQ_TABLE);
  CHECK(text != NULL);
  if (text == NULL)
    return;
  CHECK(clean(text, "\n"));
  check_line(text, "SKILL", "SKILL ID QUEUE LONGEST WAIT ACTIVE AVAILABLE "
                            "WORKING ACW UNAVAILABLE LOGGED IN SL %");
  /* Longest wait: LIVE_AT - earliestQueueTime. */
  check_line(text, "Red", "Red\\x1b[31m,\"Q\"\\nX 11 2 42.5 3 1 3 1 2 7 87.5");
  check_line(text, "Sales", "Sales 12 1 0.0 1 1 1 - 1 1 1.0");
  check_line(text, "13", "13 13 1 0.0 1 1 1 1 1 1 1.0");
  /* all: sums of queue and active, the largest wait; nothing else. */
  check_line(text, "all  ", "all 4 42.5 5 - - - - - -");
  /* The summary table: Sales has no record there. */
  const char *summary = strstr(text, "\nSummary, ");
  CHECK(summary != NULL);
  if (summary != NULL) {
    check_line(summary + 1, "Summary", "Summary, 2023-11-14T22:13:20.000Z to "
                                       "2023-11-14T22:14:50.000Z");
    const char *rest = strstr(summary, "\nSKILL");
    CHECK(rest != NULL);
    if (rest != NULL) {
      check_line(rest + 1, "SKILL", "SKILL ID OFFERED HANDLED ABANDONED "
                 "ABANDON % SPEED OF ANSWER HANDLE TIME LONGEST QUEUE SL %");
      check_line(rest + 1, "Red",
                 "Red\\x1b[31m,\"Q\"\\nX 11 40 36 4 10.0 12.3 250.0 95.0 80.0");
      check_line(rest + 1, "Sales", "Sales 12 - - - - - - - -");
      check_line(rest + 1, "all  ", "all 42 38 6 - - - - -");
    }
  }
  /* Every table's lines have one width (counted on the escaped cells). */
  for (const char *head = strstr(text, "SKILL"); head != NULL;
       head = strstr(head + 1, "\nSKILL")) {
    const char *line = *head == '\n' ? head + 1 : head;
    size_t w0 = 0, lines = 0;
    while (line != NULL && *line != '\n' && *line != '\0') {
      const char *nl = strchr(line, '\n');
      size_t n = nl ? (size_t)(nl - line) : strlen(line);
      size_t w = width(line, n);
      if (lines++ == 0)
        w0 = w;
      CHECK(w == w0);
      line = nl ? nl + 1 : NULL;
    }
    CHECK_EQ_INT(lines, 5);
  }
  free(text);
}

static void test_skills_csv(void) {
  char *text = render_skills(CXQ_CSV);
  CHECK(text != NULL);
  if (text == NULL)
    return;
  CHECK(clean(text, "\r\n"));
  char *fields[600];
  size_t n = 0, ends[80];
  int rows = csv_parse(text, fields, 600, &n, ends);
  /* header; live 9 + 8 + 9, summary 8 + 0 + 8; all 3 live + 3 summary */
  CHECK_EQ_INT(rows, 1 + 26 + 16 + 6);
  if (rows == 1 + 26 + 16 + 6) {
    for (int r = 0; r < rows; r++)
      CHECK_EQ_INT(ends[r], 9 * (size_t)(r + 1));
    const char *head[] = {"type", "scope", "skill_id", "skill", "figure",
                          "unit", "start", "end", "value"};
    for (int c = 0; c < 9; c++)
      CHECK_EQ_STR(fields[c], head[c]);
    int found = 0;
    for (int r = 1; r < rows; r++) {
      char **f = &fields[9 * r];
      if (strcmp(f[0], "live") == 0 && strcmp(f[4], "longest_wait") == 0 &&
          strcmp(f[2], "11") == 0) {
        CHECK_EQ_STR(f[1], "skill-Red__31m__Q__X"); /* the plugin's label */
        CHECK_EQ_STR(f[3], "Red\\x1b[31m,\"Q\"\nX");
        CHECK_EQ_STR(f[5], "seconds");
        CHECK_EQ_STR(f[6], "2023-11-14T22:15:00.000Z");
        CHECK_EQ_STR(f[7], "2023-11-14T22:15:00.000Z");
        CHECK_EQ_STR(f[8], "42.500");
        found++;
      }
      if (strcmp(f[0], "summary") == 0 && strcmp(f[4], "speed_of_answer") == 0 &&
          strcmp(f[2], "11") == 0) {
        CHECK_EQ_STR(f[6], "2023-11-14T22:13:20.000Z");
        CHECK_EQ_STR(f[7], "2023-11-14T22:14:50.000Z");
        CHECK_EQ_STR(f[8], "12.345");
        found++;
      }
      if (strcmp(f[0], "live") == 0 && strcmp(f[4], "service_level") == 0 &&
          strcmp(f[2], "11") == 0) {
        CHECK_EQ_STR(f[5], "percent");
        CHECK_EQ_STR(f[8], "87.5");
        found++;
      }
      if (strcmp(f[1], "all") == 0 && strcmp(f[4], "offered") == 0) {
        CHECK_EQ_STR(f[0], "summary");
        CHECK_EQ_STR(f[2], "");
        CHECK_EQ_STR(f[8], "42");
        found++;
      }
      if (strcmp(f[2], "13") == 0 && strcmp(f[4], "queue") == 0) {
        CHECK_EQ_STR(f[1], "skill-13");
        CHECK_EQ_STR(f[3], "13");
        found++;
      }
      CHECK(strcmp(f[4], "agents_acw") != 0 || strcmp(f[2], "12") != 0);
    }
    CHECK_EQ_INT(found, 5);
  }
  for (size_t i = 0; i < n; i++)
    free(fields[i]);
  free(text);
}

static double json_num(json_object *o, const char *k1, const char *k2) {
  json_object *a, *b;
  if (!json_object_object_get_ex(o, k1, &a) ||
      !json_object_object_get_ex(a, k2, &b))
    return -1;
  return json_object_get_double(b);
}

static void test_skills_json(void) {
  char *text = render_skills(CXQ_JSON);
  CHECK(text != NULL);
  if (text == NULL)
    return;
  json_object *doc = json_tokener_parse(text), *skills, *k, *v, *all;
  CHECK(doc != NULL);
  if (doc != NULL) {
    CHECK(json_object_object_get_ex(doc, "live_at", &v));
    CHECK_EQ_STR(json_object_get_string(v), "2023-11-14T22:15:00.000Z");
    CHECK(json_object_object_get_ex(doc, "window", &v));
    CHECK(json_object_get_double(v) == 90);
    CHECK(json_object_object_get_ex(doc, "skills", &skills));
    CHECK_EQ_INT(json_object_object_length(skills), 3);
    CHECK(json_object_object_get_ex(skills, "11", &k));
    CHECK(json_object_object_get_ex(k, "name", &v));
    CHECK_EQ_STR(json_object_get_string(v), HOSTILE);
    CHECK(json_num(k, "live", "queue") == 2);
    CHECK(json_object_is_type(json_object_object_get(
                                  json_object_object_get(k, "live"), "queue"),
                              json_type_int));
    CHECK(json_num(k, "live", "longest_wait") == 42.5);
    CHECK(json_num(k, "live", "service_level") == 87.5);
    CHECK(json_num(k, "summary", "handle_time") == 250);
    CHECK(json_num(k, "summary", "abandon_rate") == 10);
    CHECK(json_object_object_get_ex(skills, "12", &k));
    CHECK(json_num(k, "live", "agents_acw") == -1); /* not given */
    CHECK(json_object_object_get_ex(k, "summary", &v));
    CHECK_EQ_INT(json_object_object_length(v), 0);
    CHECK(json_object_object_get_ex(skills, "13", &k));
    CHECK(json_object_object_get_ex(k, "name", &v));
    CHECK(v == NULL); /* null */
    CHECK(json_object_object_get_ex(doc, "all", &all));
    CHECK(json_num(all, "live", "active") == 5);
    CHECK(json_num(all, "live", "longest_wait") == 42.5);
    CHECK(json_num(all, "summary", "abandoned") == 6);
    CHECK(json_num(all, "live", "agents_available") == -1);
    json_object_put(doc);
  }
  free(text);
}

int main(void) {
  RUN(test_escape_c0_and_del);
  RUN(test_escape_utf8_and_c1);
  RUN(test_table);
  RUN(test_csv);
  RUN(test_json);
  RUN(test_skills_table);
  RUN(test_skills_csv);
  RUN(test_skills_json);
  return unit_finish();
}
