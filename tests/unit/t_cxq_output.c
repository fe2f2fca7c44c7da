/*
 * t_cxq_output.c: cxone-query's report output with hostile names: the
 * escaping helper byte by byte (C0, DEL, C1, invalid UTF-8, the CSV
 * variant), and whole reports as table (no control character reaches the
 * terminal, columns aligned on the escaped form), CSV (RFC 4180 rows that
 * parse back) and JSON (json-c's escapes, names that parse back).
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

int main(void) {
  RUN(test_escape_c0_and_del);
  RUN(test_escape_utf8_and_c1);
  RUN(test_table);
  RUN(test_csv);
  RUN(test_json);
  return unit_finish();
}
