/*
 * cx_curl_wipe.h: what libcurl and its TLS library keep of requests and
 * responses, wiped.
 *
 * libcurl copies what it sends (the request line, the headers with the
 * Authorization value, a small POST body: the token request's secrets) into
 * buffers of its own and frees them as they are; OpenSSL decrypts a response
 * (the token response) in place in its read buffer and frees that as it is
 * too.  The bytes stay in freed heap, and in a core dump.
 */
#ifndef CX_CURL_WIPE_H
#define CX_CURL_WIPE_H

#include <stdbool.h>

/* curl_global_init_mem(flags, callbacks whose free and realloc zero the old
 * block first); returns its CURLcode.  *wiping: whether libcurl really
 * allocates through them.  It does not when libcurl was initialised before
 * (by another collectd plugin or library): curl_global_init_mem() then only
 * counts one more user.  Call it while the process is single-threaded. */
int cx_curl_wipe_global_init(long flags, bool *wiping);

/* Sets up an easy handle (a CURL *) so that its TLS library wipes the
 * plaintext it received once libcurl has it (SSL_OP_CLEANSE_PLAINTEXT,
 * OpenSSL 3); does nothing with another TLS library.  Returns a CURLcode. */
int cx_curl_wipe_easy(void *easy);

#endif /* CX_CURL_WIPE_H */
