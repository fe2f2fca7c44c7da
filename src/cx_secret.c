/*
 * cx_secret.c: secret memory (see cx_secret.h).  Each secret gets its own
 * anonymous mapping, rounded up to whole pages, with the mapping's size
 * stored in front of the string.  A handful of secrets per tenant makes the
 * page granularity irrelevant.
 *
 * cx_secret_clear_registers(): glibc's memcpy moves 64 to 512 bytes at a
 * time through vector registers (zmm16-31 with AVX-512) and leaves them
 * there; the thread that sent a request then sleeps with its last 256 bytes
 * or so (the tail of the Authorization header) in registers, which the
 * kernel saves and a core dump includes (NT_X86_XSTATE).  vzeroall clears
 * xmm/ymm/zmm 0-15; zmm16-31 need AVX-512 instructions, chosen at run time
 * (valgrind's CPU has no AVX-512, and takes the vzeroall path).
 */
#include "cx_secret.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define XMM0_15                                                                \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",      \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

__attribute__((noinline, target("avx512f"))) static void clear_avx512(void) {
  __asm__ volatile("vpxord %%zmm16, %%zmm16, %%zmm16\n\t"
                   "vmovdqa64 %%zmm16, %%zmm17\n\t"
                   "vmovdqa64 %%zmm16, %%zmm18\n\t"
                   "vmovdqa64 %%zmm16, %%zmm19\n\t"
                   "vmovdqa64 %%zmm16, %%zmm20\n\t"
                   "vmovdqa64 %%zmm16, %%zmm21\n\t"
                   "vmovdqa64 %%zmm16, %%zmm22\n\t"
                   "vmovdqa64 %%zmm16, %%zmm23\n\t"
                   "vmovdqa64 %%zmm16, %%zmm24\n\t"
                   "vmovdqa64 %%zmm16, %%zmm25\n\t"
                   "vmovdqa64 %%zmm16, %%zmm26\n\t"
                   "vmovdqa64 %%zmm16, %%zmm27\n\t"
                   "vmovdqa64 %%zmm16, %%zmm28\n\t"
                   "vmovdqa64 %%zmm16, %%zmm29\n\t"
                   "vmovdqa64 %%zmm16, %%zmm30\n\t"
                   "vmovdqa64 %%zmm16, %%zmm31\n\t"
                   "vzeroall"
                   :
                   :
                   : XMM0_15, "xmm16", "xmm17", "xmm18", "xmm19", "xmm20",
                     "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26",
                     "xmm27", "xmm28", "xmm29", "xmm30", "xmm31");
}

__attribute__((noinline, target("avx"))) static void clear_avx(void) {
  __asm__ volatile("vzeroall" : : : XMM0_15);
}

__attribute__((noinline)) static void clear_sse(void) {
  __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
                   "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
                   "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
                   "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
                   "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"
                   "pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
                   "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
                   "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15"
                   :
                   :
                   : XMM0_15);
}

void cx_secret_clear_registers(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    clear_avx512();
  else if (__builtin_cpu_supports("avx"))
    clear_avx();
  else
    clear_sse();
}
#else
void cx_secret_clear_registers(void) {}
#endif

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
