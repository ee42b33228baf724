/* The retention sweep's schedule and its file clean-up (see sweep.h). */
#include "api/ops/sweep.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/face/common.h"
#include "core/config.h"
#include "core/log.h"
#include "http/metrics.h"
#include "store/faces.h"

#define SWEEP_INTERVAL_S 3600
#define SWEEP_ACQUIRE_MS 30000

int api_sweep_once(db *d, int64_t now, store_sweep_result *counts)
{
    char holder[64];
    db_conn *c = db_acquire(d, SWEEP_ACQUIRE_MS);
    int rc;

    memset(counts, 0, sizeof *counts);
    if (!c)
        return -1;
    snprintf(holder, sizeof holder, "pid-%ld", (long)getpid());
    store_sweep_policy p = {.now = now, .face_data_days = g_config.face_data_retention_days,
                            .face_image_days = g_config.face_image_retention_days,
                            .audit_days = g_config.audit_retention_days,
                            .login_window_seconds = g_config.login_window_seconds,
                            .holder = holder};
    rc = store_sweep_run(c, &p, counts);
    if (rc != DB_OK && rc != DB_BUSY)
        log_error("retention sweep failed", "error=%s", db_errmsg(c));
    db_release(c);
    api_face_unlink_raw(counts->paths, counts->n_paths);
    store_face_paths_free(counts->paths, counts->n_paths);
    counts->paths = NULL;
    counts->n_paths = 0;
    metrics_sweep_deleted(counts->face_data, counts->face_images, counts->audit_events);
    return rc == DB_OK || rc == DB_BUSY ? 0 : -1;
}

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    int running, stop;
    db *db;
} g_sweeper = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *sweeper_main(void *arg)
{
    pthread_mutex_lock(&g_sweeper.mu);
    while (!g_sweeper.stop) {
        store_sweep_result r;
        pthread_mutex_unlock(&g_sweeper.mu);
        if (api_sweep_once(g_sweeper.db, (int64_t)time(NULL), &r) == 0)
            log_info("retention sweep", "face_data=%lld face_images=%lld revoked_tokens=%lld "
                     "login_failures=%lld audit_events=%lld", (long long)r.face_data,
                     (long long)r.face_images, (long long)r.revoked_tokens,
                     (long long)r.login_failures, (long long)r.audit_events);
        pthread_mutex_lock(&g_sweeper.mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += SWEEP_INTERVAL_S;
        while (!g_sweeper.stop &&
               pthread_cond_timedwait(&g_sweeper.wake, &g_sweeper.mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&g_sweeper.mu);
    return NULL;
}

int api_sweeper_start(db *d)
{
    g_sweeper.db = d;
    g_sweeper.stop = 0;
    if (pthread_create(&g_sweeper.thread, NULL, sweeper_main, NULL) != 0)
        return -1;
    g_sweeper.running = 1;
    return 0;
}

void api_sweeper_stop(void)
{
    if (!g_sweeper.running)
        return;
    pthread_mutex_lock(&g_sweeper.mu);
    g_sweeper.stop = 1;
    pthread_cond_broadcast(&g_sweeper.wake);
    pthread_mutex_unlock(&g_sweeper.mu);
    pthread_join(g_sweeper.thread, NULL);
    g_sweeper.running = 0;
}
