/* Attendance writes (API.md §7.2, 7.5, 7.6 and the marking of §7.7): each is one
 * transaction that first locks the session row, so concurrent writers to one session
 * serialise, and ends by refreshing the session's total_students (API.md §2). */
#include "store/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/attendance_sql.h"

/* ---- writes -------------------------------------------------------------------------- */

int store_att_session_lock(db_conn *c, int64_t teacher_id, int64_t session_id, int64_t now,
                           int64_t *class_id, char *session_name)
{
    /* A write to the row takes PostgreSQL's row lock (SQLite's BEGIN IMMEDIATE already
     * holds the database); updated_at records that the session's attendance changed. */
    db_stmt *s = db_prepare(c, "UPDATE attendance_sessions SET updated_at = ?"
                               " WHERE id = ? AND is_active = 1 AND class_id IN"
                               " (SELECT id FROM classes WHERE teacher_id = ? AND is_active = 1)"
                               " RETURNING class_id, session_name");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, now);
    db_bind_int64(s, 2, session_id);
    db_bind_int64(s, 3, teacher_id);
    int rc = att_step_one(s);
    if (rc == DB_ROW) {
        *class_id = db_col_int64(s, 0);
        if (session_name)
            att_copy_text(session_name, STORE_ATT_TEXT, db_col_text(s, 1));
        /* Drain so that PostgreSQL and SQLite both finish the statement. */
        if (db_step(s) < 0)
            rc = DB_ERR;
    }
    db_finalize(s);
    return rc;
}

int store_att_session_refresh(db_conn *c, int64_t session_id, int64_t class_id, int64_t now,
                              store_att_stats *stats)
{
    db_stmt *s = db_prepare(c, "UPDATE attendance_sessions SET updated_at = ?, total_students ="
                               " (SELECT COUNT(*) FROM (SELECT student_id FROM enrollments"
                               " WHERE class_id = ? AND is_active = 1 UNION"
                               " SELECT student_id FROM attendance_records WHERE session_id = ?) u)"
                               " WHERE id = ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, now);
    db_bind_int64(s, 2, class_id);
    db_bind_int64(s, 3, session_id);
    db_bind_int64(s, 4, session_id);
    int rc = att_step_done(s);
    db_finalize(s);
    if (rc != DB_OK || !stats)
        return rc;
    rc = store_att_session_stats(c, session_id, stats);
    return rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_ERR);
}

/* The statements of one marking pass, prepared once and reused for every student. */
typedef struct mark_stmts {
    db_stmt *enrolled, *existing, *insert, *update;
} mark_stmts;

static void mark_stmts_free(mark_stmts *m)
{
    db_stmt *all[] = {m->enrolled, m->existing, m->insert, m->update};
    for (size_t i = 0; i < 4; i++)
        if (all[i])
            db_finalize(all[i]);
}

static int mark_stmts_prepare(db_conn *c, mark_stmts *m)
{
    memset(m, 0, sizeof *m);
    m->enrolled = db_prepare(c, "SELECT u.first_name, u.last_name FROM enrollments e"
                                " JOIN users u ON u.id = e.student_id"
                                " WHERE e.class_id = ? AND e.student_id = ? AND e.is_active = 1");
    m->existing = db_prepare(c, "SELECT id, status, recognition_method, recognition_confidence"
                                " FROM attendance_records WHERE session_id = ? AND student_id = ?");
    m->insert = db_prepare(c, "INSERT INTO attendance_records (session_id, student_id, status,"
                              " recognition_method, recognition_confidence, marked_by, marked_at,"
                              " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    m->update = db_prepare(c, "UPDATE attendance_records SET status = ?, recognition_method = ?,"
                              " recognition_confidence = ?, marked_by = ?, updated_at = ?"
                              " WHERE id = ?");
    if (m->enrolled && m->existing && m->insert && m->update)
        return DB_OK;
    mark_stmts_free(m);
    return DB_ERR;
}

static void bind_confidence(db_stmt *s, int idx, const store_mark_item *it)
{
    if (it->has_confidence)
        db_bind_double(s, idx, it->confidence);
    else
        db_bind_null(s, idx);
}

/* Does the existing record (status `have`) get the new status under the policy? */
static int mark_replaces(const store_mark_opts *o, enum store_att_status have)
{
    if (o->policy == STORE_MARK_ABSENT_ONLY)
        return have == ATT_ABSENT && o->status != ATT_ABSENT;
    return have != o->status;
}

static int mark_one(mark_stmts *m, int64_t session_id, int64_t class_id, int64_t marker_id,
                    const store_mark_opts *o, store_mark_item *it, int64_t now)
{
    int rc;
    it->action = STORE_MARK_INVALID;
    it->student_name[0] = '\0';
    db_reset(m->enrolled);
    db_bind_int64(m->enrolled, 1, class_id);
    db_bind_int64(m->enrolled, 2, it->student_id);
    rc = att_step_one(m->enrolled);
    if (rc != DB_ROW)
        return rc == DB_DONE ? DB_OK : rc;   /* not enrolled: reported as invalid */
    att_copy_name(it->student_name, sizeof it->student_name, m->enrolled, 0);

    db_reset(m->existing);
    db_bind_int64(m->existing, 1, session_id);
    db_bind_int64(m->existing, 2, it->student_id);
    rc = att_step_one(m->existing);
    if (rc < 0)
        return rc;
    it->status = o->status;
    it->method = o->method;
    if (rc == DB_DONE) {
        db_reset(m->insert);
        db_bind_int64(m->insert, 1, session_id);
        db_bind_int64(m->insert, 2, it->student_id);
        db_bind_text(m->insert, 3, store_att_status_name(o->status));
        db_bind_text(m->insert, 4, store_att_method_name(o->method));
        bind_confidence(m->insert, 5, it);
        db_bind_int64(m->insert, 6, marker_id);
        db_bind_int64(m->insert, 7, now);
        db_bind_int64(m->insert, 8, now);
        rc = att_step_done(m->insert);
        if (rc == DB_OK)
            it->action = STORE_MARK_CREATED;
        return rc;
    }
    int64_t record_id = db_col_int64(m->existing, 0);
    int have = store_att_status_parse(db_col_text(m->existing, 1));
    int have_method = store_att_method_parse(db_col_text(m->existing, 2));
    it->previous_status = have < 0 ? ATT_ABSENT : (enum store_att_status)have;
    if (!mark_replaces(o, it->previous_status)) {
        it->action = STORE_MARK_UNCHANGED;
        it->status = it->previous_status;
        it->method = have_method < 0 ? ATT_MANUAL : (enum store_att_method)have_method;
        it->has_kept_confidence = !db_col_is_null(m->existing, 3);
        it->kept_confidence = it->has_kept_confidence ? db_col_double(m->existing, 3) : 0.0;
        return DB_OK;
    }
    db_reset(m->update);
    db_bind_text(m->update, 1, store_att_status_name(o->status));
    db_bind_text(m->update, 2, store_att_method_name(o->method));
    bind_confidence(m->update, 3, it);
    db_bind_int64(m->update, 4, marker_id);
    db_bind_int64(m->update, 5, now);
    db_bind_int64(m->update, 6, record_id);
    rc = att_step_done(m->update);
    if (rc == DB_OK)
        it->action = STORE_MARK_UPDATED;
    return rc;
}

/* attendance.record_changed for one record whose status went from `from` to `to`. */
static int record_changed(db_conn *c, const store_audit_new *tpl, int64_t student_id,
                          int64_t session_id, int64_t class_id, enum store_att_status from,
                          enum store_att_status to)
{
    char details[64];
    store_audit_new e = *tpl;

    if (from == to)
        return DB_OK;
    snprintf(details, sizeof details, "{\"from\":\"%s\",\"to\":\"%s\"}",
             store_att_status_name(from), store_att_status_name(to));
    e.action = "attendance.record_changed";
    e.subject_id = student_id;
    e.session_id = session_id;
    e.class_id = class_id;
    e.details = details;
    return store_audit_append(c, &e);
}

int store_att_mark_items(db_conn *c, int64_t session_id, int64_t class_id, int64_t marker_id,
                         const store_mark_opts *opts, store_mark_item *items, size_t n,
                         int64_t now)
{
    mark_stmts m;
    int rc = mark_stmts_prepare(c, &m);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        rc = mark_one(&m, session_id, class_id, marker_id, opts, &items[i], now);
        if (rc == DB_OK && opts->record_changed && items[i].action == STORE_MARK_UPDATED)
            rc = record_changed(c, opts->record_changed, items[i].student_id, session_id,
                                class_id, items[i].previous_status, items[i].status);
    }
    mark_stmts_free(&m);
    return rc;
}

int store_att_mark(db_conn *c, int64_t teacher_id, int64_t session_id,
                   const store_mark_opts *opts, store_mark_item *items, size_t n, int64_t now,
                   char *session_name, store_att_stats *stats)
{
    return store_att_mark_audited(c, teacher_id, session_id, opts, items, n, now, session_name,
                                  stats, NULL, 0);
}

int store_att_mark_audited(db_conn *c, int64_t teacher_id, int64_t session_id,
                           const store_mark_opts *opts, store_mark_item *items, size_t n,
                           int64_t now, char *session_name, store_att_stats *stats,
                           const store_audit_new *audit, size_t n_audit)
{
    int64_t class_id = 0;
    int rc = db_begin_write(c);
    if (rc != DB_OK)
        return rc < 0 ? rc : DB_ERR;
    rc = store_att_session_lock(c, teacher_id, session_id, now, &class_id, session_name);
    if (rc != DB_ROW)
        goto out;
    rc = store_att_mark_items(c, session_id, class_id, teacher_id, opts, items, n, now);
    if (rc == DB_OK)
        rc = store_att_session_refresh(c, session_id, class_id, now, stats);
    for (size_t i = 0; i < n_audit && rc == DB_OK; i++)
        rc = store_audit_append(c, &audit[i]);
out:
    if (rc == DB_DONE) {   /* not found: nothing was written */
        db_rollback(c);
        return DB_DONE;
    }
    return att_tx_end(c, rc);
}

int store_att_record_update(db_conn *c, int64_t teacher_id, int64_t record_id,
                            enum store_att_status status, int64_t now,
                            store_att_record *out, store_att_stats *stats)
{
    return store_att_record_update_audited(c, teacher_id, record_id, status, now, NULL, out,
                                           stats);
}

int store_att_record_update_audited(db_conn *c, int64_t teacher_id, int64_t record_id,
                                    enum store_att_status status, int64_t now,
                                    const store_audit_new *change, store_att_record *out,
                                    store_att_stats *stats)
{
    int64_t class_id = 0;
    db_stmt *s = NULL;
    int rc = db_begin_write(c);
    if (rc != DB_OK)
        return rc < 0 ? rc : DB_ERR;
    rc = store_att_record_get_owned(c, teacher_id, record_id, out);
    if (rc != DB_ROW)
        goto out;
    rc = store_att_session_lock(c, teacher_id, out->session_id, now, &class_id, NULL);
    if (rc != DB_ROW)
        goto out;
    s = db_prepare(c, "UPDATE attendance_records SET status = ?, marked_by = ?, updated_at = ?"
                      " WHERE id = ?");
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    db_bind_text(s, 1, store_att_status_name(status));
    db_bind_int64(s, 2, teacher_id);
    db_bind_int64(s, 3, now);
    db_bind_int64(s, 4, record_id);
    rc = att_step_done(s);
    if (rc == DB_OK && change)
        rc = record_changed(c, change, out->student_id, out->session_id, class_id, out->status,
                            status);
    if (rc == DB_OK)
        rc = store_att_session_refresh(c, out->session_id, class_id, now, stats);
    if (rc == DB_OK) {
        rc = store_att_record_get_owned(c, teacher_id, record_id, out);
        if (rc == DB_DONE)
            rc = DB_ERR;
    }
out:
    if (s)
        db_finalize(s);
    if (rc == DB_DONE) {
        db_rollback(c);
        return DB_DONE;
    }
    return att_tx_end(c, rc);
}

static void read_student(db_stmt *s, void *item)
{
    store_att_student *st = item;
    st->id = db_col_int64(s, 0);
    att_copy_name(st->name, sizeof st->name, s, 1);
}

/* Actively enrolled students of the class without a record in the session, by id. */
static int students_without_record(db_conn *c, int64_t class_id, int64_t session_id,
                                   store_att_student **out, size_t *n)
{
    db_stmt *s = db_prepare(c, "SELECT u.id, u.first_name, u.last_name FROM enrollments e"
                               " JOIN users u ON u.id = e.student_id"
                               " WHERE e.class_id = ? AND e.is_active = 1 AND NOT EXISTS"
                               " (SELECT 1 FROM attendance_records r WHERE r.session_id = ?"
                               " AND r.student_id = e.student_id) ORDER BY u.id");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, session_id);
    int rc = att_collect(s, (void **)out, sizeof **out, n, read_student);
    db_finalize(s);
    return rc;
}

int store_att_finalize(db_conn *c, int64_t teacher_id, int64_t session_id, int64_t now,
                       store_att_student **absent, size_t *n_absent, store_att_stats *stats)
{
    int64_t class_id = 0;
    db_stmt *s = NULL;
    *absent = NULL;
    *n_absent = 0;
    int rc = db_begin_write(c);
    if (rc != DB_OK)
        return rc < 0 ? rc : DB_ERR;
    rc = store_att_session_lock(c, teacher_id, session_id, now, &class_id, NULL);
    if (rc != DB_ROW)
        goto out;
    rc = students_without_record(c, class_id, session_id, absent, n_absent);
    if (rc != DB_OK)
        goto out;
    s = db_prepare(c, "INSERT INTO attendance_records (session_id, student_id, status,"
                      " recognition_method, recognition_confidence, marked_by, marked_at,"
                      " updated_at) VALUES (?, ?, 'absent', 'manual', NULL, ?, ?, ?)");
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    for (size_t i = 0; i < *n_absent && rc == DB_OK; i++) {
        db_reset(s);
        db_bind_int64(s, 1, session_id);
        db_bind_int64(s, 2, (*absent)[i].id);
        db_bind_int64(s, 3, teacher_id);
        db_bind_int64(s, 4, now);
        db_bind_int64(s, 5, now);
        rc = att_step_done(s);
    }
    if (rc == DB_OK)
        rc = store_att_session_refresh(c, session_id, class_id, now, stats);
out:
    if (s)
        db_finalize(s);
    if (rc != DB_OK) {
        free(*absent);
        *absent = NULL;
        *n_absent = 0;
    }
    if (rc == DB_DONE) {
        db_rollback(c);
        return DB_DONE;
    }
    return att_tx_end(c, rc == DB_ROW ? DB_OK : rc);
}
