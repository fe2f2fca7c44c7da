/*
 * cx_names.c: sanitised metric name parts and the rule that keeps them
 * unique (see cx_names.h).
 *
 * Why cx_labels_make_unique ends, and ends with unique labels.  Each entity
 * is either bare (its sanitised name) or suffixed (its name, cut, then
 * "-<tag>").  A tag holds no '-', so a suffixed label ends in exactly its
 * own tag, and two suffixed labels of distinct ids differ.  A label held by
 * two or more entities therefore holds at most one suffixed entity and at
 * least one bare one, and a round that finds a shared label suffixes at
 * least one bare entity (all but the lowest id when all are bare, every
 * bare one otherwise).  No entity goes back to bare, so after at most n - 1
 * such rounds one finds no shared label, and the loop stops.  Each round
 * decides from the labels as they stood at its start, group by group, ties
 * broken by id: nothing depends on the order of the array.
 *
 * Cost: a round is one sort, O(n log n); names that cause a second round
 * are rare ("Ann" and "Ann" beside an agent actually called "Ann-12").
 */
#include "cx_names.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool name_char_ok(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void cx_name_sanitize(const char *s, char *buf, size_t size) {
  assert(buf != NULL && size > 0);
  size_t limit = size - 1 < CX_NAME_PART_MAX ? size - 1 : CX_NAME_PART_MAX;
  size_t n = 0;

  for (const unsigned char *p = (const unsigned char *)(s ? s : "");
       *p != '\0' && n < limit; p++) {
    if (*p >= 0x80 && (*p & 0xC0) == 0x80)
      continue; /* UTF-8 continuation byte: already replaced */
    buf[n++] = name_char_ok(*p) ? (char)*p : '_';
  }
  if (n == 0)
    buf[n++] = '_';
  buf[n] = '\0';
}

/* Appends "-<tag>" to l->text, cutting the text so the suffix fits whole. */
static void add_suffix(struct cx_label *l, enum cx_label_tag tag) {
  char suffix[24];
  int len;
  if (tag == CX_TAG_HEX)
    len = snprintf(suffix, sizeof(suffix), "-%08" PRIx64, (uint64_t)l->id);
  else if (l->id < 0)
    len = snprintf(suffix, sizeof(suffix), "-n%" PRIu64, -(uint64_t)l->id);
  else
    len = snprintf(suffix, sizeof(suffix), "-%" PRId64, l->id);
  assert(len > 1 && (size_t)len < sizeof(suffix));
  size_t keep = sizeof(l->text) - 1 - (size_t)len;
  size_t have = strlen(l->text);
  memcpy(l->text + (have < keep ? have : keep), suffix, (size_t)len + 1);
}

struct slot {
  struct cx_label *label;
  bool suffixed;
  bool promote; /* to be suffixed at the end of this round */
};

static int compare_slots(const void *a, const void *b) {
  const struct slot *x = a, *y = b;
  int c = strcmp(x->label->text, y->label->text);
  if (c != 0)
    return c;
  return (x->label->id > y->label->id) - (x->label->id < y->label->id);
}

enum cx_status cx_labels_make_unique(struct cx_label *labels, size_t n,
                                     enum cx_label_tag tag) {
  if (n < 2)
    return CX_OK;
  struct slot *s = calloc(n, sizeof(*s));
  if (s == NULL)
    return CX_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    s[i].label = &labels[i];

  size_t promoted;
  do {
    qsort(s, n, sizeof(*s), compare_slots);
    promoted = 0;
    for (size_t i = 0, j; i < n; i = j) {
      bool any_suffixed = s[i].suffixed;
      for (j = i + 1; j < n && strcmp(s[j].label->text, s[i].label->text) == 0;
           j++) {
        assert(s[j].label->id != s[j - 1].label->id);
        any_suffixed = any_suffixed || s[j].suffixed;
      }
      /* s[i..j) share one label, lowest id first. */
      for (size_t k = any_suffixed ? i : i + 1; j - i > 1 && k < j; k++)
        if (!s[k].suffixed) {
          s[k].promote = true;
          promoted++;
        }
    }
    for (size_t i = 0; i < n; i++)
      if (s[i].promote) {
        add_suffix(s[i].label, tag);
        s[i].promote = false;
        s[i].suffixed = true;
      }
  } while (promoted > 0);
  free(s);
  return CX_OK;
}

static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    h ^= *p;
    h *= 16777619u;
  }
  return h;
}

struct named {
  const char *name;
  size_t index;
};

static int compare_named(const void *a, const void *b) {
  const struct named *x = a, *y = b;
  return strcmp(x->name, y->name);
}

/* Whether one of the first k names in name order already has id h. */
static bool id_taken(const struct cx_label *labels, const struct named *done,
                     size_t k, uint32_t h) {
  for (size_t t = 0; t < k; t++)
    if (labels[done[t].index].id == (int64_t)h)
      return true;
  return false;
}

enum cx_status cx_labels_hash_ids(struct cx_label *labels,
                                  const char *const *names, size_t n) {
  struct named *by_name = malloc((n ? n : 1) * sizeof(*by_name));
  if (by_name == NULL)
    return CX_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    by_name[i] = (struct named){names[i], i};
  qsort(by_name, n, sizeof(*by_name), compare_named);
  /* Linear probing in name order (n is small: the reasons of a tenant). */
  for (size_t k = 0; k < n; k++) {
    uint32_t h = fnv1a(by_name[k].name);
    while (id_taken(labels, by_name, k, h))
      h++;
    labels[by_name[k].index].id = h;
  }
  free(by_name);
  return CX_OK;
}
