/*
 * cx_secret.h: memory for secrets and tokens.
 *
 * Client secrets, access key secrets and access tokens live for the life of
 * the daemon.  They are kept in their own pages, marked MADV_DONTDUMP so a
 * core dump of collectd does not carry them, and wiped before they are
 * released.  Short-lived copies (request bodies, headers) are ordinary heap
 * strings released with cx_wipe_free().
 */
#ifndef CX_SECRET_H
#define CX_SECRET_H

/* A copy of s in secret memory; NULL when s is NULL or on ENOMEM. */
char *cx_secret_dup(const char *s);

/* Moves a heap string into secret memory: the heap copy is wiped and freed
 * in every case; returns the secret copy, or NULL on ENOMEM (or NULL s). */
char *cx_secret_adopt(char *s);

/* Wipes and releases a string from cx_secret_dup/adopt; NULL is fine. */
void cx_secret_free(char *s);

/* Wipes and frees an ordinary heap string; NULL is fine. */
void cx_wipe_free(char *s);

/* Zeroes the calling thread's vector registers (x86-64: every xmm/ymm/zmm
 * register the CPU has; elsewhere nothing).  memcpy and the TLS code move
 * requests through them, and a sleeping thread's registers go into a core
 * dump: call it when a thread is done with secrets or a token for now. */
void cx_secret_clear_registers(void);

#endif /* CX_SECRET_H */
