/* Fixtures of the attendance HTTP tests, built only through the public API, on the server
 * of fixture.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "att_fixture.h"
#include "common/client.h"
#include "common/server.h"
#include "fixture.h"

/* ---- the server and requests ------------------------------------------------------------ */

int att_start(int argc, char **argv)
{
    return att_start_env(argc, argv, NULL);
}

const test_server *att_server(void)
{
    return fx_server();
}

int att_start_env(int argc, char **argv, const char *const *extra_env)
{
    if (argc != 2 || (strcmp(argv[1], "sqlite") && strcmp(argv[1], "pg"))) {
        fprintf(stderr, "usage: %s sqlite|pg\n", argv[0]);
        return -1;
    }
    if (fx_start(argv[1], extra_env) < 0) {
        fx_stop();
        return -1;
    }
    return 0;
}

int att_stop(void)
{
    if (fx_stop() == 0)
        return 0;
    fprintf(stderr, "unclean server exit\n");
    return -1;
}

int att_run_group(int argc, char **argv, const struct CMUnitTest *tests, size_t n)
{
    return att_run_group_env(argc, argv, tests, n, NULL);
}

int att_run_group_env(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
                      const char *const *extra_env)
{
    if (att_start_env(argc, argv, extra_env) < 0)
        return 1;
    int failed = _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
    if (att_stop() != 0)
        failed++;
    return failed ? 1 : 0;
}

att_resp att_call(const char *method, const char *path, const char *token, const char *body)
{
    att_resp r;
    http_resp h;
    http_opts o = {.bearer = token};
    memset(&r, 0, sizeof r);
    if (http_call(fx_server(), method, path, body, body ? strlen(body) : 0, &o, &h) != 0)
        return r;
    r.status = h.status;
    r.json = h.json;
    r.body = h.body;
    r.len = h.len;
    if (!http_header(&h, "Content-Type", r.content_type, sizeof r.content_type))
        r.content_type[0] = '\0';
    if (!http_header(&h, "Content-Disposition", r.disposition, sizeof r.disposition))
        r.disposition[0] = '\0';
    h.json = NULL;   /* now r's */
    h.body = NULL;
    http_resp_free(&h);
    return r;
}

void att_resp_free(att_resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *att_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

att_resp att_callf(const char *method, const char *path, const char *token, const char *fmt, ...)
{
    char body[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return att_call(method, path, token, body);
}

att_resp att_call_json(const char *method, const char *path, const char *token,
                       const json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    att_resp r = att_call(method, path, token, s);
    free(s);
    return r;
}

void att_expect_error(att_resp r, long code, const char *message, const char *file, int line)
{
    int ok = r.status == code && r.json && strcmp(att_str(r.json, "error"), message) == 0;
    if (!ok) {
        print_error("%s:%d: want %ld '%s', got %ld %s\n", file, line, code, message, r.status,
                    r.body ? r.body : "(no body)");
        att_resp_free(&r);
        fail();
    }
    att_resp_free(&r);
}

att_resp att_expect_status(att_resp r, long code, const char *file, int line)
{
    if (r.status != code) {
        print_error("%s:%d: want %ld, got %ld %s\n", file, line, code, r.status,
                    r.body ? r.body : "(no body)");
        att_resp_free(&r);
        fail();
    }
    return r;
}

const char *pathf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return buf;
}

/* ---- users, classes, enrollments -------------------------------------------------------- */

static int g_seq;

void new_user_email(user *u, const char *role, const char *first, const char *last,
                    const char *email_prefix)
{
    memset(u, 0, sizeof *u);
    snprintf(u->email, sizeof u->email, "%s%d.%ld@example.io", email_prefix, ++g_seq,
             (long)getpid());
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", u->email,
                             "password", "correct-horse-1", "first_name", first,
                             "last_name", last, "role", role);
    att_resp r = want_status(att_call_json("POST", "/api/auth/signup", NULL, body), 201);
    json_decref(body);
    json_t *usr = json_object_get(r.json, "user");
    u->id = jint(usr, "id");
    snprintf(u->email, sizeof u->email, "%s", att_str(usr, "email"));
    snprintf(u->token, sizeof u->token, "%s", att_str(r.json, "access_token"));
    snprintf(u->name, sizeof u->name, "%s %s", first, last);
    att_resp_free(&r);
}

void new_user(user *u, const char *role, const char *first, const char *last)
{
    new_user_email(u, role, first, last, role);
}

att_resp att_login(const char *email, const char *password)
{
    json_t *body = json_pack("{s:s, s:s}", "email", email, "password", password);
    att_resp r = att_call_json("POST", "/api/auth/login", NULL, body);
    json_decref(body);
    return r;
}

void new_admin(user *a, const char *first, const char *last)
{
    char args[512], out[64];
    memset(a, 0, sizeof *a);
    snprintf(a->email, sizeof a->email, "admin%d.%ld@example.io", ++g_seq, (long)getpid());
    snprintf(args, sizeof args, "admin create --email '%s' --first-name '%s' --last-name '%s'",
             a->email, first, last);
    assert_int_equal(fx_run_cli(args, "correct-horse-1\n", out, sizeof out), 0);
    a->id = strtoll(out, NULL, 10);
    assert_true(a->id > 0);
    att_resp r = want_status(att_login(a->email, "correct-horse-1"), 200);
    assert_int_equal(jint(json_object_get(r.json, "user"), "id"), a->id);
    assert_string_equal(att_str(json_object_get(r.json, "user"), "role"), "admin");
    snprintf(a->token, sizeof a->token, "%s", att_str(r.json, "access_token"));
    snprintf(a->name, sizeof a->name, "%s %s", first, last);
    att_resp_free(&r);
}

void new_class(const user *t, const char *name, klass *k)
{
    json_t *body = json_pack("{s:s}", "name", name);
    att_resp r = want_status(att_call_json("POST", "/api/classes/create", t->token, body), 201);
    json_decref(body);
    json_t *cls = json_object_get(r.json, "class");
    k->id = jint(cls, "id");
    snprintf(k->code, sizeof k->code, "%s", att_str(cls, "join_code"));
    att_resp_free(&r);
}

void join(const user *s, const klass *k)
{
    att_resp r = want_status(att_callf("POST", "/api/classes/join", s->token,
                                         "{\"join_code\": \"%s\"}", k->code), 200);
    att_resp_free(&r);
}

void leave(const user *s, const klass *k)
{
    char p[96];
    att_resp r = att_call("POST", pathf(p, sizeof p, "/api/classes/%lld/leave", k->id),
                          s->token, NULL);
    r = want_status(r, 200);
    att_resp_free(&r);
}

void remove_student(const user *t, const klass *k, const user *s)
{
    char p[128];
    att_resp r = att_call("DELETE", pathf(p, sizeof p, "/api/classes/%lld/students/%lld",
                                          k->id, s->id), t->token, NULL);
    r = want_status(r, 200);
    att_resp_free(&r);
}

void archive(const user *t, const klass *k)
{
    char p[96];
    att_resp r = att_call("DELETE", pathf(p, sizeof p, "/api/classes/%lld", k->id), t->token,
                          NULL);
    r = want_status(r, 200);
    att_resp_free(&r);
}

void make_world(world *w, int n)
{
    static const char *firsts[] = {"Ann", "Bo", "Cy", "Di"};
    static const char *lasts[] = {"Lee", "Chen", "Diaz", "Eze"};
    new_user(&w->teacher, "teacher", "Tom", "Hart");
    new_class(&w->teacher, "Math 101", &w->cls);
    for (int i = 0; i < n && i < 4; i++) {
        new_user(&w->st[i], "student", firsts[i], lasts[i]);
        join(&w->st[i], &w->cls);
    }
}

/* ---- sessions and marks ----------------------------------------------------------------- */

long long new_session(const user *t, const klass *k, const char *name, const char *date)
{
    json_t *body = json_pack("{s:I, s:s}", "class_id", (json_int_t)k->id, "session_name", name);
    if (date)
        json_object_set_new(body, "session_date", json_string(date));
    att_resp r = want_status(att_call_json("POST", "/api/attendance/create-session",
                                             t->token, body), 201);
    json_decref(body);
    long long id = jint(json_object_get(r.json, "session"), "id");
    att_resp_free(&r);
    return id;
}

att_resp mark(const user *t, long long session_id, const user *s, const char *status)
{
    return att_callf("POST", "/api/attendance/mark-attendance", t->token,
                     "{\"session_id\": %lld, \"student_ids\": [%lld], \"status\": \"%s\"}",
                     session_id, s->id, status);
}

void mark_ok(const user *t, long long session_id, const user *s, const char *status)
{
    att_resp r = want_status(mark(t, session_id, s, status), 200);
    att_resp_free(&r);
}

/* ---- JSON checks ------------------------------------------------------------------------ */

long long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

double jnum(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("%s is not a number", key);
    return json_number_value(v);
}

int is_timestamp(const json_t *v)
{
    regex_t re;
    if (!json_is_string(v))
        return 0;
    if (regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    int ok = regexec(&re, json_string_value(v), 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

void today_plus(int days, char out[11])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void check_session_shape(const json_t *s)
{
    static const char *ints[] = {"id", "class_id", "created_by", "total_students",
                                 "present_count", "late_count", "absent_count",
                                 "attendance_count"};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        jint(s, ints[i]);
    static const char *strs[] = {"class_name", "session_name", "session_date", "creator_name"};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        assert_true(json_is_string(json_object_get(s, strs[i])));
    assert_true(is_timestamp(json_object_get(s, "created_at")));
    assert_true(is_timestamp(json_object_get(s, "updated_at")));
    assert_true(json_is_true(json_object_get(s, "is_active")));
    assert_true(jint(s, "present_count") + jint(s, "late_count") + jint(s, "absent_count") <=
                jint(s, "total_students"));
    assert_int_equal(jint(s, "present_count") + jint(s, "late_count") + jint(s, "absent_count"),
                     jint(s, "attendance_count"));
}

void check_record_shape(const json_t *r)
{
    static const char *ints[] = {"id", "session_id", "student_id", "marked_by"};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        jint(r, ints[i]);
    assert_true(json_is_string(json_object_get(r, "student_name")));
    assert_true(json_is_string(json_object_get(r, "marker_name")));
    const char *st = att_str(r, "status"), *me = att_str(r, "recognition_method");
    assert_true(!strcmp(st, "present") || !strcmp(st, "absent") || !strcmp(st, "late"));
    assert_true(!strcmp(me, "manual") || !strcmp(me, "ai_face") || !strcmp(me, "hybrid") ||
                !strcmp(me, "checkin"));
    assert_true(is_timestamp(json_object_get(r, "marked_at")));
    assert_true(is_timestamp(json_object_get(r, "updated_at")));
    const json_t *conf = json_object_get(r, "recognition_confidence");
    assert_true(conf && (json_is_null(conf) || json_is_number(conf)));
}

void check_audit_event_shape(const json_t *e)
{
    static const char *ids[] = {"actor_id", "subject_id", "class_id", "session_id"};
    static const char *texts[] = {"actor_name", "subject_name", "request_id"};
    jint(e, "id");
    assert_true(is_timestamp(json_object_get(e, "at")));
    assert_true(json_is_string(json_object_get(e, "action")));
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        const json_t *v = json_object_get(e, ids[i]);
        assert_true(v && (json_is_null(v) || json_is_integer(v)));
    }
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const json_t *v = json_object_get(e, texts[i]);
        assert_true(v && (json_is_null(v) || json_is_string(v)));
    }
    assert_true(json_is_object(json_object_get(e, "details")));
}

json_t *audit_events(const user *u, const char *path)
{
    att_resp r = want_status(att_call("GET", path, u->token, NULL), 200);
    json_t *events = json_object_get(r.json, "events");
    assert_true(json_is_array(events));
    assert_true(jint(r.json, "total") >= (long long)json_array_size(events));
    for (size_t i = 0; i < json_array_size(events); i++)
        check_audit_event_shape(json_array_get(events, i));
    json_incref(events);
    att_resp_free(&r);
    return events;
}

const json_t *audit_find(const json_t *events, const char *action)
{
    for (size_t i = 0; i < json_array_size(events); i++) {
        const json_t *e = json_array_get(events, i);
        if (strcmp(att_str(e, "action"), action) == 0)
            return e;
    }
    return NULL;
}

void check_stats(const json_t *st, long long total, long long present, long long late,
                 long long absent, double rate)
{
    assert_non_null(st);
    assert_int_equal(jint(st, "total_students"), total);
    assert_int_equal(jint(st, "present_count"), present);
    assert_int_equal(jint(st, "late_count"), late);
    assert_int_equal(jint(st, "absent_count"), absent);
    assert_float_equal(jnum(st, "attendance_rate"), rate, 1e-9);
}
