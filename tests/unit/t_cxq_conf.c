/*
 * t_cxq_conf.c: cxone-query's reader of collectd.conf syntax: values,
 * escapes, comments, continuations, nested blocks, tenant lookup, and
 * errors that name the line but never a value.
 */
#include "cxq_conf.h"
#include "unit.h"

static int parse(const char *text, struct cxq_item *root, char *err,
                 size_t size) {
  return cxq_conf_parse(text, strlen(text), "test.conf", root, err, size);
}

static const char conf[] =
    "# collectd.conf\n"
    "Hostname \"host\"   # trailing comment\n"
    "LoadPlugin cxone\n"
    "<Plugin \"cxone\">\n"
    "  <Tenant \"acme\">\n"
    "    Issuer \"https://cxone.example.com\"\n"
    "    ClientSecret \"a\\\"b\\\\c#d\"\n"
    "    Window 3600\n"
    "    VerifyPeer false\n"
    "    Agent 1001 \"1002\" \\\n"
    "          1003\n"
    "  </Tenant>\n"
    "  <tenant \"other\">\n"
    "    Timeout -2.5\n"
    "  </tenant>\n"
    "</Plugin>\n";

static void test_values_and_blocks(void) {
  struct cxq_item root;
  char err[256];
  CHECK_EQ_INT(parse(conf, &root, err, sizeof(err)), 0);
  CHECK_EQ_INT(root.nchildren, 3);
  const struct cxq_item *t = NULL;
  CHECK_EQ_INT(cxq_conf_tenant(&root, "acme", &t, err, sizeof(err)), 0);
  if (t != NULL) {
    CHECK_EQ_INT(t->nchildren, 5);
    CHECK_EQ_STR(t->children[0].values[0].string, "https://cxone.example.com");
    CHECK_EQ_STR(t->children[1].values[0].string, "a\"b\\c#d");
    CHECK_EQ_INT(t->children[2].values[0].type, CX_VALUE_NUMBER);
    CHECK(t->children[2].values[0].number == 3600);
    CHECK_EQ_INT(t->children[3].values[0].type, CX_VALUE_BOOLEAN);
    CHECK(!t->children[3].values[0].boolean);
    CHECK_EQ_INT(t->children[4].nvalues, 3);
    CHECK_EQ_INT(t->children[4].values[1].type, CX_VALUE_STRING);
    CHECK_EQ_INT(t->children[4].values[2].type, CX_VALUE_NUMBER);
    CHECK_EQ_INT(t->children[4].line, 10);
  }
  CHECK_EQ_INT(cxq_conf_tenant(&root, "other", &t, err, sizeof(err)), 0);
  CHECK(t != NULL && t->children[0].values[0].number == -2.5);
  /* Two tenants: no default; an unknown one lists those there are. */
  CHECK_EQ_INT(cxq_conf_tenant(&root, NULL, &t, err, sizeof(err)), -1);
  CHECK(strstr(err, "\"acme\", \"other\"") != NULL);
  CHECK_EQ_INT(cxq_conf_tenant(&root, "nope", &t, err, sizeof(err)), -1);
  CHECK(strstr(err, "no <Tenant \"nope\">") != NULL);
  cxq_conf_free(&root);
}

static void test_single_tenant_default(void) {
  struct cxq_item root;
  char err[256];
  const struct cxq_item *t = NULL;
  CHECK_EQ_INT(parse("<Plugin cxone>\n<Tenant \"x\">\nOn yes\n</Tenant>\n"
                     "</Plugin>", &root, err, sizeof(err)), 0);
  CHECK_EQ_INT(cxq_conf_tenant(&root, NULL, &t, err, sizeof(err)), 0);
  CHECK(t != NULL && t->children[0].values[0].type == CX_VALUE_BOOLEAN &&
        t->children[0].values[0].boolean);
  cxq_conf_free(&root);
  CHECK_EQ_INT(parse("Include \"/etc/collectd/collectd.conf.d\"\n", &root, err,
                     sizeof(err)), 0);
  CHECK_EQ_INT(cxq_conf_tenant(&root, NULL, &t, err, sizeof(err)), -1);
  CHECK(strstr(err, "Include") != NULL);
  cxq_conf_free(&root);
}

static void test_errors_name_the_line_not_the_value(void) {
  static const struct {
    const char *text, *expect;
  } cases[] = {
      {"<Plugin cxone>\n  Key \"v\"\n", "test.conf:3: missing </Plugin>"},
      {"<Plugin cxone>\n</Tenant>\n", "test.conf:2: expected </Plugin>"},
      {"</Plugin>\n", "test.conf:1: </Plugin> closes no block"},
      {"Secret \"s3cr3t\n", "test.conf:1: unterminated quoted string"},
      {"<Plugin cxone\n", "test.conf:1: expected '>'"},
      {"\"s3cr3t\"\n", "test.conf:1: expected an option name"},
      {"<Plugin cxone> extra\n</Plugin>\n", "test.conf:1: unexpected text"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct cxq_item root;
    char err[256] = "";
    CHECK_EQ_INT(parse(cases[i].text, &root, err, sizeof(err)), -1);
    if (strstr(err, cases[i].expect) == NULL)
      fprintf(stderr, "  case %zu: \"%s\"\n", i, err);
    CHECK(strstr(err, cases[i].expect) != NULL);
    CHECK(strstr(err, "s3cr3t") == NULL);
  }
}

int main(void) {
  RUN(test_values_and_blocks);
  RUN(test_single_tenant_default);
  RUN(test_errors_name_the_line_not_the_value);
  return unit_finish();
}
