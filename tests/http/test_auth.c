/* HTTP tests of sign-up, login and login throttling (API.md §3.1, 3.2, 3.10) against a
 * real server on SQLite or PostgreSQL (argv[1]: "sqlite" or "pg"). */
#include "steps.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- signup ---------------------------------------------------------------------- */

static int g_n;

/* A valid signup body with `override` (JSON object text) merged in and `remove` (a key
 * or NULL) deleted. */
static char *signup_body(const char *override, const char *remove)
{
    json_t *base = json_pack("{s:s, s:s, s:s, s:s, s:s}",
                             "email", th_fmt("signup%d.%d@example.com", (int)getpid(), ++g_n),
                             "password", "password1", "first_name", "Ann",
                             "last_name", "Lee", "role", "student");
    char *out;

    if (override) {
        json_t *o = json_loads(override, JSON_ALLOW_NUL, NULL);
        assert_non_null(o);
        json_object_update(base, o);
        json_decref(o);
    }
    if (remove)
        json_object_del(base, remove);
    out = json_dumps(base, JSON_COMPACT);
    json_decref(base);
    return out;
}

static void signup_expect(const char *override, const char *remove, long status,
                          const char *msg)
{
    char *body = signup_body(override, remove);
    th_call_error("POST", "/api/auth/signup", NULL, body, status, msg);
    free(body);
}

static void test_signup_success(void **state)
{
    const char *email = th_fmt("  New.User%d@Example.COM ", (int)getpid());
    fx_resp r = fx_req("POST", "/api/auth/signup", NULL,
                       th_fmt("{\"email\":\"%s\",\"password\":\"  pass word \","
                              "\"first_name\":\"  Ann \",\"last_name\":\"\\tLee\\n\","
                              "\"role\":\"teacher\"}", email));
    json_t *u;
    char role[16];
    int64_t ver;

    assert_int_equal(r.status, 201);
    assert_string_equal(th_str(r.json, "message"), "User created successfully");
    u = json_object_get(r.json, "user");
    th_check_user(u);
    assert_string_equal(th_str(u, "email"), th_fmt("new.user%d@example.com", (int)getpid()));
    assert_string_equal(th_str(u, "first_name"), "Ann");
    assert_string_equal(th_str(u, "last_name"), "Lee");
    assert_string_equal(th_str(u, "full_name"), "Ann Lee");
    assert_string_equal(th_str(u, "role"), "teacher");
    assert_true(json_is_true(json_object_get(u, "is_active")));
    assert_string_equal(th_str(u, "created_at"), th_str(u, "updated_at"));
    th_token_claims(th_str(r.json, "access_token"), role, sizeof role, &ver);
    assert_string_equal(role, "teacher");
    assert_int_equal(ver, 0);
    th_str(r.json, "refresh_token");

    /* The token works, and the password was not trimmed. */
    tuser t = {0};
    snprintf(t.access, sizeof t.access, "%s", th_str(r.json, "access_token"));
    fx_free(&r);
    r = fx_req("GET", "/api/auth/profile", t.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    th_call_error("POST", "/api/auth/login", NULL,
                  th_fmt("{\"email\":\"new.user%d@example.com\",\"password\":\"pass word\"}",
                         (int)getpid()), 401, "Invalid email or password");
    r = fx_req("POST", "/api/auth/login", NULL,
               th_fmt("{\"email\":\"new.user%d@example.com\",\"password\":\"  pass word \"}",
                      (int)getpid()));
    assert_int_equal(r.status, 200);
    fx_free(&r);
}

static void test_signup_required(void **state)
{
    th_call_error("POST", "/api/auth/signup", NULL, "{}", 400, "email is required");
    th_call_error("POST", "/api/auth/signup", NULL, "", 400, "email is required");
    static const char *const keys[] = {"email", "password", "first_name", "last_name", "role"};
    for (int i = 0; i < 5; i++) {
        char msg[64], o[128];
        snprintf(msg, sizeof msg, "%s is required", keys[i]);
        signup_expect(NULL, keys[i], 400, msg);
        snprintf(o, sizeof o, "{\"%s\":null}", keys[i]);
        signup_expect(o, NULL, 400, msg);
        snprintf(o, sizeof o, "{\"%s\":\"\"}", keys[i]);
        signup_expect(o, NULL, 400, msg);
        if (i != 1) {   /* blank after trimming counts as missing, except passwords */
            snprintf(o, sizeof o, "{\"%s\":\" \\t \"}", keys[i]);
            signup_expect(o, NULL, 400, msg);
        }
        snprintf(msg, sizeof msg, "%s must be a string", keys[i]);
        snprintf(o, sizeof o, "{\"%s\":5}", keys[i]);
        signup_expect(o, NULL, 400, msg);
        snprintf(o, sizeof o, "{\"%s\":[\"x\"]}", keys[i]);
        signup_expect(o, NULL, 400, msg);
        snprintf(o, sizeof o, "{\"%s\":true}", keys[i]);
        signup_expect(o, NULL, 400, msg);
    }
    /* A blank password is not empty: it fails on length. */
    signup_expect("{\"password\":\"   \"}", NULL, 400, "Password must be at least 8 characters long");
    /* Field order: the first field's failure wins, whatever the later ones are. */
    signup_expect("{\"email\":5,\"password\":null}", NULL, 400, "email must be a string");
    signup_expect("{\"first_name\":5}", "password", 400, "password is required");
    signup_expect("{\"last_name\":5,\"role\":null}", NULL, 400, "last_name must be a string");
    /* Presence (step 1) comes before every format rule. */
    signup_expect("{\"email\":\"bad\",\"role\":null}", NULL, 400, "role is required");
    signup_expect("{\"password\":\"x\",\"first_name\":\"  \"}", NULL, 400,
                  "first_name is required");
}

static void test_signup_rules(void **state)
{
    const char *bad_emails[] = {"bad", "a@b", "a@b.c", "ann@ex ample.com", "ann@@x.io",
                                "@x.io", "ann@x.c0", "ann@x_y.io", "ann\\u0000@x.io"};
    for (size_t i = 0; i < sizeof bad_emails / sizeof *bad_emails; i++)
        signup_expect(th_fmt("{\"email\":\"%s\"}", bad_emails[i]), NULL, 400,
                      "Invalid email format");
    char long_email[300];
    memset(long_email, 'a', sizeof long_email);
    memcpy(long_email + 255 - 7, "@ab.com", 8);    /* 255 characters */
    signup_expect(th_fmt("{\"email\":\"%s\"}", long_email), NULL, 400, "Invalid email format");
    /* Email before password, password before names, names before role. */
    signup_expect("{\"email\":\"bad\",\"password\":\"short\"}", NULL, 400,
                  "Invalid email format");
    signup_expect("{\"password\":\"short\",\"first_name\":\"\\u0000\"}", NULL, 400,
                  "Password must be at least 8 characters long");
    signup_expect("{\"last_name\":\"\\u0000\",\"role\":\"admin\"}", NULL, 400,
                  "last_name contains invalid characters");

    /* Password length in code points: 7 four-byte characters are too short, 8
     * two-byte ones are enough; 129 is too long. */
    signup_expect("{\"password\":\"1234567\"}", NULL, 400,
                  "Password must be at least 8 characters long");
    signup_expect("{\"password\":\"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00"
                  "\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\"}", NULL, 400,
                  "Password must be at least 8 characters long");
    signup_expect("{\"password\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}",
                  NULL, 201, NULL);
    char pw[200];
    memset(pw, 'p', 129);
    pw[129] = '\0';
    signup_expect(th_fmt("{\"password\":\"%s\"}", pw), NULL, 400,
                  "Password must be at most 128 characters long");
    pw[128] = '\0';
    signup_expect(th_fmt("{\"password\":\"%s\"}", pw), NULL, 201, NULL);

    /* Names: at most 80 code points, no U+0000; first_name's rules before last_name's. */
    char name[600] = "";
    for (int i = 0; i < 81; i++)
        strcat(name, "\\u00e9");
    signup_expect(th_fmt("{\"first_name\":\"%s\"}", name), NULL, 400,
                  "first_name must be at most 80 characters");
    signup_expect(th_fmt("{\"last_name\":\"%s\"}", name), NULL, 400,
                  "last_name must be at most 80 characters");
    signup_expect(th_fmt("{\"first_name\":\"A\\u0000\",\"last_name\":\"%s\"}", name), NULL, 400,
                  "first_name contains invalid characters");
    signup_expect(th_fmt("{\"first_name\":\" %s \"}", name + 6), NULL, 201, NULL);  /* 80 */

    const char *bad_roles[] = {"admin", "Teacher", "STUDENT", "teacher2"};
    for (size_t i = 0; i < 4; i++)
        signup_expect(th_fmt("{\"role\":\"%s\"}", bad_roles[i]), NULL, 400,
                      "Role must be either teacher or student");
}

static void test_signup_duplicate(void **state)
{
    tuser u;
    th_signup(&u, "student");
    char upper[128];
    snprintf(upper, sizeof upper, "%s", u.email);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    signup_expect(th_fmt("{\"email\":\"%s\"}", u.email), NULL, 409,
                  "User with this email already exists");
    signup_expect(th_fmt("{\"email\":\"  %s \"}", upper), NULL, 409,
                  "User with this email already exists");
    /* Validation (400) comes before the conflict (409). */
    signup_expect(th_fmt("{\"email\":\"%s\",\"role\":\"x\"}", u.email), NULL, 400,
                  "Role must be either teacher or student");
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM users WHERE email = '%s'",
                                         u.email)), 1);
}

/* Concurrent sign-ups with one email: one 201, the others 409, never a 500. */
#define RACERS 8

typedef struct racer {
    const char *body;
    long status;
} racer;

static void *signup_racer(void *arg)
{
    racer *r = arg;
    fx_resp resp = fx_req("POST", "/api/auth/signup", NULL, r->body);
    r->status = resp.status;
    fx_free(&resp);
    return NULL;
}

static void test_signup_race(void **state)
{
    pthread_t th[RACERS];
    racer rs[RACERS];
    char body[256];
    int created = 0, conflicts = 0;

    snprintf(body, sizeof body, "{\"email\":\"race%d@example.com\",\"password\":\"password1\","
             "\"first_name\":\"R\",\"last_name\":\"C\",\"role\":\"student\"}", (int)getpid());
    for (int i = 0; i < RACERS; i++) {
        rs[i].body = body;
        assert_int_equal(pthread_create(&th[i], NULL, signup_racer, &rs[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        created += rs[i].status == 201;
        conflicts += rs[i].status == 409;
    }
    assert_int_equal(created, 1);
    assert_int_equal(conflicts, RACERS - 1);
}

static void test_signup_bad_bodies(void **state)
{
    th_call_error("POST", "/api/auth/signup", NULL, "{\"email\":", 400, "Invalid JSON body");
    th_call_error("POST", "/api/auth/signup", NULL, "[1,2]", 400,
                  "Request body must be a JSON object");
    th_call_error("POST", "/api/auth/signup", NULL, "null", 400,
                  "Request body must be a JSON object");
}

/* ---- login ----------------------------------------------------------------------- */

static void test_login(void **state)
{
    tuser u;
    th_signup(&u, "teacher");
    char first_access[2048];
    snprintf(first_access, sizeof first_access, "%s", u.access);

    fx_resp r = fx_req("POST", "/api/auth/login", NULL,
                       th_fmt("{\"email\":\"  %s \",\"password\":\"%s\",\"extra\":1}",
                              u.email, u.password));
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Login successful");
    th_check_user(json_object_get(r.json, "user"));
    assert_int_equal(th_int(json_object_get(r.json, "user"), "id"), u.id);
    assert_string_not_equal(th_str(r.json, "access_token"), first_access);
    th_str(r.json, "refresh_token");
    fx_free(&r);
    /* Earlier tokens stay valid. */
    r = fx_req("GET", "/api/auth/verify-token", first_access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    /* Upper-case email. */
    char upper[128];
    snprintf(upper, sizeof upper, "%s", u.email);
    upper[0] = 'U';
    r = fx_req("POST", "/api/auth/login", NULL,
               th_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", upper, u.password));
    assert_int_equal(r.status, 200);
    fx_free(&r);

    th_call_error("POST", "/api/auth/login", NULL,
                  th_fmt("{\"email\":\"%s\",\"password\":\"wrong-password\"}", u.email),
                  401, "Invalid email or password");
    th_call_error("POST", "/api/auth/login", NULL,
                  "{\"email\":\"nobody-here@example.com\",\"password\":\"whatever1\"}",
                  401, "Invalid email or password");
    /* A password is compared exactly: not trimmed. */
    th_call_error("POST", "/api/auth/login", NULL,
                  th_fmt("{\"email\":\"%s\",\"password\":\" %s\"}", u.email, u.password),
                  401, "Invalid email or password");
}

static void test_login_validation(void **state)
{
    const char *missing[] = {"{}", "", "{\"email\":\"a@b.io\"}", "{\"password\":\"x\"}",
                             "{\"email\":null,\"password\":\"x\"}",
                             "{\"email\":\"   \",\"password\":\"x\"}",
                             "{\"email\":\"a@b.io\",\"password\":\"\"}",
                             "{\"email\":5}",    /* missing password wins over the type */
                             "{\"email\":\"a@b.io\",\"password\":null}"};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++)
        th_call_error("POST", "/api/auth/login", NULL, missing[i], 400,
                      "Email and password are required");
    th_call_error("POST", "/api/auth/login", NULL, "{\"email\":5,\"password\":\"x\"}", 400,
                  "email must be a string");
    th_call_error("POST", "/api/auth/login", NULL, "{\"email\":\"a@b.io\",\"password\":[1]}",
                  400, "password must be a string");
    th_call_error("POST", "/api/auth/login", NULL, "{\"email\":{},\"password\":7}", 400,
                  "email must be a string");
    /* A password of spaces is not empty. */
    th_call_error("POST", "/api/auth/login", NULL,
                  "{\"email\":\"nobody2@example.com\",\"password\":\"  \"}", 401,
                  "Invalid email or password");
}

static void test_login_deactivated(void **state)
{
    tuser u;
    th_signup(&u, "student");
    assert_int_equal(fx_exec(th_fmt("UPDATE users SET is_active = 0 WHERE id = %lld",
                                    (long long)u.id)), 0);
    th_call_error("POST", "/api/auth/login", NULL,
                  th_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", u.email, u.password),
                  401, "Account is deactivated");
    /* Only after the password verified. */
    th_call_error("POST", "/api/auth/login", NULL,
                  th_fmt("{\"email\":\"%s\",\"password\":\"not-the-password\"}", u.email),
                  401, "Invalid email or password");
    /* Existing tokens stop working too. */
    fx_resp r = fx_req("GET", "/api/auth/profile", u.access, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(th_str(r.json, "error"), "User not found or inactive");
    fx_free(&r);
    /* Both failures were recorded for the email. */
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM login_failures WHERE email = '%s'",
                                         u.email)), 2);
}

static fx_resp login_from(const char *addr, const char *email, const char *password)
{
    const char *hdr[] = {th_fmt("X-Forwarded-For: %s, 10.9.9.9", addr), NULL};
    return fx_req_h("POST", "/api/auth/login", NULL,
                    th_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", email, password), hdr);
}

static void expect_status_from(const char *addr, const char *email, const char *password,
                               long status)
{
    fx_resp r = login_from(addr, email, password);
    if (r.status != status)
        fprintf(stderr, "login %s from %s: expected %ld, got %ld\n", email, addr, status,
                r.status);
    assert_int_equal(r.status, status);
    if (status == 429) {
        assert_string_equal(th_str(r.json, "error"), "Too many login attempts. Try again later.");
        long ra = atol(r.retry_after);
        assert_true(ra >= 1 && ra <= 900);
        assert_true(ra >= 880);   /* the oldest failure is seconds old */
    }
    fx_free(&r);
}

static void test_rate_limit_email(void **state)
{
    tuser u;
    th_signup(&u, "student");
    for (int i = 0; i < 10; i++)
        expect_status_from("10.1.0.1", u.email, "wrong-password", 401);
    /* The right password is refused too, from any address. */
    expect_status_from("10.1.0.1", u.email, u.password, 429);
    expect_status_from("10.1.0.2", u.email, u.password, 429);
    /* Upper case is the same normalised email. */
    char upper[160];
    snprintf(upper, sizeof upper, "  %s", u.email);
    upper[2] = 'U';
    expect_status_from("10.1.0.3", upper, u.password, 429);
    /* Refusals are not counted as failures. */
    assert_int_equal(fx_query_int(th_fmt("SELECT COUNT(*) FROM login_failures WHERE email = '%s'",
                                         u.email)), 10);
    /* The address is not blocked for other emails (10 < 50). */
    tuser v;
    th_signup(&v, "student");
    expect_status_from("10.1.0.1", v.email, v.password, 200);

    /* Unknown emails are counted too. */
    for (int i = 0; i < 10; i++)
        expect_status_from("10.1.0.4", "ghost-user@example.com", "x-password", 401);
    expect_status_from("10.1.0.4", "ghost-user@example.com", "x-password", 429);
}

static void test_rate_limit_cleared_by_success(void **state)
{
    tuser u;
    th_signup(&u, "student");
    for (int i = 0; i < 9; i++)
        expect_status_from("10.2.0.1", u.email, "wrong-password", 401);
    expect_status_from("10.2.0.1", u.email, u.password, 200);
    for (int i = 0; i < 9; i++)
        expect_status_from("10.2.0.1", u.email, "wrong-password", 401);
    /* 18 failures in the window, but only 9 since the success. */
    expect_status_from("10.2.0.1", u.email, u.password, 200);
}

static void test_rate_limit_address(void **state)
{
    tuser u;
    th_signup(&u, "student");
    for (int i = 0; i < 50; i++)
        expect_status_from("10.3.0.1", th_fmt("spray%d@example.com", i), "wrong-password", 401);
    /* A good login from that address is refused; from another address it works. */
    expect_status_from("10.3.0.1", u.email, u.password, 429);
    expect_status_from("10.3.0.2", u.email, u.password, 200);
    /* A success elsewhere does not clear the address. */
    expect_status_from("10.3.0.1", u.email, u.password, 429);
}

/* ---- runner ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    /* TRUST_PROXY lets the rate-limit tests speak from distinct addresses. */
    static const char *const env[] = {"TRUST_PROXY=1", NULL};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signup_success),
        cmocka_unit_test(test_signup_required),
        cmocka_unit_test(test_signup_rules),
        cmocka_unit_test(test_signup_duplicate),
        cmocka_unit_test(test_signup_race),
        cmocka_unit_test(test_signup_bad_bodies),
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_login_validation),
        cmocka_unit_test(test_login_deactivated),
        cmocka_unit_test(test_rate_limit_email),
        cmocka_unit_test(test_rate_limit_cleared_by_success),
        cmocka_unit_test(test_rate_limit_address),
    };
    return TH_RUN_GROUP(argc, argv, tests, env);
}
