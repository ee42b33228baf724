/* TLS_CERT_FILE / TLS_KEY_FILE: reading and checking the PEM files (tls.h). The checks
 * are the ones libmicrohttpd's GnuTLS set-up would make, done first so that each failure
 * gets its own message instead of a daemon that does not start. */
#include "core/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* GnuTLS's message without its final full stop, to sit inside a sentence. */
static const char *gnutls_reason(int rc, char *buf, size_t size)
{
    snprintf(buf, size, "%s", gnutls_strerror(rc));
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '.')
        buf[n - 1] = '\0';
    return buf;
}

static void wipe_free(char *p, size_t n)
{
    if (p) {
        explicit_bzero(p, n);
        free(p);
    }
}

/* The whole file, NUL-terminated, refused when it is not a regular file, is empty, is
 * larger than TLS_PEM_MAX_BYTES or holds a NUL byte (libmicrohttpd takes the PEM text as
 * a C string). */
static char *read_pem_file(const char *var, const char *path, size_t *len, char *err,
                           size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        fail(err, errlen, "%s: cannot read \"%s\": %s", var, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fail(err, errlen, "%s: \"%s\" is not a regular file", var, path);
        close(fd);
        return NULL;
    }
    if (st.st_size > TLS_PEM_MAX_BYTES) {
        fail(err, errlen, "%s: \"%s\" is larger than %d KiB", var, path,
             TLS_PEM_MAX_BYTES / 1024);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 2; /* one more byte than expected: growth shows */
    char *buf = malloc(cap);
    size_t n = 0;
    while (buf && n < cap - 1) {
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            fail(err, errlen, "%s: cannot read \"%s\": %s", var, path, strerror(errno));
            wipe_free(buf, cap);
            close(fd);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (!buf) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    buf[n] = '\0';
    const char *why = n == 0               ? "is empty"
                      : n == cap - 1       ? "changed while being read"
                      : memchr(buf, 0, n) ? "holds a NUL byte: not a PEM file"
                                           : NULL;
    if (why) {
        fail(err, errlen, "%s: \"%s\" %s", var, path, why);
        wipe_free(buf, cap);
        return NULL;
    }
    *len = n;
    return buf;
}

/* The first certificate's public key id and expiry; every certificate must parse. */
static int check_cert(const char *path, const gnutls_datum_t *d, unsigned char *id,
                      size_t *id_len, time_t *not_after, char *err, size_t errlen)
{
    gnutls_x509_crt_t *crts = NULL;
    unsigned n = 0;
    char why[160];
    if (!memmem(d->data, d->size, "-----BEGIN ", 11) ||
        !memmem(d->data, d->size, "CERTIFICATE-----", 16))
        return fail(err, errlen, "TLS_CERT_FILE: \"%s\" is not a PEM certificate (no "
                    "\"-----BEGIN CERTIFICATE-----\" line)", path);
    int rc = gnutls_x509_crt_list_import2(&crts, &n, d, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0)
        return fail(err, errlen, "TLS_CERT_FILE: \"%s\" is not a PEM certificate (%s)", path,
                    gnutls_reason(rc, why, sizeof why));
    if (n == 0) {
        gnutls_free(crts);
        return fail(err, errlen, "TLS_CERT_FILE: \"%s\" holds no certificate", path);
    }
    rc = gnutls_x509_crt_get_key_id(crts[0], GNUTLS_KEYID_USE_SHA256, id, id_len);
    *not_after = gnutls_x509_crt_get_expiration_time(crts[0]);
    for (unsigned i = 0; i < n; i++)
        gnutls_x509_crt_deinit(crts[i]);
    gnutls_free(crts);
    if (rc < 0)
        return fail(err, errlen, "TLS_CERT_FILE: \"%s\": unusable public key (%s)", path,
                    gnutls_reason(rc, why, sizeof why));
    return 0;
}

static int check_key(const char *path, const gnutls_datum_t *d, unsigned char *id,
                     size_t *id_len, char *err, size_t errlen)
{
    char why[160];
    if (!memmem(d->data, d->size, "-----BEGIN ", 11) ||
        !memmem(d->data, d->size, "PRIVATE KEY-----", 16))
        return fail(err, errlen, "TLS_KEY_FILE: \"%s\" is not a PEM private key (no "
                    "\"-----BEGIN ... PRIVATE KEY-----\" line)", path);
    if (memmem(d->data, d->size, "ENCRYPTED", 9))
        return fail(err, errlen, "TLS_KEY_FILE: \"%s\" is an encrypted private key; the "
                    "server needs it without a passphrase", path);
    gnutls_x509_privkey_t key;
    int rc = gnutls_x509_privkey_init(&key);
    if (rc < 0)
        return fail(err, errlen, "GnuTLS: %s", gnutls_reason(rc, why, sizeof why));
    rc = gnutls_x509_privkey_import2(key, d, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        gnutls_x509_privkey_deinit(key);
        return fail(err, errlen, "TLS_KEY_FILE: \"%s\" is not a PEM private key (%s)", path,
                    gnutls_reason(rc, why, sizeof why));
    }
    rc = gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, id, id_len);
    gnutls_x509_privkey_deinit(key);
    if (rc < 0)
        return fail(err, errlen, "TLS_KEY_FILE: \"%s\": unusable private key (%s)", path,
                    gnutls_reason(rc, why, sizeof why));
    return 0;
}

/* What libmicrohttpd will do with the pair: catches whatever the checks above missed. */
static int check_credentials(const gnutls_datum_t *cert, const gnutls_datum_t *key, char *err,
                             size_t errlen)
{
    char why[160];
    gnutls_certificate_credentials_t cred;
    int rc = gnutls_certificate_allocate_credentials(&cred);
    if (rc < 0)
        return fail(err, errlen, "GnuTLS: %s", gnutls_reason(rc, why, sizeof why));
    rc = gnutls_certificate_set_x509_key_mem2(cred, cert, key, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_certificate_free_credentials(cred);
    if (rc < 0)
        return fail(err, errlen, "TLS_CERT_FILE, TLS_KEY_FILE: GnuTLS refuses the pair (%s)",
                    gnutls_reason(rc, why, sizeof why));
    return 0;
}

int tls_pem_load(const char *cert_file, const char *key_file, tls_pem *out, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t cert_len = 0, key_len = 0;
    char *cert = read_pem_file("TLS_CERT_FILE", cert_file, &cert_len, err, errlen);
    if (!cert)
        return -1;
    char *key = read_pem_file("TLS_KEY_FILE", key_file, &key_len, err, errlen);
    if (!key) {
        free(cert);
        return -1;
    }
    gnutls_datum_t dc = {(unsigned char *)cert, (unsigned)cert_len};
    gnutls_datum_t dk = {(unsigned char *)key, (unsigned)key_len};
    unsigned char cert_id[64], key_id[64];
    size_t cert_id_len = sizeof cert_id, key_id_len = sizeof key_id;
    time_t not_after = 0;
    int rc = -1;
    if (check_cert(cert_file, &dc, cert_id, &cert_id_len, &not_after, err, errlen) < 0 ||
        check_key(key_file, &dk, key_id, &key_id_len, err, errlen) < 0)
        goto out;
    if (cert_id_len != key_id_len || memcmp(cert_id, key_id, key_id_len) != 0) {
        fail(err, errlen, "TLS_KEY_FILE: the key in \"%s\" does not belong to the certificate "
             "in \"%s\" (TLS_CERT_FILE)", key_file, cert_file);
        goto out;
    }
    if (check_credentials(&dc, &dk, err, errlen) < 0)
        goto out;
    out->cert = cert;
    out->key = key;
    out->not_after = not_after;
    cert = key = NULL;
    rc = 0;
out:
    free(cert);
    wipe_free(key, key_len);
    return rc;
}

void tls_pem_free(tls_pem *p)
{
    if (!p)
        return;
    free(p->cert);
    if (p->key)
        wipe_free(p->key, strlen(p->key));
    memset(p, 0, sizeof *p);
}
