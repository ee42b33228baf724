/* HTTP tests of administration (API.md §12): `attendly admin create/promote`, the admin
 * gate on every /api/admin route and the admin's 403s elsewhere, the user list and its
 * filters, account creation, status changes taking effect on live tokens, password
 * resets, the figures, and the admin's view of the audit log (§15). */
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

#define PW "correct-horse-1"

static const char *upath(long long id, const char *action)
{
    static char buf[4][96];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 96, "/api/admin/users/%lld/%s", id, action);
    return p;
}

static void test_cli(void **state)
{
    char out[256], args[512];
    user a, t, s;
    new_admin(&a, "Ada", "Admin");
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_events WHERE action = 'account.created'"
                              " AND subject_id = %lld AND actor_id IS NULL", a.id);
    assert_int_equal(fx_query_int(sql), 1);

    snprintf(args, sizeof args, "admin create --email '%s' --first-name X --last-name Y", a.email);
    assert_int_equal(fx_run_cli(args, PW "\n", out, sizeof out), 1);   /* email taken */
    assert_int_equal(fx_run_cli("admin create --email 'short@example.io' --first-name X "
                                "--last-name Y", "seven77\n", out, sizeof out), 1);
    assert_int_equal(fx_run_cli("admin create --email 'nopw@example.io' --first-name X "
                                "--last-name Y", "", out, sizeof out), 1);
    assert_int_equal(fx_run_cli("admin create --email 'bad-email' --first-name X --last-name Y",
                                PW "\n", out, sizeof out), 1);
    assert_int_equal(fx_run_cli("admin create --email 'x@example.io' --first-name X",
                                PW "\n", out, sizeof out), 2);
    assert_int_equal(fx_run_cli("admin frobnicate", NULL, out, sizeof out), 2);
    want_error(att_login("short@example.io", "seven77"), 401, "Invalid email or password");

    /* promote: a fresh account only. */
    new_user(&s, "student", "Pro", "Motable");
    snprintf(args, sizeof args, "admin promote '%s'", s.email);
    assert_int_equal(fx_run_cli(args, NULL, out, sizeof out), 0);
    assert_int_equal(strtoll(out, NULL, 10), s.id);
    att_resp r = want_status(att_call("GET", "/api/auth/profile", s.token, NULL), 200);
    assert_string_equal(att_str(json_object_get(r.json, "user"), "role"), "admin");
    att_resp_free(&r);
    assert_int_equal(fx_run_cli(args, NULL, out, sizeof out), 0);   /* already one */
    new_user(&t, "teacher", "Has", "Class");
    klass k;
    new_class(&t, "History", &k);
    snprintf(args, sizeof args, "admin promote '%s'", t.email);
    assert_int_equal(fx_run_cli(args, NULL, out, sizeof out), 1);
    assert_int_equal(fx_run_cli("admin promote 'nobody@example.io'", NULL, out, sizeof out), 1);
    assert_int_equal(fx_run_cli("admin promote", NULL, out, sizeof out), 2);
}

static void test_gates(void **state)
{
    user a, t, s;
    new_admin(&a, "Gate", "Keeper");
    new_user(&t, "teacher", "Tea", "Cher");
    new_user(&s, "student", "Stu", "Dent");
    static const char *routes[][2] = {
        {"GET", "/api/admin/users"}, {"POST", "/api/admin/users"}, {"GET", "/api/admin/stats"},
        {"POST", "/api/admin/users/1/approve"}, {"POST", "/api/admin/users/1/deactivate"},
        {"POST", "/api/admin/users/1/reactivate"}, {"POST", "/api/admin/users/1/reset-password"},
        {"GET", "/api/audit"}};
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        /* Role before body (§1.5): a bad body does not change the answer. */
        want_error(att_call(routes[i][0], routes[i][1], t.token, "{bad"), 403, "Admin access required");
        want_error(att_call(routes[i][0], routes[i][1], s.token, NULL), 403, "Admin access required");
        want_error(att_call(routes[i][0], routes[i][1], NULL, NULL), 401, "Missing Authorization Header");
    }
    /* An admin owns no classes and is never a student (§12.1, §19.1). */
    want_error(att_call("POST", "/api/classes/create", a.token, "{\"name\": \"X\"}"), 403,
               "Only teachers can create classes");
    want_error(att_call("POST", "/api/classes/join", a.token, "{\"join_code\": \"ABC123\"}"), 403,
               "Only students can join classes");
    want_error(att_call("POST", "/api/face-data/upload", a.token, "{}"), 403,
               "Only students can upload face data");
    /* update-role never grants or removes admin. */
    want_error(att_call("PUT", "/api/auth/update-role", a.token, "{\"role\": \"teacher\"}"), 409,
               "Role can no longer be changed");
    want_error(att_call("PUT", "/api/auth/update-role", s.token, "{\"role\": \"admin\"}"), 400,
               "Role must be either teacher or student");
    want_error(att_call("POST", "/api/auth/signup", NULL,
                        "{\"email\": \"x@example.io\", \"password\": \"" PW "\", \"first_name\": \"A\","
                        " \"last_name\": \"B\", \"role\": \"admin\"}"), 400,
               "Role must be either teacher or student");
    att_resp r = want_status(att_call("GET", "/api/auth/profile", a.token, NULL), 200);
    assert_string_equal(att_str(json_object_get(r.json, "user"), "role"), "admin");
    att_resp_free(&r);
}

static long long list_total(const user *a, const char *query)
{
    char p[512];
    snprintf(p, sizeof p, "/api/admin/users%s", query);
    att_resp r = want_status(att_call("GET", p, a->token, NULL), 200);
    json_t *users = json_object_get(r.json, "users");
    assert_true(json_is_array(users));
    long long total = jint(r.json, "total");
    att_resp_free(&r);
    return total;
}

static void test_list(void **state)
{
    user a, s1, s2;
    new_admin(&a, "List", "Er");
    new_user_email(&s1, "student", "Zoë", "Quixotic", "listq");
    new_user_email(&s2, "student", "Yan", "Quixotic", "listq");
    att_resp r = want_status(att_call("GET", "/api/admin/users?q=QUIXOTIC&limit=1", a.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 2);
    json_t *u = json_array_get(json_object_get(r.json, "users"), 0);
    assert_int_equal(jint(u, "id"), s2.id);   /* newest first */
    assert_string_equal(att_str(u, "status"), "active");
    att_resp_free(&r);
    assert_int_equal(list_total(&a, "?q=zo%C3%AB%20quix"), 1);          /* full name */
    assert_int_equal(list_total(&a, "?q=listq&role=student"), 2);        /* email */
    assert_int_equal(list_total(&a, "?q=listq&role=teacher"), 0);
    assert_int_equal(list_total(&a, "?q=listq&status=deactivated"), 0);
    assert_int_equal(list_total(&a, "?q=%25"), 0);                       /* % is literal */
    assert_true(list_total(&a, "?role=admin") >= 1);
    want_error(att_call("GET", "/api/admin/users?role=Teacher", a.token, NULL), 400,
               "role must be one of: teacher, student, admin");
    want_error(att_call("GET", "/api/admin/users?status=gone", a.token, NULL), 400,
               "status must be one of: active, pending, deactivated");
    char q[300] = "/api/admin/users?q=";
    memset(q + strlen(q), 'x', 201);
    want_error(att_call("GET", q, a.token, NULL), 400, "q must be at most 200 characters");
    q[strlen(q) - 1] = '\0';
    assert_int_equal(list_total(&a, q + strlen("/api/admin/users")), 0);
    want_error(att_call("GET", "/api/admin/users?limit=abc", a.token, NULL), 400,
               "limit must be an integer between 1 and 1000");
}

static void test_create(void **state)
{
    user a;
    new_admin(&a, "Make", "Er");
    want_error(att_call("POST", "/api/admin/users", a.token, "[]"), 400,
               "Request body must be a JSON object");
    want_error(att_call("POST", "/api/admin/users", a.token, "{}"), 400, "email is required");
    want_error(att_call("POST", "/api/admin/users", a.token,
                        "{\"email\": \"m@example.io\", \"password\": \"short\", \"first_name\": \"A\","
                        " \"last_name\": \"B\", \"role\": \"teacher\"}"), 400,
               "Password must be at least 8 characters long");
    want_error(att_call("POST", "/api/admin/users", a.token,
                        "{\"email\": \"m@example.io\", \"password\": \"" PW "\", \"first_name\": \"A\","
                        " \"last_name\": \"B\", \"role\": \"admin\"}"), 400,
               "Role must be either teacher or student");
    att_resp r = want_status(att_call("POST", "/api/admin/users", a.token,
                                      "{\"email\": \" Made.Teacher@Example.io \", \"password\": \"" PW
                                      "\", \"first_name\": \"Mo\", \"last_name\": \"Made\","
                                      " \"role\": \"teacher\"}"), 201);
    assert_string_equal(att_str(r.json, "message"), "User created");
    json_t *u = json_object_get(r.json, "user");
    long long id = jint(u, "id");
    assert_string_equal(att_str(u, "email"), "made.teacher@example.io");
    assert_string_equal(att_str(u, "role"), "teacher");
    assert_string_equal(att_str(u, "status"), "active");
    assert_null(json_object_get(r.json, "access_token"));
    att_resp_free(&r);
    want_error(att_call("POST", "/api/admin/users", a.token,
                        "{\"email\": \"made.teacher@example.io\", \"password\": \"" PW "\","
                        " \"first_name\": \"A\", \"last_name\": \"B\", \"role\": \"student\"}"), 409,
               "User with this email already exists");
    r = want_status(att_login("made.teacher@example.io", PW), 200);
    att_resp_free(&r);
    char p[160];
    snprintf(p, sizeof p, "/api/audit?action=account.created&subject_id=%lld", id);
    json_t *ev = audit_events(&a, p);
    assert_int_equal(json_array_size(ev), 1);
    assert_int_equal(jint(json_array_get(ev, 0), "actor_id"), a.id);
    assert_string_equal(att_str(json_array_get(ev, 0), "actor_name"), a.name);
    json_decref(ev);
}

static void test_status_changes(void **state)
{
    user a, s, other_admin;
    new_admin(&a, "Stat", "Us");
    new_admin(&other_admin, "Other", "Admin");
    new_user(&s, "student", "Dee", "Activated");
    want_error(att_call("POST", upath(999999999, "deactivate"), a.token, NULL), 404, "User not found");
    want_error(att_call("POST", upath(999999999, "approve"), a.token, NULL), 404, "User not found");
    want_error(att_call("POST", upath(other_admin.id, "deactivate"), a.token, NULL), 403,
               "Admins cannot be deactivated through the API");
    want_error(att_call("POST", upath(s.id, "approve"), a.token, NULL), 409,
               "User is not pending approval");
    want_error(att_call("POST", upath(s.id, "reactivate"), a.token, NULL), 409,
               "User is not deactivated");

    att_resp r = want_status(att_call("POST", upath(s.id, "deactivate"), a.token, NULL), 200);
    assert_string_equal(att_str(r.json, "message"), "User deactivated");
    assert_string_equal(att_str(json_object_get(r.json, "user"), "status"), "deactivated");
    assert_true(json_is_false(json_object_get(json_object_get(r.json, "user"), "is_active")));
    att_resp_free(&r);
    /* Every token stops at once; sign-in is refused. */
    want_error(att_call("GET", "/api/auth/profile", s.token, NULL), 401, "User not found or inactive");
    want_error(att_login(s.email, PW), 401, "Account is deactivated");
    want_error(att_call("POST", upath(s.id, "deactivate"), a.token, NULL), 409,
               "User is already deactivated");

    r = want_status(att_call("POST", upath(s.id, "reactivate"), a.token, NULL), 200);
    assert_string_equal(att_str(r.json, "message"), "User reactivated");
    assert_string_equal(att_str(json_object_get(r.json, "user"), "status"), "active");
    att_resp_free(&r);
    /* Old tokens stay dead (§19.10); a new sign-in works. */
    want_error(att_call("GET", "/api/auth/profile", s.token, NULL), 401, "Token has been revoked");
    r = want_status(att_login(s.email, PW), 200);
    att_resp_free(&r);

    char p[128];
    snprintf(p, sizeof p, "/api/audit?subject_id=%lld", s.id);
    json_t *ev = audit_events(&a, p);
    assert_string_equal(att_str(json_array_get(ev, 0), "action"), "account.reactivated");
    assert_string_equal(att_str(json_array_get(ev, 1), "action"), "account.deactivated");
    assert_int_equal(jint(json_array_get(ev, 1), "actor_id"), a.id);
    assert_int_equal(jint(json_array_get(ev, 1), "subject_id"), s.id);
    json_decref(ev);
}

static void test_reset_password(void **state)
{
    user a, t;
    new_admin(&a, "Re", "Set");
    new_user(&t, "teacher", "For", "Got");
    const char *p = upath(t.id, "reset-password");
    want_error(att_call("POST", p, a.token, "nope"), 400, "Invalid JSON body");
    want_error(att_call("POST", p, a.token, "{}"), 400, "new_password is required");
    want_error(att_call("POST", p, a.token, "{\"new_password\": null}"), 400, "new_password is required");
    want_error(att_call("POST", p, a.token, "{\"new_password\": 12345678}"), 400,
               "new_password must be a string");
    want_error(att_call("POST", p, a.token, "{\"new_password\": \"short\"}"), 400,
               "New password must be at least 8 characters long");
    char big[200] = "{\"new_password\": \"";
    memset(big + strlen(big), 'p', 129);
    strcat(big, "\"}");
    want_error(att_call("POST", p, a.token, big), 400, "New password must be at most 128 characters long");
    want_error(att_call("POST", upath(999999999, "reset-password"), a.token,
                        "{\"new_password\": \"brand-new-pass\"}"), 404, "User not found");
    /* Nothing changed so far. */
    att_resp r = want_status(att_call("GET", "/api/auth/profile", t.token, NULL), 200);
    att_resp_free(&r);

    r = want_status(att_call("POST", p, a.token, "{\"new_password\": \"brand-new-pass\"}"), 200);
    assert_string_equal(att_str(r.json, "message"), "Password reset");
    att_resp_free(&r);
    want_error(att_call("GET", "/api/auth/profile", t.token, NULL), 401, "Token has been revoked");
    want_error(att_login(t.email, PW), 401, "Invalid email or password");
    r = want_status(att_login(t.email, "brand-new-pass"), 200);
    att_resp_free(&r);
    char q[128];
    snprintf(q, sizeof q, "/api/audit?action=account.password_reset&subject_id=%lld", t.id);
    json_t *ev = audit_events(&a, q);
    assert_int_equal(json_array_size(ev), 1);
    json_decref(ev);
}

static long long stat_of(const json_t *st, const char *group, const char *key)
{
    return jint(group ? json_object_get(st, group) : st, key);
}

static void test_stats(void **state)
{
    user a, t, s;
    new_admin(&a, "Count", "Er");
    att_resp before = want_status(att_call("GET", "/api/admin/stats", a.token, NULL), 200);
    new_user(&t, "teacher", "Stat", "Teacher");
    new_user(&s, "student", "Stat", "Student");
    klass k1, k2;
    new_class(&t, "One", &k1);
    new_class(&t, "Two", &k2);
    join(&s, &k1);
    archive(&t, &k2);
    long long sess = new_session(&t, &k1, "S", NULL);
    mark_ok(&t, sess, &s, "present");
    att_resp after = want_status(att_call("GET", "/api/admin/stats", a.token, NULL), 200);
    const json_t *b = before.json, *f = after.json;
    assert_int_equal(stat_of(f, "users", "teacher") - stat_of(b, "users", "teacher"), 1);
    assert_int_equal(stat_of(f, "users", "student") - stat_of(b, "users", "student"), 1);
    assert_int_equal(stat_of(f, "users", "admin"), stat_of(b, "users", "admin"));
    stat_of(f, "users", "pending");
    stat_of(f, "users", "deactivated");
    assert_int_equal(stat_of(f, NULL, "classes") - stat_of(b, NULL, "classes"), 2);
    assert_int_equal(stat_of(f, NULL, "active_classes") - stat_of(b, NULL, "active_classes"), 1);
    assert_int_equal(stat_of(f, NULL, "sessions") - stat_of(b, NULL, "sessions"), 1);
    assert_int_equal(stat_of(f, NULL, "records") - stat_of(b, NULL, "records"), 1);
    assert_int_equal(stat_of(f, NULL, "students_with_face_data"),
                     stat_of(b, NULL, "students_with_face_data"));
    att_resp_free(&before);
    att_resp_free(&after);
}

static void test_audit_filters(void **state)
{
    user a;
    char sql[512];
    new_admin(&a, "Log", "Reader");
    snprintf(sql, sizeof sql,
             "INSERT INTO audit_events (at, action, actor_id, subject_id, class_id, details) VALUES"
             " (1000000000, 'filter.a', 900001, 900002, 900003, '{}'),"
             " (1000000100, 'filter.a', 900001, NULL, NULL, '{}'),"
             " (1000000200, 'filter.b', NULL, 900002, 900003, '{}')");
    assert_int_equal(fx_exec(sql), 0);
    static const struct {
        const char *query;
        size_t n;
    } cases[] = {
        {"action=filter.a", 2},
        {"action=filter.a&actor_id=900001&subject_id=900002", 1},
        {"subject_id=900002", 2},
        {"class_id=900003&action=filter.b", 1},
        {"actor_id=900001&since=2001-09-09T01:48:20Z", 1},          /* 1000000100 */
        {"actor_id=900001&until=2001-09-09T01:46:40Z", 1},          /* 1000000000 */
        {"action=filter.a&since=2001-09-09T01:46:40Z&until=2001-09-09T01:48:20Z", 2},
        {"action=filter.a&actor_id=-3", 0},
        {"action=filter.a&actor_id=0", 0},
        {"action=nothing.like.this", 0},
        {"action=", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char p[256];
        snprintf(p, sizeof p, "/api/audit?%s", cases[i].query);
        json_t *ev = audit_events(&a, p);
        if (json_array_size(ev) != cases[i].n)
            fail_msg("%s: %zu events, expected %zu", p, json_array_size(ev), cases[i].n);
        json_decref(ev);
    }
    json_t *ev = audit_events(&a, "/api/audit?action=filter.a");
    assert_string_equal(att_str(json_array_get(ev, 0), "at"), "2001-09-09T01:48:20Z");
    json_decref(ev);
    want_error(att_call("GET", "/api/audit?since=2001-09-09", a.token, NULL), 400,
               "since must be a timestamp");
    want_error(att_call("GET", "/api/audit?until=2001-13-09T01:46:40Z", a.token, NULL), 400,
               "until must be a timestamp");
    want_error(att_call("GET", "/api/audit?actor_id=abc", a.token, NULL), 400,
               "actor_id must be an integer");
    want_error(att_call("GET", "/api/audit?subject_id=1.5", a.token, NULL), 400,
               "subject_id must be an integer");
    want_error(att_call("GET", "/api/audit?class_id=99999999999999999999", a.token, NULL), 400,
               "class_id must be an integer");
    want_error(att_call("GET", "/api/audit?limit=0", a.token, NULL), 400,
               "limit must be an integer between 1 and 1000");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_gates),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_status_changes),
        cmocka_unit_test(test_reset_password),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_audit_filters),
    };
    /* Events dated years back must survive the start-up retention sweep. */
    static const char *const env[] = {"AUDIT_RETENTION_DAYS=36500", NULL};
    return att_run_group_env(argc, argv, tests, sizeof tests / sizeof *tests, env);
}
