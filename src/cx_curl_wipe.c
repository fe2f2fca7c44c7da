/*
 * cx_curl_wipe.c: libcurl's copies of requests and responses, wiped (see
 * cx_curl_wipe.h).
 *
 * Allocation callbacks: they sit on the C library's allocator.  malloc,
 * calloc and strdup are passed through; free zeroes malloc_usable_size()
 * bytes first; realloc always moves (malloc, copy, wipe and free the old
 * block), since realloc itself may move a block and leave the old bytes
 * behind.  libcurl's buffers grow geometrically, so the copies cost little;
 * the plugin's transfers are few and small.  malloc_usable_size() is glibc's
 * (musl, ASan, valgrind, jemalloc and tcmalloc provide it too).
 *
 * The probe: curl exposes no way to ask which callbacks it uses, so after
 * curl_global_init_mem() a curl_easy_escape() call, which allocates through
 * libcurl's malloc/realloc, must have come through here (a thread-local
 * count: the callbacks run on every thread that uses libcurl).
 *
 * Measured with gcore: tests/e2e/run.py test_no_secret_in_core_dump.
 */
#include "cx_curl_wipe.h"

#include <curl/curl.h>

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ allocation */

static _Thread_local unsigned long calls;

static void *wipe_malloc(size_t n) {
  calls++;
  return malloc(n);
}

static void wipe_free(void *p) {
  if (p == NULL)
    return;
  explicit_bzero(p, malloc_usable_size(p));
  free(p);
}

static void *wipe_realloc(void *p, size_t n) {
  calls++;
  if (p == NULL)
    return malloc(n);
  if (n == 0) {
    wipe_free(p);
    return NULL;
  }
  void *q = malloc(n);
  if (q == NULL)
    return NULL; /* p is left as it was, as realloc does */
  size_t old = malloc_usable_size(p);
  memcpy(q, p, old < n ? old : n);
  wipe_free(p);
  return q;
}

static char *wipe_strdup(const char *s) {
  calls++;
  return strdup(s);
}

static void *wipe_calloc(size_t n, size_t size) {
  calls++;
  return calloc(n, size);
}

/* ---------------------------------------------------------------- global */

int cx_curl_wipe_global_init(long flags, bool *wiping) {
  *wiping = false;
  CURLcode rc = curl_global_init_mem(flags, wipe_malloc, wipe_free,
                                     wipe_realloc, wipe_strdup, wipe_calloc);
  if (rc != CURLE_OK)
    return (int)rc;
  unsigned long before = calls;
  char *probe = curl_easy_escape(NULL, "probe", 5);
  *wiping = probe != NULL && calls != before;
  curl_free(probe);
  return (int)rc;
}
