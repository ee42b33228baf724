/* Face data, continued (see test_face_data.c): upload-orientations (§6.3), who may see
 * images, thumbnails, coverage and statistics (§6.8-6.10), and raw upload storage with
 * FACE_IMAGE_STORE=1 (§6.11). Needs the labelled photos. Run as
 * `http_test_face_views sqlite|pg`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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


/* ---- upload-orientations ----------------------------------------------------------- */

static json_t *orient_item(const char *o, const char *b64)
{
    return json_pack("{s:s, s:s}", "orientation", o, "image", b64);
}

static void test_orientations(void **state)
{
    static const char *const names[] = {"front", "left", "right", "up", "down"};
    user s;
    new_user(&s, "student", "Ori", "Ent");
    char *v[3] = {ff_portrait(MARIA, 0), ff_portrait(MARIA, 1), ff_portrait(MARIA, 2)};
    char *other = ff_portrait(ALEX, 0), *flat = ff_b64_flat(200, 200, 90);

    /* Missing orientations: the captured ones, the missing ones in canonical order, and the
     * refused items (structural and pipeline errors alike). */
    json_t *items = json_array();
    json_array_append_new(items, orient_item("left", v[1]));
    json_array_append_new(items, orient_item("front", v[0]));
    json_array_append_new(items, orient_item("back", v[2]));
    json_array_append_new(items, json_pack("{s:s}", "orientation", "up"));
    json_array_append_new(items, json_string("x"));
    json_array_append_new(items, orient_item("down", flat));
    att_resp r = ff_post(ORIENT, &s, json_pack("{s:o}", "images", items));
    assert_int_equal(r.status, 400);
    assert_true(json_is_false(json_object_get(r.json, "success")));
    assert_string_equal(att_str(r.json, "error"), "Please include all 5 orientations. Missing: right, up, down");
    assert_string_equal(att_str(r.json, "message"), att_str(r.json, "error"));
    json_t *miss = json_object_get(r.json, "missing_orientations");
    json_t *cap = json_object_get(r.json, "captured_orientations");
    assert_int_equal(json_array_size(miss), 3);
    assert_string_equal(json_string_value(json_array_get(miss, 0)), "right");
    assert_int_equal(json_array_size(cap), 2);
    assert_string_equal(json_string_value(json_array_get(cap, 0)), "front");
    assert_string_equal(json_string_value(json_array_get(cap, 1)), "left");
    json_t *errs = json_object_get(r.json, "errors");
    assert_int_equal(json_array_size(errs), 4);
    assert_int_equal(jint(json_array_get(errs, 0), "index"), 2);
    assert_string_equal(att_str(json_array_get(errs, 0), "error"), "Invalid orientation: back");
    assert_string_equal(att_str(json_array_get(errs, 0), "orientation"), "back");
    assert_string_equal(att_str(json_array_get(errs, 1), "error"), "Missing image or orientation field");
    assert_string_equal(att_str(json_array_get(errs, 1), "orientation"), "up");
    assert_true(json_is_null(json_object_get(json_array_get(errs, 2), "orientation")));
    assert_string_equal(att_str(json_array_get(errs, 3), "error"), "No face detected in the image");
    att_resp_free(&r);
    assert_int_equal(ff_stored_count(&s), 0);

    /* Another person turned left: not within T of the front face. */
    items = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(items, orient_item(names[i], i == 1 ? other : v[i % 3]));
    r = ff_post(ORIENT, &s, json_pack("{s:o}", "images", items));
    assert_int_equal(r.status, 400);
    assert_string_equal(att_str(r.json, "message"), "Images appear to show different people");
    att_resp_free(&r);
    assert_int_equal(ff_stored_count(&s), 0);

    /* An earlier single upload is replaced by the complete registration. */
    r = want_status(ff_upload(&s, v[0]), 201);
    att_resp_free(&r);
    items = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(items, orient_item(names[i], v[i % 3]));
    json_array_append_new(items, orient_item("front", flat));
    r = want_status(ff_post(ORIENT, &s, json_pack("{s:o}", "images", items)), 200);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    assert_string_equal(att_str(r.json, "message"), "Face data uploaded successfully with 5 orientations");
    assert_int_equal(jint(r.json, "processed_images"), 5);
    assert_int_equal(jint(r.json, "embedding_dimension"), 128);
    assert_int_equal(json_array_size(json_object_get(r.json, "captured_orientations")), 5);
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 1);
    json_t *fd = json_object_get(r.json, "face_data");
    ff_check_face_data(fd, &s, 5, "orientations");
    assert_int_equal(jint(r.json, "face_data_id"), jint(fd, "id"));
    assert_string_equal(att_str(r.json, "encoding_version"), att_str(fd, "encoding_version"));
    assert_int_equal(json_array_size(json_object_get(json_object_get(fd, "encoding_metadata"),
                                                     "captured_orientations")), 5);
    att_resp_free(&r);

    char p[128];
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images", s.id),
                             s.token, NULL), 200);
    json_t *imgs = json_object_get(r.json, "images");
    assert_int_equal(json_array_size(imgs), 5);
    for (size_t i = 0; i < 5; i++) {
        ff_check_face_image(json_array_get(imgs, i), s.id);
        assert_string_equal(att_str(json_array_get(imgs, i), "orientation"), names[i]);
    }
    att_resp_free(&r);
    ff_delete_face_data(&s);
    for (int i = 0; i < 3; i++)
        free(v[i]);
    free(other);
    free(flat);
}

/* ---- who may see what (§6.8-6.10) -------------------------------------------------- */

static void test_access_rules(void **state)
{
    user t1, t2, s, s2;
    klass k1, k2;
    char p[160];
    new_user(&t1, "teacher", "Tea", "One");
    new_user(&t2, "teacher", "Tea", "Two");
    new_user(&s, "student", "Stu", "Dent");
    new_user(&s2, "student", "Oth", "Er");
    new_class(&t1, "Bio", &k1);
    new_class(&t2, "Art", &k2);
    join(&s, &k1);
    join(&s2, &k1);
    join(&s2, &k2);
    att_resp r = want_status(ff_upload_person(&s, ALEX, 0), 201);
    att_resp_free(&r);
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images", s.id),
                             t1.token, NULL), 200);
    long long img = jint(json_array_get(json_object_get(r.json, "images"), 0), "id");
    att_resp_free(&r);
    const char *thumb = pathf(p, sizeof p, "/api/face-data/images/%lld/thumbnail", img);
    char thumb_path[160];
    snprintf(thumb_path, sizeof thumb_path, "%s", thumb);

    r = want_status(att_call("GET", thumb_path, t1.token, NULL), 200);
    att_resp_free(&r);
    r = want_status(att_call("GET", thumb_path, s.token, NULL), 200);
    att_resp_free(&r);
    want_error(att_call("GET", thumb_path, t2.token, NULL), 404, "Image not found or access denied");
    want_error(att_call("GET", thumb_path, s2.token, NULL), 404, "Image not found or access denied");
    want_error(att_call("GET", "/api/face-data/images/999999/thumbnail", t1.token, NULL), 404,
               "Image not found or access denied");
    const char *list = pathf(p, sizeof p, "/api/face-data/student/%lld/images", s.id);
    char list_path[160];
    snprintf(list_path, sizeof list_path, "%s", list);
    want_error(att_call("GET", list_path, t2.token, NULL), 404, "Student not found or access denied");
    want_error(att_call("GET", list_path, s2.token, NULL), 404, "Student not found or access denied");
    want_error(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images", t1.id),
                        t1.token, NULL), 404, "Student not found or access denied");

    /* Coverage of the owner's class; another teacher gets 404. */
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/class/%lld/students-with-facial-data",
                                          k1.id), t1.token, NULL), 200);
    assert_int_equal(jint(r.json, "class_id"), k1.id);
    assert_string_equal(att_str(r.json, "class_name"), "Bio");
    assert_int_equal(jint(r.json, "total_enrolled_students"), 2);
    assert_int_equal(jint(r.json, "students_with_facial_data"), 1);
    assert_float_equal(jnum(r.json, "coverage_percentage"), 50.0, 1e-9);
    assert_int_equal(jint(r.json, "total"), 1);
    json_t *st = json_array_get(json_object_get(r.json, "students"), 0);
    assert_int_equal(jint(st, "student_id"), s.id);
    assert_string_equal(att_str(st, "name"), s.name);
    assert_string_equal(att_str(st, "email"), s.email);
    assert_true(is_timestamp(json_object_get(st, "face_data_registered_at")));
    assert_int_equal(jint(st, "images_count"), 1);
    att_resp_free(&r);
    want_error(att_call("GET", pathf(p, sizeof p, "/api/face-data/class/%lld/students-with-facial-data",
                                     k1.id), t2.token, NULL), 404, "Class not found or access denied");

    /* Statistics cover only the caller's classes. */
    r = want_status(att_call("GET", "/api/face-data/stats", t1.token, NULL), 200);
    assert_int_equal(jint(r.json, "total_students"), 2);
    assert_int_equal(jint(r.json, "students_with_face_data"), 1);
    assert_float_equal(jnum(r.json, "face_data_coverage"), 50.0, 1e-9);
    assert_int_equal(jint(json_object_get(r.json, "vector_database"), "total_encodings"), 1);
    att_resp_free(&r);
    r = want_status(att_call("GET", "/api/face-data/stats", t2.token, NULL), 200);
    assert_int_equal(jint(r.json, "total_students"), 1);
    assert_int_equal(jint(r.json, "students_with_face_data"), 0);
    att_resp_free(&r);

    /* After the student leaves, their teacher loses access too. */
    leave(&s, &k1);
    want_error(att_call("GET", thumb_path, t1.token, NULL), 404, "Image not found or access denied");
    want_error(att_call("GET", list_path, t1.token, NULL), 404, "Student not found or access denied");
    r = want_status(att_call("GET", list_path, s.token, NULL), 200);
    att_resp_free(&r);
    ff_delete_face_data(&s);
}

/* ---- FACE_IMAGE_STORE=1 (§6.11) --------------------------------------------------- */

/* Regular files under dir (recursively). */
static int count_files(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "find '%s' -type f -name '*.jpg' 2>/dev/null | wc -l", dir);
    FILE *f = popen(cmd, "r");
    int n = -1;
    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = -1;
        pclose(f);
    }
    return n;
}

static void test_raw_image_store(void **state)
{
    char err[2048], models[1100], body[512], token[2048], faces_dir[700];
    const char *env[] = {models, "FACE_CONSENT_REQUIRED=0", "FACE_IMAGE_STORE=1",
                         "FACE_MAX_IMAGES_PER_STUDENT=2", NULL};
    test_server srv;
    http_resp r;

    snprintf(models, sizeof models, "FACE_MODELS_DIR=%s", ff_models_dir());
    if (test_server_start(&srv, NULL, env, err, sizeof err) < 0)
        fail_msg("server: %s", err);
    snprintf(faces_dir, sizeof faces_dir, "%s/faces", srv.dir);
    snprintf(body, sizeof body, "{\"email\":\"raw.%d@example.io\",\"password\":\"correct-horse-1\","
             "\"first_name\":\"R\",\"last_name\":\"Aw\",\"role\":\"student\"}", (int)getpid());
    assert_int_equal(http_post_json(&srv, "/api/auth/signup", body, NULL, &r), 0);
    assert_int_equal(r.status, 201);
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(r.json, "access_token")));
    http_resp_free(&r);

    char *a = ff_portrait(OBAMA, 0), *b = ff_portrait(OBAMA, 1);
    const char *imgs[] = {a, b, a};
    json_t *j = json_pack("{s:o}", "images", ff_images_array(imgs, 3));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_int_equal(http_post_json(&srv, MULTI, text, token, &r), 0);
    assert_int_equal(r.status, 201);
    http_resp_free(&r);
    /* three accepted, the oldest trimmed with its file: two kept */
    assert_int_equal(count_files(faces_dir), 2);
    j = json_pack("{s:s}", "image", "data:image/jpeg;base64,/9j/");
    free(text);
    text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_int_equal(http_post_json(&srv, UPLOAD, text, token, &r), 0);
    assert_int_equal(r.status, 400);   /* failed upload: nothing written */
    http_resp_free(&r);
    assert_int_equal(count_files(faces_dir), 2);
    assert_int_equal(http_call(&srv, "DELETE", "/api/face-data/delete", NULL, 0,
                               &(http_opts){.bearer = token}, &r), 0);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    assert_int_equal(count_files(faces_dir), 0);
    assert_int_equal(test_server_stop(&srv), 0);
    free(text);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orientations),
        cmocka_unit_test(test_access_rules),
        cmocka_unit_test(test_raw_image_store),
    };
    if (!ff_faces_dir()) {
        printf("SKIP: ../shared/testdata/faces absent: these tests need labelled portraits\n");
        return 0;
    }
    if (ff_start(argc, argv, NULL) < 0)
        return ff_models_dir() ? 1 : 0;   /* no models: skipped (printed) */
    ff_people_init(NULL);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return att_stop() < 0 ? 1 : failed;
}
