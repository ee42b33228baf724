/* Configuration from the environment (API.md §9) with an optional `.env` file underneath.
 * Parsing is strict: a value that does not parse, or is out of range, stops start-up with a
 * message naming the variable, rather than silently running with a default. */
#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

config g_config;

#define ENV_MAX_VARS 256
#define SECRET_MIN_BYTES 32
#define SECRET_FILE_BYTES 32

/* Variables read from the .env file; the real environment is consulted first. */
typedef struct env_file_vars {
    char *keys[ENV_MAX_VARS];
    char *vals[ENV_MAX_VARS];
    int n;
} env_file_vars;

typedef struct loader {
    env_file_vars file;
    char *err;
    size_t errlen;
} loader;

static int fail(loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(loader *ld, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err, ld->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void env_file_free(env_file_vars *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->keys[i]);
        free(f->vals[i]);
    }
    f->n = 0;
}

static char *trim_inplace(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int valid_var_name(const char *k)
{
    if (!isalpha((unsigned char)*k) && *k != '_')
        return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_')
            return 0;
    return 1;
}

/* One `KEY=VALUE` line (optionally `export KEY=VALUE`, value optionally quoted). */
static int env_file_line(loader *ld, const char *path, int lineno, char *line)
{
    char *s = trim_inplace(line);
    if (*s == '\0' || *s == '#')
        return 0;
    if (strncmp(s, "export ", 7) == 0)
        s = trim_inplace(s + 7);
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(ld, "%s:%d: expected KEY=VALUE", path, lineno);
    *eq = '\0';
    char *key = trim_inplace(s);
    char *val = trim_inplace(eq + 1);
    if (!valid_var_name(key))
        return fail(ld, "%s:%d: invalid variable name", path, lineno);
    size_t vn = strlen(val);
    if (vn >= 2 && (val[0] == '"' || val[0] == '\'') && val[vn - 1] == val[0]) {
        val[vn - 1] = '\0';
        val++;
    }
    if (ld->file.n >= ENV_MAX_VARS)
        return fail(ld, "%s: too many variables", path);
    ld->file.keys[ld->file.n] = strdup(key);
    ld->file.vals[ld->file.n] = strdup(val);
    if (!ld->file.keys[ld->file.n] || !ld->file.vals[ld->file.n])
        return fail(ld, "out of memory");
    ld->file.n++;
    return 0;
}

static int env_file_read(loader *ld, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : fail(ld, "%s: %s", path, strerror(errno));
    char line[8192];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = fail(ld, "%s:%d: line too long", path, lineno);
            break;
        }
        rc = env_file_line(ld, path, lineno, line);
    }
    fclose(f);
    return rc;
}

/* The value of a variable: the real environment wins over the .env file. */
static const char *lookup(const loader *ld, const char *name)
{
    const char *v = getenv(name);
    if (v)
        return v;
    for (int i = ld->file.n - 1; i >= 0; i--)
        if (strcmp(ld->file.keys[i], name) == 0)
            return ld->file.vals[i];
    return NULL;
}

static int get_str(loader *ld, const char *name, char *dst, size_t size, const char *def)
{
    const char *v = lookup(ld, name);
    if (!v || !*v)
        v = def;
    if (strlen(v) >= size)
        return fail(ld, "%s: value too long (at most %zu characters)", name, size - 1);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int get_long(loader *ld, const char *name, long *out, long def, long min, long max)
{
    const char *v = lookup(ld, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || isspace((unsigned char)*v) || n < min || n > max)
        return fail(ld, "%s: expected an integer between %ld and %ld, got \"%s\"", name, min, max, v);
    *out = n;
    return 0;
}

static int get_int(loader *ld, const char *name, int *out, int def, int min, int max)
{
    long n;
    if (get_long(ld, name, &n, def, min, max) < 0)
        return -1;
    *out = (int)n;
    return 0;
}

static int get_double(loader *ld, const char *name, double *out, double def, double min,
                      double max, int min_exclusive)
{
    const char *v = lookup(ld, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    int low_ok = min_exclusive ? d > min : d >= min;
    if (errno || end == v || *end != '\0' || isspace((unsigned char)*v) || !low_ok || d > max ||
        d != d)
        return fail(ld, "%s: expected a number in %s%g, %g], got \"%s\"", name,
                    min_exclusive ? "(" : "[", min, max, v);
    *out = d;
    return 0;
}

static int get_bool(loader *ld, const char *name, int *out, int def)
{
    const char *v = lookup(ld, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
        *out = 0;
    else
        return fail(ld, "%s: expected 0 or 1, got \"%s\"", name, v);
    return 0;
}

static int parse_cors(loader *ld, config *cfg)
{
    char buf[CONFIG_MAX_ORIGINS * 256];
    if (get_str(ld, "CORS_ORIGINS", buf, sizeof buf, "*") < 0)
        return -1;
    char *s = trim_inplace(buf);
    cfg->cors_any = strcmp(s, "*") == 0;
    cfg->n_cors_origins = 0;
    if (cfg->cors_any)
        return 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = trim_inplace(tok);
        if (!*tok)
            continue;
        if (strcmp(tok, "*") == 0)
            return fail(ld, "CORS_ORIGINS: \"*\" cannot be combined with a list");
        if (cfg->n_cors_origins >= CONFIG_MAX_ORIGINS)
            return fail(ld, "CORS_ORIGINS: at most %d origins", CONFIG_MAX_ORIGINS);
        if (strlen(tok) >= sizeof cfg->cors_origins[0])
            return fail(ld, "CORS_ORIGINS: origin too long");
        strcpy(cfg->cors_origins[cfg->n_cors_origins++], tok);
    }
    if (cfg->n_cors_origins == 0)
        return fail(ld, "CORS_ORIGINS: expected \"*\" or a comma-separated list of origins");
    return 0;
}

static int parse_network(loader *ld, config *cfg)
{
    if (get_str(ld, "HOST", cfg->host, sizeof cfg->host, "0.0.0.0") < 0)
        return -1;
    struct in_addr a;
    if (inet_pton(AF_INET, cfg->host, &a) != 1)
        return fail(ld, "HOST: expected an IPv4 address, got \"%s\"", cfg->host);
    if (get_int(ld, "PORT", &cfg->port, 5000, 0, 65535) < 0)
        return -1;
    long mb;
    if (get_long(ld, "MAX_BODY_MB", &mb, 32, 1, 4096) < 0)
        return -1;
    cfg->max_body_bytes = (size_t)mb * 1024 * 1024;
    if (parse_cors(ld, cfg) < 0)
        return -1;
    if (get_int(ld, "ATTENDLY_MAX_CONNECTIONS", &cfg->max_connections, 256, 1, 100000) < 0 ||
        get_int(ld, "ATTENDLY_CONNECTION_TIMEOUT", &cfg->connection_timeout_s, 60, 1, 3600) < 0 ||
        get_bool(ld, "TRUST_PROXY", &cfg->trust_proxy, 0) < 0 ||
        get_str(ld, "METRICS_TOKEN", cfg->metrics_token, sizeof cfg->metrics_token, "") < 0)
        return -1;
    return 0;
}

/* Both TLS variables or neither: one alone would silently serve plain HTTP. */
static int parse_tls(loader *ld, config *cfg)
{
    if (get_str(ld, "TLS_CERT_FILE", cfg->tls_cert_file, sizeof cfg->tls_cert_file, "") < 0 ||
        get_str(ld, "TLS_KEY_FILE", cfg->tls_key_file, sizeof cfg->tls_key_file, "") < 0)
        return -1;
    if (cfg->tls_cert_file[0] && !cfg->tls_key_file[0])
        return fail(ld, "TLS_KEY_FILE: not set, but TLS_CERT_FILE is (set both for HTTPS, or "
                        "neither)");
    if (cfg->tls_key_file[0] && !cfg->tls_cert_file[0])
        return fail(ld, "TLS_CERT_FILE: not set, but TLS_KEY_FILE is (set both for HTTPS, or "
                        "neither)");
    return 0;
}

static int valid_timezone(const char *tz)
{
    if (!*tz || tz[0] == '/' || strstr(tz, ".."))
        return 0;
    for (const char *p = tz; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+-/", *p))
            return 0;
    return 1;
}

static int parse_storage(loader *ld, config *cfg)
{
    if (get_str(ld, "ATTENDLY_DATA_DIR", cfg->data_dir, sizeof cfg->data_dir, "./data") < 0)
        return -1;
    /* The SQLite URL rule shared with db_open (SQLAlchemy's): the file path is everything
     * after "sqlite:///", so ./data gives sqlite:///./data/attendly.db (relative) and /srv
     * gives sqlite:////srv/attendly.db (absolute). */
    char def[sizeof cfg->database_url];
    if (snprintf(def, sizeof def, "sqlite:///%s/attendly.db", cfg->data_dir) >= (int)sizeof def)
        return fail(ld, "ATTENDLY_DATA_DIR: value too long");
    if (get_str(ld, "DATABASE_URL", cfg->database_url, sizeof cfg->database_url, def) < 0)
        return -1;
    const char *u = cfg->database_url;
    if (strncmp(u, "sqlite:///", 10) != 0 && strncmp(u, "postgresql://", 13) != 0 &&
        strncmp(u, "postgres://", 11) != 0)
        return fail(ld, "DATABASE_URL: expected sqlite:///<path> or postgresql://...");
    if (strncmp(u, "sqlite:///", 10) == 0 && u[10] == '\0')
        return fail(ld, "DATABASE_URL: sqlite:/// needs a file path");
    return get_int(ld, "ATTENDLY_DB_POOL", &cfg->db_pool_size, 8, 1, 256);
}

static int parse_auth(loader *ld, config *cfg)
{
    const char *secret = lookup(ld, "JWT_SECRET_KEY");
    cfg->jwt_secret_set = secret != NULL;
    cfg->jwt_secret_len = 0;
    if (secret) {
        size_t n = strlen(secret);
        if (n > sizeof cfg->jwt_secret)
            return fail(ld, "JWT_SECRET_KEY: at most %zu bytes", sizeof cfg->jwt_secret);
        memcpy(cfg->jwt_secret, secret, n);
        cfg->jwt_secret_len = n;
    }
    if (get_long(ld, "JWT_ACCESS_TOKEN_EXPIRES", &cfg->jwt_access_expires, 86400, 1,
                 315360000) < 0 ||
        get_long(ld, "JWT_REFRESH_TOKEN_EXPIRES", &cfg->jwt_refresh_expires, 2592000, 1,
                 315360000) < 0 ||
        get_int(ld, "ATTENDLY_PASSWORD_COST", &cfg->password_cost, 0, 0, 1) < 0 ||
        get_int(ld, "LOGIN_MAX_FAILURES", &cfg->login_max_failures, 10, 1, 1000000) < 0 ||
        get_int(ld, "LOGIN_MAX_FAILURES_PER_IP", &cfg->login_max_failures_per_ip, 50, 1,
                1000000) < 0 ||
        get_long(ld, "LOGIN_WINDOW_SECONDS", &cfg->login_window_seconds, 900, 1, 31536000) < 0)
        return -1;
    return 0;
}

static int parse_face(loader *ld, config *cfg)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    if (cores > 256)
        cores = 256;
    if (get_long(ld, "ATTENDLY_MAX_IMAGE_PIXELS", &cfg->max_image_pixels, 40000000, 1,
                 1000000000) < 0 ||
        get_str(ld, "FACE_MODELS_DIR", cfg->models_dir, sizeof cfg->models_dir, "./models") < 0 ||
        get_double(ld, "FACE_RECOGNITION_TOLERANCE", &cfg->face_tolerance, 0.6, 0, 1, 1) < 0 ||
        get_double(ld, "FACE_DUPLICATE_THRESHOLD", &cfg->face_duplicate_threshold, 0.45, 0, 2,
                   1) < 0 ||
        get_int(ld, "FACE_MIN_SIZE_PX", &cfg->face_min_size_px, 64, 1, 100000) < 0 ||
        get_int(ld, "FACE_MAX_IMAGES_PER_STUDENT", &cfg->face_max_images, 25, 1, 1000) < 0 ||
        get_bool(ld, "FACE_IMAGE_STORE", &cfg->face_image_store, 0) < 0 ||
        get_int(ld, "RECOGNITION_WORKERS", &cfg->recognition_workers, (int)cores, 1, 256) < 0 ||
        get_long(ld, "RECOGNITION_QUEUE_TIMEOUT_MS", &cfg->recognition_queue_timeout_ms, 10000, 0,
                 600000) < 0)
        return -1;
    return 0;
}

static int parse_domains(loader *ld, config *cfg)
{
    char buf[CONFIG_MAX_DOMAINS * 256];
    char *save = NULL;
    if (get_str(ld, "SIGNUP_EMAIL_DOMAINS", buf, sizeof buf, "") < 0)
        return -1;
    cfg->n_signup_domains = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = trim_inplace(tok);
        if (!*tok)
            continue;
        if (cfg->n_signup_domains >= CONFIG_MAX_DOMAINS)
            return fail(ld, "SIGNUP_EMAIL_DOMAINS: at most %d domains", CONFIG_MAX_DOMAINS);
        if (strlen(tok) >= sizeof cfg->signup_domains[0])
            return fail(ld, "SIGNUP_EMAIL_DOMAINS: domain too long");
        for (char *p = tok; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        strcpy(cfg->signup_domains[cfg->n_signup_domains++], tok);
    }
    return 0;
}

/* Part II: sign-up policy, consent and retention (API.md §18). */
static int parse_school(loader *ld, config *cfg)
{
    char policy[32];
    if (get_str(ld, "TEACHER_SIGNUP", policy, sizeof policy, "open") < 0)
        return -1;
    if (!strcmp(policy, "open"))
        cfg->teacher_signup = CONFIG_SIGNUP_OPEN;
    else if (!strcmp(policy, "approval"))
        cfg->teacher_signup = CONFIG_SIGNUP_APPROVAL;
    else if (!strcmp(policy, "closed"))
        cfg->teacher_signup = CONFIG_SIGNUP_CLOSED;
    else
        return fail(ld, "TEACHER_SIGNUP: expected open, approval or closed, got \"%s\"", policy);
    if (parse_domains(ld, cfg) < 0 ||
        get_bool(ld, "FACE_CONSENT_REQUIRED", &cfg->face_consent_required, 1) < 0 ||
        get_str(ld, "FACE_CONSENT_TEXT_FILE", cfg->face_consent_text_file,
                sizeof cfg->face_consent_text_file, "") < 0 ||
        get_int(ld, "FACE_DATA_RETENTION_DAYS", &cfg->face_data_retention_days, 365, 0,
                36500) < 0 ||
        get_int(ld, "FACE_IMAGE_RETENTION_DAYS", &cfg->face_image_retention_days, 30, 1,
                36500) < 0 ||
        get_int(ld, "AUDIT_RETENTION_DAYS", &cfg->audit_retention_days, 730, 1, 36500) < 0)
        return -1;
    return 0;
}

int config_load(config *cfg, const char *env_file, char *err, size_t errlen)
{
    loader ld = {.err = err, .errlen = errlen};
    int rc = -1;
    memset(cfg, 0, sizeof *cfg);
    if (env_file && env_file_read(&ld, env_file) < 0)
        goto out;
    if (parse_network(&ld, cfg) < 0 || parse_tls(&ld, cfg) < 0 || parse_storage(&ld, cfg) < 0 ||
        parse_auth(&ld, cfg) < 0 || parse_face(&ld, cfg) < 0 || parse_school(&ld, cfg) < 0 ||
        get_bool(&ld, "ATTENDLY_DEBUG", &cfg->debug, 0) < 0 ||
        get_str(&ld, "ATTENDLY_TIMEZONE", cfg->timezone, sizeof cfg->timezone, "UTC") < 0)
        goto out;
    if (!valid_timezone(cfg->timezone)) {
        fail(&ld, "ATTENDLY_TIMEZONE: invalid zone name \"%s\"", cfg->timezone);
        goto out;
    }
    rc = 0;
out:
    env_file_free(&ld.file);
    return rc;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

int config_ensure_data_dir(const config *cfg, char *err, size_t errlen)
{
    if (make_dirs(cfg->data_dir) < 0) {
        snprintf(err, errlen, "cannot create ATTENDLY_DATA_DIR %s: %s", cfg->data_dir,
                 strerror(errno));
        return -1;
    }
    return 0;
}

static int read_secret_file(config *cfg, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, cfg->jwt_secret, sizeof cfg->jwt_secret);
    close(fd);
    /* Trailing newlines are tolerated for files an operator wrote by hand. */
    while (n > 0 && (cfg->jwt_secret[n - 1] == '\n' || cfg->jwt_secret[n - 1] == '\r'))
        n--;
    if (n < SECRET_MIN_BYTES) {
        snprintf(err, errlen, "%s holds fewer than %d bytes; delete it to generate a new one",
                 path, SECRET_MIN_BYTES);
        return -1;
    }
    cfg->jwt_secret_len = (size_t)n;
    return 0;
}

/* 32 random bytes, stored hex-encoded so the same value can be handed to other servers
 * as JWT_SECRET_KEY. O_EXCL makes concurrent first starts agree on one file. */
static int create_secret_file(const char *path, char *err, size_t errlen)
{
    unsigned char raw[SECRET_FILE_BYTES];
    char hex[SECRET_FILE_BYTES * 2 + 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    size_t len = strlen(hex);
    hex[len++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    if (write(fd, hex, len) != (ssize_t)len || fsync(fd) < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (rc < 0)
        unlink(path);
    return rc;
}

int config_load_secret(config *cfg, char *err, size_t errlen)
{
    if (cfg->jwt_secret_set) {
        if (cfg->jwt_secret_len < SECRET_MIN_BYTES) {
            snprintf(err, errlen, "JWT_SECRET_KEY must be at least %d bytes long (got %zu)",
                     SECRET_MIN_BYTES, cfg->jwt_secret_len);
            return -1;
        }
        return 0;
    }
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium initialisation failed");
        return -1;
    }
    if (config_ensure_data_dir(cfg, err, errlen) < 0)
        return -1;
    char path[1100];
    snprintf(path, sizeof path, "%s/jwt_secret", cfg->data_dir);
    if (create_secret_file(path, err, errlen) < 0)
        return -1;
    return read_secret_file(cfg, path, err, errlen);
}
