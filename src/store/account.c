/* A user's data rights (see account.h). */
#include "store/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/attendance_sql.h"
#include "store/faces.h"

static void read_enrollment(db_stmt *s, void *item)
{
    store_enrollment_row *e = item;
    e->class_id = db_col_int64(s, 0);
    att_copy_text(e->class_name, sizeof e->class_name, db_col_text(s, 1));
    e->is_active = db_col_int64(s, 2) != 0;
    e->enrolled_at = db_col_int64(s, 3);
    e->updated_at = db_col_int64(s, 4);
}

int store_account_enrollments(db_conn *c, int64_t student_id, store_enrollment_row **out,
                              size_t *n)
{
    db_stmt *s = db_prepare(c, "SELECT e.class_id, k.name, e.is_active, e.enrolled_at, "
                               "e.updated_at FROM enrollments e JOIN classes k ON "
                               "k.id = e.class_id WHERE e.student_id = ? "
                               "ORDER BY e.enrolled_at, e.id");
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, student_id);
    rc = att_collect(s, (void **)out, sizeof **out, n, read_enrollment);
    db_finalize(s);
    return rc;
}

int store_account_records(db_conn *c, int64_t student_id, store_att_record **out, size_t *n)
{
    return store_att_records_of_student_all(c, student_id, out, n);
}

/* Runs one statement bound to (user_id) or (now, user_id); DB_OK or an error. */
static int exec_for_user(db_conn *c, const char *sql, int with_now, int64_t now, int64_t user)
{
    db_stmt *s = db_prepare(c, sql);
    int rc;

    if (!s)
        return DB_ERR;
    if (with_now) {
        db_bind_int64(s, 1, now);
        db_bind_int64(s, 2, user);
    } else {
        db_bind_int64(s, 1, user);
    }
    do
        rc = db_step(s);
    while (rc == DB_ROW);
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

static int anonymise(db_conn *c, int64_t user_id, int64_t now)
{
    char email[64];
    db_stmt *s;
    int rc;

    snprintf(email, sizeof email, "deleted-%lld@invalid", (long long)user_id);
    s = db_prepare(c, "UPDATE users SET email = ?, first_name = 'Deleted', last_name = 'User', "
                      "status = 'deactivated', is_active = 0, token_version = token_version + 1, "
                      "updated_at = ? WHERE id = ?");
    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, email);
    db_bind_int64(s, 2, now);
    db_bind_int64(s, 3, user_id);
    rc = db_step(s);
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

static int delete_in_tx(db_conn *c, int64_t user_id, int64_t now, const store_audit_new *audit,
                        int64_t *face_images, char ***paths, size_t *n_paths)
{
    int64_t classes = 0;
    char details[64];
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM classes WHERE teacher_id = ? AND is_active = 1");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    rc = db_step(s);
    classes = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_finalize(s);
    if (rc != DB_ROW)
        return DB_ERR;
    if (classes > 0)
        return STORE_ACCOUNT_HAS_CLASSES;
    rc = store_face_delete_in_tx(c, user_id, NULL, face_images, paths, n_paths);
    if (rc != DB_OK && rc != DB_DONE)
        return rc;
    if ((rc = exec_for_user(c, "DELETE FROM face_consents WHERE user_id = ?", 0, 0, user_id)) ||
        (rc = exec_for_user(c, "DELETE FROM face_consent_history WHERE user_id = ?", 0, 0,
                            user_id)) ||
        (rc = exec_for_user(c, "UPDATE enrollments SET is_active = 0, updated_at = ? "
                               "WHERE student_id = ? AND is_active = 1", 1, now, user_id)) ||
        (rc = anonymise(c, user_id, now)))
        return rc;
    store_audit_new e = *audit;
    snprintf(details, sizeof details, "{\"face_images\":%lld}", (long long)*face_images);
    e.details = details;
    return store_audit_append(c, &e);
}

int store_account_delete(db_conn *c, int64_t user_id, int64_t now, const store_audit_new *audit,
                         int64_t *face_images, char ***paths, size_t *n_paths)
{
    int rc;

    *face_images = 0;
    *paths = NULL;
    *n_paths = 0;
    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    rc = delete_in_tx(c, user_id, now, audit, face_images, paths, n_paths);
    if (rc == DB_OK && db_commit(c) == DB_OK)
        return DB_OK;
    db_rollback(c);
    store_face_paths_free(*paths, *n_paths);
    *paths = NULL;
    *n_paths = 0;
    return rc == DB_OK ? DB_ERR : rc;
}
