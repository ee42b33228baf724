/* Accuracy of the face engine. On the labelled photos of ../shared/testdata/faces:
 * verification accuracy on pairs.tsv (threshold 0.6), detection recall on the portraits,
 * face counts of detection.tsv and box recall against detection_boxes.tsv, with floors a
 * little below the measured figures (docs/face-engine.md). Everywhere (the demo photos of
 * the model package): face counts, and descriptors that stay put when a photo is
 * mirrored or re-encoded. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "face_eval.h"
#include "face_testutil.h"

static const char *models;
static face_engine *engine;
static face_worker *worker;

/* The labelled set with the default strategy, measuring the detector itself (no minimum
 * face size: the VOC faces are smaller than 40 px, as in the addendum's measurements). */
static void test_labelled_default(void **state)
{
    (void)state;
    const char *dir = fe_data_dir();
    if (!dir) {
        printf("SKIP: ../shared/testdata/faces not found: labelled-set accuracy tests skipped\n");
        skip();
    }
    fe_config cfg = { 0 };
    fe_report r;
    face_opts_default(&cfg.opts);
    cfg.opts.min_face_size = 0;
    assert_int_equal(fe_evaluate(worker, dir, &cfg, &r), FACE_OK);
    fe_print("default strategy, min face size 0", &r);
    assert_int_equal(r.pairs, 568);
    assert_true(r.pairs_correct >= 0.975 * r.pairs);           /* measured 98.42 % */
    assert_true(r.portraits == 111);
    assert_true(r.portraits_found >= 0.995 * r.portraits);     /* measured 111/111 */
    assert_true(r.extra_faces <= 13);                          /* measured 10, all real */
    assert_true(r.det_found >= r.det_expected - 2);            /* measured 72/72 */
    assert_true(r.det_exact >= 10);                            /* measured 12/12 */
    assert_true(r.boxes_found >= r.boxes - 3);                 /* measured 42/43 */
}

/* face-api's own pipeline (single pass, its crop), the dlib chip on that single pass, for
 * comparison; and the default with the API's 40-px minimum face size. */
static void test_labelled_reference_points(void **state)
{
    (void)state;
    const char *dir = fe_data_dir();
    if (!dir)
        skip();
    fe_config cfg = { 0 };
    fe_report r;
    face_opts_default(&cfg.opts);
    cfg.opts.min_face_size = 0;
    cfg.opts.tiles = FACE_TILES_OFF;
    cfg.opts.chip = FACE_CHIP_FACEAPI;
    assert_int_equal(fe_evaluate(worker, dir, &cfg, &r), FACE_OK);
    fe_print("face-api pipeline (one SSD pass, face-api crop)", &r);
    assert_true(r.pairs_correct >= 0.96 * r.pairs);            /* measured 97.18 % */
    cfg.opts.chip = FACE_CHIP_DLIB;
    assert_int_equal(fe_evaluate(worker, dir, &cfg, &r), FACE_OK);
    fe_print("no tiles (whole + zoomed-out SSD passes), dlib chip", &r);
    face_opts_default(&cfg.opts);
    assert_int_equal(fe_evaluate(worker, dir, &cfg, &r), FACE_OK);
    fe_print("default strategy, min face size 40 (API)", &r);
    /* profile faces fall below 40 px of eye-based face size and VOC faces are small */
    assert_true(r.pairs_scored_correct >= 0.99 * r.pairs_scored);
}

static int load(const char *path, face_image *img)
{
    size_t len;
    char reason[64];
    void *data = ft_read_file(path, &len);
    if (!data)
        return -1;
    int rc = face_image_decode(data, len, 40000000, img, reason, sizeof reason);
    free(data);
    return rc;
}

static void analyze(const face_image *img, face_det **d, int *n)
{
    assert_int_equal(face_analyze(worker, img, NULL, d, n, NULL), FACE_OK);
}

static void eye_mid(const face_det *d, double *x, double *y)
{
    *x = *y = 0;
    for (int i = 36; i < 48; i++) {
        *x += d->landmarks[i].x / 12;
        *y += d->landmarks[i].y / 12;
    }
}

/* The face of b nearest to point (x, y), by eye midpoint. */
static const face_det *nearest(const face_det *b, int nb, double x, double y)
{
    const face_det *best = NULL;
    double bd = 1e30;
    for (int i = 0; i < nb; i++) {
        double bx, by;
        eye_mid(&b[i], &bx, &by);
        if (hypot(bx - x, by - y) < bd) {
            bd = hypot(bx - x, by - y);
            best = &b[i];
        }
    }
    return best;
}

/* Demo group photos: every face found again in the mirrored and the re-encoded photo,
 * with a descriptor well within the same-person threshold. */
static void test_demo_photos(void **state)
{
    (void)state;
    static const int want[6] = { 3, 3, 3, 4, 5, 4 };   /* counted by eye */
    double worst_flip = 0, worst_jpeg = 0;
    for (int k = 0; k < 6; k++) {
        char path[4200];
        face_image img, flip, re;
        face_det *d, *df, *dr;
        int n, nf, nr;
        snprintf(path, sizeof path, "%s/demo/sample%d.jpg", models, k + 1);
        if (load(path, &img) != FACE_OK) {
            printf("SKIP %s: not found\n", path);
            continue;
        }
        analyze(&img, &d, &n);
        printf("sample%d.jpg: %d faces (want %d)\n", k + 1, n, want[k]);
        assert_int_equal(n, want[k]);
        if (k == 0) { /* the thumbnail: a 150x150 JPEG of the aligned chip */
            uint8_t *thumb;
            size_t tlen;
            char why[64];
            face_image chip;
            assert_int_equal(face_chip_jpeg(worker, &img, &d[0], &thumb, &tlen), FACE_OK);
            assert_int_equal(face_image_decode(thumb, tlen, 1000000, &chip, why, sizeof why),
                             FACE_OK);
            assert_int_equal(chip.width, FACE_CHIP_SIZE);
            assert_int_equal(chip.height, FACE_CHIP_SIZE);
            face_image_free(&chip);
            free(thumb);
        }

        assert_int_equal(face_image_alloc(&flip, img.width, img.height), FACE_OK);
        for (int y = 0; y < img.height; y++)
            for (int x = 0; x < img.width; x++)
                memcpy(flip.rgb + ((size_t)y * img.width + (img.width - 1 - x)) * 3,
                       img.rgb + ((size_t)y * img.width + x) * 3, 3);
        uint8_t *jpeg;
        size_t len;
        char reason[64];
        assert_int_equal(face_image_encode_jpeg(&img, 75, &jpeg, &len), FACE_OK);
        assert_int_equal(face_image_decode(jpeg, len, 40000000, &re, reason, sizeof reason),
                         FACE_OK);
        free(jpeg);
        analyze(&flip, &df, &nf);
        analyze(&re, &dr, &nr);
        assert_int_equal(nf, n);
        assert_int_equal(nr, n);
        for (int i = 0; i < n; i++) {
            double x, y;
            eye_mid(&d[i], &x, &y);
            const face_det *f = nearest(df, nf, img.width - 1 - x, y), *r = nearest(dr, nr, x, y);
            double dflip = face_distance(d[i].descriptor, f->descriptor);
            double djpeg = face_distance(d[i].descriptor, r->descriptor);
            worst_flip = fmax(worst_flip, dflip);
            worst_jpeg = fmax(worst_jpeg, djpeg);
            assert_true(dflip < 0.6);
            assert_true(djpeg < 0.6);
        }
        free(d);
        free(df);
        free(dr);
        face_image_free(&img);
        face_image_free(&flip);
        face_image_free(&re);
    }
    printf("largest descriptor change: mirrored %.3f, re-encoded (JPEG q75) %.3f\n", worst_flip,
           worst_jpeg);
}

int main(void)
{
    int opened = ft_open_engine(1, &models, &engine);
    if (opened <= 0)
        return opened < 0;
    worker = face_worker_acquire(engine, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_photos),
        cmocka_unit_test(test_labelled_default),
        cmocka_unit_test(test_labelled_reference_points),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    face_worker_release(worker);
    face_engine_close(engine);
    return rc;
}
