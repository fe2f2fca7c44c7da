/*
 * cxq_conf.c: collectd.conf syntax -> a tree of items (see cxq_conf.h).
 *
 * A recursive-descent parser over the whole text: one statement per line,
 * a block header "<Key values>" opens a child list that its "</Key>" closes.
 * Values are read as collectd reads them: a quoted string is a string, an
 * unquoted word that is a whole number literal is a number, true/yes/on and
 * false/no/off are booleans, anything else is a string.  cxq_conf_read then
 * follows Include as collectd does (below).
 */
#include "cx_log.h"
#include "cx_secret.h"
#include "cxq_conf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <wordexp.h>

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

/* Where an Include line is, for messages about what it includes. */
struct origin {
  const char *file;
  int line;
};

__attribute__((format(printf, 4, 5))) static int fail_at(
    const struct origin *from, char *err, size_t errsize, const char *fmt,
    ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err, errsize, fmt, ap);
  va_end(ap);
  if (from != NULL && n >= 0 && (size_t)n < errsize)
    snprintf(err + n, errsize - (size_t)n, " (Include at %s:%d)", from->file,
             from->line);
  return -1;
}

/* The text of a regular file, parsed into root (which it resets). */
static int parse_file(const char *path, const struct origin *from,
                      struct cxq_item *root, char *err, size_t errsize) {
  memset(root, 0, sizeof(*root));
  FILE *f = fopen(path, "re");
  struct stat st;
  if (f == NULL || fstat(fileno(f), &st) != 0) {
    int e = errno;
    if (f != NULL)
      fclose(f);
    return fail_at(from, err, errsize, "%s: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_CONF_SIZE) {
    fclose(f);
    return fail_at(from, err, errsize,
                   "%s: not a regular file of at most %u bytes", path,
                   MAX_CONF_SIZE);
  }
  size_t cap = (size_t)st.st_size + 1;
  char *buf = malloc(cap);
  if (buf == NULL) {
    fclose(f);
    return fail_at(from, err, errsize, "%s: out of memory", path);
  }
  size_t n = fread(buf, 1, cap - 1, f);
  int rc = ferror(f) ? -1 : 0;
  fclose(f);
  if (rc != 0)
    fail_at(from, err, errsize, "%s: read error", path);
  else
    rc = cxq_conf_parse(buf, n, path, root, err, errsize);
  explicit_bzero(buf, cap);
  free(buf);
  return rc;
}

/* ---- Include, as collectd's configfile.c follows it ----
 *
 * An Include line (or <Include "path"> block with a Filter glob) at the top
 * level of a file stands for the top-level items of what it names: the
 * path is expanded like a shell word (wordexp, no command substitution;
 * relative paths are relative to the working directory, as in collectd),
 * the matches are taken in strcmp order; a file is read when its base name
 * matches the Filter (if any), a directory is read entry by entry in strcmp
 * order (names starting with '.' skipped), recursing into subdirectories.
 * Includes inside included files are followed the same way.  Where
 * collectd logs an error and goes on without the file, this reader stops
 * with the error: a checker should not pass a configuration collectd reads
 * only in part.  Includes and directories nest at most MAX_INCLUDE_DEPTH
 * deep (collectd's limit), which also stops include and symlink loops. */

#define MAX_INCLUDE_DEPTH 8

static int read_path(const char *pattern, const char *filter, int depth,
                     const struct origin *from, struct cxq_item *dst,
                     char *err, size_t errsize);

/* Moves it (then zeroed) to the end of dst's children. */
static int move_child(struct cxq_item *dst, struct cxq_item *it) {
  struct cxq_item *c =
      realloc(dst->children, (dst->nchildren + 1) * sizeof(*c));
  if (c == NULL)
    return -1;
  dst->children = c;
  dst->children[dst->nchildren++] = *it;
  memset(it, 0, sizeof(*it));
  return 0;
}

/* The path and Filter of an Include item; -1 with err when malformed. */
static int include_args(const struct cxq_item *it, const struct origin *at,
                        const char **path, const char **filter, char *err,
                        size_t errsize) {
  if (it->nvalues != 1 || it->values[0].type != CX_VALUE_STRING) {
    snprintf(err, errsize, "%s:%d: Include: expected one quoted path",
             at->file, at->line);
    return -1;
  }
  *path = it->values[0].string;
  *filter = NULL;
  for (size_t i = 0; i < it->nchildren; i++) {
    const struct cxq_item *c = &it->children[i];
    if (strcasecmp(c->key, "Filter") != 0 || c->nvalues != 1 ||
        c->values[0].type != CX_VALUE_STRING || *filter != NULL) {
      snprintf(err, errsize, "%s:%d: <Include>: only one Filter \"glob\" is "
               "allowed inside", at->file, c->line);
      return -1;
    }
    *filter = c->values[0].string;
  }
  return 0;
}

/* A file's items into dst, its Includes replaced by what they include;
 * nothing when filter is set and the base name does not match it. */
static int read_file(const char *path, const char *filter, int depth,
                     const struct origin *from, struct cxq_item *dst,
                     char *err, size_t errsize) {
  if (filter != NULL) {
    const char *base = strrchr(path, '/');
    if (fnmatch(filter, base != NULL ? base + 1 : path, 0) != 0)
      return 0;
  }
  struct cxq_item root;
  if (parse_file(path, from, &root, err, errsize) != 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < root.nchildren; i++) {
    struct cxq_item *it = &root.children[i];
    if (strcasecmp(it->key, "Include") != 0) {
      if ((rc = move_child(dst, it)) != 0)
        snprintf(err, errsize, "%s: out of memory", path);
      continue;
    }
    const struct origin at = {path, it->line};
    const char *inc, *inc_filter;
    rc = include_args(it, &at, &inc, &inc_filter, err, errsize);
    if (rc == 0)
      rc = read_path(inc, inc_filter, depth + 1, &at, dst, err, errsize);
  }
  cxq_conf_free(&root);
  return rc;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_entry(const char *path, const char *filter, int depth,
                      const struct origin *from, struct cxq_item *dst,
                      char *err, size_t errsize);

/* A directory's entries, in strcmp order, one level deeper. */
static int read_dir(const char *path, const char *filter, int depth,
                    const struct origin *from, struct cxq_item *dst,
                    char *err, size_t errsize) {
  DIR *d = opendir(path);
  if (d == NULL)
    return fail_at(from, err, errsize, "%s: %s", path, strerror(errno));
  char **names = NULL;
  size_t n = 0;
  int rc = 0;
  const struct dirent *de;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    char **grown = realloc(names, (n + 1) * sizeof(*names));
    size_t size = strlen(path) + strlen(de->d_name) + 2;
    char *name = grown != NULL ? malloc(size) : NULL;
    if (grown != NULL)
      names = grown;
    if (name != NULL)
      snprintf(name, size, "%s/%s", path, de->d_name);
    if (name == NULL)
      rc = fail_at(from, err, errsize, "%s: out of memory", path);
    else
      names[n++] = name;
  }
  closedir(d);
  if (n > 0)
    qsort(names, n, sizeof(*names), compare_names);
  for (size_t i = 0; i < n; i++) {
    if (rc == 0)
      rc = read_entry(names[i], filter, depth + 1, from, dst, err, errsize);
    free(names[i]);
  }
  free(names);
  return rc;
}

static int read_entry(const char *path, const char *filter, int depth,
                      const struct origin *from, struct cxq_item *dst,
                      char *err, size_t errsize) {
  if (depth >= MAX_INCLUDE_DEPTH)
    return fail_at(from, err, errsize, "%s: includes and directories nested "
                   "%d deep (an include loop?)", path, MAX_INCLUDE_DEPTH);
  struct stat st;
  if (stat(path, &st) != 0) {
    if (from == NULL || (errno != ENOENT && errno != ENOTDIR))
      return fail_at(from, err, errsize, "%s: %s", path, strerror(errno));
    /* Not there: collectd warns and goes on (a glob matching nothing). */
    cx_log(CX_LOG_WARNING, "%s:%d: Include \"%s\": %s; nothing included",
           from->file, from->line, path, strerror(errno));
    return 0;
  }
  if (S_ISDIR(st.st_mode))
    return read_dir(path, filter, depth, from, dst, err, errsize);
  if (S_ISREG(st.st_mode))
    return read_file(path, filter, depth, from, dst, err, errsize);
  return fail_at(from, err, errsize, "%s: neither a file nor a directory",
                 path);
}

static int read_path(const char *pattern, const char *filter, int depth,
                     const struct origin *from, struct cxq_item *dst,
                     char *err, size_t errsize) {
  wordexp_t we;
  int wrc = wordexp(pattern, &we, WRDE_NOCMD);
  if (wrc != 0) {
    if (wrc == WRDE_NOSPACE)
      wordfree(&we);
    return fail_at(from, err, errsize, "\"%s\": cannot expand the path",
                   pattern);
  }
  if (we.we_wordc > 1)
    qsort(we.we_wordv, we.we_wordc, sizeof(*we.we_wordv), compare_names);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < we.we_wordc; i++)
    rc = read_entry(we.we_wordv[i], filter, depth, from, dst, err, errsize);
  wordfree(&we);
  return rc;
}

int cxq_conf_read(const char *path, struct cxq_item *root, char *err,
                  size_t errsize) {
  memset(root, 0, sizeof(*root));
  int rc = read_entry(path, NULL, 0, NULL, root, err, errsize);
  if (rc != 0)
    cxq_conf_free(root);
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
  for (size_t i = 0; i < root->nchildren; i++) {
    const struct cxq_item *pl = &root->children[i];
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
    snprintf(err, errsize, "no <Tenant \"name\"> block inside <Plugin cxone>");
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
