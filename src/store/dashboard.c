/* Dashboard aggregates. */
#include "store/dashboard.h"

/* The teacher's active classes. */
#define OWNED_CLASSES "SELECT id FROM classes WHERE teacher_id = ? AND is_active = 1"

/* Per-session counts of records by status, for a row aliased s. */
#define COUNT_STATUS(st) \
    "(SELECT COUNT(*) FROM attendance_records r WHERE r.session_id = s.id " \
    "AND r.status = '" st "')"

static int one_row_int64s(db_stmt *s, int64_t *cols[], int n)
{
    int rc = db_step(s);

    if (rc == DB_ROW) {
        for (int i = 0; i < n; i++)
            *cols[i] = db_col_is_null(s, i) ? 0 : db_col_int64(s, i);
        rc = DB_OK;
    } else {
        rc = DB_ERR;
    }
    db_finalize(s);
    return rc;
}

static int teacher_counts(db_conn *c, int64_t teacher_id, const char *today,
                          store_teacher_stats *out)
{
    db_stmt *s = db_prepare(c,
        "SELECT (SELECT COUNT(*) FROM classes WHERE teacher_id = ? AND is_active = 1), "
        "(SELECT COUNT(DISTINCT e.student_id) FROM enrollments e "
        " WHERE e.is_active = 1 AND e.class_id IN (" OWNED_CLASSES ")), "
        "(SELECT COUNT(*) FROM attendance_sessions s WHERE s.is_active = 1 "
        " AND s.session_date = ? AND s.class_id IN (" OWNED_CLASSES "))");
    int64_t *cols[] = {&out->total_classes, &out->total_students, &out->todays_sessions};

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, teacher_id);
    db_bind_int64(s, 2, teacher_id);
    db_bind_text(s, 3, today);
    db_bind_int64(s, 4, teacher_id);
    return one_row_int64s(s, cols, 3);
}

/* Mean of the per-session rates over sessions with students, dated today or earlier
 * (clarification 12). */
static int teacher_avg_rate(db_conn *c, int64_t teacher_id, const char *today, double *out)
{
    db_stmt *s = db_prepare(c,
        "SELECT AVG(CAST((" COUNT_STATUS("present") " + " COUNT_STATUS("late") ") "
        "AS DOUBLE PRECISION) * 100.0 / s.total_students) "
        "FROM attendance_sessions s WHERE s.is_active = 1 AND s.total_students > 0 "
        "AND s.session_date <= ? AND s.class_id IN (" OWNED_CLASSES ")");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, today);
    db_bind_int64(s, 2, teacher_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *out = db_col_is_null(s, 0) ? 0.0 : db_col_double(s, 0);
        rc = DB_OK;
    } else {
        rc = DB_ERR;
    }
    db_finalize(s);
    return rc;
}

int store_teacher_stats_get(db_conn *c, int64_t teacher_id, const char *today,
                            store_teacher_stats *out)
{
    int rc;

    /* One read transaction: the numbers describe one moment. */
    if (db_begin(c) != DB_OK)
        return DB_ERR;
    rc = teacher_counts(c, teacher_id, today, out);
    if (rc == DB_OK)
        rc = teacher_avg_rate(c, teacher_id, today, &out->avg_attendance_rate);
    if (rc == DB_OK)
        rc = db_commit(c) == DB_OK ? DB_OK : DB_ERR;
    else
        db_rollback(c);
    return rc;
}

int store_teacher_recent_sessions(db_conn *c, int64_t teacher_id, const char *from,
                                  const char *to, int limit, store_activity_cb cb, void *arg)
{
    db_stmt *s = db_prepare(c,
        "SELECT s.id, s.class_id, c.name, s.session_name, s.session_date, "
        COUNT_STATUS("present") ", " COUNT_STATUS("late") ", " COUNT_STATUS("absent") ", "
        "s.total_students FROM attendance_sessions s JOIN classes c ON c.id = s.class_id "
        "WHERE c.teacher_id = ? AND c.is_active = 1 AND s.is_active = 1 "
        "AND s.session_date >= ? AND s.session_date <= ? "
        "ORDER BY s.session_date DESC, s.id DESC LIMIT ?");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, teacher_id);
    db_bind_text(s, 2, from);
    db_bind_text(s, 3, to);
    db_bind_int64(s, 4, limit);
    while ((rc = db_step(s)) == DB_ROW) {
        store_session_activity a = {
            .id = db_col_int64(s, 0),
            .class_id = db_col_int64(s, 1),
            .class_name = db_col_text(s, 2),
            .session_name = db_col_text(s, 3),
            .session_date = db_col_text(s, 4),
            .present_count = db_col_int64(s, 5),
            .late_count = db_col_int64(s, 6),
            .absent_count = db_col_int64(s, 7),
            .total_students = db_col_int64(s, 8),
        };
        if (cb(&a, arg)) {
            rc = DB_ERR;
            break;
        }
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc;
}

/* The student's active enrollments in active classes. */
#define MY_CLASSES \
    "SELECT e.class_id FROM enrollments e JOIN classes c ON c.id = e.class_id " \
    "WHERE e.student_id = ? AND e.is_active = 1 AND c.is_active = 1"

int store_student_stats_get(db_conn *c, int64_t student_id, store_student_stats *out)
{
    db_stmt *s = db_prepare(c,
        "SELECT (SELECT COUNT(*) FROM (" MY_CLASSES ") mine), "
        "(SELECT COUNT(*) FROM attendance_sessions s WHERE s.is_active = 1 "
        " AND s.class_id IN (" MY_CLASSES ")), "
        "(SELECT COUNT(*) FROM attendance_records r "
        " JOIN attendance_sessions s ON s.id = r.session_id "
        " WHERE r.student_id = ? AND r.status IN ('present', 'late') AND s.is_active = 1 "
        " AND s.class_id IN (" MY_CLASSES "))");
    int64_t *cols[] = {&out->enrolled_classes, &out->total_sessions, &out->sessions_attended};

    if (!s)
        return DB_ERR;
    for (int i = 1; i <= 4; i++)
        db_bind_int64(s, i, student_id);
    return one_row_int64s(s, cols, 3);
}
