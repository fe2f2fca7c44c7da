/*
 * cx_names.c: sanitised metric name parts (see cx_names.h).
 */
#include "cx_names.h"

#include <assert.h>
#include <errno.h>
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

static int compare_label_ptr(const void *a, const void *b) {
  const struct cx_label *const *x = a, *const *y = b;
  return strcmp((*x)->text, (*y)->text);
}

int cx_labels_make_unique(struct cx_label *labels, size_t n) {
  if (n < 2)
    return 0;
  struct cx_label **sorted = malloc(n * sizeof(*sorted));
  bool *shared = calloc(n, sizeof(*shared));
  if (sorted == NULL || shared == NULL) {
    free(sorted);
    free(shared);
    return ENOMEM;
  }
  for (size_t i = 0; i < n; i++)
    sorted[i] = &labels[i];
  qsort(sorted, n, sizeof(*sorted), compare_label_ptr);
  for (size_t i = 1; i < n; i++)
    if (strcmp(sorted[i - 1]->text, sorted[i]->text) == 0)
      shared[sorted[i - 1] - labels] = shared[sorted[i] - labels] = true;
  for (size_t i = 0; i < n; i++) {
    if (!shared[i])
      continue;
    char suffix[24];
    int len = snprintf(suffix, sizeof(suffix), "-%" PRId64, labels[i].id);
    size_t keep = sizeof(labels[i].text) - 1 - (size_t)len;
    if (strlen(labels[i].text) > keep)
      labels[i].text[keep] = '\0';
    strcat(labels[i].text, suffix);
  }
  free(sorted);
  free(shared);
  return 0;
}
