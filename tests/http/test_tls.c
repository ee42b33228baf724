/* HTTPS (TLS_CERT_FILE / TLS_KEY_FILE) and `attendly tls self-signed`, end to end: the
 * certificates are made by the real command, the server is the real `attendly serve`, and
 * every HTTPS request verifies the server against the generated certificate.
 *
 * Covered: the files the command writes (key mode 0600, the certificate's names, validity
 * and fingerprint), its refusal to overwrite without --force; HTTPS for /health and for
 * signup -> my-classes with Strict-Transport-Security on every reply; the certificate
 * verifying as `localhost` and as `127.0.0.1` and not against another certificate; plain
 * HTTP refused on the TLS port; start-up refused (exit 2, never listening) with a message
 * naming the problem for a missing variable, a missing key file, a garbage key file, a
 * garbage certificate file and a key of another certificate. SQLite only: TLS is below
 * the database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/client.h"
#include "common/server.h"
#include "common/tmpdir.h"

#define HSTS "max-age=31536000"

static char g_work[256];        /* certificates and command output */
static char g_dir_a[384];       /* pair A: --host localhost --host 127.0.0.1 (the server's) */
static char g_dir_b[384];       /* pair B: default hosts */
static char g_cert_a[512], g_key_a[512], g_cert_b[512], g_key_b[512];
static char g_out_a[4096];      /* stdout of the command that made pair A */
static test_server g_srv;       /* HTTPS with pair A */

/* ---- helpers --------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, cap);
            if (!p)
                break;
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Runs `attendly ARGS...` (NULL-terminated) with stdout and stderr captured into out and
 * err (each may be NULL). Returns the exit status, -1 when it did not exit normally. */
static int run_attendly(const char *const *args, char *out, size_t outlen, char *err,
                        size_t errlen)
{
    const char *bin = getenv("ATTENDLY_BIN");
    char out_path[600], err_path[600];
    const char *argv[32];
    int n = 0;
    if (!bin)
        return -1;
    snprintf(out_path, sizeof out_path, "%s/cmd.out", g_work);
    snprintf(err_path, sizeof err_path, "%s/cmd.err", g_work);
    argv[n++] = "attendly";
    for (; *args && n < 31; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0)
            _exit(127);
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    struct { char *buf; size_t len; const char *path; } cap[] = {
        {out, outlen, out_path}, {err, errlen, err_path}};
    for (int i = 0; i < 2; i++) {
        if (!cap[i].buf)
            continue;
        char *s = read_file(cap[i].path, NULL);
        snprintf(cap[i].buf, cap[i].len, "%s", s ? s : "");
        free(s);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int make_pair(const char *dir, const char *const *hosts, char *out, size_t outlen)
{
    const char *args[32] = {"tls", "self-signed", dir};
    int n = 3;
    for (; hosts && *hosts && n < 29; hosts++) {
        args[n++] = "--host";
        args[n++] = *hosts;
    }
    args[n] = NULL;
    char err[2048];
    int rc = run_attendly(args, out, outlen, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "attendly tls self-signed %s: status %d: %s\n", dir, rc, err);
    return rc;
}

static gnutls_x509_crt_t load_cert(const char *path)
{
    size_t len = 0;
    char *pem = read_file(path, &len);
    assert_non_null(pem);
    gnutls_x509_crt_t crt;
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len};
    assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
    free(pem);
    return crt;
}

/* The subjectAltName entries as "DNS:name" / "IP:a.b.c.d", comma-joined. */
static void san_list(gnutls_x509_crt_t crt, char *out, size_t outlen)
{
    out[0] = '\0';
    for (unsigned i = 0;; i++) {
        char data[256];
        size_t size = sizeof data;
        unsigned critical;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, i, data, &size, &critical);
        if (type < 0)
            break;
        char item[300];
        if (type == GNUTLS_SAN_DNSNAME)
            snprintf(item, sizeof item, "DNS:%.*s", (int)size, data);
        else if (type == GNUTLS_SAN_IPADDRESS && size == 4)
            snprintf(item, sizeof item, "IP:%u.%u.%u.%u", (unsigned char)data[0],
                     (unsigned char)data[1], (unsigned char)data[2], (unsigned char)data[3]);
        else
            snprintf(item, sizeof item, "other:%d", type);
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "%s%s", used ? "," : "", item);
    }
}

/* A copy of the server under another base URL and trusted certificate. */
static test_server server_as(const char *scheme, const char *host, const char *ca_file)
{
    test_server s = g_srv;
    snprintf(s.base_url, sizeof s.base_url, "%s://%s:%d", scheme, host, g_srv.port);
    snprintf(s.ca_file, sizeof s.ca_file, "%s", ca_file ? ca_file : "");
    return s;
}

static void expect_hsts(const http_resp *r)
{
    char v[128];
    if (!http_header(r, "Strict-Transport-Security", v, sizeof v))
        fail_msg("no Strict-Transport-Security header (status %ld)", r->status);
    assert_string_equal(v, HSTS);
}

/* ---- the group ------------------------------------------------------------------------ */

static int group_setup(void **st)
{
    static const char *const hosts_a[] = {"localhost", "127.0.0.1", NULL};
    static char env_cert[800], env_key[800];
    char err[2048];
    if (tmpdir_make("attendly-tls", g_work, sizeof g_work) < 0)
        return -1;
    /* Pair A in a directory that does not exist yet: the command creates it. */
    snprintf(g_dir_a, sizeof g_dir_a, "%s/new/a", g_work);
    snprintf(g_dir_b, sizeof g_dir_b, "%s/b", g_work);
    snprintf(g_cert_a, sizeof g_cert_a, "%s/cert.pem", g_dir_a);
    snprintf(g_key_a, sizeof g_key_a, "%s/key.pem", g_dir_a);
    snprintf(g_cert_b, sizeof g_cert_b, "%s/cert.pem", g_dir_b);
    snprintf(g_key_b, sizeof g_key_b, "%s/key.pem", g_dir_b);
    if (make_pair(g_dir_a, hosts_a, g_out_a, sizeof g_out_a) != 0 ||
        make_pair(g_dir_b, NULL, NULL, 0) != 0)
        return -1;
    snprintf(env_cert, sizeof env_cert, "TLS_CERT_FILE=%s", g_cert_a);
    snprintf(env_key, sizeof env_key, "TLS_KEY_FILE=%s", g_key_a);
    const char *const env[] = {env_cert, env_key, NULL};
    if (test_server_start(&g_srv, NULL, env, err, sizeof err) < 0) {
        fprintf(stderr, "server: %s\n", err);
        return -1;
    }
    snprintf(g_srv.ca_file, sizeof g_srv.ca_file, "%s", g_cert_a);
    return 0;
}

static int group_teardown(void **st)
{
    int rc = test_server_stop(&g_srv);
    if (g_work[0])
        tmpdir_remove(g_work);
    return rc == 0 ? 0 : -1;
}

/* ---- attendly tls self-signed --------------------------------------------------------- */

static void test_key_mode_and_output(void **st)
{
    struct stat sk, sc;
    assert_int_equal(stat(g_key_a, &sk), 0);
    assert_int_equal(stat(g_cert_a, &sc), 0);
    assert_int_equal(sk.st_mode & 07777, 0600);
    assert_true(S_ISREG(sc.st_mode));

    /* The printed fingerprint is the certificate's SHA-256, colon-separated hex. */
    gnutls_x509_crt_t crt = load_cert(g_cert_a);
    unsigned char fp[32];
    size_t fp_len = sizeof fp;
    assert_int_equal(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fp_len), 0);
    char want[128] = "SHA-256 fingerprint: ";
    for (size_t i = 0; i < fp_len; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%02X%s", fp[i],
                 i + 1 < fp_len ? ":" : "");
    if (!strstr(g_out_a, want))
        fail_msg("output lacks \"%s\":\n%s", want, g_out_a);
    assert_non_null(strstr(g_out_a, "/new/a/key.pem"));
    assert_non_null(strstr(g_out_a, "/new/a/cert.pem"));
    gnutls_x509_crt_deinit(crt);
}

static void test_certificate_contents(void **st)
{
    char san[1024], cn[256], host[256];
    size_t cn_len = sizeof cn;

    gnutls_x509_crt_t a = load_cert(g_cert_a);
    assert_int_equal(gnutls_x509_crt_get_version(a), 3);
    san_list(a, san, sizeof san);
    assert_string_equal(san, "DNS:localhost,IP:127.0.0.1");
    assert_int_equal(gnutls_x509_crt_get_dn_by_oid(a, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn,
                                                   &cn_len), 0);
    assert_string_equal(cn, "localhost");
    unsigned ca = 1;
    assert_int_equal(gnutls_x509_crt_get_basic_constraints(a, NULL, &ca, NULL), 0);
    assert_int_equal(ca, 0);
    time_t from = gnutls_x509_crt_get_activation_time(a);
    time_t to = gnutls_x509_crt_get_expiration_time(a);
    assert_true(from <= time(NULL));
    assert_int_equal((long)(to - from), 825L * 86400);
    /* Self-signed: its own signature verifies. */
    unsigned verify = 1;
    assert_int_equal(gnutls_x509_crt_verify(a, &a, 1, 0, &verify), 0);
    assert_int_equal(verify, 0);
    gnutls_x509_crt_deinit(a);

    /* Default hosts: this machine's name (when it is a DNS name), localhost, 127.0.0.1. */
    gnutls_x509_crt_t b = load_cert(g_cert_b);
    san_list(b, san, sizeof san);
    assert_non_null(strstr(san, "DNS:localhost"));
    assert_non_null(strstr(san, "IP:127.0.0.1"));
    assert_int_equal(gethostname(host, sizeof host), 0);
    int dns_like = strcmp(host, "localhost") != 0 && host[0] != '\0';
    for (char *p = host; *p; p++) {
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        dns_like &= (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                    *p == '.';
    }
    char want[600];
    snprintf(want, sizeof want, "DNS:%s,DNS:localhost,IP:127.0.0.1", host);
    if (strcmp(san, want) != 0 && (dns_like || strcmp(san, "DNS:localhost,IP:127.0.0.1") != 0))
        fail_msg("default subjectAltName \"%s\", expected \"%s\"", san, want);
    gnutls_x509_crt_deinit(b);
}

static void test_refuses_overwrite(void **st)
{
    char dir[700], key[800], err[2048];
    snprintf(dir, sizeof dir, "%s/c", g_work);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    assert_int_equal(make_pair(dir, NULL, NULL, 0), 0);
    char *before = read_file(key, NULL);
    assert_non_null(before);

    const char *const again[] = {"tls", "self-signed", dir, NULL};
    assert_int_not_equal(run_attendly(again, NULL, 0, err, sizeof err), 0);
    if (!strstr(err, "key.pem already exists") || !strstr(err, "--force"))
        fail_msg("unexpected refusal message: %s", err);
    char *unchanged = read_file(key, NULL);
    assert_string_equal(unchanged, before);
    free(unchanged);

    /* Only the certificate left: still refused (it would not match a new key). */
    assert_int_equal(unlink(key), 0);
    assert_int_not_equal(run_attendly(again, NULL, 0, err, sizeof err), 0);
    assert_non_null(strstr(err, "cert.pem already exists"));

    const char *const force[] = {"tls", "self-signed", dir, "--force", NULL};
    assert_int_equal(run_attendly(force, NULL, 0, err, sizeof err), 0);
    char *after = read_file(key, NULL);
    assert_non_null(after);
    assert_string_not_equal(after, before);
    struct stat sk;
    assert_int_equal(stat(key, &sk), 0);
    assert_int_equal(sk.st_mode & 07777, 0600);
    free(before);
    free(after);
}

static void test_bad_usage(void **st)
{
    char err[2048], dir[700];
    snprintf(dir, sizeof dir, "%s/d", g_work);
    const char *const bad_host[] = {"tls", "self-signed", dir, "--host", "bad host!", NULL};
    assert_int_equal(run_attendly(bad_host, NULL, 0, err, sizeof err), 2);
    assert_non_null(strstr(err, "bad host!"));
    const char *const no_dir[] = {"tls", "self-signed", NULL};
    assert_int_equal(run_attendly(no_dir, NULL, 0, err, sizeof err), 2);
    assert_int_equal(access(dir, F_OK), -1); /* nothing was created */
}

/* ---- HTTPS ------------------------------------------------------------------------------ */

static void test_https_health(void **st)
{
    http_resp r;
    assert_int_equal(strncmp(g_srv.base_url, "https://", 8), 0);
    assert_int_equal(http_get(&g_srv, "/health", NULL, &r), 0);
    /* 503 without the face models in the test's working directory; either way answered. */
    assert_true(r.status == 200 || r.status == 503);
    assert_string_equal(json_str(r.json, "database"), "connected");
    expect_hsts(&r);
    http_resp_free(&r);
}

static void test_https_api_flow(void **st)
{
    char body[512];
    http_resp r;
    snprintf(body, sizeof body,
             "{\"email\":\"tls%d@example.com\",\"password\":\"pass-word-1\","
             "\"first_name\":\"Tee\",\"last_name\":\"Ls\",\"role\":\"teacher\"}",
             (int)getpid());
    assert_int_equal(http_post_json(&g_srv, "/api/auth/signup", body, NULL, &r), 0);
    expect_status(&r, 201);
    expect_hsts(&r);
    char token[4096];
    snprintf(token, sizeof token, "%s", json_str(r.json, "access_token"));
    http_resp_free(&r);

    assert_int_equal(http_get(&g_srv, "/api/classes/my-classes", token, &r), 0);
    expect_status(&r, 200);
    expect_hsts(&r);
    http_resp_free(&r);

    /* Error replies carry it too. */
    assert_int_equal(http_get(&g_srv, "/api/no-such-route", NULL, &r), 0);
    expect_status(&r, 404);
    expect_hsts(&r);
    http_resp_free(&r);
}

static void test_certificate_names(void **st)
{
    http_resp r;
    test_server by_name = server_as("https", "localhost", g_cert_a);
    test_server by_ip = server_as("https", "127.0.0.1", g_cert_a);
    assert_int_equal(http_get(&by_name, "/health", NULL, &r), 0);
    expect_hsts(&r);
    http_resp_free(&r);
    assert_int_equal(http_get(&by_ip, "/health", NULL, &r), 0);
    expect_hsts(&r);
    http_resp_free(&r);

    /* Verification is really on: another certificate, or the system's CAs, fail. */
    test_server other = server_as("https", "localhost", g_cert_b);
    test_server system_cas = server_as("https", "localhost", NULL);
    assert_int_equal(http_get(&other, "/health", NULL, &r), -1);
    assert_int_equal(http_get(&system_cas, "/health", NULL, &r), -1);
}

static void test_plain_http_refused(void **st)
{
    http_resp r;
    test_server plain = server_as("http", "127.0.0.1", NULL);
    assert_int_equal(http_get(&plain, "/health", NULL, &r), -1);
    /* The server is still fine afterwards. */
    assert_int_equal(http_get(&g_srv, "/health", NULL, &r), 0);
    http_resp_free(&r);
}

/* ---- start-up refusals ------------------------------------------------------------------ */

/* Starts a server with env; it must exit with status 2 before listening, saying `want`
 * (and `want2` when non-NULL). */
static void expect_refusal(const char *const *env, const char *want, const char *want2)
{
    test_server s;
    char err[4096];
    if (test_server_start(&s, NULL, env, err, sizeof err) == 0) {
        test_server_stop(&s);
        fail_msg("the server started; expected a refusal saying \"%s\"", want);
    }
    if (!strstr(err, "(status 2)") || !strstr(err, "attendly: configuration error: ") ||
        !strstr(err, want) || (want2 && !strstr(err, want2)) || strstr(err, "\"listening\""))
        fail_msg("expected exit 2 and \"%s\"%s%s, got: %s", want, want2 ? " and " : "",
                 want2 ? want2 : "", err);
}

static void test_refuses_cert_without_key(void **st)
{
    static char cert[800];
    snprintf(cert, sizeof cert, "TLS_CERT_FILE=%s", g_cert_a);
    const char *const env[] = {cert, NULL};
    expect_refusal(env, "TLS_KEY_FILE: not set, but TLS_CERT_FILE is", NULL);
}

static void test_refuses_missing_key(void **st)
{
    static char cert[800], key[800];
    snprintf(cert, sizeof cert, "TLS_CERT_FILE=%s", g_cert_a);
    snprintf(key, sizeof key, "TLS_KEY_FILE=%s/missing/key.pem", g_work);
    const char *const env[] = {cert, key, NULL};
    expect_refusal(env, "TLS_KEY_FILE: cannot read", "No such file or directory");
}

static void test_refuses_garbage_key(void **st)
{
    static char cert[800], key[800];
    char path[700];
    snprintf(path, sizeof path, "%s/garbage-key.pem", g_work);
    assert_int_equal(write_text(path, "this is not a key\n"), 0);
    snprintf(cert, sizeof cert, "TLS_CERT_FILE=%s", g_cert_a);
    snprintf(key, sizeof key, "TLS_KEY_FILE=%s", path);
    const char *const env[] = {cert, key, NULL};
    expect_refusal(env, "TLS_KEY_FILE: ", "is not a PEM private key");
}

static void test_refuses_garbage_cert(void **st)
{
    static char cert[800], key[800];
    char path[700];
    snprintf(path, sizeof path, "%s/garbage-cert.pem", g_work);
    assert_int_equal(write_text(path, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                      "-----END CERTIFICATE-----\n"), 0);
    snprintf(cert, sizeof cert, "TLS_CERT_FILE=%s", path);
    snprintf(key, sizeof key, "TLS_KEY_FILE=%s", g_key_a);
    const char *const env[] = {cert, key, NULL};
    expect_refusal(env, "TLS_CERT_FILE: ", "is not a PEM certificate");
}

static void test_refuses_mismatched_key(void **st)
{
    static char cert[800], key[800];
    snprintf(cert, sizeof cert, "TLS_CERT_FILE=%s", g_cert_a);
    snprintf(key, sizeof key, "TLS_KEY_FILE=%s", g_key_b);
    const char *const env[] = {cert, key, NULL};
    expect_refusal(env, "TLS_KEY_FILE: the key in", "does not belong to the certificate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_mode_and_output),
        cmocka_unit_test(test_certificate_contents),
        cmocka_unit_test(test_refuses_overwrite),
        cmocka_unit_test(test_bad_usage),
        cmocka_unit_test(test_https_health),
        cmocka_unit_test(test_https_api_flow),
        cmocka_unit_test(test_certificate_names),
        cmocka_unit_test(test_plain_http_refused),
        cmocka_unit_test(test_refuses_cert_without_key),
        cmocka_unit_test(test_refuses_missing_key),
        cmocka_unit_test(test_refuses_garbage_key),
        cmocka_unit_test(test_refuses_garbage_cert),
        cmocka_unit_test(test_refuses_mismatched_key),
    };
    return cmocka_run_group_tests_name("tls", tests, group_setup, group_teardown);
}
