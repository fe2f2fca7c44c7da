/*
 * cx_str.h: small heap-string helpers shared by the library's modules.
 */
#ifndef CX_STR_H
#define CX_STR_H

/* strdup(s), or NULL for a NULL s (and on ENOMEM). */
char *cx_strdup_or_null(const char *s);

/* malloc'd printf; NULL on ENOMEM. */
char *cx_str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Drops trailing '/' in place; returns s (NULL stays NULL). */
char *cx_str_strip_slashes(char *s);

#endif /* CX_STR_H */
