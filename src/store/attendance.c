/* Attendance sessions, records and marking (API.md §7.1-7.6). SQL is portable between
 * SQLite and PostgreSQL: `?` placeholders, RETURNING, integer 0/1 booleans, Unix-second
 * times and 'YYYY-MM-DD' dates. Every multi-statement write runs in one transaction that
 * first locks the session row, so concurrent writers to one session serialise. */
#include "store/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/attendance_sql.h"

static const char *const status_names[] = {"present", "absent", "late"};
static const char *const method_names[] = {"manual", "ai_face", "hybrid"};

const char *store_att_status_name(enum store_att_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "absent";
}

const char *store_att_method_name(enum store_att_method m)
{
    return (unsigned)m < 3 ? method_names[m] : "manual";
}

static int parse_name(const char *s, const char *const names[3])
{
    if (!s)
        return -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int store_att_status_parse(const char *s) { return parse_name(s, status_names); }
int store_att_method_parse(const char *s) { return parse_name(s, method_names); }

/* ---- row helpers (shared with attendance_history.c through attendance_sql.h) -------- */

void att_copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

void att_copy_name(char *dst, size_t size, db_stmt *s, int first_col)
{
    const char *first = db_col_text(s, first_col), *last = db_col_text(s, first_col + 1);
    snprintf(dst, size, "%s %s", first ? first : "", last ? last : "");
}

/* Columns of ATT_SESSION_SELECT, in order. */
static void read_session(db_stmt *s, store_att_session *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_col_int64(s, 0);
    out->class_id = db_col_int64(s, 1);
    att_copy_text(out->class_name, sizeof out->class_name, db_col_text(s, 2));
    att_copy_text(out->session_name, sizeof out->session_name, db_col_text(s, 3));
    att_copy_text(out->session_date, sizeof out->session_date, db_col_text(s, 4));
    out->created_by = db_col_int64(s, 5);
    att_copy_name(out->creator_name, sizeof out->creator_name, s, 6);
    out->created_at = db_col_int64(s, 8);
    out->updated_at = db_col_int64(s, 9);
    out->is_active = db_col_int64(s, 10) != 0;
    out->stats.total_students = db_col_int64(s, 11);
    out->stats.present = db_col_int64(s, 12);
    out->stats.late = db_col_int64(s, 13);
    out->stats.absent = db_col_int64(s, 14);
    out->stats.records = db_col_int64(s, 15);
}

/* Columns of ATT_RECORD_SELECT, in order. */
static void read_record(db_stmt *s, store_att_record *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_col_int64(s, 0);
    out->session_id = db_col_int64(s, 1);
    out->student_id = db_col_int64(s, 2);
    att_copy_name(out->student_name, sizeof out->student_name, s, 3);
    int st = store_att_status_parse(db_col_text(s, 5));
    int me = store_att_method_parse(db_col_text(s, 6));
    out->status = st < 0 ? ATT_ABSENT : (enum store_att_status)st;
    out->method = me < 0 ? ATT_MANUAL : (enum store_att_method)me;
    out->has_confidence = !db_col_is_null(s, 7);
    out->confidence = out->has_confidence ? db_col_double(s, 7) : 0.0;
    out->marked_at = db_col_int64(s, 8);
    out->updated_at = db_col_int64(s, 9);
    out->marked_by = db_col_int64(s, 10);
    att_copy_name(out->marker_name, sizeof out->marker_name, s, 11);
}

/* Steps a statement expected to give at most one row; DB_ROW / DB_DONE / error. */
static int step_one(db_stmt *s)
{
    int rc = db_step(s);
    return rc == DB_ROW || rc == DB_DONE ? rc : (rc < 0 ? rc : DB_ERR);
}

/* Runs a statement that returns no rows; DB_OK or the error. */
static int step_done(db_stmt *s)
{
    int rc = db_step(s);
    return rc == DB_DONE || rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_ERR);
}

/* Ends a transaction: commit when rc is not an error, otherwise roll back. */
int att_tx_end(db_conn *c, int rc)
{
    if (rc < 0) {
        db_rollback(c);
        return rc;
    }
    int crc = db_commit(c);
    if (crc != DB_OK) {
        db_rollback(c);
        return crc < 0 ? crc : DB_ERR;
    }
    return rc;
}

/* ---- sessions ------------------------------------------------------------------------ */

static int session_by_id_teacher(db_conn *c, int64_t teacher_id, int64_t session_id,
                                 store_att_session *out)
{
    db_stmt *s = db_prepare(c, ATT_SESSION_SELECT
                            " WHERE s.id = ? AND s.is_active = 1 AND c.is_active = 1"
                            " AND c.teacher_id = ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, session_id);
    db_bind_int64(s, 2, teacher_id);
    int rc = step_one(s);
    if (rc == DB_ROW)
        read_session(s, out);
    db_finalize(s);
    return rc;
}

static int session_by_id_student(db_conn *c, int64_t student_id, int64_t session_id,
                                 store_att_session *out)
{
    db_stmt *s = db_prepare(c, ATT_SESSION_SELECT
                            " WHERE s.id = ? AND s.is_active = 1 AND c.is_active = 1"
                            " AND EXISTS (SELECT 1 FROM enrollments e WHERE e.class_id = c.id"
                            " AND e.student_id = ? AND e.is_active = 1)");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, session_id);
    db_bind_int64(s, 2, student_id);
    int rc = step_one(s);
    if (rc == DB_ROW)
        read_session(s, out);
    db_finalize(s);
    return rc;
}

int store_att_session_get(db_conn *c, const store_att_viewer *v, int64_t session_id,
                          store_att_session *out)
{
    return v->is_teacher ? session_by_id_teacher(c, v->user_id, session_id, out)
                         : session_by_id_student(c, v->user_id, session_id, out);
}

int store_att_session_create(db_conn *c, int64_t teacher_id, int64_t class_id,
                             const char *name, const char *date, int64_t now,
                             store_att_session *out)
{
    db_stmt *s = NULL;
    int64_t id = 0;
    int rc = db_begin_write(c);
    if (rc != DB_OK)
        return rc < 0 ? rc : DB_ERR;
    /* The class check and the insert share the transaction: an archive cannot slip in. */
    s = db_prepare(c, "SELECT id FROM classes WHERE id = ? AND teacher_id = ? AND is_active = 1");
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, teacher_id);
    rc = step_one(s);
    db_finalize(s);
    s = NULL;
    if (rc != DB_ROW)
        goto out;
    s = db_prepare(c, "INSERT INTO attendance_sessions (class_id, session_name, session_date,"
                      " created_by, total_students, is_active, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, (SELECT COUNT(*) FROM enrollments"
                      " WHERE class_id = ? AND is_active = 1), 1, ?, ?) RETURNING id");
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    db_bind_int64(s, 1, class_id);
    db_bind_text(s, 2, name);
    db_bind_text(s, 3, date);
    db_bind_int64(s, 4, teacher_id);
    db_bind_int64(s, 5, class_id);
    db_bind_int64(s, 6, now);
    db_bind_int64(s, 7, now);
    rc = step_one(s);
    if (rc == DB_ROW)
        id = db_col_int64(s, 0);
    else if (rc == DB_DONE)
        rc = DB_ERR;    /* RETURNING always gives the row */
    db_finalize(s);
    s = NULL;
    if (rc != DB_ROW)
        goto out;
    rc = session_by_id_teacher(c, teacher_id, id, out);
    if (rc == DB_DONE)
        rc = DB_ERR;
out:
    if (s)
        db_finalize(s);
    return att_tx_end(c, rc);
}

int store_att_sessions_of_class(db_conn *c, int64_t class_id, int64_t limit, int64_t offset,
                                store_att_session **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    int rc;
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM attendance_sessions"
                               " WHERE class_id = ? AND is_active = 1");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    rc = step_one(s);
    if (rc == DB_ROW)
        *total = db_col_int64(s, 0);
    db_finalize(s);
    if (rc < 0)
        return rc;
    s = db_prepare(c, ATT_SESSION_SELECT
                   " WHERE s.class_id = ? AND s.is_active = 1 AND c.is_active = 1"
                   " ORDER BY s.session_date DESC, s.id DESC LIMIT ? OFFSET ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, limit);
    db_bind_int64(s, 3, offset);
    size_t cap = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            store_att_session *p = realloc(*out, ncap * sizeof *p);
            if (!p) {
                rc = DB_ERR;
                break;
            }
            *out = p;
            cap = ncap;
        }
        read_session(s, &(*out)[(*n)++]);
    }
    db_finalize(s);
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc < 0 ? rc : DB_ERR;
    }
    return DB_OK;
}

/* ---- records ------------------------------------------------------------------------- */

/* Collects the rows of a prepared ATT_RECORD_SELECT statement. */
static int collect_records(db_stmt *s, store_att_record **out, size_t *n)
{
    size_t cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            store_att_record *p = realloc(*out, ncap * sizeof *p);
            if (!p) {
                rc = DB_ERR;
                break;
            }
            *out = p;
            cap = ncap;
        }
        read_record(s, &(*out)[(*n)++]);
    }
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc < 0 ? rc : DB_ERR;
    }
    return DB_OK;
}

/* Counts of a session's records by status, optionally for one student only. */
static int record_counts(db_conn *c, int64_t session_id, int64_t student_id,
                         store_att_stats *st)
{
    db_stmt *s = db_prepare(c, student_id > 0
                            ? "SELECT status, COUNT(*) FROM attendance_records"
                              " WHERE session_id = ? AND student_id = ? GROUP BY status"
                            : "SELECT status, COUNT(*) FROM attendance_records"
                              " WHERE session_id = ? GROUP BY status");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, session_id);
    if (student_id > 0)
        db_bind_int64(s, 2, student_id);
    int rc;
    st->present = st->late = st->absent = st->records = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t k = db_col_int64(s, 1);
        switch (store_att_status_parse(db_col_text(s, 0))) {
        case ATT_PRESENT: st->present += k; break;
        case ATT_LATE: st->late += k; break;
        default: st->absent += k; break;
        }
        st->records += k;
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : (rc < 0 ? rc : DB_ERR);
}

int store_att_session_stats(db_conn *c, int64_t session_id, store_att_stats *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(c, "SELECT total_students FROM attendance_sessions WHERE id = ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, session_id);
    int rc = step_one(s);
    if (rc == DB_ROW)
        out->total_students = db_col_int64(s, 0);
    db_finalize(s);
    if (rc != DB_ROW)
        return rc;
    rc = record_counts(c, session_id, 0, out);
    return rc < 0 ? rc : DB_ROW;
}

int store_att_records_of_session(db_conn *c, int64_t session_id, int64_t student_id,
                                 int64_t limit, int64_t offset, store_att_record **out,
                                 size_t *n, int64_t *total)
{
    store_att_stats st;
    *out = NULL;
    *n = 0;
    int rc = record_counts(c, session_id, student_id, &st);
    if (rc < 0)
        return rc;
    *total = st.records;
    db_stmt *s = db_prepare(c, student_id > 0
                            ? ATT_RECORD_SELECT " WHERE r.session_id = ? AND r.student_id = ?"
                              " ORDER BY r.student_id LIMIT ? OFFSET ?"
                            : ATT_RECORD_SELECT " WHERE r.session_id = ?"
                              " ORDER BY r.student_id LIMIT ? OFFSET ?");
    if (!s)
        return DB_ERR;
    int k = 1;
    db_bind_int64(s, k++, session_id);
    if (student_id > 0)
        db_bind_int64(s, k++, student_id);
    db_bind_int64(s, k++, limit);
    db_bind_int64(s, k, offset);
    rc = collect_records(s, out, n);
    db_finalize(s);
    return rc;
}

int store_att_records_of_student(db_conn *c, int64_t class_id, int64_t student_id,
                                 store_att_record **out, size_t *n)
{
    db_stmt *s = db_prepare(c, ATT_RECORD_SELECT
                            " JOIN attendance_sessions s ON s.id = r.session_id"
                            " WHERE s.class_id = ? AND r.student_id = ? ORDER BY r.session_id");
    if (!s) {
        *out = NULL;
        *n = 0;
        return DB_ERR;
    }
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, student_id);
    int rc = collect_records(s, out, n);
    db_finalize(s);
    return rc;
}

const store_att_record *store_att_record_find(const store_att_record *recs, size_t n,
                                              int64_t session_id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {   /* recs are sorted by session_id */
        size_t mid = lo + (hi - lo) / 2;
        if (recs[mid].session_id < session_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && recs[lo].session_id == session_id ? &recs[lo] : NULL;
}

int store_att_record_get_owned(db_conn *c, int64_t teacher_id, int64_t record_id,
                               store_att_record *out)
{
    db_stmt *s = db_prepare(c, ATT_RECORD_SELECT
                            " JOIN attendance_sessions s ON s.id = r.session_id"
                            " JOIN classes c ON c.id = s.class_id"
                            " WHERE r.id = ? AND s.is_active = 1 AND c.is_active = 1"
                            " AND c.teacher_id = ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, record_id);
    db_bind_int64(s, 2, teacher_id);
    int rc = step_one(s);
    if (rc == DB_ROW)
        read_record(s, out);
    db_finalize(s);
    return rc;
}

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
    int rc = step_one(s);
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
    int rc = step_done(s);
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
    rc = step_one(m->enrolled);
    if (rc != DB_ROW)
        return rc == DB_DONE ? DB_OK : rc;   /* not enrolled: reported as invalid */
    att_copy_name(it->student_name, sizeof it->student_name, m->enrolled, 0);

    db_reset(m->existing);
    db_bind_int64(m->existing, 1, session_id);
    db_bind_int64(m->existing, 2, it->student_id);
    rc = step_one(m->existing);
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
        rc = step_done(m->insert);
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
    rc = step_done(m->update);
    if (rc == DB_OK)
        it->action = STORE_MARK_UPDATED;
    return rc;
}

int store_att_mark_items(db_conn *c, int64_t session_id, int64_t class_id, int64_t marker_id,
                         const store_mark_opts *opts, store_mark_item *items, size_t n,
                         int64_t now)
{
    mark_stmts m;
    int rc = mark_stmts_prepare(c, &m);
    if (rc != DB_OK)
        return rc;
    for (size_t i = 0; i < n && rc == DB_OK; i++)
        rc = mark_one(&m, session_id, class_id, marker_id, opts, &items[i], now);
    mark_stmts_free(&m);
    return rc;
}

int store_att_mark(db_conn *c, int64_t teacher_id, int64_t session_id,
                   const store_mark_opts *opts, store_mark_item *items, size_t n, int64_t now,
                   char *session_name, store_att_stats *stats)
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
    rc = step_done(s);
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
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            store_att_student *p = realloc(*out, ncap * sizeof *p);
            if (!p) {
                rc = DB_ERR;
                break;
            }
            *out = p;
            cap = ncap;
        }
        store_att_student *st = &(*out)[(*n)++];
        st->id = db_col_int64(s, 0);
        att_copy_name(st->name, sizeof st->name, s, 1);
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : (rc < 0 ? rc : DB_ERR);
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
        rc = step_done(s);
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
