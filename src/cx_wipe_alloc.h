/*
 * cx_wipe_alloc.h: memory that is wiped when it is released, for the
 * libraries that copy our requests and responses: allocation functions for
 * libcurl (curl_global_init_mem) and the TLS option that has OpenSSL wipe
 * the plaintext it decrypted.  Free of curl.h: cx_http.c installs them.
 *
 * Why: libcurl copies what it sends (the request line, the headers with the
 * Authorization value, a small POST body: the token request's secrets) into
 * buffers of its own and frees them as they are; OpenSSL decrypts a
 * response (the token response) in place in its read buffer and frees that
 * as it is too.  Without this the bytes stay in freed heap, and in a core
 * dump.
 */
#ifndef CX_WIPE_ALLOC_H
#define CX_WIPE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* malloc, calloc and strdup as the C library's; free zeroes the whole
 * block first; realloc always moves (malloc, copy, wipe and free the old
 * block), since realloc itself may move a block and leave the old bytes. */
void *cx_walloc_malloc(size_t n);
void cx_walloc_free(void *p);
void *cx_walloc_realloc(void *p, size_t n);
char *cx_walloc_strdup(const char *s);
void *cx_walloc_calloc(size_t n, size_t size);

/* Allocations of the calling thread through these functions so far: a
 * probe can tell whether a library really uses them. */
unsigned long cx_walloc_calls(void);

/* Whether cx_wipe_tls_context() can act on the TLS library libcurl names
 * (curl_version_info's ssl_version): OpenSSL 3, with the headers present
 * at build time. */
bool cx_wipe_tls_supported(const char *ssl_version);

/* Sets SSL_OP_CLEANSE_PLAINTEXT on an OpenSSL SSL_CTX (only when
 * cx_wipe_tls_supported). */
void cx_wipe_tls_context(void *ssl_ctx);

#endif /* CX_WIPE_ALLOC_H */
