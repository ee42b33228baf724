/* The engine end to end against the oracle on real photos: SSD and Tiny detections,
 * 68 landmarks (full and tiny nets) and descriptors of the face-api pipeline
 * (detectAllFaces().withFaceLandmarks().withFaceDescriptors()), fed the same pixels. */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "face/detect.h"
#include "face_testutil.h"

static const char *models;
static face_engine *engine;
static double worst_score, worst_box, worst_lm, worst_lm_tiny, worst_desc;

static double num(json_t *a, size_t i) { return json_number_value(json_array_get(a, i)); }

static void upd(double *worst, double v)
{
    if (!(v <= *worst))
        *worst = v;
}

/* Oracle detections [{score, box:[x,y,w,h]}] against ours, in the same order. */
static void check_dets(const char *what, json_t *want, const fd_box *got, int n)
{
    printf("  %s: %d detections (oracle %zu)\n", what, n, json_array_size(want));
    assert_int_equal((size_t)n, json_array_size(want));
    for (int i = 0; i < n; i++) {
        json_t *d = json_array_get(want, (size_t)i), *b = json_object_get(d, "box");
        double ds = fabs(json_number_value(json_object_get(d, "score")) - got[i].score);
        double db = fmax(fmax(fabs(num(b, 0) - got[i].x), fabs(num(b, 1) - got[i].y)),
                         fmax(fabs(num(b, 2) - got[i].w), fabs(num(b, 3) - got[i].h)));
        upd(&worst_score, ds);
        upd(&worst_box, db);
        assert_true(ds < 1e-3);
        assert_true(db < 0.5);
    }
}

/* Our face (any order) whose box origin is nearest to the oracle's. */
static const face_det *match(json_t *box, const face_det *dets, int n)
{
    const face_det *best = NULL;
    double bd = 1e9;
    for (int i = 0; i < n; i++) {
        double d = fabs(dets[i].box.x - num(box, 0)) + fabs(dets[i].box.y - num(box, 1));
        if (d < bd) {
            bd = d;
            best = &dets[i];
        }
    }
    return best;
}

static void check_faces(json_t *faces, const face_det *dets, int n, int tiny_landmarks)
{
    assert_int_equal((size_t)n, json_array_size(faces));
    for (size_t i = 0; i < json_array_size(faces); i++) {
        json_t *f = json_array_get(faces, i), *box = json_object_get(f, "box");
        const face_det *d = match(box, dets, n);
        assert_non_null(d);
        double db = fmax(fmax(fabs(num(box, 0) - d->box.x), fabs(num(box, 1) - d->box.y)),
                         fmax(fabs(num(box, 2) - d->box.w), fabs(num(box, 3) - d->box.h)));
        assert_true(db < 0.5);
        json_t *lm = json_object_get(f, tiny_landmarks ? "landmarks_tiny" : "landmarks");
        double dl = 0;
        for (int p = 0; p < 68; p++)
            dl = fmax(dl, fmax(fabs(num(lm, 2 * p) - d->landmarks[p].x),
                               fabs(num(lm, 2 * p + 1) - d->landmarks[p].y)));
        upd(tiny_landmarks ? &worst_lm_tiny : &worst_lm, dl);
        assert_true(dl < 0.5);
        if (tiny_landmarks)
            continue;
        json_t *desc = json_object_get(f, "descriptor");
        assert_true(d->has_descriptor);
        double dd = 0;
        for (int k = 0; k < FACE_DESCRIPTOR_DIM; k++)
            dd = fmax(dd, fabs(num(desc, (size_t)k) - d->descriptor[k]));
        upd(&worst_desc, dd);
        assert_true(dd < 1e-3);
    }
}

static int source_path(const char *source, char *buf, size_t len)
{
    const char *shared = getenv("ATTENDLY_SHARED_DIR");
    if (strncmp(source, "models/", 7) == 0)
        snprintf(buf, len, "%s/%s", models, source + 7);
    else if (strncmp(source, "shared/", 7) == 0)
        snprintf(buf, len, "%s/%s", shared && *shared ? shared : "../shared", source + 7);
    else
        return -1;
    FILE *f = fopen(buf, "rb");
    if (!f)
        return -1;
    fclose(f);
    return 0;
}

static void run_fixture(const char *name)
{
    char path[4096];
    json_error_t jerr;
    ft_fixture_path(name, path, sizeof path);
    json_t *root = json_load_file(path, 0, &jerr), *im;
    size_t idx;
    assert_non_null(root);
    face_worker *w = face_worker_acquire(engine, 1000);
    assert_non_null(w);
    json_array_foreach(root, idx, im) {
        const char *src = json_string_value(json_object_get(im, "source"));
        face_image img;
        if (source_path(src, path, sizeof path) != 0) {
            printf("SKIP %s: image not available\n", src);
            continue;
        }
        printf("%s\n", src);
        assert_int_equal(ft_decode_jpeg(path, &img), 0);
        assert_int_equal(img.width, json_integer_value(json_object_get(im, "width")));
        assert_int_equal(img.height, json_integer_value(json_object_get(im, "height")));
        int tiny_size = (int)json_integer_value(json_object_get(im, "tiny_input_size"));
        fd_region all = { 0, 0, img.width, img.height };
        fd_box *boxes;
        int n;
        assert_int_equal(fd_ssd(w, &img, all, 0.5f, FD_SSD_MAX_RESULTS, &boxes, &n), FACE_OK);
        check_dets("ssd", json_object_get(im, "ssd"), boxes, n);
        free(boxes);
        assert_int_equal(fd_tiny(w, &img, all, tiny_size, 0.5f, &boxes, &n), FACE_OK);
        check_dets("tiny", json_object_get(im, "tiny"), boxes, n);
        free(boxes);

        face_opts o;
        face_opts_default(&o);
        o.detector = strcmp(json_string_value(json_object_get(im, "detector")), "tiny") == 0
                         ? FACE_DETECTOR_TINY : FACE_DETECTOR_SSD;
        o.tiny_input_size = tiny_size;
        o.chip = FACE_CHIP_FACEAPI;
        o.tiles = FACE_TILES_OFF;
        o.min_face_size = 0;
        face_det *dets;
        face_timing t;
        assert_int_equal(face_analyze(w, &img, &o, &dets, &n, &t), FACE_OK);
        printf("  pipeline: %d faces, detect %.1f ms, landmarks %.1f ms, describe %.1f ms\n", n,
               t.detect_ms, t.landmarks_ms, t.describe_ms);
        for (int i = 1; i < n; i++) /* reading order */
            assert_true(dets[i - 1].box.y < dets[i].box.y ||
                        (dets[i - 1].box.y == dets[i].box.y && dets[i - 1].box.x <= dets[i].box.x));
        check_faces(json_object_get(im, "faces"), dets, n, 0);
        free(dets);
        o.landmarks = FACE_LANDMARKS_TINY;
        o.describe = 0;
        assert_int_equal(face_analyze(w, &img, &o, &dets, &n, &t), FACE_OK);
        check_faces(json_object_get(im, "faces"), dets, n, 1);
        free(dets);
        free(img.rgb);
    }
    face_worker_release(w);
    json_decref(root);
}

static void test_ssd_pipeline(void **state)
{
    (void)state;
    run_fixture("pipeline_ssd.json");
}

static void test_tiny_pipeline(void **state)
{
    (void)state;
    run_fixture("pipeline_tiny.json");
}

int main(void)
{
    int opened = ft_open_engine(1, &models, &engine);
    if (opened <= 0)
        return opened < 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssd_pipeline),
        cmocka_unit_test(test_tiny_pipeline),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("max |diff| vs oracle: score %.3g, box %.3g px, landmarks %.3g px (tiny net %.3g px), "
           "descriptor %.3g\n", worst_score, worst_box, worst_lm, worst_lm_tiny, worst_desc);
    face_engine_close(engine);
    return rc;
}
