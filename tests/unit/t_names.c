/*
 * t_names.c: metric name sanitising and the collision rule (cx_names.h):
 * table-driven collisions, truncation, re-collision chains, order
 * independence, stability, and a randomized property test.
 */
#include "cx_names.h"
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>

#define MAXN 48

struct entity {
  const char *name; /* raw: sanitised by the test */
  int64_t id;
  const char *want; /* the unique label */
};

struct name_case {
  const char *what;
  enum cx_label_tag tag;
  struct entity e[8]; /* ends at name == NULL && want == NULL */
};

static size_t entity_count(const struct entity *e) {
  size_t n = 0;
  while (e[n].name != NULL || e[n].want != NULL)
    n++;
  return n;
}

static void fill(struct cx_label *l, const struct entity *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    cx_name_sanitize(e[i].name, l[i].text, sizeof(l[i].text));
    l[i].id = e[i].id;
  }
}

/* Fisher-Yates with a fixed-seed generator: reproducible. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static void shuffle(struct cx_label *l, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)(rng() % i);
    struct cx_label t = l[i - 1];
    l[i - 1] = l[j];
    l[j] = t;
  }
}

static const char *label_of(const struct cx_label *l, size_t n, int64_t id) {
  for (size_t i = 0; i < n; i++)
    if (l[i].id == id)
      return l[i].text;
  return NULL;
}

static bool all_unique(const struct cx_label *l, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (strcmp(l[i].text, l[j].text) == 0)
        return false;
  return true;
}

static void test_sanitize(void) {
  char buf[128];
  cx_name_sanitize("Tier 1", buf, sizeof(buf));
  CHECK_EQ_STR(buf, "Tier_1");
  cx_name_sanitize("After Call Work", buf, sizeof(buf));
  CHECK_EQ_STR(buf, "After_Call_Work");
  cx_name_sanitize("jane.doe@example.com", buf, sizeof(buf));
  CHECK_EQ_STR(buf, "jane_doe_example_com");
  cx_name_sanitize("Zoë-Ω", buf, sizeof(buf));
  CHECK_EQ_STR(buf, "Zo_-_");
  cx_name_sanitize("", buf, sizeof(buf));
  CHECK_EQ_STR(buf, "_");
  cx_name_sanitize(NULL, buf, sizeof(buf));
  CHECK_EQ_STR(buf, "_");
  char longname[300];
  memset(longname, 'x', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  cx_name_sanitize(longname, buf, sizeof(buf));
  CHECK_EQ_INT(strlen(buf), CX_NAME_PART_MAX);
  char small[4];
  cx_name_sanitize("abcdef", small, sizeof(small));
  CHECK_EQ_STR(small, "abc");
}

#define X10 "xxxxxxxxxx"
#define X56 X10 X10 X10 X10 X10 "xxxxxx"
#define X61 X56 "xxxxx"
#define X63 X61 "xx"

static const struct name_case cases[] = {
    {"unique names keep today's labels", CX_TAG_DECIMAL,
     {{"Tier 1", 2472001, "Tier_1"}, {"Support", 2472002, "Support"},
      {"2472001", 9, "2472001"}}},
    {"teams Tier 1 / Voice and Tier 1 | Voice", CX_TAG_DECIMAL,
     {{"Tier 1 / Voice", 2472001, "Tier_1___Voice"},
      {"Tier 1 | Voice", 2472002, "Tier_1___Voice-2472002"},
      {"Tier 1 - Voice", 2472003, "Tier_1_-_Voice"}}},
    {"the lowest id keeps the bare name", CX_TAG_DECIMAL,
     {{"Sales/A", 2472009, "Sales_A-2472009"},
      {"Sales A", 2472005, "Sales_A"}}},
    {"reasons Lunch break and Lunch/break", CX_TAG_HEX,
     {{"Lunch break", 0xe9ad2040, "Lunch_break-e9ad2040"},
      {"Lunch/break", 0x32f2418f, "Lunch_break"}}},
    {"a suffixed label meets a real one (Ann-12)", CX_TAG_DECIMAL,
     {{"Ann", 12, "Ann-12"}, {"Ann", 7, "Ann"}, {"Ann-12", 30, "Ann-12-30"}}},
    {"a bare label equal to a suffixed one is suffixed, lowest id or not",
     CX_TAG_DECIMAL,
     {{"B", 5, "B"}, {"B", 9, "B-9"}, {"B-9", 1, "B-9-1"}}},
    {"three alike, one of them already a suffix shape", CX_TAG_DECIMAL,
     {{"C", 3, "C"}, {"C", 4, "C-4"}, {"C", 5, "C-5"}, {"C-4", 6, "C-4-6"},
      {"C-5", 2, "C-5-2"}, {"C-6", 4000, "C-6"}}},
    {"long names equal in their first 63 bytes", CX_TAG_DECIMAL,
     {{X63 "-first", 5, X63}, {X63 " second", 123456, X56 "-123456"}}},
    {"truncation chain: each suffixed label meets the next", CX_TAG_DECIMAL,
     {{X63, 1, X63}, {X63 "y", 2, X61 "-2"}, {X61 "-2", 3, X61 "-3"},
      {X61 "-3", 4, X61 "-4"}, {X61 "-4", 5, X61 "-5"}}},
    {"negative ids carry no '-' inside the suffix", CX_TAG_DECIMAL,
     {{"X", -5, "X"}, {"X", -2, "X-n2"}, {"X", 3, "X-3"},
      {"X-n2", 8, "X-n2-8"}}},
    {"empty and unknown names", CX_TAG_DECIMAL,
     {{"", 2, "_-2"}, {NULL, 1, "_"}, {"?", 3, "_-3"}}},
    {"hex tags are 8 digits", CX_TAG_HEX,
     {{"R", 0x1f, "R"}, {"R", 0xab, "R-000000ab"}}},
};

static void test_cases(void) {
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    const struct name_case *k = &cases[c];
    size_t n = entity_count(k->e);
    struct cx_label l[8];
    /* As given, then shuffled: the same label for each id every time. */
    for (int round = 0; round < 30; round++) {
      fill(l, k->e, n);
      if (round > 0)
        shuffle(l, n);
      CHECK_EQ_INT(cx_labels_make_unique(l, n, k->tag), CX_OK);
      if (!all_unique(l, n))
        fprintf(stderr, "  case \"%s\": labels not unique\n", k->what);
      CHECK(all_unique(l, n));
      for (size_t i = 0; i < n; i++) {
        const char *got = label_of(l, n, k->e[i].id);
        if (got == NULL || strcmp(got, k->e[i].want) != 0) {
          fprintf(stderr, "  case \"%s\", round %d, id %" PRId64 ":\n", k->what,
                  round, k->e[i].id);
          CHECK_EQ_STR(got, k->e[i].want);
        }
      }
    }
  }
}

static void test_long_chain(void) {
  /* "A" (1), "A" (2), "A-2" (3), "A-2-3" (4), ...: every round's suffix
   * meets the next bare name, so each round suffixes exactly one more. */
  enum { N = 20 };
  char bare[N + 1][128], chain[128] = "A"; /* the longest is 50 bytes */
  size_t len = 1;
  memcpy(bare[0], chain, len + 1);
  for (int i = 1; i <= N; i++) {
    if (i > 1)
      len += (size_t)snprintf(chain + len, sizeof(chain) - len, "-%d", i);
    memcpy(bare[i], chain, len + 1);
  }
  CHECK(len <= CX_NAME_PART_MAX);
  /* Each one ends up with the name the next starts with (bare[N]: the
   * last one suffixed). */
  const char(*want)[128] = bare + 1;
  for (int round = 0; round < 10; round++) {
    struct cx_label l[N];
    for (int i = 0; i < N; i++) {
      snprintf(l[i].text, sizeof(l[i].text), "%s", bare[i]);
      l[i].id = i + 1;
    }
    shuffle(l, N);
    CHECK_EQ_INT(cx_labels_make_unique(l, N, CX_TAG_DECIMAL), CX_OK);
    for (int i = 0; i < N; i++)
      CHECK_EQ_STR(label_of(l, N, i + 1), want[i]);
  }
}

static void test_stability(void) {
  /* Adding an entity whose name nobody holds changes no label. */
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    const struct name_case *k = &cases[c];
    size_t n = entity_count(k->e);
    struct cx_label l[9];
    fill(l, k->e, n);
    cx_name_sanitize("Someone else", l[n].text, sizeof(l[n].text));
    l[n].id = 777;
    shuffle(l, n + 1);
    CHECK_EQ_INT(cx_labels_make_unique(l, n + 1, k->tag), CX_OK);
    CHECK_EQ_STR(label_of(l, n + 1, 777), "Someone_else");
    for (size_t i = 0; i < n; i++)
      CHECK_EQ_STR(label_of(l, n + 1, k->e[i].id), k->e[i].want);
  }
}

static void test_hash_ids(void) {
  /* FNV-1a of the raw name; the sanitised forms of these collide. */
  const char *names[] = {"Lunch break", "Lunch/break"};
  struct cx_label l[2];
  fill(l, (const struct entity[]){{names[0], 0, ""}, {names[1], 0, ""}}, 2);
  CHECK_EQ_INT(cx_labels_hash_ids(l, names, 2), CX_OK);
  CHECK_EQ_INT(l[0].id, 0xe9ad2040);
  CHECK_EQ_INT(l[1].id, 0x32f2418f);
  CHECK_EQ_INT(cx_labels_make_unique(l, 2, CX_TAG_HEX), CX_OK);
  CHECK_EQ_STR(l[0].text, "Lunch_break-e9ad2040");
  CHECK_EQ_STR(l[1].text, "Lunch_break");

  /* Two names with one hash whose sanitised forms collide as well: the
   * first in name order keeps the hash, the other probes to the next. */
  const char *twins[] = {"Break a b/c+d.e&f&g", "Break a b,c d/e.f+g",
                         "costarring", "liquid"};
  struct cx_label t[4];
  for (int order = 0; order < 2; order++) {
    const char *in[4];
    for (int i = 0; i < 4; i++)
      in[i] = twins[order ? 3 - i : i];
    for (int i = 0; i < 4; i++)
      cx_name_sanitize(in[i], t[i].text, sizeof(t[i].text));
    CHECK_EQ_INT(cx_labels_hash_ids(t, in, 4), CX_OK);
    CHECK_EQ_INT(cx_labels_make_unique(t, 4, CX_TAG_HEX), CX_OK);
    CHECK(all_unique(t, 4));
    for (int i = 0; i < 4; i++) {
      const char *want = strcmp(in[i], twins[0]) == 0
                             ? "Break_a_b_c_d_e_f_g-3747ef2f"
                         : strcmp(in[i], twins[1]) == 0 ? "Break_a_b_c_d_e_f_g"
                         : strcmp(in[i], twins[2]) == 0 ? "costarring"
                                                        : "liquid";
      CHECK_EQ_STR(t[i].text, want);
      if (strcmp(in[i], "liquid") == 0)
        CHECK_EQ_INT(t[i].id, 0x5e4daa9e); /* costarring has 0x5e4daa9d */
    }
  }
  CHECK_EQ_INT(cx_labels_hash_ids(t, twins, 0), CX_OK);
}

/* Random short names from a small alphabet, sometimes long ones. */
static void random_name(char *buf, size_t size) {
  static const char alphabet[] = "aA1 /|-";
  size_t len = rng() % 8 == 0 ? 60 + (size_t)(rng() % 10) : (size_t)(rng() % 5);
  if (len >= size)
    len = size - 1;
  for (size_t i = 0; i < len; i++)
    buf[i] = len > 8 && i < len - 3 ? 'z' : alphabet[rng() % (sizeof(alphabet) - 1)];
  buf[len] = '\0';
}

static bool charset_ok(const char *s) {
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
          (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
      return false;
  return true;
}

static void test_property(void) {
  int failures = 0;
  for (int iter = 0; iter < 3000 && failures < 5; iter++) {
    size_t n = 1 + (size_t)(rng() % MAXN);
    enum cx_label_tag tag = rng() % 2 ? CX_TAG_HEX : CX_TAG_DECIMAL;
    struct cx_label in[MAXN + 1], out[MAXN + 1], again[MAXN + 1];
    char raw[80];
    for (size_t i = 0; i < n; i++) {
      random_name(raw, sizeof(raw));
      cx_name_sanitize(raw, in[i].text, sizeof(in[i].text));
      bool dup;
      do { /* distinct ids, small ones so that suffixes recur as names */
        in[i].id = (int64_t)(rng() % 40) - (rng() % 4 == 0 ? 20 : 0);
        dup = false;
        for (size_t j = 0; j < i; j++)
          dup = dup || in[j].id == in[i].id;
      } while (dup);
    }
    memcpy(out, in, n * sizeof(*in));
    CHECK_EQ_INT(cx_labels_make_unique(out, n, tag), CX_OK);
    const char *why = NULL;
    if (!all_unique(out, n))
      why = "labels not unique";
    for (size_t i = 0; i < n && why == NULL; i++) {
      size_t len = strlen(out[i].text);
      if (out[i].id != in[i].id || len < 1 || len > CX_NAME_PART_MAX ||
          !charset_ok(out[i].text))
        why = "bad id, length or character";
      /* A name nobody else holds, before or after, is left alone. */
      bool alone = true;
      for (size_t j = 0; j < n; j++)
        if (j != i && (strcmp(in[j].text, in[i].text) == 0 ||
                       strcmp(out[j].text, in[i].text) == 0))
          alone = false;
      if (alone && strcmp(out[i].text, in[i].text) != 0)
        why = "a name held by nobody else changed";
      /* Every label is the name, or a cut of it and "-<id>". */
      else if (strcmp(out[i].text, in[i].text) != 0 &&
               strncmp(out[i].text, in[i].text,
                       (size_t)(strrchr(out[i].text, '-') - out[i].text)) != 0)
        why = "a label is not its name, cut, and a suffix";
    }
    /* Order independence, and stability when an unheld name arrives. */
    memcpy(again, in, n * sizeof(*in));
    shuffle(again, n);
    snprintf(again[n].text, sizeof(again[n].text), "newcomer");
    again[n].id = 1000;
    CHECK_EQ_INT(cx_labels_make_unique(again, n + 1, tag), CX_OK);
    for (size_t i = 0; i < n && why == NULL; i++)
      if (strcmp(label_of(again, n + 1, in[i].id), out[i].text) != 0)
        why = "order or a newcomer changed a label";
    if (why == NULL && strcmp(label_of(again, n + 1, 1000), "newcomer") != 0)
      why = "the newcomer did not keep its name";
    if (why != NULL) {
      failures++;
      fprintf(stderr, "  property failed (tag %d): %s\n", (int)tag, why);
      for (size_t i = 0; i < n; i++)
        fprintf(stderr, "    %" PRId64 " \"%s\" -> \"%s\"\n", in[i].id,
                in[i].text, out[i].text);
      CHECK(why == NULL);
    }
  }
}

int main(void) {
  RUN(test_sanitize);
  RUN(test_cases);
  RUN(test_long_chain);
  RUN(test_stability);
  RUN(test_hash_ids);
  RUN(test_property);
  return unit_finish();
}
