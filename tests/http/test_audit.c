/* HTTP tests of the audit log (API.md §15): who may read which events, the list's shape,
 * order and pagination; the admin list with its filters. Face events are checked where
 * they are caused (test_face_data.c, test_recognize.c). Run once per backend (argv[1]). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "att_fixture.h"
#include "fixture.h"

static void test_roles(void **state)
{
    user t, s;
    new_user(&t, "teacher", "Tom", "Audit");
    new_user(&s, "student", "Sue", "Audit");
    want_error(att_call("GET", "/api/audit", NULL, NULL), 401, "Missing Authorization Header");
    want_error(att_call("GET", "/api/audit/me", NULL, NULL), 401, "Missing Authorization Header");
    want_error(att_call("GET", "/api/audit", t.token, NULL), 403, "Admin access required");
    want_error(att_call("GET", "/api/audit", s.token, NULL), 403, "Admin access required");
    /* Role before query checks (§1.5). */
    want_error(att_call("GET", "/api/audit?since=yesterday&limit=0", s.token, NULL), 403,
               "Admin access required");
    want_error(att_call("POST", "/api/audit/me", s.token, "{}"), 405, "Method not allowed");
    want_error(att_call("DELETE", "/api/audit", t.token, NULL), 405, "Method not allowed");
}

static void test_mine(void **state)
{
    user s, other;
    char sql[256];
    new_user(&s, "student", "Mia", "Mine");
    new_user(&other, "student", "Ola", "Other");
    /* Events put straight into the table: two about s (same second, so id breaks the tie),
     * one about the other student. */
    snprintf(sql, sizeof sql,
             "INSERT INTO audit_events (at, action, subject_id, details) VALUES "
             "(1700000000, 'test.first', %lld, '{\"n\":1}'), (1700000000, 'test.second', %lld, '{}'),"
             " (1700000001, 'test.elsewhere', %lld, '{}')", s.id, s.id, other.id);
    assert_int_equal(fx_exec(sql), 0);
    json_t *ev = audit_events(&s, "/api/audit/me");
    size_t n = json_array_size(ev);
    assert_true(n >= 2);
    const json_t *a = json_array_get(ev, n - 1), *b = json_array_get(ev, n - 2);
    assert_string_equal(att_str(b, "action"), "test.second");
    assert_string_equal(att_str(a, "action"), "test.first");
    assert_string_equal(att_str(a, "at"), "2023-11-14T22:13:20Z");
    assert_int_equal(jint(json_object_get(a, "details"), "n"), 1);
    assert_int_equal(jint(a, "subject_id"), s.id);
    assert_string_equal(att_str(a, "subject_name"), s.name);
    assert_true(json_is_null(json_object_get(a, "actor_id")));
    assert_true(json_is_null(json_object_get(a, "actor_name")));
    assert_true(json_is_null(json_object_get(a, "request_id")));
    assert_null(audit_find(ev, "test.elsewhere"));
    /* Sign-up wrote account.created with the new user as actor and subject (§19.13). */
    const json_t *created = audit_find(ev, "account.created");
    assert_non_null(created);
    assert_int_equal(jint(created, "actor_id"), s.id);
    assert_int_equal(jint(created, "subject_id"), s.id);
    assert_true(json_is_null(json_object_get(created, "class_id")));
    json_decref(ev);

    att_resp r = want_status(att_call("GET", "/api/audit/me?limit=1&offset=1", s.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), (long long)n);
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 1);
    att_resp_free(&r);
    r = want_status(att_call("GET", "/api/audit/me?offset=99999999999999999999", s.token, NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 0);
    att_resp_free(&r);
    want_error(att_call("GET", "/api/audit/me?limit=1001", s.token, NULL), 400,
               "limit must be an integer between 1 and 1000");
    want_error(att_call("GET", "/api/audit/me?offset=-1", s.token, NULL), 400,
               "offset must be a non-negative integer");
}

/* attendance.record_changed: a manual change of an existing record, with from and to. */
static void test_record_changed(void **state)
{
    world w;
    char p[96];
    make_world(&w, 1);
    long long sess = new_session(&w.teacher, &w.cls, "Audited", NULL);
    mark_ok(&w.teacher, sess, &w.st[0], "present");    /* a new record: no change event */
    mark_ok(&w.teacher, sess, &w.st[0], "present");    /* unchanged */
    mark_ok(&w.teacher, sess, &w.st[0], "absent");
    att_resp r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records",
                                                   sess), w.teacher.token, NULL), 200);
    long long rid = jint(json_array_get(json_object_get(r.json, "attendance_records"), 0), "id");
    att_resp_free(&r);
    r = want_status(att_call("PUT", pathf(p, sizeof p, "/api/attendance/record/%lld", rid),
                             w.teacher.token, "{\"status\": \"late\"}"), 200);
    att_resp_free(&r);
    r = want_status(att_call("PUT", pathf(p, sizeof p, "/api/attendance/record/%lld", rid),
                             w.teacher.token, "{\"status\": \"late\"}"), 200);
    att_resp_free(&r);

    json_t *ev = audit_events(&w.st[0], "/api/audit/me?limit=10");
    size_t changes = 0;
    for (size_t i = 0; i < json_array_size(ev); i++)
        changes += strcmp(att_str(json_array_get(ev, i), "action"), "attendance.record_changed") == 0;
    assert_int_equal(changes, 2);
    const json_t *put = json_array_get(ev, 0), *mark = json_array_get(ev, 1);
    assert_string_equal(att_str(put, "action"), "attendance.record_changed");
    assert_string_equal(att_str(json_object_get(put, "details"), "from"), "absent");
    assert_string_equal(att_str(json_object_get(put, "details"), "to"), "late");
    assert_string_equal(att_str(json_object_get(mark, "details"), "from"), "present");
    assert_string_equal(att_str(json_object_get(mark, "details"), "to"), "absent");
    assert_int_equal(jint(mark, "actor_id"), w.teacher.id);
    assert_int_equal(jint(mark, "class_id"), w.cls.id);
    assert_int_equal(jint(mark, "session_id"), sess);
    json_decref(ev);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_mine),
        cmocka_unit_test(test_record_changed),
    };
    /* Events dated years back must survive the start-up retention sweep. */
    static const char *const env[] = {"AUDIT_RETENTION_DAYS=36500", NULL};
    return att_run_group_env(argc, argv, tests, sizeof tests / sizeof *tests, env);
}
