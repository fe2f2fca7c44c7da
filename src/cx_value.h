/*
 * cx_value.h: one value of a configuration line ("Key value ..."), the
 * form in which cx_settings takes every key.  Readers build them: the
 * collectd glue from collectd's oconfig_item_t, cxone-query's conf reader
 * (cxq_conf) directly, its environment and options as text.
 */
#ifndef CX_VALUE_H
#define CX_VALUE_H

#include <stdbool.h>

enum cx_value_type { CX_VALUE_STRING, CX_VALUE_NUMBER, CX_VALUE_BOOLEAN };

struct cx_value {
  enum cx_value_type type;
  const char *string; /* CX_VALUE_STRING; a reader may keep the text as
                         written for the other types too (cxq_conf does);
                         owned by the reader */
  double number;      /* CX_VALUE_NUMBER */
  bool boolean;       /* CX_VALUE_BOOLEAN */
};

#endif /* CX_VALUE_H */
