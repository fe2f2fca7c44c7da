/*
 * cx_curl_wipe.c: libcurl's and OpenSSL's copies of requests and responses,
 * wiped (see cx_curl_wipe.h).
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
 * OpenSSL allocates through its own functions (CRYPTO_set_mem_functions
 * works only before its first allocation, long past in a collectd plugin),
 * and libcurl sets SSL_MODE_RELEASE_BUFFERS: a connection's read buffer,
 * with the decrypted response in it, is freed unwiped once drained, and an
 * idle connection (the token host's, between renewals) can keep one too.
 * SSL_OP_CLEANSE_PLAINTEXT (OpenSSL 3.0) has OpenSSL wipe each record's
 * plaintext once it is read, and the buffer before it is freed.  The send
 * side needs nothing: OpenSSL copies the request into its write buffer and
 * encrypts it there in place.  Measured with gcore, tests/e2e/run.py
 * test_no_secret_in_core_dump and doc/collectd-cxone.5.pod SECURITY.
 */
#include "cx_config.h"
#include "cx_curl_wipe.h"

#include <curl/curl.h>
#ifdef HAVE_OPENSSL_CLEANSE
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#endif

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

/* ------------------------------------------------------------------- TLS */

static bool cleanse_tls; /* set by cx_curl_wipe_global_init */

#ifdef HAVE_OPENSSL_CLEANSE
static CURLcode on_ssl_ctx(CURL *easy, void *ssl_ctx, void *userdata) {
  (void)easy;
  (void)userdata;
  SSL_CTX_set_options((SSL_CTX *)ssl_ctx, SSL_OP_CLEANSE_PLAINTEXT);
  return CURLE_OK;
}
#endif

/* The callback gets the backend's own context type: only OpenSSL 3 (not
 * LibreSSL, BoringSSL, GnuTLS, wolfSSL, ...) may have it. */
static bool backend_is_openssl3(void) {
#ifdef HAVE_OPENSSL_CLEANSE
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  return v != NULL && v->ssl_version != NULL &&
         strncmp(v->ssl_version, "OpenSSL/", 8) == 0 &&
         v->ssl_version[8] >= '3' && v->ssl_version[8] <= '9' &&
         OpenSSL_version_num() >= 0x30000000L;
#else
  return false;
#endif
}

int cx_curl_wipe_easy(void *easy) {
#ifdef HAVE_OPENSSL_CLEANSE
  if (cleanse_tls)
    return (int)curl_easy_setopt((CURL *)easy, CURLOPT_SSL_CTX_FUNCTION,
                                 on_ssl_ctx);
#else
  (void)easy;
#endif
  return (int)CURLE_OK;
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
  cleanse_tls = backend_is_openssl3();
  return (int)rc;
}
