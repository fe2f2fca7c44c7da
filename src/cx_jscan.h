/*
 * cx_jscan.h: a pull scanner over JSON text, for bodies read too often to
 * build a json-c tree for (state-history pages, see cx_json.c).
 *
 * The caller walks the document: cx_jscan_peek tells the type of the next
 * value, which it then consumes with cx_jscan_open (and the member / item
 * loops), cx_jscan_string, cx_jscan_number, cx_jscan_literal or
 * cx_jscan_skip.  Strings are decoded; numbers are converted as json-c
 * converts them (integers clamped to int64, or uint64 above; doubles by
 * strtod), so a value reads the same as through json-c's tree.
 *
 * It reads RFC 8259 JSON, plus json-c's NaN, Infinity and -Infinity, and
 * gives up on anything else: invalid text, and also what json-c would take
 * (comments, single quotes, trailing commas, raw control characters, \u
 * surrogate escapes, whitespace other than JSON's four, leading zeros,
 * nesting deeper than max_depth).  Once it has given up every call fails;
 * the caller then reads the body some other way.  With `lenient` it also
 * takes any number spelling json-c writes back from its tree ("1.",
 * "1E400"): for reading json-c's own rendering of a body.
 */
#ifndef CX_JSCAN_H
#define CX_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cx_jtype {
  CX_J_BAD, /* given up, or no value here */
  CX_J_NULL,
  CX_J_BOOL,
  CX_J_NUMBER,
  CX_J_STRING,
  CX_J_ARRAY,
  CX_J_OBJECT
};

struct cx_jscan {
  const char *p, *end;
  int depth, max_depth;
  bool lenient;
  bool failed;
  bool nomem;  /* it gave up for want of memory */
  bool first;  /* no member or item read yet in the innermost container */
  char *buf;   /* decoded string (NUL-terminated) */
  size_t cap;
};

/* A number as json-c holds it. */
struct cx_jnum {
  bool is_double; /* a '.', 'e' or 'E' in it, or NaN / Infinity */
  double d;
  int64_t i;      /* integers, clamped like json_object_get_int64 */
  bool big;       /* above INT64_MAX: json-c keeps the uint64 u */
  uint64_t u;
};

void cx_jscan_init(struct cx_jscan *s, const char *text, size_t len,
                   int max_depth, bool lenient);
void cx_jscan_free(struct cx_jscan *s);

/* The type of the next value, after whitespace; nothing is consumed. */
enum cx_jtype cx_jscan_peek(struct cx_jscan *s);

/* Consumes the '{' or '[' of the next value. */
bool cx_jscan_open(struct cx_jscan *s);
/* In an object: 1 when a member follows (its key decoded into key, cut at
 * size - 1 bytes or at a \u0000, as json-c's keys are, *key_len its length;
 * the ':' consumed, the value next), 0 at its end ('}' consumed), -1 when it
 * gives up.  key NULL: the key is only checked. */
int cx_jscan_member(struct cx_jscan *s, char *key, size_t size,
                    size_t *key_len);
/* In an array: 1 when an item follows, 0 at its end, -1 when it gives up. */
int cx_jscan_item(struct cx_jscan *s);

/* A string value: *str (NUL-terminated, valid until the next call) and its
 * length (embedded NULs counted). */
bool cx_jscan_string(struct cx_jscan *s, const char **str, size_t *len);
bool cx_jscan_number(struct cx_jscan *s, struct cx_jnum *n);
/* true, false or null: *value 1, 0 or -1. */
bool cx_jscan_literal(struct cx_jscan *s, int *value);
/* Any value, checked but not decoded. */
bool cx_jscan_skip(struct cx_jscan *s);
/* True when only whitespace is left. */
bool cx_jscan_done(struct cx_jscan *s);

#endif /* CX_JSCAN_H */
