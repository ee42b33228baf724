/* HTTP tests of the sign-up policy (API.md §12.2, §19.9, §19.14): TEACHER_SIGNUP=approval
 * with SIGNUP_EMAIL_DOMAINS on one server, TEACHER_SIGNUP=closed on another; the order of
 * the policy checks between field validation and the duplicate-email 409. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "att_fixture.h"
#include "fixture.h"

#define PW "correct-horse-1"

static att_resp signup(const char *email, const char *role)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", email, "password", PW,
                          "first_name", "Pol", "last_name", "Icy", "role", role);
    att_resp r = att_call_json("POST", "/api/auth/signup", NULL, b);
    json_decref(b);
    return r;
}

/* ---- approval + domains -------------------------------------------------------------- */

static void test_domains(void **state)
{
    want_error(signup("someone@elsewhere.example", "student"), 403,
               "Sign-up is restricted to approved email domains");
    want_error(signup("sub@mail.example.io", "student"), 403,
               "Sign-up is restricted to approved email domains");   /* no subdomains */
    want_error(signup("not-an-email", "student"), 400, "Invalid email format");   /* fields first */
    att_resp r = want_status(signup("Upper@SCHOOL.example", "student"), 201);   /* any case */
    assert_string_equal(att_str(json_object_get(r.json, "user"), "status"), "active");
    att_resp_free(&r);
    want_error(signup("upper@school.example", "student"), 409, "User with this email already exists");
    /* An existing account with a refused domain: the 403 comes first (§19.9). */
    assert_int_equal(fx_exec("INSERT INTO users (email, password_hash, first_name, last_name, role,"
                             " created_at, updated_at) VALUES ('old@elsewhere.example', 'x', 'O',"
                             " 'Ld', 'student', 1, 1)"), 0);
    want_error(signup("old@elsewhere.example", "student"), 403,
               "Sign-up is restricted to approved email domains");
}

static void test_pending_teacher(void **state)
{
    user a, s;
    char email[64];
    snprintf(email, sizeof email, "pending%d@example.io", 1);
    att_resp r = want_status(signup(email, "teacher"), 201);
    json_t *u = json_object_get(r.json, "user");
    long long id = jint(u, "id");
    assert_string_equal(att_str(u, "status"), "pending");
    assert_true(json_is_true(json_object_get(u, "is_active")));
    char token[2048];
    snprintf(token, sizeof token, "%s", att_str(r.json, "access_token"));
    att_resp_free(&r);

    /* Signs in and uses the any-role routes; every teacher-only route says pending. */
    r = want_status(att_login(email, PW), 200);
    att_resp_free(&r);
    r = want_status(att_call("GET", "/api/auth/profile", token, NULL), 200);
    att_resp_free(&r);
    r = want_status(att_call("GET", "/api/classes/my-classes", token, NULL), 200);
    att_resp_free(&r);
    want_error(att_call("POST", "/api/classes/create", token, "{\"name\": \"Waiting\"}"), 403,
               "Teacher account pending approval");
    want_error(att_call("GET", "/api/face-data/stats", token, NULL), 403,
               "Teacher account pending approval");
    want_error(att_call("POST", "/api/attendance/create-session", token, "{bad"), 403,
               "Teacher account pending approval");
    /* Student routes keep their own message. */
    want_error(att_call("POST", "/api/classes/join", token, "{}"), 403,
               "Only students can join classes");
    new_user(&s, "student", "Not", "Pending");
    r = want_status(att_call("GET", "/api/auth/profile", s.token, NULL), 200);
    assert_string_equal(att_str(json_object_get(r.json, "user"), "status"), "active");
    att_resp_free(&r);

    new_admin(&a, "Appro", "Ver");
    r = want_status(att_call("GET", "/api/admin/users?status=pending", a.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 1);
    att_resp_free(&r);
    char p[96];
    snprintf(p, sizeof p, "/api/admin/users/%lld/approve", id);
    r = want_status(att_call("POST", p, a.token, NULL), 200);
    assert_string_equal(att_str(r.json, "message"), "User approved");
    assert_string_equal(att_str(json_object_get(r.json, "user"), "status"), "active");
    att_resp_free(&r);
    want_error(att_call("POST", p, a.token, NULL), 409, "User is not pending approval");
    /* The same token now passes the teacher gate. */
    r = want_status(att_call("POST", "/api/classes/create", token, "{\"name\": \"Approved\"}"), 201);
    att_resp_free(&r);
    snprintf(p, sizeof p, "/api/audit?action=account.approved&subject_id=%lld", id);
    json_t *ev = audit_events(&a, p);
    assert_int_equal(json_array_size(ev), 1);
    json_decref(ev);
    /* The admin's own creation ignores the policy: an active teacher at any domain. */
    r = want_status(att_call("POST", "/api/admin/users", a.token,
                             "{\"email\": \"direct@elsewhere.example\", \"password\": \"" PW "\","
                             " \"first_name\": \"Di\", \"last_name\": \"Rect\", \"role\": \"teacher\"}"),
                    201);
    assert_string_equal(att_str(json_object_get(r.json, "user"), "status"), "active");
    att_resp_free(&r);
}

/* ---- closed -------------------------------------------------------------------------- */

static void test_closed(void **state)
{
    user a;
    want_error(signup("closed.t@example.io", "teacher"), 403, "Teacher sign-up is disabled");
    want_error(att_call("POST", "/api/auth/signup", NULL,
                        "{\"email\": \"closed.t@example.io\", \"role\": \"teacher\"}"), 400,
               "password is required");
    att_resp r = want_status(signup("closed.s@example.io", "student"), 201);
    att_resp_free(&r);
    /* Closed comes before the duplicate-email 409 (§19.14). */
    want_error(signup("closed.s@example.io", "teacher"), 403, "Teacher sign-up is disabled");
    assert_int_equal(fx_query_int("SELECT COUNT(*) FROM users WHERE email = 'closed.t@example.io'"), 0);
    new_admin(&a, "Clo", "Sed");
    r = want_status(att_call("POST", "/api/admin/users", a.token,
                             "{\"email\": \"closed.t@example.io\", \"password\": \"" PW "\","
                             " \"first_name\": \"By\", \"last_name\": \"Admin\", \"role\": \"teacher\"}"),
                    201);
    att_resp_free(&r);
    r = want_status(att_login("closed.t@example.io", PW), 200);
    att_resp_free(&r);
}

int main(int argc, char **argv)
{
    static const char *const approval[] = {"TEACHER_SIGNUP=approval",
                                           "SIGNUP_EMAIL_DOMAINS= example.io , School.Example",
                                           NULL};
    static const char *const closed[] = {"TEACHER_SIGNUP=closed", NULL};
    const struct CMUnitTest first[] = {
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_pending_teacher),
    };
    const struct CMUnitTest second[] = {
        cmocka_unit_test(test_closed),
    };
    int failed = 0;
    if (att_start_env(argc, argv, approval) < 0)
        return 1;
    failed += _cmocka_run_group_tests("approval", first, 2, NULL, NULL);
    failed += att_stop() != 0;
    if (att_start_env(argc, argv, closed) < 0)
        return 1;
    failed += _cmocka_run_group_tests("closed", second, 1, NULL, NULL);
    failed += att_stop() != 0;
    return failed ? 1 : 0;
}
