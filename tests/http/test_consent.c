/* HTTP tests of biometric consent (API.md §13) with FACE_CONSENT_REQUIRED=1 and a consent
 * text file: the three routes with every check, enrolment refused without current consent,
 * recognition never matching a student whose consent is not current, the roster fields,
 * and withdrawal deleting all face data at once. Run as `http_test_consent sqlite|pg`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tmpdir.h"
#include "face_fixture.h"
#include "fixture.h"

#define CONSENT "/api/face-data/consent"
/* UTF-8, with a trailing newline and surrounding spaces that must come back untouched. */
static const char TEXT[] = "  Ich willige ein — je consens — 我同意.\nSecond line.\n";

static char g_version[16];
static char g_dir[256];

static void expected_version(void)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256(h, (const unsigned char *)TEXT, strlen(TEXT));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(g_version, sizeof g_version, "%.12s", hex);
}

static att_resp give(const user *s, const char *version)
{
    char body[128];
    snprintf(body, sizeof body, "{\"accept\": true, \"version\": \"%s\"}", version);
    return att_call("POST", CONSENT, s->token, body);
}

static const json_t *roster_entry(const json_t *cls, long long id)
{
    const json_t *list = json_object_get(cls, "students");
    for (size_t i = 0; i < json_array_size(list); i++)
        if (jint(json_array_get(list, i), "id") == id)
            return json_array_get(list, i);
    fail_msg("student %lld not in the roster", id);
    return NULL;
}

static void test_routes(void **state)
{
    user t, s;
    new_user(&t, "teacher", "Con", "Teacher");
    new_user(&s, "student", "Con", "Sent");
    want_error(att_call("GET", CONSENT, t.token, NULL), 403, "Only students can manage consent");
    want_error(att_call("POST", CONSENT, t.token, "{bad"), 403, "Only students can manage consent");
    want_error(att_call("DELETE", CONSENT, t.token, NULL), 403, "Only students can manage consent");

    att_resp r = want_status(att_call("GET", CONSENT, s.token, NULL), 200);
    json_t *c = json_object_get(r.json, "consent");
    assert_string_equal(att_str(c, "status"), "none");
    assert_string_equal(att_str(c, "version"), g_version);
    assert_string_equal(att_str(c, "text"), TEXT);
    assert_true(json_is_null(json_object_get(c, "given_version")));
    assert_true(json_is_null(json_object_get(c, "given_at")));
    assert_true(json_is_null(json_object_get(c, "withdrawn_at")));
    att_resp_free(&r);

    want_error(att_call("POST", CONSENT, s.token, "[true]"), 400, "Request body must be a JSON object");
    want_error(att_call("POST", CONSENT, s.token, "{}"), 400, "accept is required");
    want_error(att_call("POST", CONSENT, s.token, "{\"accept\": null}"), 400, "accept is required");
    want_error(att_call("POST", CONSENT, s.token, "{\"accept\": \"yes\"}"), 400,
               "accept must be a boolean");
    want_error(att_call("POST", CONSENT, s.token, "{\"accept\": 1}"), 400, "accept must be a boolean");
    want_error(att_call("POST", CONSENT, s.token, "{\"accept\": false, \"version\": 3}"), 400,
               "Consent must be accepted explicitly");
    want_error(att_call("POST", CONSENT, s.token, "{\"accept\": true}"), 400, "version is required");
    want_error(att_call("POST", CONSENT, s.token, "{\"accept\": true, \"version\": 7}"), 400,
               "version must be a string");
    want_error(give(&s, "000000000000"), 409, "Consent text has changed; read it again");
    want_error(give(&s, ""), 409, "Consent text has changed; read it again");
    want_error(att_call("DELETE", CONSENT, s.token, NULL), 409, "No consent to withdraw");
    assert_int_equal(fx_query_int("SELECT COUNT(*) FROM face_consent_history"), 0);

    r = want_status(give(&s, g_version), 200);
    assert_string_equal(att_str(r.json, "message"), "Consent recorded");
    c = json_object_get(r.json, "consent");
    assert_string_equal(att_str(c, "status"), "given");
    assert_string_equal(att_str(c, "given_version"), g_version);
    assert_true(is_timestamp(json_object_get(c, "given_at")));
    att_resp_free(&r);
    r = want_status(give(&s, g_version), 200);   /* again: allowed */
    att_resp_free(&r);

    r = want_status(att_call("DELETE", CONSENT, s.token, NULL), 200);
    assert_string_equal(att_str(r.json, "message"), "Consent withdrawn and face data deleted");
    assert_int_equal(jint(r.json, "deleted_images"), 0);
    att_resp_free(&r);
    r = want_status(att_call("GET", CONSENT, s.token, NULL), 200);
    c = json_object_get(r.json, "consent");
    assert_string_equal(att_str(c, "status"), "withdrawn");
    assert_true(is_timestamp(json_object_get(c, "withdrawn_at")));
    assert_string_equal(att_str(c, "given_version"), g_version);
    att_resp_free(&r);
    want_error(att_call("DELETE", CONSENT, s.token, NULL), 409, "No consent to withdraw");

    char q[160];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM face_consent_history WHERE user_id = %lld", s.id);
    assert_int_equal(fx_query_int(q), 3);
    json_t *ev = audit_events(&s, "/api/audit/me");
    assert_string_equal(att_str(json_array_get(ev, 0), "action"), "consent.withdrawn");
    assert_string_equal(att_str(json_array_get(ev, 1), "action"), "consent.given");
    assert_string_equal(att_str(json_object_get(json_array_get(ev, 1), "details"), "version"),
                        g_version);
    json_decref(ev);
}

static void test_effects(void **state)
{
    user t, s, other;
    klass k;
    char p[96];
    new_user(&t, "teacher", "Eff", "Ects");
    new_user(&s, "student", "Face", "Owner");
    new_user(&other, "student", "No", "Face");
    new_class(&t, "Consent 101", &k);
    join(&s, &k);
    join(&other, &k);

    /* Enrolment: consent right after the role check (before the body). */
    want_error(att_call("POST", "/api/face-data/upload", s.token, "{bad"), 403,
               "Biometric consent required");
    want_error(att_call("POST", "/api/face-data/multiple-upload", s.token, "{}"), 403,
               "Biometric consent required");
    want_error(att_call("POST", "/api/face-data/upload-orientations", s.token, "{}"), 403,
               "Biometric consent required");
    char *photo = ff_portrait(0, 0), *again = ff_portrait(0, 1);
    att_resp r = want_status(ff_post("/api/face-data/validate-image", &s, ff_image_body(photo)), 200);
    att_resp_free(&r);
    r = want_status(give(&s, g_version), 200);
    att_resp_free(&r);
    r = want_status(ff_upload(&s, photo), 201);
    att_resp_free(&r);

    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/classes/%lld", k.id), t.token, NULL), 200);
    const json_t *e = roster_entry(json_object_get(r.json, "class"), s.id);
    assert_true(json_is_true(json_object_get(e, "has_face_data")));
    assert_string_equal(att_str(e, "consent_status"), "given");
    e = roster_entry(json_object_get(r.json, "class"), other.id);
    assert_true(json_is_false(json_object_get(e, "has_face_data")));
    assert_string_equal(att_str(e, "consent_status"), "none");
    att_resp_free(&r);

    json_t *imgs = json_pack("[s]", again);
    r = want_status(ff_post("/api/attendance/recognize-faces", &t,
                            json_pack("{s:I, s:O}", "class_id", (json_int_t)k.id, "images", imgs)),
                    200);
    assert_int_equal(json_array_size(json_object_get(r.json, "recognized_students")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "students_without_consent")), 0);
    att_resp_free(&r);

    /* A consent to an older text counts as none: never matched, listed, refused enrolment. */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE face_consents SET given_version = 'aaaaaaaaaaaa'"
                              " WHERE user_id = %lld", s.id);
    assert_int_equal(fx_exec(sql), 0);
    r = want_status(att_call("GET", CONSENT, s.token, NULL), 200);
    assert_string_equal(att_str(json_object_get(r.json, "consent"), "status"), "none");
    assert_string_equal(att_str(json_object_get(r.json, "consent"), "given_version"), "aaaaaaaaaaaa");
    att_resp_free(&r);
    r = want_status(ff_post("/api/attendance/recognize-faces", &t,
                            json_pack("{s:I, s:O}", "class_id", (json_int_t)k.id, "images", imgs)),
                    200);
    assert_int_equal(json_array_size(json_object_get(r.json, "recognized_students")), 0);
    const json_t *nc = json_object_get(r.json, "students_without_consent");
    assert_int_equal(json_array_size(nc), 1);
    assert_int_equal(jint(json_array_get(nc, 0), "id"), s.id);
    assert_string_equal(att_str(json_array_get(nc, 0), "name"), s.name);
    att_resp_free(&r);
    r = ff_post("/api/face-data/recognize-from-photo", &t,
                json_pack("{s:I, s:s}", "class_id", (json_int_t)k.id, "image", again));
    want_error(r, 400, "No students in this class have registered facial data");
    want_error(ff_upload(&s, again), 403, "Biometric consent required");
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/classes/%lld", k.id), t.token, NULL), 200);
    assert_string_equal(att_str(roster_entry(json_object_get(r.json, "class"), s.id),
                                "consent_status"), "none");
    att_resp_free(&r);

    /* Consent again, then withdraw: every descriptor and thumbnail goes in one step. */
    r = want_status(give(&s, g_version), 200);
    att_resp_free(&r);
    r = want_status(ff_upload(&s, again), 200);
    att_resp_free(&r);
    r = want_status(ff_post("/api/face-data/recognize-from-photo", &t,
                            json_pack("{s:I, s:s}", "class_id", (json_int_t)k.id, "image", again)),
                    200);
    assert_int_equal(jint(r.json, "total_recognized"), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "students_without_consent")), 0);
    att_resp_free(&r);
    r = want_status(att_call("DELETE", CONSENT, s.token, NULL), 200);
    assert_int_equal(jint(r.json, "deleted_images"), 2);
    att_resp_free(&r);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM face_descriptors WHERE user_id = %lld", s.id);
    assert_int_equal(fx_query_int(sql), 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM face_data WHERE user_id = %lld", s.id);
    assert_int_equal(fx_query_int(sql), 0);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/classes/%lld", k.id), t.token, NULL), 200);
    e = roster_entry(json_object_get(r.json, "class"), s.id);
    assert_true(json_is_false(json_object_get(e, "has_face_data")));
    assert_string_equal(att_str(e, "consent_status"), "withdrawn");
    att_resp_free(&r);
    json_t *ev = audit_events(&s, "/api/audit/me");
    assert_string_equal(att_str(json_array_get(ev, 0), "action"), "consent.withdrawn");
    assert_int_equal(jint(json_object_get(json_array_get(ev, 0), "details"), "deleted_images"), 2);
    assert_string_equal(att_str(json_array_get(ev, 1), "action"), "face.deleted");
    json_decref(ev);
    json_decref(imgs);
    free(photo);
    free(again);
}

static int setup_people(void **state)
{
    user scout;
    if (ff_faces_dir()) {
        new_user(&scout, "teacher", "Scout", "Consent");
        ff_people_init(&scout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    char text_env[400], path[300];
    if (sodium_init() < 0 || tmpdir_make("attendly-consent", g_dir, sizeof g_dir) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/consent.txt", g_dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(TEXT, 1, strlen(TEXT), f) != strlen(TEXT))
        return 1;
    fclose(f);
    expected_version();
    snprintf(text_env, sizeof text_env, "FACE_CONSENT_TEXT_FILE=%s", path);
    const char *env[] = {"FACE_CONSENT_REQUIRED=1", text_env, NULL};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_effects),
    };
    size_t n = 2;
    if (ff_start(argc, argv, env) < 0) {
        tmpdir_remove(g_dir);
        return ff_models_dir() ? 1 : 0;
    }
    if (!ff_faces_dir()) {
        printf("SKIP: ../shared/testdata/faces absent: the enrolment part is skipped\n");
        n = 1;
    }
    int failed = _cmocka_run_group_tests("consent", tests, n, setup_people, NULL);
    failed += att_stop() < 0;
    tmpdir_remove(g_dir);
    return failed ? 1 : 0;
}
