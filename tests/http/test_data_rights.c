/* HTTP tests of retention and data rights (API.md §16, §19.12): `attendly sweep --now`
 * with every kind of expired row (face data of students who left, stored uploads,
 * revoked tokens, login failures, audit events) and what it must keep; the data export;
 * account deletion with its checks, anonymisation and the register kept intact. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "att_fixture.h"
#include "fixture.h"

#define PW "correct-horse-1"
#define DAY 86400LL

static long long q(const char *fmt, long long a)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, a);
    return fx_query_int(sql);
}

/* Face data rows put in directly (the face engine is not needed for the sweep). */
static void fake_face_data(long long student, long long at, const char *raw)
{
    static const unsigned char blob[4] = {0xff, 0xd8, 0, 0};
    db_conn *c = fx_db();
    db_stmt *s = db_prepare(c, "INSERT INTO face_data (user_id, upload_method, encoding_version,"
                               " created_at, updated_at) VALUES (?, 'single_image', 'v1', ?, ?)");
    assert_non_null(s);
    db_bind_int64(s, 1, student);
    db_bind_int64(s, 2, at);
    db_bind_int64(s, 3, at);
    assert_int_equal(db_step(s), DB_DONE);
    db_finalize(s);
    s = db_prepare(c, "INSERT INTO face_descriptors (user_id, descriptor, source, face_size,"
                      " detection_score, thumbnail, raw_image_path, created_at) VALUES"
                      " (?, ?, 'single_image', 100, 0.9, ?, ?, ?)");
    assert_non_null(s);
    db_bind_int64(s, 1, student);
    db_bind_blob(s, 2, blob, sizeof blob);
    db_bind_blob(s, 3, blob, sizeof blob);
    db_bind_text(s, 4, raw);
    db_bind_int64(s, 5, at);
    assert_int_equal(db_step(s), DB_DONE);
    db_finalize(s);
    db_release(c);
}

static json_t *sweep(const char *now)
{
    char args[96], out[512];
    snprintf(args, sizeof args, "sweep --now '%s'", now);
    assert_int_equal(fx_run_cli(args, NULL, out, sizeof out), 0);
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    assert_non_null(j);
    return j;
}

static void test_sweep_windows(void **state)
{
    user t, gone, stays, never;
    klass k;
    new_user(&t, "teacher", "Win", "Dows");
    new_user(&gone, "student", "Left", "Early");
    new_user(&stays, "student", "Stays", "On");
    new_user(&never, "student", "No", "Class");
    new_class(&t, "Windows", &k);
    join(&gone, &k);
    join(&stays, &k);
    leave(&gone, &k);
    long long now = (long long)time(NULL);
    fake_face_data(gone.id, now, "faces/g/1.jpg");
    fake_face_data(stays.id, now, "faces/s/1.jpg");
    /* The stored upload of `stays` exists as a file where the sweep looks for it. */
    char file[700];
    snprintf(file, sizeof file, "mkdir -p '%s/faces/s' && : > '%s/faces/s/1.jpg'",
             fx_cli_dir(), fx_cli_dir());
    assert_int_equal(system(file), 0);
    snprintf(file, sizeof file, "%s/faces/s/1.jpg", fx_cli_dir());
    fake_face_data(never.id, now, NULL);

    char ts[32];
    time_t at = (time_t)(now + 40 * DAY);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&at));
    json_t *r = sweep(ts);   /* 40 days on: uploads (30) expire, face data (365) not yet */
    assert_true(jint(r, "face_images") >= 2);
    assert_int_equal(jint(r, "face_data"), 0);
    json_decref(r);
    assert_int_equal(q("SELECT COUNT(*) FROM face_descriptors WHERE user_id = %lld AND"
                       " raw_image_path IS NULL", stays.id), 1);
    assert_int_equal(access(file, F_OK), -1);   /* the file went with it */
    assert_int_equal(q("SELECT COUNT(*) FROM face_data WHERE user_id = %lld", gone.id), 1);

    at = (time_t)(now + 366 * DAY);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&at));
    r = sweep(ts);   /* a year on: the two without an active enrollment lose their face data */
    assert_true(jint(r, "face_data") >= 2);
    assert_true(jint(r, "revoked_tokens") >= 0);
    jint(r, "login_failures");
    jint(r, "audit_events");
    json_decref(r);
    assert_int_equal(q("SELECT COUNT(*) FROM face_data WHERE user_id = %lld", gone.id), 0);
    assert_int_equal(q("SELECT COUNT(*) FROM face_descriptors WHERE user_id = %lld", gone.id), 0);
    assert_int_equal(q("SELECT COUNT(*) FROM face_data WHERE user_id = %lld", never.id), 0);
    assert_int_equal(q("SELECT COUNT(*) FROM face_data WHERE user_id = %lld", stays.id), 1);
    assert_int_equal(q("SELECT COUNT(*) FROM audit_events WHERE action = 'face.expired' AND"
                       " subject_id = %lld AND actor_id IS NULL", gone.id), 1);
    assert_int_equal(q("SELECT COUNT(*) FROM audit_events WHERE action = 'face.expired' AND"
                       " subject_id = %lld", stays.id), 0);

    /* Tokens, failures and events past their windows; the live token stays. */
    char sql[600];
    snprintf(sql, sizeof sql,
             "INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ('w-old', 1, %lld),"
             " ('w-live', 1, %lld);"
             "INSERT INTO login_failures (email, client_addr, failed_at) VALUES ('w@b.c', 'x', %lld);"
             "INSERT INTO audit_events (at, action, details) VALUES (%lld, 'test.ancient', '{}')",
             now - 10, now + 100 * DAY, now - 10 * DAY, now - 800 * DAY);
    assert_int_equal(fx_exec(sql), 0);
    time_t today = (time_t)now;
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&today));
    r = sweep(ts);
    assert_true(jint(r, "revoked_tokens") >= 1);
    assert_true(jint(r, "login_failures") >= 1);
    assert_true(jint(r, "audit_events") >= 1);
    json_decref(r);
    assert_int_equal(fx_query_int("SELECT COUNT(*) FROM revoked_tokens WHERE jti = 'w-live'"), 1);
    assert_int_equal(fx_query_int("SELECT COUNT(*) FROM revoked_tokens WHERE jti = 'w-old'"), 0);
    assert_int_equal(fx_query_int("SELECT COUNT(*) FROM audit_events WHERE action = 'test.ancient'"), 0);
    /* Another sweep finds nothing more. */
    r = sweep(ts);
    assert_int_equal(jint(r, "face_data"), 0);
    assert_int_equal(jint(r, "audit_events"), 0);
    json_decref(r);
}

static void test_export(void **state)
{
    world w;
    make_world(&w, 1);
    long long sess = new_session(&w.teacher, &w.cls, "Exported", NULL);
    mark_ok(&w.teacher, sess, &w.st[0], "present");
    att_resp r = want_status(att_call("GET", "/api/auth/export", w.st[0].token, NULL), 200);
    char want[96];
    snprintf(want, sizeof want, "attachment; filename=\"attendly-export-%lld.json\"", w.st[0].id);
    assert_string_equal(r.disposition, want);
    json_t *d = r.json;
    assert_true(is_timestamp(json_object_get(d, "exported_at")));
    assert_int_equal(jint(json_object_get(d, "user"), "id"), w.st[0].id);
    assert_int_equal(json_array_size(json_object_get(d, "classes")), 1);
    assert_int_equal(json_array_size(json_object_get(d, "enrollments")), 1);
    json_t *att = json_object_get(d, "attendance");
    assert_int_equal(json_array_size(att), 1);
    check_record_shape(json_array_get(att, 0));
    assert_true(json_is_null(json_object_get(d, "face_data")));
    assert_int_equal(json_array_size(json_object_get(d, "face_images")), 0);
    assert_true(json_is_array(json_object_get(d, "consent_history")));
    const json_t *ev = audit_find(json_object_get(d, "audit"), "account.exported");
    assert_non_null(ev);
    check_audit_event_shape(ev);
    assert_null(strstr(r.body, "descriptor\""));
    assert_null(strstr(r.body, "password"));
    att_resp_free(&r);
    /* A teacher's export: their classes, no attendance of their own. */
    r = want_status(att_call("GET", "/api/auth/export", w.teacher.token, NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "classes")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "attendance")), 0);
    att_resp_free(&r);
    want_error(att_call("GET", "/api/auth/export", NULL, NULL), 401, "Missing Authorization Header");
}

static void test_delete_account(void **state)
{
    world w;
    user a;
    make_world(&w, 2);
    new_admin(&a, "No", "Delete");
    long long sess = new_session(&w.teacher, &w.cls, "Kept", NULL);
    mark_ok(&w.teacher, sess, &w.st[0], "late");
    const char *p = "/api/auth/account";

    want_error(att_call("DELETE", p, a.token, "{\"password\": \"" PW "\"}"), 403,
               "Admins cannot delete their account");
    want_error(att_call("DELETE", p, w.st[0].token, "nope"), 400, "Invalid JSON body");
    want_error(att_call("DELETE", p, w.st[0].token, "{}"), 400, "Password is required");
    want_error(att_call("DELETE", p, w.st[0].token, "{\"password\": \"\"}"), 400, "Password is required");
    want_error(att_call("DELETE", p, w.st[0].token, "{\"password\": 5}"), 400,
               "password must be a string");
    want_error(att_call("DELETE", p, w.st[0].token, "{\"password\": \"wrong-password\"}"), 401,
               "Invalid password");
    want_error(att_call("DELETE", p, w.teacher.token, "{\"password\": \"" PW "\"}"), 409,
               "Archive your classes first");
    /* Nothing changed by the refusals. */
    att_resp r = want_status(att_call("GET", "/api/auth/profile", w.st[0].token, NULL), 200);
    att_resp_free(&r);

    fake_face_data(w.st[0].id, (long long)time(NULL), NULL);
    r = want_status(att_call("DELETE", p, w.st[0].token, "{\"password\": \"" PW "\"}"), 200);
    assert_string_equal(att_str(r.json, "message"), "Account deleted");
    att_resp_free(&r);
    want_error(att_call("GET", "/api/auth/profile", w.st[0].token, NULL), 401,
               "User not found or inactive");
    want_error(att_login(w.st[0].email, PW), 401, "Invalid email or password");
    char email[64];
    snprintf(email, sizeof email, "deleted-%lld@invalid", w.st[0].id);
    assert_int_equal(q("SELECT COUNT(*) FROM users WHERE id = %lld AND first_name = 'Deleted'"
                       " AND last_name = 'User' AND status = 'deactivated'", w.st[0].id), 1);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM users WHERE email = '%s'", email);
    assert_int_equal(fx_query_int(sql), 1);
    assert_int_equal(q("SELECT COUNT(*) FROM face_data WHERE user_id = %lld", w.st[0].id), 0);
    assert_int_equal(q("SELECT COUNT(*) FROM enrollments WHERE student_id = %lld AND is_active = 1",
                       w.st[0].id), 0);
    assert_int_equal(q("SELECT COUNT(*) FROM audit_events WHERE action = 'account.deleted' AND"
                       " subject_id = %lld", w.st[0].id), 1);
    /* The register keeps the record, under the anonymised name. */
    char path[96];
    r = want_status(att_call("GET", pathf(path, sizeof path, "/api/attendance/session/%lld/records",
                                          sess), w.teacher.token, NULL), 200);
    const json_t *recs = json_object_get(r.json, "attendance_records");
    assert_int_equal(json_array_size(recs), 1);
    assert_string_equal(att_str(json_array_get(recs, 0), "student_name"), "Deleted User");
    assert_string_equal(att_str(json_array_get(recs, 0), "status"), "late");
    att_resp_free(&r);

    /* A teacher whose classes are archived may go. */
    archive(&w.teacher, &w.cls);
    r = want_status(att_call("DELETE", p, w.teacher.token, "{\"password\": \"" PW "\"}"), 200);
    att_resp_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_windows),
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_delete_account),
    };
    return ATT_RUN_GROUP(argc, argv, tests);
}
