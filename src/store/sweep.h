#ifndef ATTENDLY_STORE_SWEEP_H
#define ATTENDLY_STORE_SWEEP_H
/* The retention sweep (API.md §16.1, migration 008): deletes what the retention settings
 * say has expired. One process at a time: a session advisory lock on PostgreSQL, the
 * sweep_lease row on SQLite; a sweep that finds the lock taken does nothing. */
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"

typedef struct store_sweep_policy {
    int64_t now;
    int face_data_days;          /* 0 = never */
    int face_image_days;
    int audit_days;
    int64_t login_window_seconds;
    const char *holder;          /* names this process in the SQLite lease */
} store_sweep_policy;

typedef struct store_sweep_result {
    int64_t face_data, face_images, revoked_tokens, login_failures, audit_events;
    char **paths;                /* stored upload files to unlink (store_face_paths_free) */
    size_t n_paths;
} store_sweep_result;

/* DB_OK with *out filled, DB_BUSY when another process holds the sweep, or an error
 * (what was deleted before it is kept: each kind commits on its own). */
int store_sweep_run(db_conn *c, const store_sweep_policy *p, store_sweep_result *out);

#endif
