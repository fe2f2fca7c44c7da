/*
 * t_cxq_conf.c: cxone-query's reader of collectd.conf syntax: values,
 * escapes, comments, continuations, nested blocks, tenant lookup, errors
 * that name the line but never a value, and Include (files, directories,
 * Filter, globs, nesting, loops, relative paths) over a temporary tree.
 */
#include "cxq_conf.h"
#include "unit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- Include ---- */

static char tmp[64];

/* Writes tmp/rel (printf-style content); parent directories must exist. */
__attribute__((format(printf, 2, 3))) static void put(const char *rel,
                                                      const char *fmt, ...) {
  char path[256];
  snprintf(path, sizeof(path), "%s/%s", tmp, rel);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f == NULL)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fclose(f);
}

static void sub(const char *rel) {
  char path[256];
  snprintf(path, sizeof(path), "%s/%s", tmp, rel);
  CHECK_EQ_INT(mkdir(path, 0700), 0);
}

static int read_rel(const char *rel, struct cxq_item *root, char *err,
                    size_t size) {
  char path[256];
  snprintf(path, sizeof(path), "%s/%s", tmp, rel);
  return cxq_conf_read(path, root, err, size);
}

/* The tenants of root's <Plugin cxone> blocks, in order, comma-separated. */
static const char *tenants(const struct cxq_item *root) {
  static char out[256];
  out[0] = '\0';
  for (size_t i = 0; i < root->nchildren; i++) {
    const struct cxq_item *pl = &root->children[i];
    for (size_t j = 0; strcasecmp(pl->key, "Plugin") == 0 && j < pl->nchildren;
         j++) {
      size_t used = strlen(out);
      snprintf(out + used, sizeof(out) - used, "%s%s", used ? "," : "",
               pl->children[j].values[0].string);
    }
  }
  return out;
}

#define TENANT(name) "<Plugin cxone>\n<Tenant \"" name "\">\n</Tenant>\n</Plugin>\n"

static void test_include_dirs_filter_nesting(void) {
  sub("conf.d");
  sub("conf.d/sub");
  sub("extra");
  /* Directory order is strcmp order, whatever the creation order. */
  put("conf.d/b.conf", TENANT("b"));
  put("conf.d/a.conf", TENANT("a") "Include \"%s/extra/x.conf\"\n", tmp);
  put("conf.d/c.txt", TENANT("c-txt"));
  put("conf.d/.hidden.conf", TENANT("hidden"));
  put("conf.d/sub/d.conf", TENANT("d"));
  put("extra/x.conf", TENANT("x"));
  put("extra/y.conf", TENANT("y"));
  put("main.conf",
      "Hostname \"h\"\n"
      "<Include \"%s/conf.d\">\n  Filter \"*.conf\"\n</Include>\n"
      "Interval 10\n"
      "Include \"%s/extra/y*.conf\"\n"
      "Include \"%s/extra/nothing-*.conf\"\n", tmp, tmp, tmp);
  struct cxq_item root;
  char err[512] = "";
  CHECK_EQ_INT(read_rel("main.conf", &root, err, sizeof(err)), 0);
  if (err[0] != '\0')
    fprintf(stderr, "  %s\n", err);
  /* Each Include is replaced in place by what it names; nested ones too. */
  CHECK_EQ_STR(tenants(&root), "a,x,b,d,y");
  CHECK(root.nchildren == 7 && strcmp(root.children[0].key, "Hostname") == 0 &&
        strcmp(root.children[5].key, "Interval") == 0);
  const struct cxq_item *t = NULL;
  CHECK_EQ_INT(cxq_conf_tenant(&root, "d", &t, err, sizeof(err)), 0);
  cxq_conf_free(&root);
  /* Without Filter, a directory gives every file (dot files excepted). */
  put("all.conf", "Include \"%s/conf.d\"\n", tmp);
  CHECK_EQ_INT(read_rel("all.conf", &root, err, sizeof(err)), 0);
  CHECK_EQ_STR(tenants(&root), "a,x,b,c-txt,d");
  cxq_conf_free(&root);
  /* -c may name a directory, as collectd -C may. */
  CHECK_EQ_INT(read_rel("extra", &root, err, sizeof(err)), 0);
  CHECK_EQ_STR(tenants(&root), "x,y");
  cxq_conf_free(&root);
}

static void test_include_relative_to_cwd(void) {
  char cwd[256];
  CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
  put("rel.conf", "Include \"extra/x.conf\"\n");
  CHECK_EQ_INT(chdir(tmp), 0);
  struct cxq_item root;
  char err[512] = "";
  CHECK_EQ_INT(cxq_conf_read("rel.conf", &root, err, sizeof(err)), 0);
  CHECK_EQ_STR(tenants(&root), "x");
  cxq_conf_free(&root);
  CHECK_EQ_INT(chdir(cwd), 0);
}

static void test_include_errors_name_the_file(void) {
  struct cxq_item root;
  char err[512] = "";
  char expect[256];
  /* A loop stops at the depth limit, naming the file and the line. */
  put("loop.conf", "# a loop\nInclude \"%s/loop.conf\"\n", tmp);
  CHECK_EQ_INT(read_rel("loop.conf", &root, err, sizeof(err)), -1);
  snprintf(expect, sizeof(expect), "(Include at %s/loop.conf:2)", tmp);
  CHECK(strstr(err, "nested 8 deep") != NULL && strstr(err, expect) != NULL);
  /* A syntax error in an included file names that file and the Include. */
  sub("bad");
  put("bad/broken.conf", "<Plugin cxone>\n");
  put("inc-bad.conf", "\n\nInclude \"%s/bad\"\n", tmp);
  CHECK_EQ_INT(read_rel("inc-bad.conf", &root, err, sizeof(err)), -1);
  snprintf(expect, sizeof(expect), "%s/bad/broken.conf:2: missing </Plugin>",
           tmp);
  CHECK(strstr(err, expect) != NULL);
  /* A path that is not there is a warning, as in collectd. */
  put("inc-notdir.conf", "Include \"%s/main.conf/x\"\n", tmp);
  CHECK_EQ_INT(read_rel("inc-notdir.conf", &root, err, sizeof(err)), 0);
  cxq_conf_free(&root);
  /* A bad Include line or block. */
  put("inc-args.conf", "Include 1 2\n");
  CHECK_EQ_INT(read_rel("inc-args.conf", &root, err, sizeof(err)), -1);
  CHECK(strstr(err, "inc-args.conf:1: Include: expected one quoted path"));
  put("inc-block.conf", "<Include \"/x\">\n  Pattern \"*\"\n</Include>\n");
  CHECK_EQ_INT(read_rel("inc-block.conf", &root, err, sizeof(err)), -1);
  CHECK(strstr(err, "inc-block.conf:2: <Include>: only one Filter") != NULL);
  /* The top-level file must exist. */
  CHECK_EQ_INT(read_rel("missing.conf", &root, err, sizeof(err)), -1);
  CHECK(strstr(err, "missing.conf: No such file or directory") != NULL);
  /* Unreadable (only when not root, who reads anything). */
  if (geteuid() != 0) {
    put("secret.conf", TENANT("s"));
    char path[256];
    snprintf(path, sizeof(path), "%s/secret.conf", tmp);
    CHECK_EQ_INT(chmod(path, 0), 0);
    put("inc-secret.conf", "Include \"%s\"\n", path);
    CHECK_EQ_INT(read_rel("inc-secret.conf", &root, err, sizeof(err)), -1);
    CHECK(strstr(err, "secret.conf: Permission denied (Include at ") != NULL);
  }
}

int main(void) {
  snprintf(tmp, sizeof(tmp), "/tmp/t_cxq_conf.XXXXXX");
  if (mkdtemp(tmp) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  RUN(test_include_dirs_filter_nesting);
  RUN(test_include_relative_to_cwd);
  RUN(test_include_errors_name_the_file);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
  if (system(cmd) != 0)
    fprintf(stderr, "  could not remove %s\n", tmp);

  RUN(test_values_and_blocks);
  RUN(test_single_tenant_default);
  RUN(test_errors_name_the_line_not_the_value);
  return unit_finish();
}
