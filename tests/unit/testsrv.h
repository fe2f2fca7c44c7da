/*
 * testsrv.h: the plumbing of the throwaway plain-HTTP servers in t_http.c and
 * t_api.c: a listening socket on 127.0.0.1 (ephemeral port), an accept that
 * gives up after 50 ms so the server thread sees its stop flag, and reading
 * one request (headers plus a Content-Length body).  Header-only; define
 * _GNU_SOURCE (strcasestr) before including it.
 */
#ifndef TESTSRV_H
#define TESTSRV_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A socket listening on 127.0.0.1 at an ephemeral port (*port), or -1. */
static inline int testsrv_listen(int backlog, int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof(a);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      listen(fd, backlog) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

/* A connection on fd, or -1 when none arrived within 50 ms. */
static inline int testsrv_accept(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (poll(&p, 1, 50) <= 0)
    return -1;
  return accept(fd, NULL, NULL);
}

/* Reads one request from c into buf (NUL-terminated, whatever arrived).
 * Returns 0 with *body after the blank line and *body_len its Content-Length,
 * or -1 when the peer closed early or the request does not fit. */
static inline int testsrv_read(int c, char *buf, size_t size, char **body,
                               size_t *body_len) {
  size_t n = 0;
  char *eoh = NULL;
  buf[0] = '\0';
  *body = NULL;
  *body_len = 0;
  for (;;) {
    ssize_t r = recv(c, buf + n, size - 1 - n, 0);
    if (r <= 0)
      return -1;
    n += (size_t)r;
    buf[n] = '\0';
    if (eoh == NULL && (eoh = strstr(buf, "\r\n\r\n")) != NULL) {
      const char *cl = strcasestr(buf, "\r\nContent-Length:");
      *body_len = cl != NULL && cl < eoh ? (size_t)atol(cl + 17) : 0;
    }
    if (eoh != NULL && n >= (size_t)(eoh + 4 - buf) + *body_len) {
      *body = eoh + 4;
      return 0;
    }
    if (n >= size - 1)
      return -1;
  }
}

#endif /* TESTSRV_H */
