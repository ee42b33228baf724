/* core/config: defaults, .env precedence, strict parsing, the JWT secret rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"

static const char *const VARS[] = {
    "HOST", "PORT", "ATTENDLY_DATA_DIR", "DATABASE_URL", "JWT_SECRET_KEY",
    "JWT_ACCESS_TOKEN_EXPIRES", "JWT_REFRESH_TOKEN_EXPIRES", "MAX_BODY_MB", "CORS_ORIGINS",
    "ATTENDLY_DEBUG", "ATTENDLY_TIMEZONE", "ATTENDLY_MAX_IMAGE_PIXELS", "FACE_MODELS_DIR",
    "FACE_RECOGNITION_TOLERANCE", "FACE_DUPLICATE_THRESHOLD", "FACE_MIN_SIZE_PX",
    "FACE_MAX_IMAGES_PER_STUDENT", "FACE_IMAGE_STORE", "RECOGNITION_WORKERS",
    "RECOGNITION_QUEUE_TIMEOUT_MS", "LOGIN_MAX_FAILURES", "LOGIN_MAX_FAILURES_PER_IP",
    "LOGIN_WINDOW_SECONDS", "TRUST_PROXY", "METRICS_TOKEN", "ATTENDLY_PASSWORD_COST",
    "ATTENDLY_MAX_CONNECTIONS", "ATTENDLY_CONNECTION_TIMEOUT", "ATTENDLY_DB_POOL",
    "TLS_CERT_FILE", "TLS_KEY_FILE",
    "TEACHER_SIGNUP", "SIGNUP_EMAIL_DOMAINS", "FACE_CONSENT_REQUIRED", "FACE_CONSENT_TEXT_FILE",
    "FACE_DATA_RETENTION_DAYS", "FACE_IMAGE_RETENTION_DAYS", "AUDIT_RETENTION_DAYS"};

static char g_dir[256];

static int setup(void **st)
{
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++)
        unsetenv(VARS[i]);
    snprintf(g_dir, sizeof g_dir, "%s/attendly-config-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **st)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_defaults(void **st)
{
    config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.host, "0.0.0.0");
    assert_int_equal(c.port, 5000);
    assert_string_equal(c.data_dir, "./data");
    assert_string_equal(c.database_url, "sqlite:///./data/attendly.db");
    assert_int_equal(c.jwt_secret_set, 0);
    assert_int_equal(c.jwt_access_expires, 86400);
    assert_int_equal(c.jwt_refresh_expires, 2592000);
    assert_int_equal(c.max_body_bytes, 33554432);
    assert_int_equal(c.cors_any, 1);
    assert_int_equal(c.debug, 0);
    assert_string_equal(c.timezone, "UTC");
    assert_int_equal(c.max_image_pixels, 40000000);
    assert_string_equal(c.models_dir, "./models");
    assert_true(c.face_tolerance == 0.6);
    assert_true(c.face_duplicate_threshold == 0.45);
    assert_int_equal(c.face_min_size_px, 64);
    assert_int_equal(c.face_max_images, 25);
    assert_int_equal(c.face_image_store, 0);
    assert_int_equal(c.recognition_workers, (int)sysconf(_SC_NPROCESSORS_ONLN));
    assert_int_equal(c.recognition_queue_timeout_ms, 10000);
    assert_int_equal(c.login_max_failures, 10);
    assert_int_equal(c.login_max_failures_per_ip, 50);
    assert_int_equal(c.login_window_seconds, 900);
    assert_int_equal(c.trust_proxy, 0);
    assert_string_equal(c.metrics_token, "");
    assert_int_equal(c.password_cost, 0);
    assert_int_equal(c.max_connections, 256);
    assert_int_equal(c.connection_timeout_s, 60);
    assert_int_equal(c.db_pool_size, 8);
    assert_int_equal(c.teacher_signup, CONFIG_SIGNUP_OPEN);
    assert_int_equal(c.n_signup_domains, 0);
    assert_int_equal(c.face_consent_required, 1);
    assert_string_equal(c.face_consent_text_file, "");
    assert_int_equal(c.face_data_retention_days, 365);
    assert_int_equal(c.face_image_retention_days, 30);
    assert_int_equal(c.audit_retention_days, 730);
}

static void test_school_values(void **st)
{
    config c;
    char err[256] = "";
    setenv("TEACHER_SIGNUP", "approval", 1);
    setenv("SIGNUP_EMAIL_DOMAINS", " School.Example , ,other.example ", 1);
    setenv("FACE_CONSENT_REQUIRED", "0", 1);
    setenv("FACE_DATA_RETENTION_DAYS", "0", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_int_equal(c.teacher_signup, CONFIG_SIGNUP_APPROVAL);
    assert_int_equal(c.n_signup_domains, 2);
    assert_string_equal(c.signup_domains[0], "school.example");
    assert_string_equal(c.signup_domains[1], "other.example");
    assert_int_equal(c.face_consent_required, 0);
    assert_int_equal(c.face_data_retention_days, 0);
    setenv("TEACHER_SIGNUP", "closed", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_int_equal(c.teacher_signup, CONFIG_SIGNUP_CLOSED);
}

static void test_values_and_derived(void **st)
{
    config c;
    char err[256] = "";
    setenv("ATTENDLY_DATA_DIR", "/srv/attendly", 1);
    setenv("MAX_BODY_MB", "2", 1);
    setenv("CORS_ORIGINS", " https://a.example , https://b.example,", 1);
    setenv("FACE_RECOGNITION_TOLERANCE", "0.5", 1);
    setenv("TRUST_PROXY", "1", 1);
    setenv("ATTENDLY_TIMEZONE", "Europe/Berlin", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.database_url, "sqlite:////srv/attendly/attendly.db");
    assert_int_equal(c.max_body_bytes, 2 * 1024 * 1024);
    assert_int_equal(c.cors_any, 0);
    assert_int_equal(c.n_cors_origins, 2);
    assert_string_equal(c.cors_origins[0], "https://a.example");
    assert_string_equal(c.cors_origins[1], "https://b.example");
    assert_true(c.face_tolerance == 0.5);
    assert_int_equal(c.trust_proxy, 1);
    assert_string_equal(c.timezone, "Europe/Berlin");
    setenv("DATABASE_URL", "postgresql://u:p@localhost:5432/db", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.database_url, "postgresql://u:p@localhost:5432/db");
}

static void test_env_file_precedence(void **st)
{
    char path[512];
    snprintf(path, sizeof path, "%s/.env", g_dir);
    write_file(path, "# comment\n\nPORT=6000\nexport HOST=127.0.0.1\n"
                     "METRICS_TOKEN=\"quoted value\"\nLOGIN_MAX_FAILURES = 3 \n");
    setenv("PORT", "7000", 1);
    config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, path, err, sizeof err), 0);
    assert_int_equal(c.port, 7000);               /* the environment wins */
    assert_string_equal(c.host, "127.0.0.1");     /* from the file */
    assert_string_equal(c.metrics_token, "quoted value");
    assert_int_equal(c.login_max_failures, 3);
    /* a missing file is not an error */
    char missing[512];
    snprintf(missing, sizeof missing, "%s/nope.env", g_dir);
    assert_int_equal(config_load(&c, missing, err, sizeof err), 0);
    /* a malformed line is */
    write_file(path, "PORT=6000\nthis is not an assignment\n");
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2:"));
    /* a bad value in the file names the variable */
    write_file(path, "MAX_BODY_MB=lots\n");
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "MAX_BODY_MB"));
}

static void expect_bad(const char *var, const char *value)
{
    config c;
    char err[256] = "";
    setenv(var, value, 1);
    if (config_load(&c, NULL, err, sizeof err) != -1)
        fail_msg("%s=%s accepted", var, value);
    if (!strstr(err, var))
        fail_msg("error for %s=%s does not name it: %s", var, value, err);
    unsetenv(var);
}

static void test_bad_values(void **st)
{
    expect_bad("PORT", "abc");
    expect_bad("PORT", "70000");
    expect_bad("PORT", "-1");
    expect_bad("PORT", "50 00");
    expect_bad("PORT", "5000x");
    expect_bad("HOST", "not-an-ip");
    expect_bad("MAX_BODY_MB", "0");
    expect_bad("MAX_BODY_MB", "1.5");
    expect_bad("JWT_ACCESS_TOKEN_EXPIRES", "0");
    expect_bad("JWT_REFRESH_TOKEN_EXPIRES", "soon");
    expect_bad("ATTENDLY_DEBUG", "maybe");
    expect_bad("FACE_RECOGNITION_TOLERANCE", "0");
    expect_bad("FACE_RECOGNITION_TOLERANCE", "1.5");
    expect_bad("FACE_RECOGNITION_TOLERANCE", "nan");
    expect_bad("FACE_DUPLICATE_THRESHOLD", "x");
    expect_bad("FACE_MIN_SIZE_PX", "0");
    expect_bad("RECOGNITION_WORKERS", "0");
    expect_bad("RECOGNITION_QUEUE_TIMEOUT_MS", "-5");
    expect_bad("LOGIN_MAX_FAILURES", "ten");
    expect_bad("TRUST_PROXY", "2");
    expect_bad("DATABASE_URL", "mysql://x/y");
    expect_bad("DATABASE_URL", "sqlite://relative.db");
    expect_bad("DATABASE_URL", "sqlite:///");
    expect_bad("CORS_ORIGINS", ",,");
    expect_bad("CORS_ORIGINS", "https://a.example,*");
    expect_bad("ATTENDLY_TIMEZONE", "../../etc/passwd");
    expect_bad("ATTENDLY_PASSWORD_COST", "2");
    expect_bad("ATTENDLY_DB_POOL", "0");
    expect_bad("TEACHER_SIGNUP", "Open");
    expect_bad("TEACHER_SIGNUP", "invite");
    expect_bad("FACE_CONSENT_REQUIRED", "yes please");
    expect_bad("FACE_DATA_RETENTION_DAYS", "-1");
    expect_bad("FACE_IMAGE_RETENTION_DAYS", "0");
    expect_bad("AUDIT_RETENTION_DAYS", "forever");
}

/* Both TLS variables or neither; one alone names the missing one. The files themselves
 * are checked at start-up (core/tls.c, tests/http/test_tls.c). */
static void test_tls_pair(void **st)
{
    config c;
    char err[256] = "";
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.tls_cert_file, "");
    assert_string_equal(c.tls_key_file, "");
    setenv("TLS_CERT_FILE", "/etc/attendly/tls/cert.pem", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), -1);
    assert_int_equal(strncmp(err, "TLS_KEY_FILE: not set", 21), 0);
    setenv("TLS_KEY_FILE", "/etc/attendly/tls/key.pem", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.tls_cert_file, "/etc/attendly/tls/cert.pem");
    assert_string_equal(c.tls_key_file, "/etc/attendly/tls/key.pem");
    unsetenv("TLS_CERT_FILE");
    assert_int_equal(config_load(&c, NULL, err, sizeof err), -1);
    assert_int_equal(strncmp(err, "TLS_CERT_FILE: not set", 22), 0);
    unsetenv("TLS_KEY_FILE");
}

static void test_secret_rules(void **st)
{
    config c;
    char err[256] = "";
    setenv("JWT_SECRET_KEY", "too-short-secret", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_int_equal(config_load_secret(&c, err, sizeof err), -1);
    assert_non_null(strstr(err, "32"));
    setenv("JWT_SECRET_KEY", "", 1); /* set but empty is still too short */
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_int_equal(config_load_secret(&c, err, sizeof err), -1);
    setenv("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef", 1);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_int_equal(config_load_secret(&c, err, sizeof err), 0);
    assert_int_equal(c.jwt_secret_len, 32);
    assert_memory_equal(c.jwt_secret, "0123456789abcdef0123456789abcdef", 32);
    unsetenv("JWT_SECRET_KEY");
}

static void test_generated_secret(void **st)
{
    char data[512], path[600];
    snprintf(data, sizeof data, "%s/nested/data", g_dir);
    snprintf(path, sizeof path, "%s/jwt_secret", data);
    setenv("ATTENDLY_DATA_DIR", data, 1);
    config c1, c2;
    char err[256] = "";
    assert_int_equal(config_load(&c1, NULL, err, sizeof err), 0);
    assert_int_equal(config_load_secret(&c1, err, sizeof err), 0);
    assert_true(c1.jwt_secret_len >= 32);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* a second start reuses it */
    assert_int_equal(config_load(&c2, NULL, err, sizeof err), 0);
    assert_int_equal(config_load_secret(&c2, err, sizeof err), 0);
    assert_int_equal(c2.jwt_secret_len, c1.jwt_secret_len);
    assert_memory_equal(c1.jwt_secret, c2.jwt_secret, c1.jwt_secret_len);
    /* a truncated file is refused rather than used */
    write_file(path, "short\n");
    assert_int_equal(config_load_secret(&c2, err, sizeof err), -1);
    unlink(path);
    /* a fresh file is a new random secret */
    assert_int_equal(config_load_secret(&c2, err, sizeof err), 0);
    assert_false(c2.jwt_secret_len == c1.jwt_secret_len &&
                 memcmp(c1.jwt_secret, c2.jwt_secret, c1.jwt_secret_len) == 0);
    unsetenv("ATTENDLY_DATA_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_and_derived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_school_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_file_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generated_secret, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
