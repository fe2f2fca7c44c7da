/*
 * sim_tls.c: the simulator's private PKI, made with libcrypto.
 *
 * Owns the TLS directory: a CA (ca.pem, ca.key) and a server certificate for
 * CN=localhost with SAN DNS:localhost and IP:127.0.0.1 (server.pem,
 * server.key), all EC P-256, valid 30 days.  Clients trust ca.pem.
 */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define VALIDITY_DAYS 30

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (ext == NULL)
    return -1;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok ? 0 : -1;
}

/* Makes a certificate for key; self-signed when issuer is NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
                       EVP_PKEY *issuer_key) {
  X509 *cert = X509_new();
  BIGNUM *serial = BN_new();
  int ok = cert != NULL && serial != NULL && X509_set_version(cert, 2) &&
           BN_rand(serial, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
           BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) &&
           X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
           X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * VALIDITY_DAYS) &&
           X509_set_pubkey(cert, key);
  BN_free(serial);
  X509_NAME *name = ok ? X509_get_subject_name(cert) : NULL;
  ok =
      ok &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 (const unsigned char *)"cxone-sim", -1, -1,
                                 0) &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 (const unsigned char *)cn, -1, -1, 0) &&
      X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  X509 *iss = issuer ? issuer : cert;
  if (ok && issuer == NULL)
    ok = add_ext(cert, iss, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
         add_ext(cert, iss, NID_key_usage, "critical,keyCertSign,cRLSign") ==
             0 &&
         add_ext(cert, iss, NID_subject_key_identifier, "hash") == 0;
  else if (ok)
    ok = add_ext(cert, iss, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
         add_ext(cert, iss, NID_key_usage,
                 "critical,digitalSignature,keyAgreement") == 0 &&
         add_ext(cert, iss, NID_ext_key_usage, "serverAuth") == 0 &&
         add_ext(cert, iss, NID_subject_alt_name,
                 "DNS:localhost,IP:127.0.0.1") == 0 &&
         add_ext(cert, iss, NID_subject_key_identifier, "hash") == 0 &&
         add_ext(cert, iss, NID_authority_key_identifier, "keyid:always") == 0;
  ok = ok && X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
  if (!ok) {
    X509_free(cert);
    return NULL;
  }
  return cert;
}

/* Writes a PEM file atomically (temp + rename) with the given mode. */
static int write_pem(const char *dir, const char *file, mode_t mode, X509 *cert,
                     EVP_PKEY *key) {
  char path[4096], tmp[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, file);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    fprintf(stderr, "cxone-sim: %s: %s\n", tmp, strerror(errno));
    return -1;
  }
  int ok = fchmod(fileno(f), mode) == 0 &&
           (cert ? PEM_write_X509(f, cert)
                 : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL));
  ok = (fclose(f) == 0) && ok && rename(tmp, path) == 0;
  if (!ok) {
    fprintf(stderr, "cxone-sim: cannot write %s\n", path);
    unlink(tmp);
    return -1;
  }
  return 0;
}

int sim_tls_generate(const char *dir) {
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "cxone-sim: mkdir %s: %s\n", dir, strerror(errno));
    return -1;
  }
  EVP_PKEY *ca_key = EVP_EC_gen("P-256");
  EVP_PKEY *srv_key = EVP_EC_gen("P-256");
  X509 *ca = ca_key ? make_cert(ca_key, "cxone-sim CA", NULL, NULL) : NULL;
  X509 *srv =
      ca && srv_key ? make_cert(srv_key, "localhost", ca, ca_key) : NULL;
  int rc = -1;
  if (srv == NULL) {
    fprintf(stderr, "cxone-sim: certificate generation failed\n");
    ERR_print_errors_fp(stderr);
  } else if (write_pem(dir, "ca.key", 0600, NULL, ca_key) == 0 &&
             write_pem(dir, "ca.pem", 0644, ca, NULL) == 0 &&
             write_pem(dir, "server.key", 0600, NULL, srv_key) == 0 &&
             write_pem(dir, "server.pem", 0644, srv, NULL) == 0) {
    rc = 0;
  }
  X509_free(srv);
  X509_free(ca);
  EVP_PKEY_free(srv_key);
  EVP_PKEY_free(ca_key);
  return rc;
}

/* Reads a whole file into a NUL-terminated string, NULL when unreadable. */
static char *slurp(const char *dir, const char *file) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0, n;
  do {
    if (cap - len < 4096) {
      cap = cap ? 2 * cap : 8192;
      char *nb = realloc(buf, cap);
      if (nb == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
  } while (n > 0);
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}

int sim_tls_load(const char *dir, char **cert_pem, char **key_pem) {
  char path[4096];
  snprintf(path, sizeof path, "%s/ca.pem", dir);
  bool have = access(path, R_OK) == 0;
  *cert_pem = have ? slurp(dir, "server.pem") : NULL;
  *key_pem = have ? slurp(dir, "server.key") : NULL;
  if (*cert_pem != NULL && *key_pem != NULL)
    return 0;
  free(*cert_pem);
  free(*key_pem);
  if (sim_tls_generate(dir) != 0)
    return -1;
  *cert_pem = slurp(dir, "server.pem");
  *key_pem = slurp(dir, "server.key");
  if (*cert_pem == NULL || *key_pem == NULL) {
    free(*cert_pem);
    free(*key_pem);
    fprintf(stderr, "cxone-sim: cannot read the certificates in %s\n", dir);
    return -1;
  }
  return 0;
}
