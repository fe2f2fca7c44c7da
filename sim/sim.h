/*
 * sim.h: cxone-sim's run-time configuration (set once by sim_main.c before
 * the server starts, read-only afterwards), the shutdown flag, and the
 * certificate functions of sim_tls.c.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "cx_time.h"

enum sim_straddle { SIM_STRADDLE_INCLUDE, SIM_STRADDLE_EXCLUDE };
enum sim_open_state { SIM_OPEN_OMIT, SIM_OPEN_NULL, SIM_OPEN_PARTIAL };
enum sim_client_auth {
  SIM_CLIENT_AUTH_ANY,
  SIM_CLIENT_AUTH_BASIC,
  SIM_CLIENT_AUTH_POST
};
/* How the id and secret of a Basic header may be written (RFC 6749 2.3.1). */
enum sim_basic_encoding {
  SIM_BASIC_ANY,
  SIM_BASIC_RAW,
  SIM_BASIC_FORM
};

/* Bits of sim_config.team_field. */
#define SIM_TEAM_ID 1
#define SIM_TEAM_NO 2

struct sim_config {
  /* Server. */
  char listen_host[64];
  unsigned listen_port;
  char base_url[128]; /* "https://host:port", the issuer and api_endpoint */
  const char *tls_dir;
  bool log_requests;

  /* Tenant. */
  uint64_t seed;
  int agents;
  int teams;
  double time_scale;
  const char *team_names;   /* comma-separated, NULL: built-in */
  const char *reason_names; /* comma-separated, NULL: built-in */
  const char *tenant_id;
  int64_t bu_id;
  const char *first_team_name; /* NULL: "Tier 1" */
  /* Churn (sim_tenant_churn). */
  int hires_per_day;
  int leavers_per_day;
  int churn_days;
  bool churn_start_set;
  cx_ms_t churn_start; /* when not set: the start-up instant */

  /* Credentials. */
  const char *client_id;
  const char *client_secret;
  const char *access_key_id;
  const char *access_key_secret;
  enum sim_client_auth client_auth;
  enum sim_basic_encoding basic_encoding;
  double token_ttl; /* seconds */

  /* Semantics of the open questions of the real API. */
  enum sim_straddle history_straddle;
  enum sim_open_state open_state;
  bool duration_seconds;
  int team_field;         /* SIM_TEAM_ID | SIM_TEAM_NO */
  unsigned empty_history; /* 204 or 200 */
  unsigned no_change;     /* 304, 204 or 200 */
  bool all_agents_history;
  bool logged_out_history; /* false: history leaves LoggedOut records out */
  bool history_fields;     /* false: state-history refuses `fields` (400) */
  int page_size;
  cx_ms_t history_lag_ms;

  /* Contacts and skills (sim_contacts.c, sim_skills.c). */
  int abandon_percent;       /* about this % of inbound contacts abandon */
  bool skill_queue_empty;    /* earliestQueueTime "" (else null) when none */
};

extern struct sim_config sim_cfg;

/* Set by sim_main.c when shutdown starts; long sleeps poll it. */
extern volatile int sim_stopping;

/* sim_tls.c: makes sure dir holds ca.pem, server.pem and server.key
 * (generating all of them when one is missing) and loads the server's
 * certificate and key as NUL-terminated PEM strings (caller frees). */
int sim_tls_generate(const char *dir);
int sim_tls_load(const char *dir, char **cert_pem, char **key_pem);

#endif /* SIM_H */
