/* HTTP tests of /api/classes (API.md §4; the dashboard is in test_dashboard.c) against a
 * real server on SQLite or PostgreSQL (argv[1]: "sqlite" or "pg"). */
#include "steps.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET /api/classes/{id} as `u`; returns the reply (caller frees). */
static fx_resp get_class(const tuser *u, int64_t id)
{
    return fx_req("GET", th_class_path(id, NULL), u->access, NULL);
}

static void expect_class_count(const tuser *owner, int64_t id, int64_t n)
{
    fx_resp r = get_class(owner, id);
    json_t *c = json_object_get(r.json, "class");
    assert_int_equal(r.status, 200);
    assert_int_equal(th_int(c, "student_count"), n);
    assert_int_equal(th_int(c, "total_students"), n);
    assert_int_equal(json_array_size(json_object_get(c, "students")), (size_t)n);
    fx_free(&r);
}

/* ---- create ---------------------------------------------------------------------- */

static void test_create(void **state)
{
    tuser t;
    th_signup(&t, "teacher");
    fx_resp r = fx_req("POST", "/api/classes/create", t.access,
                       "{\"name\":\"  Math 101 \",\"description\":\"  Basics\\n\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(th_str(r.json, "message"), "Class created successfully");
    json_t *c = json_object_get(r.json, "class");
    th_check_class(c);
    assert_int_equal(json_object_size(c), 11);   /* no students here */
    assert_string_equal(th_str(c, "name"), "Math 101");
    assert_string_equal(th_str(c, "description"), "Basics");
    assert_int_equal(th_int(c, "teacher_id"), t.id);
    fx_resp p = fx_req("GET", "/api/auth/profile", t.access, NULL);
    assert_string_equal(th_str(c, "teacher_name"),
                        th_str(json_object_get(p.json, "user"), "full_name"));
    fx_free(&p);
    assert_int_equal(th_int(c, "student_count"), 0);
    assert_int_equal(th_int(c, "total_students"), 0);
    /* The code was recorded as issued. */
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM join_codes WHERE code = '%s' "
                                         "AND class_id = %lld", th_str(c, "join_code"),
                                         (long long)th_int(c, "id"))), 1);
    fx_free(&r);

    /* description: absent or null is "". */
    r = fx_req("POST", "/api/classes/create", t.access, "{\"name\":\"A\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(th_str(json_object_get(r.json, "class"), "description"), "");
    fx_free(&r);
    r = fx_req("POST", "/api/classes/create", t.access, "{\"name\":\"B\",\"description\":null}");
    assert_int_equal(r.status, 201);
    assert_string_equal(th_str(json_object_get(r.json, "class"), "description"), "");
    fx_free(&r);
}

static void test_create_validation(void **state)
{
    tuser t, s;
    th_signup(&t, "teacher");
    th_signup(&s, "student");
    /* Role first, even before a broken body. */
    th_call_error("POST", "/api/classes/create", s.access, "{not json", 403,
                  "Only teachers can create classes");
    th_call_error("POST", "/api/classes/create", s.access, "{\"name\":\"X\"}", 403,
                  "Only teachers can create classes");
    th_call_error("POST", "/api/classes/create", t.access, "{not json", 400, "Invalid JSON body");
    th_call_error("POST", "/api/classes/create", t.access, "\"x\"", 400,
                  "Request body must be a JSON object");
    const char *missing[] = {"{}", "", "{\"name\":null}", "{\"name\":\"\"}", "{\"name\":\" \\t\"}"};
    for (size_t i = 0; i < 5; i++)
        th_call_error("POST", "/api/classes/create", t.access, missing[i], 400,
                      "Class name is required");
    th_call_error("POST", "/api/classes/create", t.access, "{\"name\":12}", 400,
                  "name must be a string");
    char big[9000];
    memset(big, 'n', 201);
    big[201] = '\0';
    th_call_error("POST", "/api/classes/create", t.access, th_fmt("{\"name\":\"%s\"}", big), 400,
                  "name must be at most 200 characters");
    th_call_error("POST", "/api/classes/create", t.access, "{\"name\":\"a\\u0000\"}", 400,
                  "name contains invalid characters");
    /* name before description. */
    th_call_error("POST", "/api/classes/create", t.access,
                  "{\"name\":null,\"description\":5}", 400, "Class name is required");
    th_call_error("POST", "/api/classes/create", t.access, "{\"name\":\"N\",\"description\":5}",
                  400, "description must be a string");
    memset(big, 'd', 2001);
    big[2001] = '\0';
    th_call_error("POST", "/api/classes/create", t.access,
                  th_fmt("{\"name\":\"N\",\"description\":\"%s\"}", big), 400,
                  "description must be at most 2000 characters");
    /* The limits themselves are fine, counted in code points. */
    char name[2000] = "";
    for (int i = 0; i < 200; i++)
        strcat(name, "\\u00e9");
    big[2000] = '\0';
    fx_resp r = fx_req("POST", "/api/classes/create", t.access,
                       th_fmt("{\"name\":\"%s\",\"description\":\"%s\"}", name, big));
    assert_int_equal(r.status, 201);
    fx_free(&r);
    /* No class was created by the refused requests. */
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM classes WHERE teacher_id = %lld",
                                         (long long)t.id)), 1);
}

static void test_join_codes_unique(void **state)
{
    tuser t;
    char codes[40][8];
    th_signup(&t, "teacher");
    for (int i = 0; i < 40; i++) {
        th_create_class(&t, th_fmt("C%d", i), codes[i]);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(codes[i], codes[k]);
    }
    /* Every code ever issued is unique in the database. */
    assert_int_equal(fx_query_int("SELECT COUNT(*) FROM join_codes"),
                     fx_query_int("SELECT COUNT(DISTINCT code) FROM join_codes"));
}

/* ---- my-classes ------------------------------------------------------------------ */

static void expect_list(const tuser *u, const char *query, const int64_t *ids, size_t n,
                        int64_t total)
{
    fx_resp r = fx_req("GET", th_fmt("/api/classes/my-classes%s", query), u->access, NULL);
    json_t *list;
    assert_int_equal(r.status, 200);
    list = json_object_get(r.json, "classes");
    assert_int_equal(json_array_size(list), n);
    assert_int_equal(th_int(r.json, "total"), total);
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(list, i);
        th_check_class(c);
        assert_null(json_object_get(c, "students"));
        assert_int_equal(th_int(c, "id"), ids[i]);
    }
    fx_free(&r);
}

static void test_my_classes(void **state)
{
    tuser t, s;
    char code[3][8];
    int64_t id[3];

    th_signup(&t, "teacher");
    th_signup(&s, "student");
    for (int i = 0; i < 3; i++)
        id[i] = th_create_class(&t, th_fmt("L%d", i), code[i]);
    expect_list(&t, "", id, 3, 3);
    expect_list(&t, "?limit=2", id, 2, 3);
    expect_list(&t, "?limit=2&offset=2", id + 2, 1, 3);
    expect_list(&t, "?offset=3", NULL, 0, 3);
    expect_list(&t, "?limit=+2&offset=001", id + 1, 2, 3);
    expect_list(&t, "?limit=%2B2&offset=%2B1", id + 1, 2, 3);
    expect_list(&t, "?offset=99999999999999999999", NULL, 0, 3);
    expect_list(&t, "?unknown=1", id, 3, 3);

    /* A student's list is in enrollment order; left and archived classes are gone. */
    expect_list(&s, "", NULL, 0, 0);
    th_join(&s, code[2]);
    th_join(&s, code[0]);
    th_join(&s, code[1]);
    int64_t order[3] = {id[2], id[0], id[1]};
    expect_list(&s, "", order, 3, 3);
    expect_list(&s, "?limit=1&offset=1", order + 1, 1, 3);
    fx_resp r = fx_req("POST", th_class_path(id[0], "/leave"), s.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    int64_t after_leave[2] = {id[2], id[1]};
    expect_list(&s, "", after_leave, 2, 2);
    r = fx_req("DELETE", th_class_path(id[2], NULL), t.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    int64_t after_archive[1] = {id[1]};
    expect_list(&s, "", after_archive, 1, 1);
    int64_t teacher_left[2] = {id[0], id[1]};
    expect_list(&t, "", teacher_left, 2, 2);

    const char *bad_limits[] = {"0", "1001", "-1", "abc", "", "1.5", "1e2", "%20%201", "1%20"};
    for (size_t i = 0; i < sizeof bad_limits / sizeof *bad_limits; i++)
        th_call_error("GET", th_fmt("/api/classes/my-classes?limit=%s", bad_limits[i]),
                      t.access, NULL, 400, "limit must be an integer between 1 and 1000");
    const char *bad_offsets[] = {"-1", "x", "", "2.0"};
    for (size_t i = 0; i < sizeof bad_offsets / sizeof *bad_offsets; i++)
        th_call_error("GET", th_fmt("/api/classes/my-classes?offset=%s", bad_offsets[i]),
                      t.access, NULL, 400, "offset must be a non-negative integer");
    /* limit is checked first. */
    th_call_error("GET", "/api/classes/my-classes?offset=-1&limit=0", t.access, NULL, 400,
                  "limit must be an integer between 1 and 1000");
}

/* ---- get ------------------------------------------------------------------------- */

static void test_get(void **state)
{
    tuser t, other_t, s1, s2, outsider;
    char code[8];

    th_signup(&t, "teacher");
    th_signup(&other_t, "teacher");
    th_signup(&s1, "student");
    th_signup(&s2, "student");
    th_signup(&outsider, "student");
    int64_t id = th_create_class(&t, "Physics", code);
    th_join(&s2, code);
    th_join(&s1, code);
    /* Same second for both enrollments is likely: make the order explicit. */
    assert_int_equal(fx_exec(th_fmt("UPDATE enrollments SET enrolled_at = 1000 WHERE "
                                    "class_id = %lld", (long long)id)), 0);

    fx_resp r = get_class(&t, id);
    assert_int_equal(r.status, 200);
    json_t *c = json_object_get(r.json, "class");
    th_check_class(c);
    assert_int_equal(th_int(c, "total_students"), 2);
    json_t *students = json_object_get(c, "students");
    assert_int_equal(json_array_size(students), 2);
    /* Same enrolled_at: by student id. */
    json_t *first = json_array_get(students, 0);
    assert_int_equal(th_int(first, "id"), s1.id < s2.id ? s1.id : s2.id);
    assert_int_equal(json_object_size(first), 6);
    assert_true(json_is_false(json_object_get(first, "has_face_data")));   /* §13.4 */
    assert_string_equal(th_str(first, "consent_status"), "none");
    th_str(first, "name");
    th_str(first, "email");
    assert_string_equal(th_str(first, "enrolled_at"), "1970-01-01T00:16:40Z");
    fx_free(&r);
    /* Earlier enrolled_at comes first. */
    assert_int_equal(fx_exec(th_fmt("UPDATE enrollments SET enrolled_at = 999 WHERE "
                                    "student_id = %lld", (long long)(s1.id > s2.id ? s1.id : s2.id))), 0);
    r = get_class(&t, id);
    students = json_object_get(json_object_get(r.json, "class"), "students");
    assert_int_equal(th_int(json_array_get(students, 0), "id"), s1.id > s2.id ? s1.id : s2.id);
    const json_t *s1_item = json_array_get(students, s1.id > s2.id ? 0 : 1);
    fx_resp p = fx_req("GET", "/api/auth/profile", s1.access, NULL);
    assert_string_equal(th_str(s1_item, "name"), th_str(json_object_get(p.json, "user"), "full_name"));
    assert_string_equal(th_str(s1_item, "email"), s1.email);
    fx_free(&p);
    fx_free(&r);

    /* An enrolled student sees the class without classmates. */
    r = get_class(&s1, id);
    assert_int_equal(r.status, 200);
    c = json_object_get(r.json, "class");
    th_check_class(c);
    assert_null(json_object_get(c, "students"));
    assert_int_equal(th_int(c, "total_students"), 2);
    fx_free(&r);

    /* Everyone else: 404, never 403. */
    th_call_error("GET", th_class_path(id, NULL), other_t.access, NULL, 404, "Class not found");
    th_call_error("GET", th_class_path(id, NULL), outsider.access, NULL, 404, "Class not found");
    th_call_error("GET", th_class_path(id + 100000, NULL), t.access, NULL, 404, "Class not found");
    r = fx_req("POST", th_class_path(id, "/leave"), s1.access, NULL);
    fx_free(&r);
    th_call_error("GET", th_class_path(id, NULL), s1.access, NULL, 404, "Class not found");
}

/* ---- update ---------------------------------------------------------------------- */

static void test_update(void **state)
{
    tuser t, other_t, s;
    char code[8];

    th_signup(&t, "teacher");
    th_signup(&other_t, "teacher");
    th_signup(&s, "student");
    int64_t id = th_create_class(&t, "Old name", code);
    th_join(&s, code);

    fx_resp r = fx_req("PUT", th_class_path(id, "/update"), t.access,
                       "{\"name\":\"  New name \",\"description\":\" About \"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Class updated successfully");
    json_t *c = json_object_get(r.json, "class");
    th_check_class(c);
    assert_string_equal(th_str(c, "name"), "New name");
    assert_string_equal(th_str(c, "description"), "About");
    assert_string_equal(th_str(c, "join_code"), code);
    assert_int_equal(th_int(c, "total_students"), 1);
    fx_free(&r);
    /* Absent keeps, null description clears. */
    r = fx_req("PUT", th_class_path(id, "/update"), t.access, "{\"description\":null}");
    assert_int_equal(r.status, 200);
    c = json_object_get(r.json, "class");
    assert_string_equal(th_str(c, "name"), "New name");
    assert_string_equal(th_str(c, "description"), "");
    fx_free(&r);
    assert_int_equal(fx_exec(th_fmt("UPDATE classes SET created_at = 0, updated_at = 0 "
                                    "WHERE id = %lld", (long long)id)), 0);
    r = fx_req("PUT", th_class_path(id, "/update"), t.access, "{}");
    assert_int_equal(r.status, 200);
    c = json_object_get(r.json, "class");
    assert_string_equal(th_str(c, "name"), "New name");
    assert_string_equal(th_str(c, "created_at"), "1970-01-01T00:00:00Z");
    assert_string_not_equal(th_str(c, "updated_at"), "1970-01-01T00:00:00Z");
    fx_free(&r);

    th_call_error("PUT", th_class_path(id, "/update"), s.access, "{bad", 403,
                  "Only teachers can update classes");
    th_call_error("PUT", th_class_path(id, "/update"), t.access, "{\"name\":null}", 400,
                  "name cannot be empty");
    th_call_error("PUT", th_class_path(id, "/update"), t.access, "{\"name\":\"   \"}", 400,
                  "name cannot be empty");
    th_call_error("PUT", th_class_path(id, "/update"), t.access, "{\"name\":[]}", 400,
                  "name must be a string");
    th_call_error("PUT", th_class_path(id, "/update"), t.access, "{\"description\":1}", 400,
                  "description must be a string");
    char big[2100];
    memset(big, 'x', 2001);
    big[2001] = '\0';
    th_call_error("PUT", th_class_path(id, "/update"), t.access,
                  th_fmt("{\"description\":\"%s\"}", big), 400,
                  "description must be at most 2000 characters");
    big[201] = '\0';
    th_call_error("PUT", th_class_path(id, "/update"), t.access, th_fmt("{\"name\":\"%s\"}", big),
                  400, "name must be at most 200 characters");
    /* Validation comes before the lookup; the lookup hides other teachers' classes. */
    th_call_error("PUT", th_class_path(id, "/update"), other_t.access, "{\"name\":null}", 400,
                  "name cannot be empty");
    th_call_error("PUT", th_class_path(id, "/update"), other_t.access, "{\"name\":\"Mine\"}", 404,
                  "Class not found");
    th_call_error("PUT", th_class_path(id + 100000, "/update"), t.access, "{}", 404,
                  "Class not found");
    r = get_class(&t, id);
    assert_string_equal(th_str(json_object_get(r.json, "class"), "name"), "New name");
    fx_free(&r);
}

/* ---- delete (archive) ------------------------------------------------------------ */

static void test_delete(void **state)
{
    tuser t, other_t, s;
    char code[8];

    th_signup(&t, "teacher");
    th_signup(&other_t, "teacher");
    th_signup(&s, "student");
    int64_t id = th_create_class(&t, "Doomed", code);
    th_join(&s, code);

    th_call_error("DELETE", th_class_path(id, NULL), s.access, NULL, 403,
                  "Only teachers can delete classes");
    th_call_error("DELETE", th_class_path(id, NULL), other_t.access, NULL, 404, "Class not found");
    fx_resp r = fx_req("DELETE", th_class_path(id, NULL), t.access, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Class deleted successfully");
    assert_int_equal(th_int(r.json, "class_id"), id);
    fx_free(&r);

    /* Gone for every endpoint; the row stays. */
    th_call_error("DELETE", th_class_path(id, NULL), t.access, NULL, 404, "Class not found");
    th_call_error("GET", th_class_path(id, NULL), t.access, NULL, 404, "Class not found");
    th_call_error("GET", th_class_path(id, NULL), s.access, NULL, 404, "Class not found");
    th_call_error("PUT", th_class_path(id, "/update"), t.access, "{}", 404, "Class not found");
    th_call_error("POST", th_class_path(id, "/regenerate-code"), t.access, NULL, 404,
                  "Class not found");
    th_call_error("DELETE", th_class_path(id, th_fmt("/students/%lld", (long long)s.id)), t.access,
                  NULL, 404, "Class not found");
    th_call_error("POST", th_class_path(id, "/leave"), s.access, NULL, 404,
                  "Not enrolled in this class");
    th_call_error("POST", "/api/classes/join", s.access, th_fmt("{\"join_code\":\"%s\"}", code),
                  404, "Invalid join code");
    assert_int_equal(fx_query_int(th_fmt("SELECT is_active FROM classes WHERE id = %lld",
                                         (long long)id)), 0);
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM enrollments WHERE class_id = %lld",
                                         (long long)id)), 1);
}

/* ---- join / leave / remove ------------------------------------------------------- */

static void test_join(void **state)
{
    tuser t, s;
    char code[8], lower[8];

    th_signup(&t, "teacher");
    th_signup(&s, "student");
    int64_t id = th_create_class(&t, "Chemistry", code);

    th_call_error("POST", "/api/classes/join", t.access, "{oops", 403,
                  "Only students can join classes");
    const char *missing[] = {"{}", "", "{\"join_code\":null}", "{\"join_code\":\"\"}",
                             "{\"join_code\":\"  \"}"};
    for (size_t i = 0; i < 5; i++)
        th_call_error("POST", "/api/classes/join", s.access, missing[i], 400,
                      "Join code is required");
    th_call_error("POST", "/api/classes/join", s.access, "{\"join_code\":123456}", 400,
                  "join_code must be a string");
    th_call_error("POST", "/api/classes/join", s.access, "{\"join_code\":\"ZZZZZZZ\"}", 404,
                  "Invalid join code");
    th_call_error("POST", "/api/classes/join", s.access, "{\"join_code\":\"'; --\"}", 404,
                  "Invalid join code");

    /* Trimmed and upper-cased. */
    for (int i = 0; i < 7; i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
    fx_resp r = fx_req("POST", "/api/classes/join", s.access,
                       th_fmt("{\"join_code\":\"  %s\\n\"}", lower));
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Successfully joined the class");
    json_t *c = json_object_get(r.json, "class");
    th_check_class(c);
    assert_int_equal(th_int(c, "id"), id);
    assert_int_equal(th_int(c, "total_students"), 1);
    assert_null(json_object_get(c, "students"));
    fx_free(&r);
    th_call_error("POST", "/api/classes/join", s.access, th_fmt("{\"join_code\":\"%s\"}", code),
                  409, "Already enrolled in this class");
    expect_class_count(&t, id, 1);

    /* Leave, then rejoin: the enrollment comes back with its enrolled_at. */
    assert_int_equal(fx_exec(th_fmt("UPDATE enrollments SET enrolled_at = 12345 WHERE "
                                    "class_id = %lld", (long long)id)), 0);
    r = fx_req("POST", th_class_path(id, "/leave"), s.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    expect_class_count(&t, id, 0);
    r = fx_req("POST", "/api/classes/join", s.access, th_fmt("{\"join_code\":\"%s\"}", code));
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Successfully rejoined the class");
    assert_int_equal(th_int(json_object_get(r.json, "class"), "student_count"), 1);
    fx_free(&r);
    assert_int_equal(fx_query_int(th_fmt("SELECT enrolled_at FROM enrollments WHERE "
                                         "class_id = %lld", (long long)id)), 12345);
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM enrollments WHERE "
                                         "class_id = %lld", (long long)id)), 1);

    /* Regenerating replaces the code at once; the old one never comes back. */
    r = fx_req("POST", th_class_path(id, "/regenerate-code"), t.access, NULL);
    assert_int_equal(r.status, 200);
    char fresh[8];
    snprintf(fresh, sizeof fresh, "%s", th_str(r.json, "new_join_code"));
    fx_free(&r);
    tuser s2;
    th_signup(&s2, "student");
    th_call_error("POST", "/api/classes/join", s2.access, th_fmt("{\"join_code\":\"%s\"}", code),
                  404, "Invalid join code");
    th_join(&s2, fresh);
    expect_class_count(&t, id, 2);
}

/* Concurrent joins by one student: one 200, the others 409, one enrollment row. */
#define RACERS 8

typedef struct racer {
    const char *token;
    const char *body;
    long status;
} racer;

static void *join_racer(void *arg)
{
    racer *r = arg;
    fx_resp resp = fx_req("POST", "/api/classes/join", r->token, r->body);
    r->status = resp.status;
    fx_free(&resp);
    return NULL;
}

static void test_join_race(void **state)
{
    tuser t, s;
    char code[8], body[64];
    pthread_t th[RACERS];
    racer rs[RACERS];
    int ok = 0, conflicts = 0;

    th_signup(&t, "teacher");
    th_signup(&s, "student");
    int64_t id = th_create_class(&t, "Race", code);
    snprintf(body, sizeof body, "{\"join_code\":\"%s\"}", code);
    for (int i = 0; i < RACERS; i++) {
        rs[i] = (racer){.token = s.access, .body = body};
        assert_int_equal(pthread_create(&th[i], NULL, join_racer, &rs[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        ok += rs[i].status == 200;
        conflicts += rs[i].status == 409;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(conflicts, RACERS - 1);
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM enrollments WHERE class_id = %lld",
                                         (long long)id)), 1);
}

static void test_leave(void **state)
{
    tuser t, s, other;
    char code[8];

    th_signup(&t, "teacher");
    th_signup(&s, "student");
    th_signup(&other, "student");
    int64_t id = th_create_class(&t, "Leaving 101", code);
    th_join(&s, code);
    th_join(&other, code);

    th_call_error("POST", th_class_path(id, "/leave"), t.access, NULL, 403,
                  "Only students can leave classes");
    th_call_error("POST", th_class_path(id + 100000, "/leave"), s.access, NULL, 404,
                  "Not enrolled in this class");
    /* No body is read: garbage is fine. */
    fx_resp r = fx_req("POST", th_class_path(id, "/leave"), s.access, "{garbage");
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Successfully left the class");
    assert_int_equal(th_int(r.json, "class_id"), id);
    assert_string_equal(th_str(r.json, "class_name"), "Leaving 101");
    fx_free(&r);
    th_call_error("POST", th_class_path(id, "/leave"), s.access, NULL, 404,
                  "Not enrolled in this class");
    expect_class_count(&t, id, 1);
    assert_int_equal(fx_query_int(th_fmt("SELECT is_active FROM enrollments WHERE "
                                         "class_id = %lld AND student_id = %lld",
                                         (long long)id, (long long)s.id)), 0);
}

static void test_regenerate(void **state)
{
    tuser t, other_t, s;
    char code[8];

    th_signup(&t, "teacher");
    th_signup(&other_t, "teacher");
    th_signup(&s, "student");
    int64_t id = th_create_class(&t, "Codes", code);
    th_call_error("POST", th_class_path(id, "/regenerate-code"), s.access, NULL, 403,
                  "Only teachers can regenerate join codes");
    th_call_error("POST", th_class_path(id, "/regenerate-code"), other_t.access, NULL, 404,
                  "Class not found");
    char seen[6][8];
    snprintf(seen[0], 8, "%s", code);
    for (int i = 1; i < 6; i++) {
        fx_resp r = fx_req("POST", th_class_path(id, "/regenerate-code"), t.access, "not json");
        assert_int_equal(r.status, 200);
        assert_string_equal(th_str(r.json, "message"), "Join code regenerated successfully");
        const char *nc = th_str(r.json, "new_join_code");
        assert_int_equal(strlen(nc), 6);
        assert_int_equal(strspn(nc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), 6);
        snprintf(seen[i], 8, "%s", nc);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(seen[i], seen[k]);
        fx_free(&r);
    }
    fx_resp r = get_class(&t, id);
    assert_string_equal(th_str(json_object_get(r.json, "class"), "join_code"), seen[5]);
    fx_free(&r);
    /* All six codes stay recorded for this class. */
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM join_codes WHERE class_id = %lld",
                                         (long long)id)), 6);
}

static void test_remove_student(void **state)
{
    tuser t, other_t, s, never;
    char code[8];

    th_signup(&t, "teacher");
    th_signup(&other_t, "teacher");
    th_signup(&s, "student");
    th_signup(&never, "student");
    int64_t id = th_create_class(&t, "Strict", code);
    th_join(&s, code);
    const char *path = th_class_path(id, th_fmt("/students/%lld", (long long)s.id));

    th_call_error("DELETE", path, s.access, NULL, 403, "Only teachers can remove students");
    th_call_error("DELETE", path, other_t.access, NULL, 404, "Class not found");
    th_call_error("DELETE", th_class_path(id, th_fmt("/students/%lld", (long long)never.id)),
                  t.access, NULL, 404, "Student not enrolled in this class");
    th_call_error("DELETE", th_class_path(id, "/students/99999999"), t.access, NULL, 404,
                  "Student not enrolled in this class");
    fx_resp r = fx_req("DELETE", path, t.access, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Student removed from class");
    assert_int_equal(th_int(r.json, "class_id"), id);
    assert_int_equal(th_int(r.json, "student_id"), s.id);
    fx_free(&r);
    th_call_error("DELETE", path, t.access, NULL, 404, "Student not enrolled in this class");
    expect_class_count(&t, id, 0);
    th_call_error("GET", th_class_path(id, NULL), s.access, NULL, 404, "Class not found");
    /* The student may come back with the code. */
    r = fx_req("POST", "/api/classes/join", s.access, th_fmt("{\"join_code\":\"%s\"}", code));
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Successfully rejoined the class");
    fx_free(&r);
    expect_class_count(&t, id, 1);
}

/* ---- runner ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_create_validation),
        cmocka_unit_test(test_join_codes_unique),
        cmocka_unit_test(test_my_classes),
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_update),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_join_race),
        cmocka_unit_test(test_leave),
        cmocka_unit_test(test_regenerate),
        cmocka_unit_test(test_remove_student),
    };
    return TH_RUN_GROUP(argc, argv, tests, NULL);
}
