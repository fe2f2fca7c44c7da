/*
 * cx_array.c: geometric growth of arrays (see cx_array.h).
 */
#include "cx_array.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The capacity for need elements: *cap doubled (from 8) until it holds
 * them, at most limit.  0 when that overflows. */
static size_t grown_capacity(size_t cap, size_t need, size_t limit,
                             size_t elem_size) {
  size_t n = cap >= 8 ? cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2)
      return 0;
    n *= 2;
  }
  if (n > limit)
    n = limit;
  if (elem_size != 0 && n > SIZE_MAX / elem_size)
    return 0;
  return n;
}

enum cx_status cx_array_reserve(void **items, size_t *cap, size_t need,
                                size_t elem_size) {
  if (need <= *cap)
    return CX_OK;
  size_t n = grown_capacity(*cap, need, SIZE_MAX, elem_size);
  void *p = n != 0 ? realloc(*items, n * elem_size) : NULL;
  if (p == NULL)
    return CX_ERR_NOMEM;
  memset((char *)p + *cap * elem_size, 0, (n - *cap) * elem_size);
  *items = p;
  *cap = n;
  return CX_OK;
}

enum cx_status cx_array_reserve_wiped(void **items, size_t *cap, size_t need,
                                      size_t limit, size_t elem_size) {
  assert(need <= limit);
  if (need <= *cap)
    return CX_OK;
  size_t n = grown_capacity(*cap, need, limit, elem_size);
  char *p = n != 0 ? malloc(n * elem_size) : NULL;
  if (p == NULL)
    return CX_ERR_NOMEM;
  if (*items != NULL) {
    memcpy(p, *items, *cap * elem_size);
    explicit_bzero(*items, *cap * elem_size);
    free(*items);
  }
  memset(p + *cap * elem_size, 0, (n - *cap) * elem_size);
  *items = p;
  *cap = n;
  return CX_OK;
}
