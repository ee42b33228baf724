/* Check-in windows, wrong codes and check-in marking (see checkin.h). */
#include "store/checkin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/attendance_sql.h"

#define WINDOW_COLS "w.session_id, s.class_id, w.opens_at, w.closes_at, w.late_after, w.secret"

static int window_from_row(db_stmt *s, store_checkin *out)
{
    size_t n = 0;
    const void *secret;

    memset(out, 0, sizeof *out);
    out->session_id = db_col_int64(s, 0);
    out->class_id = db_col_int64(s, 1);
    out->opens_at = db_col_int64(s, 2);
    out->closes_at = db_col_int64(s, 3);
    out->has_late_after = !db_col_is_null(s, 4);
    out->late_after = db_col_int64(s, 4);
    secret = db_col_blob(s, 5, &n);
    if (n != STORE_CHECKIN_SECRET)
        return DB_ERR;
    memcpy(out->secret, secret, n);
    return DB_ROW;
}

static int count_checked_in(db_conn *c, store_checkin *w)
{
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM attendance_records WHERE session_id = ? "
                               "AND recognition_method = 'checkin'");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, w->session_id);
    rc = db_step(s);
    w->checked_in = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_finalize(s);
    return rc == DB_ROW ? DB_ROW : DB_ERR;
}

/* Steps a statement returning at most one WINDOW_COLS row. */
static int step_window(db_conn *c, db_stmt *s, store_checkin *out)
{
    int rc = s ? db_step(s) : DB_ERR;

    if (rc == DB_ROW)
        rc = window_from_row(s, out);
    db_finalize(s);
    if (rc == DB_ROW)
        rc = count_checked_in(c, out);
    return rc == DB_ROW || rc == DB_DONE ? rc : DB_ERR;
}

int store_checkin_open(db_conn *c, const store_checkin *w, int64_t teacher_id)
{
    db_stmt *s = db_prepare(c,
        "INSERT INTO checkin_windows (session_id, secret, opens_at, closes_at, late_after, "
        "opened_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
        "secret = excluded.secret, opens_at = excluded.opens_at, closes_at = excluded.closes_at, "
        "late_after = excluded.late_after, opened_by = excluded.opened_by");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, w->session_id);
    db_bind_blob(s, 2, w->secret, sizeof w->secret);
    db_bind_int64(s, 3, w->opens_at);
    db_bind_int64(s, 4, w->closes_at);
    if (w->has_late_after)
        db_bind_int64(s, 5, w->late_after);
    else
        db_bind_null(s, 5);
    db_bind_int64(s, 6, teacher_id);
    rc = db_step(s);
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : DB_ERR;
}

int store_checkin_get(db_conn *c, int64_t session_id, int64_t now, store_checkin *out)
{
    db_stmt *s = db_prepare(c, "SELECT " WINDOW_COLS " FROM checkin_windows w "
                               "JOIN attendance_sessions s ON s.id = w.session_id "
                               "WHERE w.session_id = ? AND w.closes_at > ?");
    if (s) {
        db_bind_int64(s, 1, session_id);
        db_bind_int64(s, 2, now);
    }
    return step_window(c, s, out);
}

int store_checkin_close(db_conn *c, int64_t session_id, int64_t now)
{
    db_stmt *s = db_prepare(c, "DELETE FROM checkin_windows WHERE session_id = ? "
                               "AND closes_at > ? RETURNING session_id");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, session_id);
    db_bind_int64(s, 2, now);
    rc = db_step(s);
    if (rc == DB_ROW && db_step(s) < 0)
        rc = DB_ERR;
    db_finalize(s);
    return rc == DB_ROW || rc == DB_DONE ? rc : DB_ERR;
}

/* An open window of a visible session in an active class with the student's active
 * enrolment (parameters: session, student, now). */
#define STUDENT_WINDOW \
    " FROM checkin_windows w JOIN attendance_sessions s ON s.id = w.session_id" \
    " JOIN classes k ON k.id = s.class_id JOIN enrollments e ON e.class_id = k.id" \
    " WHERE s.is_active = 1 AND k.is_active = 1 AND e.is_active = 1"

int store_checkin_for_student(db_conn *c, int64_t session_id, int64_t student_id,
                              int64_t now, store_checkin *out)
{
    db_stmt *s = db_prepare(c, "SELECT " WINDOW_COLS STUDENT_WINDOW
                               " AND w.session_id = ? AND e.student_id = ? AND w.closes_at > ?");
    if (s) {
        db_bind_int64(s, 1, session_id);
        db_bind_int64(s, 2, student_id);
        db_bind_int64(s, 3, now);
    }
    return step_window(c, s, out);
}

static void read_listing(db_stmt *s, void *item)
{
    store_checkin_listing *l = item;
    l->session_id = db_col_int64(s, 0);
    l->class_id = db_col_int64(s, 1);
    l->closes_at = db_col_int64(s, 2);
    att_copy_text(l->class_name, sizeof l->class_name, db_col_text(s, 3));
    att_copy_text(l->session_name, sizeof l->session_name, db_col_text(s, 4));
}

int store_checkin_open_for_student(db_conn *c, int64_t student_id, int64_t now,
                                   store_checkin_listing **out, size_t *n)
{
    db_stmt *s = db_prepare(c, "SELECT w.session_id, s.class_id, w.closes_at, k.name, "
                               "s.session_name" STUDENT_WINDOW " AND e.student_id = ? "
                               "AND w.closes_at > ? ORDER BY w.closes_at, w.session_id");
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, student_id);
    db_bind_int64(s, 2, now);
    rc = att_collect(s, (void **)out, sizeof **out, n, read_listing);
    db_finalize(s);
    return rc;
}

/* ---- wrong codes ------------------------------------------------------------------- */

int store_checkin_failures(db_conn *c, int64_t session_id, int64_t student_id, int64_t since,
                           int64_t *count, int64_t *oldest)
{
    db_stmt *s = db_prepare(c, "SELECT COUNT(*), MIN(failed_at) FROM checkin_failures "
                               "WHERE session_id = ? AND student_id = ? AND failed_at > ?");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, session_id);
    db_bind_int64(s, 2, student_id);
    db_bind_int64(s, 3, since);
    rc = db_step(s);
    *count = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    *oldest = rc == DB_ROW ? db_col_int64(s, 1) : 0;
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

int store_checkin_fail(db_conn *c, int64_t session_id, int64_t student_id, int64_t now,
                       int64_t forget_before)
{
    db_stmt *s;
    int rc = db_begin_write(c);

    if (rc != DB_OK)
        return DB_ERR;
    s = db_prepare(c, "DELETE FROM checkin_failures WHERE session_id = ? AND student_id = ? "
                      "AND failed_at <= ?");
    if (s) {
        db_bind_int64(s, 1, session_id);
        db_bind_int64(s, 2, student_id);
        db_bind_int64(s, 3, forget_before);
        rc = db_step(s) == DB_DONE ? DB_OK : DB_ERR;
        db_finalize(s);
    }
    s = rc == DB_OK ? db_prepare(c, "INSERT INTO checkin_failures (session_id, student_id, "
                                    "failed_at) VALUES (?, ?, ?)") : NULL;
    if (s) {
        db_bind_int64(s, 1, session_id);
        db_bind_int64(s, 2, student_id);
        db_bind_int64(s, 3, now);
        rc = db_step(s) == DB_DONE ? DB_OK : DB_ERR;
        db_finalize(s);
    } else {
        rc = DB_ERR;
    }
    if (rc == DB_OK && db_commit(c) == DB_OK)
        return DB_OK;
    db_rollback(c);
    return DB_ERR;
}

/* ---- marking ----------------------------------------------------------------------- */

/* Takes the session's row lock (as teacher writes do) while the window is still open and
 * the student still enrolled: DB_ROW with the class id, DB_DONE otherwise. */
static int lock_open_session(db_conn *c, int64_t session_id, int64_t student_id, int64_t now,
                             int64_t *class_id)
{
    db_stmt *s = db_prepare(c,
        "UPDATE attendance_sessions SET updated_at = ? WHERE id = ? AND is_active = 1 AND "
        "EXISTS (SELECT 1" STUDENT_WINDOW " AND w.session_id = ? AND e.student_id = ? "
        "AND w.closes_at > ?) RETURNING class_id");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, now);
    db_bind_int64(s, 2, session_id);
    db_bind_int64(s, 3, session_id);
    db_bind_int64(s, 4, student_id);
    db_bind_int64(s, 5, now);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *class_id = db_col_int64(s, 0);
        if (db_step(s) < 0)
            rc = DB_ERR;
    }
    db_finalize(s);
    return rc == DB_ROW || rc == DB_DONE ? rc : DB_ERR;
}

static int load_record(db_conn *c, int64_t session_id, int64_t student_id, store_att_record *rec)
{
    store_att_record *recs = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = store_att_records_of_session(c, session_id, student_id, 1, 0, &recs, &n, &total);

    if (rc == DB_OK && n == 1)
        *rec = recs[0];
    else
        rc = DB_ERR;
    free(recs);
    return rc;
}

int store_checkin_mark(db_conn *c, int64_t session_id, int64_t student_id,
                       enum store_att_status status, int64_t now, const store_audit_new *audit,
                       store_mark_item *item, store_att_record *rec)
{
    store_mark_opts opts = {status, ATT_CHECKIN, STORE_MARK_ABSENT_ONLY, NULL};
    int64_t class_id = 0;
    int rc = db_begin_write(c);

    if (rc != DB_OK)
        return DB_ERR;
    rc = lock_open_session(c, session_id, student_id, now, &class_id);
    if (rc == DB_ROW) {
        memset(item, 0, sizeof *item);
        item->student_id = student_id;
        rc = store_att_mark_items(c, session_id, class_id, student_id, &opts, item, 1, now);
    }
    if (rc == DB_OK && item->action == STORE_MARK_INVALID)
        rc = DB_DONE;
    if (rc == DB_OK)
        rc = store_att_session_refresh(c, session_id, class_id, now, NULL);
    if (rc == DB_OK) {
        store_audit_new e = *audit;
        e.class_id = class_id;
        rc = store_audit_append(c, &e);
    }
    if (rc == DB_OK)
        rc = load_record(c, session_id, student_id, rec);
    if (rc == DB_OK && db_commit(c) == DB_OK)
        return DB_OK;
    db_rollback(c);
    return rc == DB_DONE ? DB_DONE : DB_ERR;
}
