/* Face data endpoints (API.md §6.1-6.11) against a real server with the face engine:
 * shapes, every documented error, nothing stored on failure, role and ownership rules,
 * thumbnails, trimming, the duplicate identity guard, delete and re-enrolment.
 * Run as `http_test_face_data sqlite|pg`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/client.h"
#include "common/server.h"
#include "face_fixture.h"

#define UPLOAD "/api/face-data/upload"
#define MULTI "/api/face-data/multiple-upload"
#define ORIENT "/api/face-data/upload-orientations"
#define VALIDATE "/api/face-data/validate-image"

enum { OBAMA, BIDEN, KIT, ROSE, ALEX, CLOONEY, MARIA };

static user g_scout;   /* teacher used to find faces in the demo photos (fallback) */

/* ---- validation and roles (§1.5 order: role before body) --------------------------- */

static void test_roles_and_fields(void **state)
{
    user t, s;
    new_user(&t, "teacher", "Tia", "Roles");
    new_user(&s, "student", "Sam", "Fields");

    want_error(att_call("POST", UPLOAD, t.token, "not json"), 403, "Only students can upload face data");
    want_error(att_call("POST", MULTI, t.token, "{}"), 403, "Only students can upload face data");
    want_error(att_call("POST", ORIENT, t.token, "{}"), 403, "Only students can upload face data");
    want_error(att_call("DELETE", "/api/face-data/delete", t.token, NULL), 403,
               "Only students can delete face data");
    want_error(att_call("GET", "/api/face-data/student/facial-status", t.token, NULL), 403,
               "Only students can check facial status");
    want_error(att_call("GET", "/api/face-data/stats", s.token, NULL), 403,
               "Only teachers can view face data statistics");
    want_error(att_call("GET", "/api/face-data/class/1/students-with-facial-data", s.token, NULL),
               403, "Only teachers can view class facial data");
    want_error(att_call("POST", "/api/face-data/recognize-from-photo", s.token, "{}"), 403,
               "Only teachers can perform facial recognition");

    want_error(att_call("POST", UPLOAD, s.token, "{bad"), 400, "Invalid JSON body");
    want_error(att_call("POST", UPLOAD, s.token, "[1]"), 400, "Request body must be a JSON object");
    want_error(att_call("POST", UPLOAD, s.token, "{}"), 400, "Image data is required");
    want_error(att_call("POST", UPLOAD, s.token, "{\"image\": null}"), 400, "Image data is required");
    want_error(att_call("POST", UPLOAD, s.token, "{\"image\": \" \\n \"}"), 400, "Image data is required");
    want_error(att_call("POST", UPLOAD, s.token, "{\"image\": 5}"), 400, "image must be a string");

    want_error(att_call("POST", MULTI, s.token, "{}"), 400, "Images array is required");
    want_error(att_call("POST", MULTI, s.token, "{\"images\": []}"), 400, "Images array is required");
    want_error(att_call("POST", MULTI, s.token, "{\"images\": \"x\"}"), 400, "images must be an array");
    want_error(att_call("POST", MULTI, s.token, "{\"images\": [\"a\"]}"), 400,
               "Please provide 2-5 images for better accuracy");
    want_error(att_call("POST", MULTI, s.token, "{\"images\": [\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}"),
               400, "Please provide 2-5 images for better accuracy");
    want_error(att_call("POST", MULTI, s.token, "{\"images\": [\"a\", 1]}"), 400,
               "images must contain only strings");

    want_error(att_call("POST", VALIDATE, s.token, "{}"), 400, "Image data is required");
    want_error(att_call("POST", VALIDATE, t.token, "{\"image\": []}"), 400, "image must be a string");

    /* upload-orientations: its own error form */
    const char *bad[] = {"{}", "{\"images\": {}}", "{\"images\": []}", "{bad"};
    const char *msgs[] = {"images array is required", "images array is required",
                          "images array is required", "Invalid JSON body"};
    for (int i = 0; i < 4; i++) {
        att_resp r = att_call("POST", ORIENT, s.token, bad[i]);
        assert_int_equal(r.status, 400);
        assert_true(json_is_false(json_object_get(r.json, "success")));
        assert_string_equal(att_str(r.json, "error"), msgs[i]);
        assert_string_equal(att_str(r.json, "message"), msgs[i]);
        att_resp_free(&r);
    }
    json_t *many = json_array();
    for (int i = 0; i < 26; i++)
        json_array_append_new(many, json_pack("{s:s, s:s}", "orientation", "front", "image", "x"));
    att_resp r = ff_post(ORIENT, &s, json_pack("{s:o}", "images", many));
    assert_int_equal(r.status, 400);
    assert_string_equal(att_str(r.json, "message"), "At most 25 images per request");
    att_resp_free(&r);

    /* Reads without data; delete without data. */
    assert_int_equal(ff_stored_count(&s), 0);
    assert_int_equal(ff_stored_count(&t), 0);
    r = want_status(att_call("GET", "/api/face-data/student/facial-status", s.token, NULL), 200);
    assert_true(json_is_false(json_object_get(r.json, "has_facial_data")));
    assert_string_equal(att_str(r.json, "status"), "not_registered");
    assert_int_equal(jint(r.json, "images_count"), 0);
    assert_string_equal(att_str(r.json, "next_step"), "upload_facial_data");
    assert_true(json_is_true(json_object_get(r.json, "registration_required")));
    att_resp_free(&r);
    want_error(att_call("DELETE", "/api/face-data/delete", s.token, NULL), 404, "No face data found");
    r = want_status(att_call("GET", "/api/face-data/stats", t.token, NULL), 200);
    assert_int_equal(jint(r.json, "total_students"), 0);
    assert_float_equal(jnum(r.json, "face_data_coverage"), 0.0, 1e-9);
    json_t *vdb = json_object_get(r.json, "vector_database");
    assert_string_equal(att_str(vdb, "db_type"), "builtin");
    assert_int_equal(jint(vdb, "encoding_dimension"), 128);
    att_resp_free(&r);
}

/* ---- image errors: 400 with the documented message, nothing stored ----------------- */

static void expect_upload_error(const user *s, const char *b64, const char *msg, int prefix)
{
    att_resp r = ff_upload(s, b64);
    assert_int_equal(r.status, 400);
    if (prefix)
        assert_memory_equal(att_str(r.json, "error"), msg, strlen(msg));
    else
        assert_string_equal(att_str(r.json, "error"), msg);
    att_resp_free(&r);
}

/* A portrait rescaled so that its face size lands between 40 and 63 px. */
static char *small_face(const user *s, int person)
{
    char *b64 = ff_portrait(person, 0);
    att_resp r = want_status(ff_post(VALIDATE, s, ff_image_body(b64)), 200);
    long long size = jint(json_object_get(r.json, "quality"), "face_size");
    att_resp_free(&r);
    free(b64);
    face_image img, small;
    ff_portrait_image(person, 0, &img);
    ff_scale(&img, 52.0 / (double)size, &small);
    b64 = ff_b64_image(&small);
    face_image_free(&img);
    face_image_free(&small);
    return b64;
}

static void test_image_errors(void **state)
{
    user s;
    new_user(&s, "student", "Ivy", "Errors");
    char *text = "aGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IGFuIGltYWdl";   /* "hello world, ..." */
    expect_upload_error(&s, "%%% not base64 %%%", "Invalid image data: invalid base64", 0);
    expect_upload_error(&s, "data:image/jpeg;base64,", "Invalid image data: empty image", 0);
    expect_upload_error(&s, "data:image/jpeg;base64", "Invalid image data: invalid base64", 0);
    expect_upload_error(&s, text, "Invalid image data: unsupported image format", 0);

    /* a JPEG cut short: recognised, fails to decode */
    char *full = ff_b64_file(ff_demo_path("sample2.jpg"));
    size_t keep = strlen(full) / 3 & ~(size_t)3;
    full[keep] = '\0';
    expect_upload_error(&s, full, "Invalid image data: ", 1);
    free(full);

    char *png = ff_b64_huge_png(100000, 100000), *jpg;
    expect_upload_error(&s, png, "Image too large", 0);
    jpg = ff_b64_huge_jpeg(ff_demo_path("sample1.jpg"), 60000, 60000);
    expect_upload_error(&s, jpg, "Image too large", 0);

    char *flat = ff_b64_flat(640, 480, 128);
    expect_upload_error(&s, flat, "No face detected in the image", 0);
    char *group = ff_labelled() ? ff_b64_file(ff_face_path("face_recognition_examples/examples/two_people.jpg"))
                                : ff_b64_file(ff_demo_path("sample1.jpg"));
    expect_upload_error(&s, group, "Multiple faces detected. Please use an image with only one face", 0);
    /* a portrait scaled down (labelled set only); else a second flat image */
    char *small = ff_labelled() ? small_face(&s, OBAMA) : ff_b64_flat(64, 64, 200);
    const char *small_error = ff_labelled() ? "Face too small: move closer to the camera"
                                            : "No face detected in the image";
    expect_upload_error(&s, small, small_error, 0);

    /* multiple-upload: per-image results; nothing stored */
    const char *imgs[] = {flat, text, small, png};
    att_resp r = ff_multi(&s, imgs, 4);
    assert_int_equal(r.status, 400);
    assert_string_equal(att_str(r.json, "error"), "No valid face images found");
    json_t *res = json_object_get(r.json, "results");
    assert_int_equal(json_array_size(res), 4);
    const char *want[] = {"No face detected in the image", "Invalid image data: unsupported image format",
                          small_error, "Image too large"};
    for (size_t i = 0; i < 4; i++) {
        json_t *it = json_array_get(res, i);
        assert_int_equal(jint(it, "index"), (long long)i);
        assert_true(json_is_false(json_object_get(it, "accepted")));
        assert_string_equal(att_str(it, "error"), want[i]);
    }
    att_resp_free(&r);

    /* validate-image reports the same problems inside a 200 */
    r = want_status(ff_post(VALIDATE, &s, ff_image_body(png)), 200);
    assert_true(json_is_false(json_object_get(r.json, "valid")));
    assert_true(json_is_null(json_object_get(r.json, "quality")));
    assert_string_equal(att_str(r.json, "error"), "Image too large");
    att_resp_free(&r);
    r = want_status(ff_post(VALIDATE, &s, ff_image_body("@@@")), 200);
    assert_true(json_is_null(json_object_get(r.json, "quality")));
    assert_string_equal(att_str(r.json, "error"), "Invalid image data: invalid base64");
    att_resp_free(&r);
    r = want_status(ff_post(VALIDATE, &s, ff_image_body(flat)), 200);
    assert_true(json_is_false(json_object_get(r.json, "face_detected")));
    assert_int_equal(jint(r.json, "faces"), 0);
    json_t *q = json_object_get(r.json, "quality");
    assert_int_equal(jint(q, "image_width"), 640);
    assert_int_equal(jint(q, "image_height"), 480);
    assert_true(json_is_null(json_object_get(q, "face_size")));
    assert_float_equal(jnum(q, "brightness"), 128.0, 2.0);
    assert_float_equal(jnum(q, "sharpness"), 0.0, 5.0);
    att_resp_free(&r);
    r = want_status(ff_post(VALIDATE, &s, ff_image_body(group)), 200);
    assert_true(json_is_false(json_object_get(r.json, "valid")));
    assert_true(json_is_true(json_object_get(r.json, "face_detected")));
    assert_true(jint(r.json, "faces") >= 2);
    assert_string_equal(att_str(r.json, "error"),
                        "Multiple faces detected. Please use an image with only one face");
    att_resp_free(&r);
    if (ff_labelled()) {
        r = want_status(ff_post(VALIDATE, &s, ff_image_body(small)), 200);
        assert_string_equal(att_str(r.json, "error"), "Face too small: move closer to the camera");
        long long fs = jint(json_object_get(r.json, "quality"), "face_size");
        assert_true(fs >= 40 && fs < 64);
        att_resp_free(&r);
    }

    assert_int_equal(ff_stored_count(&s), 0);
    assert_int_equal(ff_images_total(&s, s.id), 0);
    free(png);
    free(jpg);
    free(flat);
    free(group);
    free(small);
}

/* ---- upload, shapes, matching the existing enrolment ------------------------------- */

static void test_upload_and_reads(void **state)
{
    user s;
    new_user(&s, "student", "Una", "Upload");

    char *b64 = ff_portrait(OBAMA, 0);
    char *v = ff_portrait(OBAMA, 2);
    att_resp r = want_status(ff_upload(&s, b64), 201);
    assert_string_equal(att_str(r.json, "message"), "Face data uploaded successfully");
    assert_int_equal(jint(r.json, "images_processed"), 1);
    assert_true(json_is_true(json_object_get(r.json, "vector_db_enabled")));
    ff_check_face_data(json_object_get(r.json, "face_data"), &s, 1, "single_image");
    att_resp_free(&r);

    /* A data URL with line breaks, URL-safe alphabet and no padding is the same image. */
    size_t n = strlen(v), m = 0;
    char *url = malloc(n + n / 60 + 64);
    strcpy(url, "data:image/png;base64,");   /* the MIME type is ignored */
    m = strlen(url);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '=')
            break;
        url[m++] = v[i] == '+' ? '-' : v[i] == '/' ? '_' : v[i];
        if (i % 60 == 59)
            url[m++] = '\n';
    }
    url[m] = '\0';
    r = want_status(ff_upload(&s, url), 200);
    assert_string_equal(att_str(r.json, "message"), "Face data updated successfully");
    ff_check_face_data(json_object_get(r.json, "face_data"), &s, 2, "single_image");
    att_resp_free(&r);
    free(url);

    /* Somebody else's face on this account: refused, nothing added. */
    r = ff_upload_person(&s, BIDEN, 0);
    want_error(r, 400, "Face does not match your registered face data");
    assert_int_equal(ff_stored_count(&s), 2);

    r = want_status(att_call("GET", "/api/face-data/my-data", s.token, NULL), 200);
    assert_string_equal(att_str(r.json, "message"), "Face data found");
    assert_true(json_is_true(json_object_get(r.json, "has_face_data")));
    ff_check_face_data(json_object_get(r.json, "face_data"), &s, 2, "single_image");
    att_resp_free(&r);

    r = want_status(att_call("GET", "/api/face-data/student/facial-status", s.token, NULL), 200);
    assert_true(json_is_true(json_object_get(r.json, "has_facial_data")));
    assert_string_equal(att_str(r.json, "status"), "registered");
    assert_true(json_is_true(json_object_get(r.json, "registration_ready")));
    assert_string_equal(att_str(r.json, "next_step"), "ready_for_attendance");
    json_t *si = json_object_get(r.json, "student_info");
    assert_int_equal(jint(si, "id"), s.id);
    assert_string_equal(att_str(si, "name"), s.name);
    assert_string_equal(att_str(si, "email"), s.email);
    json_t *fi = json_object_get(r.json, "facial_data_info");
    assert_int_equal(jint(fi, "images_count"), 2);
    assert_string_equal(att_str(fi, "upload_method"), "single_image");
    assert_true(is_timestamp(json_object_get(fi, "registration_date")));
    att_resp_free(&r);

    /* Own images, oldest first, and a 150x150 JPEG thumbnail. */
    char p[128];
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images?limit=1&offset=1",
                                          s.id), s.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 2);
    assert_int_equal(jint(r.json, "student_id"), s.id);
    json_t *imgs = json_object_get(r.json, "images");
    assert_int_equal(json_array_size(imgs), 1);
    ff_check_face_image(json_array_get(imgs, 0), s.id);
    long long second = jint(json_array_get(imgs, 0), "id");
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/images/%lld/thumbnail", second),
                             s.token, NULL), 200);
    assert_string_equal(r.content_type, "image/jpeg");
    face_image thumb;
    char reason[64];
    assert_int_equal(face_image_decode(r.body, r.len, 1000000, &thumb, reason, sizeof reason), FACE_OK);
    assert_int_equal(thumb.width, 150);
    assert_int_equal(thumb.height, 150);
    face_image_free(&thumb);
    att_resp_free(&r);
    want_error(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images?limit=0", s.id),
                        s.token, NULL), 400, "limit must be an integer between 1 and 1000");

    ff_delete_face_data(&s);
    free(b64);
    free(v);
}

/* ---- multiple-upload --------------------------------------------------------------- */

static void test_multiple_upload(void **state)
{
    user s;
    new_user(&s, "student", "Mo", "Multi");
    char *a = ff_portrait(KIT, 0), *b = ff_portrait(KIT, 1), *c = ff_portrait(KIT, 2);
    char *other = ff_portrait(ROSE, 0), *flat = ff_b64_flat(320, 240, 30);

    /* Two people: refused with results, nothing stored. */
    const char *mixed[] = {a, other};
    att_resp r = ff_multi(&s, mixed, 2);
    assert_int_equal(r.status, 400);
    assert_string_equal(att_str(r.json, "error"), "Images appear to show different people");
    assert_int_equal(json_array_size(json_object_get(r.json, "results")), 2);
    att_resp_free(&r);
    assert_int_equal(ff_stored_count(&s), 0);

    /* One bad image among three: skipped, the other two kept. */
    const char *three[] = {a, flat, b};
    r = want_status(ff_multi(&s, three, 3), 201);
    assert_string_equal(att_str(r.json, "message"), "Face data uploaded successfully using 2 images");
    assert_int_equal(jint(r.json, "images_processed"), 2);
    json_t *res = json_object_get(r.json, "results");
    assert_true(json_is_true(json_object_get(json_array_get(res, 0), "accepted")));
    assert_null(json_object_get(json_array_get(res, 0), "error"));
    assert_true(json_is_false(json_object_get(json_array_get(res, 1), "accepted")));
    assert_string_equal(att_str(json_array_get(res, 1), "error"), "No face detected in the image");
    assert_int_equal(jint(json_array_get(res, 2), "index"), 2);
    ff_check_face_data(json_object_get(r.json, "face_data"), &s, 2, "multiple_images");
    att_resp_free(&r);

    const char *more[] = {c, "   "};
    r = want_status(ff_multi(&s, more, 2), 200);
    assert_string_equal(att_str(r.json, "message"), "Face data updated successfully using 1 images");
    assert_string_equal(att_str(json_array_get(json_object_get(r.json, "results"), 1), "error"),
                        "Image data is required");
    ff_check_face_data(json_object_get(r.json, "face_data"), &s, 3, "multiple_images");
    att_resp_free(&r);

    ff_delete_face_data(&s);
    free(a);
    free(b);
    free(c);
    free(other);
    free(flat);
}

/* ---- the duplicate identity guard -------------------------------------------------- */

static void test_duplicate_guard(void **state)
{
    user s1, s2;
    new_user(&s1, "student", "Dee", "One");
    new_user(&s2, "student", "Dee", "Two");
    att_resp r = want_status(ff_upload_person(&s1, BIDEN, 0), 201);
    att_resp_free(&r);

    want_error(ff_upload_person(&s2, BIDEN, 1), 409, "This face is already registered to another account");
    char *a = ff_portrait(BIDEN, 1), *b = ff_portrait(BIDEN, 2);
    const char *two[] = {a, b};
    want_error(ff_multi(&s2, two, 2), 409, "This face is already registered to another account");
    json_t *items = json_array();
    static const char *const orients[] = {"front", "left", "right", "up", "down"};
    for (int i = 0; i < 5; i++)
        json_array_append_new(items, json_pack("{s:s, s:s}", "orientation", orients[i], "image",
                                               i % 2 ? a : b));
    r = ff_post(ORIENT, &s2, json_pack("{s:o}", "images", items));
    assert_int_equal(r.status, 409);
    assert_true(json_is_false(json_object_get(r.json, "success")));
    assert_string_equal(att_str(r.json, "message"), "This face is already registered to another account");
    att_resp_free(&r);
    assert_int_equal(ff_stored_count(&s2), 0);

    /* Once the first account deletes its data, the face is free again. */
    ff_delete_face_data(&s1);
    r = want_status(ff_upload_person(&s2, BIDEN, 1), 201);
    att_resp_free(&r);
    ff_delete_face_data(&s2);
    free(a);
    free(b);
}

/* Two accounts enrolling the same face at the same moment: exactly one wins. */
typedef struct race_arg {
    const user *u;
    const char *body;
    long status;
} race_arg;

static void *race_upload(void *p)
{
    race_arg *a = p;
    att_resp r = att_call("POST", UPLOAD, a->u->token, a->body);
    a->status = r.status;
    att_resp_free(&r);
    return NULL;
}

static void test_duplicate_race(void **state)
{
    user s1, s2;
    new_user(&s1, "student", "Race", "One");
    new_user(&s2, "student", "Race", "Two");
    char *b64 = ff_portrait(KIT, 0);
    json_t *j = ff_image_body(b64);
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    for (int round = 0; round < 3; round++) {
        race_arg a = {&s1, body, 0}, b = {&s2, body, 0};
        pthread_t ta, tb;
        assert_int_equal(pthread_create(&ta, NULL, race_upload, &a), 0);
        assert_int_equal(pthread_create(&tb, NULL, race_upload, &b), 0);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        assert_true((a.status == 201 && b.status == 409) || (a.status == 409 && b.status == 201));
        assert_int_equal(ff_stored_count(&s1) + ff_stored_count(&s2), 1);
        ff_delete_face_data(&s1);
        ff_delete_face_data(&s2);
    }
    free(body);
    free(b64);
}

/* ---- delete and re-enrolment ------------------------------------------------------- */

static void test_delete_and_reenrol(void **state)
{
    user s;
    char p[128];
    new_user(&s, "student", "Del", "Ete");
    char *a = ff_portrait(ROSE, 0), *b = ff_portrait(ROSE, 1);
    const char *two[] = {a, b};
    att_resp r = want_status(ff_multi(&s, two, 2), 201);
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images", s.id),
                             s.token, NULL), 200);
    long long first = jint(json_array_get(json_object_get(r.json, "images"), 0), "id");
    att_resp_free(&r);

    r = want_status(att_call("DELETE", "/api/face-data/delete", s.token, NULL), 200);
    assert_string_equal(att_str(r.json, "message"), "Face data deleted successfully");
    assert_int_equal(jint(r.json, "deleted_images"), 2);
    att_resp_free(&r);
    assert_int_equal(ff_stored_count(&s), 0);
    assert_int_equal(ff_images_total(&s, s.id), 0);
    want_error(att_call("GET", pathf(p, sizeof p, "/api/face-data/images/%lld/thumbnail", first),
                        s.token, NULL), 404, "Image not found or access denied");
    want_error(att_call("DELETE", "/api/face-data/delete", s.token, NULL), 404, "No face data found");

    r = want_status(ff_upload(&s, a), 201);
    assert_string_equal(att_str(r.json, "message"), "Face data uploaded successfully");
    ff_check_face_data(json_object_get(r.json, "face_data"), &s, 1, "single_image");
    att_resp_free(&r);
    ff_delete_face_data(&s);
    free(a);
    free(b);
}

/* ---- the audit trail (§15) ---------------------------------------------------------- */

static void test_audit_trail(void **state)
{
    user s, t, other;
    klass k;
    char p[128];
    new_user(&s, "student", "Aud", "Itee");
    new_user(&t, "teacher", "Tea", "Viewer");
    new_user(&other, "student", "Nosy", "Peer");
    new_class(&t, "Audit 101", &k);
    join(&s, &k);

    att_resp r = want_status(ff_upload_person(&s, CLOONEY, 0), 201);
    att_resp_free(&r);
    /* A refused enrolment writes nothing. */
    char *flat = ff_b64_flat(320, 240, 128);
    want_error(ff_upload(&s, flat), 400, "No face detected in the image");
    free(flat);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images", s.id),
                             t.token, NULL), 200);
    long long image = jint(json_array_get(json_object_get(r.json, "images"), 0), "id");
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/images/%lld/thumbnail", image),
                             t.token, NULL), 200);
    att_resp_free(&r);
    /* Not visible to another student: 404 and no event. */
    want_error(att_call("GET", pathf(p, sizeof p, "/api/face-data/images/%lld/thumbnail", image),
                        other.token, NULL), 404, "Image not found or access denied");
    r = want_status(att_call("DELETE", "/api/face-data/delete", s.token, NULL), 200);
    att_resp_free(&r);

    json_t *ev = audit_events(&s, "/api/audit/me");
    assert_int_equal(json_array_size(ev), 4);   /* newest first */
    assert_string_equal(att_str(json_array_get(ev, 3), "action"), "account.created");
    const json_t *del = json_array_get(ev, 0), *view = json_array_get(ev, 1),
                 *enrol = json_array_get(ev, 2);
    assert_string_equal(att_str(del, "action"), "face.deleted");
    assert_int_equal(jint(json_object_get(del, "details"), "images"), 1);
    assert_string_equal(att_str(view, "action"), "face.thumbnail_viewed");
    assert_int_equal(jint(view, "actor_id"), t.id);
    assert_string_equal(att_str(view, "actor_name"), t.name);
    assert_int_equal(jint(view, "subject_id"), s.id);
    assert_string_equal(att_str(view, "subject_name"), s.name);
    assert_int_equal(jint(json_object_get(view, "details"), "image_id"), image);
    assert_true(json_is_null(json_object_get(view, "class_id")));
    assert_string_equal(att_str(enrol, "action"), "face.enrolled");
    assert_int_equal(jint(enrol, "actor_id"), s.id);
    assert_int_equal(jint(json_object_get(enrol, "details"), "images"), 1);
    assert_true(att_str(enrol, "request_id")[0] != '\0');
    json_decref(ev);
    /* Nobody else sees them: their own lists hold only their sign-up. */
    ev = audit_events(&other, "/api/audit/me");
    assert_int_equal(json_array_size(ev), 1);
    assert_string_equal(att_str(json_array_get(ev, 0), "action"), "account.created");
    json_decref(ev);
    ev = audit_events(&t, "/api/audit/me");
    assert_int_equal(json_array_size(ev), 1);
    json_decref(ev);
}

/* ---- 25-image trimming ------------------------------------------------------------- */

static void test_trimming(void **state)
{
    user s;
    char p[128];
    new_user(&s, "student", "Tr", "Im");
    char *a = ff_portrait(CLOONEY, 0), *b = ff_portrait(CLOONEY, 1);
    const char *five[] = {a, b, a, b, a};
    long long first = 0;
    for (int i = 0; i < 5; i++) {
        att_resp r = want_status(ff_multi(&s, five, 5), i == 0 ? 201 : 200);
        assert_int_equal(jint(json_object_get(r.json, "face_data"), "images_count"), 5 * (i + 1));
        att_resp_free(&r);
        if (i == 0) {
            r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images",
                                                  s.id), s.token, NULL), 200);
            first = jint(json_array_get(json_object_get(r.json, "images"), 0), "id");
            att_resp_free(&r);
        }
    }
    att_resp r = want_status(ff_upload(&s, b), 200);
    assert_int_equal(jint(json_object_get(r.json, "face_data"), "images_count"), 25);
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images", s.id),
                             s.token, NULL), 200);
    assert_int_equal(jint(r.json, "total"), 25);
    json_t *imgs = json_object_get(r.json, "images");
    assert_int_equal(jint(json_array_get(imgs, 0), "id"), first + 1);   /* the oldest went */
    assert_string_equal(att_str(json_array_get(imgs, 24), "source"), "single_image");
    att_resp_free(&r);
    want_error(att_call("GET", pathf(p, sizeof p, "/api/face-data/images/%lld/thumbnail", first),
                        s.token, NULL), 404, "Image not found or access denied");
    ff_delete_face_data(&s);
    free(a);
    free(b);
}

static int setup_people(void **state)
{
    if (ff_faces_dir()) {
        new_user(&g_scout, "teacher", "Scout", "Faces");
        ff_people_init(&g_scout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* Enrolment needs real portraits of distinct people: the labelled set. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_fields),
        cmocka_unit_test(test_image_errors),
        cmocka_unit_test(test_upload_and_reads),
        cmocka_unit_test(test_multiple_upload),
        cmocka_unit_test(test_duplicate_guard),
        cmocka_unit_test(test_duplicate_race),
        cmocka_unit_test(test_delete_and_reenrol),
        cmocka_unit_test(test_trimming),
        cmocka_unit_test(test_audit_trail),
    };
    if (ff_start(argc, argv, NULL) < 0)
        return ff_models_dir() ? 1 : 0;   /* no models: skipped (printed) */
    size_t n = sizeof tests / sizeof *tests;
    if (!ff_faces_dir()) {
        printf("SKIP: ../shared/testdata/faces absent: the enrolment tests with labelled "
               "portraits are skipped\n");
        n = 2;
    }
    int failed = _cmocka_run_group_tests("face_data", tests, n, setup_people, NULL);
    return att_stop() < 0 ? 1 : failed;
}
