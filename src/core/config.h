#ifndef ATTENDLY_CORE_CONFIG_H
#define ATTENDLY_CORE_CONFIG_H
/* Server configuration: environment variables of API.md §9, optionally preloaded from a
 * `.env` file (KEY=VALUE lines; real environment variables win). */
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_ORIGINS 32
#define CONFIG_MAX_DOMAINS 32

enum { CONFIG_SIGNUP_OPEN = 0, CONFIG_SIGNUP_APPROVAL, CONFIG_SIGNUP_CLOSED };

typedef struct config {
    char host[64];                  /* HOST, "0.0.0.0" */
    int port;                       /* PORT, 5000 */
    char data_dir[1024];            /* ATTENDLY_DATA_DIR, "./data" */
    char database_url[2048];        /* DATABASE_URL, sqlite:///<data_dir>/attendly.db */
    unsigned char jwt_secret[256];  /* JWT_SECRET_KEY or generated (see config_load_secret) */
    size_t jwt_secret_len;
    int jwt_secret_set;             /* JWT_SECRET_KEY was present (even if empty) */
    long jwt_access_expires;        /* JWT_ACCESS_TOKEN_EXPIRES, 86400 */
    long jwt_refresh_expires;       /* JWT_REFRESH_TOKEN_EXPIRES, 2592000 */
    size_t max_body_bytes;          /* MAX_BODY_MB (32) in bytes */
    int cors_any;                   /* CORS_ORIGINS == "*" */
    char cors_origins[CONFIG_MAX_ORIGINS][256];
    int n_cors_origins;
    int debug;                      /* ATTENDLY_DEBUG */
    char timezone[64];              /* ATTENDLY_TIMEZONE, "UTC" */
    long max_image_pixels;          /* ATTENDLY_MAX_IMAGE_PIXELS, 40000000 */
    char models_dir[1024];          /* FACE_MODELS_DIR, "./models" */
    double face_tolerance;          /* FACE_RECOGNITION_TOLERANCE, 0.6 */
    double face_duplicate_threshold;/* FACE_DUPLICATE_THRESHOLD, 0.45 */
    int face_min_size_px;           /* FACE_MIN_SIZE_PX, 64 */
    int face_max_images;            /* FACE_MAX_IMAGES_PER_STUDENT, 25 */
    int face_image_store;           /* FACE_IMAGE_STORE, 0 */
    int recognition_workers;        /* RECOGNITION_WORKERS, number of cores */
    long recognition_queue_timeout_ms; /* RECOGNITION_QUEUE_TIMEOUT_MS, 10000 */
    int login_max_failures;         /* LOGIN_MAX_FAILURES, 10 */
    int login_max_failures_per_ip;  /* LOGIN_MAX_FAILURES_PER_IP, 50 */
    long login_window_seconds;      /* LOGIN_WINDOW_SECONDS, 900 */
    int trust_proxy;                /* TRUST_PROXY, 0 */
    char metrics_token[256];        /* METRICS_TOKEN, "" = unset */
    char tls_cert_file[1024];       /* TLS_CERT_FILE, "" = unset (plain HTTP) */
    char tls_key_file[1024];        /* TLS_KEY_FILE; set exactly when tls_cert_file is */
    /* Part II (API.md §18). */
    int teacher_signup;             /* TEACHER_SIGNUP: CONFIG_SIGNUP_OPEN (default) ... */
    char signup_domains[CONFIG_MAX_DOMAINS][256]; /* SIGNUP_EMAIL_DOMAINS, lowercased */
    int n_signup_domains;           /* 0 = any domain */
    int face_consent_required;      /* FACE_CONSENT_REQUIRED, 1 */
    char face_consent_text_file[1024]; /* FACE_CONSENT_TEXT_FILE, "" = built-in text */
    int face_data_retention_days;   /* FACE_DATA_RETENTION_DAYS, 365; 0 = forever */
    int face_image_retention_days;  /* FACE_IMAGE_RETENTION_DAYS, 30 */
    int audit_retention_days;       /* AUDIT_RETENTION_DAYS, 730 */
    /* Not in API.md: operational knobs. */
    int password_cost;              /* ATTENDLY_PASSWORD_COST: 0 = libsodium INTERACTIVE,
                                       1 = minimal (tests only; still Argon2id, m=19MiB,t=2) */
    int max_connections;            /* ATTENDLY_MAX_CONNECTIONS, 256 */
    int connection_timeout_s;       /* ATTENDLY_CONNECTION_TIMEOUT, 60 */
    int db_pool_size;               /* ATTENDLY_DB_POOL, 8 */
} config;

/* Fills *cfg from `.env` (if `env_file` is non-NULL and exists) and the environment.
 * On a bad value returns -1 and writes a one-line reason to err. */
int config_load(config *cfg, const char *env_file, char *err, size_t errlen);

/* Sets cfg->jwt_secret: JWT_SECRET_KEY when set (refused when shorter than 32 bytes),
 * otherwise <data_dir>/jwt_secret, created with 32 random bytes and mode 0600 on first use.
 * Creates data_dir when needed. Returns -1 with a reason in err. */
int config_load_secret(config *cfg, char *err, size_t errlen);

/* Creates cfg->data_dir (and parents, mode 0700) when missing. Returns -1 with a reason. */
int config_ensure_data_dir(const config *cfg, char *err, size_t errlen);

/* The process-wide configuration, set once at start-up by main (read-only afterwards). */
extern config g_config;

#endif
