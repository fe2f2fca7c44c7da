/*
 * sim_server.h: the HTTPS server (sim_server.c).
 */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <microhttpd.h>

/* Starts the daemon on sim_cfg's address and sets sim_cfg.listen_port (when
 * it was 0) and sim_cfg.base_url.  Stop it with MHD_stop_daemon. */
struct MHD_Daemon *sim_server_start(const char *cert_pem, const char *key_pem);

#endif /* SIM_SERVER_H */
