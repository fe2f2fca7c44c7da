/*
 * sim_main.c: cxone-sim's command line, start-up and shutdown.
 *
 * Owns option parsing into sim_cfg, the TLS material hand-off to the server,
 * the one "listening on" line on stdout, and signal handling: SIGINT and
 * SIGTERM are blocked in every thread and awaited here with sigwait, so the
 * server stops in an orderly way and everything is freed.
 */
#include "sim.h"
#include "sim_auth.h"
#include "sim_json.h"
#include "sim_server.h"
#include "sim_tenant.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_config sim_cfg = {
    .listen_host = "127.0.0.1",
    .listen_port = 28443,
    .tls_dir = "./cxone-sim-tls",
    .seed = 1,
    .agents = 24,
    .teams = 4,
    .time_scale = 1.0,
    .tenant_id = "11eb660f-0000-4000-8000-0242ac110002",
    .bu_id = 4607084,
    .client_id = "sim-client",
    .client_secret = "sim+client/secret==",
    .access_key_id = "SIMKEYID+/==",
    .access_key_secret = "sim/access+key=secret==",
    .client_auth = SIM_CLIENT_AUTH_ANY,
    .token_ttl = 3600,
    .history_straddle = SIM_STRADDLE_INCLUDE,
    .open_state = SIM_OPEN_OMIT,
    .team_field = SIM_TEAM_ID,
    .empty_history = 204,
    .no_change = 304,
    .all_agents_history = true,
    .logged_out_history = true,
    .history_fields = true,
    .page_size = 1000,
    .churn_days = 365,
    .abandon_percent = 6,
};

volatile int sim_stopping;

static void usage(FILE *f) {
  fputs(
      "Usage: cxone-sim [options]\n"
      "A NICE CXone API simulator over HTTPS: OIDC discovery, /auth/token,\n"
      "cxone-configuration and the inContactAPI agent endpoints, for a\n"
      "deterministic simulated contact centre living on the wall clock.\n"
      "\n"
      "Server:\n"
      "  --listen ADDR:PORT    IPv4 address or localhost, and port (default\n"
      "                        127.0.0.1:28443; port 0 picks a free port).\n"
      "                        Prints \"cxone-sim: listening on https://...\"\n"
      "  --tls-dir DIR         DIR/ca.pem, DIR/server.pem, DIR/server.key,\n"
      "                        generated when missing (default\n"
      "                        ./cxone-sim-tls).  Clients trust DIR/ca.pem\n"
      "  --gen-certs DIR       generate a CA and a server certificate for\n"
      "                        localhost and 127.0.0.1 in DIR, then exit\n"
      "  --version             print the version and exit\n"
      "  --log-requests        one stderr line per request: method, path\n"
      "                        (no query), status, body bytes, arrival\n"
      "                        time (epoch seconds)\n"
      "\n"
      "Tenant (timelines are a pure function of seed and wall clock):\n"
      "  --seed N              (default 1)\n"
      "  --agents N            agents 1001, 1002, ... (default 24)\n"
      "  --teams N             teams, agents assigned round-robin\n"
      "                        (default 4)\n"
      "  --time-scale F        multiplies every duration and the day length\n"
      "                        (default 1.0; 0.01 makes a day 864 s;\n"
      "                        at least 0.0001).  Instants stay on the wall\n"
      "                        clock; --token-ttl, --history-lag and every\n"
      "                        control endpoint's seconds are wall seconds\n"
      "  --team-names LIST     comma-separated names of teams 1, 2, ...; the\n"
      "                        rest keep theirs (Tier 1, Tier 2, Support,\n"
      "                        Sales, Billing, Retention, Back Office,\n"
      "                        Escalations, then Team N)\n"
      "  --reason-names LIST   comma-separated names of the unavailable codes\n"
      "                        Break (42), Lunch (43), After Call Work (77),\n"
      "                        Training (44), Meeting (45), Personal (46), in\n"
      "                        that order; the rest keep theirs.  Names in\n"
      "                        both lists: 1 to 127 bytes, no two of a kind\n"
      "                        equal ignoring case (\"Tier 1 / Voice,Tier 1 | Voice\"\n"
      "                        is fine: only their sanitised forms collide)\n"
      "  --tenant-id ID        (default 11eb660f-0000-4000-8000-0242ac110002)\n"
      "                        in business unit 4607084\n"
      "  --first-team-name S   the first team's name instead of \"Tier 1\",\n"
      "                        1 to 23 bytes, taken as they are (control\n"
      "                        characters too: a hostile name for tests)\n"
      "  --hires-per-day N     new agents hired each (scaled) churn day; each\n"
      "                        works from its first shift, the next day's\n"
      "                        (default 0)\n"
      "  --leavers-per-day N   agents leaving each churn day: after that\n"
      "                        day's shift they stay LoggedOut until their\n"
      "                        next shift would begin, then are gone from\n"
      "                        agents/states and agents (their history\n"
      "                        stays) (default 0)\n"
      "  --churn-start T       churn days begin with the day holding T (ISO\n"
      "                        or epoch seconds; default: start-up), so two\n"
      "                        simulators with the same T and seed agree\n"
      "  --churn-days N        number of churn days (default 365)\n"
      "  --abandon-percent N   about N % of inbound contacts abandon, more\n"
      "                        in busy hours (0 to 50, default 6)\n"
      "\n"
      "Credentials:\n"
      "  --client-id ID        (default sim-client)\n"
      "  --client-secret S     (default \"sim+client/secret==\", or the\n"
      "                        environment's CXONE_SIM_CLIENT_SECRET)\n"
      "  --access-key-id ID    (default \"SIMKEYID+/==\")\n"
      "  --access-key-secret S (default \"sim/access+key=secret==\", or the\n"
      "                        environment's CXONE_SIM_ACCESS_KEY_SECRET)\n"
      "  --client-auth basic|post|any\n"
      "                        client authentication accepted (default any)\n"
      "  --basic-encoding raw|form|any\n"
      "                        Basic id and secret accepted as they are,\n"
      "                        form-urlencoded first, or either (default any)\n"
      "  --token-ttl SECONDS   access token lifetime (default 3600)\n"
      "\n"
      "API semantics (the open questions of the real API):\n"
      "  --history-straddle include|exclude\n"
      "                        include: records overlapping [startDate,\n"
      "                        endDate); exclude: records starting inside it\n"
      "                        (default include)\n"
      "  --open-state omit|open|partial\n"
      "                        the agent's open state in state-history: left\n"
      "                        out, \"duration\": null, or the time so far\n"
      "                        (default omit)\n"
      "  --logged-out-history yes|no\n"
      "                        no: state-history never returns LoggedOut\n"
      "                        records (agents between sessions are absent);\n"
      "                        agents/states and /sim/truth unchanged\n"
      "                        (default yes)\n"
      "  --duration-format iso|seconds\n"
      "                        \"PT4M10.250S\" or 250.25 (default iso)\n"
      "  --team-field teamId|teamNo|both\n"
      "                        team key of history records (default teamId)\n"
      "  --empty-history 204|200\n"
      "                        empty state-history answer (default 204)\n"
      "  --no-change 304|204|200\n"
      "                        agents/states?updatedSince with nothing\n"
      "                        changed (default 304)\n"
      "  --all-agents-history yes|no\n"
      "                        no: GET agents/state-history answers 404\n"
      "                        (default yes)\n"
      "  --history-fields yes|no\n"
      "                        no: a state-history request with fields=\n"
      "                        answers 400 \"Invalid fields\" (default yes;\n"
      "                        every other endpoint honours fields)\n"
      "  --page-size N         maximum records per page (default 1000)\n"
      "  --history-lag SECONDS state-history knows the timeline up to\n"
      "                        now - lag (default 0; agents/states is never\n"
      "                        lagged)\n"
      "  --skill-queue-time null|empty\n"
      "                        skills/activity earliestQueueTime when\n"
      "                        nobody waits: null or \"\" (default null)\n"
      "\n"
      "Endpoints (B = https://ADDR:PORT):\n"
      "  B/.well-known/openid-configuration, POST B/auth/token,\n"
      "  B/.well-known/cxone-configuration?tenantId=ID, and under\n"
      "  B/inContactAPI/services/vNN.0/: agents/states, agents/{id}/states,\n"
      "  agents/state-history, agents/{id}/state-history, agents, teams,\n"
      "  unavailable-codes, agents/skills, skills/activity,\n"
      "  skills/{id}/activity, skills/summary, skills/{id}/summary.\n"
      "Control endpoints (no authentication):\n"
      "  GET /sim/truth?end=ISO|EPOCH&window=SECONDS\n"
      "      exact seconds per agent, team and state over [end - window,\n"
      "      end] and every agent's state at end (defaults: now, 3600); per\n"
      "      skill the live figures at end and the summary over the window\n"
      "  GET /sim/timeline?agent=ID&from=ISO&to=ISO\n"
      "      the agent's true items (defaults: the last hour)\n"
      "  GET /sim/roster\n"
      "      every agent the tenant ever has, when hired and when gone\n"
      "  GET|POST /sim/hold?agent=ID&state=NAME[&reason=NAME]&from=T&until=T\n"
      "      the agent is in state NAME (reason: an unavailable code, with\n"
      "      Unavailable only) over [from, until); T is ISO, epoch seconds,\n"
      "      +S or -S seconds from now, or now.  Holds never overlap\n"
      "  GET|POST /sim/hold?agent=ID&clear=1\n"
      "      removes the agent's holds\n"
      "  GET|POST /sim/fault?kind=K&count=N[&path=SUBSTR][&delay_ms=D]\n"
      "      the next N API or token requests (with SUBSTR in the path)\n"
      "      get K: 401 403 429 500 503 slow truncated malformed huge;\n"
      "      kind=clear clears\n"
      "  GET|POST /sim/revoke-tokens\n"
      "      every issued token becomes invalid\n"
      "  GET /sim/stats\n"
      "      request, status, byte and token counters\n"
      "  GET /sim/tokens\n"
      "      every token issued: access, refresh and id token, expiry,\n"
      "      revoked\n"
      "\n"
      "SIGINT or SIGTERM stops the server.\n",
      f);
}

enum {
  O_LISTEN = 256,
  O_TLS_DIR,
  O_GEN_CERTS,
  O_SEED,
  O_AGENTS,
  O_TEAMS,
  O_SCALE,
  O_TEAM_NAMES,
  O_REASON_NAMES,
  O_CLIENT_ID,
  O_CLIENT_SECRET,
  O_KEY_ID,
  O_KEY_SECRET,
  O_CLIENT_AUTH,
  O_BASIC_ENCODING,
  O_TTL,
  O_TENANT,
  O_STRADDLE,
  O_OPEN,
  O_LOGGED_OUT,
  O_DURATION,
  O_TEAM_FIELD,
  O_EMPTY,
  O_NO_CHANGE,
  O_ALL_HISTORY,
  O_HISTORY_FIELDS,
  O_PAGE,
  O_LAG,
  O_LOG,
  O_FIRST_TEAM_NAME,
  O_HIRES,
  O_LEAVERS,
  O_CHURN_START,
  O_CHURN_DAYS,
  O_ABANDON,
  O_QUEUE_TIME,
  O_HELP,
  O_VERSION
};

static const struct option options[] = {
    {"listen", required_argument, NULL, O_LISTEN},
    {"tls-dir", required_argument, NULL, O_TLS_DIR},
    {"gen-certs", required_argument, NULL, O_GEN_CERTS},
    {"seed", required_argument, NULL, O_SEED},
    {"agents", required_argument, NULL, O_AGENTS},
    {"teams", required_argument, NULL, O_TEAMS},
    {"time-scale", required_argument, NULL, O_SCALE},
    {"team-names", required_argument, NULL, O_TEAM_NAMES},
    {"reason-names", required_argument, NULL, O_REASON_NAMES},
    {"client-id", required_argument, NULL, O_CLIENT_ID},
    {"client-secret", required_argument, NULL, O_CLIENT_SECRET},
    {"access-key-id", required_argument, NULL, O_KEY_ID},
    {"access-key-secret", required_argument, NULL, O_KEY_SECRET},
    {"client-auth", required_argument, NULL, O_CLIENT_AUTH},
    {"basic-encoding", required_argument, NULL, O_BASIC_ENCODING},
    {"token-ttl", required_argument, NULL, O_TTL},
    {"tenant-id", required_argument, NULL, O_TENANT},
    {"history-straddle", required_argument, NULL, O_STRADDLE},
    {"open-state", required_argument, NULL, O_OPEN},
    {"logged-out-history", required_argument, NULL, O_LOGGED_OUT},
    {"duration-format", required_argument, NULL, O_DURATION},
    {"team-field", required_argument, NULL, O_TEAM_FIELD},
    {"empty-history", required_argument, NULL, O_EMPTY},
    {"no-change", required_argument, NULL, O_NO_CHANGE},
    {"all-agents-history", required_argument, NULL, O_ALL_HISTORY},
    {"history-fields", required_argument, NULL, O_HISTORY_FIELDS},
    {"page-size", required_argument, NULL, O_PAGE},
    {"history-lag", required_argument, NULL, O_LAG},
    {"log-requests", no_argument, NULL, O_LOG},
    {"first-team-name", required_argument, NULL, O_FIRST_TEAM_NAME},
    {"hires-per-day", required_argument, NULL, O_HIRES},
    {"leavers-per-day", required_argument, NULL, O_LEAVERS},
    {"churn-start", required_argument, NULL, O_CHURN_START},
    {"churn-days", required_argument, NULL, O_CHURN_DAYS},
    {"abandon-percent", required_argument, NULL, O_ABANDON},
    {"skill-queue-time", required_argument, NULL, O_QUEUE_TIME},
    {"help", no_argument, NULL, O_HELP},
    {"version", no_argument, NULL, O_VERSION},
    {NULL, 0, NULL, 0}};

/* Index of arg in the NULL-terminated choices, or -1. */
static int choice(const char *arg, const char *const *choices) {
  for (int i = 0; choices[i] != NULL; i++)
    if (strcmp(arg, choices[i]) == 0)
      return i;
  return -1;
}

static int parse_double(const char *s, double min, double max, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
    return -1;
  *out = v;
  return 0;
}

static int parse_listen(const char *s) {
  const char *colon = strrchr(s, ':');
  long port;
  if (colon == NULL || (size_t)(colon - s) >= sizeof sim_cfg.listen_host ||
      sim_parse_long(colon + 1, 0, 65535, &port) != 0)
    return -1;
  memcpy(sim_cfg.listen_host, s, (size_t)(colon - s));
  sim_cfg.listen_host[colon - s] = '\0';
  sim_cfg.listen_port = (unsigned)port;
  return 0;
}

/* Applies one option; returns -1 on an invalid value. */
static int apply(int opt, const char *arg) {
  static const char *const auths[] = {"any", "basic", "post", NULL};
  static const char *const encodings[] = {"any", "raw", "form", NULL};
  static const char *const straddles[] = {"include", "exclude", NULL};
  static const char *const opens[] = {"omit", "open", "partial", NULL};
  static const char *const durations[] = {"iso", "seconds", NULL};
  static const char *const team_fields[] = {"", "teamId", "teamNo", "both",
                                            NULL};
  static const char *const empties[] = {"204", "200", NULL};
  static const char *const no_changes[] = {"304", "204", "200", NULL};
  static const char *const yes_no[] = {"no", "yes", NULL};
  static const char *const queue_times[] = {"null", "empty", NULL};
  long n;
  double d;
  int c;
  switch (opt) {
  case O_LISTEN: return parse_listen(arg);
  case O_TLS_DIR: sim_cfg.tls_dir = arg; return 0;
  case O_SEED:
    if (sim_parse_long(arg, 0, 2147483647L, &n) != 0)
      return -1;
    sim_cfg.seed = (uint64_t)n;
    return 0;
  case O_AGENTS:
    if (sim_parse_long(arg, 1, 1000000, &n) != 0)
      return -1;
    sim_cfg.agents = (int)n;
    return 0;
  case O_TEAMS:
    if (sim_parse_long(arg, 1, 10000, &n) != 0)
      return -1;
    sim_cfg.teams = (int)n;
    return 0;
  case O_SCALE: return parse_double(arg, 0.0001, 1000, &sim_cfg.time_scale);
  case O_TEAM_NAMES: sim_cfg.team_names = arg; return 0;
  case O_REASON_NAMES: sim_cfg.reason_names = arg; return 0;
  case O_CLIENT_ID: sim_cfg.client_id = arg; return 0;
  case O_CLIENT_SECRET: sim_cfg.client_secret = arg; return 0;
  case O_KEY_ID: sim_cfg.access_key_id = arg; return 0;
  case O_KEY_SECRET: sim_cfg.access_key_secret = arg; return 0;
  case O_CLIENT_AUTH:
    c = choice(arg, auths);
    sim_cfg.client_auth = (enum sim_client_auth)c;
    return c < 0 ? -1 : 0;
  case O_BASIC_ENCODING:
    c = choice(arg, encodings);
    sim_cfg.basic_encoding = (enum sim_basic_encoding)c;
    return c < 0 ? -1 : 0;
  case O_TTL: return parse_double(arg, 1, 1e9, &sim_cfg.token_ttl);
  case O_TENANT: sim_cfg.tenant_id = arg; return 0;
  case O_STRADDLE:
    c = choice(arg, straddles);
    sim_cfg.history_straddle = (enum sim_straddle)c;
    return c < 0 ? -1 : 0;
  case O_OPEN:
    c = choice(arg, opens);
    sim_cfg.open_state = (enum sim_open_state)c;
    return c < 0 ? -1 : 0;
  case O_LOGGED_OUT:
    c = choice(arg, yes_no);
    sim_cfg.logged_out_history = c == 1;
    return c < 0 ? -1 : 0;
  case O_DURATION:
    c = choice(arg, durations);
    sim_cfg.duration_seconds = c == 1;
    return c < 0 ? -1 : 0;
  case O_TEAM_FIELD:
    c = choice(arg, team_fields);
    sim_cfg.team_field = c;
    return c <= 0 ? -1 : 0;
  case O_EMPTY:
    c = choice(arg, empties);
    sim_cfg.empty_history = c == 0 ? 204 : 200;
    return c < 0 ? -1 : 0;
  case O_NO_CHANGE:
    c = choice(arg, no_changes);
    sim_cfg.no_change = c == 0 ? 304 : c == 1 ? 204 : 200;
    return c < 0 ? -1 : 0;
  case O_ALL_HISTORY:
    c = choice(arg, yes_no);
    sim_cfg.all_agents_history = c == 1;
    return c < 0 ? -1 : 0;
  case O_HISTORY_FIELDS:
    c = choice(arg, yes_no);
    sim_cfg.history_fields = c == 1;
    return c < 0 ? -1 : 0;
  case O_PAGE:
    if (sim_parse_long(arg, 1, 1000000, &n) != 0)
      return -1;
    sim_cfg.page_size = (int)n;
    return 0;
  case O_LAG:
    if (parse_double(arg, 0, 1e9, &d) != 0)
      return -1;
    sim_cfg.history_lag_ms = (cx_ms_t)(d * 1000.0 + 0.5);
    return 0;
  case O_LOG: sim_cfg.log_requests = true; return 0;
  case O_FIRST_TEAM_NAME:
    if (arg[0] == '\0' || strlen(arg) >= sizeof sim_team_get(0)->name)
      return -1;
    sim_cfg.first_team_name = arg;
    return 0;
  case O_HIRES:
    if (sim_parse_long(arg, 0, 1000000, &n) != 0)
      return -1;
    sim_cfg.hires_per_day = (int)n;
    return 0;
  case O_LEAVERS:
    if (sim_parse_long(arg, 0, 1000000, &n) != 0)
      return -1;
    sim_cfg.leavers_per_day = (int)n;
    return 0;
  case O_CHURN_START:
    if (sim_parse_time(arg, true, &sim_cfg.churn_start) != 0)
      return -1;
    sim_cfg.churn_start_set = true;
    return 0;
  case O_CHURN_DAYS:
    if (sim_parse_long(arg, 0, 100000, &n) != 0)
      return -1;
    sim_cfg.churn_days = (int)n;
    return 0;
  case O_ABANDON:
    if (sim_parse_long(arg, 0, 50, &n) != 0)
      return -1;
    sim_cfg.abandon_percent = (int)n;
    return 0;
  case O_QUEUE_TIME:
    c = choice(arg, queue_times);
    sim_cfg.skill_queue_empty = c == 1;
    return c < 0 ? -1 : 0;
  default: return -1;
  }
}

int main(int argc, char **argv) {
  const char *env;
  if ((env = getenv("CXONE_SIM_CLIENT_SECRET")) != NULL)
    sim_cfg.client_secret = env;
  if ((env = getenv("CXONE_SIM_ACCESS_KEY_SECRET")) != NULL)
    sim_cfg.access_key_secret = env;

  int opt;
  while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    if (opt == O_HELP || opt == 'h') {
      usage(stdout);
      return 0;
    }
    if (opt == O_VERSION) {
      printf("cxone-sim %s\n", CXONE_VERSION);
      return 0;
    }
    if (opt == O_GEN_CERTS)
      return sim_tls_generate(optarg) == 0 ? 0 : 1;
    if (opt == '?' || apply(opt, optarg) != 0) {
      if (opt != '?')
        fprintf(stderr, "cxone-sim: invalid value for --%s: %s\n",
                options[opt - O_LISTEN].name, optarg);
      fputs("Try 'cxone-sim --help'.\n", stderr);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "cxone-sim: unexpected argument: %s\n", argv[optind]);
    return 2;
  }

  /* Signals are taken by sigwait below; the server threads inherit the mask. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  int rc = sim_tenant_init(sim_cfg.seed, sim_cfg.agents, sim_cfg.teams,
                           sim_cfg.time_scale, sim_cfg.team_names,
                           sim_cfg.reason_names);
  if (rc == 0)
    rc = sim_tenant_churn(sim_cfg.hires_per_day, sim_cfg.leavers_per_day,
                          sim_cfg.churn_start_set ? sim_cfg.churn_start
                                                  : cx_now_ms(),
                          sim_cfg.churn_days);
  if (rc != 0) {
    sim_tenant_free(); /* (safe after a failed init, which freed it) */
    if (rc == EINVAL)
      fputs("Try 'cxone-sim --help'.\n", stderr);
    else
      fprintf(stderr, "cxone-sim: out of memory\n");
    return rc == EINVAL ? 2 : 1;
  }
  char *cert = NULL, *key = NULL;
  if (sim_tls_load(sim_cfg.tls_dir, &cert, &key) != 0) {
    sim_tenant_free();
    return 1;
  }
  if (sim_cfg.first_team_name != NULL)
    sim_team_set_name(0, sim_cfg.first_team_name);
  struct MHD_Daemon *d = sim_server_start(cert, key);
  if (d == NULL) {
    sim_tenant_free();
    free(cert);
    free(key);
    return 1;
  }
  printf("cxone-sim: listening on %s\n", sim_cfg.base_url);
  fflush(stdout);

  int sig;
  sigwait(&stop, &sig);
  sim_stopping = 1;
  MHD_stop_daemon(d);
  sim_auth_free();
  sim_tenant_free();
  free(cert);
  free(key);
  return 0;
}
