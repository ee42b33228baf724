/* `attendly tls self-signed DIR [--host NAME_OR_IP]... [--force]`: a private key and a
 * self-signed certificate for a server on the school's network, made with GnuTLS.
 *
 * The key is ECDSA P-256: the same 128-bit security level as RSA 3072, generated in a
 * millisecond instead of seconds, with smaller handshakes, and accepted by every browser
 * and TLS library still in use. The certificate follows the rules browsers apply to
 * certificates a user or device management installs as trusted: X.509 v3, SHA-256
 * signature, at most 825 days, the names in subjectAltName (the common name is ignored by
 * browsers but set to the first host for people reading it), serverAuth extended key
 * usage, and CA:FALSE (Firefox refuses a CA certificate as a server's own certificate). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define MAX_HOSTS 64
#define VALIDITY_DAYS 825
#define BACKDATE_S 3600      /* tolerate clients whose clock is a little behind */
#define CN_MAX 64            /* X.520 ub-common-name */
#define KEY_FILE "key.pem"
#define CERT_FILE "cert.pem"

typedef struct host {
    char name[256];          /* as printed; DNS names lower-cased */
    unsigned char ip[16];    /* the address when it is one */
    size_t ip_len;           /* 4 or 16; 0 for a DNS name */
} host;

typedef struct hosts {
    host h[MAX_HOSTS];
    int n;
} hosts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: attendly tls self-signed DIR [--host NAME_OR_IP]... [--force]\n"
            "\n"
            "Writes DIR/" KEY_FILE " (ECDSA P-256, mode 0600) and DIR/" CERT_FILE
            " (self-signed, valid %d days)\n"
            "for the given host names and IP addresses (default: this machine's host name,\n"
            "localhost and 127.0.0.1); the first one is the certificate's common name.\n"
            "Creates DIR when missing. Existing files are kept unless --force is given.\n",
            VALIDITY_DAYS);
}

/* A DNS name: dot-separated labels of letters, digits and inner hyphens, not ending in an
 * all-digit label (that would read as an address). */
static int valid_dns_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return 0;
    const char *label = s;
    for (;;) {
        size_t len = strcspn(label, ".");
        if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
            return 0;
        int digits = 1;
        for (size_t i = 0; i < len; i++) {
            if (!isalnum((unsigned char)label[i]) && label[i] != '-')
                return 0;
            digits &= isdigit((unsigned char)label[i]) != 0;
        }
        if (label[len] == '\0')
            return !digits;
        label += len + 1;
    }
}

/* Adds `s` as an IP address or a DNS name; duplicates are dropped. 0, or -1 when `s` is
 * neither. */
static int hosts_add(hosts *hs, const char *s)
{
    host h = {0};
    if (inet_pton(AF_INET, s, h.ip) == 1)
        h.ip_len = 4;
    else if (inet_pton(AF_INET6, s, h.ip) == 1)
        h.ip_len = 16;
    else if (!valid_dns_name(s))
        return -1;
    snprintf(h.name, sizeof h.name, "%s", s);
    if (!h.ip_len)
        for (char *p = h.name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    for (int i = 0; i < hs->n; i++)
        if (hs->h[i].ip_len == h.ip_len &&
            (h.ip_len ? memcmp(hs->h[i].ip, h.ip, h.ip_len) == 0
                      : strcmp(hs->h[i].name, h.name) == 0))
            return 0;
    if (hs->n < MAX_HOSTS)
        hs->h[hs->n++] = h;
    return 0;
}

static void default_hosts(hosts *hs)
{
    char name[HOST_NAME_MAX + 1] = "";
    if (gethostname(name, sizeof name) == 0 && valid_dns_name(name))
        hosts_add(hs, name);
    hosts_add(hs, "localhost");
    hosts_add(hs, "127.0.0.1");
}

/* mkdir -p with mode 0755: the directory holds the public certificate too; the key is
 * protected by its own mode. */
static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes `path` with exactly `mode`. Without force the file must not exist (O_EXCL); with
 * force it is replaced atomically (a temporary file renamed over it). */
static int write_file(const char *path, const gnutls_datum_t *d, mode_t mode, int force)
{
    char tmp[PATH_MAX + 16];
    int fd;
    if (force) {
        snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
        fd = mkostemp(tmp, O_CLOEXEC);
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    }
    if (fd < 0)
        return -1;
    const char *written = force ? tmp : path;
    if (fchmod(fd, mode) < 0 || write_all(fd, d->data, d->size) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(written);
        errno = e;
        return -1;
    }
    if (close(fd) < 0 || (force && rename(tmp, path) < 0)) {
        int e = errno;
        unlink(written);
        errno = e;
        return -1;
    }
    return 0;
}

static int gnutls_failed(const char *what, int rc)
{
    fprintf(stderr, "attendly: %s: %s\n", what, gnutls_strerror(rc));
    return -1;
}

static int generate_key(gnutls_x509_privkey_t *key)
{
    int rc = gnutls_x509_privkey_init(key);
    if (rc < 0)
        return gnutls_failed("key", rc);
    rc = gnutls_x509_privkey_generate2(*key, GNUTLS_PK_ECDSA,
                                       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0,
                                       NULL, 0);
    if (rc < 0) {
        gnutls_x509_privkey_deinit(*key);
        return gnutls_failed("key generation", rc);
    }
    return 0;
}

/* The self-signed certificate for hs, valid from a little before now for VALIDITY_DAYS. */
static int build_cert(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const hosts *hs,
                      time_t *not_after)
{
    unsigned char serial[16], key_id[64];
    size_t key_id_len = sizeof key_id;
    int rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial);
    if (rc < 0)
        return gnutls_failed("serial number", rc);
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40); /* positive, full length */
    time_t from = time(NULL) - BACKDATE_S;
    *not_after = from + (time_t)VALIDITY_DAYS * 86400;
    const char *cn = hs->h[0].name;
    if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, from)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(crt, *not_after)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                            (unsigned)strlen(cn))) < 0 ||
        (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
        (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
        (rc = gnutls_x509_crt_get_key_id(crt, 0, key_id, &key_id_len)) < 0 ||
        (rc = gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_len)) < 0)
        return gnutls_failed("certificate", rc);
    for (int i = 0; i < hs->n; i++) {
        const host *h = &hs->h[i];
        rc = h->ip_len ? gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, h->ip,
                                                              (unsigned)h->ip_len,
                                                              GNUTLS_FSAN_APPEND)
                       : gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, h->name,
                                                              (unsigned)strlen(h->name),
                                                              GNUTLS_FSAN_APPEND);
        if (rc < 0)
            return gnutls_failed("subjectAltName", rc);
    }
    rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
    return rc < 0 ? gnutls_failed("signing the certificate", rc) : 0;
}

static void print_result(const char *key_path, const char *cert_path, gnutls_x509_crt_t crt,
                         const hosts *hs, time_t not_after)
{
    unsigned char fp[32];
    size_t fp_len = sizeof fp;
    char until[32], abs_key[PATH_MAX], abs_cert[PATH_MAX];
    struct tm tm;
    strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", gmtime_r(&not_after, &tm));
    printf("key:         %s (ECDSA P-256, mode 0600)\n",
           realpath(key_path, abs_key) ? abs_key : key_path);
    printf("certificate: %s (self-signed, valid until %s)\n",
           realpath(cert_path, abs_cert) ? abs_cert : cert_path, until);
    printf("hosts:      ");
    for (int i = 0; i < hs->n; i++)
        printf(" %s%s", hs->h[i].name, i + 1 < hs->n ? "," : "\n");
    if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fp_len) == 0) {
        printf("SHA-256 fingerprint: ");
        for (size_t i = 0; i < fp_len; i++)
            printf("%02X%s", fp[i], i + 1 < fp_len ? ":" : "\n");
    }
}

/* Generates, writes and reports. 0, or 1 after printing the reason. */
static int make_pair(const char *dir, const hosts *hs, int force)
{
    char key_path[PATH_MAX], cert_path[PATH_MAX];
    if (snprintf(key_path, sizeof key_path, "%s/%s", dir, KEY_FILE) >= (int)sizeof key_path ||
        snprintf(cert_path, sizeof cert_path, "%s/%s", dir, CERT_FILE) >= (int)sizeof cert_path) {
        fprintf(stderr, "attendly: %s: path too long\n", dir);
        return 1;
    }
    if (!force) {
        const char *paths[] = {key_path, cert_path};
        for (int i = 0; i < 2; i++)
            if (access(paths[i], F_OK) == 0) {
                fprintf(stderr, "attendly: %s already exists; use --force to replace it\n",
                        paths[i]);
                return 1;
            }
    }
    if (make_dirs(dir) < 0) {
        fprintf(stderr, "attendly: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    gnutls_datum_t key_pem = {0}, cert_pem = {0};
    time_t not_after = 0;
    int rc = 1;
    if (generate_key(&key) < 0)
        return 1;
    if (gnutls_x509_crt_init(&crt) < 0) {
        gnutls_x509_privkey_deinit(key);
        return 1;
    }
    int grc;
    if (build_cert(crt, key, hs, &not_after) < 0)
        goto out;
    if ((grc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
                                                 GNUTLS_PKCS_PLAIN, &key_pem)) < 0 ||
        (grc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cert_pem)) < 0) {
        gnutls_failed("export", grc);
        goto out;
    }
    if (write_file(key_path, &key_pem, 0600, force) < 0) {
        fprintf(stderr, "attendly: cannot write %s: %s\n", key_path, strerror(errno));
        goto out;
    }
    if (write_file(cert_path, &cert_pem, 0644, force) < 0) {
        fprintf(stderr, "attendly: cannot write %s: %s\n", cert_path, strerror(errno));
        if (!force)
            unlink(key_path); /* ours: without a certificate it is of no use */
        goto out;
    }
    print_result(key_path, cert_path, crt, hs, not_after);
    rc = 0;
out:
    if (key_pem.data) {
        explicit_bzero(key_pem.data, key_pem.size);
        gnutls_free(key_pem.data);
    }
    gnutls_free(cert_pem.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return rc;
}

static int self_signed(int argc, char **argv)
{
    hosts hs = {0};
    const char *dir = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--host") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "attendly: --host needs a host name or IP address\n");
                return 2;
            }
            val = argv[i];
        } else if (strncmp(a, "--host=", 7) == 0) {
            val = a + 7;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "attendly: unknown option \"%s\"\n\n", a);
            usage(stderr);
            return 2;
        } else if (dir) {
            fprintf(stderr, "attendly: one directory only (got \"%s\" and \"%s\")\n", dir, a);
            return 2;
        } else {
            dir = a;
        }
        if (!val)
            continue;
        if (hs.n >= MAX_HOSTS) {
            fprintf(stderr, "attendly: at most %d --host options\n", MAX_HOSTS);
            return 2;
        }
        if (hosts_add(&hs, val) < 0) {
            fprintf(stderr, "attendly: --host \"%s\" is neither a DNS name nor an IP address\n",
                    val);
            return 2;
        }
    }
    if (!dir || !*dir) {
        usage(stderr);
        return 2;
    }
    if (hs.n == 0)
        default_hosts(&hs);
    if (strlen(hs.h[0].name) > CN_MAX) {
        fprintf(stderr, "attendly: the first --host becomes the certificate's common name and "
                "may have at most %d characters; put a shorter one first\n", CN_MAX);
        return 2;
    }
    return make_pair(dir, &hs, force);
}

int cli_tls(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "self-signed") == 0)
        return self_signed(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2)
        fprintf(stderr, "attendly: unknown tls command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return 2;
}
