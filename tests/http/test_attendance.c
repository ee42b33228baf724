/* HTTP tests of attendance sessions and records (API.md §7.1-7.6, §7.10) against a real
 * `attendly serve`, run once per database backend (argv[1]). Every test builds its own
 * users and classes through the public API. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "att_fixture.h"

#define CREATE "/api/attendance/create-session"
#define MARK "/api/attendance/mark-attendance"

/* ---- 7.1 create-session ---------------------------------------------------------------- */

static void test_create_session(void **state)
{
    world w;
    char today[11], p[128];
    make_world(&w, 2);
    json_t *body = json_pack("{s:I, s:s}", "class_id", (json_int_t)w.cls.id,
                             "session_name", "  Morning Lecture \t");
    att_resp r = want_status(att_call_json("POST", CREATE, w.teacher.token, body), 201);
    json_decref(body);
    assert_string_equal(att_str(r.json, "message"), "Attendance session created successfully");
    json_t *s = json_object_get(r.json, "session");
    check_session_shape(s);
    today_plus(0, today);
    assert_string_equal(att_str(s, "session_date"), today);
    assert_string_equal(att_str(s, "session_name"), "Morning Lecture");
    assert_string_equal(att_str(s, "class_name"), "Math 101");
    assert_string_equal(att_str(s, "creator_name"), "Tom Hart");
    assert_int_equal(jint(s, "class_id"), w.cls.id);
    assert_int_equal(jint(s, "created_by"), w.teacher.id);
    assert_int_equal(jint(s, "total_students"), 2);
    assert_int_equal(jint(s, "attendance_count"), 0);
    long long first = jint(s, "id");
    att_resp_free(&r);

    /* An explicit date (leap day), several sessions on one date, 200 multi-byte characters. */
    char name[200 * 2 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(name, "\xc3\xa9");
    r = want_status(att_callf("POST", CREATE, w.teacher.token,
                                "{\"class_id\": %lld, \"session_name\": \"%s\","
                                " \"session_date\": \"2024-02-29\"}", w.cls.id, name), 201);
    s = json_object_get(r.json, "session");
    assert_string_equal(att_str(s, "session_date"), "2024-02-29");
    assert_string_equal(att_str(s, "session_name"), name);
    assert_true(jint(s, "id") > first);
    att_resp_free(&r);
    r = want_status(att_callf("POST", CREATE, w.teacher.token,
                                "{\"class_id\": %lld, \"session_name\": \"Again\","
                                " \"session_date\": null}", w.cls.id), 201);
    assert_string_equal(att_str(json_object_get(r.json, "session"), "session_date"), today);
    att_resp_free(&r);

    /* A student who left is not counted by a new session. */
    leave(&w.st[1], &w.cls);
    long long id = new_session(&w.teacher, &w.cls, "After leave", NULL);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records",
                                            id), w.teacher.token, NULL), 200);
    assert_int_equal(jint(json_object_get(r.json, "session"), "total_students"), 1);
    att_resp_free(&r);
}

static void test_create_session_validation(void **state)
{
    world w, other;
    make_world(&w, 1);
    make_world(&other, 0);
    const char *tok = w.teacher.token;
    long long cid = w.cls.id;

    want_error(att_callf("POST", CREATE, w.st[0].token, "not json"), 403,
                 "Only teachers can create attendance sessions");
    want_error(att_call("POST", CREATE, tok, "{\"class_id\": "), 400, "Invalid JSON body");
    want_error(att_call("POST", CREATE, tok, "[1]"), 400, "Request body must be a JSON object");
    want_error(att_call("POST", CREATE, tok, "{}"), 400, "Class ID is required");
    want_error(att_call("POST", CREATE, tok, NULL), 400, "Class ID is required");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": null, \"session_name\": 5}"),
                 400, "Class ID is required");
    static const char *bad_ids[] = {"\"1\"", "1.5", "1e3", "true", "[1]"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++)
        want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %s}", bad_ids[i]), 400,
                     "class_id must be an integer");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld}", cid), 400,
                 "Session name is required");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": null}",
                           cid), 400, "Session name is required");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": \" \\n\"}",
                           cid), 400, "Session name is required");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": 5,"
                           " \"session_date\": \"bad\"}", cid), 400,
                 "session_name must be a string");
    char longname[202];
    memset(longname, 'x', 201);
    longname[201] = '\0';
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": \"%s\"}",
                           cid, longname), 400, "session_name must be at most 200 characters");
    want_error(att_callf("POST", CREATE, tok,
                         "{\"class_id\": %lld, \"session_name\": \"a\\u0000b\"}", cid),
               400, "session_name contains invalid characters");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": \"L\","
                           " \"session_date\": 20240101}", cid), 400,
                 "session_date must be a string");
    static const char *bad_dates[] = {"2024-3-5", "2024-02-30", "", "2023-02-29", "2024-13-01",
                                      "2024-01-01T00:00:00Z", " 2024-01-01", "2024/01/01",
                                      "2024-01-00", "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad_dates / sizeof *bad_dates; i++)
        want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": \"L\","
                               " \"session_date\": \"%s\"}", cid, bad_dates[i]), 400,
                     "Invalid date format. Use YYYY-MM-DD");
    /* Field checks come before the lookup. */
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": 999999999, \"session_name\": \"L\","
                           " \"session_date\": \"2024-02-30\"}"), 400,
                 "Invalid date format. Use YYYY-MM-DD");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": 999999999, \"session_name\": \"L\"}"),
                 404, "Class not found or access denied");
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": \"L\"}",
                           other.cls.id), 404, "Class not found or access denied");
    archive(&w.teacher, &w.cls);
    want_error(att_callf("POST", CREATE, tok, "{\"class_id\": %lld, \"session_name\": \"L\"}",
                           cid), 404, "Class not found or access denied");
}

/* ---- 7.2 mark-attendance ---------------------------------------------------------------- */

static const json_t *find_by_student(const json_t *arr, long long id)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
        if (json_integer_value(json_object_get(v, "student_id")) == id)
            return v;
    return NULL;
}

static void test_mark_attendance(void **state)
{
    world w;
    user outsider;
    make_world(&w, 4);
    new_user(&outsider, "student", "Out", "Sider");
    long long sid = new_session(&w.teacher, &w.cls, "Morning Lecture", "2024-03-15");
    user *a = &w.st[0], *b = &w.st[1], *c = &w.st[2], *d = &w.st[3];
    mark_ok(&w.teacher, sid, b, "absent");
    mark_ok(&w.teacher, sid, c, "late");

    /* a: new; b: absent -> present; c: late -> present; repeated a; outsider and a
     * nonexistent id invalid; confidence keys of students not requested are ignored. */
    att_resp r = want_status(att_callf("POST", MARK, w.teacher.token,
        "{\"session_id\": %lld, \"student_ids\": [%lld, %lld, %lld, %lld, %lld, 999999999, %lld],"
        " \"status\": \"present\", \"recognition_method\": \"hybrid\","
        " \"confidence_scores\": {\"%lld\": 0.912345, \"%lld\": 1, \"888888\": \"junk\","
        " \"%lld\": 0.5}}",
        sid, a->id, b->id, c->id, a->id, outsider.id, a->id, a->id, b->id, d->id), 200);
    json_t *j = r.json;
    assert_string_equal(att_str(j, "message"), "Attendance marked for 3 students");
    assert_int_equal(jint(j, "session_id"), sid);
    assert_string_equal(att_str(j, "session_name"), "Morning Lecture");
    json_t *marked = json_object_get(j, "marked_students");
    json_t *updated = json_object_get(j, "updated_students");
    assert_int_equal(json_array_size(marked), 1);
    assert_int_equal(json_array_size(updated), 2);
    assert_int_equal(json_array_size(json_object_get(j, "already_marked")), 0);
    const json_t *m = json_array_get(marked, 0);
    assert_int_equal(jint(m, "student_id"), a->id);
    assert_string_equal(att_str(m, "student_name"), "Ann Lee");
    assert_string_equal(att_str(m, "status"), "present");
    assert_string_equal(att_str(m, "recognition_method"), "hybrid");
    assert_float_equal(jnum(m, "confidence"), 0.9123, 1e-12);
    /* Request order is kept. */
    assert_int_equal(jint(json_array_get(updated, 0), "student_id"), b->id);
    const json_t *u = find_by_student(updated, b->id);
    assert_string_equal(att_str(u, "previous_status"), "absent");
    assert_string_equal(att_str(u, "status"), "present");
    assert_string_equal(att_str(u, "student_name"), "Bo Chen");
    assert_float_equal(jnum(u, "confidence"), 1.0, 1e-12);
    u = find_by_student(updated, c->id);
    assert_string_equal(att_str(u, "previous_status"), "late");
    assert_true(json_is_null(json_object_get(u, "confidence")));
    json_t *inv = json_object_get(j, "invalid_students");
    assert_int_equal(json_array_size(inv), 2);
    assert_int_equal(json_integer_value(json_array_get(inv, 0)), outsider.id);
    assert_int_equal(json_integer_value(json_array_get(inv, 1)), 999999999);
    json_t *sum = json_object_get(j, "summary");
    assert_int_equal(jint(sum, "total_requested"), 5);
    assert_int_equal(jint(sum, "newly_marked"), 1);
    assert_int_equal(jint(sum, "updated"), 2);
    assert_int_equal(jint(sum, "already_marked"), 0);
    assert_int_equal(jint(sum, "invalid"), 1 + 1);
    check_stats(json_object_get(j, "session_stats"), 4, 3, 0, 0, 75.0);
    att_resp_free(&r);

    /* Same status again: already marked, unchanged (method and confidence kept). */
    r = want_status(att_callf("POST", MARK, w.teacher.token,
                                "{\"session_id\": %lld, \"student_ids\": [%lld],"
                                " \"status\": \"present\"}", sid, a->id), 200);
    assert_string_equal(att_str(r.json, "message"), "Attendance marked for 0 students");
    const json_t *al = json_array_get(json_object_get(r.json, "already_marked"), 0);
    assert_int_equal(jint(al, "student_id"), a->id);
    assert_string_equal(att_str(al, "student_name"), "Ann Lee");
    assert_string_equal(att_str(al, "status"), "present");
    assert_int_equal(json_object_size(al), 3);
    att_resp_free(&r);

    /* Defaults: status present, method manual; late and absent are counted. */
    mark_ok(&w.teacher, sid, d, "late");
    r = want_status(att_callf("POST", MARK, w.teacher.token,
                                "{\"session_id\": %lld, \"student_ids\": [%lld]}", sid, d->id), 200);
    u = json_array_get(json_object_get(r.json, "updated_students"), 0);
    assert_string_equal(att_str(u, "status"), "present");
    assert_string_equal(att_str(u, "recognition_method"), "manual");
    check_stats(json_object_get(r.json, "session_stats"), 4, 4, 0, 0, 100.0);
    att_resp_free(&r);
    mark_ok(&w.teacher, sid, c, "absent");
    r = want_status(mark(&w.teacher, sid, b, "late"), 200);
    check_stats(json_object_get(r.json, "session_stats"), 4, 2, 1, 1, 75.0);
    att_resp_free(&r);

    /* The record list reflects method and rounded confidence. */
    char p[128];
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records",
                                            sid), w.teacher.token, NULL), 200);
    const json_t *rec = find_by_student(json_object_get(r.json, "attendance_records"), a->id);
    check_record_shape(rec);
    assert_string_equal(att_str(rec, "recognition_method"), "hybrid");
    assert_float_equal(jnum(rec, "recognition_confidence"), 0.9123, 1e-12);
    assert_int_equal(jint(rec, "marked_by"), w.teacher.id);
    assert_string_equal(att_str(rec, "marker_name"), "Tom Hart");
    att_resp_free(&r);
}

static void test_mark_validation(void **state)
{
    world w, other;
    make_world(&w, 1);
    make_world(&other, 1);
    const char *tok = w.teacher.token;
    long long sid = new_session(&w.teacher, &w.cls, "S", NULL);
    long long osid = new_session(&other.teacher, &other.cls, "S", NULL);
    long long st = w.st[0].id;

    want_error(att_call("POST", MARK, w.st[0].token, "{"), 403, "Only teachers can mark attendance");
    want_error(att_call("POST", MARK, tok, "{"), 400, "Invalid JSON body");
    want_error(att_call("POST", MARK, tok, "{}"), 400, "Session ID is required");
    want_error(att_call("POST", MARK, tok, "{\"session_id\": null, \"student_ids\": 3}"), 400,
                 "Session ID is required");
    want_error(att_call("POST", MARK, tok, "{\"session_id\": \"12\"}"), 400,
                 "session_id must be an integer");
    want_error(att_call("POST", MARK, tok, "{\"session_id\": 1.0}"), 400,
                 "session_id must be an integer");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld}", sid), 400,
                 "Student IDs array is required");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": null}", sid),
                 400, "Student IDs array is required");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": []}", sid),
                 400, "Student IDs array is required");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": \"7\"}", sid),
                 400, "student_ids must be an array");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": {}}", sid),
                 400, "student_ids must be an array");
    static const char *bad_items[] = {"[1, \"2\"]", "[1.5]", "[null]", "[true]", "[[1]]", "[2e1]"};
    for (size_t i = 0; i < sizeof bad_items / sizeof *bad_items; i++)
        want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": %s}",
                               sid, bad_items[i]), 400, "student_ids must contain only integers");
    /* 1001 items: too many; 1000 distinct unknown ids are fine (all invalid). */
    char *big = malloc(16 * 1001 + 64);
    size_t off = (size_t)sprintf(big, "{\"session_id\": %lld, \"student_ids\": [", sid);
    for (int i = 0; i < 1000; i++)
        off += (size_t)sprintf(big + off, "%s%d", i ? "," : "", 900000000 + i);
    strcpy(big + off, "]}");
    att_resp r = want_status(att_call("POST", MARK, tok, big), 200);
    assert_int_equal(jint(json_object_get(r.json, "summary"), "invalid"), 1000);
    att_resp_free(&r);
    strcpy(big + off, ",5]}");
    want_error(att_call("POST", MARK, tok, big), 400,
                 "student_ids must contain at most 1000 items");
    free(big);

    static const char *bad_status[] = {"\"Present\"", "\"excused\"", "\"\"", "1", "true", "[]",
                                       "\"present \""};
    for (size_t i = 0; i < sizeof bad_status / sizeof *bad_status; i++)
        want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": [%lld],"
                               " \"status\": %s, \"recognition_method\": 5}", sid, st,
                               bad_status[i]), 400, "Status must be one of: present, absent, late");
    static const char *bad_method[] = {"\"AI_FACE\"", "\"face\"", "5", "{}", "false"};
    for (size_t i = 0; i < sizeof bad_method / sizeof *bad_method; i++)
        want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": [%lld],"
                               " \"status\": \"late\", \"recognition_method\": %s,"
                               " \"confidence_scores\": 3}", sid, st, bad_method[i]), 400,
                     "Recognition method must be one of: manual, ai_face, hybrid");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": [%lld],"
                           " \"confidence_scores\": [0.5]}", sid, st), 400,
                 "confidence_scores must be an object");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": [%lld],"
                           " \"confidence_scores\": \"x\"}", sid, st), 400,
                 "confidence_scores must be an object");
    static const char *bad_conf[] = {"1.5", "-0.1", "\"0.5\"", "true", "null", "[0.5]", "1.0001"};
    for (size_t i = 0; i < sizeof bad_conf / sizeof *bad_conf; i++)
        want_error(att_callf("POST", MARK, tok, "{\"session_id\": 999999999, \"student_ids\": [%lld],"
                               " \"confidence_scores\": {\"%lld\": %s}}", st, st, bad_conf[i]), 400,
                     "Confidence scores must be numbers between 0 and 1");
    /* Bounds are inclusive; keys of other students are ignored whatever their value. */
    r = want_status(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": [%lld],"
                                " \"confidence_scores\": {\"%lld\": 0, \"123456789\": 7}}",
                                sid, st, st), 200);
    assert_float_equal(jnum(json_array_get(json_object_get(r.json, "marked_students"), 0),
                            "confidence"), 0.0, 1e-12);
    att_resp_free(&r);
    /* Lookups: missing session, another teacher's, archived class. */
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": 999999999, \"student_ids\": [1]}"),
                 404, "Session not found or access denied");
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": [%lld]}",
                           osid, other.st[0].id), 404, "Session not found or access denied");
    archive(&w.teacher, &w.cls);
    want_error(att_callf("POST", MARK, tok, "{\"session_id\": %lld, \"student_ids\": [%lld]}",
                           sid, st), 404, "Session not found or access denied");
}

/* ---- total_students (§2 Session) -------------------------------------------------------- */

static void test_total_students(void **state)
{
    world w;
    user late_joiner;
    char p[128];
    make_world(&w, 3);
    long long sid = new_session(&w.teacher, &w.cls, "S", NULL);
    mark_ok(&w.teacher, sid, &w.st[0], "present");
    /* st[0] (with a record) and st[2] (without) leave; a new student joins. */
    leave(&w.st[0], &w.cls);
    leave(&w.st[2], &w.cls);
    new_user(&late_joiner, "student", "Late", "Joiner");
    join(&late_joiner, &w.cls);
    att_resp r = want_status(mark(&w.teacher, sid, &w.st[1], "late"), 200);
    /* active {st1, late} ∪ recorded {st0, st1} = 3 */
    check_stats(json_object_get(r.json, "session_stats"), 3, 1, 1, 0, 66.67);
    att_resp_free(&r);
    /* A student who left cannot be marked any more. */
    r = want_status(mark(&w.teacher, sid, &w.st[2], "present"), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "invalid_students")), 1);
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/sessions/%lld",
                                            w.cls.id), w.teacher.token, NULL), 200);
    const json_t *s = json_array_get(json_object_get(r.json, "sessions"), 0);
    check_session_shape(s);
    assert_int_equal(jint(s, "total_students"), 3);
    assert_int_equal(jint(s, "attendance_count"), 2);
    att_resp_free(&r);
}

/* ---- 7.3 sessions of a class ------------------------------------------------------------ */

static void test_sessions_list(void **state)
{
    world w, other;
    user outsider;
    char p[128];
    make_world(&w, 2);
    make_world(&other, 0);
    new_user(&outsider, "student", "Out", "Sider");
    long long s1 = new_session(&w.teacher, &w.cls, "Old", "2024-01-10");
    long long s2 = new_session(&w.teacher, &w.cls, "New A", "2024-05-01");
    long long s3 = new_session(&w.teacher, &w.cls, "New B", "2024-05-01");
    long long s4 = new_session(&w.teacher, &w.cls, "Middle", "2024-03-01");
    mark_ok(&w.teacher, s2, &w.st[0], "late");
    const char *path = pathf(p, sizeof p, "/api/attendance/sessions/%lld", w.cls.id);

    att_resp r = want_status(att_call("GET", path, w.teacher.token, NULL), 200);
    assert_int_equal(jint(r.json, "class_id"), w.cls.id);
    assert_string_equal(att_str(r.json, "class_name"), "Math 101");
    assert_int_equal(jint(r.json, "total"), 4);
    json_t *list = json_object_get(r.json, "sessions");
    long long want[] = {s3, s2, s4, s1};
    assert_int_equal(json_array_size(list), 4);
    for (size_t i = 0; i < 4; i++) {
        check_session_shape(json_array_get(list, i));
        assert_int_equal(jint(json_array_get(list, i), "id"), want[i]);
        assert_null(json_object_get(json_array_get(list, i), "my_attendance"));
    }
    assert_int_equal(jint(json_array_get(list, 1), "late_count"), 1);
    att_resp_free(&r);

    /* Pagination: the page changes, total does not. */
    char pp[160];
    r = want_status(att_call("GET", pathf(pp, sizeof pp, "%s?limit=2&offset=1", path),
                               w.teacher.token, NULL), 200);
    list = json_object_get(r.json, "sessions");
    assert_int_equal(jint(r.json, "total"), 4);
    assert_int_equal(json_array_size(list), 2);
    assert_int_equal(jint(json_array_get(list, 0), "id"), s2);
    assert_int_equal(jint(json_array_get(list, 1), "id"), s4);
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(pp, sizeof pp, "%s?offset=10", path),
                               w.teacher.token, NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "sessions")), 0);
    assert_int_equal(jint(r.json, "total"), 4);
    att_resp_free(&r);
    want_error(att_call("GET", pathf(pp, sizeof pp, "%s?limit=0", path), w.teacher.token, NULL),
                 400, "limit must be an integer between 1 and 1000");
    want_error(att_call("GET", pathf(pp, sizeof pp, "%s?offset=-1", path), w.teacher.token,
                          NULL), 400, "offset must be a non-negative integer");

    /* A student sees my_attendance: their Record or null. */
    r = want_status(att_call("GET", path, w.st[0].token, NULL), 200);
    list = json_object_get(r.json, "sessions");
    assert_int_equal(json_array_size(list), 4);
    for (size_t i = 0; i < 4; i++) {
        const json_t *mine = json_object_get(json_array_get(list, i), "my_attendance");
        assert_non_null(mine);
        if (want[i] == s2) {
            check_record_shape(mine);
            assert_int_equal(jint(mine, "student_id"), w.st[0].id);
            assert_string_equal(att_str(mine, "status"), "late");
        } else {
            assert_true(json_is_null(mine));
        }
    }
    att_resp_free(&r);
    r = want_status(att_call("GET", path, w.st[1].token, NULL), 200);
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(r.json, "sessions"), 1),
                                             "my_attendance")));
    att_resp_free(&r);

    /* No access: another teacher, a non-member, a missing class; then leave and archive. */
    want_error(att_call("GET", path, other.teacher.token, NULL), 404,
                 "Class not found or access denied");
    want_error(att_call("GET", path, outsider.token, NULL), 404,
                 "Class not found or access denied");
    want_error(att_call("GET", "/api/attendance/sessions/999999999", w.teacher.token, NULL),
                 404, "Class not found or access denied");
    leave(&w.st[1], &w.cls);
    want_error(att_call("GET", path, w.st[1].token, NULL), 404,
                 "Class not found or access denied");
    join(&w.st[1], &w.cls);
    r = want_status(att_call("GET", path, w.st[1].token, NULL), 200);
    att_resp_free(&r);
    archive(&w.teacher, &w.cls);
    want_error(att_call("GET", path, w.teacher.token, NULL), 404,
                 "Class not found or access denied");
    want_error(att_call("GET", path, w.st[0].token, NULL), 404,
                 "Class not found or access denied");
}

/* ---- 7.4 records of a session ----------------------------------------------------------- */

static void test_session_records(void **state)
{
    world w, other;
    user outsider;
    char p[128], pp[160];
    make_world(&w, 4);
    make_world(&other, 0);
    new_user(&outsider, "student", "Out", "Sider");
    long long sid = new_session(&w.teacher, &w.cls, "S", "2024-04-01");
    /* Marked out of id order; records come back by student_id. */
    mark_ok(&w.teacher, sid, &w.st[2], "absent");
    mark_ok(&w.teacher, sid, &w.st[0], "present");
    mark_ok(&w.teacher, sid, &w.st[1], "late");
    const char *path = pathf(p, sizeof p, "/api/attendance/session/%lld/records", sid);

    att_resp r = want_status(att_call("GET", path, w.teacher.token, NULL), 200);
    check_session_shape(json_object_get(r.json, "session"));
    assert_int_equal(jint(json_object_get(r.json, "session"), "id"), sid);
    json_t *recs = json_object_get(r.json, "attendance_records");
    assert_int_equal(json_array_size(recs), 3);
    assert_int_equal(jint(r.json, "total"), 3);
    for (size_t i = 0; i < 3; i++) {
        check_record_shape(json_array_get(recs, i));
        assert_int_equal(jint(json_array_get(recs, i), "student_id"), w.st[i].id);
        assert_int_equal(jint(json_array_get(recs, i), "session_id"), sid);
    }
    assert_string_equal(att_str(json_array_get(recs, 1), "student_name"), "Bo Chen");
    json_t *st = json_object_get(r.json, "statistics");
    assert_int_equal(jint(st, "total_present"), 1);
    assert_int_equal(jint(st, "total_late"), 1);
    assert_int_equal(jint(st, "total_absent"), 1);
    assert_int_equal(jint(st, "total_enrolled"), 4);
    assert_float_equal(jnum(st, "attendance_rate"), 50.0, 1e-9);
    att_resp_free(&r);

    /* A page of the teacher's view; statistics still cover everything. */
    r = want_status(att_call("GET", pathf(pp, sizeof pp, "%s?limit=1&offset=1", path),
                               w.teacher.token, NULL), 200);
    recs = json_object_get(r.json, "attendance_records");
    assert_int_equal(json_array_size(recs), 1);
    assert_int_equal(jint(json_array_get(recs, 0), "student_id"), w.st[1].id);
    assert_int_equal(jint(r.json, "total"), 3);
    assert_int_equal(jint(json_object_get(r.json, "statistics"), "total_absent"), 1);
    att_resp_free(&r);
    want_error(att_call("GET", pathf(pp, sizeof pp, "%s?limit=abc", path), w.teacher.token,
                          NULL), 400, "limit must be an integer between 1 and 1000");

    /* Students: only their own record and statistics. */
    static const struct { int who; const char *status; double rate; } own[] = {
        {0, "present", 100.0}, {1, "late", 100.0}, {2, "absent", 0.0}};
    for (size_t i = 0; i < 3; i++) {
        r = want_status(att_call("GET", path, w.st[own[i].who].token, NULL), 200);
        recs = json_object_get(r.json, "attendance_records");
        assert_int_equal(json_array_size(recs), 1);
        assert_int_equal(jint(r.json, "total"), 1);
        assert_int_equal(jint(json_array_get(recs, 0), "student_id"), w.st[own[i].who].id);
        assert_string_equal(att_str(json_array_get(recs, 0), "status"), own[i].status);
        st = json_object_get(r.json, "statistics");
        assert_int_equal(jint(st, "total_present"), !strcmp(own[i].status, "present"));
        assert_int_equal(jint(st, "total_late"), !strcmp(own[i].status, "late"));
        assert_int_equal(jint(st, "total_absent"), !strcmp(own[i].status, "absent"));
        assert_int_equal(jint(st, "total_enrolled"), 4);
        assert_float_equal(jnum(st, "attendance_rate"), own[i].rate, 1e-9);
        att_resp_free(&r);
    }
    r = want_status(att_call("GET", path, w.st[3].token, NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "attendance_records")), 0);
    assert_int_equal(jint(r.json, "total"), 0);
    st = json_object_get(r.json, "statistics");
    assert_int_equal(jint(st, "total_present") + jint(st, "total_late") + jint(st, "total_absent"), 0);
    assert_float_equal(jnum(st, "attendance_rate"), 0.0, 1e-9);
    att_resp_free(&r);

    want_error(att_call("GET", path, other.teacher.token, NULL), 404,
                 "Session not found or access denied");
    want_error(att_call("GET", path, outsider.token, NULL), 404,
                 "Session not found or access denied");
    want_error(att_call("GET", "/api/attendance/session/999999999/records", w.teacher.token,
                          NULL), 404, "Session not found or access denied");
    archive(&w.teacher, &w.cls);
    want_error(att_call("GET", path, w.teacher.token, NULL), 404,
                 "Session not found or access denied");
    want_error(att_call("GET", path, w.st[0].token, NULL), 404,
                 "Session not found or access denied");
}

/* ---- 7.5 record update ------------------------------------------------------------------ */

static void test_record_update(void **state)
{
    world w, other;
    char p[128];
    make_world(&w, 2);
    make_world(&other, 1);
    long long sid = new_session(&w.teacher, &w.cls, "S", NULL);
    att_resp r = want_status(att_callf("POST", MARK, w.teacher.token,
        "{\"session_id\": %lld, \"student_ids\": [%lld], \"recognition_method\": \"ai_face\","
        " \"confidence_scores\": {\"%lld\": 0.87654}}", sid, w.st[0].id, w.st[0].id), 200);
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records",
                                            sid), w.teacher.token, NULL), 200);
    long long rid = jint(json_array_get(json_object_get(r.json, "attendance_records"), 0), "id");
    att_resp_free(&r);
    long long osid = new_session(&other.teacher, &other.cls, "S", NULL);
    mark_ok(&other.teacher, osid, &other.st[0], "present");
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records",
                                            osid), other.teacher.token, NULL), 200);
    long long orid = jint(json_array_get(json_object_get(r.json, "attendance_records"), 0), "id");
    att_resp_free(&r);
    const char *path = pathf(p, sizeof p, "/api/attendance/record/%lld", rid);
    const char *tok = w.teacher.token;

    want_error(att_call("PUT", path, w.st[0].token, "{\"status\": \"late\"}"), 403,
                 "Only teachers can update attendance records");
    want_error(att_call("PUT", path, w.st[0].token, "{"), 403,
                 "Only teachers can update attendance records");
    want_error(att_call("PUT", path, tok, "{oops"), 400, "Invalid JSON body");
    want_error(att_call("PUT", path, tok, "{}"), 400, "status is required");
    want_error(att_call("PUT", path, tok, NULL), 400, "status is required");
    want_error(att_call("PUT", path, tok, "{\"status\": null}"), 400, "status is required");
    static const char *bad[] = {"\"LATE\"", "\"\"", "5", "true", "[\"late\"]", "\"excused\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        want_error(att_callf("PUT", path, tok, "{\"status\": %s}", bad[i]), 400,
                     "Status must be one of: present, absent, late");
    char op[96];
    want_error(att_call("PUT", pathf(op, sizeof op, "/api/attendance/record/%lld", orid), tok,
                          "{\"status\": \"late\"}"), 404, "Record not found or access denied");
    want_error(att_call("PUT", "/api/attendance/record/999999999", tok, "{\"status\": \"bad\"}"),
                 400, "Status must be one of: present, absent, late");
    want_error(att_call("PUT", "/api/attendance/record/999999999", tok, "{\"status\": \"late\"}"),
                 404, "Record not found or access denied");

    r = want_status(att_call("PUT", path, tok, "{\"status\": \"late\"}"), 200);
    assert_string_equal(att_str(r.json, "message"), "Attendance record updated successfully");
    json_t *rec = json_object_get(r.json, "record");
    check_record_shape(rec);
    assert_int_equal(jint(rec, "id"), rid);
    assert_string_equal(att_str(rec, "status"), "late");
    assert_string_equal(att_str(rec, "recognition_method"), "ai_face");
    assert_float_equal(jnum(rec, "recognition_confidence"), 0.8765, 1e-12);
    assert_int_equal(jint(rec, "marked_by"), w.teacher.id);
    assert_string_equal(att_str(rec, "student_name"), "Ann Lee");
    check_stats(json_object_get(r.json, "session_stats"), 2, 0, 1, 0, 50.0);
    att_resp_free(&r);
    r = want_status(att_call("PUT", path, tok, "{\"status\": \"absent\", \"x\": 1}"), 200);
    check_stats(json_object_get(r.json, "session_stats"), 2, 0, 0, 1, 0.0);
    att_resp_free(&r);

    /* A removed student's record stays editable by the owner; an archived class hides it. */
    remove_student(&w.teacher, &w.cls, &w.st[0]);
    r = want_status(att_call("PUT", path, tok, "{\"status\": \"present\"}"), 200);
    check_stats(json_object_get(r.json, "session_stats"), 2, 1, 0, 0, 50.0);
    att_resp_free(&r);
    archive(&w.teacher, &w.cls);
    want_error(att_call("PUT", path, tok, "{\"status\": \"late\"}"), 404,
                 "Record not found or access denied");
}

/* ---- 7.6 finalize ----------------------------------------------------------------------- */

static void test_finalize(void **state)
{
    world w, other;
    char p[128], rp[128];
    make_world(&w, 4);
    make_world(&other, 0);
    long long sid = new_session(&w.teacher, &w.cls, "S", NULL);
    mark_ok(&w.teacher, sid, &w.st[1], "late");
    leave(&w.st[3], &w.cls);
    const char *path = pathf(p, sizeof p, "/api/attendance/session/%lld/finalize", sid);

    want_error(att_call("POST", path, w.st[0].token, NULL), 403,
                 "Only teachers can finalize sessions");
    want_error(att_call("POST", path, other.teacher.token, NULL), 404,
                 "Session not found or access denied");
    want_error(att_call("POST", "/api/attendance/session/999999999/finalize", w.teacher.token,
                          NULL), 404, "Session not found or access denied");

    /* The body is ignored, even when it is not JSON. */
    att_resp r = want_status(att_call("POST", path, w.teacher.token, "not json"), 200);
    assert_string_equal(att_str(r.json, "message"), "Session finalized");
    assert_int_equal(jint(r.json, "session_id"), sid);
    json_t *abs = json_object_get(r.json, "absent_marked");
    assert_int_equal(json_array_size(abs), 2);
    assert_int_equal(jint(json_array_get(abs, 0), "student_id"), w.st[0].id);
    assert_string_equal(att_str(json_array_get(abs, 0), "student_name"), "Ann Lee");
    assert_int_equal(jint(json_array_get(abs, 1), "student_id"), w.st[2].id);
    assert_string_equal(att_str(json_array_get(abs, 1), "student_name"), "Cy Diaz");
    check_stats(json_object_get(r.json, "session_stats"), 3, 0, 1, 2, 33.33);
    att_resp_free(&r);

    /* Idempotent. */
    r = want_status(att_call("POST", path, w.teacher.token, NULL), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "absent_marked")), 0);
    check_stats(json_object_get(r.json, "session_stats"), 3, 0, 1, 2, 33.33);
    att_resp_free(&r);

    /* The records are absent/manual/null marked by the teacher; the session stays open. */
    r = want_status(att_call("GET", pathf(rp, sizeof rp, "/api/attendance/session/%lld/records",
                                            sid), w.teacher.token, NULL), 200);
    const json_t *rec = json_array_get(json_object_get(r.json, "attendance_records"), 0);
    assert_string_equal(att_str(rec, "status"), "absent");
    assert_string_equal(att_str(rec, "recognition_method"), "manual");
    assert_true(json_is_null(json_object_get(rec, "recognition_confidence")));
    assert_int_equal(jint(rec, "marked_by"), w.teacher.id);
    att_resp_free(&r);
    r = want_status(mark(&w.teacher, sid, &w.st[0], "present"), 200);
    assert_string_equal(att_str(json_array_get(json_object_get(r.json, "updated_students"), 0),
                                "previous_status"), "absent");
    check_stats(json_object_get(r.json, "session_stats"), 3, 1, 1, 1, 66.67);
    att_resp_free(&r);

    archive(&w.teacher, &w.cls);
    want_error(att_call("POST", path, w.teacher.token, NULL), 404,
                 "Session not found or access denied");
}

/* ---- §7.10 students who leave or are removed -------------------------------------------- */

static void test_left_and_removed_students(void **state)
{
    world w;
    char p[128], rp[128];
    make_world(&w, 2);
    long long sid = new_session(&w.teacher, &w.cls, "S", NULL);
    mark_ok(&w.teacher, sid, &w.st[0], "present");
    mark_ok(&w.teacher, sid, &w.st[1], "late");
    const char *list = pathf(p, sizeof p, "/api/attendance/sessions/%lld", w.cls.id);
    const char *recs = pathf(rp, sizeof rp, "/api/attendance/session/%lld/records", sid);

    leave(&w.st[0], &w.cls);
    remove_student(&w.teacher, &w.cls, &w.st[1]);
    for (int i = 0; i < 2; i++) {
        want_error(att_call("GET", list, w.st[i].token, NULL), 404,
                     "Class not found or access denied");
        want_error(att_call("GET", recs, w.st[i].token, NULL), 404,
                     "Session not found or access denied");
    }
    /* Their records stay, and the teacher still sees them. */
    att_resp r = want_status(att_call("GET", recs, w.teacher.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 2);
    assert_int_equal(jint(json_object_get(r.json, "session"), "total_students"), 2);
    att_resp_free(&r);
    /* Rejoining restores access with the record intact. */
    join(&w.st[0], &w.cls);
    r = want_status(att_call("GET", recs, w.st[0].token, NULL), 200);
    assert_string_equal(att_str(json_array_get(json_object_get(r.json, "attendance_records"), 0),
                                "status"), "present");
    att_resp_free(&r);
}

/* ---- concurrent writers to one session ------------------------------------------------- */

#define WRITES 6          /* per thread; the last mark is "late" */

typedef struct writer {
    const user *teacher, *student;
    long long session_id;
    long status[WRITES];   /* replies, checked on the main thread */
    int finalize;
} writer;

static void *writer_run(void *arg)
{
    writer *wr = arg;
    char p[96];
    for (int i = 0; i < WRITES; i++) {
        att_resp r = wr->finalize
            ? att_call("POST", pathf(p, sizeof p, "/api/attendance/session/%lld/finalize",
                                     wr->session_id), wr->teacher->token, NULL)
            : mark(wr->teacher, wr->session_id, wr->student, i % 2 ? "late" : "present");
        wr->status[i] = r.status;
        att_resp_free(&r);
    }
    return NULL;
}

static void test_concurrent_writes(void **state)
{
    world w;
    char p[128];
    make_world(&w, 4);
    long long sid = new_session(&w.teacher, &w.cls, "Busy", NULL);
    writer wr[5];
    pthread_t th[5];
    for (int i = 0; i < 5; i++) {
        wr[i] = (writer){&w.teacher, &w.st[i % 4], sid, {0}, i == 4};
        assert_int_equal(pthread_create(&th[i], NULL, writer_run, &wr[i]), 0);
    }
    for (int i = 0; i < 5; i++) {
        pthread_join(th[i], NULL);
        for (int k = 0; k < WRITES; k++)
            assert_int_equal(wr[i].status[k], 200);
    }
    /* Whatever the interleaving, each student's last write was "late". */
    att_resp r = want_status(att_call("GET", pathf(p, sizeof p,
                                                   "/api/attendance/session/%lld/records", sid),
                                      w.teacher.token, NULL), 200);
    json_t *s = json_object_get(r.json, "session");
    assert_int_equal(jint(s, "attendance_count"), 4);
    assert_int_equal(jint(s, "late_count"), 4);
    assert_int_equal(jint(s, "total_students"), 4);
    att_resp_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_session),
        cmocka_unit_test(test_create_session_validation),
        cmocka_unit_test(test_mark_attendance),
        cmocka_unit_test(test_mark_validation),
        cmocka_unit_test(test_total_students),
        cmocka_unit_test(test_sessions_list),
        cmocka_unit_test(test_session_records),
        cmocka_unit_test(test_record_update),
        cmocka_unit_test(test_finalize),
        cmocka_unit_test(test_left_and_removed_students),
        cmocka_unit_test(test_concurrent_writes),
    };
    return ATT_RUN_GROUP(argc, argv, tests);
}
