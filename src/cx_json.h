/*
 * cx_json.h: CXone JSON bodies -> library structs (json-c), no I/O.
 *
 * Pure functions over a byte buffer, so the fuzzers link them alone.  Keys
 * are matched case-insensitively (API versions before 2016 used PascalCase);
 * unknown keys are ignored; numbers sent as strings ("68") are accepted.
 * A record that lacks what the ledger needs (agent id, a known state, a
 * parsable start) is skipped and counted in *skipped, not fatal.
 */
#ifndef CX_JSON_H
#define CX_JSON_H

#include "cx_error.h"
#include "cx_record.h"

#include <stddef.h>
#include <stdint.h>

struct cx_history_page {
  struct cx_history_record *records;
  size_t count;
  size_t skipped;        /* malformed records left out */
  char *next_url;        /* _links.next; NULL when null/absent/empty */
  cx_ms_t last_poll_time;/* 0 when absent */
  int64_t total_records; /* totalRecords; -1 when absent (added) */
  char **strings;        /* the records' reason texts, shared by them */
  size_t nstrings;
};

struct cx_states_page {
  struct cx_agent_state *states;
  size_t count;
  size_t skipped;
  char *next_url;
  cx_ms_t last_poll_time; /* top level, else the latest per-item one */
  int64_t total_records;  /* totalRecords; -1 when absent (added) */
};

/* The state-history columns cx_json_history_page reads, for `fields=`:
 * both team names (servers differ), agentStateName (read when agentStateId
 * is missing).  Keep in step with history_record in cx_json.c. */
#define CX_JSON_HISTORY_FIELDS                                                 \
  "agentId,agentStateId,agentStateName,startDate,duration,"                    \
  "outStateDescription,teamId,teamNo,agentSessionId,stateIndex"

/* An empty body (len 0) yields an empty page.  On failure returns
 * CX_ERR_PARSE (or CX_ERR_NOMEM) with a message in err, and *page is empty. */
enum cx_status cx_json_history_page(const char *body, size_t len,
                                    struct cx_history_page *page,
                                    struct cx_error *err);
void cx_history_page_free(struct cx_history_page *page);

/* For tests and fuzzers: cx_json_history_page as it reads a body its
 * scanner gives up on (json-c parses it; the scanner reads json-c's
 * rendering of the tree).  On every body both must give the same page. */
enum cx_status cx_json_history_page_via_json_c(const char *body, size_t len,
                                               struct cx_history_page *page,
                                               struct cx_error *err);

enum cx_status cx_json_states_page(const char *body, size_t len,
                                   struct cx_states_page *page,
                                   struct cx_error *err);
void cx_states_page_free(struct cx_states_page *page);

/* skills/activity and skills/summary (doc/cxone-api.md §7): one record
 * type for both, a value per field the answer gave.  Counts are whole
 * numbers >= 0 (numbers or numeric strings); percents any number >= 0;
 * durations ISO-8601 or seconds (as `duration`), in ms; earliestQueueTime
 * a date-time in ms since the epoch, 0 when null or "" (nobody waits).
 * null or absent: not given.  A record without a skill id, or with a value
 * of the wrong form, is skipped and counted. */
enum cx_skill_field {
  CX_SKILL_QUEUE,              /* queueCount */
  CX_SKILL_ACTIVE,             /* contactsActive */
  CX_SKILL_AGENTS_AVAILABLE,   /* agentsAvailable */
  CX_SKILL_AGENTS_WORKING,     /* agentsWorking */
  CX_SKILL_AGENTS_ACW,         /* agentsACW */
  CX_SKILL_AGENTS_UNAVAILABLE, /* agentsUnavailable */
  CX_SKILL_AGENTS_LOGGED_IN,   /* agentsLoggedIn */
  CX_SKILL_SERVICE_LEVEL,      /* serviceLevel (both endpoints) */
  CX_SKILL_EARLIEST_QUEUE,     /* earliestQueueTime */
  CX_SKILL_OFFERED,            /* contactsOffered */
  CX_SKILL_HANDLED,            /* contactsHandled */
  CX_SKILL_ABANDONED,          /* abandonCount */
  CX_SKILL_ABANDON_RATE,       /* abandonRate */
  CX_SKILL_SPEED_OF_ANSWER,    /* averageSpeedToAnswer */
  CX_SKILL_HANDLE_TIME,        /* averageHandleTime */
  CX_SKILL_LONGEST_QUEUE,      /* longestQueueDur */
  CX_SKILL_NFIELDS
};

enum cx_skill_endpoint { CX_SKILL_ACTIVITY, CX_SKILL_SUMMARY };

struct cx_skill_record {
  int64_t skill_id;
  char *name;                      /* skillName; NULL when absent */
  double value[CX_SKILL_NFIELDS];
  uint32_t have;                   /* bit 1u << field: the answer gave it */
};

struct cx_skills_page {
  struct cx_skill_record *records;
  size_t count, cap;
  size_t skipped;
  char *next_url;
  cx_ms_t last_poll_time; /* lastPollTime, else the latest serverTime; 0 */
  int64_t total_records;  /* -1 when absent */
};

/* The columns read, for `fields=`.  Keep in step with skill_keys in
 * cx_json.c. */
#define CX_JSON_SKILL_ACTIVITY_FIELDS                                          \
  "skillId,skillName,queueCount,contactsActive,earliestQueueTime,"             \
  "agentsAvailable,agentsWorking,agentsACW,agentsUnavailable,"                 \
  "agentsLoggedIn,serviceLevel"
#define CX_JSON_SKILL_SUMMARY_FIELDS                                           \
  "skillId,skillName,contactsOffered,contactsHandled,abandonCount,"            \
  "abandonRate,averageSpeedToAnswer,averageHandleTime,longestQueueDur,"        \
  "serviceLevel"

/* The records of skillActivity[] or skillSummaries[] (or a bare array),
 * appended to *page (zero it, total_records -1, before the first page).
 * The envelope's fields (next link, lastPollTime, totalRecords) replace
 * page's.  On failure page keeps what it had before the call. */
enum cx_status cx_json_skills_page(enum cx_skill_endpoint which,
                                   const char *body, size_t len,
                                   struct cx_skills_page *page,
                                   struct cx_error *err);
void cx_skills_page_free(struct cx_skills_page *page);

/* unavailable-codes: the names of the after-call-work codes (isACW). */
struct cx_codes_page {
  char **acw;             /* [nacw], malloc'd names */
  size_t nacw, acw_cap;
  size_t count;           /* codes read, ACW or not */
  char *next_url;
  int64_t total_records;  /* -1 when absent */
};

/* The codes of unavailableCodes[] (or a bare array), appended to *page
 * (zero it, total_records -1, before the first page): the name (`name`,
 * else `outStateDescription`) of each flagged isACW; the envelope's next
 * link and totalRecords replace page's.  On failure page keeps what it
 * had. */
enum cx_status cx_json_codes_page(const char *body, size_t len,
                                  struct cx_codes_page *page,
                                  struct cx_error *err);
void cx_codes_page_free(struct cx_codes_page *page);

/* OIDC discovery: *token_endpoint (malloc'd). */
enum cx_status cx_json_discovery(const char *body, size_t len,
                                 char **token_endpoint, struct cx_error *err);

/* Token response: *access_token (malloc'd), *expires_in seconds (3600 when
 * absent).  An {"error","error_description"} body yields CX_ERR_AUTH with
 * both in the message (never the request's secrets). */
enum cx_status cx_json_token(const char *body, size_t len, char **access_token,
                             long *expires_in, struct cx_error *err);

/* cx_json_token, plus *id_token (malloc'd; NULL when absent).  id_token may
 * be NULL when not wanted.  The parse buffers that held the tokens are wiped.
 * Free the returned tokens after wiping them (explicit_bzero). */
enum cx_status cx_json_token_ex(const char *body, size_t len,
                                char **access_token, long *expires_in,
                                char **id_token, struct cx_error *err);

/* cxone-configuration: *api_endpoint (malloc'd, no trailing slash). */
enum cx_status cx_json_cxone_config(const char *body, size_t len,
                                    char **api_endpoint, struct cx_error *err);

/* Decodes a JWT's payload (base64url, no signature check) and returns the
 * string claim "tenantId" (malloc'd) and the numeric "exp" (0 when absent).
 * A well-formed payload without tenantId yields CX_OK and *tenant_id NULL. */
enum cx_status cx_jwt_claims(const char *jwt, char **tenant_id, int64_t *exp,
                             struct cx_error *err);

/* Error body -> "error: description" in buf (error/error_description,
 * errorDescription, error_Description, message).  Empty string when none. */
void cx_json_error_reason(const char *body, size_t len, char *buf, size_t size);

/* The bare OAuth "error" code of a token error body (RFC 6749 §5.2, e.g.
 * "invalid_client") into buf; "" when there is none. */
void cx_json_oauth_error(const char *body, size_t len, char *buf, size_t size);

#endif /* CX_JSON_H */
