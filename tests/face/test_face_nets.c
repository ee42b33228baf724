/* Each network against the oracle on its synthetic "gradient" input (fixtures from
 * `oracle.mjs --dump NET`), on both backends, and the backends against each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "face/nets/nets.h"
#include "face/prep.h"
#include "face_testutil.h"

static const char *models;

/* Loads one model file and builds its network with a fresh builder. */
#define LOAD_NET(file, loader, net, ...)                                                   \
    do {                                                                                   \
        fw_model m;                                                                        \
        char err[256] = "";                                                                \
        assert_int_equal(fw_load(models, file, &m, err, sizeof err), FACE_OK);            \
        fn_builder b = { .r = { .m = &m, .err = err, .errlen = sizeof err } };             \
        loader(&b, net, ##__VA_ARGS__);                                                    \
        if (b.r.failed)                                                                    \
            fail_msg("%s: %s", file, err);                                                 \
        nslots = b.nslots;                                                                 \
        fw_free(&m);                                                                       \
    } while (0)

static int nslots;

static float *gradient_input(int size, enum fp_norm norm)
{
    face_image img;
    ft_gradient(&img, size);
    float *in = malloc((size_t)size * size * 3 * sizeof(float));
    fp_input(&img, 0, 0, size, size, size, 0, norm, in);
    free(img.rgb);
    return in;
}

static void report(const char *what, double oracle_ref, double oracle_dnnl, double ref_dnnl)
{
    printf("%-22s max|ref-oracle| %.3g  max|dnnl-oracle| %.3g  max|ref-dnnl| %.3g\n", what,
           oracle_ref, oracle_dnnl, ref_dnnl);
}

static void check(const char *what, const float *want, const float *ref, const float *dn,
                  size_t n, double tol)
{
    double a = ft_max_abs_diff(want, ref, n), b = ft_max_abs_diff(want, dn, n);
    double c = ft_max_abs_diff(ref, dn, n);
    report(what, a, b, c);
    assert_true(a < tol);
    assert_true(b < tol);
    assert_true(c < 1e-4);
}

static void test_recog(void **state)
{
    (void)state;
    fr_net net;
    LOAD_NET("face_recognition_model", fr_load, &net);
    float *want = ft_read_f32("recog_gradient.f32", 128);
    float *in = gradient_input(FR_SIZE, FP_NORM_FACE);
    assert_non_null(want);
    float ref[128], dn[3 * 128];
    fn_ctx cr, cd;
    assert_int_equal(fn_ctx_init(&cr, FN_BACKEND_REF, nslots, NULL), FACE_OK);
    assert_int_equal(fn_ctx_init(&cd, FN_BACKEND_DNNL, nslots, NULL), FACE_OK);
    assert_int_equal(fr_forward(&cr, &net, in, 1, ref), FACE_OK);
    assert_int_equal(fr_forward(&cd, &net, in, 1, dn), FACE_OK);
    check("recognition", want, ref, dn, 128, 1e-4);

    /* a batch of three: same result for every item as alone */
    size_t one = (size_t)FR_SIZE * FR_SIZE * 3;
    float *in3 = malloc(3 * one * sizeof(float));
    for (int i = 0; i < 3; i++)
        memcpy(in3 + i * one, in, one * sizeof(float));
    assert_int_equal(fr_forward(&cd, &net, in3, 3, dn), FACE_OK);
    for (int i = 0; i < 3; i++)
        assert_true(ft_max_abs_diff(want, dn + i * 128, 128) < 1e-4);
    fn_ctx_free(&cr);
    fn_ctx_free(&cd);
    fr_free(&net);
    free(in3);
    free(in);
    free(want);
}

static void landmarks(int tiny)
{
    fl_net net;
    const char *file = tiny ? "face_landmark_68_tiny_model" : "face_landmark_68_model";
    LOAD_NET(file, fl_load, &net, tiny);
    float *want = ft_read_f32(tiny ? "landmark_tiny_gradient.f32" : "landmark_gradient.f32",
                              FL_OUT);
    float *in = gradient_input(FL_SIZE, FP_NORM_FACE);
    assert_non_null(want);
    float ref[FL_OUT], dn[2 * FL_OUT];
    fn_ctx cr, cd;
    assert_int_equal(fn_ctx_init(&cr, FN_BACKEND_REF, nslots, NULL), FACE_OK);
    assert_int_equal(fn_ctx_init(&cd, FN_BACKEND_DNNL, nslots, NULL), FACE_OK);
    assert_int_equal(fl_forward(&cr, &net, in, 1, ref), FACE_OK);
    assert_int_equal(fl_forward(&cd, &net, in, 1, dn), FACE_OK);
    /* outputs are in 0..1 of 112 px: 1e-4 is 0.01 px */
    check(tiny ? "landmarks (tiny)" : "landmarks", want, ref, dn, FL_OUT, 1e-4);

    /* batch of two: the gradient and its mirror; item 0 as alone */
    size_t one = (size_t)FL_SIZE * FL_SIZE * 3;
    float *in2 = malloc(2 * one * sizeof(float));
    memcpy(in2, in, one * sizeof(float));
    for (size_t i = 0; i < one; i++)
        in2[one + i] = in[one - 1 - i];
    assert_int_equal(fl_forward(&cd, &net, in2, 2, dn), FACE_OK);
    assert_true(ft_max_abs_diff(want, dn, FL_OUT) < 1e-4);
    assert_true(ft_max_abs_diff(want, dn + FL_OUT, FL_OUT) > 1e-3);
    fn_ctx_free(&cr);
    fn_ctx_free(&cd);
    fl_free(&net);
    free(in2);
    free(in);
    free(want);
}

static void test_landmarks(void **state)
{
    (void)state;
    landmarks(0);
}

static void test_landmarks_tiny(void **state)
{
    (void)state;
    landmarks(1);
}

static void test_ssd(void **state)
{
    (void)state;
    ssd_net net;
    LOAD_NET("ssd_mobilenetv1_model", ssd_load, &net);
    float *want_s = ft_read_f32("ssd_gradient_scores.f32", SSD_ANCHORS);
    float *want_b = ft_read_f32("ssd_gradient_boxes.f32", SSD_ANCHORS * 4);
    float *in = gradient_input(SSD_SIZE, FP_NORM_SSD);
    assert_non_null(want_s);
    assert_non_null(want_b);
    float *out = malloc(sizeof(float) * SSD_ANCHORS * 10);
    float *rb = out, *rs = out + SSD_ANCHORS * 4, *db = rs + SSD_ANCHORS, *ds = db + SSD_ANCHORS * 4;
    fn_ctx cr, cd;
    assert_int_equal(fn_ctx_init(&cr, FN_BACKEND_REF, nslots, NULL), FACE_OK);
    assert_int_equal(fn_ctx_init(&cd, FN_BACKEND_DNNL, nslots, NULL), FACE_OK);
    assert_int_equal(ssd_forward(&cr, &net, in, rb, rs), FACE_OK);
    assert_int_equal(ssd_forward(&cd, &net, in, db, ds), FACE_OK);
    check("ssd scores", want_s, rs, ds, SSD_ANCHORS, 1e-4);
    /* relative to the 512 square: 1e-4 is 0.05 px */
    check("ssd boxes", want_b, rb, db, SSD_ANCHORS * 4, 1e-4);
    fn_ctx_free(&cr);
    fn_ctx_free(&cd);
    ssd_free(&net);
    free(out);
    free(in);
    free(want_s);
    free(want_b);
}

static void test_tiny(void **state)
{
    (void)state;
    tiny_net net;
    const int n = 13 * 13 * 25;
    LOAD_NET("tiny_face_detector_model", tiny_load, &net);
    float *want = ft_read_f32("tiny_gradient.f32", (size_t)n);
    float *in = gradient_input(TINY_DEFAULT_SIZE, FP_NORM_TINY);
    assert_non_null(want);
    float *ref = malloc(sizeof(float) * 2 * (size_t)n), *dn = ref + n;
    fn_ctx cr, cd;
    assert_int_equal(fn_ctx_init(&cr, FN_BACKEND_REF, nslots, NULL), FACE_OK);
    assert_int_equal(fn_ctx_init(&cd, FN_BACKEND_DNNL, nslots, NULL), FACE_OK);
    assert_int_equal(tiny_forward(&cr, &net, in, TINY_DEFAULT_SIZE, ref), FACE_OK);
    assert_int_equal(tiny_forward(&cd, &net, in, TINY_DEFAULT_SIZE, dn), FACE_OK);
    check("tiny (raw grid)", want, ref, dn, (size_t)n, 1e-4);
    assert_int_equal(tiny_forward(&cd, &net, in, 100, dn), FACE_ERR_ARG);
    fn_ctx_free(&cr);
    fn_ctx_free(&cd);
    tiny_free(&net);
    free(ref);
    free(in);
    free(want);
}

int main(void)
{
    models = ft_models_dir();
    if (!models)
        return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recog),
        cmocka_unit_test(test_landmarks),
        cmocka_unit_test(test_landmarks_tiny),
        cmocka_unit_test(test_ssd),
        cmocka_unit_test(test_tiny),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
