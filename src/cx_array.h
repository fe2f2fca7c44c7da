/*
 * cx_array.h: the one way the library grows an array.
 *
 * An array is a pointer and a capacity (in elements); cx_array_reserve
 * makes room for `need` elements, growing the capacity geometrically (at
 * least doubling, from 8) and zeroing what it adds, so a loop of appends
 * costs amortised O(1) and a failed growth leaves the array as it was.
 * Byte buffers are arrays of char.
 */
#ifndef CX_ARRAY_H
#define CX_ARRAY_H

#include "cx_error.h"

#include <stddef.h>

/* Makes *items (of *cap elements of elem_size bytes) hold at least need
 * elements.  CX_OK, or CX_ERR_NOMEM with the array untouched. */
enum cx_status cx_array_reserve(void **items, size_t *cap, size_t need,
                                size_t elem_size);

/* As cx_array_reserve, for memory that may hold secrets: the capacity
 * never exceeds limit elements (need must not), and the old block is wiped
 * before it is freed (malloc, copy, wipe: realloc could leave a copy
 * behind in a freed block). */
enum cx_status cx_array_reserve_wiped(void **items, size_t *cap, size_t need,
                                      size_t limit, size_t elem_size);

/* Typed front ends, for any element type. */
#define CX_ARRAY_RESERVE(items, cap, need)                                     \
  cx_array_reserve((void **)&(items), &(cap), (need), sizeof(*(items)))
#define CX_ARRAY_RESERVE_WIPED(items, cap, need, limit)                        \
  cx_array_reserve_wiped((void **)&(items), &(cap), (need), (limit),          \
                         sizeof(*(items)))

#endif /* CX_ARRAY_H */
