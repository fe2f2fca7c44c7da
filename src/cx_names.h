/*
 * cx_names.h: metric name parts from CXone strings.
 *
 * collectd identifier fields are at most 127 bytes, and the writers mangle
 * some characters (write_graphite turns '.' and ' ' into '_').  Every name
 * the plugin emits is therefore reduced to [A-Za-z0-9_-]: any other byte
 * becomes '_' (a multi-byte UTF-8 character becomes one '_'), and the result
 * is cut to fit the buffer.
 */
#ifndef CX_NAMES_H
#define CX_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Maximum length (without NUL) of any sanitised part: leaves room for the
 * longest prefix the plugin adds ("Unavailable-", "agent-", "team-") inside
 * collectd's 128-byte fields. */
#define CX_NAME_PART_MAX 63

/* Writes the sanitised form of s into buf (size > 0), at most
 * min(size - 1, CX_NAME_PART_MAX) bytes.  An empty or NULL s gives "_". */
void cx_name_sanitize(const char *s, char *buf, size_t size);

/* One sanitised label per agent (AgentLabel name or username). */
struct cx_label {
  char text[CX_NAME_PART_MAX + 1];
  int64_t id;
};

/* Makes labels unique: every label shared by two or more agents becomes
 * "<label>-<id>" for each of them (cut to fit), so two agents called
 * "Ann Lee" never write into one series, and which one is which is stable
 * whatever order they arrive in.  Reorders nothing.  0 or ENOMEM. */
int cx_labels_make_unique(struct cx_label *labels, size_t n);

#endif /* CX_NAMES_H */
