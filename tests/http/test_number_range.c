/* Numbers outside the signed 64-bit range in request bodies (API.md §1.3): an integer
 * field answers its usual "must be an integer" text, a number field its range check, and
 * nothing is written. Run once per database backend (argv[1]). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "att_fixture.h"
#include "fixture.h"

/* 2^64, -2^63-1, reals beyond double, 2^63. */
static const char *const HUGE_NUMBERS[] = {
    "18446744073709551616", "-9223372036854775809", "1e400", "-1E+400",
    "9223372036854775808",
};

static void each_huge(const user *t, const char *path, const char *fmt, const char *msg)
{
    for (size_t i = 0; i < sizeof HUGE_NUMBERS / sizeof *HUGE_NUMBERS; i++) {
        char body[1024];
        snprintf(body, sizeof body, fmt, HUGE_NUMBERS[i]);
        want_error(att_call("POST", path, t->token, body), 400, msg);
    }
}

static int64_t rows(const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    return fx_query_int(sql);
}

static void test_create_session(void **state)
{
    world w;
    make_world(&w, 1);
    int64_t before = rows("attendance_sessions");
    each_huge(&w.teacher, "/api/attendance/create-session",
              "{\"class_id\": %s, \"session_name\": \"S\"}", "class_id must be an integer");
    /* the same text as for any other non-integer */
    want_error(att_call("POST", "/api/attendance/create-session", w.teacher.token,
                        "{\"class_id\": 1.5, \"session_name\": \"S\"}"), 400,
               "class_id must be an integer");
    assert_int_equal(rows("attendance_sessions"), before);
    /* an in-range integer still works, next to an out-of-range number elsewhere */
    char body[256];
    snprintf(body, sizeof body, "{\"class_id\": %lld, \"session_name\": \"S\", \"x\": 1e400}",
             w.cls.id);
    att_resp r = want_status(att_call("POST", "/api/attendance/create-session",
                                      w.teacher.token, body), 201);
    att_resp_free(&r);
    assert_int_equal(rows("attendance_sessions"), before + 1);
}

static void test_mark_attendance(void **state)
{
    world w;
    char fmt[256];
    make_world(&w, 1);
    long long sid = new_session(&w.teacher, &w.cls, "Lecture", NULL);
    int64_t before = rows("attendance_records");
    const char *mark = "/api/attendance/mark-attendance";
    snprintf(fmt, sizeof fmt, "{\"session_id\": %%s, \"student_ids\": [%lld]}", w.st[0].id);
    each_huge(&w.teacher, mark, fmt, "session_id must be an integer");
    snprintf(fmt, sizeof fmt, "{\"session_id\": %lld, \"student_ids\": [%lld, %%s]}", sid,
             w.st[0].id);
    each_huge(&w.teacher, mark, fmt, "student_ids must contain only integers");
    snprintf(fmt, sizeof fmt, "{\"session_id\": %lld, \"student_ids\": [%lld], "
                              "\"confidence_scores\": {\"%lld\": %%s}}", sid, w.st[0].id,
             w.st[0].id);
    each_huge(&w.teacher, mark, fmt, "Confidence scores must be numbers between 0 and 1");
    assert_int_equal(rows("attendance_records"), before);
}

/* The face routes check their fields before any image work (API.md §5.6, §6.12, §7.7).
 * Each body template takes the class id, then the number under test. */
static void test_face_routes(void **state)
{
    static const struct { const char *path, *body, *msg; } cases[] = {
        {"/api/attendance/recognize-faces", "{\"images\": [\"aGVsbG8=\"], \"x\": %lld, \"class_id\": %%s}",
         "class_id must be an integer"},
        {"/api/attendance/recognize-faces",
         "{\"class_id\": %lld, \"images\": [\"aGVsbG8=\"], \"session_id\": %%s}",
         "session_id must be an integer"},
        {"/api/attendance/recognize-faces",
         "{\"class_id\": %lld, \"images\": [\"aGVsbG8=\"], \"tolerance\": %%s}",
         "Tolerance must be greater than 0 and at most 1"},
        {"/api/face-data/recognize-from-photo", "{\"image\": \"aGVsbG8=\", \"x\": %lld, \"class_id\": %%s}",
         "class_id must be an integer"},
        {"/api/face-data/recognize-from-photo",
         "{\"image\": \"aGVsbG8=\", \"class_id\": %lld, \"recognition_threshold\": %%s}",
         "Recognition threshold must be between 0.4 and 0.9"},
        {"/api/face-data/recognize-from-photo",
         "{\"image\": \"aGVsbG8=\", \"class_id\": %lld, \"max_faces\": %%s}",
         "max_faces must be a positive integer"},
    };
    world w;
    char fmt[256];
    make_world(&w, 1);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(fmt, sizeof fmt, cases[i].body, w.cls.id);
        each_huge(&w.teacher, cases[i].path, fmt, cases[i].msg);
    }
    assert_int_equal(rows("attendance_records"), 0);
}

/* Out-of-range numbers do not hide real syntax errors. */
static void test_still_invalid_json(void **state)
{
    world w;
    make_world(&w, 0);
    static const char *bad[] = {
        "{\"class_id\": 18446744073709551616,}",
        "{\"class_id\": 18446744073709551616",
        "{\"class_id\": 1e400 1}",
        "{\"class_id\": 018446744073709551616}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        want_error(att_call("POST", "/api/attendance/create-session", w.teacher.token, bad[i]),
                   400, "Invalid JSON body");
    want_error(att_call("POST", "/api/attendance/create-session", w.teacher.token,
                        "18446744073709551616"), 400, "Request body must be a JSON object");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_session),
        cmocka_unit_test(test_mark_attendance),
        cmocka_unit_test(test_face_routes),
        cmocka_unit_test(test_still_invalid_json),
    };
    return ATT_RUN_GROUP(argc, argv, tests);
}
