/*
 * fuzz_tz.c: libFuzzer target for cx_tz's TZif and POSIX TZ rule reader.
 *
 * Each input is read as a TZif file; when it is one, offsets and day starts
 * are asked for at instants across the representable range.  The invariant
 * under test: no crash, no leak, no undefined behaviour, offsets within 26
 * hours, and a day start at or before the instant and at most 50 hours
 * before it.  Build and run with tests/fuzz/run.sh.
 */
#include "cx_tz.h"

#include <stdint.h>
#include <stdlib.h>

#define REQUIRE(c)                                                             \
  do {                                                                         \
    if (!(c))                                                                  \
      __builtin_trap();                                                        \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct cx_tz *tz;
  struct cx_error err;
  if (cx_tz_from_tzif(data, size, &tz, &err) != CX_OK) {
    REQUIRE(tz == NULL && err.message[0] != '\0');
    return 0;
  }
  static const cx_ms_t at[] = {INT64_MIN / 4, -4102444800000LL, -1,
                               0, 1774746000000LL, 2147483648000LL,
                               4102444800000LL, INT64_MAX / 4};
  for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
    int32_t off = cx_tz_offset(tz, at[i]);
    REQUIRE(off >= -26 * 3600 && off <= 26 * 3600); /* RFC 8536 bounds */
    cx_ms_t start = cx_tz_day_start(tz, at[i]);
    REQUIRE(start <= at[i] && at[i] - start <= 50 * 3600 * 1000LL);
  }
  cx_tz_free(tz);
  return 0;
}
