/* Shared steps of the auth and class HTTP tests. */
#include "steps.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base64.h"

static int g_seq;

/* ---- runner ---------------------------------------------------------------------- */

static const char *g_run_backend = "sqlite";
static const char *const *g_run_env;

static int run_setup(void **state)
{
    (void)state;
    return fx_start(g_run_backend, g_run_env);
}

static int run_teardown(void **state)
{
    (void)state;
    return fx_stop();
}

int th_run_group(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                 const char *const *extra_env)
{
    if (argc > 1)
        g_run_backend = argv[1];
    g_run_env = extra_env;
    return _cmocka_run_group_tests(g_run_backend, tests, n, run_setup, run_teardown);
}

const char *th_fmt(const char *fmt, ...)
{
    static char bufs[8][8192];
    static int next;
    char *b = bufs[next++ % 8];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(b, sizeof bufs[0], fmt, ap);
    va_end(ap);
    return b;
}

const char *th_class_path(int64_t id, const char *suffix)
{
    return th_fmt("/api/classes/%lld%s", (long long)id, suffix ? suffix : "");
}

const char *th_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

int64_t th_int(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static void take_tokens(tuser *u, const json_t *body)
{
    snprintf(u->access, sizeof u->access, "%s", th_str(body, "access_token"));
    snprintf(u->refresh, sizeof u->refresh, "%s", th_str(body, "refresh_token"));
}

void th_signup(tuser *u, const char *role)
{
    fx_resp r;

    memset(u, 0, sizeof *u);
    snprintf(u->email, sizeof u->email, "user%d.%d@example.com", (int)getpid(), ++g_seq);
    snprintf(u->password, sizeof u->password, "pass-word-%d", g_seq);
    r = fx_req("POST", "/api/auth/signup", NULL,
               th_fmt("{\"email\":\"%s\",\"password\":\"%s\",\"first_name\":\"First%d\","
                      "\"last_name\":\"Last%d\",\"role\":\"%s\"}",
                      u->email, u->password, g_seq, g_seq, role));
    assert_int_equal(r.status, 201);
    u->id = th_int(json_object_get(r.json, "user"), "id");
    take_tokens(u, r.json);
    fx_free(&r);
}

void th_login(tuser *u)
{
    fx_resp r = fx_req("POST", "/api/auth/login", NULL,
                       th_fmt("{\"email\":\"%s\",\"password\":\"%s\"}", u->email, u->password));
    assert_int_equal(r.status, 200);
    take_tokens(u, r.json);
    fx_free(&r);
}

void th_expect_error(fx_resp *r, long status, const char *msg)
{
    if (r->status != status || (msg && !json_is_string(json_object_get(r->json, "error")))) {
        char *dump = r->json ? json_dumps(r->json, 0) : NULL;
        fprintf(stderr, "expected %ld \"%s\", got %ld %s\n", status, msg ? msg : "",
                r->status, dump ? dump : "(no JSON)");
        free(dump);
    }
    assert_int_equal(r->status, status);
    if (msg)
        assert_string_equal(th_str(r->json, "error"), msg);
    fx_free(r);
}

void th_call_error(const char *method, const char *path, const char *token,
                   const char *body, long status, const char *msg)
{
    fx_resp r = fx_req(method, path, token, body);
    th_expect_error(&r, status, msg);
}

int th_is_timestamp(const char *s)
{
    regex_t re;
    int ok;

    regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", REG_EXTENDED);
    ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

void th_check_user(const json_t *u)
{
    char full[512];

    assert_true(json_is_object(u));
    assert_true(th_int(u, "id") > 0);
    th_str(u, "email");
    snprintf(full, sizeof full, "%s %s", th_str(u, "first_name"), th_str(u, "last_name"));
    assert_string_equal(th_str(u, "full_name"), full);
    assert_true(strcmp(th_str(u, "role"), "teacher") == 0 ||
                strcmp(th_str(u, "role"), "student") == 0 ||
                strcmp(th_str(u, "role"), "admin") == 0);
    assert_true(th_is_timestamp(th_str(u, "created_at")));
    assert_true(th_is_timestamp(th_str(u, "updated_at")));
    assert_true(json_is_boolean(json_object_get(u, "is_active")));
    /* §12.2: is_active is false only for a deactivated account. */
    const char *status = th_str(u, "status");
    assert_true(strcmp(status, "active") == 0 || strcmp(status, "pending") == 0 ||
                strcmp(status, "deactivated") == 0);
    assert_int_equal(json_is_true(json_object_get(u, "is_active")),
                     strcmp(status, "deactivated") != 0);
    assert_int_equal(json_object_size(u), 10);   /* no hash, no token version */
}

void th_check_class(const json_t *c)
{
    const char *code;

    assert_true(json_is_object(c));
    assert_true(th_int(c, "id") > 0);
    th_str(c, "name");
    th_str(c, "description");
    code = th_str(c, "join_code");
    assert_int_equal(strlen(code), 6);
    assert_int_equal(strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), 6);
    assert_true(th_int(c, "teacher_id") > 0);
    th_str(c, "teacher_name");
    assert_true(th_is_timestamp(th_str(c, "created_at")));
    assert_true(th_is_timestamp(th_str(c, "updated_at")));
    assert_true(json_is_true(json_object_get(c, "is_active")));
    assert_int_equal(th_int(c, "student_count"), th_int(c, "total_students"));
}

int64_t th_create_class(const tuser *t, const char *name, char code[8])
{
    fx_resp r = fx_req("POST", "/api/classes/create", t->access,
                       th_fmt("{\"name\":\"%s\"}", name));
    json_t *c;
    int64_t id;

    assert_int_equal(r.status, 201);
    c = json_object_get(r.json, "class");
    id = th_int(c, "id");
    if (code)
        snprintf(code, 8, "%s", th_str(c, "join_code"));
    fx_free(&r);
    return id;
}

void th_join(const tuser *s, const char *code)
{
    fx_resp r = fx_req("POST", "/api/classes/join", s->access,
                       th_fmt("{\"join_code\":\"%s\"}", code));
    assert_int_equal(r.status, 200);
    fx_free(&r);
}

void th_token_claims(const char *token, char *role, size_t role_len, int64_t *ver)
{
    const char *a = strchr(token, '.'), *b = a ? strchr(a + 1, '.') : NULL;
    size_t n = 0;
    unsigned char *raw = NULL;
    json_t *j;

    assert_non_null(b);
    assert_int_equal(base64_decode(a + 1, (size_t)(b - a - 1), &raw, &n), 0);
    j = json_loadb((const char *)raw, n, 0, NULL);
    assert_non_null(j);
    snprintf(role, role_len, "%s", th_str(j, "role"));
    *ver = th_int(j, "ver");
    json_decref(j);
    free(raw);
}
