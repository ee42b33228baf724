/* HTTP tests of check-in codes (API.md §14, §19.2-4, §19.17): the teacher routes with
 * their checks, codes only the owner sees, students checking in (present, late, left
 * alone), the previous period's code, the wrong-code limit with Retry-After, automatic
 * close, and the `checkin` method in records, the student's history and the audit log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "att_fixture.h"
#include "core/totp.h"
#include "fixture.h"

static const char *cpath(long long session)
{
    static char buf[4][96];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 96, "/api/attendance/session/%lld/checkin", session);
    return p;
}

static void check_checkin_shape(const json_t *c, long long session)
{
    assert_int_equal(jint(c, "session_id"), session);
    assert_true(is_timestamp(json_object_get(c, "opens_at")));
    assert_true(is_timestamp(json_object_get(c, "closes_at")));
    assert_true(is_timestamp(json_object_get(c, "code_expires_at")));
    const json_t *late = json_object_get(c, "late_after");
    assert_true(late && (json_is_null(late) || is_timestamp(late)));
    const char *code = att_str(c, "code");
    assert_int_equal(strlen(code), 6);
    for (const char *p = code; *p; p++)
        assert_true(*p >= '0' && *p <= '9');
    assert_int_equal(jint(c, "period_seconds"), 30);
    jint(c, "checked_in");
}

/* Opens a window and returns the current code. */
static void open_window(const user *t, long long session, const char *body, char code[8])
{
    att_resp r = want_status(att_call("POST", cpath(session), t->token, body), 201);
    assert_string_equal(att_str(r.json, "message"), "Check-in opened");
    check_checkin_shape(json_object_get(r.json, "checkin"), session);
    snprintf(code, 8, "%s", att_str(json_object_get(r.json, "checkin"), "code"));
    att_resp_free(&r);
}

static att_resp submit(const user *s, long long session, const char *code)
{
    char body[160];
    snprintf(body, sizeof body, "{\"session_id\": %lld, \"code\": \"%s\"}", session, code);
    return att_call("POST", "/api/attendance/checkin", s->token, body);
}

/* The code of step `back` periods ago, from the window's secret in the database. */
static void code_back(long long session, int back, char out[8])
{
    char sql[128];
    db_conn *c = fx_db();
    snprintf(sql, sizeof sql, "SELECT secret FROM checkin_windows WHERE session_id = %lld", session);
    db_stmt *s = db_prepare(c, sql);
    assert_non_null(s);
    assert_int_equal(db_step(s), DB_ROW);
    size_t n = 0;
    const void *key = db_col_blob(s, 0, &n);
    assert_int_equal(n, 32);
    assert_int_equal(totp_code(key, n, (uint64_t)(time(NULL) / 30 - back), 6, out), 0);
    db_finalize(s);
    db_release(c);
}

static void test_teacher_routes(void **state)
{
    world w;
    user other;
    make_world(&w, 1);
    new_user(&other, "teacher", "Other", "Teacher");
    long long sess = new_session(&w.teacher, &w.cls, "Morning", NULL);
    const char *p = cpath(sess);

    want_error(att_call("POST", p, w.st[0].token, "{bad"), 403, "Only teachers can manage check-ins");
    want_error(att_call("GET", p, w.st[0].token, NULL), 403, "Only teachers can manage check-ins");
    want_error(att_call("DELETE", p, w.st[0].token, NULL), 403, "Only teachers can manage check-ins");
    /* Session before body (§19.3); another teacher's session looks missing. */
    want_error(att_call("POST", p, other.token, "{bad"), 404, "Session not found or access denied");
    want_error(att_call("POST", cpath(999999999), w.teacher.token, "{}"), 404,
               "Session not found or access denied");
    want_error(att_call("GET", p, w.teacher.token, NULL), 404, "No open check-in for this session");
    want_error(att_call("DELETE", p, w.teacher.token, NULL), 404, "No open check-in for this session");

    static const char *bad_minutes[] = {"{\"minutes\": 0}", "{\"minutes\": 241}", "{\"minutes\": 1.5}",
                                        "{\"minutes\": \"10\"}", "{\"minutes\": true}",
                                        "{\"minutes\": -5}", "{\"minutes\": 99999999999999}"};
    for (size_t i = 0; i < sizeof bad_minutes / sizeof *bad_minutes; i++)
        want_error(att_call("POST", p, w.teacher.token, bad_minutes[i]), 400,
                   "minutes must be an integer between 1 and 240");
    static const char *bad_late[] = {"{\"late_after_minutes\": -1}", "{\"late_after_minutes\": 241}",
                                     "{\"late_after_minutes\": \"5\"}", "{\"late_after_minutes\": 2.5}"};
    for (size_t i = 0; i < sizeof bad_late / sizeof *bad_late; i++)
        want_error(att_call("POST", p, w.teacher.token, bad_late[i]), 400,
                   "late_after_minutes must be an integer between 0 and 240");
    want_error(att_call("POST", p, w.teacher.token, "[]"), 400, "Request body must be a JSON object");
    want_error(att_call("GET", p, w.teacher.token, NULL), 404, "No open check-in for this session");

    /* Defaults: 10 minutes, never late; null means the default. */
    att_resp r = want_status(att_call("POST", p, w.teacher.token,
                                      "{\"minutes\": null, \"late_after_minutes\": null}"), 201);
    json_t *c = json_object_get(r.json, "checkin");
    check_checkin_shape(c, sess);
    assert_true(json_is_null(json_object_get(c, "late_after")));
    assert_int_equal(jint(c, "checked_in"), 0);
    char opens[32], closes[32];
    snprintf(opens, sizeof opens, "%s", att_str(c, "opens_at"));
    snprintf(closes, sizeof closes, "%s", att_str(c, "closes_at"));
    att_resp_free(&r);
    assert_int_equal(fx_query_int("SELECT MAX(closes_at - opens_at) FROM checkin_windows"), 600);
    r = want_status(att_call("GET", p, w.teacher.token, NULL), 200);
    check_checkin_shape(json_object_get(r.json, "checkin"), sess);
    assert_string_equal(att_str(json_object_get(r.json, "checkin"), "opens_at"), opens);
    att_resp_free(&r);
    /* Nobody but the owner reads the code. */
    want_error(att_call("GET", p, other.token, NULL), 404, "Session not found or access denied");
    r = want_status(att_call("GET", "/api/attendance/checkin/open", w.st[0].token, NULL), 200);
    assert_null(strstr(r.body, "\"code\""));
    att_resp_free(&r);

    r = want_status(att_call("DELETE", p, w.teacher.token, NULL), 200);
    assert_string_equal(att_str(r.json, "message"), "Check-in closed");
    att_resp_free(&r);
    want_error(att_call("GET", p, w.teacher.token, NULL), 404, "No open check-in for this session");
    want_error(att_call("DELETE", p, w.teacher.token, NULL), 404, "No open check-in for this session");
}

static void test_student_checkin(void **state)
{
    world w;
    user outsider;
    char code[8], sql[160];
    make_world(&w, 3);
    new_user(&outsider, "student", "Out", "Sider");
    long long sess = new_session(&w.teacher, &w.cls, "Lecture", NULL);
    long long other_sess = new_session(&w.teacher, &w.cls, "Later", NULL);
    mark_ok(&w.teacher, sess, &w.st[1], "late");
    open_window(&w.teacher, sess, "{\"minutes\": 5}", code);
    open_window(&w.teacher, other_sess, "{\"minutes\": 60}", code);
    open_window(&w.teacher, sess, "{\"minutes\": 5}", code);   /* re-open: a new secret */

    want_error(att_call("POST", "/api/attendance/checkin", w.teacher.token, "{bad"), 403,
               "Only students can check in");
    want_error(att_call("GET", "/api/attendance/checkin/open", w.teacher.token, NULL), 403,
               "Only students can check in");
    const char *cp = "/api/attendance/checkin";
    want_error(att_call("POST", cp, w.st[0].token, "{}"), 400, "Session ID is required");
    want_error(att_call("POST", cp, w.st[0].token, "{\"session_id\": \"1\"}"), 400,
               "session_id must be an integer");
    want_error(att_call("POST", cp, w.st[0].token, "{\"session_id\": 1e3, \"code\": \"1\"}"), 400,
               "session_id must be an integer");
    want_error(att_call("POST", cp, w.st[0].token, "{\"session_id\": 1}"), 400, "Code is required");
    want_error(att_call("POST", cp, w.st[0].token, "{\"session_id\": 1, \"code\": \"  \"}"), 400,
               "Code is required");
    want_error(att_call("POST", cp, w.st[0].token, "{\"session_id\": 1, \"code\": 123456}"), 400,
               "code must be a string");
    want_error(submit(&outsider, sess, code), 404, "No open check-in for this session");
    want_error(submit(&w.st[0], 999999999, code), 404, "No open check-in for this session");

    att_resp r = want_status(att_call("GET", "/api/attendance/checkin/open", w.st[0].token, NULL), 200);
    json_t *list = json_object_get(r.json, "checkins");
    assert_int_equal(json_array_size(list), 2);
    assert_int_equal(jint(json_array_get(list, 0), "session_id"), sess);   /* closes first */
    assert_int_equal(jint(json_array_get(list, 0), "class_id"), w.cls.id);
    assert_string_equal(att_str(json_array_get(list, 0), "class_name"), "Math 101");
    assert_string_equal(att_str(json_array_get(list, 0), "session_name"), "Lecture");
    assert_true(is_timestamp(json_object_get(json_array_get(list, 0), "closes_at")));
    att_resp_free(&r);
    r = want_status(att_call("GET", "/api/attendance/checkin/open", outsider.token, NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "checkins")), 0);
    att_resp_free(&r);

    /* The code, with spaces around it: present, method checkin, no confidence. */
    char spaced[16];
    snprintf(spaced, sizeof spaced, " %s ", code);
    r = want_status(submit(&w.st[0], sess, spaced), 200);
    assert_string_equal(att_str(r.json, "message"), "Checked in");
    assert_string_equal(att_str(r.json, "action"), "created");
    json_t *rec = json_object_get(r.json, "record");
    check_record_shape(rec);
    assert_string_equal(att_str(rec, "status"), "present");
    assert_string_equal(att_str(rec, "recognition_method"), "checkin");
    assert_true(json_is_null(json_object_get(rec, "recognition_confidence")));
    assert_int_equal(jint(rec, "student_id"), w.st[0].id);
    att_resp_free(&r);
    r = want_status(submit(&w.st[0], sess, code), 200);
    assert_string_equal(att_str(r.json, "action"), "unchanged");
    att_resp_free(&r);
    /* A record that already says late is left alone. */
    r = want_status(submit(&w.st[1], sess, code), 200);
    assert_string_equal(att_str(r.json, "action"), "unchanged");
    assert_string_equal(att_str(json_object_get(r.json, "record"), "status"), "late");
    assert_string_equal(att_str(json_object_get(r.json, "record"), "recognition_method"), "manual");
    att_resp_free(&r);
    /* The previous period's code works, the one before does not. */
    char prev[8], older[8];
    code_back(sess, 1, prev);
    code_back(sess, 2, older);
    if (strcmp(older, code) != 0 && strcmp(older, prev) != 0)
        want_error(submit(&w.st[2], sess, older), 400, "Wrong or expired code");
    r = want_status(submit(&w.st[2], sess, prev), 200);
    assert_string_equal(att_str(r.json, "action"), "created");
    att_resp_free(&r);

    r = want_status(att_call("GET", cpath(sess), w.teacher.token, NULL), 200);
    assert_int_equal(jint(json_object_get(r.json, "checkin"), "checked_in"), 2);
    att_resp_free(&r);
    char p[96];
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records", sess),
                             w.teacher.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 3);
    att_resp_free(&r);
    r = want_status(att_call("GET", "/api/attendance/student-records", w.st[0].token, NULL), 200);
    assert_non_null(strstr(r.body, "\"checkin\""));
    att_resp_free(&r);
    /* Teachers cannot write the method; a manual change sets theirs. */
    want_error(att_callf("POST", "/api/attendance/mark-attendance", w.teacher.token,
                         "{\"session_id\": %lld, \"student_ids\": [%lld], \"recognition_method\":"
                         " \"checkin\"}", sess, w.st[0].id), 400,
               "Recognition method must be one of: manual, ai_face, hybrid");
    r = want_status(att_callf("POST", "/api/attendance/mark-attendance", w.teacher.token,
                              "{\"session_id\": %lld, \"student_ids\": [%lld], \"status\": \"absent\"}",
                              sess, w.st[0].id), 200);
    att_resp_free(&r);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM attendance_records WHERE session_id = %lld"
                              " AND student_id = %lld AND recognition_method = 'manual'", sess, w.st[0].id);
    assert_int_equal(fx_query_int(sql), 1);

    json_t *ev = audit_events(&w.st[2], "/api/audit/me");
    const json_t *e = audit_find(ev, "attendance.checked_in");
    assert_non_null(e);
    assert_int_equal(jint(e, "session_id"), sess);
    assert_int_equal(jint(e, "class_id"), w.cls.id);
    assert_int_equal(jint(e, "actor_id"), w.st[2].id);
    json_decref(ev);

    /* Closing by itself at closes_at. */
    snprintf(sql, sizeof sql, "UPDATE checkin_windows SET closes_at = %lld WHERE session_id = %lld",
             (long long)time(NULL) - 1, other_sess);
    assert_int_equal(fx_exec(sql), 0);
    want_error(att_call("GET", cpath(other_sess), w.teacher.token, NULL), 404,
               "No open check-in for this session");
    want_error(submit(&w.st[0], other_sess, code), 404, "No open check-in for this session");
}

static void test_late_and_limit(void **state)
{
    world w;
    char code[8], wrong[16];
    make_world(&w, 2);
    long long sess = new_session(&w.teacher, &w.cls, "Quiz", NULL);
    open_window(&w.teacher, sess, "{\"late_after_minutes\": 0}", code);
    att_resp r = want_status(att_call("GET", cpath(sess), w.teacher.token, NULL), 200);
    assert_true(is_timestamp(json_object_get(json_object_get(r.json, "checkin"), "late_after")));
    att_resp_free(&r);
    r = want_status(submit(&w.st[0], sess, code), 200);
    assert_string_equal(att_str(json_object_get(r.json, "record"), "status"), "late");
    att_resp_free(&r);

    /* A code that is neither the current nor the previous one. */
    char prev[8];
    code_back(sess, 1, prev);
    int k = 0;
    do
        snprintf(wrong, sizeof wrong, "%06d", k++);
    while (!strcmp(wrong, code) || !strcmp(wrong, prev));
    for (int i = 0; i < 5; i++)
        want_error(submit(&w.st[1], sess, wrong), 400, "Wrong or expired code");
    want_error(submit(&w.st[1], sess, "12345678"), 429, "Too many wrong codes, try again later");
    r = submit(&w.st[1], sess, code);   /* even the right one */
    assert_int_equal(r.status, 429);
    att_resp_free(&r);
    char body[128];
    snprintf(body, sizeof body, "{\"session_id\": %lld, \"code\": \"%s\"}", sess, code);
    fx_resp h = fx_req("POST", "/api/attendance/checkin", w.st[1].token, body);
    assert_int_equal(h.status, 429);
    long retry = strtol(h.retry_after, NULL, 10);
    assert_true(retry > 500 && retry <= 600);
    fx_free(&h);
    /* Another student is not limited; the wrong codes were not recorded against them. */
    r = want_status(submit(&w.st[0], sess, code), 200);
    att_resp_free(&r);
    /* Once the oldest wrong code is 10 minutes old, attempts are allowed again. */
    assert_int_equal(fx_exec("UPDATE checkin_failures SET failed_at = failed_at - 601"), 0);
    r = want_status(submit(&w.st[1], sess, code), 200);
    assert_string_equal(att_str(json_object_get(r.json, "record"), "status"), "late");
    att_resp_free(&r);
    /* The counters of /metrics. */
    r = att_call("GET", "/metrics", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "attendly_checkins_total{outcome=\"ok\"}"));
    assert_non_null(strstr(r.body, "attendly_checkins_total{outcome=\"wrong_code\"}"));
    assert_non_null(strstr(r.body, "attendly_checkins_total{outcome=\"limited\"}"));
    assert_non_null(strstr(r.body, "attendly_consent_changes_total{action=\"given\"} 0"));
    assert_non_null(strstr(r.body, "attendly_retention_deleted_total{kind=\"face_data\"}"));
    att_resp_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_teacher_routes),
        cmocka_unit_test(test_student_checkin),
        cmocka_unit_test(test_late_and_limit),
    };
    return ATT_RUN_GROUP(argc, argv, tests);
}
