/*
 * t_settings.c: the <Tenant> keys (cx_settings): every key's accepted and
 * refused forms, from a conf (typed values) and from options or the
 * environment (text), with the value stored and the whole message of a
 * refusal ("<Tenant "t">: Key: expected ..."); warnings; and the
 * resolution into a poll configuration (required keys, the defaults of
 * periodic reads and of one query).
 */
#include "cx_log.h"
#include "cx_settings.h"
#include "unit.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define S(x) {.type = CX_VALUE_STRING, .string = (x)}
#define N(x) {.type = CX_VALUE_NUMBER, .number = (x)}
#define B(x) {.type = CX_VALUE_BOOLEAN, .boolean = (x)}

/* Secret files, made by main(). */
static char dir[64], good_file[96], open_file[96], empty_file[96],
    big_file[96], absent_file[96];

static char warning[1024];
static void sink(enum cx_log_level level, const char *message) {
  if (level == CX_LOG_WARNING)
    snprintf(warning, sizeof(warning), "%s", message);
}

/* What s holds for key, as text (the oracle of accepted cases). */
static void stored(const struct cx_settings *s, const char *key, char *out,
                   size_t size) {
  static const struct {
    const char *key;
    size_t offset;
    bool ms; /* a cx_ms_t, else a string */
  } fields[] = {
      {"Issuer", offsetof(struct cx_settings, issuer), false},
      {"ClientId", offsetof(struct cx_settings, client_id), false},
      {"ClientSecret", offsetof(struct cx_settings, client_secret), false},
      {"ClientSecretFile", offsetof(struct cx_settings, client_secret), false},
      {"AccessKeyId", offsetof(struct cx_settings, access_key_id), false},
      {"AccessKeySecret", offsetof(struct cx_settings, access_key_secret), false},
      {"AccessKeySecretFile", offsetof(struct cx_settings, access_key_secret), false},
      {"APIEndpoint", offsetof(struct cx_settings, api_endpoint), false},
      {"APIVersion", offsetof(struct cx_settings, api_version), false},
      {"CACert", offsetof(struct cx_settings, ca_file), false},
      {"Host", offsetof(struct cx_settings, host), false},
      {"Interval", offsetof(struct cx_settings, interval), true},
      {"Timeout", offsetof(struct cx_settings, timeout), true},
      {"Window", offsetof(struct cx_settings, window), true},
      {"LookBack", offsetof(struct cx_settings, lookback), true},
      {"HistoryOverlap", offsetof(struct cx_settings, overlap), true},
      {"HistoryChunk", offsetof(struct cx_settings, chunk), true},
      {"SkillSummaryInterval",
       offsetof(struct cx_settings, skill_summary_interval), true},
  };
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    const char *field = (const char *)s + fields[i].offset;
    if (strcasecmp(key, fields[i].key) != 0)
      continue;
    if (fields[i].ms) {
      snprintf(out, size, "%lld ms", (long long)*(const cx_ms_t *)field);
    } else {
      const char *v = *(char *const *)field;
      snprintf(out, size, "%s", v ? v : "(null)");
    }
    return;
  }
  size_t len = 0;
  out[0] = '\0';
  if (strcmp(key, "ClientAuth") == 0)
    snprintf(out, size, "%s", s->client_auth == CX_CLIENT_AUTH_POST ? "post"
                              : s->client_auth == CX_CLIENT_AUTH_BASIC ? "basic"
                                                                      : "?");
  else if (strcmp(key, "AgentLabel") == 0)
    snprintf(out, size, "%s", s->agent_label == CX_LABEL_ID     ? "id"
                              : s->agent_label == CX_LABEL_NAME ? "name"
                              : s->agent_label == CX_LABEL_USERNAME ? "username"
                                                                    : "?");
  else if (strcmp(key, "VerifyPeer") == 0)
    snprintf(out, size, "%s", s->verify_peer ? "true" : "false");
  else if (strcmp(key, "VerifyHost") == 0)
    snprintf(out, size, "%s", s->verify_host ? "true" : "false");
  else if (strcmp(key, "PerAgent") == 0)
    snprintf(out, size, "%s", s->per_agent ? "true" : "false");
  else if (strcmp(key, "Today") == 0)
    snprintf(out, size, "%s", s->today ? "true" : "false");
  else if (strcmp(key, "Skills") == 0)
    snprintf(out, size, "%s", s->skills ? "true" : "false");
  else if (strcmp(key, "PerSkill") == 0)
    snprintf(out, size, "%s", s->per_skill ? "true" : "false");
  else if (strcmp(key, "TimeZone") == 0) /* 2026-01-15T00:00:00Z */
    snprintf(out, size, "%+d s in January",
             (int)cx_tz_offset(s->tz, 1768435200000LL));
  else if (strcmp(key, "PageSize") == 0)
    snprintf(out, size, "%u", s->page_size);
  else if (strcmp(key, "ParallelRequests") == 0)
    snprintf(out, size, "%u", s->parallel);
  else if (strcmp(key, "Team") == 0)
    for (size_t i = 0; i < s->filter.nteams && len < size; i++)
      len += (size_t)snprintf(out + len, size - len, "%s[%s]", i ? " " : "",
                              s->filter.teams[i]);
  else if (strcmp(key, "Skill") == 0)
    for (size_t i = 0; i < s->filter.nskills && len < size; i++)
      len += (size_t)snprintf(out + len, size - len, "%s[%s]", i ? " " : "",
                              s->filter.skills[i]);
  else if (strcmp(key, "Agent") == 0)
    for (size_t i = 0; i < s->filter.nagents && len < size; i++)
      len += (size_t)snprintf(out + len, size - len, "%s%" PRId64, i ? " " : "",
                              s->filter.agents[i]);
}

struct key_case {
  const char *key;
  bool text;              /* an option's or variable's text, not a conf's */
  size_t n;
  struct cx_value v[3];
  const char *want;       /* accepted: what is stored (see stored()) */
  const char *error;      /* refused: the message, or its start with a
                             file's path */
  const char *warning;    /* a warning's text, or NULL for none */
};

#define T "<Tenant \"t\">: "
#define SECONDS(key, range) T key ": expected a number of seconds from " range
#define WHOLE(key, range) T key ": expected a whole number from " range

static const struct key_case key_cases[] = {
    /* Issuer and APIEndpoint: https:// URLs (http:// with a warning). */
    {"Issuer", 0, 1, {S("https://cxone.example.com")}, "https://cxone.example.com", NULL, NULL},
    {"issuer", 0, 1, {S("HTTPS://x")}, "HTTPS://x", NULL, NULL},
    {"Issuer", 0, 1, {S("http://127.0.0.1:8")}, "http://127.0.0.1:8", NULL,
     T "Issuer: \"http://127.0.0.1:8\" is plain HTTP: credentials and tokens would travel unencrypted"},
    {"Issuer", 0, 1, {S("cxone.niceincontact.com")}, NULL,
     T "Issuer: expected an https:// URL, got \"cxone.niceincontact.com\"", NULL},
    {"Issuer", 0, 1, {N(443)}, NULL, T "Issuer: expected one quoted string", NULL},
    {"Issuer", 0, 2, {S("https://a"), S("https://b")}, NULL, T "Issuer: expected one quoted string", NULL},
    {"Issuer", 0, 0, {{0}}, NULL, T "Issuer: expected one quoted string", NULL},
    {"Issuer", 0, 1, {S("")}, NULL, T "Issuer: must not be empty", NULL},
    {"APIEndpoint", 0, 1, {S("https://api-na1.example.com")}, "https://api-na1.example.com", NULL, NULL},
    {"APIEndpoint", 0, 1, {S("ftp://x")}, NULL, T "APIEndpoint: expected an https:// URL, got \"ftp://x\"", NULL},
    /* Plain strings. */
    {"ClientId", 0, 1, {S("client")}, "client", NULL, NULL},
    {"ClientId", 0, 1, {N(12)}, NULL, T "ClientId: expected one quoted string", NULL},
    {"ClientId", 1, 1, {S("12")}, "12", NULL, NULL},
    {"AccessKeyId", 0, 1, {S("KEY+/==")}, "KEY+/==", NULL, NULL},
    {"AccessKeyId", 0, 1, {B(true)}, NULL, T "AccessKeyId: expected one quoted string", NULL},
    {"CACert", 0, 1, {S("/etc/ca.pem")}, "/etc/ca.pem", NULL, NULL},
    {"CACert", 0, 1, {S("")}, NULL, T "CACert: must not be empty", NULL},
    {"Host", 0, 1, {S("wallboard")}, "wallboard", NULL, NULL},
    {"Host", 0, 2, {S("a"), S("b")}, NULL, T "Host: expected one quoted string", NULL},
    /* Secrets, inline or from the first line of a file. */
    {"ClientSecret", 0, 1, {S("s3cr3t")}, "s3cr3t", NULL, NULL},
    {"ClientSecret", 0, 1, {S("")}, NULL, T "ClientSecret: must not be empty", NULL},
    {"AccessKeySecret", 0, 1, {S("k+/=")}, "k+/=", NULL, NULL},
    {"AccessKeySecret", 0, 1, {N(1)}, NULL, T "AccessKeySecret: expected one quoted string", NULL},
    {"ClientSecretFile", 0, 1, {S(good_file)}, "file-secret", NULL, NULL},
    {"AccessKeySecretFile", 0, 1, {S(open_file)}, "open-secret", NULL,
     "is accessible to group or others (mode 644); chmod 600 it"},
    {"ClientSecretFile", 0, 1, {S(absent_file)}, NULL, T "ClientSecretFile: cannot read \"", NULL},
    {"AccessKeySecretFile", 0, 1, {S(empty_file)}, NULL, T "AccessKeySecretFile: \"", NULL},
    {"ClientSecretFile", 0, 1, {S(big_file)}, NULL, T "ClientSecretFile: \"", NULL},
    {"ClientSecretFile", 0, 1, {N(7)}, NULL, T "ClientSecretFile: expected one quoted string", NULL},
    /* Choices, case-insensitive, into the shared enums. */
    {"ClientAuth", 0, 1, {S("post")}, "post", NULL, NULL},
    {"ClientAuth", 0, 1, {S("BASIC")}, "basic", NULL, NULL},
    {"ClientAuth", 0, 1, {S("jwt")}, NULL, T "ClientAuth: expected one of \"basic\" | \"post\"", NULL},
    {"ClientAuth", 0, 1, {N(1)}, NULL, T "ClientAuth: expected one of \"basic\" | \"post\"", NULL},
    {"AgentLabel", 0, 1, {S("username")}, "username", NULL, NULL},
    {"AgentLabel", 0, 1, {S("Name")}, "name", NULL, NULL},
    {"AgentLabel", 1, 1, {S("id")}, "id", NULL, NULL},
    {"AgentLabel", 0, 1, {S("nick")}, NULL, T "AgentLabel: expected one of \"id\" | \"name\" | \"username\"", NULL},
    /* The API version: vNN.0. */
    {"APIVersion", 0, 1, {S("v31.0")}, "v31.0", NULL, NULL},
    {"APIVersion", 0, 1, {S("v2.0")}, "v2.0", NULL, NULL},
    {"APIVersion", 0, 1, {S("30")}, NULL, T "APIVersion: expected a version like \"v30.0\", got \"30\"", NULL},
    {"APIVersion", 0, 1, {S("v30")}, NULL, T "APIVersion: expected a version like \"v30.0\", got \"v30\"", NULL},
    {"APIVersion", 0, 1, {S("v1000.0")}, NULL, T "APIVersion: expected a version like \"v30.0\", got \"v1000.0\"", NULL},
    /* Booleans: conf booleans; text "true"/"false". */
    {"VerifyPeer", 0, 1, {B(false)}, "false", NULL, NULL},
    {"VerifyPeer", 1, 1, {S("FALSE")}, "false", NULL, NULL},
    {"VerifyPeer", 0, 1, {S("false")}, NULL, T "VerifyPeer: expected true or false", NULL},
    {"VerifyPeer", 0, 1, {S("yes please")}, NULL, T "VerifyPeer: expected true or false", NULL},
    {"VerifyHost", 0, 1, {B(false)}, "false", NULL, NULL},
    {"VerifyHost", 1, 1, {S("maybe")}, NULL, "--t: VerifyHost: expected true or false", NULL},
    {"PerAgent", 0, 1, {B(false)}, "false", NULL, NULL},
    {"PerAgent", 0, 1, {N(1)}, NULL, T "PerAgent: expected true or false", NULL},
    /* Seconds, within each key's range; fractions kept to the ms. */
    {"Interval", 0, 1, {N(1)}, "1000 ms", NULL, NULL},
    {"Interval", 0, 1, {N(86400)}, "86400000 ms", NULL, NULL},
    {"Interval", 0, 1, {N(0.5)}, NULL, SECONDS("Interval", "1 to 86400"), NULL},
    {"Interval", 0, 1, {N(86401)}, NULL, SECONDS("Interval", "1 to 86400"), NULL},
    {"Interval", 1, 1, {S("30")}, "30000 ms", NULL, NULL},
    {"Interval", 1, 1, {S("30s")}, NULL, "--t: Interval: expected a number of seconds from 1 to 86400", NULL},
    {"Interval", 0, 1, {S("30")}, NULL, SECONDS("Interval", "1 to 86400"), NULL},
    {"Timeout", 0, 1, {N(2.5)}, "2500 ms", NULL, NULL},
    {"Timeout", 0, 1, {N(0)}, NULL, SECONDS("Timeout", "1 to 3600"), NULL},
    {"Timeout", 0, 1, {N(3601)}, NULL, SECONDS("Timeout", "1 to 3600"), NULL},
    {"Window", 0, 1, {N(60)}, "60000 ms", NULL, NULL},
    {"Window", 0, 1, {N(604800)}, "604800000 ms", NULL, NULL},
    {"Window", 0, 1, {N(10)}, NULL, SECONDS("Window", "60 to 604800"), NULL},
    {"Window", 0, 1, {S("day")}, NULL, SECONDS("Window", "60 to 604800"), NULL},
    {"Window", 0, 2, {N(60), N(60)}, NULL, SECONDS("Window", "60 to 604800"), NULL},
    {"LookBack", 0, 1, {N(0)}, "0 ms", NULL, NULL},
    {"LookBack", 0, 1, {N(-1)}, NULL, SECONDS("LookBack", "0 to 604800"), NULL},
    {"HistoryOverlap", 0, 1, {N(0)}, "0 ms", NULL, NULL},
    {"HistoryOverlap", 0, 1, {N(86401)}, NULL, SECONDS("HistoryOverlap", "0 to 86400"), NULL},
    {"HistoryChunk", 0, 1, {N(300)}, "300000 ms", NULL, NULL},
    {"HistoryChunk", 0, 1, {N(299)}, NULL, SECONDS("HistoryChunk", "300 to 86400"), NULL},
    /* Whole numbers. */
    {"PageSize", 0, 1, {N(1)}, "1", NULL, NULL},
    {"PageSize", 0, 1, {N(100000)}, "100000", NULL, NULL},
    {"PageSize", 0, 1, {N(0)}, NULL, WHOLE("PageSize", "1 to 100000"), NULL},
    {"PageSize", 0, 1, {N(1.5)}, NULL, WHOLE("PageSize", "1 to 100000"), NULL},
    {"ParallelRequests", 0, 1, {N(32)}, "32", NULL, NULL},
    {"ParallelRequests", 0, 1, {N(33)}, NULL, WHOLE("ParallelRequests", "1 to 32"), NULL},
    {"ParallelRequests", 1, 1, {S("2")}, "2", NULL, NULL},
    /* Filters: Team names, Agent ids (numbers or numeric strings). */
    {"Team", 0, 1, {S("Tier 1")}, "[Tier 1]", NULL, NULL},
    {"Team", 0, 1, {N(1)}, NULL, T "Team: expected one quoted string", NULL},
    {"Team", 0, 1, {S("")}, NULL, T "Team: must not be empty", NULL},
    {"Agent", 0, 3, {N(1001), S("1002"), N(9e15)}, "1001 1002 9000000000000000", NULL, NULL},
    {"Agent", 0, 0, {{0}}, NULL, T "Agent: expected at least one agent id", NULL},
    {"Agent", 0, 1, {S("bob")}, NULL, T "Agent: expected CXone agent ids (positive whole numbers)", NULL},
    {"Agent", 0, 1, {N(0)}, NULL, T "Agent: expected CXone agent ids (positive whole numbers)", NULL},
    {"Agent", 0, 1, {N(1.5)}, NULL, T "Agent: expected CXone agent ids (positive whole numbers)", NULL},
    {"Agent", 0, 1, {B(true)}, NULL, T "Agent: expected CXone agent ids (positive whole numbers)", NULL},
    /* The day's figures, and whose midnight (a zone read from zoneinfo). */
    {"Today", 0, 1, {B(true)}, "true", NULL, NULL},
    {"Today", 1, 1, {S("no")}, NULL, "--t: Today: expected true or false", NULL},
    {"TimeZone", 0, 1, {S("Europe/Paris")}, "+3600 s in January", NULL, NULL},
    {"TimeZone", 1, 1, {S("Asia/Kolkata")}, "+19800 s in January", NULL, NULL},
    {"TimeZone", 0, 1, {S("UTC")}, "+0 s in January", NULL, NULL},
    {"TimeZone", 0, 1, {S("Mars/Olympus")}, NULL, T "TimeZone: expected an IANA time zone such as \"Europe/Paris\", or \"UTC\"", NULL},
    {"TimeZone", 0, 1, {S("../../etc/passwd")}, NULL, T "TimeZone: expected an IANA time zone such as \"Europe/Paris\", or \"UTC\"", NULL},
    {"TimeZone", 0, 1, {N(1)}, NULL, T "TimeZone: expected one quoted string", NULL},
    /* Skills: the switch, per-skill series, the summaries' interval (0:
     * none), and the Skill filter (names). */
    {"Skills", 0, 1, {B(false)}, "false", NULL, NULL},
    {"Skills", 1, 1, {S("TRUE")}, "true", NULL, NULL},
    {"Skills", 0, 1, {S("off")}, NULL, T "Skills: expected true or false", NULL},
    {"PerSkill", 0, 1, {B(false)}, "false", NULL, NULL},
    {"PerSkill", 0, 1, {N(0)}, NULL, T "PerSkill: expected true or false", NULL},
    {"SkillSummaryInterval", 0, 1, {N(0)}, "0 ms", NULL, NULL},
    {"SkillSummaryInterval", 0, 1, {N(60)}, "60000 ms", NULL, NULL},
    {"SkillSummaryInterval", 1, 1, {S("900")}, "900000 ms", NULL, NULL},
    {"SkillSummaryInterval", 0, 1, {N(-5)}, NULL, SECONDS("SkillSummaryInterval", "0 to 86400"), NULL},
    {"SkillSummaryInterval", 0, 1, {N(86401)}, NULL, SECONDS("SkillSummaryInterval", "0 to 86400"), NULL},
    {"SkillSummaryInterval", 0, 1, {S("5m")}, NULL, SECONDS("SkillSummaryInterval", "0 to 86400"), NULL},
    {"Skill", 0, 1, {S("Billing Voice")}, "[Billing Voice]", NULL, NULL},
    {"Skill", 1, 1, {S("Sales/Chat")}, "[Sales/Chat]", NULL, NULL},
    {"Skill", 0, 1, {N(501)}, NULL, T "Skill: expected one quoted string", NULL},
    {"Skill", 0, 1, {S("")}, NULL, T "Skill: must not be empty", NULL},
    {"Skill", 0, 2, {S("a"), S("b")}, NULL, T "Skill: expected one quoted string", NULL},
    /* Unknown keys name the block and the key. */
    {"Colour", 0, 1, {S("blue")}, NULL, "<Tenant \"t\">: unknown option \"Colour\" (see collectd-cxone(5))", NULL},
};

static void test_every_key(void) {
  const struct cx_settings_source conf = {"<Tenant \"t\">", false};
  const struct cx_settings_source text = {"--t", true};
  for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
    const struct key_case *c = &key_cases[i];
    struct cx_settings s;
    struct cx_error err;
    char got[sizeof(err.message)];
    cx_settings_init(&s);
    cx_error_clear(&err);
    warning[0] = '\0';
    enum cx_status st = cx_settings_apply(&s, c->text ? &text : &conf, c->key,
                                          c->v, c->n, &err);
    bool ok;
    if (c->want != NULL) {
      stored(&s, c->key, got, sizeof(got));
      ok = st == CX_OK && strcmp(got, c->want) == 0;
    } else {
      snprintf(got, sizeof(got), "%s", err.message);
      ok = st == CX_ERR_INVALID && err.status == CX_ERR_INVALID &&
           strncmp(err.message, c->error, strlen(c->error)) == 0 &&
           (strlen(c->error) == strlen(err.message) ||
            c->error[strlen(c->error) - 1] == '"');
    }
    if (c->warning != NULL)
      ok = ok && strstr(warning, c->warning) != NULL;
    else
      ok = ok && warning[0] == '\0';
    if (!ok)
      fprintf(stderr, "  case %zu (%s): status %s, got \"%s\", warning \"%s\"\n",
              i, c->key, cx_status_name(st), got, warning);
    CHECK(ok);
    cx_settings_free(&s);
  }
  printf("     %zu key cases\n", sizeof(key_cases) / sizeof(key_cases[0]));
}

/* A refused secret file's message names the file, never the secret. */
static void test_secret_files(void) {
  const struct cx_settings_source conf = {"<Tenant \"t\">", false};
  struct cx_settings s;
  struct cx_error err;
  char want[256];
  cx_settings_init(&s);
  const struct cx_value empty = S(empty_file), big = S(big_file),
                        absent = S(absent_file);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "ClientSecretFile", &empty, 1, &err),
               CX_ERR_INVALID);
  snprintf(want, sizeof(want), "<Tenant \"t\">: ClientSecretFile: \"%s\" is "
           "empty; expected the secret on its first line", empty_file);
  CHECK_EQ_STR(err.message, want);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "ClientSecretFile", &big, 1, &err),
               CX_ERR_INVALID);
  snprintf(want, sizeof(want), "<Tenant \"t\">: ClientSecretFile: \"%s\": "
           "expected a secret of at most 4096 bytes", big_file);
  CHECK_EQ_STR(err.message, want);
  CHECK(strstr(err.message, "xxxx") == NULL);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "ClientSecretFile", &absent, 1, &err),
               CX_ERR_INVALID);
  snprintf(want, sizeof(want), "<Tenant \"t\">: ClientSecretFile: cannot read "
           "\"%s\": No such file or directory", absent_file);
  CHECK_EQ_STR(err.message, want);
  /* A later value replaces an earlier one (in secret memory). */
  const struct cx_value a = S("first"), b = S(good_file);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "ClientSecret", &a, 1, &err), CX_OK);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "ClientSecretFile", &b, 1, &err), CX_OK);
  CHECK_EQ_STR(s.client_secret, "file-secret");
  cx_settings_free(&s);
}

/* Team and Agent add up; clear_list empties one list. */
static void test_lists(void) {
  const struct cx_settings_source conf = {"<Tenant \"t\">", false};
  struct cx_settings s;
  struct cx_error err;
  cx_settings_init(&s);
  const struct cx_value t1 = S("A"), t2 = S("B"), a[2] = {N(1), N(2)};
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "Team", &t1, 1, &err), CX_OK);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "team", &t2, 1, &err), CX_OK);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "Agent", a, 2, &err), CX_OK);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "Agent", a, 1, &err), CX_OK);
  CHECK_EQ_INT(s.filter.nteams, 2);
  CHECK_EQ_INT(s.filter.nagents, 3);
  cx_settings_clear_list(&s, "agent");
  CHECK_EQ_INT(s.filter.nagents, 0);
  CHECK_EQ_INT(s.filter.nteams, 2);
  cx_settings_clear_list(&s, "Window");
  cx_settings_clear_list(&s, "Team");
  CHECK_EQ_INT(s.filter.nteams, 0);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "Skill", &t1, 1, &err), CX_OK);
  CHECK_EQ_INT(cx_settings_apply(&s, &conf, "SKILL", &t2, 1, &err), CX_OK);
  CHECK_EQ_INT(s.filter.nskills, 2);
  CHECK_EQ_STR(s.filter.skills[1], "B");
  cx_settings_clear_list(&s, "Team");
  CHECK_EQ_INT(s.filter.nskills, 2);
  cx_settings_clear_list(&s, "skill");
  CHECK_EQ_INT(s.filter.nskills, 0);
  CHECK(cx_settings_known("ACCESSKEYID") && !cx_settings_known("Node"));
  cx_settings_free(&s);
}

static void set(struct cx_settings *s, const char *key, struct cx_value v) {
  const struct cx_settings_source conf = {"<Tenant \"t\">", false};
  struct cx_error err;
  CHECK_EQ_INT(cx_settings_apply(s, &conf, key, &v, 1, &err), CX_OK);
}

static void set_required(struct cx_settings *s) {
  set(s, "Issuer", (struct cx_value)S("https://cxone.example.com"));
  set(s, "ClientId", (struct cx_value)S("id"));
  set(s, "ClientSecret", (struct cx_value)S("cs"));
  set(s, "AccessKeyId", (struct cx_value)S("ak"));
  set(s, "AccessKeySecret", (struct cx_value)S("aks"));
}

static void test_required_keys(void) {
  static const struct {
    const char *key, *missing;
  } cases[] = {
      {"Issuer", "Issuer"},
      {"ClientId", "ClientId"},
      {"ClientSecret", "ClientSecret (or ClientSecretFile)"},
      {"AccessKeyId", "AccessKeyId"},
      {"AccessKeySecret", "AccessKeySecret (or AccessKeySecretFile)"},
  };
  const struct cx_settings_use use = {.user_agent = "t", .interval = 10000};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct cx_settings s;
    struct cx_poll_config cfg;
    struct cx_error err;
    char want[256];
    cx_settings_init(&s);
    static const char *const all[] = {"Issuer", "ClientId", "ClientSecret",
                                      "AccessKeyId", "AccessKeySecret"};
    static const char *const values[] = {"https://x", "id", "cs", "ak", "aks"};
    for (size_t k = 0; k < 5; k++)
      if (strcmp(all[k], cases[i].key) != 0)
        set(&s, all[k], (struct cx_value)S(values[k]));
    CHECK_EQ_INT(cx_settings_resolve(&s, "<Tenant \"t\">", &use, &cfg, &err),
                 CX_ERR_INVALID);
    snprintf(want, sizeof(want), "<Tenant \"t\">: %s: missing; this key is "
             "required", cases[i].missing);
    CHECK_EQ_STR(err.message, want);
    cx_settings_free(&s);
  }
  struct cx_settings s;
  struct cx_poll_config cfg;
  struct cx_error err;
  cx_settings_init(&s);
  CHECK_EQ_INT(cx_settings_resolve(&s, "settings", &use, &cfg, &err),
               CX_ERR_INVALID);
  CHECK_EQ_STR(err.message, "settings: Issuer, ClientId, ClientSecret (or "
               "ClientSecretFile), AccessKeyId, AccessKeySecret (or "
               "AccessKeySecretFile): missing; these keys are required");
  cx_settings_free(&s);
}

/* Periodic reads: every default of collectd-cxone(5). */
static void test_resolve_periodic_defaults(void) {
  struct cx_settings s;
  struct cx_poll_config cfg;
  struct cx_error err;
  cx_settings_init(&s);
  set_required(&s);
  const struct cx_settings_use use = {.user_agent = "ua/1", .interval = 10000};
  warning[0] = '\0';
  CHECK_EQ_INT(cx_settings_resolve(&s, "<Tenant \"t\">", &use, &cfg, &err), CX_OK);
  CHECK_EQ_STR(cfg.api.issuer, "https://cxone.example.com");
  CHECK_EQ_STR(cfg.api.client_secret, "cs");
  CHECK_EQ_STR(cfg.api.access_key_secret, "aks");
  CHECK(cfg.api.api_endpoint == NULL && cfg.api.api_version == NULL);
  CHECK_EQ_INT(cfg.api.client_auth, CX_CLIENT_AUTH_BASIC);
  CHECK(cfg.http.verify_peer && cfg.http.verify_host && cfg.http.ca_file == NULL);
  CHECK_EQ_INT(cfg.http.timeout_ms, 10000);   /* Timeout: the interval */
  CHECK_EQ_INT(cfg.http.max_body, 64 << 20);
  CHECK_EQ_STR(cfg.http.user_agent, "ua/1");
  CHECK_EQ_INT(cfg.interval, 10000);          /* collectd's */
  CHECK_EQ_INT(cfg.budget, 9000);             /* Timeout less a tenth */
  CHECK_EQ_INT(cfg.window, 86400 * 1000);
  CHECK_EQ_INT(cfg.lookback, 86400 * 1000);   /* LookBack: the Window */
  CHECK_EQ_INT(cfg.overlap, 600 * 1000);
  CHECK_EQ_INT(cfg.chunk, 7200 * 1000);
  CHECK_EQ_INT(cfg.page_size, 1000);
  CHECK_EQ_INT(cfg.parallel, 4);
  CHECK(cfg.filter.nteams == 0 && cfg.filter.nagents == 0);
  CHECK(s.per_agent && s.agent_label == CX_LABEL_ID && s.host == NULL);
  CHECK(cfg.skills && s.per_skill);            /* Skills, PerSkill: on */
  CHECK_EQ_INT(cfg.skill_summary_interval, 300 * 1000);
  CHECK_EQ_INT(cfg.filter.nskills, 0);
  CHECK_EQ_STR(warning, "");
  cx_settings_free(&s);
}

static void test_resolve_periodic_set(void) {
  struct cx_settings s;
  struct cx_poll_config cfg;
  struct cx_error err;
  cx_settings_init(&s);
  set_required(&s);
  set(&s, "Interval", (struct cx_value)N(60));
  set(&s, "Timeout", (struct cx_value)N(120));
  set(&s, "Window", (struct cx_value)N(3600));
  set(&s, "ClientAuth", (struct cx_value)S("post"));
  set(&s, "Team", (struct cx_value)S("Tier 1"));
  const struct cx_settings_use use = {.user_agent = "ua/1", .interval = 10000};
  warning[0] = '\0';
  CHECK_EQ_INT(cx_settings_resolve(&s, "<Tenant \"t\">", &use, &cfg, &err), CX_OK);
  CHECK_EQ_STR(warning, "<Tenant \"t\">: Timeout (120.000 s) is longer than "
               "the interval (60.000 s): a slow CXone can make reads overrun");
  CHECK_EQ_INT(cfg.interval, 60000);
  CHECK_EQ_INT(cfg.http.timeout_ms, 120000);
  CHECK_EQ_INT(cfg.budget, 119000);           /* less 1 s at most */
  CHECK_EQ_INT(cfg.lookback, 3600 * 1000);
  CHECK_EQ_INT(cfg.api.client_auth, CX_CLIENT_AUTH_POST);
  CHECK(cfg.filter.nteams == 1 && cfg.filter.teams == s.filter.teams);
  cx_settings_free(&s);
}

/* One query: no interval, no overlap, Timeout 30 s, the query's window. */
static void test_resolve_query(void) {
  struct cx_settings s;
  struct cx_poll_config cfg;
  struct cx_error err;
  cx_settings_init(&s);
  set_required(&s);
  const struct cx_settings_use use = {.user_agent = "q", .window = 7200000,
                                      .budget = 3600000};
  CHECK_EQ_INT(cx_settings_resolve(&s, "settings", &use, &cfg, &err), CX_OK);
  CHECK_EQ_INT(cfg.interval, 0);
  CHECK_EQ_INT(cfg.overlap, 0);
  CHECK_EQ_INT(cfg.http.timeout_ms, 30000);
  CHECK_EQ_INT(cfg.budget, 3600000);
  CHECK_EQ_INT(cfg.window, 7200000);
  CHECK_EQ_INT(cfg.lookback, 7200000);
  CHECK(!cfg.skills); /* one query reads agents only */
  set(&s, "LookBack", (struct cx_value)N(0));
  set(&s, "Timeout", (struct cx_value)N(5));
  CHECK_EQ_INT(cx_settings_resolve(&s, "settings", &use, &cfg, &err), CX_OK);
  CHECK_EQ_INT(cfg.lookback, 0);
  CHECK_EQ_INT(cfg.http.timeout_ms, 5000);
  cx_settings_free(&s);
}

static void write_file(const char *path, const char *text, size_t len,
                       mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
    perror(path);
    exit(1);
  }
  fchmod(fd, mode);
  close(fd);
}

int main(void) {
  snprintf(dir, sizeof(dir), "/tmp/t_settings.XXXXXX");
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(good_file, sizeof(good_file), "%s/good", dir);
  snprintf(open_file, sizeof(open_file), "%s/open", dir);
  snprintf(empty_file, sizeof(empty_file), "%s/empty", dir);
  snprintf(big_file, sizeof(big_file), "%s/big", dir);
  snprintf(absent_file, sizeof(absent_file), "%s/absent", dir);
  write_file(good_file, "file-secret \t\r\nsecond line\n", 26, 0600);
  write_file(open_file, "open-secret\n", 12, 0644);
  write_file(empty_file, "\n", 1, 0600);
  static char big[5000];
  memset(big, 'x', sizeof(big));
  write_file(big_file, big, sizeof(big), 0600);
  cx_log_set_sink(sink);

  RUN(test_every_key);
  RUN(test_secret_files);
  RUN(test_lists);
  RUN(test_required_keys);
  RUN(test_resolve_periodic_defaults);
  RUN(test_resolve_periodic_set);
  RUN(test_resolve_query);

  unlink(good_file);
  unlink(open_file);
  unlink(empty_file);
  unlink(big_file);
  rmdir(dir);
  return unit_finish();
}
