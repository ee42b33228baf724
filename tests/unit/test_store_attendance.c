/* The attendance store against a real database: `test_store_attendance sqlite|pg`.
 * Covers what the HTTP tests cannot reach directly: the marking step under both policies
 * (mark-attendance replaces a different status; recognise-and-mark only replaces
 * `absent`), its use inside a caller's transaction, and rollback leaving nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/storedb.h"
#include "store/attendance.h"
#include "store/db.h"

static db *g_db;
static int g_seq;

static int64_t insert_id(db_conn *c, const char *sql, const char *text, int64_t a, int64_t b)
{
    db_stmt *s = db_prepare(c, sql);
    assert_non_null(s);
    int k = 1;
    if (text)
        db_bind_text(s, k++, text);
    if (a)
        db_bind_int64(s, k++, a);
    if (b)
        db_bind_int64(s, k++, b);
    assert_int_equal(db_step(s), DB_ROW);
    int64_t id = db_col_int64(s, 0);
    db_finalize(s);
    return id;
}

static int64_t new_user(db_conn *c, const char *role)
{
    char email[64];
    snprintf(email, sizeof email, "u%d@example.io", ++g_seq);
    db_stmt *s = db_prepare(c, "INSERT INTO users (email, password_hash, first_name, last_name,"
                               " role, created_at, updated_at) VALUES (?, 'h', 'First', 'Last',"
                               " ?, 1, 1) RETURNING id");
    assert_non_null(s);
    db_bind_text(s, 1, email);
    db_bind_text(s, 2, role);
    assert_int_equal(db_step(s), DB_ROW);
    int64_t id = db_col_int64(s, 0);
    db_finalize(s);
    return id;
}

static int64_t new_class(db_conn *c, int64_t teacher)
{
    char code[16];
    snprintf(code, sizeof code, "C%d", ++g_seq);
    return insert_id(c, "INSERT INTO classes (join_code, name, teacher_id, created_at, updated_at)"
                        " VALUES (?, 'Class', ?, 1, 1) RETURNING id", code, teacher, 0);
}

static void enroll(db_conn *c, int64_t cls, int64_t student)
{
    insert_id(c, "INSERT INTO enrollments (class_id, student_id, enrolled_at, updated_at)"
                 " VALUES (?, ?, 1, 1) RETURNING id", NULL, cls, student);
}

typedef struct fixture {
    db_conn *c;
    int64_t teacher, cls, st[3];
    store_att_session s;
} fixture;

static void make_fixture(fixture *f)
{
    f->c = db_acquire(g_db, 5000);
    assert_non_null(f->c);
    f->teacher = new_user(f->c, "teacher");
    f->cls = new_class(f->c, f->teacher);
    for (int i = 0; i < 3; i++) {
        f->st[i] = new_user(f->c, "student");
        enroll(f->c, f->cls, f->st[i]);
    }
    assert_int_equal(store_att_session_create(f->c, f->teacher, f->cls, "S", "2024-05-01", 100,
                                              &f->s), DB_ROW);
    assert_int_equal(f->s.stats.total_students, 3);
    assert_string_equal(f->s.creator_name, "First Last");
}

static void test_policies(void **state)
{
    fixture f;
    make_fixture(&f);
    store_att_stats st;
    store_mark_opts absent = {ATT_ABSENT, ATT_MANUAL, STORE_MARK_REPLACE, NULL};
    store_mark_item items[3] = {{.student_id = f.st[0]}, {.student_id = f.st[1]}};
    assert_int_equal(store_att_mark(f.c, f.teacher, f.s.id, &absent, items, 1, 200, NULL, &st),
                     DB_OK);
    assert_int_equal(items[0].action, STORE_MARK_CREATED);

    /* Recognise-and-mark: absent -> present (updated), none -> created, present kept. */
    store_mark_opts face = {ATT_PRESENT, ATT_AI_FACE, STORE_MARK_ABSENT_ONLY, NULL};
    memset(items, 0, sizeof items);
    items[0] = (store_mark_item){.student_id = f.st[0], .has_confidence = 1, .confidence = 0.7};
    items[1] = (store_mark_item){.student_id = f.st[1], .has_confidence = 1, .confidence = 0.8};
    items[2] = (store_mark_item){.student_id = 999999};
    assert_int_equal(db_begin_write(f.c), DB_OK);
    int64_t cls = 0;
    assert_int_equal(store_att_session_lock(f.c, f.teacher, f.s.id, 300, &cls, NULL), DB_ROW);
    assert_int_equal(cls, f.cls);
    assert_int_equal(store_att_mark_items(f.c, f.s.id, cls, f.teacher, &face, items, 3, 300), DB_OK);
    assert_int_equal(store_att_session_refresh(f.c, f.s.id, cls, 300, &st), DB_OK);
    assert_int_equal(db_commit(f.c), DB_OK);
    assert_int_equal(items[0].action, STORE_MARK_UPDATED);
    assert_int_equal(items[0].previous_status, ATT_ABSENT);
    assert_int_equal(items[1].action, STORE_MARK_CREATED);
    assert_int_equal(items[2].action, STORE_MARK_INVALID);
    assert_int_equal(st.present, 2);
    assert_int_equal(st.total_students, 3);

    /* Again: both present now, so unchanged, with the kept confidence reported. */
    items[0].confidence = 0.1;
    assert_int_equal(store_att_mark(f.c, f.teacher, f.s.id, &face, items, 2, 400, NULL, &st),
                     DB_OK);
    assert_int_equal(items[0].action, STORE_MARK_UNCHANGED);
    assert_true(items[0].has_kept_confidence);
    assert_true(items[0].kept_confidence > 0.69 && items[0].kept_confidence < 0.71);
    assert_int_equal(items[0].status, ATT_PRESENT);
    assert_int_equal(items[0].method, ATT_AI_FACE);

    /* A late record is left alone by recognition but replaced by mark-attendance. */
    store_att_record r;
    store_att_record *recs = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(store_att_records_of_session(f.c, f.s.id, f.st[1], 10, 0, &recs, &n, &total),
                     DB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_att_record_update(f.c, f.teacher, recs[0].id, ATT_LATE, 500, &r, &st),
                     DB_ROW);
    free(recs);
    assert_int_equal(r.method, ATT_AI_FACE);   /* method and confidence kept */
    assert_true(r.has_confidence);
    store_mark_item one = {.student_id = f.st[1]};
    assert_int_equal(store_att_mark(f.c, f.teacher, f.s.id, &face, &one, 1, 600, NULL, &st), DB_OK);
    assert_int_equal(one.action, STORE_MARK_UNCHANGED);
    assert_int_equal(one.status, ATT_LATE);
    store_mark_opts manual = {ATT_PRESENT, ATT_MANUAL, STORE_MARK_REPLACE, NULL};
    assert_int_equal(store_att_mark(f.c, f.teacher, f.s.id, &manual, &one, 1, 700, NULL, &st),
                     DB_OK);
    assert_int_equal(one.action, STORE_MARK_UPDATED);
    assert_int_equal(one.previous_status, ATT_LATE);
    db_release(f.c);
}

static void test_rollback_and_access(void **state)
{
    fixture f;
    make_fixture(&f);
    store_att_stats st;
    int64_t other = new_user(f.c, "teacher"), cls = 0;
    store_mark_opts o = {ATT_PRESENT, ATT_MANUAL, STORE_MARK_REPLACE, NULL};
    store_mark_item it = {.student_id = f.st[0]};

    /* Another teacher: not found, nothing written. */
    assert_int_equal(store_att_mark(f.c, other, f.s.id, &o, &it, 1, 200, NULL, &st), DB_DONE);
    store_att_student *abs = NULL;
    size_t n_abs = 0;
    assert_int_equal(store_att_finalize(f.c, other, f.s.id, 200, &abs, &n_abs, &st), DB_DONE);
    assert_null(abs);

    /* A caller's transaction rolled back after marking leaves no record. */
    assert_int_equal(db_begin_write(f.c), DB_OK);
    assert_int_equal(store_att_session_lock(f.c, f.teacher, f.s.id, 300, &cls, NULL), DB_ROW);
    assert_int_equal(store_att_mark_items(f.c, f.s.id, cls, f.teacher, &o, &it, 1, 300), DB_OK);
    assert_int_equal(it.action, STORE_MARK_CREATED);
    assert_int_equal(db_rollback(f.c), DB_OK);
    assert_int_equal(store_att_session_stats(f.c, f.s.id, &st), DB_ROW);
    assert_int_equal(st.records, 0);

    /* Finalize marks all three absent, then nothing. */
    assert_int_equal(store_att_finalize(f.c, f.teacher, f.s.id, 400, &abs, &n_abs, &st), DB_OK);
    assert_int_equal(n_abs, 3);
    assert_int_equal(abs[0].id, f.st[0]);
    free(abs);
    assert_int_equal(st.absent, 3);
    assert_int_equal(store_att_finalize(f.c, f.teacher, f.s.id, 500, &abs, &n_abs, &st), DB_OK);
    assert_int_equal(n_abs, 0);
    free(abs);

    /* Visibility: the owner and enrolled students; others and archived classes never. */
    store_att_viewer vt = {f.teacher, 1}, vo = {other, 1}, vs = {f.st[0], 0};
    store_att_session s;
    assert_int_equal(store_att_session_get(f.c, &vt, f.s.id, &s), DB_ROW);
    assert_int_equal(s.stats.absent, 3);
    assert_int_equal(store_att_session_get(f.c, &vo, f.s.id, &s), DB_DONE);
    assert_int_equal(store_att_session_get(f.c, &vs, f.s.id, &s), DB_ROW);
    assert_int_equal(db_exec(f.c, "UPDATE classes SET is_active = 0"), DB_OK);
    assert_int_equal(store_att_session_get(f.c, &vt, f.s.id, &s), DB_DONE);
    assert_int_equal(store_att_session_get(f.c, &vs, f.s.id, &s), DB_DONE);
    db_release(f.c);
}

static void test_history_and_report(void **state)
{
    fixture f;
    make_fixture(&f);
    store_att_stats st;
    store_att_session s2;
    assert_int_equal(store_att_session_create(f.c, f.teacher, f.cls, "T", "2024-06-01", 100, &s2),
                     DB_ROW);
    store_mark_opts late = {ATT_LATE, ATT_MANUAL, STORE_MARK_REPLACE, NULL};
    store_mark_item it = {.student_id = f.st[0]};
    assert_int_equal(store_att_mark(f.c, f.teacher, s2.id, &late, &it, 1, 200, NULL, &st), DB_OK);

    store_att_history_item *items = NULL;
    store_att_class_tally *cl = NULL;
    size_t n = 0, n_cl = 0;
    int64_t total = 0;
    assert_int_equal(store_att_student_history(f.c, f.st[0], 0, NULL, 10, 0, &items, &n, &total,
                                               &cl, &n_cl), DB_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 2);
    assert_int_equal(items[0].session_id, s2.id);   /* newest date first */
    assert_true(items[0].has_record);
    assert_false(items[1].has_record);
    assert_int_equal(n_cl, 1);
    assert_int_equal(cl[0].sessions, 2);
    assert_int_equal(cl[0].late, 1);
    free(items);
    free(cl);
    assert_int_equal(store_att_student_history(f.c, f.st[0], f.cls, "2024-05-02", 10, 0, &items,
                                               &n, &total, &cl, &n_cl), DB_OK);
    assert_int_equal(total, 1);
    free(items);
    free(cl);

    int64_t sessions = 0;
    assert_int_equal(store_att_session_count(f.c, f.cls, &sessions), DB_OK);
    assert_int_equal(sessions, 2);
    store_att_report_row *rows = NULL;
    assert_int_equal(store_att_report_rows(f.c, f.cls, -1, 0, &rows, &n, &total), DB_OK);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    assert_int_equal(rows[0].student_id, f.st[0]);
    assert_int_equal(rows[0].late, 1);
    assert_int_equal(rows[1].late + rows[1].present + rows[1].absent, 0);
    free(rows);
    assert_int_equal(store_att_report_rows(f.c, f.cls, 1, 2, &rows, &n, &total), DB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].student_id, f.st[2]);
    free(rows);
    db_release(f.c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_rollback_and_access),
        cmocka_unit_test(test_history_and_report),
    };
    return STOREDB_RUN(argc, argv, "attendly-attstore", tests, &g_db);
}
