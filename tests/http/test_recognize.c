/* Recognition endpoints against a real server with the face engine: §7.7
 * POST /api/attendance/recognize-faces (checks in order, assignment, mark, annotate) and
 * §6.12 recognize-from-photo; capacity (§5.6: concurrent requests, 503 + Retry-After) and
 * the recognition metrics. Run as `http_test_recognize sqlite|pg`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/client.h"
#include "common/server.h"
#include "core/base64.h"
#include "face_fixture.h"
#include "fixture.h"

#define RECOGNIZE "/api/attendance/recognize-faces"
#define PHOTO "/api/face-data/recognize-from-photo"
#define TWO_PEOPLE "face_recognition_examples/examples/two_people.jpg"

enum { OBAMA, BIDEN, KIT, ROSE, ALEX };

static char *g_demo;   /* base64 of a demo group photo (always available with the models) */

static att_resp recognize(const user *t, json_t *body)
{
    return ff_post(RECOGNIZE, t, body);
}

static json_t *one_image(const char *b64)
{
    const char *one[1] = {b64};
    return ff_images_array(one, 1);
}

static void enrol(const user *s, int person)
{
    char *a = ff_portrait(person, 0), *b = ff_portrait(person, 1);
    const char *two[2] = {a, b};
    att_resp r = want_status(ff_post("/api/face-data/multiple-upload", s,
                                     json_pack("{s:o}", "images", ff_images_array(two, 2))), 201);
    att_resp_free(&r);
    free(a);
    free(b);
}

static void unenrol(const user *s)
{
    att_resp r = att_call("DELETE", "/api/face-data/delete", s->token, NULL);
    att_resp_free(&r);
}

/* ---- checks in order ---------------------------------------------------------------- */

static void test_recognize_checks(void **state)
{
    user t, t2, s;
    klass k, k2;
    new_user(&t, "teacher", "Rec", "Teacher");
    new_user(&t2, "teacher", "Other", "Teacher");
    new_user(&s, "student", "Rec", "Student");
    new_class(&t, "Chem", &k);
    new_class(&t2, "Geo", &k2);
    long long sess2 = new_session(&t2, &k2, "Other", NULL);
    long long sess = new_session(&t, &k, "Mine", NULL);
    char b[512];

    want_error(att_call("POST", RECOGNIZE, s.token, "{bad"), 403,
               "Only teachers can recognize faces for attendance");
    want_error(att_call("POST", RECOGNIZE, t.token, "{bad"), 400, "Invalid JSON body");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"images\": 5}"), 400, "Class ID is required");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": \"1\"}"), 400, "class_id must be an integer");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1.5}"), 400, "class_id must be an integer");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1}"), 400, "Images array is required");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": []}"), 400,
               "Images array is required");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": \"x\"}"), 400,
               "images must be an array");
    want_error(att_call("POST", RECOGNIZE, t.token,
                        "{\"class_id\": 1, \"images\": [\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}"),
               400, "At most 10 images per request");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": [\"a\", null]}"), 400,
               "images must contain only strings");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": [\"a\"], \"tolerance\": \"x\"}"),
               400, "tolerance must be a number");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": [\"a\"], \"tolerance\": 0}"),
               400, "Tolerance must be greater than 0 and at most 1");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": [\"a\"], \"tolerance\": 1.01}"),
               400, "Tolerance must be greater than 0 and at most 1");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": [\"a\"], \"session_id\": \"2\"}"),
               400, "session_id must be an integer");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": [\"a\"], \"mark\": 1}"),
               400, "mark must be a boolean");
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 1, \"images\": [\"a\"], \"annotate\": \"true\"}"),
               400, "annotate must be a boolean");
    want_error(att_call("POST", RECOGNIZE, t.token,
                        "{\"class_id\": 1, \"images\": [\"a\"], \"mark\": true, \"session_id\": null}"),
               400, "session_id is required when mark is true");
    /* lookups: not found, another teacher's class, a session of another class */
    want_error(att_call("POST", RECOGNIZE, t.token, "{\"class_id\": 99999999, \"images\": [\"a\"]}"),
               404, "Class not found or access denied");
    snprintf(b, sizeof b, "{\"class_id\": %lld, \"images\": [\"a\"]}", k2.id);
    want_error(att_call("POST", RECOGNIZE, t.token, b), 404, "Class not found or access denied");
    snprintf(b, sizeof b, "{\"class_id\": %lld, \"images\": [\"a\"], \"session_id\": %lld}", k.id, sess2);
    want_error(att_call("POST", RECOGNIZE, t.token, b), 404, "Session not found or access denied");
    snprintf(b, sizeof b, "{\"class_id\": %lld, \"images\": [\"a\"], \"session_id\": 99999999}", k.id);
    want_error(att_call("POST", RECOGNIZE, t.token, b), 404, "Session not found or access denied");

    /* Step 10: every image fails to decode. */
    char *huge = ff_b64_huge_png(20000, 20000);
    json_t *imgs = json_array();
    json_array_append_new(imgs, json_string("***"));
    json_array_append_new(imgs, json_string(huge));
    json_array_append_new(imgs, json_string("  "));
    att_resp r = recognize(&t, json_pack("{s:I, s:o, s:I, s:b}", "class_id", (json_int_t)k.id,
                                         "images", imgs, "session_id", (json_int_t)sess, "mark", 1));
    assert_int_equal(r.status, 400);
    assert_string_equal(att_str(r.json, "error"), "No valid images to process");
    json_t *errs = json_object_get(r.json, "image_errors");
    assert_int_equal(json_array_size(errs), 3);
    assert_string_equal(att_str(json_array_get(errs, 0), "error"), "Invalid image data: invalid base64");
    assert_int_equal(jint(json_array_get(errs, 1), "index"), 1);
    assert_string_equal(att_str(json_array_get(errs, 1), "error"), "Image too large");
    assert_string_equal(att_str(json_array_get(errs, 2), "error"), "Image data is required");
    att_resp_free(&r);
    free(huge);

    /* recognize-from-photo */
    want_error(att_call("POST", PHOTO, t.token, "{}"), 400, "Image is required");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": 1}"), 400, "image must be a string");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": \"a\"}"), 400, "Class ID is required");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": \"a\", \"class_id\": true}"), 400,
               "class_id must be an integer");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": \"a\", \"class_id\": 1, \"recognition_threshold\": \"x\"}"),
               400, "recognition_threshold must be a number");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": \"a\", \"class_id\": 1, \"recognition_threshold\": 0.39}"),
               400, "Recognition threshold must be between 0.4 and 0.9");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": \"a\", \"class_id\": 1, \"recognition_threshold\": 0.91}"),
               400, "Recognition threshold must be between 0.4 and 0.9");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": \"a\", \"class_id\": 1, \"max_faces\": 0}"),
               400, "max_faces must be a positive integer");
    want_error(att_call("POST", PHOTO, t.token, "{\"image\": \"a\", \"class_id\": 1, \"max_faces\": 2.5}"),
               400, "max_faces must be a positive integer");
    snprintf(b, sizeof b, "{\"image\": \"a\", \"class_id\": %lld}", k2.id);
    want_error(att_call("POST", PHOTO, t.token, b), 404, "Class not found or you do not have access");
    snprintf(b, sizeof b, "{\"image\": \"a\", \"class_id\": %lld, \"max_faces\": 3}", k.id);
    r = att_call("POST", PHOTO, t.token, b);
    assert_int_equal(r.status, 400);
    assert_true(json_is_false(json_object_get(r.json, "success")));
    assert_string_equal(att_str(r.json, "error"), "No students in this class have registered facial data");
    assert_int_equal(jint(r.json, "class_id"), k.id);
    assert_string_equal(att_str(r.json, "class_name"), "Chem");
    assert_string_equal(att_str(r.json, "recommendation"), "Ask students to register their facial data first");
    att_resp_free(&r);
}

/* ---- a class with no face data: every face is unknown ------------------------------ */

static void test_no_candidates(void **state)
{
    user t, s;
    klass k;
    new_user(&t, "teacher", "Una", "Known");
    new_user(&s, "student", "Nof", "Ace");
    new_class(&t, "Empty", &k);
    join(&s, &k);
    att_resp r = want_status(recognize(&t, json_pack("{s:I, s:o, s:b}", "class_id", (json_int_t)k.id,
                                                     "images", one_image(g_demo), "annotate", 1)), 200);
    long long n = jint(r.json, "total_faces_detected");
    assert_true(n >= 3);
    assert_int_equal(jint(r.json, "unknown_faces"), n);
    assert_int_equal(json_array_size(json_object_get(r.json, "recognized_students")), 0);
    assert_string_equal(att_str(r.json, "message"), "Face recognition completed. Found 0 students.");
    json_t *faces = json_object_get(r.json, "faces"), *f, *prev = NULL;
    size_t i;
    assert_int_equal(json_array_size(faces), n);
    json_array_foreach(faces, i, f) {
        json_t *box = json_object_get(f, "box");
        assert_true(json_is_null(json_object_get(f, "student_id")));
        assert_true(json_is_null(json_object_get(f, "distance")));
        assert_true(jint(box, "width") > 0 && jint(box, "height") > 0);
        if (prev) {   /* reading order */
            json_t *pb = json_object_get(prev, "box");
            assert_true(jint(pb, "y") < jint(box, "y") ||
                        (jint(pb, "y") == jint(box, "y") && jint(pb, "x") <= jint(box, "x")));
        }
        prev = f;
    }
    json_t *none = json_object_get(r.json, "students_without_face_data");
    assert_int_equal(json_array_size(none), 1);
    assert_int_equal(jint(json_array_get(none, 0), "id"), s.id);
    assert_string_equal(att_str(json_array_get(none, 0), "name"), s.name);
    assert_int_equal(json_array_size(json_object_get(r.json, "not_recognized_students")), 0);
    json_t *ann = json_object_get(r.json, "annotated_images");
    assert_int_equal(json_array_size(ann), 1);
    assert_memory_equal(json_string_value(json_array_get(ann, 0)), "data:image/jpeg;base64,", 23);
    att_resp_free(&r);
}

/* ---- group photos of enrolled students (labelled set) ------------------------------- */

typedef struct group_world {
    user t, st[5];
    klass k;
} group_world;

/* Obama, Biden and Kit enrolled; Rose enrolled elsewhere only; Alex without face data. */
static void make_group(group_world *w)
{
    static const char *const firsts[] = {"Barack", "Joe", "Kit", "Rose", "Alex"};
    new_user(&w->t, "teacher", "Grace", "Hopper");
    new_class(&w->t, "Civics", &w->k);
    for (int i = 0; i < 5; i++) {
        new_user(&w->st[i], "student", firsts[i], "Test");
        if (i != ROSE)
            join(&w->st[i], &w->k);
        if (i != ALEX)
            enrol(&w->st[i], i);
    }
}

static void drop_group(group_world *w)
{
    for (int i = 0; i < 5; i++)
        unenrol(&w->st[i]);
}

static const json_t *find_by_id(const json_t *list, const char *key, long long id)
{
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it) if (jint(it, key) == id) return it;
    return NULL;
}

static void test_group_photo(void **state)
{
    group_world w;
    make_group(&w);
    char *two = ff_b64_file(ff_face_path(TWO_PEOPLE)), *flat = ff_b64_flat(300, 200, 60);
    json_t *imgs = json_array();
    json_array_append_new(imgs, json_string(two));
    json_array_append_new(imgs, json_string(flat));
    json_array_append_new(imgs, json_string("data:image/jpeg;base64,****"));
    att_resp r = want_status(recognize(&w.t, json_pack("{s:I, s:o, s:b}", "class_id", (json_int_t)w.k.id,
                                                       "images", imgs, "annotate", 1)), 200);
    assert_string_equal(att_str(r.json, "message"), "Face recognition completed. Found 2 students.");
    assert_int_equal(jint(r.json, "class_id"), w.k.id);
    assert_string_equal(att_str(r.json, "class_name"), "Civics");
    assert_int_equal(jint(r.json, "images_processed"), 2);
    assert_int_equal(jint(r.json, "total_faces_detected"), 2);
    assert_string_equal(att_str(r.json, "recognition_method"), "ai_face");
    assert_float_equal(jnum(r.json, "tolerance_used"), 0.6, 1e-9);
    assert_true(json_is_null(json_object_get(r.json, "session_id")));
    assert_int_equal(json_array_size(json_object_get(r.json, "marked")), 0);
    assert_null(json_object_get(r.json, "session_stats"));

    json_t *rec = json_object_get(r.json, "recognized_students");
    assert_int_equal(json_array_size(rec), 2);
    double prev_conf = 2.0;
    for (size_t i = 0; i < 2; i++) {
        json_t *it = json_array_get(rec, i);
        long long id = jint(it, "id");
        assert_true(id == w.st[OBAMA].id || id == w.st[BIDEN].id);
        double d = jnum(it, "distance"), c = jnum(it, "confidence");
        assert_true(d >= 0 && d < 0.6);
        assert_float_equal(c, 1.0 - d / 1.2, 2e-4);
        assert_true(c <= prev_conf);
        prev_conf = c;
        assert_int_equal(jint(it, "image_index"), 0);
        assert_string_equal(att_str(it, "recognition_method"), "ai_face");
        int who = id == w.st[OBAMA].id ? OBAMA : BIDEN;
        assert_string_equal(att_str(it, "name"), w.st[who].name);
        assert_string_equal(att_str(it, "email"), w.st[who].email);
    }
    /* two_people.jpg: Obama on the left, Biden on the right (detection.tsv). */
    json_t *faces = json_object_get(r.json, "faces");
    assert_int_equal(json_array_size(faces), 2);
    json_t *f0 = json_array_get(faces, 0), *f1 = json_array_get(faces, 1);
    json_t *left = jint(json_object_get(f0, "box"), "x") < jint(json_object_get(f1, "box"), "x") ? f0 : f1;
    json_t *right = left == f0 ? f1 : f0;
    assert_int_equal(jint(left, "student_id"), w.st[OBAMA].id);
    assert_int_equal(jint(right, "student_id"), w.st[BIDEN].id);
    assert_float_equal(jnum(left, "distance"),
                       jnum(find_by_id(rec, "id", w.st[OBAMA].id), "distance"), 1e-9);
    assert_int_equal(jint(r.json, "unknown_faces"), 0);
    json_t *nr = json_object_get(r.json, "not_recognized_students");
    assert_int_equal(json_array_size(nr), 1);
    assert_int_equal(jint(json_array_get(nr, 0), "id"), w.st[KIT].id);
    json_t *nd = json_object_get(r.json, "students_without_face_data");
    assert_int_equal(json_array_size(nd), 1);
    assert_int_equal(jint(json_array_get(nd, 0), "id"), w.st[ALEX].id);
    json_t *errs = json_object_get(r.json, "image_errors");
    assert_int_equal(json_array_size(errs), 1);
    assert_int_equal(jint(json_array_get(errs, 0), "index"), 2);
    assert_string_equal(att_str(json_array_get(errs, 0), "error"), "Invalid image data: invalid base64");

    /* annotate: parallel to images, the oriented photo (under 2048 px: not scaled) */
    json_t *ann = json_object_get(r.json, "annotated_images");
    assert_int_equal(json_array_size(ann), 3);
    assert_true(json_is_null(json_array_get(ann, 2)));
    const char *url = json_string_value(json_array_get(ann, 0));
    assert_non_null(url);
    unsigned char *jpeg = NULL;
    size_t len = 0;
    face_image img, orig;
    char reason[64];
    assert_int_equal(base64_decode(url + 23, strlen(url + 23), &jpeg, &len), 0);
    assert_int_equal(face_image_decode(jpeg, len, 100000000, &img, reason, sizeof reason), FACE_OK);
    ff_load(ff_face_path(TWO_PEOPLE), &orig);
    assert_int_equal(img.width, orig.width);
    assert_int_equal(img.height, orig.height);
    face_image_free(&img);
    face_image_free(&orig);
    free(jpeg);
    att_resp_free(&r);

    /* A strict tolerance matches nobody; the faces stay. */
    r = want_status(recognize(&w.t, json_pack("{s:I, s:o, s:f}", "class_id", (json_int_t)w.k.id,
                                              "images", one_image(two), "tolerance", 0.05)), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "recognized_students")), 0);
    assert_int_equal(jint(r.json, "unknown_faces"), 2);
    assert_float_equal(jnum(r.json, "tolerance_used"), 0.05, 1e-9);
    assert_int_equal(json_array_size(json_object_get(r.json, "not_recognized_students")), 3);
    att_resp_free(&r);

    drop_group(&w);
    free(two);
    free(flat);
}

static void test_mark(void **state)
{
    group_world w;
    make_group(&w);
    char *two = ff_b64_file(ff_face_path(TWO_PEOPLE));
    long long sess = new_session(&w.t, &w.k, "Morning", NULL);
    mark_ok(&w.t, sess, &w.st[OBAMA], "late");
    mark_ok(&w.t, sess, &w.st[BIDEN], "absent");

    att_resp r = want_status(recognize(&w.t, json_pack("{s:I, s:o, s:I, s:b}", "class_id",
                                                       (json_int_t)w.k.id, "images", one_image(two),
                                                       "session_id", (json_int_t)sess, "mark", 1)), 200);
    assert_int_equal(jint(r.json, "session_id"), sess);
    json_t *marked = json_object_get(r.json, "marked");
    assert_int_equal(json_array_size(marked), 2);
    const json_t *ob = find_by_id(marked, "student_id", w.st[OBAMA].id);
    const json_t *bi = find_by_id(marked, "student_id", w.st[BIDEN].id);
    assert_non_null(ob);
    assert_non_null(bi);
    assert_string_equal(att_str(ob, "action"), "unchanged");
    assert_string_equal(att_str(ob, "status"), "late");
    assert_true(json_is_null(json_object_get(ob, "confidence")));
    assert_string_equal(att_str(ob, "student_name"), w.st[OBAMA].name);
    assert_string_equal(att_str(bi, "action"), "updated");
    assert_string_equal(att_str(bi, "status"), "present");
    double conf = jnum(bi, "confidence");
    assert_float_equal(conf, jnum(find_by_id(json_object_get(r.json, "recognized_students"), "id",
                                             w.st[BIDEN].id), "confidence"), 1e-9);
    /* total: 4 active students (Obama, Biden, Kit, Alex); present 1, late 1 */
    check_stats(json_object_get(r.json, "session_stats"), 4, 1, 1, 0, 50.0);
    double dist = jnum(find_by_id(json_object_get(r.json, "recognized_students"), "id",
                                  w.st[BIDEN].id), "distance");
    att_resp_free(&r);

    /* The audit trail (§15): one run by the teacher, one match per recognised student. */
    json_t *ev = audit_events(&w.st[BIDEN], "/api/audit/me");
    const json_t *fm = audit_find(ev, "face.matched");
    assert_non_null(fm);
    assert_int_equal(jint(fm, "actor_id"), w.t.id);
    assert_int_equal(jint(fm, "class_id"), w.k.id);
    assert_int_equal(jint(fm, "session_id"), sess);
    assert_float_equal(jnum(json_object_get(fm, "details"), "distance"), dist, 1e-4);
    json_decref(ev);
    char q[320];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM audit_events WHERE action = 'face.recognition_run'"
                          " AND session_id = %lld AND subject_id IS NULL AND actor_id = %lld"
                          " AND details LIKE '%%\"matched\":2%%'", sess, w.t.id);
    assert_int_equal(fx_query_int(q), 1);

    char p[96];
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/session/%lld/records", sess),
                             w.t.token, NULL), 200);
    const json_t *rec = find_by_id(json_object_get(r.json, "attendance_records"), "student_id",
                                   w.st[BIDEN].id);
    assert_string_equal(att_str(rec, "status"), "present");
    assert_string_equal(att_str(rec, "recognition_method"), "ai_face");
    assert_float_equal(jnum(rec, "recognition_confidence"), conf, 1e-9);
    assert_int_equal(jint(rec, "marked_by"), w.t.id);
    att_resp_free(&r);

    /* A fresh session: both created; again: both unchanged. */
    long long s2 = new_session(&w.t, &w.k, "Afternoon", NULL);
    for (int round = 0; round < 2; round++) {
        r = want_status(recognize(&w.t, json_pack("{s:I, s:o, s:I, s:b}", "class_id", (json_int_t)w.k.id,
                                                  "images", one_image(two), "session_id", (json_int_t)s2,
                                                  "mark", 1)), 200);
        marked = json_object_get(r.json, "marked");
        assert_int_equal(json_array_size(marked), 2);
        for (size_t i = 0; i < 2; i++) {
            json_t *m = json_array_get(marked, i);
            assert_string_equal(att_str(m, "action"), round == 0 ? "created" : "unchanged");
            assert_string_equal(att_str(m, "status"), "present");
            assert_true(json_is_number(json_object_get(m, "confidence")));
        }
        check_stats(json_object_get(r.json, "session_stats"), 4, 2, 0, 0, 50.0);
        att_resp_free(&r);
    }
    drop_group(&w);
    free(two);
}

static void test_from_photo(void **state)
{
    group_world w;
    make_group(&w);
    char *two = ff_b64_file(ff_face_path(TWO_PEOPLE)), *flat = ff_b64_flat(320, 240, 100);
    att_resp r = want_status(ff_post(PHOTO, &w.t, json_pack("{s:I, s:s, s:i}", "class_id",
                                                            (json_int_t)w.k.id, "image", two,
                                                            "max_faces", 50)), 200);
    assert_true(json_is_true(json_object_get(r.json, "success")));
    assert_string_equal(att_str(r.json, "message"), "Recognized 2 of 2 faces");
    assert_int_equal(jint(r.json, "teacher_id"), w.t.id);
    assert_int_equal(jint(r.json, "total_faces_detected"), 2);
    assert_int_equal(jint(r.json, "total_recognized"), 2);
    assert_int_equal(jint(r.json, "total_enrolled_with_data"), 3);
    assert_float_equal(jnum(r.json, "recognition_threshold"), 0.5, 1e-9);
    assert_int_equal(jint(r.json, "unrecognized_faces"), 0);
    assert_float_equal(jnum(r.json, "recognition_rate"), 100.0, 1e-9);
    assert_float_equal(jnum(r.json, "coverage_rate"), 66.67, 1e-9);
    json_t *rec = json_object_get(r.json, "recognized_students");
    assert_int_equal(json_array_size(rec), 2);
    double prev = 2, dist[2];
    long long ids[2];
    for (size_t i = 0; i < 2; i++) {
        json_t *it = json_array_get(rec, i), *loc = json_object_get(it, "face_location");
        double c = jnum(it, "confidence"), d = jnum(it, "distance");
        assert_true(c <= prev);
        prev = c;
        assert_float_equal(c, 1.0 - d / 1.2, 2e-4);
        assert_float_equal(jnum(it, "similarity_percentage"), round(c * 10000.0) / 100.0, 1e-9);
        long long fn = jint(it, "face_number");
        assert_true(fn == 1 || fn == 2);
        assert_true(jint(loc, "x2") > jint(loc, "x1") && jint(loc, "y2") > jint(loc, "y1"));
        /* face 1 is Obama on the left: two_people.jpg's faces share a row */
        long long id = jint(it, "student_id");
        assert_true(id == w.st[OBAMA].id || id == w.st[BIDEN].id);
        assert_true(json_is_string(json_object_get(it, "email")));
        ids[i] = id;
        dist[i] = d;
    }
    att_resp_free(&r);

    /* 0.9: faces must be closer than 2 x 0.6 x 0.1 = 0.12 */
    r = want_status(ff_post(PHOTO, &w.t, json_pack("{s:I, s:s, s:f}", "class_id", (json_int_t)w.k.id,
                                                   "image", two, "recognition_threshold", 0.9)), 200);
    rec = json_object_get(r.json, "recognized_students");
    size_t close = (dist[0] < 0.12) + (dist[1] < 0.12);
    assert_int_equal(json_array_size(rec), close);
    for (size_t i = 0; i < 2; i++)
        assert_true((find_by_id(rec, "student_id", ids[i]) != NULL) == (dist[i] < 0.12));
    assert_int_equal(jint(r.json, "unrecognized_faces"), 2 - (long long)close);
    assert_float_equal(jnum(r.json, "recognition_threshold"), 0.9, 1e-9);
    att_resp_free(&r);

    r = want_status(ff_post(PHOTO, &w.t, json_pack("{s:I, s:s}", "class_id", (json_int_t)w.k.id,
                                                   "image", flat)), 200);
    assert_string_equal(att_str(r.json, "message"), "No faces detected in the image");
    assert_int_equal(jint(r.json, "total_faces_detected"), 0);
    assert_float_equal(jnum(r.json, "recognition_rate"), 0.0, 1e-9);
    att_resp_free(&r);
    want_error(ff_post(PHOTO, &w.t, json_pack("{s:I, s:s}", "class_id", (json_int_t)w.k.id, "image",
                                              "data:,AAAA")), 400,
               "Invalid image data: unsupported image format");
    want_error(ff_post(PHOTO, &w.st[OBAMA], json_pack("{s:I, s:s}", "class_id", (json_int_t)w.k.id,
                                                      "image", two)), 403,
               "Only teachers can perform facial recognition");
    drop_group(&w);
    free(two);
    free(flat);
}

/* ---- capacity and metrics ---------------------------------------------------------- */

#define N_PARALLEL 8

typedef struct par_arg {
    const test_server *srv;
    const char *token;
    const char *body;
    long status;
    char retry_after[32];
    char error[64];
} par_arg;

static void *par_call(void *p)
{
    par_arg *a = p;
    http_resp r;
    http_opts o = {.bearer = a->token};
    a->status = 0;
    if (http_call(a->srv, "POST", RECOGNIZE, a->body, strlen(a->body), &o, &r) != 0)
        return NULL;
    a->status = r.status;
    if (!http_header(&r, "Retry-After", a->retry_after, sizeof a->retry_after))
        a->retry_after[0] = '\0';
    const char *e = r.json ? json_string_value(json_object_get(r.json, "error")) : NULL;
    snprintf(a->error, sizeof a->error, "%s", e ? e : "");
    http_resp_free(&r);
    return NULL;
}

/* Fires N_PARALLEL identical requests at once; counts 200s and 503s (all must be one). */
static void fire(const test_server *srv, const char *token, const char *body, int *ok, int *busy)
{
    pthread_t th[N_PARALLEL];
    par_arg args[N_PARALLEL];
    *ok = *busy = 0;
    for (int i = 0; i < N_PARALLEL; i++) {
        args[i] = (par_arg){.srv = srv, .token = token, .body = body};
        assert_int_equal(pthread_create(&th[i], NULL, par_call, &args[i]), 0);
    }
    for (int i = 0; i < N_PARALLEL; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N_PARALLEL; i++) {
        if (args[i].status == 200) {
            (*ok)++;
        } else {
            assert_int_equal(args[i].status, 503);
            assert_string_equal(args[i].error, "Server busy, try again");
            assert_true(atoi(args[i].retry_after) >= 1);
            (*busy)++;
        }
    }
}

static char *recognize_body(long long class_id)
{
    json_t *b = json_pack("{s:I, s:o}", "class_id", (json_int_t)class_id, "images", one_image(g_demo));
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

/* The main server runs with RECOGNITION_WORKERS=2 and a long queue: all of 8
 * simultaneous requests complete. */
static void test_parallel_all_complete(void **state)
{
    user t;
    klass k;
    int ok, busy;
    new_user(&t, "teacher", "Par", "Allel");
    new_class(&t, "Busy", &k);
    char *body = recognize_body(k.id);
    fire(att_server(), t.token, body, &ok, &busy);
    assert_int_equal(ok, N_PARALLEL);
    free(body);

    /* The metrics saw them, and nothing is in flight any more. */
    http_resp r;
    assert_int_equal(http_get(att_server(), "/metrics", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "attendly_recognition_requests_total{endpoint=\"/api/attendance/recognize-faces\",outcome=\"ok\"}"));
    assert_non_null(strstr(r.body, "# TYPE attendly_recognition_duration_seconds histogram"));
    assert_non_null(strstr(r.body, "attendly_recognition_in_flight 0"));
    const char *faces = strstr(r.body, "\nattendly_faces_detected_total ");
    assert_non_null(faces);
    assert_true(atol(faces + strlen("\nattendly_faces_detected_total ")) >= 3 * N_PARALLEL);
    http_resp_free(&r);
}

/* A second server with one worker and a 1 ms queue: some requests are refused with 503 +
 * Retry-After, none fails otherwise, and the busy outcome is counted. */
static void test_parallel_busy(void **state)
{
    char err[2048], models[1100], body_buf[512];
    const char *env[] = {models, "FACE_CONSENT_REQUIRED=0", "RECOGNITION_WORKERS=1",
                         "RECOGNITION_QUEUE_TIMEOUT_MS=1", NULL};
    test_server srv;
    http_resp r;
    int ok, busy;

    snprintf(models, sizeof models, "FACE_MODELS_DIR=%s", ff_models_dir());
    if (test_server_start(&srv, NULL, env, err, sizeof err) < 0)
        fail_msg("second server: %s", err);
    snprintf(body_buf, sizeof body_buf,
             "{\"email\":\"busy.%d@example.io\",\"password\":\"correct-horse-1\","
             "\"first_name\":\"B\",\"last_name\":\"Usy\",\"role\":\"teacher\"}", (int)getpid());
    assert_int_equal(http_post_json(&srv, "/api/auth/signup", body_buf, NULL, &r), 0);
    assert_int_equal(r.status, 201);
    char token[2048];
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(r.json, "access_token")));
    http_resp_free(&r);
    assert_int_equal(http_post_json(&srv, "/api/classes/create", "{\"name\":\"Q\"}", token, &r), 0);
    long long class_id = json_integer_value(json_object_get(json_object_get(r.json, "class"), "id"));
    http_resp_free(&r);

    char *body = recognize_body(class_id);
    int total_busy = 0;
    for (int round = 0; round < 3 && total_busy == 0; round++) {
        fire(&srv, token, body, &ok, &busy);
        assert_true(ok >= 1);
        total_busy += busy;
    }
    assert_true(total_busy >= 1);
    free(body);
    assert_int_equal(http_get(&srv, "/metrics", NULL, &r), 0);
    assert_non_null(strstr(r.body, "attendly_recognition_requests_total{endpoint=\"/api/attendance/recognize-faces\",outcome=\"busy\"}"));
    assert_non_null(strstr(r.body, "attendly_recognition_in_flight 0"));
    http_resp_free(&r);
    assert_int_equal(test_server_stop(&srv), 0);
}

/* Without usable models the server still runs: /health says so (503) and the face
 * endpoints answer 503, after their own role and field checks. */
static void test_engine_unavailable(void **state)
{
    char err[2048], body[512], token[2048];
    const char *env[] = {"FACE_MODELS_DIR=/nonexistent/models", "FACE_CONSENT_REQUIRED=0", NULL};
    test_server srv;
    http_resp r;

    if (test_server_start(&srv, NULL, env, err, sizeof err) < 0)
        fail_msg("server: %s", err);
    assert_int_equal(http_get(&srv, "/health", NULL, &r), 0);
    assert_int_equal(r.status, 503);
    assert_string_equal(json_string_value(json_object_get(r.json, "face_recognition")), "unavailable");
    assert_string_equal(json_string_value(json_object_get(r.json, "database")), "connected");
    http_resp_free(&r);
    snprintf(body, sizeof body, "{\"email\":\"nomodel.%d@example.io\",\"password\":\"correct-horse-1\","
             "\"first_name\":\"N\",\"last_name\":\"O\",\"role\":\"student\"}", (int)getpid());
    assert_int_equal(http_post_json(&srv, "/api/auth/signup", body, NULL, &r), 0);
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(r.json, "access_token")));
    http_resp_free(&r);
    assert_int_equal(http_post_json(&srv, "/api/face-data/upload", "{}", token, &r), 0);
    expect_error(&r, 400, "Image data is required");
    http_resp_free(&r);
    assert_int_equal(http_post_json(&srv, "/api/face-data/upload", "{\"image\":\"abc\"}", token, &r), 0);
    expect_error(&r, 503, "Face recognition is unavailable");
    http_resp_free(&r);
    assert_int_equal(http_get(&srv, "/api/face-data/my-data", token, &r), 0);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    assert_int_equal(test_server_stop(&srv), 0);
}

int main(int argc, char **argv)
{
    /* A queue long enough for 8 requests on 2 workers even in the sanitizer build on a
     * loaded machine: here every request must complete (the busy case has its own server). */
    static const char *const env[] = {"RECOGNITION_WORKERS=2",
                                      "RECOGNITION_QUEUE_TIMEOUT_MS=300000", NULL};
    const struct CMUnitTest always[] = {
        cmocka_unit_test(test_recognize_checks),
        cmocka_unit_test(test_no_candidates),
        cmocka_unit_test(test_parallel_all_complete),
        cmocka_unit_test(test_parallel_busy),
        cmocka_unit_test(test_engine_unavailable),
    };
    const struct CMUnitTest labelled[] = {
        cmocka_unit_test(test_group_photo),
        cmocka_unit_test(test_mark),
        cmocka_unit_test(test_from_photo),
    };
    if (ff_start(argc, argv, env) < 0)
        return ff_models_dir() ? 1 : 0;   /* no models: skipped (printed) */
    g_demo = ff_b64_file(ff_demo_path("sample1.jpg"));
    int failed = cmocka_run_group_tests(always, NULL, NULL);
    if (ff_faces_dir()) {
        ff_people_init(NULL);
        failed += cmocka_run_group_tests(labelled, NULL, NULL);
    } else {
        printf("SKIP: ../shared/testdata/faces absent: the group-photo tests are skipped\n");
    }
    free(g_demo);
    return att_stop() < 0 ? 1 : failed;
}
