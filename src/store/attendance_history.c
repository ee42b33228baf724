/* Read-only attendance aggregates: a student's history (API.md §7.8) and the class
 * report (§7.9). Counts come from the records of active sessions only. */
#include "store/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/attendance_sql.h"

static void read_class_tally(db_stmt *s, void *item)
{
    store_att_class_tally *t = item;
    memset(t, 0, sizeof *t);
    t->class_id = db_col_int64(s, 0);
    att_copy_text(t->class_name, sizeof t->class_name, db_col_text(s, 1));
    t->sessions = db_col_int64(s, 2);
    t->present = db_col_int64(s, 3);
    t->late = db_col_int64(s, 4);
    t->absent = db_col_int64(s, 5);
}

/* The classes in scope with their per-class counts. Parameters in SQL order:
 * [since_date], student_id (records), student_id (enrollment), [class_id]. */
static int history_tallies(db_conn *c, int64_t student_id, int64_t class_id,
                           const char *since_date, store_att_class_tally **out, size_t *n)
{
    char sql[1400];
    snprintf(sql, sizeof sql,
             "SELECT c.id, c.name, COUNT(s.id),"
             " COALESCE(SUM(CASE WHEN r.status = 'present' THEN 1 ELSE 0 END), 0),"
             " COALESCE(SUM(CASE WHEN r.status = 'late' THEN 1 ELSE 0 END), 0),"
             " COALESCE(SUM(CASE WHEN r.status = 'absent' THEN 1 ELSE 0 END), 0)"
             " FROM classes c JOIN enrollments e ON e.class_id = c.id"
             " LEFT JOIN attendance_sessions s ON s.class_id = c.id AND s.is_active = 1%s"
             " LEFT JOIN attendance_records r ON r.session_id = s.id AND r.student_id = ?"
             " WHERE e.student_id = ? AND e.is_active = 1 AND c.is_active = 1%s"
             " GROUP BY c.id, c.name ORDER BY c.id",
             since_date ? " AND s.session_date >= ?" : "",
             class_id > 0 ? " AND c.id = ?" : "");
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return DB_ERR;
    int k = 1;
    if (since_date)
        db_bind_text(s, k++, since_date);
    db_bind_int64(s, k++, student_id);
    db_bind_int64(s, k++, student_id);
    if (class_id > 0)
        db_bind_int64(s, k++, class_id);
    int rc = att_collect(s, (void **)out, sizeof **out, n, read_class_tally);
    db_finalize(s);
    return rc;
}

static void read_history_item(db_stmt *s, void *item)
{
    store_att_history_item *it = item;
    memset(it, 0, sizeof *it);
    it->session_id = db_col_int64(s, 0);
    att_copy_text(it->session_name, sizeof it->session_name, db_col_text(s, 1));
    att_copy_text(it->session_date, sizeof it->session_date, db_col_text(s, 2));
    it->class_id = db_col_int64(s, 3);
    att_copy_text(it->class_name, sizeof it->class_name, db_col_text(s, 4));
    it->has_record = !db_col_is_null(s, 5);
    if (!it->has_record)
        return;
    int st = store_att_status_parse(db_col_text(s, 5));
    int me = store_att_method_parse(db_col_text(s, 6));
    it->status = st < 0 ? ATT_ABSENT : (enum store_att_status)st;
    it->method = me < 0 ? ATT_MANUAL : (enum store_att_method)me;
    it->marked_at = db_col_int64(s, 7);
    it->has_confidence = !db_col_is_null(s, 8);
    it->confidence = it->has_confidence ? db_col_double(s, 8) : 0.0;
}

/* One page of sessions in scope, newest first, with the student's record when any. */
static int history_page(db_conn *c, int64_t student_id, int64_t class_id,
                        const char *since_date, int64_t limit, int64_t offset,
                        store_att_history_item **out, size_t *n)
{
    char sql[1400];
    snprintf(sql, sizeof sql,
             "SELECT s.id, s.session_name, s.session_date, c.id, c.name, r.status,"
             " r.recognition_method, r.marked_at, r.recognition_confidence"
             " FROM attendance_sessions s JOIN classes c ON c.id = s.class_id"
             " JOIN enrollments e ON e.class_id = c.id"
             " LEFT JOIN attendance_records r ON r.session_id = s.id AND r.student_id = ?"
             " WHERE e.student_id = ? AND e.is_active = 1 AND c.is_active = 1"
             " AND s.is_active = 1%s%s"
             " ORDER BY s.session_date DESC, s.id DESC LIMIT ? OFFSET ?",
             class_id > 0 ? " AND c.id = ?" : "",
             since_date ? " AND s.session_date >= ?" : "");
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return DB_ERR;
    int k = 1;
    db_bind_int64(s, k++, student_id);
    db_bind_int64(s, k++, student_id);
    if (class_id > 0)
        db_bind_int64(s, k++, class_id);
    if (since_date)
        db_bind_text(s, k++, since_date);
    db_bind_int64(s, k++, limit);
    db_bind_int64(s, k, offset);
    int rc = att_collect(s, (void **)out, sizeof **out, n, read_history_item);
    db_finalize(s);
    return rc;
}

int store_att_student_history(db_conn *c, int64_t student_id, int64_t class_id,
                              const char *since_date, int64_t limit, int64_t offset,
                              store_att_history_item **items, size_t *n, int64_t *total,
                              store_att_class_tally **classes, size_t *n_classes)
{
    *items = NULL;
    *classes = NULL;
    *n = *n_classes = 0;
    *total = 0;
    /* One read transaction so that the page and the tallies see the same data. */
    int rc = db_begin(c);
    if (rc != DB_OK)
        return rc < 0 ? rc : DB_ERR;
    rc = history_tallies(c, student_id, class_id, since_date, classes, n_classes);
    if (rc == DB_OK)
        rc = history_page(c, student_id, class_id, since_date, limit, offset, items, n);
    if (rc == DB_OK)
        for (size_t i = 0; i < *n_classes; i++)
            *total += (*classes)[i].sessions;
    if (rc != DB_OK) {
        free(*items);
        free(*classes);
        *items = NULL;
        *classes = NULL;
        *n = *n_classes = 0;
    }
    return att_tx_end(c, rc);
}

int store_att_session_count(db_conn *c, int64_t class_id, int64_t *out)
{
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM attendance_sessions"
                               " WHERE class_id = ? AND is_active = 1");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    int rc = db_step(s);
    *out = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_ERR);
}

static void read_report_row(db_stmt *s, void *item)
{
    store_att_report_row *r = item;
    memset(r, 0, sizeof *r);
    r->student_id = db_col_int64(s, 0);
    att_copy_name(r->name, sizeof r->name, s, 1);
    att_copy_text(r->email, sizeof r->email, db_col_text(s, 3));
    r->present = db_col_int64(s, 4);
    r->late = db_col_int64(s, 5);
    r->absent = db_col_int64(s, 6);
}

int store_att_report_rows(db_conn *c, int64_t class_id, int64_t limit, int64_t offset,
                          store_att_report_row **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM enrollments"
                               " WHERE class_id = ? AND is_active = 1");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *total = db_col_int64(s, 0);
    db_finalize(s);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERR;
    /* Records are counted once per student over the class's active sessions. */
    s = db_prepare(c, "SELECT u.id, u.first_name, u.last_name, u.email,"
                      " COALESCE(a.p, 0), COALESCE(a.l, 0), COALESCE(a.ab, 0)"
                      " FROM enrollments e JOIN users u ON u.id = e.student_id"
                      " LEFT JOIN (SELECT r.student_id AS sid,"
                      "  SUM(CASE WHEN r.status = 'present' THEN 1 ELSE 0 END) AS p,"
                      "  SUM(CASE WHEN r.status = 'late' THEN 1 ELSE 0 END) AS l,"
                      "  SUM(CASE WHEN r.status = 'absent' THEN 1 ELSE 0 END) AS ab"
                      "  FROM attendance_records r"
                      "  JOIN attendance_sessions s ON s.id = r.session_id"
                      "  WHERE s.class_id = ? AND s.is_active = 1 GROUP BY r.student_id) a"
                      " ON a.sid = u.id"
                      " WHERE e.class_id = ? AND e.is_active = 1 ORDER BY u.id LIMIT ? OFFSET ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, class_id);
    db_bind_int64(s, 3, limit < 0 ? INT64_MAX : limit);
    db_bind_int64(s, 4, limit < 0 ? 0 : offset);
    rc = att_collect(s, (void **)out, sizeof **out, n, read_report_row);
    db_finalize(s);
    return rc;
}
