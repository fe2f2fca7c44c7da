/*
 * cx_secret.c: secret memory (see cx_secret.h).  Each secret gets its own
 * anonymous mapping, rounded up to whole pages, with the mapping's size
 * stored in front of the string.  A handful of secrets per tenant makes the
 * page granularity irrelevant.
 */
#include "cx_secret.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct header {
  size_t size; /* of the whole mapping */
};

char *cx_secret_dup(const char *s) {
  if (s == NULL)
    return NULL;
  size_t len = strlen(s);
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t size = (sizeof(struct header) + len + 1 + page - 1) / page * page;
  void *map = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED)
    return NULL;
#ifdef MADV_DONTDUMP
  (void)madvise(map, size, MADV_DONTDUMP); /* best effort */
#endif
  ((struct header *)map)->size = size;
  char *copy = (char *)map + sizeof(struct header);
  memcpy(copy, s, len + 1);
  return copy;
}

char *cx_secret_adopt(char *s) {
  char *copy = cx_secret_dup(s);
  cx_wipe_free(s);
  return copy;
}

void cx_secret_free(char *s) {
  if (s == NULL)
    return;
  struct header *h = (struct header *)(s - sizeof(struct header));
  size_t size = h->size;
  explicit_bzero(h, size);
  munmap(h, size);
}

void cx_wipe_free(char *s) {
  if (s == NULL)
    return;
  explicit_bzero(s, strlen(s));
  free(s);
}
