/* HTTP tests of the signed-in account: refresh, logout, verify-token, profile,
 * change-password, update-role (API.md §3.3-3.9), against a real server on SQLite or
 * PostgreSQL (argv[1]: "sqlite" or "pg"). */
#include "steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- tokens: refresh, logout ----------------------------------------------------- */

static void test_refresh(void **state)
{
    tuser u;
    char role[16];
    int64_t ver;

    th_signup(&u, "student");
    fx_resp r = fx_req("POST", "/api/auth/refresh", u.refresh, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_object_size(r.json), 1);
    const char *access = th_str(r.json, "access_token");
    th_token_claims(access, role, sizeof role, &ver);
    assert_string_equal(role, "student");
    assert_int_equal(ver, 0);
    fx_resp p = fx_req("GET", "/api/auth/profile", access, NULL);
    assert_int_equal(p.status, 200);
    fx_free(&p);
    /* A refresh token is not an access token, and the other way round. */
    p = fx_req("GET", "/api/auth/profile", u.refresh, NULL);
    assert_int_equal(p.status, 401);
    assert_string_equal(th_str(p.json, "msg"), "Invalid token");
    fx_free(&p);
    fx_free(&r);
    r = fx_req("POST", "/api/auth/refresh", u.access, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(th_str(r.json, "error"), "Invalid token");
    assert_string_equal(th_str(r.json, "msg"), "Invalid token");
    fx_free(&r);
    /* The refresh token is not rotated: it works again. */
    r = fx_req("POST", "/api/auth/refresh", u.refresh, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    r = fx_req("POST", "/api/auth/refresh", NULL, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(th_str(r.json, "error"), "Missing Authorization Header");
    fx_free(&r);
}

static void expect_revoked(const char *method, const char *path, const char *token)
{
    fx_resp r = fx_req(method, path, token, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(th_str(r.json, "error"), "Token has been revoked");
    assert_string_equal(th_str(r.json, "msg"), "Token has been revoked");
    fx_free(&r);
}

static void expect_ok(const char *method, const char *path, const char *token)
{
    fx_resp r = fx_req(method, path, token, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
}

static void test_logout(void **state)
{
    tuser a, b, other;
    th_signup(&a, "student");
    b = a;
    th_login(&b);              /* a second session of the same user */
    th_signup(&other, "teacher");

    fx_resp r = fx_req("POST", "/api/auth/logout", a.access,
                       th_fmt("{\"refresh_token\":\"%s\"}", a.refresh));
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    assert_string_equal(th_str(r.json, "message"), "Logged out successfully");
    fx_free(&r);
    expect_revoked("GET", "/api/auth/verify-token", a.access);
    expect_revoked("POST", "/api/auth/refresh", a.refresh);
    expect_ok("GET", "/api/auth/verify-token", b.access);
    expect_ok("POST", "/api/auth/refresh", b.refresh);

    /* Someone else's refresh token, an access token in its place, or a non-string:
     * ignored. No body at all is fine. */
    r = fx_req("POST", "/api/auth/logout", b.access,
               th_fmt("{\"refresh_token\":\"%s\"}", other.refresh));
    assert_int_equal(r.status, 200);
    fx_free(&r);
    expect_ok("POST", "/api/auth/refresh", other.refresh);
    expect_revoked("GET", "/api/auth/profile", b.access);

    tuser c = a;
    th_login(&c);
    r = fx_req("POST", "/api/auth/logout", c.access, th_fmt("{\"refresh_token\":\"%s\"}", c.access));
    assert_int_equal(r.status, 200);
    fx_free(&r);
    expect_ok("POST", "/api/auth/refresh", c.refresh);
    th_login(&c);
    r = fx_req("POST", "/api/auth/logout", c.access, "{\"refresh_token\":12}");
    assert_int_equal(r.status, 200);
    fx_free(&r);
    th_login(&c);
    r = fx_req("POST", "/api/auth/logout", c.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    expect_revoked("GET", "/api/auth/profile", c.access);
    /* A revoked token cannot log out again. */
    expect_revoked("POST", "/api/auth/logout", c.access);

    /* Revocations are stored: they survive a restart. */
    assert_int_equal(fx_restart(), 0);
    expect_revoked("GET", "/api/auth/profile", a.access);
    expect_revoked("POST", "/api/auth/refresh", a.refresh);
    expect_ok("POST", "/api/auth/refresh", other.refresh);
}

/* ---- tokens with a jti of any length (API.md §1.6: 1-255 characters) --------------- */

/* A token of user u with a jti of `len` characters, unique per call; `jti` receives it. */
static char *long_jti_token(const tuser *u, const char *type, size_t len, char *jti)
{
    static int seq;
    long long now = (long long)time(NULL);
    int k = snprintf(jti, 300, "j%d-%d-", (int)getpid(), ++seq);
    memset(jti + k, 'x', len - (size_t)k);
    jti[len] = '\0';
    char *tok = fx_sign_token(th_fmt("{\"sub\":\"%lld\",\"role\":\"student\",\"type\":\"%s\","
                                     "\"jti\":\"%s\",\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,"
                                     "\"ver\":0}", (long long)u->id, type, jti, now, now,
                                     now + 600));
    assert_non_null(tok);
    return tok;
}

static int64_t revoked_rows(const char *jti)
{
    return fx_query_int(th_fmt("SELECT COUNT(*) FROM revoked_tokens WHERE jti = '%s'", jti));
}

static void test_long_jti(void **state)
{
    static const size_t lens[] = {64, 255};
    char jti[300], rjti[300];
    tuser u;

    th_signup(&u, "student");
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        char *access = long_jti_token(&u, "access", lens[i], jti);
        char *refresh = long_jti_token(&u, "refresh", lens[i], rjti);
        expect_ok("GET", "/api/auth/profile", access);
        expect_ok("GET", "/api/auth/verify-token", access);
        expect_ok("POST", "/api/auth/refresh", refresh);
        fx_resp r = fx_req("POST", "/api/auth/logout", access,
                           th_fmt("{\"refresh_token\":\"%s\"}", refresh));
        assert_int_equal(r.status, 200);
        fx_free(&r);
        /* Stored whole, not cut: both are revoked, a differing jti is not. */
        assert_int_equal(revoked_rows(jti), 1);
        assert_int_equal(revoked_rows(rjti), 1);
        expect_revoked("GET", "/api/auth/profile", access);
        expect_revoked("POST", "/api/auth/refresh", refresh);
        free(access);
        free(refresh);
        access = long_jti_token(&u, "access", lens[i], jti);
        expect_ok("GET", "/api/auth/profile", access);
        free(access);
    }
    /* 256 characters: not a well-formed claim. */
    char *tok = long_jti_token(&u, "access", 256, jti);
    fx_resp r = fx_req("GET", "/api/auth/profile", tok, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(th_str(r.json, "msg"), "Invalid token");
    fx_free(&r);
    free(tok);

    /* change-password with such a token: works, and every older token is then refused. */
    char *access = long_jti_token(&u, "access", 255, jti);
    r = fx_req("POST", "/api/auth/change-password", access,
               th_fmt("{\"current_password\":\"%s\",\"new_password\":\"another-pw-1\"}",
                      u.password));
    assert_int_equal(r.status, 200);
    fx_free(&r);
    expect_revoked("GET", "/api/auth/profile", access);
    expect_revoked("GET", "/api/auth/profile", u.access);
    free(access);
}

/* ---- profile --------------------------------------------------------------------- */

/* Moves the user's timestamps back to 1970, so that a later write shows in updated_at. */
static void age_user(int64_t id)
{
    assert_int_equal(fx_exec(th_fmt("UPDATE users SET created_at = 0, updated_at = 0 "
                                    "WHERE id = %lld", (long long)id)), 0);
}

static void expect_fresh_update(const json_t *user)
{
    assert_string_equal(th_str(user, "created_at"), "1970-01-01T00:00:00Z");
    assert_string_not_equal(th_str(user, "updated_at"), "1970-01-01T00:00:00Z");
}

/* Every protected route of §3 and §4 wants a token. */
static void test_routes_need_token(void **state)
{
    static const char *const routes[][2] = {
        {"POST", "/api/auth/refresh"}, {"POST", "/api/auth/logout"},
        {"GET", "/api/auth/verify-token"}, {"GET", "/api/auth/profile"},
        {"PUT", "/api/auth/profile"}, {"POST", "/api/auth/change-password"},
        {"PUT", "/api/auth/update-role"}, {"POST", "/api/classes/create"},
        {"GET", "/api/classes/my-classes"}, {"GET", "/api/classes/dashboard-stats"},
        {"GET", "/api/classes/1"}, {"PUT", "/api/classes/1/update"},
        {"DELETE", "/api/classes/1"}, {"POST", "/api/classes/join"},
        {"POST", "/api/classes/1/leave"}, {"POST", "/api/classes/1/regenerate-code"},
        {"DELETE", "/api/classes/1/students/2"}};

    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        fx_resp r = fx_req(routes[i][0], routes[i][1], NULL, "{}");
        assert_int_equal(r.status, 401);
        assert_string_equal(th_str(r.json, "msg"), "Missing Authorization Header");
        fx_free(&r);
        r = fx_req(routes[i][0], routes[i][1], "not.a.token", "{}");
        assert_int_equal(r.status, 401);
        assert_string_equal(th_str(r.json, "error"), "Invalid token");
        fx_free(&r);
    }
}

static void test_verify_and_profile(void **state)
{
    tuser u;
    th_signup(&u, "teacher");
    fx_resp r = fx_req("GET", "/api/auth/verify-token", u.access, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Token is valid");
    th_check_user(json_object_get(r.json, "user"));
    assert_string_equal(th_str(json_object_get(r.json, "user"), "email"), u.email);
    fx_free(&r);
    r = fx_req("GET", "/api/auth/profile", u.access, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_object_size(r.json), 1);
    th_check_user(json_object_get(r.json, "user"));
    assert_string_equal(th_str(json_object_get(r.json, "user"), "role"), "teacher");
    fx_free(&r);
    th_call_error("GET", "/api/auth/profile", NULL, NULL, 401, "Missing Authorization Header");
}

static void test_profile_update(void **state)
{
    tuser u, v;
    th_signup(&u, "student");
    th_signup(&v, "student");
    const char *new_email = th_fmt("renamed%d@example.com", (int)getpid());

    fx_resp r = fx_req("PUT", "/api/auth/profile", u.access,
                       th_fmt("{\"first_name\":\"  Zoe \",\"last_name\":\" Quinn\","
                              "\"email\":\"  %c%s \",\"role\":\"teacher\",\"password\":\"x\","
                              "\"id\":999999}", 'R', new_email + 1));
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Profile updated successfully");
    json_t *user = json_object_get(r.json, "user");
    th_check_user(user);
    assert_string_equal(th_str(user, "first_name"), "Zoe");
    assert_string_equal(th_str(user, "last_name"), "Quinn");
    assert_string_equal(th_str(user, "full_name"), "Zoe Quinn");
    assert_string_equal(th_str(user, "email"), new_email);
    assert_string_equal(th_str(user, "role"), "student");
    assert_int_equal(th_int(user, "id"), u.id);
    fx_free(&r);
    /* Stored: the profile reads back, the password is unchanged. */
    snprintf(u.email, sizeof u.email, "%s", new_email);
    th_login(&u);
    r = fx_req("GET", "/api/auth/profile", u.access, NULL);
    assert_string_equal(th_str(json_object_get(r.json, "user"), "full_name"), "Zoe Quinn");
    fx_free(&r);

    /* Partial update keeps the rest; the caller's own email (any case) is accepted. */
    r = fx_req("PUT", "/api/auth/profile", u.access,
               th_fmt("{\"last_name\":\"Ray\",\"email\":\"%c%s\"}", 'R', new_email + 1));
    assert_int_equal(r.status, 200);
    user = json_object_get(r.json, "user");
    assert_string_equal(th_str(user, "full_name"), "Zoe Ray");
    assert_string_equal(th_str(user, "email"), new_email);
    fx_free(&r);
    /* updated_at moves even when nothing changed (set far back first: no sleeping). */
    age_user(u.id);
    r = fx_req("PUT", "/api/auth/profile", u.access, "{}");
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(json_object_get(r.json, "user"), "full_name"), "Zoe Ray");
    expect_fresh_update(json_object_get(r.json, "user"));
    fx_free(&r);

    /* Another user's email, ignoring case. */
    th_call_error("PUT", "/api/auth/profile", u.access,
                  th_fmt("{\"email\":\"%s\"}", v.email), 409, "Email already taken");
    char upper[160];
    snprintf(upper, sizeof upper, " %s", v.email);
    upper[1] = 'U';
    th_call_error("PUT", "/api/auth/profile", u.access,
                  th_fmt("{\"first_name\":\"Changed\",\"email\":\"%s\"}", upper), 409,
                  "Email already taken");
    /* Nothing was written by the refused request. */
    r = fx_req("GET", "/api/auth/profile", u.access, NULL);
    assert_string_equal(th_str(json_object_get(r.json, "user"), "first_name"), "Zoe");
    fx_free(&r);
}

static void test_profile_validation(void **state)
{
    tuser u;
    th_signup(&u, "student");
    const char *keys[] = {"first_name", "last_name"};
    char long_name[200];
    memset(long_name, 'n', 81);
    long_name[81] = '\0';
    for (int i = 0; i < 2; i++) {
        const char *k = keys[i];
        th_call_error("PUT", "/api/auth/profile", u.access, th_fmt("{\"%s\":null}", k), 400,
                      th_fmt("%s cannot be empty", k));
        th_call_error("PUT", "/api/auth/profile", u.access, th_fmt("{\"%s\":\"  \"}", k), 400,
                      th_fmt("%s cannot be empty", k));
        th_call_error("PUT", "/api/auth/profile", u.access, th_fmt("{\"%s\":\"\"}", k), 400,
                      th_fmt("%s cannot be empty", k));
        th_call_error("PUT", "/api/auth/profile", u.access, th_fmt("{\"%s\":7}", k), 400,
                      th_fmt("%s must be a string", k));
        th_call_error("PUT", "/api/auth/profile", u.access,
                      th_fmt("{\"%s\":\"%s\"}", k, long_name), 400,
                      th_fmt("%s must be at most 80 characters", k));
        th_call_error("PUT", "/api/auth/profile", u.access, th_fmt("{\"%s\":\"a\\u0000b\"}", k),
                      400, th_fmt("%s contains invalid characters", k));
    }
    th_call_error("PUT", "/api/auth/profile", u.access, "{\"email\":null}", 400,
                  "email cannot be empty");
    th_call_error("PUT", "/api/auth/profile", u.access, "{\"email\":\" \"}", 400,
                  "email cannot be empty");
    th_call_error("PUT", "/api/auth/profile", u.access, "{\"email\":[]}", 400,
                  "email must be a string");
    th_call_error("PUT", "/api/auth/profile", u.access, "{\"email\":\"not-an-email\"}", 400,
                  "Invalid email format");
    /* Order: first_name, last_name, email. */
    th_call_error("PUT", "/api/auth/profile", u.access,
                  "{\"email\":\"bad\",\"last_name\":null,\"first_name\":5}", 400,
                  "first_name must be a string");
    th_call_error("PUT", "/api/auth/profile", u.access,
                  "{\"email\":\"bad\",\"last_name\":\"\"}", 400, "last_name cannot be empty");
    th_call_error("PUT", "/api/auth/profile", u.access, "[]", 400,
                  "Request body must be a JSON object");
    fx_resp r = fx_req("GET", "/api/auth/profile", u.access, NULL);
    json_t *user = json_object_get(r.json, "user");
    assert_string_equal(th_str(user, "email"), u.email);
    assert_string_not_equal(th_str(user, "first_name"), "bad");
    fx_free(&r);
}

/* ---- change-password ------------------------------------------------------------- */

static void test_change_password_validation(void **state)
{
    tuser u;
    th_signup(&u, "student");
    const char *req = "Current password and new password are required";
    const char *bodies[] = {"{}", "", "{\"current_password\":\"x\"}",
                            "{\"new_password\":\"abcdefgh\"}",
                            "{\"current_password\":\"\",\"new_password\":\"abcdefgh\"}",
                            "{\"current_password\":null,\"new_password\":\"abcdefgh\"}",
                            "{\"current_password\":5,\"new_password\":\"\"}"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
        th_call_error("POST", "/api/auth/change-password", u.access, bodies[i], 400, req);
    th_call_error("POST", "/api/auth/change-password", u.access,
                  "{\"current_password\":5,\"new_password\":6}", 400,
                  "current_password must be a string");
    th_call_error("POST", "/api/auth/change-password", u.access,
                  th_fmt("{\"current_password\":\"%s\",\"new_password\":true}", u.password), 400,
                  "new_password must be a string");
    /* A wrong current password is checked before the new one's length, and is an
     * application error: only "error", and the token stays valid. */
    fx_resp r = fx_req("POST", "/api/auth/change-password", u.access,
                       "{\"current_password\":\"wrong-one\",\"new_password\":\"x\"}");
    assert_int_equal(r.status, 401);
    assert_string_equal(th_str(r.json, "error"), "Current password is incorrect");
    assert_int_equal(json_object_size(r.json), 1);
    fx_free(&r);
    expect_ok("GET", "/api/auth/profile", u.access);
    th_call_error("POST", "/api/auth/change-password", u.access,
                  th_fmt("{\"current_password\":\"%s\",\"new_password\":\"1234567\"}", u.password),
                  400, "New password must be at least 8 characters long");
    char pw[200];
    memset(pw, 'q', 129);
    pw[129] = '\0';
    th_call_error("POST", "/api/auth/change-password", u.access,
                  th_fmt("{\"current_password\":\"%s\",\"new_password\":\"%s\"}", u.password, pw),
                  400, "New password must be at most 128 characters long");
    /* Nothing changed. */
    expect_ok("GET", "/api/auth/profile", u.access);
    th_login(&u);
}

static void test_change_password(void **state)
{
    tuser u, other_device;
    char role[16];
    int64_t ver;

    th_signup(&u, "teacher");
    other_device = u;
    th_login(&other_device);
    age_user(u.id);
    fx_resp r = fx_req("POST", "/api/auth/change-password", u.access,
                       th_fmt("{\"current_password\":\"%s\",\"new_password\":\"brand-new-pw\"}",
                              u.password));
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Password changed successfully");
    tuser n = u;
    snprintf(n.access, sizeof n.access, "%s", th_str(r.json, "access_token"));
    snprintf(n.refresh, sizeof n.refresh, "%s", th_str(r.json, "refresh_token"));
    fx_free(&r);
    th_token_claims(n.access, role, sizeof role, &ver);
    assert_int_equal(ver, 1);
    assert_string_equal(role, "teacher");

    /* Every earlier token, on every device, is refused; the new pair works. */
    expect_revoked("GET", "/api/auth/profile", u.access);
    expect_revoked("POST", "/api/auth/refresh", u.refresh);
    expect_revoked("GET", "/api/auth/profile", other_device.access);
    expect_revoked("POST", "/api/auth/refresh", other_device.refresh);
    expect_ok("GET", "/api/auth/profile", n.access);
    expect_ok("POST", "/api/auth/refresh", n.refresh);
    r = fx_req("GET", "/api/auth/profile", n.access, NULL);
    expect_fresh_update(json_object_get(r.json, "user"));   /* a password change counts */
    fx_free(&r);

    th_call_error("POST", "/api/auth/login", NULL,
                  th_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", u.email, u.password), 401,
                  "Invalid email or password");
    snprintf(n.password, sizeof n.password, "brand-new-pw");
    th_login(&n);
    th_token_claims(n.access, role, sizeof role, &ver);
    assert_int_equal(ver, 1);
}

/* ---- update-role ----------------------------------------------------------------- */

static void test_update_role_validation(void **state)
{
    tuser u;
    th_signup(&u, "student");
    const char *req[] = {"{}", "", "{\"role\":null}", "{\"role\":\"\"}", "{\"role\":\"  \"}"};
    for (size_t i = 0; i < 5; i++)
        th_call_error("PUT", "/api/auth/update-role", u.access, req[i], 400, "role is required");
    th_call_error("PUT", "/api/auth/update-role", u.access, "{\"role\":1}", 400,
                  "role must be a string");
    th_call_error("PUT", "/api/auth/update-role", u.access, "{\"role\":\"admin\"}", 400,
                  "Role must be either teacher or student");
    th_call_error("PUT", "/api/auth/update-role", u.access, "{\"role\":\"Teacher\"}", 400,
                  "Role must be either teacher or student");
}

static void test_update_role(void **state)
{
    tuser u;
    char role[16];
    int64_t ver;

    th_signup(&u, "student");
    fx_resp before = fx_req("GET", "/api/auth/profile", u.access, NULL);

    /* Same role: 200, no change, still a token. */
    fx_resp r = fx_req("PUT", "/api/auth/update-role", u.access, "{\"role\":\"student\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(r.json, "message"), "Role updated successfully");
    th_check_user(json_object_get(r.json, "user"));
    assert_string_equal(th_str(json_object_get(r.json, "user"), "updated_at"),
                        th_str(json_object_get(before.json, "user"), "updated_at"));
    th_token_claims(th_str(r.json, "access_token"), role, sizeof role, &ver);
    assert_string_equal(role, "student");
    fx_free(&r);
    fx_free(&before);

    /* A new account may switch; the new token carries the new role, the old token sees
     * it too (roles come from the database). */
    age_user(u.id);
    r = fx_req("PUT", "/api/auth/update-role", u.access, "{\"role\":\"teacher\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(th_str(json_object_get(r.json, "user"), "role"), "teacher");
    expect_fresh_update(json_object_get(r.json, "user"));
    th_token_claims(th_str(r.json, "access_token"), role, sizeof role, &ver);
    assert_string_equal(role, "teacher");
    assert_int_equal(ver, 0);
    fx_free(&r);
    r = fx_req("POST", "/api/classes/create", u.access, "{\"name\":\"Onboarding\"}");
    assert_int_equal(r.status, 201);
    fx_free(&r);
    /* Now it has history. */
    th_call_error("PUT", "/api/auth/update-role", u.access, "{\"role\":\"student\"}", 409,
                  "Role can no longer be changed");
    /* The same role is still a 200. */
    r = fx_req("PUT", "/api/auth/update-role", u.access, "{\"role\":\"teacher\"}");
    assert_int_equal(r.status, 200);
    fx_free(&r);
}

static void expect_role_locked(const tuser *u, const char *to)
{
    th_call_error("PUT", "/api/auth/update-role", u->access, th_fmt("{\"role\":\"%s\"}", to),
                  409, "Role can no longer be changed");
}

static void test_update_role_history(void **state)
{
    tuser t, s_left, s_face, s_record, marker;
    char code[8];

    /* An archived class still counts. */
    th_signup(&t, "teacher");
    int64_t cls = th_create_class(&t, "Archived", code);
    fx_resp r = fx_req("DELETE", th_class_path(cls, NULL), t.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    expect_role_locked(&t, "student");

    /* An inactive enrollment counts. */
    tuser t2;
    th_signup(&t2, "teacher");
    int64_t cls2 = th_create_class(&t2, "History", code);
    th_signup(&s_left, "student");
    th_join(&s_left, code);
    r = fx_req("POST", th_class_path(cls2, "/leave"), s_left.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    expect_role_locked(&s_left, "teacher");

    /* Stored face data. */
    th_signup(&s_face, "student");
    assert_int_equal(fx_exec(th_fmt(
        "INSERT INTO face_data (user_id, upload_method, encoding_version, created_at, "
        "updated_at) VALUES (%lld, 'single_image', 'v', 0, 0)", (long long)s_face.id)), 0);
    expect_role_locked(&s_face, "teacher");

    /* An attendance record as the student, and one marked by the user. */
    th_signup(&s_record, "student");
    th_signup(&marker, "student");
    assert_int_equal(fx_exec(th_fmt(
        "INSERT INTO attendance_sessions (class_id, session_name, session_date, created_by, "
        "total_students, created_at, updated_at) VALUES (%lld, 'h', '2024-01-01', %lld, 0, 0, 0)",
        (long long)cls2, (long long)t2.id)), 0);
    int64_t sid = fx_query_int(th_fmt("SELECT MAX(id) FROM attendance_sessions WHERE class_id = %lld",
                                      (long long)cls2));
    assert_int_equal(fx_exec(th_fmt(
        "INSERT INTO attendance_records (session_id, student_id, status, recognition_method, "
        "marked_by, marked_at, updated_at) VALUES (%lld, %lld, 'present', 'manual', %lld, 0, 0)",
        (long long)sid, (long long)s_record.id, (long long)marker.id)), 0);
    expect_role_locked(&s_record, "teacher");
    expect_role_locked(&marker, "teacher");

    /* The refused change left the role alone. */
    r = fx_req("GET", "/api/auth/profile", s_face.access, NULL);
    assert_string_equal(th_str(json_object_get(r.json, "user"), "role"), "student");
    fx_free(&r);
}

/* ---- runner ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_need_token),
        cmocka_unit_test(test_refresh),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_long_jti),
        cmocka_unit_test(test_verify_and_profile),
        cmocka_unit_test(test_profile_update),
        cmocka_unit_test(test_profile_validation),
        cmocka_unit_test(test_change_password_validation),
        cmocka_unit_test(test_change_password),
        cmocka_unit_test(test_update_role_validation),
        cmocka_unit_test(test_update_role),
        cmocka_unit_test(test_update_role_history),
    };
    return TH_RUN_GROUP(argc, argv, tests, NULL);
}
