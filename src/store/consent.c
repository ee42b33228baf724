/* Biometric consent (see consent.h). */
#include "store/consent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/attendance_sql.h"
#include "store/faces.h"

int store_consent_get(db_conn *c, int64_t user_id, store_consent *out)
{
    db_stmt *s = db_prepare(c, "SELECT status, given_version, given_at, withdrawn_at "
                               "FROM face_consents WHERE user_id = ?");
    int rc;

    memset(out, 0, sizeof *out);
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        const char *st = db_col_text(s, 0), *v = db_col_text(s, 1);
        out->has_row = 1;
        out->withdrawn = st && strcmp(st, "withdrawn") == 0;
        snprintf(out->given_version, sizeof out->given_version, "%s", v ? v : "");
        out->given_at = db_col_int64(s, 2);
        out->withdrawn_at = db_col_int64(s, 3);
    }
    db_finalize(s);
    return rc == DB_ROW || rc == DB_DONE ? DB_OK : DB_ERR;
}

static int exec_stmt(db_stmt *s)
{
    int rc = s ? db_step(s) : DB_ERR;
    db_finalize(s);
    return rc == DB_DONE || rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_ERR);
}

static int add_history(db_conn *c, int64_t user_id, const char *action, const char *version,
                       int64_t now)
{
    db_stmt *s = db_prepare(c, "INSERT INTO face_consent_history (user_id, action, version, at) "
                               "VALUES (?, ?, ?, ?)");
    if (s) {
        db_bind_int64(s, 1, user_id);
        db_bind_text(s, 2, action);
        db_bind_text(s, 3, version);
        db_bind_int64(s, 4, now);
    }
    return exec_stmt(s);
}

/* Commits on DB_OK, rolls back otherwise. */
static int tx_end(db_conn *c, int rc)
{
    if (rc == DB_OK && db_commit(c) == DB_OK)
        return DB_OK;
    db_rollback(c);
    return rc == DB_OK ? DB_ERR : rc;
}

int store_consent_give(db_conn *c, int64_t user_id, const char *version, int64_t now,
                       const store_audit_new *audit, store_consent *out)
{
    db_stmt *s;
    int rc;

    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    s = db_prepare(c, "INSERT INTO face_consents (user_id, status, given_version, given_at, "
                      "updated_at) VALUES (?, 'given', ?, ?, ?) ON CONFLICT (user_id) DO UPDATE "
                      "SET status = 'given', given_version = excluded.given_version, "
                      "given_at = excluded.given_at, updated_at = excluded.updated_at");
    if (s) {
        db_bind_int64(s, 1, user_id);
        db_bind_text(s, 2, version);
        db_bind_int64(s, 3, now);
        db_bind_int64(s, 4, now);
    }
    rc = exec_stmt(s);
    if (rc == DB_OK)
        rc = add_history(c, user_id, "given", version, now);
    if (rc == DB_OK && audit)
        rc = store_audit_append(c, audit);
    if (rc == DB_OK)
        rc = store_consent_get(c, user_id, out);
    return tx_end(c, rc);
}

int store_consent_withdraw(db_conn *c, int64_t user_id, int64_t now,
                           const store_audit_new *audit, int64_t *deleted, char ***paths,
                           size_t *n_paths)
{
    char version[STORE_CONSENT_VERSION_MAX], details[64];
    store_audit_new ev;
    db_stmt *s;
    int rc;

    *deleted = 0;
    *paths = NULL;
    *n_paths = 0;
    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    s = db_prepare(c, "UPDATE face_consents SET status = 'withdrawn', withdrawn_at = ?, "
                      "updated_at = ? WHERE user_id = ? AND status = 'given' "
                      "RETURNING given_version");
    if (!s) {
        db_rollback(c);
        return DB_ERR;
    }
    db_bind_int64(s, 1, now);
    db_bind_int64(s, 2, now);
    db_bind_int64(s, 3, user_id);
    rc = db_step(s);
    if (rc == DB_ROW)
        snprintf(version, sizeof version, "%s", db_col_text(s, 0) ? db_col_text(s, 0) : "");
    db_finalize(s);
    if (rc != DB_ROW) {
        db_rollback(c);
        return rc == DB_DONE ? DB_DONE : DB_ERR;
    }
    rc = add_history(c, user_id, "withdrawn", version, now);
    if (rc == DB_OK) {
        ev = *audit;
        ev.action = "face.deleted";
        rc = store_face_delete_in_tx(c, user_id, &ev, deleted, paths, n_paths);
        rc = rc == DB_DONE ? DB_OK : rc;   /* consent without face data */
    }
    if (rc == DB_OK) {
        ev = *audit;
        snprintf(details, sizeof details, "{\"version\":\"%s\",\"deleted_images\":%lld}",
                 version, (long long)*deleted);
        ev.details = details;
        rc = store_audit_append(c, &ev);
    }
    rc = tx_end(c, rc);
    if (rc != DB_OK) {
        store_face_paths_free(*paths, *n_paths);
        *paths = NULL;
        *n_paths = 0;
        *deleted = 0;
    }
    return rc;
}

static void read_consent_event(db_stmt *s, void *item)
{
    store_consent_event *e = item;
    snprintf(e->action, sizeof e->action, "%s", db_col_text(s, 0) ? db_col_text(s, 0) : "");
    snprintf(e->version, sizeof e->version, "%s", db_col_text(s, 1) ? db_col_text(s, 1) : "");
    e->at = db_col_int64(s, 2);
}

int store_consent_history(db_conn *c, int64_t user_id, store_consent_event **out, size_t *n)
{
    db_stmt *s = db_prepare(c, "SELECT action, version, at FROM face_consent_history "
                               "WHERE user_id = ? ORDER BY id");
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    rc = att_collect(s, (void **)out, sizeof **out, n, read_consent_event);
    db_finalize(s);
    return rc;
}
