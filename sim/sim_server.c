/*
 * sim_server.c: the HTTPS server around the route table.
 *
 * Owns the libmicrohttpd daemon (TLS, a thread per connection so a slow
 * answer never blocks other clients), the listening socket, request bodies
 * (up to MAX_BODY), and for each request: the sim_req handed to sim_route,
 * the response sent from its reply (padded for the huge fault) and the
 * --log-requests line.
 */
#include "sim.h"
#include "sim_req.h"
#include "sim_routes.h"
#include "sim_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_BODY (64 * 1024)

/* Body accumulated over the upload calls of one request. */
struct upload {
  char *buf;
  size_t len;
  bool too_big;
};

/* --- Sending. --- */

/* The body, then spaces up to `size` bytes. */
struct padded {
  char *body;
  size_t len, size;
};

static ssize_t padded_read(void *cls, uint64_t pos, char *buf, size_t max) {
  const struct padded *p = cls;
  size_t n = 0;
  if (pos < p->len) {
    n = p->len - (size_t)pos < max ? p->len - (size_t)pos : max;
    memcpy(buf, p->body + pos, n);
  }
  size_t left = (pos + n < p->size ? p->size - (size_t)pos - n : 0);
  size_t pad = max - n < left ? max - n : left;
  memset(buf + n, ' ', pad);
  return (ssize_t)(n + pad);
}

static void padded_free(void *cls) {
  struct padded *p = cls;
  free(p->body);
  free(p);
}

static enum MHD_Result send_reply(struct sim_req *r) {
  struct MHD_Response *resp = NULL;
  size_t sent = sim_reply_size(r);
  if (r->pad_to > 0) {
    struct padded *p = malloc(sizeof *p);
    if (p != NULL) {
      *p = (struct padded){r->out, r->out_len, sent};
      r->out = NULL;
      resp = MHD_create_response_from_callback(sent, 64 * 1024, padded_read, p,
                                               padded_free);
      if (resp == NULL)
        padded_free(p);
    }
  } else {
    resp = MHD_create_response_from_buffer(r->out_len, r->out,
                                           MHD_RESPMEM_MUST_FREE);
    if (resp != NULL)
      r->out = NULL;
  }
  free(r->out);
  r->out = NULL;
  if (resp == NULL)
    return MHD_NO;
  if (r->ctype != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
  if (r->ic_status != NULL)
    MHD_add_response_header(resp, "icStatusDescription", r->ic_status);
  enum MHD_Result ret = MHD_queue_response(r->conn, r->status, resp);
  MHD_destroy_response(resp);
  if (sim_cfg.log_requests)
    fprintf(stderr, "cxone-sim: %s %s %u %zu %.3f\n", r->method, r->path,
            r->status, sent, (double)r->arrived / 1000.0);
  return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls) {
  (void)cls;
  (void)version;
  struct upload *up = *con_cls;
  if (up == NULL) {
    up = calloc(1, sizeof *up);
    *con_cls = up;
    return up ? MHD_YES : MHD_NO;
  }
  if (*upload_size != 0) {
    if (up->len + *upload_size > MAX_BODY) {
      up->too_big = true;
    } else {
      char *nb = realloc(up->buf, up->len + *upload_size + 1);
      if (nb == NULL)
        return MHD_NO;
      memcpy(nb + up->len, upload_data, *upload_size);
      up->buf = nb;
      up->len += *upload_size;
      up->buf[up->len] = '\0';
    }
    *upload_size = 0;
    return MHD_YES;
  }

  struct sim_req r = {.conn = conn,
                      .method = method,
                      .path = url,
                      .body = up->buf ? up->buf : "",
                      .body_len = up->len,
                      .body_too_big = up->too_big,
                      .status = 500};
  r.arrived = cx_now_ms();
  sim_route(&r);
  return send_reply(&r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  struct upload *up = *con_cls;
  if (up != NULL) {
    free(up->buf);
    free(up);
    *con_cls = NULL;
  }
}

/* Binds the listening socket ourselves so the port (maybe chosen by the
 * kernel) and with it the base URL are known before the first request. */
static int listen_socket(void) {
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)sim_cfg.listen_port)};
  socklen_t len = sizeof sa;
  int one = 1;
  bool localhost = strcmp(sim_cfg.listen_host, "localhost") == 0;
  if (inet_pton(AF_INET, localhost ? "127.0.0.1" : sim_cfg.listen_host,
                &sa.sin_addr) != 1) {
    fprintf(stderr,
            "cxone-sim: --listen: not an IPv4 address or localhost: %s\n",
            sim_cfg.listen_host);
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      listen(fd, 128) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
    fprintf(stderr, "cxone-sim: cannot listen on %s:%u: %s\n",
            sim_cfg.listen_host, sim_cfg.listen_port, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  sim_cfg.listen_port = ntohs(sa.sin_port);
  snprintf(sim_cfg.base_url, sizeof sim_cfg.base_url, "https://%s:%u",
           sa.sin_addr.s_addr == htonl(INADDR_ANY) ? "127.0.0.1"
                                                   : sim_cfg.listen_host,
           sim_cfg.listen_port);
  return fd;
}

struct MHD_Daemon *sim_server_start(const char *cert_pem, const char *key_pem) {
  int fd = listen_socket();
  if (fd < 0)
    return NULL;
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                   MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_TLS;
  if (sim_cfg.log_requests)
    flags |= MHD_USE_ERROR_LOG;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET,
      (MHD_socket)fd, MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
      MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
      MHD_OPTION_END);
  if (d == NULL) {
    fprintf(
        stderr,
        "cxone-sim: cannot start the HTTPS server (bad certificate or key?)\n");
    close(fd);
  }
  return d;
}
