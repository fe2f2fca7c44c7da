/*
 * cx_str.c: small heap-string helpers (see cx_str.h).
 */
#include "cx_str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cx_strdup_or_null(const char *s) { return s != NULL ? strdup(s) : NULL; }

char *cx_str_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *s = malloc((size_t)n + 1);
  if (s == NULL)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

char *cx_str_strip_slashes(char *s) {
  if (s != NULL) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
      s[--n] = '\0';
  }
  return s;
}
