/* Several server nodes on one PostgreSQL (docs/scaling.md), on 127.0.0.1 only: two
 * `attendly serve` start at the same moment and migrate concurrently (each migration is
 * applied once), nginx round-robins over them, and a full flow runs through nginx and
 * directly against each node: tokens and their revocation, login rate limits, classes,
 * attendance marked concurrently from both nodes, face enrolment (with the duplicate
 * identity guard racing across nodes) and recognition. The face part needs the model
 * weights (skipped without, and says so); it uses the face tests' photos. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/client.h"
#include "common/cluster.h"
#include "core/embedded.h"
#include "face_fixture.h"
#include "fixture.h"
#include "store/db.h"

#define PASSWORD "correct-horse-1"   /* what att_fixture's new_user signs up with */
#define N_STUDENTS 8
#define MAX_THREADS 8

static cluster g_c;
static const test_server *A, *B, *NG;   /* node A, node B, nginx in front of both */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The node port nginx says answered a reply (X-Upstream), 0 when absent. */
static int upstream_port(const http_resp *r)
{
    char v[64];
    const char *colon;
    if (!http_header(r, "X-Upstream", v, sizeof v) || !(colon = strrchr(v, ':')))
        return 0;
    return atoi(colon + 1);
}

/* ---- requests from several threads at once ------------------------------------------ */

typedef struct job {
    const test_server *to;
    const char *path, *token;
    char *body;             /* owned */
    http_resp resp;         /* status 0 when no response arrived */
} job;

static void *run_job(void *arg)
{
    static const char *const json[] = {"Content-Type: application/json", NULL};
    job *j = arg;
    http_opts o = {.headers = json, .bearer = j->token};
    if (http_call(j->to, "POST", j->path, j->body, strlen(j->body), &o, &j->resp) != 0)
        memset(&j->resp, 0, sizeof j->resp);
    return NULL;
}

/* Runs the jobs in parallel, one thread each; the checks stay in this thread. */
static void run_jobs(job *jobs, int n)
{
    pthread_t th[MAX_THREADS];
    assert_true(n <= MAX_THREADS);
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

static void free_jobs(job *jobs, int n)
{
    for (int i = 0; i < n; i++) {
        http_resp_free(&jobs[i].resp);
        free(jobs[i].body);
    }
}

/* ---- start-up ----------------------------------------------------------------------- */

static int64_t db_int(db_conn *c, const char *sql)
{
    int64_t v = -1;
    if (db_query_int64(c, sql, &v) != DB_ROW)
        fail_msg("query failed: %s (%s)", sql, db_errmsg(c));
    return v;
}

/* "migrations_applied=<n>" of a node's "database ready" log line. */
static int migrations_applied(const test_server *s)
{
    char line[2048];
    const char *p;
    int n = -1;
    FILE *f = fopen(s->log_path, "r");
    assert_non_null(f);
    while (n < 0 && fgets(line, sizeof line, f))
        if (strstr(line, "msg=\"database ready\"") && (p = strstr(line, "migrations_applied=")))
            n = atoi(p + strlen("migrations_applied="));
    fclose(f);
    return n;
}

/* Both nodes migrated the empty database at once: every migration is recorded exactly
 * once, and the two nodes' counts of what they applied add up to all of them. */
static void test_migrations_once(void **state)
{
    char err[256], sql[512];
    int n = 0;
    db *d = db_open(g_c.pg.url, 1, err, sizeof err);
    if (!d)
        fail_msg("db_open: %s", err);
    db_conn *c = db_acquire(d, 5000);
    assert_non_null(c);
    for (const struct embedded_file *f = embedded_migrations; f->name; f++, n++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM schema_migrations WHERE version = '%.*s'",
                 (int)(strlen(f->name) - 4), f->name);
        assert_int_equal(db_int(c, sql), 1);
    }
    assert_int_equal(db_int(c, "SELECT count(*) FROM schema_migrations"), n);
    db_release(c);
    db_close(d);
    int a = migrations_applied(A), b = migrations_applied(B);
    printf("migrations: %d embedded; node A applied %d, node B %d\n", n, a, b);
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(a + b, n);
}

/* nginx alternates between the two nodes, which keep nginx's request id. */
static void test_round_robin(void **state)
{
    int seen_a = 0, seen_b = 0;
    for (int i = 0; i < 6; i++) {
        http_resp r;
        char rid[128];
        assert_int_equal(http_get(NG, "/api/openapi.json", NULL, &r), 0);
        expect_status(&r, 200);
        assert_non_null(http_header(&r, "X-Request-Id", rid, sizeof rid));
        assert_int_equal(strlen(rid), 32);   /* nginx's $request_id, not a node's own */
        int port = upstream_port(&r);
        seen_a += port == A->port;
        seen_b += port == B->port;
        assert_true(port == A->port || port == B->port);
        http_resp_free(&r);
    }
    assert_int_equal(seen_a, 3);
    assert_int_equal(seen_b, 3);
}

/* ---- accounts and tokens ------------------------------------------------------------ */

static att_resp login(const user *u)
{
    return att_callf("POST", "/api/auth/login", NULL,
                     "{\"email\": \"%s\", \"password\": \"%s\"}", u->email, PASSWORD);
}

/* GET /api/auth/profile with token on `to`: 200 with user u, or 401 with `revoked`. */
static void profile_on(const test_server *to, const user *u, const char *token, const char *err)
{
    fx_use(to);
    att_resp r = att_call("GET", "/api/auth/profile", token, NULL);
    if (err) {
        want_error(r, 401, err);
    } else {
        r = want_status(r, 200);
        assert_int_equal(jint(json_object_get(r.json, "user"), "id"), u->id);
        att_resp_free(&r);
    }
}

/* Tokens issued by one node work on the other and through nginx; a logout on A revokes
 * the token on B (and on both behind nginx); refresh on B; a password change on B revokes
 * what A issued. */
static void test_tokens_across_nodes(void **state)
{
    user u;
    char access[2048], refresh[2048];
    const test_server *all[] = {A, B, NG, NG};

    fx_use(A);
    new_user(&u, "student", "Nia", "Node");
    att_resp r = want_status(login(&u), 200);
    snprintf(access, sizeof access, "%s", att_str(r.json, "access_token"));
    snprintf(refresh, sizeof refresh, "%s", att_str(r.json, "refresh_token"));
    att_resp_free(&r);
    for (int i = 0; i < 4; i++) {
        profile_on(all[i], &u, u.token, NULL);
        profile_on(all[i], &u, access, NULL);
    }

    fx_use(B);
    r = want_status(att_call("POST", "/api/auth/refresh", refresh, NULL), 200);
    char fresh[2048];
    snprintf(fresh, sizeof fresh, "%s", att_str(r.json, "access_token"));
    att_resp_free(&r);
    profile_on(A, &u, fresh, NULL);

    fx_use(A);
    r = want_status(att_call("POST", "/api/auth/logout", access, NULL), 200);
    att_resp_free(&r);
    for (int i = 0; i < 4; i++) {
        profile_on(all[i], &u, access, "Token has been revoked");
        profile_on(all[i], &u, u.token, NULL);   /* other tokens unaffected */
    }

    fx_use(B);
    r = want_status(att_callf("POST", "/api/auth/change-password", u.token,
                              "{\"current_password\": \"%s\", \"new_password\": \"%s\"}",
                              PASSWORD, "another-horse-2"), 200);
    att_resp_free(&r);
    profile_on(A, &u, u.token, "Token has been revoked");
    profile_on(A, &u, fresh, "Token has been revoked");
    fx_use(NULL);
}

/* Failed logins counted on A and on B add up (LOGIN_MAX_FAILURES=3): both refuse. */
static void test_login_limit_shared(void **state)
{
    user u;
    const test_server *where[] = {A, B, A};
    fx_use(NG);
    new_user(&u, "teacher", "Rate", "Limit");
    for (int i = 0; i < 3; i++) {
        fx_use(where[i]);
        want_error(att_callf("POST", "/api/auth/login", NULL,
                             "{\"email\": \"%s\", \"password\": \"wrong-password\"}", u.email),
                   401, "Invalid email or password");
    }
    fx_use(B);
    want_error(login(&u), 429, "Too many login attempts. Try again later.");
    fx_use(A);
    want_error(login(&u), 429, "Too many login attempts. Try again later.");
    fx_use(NULL);
}

/* ---- classes and attendance --------------------------------------------------------- */

static user g_teacher, g_st[N_STUDENTS];
static klass g_class;

/* A teacher on A creates a class; students join on B, on A and through nginx; everybody
 * sees the same class everywhere. */
static void test_classes_across_nodes(void **state)
{
    static const char *const firsts[N_STUDENTS] = {"Ann", "Bo", "Cy", "Di",
                                                    "Ed", "Flo", "Gil", "Hu"};
    const test_server *all[] = {A, B, NG};
    char p[96];

    fx_use(A);
    new_user(&g_teacher, "teacher", "Tom", "Hart");
    new_class(&g_teacher, "Distributed Systems", &g_class);
    for (int i = 0; i < N_STUDENTS; i++) {
        fx_use(all[i % 3]);
        new_user(&g_st[i], "student", firsts[i], "Node");
        fx_use(all[(i + 1) % 3]);
        join(&g_st[i], &g_class);
    }
    for (int i = 0; i < 3; i++) {
        fx_use(all[i]);
        att_resp r = want_status(att_call("GET", pathf(p, sizeof p, "/api/classes/%lld",
                                                      g_class.id), g_teacher.token, NULL), 200);
        json_t *cls = json_object_get(r.json, "class");
        assert_int_equal(jint(cls, "student_count"), N_STUDENTS);
        assert_string_equal(att_str(cls, "join_code"), g_class.code);
        att_resp_free(&r);
        r = want_status(att_call("GET", "/api/classes/my-classes", g_st[i].token, NULL), 200);
        assert_int_equal(jint(r.json, "total"), 1);
        att_resp_free(&r);
    }
    fx_use(NULL);
}

/* The session's records as seen on `to`: one per student, counted by status, and the
 * session's own counts agree with them. */
static void check_session(const test_server *to, long long sess, long long counts[3])
{
    static const char *const st[3] = {"present", "late", "absent"};
    char p[96];
    json_t *rec;
    size_t i;
    int seen[N_STUDENTS] = {0};

    fx_use(to);
    att_resp r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records",
                                                   sess), g_teacher.token, NULL), 200);
    memset(counts, 0, 3 * sizeof counts[0]);
    json_array_foreach(json_object_get(r.json, "attendance_records"), i, rec) {
        int k = -1;
        for (int s = 0; s < N_STUDENTS; s++)
            if (g_st[s].id == jint(rec, "student_id"))
                k = s;
        assert_true(k >= 0);
        assert_false(seen[k]);
        seen[k] = 1;
        for (int s = 0; s < 3; s++)
            counts[s] += strcmp(att_str(rec, "status"), st[s]) == 0;
    }
    assert_int_equal(jint(r.json, "total"), N_STUDENTS);
    json_t *sn = json_object_get(r.json, "session"), *stats = json_object_get(r.json, "statistics");
    check_session_shape(sn);
    assert_int_equal(jint(sn, "attendance_count"), N_STUDENTS);
    assert_int_equal(jint(sn, "total_students"), N_STUDENTS);
    assert_int_equal(jint(sn, "present_count"), counts[0]);
    assert_int_equal(jint(sn, "late_count"), counts[1]);
    assert_int_equal(jint(sn, "absent_count"), counts[2]);
    assert_int_equal(jint(stats, "total_present"), counts[0]);
    assert_int_equal(jint(stats, "total_late"), counts[1]);
    assert_int_equal(jint(stats, "total_absent"), counts[2]);
    att_resp_free(&r);
}

static char *mark_body(long long sess, const int *students, int n, const char *status)
{
    char ids[256] = "";
    size_t len = 0;
    char *out = NULL;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(ids + len, sizeof ids - len, "%s%lld", i ? "," : "",
                                g_st[students[i]].id);
    assert_true(asprintf(&out, "{\"session_id\": %lld, \"student_ids\": [%s], \"status\": \"%s\"}",
                         sess, ids, status) > 0);
    return out;
}

/* Marking from both nodes at once: first every thread marks every student (in its own
 * order, its own status) — the same records raced on both nodes; then each node marks
 * its own half. Every request succeeds, each student has one record, and all three
 * entry points report the same counts. */
static void test_concurrent_marking(void **state)
{
    static const char *const status[MAX_THREADS] = {"present", "late", "absent", "present",
                                                    "late", "absent", "present", "late"};
    const test_server *all[] = {A, B, NG};
    job jobs[MAX_THREADS];
    long long counts[3], again[3];

    fx_use(B);
    long long sess = new_session(&g_teacher, &g_class, "Concurrent", NULL);
    for (int round = 0; round < 3; round++) {
        memset(jobs, 0, sizeof jobs);
        for (int t = 0; t < MAX_THREADS; t++) {
            int order[N_STUDENTS];
            for (int s = 0; s < N_STUDENTS; s++)
                order[s] = (s * (t % 2 ? 3 : 5) + t + round) % N_STUDENTS;
            jobs[t] = (job){.to = t % 2 ? B : A, .path = "/api/attendance/mark-attendance",
                            .token = g_teacher.token,
                            .body = mark_body(sess, order, N_STUDENTS, status[(t + round) % 8])};
        }
        run_jobs(jobs, MAX_THREADS);
        for (int t = 0; t < MAX_THREADS; t++)
            expect_status(&jobs[t].resp, 200);
        free_jobs(jobs, MAX_THREADS);
    }
    check_session(A, sess, counts);
    for (int i = 1; i < 3; i++) {
        check_session(all[i], sess, again);
        assert_memory_equal(counts, again, sizeof counts);
    }
    assert_int_equal(counts[0] + counts[1] + counts[2], N_STUDENTS);

    /* disjoint halves: A marks students 0-3 absent, B 4-7 present, one per request */
    memset(jobs, 0, sizeof jobs);
    for (int s = 0; s < N_STUDENTS; s++)
        jobs[s] = (job){.to = s < 4 ? A : B, .path = "/api/attendance/mark-attendance",
                        .token = g_teacher.token,
                        .body = mark_body(sess, &s, 1, s < 4 ? "absent" : "present")};
    run_jobs(jobs, N_STUDENTS);
    for (int s = 0; s < N_STUDENTS; s++)
        expect_status(&jobs[s].resp, 200);
    free_jobs(jobs, N_STUDENTS);
    for (int i = 0; i < 3; i++) {
        check_session(all[i], sess, counts);
        assert_int_equal(counts[0], 4);
        assert_int_equal(counts[1], 0);
        assert_int_equal(counts[2], 4);
    }
    fx_use(NULL);
}

/* ---- faces -------------------------------------------------------------------------- */

#define GROUP_PHOTO "face_recognition_examples/examples/knn_examples/test/obama_and_biden.jpg"

static void enrol_on(const test_server *to, const user *s, int person)
{
    char *a = ff_portrait(person, 0), *b = ff_portrait(person, 1);
    const char *two[2] = {a, b};
    fx_use(to);
    att_resp r = want_status(ff_multi(s, two, 2), 201);
    att_resp_free(&r);
    free(a);
    free(b);
}

/* Two students upload the same face at the same moment, one on each node: the
 * enrolment lock in the database lets exactly one through; the other gets 409. */
static void check_duplicate_race(int person)
{
    user s[2];
    job jobs[2];
    char *b64 = ff_portrait(person, 0);
    for (int i = 0; i < 2; i++) {
        fx_use(i ? B : A);
        new_user(&s[i], "student", i ? "Twin" : "Solo", "Face");
        json_t *body = ff_image_body(b64);
        jobs[i] = (job){.to = i ? B : A, .path = "/api/face-data/upload", .token = s[i].token,
                        .body = json_dumps(body, JSON_COMPACT)};
        json_decref(body);
    }
    run_jobs(jobs, 2);
    long st0 = jobs[0].resp.status, st1 = jobs[1].resp.status;
    printf("same face on both nodes at once: %ld (A), %ld (B)\n", st0, st1);
    assert_true((st0 == 201 && st1 == 409) || (st0 == 409 && st1 == 201));
    job *refused = st0 == 409 ? &jobs[0] : &jobs[1];
    assert_string_equal(json_str(refused->resp.json, "error"),
                        "This face is already registered to another account");
    free_jobs(jobs, 2);
    free(b64);
    for (int i = 0; i < 2; i++) {
        fx_use(i ? A : B);   /* deleted through the other node */
        ff_delete_face_data(&s[i]);
    }
}

/* Students enrol on different nodes; the same group photo is recognised on A, on B and
 * twice through nginx at the same moment, and every reply names exactly both students. */
static void test_faces_across_nodes(void **state)
{
    user st[2];
    klass k;
    const char *who[2] = {"Ola", "Pim"};

    if (!ff_models_dir()) {
        printf("SKIP face part: face models not found (scripts/models.sh)\n");
        skip();
    }
    fx_use(A);
    int people = ff_people_init(&g_teacher);
    assert_true(people >= 2);
    new_class(&g_teacher, "Faces", &k);
    for (int i = 0; i < 2; i++) {
        fx_use(i ? B : A);
        new_user(&st[i], "student", who[i], "Face");
        join(&st[i], &k);
        enrol_on(i ? A : B, &st[i], i);
    }
    for (int i = 0; i < 2; i++) {   /* stored once, visible on both nodes */
        fx_use(i ? A : B);
        assert_int_equal(ff_stored_count(&st[i]), 2);
    }
    if (people >= 3)
        check_duplicate_race(2);
    else
        printf("SKIP duplicate race: only %d distinct people in the demo photos\n", people);

    const char *path = ff_labelled() ? ff_face_path(GROUP_PHOTO) : ff_demo_path("sample5.jpg");
    char *b64 = ff_b64_file(path);
    json_t *body = json_pack("{s:I, s:[s]}", "class_id", (json_int_t)k.id, "images", b64);
    const test_server *to[4] = {A, B, NG, NG};
    job jobs[4];
    for (int i = 0; i < 4; i++)
        jobs[i] = (job){.to = to[i], .path = "/api/attendance/recognize-faces",
                        .token = g_teacher.token, .body = json_dumps(body, JSON_COMPACT)};
    json_decref(body);
    free(b64);
    double t0 = now_ms();
    run_jobs(jobs, 4);
    printf("4 recognize-faces at once (A, B, nginx x2): %.0f ms\n", now_ms() - t0);
    int ports = 0;
    for (int i = 0; i < 4; i++) {
        expect_status(&jobs[i].resp, 200);
        json_t *rec = json_object_get(jobs[i].resp.json, "recognized_students"), *it;
        size_t j;
        int found[2] = {0};
        json_array_foreach(rec, j, it)
            for (int s = 0; s < 2; s++)
                found[s] += jint(it, "id") == st[s].id;
        assert_int_equal(json_array_size(rec), 2);
        assert_true(found[0] == 1 && found[1] == 1);
        if (i >= 2)
            ports |= upstream_port(&jobs[i].resp) == A->port ? 1 : 2;
    }
    assert_int_equal(ports, 3);   /* nginx sent one to each node */
    free_jobs(jobs, 4);
    for (int i = 0; i < 2; i++) {
        fx_use(i ? A : B);
        ff_delete_face_data(&st[i]);
    }
    fx_use(NULL);
}

/* ---- main --------------------------------------------------------------------------- */

static void stop_everything(void)
{
    cluster_stop(&g_c);
}

int main(void)
{
    static char models_env[1100];
    const char *env[8] = {"LOGIN_MAX_FAILURES=3", "RECOGNITION_WORKERS=1",
                          "ATTENDLY_DB_POOL=4", "FACE_CONSENT_REQUIRED=0", NULL};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations_once),
        cmocka_unit_test(test_round_robin),
        cmocka_unit_test(test_tokens_across_nodes),
        cmocka_unit_test(test_login_limit_shared),
        cmocka_unit_test(test_classes_across_nodes),
        cmocka_unit_test(test_concurrent_marking),
        cmocka_unit_test(test_faces_across_nodes),
    };

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!nginx_binary()) {
        fprintf(stderr, "nginx is not installed (scripts/deps.sh installs it)\n");
        return 1;
    }
    if (ff_models_dir()) {
        snprintf(models_env, sizeof models_env, "FACE_MODELS_DIR=%s", ff_models_dir());
        env[4] = models_env;
    } else {
        printf("NOTE: face models not found: the face part will be skipped\n");
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    atexit(stop_everything);   /* also when a fixture step exits the process */
    double t0 = now_ms();
    if (cluster_start_db(&g_c) != 0)
        return 1;
    double t1 = now_ms();
    if (cluster_start_nodes(&g_c, 2, env) != 0 || cluster_start_proxy(&g_c) != 0)
        return 1;
    A = &g_c.node[0];
    B = &g_c.node[1];
    NG = &g_c.proxy.front;
    printf("PostgreSQL up in %.0f ms; two nodes (ports %d, %d) and nginx (port %d) in %.0f ms\n",
           t1 - t0, A->port, B->port, NG->port, now_ms() - t1);

    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (cluster_stop(&g_c) != 0) {
        fprintf(stderr, "a node or nginx did not stop cleanly\n");
        failed++;
    }
    curl_global_cleanup();
    return failed ? 1 : 0;
}
