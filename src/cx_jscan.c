/*
 * cx_jscan.c: a pull scanner over JSON text (see cx_jscan.h).
 *
 * One pass over the bytes, nothing allocated but the buffer that decoded
 * strings (and long numbers) are copied to.  Whatever it does not read
 * exactly as json-c would, it gives up on (s->failed), so a caller that
 * falls back to json-c on failure sees json-c's semantics for every body.
 */
#include "cx_jscan.h"
#include "cx_array.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool fail(struct cx_jscan *s) {
  s->failed = true;
  return false;
}

void cx_jscan_init(struct cx_jscan *s, const char *text, size_t len,
                   int max_depth, bool lenient) {
  *s = (struct cx_jscan){.p = text, .end = text + len, .max_depth = max_depth,
                         .lenient = lenient, .failed = text == NULL};
}

void cx_jscan_free(struct cx_jscan *s) {
  free(s->buf);
  s->buf = NULL;
  s->cap = 0;
}

static bool grow(struct cx_jscan *s, size_t need) {
  if (need <= s->cap)
    return true;
  if (CX_ARRAY_RESERVE(s->buf, s->cap, need < 256 ? 256 : need) != CX_OK) {
    s->nomem = true;
    return fail(s);
  }
  return true;
}

static bool is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline void skip_ws(struct cx_jscan *s) {
  while (s->p < s->end && is_ws(*s->p))
    s->p++;
}

/* What may follow a number or a literal. */
static bool at_delimiter(const struct cx_jscan *s, const char *p) {
  return p == s->end || is_ws(*p) || *p == ',' || *p == ']' || *p == '}';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

enum cx_jtype cx_jscan_peek(struct cx_jscan *s) {
  if (s->failed)
    return CX_J_BAD;
  skip_ws(s);
  if (s->p == s->end) {
    fail(s);
    return CX_J_BAD;
  }
  switch (*s->p) {
  case '{': return CX_J_OBJECT;
  case '[': return CX_J_ARRAY;
  case '"': return CX_J_STRING;
  case 't':
  case 'f': return CX_J_BOOL;
  case 'n': return CX_J_NULL;
  case '-':
  case 'N':
  case 'I': return CX_J_NUMBER;
  default:
    if (is_digit(*s->p))
      return CX_J_NUMBER;
    fail(s);
    return CX_J_BAD;
  }
}

bool cx_jscan_open(struct cx_jscan *s) {
  enum cx_jtype t = cx_jscan_peek(s);
  if ((t != CX_J_OBJECT && t != CX_J_ARRAY) || s->depth >= s->max_depth)
    return fail(s);
  s->depth++;
  s->p++;
  s->first = true;
  return true;
}

/* Before a member or an item: 1 one follows, 0 the container ends here
 * (close consumed), -1 given up. */
static int next_in(struct cx_jscan *s, char close) {
  if (s->failed)
    return -1;
  skip_ws(s);
  if (s->p == s->end) {
    fail(s);
    return -1;
  }
  if (*s->p == close) {
    s->p++;
    s->depth--;
    s->first = false;
    return 0;
  }
  if (!s->first) {
    if (*s->p != ',') {
      fail(s);
      return -1;
    }
    s->p++;
  }
  s->first = false;
  return 1;
}

static int hex4(const char *p) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (is_digit(c))
      v |= c - '0';
    else if (c >= 'a' && c <= 'f')
      v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v |= c - 'A' + 10;
    else
      return -1;
  }
  return v;
}

/* The string at s->p, decoded into s->buf (*len bytes and a NUL; *c_len
 * up to the first NUL) when store, else only checked. */
static bool scan_string(struct cx_jscan *s, bool store, size_t *len,
                        size_t *c_len) {
  const char *p = s->p + 1, *end = s->end;
  size_t n = 0, nul = SIZE_MAX;
  for (;;) {
    const char *q = p;
    while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
      q++;
    if (q == end || (unsigned char)*q < 0x20)
      return fail(s);
    if (store) {
      if (!grow(s, n + (size_t)(q - p) + 4))
        return false;
      memcpy(s->buf + n, p, (size_t)(q - p));
      n += (size_t)(q - p);
    }
    p = q + 1;
    if (*q == '"')
      break;
    if (p == end)
      return fail(s);
    char c = *p++, out;
    switch (c) {
    case '"':
    case '\\':
    case '/': out = c; break;
    case 'b': out = '\b'; break;
    case 'f': out = '\f'; break;
    case 'n': out = '\n'; break;
    case 'r': out = '\r'; break;
    case 't': out = '\t'; break;
    case 'u': {
      int v = end - p >= 4 ? hex4(p) : -1;
      if (v < 0 || (v >= 0xD800 && v <= 0xDFFF))
        return fail(s); /* surrogates: json-c's own repairs */
      p += 4;
      if (!store)
        continue;
      if (v == 0 && nul == SIZE_MAX)
        nul = n;
      if (v < 0x80) {
        s->buf[n++] = (char)v;
      } else if (v < 0x800) {
        s->buf[n++] = (char)(0xC0 | (v >> 6));
        s->buf[n++] = (char)(0x80 | (v & 0x3F));
      } else {
        s->buf[n++] = (char)(0xE0 | (v >> 12));
        s->buf[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
        s->buf[n++] = (char)(0x80 | (v & 0x3F));
      }
      continue;
    }
    default: return fail(s);
    }
    if (store)
      s->buf[n++] = out;
  }
  if (store) {
    if (!grow(s, n + 1))
      return false;
    s->buf[n] = '\0';
    *len = n;
    *c_len = nul < n ? nul : n;
  }
  s->p = p;
  return true;
}

int cx_jscan_member(struct cx_jscan *s, char *key, size_t size,
                    size_t *key_len) {
  int rc = next_in(s, '}');
  if (rc != 1)
    return rc;
  size_t len, c_len = 0;
  bool store = key != NULL && size > 0;
  skip_ws(s);
  if (s->p == s->end || *s->p != '"' || !scan_string(s, store, &len, &c_len)) {
    fail(s);
    return -1;
  }
  if (store) { /* json-c's keys end at a \u0000 */
    if (c_len >= size)
      c_len = size - 1;
    memcpy(key, s->buf, c_len);
    key[c_len] = '\0';
  }
  if (key_len != NULL)
    *key_len = c_len;
  skip_ws(s);
  if (s->p == s->end || *s->p != ':') {
    fail(s);
    return -1;
  }
  s->p++;
  return 1;
}

int cx_jscan_item(struct cx_jscan *s) { return next_in(s, ']'); }

bool cx_jscan_string(struct cx_jscan *s, const char **str, size_t *len) {
  size_t c_len;
  if (cx_jscan_peek(s) != CX_J_STRING || !scan_string(s, true, len, &c_len))
    return fail(s);
  *str = s->buf;
  return true;
}

/* Whether the text at p is word, followed by a delimiter. */
static bool word_at(const struct cx_jscan *s, const char *p, const char *word) {
  size_t n = strlen(word);
  return (size_t)(s->end - p) >= n && memcmp(p, word, n) == 0 &&
         at_delimiter(s, p + n);
}

/* End of an RFC 8259 number at p, or NULL; *is_double when it has a
 * fraction or an exponent. */
static const char *strict_number_end(const char *p, const char *e,
                                     bool *is_double) {
  *is_double = false;
  if (p < e && *p == '-')
    p++;
  if (p < e && *p == '0')
    p++;
  else if (p < e && is_digit(*p))
    while (p < e && is_digit(*p))
      p++;
  else
    return NULL;
  if (p < e && *p == '.') {
    *is_double = true;
    if (++p == e || !is_digit(*p))
      return NULL;
    while (p < e && is_digit(*p))
      p++;
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    *is_double = true;
    if (++p < e && (*p == '+' || *p == '-'))
      p++;
    if (p == e || !is_digit(*p))
      return NULL;
    while (p < e && is_digit(*p))
      p++;
  }
  return p;
}

/* The number at s->p; converted into *n unless n is NULL (checked only). */
static bool scan_number(struct cx_jscan *s, struct cx_jnum *n) {
  static const struct {
    const char *word;
    double value;
  } special[] = {
      {"NaN", NAN}, {"Infinity", INFINITY}, {"-Infinity", -INFINITY}};
  const char *p = s->p, *e;
  if (*p == 'N' || *p == 'I' || (*p == '-' && p + 1 < s->end && p[1] == 'I')) {
    for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++)
      if (word_at(s, p, special[k].word)) {
        if (n != NULL)
          *n = (struct cx_jnum){.is_double = true, .d = special[k].value};
        s->p += strlen(special[k].word);
        return true;
      }
    return fail(s);
  }
  bool is_double;
  if (s->lenient) { /* json-c's number characters */
    for (e = p; e < s->end && *e != '\0' && strchr("0123456789.+-eE", *e); e++)
      ;
    is_double = memchr(p, '.', (size_t)(e - p)) ||
                memchr(p, 'e', (size_t)(e - p)) ||
                memchr(p, 'E', (size_t)(e - p));
  } else {
    e = strict_number_end(p, s->end, &is_double);
  }
  if (e == NULL || e == p || !at_delimiter(s, e))
    return fail(s);
  s->p = e;
  if (n == NULL && !s->lenient)
    return true;
  struct cx_jnum v = {.is_double = is_double};
  size_t len = (size_t)(e - p), digits = len - (*p == '-');
  if (!is_double && !s->lenient && digits <= 18) {
    /* The common case, exact without strtoll: at most 18 digits. */
    for (const char *q = p + (*p == '-'); q < e; q++)
      v.i = v.i * 10 + (*q - '0');
    if (*p == '-')
      v.i = -v.i;
    v.u = v.i >= 0 ? (uint64_t)v.i : 0;
    if (n != NULL)
      *n = v;
    return true;
  }
  if (!grow(s, len + 1))
    return false;
  memcpy(s->buf, p, len);
  s->buf[len] = '\0';
  char *stop;
  errno = 0;
  if (is_double) {
    v.d = strtod(s->buf, &stop); /* json-c: the whole text, ERANGE or not */
  } else if (s->buf[0] == '-') {
    v.i = strtoll(s->buf, &stop, 10); /* clamped at INT64_MIN */
    if (v.i == 0 && errno != 0)
      return fail(s);
  } else {
    v.u = strtoull(s->buf, &stop, 10); /* clamped at UINT64_MAX */
    if (v.u == 0 && errno != 0)
      return fail(s);
    v.big = v.u > INT64_MAX;
    v.i = v.big ? INT64_MAX : (int64_t)v.u;
  }
  if (stop != s->buf + len)
    return fail(s);
  if (n != NULL)
    *n = v;
  return true;
}

bool cx_jscan_number(struct cx_jscan *s, struct cx_jnum *n) {
  if (cx_jscan_peek(s) != CX_J_NUMBER)
    return fail(s);
  return scan_number(s, n);
}

bool cx_jscan_literal(struct cx_jscan *s, int *value) {
  static const struct {
    const char *word;
    int value;
  } words[] = {{"true", 1}, {"false", 0}, {"null", -1}};
  enum cx_jtype t = cx_jscan_peek(s);
  if (t == CX_J_BOOL || t == CX_J_NULL)
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
      if (word_at(s, s->p, words[k].word)) {
        s->p += strlen(words[k].word);
        *value = words[k].value;
        return true;
      }
  return fail(s);
}

bool cx_jscan_skip(struct cx_jscan *s) {
  int v, rc;
  switch (cx_jscan_peek(s)) {
  case CX_J_STRING: return scan_string(s, false, NULL, NULL);
  case CX_J_NUMBER: return scan_number(s, NULL);
  case CX_J_BOOL:
  case CX_J_NULL: return cx_jscan_literal(s, &v);
  case CX_J_OBJECT:
    if (!cx_jscan_open(s))
      return false;
    while ((rc = cx_jscan_member(s, NULL, 0, NULL)) == 1)
      if (!cx_jscan_skip(s))
        return false;
    return rc == 0;
  case CX_J_ARRAY:
    if (!cx_jscan_open(s))
      return false;
    while ((rc = cx_jscan_item(s)) == 1)
      if (!cx_jscan_skip(s))
        return false;
    return rc == 0;
  default: return fail(s);
  }
}

bool cx_jscan_done(struct cx_jscan *s) {
  if (s->failed)
    return false;
  skip_ws(s);
  return s->p == s->end;
}
