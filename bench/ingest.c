/*
 * bench/ingest.c: how fast backfill ingest is, next to json-c's own parser,
 * on the same state-history pages.
 *
 * Each DIR holds pages (*.json, one body each, as the API sent them).  For
 * every DIR, in one run and on the same bytes held in memory, it measures
 * the CPU time of
 *   - json-c: json_tokener_parse of each page (and, apart, json_object_put
 *     of the tree: any json-c consumer pays both);
 *   - ingest: what the plugin does with a history page (on_history_page in
 *     cx_poll.c): cx_json_history_page, cx_ledger_add of every record, and
 *     cx_history_page_free;
 * and prints bytes per record, MB (10^6 bytes) per CPU-second of each, and
 * the ratio ingest / json_tokener_parse.  Rounds alternate the two; the
 * median round is shown.  The ledger is a fresh one per round (Window 48 h,
 * never advanced, so no record is dropped), created and destroyed outside
 * the timing.  scripts/bench-ingest fetches the pages from cxone-sim.
 *
 * usage: bench/ingest [--rounds N] [--only jsonc|ingest] DIR...
 *        bench/ingest --fields   (prints the fields= list the plugin sends)
 */
#include "cx_json.h"
#include "cx_ledger.h"

#include <json-c/json.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WINDOW_MS (48 * 3600 * 1000LL)
#define MAX_ROUNDS 101

struct page {
  char *body; /* NUL-terminated */
  size_t len;
};

struct pages {
  struct page *v;
  size_t n;
  size_t bytes;
  size_t records;
};

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, struct page *pg) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return -1;
  long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  int rc = -1;
  if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (pg->body = malloc((size_t)size + 1)) != NULL &&
      fread(pg->body, 1, (size_t)size, f) == (size_t)size) {
    pg->len = (size_t)size;
    pg->body[pg->len] = '\0';
    rc = 0;
  }
  fclose(f);
  return rc;
}

/* Loads DIR's *.json in name order and counts their records. */
static int load(const char *dir, struct pages *ps) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    fprintf(stderr, "ingest: %s: %s\n", dir, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    size_t l = strlen(e->d_name);
    if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
      continue;
    char **nn = realloc(names, (n + 1) * sizeof(*nn));
    if (nn == NULL || (nn[n] = strdup(e->d_name)) == NULL) {
      fprintf(stderr, "ingest: out of memory\n");
      exit(2);
    }
    names = nn;
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof(*names), cmp_name);
  *ps = (struct pages){.v = calloc(n ? n : 1, sizeof(*ps->v)), .n = n};
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    if (ps->v == NULL || read_file(path, &ps->v[i]) != 0) {
      fprintf(stderr, "ingest: cannot read %s\n", path);
      return -1;
    }
    ps->bytes += ps->v[i].len;
    struct cx_history_page pg;
    struct cx_error err;
    if (cx_json_history_page(ps->v[i].body, ps->v[i].len, &pg, &err) !=
        CX_OK) {
      fprintf(stderr, "ingest: %s: %s\n", path, err.message);
      return -1;
    }
    ps->records += pg.count;
    cx_history_page_free(&pg);
    free(names[i]);
  }
  free(names);
  if (n == 0 || ps->records == 0) {
    fprintf(stderr, "ingest: %s: no state-history page with records\n", dir);
    return -1;
  }
  return 0;
}

/* json_tokener_parse of every page; *put_s gets the json_object_put time. */
static double run_jsonc(const struct pages *ps, double *put_s) {
  double parse = 0, put = 0;
  for (size_t i = 0; i < ps->n; i++) {
    double t0 = cpu_now();
    json_object *o = json_tokener_parse(ps->v[i].body);
    double t1 = cpu_now();
    json_object_put(o);
    double t2 = cpu_now();
    if (o == NULL) {
      fprintf(stderr, "ingest: json-c refused page %zu\n", i);
      exit(2);
    }
    parse += t1 - t0;
    put += t2 - t1;
  }
  *put_s = put;
  return parse;
}

/* The plugin's path: page parse, a ledger item per record, page free. */
static double run_ingest(const struct pages *ps) {
  struct cx_ledger *l = cx_ledger_create(WINDOW_MS);
  if (l == NULL) {
    fprintf(stderr, "ingest: out of memory\n");
    exit(2);
  }
  double t0 = cpu_now();
  for (size_t i = 0; i < ps->n; i++) {
    struct cx_history_page pg;
    struct cx_error err;
    if (cx_json_history_page(ps->v[i].body, ps->v[i].len, &pg, &err) !=
        CX_OK) {
      fprintf(stderr, "ingest: page %zu: %s\n", i, err.message);
      exit(2);
    }
    for (size_t k = 0; k < pg.count; k++) {
      const struct cx_history_record *r = &pg.records[k];
      cx_ms_t end = r->duration == CX_DURATION_OPEN ? CX_MS_INFINITY
                                                    : r->start + r->duration;
      if (cx_ledger_add(l, r->agent_id, r->state_id, r->reason, r->start, end,
                        CX_SOURCE_HISTORY) == ENOMEM) {
        fprintf(stderr, "ingest: out of memory\n");
        exit(2);
      }
    }
    cx_history_page_free(&pg);
  }
  double t = cpu_now() - t0;
  cx_ledger_destroy(l);
  return t;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(*v), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double mbps(size_t bytes, double s) {
  return s > 0 ? (double)bytes / 1e6 / s : 0;
}

static void bench(const char *dir, const struct pages *ps, int rounds,
                  const char *only) {
  double parse[MAX_ROUNDS], put[MAX_ROUNDS], ingest[MAX_ROUNDS], put_s;
  bool do_jsonc = only == NULL || strcmp(only, "jsonc") == 0;
  bool do_ingest = only == NULL || strcmp(only, "ingest") == 0;
  if (do_jsonc) /* warm-up */
    run_jsonc(ps, &put_s);
  if (do_ingest)
    run_ingest(ps);
  for (int r = 0; r < rounds; r++) {
    parse[r] = put[r] = ingest[r] = 0;
    if (do_jsonc) {
      double parse_s = run_jsonc(ps, &put_s);
      parse[r] = mbps(ps->bytes, parse_s);
      put[r] = mbps(ps->bytes, parse_s + put_s);
    }
    if (do_ingest)
      ingest[r] = mbps(ps->bytes, run_ingest(ps));
  }
  double mp = median(parse, rounds), mpp = median(put, rounds),
         mi = median(ingest, rounds);
  printf("%-28s %6zu %8zu %8.1f %10.1f %10.1f %10.1f %7.2f %7.2f\n", dir,
         ps->n, ps->records, (double)ps->bytes / (double)ps->records, mp, mpp,
         mi, mp > 0 ? mi / mp : 0, mpp > 0 ? mi / mpp : 0);
}

int main(int argc, char **argv) {
  int rounds = 7, i = 1;
  const char *only = NULL;
  if (argc == 2 && strcmp(argv[1], "--fields") == 0) {
    puts(CX_JSON_HISTORY_FIELDS);
    return 0;
  }
  for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
    if (strcmp(argv[i], "--rounds") == 0)
      rounds = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--only") == 0)
      only = argv[i + 1];
    else
      break;
  }
  if (i >= argc || rounds < 1 || rounds > MAX_ROUNDS ||
      (only != NULL && strcmp(only, "jsonc") != 0 &&
       strcmp(only, "ingest") != 0)) {
    fprintf(stderr, "usage: ingest [--rounds 1..%d] [--only jsonc|ingest] "
                    "DIR...\n       ingest --fields\n", MAX_ROUNDS);
    return 2;
  }
  printf("MB per CPU-second, median of %d rounds; ratio = ingest / "
         "json_tokener_parse (and / parse+put)\n", rounds);
  printf("%-28s %6s %8s %8s %10s %10s %10s %7s %7s\n", "pages", "pages",
         "records", "B/rec", "parse", "parse+put", "ingest", "ratio",
         "ratio+p");
  for (; i < argc; i++) {
    struct pages ps;
    if (load(argv[i], &ps) != 0)
      return 1;
    bench(argv[i], &ps, rounds, only);
    for (size_t k = 0; k < ps.n; k++)
      free(ps.v[k].body);
    free(ps.v);
  }
  return 0;
}
