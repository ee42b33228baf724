/* Account administration (see admin.h). */
#include "store/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/users_sql.h"

#define ADMIN_Q_MAX 1024   /* bytes of the LIKE pattern: 200 code points, escaped */

/* "%q%" with LIKE's wildcards and the escape character escaped, ASCII-lowercased. */
static void like_pattern(const char *q, char *out, size_t len)
{
    size_t n = 0;

    out[n++] = '%';
    for (; *q && n + 3 < len; q++) {
        char ch = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
        if (ch == '%' || ch == '_' || ch == '!')
            out[n++] = '!';
        out[n++] = ch;
    }
    out[n++] = '%';
    out[n] = '\0';
}

static void users_where(const store_user_filter *f, char *out, size_t len)
{
    snprintf(out, len, " WHERE 1 = 1%s%s%s", f->role ? " AND role = ?" : "",
             f->status ? " AND status = ?" : "",
             f->q ? " AND (LOWER(email) LIKE ? ESCAPE '!' OR "
                    "LOWER(first_name || ' ' || last_name) LIKE ? ESCAPE '!')" : "");
}

static int bind_users_filter(db_stmt *s, const store_user_filter *f, const char *pattern)
{
    int i = 1;

    if (f->role)
        db_bind_text(s, i++, f->role);
    if (f->status)
        db_bind_text(s, i++, f->status);
    if (f->q) {
        db_bind_text(s, i++, pattern);
        db_bind_text(s, i++, pattern);
    }
    return i;
}

int store_admin_users(db_conn *c, const store_user_filter *f, int64_t limit, int64_t offset,
                      store_user **out, size_t *n, int64_t *total)
{
    char where[320], sql[640], pattern[ADMIN_Q_MAX];
    store_user *rows;
    db_stmt *s;
    int rc, i;

    *out = NULL;
    *n = 0;
    like_pattern(f->q ? f->q : "", pattern, sizeof pattern);
    users_where(f, where, sizeof where);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM users%s", where);
    if (!(s = db_prepare(c, sql)))
        return DB_ERR;
    bind_users_filter(s, f, pattern);
    rc = db_step(s);
    *total = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_finalize(s);
    if (rc != DB_ROW)
        return DB_ERR;
    if (!(rows = calloc((size_t)limit, sizeof *rows)))
        return DB_ERR;
    snprintf(sql, sizeof sql, "SELECT " USER_COLS " FROM users%s "
             "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", where);
    if (!(s = db_prepare(c, sql))) {
        free(rows);
        return DB_ERR;
    }
    i = bind_users_filter(s, f, pattern);
    db_bind_int64(s, i, limit);
    db_bind_int64(s, i + 1, offset);
    while ((rc = db_step(s)) == DB_ROW && *n < (size_t)limit)
        store_user_from_row(s, &rows[(*n)++]);
    db_finalize(s);
    if (rc != DB_DONE && rc != DB_ROW) {
        free(rows);
        *n = 0;
        return DB_ERR;
    }
    *out = rows;
    return DB_OK;
}

/* ---- changes with their event ------------------------------------------------------ */

/* Commits when rc is DB_ROW and the event is appended; rolls back otherwise. */
static int finish(db_conn *c, int rc, const store_audit_new *audit, int64_t subject)
{
    if (rc == DB_ROW && audit) {
        store_audit_new e = *audit;
        e.subject_id = subject;
        if (store_audit_append(c, &e) != DB_OK)
            rc = DB_ERR;
    }
    if (rc == DB_ROW && db_commit(c) == DB_OK)
        return DB_ROW;
    db_rollback(c);
    return rc == DB_ROW ? DB_ERR : rc;
}

static int refusal(const store_user *u, enum store_status_change change)
{
    if (change == STORE_DEACTIVATE && u->is_admin)
        return STORE_ADMIN_TARGET_ADMIN;
    if (change == STORE_APPROVE)
        return strcmp(u->status, "pending") == 0 ? 0 : STORE_ADMIN_WRONG_STATE;
    if (change == STORE_DEACTIVATE)
        return strcmp(u->status, "deactivated") != 0 ? 0 : STORE_ADMIN_WRONG_STATE;
    return strcmp(u->status, "deactivated") == 0 ? 0 : STORE_ADMIN_WRONG_STATE;
}

int store_admin_set_status(db_conn *c, int64_t id, enum store_status_change change,
                           int64_t now, const store_audit_new *audit, store_user *out)
{
    db_stmt *s;
    int rc;

    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    /* The row lock (PostgreSQL) keeps a concurrent change from passing the same check. */
    s = db_prepare(c, "UPDATE users SET updated_at = updated_at WHERE id = ? RETURNING " USER_COLS);
    if (s)
        db_bind_int64(s, 1, id);
    rc = s ? store_user_step(s, out) : DB_ERR;
    if (rc == DB_ROW && (rc = refusal(out, change)) == 0) {
        s = db_prepare(c, "UPDATE users SET status = ?, is_active = ?, updated_at = ?, "
                          "token_version = token_version + ? WHERE id = ? RETURNING " USER_COLS);
        if (s) {
            db_bind_text(s, 1, change == STORE_DEACTIVATE ? "deactivated" : "active");
            db_bind_int64(s, 2, change != STORE_DEACTIVATE);
            db_bind_int64(s, 3, now);
            db_bind_int64(s, 4, change == STORE_DEACTIVATE);
            db_bind_int64(s, 5, id);
        }
        rc = s ? store_user_step(s, out) : DB_ERR;
    }
    return finish(c, rc, audit, id);
}

int store_admin_reset_password(db_conn *c, int64_t id, const char *hash, int64_t now,
                               const store_audit_new *audit, store_user *out)
{
    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    return finish(c, store_user_set_password(c, id, hash, now, out), audit, id);
}

/* ---- figures ----------------------------------------------------------------------- */

int store_admin_stats(db_conn *c, store_admin_figures *out)
{
    db_stmt *s = db_prepare(c,
        "SELECT "
        "(SELECT COUNT(*) FROM users WHERE role = 'teacher'), "
        "(SELECT COUNT(*) FROM users WHERE role = 'student'), "
        "(SELECT COUNT(*) FROM users WHERE role = 'admin'), "
        "(SELECT COUNT(*) FROM users WHERE status = 'pending'), "
        "(SELECT COUNT(*) FROM users WHERE status = 'deactivated'), "
        "(SELECT COUNT(*) FROM classes), "
        "(SELECT COUNT(*) FROM classes WHERE is_active = 1), "
        "(SELECT COUNT(*) FROM face_data), "
        "(SELECT COUNT(*) FROM attendance_sessions), "
        "(SELECT COUNT(*) FROM attendance_records)");
    int64_t *fields[] = {&out->teachers, &out->students, &out->admins, &out->pending,
                         &out->deactivated, &out->classes, &out->active_classes,
                         &out->students_with_face_data, &out->sessions, &out->records};
    int rc;

    if (!s)
        return DB_ERR;
    rc = db_step(s);
    for (int i = 0; rc == DB_ROW && i < 10; i++)
        *fields[i] = db_col_int64(s, i);
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

/* ---- promotion --------------------------------------------------------------------- */

int store_admin_promote(db_conn *c, const char *email, int64_t now, store_user *out)
{
    db_stmt *s;
    int rc;

    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    rc = store_user_by_email(c, email, out);
    if (rc == DB_ROW && !out->is_admin) {
        int history = store_user_has_history(c, out->id);
        rc = history > 0 ? DB_CONSTRAINT : history < 0 ? DB_ERR : DB_ROW;
    }
    if (rc == DB_ROW && !out->is_admin) {
        s = db_prepare(c, "UPDATE users SET role = 'admin', status = 'active', is_active = 1, "
                          "updated_at = ? WHERE id = ? RETURNING " USER_COLS);
        if (s) {
            db_bind_int64(s, 1, now);
            db_bind_int64(s, 2, out->id);
        }
        rc = s ? store_user_step(s, out) : DB_ERR;
    }
    return finish(c, rc, NULL, 0);
}
