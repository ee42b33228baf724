/* Attendance sessions and records: names, row readers, session creation and the read
 * queries (API.md §7.1, 7.3, 7.4). SQL is portable between SQLite and PostgreSQL: `?`
 * placeholders, RETURNING, integer 0/1 booleans, Unix-second times, 'YYYY-MM-DD' dates. */
#include "store/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/attendance_sql.h"

static const char *const status_names[] = {"present", "absent", "late"};
static const char *const method_names[] = {"manual", "ai_face", "hybrid", "checkin"};

const char *store_att_status_name(enum store_att_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "absent";
}

const char *store_att_method_name(enum store_att_method m)
{
    return (unsigned)m < 4 ? method_names[m] : "manual";
}

static int parse_name(const char *s, const char *const names[], int n)
{
    if (!s)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int store_att_status_parse(const char *s) { return parse_name(s, status_names, 3); }
int store_att_method_parse(const char *s) { return parse_name(s, method_names, 4); }

/* ---- row readers and statement steps (shared through attendance_sql.h) ----------- */

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
static void read_session(db_stmt *s, void *item)
{
    store_att_session *out = item;
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
static void read_record(db_stmt *s, void *item)
{
    store_att_record *out = item;
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

int att_step_one(db_stmt *s)
{
    int rc = db_step(s);
    return rc == DB_ROW || rc == DB_DONE ? rc : (rc < 0 ? rc : DB_ERR);
}

int att_step_done(db_stmt *s)
{
    int rc = db_step(s);
    return rc == DB_DONE || rc == DB_ROW ? DB_OK : (rc < 0 ? rc : DB_ERR);
}

/* Makes room for item n of *arr (elem bytes each, *cap allocated): 0, or -1 on OOM. */
static int att_grow(void **arr, size_t elem, size_t n, size_t *cap)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

int att_collect(db_stmt *s, void **arr, size_t elem, size_t *n, att_row_reader read)
{
    size_t cap = *n;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (att_grow(arr, elem, *n, &cap) < 0) {
            rc = DB_ERR;
            break;
        }
        read(s, (char *)*arr + (*n)++ * elem);
    }
    if (rc == DB_DONE)
        return DB_OK;
    /* A failed read leaves no half-filled array behind for the caller to free. */
    free(*arr);
    *arr = NULL;
    *n = 0;
    return rc < 0 ? rc : DB_ERR;
}

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
    int rc = att_step_one(s);
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
    int rc = att_step_one(s);
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
    rc = att_step_one(s);
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
    rc = att_step_one(s);
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
    rc = att_step_one(s);
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
    rc = att_collect(s, (void **)out, sizeof **out, n, read_session);
    db_finalize(s);
    return rc;
}

/* ---- records ------------------------------------------------------------------------- */

/* Collects the rows of a prepared ATT_RECORD_SELECT statement. */
static int collect_records(db_stmt *s, store_att_record **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    return att_collect(s, (void **)out, sizeof **out, n, read_record);
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
    int rc = att_step_one(s);
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

int store_att_records_of_student_all(db_conn *c, int64_t student_id, store_att_record **out,
                                     size_t *n)
{
    db_stmt *s = db_prepare(c, ATT_RECORD_SELECT " WHERE r.student_id = ? ORDER BY r.session_id");
    if (!s) {
        *out = NULL;
        *n = 0;
        return DB_ERR;
    }
    db_bind_int64(s, 1, student_id);
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
    int rc = att_step_one(s);
    if (rc == DB_ROW)
        read_record(s, out);
    db_finalize(s);
    return rc;
}
