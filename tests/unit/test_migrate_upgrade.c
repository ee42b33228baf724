/* Upgrading a SQLite database made before Part II (migrations 001-002 only) with rows in
 * every table users is referenced from: migration 005 rebuilds users, and afterwards every
 * row is there, statuses follow is_active, foreign keys still hold and `admin` is allowed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tmpdir.h"
#include "core/embedded.h"
#include "store/db.h"

/* The SQLite spelling of a migration's tokens (what store/migrate.c does). */
static char *expand(const char *sql)
{
    char *out = malloc(strlen(sql) * 4 + 1), *o = out;
    while (*sql) {
        if (!strncmp(sql, "{{PK}}", 6)) {
            o += sprintf(o, "INTEGER PRIMARY KEY AUTOINCREMENT");
            sql += 6;
        } else if (!strncmp(sql, "{{BLOB}}", 8)) {
            o += sprintf(o, "BLOB");
            sql += 8;
        } else {
            *o++ = *sql++;
        }
    }
    *o = '\0';
    return out;
}

static int64_t q(db_conn *c, const char *sql)
{
    int64_t v = -1;
    assert_int_equal(db_query_int64(c, sql, &v), DB_ROW);
    return v;
}

static void test_upgrade(void **st)
{
    char tmp[256], url[400], err[256];
    assert_int_equal(tmpdir_make("attendly-upgrade", tmp, sizeof tmp), 0);
    snprintf(url, sizeof url, "sqlite:///%s/old.db", tmp);
    db *d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    db_conn *c = db_acquire(d, 1000);
    assert_non_null(c);
    assert_int_equal(db_exec(c, "CREATE TABLE schema_migrations (version TEXT NOT NULL PRIMARY KEY,"
                                " applied_at BIGINT NOT NULL)"), DB_OK);
    for (int i = 0; i < 2; i++) {
        char *sql = expand(embedded_migrations[i].data), row[160];
        assert_int_equal(db_exec(c, sql), DB_OK);
        free(sql);
        snprintf(row, sizeof row, "INSERT INTO schema_migrations VALUES ('%.*s', 1)",
                 (int)strlen(embedded_migrations[i].name) - 4, embedded_migrations[i].name);
        assert_int_equal(db_exec(c, row), DB_OK);
    }
    assert_int_equal(db_exec(c,
        "INSERT INTO users (email, password_hash, first_name, last_name, role, is_active,"
        " created_at, updated_at) VALUES ('t@x.io', 'h', 'T', 'One', 'teacher', 1, 1, 1),"
        " ('s@x.io', 'h', 'S', 'Two', 'student', 0, 2, 2);"
        "INSERT INTO classes (name, join_code, teacher_id, created_at, updated_at)"
        " VALUES ('C', 'ABC123', 1, 1, 1);"
        "INSERT INTO enrollments (class_id, student_id, enrolled_at, updated_at) VALUES (1, 2, 1, 1);"
        "INSERT INTO attendance_sessions (class_id, session_name, session_date, created_by,"
        " created_at, updated_at) VALUES (1, 'S', '2025-01-01', 1, 1, 1);"
        "INSERT INTO attendance_records (session_id, student_id, status, recognition_method,"
        " marked_by, marked_at, updated_at) VALUES (1, 2, 'present', 'manual', 1, 1, 1)"), DB_OK);
    db_release(c);

    assert_true(db_migrate(d, err, sizeof err) > 0);
    c = db_acquire(d, 1000);
    assert_int_equal(q(c, "SELECT COUNT(*) FROM users"), 2);
    assert_int_equal(q(c, "SELECT COUNT(*) FROM users WHERE id = 1 AND status = 'active'"), 1);
    assert_int_equal(q(c, "SELECT COUNT(*) FROM users WHERE id = 2 AND status = 'deactivated'"), 1);
    assert_int_equal(q(c, "SELECT COUNT(*) FROM attendance_records"), 1);
    /* Foreign keys are enforced again, towards the rebuilt table. */
    assert_int_equal(db_exec(c, "INSERT INTO classes (name, join_code, teacher_id, created_at,"
                                " updated_at) VALUES ('X', 'ZZZ999', 77, 1, 1)"), DB_CONSTRAINT);
    assert_int_equal(db_exec(c, "DELETE FROM users WHERE id = 1"), DB_CONSTRAINT);
    assert_int_equal(db_exec(c, "INSERT INTO users (email, password_hash, first_name, last_name,"
                                " role, created_at, updated_at) VALUES ('a@x.io', 'h', 'A', 'D',"
                                " 'admin', 3, 3)"), DB_OK);
    assert_int_equal(q(c, "SELECT id FROM users WHERE email = 'a@x.io'"), 3);   /* sequence kept */
    db_release(c);
    /* Migrating again changes nothing. */
    assert_int_equal(db_migrate(d, err, sizeof err), 0);
    db_close(d);
    tmpdir_remove(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_upgrade)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
