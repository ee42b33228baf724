/* `attendly serve`: configuration, secret, time zone, database and migrations, then the
 * HTTP server until SIGINT or SIGTERM; then a clean shutdown (stop accepting, let
 * in-flight requests finish, close the database). */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/app.h"
#include "api/face/consent.h"
#include "api/ops/sweep.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/password.h"
#include "core/timeutil.h"
#include "core/tls.h"
#include "http/server.h"
#include "store/backup.h"

#define SHUTDOWN_GRACE_MS 10000

static int open_database(char *err, size_t errlen)
{
    if (config_ensure_data_dir(&g_config, err, errlen) < 0)
        return -1;
    g_app.db = db_open(g_config.database_url, g_config.db_pool_size, err, errlen);
    if (!g_app.db)
        return -1;
    int n = db_migrate(g_app.db, err, errlen);
    /* After the migrations: they create the file (and its directory) on first start. */
    if (n < 0 || store_sqlite_hold_server_lock(g_config.database_url, err, errlen) < 0)
        return -1;
    log_info("database ready", "kind=%s migrations_applied=%d",
             db_kind_of(g_app.db) == DB_POSTGRES ? "postgresql" : "sqlite", n);
    return 0;
}

/* The face engine is optional at start-up: without usable models the server still serves
 * everything else, /health answers 503 with face_recognition "unavailable" and the face
 * endpoints answer 503, so a wrong FACE_MODELS_DIR is visible to orchestration and in the
 * log instead of taking accounts, classes and manual attendance down with it. */
static void open_face_engine(void)
{
    char err[512] = "";
    int workers = g_config.recognition_workers > 0 ? g_config.recognition_workers : 1;

    g_app.face = face_engine_open(g_config.models_dir, workers, err, sizeof err);
    if (g_app.face)
        log_info("face engine ready", "models_dir=\"%s\" workers=%d", g_config.models_dir,
                 workers);
    else
        log_error("face engine unavailable", "models_dir=\"%s\" reason=\"%s\"",
                  g_config.models_dir, err);
}

/* TLS_CERT_FILE / TLS_KEY_FILE are checked before the database and the models, so that a
 * wrong file stops start-up at once (http_server_start reads them again for the daemon).
 * An expired certificate is only logged: replacing it is the fix, and the server keeps
 * answering clients that accept it. */
static int check_tls_files(void)
{
    char err[1024];
    tls_pem pem;
    if (!g_config.tls_cert_file[0])
        return 0;
    if (tls_pem_load(g_config.tls_cert_file, g_config.tls_key_file, &pem, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: configuration error: %s\n", err);
        return -1;
    }
    if (pem.not_after < time(NULL))
        log_warn("tls certificate expired", "cert=\"%s\"", g_config.tls_cert_file);
    tls_pem_free(&pem);
    return 0;
}

/* Signals are blocked in every thread (the server's threads inherit the mask) and
 * collected synchronously by the main thread. */
static int wait_for_signal(const sigset_t *set)
{
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    return sig;
}

int cli_serve(int argc, char **argv)
{
    char err[512];
    int rc = 1;
    http_server *srv = NULL;
    if (cli_load_config() < 0 || check_tls_files() < 0)
        return 2;
    if (config_load_secret(&g_config, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: %s\n", err);
        return 2;
    }
    if (time_set_zone(g_config.timezone) < 0) {
        fprintf(stderr, "attendly: ATTENDLY_TIMEZONE: unknown time zone \"%s\"\n",
                g_config.timezone);
        return 2;
    }
    if (api_consent_load(g_config.face_consent_text_file, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: %s\n", err);
        return 2;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    password_init(g_config.password_cost, cores > 2 ? (int)cores : 2);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (open_database(err, sizeof err) < 0) {
        fprintf(stderr, "attendly: database: %s\n", err);
        goto out;
    }
    open_face_engine();
    if (api_sweeper_start(g_app.db) < 0)
        log_error("retention sweeper not started", "%s", "pthread_create failed");
    srv = http_server_start(&g_config, &api_http_app, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "attendly: %s\n", err);
        goto out;
    }
    log_info("listening", "host=%s port=%d tls=%d version=%s", g_config.host,
             http_server_port(srv), g_config.tls_cert_file[0] != '\0', ATTENDLY_VERSION);
    int sig = wait_for_signal(&set);
    log_info("shutting down", "signal=%d", sig);
    rc = 0;
out:
    http_server_stop(srv, SHUTDOWN_GRACE_MS);
    api_sweeper_stop();
    if (g_app.face)
        face_engine_close(g_app.face);
    g_app.face = NULL;
    if (g_app.db)
        db_close(g_app.db);
    g_app.db = NULL;
    if (rc == 0)
        log_info("stopped", "%s", "clean=1");
    return rc;
}
