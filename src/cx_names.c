/*
 * cx_names.c: sanitised metric name parts (see cx_names.h).
 */
#include "cx_names.h"

#include <assert.h>
#include <stdbool.h>

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
