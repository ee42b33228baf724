/* enrollments table. */
#include "store/enrollments.h"

#include <string.h>

int store_enrollment_active(db_conn *c, int64_t class_id, int64_t student_id)
{
    db_stmt *s = db_prepare(c,
        "SELECT 1 FROM enrollments e JOIN classes c ON c.id = e.class_id "
        "WHERE e.class_id = ? AND e.student_id = ? AND e.is_active = 1 AND c.is_active = 1");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, student_id);
    rc = db_step(s);
    db_finalize(s);
    if (rc == DB_ROW)
        return 1;
    return rc == DB_DONE ? 0 : rc;
}

/* The state of a (class, student) enrollment row, or a negative db_rc. */
enum { ENR_INACTIVE = 0, ENR_ACTIVE = 1, ENR_NONE = 2 };

static int enrollment_state(db_conn *c, int64_t class_id, int64_t student_id)
{
    db_stmt *s = db_prepare(c, "SELECT is_active FROM enrollments "
                               "WHERE class_id = ? AND student_id = ?");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, student_id);
    rc = db_step(s);
    if (rc == DB_ROW)
        rc = db_col_int64(s, 0) ? ENR_ACTIVE : ENR_INACTIVE;
    else if (rc == DB_DONE)
        rc = ENR_NONE;
    db_finalize(s);
    return rc;
}

static int step_done(db_stmt *s)
{
    int rc = db_step(s);

    db_finalize(s);
    return rc;
}

/* Sets is_active to `active` when it differs: DB_ROW when a row changed, DB_DONE when none
 * did (already in that state, or no enrolment). */
static int set_active(db_conn *c, int64_t class_id, int64_t student_id, int64_t now, int active)
{
    static const char *const sql[2] = {
        "UPDATE enrollments SET is_active = 0, updated_at = ? "
        "WHERE class_id = ? AND student_id = ? AND is_active = 1 RETURNING id",
        "UPDATE enrollments SET is_active = 1, updated_at = ? "
        "WHERE class_id = ? AND student_id = ? AND is_active = 0 RETURNING id",
    };
    db_stmt *s = db_prepare(c, sql[active ? 1 : 0]);
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, now);
    db_bind_int64(s, 2, class_id);
    db_bind_int64(s, 3, student_id);
    return step_done(s);
}

/* DB_ROW created, DB_DONE when a concurrent join created it first. */
static int insert_enrollment(db_conn *c, int64_t class_id, int64_t student_id, int64_t now)
{
    db_stmt *s = db_prepare(c,
        "INSERT INTO enrollments (class_id, student_id, is_active, enrolled_at, updated_at) "
        "VALUES (?, ?, 1, ?, ?) ON CONFLICT DO NOTHING RETURNING id");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, student_id);
    db_bind_int64(s, 3, now);
    db_bind_int64(s, 4, now);
    return step_done(s);
}

static int join_in_tx(db_conn *c, int64_t class_id, int64_t student_id, int64_t now)
{
    int rc = enrollment_state(c, class_id, student_id);

    switch (rc) {
    case ENR_ACTIVE:
        return STORE_JOIN_ALREADY;
    case ENR_INACTIVE:
        rc = set_active(c, class_id, student_id, now, 1);
        if (rc == DB_ROW)
            return STORE_JOIN_REACTIVATED;
        return rc == DB_DONE ? STORE_JOIN_ALREADY : rc;
    case ENR_NONE:
        rc = insert_enrollment(c, class_id, student_id, now);
        if (rc == DB_ROW)
            return STORE_JOIN_NEW;
        return rc == DB_DONE ? STORE_JOIN_ALREADY : rc;
    default:
        return rc;
    }
}

int store_enrollment_join(db_conn *c, int64_t class_id, int64_t student_id, int64_t now)
{
    int rc;

    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    rc = join_in_tx(c, class_id, student_id, now);
    if (rc == STORE_JOIN_NEW || rc == STORE_JOIN_REACTIVATED) {
        if (db_commit(c) != DB_OK)
            rc = DB_ERR;
    } else {
        db_rollback(c);
    }
    return rc;
}

int store_enrollment_deactivate(db_conn *c, int64_t class_id, int64_t student_id,
                                int64_t now)
{
    return set_active(c, class_id, student_id, now, 0);
}

int store_class_students(db_conn *c, int64_t class_id, store_student_cb cb, void *arg)
{
    db_stmt *s = db_prepare(c,
        "SELECT u.id, u.first_name, u.last_name, u.email, e.enrolled_at, "
        "EXISTS (SELECT 1 FROM face_data f WHERE f.user_id = u.id), fc.status, "
        "fc.given_version FROM enrollments e JOIN users u ON u.id = e.student_id "
        "LEFT JOIN face_consents fc ON fc.user_id = u.id "
        "WHERE e.class_id = ? AND e.is_active = 1 ORDER BY e.enrolled_at, u.id");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    while ((rc = db_step(s)) == DB_ROW) {
        store_class_student st = {
            .id = db_col_int64(s, 0),
            .first_name = db_col_text(s, 1),
            .last_name = db_col_text(s, 2),
            .email = db_col_text(s, 3),
            .enrolled_at = db_col_int64(s, 4),
            .has_face_data = db_col_int64(s, 5) != 0,
            .has_consent_row = !db_col_is_null(s, 6),
            .consent_withdrawn = db_col_text(s, 6) && !strcmp(db_col_text(s, 6), "withdrawn"),
            .consent_version = db_col_text(s, 7),
        };
        if (cb(&st, arg)) {
            rc = DB_ERR;
            break;
        }
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc;
}
