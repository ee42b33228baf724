/* The HTTP platform against a real server: health, metrics, OpenAPI, routing errors,
 * body size limits, CORS, request ids, HEAD, clean shutdown. Run as
 * `http_test_ops sqlite` or `http_test_ops pg`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "common/client.h"
#include "core/base64.h"
#include "core/token.h"
#include "common/pgcluster.h"
#include "common/server.h"

#define STRICT_METRICS_TOKEN "metrics-token-for-tests"
#define TEST_SECRET "http-test-secret-0123456789abcdef0123456789"

static int g_pg;
static pgcluster g_cluster;
static test_server g_srv;     /* defaults */
static test_server g_strict;  /* METRICS_TOKEN, CORS list, MAX_BODY_MB=1 */

static int start(test_server *s, const char *dbname, const char *const *env)
{
    char err[2048], url[600];
    const char *db_url = NULL;
    if (g_pg) {
        if (pgcluster_create_database(&g_cluster, dbname, url, sizeof url, err, sizeof err) < 0) {
            fprintf(stderr, "create database: %s\n", err);
            return -1;
        }
        db_url = url;
    }
    if (test_server_start(s, db_url, env, err, sizeof err) < 0) {
        fprintf(stderr, "server: %s\n", err);
        return -1;
    }
    return 0;
}

static int group_setup(void **st)
{
    static const char *const strict_env[] = {
        "METRICS_TOKEN=" STRICT_METRICS_TOKEN,
        "CORS_ORIGINS=https://a.example, https://b.example", "MAX_BODY_MB=1", NULL};
    if (g_pg) {
        char err[2048];
        if (pgcluster_start(&g_cluster, err, sizeof err) < 0) {
            fprintf(stderr, "pgcluster: %s\n", err);
            return -1;
        }
    }
    static const char *const default_env[] = {"JWT_SECRET_KEY=" TEST_SECRET, NULL};
    if (start(&g_srv, "ops_default", default_env) < 0 || start(&g_strict, "ops_strict", strict_env) < 0)
        return -1;
    return 0;
}

static int group_teardown(void **st)
{
    int a = test_server_stop(&g_srv);
    int b = test_server_stop(&g_strict);
    if (g_pg)
        pgcluster_stop(&g_cluster);
    if (a != 0 || b != 0)
        fprintf(stderr, "unclean server exit: %d %d\n", a, b);
    return a == 0 && b == 0 ? 0 : -1;
}

static void get(const test_server *s, const char *path, http_resp *r)
{
    assert_int_equal(http_get(s, path, NULL, r), 0);
}

static void call(const test_server *s, const char *method, const char *path, http_resp *r)
{
    assert_int_equal(http_call(s, method, path, NULL, 0, NULL, r), 0);
}

static void expect_header(const http_resp *r, const char *name, const char *want)
{
    char v[512];
    if (!http_header(r, name, v, sizeof v))
        fail_msg("header %s missing", name);
    assert_string_equal(v, want);
}

static void expect_no_header(const http_resp *r, const char *name)
{
    char v[512];
    if (http_header(r, name, v, sizeof v))
        fail_msg("unexpected header %s: %s", name, v);
}

/* ---- operations ---------------------------------------------------------------------- */

static void test_health(void **st)
{
    http_resp r;
    get(&g_srv, "/health", &r);
    assert_true(json_is_object(r.json));
    assert_string_equal(json_str(r.json, "database"), "connected");
    assert_string_equal(json_str(r.json, "vector_db"), "builtin");
    assert_true(strlen(json_str(r.json, "version")) > 0);
    const char *face = json_str(r.json, "face_recognition");
    int healthy = strcmp(face, "available") == 0;
    if (!healthy)
        assert_string_equal(face, "unavailable");
    expect_status(&r, healthy ? 200 : 503);
    assert_string_equal(json_str(r.json, "status"), healthy ? "healthy" : "unhealthy");
    expect_header(&r, "Content-Type", "application/json");
    http_resp_free(&r);
}

/* Every sample line: name{labels} value, with known families only. */
static void check_exposition(const char *text)
{
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^attendly_[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? "
                             "[0-9][0-9.e+-]*$", REG_EXTENDED | REG_NOSUB), 0);
    char *copy = strdup(text), *save = NULL;
    int samples = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') {
            assert_true(strncmp(line, "# TYPE ", 7) == 0 || strncmp(line, "# HELP ", 7) == 0);
            continue;
        }
        if (regexec(&re, line, 0, NULL, 0) != 0)
            fail_msg("bad exposition line: %s", line);
        samples++;
    }
    assert_true(samples > 0);
    free(copy);
    regfree(&re);
}

static void test_metrics(void **st)
{
    http_resp r;
    get(&g_srv, "/health", &r);
    http_resp_free(&r);
    get(&g_srv, "/api/no/such/route/12345", &r);
    http_resp_free(&r);
    get(&g_srv, "/metrics", &r);
    expect_status(&r, 200);
    expect_header(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    static const char *const families[] = {
        "# TYPE attendly_http_requests_total counter\n",
        "# TYPE attendly_http_request_duration_seconds histogram\n",
        "# TYPE attendly_recognition_requests_total counter\n",
        "# TYPE attendly_recognition_duration_seconds histogram\n",
        "# TYPE attendly_faces_detected_total counter\n",
        "# TYPE attendly_recognition_in_flight gauge\n"};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (!strstr(r.body, families[i]))
            fail_msg("missing %s", families[i]);
    check_exposition(r.body);
    assert_non_null(strstr(r.body, "attendly_http_requests_total{method=\"GET\",route=\"/health\","
                                   "status=\""));
    assert_non_null(strstr(r.body, "route=\"unmatched\",status=\"404\"}"));
    assert_null(strstr(r.body, "/api/no/such")); /* never the raw path */
    /* histogram: +Inf bucket equals _count */
    const char *inf = strstr(r.body, "attendly_http_request_duration_seconds_bucket{method=\"GET\","
                                     "route=\"/health\",le=\"+Inf\"} ");
    const char *cnt = strstr(r.body, "attendly_http_request_duration_seconds_count{method=\"GET\","
                                     "route=\"/health\"} ");
    assert_non_null(inf);
    assert_non_null(cnt);
    assert_int_equal(atoll(strchr(inf, '}') + 2), atoll(strchr(cnt, '}') + 2));
    assert_true(atoll(strchr(cnt, '}') + 2) >= 1);
    http_resp_free(&r);
}

static void test_metrics_token(void **st)
{
    http_resp r;
    get(&g_strict, "/metrics", &r);
    expect_error(&r, 401, "Unauthorized");
    http_resp_free(&r);
    assert_int_equal(http_get(&g_strict, "/metrics", "wrong-token", &r), 0);
    expect_error(&r, 401, "Unauthorized");
    http_resp_free(&r);
    assert_int_equal(http_get(&g_strict, "/metrics", STRICT_METRICS_TOKEN "x", &r), 0);
    expect_error(&r, 401, "Unauthorized");
    http_resp_free(&r);
    assert_int_equal(http_get(&g_strict, "/metrics", STRICT_METRICS_TOKEN, &r), 0);
    expect_status(&r, 200);
    assert_non_null(strstr(r.body, "# TYPE attendly_http_requests_total counter"));
    http_resp_free(&r);
    /* /health stays public */
    get(&g_strict, "/health", &r);
    assert_true(r.status == 200 || r.status == 503);
    http_resp_free(&r);
}

static void test_openapi(void **st)
{
    http_resp r;
    get(&g_srv, "/api/openapi.json", &r);
    expect_status(&r, 200);
    expect_header(&r, "Content-Type", "application/json");
    assert_true(json_is_object(r.json));
    assert_true(strncmp(json_str(r.json, "openapi"), "3.", 2) == 0);
    json_t *paths = json_object_get(r.json, "paths");
    assert_true(json_is_object(paths));
    assert_non_null(json_object_get(paths, "/health"));
    assert_non_null(json_object_get(paths, "/api/classes/{id}"));
    assert_non_null(json_object_get(paths, "/api/attendance/recognize-faces"));
    http_resp_free(&r);
}

/* ---- routing ------------------------------------------------------------------------- */

static void test_not_found(void **st)
{
    static const char *const paths[] = {"/", "/api", "/api/", "/nope", "/health/", "//health",
                                        "/Health", "/health/x", "/api/openapi.json/",
                                        "/metrics/", "/health?x=1/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_resp r;
        get(&g_srv, paths[i], &r);
        if (strcmp(paths[i], "/health?x=1/") == 0) { /* query strings never matter */
            assert_true(r.status == 200 || r.status == 503);
        } else {
            expect_error(&r, 404, "Not found");
            assert_int_equal(json_object_size(r.json), 1);
        }
        http_resp_free(&r);
    }
    http_resp r;
    call(&g_srv, "POST", "/api/nope", &r);
    expect_error(&r, 404, "Not found");
    http_resp_free(&r);
}

static void test_method_not_allowed(void **st)
{
    static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < 4; i++) {
        http_resp r;
        call(&g_srv, methods[i], "/health", &r);
        expect_error(&r, 405, "Method not allowed");
        expect_header(&r, "Allow", "GET, HEAD, OPTIONS");
        http_resp_free(&r);
    }
    http_resp r;
    call(&g_srv, "DELETE", "/api/openapi.json", &r);
    expect_error(&r, 405, "Method not allowed");
    expect_header(&r, "Allow", "GET, HEAD, OPTIONS");
    http_resp_free(&r);
}

static void test_head(void **st)
{
    http_resp g, h;
    get(&g_srv, "/api/openapi.json", &g);
    call(&g_srv, "HEAD", "/api/openapi.json", &h);
    expect_status(&h, 200);
    assert_int_equal(h.len, 0);
    expect_header(&h, "Content-Type", "application/json");
    char len[32];
    snprintf(len, sizeof len, "%zu", g.len);
    expect_header(&h, "Content-Length", len);
    assert_non_null(http_header(&h, "X-Request-Id", len, sizeof len));
    http_resp_free(&g);
    http_resp_free(&h);
    call(&g_srv, "HEAD", "/nope", &h);
    expect_status(&h, 404);
    assert_int_equal(h.len, 0);
    http_resp_free(&h);
}

/* ---- body size ----------------------------------------------------------------------- */

static void expect_raw_413(int port, const char *req)
{
    char out[4096];
    int closed = 0;
    long n = http_raw(port, req, strlen(req), out, sizeof out, 5000, &closed);
    assert_true(n > 0);
    if (strncmp(out, "HTTP/1.1 413", 12) != 0)
        fail_msg("expected 413, got: %.200s", out);
    assert_non_null(strstr(out, "{\"error\":\"Request body too large\"}"));
    assert_non_null(strstr(out, "X-Request-Id: "));
    assert_true(closed); /* answered without the body, then closed */
}

static void test_413_content_length(void **st)
{
    /* 32 MiB + 1 declared, nothing sent: the reply must not wait for the body, and it
     * comes before routing (unknown route, wrong method) and authentication. */
    expect_raw_413(g_srv.port, "POST /api/auth/signup HTTP/1.1\r\nHost: x\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 33554433\r\n\r\n");
    expect_raw_413(g_srv.port, "POST /no/such/route HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 99999999999\r\n\r\n{");
    expect_raw_413(g_srv.port, "PUT /health HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                               "Content-Length: 40000000\r\n\r\n");
    expect_raw_413(g_strict.port, "POST /health HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Length: 1048577\r\n\r\n");
    /* exactly the limit is fine: routing answers (405) */
    size_t n = 1048576;
    char *body = malloc(n);
    memset(body, ' ', n);
    http_resp r;
    assert_int_equal(http_call(&g_strict, "POST", "/health", body, n, NULL, &r), 0);
    expect_error(&r, 405, "Method not allowed");
    http_resp_free(&r);
    free(body);
}

static void test_413_chunked(void **st)
{
    size_t n = 3 * 1048576;
    char *body = malloc(n);
    memset(body, 'x', n);
    http_opts o = {.chunked = 1};
    http_resp r;
    assert_int_equal(http_call(&g_strict, "POST", "/health", body, n, &o, &r), 0);
    expect_error(&r, 413, "Request body too large");
    http_resp_free(&r);
    assert_int_equal(http_call(&g_strict, "POST", "/nope", body, 1048577, &o, &r), 0);
    expect_error(&r, 413, "Request body too large");
    http_resp_free(&r);
    /* at the limit, chunked: accepted, then routed */
    assert_int_equal(http_call(&g_strict, "POST", "/health", body, 1048576, &o, &r), 0);
    expect_error(&r, 405, "Method not allowed");
    http_resp_free(&r);
    free(body);
    /* the server is still fine afterwards */
    get(&g_strict, "/api/openapi.json", &r);
    expect_status(&r, 200);
    http_resp_free(&r);
}

/* ---- CORS ---------------------------------------------------------------------------- */

static void expect_preflight_headers(const http_resp *r)
{
    expect_status(r, 204);
    assert_int_equal(r->len, 0);
    expect_header(r, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    expect_header(r, "Access-Control-Allow-Headers",
                  "Authorization, Content-Type, X-Requested-With, X-Request-Id");
    expect_header(r, "Access-Control-Max-Age", "600");
    expect_header(r, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    expect_no_header(r, "Access-Control-Allow-Credentials");
}

static void test_cors_any(void **st)
{
    static const char *const paths[] = {"/api/classes/create", "/no/such/path", "/health",
                                        "/api/auth/profile/"};
    static const char *const hdrs[] = {"Origin: https://app.example",
                                       "Access-Control-Request-Method: POST", NULL};
    for (size_t i = 0; i < 4; i++) {
        http_resp r;
        http_opts o = {.headers = hdrs};
        assert_int_equal(http_call(&g_srv, "OPTIONS", paths[i], NULL, 0, &o, &r), 0);
        expect_preflight_headers(&r);
        expect_header(&r, "Access-Control-Allow-Origin", "*");
        http_resp_free(&r);
    }
    http_resp r;
    get(&g_srv, "/nope", &r); /* errors carry CORS headers too */
    expect_header(&r, "Access-Control-Allow-Origin", "*");
    expect_header(&r, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    http_resp_free(&r);
}

static void test_cors_origins_list(void **st)
{
    static const char *const good[] = {"Origin: https://b.example", NULL};
    static const char *const bad[] = {"Origin: https://evil.example", NULL};
    http_opts og = {.headers = good}, ob = {.headers = bad};
    http_resp r;
    assert_int_equal(http_call(&g_strict, "GET", "/api/openapi.json", NULL, 0, &og, &r), 0);
    expect_status(&r, 200);
    expect_header(&r, "Access-Control-Allow-Origin", "https://b.example");
    expect_header(&r, "Vary", "Origin");
    expect_header(&r, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    http_resp_free(&r);
    assert_int_equal(http_call(&g_strict, "GET", "/api/openapi.json", NULL, 0, &ob, &r), 0);
    expect_status(&r, 200);
    expect_no_header(&r, "Access-Control-Allow-Origin");
    expect_header(&r, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    http_resp_free(&r);
    assert_int_equal(http_call(&g_strict, "OPTIONS", "/anything", NULL, 0, &og, &r), 0);
    expect_preflight_headers(&r);
    expect_header(&r, "Access-Control-Allow-Origin", "https://b.example");
    http_resp_free(&r);
    assert_int_equal(http_call(&g_strict, "OPTIONS", "/anything", NULL, 0, &ob, &r), 0);
    expect_preflight_headers(&r);
    expect_no_header(&r, "Access-Control-Allow-Origin");
    http_resp_free(&r);
    get(&g_strict, "/api/openapi.json", &r); /* no Origin at all */
    expect_no_header(&r, "Access-Control-Allow-Origin");
    http_resp_free(&r);
}

/* ---- request ids --------------------------------------------------------------------- */

static void request_with_id(const char *id_header, http_resp *r)
{
    const char *hdrs[] = {id_header, NULL};
    http_opts o = {.headers = hdrs};
    assert_int_equal(http_call(&g_srv, "GET", "/nope", NULL, 0, &o, r), 0);
}

static int id_shape_ok(const char *id)
{
    size_t n = strlen(id);
    return n >= 1 && n <= 64 &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void test_request_id(void **st)
{
    char v1[128], v2[128];
    http_resp r;
    request_with_id("X-Request-Id: abc-123_X.y", &r);
    expect_header(&r, "X-Request-Id", "abc-123_X.y");
    http_resp_free(&r);
    char max[100];
    snprintf(max, sizeof max, "X-Request-Id: %064d", 7);
    request_with_id(max, &r);
    expect_header(&r, "X-Request-Id", max + 14);
    http_resp_free(&r);
    static const char *const bad[] = {"X-Request-Id: has space", "X-Request-Id: semi;colon",
                                      "X-Request-Id: "
                                      "00000000000000000000000000000000000000000000000000000000000000001",
                                      "X-Request-Id: caf\xc3\xa9"};
    for (size_t i = 0; i < 4; i++) {
        request_with_id(bad[i], &r);
        assert_non_null(http_header(&r, "X-Request-Id", v1, sizeof v1));
        assert_true(id_shape_ok(v1));
        assert_string_not_equal(v1, bad[i] + 14);
        http_resp_free(&r);
    }
    get(&g_srv, "/health", &r);
    assert_non_null(http_header(&r, "X-Request-Id", v1, sizeof v1));
    http_resp_free(&r);
    get(&g_srv, "/health", &r);
    assert_non_null(http_header(&r, "X-Request-Id", v2, sizeof v2));
    http_resp_free(&r);
    assert_true(id_shape_ok(v1) && id_shape_ok(v2));
    assert_string_not_equal(v1, v2);
}


/* ---- checks that need routes of the other resources ------------------------------------
 * These pick suitable routes from the routing table itself, so they follow the table as it
 * grows; with no such route in the build they are skipped with a message. */

static const api_route *find_route(const char *method, enum route_auth auth, int with_id)
{
    for (const api_route *r = api_routes; r->http.method; r++)
        if ((!method || strcmp(r->http.method, method) == 0) && r->auth == auth &&
            (strchr(r->http.path, '{') != NULL) == with_id)
            return r;
    return NULL;
}

/* The template with every {…} replaced by `id`. */
static void fill_template(const char *tpl, const char *id, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = tpl; *p && o + 1 < size;) {
        if (*p == '{') {
            o += (size_t)snprintf(out + o, size - o, "%s", id);
            p = strchr(p, '}') + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o < size ? o : size - 1] = '\0';
}

static void test_path_ids(void **st)
{
    const api_route *r = find_route(NULL, AUTH_ACCESS, 1);
    if (!r) {
        fprintf(stderr, "skipped: no authenticated route with an {id} in this build\n");
        skip();
    }
    static const char *const bad[] = {"abc", "-1", "+1", "1.5", "1e3", "%20",
                                      "1234567890123456789", "0x10", "12a"};
    char path[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fill_template(r->http.path, bad[i], path, sizeof path);
        http_resp resp;
        call(&g_srv, r->http.method, path, &resp);
        if (resp.status != 404)
            fail_msg("%s %s: %ld, expected 404", r->http.method, path, resp.status);
        expect_error(&resp, 404, "Not found");
        http_resp_free(&resp);
    }
    /* 1 and 18 digits match the route: authentication answers, not routing */
    static const char *const good[] = {"1", "123456789012345678", "007"};
    for (size_t i = 0; i < 3; i++) {
        fill_template(r->http.path, good[i], path, sizeof path);
        http_resp resp;
        call(&g_srv, r->http.method, path, &resp);
        expect_token_error(&resp, "Missing Authorization Header");
        http_resp_free(&resp);
    }
    fill_template(r->http.path, "1", path, sizeof path);
    strcat(path, "/");
    http_resp resp;
    call(&g_srv, r->http.method, path, &resp);
    expect_error(&resp, 404, "Not found");
    http_resp_free(&resp);
}

static void test_json_bodies(void **st)
{
    const api_route *r = find_route("POST", AUTH_NONE, 0);
    if (!r) {
        fprintf(stderr, "skipped: no public POST route with a body in this build\n");
        skip();
    }
    static const char *const invalid[] = {"{", "{\"a\":}", "nul", "{'a':1}", "{\"a\":1}x",
                                          "\xff\xfe{}", "{\"a\":\"\xc3\x28\"}", " "};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        http_resp resp;
        assert_int_equal(http_post_json(&g_srv, r->http.path, invalid[i], NULL, &resp), 0);
        expect_error(&resp, 400, "Invalid JSON body");
        http_resp_free(&resp);
    }
    static const char *const not_object[] = {"[]", "[1,2]", "\"str\"", "42", "1.5", "true",
                                             "false", "null"};
    for (size_t i = 0; i < sizeof not_object / sizeof not_object[0]; i++) {
        http_resp resp;
        assert_int_equal(http_post_json(&g_srv, r->http.path, not_object[i], NULL, &resp), 0);
        expect_error(&resp, 400, "Request body must be a JSON object");
        http_resp_free(&resp);
    }
    /* no Content-Type at all: still parsed as JSON */
    http_resp resp;
    assert_int_equal(http_call(&g_srv, "POST", r->http.path, "[1]", 3, NULL, &resp), 0);
    expect_error(&resp, 400, "Request body must be a JSON object");
    http_resp_free(&resp);
}

static char *issue(long long uid, enum token_type type, long long ver, time_t now, long life)
{
    char *tok = NULL;
    assert_int_equal(token_issue((const unsigned char *)TEST_SECRET, strlen(TEST_SECRET), uid,
                                 "teacher", type, ver, now, life, &tok, NULL), TOKEN_OK);
    return tok;
}

static void auth_call(const char *method, const char *path, const char *auth_header,
                      http_resp *resp)
{
    const char *hdrs[] = {auth_header, NULL};
    http_opts o = {.headers = auth_header ? hdrs : NULL};
    assert_int_equal(http_call(&g_srv, method, path, NULL, 0, &o, resp), 0);
}

static void expect_auth(const api_route *r, const char *auth_header, const char *msg)
{
    http_resp resp;
    auth_call(r->http.method, r->http.path, auth_header, &resp);
    expect_token_error(&resp, msg);
    http_resp_free(&resp);
}

static void test_authorization_header(void **st)
{
    const api_route *r = find_route("GET", AUTH_ACCESS, 0);
    if (!r) {
        fprintf(stderr, "skipped: no authenticated GET route in this build\n");
        skip();
    }
    char hdr[4096];
    time_t now = time(NULL);
    expect_auth(r, NULL, "Missing Authorization Header");
    expect_auth(r, "Authorization:", "Missing Authorization Header");
    expect_auth(r, "Authorization: Basic dXNlcjpwYXNz", "Invalid token");
    expect_auth(r, "Authorization: Bearer", "Invalid token");
    expect_auth(r, "Authorization: Bearer ", "Invalid token");
    expect_auth(r, "Authorization: Bearer not-a-jwt", "Invalid token");
    expect_auth(r, "Authorization: Bearer a.b.c", "Invalid token");
    expect_auth(r, "Authorization: Token abc", "Invalid token");

    char *tok = issue(999999, TOKEN_ACCESS, 0, now, 600);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer  %s", tok); /* two spaces */
    expect_auth(r, hdr, "Invalid token");
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %sx", tok); /* broken signature */
    expect_auth(r, hdr, "Invalid token");
    /* a valid token of a user that does not exist; the scheme word in any case */
    snprintf(hdr, sizeof hdr, "Authorization: bEARER %s", tok);
    expect_auth(r, hdr, "User not found or inactive");
    free(tok);

    tok = issue(999999, TOKEN_REFRESH, 0, now, 600); /* refresh token on an access route */
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    expect_auth(r, hdr, "Invalid token");
    free(tok);
    tok = issue(999999, TOKEN_ACCESS, 0, now - 7200, 600); /* expired an hour ago */
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    expect_auth(r, hdr, "Token has expired");
    free(tok);

    /* alg none: header {"alg":"none","typ":"JWT"}, claims of a plausible access token */
    char claims[256];
    snprintf(claims, sizeof claims,
             "{\"sub\":\"1\",\"type\":\"access\",\"jti\":\"x\",\"exp\":%lld,\"ver\":0}",
             (long long)now + 600);
    char *h64 = base64_encode("{\"alg\":\"none\",\"typ\":\"JWT\"}", 27, 1);
    char *c64 = base64_encode(claims, strlen(claims), 1);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s.%s.", h64, c64);
    expect_auth(r, hdr, "Invalid token");
    free(h64);
    free(c64);
}

/* ---- shutdown ------------------------------------------------------------------------ */

static void test_sigterm_clean_exit(void **st)
{
    test_server s;
    assert_int_equal(start(&s, "ops_shutdown", NULL), 0);
    http_resp r;
    get(&s, "/health", &r);
    assert_true(r.status == 200 || r.status == 503);
    http_resp_free(&r);
    /* exit status 0 after SIGTERM (and, in the sanitizer build, no leak report) */
    assert_int_equal(test_server_stop(&s), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "pg") != 0)) {
        fprintf(stderr, "usage: %s sqlite|pg\n", argv[0]);
        return 2;
    }
    g_pg = strcmp(argv[1], "pg") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_metrics_token),
        cmocka_unit_test(test_openapi),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_method_not_allowed),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_413_content_length),
        cmocka_unit_test(test_413_chunked),
        cmocka_unit_test(test_cors_any),
        cmocka_unit_test(test_cors_origins_list),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_path_ids),
        cmocka_unit_test(test_json_bodies),
        cmocka_unit_test(test_authorization_header),
        cmocka_unit_test(test_sigterm_clean_exit),
    };
    return cmocka_run_group_tests_name(g_pg ? "http_ops_pg" : "http_ops_sqlite", tests,
                                       group_setup, group_teardown);
}
