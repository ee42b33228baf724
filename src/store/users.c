/* Users table. */
#include "store/users.h"
#include "store/users_sql.h"

#include "store/audit.h"

#include <stdio.h>
#include <string.h>

static void copy_col(char *dst, size_t size, db_stmt *s, int col)
{
    const char *v = db_col_text(s, col);
    snprintf(dst, size, "%s", v ? v : "");
}

void store_user_from_row(db_stmt *s, store_user *u)
{
    const char *role = db_col_text(s, 5);

    u->id = db_col_int64(s, 0);
    copy_col(u->email, sizeof u->email, s, 1);
    copy_col(u->password_hash, sizeof u->password_hash, s, 2);
    copy_col(u->first_name, sizeof u->first_name, s, 3);
    copy_col(u->last_name, sizeof u->last_name, s, 4);
    u->is_teacher = role && strcmp(role, "teacher") == 0;
    u->is_admin = role && strcmp(role, "admin") == 0;
    copy_col(u->status, sizeof u->status, s, 10);
    u->is_active = db_col_int64(s, 6) != 0;
    u->token_version = db_col_int64(s, 7);
    u->created_at = db_col_int64(s, 8);
    u->updated_at = db_col_int64(s, 9);
}

int store_user_step(db_stmt *s, store_user *out)
{
    int rc = db_step(s);

    if (rc == DB_ROW && out)
        store_user_from_row(s, out);
    db_finalize(s);
    return rc;
}

static const char *role_text(int is_teacher)
{
    return is_teacher ? "teacher" : "student";
}

static int insert_user(db_conn *c, const store_user_new *in, store_user *out)
{
    /* ON CONFLICT keeps a duplicate email from being an error that would abort a
     * surrounding PostgreSQL transaction; no row back means the email is taken. */
    db_stmt *s = db_prepare(c,
        "INSERT INTO users (email, password_hash, first_name, last_name, role, is_active, "
        "token_version, created_at, updated_at, status) VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?, ?) "
        "ON CONFLICT (email) DO NOTHING RETURNING " USER_COLS);
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, in->email);
    db_bind_text(s, 2, in->password_hash);
    db_bind_text(s, 3, in->first_name);
    db_bind_text(s, 4, in->last_name);
    db_bind_text(s, 5, in->is_admin ? "admin" : role_text(in->is_teacher));
    db_bind_int64(s, 6, in->now);
    db_bind_int64(s, 7, in->now);
    db_bind_text(s, 8, in->status ? in->status : "active");
    rc = store_user_step(s, out);
    if (rc == DB_DONE)
        return DB_CONSTRAINT;
    return rc;
}

int store_user_create(db_conn *c, const store_user_new *in, store_user *out)
{
    store_user local;
    int rc;

    if (!in->audit)
        return insert_user(c, in, out);
    if (!out)
        out = &local;
    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    rc = insert_user(c, in, out);
    if (rc == DB_ROW) {
        store_audit_new e = *in->audit;
        e.subject_id = out->id;
        if (e.actor_id == STORE_USER_ACTOR_SELF)
            e.actor_id = out->id;
        if (store_audit_append(c, &e) != DB_OK || db_commit(c) != DB_OK)
            rc = DB_ERR;
    }
    if (rc != DB_ROW)
        db_rollback(c);
    return rc;
}

int store_user_get(db_conn *c, int64_t id, store_user *out)
{
    db_stmt *s = db_prepare(c, "SELECT " USER_COLS " FROM users WHERE id = ?");

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, id);
    return store_user_step(s, out);
}

int store_user_by_email(db_conn *c, const char *email, store_user *out)
{
    db_stmt *s = db_prepare(c, "SELECT " USER_COLS " FROM users WHERE email = ?");

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, email);
    return store_user_step(s, out);
}

int store_user_update_profile(db_conn *c, int64_t id, const char *first_name,
                              const char *last_name, const char *email, int64_t now,
                              store_user *out)
{
    db_stmt *s = db_prepare(c,
        "UPDATE users SET first_name = COALESCE(?, first_name), "
        "last_name = COALESCE(?, last_name), email = COALESCE(?, email), updated_at = ? "
        "WHERE id = ? RETURNING " USER_COLS);

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, first_name);
    db_bind_text(s, 2, last_name);
    db_bind_text(s, 3, email);
    db_bind_int64(s, 4, now);
    db_bind_int64(s, 5, id);
    /* A concurrent sign-up may take the email between the caller's check and this
     * statement: the unique index then reports DB_CONSTRAINT. */
    return store_user_step(s, out);
}

int store_user_set_password(db_conn *c, int64_t id, const char *hash, int64_t now,
                            store_user *out)
{
    db_stmt *s = db_prepare(c,
        "UPDATE users SET password_hash = ?, token_version = token_version + 1, "
        "updated_at = ? WHERE id = ? RETURNING " USER_COLS);

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, hash);
    db_bind_int64(s, 2, now);
    db_bind_int64(s, 3, id);
    return store_user_step(s, out);
}

int store_user_has_history(db_conn *c, int64_t id)
{
    db_stmt *s = db_prepare(c,
        "SELECT CASE WHEN "
        "EXISTS (SELECT 1 FROM classes WHERE teacher_id = ?) OR "
        "EXISTS (SELECT 1 FROM enrollments WHERE student_id = ?) OR "
        "EXISTS (SELECT 1 FROM face_data WHERE user_id = ?) OR "
        "EXISTS (SELECT 1 FROM face_descriptors WHERE user_id = ?) OR "
        "EXISTS (SELECT 1 FROM attendance_records WHERE student_id = ?) OR "
        "EXISTS (SELECT 1 FROM attendance_records WHERE marked_by = ?) "
        "THEN 1 ELSE 0 END");
    int rc;

    if (!s)
        return DB_ERR;
    for (int i = 1; i <= 6; i++)
        db_bind_int64(s, i, id);
    rc = db_step(s);
    if (rc == DB_ROW)
        rc = db_col_int64(s, 0) != 0;
    else if (rc == DB_DONE)
        rc = DB_ERR;
    db_finalize(s);
    return rc;
}

int store_user_set_role_if_new(db_conn *c, int64_t id, int is_teacher, int64_t now,
                               store_user *out)
{
    db_stmt *s;
    int rc = db_begin_write(c);

    if (rc != DB_OK)
        return DB_ERR;
    rc = store_user_has_history(c, id);
    if (rc != 0) {
        rc = rc > 0 ? DB_CONSTRAINT : DB_ERR;
        goto out;
    }
    s = db_prepare(c, "UPDATE users SET role = ?, updated_at = ? WHERE id = ? "
                      "AND role <> 'admin' RETURNING " USER_COLS);
    if (!s) {
        rc = DB_ERR;
        goto out;
    }
    db_bind_text(s, 1, role_text(is_teacher));
    db_bind_int64(s, 2, now);
    db_bind_int64(s, 3, id);
    rc = store_user_step(s, out);
out:
    if (rc == DB_ROW) {
        if (db_commit(c) != DB_OK)
            rc = DB_ERR;
    } else {
        db_rollback(c);
    }
    return rc;
}
