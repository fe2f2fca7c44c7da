/*
 * cx_array.c: geometric growth of arrays (see cx_array.h).
 */
#include "cx_array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum cx_status cx_array_reserve(void **items, size_t *cap, size_t need,
                                size_t elem_size) {
  if (need <= *cap)
    return CX_OK;
  size_t n = *cap >= 8 ? *cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2)
      return CX_ERR_NOMEM;
    n *= 2;
  }
  if (elem_size != 0 && n > SIZE_MAX / elem_size)
    return CX_ERR_NOMEM;
  void *p = realloc(*items, n * elem_size);
  if (p == NULL)
    return CX_ERR_NOMEM;
  memset((char *)p + *cap * elem_size, 0, (n - *cap) * elem_size);
  *items = p;
  *cap = n;
  return CX_OK;
}
