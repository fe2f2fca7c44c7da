/*
 * unit.h: a minimal unit-test harness shared by tests/unit/t_*.c.
 *
 * CHECK(cond) records a failure with file:line and the condition and goes on;
 * each TEST function is run by RUN(name).  unit_finish() prints the closing
 * line "N passed, N failed" (one per test function) and returns the exit code.
 */
#ifndef UNIT_H
#define UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed, unit_current_failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__,       \
              #cond);                                                          \
      unit_current_failed = 1;                                                 \
    }                                                                          \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
  do {                                                                         \
    long long va_ = (long long)(a), vb_ = (long long)(b);                      \
    if (va_ != vb_) {                                                          \
      fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", __FILE__,    \
              __LINE__, #a, #b, va_, vb_);                                     \
      unit_current_failed = 1;                                                 \
    }                                                                          \
  } while (0)

#define CHECK_EQ_STR(a, b)                                                     \
  do {                                                                         \
    const char *sa_ = (a), *sb_ = (b);                                         \
    if (sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0) {                 \
      fprintf(stderr, "  %s:%d: %s == %s failed: \"%s\" != \"%s\"\n",          \
              __FILE__, __LINE__, #a, #b, sa_ ? sa_ : "(null)",                \
              sb_ ? sb_ : "(null)");                                           \
      unit_current_failed = 1;                                                 \
    }                                                                          \
  } while (0)

#define RUN(fn)                                                                \
  do {                                                                         \
    unit_current_failed = 0;                                                   \
    fn();                                                                      \
    if (unit_current_failed) {                                                 \
      unit_failed++;                                                           \
      fprintf(stderr, "FAIL %s\n", #fn);                                       \
    } else {                                                                   \
      unit_passed++;                                                           \
      printf("ok   %s\n", #fn);                                                \
    }                                                                          \
  } while (0)

static inline int unit_finish(void) {
  printf("%d passed, %d failed\n", unit_passed, unit_failed);
  return unit_failed == 0 ? 0 : 1;
}

#endif /* UNIT_H */
