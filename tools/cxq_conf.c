/*
 * cxq_conf.c: collectd.conf syntax -> a tree of items (see cxq_conf.h).
 *
 * A recursive-descent parser over the whole text: one statement per line,
 * a block header "<Key values>" opens a child list that its "</Key>" closes.
 * Values are read as collectd reads them: a quoted string is a string, an
 * unquoted word that is a whole number literal is a number, true/yes/on and
 * false/no/off are booleans, anything else is a string.
 */
#include "cx_secret.h"
#include "cxq_conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_CONF_SIZE (16u * 1024 * 1024)
#define MAX_DEPTH 16

struct parser {
  const char *p, *end;
  int line;
  const char *name;
  char *err;
  size_t errsize;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *ps,
                                                      const char *fmt, ...) {
  int n = snprintf(ps->err, ps->errsize, "%s:%d: ", ps->name, ps->line);
  va_list ap;
  va_start(ap, fmt);
  if (n >= 0 && (size_t)n < ps->errsize)
    vsnprintf(ps->err + n, ps->errsize - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

static void item_clear(struct cxq_item *it) {
  free(it->key);
  for (size_t i = 0; i < it->nvalues; i++)
    cx_wipe_free((char *)it->values[i].string);
  free(it->values);
  for (size_t i = 0; i < it->nchildren; i++)
    item_clear(&it->children[i]);
  free(it->children);
  memset(it, 0, sizeof(*it));
}

void cxq_conf_free(struct cxq_item *root) { item_clear(root); }

/* Skips blanks, comments and backslash-newline continuations; stops at a
 * newline (not consumed) or the end. */
static void skip_blank(struct parser *ps) {
  while (ps->p < ps->end) {
    char c = *ps->p;
    if (c == ' ' || c == '\t' || c == '\r') {
      ps->p++;
    } else if (c == '\\' && ps->p + 1 < ps->end &&
               (ps->p[1] == '\n' || ps->p[1] == '\r')) {
      ps->p += ps->p[1] == '\r' && ps->p + 2 < ps->end && ps->p[2] == '\n' ? 3 : 2;
      ps->line++;
    } else if (c == '#') {
      while (ps->p < ps->end && *ps->p != '\n')
        ps->p++;
    } else {
      break;
    }
  }
}

static bool at_eol(const struct parser *ps) {
  return ps->p >= ps->end || *ps->p == '\n';
}

static char *read_key(struct parser *ps) {
  const char *s = ps->p;
  while (ps->p < ps->end &&
         (*ps->p == '_' || (*ps->p >= 'A' && *ps->p <= 'Z') ||
          (*ps->p >= 'a' && *ps->p <= 'z') ||
          (ps->p > s && *ps->p >= '0' && *ps->p <= '9')))
    ps->p++;
  if (ps->p == s) {
    fail(ps, "expected an option name");
    return NULL;
  }
  char *k = strndup(s, (size_t)(ps->p - s));
  if (k == NULL)
    fail(ps, "out of memory");
  return k;
}

static int read_quoted(struct parser *ps, struct cx_value *v) {
  ps->p++; /* opening quote */
  const char *s = ps->p;
  size_t n = 0;
  for (; ps->p < ps->end && *ps->p != '"' && *ps->p != '\n'; ps->p++, n++)
    if (*ps->p == '\\' && ps->p + 1 < ps->end && ps->p[1] != '\n')
      ps->p++;
  if (ps->p >= ps->end || *ps->p != '"')
    return fail(ps, "unterminated quoted string");
  char *out = malloc(n + 1);
  if (out == NULL)
    return fail(ps, "out of memory");
  size_t k = 0;
  for (const char *q = s; q < ps->p; q++) {
    if (*q == '\\')
      q++;
    out[k++] = *q;
  }
  out[k] = '\0';
  ps->p++; /* closing quote */
  *v = (struct cx_value){.type = CX_VALUE_STRING, .string = out};
  return 0;
}

static void classify_word(struct cx_value *v) {
  static const char *const yes[] = {"true", "yes", "on"};
  static const char *const no[] = {"false", "no", "off"};
  for (size_t i = 0; i < 3; i++) {
    if (strcasecmp(v->string, yes[i]) == 0 || strcasecmp(v->string, no[i]) == 0) {
      v->type = CX_VALUE_BOOLEAN;
      v->boolean = strcasecmp(v->string, yes[i]) == 0;
      return;
    }
  }
  char *end = NULL;
  errno = 0;
  double d = strtod(v->string, &end);
  if (end != v->string && *end == '\0' && errno == 0 &&
      strspn(v->string, "+-0123456789.eExXabcdefABCDEF") == strlen(v->string)) {
    v->type = CX_VALUE_NUMBER;
    v->number = d;
  }
}

static int read_value(struct parser *ps, struct cx_value *v) {
  if (*ps->p == '"')
    return read_quoted(ps, v);
  const char *s = ps->p;
  while (ps->p < ps->end && strchr(" \t\r\n\"<>#", *ps->p) == NULL)
    ps->p++;
  if (ps->p == s)
    return fail(ps, "unexpected '%c'", *ps->p);
  *v = (struct cx_value){.type = CX_VALUE_STRING,
                          .string = strndup(s, (size_t)(ps->p - s))};
  if (v->string == NULL)
    return fail(ps, "out of memory");
  classify_word(v);
  return 0;
}

/* Values up to the end of the line (or a '>' when in_header). */
static int read_values(struct parser *ps, struct cxq_item *it, bool in_header) {
  for (;;) {
    skip_blank(ps);
    if (at_eol(ps) || (in_header && *ps->p == '>'))
      return 0;
    struct cx_value *vs = realloc(it->values, (it->nvalues + 1) * sizeof(*vs));
    if (vs == NULL)
      return fail(ps, "out of memory");
    it->values = vs;
    if (read_value(ps, &vs[it->nvalues]) != 0)
      return -1;
    it->nvalues++;
  }
}

static struct cxq_item *new_child(struct parser *ps, struct cxq_item *parent) {
  struct cxq_item *c =
      realloc(parent->children, (parent->nchildren + 1) * sizeof(*c));
  if (c == NULL) {
    fail(ps, "out of memory");
    return NULL;
  }
  parent->children = c;
  c = &c[parent->nchildren++];
  memset(c, 0, sizeof(*c));
  c->line = ps->line;
  return c;
}

static int expect_eol(struct parser *ps) {
  skip_blank(ps);
  return at_eol(ps) ? 0 : fail(ps, "unexpected text after the option");
}

/* Statements into parent until "</closing>" (or the end when closing is
 * NULL). */
static int parse_items(struct parser *ps, struct cxq_item *parent,
                       const char *closing, int depth) {
  for (;;) {
    skip_blank(ps);
    if (ps->p >= ps->end)
      return closing == NULL ? 0 : fail(ps, "missing </%s>", closing);
    if (*ps->p == '\n') {
      ps->p++;
      ps->line++;
      continue;
    }
    if (*ps->p == '<' && ps->p + 1 < ps->end && ps->p[1] == '/') {
      ps->p += 2;
      char *key = read_key(ps);
      if (key == NULL)
        return -1;
      skip_blank(ps);
      int bad = closing == NULL || strcasecmp(key, closing) != 0 ||
                ps->p >= ps->end || *ps->p != '>';
      if (bad) {
        fail(ps, closing ? "expected </%s>" : "</%s> closes no block",
             closing ? closing : key);
        free(key);
        return -1;
      }
      free(key);
      ps->p++;
      return expect_eol(ps);
    }
    bool block = *ps->p == '<';
    if (block) {
      ps->p++;
      if (depth >= MAX_DEPTH)
        return fail(ps, "blocks nested too deeply");
    }
    struct cxq_item *it = new_child(ps, parent);
    if (it == NULL || (it->key = read_key(ps)) == NULL ||
        read_values(ps, it, block) != 0)
      return -1;
    if (!block) {
      if (expect_eol(ps) != 0)
        return -1;
      continue;
    }
    if (ps->p >= ps->end || *ps->p != '>')
      return fail(ps, "expected '>' to end <%s ...>", it->key);
    ps->p++;
    if (expect_eol(ps) != 0)
      return -1;
    /* parent's array (where `it` lives) does not grow meanwhile. */
    if (parse_items(ps, it, it->key, depth + 1) != 0)
      return -1;
  }
}

int cxq_conf_parse(const char *text, size_t len, const char *name,
                   struct cxq_item *root, char *err, size_t errsize) {
  struct parser ps = {.p = text, .end = text + len, .line = 1,
                      .name = name, .err = err, .errsize = errsize};
  memset(root, 0, sizeof(*root));
  if (parse_items(&ps, root, NULL, 0) != 0) {
    cxq_conf_free(root);
    return -1;
  }
  return 0;
}

int cxq_conf_read(const char *path, struct cxq_item *root, char *err,
                  size_t errsize) {
  memset(root, 0, sizeof(*root));
  FILE *f = fopen(path, "re");
  struct stat st;
  if (f == NULL || fstat(fileno(f), &st) != 0) {
    snprintf(err, errsize, "%s: %s", path, strerror(errno));
    if (f != NULL)
      fclose(f);
    return -1;
  }
  if (!S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_CONF_SIZE) {
    snprintf(err, errsize, "%s: not a regular file of at most %u bytes", path,
             MAX_CONF_SIZE);
    fclose(f);
    return -1;
  }
  size_t cap = (size_t)st.st_size + 1;
  char *buf = malloc(cap);
  if (buf == NULL) {
    snprintf(err, errsize, "%s: out of memory", path);
    fclose(f);
    return -1;
  }
  size_t n = fread(buf, 1, cap - 1, f);
  int rc = ferror(f) ? -1 : 0;
  fclose(f);
  if (rc != 0)
    snprintf(err, errsize, "%s: read error", path);
  else
    rc = cxq_conf_parse(buf, n, path, root, err, errsize);
  explicit_bzero(buf, cap);
  free(buf);
  return rc;
}

static bool is_block(const struct cxq_item *it, const char *key,
                     const char *name) {
  return strcasecmp(it->key, key) == 0 && it->nvalues == 1 &&
         it->values[0].type == CX_VALUE_STRING &&
         (name == NULL || strcmp(it->values[0].string, name) == 0);
}

int cxq_conf_tenant(const struct cxq_item *root, const char *name,
                    const struct cxq_item **tenant, char *err, size_t errsize) {
  const struct cxq_item *found = NULL;
  size_t count = 0;
  char names[256] = "";
  bool includes = false;
  for (size_t i = 0; i < root->nchildren; i++) {
    const struct cxq_item *pl = &root->children[i];
    includes |= strcasecmp(pl->key, "Include") == 0;
    if (!is_block(pl, "Plugin", "cxone"))
      continue;
    for (size_t j = 0; j < pl->nchildren; j++) {
      const struct cxq_item *t = &pl->children[j];
      if (!is_block(t, "Tenant", NULL))
        continue;
      size_t used = strlen(names);
      snprintf(names + used, sizeof(names) - used, "%s\"%s\"",
               count > 0 ? ", " : "", t->values[0].string);
      count++;
      if (name == NULL || strcmp(t->values[0].string, name) == 0)
        found = t;
    }
  }
  if (count == 0) {
    snprintf(err, errsize, "no <Tenant \"name\"> block inside <Plugin cxone>%s",
             includes ? " (Include lines are not followed: give -c the "
                        "file that holds the block)" : "");
    return -1;
  }
  if (name == NULL && count > 1) {
    snprintf(err, errsize, "%zu tenants (%s): choose one with -t NAME", count,
             names);
    return -1;
  }
  if (found == NULL) {
    snprintf(err, errsize, "no <Tenant \"%s\"> block; tenants: %s", name,
             names);
    return -1;
  }
  *tenant = found;
  return 0;
}
