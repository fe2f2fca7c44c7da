/*
 * t_curl_wipe.c: libcurl's wiping allocation callbacks (cx_wipe_alloc.c,
 * installed by cx_http_global_init) and
 * cx_secret_clear_registers().  curl_global_init_mem() takes effect once per
 * process, so each case runs in a child.
 */
#include "cx_http.h"
#include "cx_secret.h"
#include "unit.h"

#include <curl/curl.h>

#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child; its exit status (0: ok). */
static int in_child(int (*fn)(void)) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0)
    _exit(fn());
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}

/* First in the process: libcurl allocates through the callbacks, and what
 * goes through them (a string escaped into a growing buffer) is intact. */
static int first(void) {
  if (cx_http_global_init() != CX_OK)
    return 1;
  if (!cx_http_global_wiping())
    return 2;
  char in[5000];
  for (size_t i = 0; i < sizeof(in); i++)
    in[i] = (char)(i % 3 == 0 ? '+' : 'a' + (int)(i % 26));
  char *out = curl_easy_escape(NULL, in, (int)sizeof(in));
  if (out == NULL || strlen(out) != sizeof(in) + 2 * ((sizeof(in) + 2) / 3))
    return 3;
  for (size_t i = 0, o = 0; i < sizeof(in); i++)
    if (in[i] == '+' ? strncmp(out + o, "%2B", 3) != 0 : out[o] != in[i])
      return 4;
    else
      o += in[i] == '+' ? 3 : 1;
  curl_free(out);
  cx_http_global_cleanup();
  return 0;
}

/* After another curl_global_init: not in effect, and said so. */
static int second(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return 1;
  if (cx_http_global_init() != CX_OK)
    return 2;
  if (cx_http_global_wiping())
    return 3;
  cx_http_global_cleanup();
  curl_global_cleanup();
  return 0;
}

static void test_first_in_process(void) { CHECK_EQ_INT(in_child(first), 0); }

static void test_after_curl_global_init(void) {
  CHECK_EQ_INT(in_child(second), 0);
}

static void test_clear_registers(void) {
  /* Runs on this CPU (no SIGILL) and leaves the caller's state usable. */
  double d[8] = {1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5};
  double sum = 0;
  cx_secret_clear_registers();
  for (int i = 0; i < 8; i++)
    sum += d[i];
  CHECK(sum == 40.0);
}

int main(void) {
  RUN(test_first_in_process);
  RUN(test_after_curl_global_init);
  RUN(test_clear_registers);
  return unit_finish();
}
