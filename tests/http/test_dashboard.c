/* HTTP tests of GET /api/classes/dashboard-stats (API.md §4.3), with sessions and records
 * written straight into the database, against a real server on SQLite or PostgreSQL
 * (argv[1]: "sqlite" or "pg"). */
#include "steps.h"

#include <stdio.h>
#include <time.h>

/* ---- dashboard ------------------------------------------------------------------- */

static void date_plus(int days, char out[11])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int64_t add_session(int64_t class_id, int64_t creator, const char *date, int total)
{
    assert_int_equal(fx_exec(th_fmt(
        "INSERT INTO attendance_sessions (class_id, session_name, session_date, created_by, "
        "total_students, created_at, updated_at) VALUES (%lld, 'S %s', '%s', %lld, %d, 0, 0)",
        (long long)class_id, date, date, (long long)creator, total)), 0);
    return fx_query_int(th_fmt("SELECT MAX(id) FROM attendance_sessions WHERE class_id = %lld",
                               (long long)class_id));
}

static void add_record(int64_t session, int64_t student, const char *status, int64_t marker)
{
    assert_int_equal(fx_exec(th_fmt(
        "INSERT INTO attendance_records (session_id, student_id, status, recognition_method, "
        "marked_by, marked_at, updated_at) VALUES (%lld, %lld, '%s', 'manual', %lld, 0, 0)",
        (long long)session, (long long)student, status, (long long)marker)), 0);
}

static void test_dashboard_teacher(void **state)
{
    tuser t, s1, s2, s3;
    char c1[8], c2[8], c3[8], today[11], d1[11], d6[11], d7[11], tomorrow[11];

    th_signup(&t, "teacher");
    th_signup(&s1, "student");
    th_signup(&s2, "student");
    th_signup(&s3, "student");
    fx_resp r = fx_req("GET", "/api/classes/dashboard-stats", t.access, NULL);
    assert_int_equal(r.status, 200);
    json_t *st = json_object_get(r.json, "statistics");
    assert_int_equal(th_int(st, "total_classes"), 0);
    assert_int_equal(th_int(st, "total_students"), 0);
    assert_int_equal(th_int(st, "todays_sessions"), 0);
    assert_true(json_is_number(json_object_get(st, "avg_attendance_rate")));
    assert_true(json_number_value(json_object_get(st, "avg_attendance_rate")) == 0.0);
    assert_int_equal(json_array_size(json_object_get(r.json, "recent_activity")), 0);
    fx_free(&r);

    int64_t a = th_create_class(&t, "Alpha", c1);
    int64_t b = th_create_class(&t, "Beta", c2);
    int64_t gone = th_create_class(&t, "Gone", c3);
    th_join(&s1, c1);
    th_join(&s1, c2);        /* counted once */
    th_join(&s2, c1);
    th_join(&s3, c2);
    th_join(&s3, c3);
    fx_resp x = fx_req("POST", th_class_path(b, "/leave"), s3.access, NULL);   /* inactive */
    fx_free(&x);

    date_plus(0, today);
    date_plus(-1, d1);
    date_plus(-6, d6);
    date_plus(-7, d7);
    date_plus(1, tomorrow);
    int64_t sa = add_session(a, t.id, today, 3);       /* 2 of 3 attended: 66.67 */
    add_record(sa, s1.id, "present", t.id);
    add_record(sa, s2.id, "late", t.id);
    add_record(sa, s3.id, "absent", t.id);
    int64_t sb = add_session(b, t.id, d1, 4);          /* 1 of 4: 25 */
    add_record(sb, s1.id, "present", t.id);
    int64_t s6 = add_session(a, t.id, d6, 2);          /* 0 of 2: 0 */
    add_record(s6, s2.id, "absent", t.id);
    add_session(a, t.id, d7, 2);                       /* too old for recent; rate 0 */
    add_session(a, t.id, today, 0);                    /* no students: not in the mean */
    int64_t future = add_session(b, t.id, tomorrow, 1);   /* after today: not in the mean */
    add_record(future, s1.id, "present", t.id);
    int64_t g = add_session(gone, t.id, today, 1);     /* archived class: ignored */
    add_record(g, s3.id, "present", t.id);
    x = fx_req("DELETE", th_class_path(gone, NULL), t.access, NULL);
    fx_free(&x);
    assert_int_equal(fx_exec(th_fmt("UPDATE attendance_sessions SET is_active = 0 WHERE id = %lld",
                                    (long long)add_session(a, t.id, today, 5))), 0);

    r = fx_req("GET", "/api/classes/dashboard-stats", t.access, NULL);
    assert_int_equal(r.status, 200);
    st = json_object_get(r.json, "statistics");
    assert_int_equal(th_int(st, "total_classes"), 2);
    assert_int_equal(th_int(st, "total_students"), 2);   /* s1 and s2 */
    assert_int_equal(th_int(st, "todays_sessions"), 2);
    /* mean(66.667, 25, 0, 0) = 22.92 */
    assert_float_equal(json_number_value(json_object_get(st, "avg_attendance_rate")), 22.92, 1e-9);
    json_t *recent = json_object_get(r.json, "recent_activity");
    assert_int_equal(json_array_size(recent), 4);
    json_t *first = json_array_get(recent, 0);
    /* Today's two sessions, highest id first, then yesterday, then today-6. */
    assert_string_equal(th_str(first, "date"), today);
    assert_true(th_int(first, "id") > sa);
    assert_float_equal(json_number_value(json_object_get(first, "attendance_rate")), 0.0, 1e-9);
    json_t *second = json_array_get(recent, 1);
    assert_int_equal(th_int(second, "id"), sa);
    assert_int_equal(th_int(second, "class_id"), a);
    assert_string_equal(th_str(second, "class_name"), "Alpha");
    assert_string_equal(th_str(second, "session_name"), th_fmt("S %s", today));
    assert_int_equal(th_int(second, "present_count"), 1);
    assert_int_equal(th_int(second, "late_count"), 1);
    assert_int_equal(th_int(second, "absent_count"), 1);
    assert_int_equal(th_int(second, "total_students"), 3);
    assert_float_equal(json_number_value(json_object_get(second, "attendance_rate")), 66.67, 1e-9);
    assert_int_equal(json_object_size(second), 10);
    assert_int_equal(th_int(json_array_get(recent, 2), "id"), sb);
    assert_float_equal(json_number_value(json_object_get(json_array_get(recent, 2),
                                                         "attendance_rate")), 25.0, 1e-9);
    assert_int_equal(th_int(json_array_get(recent, 3), "id"), s6);
    assert_string_equal(th_str(json_array_get(recent, 3), "date"), d6);
    fx_free(&r);

    /* At most 5: two more sessions yesterday push today-6 out. */
    int64_t y1 = add_session(b, t.id, d1, 0), y2 = add_session(b, t.id, d1, 0);
    r = fx_req("GET", "/api/classes/dashboard-stats", t.access, NULL);
    recent = json_object_get(r.json, "recent_activity");
    assert_int_equal(json_array_size(recent), 5);
    assert_int_equal(th_int(json_array_get(recent, 1), "id"), sa);
    assert_int_equal(th_int(json_array_get(recent, 2), "id"), y2);
    assert_int_equal(th_int(json_array_get(recent, 3), "id"), y1);
    assert_int_equal(th_int(json_array_get(recent, 4), "id"), sb);
    /* Sessions without students do not move the mean. */
    assert_float_equal(json_number_value(json_object_get(json_object_get(r.json, "statistics"),
                                                         "avg_attendance_rate")), 22.92, 1e-9);
    fx_free(&r);
}

static void test_dashboard_student(void **state)
{
    tuser t, s, classmate;
    char c1[8], c2[8], c3[8], today[11];

    th_signup(&t, "teacher");
    th_signup(&s, "student");
    th_signup(&classmate, "student");
    fx_resp r = fx_req("GET", "/api/classes/dashboard-stats", s.access, NULL);
    assert_int_equal(r.status, 200);
    json_t *st = json_object_get(r.json, "statistics");
    assert_int_equal(th_int(st, "enrolled_classes"), 0);
    assert_int_equal(th_int(st, "total_sessions"), 0);
    assert_int_equal(th_int(st, "sessions_attended"), 0);
    assert_true(json_number_value(json_object_get(st, "attendance_rate")) == 0.0);
    assert_null(json_object_get(r.json, "recent_activity"));
    fx_free(&r);

    int64_t a = th_create_class(&t, "A", c1);
    int64_t b = th_create_class(&t, "B", c2);
    int64_t left = th_create_class(&t, "Left", c3);
    th_join(&s, c1);
    th_join(&s, c2);
    th_join(&s, c3);
    th_join(&classmate, c1);
    date_plus(0, today);
    for (int i = 0; i < 3; i++) {
        int64_t sid = add_session(a, t.id, today, 2);
        add_record(sid, s.id, i == 0 ? "present" : i == 1 ? "late" : "absent", t.id);
        add_record(sid, classmate.id, "present", t.id);
    }
    int64_t sid = add_session(b, t.id, "2020-01-01", 1);
    add_record(sid, s.id, "present", t.id);
    add_session(b, t.id, today, 1);
    add_session(b, t.id, today, 1);
    sid = add_session(left, t.id, today, 1);
    add_record(sid, s.id, "present", t.id);
    r = fx_req("POST", th_class_path(left, "/leave"), s.access, NULL);
    fx_free(&r);

    r = fx_req("GET", "/api/classes/dashboard-stats", s.access, NULL);
    assert_int_equal(r.status, 200);
    st = json_object_get(r.json, "statistics");
    assert_int_equal(th_int(st, "enrolled_classes"), 2);
    assert_int_equal(th_int(st, "total_sessions"), 6);
    assert_int_equal(th_int(st, "sessions_attended"), 3);
    assert_float_equal(json_number_value(json_object_get(st, "attendance_rate")), 50.0, 1e-9);
    fx_free(&r);
    /* 2 of 3 in class A only after B is archived: 66.67. */
    r = fx_req("DELETE", th_class_path(b, NULL), t.access, NULL);
    fx_free(&r);
    r = fx_req("GET", "/api/classes/dashboard-stats", s.access, NULL);
    st = json_object_get(r.json, "statistics");
    assert_int_equal(th_int(st, "enrolled_classes"), 1);
    assert_int_equal(th_int(st, "total_sessions"), 3);
    assert_int_equal(th_int(st, "sessions_attended"), 2);
    assert_float_equal(json_number_value(json_object_get(st, "attendance_rate")), 66.67, 1e-9);
    fx_free(&r);
}

/* ---- runner ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dashboard_teacher),
        cmocka_unit_test(test_dashboard_student),
    };
    return TH_RUN_GROUP(argc, argv, tests, NULL);
}
