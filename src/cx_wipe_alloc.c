/*
 * cx_wipe_alloc.c: allocation that wipes what it releases, and OpenSSL's
 * plaintext cleanse (see cx_wipe_alloc.h).
 *
 * The functions sit on the C library's allocator; malloc_usable_size() is
 * glibc's (musl, ASan, valgrind, jemalloc and tcmalloc provide it too).
 * libcurl's buffers grow geometrically, so always moving on realloc costs
 * little; the plugin's transfers are few and small.  The call count is
 * thread-local: libcurl allocates on every thread that uses it.
 *
 * OpenSSL allocates through its own functions (CRYPTO_set_mem_functions
 * works only before its first allocation, long past in a collectd plugin),
 * and libcurl sets SSL_MODE_RELEASE_BUFFERS: a connection's read buffer,
 * with the decrypted response in it, is freed unwiped once drained, and an
 * idle connection (the token host's, between renewals) can keep one too.
 * SSL_OP_CLEANSE_PLAINTEXT (OpenSSL 3.0) has OpenSSL wipe each record's
 * plaintext once it is read, and the buffer before it is freed.  The send
 * side needs nothing: OpenSSL copies the request into its write buffer and
 * encrypts it there in place.  Measured with gcore: tests/e2e/core_tests.py
 * test_no_secret_in_core_dump, and doc/collectd-cxone.5.pod SECURITY.
 */
#include "cx_config.h"
#include "cx_wipe_alloc.h"

#ifdef HAVE_OPENSSL_CLEANSE
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#endif

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local unsigned long calls;

unsigned long cx_walloc_calls(void) { return calls; }

void *cx_walloc_malloc(size_t n) {
  calls++;
  return malloc(n);
}

void cx_walloc_free(void *p) {
  if (p == NULL)
    return;
  explicit_bzero(p, malloc_usable_size(p));
  free(p);
}

void *cx_walloc_realloc(void *p, size_t n) {
  calls++;
  if (p == NULL)
    return malloc(n);
  if (n == 0) {
    cx_walloc_free(p);
    return NULL;
  }
  void *q = malloc(n);
  if (q == NULL)
    return NULL; /* p is left as it was, as realloc does */
  size_t old = malloc_usable_size(p);
  memcpy(q, p, old < n ? old : n);
  cx_walloc_free(p);
  return q;
}

char *cx_walloc_strdup(const char *s) {
  calls++;
  return strdup(s);
}

void *cx_walloc_calloc(size_t n, size_t size) {
  calls++;
  return calloc(n, size);
}

/* The SSL_CTX callback gets the backend's own context type: only OpenSSL 3
 * (not LibreSSL, BoringSSL, GnuTLS, wolfSSL, ...) may have the option. */
bool cx_wipe_tls_supported(const char *ssl_version) {
#ifdef HAVE_OPENSSL_CLEANSE
  return ssl_version != NULL && strncmp(ssl_version, "OpenSSL/", 8) == 0 &&
         ssl_version[8] >= '3' && ssl_version[8] <= '9' &&
         OpenSSL_version_num() >= 0x30000000L;
#else
  (void)ssl_version;
  return false;
#endif
}

void cx_wipe_tls_context(void *ssl_ctx) {
#ifdef HAVE_OPENSSL_CLEANSE
  SSL_CTX_set_options((SSL_CTX *)ssl_ctx, SSL_OP_CLEANSE_PLAINTEXT);
#else
  (void)ssl_ctx;
#endif
}
