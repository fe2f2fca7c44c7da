/*
 * cx_names.h: metric name parts from CXone strings, unique per cycle.
 *
 * collectd identifier fields are at most 127 bytes, and the writers mangle
 * some characters (write_graphite turns '.' and ' ' into '_').  Every name
 * the plugin emits is therefore reduced to [A-Za-z0-9_-]: any other byte
 * becomes '_' (a multi-byte UTF-8 character becomes one '_'), and the result
 * is cut to fit the buffer.
 *
 * Sanitising and cutting can give two entities one name ("Tier 1 / Voice"
 * and "Tier 1 | Voice" are both Tier_1___Voice); cx_labels_make_unique then
 * tells them apart by their ids (see there for the rule).
 */
#ifndef CX_NAMES_H
#define CX_NAMES_H

#include "cx_error.h"

#include <stddef.h>
#include <stdint.h>

/* Maximum length (without NUL) of any sanitised part: leaves room for the
 * longest prefix the plugin adds ("current-Unavailable-", "agent-",
 * "team-") inside collectd's 128-byte fields. */
#define CX_NAME_PART_MAX 63

/* Writes the sanitised form of s into buf (size > 0), at most
 * min(size - 1, CX_NAME_PART_MAX) bytes.  An empty or NULL s gives "_". */
void cx_name_sanitize(const char *s, char *buf, size_t size);

/* One entity's name part: an agent, a team or an Unavailable reason. */
struct cx_label {
  char text[CX_NAME_PART_MAX + 1]; /* in: sanitised name; out: unique label */
  int64_t id;                      /* distinct among the labels of one call */
};

/* How an id is written in a suffix: agent and team ids in decimal, name
 * hashes (cx_labels_hash_ids) as 8 hex digits. */
enum cx_label_tag { CX_TAG_DECIMAL, CX_TAG_HEX };

/* Makes the n labels unique.  Rule, applied until no label is shared:
 *   - a label held by one entity stays as it is;
 *   - where several entities hold one label and none of them is suffixed,
 *     the lowest id keeps it and every other one becomes "<label>-<id>";
 *   - where a suffixed label equals the bare label of others, the bare
 *     ones are suffixed too.
 * The base is cut so that the suffix always fits whole within
 * CX_NAME_PART_MAX; a negative id is written "n<digits>" (no '-' inside a
 * suffix).  The result depends only on the set of (text, id), never on the
 * order of the array, and a name shared with nobody is never changed.
 * Ids must be distinct.  Reorders nothing.  CX_OK, or CX_ERR_NOMEM (labels
 * unchanged). */
enum cx_status cx_labels_make_unique(struct cx_label *labels, size_t n,
                                     enum cx_label_tag tag);

/* Ids for entities known by name only (Unavailable reasons): labels[i].id
 * becomes the 32-bit FNV-1a hash of names[i] (distinct strings).  Should
 * two names hash alike, the first in strcmp order keeps the hash and the
 * next takes the next free value, so ids are distinct and a function of
 * the set of names alone.  CX_OK or CX_ERR_NOMEM. */
enum cx_status cx_labels_hash_ids(struct cx_label *labels,
                                  const char *const *names, size_t n);

#endif /* CX_NAMES_H */
