/*
 * cxone-query.c: the command line: options, the `history` and `check`
 * commands, hints and exit codes (see cxone-query(1)).
 *
 * `history` runs exactly the plugin's polling cycle (cx_poll: the real-time
 * snapshot as open items, the history backfill of Window + LookBack, the
 * ledger's merge rules, the logged-out inference, the Team/Agent filters,
 * the snapshot) once, with the poller's clock held at `until`, so its totals
 * are the values the plugin dispatches at that instant for that window.
 * The interval list comes from the same ledger (cx_ledger_foreach).
 * Holding the clock also keeps the whole backfill in one cycle (the budget
 * never runs out by the poller's clock; cx_http's real-time deadline still
 * caps the query at QUERY_BUDGET).
 *
 * `skills` asks skills/activity once (every skill, the live figures at
 * the server's instant) and skills/summary once over [since, until], puts
 * both answers in the plugin's skill table (cx_skills: the Skill filter,
 * the figures and the "all" totals the plugin dispatches) and prints it.
 *
 * `check` takes the authentication steps one at a time where the library
 * allows (discovery by itself, then cx_api_authenticate, whose error names
 * the step that failed), then one short state-history request and one
 * agents/states request, each shown as PASS/FAIL/WARN with a hint.
 *
 * Nothing printed here holds a secret or a token: the library's messages
 * never do, and secrets are only ever read from files, the environment or
 * the conf.
 */
#include "cx_api.h"
#include "cx_array.h"
#include "cx_log.h"
#include "cx_poll.h"
#include "cx_reply.h"
#include "cx_skills.h"
#include "cx_tz.h"
#include "cxq_conf.h"
#include "cxq_output.h"
#include "cxq_settings.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Exit codes: one per failure class (documented in cxone-query(1)). */
enum {
  EXIT_OK = 0,
  EXIT_USAGE = 1,     /* usage or configuration */
  EXIT_TRANSPORT = 2, /* DNS, connection, TLS, timeout */
  EXIT_AUTH = 3,      /* credentials refused */
  EXIT_FORBIDDEN = 4, /* the API user's role lacks a permission */
  EXIT_API = 5,       /* other HTTP errors, unexpected answers */
  EXIT_BUSY = 6,      /* throttled (429) or server error (5xx) */
  EXIT_INTERNAL = 7,  /* out of memory, output failed */
};

#define QUERY_BUDGET_MS (3600 * 1000)  /* the whole history query */
#define MAX_RANGE_MS ((cx_ms_t)31 * 86400 * 1000)
#define CHECK_HISTORY_MS (5 * 60 * 1000)
#define CLOCK_SKEW_WARN_MS 5000

static int verbosity;

static void log_sink(enum cx_log_level level, const char *message) {
  if ((int)level <= CX_LOG_WARNING + verbosity)
    fprintf(stderr, "cxone-query: %s\n", message);
}

__attribute__((format(printf, 1, 2))) static void complain(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("cxone-query: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static int exit_code(enum cx_status st) {
  switch (st) {
  case CX_OK: return EXIT_OK;
  case CX_ERR_INVALID: return EXIT_USAGE;
  case CX_ERR_TRANSPORT: return EXIT_TRANSPORT;
  case CX_ERR_AUTH: return EXIT_AUTH;
  case CX_ERR_FORBIDDEN: return EXIT_FORBIDDEN;
  case CX_ERR_THROTTLED:
  case CX_ERR_SERVER: return EXIT_BUSY;
  case CX_ERR_NOT_FOUND:
  case CX_ERR_BAD_REQUEST:
  case CX_ERR_PARSE: return EXIT_API;
  case CX_ERR_NOMEM: return EXIT_INTERNAL;
  }
  return EXIT_INTERNAL;
}

/* What to do about an error, given the step it happened in. */
static const char *hint(const char *step, const struct cx_error *err) {
  const char *m = err->message;
  switch (err->status) {
  case CX_ERR_TRANSPORT:
    if (strstr(m, "SSL") || strstr(m, "certificate") || strstr(m, "TLS"))
      return "TLS trust: the server's certificate chain is not trusted. Set "
             "CACert (--cacert, CXONE_CACERT) to the PEM file of the CA that "
             "signed it (behind a TLS-inspecting proxy, the proxy's CA); "
             "check that the path is right";
    if (strstr(m, "resolve"))
      return "DNS: the host name does not resolve; check Issuer / APIEndpoint";
    return "network: check the Issuer / APIEndpoint URL, proxies and "
           "firewalls; a slow answer needs a longer Timeout (--timeout)";
  case CX_ERR_AUTH:
    if (strcmp(step, "token") != 0)
      return "the API refused a fresh token: the API user may be inactive, "
             "or the token belongs to another area (check APIEndpoint); "
             "check the host clock too (NTP)";
    if (strstr(m, "invalid_client"))
      return "the application was refused: check ClientId and the client "
             "secret, and ClientAuth (\"basic\" or \"post\", as the "
             "application was registered)";
    if (strstr(m, "invalid_grant"))
      return "the access key was refused: check AccessKeyId and the access "
             "key secret (the whole key, trailing '=' included), that the key "
             "is active and that its API user is active";
    return "the token request was refused: check the client id and secret, "
           "the access key id and secret, and the host clock (NTP)";
  case CX_ERR_FORBIDDEN:
    if (strstr(step, "history"))
      return "the API user's role lacks the reporting permission to view "
             "agent state history; ask a CXone administrator to add it";
    if (strstr(step, "states"))
      return "the API user's role lacks the real-time permission to view "
             "agent states; ask a CXone administrator to add it";
    if (strstr(step, "skills/activity"))
      return "the API user's role lacks the real-time permission to view "
             "skill activity; ask a CXone administrator to add it";
    if (strstr(step, "skills/summary"))
      return "the API user's role lacks the reporting permission to view "
             "skill summaries; ask a CXone administrator to add it";
    return "the API user's role lacks a permission for this request";
  case CX_ERR_THROTTLED:
    return "CXone is throttling this API user: try again in a minute; the "
           "plugin backs off by itself";
  case CX_ERR_SERVER:
    return "CXone answered with a server error: try again later";
  case CX_ERR_NOT_FOUND:
    if (strstr(step, "skills"))
      return "no such endpoint: this APIVersion or tenant does not serve "
             "skills; check APIEndpoint and APIVersion";
    return "no such endpoint: check APIEndpoint and APIVersion";
  case CX_ERR_BAD_REQUEST:
    return "CXone refused the request: check APIVersion and the time range";
  case CX_ERR_PARSE:
    if (strstr(m, "tenantId"))
      return "set APIEndpoint (e.g. https://api-na1.niceincontact.com) so "
             "the tenant id is not needed";
    return "unexpected answer: is the Issuer / APIEndpoint a CXone host?";
  case CX_ERR_INVALID:
    return "check the settings";
  default:
    return NULL;
  }
}

static int fail_with(const char *step, const struct cx_error *err) {
  complain("%s", err->message);
  const char *h = hint(step, err);
  if (h != NULL)
    complain("hint: %s", h);
  return exit_code(err->status);
}

/* ---- options ---- */

enum {
  OPT_ISSUER = 256, OPT_CLIENT_ID, OPT_CLIENT_SECRET_FILE, OPT_ACCESS_KEY_ID,
  OPT_ACCESS_KEY_SECRET_FILE, OPT_CLIENT_AUTH, OPT_API_ENDPOINT,
  OPT_API_VERSION, OPT_CACERT, OPT_TIMEOUT, OPT_SECRET_REFUSED, OPT_VERSION,
  OPT_AGENT, OPT_TEAM, OPT_SINCE, OPT_UNTIL, OPT_FORMAT, OPT_SKILL,
};

static const struct option long_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"tenant", required_argument, NULL, 't'},
    {"issuer", required_argument, NULL, OPT_ISSUER},
    {"client-id", required_argument, NULL, OPT_CLIENT_ID},
    {"client-secret-file", required_argument, NULL, OPT_CLIENT_SECRET_FILE},
    {"access-key-id", required_argument, NULL, OPT_ACCESS_KEY_ID},
    {"access-key-secret-file", required_argument, NULL, OPT_ACCESS_KEY_SECRET_FILE},
    {"client-auth", required_argument, NULL, OPT_CLIENT_AUTH},
    {"api-endpoint", required_argument, NULL, OPT_API_ENDPOINT},
    {"api-version", required_argument, NULL, OPT_API_VERSION},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"client-secret", optional_argument, NULL, OPT_SECRET_REFUSED},
    {"access-key-secret", optional_argument, NULL, OPT_SECRET_REFUSED},
    {"agent", required_argument, NULL, OPT_AGENT},
    {"team", required_argument, NULL, OPT_TEAM},
    {"skill", required_argument, NULL, OPT_SKILL},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Option -> conf key, for the settings options. */
static const struct {
  int opt;
  const char *label, *key;
} setting_options[] = {
    {OPT_ISSUER, "--issuer", "Issuer"},
    {OPT_CLIENT_ID, "--client-id", "ClientId"},
    {OPT_CLIENT_SECRET_FILE, "--client-secret-file", "ClientSecretFile"},
    {OPT_ACCESS_KEY_ID, "--access-key-id", "AccessKeyId"},
    {OPT_ACCESS_KEY_SECRET_FILE, "--access-key-secret-file", "AccessKeySecretFile"},
    {OPT_CLIENT_AUTH, "--client-auth", "ClientAuth"},
    {OPT_API_ENDPOINT, "--api-endpoint", "APIEndpoint"},
    {OPT_API_VERSION, "--api-version", "APIVersion"},
    {OPT_CACERT, "--cacert", "CACert"},
    {OPT_TIMEOUT, "--timeout", "Timeout"},
    {OPT_AGENT, "--agent", "Agent"},
    {OPT_TEAM, "--team", "Team"},
    {OPT_SKILL, "--skill", "Skill"},
};
#define NSETTING_OPTIONS (sizeof(setting_options) / sizeof(setting_options[0]))

struct pending {
  size_t which; /* index in setting_options */
  const char *value;
};

struct cli {
  const char *command;
  const char *conf, *tenant, *since, *until, *format;
  struct pending *pending;
  size_t npending, pending_cap;
  bool help;
  bool agent_team, skill; /* --agent or --team, --skill given */
};

static const char common_usage[] =
    "Settings (later ones override earlier ones):\n"
    "  -c, --config FILE     collectd.conf (or a file) with <Plugin cxone>\n"
    "  -t, --tenant NAME     the <Tenant \"NAME\"> block (default: the only one)\n"
    "  then the environment: CXONE_ISSUER, CXONE_CLIENT_ID, CXONE_CLIENT_SECRET,\n"
    "  CXONE_CLIENT_SECRET_FILE, CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET,\n"
    "  CXONE_ACCESS_KEY_SECRET_FILE, CXONE_CLIENT_AUTH, CXONE_API_ENDPOINT,\n"
    "  CXONE_API_VERSION, CXONE_CACERT, CXONE_TIMEOUT\n"
    "  then options:\n"
    "      --issuer URL, --client-id ID, --client-secret-file FILE,\n"
    "      --access-key-id ID, --access-key-secret-file FILE,\n"
    "      --client-auth basic|post, --api-endpoint URL, --api-version vNN.0,\n"
    "      --cacert FILE, --timeout SECONDS\n"
    "  Secrets are never taken from the command line.\n"
    "  -v, --verbose         log more (repeat for debug)\n"
    "  -h, --help            this help\n";

static void usage_main(FILE *out) {
  fprintf(out,
          "usage: cxone-query [SETTINGS] COMMAND [OPTIONS]\n\n"
          "Asks NICE CXone directly, with the collectd cxone plugin's code.\n\n"
          "Commands:\n"
          "  history   state intervals and per-state totals of a time range\n"
          "  skills    live figures and the summary of a time range per skill\n"
          "  check     test discovery, credentials, tenant, permissions\n\n"
          "`cxone-query COMMAND --help` describes a command.\n\n%s"
          "      --version         print the version\n\n"
          "Exit codes: 0 ok, 1 usage or configuration, 2 network or TLS,\n"
          "3 authentication, 4 permission, 5 other API error, 6 throttled or\n"
          "server error, 7 internal error.  See cxone-query(1).\n",
          common_usage);
}

static void usage_history(FILE *out) {
  fprintf(out,
          "usage: cxone-query [SETTINGS] history [--agent ID ...] [--team NAME ...]\n"
          "                   [--since SPAN|TIME] [--until TIME] "
          "[--format table|csv|json]\n\n"
          "Every agent state interval in [since, until] (agent, team, state,\n"
          "reason, start, end, duration), sorted by time and clipped to the\n"
          "range, then the seconds per state for each agent, team and all:\n"
          "the values the plugin dispatches for window = until - since.\n\n"
          "  --agent ID            only this agent (repeatable; replaces the\n"
          "                        tenant block's Agent list)\n"
          "  --team NAME           only this team (repeatable; replaces Team)\n"
          "  --since SPAN|TIME     range start: a span before --until (\"24h\",\n"
          "                        \"90m\", \"3600\" seconds, \"2d\"), an instant, or\n"
          "                        \"today\": the local midnight (TimeZone) of\n"
          "                        --until's day; default: the Window (24h)\n"
          "  --until TIME          range end: \"now\" (default), an ISO-8601\n"
          "                        instant (2024-05-01T12:00:00Z) or a span ago\n"
          "  --format FORMAT       table (default), csv or json\n\n%s",
          common_usage);
}

static void usage_skills(FILE *out) {
  fprintf(out,
          "usage: cxone-query [SETTINGS] skills [--skill NAME ...]\n"
          "                   [--since SPAN|TIME] [--until TIME] "
          "[--format table|csv|json]\n\n"
          "Per skill, the live figures now (skills/activity: contacts in queue,\n"
          "longest wait, active contacts, agents available, working, in ACW,\n"
          "unavailable and logged in, service level) and the summary of\n"
          "[since, until] (skills/summary: contacts offered, handled and\n"
          "abandoned, abandon rate, speed of answer, handle time, longest\n"
          "queue time, service level), and the totals of all skills where\n"
          "they add up: the figures the plugin dispatches as skill-<name>.\n\n"
          "  --skill NAME          only this skill (case-insensitive;\n"
          "                        repeatable; replaces the block's Skill list)\n"
          "  --since SPAN|TIME     summary start: a span before --until (\"1h\",\n"
          "                        \"90m\", \"3600\" seconds), an instant, or\n"
          "                        \"today\" (the plugin's today- figures);\n"
          "                        default: the tenant's Window (24h)\n"
          "  --until TIME          summary end: \"now\" (default), an ISO-8601\n"
          "                        instant or a span ago; live figures are now\n"
          "  --format FORMAT       table (default), csv or json\n\n%s",
          common_usage);
}

static void usage_check(FILE *out) {
  fprintf(out,
          "usage: cxone-query [SETTINGS] check\n\n"
          "Runs each step the plugin depends on and shows it as PASS, FAIL or\n"
          "WARN with the HTTP status, CXone's reason and a hint: OIDC\n"
          "discovery, the token (credentials), the tenant id, API discovery\n"
          "(cxone-configuration), one short agents/state-history request\n"
          "(reporting permission), one agents/states request (real-time\n"
          "permission) and the clock offset to CXone's.  The exit code is the\n"
          "class of the first failure.\n\n%s",
          common_usage);
}

/* The option name as given, without any "=value". */
static void complain_option(const char *arg, const char *what) {
  size_t n = strcspn(arg, "=");
  complain("%.*s: %s (see --help)", (int)(n < 64 ? n : 64), arg, what);
}

/* Parses options from argv[optind]; stops at the first non-option when
 * `until_command`.  0, or an exit code. */
static int parse_options(int argc, char **argv, struct cli *cli,
                         bool until_command) {
  opterr = 0;
  for (;;) {
    int prev = optind;
    int c = getopt_long(argc, argv, until_command ? "+c:t:vh" : "c:t:vh",
                        long_options, NULL);
    if (c == -1)
      return 0;
    switch (c) {
    case 'c': cli->conf = optarg; break;
    case 't': cli->tenant = optarg; break;
    case 'v': verbosity++; break;
    case 'h': cli->help = true; break;
    case OPT_VERSION:
      printf("cxone-query %s\n", CXONE_VERSION);
      exit(EXIT_OK);
    case OPT_SINCE: cli->since = optarg; break;
    case OPT_UNTIL: cli->until = optarg; break;
    case OPT_FORMAT: cli->format = optarg; break;
    case OPT_SECRET_REFUSED:
      complain_option(argv[prev], "secrets are not taken from the command "
                      "line (other users can read it); use a file option or "
                      "an environment variable");
      return EXIT_USAGE;
    case '?':
      complain_option(argv[prev < argc ? prev : argc - 1],
                      optopt ? "unknown option or missing value"
                             : "unknown option");
      return EXIT_USAGE;
    default:
      if (c == OPT_AGENT || c == OPT_TEAM)
        cli->agent_team = true;
      else if (c == OPT_SKILL)
        cli->skill = true;
      for (size_t i = 0; i < NSETTING_OPTIONS; i++)
        if (setting_options[i].opt == c) {
          if (CX_ARRAY_RESERVE(cli->pending, cli->pending_cap,
                               cli->npending + 1) != CX_OK)
            return EXIT_INTERNAL;
          cli->pending[cli->npending++] = (struct pending){i, optarg};
        }
      break;
    }
  }
}

static int load_settings(const struct cli *cli, struct cxq_settings *s) {
  struct cx_error err;
  cxq_settings_init(s);
  if (cli->conf != NULL) {
    char conf_err[512];
    struct cxq_item root;
    const struct cxq_item *tenant;
    if (cxq_conf_read(cli->conf, &root, conf_err, sizeof(conf_err)) != 0) {
      complain("%s", conf_err);
      return EXIT_USAGE;
    }
    int rc = cxq_conf_tenant(&root, cli->tenant, &tenant, conf_err,
                             sizeof(conf_err));
    if (rc != 0)
      complain("%s: %s", cli->conf, conf_err);
    else if (cxq_settings_conf(s, tenant, &err) != CX_OK)
      rc = -1, complain("%s: %s", cli->conf, err.message);
    cxq_conf_free(&root);
    if (rc != 0)
      return EXIT_USAGE;
  } else if (cli->tenant != NULL) {
    complain("-t/--tenant needs -c/--config");
    return EXIT_USAGE;
  }
  if (cxq_settings_env(s, &err) != CX_OK) {
    complain("%s", err.message);
    return EXIT_USAGE;
  }
  for (size_t i = 0; i < cli->npending; i++) {
    const struct pending *p = &cli->pending[i];
    if (cxq_settings_option(s, setting_options[p->which].label,
                            setting_options[p->which].key, p->value,
                            &err) != CX_OK) {
      complain("%s", err.message);
      return EXIT_USAGE;
    }
  }
  return EXIT_OK;
}

/* The poll configuration of one query over `window` (0: Window).  0, or
 * an exit code. */
static int resolve(const struct cxq_settings *s, cx_ms_t window,
                   struct cx_poll_config *cfg) {
  struct cx_error err;
  if (cxq_settings_resolve(s, window, QUERY_BUDGET_MS, cfg, &err) == CX_OK)
    return EXIT_OK;
  complain("%s (see --help)", err.message);
  return EXIT_USAGE;
}

/* ---- history ---- */

static cx_ms_t frozen_now;
static cx_ms_t frozen_clock(void) { return frozen_now; }

/* "24h", "90m", "3600", "2d", "1w", "PT1H": 0 and *out, or -1. */
static int parse_span(const char *s, cx_ms_t *out) {
  static const struct {
    char unit;
    cx_ms_t ms;
  } units[] = {{'s', 1000}, {'m', 60000}, {'h', 3600000}, {'d', 86400000},
               {'w', 7 * 86400000LL}};
  char *end = NULL;
  double d = strtod(s, &end);
  if (end != s && d >= 0 && end[0] != '\0' && end[1] == '\0')
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
      if (end[0] == units[i].unit && d * (double)units[i].ms < 9e15) {
        *out = (cx_ms_t)(d * (double)units[i].ms);
        return 0;
      }
  return cx_duration_parse(s, out) == CX_OK ? 0 : -1;
}

/* "now", an ISO-8601 instant, or a span before `ref`. */
static int parse_instant(const char *s, cx_ms_t ref, cx_ms_t *out) {
  cx_ms_t span;
  if (strcasecmp(s, "now") == 0) {
    *out = ref;
    return 0;
  }
  if (cx_time_parse(s, out) == CX_OK)
    return 0;
  if (parse_span(s, &span) == 0) {
    *out = ref - span;
    return 0;
  }
  return -1;
}

struct intervals {
  struct cxq_interval *v;
  size_t n, cap;
  const struct cx_ledger *ledger;
  int64_t agent;
  const char *team;
};

static int collect_span(void *ctx, int state, size_t reason, cx_ms_t start,
                        cx_ms_t end) {
  struct intervals *iv = ctx;
  if (CX_ARRAY_RESERVE(iv->v, iv->cap, iv->n + 1) != CX_OK)
    return -1;
  iv->v[iv->n++] = (struct cxq_interval){
      .agent = iv->agent, .team = iv->team, .state = state,
      .reason = reason ? cx_ledger_reason_name(iv->ledger, reason) : NULL,
      .start = start, .end = end};
  return 0;
}

static int by_start(const void *a, const void *b) {
  const struct cxq_interval *x = a, *y = b;
  if (x->start != y->start)
    return (x->start > y->start) - (x->start < y->start);
  return (x->agent > y->agent) - (x->agent < y->agent);
}

/* --format: 0 and *format, or an exit code. */
static int parse_format(const struct cli *cli, enum cxq_format *format) {
  *format = CXQ_TABLE;
  if (cli->format != NULL) {
    if (strcasecmp(cli->format, "table") == 0)
      *format = CXQ_TABLE;
    else if (strcasecmp(cli->format, "csv") == 0)
      *format = CXQ_CSV;
    else if (strcasecmp(cli->format, "json") == 0)
      *format = CXQ_JSON;
    else {
      complain("--format: expected table, csv or json");
      return EXIT_USAGE;
    }
  }
  return EXIT_OK;
}

/* --since and --until (default: Window before now; "today": since the
 * local midnight of until's day, in the block's TimeZone, as the plugin's
 * today- figures): 0 and the range, or an exit code. */
static int parse_range(const struct cli *cli, const struct cxq_settings *s,
                       cx_ms_t *since_out, cx_ms_t *until_out) {
  cx_ms_t now = cx_now_ms(), until = now, since, span;
  if (cli->until != NULL && parse_instant(cli->until, now, &until) != 0) {
    complain("--until: expected \"now\", an ISO-8601 instant or a span "
             "(\"1h\")");
    return EXIT_USAGE;
  }
  if (cli->since == NULL)
    since = until - s->set.window;
  else if (strcasecmp(cli->since, "today") == 0)
    since = cx_tz_day_start(s->set.tz, until);
  else if (parse_span(cli->since, &span) == 0)
    since = until - span;
  else if (cx_time_parse(cli->since, &since) != CX_OK) {
    complain("--since: expected a span (\"24h\", \"90m\", \"3600\"), an "
             "ISO-8601 instant or \"today\"");
    return EXIT_USAGE;
  }
  if (until > now + 1000 || since >= until || until - since > MAX_RANGE_MS) {
    complain("the range must end by now, start before it ends and span at "
             "most 31 days");
    return EXIT_USAGE;
  }
  *since_out = since;
  *until_out = until;
  return EXIT_OK;
}

/* What history and skills share: --format, the range, and the poll
 * configuration for it.  EXIT_OK, or an exit code (already explained). */
static int query_options(const struct cli *cli, const struct cxq_settings *s,
                         enum cxq_format *format, cx_ms_t *since,
                         cx_ms_t *until, struct cx_poll_config *cfg) {
  int rc = parse_format(cli, format);
  if (rc == EXIT_OK)
    rc = parse_range(cli, s, since, until);
  if (rc == EXIT_OK)
    rc = resolve(s, *until - *since, cfg);
  return rc;
}

static int run_history(const struct cli *cli, const struct cxq_settings *s) {
  enum cxq_format format;
  cx_ms_t since, until;
  struct cx_poll_config cfg;
  int rc = query_options(cli, s, &format, &since, &until, &cfg);
  if (rc != EXIT_OK)
    return rc;
  struct cx_poll *poll = cx_poll_create(&cfg);
  if (poll == NULL) {
    complain("out of memory");
    return EXIT_INTERNAL;
  }
  frozen_now = until;
  cx_poll_set_clock(poll, frozen_clock);
  struct cx_error err;
  enum cx_status st = cx_poll_run(poll, &err);
  if (st != CX_OK) {
    rc = fail_with(strstr(err.message, "history") ? "agents/state-history"
                       : strstr(err.message, "states") ? "agents/states"
                                                       : "token", &err);
    cx_poll_destroy(poll);
    return rc;
  }

  const struct cx_snapshot *snap = cx_poll_snapshot(poll);
  struct intervals iv = {.ledger = snap->ledger};
  for (size_t i = 0; i < snap->nagents && rc == EXIT_OK; i++) {
    const struct cx_snapshot_agent *a = &snap->agents[i];
    long idx = cx_ledger_agent_index(snap->ledger, a->id);
    iv.agent = a->id;
    iv.team = a->team >= 0 ? snap->teams[a->team].name : NULL;
    if (idx >= 0 && cx_ledger_foreach(snap->ledger, (size_t)idx, since, until,
                                      collect_span, &iv) != 0)
      rc = EXIT_INTERNAL;
  }
  if (rc == EXIT_OK) {
    qsort(iv.v, iv.n, sizeof(*iv.v), by_start);
    struct cxq_report report = {s->tenant, since, until, iv.v, iv.n, snap};
    if (cxq_output(stdout, format, &report) != 0)
      rc = EXIT_INTERNAL;
  }
  if (rc != EXIT_OK)
    complain("out of memory or output failed");
  free(iv.v);
  cx_poll_destroy(poll);
  return rc;
}

/* ---- skills ---- */

/* The step of a failed skills call, for its hint. */
static const char *skills_step(const struct cx_error *err) {
  return strstr(err->message, "skills/summary")    ? "skills/summary"
         : strstr(err->message, "skills/activity") ? "skills/activity"
                                                   : "token";
}

static int run_skills(const struct cli *cli, const struct cxq_settings *s) {
  enum cxq_format format;
  cx_ms_t since, until;
  struct cx_poll_config cfg;
  int rc = query_options(cli, s, &format, &since, &until, &cfg);
  if (rc != EXIT_OK)
    return rc;
  struct cx_http *http = cx_http_create(&cfg.http);
  struct cx_api *api = http ? cx_api_create(&cfg.api, http) : NULL;
  if (api == NULL) {
    cx_http_destroy(http);
    complain("out of memory");
    return EXIT_INTERNAL;
  }
  const struct cx_filter *filter = &s->set.filter;
  struct cx_skills skills;
  cx_skills_init(&skills, filter->skills, filter->nskills);
  struct cx_error err;
  struct cx_skills_page live = {0}, summary = {0};
  int changed = 0;
  cx_ms_t t0 = cx_now_ms();
  enum cx_status st = cx_api_skill_activity(api, NULL, cfg.page_size, &live,
                                            &changed, &err);
  cx_ms_t t1 = cx_now_ms();
  if (st == CX_OK)
    st = cx_api_skill_summary(api, since, until, cfg.page_size, &summary,
                              &err);
  if (st != CX_OK) {
    rc = fail_with(skills_step(&err), &err);
    goto out;
  }
  /* The live figures' instant: the server's (lastPollTime or serverTime),
   * else the middle of the request. */
  cx_ms_t live_at = live.last_poll_time > 0 ? live.last_poll_time
                                            : t0 + (t1 - t0) / 2;
  if (cx_skills_apply_live(&skills, &live, true) != CX_OK ||
      cx_skills_apply_summary(&skills, CX_SKILL_WINDOW, &summary) != CX_OK) {
    complain("out of memory");
    rc = EXIT_INTERNAL;
    goto out;
  }
  if (live.skipped + summary.skipped > 0)
    complain("%zu skill record(s) without a skill id or with malformed "
             "figures were ignored", live.skipped + summary.skipped);
  for (size_t i = 0; i < filter->nskills; i++) {
    bool found = false;
    for (size_t j = 0; j < skills.n && !found; j++)
      found = skills.items[j].name != NULL &&
              strcasecmp(skills.items[j].name, filter->skills[i]) == 0;
    if (!found) {
      char *name = cxq_escape(filter->skills[i], false);
      complain("warning: no skill named \"%s\" in the answers",
               name ? name : "?");
      free(name);
    }
  }
  struct cxq_skills_report report = {s->tenant, since, until, live_at,
                                     &skills};
  if (cxq_output_skills(stdout, format, &report) != 0) {
    complain("out of memory or output failed");
    rc = EXIT_INTERNAL;
  }
out:
  cx_skills_page_free(&live);
  cx_skills_page_free(&summary);
  cx_skills_free(&skills);
  cx_api_destroy(api);
  cx_http_destroy(http);
  return rc;
}

/* ---- check ---- */

struct checker {
  int first_failure; /* exit code of the first FAIL */
  bool failed;
};

__attribute__((format(printf, 4, 5))) static void step(const char *verdict,
                                                        const char *name,
                                                        long http_status,
                                                        const char *fmt, ...) {
  char status[32] = "-";
  if (http_status > 0)
    snprintf(status, sizeof(status), "HTTP %ld", http_status);
  printf("%-4s  %-21s %-8s  ", verdict, name, status);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static void step_failed(struct checker *c, const char *name,
                        const struct cx_error *err) {
  step("FAIL", name, err->http_status, "%s", err->message);
  const char *h = hint(name, err);
  if (h != NULL)
    printf("      hint: %s\n", h);
  if (!c->failed) {
    c->failed = true;
    c->first_failure = exit_code(err->status);
  }
}

static void skip_rest(const char *const *names) {
  for (; *names != NULL; names++)
    step("SKIP", *names, 0, "not tried after the failure above");
}

static enum cx_status check_discovery(struct checker *c, struct cx_http *http,
                                      const struct cx_api_config *cfg) {
  struct cx_error err;
  cx_error_clear(&err);
  size_t n = strlen(cfg->issuer);
  while (n > 0 && cfg->issuer[n - 1] == '/')
    n--;
  char url[1024];
  snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration", (int)n,
           cfg->issuer);
  struct cx_http_response resp;
  const struct cx_http_request req = {.url = url};
  enum cx_status st = cx_http_perform(http, &req, &resp, &err);
  char *token_endpoint = NULL;
  if (st == CX_OK && (resp.status < 200 || resp.status >= 300))
    st = cx_reply_error(&resp, "openid-configuration", &err);
  else if (st == CX_OK)
    st = cx_json_discovery(resp.body, resp.body_len, &token_endpoint, &err);
  if (st == CX_OK)
    step("PASS", "discovery", resp.status, "token endpoint %s",
         token_endpoint);
  else
    step_failed(c, "discovery", &err);
  free(token_endpoint);
  cx_http_response_free(&resp);
  return st;
}

static enum cx_status check_auth(struct checker *c, struct cx_api *api,
                                 const struct cx_api_config *cfg) {
  static const char *const after_token[] = {"tenant id", "cxone-configuration",
                                            NULL};
  struct cx_error err;
  enum cx_status st = cx_api_authenticate(api, &err);
  if (st != CX_OK) {
    bool token_ok = cx_api_tenant_id(api) != NULL ||
                    strncmp(err.message, "cxone-configuration", 19) == 0;
    if (strstr(err.message, "tenantId") != NULL) {
      step("PASS", "token", 0, "access token received");
      step_failed(c, "tenant id", &err);
      skip_rest(after_token + 1);
    } else if (token_ok) {
      step("PASS", "token", 0, "access token received");
      step("PASS", "tenant id", 0, "%s", cx_api_tenant_id(api));
      step_failed(c, "cxone-configuration", &err);
    } else {
      step_failed(c, "token", &err);
      skip_rest(after_token);
    }
    return st;
  }
  cx_ms_t ttl = cx_api_token_expiry(api) - cx_now_ms();
  step("PASS", "token", 0, "access token received, valid %lld s "
       "(client auth %s)", (long long)(ttl / 1000),
       cfg->client_auth == CX_CLIENT_AUTH_POST ? "post" : "basic");
  if (cx_api_tenant_id(api) != NULL)
    step("PASS", "tenant id", 0, "%s", cx_api_tenant_id(api));
  else
    step("PASS", "tenant id", 0, "not in the token; not needed with "
         "APIEndpoint");
  step("PASS", "cxone-configuration", 0, "%s %s",
       cfg->api_endpoint ? "skipped (APIEndpoint set); API base URL"
                       : "API base URL", cx_api_base_url(api));
  return CX_OK;
}

struct history_count {
  size_t records;
};

static enum cx_status count_page(void *ctx, const struct cx_history_page *pg) {
  ((struct history_count *)ctx)->records += pg->count;
  return CX_OK;
}

static void check_history(struct checker *c, struct cx_api *api) {
  struct cx_error err;
  struct history_count hc = {0};
  cx_ms_t now = cx_now_ms();
  enum cx_status st = cx_api_state_history(api, CX_ID_NONE,
                                           now - CHECK_HISTORY_MS, now, 1000,
                                           count_page, &hc, &err);
  if (st == CX_OK)
    step("PASS", "agents/state-history", 0, "%zu record(s) in the last %d "
         "minutes", hc.records, CHECK_HISTORY_MS / 60000);
  else if (st == CX_ERR_NOT_FOUND)
    step("WARN", "agents/state-history", err.http_status, "%s: the "
         "all-agents endpoint is missing in this APIVersion; the plugin uses "
         "agents/{id}/state-history instead", err.message);
  else
    step_failed(c, "agents/state-history", &err);
}

static void check_states(struct checker *c, struct cx_api *api) {
  struct cx_error err;
  struct cx_states_page page = {0};
  int changed = 0;
  cx_ms_t t0 = cx_now_ms();
  enum cx_status st = cx_api_agent_states(api, NULL, NULL, &page, &changed,
                                          &err);
  cx_ms_t t1 = cx_now_ms();
  if (st != CX_OK) {
    step_failed(c, "agents/states", &err);
    cx_states_page_free(&page);
    return;
  }
  step("PASS", "agents/states", 0, "%zu agent(s) now", page.count);
  if (page.last_poll_time > 0) {
    cx_ms_t skew = page.last_poll_time - (t0 + t1) / 2;
    cx_ms_t abs_skew = skew < 0 ? -skew : skew;
    if (abs_skew > CLOCK_SKEW_WARN_MS + (t1 - t0) / 2) {
      step("WARN", "clock", 0, "this host's clock is %.1f s %s CXone's "
           "(lastPollTime)", (double)abs_skew / 1000.0,
           skew < 0 ? "ahead of" : "behind");
      printf("      hint: clock skew shifts the window and inflates or hides "
             "time in the current state; synchronise the host (NTP, "
             "chrony)\n");
    } else {
      step("PASS", "clock", 0, "within %.1f s of CXone's (lastPollTime)",
           (double)abs_skew / 1000.0);
    }
  }
  cx_states_page_free(&page);
}

static int run_check(const struct cxq_settings *s) {
  static const char *const all_after_discovery[] = {
      "token", "tenant id", "cxone-configuration", "agents/state-history",
      "agents/states", NULL};
  struct cx_poll_config cfg;
  int rc = resolve(s, 0, &cfg);
  if (rc != EXIT_OK)
    return rc;
  struct cx_http *http = cx_http_create(&cfg.http);
  struct cx_api *api = http ? cx_api_create(&cfg.api, http) : NULL;
  if (api == NULL) {
    cx_http_destroy(http);
    complain("out of memory");
    return EXIT_INTERNAL;
  }
  struct checker c = {0};
  printf("Checking %s%s%s%s\n", s->tenant ? "tenant \"" : "",
         s->tenant ? s->tenant : "", s->tenant ? "\" at " : "", cfg.api.issuer);
  if (check_discovery(&c, http, &cfg.api) != CX_OK)
    skip_rest(all_after_discovery);
  else if (check_auth(&c, api, &cfg.api) != CX_OK)
    skip_rest(all_after_discovery + 3);
  else {
    check_history(&c, api);
    check_states(&c, api);
  }
  if (c.failed)
    printf("check failed (exit code %d)\n", c.first_failure);
  else
    printf("check passed\n");
  cx_api_destroy(api);
  cx_http_destroy(http);
  return c.failed ? c.first_failure : EXIT_OK;
}

/* ---- main ---- */

int main(int argc, char **argv) {
  cx_log_set_sink(log_sink);
  struct cli cli = {0};
  int rc = parse_options(argc, argv, &cli, true);
  if (rc == EXIT_OK && optind < argc) {
    cli.command = argv[optind];
    optind++;
    rc = parse_options(argc, argv, &cli, false);
    if (rc == EXIT_OK && optind < argc) {
      complain("unexpected argument \"%s\" (see --help)", argv[optind]);
      rc = EXIT_USAGE;
    }
  }
  bool history = cli.command && strcmp(cli.command, "history") == 0;
  bool skills = cli.command && strcmp(cli.command, "skills") == 0;
  bool check = cli.command && strcmp(cli.command, "check") == 0;
  if (rc == EXIT_OK && cli.command != NULL && strcmp(cli.command, "help") == 0) {
    usage_main(stdout);
  } else if (rc == EXIT_OK && cli.help) {
    (history  ? usage_history
     : skills ? usage_skills
     : check  ? usage_check
              : usage_main)(stdout);
  } else if (rc == EXIT_OK && !history && !skills && !check) {
    if (cli.command != NULL)
      complain("unknown command \"%s\"", cli.command);
    usage_main(stderr);
    rc = EXIT_USAGE;
  } else if (rc == EXIT_OK && check && (cli.since || cli.until ||
                                        cli.format)) {
    complain("--since, --until and --format belong to `history` and "
             "`skills`");
    rc = EXIT_USAGE;
  } else if (rc == EXIT_OK && skills && cli.agent_team) {
    complain("--agent and --team belong to `history`");
    rc = EXIT_USAGE;
  } else if (rc == EXIT_OK && !skills && cli.skill) {
    complain("--skill belongs to `skills`");
    rc = EXIT_USAGE;
  } else if (rc == EXIT_OK) {
    struct cxq_settings s;
    rc = load_settings(&cli, &s);
    if (rc == EXIT_OK && cx_http_global_init() != CX_OK)
      rc = EXIT_INTERNAL;
    else if (rc == EXIT_OK) {
      rc = history  ? run_history(&cli, &s)
           : skills ? run_skills(&cli, &s)
                    : run_check(&s);
      cx_http_global_cleanup();
    }
    cxq_settings_free(&s);
  }
  free(cli.pending);
  return rc;
}
