/* classes and join_codes tables. */
#include "store/classes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Retries on a join-code collision. With 36^6 codes a second draw is already rare. */
#define CODE_ATTEMPTS 16

#define CLASS_SELECT \
    "SELECT c.id, c.name, c.description, c.join_code, c.teacher_id, u.first_name, " \
    "u.last_name, c.created_at, c.updated_at, c.is_active, " \
    "(SELECT COUNT(*) FROM enrollments e WHERE e.class_id = c.id AND e.is_active = 1) " \
    "FROM classes c JOIN users u ON u.id = c.teacher_id "

void store_class_clear(store_class *cls)
{
    free(cls->name);
    free(cls->description);
    free(cls->teacher_first_name);
    free(cls->teacher_last_name);
    memset(cls, 0, sizeof *cls);
}

static char *dup_col(db_stmt *s, int col)
{
    const char *v = db_col_text(s, col);
    return strdup(v ? v : "");
}

static int class_from_row(db_stmt *s, store_class *cls)
{
    const char *code = db_col_text(s, 3);

    memset(cls, 0, sizeof *cls);
    cls->id = db_col_int64(s, 0);
    cls->name = dup_col(s, 1);
    cls->description = dup_col(s, 2);
    snprintf(cls->join_code, sizeof cls->join_code, "%s", code ? code : "");
    cls->teacher_id = db_col_int64(s, 4);
    cls->teacher_first_name = dup_col(s, 5);
    cls->teacher_last_name = dup_col(s, 6);
    cls->created_at = db_col_int64(s, 7);
    cls->updated_at = db_col_int64(s, 8);
    cls->is_active = db_col_int64(s, 9) != 0;
    cls->student_count = db_col_int64(s, 10);
    if (!cls->name || !cls->description || !cls->teacher_first_name ||
        !cls->teacher_last_name) {
        store_class_clear(cls);
        return DB_ERR;
    }
    return DB_ROW;
}

static int step_class(db_stmt *s, store_class *out)
{
    int rc = db_step(s);

    if (rc == DB_ROW)
        rc = class_from_row(s, out);
    db_finalize(s);
    return rc;
}

int store_class_get(db_conn *c, int64_t id, store_class *out)
{
    db_stmt *s = db_prepare(c, CLASS_SELECT "WHERE c.id = ? AND c.is_active = 1");

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, id);
    return step_class(s, out);
}

int store_class_by_join_code(db_conn *c, const char *code, store_class *out)
{
    db_stmt *s = db_prepare(c, CLASS_SELECT "WHERE c.join_code = ? AND c.is_active = 1");

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, code);
    return step_class(s, out);
}

/* Steps a statement expected to return one integer row (RETURNING id and the like). */
static int step_id(db_stmt *s, int64_t *id)
{
    int rc = db_step(s);

    if (rc == DB_ROW && id)
        *id = db_col_int64(s, 0);
    db_finalize(s);
    return rc;
}

/* Inserts the class unless the code was ever issued. DB_ROW with *id, DB_DONE on a
 * collision. Every code of `classes` is also in `join_codes`, so the NOT EXISTS covers
 * both; ON CONFLICT covers a concurrent insert of the same code. */
static int insert_class(db_conn *c, int64_t teacher_id, const char *name, const char *desc,
                        const char *code, int64_t now, int64_t *id)
{
    db_stmt *s = db_prepare(c,
        "INSERT INTO classes (name, description, join_code, teacher_id, is_active, "
        "created_at, updated_at) "
        "SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), 1, "
        "CAST(? AS BIGINT), CAST(? AS BIGINT) "
        "WHERE NOT EXISTS (SELECT 1 FROM join_codes WHERE code = ?) "
        "ON CONFLICT DO NOTHING RETURNING id");

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, desc);
    db_bind_text(s, 3, code);
    db_bind_int64(s, 4, teacher_id);
    db_bind_int64(s, 5, now);
    db_bind_int64(s, 6, now);
    db_bind_text(s, 7, code);
    return step_id(s, id);
}

/* Records a code as issued to a class. DB_ROW, or DB_DONE when it was issued before. */
static int record_code(db_conn *c, const char *code, int64_t class_id, int64_t now)
{
    db_stmt *s = db_prepare(c, "INSERT INTO join_codes (code, class_id, issued_at) "
                               "VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING class_id");
    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, code);
    db_bind_int64(s, 2, class_id);
    db_bind_int64(s, 3, now);
    return step_id(s, NULL);
}

/* One attempt inside a write transaction. DB_ROW done, DB_DONE collision (retry). */
static int create_attempt(db_conn *c, int64_t teacher_id, const char *name, const char *desc,
                          int64_t now, store_class *out)
{
    char code[JOIN_CODE_LEN + 1];
    int64_t id = 0;
    int rc;

    if (store_join_code_generate(code) < 0)
        return DB_ERR;
    rc = insert_class(c, teacher_id, name, desc, code, now, &id);
    if (rc == DB_ROW)
        rc = record_code(c, code, id, now);
    if (rc == DB_ROW)
        rc = store_class_get(c, id, out);
    return rc;
}

int store_class_create(db_conn *c, int64_t teacher_id, const char *name,
                       const char *description, int64_t now, store_class *out)
{
    for (int attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
        int rc;

        if (db_begin_write(c) != DB_OK)
            return DB_ERR;
        rc = create_attempt(c, teacher_id, name, description, now, out);
        if (rc == DB_ROW) {
            if (db_commit(c) == DB_OK)
                return DB_ROW;
            store_class_clear(out);
            return DB_ERR;
        }
        db_rollback(c);
        if (rc != DB_DONE)
            return rc == DB_CONSTRAINT ? DB_ERR : rc;
    }
    return DB_ERR;
}

/* One attempt inside a write transaction: DB_ROW done, DB_DONE collision (retry),
 * DB_CONSTRAINT standing for "class not active" (stop). */
static int regenerate_attempt(db_conn *c, int64_t id, int64_t now, char *code)
{
    db_stmt *s;
    int rc;

    if (store_join_code_generate(code) < 0)
        return DB_ERR;
    rc = record_code(c, code, id, now);
    if (rc != DB_ROW)
        return rc;
    s = db_prepare(c, "UPDATE classes SET join_code = ?, updated_at = ? "
                      "WHERE id = ? AND is_active = 1 RETURNING id");
    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, code);
    db_bind_int64(s, 2, now);
    db_bind_int64(s, 3, id);
    rc = step_id(s, NULL);
    return rc == DB_DONE ? DB_CONSTRAINT : rc;
}

int store_class_regenerate_code(db_conn *c, int64_t id, int64_t now,
                                char code_out[JOIN_CODE_LEN + 1])
{
    for (int attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
        int rc;

        if (db_begin_write(c) != DB_OK)
            return DB_ERR;
        rc = regenerate_attempt(c, id, now, code_out);
        if (rc == DB_ROW)
            return db_commit(c) == DB_OK ? DB_ROW : DB_ERR;
        db_rollback(c);
        if (rc == DB_CONSTRAINT)
            return DB_DONE;
        if (rc != DB_DONE)
            return rc;
    }
    return DB_ERR;
}

int store_class_update(db_conn *c, int64_t id, const char *name, const char *description,
                       int64_t now)
{
    db_stmt *s = db_prepare(c,
        "UPDATE classes SET name = COALESCE(?, name), "
        "description = COALESCE(?, description), updated_at = ? "
        "WHERE id = ? AND is_active = 1 RETURNING id");

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, description);
    db_bind_int64(s, 3, now);
    db_bind_int64(s, 4, id);
    return step_id(s, NULL);
}

int store_class_archive(db_conn *c, int64_t id, int64_t now)
{
    db_stmt *s = db_prepare(c, "UPDATE classes SET is_active = 0, updated_at = ? "
                               "WHERE id = ? AND is_active = 1 RETURNING id");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, now);
    db_bind_int64(s, 2, id);
    return step_id(s, NULL);
}

/* Runs a list query (parameters: owner id, limit, offset) through cb. */
static int list_classes(db_conn *c, const char *sql, int64_t owner, int64_t limit,
                        int64_t offset, store_class_cb cb, void *arg)
{
    db_stmt *s = db_prepare(c, sql);
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, owner);
    db_bind_int64(s, 2, limit);
    db_bind_int64(s, 3, offset);
    while ((rc = db_step(s)) == DB_ROW) {
        store_class cls;
        int stop;

        if (class_from_row(s, &cls) != DB_ROW) {
            rc = DB_ERR;
            break;
        }
        stop = cb(&cls, arg);
        store_class_clear(&cls);
        if (stop) {
            rc = DB_ERR;
            break;
        }
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc;
}

static int count_for(db_conn *c, const char *sql, int64_t owner, int64_t *total)
{
    db_stmt *s = db_prepare(c, sql);

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, owner);
    return step_id(s, total) == DB_ROW ? DB_OK : DB_ERR;
}

/* Count and page read in one transaction so that `total` matches the page. */
static int list_with_total(db_conn *c, const char *count_sql, const char *list_sql,
                           int64_t owner, int64_t limit, int64_t offset,
                           store_class_cb cb, void *arg, int64_t *total)
{
    int rc;

    if (db_begin(c) != DB_OK)
        return DB_ERR;
    rc = count_for(c, count_sql, owner, total);
    if (rc == DB_OK)
        rc = list_classes(c, list_sql, owner, limit, offset, cb, arg);
    if (rc == DB_OK)
        rc = db_commit(c) == DB_OK ? DB_OK : DB_ERR;
    else
        db_rollback(c);
    return rc;
}

int store_classes_of_teacher(db_conn *c, int64_t teacher_id, int64_t limit, int64_t offset,
                             store_class_cb cb, void *arg, int64_t *total)
{
    return list_with_total(c,
        "SELECT COUNT(*) FROM classes WHERE teacher_id = ? AND is_active = 1",
        CLASS_SELECT "WHERE c.teacher_id = ? AND c.is_active = 1 "
        "ORDER BY c.id LIMIT ? OFFSET ?",
        teacher_id, limit, offset, cb, arg, total);
}

int store_classes_of_student(db_conn *c, int64_t student_id, int64_t limit, int64_t offset,
                             store_class_cb cb, void *arg, int64_t *total)
{
    return list_with_total(c,
        "SELECT COUNT(*) FROM enrollments m JOIN classes c ON c.id = m.class_id "
        "WHERE m.student_id = ? AND m.is_active = 1 AND c.is_active = 1",
        CLASS_SELECT "JOIN enrollments m ON m.class_id = c.id "
        "WHERE m.student_id = ? AND m.is_active = 1 AND c.is_active = 1 "
        "ORDER BY m.enrolled_at, m.id LIMIT ? OFFSET ?",
        student_id, limit, offset, cb, arg, total);
}
