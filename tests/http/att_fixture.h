#ifndef ATTENDLY_TESTS_HTTP_ATT_FIXTURE_H
#define ATTENDLY_TESTS_HTTP_ATT_FIXTURE_H
/* Shared by the attendance HTTP tests: requests with JSON replies, and fixtures built
 * through the public API (users, classes, enrollments, sessions, marks). */
#include <jansson.h>
#include <stddef.h>

typedef struct att_resp {
    long status;               /* 0 when no response arrived */
    json_t *json;              /* parsed body when it is JSON, else NULL */
    char *body;                /* raw body, NUL-terminated */
    size_t len;
    char content_type[128];
    char disposition[256];     /* Content-Disposition, "" when absent */
} att_resp;

/* Starts the server for the backend named by argv[1] ("sqlite" | "postgres");
 * returns 0, or -1 when it cannot (the reason is printed). */
int att_start(int argc, char **argv);
/* The same with extra "K=V" settings for the server (NULL-terminated, may be NULL). */
int att_start_env(int argc, char **argv, const char *const *extra_env);
/* The running server (for raw requests: headers, concurrency, its data directory). */
struct test_server;
const struct test_server *att_server(void);
/* Stops them; 0 when the server exited cleanly. */
int att_stop(void);
/* att_start, the group, att_stop: 1 when the server could not start, else failures plus one
 * for an unclean server exit, as 0/1. */
struct CMUnitTest;
int att_run_group(int argc, char **argv, const struct CMUnitTest *tests, size_t n);
#define ATT_RUN_GROUP(argc, argv, tests) \
    att_run_group((argc), (argv), (tests), sizeof(tests) / sizeof((tests)[0]))
/* The same with extra "K=V" settings (NULL-terminated). */
int att_run_group_env(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                      const char *const *extra_env);

/* One request. token NULL = no Authorization; body NULL = no body. */
att_resp att_call(const char *method, const char *path, const char *token, const char *body);
att_resp att_callf(const char *method, const char *path, const char *token,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
att_resp att_call_json(const char *method, const char *path, const char *token,
                       const json_t *body);
void att_resp_free(att_resp *r);
/* obj[key] as a string, "" when absent or not a string. */
const char *att_str(const json_t *obj, const char *key);

typedef struct user {
    long long id;
    char token[2048];
    char email[128];
    char name[200];
} user;

typedef struct klass {
    long long id;
    char code[16];
} klass;

/* A teacher with one class ("Math 101") and n (<= 4) enrolled students. */
typedef struct world {
    user teacher;
    klass cls;
    user st[4];
} world;

void new_user_email(user *u, const char *role, const char *first, const char *last,
                    const char *email_prefix);
void new_user(user *u, const char *role, const char *first, const char *last);
/* An admin made by `attendly admin create` (API.md §12.1), signed in. */
void new_admin(user *a, const char *first, const char *last);
/* POST /api/auth/login; returns the reply (the caller frees). */
att_resp att_login(const char *email, const char *password);
void new_class(const user *t, const char *name, klass *k);
void join(const user *s, const klass *k);
void leave(const user *s, const klass *k);
void remove_student(const user *t, const klass *k, const user *s);
void archive(const user *t, const klass *k);
void make_world(world *w, int n);

/* Creates a session (date NULL = today); returns its id. */
long long new_session(const user *t, const klass *k, const char *name, const char *date);
/* mark-attendance of one student with a status. */
att_resp mark(const user *t, long long session_id, const user *s, const char *status);
void mark_ok(const user *t, long long session_id, const user *s, const char *status);

/* Checks a reply's status and error message, then frees it. */
#define want_error(resp, code, message) \
    att_expect_error((resp), (code), (message), __FILE__, __LINE__)
void att_expect_error(att_resp r, long code, const char *message, const char *file, int line);
/* Checks status 200/201 and returns the reply (the caller frees). */
#define want_status(resp, code) att_expect_status((resp), (code), __FILE__, __LINE__)
att_resp att_expect_status(att_resp r, long code, const char *file, int line);

long long jint(const json_t *o, const char *key);
double jnum(const json_t *o, const char *key);
int is_timestamp(const json_t *v);
void today_plus(int days, char out[11]);
/* Every key and type of API.md §2 Session / Record. */
void check_session_shape(const json_t *s);
void check_record_shape(const json_t *r);
/* Every key and type of API.md §15 AuditEvent. */
void check_audit_event_shape(const json_t *e);
/* GET <path> as u (e.g. "/api/audit/me"): asserts 200, the shape of every event and a
 * total no smaller than the page; returns the `events` array (new reference). */
json_t *audit_events(const user *u, const char *path);
/* The first (newest) event of the list with this action, or NULL. */
const json_t *audit_find(const json_t *events, const char *action);
/* SessionStats with the expected numbers. */
void check_stats(const json_t *st, long long total, long long present, long long late,
                 long long absent, double rate);
/* snprintf into a static-per-call buffer for paths. */
const char *pathf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
