/* HTTP tests of a student's attendance history (API.md §7.8) and the class report as JSON
 * and CSV (§7.9), run once per database backend (argv[1]). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "att_fixture.h"

#define HISTORY "/api/attendance/student-records"

/* ---- 7.8 student-records ---------------------------------------------------------------- */

typedef struct history_world {
    world a;              /* class A: teacher, st[0] (the subject), st[1] */
    user tb;              /* teacher of class B */
    klass b;
    long long a_future, a_today, a_m6, a_m7, a_m29, a_m30, b_today, b_m40;
} history_world;

static void make_history(history_world *h)
{
    char d[11];
    make_world(&h->a, 2);
    new_user(&h->tb, "teacher", "Bea", "Bell");
    new_class(&h->tb, "Art", &h->b);
    join(&h->a.st[0], &h->b);
    user *t = &h->a.teacher;
    today_plus(1, d);
    h->a_future = new_session(t, &h->a.cls, "Future", d);
    h->a_today = new_session(t, &h->a.cls, "Today", NULL);
    today_plus(-6, d);
    h->a_m6 = new_session(t, &h->a.cls, "Minus 6", d);
    today_plus(-7, d);
    h->a_m7 = new_session(t, &h->a.cls, "Minus 7", d);
    today_plus(-29, d);
    h->a_m29 = new_session(t, &h->a.cls, "Minus 29", d);
    today_plus(-30, d);
    h->a_m30 = new_session(t, &h->a.cls, "Minus 30", d);
    h->b_today = new_session(&h->tb, &h->b, "Art today", NULL);
    today_plus(-40, d);
    h->b_m40 = new_session(&h->tb, &h->b, "Art old", d);
    user *s = &h->a.st[0];
    mark_ok(t, h->a_today, s, "present");
    mark_ok(t, h->a_m6, s, "late");
    mark_ok(t, h->a_m7, s, "absent");
    att_resp r = want_status(att_callf("POST", "/api/attendance/mark-attendance", t->token,
        "{\"session_id\": %lld, \"student_ids\": [%lld], \"recognition_method\": \"ai_face\","
        " \"confidence_scores\": {\"%lld\": 0.9}}", h->a_m29, s->id, s->id), 200);
    att_resp_free(&r);
    mark_ok(&h->tb, h->b_today, s, "late");
    mark_ok(t, h->a_today, &h->a.st[1], "absent");   /* someone else's record: not counted */
}

static void check_tally(const json_t *t, long long sessions, long long present, long long late,
                        long long absent, double rate)
{
    assert_int_equal(jint(t, "total_sessions"), sessions);
    assert_int_equal(jint(t, "present"), present);
    assert_int_equal(jint(t, "late"), late);
    assert_int_equal(jint(t, "absent"), absent);
    assert_int_equal(jint(t, "unmarked"), sessions - present - late - absent);
    assert_float_equal(jnum(t, "attendance_rate"), rate, 1e-9);
}

static void test_history_all(void **state)
{
    history_world h;
    make_history(&h);
    att_resp r = want_status(att_call("GET", HISTORY, h.a.st[0].token, NULL), 200);
    json_t *j = r.json;
    assert_int_equal(jint(j, "student_id"), h.a.st[0].id);
    assert_string_equal(att_str(j, "period"), "all");
    assert_true(json_is_null(json_object_get(j, "class_id")));
    assert_int_equal(jint(j, "total"), 8);
    json_t *recs = json_object_get(j, "records");
    long long want[] = {h.a_future, h.b_today, h.a_today, h.a_m6, h.a_m7, h.a_m29, h.a_m30,
                        h.b_m40};
    assert_int_equal(json_array_size(recs), 8);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(jint(json_array_get(recs, i), "session_id"), want[i]);
    const json_t *fut = json_array_get(recs, 0);
    static const char *nulls[] = {"status", "marked_at", "recognition_method",
                                  "recognition_confidence"};
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(json_object_get(fut, nulls[i]));
        assert_true(json_is_null(json_object_get(fut, nulls[i])));
    }
    assert_string_equal(att_str(fut, "session_name"), "Future");
    assert_string_equal(att_str(fut, "class_name"), "Math 101");
    assert_int_equal(jint(fut, "class_id"), h.a.cls.id);
    const json_t *m29 = json_array_get(recs, 5);
    assert_string_equal(att_str(m29, "status"), "present");
    assert_string_equal(att_str(m29, "recognition_method"), "ai_face");
    assert_float_equal(jnum(m29, "recognition_confidence"), 0.9, 1e-12);
    assert_true(is_timestamp(json_object_get(m29, "marked_at")));
    char d[11];
    today_plus(-29, d);
    assert_string_equal(att_str(m29, "session_date"), d);
    assert_string_equal(att_str(json_array_get(recs, 1), "class_name"), "Art");
    assert_string_equal(att_str(json_array_get(recs, 1), "status"), "late");

    check_tally(json_object_get(j, "statistics"), 8, 2, 2, 1, 50.0);
    json_t *classes = json_object_get(j, "classes");
    assert_int_equal(json_array_size(classes), 2);
    const json_t *ca = json_array_get(classes, 0), *cb = json_array_get(classes, 1);
    assert_int_equal(jint(ca, "class_id"), h.a.cls.id);
    assert_string_equal(att_str(ca, "class_name"), "Math 101");
    check_tally(ca, 6, 2, 1, 1, 50.0);
    assert_int_equal(jint(cb, "class_id"), h.b.id);
    check_tally(cb, 2, 0, 1, 0, 50.0);
    att_resp_free(&r);

    /* A page: the aggregates still cover everything. */
    r = want_status(att_call("GET", HISTORY "?limit=2&offset=2", h.a.st[0].token, NULL), 200);
    recs = json_object_get(r.json, "records");
    assert_int_equal(json_array_size(recs), 2);
    assert_int_equal(jint(json_array_get(recs, 0), "session_id"), h.a_today);
    assert_int_equal(jint(r.json, "total"), 8);
    check_tally(json_object_get(r.json, "statistics"), 8, 2, 2, 1, 50.0);
    att_resp_free(&r);
}

static void test_history_periods_and_class(void **state)
{
    history_world h;
    char p[160];
    make_history(&h);
    const char *tok = h.a.st[0].token;
    att_resp r = want_status(att_call("GET", HISTORY "?period=week", tok, NULL), 200);
    assert_string_equal(att_str(r.json, "period"), "week");
    assert_int_equal(jint(r.json, "total"), 4);   /* future, today (A and B), today-6 */
    check_tally(json_object_get(r.json, "statistics"), 4, 1, 2, 0, 75.0);
    att_resp_free(&r);
    r = want_status(att_call("GET", HISTORY "?period=month", tok, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 6);   /* ... today-7 and today-29 as well */
    check_tally(json_object_get(r.json, "statistics"), 6, 2, 2, 1, 66.67);
    check_tally(json_array_get(json_object_get(r.json, "classes"), 1), 1, 0, 1, 0, 100.0);
    att_resp_free(&r);

    r = want_status(att_call("GET", pathf(p, sizeof p, HISTORY "?class_id=%lld&period=all",
                                            h.b.id), tok, NULL), 200);
    assert_int_equal(jint(r.json, "class_id"), h.b.id);
    assert_int_equal(jint(r.json, "total"), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "classes")), 1);
    check_tally(json_object_get(r.json, "statistics"), 2, 0, 1, 0, 50.0);
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, HISTORY "?class_id=%lld&period=week",
                                            h.a.cls.id), tok, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 3);
    assert_int_equal(jint(json_array_get(json_object_get(r.json, "classes"), 0), "class_id"),
                     h.a.cls.id);
    att_resp_free(&r);

    /* Validation, in order, after the role. */
    want_error(att_call("GET", HISTORY "?class_id=abc", h.a.teacher.token, NULL), 403,
                 "Only students can view their attendance records");
    static const char *bad_class[] = {"abc", "", "1.5", "1e3", "0x10", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_class / sizeof *bad_class; i++)
        want_error(att_call("GET", pathf(p, sizeof p, HISTORY "?class_id=%s&period=year",
                                           bad_class[i]), tok, NULL), 400,
                     "class_id must be an integer");
    static const char *bad_period[] = {"year", "", "Week", "ALL", "month%20"};
    for (size_t i = 0; i < sizeof bad_period / sizeof *bad_period; i++)
        want_error(att_call("GET", pathf(p, sizeof p, HISTORY "?period=%s&limit=0",
                                           bad_period[i]), tok, NULL), 400,
                     "period must be one of: week, month, all");
    want_error(att_call("GET", HISTORY "?limit=1001", tok, NULL), 400,
                 "limit must be an integer between 1 and 1000");

    /* Classes outside the student's reach. */
    world other;
    make_world(&other, 0);
    want_error(att_call("GET", pathf(p, sizeof p, HISTORY "?class_id=%lld", other.cls.id), tok,
                          NULL), 404, "Class not found or access denied");
    want_error(att_call("GET", HISTORY "?class_id=999999999", tok, NULL), 404,
                 "Class not found or access denied");
    leave(&h.a.st[0], &h.b);
    want_error(att_call("GET", pathf(p, sizeof p, HISTORY "?class_id=%lld", h.b.id), tok,
                          NULL), 404, "Class not found or access denied");
    r = want_status(att_call("GET", HISTORY, tok, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 6);
    assert_int_equal(json_array_size(json_object_get(r.json, "classes")), 1);
    att_resp_free(&r);
    archive(&h.a.teacher, &h.a.cls);
    want_error(att_call("GET", pathf(p, sizeof p, HISTORY "?class_id=%lld", h.a.cls.id), tok,
                          NULL), 404, "Class not found or access denied");
    r = want_status(att_call("GET", HISTORY, tok, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "records")), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "classes")), 0);
    check_tally(json_object_get(r.json, "statistics"), 0, 0, 0, 0, 0.0);
    att_resp_free(&r);
}

/* ---- 7.9 class report ------------------------------------------------------------------- */

typedef struct report_world {
    user teacher;
    klass cls;
    user s[4];   /* s[3] leaves */
} report_world;

static void make_report(report_world *rw)
{
    new_user(&rw->teacher, "teacher", "Tom", "Hart");
    new_class(&rw->teacher, "Chem, \"Lab\"", &rw->cls);
    new_user(&rw->s[0], "student", "Ann", "Lee");
    new_user(&rw->s[1], "student", "=cmd", "Smith, \"Jr\"");
    new_user_email(&rw->s[2], "student", "-Cy", "Diaz", "+plus");
    new_user(&rw->s[3], "student", "Gone", "Away");
    for (int i = 0; i < 4; i++)
        join(&rw->s[i], &rw->cls);
    long long s1 = new_session(&rw->teacher, &rw->cls, "One", "2024-01-01");
    long long s2 = new_session(&rw->teacher, &rw->cls, "Two", "2024-01-02");
    long long s3 = new_session(&rw->teacher, &rw->cls, "Three", "2024-01-03");
    user *t = &rw->teacher;
    mark_ok(t, s1, &rw->s[0], "present");
    mark_ok(t, s2, &rw->s[0], "late");
    mark_ok(t, s1, &rw->s[1], "absent");
    mark_ok(t, s2, &rw->s[1], "absent");
    mark_ok(t, s3, &rw->s[1], "present");
    mark_ok(t, s3, &rw->s[3], "present");
    leave(&rw->s[3], &rw->cls);
}

/* Splits a CSV body at CRLF into at most max lines (modifies body). */
static size_t csv_lines(char *body, char **lines, size_t max)
{
    size_t n = 0;
    char *p = body;
    while (*p && n < max) {
        char *e = strstr(p, "\r\n");
        assert_non_null(e);   /* every line, the last included, ends with CRLF */
        *e = '\0';
        lines[n++] = p;
        p = e + 2;
    }
    return n;
}

static void test_report(void **state)
{
    report_world rw;
    char p[128], pp[192];
    make_report(&rw);
    const char *path = pathf(p, sizeof p, "/api/attendance/class/%lld/report", rw.cls.id);
    att_resp r = want_status(att_call("GET", path, rw.teacher.token, NULL), 200);
    json_t *j = r.json;
    assert_int_equal(jint(j, "class_id"), rw.cls.id);
    assert_string_equal(att_str(j, "class_name"), "Chem, \"Lab\"");
    assert_int_equal(jint(j, "total_sessions"), 3);
    assert_int_equal(jint(j, "total"), 3);
    json_t *st = json_object_get(j, "students");
    assert_int_equal(json_array_size(st), 3);
    static const long long counts[3][3] = {{1, 1, 0}, {1, 0, 2}, {0, 0, 0}};
    static const double rates[3] = {66.67, 33.33, 0.0};
    for (size_t i = 0; i < 3; i++) {
        const json_t *row = json_array_get(st, i);
        assert_int_equal(jint(row, "student_id"), rw.s[i].id);
        assert_string_equal(att_str(row, "name"), rw.s[i].name);
        assert_string_equal(att_str(row, "email"), rw.s[i].email);
        assert_int_equal(jint(row, "present"), counts[i][0]);
        assert_int_equal(jint(row, "late"), counts[i][1]);
        assert_int_equal(jint(row, "absent"), counts[i][2]);
        assert_int_equal(jint(row, "total_sessions"), 3);
        assert_float_equal(jnum(row, "attendance_rate"), rates[i], 1e-9);
    }

    /* The CSV: headers, exact rows, escaping, and the same numbers as the JSON. */
    att_resp c = want_status(att_call("GET", pathf(pp, sizeof pp, "%s?format=csv&limit=1", path),
                                        rw.teacher.token, NULL), 200);
    assert_string_equal(c.content_type, "text/csv; charset=utf-8");
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"class-%lld-report.csv\"", rw.cls.id);
    assert_string_equal(c.disposition, disp);
    char *lines[8];
    size_t n = csv_lines(c.body, lines, 8);
    assert_int_equal(n, 4);
    assert_string_equal(lines[0],
                        "student_id,name,email,present,late,absent,total_sessions,attendance_rate");
    char want[512];
    snprintf(want, sizeof want, "%lld,Ann Lee,%s,1,1,0,3,", rw.s[0].id, rw.s[0].email);
    assert_memory_equal(lines[1], want, strlen(want));
    snprintf(want, sizeof want, "%lld,\"'=cmd Smith, \"\"Jr\"\"\",%s,1,0,2,3,", rw.s[1].id,
             rw.s[1].email);
    assert_memory_equal(lines[2], want, strlen(want));
    assert_true(rw.s[2].email[0] == '+');
    snprintf(want, sizeof want, "%lld,'-Cy Diaz,'%s,0,0,0,3,", rw.s[2].id, rw.s[2].email);
    assert_memory_equal(lines[3], want, strlen(want));
    for (size_t i = 0; i < 3; i++) {
        const char *rate = strrchr(lines[i + 1], ',') + 1;
        char *end;
        double v = strtod(rate, &end);
        assert_true(*rate && *end == '\0');
        assert_float_equal(v, jnum(json_array_get(st, i), "attendance_rate"), 1e-9);
    }
    att_resp_free(&c);
    att_resp_free(&r);

    /* HEAD: the same status and headers, no body. */
    c = want_status(att_call("HEAD", pathf(pp, sizeof pp, "%s?format=csv", path),
                             rw.teacher.token, NULL), 200);
    assert_string_equal(c.content_type, "text/csv; charset=utf-8");
    assert_string_equal(c.disposition, disp);
    assert_int_equal(c.len, 0);
    att_resp_free(&c);

    /* JSON pagination. */
    r = want_status(att_call("GET", pathf(pp, sizeof pp, "%s?format=json&limit=1&offset=1",
                                            path), rw.teacher.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 3);
    assert_int_equal(json_array_size(json_object_get(r.json, "students")), 1);
    assert_int_equal(jint(json_array_get(json_object_get(r.json, "students"), 0), "student_id"),
                     rw.s[1].id);
    att_resp_free(&r);
}

static void test_report_checks(void **state)
{
    report_world rw;
    world other, empty;
    char p[128], pp[192];
    make_report(&rw);
    make_world(&other, 0);
    make_world(&empty, 1);
    const char *path = pathf(p, sizeof p, "/api/attendance/class/%lld/report", rw.cls.id);
    const char *tok = rw.teacher.token;

    want_error(att_call("GET", pathf(pp, sizeof pp, "%s?format=xml", path), rw.s[0].token,
                          NULL), 403, "Only teachers can view class reports");
    static const char *bad[] = {"xml", "CSV", "", "json%20"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        want_error(att_call("GET", pathf(pp, sizeof pp, "%s?format=%s&limit=0", path, bad[i]),
                              tok, NULL), 400, "format must be one of: json, csv");
    want_error(att_call("GET", pathf(pp, sizeof pp, "%s?limit=0", path), tok, NULL), 400,
                 "limit must be an integer between 1 and 1000");
    want_error(att_call("GET", path, other.teacher.token, NULL), 404,
                 "Class not found or access denied");
    want_error(att_call("GET", pathf(pp, sizeof pp, "%s?format=csv", path), other.teacher.token,
                          NULL), 404, "Class not found or access denied");
    want_error(att_call("GET", "/api/attendance/class/999999999/report", tok, NULL), 404,
                 "Class not found or access denied");

    /* A class without sessions: rates are 0. */
    att_resp r = want_status(att_call("GET", pathf(pp, sizeof pp,
                                                     "/api/attendance/class/%lld/report",
                                                     empty.cls.id), empty.teacher.token, NULL), 200);
    assert_int_equal(jint(r.json, "total_sessions"), 0);
    assert_float_equal(jnum(json_array_get(json_object_get(r.json, "students"), 0),
                            "attendance_rate"), 0.0, 1e-12);
    att_resp_free(&r);

    archive(&rw.teacher, &rw.cls);
    want_error(att_call("GET", path, tok, NULL), 404, "Class not found or access denied");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_all),
        cmocka_unit_test(test_history_periods_and_class),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_report_checks),
    };
    return ATT_RUN_GROUP(argc, argv, tests);
}
