/*
 * cx_settings.h: the keys of a <Tenant> block (collectd-cxone(5)): one
 * table of names, kinds and ranges that checks each value and stores it in
 * a struct cx_settings.  The collectd glue and cxone-query both read their
 * configuration through it, so a key means the same thing to both and a bad
 * value gets the same message: "<Tenant "x">: Key: expected ...".
 *
 * Secrets (ClientSecret[File], AccessKeySecret[File]) are ordinary heap
 * strings here, wiped before they are freed; the plugin moves them into
 * secret memory once parsing is done.  Messages never carry a secret.
 */
#ifndef CX_SETTINGS_H
#define CX_SETTINGS_H

#include "cx_log.h"
#include "cx_poll.h"

#include <stdbool.h>
#include <stddef.h>

/* A configuration value, as collectd's oconfig or cxq_conf hands it over. */
enum cx_value_type { CX_VALUE_STRING, CX_VALUE_NUMBER, CX_VALUE_BOOLEAN };

struct cx_value {
  enum cx_value_type type;
  const char *string; /* CX_VALUE_STRING */
  double number;      /* CX_VALUE_NUMBER */
  bool boolean;       /* CX_VALUE_BOOLEAN */
};

struct cx_settings {
  char *issuer, *client_id, *client_secret, *access_key_id, *access_key_secret;
  char *api_endpoint, *api_version, *ca_file, *host;
  bool verify_peer, verify_host, per_agent;
  unsigned client_auth;        /* index into "basic" | "post", the order of
                                  enum cx_client_auth */
  unsigned agent_label;        /* index into "id" | "name" | "username",
                                  the order of enum cx_agent_label */
  cx_ms_t interval, timeout;   /* 0: not set */
  cx_ms_t window, lookback, overlap, chunk; /* lookback < 0: = window */
  unsigned page_size, parallel;
  struct cx_filter filter;     /* owned */
};

/* Where values come from and where messages go.  report gets each message
 * whole ("<label>: Key: ..."), at CX_LOG_ERR for the one that fails a call
 * and CX_LOG_WARNING for the ones that do not. */
struct cx_settings_source {
  const char *label; /* "<Tenant "x">", "--timeout", "CXONE_TIMEOUT" */
  bool text;         /* values are text to convert (options, environment);
                        otherwise they must have the type the key wants */
  void (*report)(void *ctx, enum cx_log_level level, const char *message);
  void *ctx;
};

/* The defaults of collectd-cxone(5). */
void cx_settings_init(struct cx_settings *s);

/* Frees what s holds (secrets wiped first) and zeroes it. */
void cx_settings_free(struct cx_settings *s);

bool cx_settings_known(const char *key);

/* Checks and stores one key's values (key as written, case-insensitive;
 * Team and Agent add to their lists, Agent takes several values).  0, or -1
 * after reporting why, an unknown key included. */
int cx_settings_apply(struct cx_settings *s, const struct cx_settings_source *src,
                      const char *key, const struct cx_value *values,
                      size_t nvalues);

/* Fills cfg's api, http, window, lookback, chunk, page_size, parallel and
 * filter fields from s (pointing into it: s must outlive cfg); http's
 * timeout is s->timeout. */
void cx_settings_poll_config(const struct cx_settings *s, const char *user_agent,
                             struct cx_poll_config *cfg);

#endif /* CX_SETTINGS_H */
