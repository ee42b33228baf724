/* docs/openapi.json (embedded): an OpenAPI 3 document with every route of the routing
 * table and every route of API.md, each with its method. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/embedded.h"

/* Every route of API.md, by section. Keep in step with the contract. */
static const char *const API_MD_ROUTES[][2] = {
    /* §3 auth */
    {"POST", "/api/auth/signup"}, {"POST", "/api/auth/login"}, {"POST", "/api/auth/refresh"},
    {"POST", "/api/auth/logout"}, {"GET", "/api/auth/verify-token"},
    {"GET", "/api/auth/profile"}, {"PUT", "/api/auth/profile"},
    {"POST", "/api/auth/change-password"}, {"PUT", "/api/auth/update-role"},
    /* §4 classes */
    {"POST", "/api/classes/create"}, {"GET", "/api/classes/my-classes"},
    {"GET", "/api/classes/dashboard-stats"}, {"GET", "/api/classes/{id}"},
    {"PUT", "/api/classes/{id}/update"}, {"DELETE", "/api/classes/{id}"},
    {"POST", "/api/classes/join"}, {"POST", "/api/classes/{id}/leave"},
    {"POST", "/api/classes/{id}/regenerate-code"},
    {"DELETE", "/api/classes/{id}/students/{student_id}"},
    /* §6 face data */
    {"POST", "/api/face-data/upload"}, {"POST", "/api/face-data/multiple-upload"},
    {"POST", "/api/face-data/upload-orientations"}, {"GET", "/api/face-data/my-data"},
    {"GET", "/api/face-data/student/facial-status"}, {"DELETE", "/api/face-data/delete"},
    {"POST", "/api/face-data/validate-image"},
    {"GET", "/api/face-data/class/{id}/students-with-facial-data"},
    {"GET", "/api/face-data/stats"}, {"GET", "/api/face-data/student/{student_id}/images"},
    {"GET", "/api/face-data/images/{image_id}/thumbnail"},
    {"POST", "/api/face-data/recognize-from-photo"},
    /* §7 attendance */
    {"POST", "/api/attendance/create-session"}, {"POST", "/api/attendance/mark-attendance"},
    {"GET", "/api/attendance/sessions/{class_id}"},
    {"GET", "/api/attendance/session/{id}/records"}, {"PUT", "/api/attendance/record/{id}"},
    {"POST", "/api/attendance/session/{id}/finalize"},
    {"POST", "/api/attendance/recognize-faces"}, {"GET", "/api/attendance/student-records"},
    {"GET", "/api/attendance/class/{class_id}/report"},
    /* §8 operations */
    {"GET", "/health"}, {"GET", "/metrics"}, {"GET", "/api/openapi.json"},
    /* §8.4 the interactive reference: its page and the Redoc bundle the page loads */
    {"GET", "/api/docs"}, {"GET", "/api/docs/redoc.standalone.js"},
    /* §12 administration */
    {"GET", "/api/admin/users"}, {"POST", "/api/admin/users"},
    {"POST", "/api/admin/users/{id}/approve"}, {"POST", "/api/admin/users/{id}/deactivate"},
    {"POST", "/api/admin/users/{id}/reactivate"}, {"POST", "/api/admin/users/{id}/reset-password"},
    {"GET", "/api/admin/stats"},
    /* §13 consent */
    {"GET", "/api/face-data/consent"}, {"POST", "/api/face-data/consent"},
    {"DELETE", "/api/face-data/consent"},
    /* §14 check-in codes */
    {"POST", "/api/attendance/session/{id}/checkin"}, {"GET", "/api/attendance/session/{id}/checkin"},
    {"DELETE", "/api/attendance/session/{id}/checkin"}, {"GET", "/api/attendance/checkin/open"},
    {"POST", "/api/attendance/checkin"},
    /* §15 audit log */
    {"GET", "/api/audit/me"}, {"GET", "/api/audit"},
    /* §16 data rights */
    {"GET", "/api/auth/export"}, {"DELETE", "/api/auth/account"},
};
#define N_API_MD (sizeof API_MD_ROUTES / sizeof API_MD_ROUTES[0])

static json_t *g_doc;

static int load(void **st)
{
    assert_non_null(embedded_openapi[0].name);
    assert_string_equal(embedded_openapi[0].name, "openapi.json");
    json_error_t e;
    g_doc = json_loadb(embedded_openapi[0].data, embedded_openapi[0].len, 0, &e);
    if (!g_doc)
        fail_msg("openapi.json: line %d: %s", e.line, e.text);
    return 0;
}

static int unload(void **st)
{
    json_decref(g_doc);
    return 0;
}

/* The operation object of method+path, or NULL. */
static json_t *operation(const char *method, const char *path)
{
    char lower[16];
    size_t i = 0;
    for (; method[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)method[i]);
    lower[i] = '\0';
    json_t *item = json_object_get(json_object_get(g_doc, "paths"), path);
    return json_object_get(item, lower);
}

static void test_document_shape(void **st)
{
    json_t *v = json_object_get(g_doc, "openapi");
    assert_true(json_is_string(v));
    assert_true(strncmp(json_string_value(v), "3.", 2) == 0);
    assert_true(json_is_object(json_object_get(g_doc, "info")));
    assert_true(json_is_object(json_object_get(g_doc, "paths")));
}

static void test_every_table_route_documented(void **st)
{
    int n = 0;
    for (const api_route *r = api_routes; r->http.method; r++, n++) {
        json_t *op = operation(r->http.method, r->http.path);
        if (!op)
            fail_msg("%s %s is routed but not in docs/openapi.json", r->http.method, r->http.path);
        assert_true(json_is_object(json_object_get(op, "responses")));
    }
    assert_true(n >= 3);
}

static void test_every_contract_route_documented(void **st)
{
    for (size_t i = 0; i < N_API_MD; i++) {
        json_t *op = operation(API_MD_ROUTES[i][0], API_MD_ROUTES[i][1]);
        if (!op)
            fail_msg("API.md route %s %s missing from docs/openapi.json", API_MD_ROUTES[i][0],
                     API_MD_ROUTES[i][1]);
        assert_true(json_object_size(json_object_get(op, "responses")) >= 1);
    }
}

/* Nothing documented that the contract does not have (no stale or invented routes). */
static void test_no_extra_routes(void **st)
{
    const char *path;
    json_t *item;
    size_t ops = 0;
    json_object_foreach(json_object_get(g_doc, "paths"), path, item) {
        const char *m;
        json_t *op;
        json_object_foreach(item, m, op) {
            int found = 0;
            for (size_t i = 0; i < N_API_MD && !found; i++)
                found = strcmp(API_MD_ROUTES[i][1], path) == 0 &&
                        strcasecmp(API_MD_ROUTES[i][0], m) == 0;
            if (!found)
                fail_msg("documented %s %s is not an API.md route", m, path);
            ops++;
        }
    }
    assert_int_equal(ops, N_API_MD);
}

/* Table routes are API.md routes too, spelled exactly the same. */
static void test_table_routes_are_contract_routes(void **st)
{
    for (const api_route *r = api_routes; r->http.method; r++) {
        int found = 0;
        for (size_t i = 0; i < N_API_MD && !found; i++)
            found = strcmp(API_MD_ROUTES[i][0], r->http.method) == 0 &&
                    strcmp(API_MD_ROUTES[i][1], r->http.path) == 0;
        if (!found)
            fail_msg("routed %s %s is not an API.md route", r->http.method, r->http.path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_shape),
        cmocka_unit_test(test_every_table_route_documented),
        cmocka_unit_test(test_every_contract_route_documented),
        cmocka_unit_test(test_no_extra_routes),
        cmocka_unit_test(test_table_routes_are_contract_routes),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
