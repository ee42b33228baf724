#ifndef ATTENDLY_CORE_TLS_H
#define ATTENDLY_CORE_TLS_H
/* The server's certificate and key (TLS_CERT_FILE, TLS_KEY_FILE): read and checked with
 * GnuTLS before anything listens, so that a wrong file stops start-up with a message
 * saying which file and what is wrong with it. */
#include <stddef.h>
#include <time.h>

/* Neither file may be larger than this. */
#define TLS_PEM_MAX_BYTES (1024 * 1024)

typedef struct tls_pem {
    char *cert;        /* NUL-terminated PEM: the certificate, then any intermediates */
    char *key;         /* NUL-terminated PEM: its private key (wiped when freed) */
    time_t not_after;  /* expiry of the (first) certificate */
} tls_pem;

/* Reads both files and checks that the first holds PEM certificates, the second an
 * unencrypted PEM private key, and that the key belongs to the first certificate.
 * 0, or -1 with a one-line reason naming the variable and the file in err (and *out
 * left empty). */
int tls_pem_load(const char *cert_file, const char *key_file, tls_pem *out, char *err,
                 size_t errlen);
void tls_pem_free(tls_pem *p);

#endif
