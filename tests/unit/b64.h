/*
 * b64.h: base64 helpers shared by the unit tests and the fuzzer: base64url
 * encoding (to build JWTs) and standard base64 decoding (to read Basic
 * headers).  Header-only; include after the system headers.
 */
#ifndef TEST_B64_H
#define TEST_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* base64url of src[0..n) into out (NUL-terminated, room for 4 * (n + 2) / 3
 * + 3 bytes), with '=' padding when pad. */
static inline void b64url(const void *src, size_t n, bool pad, char *out) {
  static const char a[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const unsigned char *s = src;
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)s[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)s[i + 1] << 8;
    if (i + 2 < n)
      v |= s[i + 2];
    out[o++] = a[(v >> 18) & 63];
    out[o++] = a[(v >> 12) & 63];
    if (i + 1 < n)
      out[o++] = a[(v >> 6) & 63];
    else if (pad)
      out[o++] = '=';
    if (i + 2 < n)
      out[o++] = a[v & 63];
    else if (pad)
      out[o++] = '=';
  }
  out[o] = '\0';
}

/* Decodes standard base64 up to '=' or the first byte outside the alphabet
 * (e.g. the "\r" ending a header) into out (NUL-terminated); returns the
 * decoded length. */
static inline size_t b64dec(const char *in, char *out) {
  static const char a[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (; *in && *in != '='; in++) {
    const char *p = strchr(a, *in);
    if (p == NULL)
      break;
    acc = (acc << 6) | (uint32_t)(p - a);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (char)((acc >> bits) & 0xff);
    }
  }
  out[o] = '\0';
  return o;
}

#endif /* TEST_B64_H */
