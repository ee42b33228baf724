/* The retention sweep (see sweep.h). Each kind of row is deleted in its own short
 * transaction; expired face data one student at a time, each with its face.expired event,
 * so that a long sweep never holds the write lock for long. */
#include "store/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/faces.h"

#define SWEEP_PG_LOCK_KEY "7312946012"
#define SWEEP_LEASE_SECONDS 3000
#define DAY 86400
#define FACE_BATCH 200

/* ---- one process at a time --------------------------------------------------------- */

static int lock_sweep(db_conn *c, const store_sweep_policy *p)
{
    db_stmt *s;
    int rc;

    if (db_conn_kind(c) == DB_POSTGRES) {
        int64_t got = 0;
        rc = db_query_int64(c, "SELECT CASE WHEN pg_try_advisory_lock(" SWEEP_PG_LOCK_KEY
                               ") THEN 1 ELSE 0 END", &got);
        return rc != DB_ROW ? DB_ERR : got ? DB_OK : DB_BUSY;
    }
    /* The lease expires by itself, so a process killed mid-sweep blocks nobody for long. */
    s = db_prepare(c, "UPDATE sweep_lease SET holder = ?, until = ? WHERE id = 1 AND "
                      "(until < ? OR holder = ?) RETURNING id");
    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, p->holder);
    db_bind_int64(s, 2, p->now + SWEEP_LEASE_SECONDS);
    db_bind_int64(s, 3, p->now);
    db_bind_text(s, 4, p->holder);
    rc = db_step(s);
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : rc == DB_DONE ? DB_BUSY : DB_ERR;
}

static void unlock_sweep(db_conn *c, const store_sweep_policy *p)
{
    db_stmt *s;

    if (db_conn_kind(c) == DB_POSTGRES) {
        int64_t ignored;
        db_query_int64(c, "SELECT CASE WHEN pg_advisory_unlock(" SWEEP_PG_LOCK_KEY
                          ") THEN 1 ELSE 0 END", &ignored);
        return;
    }
    s = db_prepare(c, "UPDATE sweep_lease SET until = 0 WHERE id = 1 AND holder = ?");
    if (s) {
        db_bind_text(s, 1, p->holder);
        db_step(s);
        db_finalize(s);
    }
}

/* ---- the kinds ----------------------------------------------------------------------- */

/* Runs a DELETE … RETURNING (or UPDATE) with one cutoff and counts its rows. */
static int delete_counted(db_conn *c, const char *sql, int64_t cutoff, int64_t *count)
{
    db_stmt *s = db_prepare(c, sql);
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, cutoff);
    while ((rc = db_step(s)) == DB_ROW)
        (*count)++;
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

/* Students with face data and no active enrollment in an active class, whose last
 * enrollment (or, never enrolled, their face data) changed before cutoff. */
static int expired_students(db_conn *c, int64_t cutoff, int64_t **ids, size_t *n)
{
    db_stmt *s = db_prepare(c,
        "SELECT f.user_id FROM face_data f WHERE NOT EXISTS (SELECT 1 FROM enrollments e "
        "JOIN classes k ON k.id = e.class_id WHERE e.student_id = f.user_id AND "
        "e.is_active = 1 AND k.is_active = 1) AND COALESCE((SELECT MAX(CASE WHEN "
        "k.updated_at > e.updated_at THEN k.updated_at ELSE e.updated_at END) FROM "
        "enrollments e JOIN classes k ON k.id = e.class_id WHERE e.student_id = f.user_id), "
        "f.updated_at) < ? ORDER BY f.user_id LIMIT 200");
    int rc;

    *ids = NULL;
    *n = 0;
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, cutoff);
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t *grown = realloc(*ids, (*n + 1) * sizeof **ids);
        if (!grown) {
            rc = DB_ERR;
            break;
        }
        *ids = grown;
        grown[(*n)++] = db_col_int64(s, 0);
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

static int expire_one(db_conn *c, int64_t student, int64_t now, store_sweep_result *out)
{
    store_audit_new ev = {.action = "face.expired", .subject_id = student, .at = now};
    int64_t deleted = 0;
    char **paths = NULL;
    size_t n = 0;
    int rc;

    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    rc = store_face_delete_in_tx(c, student, &ev, &deleted, &paths, &n);
    if ((rc == DB_OK || rc == DB_DONE) && db_commit(c) == DB_OK) {
        out->face_data += rc == DB_OK;
        char **grown = realloc(out->paths, (out->n_paths + n + 1) * sizeof *grown);
        if (grown) {
            out->paths = grown;
            for (size_t i = 0; i < n; i++)
                grown[out->n_paths++] = paths[i];
            free(paths);
        } else {
            store_face_paths_free(paths, n);   /* files stay; the rows are gone */
        }
        return DB_OK;
    }
    db_rollback(c);
    store_face_paths_free(paths, n);
    return DB_ERR;
}

static int expire_face_data(db_conn *c, const store_sweep_policy *p, store_sweep_result *out)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc;

    if (p->face_data_days <= 0)
        return DB_OK;
    do {
        rc = expired_students(c, p->now - (int64_t)p->face_data_days * DAY, &ids, &n);
        for (size_t i = 0; i < n && rc == DB_OK; i++)
            rc = expire_one(c, ids[i], p->now, out);
        free(ids);
    } while (rc == DB_OK && n == FACE_BATCH);
    return rc;
}

/* Uploads kept with FACE_IMAGE_STORE=1: the paths are read, then cleared, in one
 * transaction (RETURNING would give the cleared values); the files are unlinked after. */
static int expire_images(db_conn *c, const store_sweep_policy *p, store_sweep_result *out)
{
    int64_t cutoff = p->now - (int64_t)p->face_image_days * DAY;
    size_t first = out->n_paths;
    db_stmt *s;
    int rc;

    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    s = db_prepare(c, "SELECT raw_image_path FROM face_descriptors WHERE "
                      "raw_image_path IS NOT NULL AND created_at < ?");
    if (!s) {
        db_rollback(c);
        return DB_ERR;
    }
    db_bind_int64(s, 1, cutoff);
    while ((rc = db_step(s)) == DB_ROW) {
        const char *path = db_col_text(s, 0);
        char **grown = realloc(out->paths, (out->n_paths + 1) * sizeof *grown);
        out->face_images++;
        if (grown)
            out->paths = grown;
        /* Out of memory: the row is cleared all the same; only its file stays behind. */
        if (grown && path && (grown[out->n_paths] = strdup(path)))
            out->n_paths++;
    }
    db_finalize(s);
    if (rc == DB_DONE) {
        int64_t cleared = 0;
        rc = delete_counted(c, "UPDATE face_descriptors SET raw_image_path = NULL WHERE "
                               "raw_image_path IS NOT NULL AND created_at < ? RETURNING id",
                            cutoff, &cleared);
    } else {
        rc = DB_ERR;
    }
    if (rc == DB_OK && db_commit(c) == DB_OK)
        return DB_OK;
    db_rollback(c);
    /* Nothing was cleared: keep every file. */
    for (size_t i = first; i < out->n_paths; i++)
        free(out->paths[i]);
    out->n_paths = first;
    return DB_ERR;
}

int store_sweep_run(db_conn *c, const store_sweep_policy *p, store_sweep_result *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = lock_sweep(c, p)) != DB_OK)
        return rc;
    rc = expire_face_data(c, p, out);
    if (rc == DB_OK)
        rc = expire_images(c, p, out);
    if (rc == DB_OK)
        rc = delete_counted(c, "DELETE FROM revoked_tokens WHERE expires_at < ? RETURNING jti",
                            p->now, &out->revoked_tokens);
    if (rc == DB_OK)
        rc = delete_counted(c, "DELETE FROM login_failures WHERE failed_at < ? RETURNING id",
                            p->now - p->login_window_seconds, &out->login_failures);
    /* Check-in leftovers (§14), not reported: wrong codes past the limit's window, and the
     * secrets of windows closed a day ago. */
    int64_t unreported = 0;
    if (rc == DB_OK)
        rc = delete_counted(c, "DELETE FROM checkin_failures WHERE failed_at < ? RETURNING id",
                            p->now - 600, &unreported);
    if (rc == DB_OK)
        rc = delete_counted(c, "DELETE FROM checkin_windows WHERE closes_at < ? "
                               "RETURNING session_id", p->now - DAY, &unreported);
    if (rc == DB_OK)
        rc = delete_counted(c, "DELETE FROM audit_events WHERE at < ? RETURNING id",
                            p->now - (int64_t)p->audit_days * DAY, &out->audit_events);
    unlock_sweep(c, p);
    return rc;
}
