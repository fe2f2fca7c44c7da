/*
 * cxq_conf.h: a reader of collectd.conf syntax, for cxone-query.
 *
 * collectd's own parser (liboconfig) lives inside the daemon and cannot be
 * linked, so this is a small one for the same language: "Key value ..."
 * lines, <Key value ...> ... </Key> blocks (nested, keys case-insensitive),
 * quoted strings with backslash escapes, unquoted words, numbers, the
 * booleans true/false, yes/no, on/off, '#' comments and backslash-newline
 * continuations.  cxq_conf_read follows Include lines and <Include> blocks
 * (files, directories, Filter globs, nested) as collectd does.  Values can be
 * secrets: every string is wiped before it is freed, the file buffer too,
 * and error messages give line numbers and keys, never values.
 */
#ifndef CXQ_CONF_H
#define CXQ_CONF_H

#include "cx_value.h"

#include <stdbool.h>
#include <stddef.h>

/* Values are the library's (cx_value.h), their string always set: for a
 * number or a boolean, the text as written; owned by the item. */
struct cxq_item {
  char *key;
  struct cx_value *values;
  size_t nvalues;
  struct cxq_item *children;
  size_t nchildren;
  int line;
};

/* Parses text (len bytes; name is used in messages) into root's children;
 * Include items stay as they are.  0, or -1 with "NAME:LINE: what" in err. */
int cxq_conf_parse(const char *text, size_t len, const char *name,
                   struct cxq_item *root, char *err, size_t errsize);

/* Reads and parses a file (or a directory, as an Include of it would),
 * replacing each top-level Include by the items of what it names.  0, or
 * -1 with err naming the file (and the Include line that led to it). */
int cxq_conf_read(const char *path, struct cxq_item *root, char *err,
                  size_t errsize);

/* Frees what root holds (not root itself). */
void cxq_conf_free(struct cxq_item *root);

/* The <Tenant "name"> block inside <Plugin cxone> (name NULL: the only
 * one).  0, or -1 with a message listing the tenants found. */
int cxq_conf_tenant(const struct cxq_item *root, const char *name,
                    const struct cxq_item **tenant, char *err, size_t errsize);

#endif /* CXQ_CONF_H */
