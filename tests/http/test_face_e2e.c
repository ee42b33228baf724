/* End to end with real photos: students enrol with 2-3 photos each and join a class, the
 * teacher sends group photos, the response names exactly the students in them with boxes
 * on their faces, `mark` records them, finalize marks the rest absent, and the JSON and
 * CSV reports agree. Uses ../shared/testdata/faces; without it, faces cut out of the npm
 * demo photos (the labelled-set test is then skipped, and says so).
 * Run as `http_test_face_e2e sqlite|pg`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face_fixture.h"

#define KNN "face_recognition_examples/examples/knn_examples/"
#define MAX_STUDENTS 5

typedef struct scenario {
    int n;                         /* students */
    int enrolled[MAX_STUDENTS];    /* has face data */
    int in_photo[MAX_STUDENTS];    /* appears in the group photos */
    char *photos[2];               /* group photos (base64) */
    char photo_paths[2][1400];
    int n_photos;
} scenario;

static user g_teacher, g_st[MAX_STUDENTS];
static klass g_class;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Labelled set: Obama and Biden are in both group photos; Kit and Rose are enrolled but
 * absent; Alex enrolled too. Demo fallback: everyone of sample5.jpg but the last person
 * is enrolled; the photo is sample5.jpg itself. */
static void plan(scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    int people = ff_people_init(&g_teacher);
    if (ff_labelled()) {
        sc->n = 5;
        for (int i = 0; i < 5; i++)
            sc->enrolled[i] = 1;
        sc->in_photo[0] = sc->in_photo[1] = 1;
        snprintf(sc->photo_paths[0], sizeof sc->photo_paths[0], "%s", ff_face_path(KNN "test/obama_and_biden.jpg"));
        snprintf(sc->photo_paths[1], sizeof sc->photo_paths[1], "%s",
                 ff_face_path("face_recognition_examples/examples/two_people.jpg"));
        sc->n_photos = 2;
    } else {
        sc->n = people;
        if (sc->n > MAX_STUDENTS)
            sc->n = MAX_STUDENTS;
        for (int i = 0; i < sc->n; i++) {
            sc->enrolled[i] = i < sc->n - 1;
            sc->in_photo[i] = 1;
        }
        snprintf(sc->photo_paths[0], sizeof sc->photo_paths[0], "%s", ff_demo_path("sample5.jpg"));
        sc->n_photos = 1;
    }
    for (int i = 0; i < sc->n_photos; i++)
        sc->photos[i] = ff_b64_file(sc->photo_paths[i]);
}

static void enrol_all(const scenario *sc)
{
    static const char *const firsts[] = {"Ada", "Ben", "Cleo", "Dev", "Eli"};
    for (int i = 0; i < sc->n; i++) {
        new_user(&g_st[i], "student", firsts[i], "Student");
        join(&g_st[i], &g_class);
        if (!sc->enrolled[i])
            continue;
        char *v[3] = {ff_portrait(i, 0), ff_portrait(i, 1), ff_portrait(i, 2)};
        int n = ff_labelled() && i == 1 ? 3 : 2;   /* one student with three photos */
        const char *imgs[3] = {v[0], ff_labelled() ? v[1] : v[2], v[2]};
        double t0 = now_ms();
        att_resp r = want_status(ff_post("/api/face-data/multiple-upload", &g_st[i],
                                         json_pack("{s:o}", "images", ff_images_array(imgs, (size_t)n))),
                                 201);
        printf("enrolment of %d photos: %.0f ms (%lld accepted)\n", n, now_ms() - t0,
               jint(r.json, "images_processed"));
        att_resp_free(&r);
        for (int k = 0; k < 3; k++)
            free(v[k]);
    }
}

static int student_index(long long id, const scenario *sc)
{
    for (int i = 0; i < sc->n; i++)
        if (g_st[i].id == id)
            return i;
    return -1;
}

/* The face box of a recognised student, cut out of its photo with a margin, is
 * recognised on its own as that same student: the box is on their face. */
static void check_box(const scenario *sc, const json_t *face)
{
    json_t *box = json_object_get(face, "box");
    int x = (int)jint(box, "x"), y = (int)jint(box, "y"), w = (int)jint(box, "width"),
        h = (int)jint(box, "height");
    face_image photo, crop;
    ff_load(sc->photo_paths[jint(face, "image_index")], &photo);
    ff_crop(&photo, x - w / 2, y - h / 2, 2 * w, 2 * h, 1.0, &crop);
    char *b64 = ff_b64_image(&crop);
    const char *one[1] = {b64};
    att_resp r = want_status(ff_post("/api/attendance/recognize-faces", &g_teacher,
                                     json_pack("{s:I, s:o}", "class_id", (json_int_t)g_class.id,
                                               "images", ff_images_array(one, 1))), 200);
    json_t *rec = json_object_get(r.json, "recognized_students");
    assert_int_equal(json_array_size(rec), 1);
    assert_int_equal(jint(json_array_get(rec, 0), "id"), jint(face, "student_id"));
    att_resp_free(&r);
    free(b64);
    face_image_free(&photo);
    face_image_free(&crop);
}

static void check_recognition(const scenario *sc, const json_t *body)
{
    json_t *rec = json_object_get(body, "recognized_students"), *it;
    size_t i;
    int seen[MAX_STUDENTS] = {0}, want = 0;

    json_array_foreach(rec, i, it) {
        int s = student_index(jint(it, "id"), sc);
        assert_true(s >= 0);
        assert_false(seen[s]);        /* reported once */
        seen[s] = 1;
    }
    for (int s = 0; s < sc->n; s++) {
        int expected = sc->enrolled[s] && sc->in_photo[s];
        want += expected;
        if (seen[s] != expected)
            fail_msg("student %d (%s): recognised %d, expected %d", s, g_st[s].name, seen[s], expected);
    }
    assert_int_equal(json_array_size(rec), want);
    json_array_foreach(json_object_get(body, "faces"), i, it)
        if (json_is_integer(json_object_get(it, "student_id")))
            check_box(sc, it);
}

static void test_class_day(void **state)
{
    scenario sc;
    char p[128];
    new_user(&g_teacher, "teacher", "Tess", "Teacher");
    new_class(&g_teacher, "Homeroom", &g_class);
    plan(&sc);
    assert_true(sc.n >= 2);
    enrol_all(&sc);
    long long sess = new_session(&g_teacher, &g_class, "Monday", NULL);

    json_t *imgs = json_array();
    for (int i = 0; i < sc.n_photos; i++)
        json_array_append_new(imgs, json_string(sc.photos[i]));
    double t0 = now_ms();
    att_resp r = want_status(ff_post("/api/attendance/recognize-faces", &g_teacher,
                                     json_pack("{s:I, s:o, s:I, s:b, s:b}", "class_id",
                                               (json_int_t)g_class.id, "images", imgs,
                                               "session_id", (json_int_t)sess, "mark", 1,
                                               "annotate", 1)), 200);
    printf("recognize-faces (%d photos, %lld faces, mark, annotate): %.0f ms\n", sc.n_photos,
           jint(r.json, "total_faces_detected"), now_ms() - t0);
    check_recognition(&sc, r.json);
    json_t *marked = json_object_get(r.json, "marked"), *m;
    size_t i;
    assert_int_equal(json_array_size(marked), json_array_size(json_object_get(r.json, "recognized_students")));
    json_array_foreach(marked, i, m) {
        assert_string_equal(att_str(m, "action"), "created");
        assert_string_equal(att_str(m, "status"), "present");
    }
    assert_int_equal(json_array_size(json_object_get(r.json, "annotated_images")), sc.n_photos);
    att_resp_free(&r);

    /* finalize: everybody else absent */
    r = want_status(att_call("POST", pathf(p, sizeof p, "/api/attendance/session/%lld/finalize", sess),
                             g_teacher.token, NULL), 200);
    json_t *absent = json_object_get(r.json, "absent_marked");
    int n_present = 0;
    for (int s = 0; s < sc.n; s++)
        n_present += sc.enrolled[s] && sc.in_photo[s];
    assert_int_equal(json_array_size(absent), sc.n - n_present);
    att_resp_free(&r);

    /* JSON and CSV reports agree with what was recognised */
    r = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/class/%lld/report", g_class.id),
                             g_teacher.token, NULL), 200);
    att_resp csv = want_status(att_call("GET", pathf(p, sizeof p, "/api/attendance/class/%lld/report?format=csv",
                                                     g_class.id), g_teacher.token, NULL), 200);
    json_t *rows = json_object_get(r.json, "students"), *row;
    assert_int_equal(json_array_size(rows), sc.n);
    json_array_foreach(rows, i, row) {
        int s = student_index(jint(row, "student_id"), &sc);
        int present = sc.enrolled[s] && sc.in_photo[s];
        char line[512];
        assert_int_equal(jint(row, "present"), present);
        assert_int_equal(jint(row, "absent"), !present);
        assert_int_equal(jint(row, "total_sessions"), 1);
        snprintf(line, sizeof line, "\r\n%lld,%s,%s,%d,0,%d,1,", g_st[s].id, g_st[s].name,
                 g_st[s].email, present, !present);
        if (!strstr(csv.body, line))
            fail_msg("CSV lacks the row of %s", g_st[s].name);
    }
    att_resp_free(&csv);
    att_resp_free(&r);

    for (int s = 0; s < sc.n; s++)
        if (sc.enrolled[s]) {
            r = att_call("DELETE", "/api/face-data/delete", g_st[s].token, NULL);
            att_resp_free(&r);
        }
    for (int k = 0; k < sc.n_photos; k++)
        free(sc.photos[k]);
}

int main(int argc, char **argv)
{
    static const char *const env[] = {"RECOGNITION_WORKERS=2", NULL};
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_class_day)};
    if (ff_start(argc, argv, env) < 0)
        return ff_models_dir() ? 1 : 0;
    if (!ff_faces_dir())
        printf("SKIP: ../shared/testdata/faces absent: the labelled-set test is skipped; "
               "running the demo-photo variant\n");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return att_stop() < 0 ? 1 : failed;
}
