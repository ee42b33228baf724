#ifndef ATTENDLY_TESTS_HTTP_STEPS_H
#define ATTENDLY_TESTS_HTTP_STEPS_H
/* Shared steps of the auth and class HTTP tests (cmocka assertions inside). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "fixture.h"

typedef struct tuser {
    int64_t id;
    char email[128];
    char password[64];
    char access[2048];
    char refresh[2048];
} tuser;

/* Signs up a fresh user with a unique email (role "teacher" or "student"). */
void th_signup(tuser *u, const char *role);
/* Logs the user in again; refreshes u->access/u->refresh. */
void th_login(tuser *u);

/* Asserts the status and, when msg is non-NULL, {"error": msg}; frees r. */
void th_expect_error(fx_resp *r, long status, const char *msg);
/* One request, then th_expect_error. */
void th_call_error(const char *method, const char *path, const char *token,
                   const char *body, long status, const char *msg);

/* Object shape checks (API.md §2): every key present with its JSON type. */
void th_check_user(const json_t *u);
void th_check_class(const json_t *c);
int th_is_timestamp(const char *s);

const char *th_str(const json_t *obj, const char *key);
int64_t th_int(const json_t *obj, const char *key);

/* Creates a class owned by `t`; returns its id and writes its join code. */
int64_t th_create_class(const tuser *t, const char *name, char code[8]);
/* Joins with the code; asserts 200. */
void th_join(const tuser *s, const char *code);

/* "/api/classes/<id><suffix>" (suffix may be NULL). */
const char *th_class_path(int64_t id, const char *suffix);

/* printf into a static rotating buffer (for paths and bodies). */
const char *th_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs the group on a server started with fx_start for the backend in argv[1] (default
 * "sqlite") and extra_env (may be NULL), stopped afterwards; the group is named after the
 * backend. Returns cmocka's count of failures. */
int th_run_group(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                 const char *const *extra_env);
#define TH_RUN_GROUP(argc, argv, tests, extra_env) \
    th_run_group((argc), (argv), (tests), sizeof(tests) / sizeof((tests)[0]), (extra_env))

/* The user id claim and role claim of a token (payload decoded without checks). */
void th_token_claims(const char *token, char *role, size_t role_len, int64_t *ver);

#endif
